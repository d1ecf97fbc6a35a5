#!/usr/bin/env bash
# negations.sh - find negated commands that assert nothing.
#
# Bats runs a test body under `set -e`, but bash's errexit ignores the
# status of a pipeline negated with `!`.  So in
#
#	! grep -q error "$log"
#	echo next
#
# the grep line checks nothing: the test passes whether or not the log has
# "error".  Only the test's (or function's) final command is different:
# its status becomes the function's, and that one bats does check.
#
# Allowed (the negation's status is acted on):
#   - `run ! CMD`                (bats fails the test unless CMD fails)
#   - `! CMD || ...`             (an explicit failure branch: `|| false`,
#                                 `|| return 1`; any `||` later in the same
#                                 and-or list counts)
#   - `if ! CMD`, `elif ! CMD`, `while ! CMD`, `until ! CMD` (conditions)
#   - `! CMD` as the last command of a function or @test body, or of a
#     ( ) subshell, at its top level (its status is the function's or the
#     subshell's status; a helper such as `no_row() { ! has_row "$1"; }`
#     is asserted where it is called)
# Flagged: every other `!` that starts a pipeline: a line of its own in the
# middle of a test, after `;`, `&&` or `|` (the last is a syntax error in
# bash anyway), anywhere inside the body of an if/for/while/case or a { }
# group, or run in the background with `&`.  (The last command of an if
# body that ends a test would work, but only until a line is added after
# the if; such a negation is flagged all the same.)  `!` as an argument
# (`[ ! -e f ]`, `[[ ! ... ]]`, `run !`) is not a negated command.  Text
# inside quotes, here-documents, comments, $(...) (no errexit there) and
# [[ ]] / (( )) is not looked at.
#
# Usage: tests/lint/negations.sh [--tap] [FILE...]
#   Without FILEs: every tests/e2e/*.bats and tests/e2e/*.bash.  Prints
#   FILE:LINE: ... for each finding and exits 1 if there is one.  --tap
#   prints TAP instead (for tests/run-all): test 1 is that lint, test 2
#   checks the lint against tests/lint/negations.cases, whose lines ending
#   in "# FLAG" are exactly those it must flag.
set -u
here=$(cd "$(dirname "$0")" && pwd) || exit 2
tap=0
if [ "${1:-}" = --tap ]; then
	tap=1
	shift
fi
if [ $# -eq 0 ]; then
	cd "$here/../.." || exit 2
	set -- tests/e2e/*.bats tests/e2e/*.bash
fi

# The scanner: a small tokenizer (quotes, $(...), ${...}, here-documents,
# comments, [[ ]] and (( )) as opaque words) and a recursive-descent
# parser of lists, pipelines and compound commands, which is all it takes
# to know where a command starts and what its status is used for.
read -r -d '' LINT_AWK <<'AWK'
function emit(type, text, ln) { n++; tt[n] = type; tv[n] = text; tl[n] = ln }
function ch(i) { return substr(src, i, 1) }
# Skip a quoted or nested region starting at p; return the position just
# after it.  Newlines inside count toward `line`.
function skip_sq(i) { i++; while (i <= L && ch(i) != "'") { if (ch(i) == "\n") line++; i++ } return i + 1 }
function skip_ansi(i) { i += 2; while (i <= L && ch(i) != "'") { if (ch(i) == "\\") i++; if (ch(i) == "\n") line++; i++ } return i + 1 }
function skip_bt(i) { i++; while (i <= L && ch(i) != "`") { if (ch(i) == "\\") i++; if (ch(i) == "\n") line++; i++ } return i + 1 }
function skip_dq(i,   c) {
	i++
	while (i <= L) {
		c = ch(i)
		if (c == "\\") { if (ch(i + 1) == "\n") line++; i += 2; continue }
		if (c == "\"") return i + 1
		if (c == "$" && ch(i + 1) == "(") { i = skip_paren(i + 1); continue }
		if (c == "$" && ch(i + 1) == "{") { i = skip_brace(i + 1); continue }
		if (c == "`") { i = skip_bt(i); continue }
		if (c == "\n") line++
		i++
	}
	return i
}
# i at "(": to just after the matching ")".
function skip_paren(i,   c, depth, prev) {
	depth = 0
	while (i <= L) {
		c = ch(i)
		if (c == "\\") { if (ch(i + 1) == "\n") line++; i += 2; continue }
		if (c == "'") { i = skip_sq(i); continue }
		if (c == "$" && ch(i + 1) == "'") { i = skip_ansi(i); continue }
		if (c == "\"") { i = skip_dq(i); continue }
		if (c == "`") { i = skip_bt(i); continue }
		if (c == "$" && ch(i + 1) == "{") { i = skip_brace(i + 1); continue }
		if (c == "#" && (i == 1 || index(" \t\n;(|&", ch(i - 1)))) {
			while (i <= L && ch(i) != "\n") i++
			continue
		}
		if (c == "(") depth++
		if (c == ")") { depth--; if (depth == 0) return i + 1 }
		if (c == "\n") line++
		i++
	}
	return i
}
# i at "{" of ${: to just after the matching "}".
function skip_brace(i,   c, depth) {
	depth = 0
	while (i <= L) {
		c = ch(i)
		if (c == "\\") { i += 2; continue }
		if (c == "'") { i = skip_sq(i); continue }
		if (c == "\"") { i = skip_dq(i); continue }
		if (c == "$" && ch(i + 1) == "(") { i = skip_paren(i + 1); continue }
		if (c == "{") depth++
		if (c == "}") { depth--; if (depth == 0) return i + 1 }
		if (c == "\n") line++
		i++
	}
	return i
}
# i at "[[": to just after the "]]" that ends the test.
function skip_dbracket(i,   c) {
	i += 2
	while (i <= L) {
		c = ch(i)
		if (c == "\\") { if (ch(i + 1) == "\n") line++; i += 2; continue }
		if (c == "'") { i = skip_sq(i); continue }
		if (c == "$" && ch(i + 1) == "'") { i = skip_ansi(i); continue }
		if (c == "\"") { i = skip_dq(i); continue }
		if (c == "$" && ch(i + 1) == "(") { i = skip_paren(i + 1); continue }
		if (c == "$" && ch(i + 1) == "{") { i = skip_brace(i + 1); continue }
		if (c == "]" && ch(i + 1) == "]" && index(" \t", ch(i - 1)) &&
		    (i + 2 > L || index(" \t\n;&|)", ch(i + 2)))) return i + 2
		if (c == "\n") line++
		i++
	}
	return i
}
function is_meta(c) { return c == "" || index(" \t\n;&|()<>", c) > 0 }
# A word from p; returns its text (with its quotes) and moves p.
function read_word(   start, c, w) {
	start = p
	if (substr(src, p, 2) == "[[" && is_meta(ch(p + 2))) { p = skip_dbracket(p); return substr(src, start, p - start) }
	while (p <= L) {
		c = ch(p)
		if (c == "\\") { if (ch(p + 1) == "\n") line++; p += 2; continue }
		if (c == "'") { p = skip_sq(p); continue }
		if (c == "$" && ch(p + 1) == "'") { p = skip_ansi(p); continue }
		if (c == "\"") { p = skip_dq(p); continue }
		if (c == "`") { p = skip_bt(p); continue }
		if (c == "$" && ch(p + 1) == "(") { p = skip_paren(p + 1); continue }
		if (c == "$" && ch(p + 1) == "{") { p = skip_brace(p + 1); continue }
		if ((c == "<" || c == ">") && ch(p + 1) == "(" && p == start) { p = skip_paren(p + 1); continue }
		# name=( ... ): an array assignment
		if (c == "(" && substr(src, start, p - start) ~ /^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=$/) { p = skip_paren(p); continue }
		if (is_meta(c)) break
		p++
	}
	return substr(src, start, p - start)
}
function unquote(w) { gsub(/["'\\]/, "", w); return w }
function read_heredocs(   i, j, text, d) {
	for (i = 1; i <= npend; i++) {
		for (;;) {
			if (p > L) break
			j = index(substr(src, p), "\n")
			if (j == 0) { text = substr(src, p); p = L + 1 } else { text = substr(src, p, j - 1); p += j }
			line++
			d = text
			if (pstrip[i]) sub(/^\t+/, "", d)
			if (d == pend[i]) break
		}
	}
	npend = 0
}
function tokenize(   c, two, three, ln, w) {
	p = 1; L = length(src); line = 1; n = 0; npend = 0; want_delim = 0
	while (p <= L) {
		c = ch(p)
		if (c == " " || c == "\t") { p++; continue }
		if (c == "\\" && ch(p + 1) == "\n") { p += 2; line++; continue }
		if (c == "\n") { emit("NL", "\n", line); p++; line++; if (npend) read_heredocs(); continue }
		if (c == "#") { while (p <= L && ch(p) != "\n") p++; continue }
		ln = line
		two = substr(src, p, 2); three = substr(src, p, 3)
		if (c == "(" && ch(p + 1) == "(") { w = p; p = skip_paren(p); emit("W", substr(src, w, p - w), ln); continue }
		if ((c == "<" || c == ">") && ch(p + 1) == "(") { w = read_word(); emit("W", w, ln); continue }
		if (three == ";;&" || three == "<<<" || three == "<<-" || three == "&>>") { emit("OP", three, ln); p += 3; if (three == "<<-") { want_delim = 2 } continue }
		if (two == ";;" || two == ";&" || two == "&&" || two == "||" || two == "|&" || two == "<<" || two == ">>" || two == "<&" || two == ">&" || two == "&>" || two == ">|" || two == "<>") {
			emit("OP", two, ln); p += 2; if (two == "<<") want_delim = 1; continue
		}
		if (index(";&|()<>", c)) { emit("OP", c, ln); p++; continue }
		w = read_word()
		emit("W", w, ln)
		if (want_delim) { npend++; pend[npend] = unquote(w); pstrip[npend] = (want_delim == 2); want_delim = 0 }
	}
	emit("EOF", "", line)
}

function flag(ln, why) { printf "%s:%d: %s\n", file, ln, why; found++ }
function isw(x) { return tt[k] == "W" && tv[k] == x }
function isop(x) { return tt[k] == "OP" && tv[k] == x }
function skip_nl() { while (tt[k] == "NL") k++ }
function is_sep() { return tt[k] == "NL" || tt[k] == "EOF" || (tt[k] == "OP" && index(" ; ;; ;& ;;& & && || | |& ( ) ", " " tv[k] " ")) }
function at_stop(stops) { return tt[k] == "EOF" || ((tt[k] == "W" || tt[k] == "OP") && index(stops, " " tv[k] " ") > 0) }
function expect(x) { if ((tt[k] == "W" || tt[k] == "OP") && tv[k] == x) k++; else { printf "%s:%d: lint cannot parse this (expected '%s', found '%s')\n", file, tl[k], x, tv[k]; found++; k = n } }
function flag_all(lines, why,   a, m, i) { m = split(lines, a, " "); for (i = 1; i <= m; i++) flag(a[i], why) }

# A list of and-or lists up to a word in stops.  ctx: func (a function or
# @test body), cond (an if/while condition), group (any other body), top.
function parse_list(stops, ctx,   pending, unres) {
	pending = ""
	for (;;) {
		skip_nl()
		if (at_stop(stops)) break
		flag_all(pending, MSG)
		pending = ""
		unres = parse_andor(ctx)
		if (isop("&")) { flag_all(unres, MSG " (and it runs in the background)"); unres = ""; k++ }
		else if (isop(";")) k++
		else if (!(tt[k] == "NL" || at_stop(stops))) { printf "%s:%d: lint cannot parse this (unexpected '%s')\n", file, tl[k], tv[k]; found++; k++ }
		pending = unres
	}
	if (ctx != "func") flag_all(pending, MSG)
}
# Returns the lines of negated pipelines whose status nothing acts on.
function parse_andor(ctx,   unres, neg) {
	unres = ""
	neg = parse_pipeline(ctx)
	if (neg != "" && ctx != "cond") unres = neg
	while (isop("&&") || isop("||")) {
		if (isop("||")) unres = ""
		k++
		skip_nl()
		neg = parse_pipeline(ctx)
		if (neg != "" && ctx != "cond") unres = unres " " neg
	}
	return unres
}
function parse_pipeline(ctx,   neg) {
	neg = ""
	if (isw("!")) { neg = tl[k]; k++ }
	parse_command(ctx)
	while (isop("|") || isop("|&")) {
		k++
		skip_nl()
		if (isw("!")) { flag(tl[k], "'!' in the middle of a pipeline (a syntax error in bash; use run ! or a { ! cmd; } group)"); k++ }
		parse_command(ctx)
	}
	return neg
}
function rest_of_command() { while (!is_sep()) k++ }
function parse_command(ctx) {
	if (isw("{")) { k++; parse_list(" } ", "group"); expect("}"); rest_of_command(); return }
	# A ( ) subshell exits with its last command's status, which errexit
	# then sees: like a function body.
	if (isop("(")) { k++; parse_list(" ) ", "func"); expect(")"); rest_of_command(); return }
	if (isw("if")) {
		k++; parse_list(" then ", "cond"); expect("then")
		parse_list(" elif else fi ", "group")
		while (isw("elif")) { k++; parse_list(" then ", "cond"); expect("then"); parse_list(" elif else fi ", "group") }
		if (isw("else")) { k++; parse_list(" fi ", "group") }
		expect("fi"); rest_of_command(); return
	}
	if (isw("while") || isw("until")) {
		k++; parse_list(" do ", "cond"); expect("do")
		parse_list(" done ", "group"); expect("done"); rest_of_command(); return
	}
	if (isw("for") || isw("select")) {
		k++
		while (!(isw("do") && (tt[k - 1] == "NL" || (tt[k - 1] == "OP" && tv[k - 1] == ";"))) && tt[k] != "EOF") k++
		expect("do"); parse_list(" done ", "group"); expect("done"); rest_of_command(); return
	}
	if (isw("case")) {
		k++; k++; skip_nl(); expect("in")
		for (;;) {
			skip_nl()
			if (isw("esac") || tt[k] == "EOF") break
			if (isop("(")) k++
			while (!isop(")") && tt[k] != "EOF") k++
			expect(")")
			parse_list(" ;; ;& ;;& esac ", "group")
			if (isop(";;") || isop(";&") || isop(";;&")) k++
		}
		expect("esac"); rest_of_command(); return
	}
	if (isw("@test")) {
		while (!isw("{") && tt[k] != "EOF") k++
		k++; parse_list(" } ", "func"); expect("}"); return
	}
	if (isw("function")) {
		k += 2
		if (isop("(")) k += 2
		skip_nl()
		if (isw("{")) { k++; parse_list(" } ", "func"); expect("}"); rest_of_command(); return }
		parse_command("group"); return
	}
	if (tt[k] == "W" && tt[k + 1] == "OP" && tv[k + 1] == "(" && tt[k + 2] == "OP" && tv[k + 2] == ")") {
		k += 3; skip_nl()
		if (isw("{")) { k++; parse_list(" } ", "func"); expect("}"); rest_of_command(); return }
		parse_command("group"); return
	}
	rest_of_command()
}
BEGIN { MSG = "negated command whose status is ignored (errexit skips '!'): use 'run ! cmd', '! cmd || false' or an inverted test" }
{ src = src $0 "\n" }
END {
	tokenize()
	k = 1
	parse_list("", "top")
	exit found > 0
}
AWK

lint() { for f in "$@"; do awk -v file="$f" "$LINT_AWK" "$f" || :; done; }
out=$(lint "$@")
if [ "$tap" = 1 ]; then
	echo "1..2"
	if [ -z "$out" ]; then
		echo "ok 1 - lint: no negated command before a test's last line"
	else
		echo "not ok 1 - lint: no negated command before a test's last line"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
	# The lint itself: it flags exactly the lines marked in its cases.
	cases=$here/negations.cases
	got=$(lint "$cases" | cut -d: -f2 | paste -sd' ')
	want=$(grep -n '# FLAG$' "$cases" | cut -d: -f1 | paste -sd' ')
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		echo "ok 2 - lint: flags exactly the planted lines of negations.cases"
	else
		echo "not ok 2 - lint: flags exactly the planted lines of negations.cases"
		echo "# flagged lines: $got"
		echo "# marked lines:  $want"
		out=failed
	fi
else
	[ -z "$out" ] || printf '%s\n' "$out"
fi
[ -z "$out" ]
