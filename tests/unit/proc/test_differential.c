/*
 * test_differential.c - pmon's own reader against procps-ng's libproc2,
 * on every process of the machine: pid, ppid, state, tty, pgrp, session,
 * tpgid, nice, threads, start time, uid, RSS and comm must agree.  A
 * process that changed between the two reads (a sleeper that woke, a
 * process that grew) is read again by both; only a disagreement that
 * lasts three rounds fails.  Then the same for the watch (top's reader).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libproc2/pids.h>

#include "proc/backend.h"
#include "proc/proc.h"
#include "proc/watch.h"

static enum pids_item items[] = {
	PIDS_ID_PID, PIDS_ID_PPID, PIDS_STATE, PIDS_TTY, PIDS_ID_PGRP,
	PIDS_ID_SESSION, PIDS_ID_TPGID, PIDS_NICE, PIDS_NLWP, PIDS_TICS_BEGAN,
	PIDS_ID_EUID, PIDS_VM_RSS, PIDS_CMD,
};
enum { I_PID, I_PPID, I_STATE, I_TTY, I_PGRP, I_SID, I_TPGID, I_NICE,
       I_NLWP, I_BEGAN, I_EUID, I_RSS, I_CMD };

#define NEED (PI_PPID | PI_STATE | PI_STAT | PI_TTY | PI_NICE | PI_THREADS | \
	      PI_START | PI_UID | PI_RSS | PI_COMM | PI_LOCKED)

/* libproc2's values of one process, copied out of its stack. */
struct ref_values {
	long long v[I_CMD];
	char comm[64];
};

static void ref_values(struct pids_stack *s, struct pids_info *info,
		       struct ref_values *r)
{
	(void)info; /* PIDS_VAL's argument, unused by libproc2 4.0.2 */
#define V(i, t) PIDS_VAL(i, t, s, info)
	r->v[I_PID] = V(I_PID, s_int);
	r->v[I_PPID] = V(I_PPID, s_int);
	r->v[I_STATE] = V(I_STATE, s_ch);
	r->v[I_TTY] = V(I_TTY, s_int);
	r->v[I_PGRP] = V(I_PGRP, s_int);
	r->v[I_SID] = V(I_SID, s_int);
	r->v[I_TPGID] = V(I_TPGID, s_int);
	r->v[I_NICE] = V(I_NICE, s_int);
	r->v[I_NLWP] = V(I_NLWP, s_int);
	r->v[I_BEGAN] = (long long)V(I_BEGAN, ull_int);
	r->v[I_EUID] = V(I_EUID, u_int);
	/* VmRSS; 0 where status has none (kernel threads, zombies), as
	 * pmon gives it. */
	r->v[I_RSS] = (long long)V(I_RSS, ul_int);
	snprintf(r->comm, sizeof(r->comm), "%s", V(I_CMD, str));
#undef V
}

static const char *const names[] = {
	"pid", "ppid", "state", "tty", "pgrp", "session", "tpgid", "nice",
	"threads", "start time", "uid", "rss",
};

/* Whether pmon's raw name is libproc2's: libproc2 shows each control
 * byte as '.' and, outside a UTF-8 locale, each byte above 0x7f as '?'
 * (seen with a name holding \n, ESC, 0xff and an e-acute), so a process
 * that names itself so is no disagreement. */
static bool same_comm(const char *mine, const char *theirs)
{
	if (strlen(mine) != strlen(theirs))
		return false;
	for (; *mine; mine++, theirs++) {
		unsigned char c = (unsigned char)*mine;

		if (c != (unsigned char)*theirs &&
		    !((c < 0x20 || c == 0x7f) && *theirs == '.') &&
		    !(c >= 0x80 && *theirs == '?'))
			return false;
	}
	return true;
}

/* The first field where pmon's p is neither a's nor b's value nor between
 * them (libproc2 read just before and just after pmon), or NULL. */
static const char *differs(const struct proc *p, const struct ref_values *a,
			   const struct ref_values *b)
{
	const long long mine[I_CMD] = {
		p->pid, p->ppid, p->state, p->tty_nr, p->pgrp, p->session,
		p->tpgid, p->nice, p->threads, (long long)p->start_ticks,
		p->uid, (long long)p->rss_kb,
	};

	for (int i = 0; i < I_CMD; i++) {
		long long lo = a->v[i] < b->v[i] ? a->v[i] : b->v[i];
		long long hi = a->v[i] < b->v[i] ? b->v[i] : a->v[i];

		if (mine[i] < lo || mine[i] > hi)
			return names[i];
	}
	if (!same_comm(p->comm, a->comm) && !same_comm(p->comm, b->comm))
		return "comm";
	return NULL;
}

/* The reader under test: its processes now, and how to read again. */
struct reader_under_test {
	const struct proc *(*find)(struct reader_under_test *r, pid_t pid);
	const struct proc *(*reread)(struct reader_under_test *r, pid_t pid);
	struct snapshot snap, one;
	struct procwatch *w;
};

static const struct proc *snap_find(struct reader_under_test *r, pid_t pid)
{
	return snapshot_find(&r->snap, pid);
}

static const struct proc *snap_reread(struct reader_under_test *r, pid_t pid)
{
	struct snapshot_query q = {.need = NEED, .pids = &pid, .npids = 1};

	snapshot_free(&r->one);
	assert_int_equal(snapshot_take(&r->one, &q), 0);
	return snapshot_find(&r->one, pid);
}

static const struct proc *watch_find(struct reader_under_test *r, pid_t pid)
{
	for (size_t k = 0; k < r->w->n; k++)
		if (r->w->procs[k].pid == pid)
			return &r->w->procs[k];
	return NULL;
}

/* A refresh, then the row fetched as top fetches the rows it shows: a
 * process that has not run since the last refresh is not read again, so
 * its state may be one it has left without running yet (woken, waiting
 * for a CPU: seen with a kworker while make check loaded both CPUs), as
 * watch.h says; a row shown is read in full. */
static const struct proc *watch_reread(struct reader_under_test *r, pid_t pid)
{
	const struct proc *p;
	int32_t row;

	assert_int_equal(procwatch_refresh(r->w), 0);
	p = watch_find(r, pid);
	if (!p)
		return NULL;
	row = (int32_t)(p - r->w->procs);
	/* The table as the refresh left it, before the fetch mends it: a
	 * row's name is in its own extras (a settled row is not recomputed). */
	assert_ptr_equal(p->comm, r->w->extra[row].comm);
	procwatch_fetch(r->w, &row, 1, PI_CHANGES_IDLE);
	return p;
}

/* libproc2's reading of pid now; 0, or -1 when it is gone or replaced. */
static int ref_read(struct pids_info *info, pid_t pid, unsigned long long began,
		    struct ref_values *r)
{
	unsigned one = (unsigned)pid;
	struct pids_fetch *f = procps_pids_select(info, &one, 1, PIDS_SELECT_PID);

	if (!f || f->counts->total != 1)
		return -1;
	ref_values(f->stacks[0], info, r);
	return (unsigned long long)r->v[I_BEGAN] == began ? 0 : -1;
}

/* Read pid again, libproc2 just before and just after pmon: 1 agree, 0
 * differ (*what says where), -1 gone or replaced. */
static int agree_now(struct reader_under_test *r, struct pids_info *info,
		     pid_t pid, unsigned long long began, const char **what)
{
	struct ref_values before, after;
	const struct proc *p;

	if (ref_read(info, pid, began, &before) < 0)
		return -1;
	p = r->reread(r, pid);
	if (!p || p->start_ticks != began || ref_read(info, pid, began, &after) < 0)
		return -1;
	*what = differs(p, &before, &after);
	return *what == NULL;
}

/* Every process the reader read, compared with what libproc2 reads;
 * returns how many were compared. */
static size_t compare_all(struct reader_under_test *r)
{
	struct pids_info *info = NULL;
	struct pids_fetch *f;
	pid_t *pids;
	unsigned long long *began;
	struct ref_values *first;
	size_t compared = 0, lasting = 0, n;

	assert_int_equal(procps_pids_new(&info, items, ARRAY_LEN(items)), 0);
	f = procps_pids_reap(info, PIDS_FETCH_TASKS_ONLY);
	assert_non_null(f);
	/* The reap's stacks are reused by each select: keep its pids. */
	n = (size_t)f->counts->total;
	pids = calloc(n + 1, sizeof(*pids));
	began = calloc(n + 1, sizeof(*began));
	first = calloc(n + 1, sizeof(*first));
	for (size_t i = 0; i < n; i++) {
		ref_values(f->stacks[i], info, &first[i]);
		pids[i] = (pid_t)first[i].v[I_PID];
		began[i] = (unsigned long long)first[i].v[I_BEGAN];
	}
	for (size_t i = 0; i < n; i++) {
		const struct proc *p = r->find(r, pids[i]);
		const char *what = NULL;
		int rc = 0;

		if (!p || p->start_ticks != began[i])
			continue; /* started or ended between the reads */
		compared++;
		what = differs(p, &first[i], &first[i]);
		rc = what == NULL;
		/* A disagreement may be a change between the reads: up to
		 * three more rounds, each reading both again. */
		for (int round = 0; round < 3 && rc == 0; round++)
			rc = agree_now(r, info, pids[i], began[i], &what);
		if (rc == 0) {
			print_message("pid %d: %s differs\n", (int)pids[i], what);
			lasting++;
		}
	}
	free(pids);
	free(began);
	free(first);
	procps_pids_unref(&info);
	assert_int_equal(lasting, 0);
	return compared;
}

static void test_snapshot_agrees_with_libproc2(void **state)
{
	struct reader_under_test r = {.find = snap_find, .reread = snap_reread};
	struct snapshot_query q = {.need = NEED};

	(void)state;
	assert_int_equal(snapshot_take(&r.snap, &q), 0);
	/* the machine has more than us and our parent */
	assert_true(compare_all(&r) > 2);
	snapshot_free(&r.snap);
	snapshot_free(&r.one);
}

static void test_watch_agrees_with_libproc2(void **state)
{
	struct procwatch w;
	struct reader_under_test r = {.find = watch_find, .reread = watch_reread, .w = &w};
	size_t compared;

	(void)state;
	assert_int_equal(procwatch_open(&w, false), 0);
	compared = compare_all(&r);
	procwatch_close(&w);
	assert_true(compared > 2);
}

/* A process of the test's own with a name any user may choose: control
 * bytes and bytes above 0x7f, which libproc2 shows otherwise. */
static pid_t hostile;

static int start_hostile(void **state)
{
	int ready[2];
	char c;

	(void)state;
	if (pipe(ready) < 0)
		return -1;
	hostile = fork();
	if (hostile == 0) {
		prctl(PR_SET_NAME, "a\nb\x1b[c\xff\xc3\xa9", 0, 0, 0);
		close(ready[0]);
		close(ready[1]); /* named: the parent may look */
		pause();
		_exit(0);
	}
	close(ready[1]);
	if (hostile < 0 || read(ready[0], &c, 1) < 0)
		return -1;
	close(ready[0]);
	return 0;
}

static int stop_hostile(void **state)
{
	(void)state;
	if (hostile > 0) {
		kill(hostile, SIGKILL);
		waitpid(hostile, NULL, 0);
	}
	return 0;
}

int main(void)
{
	struct buf why = {0};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot_agrees_with_libproc2),
		cmocka_unit_test(test_watch_agrees_with_libproc2),
	};

	/* These test pmon's own /proc reader, whatever the machine offers
	 * (backend.h); test_bpf_differential.c ties the BPF backend to it. */
	if (proc_backend_choose("proc", &why) < 0)
		return 1;
	return cmocka_run_group_tests(tests, start_hostile, stop_hostile);
}
