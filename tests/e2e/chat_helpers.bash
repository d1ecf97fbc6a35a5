# chat_helpers.bash - shared by tests/e2e/chat*.bats: a private room per
# test, servers and line-mode clients fed through fifos, and cleanup of
# exactly the processes the test started (by PID).

load helpers

CHAT_GID=60100 # the --group of the tests' rooms; no account needed

chat_setup() {
	CHAT_DIR=$(mktemp -d /tmp/pmon-chat-test.XXXXXX)
	chmod 755 "$CHAT_DIR"
	SOCK=$CHAT_DIR/room/sock
	export PMON_CHAT_SOCKET=$SOCK
	CHAT_PIDS=() EXTRA_PIDS=()
	declare -gA CLIENT_FD=() CLIENT_PID=()
}

# start_server [CHATD OPTIONS...]: a foreground server on $SOCK, stdin
# from $CHAT_DIR/server.in (a fifo kept open on SERVER_FD) so that lines
# can be "typed" to it; output in $CHAT_DIR/server.out.
start_server() {
	rm -f "$CHAT_DIR/server.in"
	mkfifo "$CHAT_DIR/server.in"
	"$PMON" chatd --foreground -S "$SOCK" "$@" <"$CHAT_DIR/server.in" \
		>"$CHAT_DIR/server.out" 2>&1 3>&- &
	SERVER_PID=$!
	CHAT_PIDS+=("$SERVER_PID")
	exec {SERVER_FD}>"$CHAT_DIR/server.in"
	wait_for_line "$CHAT_DIR/server.out" 'the room is open' || {
		cat "$CHAT_DIR/server.out" >&2
		return 1
	}
}

# start_client NAME [PREFIX...]: a line-mode client called NAME, run as
# PREFIX pmon chat (e.g. setpriv ...), stdin a fifo on CLIENT_FD[NAME],
# output in $CHAT_DIR/NAME.out.  Waits until the server shows the join.
# With a PREFIX (another user) the client is the copy_for_others of pmon.
start_client() {
	local name=$1
	shift
	start_client_nowait "$name" "$@"
	wait_for_line "$CHAT_DIR/server.out" "^\[room\] $name joined the room" || {
		echo "client $name never joined:" >&2
		cat "$CHAT_DIR/$name.out" >&2
		return 1
	}
}

start_client_nowait() {
	local name=$1 fd pmon=$PMON
	shift
	if [ $# -gt 0 ]; then
		copy_for_others || return 1
		pmon=$OTHERS_PMON
	fi
	mkfifo "$CHAT_DIR/$name.in"
	"$@" "$pmon" chat -n "$name" <"$CHAT_DIR/$name.in" \
		>"$CHAT_DIR/$name.out" 2>&1 3>&- &
	CLIENT_PID[$name]=$!
	CHAT_PIDS+=("$!")
	exec {fd}>"$CHAT_DIR/$name.in"
	CLIENT_FD[$name]=$fd
}

# say NAME LINE...: NAME types each LINE.
say() {
	local name=$1
	shift
	printf '%s\n' "$@" >&"${CLIENT_FD[$name]}"
}

# leave NAME: end of input; waits for the client to exit, returns its status.
leave() {
	local fd=${CLIENT_FD[$1]}
	exec {fd}>&-
	unset "CLIENT_FD[$1]"
	wait "${CLIENT_PID[$1]}"
}

# sees NAME REGEX: NAME's output gets a matching line (waits up to 10 s).
sees() {
	wait_for_line "$CHAT_DIR/$1.out" "$2" || {
		echo "$1 never saw /$2/; it has:" >&2
		cat "$CHAT_DIR/$1.out" >&2
		return 1
	}
}

# start_fake [-q] [LINE...]: a fake server on $SOCK (fixtures/fake-chatd)
# that says each LINE (\xHH escapes allowed) to every client that
# connects, and nothing more (-q: answers "/quit" with "ok bye" and
# closes); no LINE at all is a server that accepts and never answers.
# What the clients sent, byte for byte, is in $CHAT_DIR/fake.got.
start_fake() {
	local quit=()
	[ "${1-}" = -q ] && { quit=(-q); shift; }
	mkdir -p -m 0700 "$CHAT_DIR/room"
	if [ $# -gt 0 ]; then printf '%s\n' "$@"; fi >"$CHAT_DIR/fake.says"
	: >"$CHAT_DIR/fake.got"
	"$BUILD_DIR/fixtures/fake-chatd" "${quit[@]}" -s "$CHAT_DIR/fake.says" \
		"$SOCK" "$CHAT_DIR/fake.got" >"$CHAT_DIR/fake.out" 2>&1 3>&- &
	FAKE_PID=$!
	EXTRA_PIDS+=("$FAKE_PID")
	wait_for_line "$CHAT_DIR/fake.out" '^ready$'
}

# fake_got FORMAT: the fake server received exactly the bytes of printf
# FORMAT, from the start of the test or the last fake_forget.
fake_got() {
	# shellcheck disable=SC2059
	printf "$1" >"$CHAT_DIR/fake.want"
	cmp -s "$CHAT_DIR/fake.want" "$CHAT_DIR/fake.got" && return 0
	echo "the fake server got:" >&2
	od -c "$CHAT_DIR/fake.got" >&2
	echo "instead of:" >&2
	od -c "$CHAT_DIR/fake.want" >&2
	return 1
}

fake_forget() { : >"$CHAT_DIR/fake.got"; }

# The pid listening on socket path $1 (from ss), for servers started by
# a client; empty if none.
listener_pid() {
	ss -Hxlpn 2>/dev/null | awk -v p="$1" '$5 == p' |
		sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1
}

# own_listener SOCK: the pid of the server on our own socket, checked to
# be a plain pid running our pmon binary before anyone signals it (the pid
# comes from ss, and an empty or odd answer must never reach kill).
own_listener() {
	local pid exe
	pid=$(listener_pid "$1")
	plain_pid "$pid" || return 1
	exe=$(readlink "/proc/$pid/exe")
	# this test's pmon, or its copy for other accounts (which a server
	# started as another uid runs: it was missed and outlived the test)
	[ "$exe" = "$(readlink -f "$PMON")" ] ||
		{ [ -n "${OTHERS_PMON:-}" ] && [ "$exe" = "$(readlink -f "$OTHERS_PMON")" ]; } ||
		return 1
	echo "$pid"
}

# Count the servers listening on $1.
listener_count() {
	ss -Hxlpn 2>/dev/null | awk -v p="$1" '$5 == p' | wc -l
}

# in_sandbox SCRIPT: bash -c SCRIPT in a mount namespace of its own, for
# the paths every account on the machine shares: /etc and /dev are
# overlays there (whatever is written to them lands in $CHAT_DIR/sandbox,
# never in the real ones, even from a pmon that gets it wrong) and /run
# is an empty directory of root's (the system room's /run/pmon is the
# test's alone).  Processes the script starts are its to end.
in_sandbox() {
	local sb=$CHAT_DIR/sandbox
	mkdir -p "$sb/etc/up" "$sb/etc/work" "$sb/dev/up" "$sb/dev/work"
	mkdir -m 0755 "$sb/run"
	PMON=$PMON CHAT_DIR=$CHAT_DIR CHAT_GID=$CHAT_GID \
		unshare --mount --propagation private bash -c '
		sb=$1
		for d in etc dev; do
			mount -t overlay overlay -o "lowerdir=/$d,upperdir=$sb/$d/up,workdir=$sb/$d/work" "/$d" || exit 99
		done
		mount --bind "$sb/run" /run || exit 99
		unset PMON_CHAT_SOCKET
		exec bash -c "$2"' _ "$sb" "$1" 3>&-
}

# Whatever in_sandbox's script wrote to /etc and /dev (nothing, if all
# went well).
sandbox_writes() {
	(cd "$CHAT_DIR/sandbox" && find etc/up dev/up -mindepth 1)
}

# ppid_of PID: its parent's pid, or nothing when it is gone.
ppid_of() { sed -n 's/.*) [A-Za-z] \([0-9]*\) .*/\1/p' /proc/"$1"/stat 2>/dev/null; }

chat_teardown() {
	local fd pid
	for fd in "${CLIENT_FD[@]}" ${SERVER_FD:+"$SERVER_FD"}; do
		exec {fd}>&- 2>/dev/null
	done
	for pid in "${CHAT_PIDS[@]}" "${EXTRA_PIDS[@]}"; do
		# its children first (the sleep of a `sh -c 'sleep ...; ...'`),
		# while it is still our child: ours too, else left to PID 1
		# when run outside make check's subreaper
		if [ "$(ppid_of "$pid")" = "$BASHPID" ]; then
			for kid in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
				kill -KILL "$kid" 2>/dev/null
			done
		fi
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	# servers our clients started (our own socket, so our own process)
	pid=$(own_listener "$SOCK") && kill -KILL "$pid" 2>/dev/null
	stop_fixtures
	rm -rf "$CHAT_DIR"
}

setup() { chat_setup; }
teardown() { chat_teardown; }
