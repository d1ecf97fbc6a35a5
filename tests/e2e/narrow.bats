#!/usr/bin/env bats
# narrow.bats - on a 40-column terminal, prose wraps at the terminal's
# width and nothing a user must read is cut: ps's summary keeps its zombie
# count, zombies' advice is read whole.

load helpers

# on_terminal COLS CMD...: run CMD on a COLS-wide tmux terminal; the
# screen, with lines the terminal wrapped joined again (-J), in $screen.
on_terminal() {
	local cols=$1 sock=pmon-narrow-$$
	shift
	tmux -L "$sock" -f /dev/null new-session -d -x "$cols" -y 40 \
		"env TERM=xterm LC_ALL=C.UTF-8 $(printf '%q ' "$@"); echo END-OF-OUTPUT; sleep 30"
	for i in $(seq 100); do
		screen=$(tmux -L "$sock" capture-pane -p -J -S -100)
		[[ "$screen" == *END-OF-OUTPUT* ]] && break
		sleep 0.1
	done
	tmux_end "$sock"
	echo "$screen"
}

# advice_of PID: the advice under parent PID, its lines joined.
advice_of() {
	awk -v p="$1" '/^[0-9]+ zombies? under/ { on = 0 }
		$1 == "parent" { mine = ($2 == p); on = 0 }
		mine && /advice:/ { on = 1 }
		on { print }' |
		tr -s ' \n' ' '
}

widest() { echo "$screen" | awk '{ if (length($0) > m) m = length($0) } END { print m }'; }

@test "ps: on a narrow terminal the summary wraps instead of losing the zombie count" {
	start_fixture zombie 1
	on_terminal 40 "$PMON" ps -p "$FIXTURE_PID,$(fixture_children)"
	[[ "$screen" == *"1 zombie"* ]]
	# pmon's own lines fit the 40 columns (-J joins what the terminal wrapped)
	[ "$(widest)" -le 40 ]
}

@test "zombies: on a narrow terminal the advice wraps at its width and is read whole" {
	FIXTURE=$BUILD_DIR/fixtures/zombie-parent start_fixture 2 default
	on_terminal 40 "$PMON" zombies
	[ "$(widest)" -le 40 ]
	# our parent's advice, joined again, is what a wide screen shows (the
	# machine may hold other parents' zombies: only ours is compared)
	wide=$(pmon zombies -w | advice_of "$FIXTURE_PID")
	narrow=$(echo "$screen" | advice_of "$FIXTURE_PID")
	[ -n "$wide" ]
	[ "$narrow" = "$wide" ]
}


