#!/usr/bin/env bats
# top_console.bats - pmon top as the console operators live in (issue 10),
# each item driven on a real terminal (a private tmux server): the header
# meters, the setup screen and new columns, the folding tree and thread
# rows, search and filter, tagging and acting on many, renice, strace and
# lsof, the detail view, the mouse, settings saved and reloaded, a
# corrupt settings file, narrow and dumb terminals, and batch mode whole.

load top_helpers

# ntree_pids: the fixture's nodes, in pid order, comma-separated.
ntree_pids() { awk '$1 == "node" {print $2}' "$FIXTURE_OUT" | sort -n | paste -sd,; }
# node_pid NAME: the pid of the ntree node named NAME.
node_pid() { awk -v n="$1" '$1 == "node" && $4 == n {print $2}' "$FIXTURE_OUT"; }

# ---- 1. header meters ---------------------------------------------------------

@test "console: meters show a bar per CPU, memory and swap, tasks, load, pressure, I/O and sparklines" {
	start_fixture sleep
	start_top -d 0.5 -p "$FIXTURE_PID"
	for ((c = 0; c < $(nproc) && c < 4; c++)); do
		wait_for_screen "(^| )$c\\[[^]]*%\\]"
	done
	wait_for_screen '^Mem\[.*/[0-9.]+[KMG]\] +Swp\['
	wait_for_screen '^Tasks: 1 total'
	wait_for_screen 'load average: [0-9.]+, [0-9.]+, [0-9.]+'
	if [ -r /proc/pressure/cpu ]; then
		wait_for_screen '^PSI some +cpu [0-9.]+ [0-9.]+ [0-9.]+'
	fi
	wait_for_screen '^Disk read [0-9.]+[KMG]?/s write .* Net rx '
	# the sparklines fill from the right as refreshes come
	wait_for_screen '^CPU .*[▁▂▃▄▅▆▇█] .*MEM .*[▁▂▃▄▅▆▇█]'
	# m: procps top's lines, then none; 1: one bar for all CPUs
	keys m
	wait_for_screen '^MiB Swap:'
	keys m
	wait_for_screen_not '^(MiB Swap|Mem\[)'
	keys m 1
	wait_for_screen '^CPU\[.*%\]'
}

@test "console: a zombie count is in the Tasks line of the bar meters" {
	start_fixture zombie 2
	kids=$(fixture_children | paste -sd,)
	start_top -d 0.5 -p "$FIXTURE_PID,$kids"
	wait_for_screen '^Tasks: 3 total, .* 2 zombie$'
}

# ---- 2. columns -----------------------------------------------------------------

@test "console: the setup screen adds and removes a column" {
	start_fixture sleep
	start_top -d 0.5 -p "$FIXTURE_PID"
	keys S
	wait_for_screen '^Setup - '
	# down to ppid: three choices, pid, then ppid
	keys Down Down Down Down Space
	wait_for_screen '\[x\] +8 ppid'
	keys q
	wait_for_screen 'PID USER .* PPID COMMAND'
	wait_for_screen "^ *$FIXTURE_PID .* $$ proc-fixture"
	keys S Down Down Down Down Space q
	wait_for_screen_not 'PPID'
}

@test "console: I/O rates, container, GPU, TIME+ and the rest from -o, in batch and on screen" {
	start_fixture sleep
	cols=pid,nice,pri,threads,tty,start,time+,vsz_kb,shr_kb,wchan,io_read_rate,io_write_rate,cgroup_path,container,gpu_mem_bytes,gpu_pct,oom_score,ns_pid,comm
	run pmon top -b -n 2 -d 0.3 -o "$cols" -p "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	t=$(title_at)
	[[ "${lines[t]}" =~ NI\ +PRI\ +THR\ TTY\ +START\ +TIME\+\ +VIRT\ +SHR\ WCHAN\ +READ/s\ WRITE/s\ CGPATH\ +CONTAINER\ +GPUMEM\ +%GPU\ +OOM ]]
	row=$(printf '%s\n' "$output" | grep -E "^ *$FIXTURE_PID " | tail -1)
	# our own process: its I/O rate is a number (0 for a sleeper), and
	# the GPU columns are "-" on a machine without /dev/dri
	[[ "$row" =~ \ 0\ +0\ / ]]
	if [ ! -e /dev/dri ]; then
		[[ "$row" =~ \ -\ +-\ +[0-9]+\ +[0-9]+\ proc-fixture$ ]]
	fi
	run pmon top -b -n 2 -d 0.3 --json -o "$cols" -p "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | tail -1 | jq -e '.processes[0] |
		.io_read_rate == 0 and .io_write_rate == 0 and
		(.cgroup_path | type) == "string" and (.time_plus | type) == "number" and
		has("container") and has("gpu_pct")'
}

@test "console: an I/O rate that may not be read is shown as unavailable, never 0" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to run top as another user"
	command -v setpriv >/dev/null || skip "setpriv (util-linux) missing"
	copy_for_others
	start_fixture sleep
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$OTHERS_PMON" top -b -n 2 -d 0.3 --json -o pid,io_read_rate,io_write_rate -p "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | tail -1 | jq -e '.processes[0].io_read_rate == null and .processes[0].io_write_rate == null'
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$OTHERS_PMON" top -b -n 2 -d 0.3 -o pid,io_read_rate,comm -p "$FIXTURE_PID"
	printf '%s\n' "$output" | grep -qE "^ *$FIXTURE_PID +- proc-fixture$"
}

# ---- 3. tree that folds, threads --------------------------------------------------

@test "console: - folds a node (showing what it hides), the fold survives refreshes and re-sorting, + unfolds, * folds all" {
	start_fixture ntree 2 2 fold
	start_top -d 0.3 --tree --sort pid -p "$FIXTURE_PID,$(ntree_pids)"
	wait_for_screen '└─ fold1$'
	keys Down # fold0, the first child
	keys -- -
	wait_for_screen '├─ \[\+2\] fold0$'
	screen | grep -qE '└─ fold1$'
	[ "$(screen | grep -c 'fold0[01]')" -eq 0 ]
	keys R # another order
	wait_for_screen 'sort PID reversed'
	wait_for_screen '└─ \[\+2\] fold0$'
	wait_for_refreshes 2 # still folded after a few refreshes
	screen | grep -qE '\[\+2\] fold0$'
	keys +
	wait_for_screen 'fold00$'
	keys '*'
	wait_for_screen '\[\+6\] fold$'
	[ "$(screen | grep -c 'fold[01]')" -eq 0 ]
	keys '*'
	wait_for_screen 'fold11$'
}

@test "console: H shows each thread as its own row" {
	start_fixture threads 4
	start_top -d 0.3 -p "$FIXTURE_PID"
	[ "$(screen | grep -c 'proc-fixture$')" -eq 1 ]
	keys H
	wait_for_screen '\[threads\]'
	for ((i = 0; i < 50; i++)); do
		[ "$(screen | grep -c 'proc-fixture$')" -eq 4 ] && break
		sleep 0.1
	done
	[ "$(screen | grep -c 'proc-fixture$')" -eq 4 ]
	# the thread ids are the kernel's
	for tid in $(ls "/proc/$FIXTURE_PID/task"); do
		screen | grep -qE "^ *$tid "
	done
	# a signal from a thread's row goes to its process
	tmx kill-server
	start_top -d 0.3 --sort pid -H -p "$FIXTURE_PID"
	keys Home Down k
	wait_for_screen "^Send signal to PID $FIXTURE_PID \\(proc-fixture\\)"
	keys C-u CONT Enter
	wait_for_screen "^Send CONT to PID $FIXTURE_PID \\(proc-fixture\\)\\? \\[y/n\\]"
	keys y
	wait_for_screen "PID $FIXTURE_PID \\(proc-fixture\\): sent CONT"
}

# ---- 4. search and filter -----------------------------------------------------------

@test "console: / searches as you type and moves the selection; n goes on" {
	start_fixture name aaa-first
	a=$FIXTURE_PID
	start_fixture name bbb-target
	b=$FIXTURE_PID
	start_fixture name ccc-target
	c=$FIXTURE_PID
	start_top -d 0.5 --sort pid -p "$a,$b,$c"
	keys / tar
	wait_for_screen '^Search .*: tar'
	keys Enter Enter # keep it; then the details of what it selected
	wait_for_screen "^PID $b "
	keys q n Enter
	wait_for_screen "^PID $c "
	keys q n Enter # wraps to the first match
	wait_for_screen "^PID $b "
	keys q / zzz-none Enter n
	wait_for_screen "no row matches 'zzz-none'"
}

@test "console: / and \\ take UTF-8, as names may be" {
	start_fixture name aaa-first
	a=$FIXTURE_PID
	start_fixture name 日本語-b
	b=$FIXTURE_PID
	start_top -d 0.5 --sort pid -p "$a,$b"
	keys /
	keys -l 日本
	wait_for_screen '^Search .*: 日本'
	keys Enter Enter
	wait_for_screen "^PID $b "
	keys q '\'
	keys -l '^日本'
	keys Enter
	wait_for_screen_not "^ *$a "
	screen | grep -qE "^ *$b "
}

@test "console: / finds a command line of a row that has not been on the screen" {
	start_fixture tree 1 30
	kids=$(awk '$1 == "node" {print $2}' "$FIXTURE_OUT" | paste -sd,)
	# comm "far-below", command line "zqxsearchme": only the line has it
	start_fixture name far-below zqxsearchme
	target=$FIXTURE_PID
	start_top --size 120x16 -d 0.5 --sort pid -p "$kids,$target"
	run ! grep -q "^ *$target " <<<"$(screen)"
	keys / zqxsearchme Enter Enter
	wait_for_screen "^PID $target "
}

@test "console: \\ filters by regex, with ! to negate, by user and by state" {
	start_fixture name keep-me
	keep=$FIXTURE_PID
	start_fixture name drop-me
	drop=$FIXTURE_PID
	start_fixture zombie 1
	parent=$FIXTURE_PID
	kid=$(fixture_children)
	start_top -d 0.5 --sort pid -p "$keep,$drop,$parent,$kid"
	keys '\' '!DROP' Enter
	wait_for_screen '\[filter: !DROP\]'
	[ "$(screen_pids | paste -sd,)" = "$keep,$parent,$kid" ]
	keys '\' C-u
	# the filter is edited: clear it and write another
	for ((i = 0; i < 8; i++)); do keys BSpace; done
	keys 'state:Z' Enter
	wait_for_screen '\[filter: state:Z\]'
	[ "$(screen_pids | paste -sd,)" = "$kid" ]
	keys '\'
	for ((i = 0; i < 8; i++)); do keys BSpace; done
	keys 'cmd:^build.*zombie user:root' Enter
	if [ "$(id -u)" -eq 0 ]; then
		wait_for_screen '\[filter: cmd:'
	fi
	keys '\'
	for ((i = 0; i < 40; i++)); do keys BSpace; done
	keys '(' Enter
	wait_for_screen "filter not changed: bad pattern"
}

# ---- 5. acting on many -----------------------------------------------------------------

@test "console: results that do not fit end with how many more there are" {
	start_fixture ntree 2 2 victim
	all=$(ntree_pids)
	start_top --size 120x16 -d 0.3 --sort pid -p "$FIXTURE_PID,$all"
	keys Home V
	wait_for_screen '^7 tagged \(7 new\)'
	keys k CONT Enter y
	wait_for_screen '^Results'
	screen
	shown=$(screen | grep -c 'sent CONT')
	[ "$shown" -lt 7 ]
	screen | grep -qx "\.\.\. and $((7 - shown)) more"
}

@test "console: V tags a fixture's subtree and k kills every member, a result each" {
	start_fixture ntree 2 2 victim
	all=$(ntree_pids)
	root=$FIXTURE_PID
	start_fixture sleep
	bystander=$FIXTURE_PID
	start_top -d 0.3 --sort pid -p "$root,$all,$bystander"
	wait_for_screen "^ *$bystander "
	keys Home V
	wait_for_screen '^7 tagged \(7 new\)'
	screen | grep -qE "^\\* *$root "
	keys k KILL Enter
	wait_for_screen 'Send KILL to 7 tagged processes\? \[y/n\]'
	keys y
	wait_for_screen '^Results'
	# the heading and the lines below it hold nothing of the rows under
	screen | grep -qx 'Results (any key returns):'
	[ -z "$(screen | sed -n '/^Results/,$p' | grep -v 'sent KILL\|^Results' | tr -d ' ')" ]
	for pid in $root ${all//,/ }; do
		screen | grep -qE "PID $pid \\(victim[0-9]*\\): sent KILL"
	done
	keys x
	wait_for_screen_not "^ *$root "
	# nothing of the subtree is left alive (zombies until reaped at most)
	for pid in ${all//,/ }; do
		state=$(proc_state "$pid" 2>/dev/null || echo gone)
		[ "$state" = gone ] || [ "$state" = Z ]
	done
	[ "$(proc_state "$bystander")" = S ]
}

@test "console: space tags one by one, A tags what the filter keeps, U untags" {
	start_fixture name tag-a
	a=$FIXTURE_PID
	start_fixture name tag-b
	b=$FIXTURE_PID
	start_fixture name other
	c=$FIXTURE_PID
	start_top -d 0.5 --sort pid -p "$a,$b,$c"
	keys Home Space
	wait_for_screen '\[1 tagged\]'
	screen | grep -qE "^\\* *$a "
	keys U
	wait_for_screen_not 'tagged\]'
	keys '\' '^tag-' Enter A
	wait_for_screen '^2 tagged$'
	keys k Enter
	wait_for_screen 'Send TERM to 2 tagged processes'
	keys Escape
	wait_for_screen 'no signal sent'
	[ "$(proc_state "$a")" = S ] && [ "$(proc_state "$b")" = S ]
}

@test "console: an escape sequence ncurses does not know, or Alt with a key, acts as no key" {
	start_fixture sleep
	start_top -d 0.5 -p "$FIXTURE_PID"
	# each of these once reniced the row with its '[' or ']', or ran
	# lsof with the l of a pasted "hello"
	keys -l $'\e[99~'
	keys -l $'\e[<0;10;5M'
	keys M-[ M-]
	keys -l $'\e[200~hello\e[201~'
	keys -l $'\eOz'
	# a key after them has been read: so have they (was: sleep 1)
	keys R
	wait_for_screen 'sort %CPU reversed'
	screen
	[ "$(ps -o ni= -p "$FIXTURE_PID" | tr -d ' ')" = 0 ]
	run ! grep -q 'lsof\|nice' <<<"$(screen)"
}

@test "console: [ and ] renice both ways; lowering without privilege names why" {
	start_fixture sleep
	victim=$FIXTURE_PID
	start_top -d 0.5 -p "$victim"
	keys '['
	wait_for_screen "PID $victim \\(proc-fixture\\): nice 0 -> 1"
	[ "$(ps -o ni= -p "$victim" | tr -d ' ')" = 1 ]
	keys ']'
	wait_for_screen "nice 1 -> 0"
	[ "$(ps -o ni= -p "$victim" | tr -d ' ')" = 0 ]
	# every thread of a process, not only its main one
	tmx kill-server
	start_fixture threads 3
	start_top -d 0.5 -p "$FIXTURE_PID"
	keys '['
	wait_for_screen "PID $FIXTURE_PID \\(proc-fixture\\): nice 0 -> 1 \\(3 of 3 threads\\)"
	[ "$(ps -L -o ni= -p "$FIXTURE_PID" | sort -u | tr -d ' ')" = 1 ]
	if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
		tmx kill-server
		copy_for_others
		setpriv --reuid=65534 --regid=65534 --clear-groups "$OTHERS_FIXTURE" sleep \
			>"$T/nobody.out" 2>&1 3>&- &
		FIXTURE_PIDS+=("$!")
		mine=$!
		wait_for_line "$T/nobody.out" '^ready$'
		start_top --as 65534 -d 0.5 -p "$mine"
		keys ']'
		wait_for_screen "nice 0 -> -1 refused: permission denied: a lower nice needs CAP_SYS_NICE"
		[ "$(ps -o ni= -p "$mine" | tr -d ' ')" = 0 ]
	fi
}

@test "console: s attaches strace, l lists open files, and a missing tool is named" {
	command -v strace >/dev/null || skip "strace missing"
	command -v lsof >/dev/null || skip "lsof missing"
	start_fixture sleep
	start_top -d 0.5 -p "$FIXTURE_PID"
	keys l
	wait_for_screen "^COMMAND +PID .*NAME"
	wait_for_screen 'lsof ended; press Enter'
	keys Enter
	wait_for_screen 'back from lsof'
	keys s
	wait_for_screen "Process $FIXTURE_PID attached"
	keys C-c
	wait_for_screen 'strace ended; press Enter'
	keys Enter
	wait_for_screen 'back from strace'
	# pmon itself was not ended by the ^C
	[ -e "/proc/$(cat "$T/pmon.pid")" ]
	[ "$(proc_state "$FIXTURE_PID")" = S ]
	tmx kill-server
	mkdir "$T/empty"
	start_top --env PATH="$T/empty" -d 0.5 -p "$FIXTURE_PID"
	keys s
	wait_for_screen 'strace is not installed \(in Debian: apt-get install strace\)'
}

@test "console: a terminal that goes away while strace runs ends pmon, as a hangup does" {
	command -v strace >/dev/null || skip "strace missing"
	start_fixture sleep
	start_top -d 0.5 -p "$FIXTURE_PID"
	top=$(cat "$T/pmon.pid")
	keys s
	wait_for_screen "Process $FIXTURE_PID attached"
	tmx kill-server
	for ((i = 0; i < 50; i++)); do
		[ -e "/proc/$top" ] || break
		sleep 0.1
	done
	if [ -e "/proc/$top" ]; then
		# (it once spun here for ever, on the dead terminal)
		echo "pmon top $top still runs, in state $(proc_state "$top")"
		plain_pid "$top" && kill -KILL "$top"
		false
	fi
}

@test "console: Enter shows the details of the selected process" {
	# more environment than the screen has lines, whatever the caller's
	for i in $(seq 120); do export "PMON_TEST_PAD_$i=x"; done
	DETAIL_MARK='here and there' start_fixture name detail-me one two
	start_top --size 120x100 -d 0.3 -p "$FIXTURE_PID"
	keys Enter
	wait_for_screen "^PID $FIXTURE_PID +state S"
	# pmon inspect's text, from its model: the state in words, the
	# family, the call it waits in decoded, and the rest
	wait_for_screen '^    command line +one two$'
	wait_for_screen '^    S +sleeping, interruptible: waiting for an event$'
	wait_for_screen "^    parent +$$ "
	wait_for_screen "^    ancestors +$$ .* ← "
	wait_for_screen '^    system call +pause\(\)$'
	wait_for_screen '^    waiting for +any signal$'
	wait_for_screen '^    kernel '
	# the sparklines fill as refreshes come
	wait_for_screen '^CPU +.*▁'
	screen | grep -qE '^    namespaces +the same as '
	screen | grep -qE '^    descriptors +[0-9]+ open'
	screen | grep -qE '^    kill +`pmon kill '"$FIXTURE_PID"'` sends TERM'
	# the environment last, an entry a line (spaces and all); PgDn
	# scrolls the head off the screen
	wait_for_screen '^    DETAIL_MARK=here and there$'
	keys NPage
	wait_for_screen '^    DETAIL_MARK=here and there$'
	run ! grep -qE "^PID $FIXTURE_PID " <<<"$(screen)"
	# End shows the last line at the bottom; Down goes no further
	keys End
	wait_for_screen "^    PMON_TEST_PAD_[0-9]+=x$"
	at_end=$(screen)
	for i in $(seq 20); do keys Down; done
	# (no fixed wait for the Downs to be read: a key after them shows it)
	# one Up moves the page back a line only if the Downs went no further
	keys Up
	for ((i = 0; i < 100; i++)); do
		[ "$(screen | tail -n 1)" = "$(printf '%s\n' "$at_end" | tail -n 2 | head -n 1)" ] && break
		sleep 0.1
	done
	[ "$(screen | tail -n 1)" = "$(printf '%s\n' "$at_end" | tail -n 2 | head -n 1)" ]
	keys Down
	for ((i = 0; i < 100; i++)); do
		[ "$(screen | tail -n 3)" = "$(printf '%s\n' "$at_end" | tail -n 3)" ] && break
		sleep 0.1
	done
	[ "$(screen | tail -n 3)" = "$(printf '%s\n' "$at_end" | tail -n 3)" ]
	[ -n "$(screen | tail -n 1)" ]
	keys Home
	wait_for_screen "^PID $FIXTURE_PID "
	keys q
	wait_for_screen 'PID USER'
}

@test "console: the details decode the call a process waits in, as pmon inspect does" {
	FIXTURE=$BUILD_DIR/fixtures/inspect-fixture start_fixture block read
	fd=$(awk '$1 == "fd" {print $2; exit}' "$FIXTURE_OUT")
	# the fixture says "ready" just before it calls read()
	for ((i = 0; i < 50; i++)); do
		grep -q '^0 ' "/proc/$FIXTURE_PID/syscall" && break
		sleep 0.1
	done
	target=$(readlink "/proc/$FIXTURE_PID/fd/$fd")
	start_top -d 0.3 -p "$FIXTURE_PID"
	keys Enter
	wait_for_screen "^PID $FIXTURE_PID "
	want=$(pmon inspect --no-sample "$FIXTURE_PID" | sed -n 's/^    system call  *//p')
	[ "$want" = "read($fd → $target, 4096)" ]
	screen | grep -qF "    system call     $want"
	screen | grep -qF "    waiting for     data to read from $target"
}

# ---- 6. the mouse -----------------------------------------------------------------

@test "console: a click selects a row, a click on a title sorts, the wheel scrolls" {
	start_fixture sleep
	a=$FIXTURE_PID
	start_fixture sleep
	b=$FIXTURE_PID
	start_top -d 0.5 --sort pid -p "$a,$b"
	wait_for_screen "^ *$b "
	click 3 "$(line_of "^ *$b ")"
	keys Enter
	wait_for_screen "^PID $b "
	keys q
	wait_for_screen 'PID USER'
	# a click on PID's title: sorted by it; again: reversed
	keys M
	wait_for_screen 'sort %MEM'
	click 4 "$(line_of 'PID USER')"
	wait_for_screen 'sort PID,'
	click 4 "$(line_of 'PID USER')"
	wait_for_screen 'sort PID reversed'
	[ "$(screen_pids | paste -sd,)" = "$b,$a" ]
	# the wheel moves the selection down
	keys Home
	click 3 "$(line_of "^ *$b ")" 65
	keys Enter
	wait_for_screen "^PID $a "
}

# ---- 7. settings --------------------------------------------------------------------

@test "console: W saves the settings (mode 0600) and the next start uses them" {
	start_fixture sleep
	start_top -d 0.5 -p "$FIXTURE_PID"
	keys t m d 0.7 Enter
	wait_for_screen '0\.7s delay'
	keys S Down Down Down Down Space q W
	wait_for_screen "settings written to $XDG_CONFIG_HOME/pmon/top.conf"
	conf=$XDG_CONFIG_HOME/pmon/top.conf
	[ "$(stat -c %a "$conf")" = 600 ]
	grep -qx 'tree = yes' "$conf"
	grep -qx 'meters = text' "$conf"
	grep -qx 'delay = 0.7' "$conf"
	grep -qx 'columns = pid,user,stat,cpu_pct,mem_pct,rss_kb,cpu_time_s,ppid,comm' "$conf"
	keys q
	wait_for_screen shell-after-top
	tmx kill-server
	start_top -p "$FIXTURE_PID"
	wait_for_screen '^MiB Swap:'
	wait_for_screen '\[tree\] sort %CPU, 0\.7s delay'
	screen | grep -q 'PPID COMMAND'
	# batch mode reads it too; options win over it
	run pmon top -b -n 1 -p "$FIXTURE_PID"
	printf '%s\n' "$output" | grep -q 'PPID COMMAND'
	run pmon top -b -n 1 -o pid,comm -p "$FIXTURE_PID"
	printf '%s\n' "$output" | grep -qE '^ +PID COMMAND$'
}

@test "console: W writes a long column list on lines libinih reads whole, and it reads back" {
	cols=pid,ppid,user,stat,nice,pri,threads,tty,pgrp,session,tpgid,rss_kb,vsz_kb,shr_kb,cpu_pct,mem_pct,cpu_time_s,start_time,started,elapsed_s,oom_score,wchan,comm
	start_fixture sleep
	start_top --size 400x40 -d 0.5 -o "$cols" -p "$FIXTURE_PID"
	keys W
	wait_for_screen "settings written to $XDG_CONFIG_HOME/pmon/top.conf"
	conf=$XDG_CONFIG_HOME/pmon/top.conf
	cat "$conf"
	[ "$(awk 'length > 150' "$conf" | wc -l)" -eq 0 ]
	[ "$(grep -c '^columns = ' "$conf")" -gt 1 ]
	# the next start reads every column back, in order, with no warning
	run pmon top -b -n 1 -p "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[[ "$output" != *top.conf* ]]
	[ "$(echo "${lines[$(title_at)]}" | tr -s ' ')" = " PID PPID USER STAT NI PRI THR TTY PGRP SID TPGID RSS VIRT SHR %CPU %MEM TIME START_S STARTED ELAPSED OOM WCHAN COMMAND" ]
}

@test "console: a corrupt settings file gives one warning and the defaults; top still starts" {
	mkdir -p "$XDG_CONFIG_HOME/pmon"
	printf '[top]\ndelay = soon\ncolumns = pid,nosuchfield\nbogus = 1\n\001\002\n' \
		>"$XDG_CONFIG_HOME/pmon/top.conf"
	start_fixture sleep
	start_top -p "$FIXTURE_PID"
	wait_for_screen "top.conf: bad delay 'soon' \\(the default is kept\\), and 3 more problems"
	keys x
	wait_for_screen 'sort %CPU, 3\.0s delay'
	run pmon top -b -n 1 -p "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c 'warning\|top.conf')" -eq 1 ]
	printf '%s\n' "$output" | grep -qE "^ *$FIXTURE_PID "
	# the file's names reach the terminal escaped
	printf '[top]\n\033]0;T\007\033[2Jevil = 1\n' >"$XDG_CONFIG_HOME/pmon/top.conf"
	run pmon top -b -n 1 -p "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"unknown setting '\\e]0;T\\a\\e[2Jevil' (ignored)"* ]]
	[[ "$output" != *$'\033'* ]]
}

@test "console: columns the settings file names but top refuses are named with why, escaped once" {
	mkdir -p "$XDG_CONFIG_HOME/pmon"
	conf=$XDG_CONFIG_HOME/pmon/top.conf
	# an unknown key, with a terminal sequence and a UTF-8 letter in it
	printf '[top]\ncolumns = pid,\033[2Jno\303\251such,comm\n' >"$conf"
	start_fixture sleep
	start_top --size 200x40 -p "$FIXTURE_PID"
	wait_for_screen "^top\\.conf: unknown field '\\\\e\\[2Jnoésuch' in the columns setting \\(pmon ps -o help lists them\\); that line is ignored$"
	# the default columns stay
	screen | grep -qE '^ +PID USER .* COMMAND'
	run pmon top -b -n 1 -p "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"top.conf: unknown field '\\e[2Jno\\xc3\\xa9such' in the columns setting (pmon ps -o help lists them); that line is ignored"* ]]
	[[ "$output" != *$'\033'* ]]
	# too many: the line that goes past 64 is the one refused, the
	# lines before it and after it count
	twenty=$(printf 'pid,%.0s' $(seq 19))pid
	printf '[top]\ncolumns = %s\ncolumns = %s\ncolumns = %s\ncolumns = %s\ncolumns = comm\n' \
		"$twenty" "$twenty" "$twenty" "$twenty" >"$conf"
	tmx kill-server
	start_top --size 200x40 --no-wait -p "$FIXTURE_PID"
	wait_for_screen '^top\.conf: more than 64 columns in the columns setting; that line is ignored$'
	run pmon top -b -n 1 -p "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[ "$(echo "${lines[$(title_at)]}" | wc -w)" -eq 61 ]
}

@test "console: W refuses a settings file that is a symlink someone else planted" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to plant a link as another user"
	mkdir -p "$XDG_CONFIG_HOME/pmon"
	ln -s "$T/victim" "$XDG_CONFIG_HOME/pmon/top.conf"
	chown -h 65534:65534 "$XDG_CONFIG_HOME/pmon/top.conf"
	start_top -p $$
	keys W
	wait_for_screen 'settings not written: .*symlink someone else made'
	[ ! -e "$T/victim" ]
}

# ---- 8. help ------------------------------------------------------------------------

@test "console: h lists every key in two columns, from the table that dispatches them" {
	start_top --size 140x40 -d 0.5 -p $$
	keys h
	wait_for_screen 'pmon top - keys'
	# two columns: a key of the first half and one of the second on a line
	screen | grep -qE '^q +quit +.*[a-zA-Z/\\] .*'
	for k in 'Enter' '/ F3' '\\ F4' 'Space' 'V ' 'k F9' '\] F7' '\[ F8' 's ' 'l ' 'S F2' 'W ' 'H ' '- ' '\+ ' '\* '; do
		screen | grep -qE "(^| )$k" || { echo "help lacks $k"; false; }
	done
	# --keys prints the same table: every line of it is on the help screen
	run pmon top --keys
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -gt 40 ]
	for line in "${lines[@]}"; do
		screen | grep -qF -- "${line:0:50}" || { echo "not on the help screen: $line"; false; }
	done
}

# help_entries WIDTH: the entries of the help screen on stdin (its two
# columns of WIDTH/2 each, the left one first), a help wrapped under its
# label joined to it again: one entry a line, as --keys prints them.
help_entries() {
	awk -v half=$(($1 / 2)) '
		NR > 1 { left[NR] = substr($0, 1, half); right[NR] = substr($0, half + 1) }
		function take(seg) {
			sub(/ +$/, "", seg)
			if (seg ~ /^        [^ ]/ && prev != "") { sub(/^ +/, "", seg); prev = prev " " seg }
			else if (seg != "") { if (prev != "") print prev; prev = seg }
		}
		END {
			for (i = 2; i <= NR; i++) take(left[i])
			for (i = 2; i <= NR; i++) take(right[i])
			if (prev != "") print prev
		}'
}

@test "console: at 80x24 the help is two columns of whole entries, in pages: Space on, PgUp back, another key returns" {
	start_top --size 80x24 -d 0.5 -p $$
	run pmon top --keys
	keys=("${lines[@]}")
	[ "${#keys[@]}" -gt 46 ] # more than two columns of 23 lines
	keys h
	wait_for_screen '^pmon top - keys, page 1 of [0-9]+ '
	pages=$(screen | sed -nE '1s/.*page 1 of ([0-9]+) .*/\1/p')
	# two columns: an entry of each on the first line
	screen | sed -n 2p | grep -qE '^q +quit +[^ ].* {2,}[^ ]'
	seen=$(screen | help_entries 80)
	for ((p = 2; p <= pages; p++)); do
		keys Space
		wait_for_screen "^pmon top - keys, page $p of $pages "
		seen+=$'\n'$(screen | help_entries 80)
	done
	# every entry whole, once, in the table's order (none cut to a column)
	[ "$seen" = "$(printf '%s\n' "${keys[@]}")" ]
	# at the last page Down stays there (paging with the arrows does not
	# fall out of the help); PgUp goes back
	keys Down PPage
	wait_for_screen "^pmon top - keys, page $((pages - 1)) of $pages "
	keys x
	wait_for_screen 'PID +USER +STAT'
}

# ---- 10. narrow and dumb terminals --------------------------------------------------

@test "console: on a narrow terminal columns shrink and hide so COMMAND stays readable" {
	start_fixture name long-name-here
	start_top --size 50x20 -d 0.5 -p "$FIXTURE_PID"
	wait_for_screen "^ *$FIXTURE_PID .* long-name-here$"
	# display columns (the sparklines' blocks are 3 bytes each)
	[ "$(screen | wc -L)" -le 50 ]
	screen | grep -qE '^ +PID .*%CPU .*COMMAND$'
	tmx resize-window -x 30 -y 20
	wait_for_screen "^ *$FIXTURE_PID .* long-name-here$"
}

@test "console: TERM=dumb is refused with a pointer to -b" {
	start_top --no-wait --term dumb -p $$
	wait_for_screen shell-after-top
	screen | grep -q "the terminal 'dumb' cannot place the cursor.*use -b for batch mode"
	[ "$(cat "$T/rc")" = rc=1 ]
}

# ---- 9. batch mode whole -------------------------------------------------------------

@test "console: --json has the meters' figures, --filter and -H work in batch" {
	start_fixture threads 3
	thr=$FIXTURE_PID
	start_fixture name filtered-out
	run pmon top -b -n 1 --json -p "$thr,$FIXTURE_PID"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | jq -e --argjson n "$(nproc)" '.header |
		(.cpus | length) == $n and (.cpus[0] | has("user") and has("idle")) and
		has("disk") and has("net")'
	if [ -r /proc/pressure/cpu ]; then
		printf '%s\n' "$output" | jq -e '.header.pressure.cpu.some.avg10 >= 0'
	fi
	run pmon top -b -n 1 --json --filter '!filtered' -H -o pid,tgid,comm -p "$thr,$FIXTURE_PID"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | jq -e --argjson p "$thr" '[.processes[] | select(.tgid == $p)] | length == 3'
	printf '%s\n' "$output" | jq -e '[.processes[] | select(.comm == "filtered-out")] | length == 0'
	run pmon top -b -n 1 --filter 'cmd:('
	[ "$status" -eq 2 ]
	[[ "$output" == *"--filter: bad pattern"* ]]
}
