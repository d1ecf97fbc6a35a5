# lib.sh - helpers shared by the benchmarks (bench/bench-*.sh), sourced.
#
# A benchmark sources this, calls bench_init, starts its processes with
# bench_spawn, times commands with bench_time (several, interleaved, so
# that a noisy neighbour hurts each of them alike), and reports with
# bench_row, bench_div and bench_bar.  bench/run runs every benchmark
# under build/fixtures/subreaper, so nothing a benchmark starts can end up
# with PID 1 even if it is killed.
#
# Environment (all optional):
#   BENCH_PROCS    sleeping processes to spawn (default 10000)
#   BENCH_ZOMBIES  zombies among them (default 100)
#   BENCH_RUNS     timed runs per command, after one warm-up (default 7)
#   PMON, BUILD    the binary and build directory (set by make bench)
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

# bench_stop: end the spawner (it kills and reaps all it made) and wait.
bench_stop() {
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
# sets BENCH_MEDIAN[NAME] (wall seconds), BENCH_CPU[NAME] (median user +
# system seconds: what the command cost whatever else the machine was
# doing) and BENCH_SAMPLES[NAME] (the wall times).
declare -a BENCH_NAMES=()
declare -A BENCH_CMDS=() BENCH_MEDIAN=() BENCH_CPU=() BENCH_SAMPLES=()
declare -A BENCH_CPU_SAMPLES=() # the CPU seconds of each timed run
bench_time() {
	local name=$1
	shift
	BENCH_NAMES+=("$name")
	BENCH_CMDS[$name]=$(printf '%q ' "$@")
}

# bench_cpu_seconds FILE: the user + system seconds of all waited-for
# children in FILE, the output of the `times` builtin (which must run in
# the timing shell itself: in $(...) it would see only the subshell's).
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

bench_run_all() {
	local round name t0 t1 c0 c1 rc
	declare -A samples=() cpu=()
	for ((round = 0; round <= BENCH_RUNS; round++)); do
		for name in "${BENCH_NAMES[@]}"; do
			times >"$BENCH_TMP/cpu0"
			t0=${EPOCHREALTIME/,/.} # no fork: $(bench_now) would be one
			eval "${BENCH_CMDS[$name]}" >/dev/null 2>"$BENCH_TMP/err"
			rc=$?
			t1=${EPOCHREALTIME/,/.}
			times >"$BENCH_TMP/cpu1"
			if [ "$rc" -ne 0 ]; then
				cat "$BENCH_TMP/err" >&2
				bench_die "'$name' failed with status $rc"
			fi
			((round == 0)) && continue # warm-up: caches, page tables
			samples[$name]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.6f", b - a}') "
			c0=$(bench_cpu_seconds "$BENCH_TMP/cpu0")
			c1=$(bench_cpu_seconds "$BENCH_TMP/cpu1")
			cpu[$name]+="$(awk -v a="$c0" -v b="$c1" 'BEGIN {printf "%.6f", b - a}') "
		done
	done
	for name in "${BENCH_NAMES[@]}"; do
		BENCH_SAMPLES[$name]=${samples[$name]}
		BENCH_CPU_SAMPLES[$name]=${cpu[$name]}
		# shellcheck disable=SC2086
		BENCH_MEDIAN[$name]=$(bench_median ${samples[$name]})
		# shellcheck disable=SC2086
		BENCH_CPU[$name]=$(bench_median ${cpu[$name]})
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

# bench_row NAME: "NAME  median wall (min..max)  median CPU".
bench_row() {
	local name=$1 s
	# shellcheck disable=SC2086
	s=$(printf '%s\n' ${BENCH_SAMPLES[$name]} | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.3f..%.3f", lo, hi}')
	printf '  %-44s %7.3f s  (%s)  %7.3f s\n' "$name" "${BENCH_MEDIAN[$name]}" "$s" "${BENCH_CPU[$name]}"
}

# bench_row_header: the titles over bench_row's columns.
bench_row_header() {
	printf '  %-44s %9s  %-13s  %9s\n' "" "wall" "(min..max)" "CPU"
}

# bench_bar TEXT OK: one "PASS"/"FAIL" line of the bar; a FAIL makes the
# benchmark exit 1 (see bench_finish).
bench_bar() {
	if [ "$2" = 1 ]; then
		printf '  PASS  %s\n' "$1"
	else
		printf '  FAIL  %s\n' "$1"
		BENCH_FAILED=1
	fi
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
