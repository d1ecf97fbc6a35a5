#!/usr/bin/env bats
# The soak test of issue 13, briefly: `make soak` runs it for 10 minutes.
# tests/soak/soak.py says what load and faults it applies and which
# invariants it checks; it prints its seed, which replays its choices.

load helpers

@test "soak: 25 s of random load and faults on a room and zombie-making parents keep every invariant" {
	run timeout -k 10 300 python3 "$BATS_TEST_DIRNAME/../soak/soak.py" \
		--pmon "$PMON" --fixtures "$BUILD_DIR/fixtures" --seconds 25
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"soak: ok (seed "* ]]
	[[ "$output" == *"; 0 lost, 0 duplicated, 0 senders reordered"* ]]
	[[ "$output" == *"unexpected disconnects: 0"* ]]
	[[ "$output" == *" 0 spurious error returns"* ]]
}
