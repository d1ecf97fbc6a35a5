/*
 * task_rec.h - the records of pmon's BPF task iterator (task_iter.bpf.c),
 * shared by the BPF program and the reader in src/proc (taskrec.c).
 *
 * A pass is what one open() (or bpf_iter_create()) and reads to the end
 * give: a header, then in pid order one TASK record per process
 * (thread-group leader), followed by a NAME record when it is a kernel
 * thread with a long name, and one THREAD record per other live thread,
 * then a TRAILER.  The walk's pass (below) is in the task list's order,
 * and has no NAME records: long_name says which names to read in /proc.  Every record starts with its type and size, so a reader can
 * check each one.  The header carries a magic number and the format
 * version: a pinned iterator outlives the pmon that pinned it, and a pin
 * left by another pmon version must be recognised as such, not misread.
 * Any change to a record below changes PMON_REC_VERSION.
 *
 * Times are nanoseconds; sizes are pages.  Pids are numbers in the pid
 * namespace of the reader (0 when a process is outside it, as /proc
 * gives them).
 */
#ifndef PMON_TASK_REC_H
#define PMON_TASK_REC_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define PMON_REC_MAGIC 0x4e4f4d50u /* "PMON" */
#define PMON_REC_VERSION 1

/* The most CPUs whose per-CPU RSS counters the program sums. */
#define PMON_REC_MAX_CPUS 512

enum pmon_rec_type {
	PMON_REC_HEADER = 1,
	PMON_REC_TASK = 2,
	PMON_REC_THREAD = 3,
	PMON_REC_TRAILER = 4,
	PMON_REC_NAME = 5,
};

struct pmon_rec_head {
	__u16 type;  /* enum pmon_rec_type */
	__u16 size;  /* of the whole record */
};

/* Header flags. */
#define PMON_REC_RSS_EXACT 0x1 /* RSS summed over every CPU's counter, as
				  /proc/PID/status and statm give it; else
				  the shared count alone, as stat's field 24 */

struct pmon_rec_header {
	struct pmon_rec_head h;
	__u32 magic;          /* PMON_REC_MAGIC */
	__u32 version;        /* PMON_REC_VERSION */
	__u32 pidns_level;    /* the reader's pid namespace: 0 is the first */
	__u32 flags;          /* PMON_REC_* */
	__u32 pad;
};

/* Task flags kept (include/linux/sched.h). */
#define PMON_PF_WQ_WORKER 0x00000020u
#define PMON_PF_KTHREAD 0x00200000u

struct pmon_rec_task {
	struct pmon_rec_head h;
	__s32 pid, ppid, pgrp, session;
	__s32 tpgid;          /* foreground pgrp of its terminal; -1: none */
	__u32 tty_nr;         /* as stat's tty_nr; 0: none */
	__u32 euid;           /* kernel uid */
	__u32 flags;          /* task->flags */
	__s32 nice, prio;     /* as stat's nice and priority */
	__s32 threads;
	__s32 last_cpu;       /* the CPU it last ran on */
	char state;           /* R S D T t X Z P I, as /proc */
	char long_name;       /* 1: a kernel thread whose whole name is
				 longer than comm, not in a NAME record (the
				 walk's): /proc has it */
	char pad[2];
	__u64 start_ns;       /* since boot (start_boottime) */
	/* CPU time of the leader plus the threads that have exited; the live
	 * threads come in THREAD records.  rtime is the scheduler's exact
	 * run time, utime and stime the tick samples /proc scales it by,
	 * prev_* the split /proc last gave (signal->prev_cputime). */
	__u64 rtime_ns, utime_ns, stime_ns;
	__u64 prev_utime_ns, prev_stime_ns;
	__u64 exec_start_ns;  /* se.exec_start: when it last left a CPU */
	__u64 rss_pages;      /* file + anon + shmem */
	__u64 shared_pages;   /* file + shmem */
	__u64 vm_pages;       /* total_vm */
	__u64 locked_pages;   /* locked_vm (VmLck) */
	char comm[16];        /* comm (TASK_COMM_LEN) */
};

/* Right after the TASK record of a kernel thread whose name did not fit
 * in comm (kthread's full_name, as /proc shows it): a pass is mostly
 * reading memory, so the common record stays small. */
struct pmon_rec_name {
	struct pmon_rec_head h;
	__s32 pid;
	char name[64];
};

struct pmon_rec_thread {
	struct pmon_rec_head h;
	__s32 tgid;
	__u64 rtime_ns, utime_ns, stime_ns;
};

/* The last record: the pass went to the end.  (The iterator's seq_num
 * is not a count of the tasks visited: it was one short at the end on
 * 6.18.  The reader counts TASK and THREAD records instead.) */
struct pmon_rec_trailer {
	struct pmon_rec_head h;
	__u32 pad;
};

/*
 * The walk (kernels with the open-coded task iterator, 6.7+, and a
 * reader in the first pid namespace): the same records but NAME, in the
 * task list's order, written by a BPF_PROG_TYPE_SYSCALL program into its
 * ring buffer (walk_ring) when a reader runs it (BPF_PROG_TEST_RUN) with
 * these arguments.  The program sets status.
 */
enum pmon_walk_status {
	PMON_WALK_DONE = 1,     /* the whole pass is in the ring */
	PMON_WALK_SHORT = 2,    /* the ring filled up: the pass stopped there */
	PMON_WALK_OTHER_NS = 3, /* the reader is not in the first pid
				   namespace: it reads the iterator */
};

/* What a walk's TASK records carry beside the rest (args.items); a
 * record without them has zeros there.  The iterator's have all. */
#define PMON_WALK_RSS 0x1u  /* rss, shared and vm pages: the sums over
			       every CPU, a third of a pass */
#define PMON_WALK_CPU 0x2u  /* CPU times (THREAD records come either way:
			       they are counted) */

struct pmon_walk_args {
	__u32 items;   /* in: PMON_WALK_* */
	__u32 status;  /* out: enum pmon_walk_status */
};

_Static_assert(sizeof(struct pmon_walk_args) == 8, "walk arguments layout");
_Static_assert(sizeof(struct pmon_rec_header) == 24, "header layout");
_Static_assert(sizeof(struct pmon_rec_task) == 160, "task layout");
_Static_assert(sizeof(struct pmon_rec_name) == 72, "name layout");
_Static_assert(sizeof(struct pmon_rec_thread) == 32, "thread layout");
_Static_assert(sizeof(struct pmon_rec_trailer) == 8, "trailer layout");

#endif
