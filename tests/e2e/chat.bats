#!/usr/bin/env bats
# pmon chat / pmon chatd: the five core behaviours with three or more
# clients, identity, access, history, the log, and the server's life.

load chat_helpers

three_in_the_room() {
	start_server "$@"
	start_client alice
	start_client bob
	start_client carol
}

@test "chat: everyone else is told when someone joins" {
	three_in_the_room
	sees alice '^\[room\] bob joined the room$'
	sees alice '^\[room\] carol joined the room$'
	sees bob '^\[room\] carol joined the room$'
	# not told of their own arrival: a line after it has reached carol
	say alice 'after the joins'
	sees carol '^alice: after the joins$'
	! grep -q 'carol joined' "$CHAT_DIR/carol.out"
}

@test "chat: a message reaches every other person as NAME: text" {
	three_in_the_room
	say alice 'hello everyone'
	sees bob '^alice: hello everyone$'
	sees carol '^alice: hello everyone$'
	say carol '//etc/hosts looks wrong'
	sees alice '^carol: /etc/hosts looks wrong$'
	sees bob '^carol: /etc/hosts looks wrong$'
	! grep -q 'alice: hello' "$CHAT_DIR/alice.out"
}

@test "chat: everyone else is told when someone leaves" {
	three_in_the_room
	leave carol
	sees alice '^\[room\] carol left the room$'
	sees bob '^\[room\] carol left the room$'
}

@test "chat: a killed client is reported as gone" {
	three_in_the_room
	kill -KILL "${CLIENT_PID[bob]}"
	sees alice '^\[room\] bob left the room( \(connection lost\))?$'
	sees carol '^\[room\] bob left the room( \(connection lost\))?$'
}

@test "chat: announcements by --announce, /announce and the chatd terminal reach everyone" {
	three_in_the_room
	run "$PMON" chat --announce 'nginx restarts at 12:00'
	[ "$status" -eq 0 ]
	for n in alice bob carol; do sees $n '^\[admin\] nginx restarts at 12:00$'; done
	say alice '/announce deploy frozen'   # alice runs as root: an admin
	sees bob '^\[admin\] deploy frozen$'
	sees carol '^\[admin\] deploy frozen$'
	echo 'typed on the server' >&"$SERVER_FD"
	for n in alice bob carol; do sees $n '^\[admin\] typed on the server$'; done
}

@test "chat: /me, /msg (private) and /who" {
	three_in_the_room
	say alice '/me restarts nginx'
	sees bob '^\* alice restarts nginx$'
	say alice '/msg bob only for you'
	sees bob '^\[private\] alice: only for you$'
	say carol '/who'
	sees carol '^\[who\] alice \(login root, uid 0\) chat( on [^,]+)?, idle [0-9]+s$'
	sees carol '^\[who\] carol \(login root, uid 0\) chat( on [^,]+)?, idle [0-9]+s$'
	sleep 0.3
	run ! grep -q 'only for you' "$CHAT_DIR/carol.out"
	run "$PMON" chat --who
	[ "$status" -eq 0 ]
	[[ "$output" == *"bob"*"root"* ]]
}

@test "chat: a taken name is refused, case-insensitively, and line mode exits 1" {
	three_in_the_room
	run "$PMON" chat -n ALICE </dev/null
	[ "$status" -eq 1 ]
	[[ "$output" == *"the name alice is taken"* ]]
	run "$PMON" chat --send hi -n Bob
	[ "$status" -eq 1 ]
	[[ "$output" == *"taken"* ]]
}

@test "chat: nobody may take another account's login name (root)" {
	copy_for_others
	start_server --group "$CHAT_GID"
	start_client alice
	run setpriv --reuid=60001 --regid="$CHAT_GID" --clear-groups \
		"$OTHERS_PMON" chat -n root </dev/null
	[ "$status" -eq 1 ]
	[[ "$output" == *"root is the login name of another account"* ]]
	run setpriv --reuid=60001 --regid="$CHAT_GID" --clear-groups \
		"$OTHERS_PMON" chat -n ROOT </dev/null
	[ "$status" -eq 1 ]
	# an announcement made after the refusals reaches alice after any
	# line the refused joins could have caused
	echo 'after the refusals' >&"$SERVER_FD"
	sees alice '^\[admin\] after the refusals$'
	! grep -qi 'root joined' "$CHAT_DIR/alice.out"
}

@test "chat: only the administrator may announce or kick" {
	copy_for_others
	start_server --group "$CHAT_GID"
	start_client alice
	run setpriv --reuid=60001 --regid="$CHAT_GID" --clear-groups \
		"$OTHERS_PMON" chat --announce 'I am root, honest'
	[ "$status" -eq 1 ]
	[[ "$output" == *"only root or the server's owner"* ]]
	start_client mallory setpriv --reuid=60001 --regid="$CHAT_GID" --clear-groups
	say mallory '/announce fake' '/kick alice' 'after'
	sees alice '^mallory: after$'
	sees mallory 'may announce'
	sees mallory 'may kick'
	run ! grep -q 'fake' "$CHAT_DIR/alice.out"
	# the administrator can; the kicked client says so and stays out
	say alice '/kick mallory enough'
	wait_for_line "$CHAT_DIR/server.out" '^\[room\] mallory left the room \(kicked by alice: enough\)$'
	sees mallory 'kicked by alice: enough'
	st=0
	wait "${CLIENT_PID[mallory]}" || st=$?
	[ "$st" -eq 1 ]
	[ "$(grep -c '^\[room\] mallory joined' "$CHAT_DIR/server.out")" -eq 1 ]
}

@test "chat: --group admits its members and SO_PEERCRED refuses others" {
	copy_for_others
	start_server --group "$CHAT_GID"
	start_client alice
	# a member (primary group): admitted, its login shown by /who
	start_client member setpriv --reuid=60001 --regid="$CHAT_GID" --clear-groups
	say alice '/who'
	sees alice '^\[who\] member \(login uid60001, uid 60001\) chat( on [^,]+)?, idle [0-9]+s$'
	# can reach the socket through a supplementary group, but its
	# account is not in the group: the server's credential check refuses
	run setpriv --reuid=60002 --regid=60002 --groups="$CHAT_GID" \
		"$OTHERS_PMON" chat --send hi -n intruder
	[ "$status" -eq 1 ]
	[[ "$output" == *"refused you"*"not in group $CHAT_GID"* ]]
	# not in the group at all: the directory keeps it out
	run setpriv --reuid=60003 --regid=60003 --clear-groups \
		"$OTHERS_PMON" chat --send hi -n stranger
	[ "$status" -eq 1 ]
	[[ "$output" == *"Permission denied"* ]]
	! grep -q 'intruder\|stranger' "$CHAT_DIR/alice.out"
}

@test "chat: a squatted socket directory is refused by the client" {
	# another user's directory, with that user's server in it
	copy_for_others
	mkdir -m 0755 "$CHAT_DIR/squat"
	chown 60002:60002 "$CHAT_DIR/squat"
	setpriv --reuid=60002 --regid=60002 --clear-groups \
		"$OTHERS_PMON" chatd --foreground -S "$CHAT_DIR/squat/sock" \
		</dev/null >"$CHAT_DIR/squat.out" 2>&1 3>&- &
	EXTRA_PIDS+=("$!")
	wait_for_line "$CHAT_DIR/squat.out" 'the room is open'
	run "$PMON" chat -S "$CHAT_DIR/squat/sock" --send hi
	[ "$status" -eq 1 ]
	[[ "$output" == *"belongs to uid60002"*"posing as the room"* ]]
	# a world-writable directory, and a symbolic link, are refused too
	mkdir -m 1777 "$CHAT_DIR/open"
	run "$PMON" chat -S "$CHAT_DIR/open/sock" --send hi
	[ "$status" -eq 1 ]
	[[ "$output" == *"writable by other users"* ]]
	ln -s "$CHAT_DIR/squat" "$CHAT_DIR/link"
	run "$PMON" chat -S "$CHAT_DIR/link/sock" --send hi
	[ "$status" -eq 1 ]
	[[ "$output" == *"symbolic link"* ]]
}

@test "chat: a server run by another user is refused even in a trusted directory" {
	mkdir -m 0777 "$CHAT_DIR/shared"
	setpriv --reuid=60002 --regid=60002 --clear-groups \
		socat UNIX-LISTEN:"$CHAT_DIR/shared/sock",mode=777,fork \
		SYSTEM:'echo hello pmon-chat 1 fake' 3>&- &
	EXTRA_PIDS+=("$!")
	for i in $(seq 50); do [ -S "$CHAT_DIR/shared/sock" ] && break; sleep 0.1; done
	chmod 0755 "$CHAT_DIR/shared" # root's, and closed: only the server is foreign
	run "$PMON" chat -S "$CHAT_DIR/shared/sock" --no-start --send hi
	[ "$status" -eq 1 ]
	[[ "$output" == *"runs as uid60002"*"refusing to talk to it"* ]]
}

@test "chat: the last 20 events are replayed, marked as history" {
	start_server
	start_client alice
	for i in $(seq 1 25); do say alice "m$i"; done
	wait_for_line "$CHAT_DIR/server.out" '^alice: m25$'
	start_client dave
	sees dave '^\[history [0-9: -]+\] alice: m25$'
	grep -qE '^\[history [0-9: -]+\] alice: m6$' "$CHAT_DIR/dave.out"
	run ! grep -qE 'alice: m5$' "$CHAT_DIR/dave.out"
	[ "$(grep -c '^\[history' "$CHAT_DIR/dave.out")" -eq 20 ]
}

@test "chat: --log is written as events happen and a restarted server reloads it" {
	start_server --log "$CHAT_DIR/room.log"
	start_client alice
	say alice 'before the crash'
	wait_for_line "$CHAT_DIR/room.log" 'msg alice before the crash$'
	# a crash: no chance to flush anything, and a stale socket left
	kill -KILL "${CLIENT_PID[alice]}" "$SERVER_PID"
	wait "$SERVER_PID" || true
	[ -S "$SOCK" ]
	start_server --log "$CHAT_DIR/room.log"
	start_client bob
	sees bob '^\[history [0-9: -]+\] alice: before the crash$'
	grep -qE '^event [0-9]+ join bob$' "$CHAT_DIR/room.log"
}

@test "chat: SIGTERM tells the room, removes the socket, and clients leave" {
	three_in_the_room
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID"
	sees alice '^\[room\] the room is closing'
	sees bob '^\[room\] the room is closing'
	[ ! -e "$SOCK" ]
	leave carol
	[ -z "$(listener_pid "$SOCK")" ]
}

@test "chat: the first client starts a detached server; two at once start one" {
	[ -z "$(listener_pid "$SOCK")" ]
	start_client_nowait alice
	start_client_nowait bob
	# Up to 20 s: under load the first client may start the server late.
	wait_for_line "$CHAT_DIR/alice.out" . 30 || true
	for i in $(seq 200); do
		"$PMON" chat --who 2>/dev/null | grep -q bob &&
			"$PMON" chat --who | grep -q alice && break
		sleep 0.1
	done
	run "$PMON" chat --who
	[[ "$output" == *alice* && "$output" == *bob* ]] || { cat "$CHAT_DIR"/*.out; false; }
	[ "$(listener_count "$SOCK")" -eq 1 ]
	pid=$(listener_pid "$SOCK")
	# detached: its own session, not a child of either client
	ppid=$(proc_ppid "$pid")
	[ "$ppid" != "${CLIENT_PID[alice]}" ] && [ "$ppid" != "${CLIENT_PID[bob]}" ]
	# its own session (the double fork leaves it a non-leader in it)
	[ "$(awk '{print $6}' "/proc/$pid/stat")" != "$(awk '{print $6}' "/proc/${CLIENT_PID[alice]}/stat")" ]
	# it holds nothing of the client's shell (the tests' fifos, say)
	fds=$(ls -l "/proc/$pid/fd/")
	run ! grep -q "$CHAT_DIR/.*\.in" <<<"$fds"
	# a second server on the same socket is refused, not started
	run timeout 10 "$PMON" chatd
	[ "$status" -eq 1 ]
	[[ "$output" == *"a server is already listening on $SOCK"* ]]
}

@test "chat: a killed server: the client says so, starts a new one and is back" {
	start_client_nowait alice
	for i in $(seq 50); do [ -n "$(listener_pid "$SOCK")" ] && break; sleep 0.1; done
	old=$(own_listener "$SOCK")
	[ -n "$old" ]
	run "$PMON" chat --who
	kill -KILL "$old"
	sees alice 'lost the connection to the room'
	sees alice 'back in the room as alice'
	new=$(listener_pid "$SOCK")
	[ -n "$new" ] && [ "$new" != "$old" ]
	run "$PMON" chat --send 'welcome back' -n bob
	[ "$status" -eq 0 ]
	sees alice '^bob: welcome back$'
}

@test "chat: a stale socket is replaced only when the caller owns it" {
	mkdir -m 0755 "$CHAT_DIR/room"
	# a dead server's socket, ours: replaced by the auto-started server
	socat UNIX-LISTEN:"$SOCK" /dev/null 3>&- &
	EXTRA_PIDS+=("$!")
	for i in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
	kill -KILL "$!"
	run "$PMON" chat --send 'over the stale one' -n alice
	[ "$status" -eq 0 ]
	[ -n "$(listener_pid "$SOCK")" ]
	pid=$(own_listener "$SOCK")
	kill -KILL "$pid"
	# someone else's dead socket: left alone
	rm -f "$SOCK"
	mkdir -m 0700 "$CHAT_DIR/other"
	chown 60002 "$CHAT_DIR/other"
	setpriv --reuid=60002 --regid=60002 --clear-groups \
		socat UNIX-LISTEN:"$CHAT_DIR/other/sock" /dev/null 3>&- &
	EXTRA_PIDS+=("$!")
	for i in $(seq 50); do [ -S "$CHAT_DIR/other/sock" ] && break; sleep 0.1; done
	kill -KILL "$!"
	mv "$CHAT_DIR/other/sock" "$SOCK"
	run "$PMON" chat --send hi -n alice
	[ "$status" -eq 1 ]
	[[ "$output" == *"not removing it"* ]]
	[ -S "$SOCK" ]
}

@test "chat: the protocol is plain lines that socat can speak" {
	start_server
	start_client alice
	run bash -c "printf 'zed\nhi from socat\n/who\n/help\n/quit\n' |
		socat -t 2 - UNIX-CONNECT:$SOCK"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "hello pmon-chat 1 "* ]]
	[ "${lines[1]}" = "ok name zed" ]
	[[ "$output" == *"who alice root"* ]]
	[[ "$output" == *"help /msg NAME TEXT        a private message to NAME"* ]]
	[[ "$output" == *"help /kick NAME [REASON]   [admin] put NAME out of the room"* ]]
	[[ "$output" == *"ok bye"* ]]
	sees alice '^zed: hi from socat$'
}

@test "chat: --no-start and --announce say plainly that no room is open" {
	run "$PMON" chat --no-start </dev/null
	[ "$status" -eq 1 ]
	[[ "$output" == *"no room is open on $SOCK"* ]]
	run "$PMON" chat --announce hi
	[ "$status" -eq 1 ]
	[[ "$output" == *"no room is open"* ]]
	[ ! -e "$SOCK" ]
}
