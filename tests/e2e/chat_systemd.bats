#!/usr/bin/env bats
# The system room under systemd: systemd/pmon-chatd.{socket,service}
# checked with systemd-analyze verify, and socket activation driven by
# systemd-socket-activate (no systemd as PID 1 needed): the server takes
# the socket it is given and still checks who connects (SO_PEERCRED).

load chat_helpers

need_activate() {
	command -v systemd-socket-activate >/dev/null ||
		skip "systemd-socket-activate (package systemd) is not installed"
	[ "$(id -u)" -eq 0 ] || skip "needs root (the system room is root's)"
}

@test "systemd units: systemd-analyze verify finds nothing to say" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
	# ExecStart must name an executable, and Documentation= a man page
	# that exists: the built pmon and its man page stand in for the
	# installed ones.
	mkdir -p "$CHAT_DIR/units" "$CHAT_DIR/man/man1"
	cp "$REPO_ROOT"/man/*.1 "$CHAT_DIR/man/man1/"
	for f in "$REPO_ROOT"/systemd/*.socket "$REPO_ROOT"/systemd/*.service; do
		sed "s|/usr/bin/pmon|$PMON|g" "$f" >"$CHAT_DIR/units/${f##*/}"
	done
	run env MANPATH="$CHAT_DIR/man" systemd-analyze verify "$CHAT_DIR"/units/*
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ] # unknown keys and bad values are warnings only
	grep -qx 'ListenStream=/run/pmon/chat.sock' "$REPO_ROOT/systemd/pmon-chatd.socket"
	[ "$("$PMON" chatd --help | grep -o '/run/pmon/chat.sock')" = /run/pmon/chat.sock ]
}

@test "socket activation: the server takes systemd's socket; a group member is admitted, an outsider refused" {
	need_activate
	run in_sandbox '
		mkdir -m 0755 /run/pmon && mkdir -m 0700 /run/state || exit 99
		systemd-socket-activate -l /run/pmon/chat.sock \
			"$PMON" chatd --system --group "$CHAT_GID" --log /run/state/chat.log \
			>"$CHAT_DIR/activated.out" 2>&1 </dev/null &
		act=$!
		trap "kill \$act; wait \$act" EXIT
		for i in $(seq 100); do [ -S /run/pmon/chat.sock ] && break; sleep 0.1; done
		# What SocketGroup= and SocketMode= of pmon-chatd.socket do.
		chgrp "$CHAT_GID" /run/pmon/chat.sock && chmod 0660 /run/pmon/chat.sock
		member() { setpriv --reuid=60001 --regid="$CHAT_GID" --clear-groups "$PMON" chat -S /run/pmon/chat.sock "$@"; }
		outsider() { setpriv --reuid=60003 --regid=60003 --clear-groups "$PMON" chat -S /run/pmon/chat.sock "$@"; }
		member --send "hello from the group" -n member; echo "member rc=$?"
		outsider --send hi -n outsider; echo "outsider rc=$?"
		# The socket open to all: the server itself must refuse.
		chmod 0666 /run/pmon/chat.sock
		outsider --send hi -n outsider; echo "outsider rc=$?"
		# Served by the process systemd started (it execs pmon), not
		# by a detached copy; the log is written.
		echo "comm $(cat /proc/$act/comm)"
		grep -c "hello from the group" /run/state/chat.log
		kill $act; wait $act; trap - EXIT
		# The socket is systemd'"'"'s: it stays when the server stops.
		[ -S /run/pmon/chat.sock ] && echo "socket stays"'
	echo "$output"
	cat "$CHAT_DIR/activated.out"
	[ "${lines[0]}" = "member rc=0" ]
	[[ "${lines[1]}" == *"Permission denied"* ]]
	[ "${lines[2]}" = "outsider rc=1" ]
	[[ "${lines[3]}" == *"is not root, not the server's owner"* ]]
	[ "${lines[4]}" = "outsider rc=1" ]
	[ "${lines[5]}" = "comm pmon" ]
	[ "${lines[6]}" = 1 ]
	[ "${lines[7]}" = "socket stays" ]
}

# activation_refused SOCKET [SETUP]: in the sandbox, after the shell
# commands SETUP, systemd-socket-activate passes chatd --system a socket
# on SOCKET and a client knocks; prints "server rc=N" once the server has
# exited (bounded: a server that took the socket would never exit).  Its
# output is in $CHAT_DIR/activated.out.
activation_refused() {
	in_sandbox '
		mkdir -m 0755 /run/pmon || exit 99
		'"${2:-}"'
		systemd-socket-activate -l '"$1"' \
			"$PMON" chatd --system >"$CHAT_DIR/activated.out" 2>&1 </dev/null &
		act=$!
		for i in $(seq 100); do [ -S '"$1"' ] && break; sleep 0.1; done
		"$PMON" chat -S '"$1"' --no-start --send hi >/dev/null 2>&1
		for i in $(seq 100); do kill -0 $act 2>/dev/null || break; sleep 0.1; done
		kill $act 2>/dev/null
		wait $act; echo "server rc=$?"'
}

@test "socket activation: a socket on another path than the room's is refused, with the reason" {
	need_activate
	run activation_refused /run/pmon/other.sock
	cat "$CHAT_DIR/activated.out"
	[ "$output" = "server rc=1" ]
	grep -q "not a listening UNIX stream socket on /run/pmon/chat.sock: ListenStream= must name the room's path" "$CHAT_DIR/activated.out"
}

@test "socket activation: without a loadable libsystemd the server says which package, exit 1" {
	need_activate
	# libsystemd is loaded only when systemd passed a socket (src/chat/systemd.h);
	# systemd-socket-activate itself uses systemd's private library.
	lib=$(ldconfig -p | awk '$1 ~ /^libsystemd\.so\./ {print $NF; exit}')
	[ -n "$lib" ]
	run activation_refused /run/pmon/chat.sock "mount --bind /dev/null '$lib' || exit 99"
	cat "$CHAT_DIR/activated.out"
	[ "$output" = "server rc=1" ]
	grep -q "systemd passed a socket, but libsystemd (Debian: libsystemd0) cannot be loaded: .*libsystemd" \
		"$CHAT_DIR/activated.out"
}
