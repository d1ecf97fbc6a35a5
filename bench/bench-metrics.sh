#!/usr/bin/env bash
# bench-metrics.sh - what one scrape of pmon metrics costs next to pmon ps,
# with BENCH_PROCS sleeping processes in a tree plus BENCH_ZOMBIES zombies
# (issue 12's bar: one scrape at 10,000 processes costs no more CPU than
# pmon ps).
#
# Timed in the same interleaved rounds (bench_run_all: one warm-up, then
# BENCH_RUNS rounds of every command in turn): pmon ps; pmon metrics as a
# scrape for Prometheus runs it (no rules, no room); with a rule that
# matches no process (a regexec per process, statm of every process);
# and with {comm} rules that put every process in a group (statm and the
# fd directory of all 10,000).  Then the --listen server is scraped with
# curl, BENCH_RUNS rounds of 5, and its own CPU per scrape read from
# /proc/PID/stat: the cost a Prometheus server puts on the machine.
set -u
. "$(dirname "$0")/lib.sh"
bench_init
bench_need curl

echo "== pmon metrics, $BENCH_PROCS processes + $BENCH_ZOMBIES zombies =="
bench_spawn "$BENCH_PROCS" "$BENCH_ZOMBIES"
echo "  $(ls /proc | grep -c '^[0-9]') processes on the machine, load $(cut -d' ' -f1-3 /proc/loadavg);" \
	"median of $BENCH_RUNS interleaved runs after one warm-up"

bench_time "pmon ps" "$PMON" ps
bench_time "pmon metrics" "$PMON" metrics --no-room
bench_time "pmon metrics -g 'none comm ^$'" "$PMON" metrics --no-room -g 'none comm ^$'
bench_time "pmon metrics -g '{comm} comm .'" "$PMON" metrics --no-room -g '{comm} comm .'
bench_run_all
bench_row_header
for name in "${BENCH_NAMES[@]}"; do
	bench_row "$name"
done
# range() V...: "min..max" of the values
range() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.3f..%.3f", lo, hi}'; }
echo "  CPU ranges (min..max of the $BENCH_RUNS runs):"
for name in "${BENCH_NAMES[@]}"; do
	# shellcheck disable=SC2086
	printf '    %-42s %s s\n' "$name" "$(range ${BENCH_CPU_SAMPLES[$name]})"
done

# The server: its CPU ticks (utime + stime), read from /proc/PID/stat
# around BENCH_RUNS rounds of 5 scrapes each (a tick is 10 ms: 5 scrapes
# make a round long enough to measure).
ticks_of() { awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$1/stat"; }
"$PMON" metrics --no-room --listen 127.0.0.1:0 2>"$BENCH_TMP/listen.err" >/dev/null &
LISTEN_PID=$!
for ((i = 0; i < 100; i++)); do
	grep -q '^pmon metrics: serving' "$BENCH_TMP/listen.err" && break
	sleep 0.05
done
url=$(sed -n 's|^pmon metrics: serving ||p' "$BENCH_TMP/listen.err")
[ -n "$url" ] || { kill "$LISTEN_PID"; bench_die "pmon metrics --listen did not start"; }
curl -sf "$url" >/dev/null || bench_die "no answer from $url" # warm-up
hz=$(getconf CLK_TCK)
rounds=()
for ((r = 0; r < BENCH_RUNS; r++)); do
	t0=$(ticks_of "$LISTEN_PID")
	for ((i = 0; i < 5; i++)); do
		curl -sf "$url" >/dev/null || bench_die "no answer from $url"
	done
	t1=$(ticks_of "$LISTEN_PID")
	rounds+=("$(awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN {printf "%.4f", (b - a) / hz / 5}')")
done
kill -TERM "$LISTEN_PID"
wait "$LISTEN_PID"
per_scrape=$(bench_median "${rounds[@]}")
echo "  pmon metrics --listen: $per_scrape s of CPU per scrape (median of $BENCH_RUNS rounds of 5," \
	"range $(range "${rounds[@]}"); /proc/PID/stat ticks)"
bench_stop

cpu() { echo "${BENCH_CPU[$1]}"; }
ratio=$(bench_div "$(cpu "pmon metrics")" "$(cpu "pmon ps")")
ratio_none=$(bench_div "$(cpu "pmon metrics -g 'none comm ^$'")" "$(cpu "pmon ps")")
ratio_all=$(bench_div "$(cpu "pmon metrics -g '{comm} comm .'")" "$(cpu "pmon ps")")
ratio_srv=$(bench_div "$per_scrape" "$(cpu "pmon ps")")
echo "  ratios (CPU) to pmon ps: metrics $ratio; with a rule matching nothing $ratio_none;" \
	"with {comm} groups $ratio_all; one scrape of --listen $ratio_srv"
echo "  load after: $(cut -d' ' -f1-3 /proc/loadavg)"
bench_bar "one scrape of pmon metrics costs no more CPU than pmon ps ($ratio x)" "$(bench_le "$ratio" 1)"
bench_bar "one scrape of pmon metrics --listen costs no more CPU than pmon ps ($ratio_srv x)" \
	"$(bench_le "$ratio_srv" 1)"
bench_finish
