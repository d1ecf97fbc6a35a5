/*
 * taskrec.c - a pass of the BPF task iterator into struct proc (see
 * taskrec.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proc/parse.h"
#include "proc/taskrec.h"

/* ---- checking the records ------------------------------------------------ */

int taskrec_check_header(const void *buf, size_t len, unsigned *version)
{
	struct pmon_rec_header h;

	if (len < sizeof(h)) {
		errno = EAGAIN;
		return -1;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.h.type != PMON_REC_HEADER || h.magic != PMON_REC_MAGIC) {
		errno = EPROTO;
		return -1;
	}
	*version = h.version;
	if (h.version != PMON_REC_VERSION || h.h.size != sizeof(h)) {
		errno = ESTALE;
		return -1;
	}
	return 0;
}

/* The size each type of record must have; 0 for an unknown type. */
static size_t record_size(unsigned type)
{
	switch (type) {
	case PMON_REC_HEADER: return sizeof(struct pmon_rec_header);
	case PMON_REC_TASK: return sizeof(struct pmon_rec_task);
	case PMON_REC_THREAD: return sizeof(struct pmon_rec_thread);
	case PMON_REC_TRAILER: return sizeof(struct pmon_rec_trailer);
	case PMON_REC_NAME: return sizeof(struct pmon_rec_name);
	default: return 0;
	}
}

/*
 * Room in p for every process len bytes of records can hold (at most a
 * task record each), made once before the walk: growing it by doubling
 * as the records came copied it four times and made a sixth of the page
 * faults of a one-shot `pmon tree` with the pin (140 of 840 at 10,000
 * processes; see big_alloc in util.c for what a fault costs).
 */
static void reserve_procs(struct taskrec_pass *p, size_t len)
{
	size_t most = len / sizeof(struct pmon_rec_task) + 1;

	if (most <= p->cap)
		return;
	free(p->procs);
	p->procs = big_alloc(most * sizeof(*p->procs));
	if (!p->procs)
		p->procs = xreallocarray(NULL, most, sizeof(*p->procs));
	p->cap = most;
}

static void add_process(struct taskrec_pass *p, struct pmon_rec_task *t)
{
	if (p->n == p->cap) { /* never, after reserve_procs */
		p->cap = p->cap ? 2 * p->cap : 1024;
		p->procs = xreallocarray(p->procs, p->cap, sizeof(*p->procs));
	}
	t->comm[sizeof(t->comm) - 1] = '\0';
	p->procs[p->n++] = (struct taskrec){
		.pid = t->pid, .ppid = t->ppid, .t = t, .rtime_ns = t->rtime_ns,
		.utime_ns = t->utime_ns, .stime_ns = t->stime_ns,
	};
}

static int by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct taskrec *)a)->pid;
	pid_t y = ((const struct taskrec *)b)->pid;

	return (x > y) - (x < y);
}

/*
 * Into pid order.  The walk's order is the task list's, the order the
 * processes were made in: rising pids, falling back where the pids
 * wrapped, so a few rising runs.  Those are merged at once into a new
 * array, the smallest of the runs' heads taken each time (9 runs at
 * 10,000 processes here: 90,000 comparisons and one copy, where merging
 * them two by two copied the array four times and qsort took 3 million
 * instructions); qsort only when there are many.
 */
enum { MERGE_RUNS = 32 };

static void sort_by_pid(struct taskrec_pass *p)
{
	size_t head[MERGE_RUNS], end[MERGE_RUNS], runs = 0, n = p->n, out_cap;
	struct taskrec *in = p->procs, *out;

	for (size_t i = 0; i < n; i++) {
		if (i > 0 && in[i - 1].pid < in[i].pid)
			continue;
		if (runs == MERGE_RUNS) {
			qsort(in, n, sizeof(*in), by_pid);
			return;
		}
		if (runs)
			end[runs - 1] = i;
		head[runs++] = i;
	}
	if (runs < 2)
		return;
	end[runs - 1] = n;
	if (p->spare_cap < n) { /* kept: a watch sorts every pass */
		free(p->spare);
		p->spare = big_alloc(n * sizeof(*out));
		if (!p->spare)
			p->spare = xreallocarray(NULL, n, sizeof(*out));
		p->spare_cap = n;
	}
	out = p->spare;
	out_cap = p->spare_cap;
	for (size_t o = 0; o < n; o++) {
		size_t min = runs;

		for (size_t r = 0; r < runs; r++)
			if (head[r] < end[r] &&
			    (min == runs || in[head[r]].pid < in[head[min]].pid))
				min = r;
		out[o] = in[head[min]++];
	}
	p->spare = p->procs;
	p->spare_cap = p->cap;
	p->procs = out;
	p->cap = out_cap;
}

/* A process twice, one kept (the first met, unless there were so many
 * runs that qsort sorted them): the walk can meet a process twice
 * when a thread that execs takes its leader's place in the task list
 * while the walk passes (de_thread), which the iterator, going by pid,
 * cannot. */
static void drop_repeats(struct taskrec_pass *p)
{
	size_t out = 0;

	for (size_t i = 0; i < p->n; i++)
		if (out == 0 || p->procs[out - 1].pid != p->procs[i].pid)
			p->procs[out++] = p->procs[i];
	p->n = out;
}

const struct taskrec *taskrec_find(const struct taskrec_pass *p, pid_t pid)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		pid_t at = p->procs[mid].pid;

		if (at == pid)
			return &p->procs[mid];
		if (at < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A live thread's CPU time onto its process, as thread_group_cputime()
 * adds it.  False when the process is not (yet) in p. */
static bool add_thread(struct taskrec_pass *p, const struct pmon_rec_thread *th)
{
	struct taskrec *r = (struct taskrec *)taskrec_find(p, th->tgid);

	if (!r)
		return false;
	r->rtime_ns += th->rtime_ns;
	r->utime_ns += th->utime_ns;
	r->stime_ns += th->stime_ns;
	return true;
}

/* The threads whose process came later in the pass (or all of them when
 * the pass is not in pid order), added once every process is in. */
struct late {
	const struct pmon_rec_thread **th;
	size_t n, cap;
};

static void one_record(struct taskrec_pass *p, char *rec, unsigned type,
		       bool sorted, struct late *late)
{
	/* The walk starts at the idle task of the first CPU (pid 0), which
	 * neither /proc nor the kernel's count of tasks has. */
	if (type == PMON_REC_TASK && ((struct pmon_rec_task *)rec)->pid == 0)
		return;
	if (type == PMON_REC_TASK) {
		add_process(p, (struct pmon_rec_task *)rec);
		p->tasks++;
	} else if (type == PMON_REC_NAME) {
		struct pmon_rec_name *nm = (struct pmon_rec_name *)rec;

		nm->name[sizeof(nm->name) - 1] = '\0';
		if (p->n && p->procs[p->n - 1].pid == nm->pid)
			p->procs[p->n - 1].name = nm->name;
	} else if (type == PMON_REC_THREAD) {
		const struct pmon_rec_thread *th = (const struct pmon_rec_thread *)rec;

		p->tasks++;
		if (sorted && add_thread(p, th))
			return;
		if (late->n == late->cap) {
			late->cap = late->cap ? 2 * late->cap : 64;
			late->th = xreallocarray(late->th, late->cap, sizeof(*late->th));
		}
		late->th[late->n++] = th;
	}
}

/* One walk over the records after the header (a pass is megabytes: each
 * walk is a cache miss per record).  0 when the trailer ended it. */
static int walk(char *buf, size_t len, struct taskrec_pass *p, struct late *late)
{
	size_t off = sizeof(struct pmon_rec_header);
	bool sorted = true;

	while (off + sizeof(struct pmon_rec_head) <= len) {
		struct pmon_rec_head h;

		memcpy(&h, buf + off, sizeof(h));
		if (!record_size(h.type) || h.size != record_size(h.type) ||
		    h.size > len - off || h.type == PMON_REC_HEADER)
			return -1;
		if (h.type == PMON_REC_TRAILER)
			return off + h.size == len ? 0 : -1;
		one_record(p, buf + off, h.type, sorted, late);
		if (h.type == PMON_REC_TASK && p->n > 1 &&
		    p->procs[p->n - 2].pid >= p->procs[p->n - 1].pid)
			sorted = false;
		off += h.size;
	}
	return -1;
}

int taskrec_decode(void *buf, size_t len, struct taskrec_pass *p)
{
	struct pmon_rec_header h;
	struct late late = {0};
	unsigned version;
	int rc;

	p->n = 0;
	p->tasks = 0;
	if (taskrec_check_header(buf, len, &version) < 0) {
		if (errno == EAGAIN)
			errno = EPROTO;
		return -1;
	}
	/* Records are 8-byte multiples from an aligned buffer. */
	if ((size_t)buf % 8 != 0) {
		errno = EINVAL;
		return -1;
	}
	memcpy(&h, buf, sizeof(h));
	p->pidns_level = h.pidns_level;
	p->rss_exact = h.flags & PMON_REC_RSS_EXACT;
	reserve_procs(p, len);
	rc = walk(buf, len, p, &late);
	if (rc == 0) {
		/* The iterator goes in pid order, but a pid namespace's
		 * numbers need not follow the first namespace's; the walk
		 * goes in the order the processes were made. */
		for (size_t i = 1; i < p->n; i++) {
			if (p->procs[i - 1].pid >= p->procs[i].pid) {
				sort_by_pid(p);
				drop_repeats(p);
				break;
			}
		}
		/* A thread whose process has gone since is dropped. */
		for (size_t i = 0; i < late.n; i++)
			(void)add_thread(p, late.th[i]);
	}
	free(late.th);
	if (rc < 0)
		errno = EPROTO;
	return rc;
}

void taskrec_pass_free(struct taskrec_pass *p)
{
	free(p->procs);
	free(p->spare);
	memset(p, 0, sizeof(*p));
}

/* ---- what /proc would say ---------------------------------------------- */

/* nsec_to_clock_t(): USER_HZ divides a second, so a plain division. */
static unsigned long long ns_to_ticks(unsigned long long ns, long hz)
{
	unsigned long long per_tick = 1000000000ULL / (unsigned long long)hz;

	return ns / per_tick;
}

unsigned long long taskrec_cpu_ticks(unsigned long long rtime,
				     unsigned long long utime,
				     unsigned long long stime,
				     unsigned long long prev_utime,
				     unsigned long long prev_stime, long hz)
{
	unsigned long long ut, st;

	if (prev_stime + prev_utime >= rtime) {
		ut = prev_utime;
		st = prev_stime;
	} else {
		if (stime == 0) {
			st = 0;
		} else if (utime == 0) {
			st = rtime;
		} else {
			/* mul_u64_u64_div_u64(stime, rtime, stime + utime),
			 * the sum in 128 bits too: from bytes that are not
			 * the kernel's (a pin not ours) it can wrap to 0 */
			st = (unsigned long long)((unsigned __int128)stime * rtime /
						  ((unsigned __int128)stime + utime));
			if (st > rtime)
				st = rtime;
		}
		if (st < prev_stime)
			st = prev_stime;
		ut = rtime - st;
		if (ut < prev_utime) {
			ut = prev_utime;
			st = rtime - ut;
		}
	}
	return ns_to_ticks(ut, hz) + ns_to_ticks(st, hz);
}

unsigned long long taskrec_start_ticks(const struct taskrec *r, long hz)
{
	return ns_to_ticks(r->t->start_ns, hz);
}

const char *taskrec_name(const struct taskrec *r)
{
	return r->name ? r->name : r->t->comm;
}

bool taskrec_comm_from_proc(const struct taskrec *r)
{
	return (r->t->flags & PMON_PF_WQ_WORKER) || (r->t->long_name && !r->name);
}

void taskrec_fill(const struct taskrec *r, unsigned have,
		  const struct proc_clock *clk, struct proc *p)
{
	const struct pmon_rec_task *t = r->t;
	struct stat_line st = {
		.pid = t->pid, .ppid = t->ppid, .pgrp = t->pgrp,
		.session = t->session, .tpgid = t->tpgid,
		.tty_nr = (int)t->tty_nr, .state = t->state, .flags = t->flags,
		.priority = t->prio, .nice = t->nice, .threads = t->threads,
		.start_ticks = ns_to_ticks(t->start_ns, clk->hz),
	};

	memset(p, 0, sizeof(*p));
	p->pid = t->pid;
	p->have = have & TASKREC_HAVE;
	st.cpu_ticks = taskrec_cpu_ticks(r->rtime_ns, r->utime_ns, r->stime_ns,
					 t->prev_utime_ns, t->prev_stime_ns, clk->hz);
	proc_fill_stat(p, &st, clk);
	p->uid = t->euid;
	p->locked = (have & PI_LOCKED) && t->locked_pages != 0;
	p->rss_kb = t->rss_pages * clk->page_kb;
	p->vsize_kb = t->vm_pages * clk->page_kb;
	p->shared_kb = t->shared_pages * clk->page_kb;
	p->last_cpu = t->last_cpu;
	p->last_ran_ns = t->exec_start_ns;
	if (have & PI_STAT)
		proc_format_stat(p);
}
