#!/usr/bin/env bash
# bench-top-room.sh - interactive pmon top with the room's pane open
# against the same top without it, both on real terminals (tmux panes
# 200x50) at the same time, for the same period, with BENCH_PROCS
# sleeping processes plus BENCH_ZOMBIES zombies, and a room (pmon chatd
# on a socket in the temporary directory) where a member says a line
# every BENCH_ROOM_EVERY seconds (default 0.5), so that the pane has
# something to show between refreshes.
#
#   pmon top -d D --room -S SOCK        pmon top -d D
#
# Each runs BENCH_LIVE_SECONDS (default 60) after a 3 s start, in
# BENCH_LIVE_RUNS rounds (default 3); the CPU each used (utime + stime,
# from /proc/PID/stat) divided by the refreshes in that time (seconds /
# D), median of the rounds.  The CPU is compared, never the wall time.
#
# The bar (issue 11): top with the room pane open costs no more CPU per
# refresh than without it, within noise: at most 1.15x.
set -u
. "$(dirname "$0")/lib.sh"
bench_init
bench_need tmux
D=${BENCH_LIVE_DELAY:-1} SECS=${BENCH_LIVE_SECONDS:-60} RUNS=${BENCH_LIVE_RUNS:-3}
EVERY=${BENCH_ROOM_EVERY:-0.5}
TSOCK=pmon-bench-room-$$
REFRESHES=$(awk -v s="$SECS" -v d="$D" 'BEGIN {printf "%d", s / d}')
ROOM=$BENCH_TMP/room/chat.sock

echo "== interactive pmon top with and without the room's pane, $BENCH_PROCS processes + $BENCH_ZOMBIES zombies =="
bench_spawn "$BENCH_PROCS" "$BENCH_ZOMBIES"
mkdir -m 0700 "$BENCH_TMP/room"
"$PMON" chatd --foreground -S "$ROOM" >"$BENCH_TMP/chatd.out" 2>&1 &
CHATD=$!
for ((i = 0; i < 100; i++)); do
	grep -q 'the room is open' "$BENCH_TMP/chatd.out" && break
	sleep 0.05
done
# A member who talks: a line every EVERY seconds, for as long as we run.
while sleep "$EVERY"; do echo "a line for the pane at $(date +%s.%N)"; done |
	"$PMON" chat -S "$ROOM" -n talker >/dev/null 2>&1 &
TALKER=$!
echo "  $(ls /proc | grep -c '^[0-9]') processes on the machine; ${SECS} s each round," \
	"refreshes ${D} s apart, a room line every ${EVERY} s, $RUNS rounds;" \
	"load $(cut -d' ' -f1-3 /proc/loadavg)"

tmx() { tmux -L "$TSOCK" -f /dev/null "$@"; }

export XDG_CONFIG_HOME=$BENCH_TMP/config
declare -A cpu=() session=([pane]=pane [no pane]=plain)
declare -A args=([pane]="--room -S $(printf %q "$ROOM")" [no pane]="")
names=("no pane" "pane")
for ((round = 1; round <= RUNS; round++)); do
	declare -A pid=() t0=()
	for name in "${names[@]}"; do
		tmx new-session -d -s "${session[$name]}" -x 200 -y 50 \
			"exec env TERM=xterm-256color LC_ALL=C.UTF-8 XDG_CONFIG_HOME=$(printf %q "$XDG_CONFIG_HOME") $(printf %q "$PMON") top -d $D ${args[$name]}"
		pid[$name]=$(tmx list-panes -t "${session[$name]}" -F '#{pane_pid}')
	done
	sleep 3 # started, first samples taken, the pane in the room
	tmx capture-pane -p -t pane | grep -q 'Room: in the room' ||
		bench_die "the pane is not in the room: $(tmx capture-pane -p -t pane | grep Room:)"
	for name in "${names[@]}"; do t0[$name]=$(bench_ticks "${pid[$name]}"); done
	sleep "$SECS"
	for name in "${names[@]}"; do
		tmx has-session -t "${session[$name]}" 2>/dev/null ||
			bench_die "the tmux session of $name ended during round $round"
		t1=$(bench_ticks "${pid[$name]}")
		bench_round_ok "$name" "${pid[$name]}" "${t0[$name]}" "$t1"
		cpu[$name]+="$(awk -v a="${t0[$name]}" -v b="$t1" -v n="$REFRESHES" \
			-v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.5f", (b - a) / hz / n}') "
	done
	bench_tmux_end "$TSOCK"
	unset pid t0
done
kill "$TALKER" "$CHATD" 2>/dev/null
wait "$TALKER" "$CHATD" 2>/dev/null
bench_stop

declare -A med=()
for name in "${names[@]}"; do
	# shellcheck disable=SC2086
	med[$name]=$(bench_median ${cpu[$name]})
	printf '  %-8s %8.4f CPU-s per refresh  (rounds: %s)\n' "$name" "${med[$name]}" "${cpu[$name]% }"
done
ratio=$(bench_div "${med[pane]}" "${med[no pane]}")
echo "  ratio: pane / no pane = $ratio;  load $(cut -d' ' -f1-3 /proc/loadavg)"
bench_bar "pmon top with the room's pane costs no more CPU per refresh than without it, within noise (<= 1.15x: $ratio x)" \
	"$(bench_le "$ratio" 1.15)"
bench_finish
