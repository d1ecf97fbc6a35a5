#!/usr/bin/env bats
# pmon kill: signals by name and number, the list, refusals, dry runs,
# permissions, a recycled PID, and --tree against a tree that keeps forking.

load helpers

FORKER=$BUILD_DIR/fixtures/forker

# reap PID: WAIT_STATUS is the exit status of a fixture this shell
# started, 128+N when signal N ended it: that proves which signal came.
# (Not in $(...): a subshell cannot wait for this shell's children.)
reap() {
	WAIT_STATUS=0
	wait "$1" 2>/dev/null || WAIT_STATUS=$?
}

# The result lines of the last `run pmon kill`: its output without the
# notes pmon writes on stderr ("pmon: kill: ..."), such as what a freeze
# waits for, which a loaded machine can make it say.
results() { grep -v '^pmon: kill: ' <<<"$output"; }

# Processes of process group $1 that are still alive (not zombies).
alive_in_group() {
	ps -e -o pgid=,pid=,stat= | awk -v g="$1" '$1 == g && $3 !~ /^Z/ {print $2}'
}

# wait_group_gone PGID: until no member of the group is alive (5 s).
wait_group_gone() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ -z "$(alive_in_group "$1")" ] && return 0
		sleep 0.1
	done
	echo "still alive in group $1: $(alive_in_group "$1" | tr '\n' ' ')" >&2
	return 1
}

@test "kill: signals by name, SIG-name, lower case and number, as -s and -SIG" {
	for spec in "-s TERM" "-s SIGTERM" "-s term" "--signal 15" "-TERM" \
		    "-SIGTERM" "-term" "-15"; do
		start_fixture sleep
		run pmon kill $spec "$FIXTURE_PID"
		echo "$spec: $output"
		[ "$status" -eq 0 ]
		[ "$output" = "$FIXTURE_PID proc-fixture: sent TERM" ]
		reap "$FIXTURE_PID"
		[ "$WAIT_STATUS" -eq 143 ]
	done
}

@test "kill: TERM by default; KILL and USR1 by name and number" {
	start_fixture sleep
	run pmon kill "$FIXTURE_PID"
	[ "$output" = "$FIXTURE_PID proc-fixture: sent TERM" ]
	reap "$FIXTURE_PID"
	[ "$WAIT_STATUS" -eq 143 ]
	for spec in -9 -KILL "-s kill"; do
		start_fixture sleep
		run pmon kill $spec "$FIXTURE_PID"
		[ "$output" = "$FIXTURE_PID proc-fixture: sent KILL" ]
		reap "$FIXTURE_PID"
		[ "$WAIT_STATUS" -eq 137 ]
	done
	start_fixture sleep
	run pmon kill -s 10 "$FIXTURE_PID"
	[ "$output" = "$FIXTURE_PID proc-fixture: sent USR1" ]
	reap "$FIXTURE_PID"
	[ "$WAIT_STATUS" -eq 138 ]
}

@test "kill: an unknown signal is a usage error and signals nothing" {
	start_fixture sleep
	run pmon kill -s NOPE "$FIXTURE_PID"
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown signal 'NOPE'"* ]]
	run pmon kill -s 65 "$FIXTURE_PID"
	[ "$status" -eq 2 ]
	[ "$(proc_state "$FIXTURE_PID")" = S ]
}

@test "kill -0, -s 0: whether each PID exists and may be signalled, as kill(1)" {
	start_fixture sleep
	missing=$(($(cat /proc/sys/kernel/pid_max) + 1))
	for spec in -0 "-s 0" "--signal 0"; do
		run pmon kill $spec "$FIXTURE_PID"
		echo "$spec: $output"
		[ "$status" -eq 0 ]
		[ "$output" = "$FIXTURE_PID proc-fixture: exists and may be signalled" ]
	done
	run pmon kill -0 "$FIXTURE_PID" "$missing"
	[ "$status" -eq 1 ]
	[ "${lines[1]}" = "$missing: no such process" ]
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$PMON" kill -0 "$FIXTURE_PID"
	[ "$status" -eq 1 ]
	[ "$output" = "$FIXTURE_PID proc-fixture: permission denied (needs CAP_KILL or the same uid)" ]
	[ "$(proc_state "$FIXTURE_PID")" = S ]
	# Nothing is delivered, so PID 1 is not refused: the PID 1 here is
	# the test's own sh, made PID 1 of a new namespace by unshare, never
	# the machine's.  A tree is refused, as a usage error (it would be
	# stopped).
	run unshare --pid --fork --mount-proc sh -c '"$1" kill -0 1' sh "$PMON"
	[ "$status" -eq 0 ]
	[ "$output" = "1 sh: exists and may be signalled" ]
	run pmon kill -0 --tree "$FIXTURE_PID"
	[ "$status" -eq 2 ]
	[[ "$output" == *"signal 0 only checks processes"* ]]
	[ "$(proc_state "$FIXTURE_PID")" = S ]
}

@test "kill -l: the list as bash prints it, and names and numbers" {
	run pmon kill -l
	[ "$status" -eq 0 ]
	[ "$output" = "$(bash -c 'kill -l' | sed 's/\t$//')" ]
	[[ "${lines[1]}" == *" 9) SIGKILL	10) SIGUSR1"* ]]
	run pmon kill -l 9 143 TERM sigrtmin+1
	[ "$status" -eq 0 ]
	[ "$output" = $'KILL\nTERM\n15\n35' ]
	run pmon kill -l 32
	[ "$status" -eq 1 ]
	run pmon kill -l bogus
	[ "$status" -eq 1 ]
	# as bash: the bad one on stderr, the others still printed, status 1
	run --separate-stderr pmon kill -l 9 bogus 15
	[ "$status" -eq 1 ]
	[ "$output" = $'KILL\nTERM' ]
	[ "$stderr" = "pmon: kill: unknown signal 'bogus'" ]
	# a -SIG form beside -l is refused, not read past the end of argv
	# (it once took the signal out of argv and crashed)
	for args in "-l -HUP" "-l -1" "-9 -l 9" "-l 9 -HUP"; do
		run pmon kill $args
		echo "$args -> $status: $output"
		[ "$status" -eq 2 ]
		[[ "${lines[0]}" == "pmon: kill: -l lists signals or looks up the names and numbers given after it (without a dash); it sends none" ]]
	done
}

@test "kill: a PID also inside a --tree is signalled once, with its tree" {
	for order in tree-first pid-first; do
		start_fixture sleep
		p=$FIXTURE_PID
		if [ $order = tree-first ]; then
			run pmon kill -q --tree "$p" "$p"
		else
			run pmon kill -q "$p" --tree "$p"
		fi
		echo "$order: $output"
		[ "$status" -eq 0 ]
		# (results: without pmon's notes on stderr, such as the one a
		# loaded machine brings, "waiting up to 3.1 s for P (proc-fixture,
		# state R) to stop", when the SIGSTOP of the freeze takes effect
		# after 0.25 s)
		[ "$(results)" = "$p proc-fixture: in the tree of --tree $p, and listed there"$'\n'"$p proc-fixture: sent TERM" ]
	done
}

@test "kill: several PIDs, one line each; a missing one makes the exit 1" {
	start_fixture sleep
	a=$FIXTURE_PID
	start_fixture sleep
	b=$FIXTURE_PID
	# A pid that cannot exist: above pid_max.
	missing=$(($(cat /proc/sys/kernel/pid_max) + 1))
	run pmon kill "$a" "$missing" "$b"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$a proc-fixture: sent TERM" ]
	[ "${lines[1]}" = "$missing: no such process" ]
	[ "${lines[2]}" = "$b proc-fixture: sent TERM" ]
	reap "$a"
	[ "$WAIT_STATUS" -eq 143 ]
	reap "$b"
	[ "$WAIT_STATUS" -eq 143 ]
}

@test "kill --dry-run signals nothing" {
	start_fixture sleep
	run pmon kill --dry-run -9 "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[ "$output" = "$FIXTURE_PID proc-fixture: would send KILL" ]
	sleep 0.2
	[ "$(proc_state "$FIXTURE_PID")" = S ]
	start_fixture tree 2 2
	root=$FIXTURE_PID
	run pmon kill -n --tree "$root"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 7 ]
	[ "$(grep -c ': would send TERM$' <<<"$output")" -eq 7 ]
	# Not even stopped: a dry run sends no SIGSTOP either.
	for pid in $root $(awk '$1 == "node" {print $2}' "$FIXTURE_OUT"); do
		[ "$(proc_state "$pid")" = S ]
	done
}

@test "kill: an unprivileged user gets permission denied, and the target lives" {
	start_fixture sleep
	copy_for_others
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$OTHERS_PMON" kill -9 "$FIXTURE_PID"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$output" = "$FIXTURE_PID proc-fixture: permission denied (needs CAP_KILL or the same uid)" ]
	[ "$(proc_state "$FIXTURE_PID")" = S ]
}

@test "kill: PID 1 is refused, in a private PID namespace; --force sends" {
	run unshare --pid --fork --mount-proc sh -c '"$1" kill -s CONT 1' sh "$PMON"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$output" = "1 sh: refused: PID 1 is init (use --force to signal it anyway)" ]
	run unshare --pid --fork --mount-proc sh -c '"$1" kill -n --tree 1' sh "$PMON"
	[ "$status" -eq 1 ]
	[[ "$output" == "1 sh: refused: PID 1 is init"* ]]
	# CONT is harmless to the namespace's sh: --force goes through.
	run unshare --pid --fork --mount-proc sh -c '"$1" kill --force -s CONT 1' sh "$PMON"
	[ "$status" -eq 0 ]
	[ "$output" = "1 sh: sent CONT" ]
}

@test "kill: pmon's own ancestor is refused" {
	# $$ is this bats process, an ancestor of the pmon that run starts.
	# CONT, so that even a broken refusal would do no harm.
	run pmon kill -s CONT $$
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == "$$ "*": refused: an ancestor of pmon, such as the shell running it (use --force to signal it anyway)" ]]
	run pmon kill -s CONT --tree $$
	[ "$status" -eq 1 ]
	[[ "$output" == *"refused: an ancestor of pmon"* ]]
}

@test "kill: a PID recycled between the scan and the signal is not signalled" {
	# In a private PID namespace: pmon scans, then strace holds it at the
	# entry of pidfd_open for 3 s; meanwhile the target dies and a new
	# process is given its pid (ns_last_pid).  pmon must notice, and the
	# new process must live.
	cat >"$BATS_TEST_TMPDIR/recycle.sh" <<'SCRIPT'
PMON=$1 T=$2
sleep 1000 & target=$!
# (LeakSanitizer cannot run under ptrace: off, for SANITIZE=1 builds.)
ASAN_OPTIONS=detect_leaks=0 strace -f -o "$T/strace.out" -e trace=pidfd_open \
	-e inject=pidfd_open:delay_enter=3000000 "$PMON" kill "$target" >"$T/pmon.out" 2>&1 &
tracer=$!
# (Bounded by the clock, not by a count of tries, and said: on a loaded
# CI machine this once ended the script silently with 9.)
until grep -q 'pidfd_open(' "$T/strace.out" 2>/dev/null; do
	sleep 0.05
	[ "$SECONDS" -lt 60 ] || {
		echo "pmon never reached pidfd_open under strace in 60 s:"
		cat "$T/strace.out" "$T/pmon.out"
		exit 9
	}
done
kill -KILL "$target"; wait "$target" 2>/dev/null
echo $((target - 1)) >/proc/sys/kernel/ns_last_pid
sleep 1000 & new=$!
[ "$new" = "$target" ] || { echo "pid not reused: $target vs $new"; exit 8; }
wait "$tracer"; echo "pmon status $?"
cat "$T/pmon.out"
kill -0 "$new" && echo "new process alive"
SCRIPT
	run unshare --pid --fork --mount-proc bash "$BATS_TEST_TMPDIR/recycle.sh" "$PMON" "$BATS_TEST_TMPDIR"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pmon status 1" ]
	[[ "${lines[1]}" =~ ^[0-9]+\ sleep:\ its\ pid\ was\ recycled\ \(now\ another\ process\)\;\ not\ signalled$ ]]
	[ "${lines[2]}" = "new process alive" ]
}

@test "kill: a pid recycled within the clock tick of its owner's start is not signalled (pidfs)" {
	# The start times of the two processes are equal; only the pidfs
	# inode (Linux >= 6.9) tells them apart.  The fixture holds pmon
	# between its selection and its signal (PMON_TEST_STOP), and retries
	# until the newcomer really started in the old process's tick.
	run unshare --pid --fork --mount-proc "$BUILD_DIR/fixtures/pid-recycle" 300 "$PMON" kill 300
	echo "$output"
	[ "$status" -ne 3 ] || skip "this kernel has no pidfs (Linux < 6.9)"
	[ "$status" -ne 4 ] || skip "no attempt had both processes start in one clock tick (a very busy machine?)"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "same tick after "*" attempts" ]]
	[ "${lines[1]}" = "pmon exit 1" ]
	[ "${lines[2]}" = "300 pid-recycle: its pid was recycled (now another process); not signalled" ]
	[ "${lines[3]}" = "newcomer alive" ]
	# The root of a --tree, the same way: reported recycled, not exited.
	run unshare --pid --fork --mount-proc "$BUILD_DIR/fixtures/pid-recycle" 300 "$PMON" kill --tree 300
	echo "$output"
	[ "$status" -ne 4 ] || skip "no attempt had both processes start in one clock tick (a very busy machine?)"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "pmon exit 1" ]
	[ "${lines[2]}" = "300 pid-recycle: its pid was recycled (now another process); not signalled" ]
	[ "${lines[3]}" = "newcomer alive" ]
}

@test "kill: /proc of an outer PID namespace: its pid is mapped to pmon's, a process outside is refused" {
	# unshare --pid --fork without --mount-proc: pmon sees the host's
	# /proc, while pidfd_open takes the new namespace's numbers.  A decoy
	# is given, in the new namespace, the number /proc shows the target
	# by: pmon must signal the target, not the decoy.
	start_fixture sleep
	outside=$FIXTURE_PID
	cat >"$BATS_TEST_TMPDIR/ns.sh" <<'SCRIPT'
PMON=$1 T=$2 OUTSIDE=$3
# (LeakSanitizer, in SANITIZE=1 builds, reads /proc/<its own pid>/task,
# which this /proc numbers otherwise: off.)
export ASAN_OPTIONS=detect_leaks=0
# The target's pid in /proc is its parent's pid as cut sees it.
sh -c 'cut -d" " -f4 /proc/self/stat >"$1/target"; exec sleep 1000' sh "$T" &
target=$!
i=0
until [ -s "$T/target" ]; do sleep 0.05; i=$((i + 1)); [ $i -lt 200 ] || exit 9; done
shown=$(cat "$T/target")
# cut wrote it before the sh exec'd sleep: the name asserted is the exec's
i=0
until [ "$(cat "/proc/$shown/comm")" = sleep ]; do sleep 0.05; i=$((i + 1)); [ $i -lt 200 ] || exit 9; done
echo $((shown - 1)) >/proc/sys/kernel/ns_last_pid
sleep 1000 & decoy=$!
[ "$decoy" = "$shown" ] || { echo "decoy got $decoy, not $shown"; exit 8; }
"$PMON" kill "$shown" 2>"$T/note"; echo "pmon status $?"
# (Bounded: should pmon hit the decoy, the target would sleep on.)
i=0
while kill -0 "$target" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -KILL "$target" 2>/dev/null
wait "$target"; echo "target status $?"
kill -0 "$decoy" && echo "decoy alive"
"$PMON" kill -s TERM "$OUTSIDE" 2>/dev/null; echo "pmon status $?"
cat "$T/note"
kill "$decoy"
SCRIPT
	run unshare --pid --fork bash "$BATS_TEST_TMPDIR/ns.sh" "$PMON" "$BATS_TEST_TMPDIR" "$outside"
	echo "$output"
	[ "$status" -eq 0 ]
	shown=$(cat "$BATS_TEST_TMPDIR/target")
	[ "${lines[0]}" = "$shown sleep: sent TERM" ]
	[ "${lines[1]}" = "pmon status 0" ]
	[ "${lines[2]}" = "target status 143" ]
	[ "${lines[3]}" = "decoy alive" ]
	[ "${lines[4]}" = "$outside proc-fixture: not in pmon's PID namespace, where pmon cannot reach it; not signalled" ]
	[ "${lines[5]}" = "pmon status 1" ]
	[[ "${lines[6]}" == "pmon: kill: note: /proc shows an outer PID namespace, 1 level above pmon's own (pmon is "*" there, "*" in its own); PIDs here are /proc's, and pmon acts only on processes of its own namespace" ]]
	[ "$(proc_state "$outside")" = S ]
}

@test "kill --tree -s KILL leaves no member of a forking tree alive" {
	FIXTURE=$FORKER start_fixture 3 3
	root=$FIXTURE_PID
	# Let the tree grow (no fixed sleep: a loaded machine forks slowly):
	# its 1 + 3 + 9 + 27 nodes alive, the leaves' children churning.
	for ((i = 0; i < 100; i++)); do
		[ "$(alive_in_group "$root" | wc -l)" -ge 40 ] && break
		sleep 0.1
	done
	run pmon kill --tree "$root" -s KILL
	echo "$output"
	[ "$status" -eq 0 ]
	out=$(results)
	[ "$(head -1 <<<"$out")" = "$root forker: sent KILL" ]
	grep -vE ': (sent KILL|already exited \(zombie\): nothing to signal|exited while pmon froze the tree; not signalled)$' <<<"$out" && false
	# The 1 + 3 + 9 + 27 nodes never exit on their own: all were found.
	[ "$(grep -c ': sent KILL$' <<<"$out")" -ge 40 ]
	wait_group_gone "$root"
}

@test "kill --tree -s TERM: frozen members are continued and act on TERM" {
	FIXTURE=$FORKER start_fixture 2 3
	root=$FIXTURE_PID
	# the tree grown (no fixed sleep): its 1 + 3 + 9 nodes alive
	for ((i = 0; i < 100; i++)); do
		[ "$(alive_in_group "$root" | wc -l)" -ge 13 ] && break
		sleep 0.1
	done
	[ "$(alive_in_group "$root" | wc -l)" -ge 13 ]
	run pmon kill --tree "$root"
	[ "$status" -eq 0 ]
	[ "$(results | head -1)" = "$root forker: sent TERM" ]
	wait_group_gone "$root"
	reap "$root"
	[ "$WAIT_STATUS" -eq 143 ]
}

@test "kill --tree: members are continued after the signal, but one stopped beforehand stays stopped" {
	start_fixture tree 1 2
	root=$FIXTURE_PID
	kids=($(awk '$1 == "node" {print $2}' "$FIXTURE_OUT"))
	kill -STOP "${kids[0]}"
	wait_for_state "${kids[0]}" T
	# WINCH is ignored by default: nobody ends, so the states show what
	# the freeze left behind.
	run pmon kill --tree "$root" -s WINCH
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(results | wc -l)" -eq 3 ]
	[ "$(grep -c ': sent WINCH$' <<<"$output")" -eq 3 ]
	wait_for_state "$root" S
	wait_for_state "${kids[1]}" S
	[ "$(proc_state "${kids[0]}")" = T ]
}

@test "kill: hostile names are escaped in the result line" {
	start_fixture name $'\\x1b]0;owned\\x07' x
	run pmon kill -n "$FIXTURE_PID"
	[ "$output" = "$FIXTURE_PID \\e]0;owned\\a: would send TERM" ]
}

@test "kill: usage errors" {
	run pmon kill
	[ "$status" -eq 2 ]
	[[ "$output" == *"no PID given"* ]]
	run pmon kill -1234
	[ "$status" -eq 2 ]
	[[ "$output" == *"'-1234' is not a signal"* ]]
	run pmon kill -9 -s TERM 1234
	[ "$status" -eq 2 ]
	[[ "$output" == *"more than one signal"* ]]
	run pmon kill abc
	[ "$status" -eq 2 ]
}

@test "kill: a zombie is reported as such; a leader whose main thread exited is signalled" {
	FIXTURE=$BUILD_DIR/fixtures/zombie-parent start_fixture 1 default
	z=$(fixture_children)
	run pmon kill "$z"
	[ "$status" -eq 0 ]
	[ "$output" = "$z fixture-zombie: already exited (zombie): nothing to signal (its parent must reap it; see pmon zombies)" ]
	# Z in /proc, but alive: its second thread runs, and TERM ends it.
	FIXTURE=$BUILD_DIR/fixtures/zombie-parent start_fixture thread-leader
	leader=$FIXTURE_PID
	[ "$(proc_state "$leader")" = Z ]
	run pmon kill "$leader"
	[ "$output" = "$leader zombie-parent: sent TERM" ]
	reap "$leader"
	[ "$WAIT_STATUS" -eq 143 ]
}

@test "kill --tree: a tree holding a multi-threaded member with an exited leader" {
	FIXTURE=/bin/sh start_fixture -c '"$0" thread-leader & echo ready; exec sleep 600' \
		"$BUILD_DIR/fixtures/zombie-parent"
	root=$FIXTURE_PID
	leader=$(<"/proc/$root/task/$root/children") && leader=${leader%% *}
	wait_for_state "$leader" Z
	# "ready" comes before the exec: the root is "sh" until it is "sleep"
	wait_for_comm "$root" sleep
	run pmon kill --tree "$root" -s KILL
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(results)" = "$root sleep: sent KILL"$'\n'"$leader zombie-parent: sent KILL" ]
	reap "$root"
	[ "$WAIT_STATUS" -eq 137 ]
	# Its running thread died with it: no task left but (at most) the
	# leader's own, which is now a plain zombie or gone.
	for ((i = 0; i < 50; i++)); do
		[ "$(ls "/proc/$leader/task" 2>/dev/null | wc -l)" -le 1 ] && break
		sleep 0.1
	done
	[ "$(ls "/proc/$leader/task" 2>/dev/null | wc -l)" -le 1 ]
}

@test "kill --tree: a member that cannot stop (vfork, D) delays, then is signalled anyway" {
	start_fixture vfork
	root=$FIXTURE_PID
	wait_for_state "$root" D
	run pmon kill --tree "$root" -s KILL
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"did not hold still within the deadline"* ]]
	[[ "$output" == *"$root proc-fixture: sent KILL"* ]]
	[ "$(grep -c ': sent KILL$' <<<"$output")" -eq 2 ]
	reap "$root"
	[ "$WAIT_STATUS" -eq 137 ]
	wait_group_gone "$root"
}

@test "kill --tree: trees whose members cannot stop cost one deadline together, said while waited" {
	# Three vfork parents (D until their child execs or exits): each tree
	# used to cost its own 5 s deadline, 15 s in all.
	roots=()
	for i in 1 2 3; do
		start_fixture vfork
		roots+=("$FIXTURE_PID")
	done
	for r in "${roots[@]}"; do wait_for_state "$r" D; done
	t0=$(date +%s%N)
	run pmon kill --tree "${roots[0]}" --tree "${roots[1]}" --tree "${roots[2]}" -s KILL
	ms=$((($(date +%s%N) - t0) / 1000000))
	echo "$output"
	echo "# $ms ms" >&3
	[ "$status" -eq 0 ]
	waiting=$(grep '^pmon: kill: waiting up to [0-9.]* s for ' <<<"$output")
	for r in "${roots[@]}"; do
		[[ "$waiting" == *"$r (proc-fixture, state D)"* ]]
		grep -qx "$r proc-fixture: sent KILL" <<<"$output"
	done
	[ "$(grep -c ': sent KILL$' <<<"$output")" -eq 6 ]
	# One deadline (5 s) and the work around it, well short of two.
	[ "$ms" -lt 9000 ]
	for r in "${roots[@]}"; do
		reap "$r"
		[ "$WAIT_STATUS" -eq 137 ]
	done
}

@test "kill: a target that exits between the scan and the signal is reported gone" {
	start_fixture sleep
	target=$FIXTURE_PID
	ASAN_OPTIONS=detect_leaks=0 strace -f -o "$BATS_TEST_TMPDIR/strace.out" \
		-e trace=pidfd_open -e inject=pidfd_open:delay_enter=2000000 \
		"$PMON" kill "$target" >"$BATS_TEST_TMPDIR/pmon.out" 2>&1 3>&- &
	tracer=$!
	wait_for_line "$BATS_TEST_TMPDIR/strace.out" 'pidfd_open\('
	kill -KILL "$target"
	reap "$target"
	reap "$tracer"
	cat "$BATS_TEST_TMPDIR/pmon.out"
	[ "$WAIT_STATUS" -eq 1 ]
	# (Should a busy machine hand the pid on within the 2 s, pmon must
	# say "recycled" instead: either way, nothing was signalled.)
	out=$(cat "$BATS_TEST_TMPDIR/pmon.out")
	[ "$out" = "$target proc-fixture: no such process (it exited)" ] ||
		[ "$out" = "$target proc-fixture: its pid was recycled (now another process); not signalled" ]
}
