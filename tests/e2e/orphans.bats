#!/usr/bin/env bats
# pmon orphans, tree --orphans, ps --orphans: each kind of orphan made by
# tests/fixtures/orphan-fixture (the double fork, a job left by a closed
# terminal, a stopped member of an orphaned process group, a child whose
# parent exited), each under a child subreaper of its own that adopts it;
# the look-alikes that are not orphans; what another account may see.

load helpers

ORPHAN=$BUILD_DIR/fixtures/orphan-fixture

# start_orphans MODE [ARGS...]: the orphan fixture under a subreaper of
# this test (FIXTURE_PID is the subreaper, ORPHAN_PID the orphan).
start_orphans() {
	FIXTURE=$SUBREAPER start_fixture "$ORPHAN" "$@" || return 1
	SUBREAPERS+=("$FIXTURE_PID")
	ORPHAN_PID=$(fixture_children)
	plain_pid "$ORPHAN_PID"
}
SUBREAPERS=()

# The subreaper forwards TERM to the fixture and, once it has died, kills
# every child it holds (the orphans it adopted) and exits.
teardown() {
	local pid
	for pid in "${SUBREAPERS[@]}"; do
		plain_pid "$pid" || continue
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	SUBREAPERS=()
	stop_fixtures
}

# The entry of pid $1 in pmon orphans' text output ($output): its line
# and the indented lines under it.
entry_of() {
	awk -v p="$1" '/^  [0-9]/ { on = ($1 == p) } /^[^ ]/ { on = 0 } on' <<<"$output"
}
# The same as one line: the wrapped lines joined, so that a phrase can be
# matched wherever the terminal's width broke it.
flat_entry_of() { entry_of "$1" | tr -s ' \n' '  '; }
# The session of pid $1 (test-side truth).
proc_session() { set -- $(stat_fields "$1") && echo "$4"; }
# The title of the group pid $1 is listed under.
group_of() {
	awk -v p="$1" '/^[^ ]/ { title = $0 } /^  [0-9]/ && $1 == p { print title }' <<<"$output"
}
# One key of pid $1's object in the JSON in $output.
jq_of() { jq -r --argjson p "$1" ".[] | select(.pid == \$p) | $2" <<<"$output"; }

@test "orphans: a double-forked daemon is a daemon, adopted by the subreaper that holds it" {
	start_orphans daemon
	[ "$(proc_ppid "$ORPHAN_PID")" = "$FIXTURE_PID" ]
	run pmon orphans
	[ "$status" -eq 0 ]
	e=$(entry_of "$ORPHAN_PID")
	echo "$e"
	[ "$(group_of "$ORPHAN_PID")" = "daemons: detached on purpose, no terminal (the double fork)" ]
	grep -qE "^  $ORPHAN_PID orphan-daemon  user root  up [0-9:]+  session [0-9]+ \(leader gone\)  tty -$" <<<"$e"
	grep -qF "adopted by: PID $FIXTURE_PID (subreaper), a child subreaper" <<<"$e"
	grep -q "re-parented" <<<"$e"
	grep -q "has exited" <<<"$e"
	grep -q "none of its" <<<"$e"
	run pmon orphans --json
	[ "$status" -eq 0 ]
	[ "$(jq_of "$ORPHAN_PID" .orphan)" = daemon ]
	[ "$(jq_of "$ORPHAN_PID" .adopter.pid)" = "$FIXTURE_PID" ]
	[ "$(jq_of "$ORPHAN_PID" .adopter.kind)" = subreaper ]
	[ "$(jq_of "$ORPHAN_PID" '.evidence | join(",")')" = reparented,leader-gone,no-terminal ]
	[ "$(jq_of "$ORPHAN_PID" .session_leader_alive)" = false ]
}

@test "orphans: a daemon that forked once leads its own session: listed only with --all" {
	start_orphans daemon
	single=$(awk '$1 == "single" {print $2}' "$FIXTURE_OUT")
	plain_pid "$single"
	run pmon orphans
	[ "$status" -eq 0 ]
	[ -z "$(entry_of "$single")" ]
	[[ "$output" =~ more\ process(es)?\ lead ]]
	run pmon orphans --all
	[ "$status" -eq 0 ]
	echo "$(entry_of "$single")"
	[[ "$(group_of "$single")" == "leading their own session under init or a subreaper"* ]]
	grep -q "/proc does not say which" <<<"$(flat_entry_of "$single")"
	run pmon orphans --all --json
	[ "$(jq_of "$single" .orphan)" = own-session ]
}

@test "orphans: a job left by a shell killed inside a pseudo-terminal" {
	command -v script >/dev/null || skip "needs script(1) (util-linux)"
	start_orphans terminal "$BATS_TEST_TMPDIR"
	run pmon orphans
	[ "$status" -eq 0 ]
	e=$(entry_of "$ORPHAN_PID")
	echo "$e"
	[ "$(group_of "$ORPHAN_PID")" = "jobs left behind by a closed terminal or ssh session" ]
	grep -qE "^  $ORPHAN_PID orphan-job  user root .* \(leader gone\)  tty -$" <<<"$e"
	grep -qE "still on /dev/pts/[0-9]+ \(deleted\), a terminal that has been closed" \
		<<<"$(flat_entry_of "$ORPHAN_PID")"
	grep -qF "adopted by: PID $FIXTURE_PID (subreaper), a child subreaper" <<<"$e"
	run pmon orphans --json
	[ "$(jq_of "$ORPHAN_PID" .orphan)" = terminal-job ]
	[[ "$(jq_of "$ORPHAN_PID" .std_terminal)" =~ ^/dev/pts/[0-9]+\ \(deleted\)$ ]]
	[ "$(jq_of "$ORPHAN_PID" '.evidence | index("terminal-closed") != null')" = true ]
}

@test "orphans: a stopped member of an orphaned process group that ignores SIGHUP" {
	start_orphans stopped
	[ "$(proc_state "$ORPHAN_PID")" = T ]
	run pmon orphans
	[ "$status" -eq 0 ]
	e=$(entry_of "$ORPHAN_PID")
	echo "$e"
	[[ "$(group_of "$ORPHAN_PID")" == "stopped in an orphaned process group"* ]]
	grep -q "process group $ORPHAN_PID is orphaned" <<<"$e"
	grep -qF "pmon kill -s CONT $ORPHAN_PID" <<<"$e"
	grep -q "ignores SIGHUP" <<<"$e"
	run pmon orphans --json
	[ "$(jq_of "$ORPHAN_PID" .orphan)" = stopped ]
	[ "$(jq_of "$ORPHAN_PID" .pgrp_orphaned)" = true ]
}

@test "orphans: a child whose parent exited while its session lives on" {
	start_orphans adopted
	run pmon orphans
	[ "$status" -eq 0 ]
	e=$(entry_of "$ORPHAN_PID")
	echo "$e"
	[[ "$(group_of "$ORPHAN_PID")" == "adopted while their session lives on"* ]]
	grep -qE "session [0-9]+ \(leader alive\)" <<<"$e"
	run pmon orphans --json
	[ "$(jq_of "$ORPHAN_PID" .orphan)" = adopted ]
	[ "$(jq_of "$ORPHAN_PID" .session_leader_alive)" = true ]
}

@test "orphans: the processes started where they are are not listed" {
	start_orphans adopted
	adopter=$FIXTURE_PID
	# The fixture itself (started by its subreaper), the session leader
	# it forked, and a plain fixture under a subreaper of its own.
	main=$(cat /proc/"$adopter"/task/*/children)
	leader=$(proc_session "$ORPHAN_PID")
	FIXTURE=$SUBREAPER start_fixture "$FIXTURE" sleep
	SUBREAPERS+=("$FIXTURE_PID")
	plain=$(cat /proc/"$FIXTURE_PID"/task/*/children)
	run pmon orphans --all --json
	[ "$status" -eq 0 ]
	for p in "${SUBREAPERS[@]}" $main "$leader" $plain; do
		[ "$p" = "$ORPHAN_PID" ] && continue
		plain_pid "$p"
		[ -z "$(jq_of "$p" .orphan)" ] || { echo "$p is listed"; false; }
	done
	[ "$(jq_of "$ORPHAN_PID" .orphan)" = adopted ]
}

@test "orphans: tree --orphans marks each kind, and nothing else, under the subreapers" {
	start_orphans daemon
	daemon=$ORPHAN_PID
	start_orphans stopped
	stopped=$ORPHAN_PID
	start_orphans adopted
	adopted=$ORPHAN_PID
	for r in "${SUBREAPERS[@]}"; do
		run pmon tree --orphans "$r"
		[ "$status" -eq 0 ]
		echo "$output"
		marked=$(grep -c '\[orphan: ' <<<"$output") || true
		[ "$marked" -eq 1 ]
	done
	run pmon tree --orphans
	grep -qE "^ *$daemon S +.*orphan-daemon  \[orphan: daemon\]$" <<<"$output"
	grep -qE "^ *$stopped T +.*orphan-stopped  \[orphan: stopped\]$" <<<"$output"
	grep -qE "^ *$adopted S +.*orphan-adopted  \[orphan: adopted\]$" <<<"$output"
	run pmon tree --orphans --json "${SUBREAPERS[0]}"
	[ "$(jq -r '.[0].orphan' <<<"$output")" = none ]
	[ "$(jq -r --argjson p "$daemon" '.. | objects | select(.pid? == $p) | .orphan' <<<"$output")" = daemon ]
}

@test "orphans: ps --orphans lists exactly the orphans, and fails when -p selects none" {
	start_orphans daemon
	daemon=$ORPHAN_PID
	start_orphans stopped
	stopped=$ORPHAN_PID
	run pmon ps --orphans -p "$daemon,$stopped,${SUBREAPERS[0]},${SUBREAPERS[1]}"
	[ "$status" -eq 0 ]
	echo "$output"
	[ "$(grep -c '\[orphan: ' <<<"$output")" -eq 2 ]
	grep -qE "^ *$daemon .*orphan-daemon  \[orphan: daemon\]$" <<<"$output"
	grep -qE "^ *$stopped .*orphan-stopped  \[orphan: stopped\]$" <<<"$output"
	run pmon ps --orphans --json -p "$daemon"
	[ "$(jq -r '.[0].orphan' <<<"$output")" = daemon ]
	run ! pmon ps --orphans -p "${SUBREAPERS[0]}"
	# Every orphan pmon orphans lists is in ps --orphans, and no other.
	run pmon orphans --json
	want=$(jq -r '.[].pid' <<<"$output" | sort -n)
	run pmon ps --orphans --json
	got=$(jq -r '.[].pid' <<<"$output" | sort -n)
	# Other processes of the machine may come and go between the runs:
	# the fixtures' orphans must be in both.
	for p in "$daemon" "$stopped"; do
		grep -qx "$p" <<<"$want"
		grep -qx "$p" <<<"$got"
	done
}

@test "orphans: another account cannot read a job's descriptors: a daemon, with the doubt said" {
	command -v script >/dev/null || skip "needs script(1) (util-linux)"
	start_orphans terminal "$BATS_TEST_TMPDIR"
	copy_for_others
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$OTHERS_PMON" orphans --json
	[ "$status" -eq 0 ]
	[ "$(jq_of "$ORPHAN_PID" .orphan)" = daemon ]
	[ "$(jq_of "$ORPHAN_PID" .std_terminal)" = null ]
	[ "$(jq_of "$ORPHAN_PID" .std_terminal_readable)" = false ]
	[ "$(jq_of "$ORPHAN_PID" '.evidence | index("fds-unreadable") != null')" = true ]
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$OTHERS_PMON" orphans
	grep -q "cannot be read (another account's process)" <<<"$(flat_entry_of "$ORPHAN_PID")"
}

@test "orphans: the summary counts each kind; JSON is one valid array" {
	start_orphans daemon
	start_orphans stopped
	run pmon orphans
	[ "$status" -eq 0 ]
	last=${lines[${#lines[@]} - 1]}
	[[ "$last" =~ ^[0-9]+\ orphans?:\ .*[0-9]+\ daemon ]]
	[[ "$output" =~ [0-9]+\ stopped ]]
	run pmon orphans --json
	[ "$status" -eq 0 ]
	jq -e 'type == "array" and all(.[]; .orphan and .adopter.pid and .advice)' <<<"$output"
	run pmon orphans --bogus
	[ "$status" -eq 2 ]
}
