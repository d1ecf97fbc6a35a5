/*
 * watch.c - re-reading the process table cheaply (see watch.h).
 *
 * Measured at 10,000 sleeping processes (bench/bench-top.sh): opening,
 * reading and closing /proc/PID/stat costs about three times a pread() of
 * a descriptor kept open, because the open walks the path and sets up a
 * seq_file each time.  So every process's stat (and statm, for the exact
 * RSS that stat's field 24 only estimates) stays open; a refresh is one
 * pread of each per process, and a listing of /proc only when a process
 * may have appeared (see pids_to_read).  A pread on the descriptor of a
 * process that has been reaped fails with ESRCH, and the descriptor can
 * never show another process that reuses the pid: the kernel ties it to
 * the old one.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "proc/gpu.h"
#include "proc/sysparse.h"
#include "proc/tasks.h"
#include "proc/taskiter.h"
#include "proc/watch.h"
#include "util/strpool.h"


/* Descriptors kept free for everything else: the terminal, ncurses,
 * the pidfds of `k`, the files of a reap. */
#define FD_RESERVE 64

/* Raise the soft limit of open files to the hard one; the budget is what
 * that leaves after the reserve. */
static size_t fd_budget(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t want = rl.rlim_max;

		/* An "unlimited" hard limit still has the kernel's nr_open. */
		if (want == RLIM_INFINITY)
			want = 1 << 20;
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY)
		rl.rlim_cur = 1 << 20;
	return rl.rlim_cur > 2 * FD_RESERVE ? (size_t)rl.rlim_cur - FD_RESERVE : 0;
}

/* Descriptors kept by every watch of this process: the budget is the
 * process's, so that two watches (a test's full read beside an idle one,
 * pmon watch's reader beside top's) cannot each take all of it and leave
 * the other's reads failing with EMFILE.  Atomic: a watch may live on
 * another thread than its sibling. */
static size_t kept_by_all;

static void count_kept(struct procwatch *w, long by)
{
	w->fds_open += (size_t)by;
	__atomic_add_fetch(&kept_by_all, (size_t)by, __ATOMIC_RELAXED);
}

/* ---- one process ------------------------------------------------------ */

static void close_fd(struct procwatch *w, int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		count_kept(w, -1);
		*fd = -1;
	}
}

static void forget(struct procwatch *w, struct watch_extra *x)
{
	if (x->fds.schedstat >= 0)
		w->sched_open--;
	close_fd(w, &x->fds.schedstat);
	close_fd(w, &x->fds.stat);
	close_fd(w, &x->fds.statm);
	free(x->cmdline);
	x->cmdline = NULL;
	free(x->cgroup_path);
	free(x->container);
	x->cgroup_path = x->container = NULL;
}

/* Descriptors still to be kept for the schedstat of every process: when
 * refreshes read only what changed, each process's schedstat is read
 * every time and its stat and statm rarely, so the budget goes to
 * schedstat first.  Measured at 10,200 processes and a budget of 19,936:
 * handing out three descriptors a process as they came left 3,500
 * processes with none, whose open, read and close of schedstat on every
 * refresh made it cost 1.28x the stat floor. */
static size_t sched_reserve(const struct procwatch *w)
{
	if (w->full || !w->have_schedstat || w->expect <= w->sched_open)
		return 0;
	return w->expect - w->sched_open;
}

/*
 * A refresh that reads everyone in full (top -b: every row is shown) does
 * not read schedstat, so the descriptor of it that the first refresh
 * kept only takes the place of stat's or statm's: such a refresh closes
 * it.  Measured at 10,400
 * processes with 20,000 descriptors: the schedstat kept for all left
 * stat and statm 9,500 places for 20,800, and `pmon top -b` opened and
 * closed 14,500 files a refresh: 3.0x the pread floor's CPU instead of
 * about 1.3x (bench/README.md).
 */
static void drop_schedstat(struct procwatch *w, struct kept_fds *now)
{
	if (now->schedstat < 0)
		return;
	close(now->schedstat);
	now->schedstat = -1;
	count_kept(w, -1);
	w->sched_open--;
}

/* Descriptors opened by a read: kept while the budget lasts, else closed
 * again, to be reopened next time. */
static void keep_or_close(struct procwatch *w, struct kept_fds *now,
			  const struct kept_fds *before)
{
	int *fd[] = {&now->schedstat, &now->stat, &now->statm};
	const int was[] = {before->schedstat, before->stat, before->statm};

	for (size_t i = 0; i < ARRAY_LEN(fd); i++) {
		size_t reserve = i == 0 ? 0 : sched_reserve(w);

		if (*fd[i] < 0 || *fd[i] == was[i])
			continue;
		if (__atomic_load_n(&kept_by_all, __ATOMIC_RELAXED) + reserve <
		    w->fd_budget) {
			count_kept(w, 1);
			w->sched_open += i == 0;
		} else {
			close(*fd[i]);
			*fd[i] = -1;
		}
	}
}

/* The run time of x's process now, into *ns: 0, or -1 when it is gone.
 * Without schedstats in the kernel, or in a refresh that reads everyone
 * in full anyway, it is not read (*ns stays RUN_UNKNOWN). */
#define RUN_UNKNOWN ULLONG_MAX

static int run_time(struct procwatch *w, pid_t pid, struct watch_extra *x,
		    unsigned long long *ns)
{
	const struct kept_fds before = x->fds;
	int rc;

	*ns = RUN_UNKNOWN;
	if (!w->have_schedstat || w->full)
		return 0;
	rc = reader_run_ns(&w->r_update, pid, &x->fds.schedstat, ns);
	keep_or_close(w, &x->fds, &before);
	if (rc < 0)
		*ns = RUN_UNKNOWN;
	return rc;
}

/* ---- one process, from a pass of the BPF task iterator ------------------ */

/* merge() asks in pid order, the pass's order: a cursor that only moves
 * forward (reset by procwatch_refresh) finds each record in one step or
 * two, where a binary search per process was 3% of a refresh with the
 * iterator (perf, 10,000 processes).  Asked out of order, it searches. */
static const struct taskrec *in_pass(struct procwatch *w, pid_t pid)
{
	const struct taskrec_pass *pass;

	if (!w->iter)
		return NULL;
	pass = &w->iter->pass;
	if (w->pass_at >= pass->n || pass->procs[w->pass_at].pid > pid)
		return taskrec_find(pass, pid);
	while (w->pass_at < pass->n && pass->procs[w->pass_at].pid < pid)
		w->pass_at++;
	return w->pass_at < pass->n && pass->procs[w->pass_at].pid == pid ?
		&pass->procs[w->pass_at] : NULL;
}

/* The name of t's process into comm: the record's; a workqueue worker's
 * from /proc, which formats it from the work done (read again only when
 * the worker has run since: x->run_ns is its run time then). */
static void pass_comm(struct procwatch *w, const struct taskrec *t,
		      const struct watch_extra *x, bool known, char comm[64])
{
	struct proc tmp;

	if (taskrec_comm_from_proc(t)) {
		if (known && x->run_ns == t->rtime_ns) {
			memcpy(comm, x->comm, 64);
			return;
		}
		if (reader_read(&w->r_comm, t->pid, NULL, &tmp, NULL, &w->bufs) > 0) {
			memcpy(comm, w->bufs.comm, 64);
			return;
		}
	}
	/* Not snprintf: 570 instructions a call made it 14% of BPF top's
	 * user-space instructions (callgrind, 10,172 processes). */
	str_copy(comm, 64, taskrec_name(t));
}

/* Started since the last refresh: all its CPU time is new.  One that is
 * older but was missed shows 0 for this one interval rather than all it
 * ever used. */
static unsigned long long first_prev_cpu(const struct procwatch *w,
					 const struct proc *p)
{
	return w->refreshes &&
	       (double)p->start_ticks / (double)w->clock.hz >= w->prev_uptime
	       ? 0 : p->cpu_ticks;
}

static void add_from_pass(struct procwatch *w, const struct taskrec *t,
			  struct proc *p, struct watch_extra *x)
{
	memset(x, 0, sizeof(*x));
	x->fds = KEPT_NONE;
	taskrec_fill(t, PROCWATCH_HAVE, &w->clock, p);
	pass_comm(w, t, x, false, x->comm);
	p->comm = x->comm;
	p->user = uid_name(p->uid);
	x->run_ns = t->rtime_ns;
	x->fresh = true;
	x->prev_cpu = first_prev_cpu(w, p);
}

/* p (seen before) from its record: everything a refresh shows is read
 * anew in the pass, so no process is left stale.  -1 when its pid now
 * names another process. */
static int update_from_pass(struct procwatch *w, const struct taskrec *t,
			    struct proc *p, struct watch_extra *x)
{
	uid_t uid = p->uid;
	const char *user = p->user, *cmdline = p->cmdline;
	unsigned cmdline_have = p->have & PI_CMDLINE;
	char comm[64];

	if (taskrec_start_ticks(t, w->clock.hz) != p->start_ticks)
		return -1;
	taskrec_fill(t, PROCWATCH_HAVE, &w->clock, p);
	if (x->hidden) { /* shown by the pass now: its files are not needed */
		drop_schedstat(w, &x->fds);
		close_fd(w, &x->fds.stat);
		close_fd(w, &x->fds.statm);
		x->hidden = false;
	}
	pass_comm(w, t, x, true, comm);
	if (strcmp(comm, x->comm) != 0) { /* an exec: forget the old */
		memcpy(x->comm, comm, sizeof(x->comm));
		free(x->cmdline);
		x->cmdline = NULL;
		x->cmdline_read = false;
	}
	p->user = p->uid == uid ? user : uid_name(p->uid);
	p->cmdline = cmdline;
	p->have = PROCWATCH_HAVE | cmdline_have;
	p->comm = x->comm;
	x->run_ns = t->rtime_ns;
	x->fresh = true;
	return 0;
}

/* A process not seen before.  -1 when it is already gone. */
static int add_new(struct procwatch *w, pid_t pid, struct proc *p,
		   struct watch_extra *x)
{
	const struct taskrec *t = in_pass(w, pid);
	struct kept_fds before;

	if (t) {
		add_from_pass(w, t, p, x);
		return 0;
	}
	memset(x, 0, sizeof(*x));
	x->fds = KEPT_NONE;
	if (run_time(w, pid, x, &x->run_ns) < 0) {
		forget(w, x);
		return -1;
	}
	before = x->fds;
	if (reader_read(&w->r_new, pid, &x->fds, p, NULL, &w->bufs) <= 0) {
		keep_or_close(w, &x->fds, &before);
		forget(w, x);
		return -1;
	}
	keep_or_close(w, &x->fds, &before);
	memcpy(x->comm, w->bufs.comm, sizeof(x->comm));
	p->user = uid_name(p->uid);
	x->fresh = true;
	x->hidden = w->iter != NULL;
	x->prev_cpu = first_prev_cpu(w, p);
	return 0;
}

/* Read p (seen before) in full through its kept descriptors.  -1 when it
 * is gone, or its pid now names another process. */
static int read_again(struct procwatch *w, struct proc *p, struct watch_extra *x)
{
	const struct kept_fds before = x->fds;
	struct proc now;

	x->idle_runs = 0;
	if (reader_read(&w->r_update, p->pid, &x->fds, &now, NULL, &w->bufs) <= 0 ||
	    now.start_ticks != p->start_ticks) {
		keep_or_close(w, &x->fds, &before);
		return -1;
	}
	keep_or_close(w, &x->fds, &before);
	if (strcmp(w->bufs.comm, x->comm) != 0) { /* an exec: forget the old */
		memcpy(x->comm, w->bufs.comm, sizeof(x->comm));
		free(x->cmdline);
		x->cmdline = NULL;
		x->cmdline_read = false;
		free(x->cgroup_path);
		free(x->container);
		x->cgroup_path = x->container = NULL;
		x->cgroup_read = false;
	}
	/* What a refresh does not read again. */
	now.uid = p->uid;
	now.user = p->user;
	now.cmdline = p->cmdline;
	now.have = PROCWATCH_HAVE | (p->have & PI_CMDLINE);
	*p = now;
	p->comm = x->comm;
	x->fresh = true;
	return 0;
}

/* What the idle path and top's counting and sorting by %CPU read sits in
 * the first cache line of each (proc.h, watch.h: see struct proc); on
 * 64-bit machines rows of whole lines keep it there from row to row in the
 * table's 2 MiB pages. */
_Static_assert(offsetof(struct proc, state) < 64 &&
	       offsetof(struct proc, cpu_pct) + sizeof(double) <= 64 &&
	       offsetof(struct watch_extra, idle_runs) < 64,
	       "an idle process's refresh reads one line of each");
#if UINTPTR_MAX == UINT64_MAX
_Static_assert(sizeof(struct proc) % 64 == 0 && sizeof(struct watch_extra) % 64 == 0,
	       "rows of whole cache lines");
#endif

/*
 * A process seen before.  One whose run time has not moved since the last
 * refresh has not run: its CPU time, threads, name and owner cannot have
 * changed, so stat and statm are not read again (they cost three times
 * the pread of schedstat) unless this is a full pass, the process has
 * several threads (schedstat counts the leader's only), or the caller
 * asks for it later (procwatch_fetch, for the rows it shows).  -1 when it
 * is gone (or its pid was recycled, which makes it a new process).
 */
static int update(struct procwatch *w, struct proc *p, struct watch_extra *x)
{
	const struct taskrec *t = in_pass(w, p->pid);
	unsigned long long ns;

	if (!x->idle_runs) /* else prev_cpu is cpu_ticks already */
		x->prev_cpu = p->cpu_ticks;
	if (t) {
		x->idle_runs = 0;
		return update_from_pass(w, t, p, x);
	}
	if (run_time(w, p->pid, x, &ns) < 0)
		return -1;
	if (w->full)
		drop_schedstat(w, &x->fds);
	if (ns != RUN_UNKNOWN && ns == x->run_ns && p->threads <= 1 &&
	    !w->full_pass) {
		double started = (double)p->start_ticks / (double)w->clock.hz;

		p->elapsed_s = started < w->clock.uptime ?
			(long)(w->clock.uptime - started) : 0;
		x->fresh = false;
		if (x->idle_runs < SETTLED)
			x->idle_runs++;
		w->idle++;
		return 0;
	}
	x->run_ns = ns;
	return read_again(w, p, x);
}

/* ---- which pids to read ------------------------------------------------ */

/*
 * Finding new processes without listing /proc.  /proc/stat's `processes`
 * counts every task ever created (threads too, in any namespace), and
 * /proc/loadavg ends with the newest pid handed out in ours.  When the
 * counter has not moved, nothing can have appeared.  When it moved by
 * exactly as much as the newest pid, every new task took a pid between
 * the previous newest and this one, and probing those few is far cheaper
 * than the getdents of 10,000 entries (7% of a refresh, measured).  In
 * every other case (a pid wrap, a pid chosen with clone3's set_tid or
 * ns_last_pid, tasks of another namespace, a probe that finds a thread)
 * /proc is listed in full: a process that exists at a refresh is in it,
 * whatever its pid.  Vanished processes need no listing: their pread
 * fails.
 */
#define PROBE_MAX 128

enum listing { LIST_ALL, LIST_KNOWN, LIST_PROBE };

static enum listing how_to_list(const struct procwatch *w)
{
	long prev = w->last_pid, now = w->sys.last_pid;
	unsigned long long created = w->sys.forks - w->forks;

	if (!w->refreshes || prev < 0 || now < 0 || !w->same_pid_ns ||
	    w->sys.forks < w->forks)
		return LIST_ALL;
	if (created == 0)
		return LIST_KNOWN;
	if (now > prev && (unsigned long long)(now - prev) == created &&
	    now - prev <= PROBE_MAX)
		return LIST_PROBE;
	return LIST_ALL;
}

/* The table as it was, as the pid list of a refresh that skips the
 * readdir; room for `more` pids after it. */
static size_t known_pids(struct procwatch *w, size_t more)
{
	if (w->n + more > w->pids_cap) {
		w->pids_cap = w->n + more;
		w->pids = xreallocarray(w->pids, w->pids_cap, sizeof(pid_t));
	}
	for (size_t i = 0; i < w->n; i++)
		w->pids[i] = w->procs[i].pid;
	return w->n;
}

/* A new pid that exists: a process to add (1), nothing (0), or a thread
 * that /proc lists only under its process (-1). */
static int probe(struct procwatch *w, pid_t pid)
{
	struct proc p;

	if (reader_read(&w->r_update, pid, NULL, &p, NULL, &w->bufs) <= 0)
		return 0;
	/* Alone in its thread group, a task is its group's leader.  With
	 * company, it may be a new thread: let readdir tell. */
	return p.threads <= 1 ? 1 : -1;
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* The known pids and the new ones after them; -1 (list everything
 * instead) if a probe finds a thread. */
static ssize_t known_and_probed(struct procwatch *w, long from, long to)
{
	size_t n = known_pids(w, (size_t)(to - from)), known = n;

	for (long pid = from + 1; pid <= to; pid++) {
		int rc = probe(w, (pid_t)pid);

		if (rc < 0)
			return -1;
		if (rc > 0)
			w->pids[n++] = (pid_t)pid;
	}
	/* The new pids are above every known one, unless a known process took
	 * a pid above the newest with clone3's set_tid: then sort, and drop a
	 * pid found twice. */
	if (n > known && known && w->pids[known] <= w->pids[known - 1]) {
		size_t out = 1;

		qsort(w->pids, n, sizeof(pid_t), pid_cmp);
		for (size_t i = 1; i < n; i++)
			if (w->pids[i] != w->pids[out - 1])
				w->pids[out++] = w->pids[i];
		n = out;
	}
	return (ssize_t)n;
}

/* The pids to read in this refresh, in w->pids; how many, or -1. */
static ssize_t pids_to_read(struct procwatch *w)
{
	enum listing how = how_to_list(w);
	long prev = w->last_pid;
	ssize_t n = -1;

	w->last_pid = w->sys.last_pid;
	w->forks = w->sys.forks;
	if (how == LIST_KNOWN)
		return (ssize_t)known_pids(w, 0);
	if (how == LIST_PROBE)
		n = known_and_probed(w, prev, w->sys.last_pid);
	if (n < 0) {
		w->listings++;
		n = procfs_list_pids(w->procfd, &w->pids, &w->pids_cap);
	}
	return n;
}

/* ---- which pids to read, with the BPF task iterator ---------------------- */

/* Reading with the iterator failed: /proc from now on, starting with a
 * full listing. */
static void stop_iter(struct procwatch *w)
{
	taskiter_close(w->iter);
	free(w->iter);
	w->iter = NULL;
	w->last_pid = -1;
}

/*
 * The tasks of pid, a parent the pass names but did not show, unless it
 * is among known[0..nknown) (hidden processes of the table, counted
 * already).  On the first refresh the table knows none: without their
 * count the pass looks short and /proc is listed (13 ms of CPU at 10,000
 * processes, a tenth of a 10-refresh `pmon top -b` with the iterator, in
 * the VM whose iterator never shows PID 1).  0 when it is gone.
 */
static size_t tasks_of_new_hidden(struct procwatch *w, const pid_t *known,
				  size_t nknown, pid_t pid)
{
	struct proc p;

	for (size_t i = 0; i < nknown; i++)
		if (known[i] == pid)
			return 0;
	if (reader_read(&w->r_comm, pid, NULL, &p, NULL, &w->bufs) <= 0)
		return 0;
	return p.threads > 0 ? (size_t)p.threads : 1;
}

/* What the pass did not show but /proc must be asked about: the
 * processes read from /proc before (until they go), the parents the pass
 * names, and when the counts say it missed some, every pid /proc lists.
 * Into *extra (sorted, no repeats, none in the pass). */
static size_t not_in_pass(struct procwatch *w, const struct task_count *before,
			  const struct task_count *after, pid_t **extra, size_t *cap)
{
	const struct taskrec_pass *pass = &w->iter->pass;
	size_t n = 0, known, hidden_tasks = 0;

	for (size_t i = 0; i < w->n; i++) {
		if (!w->extra[i].hidden || taskrec_find(pass, w->procs[i].pid))
			continue;
		if (n == *cap) {
			*cap = *cap ? 2 * *cap : 16;
			*extra = xreallocarray(*extra, *cap, sizeof(pid_t));
		}
		(*extra)[n++] = w->procs[i].pid;
		hidden_tasks += (size_t)(w->procs[i].threads > 0 ? w->procs[i].threads : 1);
	}
	known = n;
	taskiter_missing_parents(w->iter, extra, &n, cap);
	for (size_t i = known; i < n; i++)
		hidden_tasks += tasks_of_new_hidden(w, *extra, known, (*extra)[i]);
	if (taskiter_incomplete(w->iter, hidden_tasks, before, after)) {
		pid_t *all = NULL;
		size_t all_cap = 0;
		ssize_t listed = procfs_list_pids(w->procfd, &all, &all_cap);

		w->listings++;
		for (ssize_t i = 0; i < listed; i++) {
			if (taskrec_find(pass, all[i]))
				continue;
			if (n == *cap) {
				*cap = *cap ? 2 * *cap : 16;
				*extra = xreallocarray(*extra, *cap, sizeof(pid_t));
			}
			(*extra)[n++] = all[i];
		}
		free(all);
	}
	if (n > 1) /* *extra may still be NULL: qsort's base is nonnull */
		qsort(*extra, n, sizeof(pid_t), pid_cmp);
	return n;
}

/* The pids of this refresh: every process of a pass, merged in pid order
 * with those it did not show (not_in_pass).  -1 when the pass failed. */
static ssize_t pids_from_pass(struct procwatch *w)
{
	const struct taskrec_pass *pass = &w->iter->pass;
	struct task_count before, after;
	pid_t *extra = NULL;
	size_t nextra, cap = 0, n = 0, i = 0, j = 0;

	taskiter_count(w->procfd, &w->loadavg_fd, &before);
	if (taskiter_pass(w->iter) < 0) {
		stop_iter(w);
		return -1;
	}
	taskiter_count(w->procfd, &w->loadavg_fd, &after);
	nextra = not_in_pass(w, &before, &after, &extra, &cap);
	if (pass->n + nextra > w->pids_cap) {
		w->pids_cap = pass->n + nextra;
		w->pids = xreallocarray(w->pids, w->pids_cap, sizeof(pid_t));
	}
	while (i < pass->n || j < nextra) {
		pid_t a = i < pass->n ? pass->procs[i].pid : INT_MAX;
		pid_t b = j < nextra ? extra[j] : INT_MAX;

		if (b < a) {
			if (!n || w->pids[n - 1] != b)
				w->pids[n++] = b;
			j++;
		} else {
			w->pids[n++] = a;
			i++;
			j += b == a;
		}
	}
	free(extra);
	return (ssize_t)n;
}

/* ---- the table -------------------------------------------------------- */

/* Room for cap rows and their extras in one block that starts at *procs
 * (free() it): in 2 MiB pages (big_alloc), not zeroed (merge() writes
 * every entry before it is read). */
static void table_block(size_t cap, struct proc **procs, struct watch_extra **extra)
{
	size_t procs_bytes = cap * sizeof(struct proc);
	size_t bytes = procs_bytes + cap * sizeof(struct watch_extra);
	char *mem = big_alloc(bytes);

	_Static_assert(sizeof(struct proc) % _Alignof(struct watch_extra) == 0,
		       "the extras follow the rows in one block");
	if (!mem)
		mem = xmalloc(bytes);
	*procs = (struct proc *)(void *)mem;
	*extra = (struct watch_extra *)(void *)(mem + procs_bytes);
}

/* A row copied to another slot: its name is in its extras, which moved
 * with it (a settled row is not recomputed, so this is the one place). */
static void row_moved(struct proc *p, struct watch_extra *x)
{
	p->comm = x->comm;
}

/*
 * The table: at 10,000 processes 5 MB, which in 4 KiB pages took 1,500
 * faults (a fault costs 24 us of CPU on the development VM, util.c); in
 * 2 MiB pages 3.  Its spare, for a merge that cannot be done in place,
 * is made when first needed.
 */
static void grow_to(struct procwatch *w, size_t n)
{
	struct proc *procs;
	struct watch_extra *extra;

	if (n <= w->cap)
		return;
	w->cap = n + n / 16 + 64;
	table_block(w->cap, &procs, &extra);
	if (w->n) {
		memcpy(procs, w->procs, w->n * sizeof(*procs));
		memcpy(extra, w->extra, w->n * sizeof(*extra));
	}
	for (size_t i = 0; i < w->n; i++)
		row_moved(&procs[i], &extra[i]);
	free(w->procs);
	free(w->spare_procs);
	w->procs = procs;
	w->extra = extra;
	w->spare_procs = NULL;
	w->spare_extra = NULL;
}

/*
 * Whether merge() can write the new table over the old one: going up both
 * lists, a process new in the middle needs a slot that one gone before it
 * freed (out < i).  New processes usually have the highest pids and go
 * at the end, so the spare (2 MiB pages to fault and zero: 7 ms of CPU at
 * 10,000 processes on the development VM, 5% of a 10-refresh `pmon top
 * -b` with the iterator) and the copy of every row are rarely needed.  A
 * process that vanishes while it is read only frees one more.
 */
static bool merge_fits_in_place(const struct procwatch *w, const pid_t *pids,
				size_t npids)
{
	size_t i = 0, j = 0, freed = 0;

	while (j < npids && i < w->n) {
		if (w->procs[i].pid < pids[j]) {
			freed++;
			i++;
		} else if (w->procs[i].pid == pids[j]) {
			i++;
			j++;
		} else {
			if (!freed)
				return false;
			freed--;
			j++;
		}
	}
	return true;
}

/* %CPU over the interval, never above what the process's threads could
 * use on this machine's CPUs (tick rounding gave 202% for two threads on
 * two CPUs); %MEM of MemTotal. */
static void compute_rate(struct procwatch *w, size_t i)
{
	double ticks = w->interval * (double)w->clock.hz;
	double mem = (double)w->sys.mem_total_kb;
	int ncpus = w->sys.ncpus > 0 ? w->sys.ncpus : 1;
	struct proc *p = &w->procs[i];
	struct watch_extra *x = &w->extra[i];
	int busiest = p->threads < ncpus ? (p->threads > 0 ? p->threads : 1) : ncpus;

	p->comm = x->comm;
	p->cmdline = x->cmdline_read ? x->cmdline : NULL;
	p->tgid = p->pid;
	p->cgroup_path = x->cgroup_path;
	p->container = x->container;
	if (x->container)
		p->have |= PI_CONTAINER;
	p->cpu_pct = ticks > 0 && p->cpu_ticks >= x->prev_cpu ?
		100.0 * (double)(p->cpu_ticks - x->prev_cpu) / ticks : 0;
	if (p->cpu_pct > 100.0 * busiest)
		p->cpu_pct = 100.0 * busiest;
	p->mem_pct = mem > 0 ? 100.0 * (double)p->rss_kb / mem : 0;
}

/* Merge the old table with the new pid list, both in pid order: over
 * itself where it fits (merge_fits_in_place), else into the spare. */
static void merge(struct procwatch *w, const pid_t *pids, size_t npids)
{
	struct proc *np = w->procs;
	struct watch_extra *nx = w->extra;
	size_t i = 0, out = 0;

	if (!merge_fits_in_place(w, pids, npids)) {
		if (!w->spare_procs)
			table_block(w->cap, &w->spare_procs, &w->spare_extra);
		np = w->spare_procs;
		nx = w->spare_extra;
	}

	w->vanished = 0;
	for (size_t j = 0; j < npids || i < w->n;) {
		pid_t pid = j < npids ? pids[j] : INT_MAX;

		if (i < w->n && w->procs[i].pid < pid) {
			forget(w, &w->extra[i++]); /* gone from /proc */
			continue;
		}
		if (i < w->n && w->procs[i].pid == pid) {
			bool moved = np != w->procs || out != i;

			if (moved) {
				np[out] = w->procs[i];
				nx[out] = w->extra[i];
				row_moved(&np[out], &nx[out]);
			}
			i++;
			if (update(w, &np[out], &nx[out]) == 0) {
				out++;
				j++;
				continue;
			}
			forget(w, &nx[out]); /* reaped, or the pid recycled */
		}
		if (add_new(w, pid, &np[out], &nx[out]) == 0)
			out++;
		else
			w->vanished++;
		j++;
	}
	if (np != w->procs) { /* the spare is the table now, and back */
		w->spare_procs = w->procs;
		w->spare_extra = w->extra;
		w->procs = np;
		w->extra = nx;
	}
	w->n = out;
}

int procwatch_refresh(struct procwatch *w)
{
	ssize_t npids;
	bool all;
	double t = mono_now();

	w->interval = w->refreshes ? t - w->last : 0;
	w->last = t;
	w->prev_uptime = w->clock.uptime;
	w->idle = 0;
	w->full_pass = w->full_every && w->refreshes % w->full_every == 0;
	if (proc_clock_read(&w->clock) < 0 || sys_read(w->sysr, &w->clock, &w->sys) < 0)
		return -1;
	npids = w->iter ? pids_from_pass(w) : -1;
	if (npids < 0)
		npids = pids_to_read(w);
	if (npids < 0)
		return -1;
	w->expect = (size_t)npids;
	grow_to(w, (size_t)npids > w->n ? (size_t)npids : w->n);
	w->pass_at = 0;
	merge(w, w->pids, (size_t)npids);
	/* A settled process's rates are what they were (0% CPU, the same
	 * RSS of the same MemTotal): its struct proc is not touched. */
	all = w->sys.mem_total_kb != w->mem_total_before;
	w->mem_total_before = w->sys.mem_total_kb;
	for (size_t i = 0; i < w->n; i++)
		if (all || w->extra[i].idle_runs < SETTLED)
			compute_rate(w, i);
	w->refreshes++;
	return 0;
}

/* ---- after the rows are chosen ------------------------------------------ */

static void fetch_cmdline(struct procwatch *w, size_t i)
{
	struct watch_extra *x = &w->extra[i];
	struct proc p;

	x->cmdline_read = true;
	if (reader_read(&w->r_fetch, w->procs[i].pid, NULL, &p, NULL, &w->bufs) > 0)
		x->cmdline = p.cmdline ? xstrdup(p.cmdline) : NULL;
	w->procs[i].cmdline = x->cmdline;
}

static void fetch_io(struct procwatch *w, size_t i)
{
	struct reader r = w->r_fetch;
	struct proc p;

	r.files = FILE_IO;
	r.have = PI_IO;
	w->procs[i].have &= ~(unsigned)PI_IO;
	if (reader_read(&r, w->procs[i].pid, NULL, &p, NULL, &w->bufs) > 0 &&
	    (p.have & PI_IO)) {
		w->procs[i].io_read_bytes = p.io_read_bytes;
		w->procs[i].io_write_bytes = p.io_write_bytes;
		w->procs[i].have |= PI_IO;
	}
}

/* PI_IO_RATE: bytes per second since this process's last reading. */
static void io_rate(struct procwatch *w, size_t i)
{
	struct proc *p = &w->procs[i];
	struct watch_extra *x = &w->extra[i];
	double now = mono_now();

	p->have &= ~(unsigned)PI_IO_RATE;
	if (!(p->have & PI_IO)) {
		x->io_prev_at = 0;
		return;
	}
	if (x->io_prev_at > 0 && now > x->io_prev_at) {
		p->io_read_rate = counter_rate(x->io_prev_read, p->io_read_bytes,
						  now - x->io_prev_at);
		p->io_write_rate = counter_rate(x->io_prev_write, p->io_write_bytes,
						   now - x->io_prev_at);
		p->have |= PI_IO_RATE;
	}
	x->io_prev_read = p->io_read_bytes;
	x->io_prev_write = p->io_write_bytes;
	x->io_prev_at = now;
}

/* PI_CONTAINER: once per process (a process rarely changes cgroup; an
 * exec reads it again). */
static void fetch_cgroup(struct procwatch *w, size_t i)
{
	struct watch_extra *x = &w->extra[i];
	struct reader r = w->r_fetch;
	struct proc p;

	x->cgroup_read = true;
	r.files = FILE_CGROUP;
	r.have = PI_CONTAINER;
	if (reader_read(&r, w->procs[i].pid, NULL, &p, NULL, &w->bufs) > 0 &&
	    (p.have & PI_CONTAINER)) {
		x->cgroup_path = xstrdup(p.cgroup_path);
		x->container = xstrdup(p.container);
	}
	w->procs[i].cgroup_path = x->cgroup_path;
	w->procs[i].container = x->container;
	if (x->container)
		w->procs[i].have |= PI_CONTAINER;
}

/* PI_GPU: memory now, engine share since this process's last reading. */
static void fetch_gpu(struct procwatch *w, size_t i)
{
	struct proc *p = &w->procs[i];
	struct watch_extra *x = &w->extra[i];
	struct gpu_use u;
	double now = mono_now();

	p->have &= ~(unsigned)PI_GPU;
	if (!gpu_present() || gpu_read_process(w->procfd, p->pid, &u) < 0)
		return;
	p->gpu_mem_bytes = u.mem_bytes;
	p->gpu_engine_ns = u.engine_ns;
	p->gpu_pct = x->gpu_prev_at > 0 && now > x->gpu_prev_at ?
		counter_rate(x->gpu_prev_ns, u.engine_ns, now - x->gpu_prev_at) / 1e7 : 0;
	x->gpu_prev_ns = u.engine_ns;
	x->gpu_prev_at = now;
	p->have |= PI_GPU;
}

void procwatch_fetch(struct procwatch *w, const int32_t *idx, size_t n,
		     unsigned need)
{
	struct proc **rows = NULL;
	size_t nrows = 0;

	for (size_t k = 0; k < n; k++) {
		size_t i;

		if (idx && idx[k] < 0)
			continue; /* a thread row: read with its process */
		i = idx ? (size_t)idx[k] : k;

		if ((need & PI_CHANGES_IDLE) && !w->extra[i].fresh &&
		    read_again(w, &w->procs[i], &w->extra[i]) == 0)
			compute_rate(w, i);
		if ((need & PI_CMDLINE) && !w->extra[i].cmdline_read)
			fetch_cmdline(w, i);
		if (need & PI_CMDLINE)
			w->procs[i].have |= PI_CMDLINE;
		if (need & (PI_IO | PI_IO_RATE))
			fetch_io(w, i);
		if (need & PI_IO_RATE)
			io_rate(w, i);
		if ((need & PI_CONTAINER) && !w->extra[i].cgroup_read)
			fetch_cgroup(w, i);
		if (need & PI_GPU)
			fetch_gpu(w, i);
	}
	if (!(need & PI_TAIL) || !n)
		return;
	strpool_free(w->frame_pool);
	w->frame_pool = strpool_new();
	rows = xcalloc(n, sizeof(*rows));
	for (size_t k = 0; k < n; k++)
		if (!idx || idx[k] >= 0)
			rows[nrows++] = &w->procs[idx ? (size_t)idx[k] : k];
	(void)proc_fetch_tail(rows, nrows, need, w->frame_pool);
	free(rows);
}

/* ---- start and end ---------------------------------------------------------- */

/* loadavg's newest pid is counted in our pid namespace; it says
 * something about /proc only if /proc shows that namespace too (not,
 * say, after unshare --pid without a new /proc). */
static bool proc_is_our_pid_ns(int procfd)
{
	char self[32];
	ssize_t n = readlinkat(procfd, "self", self, sizeof(self) - 1);

	if (n <= 0)
		return false;
	self[n] = '\0';
	return strtol(self, NULL, 10) == (long)getpid();
}

/* The BPF task iterator, when the backend says so (backend.h): 0 (with
 * or without it), or -1 when it was forced and cannot be used. */
static int start_iter(struct procwatch *w)
{
	int rc;

	w->iter = xcalloc(1, sizeof(*w->iter));
	rc = taskiter_open(w->iter, true, PI_ALL);
	if (rc <= 0) {
		free(w->iter);
		w->iter = NULL;
	}
	return rc < 0 ? -1 : 0;
}

int procwatch_open(struct procwatch *w, bool full)
{
	memset(w, 0, sizeof(*w));
	w->full = full;
	w->last_pid = -1;
	w->loadavg_fd = -1;
	w->procfd = procfs_open();
	if (w->procfd < 0 || proc_clock_read(&w->clock) < 0 ||
	    !(w->sysr = sys_open())) {
		int err = errno == ELIBACC ? ELIBACC : ENOENT;

		procwatch_close(w);
		errno = err;
		return -1;
	}
	/* PI_PCPU is computed after the reading (compute_rate). */
	reader_init(&w->r_new, w->procfd, PROCWATCH_HAVE, &w->clock);
	w->r_update = w->r_new;
	w->r_update.files &= ~(unsigned)FILE_OWNER; /* read once, when new */
	reader_init(&w->r_fetch, w->procfd, PI_CMDLINE, &w->clock);
	w->r_fetch.files = FILE_CMDLINE;
	w->r_fetch.cmdline_max = 64 * 1024; /* no screen is wider */
	w->fd_budget = fd_budget();
	w->same_pid_ns = proc_is_our_pid_ns(w->procfd);
	w->have_schedstat = faccessat(w->procfd, "self/schedstat", R_OK, 0) == 0;
	w->full_every = PROCWATCH_FULL_EVERY;
	reader_init(&w->r_comm, w->procfd, PI_COMM, &w->clock);
	if (start_iter(w) < 0 || procwatch_refresh(w) < 0) {
		int err = errno;

		procwatch_close(w);
		errno = err;
		return -1;
	}
	return 0;
}

void procwatch_want_extras(struct procwatch *w, bool on)
{
	sys_want_extras(w->sysr, on);
}

void procwatch_close(struct procwatch *w)
{
	for (size_t i = 0; i < w->n; i++)
		forget(w, &w->extra[i]);
	if (w->procfd >= 0)
		close(w->procfd);
	if (w->loadavg_fd >= 0)
		close(w->loadavg_fd);
	if (w->iter)
		stop_iter(w);
	sys_close(w->sysr);
	strpool_free(w->frame_pool);
	strpool_free(w->task_pool);
	strpool_free(w->prev_task_pool);
	free(w->tasks);
	free(w->prev_tasks);
	reader_bufs_free(&w->bufs);
	free(w->procs);
	free(w->spare_procs);
	free(w->pids);
	memset(w, 0, sizeof(*w));
	w->procfd = -1;
	w->loadavg_fd = -1;
}

void procwatch_close_at_exit(struct procwatch *w)
{
	for (size_t i = 0; i < w->n; i++) {
		struct kept_fds *f = &w->extra[i].fds;

		count_kept(w, -((f->schedstat >= 0) + (f->stat >= 0) + (f->statm >= 0)));
		*f = KEPT_NONE;
	}
	w->sched_open = 0;
	procwatch_close(w);
}

/* ---- thread rows ------------------------------------------------------------ */

static int task_cmp(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* %CPU of each thread since the previous reading of the same thread (its
 * tid and start time), found by binary search in the previous list. */
static void task_rates(struct procwatch *w, double seconds)
{
	double ticks = seconds * (double)w->clock.hz;

	for (size_t k = 0; k < w->ntasks; k++) {
		struct proc *t = &w->tasks[k];
		const struct proc *old = w->nprev_tasks ?
			bsearch(t, w->prev_tasks, w->nprev_tasks, sizeof(*t), task_cmp) : NULL;

		t->cpu_pct = 0;
		if (old && old->start_ticks == t->start_ticks && ticks > 0 &&
		    t->cpu_ticks >= old->cpu_ticks)
			t->cpu_pct = 100.0 * (double)(t->cpu_ticks - old->cpu_ticks) / ticks;
		if (t->cpu_pct > 100.0)
			t->cpu_pct = 100.0;
	}
}

void procwatch_fetch_threads(struct procwatch *w, const int32_t *idx, size_t n)
{
	struct proc *swap = w->prev_tasks;
	size_t swap_cap = w->prev_tasks_cap;
	double now;

	/* The current list becomes the previous one, with its names. */
	w->prev_tasks = w->tasks;
	w->prev_tasks_cap = w->tasks_cap;
	w->nprev_tasks = w->ntasks;
	w->tasks = swap;
	w->tasks_cap = swap_cap;
	w->ntasks = 0;
	strpool_free(w->prev_task_pool);
	w->prev_task_pool = w->task_pool;
	w->task_pool = strpool_new();
	for (size_t k = 0; k < n; k++) {
		const struct proc *p = &w->procs[idx ? (size_t)idx[k] : k];

		if (p->threads > 1 && !p->kernel_thread)
			(void)proc_tasks_read(w->procfd, p, &w->clock, w->task_pool,
					      &w->tasks, &w->ntasks, &w->tasks_cap);
	}
	if (w->ntasks > 1) /* NULL until a threaded process is shown */
		qsort(w->tasks, w->ntasks, sizeof(*w->tasks), task_cmp);
	now = mono_now();
	task_rates(w, w->tasks_time > 0 ? now - w->tasks_time : 0);
	w->tasks_time = now;
	w->tasks_at = w->refreshes;
}
