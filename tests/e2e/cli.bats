#!/usr/bin/env bats
# The command line of pmon itself: help, version, dispatch, exit statuses
# and write errors.

load helpers

# Every command the dispatch table has, from `pmon --help` (the stubs of
# commands not written yet are left out).
commands() {
	"$PMON" --help | awk '/^Commands:/ {on = 1; next}
		on && /^$/ {exit}
		on && /^  [a-z]/ && !/not implemented yet/ {print $1}'
}

@test "--help lists every command with its summary, on stdout, exit 0" {
	run pmon --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: pmon COMMAND [OPTIONS] [ARGS]" ]]
	for c in ps tree zombies kill reap top chat chatd help; do
		echo "$output" | grep -qE "^  $c +[^ ]"
	done
	"$PMON" --help 2>/dev/null | grep -q "^Commands:"
	"$PMON" -h | grep -q "^Commands:"
	# Every name stands two spaces or more from its summary, and the
	# summaries start in one column ("completion" once ran into its own).
	summary_columns=$("$PMON" --help | awk '/^Commands:/ {on = 1; next}
		on && /^$/ {exit}
		on { if (!match($0, /^  [a-z]+  +[A-Z]/)) {print "bad: " $0; next}
		     print RLENGTH }' | sort -u)
	[ "$(echo "$summary_columns" | wc -l)" -eq 1 ]
	[[ "$summary_columns" =~ ^[0-9]+$ ]]
}

@test "pmon help CMD and pmon CMD --help print the same help" {
	[ "$(commands | wc -l)" -ge 3 ]
	for c in $(commands); do
		[ "$c" = help ] && continue
		run pmon help "$c"
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" == "usage: pmon $c "* ]]
		a=$output
		run pmon "$c" --help
		[ "$status" -eq 0 ]
		[ "$output" = "$a" ]
	done
}

@test "ps and tree help name their options" {
	run pmon help ps
	for opt in --args --wide --user --pid --state --sort --json --help; do
		[[ "$output" == *"$opt"* ]]
	done
	run pmon tree -h
	[ "$status" -eq 0 ]
	for opt in --args --wide --user --match --ascii --json --help "leaves out the L"; do
		[[ "$output" == *"$opt"* ]]
	done
}

@test "the alias pstree runs tree" {
	run pmon pstree --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: pmon tree "* ]]
	run pmon pstree $$
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" =~ ^\ *$$\  ]]
}

@test "--version prints the version, exit 0" {
	run pmon --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^pmon\ [0-9]+\.[0-9]+\.[0-9]+ ]]
	[ "$(pmon -V)" = "$output" ]
	# The Makefile's version, then the backends (bpf.bats).
	[ "${lines[0]}" = "pmon $(sed -n 's/^VERSION *= *//p' "$REPO_ROOT/Makefile")" ]
	[[ "${lines[1]}" == "backends: proc"* ]]
}

@test "an unknown command: exit 2, a message on stderr, nothing on stdout" {
	run pmon frobnicate
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "pmon: unknown command 'frobnicate'" ]
	[ -z "$("$PMON" frobnicate 2>/dev/null)" ]
}

@test "no command at all: the usage on stderr, exit 2" {
	run pmon
	[ "$status" -eq 2 ]
	[[ "$output" == *"usage: pmon COMMAND"* ]]
	[ -z "$("$PMON" 2>/dev/null)" ]
}

@test "help of an unknown command: exit 2 and 'pmon: help:'" {
	run pmon help frobnicate
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "pmon: help: unknown command 'frobnicate'"* ]]
	run pmon help ps tree
	[ "$status" -eq 2 ]
}

@test "a bad option is named as it was written" {
	run pmon ps --help=x
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "pmon: ps: option '--help' takes no value" ]
	run pmon ps --json=3
	[ "${lines[0]}" = "pmon: ps: option '--json' takes no value" ]
	run pmon ps --bogus
	[ "${lines[0]}" = "pmon: ps: unknown option '--bogus'" ]
	run pmon ps -wZ
	[ "${lines[0]}" = "pmon: ps: unknown option '-Z'" ]
	run pmon kill --tree
	[ "${lines[0]}" = "pmon: kill: option '--tree' needs a value" ]
}

@test "a usage error shows what was typed escaped: no byte of it reaches the terminal raw" {
	esc=$'\033'
	for cmd in ps tree top; do
		run -2 --separate-stderr pmon $cmd -o "pid,x${esc}[2Jy"
		[ "${stderr_lines[0]}" = "pmon: $cmd: unknown field 'x\\e[2Jy' in -o (pmon ps -o help lists them)" ]
	done
	run -2 --separate-stderr pmon ps --sort "a${esc}]0;t"$'\a'
	[ "${stderr_lines[0]}" = "pmon: ps: cannot sort by 'a\\e]0;t\\a' (pmon ps -o help lists the keys)" ]
	# under a UTF-8 locale valid UTF-8 stays; without one it is bytes
	run -2 --separate-stderr env LC_ALL=C.UTF-8 "$PMON" ps -u "é${esc}x"
	[ "${stderr_lines[0]}" = "pmon: ps: no such user 'é\\ex'" ]
	run -2 --separate-stderr env LC_ALL=C "$PMON" ps -u "é${esc}x"
	[ "${stderr_lines[0]}" = "pmon: ps: no such user '\\xc3\\xa9\\ex'" ]
	# escaped once, and a backslash passes as typed (a pattern's, and
	# regerror's own, read as written)
	run -2 --separate-stderr pmon chat -n 'a\b'
	[[ "${stderr_lines[0]}" == "pmon: chat: -n 'a\\b': not a valid name"* ]]
	run -2 --separate-stderr pmon tree -m '\d+('
	[ "${stderr_lines[0]}" = "pmon: tree: bad pattern '\\d+(': Unmatched ( or \\(" ]
	# the command itself
	run -2 --separate-stderr pmon "x${esc}[2J"
	[ "${stderr_lines[0]}" = "pmon: unknown command 'x\\e[2J'" ]
	run -1 --separate-stderr pmon kill -l "X${esc}[2J"
	[ "$stderr" = "pmon: kill: unknown signal 'X\\e[2J'" ]
	run -1 --separate-stderr env LC_ALL=C.UTF-8 "$PMON" kill -l "é${esc}"
	[ "$stderr" = "pmon: kill: unknown signal 'é\\e'" ]
	# and a path that cannot be opened
	run -2 --separate-stderr pmon watch -f "$BATS_TEST_TMPDIR/no${esc}[2J"
	[ "${stderr_lines[0]}" = "pmon: watch: cannot open the rules file $BATS_TEST_TMPDIR/no\\e[2J: No such file or directory" ]
	run -1 --separate-stderr pmon metrics --no-room --textfile "$BATS_TEST_TMPDIR/no${esc}[2J"
	[ "${stderr_lines[0]}" = "pmon: metrics: cannot open the textfile directory $BATS_TEST_TMPDIR/no\\e[2J: No such file or directory" ]
	# $TERM too, which names no terminal when it holds such bytes
	run -1 env TERM="x${esc}]0;t"$'\a' script -qec "$PMON top" /dev/null </dev/null
	[[ "$output" == *"pmon: top: cannot use the terminal 'x\\e]0;t\\a' (is TERM right?)"* ]]
	[[ "$output" != *"$esc"* ]]
}

@test "a PID is decimal digits: a sign, hex or 0 is a usage error everywhere" {
	[ "$(id -u)" -eq 0 ] || skip "needs root for a PID namespace of its own"
	# In a PID namespace of the test's own (its PID 1 is the test's sh,
	# never the machine's), so that a pmon that took "+1" for 1 would
	# aim kill and reap at nothing that is not ours.
	run unshare --pid --fork --mount-proc sh -c '
		for bad in +1 -1 0x10 1e2 "" 0; do
			for cmd in "ps -p" "kill -n" inspect tree reap "watch --exit" "kill -n --tree"; do
				"$1" $cmd "$bad" >/dev/null 2>&1
				rc=$?
				echo "pmon $cmd [$bad]: $rc"
				[ "$rc" -eq 2 ] || exit 1
			done
		done' sh "$PMON"
	echo "$output"
	[ "$status" -eq 0 ]
	run pmon kill -n +1
	[ "${lines[0]}" = "pmon: kill: PID '+1' is not a number" ]
	run pmon ps -p 4294967297
	[ "${lines[0]}" = "pmon: ps: PID '4294967297' is out of range (1 to 2147483647)" ]
}

@test "errors go to stderr, output to stdout" {
	[ -z "$("$PMON" ps --bogus 2>/dev/null)" ]
	[ -n "$("$PMON" ps --bogus 2>&1 >/dev/null)" ]
	[ -z "$("$PMON" ps -p $$ 2>&1 >/dev/null)" ]
}

@test "a write error (full disk) is reported and fails, not lost" {
	[ -w /dev/full ] || skip "no /dev/full"
	for cmd in "ps" "tree" "ps --json" "tree --json" "--help" "help ps"; do
		run sh -c "'$PMON' $cmd >/dev/full"
		echo "$cmd -> $status: $output"
		[ "$status" -eq 1 ]
		[[ "$output" == "pmon: "* ]]
	done
	# JSON as the rest: the write failed, nothing ran out of memory
	for cmd in "ps --json" "tree --json" "zombies --json"; do
		run sh -c "'$PMON' $cmd >/dev/full"
		[[ "$output" == *"cannot write the output: No space left on device"* ]]
	done
}

@test "cli: every view says when /proc shows another PID namespace than pmon's" {
	# (LeakSanitizer reads /proc/<its own pid>, numbered otherwise here.)
	for cmd in "ps" "tree" "orphans" "top -b -n 1" "inspect 1"; do
		# shellcheck disable=SC2086
		run --separate-stderr env ASAN_OPTIONS=detect_leaks=0 \
			unshare --pid --fork "$PMON" $cmd
		echo "$cmd: $stderr"
		[[ "$stderr" == *"note: /proc shows an outer PID namespace"* ]]
		# and nothing when /proc is pmon's own
		run --separate-stderr unshare --pid --fork --mount-proc "$PMON" $cmd
		[[ "$stderr" != *"note: /proc shows"* ]]
	done
}

# loaded_libs CMD...: which of the libraries pmon loads itself (dlopen)
# CMD loaded after its start, as ld.so reports them.  Only those seven
# are looked for: glibc's NSS loads its modules, and under
# AddressSanitizer libasan (whose dlopen interceptor then names itself
# as the loader) loads libnuma.
loaded_libs() {
	LD_DEBUG=files "$@" 2>&1 >/dev/null |
		sed -n 's/^ *[0-9]*:[[:space:]]*file=\([^ ]*\) .*dynamically loaded by .*/\1/p' |
		grep -E '^lib(proc2|systemd|microhttpd|bpf|ncursesw|jansson|inih)\.' | sort -u
}

@test "start: libproc2, libsystemd, libmicrohttpd, libbpf, ncurses, jansson and inih are loaded by the commands that use them only" {
	# linked, they cost every command's start 6-7 ms of CPU (src/util/dynload.h),
	# ncurses 0.45 ms (src/util/curses_lib.h), jansson and inih 0.35 ms
	run ldd "$PMON"
	[ "$status" -eq 0 ]
	[[ "$output" != *libjansson* && "$output" != *libinih* ]]
	[[ "$output" != *libproc2* && "$output" != *libsystemd* && "$output" != *microhttpd* ]]
	[[ "$output" != *libbpf* ]] # loaded with the BPF iterator: bpf.bats
	[[ "$output" != *libncurses* && "$output" != *libtinfo* ]]
	start_fixture sleep
	[ -z "$(loaded_libs "$PMON" ps)" ]
	[ -z "$(loaded_libs "$PMON" tree)" ]
	[ -z "$(loaded_libs "$PMON" zombies)" ]
	[ -z "$(loaded_libs "$PMON" inspect --no-sample "$FIXTURE_PID")" ]
	# JSON is jansson's, top's settings file inih's
	[ "$(loaded_libs "$PMON" ps --json -p "$FIXTURE_PID")" = libjansson.so.4 ]
	[ "$(loaded_libs "$PMON" inspect --json --no-sample "$FIXTURE_PID")" = libjansson.so.4 ]
	mkdir -p "$BATS_TEST_TMPDIR/conf/pmon"
	echo 'delay = 2' >"$BATS_TEST_TMPDIR/conf/pmon/top.conf"
	[ "$(XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/conf" PMON_BACKEND=proc loaded_libs "$PMON" top -b -n 1 -o pid)" = "$(printf 'libinih.so.1\nlibproc2.so.0')" ]
	# top's meters and ps's long tail are libproc2's
	[ "$(PMON_BACKEND=proc loaded_libs "$PMON" top -b -n 1)" = libproc2.so.0 ]
	[ "$(loaded_libs "$PMON" ps -p "$FIXTURE_PID" -o pid,wchan)" = libproc2.so.0 ]
	# the interactive view is ncurses' (on a terminal: script's)
	LD_DEBUG=files LD_DEBUG_OUTPUT="$BATS_TEST_TMPDIR/ld" TERM=xterm script -qec "$PMON top -p $FIXTURE_PID" /dev/null </dev/null >/dev/null &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		cat "$BATS_TEST_TMPDIR"/ld.* 2>/dev/null | grep -q 'file=libncursesw\.so.*dynamically loaded' && break
		sleep 0.1
	done
	kill "$pid"; wait "$pid" || true
	cat "$BATS_TEST_TMPDIR"/ld.* | grep -q 'file=libncursesw\.so.*dynamically loaded'
}

@test "start: without a loadable ncurses, interactive top says so and points at -b, and batch top runs" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount over the library"
	command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
	run -1 without_lib libncursesw env TERM=xterm script -qec "$PMON top" /dev/null </dev/null
	[[ "$output" == *"pmon: top: the interactive view needs ncurses (Debian: libncursesw6): "*"libncursesw"*"; use -b for batch mode"* ]]
	run -0 without_lib libncursesw "$PMON" top -b -n 1 -p 1
	[[ "$output" == *"PID"*"COMMAND"* ]]
}

@test "start: without a loadable libproc2, top says which package, and ps still runs" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount over the library"
	command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
	run -1 without_lib libproc2 "$PMON" top -b -n 1
	[[ "$output" == "pmon: top: top's system-wide figures need procps-ng's libproc2 (Debian: libproc2-0): "*libproc2* ]]
	run -0 without_lib libproc2 "$PMON" ps -p 1
	[[ "${lines[1]}" == *" 1 "* ]]
}

# de_DE.UTF-8 built for this test alone (the machine may have only
# C.utf8; localedef and its sources are in make deps): a locale whose
# decimal point is a comma.  pmon_de runs pmon in it.
decimal_comma_locale() {
	export LOCPATH=$BATS_TEST_TMPDIR/locale
	mkdir -p "$LOCPATH"
	localedef -c -i de_DE -f UTF-8 "$LOCPATH/de_DE.UTF-8" 2>/dev/null ||
		[ -e "$LOCPATH/de_DE.UTF-8/LC_NUMERIC" ] || return 1
	[ "$(env LC_ALL=de_DE.UTF-8 locale decimal_point)" = "," ]
}
pmon_de() { env LC_ALL=de_DE.UTF-8 "$PMON" "$@"; }

@test "start: without a loadable jansson, --json (and metrics' groups) say which package before anything is done; without inih, top says so and runs" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount over the library"
	command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
	run -1 --separate-stderr without_lib libjansson "$PMON" ps --json -p 1
	[[ "$stderr" == "pmon: ps: JSON needs jansson (Debian: libjansson4): "*libjansson* ]]
	[ -z "$output" ]
	run -0 without_lib libjansson "$PMON" ps -p 1
	[[ "${lines[1]}" == *" 1 "* ]]
	# a reap asked for JSON refuses before it acts, not after: the
	# zombie is still there
	start_fixture zombie 1
	zombie=$(fixture_children)
	run -1 --separate-stderr without_lib libjansson "$PMON" reap -q --json --method inject "$FIXTURE_PID"
	[[ "$stderr" == "pmon: reap: JSON needs jansson (Debian: libjansson4): "* ]]
	[ "$(awk '{print $3}' "/proc/$zombie/stat")" = Z ]
	# metrics' groups read their figures through the fields' JSON values:
	# refused at start, not at a --listen's first scrape
	run -1 --separate-stderr without_lib libjansson "$PMON" metrics -g 'x comm .'
	[[ "$stderr" == "pmon: metrics: JSON needs jansson (Debian: libjansson4): "* ]]
	[ -z "$output" ]
	mkdir -p "$BATS_TEST_TMPDIR/conf/pmon"
	echo 'delay = 2' >"$BATS_TEST_TMPDIR/conf/pmon/top.conf"
	run -0 --separate-stderr without_lib libinih env XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/conf" "$PMON" top -b -n 1 -p 1
	[[ "$stderr" == *"top.conf: the parser is missing (Debian: libinih1): "*libinih* ]]
	[[ "$output" == *"PID"*"COMMAND"* ]]
}

@test "locale: under a decimal-comma locale, metrics, JSON and batch numbers keep their point" {
	decimal_comma_locale
	run -0 pmon_de metrics --no-room
	# A Prometheus sample value is a Go float: "0,5" fails the scrape.
	grep -E '^pmon_scrape_cpu_seconds [0-9]+\.[0-9]+$' <<<"$output"
	run ! grep -E '^[a-z_]+(\{.*\})? -?[0-9]+,[0-9]+$' <<<"$output"
	run -0 pmon_de top -b -n 1 -o pid,cpu_pct,mem_pct,comm
	# The header's figures (printf) and the rows' (pmon's own tenths).
	grep -E 'load average: [0-9]+\.[0-9]{2}, [0-9]+\.[0-9]{2}, [0-9]+\.[0-9]{2}$' <<<"${lines[0]}"
	grep -E '^%Cpu\(s\): *[0-9]+\.[0-9] us, *[0-9]+\.[0-9] sy' <<<"$output"
	grep -E '^ *[0-9]+ +[0-9]+\.[0-9] +[0-9]+\.[0-9] ' <<<"$output"
	run ! grep -E '^ *[0-9]+ +[0-9]+,[0-9] ' <<<"$output"
	run -0 pmon_de ps -o pid,cpu_pct,mem_pct --json
	jq -e 'length > 0 and (.[0].cpu_pct | type) == "number"' <<<"$output"
}
