/*
 * bpfscan.c - a snapshot from one pass of the BPF task iterator (see
 * taskiter.h): the processes of the pass filled in as /proc would fill
 * them, /proc read for the items the iterator does not give (command
 * lines, signal masks, I/O, a workqueue worker's name) for the rows that
 * need them, and for the processes the pass did not show.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/backend.h"
#include "proc/reader.h"
#include "proc/taskiter.h"
#include "util/strpool.h"

/* ---- what a pass may have missed ----------------------------------------- */

long taskiter_tasks_now(int procfd, int *fd)
{
	char text[128];
	long tasks;

	if (*fd < 0)
		*fd = openat(procfd, "loadavg", O_RDONLY | O_CLOEXEC);
	if (*fd < 0 || procfs_pread(*fd, text, sizeof(text)) <= 0 ||
	    sscanf(text, "%*f %*f %*f %*d/%ld", &tasks) != 1)
		return -1;
	return tasks;
}

bool taskiter_incomplete(const struct taskiter *it, size_t extra_tasks,
			 long before, long after)
{
	long seen = (long)(it->pass.tasks + extra_tasks);
	long lo = before < after ? before : after, hi = before < after ? after : before;

	return it->pass.pidns_level != 0 || lo < 0 || seen < lo || seen > hi;
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static void push_pid(pid_t **pids, size_t *n, size_t *cap, pid_t pid)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		*pids = xreallocarray(*pids, *cap, sizeof(pid_t));
	}
	(*pids)[(*n)++] = pid;
}

/* Sort pids[from..n) and drop repeats there. */
static void sort_unique(pid_t *pids, size_t from, size_t *n)
{
	size_t out = from;

	qsort(pids + from, *n - from, sizeof(pid_t), pid_cmp);
	for (size_t i = from; i < *n; i++)
		if (i == from || pids[i] != pids[out - 1])
			pids[out++] = pids[i];
	*n = out;
}

void taskiter_missing_parents(const struct taskiter *it, pid_t **pids,
			      size_t *n, size_t *cap)
{
	size_t from = *n;

	for (size_t i = 0; i < it->pass.n; i++) {
		pid_t ppid = it->pass.procs[i].t->ppid;

		if (ppid > 0 && !taskrec_find(&it->pass, ppid))
			push_pid(pids, n, cap, ppid);
	}
	sort_unique(*pids, from, n);
}

/* ---- the snapshot ------------------------------------------------------------ */

struct bpf_scan {
	struct snapshot *s;
	const struct reader *r;
	struct taskiter it;
	struct reader_bufs bufs;
	size_t cap;
	size_t extra_tasks;   /* tasks of the processes read from /proc */
};

static struct proc *new_row(struct bpf_scan *b)
{
	struct snapshot *s = b->s;

	if (s->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 1024;
		s->procs = xreallocarray(s->procs, b->cap, sizeof(*s->procs));
	}
	return &s->procs[s->n];
}

static bool query_has(const struct snapshot_query *q, pid_t pid)
{
	for (size_t i = 0; i < q->npids; i++)
		if (q->pids[i] == pid)
			return true;
	return q->npids == 0;
}

static bool uid_wanted(const struct snapshot_query *q, uid_t uid)
{
	for (size_t i = 0; i < q->nuids; i++)
		if (q->uids[i] == uid)
			return true;
	return q->nuids == 0;
}

/* The processes of the pass that the query selects. */
static void rows_from_pass(struct bpf_scan *b, const struct snapshot_query *q)
{
	const struct taskrec_pass *pass = &b->it.pass;

	for (size_t i = 0; i < pass->n; i++) {
		const struct taskrec *t = &pass->procs[i];
		struct proc *p;

		if (!query_has(q, t->t->pid) || !uid_wanted(q, t->t->euid))
			continue;
		p = new_row(b);
		taskrec_fill(t, b->s->have, &b->s->clock, p);
		p->have = b->s->have & ~(unsigned)PI_TAIL;
		p->comm = strpool_strdup(b->s->pool, t->t->comm);
		b->s->n++;
	}
}

/* A process the pass did not show, read from /proc in full (-1 when
 * gone, 0 when not wanted); its tasks are counted either way. */
static void read_hidden(struct bpf_scan *b, pid_t pid)
{
	struct proc *p = new_row(b);
	int rc = reader_read(b->r, pid, NULL, p, b->s->pool, &b->bufs);

	if (rc >= 0 && p->threads > 0)
		b->extra_tasks += (size_t)p->threads;
	if (rc > 0)
		b->s->n++;
}

static bool already_read(const struct snapshot *s, size_t from, pid_t pid)
{
	for (size_t i = from; i < s->n; i++)
		if (s->procs[i].pid == pid)
			return true;
	return false;
}

/* Every process /proc lists that the pass and the reads so far did not
 * show (a listing costs 1 us a process: only when counts disagree). */
static void read_listed(struct bpf_scan *b, size_t hidden_from)
{
	pid_t *pids = NULL;
	size_t cap = 0;
	ssize_t n = procfs_list_pids(b->r->procfd, &pids, &cap);

	for (ssize_t i = 0; i < n; i++)
		if (!taskrec_find(&b->it.pass, pids[i]) &&
		    !already_read(b->s, hidden_from, pids[i]))
			read_hidden(b, pids[i]);
	free(pids);
}

static void read_hidden_all(struct bpf_scan *b, const struct snapshot_query *q,
			    long before, long after)
{
	pid_t *pids = NULL;
	size_t n = 0, cap = 0, from = b->s->n;

	taskiter_missing_parents(&b->it, &pids, &n, &cap);
	for (size_t i = 0; i < q->npids; i++)
		if (!taskrec_find(&b->it.pass, q->pids[i]))
			push_pid(&pids, &n, &cap, q->pids[i]);
	sort_unique(pids, 0, &n);
	for (size_t i = 0; i < n; i++)
		if (query_has(q, pids[i]))
			read_hidden(b, pids[i]);
	free(pids);
	if (!q->npids && taskiter_incomplete(&b->it, b->extra_tasks, before, after))
		read_listed(b, from);
}

/* ---- the items the pass does not have ------------------------------------------- */

static void merge_extras(struct proc *p, const struct proc *x, unsigned items)
{
	if (items & PI_CMDLINE)
		p->cmdline = x->cmdline;
	if (items & PI_SIGNALS) {
		p->sig_ignored = x->sig_ignored;
		p->sig_caught = x->sig_caught;
	}
	if (items & PI_TRACE) {
		p->tracer_pid = x->tracer_pid;
		p->seccomp = x->seccomp;
		p->ns_levels = x->ns_levels;
		memcpy(p->ns_pids, x->ns_pids, sizeof(p->ns_pids));
	}
	if (items & PI_IO) {
		p->io_read_bytes = x->io_read_bytes;
		p->io_write_bytes = x->io_write_bytes;
		if (!(x->have & PI_IO))
			p->have &= ~(unsigned)PI_IO;
	}
	if (items & PI_COMM)
		p->comm = x->comm;
}

/* Read what procs[0..n) (from the pass) need from /proc; a process that
 * has gone meanwhile is dropped, as a scan of /proc would not have it. */
static void read_extras(struct bpf_scan *b, size_t n)
{
	struct snapshot *s = b->s;
	unsigned items = s->have & ~(unsigned)(TASKREC_HAVE | PI_TAIL);
	struct reader rx, rc;
	size_t out = 0;

	reader_init(&rx, b->r->procfd, items, b->r->clock);
	rx.files &= ~(unsigned)(FILE_STAT | FILE_OWNER | FILE_STATM);
	rx.cmdline_max = b->r->cmdline_max;
	reader_init(&rc, b->r->procfd, PI_COMM, b->r->clock);
	for (size_t i = 0; i < n; i++) {
		struct proc *p = &s->procs[i], x;
		const struct taskrec *t = taskrec_find(&b->it.pass, p->pid);
		bool comm = (s->have & PI_COMM) && t && taskrec_comm_from_proc(t);
		bool gone = false;

		if (items && reader_read(&rx, p->pid, NULL, &x, s->pool, &b->bufs) >= 0)
			merge_extras(p, &x, items);
		else if (items)
			gone = true;
		if (comm && reader_read(&rc, p->pid, NULL, &x, s->pool, &b->bufs) > 0)
			merge_extras(p, &x, PI_COMM);
		if (gone)
			s->vanished++;
		else
			s->procs[out++] = *p;
	}
	memmove(s->procs + out, s->procs + n, (s->n - n) * sizeof(*s->procs));
	s->n -= n - out;
}

static int by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct proc *)a)->pid, y = ((const struct proc *)b)->pid;

	return (x > y) - (x < y);
}

/* A short list of pids is cheaper read from /proc (20 us each) than by a
 * pass over every process (0.5 to 1 us each): auto leaves those to /proc. */
enum { FEW_PIDS = 64 };

int taskiter_snapshot(struct snapshot *s, const struct reader *r,
		      const struct snapshot_query *q)
{
	struct bpf_scan b = {.s = s, .r = r};
	long before, after;
	int loadavg = -1, rc;
	size_t from_pass;

	if (q->npids && q->npids < FEW_PIDS && proc_backend_chosen() == PROC_BACKEND_AUTO)
		return 0;
	rc = taskiter_open(&b.it, false);
	if (rc <= 0)
		return rc;
	before = taskiter_tasks_now(r->procfd, &loadavg);
	if (taskiter_pass(&b.it) < 0) {
		int err = errno;

		taskiter_close(&b.it);
		if (loadavg >= 0)
			close(loadavg);
		errno = err;
		return proc_backend_chosen() == PROC_BACKEND_BPF ? -1 : 0;
	}
	after = taskiter_tasks_now(r->procfd, &loadavg);
	if (loadavg >= 0)
		close(loadavg);
	rows_from_pass(&b, q);
	from_pass = s->n;
	read_hidden_all(&b, q, before, after);
	read_extras(&b, from_pass);
	qsort(s->procs, s->n, sizeof(*s->procs), by_pid);
	reader_bufs_free(&b.bufs);
	taskiter_close(&b.it);
	return 1;
}
