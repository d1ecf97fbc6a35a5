#!/usr/bin/env bats
# pmon tree: the forest and subtrees of real fixture trees, filters (-u,
# -m), glyphs, zombies, hostile names, JSON and exit statuses.

load helpers

# The announced nodes of a tree fixture: "PID PPID" per line.
fixture_nodes() { awk '$1 == "node" {print $2, $3}' "${1:-$FIXTURE_OUT}"; }
# The children of PID among them, in pid order.
children_of() { fixture_nodes | awk -v p="$1" '$2 == p {print $1}' | sort -n; }

# The text a correct pmon tree -A draws for the subtree under $1, one line
# per node: "PID PREFIXNAME" (the STAT column left out).
expected_ascii() {
	local root=$1 name=$2
	echo "$root $name"
	draw_children "$root" "" "$name"
}
draw_children() {
	local kids=($(children_of "$1")) i last
	for ((i = 0; i < ${#kids[@]}; i++)); do
		if ((i == ${#kids[@]} - 1)); then
			echo "${kids[i]} $2\`- $3"
			draw_children "${kids[i]}" "$2   " "$3"
		else
			echo "${kids[i]} $2|- $3"
			draw_children "${kids[i]}" "$2|  " "$3"
		fi
	done
}
# pmon tree's rows without the STAT column: "PID PREFIXNAME".
without_stat() { sed -E '1d; s/^ *([0-9]+) .{4} /\1 /'; }

# start_as USER MODE ARGS: a fixture run as USER (exec'd by setpriv; the
# copy_for_others of the fixture, which USER can always execute).
start_as() {
	local user=$1
	shift
	copy_for_others || return 1
	FIXTURE_OUT=$BATS_TEST_TMPDIR/fixture.${#FIXTURE_PIDS[@]}.out
	setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups \
		"$OTHERS_FIXTURE" "$@" >"$FIXTURE_OUT" 2>&1 3>&- &
	FIXTURE_PID=$!
	FIXTURE_PIDS+=("$FIXTURE_PID")
	wait_for_line "$FIXTURE_OUT" '^ready$'
}

# Whether pmon's output ($output) has a row for PID.
has_row() { echo "$output" | awk -v p="$1" 'NR > 1 && $1 == p' | grep -q .; }
no_row() { ! has_row "$1"; }

@test "a tree of known shape is drawn exactly (ASCII)" {
	start_fixture tree 2 2
	[ "$(fixture_nodes | wc -l)" -eq 6 ]
	run pmon tree -A "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "    PID STAT COMMAND" ]
	diff <(expected_ascii "$FIXTURE_PID" proc-fixture) <(echo "$output" | without_stat)
}

@test "pstree's habits: -p and -l are taken, as pstree takes them" {
	start_fixture tree 2 2
	plain=$(pmon tree -a "$FIXTURE_PID")
	[ -n "$plain" ]
	[ "$(pmon pstree -p -a "$FIXTURE_PID")" = "$plain" ]
	[ "$(pmon pstree -apl "$FIXTURE_PID")" = "$plain" ]
	[ "$(pmon tree --pids --long -a "$FIXTURE_PID")" = "$plain" ]
	# -p puts the pid in front of -o's columns when they have none
	[ "$(pmon pstree -p -o stat "$FIXTURE_PID" | head -1 | tr -s ' ')" = " PID STAT COMMAND" ]
	[ "$(pmon pstree -p -o stat,pid "$FIXTURE_PID" | head -1 | tr -s ' ')" = "STAT PID COMMAND" ]
	pmon help tree | grep -q -- "-l, --long"
}

@test "a wider, deeper tree is drawn exactly too" {
	start_fixture tree 3 3
	[ "$(fixture_nodes | wc -l)" -eq 39 ]
	run pmon tree -A "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	diff <(expected_ascii "$FIXTURE_PID" proc-fixture) <(echo "$output" | without_stat)
}

@test "UTF-8 locale: box-drawing lines; C locale or -A: ASCII only" {
	start_fixture tree 2 2
	run env LC_ALL=C.UTF-8 "$PMON" tree "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"├─ proc-fixture"* ]]
	[[ "$output" == *"│  └─ proc-fixture"* ]]
	[[ "$output" == *"   └─ proc-fixture"* ]]
	for mode in "env LC_ALL=C $PMON tree" "env LC_ALL=C.UTF-8 $PMON tree -A" \
		    "env LC_ALL=C.UTF-8 $PMON tree --ascii"; do
		$mode "$FIXTURE_PID" >"$BATS_TEST_TMPDIR/out"
		grep -qF '|- proc-fixture' "$BATS_TEST_TMPDIR/out"
		grep -qF '`- proc-fixture' "$BATS_TEST_TMPDIR/out"
		! LC_ALL=C grep -q $'[\x80-\xff]' "$BATS_TEST_TMPDIR/out" || false
	done
}

@test "PID: only that process and its descendants" {
	start_fixture tree 2 2
	mid=$(children_of "$FIXTURE_PID" | head -1)
	other=$(children_of "$FIXTURE_PID" | tail -1)
	run pmon tree -A "$mid"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	diff <(expected_ascii "$mid" proc-fixture) <(echo "$output" | without_stat)
	no_row "$FIXTURE_PID"
	no_row "$other"
}

@test "PID that does not exist: exit 1 with a message" {
	# pid_max is never a pid (one we started and reaped could be reused)
	gone=$(cat /proc/sys/kernel/pid_max)
	run pmon tree "$gone"
	[ "$status" -eq 1 ]
	[ "$output" = "pmon: tree: no process with PID $gone" ]
}

@test "the whole forest: every process once, the fixture under its parent" {
	start_fixture tree 1 2
	run pmon tree -A
	[ "$status" -eq 0 ]
	[ -z "$(echo "$output" | awk 'NR > 1 {print $1}' | sort | uniq -d)" ]
	# The fixture's rows are consecutive, its children one level in.
	echo "$output" | grep -A2 -E "^ *$FIXTURE_PID " >"$BATS_TEST_TMPDIR/rows"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/rows")" -eq 3 ]
	awk 'NR == 1 {col = index($0, "proc-fixture")}
	     NR > 1 && index($0, "proc-fixture") != col + 3 {bad = 1}
	     END {exit bad}' "$BATS_TEST_TMPDIR/rows"
	[ "$(tail -n 2 "$BATS_TEST_TMPDIR/rows" | grep -cE '[|`]- proc-fixture$')" -eq 2 ]
	# Roots (no prefix) include PID 1's line when PID 1 is visible.
	if [ -r /proc/1/stat ]; then
		echo "$output" | grep -qE '^ +1 [^ ]+ +[^ |`]'
	fi
}

@test "-a shows full command lines" {
	start_fixture tree 1 1
	run pmon tree -a -A "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	# "$FIXTURE" quoted: the checkout's path is matched as text, not a regex
	[[ "${lines[1]}" =~ ^\ *$FIXTURE_PID\ S\ +"$FIXTURE tree 1 1"$ ]]
	[[ "${lines[2]}" =~ \`-\ "$FIXTURE tree 1 1"$ ]]
}

@test "zombies are marked <defunct>, their parent is not" {
	start_fixture zombie 2
	run pmon tree "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[[ "${lines[1]}" =~ ^\ *$FIXTURE_PID\ S\ +proc-fixture$ ]]
	for z in $(fixture_children); do
		echo "$output" | grep -qE "^ *$z Z .*fixture-zombie <defunct>$"
	done
}

@test "STAT in the tree leaves out L, which ps shows" {
	start_fixture locked
	run pmon tree "$FIXTURE_PID"
	[[ "${lines[1]}" =~ ^\ *$FIXTURE_PID\ S\ +proc-fixture$ ]]
	run pmon ps -p "$FIXTURE_PID"
	[[ "${lines[1]}" =~ \ SL\  ]]
}

@test "-u USER keeps the user's processes and the ancestors that connect them" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to run a fixture as nobody"
	start_fixture tree 1 1
	rootkid=$(children_of "$FIXTURE_PID")
	start_as nobody sleep
	nobody=$FIXTURE_PID
	parent=$(ps -o ppid= -p "$nobody" | tr -d ' ')
	run pmon tree -u nobody
	[ "$status" -eq 0 ]
	has_row "$nobody"
	has_row "$parent"   # root's, kept as the connecting ancestor
	no_row "$rootkid"   # root's, not on the way to anything of nobody's
	# The subtree of the root-owned fixture holds nothing of nobody's.
	run pmon tree -u nobody "$rootkid"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "-u finds a daemon that dropped root without exec" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to drop privileges"
	start_fixture setuid "$(id -u nobody)"
	run pmon tree -u nobody
	[ "$status" -eq 0 ]
	has_row "$FIXTURE_PID"
}

@test "-m PATTERN keeps matches, their ancestors and descendants" {
	tag=m$$
	start_fixture ntree 2 2 "$tag"
	run pmon tree -A -m "^${tag}0\$"
	[ "$status" -eq 0 ]
	for n in "$tag" "${tag}0" "${tag}00" "${tag}01"; do
		echo "$output" | grep -qE "[ -]$n\$"
	done
	for n in "${tag}1" "${tag}10" "${tag}11"; do
		! echo "$output" | grep -qE "[ -]$n\$" || false
	done
	has_row "$FIXTURE_PID"
	has_row "$(ps -o ppid= -p "$FIXTURE_PID" | tr -d ' ')"
	# The match is now its parent's only (so last) child.
	echo "$output" | grep -qE -- "\`- ${tag}0\$"
	echo "$output" | grep -qE -- "\|- ${tag}00\$"
	echo "$output" | grep -qE -- "\`- ${tag}01\$"
}

@test "-m matches command lines, and never pmon's own" {
	tag=m$$
	start_fixture ntree 1 2 "$tag"
	# Every node's arguments end in the tag: all three kept.
	run pmon tree -a -m "ntree 1 2 $tag\$"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c "ntree 1 2 $tag\$")" -eq 3 ]
	# pmon's own command line holds the pattern; it must not match it.
	run pmon tree -m "nothing-else-says-$tag"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "-m and -u together keep what both select" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to run a fixture as nobody"
	tag=u$$
	start_fixture ntree 1 1 "$tag"
	start_as nobody ntree 1 1 "${tag}n"
	run pmon tree -u nobody -m "^${tag}"
	[ "$status" -eq 0 ]
	echo "$output" | grep -qE " ${tag}n0\$"
	! echo "$output" | grep -qE " ${tag}0\$" || false
}

@test "a hostile name is escaped in the tree and valid in JSON" {
	start_fixture name '\x1b]0;owned\x07' 'x\x1b[2J' 'arg\xff'
	run pmon tree "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" =~ \ \\e\]0\;owned\\a$ ]]
	run pmon tree -a "$FIXTURE_PID"
	[[ "${lines[1]}" == *' x\e[2J arg\xff' ]]
	"$PMON" tree -a "$FIXTURE_PID" >"$BATS_TEST_TMPDIR/out"
	! LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$BATS_TEST_TMPDIR/out" || false
	run pmon tree --json "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].comm' <<<"$output")" = $'\e]0;owned\a' ]
	[ "$(jq -r '.[0].cmdline' <<<"$output")" = $'x\e[2J arg\xef\xbf\xbd' ]
}

@test "--json: nested nodes with every key, numbers as numbers" {
	start_fixture tree 2 2
	run pmon tree --json "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	python3 -m json.tool <<<"$output" >/dev/null
	echo "$output" | jq -e --argjson p "$FIXTURE_PID" '
		type == "array" and length == 1 and .[0].pid == $p and
		([.. | objects | select(has("pid"))] | length) == 7 and
		all(.. | objects | select(has("pid"));
		    keys_unsorted == ["pid","ppid","state","stat","uid","user",
			"comm","cmdline","threads","nice","rss_kb","start_time",
			"elapsed_s","children"] and
		    (.children | type) == "array" and
		    all(.children[]; .ppid == .ppid) and
		    ([.pid, .ppid, .uid, .threads, .nice, .rss_kb, .start_time,
		      .elapsed_s] | all(type == "number"))) and
		(.[0].children | length) == 2 and
		all(.[0].children[]; (.children | length) == 2 and
		    all(.children[]; .children == [])) and
		# every child names its parent
		all(.. | objects | select(has("children")); . as $n |
		    all($n.children[]; .ppid == $n.pid))' >/dev/null
	# The same pids as the fixture announced.
	diff <(echo "$output" | jq '.. | objects | select(has("pid")) | .pid' | sort -n) \
	     <( (echo "$FIXTURE_PID"; fixture_nodes | cut -d' ' -f1) | sort -n)
}

@test "--json of nothing selected is an empty array and exit 1" {
	run pmon tree --json -m "no-such-thing-$$"
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | jq -c .)" = "[]" ]
}

@test "exit 2 and 'pmon: tree:' on a bad command line" {
	for args in "--bogus" "-x" "-u" "-u no-such-user-xyz" "-m '('" \
		    "-m a -m b" "0" "abc" "1 2" "-- -5"; do
		eval "set -- $args"
		run pmon tree "$@"
		echo "args: $args -> $status: $output"
		[ "$status" -eq 2 ]
		[[ "${lines[0]}" =~ ^pmon:\ tree:\  ]]
	done
}

# on_tty COLS CMD: run CMD on a fresh terminal COLS wide (script(1), which
# runs it with $SHELL -c: /bin/sh here, whatever the user's shell),
# colour allowed (TERM set, NO_COLOR unset); its output, CRs dropped.
on_tty() {
	local cols=$1
	shift
	env -u NO_COLOR TERM=xterm SHELL=/bin/sh script -qfec "stty cols $cols; $*" /dev/null \
		</dev/null 3>&- | tr -d '\r'
}

@test "colour on a terminal only: zombies red, none with NO_COLOR or in a pipe" {
	command -v script >/dev/null || skip "needs script(1) for a terminal"
	start_fixture zombie 1
	z=$(fixture_children)
	out=$(on_tty 200 "$PMON" tree "$FIXTURE_PID")
	echo "$out" | grep -qF $'fixture-zombie\e[1;31m <defunct>\e[0m'
	echo "$out" | grep -qE $'^ *'"$z"$' \e\\[1;31mZ'
	# Only coloured things carry escapes: the sleeping parent's row has none.
	! echo "$out" | grep -E "^ *$FIXTURE_PID " | grep -qF $'\e' || false
	out=$(on_tty 200 NO_COLOR=1 "$PMON" tree "$FIXTURE_PID")
	! echo "$out" | grep -qF $'\e' || false
	echo "$out" | grep -qF 'fixture-zombie <defunct>'
	out=$(on_tty 200 "$PMON" tree "$FIXTURE_PID" '|' cat)
	! echo "$out" | grep -qF $'\e' || false
}

@test "on a terminal lines are cut at its width; -w and pipes do not cut" {
	command -v script >/dev/null || skip "needs script(1) for a terminal"
	start_fixture tree 1 1
	out=$(on_tty 24 NO_COLOR=1 "$PMON" tree -A -a "$FIXTURE_PID")
	echo "$out"
	[ "$(echo "$out" | wc -l)" -eq 3 ]
	[ -z "$(echo "$out" | awk 'length($0) > 24')" ] # ASCII: bytes = columns
	echo "$out" | grep -qE "^ *$FIXTURE_PID S +/"
	for wide in -w -l; do # -l: pstree's
		out=$(on_tty 24 NO_COLOR=1 "$PMON" tree -a "$wide" "$FIXTURE_PID")
		row=$(grep -E "^ *$FIXTURE_PID S " <<<"$out")
		[[ "$row" =~ ^\ *$FIXTURE_PID\ S\ +"$FIXTURE tree 1 1"$ ]]
	done
	run pmon tree -a "$FIXTURE_PID"
	[[ "${lines[1]}" =~ \ "$FIXTURE tree 1 1"$ ]]
}
