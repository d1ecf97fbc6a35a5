#!/usr/bin/env bash
# bench-top.sh - pmon top against top(1) and the pread floor, with
# BENCH_PROCS sleeping processes plus BENCH_ZOMBIES zombies (issue 4).
#
# Each of these runs N refreshes D seconds apart (BENCH_TOP_N, default
# 10; BENCH_TOP_DELAY, default 0.5), BENCH_TOP_RUNS times (default 5)
# in interleaved rounds after one warm-up round:
#   pmon top -b -n N -d D      (output to /dev/null)
#   top -b -n N -d D -w 512    (output to /dev/null)
#   build/bench/top-floor N D  (every /proc/PID/stat kept open, one
#                               pread of each per refresh, nothing else)
# Measured: CPU seconds (user + system, GNU time) divided by N, start-up
# included, and the peak RSS; medians.  Wall time says nothing here: the
# runs sleep between refreshes, and a monitor's cost is the CPU it takes
# from the machine it watches.
#
#   pmon top -b -o DEFAULT,io_read_rate,io_write_rate,container,gpu_pct
#                              (the columns that read a file more per
#                              process shown: io, cgroup, fdinfo)
# pmon runs with its default meters (bars: in batch, the per-CPU,
# pressure and I/O lines), so their cost is in its figure.
#
# The bar (issue 10): pmon <= 0.3x top's CPU per refresh and <= 1.5x the
# floor's; with the extra columns, the extra cost reported separately and
# the whole still below top's; pmon's peak RSS < 24 MiB.
set -u
. "$(dirname "$0")/lib.sh"
bench_init
bench_need top
[ -x /usr/bin/time ] || bench_die "needs GNU time (/usr/bin/time: package time)"
[ -x "$BUILD_DIR/bench/top-floor" ] || bench_die "no $BUILD_DIR/bench/top-floor (run make bench)"
N=${BENCH_TOP_N:-10} D=${BENCH_TOP_DELAY:-0.5} RUNS=${BENCH_TOP_RUNS:-5}

echo "== pmon top, $BENCH_PROCS processes + $BENCH_ZOMBIES zombies =="
bench_spawn "$BENCH_PROCS" "$BENCH_ZOMBIES"
echo "  $(ls /proc | grep -c '^[0-9]') processes on the machine; $N refreshes" \
	"$D s apart; median of $RUNS interleaved runs after one warm-up"

declare -A cpu=() rss=()
# measure NAME CMD...: one run; appends its CPU-s per refresh and peak RSS.
measure() {
	local name=$1 u s m
	shift
	/usr/bin/time -f '%U %S %M' -o "$BENCH_TMP/time" "$@" >/dev/null 2>"$BENCH_TMP/err" || {
		cat "$BENCH_TMP/err" >&2
		bench_die "'$*' failed"
	}
	read -r u s m <"$BENCH_TMP/time"
	cpu[$name]+="$(awk -v u="$u" -v s="$s" -v n="$N" 'BEGIN {printf "%.5f", (u + s) / n}') "
	rss[$name]+="$m "
}

EXTRA_COLS=pid,user,stat,cpu_pct,mem_pct,rss_kb,cpu_time_s,io_read_rate,io_write_rate,container,gpu_pct,comm
# Settings of the user running the benchmark must not change what runs.
export XDG_CONFIG_HOME=$BENCH_TMP/config
names=("pmon top -b" "pmon +io,ctr,gpu" "top -b" "floor")
for ((round = 0; round <= RUNS; round++)); do
	measure "pmon top -b" "$PMON" top -b -n "$N" -d "$D"
	measure "pmon +io,ctr,gpu" "$PMON" top -b -n "$N" -d "$D" -o "$EXTRA_COLS"
	measure "top -b" top -b -n "$N" -d "$D" -w 512
	measure floor "$BUILD_DIR/bench/top-floor" "$N" "$D"
	if ((round == 0)); then # the warm-up round does not count
		cpu=() rss=()
	fi
done
bench_stop

declare -A med_cpu=() med_rss=()
for name in "${names[@]}"; do
	# shellcheck disable=SC2086
	med_cpu[$name]=$(bench_median ${cpu[$name]})
	# shellcheck disable=SC2086
	med_rss[$name]=$(bench_median ${rss[$name]})
	printf '  %-14s %8.4f CPU-s per refresh   peak RSS %6d KiB   (CPU-s: %s)\n' \
		"$name" "${med_cpu[$name]}" "${med_rss[$name]%.*}" "${cpu[$name]% }"
done

pmon=${med_cpu[pmon top -b]}
extra=${med_cpu[pmon +io,ctr,gpu]}
r_top=$(bench_div "$pmon" "${med_cpu[top -b]}")
r_floor=$(bench_div "$pmon" "${med_cpu[floor]}")
r_extra=$(bench_div "$extra" "${med_cpu[top -b]}")
kb=${med_rss[pmon top -b]%.*}
kb_extra=${med_rss[pmon +io,ctr,gpu]%.*}
[ "$kb_extra" -gt "$kb" ] && kb=$kb_extra
echo "  ratios:  pmon / top = $r_top;  pmon / floor = $r_floor"
echo "  the I/O, container and GPU columns add $(awk -v a="$extra" -v b="$pmon" 'BEGIN {printf "%.4f", a - b}') CPU-s per refresh (every row read: batch)"
bench_bar "pmon top CPU per refresh <= 0.3x top's ($r_top x)" "$(bench_le "$r_top" 0.3)"
bench_bar "pmon top CPU per refresh <= 1.5x the pread floor's ($r_floor x)" "$(bench_le "$r_floor" 1.5)"
bench_bar "pmon top with the I/O, container and GPU columns below top's CPU ($r_extra x)" "$(bench_lt "$r_extra" 1)"
bench_bar "pmon top peak RSS < 24 MiB ($kb KiB)" "$(bench_lt "$kb" 24576)"
bench_finish
