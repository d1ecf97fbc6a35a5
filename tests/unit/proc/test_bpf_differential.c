/*
 * test_bpf_differential.c - the BPF backend against the /proc backend on
 * every process of the machine: ppid, state, STAT (with L), threads,
 * nice, priority, uid, comm, start time, CPU time, RSS, virtual and
 * shared size, session, pgrp, tpgid and terminal must agree.  pmon's own
 * /proc reader is itself checked against libproc2 (test_differential.c),
 * so this ties the iterator to procps.
 *
 * The /proc backend reads the table just before and just after the BPF
 * backend; a value must lie between the two.  A process that changed
 * meanwhile (a sleeper that woke, one that grew) is read again by both,
 * up to three rounds; only a disagreement that lasts fails.  A process
 * that both /proc readings show must be in the BPF snapshot too, whether
 * the pass showed it or /proc had to (see taskiter.h: the PID 1 of the
 * VM this was written on, and its threads, are never visited by the
 * iterator; the test prints which processes the pass left out).
 *
 * Run twice: with the walk where the kernel has it, then through the
 * iterator (PMON_BPF_PASS=iterator).  Skips, saying why, where the
 * backend cannot run: not built, no privilege, or a kernel that refuses
 * the program.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/backend.h"
#include "proc/bpf.h"
#include "proc/proc.h"
#include "proc/taskiter.h"
#include "proc/watch.h"

#define NEED (PI_PPID | PI_STATE | PI_STAT | PI_LOCKED | PI_UID | PI_COMM | \
	      PI_THREADS | PI_NICE | PI_RSS | PI_START | PI_CPU | PI_MEM | PI_TTY)

enum { F_PPID, F_STATE, F_THREADS, F_NICE, F_PRIO, F_UID, F_START, F_CPU,
       F_RSS, F_VSIZE, F_SHARED, F_SESSION, F_PGRP, F_TPGID, F_TTY, F_LOCKED,
       NF };
static const char *const names[NF] = {
	"ppid", "state", "threads", "nice", "priority", "uid", "start time",
	"CPU time", "rss", "vsize", "shared", "session", "pgrp", "tpgid", "tty",
	"locked",
};

static void values_of(const struct proc *p, long long v[NF])
{
	const long long all[NF] = {
		p->ppid, p->state, p->threads, p->nice, p->priority, p->uid,
		(long long)p->start_ticks, (long long)p->cpu_ticks,
		(long long)p->rss_kb, (long long)p->vsize_kb,
		(long long)p->shared_kb, p->session, p->pgrp, p->tpgid,
		p->tty_nr, p->locked,
	};

	memcpy(v, all, sizeof(all));
}

/* The first item where p is neither a's nor b's nor between them, or
 * NULL.  STAT is compared only when `stat`: the watch's has no L. */
static const char *differs(const struct proc *p, const struct proc *a,
			   const struct proc *b, bool stat)
{
	long long mine[NF], va[NF], vb[NF];

	values_of(p, mine);
	values_of(a, va);
	values_of(b, vb);
	for (int i = 0; i < NF; i++) {
		long long lo = va[i] < vb[i] ? va[i] : vb[i];
		long long hi = va[i] < vb[i] ? vb[i] : va[i];

		if (mine[i] < lo || mine[i] > hi)
			return names[i];
	}
	if (strcmp(p->comm, a->comm) != 0 && strcmp(p->comm, b->comm) != 0)
		return "comm";
	if (stat && strcmp(p->stat, a->stat) != 0 && strcmp(p->stat, b->stat) != 0)
		return "STAT";
	return NULL;
}

/* ---- taking snapshots with a chosen backend ---------------------------------- */

static void choose(const char *backend)
{
	struct buf why = {0};

	assert_int_equal(proc_backend_choose(backend, &why), 0);
	buf_free(&why);
}

static void take(const char *backend, struct snapshot *s, unsigned need,
		 const pid_t *pids, size_t npids)
{
	struct snapshot_query q = {.need = need, .pids = pids, .npids = npids};

	choose(backend);
	assert_int_equal(snapshot_take(s, &q), 0);
}

/* Whether the BPF backend works here; if not, why, in why (skip). */
static bool bpf_works(char *why, size_t size)
{
	struct buf b = {0};
	struct snapshot s;
	struct snapshot_query q = {.need = PI_PPID};
	bool ok = proc_backend_choose("bpf", &b) == 0;

	snprintf(why, size, "%s", ok ? "" : b.data);
	buf_free(&b);
	if (ok && snapshot_take(&s, &q) < 0) {
		snprintf(why, size, "the kernel refused the program: %s", strerror(errno));
		ok = false;
	}
	if (ok)
		snapshot_free(&s);
	return ok;
}

#define SKIP_UNLESS_BPF()                                                   \
	do {                                                                \
		char why_[256];                                             \
		if (!bpf_works(why_, sizeof(why_))) {                       \
			printf("# skip: %s\n", why_);      \
			skip();                                             \
		}                                                           \
	} while (0)

/* ---- the snapshot ----------------------------------------------------------------- */

/* Read pid again with both, /proc before and after: 1 agree, 0 differ
 * (*what), -1 gone or replaced. */
static int agree_now(pid_t pid, unsigned long long began, const char **what)
{
	struct snapshot a, b, mine;
	const struct proc *pa, *pb, *pm;
	int rc = -1;

	take("proc", &a, NEED, &pid, 1);
	take("bpf", &mine, NEED, &pid, 1);
	take("proc", &b, NEED, &pid, 1);
	pa = snapshot_find(&a, pid);
	pb = snapshot_find(&b, pid);
	pm = snapshot_find(&mine, pid);
	if (pa && pb && pm && pa->start_ticks == began && pb->start_ticks == began &&
	    pm->start_ticks == began) {
		*what = differs(pm, pa, pb, true);
		rc = *what == NULL;
	}
	snapshot_free(&a);
	snapshot_free(&b);
	snapshot_free(&mine);
	return rc;
}

/* The processes a pass of the iterator leaves out (that /proc shows
 * before and after it), printed: the snapshot reads those from /proc. */
static void print_left_out(void)
{
	struct snapshot before, after;
	struct taskiter it;
	size_t out = 0;

	take("proc", &before, PI_COMM, NULL, 0);
	choose("bpf");
	if (taskiter_open(&it, true, PI_ALL) != 1 || taskiter_pass(&it) < 0) {
		taskiter_close(&it);
		snapshot_free(&before);
		return;
	}
	take("proc", &after, PI_COMM, NULL, 0);
	for (size_t i = 0; i < before.n; i++) {
		const struct proc *a = &before.procs[i];
		const struct proc *b = snapshot_find(&after, a->pid);

		if (!b || b->start_ticks != a->start_ticks || taskrec_find(&it.pass, a->pid))
			continue;
		printf("# not in a pass, read from /proc: %d (%s)\n", (int)a->pid, a->comm);
		out++;
	}
	printf("# a pass showed %zu processes (%zu tasks), left out %zu\n",
	       it.pass.n, it.pass.tasks, out);
	taskiter_close(&it);
	snapshot_free(&before);
	snapshot_free(&after);
}

static void test_snapshot_agrees_with_proc(void **state)
{
	struct snapshot before, mine, after;
	size_t compared = 0, reread = 0, lasting = 0, missing = 0;

	(void)state;
	SKIP_UNLESS_BPF();
	take("proc", &before, NEED, NULL, 0);
	take("bpf", &mine, NEED, NULL, 0);
	take("proc", &after, NEED, NULL, 0);
	for (size_t i = 0; i < before.n; i++) {
		const struct proc *a = &before.procs[i];
		const struct proc *b = snapshot_find(&after, a->pid);
		const struct proc *p = snapshot_find(&mine, a->pid);
		const char *what;
		int rc;

		if (!b || b->start_ticks != a->start_ticks)
			continue; /* ended or replaced between the readings */
		if (!p || p->start_ticks != a->start_ticks) {
			printf("# pid %d (%s): not in the bpf snapshot\n", (int)a->pid, a->comm);
			missing++;
			continue;
		}
		compared++;
		what = differs(p, a, b, true);
		rc = what == NULL;
		reread += !rc;
		for (int round = 0; round < 3 && rc == 0; round++)
			rc = agree_now(a->pid, a->start_ticks, &what);
		if (rc == 0) {
			printf("# pid %d (%s): %s differs\n", (int)a->pid, a->comm, what);
			lasting++;
		}
	}
	printf("# compared %zu processes, %zu read again, %zu differ\n", compared,
	       reread, lasting);
	print_left_out();
	snapshot_free(&before);
	snapshot_free(&mine);
	snapshot_free(&after);
	assert_int_equal(missing, 0);
	assert_int_equal(lasting, 0);
	assert_true(compared > 2);
}

/* A list of pids, with bpf forced: the pass is filtered, a pid that is a
 * thread is no process, and one the pass does not show (PID 1 here) is
 * read from /proc. */
static void test_snapshot_of_pids(void **state)
{
	struct snapshot some;
	pid_t pids[4];
	struct proc_thread *threads = NULL;
	int n;

	(void)state;
	SKIP_UNLESS_BPF();
	pids[0] = 1;
	pids[1] = getpid();
	pids[2] = 1 << 30; /* no such pid */
	pids[3] = getpid();
	/* A thread of PID 1, if it has one, is no process. */
	n = proc_threads(1, &threads);
	for (int i = 0; i < n; i++)
		if (threads[i].tid != 1)
			pids[3] = threads[i].tid;
	free(threads);
	/* With status read, as pmon ps reads it (see snapshot_query). */
	take("bpf", &some, PI_PPID | PI_COMM | PI_LOCKED, pids, 4);
	assert_non_null(snapshot_find(&some, 1));
	assert_non_null(snapshot_find(&some, getpid()));
	assert_null(snapshot_find(&some, pids[2]));
	assert_int_equal(some.n, 2);
	snapshot_free(&some);
}

/* ---- the watch ---------------------------------------------------------------------- */

#define WATCH_NEED (NEED & ~(unsigned)PI_LOCKED)

static const struct proc *watch_find(const struct procwatch *w, pid_t pid)
{
	for (size_t k = 0; k < w->n; k++)
		if (w->procs[k].pid == pid)
			return &w->procs[k];
	return NULL;
}

static int watch_agrees_now(struct procwatch *w, pid_t pid,
			    unsigned long long began, const char **what)
{
	struct snapshot a, b;
	const struct proc *pa, *pb, *pm;
	int rc = -1;

	take("proc", &a, WATCH_NEED, &pid, 1);
	assert_int_equal(procwatch_refresh(w), 0);
	take("proc", &b, WATCH_NEED, &pid, 1);
	pa = snapshot_find(&a, pid);
	pb = snapshot_find(&b, pid);
	pm = watch_find(w, pid);
	if (pa && pb && pm && pa->start_ticks == began && pb->start_ticks == began &&
	    pm->start_ticks == began) {
		*what = differs(pm, pa, pb, true);
		rc = *what == NULL;
	}
	snapshot_free(&a);
	snapshot_free(&b);
	return rc;
}

static void test_watch_agrees_with_proc(void **state)
{
	struct snapshot before, after;
	struct procwatch w;
	size_t compared = 0, lasting = 0;

	(void)state;
	SKIP_UNLESS_BPF();
	take("proc", &before, WATCH_NEED, NULL, 0);
	choose("bpf");
	assert_int_equal(procwatch_open(&w, false), 0);
	assert_non_null(w.iter); /* it reads with BPF */
	/* ... the walk, where the kernel has it, unless told otherwise */
	if (bpf_walk_loaded() && !getenv("PMON_BPF_PASS"))
		assert_string_equal(bpf_pass_way(), "walk");
	else
		assert_string_equal(bpf_pass_way(), "iterator");
	take("proc", &after, WATCH_NEED, NULL, 0);
	for (size_t i = 0; i < before.n; i++) {
		const struct proc *a = &before.procs[i];
		const struct proc *b = snapshot_find(&after, a->pid);
		const struct proc *p = watch_find(&w, a->pid);
		const char *what;
		int rc;

		if (!b || b->start_ticks != a->start_ticks || !p ||
		    p->start_ticks != a->start_ticks)
			continue;
		compared++;
		what = differs(p, a, b, true);
		rc = what == NULL;
		for (int round = 0; round < 3 && rc == 0; round++)
			rc = watch_agrees_now(&w, a->pid, a->start_ticks, &what);
		if (rc == 0) {
			printf("# pid %d (%s): %s differs in the watch\n", (int)a->pid,
			       a->comm, what);
			lasting++;
		}
	}
	/* Every process the snapshot of /proc had is in the watch. */
	assert_non_null(watch_find(&w, 1));
	procwatch_close(&w);
	snapshot_free(&before);
	snapshot_free(&after);
	assert_int_equal(lasting, 0);
	assert_true(compared > 2);
}

int main(void)
{
	/* The walk is loaded only to be pinned (bpf.h): loaded here first,
	 * the forced backend reads with it. */
	(void)bpf_load(true, NULL);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot_agrees_with_proc),
		cmocka_unit_test(test_snapshot_of_pids),
		cmocka_unit_test(test_watch_agrees_with_proc),
	};

	int failed = cmocka_run_group_tests_name("the walk (the iterator where the "
						 "kernel has no walk)", tests, NULL, NULL);

	/* The same through the iterator on a kernel that has the walk. */
	setenv("PMON_BPF_PASS", "iterator", 1);
	return failed + cmocka_run_group_tests_name("the iterator", tests, NULL, NULL);
}
