#!/usr/bin/env bats
# pmon completion: the scripts, driven through each shell's own completion
# machinery (bash: complete -p and the function with COMP_WORDS; zsh:
# compinit and TAB on a pseudo-terminal; fish: complete -C), offering
# real candidates: a live fixture's PID with its name, field keys, a
# user, signals, options from the option tables.

load helpers

setup() {
	# The scripts run `pmon completion --pids`: pmon must be in PATH.
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	ln -sf "$PMON" "$BATS_TEST_TMPDIR/bin/pmon"
	export PATH=$BATS_TEST_TMPDIR/bin:$PATH
}

# bash_complete 'LINE': COMPREPLY, one per line, for LINE typed in bash
# (a trailing space starts a new, empty word).  The function is the one
# `complete -p pmon` names after the script is sourced.
bash_complete() {
	"$PMON" completion bash >"$BATS_TEST_TMPDIR/pmon.bash"
	bash --norc --noprofile -c '
		source "$1" || exit 1
		line=$2
		read -ra COMP_WORDS <<<"$line"
		[[ $line == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line COMP_POINT=${#line}
		spec=$(complete -p pmon) || exit 1
		fn=${spec#*-F }; fn=${fn%% *}
		"$fn" pmon "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' bash "$BATS_TEST_TMPDIR/pmon.bash" "$1"
}

# zsh_complete 'LINE': what zsh's completion offers (complete_zsh.zsh).
zsh_complete() {
	mkdir -p "$BATS_TEST_TMPDIR/zfunc"
	"$PMON" completion zsh >"$BATS_TEST_TMPDIR/zfunc/_pmon"
	zsh -f "$REPO_ROOT/tests/e2e/complete_zsh.zsh" "$BATS_TEST_TMPDIR/zfunc" "$1"
}

# fish_complete 'LINE': fish's candidates, "WORD<TAB>DESCRIPTION".
fish_complete() {
	"$PMON" completion fish >"$BATS_TEST_TMPDIR/pmon.fish"
	fish --no-config -c 'source $argv[1]; complete -C $argv[2]' \
		"$BATS_TEST_TMPDIR/pmon.fish" "$1"
}

need() { command -v "$1" >/dev/null || skip "$1 is not installed (make deps)"; }

@test "completion: a shell it does not know, or none, is a usage error" {
	run pmon completion tcsh
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown shell 'tcsh'"* ]]
	run pmon completion
	[ "$status" -eq 2 ]
	run pmon completion --pids bash
	[ "$status" -eq 2 ]
}

@test "completion: each script holds every option that each command's --help lists" {
	for shell in bash zsh fish; do
		"$PMON" completion "$shell" >"$BATS_TEST_TMPDIR/script.$shell"
	done
	for c in $("$PMON" completion bash | sed -n "s/^_pmon_commands='\(.*\)'$/\1/p"); do
		for opt in $("$PMON" "$c" --help | grep -oE '^  (-[a-zA-Z], |    )--[a-z-]+' | grep -oE -- '--[a-z-]+$'); do
			# (first in a list it follows the quote: opts='--zombies ...')
			grep -qF -e " $opt" -e "'$opt" "$BATS_TEST_TMPDIR/script.bash" || { echo "bash: $c $opt"; false; }
			grep -qF -- "'$opt" "$BATS_TEST_TMPDIR/script.zsh" || { echo "zsh: $c $opt"; false; }
			grep -qF -- "-l ${opt#--} " "$BATS_TEST_TMPDIR/script.fish" || { echo "fish: $c $opt"; false; }
		done
	done
}

@test "man page: every command and every option of the option tables is in pmon(1)" {
	for c in $("$PMON" completion bash | sed -n "s/^_pmon_commands='\(.*\)'$/\1/p"); do
		grep -qF ".SS \"pmon $c" "$REPO_ROOT/man/pmon.1" || [ "$c" = pstree ] ||
			{ echo "no section: $c"; false; }
		for opt in $("$PMON" "$c" --help | grep -oE '^  (-[a-zA-Z], |    )--[a-z-]+' | grep -oE -- '--[a-z-]+$'); do
			grep -qF -- "$(sed 's/-/\\-/g' <<<"$opt")" "$REPO_ROOT/man/pmon.1" ||
				{ echo "undocumented: $c $opt"; false; }
		done
	done
}

@test "completion --pids: PID<TAB>NAME per process, a hostile name escaped on its line" {
	start_fixture name $'evil\x1b]0;x\x07\nname'
	run pmon completion --pids
	[ "$status" -eq 0 ]
	line=$(grep "^$FIXTURE_PID"$'\t' <<<"$output")
	echo "$line" | cat -v
	[ "$(grep -c "^$FIXTURE_PID"$'\t' <<<"$output")" -eq 1 ]
	[[ "$line" == "$FIXTURE_PID"$'\t''evil\e]0;x\a\nname' ]]
	# No terminal control and no field separator beyond the first tab.
	run grep -c $'\x1b' <<<"$output"
	[ "$output" = 0 ]
}

@test "bash: complete -p names the function; commands, options, signals, fields" {
	need bash
	run bash_complete 'pmon ki'
	[ "$output" = kill ]
	run bash_complete 'pmon kill --dr'
	[ "$output" = --dry-run ]
	run bash_complete 'pmon kill -s TE'
	[ "$output" = TERM ]
	run bash_complete 'pmon kill -l US'
	[ "$output" = "$(printf 'USR1\nUSR2')" ]
	run bash_complete 'pmon ps -o pid,co'
	[ "$output" = "$(printf 'pid,comm\npid,container')" ]
	run bash_complete 'pmon top --sort -rs'
	[ "$output" = -rss_kb ]
	run bash_complete 'pmon reap --method n'
	[ "$output" = nudge ]
}

@test "bash: user names for -u, and a live PID with its command name" {
	need bash
	run bash_complete 'pmon ps -u roo'
	[ "$output" = root ]
	start_fixture name pmoncompfx
	# A prefix many PIDs share: the menu shows each with its name.
	run bash_complete "pmon kill ${FIXTURE_PID%?}"
	echo "$output"
	if [ "${#lines[@]}" -gt 1 ]; then
		printf '%s\n' "${lines[@]}" | grep -qx "$FIXTURE_PID pmoncompfx"
	else
		[ "$output" = "$FIXTURE_PID" ]
	fi
	# The whole PID, alone: the PID itself is inserted, not its name.
	run bash_complete "pmon inspect $FIXTURE_PID"
	printf '%s\n' "${lines[@]}" | grep -qx "$FIXTURE_PID\( pmoncompfx\)\?"
}

@test "zsh: commands, options, a signal, field keys, a user, a live PID with its name" {
	need zsh
	run zsh_complete 'pmon ki'
	[ "${lines[0]}" = kill ]
	run zsh_complete 'pmon kill -s TE'
	[ "${lines[0]}" = TERM ]
	run zsh_complete 'pmon ps --sor'
	[ "${lines[0]}" = --sort ]
	run zsh_complete 'pmon ps -o pid,co'
	printf '%s\n' "${lines[@]}" | grep -qx comm
	printf '%s\n' "${lines[@]}" | grep -qx container
	run zsh_complete 'pmon ps -u roo'
	printf '%s\n' "${lines[@]}" | grep -qx root
	start_fixture name pmoncompfx
	# The menu's lines ("= PID -- NAME") hold the fixture with its name.
	run zsh_complete "pmon kill ${FIXTURE_PID%?}"
	printf '%s\n' "${lines[@]}" | grep -qx "$FIXTURE_PID"
	printf '%s\n' "${lines[@]}" | grep -qx "= $FIXTURE_PID -- pmoncompfx"
}

@test "fish: commands, options, a signal, field keys, a user, a live PID with its name" {
	need fish
	run fish_complete 'pmon ki'
	[[ "${lines[0]}" == "kill"$'\t'* ]]
	run fish_complete 'pmon kill -s '
	printf '%s\n' "${lines[@]}" | grep -q "^TERM"$'\t'
	printf '%s\n' "${lines[@]}" | grep -q "^KILL"$'\t'
	run fish_complete 'pmon ps --output=pid,co'
	printf '%s\n' "${lines[@]}" | grep -q "^--output=pid,comm"$'\t'
	run fish_complete 'pmon ps --sort=-rs'
	[[ "${lines[0]}" == "--sort=-rss_kb"$'\t'* ]]
	run fish_complete 'pmon ps -u roo'
	printf '%s\n' "${lines[@]}" | grep -q "^root"
	start_fixture name pmoncompfx
	run fish_complete "pmon kill $FIXTURE_PID"
	printf '%s\n' "${lines[@]}" | grep -qx "$FIXTURE_PID"$'\t'"pmoncompfx"
	run fish_complete "pmon kill -l $FIXTURE_PID"
	[ "$output" = "" ]
}
