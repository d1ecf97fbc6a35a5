#!/usr/bin/env bats
# pmon zombies: groups per SIGCHLD disposition, what is not a zombie,
# --check, JSON, escaping, the exit age.

load helpers

ZP=$BUILD_DIR/fixtures/zombie-parent

# start_zp ARGS...: a zombie-parent fixture (see tests/fixtures).
start_zp() { FIXTURE=$ZP start_fixture "$@"; }

# The text of the group of parent $1 in $output: its line to the next parent.
group_of() {
	awk -v p="$1" '$1 == "parent" { on = ($2 == p) } on' <<<"$output"
}

@test "zombies: a default-disposition parent: group, zombies and advice" {
	start_zp 2 default
	parent=$FIXTURE_PID
	kids=($(fixture_children))
	run pmon zombies
	[ "$status" -eq 0 ]
	g=$(group_of "$parent")
	echo "$g"
	[[ "$g" == "parent $parent zombie-parent  user root  STAT S"*"  SIGCHLD default  2 zombies"* ]]
	grep -qE "^  zombie ${kids[0]} fixture-zombie  exited [0-9:]+ ago$" <<<"$g"
	grep -qE "^  zombie ${kids[1]} fixture-zombie  exited [0-9:]+ ago$" <<<"$g"
	grep -q "advice: $parent leaves SIGCHLD at its default" <<<"$g"
	grep -q "nudge does nothing" <<<"$g"
}

@test "zombies: a parent that set SIG_IGN after its children died" {
	start_zp 3 ignore
	parent=$FIXTURE_PID
	run pmon zombies
	[ "$status" -eq 0 ]
	g=$(group_of "$parent")
	echo "$g"
	[[ "$g" == *"SIGCHLD ignored  3 zombies"* ]]
	[ "$(grep -c '^  zombie ' <<<"$g")" -eq 3 ]
	grep -q "these exited before it set SIG_IGN" <<<"$g"
}

@test "zombies: a parent whose SIGCHLD handler does not wait" {
	start_zp 1 handler-nowait
	parent=$FIXTURE_PID
	run pmon zombies
	[ "$status" -eq 0 ]
	g=$(group_of "$parent")
	echo "$g"
	[[ "$g" == *"SIGCHLD caught  1 zombie"* ]]
	grep -q "has a SIGCHLD handler: \`pmon reap $parent\` sends it SIGCHLD" <<<"$g"
}

@test "zombies: groups are in parent PID order, zombies in PID order" {
	start_zp 2 default
	start_zp 2 handler-nowait
	start_zp 2 ignore
	run pmon zombies
	[ "$status" -eq 0 ]
	parents=$(awk '$1 == "parent" {print $2}' <<<"$output")
	[ "$parents" = "$(sort -n <<<"$parents")" ]
	for p in "${FIXTURE_PIDS[@]}"; do
		grep -qx "$p" <<<"$parents"
		z=$(group_of "$p" | awk '$1 == "zombie" {print $2}')
		[ "$z" = "$(sort -n <<<"$z")" ]
	done
	[[ "$output" =~ [0-9]+\ zombies\ under\ [0-9]+\ parents$ ]]
}

@test "zombies: a thread-group leader that exited while a thread runs is not listed" {
	start_zp thread-leader
	leader=$(awk '$1 == "leader" {print $2}' "$FIXTURE_OUT")
	# The kernel shows it as Z: that is the trap.
	[ "$(proc_state "$leader")" = Z ]
	run pmon zombies
	[ "$status" -eq 0 ]
	grep -qE "^(parent|  zombie) $leader " <<<"$output" && false
	run pmon zombies --json
	[ "$(jq --argjson l "$leader" '[.[] | .parent.pid, .zombies[].pid] | index($l)' <<<"$output")" = null ]
}

@test "zombies --check: 0 without zombies, 1 with one (private PID namespace)" {
	run unshare --pid --fork --mount-proc "$PMON" zombies --check
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "no zombies" ]
	run unshare --pid --fork --mount-proc sh -c '
		"$1" 1 default >"$2" 3>&- &
		i=0; until grep -q ready "$2"; do sleep 0.1; i=$((i+1)); [ $i -lt 100 ] || exit 9; done
		"$3" zombies --check' sh "$ZP" "$BATS_TEST_TMPDIR/ns.out" "$PMON"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"1 zombie under 1 parent" ]]
}

@test "zombies: the init of a PID namespace holding zombies gets the init advice" {
	unshare --pid --fork --mount-proc "$ZP" 2 default >"$BATS_TEST_TMPDIR/init.out" 2>&1 3>&- &
	FIXTURE_PIDS+=("$!")
	wait_for_line "$BATS_TEST_TMPDIR/init.out" '^ready$'
	init=$(<"/proc/$!/task/$!/children") && init=${init%% *}
	FIXTURE_PIDS+=("$init")
	grep -q "^NSpid:.*[[:space:]]1$" "/proc/$init/status"
	run pmon zombies
	g=$(group_of "$init")
	echo "$g"
	[[ "$g" == *"2 zombies"* ]]
	grep -q "advice: $init is PID 1 of its PID namespace" <<<"$g"
}

@test "zombies: says when /proc shows another PID namespace than pmon's" {
	# (LeakSanitizer, in SANITIZE=1 builds, reads /proc/<its own pid>,
	# which this /proc numbers otherwise: off.)
	run env ASAN_OPTIONS=detect_leaks=0 unshare --pid --fork "$PMON" zombies
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "pmon: zombies: note: /proc shows an outer PID namespace, 1 level above pmon's own (pmon is "*" there, 1 in its own); PIDs here are /proc's, and pmon acts only on processes of its own namespace" ]]
	run unshare --pid --fork --mount-proc "$PMON" zombies
	[ "$status" -eq 0 ]
	[ "$output" = "no zombies" ]
}

@test "zombies --json: groups with parent (sigchld) and zombies (age_s)" {
	start_zp 2 default
	p1=$FIXTURE_PID
	start_zp 1 handler-nowait
	p2=$FIXTURE_PID
	run pmon zombies --json
	[ "$status" -eq 0 ]
	jq -e 'type == "array"' <<<"$output"
	# Exactly these keys per group; the parent has every process key and
	# sigchld.
	jq -e 'all(.[]; (keys == ["advice", "inject_refusal", "parent", "zombies"]))' <<<"$output"
	jq -e --argjson p "$p1" '.[] | select(.parent.pid == $p) |
		.parent.sigchld == "default" and .parent.comm == "zombie-parent" and
		(.parent | has("user") and has("stat") and has("elapsed_s")) and
		(.zombies | length == 2) and
		all(.zombies[]; .ppid == $p and .state == "Z" and
		    (.age_s | type == "number") and .age_s <= .elapsed_s)' <<<"$output"
	jq -e --argjson p "$p2" '.[] | select(.parent.pid == $p) | .parent.sigchld == "caught"' <<<"$output"
	# Parent PID order.
	jq -e '[.[].parent.pid] == ([.[].parent.pid] | sort)' <<<"$output"
}

@test "zombies: age_s counts from the exit, not from the start" {
	# The child lives 3 s, then exits; after 2 s more it is 2 s a zombie
	# but 5 s old.  start_time-based ages would say 5.
	FIXTURE=/bin/sh start_fixture -c '
		sh -c "exec sleep 3" & echo ready; exec sleep 600'
	sh_pid=$FIXTURE_PID
	kid=$(<"/proc/$sh_pid/task/$sh_pid/children") && kid=${kid%% *}
	wait_for_state "$kid" Z 100
	sleep 2
	run pmon zombies --json
	age=$(jq --argjson z "$kid" '.[].zombies[] | select(.pid == $z) | .age_s' <<<"$output")
	el=$(jq --argjson z "$kid" '.[].zombies[] | select(.pid == $z) | .elapsed_s' <<<"$output")
	echo "age $age elapsed $el"
	# A zombie for 2 s or more, after a life of 3 s: the age is at least
	# 2, and short of elapsed_s by the 3 s it lived (less 1 for rounding).
	[ "$age" -ge 2 ]
	[ $((el - age)) -ge 2 ]
}

@test "zombies: hostile zombie names are escaped" {
	start_zp 1 default '\x1b]0;owned\x07'
	run pmon zombies
	[ "$status" -eq 0 ]
	[[ "$output" == *'\e]0;owned\a'* ]]
	[[ "$output" != *$'\e'* ]]
}

@test "zombies: a bad option is a usage error" {
	run pmon zombies --bogus
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown option '--bogus'"* ]]
	run pmon zombies extra
	[ "$status" -eq 2 ]
}
