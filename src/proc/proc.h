/*
 * proc.h - the process snapshot: the one layer that reads /proc.  Commands
 * say which items they need; only the /proc files those items live in are
 * opened, because the cost of a scan grows with every extra file per
 * process (stat is the cheapest; status costs about half as much again).
 *
 * A process is identified by its pid *and* its start time (start_ticks):
 * a pid alone may have been recycled by the time anyone acts on it.
 */
#ifndef PMON_PROC_H
#define PMON_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "proc/procstat.h"

/* The items a command can ask for.  Each names what it fills in struct
 * proc; proc.c maps each to the libproc2 items (and so the files) behind
 * it. */
enum proc_item {
	PI_PPID    = 1u << 0,  /* stat */
	PI_STATE   = 1u << 1,  /* stat */
	PI_STAT    = 1u << 2,  /* stat: state and modifiers s < N + l */
	PI_LOCKED  = 1u << 3,  /* status: VmLck, the L modifier */
	PI_UID     = 1u << 4,  /* status Uid if status is read, else the
	                          owner of /proc/PID (one fstat, no text) */
	PI_USER    = 1u << 5,  /* uid plus a cached name lookup */
	PI_COMM    = 1u << 6,  /* stat */
	PI_CMDLINE = 1u << 7,  /* cmdline */
	PI_THREADS = 1u << 8,  /* stat */
	PI_NICE    = 1u << 9,  /* stat */
	PI_RSS     = 1u << 10, /* stat; status VmRSS when status is read */
	PI_START   = 1u << 11, /* stat: start time, start_time, elapsed_s */
	PI_CPU     = 1u << 12, /* stat: utime + stime */
	PI_SIGNALS = 1u << 13, /* status: SigIgn, SigCgt */
	PI_TRACE   = 1u << 14, /* status: TracerPid, Seccomp, NSpid */
	PI_ALL     = (1u << 15) - 1,
	/* Not in PI_ALL: one more file per process, for the few that need
	 * it (zombies).  stat: processor; sched: se.exec_start.  Cleared
	 * from a proc's have when the kernel has no /proc/PID/sched. */
	PI_SCHED   = 1u << 15,
};


/* NSpid levels kept: the kernel nests at most 32, real systems 2 or 3. */
#define PROC_NS_MAX 8

struct proc {
	pid_t pid;
	pid_t ppid;
	char state;                    /* R S D T t Z X I ... */
	char stat[STAT_MAX];           /* ps-style, e.g. "Ss+" */
	uid_t uid;                     /* effective uid */
	const char *user;              /* name, or the uid as text */
	const char *comm;              /* raw, as the kernel gives it */
	const char *cmdline;           /* raw args joined by spaces; "" for
	                                  kernel threads and zombies; NULL
	                                  when it could not be read */
	int threads;
	int nice;
	pid_t session, pgrp, tpgid;
	bool locked;                   /* has locked pages (L) */
	bool kernel_thread;
	unsigned long rss_kb;
	unsigned long long start_ticks; /* clock ticks after boot */
	time_t start_time;             /* seconds since the epoch */
	long elapsed_s;
	unsigned long long cpu_ticks;  /* utime + stime */
	unsigned long long sig_ignored, sig_caught; /* signal bitmasks */
	pid_t tracer_pid;              /* 0: not traced */
	int seccomp;                   /* 0 off, 1 strict, 2 filter */
	int ns_levels;                 /* NSpid: pid in each namespace, */
	pid_t ns_pids[PROC_NS_MAX];    /* outermost (ours) first */
	unsigned have;                 /* enum proc_item bits filled in */
	/* PI_SCHED: the CPU it last ran on, and when it was last taken off
	 * a CPU, on that CPU's scheduler clock (ns).  For a zombie that is
	 * the moment it exited. */
	int last_cpu;
	unsigned long long last_ran_ns;
};

struct snapshot {
	struct proc *procs; /* sorted by pid */
	size_t n;
	unsigned have;      /* the items asked for */
	double uptime;      /* seconds since boot, when the scan began */
	time_t now;
	long hz;            /* clock ticks per second */
	struct strpool *pool; /* owns every string the procs point to */
	size_t vanished;    /* listed in /proc but gone before being read */
};

/* Which processes to read: all (both lists empty), or only these pids,
 * or only these effective uids.  A pid in the list that is the id of a
 * thread, not of a process, is left out when the items read
 * /proc/PID/status (as pmon ps does), like ps -p leaves it out.  Filtering here lets libproc2 skip the
 * files of processes nobody asked about. */
struct snapshot_query {
	unsigned need;         /* enum proc_item bits */
	const pid_t *pids;
	size_t npids;
	const uid_t *uids;
	size_t nuids;
};

/*
 * Read the processes.  A process that exits during the scan is simply
 * absent.  Returns 0, or -1 with errno set (ENOENT: /proc is not
 * mounted; ENOMEM).
 */
int snapshot_take(struct snapshot *s, const struct snapshot_query *q);
void snapshot_free(struct snapshot *s);
struct proc *snapshot_find(const struct snapshot *s, pid_t pid);
/* Is anc pid itself, or one of its ancestors as the snapshot links them?
 * Bounded, so a parent cycle (pids recycled during the scan) ends. */
bool snapshot_is_ancestor(const struct snapshot *s, pid_t anc, pid_t pid);

/* The boot-relative start time of one process, read now; with the pid it
 * tells whether a pid still names the process a snapshot saw.  Returns 0,
 * or -1 with errno ESRCH when there is no such process. */
int proc_start_ticks(pid_t pid, unsigned long long *ticks);

/* The threads of one process, read now: tid and state letter of each.
 * Returns how many (in *out, freshly allocated), or
 * -1 with errno ESRCH when the process is gone. */
struct proc_thread {
	pid_t tid;
	char state;
};
int proc_threads(pid_t pid, struct proc_thread **out);

/* Where the vDSO of process or thread pid is mapped ([vdso] in
 * /proc/PID/maps; ask a live thread when the leader has exited).  0, or
 * -1 with errno ENOENT when it has none, ESRCH when it is gone, EACCES
 * when its maps may not be read. */
int proc_vdso_range(pid_t pid, unsigned long *start, unsigned long *end);

/* The scheduler clock of CPU cpu now (ns), comparable with last_ran_ns
 * of a process that last ran there: pmon moves itself onto that CPU for
 * the reading (CPU clocks can differ by the interrupt and steal time each
 * has accounted) and back.  *pinned says whether it could; if not, the
 * clock of whichever CPU pmon was on is given.  0, or -1 with errno
 * (ENOENT: the kernel has no /proc/PID/sched). */
int proc_sched_now(int cpu, unsigned long long *ns, bool *pinned);

/* The name of a uid (or the uid as text), cached for the whole run; the
 * string lives until exit.  For procwatch.c, which reads processes itself. */
const char *proc_user_name(uid_t uid);

/*
 * The numbers of a parsed /proc/PID/stat line into p (not comm, whose
 * string each reader stores its own way, nor the STAT text).  clk is the
 * moment of the reading, which start_time and elapsed_s are taken from.
 * Shared by the snapshot and by procwatch, so both agree to the tick.
 */
struct stat_line;
struct proc_clock {
	double boot_time;      /* seconds since the epoch */
	double uptime;         /* seconds since boot */
	long hz;               /* clock ticks per second */
	unsigned long page_kb; /* kB per page */
};
void proc_fill_stat(struct proc *p, const struct stat_line *st,
		    const struct proc_clock *clk);
/* p->stat, ps's STAT, from the fields proc_fill_stat (and, for L, the
 * status file) filled in. */
void proc_format_stat(struct proc *p);

/* A process as a snapshot saw it: the pid alone may be someone else's by
 * now, the pid with its start time cannot. */
struct proc_ref {
	pid_t pid;
	unsigned long long start_ticks;
};


/*
 * A pidfd for ref's process, checked to be that process (the start time
 * matches).  -1 with errno ESRCH when it is gone, ESTALE when its pid now
 * names another process, or pidfd_open's errno.
 */
int pidfd_open_ref(const struct proc_ref *ref);

/*
 * True for a real zombie: state Z and no live threads.  A thread-group
 * leader that called pthread_exit() while other threads run also shows Z
 * in /proc/PID/stat, but its thread count is still above one and nothing
 * can (or needs to) reap it; it is not listed.  Needs PI_STATE|PI_THREADS.
 */
bool proc_is_zombie(const struct proc *p);

/* Gone for good: a real zombie (proc_is_zombie) or dead (X); nothing to
 * signal, its children have moved on.  Needs PI_STATE|PI_THREADS. */
bool proc_has_exited(const struct proc *p);

/* True when p is PID 1 of its own PID namespace (or of ours). */
bool proc_is_ns_init(const struct proc *p);

#endif
