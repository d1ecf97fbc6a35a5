#!/usr/bin/env bats
# Coordination in the room: the action events of pmon kill and pmon reap
# (the audit trail), claims and their override, shared views, and a kill
# that never waits on a room that is gone or stalled.  Other accounts are
# uids run through setpriv (as in chat.bats): 60011 "bob" and 60012
# "mallory", members of the room's --group; alice is root's client.

load chat_helpers

BOB=(setpriv --reuid=60011 --regid="$CHAT_GID" --clear-groups)
MALLORY=(setpriv --reuid=60012 --regid="$CHAT_GID" --clear-groups)

setup() {
	chat_setup
	TMUX_NAME=pmon-coord-test-$$-$BATS_TEST_NUMBER
}

teardown() {
	tmux_end "$TMUX_NAME"
	chat_teardown
}

# sleeper [PREFIX...]: a sleep run as PREFIX (another uid), in SLEEP_PID.
sleeper() {
	"$@" sleep 1000 3>&- &
	SLEEP_PID=$!
	EXTRA_PIDS+=("$SLEEP_PID")
	wait_for_state "$SLEEP_PID" S
}

# raw_client PREFIX... -- LINE...: a client that speaks the protocol by
# hand (no pmon at all), as PREFIX, sends each LINE after the hello and
# prints what it got back until the answer to a /stats sent after them
# (the room answers a connection's lines in order, named or not; that
# answer itself is not printed).  No fixed wait: a loaded server may
# take more than a second to answer (at most 30 s).
raw_client() {
	local pre=()
	while [ "$1" != "--" ]; do pre+=("$1"); shift; done
	shift
	"${pre[@]}" /usr/bin/python3 -c "$(cat "$BATS_TEST_DIRNAME/raw_client.py")" "$SOCK" "$@"
}

# waits_on_room CMD...: run CMD under strace; the seconds it spent
# blocked in poll (where pmon waits for the room, and nowhere else on
# these paths) are in WAITED, its status in STATUS.  Wall time would
# count a loaded box's scan of /proc too; this counts only the waits.
waits_on_room() {
	STATUS=0
	# (LeakSanitizer, in SANITIZE=1 builds, cannot work under ptrace: off)
	timeout 120 strace -f -qq -e trace=poll,ppoll -T -o "$CHAT_DIR/strace" \
		env ASAN_OPTIONS=detect_leaks=0 "$@" >"$CHAT_DIR/cmd.out" 2>&1 ||
		STATUS=$?
	WAITED=$(sed -n 's/.*<\([0-9.]*\)>$/\1/p' "$CHAT_DIR/strace" |
		awk '{t += $1} END {printf "%.3f", t}')
	echo "waited $WAITED s on the room; status $STATUS" >&2
}

# below LIMIT X: X < LIMIT (decimals).
below() { awk -v l="$1" -v x="$2" 'BEGIN {exit !(x < l)}'; }

@test "coord: a kill by another account reaches a second client within 1 s, with its uid" {
	copy_for_others
	start_server --group "$CHAT_GID"
	start_client alice
	sleeper "${BOB[@]}"
	run "${BOB[@]}" "$OTHERS_PMON" kill "$SLEEP_PID"
	[ "$status" -eq 0 ]
	[ "$output" = "$SLEEP_PID sleep: sent TERM" ]
	wait_for_line "$CHAT_DIR/alice.out" \
		"^\[action\] uid60011 \(uid 60011\) sent TERM to $SLEEP_PID sleep: ok$" 10 || {
		cat "$CHAT_DIR/alice.out" >&2
		false
	}
	# the server's own display (and so its --log) has the same event
	grep -q "^\[action\] uid60011 (uid 60011) sent TERM to $SLEEP_PID sleep: ok$" \
		"$CHAT_DIR/server.out"
}

@test "coord: a reap reaches a second client within 1 s, with the reaper's uid and method" {
	copy_for_others
	install -m 0755 "$BUILD_DIR/fixtures/reap-parent" "$OTHERS_DIR/reap-parent"
	start_server --group "$CHAT_GID"
	start_client alice
	"${BOB[@]}" "$OTHERS_DIR/reap-parent" -n 3 -d handler pause \
		>"$CHAT_DIR/parent.out" 2>&1 3>&- &
	EXTRA_PIDS+=("$!")
	wait_for_line "$CHAT_DIR/parent.out" '^ready$'
	parent=$(awk '$1 == "parent" {print $2; exit}' "$CHAT_DIR/parent.out")
	[ "$parent" = "${EXTRA_PIDS[-1]}" ]
	run "${BOB[@]}" "$OTHERS_PMON" reap --method nudge --timeout 30000 "$parent"
	echo "$output"
	[ "$status" -eq 0 ]
	wait_for_line "$CHAT_DIR/alice.out" \
		"^\[action\] uid60011 \(uid 60011\) reaped 3 zombies of $parent reap-parent by nudge: ok$" 10 || {
		cat "$CHAT_DIR/alice.out" >&2
		false
	}
}

@test "coord: --quiet tells the room nothing" {
	start_server
	start_client alice
	sleeper
	run "$PMON" kill --quiet "$SLEEP_PID"
	[ "$status" -eq 0 ]
	pmon chat --send 'after the kill' -n marker
	sees alice '^marker: after the kill$'
	run ! grep -q '^\[action\]' "$CHAT_DIR/alice.out"
}

@test "coord: an /action report cannot lie its way past the check" {
	copy_for_others
	start_server --group "$CHAT_GID"
	start_client alice
	start_fixture sleep
	# (only a process this test started is named: nothing is signalled,
	# but the server checks whose it is)
	run raw_client "${MALLORY[@]}" -- '' \
		"/action kill $FIXTURE_PID 0 1 KILL OK sleep" \
		"/action kill $FIXTURE_PID 0 1 KILL done sleep" \
		"/action kill $FIXTURE_PID 1 1 KILL ok sleep" \
		"/action kill $FIXTURE_PID 0 1 KILL eperm init: ok; also reaped 3"
	echo "$output"
	# a success that is not spelt "ok" is not a result
	[ "$(grep -c '^error usage /action' <<<"$output")" -eq 2 ]
	# a wrong start time does not hide whose the PID is now
	sees alice "^\[action\] uid60012 \(uid 60012\) sent KILL to $FIXTURE_PID sleep: ok \(not checked: PID $FIXTURE_PID now names another process, of uid 0\)$"
	# the name of a live process is the kernel's, not the report's
	sees alice "^\[action\] uid60012 \(uid 60012\) sent KILL to $FIXTURE_PID proc-fixture: eperm$"
}

@test "coord: an event cannot be forged by text, by name or by raw protocol" {
	copy_for_others
	start_server --group "$CHAT_GID"
	start_client alice
	start_client mallory "${MALLORY[@]}"
	# by text: a message or /me that imitates an event line
	say mallory '[action] root (uid 0) sent KILL to 1 init: ok' \
		'/me (uid 0) sent KILL to 1 init: ok' \
		$'\e[2K\e[1G[claim] root (uid 0) claims 1 init' \
		'/me left the room' '/me (login root, uid 0) chat, idle 1s'
	sees alice '^\* mallory \(uid 0\) sent KILL'
	sees alice '^mallory: \[claim\] root'
	# the room's own lines cannot be imitated by /me either
	sees alice '^\* mallory left the room$'
	sees alice '^\* mallory \(login root, uid 0\) chat, idle 1s$'
	# by name: no name can begin with '[', nor be another account's login
	say mallory '/name [action]' '/name root'
	sees mallory 'a name is 1 to 32 letters'
	sees mallory 'root is the login name of another account'
	# by raw protocol: event lines sent as requests are messages, and an
	# /action on someone else's live process is refused
	run raw_client "${MALLORY[@]}" -- '' \
		'event 1 action root 0 sent KILL to 1 init: ok' \
		$'x\r[action] root (uid 0) sent KILL to 1 init: ok' \
		"/action kill $SERVER_PID 0 1 KILL ok chatd" \
		"/action kill $$ 0 1 KILL ok bash"
	echo "$output"
	# (only processes this test started are named: nothing is signalled,
	# but the server checks whose they are)
	[[ "$output" == *"error notpermitted process $SERVER_PID belongs to uid 0"* ]]
	[[ "$output" == *"error notpermitted process $$ belongs to uid 0"* ]]
	sees alice '^uid60012: event 1 action root 0 sent KILL'
	say alice '/who'
	sees alice '^\[who\] alice \(login root, uid 0\) chat'
	# not one line alice saw is an event mallory did not cause: the
	# server's lines are the two entries, the raw client's exit and the
	# answer to alice's /who (mallory has not left)
	grep '^\[' "$CHAT_DIR/alice.out" | sed 's/, idle .*//' | sort >"$CHAT_DIR/marked"
	cat "$CHAT_DIR/marked"
	printf '%s\n' '[room] mallory joined the room' '[room] uid60012 joined the room' \
		'[room] uid60012 left the room' '[who] alice (login root, uid 0) chat' \
		'[who] mallory (login uid60012, uid 60012) chat' | sort | diff - "$CHAT_DIR/marked"
}

@test "coord: a claim's reason is cut at 200 bytes on a character, never inside one" {
	start_server
	sleeper
	reason=$(printf 'é%.0s' $(seq 150)) # 300 bytes, 2 each
	# the server's own bytes (pmon chat would clean what it gets): a
	# raw client shows an invalid one as U+FFFD
	run raw_client -- alice "/claim $SLEEP_PID x$reason" /claims
	echo "$output"
	[[ "$output" == *"claims $SLEEP_PID sleep for 1h00m: x$(printf 'é%.0s' $(seq 99))"$'\n'* ]]
	[[ "$output" != *$'\uFFFD'* ]]
}

@test "coord: /claim shows in /who and --claims; kill refuses it off a terminal, --force overrides and the room sees it" {
	copy_for_others
	start_server --group "$CHAT_GID"
	start_client alice
	start_client bob "${BOB[@]}"
	sleeper
	say bob "/claim $SLEEP_PID restarting it"
	sees alice "^\[claim\] bob \(uid 60011\) claims $SLEEP_PID sleep for 1h00m: restarting it$"
	run "$PMON" chat --claims
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^"  bob (uid 60011) claims $SLEEP_PID sleep: restarting it ("(59m|1h00m)" left)"$ ]]
	run "$PMON" chat --who
	[[ "$output" =~ bob\ +uid60011\ +60011\ +chat ]]
	[[ "$output" == *"bob (uid 60011) claims $SLEEP_PID sleep: restarting it"* ]]
	# not on a terminal: refused, and the process is untouched
	run "$PMON" kill "$SLEEP_PID" </dev/null
	[ "$status" -eq 1 ]
	[ "$output" = "$SLEEP_PID sleep: refused: claimed by bob (uid 60011) in the room (pmon chat --claims; --force to act anyway)" ]
	[ "$(proc_state "$SLEEP_PID")" = S ]
	run "$PMON" kill --force "$SLEEP_PID" </dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"$SLEEP_PID sleep: sent TERM"* ]]
	sees alice "^\[action\] root \(uid 0\) sent TERM to $SLEEP_PID sleep: ok \(overriding the claim of bob, uid 60011: restarting it\)$"
	sees bob "overriding the claim of bob"
}

@test "coord: a claim ends on /release, on leaving, and when its time runs out" {
	copy_for_others
	start_server --group "$CHAT_GID" --claim-ttl 2
	start_client alice
	start_client bob "${BOB[@]}"
	say bob '/claim nginx upgrading'
	sees alice "^\[claim\] bob \(uid 60011\) claims the processes named like 'nginx' for 2s: upgrading$"
	sees alice "^\[claim\] bob \(uid 60011\) no longer claims the processes named like 'nginx' \(its time ran out\)$"
	say bob '/claim 1 looking' '/release 1'
	sees alice "^\[claim\] bob \(uid 60011\) no longer claims 1 [^ ]+ \(released\)$"
	# a pattern of one or two bytes would cover nearly every process
	say bob '/claim s' '/claim sh'
	sees bob "a pattern is 3 to 64 bytes"
	say bob '/claim worker'
	leave bob
	sees alice "^\[claim\] bob \(uid 60011\) no longer claims the processes named like 'worker' \(left the room\)$"
	[ "$(grep -c 'a pattern is 3 to 64 bytes' "$CHAT_DIR/bob.out")" -eq 2 ]
	run ! grep -q "named like 's'" "$CHAT_DIR/alice.out"
	run "$PMON" chat --claims
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "coord: on a terminal, kill asks before acting on a claimed process" {
	copy_for_others
	start_server --group "$CHAT_GID"
	start_client bob "${BOB[@]}"
	sleeper
	say bob "/claim $SLEEP_PID mine"
	sees bob "ok claim|claims $SLEEP_PID"
	wait_for_line "$CHAT_DIR/server.out" "claims $SLEEP_PID"
	cat >"$CHAT_DIR/k.sh" <<EOF
PMON_CHAT_SOCKET=$(printf %q "$SOCK") $(printf %q "$PMON") kill $SLEEP_PID
echo EXIT=\$?
PMON_CHAT_SOCKET=$(printf %q "$SOCK") $(printf %q "$PMON") kill $SLEEP_PID
echo EXIT=\$?
exec sleep 600
EOF
	SHELL=$BASH tmux -L "$TMUX_NAME" -f /dev/null new-session -d -x 120 -y 20 "sh '$CHAT_DIR/k.sh'"
	tm() { SHELL=$BASH tmux -L "$TMUX_NAME" "$@"; }
	screen() { tm capture-pane -p; }
	wait_screen() {
		local i
		for ((i = 0; i < 100; i++)); do
			screen | grep -qE -- "$1" && return 0
			sleep 0.1
		done
		screen >&2
		return 1
	}
	wait_screen "in the room, bob \(uid 60011\) claims $SLEEP_PID sleep: mine"
	wait_screen "act on $SLEEP_PID anyway \(the room will be told\)\? \[y/N\]"
	tm send-keys n Enter
	wait_screen "not touched: claimed by bob \(uid 60011\) in the room, and you said no"
	wait_screen '^EXIT=1$'
	[ "$(proc_state "$SLEEP_PID")" = S ]
	for ((i = 0; i < 100; i++)); do
		[ "$(screen | grep -c 'anyway')" -ge 2 ] && break
		sleep 0.1
	done
	tm send-keys y Enter
	wait_screen "$SLEEP_PID sleep: sent TERM"
	sees bob "^\[action\] root \(uid 0\) sent TERM to $SLEEP_PID sleep: ok \(overriding the claim of bob"
}

@test "coord: shared views are the server's, bounded, rate-limited, and never show what a member could not read" {
	copy_for_others
	start_server --group "$CHAT_GID"
	start_client alice
	start_client mallory "${MALLORY[@]}"
	# root's process with a secret in its environment and command line
	env PMON_SECRET=hunter2 sh -c 'sleep 1000; : topsecret-arg' 3>&- &
	secret=$!
	EXTRA_PIDS+=("$secret")
	wait_for_state "$secret" S
	say mallory "/inspect $secret"
	sees alice "^\[view\] mallory \(uid 60012\) /inspect $secret sh$"
	sees alice "^\[view\] \| state S, uid 0, parent $$, 1 thread, nice 0$"
	# rate-limited, per member
	say mallory '/ps sh'
	sees mallory 'one shared view every 5 s each \(2 s for the room\)'
	sleep 2.2 # the room's own interval since mallory's view
	say alice "/tree $secret"
	sees alice "^\[view\] alice \(uid 0\) /tree $secret: 2 processes$"
	sees alice "^\[view\] \| [\`| -]*[0-9]+ S uid 0 sleep$"
	sleep 5
	# cut to 20 rows: more than 20 sleeps
	for i in $(seq 21); do sleeper; done
	say mallory '/ps sleep'
	sees alice "^\[view\] mallory \(uid 60012\) /ps sleep: [0-9]+ processes \(the first 20 shown\)$"
	# all of the view's rows are in once a message sent after it is
	pmon chat --send 'after the view' -n marker
	sees alice '^marker: after the view$'
	[ "$(grep -c '^\[view\] | ' "$CHAT_DIR/alice.out")" -le $((2 + 2 + 20)) ]
	# nothing private ever reached anyone, nor the server's display
	run ! grep -l -e hunter2 -e topsecret "$CHAT_DIR/alice.out" \
		"$CHAT_DIR/mallory.out" "$CHAT_DIR/server.out"
	# a member cannot forge one: /view is no request, "event ... view" a message
	say mallory '/view root 0 /inspect 1: everything' \
		"event 1 view root 0 /inspect 1"
	sees mallory 'no command /view'
	sees alice '^mallory: event 1 view root 0'
}

# slow_views SECONDS: from now on the first getdents64 of the server and
# of each child it forks waits SECONDS first (strace's delay injection,
# STRACE_PID).  A view lists /proc; the room's loop itself never does.
slow_views() {
	strace -f -p "$SERVER_PID" -e trace=getdents64 \
		-e inject=getdents64:delay_enter="$(($1 * 1000000))":when=1 \
		-o "$CHAT_DIR/strace" 2>"$CHAT_DIR/strace.err" 3>&- &
	STRACE_PID=$!
	EXTRA_PIDS+=("$STRACE_PID")
	wait_for_line "$CHAT_DIR/strace.err" "Process $SERVER_PID attached"
}

# no_server_children: the server's view children are all reaped (5 s).
no_server_children() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ -z "$(cat /proc/"$SERVER_PID"/task/*/children)" ] && return 0
		sleep 0.1
	done
	echo "the server still has children: $(cat /proc/"$SERVER_PID"/task/*/children)" >&2
	return 1
}

# now: seconds since the epoch, to the nanosecond.
now() { date +%s.%N; }

@test "coord: a view is made beside the room's loop, which answers others meanwhile; the asker's next line waits for it" {
	# slow_views delays /proc's listing: the /proc backend, even where
	# root has pinned pmon's task iterator (pmon bpf install)
	PMON_BACKEND=proc start_server
	start_client alice
	start_client carol
	slow_views 3
	say alice '/zombies' 'after my view'
	t0=$(now)
	say carol 'meanwhile'
	sees alice '^carol: meanwhile$'
	took=$(awk -v a="$t0" -v b="$(now)" 'BEGIN {print b - a}')
	echo "carol's line took $took s" >&2
	below 2.5 "$took"
	run ! grep -q '^\[view\]' "$CHAT_DIR/alice.out"
	sees alice '^\[view\] alice \(uid 0\) /zombies: '
	sees carol '^alice: after my view$'
	view=$(grep -n '^\[view\] alice' "$CHAT_DIR/carol.out" | cut -d: -f1)
	after=$(grep -n '^alice: after my view$' "$CHAT_DIR/carol.out" | cut -d: -f1)
	[ "$view" -lt "$after" ]
	# a child of the server's made it (the delay hit it there), now reaped
	grep -q 'getdents64' "$CHAT_DIR/strace"
	run ! grep -q "^$SERVER_PID .*getdents64" "$CHAT_DIR/strace"
	no_server_children
}

@test "coord: a view that takes longer than --view-timeout is ended" {
	PMON_BACKEND=proc start_server --view-timeout 1
	start_client alice
	# (a child killed in strace's delay dies when the delay ends)
	slow_views 3
	say alice '/zombies'
	sees alice 'the view took longer than 1 s and was ended'
	no_server_children
	[ "$(grep -c '+++ killed by SIGKILL +++' "$CHAT_DIR/strace")" -eq 1 ]
	run ! grep -q '^\[view\]' "$CHAT_DIR/alice.out"
}

@test "coord: a server that stops ends the view being made" {
	# it ends traced by strace, where LeakSanitizer cannot work: off
	ASAN_OPTIONS=detect_leaks=0 PMON_BACKEND=proc start_server
	start_client carol
	slow_views 3
	say carol '/tree 1'
	for ((i = 0; i < 50; i++)); do
		child=$(cat /proc/"$SERVER_PID"/task/*/children | tr -d ' ')
		[ -n "$child" ] && break
		sleep 0.1
	done
	[[ "$child" =~ ^[0-9]+$ ]]
	# carol's client first (a client whose room is gone starts one of its
	# own): the server does not see it go while it holds carol's line
	kill -KILL "${CLIENT_PID[carol]}"
	wait "${CLIENT_PID[carol]}" || true
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID"
	# killed, not done: it dies when strace's delay ends
	for ((i = 0; i < 50; i++)); do
		[ -d "/proc/$child" ] || break
		sleep 0.1
	done
	[ ! -d "/proc/$child" ]
	wait "$STRACE_PID" || true # it has nothing left to trace: its log is whole
	# (strace pads the pid to a width: one space or more)
	grep -qE "^$child +\+\+\+ killed by SIGKILL \+\+\+" "$CHAT_DIR/strace" ||
		{ cat "$CHAT_DIR/strace" >&2; false; }
	run ! grep -q '^\[view\]' "$CHAT_DIR/carol.out"
}

@test "coord: under /proc's hidepid a view, a claim or an action report shows a member only what it could read" {
	# in a PID namespace of its own, /proc remounted hidepid=invisible,
	# gid=60200: uid 60012 and 60014 see their own processes only, 60013
	# (in group 60200) all, as the kernel would let each read /proc
	run unshare --pid --fork --mount --mount-proc \
		bash "$BATS_TEST_DIRNAME/hidepid_room.bash" "$PMON" "$CHAT_DIR" "$CHAT_GID"
	echo "$output"
	[ "$status" -eq 0 ]
	read -r _ root_sleep _ own_sleep _ half_sleep <<<"${lines[0]}"
	# views: the asker's own processes, and the head says why
	[[ "$output" == *"mallory: event "*" view uid60012 60012 /ps sleep: 1 process (hidepid: uid 60012's processes only)"* ]]
	[[ "$output" == *"mallory: event "*" viewrow $own_sleep S uid 60012 sleep"* ]]
	[[ "$output" == *"staff: event "*" view uid60013 60013 /ps sleep: 3 processes"$'\n'* ]]
	[[ "$output" == *"staff: event "*" viewrow $root_sleep S uid 0 sleep"* ]]
	[[ "$output" == *"eve: error noview /inspect $root_sleep: no such process (hidepid: uid 60014's processes only)"* ]]
	[[ "$output" == *"eve2: error noview /tree 1: no such process (hidepid"* ]]
	# a process whose effective uid alone is the member's is not its own
	[[ "$output" == *"staff: event "*" viewrow $half_sleep S uid 60012 sleep"* ]]
	grep -E "^mallory: event [0-9]+ viewrow $half_sleep " <<<"$output" && false
	# under ptraceable, gid= opens nothing
	[[ "$output" == *"staff2: event "*" view uid60015 60015 /ps sleep: 0 processes (hidepid: uid 60015's processes only)"* ]]
	# a claim on what it cannot see is no claim; on its own it is
	[[ "$output" == *"mallory: error nosuchprocess no process $root_sleep"* ]]
	[[ "$output" == *"mallory: event "*" claim uid60012 60012 claims $own_sleep sleep for "* ]]
	# an action report is refused or posted without the owner or name
	[[ "$output" == *"mallory: error notpermitted process $root_sleep is not uid 60012's: not posted"* ]]
	[[ "$output" == *"sent KILL to $root_sleep sleep: ok (not checked: PID $root_sleep now names another process)"* ]]
	[[ "$output" == *"sent KILL to $root_sleep decoy: eperm"* ]]
	# and nothing of root's reached those who could not read it
	run ! grep -E '^(mallory|eve|eve2): .*(uid 0|[0-9]+ S uid 0 )' <<<"$output"
}

@test "coord: kill and reap never hang on a room that is gone or stalled" {
	sleeper
	# stalled: a server that accepts and never answers
	start_fake
	waits_on_room "$PMON" kill -s CONT "$SLEEP_PID"
	[ "$STATUS" -eq 0 ]
	grep -q "^$SLEEP_PID sleep: sent CONT$" "$CHAT_DIR/cmd.out"
	# the hello never came: one budget of 200 ms, and nothing more
	below 0.5 "$WAITED"
	waits_on_room "$PMON" reap "$SLEEP_PID"
	[ "$STATUS" -ne 124 ]
	grep -q "$SLEEP_PID" "$CHAT_DIR/cmd.out"
	below 0.5 "$WAITED"
	# gone: the socket is there, nobody listens
	kill -KILL "$FAKE_PID"
	wait "$FAKE_PID" 2>/dev/null || true
	[ -S "$SOCK" ]
	waits_on_room "$PMON" kill -s CONT "$SLEEP_PID"
	[ "$STATUS" -eq 0 ]
	below 0.1 "$WAITED"
	# a server stopped by SIGSTOP after a client saw it
	start_server
	kill -STOP "$SERVER_PID"
	waits_on_room "$PMON" kill "$SLEEP_PID"
	kill -CONT "$SERVER_PID"
	[ "$STATUS" -eq 0 ]
	below 0.5 "$WAITED"
	[ "$(proc_state "$SLEEP_PID")" != S ]
}

@test "coord: /who shows login, uid, what each runs pmon as, its terminal and idle time" {
	start_server
	# a client on a terminal (tmux), whose terminal the server reads itself
	SHELL=$BASH tmux -L "$TMUX_NAME" -f /dev/null new-session -d -x 100 -y 20 \
		"PMON_CHAT_SOCKET=$(printf %q "$SOCK") TERM=screen $(printf %q "$PMON") chat -n tess; sleep 600"
	wait_for_line "$CHAT_DIR/server.out" '^\[room\] tess joined the room'
	# a client that says it is a top, by hand
	run raw_client -- '/as top' carol '/who'
	echo "$output"
	[[ "$output" == *"ok as top"* ]]
	[[ "$output" =~ who\ carol\ root\ 0\ top\ -\ [0-9]+ ]]
	[[ "$output" =~ who\ tess\ root\ 0\ chat\ pts/[0-9]+\ [0-9]+ ]]
	run raw_client -- '/as boss'
	[[ "$output" == *"error usage /as chat|top|watch|cmd"* ]]
	sleep 2
	run "$PMON" chat --who
	[[ "$output" =~ tess\ +root\ +0\ +chat\ +pts/[0-9]+\ +([2-9]|[1-9][0-9]+)s ]]
}

@test "coord: reap leaves a claimed parent's zombies alone off a terminal; --force reaps and the room sees the override" {
	copy_for_others
	start_server --group "$CHAT_GID"
	start_client alice
	start_client bob "${BOB[@]}"
	"$BUILD_DIR/fixtures/reap-parent" -n 2 -d handler pause \
		>"$CHAT_DIR/parent.out" 2>&1 3>&- &
	EXTRA_PIDS+=("$!")
	wait_for_line "$CHAT_DIR/parent.out" '^ready$'
	parent=$(awk '$1 == "parent" {print $2; exit}' "$CHAT_DIR/parent.out")
	[ "$parent" = "${EXTRA_PIDS[-1]}" ]
	zombie=$(awk '$1 == "child" {print $2; exit}' "$CHAT_DIR/parent.out")
	say bob "/claim $parent draining it"
	sees alice "^\[claim\] bob \(uid 60011\) claims $parent reap-parent"
	# a zombie named: its parent's claim counts
	run "$PMON" reap --method nudge "$zombie" </dev/null
	[ "$status" -eq 1 ]
	[ "$output" = "$zombie: not reaped: refused: claimed by bob (uid 60011) in the room (pmon chat --claims; --force to act anyway)" ]
	[ "$(proc_state "$zombie")" = Z ]
	run "$PMON" reap --force --method nudge --timeout 30000 "$parent" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	sees alice "^\[action\] root \(uid 0\) reaped 2 zombies of $parent reap-parent by nudge: ok \(overriding the claim of bob, uid 60011: draining it\)$"
}
