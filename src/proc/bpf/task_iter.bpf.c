// SPDX-License-Identifier: GPL-2.0
/*
 * task_iter.bpf.c - pmon's BPF task iterator (SEC("iter/task")): one pass
 * over every task in the kernel, writing binary records (task_rec.h) of
 * exactly what pmon reads from /proc/PID/stat, status and statm, with no
 * file opened, no path walked and no text formatted or parsed.
 *
 * Built with clang's BPF target against the running kernel's vmlinux.h
 * and relocated by libbpf (CO-RE) when loaded, so one object serves any
 * kernel with BTF.  Loaded and read by src/proc/bpf.c.
 *
 * Each value is what the /proc file computes, from the same fields:
 *   state     __task_state_index() + task_index_to_char() (state_char)
 *   pids      pid_nr_ns() in the reader's pid namespace (pid_nr)
 *   CPU time  thread_group_cputime(): the leader's and every live
 *             thread's se.sum_exec_runtime, utime and stime plus what
 *             exited threads left in signal_struct; cputime_adjust() and
 *             the conversion to ticks are done by the reader (taskrec.c),
 *             which has 128-bit arithmetic
 *   RSS       get_mm_counter_sum(): the shared count plus every CPU's
 *             local delta (counter_sum), as status and statm give it
 *   name      proc_task_name(): a kernel thread's full name; the name of
 *             a workqueue worker is formatted by /proc and read there
 * The license must be GPL: bpf_probe_read_kernel() is GPL-only.
 */
#include <vmlinux.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "proc/bpf/task_rec.h"

char LICENSE[] SEC("license") = "GPL";

/* The format version the header claims: PMON_REC_VERSION, except in the
 * test builds that play a pin left by another pmon (Makefile). */
#ifndef TASK_ITER_VERSION
#define TASK_ITER_VERSION PMON_REC_VERSION
#endif

/* Set by the loader before the load; read-only after it. */
const volatile __u32 ncpus = 1;  /* possible CPU ids: 0 .. ncpus-1 */
const volatile __u64 cpu_possible[PMON_REC_MAX_CPUS / 64];

/* ---- the state letter ------------------------------------------------ */

/* include/linux/sched.h: macros, so not in BTF. */
#define TASK_UNINTERRUPTIBLE 0x0002
#define TASK_REPORT 0x007f
#define TASK_REPORT_IDLE 0x0080
#define TASK_IDLE 0x0402 /* TASK_UNINTERRUPTIBLE | TASK_NOLOAD */
#define TASK_RTLOCK_WAIT 0x1000
#define TASK_FROZEN 0x8000

/* __task_state_index() and task_index_to_char(): "RSDTtXZPI" by the
 * highest bit set (fls).  A frozen task shows as D since 6.13; older
 * kernels have no TASK_FROZEN bit, so this agrees with them too. */
static __always_inline char state_char(__u32 st, __u32 exit_state)
{
	__u32 s = (st | exit_state) & TASK_REPORT;

	if ((st & TASK_IDLE) == TASK_IDLE)
		s = TASK_REPORT_IDLE;
	if ((st & TASK_RTLOCK_WAIT) || (st & TASK_FROZEN))
		s = TASK_UNINTERRUPTIBLE;
	if (s == 0)
		return 'R';
	if (s & 0x80)
		return 'I';
	if (s & 0x40)
		return 'P';
	if (s & 0x20)
		return 'Z';
	if (s & 0x10)
		return 'X';
	if (s & 0x08)
		return 't';
	if (s & 0x04)
		return 'T';
	if (s & 0x02)
		return 'D';
	return 'S';
}

/* ---- pid numbers in the reader's namespace ---------------------------- */

struct ns_view {
	__u32 level;
	struct pid_namespace *ns;
};

/* struct upid at numbers[level]; 0 when unreadable. */
static __always_inline int upid_at(struct pid *p, __u32 level, struct upid *u)
{
	__u64 at = (__u64)p + bpf_core_field_offset(struct pid, numbers) +
		   (__u64)level * bpf_core_type_size(struct upid);

	return bpf_probe_read_kernel(u, sizeof(*u), (void *)at);
}

/* The namespace the reader sees pids in: its own (task_active_pid_ns).
 * In the first one (level 0) pid_nr needs no namespace: a helper call
 * per task saved. */
static __always_inline void reader_ns(struct ns_view *v)
{
	struct task_struct *me = bpf_get_current_task_btf();
	struct pid *p = me->thread_pid;
	struct upid u = {};

	v->level = p->level;
	v->ns = NULL;
	if (v->level && upid_at(p, v->level, &u) == 0)
		v->ns = u.ns;
}

/* pid_nr_ns(): 0 when p is NULL or has no number in the namespace.  In
 * the first namespace every pid has its number at level 0, read directly
 * (a load, where upid_at is a helper call). */
static __always_inline __s32 pid_nr(struct pid *p, const struct ns_view *v)
{
	struct upid u = {};

	if (!p)
		return 0;
	if (v->level == 0) {
		__s32 nr = p->numbers[0].nr;

		barrier_var(nr); /* not one load for both cases: the verifier
				    refuses a load from two kinds of pointer */
		return nr;
	}
	if (p->level < v->level || upid_at(p, v->level, &u))
		return 0;
	return u.ns == v->ns ? u.nr : 0;
}

/* task_tgid_nr_ns(); in the first namespace the number the task keeps,
 * which saves reading two more structures (a pass is mostly cache
 * misses: 0.3 us a task to visit, 1 us to read, at 20,000 processes). */
static __always_inline __s32 tgid_nr(struct task_struct *t, const struct ns_view *v)
{
	if (v->level == 0)
		return t->tgid;
	return pid_nr(t->signal->pids[PIDTYPE_TGID], v);
}

/* ---- exact RSS ----------------------------------------------------------- */

/*
 * Since 6.2 an mm's RSS counters are percpu_counters: a shared count plus
 * a local delta per CPU that is folded in only when it passes a batch (32
 * pages or more).  /proc/PID/stat's RSS is the shared count alone
 * (measured here: off by 12 to 284 KiB for 9 of 10 processes), status and
 * statm sum the deltas too (percpu_counter_sum).  Summing needs each
 * CPU's per-CPU offset, which this kernel does not let a program name
 * (no __per_cpu_offset or this_cpu_off without CONFIG_KALLSYMS_ALL, no
 * __percpu tags in its BTF for bpf_per_cpu_ptr).  A per-CPU array map
 * shows them instead: bpf_map_lookup_percpu_elem() gives the address of
 * CPU c's copy of its value, and the map keeps the per-CPU pointer it
 * was allocated with (bpf_array.pptrs[0]); their difference is CPU c's
 * offset, the same for every per-CPU allocation.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} percpu_probe SEC(".maps");

/* CPU c's offset | 1 (offsets are page aligned), 1 for a CPU that is not
 * possible, 0 before it is known.  The same for every reader and for as
 * long as the machine runs; each entry is one aligned store, so readers
 * running at once can only write the same value. */
__u64 cpu_offsets[PMON_REC_MAX_CPUS];

/* A pointer as a number: the verifier allows no arithmetic on a map
 * pointer, but a copy of its bits read back through the stack is one. */
static __always_inline __u64 bits_of(void *p)
{
	__u64 in = (__u64)p, out = 0;

	bpf_probe_read_kernel(&out, sizeof(out), &in);
	return out;
}

static __always_inline bool cpu_is_possible(__u32 c)
{
	return (cpu_possible[(c / 64) & (PMON_REC_MAX_CPUS / 64 - 1)] >> (c % 64)) & 1;
}

/* 0 when every CPU's offset is known. */
static __always_inline int find_cpu_offsets(void)
{
	__u64 pptr = 0, map = bits_of(&percpu_probe);
	__u32 zero = 0;

	if (bpf_probe_read_kernel(&pptr, sizeof(pptr),
				  (void *)(map + bpf_core_field_offset(struct bpf_array, pptrs))))
		return -1;
	for (__u32 c = 0; c < PMON_REC_MAX_CPUS && c < ncpus; c++) {
		void *mine;

		if (cpu_offsets[c])
			continue;
		if (!cpu_is_possible(c)) {
			cpu_offsets[c] = 1;
			continue;
		}
		mine = bpf_map_lookup_percpu_elem(&percpu_probe, &zero, c);
		if (!mine)
			return -1;
		cpu_offsets[c] = (bits_of(mine) - pptr) | 1;
	}
	return 0;
}

enum { FILEPAGES = 0, ANONPAGES = 1, SHMEMPAGES = 3 }; /* enum mm_counter */

/* percpu_counter_sum_positive(): the count plus every CPU's delta. */
static __always_inline __u64 positive(__s64 v)
{
	return v < 0 ? 0 : (__u64)v;
}

static __always_inline __u64 counter_sum(struct percpu_counter *pc)
{
	__s64 v = pc->count;
	__u64 local = (__u64)pc->counters;

	for (__u32 c = 0; c < PMON_REC_MAX_CPUS && c < ncpus; c++) {
		__u64 off = cpu_offsets[c];
		__s32 d = 0;

		if (off <= 1)
			continue;
		bpf_probe_read_kernel(&d, sizeof(d), (void *)(local + (off & ~1ULL)));
		v += d;
	}
	return positive(v);
}

/*
 * The three counters at once.  mm_init() allocates all four of an mm's
 * per-CPU parts in one block (percpu_counter_init_many), so one read per
 * CPU gets them all, where counter_sum needs three: the sums were a fifth
 * of a pass (22 -> 17 ms at 20,000 processes without them), two thirds
 * of that these reads.  Checked on every mm, so another layout only
 * costs the three reads.
 */
static __always_inline void rss_sums(struct mm_struct *mm, __u64 *file,
				     __u64 *anon, __u64 *shmem)
{
	__u64 base = (__u64)mm->rss_stat[FILEPAGES].counters;
	__s64 f = mm->rss_stat[FILEPAGES].count, a = mm->rss_stat[ANONPAGES].count;
	__s64 s = mm->rss_stat[SHMEMPAGES].count;

	if ((__u64)mm->rss_stat[ANONPAGES].counters != base + 4 ||
	    (__u64)mm->rss_stat[SHMEMPAGES].counters != base + 12) {
		*file = counter_sum(&mm->rss_stat[FILEPAGES]);
		*anon = counter_sum(&mm->rss_stat[ANONPAGES]);
		*shmem = counter_sum(&mm->rss_stat[SHMEMPAGES]);
		return;
	}
	for (__u32 c = 0; c < PMON_REC_MAX_CPUS && c < ncpus; c++) {
		__u64 off = cpu_offsets[c];
		__s32 d[4] = {};

		if (off <= 1)
			continue;
		bpf_probe_read_kernel(d, sizeof(d), (void *)(base + (off & ~1ULL)));
		f += d[FILEPAGES];
		a += d[ANONPAGES];
		s += d[SHMEMPAGES];
	}
	*file = positive(f);
	*anon = positive(a);
	*shmem = positive(s);
}

/* Before 6.2: atomic counters, exact as they are. */
struct mm_rss_stat___old {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));
struct mm_struct___old {
	struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));

static __always_inline __u64 old_counter(struct mm_struct *mm, int i)
{
	long v = BPF_CORE_READ((struct mm_struct___old *)mm, rss_stat.count[i].counter);

	return v < 0 ? 0 : (__u64)v;
}

static __always_inline bool rss_exact(bool offsets_known)
{
	return bpf_core_type_exists(struct mm_rss_stat___old) || offsets_known;
}

static __always_inline void fill_mm(struct pmon_rec_task *r, struct mm_struct *mm)
{
	__u64 file, anon, shmem;

	if (!mm)
		return;
	if (bpf_core_type_exists(struct mm_rss_stat___old)) {
		file = old_counter(mm, FILEPAGES);
		anon = old_counter(mm, ANONPAGES);
		shmem = old_counter(mm, SHMEMPAGES);
	} else {
		rss_sums(mm, &file, &anon, &shmem);
	}
	r->rss_pages = file + anon + shmem;
	r->shared_pages = file + shmem;
	r->vm_pages = mm->total_vm;
	r->locked_pages = mm->locked_vm;
}

/* ---- the rest of a process --------------------------------------------- */

/* new_encode_dev(tty_devnum(tty)), as stat's tty_nr. */
static __always_inline __u32 tty_nr(struct tty_struct *tty)
{
	struct tty_driver *drv = tty->driver;
	__u32 major = (__u32)drv->major;
	__u32 minor = (__u32)drv->minor_start + (__u32)tty->index;

	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

/* task_cpu() on kernels with and without THREAD_INFO_IN_TASK's cpu. */
struct task_struct___old {
	unsigned int cpu;
} __attribute__((preserve_access_index));

static __always_inline __s32 last_cpu(struct task_struct *t)
{
	if (bpf_core_field_exists(t->thread_info.cpu))
		return (__s32)BPF_CORE_READ(t, thread_info.cpu);
	return (__s32)BPF_CORE_READ((struct task_struct___old *)t, cpu);
}

/* get_kthread_comm(): a kernel thread whose name did not fit in comm
 * keeps it whole in its struct kthread (since 6.3); NULL if not. */
static __always_inline char *kthread_name(struct task_struct *t)
{
	struct kthread *k;

	if (!bpf_core_field_exists(t->worker_private) ||
	    !bpf_core_field_exists(struct kthread, full_name))
		return NULL;
	k = (struct kthread *)BPF_CORE_READ(t, worker_private);
	return k ? BPF_CORE_READ(k, full_name) : NULL;
}

static __always_inline void fill_task(struct pmon_rec_task *r, struct task_struct *t,
				      const struct ns_view *v, __u32 items)
{
	struct signal_struct *sig = t->signal;
	struct tty_struct *tty = sig->tty;

	r->h.type = PMON_REC_TASK;
	r->h.size = sizeof(*r);
	r->pid = tgid_nr(t, v);
	r->ppid = tgid_nr(t->real_parent, v);
	r->pgrp = pid_nr(sig->pids[PIDTYPE_PGID], v);
	r->session = pid_nr(sig->pids[PIDTYPE_SID], v);
	r->tpgid = -1;
	if (tty) {
		r->tty_nr = tty_nr(tty);
		r->tpgid = pid_nr(tty->ctrl.pgrp, v);
	}
	r->euid = t->real_cred->euid.val;
	r->flags = t->flags;
	r->nice = t->static_prio - 120;
	r->prio = t->prio - 100;
	r->threads = sig->nr_threads;
	r->last_cpu = last_cpu(t);
	r->state = state_char(t->__state, (__u32)t->exit_state);
	r->start_ns = t->start_boottime;
	r->exec_start_ns = t->se.exec_start;
	if (items & PMON_WALK_CPU) {
		r->rtime_ns = t->se.sum_exec_runtime + sig->sum_sched_runtime;
		r->utime_ns = t->utime + sig->utime;
		r->stime_ns = t->stime + sig->stime;
		r->prev_utime_ns = sig->prev_cputime.utime;
		r->prev_stime_ns = sig->prev_cputime.stime;
	}
	if (items & PMON_WALK_RSS)
		fill_mm(r, t->mm);
	else if (t->mm)
		r->locked_pages = t->mm->locked_vm;
	__builtin_memcpy(r->comm, t->comm, sizeof(r->comm));
}

/* ---- where the records go ------------------------------------------------ */

/* The iterator's seq_file, or the walk's ring; the "ring" argument of the
 * functions below is a constant, so each program keeps one way after
 * inlining.  A record is made where it goes: on the stack for the
 * seq_file, in the ring itself for the ring (reserved, zeroed, filled,
 * submitted): the walk's loop made from a record on the stack copied
 * with bpf_ringbuf_output was more than the verifier would follow (its
 * states at the loop's head never converged: 8,193 jumps, refused). */
struct sink {
	struct seq_file *seq;
	void *ring;
};

/* Where to make a record of size bytes: stack (zeroed by the caller),
 * or a zeroed place in the ring; NULL when the ring is full (the walk
 * then stops: a flag set in the loop instead tripled what the verifier
 * had to follow, 49,000 instructions to 125,000). */
static __always_inline void *rec_begin(struct sink *o, void *stack, __u32 size, bool ring)
{
	void *r;

	if (!ring)
		return stack;
	r = bpf_ringbuf_reserve(o->ring, size, 0);
	if (r)
		__builtin_memset(r, 0, size);
	return r;
}

static __always_inline void rec_end(struct sink *o, void *r, __u32 size, bool ring)
{
	if (!ring) {
		bpf_seq_write(o->seq, r, size);
		return;
	}
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
}

static __always_inline int write_header(struct sink *o, const struct ns_view *v, bool ring)
{
	struct pmon_rec_header st = {}, *h = rec_begin(o, &st, sizeof(st), ring);

	if (!h)
		return -1;
	h->h.type = PMON_REC_HEADER;
	h->h.size = sizeof(*h);
	h->magic = PMON_REC_MAGIC;
	h->version = TASK_ITER_VERSION;
	h->pidns_level = v->level;
	if (rss_exact(find_cpu_offsets() == 0))
		h->flags |= PMON_REC_RSS_EXACT;
	rec_end(o, h, sizeof(*h), ring);
	return 0;
}

static __always_inline int write_trailer(struct sink *o, bool ring)
{
	struct pmon_rec_trailer st = {}, *e = rec_begin(o, &st, sizeof(st), ring);

	if (!e)
		return -1;
	e->h.type = PMON_REC_TRAILER;
	e->h.size = sizeof(*e);
	rec_end(o, e, sizeof(*e), ring);
	return 0;
}

static __always_inline int write_name(struct sink *o, __s32 pid, char *full, bool ring)
{
	struct pmon_rec_name st = {}, *n = rec_begin(o, &st, sizeof(st), ring);

	if (!n)
		return -1;
	n->h.type = PMON_REC_NAME;
	n->h.size = sizeof(*n);
	n->pid = pid;
	bpf_probe_read_kernel_str(n->name, sizeof(n->name), full);
	rec_end(o, n, sizeof(*n), ring);
	return 0;
}

static __always_inline int write_thread(struct sink *o, struct task_struct *t,
					const struct ns_view *v, bool ring)
{
	struct pmon_rec_thread st = {}, *th = rec_begin(o, &st, sizeof(st), ring);

	if (!th)
		return -1;
	th->h.type = PMON_REC_THREAD;
	th->h.size = sizeof(*th);
	th->tgid = tgid_nr(t, v);
	th->rtime_ns = t->se.sum_exec_runtime;
	th->utime_ns = t->utime;
	th->stime_ns = t->stime;
	rec_end(o, th, sizeof(*th), ring);
	return 0;
}

/* One task: a TASK record (and a NAME, for the iterator) for a
 * thread-group leader, a THREAD record for another thread; -1 when the
 * ring is full.  The walk
 * only marks a long name (long_name): the read of the name string was
 * three quarters of what the verifier had to follow in its loop (36,000
 * instructions against 9,900), for the few kernel threads that have one. */
static __always_inline int visit(struct sink *o, struct task_struct *t,
				 const struct ns_view *v, bool ring, __u32 items)
{
	struct pmon_rec_task st = {}, *r;
	__u32 flags = t->flags;
	__s32 pid;
	char *full = NULL;

	if (t->pid != t->tgid)
		return write_thread(o, t, v, ring);
	r = rec_begin(o, &st, sizeof(st), ring);
	if (!r)
		return -1;
	fill_task(r, t, v, items);
	if ((flags & PMON_PF_KTHREAD) && !(flags & PMON_PF_WQ_WORKER))
		full = kthread_name(t);
	if (ring)
		r->long_name = full != NULL;
	pid = r->pid;
	rec_end(o, r, sizeof(*r), ring);
	if (full && !ring)
		return write_name(o, pid, full, ring);
	return 0;
}

/* ---- the iterator: SEC("iter/task"), every kernel with BTF ------------------- */

SEC("iter/task")
int pmon_tasks(struct bpf_iter__task *ctx)
{
	struct sink o = {.seq = ctx->meta->seq};
	struct task_struct *t = ctx->task;
	struct ns_view v;

	if (!t) { /* the end: called once more, without a task */
		write_trailer(&o, false);
		return 0;
	}
	reader_ns(&v);
	if (ctx->meta->seq_num == 0)
		write_header(&o, &v, false);
	visit(&o, t, &v, false, PMON_WALK_RSS | PMON_WALK_CPU);
	return 0;
}

/* ---- the walk: SEC("syscall") with the open-coded task iterator (6.7+) ----------- */

/*
 * Why a second program: the iterator finds each task from its pid (the
 * pid table's next entry, then the task with a reference taken and
 * dropped), a third of a pass (perf: get_pid_task 18%, pid_nr_ns 13% at
 * 10,000 processes); the open-coded iterator follows the task list
 * under RCU.  Measured with cold caches, one pass: 9.5 ms through the
 * iterator, 5.1 ms walking, plus 0.45 ms to read the ring.  The order
 * is the task list's (creation), not pid order: the reader sorts.
 */

/* The ring the walk writes a pass into; its size is set by the loader.
 * One for every reader of the pins, which take turns (flock on the pin
 * directory): a ring of each reader's own, put in a map of rings, cost
 * an RCU grace period of wall time (10 ms here) on each update and
 * delete of that map, and 0.5-0.8 ms of CPU to make. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} walk_ring SEC(".maps");

extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task,
			     unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_rcu_read_lock(void) __weak __ksym;
extern void bpf_rcu_read_unlock(void) __weak __ksym;

SEC("syscall")
int pmon_walk(struct pmon_walk_args *args)
{
	struct task_struct *me = bpf_get_current_task_btf();
	/* The first pid namespace only: pid_nr() with the namespace a
	 * constant has no branch on it (the verifier follows each branch in
	 * the loop); a reader in another reads the iterator. */
	const struct ns_view v = {.level = 0};
	struct sink o = {};
	struct bpf_iter_task it;
	struct task_struct *t;
	__u32 items = args->items;
	int full = 0;

	if (me->thread_pid->level != 0) {
		args->status = PMON_WALK_OTHER_NS;
		return 0;
	}
	o.ring = &walk_ring;
	if (write_header(&o, &v, true) < 0) {
		args->status = PMON_WALK_SHORT;
		return 0;
	}
	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_THREADS);
	while ((t = bpf_iter_task_next(&it))) {
		if (visit(&o, t, &v, true, items) < 0) {
			full = 1;
			break;
		}
	}
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	if (full || write_trailer(&o, true) < 0)
		args->status = PMON_WALK_SHORT;
	else
		args->status = PMON_WALK_DONE;
	return 0;
}
