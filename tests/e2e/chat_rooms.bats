#!/usr/bin/env bats
# Where rooms live: socket paths that are not rooms, the system room that
# only root opens, and personal rooms nobody else can take.

load chat_helpers

@test "chat -S: /etc/passwd, a new name in /etc, /dev/null: refused before anything is made" {
	run in_sandbox '
		"$PMON" chat -S /etc/passwd --send hi; echo "rc=$?"
		"$PMON" chatd -S /etc/passwd; echo "rc=$?"
		"$PMON" chat -S /etc/pmon.sock --send hi; echo "rc=$?"
		"$PMON" chat -S /dev/null --send hi; echo "rc=$?"
		"$PMON" chatd -S /dev/null; echo "rc=$?"'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pmon: chat: /etc/passwd is a regular file, not a socket: not a room; choose another path with -S" ]
	[ "${lines[1]}" = "rc=1" ]
	[ "${lines[2]}" = "pmon: chatd: /etc/passwd is a regular file, not a socket: not a room; choose another path with -S" ]
	[ "${lines[3]}" = "rc=1" ]
	[[ "${lines[4]}" == "pmon: chat: /etc is not a room's directory: it holds "*", and a room's directory holds only sockets and their .lock files; choose a directory of the room's own with -S" ]]
	[ "${lines[5]}" = "rc=1" ]
	[ "${lines[6]}" = "pmon: chat: /dev/null is a character device, not a socket: not a room; choose another path with -S" ]
	[ "${lines[7]}" = "rc=1" ]
	[ "${lines[8]}" = "pmon: chatd: /dev/null is a character device, not a socket: not a room; choose another path with -S" ]
	[ "${lines[9]}" = "rc=1" ]
	# nothing at all was written to /etc or /dev (no passwd.lock)
	[ -z "$(sandbox_writes)" ]
}

@test "chat -S: a directory, a trailing '/', a path too long: one reason each, the same from chat and chatd" {
	mkdir -m 0700 "$CHAT_DIR/adir"
	run "$PMON" chat -S "$CHAT_DIR/adir" --send hi
	[ "$status" -eq 1 ]
	[[ "$output" == *"$CHAT_DIR/adir is a directory, not a socket"* ]]
	run "$PMON" chat -S "$CHAT_DIR/adir/" --send hi
	[ "$status" -eq 1 ]
	[[ "$output" == *"the socket path '$CHAT_DIR/adir/' ends in '/': it must name the socket itself"* ]]
	[ -z "$(ls -A "$CHAT_DIR/adir")" ] && [ ! -e "$CHAT_DIR/adir.lock" ]
	long=$CHAT_DIR/$(printf 'd%.0s' $(seq 50))/$(printf 's%.0s' $(seq 50))
	run "$PMON" chat -S "$long" --send hi
	[ "$status" -eq 1 ]
	[[ "$output" == "pmon: chat: the socket path $long is ${#long} bytes long; a UNIX socket's path is at most 107 bytes" ]]
	said=${output#pmon: chat: }
	run "$PMON" chatd -S "$long"
	[ "$status" -eq 1 ]
	[ "${output#pmon: chatd: }" = "$said" ]
	[ ! -e "${long%/*}" ] # not even its directory was made
}

@test "chat -S: a room's directory closed to the user says whose it is; one further up says so" {
	copy_for_others
	mkdir -m 0700 "$CHAT_DIR/theirs" "$CHAT_DIR/up"
	chown 60012:60100 "$CHAT_DIR/theirs"
	mkdir "$CHAT_DIR/up/room"
	as_60013=(setpriv --reuid=60013 --regid=60013 --clear-groups "$OTHERS_PMON")
	run "${as_60013[@]}" chat -S "$CHAT_DIR/theirs/sock" --send hi
	[ "$status" -eq 1 ]
	[ "$output" = "pmon: chat: cannot check the socket path $CHAT_DIR/theirs/sock: Permission denied (its directory $CHAT_DIR/theirs, mode 0700, is uid60012 (uid 60012)'s, group 60100, and closed to uid 60013: a room there is for its owner and group)" ]
	run "${as_60013[@]}" chatd -S "$CHAT_DIR/up/room/sock" --foreground </dev/null
	[ "$status" -eq 1 ]
	[ "$output" = "pmon: chatd: cannot check the socket path $CHAT_DIR/up/room/sock: Permission denied (a directory above it is closed to you)" ]
	# nothing was made, and no server started
	[ -z "$(ls -A "$CHAT_DIR/theirs")" ] && [ -z "$(ls -A "$CHAT_DIR/up/room")" ]
}

@test "chat: a regular file where the socket should be is said to be one, not a dead server" {
	mkdir -m 0700 "$CHAT_DIR/room"
	echo 'not a socket' >"$SOCK"
	run "$PMON" chat --send hi
	[ "$status" -eq 1 ]
	[ "$output" = "pmon: chat: $SOCK is a regular file, not a socket: not a room; choose another path with -S" ]
	[ ! -e "$SOCK.lock" ]
	[ "$(cat "$SOCK")" = 'not a socket' ]
}

@test "chat: root's system room (/run/pmon, --system --group) admits its group and refuses outsiders" {
	run in_sandbox '
		"$PMON" chatd --system --group "$CHAT_GID" --foreground </dev/null \
			>"$CHAT_DIR/system.out" 2>&1 &
		server=$!
		trap "kill \$server; wait \$server" EXIT
		for i in $(seq 100); do [ -S /run/pmon/chat.sock ] && break; sleep 0.1; done
		stat -c "dir %u %a %g" /run/pmon
		stat -c "sock %u %a %g" /run/pmon/chat.sock
		member() { setpriv --reuid=60001 --regid="$CHAT_GID" --clear-groups "$PMON" chat "$@"; }
		outsider() { setpriv --reuid=60003 --regid=60003 --clear-groups "$PMON" chat "$@"; }
		member --send "hello from the group" -n member; echo "member rc=$?"
		outsider -S /run/pmon/chat.sock --send hi -n outsider; echo "outsider rc=$?"
		outsider --no-start --send hi; echo "outsider default rc=$?"
		"$PMON" chat --who; echo "root rc=$?"
		"$PMON" chat --no-start -S /run/pmon/nothing.sock --send hi; echo "none rc=$?"'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "dir 0 750 $CHAT_GID" ]
	[ "${lines[1]}" = "sock 0 660 $CHAT_GID" ]
	[ "${lines[2]}" = "member rc=0" ] # by default: the system room
	grep -q '^member: hello from the group$' "$CHAT_DIR/system.out"
	# whose directory keeps the outsider out, so that it knows whom to ask
	[ "${lines[3]}" = "pmon: chat: cannot check the socket path /run/pmon/chat.sock: Permission denied (its directory /run/pmon, mode 0750, is root (uid 0)'s, group $CHAT_GID, and closed to uid 60003: a room there is for its owner and group)" ]
	[ "${lines[4]}" = "outsider rc=1" ]
	# an outsider's pmon chat goes to its own room, not the system one
	[[ "${lines[5]}" == *"no room is open on /tmp/pmon-60003/chat.sock"* ]]
	[ "${lines[6]}" = "outsider default rc=1" ]
	[[ "$output" == *"NAME"*"LOGIN"* ]]
	[[ "$output" == *"root rc=0"* ]]
	grep -q 'none rc=1' <<<"$output"
	run grep -c 'outsider' "$CHAT_DIR/system.out"
	[ "$output" = 0 ]
}

@test "chat: /run/pmon cannot be squatted: only root opens the system room, and a planted one is refused" {
	run in_sandbox '
		as_60002() { setpriv --reuid=60002 --regid=60002 --clear-groups "$@"; }
		as_60002 "$PMON" chatd --system; echo "chatd rc=$?"
		as_60002 mkdir /run/pmon; echo "mkdir rc=$?"
		# planted all the same (as if /run had been open for a moment),
		# with something answering like a room
		mkdir -m 0755 /run/pmon && chown 60002:60002 /run/pmon
		setpriv --reuid=60002 --regid=60002 --clear-groups \
			socat UNIX-LISTEN:/run/pmon/chat.sock,fork \
			SYSTEM:"echo hello pmon-chat 1 fake" </dev/null >/dev/null 2>&1 &
		squatter=$!
		trap "kill \$squatter; wait \$squatter" EXIT
		for i in $(seq 100); do [ -S /run/pmon/chat.sock ] && break; sleep 0.1; done
		timeout -k 5 20 "$PMON" chat --send hi; echo "root chat rc=$?"
		timeout -k 5 20 "$PMON" chatd --system; echo "root chatd rc=$?"'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pmon: chatd: only root may open the system room (/run/pmon/chat.sock); without --system you open your own" ]
	[ "${lines[1]}" = "chatd rc=1" ]
	[[ "${lines[2]}" == *"Permission denied"* ]]
	[ "${lines[3]}" = "mkdir rc=1" ]
	[[ "${lines[4]}" == "pmon: chat: the system room's directory /run/pmon belongs to uid60002 (uid 60002), not to root: it may be someone posing as the room"* ]]
	[ "${lines[5]}" = "root chat rc=1" ]
	[[ "${lines[6]}" == "pmon: chatd: the system room's directory /run/pmon belongs to uid60002 (uid 60002), not to root"* ]]
	[ "${lines[7]}" = "root chatd rc=1" ]
}

# A uid of our own for the personal room tests: /tmp is shared, and a
# run beside this one must not meet the same /tmp/pmon-UID.
victim_setup() {
	VICTIM=$((61000 + $$ % 1000))
	VICTIM_DIR=/tmp/pmon-$VICTIM
	[ ! -e "$VICTIM_DIR" ] || skip "$VICTIM_DIR exists already"
	AS_VICTIM=(setpriv --reuid="$VICTIM" --regid="$VICTIM" --clear-groups
		env -u PMON_CHAT_SOCKET)
}

teardown() {
	local pid
	if [ -n "${VICTIM_DIR:-}" ]; then
		pid=$(own_listener "$VICTIM_DIR/chat.sock") && kill -KILL "$pid"
		rm -rf "$VICTIM_DIR"
	fi
	chat_teardown
}

@test "chat: another account making /tmp/pmon-UID first cannot lock its owner out: a refusal naming it, not a hang" {
	victim_setup
	copy_for_others  # the checkout may be closed to other accounts
	# made first by uid 60002, open to all
	setpriv --reuid=60002 --regid=60002 --clear-groups mkdir -m 0777 "$VICTIM_DIR"
	run timeout -k 5 30 "${AS_VICTIM[@]}" "$OTHERS_PMON" chat --send hi
	[ "$status" -eq 1 ]
	[ "$output" = "pmon: chat: your room's directory $VICTIM_DIR belongs to uid60002 (uid 60002), not to you: someone made it before you did, to keep you out of your room or to pose as it; have it removed (by root if need be), or use -S" ]
	run timeout -k 5 30 "${AS_VICTIM[@]}" "$OTHERS_PMON" chatd
	[ "$status" -eq 1 ]
	[[ "$output" == "pmon: chatd: your room's directory $VICTIM_DIR belongs to uid60002"* ]]
	# a symbolic link to a directory of the victim's would do no better
	rmdir "$VICTIM_DIR"
	mkdir -m 0700 "$CHAT_DIR/bait"
	chown "$VICTIM" "$CHAT_DIR/bait"
	setpriv --reuid=60002 --regid=60002 --clear-groups ln -s "$CHAT_DIR/bait" "$VICTIM_DIR"
	run timeout -k 5 30 "${AS_VICTIM[@]}" "$OTHERS_PMON" chat --send hi
	[ "$status" -eq 1 ]
	[[ "$output" == *"room directory $VICTIM_DIR is a symbolic link"* ]]
	# nor its own directory left open
	rm "$VICTIM_DIR"
	mkdir -m 0755 "$VICTIM_DIR"
	chown "$VICTIM" "$VICTIM_DIR"
	run timeout -k 5 30 "${AS_VICTIM[@]}" "$OTHERS_PMON" chat --send hi
	[ "$status" -eq 1 ]
	[[ "$output" == *"your room's directory $VICTIM_DIR has mode 0755; it must be 0700"* ]]
	# once it is gone, pmon chat makes the room and starts its server
	rmdir "$VICTIM_DIR"
	run timeout -k 5 30 "${AS_VICTIM[@]}" "$OTHERS_PMON" chat --send 'my own room' -n me
	[ "$status" -eq 0 ]
	[ "$(stat -c '%u %a' "$VICTIM_DIR")" = "$VICTIM 700" ]
	[ -S "$VICTIM_DIR/chat.sock" ]
}
