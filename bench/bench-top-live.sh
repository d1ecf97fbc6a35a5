#!/usr/bin/env bash
# bench-top-live.sh - interactive pmon top against what users really run:
# interactive procps top and htop, all three on real terminals (tmux
# panes 200x50) at the same time, for the same period, with BENCH_PROCS
# sleeping processes plus BENCH_ZOMBIES zombies; and the pread floor
# (bench/top-floor: every /proc/PID/stat kept open and pread once per
# refresh, nothing else) over the same period.
#
#   pmon top -d D         as root, reading /proc (--backend proc)
#   pmon top -d D         as nobody (uid 65534): unprivileged (14.1)
#   pmon top -d D --full-every 1   as nobody, every process read in full
#                         every refresh: what reading only what changed
#                         saves (the control of the 14.1 bar)
#   top -d D    htop -d D*10 (tenths)    floor
#   floor (schedstat)     bench/top-floor reading schedstat instead of
#                         stat: the least one pread per process to learn
#                         whether it ran can cost, and so the floor of
#                         14.1's way (reported beside its bar)
#
# The frames of the unprivileged pmon equal a full read's: that is what
# tests/unit/proc/test_watch.c (test_idle_processes_are_skipped_but_shown
# _rows_are_exact: a skipping watch against a full one on the same
# sleeping children) and tests/unit/proc/test_differential.c (the watch
# against libproc2 on every process) show; this benchmark runs
# test_differential once more here, at BENCH_PROCS processes.
#
# Each runs BENCH_LIVE_SECONDS (default 60) after a 3 s start, in
# BENCH_LIVE_RUNS rounds (default 3); the CPU each used (utime + stime of
# its own process, from /proc/PID/stat) divided by the refreshes it made
# in that time (seconds / D), median of the rounds.  Running them at once
# gives them the same machine, busy or not; the CPU they cost is what is
# compared, never the wall time.
#
# Refreshes are counted as SECONDS / D for every program (none of them
# needs near a second per refresh here).
#
# The bars: pmon top at most 0.3x procps top's CPU per refresh (issue 9);
# less CPU than htop over the same period (issue 10); unprivileged, at
# most 0.5x the pread floor (issue 14.1).
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
# tmx_start NAME CMD: a session running CMD, there before the next one is
# asked for (a second client while the server is still starting, as
# under a load of hundreds, finds "server exited unexpectedly").
# The command's standard error goes to a file, shown when the session did
# not start: twice a recorded run died here with only tmux's "server
# exited unexpectedly", which is also what a command that ends at once
# gives (its pane, the only one, closes and the server with it).
tmx_start() {
	local i
	tmx new-session -d -s "$1" -x 200 -y 50 "$2 2>$(printf %q "$BENCH_TMP/$1.err")"
	for ((i = 0; i < 600; i++)); do
		tmx has-session -t "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	[ -s "$BENCH_TMP/$1.err" ] && sed "s/^/  $1: /" "$BENCH_TMP/$1.err" >&2
	bench_die "tmux session $1 did not start"
}

# Neither pmon's nor htop's settings of the user running this count.
export XDG_CONFIG_HOME=$BENCH_TMP/config HTOPRC=$BENCH_TMP/htoprc
# A copy of pmon that uid 65534 can run, wherever the checkout lives.
mkdir -p "$BENCH_TMP/nobody" && cp "$PMON" "$BENCH_TMP/nobody/pmon" &&
	chmod 755 "$BENCH_TMP/nobody/pmon" && chmod 711 "$BENCH_TMP" "$BENCH_TMP/nobody" ||
	bench_die "cannot copy pmon for uid 65534"
as_nobody() { printf 'setpriv --reuid=65534 --regid=65534 --clear-groups %q' "$BENCH_TMP/nobody/pmon"; }
[ "$(id -u)" -eq 0 ] || as_nobody() { printf %q "$PMON"; }
declare -A cpu=() load=() session=([pmon top]=pmon [pmon unpriv]=unpriv
	[pmon unpriv full]=unprivfull [top]=top [htop]=htop)
names=("pmon top" "pmon unpriv" "pmon unpriv full" "top" "htop" "floor" "floor (schedstat)")
for ((round = 1; round <= RUNS; round++)); do
	declare -A pid=() t0=()
	tmx_start pmon \
		"exec env TERM=xterm-256color LC_ALL=C.UTF-8 XDG_CONFIG_HOME=$(printf %q "$XDG_CONFIG_HOME") $(printf %q "$PMON") --backend proc top -d $D"
	tmx_start unpriv \
		"exec env TERM=xterm-256color LC_ALL=C.UTF-8 XDG_CONFIG_HOME=/nonexistent $(as_nobody) --backend proc top -d $D"
	tmx_start unprivfull \
		"exec env TERM=xterm-256color LC_ALL=C.UTF-8 XDG_CONFIG_HOME=/nonexistent $(as_nobody) --backend proc top -d $D --full-every 1"
	tmx_start top "exec env TERM=xterm-256color top -d $D"
	tmx_start htop \
		"exec env TERM=xterm-256color HTOPRC=$(printf %q "$HTOPRC") htop -d $(awk -v d="$D" 'BEGIN {printf "%d", d * 10}')"
	# The floors refresh until killed (the others do too).
	"$BUILD_DIR/bench/top-floor" 1000000 "$D" 2>"$BENCH_TMP/floor.err" &
	pid[floor]=$!
	"$BUILD_DIR/bench/top-floor" 1000000 "$D" schedstat 2>"$BENCH_TMP/floor.err" &
	pid[floor (schedstat)]=$!
	for name in "pmon top" "pmon unpriv" "pmon unpriv full" top htop; do
		pid[$name]=$(tmx list-panes -t "${session[$name]}" -F '#{pane_pid}')
	done
	sleep 3 # started, first samples taken
	for name in "${names[@]}"; do t0[$name]=$(bench_ticks "${pid[$name]}"); done
	sleep "$SECS"
	for name in "${names[@]}"; do
		[ -z "${session[$name]:-}" ] || tmx has-session -t "${session[$name]}" 2>/dev/null ||
			bench_die "the tmux session of $name ended during round $round"
		t1=$(bench_ticks "${pid[$name]}")
		[ -n "$t1" ] || cat "$BENCH_TMP/floor.err" >&2
		bench_round_ok "$name" "${pid[$name]}" "${t0[$name]}" "$t1"
		cpu[$name]+="$(awk -v a="${t0[$name]}" -v b="$t1" -v n="$REFRESHES" \
			-v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.5f", (b - a) / hz / n}') "
		load[$name]+="$(bench_load1) "
	done
	[ "$(stat -c %u "/proc/${pid[pmon unpriv]}")" = "$(id -u nobody 2>/dev/null || echo 65534)" ] ||
		[ "$(id -u)" -ne 0 ] || bench_die "the unprivileged pmon does not run as uid 65534"
	bench_tmux_end "$SOCK"
	kill "${pid[floor]}" "${pid[floor (schedstat)]}" 2>/dev/null
	wait "${pid[floor]}" "${pid[floor (schedstat)]}" 2>/dev/null
	unset pid t0
done
# The differential test, at this many processes, reading /proc.
diff_ok=
if [ -x "$BUILD_DIR/tests/proc/test_differential" ]; then
	if PMON_BACKEND=proc "$BUILD_DIR/tests/proc/test_differential" >"$BENCH_TMP/diff.out" 2>&1; then ok=1; else ok=0; fi
	grep -E 'differs|FAILED' "$BENCH_TMP/diff.out" | sed 's/^/    /'
	diff_ok=$ok
else
	echo "  (no $BUILD_DIR/tests/proc/test_differential: make tests builds it)"
fi
bench_stop

declare -A med=()
for name in "${names[@]}"; do
	# shellcheck disable=SC2086
	med[$name]=$(bench_median ${cpu[$name]})
	# shellcheck disable=SC2086
	printf '  %-18s %8.4f CPU-s per refresh (%s)  load %s\n' "$name" "${med[$name]}" \
		"$(BENCH_RANGE_FMT=%.4f bench_range ${cpu[$name]})" \
		"$(BENCH_RANGE_FMT=%.0f bench_range ${load[$name]})"
done
echo "  control: pmon reading every process in full each refresh costs" \
	"$(bench_div "${med[pmon unpriv full]}" "${med[pmon unpriv]}") x the one that reads only what changed"
bench_result "9: interactive pmon top CPU/refresh <= 0.3x top's" "${med[pmon top]}" "${med[top]}" le 0.3
bench_result "10: interactive pmon top -d 1 CPU < htop -d 10's (60 s)" "${med[pmon top]}" "${med[htop]}" lt 1
bench_result "14.1: unprivileged pmon top CPU/refresh <= 0.5x pread floor" \
	"${med[pmon unpriv]}" "${med[floor]}" le 0.5
echo "  reported: the schedstat pread floor / the stat pread floor =" \
	"$(bench_div "${med[floor (schedstat)]}" "${med[floor]}") x; unprivileged pmon / the schedstat floor =" \
	"$(bench_div "${med[pmon unpriv]}" "${med[floor (schedstat)]}") x"
[ -z "$diff_ok" ] ||
	bench_bar "14.1: watch and snapshot agree with libproc2 on every process (test_differential)" "$diff_ok"
bench_finish
