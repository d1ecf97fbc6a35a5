#!/usr/bin/env bash
# bench-bpf.sh - the BPF backend (issue 14): pmon tree, pmon ps and pmon
# top reading the process table through the pins (the walk where the
# kernel has it, else the task iterator; the iterator beside it, as
# PMON_BPF_PASS=iterator), against the floors of /proc, with BENCH_PROCS
# sleeping processes plus BENCH_ZOMBIES zombies.
#
# Runs as root only, in a private mount namespace with its own bpffs at
# /sys/fs/bpf (the pin and the program go with it when the benchmark
# ends); says why and exits 0 where the backend cannot run.
#
# Measured, CPU time (user + system) with the wall time beside:
#   first run   pmon bpf install (load + pin), and pmon ps forced to bpf
#               without a pin (loads the program itself), once each
#   one-shot    floor (every /proc/PID/stat once), pmon tree, pmon ps
#               (without -a: STAT with L), each with the pin and with
#               --backend proc; BENCH_RUNS interleaved rounds, medians
#   top         pmon top -b -n N -d D with the pin, and the pread floor
#               (bench/top-floor: every stat kept open, one pread each per
#               refresh); CPU per refresh, start-up included, medians of
#               BENCH_TOP_RUNS
#
# The bar: pmon tree and pmon ps <= 0.2x the stat floor's CPU; one top
# refresh <= 0.3x the pread floor's.
set -u
. "$(dirname "$0")/lib.sh"

[ -n "${PMON_BENCH_BPFFS:-}" ] ||
	echo "== the BPF backend: tree, ps and top through the pinned task iterator =="
if [ "$(id -u)" -ne 0 ]; then
	echo "  skipped: needs root (CAP_BPF and CAP_PERFMON, and a bpffs to pin in)"
	exit 0
fi
if ! "$PMON" --version | grep -qx 'backends: proc, bpf'; then
	echo "  skipped: $("$PMON" --version | tail -n 1)"
	exit 0
fi
if [ -z "${PMON_BENCH_BPFFS:-}" ]; then
	export PMON_BENCH_BPFFS=1
	exec unshare -m --propagation private bash "$0" "$@"
fi
mount -t bpf bpf /sys/fs/bpf || bench_die "cannot mount a bpffs in the private namespace"

bench_init
[ -x "$BUILD_DIR/bench/floor" ] && [ -x "$BUILD_DIR/bench/top-floor" ] ||
	bench_die "no $BUILD_DIR/bench/floor or top-floor (run make bench)"
N=${BENCH_TOP_N:-10} D=${BENCH_TOP_DELAY:-0.5} TOP_RUNS=${BENCH_TOP_RUNS:-5}

bench_spawn "$BENCH_PROCS" "$BENCH_ZOMBIES"
echo "  $(ls /proc | grep -c '^[0-9]') processes on the machine; load $(cut -d' ' -f1-3 /proc/loadavg)"

# once NAME CMD...: one run; its CPU and wall seconds, printed.
once() {
	local name=$1 u s e
	shift
	/usr/bin/time -f '%U %S %e' -o "$BENCH_TMP/once" "$@" >"$BENCH_TMP/once.out" 2>&1 || {
		cat "$BENCH_TMP/once.out" >&2
		bench_die "'$*' failed"
	}
	read -r u s e <"$BENCH_TMP/once"
	printf '  %-44s %7.3f s CPU  (%.3f s wall)\n' "$name" \
		"$(awk -v u="$u" -v s="$s" 'BEGIN {print u + s}')" "$e"
}
[ -x /usr/bin/time ] || bench_die "needs GNU time (/usr/bin/time: package time)"
echo "  first run (once each):"
once "pmon --backend bpf ps, no pin (loads)" "$PMON" --backend bpf ps
once "pmon bpf install (load + pin)" "$PMON" bpf install
sed 's/^/    /' "$BENCH_TMP/once.out"

# How pmon reads the pins here: the walk (6.7+) or the iterator.
WAY=$(PMON_BPF_DEBUG=1 "$PMON" --backend bpf ps -p 1 2>&1 >/dev/null |
	sed -n 's/^pmon: backend: bpf, pinned //p')
[ -n "$WAY" ] || bench_die "pmon ps did not read the pins"
echo "  passes through the pins are read by the $WAY"

bench_time "floor (stat)" "$BUILD_DIR/bench/floor"
bench_time "pmon tree (bpf, pinned)" "$PMON" --backend bpf tree
bench_time "pmon ps (bpf, pinned)" "$PMON" --backend bpf ps
if [ "$WAY" = walk ]; then
	bench_time "pmon tree (bpf, iterator)" env PMON_BPF_PASS=iterator "$PMON" --backend bpf tree
	bench_time "pmon ps (bpf, iterator)" env PMON_BPF_PASS=iterator "$PMON" --backend bpf ps
fi
bench_time "pmon tree (proc)" "$PMON" --backend proc tree
bench_time "pmon ps (proc)" "$PMON" --backend proc ps
bench_run_all
echo "  one-shot, median of $BENCH_RUNS interleaved runs after one warm-up:"
bench_row_header
for name in "${BENCH_NAMES[@]}"; do
	bench_row "$name"
done

# top: CPU per refresh, start-up included.
declare -A cpu=()
measure() {
	local name=$1 u s
	shift
	bench_once "$@"
	cpu[$name]+="$(awk -v c="$ONCE_CPU" -v n="$N" 'BEGIN {printf "%.5f", c / n}') "
}
for ((round = 0; round <= TOP_RUNS; round++)); do
	measure top env PMON_BPF_DEBUG=1 "$PMON" --backend bpf top -b -n "$N" -d "$D"
	grep -q "pinned $WAY" "$BENCH_TMP/err" || bench_die "pmon top did not read the pin"
	measure floor "$BUILD_DIR/bench/top-floor" "$N" "$D"
	((round == 0)) && cpu=()
done
echo "  top, $N refreshes $D s apart, median of $TOP_RUNS runs after one warm-up:"
# shellcheck disable=SC2086
top_cpu=$(bench_median ${cpu[top]})
# shellcheck disable=SC2086
floor_cpu=$(bench_median ${cpu[floor]})
printf '  %-44s %8.4f CPU-s per refresh  (%s)\n' "pmon top -b (bpf, pinned)" "$top_cpu" "${cpu[top]% }"
printf '  %-44s %8.4f CPU-s per refresh  (%s)\n' "pread floor (top-floor)" "$floor_cpu" "${cpu[floor]% }"
bench_stop
echo "  load after: $(cut -d' ' -f1-3 /proc/loadavg)"

floor=${BENCH_CPU[floor (stat)]}
echo "  control (CPU): pmon tree --backend proc / stat floor =" \
	"$(bench_div "${BENCH_CPU[pmon tree (proc)]}" "$floor") x; pmon ps --backend proc / stat floor =" \
	"$(bench_div "${BENCH_CPU[pmon ps (proc)]}" "$floor") x"
bench_result "14.2: pmon tree (bpf) CPU <= 0.2x the stat floor's" \
	"${BENCH_CPU[pmon tree (bpf, pinned)]}" "$floor" le 0.2
bench_result "14.2: pmon ps (bpf) CPU <= 0.2x the stat floor's" \
	"${BENCH_CPU[pmon ps (bpf, pinned)]}" "$floor" le 0.2
bench_result "14.2: pmon top -b (bpf) CPU/refresh <= 0.3x pread floor" "$top_cpu" "$floor_cpu" le 0.3
bench_finish
