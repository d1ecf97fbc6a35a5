#!/usr/bin/env bats
# pmon chatd against hostile input: oversized lines, invalid UTF-8,
# escape sequences, floods, a reader that stops, a full room, SIGPIPE.

load chat_helpers

# start_slowpoke: a client that enters as slowpoke and never reads (socat
# -u only writes); SLOW_FD is its input.
start_slowpoke() {
	mkfifo "$CHAT_DIR/slow.in"
	socat -u FILE:"$CHAT_DIR/slow.in" UNIX-CONNECT:"$SOCK" 3>&- &
	EXTRA_PIDS+=("$!")
	exec {SLOW_FD}>"$CHAT_DIR/slow.in"
	echo slowpoke >&$SLOW_FD
	wait_for_line "$CHAT_DIR/server.out" '^\[room\] slowpoke joined the room$'
}

@test "chat hostile: a line over 4 KiB is refused and nothing of it is parsed" {
	start_server
	start_client alice
	start_client bob
	# 5000 bytes whose tail, past the limit, looks like a command
	long=$(printf 'x%.0s' $(seq 4100))'/announce pwned'
	say bob "$long" 'after the long one'
	sees bob 'a line is at most 4096 bytes'
	sees alice '^bob: after the long one$'
	run ! grep -q 'xxxx\|pwned' "$CHAT_DIR/alice.out"
	# exactly 4096 bytes is fine
	ok=$(printf 'y%.0s' $(seq 4096))
	say bob "$ok"
	sees alice "^bob: $ok\$"
}

@test "chat hostile: invalid UTF-8 is replaced" {
	start_server
	start_client alice
	start_client bob
	printf 'bad \xff\xfe bytes \xc3\n' >&"${CLIENT_FD[bob]}"
	sees alice '^bob: bad'
	grep -q $'^bob: bad \xef\xbf\xbd\xef\xbf\xbd bytes \xef\xbf\xbd$' "$CHAT_DIR/alice.out"
}

@test "chat hostile: escape sequences never reach another terminal" {
	start_server
	start_client alice
	start_client bob
	printf 'title \033]0;pwned\007 red \033[31mRED\033[0m csi \302\233 2J bidi \342\200\256x done\n' >&"${CLIENT_FD[bob]}"
	printf '/me \033[2Jclears\n' >&"${CLIENT_FD[bob]}"
	sees alice 'done$'
	sees alice '^\* bob '
	run ! grep -q $'\033\\|\007\\|\302\233\\|\342\200\256' "$CHAT_DIR/alice.out"
	grep -q '^bob: title  red RED csi  bidi x done$' "$CHAT_DIR/alice.out"
	grep -q '^\* bob clears$' "$CHAT_DIR/alice.out"
	# and the server itself sends none (raw, without the client's pass)
	run bash -c "printf 'raw\n' | socat -t 1 - UNIX-CONNECT:$SOCK"
	[[ "$output" == *"msg bob title  red RED csi  bidi x done"* ]]
	[[ "$output" != *$'\033'* ]]
}

@test "chat hostile: a control sequence is removed whole, not just its ESC" {
	start_server
	start_client alice
	run "$PMON" chat -n bob --send "$(printf 'a\033[2Jb')"
	[ "$status" -eq 0 ]
	sees alice '^bob: '
	grep -qx 'bob: ab' "$CHAT_DIR/alice.out"
}

@test "chat hostile: characters drawn as nothing (soft hyphen, fillers, tags) are removed; an emoji's look is kept" {
	start_server
	start_client alice
	# a, soft hyphen, b, Hangul filler, c, tag LATIN A (invisible ASCII),
	# d, then a heart with its emoji variation selector
	run "$PMON" chat -n bob --send "$(printf 'a\302\255b\343\205\244c\363\240\201\201d \342\235\244\357\270\217')"
	[ "$status" -eq 0 ]
	sees alice '^bob: '
	grep -qx "bob: abcd $(printf '\342\235\244\357\270\217')" "$CHAT_DIR/alice.out"
}

@test "chat hostile: a flood is slowed down but arrives complete and in order" {
	start_server --flood 100/20
	start_client alice
	start_client flooder
	seq -f 'line %g' 1 600 >&"${CLIENT_FD[flooder]}"
	wait_for_line "$CHAT_DIR/alice.out" '^flooder: line 600$' 200
	grep '^flooder: ' "$CHAT_DIR/alice.out" | sed 's/^flooder: //' >"$CHAT_DIR/got"
	seq -f 'line %g' 1 600 | diff - "$CHAT_DIR/got"
	# the flooder was held back, never dropped: nobody left
	! grep -q 'left the room' "$CHAT_DIR/alice.out"
}

@test "chat hostile: one account's connections bursting long lines at once cut off no reader that keeps up" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to act as another account"
	start_server --group "$CHAT_GID"
	start_client alice
	copy_for_others
	# 16 connections (the most one account may hold) x 40 lines (the
	# burst) of 4,000 bytes: 2.5 MB, past the 1 MiB output cap if it all
	# came in at once
	run setpriv --reuid=60001 --regid="$CHAT_GID" --clear-groups \
		/usr/bin/python3 "$OTHERS_DIR/burst_conns.py" "$SOCK" 16 40 4000
	echo "$output"
	[ "$output" = sent ]
	# alice got every line too, and nobody was cut off
	wait_for_line "$CHAT_DIR/alice.out" '^burst15: 39 x'
	[ "$(grep -c '^burst[0-9]*: [0-9]* x' "$CHAT_DIR/alice.out")" -eq 640 ]
	run grep -E 'alice left|too slow' "$CHAT_DIR/server.out"
	echo "$output"
	[ "$status" -eq 1 ]
}

# slowpoke_cut N BYTES [CHATD_OPTION...]: alice, bob and slowpoke (who
# never reads) in the room; bob sends N lines of BYTES bytes ($LINE);
# slowpoke must be cut off as too slow, and alice must see all of bob's.
slowpoke_cut() {
	local n=$1 bytes=$2
	shift 2
	start_server --flood 0 "$@"
	start_client alice
	start_client bob
	start_slowpoke
	LINE=$(printf 'z%.0s' $(seq "$bytes"))
	for i in $(seq 1 "$n"); do echo "$i $LINE"; done >&"${CLIENT_FD[bob]}"
	sees alice '^\[room\] slowpoke left the room \(too slow: stopped reading'
	wait_for_line "$CHAT_DIR/alice.out" "^bob: $n $LINE\$" 200
	exec {SLOW_FD}>&-
}

@test "chat hostile: a reader that stops is cut off at the cap; the others keep up" {
	slowpoke_cut 1000 3000
	# and counted, for pmon metrics
	pmon metrics -S "$SOCK" | grep -qx 'pmon_room_slow_readers_dropped_total 1'
	[ "$(grep -c "^bob: [0-9]* $LINE\$" "$CHAT_DIR/alice.out")" -eq 1000 ]
}

@test "chat hostile: --out-cap sets the cap a reader that stops is cut off at" {
	# 600 lines of 1,000 bytes: more than the socket holds (at most
	# 210 kB) plus 256 KiB, less than it holds plus the default 1 MiB
	slowpoke_cut 600 1000 --out-cap 262144
}

@test "chat hostile: a full room (descriptor limit) refuses newcomers with a message" {
	mkfifo "$CHAT_DIR/server.in"
	fd_limited 16 "$PMON" chatd --foreground -S "$SOCK" \
		<"$CHAT_DIR/server.in" >"$CHAT_DIR/server.out" 2>&1 &
	SERVER_PID=$!
	CHAT_PIDS+=("$SERVER_PID")
	exec {SERVER_FD}>"$CHAT_DIR/server.in"
	wait_for_line "$CHAT_DIR/server.out" 'the room is open'
	for i in $(seq 1 14); do start_client_nowait "u$i"; done
	refused=
	for i in $(seq 100); do
		refused=$(grep -l 'the room is full' "$CHAT_DIR"/u*.out 2>/dev/null | head -1)
		[ -n "$refused" ] && break
		sleep 0.1
	done
	[ -n "$refused" ]
	grep -q 'refused you: the room is full' "$refused"
	# the server is still serving those inside
	kill -0 "$SERVER_PID"
	wait_for_line "$CHAT_DIR/server.out" '^\[room\] u[0-9]+ joined the room$'
	inside=$(sed -n 's/^\[room\] \(u[0-9]*\) joined the room$/\1/p' "$CHAT_DIR/server.out" | head -1)
	say "$inside" 'still here'
	wait_for_line "$CHAT_DIR/server.out" "^$inside: still here\$"
}

@test "chat hostile: SIGPIPE never kills the server" {
	start_server
	start_client alice
	# enter, ask for a lot, and hang up without reading any of it
	for i in 1 2 3; do
		{ echo "gone$i"; for j in $(seq 200); do echo /help; echo /who; done; } |
			socat -u - UNIX-CONNECT:"$SOCK"
	done
	sees alice '^\[room\] gone3 left the room'
	kill -0 "$SERVER_PID"
	say alice 'still up'
	wait_for_line "$CHAT_DIR/server.out" '^alice: still up$'
}
