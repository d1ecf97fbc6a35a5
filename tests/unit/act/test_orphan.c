/*
 * test_orphan.c - telling adopted processes from the ones started where
 * they are, by evidence: each kind of orphan the seed's process lessons
 * make (the double fork, a job left by a closed terminal, a stopped
 * member of an orphaned process group, a child whose parent exited), and
 * the look-alikes that are not orphans (services, gettys, a shell's
 * jobs, the children of a subreaper it started itself).  Also signal
 * masks as names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "act/orphan.h"
#include "act/sigset.h"

#define NEED (ORPHAN_NEED | PI_COMM)

/* A process: pid, ppid, session, process group, state, tty. */
static struct proc P(pid_t pid, pid_t ppid, pid_t sid, pid_t pgrp, char state,
		     int tty)
{
	return (struct proc){.pid = pid, .ppid = ppid, .session = sid,
			     .pgrp = pgrp, .state = state, .tty_nr = tty,
			     .threads = 1, .comm = "x", .have = NEED};
}

/* What the fake descriptors say: pids whose fds are on a closed
 * terminal, and pids whose fds cannot be read. */
static pid_t on_terminal = -1, unreadable = -1;
static int asked;

static int fake_terminal(pid_t pid, char *path, size_t size, bool *closed)
{
	asked++;
	*closed = false;
	if (pid == unreadable)
		return -1;
	if (pid != on_terminal)
		return 0;
	snprintf(path, size, "/dev/pts/0 (deleted)");
	*closed = true;
	return 1;
}

static int setup(void **state)
{
	(void)state;
	on_terminal = unreadable = -1;
	asked = 0;
	return 0;
}

/* The kind orphans_find gives pid among procs (sorted by pid). */
static enum orphan_kind kind_of(const struct proc *procs, size_t n, pid_t pid,
				bool all, struct orphan_entry *got)
{
	struct orphan_entry *e;
	size_t k = orphans_find(procs, n, all, fake_terminal, &e);
	enum orphan_kind kind = ORPHAN_NONE;

	for (size_t i = 0; i < k; i++)
		if (procs[e[i].index].pid == pid) {
			kind = e[i].cls.kind;
			if (got)
				*got = e[i];
		}
	free(e);
	return kind;
}

/* init (session 0 here, as on this test machine), a login shell and its
 * terminal, a sshd, a service. */
#define BASE \
	P(1, 0, 0, 0, 'S', 0), \
	P(300, 1, 300, 300, 'S', 0),     /* sshd: a service, own session */ \
	P(400, 300, 400, 400, 'S', 0x8800) /* a login shell on pts/0 */

static void test_double_fork_daemon(void **state)
{
	/* The shell ran a program that forked 500, which called setsid()
	 * and forked 501, and 500 exited: 501 is in session 500, whose
	 * leader is gone, and init is not in that session. */
	struct proc procs[] = {BASE, P(501, 1, 500, 500, 'S', 0)};
	struct orphan_entry e;
	struct buf b = {0};

	(void)state;
	assert_int_equal(kind_of(procs, ARRAY_LEN(procs), 501, false, &e), ORPHAN_DAEMON);
	assert_true(e.cls.evidence & OE_REPARENTED);
	assert_true(e.cls.evidence & OE_LEADER_GONE);
	assert_true(e.cls.evidence & OE_NO_TERMINAL);
	assert_int_equal(e.facts.adopter, ADOPTER_INIT);
	assert_int_equal(asked, 1); /* only its descriptors were looked at */
	orphan_evidence_text(&e.facts, &e.cls, &b);
	assert_non_null(strstr(b.data, "the leader of session 500 has exited"));
	assert_non_null(strstr(b.data, "re-parented"));
	buf_reset(&b);
	orphan_adopter_text(&e.facts, &b);
	assert_string_equal(b.data, "init (PID 1, x)");
	buf_free(&b);
}

static void test_terminal_job(void **state)
{
	/* The shell 400 was killed with its terminal; its job 410 (own
	 * group, session 400) ignored the hangup.  The kernel took the
	 * controlling terminal away (tty 0), but fds 0-2 are still on it. */
	struct proc procs[] = {P(1, 0, 0, 0, 'S', 0), P(410, 1, 400, 410, 'S', 0)};
	struct orphan_entry e;
	struct buf b = {0};

	(void)state;
	on_terminal = 410;
	assert_int_equal(kind_of(procs, 2, 410, false, &e), ORPHAN_TERMINAL_JOB);
	assert_true(e.cls.evidence & OE_TERMINAL_CLOSED);
	orphan_evidence_text(&e.facts, &e.cls, &b);
	assert_non_null(strstr(b.data, "/dev/pts/0 (deleted), a terminal that has been closed"));
	buf_free(&b);
	/* Descriptors that cannot be read: a daemon, with the doubt said. */
	on_terminal = -1;
	unreadable = 410;
	assert_int_equal(kind_of(procs, 2, 410, false, &e), ORPHAN_DAEMON);
	assert_true(e.cls.evidence & OE_FDS_UNREADABLE);
}

static void test_stopped_orphaned_group(void **state)
{
	/* 601 is stopped, alone in group 601 of session 600 whose leader
	 * exited: its parent (init) is outside the session. */
	struct proc procs[] = {P(1, 0, 0, 0, 'S', 0), P(601, 1, 600, 601, 'T', 0),
			       /* the same, but its group still has a member
				* whose parent is in another group of the
				* session: job control can continue it */
			       P(700, 1, 700, 700, 'S', 0x8801),
			       P(701, 700, 700, 701, 'T', 0x8801)};
	struct orphan_entry e;
	struct buf b = {0};

	(void)state;
	assert_int_equal(kind_of(procs, 4, 601, false, &e), ORPHAN_STOPPED);
	assert_true(e.cls.evidence & OE_PGRP_ORPHANED);
	assert_true(e.cls.evidence & OE_LEADER_GONE);
	assert_int_equal(kind_of(procs, 4, 701, true, NULL), ORPHAN_NONE);
	assert_false(orphan_pgrp_orphaned(procs, 4, 701));
	assert_true(orphan_pgrp_orphaned(procs, 4, 601));
	/* The advice names SIGHUP when it ignores it. */
	procs[1].have |= PI_SIGNALS;
	procs[1].sig_ignored = 1ull << (SIGHUP - 1);
	kind_of(procs, 4, 601, false, &e);
	orphan_advice_text(&e.facts, &e.cls, &b);
	assert_non_null(strstr(b.data, "pmon kill -s CONT 601"));
	assert_non_null(strstr(b.data, "ignores SIGHUP"));
	buf_free(&b);
}

static void test_stopped_not_adopted(void **state)
{
	/* A job leader 801 was adopted; its child 802 (same group, its real
	 * parent) is stopped: the group is orphaned, so 802 is listed too,
	 * though nobody adopted it. */
	struct proc procs[] = {P(1, 0, 0, 0, 'S', 0), P(801, 1, 800, 801, 'S', 0),
			       P(802, 801, 800, 801, 'T', 0)};
	struct orphan_entry e;

	(void)state;
	assert_int_equal(kind_of(procs, 3, 802, false, &e), ORPHAN_STOPPED);
	assert_false(e.cls.evidence & OE_REPARENTED);
}

static void test_adopted_in_live_session(void **state)
{
	/* `(sleep 100 &)` in the login shell 400: the subshell exited, its
	 * child 420 went to init; the shell still leads session 400. */
	struct proc procs[] = {BASE, P(420, 1, 400, 400, 'S', 0x8800)};

	(void)state;
	assert_int_equal(kind_of(procs, ARRAY_LEN(procs), 420, false, NULL), ORPHAN_ADOPTED);
	assert_int_equal(asked, 0); /* the live session decides it */
}

static void test_not_orphans(void **state)
{
	struct proc procs[] = {
		BASE,
		P(310, 1, 0, 0, 'S', 0),          /* started by init, its session */
		P(320, 1, 320, 320, 'S', 0x0401),  /* a getty on tty1 */
		P(430, 400, 400, 430, 'S', 0x8800),/* a job of the shell */
		P(431, 430, 400, 430, 'S', 0x8800),/* a pipeline member */
		P(440, 400, 440, 440, 'S', 0),     /* setsid by the shell */
		P(450, 1, 450, 450, 'Z', 0),       /* a zombie */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(procs); i++)
		assert_int_equal(kind_of(procs, ARRAY_LEN(procs), procs[i].pid,
					 false, NULL), ORPHAN_NONE);
	/* sshd leads its own session under init: only with --all. */
	assert_int_equal(kind_of(procs, ARRAY_LEN(procs), 300, true, NULL),
			 ORPHAN_OWN_SESSION);
}

static void test_subreaper(void **state)
{
	/* A subreaper 900 (session 900) whose child 905 forked 906 (after
	 * setsid: session 905) and exited: 906 went to 900, which proves
	 * 900 adopts.  910 is a child 900 started itself, in its session:
	 * no evidence, not listed.  920 leads its own session under the
	 * proven subreaper: listed with --all only. */
	struct proc procs[] = {
		P(1, 0, 0, 0, 'S', 0), P(900, 1, 900, 900, 'S', 0),
		P(906, 900, 905, 905, 'S', 0), P(910, 900, 900, 910, 'S', 0),
		P(920, 900, 920, 920, 'S', 0),
	};
	struct orphan_entry e;
	struct buf b = {0};

	(void)state;
	procs[1].comm = "systemd";
	assert_int_equal(kind_of(procs, 5, 906, false, &e), ORPHAN_DAEMON);
	assert_int_equal(e.facts.adopter, ADOPTER_SUBREAPER);
	assert_true(e.facts.parent_adopts);
	orphan_adopter_text(&e.facts, &b);
	assert_string_equal(b.data, "PID 900 (systemd), a child subreaper");
	buf_free(&b);
	assert_int_equal(kind_of(procs, 5, 910, true, NULL), ORPHAN_NONE);
	assert_int_equal(kind_of(procs, 5, 920, false, NULL), ORPHAN_NONE);
	assert_int_equal(kind_of(procs, 5, 920, true, NULL), ORPHAN_OWN_SESSION);
}

static void test_namespace_init(void **state)
{
	/* 1000 is PID 1 of a container (NSpid ends in 1); 1005 was adopted
	 * by it. */
	struct proc procs[] = {P(1, 0, 0, 0, 'S', 0), P(1000, 1, 1000, 1000, 'S', 0),
			       P(1005, 1000, 1003, 1003, 'S', 0)};
	struct orphan_entry e;
	struct buf b = {0};

	(void)state;
	procs[1].have |= PI_TRACE;
	procs[1].ns_levels = 2;
	procs[1].ns_pids[0] = 1000;
	procs[1].ns_pids[1] = 1;
	procs[1].comm = "tini";
	assert_int_equal(kind_of(procs, 3, 1005, false, &e), ORPHAN_DAEMON);
	assert_int_equal(e.facts.adopter, ADOPTER_NS_INIT);
	orphan_adopter_text(&e.facts, &b);
	assert_string_equal(b.data, "PID 1000 (tini), the init of its PID namespace");
	buf_free(&b);
	/* The container's init itself is no orphan. */
	assert_int_equal(kind_of(procs, 3, 1000, true, NULL), ORPHAN_NONE);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(orphan_kind_name(ORPHAN_DAEMON), "daemon");
	assert_string_equal(orphan_kind_name(ORPHAN_TERMINAL_JOB), "terminal-job");
	assert_string_equal(orphan_kind_name(ORPHAN_KINDS), "none");
	for (int k = ORPHAN_DAEMON; k < ORPHAN_KINDS; k++)
		assert_true(strlen(orphan_kind_title((enum orphan_kind)k)) > 10);
}

static void test_sigsets(void **state)
{
	struct buf b = {0};
	int sigs[4];

	(void)state;
	sigset_describe(0, &b);
	assert_string_equal(b.data, "none");
	buf_reset(&b);
	sigset_describe((1ull << (SIGHUP - 1)) | (1ull << (SIGUSR1 - 1)) |
			(1ull << (SIGCHLD - 1)), &b);
	assert_string_equal(b.data, "HUP, USR1, CHLD");
	buf_reset(&b);
	sigset_describe(1ull << (SIGRTMIN + 1 - 1), &b);
	assert_string_equal(b.data, "RTMIN+1");
	buf_free(&b);
	assert_int_equal(sigset_list(0x14002ull, sigs, 4), 3);
	assert_int_equal(sigs[0], 2);
	assert_int_equal(sigs[1], 15);
	assert_int_equal(sigs[2], 17);
	assert_int_equal(sigset_list(~0ull, sigs, 4), 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_double_fork_daemon, setup),
		cmocka_unit_test_setup(test_terminal_job, setup),
		cmocka_unit_test_setup(test_stopped_orphaned_group, setup),
		cmocka_unit_test_setup(test_stopped_not_adopted, setup),
		cmocka_unit_test_setup(test_adopted_in_live_session, setup),
		cmocka_unit_test_setup(test_not_orphans, setup),
		cmocka_unit_test_setup(test_subreaper, setup),
		cmocka_unit_test_setup(test_namespace_init, setup),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_sigsets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
