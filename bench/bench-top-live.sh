#!/usr/bin/env bash
# bench-top-live.sh - interactive pmon top against what users really run:
# interactive procps top and htop, all three on real terminals (tmux
# panes 200x50) at the same time, for the same period, with BENCH_PROCS
# sleeping processes plus BENCH_ZOMBIES zombies; and the pread floor
# (bench/top-floor: every /proc/PID/stat kept open and pread once per
# refresh, nothing else) over the same period.
#
#   pmon top -d D       top -d D       htop -d D*10 (tenths)      floor
#
# Each runs BENCH_LIVE_SECONDS (default 60) after a 3 s start, in
# BENCH_LIVE_RUNS rounds (default 3); the CPU each used (utime + stime of
# its own process, from /proc/PID/stat) divided by the refreshes it made
# in that time (seconds / D), median of the rounds.  Running them at once
# gives them the same machine, busy or not; the CPU they cost is what is
# compared, never the wall time.
#
# The bars: pmon top at most 0.3x procps top's CPU per refresh (issue 9);
# less CPU than htop over the same period (issue 10); at most 0.5x the
# pread floor (issue 14, reported: the floor of an unprivileged reader is
# schedstat's pread, whose cost against stat's depends on the machine).
set -u
. "$(dirname "$0")/lib.sh"
bench_init
bench_need tmux top htop
[ -x "$BUILD_DIR/bench/top-floor" ] || bench_die "no $BUILD_DIR/bench/top-floor (run make bench)"
D=${BENCH_LIVE_DELAY:-1} SECS=${BENCH_LIVE_SECONDS:-60} RUNS=${BENCH_LIVE_RUNS:-3}
SOCK=pmon-bench-live-$$
REFRESHES=$(awk -v s="$SECS" -v d="$D" 'BEGIN {printf "%d", s / d}')

echo "== interactive pmon top, top and htop at once, $BENCH_PROCS processes + $BENCH_ZOMBIES zombies =="
bench_spawn "$BENCH_PROCS" "$BENCH_ZOMBIES"
echo "  $(ls /proc | grep -c '^[0-9]') processes on the machine; ${SECS} s each round," \
	"refreshes ${D} s apart, $RUNS rounds; load $(cut -d' ' -f1-3 /proc/loadavg)"

tmx() { tmux -L "$SOCK" -f /dev/null "$@"; }
cpu_ticks_of() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; }

# Neither pmon's nor htop's settings of the user running this count.
export XDG_CONFIG_HOME=$BENCH_TMP/config HTOPRC=$BENCH_TMP/htoprc
declare -A cpu=() session=([pmon top]=pmon [top]=top [htop]=htop)
names=("pmon top" "top" "htop" "floor")
for ((round = 1; round <= RUNS; round++)); do
	declare -A pid=() t0=()
	tmx new-session -d -s pmon -x 200 -y 50 \
		"exec env TERM=xterm-256color LC_ALL=C.UTF-8 XDG_CONFIG_HOME=$(printf %q "$XDG_CONFIG_HOME") $(printf %q "$PMON") top -d $D"
	tmx new-session -d -s top -x 200 -y 50 "exec env TERM=xterm-256color top -d $D"
	tmx new-session -d -s htop -x 200 -y 50 \
		"exec env TERM=xterm-256color HTOPRC=$(printf %q "$HTOPRC") htop -d $(awk -v d="$D" 'BEGIN {printf "%d", d * 10}')"
	"$BUILD_DIR/bench/top-floor" $((REFRESHES + 10)) "$D" 2>/dev/null &
	pid[floor]=$!
	for name in "pmon top" top htop; do
		pid[$name]=$(tmx list-panes -t "${session[$name]}" -F '#{pane_pid}')
	done
	sleep 3 # started, first samples taken
	for name in "${names[@]}"; do t0[$name]=$(cpu_ticks_of "${pid[$name]}"); done
	sleep "$SECS"
	for name in "${names[@]}"; do
		t1=$(cpu_ticks_of "${pid[$name]}")
		[ -n "$t1" ] && [ -n "${t0[$name]}" ] || bench_die "$name ended early"
		cpu[$name]+="$(awk -v a="${t0[$name]}" -v b="$t1" -v n="$REFRESHES" \
			-v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.5f", (b - a) / hz / n}') "
	done
	tmx kill-server
	kill "${pid[floor]}" 2>/dev/null
	wait "${pid[floor]}" 2>/dev/null
	unset pid t0
done
bench_stop

declare -A med=()
for name in "${names[@]}"; do
	# shellcheck disable=SC2086
	med[$name]=$(bench_median ${cpu[$name]})
	printf '  %-10s %8.4f CPU-s per refresh  (rounds: %s)\n' "$name" "${med[$name]}" "${cpu[$name]% }"
done
r_top=$(bench_div "${med[pmon top]}" "${med[top]}")
r_htop=$(bench_div "${med[pmon top]}" "${med[htop]}")
r_floor=$(bench_div "${med[pmon top]}" "${med[floor]}")
echo "  ratios:  pmon / top = $r_top;  pmon / htop = $r_htop;  pmon / floor = $r_floor"
bench_bar "interactive pmon top <= 0.3x interactive top's CPU per refresh ($r_top x)" "$(bench_le "$r_top" 0.3)"
bench_bar "interactive pmon top uses less CPU than htop over the same time ($r_htop x)" "$(bench_lt "$r_htop" 1)"
printf '  %s  interactive pmon top <= 0.5x the pread floor (%s x; reported, see the header)\n' \
	"$( [ "$(bench_le "$r_floor" 0.5)" = 1 ] && echo PASS || echo INFO)" "$r_floor"
bench_finish
