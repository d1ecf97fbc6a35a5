# helpers.bash - shared by every bats file: where pmon and the fixtures
# are, starting fixtures in known states, waiting for states, cleanup.
#
# Rules (see tests/README): only ever signal processes this test started,
# by PID or by the process group of a fixture it started; never PID 1.

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO_ROOT/${BUILD:-build}}
PMON=${PMON:-$REPO_ROOT/pmon}
FIXTURE=$BUILD_DIR/fixtures/proc-fixture
SUBREAPER=$BUILD_DIR/fixtures/subreaper
export LC_ALL=C.UTF-8 NO_COLOR=1

# pmon as `run` sees it: status, output (stdout+stderr merged by bats).
pmon() { "$PMON" "$@"; }

# start_fixture MODE [ARGS...]: start a fixture in the background, wait
# for its "ready", and set FIXTURE_PID and FIXTURE_OUT (its output).  Not
# for $(...): the pid must be remembered in this shell for the teardown.
# fd 3 is bats' own: a background process holding it hangs bats.
start_fixture() {
	FIXTURE_OUT=$BATS_TEST_TMPDIR/fixture.${#FIXTURE_PIDS[@]}.out
	"$FIXTURE" "$@" >"$FIXTURE_OUT" 2>&1 3>&- &
	FIXTURE_PID=$!
	FIXTURE_PIDS+=("$FIXTURE_PID")
	wait_for_line "$FIXTURE_OUT" '^ready$' || {
		echo "fixture $* never became ready:" >&2
		cat "$FIXTURE_OUT" >&2
		return 1
	}
}
FIXTURE_PIDS=()

# wait_for_line FILE REGEX [TENTHS]: until a line of FILE matches.
wait_for_line() {
	local i
	for ((i = 0; i < ${3:-100}; i++)); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# proc_state PID: the state letter the kernel reports (test-side truth).
proc_state() {
	local line
	line=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	line=${line##*) }
	echo "${line%% *}"
}

# wait_for_state PID LETTER [TENTHS]
wait_for_state() {
	local i
	for ((i = 0; i < ${3:-100}; i++)); do
		[ "$(proc_state "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	echo "pid $1 is in state '$(proc_state "$1")', not '$2'" >&2
	return 1
}

# The pids a fixture announced with "child PID" lines.
fixture_children() { awk '$1 == "child" {print $2}' "${1:-$FIXTURE_OUT}"; }

# End every fixture this test started, and everything they made (each
# fixture leads its own process group).
stop_fixtures() {
	local pid
	for pid in "${FIXTURE_PIDS[@]}"; do
		kill -KILL -- "-$pid" 2>/dev/null
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	FIXTURE_PIDS=()
}

teardown() { stop_fixtures; }
