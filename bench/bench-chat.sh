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
. "$(dirname "$0")/lib.sh"

LOAD=$BUILD_DIR/bench/chat-load
CLIENTS=${CLIENTS:-1000}
RATE=${RATE:-200}
SECONDS_RUN=${BENCH_SECONDS:-5}
REPS=${REPS:-3}
BURSTS=${BURSTS:-32 64 128}

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

# The load generator holds CLIENTS sockets, each server as many again.
ulimit -n "$(ulimit -Hn)" 2>/dev/null

# The socket in a directory of its own: a room's directory holds rooms only.
start_pmon() {
	rm -f "$work/room/sock"
	"$PMON" chatd -S "$work/room/sock" --foreground --no-flood-limit \
		</dev/null >"$work/chatd.log" 2>&1 3>&- &
	server_pid=$!
	for _ in $(seq 100); do [ -S "$work/room/sock" ] && return 0; sleep 0.05; done
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

# best BURST_RESULTS...: the largest deliveries/s of one round.
best() { printf '%s\n' "$@" | sort -g | tail -1; }
sum() { local t=0 v; for v; do t=$((t + v)); done; echo "$t"; }

declare -A idle_rss peak_dps lost rate_p50 rate_p99 rate_max rate_cpu
for name in pmon ngircd floor; do
	echo "# $name" >&2
	# ngircd registers a client per turn of its main loop (about 80 ms
	# here), so 1,000 clients take over a minute to enter: one round.
	reps=$REPS
	[ "$name" = ngircd ] && reps=${NGIRCD_REPS:-1}
	bests=() losses=() p50=() p99=() max=() cpu=() idle=()
	for _ in $(seq "$reps"); do
		round=()
		for b in $BURSTS; do
			line=$(load "$name" -m peak -t "$SECONDS_RUN" -b "$b") || exit 1
			echo "  peak b=$b: $line" >&2
			round+=("$(field dps "$line")")
			losses+=("$(field lost "$line")")
		done
		bests+=("$(best "${round[@]}")")
	done
	for _ in $(seq "$reps"); do
		line=$(load "$name" -m rate -r "$RATE" -t "$SECONDS_RUN") || exit 1
		echo "  rate: $line" >&2
		idle+=("$(field idle_rss_kb "$line")")
		p50+=("$(field p50_ms "$line")")
		p99+=("$(field p99_ms "$line")")
		max+=("$(field max_ms "$line")")
		cpu+=("$(field server_cpu "$line")")
		losses+=("$(field lost "$line")")
	done
	peak_dps[$name]=$(bench_median "${bests[@]}")
	rate_p50[$name]=$(bench_median "${p50[@]}")
	rate_p99[$name]=$(bench_median "${p99[@]}")
	rate_max[$name]=$(bench_median "${max[@]}")
	rate_cpu[$name]=$(bench_median "${cpu[@]}")
	lost[$name]=$(sum "${losses[@]}")
	[ "$name" != floor ] && idle_rss[$name]=$(printf '%.0f' "$(bench_median "${idle[@]}")")
done

# One client that never reads, the same rate: the others' p99 must hold.
stall=() stall_losses=()
for _ in $(seq "$REPS"); do
	line=$(load pmon -m rate -r "$RATE" -t "$SECONDS_RUN" -k 1) || exit 1
	echo "  rate, 1 stalled reader: $line" >&2
	stall+=("$(field p99_ms "$line")")
	stall_losses+=("$(field lost "$line")")
done
stall_p99=$(bench_median "${stall[@]}")
stall_lost=$(sum "${stall_losses[@]}")

echo
echo "chat: $CLIENTS clients, $RATE msg/s for ${SECONDS_RUN}s, medians of $REPS runs (ngircd: ${NGIRCD_REPS:-1})"
printf '%-8s %14s %10s %9s %9s %9s %9s %12s\n' server "peak deliv/s" lost \
	"p50 ms" "p99 ms" "max ms" "cpu" "idle RSS kB"
for name in pmon ngircd floor; do
	printf '%-8s %14.0f %10s %9.2f %9.2f %9.2f %9.2f %12s\n' "$name" \
		"${peak_dps[$name]}" "${lost[$name]}" \
		"${rate_p50[$name]}" "${rate_p99[$name]}" "${rate_max[$name]}" \
		"${rate_cpu[$name]}" "${idle_rss[$name]:--}"
done
printf 'pmon with 1 stalled reader: p99 %.2f ms (without: %.2f ms), lost %s\n' \
	"$stall_p99" "${rate_p99[pmon]}" "$stall_lost"

ratio=$(bench_div "${peak_dps[pmon]}" "${peak_dps[ngircd]}")
bench_bar "peak fan-out ${ratio}x ngircd's (bar: >= 2x)" "$(bench_ge "$ratio" 2)"
bench_bar "p99 ${rate_p99[pmon]} ms at $RATE msg/s (bar: < 10 ms)" \
	"$(bench_lt "${rate_p99[pmon]}" 10)"
bench_bar "lost ${lost[pmon]}+$stall_lost messages (bar: 0)" \
	"$(( lost[pmon] + stall_lost == 0 ))"
bench_bar "idle RSS ${idle_rss[pmon]} kB vs ngircd ${idle_rss[ngircd]} kB (bar: below)" \
	"$(bench_lt "${idle_rss[pmon]}" "${idle_rss[ngircd]}")"
bench_bar "p99 with a stalled reader $stall_p99 ms vs ${rate_p99[pmon]} ms (bar: unmoved, < 10 ms)" \
	"$(bench_lt "$stall_p99" 10)"
bench_finish
