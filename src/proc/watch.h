/*
 * watch.h - the live process reader behind `pmon top`: the part of the
 * system layer (with proc.c) that reads /proc again and again.
 *
 * A snapshot (proc.h) opens every file it reads and closes it again; at
 * 10,000 processes a refresh that way costs several times the kernel's own
 * work of generating the text.  A watch keeps each process's
 * /proc/PID/stat open between refreshes and re-reads it with pread(), and
 * reads what rarely changes (owner, command line) only for processes it
 * has not seen before.  A process is keyed by its pid and start time, so
 * a recycled pid is a new process.
 */
#ifndef PMON_PROCWATCH_H
#define PMON_PROCWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util/util.h"
#include "proc/proc.h"

/* What a watch knows about each process beyond struct proc. */
struct watch_extra {
	int fd;                        /* /proc/PID/stat, or -1: over the fd
	                                  budget, re-opened on each refresh */
	char comm[64];
	char *cmdline;                 /* owned; NULL when unreadable or not
	                                  read yet (see procwatch_cmdline) */
	bool cmdline_read;
	unsigned long long prev_cpu;   /* cpu_ticks at the previous refresh */
	double cpu_pct;                /* of one CPU, over the last interval */
	double mem_pct;                /* rss of MemTotal */
};

/* System-wide figures for the header, from /proc/stat, /proc/meminfo,
 * /proc/loadavg and /proc/uptime. */
enum { CPU_USER, CPU_NICE, CPU_SYSTEM, CPU_IDLE, CPU_IOWAIT, CPU_IRQ,
       CPU_SOFTIRQ, CPU_STEAL, CPU_STATES };
struct sys_stats {
	double uptime;                       /* seconds */
	double load[3];
	unsigned long long cpu[CPU_STATES];  /* ticks since boot, all CPUs */
	double cpu_pct[CPU_STATES];          /* over the last interval */
	long last_pid;                       /* newest pid; -1 if unknown */
	unsigned long mem_total_kb, mem_free_kb, mem_avail_kb,
		mem_buffers_kb, mem_cached_kb, swap_total_kb, swap_free_kb;
};

struct procwatch {
	struct proc *procs;          /* sorted by pid, as a snapshot's */
	struct watch_extra *extra;   /* same index as procs */
	size_t n;
	struct sys_stats sys;
	double interval;             /* seconds between the last two refreshes;
	                                0 after the first */
	long hz;
	time_t now;
	size_t vanished;             /* processes gone during the last refresh */
	size_t fds_open, fd_budget;  /* stat files kept open, and the most
	                                that may be */
	/* private */
	int procfd, sys_fds[4];
	struct proc *spare_procs;
	struct watch_extra *spare_extra;
	size_t cap;
	pid_t *pids;
	size_t pids_cap;
	double last;                 /* monotonic seconds of the last refresh */
	unsigned long page_kb;
	double boot_time;
	double prev_uptime;          /* sys.uptime at the previous refresh */
	unsigned refreshes;
	long last_pid;               /* /proc/loadavg's newest pid */
	unsigned since_listing;      /* refreshes since the last readdir */
	bool same_pid_ns;            /* /proc shows our pid namespace */
	struct buf text, line;
};

/*
 * Start watching: opens /proc, raises the soft limit of open files to the
 * hard limit (one descriptor per process is the point) and takes the
 * first reading, so that the next procwatch_refresh() has deltas.
 * Returns 0, or -1 with errno (ENOENT: /proc is not mounted).
 */
int procwatch_open(struct procwatch *w);
/* Read every process again.  0, or -1 with errno. */
int procwatch_refresh(struct procwatch *w);
void procwatch_close(struct procwatch *w);

/* The command line of procs[i] (also set in procs[i].cmdline), read the
 * first time it is asked for: a view that shows names never pays for
 * them.  NULL when it cannot be read. */
const char *procwatch_cmdline(struct procwatch *w, size_t i);

/* The items of struct proc a watch fills in (its `have` bits). */
#define PROCWATCH_HAVE (PI_PPID | PI_STATE | PI_STAT | PI_UID | PI_USER | \
			PI_COMM | PI_CMDLINE | PI_THREADS | PI_NICE | PI_RSS | \
			PI_START | PI_CPU)

#endif
