#!/usr/bin/env bats
# pmon inspect: identity, state words, family, the system call each
# fixture blocks in (tests/fixtures/inspect-fixture), signal sets,
# capabilities and confinement, what another account may not read, the
# orphans of tests/fixtures/orphan-fixture, the advice pmon zombies gives,
# and every process of the machine.

load helpers

IFIX=$BUILD_DIR/fixtures/inspect-fixture
ORPHAN=$BUILD_DIR/fixtures/orphan-fixture
ZP=$BUILD_DIR/fixtures/zombie-parent
RP=$BUILD_DIR/fixtures/reap-parent

start_if() { FIXTURE=$IFIX start_fixture "$@"; }
# What a fixture printed before "ready": `said fd` -> the number.
said() { awk -v k="$1" '$1 == k {print $2; exit}' "$FIXTURE_OUT"; }

# The value of the row LABEL of pmon inspect's text in $output (rows are
# "    LABEL<spaces>VALUE"; not wrapped, as the output is not a terminal).
row() { sed -n "s|^    $1  *||p" <<<"$output" | head -n 1; }
# A key of the first object of pmon inspect --json in $output.
jqi() { jq -r ".[0] | $1" <<<"$output"; }

# wait_for_call PID NAME: until pmon sees PID blocked in NAME (the
# fixture says "ready" just before it makes the call).
wait_for_call() {
	local i name
	for ((i = 0; i < 100; i++)); do
		name=$("$PMON" inspect --no-sample --json "$1" | jq -r '.[0].waiting.syscall.name')
		[ "$name" = "$2" ] && return 0
		sleep 0.1
	done
	echo "pid $1 is in '$name', not '$2'" >&2
	return 1
}

# Subreapers this test started around orphan fixtures: TERM makes each end
# its fixture and every orphan it adopted.
SUBREAPERS=()
TERMINALS=()
teardown() {
	local pid
	for pid in "${TERMINALS[@]}"; do
		plain_pid "$pid" && kill -KILL "$pid" 2>/dev/null
	done
	for pid in "${SUBREAPERS[@]}"; do
		plain_pid "$pid" || continue
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	stop_fixtures
}

@test "inspect: identity: start time, pidfs inode, executable, command line, directory" {
	cd "$BATS_TEST_TMPDIR"
	start_fixture sleep
	run pmon inspect --no-sample "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	echo "$output"
	[ "${lines[0]}" = "process $FIXTURE_PID proc-fixture" ]
	[ "$(row executable)" = "$(readlink -f "$FIXTURE")" ]
	[ "$(row 'command line')" = "$FIXTURE sleep" ]
	[ "$(row directory)" = "$(pwd -P)" ]
	[[ "$(row started)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9:]{8}\ \([0-9:]+\ ago\)$ ]]
	# The pidfs inode is what fstat of a pidfd says (Linux >= 6.9).
	ino=$(python3 -c 'import os, sys; print(os.fstat(os.pidfd_open(int(sys.argv[1]))).st_ino)' "$FIXTURE_PID")
	[[ "$(row 'pidfs inode')" == "$ino (names this process"* ]]
	run pmon inspect --no-sample --json "$FIXTURE_PID"
	[ "$(jqi .identity.pidfs_ino)" = "$ino" ]
	[ "$(jqi .identity.cwd)" = "$(pwd -P)" ]
	run pmon ps -o start_time -p "$FIXTURE_PID"
	start=$(tail -n +2 <<<"$output" | head -n 1 | tr -d ' ')
	run pmon inspect --no-sample --json "$FIXTURE_PID"
	[ "$(jqi .identity.start_time)" = "$start" ]
}

@test "inspect: the state and each STAT modifier in words, and how long" {
	nice_fixture() { FIXTURE=nice start_fixture -n 5 "$FIXTURE" "$@"; }
	nice_fixture threads 3
	run pmon inspect --no-sample "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	echo "$output"
	[ "$(row S)" = "sleeping, interruptible: waiting for an event" ]
	[ "$(row N)" = "low priority (nice above 0)" ]
	[ "$(row l)" = "multi-threaded" ]
	[[ "$(row for)" =~ ^[0-9:]+\ \(since\ it\ last\ left\ a\ CPU ]]
	start_fixture stop
	wait_for_state "$FIXTURE_PID" T
	run pmon inspect --no-sample "$FIXTURE_PID"
	[[ "$(row T)" == "stopped by a signal"*"SIGCONT" ]]
	[[ "$(row kill)" == *"it is stopped, so TERM waits until it is continued"* ]]
	start_fixture vfork
	wait_for_state "$FIXTURE_PID" D
	run pmon inspect --no-sample --json "$FIXTURE_PID"
	[[ "$(jqi .state.meaning)" == "disk sleep, uninterruptible"* ]]
	[ "$(jqi .waiting.syscall.name)" = vfork ]
	# vfork()'s wait is killable: KILL is not held up by this D
	[[ "$(jqi .pmon.kill)" == *"it waits in vfork() for its child to exec or exit, a wait KILL ends at once"* ]]
}

@test "inspect: a session leader in the foreground of its terminal (s, +)" {
	command -v script >/dev/null || skip "needs script(1) (util-linux)"
	f=$BATS_TEST_TMPDIR/term.pid
	SHELL=/bin/sh script -qfec "exec '$ORPHAN' hold '$f'" /dev/null </dev/null >/dev/null 2>&1 3>&- &
	FIXTURE_PIDS+=("$!")
	wait_for_line "$f" '^[0-9]+$'
	pid=$(cat "$f")
	descends_from "$pid" "$!"
	TERMINALS+=("$pid")
	run pmon inspect --no-sample "$pid"
	echo "$output"
	[ "$(row s)" = "session leader" ]
	[ "$(row +)" = "in the foreground process group of its terminal" ]
	[[ "$(row terminal)" =~ ^pts/[0-9]+,\ in\ its\ foreground\ process\ group$ ]]
	[ "$(row daemon)" = "no: it has the controlling terminal $(row terminal | cut -d, -f1)" ]
	run pmon inspect --no-sample --json "$pid"
	[ "$(jqi .family.foreground)" = true ]
}

@test "inspect: family: the parent chain to the top, children, zombies, session, group" {
	start_fixture zombie 2
	run pmon inspect --no-sample "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	echo "$output"
	[ "$(row children)" = "2 (2 of them zombies)" ]
	[ "$(row 'process group')" = "$FIXTURE_PID, its own" ]
	# The ancestors are the chain of /proc ppids, each with its name.
	want=() p=$FIXTURE_PID
	while p=$(proc_ppid "$p") && [ "$p" -gt 0 ]; do want+=("$p"); done
	run pmon inspect --no-sample --json "$FIXTURE_PID"
	[ "$(jqi '[.family.ancestors[].pid] | join(" ")')" = "${want[*]}" ]
	[ "$(jqi '.family.children | length')" = 2 ]
	[ "$(jqi .family.zombies)" = 2 ]
	[ "$(jqi .family.orphan.kind)" = none ]
	# Where its children would go: worked out for a parent, null for a
	# process without children.
	[ "$(jqi '.pmon.children_go_to.kind | type')" = string ]
	[ "$(jqi .pmon.kill_refused)" = false ]
	run pmon inspect --no-sample "$(fixture_children | head -n 1)"
	[[ "$(row Z)" == "zombie: it has exited"* ]]
	[[ "$(row kill)" == "nothing: it has already exited"* ]]
	run pmon inspect --no-sample --json "$(fixture_children | head -n 1)"
	[ "$(jqi .pmon.children_go_to)" = null ]
}

# chain_under_adopting_subreaper DEPTH: a chain of DEPTH under a
# subreaper of the test's own that has adopted an orphan, so that it
# shows what it is: the sleep, left in a session whose leader has exited
# (how pmon tells an adopted child from one it forked).  FIXTURE_PID is
# the subreaper; mid, the node one above the chain's leaf (it has a
# child).
chain_under_adopting_subreaper() {
	FIXTURE=$SUBREAPER start_fixture sh -c '(setsid sh -c "sleep 600 & exit" &); exec "$0" tree '"$1"' 1' "$FIXTURE"
	SUBREAPERS+=("$FIXTURE_PID")
	for ((i = 0; i < 50; i++)); do # until the sleep is adopted
		for kid in $(cat "/proc/$FIXTURE_PID/task/$FIXTURE_PID/children"); do
			[ "$(cat "/proc/$kid/comm")" = sleep ] && break 2
		done
		sleep 0.1
	done
	mid=$(awk '$1 == "node" && $4 == 1 {print $2}' "$FIXTURE_OUT")
	[ -n "$mid" ]
}

@test "inspect: past the 64 ancestors it shows, it still finds the subreaper its children go to" {
	chain_under_adopting_subreaper 70
	run pmon inspect --no-sample --json "$mid"
	[ "$status" -eq 0 ]
	[ "$(jqi '.family.ancestors | length')" -eq 64 ]
	[ "$(jqi '.pmon.children_go_to | "\(.pid) \(.comm) \(.kind) \(.proven)"')" = "$FIXTURE_PID subreaper subreaper true" ]
}

@test "inspect: a subreaper among the ancestors, not the parent, is found as where the children go" {
	# As above, 5 deep: the subreaper is the fifth ancestor.  A process
	# with children has its ancestors read in full (what each is: status),
	# a leaf from their stat files alone.
	chain_under_adopting_subreaper 5
	run -0 pmon inspect --no-sample --json "$mid"
	[ "$(jqi '[.family.ancestors[].pid] | index('"$FIXTURE_PID"')')" -ge 4 ]
	[ "$(jqi '.pmon.children_go_to | "\(.pid) \(.comm) \(.kind) \(.proven)"')" = "$FIXTURE_PID subreaper subreaper true" ]
}

@test "inspect: a PID namespace's init among the ancestors is where the children go" {
	[ "$(id -u)" -eq 0 ] || skip "needs root for a PID namespace"
	command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
	# ns init (sh) <- sh <- sh (the target) <- sleep, seen from outside,
	# where the init's PID is not 1: only its NSpid says what it is.
	unshare --pid --fork --kill-child sh -c 'sh -c "sh -c \"sleep 600 & wait\" & wait" & wait' &
	local ns=$! target= init
	for ((i = 0; i < 50; i++)); do
		# (|| true: an empty step, before the namespace's processes exist,
		# must not end the test under errexit)
		init=$(cat "/proc/$ns/task/$ns/children" 2>/dev/null | awk '{print $1}')
		mid=$([ -n "$init" ] && cat "/proc/$init/task/$init/children" 2>/dev/null | awk '{print $1}' || true)
		target=$([ -n "$mid" ] && cat "/proc/$mid/task/$mid/children" 2>/dev/null | awk '{print $1}' || true)
		[ -n "$target" ] && [ -n "$(cat "/proc/$target/task/$target/children" 2>/dev/null)" ] && break
		sleep 0.1
	done
	run pmon inspect --no-sample --json "$target"
	kill -KILL "$ns"; wait "$ns" || true # (unshare --fork ignores TERM)
	[ "$status" -eq 0 ]
	[ "$(jqi '.family.ancestors[1].pid')" = "$init" ]
	[ "$(jqi '.pmon.children_go_to | "\(.pid) \(.kind)"')" = "$init namespace-init" ]
}

@test "inspect: pmon's own ancestors are refused to kill, a process without children is not one" {
	run -0 pmon inspect --no-sample --json $$
	[ "$(jqi .pmon.kill_refused)" = true ]
	[[ "$(jqi .pmon.kill)" == "refused without --force: it is an ancestor of pmon"* ]]
	start_fixture sleep
	run -0 pmon inspect --no-sample --json "$FIXTURE_PID"
	[ "$(jqi '.family.children | length')" = 0 ]
	[ "$(jqi .pmon.kill_refused)" = false ]
}

# check_call CALL REGEX: a fixture blocked in CALL shows "system call"
# matching REGEX (the fd and port it announced put in by the caller).
check_call() {
	start_if block "$1"
	wait_for_call "$FIXTURE_PID" "$1"
	run pmon inspect --no-sample "$FIXTURE_PID"
	echo "$1: $(row 'system call') / $(row 'waiting for')"
	[[ "$(row 'system call')" =~ $2 ]]
	[ -n "$(row 'waiting for')" ]
}

@test "inspect: the system call it waits in, decoded, descriptors resolved" {
	start_if block read
	wait_for_call "$FIXTURE_PID" read
	fd=$(said fd)
	target=$(readlink "/proc/$FIXTURE_PID/fd/$fd")
	run pmon inspect --no-sample "$FIXTURE_PID"
	[ "$(row 'system call')" = "read($fd → $target, 4096)" ]
	[ "$(row 'waiting for')" = "data to read from $target" ]
	[[ "$(row kernel)" =~ ^[a-z_] ]]
	run pmon inspect --no-sample --json "$FIXTURE_PID"
	[ "$(jqi '.waiting.syscall.fds[0].target')" = "$target" ]
	# Without a UTF-8 locale the arrow is ASCII.
	LC_ALL=C run pmon inspect --no-sample "$FIXTURE_PID"
	[ "$(row 'system call')" = "read($fd -> $target, 4096)" ]
}

@test "inspect: epoll_wait, futex, wait4, sleeps, poll, ppoll, select, pause, sigtimedwait" {
	start_if block epoll_wait
	wait_for_call "$FIXTURE_PID" epoll_wait
	run pmon inspect --no-sample "$FIXTURE_PID"
	[ "$(row 'system call')" = "epoll_wait($(said fd) → 2 watched, 8, no timeout)" ]
	[ "$(row 'waiting for')" = "an event on one of the 2 descriptors its epoll instance $(said fd) watches" ]
	start_if block wait4
	wait_for_call "$FIXTURE_PID" wait4
	run pmon inspect --no-sample "$FIXTURE_PID"
	[ "$(row 'system call')" = "wait4(-1)" ]
	[ "$(row 'waiting for')" = "any child to exit or stop" ]
	[ "$(row children)" = "1 (no zombies)" ]
	check_call futex '^futex\(0x[0-9a-f]+, FUTEX_WAIT_PRIVATE, no timeout\)$'
	check_call nanosleep '^nanosleep\(\)$'
	check_call clock_nanosleep '^clock_nanosleep\(CLOCK_MONOTONIC\)$'
	check_call poll '^poll\(2 fds, no timeout\)$'
	check_call ppoll '^ppoll\(2 fds, no timeout\)$'
	check_call select '^select\([0-9]+, no timeout\)$'
	check_call pause '^pause\(\)$'
	[ "$(row 'waiting for')" = "any signal" ]
	check_call rt_sigtimedwait '^rt_sigtimedwait\(no timeout\)$'
}

@test "inspect: every other call the fixture can block in, decoded with what it waits for" {
	# CALL|the system call row|the start of the waiting-for row, as
	# regexes (@FD@, @NFDS@, @ID@: the numbers the fixture announced)
	calls=(
		'readv|readv\(@FD@ → pipe:\[[0-9]+\], 1\)|data to read from pipe:\[[0-9]+\]'
		'write|write\(@FD@ → pipe:\[[0-9]+\], 4096\)|room to write to pipe:\[[0-9]+\]'
		'writev|writev\(@FD@ → pipe:\[[0-9]+\], 1\)|room to write to pipe:\[[0-9]+\]'
		'recvmsg|recvmsg\(@FD@ → socket:\[[0-9]+\] \(UDP 127\.0\.0\.1:[0-9]+\)\)|data to receive on socket:'
		'recvmmsg|recvmmsg\(@FD@ → socket:\[[0-9]+\] \(UDP 127\.0\.0\.1:[0-9]+\), 1, no timeout\)|data to receive on socket:'
		'sendto|sendto\(@FD@ → socket:\[[0-9]+\] \(unix datagram\), 1024\)|room to send on socket:'
		'sendmsg|sendmsg\(@FD@ → socket:\[[0-9]+\] \(unix datagram\)\)|room to send on socket:'
		'accept4|accept4\(@FD@ → socket:\[[0-9]+\] \(TCP 127\.0\.0\.1:[0-9]+ listening\), 0x80000\)|a connection to accept on socket:'
		'connect|connect\(@FD@ → socket:\[[0-9]+\] \(unix stream\)\)|the connection of socket:.* to be set up'
		'epoll_pwait|epoll_pwait\(@FD@ → 1 watched, 8, no timeout\)|an event on one of the 1 descriptors its epoll instance @FD@ watches'
		'pselect6|pselect6\(@NFDS@, no timeout\)|one of the descriptors below @NFDS@ to become ready'
		'waitid|waitid\(P_ALL, 0, WEXITED\)|any child to change state'
		'rt_sigsuspend|rt_sigsuspend\(\)|a signal it does not block'
		'flock|flock\(@FD@ → /tmp/pmon-inspect-fixture-.* \(deleted\), LOCK_EX\)|a lock on /tmp/pmon-inspect-fixture-'
		'fcntl|fcntl\(@FD@ → /tmp/pmon-inspect-fixture-.* \(deleted\), F_SETLKW\)|a record lock on /tmp/pmon-inspect-fixture-'
		'openat|openat\(AT_FDCWD, .*\)|the open to complete \(a FIFO waits for its other end\)'
		'vfork|vfork\(\)|its vfork\(\) child to exec or exit'
		'open|open\(.*\)|the open to complete \(a FIFO waits for its other end\)'
		'io_getevents|io_getevents\(0x[0-9a-f]+, 1, 1, no timeout\)|asynchronous I/O to complete'
		'epoll_pwait2|epoll_pwait2\(@FD@ → 1 watched, 8, no timeout\)|an event on one of the 1 descriptors'
		'futex_waitv|futex_waitv\(1, no timeout.*\)|a wake-up on one of several futexes'
		'msgrcv|msgrcv\(@ID@\)|a message on System V message queue @ID@'
		'msgsnd|msgsnd\(@ID@\)|room on System V message queue @ID@'
		'semop|semop\(@ID@\)|System V semaphore set @ID@'
		'semtimedop|semtimedop\(@ID@, 1, no timeout\)|System V semaphore set @ID@'
		'mq_timedreceive|mq_timedreceive\(@FD@ → /pmon-inspect-fixture, 64, no timeout\)|a message on /pmon-inspect-fixture'
	)
	for entry in "${calls[@]}"; do
		IFS='|' read -r call want waits <<<"$entry"
		start_if block "$call"
		if grep -qx unsupported "$FIXTURE_OUT"; then
			# a kernel before the call, no open(2) on this
			# architecture, or no IPC namespace without root
			echo "# $call: not made here (the fixture says unsupported)" >&3
			continue
		fi
		want=${want//@ID@/$(said id)} waits=${waits//@ID@/$(said id)}
		want=${want//@NFDS@/$(said nfds)} waits=${waits//@NFDS@/$(said nfds)}
		want=${want//@FD@/$(said fd)} waits=${waits//@FD@/$(said fd)}
		wait_for_call "$FIXTURE_PID" "$call"
		run pmon inspect --no-sample "$FIXTURE_PID"
		echo "$call: $(row 'system call') / $(row 'waiting for')"
		[[ "$(row 'system call')" =~ ^$want$ ]]
		[[ "$(row 'waiting for')" =~ ^$waits ]]
		# vfork's parent waits in D
		[ "$call" != vfork ] || [[ "$(row D)" == "disk sleep, uninterruptible: "* ]]
	done
	# A sleep stopped and continued goes on in restart_syscall
	start_if block nanosleep
	wait_for_call "$FIXTURE_PID" nanosleep
	kill -STOP "$FIXTURE_PID"
	wait_for_state "$FIXTURE_PID" T
	kill -CONT "$FIXTURE_PID"
	wait_for_call "$FIXTURE_PID" restart_syscall
	run pmon inspect --no-sample "$FIXTURE_PID"
	[ "$(row 'system call')" = "restart_syscall()" ]
	[ "$(row 'waiting for')" = "an interrupted call it has resumed (usually a sleep)" ]
}

@test "inspect: accept and recvfrom name their sockets" {
	start_if block accept
	wait_for_call "$FIXTURE_PID" accept
	run pmon inspect --no-sample "$FIXTURE_PID"
	[[ "$(row 'system call')" =~ ^accept\($(said fd)\ →\ socket:\[[0-9]+\]\ \(TCP\ 127\.0\.0\.1:$(said port)\ listening\)\)$ ]]
	start_if block recvfrom
	wait_for_call "$FIXTURE_PID" recvfrom
	run pmon inspect --no-sample "$FIXTURE_PID"
	[[ "$(row 'system call')" =~ ^recvfrom\($(said fd)\ →\ socket:\[[0-9]+\]\ \(UDP\ 127\.0\.0\.1:$(said port)\),\ 1024\)$ ]]
	[[ "$(row 'waiting for')" == "data to receive on socket:"* ]]
}

@test "inspect: threads, each with the call it is in" {
	start_if threads
	run pmon inspect --no-sample "$FIXTURE_PID"
	echo "$output"
	[ "$(row threads | head -n 1)" = 3 ]
	for ((i = 0; i < 100; i++)); do
		run pmon inspect --no-sample --json "$FIXTURE_PID"
		calls=$(jqi '[.waiting.threads[] | .comm + " " + .syscall] | sort | join(",")')
		[[ "$calls" == *"reader read"*"waiter futex"* ]] && break
		sleep 0.1
	done
	[[ "$calls" == *"reader read"*"waiter futex"* ]]
	[ "$(jqi .waiting.threads_total)" = 3 ]
}

@test "inspect: signal sets in names, and what SIGCHLD does" {
	start_if signals
	kill -USR1 "$FIXTURE_PID"
	run pmon inspect --no-sample "$FIXTURE_PID"
	echo "$output"
	[ "$(row blocked)" = USR1 ]
	[ "$(row ignored)" = HUP ]
	[ "$(row caught)" = "TERM, CHLD" ]
	# raise() is directed at the thread, kill at the process.
	[ "$(row 'pending thread')" = USR1 ]
	[ "$(row pending)" = USR1 ]
	[[ "$(row SIGCHLD)" == "caught: a handler runs when a child exits"* ]]
	run pmon inspect --no-sample --json "$FIXTURE_PID"
	[ "$(jqi '.signals.caught | join(",")')" = TERM,CHLD ]
	[ "$(jqi .signals.sigchld)" = caught ]
	start_fixture sleep
	run pmon inspect --no-sample "$FIXTURE_PID"
	[[ "$(row SIGCHLD)" == "default: its children that exit stay zombies"* ]]
}

@test "inspect: seccomp and no_new_privs" {
	start_if seccomp
	run pmon inspect --no-sample "$FIXTURE_PID"
	echo "$output"
	[ "$(row seccomp)" = "filter (1 filter): its system calls are checked by BPF programs" ]
	[[ "$(row no_new_privs)" == "yes: execve() cannot give it privileges"* ]]
	run pmon inspect --no-sample --json "$FIXTURE_PID"
	[ "$(jqi .credentials.seccomp)" = filter ]
	[ "$(jqi .credentials.no_new_privs)" = true ]
	start_fixture sleep
	run pmon inspect --no-sample --json "$FIXTURE_PID"
	[ "$(jqi .credentials.seccomp)" = off ]
	[ "$(jqi .credentials.no_new_privs)" = false ]
}

@test "inspect: an unprivileged process with ambient capabilities" {
	copy_for_others
	FIXTURE=setpriv start_fixture --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=+net_raw,+net_bind_service --ambient-caps=+net_raw,+net_bind_service \
		"$OTHERS_FIXTURE" sleep
	run pmon inspect --no-sample "$FIXTURE_PID"
	echo "$output"
	[ "$(row capabilities)" = "effective: net_bind_service, net_raw" ]
	[ "$(row '  ambient')" = "net_bind_service, net_raw" ]
	[[ "$(row uid)" == "65534 ("*"), real, effective, saved and filesystem alike" ]]
	[ "$(row groups)" = none ]
	run pmon inspect --no-sample --json "$FIXTURE_PID"
	[ "$(jqi '.credentials.capabilities.effective | join(",")')" = net_bind_service,net_raw ]
	[ "$(jqi .credentials.uid.effective.id)" = 65534 ]
}

@test "inspect: another account's process: what may not be read says so, never 0" {
	start_fixture sleep
	copy_for_others
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$OTHERS_PMON" inspect --no-sample "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	echo "$output"
	unreadable="not readable (another account's process: run as root or as its user)"
	for r in executable directory 'system call' kernel I/O descriptors namespaces; do
		[ "$(row "$r")" = "$unreadable" ] || { echo "row $r: $(row "$r")"; false; }
	done
	# What /proc/PID/status and stat show anyone is there.
	[ "$(row S)" = "sleeping, interruptible: waiting for an event" ]
	[[ "$(row uid)" == "0 (root)"* ]]
	[ "$(row 'standard fds')" = "stdin not readable, stdout not readable, stderr not readable" ]
	[ "$(row kill)" = "refused by the kernel: it runs as uid 0, and pmon as uid 65534 without CAP_KILL (run as root or as its user)" ]
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$OTHERS_PMON" inspect --no-sample --json "$FIXTURE_PID"
	for k in .identity.exe .identity.cwd .waiting.syscall .waiting.wchan .resources.io .resources.fds \
		 .credentials.namespaces.inodes; do
		[ "$(jqi "$k")" = null ] || { echo "$k is $(jqi "$k")"; false; }
	done
	[ "$(jqi '.unreadable | keys | sort | join(",")')" = "cwd,exe,fds,io,namespaces,root,std_fds,syscall,wchan" ]
	[ "$(jqi .pmon.kill_refused)" = true ]
	[ "$(jqi '.resources.std_fds | map(. == null) | all')" = true ]
	[ "$(jqi .credentials.uid.effective.id)" = 0 ]
}

@test "inspect: its own account's process that is not dumpable is not called another's" {
	copy_for_others
	FIXTURE=setpriv start_fixture --reuid=65534 --regid=65534 --clear-groups \
		"$OTHERS_FIXTURE" undumpable
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$OTHERS_PMON" inspect --no-sample "$FIXTURE_PID"
	echo "$output"
	[ "$(row executable)" = "not readable (the kernel refused: it is not dumpable, or holds capabilities pmon lacks)" ]
	[[ "$output" != *"another account"* ]]
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$OTHERS_PMON" inspect --no-sample --json "$FIXTURE_PID"
	[ "$(jqi .unreadable.exe)" = "not readable (the kernel refused: it is not dumpable, or holds capabilities pmon lacks)" ]
}

@test "inspect: a process that is not there, or a thread, says so and exits 1" {
	gone=$(($(cat /proc/sys/kernel/pid_max) + 1))
	run pmon inspect "$gone"
	[ "$status" -eq 1 ]
	[ "$output" = "pmon: inspect: $gone: no such process (it exited, or vanished while it was read)" ]
	start_if threads
	tid=$(ls "/proc/$FIXTURE_PID/task" | sort -n | tail -n 1)
	[ "$tid" != "$FIXTURE_PID" ]
	run pmon inspect --no-sample "$tid" "$FIXTURE_PID"
	[ "$status" -eq 1 ]
	[[ "$output" == *"pmon: inspect: $tid: a thread of process $FIXTURE_PID, not a process"* ]]
	[[ "$output" == *"process $FIXTURE_PID inspect-fixtur"* ]]
	run --separate-stderr pmon inspect --no-sample --json "$gone" "$FIXTURE_PID"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$gone: no such process"* ]]
	jq -e --argjson p "$FIXTURE_PID" '.[0].error == "no such process" and .[1].pid == $p and
	       .[1].state.letter == "S"' <<<"$output"
	run pmon inspect
	[ "$status" -eq 2 ]
}

# Every line of $stderr says a process went away since /proc was listed:
# it exited, or its pid already names a thread of a new process.
only_vanished() {
	local other
	other=$(grep -vE ': (no such process \(it exited, or vanished while it was read\)|a thread of process [0-9]+, not a process .*)$' <<<"$stderr") || true
	[ -z "$other" ] || { echo "unexpected: $other"; false; }
}

@test "inspect: every process of the machine: exit 0 or vanished, and valid JSON" {
	pids=$(ls /proc | grep -E '^[0-9]+$' | sort -n)
	run --separate-stderr pmon inspect --no-sample --json $pids
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ]
	only_vanished
	jq -e 'type == "array" and length > 0 and
	       all(.[]; (.error != null) or (.state.letter | test("^[RSDTtZXIP]$")))' <<<"$output"
	run --separate-stderr pmon inspect --no-sample $pids
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ]
	only_vanished
}

@test "inspect: orphans are classified as pmon orphans classifies them" {
	FIXTURE=$SUBREAPER start_fixture "$ORPHAN" daemon
	SUBREAPERS+=("$FIXTURE_PID")
	daemon=$(fixture_children)
	run pmon inspect --no-sample "$daemon"
	echo "$output"
	[ "$(row orphan)" = "yes, daemon: adopted by PID $FIXTURE_PID (subreaper), a child subreaper" ]
	[[ "$(row daemon)" == "yes: detached by a double fork"* ]]
	[[ "$(row session)" == *", whose leader has exited" ]]
	FIXTURE=$SUBREAPER start_fixture "$ORPHAN" stopped
	SUBREAPERS+=("$FIXTURE_PID")
	run pmon inspect --no-sample --json "$(fixture_children)"
	[ "$(jqi .family.orphan.kind)" = stopped ]
	[ "$(jqi .family.pgrp_orphaned)" = true ]
	[[ "$(jqi .family.orphan.advice)" == *"pmon kill -s CONT"* ]]
	# A parent under a subreaper that has adopted: its child would go
	# there, not to init.
	FIXTURE=$SUBREAPER start_fixture "$ORPHAN" adopted
	SUBREAPERS+=("$FIXTURE_PID")
	main=$(cat /proc/"$FIXTURE_PID"/task/*/children | tr ' ' '\n' | grep -vx "$(fixture_children)" | grep .)
	run pmon inspect --no-sample --json "$main"
	[ "$(jqi .pmon.children_go_to.pid)" = "$FIXTURE_PID" ]
	[ "$(jqi .pmon.children_go_to.kind)" = subreaper ]
	[[ "$(jqi .pmon.kill)" == *"would be adopted by PID $FIXTURE_PID (subreaper), its nearest ancestor that is a child subreaper"* ]]
}

@test "inspect: each orphan fixture: its class, parent chain, state, call and signals" {
	command -v script >/dev/null || skip "needs script(1) (util-linux)"
	for mode in daemon terminal stopped adopted; do
		FIXTURE=$SUBREAPER start_fixture "$ORPHAN" "$mode" "$BATS_TEST_TMPDIR"
		SUBREAPERS+=("$FIXTURE_PID")
		sub=$FIXTURE_PID orphan=$(fixture_children)
		run pmon inspect --no-sample --json "$orphan"
		echo "$mode: $output" | head -c 300
		# as pmon orphans classifies it
		kind=$(jqi .family.orphan.kind)
		run pmon orphans --json
		[ "$(jq -r --argjson p "$orphan" '.[] | select(.pid == $p) | .orphan' <<<"$output")" = "$kind" ]
		run pmon inspect --no-sample "$orphan"
		echo "$output" | sed -n '/^  state/,/^  credentials/p'
		[[ "$(row orphan)" == "yes, $kind: adopted by PID $sub (subreaper), a child subreaper" ]]
		# its parent chain starts at the subreaper that adopted it
		[[ "$(row ancestors)" == "$sub subreaper ← "* ]]
		state=$(proc_state "$orphan")
		[ -n "$(row "$state")" ]
		case $mode in
		stopped)
			[ "$kind" = stopped ]
			[[ "$(row T)" == "stopped"* ]]
			[[ "$(row ignored)" == *HUP* ]]
			;;
		terminal)
			[ "$kind" = terminal-job ]
			[[ "$(row S)" == "sleeping"* ]]
			;;
		*)
			[ "$kind" = "$mode" ]
			;;
		esac
		[ -n "$(row 'system call')" ]
		[ "$(row capabilities | cut -d: -f1)" = effective ]
	done
}

@test "inspect: a parent of zombies gets the advice pmon zombies gives, and the reap methods" {
	FIXTURE=$ZP start_fixture 2 default
	run pmon zombies
	# Its group's advice, the wrapped lines joined.
	advice=$(awk -v p="$FIXTURE_PID" '$1 == "parent" { on = ($2 == p) } /^[^ ]/ && $1 != "parent" { on = 0 } on' <<<"$output" |
		 sed -n '/^  advice: /,$p' | sed 's/^  advice: //; s/^ *//' | tr '\n' ' ' | sed 's/ $//')
	[ -n "$advice" ]
	run pmon inspect --no-sample "$FIXTURE_PID"
	echo "$output"
	[ "$(row reap)" = "it holds 2 zombies" ]
	[ "$(sed -n 's|^    advice  *||p' <<<"$output" | tail -n 1)" = "$advice" ]
	[ "$(row methods)" = "nudge: no (it does not catch SIGCHLD); inject: yes; kill-parent: only with --kill-parent" ]
	FIXTURE=$RP start_fixture -n 1 -S pause
	run pmon inspect --no-sample --json "$FIXTURE_PID"
	[ "$(jqi .pmon.reap.inject)" = false ]
	[[ "$(jqi .pmon.reap.inject_refused)" == *"seccomp filter"* ]]
}

@test "inspect: a zombie: no call, no namespaces shown as 0, its parent's SIGCHLD in the advice" {
	FIXTURE=$RP start_fixture -n 1 -d handler-nowait pause
	zombie=$(said child)
	[ "$(proc_state "$zombie")" = Z ]
	run pmon inspect --no-sample "$zombie"
	echo "$output"
	[ "$(row 'system call')" = "none: it has exited" ]
	# only its pid and user namespaces outlive it, and no 0 stands for the rest
	[[ "$(row namespaces)" == *"; not available: "*"net"*" (gone with the process, or not in this kernel)" ]]
	[[ "$(row namespaces)" != *" 0 ("* ]]
	[[ "$(row daemon)" == "no: it has exited"* ]]
	# its parent is alive and catches SIGCHLD: a nudge may do
	[ "$(row methods)" = "nudge: yes (it catches SIGCHLD); inject: yes; kill-parent: only with --kill-parent" ]
	run pmon inspect --no-sample --json "$zombie"
	[ "$(jqi .waiting.syscall.state)" = none ]
	[ "$(jqi '.credentials.namespaces.inodes.net')" = null ]
	[ "$(jqi '.credentials.namespaces.differ | index("net")')" = null ]
	[ "$(jqi .pmon.reap.nudge)" = true ]
}

@test "inspect: a process whose main thread has exited is read through a live thread" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	FIXTURE=$RP start_fixture -n 0 -f "$BATS_TEST_TMPDIR/fifo" mainexit
	wait_for_state "$FIXTURE_PID" Z
	run pmon inspect --no-sample "$FIXTURE_PID"
	echo "$output"
	[[ "$(row note)" == "Z here means its main thread has exited"* ]]
	# its descriptors, memory, executable and namespaces are a live
	# thread's to tell: the leader's are gone
	[ "$(row executable)" = "$RP" ]
	[[ "$(row descriptors)" =~ ^[1-9][0-9]*\ open ]]
	[[ "$(row memory)" =~ ^resident\ [1-9][0-9]*\ KiB ]]
	[[ "$(row 'standard fds')" != *closed* ]]
	[[ "$(row namespaces)" == "the same as "* ]]
	run pmon inspect --no-sample --json "$FIXTURE_PID"
	[ "$(jqi '.resources.memory.rss_kb > 0')" = true ]
	[ "$(jqi '.credentials.namespaces.inodes.net | type')" = number ]
}

# A kernel thread's /proc/PID/syscall reads "0 0x0 ...": read(0, ...) to
# a decoder that does not know whose it is.  Only read, never signalled.
@test "inspect: a kernel thread makes no system call, and no signal reaches it" {
	kthread=$(awk '{ sub(/.*\) /, ""); if (int($7 / 2097152) % 2) { print FILENAME; exit } }' \
		/proc/[0-9]*/stat 2>/dev/null | cut -d/ -f3)
	[ -n "$kthread" ] || skip "no kernel thread is visible here"
	run pmon inspect --no-sample "$kthread"
	echo "$output"
	[ "$(row 'system call')" = "none: a kernel thread runs only in the kernel and makes no system calls" ]
	[ -z "$(row 'waiting for')" ]
	[ "$(row kill)" = "nothing: \`pmon kill $kthread\` would send TERM, and a kernel thread takes no signal from user space" ]
	run pmon inspect --no-sample --json "$kthread"
	[ "$(jqi .waiting.syscall.state)" = none ]
	[ "$(jqi .pmon.children_go_to)" = null ]
}

@test "inspect: descriptors against their limit, memory, CPU sampled or not" {
	fd_limited 64 "$FIXTURE" sleep >"$BATS_TEST_TMPDIR/out" 2>&1 &
	FIXTURE_PIDS+=("$!")
	FIXTURE_PID=$!
	wait_for_line "$BATS_TEST_TMPDIR/out" '^ready$'
	run pmon inspect "$FIXTURE_PID"
	echo "$output"
	[[ "$(row descriptors)" =~ ^[0-9]+\ open\ of\ a\ limit\ of\ 64\ \([0-9]+%\),\ hard\ limit\ 64$ ]]
	[[ "$(row memory)" =~ ^resident\ [0-9]+\ KiB,\ virtual\ [0-9]+\ KiB ]]
	[[ "$(row 'CPU now')" =~ ^[0-9]+\.[0-9]%\ of\ one\ CPU\ over\ the\ last\ 0\.[0-9]+\ s ]]
	run pmon inspect --json "$FIXTURE_PID"
	jq -e '.[0].resources | (.cpu_recent_pct | type) == "number" and .cpu_sample_s >= 0.09 and
	       .fd_limit == 64 and (.fds | type) == "number" and (.memory.rss_kb | type) == "number"' <<<"$output"
	run pmon inspect --no-sample --json "$FIXTURE_PID"
	[ "$(jqi .resources.cpu_recent_pct)" = null ]
}

@test "inspect: namespaces compared, a new one named" {
	command -v unshare >/dev/null || skip "needs unshare(1) (util-linux)"
	FIXTURE=unshare start_fixture --net --uts "$FIXTURE" sleep
	run pmon inspect --no-sample --json "$FIXTURE_PID"
	[ "$(jqi '.credentials.namespaces.differ | sort | join(",")')" = net,uts ]
	[[ "$(jqi .credentials.namespaces.compared_with)" =~ ^(init|pmon)$ ]]
	run pmon inspect --no-sample "$FIXTURE_PID"
	[[ "$(row namespaces)" =~ ^2\ differ\ from\ (init|pmon) ]]
}

@test "inspect: a hostile name reaches the terminal escaped, and JSON stays valid" {
	start_fixture name $'evil\e]0;owned\a' $'evil\e[2Jarg'
	run pmon inspect --no-sample "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 'process '"$FIXTURE_PID"' evil\e]0;owned\a' ]
	[ "$(row 'command line')" = 'evil\e[2Jarg' ]
	run ! grep -q $'\e' <<<"$output"
	run pmon inspect --no-sample --json "$FIXTURE_PID"
	[ "$(jqi .identity.comm)" = $'evil\e]0;owned\a' ]
}

# A child subreaper in a session of its own that has adopted a process
# (D2, whose parent D left its session and exited) and holds a stopped
# child C in its own process group, which is orphaned: the parent of
# every member is in the group or in another session.  C was not
# re-parented and leads nothing, so only its parent's other children show
# that the parent adopts.  SIGTERM ends C and D2 with it.
FAMILY='
import ctypes, os, signal, sys
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
os.setsid()
r, w = os.pipe()
d = os.fork()
if d == 0:
    os.setsid()
    d2 = os.fork()
    if d2 == 0:
        while True:
            signal.pause()
    os.write(w, b"%d\n" % d2)
    os._exit(0)
os.waitpid(d, 0)
d2 = int(os.read(r, 64))
c = os.fork()
if c == 0:
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    while True:
        signal.pause()
os.kill(c, signal.SIGSTOP)
os.waitpid(c, os.WUNTRACED)
def end(*_):
    for p in (c, d2):
        os.kill(p, signal.SIGKILL)
    sys.exit(0)
signal.signal(signal.SIGTERM, end)
print("ready %d %d" % (c, d2), flush=True)
while True:
    signal.pause()
'

@test "inspect: a stopped member of an orphaned group says whether its subreaper parent adopts" {
	python3 -c "$FAMILY" >"$BATS_TEST_TMPDIR/family" 2>&1 3>&- &
	sub=$!
	SUBREAPERS+=("$sub")
	wait_for_line "$BATS_TEST_TMPDIR/family" '^ready ' || {
		cat "$BATS_TEST_TMPDIR/family" >&2
		return 1
	}
	read -r _ c d2 <"$BATS_TEST_TMPDIR/family"
	[ "$(proc_ppid "$d2")" = "$sub" ]
	run -0 pmon inspect --no-sample --json "$c"
	[ "$(jqi .family.orphan.kind)" = stopped ]
	run -0 pmon inspect --no-sample "$c"
	[ "$(row orphan)" = "yes, stopped: adopted by PID $sub (python3), a child subreaper" ]
}
