/*
 * watch.h - the kept-descriptor mode of the process layer, behind
 * `pmon top`: the same reading code as a snapshot (reader.c), but each
 * process's stat and statm stay open between refreshes and are re-read
 * with pread(), and what rarely changes (owner, command line) is read once
 * per process.  A process that has not run since the last refresh (its
 * schedstat run time has not moved) is not read again unless it is shown
 * with a field that can change while it sleeps (PI_CHANGES_IDLE), or
 * every full_every refreshes.  A process is keyed by its pid and start
 * time, so a recycled pid is a new process.
 *
 * Data flows one way: procwatch_refresh() reads every process, the caller
 * chooses rows from memory, and procwatch_fetch() then reads what only
 * the chosen rows need (command lines, I/O, libproc2's long tail).
 */
#ifndef PMON_WATCH_H
#define PMON_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "proc/proc.h"
#include "proc/reader.h"
#include "proc/sys.h"

/* What a watch keeps about each process beyond struct proc. */
enum { SETTLED = 2 };
struct watch_extra {
	struct kept_fds fds;           /* schedstat, stat and statm kept open,
	                                  or -1 */
	unsigned long long run_ns;     /* schedstat's run time at the last
	                                  refresh */
	unsigned long long prev_cpu;   /* cpu_ticks at the previous refresh */
	bool fresh;                    /* stat and statm read this refresh */
	/* What a refresh of an idle process touches is kept in this first
	 * cache line: at 10,000 processes, touching each one's 320-byte
	 * struct proc and the rest of this one cost a refresh a fifth more
	 * CPU than the pread of schedstat it needs (perf, 1 s refreshes). */
	unsigned char idle_runs;       /* refreshes in a row it was not read
	                                  again, at most SETTLED: from 1,
	                                  prev_cpu == cpu_ticks; at SETTLED
	                                  its %CPU is 0, nothing to recompute */
	char comm[64];                 /* procs[i].comm points here */
	char *cmdline;                 /* owned; NULL when unreadable or not
	                                  read yet (cmdline_read) */
	bool cmdline_read;
	char *cgroup_path, *container; /* owned: PI_CONTAINER, read once
	                                  (again after an exec) */
	bool cgroup_read;
	/* The last reading of io and of the GPU engines, for the rates of
	 * the next one (rows shown only: the time between may be long). */
	unsigned long long io_prev_read, io_prev_write, gpu_prev_ns;
	double io_prev_at, gpu_prev_at;  /* monotonic seconds; 0: none */
	bool hidden;                   /* read from /proc: the BPF task
	                                  iterator does not show it */
};

struct taskiter;

struct procwatch {
	struct proc *procs;          /* sorted by pid, as a snapshot's */
	struct watch_extra *extra;   /* same index as procs */
	size_t n;
	struct sys_stats sys;
	struct proc_clock clock;     /* at the last refresh */
	double interval;             /* seconds between the last two refreshes;
	                                0 after the first */
	size_t vanished;             /* processes gone during the last refresh */
	size_t fds_open, fd_budget;  /* descriptors kept open, and the most
	                                that may be */
	size_t sched_open;           /* of them, schedstat's */
	unsigned listings;           /* refreshes that listed /proc in full */
	size_t idle;                 /* processes that had not run, and so
	                                were not read again, last refresh */
	unsigned long mem_total_before; /* MemTotal at the last refresh */
	/* Set by the caller before a refresh: */
	bool full;                   /* read every process in full (every
	                                row is shown, or sorted on what
	                                changes while a process sleeps) */
	unsigned full_every;         /* a full pass every N refreshes (0:
	                                never); PROCWATCH_FULL_EVERY */
	/* private */
	int procfd;
	struct sys_reader *sysr;
	struct reader r_new, r_update, r_fetch;
	struct reader_bufs bufs;
	struct strpool *frame_pool;  /* strings of procwatch_fetch's tail */
	/* Thread rows (procwatch_fetch_threads): the threads other than the
	 * main one of the processes asked for, sorted by tid. */
	struct proc *tasks;
	size_t ntasks, tasks_cap;
	struct proc *prev_tasks;     /* the previous reading, for %CPU */
	size_t nprev_tasks, prev_tasks_cap;
	struct strpool *task_pool, *prev_task_pool;
	unsigned tasks_at;           /* the refresh they were read at */
	double tasks_time;           /* monotonic seconds of that reading */
	/* procs and extra are one block that starts at procs (watch.c's
	 * table_block), and so are their spares, NULL until a merge that
	 * cannot be done in place needs them. */
	struct proc *spare_procs;
	struct watch_extra *spare_extra;
	size_t cap;
	pid_t *pids;
	size_t pids_cap;
	double last;                 /* monotonic seconds of the last refresh */
	double prev_uptime;          /* clock.uptime at the previous refresh */
	unsigned refreshes;
	size_t expect;               /* processes in this refresh's pid list */
	long last_pid;               /* /proc/loadavg's newest pid */
	unsigned long long forks;    /* /proc/stat's processes */
	bool same_pid_ns;            /* /proc shows our pid namespace */
	bool have_schedstat;         /* the kernel keeps schedstats */
	bool full_pass;              /* this refresh reads all in full */
	/* With the BPF task iterator (backend.h): a pass per refresh gives
	 * every process it shows; the others, and the names of workqueue
	 * workers, come from /proc. */
	struct taskiter *iter;       /* NULL: /proc only */
	size_t pass_at;              /* in_pass()'s cursor in the pass */
	struct reader r_comm;
	int loadavg_fd;
};

/* Every Nth refresh reads every process in full: the longest that the
 * state, RSS, nice or parent of a process that has not run can be old
 * where nothing shows it (the Tasks counts; rows off the screen are read
 * when they come on it).  A full pass costs three times an idle refresh
 * (0.16 against 0.055 CPU-s at 10,000 processes on the development VM),
 * so a rare one: 60 refreshes is a minute at -d 1. */
#define PROCWATCH_FULL_EVERY 60

/* The items that can change while a process does not run: its state (a
 * wakeup, SIGCONT), RSS (reclaim), nice (setpriority by another), parent
 * (its parent died), terminal.  Rows shown with these are read again.
 * (%CPU is not: it is 0 for a process that did not run; %MEM follows
 * PI_RSS.) */
#define PI_CHANGES_IDLE (PI_STATE | PI_STAT | PI_RSS | PI_MEM | PI_NICE | \
			 PI_PPID | PI_TTY)

/*
 * Start watching: opens /proc, raises the soft limit of open files to the
 * hard limit (descriptors kept open are the point) and takes the first
 * reading, so that the next procwatch_refresh() has deltas.  full is
 * w->full for that first reading: a watch that will read everyone in
 * full (top -b) keeps no schedstat it would only close again.
 * Returns 0, or -1 with errno (ENOENT: /proc is not mounted).
 */
int procwatch_open(struct procwatch *w, bool full);
/* Read every process again.  0, or -1 with errno. */
int procwatch_refresh(struct procwatch *w);
void procwatch_close(struct procwatch *w);
/* The same in a process about to exit (pmon top): the descriptors kept
 * are left to the exit, which closes them without a system call each.
 * Measured at 10,171 processes, 20,000 kept: the close(2)s cost 5% of a
 * 10-refresh `pmon top -b` (bench/README.md). */
void procwatch_close_at_exit(struct procwatch *w);
/* Read the meters' system-wide extras (sys_want_extras) or not. */
void procwatch_want_extras(struct procwatch *w, bool on);

/* Read the items of need that a refresh does not (PI_CMDLINE, PI_IO and
 * the PI_TAIL items, and the PI_CHANGES_IDLE items of a process that had
 * not run) for procs[idx[0..n)] (idx NULL: procs[0..n)), after the rows
 * are chosen.  A command line is read once per process (again after an
 * exec). */
void procwatch_fetch(struct procwatch *w, const int32_t *idx, size_t n,
		     unsigned need);

/* Read the threads of procs[idx[0..n)] (idx NULL: all) that have more
 * than one, into w->tasks: one row each for every thread but the main
 * one (whose row is its process's), with %CPU over the time since the
 * previous call.  Rows name them by procwatch_row index -1 - k. */
void procwatch_fetch_threads(struct procwatch *w, const int32_t *idx, size_t n);

/* The process (i >= 0) or thread (i < 0: tasks[-1 - i]) of a row index. */
static inline const struct proc *procwatch_row(const struct procwatch *w, int32_t i)
{
	return i >= 0 ? &w->procs[i] : &w->tasks[-1 - i];
}

/* Is p a thread row (not its process's)? */
static inline bool proc_is_thread(const struct proc *p)
{
	return p->tgid && p->tgid != p->pid;
}

/* The items of struct proc a refresh fills in (its `have` bits). */
#define PROCWATCH_HAVE (PI_PPID | PI_STATE | PI_STAT | PI_UID | PI_USER | \
			PI_COMM | PI_THREADS | PI_NICE | PI_RSS | PI_START | \
			PI_CPU | PI_MEM | PI_TTY | PI_PCPU)

#endif
