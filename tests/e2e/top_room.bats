#!/usr/bin/env bats
# top_room.bats - the room inside pmon top, on a real terminal (tmux) with
# a real room (pmon chatd on a socket in a temp dir): the pane receiving
# and sending while the table keeps refreshing, a stalled, dead or absent
# room that never freezes top, getting back in by itself, and claims in
# top's marker column.

load chat_helpers
load top_helpers

setup() {
	chat_setup
	TMUX_SOCK=pmon-room-$$-$BATS_TEST_NUMBER
	T=$BATS_TEST_TMPDIR
}

teardown() {
	tmux_end "$TMUX_SOCK"
	if [ -n "${SERVER_PID-}" ]; then kill -CONT "$SERVER_PID" 2>/dev/null; fi
	chat_teardown
}

# The clock of top's header: it moves with every refresh.
top_clock() { screen | grep -o 'pmon top - [0-9:]*' | head -1; }

# The table refreshes: the header's clock moves within 5 s.
table_refreshes() {
	local before i
	before=$(top_clock)
	[ -n "$before" ] || { screen >&2; return 1; }
	for ((i = 0; i < 50; i++)); do
		sleep 0.1
		[ "$(top_clock)" != "$before" ] && return 0
	done
	echo "top's clock stayed at '$before':" >&2
	screen >&2
	return 1
}

start_room_top() { start_top -S "$SOCK" --room -d 0.3 "$@"; }

@test "top's pane receives and sends while the table keeps refreshing" {
	start_server
	start_client bob
	start_room_top
	wait_for_screen 'Room: in the room .* as '
	say bob "hello from bob"
	wait_for_screen '[0-9]:[0-9]+ bob: hello from bob'
	table_refreshes
	# typing: the prompt stays open and the table goes on
	tmx send-keys ':'
	tmx send-keys -l 'typed in top'
	wait_for_screen 'To the room .*: typed in top'
	table_refreshes
	screen | grep -q 'To the room .*: typed in top'
	tmx send-keys Enter
	sees bob ': typed in top$'
	wait_for_screen '[0-9]:[0-9]+ [^ ]+: typed in top'
	# a command goes as typed: /me
	tmx send-keys ':'
	tmx send-keys -l '/me waves'
	tmx send-keys Enter
	sees bob '^\* [^ ]+ waves$'
	# and /msg
	tmx send-keys ':'
	tmx send-keys -l '/msg bob psst'
	tmx send-keys Enter
	sees bob 'psst'
	wait_for_screen '\[private to bob\] psst'
}

@test "top enters as a top: /who says so" {
	start_server
	start_room_top
	wait_for_screen 'Room: in the room .* as '
	start_client bob
	say bob "/who"
	sees bob '^\[who\] [^ ]+ \(login [^,]*, uid [0-9]+\) top'
}

@test "the pane opens and closes with #, and { } size it" {
	start_server
	start_top -S "$SOCK" -d 0.3
	run ! grep -q 'Room:' <(screen)
	tmx send-keys '#'
	wait_for_screen 'Room: in the room'
	local at i
	at=$(screen | grep -n 'Room:' | cut -d: -f1)
	tmx send-keys '}' '}'
	for ((i = 0; i < 50; i++)); do
		[ "$(screen | grep -n 'Room:' | cut -d: -f1)" -eq $((at - 2)) ] && break
		sleep 0.1
	done
	[ "$(screen | grep -n 'Room:' | cut -d: -f1)" -eq $((at - 2)) ]
	tmx send-keys '#'
	wait_for_screen_not 'Room:'
	table_refreshes
}

@test "a stalled room (its server stopped) never freezes top, and top gets back in" {
	start_server
	start_room_top
	wait_for_screen 'Room: in the room'
	kill -STOP "$SERVER_PID"
	# what is typed is queued, not waited on
	tmx send-keys ':'
	tmx send-keys -l 'said while stalled'
	tmx send-keys Enter
	table_refreshes
	tmx send-keys 'P'
	table_refreshes
	kill -CONT "$SERVER_PID"
	wait_for_line "$CHAT_DIR/server.out" ': said while stalled$'
}

@test "a room that accepts but never says hello: top says so, refreshes, and gets in once it answers" {
	start_server
	kill -STOP "$SERVER_PID"
	start_room_top
	wait_for_screen 'Room: .*did not answer within 5 s' 150
	table_refreshes
	kill -CONT "$SERVER_PID"
	wait_for_screen 'Room: in the room' 400
	table_refreshes
}

@test "a dead room: top says so, keeps refreshing, and gets back in when a server returns" {
	start_server
	start_room_top
	wait_for_screen 'Room: in the room'
	kill -KILL "$SERVER_PID"
	wait "$SERVER_PID" 2>/dev/null || true
	wait_for_screen 'lost the connection to the room'
	table_refreshes
	start_server
	wait_for_screen 'Room: in the room' 400
	[ "$(screen | grep -c 'you are in the room')" -ge 2 ]
	start_client bob
	say bob "back again"
	wait_for_screen 'bob: back again'
}

@test "an absent room: top starts, refreshes, and joins when the room opens" {
	start_room_top
	wait_for_screen 'Room: no room is open on'
	table_refreshes
	# typing meanwhile is refused with the reason, not queued forever
	tmx send-keys ':'
	tmx send-keys -l 'nobody here'
	tmx send-keys Enter
	wait_for_screen 'not in the room: no room is open'
	start_server
	wait_for_screen 'Room: in the room' 400
}

@test "claims: another's claim is marked C and named on the status line; C claims and releases" {
	start_fixture sleep
	local pid=$FIXTURE_PID
	start_server
	start_client bob
	start_room_top -p "$pid"
	wait_for_screen 'Room: in the room'
	wait_for_screen "^ +$pid "
	say bob "/claim $pid restarting it"
	wait_for_screen "^C +$pid "
	wait_for_screen "\[claimed by bob: restarting it\]"
	# k says whose claim it would override
	tmx send-keys k Enter
	wait_for_screen "Send TERM to PID $pid .*claimed by bob\? \[y/n\]"
	tmx send-keys n
	wait_for_screen 'no signal sent'
	kill -0 "$pid"
	say bob "/release $pid"
	wait_for_screen "^ +$pid "
	# our own claim, with a reason typed in top
	tmx send-keys C
	wait_for_screen "Claim PID $pid \(proc-fixture\)"
	tmx send-keys -l 'mine now'
	tmx send-keys Enter
	wait_for_screen "^c +$pid "
	sees bob "claims $pid proc-fixture .*: mine now"
	tmx send-keys C
	wait_for_screen "^ +$pid "
	sees bob "no longer claims $pid"
}

@test "k in top tells the room (an action event with our uid), even with the pane closed" {
	start_fixture sleep
	local pid=$FIXTURE_PID
	start_server
	start_top -S "$SOCK" -d 0.3 -p "$pid"
	wait_for_screen "^ +$pid "
	tmx send-keys k Enter
	wait_for_screen "Send TERM to PID $pid"
	tmx send-keys y
	wait_for_line "$CHAT_DIR/server.out" "^\[action\] [^ ]+ \(uid $(id -u)\) sent TERM to $pid .*: ok$" 150 || {
		cat "$CHAT_DIR/server.out" >&2
		false
	}
	table_refreshes
}

@test "k with no room leaves the rows where they were; the column of claim marks comes once a room is joined" {
	start_fixture sleep
	local a=$FIXTURE_PID
	start_fixture sleep
	local b=$FIXTURE_PID
	start_top -S "$SOCK" -d 0.3 -p "$a,$b"
	wait_for_screen "^ *$a " && wait_for_screen "^ *$b "
	tmx send-keys k Enter
	wait_for_screen "Send TERM to PID ($a|$b)"
	local victim other
	victim=$(screen | sed -nE 's/.*Send TERM to PID ([0-9]+).*/\1/p' | head -1)
	other=$([ "$victim" = "$a" ] && echo "$b" || echo "$a")
	before=$(screen | grep -E "^ *$other " | sed -E "s/^( *$other ).*/\1/")
	tmx send-keys y
	wait_for_screen_not "^ *$victim " 100
	wait_for_refreshes 2
	[ "$(screen | grep -E "^ *$other " | sed -E "s/^( *$other ).*/\1/")" = "$before" ]
	# the report waits for a room; once one opens and top is in it, the
	# rows move right by the column of marks
	start_server
	wait_for_line "$CHAT_DIR/server.out" "^\[action\] .* sent TERM to $victim " 400
	wait_for_screen "^  $before" 100
}
