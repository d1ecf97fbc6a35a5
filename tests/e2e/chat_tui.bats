#!/usr/bin/env bats
# pmon chat's terminal interface, and chatd --foreground's terminal,
# driven through a private tmux server.

load chat_helpers

setup() {
	chat_setup
	TMUX_NAME=pmon-chat-test-$$-$BATS_TEST_NUMBER
}

teardown() {
	tmux -L "$TMUX_NAME" kill-server 2>/dev/null || true
	chat_teardown
}

tm() { tmux -L "$TMUX_NAME" "$@"; }

# screen_has REGEX: the pane shows a matching line (waits up to 10 s).
screen_has() {
	local i
	for ((i = 0; i < 100; i++)); do
		tm capture-pane -p | grep -qE "$1" && return 0
		sleep 0.1
	done
	echo "the screen never showed /$1/; it shows:" >&2
	tm capture-pane -p >&2
	return 1
}

# tui [ARGS...]: pmon chat in a 90x20 tmux window, then a shell line
# that reports its exit status and whether the terminal is sane again.
tui() {
	tm -f /dev/null new-session -d -x 90 -y 20 \
		"PMON_CHAT_SOCKET='$SOCK' LANG=C.UTF-8 TERM=screen '$PMON' chat $*; echo EXIT=\$?; stty -a | tr ' ' '\n' | grep -xE -- '-?(echo|icanon)' | tr '\n' ' '; echo; sleep 600"
}

@test "chat tui: talk, status line, /who, resize, and /quit restores the terminal" {
	start_server
	start_client alice
	start_client bob
	tui -n tuiuser
	screen_has 'you are in the room .* as tuiuser'
	screen_has '\| tuiuser \| 3 present \|'
	sees alice '^\* tuiuser joined the room$'
	say alice 'hello tui'
	screen_has '^[0-9]{2}:[0-9]{2} alice: hello tui$'
	tm send-keys 'hello from the terminal' Enter
	sees alice '^tuiuser: hello from the terminal$'
	sees bob '^tuiuser: hello from the terminal$'
	screen_has 'tuiuser: hello from the terminal'
	# editing: type, go home, insert; Up recalls the last line
	tm send-keys 'world' Home 'hello ' Enter
	sees alice '^tuiuser: hello world$'
	tm send-keys Up Enter
	[ "$(grep -c '^tuiuser: hello world$' "$CHAT_DIR/alice.out" || true)" -ge 1 ]
	wait_for_line "$CHAT_DIR/alice.out" 'tuiuser: hello world' 
	tm send-keys '/who' Enter
	screen_has '\* bob \(login root\)'
	tm resize-window -x 50 -y 12
	screen_has '^ .* \| tuiuser \| 3 present'
	say bob 'a long line that has to wrap around on a screen that is fifty columns wide'
	screen_has '^ +.*fifty columns wide$'
	tm send-keys '/quit' Enter
	screen_has '^EXIT=0$'
	screen_has '^(echo icanon|icanon echo) ?$'
	sees alice '^\* tuiuser left the room$'
}

@test "chat tui: a taken name is asked for again" {
	start_server
	start_client alice
	tui -n alice
	screen_has 'the name alice is taken'
	screen_has '^name>'
	tm send-keys 'alice2' Enter
	screen_has '\| alice2 \| 2 present'
	sees alice '^\* alice2 joined the room$'
}

@test "chat tui: escape sequences from the room do not reach the terminal" {
	start_server
	start_client bob
	tui -n tuiuser
	screen_has '\| tuiuser \|'
	printf 'title \033]2;pwned\007 clear \033[2J\033[H done\n' >&"${CLIENT_FD[bob]}"
	screen_has 'bob: title \]2;pwned clear \[2J\[H done'
	[ "$(tm display-message -p '#{pane_title}')" != pwned ]
	tm send-keys C-c
	screen_has '^EXIT=0$'
	screen_has '^(echo icanon|icanon echo) ?$'
}

@test "chat tui: chatd --foreground sends what is typed on its terminal as announcements" {
	tm -f /dev/null new-session -d -x 90 -y 20 \
		"'$PMON' chatd --foreground -S '$SOCK'; echo SERVER-EXIT=\$?; sleep 600"
	for i in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
	start_client_nowait alice
	start_client_nowait bob
	screen_has '^\* bob joined the room$'
	screen_has '^\* alice joined the room$'
	tm send-keys 'maintenance window at 18:00' Enter
	sees alice '^\[admin\] maintenance window at 18:00$'
	sees bob '^\[admin\] maintenance window at 18:00$'
	say alice 'noted'
	screen_has '^alice: noted$'
	tm send-keys C-c
	screen_has '^SERVER-EXIT=0$'
	sees bob '^\* the room is closing'
	[ ! -e "$SOCK" ]
}

@test "chat tui: starts the server itself, and gets back in when it is killed" {
	tui -n tuiuser
	screen_has '\| tuiuser \| 1 present'
	old=$(own_listener "$SOCK")
	[ -n "$old" ]
	kill -KILL "$old"
	screen_has 'lost the connection to the room'
	screen_has 'back in the room as tuiuser'
	new=$(listener_pid "$SOCK")
	[ -n "$new" ] && [ "$new" != "$old" ]
	run "$PMON" chat --send 'you are back' -n bob
	[ "$status" -eq 0 ]
	screen_has 'bob: you are back'
	tm send-keys C-d
	screen_has '^EXIT=0$'
}

@test "chat tui: a chatd terminal stopped with Ctrl-S does not stall the room" {
	tm -f /dev/null new-session -d -x 80 -y 10 \
		"'$PMON' chatd --foreground --no-flood-limit -S '$SOCK'; sleep 600"
	for i in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
	tm send-keys C-s
	start_client_nowait alice
	# in before bob starts, or his first lines are only history to her
	for i in $(seq 100); do
		"$PMON" chat --who | grep -q '^alice ' && break
		sleep 0.1
	done
	for i in $(seq 1 3000); do
		echo "message $i, long enough to fill a terminal's buffer quickly"
	done | "$PMON" chat -n bob >/dev/null
	wait_for_line "$CHAT_DIR/alice.out" '^bob: message 3000,' 200
	[ "$(grep -c '^bob: message' "$CHAT_DIR/alice.out")" -eq 3000 ]
	tm send-keys C-q
}

@test "chat tui: a chatd --foreground whose terminal hangs up stops (SIGHUP itself reopens the log)" {
	tm -f /dev/null new-session -d -x 80 -y 10 \
		"'$PMON' chatd --foreground -S '$SOCK' --log '$CHAT_DIR/room.log'"
	for i in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
	pid=$(own_listener "$SOCK")
	start_client_nowait alice
	for i in $(seq 100); do
		"$PMON" chat --who | grep -q '^alice ' && break
		sleep 0.1
	done
	tm kill-server
	sees alice '^\* the room is closing \(the server.s terminal hung up\)$'
	for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	run kill -0 "$pid"
	[ "$status" -ne 0 ]
	[ ! -e "$SOCK" ]
}
