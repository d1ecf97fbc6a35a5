#!/usr/bin/env bash
# bench-ps-tree.sh - pmon tree and pmon ps against pstree -p, ps and the
# floor (build/bench/floor: every /proc/PID/stat read once, nothing else),
# with BENCH_PROCS sleeping processes in a tree plus BENCH_ZOMBIES zombies.
#
# The bar (issue 2): pmon tree <= 1.6x the floor and >= 4x faster than
# pstree -p; pmon ps (full STAT, with L) >= 2x faster than
# ps -e -o pid,ppid,user,stat,rss,etime,comm; pmon's peak RSS < 16 MiB.
set -u
. "$(dirname "$0")/lib.sh"
bench_init
bench_need pstree ps

PS_COLS=pid,ppid,user,stat,rss,etime,comm
echo "== pmon tree and pmon ps, $BENCH_PROCS processes + $BENCH_ZOMBIES zombies =="
bench_spawn "$BENCH_PROCS" "$BENCH_ZOMBIES"
echo "  $(ls /proc | grep -c '^[0-9]') processes on the machine;" \
	"median of $BENCH_RUNS interleaved runs after one warm-up"

bench_time "floor (stat)" "$BUILD_DIR/bench/floor"
bench_time "pmon tree" "$PMON" tree
bench_time "pstree -p" pstree -p
bench_time "floor (stat + status)" "$BUILD_DIR/bench/floor" stat status
bench_time "pmon ps" "$PMON" ps
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
	kb=$(bench_peak_rss_kb "$PMON" $args)
	printf '  peak RSS  pmon %-12s %6d KiB\n' "$args" "$kb"
	[ "$kb" -gt "$rss" ] && rss=$kb
done
bench_stop

floor=${BENCH_MEDIAN[floor (stat)]}
floor2=${BENCH_MEDIAN[floor (stat + status)]}
tree=${BENCH_MEDIAN[pmon tree]}
pstree=${BENCH_MEDIAN[pstree -p]}
ps_pmon=${BENCH_MEDIAN[pmon ps]}
ps_cmd=${BENCH_MEDIAN[ps -e -o $PS_COLS]}
tree_floor=$(bench_div "$tree" "$floor")
pstree_tree=$(bench_div "$pstree" "$tree")
ps_ps=$(bench_div "$ps_cmd" "$ps_pmon")
ps_floor=$(bench_div "$ps_pmon" "$floor2")
ps_ps_cpu=$(bench_div "${BENCH_CPU[ps -e -o $PS_COLS]}" "${BENCH_CPU[pmon ps]}")
tree_floor_cpu=$(bench_div "${BENCH_CPU[pmon tree]}" "${BENCH_CPU[floor (stat)]}")
echo "  ratios (wall): pmon tree / floor (stat) = $tree_floor;  pstree -p / pmon tree = $pstree_tree"
echo "                ps / pmon ps = $ps_ps;  pmon ps / floor (stat + status) = $ps_floor"
echo "  ratios (CPU):  pmon tree / floor (stat) = $tree_floor_cpu;  ps / pmon ps = $ps_ps_cpu"
bench_bar "pmon tree <= 1.6x floor ($tree_floor x)" "$(bench_le "$tree_floor" 1.6)"
bench_bar "pmon tree >= 4x faster than pstree -p ($pstree_tree x)" "$(bench_ge "$pstree_tree" 4)"
bench_bar "pmon ps >= 2x faster than ps -e -o $PS_COLS ($ps_ps x)" "$(bench_ge "$ps_ps" 2)"
bench_bar "pmon peak RSS < 16 MiB ($rss KiB)" "$(bench_lt "$rss" 16384)"
bench_finish
