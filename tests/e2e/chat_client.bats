#!/usr/bin/env bats
# pmon chat's side of the wire, against a fake server
# (tests/fixtures/fake-chatd.c) that records exactly the bytes it is sent
# and says exactly what the test gives it.

load chat_helpers

# A fake room that lets anyone in as x, and lets them go.
fake_room_x() {
	start_fake -q 'hello pmon-chat 1 fake' 'ok name x' 'ok history 0'
}

@test "chat client: a line end in -n, --send or --announce is refused before anything is sent" {
	fake_room_x
	run "$PMON" chat -n $'x\n/me pwned' --send hi
	[ "$status" -eq 2 ]
	[[ "$output" == *"-n 'x\\n/me pwned': not a valid name: a name is 1 to 32 letters"* ]]
	run "$PMON" chat -n $'x\r' --send hi
	[ "$status" -eq 2 ]
	run "$PMON" chat -n $'\e[2Jx' --send hi
	[ "$status" -eq 2 ]
	[[ "$output" == *"-n '\\e[2Jx': not a valid name"* ]]
	run "$PMON" chat -n x --send $'hi\n/announce pwned'
	[ "$status" -eq 2 ]
	[[ "$output" == *"--send: a line sent to the room may not hold a newline, a carriage return or a NUL byte"* ]]
	run "$PMON" chat --announce $'hi\r/kick bob'
	[ "$status" -eq 2 ]
	fake_got ''
	# and what is fine goes out exactly as it should
	run "$PMON" chat -n x --send 'hi there'
	[ "$status" -eq 0 ]
	fake_got 'x\nhi there\n/quit\n'
}

@test "chat client: --send succeeds only once the room confirms; a server that dies first is a failure" {
	# The room confirms by answering the /quit that follows the message
	# (it handles a client's lines in order).  A server killed after it
	# read the message but before it handled it closes the connection
	# too: that is no confirmation (found by `make soak`).
	start_fake 'hello pmon-chat 1 fake' 'ok name x' 'ok history 0'
	"$PMON" chat --no-start -n x --send 'maybe lost' >"$CHAT_DIR/send.out" 2>&1 &
	sender=$!
	wait_for_line "$CHAT_DIR/fake.got" '^/quit$'
	kill -KILL "$FAKE_PID"
	st=0
	wait "$sender" || st=$?
	cat "$CHAT_DIR/send.out"
	[ "$st" -eq 1 ]
	grep -q 'the room closed before it confirmed the message' "$CHAT_DIR/send.out"
	# confirmed: 0
	fake_room_x
	run "$PMON" chat --no-start -n x --send 'confirmed'
	[ "$status" -eq 0 ]
}

@test "chat client: a room that never sees the client out is left after 10 s, and said so" {
	# a fake room that takes the name and then says nothing, ever
	start_fake 'hello pmon-chat 1 fake' 'ok name x' 'ok history 0'
	"$PMON" chat --no-start -n x <<<'hello' >"$CHAT_DIR/line.out" 2>&1 3>&- &
	client=$!
	EXTRA_PIDS+=("$client")
	for ((i = 0; i < 200; i++)); do
		[ -e "/proc/$client" ] || break
		sleep 0.1
	done
	[ -e "/proc/$client" ] && kill "$client" # it once waited for ever
	st=0
	wait "$client" || st=$?
	cat "$CHAT_DIR/line.out"
	[ "$st" -eq 1 ]
	grep -q 'did not see us out in 10 s' "$CHAT_DIR/line.out"
	# --send, the same: not "closed", which it did not
	kill "$FAKE_PID"
	wait "$FAKE_PID" 2>/dev/null || true
	start_fake 'hello pmon-chat 1 fake' 'ok name x' 'ok history 0'
	run "$PMON" chat --no-start -n x --send 'never confirmed'
	[ "$status" -eq 1 ]
	[[ "$output" == *"did not confirm the message in 10 s"* ]]
}

@test "chat client: line mode sends a CRLF line without its CR and refuses a CR or NUL inside a line" {
	fake_room_x
	run bash -c "printf 'one\r\ntwo\r/kick bob\n/msg y three\0/announce x\nfour\n' | '$PMON' chat -n x"
	[ "$status" -eq 0 ]
	[[ "$output" == *"input line 2 not sent: a line sent to the room may not hold a newline, a carriage return or a NUL byte"* ]]
	[[ "$output" == *"input line 3 not sent"* ]]
	fake_got 'x\none\nfour\n/quit\n'
}

@test "chat client: control sequences from the room are removed whole by the client too" {
	# a server that does not sanitise: only the client's own pass is left
	start_fake -q 'hello pmon-chat 1 fake' 'ok name x' 'ok history 0' \
		'event 1 msg bob a\x1b[2Jb \x1b]0;title\x07c \xc2\x9b31md \x1b]0;open' \
		'event 1 me bob \x1bPq#0~\x1b\x5cwaves'
	run "$PMON" chat -n x </dev/null
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 'bob: ab c d 0;open' ]
	[ "${lines[1]}" = '* bob waves' ]
}

@test "chat client: line mode gives up on a server that never answers the name after 10 s, and says so" {
	start_fake 'hello pmon-chat 1 fake'
	start=$SECONDS
	run "$PMON" chat -n x </dev/null
	[ "$status" -eq 1 ]
	[ $((SECONDS - start)) -le 15 ] # the 10 s deadline, and room for a busy machine
	[[ "$output" == *"the server on $SOCK did not answer to the name within 10 s"* ]]
}

@test "chat client: line mode sends nothing after a /quit, nor a second /quit at the end of input" {
	# (the fake room closes on an exact "/quit" line, keeping all it read)
	fake_room_x
	run -0 bash -c "printf 'a\n/quit\nb\n' | '$PMON' chat -n x"
	fake_got 'x\na\n/quit\n'
	fake_forget
	run -0 bash -c "printf 'a\n/quit' | '$PMON' chat -n x"
	fake_got 'x\na\n/quit\n'
}

@test "chat client: /quit typed in line mode leaves the room and ends pmon, without reconnecting" {
	start_server
	start_client alice
	start_client bob
	say bob 'bye all' '/QUIT tired'
	sees alice '^bob: bye all$'
	sees alice '^\[room\] bob left the room'
	# with stdin still open: the /quit, not its end, ended pmon
	run -0 timeout 10 tail --pid="${CLIENT_PID[bob]}" -f /dev/null
	run -0 leave bob
	run grep -c 'reconnecting\|back in the room' "$CHAT_DIR/bob.out"
	[ "$output" = 0 ]
}
