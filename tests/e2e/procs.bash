# procs.bash - process helpers in plain bash (no bats): what a test or a
# benchmark needs to read a process's state from /proc, wait for it, and
# check that a pid is one it may signal.  Sourced by helpers.bash and by
# bench/bench-reap.sh.

# stat_fields PID: /proc/PID/stat after "(comm) " (a comm may hold
# spaces and parentheses): state, ppid, ... (test-side truth).
stat_fields() {
	local line
	line=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	echo "${line##*) }"
}

# proc_state PID: the state letter the kernel reports.
proc_state() {
	local f
	f=$(stat_fields "$1") || return 1
	echo "${f%% *}"
}

# proc_ppid PID: its parent's pid.
proc_ppid() {
	local f
	f=$(stat_fields "$1") || return 1
	f=${f#* }
	echo "${f%% *}"
}

# wait_for_line FILE REGEX [TENTHS]: until a line of FILE matches.
wait_for_line() {
	local i
	for ((i = 0; i < ${3:-100}; i++)); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# wait_for_state PID LETTER [TENTHS]
wait_for_state() {
	local i
	for ((i = 0; i < ${3:-100}; i++)); do
		[ "$(proc_state "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	echo "pid $1 is in state '$(proc_state "$1")', not '$2'" >&2
	return 1
}

# wait_for_comm PID NAME [TENTHS]: until PID's name (/proc/PID/comm) is
# NAME, such as a shell's `cmd &` child once it has exec'd cmd (until
# then it has the shell's name: wait for it before a name is asserted).
wait_for_comm() {
	local i
	for ((i = 0; i < ${3:-100}; i++)); do
		[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
	done
	echo "pid $1 is named '$(cat "/proc/$1/comm" 2>/dev/null)', not '$2'" >&2
	return 1
}

# plain_pid PID: PID is a number above 1 (kill -KILL -1, or -- -1, would
# be every process there is; 0 is our own process group).
plain_pid() { [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -gt 1 ]; }

# descends_from PID ANCESTOR: PID is ANCESTOR or below it (and not 0/1).
# Check a pid read from a fixture's output with this before signalling it.
descends_from() {
	local p=$1 i
	for ((i = 0; i < 64; i++)); do
		plain_pid "$p" || return 1
		[ "$p" = "$2" ] && return 0
		p=$(proc_ppid "$p") || return 1
	done
	return 1
}

# zombies_of PID: the zombie children of PID right now, from /proc.
zombies_of() {
	local c
	# shellcheck disable=SC2013 # the children files are lists of words
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		[ "$(proc_state "$c")" = Z ] && echo "$c"
	done
	return 0
}
