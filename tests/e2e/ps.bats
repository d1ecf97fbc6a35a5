#!/usr/bin/env bats
# pmon ps: real fixture processes in every state, STAT parity with ps(1),
# the selection options, the summary line, JSON, exit statuses and
# hostile names.

load helpers

# The STAT pmon ps shows for PID (the row whose first column is PID).
pmon_stat() { "$PMON" ps -p "$1" | awk -v p="$1" '$1 == p {print $4}'; }
# And the one ps(1) shows.
ps_stat() { ps -o stat= -p "$1" | tr -d ' '; }

# Assert pmon and ps agree on PID's STAT and that it is $2.
stat_is() {
	local mine theirs
	mine=$(pmon_stat "$1")
	theirs=$(ps_stat "$1")
	echo "pid $1: pmon '$mine', ps '$theirs', expected '$2'"
	[ "$mine" = "$theirs" ]
	[ "$mine" = "$2" ]
}

# start_wrapped CMD... -- MODE ARGS: start_fixture, but the fixture is run
# by CMD (nice, setsid, setpriv), which must exec it so that $! is the
# fixture itself.
start_wrapped() {
	local wrap=()
	while [ "$1" != -- ]; do
		wrap+=("$1")
		shift
	done
	shift
	FIXTURE_OUT=$BATS_TEST_TMPDIR/fixture.${#FIXTURE_PIDS[@]}.out
	"${wrap[@]}" "$FIXTURE" "$@" >"$FIXTURE_OUT" 2>&1 </dev/null 3>&- &
	FIXTURE_PID=$!
	FIXTURE_PIDS+=("$FIXTURE_PID")
	wait_for_line "$FIXTURE_OUT" '^ready' || {
		cat "$FIXTURE_OUT" >&2
		return 1
	}
}

# no_bytes REGEX [FILE]: no line of FILE (or stdin) matches the byte
# regex.  (A bare `! grep` would not fail a bats test.)
no_bytes() { ! LC_ALL=C grep -q "$@"; }

# A pid that names no process: pid_max itself, which the kernel never
# hands out (pids run below it).  Not one we started and reaped: on a busy
# machine another process may be given it at once.
free_pid() { cat /proc/sys/kernel/pid_max; }

@test "ps shows a sleeping fixture as S" {
	start_fixture sleep
	pid=$FIXTURE_PID
	run pmon ps -p "$pid"
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" =~ ^\ *$pid\ +[0-9]+\ +[a-z]+\ +S ]]
}

@test "R: a busy loop is R, as ps says" {
	start_fixture busy
	wait_for_state "$FIXTURE_PID" R
	stat_is "$FIXTURE_PID" R
}

@test "S: a process asleep in pause() is S, as ps says" {
	start_fixture sleep
	wait_for_state "$FIXTURE_PID" S
	stat_is "$FIXTURE_PID" S
}

@test "D: a parent blocked in vfork() is D, as ps says" {
	start_fixture vfork
	wait_for_state "$FIXTURE_PID" D
	stat_is "$FIXTURE_PID" D
}

@test "T: a process stopped by SIGSTOP is T, as ps says" {
	start_fixture stop
	wait_for_state "$FIXTURE_PID" T
	stat_is "$FIXTURE_PID" T
}

@test "Z: an unwaited child is Z and <defunct>, as ps says" {
	start_fixture zombie 1
	child=$(fixture_children)
	[ -n "$child" ]
	stat_is "$child" Z
	run pmon ps -p "$child"
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" =~ ^\ *$child\ +$FIXTURE_PID\ .*\ Z\ .*fixture-zombie\ \<defunct\>$ ]]
}

@test "STAT modifiers l, L, N, s agree with ps" {
	start_fixture threads 3
	stat_is "$FIXTURE_PID" Sl
	start_fixture locked
	stat_is "$FIXTURE_PID" SL
	start_wrapped nice -n 7 -- sleep
	stat_is "$FIXTURE_PID" SN
	start_wrapped setsid -- sleep
	stat_is "$FIXTURE_PID" Ss
}

@test "STAT modifier < (negative nice) agrees with ps" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to lower a nice value"
	start_wrapped nice -n -5 -- sleep
	stat_is "$FIXTURE_PID" 'S<'
}

@test "STAT modifier + (foreground on a terminal) agrees with ps" {
	command -v script >/dev/null || skip "needs script(1) for a terminal"
	out=$BATS_TEST_TMPDIR/script.out
	# script(1) runs the command with $SHELL -c (whatever the user's shell
	# is: so SHELL=/bin/sh); dash forks instead of exec'ing, so exec
	# explicitly: the fixture must be the session leader on the new terminal.
	SHELL=/bin/sh script -qfec "exec $FIXTURE sleep" /dev/null >"$out" 2>&1 </dev/null 3>&- &
	FIXTURE_PIDS+=("$!")
	wait_for_line "$out" '^ready'
	# The fixture is the child of script(1), on the new terminal.
	fg=$(ps -o pid= --ppid "${FIXTURE_PIDS[0]}" | tr -d ' ')
	[ -n "$fg" ]
	FIXTURE_PIDS+=("$fg")
	[ "$(ps -o comm= -p "$fg")" = proc-fixture ]
	stat_is "$fg" 'Ss+'
}

# A kernel thread visible here (PF_KTHREAD in stat's flags), or nothing.
a_kernel_thread() {
	local f pid flags
	for f in /proc/[0-9]*/stat; do
		pid=${f#/proc/}
		pid=${pid%/stat}
		flags=$(sed 's/^.*) //' "$f" 2>/dev/null | cut -d' ' -f7) || continue
		[ -n "$flags" ] && (((flags & 0x200000) != 0)) && { echo "$pid"; return; }
	done
	return 0
}

@test "kernel threads: root, no memory, no L, as ps says, without reading their status or statm" {
	kt=$(a_kernel_thread)
	[ -n "$kt" ] || skip "no kernel thread is visible here"
	start_fixture sleep
	# (LeakSanitizer cannot run under ptrace)
	ASAN_OPTIONS=detect_leaks=0 strace -f -e trace=openat -o "$BATS_TEST_TMPDIR/trace" \
		"$PMON" ps -p "$kt,$FIXTURE_PID" -o pid,user,uid,rss_kb,vsz_kb,shr_kb,stat >"$BATS_TEST_TMPDIR/out"
	cat "$BATS_TEST_TMPDIR/out"
	row=$(awk -v p="$kt" '$1 == p' "$BATS_TEST_TMPDIR/out")
	[ "$(echo "$row" | awk '{print $2, $3, $4, $5, $6}')" = "$(ps -o user=,uid= -p "$kt" | awk '{print $1, $2}') 0 0 0" ]
	[ "$(echo "$row" | awk '{print $7}')" = "$(ps -o stat= -p "$kt" | tr -d ' ')" ]
	# in a user namespace of its own, root is unmapped: ps's overflow uid
	if unshare -U true 2>/dev/null; then
		[ "$(unshare -U -- "$PMON" ps -p "$kt" -o user,uid | sed -n 2p | awk '{print $1, $2}')" = \
			"$(unshare -U -- ps -o user=,uid= -p "$kt" | awk '{print $1, $2}')" ]
	fi
	# the fixture's status was read, the kernel thread's files but stat not
	grep -q "\"$FIXTURE_PID/status\"" "$BATS_TEST_TMPDIR/trace"
	grep -q "\"$kt/stat\"" "$BATS_TEST_TMPDIR/trace"
	run ! grep -E "\"$kt/(status|statm)\"" "$BATS_TEST_TMPDIR/trace"
}

# fixtures_mine_and_theirs: a fixture of this user ($mine) and one of uid
# 65534 ($theirs), neither with a terminal.
fixtures_mine_and_theirs() {
	start_fixture sleep
	mine=$FIXTURE_PID
	copy_for_others
	FIXTURE=setpriv start_fixture --reuid=65534 --regid=65534 --clear-groups \
		"$OTHERS_FIXTURE" sleep
	theirs=$FIXTURE_PID
}

@test "ps's habits: -e and -f, as ps takes them" {
	fixtures_mine_and_theirs
	# -e is every process, the default: another user's too
	[ "$(pmon ps -e | head -1)" = "$(pmon ps | head -1)" ]
	[ "$(pmon ps -e -p "$mine,$theirs" -o pid | awk 'NR > 1 && NF == 1' | tr '\n' ' ')" = "$mine $theirs " ]
	# -f: ps -f's columns, by their keys
	[ "$(pmon ps -ef | head -1)" = "$(pmon ps -o user,pid,ppid,cpu_pct,start,tty,cpu_time_s,cmdline | head -1)" ]
	[ "$(pmon ps -ef | head -1 | tr -s ' ')" = "USER PID PPID %CPU START TTY TIME COMMAND" ]
	pmon ps -ef -p "$mine" | grep -q "proc-fixture sleep"
	# -f and -o both choose the columns
	for args in "-ef -o pid" "-o pid -f"; do
		run pmon ps $args
		[ "$status" -eq 2 ]
		[[ "${lines[0]}" == "pmon: ps: -o and -f both choose the columns; give one" ]]
	done
}

@test "ps's habits: BSD's aux, ux, ax, a as BSD ps takes them" {
	fixtures_mine_and_theirs
	pids_of() { pmon ps "$@" -o pid | awk 'NR > 1 && NF == 1' | tr '\n' ' '; }
	# u: ps u's columns
	[ "$(pmon ps aux | head -1 | tr -s ' ')" = "USER PID %CPU %MEM VIRT RSS TTY STAT START TIME COMMAND" ]
	[ "$(pmon ps aux | awk -v p="$theirs" '$2 == p {print $1}')" = nobody ]
	# a and x: everyone's, with a terminal or not
	[ "$(pids_of ax -p "$mine,$theirs")" = "$mine $theirs " ]
	# without a: only the caller's
	[ "$(pmon ps ux | awk -v p="$mine" '$2 == p {print $2}')" = "$mine" ]
	[ -z "$(pmon ps ux | awk -v p="$theirs" '$2 == p')" ]
	x=" $(pids_of x)"
	[[ "$x" == *" $mine "* && "$x" != *" $theirs "* ]]
	# -e, -p or -u lift both restrictions, as in procps: ps u -p PID
	u_pids() { pmon ps u "$@" | awk 'NR > 1 && $2 ~ /^[0-9]+$/ {print $2}' | tr '\n' ' '; }
	[ "$(u_pids -p "$theirs")" = "$theirs " ]
	[ "$(pids_of x -p "$mine,$theirs")" = "$mine $theirs " ]
	[ "$(pmon ps -e u | awk -v p="$theirs" '$2 == p {print $1}')" = nobody ]
	[ "$(u_pids -u nobody -p "$theirs")" = "$theirs " ]
	# -f and u both choose the columns
	run pmon ps -f u
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "pmon: ps: -f and BSD's u both choose the columns; give one" ]
	# without x: only processes with a terminal (the fixtures have none)
	run pmon ps a -o pid,tty
	[ "$status" -le 1 ]
	echo "$output" | awk -v a="$mine" -v b="$theirs" 'NR > 1 && ($1 == a || $1 == b) {exit 1}'
	echo "$output" | awk 'NR > 1 && $1 ~ /^[0-9]+$/ && $2 == "-" {exit 1}'
	# u and -o both choose the columns
	run pmon ps aux -o pid
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "pmon: ps: -o and BSD's u both choose the columns; give one" ]]
	# other letters, a second word, a PID or an empty word are not taken
	for word in axj "aux aux" 1 "''"; do
		eval "run pmon ps $word"
		[ "$status" -eq 2 ]
		[[ "${lines[0]}" == *"unexpected argument"*"PIDs go after -p"*"a, u, x and w are taken"* ]]
	done
	# BSD's word with a dash is not -a -u x
	run pmon ps -aux
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "pmon: ps: '-aux' is BSD ps's 'aux' with a dash: pmon ps aux" ]
	# but -a -u USER run together is still that
	run pmon ps -au "$(id -un)" -p "$mine"
	[ "$status" -eq 0 ]
}

@test "the summary line counts one process in each state" {
	start_fixture busy
	r=$FIXTURE_PID
	start_fixture sleep
	s=$FIXTURE_PID
	start_fixture vfork
	d=$FIXTURE_PID
	start_fixture stop
	t=$FIXTURE_PID
	start_fixture zombie 1
	z=$(fixture_children)
	wait_for_state "$d" D
	wait_for_state "$t" T
	run pmon ps -p "$r,$s,$d,$t,$z"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 7 ]
	[ "${lines[6]}" = "5 processes: 1 running, 1 sleeping, 1 disk sleep, 1 stopped, 1 zombie" ]
}

@test "the header has the documented columns" {
	run pmon ps -p $$
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^\ +PID\ +PPID\ USER\ +STAT\ +RSS\ +ELAPSED\ COMMAND$ ]]
}

@test "-p shows exactly the processes named, in pid order" {
	start_fixture sleep
	a=$FIXTURE_PID
	start_fixture sleep
	b=$FIXTURE_PID
	run pmon ps -p "$b" -p "$a,$b"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[[ "${lines[1]}" =~ ^\ *$a\  ]]
	[[ "${lines[2]}" =~ ^\ *$b\  ]]
	[[ "${lines[3]}" =~ ^2\ processes: ]]
}

@test "-u USER shows only that user's processes, by name or uid" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to run a fixture as nobody"
	copy_for_others
	FIXTURE=$OTHERS_FIXTURE start_wrapped setpriv --reuid=nobody --regid=nogroup \
		--clear-groups -- sleep
	nobody=$FIXTURE_PID
	start_fixture sleep
	mine=$FIXTURE_PID
	for who in nobody "$(id -u nobody)"; do
		run pmon ps -u "$who"
		[ "$status" -eq 0 ]
		echo "$output" | awk -v p="$nobody" '$1 == p' | grep -q .
		[ -z "$(echo "$output" | awk -v p="$mine" '$1 == p')" ]
		# Every row is nobody's.
		[ -z "$(echo "$output" | awk 'NR > 1 && $1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ && $3 != "nobody"')" ]
	done
}

@test "-u finds a daemon that dropped root without exec (non-dumpable)" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to drop privileges"
	start_fixture setuid "$(id -u nobody)"
	[ "$(ps -o user= -p "$FIXTURE_PID")" = nobody ]
	run pmon ps -u nobody
	[ "$status" -eq 0 ]
	echo "$output" | awk -v p="$FIXTURE_PID" '$1 == p && $3 == "nobody"' | grep -q .
}

@test "-p with the id of a thread (not a process) selects nothing, as ps" {
	start_fixture threads 3
	tid=$(ls "/proc/$FIXTURE_PID/task" | grep -vx "$FIXTURE_PID" | head -1)
	[ -n "$tid" ] && [ -d "/proc/$tid" ]
	[ -z "$(ps -o pid= -p "$tid")" ]
	run pmon ps -p "$tid"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 2 ]
	run pmon ps -p "$tid,$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[1]}" =~ ^\ *$FIXTURE_PID\ .*\ Sl\  ]]
}

@test "--state keeps only the states asked for" {
	start_fixture zombie 2
	start_fixture stop
	t=$FIXTURE_PID
	wait_for_state "$t" T
	run pmon ps --state Z
	[ "$status" -eq 0 ]
	for z in $(fixture_children "$BATS_TEST_TMPDIR/fixture.0.out"); do
		echo "$output" | awk -v p="$z" '$1 == p && $4 == "Z"' | grep -q .
	done
	[ -z "$(echo "$output" | awk 'NR > 1 && $1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ && $4 !~ /^Z/')" ]
	[[ "${lines[-1]}" =~ \ 0\ stopped,\ [0-9]+\ zombie ]]
	run pmon ps --state TZ -p "$t"
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" =~ ^\ *$t\ .*\ T\  ]]
}

@test "-a shows the full command line; a process without one is [comm]" {
	start_fixture tree 1 1
	run pmon ps -a -p "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" =~ \ "$FIXTURE tree 1 1"$ ]] # quoted: the path is no regex
	start_fixture zombie 1
	z=$(fixture_children)
	run pmon ps -a -p "$z"
	[[ "${lines[1]}" =~ \ \[fixture-zombie\]\ \<defunct\>$ ]]
}

@test "-a with -o shows the command line in place of each comm column" {
	start_fixture tree 1 1
	run pmon ps -a -o pid,comm -p "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" =~ \ "$FIXTURE tree 1 1"$ ]]
	run pmon ps -a -o comm,pid --json -p "$FIXTURE_PID"
	[ "$(echo "$output" | jq -r '.[0] | keys_unsorted | join(",")')" = cmdline,pid ]
}

@test "--sort orders rows by a key, - for descending" {
	start_fixture sleep
	a=$FIXTURE_PID
	start_fixture sleep
	b=$FIXTURE_PID
	run pmon ps --sort -pid -p "$a,$b"
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" =~ ^\ *$b\  ]]
	[[ "${lines[2]}" =~ ^\ *$a\  ]]
	# By RSS, over every process: the column never decreases.
	run pmon ps --sort rss_kb
	[ "$status" -eq 0 ]
	echo "$output" | awk 'NR > 1 && $1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ {print $5}' | sort -n -c
	run pmon ps --sort -RSS
	echo "$output" | awk 'NR > 1 && $1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ {print $5}' | sort -n -r -c
}

@test "--json: one array of objects with every documented key and type" {
	start_fixture zombie 1
	z=$(fixture_children)
	run pmon ps --json -p "$FIXTURE_PID,$z"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '
		type == "array" and length == 2 and
		all(.[]; keys_unsorted == ["pid","ppid","state","stat","uid",
			"user","comm","cmdline","threads","nice","rss_kb",
			"start_time","elapsed_s"])' >/dev/null
	echo "$output" | jq -e --argjson p "$FIXTURE_PID" --argjson z "$z" '
		all(.[]; (.pid, .ppid, .uid, .threads, .nice, .rss_kb,
			  .start_time, .elapsed_s | type) == "number") and
		all(.[]; (.state, .stat, .user, .comm | type) == "string") and
		.[0].pid == $p and .[0].state == "S" and
		.[1].pid == $z and .[1].ppid == $p and .[1].state == "Z" and
		.[1].comm == "fixture-zombie" and .[1].cmdline == "" and
		.[0].cmdline == "'"$FIXTURE"' zombie 1"' >/dev/null
	# No summary line and no header: the whole output is the document.
	python3 -m json.tool <<<"$output" >/dev/null
}

@test "--json start_time and elapsed_s agree with the clock" {
	start_fixture sleep
	now=$(date +%s)
	run pmon ps --json -p "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --argjson now "$now" '
		.[0] | (.start_time - ($now - .elapsed_s) | fabs) <= 2 and
		       .elapsed_s >= 0 and .elapsed_s < 60' >/dev/null
}

@test "exit 1 when a filter selects nothing" {
	gone=$(free_pid)
	run pmon ps -p "$gone"
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "0 processes: 0 running, 0 sleeping, 0 disk sleep, 0 stopped, 0 zombie" ]
	run pmon ps --state X
	[ "$status" -eq 1 ]
	run pmon ps --json -p "$gone"
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | jq length)" -eq 0 ]
	run pmon ps
	[ "$status" -eq 0 ]
}

@test "exit 2 and 'pmon: ps:' on a bad command line" {
	for args in "--bogus" "-x" "-p" "-p abc" "-p 0" "--state" \
		    "--state q" "--state ''" "--sort nosuchkey" "-u no-such-user-xyz" \
		    "stray"; do
		eval "set -- $args"
		run pmon ps "$@"
		echo "args: $args -> $status: $output"
		[ "$status" -eq 2 ]
		[[ "${lines[0]}" =~ ^pmon:\ ps:\  ]]
	done
}

@test "-p with an empty entry is a usage error naming --pid" {
	for list in "1,,2" "1," ",1" "1, ,2"; do
		run pmon ps -p "$list"
		echo "-p '$list' -> $status: $output"
		[ "$status" -eq 2 ]
		[ "${lines[0]}" = "pmon: ps: --pid '$list' has an empty entry; separate PIDs with single commas, as in --pid 1,2,3" ]
	done
	run pmon ps -p ""
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "pmon: ps: --pid needs a list of PIDs, as in --pid 1,2,3" ]
	# Spaces still separate, and a space next to a comma is no entry.
	run pmon ps -p "$$, $PPID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(awk -v a="$$" -v b="$PPID" '$1 == a || $1 == b' <<<"$output" | wc -l)" -eq 2 ]
}

@test "-u with an empty list or entry is a usage error naming --user" {
	for list in "root,,root" "root," ",root"; do
		run pmon ps -u "$list"
		echo "-u '$list' -> $status: $output"
		[ "$status" -eq 2 ]
		[ "${lines[0]}" = "pmon: ps: --user '$list' has an empty entry; separate users with single commas" ]
	done
	for cmd in ps "top -b -n 1"; do
		run pmon $cmd -u ""
		[ "$status" -eq 2 ]
		[ "${lines[0]}" = "pmon: ${cmd%% *}: --user needs a list of users, as in --user root,www-data" ]
	done
}

@test "a hostile name is escaped in the table and valid in JSON" {
	start_fixture name '\x1b]0;owned\x07' 'x\x1b[2J' 'arg\xff\xc2\x9b'
	pid=$FIXTURE_PID
	run pmon ps -p "$pid"
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == *' \e]0;owned\a' ]]
	run pmon ps -a -p "$pid"
	[[ "${lines[1]}" == *' x\e[2J arg\xff\u{009b}' ]]
	# Not one control byte (C0, DEL or C1) reaches the terminal.
	"$PMON" ps -a -p "$pid" >"$BATS_TEST_TMPDIR/out"
	no_bytes $'[\x01-\x09\x0b-\x1f\x7f]' "$BATS_TEST_TMPDIR/out"
	no_bytes $'\xc2[\x80-\x9f]' "$BATS_TEST_TMPDIR/out"
	# Without UTF-8, the non-ASCII bytes are escaped too.
	LC_ALL=C "$PMON" ps -a -p "$pid" >"$BATS_TEST_TMPDIR/out"
	grep -qF ' x\e[2J arg\xff\xc2\x9b' "$BATS_TEST_TMPDIR/out"
	# JSON: valid, ASCII only, the raw name recovered exactly; the
	# invalid byte as U+FFFD.
	run pmon ps --json -p "$pid"
	[ "$status" -eq 0 ]
	no_bytes $'[\x80-\xff]' <<<"$output"
	[ "$(jq -r '.[0].comm' <<<"$output")" = $'\e]0;owned\a' ]
	[ "$(jq -r '.[0].cmdline' <<<"$output")" = $'x\e[2J arg\xef\xbf\xbd\xc2\x9b' ]
	python3 -m json.tool <<<"$output" >/dev/null
}

@test "a large scan sees every process exactly once, in pid order" {
	# 11 + 121 + 1331 nodes.
	# beside a process named with a newline, as any user may name one
	start_fixture name $'a\nb'
	start_fixture tree 3 11
	[ "$(awk '$1 == "node"' "$FIXTURE_OUT" | wc -l)" -eq 1463 ]
	run pmon ps --json
	[ "$status" -eq 0 ]
	# Every node, with its parent and its user; no pid twice; pid order.
	awk '$1 == "node" {print $2 "\t" $3}' "$FIXTURE_OUT" | sort >"$BATS_TEST_TMPDIR/want"
	# (@tsv: one line per process, whatever another process of the
	# machine is named: a name may hold a newline)
	jq -r '.[] | [.pid, .ppid, .user, .comm] | @tsv' <<<"$output" >"$BATS_TEST_TMPDIR/all"
	[ -z "$(cut -f1 "$BATS_TEST_TMPDIR/all" | uniq -d)" ]
	cut -f1 "$BATS_TEST_TMPDIR/all" | sort -n -c
	awk -F'\t' 'NR == FNR {want[$1 " " $2] = 1; next}
	     ($1 " " $2) in want && $4 == "proc-fixture" && $3 != "" {found++}
	     END {exit found != 1463}' "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/all"
	run pmon tree "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1465 ]
}
