# lib.sh - helpers shared by the benchmarks (bench/bench-*.sh), sourced.
#
# A benchmark sources this, calls bench_init, starts its processes with
# bench_spawn, times commands with bench_time (several, interleaved, so
# that a noisy neighbour hurts each of them alike), and reports with
# bench_row, bench_div and bench_result (a bar with its figures, into the
# summary table bench/run prints at the end) or bench_bar.  Every figure
# is CPU time (user + system of the measured process alone, from wait4's
# rusage: bench/cputime), with the wall time and the load average beside.  bench/run runs every benchmark
# under build/fixtures/subreaper, so nothing a benchmark starts can end up
# with PID 1 even if it is killed.
#
# Environment (all optional):
#   BENCH_PROCS    sleeping processes to spawn (default 10000)
#   BENCH_ZOMBIES  zombies among them (default 100)
#   BENCH_RUNS     timed runs per command, after one warm-up (default 7)
#   PMON, BUILD    the binary and build directory (set by make bench)
#   BENCH_SUMMARY  the file bench_result and bench_bar add the summary
#                  rows to (set by bench/run; none: no summary)
#
# Every helper prints its errors as "bench: ..." on stderr.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) BUILD_DIR=$BUILD ;; *) BUILD_DIR=$BENCH_ROOT/$BUILD ;; esac
PMON=${PMON:-$BENCH_ROOT/pmon}
BENCH_PROCS=${BENCH_PROCS:-10000}
BENCH_ZOMBIES=${BENCH_ZOMBIES:-100}
BENCH_RUNS=${BENCH_RUNS:-7}
BENCH_FAILED=0

bench_die() {
	echo "bench: $*" >&2
	exit 1
}

# bench_init: the temporary directory, a trap that stops whatever was
# spawned however the script ends, and a check of the binaries.
bench_init() {
	BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pmon-bench.XXXXXX") ||
		bench_die "cannot make a temporary directory"
	trap 'bench_stop; rm -rf "$BENCH_TMP"' EXIT
	trap bench_interrupted INT TERM HUP
	[ -x "$PMON" ] || bench_die "no pmon at $PMON (run make bench)"
	[ -x "$BUILD_DIR/bench/spawn" ] || bench_die "no $BUILD_DIR/bench/spawn (run make bench)"
}

# On a signal, end the benchmark (the EXIT trap stops the spawner).  A
# signal that lands in a $(...) subshell must end the main shell too, or
# the benchmark would go on timing an empty machine.
bench_interrupted() {
	[ "$BASHPID" != "$$" ] && kill -TERM "$$" 2>/dev/null
	exit 130
}

# bench_need CMD...: fail early, naming the Debian package to install.
bench_need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null ||
			bench_die "needs '$c' (make deps installs it)"
	done
}

# bench_room N: can N more processes be made?  Checks kernel.pid_max,
# kernel.threads-max and, unless root, ulimit -u against what is running.
bench_room() {
	local want=$1 running pid_max threads_max nproc
	running=$(ls /proc | grep -c '^[0-9]')
	pid_max=$(cat /proc/sys/kernel/pid_max)
	threads_max=$(cat /proc/sys/kernel/threads-max)
	nproc=$(ulimit -u)
	if [ $((running + want + 512)) -gt "$pid_max" ]; then
		bench_die "$want processes do not fit: $running running, kernel.pid_max is $pid_max (raise it with sysctl)"
	fi
	if [ $((running + want + 512)) -gt "$threads_max" ]; then
		bench_die "$want processes do not fit: kernel.threads-max is $threads_max"
	fi
	if [ "$(id -u)" -ne 0 ] && [ "$nproc" != unlimited ] &&
	   [ $((running + want + 512)) -gt "$nproc" ]; then
		bench_die "$want processes do not fit under ulimit -u ($nproc); raise it"
	fi
}

# bench_spawn N [ZOMBIES] [FANOUT]: start N sleeping processes in a tree
# plus ZOMBIES zombies (build/bench/spawn), and wait until they all exist.
# Sets SPAWN_PID.  The spawner lives while we hold its stdin open: if
# this shell dies, it sees end of file and ends everything it made.
bench_spawn() {
	local n=$1 z=${2:-0} f=${3:-8} i
	bench_room $((n + z + 1))
	mkfifo "$BENCH_TMP/spawn.in" || bench_die "mkfifo failed"
	"$BUILD_DIR/bench/spawn" -f "$f" "$n" "$z" <"$BENCH_TMP/spawn.in" \
		>"$BENCH_TMP/spawn.out" 2>&1 &
	SPAWN_PID=$!
	exec {SPAWN_FD}>"$BENCH_TMP/spawn.in"
	for ((i = 0; i < 1200; i++)); do
		grep -q '^ready' "$BENCH_TMP/spawn.out" && return 0
		kill -0 "$SPAWN_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$BENCH_TMP/spawn.out" >&2
	bench_die "the spawner did not get ready"
}

# bench_tmux_end NAME: end the tmux server of `tmux -L NAME` and remove
# its socket, which tmux leaves behind.  bench_stop ends BENCH_TMUX's, so
# that a benchmark that stops mid-round leaves no top running.
bench_tmux_end() {
	[ -n "$1" ] || return 0
	tmux -L "$1" kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$1"
}

# bench_stop: end the spawner (it kills and reaps all it made) and wait.
bench_stop() {
	bench_tmux_end "${BENCH_TMUX:-}"
	[ -n "${SPAWN_PID:-}" ] || return 0
	[ -n "${SPAWN_FD:-}" ] && exec {SPAWN_FD}>&-
	kill -TERM "$SPAWN_PID" 2>/dev/null
	wait "$SPAWN_PID" 2>/dev/null
	SPAWN_PID= SPAWN_FD=
}

# bench_now: seconds since the epoch with microseconds, without a fork.
bench_now() { echo "${EPOCHREALTIME/,/.}"; }

# bench_median V...: the median of the values (mean of the middle two).
bench_median() {
	printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1}
		END {if (NR % 2) print v[(NR + 1) / 2];
		     else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# bench_time NAME CMD...: register a command to time under NAME (output
# to /dev/null).  bench_run_all then runs one warm-up round and
# BENCH_RUNS timed rounds, each round every command once in turn, and
# sets, for each NAME, BENCH_MEDIAN (wall seconds) and BENCH_CPU (user +
# system seconds: what the command cost whatever else the machine was
# doing), medians; BENCH_SAMPLES and BENCH_CPU_SAMPLES (every run's);
# BENCH_FAULTS (median page faults) and BENCH_LOAD (the 1-minute load
# average over its runs, "min..max").
declare -a BENCH_NAMES=()
declare -A BENCH_CMDS=() BENCH_MEDIAN=() BENCH_CPU=() BENCH_SAMPLES=() \
	BENCH_CPU_SAMPLES=() BENCH_FAULTS=() BENCH_LOAD=()
bench_time() {
	local name=$1
	shift
	BENCH_NAMES+=("$name")
	BENCH_CMDS[$name]=$(printf '%q ' "$@")
}

# bench_cpu_seconds FILE: the user + system seconds of all waited-for
# children in FILE, the output of the `times` builtin (which must run in
# the timing shell itself: in $(...) it would see only the subshell's).
# Only for a shell function, which bench/cputime cannot run.
bench_cpu_seconds() {
	tail -n 1 "$1" | awk '{
		s = 0
		for (i = 1; i <= NF; i++) {
			split($i, ms, "m"); sub("s", "", ms[2])
			s += ms[1] * 60 + ms[2]
		}
		printf "%.6f", s
	}'
}

# bench_ticks PID: the CPU clock ticks (utime + stime) PID has used, or
# nothing when it is gone.  Fields counted after comm's closing paren: a
# name may hold spaces.
bench_ticks() {
	sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}'
}

# bench_round_ok NAME PID T0 T1: a round of a live benchmark measured
# something: PID is still there, not a zombie (a top whose terminal went
# away ends, and may wait unreaped), and used CPU between the two
# readings (every refresh at these sizes costs ticks).  Otherwise the
# benchmark stops, saying which and why, rather than count the round.
bench_round_ok() {
	local state
	state=$(sed 's/^.*) //' "/proc/$2/stat" 2>/dev/null | cut -d' ' -f1)
	case $state in
	'') bench_die "$1 (pid $2) ended during the round" ;;
	Z | X) bench_die "$1 (pid $2) ended during the round (state $state)" ;;
	esac
	[ -n "$3" ] && [ -n "$4" ] && [ "$4" -gt "$3" ] ||
		bench_die "$1 (pid $2) used no CPU in the round (ticks '$3' then '$4'): it was not refreshing"
}

# bench_load1: the 1-minute load average now.
bench_load1() { cut -d' ' -f1 /proc/loadavg; }

# bench_load: the three load averages, for a line of the report.
bench_load() { cut -d' ' -f1-3 /proc/loadavg; }

# bench_range V...: "min..max" of the values.
bench_range() {
	printf '%s\n' "$@" | sort -g | awk -v f="${BENCH_RANGE_FMT:-%.3f}" \
		'NR == 1 {lo = $1} {hi = $1} END {printf f ".." f, lo, hi}'
}

# bench_once CMD...: run CMD once under bench/cputime (a shell function
# under `times`); sets ONCE_CPU, ONCE_WALL, ONCE_FAULTS, ONCE_RSS_KB.
# Its output goes to /dev/null, its errors to $BENCH_TMP/err.
bench_once() {
	local u s w rss flt rc t0 t1
	if [ "$(type -t "$1")" = function ]; then
		times >"$BENCH_TMP/cpu0"
		t0=${EPOCHREALTIME/,/.}
		"$@" >/dev/null 2>"$BENCH_TMP/err"
		rc=$?
		t1=${EPOCHREALTIME/,/.}
		times >"$BENCH_TMP/cpu1"
		ONCE_CPU=$(awk -v a="$(bench_cpu_seconds "$BENCH_TMP/cpu0")" \
			-v b="$(bench_cpu_seconds "$BENCH_TMP/cpu1")" 'BEGIN {printf "%.6f", b - a}')
		ONCE_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.6f", b - a}')
		ONCE_FAULTS=0 ONCE_RSS_KB=0
	else
		"$BUILD_DIR/bench/cputime" -o "$BENCH_TMP/cputime" "$@" >/dev/null 2>"$BENCH_TMP/err"
		rc=$?
		read -r u s w rss flt <"$BENCH_TMP/cputime"
		ONCE_CPU=$(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.6f", u + s}')
		ONCE_WALL=$w ONCE_FAULTS=$flt ONCE_RSS_KB=$rss
	fi
	if [ "$rc" -ne 0 ]; then
		cat "$BENCH_TMP/err" >&2
		bench_die "'$*' failed with status $rc"
	fi
}

bench_run_all() {
	local round name
	declare -A samples=() cpu=() faults=() load=()
	for ((round = 0; round <= BENCH_RUNS; round++)); do
		for name in "${BENCH_NAMES[@]}"; do
			eval "bench_once ${BENCH_CMDS[$name]}"
			((round == 0)) && continue # warm-up: caches, page tables
			samples[$name]+="$ONCE_WALL "
			cpu[$name]+="$ONCE_CPU "
			faults[$name]+="$ONCE_FAULTS "
			load[$name]+="$(bench_load1) "
		done
	done
	for name in "${BENCH_NAMES[@]}"; do
		BENCH_SAMPLES[$name]=${samples[$name]}
		BENCH_CPU_SAMPLES[$name]=${cpu[$name]}
		# shellcheck disable=SC2086
		BENCH_MEDIAN[$name]=$(bench_median ${samples[$name]})
		# shellcheck disable=SC2086
		BENCH_CPU[$name]=$(bench_median ${cpu[$name]})
		# shellcheck disable=SC2086
		BENCH_FAULTS[$name]=$(bench_median ${faults[$name]})
		# shellcheck disable=SC2086
		BENCH_LOAD[$name]=$(BENCH_RANGE_FMT=%.0f bench_range ${load[$name]})
	done
}

# bench_peak_rss_kb CMD...: the peak resident set of CMD, in KiB (GNU
# time's %M), its output to /dev/null.
bench_peak_rss_kb() {
	[ -x /usr/bin/time ] || bench_die "needs GNU time (/usr/bin/time: package time)"
	/usr/bin/time -f %M -o "$BENCH_TMP/rss" "$@" >/dev/null 2>&1 ||
		bench_die "'$*' failed while measuring its RSS"
	tail -n 1 "$BENCH_TMP/rss"
}

# bench_div A B: A / B to two decimals.
bench_div() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }

# bench_row NAME: "NAME  median CPU (min..max)  median wall (min..max)
# page faults  load (min..max over its runs)".
bench_row() {
	local name=$1
	# shellcheck disable=SC2086
	printf '  %-40s %7.3f s (%s)  %7.3f s (%s)  %6.0f  %s\n' "$name" \
		"${BENCH_CPU[$name]}" "$(bench_range ${BENCH_CPU_SAMPLES[$name]})" \
		"${BENCH_MEDIAN[$name]}" "$(bench_range ${BENCH_SAMPLES[$name]})" \
		"${BENCH_FAULTS[$name]}" "${BENCH_LOAD[$name]}"
}

# bench_row_header: the titles over bench_row's columns.
bench_row_header() {
	printf '  %-40s %9s %-14s  %9s %-14s  %6s  %s\n' "" "CPU" "(min..max)" \
		"wall" "(min..max)" "faults" "load"
}

# bench_summary BAR PMON PEER RATIO VERDICT: one row of the summary table
# (tab-separated, with the load average now) for bench/run to print.
bench_summary() {
	[ -n "${BENCH_SUMMARY:-}" ] || return 0
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" \
		"$(bench_load)" >>"$BENCH_SUMMARY"
}

# bench_bar TEXT OK: one "PASS"/"FAIL" line of the bar; a FAIL makes the
# benchmark exit 1 (see bench_finish).  Into the summary without figures:
# bench_result gives them.
bench_bar() {
	local verdict=FAIL
	[ "$2" = 1 ] && verdict=PASS
	printf '  %s  %s\n' "$verdict" "$1"
	[ "$verdict" = PASS ] || BENCH_FAILED=1
	bench_summary "$1" - - - "$verdict"
}

# bench_result BAR PMON PEER OP LIMIT: the bar "PMON / PEER OP LIMIT"
# (OP le, lt or ge; PMON and PEER in the same unit, CPU seconds), its
# PASS or FAIL line and summary row; a FAIL makes the benchmark exit 1.
# RATIO is set to PMON / PEER.
bench_result() {
	local bar=$1 pmon=$2 peer=$3 op=$4 limit=$5 ok verdict=FAIL
	RATIO=$(awk -v a="$pmon" -v b="$peer" 'BEGIN {printf "%.3f", (b > 0 ? a / b : 0)}')
	ok=$("bench_$op" "$RATIO" "$limit")
	# A figure of 0 s (too few processes or seconds for the clock's
	# ticks) proves nothing, on either side: never a PASS.
	[ "$(awk -v a="$pmon" -v b="$peer" 'BEGIN {print (a > 0 && b > 0)}')" = 1 ] || ok=0
	[ "$ok" = 1 ] && verdict=PASS
	printf '  %s  %s: %s / %s = %s x (bar: %s %s)\n' "$verdict" "$bar" "$pmon" "$peer" \
		"$RATIO" "$(case $op in le) echo "<=" ;; lt) echo "<" ;; ge) echo ">=" ;; esac)" "$limit"
	[ "$verdict" = PASS ] || BENCH_FAILED=1
	bench_summary "$bar" "$pmon" "$peer" "$RATIO" "$verdict"
}

# bench_le A B / bench_lt A B / bench_ge A B: 1 if A <= B / A < B /
# A >= B (decimals), else 0: a bar "at most", "under", "at least".
bench_le() { awk -v a="$1" -v b="$2" 'BEGIN {print (a <= b) ? 1 : 0}'; }
bench_lt() { awk -v a="$1" -v b="$2" 'BEGIN {print (a < b) ? 1 : 0}'; }
bench_ge() { awk -v a="$1" -v b="$2" 'BEGIN {print (a >= b) ? 1 : 0}'; }

bench_finish() {
	bench_stop
	return "$BENCH_FAILED"
}
