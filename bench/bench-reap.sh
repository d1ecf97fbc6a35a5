#!/usr/bin/env bash
# bench-reap.sh - pmon reap --method inject against every kind of parent
# the fixture (tests/fixtures/reap-parent.c) can be: blocked in pause(),
# read() on a pipe, nanosleep(), a busy loop, two threads, an exited main
# thread, stopped, SIGCHLD ignored, and in another PID namespace.  Each
# kind gets BENCH_REAP_ROUNDS fresh parents holding BENCH_REAP_ZOMBIES
# zombies each; after one `pmon reap --method inject PARENT` we count the
# zombies gone from /proc, the parents still alive, and the parents that
# behave as before (a stopped one still stopped, as many threads, not
# traced, SIGUSR1 counted, SIGUSR2 answered with a status line, a line on
# its pipe echoed, no interrupted call returning an error).
#
# The bar (issue 5): on the test fixtures, inject reaps 100% of zombies
# for every parent kind and every parent survives and keeps working.
#
# Environment (all optional): BENCH_REAP_ROUNDS (default 10),
# BENCH_REAP_ZOMBIES (default 10), BENCH_REAP_KINDS (default every kind).
set -u
. "$(dirname "$0")/lib.sh"
# proc_state, wait_for_line, wait_for_state, plain_pid, descends_from,
# zombies_of: the helpers the tests use
. "$BENCH_ROOT/tests/e2e/procs.bash"
bench_init
bench_need unshare

ROUNDS=${BENCH_REAP_ROUNDS:-10}
NZ=${BENCH_REAP_ZOMBIES:-10}
ALL_KINDS="pause read nanosleep busy threads mainexit stopped ignore nspid"
KINDS=${BENCH_REAP_KINDS:-$ALL_KINDS}
REAP_PARENT=$BUILD_DIR/fixtures/reap-parent
[ -x "$REAP_PARENT" ] || bench_die "no $REAP_PARENT (run make bench)"
[ "$(uname -m)" = x86_64 ] || bench_die "inject works on x86_64 only, this is $(uname -m)"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ && "$NZ" =~ ^[1-9][0-9]*$ ]] ||
	bench_die "BENCH_REAP_ROUNDS and BENCH_REAP_ZOMBIES must be positive integers"

# stop_round: kill the parent and what we started, by their exact pids
# (both checked above 1; the parent checked to descend from FP).  Its
# leftover zombies go to the subreaper bench/run runs us under; the
# namespace's init dies with unshare (--kill-child), and all in it.
stop_round() {
	if plain_pid "$P"; then
		kill -CONT "$P" 2>/dev/null
		kill -KILL "$P" 2>/dev/null
	fi
	if plain_pid "$FP"; then
		kill -KILL "$FP" 2>/dev/null
		wait "$FP" 2>/dev/null
	fi
	P='' FP=''
}

# behaves KIND OUT FIFO THREADS: the parent P answers as it did before.
behaves() {
	local k=$1 out=$2 fifo=$3 threads=$4 tracer
	kill -0 "$P" 2>/dev/null || return 1
	[ "$(ls "/proc/$P/task" | wc -l)" -eq "$threads" ] || return 1
	tracer=$(awk '/^TracerPid:/ {print $2}' "/proc/$P/status")
	[ "$tracer" = 0 ] || return 1
	kill -USR1 "$P" && kill -USR2 "$P" || return 1
	# The main loop answers SIGUSR2; read and mainexit have none.
	case $k in
	read | mainexit) ;;
	*) wait_for_line "$out" '^status usr1=1 .*leaks=0$' || return 1 ;;
	esac
	case $k in
	read | threads | mainexit)
		echo ping >"$fifo"
		wait_for_line "$out" '^echo ping usr1=1 .*leaks=0$' || return 1
		;;
	esac
	! grep -q LEAK "$out"
}

# round KIND: one parent with NZ zombies, one inject, and the counts:
# adds to SEEN, REAPED, ALIVE, BEHAVED and the inject wall time to TIMES.
round() {
	local kind=$1 k=$1 d fifo out args wrap=() zs z n left ok=1 threads t0 t1
	d=$(mktemp -d "$BENCH_TMP/round.XXXXXX") || bench_die "mktemp failed"
	fifo=$d/fifo out=$d/out
	mkfifo "$fifo" || bench_die "mkfifo failed"
	args=(-f "$fifo" -n "$NZ")
	case $kind in
	stopped) k=pause ;;
	ignore) k=nanosleep args+=(-d ignore) ;;
	nspid) k=pause wrap=(unshare --pid --fork --kill-child) args+=(-R) ;;
	esac
	"${wrap[@]}" "$REAP_PARENT" "${args[@]}" "$k" >"$out" 2>&1 &
	FP=$! P=''
	if ! wait_for_line "$out" '^ready$'; then
		echo "  $kind: the parent never became ready:" >&2
		cat "$out" >&2
		stop_round
		return
	fi
	P=$(awk '$1 == "parent" {print $2; exit}' "$out")
	if ! descends_from "$P" "$FP"; then
		echo "  $kind: parent '$P' is not a process we started" >&2
		P=''
		stop_round
		return
	fi
	if [ "$kind" = stopped ]; then
		kill -STOP "$P"
		wait_for_state "$P" T || ok=0
	fi
	threads=$(ls "/proc/$P/task" | wc -l)
	zs=$(zombies_of "$P")
	n=$(wc -w <<<"$zs")
	[ "$n" -eq "$NZ" ] || ok=0
	SEEN=$((SEEN + n))

	# bench_now's value, read in place: its $(...) would time a fork too
	t0=${EPOCHREALTIME/,/.}
	"$PMON" reap --method inject "$P" >"$d/reap" 2>&1
	t1=${EPOCHREALTIME/,/.}
	TIMES+="$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.6f", b - a}') "

	left=0
	for z in $zs; do
		[ "$(proc_state "$z")" = Z ] && left=$((left + 1))
	done
	REAPED=$((REAPED + n - left))
	if [ "$kind" = stopped ]; then
		sleep 0.05
		[ "$(proc_state "$P")" = T ] || ok=0
		kill -CONT "$P"
	fi
	[ -d "/proc/$P" ] && ALIVE=$((ALIVE + 1))
	behaves "$k" "$out" "$fifo" "$threads" || ok=0
	BEHAVED=$((BEHAVED + ok))
	if [ "$ok" = 0 ] || [ "$left" -ne 0 ]; then
		echo "  $kind: a round went wrong; the parent said:" >&2
		sed 's/^/    /' "$out" "$d/reap" >&2
	fi
	stop_round
	rm -rf "$d"
}

echo "== pmon reap --method inject, $ROUNDS rounds of $NZ zombies per parent kind =="
printf '  %-10s %16s %14s %20s %14s\n' kind "zombies reaped" "parents alive" \
	"behaving as before" "inject median"
all_seen=0 all_reaped=0 all_alive=0 all_behaved=0 all_rounds=0
for kind in $KINDS; do
	[[ " $ALL_KINDS " == *" $kind "* ]] ||
		bench_die "unknown parent kind '$kind' in BENCH_REAP_KINDS (one of: $ALL_KINDS)"
	SEEN=0 REAPED=0 ALIVE=0 BEHAVED=0 TIMES=
	for ((r = 0; r < ROUNDS; r++)); do
		round "$kind"
	done
	# shellcheck disable=SC2086
	med=$([ -n "$TIMES" ] && bench_median $TIMES || echo 0)
	printf '  %-10s %16s %14s %20s %11.1f ms\n' "$kind" "$REAPED/$SEEN" \
		"$ALIVE/$ROUNDS" "$BEHAVED/$ROUNDS" "$(awk -v s="$med" 'BEGIN {print s * 1000}')"
	all_seen=$((all_seen + SEEN)) all_reaped=$((all_reaped + REAPED))
	all_alive=$((all_alive + ALIVE)) all_behaved=$((all_behaved + BEHAVED))
	all_rounds=$((all_rounds + ROUNDS))
done
echo "  (inject median: wall time of the whole pmon reap command, start to exit)"

want=$((all_rounds * NZ))
ok=0
[ "$all_seen" -eq "$want" ] && [ "$all_reaped" -eq "$want" ] &&
	[ "$all_alive" -eq "$all_rounds" ] && [ "$all_behaved" -eq "$all_rounds" ] && ok=1
bench_bar "inject reaps 100% of zombies for every parent kind and every parent survives and keeps working ($all_reaped/$want zombies, $all_alive/$all_rounds alive, $all_behaved/$all_rounds behaving)" "$ok"
bench_finish
