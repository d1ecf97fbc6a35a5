#!/usr/bin/env bats
# pmon chatd's own robustness: account lookups that never stall the
# loop, the log, a room no single member can fill, and the server a
# client starts.

load chat_helpers

# The shim that makes chosen account lookups slow, for LD_PRELOAD (after
# the sanitizer's runtime in a SANITIZE=1 build, which must come first).
slow_nss_preload() {
	local asan
	asan=$(ldd "$PMON" | awk '/libasan/ {print $3}')
	echo "${asan:+$asan:}$BUILD_DIR/fixtures/slow-nss.so"
}

@test "chatd: slow account lookups (LDAP, sssd) never stall the room" {
	LD_PRELOAD=$(slow_nss_preload) SLOW_NSS_UID=60001 SLOW_NSS_NAME=slowname \
		SLOW_NSS_SECONDS=4 SLOW_NSS_MARK="$CHAT_DIR/nss" \
		start_server --group "$CHAT_GID"
	start_client alice
	start_client bob
	# a member whose account takes 4 s to look up (its login, its groups)
	start_client_nowait slow setpriv --reuid=60001 --regid="$CHAT_GID" --clear-groups
	wait_for_line "$CHAT_DIR/nss" '^start uid60001$'
	say alice 'while uid 60001 is looked up'
	sees bob '^alice: while uid 60001 is looked up$'
	run grep -q '^end uid60001' "$CHAT_DIR/nss"
	[ "$status" -eq 1 ] # the room went on during the lookup
	wait_for_line "$CHAT_DIR/server.out" '^\[room\] slow joined the room$'
	# a name whose owner (is it someone's login?) takes 4 s to look up
	start_client_nowait slowname
	wait_for_line "$CHAT_DIR/nss" '^start slowname$'
	say alice 'while slowname is looked up'
	sees bob '^alice: while slowname is looked up$'
	run grep -q '^end slowname' "$CHAT_DIR/nss"
	[ "$status" -eq 1 ]
	wait_for_line "$CHAT_DIR/server.out" '^\[room\] slowname joined the room$'
}

# chatd_refuses ARGS...: a foreground server that must refuse to start,
# at once (timeout: a server blocked on a FIFO would wait forever).
chatd_refuses() {
	run timeout -k 5 20 "$PMON" chatd --foreground -S "$SOCK" "$@" </dev/null
	[ "$status" -eq 1 ] || { echo "status $status: $output" >&2; return 1; }
}

@test "chatd --log: a file another account made, or anyone may write, is refused" {
	# another account made it (mode 0666) while the directory was open
	mkdir -m 1777 "$CHAT_DIR/logs"
	setpriv --reuid=60001 --regid=60001 --clear-groups \
		sh -c 'umask 0; echo "event 1 announce forged" >"$1"' sh "$CHAT_DIR/logs/room.log"
	chmod 0755 "$CHAT_DIR/logs"
	chatd_refuses --log "$CHAT_DIR/logs/room.log"
	[[ "$output" == *"the log $CHAT_DIR/logs/room.log belongs to uid60001 (uid 60001), not to the server's user root"* ]]
	[ "$(cat "$CHAT_DIR/logs/room.log")" = "event 1 announce forged" ]
	# ours, but writable by others
	touch "$CHAT_DIR/open.log"
	chmod 0666 "$CHAT_DIR/open.log"
	chatd_refuses --log "$CHAT_DIR/open.log"
	[[ "$output" == *"the log $CHAT_DIR/open.log is writable by other users (mode 0666)"* ]]
	# in a directory anyone may write
	mkdir -m 1777 "$CHAT_DIR/tmp"
	chatd_refuses --log "$CHAT_DIR/tmp/room.log"
	[[ "$output" == *"the log's directory $CHAT_DIR/tmp is writable by other users"* ]]
	[ ! -e "$CHAT_DIR/tmp/room.log" ]
}

@test "chatd --log: a FIFO at the path is refused, never waited on" {
	mkfifo "$CHAT_DIR/room.log"
	chatd_refuses --log "$CHAT_DIR/room.log"
	[[ "$output" == *"the log $CHAT_DIR/room.log is a FIFO, not a regular file"* ]]
}

@test "chatd --log: a symbolic link is refused, not followed" {
	echo 'event 1700000000 msg bob secret history' >"$CHAT_DIR/elsewhere"
	ln -s "$CHAT_DIR/elsewhere" "$CHAT_DIR/room.log"
	chatd_refuses --log "$CHAT_DIR/room.log"
	[[ "$output" == *"the log $CHAT_DIR/room.log is a symbolic link: the server does not follow one"* ]]
	[ "$(cat "$CHAT_DIR/elsewhere")" = 'event 1700000000 msg bob secret history' ]
}

@test "chatd --log: a log in the room's own directory is refused (it would shut the room)" {
	# Accepted, it would pass once; then every client and the next
	# server refuse a room directory that holds a regular file.
	chatd_refuses --log "$(dirname "$SOCK")/room.log"
	[[ "$output" == *"the log $(dirname "$SOCK")/room.log is in the directory of the room's socket $SOCK"* ]]
	run ls -A "$(dirname "$SOCK")"
	[ "$output" = "" ]
}

@test "chatd --log: a new log is made with mode 0600, and SIGHUP reopens it (logrotate)" {
	start_server --log "$CHAT_DIR/room.log"
	[ "$(stat -c %a "$CHAT_DIR/room.log")" = 600 ]
	start_client alice
	say alice 'before the rotation'
	wait_for_line "$CHAT_DIR/room.log" 'msg alice before the rotation$'
	mv "$CHAT_DIR/room.log" "$CHAT_DIR/room.log.1"
	kill -HUP "$SERVER_PID"
	# the server goes on, and writes to a new file at the path
	for i in $(seq 100); do [ -e "$CHAT_DIR/room.log" ] && break; sleep 0.1; done
	say alice 'after the rotation'
	wait_for_line "$CHAT_DIR/room.log" 'msg alice after the rotation$'
	[ "$(stat -c %a "$CHAT_DIR/room.log")" = 600 ]
	run grep -c 'after the rotation' "$CHAT_DIR/room.log.1"
	[ "$output" = 0 ]
	kill -0 "$SERVER_PID"
	# a reopen that is refused keeps the old file, and says why
	mv "$CHAT_DIR/room.log" "$CHAT_DIR/room.log.2"
	mkfifo "$CHAT_DIR/room.log"
	kill -HUP "$SERVER_PID"
	wait_for_line "$CHAT_DIR/server.out" 'is a FIFO, not a regular file.*; still writing to the file it had open$'
	say alice 'after the refusal'
	wait_for_line "$CHAT_DIR/room.log.2" 'msg alice after the refusal$'
}

@test "chatd --log: a torn last line is cut off, never merged with the next event" {
	printf 'event 1700000000 join mallory\nevent 1700000001 msg mallory half a li' >"$CHAT_DIR/room.log"
	chmod 0600 "$CHAT_DIR/room.log"
	start_server --log "$CHAT_DIR/room.log"
	cp "$CHAT_DIR/server.out" "$CHAT_DIR/first.out"
	start_client alice
	say alice 'after the tear'
	wait_for_line "$CHAT_DIR/room.log" '^event [0-9]+ msg alice after the tear$'
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID"
	leave alice || true
	start_server --log "$CHAT_DIR/room.log"
	start_client bob
	sees bob '^\[history [0-9: -]+\] alice: after the tear$'
	sees bob '^\[history [0-9: -]+\] \[room\] mallory joined the room$'
	run grep -c 'half a li' "$CHAT_DIR/bob.out" "$CHAT_DIR/room.log"
	[ "$output" = "$CHAT_DIR/bob.out:0"$'\n'"$CHAT_DIR/room.log:0" ]
	run grep -vcE '^event [0-9]+ [a-z]+( |$)' "$CHAT_DIR/room.log"
	[ "$output" = 0 ]
	# and the first server said what it cut
	grep -q "the log $CHAT_DIR/room.log ended in a torn line (38 bytes without a newline" "$CHAT_DIR/first.out"
}

@test "chatd --log: a short write (file size limit) is reported with its reason and cut off" {
	# 1000 bytes of log under a 1 KiB limit: the next event is torn
	{ printf 'event 1700000000 msg seed '; printf 'x%.0s' $(seq 973); echo; } >"$CHAT_DIR/room.log"
	chmod 0600 "$CHAT_DIR/room.log"
	[ "$(stat -c %s "$CHAT_DIR/room.log")" = 1000 ]
	mkfifo "$CHAT_DIR/server.in"
	bash -c 'ulimit -f 1; exec "$0" chatd --foreground -S "$1" --log "$2"' \
		"$PMON" "$SOCK" "$CHAT_DIR/room.log" <"$CHAT_DIR/server.in" \
		>"$CHAT_DIR/server.out" 2>&1 3>&- &
	SERVER_PID=$!
	CHAT_PIDS+=("$SERVER_PID")
	exec {SERVER_FD}>"$CHAT_DIR/server.in"
	wait_for_line "$CHAT_DIR/server.out" 'the room is open'
	start_client alice # "event T join alice\n": 28 bytes, 24 fit
	wait_for_line "$CHAT_DIR/server.out" "cannot append to the log $CHAT_DIR/room.log: only 24 of 28 bytes were written \\(File too large\\); the event is not in the log"
	say alice 'still talking'
	wait_for_line "$CHAT_DIR/server.out" '^alice: still talking$'
	kill -0 "$SERVER_PID" # EFBIG, not SIGXFSZ
	[ "$(grep -c 'cannot append' "$CHAT_DIR/server.out")" = 1 ] # once
	[ "$(stat -c %s "$CHAT_DIR/room.log")" = 1000 ]
	[ "$(tail -c 1 "$CHAT_DIR/room.log" | od -An -c | tr -d ' ')" = '\n' ]
}

# hold_conns OUT N [PREFIX...]: N connections, opened as PREFIX (setpriv
# ...), their first lines in $CHAT_DIR/OUT, held until the teardown.
# Debian's python3 by its path: the PATH's may be root's own (pyenv),
# which another account cannot run.
hold_conns() {
	local out=$CHAT_DIR/$1 n=$2
	shift 2
	copy_for_others || return 1  # the checkout may be closed to them
	"$@" /usr/bin/python3 "$OTHERS_DIR/hold_conns.py" "$SOCK" "$n" \
		>"$out" 2>&1 3>&- &
	EXTRA_PIDS+=("$!")
	wait_for_line "$out" '^held$' 600 || { cat "$out" >&2; return 1; }
}

@test "chatd: one account may hold 16 connections (--per-account); root any number" {
	start_server --group "$CHAT_GID" --name-timeout 120
	hold_conns member.out 20 setpriv --reuid=60001 --regid="$CHAT_GID" --clear-groups
	[ "$(grep -c '^hello pmon-chat 1 ' "$CHAT_DIR/member.out")" = 16 ]
	[ "$(grep -c '^error toomany uid 60001 has 16 connections to the room already' "$CHAT_DIR/member.out")" = 4 ]
	# the others in the group are not held back by it
	run setpriv --reuid=60002 --regid="$CHAT_GID" --clear-groups \
		"$PMON" chat --send 'I am not 60001' -n other
	[ "$status" -eq 0 ]
	hold_conns root.out 20
	[ "$(grep -c '^hello pmon-chat 1 ' "$CHAT_DIR/root.out")" = 20 ]
}

@test "chatd: an account whose login is no name of the room (user@domain) enters and acts as uidN" {
	[ "$(id -u)" -eq 0 ] || skip "needs root for a mount namespace"
	# the server's passwd (in a mount namespace of its own) names uid
	# 60051 as sssd would: ann@corp.example
	cp /etc/passwd "$CHAT_DIR/passwd"
	echo "ann@corp.example:x:60051:$CHAT_GID::/nonexistent:/usr/sbin/nologin" >>"$CHAT_DIR/passwd"
	cat >"$CHAT_DIR/pmon-fakepw" <<SCRIPT
#!/bin/sh
exec unshare -m sh -c 'mount --bind "\$0" /etc/passwd && exec "\$@"' "$CHAT_DIR/passwd" "$PMON" "\$@"
SCRIPT
	chmod 755 "$CHAT_DIR/pmon-fakepw"
	PMON=$CHAT_DIR/pmon-fakepw start_server --group "$CHAT_GID"
	start_client alice
	copy_for_others
	run setpriv --reuid=60051 --regid="$CHAT_GID" --clear-groups \
		"$OTHERS_PMON" chat --send 'hello from corp'
	echo "$output"
	[ "$status" -eq 0 ]
	sees alice '^uid60051: hello from corp$'
}

@test "chatd: a connection that gives no name in time is closed (--name-timeout)" {
	start_server --name-timeout 1
	start_client alice
	run timeout -k 5 20 socat -u UNIX-CONNECT:"$SOCK" STDOUT
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "hello pmon-chat 1 "* ]]
	[ "${lines[1]}" = "error gone no name given within 1 s" ]
	# a named member has no such deadline
	sleep 1.5
	say alice 'still here'
	wait_for_line "$CHAT_DIR/server.out" '^alice: still here$'
}

@test "chatd: an account filling the descriptor table never locks out root" {
	mkfifo "$CHAT_DIR/server.in"
	bash -c 'ulimit -n 64; exec "$0" chatd --foreground -S "$1" --group "$2" --per-account 0 --name-timeout 300' \
		"$PMON" "$SOCK" "$CHAT_GID" <"$CHAT_DIR/server.in" \
		>"$CHAT_DIR/server.out" 2>&1 3>&- &
	SERVER_PID=$!
	CHAT_PIDS+=("$SERVER_PID")
	exec {SERVER_FD}>"$CHAT_DIR/server.in"
	wait_for_line "$CHAT_DIR/server.out" 'the room is open'
	hold_conns member.out 80 setpriv --reuid=60001 --regid="$CHAT_GID" --clear-groups
	admitted=$(grep -c '^hello pmon-chat 1 ' "$CHAT_DIR/member.out")
	full=$(grep -c '^error full the room is full' "$CHAT_DIR/member.out")
	[ "$((admitted + full))" = 80 ] && [ "$admitted" -gt 20 ] && [ "$full" -gt 0 ]
	# root gets in, more than once at a time
	start_client boss
	run "$PMON" chat --who
	[ "$status" -eq 0 ]
	[[ "$output" == *boss*root* ]]
	run "$PMON" chat --send 'still in charge' -n deputy
	[ "$status" -eq 0 ]
	sees boss '^deputy: still in charge$'
	# and the reserve stays the administrators': other accounts are refused
	run setpriv --reuid=60002 --regid="$CHAT_GID" --clear-groups \
		"$PMON" chat --send hi -n other
	[ "$status" -eq 1 ]
	[[ "$output" == *"the room is full"* ]]
}

@test "chatd --group: an existing 0700 directory of the server's is opened to the group" {
	mkdir -m 0700 "$CHAT_DIR/room"
	start_server --group "$CHAT_GID"
	[ "$(stat -c %a:%g "$CHAT_DIR/room")" = "750:$CHAT_GID" ]
	start_client alice
	run setpriv --reuid=60001 --regid="$CHAT_GID" --clear-groups \
		"$PMON" chat --send 'I can reach it' -n member
	[ "$status" -eq 0 ]
	sees alice '^member: I can reach it$'
}

@test "chatd --group: a directory that keeps the group out and is not the server's is refused" {
	# root's, open to others but closed to the group itself (0705, group
	# $CHAT_GID); the server runs as uid 60002, one of the others
	mkdir -m 0705 "$CHAT_DIR/room"
	chgrp "$CHAT_GID" "$CHAT_DIR/room"
	run timeout -k 5 20 setpriv --reuid=60002 --regid=60002 --clear-groups \
		"$PMON" chatd --foreground -S "$SOCK" --group "$CHAT_GID" </dev/null
	[ "$status" -eq 1 ]
	[[ "$output" == *"the socket directory $CHAT_DIR/room (mode 0705, group $CHAT_GID) keeps group $CHAT_GID out, and only its owner root (uid 0) may change that"* ]]
	[ "$(stat -c %a:%g "$CHAT_DIR/room")" = "705:$CHAT_GID" ]
}

# stops PID: PID (our server) has exited, within 10 s.
stops() {
	local i
	for i in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	return 1
}

@test "chat: the server a client starts shows in ps as pmon chatd with its socket, and leaves no lock behind" {
	run "$PMON" chat --send 'start it' -n alice
	[ "$status" -eq 0 ]
	pid=$(own_listener "$SOCK")
	args=$(ps -o args= -p "$pid")
	[[ "$args" == "pmon chatd -S $SOCK --ready-fd 3 --lock-fd 4" ]] || { echo "ps: $args" >&2; false; }
	kill -TERM "$pid"
	stops "$pid"
	[ ! -e "$SOCK" ] && [ ! -e "$SOCK.lock" ]
	[ -z "$(ls -A "$CHAT_DIR/room")" ]
	# pmon chatd started detached without -S names its socket too
	"$PMON" chatd --per-account 4
	pid=$(own_listener "$SOCK")
	args=$(ps -o args= -p "$pid")
	[[ "$args" == "pmon chatd --per-account 4 -S $SOCK --ready-fd 3" ]] || { echo "ps: $args" >&2; false; }
	kill -TERM "$pid"
	stops "$pid"
	[ -z "$(ls -A "$CHAT_DIR/room")" ]
}
