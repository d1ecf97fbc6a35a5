# top_helpers.bash - pmon top inside a private tmux server (its own -L
# socket, killed by the teardown): starting it, reading the screen, typing,
# clicking.  Loaded by top.bats and top_console.bats after helpers.bash.

load helpers

setup() {
	TMUX_SOCK=pmon-top-$$-$BATS_TEST_NUMBER
	T=$BATS_TEST_TMPDIR
}

teardown() {
	tmux_end "$TMUX_SOCK"
	stop_fixtures
}

# SHELL=/bin/sh: tmux runs a window's command with the user's $SHELL -c.
tmx() { SHELL=/bin/sh tmux -L "$TMUX_SOCK" -f /dev/null "$@"; }

# start_top [--as UID] [--size COLSxLINES] [--env VAR=VALUE]... [--no-wait]
# ARGS...: run `pmon top ARGS` in a fresh tmux session whose shell script
# records the terminal settings before and after and pmon's exit status,
# and wait for the first frame (not with --no-wait).  As another UID it
# runs the copy_for_others of pmon.
start_top() {
	local as="" size=120x40 args pmon=$PMON envs="" wait=1 term=tmux-256color
	while :; do
		case $1 in
		--env) envs+=" $(printf %q "$2")"; shift 2 ;;
		--term) term=$2; shift 2 ;;
		--no-wait) wait=0; shift ;;
		--as)
			copy_for_others || return 1
			as="setpriv --reuid=$2 --regid=$2 --clear-groups" pmon=$OTHERS_PMON
			shift 2
			;;
		--size) size=$2; shift 2 ;;
		*) break ;;
		esac
	done
	printf -v args '%q ' "$@"
	cat >"$T/run.sh" <<EOF
stty -g >"$T/stty.before"
exec 3>&-
sh -c 'echo \$\$ >"\$1"; shift; exec "\$@"' sh "$T/pmon.pid" $as env LC_ALL=C.UTF-8 TERM=$term NO_COLOR=1 XDG_CONFIG_HOME=$(printf %q "$XDG_CONFIG_HOME")$envs $(printf %q "$pmon") top $args
echo "rc=\$?" >"$T/rc"
stty -g >"$T/stty.after"
echo "shell-after-top"
exec sleep 600
EOF
	chmod 755 "$T/run.sh"
	tmx new-session -d -x "${size%x*}" -y "${size#*x}" "sh $T/run.sh" 3>&-
	[ "$wait" = 0 ] || wait_for_screen 'PID +USER'
}

screen() { tmx capture-pane -p; }

# wait_for_screen REGEX [TENTHS]
wait_for_screen() {
	local i
	for ((i = 0; i < ${2:-100}; i++)); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	echo "screen never matched '$1':" >&2
	screen >&2
	return 1
}

# wait_for_screen_not REGEX [TENTHS]
wait_for_screen_not() {
	local i
	for ((i = 0; i < ${2:-100}; i++)); do
		screen | grep -qE -- "$1" || return 0
		sleep 0.1
	done
	echo "screen still matches '$1':" >&2
	screen >&2
	return 1
}

keys() { tmx send-keys "$@"; }

# header_clock: the time in the header ("pmon top - 12:34:56 up ...").
header_clock() { screen | sed -n 's/^pmon top - \([0-9:]*\) .*/\1/p'; }

# wait_for_refreshes N: until the screen has been redrawn at least N more
# times with new readings (the header's clock, which only a refresh
# redraws, has changed N times): the proof that something that did not
# happen would have shown by now.
wait_for_refreshes() {
	local i n=0 last now
	last=$(header_clock)
	for ((i = 0; i < 100 * $1; i++)); do
		now=$(header_clock)
		if [ "$now" != "$last" ]; then
			n=$((n + 1)) last=$now
			[ "$n" -ge "$1" ] && return 0
		fi
		sleep 0.1
	done
	echo "not $1 refreshes in $(($1 * 10)) s (the header's clock changed $n times):" >&2
	screen >&2
	return 1
}

# title_at: the index in ${lines[@]} of a batch frame's column titles (the
# header above it has a line per CPU, so no fixed index).
title_at() {
	local i
	for i in "${!lines[@]}"; do
		[[ "${lines[$i]}" =~ ^\ +PID\  ]] && { echo "$i"; return 0; }
	done
	return 1
}

# The order in which pids appear on the screen's process rows.
screen_pids() { screen | awk '/PID +USER/ {on = 1; next} on && $1 ~ /^[0-9]+$/ {print $1}'; }


# click X Y [BUTTON]: a mouse press and release at column X, line Y (both
# from 0) as an xterm sends them (X10 encoding: what tmux-256color's
# kmous announces), written into the pane as input.  BUTTON 0 is the left
# one, 64 and 65 the wheel up and down (press only).
click() {
	local x=$1 y=$2 b=${3:-0} seq
	seq=$(printf '\033[M%b%b%b' "\\$(printf %03o $((32 + b)))" \
		"\\$(printf %03o $((33 + x)))" "\\$(printf %03o $((33 + y)))")
	tmx send-keys -l "$seq"
	if [ "$b" -lt 64 ]; then
		seq=$(printf '\033[M%b%b%b' "\\$(printf %03o 35)" \
			"\\$(printf %03o $((33 + x)))" "\\$(printf %03o $((33 + y)))")
		tmx send-keys -l "$seq"
	fi
}

# line_of REGEX: the screen line (from 0) that first matches.
line_of() { screen | grep -nE -- "$1" | head -1 | cut -d: -f1 | awk '{print $1 - 1}'; }
