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
#include "proc/bpf.h"
#include "proc/reader.h"
#include "proc/taskiter.h"
#include "util/strpool.h"

/* ---- what a pass may have missed ----------------------------------------- */

void taskiter_count(int procfd, int *fd, struct task_count *c)
{
	char text[128];

	c->tasks = c->last_pid = -1;
	if (*fd < 0)
		*fd = openat(procfd, "loadavg", O_RDONLY | O_CLOEXEC);
	if (*fd < 0 || procfs_pread(*fd, text, sizeof(text)) <= 0 ||
	    sscanf(text, "%*f %*f %*f %*d/%ld %ld", &c->tasks, &c->last_pid) != 2)
		c->tasks = c->last_pid = -1;
}

/*
 * A task the iterator never visits makes the count short for good.
 * Tasks that start or end during a pass move it too: one that ends
 * before the iterator reaches it is in `before` only; one that starts is
 * in `after`, and in the pass only if its pid is above where the
 * iterator was, which is not so after a wrap of the pids (frequent on a
 * busy machine with pid_max 32768: at 10,000 processes every third pass
 * was 3 to 6 short).  So a pass is complete when what it saw plus the
 * pids handed out meanwhile reaches the count after it (in a quiet
 * system: exactly the count).  A wrap during the pass says nothing.
 */
bool taskiter_incomplete(const struct taskiter *it, size_t extra_tasks,
			 const struct task_count *before,
			 const struct task_count *after)
{
	long seen = (long)(it->pass.tasks + extra_tasks), started;

	if (it->pass.pidns_level != 0 || before->tasks < 0 || after->tasks < 0)
		return true;
	if (after->last_pid < before->last_pid)
		return false;
	started = after->last_pid - before->last_pid;
	return seen + started < after->tasks;
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

	if (*n <= from)
		return; /* nothing to sort (pids may be NULL) */
	qsort(pids + from, *n - from, sizeof(pid_t), pid_cmp);
	for (size_t i = from; i < *n; i++)
		if (i == from || pids[i] != pids[out - 1])
			pids[out++] = pids[i];
	*n = out;
}

/* Which pids the pass has, a bit each up to its highest: a search of
 * the pass for every parent was 5% of pmon tree's instructions (1.3M at
 * 10,000 processes); the bits cost 4 KiB where pid_max is 32768. */
static unsigned char *pids_seen(const struct taskrec_pass *pass, pid_t *top)
{
	unsigned char *bits;

	*top = pass->n ? pass->procs[pass->n - 1].pid : 0;
	bits = xcalloc((size_t)*top / 8 + 1, 1);
	for (size_t i = 0; i < pass->n; i++) {
		pid_t pid = pass->procs[i].pid;

		if (pid > 0) /* (a pid is, from any kernel) */
			bits[pid / 8] |= (unsigned char)(1u << (pid % 8));
	}
	return bits;
}

void taskiter_missing_parents(const struct taskiter *it, pid_t **pids,
			      size_t *n, size_t *cap)
{
	size_t from = *n;
	pid_t top;
	unsigned char *seen = pids_seen(&it->pass, &top);

	for (size_t i = 0; i < it->pass.n; i++) {
		pid_t ppid = it->pass.procs[i].ppid;

		if (i > 0 && ppid == it->pass.procs[i - 1].ppid)
			continue; /* siblings: the same answer */
		if (ppid > 0 && (ppid > top || !(seen[ppid / 8] & (1u << (ppid % 8)))))
			push_pid(pids, n, cap, ppid);
	}
	free(seen);
	sort_unique(*pids, from, n);
}

/* ---- the snapshot ------------------------------------------------------------ */

struct bpf_scan {
	struct snapshot *s;
	const struct reader *r;
	struct taskiter it;
	struct reader_bufs bufs;
	size_t cap;
	/* The processes read from /proc because the pass did not show them
	 * (pid order once all are in), and their tasks. */
	struct proc *hidden;
	size_t nhidden, hidden_cap, extra_tasks;
	pid_t *workers;       /* rows whose name /proc formats (pid order) */
	size_t nworkers, workers_cap;
};

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

/* A process the pass did not show, read from /proc in full (kept unless
 * gone or not wanted); its tasks are counted either way. */
static void read_hidden(struct bpf_scan *b, pid_t pid)
{
	struct proc *p;
	int rc;

	if (b->nhidden == b->hidden_cap) {
		b->hidden_cap = b->hidden_cap ? 2 * b->hidden_cap : 8;
		b->hidden = xreallocarray(b->hidden, b->hidden_cap, sizeof(*b->hidden));
	}
	p = &b->hidden[b->nhidden];
	rc = reader_read(b->r, pid, NULL, p, b->s->pool, &b->bufs);
	if (rc >= 0 && p->threads > 0)
		b->extra_tasks += (size_t)p->threads;
	if (rc > 0)
		b->nhidden++;
}

static bool already_read(const struct bpf_scan *b, pid_t pid)
{
	for (size_t i = 0; i < b->nhidden; i++)
		if (b->hidden[i].pid == pid)
			return true;
	return false;
}

/* Every process /proc lists that the pass and the reads so far did not
 * show (a listing costs 1 us a process: only when counts disagree). */
static void read_listed(struct bpf_scan *b)
{
	pid_t *pids = NULL;
	size_t cap = 0;
	ssize_t n = procfs_list_pids(b->r->procfd, &pids, &cap);

	for (ssize_t i = 0; i < n; i++)
		if (!taskrec_find(&b->it.pass, pids[i]) && !already_read(b, pids[i]))
			read_hidden(b, pids[i]);
	free(pids);
}

static int by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct proc *)a)->pid, y = ((const struct proc *)b)->pid;

	return (x > y) - (x < y);
}

/* The processes the pass did not show, into b->hidden in pid order. */
static void read_hidden_all(struct bpf_scan *b, const struct snapshot_query *q,
			    const struct task_count *before,
			    const struct task_count *after)
{
	pid_t *pids = NULL;
	size_t n = 0, cap = 0;

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
		read_listed(b);
	if (b->nhidden) /* (qsort may not be given the NULL array) */
		qsort(b->hidden, b->nhidden, sizeof(*b->hidden), by_pid);
}

/* The processes of the pass that the query selects, and the hidden
 * ones among them, in pid order (a sort of 10,000 structs after the
 * fact was a tenth of a snapshot's CPU). */
static void rows(struct bpf_scan *b, const struct snapshot_query *q)
{
	const struct taskrec_pass *pass = &b->it.pass;
	struct snapshot *s = b->s;
	size_t h = 0, room = pass->n + b->nhidden + 1;

	s->procs = big_alloc(room * sizeof(*s->procs));
	if (!s->procs)
		s->procs = xcalloc(room, sizeof(*s->procs));
	for (size_t i = 0; i < pass->n; i++) {
		const struct taskrec *t = &pass->procs[i];
		struct proc *p;

		while (h < b->nhidden && b->hidden[h].pid < t->pid)
			s->procs[s->n++] = b->hidden[h++];
		if (!query_has(q, t->pid) || !uid_wanted(q, t->t->euid))
			continue;
		p = &s->procs[s->n++];
		taskrec_fill(t, s->have, &s->clock, p);
		p->have = s->have & ~(unsigned)PI_TAIL;
		p->comm = strpool_strdup(s->pool, taskrec_name(t));
		if ((s->have & PI_COMM) && taskrec_comm_from_proc(t))
			push_pid(&b->workers, &b->nworkers, &b->workers_cap, t->pid);
	}
	while (h < b->nhidden)
		s->procs[s->n++] = b->hidden[h++];
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

/* Read what the rows from the pass need from /proc (the hidden rows
 * were read there in full); a process that has gone meanwhile is
 * dropped, as a scan of /proc would not have it. */
static void read_extras(struct bpf_scan *b)
{
	struct snapshot *s = b->s;
	unsigned items = s->have & ~(unsigned)(TASKREC_HAVE | PI_TAIL);
	struct reader rx, rc;
	size_t out = 0, w = 0, h = 0;

	if (!items && !b->nworkers)
		return;
	reader_init(&rx, b->r->procfd, items, b->r->clock);
	rx.files &= ~(unsigned)(FILE_STAT | FILE_OWNER | FILE_STATM);
	rx.cmdline_max = b->r->cmdline_max;
	reader_init(&rc, b->r->procfd, PI_COMM, b->r->clock);
	for (size_t i = 0; i < s->n; i++) {
		struct proc *p = &s->procs[i], x;
		bool hidden = h < b->nhidden && b->hidden[h].pid == p->pid;
		bool comm = w < b->nworkers && b->workers[w] == p->pid;
		bool gone = false;

		h += hidden;
		w += comm;
		if (!hidden && items) {
			if (reader_read(&rx, p->pid, NULL, &x, s->pool, &b->bufs) >= 0)
				merge_extras(p, &x, items);
			else
				gone = true;
		}
		if (comm && reader_read(&rc, p->pid, NULL, &x, s->pool, &b->bufs) > 0)
			merge_extras(p, &x, PI_COMM);
		if (gone)
			s->vanished++;
		else
			s->procs[out++] = *p;
	}
	s->n = out;
}

/* A short list of pids is cheaper read from /proc (20 us each) than by a
 * pass over every process (0.5 to 1 us each): auto leaves those to /proc. */
enum { FEW_PIDS = 64 };

/* The pass (the counts of /proc/loadavg around it, for
 * taskiter_incomplete): 1, 0 for /proc instead, -1 when forced and
 * failed.  The pass a pin was checked with is read by taskiter_open. */
static int take_pass(struct bpf_scan *b, struct task_count *before,
		     struct task_count *after)
{
	int loadavg = -1, rc, err;

	if (proc_backend_chosen() == PROC_BACKEND_PROC)
		return 0;
	taskiter_count(b->r->procfd, &loadavg, before);
	rc = taskiter_open(&b->it, false, b->s->have);
	if (rc > 0 && taskiter_pass(&b->it) < 0) {
		err = errno;
		taskiter_close(&b->it);
		errno = err;
		rc = proc_backend_chosen() == PROC_BACKEND_BPF ? -1 : 0;
	}
	err = errno;
	taskiter_count(b->r->procfd, &loadavg, after);
	if (loadavg >= 0)
		close(loadavg);
	errno = err;
	return rc;
}

int taskiter_snapshot(struct snapshot *s, const struct reader *r,
		      const struct snapshot_query *q)
{
	struct bpf_scan b = {.s = s, .r = r};
	struct task_count before, after;
	int rc;

	if (q->npids && q->npids < FEW_PIDS && proc_backend_chosen() == PROC_BACKEND_AUTO)
		return 0;
	rc = take_pass(&b, &before, &after);
	if (rc <= 0)
		return rc;
	read_hidden_all(&b, q, &before, &after);
	rows(&b, q);
	read_extras(&b);
	free(b.hidden);
	free(b.workers);
	reader_bufs_free(&b.bufs);
	taskiter_close(&b.it);
	return 1;
}
