/*
 * snapshot.c - the one-shot mode of the process layer: list /proc, read
 * each process once (reader.c), keep them in pid order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/proc.h"
#include "proc/reader.h"
#include "proc/sys.h"
#include "proc/taskiter.h"
#include "util/strpool.h"

/*
 * One thread reads every process.  A thread per CPU (which pmon had)
 * shortens the wall time when a second CPU is idle but costs more CPU:
 * the threads contend for the same /proc locks and cache lines.
 * Measured at 10,000 processes on this project's 2-CPU VM, 3 rounds of
 * 5 runs, the two builds interleaved (each file then closed at once, by
 * pmon and by the floors): pmon tree 145-150 ms of CPU with two threads,
 * 131-133 with one (the stat floor 117-118); pmon ps 256-261 against
 * 236-240 (the stat + status floor 223-224): 6-10%; wall 91-115 against
 * 134-154 ms for tree.
 * A monitor's cost is the CPU it takes from the machine it watches, and
 * on a busy machine the second CPU is not idle anyway.
 */
static void scan(struct snapshot *s, const struct reader *r, const pid_t *pids,
		 size_t n)
{
	struct fd_batch closing;
	struct reader_bufs bufs = {.closing = &closing};

	fd_batch_init(&closing, r->procfd);
	s->procs = xbig_calloc(n ? n : 1, sizeof(*s->procs));
	for (size_t i = 0; i < n; i++) {
		int rc = reader_read(r, pids[i], NULL, &s->procs[s->n], s->pool, &bufs);

		if (rc < 0)
			s->vanished++;
		if (rc > 0)
			s->n++;
	}
	reader_bufs_free(&bufs);
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* The pids to read: the query's, sorted and without repeats, or every
 * pid in /proc.  How many, or -1. */
static ssize_t pids_to_read(int procfd, const struct snapshot_query *q,
			    pid_t **pids)
{
	size_t cap = 0, n = 0;

	*pids = NULL;
	if (!q->npids)
		return procfs_list_pids(procfd, pids, &cap);
	*pids = xcalloc(q->npids, sizeof(pid_t));
	memcpy(*pids, q->pids, q->npids * sizeof(pid_t));
	qsort(*pids, q->npids, sizeof(pid_t), pid_cmp);
	for (size_t i = 0; i < q->npids; i++)
		if (i == 0 || (*pids)[i] != (*pids)[n - 1])
			(*pids)[n++] = (*pids)[i];
	return (ssize_t)n;
}

/* After the scan: user names and %CPU and %MEM over each process's
 * life, as ps gives them. */
static void finish(struct snapshot *s)
{
	unsigned long mem_kb = s->have & PI_PCPU ? sys_mem_total_kb() : 0;

	for (size_t i = 0; i < s->n; i++) {
		struct proc *p = &s->procs[i];

		if (s->have & PI_USER)
			p->user = uid_name(p->uid);
		if (s->have & PI_PCPU) {
			double secs = (double)p->cpu_ticks / (double)s->clock.hz;

			p->cpu_pct = p->elapsed_s > 0 ? 100.0 * secs / (double)p->elapsed_s : 0;
			p->mem_pct = mem_kb ? 100.0 * (double)p->rss_kb / (double)mem_kb : 0;
		}
	}
}

int snapshot_take(struct snapshot *s, const struct snapshot_query *q)
{
	struct reader r;
	pid_t *pids = NULL;
	ssize_t n;
	int procfd, err;

	memset(s, 0, sizeof(*s));
	procfd = procfs_open();
	if (procfd < 0 || proc_clock_read(&s->clock) < 0) {
		if (procfd >= 0)
			close(procfd);
		errno = ENOENT;
		return -1;
	}
	s->have = q->need | (q->nuids ? PI_UID : 0);
	reader_init(&r, procfd, s->have & ~(unsigned)PI_TAIL, &s->clock);
	s->have = r.have | (q->need & PI_TAIL);
	r.uids = q->uids;
	r.nuids = q->nuids;
	/* Only a list of pids can name a thread that is not a process (the
	 * listing of /proc holds processes only). */
	r.threads_out = q->npids > 0;
	s->pool = strpool_new();
	/* One pass of the BPF task iterator instead, when it is chosen
	 * (backend.h); else every pid in /proc. */
	n = taskiter_snapshot(s, &r, q);
	if (n == 0) {
		n = pids_to_read(procfd, q, &pids);
		if (n >= 0)
			scan(s, &r, pids, (size_t)n);
	}
	err = errno;
	close(procfd);
	free(pids);
	if (n < 0) {
		snapshot_free(s);
		errno = err;
		return -1;
	}
	finish(s);
	if (q->need & PI_TAIL) {
		struct proc **all = xcalloc(s->n ? s->n : 1, sizeof(*all));

		for (size_t i = 0; i < s->n; i++)
			all[i] = &s->procs[i];
		(void)proc_fetch_tail(all, s->n, q->need, s->pool);
		free(all);
	}
	return 0;
}

void snapshot_free(struct snapshot *s)
{
	free(s->procs);
	strpool_free(s->pool);
	memset(s, 0, sizeof(*s));
}

static int by_pid(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

struct proc *snapshot_find(const struct snapshot *s, pid_t pid)
{
	struct proc key = {.pid = pid};

	if (!s->n)
		return NULL;
	return bsearch(&key, s->procs, s->n, sizeof(*s->procs), by_pid);
}

bool snapshot_is_ancestor(const struct snapshot *s, pid_t anc, pid_t pid)
{
	for (size_t hops = 0; pid > 0 && hops <= s->n; hops++) {
		const struct proc *p = snapshot_find(s, pid);

		if (pid == anc)
			return true;
		if (!p)
			break;
		pid = p->ppid;
	}
	return false;
}
