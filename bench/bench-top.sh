#!/usr/bin/env bash
# bench-top.sh - pmon top against top(1) and the pread floor, at many
# processes (issue 4's bar).
#
#   bench/bench-top.sh        PROCS=10000 N=10 D=0.5 REPS=3 by default
#
# Starts PROCS sleeping processes (build/bench/spawn-sleepers) under a
# child subreaper, then runs, REPS times each and in turn:
#   pmon top -b -n N -d D     (output to /dev/null)
#   top -b -n N -d D          (output to /dev/null)
#   build/bench/top-floor N D (every /proc/PID/stat kept open, one pread
#                              of each per refresh, nothing else)
# and prints for each the median CPU seconds (user+system, from
# /usr/bin/time) per refresh and the median peak RSS, the ratios, and
# PASS/FAIL for each item of the bar.  Wall time is not measured: a
# monitor's cost is the CPU it takes from the machine it watches.
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
PMON=${PMON:-$PWD/pmon}
PROCS=${PROCS:-10000} N=${N:-10} D=${D:-0.5} REPS=${REPS:-3}
SPAWN=$BUILD/bench/spawn-sleepers FLOOR=$BUILD/bench/top-floor

for f in "$PMON" "$SPAWN" "$FLOOR" "$BUILD/fixtures/subreaper" /usr/bin/time; do
	[ -x "$f" ] || { echo "bench-top: $f missing; run 'make bench' (or make deps)" >&2; exit 1; }
done
command -v top >/dev/null || { echo "bench-top: top(1) missing (procps)" >&2; exit 1; }

# Everything below runs as a child subreaper, so that the sleepers can
# never end up with PID 1.
if [ -z "${BENCH_TOP_SUBREAPED:-}" ]; then
	export BENCH_TOP_SUBREAPED=1
	exec "$BUILD/fixtures/subreaper" "$0" "$@"
fi

tmp=$(mktemp -d) || exit 1
spawn_pid=
cleanup() {
	[ -n "$spawn_pid" ] && kill -TERM "$spawn_pid" 2>/dev/null
	exec 7>&- 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "# bench-top: starting $PROCS sleeping processes"
mkfifo "$tmp/ctl"
"$SPAWN" "$PROCS" <"$tmp/ctl" >"$tmp/spawn.out" 2>&1 &
spawn_pid=$!
exec 7>"$tmp/ctl" # the sleepers live while this stays open
for ((i = 0; i < 600; i++)); do
	grep -q '^ready$' "$tmp/spawn.out" 2>/dev/null && break
	kill -0 "$spawn_pid" 2>/dev/null || break
	sleep 0.1
done
grep -q '^ready$' "$tmp/spawn.out" || { echo "bench-top: sleepers not ready:" >&2; cat "$tmp/spawn.out" >&2; exit 1; }
total=$(find /proc -maxdepth 1 -name '[0-9]*' | wc -l)
echo "# $total processes on the machine; N=$N refreshes, D=$D s apart, $REPS runs each"

# measure NAME CMD...: appends "cpu_per_refresh rss_kb" to $tmp/NAME
measure() {
	local name=$1 u s m
	shift
	/usr/bin/time -f '%U %S %M' -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" || {
		echo "bench-top: $name failed:" >&2; cat "$tmp/err" "$tmp/time" >&2; exit 1; }
	read -r u s m <"$tmp/time"
	awk -v u="$u" -v s="$s" -v m="$m" -v n="$N" \
		'BEGIN { printf "%.5f %d\n", (u + s) / n, m }' >>"$tmp/$name"
}

median() { # FILE COLUMN
	sort -g -k"$2","$2" "$1" | awk -v c="$2" '{ v[NR] = $c }
		END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

for ((r = 1; r <= REPS; r++)); do
	measure pmon "$PMON" top -b -n "$N" -d "$D"
	measure top top -b -n "$N" -d "$D" -w 512
	measure floor "$FLOOR" "$N" "$D"
done

printf '%-22s %14s %12s\n' "" "CPU-s/refresh" "peak RSS"
for name in pmon top floor; do
	printf '%-22s %14.4f %9.1f MiB\n' "$name" "$(median "$tmp/$name" 1)" \
		"$(awk -v k="$(median "$tmp/$name" 2)" 'BEGIN { print k / 1024 }')"
done

pmon_cpu=$(median "$tmp/pmon" 1) top_cpu=$(median "$tmp/top" 1)
floor_cpu=$(median "$tmp/floor" 1) pmon_rss=$(median "$tmp/pmon" 2)
verdict() { awk -v x="$1" -v lim="$2" 'BEGIN { print (x <= lim ? "PASS" : "FAIL") }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }'; }
r_top=$(ratio "$pmon_cpu" "$top_cpu") r_floor=$(ratio "$pmon_cpu" "$floor_cpu")
echo "pmon/top   CPU per refresh: ${r_top}x   (bar <= 0.4x)   $(verdict "$r_top" 0.4)"
echo "pmon/floor CPU per refresh: ${r_floor}x   (bar <= 2x)     $(verdict "$r_floor" 2)"
echo "pmon peak RSS: $(awk -v k="$pmon_rss" 'BEGIN { printf "%.1f", k / 1024 }') MiB   (bar < 24 MiB)   $(verdict "$pmon_rss" 24575)"
