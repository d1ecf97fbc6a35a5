#!/usr/bin/env bats
# pmon metrics: the Prometheus text format and OpenMetrics checked by
# promtool, zombies per parent against pmon zombies --json, hostile names,
# process groups, the room's figures, the textfile for node_exporter, the
# HTTP server, and a real Prometheus scraping it.  Every server a test
# starts (pmon, prometheus, node_exporter, chatd) is ended by PID.

load chat_helpers

setup() {
	chat_setup
	SERVER_PIDS=()
}

teardown() {
	local pid
	for pid in "${SERVER_PIDS[@]}"; do
		plain_pid "$pid" || continue
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	chat_teardown
}

need() {
	command -v "$1" >/dev/null || skip "$1 is not installed (package $2; make deps)"
}

# free_port: a TCP port of 127.0.0.1 that nobody listens on now, for the
# peers (Prometheus, node_exporter) that cannot say which port they got
# when given 0; pmon can (start_listener), and is always given 0.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# promtool_ok: stdin passes promtool check metrics with no lint either.
promtool_ok() {
	local out
	out=$(promtool check metrics 2>&1) || { echo "promtool: $out" >&2; return 1; }
	[ -z "$out" ] || { echo "promtool: $out" >&2; return 1; }
}

# no_duplicates FILE: no series (name and labels) twice; promtool and
# Prometheus 2.42 both let that pass silently.
no_duplicates() {
	local d
	d=$(grep -v '^#' "$1" | sed 's/ [^ ]*$//' | sort | uniq -d)
	[ -z "$d" ] || { echo "duplicate series: $d" >&2; return 1; }
}

# start_listener ARGS...: pmon metrics --listen 127.0.0.1:0 ARGS in the
# background; sets LISTEN_PID and LISTEN_PORT (from its stderr line).
start_listener() {
	"$PMON" metrics --listen 127.0.0.1:0 "$@" >/dev/null 2>"$BATS_TEST_TMPDIR/listen.err" 3>&- &
	LISTEN_PID=$!
	SERVER_PIDS+=("$LISTEN_PID")
	wait_for_line "$BATS_TEST_TMPDIR/listen.err" '^pmon metrics: serving ' 300 || {
		cat "$BATS_TEST_TMPDIR/listen.err" >&2
		return 1
	}
	LISTEN_PORT=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9]*\)/metrics$|\1|p' "$BATS_TEST_TMPDIR/listen.err")
	[[ "$LISTEN_PORT" =~ ^[0-9]+$ ]]
}

# zombies_json_count PARENT: how many zombies pmon zombies --json puts under PARENT.
zombies_json_count() {
	"$PMON" zombies --json | jq --argjson p "$1" '[.[] | select(.parent.pid == $p) | .zombies[]] | length'
}

@test "metrics: stdout passes promtool, one series each, every state and the build" {
	need promtool prometheus
	run -0 pmon metrics --no-room
	promtool_ok <<<"$output"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/m"
	no_duplicates "$BATS_TEST_TMPDIR/m"
	for s in R S D T t Z X I; do
		grep -qE "^pmon_processes\{state=\"$s\"\} [0-9]+$" <<<"$output"
	done
	grep -qx 'pmon_proc_up 1' <<<"$output"
	grep -qE '^pmon_build_info\{version="[^"]+"\} 1$' <<<"$output"
	grep -qE '^pmon_scrape_duration_seconds [0-9.e-]+$' <<<"$output"
	grep -qE '^pmon_scrape_cpu_seconds [0-9.e-]+$' <<<"$output"
	# pmon's own parent (this shell) is asleep, so S is at least 1
	s=$(sed -n 's/^pmon_processes{state="S"} //p' <<<"$output")
	[ "$s" -ge 1 ]
}

@test "metrics: a machine with no zombies, and groups that match nothing" {
	# a PID namespace of its own holds no zombies (CI's machine once had
	# none, and the sanitizer build stopped at qsort of a NULL array)
	run unshare --pid --fork --mount-proc "$PMON" metrics --no-room -g '{comm} comm ^no-such-name$'
	[ "$status" -eq 0 ]
	grep -qx 'pmon_zombies 0' <<<"$output"
	grep -qE '^pmon_processes\{state="Z"\} 0$' <<<"$output"
	grep -q '^pmon_group_processes{' <<<"$output" && false
	true
}

@test "metrics: zombies per parent equal what pmon zombies --json says" {
	need promtool prometheus
	start_fixture zombie 3 default
	parent=$FIXTURE_PID
	want=$(zombies_json_count "$parent")
	[ "$want" -eq 3 ]
	run -0 pmon metrics --no-room -k 1000
	promtool_ok <<<"$output"
	grep -qx "pmon_zombies_by_parent{parent_pid=\"$parent\",parent_name=\"proc-fixture\",sigchld=\"default\"} $want" <<<"$output"
	total=$(sed -n 's/^pmon_zombies //p' <<<"$output")
	[ "$total" -ge 3 ]
}

@test "metrics: whether pmon reap may inject into a parent is reap's own verdict" {
	need strace strace
	start_fixture zombie 2 default
	parent=$FIXTURE_PID
	run -0 pmon metrics --no-room -k 1000
	grep -qx "pmon_zombie_parent_inject_refused{parent_pid=\"$parent\",reason=\"none\"} 0" <<<"$output"
	"$PMON" zombies --json | jq -e --argjson p "$parent" \
		'.[] | select(.parent.pid == $p) | .inject_refusal == null'
	# a process has one tracer: reap refuses, and says so
	strace -p "$parent" -o /dev/null 2>/dev/null 3>&- &
	SERVER_PIDS+=("$!")
	for ((i = 0; i < 100; i++)); do
		[ "$(awk '/^TracerPid:/ {print $2}' "/proc/$parent/status")" != 0 ] && break
		sleep 0.1
	done
	run -0 pmon metrics --no-room -k 1000
	grep -qx "pmon_zombie_parent_inject_refused{parent_pid=\"$parent\",reason=\"traced\"} 1" <<<"$output"
	# as pmon zombies words it
	"$PMON" zombies --json | jq -e --argjson p "$parent" \
		'.[] | select(.parent.pid == $p) | .inject_refusal | test("already traced")'
}

@test "metrics: --top-parents bounds the parents listed, the rest is counted" {
	start_fixture zombie 2 default
	start_fixture zombie 1 default
	run -0 pmon metrics --no-room -k 0
	grep -q '^pmon_zombies_by_parent{' <<<"$output" && false
	total=$(sed -n 's/^pmon_zombies //p' <<<"$output")
	unlisted=$(sed -n 's/^pmon_zombies_unlisted //p' <<<"$output")
	[ "$unlisted" -eq "$total" ] && [ "$total" -ge 3 ]
	# listed and unlisted add up to the total, within one scrape
	run -0 pmon metrics --no-room -k 1
	[ "$(grep -c '^pmon_zombies_by_parent{' <<<"$output")" -eq 1 ]
	awk '/^pmon_zombies_by_parent\{/ || /^pmon_zombies_unlisted / {sum += $NF}
		/^pmon_zombies / {total = $2} END {exit !(sum == total)}' <<<"$output"
	run -2 pmon metrics -k x
	[[ "$output" == *"--top-parents"* ]]
}

@test "metrics: OpenMetrics ends with # EOF, counters are typed without _total" {
	start_server
	run -0 pmon metrics --openmetrics -S "$SOCK"
	[ "$(tail -n 1 <<<"$output")" = "# EOF" ]
	grep -qx '# TYPE pmon_room_messages counter' <<<"$output"
	grep -qE '^pmon_room_messages_total [0-9]+$' <<<"$output"
	run -0 pmon metrics -S "$SOCK"
	grep -q '^# EOF' <<<"$output" && false
	grep -qx '# TYPE pmon_room_messages_total counter' <<<"$output"
}

@test "metrics: hostile process names are escaped, and promtool still passes" {
	need promtool prometheus
	# a quote, a backslash, a newline, an OSC title, invalid UTF-8
	start_fixture name 'a"b\x5cc\x0ad\x1b]0;x\x07\xff'
	run -0 pmon metrics --no-room -g '{comm} comm ^a'
	promtool_ok <<<"$output"
	grep -qxF 'pmon_group_processes{group="a\"b\\c\nd'$'\xef\xbf\xbd'']0;x'$'\xef\xbf\xbd\xef\xbf\xbd''"} 1' <<<"$output"
	# nothing raw that a terminal would act on
	LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' <<<"$output" && false
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/m"
	no_duplicates "$BATS_TEST_TMPDIR/m"
}

@test "metrics: groups by name and command line count their processes" {
	need promtool prometheus
	t=$(printf 'g%05d' "$RANDOM") # names no other process has
	start_fixture name "${t}mem" "${t}mem" '--role=alpha'
	start_fixture name "${t}mem" "${t}mem" '--role=beta'
	start_fixture name "${t}oth" "${t}oth" '--role=alpha'
	run -0 pmon metrics --no-room -g "alpha cmdline ^$t[a-z]+ --role=alpha\$" -g "members comm ^${t}mem\$"
	promtool_ok <<<"$output"
	# first rule wins: ${t}mem --role=alpha is in alpha, not members
	grep -qx 'pmon_group_processes{group="alpha"} 2' <<<"$output"
	grep -qx 'pmon_group_processes{group="members"} 1' <<<"$output"
	grep -qE '^pmon_group_threads\{group="members"\} 1$' <<<"$output"
	grep -qE '^pmon_group_resident_memory_bytes\{group="members"\} [1-9][0-9]*$' <<<"$output"
	grep -qE '^pmon_group_open_fds\{group="members"\} [1-9][0-9]*$' <<<"$output"
	start=$(sed -n 's/^pmon_group_oldest_start_time_seconds{group="members"} //p' <<<"$output")
	now=$(date +%s)
	[ "$start" -le "$now" ] && [ "$start" -gt $((now - 3600)) ]
}

@test "metrics: --max-groups bounds the groups, the rest is counted" {
	t=$(printf 'g%05d' "$RANDOM")
	start_fixture name "${t}a"
	start_fixture name "${t}b"
	run -0 pmon metrics --no-room -g "{comm} comm ^$t[ab]\$" --max-groups 1
	[ "$(grep -c '^pmon_group_processes{' <<<"$output")" -eq 1 ]
	grep -qx 'pmon_group_unlisted_processes 1' <<<"$output"
}

@test "metrics: a rules file, and rules that are not rules" {
	f=$BATS_TEST_TMPDIR/rules
	printf '# groups\n\nfixtures comm ^proc-fixture$\r\nshells  cmdline  ^(ba|da)?sh( |$)\n' >"$f"
	start_fixture sleep
	run -0 pmon metrics --no-room -G "$f"
	grep -qE '^pmon_group_processes\{group="fixtures"\} [1-9]' <<<"$output"
	printf 'ok comm x\nbad exe x\n' >"$f"
	run -2 pmon metrics -G "$f"
	[[ "$output" == *"$f:2: a rule matches comm or cmdline, not 'exe'"* ]]
	run -2 pmon metrics -g 'x comm ('
	[[ "$output" == *"bad regular expression"* ]]
	run -2 pmon metrics -g 'onlyname'
	[[ "$output" == *"NAME comm|cmdline REGEX"* ]]
	# a comment or blank -g (a file may hold them) says what a rule is,
	# and nothing that was never written
	for rule in '# comm x' '   '; do
		run -2 pmon metrics --no-room -g "$rule"
		[ "${lines[0]}" = "pmon: metrics: --group '$rule': a rule is NAME comm|cmdline REGEX" ]
	done
	run -2 pmon metrics -G /dev/zero
	[[ "$output" == *"not a regular file"* ]]
}

@test "metrics: the room's clients, members and messages, without entering it" {
	start_server
	start_client ann
	start_client bob
	say ann "hello" "/me waves"
	sees bob 'waves'
	run -0 pmon metrics -S "$SOCK"
	grep -qx 'pmon_room_up 1' <<<"$output"
	# ann and bob, and this scrape's own connection
	grep -qx 'pmon_room_clients 3' <<<"$output"
	grep -qx 'pmon_room_members 2' <<<"$output"
	grep -qx 'pmon_room_messages_total 2' <<<"$output"
	grep -qx 'pmon_room_slow_readers_dropped_total 0' <<<"$output"
	# the scrape did not enter the room
	[ "$(grep -c 'joined the room' "$CHAT_DIR/server.out")" -eq 2 ]
}

@test "metrics: a room that never answers is down within the timeout" {
	start_fake
	t0=$EPOCHREALTIME
	run -0 pmon metrics -S "$SOCK"
	t1=$EPOCHREALTIME
	grep -qx 'pmon_room_up 0' <<<"$output"
	grep -q '^pmon_room_clients' <<<"$output" && false
	# half a second of timeout, plus a loaded machine's slack
	awk -v a="${t0/,/.}" -v b="${t1/,/.}" 'BEGIN {exit !(b - a < 5)}'
}

@test "metrics: --textfile writes DIR/pmon.prom whole, by rename, 0644" {
	need promtool prometheus
	d=$BATS_TEST_TMPDIR/tf
	mkdir -m 0755 "$d"
	echo old >"$d/pmon.prom"
	ino0=$(stat -c %i "$d/pmon.prom")
	run -0 pmon metrics --no-room --textfile "$d"
	[ -z "$output" ]
	promtool_ok <"$d/pmon.prom"
	[ "$(stat -c %a "$d/pmon.prom")" = 644 ]
	[ "$(stat -c %i "$d/pmon.prom")" != "$ino0" ]
	[ "$(ls -A "$d")" = pmon.prom ] # no temporary file left
	run -0 pmon metrics --no-room --openmetrics --textfile "$d"
	[ "$(tail -n 1 "$d/pmon.prom")" = "# EOF" ]
}

@test "metrics: --textfile refuses a directory others may control" {
	d=$BATS_TEST_TMPDIR/tf
	mkdir -m 0777 "$d"
	run -1 pmon metrics --no-room --textfile "$d"
	[[ "$output" == *"writable by other users (mode 0777)"* ]]
	chmod 0755 "$d"
	ln -s "$d" "$BATS_TEST_TMPDIR/link"
	run -1 pmon metrics --no-room --textfile "$BATS_TEST_TMPDIR/link"
	[[ "$output" == *"symbolic link"* ]]
	chown 65534 "$d"
	run -1 pmon metrics --no-room --textfile "$d"
	[[ "$output" == *"belongs to uid 65534"* ]]
	[ -z "$(ls -A "$d")" ]
	run -2 pmon metrics --textfile "$d" --listen 9
}

@test "metrics: node_exporter's textfile collector reads the textfile without errors" {
	need prometheus-node-exporter prometheus-node-exporter
	need promtool prometheus
	d=$BATS_TEST_TMPDIR/tf
	mkdir -m 0755 "$d"
	start_fixture zombie 2 default
	# -k: other tests' zombie parents must not push ours out
	run -0 pmon metrics --no-room -k 1000 --textfile "$d"
	port=$(free_port)
	prometheus-node-exporter --web.listen-address="127.0.0.1:$port" \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$d" >"$BATS_TEST_TMPDIR/ne.log" 2>&1 3>&- &
	SERVER_PIDS+=("$!")
	for ((i = 0; i < 300; i++)); do
		curl -sf "http://127.0.0.1:$port/metrics" >"$BATS_TEST_TMPDIR/ne" 2>/dev/null && break
		sleep 0.1
	done
	grep -qx 'node_textfile_scrape_error 0' "$BATS_TEST_TMPDIR/ne"
	grep -q "^node_textfile_mtime_seconds{file=\"$d/pmon.prom\"}" "$BATS_TEST_TMPDIR/ne" ||
		grep -q '^node_textfile_mtime_seconds{file="pmon.prom"}' "$BATS_TEST_TMPDIR/ne"
	# node_exporter sorts the labels
	grep -qx "pmon_zombies_by_parent{parent_name=\"proc-fixture\",parent_pid=\"$FIXTURE_PID\",sigchld=\"default\"} 2" \
		"$BATS_TEST_TMPDIR/ne"
	promtool_ok <"$BATS_TEST_TMPDIR/ne"
}

@test "metrics: --listen serves /metrics (text or OpenMetrics as asked), 404, 405" {
	need promtool prometheus
	need curl curl
	start_listener --no-room
	url=http://127.0.0.1:$LISTEN_PORT
	curl -sf "$url/metrics" -D "$BATS_TEST_TMPDIR/h" >"$BATS_TEST_TMPDIR/m"
	grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' "$BATS_TEST_TMPDIR/h"
	promtool_ok <"$BATS_TEST_TMPDIR/m"
	no_duplicates "$BATS_TEST_TMPDIR/m"
	curl -sf -H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;q=0.5' \
		"$url/metrics" -D "$BATS_TEST_TMPDIR/h" >"$BATS_TEST_TMPDIR/m"
	grep -qi '^content-type: application/openmetrics-text; version=1.0.0' "$BATS_TEST_TMPDIR/h"
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/m")" = "# EOF" ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$url/nope")" = 404 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url/metrics")" = 405 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' -I "$url/metrics")" = 200 ]
	# bound to 127.0.0.1 only
	ss -Htln "sport = :$LISTEN_PORT" | awk '{print $4}' | grep -qx "127.0.0.1:$LISTEN_PORT"
	# a signal ends it, with status 0
	kill -TERM "$LISTEN_PID"
	wait "$LISTEN_PID"
}

@test "metrics: --listen loads libmicrohttpd (no other command links it: cli.bats)" {
	start_listener --no-room
	grep -q '/libmicrohttpd\.so' "/proc/$LISTEN_PID/maps"
	kill -TERM "$LISTEN_PID"
	wait "$LISTEN_PID"
}

@test "metrics: --listen without a loadable libmicrohttpd says so and exits 1" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount over the library"
	need unshare util-linux
	run -1 without_lib libmicrohttpd "$PMON" metrics --no-room --listen 127.0.0.1:0
	[[ "$output" == "pmon: metrics: --listen needs libmicrohttpd (Debian: libmicrohttpd12): "*libmicrohttpd* ]]
}

@test "metrics: --listen takes numeric addresses only, 127.0.0.1 by default" {
	run -2 pmon metrics --listen localhost:9
	[[ "$output" == *"names are not looked up"* ]]
	run -2 pmon metrics --listen 127.0.0.1:70000
	run -2 pmon metrics --listen ''
	# a port alone: 127.0.0.1 (port 0: the kernel's choice, which no
	# other process can take between a probe and the bind)
	"$PMON" metrics --no-room --listen 0 2>"$BATS_TEST_TMPDIR/listen.err" 3>&- &
	SERVER_PIDS+=("$!")
	wait_for_line "$BATS_TEST_TMPDIR/listen.err" "serving http://127\.0\.0\.1:[1-9][0-9]*/metrics" 300
}

@test "metrics: a real Prometheus scrapes pmon metrics --listen; its zombie count is pmon zombies'" {
	need prometheus prometheus
	need curl curl
	start_fixture zombie 4 default
	parent=$FIXTURE_PID
	want=$(zombies_json_count "$parent")
	[ "$want" -eq 4 ]
	start_listener --no-room -k 1000
	port=$(free_port)
	# 3 s, not 1: a scrape must end within the interval, and on a machine
	# at load 200 with 20,000 processes one took over a second
	cat >"$BATS_TEST_TMPDIR/prometheus.yml" <<-YML
	global: {scrape_interval: 3s, scrape_timeout: 3s, evaluation_interval: 3s}
	scrape_configs:
	  - job_name: pmon
	    static_configs: [{targets: ['127.0.0.1:$LISTEN_PORT']}]
	YML
	prometheus --config.file="$BATS_TEST_TMPDIR/prometheus.yml" \
		--storage.tsdb.path="$BATS_TEST_TMPDIR/tsdb" \
		--web.listen-address="127.0.0.1:$port" >"$BATS_TEST_TMPDIR/prom.log" 2>&1 3>&- &
	SERVER_PIDS+=("$!")
	q="pmon_zombies_by_parent{parent_pid=\"$parent\"}"
	got=
	# the first sample is there after ~5.5 s (the scrape manager's
	# 5 s reload tick); a loaded machine gets two minutes
	deadline=$((SECONDS + 120))
	while [ -z "$got" ] && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.5
		got=$(curl -sG "http://127.0.0.1:$port/api/v1/query" --data-urlencode "query=$q" 2>/dev/null |
			jq -r '.data.result[0].value[1] // empty' 2>/dev/null)
	done
	[ -n "$got" ] || {
		tail -20 "$BATS_TEST_TMPDIR/prom.log" >&2
		curl -s "http://127.0.0.1:$port/api/v1/targets" >&2
		false
	}
	[ "$got" = "$want" ]
	# it scraped OpenMetrics (it asks for it) with no error
	curl -s "http://127.0.0.1:$port/api/v1/targets" |
		jq -e '.data.activeTargets[0] | .health == "up" and .lastError == ""'
	labels=$(curl -sG "http://127.0.0.1:$port/api/v1/query" --data-urlencode "query=$q" |
		jq -r '.data.result[0].metric | "\(.parent_name) \(.sigchld)"')
	[ "$labels" = "proc-fixture default" ]
}

# The README's examples: the scrape config and the alert rules, each a
# fenced yaml block whose first line names the file.
readme_block() {
	awk -v f="# $1" '/^```/ {if (on) exit; inblock = !inblock; next}
		inblock && !on && $0 == f {on = 1}
		on {print}' "$REPO_ROOT/README.md"
}

@test "metrics: the README's scrape config and alert rules pass promtool" {
	need promtool prometheus
	readme_block prometheus.yml >"$BATS_TEST_TMPDIR/prometheus.yml"
	readme_block pmon-alerts.yml >"$BATS_TEST_TMPDIR/pmon-alerts.yml"
	grep -q 'pmon-alerts.yml' "$BATS_TEST_TMPDIR/prometheus.yml"
	grep -q 'alert:' "$BATS_TEST_TMPDIR/pmon-alerts.yml"
	run -0 promtool check rules "$BATS_TEST_TMPDIR/pmon-alerts.yml"
	[[ "$output" == *"SUCCESS: 2 rules found"* ]]
	run -0 promtool check config "$BATS_TEST_TMPDIR/prometheus.yml"
}
