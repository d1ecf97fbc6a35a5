#!/usr/bin/env bats
# fields.bats - the field registry as users meet it: -o and --sort with
# the same keys in ps, tree and top, -o help, JSON with the keys asked
# for, long-tail fields from libproc2, and one meaning of zombie.

load helpers

# The nodes a tree fixture announced ("node PID PPID"), but its root.
tree_kids() { awk -v r="$FIXTURE_PID" '$1 == "node" && $2 != r {print $2}' "$FIXTURE_OUT" | paste -sd,; }

@test "ps -o help lists every key with where it is read from" {
	run pmon ps -o help
	[ "$status" -eq 0 ]
	echo "$output" | grep -qE '^rss_kb +RSS +.*\(status or statm\)'
	echo "$output" | grep -qE '^wchan +WCHAN +.*libproc2 PIDS_WCHAN_NAME; root or the same user'
	echo "$output" | grep -qE '^cpu_pct +%CPU'
	# one line per key, and every key is accepted by -o
	keys=$(echo "$output" | awk 'NR > 1 {print $1}')
	[ "$(echo "$keys" | wc -l)" -ge 30 ]
	run pmon ps -p $$ -o "$(echo "$keys" | paste -sd,)"
	[ "$status" -eq 0 ]
}

@test "ps -o help --json: one object per key, the same keys as the text" {
	run pmon ps -o help
	[ "$status" -eq 0 ]
	text_keys=$(echo "$output" | awk 'NR > 1 {print $1}')
	for order in "-o help --json" "--json -o help"; do
		run pmon ps $order
		[ "$status" -eq 0 ]
		[ "$(echo "$output" | jq -r '.[].key')" = "$text_keys" ]
	done
	[ "$(echo "$output" | jq -r '.[] | select(.key == "rss_kb") | "\(.aliases | join(",")) \(.title) \(.type) \(.descending)"')" = "rss,rsz,rssize RSS integer true" ]
	[ "$(echo "$output" | jq -r '.[] | select(.key == "pid") | .aliases | length')" = 0 ]
	[ "$(echo "$output" | jq -r '.[] | select(.key == "wchan") | "\(.source) \(.privileged)"')" = "libproc2 PIDS_WCHAN_NAME true" ]
	[ "$(echo "$output" | jq -r '.[] | select(.key == "comm") | .type')" = string ]
}

@test "no name -o takes (key, alias or title) names two fields" {
	run pmon ps -o help --json
	[ "$status" -eq 0 ]
	# comm and cmdline are both titled COMMAND, as in ps, and command is
	# cmdline's alias, as in ps: -o command is the command line
	dup=$(echo "$output" | jq -r '.[] | [.key, .title] + .aliases | map(ascii_downcase) | unique | .[]' |
		sort | uniq -d)
	echo "names used twice: $dup"
	[ "$dup" = command ]
	[ "$(pmon ps -o command -p $$ | head -1 | tr -d ' ')" = COMMAND ]
	[ "$(pmon ps -o command -p $$ | sed -n 2p)" = "$(pmon ps -o cmdline -p $$ | sed -n 2p)" ]
	[ "$(pmon ps -o ucomm -p $$ | sed -n 2p)" = "$(pmon ps -o comm -p $$ | sed -n 2p)" ]
}

@test "ps -o and --sort take ps(1)'s own names for the same columns" {
	start_fixture sleep
	mine=$(pmon ps -p "$FIXTURE_PID" -o pid,cpu_pct,mem_pct,vsz_kb,rss_kb,tty,cpu_time_s,cmdline,cmdline,pgrp,elapsed_s,started,user,uid)
	theirs=$(pmon ps -p "$FIXTURE_PID" -o pid,pcpu,pmem,vsz,rsz,tt,cputime,cmd,command,pgid,etime,lstart,euser,euid)
	[ -n "$mine" ]
	[ "$mine" = "$theirs" ]
	# (a fixed set: pmon itself, biggest under a sanitizer, has a new pid each run)
	some=1,$$,$FIXTURE_PID
	[ "$(pmon ps -p "$some" -o pid --sort=-vsz)" = "$(pmon ps -p "$some" -o pid --sort=-vsz_kb)" ]
	[ "$(pmon ps -p "$some" -o pid --sort=-vsz)" != "$(pmon ps -p "$some" -o pid --sort=vsz)" ]
	run pmon ps -o help
	echo "$output" | grep -qE '^vsz_kb +VIRT .*; also -o virt, vsz, vsize$'
}

@test "no two keys share a title" {
	run pmon ps -o help
	[ "$status" -eq 0 ]
	# comm and cmdline are both COMMAND, as in ps; no other pair may be
	dup=$(echo "$output" | awk 'NR > 1 {print $2}' | sort | uniq -d | grep -vx COMMAND || true)
	echo "titles used twice: $dup"
	[ -z "$dup" ]
}

# start_fixture_with_groups GIDS ARGS...: a fixture with exactly these
# supplementary groups ("" for none); setpriv execs, so $! is the fixture.
start_fixture_with_groups() {
	local gids=$1 opt
	shift
	opt=--clear-groups
	[ -z "$gids" ] || opt="--groups=$gids"
	FIXTURE_OUT=$BATS_TEST_TMPDIR/fixture.${#FIXTURE_PIDS[@]}.out
	setpriv "$opt" "$FIXTURE" "$@" >"$FIXTURE_OUT" 2>&1 3>&- &
	FIXTURE_PID=$!
	FIXTURE_PIDS+=("$FIXTURE_PID")
	wait_for_line "$FIXTURE_OUT" '^ready$'
}

@test "groups: - in the table and \"\" in JSON for none; the gids for some" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to set groups"
	start_fixture_with_groups "" sleep
	run pmon ps -p "$FIXTURE_PID" -o pid,groups --json
	[ "$(echo "$output" | jq -r '.[0].groups')" = "" ]
	run pmon ps -p "$FIXTURE_PID" -o pid,groups
	[[ "${lines[1]}" =~ ^\ +$FIXTURE_PID\ -$ ]]
	start_fixture_with_groups 4,24 sleep
	run pmon ps -p "$FIXTURE_PID" -o groups --json
	[ "$(echo "$output" | jq -r '.[0].groups')" = "4,24" ]
	run pmon ps -p "$FIXTURE_PID" -o groups
	[ "${lines[1]}" = "4,24" ]
}

@test "ps -o: the columns asked for, in that order, aliases and titles too" {
	start_fixture sleep
	run pmon ps -p "$FIXTURE_PID" -o pid,nice,comm,rss
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | head -1 | tr -s ' ')" = " PID NI COMMAND RSS" ]
	echo "$output" | sed -n 2p | grep -qE "^ +$FIXTURE_PID +0 proc-fixture +[0-9]+$"
	run pmon ps -p "$FIXTURE_PID" -o PID,%CPU,etime
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | head -1 | tr -s ' ')" = " PID %CPU ELAPSED" ]
}

@test "-o with an unknown key is a usage error that points at -o help" {
	for cmd in ps tree top; do
		run pmon $cmd -o pid,nonsense
		[ "$status" -eq 2 ]
		echo "$output" | grep -q "unknown field 'nonsense' in -o (pmon ps -o help"
	done
	run pmon ps -o pid,,comm
	[ "$status" -eq 2 ]
	echo "$output" | grep -q "unknown field '(empty)'"
	# a list too long is said to be, not blamed on a key that exists
	many=$(printf 'pid,%.0s' $(seq 64))comm
	for cmd in ps tree top; do
		run pmon $cmd -o "$many"
		[ "$status" -eq 2 ]
		[ "${lines[0]}" = "pmon: $cmd: more than 64 columns in -o" ]
	done
}

@test "--sort takes the same keys in ps and top" {
	start_fixture tree 1 3
	kids=$(tree_kids)
	[ -n "$kids" ]
	for key in pid rss_kb threads cpu_time_s elapsed_s user comm vsz_kb; do
		run pmon ps --sort "$key" -p "$kids"
		[ "$status" -eq 0 ]
		run pmon top -b -n 1 --sort "$key" -p "$kids"
		[ "$status" -eq 0 ]
	done
	run pmon top -b -n 1 --sort nonsense
	[ "$status" -eq 2 ]
	run pmon ps --sort nonsense
	[ "$status" -eq 2 ]
}

@test "ps --sort -rss_kb: biggest first, ties by pid; the default stays pid order" {
	start_fixture tree 1 4
	pids="$FIXTURE_PID,$(tree_kids)"
	run pmon ps --sort -rss_kb -o pid,rss_kb -p "$pids"
	[ "$status" -eq 0 ]
	echo "$output" | awk 'NR > 1 && !/processes/ {print $2, $1}' >"$BATS_TEST_TMPDIR/got"
	sort -k1,1nr -k2,2n "$BATS_TEST_TMPDIR/got" | cmp - "$BATS_TEST_TMPDIR/got"
	run pmon ps -o pid -p "$pids"
	echo "$output" | awk 'NR > 1 && !/processes/ {print $1}' >"$BATS_TEST_TMPDIR/got"
	sort -n "$BATS_TEST_TMPDIR/got" | cmp - "$BATS_TEST_TMPDIR/got"
}

@test "ps --json -o: objects with exactly the keys asked for; null where unreadable" {
	start_fixture sleep
	run pmon ps --json -o pid,wchan,oom_score,ns_pid,io_read_bytes -p "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.[0] | keys_unsorted | join(",")')" = "pid,wchan,oom_score,ns_pid,io_read_bytes" ]
	[ "$(echo "$output" | jq '.[0].oom_score | type')" = '"number"' ]
	[ "$(echo "$output" | jq '.[0].ns_pid')" = "$(stat -Lc %i /proc/"$FIXTURE_PID"/ns/pid)" ]
	[ "$(echo "$output" | jq '.[0].io_read_bytes | type')" = '"number"' ]
	# Another account may not read root's io or namespaces: null, not 0.
	[ "$(id -u)" -eq 0 ] || skip "needs root to run pmon as another account"
	copy_for_others
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$OTHERS_PMON" \
		ps --json -o pid,ns_pid,io_read_bytes,environ -p "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -c '.[0]')" = "{\"pid\":$FIXTURE_PID,\"ns_pid\":null,\"io_read_bytes\":null,\"environ\":null}" ]
}

@test "environ: each entry whole, spaces and control bytes kept in JSON, escaped in the table" {
	ENV_SPACE='x y' ENV_CTL=$'c\td\e[31m' ENV_NL=$'1\nLD_PRELOAD=/x.so' start_fixture sleep
	run pmon ps --json -o environ -p "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq '.[0].environ | type')" = '"array"' ]
	# a newline is part of an entry, not the start of another (libproc2
	# splits there: a variable that is not set)
	[ "$(echo "$output" | jq '.[0].environ | index("ENV_NL=1\nLD_PRELOAD=/x.so")')" != null ]
	[ "$(echo "$output" | jq '.[0].environ | index("LD_PRELOAD=/x.so")')" = null ]
	[ "$(echo "$output" | jq '.[0].environ | index("ENV_SPACE=x y")')" != null ]
	[ "$(echo "$output" | jq '.[0].environ | index("ENV_CTL=c\td\u001b[31m")')" != null ]
	run pmon ps -w -o environ -p "$FIXTURE_PID"
	[[ "${lines[1]}" == *"ENV_SPACE=x y "* ]]
	[[ "${lines[1]}" == *'ENV_CTL=c\td\e[31m'* ]]
	[[ "$output" != *$'\e'* ]]
}

@test "environ: [] for an empty one, null for a zombie's" {
	FIXTURE_OUT=$BATS_TEST_TMPDIR/empty.out
	env -i "$FIXTURE" sleep >"$FIXTURE_OUT" 2>&1 3>&- &
	empty=$!
	FIXTURE_PIDS+=("$empty")
	wait_for_line "$FIXTURE_OUT" '^ready$'
	start_fixture zombie 1
	zombie=$(fixture_children)
	run pmon ps --json -o pid,environ -p "$empty,$zombie"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -c '[.[].environ]')" = '[[],null]' ]
	run pmon ps -o pid,environ -p "$empty"
	[[ "${lines[1]}" =~ ^\ +$empty\ -$ ]]
}

@test "tree -o: the columns before the tree" {
	start_fixture tree 1 1
	kid=$(tree_kids)
	[ -n "$kid" ]
	run pmon tree -A -o pid,user,nice "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | head -1 | tr -s ' ')" = " PID USER NI COMMAND" ]
	echo "$output" | grep -qE "^ +$kid root +0 \`- proc-fixture$"
}

@test "top -o: the columns asked for, in batch text and JSON" {
	start_fixture sleep
	run pmon top -b -n 1 -o pid,pri,vsz_kb,comm -p "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	echo "$output" | grep -qE '^ +PID +PRI +VIRT COMMAND$'
	echo "$output" | grep -qE "^ +$FIXTURE_PID +20 +[0-9]+ proc-fixture$"
	run pmon top -b -n 1 --json -o pid,vsz_kb,shr_kb -p "$FIXTURE_PID"
	[ "$(echo "$output" | jq -c '.processes[0] | keys_unsorted')" = '["pid","vsz_kb","shr_kb"]' ]
	[ "$(echo "$output" | jq '.processes[0].vsz_kb')" -gt 0 ]
}

@test "a leader whose main thread exited is marked as such and counted apart, not as a zombie" {
	FIXTURE=$BUILD_DIR/fixtures/zombie-parent start_fixture thread-leader
	leader=$FIXTURE_PID
	[ "$(proc_state "$leader")" = Z ]
	run pmon ps -p "$leader"
	[ "$status" -eq 0 ]
	echo "$output" | grep -q "zombie-parent <main thread exited, 1 threads running>$"
	echo "$output" | grep -q "1 process: 0 running, 0 sleeping, 0 disk sleep, 0 stopped, 0 zombie, 1 main thread exited"
	run pmon tree -A "$leader"
	echo "$output" | grep -q "<main thread exited"
	run pmon ps -p "$leader" --json
	[ "$(echo "$output" | jq -r '.[0].state')" = Z ]
	run pmon top -b -n 1 -p "$leader"
	echo "$output" | grep -q ', 0 zombie$'
	run pmon top -b -n 1 --json -p "$leader"
	[ "$(echo "$output" | jq '.header.tasks.zombie')" -eq 0 ]
}

@test "the man page names every key of the registry" {
	run pmon ps -o help
	[ "$status" -eq 0 ]
	man=$(sed -n '/^\.SH FIELDS/,/^\.SH JSON/p' "$REPO_ROOT/man/pmon.1")
	missing=""
	for key in $(echo "$output" | awk 'NR > 1 {print $1}'); do
		echo "$man" | grep -qE "^\.BR? $key( |$)" || missing="$missing $key"
	done
	echo "not in the man page's FIELDS:$missing"
	[ -z "$missing" ]
}
