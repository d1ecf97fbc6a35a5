#!/usr/bin/env bats
# pmon_watch.bats - pmon watch on real processes (tests/fixtures
# proc-fixture: zombies, a vfork parent in D, a spinner, a process with a
# known RSS) and a real room: each rule kind printed and posted once per
# change, printing without a room, the exit status of our own child, the
# rules file and its errors, and pmon zombies --watch --announce.

load chat_helpers

setup() {
	chat_setup
	W=$BATS_TEST_TMPDIR/watch.out
}

teardown() {
	if [ -n "${WATCH_PID-}" ]; then
		kill "$WATCH_PID" 2>/dev/null
		wait "$WATCH_PID" 2>/dev/null
	fi
	chat_teardown
}

# start_watch ARGS...: pmon watch in the background, its output in $W.
start_watch() {
	"$PMON" watch "$@" >"$W" 2>&1 3>&- &
	WATCH_PID=$!
}

# once FILE REGEX [AFTER]: FILE gets a line matching REGEX, and has
# exactly one once it also has a line matching AFTER: the report of a
# process the test started after the first report, which readings made
# after it found (they would have repeated the first, or said more of
# it: give a REGEX for any line about the process).  No fixed wait: a
# loaded machine may read the processes seldom.
once() {
	wait_for_line "$1" "$2" || { cat "$1" >&2; return 1; }
	if [ -n "${3-}" ]; then
		wait_for_line "$1" "$3" 300 || { cat "$1" >&2; return 1; }
	fi
	[ "$(grep -cE -- "$2" "$1")" -eq 1 ] || { cat "$1" >&2; return 1; }
}

# soon_after HH:MM:SS HH:MM:SS: the second time is the first or within a
# minute after it (midnight between them or not).
soon_after() {
	local a b h m s
	IFS=: read -r h m s <<<"$1"; a=$((10#$h * 3600 + 10#$m * 60 + 10#$s))
	IFS=: read -r h m s <<<"$2"; b=$((10#$h * 3600 + 10#$m * 60 + 10#$s))
	[ $(((b - a + 86400) % 86400)) -le 60 ] || { echo "$2 is not soon after $1" >&2; return 1; }
}

@test "zombies: printed and posted once when a parent's zombies reach N, and the watch is one in /who" {
	start_server
	start_watch -S "$SOCK" --zombies 3 -i 0.3
	wait_for_line "$CHAT_DIR/server.out" '^\[room\] [^ ]+-watch joined the room'
	start_fixture zombie 3
	first=$FIXTURE_PID
	wait_for_line "$W" "^[0-9:]+ $first \(proc-fixture\) holds 3 zombies$"
	start_fixture zombie 3 # the later one
	once "$W" "^[0-9:]+ $first " \
		"^[0-9:]+ $FIXTURE_PID \(proc-fixture\) holds 3 zombies$"
	wait_for_line "$CHAT_DIR/server.out" "^\[watch\] [^ ]+-watch \(uid $(id -u)\) $first \(proc-fixture\) holds 3 zombies$"
	once "$CHAT_DIR/server.out" "^\[watch\] .* $first " \
		"^\[watch\] .* $FIXTURE_PID \(proc-fixture\) holds 3 zombies$"
	start_client bob
	say bob "/who"
	sees bob '^\[who\] [^ ]+-watch \(login .*\) watch'
}

@test "zombies under N are no news" {
	start_watch --no-room --zombies 4 -i 0.3
	start_fixture zombie 3
	three=$FIXTURE_PID
	# no fixed wait: a parent of 4, started after the one of 3, is
	# reported by a reading that saw the 3 zombies too
	start_fixture zombie 4
	wait_for_line "$W" "^[0-9:]+ $FIXTURE_PID \(proc-fixture\) holds 4 zombies$" ||
		{ cat "$W" >&2; false; }
	run ! grep -q " $three " "$W"
}

@test "a watch prints without a room (none on its socket) and joins when one opens" {
	# a count that few parents on a busy box reach: what the watch
	# keeps for the room while it is away is bounded (the oldest go)
	start_watch -S "$SOCK" --zombies 40 -i 0.3
	start_fixture zombie 40
	first=$FIXTURE_PID
	wait_for_line "$W" "^[0-9:]+ $first \(proc-fixture\) holds 40 zombies$"
	start_fixture zombie 40 # the later one
	once "$W" "^[0-9:]+ $first " \
		"^[0-9:]+ $FIXTURE_PID \(proc-fixture\) holds 40 zombies$"
	start_server
	# what it saw while the room was away is posted once it is in
	wait_for_line "$CHAT_DIR/server.out" "^\[watch\] .* $first \(proc-fixture\) holds 40 zombies$" 250
}

@test "exit: our own child's status, a signal, and another's process that is gone" {
	run sh -c 'sleep 0.5 & exec "$1" watch --no-room --exit $!' sh "$PMON"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9:]+\ [0-9]+\ \(sleep\)\ exited\ with\ status\ 0$ ]]
	# the name is the one it exits with, not the one before its exec
	run sh -c 'sh -c "sleep 0.3; exec sleep 0.3" & exec "$1" watch --no-room --exit $!' sh "$PMON"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9:]+\ [0-9]+\ \(sleep\)\ exited\ with\ status\ 0$ ]]
	run sh -c 'sh -c "exit 7" & p=$!; exec "$1" watch --no-room --exit $p' sh "$PMON"
	[[ "$output" =~ \(sh\)\ exited\ with\ status\ 7$ ]] || [[ "$output" =~ no\ such\ process ]]
	# killed once it is "sleep" (before its exec it is "sh")
	run sh -c 'sleep 30 & p=$!
		(until [ "$(cat /proc/$p/comm)" = sleep ]; do sleep 0.1; done; kill -KILL $p) &
		exec "$1" watch --no-room --exit $p' sh "$PMON"
	[[ "$output" =~ \(sleep\)\ was\ killed\ by\ signal\ KILL$ ]]
	start_fixture sleep
	start_watch --no-room --exit "$FIXTURE_PID"
	sleep 0.5
	kill -KILL "$FIXTURE_PID"
	wait_for_line "$W" "^[0-9:]+ $FIXTURE_PID \(proc-fixture\) exited \(not our child"
	wait "$WATCH_PID"   # only exit rules: it ends once they are seen
}

@test "exit: posted to the room once" {
	start_server
	start_fixture sleep
	start_watch -S "$SOCK" --exit "$FIXTURE_PID"
	wait_for_line "$CHAT_DIR/server.out" '^\[room\] [^ ]+-watch joined the room'
	kill -KILL "$FIXTURE_PID"
	wait_for_line "$CHAT_DIR/server.out" "^\[watch\] .* $FIXTURE_PID \(proc-fixture\) exited"
	# only exit rules: it ends once they are seen, and then has posted
	# all it ever will
	for ((i = 0; i < 100; i++)); do
		kill -0 "$WATCH_PID" 2>/dev/null || break
		sleep 0.1
	done
	run ! kill -0 "$WATCH_PID"
	once "$CHAT_DIR/server.out" "^\[watch\] .* $FIXTURE_PID \(proc-fixture\) exited"
}

@test "stuck-d: a vfork parent in D for the time given, once" {
	start_server
	start_watch -S "$SOCK" --stuck-d 1 -i 0.3
	start_fixture vfork
	first=$FIXTURE_PID
	local child
	for ((i = 0; i < 50; i++)); do
		child=$(pgrep -P "$first" | head -1)
		[ -n "$child" ] && break
		sleep 0.1
	done
	wait_for_line "$W" "^[0-9:]+ $first \(proc-fixture\) has been in D \(uninterruptible\) for [0-9]+ s$"
	# once: a second vfork parent's report comes from readings made
	# while the first was still in D
	start_fixture vfork
	once "$W" " $first " "^[0-9:]+ $FIXTURE_PID \(proc-fixture\) has been in D"
	once "$CHAT_DIR/server.out" "^\[watch\] .* $first \(proc-fixture\) has been in D" \
		"^\[watch\] .* $FIXTURE_PID \(proc-fixture\) has been in D"
	# the vfork child ends: its parent leaves D and exits at once, which
	# ends its condition by the exit, not by "left D" (the unit tests
	# cover "left D")
	kill -KILL "$child"
	for ((i = 0; i < 100; i++)); do
		[ -e "/proc/$first" ] && [ "$(proc_state "$first")" != Z ] || break
		sleep 0.1
	done
	[ ! -e "/proc/$first" ] || [ "$(proc_state "$first")" = Z ]
	# no fixed wait: a third vfork parent, put in D after the first has
	# exited, is reported by readings that saw the first one exited
	start_fixture vfork
	ended="$first \(proc-fixture\) exited after [0-9]+ s in D$"
	once "$W" "^[0-9:]+ $ended" "^[0-9:]+ $FIXTURE_PID \(proc-fixture\) has been in D"
	once "$CHAT_DIR/server.out" "^\[watch\] .* $ended" \
		"^\[watch\] .* $FIXTURE_PID \(proc-fixture\) has been in D"
	[ "$(grep -c " $first " "$W")" -eq 2 ]
	[ "$(grep -c " $first " "$CHAT_DIR/server.out")" -eq 2 ]
}

@test "cpu: a spinner over the threshold for the time given, once" {
	start_server
	start_watch -S "$SOCK" --cpu 0.1:1 -i 1
	start_fixture busy
	first=$FIXTURE_PID
	wait_for_line "$W" "^[0-9:]+ $first \(proc-fixture\) over 0.1% CPU for [0-9]+ s \([0-9]+%\)$"
	start_fixture busy # the later one
	once "$W" "^[0-9:]+ $first " \
		"^[0-9:]+ $FIXTURE_PID \(proc-fixture\) over 0.1% CPU"
	wait_for_line "$CHAT_DIR/server.out" "^\[watch\] .* $first \(proc-fixture\) over 0.1% CPU"
}

@test "cpu: a spinner that exits while over is said to have exited, once, here and in the room" {
	start_server
	start_watch -S "$SOCK" --cpu 0.1:1 -i 0.5
	start_fixture busy
	busy=$FIXTURE_PID
	wait_for_line "$W" "^[0-9:]+ $busy \(proc-fixture\) over 0.1% CPU for [0-9]+ s"
	kill -KILL "$busy"
	ended="$busy \(proc-fixture\) exited after [0-9]+ s over 0.1% CPU$"
	# the report of a spinner started after the exit comes from a later
	# reading, which would have said the exit again
	wait_for_line "$W" "^[0-9:]+ $ended" || { cat "$W" >&2; false; }
	start_fixture busy
	once "$W" "^[0-9:]+ $ended" "^[0-9:]+ $FIXTURE_PID \(proc-fixture\) over 0.1% CPU"
	once "$CHAT_DIR/server.out" "^\[watch\] .* $ended" \
		"^\[watch\] .* $FIXTURE_PID \(proc-fixture\) over 0.1% CPU"
}

@test "cpu: a condition back under, not yet for its time, is said to have ended when the watch ends, and one still on to be still on" {
	start_server
	start_watch -S "$SOCK" --cpu 0.1:5 --zombies 1 -i 0.3
	start_fixture busy
	busy=$FIXTURE_PID
	wait_for_line "$W" "^[0-9:]+ $busy \(proc-fixture\) over 0.1% CPU for [0-9]+ s \([0-9]+%\)$" 150 ||
		{ cat "$W" >&2; false; }
	kill -STOP "$busy"
	wait_for_state "$busy" T
	# no fixed wait: a zombie parent started after the report of one
	# started after the stop is reported by a reading whose interval
	# the stopped spinner spent at 0%: the watch has found it under
	start_fixture zombie 1
	wait_for_line "$W" "^[0-9:]+ $FIXTURE_PID \(proc-fixture\) holds 1 zombie$"
	start_fixture zombie 1
	wait_for_line "$W" "^[0-9:]+ $FIXTURE_PID \(proc-fixture\) holds 1 zombie$"
	# ended well before 5 s under (as systemd stops the unit)
	kill -TERM "$WATCH_PID"
	wait "$WATCH_PID" || [ $? -eq 143 ]
	WATCH_PID=
	ended="$busy \(proc-fixture\) back under 0.1% CPU after [0-9]+ s, since [0-9]{2}:[0-9]{2}:[0-9]{2} \(watch ending\)$"
	once "$W" "^[0-9:]+ $ended"
	# the zombies' parents still hold theirs: said so, here and in the room
	# (the server may write it a moment after the watch has exited)
	still="$FIXTURE_PID \(proc-fixture\) still holds 1 zombie \(watch ending: no longer watched\)$"
	once "$W" "^[0-9:]+ $still"
	wait_for_line "$CHAT_DIR/server.out" "^\[watch\] .* $still"
	once "$CHAT_DIR/server.out" "^\[watch\] .* $still"
	# the same line, last of what it said of the spinner, in the room
	wait_for_line "$CHAT_DIR/server.out" "^\[watch\] .* $ended"
	once "$CHAT_DIR/server.out" "^\[watch\] .* $ended"
	[[ "$(grep " $busy " "$CHAT_DIR/server.out" | tail -1)" =~ \(watch\ ending\)$ ]]
	# the time it went under is the time of a reading after the stop
	# (which followed the report of it over), before the end
	since=$(grep -E "^[0-9:]+ $ended" "$W" | sed -E 's/.*, since ([0-9:]+) .*/\1/')
	over=$(grep -E "^[0-9:]+ $busy .* over " "$W" | cut -d' ' -f1)
	last=$(grep -E "^[0-9:]+ $ended" "$W" | cut -d' ' -f1)
	soon_after "$over" "$since"
	soon_after "$since" "$last"
}

@test "rss: a process over the size for the time given, once" {
	start_server
	start_watch -S "$SOCK" --rss 40M:1 -i 0.3
	start_fixture rss 64
	first=$FIXTURE_PID
	wait_for_line "$W" "^[0-9:]+ $first \(proc-fixture\) over 40M RSS for [0-9]+ s \(6[0-9]M\)$"
	start_fixture rss 64 # the later one
	once "$W" "^[0-9:]+ $first " \
		"^[0-9:]+ $FIXTURE_PID \(proc-fixture\) over 40M RSS"
	wait_for_line "$CHAT_DIR/server.out" "^\[watch\] .* $first \(proc-fixture\) over 40M RSS"
	once "$CHAT_DIR/server.out" "^\[watch\] .* $first " \
		"^\[watch\] .* $FIXTURE_PID \(proc-fixture\) over 40M RSS"
}

@test "rules from a file, and --print-rules shows them as read" {
	run "$PMON" watch --no-room --print-rules -f "$BATS_TEST_DIRNAME/../../examples/watch.rules"
	[ "$status" -eq 0 ]
	[[ "$output" == *"zombies "* ]]
	[[ "$output" == *"stuck-d "* ]]
	printf '# mine\n\nzombies 2\n  cpu 50:3  \nrss 1G:10\n' >"$BATS_TEST_TMPDIR/r"
	run "$PMON" watch --print-rules -f "$BATS_TEST_TMPDIR/r" --exit 1
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'zombies 2\ncpu 50:3\nrss 1G:10\nexit 1')" ]
	start_watch --no-room -f "$BATS_TEST_TMPDIR/r" -i 0.3
	start_fixture zombie 2
	first=$FIXTURE_PID
	wait_for_line "$W" "^[0-9:]+ $first \(proc-fixture\) holds 2 zombies$"
	start_fixture zombie 2 # the later one
	once "$W" "^[0-9:]+ $first " \
		"^[0-9:]+ $FIXTURE_PID \(proc-fixture\) holds 2 zombies$"
}

@test "a --cpu over what this machine's CPUs make together is said, and kept" {
	n=$(getconf _NPROCESSORS_ONLN)
	s=s; [ "$n" -eq 1 ] && s=
	over=$((100 * n + 1)) most=$((100 * n))
	run sh -c '"$1" watch --cpu "$2":1 --cpu "$3":1 --print-rules 2>/dev/null' sh "$PMON" "$over" "$most"
	[ "$status" -eq 0 ]
	[ "$output" = "cpu $over:1"$'\n'"cpu $most:1" ]
	run sh -c '"$1" watch --cpu "$2":1 --cpu "$3":1 --print-rules 2>&1 >/dev/null' sh "$PMON" "$over" "$most"
	[ "$output" = "pmon: watch: cpu $over% cannot be reached here: $n CPU$s make at most $most%" ]
}

@test "bad rules are refused with the reason (and the line of the file)" {
	run "$PMON" watch
	[ "$status" -eq 2 ]
	[[ "$output" == *"no rule"* ]]
	run "$PMON" watch --cpu 90
	[ "$status" -eq 2 ]
	[[ "$output" == *"cpu takes PCT:SECONDS"* ]]
	run "$PMON" watch --rss 1X:5
	[ "$status" -eq 2 ]
	printf 'zombies 2\nzombie 3\n' >"$BATS_TEST_TMPDIR/r"
	run "$PMON" watch -f "$BATS_TEST_TMPDIR/r"
	[ "$status" -eq 2 ]
	[[ "$output" == *"r:2: unknown rule 'zombie'"* ]]
	run "$PMON" watch -f "$BATS_TEST_TMPDIR/nonexistent"
	[ "$status" -eq 2 ]
	# a directory is as bad a file as one that is not there
	run "$PMON" watch -f "$BATS_TEST_TMPDIR"
	[ "$status" -eq 2 ]
	[[ "$output" == *"Is a directory"* ]]
	# a long comment is a comment; -n needs a name
	printf '# %0600d\nzombies 3\n' 0 >"$BATS_TEST_TMPDIR/r"
	run "$PMON" watch --print-rules -f "$BATS_TEST_TMPDIR/r"
	[ "$status" -eq 0 ]
	[ "$output" = "zombies 3" ]
	run "$PMON" watch --zombies 3 -n ''
	[ "$status" -eq 2 ]
	[[ "$output" == *"-n needs a name"* ]]
	run "$PMON" watch --exit 4194304
	[ "$status" -eq 1 ]
	[[ "$output" == *"no such process"* ]]
}

@test "pmon zombies --watch --announce: the shorthand posts; --watch alone only prints" {
	start_server
	"$PMON" zombies --watch --announce -S "$SOCK" >"$W" 2>&1 3>&- &
	WATCH_PID=$!
	start_fixture zombie 1
	first=$FIXTURE_PID
	wait_for_line "$W" "^[0-9:]+ $first \(proc-fixture\) holds 1 zombie$"
	start_fixture zombie 1 # the later one
	once "$W" "^[0-9:]+ $first " \
		"^[0-9:]+ $FIXTURE_PID \(proc-fixture\) holds 1 zombie$"
	wait_for_line "$CHAT_DIR/server.out" "^\[watch\] .* $first \(proc-fixture\) holds 1 zombie$"
	run "$PMON" zombies --announce
	[ "$status" -eq 2 ]
}
