/*
 * proc.h - the process layer: the only code that reads /proc.
 *
 * Two modes over the same reading code (reader.c):
 *   snapshot  one pass that opens, reads and closes each file (ps, tree,
 *             zombies, kill, reap): snapshot.c;
 *   watch     the files of every process kept open and re-read with
 *             pread() on each refresh (top): watch.h.
 * Callers say which items they need; only the files those items live in
 * are read (item_sources[] in reader.c is the one table that says which),
 * because the cost of a pass grows with every extra file per process.
 * Items that pmon does not parse itself (wchan, OOM score, cgroup,
 * namespaces, supplementary groups, environment) come from procps-ng's
 * libproc2, only for the processes a view shows (tail.c).
 *
 * A process is identified by its pid *and* its start time (struct
 * proc_ref): a pid alone may have been recycled by the time anyone acts
 * on it.
 */
#ifndef PMON_PROC_H
#define PMON_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "proc/procstat.h"
#include "util/util.h"

/* The items a command can ask for.  Each names what it fills in struct
 * proc; reader.c maps each to the file (or the libproc2 item) behind it,
 * and proc_item_source() names that for `pmon ps -o help`. */
enum proc_item {
	PI_PPID    = 1u << 0,  /* stat */
	PI_STATE   = 1u << 1,  /* stat */
	PI_STAT    = 1u << 2,  /* stat: state and modifiers s < N + l */
	PI_LOCKED  = 1u << 3,  /* status: VmLck, the L modifier */
	PI_UID     = 1u << 4,  /* status Uid if status is read, else the
	                          owner of /proc/PID (one fstatat) */
	PI_USER    = 1u << 5,  /* uid plus a cached name lookup */
	PI_COMM    = 1u << 6,  /* stat */
	PI_CMDLINE = 1u << 7,  /* cmdline */
	PI_THREADS = 1u << 8,  /* stat */
	PI_NICE    = 1u << 9,  /* stat: nice and priority */
	PI_RSS     = 1u << 10, /* status VmRSS, else statm: exact (stat's
	                          field 24 is a per-CPU estimate) */
	PI_START   = 1u << 11, /* stat: start time, start_time, elapsed_s */
	PI_CPU     = 1u << 12, /* stat: utime + stime */
	PI_SIGNALS = 1u << 13, /* status: SigIgn, SigCgt */
	PI_TRACE   = 1u << 14, /* status: TracerPid, Seccomp, NSpid */
	PI_MEM     = 1u << 15, /* statm: virtual size, shared, RSS */
	PI_TTY     = 1u << 16, /* stat: controlling terminal */
	PI_PCPU    = 1u << 17, /* %CPU and %MEM: over the last refresh in a
	                          watch, over the process's life in a
	                          snapshot (as ps) */
	PI_IO      = 1u << 18, /* io: bytes read and written (pmon's own:
	                          libproc2 gives an unreadable io file as 0) */
	/* Not in PI_ALL: one more file per process, for the few that need
	 * it (zombies).  stat: processor; sched: se.exec_start.  Cleared
	 * from a proc's have when the kernel has no /proc/PID/sched. */
	PI_SCHED   = 1u << 19,
	/* The long tail, from libproc2 for the processes shown (tail.c). */
	PI_WCHAN   = 1u << 20,
	PI_OOM     = 1u << 21,
	PI_CGROUP  = 1u << 22,
	PI_NS      = 1u << 23,
	PI_GROUPS  = 1u << 24,
	PI_ENVIRON = 1u << 25,
	/* top's per-process extras (also read by a snapshot, where a rate
	 * is the average over the process's life, as ps's %CPU). */
	PI_IO_RATE = 1u << 26,  /* io: bytes/s read and written; a watch
	                           gives it from its second reading on */
	PI_CONTAINER = 1u << 27, /* cgroup: path and container (cgroup.h) */
	PI_GPU     = 1u << 28,  /* fd + fdinfo of DRM descriptors (gpu.h);
	                           never there on a machine without a GPU */
};
#define PI_ALL ((PI_PCPU << 1) - 1) /* the items of pmon's own stat, status
				       and statm reading (not io, sched or
				       the libproc2 tail) */
#define PI_TAIL (PI_WCHAN | PI_OOM | PI_CGROUP | PI_NS | PI_GROUPS | PI_ENVIRON)

/* Where the items are read from, in words ("stat", "status", "libproc2
 * PIDS_WCHAN_NAME"...), appended to out; and whether reading any of them
 * for another account's process needs privilege (ptrace access: root or
 * the same uid). */
void proc_items_source(unsigned items, struct buf *out);
bool proc_item_needs_privilege(unsigned items);

/* NSpid levels kept: the kernel nests at most 32, real systems 2 or 3. */
#define PROC_NS_MAX 8

/* The namespaces of the long tail, in the order of /proc/PID/ns. */
enum proc_ns { NS_CGROUP, NS_IPC, NS_MNT, NS_NET, NS_PID, NS_TIME, NS_USER,
	       NS_UTS, NS_KINDS };
extern const char *const proc_ns_names[NS_KINDS];

/* What libproc2 gives for the processes a view shows (PI_TAIL items). */
struct proc_tail {
	const char *wchan;              /* "-" when none or not readable */
	int oom_score, oom_adj;
	const char *cgroup;             /* /proc/PID/cgroup, lines joined by ';' */
	unsigned long ns[NS_KINDS];     /* inode numbers; 0: not readable */
	const char *groups;             /* supplementary gids, "" if none */
	const char *const *environ;     /* its entries as the kernel keeps
	                                   them, NULL-terminated (none: {NULL});
	                                   NULL when not readable, and for a
	                                   zombie or a kernel thread */
};

struct proc {
	/* First, in one cache line, what a refresh of the watch touches for
	 * a process that has not run and what top sorts and counts by: at
	 * 10,000 processes a second line per process cost 4% of a refresh
	 * (perf, watch.c's idle path). */
	pid_t pid;
	pid_t ppid;
	uid_t uid;                     /* effective uid */
	int threads;
	unsigned long long start_ticks; /* clock ticks after boot */
	long elapsed_s;
	unsigned long long cpu_ticks;  /* utime + stime */
	double cpu_pct;                /* PI_PCPU: of one CPU */
	double mem_pct;                /* PI_PCPU: RSS of MemTotal */
	char state;                    /* R S D T t Z X I ... */
	bool locked;                   /* has locked pages (L) */
	bool kernel_thread;
	char stat[STAT_MAX];           /* ps-style, e.g. "Ss+" */
	const char *user;              /* name, or the uid as text */
	const char *comm;              /* raw, as the kernel gives it */
	const char *cmdline;           /* raw args joined by spaces; "" for
	                                  kernel threads and zombies; NULL
	                                  when it could not be read */
	int nice, priority;
	int tty_nr;                    /* stat's tty_nr: major and minor */
	pid_t session, pgrp, tpgid;
	unsigned long rss_kb, vsize_kb, shared_kb;
	time_t start_time;             /* seconds since the epoch */
	unsigned long long io_read_bytes, io_write_bytes; /* PI_IO */
	double io_read_rate, io_write_rate; /* PI_IO_RATE: bytes per second */
	const char *cgroup_path;       /* PI_CONTAINER (cgroup.h) */
	const char *container;         /* PI_CONTAINER: "" when none */
	unsigned long long gpu_mem_bytes, gpu_engine_ns; /* PI_GPU */
	double gpu_pct;                /* PI_GPU: engine time of wall time */
	pid_t tgid;                    /* a thread row: its process; else pid */
	unsigned long long sig_ignored, sig_caught; /* signal bitmasks */
	pid_t tracer_pid;              /* 0: not traced */
	int seccomp;                   /* 0 off, 1 strict, 2 filter */
	int ns_levels;                 /* NSpid: pid in each namespace, */
	pid_t ns_pids[PROC_NS_MAX];    /* outermost (ours) first */
	const struct proc_tail *tail;  /* PI_TAIL items; NULL until fetched */
	unsigned have;                 /* enum proc_item bits filled in */
	/* PI_SCHED: the CPU it last ran on, and when it was last taken off
	 * a CPU, on that CPU's scheduler clock (ns).  For a zombie that is
	 * the moment it exited. */
	int last_cpu;
	unsigned long long last_ran_ns;
};

/*
 * The one clock of the process layer: every reader turns clock ticks into
 * times with it, so that both modes agree to the tick.  The boot time is
 * /proc/stat's btime (through libproc2), read once: a start time derived
 * from it never moves (one taken as time(NULL) minus the uptime flips by
 * a second from one reading to the next).
 */
struct proc_clock {
	double boot_time;      /* seconds since the epoch */
	double uptime;         /* seconds since boot, at the reading */
	time_t now;
	long hz;               /* clock ticks per second */
	unsigned long page_kb; /* kB per page */
};
/* Read the clock now.  0, or -1 with errno ENOENT (no /proc). */
int proc_clock_read(struct proc_clock *c);

/* ---- the snapshot ---------------------------------------------------- */

struct snapshot {
	struct proc *procs; /* sorted by pid; never reordered by a view */
	size_t n;
	unsigned have;      /* the items asked for */
	struct proc_clock clock; /* when the scan began */
	struct strpool *pool; /* owns every string the procs point to */
	size_t vanished;    /* listed in /proc but gone before being read */
};

/* Which processes to read: all (both lists empty), or only these pids,
 * or only these effective uids.  A pid in the list that is the id of a
 * thread, not of a process, is left out when the items read
 * /proc/PID/status (as pmon ps does), like ps -p leaves it out. */
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

/* Fill the PI_TAIL items of need (from libproc2) into procs[0..n), their
 * strings into pool.  A process that has exited or whose pid now names
 * another process gets no tail.  0, or -1 with errno. */
struct strpool;
int proc_fetch_tail(struct proc *const *procs, size_t n, unsigned need,
		    struct strpool *pool);

/* ---- one process, read now --------------------------------------------- */

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

/* Who traces thread tid of process pid (TracerPid, as /proc numbers it;
 * 0: nobody).  0, or -1 with errno ESRCH when tid is not (or no longer) a
 * thread of pid. */
int proc_thread_tracer(pid_t pid, pid_t tid, pid_t *tracer);

/* How many descriptors process pid has open, or -1 with errno (EACCES for
 * another account's process, ESRCH when it is gone). */
long proc_fd_count(pid_t pid);

/* /proc/PID/syscall, one of three forms (parsed in detail_parse.c). */
enum syscall_kind {
	SYSCALL_RUNNING,  /* "running": on a CPU, no call to show */
	SYSCALL_NONE,     /* "-1 sp pc": blocked, but not in a system call
	                     (a stop, a page fault) */
	SYSCALL_IN,       /* "nr a0 .. a5 sp pc": blocked in call nr */
};

struct syscall_line {
	enum syscall_kind kind;
	long nr;
	unsigned long long args[6], sp, pc;
};
/* 0, or -1 when the text is not one of the three forms. */
int parse_syscall_line(const char *buf, size_t len, struct syscall_line *out);

/* What thread tid of process pid is doing: /proc/PID/task/TID/syscall.
 * In a call (kind SYSCALL_IN), its number and arguments as the thread's
 * own ABI numbers them (x86_64's for a 64-bit process), and the stack and
 * instruction pointers at its entry (pc: after the syscall instruction).
 * A stopped thread shows the call it was stopped in.  0, or -1 with errno
 * EACCES/EPERM (it may not be read: ptrace access is needed) or ESRCH
 * (gone, or text in none of the three forms). */
int proc_thread_syscall(pid_t pid, pid_t tid, struct syscall_line *sc);
/* Is descriptor fd of thread tid of process pid a socket?  1 or 0, or
 * -1 with errno (EACCES: ptrace access is needed; ENOENT: no such
 * descriptor). */
int proc_fd_is_socket(pid_t pid, pid_t tid, int fd);

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

/* ---- identity ---------------------------------------------------------- */

/*
 * A process as a reader saw it.  The pid alone may be someone else's by
 * now; with the start time, only a process that started in the same
 * clock tick (10 ms) can pass for it; with the pidfs inode (Linux >= 6.9),
 * nothing can.  The inode is taken when the process is selected for an
 * action (proc_ref_take), not by the readers.
 */
struct proc_ref {
	pid_t pid;                      /* as /proc numbers it */
	unsigned long long start_ticks; /* 0: whatever has the pid now */
	unsigned long long ino;         /* pidfs inode: unique per process
	                                   until reboot; 0 when not taken or
	                                   the kernel has no pidfs */
};

static inline struct proc_ref proc_ref_of(const struct proc *p)
{
	return (struct proc_ref){p->pid, p->start_ticks, 0};
}

/* Where (pid, start) is in refs[0..n), or -1: tags, folds, targets. */
static inline ssize_t proc_ref_index(const struct proc_ref *refs, size_t n,
				     pid_t pid, unsigned long long start)
{
	for (size_t i = 0; i < n; i++)
		if (refs[i].pid == pid && refs[i].start_ticks == start)
			return (ssize_t)i;
	return -1;
}

/*
 * Take ref's identity now, at selection: open a pidfd for the process
 * that has ref->pid, check it as pidfd_open_ref does, and keep its pidfs
 * inode in ref->ino.  With pidfd, the descriptor is handed over (it pins
 * the process); otherwise it is closed.  0, or -1 with errno as below.
 */
int proc_ref_take(struct proc_ref *ref, int *pidfd);

/*
 * A pidfd for ref's process, checked to be that process: the pidfs inode
 * when ref has one, the start time, and that /proc gives its process
 * ref->pid (pmon's own number for it differs when /proc is another PID
 * namespace's).  -1 with errno ESRCH when it is gone, ESTALE when its pid
 * now names another process, EXDEV when it is not in pmon's PID namespace
 * (or /proc's pids cannot be mapped to pmon's), or pidfd_open's errno.
 */
int pidfd_open_ref(const struct proc_ref *ref);

/* ---- whose pids /proc shows (pidns.c) --------------------------------- */

/*
 * pidfd_open(2), ptrace(2) and kill(2) take pids in pmon's own PID
 * namespace; /proc shows those of the namespace it was mounted in.  Every
 * pid pmon prints or takes on its command line is /proc's (the one ps,
 * tree and top show); the act layer maps it with proc_own_pid.
 */
enum proc_pidns_kind {
	PIDNS_OWN,      /* /proc is pmon's own namespace's */
	PIDNS_ANCESTOR, /* an outer namespace's: it shows pmon's namespace
	                   and more, numbered differently */
	PIDNS_FOREIGN,  /* a namespace pmon is not in: no mapping exists */
};
struct proc_pidns {
	enum proc_pidns_kind kind;
	pid_t self;  /* pmon as /proc numbers it; 0 when FOREIGN */
	pid_t own;   /* pmon as its own namespace numbers it (getpid) */
	int depth;   /* how many levels pmon's namespace is below /proc's */
};
/* Found on the first call and kept: mounts do not move under a command. */
const struct proc_pidns *proc_pidns(void);
/* One line for the user saying which namespace /proc shows and what that
 * means for pmon's actions; nothing when it is pmon's own. */
void proc_pidns_note(struct buf *out);
/* pmon's (or a forked helper's) pid in /proc, read now; -1 with errno
 * ENOENT when it has none there. */
pid_t proc_self_pid(void);
/*
 * Thread tid of process pid (tid == pid: the process), /proc's numbers,
 * as pmon's namespace numbers it: what pidfd_open and ptrace take.  Only
 * a candidate where /proc is an outer namespace's: NSpid cannot tell
 * pmon's namespace from a sibling at the same depth, so whoever opens it
 * must check what it got (pidfd_open_ref does).  0, or -1 with errno
 * EXDEV (outside pmon's namespace, or no mapping) or ESRCH (gone).
 */
int proc_own_pid(pid_t pid, pid_t tid, pid_t *own);

/* ---- what /proc lets an account see (hidepid.c) --------------------------- */

struct proc_hidepid {
	int mode;   /* 0 off, 1 noaccess, 2 invisible, 4 ptraceable */
	gid_t gid;  /* the group that sees all (gid=; root's when none) */
};
/* The options of the /proc that pmon reads: 0, or -1 with errno when
 * /proc/self/mountinfo cannot be read (h then says off: the caller
 * decides what an unknown mode means). */
int proc_hidepid(struct proc_hidepid *h);
/* One line of mountinfo: true and h filled when it mounts procfs on
 * /proc. */
bool proc_hidepid_line(const char *line, struct proc_hidepid *h);
/* Could an account (uid, gid), neither root nor in the gid= group, read
 * pid under hidepid?  The kernel's rule (ptrace's read check): the
 * process is dumpable and its real, effective and saved uids and gids
 * are the account's.  False when pid cannot be read (gone). */
bool proc_readable_as(pid_t pid, uid_t uid, gid_t gid);

/* ---- what a process's state means --------------------------------------- */

/*
 * True for a real zombie: state Z and no live threads.  A thread-group
 * leader that called pthread_exit() while other threads run also shows Z
 * in /proc/PID/stat, but its thread count is still above one and nothing
 * can (or needs to) reap it; it is not a zombie.  Needs
 * PI_STATE|PI_THREADS.
 */
bool proc_is_zombie(const struct proc *p);

/* Gone for good: a real zombie (proc_is_zombie) or dead (X); nothing to
 * signal, its children have moved on.  Needs PI_STATE|PI_THREADS. */
bool proc_has_exited(const struct proc *p);

/* True when p is PID 1 of its own PID namespace (or of ours). */
bool proc_is_ns_init(const struct proc *p);

/* The numbers of a parsed /proc/PID/stat line into p (not comm, whose
 * string each reader stores its own way, nor the STAT text). */
struct stat_line;
void proc_fill_stat(struct proc *p, const struct stat_line *st,
		    const struct proc_clock *clk);
/* p->stat, ps's STAT, from the fields proc_fill_stat (and, for L, the
 * status file) filled in. */
void proc_format_stat(struct proc *p);

#endif
