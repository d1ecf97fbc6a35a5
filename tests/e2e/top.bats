#!/usr/bin/env bats
# pmon top: batch frames (text and JSON) and the interactive view inside a
# private tmux server: header counts, sorting, tree, filters, kill, resize
# and the terminal restored on q and on SIGTERM.

load top_helpers


# ---- batch mode ----------------------------------------------------------

@test "top -b: header, titles and the row of a sleeping fixture" {
	start_fixture sleep
	run pmon top -b -n 1 -p "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^pmon\ top\ -\ [0-9:]+\ up\ .*load\ average:\ [0-9.]+,\ [0-9.]+,\ [0-9.]+$ ]]
	[ "${lines[1]}" = "Tasks: 1 total, 0 running, 1 sleeping, 0 disk sleep, 0 stopped, 0 zombie" ]
	[[ "${lines[2]}" =~ ^%Cpu\(s\): ]]
	[[ "${lines[3]}" =~ ^MiB\ Mem\ : ]]
	[[ "${lines[4]}" =~ ^MiB\ Swap: ]]
	# the meters' figures: a line per CPU, then pressure and I/O
	[[ "${lines[5]}" =~ ^%Cpu[0-9]+\ +: ]]
	[ "$(printf '%s\n' "$output" | grep -c '^%Cpu[0-9]')" -eq "$(nproc)" ]
	if [ -r /proc/pressure/cpu ]; then
		printf '%s\n' "$output" | grep -qE '^PSI some: cpu [0-9.]+ [0-9.]+ [0-9.]+'
	fi
	printf '%s\n' "$output" | grep -qE '^IO/s: disk read [0-9.]+[KMG]?, write '
	t=$(title_at)
	[[ "${lines[$t]}" =~ ^\ +PID\ USER\ +STAT\ +%CPU\ +%MEM\ +RSS\ +TIME\ COMMAND$ ]]
	user=$(id -un)
	[[ "${lines[$((t + 1))]}" =~ ^\ *$FIXTURE_PID\ ${user:0:7}[^\ ]*\ +S\ .*\ proc-fixture$ ]]
	# plain text: no escape sequence anywhere
	! printf '%s' "$output" | grep -q $'\033'
}

@test "top -b: Tasks counts a stopped fixture and two zombies" {
	start_fixture stop
	stopped=$FIXTURE_PID
	wait_for_state "$stopped" T
	start_fixture zombie 2
	parent=$FIXTURE_PID
	kids=$(fixture_children | paste -sd,)
	run pmon top -b -n 1 -p "$stopped,$parent,$kids"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "Tasks: 4 total, 0 running, 1 sleeping, 0 disk sleep, 1 stopped, 2 zombie" ]
	[ "$(printf '%s\n' "$output" | grep -c ' <defunct>$')" -eq 2 ]
}

@test "top -b -n 3: three frames" {
	start_fixture sleep
	run pmon top -b -n 3 -d 0.1 -p "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c '^Tasks: 1 total')" -eq 3 ]
}

@test "top -b --json: one valid document per frame with cpu_pct and mem_pct" {
	start_fixture busy
	busy=$FIXTURE_PID
	start_fixture sleep
	run pmon top -b -n 3 -d 0.5 --json -p "$busy,$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	printf '%s\n' "$output" | python3 -c '
import json, sys
busy, sleeper = int(sys.argv[1]), int(sys.argv[2])
busy_seen = 0
for line in sys.stdin:
    doc = json.loads(line)
    t = doc["header"]["tasks"]
    assert t["total"] == 2 and t["zombie"] == 0, t
    assert {"load", "uptime_s", "cpu_pct", "memory"} <= doc["header"].keys()
    procs = {p["pid"]: p for p in doc["processes"]}
    assert set(procs) == {busy, sleeper}, procs
    for p in procs.values():
        for key in ("ppid", "state", "stat", "user", "comm", "cmdline", "rss_kb",
                    "start_time", "elapsed_s", "cpu_pct", "mem_pct", "cpu_time_s"):
            assert key in p, key
    assert procs[sleeper]["cpu_pct"] == 0, procs[sleeper]
    if procs[busy]["cpu_pct"] > 0:
        busy_seen += 1
        # sorted by %CPU, busiest first
        assert doc["processes"][0]["pid"] == busy
# A busy loop gets some CPU in 0.5 s unless the machine is swamped.
assert busy_seen > 0, "the busy fixture never showed any %CPU"
' "$busy" "$FIXTURE_PID"
}

@test "top -b --sort pid and -pid order the rows" {
	start_fixture sleep
	a=$FIXTURE_PID
	start_fixture sleep
	b=$FIXTURE_PID
	run pmon top -b -n 1 --sort pid -p "$a,$b"
	t=$(title_at)
	[[ "${lines[t + 1]}" =~ ^\ *$a\  ]] && [[ "${lines[t + 2]}" =~ ^\ *$b\  ]]
	run pmon top -b -n 1 --sort -pid -p "$a,$b"
	[[ "${lines[t + 1]}" =~ ^\ *$b\  ]] && [[ "${lines[t + 2]}" =~ ^\ *$a\  ]]
}

@test "top -b --tree draws the fixture's tree" {
	start_fixture tree 1 2
	kids=$(awk '$1 == "node" {print $2}' "$FIXTURE_OUT" | paste -sd,)
	run pmon top -b -n 1 --tree --sort pid -p "$FIXTURE_PID,$kids"
	[ "$status" -eq 0 ]
	t=$(title_at)
	[[ "${lines[t + 1]}" =~ ^\ *$FIXTURE_PID\ .*\ proc-fixture$ ]]
	[[ "${lines[t + 2]}" =~ ├─\ proc-fixture$ ]]
	[[ "${lines[t + 3]}" =~ └─\ proc-fixture$ ]]
}

@test "top -b --tree draws a deep row's last 10 levels after how many more there are" {
	start_fixture tree 30 1
	nodes=$(awk '$1 == "node" {print $2}' "$FIXTURE_OUT" | paste -sd,)
	run pmon top -b -n 1 --tree --sort pid -p "$FIXTURE_PID,$nodes"
	[ "$status" -eq 0 ]
	t=$(title_at)
	# depth d is line t + 1 + d
	[[ "${lines[t + 11]}" =~ :[0-9][0-9]\ {28}└─\ proc-fixture$ ]] # 10: all drawn
	[[ "${lines[t + 12]}" =~ \ …1\ {28}└─\ proc-fixture$ ]]
	[[ "${lines[t + 31]}" =~ \ …20\ {28}└─\ proc-fixture$ ]]
}

@test "top -b escapes a hostile name" {
	start_fixture name 'evil\x1b[31mname'
	run pmon top -b -n 1 -p "$FIXTURE_PID"
	[ "$status" -eq 0 ]
	[[ "${lines[$(($(title_at) + 1))]}" == *'evil\e[31mname' ]]
	! printf '%s' "$output" | grep -q $'\033'
}

@test "top: usage errors exit 2, --help exits 0" {
	run pmon top --json
	[ "$status" -eq 2 ]
	[[ "$output" == *"--json needs -b"* ]]
	run pmon top -b --sort bogus
	[ "$status" -eq 2 ]
	[[ "$output" == *"cannot sort by 'bogus'"* ]]
	run pmon top -b -d -1
	[ "$status" -eq 2 ]
	run pmon top --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--iterations"* ]]
}

@test "top without a terminal and without -b says to use -b" {
	run pmon top </dev/null
	[ "$status" -eq 1 ]
	[[ "$output" == *"use -b"* ]]
}

# ---- the interactive view ------------------------------------------------

@test "top (tmux): header counts of fixtures in known states" {
	start_fixture stop
	stopped=$FIXTURE_PID
	wait_for_state "$stopped" T
	start_fixture zombie 1
	parent=$FIXTURE_PID
	kid=$(fixture_children)
	start_fixture sleep
	start_top -d 0.5 -p "$stopped,$parent,$kid,$FIXTURE_PID"
	wait_for_screen '^Tasks: 4 total, 0 running, 2 sleeping, 0 disk sleep, 1 stopped, 1 zombie'
	wait_for_screen "^ *$kid .* fixture-zombie <defunct>"
}

@test "top (tmux): < and > move the sort column" {
	start_fixture name zzz-top
	first=$FIXTURE_PID
	start_fixture name aaa-top
	second=$FIXTURE_PID
	start_top -d 0.5 --sort pid -p "$first,$second"
	wait_for_screen 'sort PID'
	[ "$(screen_pids | paste -sd,)" = "$first,$second" ]
	keys '<' # from PID, the leftmost, round to COMMAND
	wait_for_screen 'sort COMMAND'
	[ "$(screen_pids | paste -sd,)" = "$second,$first" ]
	keys '>'
	wait_for_screen 'sort PID'
	[ "$(screen_pids | paste -sd,)" = "$first,$second" ]
	keys 'R'
	wait_for_screen 'sort PID reversed'
	[ "$(screen_pids | paste -sd,)" = "$second,$first" ]
}

@test "top (tmux): t toggles the tree view" {
	start_fixture tree 1 2
	kids=$(awk '$1 == "node" {print $2}' "$FIXTURE_OUT" | paste -sd,)
	start_top -d 0.5 -p "$FIXTURE_PID,$kids"
	[[ "$(screen)" != *'└─'* ]]
	keys t
	wait_for_screen '└─ proc-fixture'
	wait_for_screen '\[tree\]'
	keys t
	wait_for_screen_not '└─'
}

@test "top (tmux): z shows only zombies, \\ filters by name" {
	start_fixture zombie 1
	parent=$FIXTURE_PID
	kid=$(fixture_children)
	start_fixture name aaa-top
	named=$FIXTURE_PID
	start_top -d 0.5 -p "$parent,$kid,$named"
	wait_for_screen "^ *$named "
	keys z
	wait_for_screen '\[zombies\]'
	[ "$(screen_pids | paste -sd,)" = "$kid" ]
	keys z
	wait_for_screen "^ *$named "
	keys '\' aaa-top Enter
	wait_for_screen '\[filter: aaa-top\]'
	[ "$(screen_pids | paste -sd,)" = "$named" ]
	# the Tasks line still counts the whole selection
	wait_for_screen '^Tasks: 3 total'
}

@test "top (tmux): k sends TERM to the selected process" {
	start_fixture sleep
	victim=$FIXTURE_PID
	start_top -d 0.5 -p "$victim"
	keys k
	wait_for_screen "Send signal to PID $victim \(proc-fixture\) \[TERM\]"
	keys Enter
	# one key confirms, as htop asks
	wait_for_screen "Send TERM to PID $victim \(proc-fixture\)\? \[y/n\]"
	keys y
	wait_for_screen "PID $victim \(proc-fixture\): sent TERM"
	for ((i = 0; i < 100; i++)); do
		[ -e "/proc/$victim" ] || break
		sleep 0.1
	done
	run wait "$victim"
	[ "$status" -eq 143 ] # killed by SIGTERM
}

@test "top (tmux): k names the signal typed, and an unknown one is refused" {
	start_fixture sleep
	victim=$FIXTURE_PID
	start_top -d 0.5 -p "$victim"
	keys k BOGUS Enter
	wait_for_screen "unknown signal 'BOGUS'"
	[ "$(proc_state "$victim")" = S ]
	keys k KILL Enter
	wait_for_screen 'Send KILL to'
	keys Escape # Esc cancels
	wait_for_screen 'no signal sent'
	[ "$(proc_state "$victim")" = S ]
	keys k KILL Enter
	wait_for_screen 'Send KILL to'
	keys n
	wait_for_screen_not 'Send KILL to'
	[ "$(proc_state "$victim")" = S ]
	keys k KILL Enter y
	wait_for_screen "sent KILL"
	run wait "$victim"
	[ "$status" -eq 137 ]
}

@test "top (tmux): k on a root process as an unprivileged user shows the error" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to start a process nobody may signal"
	command -v setpriv >/dev/null || skip "setpriv (util-linux) missing"
	start_fixture sleep
	victim=$FIXTURE_PID
	start_top --as 65534 -d 0.5 -p "$victim"
	keys k Enter y
	wait_for_screen "TERM not sent: permission denied"
	[ "$(proc_state "$victim")" = S ]
}

@test "top (tmux): resizes with the window and degrades below 80x24" {
	start_fixture sleep
	start_top --size 80x24 -d 0.5 --meters text -p "$FIXTURE_PID"
	wait_for_screen '^Tasks: 1 total'
	wait_for_screen "^ *$FIXTURE_PID "
	tmx resize-window -x 60 -y 10
	wait_for_screen_not 'MiB Swap'
	wait_for_screen '^Tasks: 1 total'
	wait_for_screen "^ *$FIXTURE_PID "
	[ "$(screen | awk '{ if (length($0) > m) m = length($0) } END { print m }')" -le 60 ]
	# room for one header line: it is the Tasks line
	tmx resize-window -x 40 -y 6
	wait_for_screen_not '^pmon top - '
	screen | head -n 1 | grep -q '^Tasks: 1 total'
	tmx resize-window -x 120 -y 40
	wait_for_screen 'MiB Swap'
	wait_for_screen "^ *$FIXTURE_PID "
}

@test "top (tmux): q restores the terminal" {
	start_top -d 0.5 -p $$
	[ "$(tmx display -p '#{alternate_on}')" = 1 ]
	keys q
	wait_for_screen shell-after-top
	[ "$(cat "$T/rc")" = rc=0 ]
	[ "$(tmx display -p '#{alternate_on}')" = 0 ]
	cmp "$T/stty.before" "$T/stty.after"
}

@test "top (tmux): SIGTERM restores the terminal and ends pmon by the signal" {
	start_top -d 0.5 -p $$
	top_pid=$(cat "$T/pmon.pid")
	[ "$(cat "/proc/$top_pid/comm")" = pmon ]
	kill -TERM "$top_pid"
	wait_for_screen shell-after-top
	[ "$(cat "$T/rc")" = rc=143 ]
	[ "$(tmx display -p '#{alternate_on}')" = 0 ]
	cmp "$T/stty.before" "$T/stty.after"
}

@test "top (tmux): h shows the keys, any key returns" {
	start_top -d 0.5 -p $$
	keys h
	wait_for_screen 'pmon top - keys'
	keys x
	wait_for_screen 'PID +USER +STAT'
}

@test "top -b: beyond the open-file limit, processes are still read" {
	start_fixture tree 2 10
	pids=$(awk '$1 == "node" {print $2}' "$FIXTURE_OUT" | paste -sd,)
	# 140 descriptors leave room to keep fewer than 80 stat files open,
	# while there are more than 110 processes here: the rest are read by
	# open/read/close on every refresh.
	run fd_limited 140 "$PMON" top -b -n 2 -d 0.1 -p "$FIXTURE_PID,$pids"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c '^Tasks: 111 total, 0 running, 111 sleeping')" -eq 2 ]
}

@test "top (tmux): wide and invalid bytes in a name are shown escaped" {
	start_fixture name 'wide\xe5\xad\x97\xff\x1b]0;x'
	start_top -d 0.5 -p "$FIXTURE_PID"
	wait_for_screen "^ *$FIXTURE_PID .* wide字\\\\xff\\\\e\]0;x\$"
	keys c
	wait_for_screen "^ *$FIXTURE_PID .* wide字\\\\xff\\\\e\]0;x\$"
}

@test "top (tmux): c shows command lines" {
	start_fixture name short-name long-command-line --with args
	start_top -d 0.5 -p "$FIXTURE_PID"
	wait_for_screen "^ *$FIXTURE_PID .* short-name\$"
	keys c
	wait_for_screen "^ *$FIXTURE_PID .* long-command-line --with args\$"
}

@test "top -b: a process that exits leaves the table, a new one enters it" {
	start_fixture sleep
	old=$FIXTURE_PID
	"$PMON" top -b -d 0.2 --json >"$T/frames" 2>&1 3>&- &
	top=$!
	FIXTURE_PIDS+=("$top")
	wait_for_line "$T/frames" '^\{' # the first frame
	kill -KILL "$old"
	wait "$old" 2>/dev/null || true
	start_fixture sleep
	new=$FIXTURE_PID
	# No fixed number of frames (a loaded machine may take seconds to
	# start the new fixture): until a frame shows it, then one frame more,
	# scanned wholly after the old one had gone.
	wait_for_line "$T/frames" "\"pid\":$new," 200
	first=$(grep -n "\"pid\":$new," "$T/frames" | head -1 | cut -d: -f1)
	for ((i = 0; i < 200; i++)); do
		[ "$(wc -l <"$T/frames")" -gt "$first" ] && break
		sleep 0.1
	done
	kill -TERM "$top"
	wait "$top" || true
	python3 -c '
import json, sys
# complete lines only: the frame being written when top was stopped is not
frames = [json.loads(l) for l in open(sys.argv[1]) if l.endswith("\n")]
assert len(frames) >= 3, len(frames)
pids = [{p["pid"] for p in f["processes"]} for f in frames]
old, new = int(sys.argv[2]), int(sys.argv[3])
assert old in pids[0] and new not in pids[0]
assert old not in pids[-1] and new in pids[-1], (old in pids[-1], new in pids[-1])
' "$T/frames" "$old" "$new"
}

@test "top (tmux): r reaps the selected zombie" {
	start_fixture zombie 1 handler
	parent=$FIXTURE_PID
	kid=$(fixture_children)
	start_top -d 0.5 --sort pid -p "$parent,$kid"
	keys Down # the zombie: its pid is above its parent's
	keys r
	wait_for_screen "Reap zombie\(s\) of PID $kid \(fixture-zombie\)\? \[y/n\]"
	# Esc cancels, as n does
	keys Escape
	wait_for_screen 'not reaped'
	[ "$(proc_state "$kid")" = Z ]
	keys r
	wait_for_screen "Reap zombie\(s\) of PID $kid \(fixture-zombie\)\? \[y/n\]"
	keys y
	wait_for_screen 'reap: |no reap support'
	if screen | grep -q 'no reap support'; then
		skip "this build has no reap.h yet"
	fi
	wait_for_screen '^Tasks: 1 total'
	[ ! -e "/proc/$kid" ]
}

@test "top (tmux): r on a parent reaps all its zombies, n reaps nothing" {
	start_fixture zombie 2 default
	parent=$FIXTURE_PID
	kids=$(fixture_children | paste -sd,)
	start_top -d 0.5 --sort pid -p "$parent,$kids"
	wait_for_screen '^Tasks: 3 total.* 2 zombie'
	keys r
	wait_for_screen "Reap zombie\(s\) of PID $parent \(proc-fixture\)\? \[y/n\]"
	keys n
	wait_for_screen 'not reaped'
	wait_for_screen '^Tasks: 3 total'
	keys r y
	wait_for_screen 'reap: .*\(2 in all: all reaped\)'
	wait_for_screen '^Tasks: 1 total.* 0 zombie'
	for kid in ${kids//,/ }; do
		[ ! -e "/proc/$kid" ]
	done
	[ "$(proc_state "$parent")" = S ] # the parent lives on
}

@test "top (tmux): u selects a user, Z pauses, d changes the delay" {
	start_fixture sleep
	start_top -d 0.5 -p "$FIXTURE_PID"
	keys u nobody Enter
	wait_for_screen '^Tasks: 0 total'
	wait_for_screen 'no process matches'
	keys u Enter
	wait_for_screen '^Tasks: 1 total'
	keys Z
	wait_for_screen '^\[paused\]'
	keys Z
	wait_for_screen_not '^\[paused\]'
	keys d 2.5 Enter
	wait_for_screen '2\.5s delay'
	keys d x Enter
	wait_for_screen 'the delay is seconds from 0\.1'
}

@test "top (tmux): End and Home scroll through a long list" {
	start_fixture tree 2 10
	pids=$(awk '$1 == "node" {print $2}' "$FIXTURE_OUT" | sort -n | paste -sd,)
	last=${pids##*,}
	start_top -d 0.5 --sort pid -p "$FIXTURE_PID,$pids"
	wait_for_screen "^ *$FIXTURE_PID "
	! screen | grep -qE "^ *$last " || false
	keys End
	wait_for_screen "^ *$last "
	! screen | grep -qE "^ *$FIXTURE_PID " || false
	keys Home
	wait_for_screen "^ *$FIXTURE_PID "
	keys NPage
	wait_for_screen_not "^ *$FIXTURE_PID "
}
