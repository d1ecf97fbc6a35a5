#!/usr/bin/env bats
# pmon chat's terminal interface, and chatd --foreground's terminal,
# driven through a private tmux server.

load chat_helpers

setup() {
	chat_setup
	TMUX_NAME=pmon-chat-test-$$-$BATS_TEST_NUMBER
}

teardown() {
	tmux_end "$TMUX_NAME"
	chat_teardown
}

# tmux runs a window's command with $SHELL -c (or the login shell from
# passwd when SHELL is unset): make it this bash, whatever the user's shell.
# Not dash: on C-c, dash dies with pmon, where bash waits to see whether
# pmon died of the SIGINT and, as pmon exits 0, runs the rest of the line.
tm() { SHELL=$BASH tmux -L "$TMUX_NAME" "$@"; }

# screen_has REGEX [TENTHS]: the pane shows a matching line (waits up to
# 10 s, or TENTHS tenths of a second).
screen_has() {
	local i
	for ((i = 0; i < ${2:-100}; i++)); do
		tm capture-pane -p | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	echo "the screen never showed /$1/; it shows:" >&2
	tm capture-pane -p >&2
	return 1
}

# screen_loses REGEX: no line of the pane matches any more (waits up to
# 10 s).
screen_loses() {
	local i
	for ((i = 0; i < 100; i++)); do
		tm capture-pane -p | grep -qE -- "$1" || return 0
		sleep 0.1
	done
	echo "the screen still shows /$1/:" >&2
	tm capture-pane -p >&2
	return 1
}

# tui [ARGS...]: pmon chat in a 90x20 tmux window (run through the
# command $TUI_WRAP when set), run by a script that
# then reports its exit status and whether the terminal is sane again.
# The script traps SIGINT, so that Ctrl-C ends pmon and not the script
# (pmon starts with the default action, as exec resets a trap); pmon's
# pid is in $CHAT_DIR/tui.pid.
tui() {
	local args
	printf -v args '%q ' "$@"
	cat >"$CHAT_DIR/tui.sh" <<EOF
trap : INT
PMON_CHAT_SOCKET=$(printf %q "$SOCK") LANG=C.UTF-8 TERM=screen ${TUI_WRAP:-} sh -c 'echo \$\$ >"\$0"; exec "\$@"' $(printf %q "$CHAT_DIR/tui.pid") $(printf %q "$PMON") chat $args
rc=\$?
echo
echo EXIT=\$rc
stty -a | tr ' ' '\n' | grep -xE -- '-?(echo|icanon)' | tr '\n' ' '
echo
exec sleep 600
EOF
	tm -f /dev/null new-session -d -x 90 -y 20 "sh '$CHAT_DIR/tui.sh'"
}

# The pid of the pmon that tui started, checked to be our pmon before
# anyone signals it.
tui_pid() {
	local pid
	pid=$(cat "$CHAT_DIR/tui.pid") && plain_pid "$pid" &&
		[ "$(readlink "/proc/$pid/exe")" = "$(readlink -f "$PMON")" ] &&
		echo "$pid"
}

# after_exit_says REGEX: after pmon's exit, the screen shows a matching
# line, lines the terminal wrapped joined again.
after_exit_says() {
	tm capture-pane -pJ | sed 's/ *$//' | grep -qE -- "$1" && return 0
	echo "the screen does not show /$1/; it shows:" >&2
	tm capture-pane -pJ >&2
	return 1
}

# cursor_at X: the cursor gets to column X (waits up to 10 s).
cursor_at() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(tm display -p '#{cursor_x}')" = "$1" ] && return 0
		sleep 0.1
	done
	echo "the cursor is at column $(tm display -p '#{cursor_x}'), not $1" >&2
	return 1
}

# The terminal is back: main screen, echo and canonical input.
terminal_restored() {
	screen_has '^(echo icanon|icanon echo) ?$'
	[ "$(tm display -p '#{alternate_on}')" = 0 ]
}

@test "chat tui: talk, status line, /who, resize, and /quit restores the terminal" {
	start_server
	start_client alice
	start_client bob
	tui -n tuiuser
	screen_has 'you are in the room .* as tuiuser'
	screen_has '\| tuiuser \| 3 present \|'
	sees alice '^\[room\] tuiuser joined the room$'
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
	# the recalled line is sent again: a second one (was: looked for the
	# first, already there, so the recall was never checked)
	for ((i = 0; i < 100; i++)); do
		[ "$(grep -c '^tuiuser: hello world$' "$CHAT_DIR/alice.out")" -ge 2 ] && break
		sleep 0.1
	done
	[ "$(grep -c '^tuiuser: hello world$' "$CHAT_DIR/alice.out")" -eq 2 ]
	tm send-keys '/who' Enter
	screen_has '\[who\] bob \(login root, uid 0\) chat'
	tm resize-window -x 50 -y 12
	screen_has '^ .* \| tuiuser \| 3 present'
	say bob 'a long line that has to wrap around on a screen that is fifty columns wide'
	screen_has '^ +.*fifty columns wide$'
	tm send-keys '/quit' Enter
	screen_has '^EXIT=0$'
	screen_has '^(echo icanon|icanon echo) ?$'
	sees alice '^\[room\] tuiuser left the room$'
}

@test "chat tui: without a loadable ncurses, the client says so and talks in line mode" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount over the library"
	command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
	wrap=$(without_lib_script libncursesw)
	start_server
	start_client alice
	TUI_WRAP=$wrap tui -n lineuser
	screen_has 'pmon: chat: cannot load ncurses \(Debian: libncursesw6\): .*libncursesw'
	sees alice '^\[room\] lineuser joined the room$'
	tm send-keys 'typed in line mode' Enter
	sees alice '^lineuser: typed in line mode$'
	tm send-keys '/quit' Enter
	screen_has '^EXIT=0$'
}

@test "chat tui: /QUIT with a reason leaves the room and ends pmon, as /quit does" {
	start_server
	start_client alice
	tui -n tuiuser
	screen_has '\| tuiuser \| 2 present \|'
	tm send-keys '/QUIT tired' Enter
	screen_has '^EXIT=0$'
	sees alice '^\[room\] tuiuser left the room'
	run grep -c 'tuiuser joined' "$CHAT_DIR/alice.out"
	[ "$output" = 1 ]
}

@test "chat tui: a taken name is asked for again" {
	start_server
	start_client alice
	tui -n alice
	screen_has 'the name alice is taken'
	screen_has '^name>'
	tm send-keys 'alice2' Enter
	screen_has '\| alice2 \| 2 present'
	sees alice '^\[room\] alice2 joined the room$'
}

@test "chat tui: a name typed at the prompt is checked before it is sent" {
	start_fake 'hello pmon-chat 1 fake' 'error nametaken the name alice is taken'
	tui -n alice
	screen_has '^name>'
	tm send-keys 'x y' Enter
	screen_has '! not a valid name: a name is 1 to 32 letters'
	screen_has '^name>'
	fake_got 'alice\n'
}

@test "chat tui: escape sequences from the room do not reach the terminal" {
	start_server
	start_client bob
	tui -n tuiuser
	screen_has '\| tuiuser \|'
	printf 'title \033]2;pwned\007 clear \033[2J\033[H done\n' >&"${CLIENT_FD[bob]}"
	screen_has 'bob: title  clear  done'
	[ "$(tm display-message -p '#{pane_title}')" != pwned ]
	tm send-keys C-c
	screen_has '^EXIT=130$'
	terminal_restored
}

@test "chat tui: the client removes control sequences whole even when the server does not" {
	start_fake 'hello pmon-chat 1 fake' 'ok name tuiuser' 'ok history 0' \
		'event 1 msg bob a\x1b[2Jb \x1b]2;pwned\x07c \xc2\x9b31md e'
	tui -n tuiuser
	screen_has 'bob: ab c d e$'
	[ "$(tm display-message -p '#{pane_title}')" != pwned ]
}

@test "chat tui: chatd --foreground sends what is typed on its terminal as announcements" {
	tm -f /dev/null new-session -d -x 90 -y 20 \
		"'$PMON' chatd --foreground -S '$SOCK'; echo SERVER-EXIT=\$?; sleep 600"
	for i in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
	start_client_nowait alice
	start_client_nowait bob
	screen_has '^\[room\] bob joined the room$'
	screen_has '^\[room\] alice joined the room$'
	tm send-keys 'maintenance window at 18:00' Enter
	sees alice '^\[admin\] maintenance window at 18:00$'
	sees bob '^\[admin\] maintenance window at 18:00$'
	say alice 'noted'
	screen_has '^alice: noted$'
	tm send-keys C-c
	screen_has '^SERVER-EXIT=0$'
	sees bob '^\[room\] the room is closing'
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

@test "chat tui: a server that never answers the name: the client gives up in time and says why on the restored screen" {
	start_fake 'hello pmon-chat 1 fake'
	tui -n tuiuser
	start=$SECONDS
	screen_has '^EXIT=1$' 150
	[ $((SECONDS - start)) -le 15 ] # the 10 s deadline, and room for a busy machine
	after_exit_says '^pmon: chat: the server on .* did not answer to the name within 10 s$'
	terminal_restored
}

@test "chat tui: Ctrl-C, SIGTERM and SIGHUP end a client waiting for the room at once, by the signal" {
	start_fake 'hello pmon-chat 1 fake'
	for sig in INT TERM HUP; do
		tm kill-server 2>/dev/null || true
		fake_forget
		tui -n tuiuser
		wait_for_line "$CHAT_DIR/fake.got" '^tuiuser$' # it waits now
		pid=$(tui_pid)
		case $sig in
		INT) tm send-keys C-c; want=130 ;;
		TERM) kill -TERM "$pid"; want=143 ;;
		HUP) kill -HUP "$pid"; want=129 ;;
		esac
		screen_has "^EXIT=$want\$" 50
		terminal_restored
	done
}

@test "chat tui: after the server went away, the client gives up in time and says why on the restored screen" {
	start_fake 'hello pmon-chat 1 fake' 'ok name tuiuser' 'ok history 0'
	tui -n tuiuser --no-start
	screen_has '\| tuiuser \|'
	kill -KILL "$FAKE_PID"
	start=$SECONDS
	screen_has 'lost the connection to the room; reconnecting'
	screen_has '^EXIT=1$' 150
	[ $((SECONDS - start)) -le 15 ] # the 10 s deadline, and room for a busy machine
	after_exit_says '^pmon: chat: could not get back into the room: no room is open on '
	terminal_restored
}

@test "chat tui: Ctrl-C while reconnecting ends the client at once, by SIGINT" {
	start_fake 'hello pmon-chat 1 fake' 'ok name tuiuser' 'ok history 0'
	tui -n tuiuser --no-start
	screen_has '\| tuiuser \|'
	kill -KILL "$FAKE_PID"
	screen_has 'lost the connection to the room; reconnecting'
	tm send-keys C-c
	screen_has '^EXIT=130$' 50
	terminal_restored
}

@test "chat tui: messages wrap at spaces, and only a word wider than the pane is cut" {
	start_server
	start_client bob
	tui -n tuiuser
	screen_has '\| tuiuser \| 2 present'
	# 36 columns: 30 for the text after the time
	tm resize-window -x 36 -y 12
	screen_has '^ .* \| tuiuser'
	say bob 'I will be back in about seventy-two minutes, wait'
	screen_has '^[0-9]{2}:[0-9]{2} bob: I will be back in about$'
	screen_has '^      seventy-two minutes, wait$'
	say bob 'see https://example.com/a/very/long/path/that/goes/on'
	screen_has '^[0-9]{2}:[0-9]{2} bob: see https://example.com/a$'
	screen_has '^      /very/long/path/that/goes/on$'
	# the spaces at a break are on neither row
	say bob 'spaces    at   the      break'
	screen_has '^[0-9]{2}:[0-9]{2} bob: spaces    at   the$'
	screen_has '^      break$'
}

@test "chat tui: the input line counts display columns: a combining accent takes none, a CJK character two" {
	start_server
	tui -n tuiuser
	screen_has '\| tuiuser \| 1 present'
	# "> " and five e + U+0301 (combining acute): five columns, not ten
	tm send-keys -l $'e\xcc\x81e\xcc\x81e\xcc\x81e\xcc\x81e\xcc\x81'
	screen_has $'^> (e\xcc\x81){5}$'
	cursor_at 7
	# Left goes back over a whole accented e; Backspace takes one whole
	tm send-keys Left BSpace
	screen_has $'^> (e\xcc\x81){4}$'
	cursor_at 5
	tm send-keys End $'\xe6\xbc\xa2\xe5\xad\x97' # two wide characters
	screen_has $'^> (e\xcc\x81){4}\xe6\xbc\xa2\xe5\xad\x97$'
	cursor_at 10
	# 50 accented e fit in 90 columns: the line does not scroll sideways
	tm send-keys C-u
	for i in $(seq 50); do printf 'e\xcc\x81'; done >"$CHAT_DIR/accents"
	tm send-keys -l "$(cat "$CHAT_DIR/accents")"
	screen_has "^> $(cat "$CHAT_DIR/accents")\$"
	cursor_at 52
	tm send-keys Enter
	screen_has "tuiuser: $(cat "$CHAT_DIR/accents")\$"
}

@test "chat tui: scrolled back, the view stays on its messages through a burst, within the history kept, and PgDn and End come back" {
	start_server --no-flood-limit
	start_client bob
	tui -n tuiuser
	tm resize-window -x 60 -y 10
	screen_has '\| tuiuser \| 2 present'
	seq -f 'line %g' 1 30 >&"${CLIENT_FD[bob]}"
	screen_has 'bob: line 30$'
	tm send-keys PPage
	screen_has 'scrolled back'
	view=$(tm capture-pane -p -S 0 -E 7)
	# lines that wrap onto two rows each arrive; carol's join, after them,
	# shows on the status line once the client has them all
	for i in $(seq 50); do
		echo "long $i, and long enough to take two rows of this narrow pane"
	done >&"${CLIENT_FD[bob]}"
	start_client carol
	screen_has '\| 3 present'
	[ "$(tm capture-pane -p -S 0 -E 7)" = "$view" ]
	# more than the 2000 lines kept: the view ends at the oldest one kept,
	# not past it on a blank pane
	seq -f 'burst %g' 1 2100 >&"${CLIENT_FD[bob]}"
	start_client dave
	screen_has '\| 4 present' 300
	[ "$(tm capture-pane -p -S 0 -E 7 | grep -c 'bob: ')" -ge 4 ]
	screen_has 'scrolled back'
	# PgDn gets back, page by page (2000 rows, 7 a page)
	tm send-keys -N 300 NPage
	screen_has '^[0-9:]+ \[room\] dave joined the room$'
	screen_has '^[0-9:]+ bob: burst 2100$'
	screen_loses 'scrolled back'
	# and End at once
	tm send-keys -N 5 PPage
	screen_has 'scrolled back'
	tm send-keys End
	screen_has '^[0-9:]+ \[room\] dave joined the room$'
	screen_loses 'scrolled back'
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
	sees alice '^\[room\] the room is closing \(the server.s terminal hung up\)$'
	for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	run kill -0 "$pid"
	[ "$status" -ne 0 ]
	[ ! -e "$SOCK" ]
}
