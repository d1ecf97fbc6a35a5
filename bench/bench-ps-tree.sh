#!/usr/bin/env bash
# bench-ps-tree.sh - pmon tree and pmon ps against pstree -p, ps and the
# floors (build/bench/floor: every /proc/PID/stat, or stat and status,
# read once, nothing else), with BENCH_PROCS sleeping processes in a tree
# plus BENCH_ZOMBIES zombies.  pmon reads /proc here (--backend proc, as
# for any user without CAP_BPF); bench-bpf.sh measures the BPF backend.
#
# Every command runs BENCH_RUNS times in interleaved rounds after one
# warm-up round; each figure is the median CPU time (user + system of
# that process, from wait4) with its range, the wall time beside (shown,
# not judged: a reader with a thread per CPU would gain wall time on an
# idle second CPU and pay for it in CPU), its page faults and the load.
#
# The bars (issue 9): pmon tree <= 1.2x the stat floor's CPU; pmon ps
# (full STAT, with L: stat and status) >= 3x faster (CPU) than
# ps -e -o pid,ppid,user,stat,rss,etime,comm.  Kept from issue 2: pmon
# tree >= 4x faster than pstree -p; pmon's peak RSS < 16 MiB.
set -u
. "$(dirname "$0")/lib.sh"
bench_init
bench_need pstree ps

PS_COLS=pid,ppid,user,stat,rss,etime,comm
echo "== pmon tree and pmon ps, $BENCH_PROCS processes + $BENCH_ZOMBIES zombies =="
bench_spawn "$BENCH_PROCS" "$BENCH_ZOMBIES"
echo "  $(ls /proc | grep -c '^[0-9]') processes on the machine; load $(bench_load);" \
	"median of $BENCH_RUNS interleaved runs after one warm-up"

bench_time "floor (stat)" "$BUILD_DIR/bench/floor"
bench_time "pmon tree" "$PMON" --backend proc tree
bench_time "pstree -p" pstree -p
bench_time "floor (stat + status)" "$BUILD_DIR/bench/floor" stat status
bench_time "pmon ps" "$PMON" --backend proc ps
bench_time "ps -e -o $PS_COLS" ps -e -o "$PS_COLS"
bench_run_all
bench_row_header
for name in "${BENCH_NAMES[@]}"; do
	bench_row "$name"
done

# Peak RSS over every way pmon reads this table; JSON is the largest.
rss=0
for args in "tree" "tree -a" "tree --json" "ps" "ps -a" "ps --json"; do
	# shellcheck disable=SC2086
	bench_once "$PMON" --backend proc $args
	printf '  peak RSS  pmon %-12s %6d KiB\n' "$args" "$ONCE_RSS_KB"
	[ "$ONCE_RSS_KB" -gt "$rss" ] && rss=$ONCE_RSS_KB
done
bench_stop
echo "  load after: $(bench_load)"

cpu() { echo "${BENCH_CPU[$1]}"; }
bench_result "9: pmon tree CPU <= 1.2x the stat floor's" \
	"$(cpu "pmon tree")" "$(cpu "floor (stat)")" le 1.2
bench_result "9: ps -e -o $PS_COLS >= 3x pmon ps's CPU" \
	"$(cpu "ps -e -o $PS_COLS")" "$(cpu "pmon ps")" ge 3
bench_result "2: pstree -p >= 4x pmon tree's CPU" \
	"$(cpu "pstree -p")" "$(cpu "pmon tree")" ge 4
echo "  reported: pmon ps / floor (stat + status) = $(bench_div "$(cpu "pmon ps")" "$(cpu "floor (stat + status)")") x (CPU)"
bench_result "2: pmon peak RSS < 16 MiB (KiB)" "$rss" 16384 lt 1
bench_finish
