#!/usr/bin/env bash
# bench-chat.sh - pmon chatd against ngircd (Debian's IRC server, on
# 127.0.0.1, flood penalties off) and the floor (one process writing every
# message to every client socket, batching as pmon does: up to 32 queued
# messages per write), under the same load from one epoll load generator
# (bench/chat-load.c), all in one run, the servers interleaved round by
# round:
#
#   idle  CLIENTS connected and silent: the server's RSS (taken at the
#         start of every rate run)
#   peak  bursts of B messages, each delivered to all before the next,
#         PEAK_SECONDS per burst size; the best burst size of each server
#         counts, in deliveries per second of the server's CPU (the bar)
#         and per second of wall time (beside)
#   rate  RATE messages/s into the room for SECONDS: p50/p99/max latency,
#         the server's CPU, losses; for pmon once more with one client
#         that never reads, which the server must queue for and then cut
#         off (--out-cap 64 KiB: a UNIX socket holds 32 to 210 kB of the
#         stalled client's messages, and 15 s at 200 msg/s owes it 345 kB)
#
# With 2 CPUs or more the generator runs on CPU 0 and every server (the
# floor too) on CPU 1, so that the figures measure the server.
#
# Environment: CLIENTS (1000), RATE (200), BENCH_SECONDS (15),
# PEAK_SECONDS (5), REPS (3, for every server), BURSTS ("32 64 128"),
# OUT_CAP (65536), PMON, BUILD.
set -u
. "$(dirname "$0")/lib.sh"

LOAD=$BUILD_DIR/bench/chat-load
CLIENTS=${CLIENTS:-1000}
RATE=${RATE:-200}
SECONDS_RUN=${BENCH_SECONDS:-15}
PEAK_SECONDS=${PEAK_SECONDS:-5}
REPS=${REPS:-3}
BURSTS=${BURSTS:-32 64 128}
OUT_CAP=${OUT_CAP:-65536}

bench_init
bench_need ngircd ss
[ -x "$LOAD" ] || bench_die "no $LOAD (run make bench)"
work=$BENCH_TMP
chmod 755 "$work"
server_pid=
trap 'stop_server; bench_stop; rm -rf "$BENCH_TMP"' EXIT

# A free port on 127.0.0.1 for ngircd (one left in use would make it fail).
free_port() {
	local p
	for ((p = ${PORT:-16667}; p < ${PORT:-16667} + 100; p++)); do
		ss -Hltn "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
	done
	bench_die "no free port near ${PORT:-16667}"
}
PORT=$(free_port)

# The generator on CPU 0, the servers on CPU 1 (when there are two).
gen_on=() srv_on=() floor_on=() placement="unpinned (1 CPU)"
if [ "$(nproc)" -ge 2 ]; then
	gen_on=(taskset -c 0) srv_on=(taskset -c 1) floor_on=(-C 1)
	placement="generator on CPU 0, server on CPU 1"
fi

# The load generator holds CLIENTS sockets, each server as many again.
ulimit -n "$(ulimit -Hn)" 2>/dev/null

# The servers get 30 s to start: on a machine with a load of hundreds,
# ngircd once took more than 5.
# The socket in a directory of its own: a room's directory holds rooms only.
start_pmon() {
	rm -f "$work/room/sock"
	"${srv_on[@]}" "$PMON" chatd -S "$work/room/sock" --foreground \
		--no-flood-limit --out-cap "$OUT_CAP" </dev/null >"$work/chatd.log" 2>&1 3>&- &
	server_pid=$!
	for _ in $(seq 600); do [ -S "$work/room/sock" ] && return 0; sleep 0.05; done
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
	"${srv_on[@]}" ngircd -n -f "$work/ngircd.conf" </dev/null >"$work/ngircd.log" 2>&1 3>&- &
	server_pid=$!
	for _ in $(seq 600); do
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
	pmon) echo "unix:$work/room/sock" ;;
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


# load NAME ARGS...: one generator session against a fresh server (one
# line per burst size in peak mode).
load() {
	local name=$1 out
	shift
	start_of "$name"
	out=$("${gen_on[@]}" "$LOAD" "$(target_of "$name")" -c "$CLIENTS" \
		${server_pid:+-p "$server_pid"} \
		${floor_on[@]+"${floor_on[@]}"} "$@") || {
		stop_server
		echo "bench-chat: the load generator failed against $name" >&2
		return 1
	}
	stop_server
	echo "$out"
}

sum() { local t=0 v; for v; do t=$((t + v)); done; echo "$t"; }
# range V...: "min..max"
range() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.2f..%.2f", lo, hi}'; }
# range_m V...: "min..max" in millions
range_m() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.2fM..%.2fM", lo / 1e6, hi / 1e6}'; }

declare -A idle_rss peak_dps peak_dpc peak_dpc_range lost rate_p50 rate_p99 \
	rate_p99_range rate_max rate_cpu samples
servers="pmon floor ngircd"
stall=() stall_losses=() cuts=()
for rep in $(seq "$REPS"); do
	for name in $servers; do
		echo "# $name, round $rep of $REPS" >&2
		# Peak: the best burst size of this round, by deliveries per
		# CPU-second of the server (and, beside, by wall time).
		out=$(load "$name" -m peak -t "$PEAK_SECONDS" \
			-b "$(tr ' ' ',' <<<"$BURSTS")") || exit 1
		best_dpc=0 best_dps=0
		while read -r line; do
			echo "  peak: $line" >&2
			dps=$(field dps "$line")
			dpc=$(bench_div "$dps" "$(field server_cpu "$line")")
			[ "$(bench_ge "$dpc" "$best_dpc")" = 1 ] && best_dpc=$dpc
			[ "$(bench_ge "$dps" "$best_dps")" = 1 ] && best_dps=$dps
			samples[$name.lost]+=" $(field lost "$line")"
		done <<<"$out"
		samples[$name.dpc]+=" $best_dpc"
		samples[$name.dps]+=" $best_dps"
		line=$(load "$name" -m rate -r "$RATE" -t "$SECONDS_RUN") || exit 1
		echo "  rate: $line" >&2
		for k in idle_rss_kb p50_ms p99_ms max_ms server_cpu lost; do
			samples[$name.$k]+=" $(field "$k" "$line")"
		done
		[ "$name" = pmon ] || continue
		# One client that never reads, the same rate: the server queues
		# for it, cuts it off, and the others' p99 must hold.
		line=$(load pmon -m rate -r "$RATE" -t "$SECONDS_RUN" -k 1) || exit 1
		echo "  rate, 1 stalled reader: $line" >&2
		stall+=("$(field p99_ms "$line")")
		stall_losses+=("$(field lost "$line")")
		cuts+=("$(field cut "$line")")
	done
done
for name in $servers; do
	# shellcheck disable=SC2086
	{
		peak_dpc[$name]=$(bench_median ${samples[$name.dpc]})
		peak_dpc_range[$name]=$(range_m ${samples[$name.dpc]})
		peak_dps[$name]=$(bench_median ${samples[$name.dps]})
		rate_p50[$name]=$(bench_median ${samples[$name.p50_ms]})
		rate_p99[$name]=$(bench_median ${samples[$name.p99_ms]})
		rate_p99_range[$name]=$(range ${samples[$name.p99_ms]})
		rate_max[$name]=$(bench_median ${samples[$name.max_ms]})
		rate_cpu[$name]=$(bench_median ${samples[$name.server_cpu]})
		lost[$name]=$(sum ${samples[$name.lost]})
		[ "$name" != floor ] &&
			idle_rss[$name]=$(printf '%.0f' "$(bench_median ${samples[$name.idle_rss_kb]})")
	}
done
stall_p99=$(bench_median "${stall[@]}")
stall_lost=$(sum "${stall_losses[@]}")
stall_cut=$(sum "${cuts[@]}")

echo
echo "chat: $CLIENTS clients, $RATE msg/s for ${SECONDS_RUN}s, peak ${PEAK_SECONDS}s per burst size;" \
	"medians (min..max) of $REPS rounds, every server each round; $placement"
printf '%-7s %16s %17s %13s %8s %8s %15s %8s %6s %11s %6s\n' server \
	"peak deliv/CPU-s" "(min..max)" "peak deliv/s" "p50 ms" "p99 ms" \
	"(min..max)" "max ms" cpu "idle RSS kB" lost
for name in $servers; do
	printf '%-7s %16.0f %17s %13.0f %8.2f %8.2f %15s %8.2f %6.3f %11s %6s\n' \
		"$name" "${peak_dpc[$name]}" "(${peak_dpc_range[$name]})" \
		"${peak_dps[$name]}" "${rate_p50[$name]}" "${rate_p99[$name]}" \
		"(${rate_p99_range[$name]})" "${rate_max[$name]}" \
		"${rate_cpu[$name]}" "${idle_rss[$name]:--}" "${lost[$name]}"
done
printf 'pmon with 1 stalled reader: p99 %.2f ms (%s; without: %.2f ms), lost %s, cut off in %s of %s rounds\n' \
	"$stall_p99" "$(range "${stall[@]}")" "${rate_p99[pmon]}" "$stall_lost" "$stall_cut" "$REPS"

p99_ratio=$(bench_div "${rate_p99[pmon]}" "${rate_p99[floor]}")
bench_bar "p99 ${rate_p99[pmon]} ms at $RATE msg/s, ${p99_ratio}x the floor's ${rate_p99[floor]} ms (bar: < 2 ms, or <= 1.2x the floor's)" \
	"$(( $(bench_lt "${rate_p99[pmon]}" 2) || $(bench_le "$p99_ratio" 1.2) ))"
ratio=$(bench_div "${peak_dpc[pmon]}" "${peak_dpc[floor]}")
bench_bar "peak fan-out ${ratio}x the batching floor's per CPU-second ($(bench_div "${peak_dps[pmon]}" "${peak_dps[floor]}")x in wall time) (bar: >= 0.9x)" \
	"$(bench_ge "$ratio" 0.9)"
ratio=$(bench_div "${peak_dpc[pmon]}" "${peak_dpc[ngircd]}")
bench_bar "peak fan-out ${ratio}x ngircd's per CPU-second (bar: >= 2x)" "$(bench_ge "$ratio" 2)"
bench_bar "lost ${lost[pmon]}+$stall_lost messages (bar: 0)" \
	"$(( lost[pmon] + stall_lost == 0 ))"
bench_bar "idle RSS ${idle_rss[pmon]} kB vs ngircd ${idle_rss[ngircd]} kB (bar: below)" \
	"$(bench_lt "${idle_rss[pmon]}" "${idle_rss[ngircd]}")"
moved=$(awk -v a="$stall_p99" -v b="${rate_p99[pmon]}" 'BEGIN {d = (b > 0 ? a / b - 1 : 1); printf "%.0f", 100 * (d < 0 ? -d : d)}')
bench_bar "the stalled reader was cut off in $stall_cut of $REPS rounds (bar: all)" \
	"$(( stall_cut == REPS ))"
bench_bar "p99 with a stalled reader $stall_p99 ms vs ${rate_p99[pmon]} ms: moved ${moved}% (bar: < 10%)" \
	"$(bench_lt "$moved" 10)"
bench_finish
