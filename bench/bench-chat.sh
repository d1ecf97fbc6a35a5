#!/usr/bin/env bash
# bench-chat.sh - pmon chatd against ngircd (Debian's IRC server, on
# 127.0.0.1, flood penalties off) and the floor (one process writing every
# message to every client socket), under the same load from one epoll
# load generator (bench/chat-load.c), all in one run:
#
#   idle  CLIENTS connected and silent: the server's RSS (taken at the
#         start of every rate run)
#   peak  bursts of B messages, each delivered to all before the next;
#         the best burst size of each server counts (deliveries/s)
#   rate  RATE messages/s into the room for SECONDS: p50/p99/max latency,
#         losses; once more with one client that never reads
#
# Environment: CLIENTS (1000), RATE (200), BENCH_SECONDS (5), REPS (3;
# NGIRCD_REPS, 1 by default, for ngircd, which takes a minute per run),
# BURSTS ("32 64 128"), PMON, BUILD.
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
PMON=${PMON:-$PWD/pmon}
LOAD=$BUILD/bench/chat-load
CLIENTS=${CLIENTS:-1000}
RATE=${RATE:-200}
SECONDS_RUN=${BENCH_SECONDS:-5}
REPS=${REPS:-3}
BURSTS=${BURSTS:-32 64 128}
# A free port on 127.0.0.1 for ngircd (one left in use would make it fail).
free_port() {
	local p
	for ((p = ${PORT:-16667}; p < ${PORT:-16667} + 100; p++)); do
		ss -Hltn "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
	done
	echo "bench-chat: no free port near ${PORT:-16667}" >&2
	exit 1
}
PORT=$(free_port)

for tool in "$LOAD" "$PMON"; do
	[ -x "$tool" ] || { echo "bench-chat: $tool is missing: run 'make bench'" >&2; exit 1; }
done
command -v ngircd >/dev/null || { echo "bench-chat: ngircd is missing: run 'make deps'" >&2; exit 1; }

work=$(mktemp -d /tmp/pmon-bench-chat.XXXXXX)
chmod 755 "$work"
server_pid=
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# The load generator holds CLIENTS sockets, each server as many again.
ulimit -n "$(ulimit -Hn)" 2>/dev/null

start_pmon() {
	rm -f "$work/sock"
	"$PMON" chatd -S "$work/sock" --foreground --no-flood-limit \
		</dev/null >"$work/chatd.log" 2>&1 3>&- &
	server_pid=$!
	for _ in $(seq 100); do [ -S "$work/sock" ] && return 0; sleep 0.05; done
	echo "bench-chat: pmon chatd did not start:" >&2
	cat "$work/chatd.log" >&2
	exit 1
}

start_ngircd() {
	# ngircd drops root for nobody, who must be able to write its pid file
	mkdir -p "$work/run" && chmod 1777 "$work/run"
	cat >"$work/ngircd.conf" <<-EOF
	[Global]
		Name = bench.pmon.invalid
		Info = pmon chat benchmark peer
		Listen = 127.0.0.1
		Ports = $PORT
		PidFile = $work/run/ngircd.pid
		MotdPhrase = bench
	[Limits]
		MaxConnections = 0
		MaxConnectionsIP = 0
		MaxJoins = 0
		MaxPenaltyTime = 0
		PingTimeout = 600
		PongTimeout = 600
	[Options]
		DNS = no
		Ident = no
		PAM = no
	EOF
	ngircd -n -f "$work/ngircd.conf" </dev/null >"$work/ngircd.log" 2>&1 3>&- &
	server_pid=$!
	for _ in $(seq 100); do
		grep -q "Now listening" "$work/ngircd.log" && return 0
		sleep 0.05
	done
	echo "bench-chat: ngircd did not start:" >&2
	cat "$work/ngircd.log" >&2
	exit 1
}

stop_server() {
	[ -n "$server_pid" ] || return 0
	kill "$server_pid" 2>/dev/null
	wait "$server_pid" 2>/dev/null
	server_pid=
}

# target_of NAME: the load generator's target for a server.
target_of() {
	case $1 in
	pmon) echo "unix:$work/sock" ;;
	ngircd) echo "irc:$PORT" ;;
	floor) echo floor ;;
	esac
}

start_of() {
	case $1 in
	pmon) start_pmon ;;
	ngircd) start_ngircd ;;
	floor) server_pid= ;;
	esac
}

# field KEY LINE
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }

# median: of the numbers on stdin, one per line; blank lines (the here-
# strings add one) are not values.
median() { sort -g | awk 'NF {v[++n] = $1} END {print n ? v[int((n + 1) / 2)] : "nan"}'; }

# load NAME ARGS...: one generator run against a fresh server.
load() {
	local name=$1 out
	shift
	start_of "$name"
	out=$("$LOAD" "$(target_of "$name")" -c "$CLIENTS" \
		${server_pid:+-p "$server_pid"} "$@") || {
		stop_server
		echo "bench-chat: the load generator failed against $name" >&2
		return 1
	}
	stop_server
	echo "$out"
}

declare -A idle_rss peak_dps peak_lost rate_p50 rate_p99 rate_max rate_lost rate_cpu
for name in pmon ngircd floor; do
	echo "# $name" >&2
	# ngircd registers a client per turn of its main loop (about 80 ms
	# here), so 1,000 clients take over a minute to enter: one round.
	reps=$REPS
	[ "$name" = ngircd ] && reps=${NGIRCD_REPS:-1}
	best_list= lost_sum=0
	for _ in $(seq "$reps"); do
		best=0
		for b in $BURSTS; do
			line=$(load "$name" -m peak -t "$SECONDS_RUN" -b "$b") || exit 1
			echo "  peak b=$b: $line" >&2
			dps=$(field dps "$line")
			lost_sum=$((lost_sum + $(field lost "$line")))
			awk -v a="$dps" -v b="$best" 'BEGIN {exit !(a > b)}' && best=$dps
		done
		best_list+="$best"$'\n'
	done
	peak_dps[$name]=$(median <<<"$best_list")
	peak_lost[$name]=$lost_sum
	p50= p99= max= cpu= idle= lost_sum=0
	for _ in $(seq "$reps"); do
		line=$(load "$name" -m rate -r "$RATE" -t "$SECONDS_RUN") || exit 1
		echo "  rate: $line" >&2
		idle+="$(field idle_rss_kb "$line")"$'\n'
		p50+="$(field p50_ms "$line")"$'\n'
		p99+="$(field p99_ms "$line")"$'\n'
		max+="$(field max_ms "$line")"$'\n'
		cpu+="$(field server_cpu "$line")"$'\n'
		lost_sum=$((lost_sum + $(field lost "$line")))
	done
	rate_p50[$name]=$(median <<<"$p50")
	rate_p99[$name]=$(median <<<"$p99")
	rate_max[$name]=$(median <<<"$max")
	rate_cpu[$name]=$(median <<<"$cpu")
	rate_lost[$name]=$lost_sum
	[ "$name" != floor ] && idle_rss[$name]=$(median <<<"$idle")
done

# One client that never reads, the same rate: the others' p99 must hold.
stall_p99=
for _ in $(seq "$REPS"); do
	line=$(load pmon -m rate -r "$RATE" -t "$SECONDS_RUN" -k 1) || exit 1
	echo "  rate, 1 stalled reader: $line" >&2
	stall_p99+="$(field p99_ms "$line")"$'\n'
	stall_lost=$(( ${stall_lost:-0} + $(field lost "$line") ))
done
stall_p99=$(median <<<"$stall_p99")

echo
echo "chat: $CLIENTS clients, $RATE msg/s for ${SECONDS_RUN}s, medians of $REPS runs (ngircd: ${NGIRCD_REPS:-1})"
printf '%-8s %14s %10s %9s %9s %9s %9s %12s\n' server "peak deliv/s" lost \
	"p50 ms" "p99 ms" "max ms" "cpu" "idle RSS kB"
for name in pmon ngircd floor; do
	printf '%-8s %14.0f %10s %9s %9s %9s %9s %12s\n' "$name" \
		"${peak_dps[$name]}" "$((peak_lost[$name] + rate_lost[$name]))" \
		"${rate_p50[$name]}" "${rate_p99[$name]}" "${rate_max[$name]}" \
		"${rate_cpu[$name]}" "${idle_rss[$name]:--}"
done
printf 'pmon with 1 stalled reader: p99 %s ms (without: %s ms), lost %s\n' \
	"$stall_p99" "${rate_p99[pmon]}" "$stall_lost"

ratio=$(awk -v a="${peak_dps[pmon]}" -v b="${peak_dps[ngircd]}" 'BEGIN {printf "%.2f", a / b}')
verdict() { if awk "BEGIN {exit !($2)}"; then echo "PASS  $1"; else echo "FAIL  $1"; fi; }
verdict "peak fan-out ${ratio}x ngircd's (bar: >= 2x)" "$ratio >= 2"
verdict "p99 ${rate_p99[pmon]} ms at $RATE msg/s (bar: < 10 ms)" "${rate_p99[pmon]} < 10"
verdict "lost ${peak_lost[pmon]}+${rate_lost[pmon]}+$stall_lost messages (bar: 0)" \
	"${peak_lost[pmon]} + ${rate_lost[pmon]} + $stall_lost == 0"
verdict "idle RSS ${idle_rss[pmon]} kB vs ngircd ${idle_rss[ngircd]} kB (bar: below)" \
	"${idle_rss[pmon]} < ${idle_rss[ngircd]}"
verdict "p99 with a stalled reader $stall_p99 ms vs $( echo "${rate_p99[pmon]}") ms (bar: unmoved, < 10 ms)" \
	"$stall_p99 < 10"
