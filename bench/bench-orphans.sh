#!/usr/bin/env bash
# bench-orphans.sh - what pmon orphans (and ps/tree --orphans) cost next
# to pmon ps, with BENCH_PROCS sleeping processes in a tree plus
# BENCH_ZOMBIES zombies; and what one pmon inspect costs, on a leaf of
# that tree and on the parent of the zombies.
#
# pmon orphans reads every /proc/PID/stat (the sessions, groups and
# parents its classes come from) and then only the orphans in full; pmon
# ps reads stat and status of every process.  A run of pmon costs a fixed
# start (dynamic linking, the locale) on top of its work, so inspect is
# timed 100 times in a row against 100 runs of `pmon --version`, and the
# difference is inspect's own work.  The 100 runs are made by
# `bench/cputime -n`, not a shell loop, which would bill each run with
# bash's fork (about 1 ms here); /bin/true run the same way is printed
# beside, as what any program costs to start on this machine.
#
# The bar (issue 15): pmon orphans costs no more CPU than pmon ps; one
# pmon inspect costs under 5 ms of CPU, judged both in all (what an
# operator pays) and beyond pmon's start (inspect's own work).
set -u
. "$(dirname "$0")/lib.sh"
bench_init

echo "== pmon orphans and inspect, $BENCH_PROCS processes + $BENCH_ZOMBIES zombies =="
bench_spawn "$BENCH_PROCS" "$BENCH_ZOMBIES"
# An orphan of the benchmark's own, a daemon adopted by bench/run's
# subreaper: on a machine that holds none, `ps --orphans` selects
# nothing, which is exit 1, and the orphans' full reads go unmeasured.
# Without the spawner's stdin (SPAWN_FD): held by the orphan, it would
# keep the spawner and its tree alive for the hour if this shell died.
setsid -w sh -c 'sleep 3600 & echo $! >"$1"' sh "$BENCH_TMP/orphan.pid" \
	</dev/null >/dev/null 2>&1 {SPAWN_FD}>&-
orphan=$(cat "$BENCH_TMP/orphan.pid")
trap 'kill "$orphan" 2>/dev/null; bench_stop; rm -rf "$BENCH_TMP"' EXIT
group=$(awk '$1 == "ready" {print $4}' "$BENCH_TMP/spawn.out")
plain() { [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -gt 1 ]; }
plain "$group" || bench_die "the spawner did not name its tree"
# A leaf of the tree: the first child, down to a process with none.
leaf=$group
while c=$(cat /proc/"$leaf"/task/*/children 2>/dev/null | awk '{print $1}') && [ -n "$c" ]; do
	leaf=$c
done
# The parent of the zombies: the spawner's other child.
zparent=$(cat /proc/"$SPAWN_PID"/task/*/children | tr ' ' '\n' | grep -vx "$group" | grep -m 1 .)
plain "$leaf" && plain "$zparent" || bench_die "cannot find a leaf and the zombies' parent"
echo "  $(ls /proc | grep -c '^[0-9]') processes on the machine, load $(cut -d' ' -f1-3 /proc/loadavg);" \
	"median of $BENCH_RUNS interleaved runs after one warm-up"

N=100
# times_n CMD...: CMD run N times in a row (the figures are the sums).
times_n() { "$BUILD_DIR/bench/cputime" -n "$N" -o /dev/null "$@"; }

bench_time "pmon ps" "$PMON" ps
bench_time "pmon orphans" "$PMON" orphans
bench_time "pmon ps --orphans" "$PMON" ps --orphans
bench_time "pmon tree" "$PMON" tree
bench_time "pmon tree --orphans" "$PMON" tree --orphans
bench_time "/bin/true x$N" times_n /bin/true
bench_time "pmon --version x$N" times_n "$PMON" --version
bench_time "pmon inspect --no-sample LEAF x$N" times_n "$PMON" inspect --no-sample "$leaf"
bench_time "pmon inspect --no-sample ZPARENT x$N" times_n "$PMON" inspect --no-sample "$zparent"
bench_run_all
bench_row_header
for name in "${BENCH_NAMES[@]}"; do
	bench_row "$name"
done
bench_stop

cpu() { echo "${BENCH_CPU[$1]}"; }
orph_ps=$(bench_div "$(cpu "pmon orphans")" "$(cpu "pmon ps")")
psorph_ps=$(bench_div "$(cpu "pmon ps --orphans")" "$(cpu "pmon ps")")
treeorph_tree=$(bench_div "$(cpu "pmon tree --orphans")" "$(cpu "pmon tree")")
per_run() { awk -v a="$1" -v b="$2" -v n="$N" 'BEGIN {printf "%.2f", (a - b) * 1000 / n}'; }
start_ms=$(per_run "$(cpu "pmon --version x$N")" 0)
true_ms=$(per_run "$(cpu "/bin/true x$N")" 0)
leaf_ms=$(per_run "$(cpu "pmon inspect --no-sample LEAF x$N")" "$(cpu "pmon --version x$N")")
zp_ms=$(per_run "$(cpu "pmon inspect --no-sample ZPARENT x$N")" "$(cpu "pmon --version x$N")")
leaf_all=$(per_run "$(cpu "pmon inspect --no-sample LEAF x$N")" 0)
echo "  ratios (CPU): pmon orphans / pmon ps = $orph_ps;  ps --orphans / ps = $psorph_ps;" \
	"tree --orphans / tree = $treeorph_tree"
echo "  pmon inspect, CPU per run: $leaf_all ms in all, of which $start_ms ms is pmon's start" \
	"(pmon --version; /bin/true: $true_ms ms); inspect's own work: leaf $leaf_ms ms," \
	"parent of $BENCH_ZOMBIES zombies $zp_ms ms"
bench_bar "pmon orphans costs no more CPU than pmon ps ($orph_ps x)" "$(bench_le "$orph_ps" 1)"
bench_bar "pmon inspect of a leaf under 5 ms of CPU in all, pmon's start included ($leaf_all ms)" \
	"$(bench_lt "$leaf_all" 5)"
bench_bar "pmon inspect of a leaf under 5 ms of CPU beyond pmon's start ($leaf_ms ms)" "$(bench_lt "$leaf_ms" 5)"
bench_bar "pmon inspect of a parent of zombies under 5 ms of CPU beyond pmon's start ($zp_ms ms)" \
	"$(bench_lt "$zp_ms" 5)"
bench_finish
