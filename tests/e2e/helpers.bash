# helpers.bash - shared by every bats file: where pmon and the fixtures
# are, starting fixtures in known states, waiting for states, cleanup.
#
# Rules (see tests/README): only ever signal processes this test started,
# by PID or by the process group of a fixture it started; never PID 1.

# `run ! CMD` (a command that must fail) needs bats 1.5; without this
# line bats warns about it (BW02).  A bare `! CMD` asserts nothing before a
# test's last line: see tests/lint/negations.sh.
bats_require_minimum_version 1.5.0

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO_ROOT/${BUILD:-build}}
PMON=${PMON:-$REPO_ROOT/pmon}
FIXTURE=$BUILD_DIR/fixtures/proc-fixture
SUBREAPER=$BUILD_DIR/fixtures/subreaper
export LC_ALL=C.UTF-8 NO_COLOR=1
# pmon top reads and writes its settings here: never the user's own file,
# and nothing one test saves is seen by another.
export XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/config
# proc_state, wait_for_line, wait_for_state, wait_for_comm, plain_pid,
# descends_from, zombies_of
. "$REPO_ROOT/tests/e2e/procs.bash"

# pmon as `run` sees it: status, output (stdout+stderr merged by bats).
pmon() { "$PMON" "$@"; }

# tmux_end NAME: end the private tmux server of `tmux -L NAME` and remove
# its socket, which tmux leaves behind (a file per test run otherwise
# piles up in /tmp/tmux-UID).
tmux_end() {
	tmux -L "$1" kill-server 2>/dev/null || true
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$1"
}

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
	if [ "$FIXTURE" = "$BUILD_DIR/fixtures/proc-fixture" ]; then
		case $1 in
		sleep | undumpable | name | tree | ntree | threads | locked | setuid | rss | zombie)
			settle_fixture ;;
		esac
	fi
}
FIXTURE_PIDS=()

# settle_fixture: every thread of the fixture and of its tree's nodes is
# asleep (S).  A fixture prints "ready" just before it calls pause(), and
# a loaded machine can leave it running (R) for a while after: a test
# that looked at once would see a state that is only momentary.  (read,
# not $(cat): a tree of a hundred nodes costs no fork.)
settle_fixture() {
	local p t i line st
	for p in "$FIXTURE_PID" $(awk '$1 == "node" {print $2}' "$FIXTURE_OUT"); do
		for t in /proc/"$p"/task/*; do
			for ((i = 0; i < 100; i++)); do
				# (all of it: a comm may hold a newline)
				line=
				read -r -d '' line 2>/dev/null <"$t/stat" || :
				[ -n "$line" ] || break
				st=${line##*) } st=${st%% *}
				[ "$st" = S ] && break
				sleep 0.1
			done
			[ "$i" -lt 100 ] || {
				echo "fixture task ${t##*/} of $p stays in state $st, not S" >&2
				return 1
			}
		done
	done
}

# fd_limited N CMD...: exec CMD with at most N descriptors and none open
# but 0, 1 and 2, so that what bats, make or a CI harness happen to leave
# open does not eat into N.  It execs: use it as `run fd_limited ...` or
# `fd_limited ... &` (then $! is CMD itself).
fd_limited() {
	local n=$1 fd
	shift
	for fd in /proc/"$BASHPID"/fd/*; do
		fd=${fd##*/}
		if [ "$fd" -gt 2 ]; then
			eval "exec $fd>&-"
		fi
	done
	ulimit -n "$n" && exec "$@"
}

# The pids a fixture announced with "child PID" lines.
fixture_children() { awk '$1 == "child" {print $2}' "${1:-$FIXTURE_OUT}"; }

# copy_for_others: copies of pmon and proc-fixture that another uid (run
# with setpriv --reuid=...) can execute, in OTHERS_PMON and OTHERS_FIXTURE.
# The checkout, its build directory and bats' temporary directories may be
# closed to other users (a clone under a mode 0700 home, say), so the
# copies go in a directory of this test under /tmp that everyone may enter
# (0755, files 0755).  Checked by running the copy as uid 65534 through
# env: setpriv itself still holds root's capabilities when it execs, so
# only a program it starts would notice a closed directory.  Removed by
# stop_fixtures (remove_copies_for_others).
copy_for_others() {
	if [ -z "$OTHERS_DIR" ]; then
		OTHERS_DIR=$(mktemp -d /tmp/pmon-test-others.XXXXXX) || return 1
		chmod 0755 "$OTHERS_DIR" &&
			install -m 0755 "$PMON" "$OTHERS_DIR/pmon" &&
			install -m 0755 "$FIXTURE" "$OTHERS_DIR/proc-fixture" &&
			install -m 0644 "$BATS_TEST_DIRNAME/hold_conns.py" \
				"$BATS_TEST_DIRNAME/burst_conns.py" "$OTHERS_DIR/" ||
			return 1
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			env "$OTHERS_DIR/pmon" --version >/dev/null 2>&1 || {
			echo "another user cannot run $OTHERS_DIR/pmon (/tmp mounted noexec?)" >&2
			return 1
		}
	fi
	OTHERS_PMON=$OTHERS_DIR/pmon
	OTHERS_FIXTURE=$OTHERS_DIR/proc-fixture
}
OTHERS_DIR=

remove_copies_for_others() {
	if [ -n "$OTHERS_DIR" ]; then
		rm -rf "$OTHERS_DIR"
	fi
	OTHERS_DIR=
}

# without_lib_script NAME: prints the path of a script that runs its
# arguments with the library NAME.so.* (as ldconfig lists it)
# unloadable: /dev/null mounted over it in a mount namespace of the
# command's own (root and unshare needed).  A script, so that a command
# another program starts (tmux) can be run so too.
without_lib_script() {
	local lib script=$BATS_TEST_TMPDIR/without-$1
	lib=$(ldconfig -p | awk -v n="$1.so." 'index($1, n) == 1 {print $NF; exit}')
	[ -n "$lib" ] || { echo "ldconfig lists no $1.so" >&2; return 1; }
	# shellcheck disable=SC2016
	printf '#!/bin/sh\nexec unshare --mount sh -c %s %q "$@"\n' \
		"'mount --bind /dev/null \"\$0\" && exec \"\$@\"'" "$lib" >"$script"
	chmod 755 "$script"
	echo "$script"
}

# without_lib NAME CMD...: CMD so (without_lib_script).
without_lib() {
	local script
	script=$(without_lib_script "$1") || return 1
	shift
	"$script" "$@"
}

# End every fixture this test started, and everything they made (each
# fixture leads its own process group), and remove the copies made for
# other users.
stop_fixtures() {
	local pid
	for pid in "${FIXTURE_PIDS[@]}"; do
		plain_pid "$pid" || continue
		kill -KILL -- "-$pid" 2>/dev/null
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	FIXTURE_PIDS=()
	remove_copies_for_others
}

teardown() { stop_fixtures; }
