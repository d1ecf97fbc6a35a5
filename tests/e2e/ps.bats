#!/usr/bin/env bats
# pmon ps: states of real fixture processes, STAT parity with ps.

load helpers

@test "ps shows a sleeping fixture as S" {
	start_fixture sleep
	pid=$FIXTURE_PID
	run pmon ps -p "$pid"
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" =~ ^\ *$pid\ +[0-9]+\ +[a-z]+\ +S ]]
}
