/*
 * inspect.h - what `pmon inspect` and `pmon orphans` read about a process
 * beyond struct proc: the rest of /proc/PID/status (credentials,
 * capabilities, signal sets, memory), the system call it is blocked in
 * (/proc/PID/syscall), where its descriptors point, its limits, I/O
 * counters, children, threads, and its pidfs identity.
 *
 * Parsers (detail_parse.c) are pure functions over text, for the unit
 * tests and the fuzzer; the readers (inspect.c) do the I/O.  Everything
 * that could not be read carries the errno that said so (EACCES or EPERM:
 * another account's process), so that no caller can show it as 0.
 */
#ifndef PMON_INSPECT_H
#define PMON_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "proc/proc.h"
#include "util/util.h"

/* ---- /proc/PID/status, every line inspect shows ------------------------ */

/* The numeric lines, one slot each (have: bit 1 << SD_*). */
enum sd_field {
	SD_CAP_INH, SD_CAP_PRM, SD_CAP_EFF, SD_CAP_BND, SD_CAP_AMB,
	SD_NO_NEW_PRIVS, SD_SECCOMP, SD_SECCOMP_FILTERS,
	SD_SIG_PND, SD_SHD_PND, SD_SIG_BLK, SD_SIG_IGN, SD_SIG_CGT,
	SD_VM_PEAK, SD_VM_SIZE, SD_VM_LCK, SD_VM_HWM, SD_VM_RSS, SD_VM_SWAP,
	SD_THREADS, SD_TRACER, SD_UMASK, SD_CTXT_VOL, SD_CTXT_INVOL, SD_TGID,
	SD_FIELDS
};

enum { ID_REAL, ID_EFFECTIVE, ID_SAVED, ID_FS, ID_KINDS };

struct status_detail {
	unsigned long long v[SD_FIELDS];
	unsigned long long have;       /* 1ull << SD_* for each line found */
	bool have_uid, have_gid, have_groups;
	uid_t uid[ID_KINDS];
	gid_t gid[ID_KINDS];
	gid_t *groups;                 /* supplementary groups (malloc'd) */
	size_t ngroups;
	int ns_levels;                 /* NSpid: outermost (ours) first */
	pid_t ns_pid[PROC_NS_MAX];
};

/* Parse the text of /proc/PID/status (NUL-terminated) into out, which is
 * reset first.  Lines that are missing stay out of have. */
void parse_status_detail(const char *buf, size_t len, struct status_detail *out);
void status_detail_free(struct status_detail *sd);

/* ---- /proc/PID/syscall ------------------------------------------------- */

/* enum syscall_kind, struct syscall_line and parse_syscall_line are in
 * proc.h: the thread readers of act/ use them too. */

/* ---- /proc/PID/limits -------------------------------------------------- */

#define LIMIT_UNLIMITED (-1LL)
struct limit_row {
	char name[32];        /* "Max open files" */
	long long soft, hard; /* LIMIT_UNLIMITED for "unlimited" */
	char unit[16];        /* "files", "bytes", "" */
};
/* The rows (after the title line), at most max; how many. */
size_t parse_limits(const char *buf, size_t len, struct limit_row *rows,
		    size_t max);
/* The row named name among rows[0..n), or NULL. */
const struct limit_row *limit_find(const struct limit_row *rows, size_t n,
				   const char *name);

/* ---- /proc/PID/io ------------------------------------------------------ */

enum io_field { IO_RCHAR, IO_WCHAR, IO_SYSCR, IO_SYSCW, IO_READ_BYTES,
		IO_WRITE_BYTES, IO_CANCELLED, IO_FIELDS };
extern const char *const io_field_names[IO_FIELDS];
struct io_detail {
	unsigned long long v[IO_FIELDS];
	unsigned have;        /* 1u << IO_* */
};
void parse_io_detail(const char *buf, size_t len, struct io_detail *out);

/* /proc/PID/fdinfo/N of an epoll descriptor: its "tfd:" lines, one per
 * watched descriptor. */
size_t parse_epoll_watched(const char *buf, size_t len);

/* A list of decimal pids separated by spaces or newlines (the children
 * files), appended to *pids (*n so far). */
void parse_pid_list(const char *buf, size_t len, pid_t **pids, size_t *n);

/* The socket with inode ino in the text of a /proc/net table (proto
 * "TCP", "TCP6", "UDP", "UDP6" or "unix"), described into out ("TCP
 * 127.0.0.1:8080 listening").  0, or -1 when it is not in the table. */
int parse_socket_table(const char *buf, size_t len, const char *proto,
		       unsigned long long ino, struct buf *out);

/* Is this descriptor target (a readlink of /proc/PID/fd/N) a terminal?
 * Sets *closed when the kernel marks it " (deleted)": the terminal has
 * been hung up and freed. */
bool fd_target_is_terminal(const char *target, bool *closed);

/* ---- reading processes one at a time ------------------------------------ */

/*
 * Single processes read one after another with one /proc handle, one
 * clock and one string pool: inspect's walks up and down a family (a
 * snapshot per process would open /proc and read the clock each time,
 * which is most of the cost of a walk).  NULL with errno when /proc
 * cannot be read.
 */
struct proc_lookup;
struct proc_lookup *proc_lookup_open(void);
/* Read the items need (enum proc_item bits, not the PI_TAIL ones) of
 * pid into *p; its strings live until proc_lookup_close.  1 when read,
 * 0 when pid is a thread and not a process, -1 when gone.  A lookup is
 * one moment: a process it has read with those items is not read again. */
int proc_lookup(struct proc_lookup *l, unsigned need, pid_t pid, struct proc *p);
const struct proc_clock *proc_lookup_clock(const struct proc_lookup *l);
void proc_lookup_close(struct proc_lookup *l);

/* ---- reading one process --------------------------------------------- */

/* What inspect shows about each thread. */
struct task_detail {
	pid_t tid;
	char comm[64];
	char state;
	struct syscall_line sc;
	int syscall_err;       /* 0 when sc was read */
	char wchan[64];        /* "" when not waiting; see wchan_err */
	int wchan_err;
};

/* Limits on how much inspect reads of a huge process. */
enum { DETAIL_TASKS_MAX = 256, DETAIL_LIMITS_MAX = 24 };

/*
 * Everything inspect reads beyond struct proc.  Each part has an errno:
 * 0 when it was read; EACCES/EPERM when this account may not read it;
 * ENOENT when the kernel does not have it.
 */
struct proc_detail {
	pid_t pid;
	pid_t via;  /* whose files describe the process: pid, or a live
		     * thread of it when its main thread has exited (the
		     * leader's fd, exe, cwd, mm and namespaces are gone) */
	unsigned long long pidfs_ino;    /* pidfs_err == 0 */
	int pidfs_err;                   /* ENOTSUP: the kernel has no pidfs */
	struct buf exe, cwd, root;       /* readlinks */
	int exe_err, cwd_err, root_err;
	struct status_detail st;
	int status_err;
	unsigned long long utime, stime; /* clock ticks (stat_err) */
	int policy, rt_priority, processor;
	int stat_err;
	struct syscall_line sc;
	int syscall_err;
	char wchan[64];
	int wchan_err;
	size_t nfds;                     /* fds_err == 0 */
	int fds_err;
	struct limit_row limits[DETAIL_LIMITS_MAX];
	size_t nlimits;
	int limits_err;
	struct io_detail io;
	int io_err;
	pid_t *children;                 /* every thread's children */
	size_t nchildren;
	int children_err;                /* ENOENT: no children files */
	struct task_detail *tasks;       /* at most DETAIL_TASKS_MAX */
	size_t ntasks, ntasks_all;
	int tasks_err;
	unsigned long long ns[NS_KINDS]; /* namespace inodes (ns_err) */
	int ns_err;
	int oom_score, oom_adj;          /* (oom_err) */
	int oom_err;
	struct buf cgroup;               /* /proc/PID/cgroup, lines joined
	                                    by ';' as libproc2 does */
	int cgroup_err;
};

/*
 * Read everything about p (read by a snapshot, with PI_START) into d.
 * 0, or -1 with errno ESRCH when p has exited or its pid now names
 * another process.  Free d with proc_detail_free either way.
 */
int proc_detail_read(const struct proc *p, struct proc_detail *d);
void proc_detail_free(struct proc_detail *d);

/* The inode of each of pid's namespaces (/proc/PID/ns/NAME), in the
 * order of proc_ns_names (0 for a kind the kernel does not have).  0, or
 * -1 with errno (EACCES: another account's; ESRCH: gone).  inspect reads these itself, not through libproc2's tail,
 * which gives an unreadable namespace as 0 and costs 3 ms of CPU on its
 * first use (its tables being touched), most of inspect's budget. */
int proc_ns_inodes(pid_t pid, unsigned long long ino[NS_KINDS]);

/* Where descriptor fd of pid points ("pipe:[81234]", "/dev/pts/3"): 0,
 * or -1 with errno (EACCES: not ours to read; ENOENT: not open). */
int proc_fd_target(pid_t pid, int fd, struct buf *out);

/* How many descriptors the epoll instance fd of pid watches; -1 with
 * errno when its fdinfo cannot be read. */
long proc_epoll_watched(pid_t pid, int fd);

/* Where a socket inode shows up in pid's network namespace
 * (/proc/PID/net/{tcp,tcp6,udp,udp6,unix}): "TCP 127.0.0.1:8080
 * listening", appended to out.  0, or -1 when it is not found. */
int proc_socket_describe(pid_t pid, unsigned long long ino, struct buf *out);

/* Nanoseconds pid's threads have run, summed (schedstat; stat's ticks on
 * a kernel without it, *exact false).  0, or -1 with errno ESRCH. */
int proc_cpu_ns(pid_t pid, unsigned long long *ns, bool *exact);

/* The children of pid (of all its threads).  How many (in *out,
 * malloc'd), or -1 with errno (ENOENT: the kernel has no children files,
 * CONFIG_PROC_CHILDREN; ESRCH: gone). */
ssize_t proc_children(pid_t pid, pid_t **out);

/* Is one of pid's descriptors 0, 1, 2 on a terminal?  1 (its target in
 * path, *closed when the terminal is gone), 0 no, -1 with errno when none
 * of them could be read (EACCES: another account's process). */
int proc_std_terminal(pid_t pid, struct buf *path, bool *closed);

/* The process a thread id belongs to (Tgid), or -1 with errno ESRCH. */
pid_t proc_tgid_of(pid_t tid);

#endif
