/*
 * taskrec.h - a pass of pmon's BPF task iterator (bpf/task_rec.h) read
 * into what /proc would have said: checking the records, adding the live
 * threads' CPU time to their process, and filling struct proc the way
 * proc_fill_stat() does from /proc/PID/stat.  Pure functions over a
 * buffer (internal to src/proc/), so the unit tests can feed them any
 * record and kernels without BPF still test them.
 */
#ifndef PMON_TASKREC_H
#define PMON_TASKREC_H

#include <stdbool.h>
#include <stddef.h>

#include "proc/bpf/task_rec.h"
#include "proc/proc.h"

/* The items a record fills in (the rest come from /proc). */
#define TASKREC_HAVE (PI_PPID | PI_STATE | PI_STAT | PI_LOCKED | PI_UID | \
		      PI_USER | PI_COMM | PI_THREADS | PI_NICE | PI_RSS | \
		      PI_START | PI_CPU | PI_MEM | PI_TTY | PI_PCPU | PI_SCHED)

/* A process of the pass, with its live threads' CPU time added. */
struct taskrec {
	pid_t pid, ppid;               /* t->pid, t->ppid, kept here: a
					  search that reads the records
					  misses cache */
	const struct pmon_rec_task *t; /* in the pass's buffer */
	const char *name;              /* a kernel thread's long name, or
					  NULL: t->comm is the name */
	unsigned long long rtime_ns, utime_ns, stime_ns;
};

struct taskrec_pass {
	struct taskrec *procs; /* in pid order */
	size_t n, cap;
	struct taskrec *spare; /* what a pass out of order is merged into */
	size_t spare_cap;
	size_t tasks;          /* tasks visited: processes and threads */
	unsigned pidns_level;  /* of the reader */
	bool rss_exact;        /* PMON_REC_RSS_EXACT */
};

/*
 * The header at the start of buf (len bytes so far).  0 when it is one of
 * ours in this format; -1 with errno EAGAIN (too short yet), EPROTO (not
 * a pmon pass) or ESTALE (another format version, in *version).
 */
int taskrec_check_header(const void *buf, size_t len, unsigned *version);

/* Read a whole pass (buf, len: what the reads gave) into p, whose
 * records point into buf (names are NUL-terminated there).  0, or -1
 * with errno (as taskrec_check_header, or EPROTO for a bad or missing
 * record: a pass cut short). */
int taskrec_decode(void *buf, size_t len, struct taskrec_pass *p);
void taskrec_pass_free(struct taskrec_pass *p);

/* The process pid in the pass, or NULL. */
const struct taskrec *taskrec_find(const struct taskrec_pass *p, pid_t pid);

/*
 * The items of have (TASKREC_HAVE) of one process into p, computed as
 * /proc computes them, except the strings: p->comm stays NULL (see
 * taskrec_name).  The STAT text has L when PI_LOCKED is
 * in have.
 */
void taskrec_fill(const struct taskrec *r, unsigned have,
		  const struct proc_clock *clk, struct proc *p);

/* The start time /proc/PID/stat gives, in ticks of hz. */
unsigned long long taskrec_start_ticks(const struct taskrec *r, long hz);

/* The name /proc gives a process: comm, or a kernel thread's long name;
 * but not a workqueue worker's, which /proc formats from the work it
 * does, nor a long name the pass did not carry (the walk's): when
 * taskrec_comm_from_proc, read it there. */
const char *taskrec_name(const struct taskrec *r);
bool taskrec_comm_from_proc(const struct taskrec *r);

/* The CPU time /proc/PID/stat gives (utime + stime, in ticks of hz) for
 * the run time, sampled user and system times and the split it last gave
 * (prev_*): kernel/sched/cputime.c's cputime_adjust(), without its update
 * of prev, and nsec_to_clock_t() of each part. */
unsigned long long taskrec_cpu_ticks(unsigned long long rtime,
				     unsigned long long utime,
				     unsigned long long stime,
				     unsigned long long prev_utime,
				     unsigned long long prev_stime, long hz);

#endif
