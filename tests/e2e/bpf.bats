#!/usr/bin/env bats
# The BPF backend: choosing it (--backend, PMON_BACKEND), refusing it
# without privilege, pmon --version, and the pins (pmon bpf install,
# status, remove; a pin of another version): the iterator, and on a
# kernel with the open-coded task iterator (6.7+) the walk, which readers
# prefer and leave for the iterator when they cannot use it.  Pins are made only
# in a bpffs mounted in a private mount namespace (unshare -m), which
# takes them with it when the test ends: nothing is left on the machine.
# tests/unit/proc/test_bpf_differential.c compares the values.

load helpers

V0=$BUILD_DIR/bpf/task_iter_v0.o
V999=$BUILD_DIR/bpf/task_iter_v999.o
PIN=/sys/fs/bpf/pmon/tasks
WALK=/sys/fs/bpf/pmon/walk
RING=/sys/fs/bpf/pmon/walk_ring

# How passes are read on this kernel where the walk can be: "walk" where
# the kernel has the open-coded task iterator, else "iterator".
way() {
	if grep -qw bpf_iter_task_new /proc/kallsyms; then echo walk; else echo iterator; fi
}

# Skips unless this pmon has the backend, runs as root, and may make a
# private mount namespace.
need_bpf_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	"$PMON" --version | grep -qx 'backends: proc, bpf' ||
		skip "the bpf backend is not built: $("$PMON" --version | tail -n 1)"
	unshare -m --propagation private true 2>/dev/null ||
		skip "cannot make a private mount namespace (unshare -m)"
}

# in_private_bpffs SCRIPT: run the bash SCRIPT in a private mount
# namespace with a fresh bpffs at /sys/fs/bpf, pmon as $PMON.
in_private_bpffs() {
	unshare -m --propagation private env PMON="$PMON" bash -euc \
		'mount -t bpf bpf /sys/fs/bpf; '"$1"
}

@test "--version names the backends of this build" {
	run pmon --version
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[1]}" =~ ^backends:\ proc(,\ bpf|\ \(bpf:\ not\ built:\ .+\))$ ]]
}

@test "an unknown backend is a usage error, from --backend or PMON_BACKEND" {
	run pmon --backend nosuch ps
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "pmon: ps: --backend: unknown backend 'nosuch' (auto, proc or bpf)" ]]
	run env PMON_BACKEND=nosuch "$PMON" tree
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "pmon: tree: PMON_BACKEND: unknown backend 'nosuch'"* ]]
	# --backend wins over the environment.
	run env PMON_BACKEND=nosuch "$PMON" --backend=proc ps -p $$
	[ "$status" -eq 0 ]
}

@test "--backend proc reads /proc for anyone" {
	run pmon --backend proc ps -p $$
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" =~ ^\ *$$\  ]]
}

@test "forcing bpf without CAP_BPF and CAP_PERFMON is an error, exit 1" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to drop privileges"
	command -v setpriv >/dev/null || skip "setpriv (util-linux) missing"
	copy_for_others  # the checkout may be closed to other accounts
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		env PMON_BACKEND=bpf "$OTHERS_PMON" ps
	[ "$status" -eq 1 ]
	[[ "$output" == *"the bpf backend cannot be used: "* ]]
	# Not built, or no privilege: either way it says which.
	[[ "$output" == *"CAP_BPF and CAP_PERFMON"* || "$output" == *"not built"* ]]
	# The same account without PMON_BACKEND reads /proc.
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$OTHERS_PMON" ps -p $$
	[ "$status" -eq 0 ]
}

@test "pmon bpf install pins a root-only iterator that ps, tree and top use; remove takes it away" {
	need_bpf_root
	start_fixture zombie 2
	run in_private_bpffs '
		"$PMON" bpf status >/dev/null && { echo "status: 0 before install"; exit 1; }
		"$PMON" bpf install
		stat -c "pin %a %u" '"$PIN"'
		for p in '"$WALK $RING"'; do
			[ -e "$p" ] && stat -c "walk pin %a %u" "$p"
		done
		stat -c "dir %a %u" /sys/fs/bpf/pmon
		"$PMON" bpf status | grep "^pin:"
		PMON_BPF_DEBUG=1 "$PMON" ps 2>&1 >/dev/null
		PMON_BPF_DEBUG=1 "$PMON" top -b -n 1 2>&1 >/dev/null
		# reading a pin needs no libbpf (src/proc/bpflib.h)
		echo "ps loads libbpf: $(LD_DEBUG=files "$PMON" ps 2>&1 >/dev/null |
			grep -c "file=libbpf.*dynamically loaded by")"
		"$PMON" --backend bpf tree '"$FIXTURE_PID"' >"'"$BATS_TEST_TMPDIR"'/bpf.tree"
		"$PMON" --backend proc tree '"$FIXTURE_PID"' >"'"$BATS_TEST_TMPDIR"'/proc.tree"
		if setpriv --reuid=65534 --regid=65534 --clear-groups head -c1 '"$PIN"' 2>/dev/null; then
			echo "nobody could read the pin"
		fi
		"$PMON" bpf remove
		[ -e /sys/fs/bpf/pmon ] && echo "the pins are still there"
		"$PMON" bpf status >/dev/null || echo "status: 1 after remove"
	'
	echo "$output"
	[ "$status" -eq 0 ]
	local way walk_pins=0
	way=$(way)
	if [ "$way" = walk ]; then
		[[ "${lines[0]}" == "pinned the walk and the task iterator in /sys/fs/bpf/pmon (mode 0600, format "* ]]
		walk_pins=2
	else
		[[ "${lines[0]}" == "pinned the task iterator (no walk: "*") in /sys/fs/bpf/pmon (mode 0600, format "* ]]
	fi
	[ "${lines[1]}" = "pin 600 0" ]
	for ((i = 0; i < walk_pins; i++)); do
		[ "${lines[2 + i]}" = "walk pin 600 0" ]
	done
	lines=("${lines[@]:walk_pins}")
	[ "${lines[2]}" = "dir 700 0" ]
	[[ "${lines[3]}" == "pin:        $PIN: mode 0600, owner uid 0; current (format "*", read by the $way): "* ]]
	[ "${lines[4]}" = "pmon: backend: bpf, pinned $way" ]
	[ "${lines[5]}" = "pmon: backend: bpf, pinned $way" ]
	[ "${lines[6]}" = "ps loads libbpf: 0" ]
	[ "${lines[7]}" = "no pinned task iterator at $PIN now" ]
	[ "${lines[8]}" = "status: 1 after remove" ]
	[ "${#lines[@]}" -eq 9 ]
	# Both backends draw the same tree: the fixture and its zombies.
	diff "$BATS_TEST_TMPDIR/proc.tree" "$BATS_TEST_TMPDIR/bpf.tree"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/bpf.tree")" -eq 4 ]
}

@test "without a pin, top loads the program and a one-shot command reads /proc" {
	need_bpf_root
	run in_private_bpffs '
		PMON_BPF_DEBUG=1 "$PMON" ps 2>&1 >/dev/null
		echo "--"
		PMON_BPF_DEBUG=1 "$PMON" top -b -n 1 -p $$ 2>&1 >/dev/null
		echo "top loads libbpf: $(LD_DEBUG=files "$PMON" top -b -n 1 -p $$ 2>&1 >/dev/null |
			grep -c "file=libbpf.*dynamically loaded by")"
	'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "--" ]
	# the iterator alone: the walk is loaded only to be pinned
	[ "${lines[1]}" = "pmon: backend: bpf, loaded by pmon" ]
	[ "${lines[2]}" = "top loads libbpf: 1" ]
}

@test "readers leave the walk for the iterator when told, when another holds its ring, and in another pid namespace" {
	need_bpf_root
	[ "$(way)" = walk ] || skip "the kernel has no open-coded task iterator (6.7+)"
	start_fixture zombie 2
	run in_private_bpffs '
		"$PMON" bpf install >/dev/null
		PMON_BPF_DEBUG=1 "$PMON" tree '"$FIXTURE_PID"' 2>&1 >"'"$BATS_TEST_TMPDIR"'/walk.tree"
		PMON_BPF_PASS=iterator PMON_BPF_DEBUG=1 "$PMON" tree '"$FIXTURE_PID"' \
			2>&1 >"'"$BATS_TEST_TMPDIR"'/told.tree"
		# as if a reader stopped while it holds the ring (the lock is on
		# the directory): this shell holds it
		exec 9</sys/fs/bpf/pmon
		flock -x 9
		PMON_BPF_DEBUG=1 "$PMON" tree '"$FIXTURE_PID"' 2>&1 >"'"$BATS_TEST_TMPDIR"'/held.tree"
		flock -u 9
		exec 9<&-
		PMON_BPF_DEBUG=1 "$PMON" tree '"$FIXTURE_PID"' 2>&1 >/dev/null
		# pids of another namespace: the walk refuses, the iterator reads
		unshare --pid --fork --mount-proc env PMON_BPF_DEBUG=1 "$PMON" --backend bpf tree 2>&1
	'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pmon: backend: bpf, pinned walk" ]
	[ "${lines[1]}" = "pmon: backend: bpf, pinned iterator" ]
	[ "${lines[2]}" = "pmon: backend: bpf, pinned iterator" ]
	[ "${lines[3]}" = "pmon: backend: bpf, pinned walk" ]
	[ "${lines[4]}" = "pmon: backend: bpf, pinned iterator" ]
	# in the new namespace: itself (PID 1, the env exec'd into pmon)
	[[ "${lines[5]}" =~ ^\ +PID\ STAT\ COMMAND$ ]]
	[[ "${lines[6]}" =~ ^\ +1\ R\ +pmon$ ]]
	[ "${#lines[@]}" -eq 7 ]
	# Every way draws the same tree: the fixture and its zombies.
	diff "$BATS_TEST_TMPDIR/walk.tree" "$BATS_TEST_TMPDIR/told.tree"
	diff "$BATS_TEST_TMPDIR/walk.tree" "$BATS_TEST_TMPDIR/held.tree"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/walk.tree")" -eq 4 ]
}

@test "a pin of an older pmon's format is replaced; a newer one's is left alone" {
	need_bpf_root
	[ -s "$V0" ] && [ -s "$V999" ] || skip "no test objects (make tests)"
	command -v bpftool >/dev/null || skip "no bpftool"
	run in_private_bpffs '
		mkdir -m 700 /sys/fs/bpf/pmon
		bpftool iter pin '"$V0"' '"$PIN"'
		"$PMON" bpf status | grep "^pin:"
		PMON_BPF_DEBUG=1 "$PMON" ps 2>&1 >/dev/null
		"$PMON" bpf status | grep "^pin:"
		# a newer pmon that pinned an iterator only
		rm -f '"$PIN $WALK $RING"'
		bpftool iter pin '"$V999"' '"$PIN"'
		PMON_BPF_DEBUG=1 "$PMON" ps 2>&1 >/dev/null
		"$PMON" bpf status | grep "^pin:"
		PMON_BPF_DEBUG=1 "$PMON" --backend bpf ps -p $$ 2>&1 >/dev/null
	'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"; format 0, this pmon's is "*" (replaced on the next privileged run)" ]]
	[ "${lines[1]}" = "pmon: backend: replaced a pin of another format" ]
	[ "${lines[2]}" = "pmon: backend: bpf, pinned $(way)" ]
	[[ "${lines[3]}" == *"; current (format "* ]]
	# The newer pin is not read (auto: /proc) and not replaced.
	[[ "${lines[4]}" == *"; format 999, this pmon's is "*" (left to the newer pmon)" ]]
	# Forced, pmon loads its own program rather than touch it.
	[ "${lines[5]}" = "pmon: backend: bpf, loaded by pmon" ]
	[ "${#lines[@]}" -eq 6 ]
}

@test "a walk of an older pmon's format is replaced, and the new pins are read in turns" {
	need_bpf_root
	[ "$(way)" = walk ] || skip "the kernel has no open-coded task iterator (6.7+)"
	[ -s "$V0" ] || skip "no test objects (make tests)"
	command -v bpftool >/dev/null || skip "no bpftool"
	run in_private_bpffs '
		mkdir -m 700 /sys/fs/bpf/pmon /sys/fs/bpf/v0 /sys/fs/bpf/v0maps
		bpftool prog loadall '"$V0"' /sys/fs/bpf/v0 pinmaps /sys/fs/bpf/v0maps
		mv /sys/fs/bpf/v0/pmon_walk '"$WALK"'
		mv /sys/fs/bpf/v0maps/walk_ring '"$RING"'
		bpftool iter pin '"$V0"' '"$PIN"'
		PMON_BPF_DEBUG=1 "$PMON" ps 2>&1 >/dev/null
		PMON_BPF_DEBUG=1 "$PMON" ps 2>&1 >/dev/null
		"$PMON" bpf status | grep -E "^(pin|walk):"
	'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pmon: backend: replaced a pin of another format" ]
	[ "${lines[1]}" = "pmon: backend: bpf, pinned walk" ]
	[ "${lines[2]}" = "pmon: backend: bpf, pinned walk" ]
	[[ "${lines[3]}" == *"; current (format "*", read by the walk): "* ]]
	[ "${lines[4]}" = "walk:       $WALK: pinned with its ring" ]
	[ "${#lines[@]}" -eq 5 ]
}

@test "a walk beside the ring of another install is not used, and status says so; install waits for the readers' lock" {
	need_bpf_root
	[ "$(way)" = walk ] || skip "the kernel has no open-coded task iterator (6.7+)"
	run in_private_bpffs '
		"$PMON" bpf install >/dev/null
		mv '"$RING"' /sys/fs/bpf/old_ring
		"$PMON" bpf install >/dev/null
		mv /sys/fs/bpf/old_ring '"$RING"'
		PMON_BPF_DEBUG=1 "$PMON" ps 2>&1 >/dev/null
		"$PMON" bpf status | grep "^walk:"
		"$PMON" bpf status >/dev/null || echo "status: 1"
		# a reader holding the lock (stopped, say) for longer than a second
		exec 9</sys/fs/bpf/pmon
		flock -x 9
		"$PMON" bpf install 2>&1 && echo "install: 0"
		flock -u 9
		"$PMON" bpf install >/dev/null
		"$PMON" bpf status | grep "^walk:"
	'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pmon: backend: bpf, pinned iterator" ]
	[[ "${lines[1]}" == "walk:       $WALK: not of the install its ring is of "* ]]
	[ "${lines[2]}" = "status: 1" ]
	[[ "${lines[3]}" == "pmon: bpf: the pins' lock (another pmon holds it): "* ]]
	[ "${lines[4]}" = "walk:       $WALK: pinned with its ring" ]
	[ "${#lines[@]}" -eq 5 ]
}

@test "pmon bpf install without a bpffs says how to mount one" {
	need_bpf_root
	run unshare -m --propagation private bash -c '
		umount /sys/fs/bpf 2>/dev/null
		mount -t tmpfs none /sys/fs/bpf
		"$0" bpf install' "$PMON"
	[ "$status" -eq 1 ]
	[ "$output" = "pmon: bpf: no bpf filesystem at /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf)" ]
}

@test "pmon bpf: an unknown action is a usage error" {
	run pmon bpf frobnicate
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "pmon: bpf: unknown action 'frobnicate'"* ]]
	run pmon bpf
	[ "$status" -eq 2 ]
}
