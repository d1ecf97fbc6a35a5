/*
 * inspect_read.c - gathering what `pmon inspect` shows about a process
 * (see inspect.h).  Only reads: /proc through the process layer, never
 * ptrace, never a signal.  Each part that cannot be read keeps its errno.
 *
 * The family walks (ancestors, children, the children of each ancestor
 * for the evidence of a subreaper) read one process at a time through
 * proc_lookup: with a snapshot each, opening /proc and reading the clock
 * for every process was half of what an inspect cost.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "act/orphan.h"
#include "act/zombie.h"
#include "ui/inspect.h"

/* The target: every item of pmon's reader but %CPU/%MEM (the lifetime
 * average is worked out from its times; MemTotal is not needed) and I/O
 * (the detail reads all of /proc/PID/io). */
#define TARGET_NEED ((PI_ALL & ~(unsigned)PI_PCPU) | PI_SCHED)
/* Its parent: NSpid tells a namespace's init, which adopts orphans; its
 * SIGCHLD disposition is the advice on a zombie (status, read for NSpid
 * anyway).  The other ancestors too when where its children go is to
 * be found (find_reaper asks each what it is). */
#define RELATIVE_NEED (ANCESTOR_NEED | PI_TRACE | PI_SIGNALS)
/* Otherwise the ancestors and the session leader, as shown (name,
 * session, terminal, alive): /proc/PID/stat alone.  Reading status for
 * each too was a third of the files an inspect of a leaf 12 deep opened
 * (65, now 54). */
#define ANCESTOR_NEED (PI_PPID | PI_STAT | PI_STATE | PI_THREADS | PI_COMM | \
		       PI_START | PI_TTY)
/* Children: /proc/PID/stat alone. */
#define LIGHT_NEED (PI_PPID | PI_STAT | PI_STATE | PI_THREADS | PI_START)

/* 1 when process a (pid and session) holds a process that was
 * re-parented to it (so a is an init or a child subreaper), 0 when none
 * of its children was, -1 when they cannot be read. */
static int holds_reparented(struct inspection *ins, const struct proc *a)
{
	pid_t *pids;
	ssize_t n = proc_children(a->pid, &pids);
	int found = 0;

	if (n < 0)
		return -1;
	for (ssize_t i = 0; i < n && !found; i++) {
		struct proc c;

		found = proc_lookup(ins->lookup, LIGHT_NEED, pids[i], &c) > 0 &&
			c.ppid == a->pid && orphan_reparented(&c, a);
	}
	free(pids);
	return found;
}

/* Kind ADOPTER_UNKNOWN when a was read without NSpid. */
static void ancestor_of(const struct proc *a, struct ancestor *out)
{
	out->pid = a->pid;
	out->session = a->session;
	snprintf(out->comm, sizeof(out->comm), "%s", a->comm ? a->comm : "?");
	out->kind = a->pid == 1 || (a->have & PI_TRACE) ? orphan_adopter_kind(a)
							: ADOPTER_UNKNOWN;
	out->adopts = -1;
}

static void read_ancestors(struct inspection *ins)
{
	pid_t next = ins->p->ppid;
	/* Children (or none known): find_reaper will ask what each is. */
	bool kinds = ins->d.nchildren > 0 || ins->d.children_err;

	/* Bounded: pids recycled during the walk could form a cycle. */
	while (next > 0 && ins->nanc < INSPECT_ANCESTORS_MAX) {
		unsigned need = ins->nanc == 0 || kinds ? RELATIVE_NEED : ANCESTOR_NEED;
		struct proc a;

		if (proc_lookup(ins->lookup, need, next, &a) <= 0)
			break;
		if (ins->nanc == 0) {
			ins->parent_p = a;
			ins->parent = &ins->parent_p;
		}
		ancestor_of(&a, &ins->anc[ins->nanc++]);
		next = a.ppid;
	}
	ins->anc_beyond = ins->nanc == INSPECT_ANCESTORS_MAX ? next : 0;
}

/* Whether ancestor a adopts, found out once. */
static int ancestor_adopts(struct inspection *ins, struct ancestor *a)
{
	if (a->adopts < 0) {
		struct proc probe = {.pid = a->pid, .session = a->session};

		a->adopts = holds_reparented(ins, &probe);
	}
	return a->adopts;
}

/* PID 1's name: from the walk when it got there, else read (an ancestor
 * that vanished cut the walk short); "?" when it cannot be read, never a
 * made-up name. */
static void init_name(struct inspection *ins, const struct ancestor *top,
		      char *name, size_t size)
{
	struct proc init;

	if (top && top->pid == 1)
		snprintf(name, size, "%s", top->comm);
	else if (proc_lookup(ins->lookup, PI_COMM, 1, &init) > 0 && init.comm)
		snprintf(name, size, "%s", init.comm);
	else
		snprintf(name, size, "?");
}

/* Whether the children go to ancestor a (an init, or a child subreaper
 * that shows it): r says so then. */
static bool takes_children(struct inspection *ins, struct ancestor *a,
			   struct reaper *r)
{
	if (a->kind == ADOPTER_INIT || a->kind == ADOPTER_NS_INIT) {
		r->kind = a->kind;
	} else if (a->kind == ADOPTER_SUBREAPER && ancestor_adopts(ins, a) == 1) {
		r->kind = ADOPTER_SUBREAPER;
		r->proven = true;
	} else {
		return false;
	}
	r->pid = a->pid;
	snprintf(r->comm, sizeof(r->comm), "%s", a->comm);
	return true;
}

/* Past the ancestors kept (a chain deeper than INSPECT_ANCESTORS_MAX):
 * on up, looked at and not kept, so that "no ancestor shows it" is true
 * of all of them.  Bounded again against a cycle of recycled pids. */
enum { REAPER_HOPS_MAX = 4096 };

static bool reaper_beyond(struct inspection *ins, struct reaper *r)
{
	pid_t next = ins->anc_beyond;

	for (int hops = 0; next > 0 && hops < REAPER_HOPS_MAX; hops++) {
		struct ancestor a;
		struct proc p;

		if (proc_lookup(ins->lookup, RELATIVE_NEED, next, &p) <= 0)
			return false;
		ancestor_of(&p, &a);
		if (takes_children(ins, &a, r))
			return true;
		next = p.ppid;
	}
	return false;
}

/* Where its children go when it dies: the nearest ancestor that is the
 * init of a PID namespace or shows that it is a child subreaper; else
 * init.  (The kernel's find_new_reaper; the subreaper flag itself is not
 * in /proc, hence "shows".) */
static void find_reaper(struct inspection *ins)
{
	struct reaper *r = &ins->reaper;
	const struct ancestor *top = ins->nanc ? &ins->anc[ins->nanc - 1] : NULL;

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < ins->nanc; i++)
		if (takes_children(ins, &ins->anc[i], r))
			return;
	if (ins->anc_beyond > 0 && reaper_beyond(ins, r))
		return;
	memset(r, 0, sizeof(*r));
	r->pid = 1;
	r->kind = ADOPTER_INIT;
	init_name(ins, top, r->comm, sizeof(r->comm));
}

static void read_leader(struct inspection *ins)
{
	const struct proc *p = ins->p;

	if (p->session == p->pid) {
		ins->leader = p;
		ins->leader_alive = true;
		return;
	}
	if (p->session <= 0 ||
	    proc_lookup(ins->lookup, ANCESTOR_NEED, p->session, &ins->leader_p) <= 0)
		return;
	ins->leader = &ins->leader_p;
	ins->leader_alive = ins->leader->session == p->session &&
			    !proc_has_exited(ins->leader);
}

/* Every process with ppid pid, read in full: for a kernel without the
 * children files (CONFIG_PROC_CHILDREN). */
static ssize_t children_by_scan(pid_t pid, pid_t **out)
{
	struct snapshot_query q = {.need = PI_PPID};
	struct snapshot s;
	size_t n = 0;

	*out = NULL;
	if (snapshot_take(&s, &q) < 0)
		return -1;
	for (size_t i = 0; i < s.n; i++)
		if (s.procs[i].ppid == pid) {
			*out = xreallocarray(*out, n + 1, sizeof(**out));
			(*out)[n++] = s.procs[i].pid;
		}
	snapshot_free(&s);
	return (ssize_t)n;
}

/* Its children now, and how many are zombies. */
static void read_children(struct inspection *ins)
{
	pid_t *pids = ins->d.children;
	ssize_t n = (ssize_t)ins->d.nchildren;

	if (ins->d.children_err == ENOENT) {
		n = children_by_scan(ins->pid, &pids);
		if (n >= 0) {
			free(ins->d.children);
			ins->d.children = pids;
			ins->d.nchildren = (size_t)n;
			ins->d.children_err = 0;
		}
	}
	ins->kids = xcalloc(n > 0 ? (size_t)n : 1, sizeof(*ins->kids));
	for (ssize_t i = 0; i < n; i++) {
		struct proc c;

		/* Gone meanwhile, or re-parented: not its child now. */
		if (proc_lookup(ins->lookup, LIGHT_NEED, pids[i], &c) <= 0 ||
		    c.ppid != ins->pid)
			continue;
		ins->kids[ins->nkids++] = c.pid;
		ins->nzombies += proc_is_zombie(&c);
	}
}

/* A stopped process: is its group orphaned?  That takes every process
 * (its group's members and their parents), so only when it matters. */
static void read_pgrp(struct inspection *ins)
{
	struct snapshot_query q = {.need = ORPHAN_NEED};
	struct snapshot all;

	ins->pgrp_orphaned = -1;
	if (ins->p->state != 'T' || snapshot_take(&all, &q) < 0)
		return;
	ins->pgrp_orphaned = orphan_pgrp_orphaned(all.procs, all.n, ins->p->pgrp);
	snapshot_free(&all);
}

/* Does its parent (anc[0]) adopt?  Its children cost a directory and a
 * stat file each, but a re-parented process is itself the evidence. */
static bool parent_adopts(struct inspection *ins)
{
	if (orphan_reparented(ins->p, ins->parent))
		ins->anc[0].adopts = 1;
	return ancestor_adopts(ins, &ins->anc[0]) == 1;
}

static void read_family(struct inspection *ins)
{
	struct orphan_facts *f = &ins->facts;
	bool sub_parent;

	read_ancestors(ins);
	read_leader(ins);
	read_children(ins);
	read_pgrp(ins);
	memset(f, 0, sizeof(*f));
	f->p = ins->p;
	f->parent = ins->parent;
	f->adopter = orphan_adopter_kind(ins->parent);
	f->leader_alive = ins->leader_alive;
	f->pgrp_orphaned = ins->pgrp_orphaned;
	f->terminal = -1;
	sub_parent = ins->parent && f->adopter == ADOPTER_SUBREAPER;
	/* Whether a parent that is not init adopts: the classification
	 * needs it for a process leading its own session without a
	 * terminal, and any orphan's words name it; no one else reads it. */
	if (sub_parent && f->p->session == f->p->pid && f->p->tty_nr == 0)
		f->parent_adopts = parent_adopts(ins);
	if (orphan_needs_terminal(f))
		f->terminal = orphan_std_terminal(ins->pid, f->terminal_path,
						  sizeof(f->terminal_path),
						  &f->terminal_closed);
	ins->cls = orphan_classify(f);
	if (sub_parent && ins->cls.kind != ORPHAN_NONE)
		f->parent_adopts = parent_adopts(ins);
	/* Proving a subreaper reads the children of every ancestor up to
	 * init (48 stat files for a leaf 6 deep in a tree that forks 8
	 * ways, most of what inspect cost): only for children it has. */
	if (ins->nkids)
		find_reaper(ins);
}

/* The descriptors of the call it is blocked in, resolved. */
static void read_call(struct inspection *ins, bool utf8)
{
	struct syscall_fd sfds[6];
	int fds[6];
	unsigned epoll;

	/* A kernel thread's /proc/PID/syscall reads "0 0x0 ...", which
	 * would decode as read(0); a zombie's is gone with it. */
	if (ins->p->kernel_thread || proc_has_exited(ins->p)) {
		ins->d.sc.kind = SYSCALL_NONE;
		return;
	}

	ins->nfds = syscall_fd_args(&ins->d.sc, fds, &epoll);
	for (size_t i = 0; ins->d.syscall_err == 0 && i < ins->nfds; i++) {
		struct inspect_fd *f = &ins->fds[i];
		unsigned long long ino;

		f->fd = (struct syscall_fd){.fd = fds[i], .watched = -1};
		f->err = proc_fd_target(ins->pid, fds[i], &f->target) < 0 ? errno : 0;
		if (!f->err && sscanf(f->target.data, "socket:[%llu]", &ino) == 1 &&
		    proc_socket_describe(ins->pid, ino, &f->socket) == 0)
			f->fd.socket = f->socket.data;
		if (epoll & (1u << i))
			f->fd.watched = proc_epoll_watched(ins->pid, fds[i]);
		f->fd.target = f->err ? NULL : f->target.data;
		sfds[i] = f->fd;
	}
	if (ins->d.syscall_err == 0)
		syscall_describe(&ins->d.sc, sfds, ins->nfds, utf8, &ins->call, &ins->waits);
}

static void read_state_age(struct inspection *ins)
{
	const struct proc *p = ins->p;
	unsigned long long now;
	bool pinned;

	ins->in_state_s = -1;
	if (p->state == 'R')
		ins->in_state_s = 0;
	else if ((p->have & PI_SCHED) && proc_sched_now(p->last_cpu, &now, &pinned) == 0)
		/* The arithmetic of a zombie's age: it last left a CPU when
		 * it went to sleep, stopped or exited. */
		ins->in_state_s = zombie_age_s(p->last_ran_ns, now, p->elapsed_s);
}

/* The namespaces to compare with: init's, else pmon's own. */
static void read_ref_ns(struct inspection *ins)
{
	ins->ref_is_init = proc_ns_inodes(1, ins->ref_ns) == 0;
	ins->ref_ns_err = 0;
	if (!ins->ref_is_init && proc_ns_inodes(getpid(), ins->ref_ns) < 0)
		ins->ref_ns_err = errno;
}

/* Whether the kernel would let pmon signal it (kill(2): CAP_KILL, or
 * pmon's real or effective uid is its real or saved uid); true when its
 * uids could not be read, as the kill itself would then tell. */
static bool may_signal(const struct inspection *ins)
{
	const struct status_detail *st = &ins->d.st;
	uid_t me = getuid(), eme = geteuid();
	uint64_t caps;
	enum { CAP_KILL_BIT = 5 };

	if (self_caps(&caps) < 0 ? eme == 0 : (caps >> CAP_KILL_BIT) & 1)
		return true;
	if (!st->have_uid)
		return true;
	return me == st->uid[ID_REAL] || me == st->uid[ID_SAVED] ||
	       eme == st->uid[ID_REAL] || eme == st->uid[ID_SAVED];
}

/* Is pid pmon or one of its ancestors (pmon kill refuses those)? */
static bool is_my_ancestor(struct inspection *ins, pid_t pid)
{
	pid_t next = getpid();

	/* An ancestor has a child; a process without one is pmon or not
	 * one (no walk up from pmon: 7 stat files from a login shell). */
	if (ins->d.children_err == 0 && ins->nkids == 0)
		return pid == next;
	for (int hops = 0; next > 0 && hops < INSPECT_ANCESTORS_MAX; hops++) {
		struct proc a;

		if (next == pid)
			return true;
		if (proc_lookup(ins->lookup, LIGHT_NEED, next, &a) <= 0)
			return false;
		next = a.ppid;
	}
	return false;
}

/* The target.  0, or -1 (err set). */
static int read_target(pid_t pid, struct inspection *ins)
{
	int rc;

	ins->lookup = proc_lookup_open();
	if (!ins->lookup) {
		ins->err = ENOENT;
		return -1;
	}
	ins->clock = *proc_lookup_clock(ins->lookup);
	rc = proc_lookup(ins->lookup, TARGET_NEED, pid, &ins->target);
	if (rc <= 0) {
		pid_t tgid = rc == 0 ? proc_tgid_of(pid) : -1;

		ins->thread_of = tgid > 0 && tgid != pid ? tgid : 0;
		ins->err = ESRCH;
		return -1;
	}
	ins->p = &ins->target;
	if (proc_detail_read(ins->p, &ins->d) < 0) {
		ins->err = ESRCH;
		return -1;
	}
	return 0;
}

void inspect_read(pid_t pid, struct inspection *ins, bool utf8)
{
	unsigned long long ticks;

	memset(ins, 0, sizeof(*ins));
	ins->pid = pid;
	ins->cpu_err = ESRCH;
	if (read_target(pid, ins) < 0)
		return;
	read_state_age(ins);
	read_ref_ns(ins);
	read_family(ins);
	read_call(ins, utf8);
	ins->my_ancestor = is_my_ancestor(ins, pid);
	ins->may_signal = may_signal(ins);
	for (int fd = 0; fd < 3; fd++) /* via: a live thread's, if need be */
		ins->std_err[fd] = proc_fd_target(ins->d.via, fd, &ins->std[fd]) < 0 ?
				   errno : 0;
	ins->t0 = mono_now();
	ins->cpu_err = proc_cpu_ns(pid, &ins->run0_ns, &ins->cpu_exact) < 0 ? errno : 0;
	/* Everything read belongs to one process: if its pid changed hands
	 * meanwhile, say it vanished rather than mix two processes. */
	if (proc_start_ticks(pid, &ticks) < 0 || ticks != ins->p->start_ticks)
		ins->err = ESRCH;
}

void inspect_sample(struct inspection *ins)
{
	bool exact;

	if (ins->err || ins->cpu_err)
		return;
	ins->t1 = mono_now();
	if (proc_cpu_ns(ins->pid, &ins->run1_ns, &exact) < 0) {
		ins->cpu_err = errno;
		return;
	}
	ins->cpu_exact &= exact;
	ins->sampled = true;
}

void inspect_sample_since(struct inspection *ins, const struct inspection *before)
{
	if (ins->err || ins->cpu_err || before->err || before->cpu_err)
		return;
	ins->t1 = ins->t0;
	ins->run1_ns = ins->run0_ns;
	/* The later of before's readings: its own, or its sample's. */
	ins->t0 = before->sampled ? before->t1 : before->t0;
	ins->run0_ns = before->sampled ? before->run1_ns : before->run0_ns;
	ins->cpu_exact &= before->cpu_exact;
	ins->sampled = true;
}

void inspect_free(struct inspection *ins)
{
	proc_detail_free(&ins->d);
	proc_lookup_close(ins->lookup);
	free(ins->kids);
	for (size_t i = 0; i < ARRAY_LEN(ins->fds); i++) {
		buf_free(&ins->fds[i].target);
		buf_free(&ins->fds[i].socket);
	}
	for (int i = 0; i < 3; i++)
		buf_free(&ins->std[i]);
	buf_free(&ins->call);
	buf_free(&ins->waits);
	memset(ins, 0, sizeof(*ins));
}
