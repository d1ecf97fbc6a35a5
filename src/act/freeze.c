/*
 * freeze.c - `kill --tree`: hold process trees still (every member
 * stopped, the set closed against forks) so that a signal reaches all of
 * them and no child escapes.  Every tree given is frozen in the same
 * rounds, so a member that cannot stop (state D) costs one deadline in
 * all, not one per tree.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "act/freeze.h"
#include "act/signals.h"
#include "proc/proc.h"
#include "util/util.h"

/* FREEZE_DEADLINE_S (freeze.h): how long a freeze may take before pmon
 * gives up waiting for members to stop (one in uninterruptible sleep,
 * such as a vfork parent, cannot) and delivers the signal anyway.  After
 * WAIT_NOTE_S of waiting it says on stderr what for: a healthy tree has
 * stopped by then (1 to 3 ms for 40 members on the test machine). */
#define WAIT_NOTE_S 0.25
/* Members named in that note; the rest are counted. */
enum { WAIT_NOTE_MAX = 5 };

static struct tree_member *member_of(struct frozen_tree *t, pid_t pid,
				     unsigned long long start)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->m[i].ref.pid == pid && t->m[i].ref.start_ticks == start)
			return &t->m[i];
	return NULL;
}

/* Make p a member and, unless dry_run, stop it; its identity is taken
 * now, or is known already (root: the one the caller selected).  A
 * process that is gone by now is not added (it left on its own); returns
 * 0 when it was, or the errno that said it is gone (ESRCH, ESTALE). */
static int add_member(struct frozen_tree *t, const struct proc *p, size_t tree,
		      const struct proc_ref *known, bool dry_run)
{
	struct tree_member *m;
	int fd = -1;

	t->m = xreallocarray(t->m, t->n + 1, sizeof(*t->m));
	m = &t->m[t->n];
	*m = (struct tree_member){
		.ref = known ? *known : proc_ref_of(p), .ppid = p->ppid, .pidfd = -1,
		.tree = tree,
		.comm = xstrdup(p->comm ? p->comm : "?"),
		.was_stopped = p->state == 'T' || p->state == 't',
		.zombie = proc_has_exited(p),
	};
	if (dry_run || m->zombie) {
		t->n++;
		return 0;
	}
	if (proc_ref_take(&m->ref, &fd) == 0 &&
	    pidfd_send_signal(fd, SIGSTOP, NULL, 0) == 0) {
		m->pidfd = fd;
	} else {
		m->err = errno;
		if (fd >= 0)
			close(fd);
		if (m->err == ESRCH || m->err == ESTALE) {
			free(m->comm);
			return m->err;
		}
	}
	t->n++;
	return 0;
}

/* Add every process of snap whose parent is a member (the very process,
 * by start time), until the set is closed within snap.  A parent is
 * always added before its children: the tree is stopped top-down. */
static size_t add_descendants(struct frozen_tree *t, const struct snapshot *snap,
			      pid_t skip, bool dry_run)
{
	size_t added = 0;
	bool progress;

	do {
		progress = false;
		for (size_t i = 0; i < snap->n; i++) {
			const struct proc *p = &snap->procs[i], *parent;
			const struct tree_member *pm;

			if (p->pid == skip || member_of(t, p->pid, p->start_ticks))
				continue;
			parent = snapshot_find(snap, p->ppid);
			pm = parent ? member_of(t, parent->pid, parent->start_ticks) : NULL;
			if (!pm)
				continue;
			if (add_member(t, p, pm->tree, NULL, dry_run) == 0) {
				added++;
				progress = true;
			}
		}
	} while (progress);
	return added;
}

/* Has member m stopped, as snapshot s shows it?  Marks it exited or
 * recycled when s shows that instead (then it counts as stopped). */
static bool member_stopped(struct tree_member *m, const struct snapshot *s)
{
	const struct proc *p = snapshot_find(s, m->ref.pid);

	if (m->pidfd < 0 || m->zombie || m->found != MEMBER_HERE)
		return true;
	if (p && p->start_ticks != m->ref.start_ticks)
		m->found = MEMBER_RECYCLED; /* exited while we worked */
	else if (!p || proc_has_exited(p))
		m->found = MEMBER_EXITED;
	/* An exited leader (Z, threads running) does not show its threads'
	 * state; they got the group stop too. */
	return m->found != MEMBER_HERE || p->state == 'T' || p->state == 't' ||
	       p->state == 'Z';
}

/* On stderr: the members that have not stopped yet, and for how long
 * pmon will wait for them. */
static void say_waiting(struct frozen_tree *t, const struct snapshot *s,
			double left)
{
	struct buf b = {0};
	size_t named = 0, more = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct tree_member *m = &t->m[i];
		const struct proc *p = snapshot_find(s, m->ref.pid);

		if (m->pidfd < 0 || m->zombie || m->found != MEMBER_HERE || !p ||
		    p->state == 'T' || p->state == 't' || p->state == 'Z')
			continue;
		if (named++ == WAIT_NOTE_MAX) {
			named--, more++;
			continue;
		}
		buf_printf(&b, "%s%d (%s, state %c)", named > 1 ? ", " : "",
			   (int)m->ref.pid, m->comm, p->state);
	}
	if (more)
		buf_printf(&b, " and %zu more", more);
	if (named)
		pmon_warn("waiting up to %.1f s for %s to stop", left, b.data);
	buf_free(&b);
}

/* Until every member we stopped shows T (or has exited), or deadline.
 * Once WAIT_NOTE_S have gone by since start, say what it waits for
 * (once: *said).  Returns whether they all stopped. */
static bool wait_stopped(struct frozen_tree *t, double start, double deadline,
			 bool *said)
{
	pid_t *pids = xcalloc(t->n, sizeof(*pids));
	bool all = false;

	for (size_t i = 0; i < t->n; i++)
		pids[i] = t->m[i].ref.pid;
	while (!all) {
		struct snapshot s;
		struct snapshot_query q = {.need = PI_STATE | PI_START | PI_THREADS,
					   .pids = pids, .npids = t->n};
		double now;

		if (snapshot_take(&s, &q) < 0)
			break;
		all = true;
		for (size_t i = 0; i < t->n; i++)
			if (!member_stopped(&t->m[i], &s))
				all = false;
		now = mono_now();
		if (!all && !*said && now - start >= WAIT_NOTE_S && now < deadline) {
			say_waiting(t, &s, deadline - now);
			*said = true;
		}
		snapshot_free(&s);
		if (!all) {
			if (now >= deadline)
				break;
			usleep(1000);
		}
	}
	free(pids);
	return all;
}

/* Undo the freeze for the members it stopped (on a failure). */
static void thaw(struct frozen_tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct tree_member *m = &t->m[i];

		if (m->pidfd >= 0 && !m->err && !m->was_stopped && !m->zombie &&
		    m->found == MEMBER_HERE)
			(void)pidfd_send_signal(m->pidfd, SIGCONT, NULL, 0);
	}
}

static int scan_tree(struct snapshot *s)
{
	struct snapshot_query q = {.need = PI_PPID | PI_START | PI_STATE |
				   PI_COMM | PI_THREADS};

	return snapshot_take(s, &q);
}

/* Make each root a member of its own tree, stopped, or say in root_err
 * why it is not. */
static void add_roots(struct frozen_tree *t, const struct proc_ref *roots,
		      const struct snapshot *s, bool dry_run)
{
	for (size_t i = 0; i < t->nroots; i++) {
		const struct proc *r = snapshot_find(s, roots[i].pid);
		int err;

		if (!r)
			err = ESRCH;
		else if (r->start_ticks != roots[i].start_ticks)
			err = ESTALE;
		else if (member_of(t, r->pid, r->start_ticks))
			err = EALREADY;
		else if ((err = add_member(t, r, i, &roots[i], dry_run)))
			;
		else if ((err = t->m[t->n - 1].err)) {
			/* Not stopped (EPERM...): its tree stays out. */
			t->n--;
			if (t->m[t->n].pidfd >= 0)
				close(t->m[t->n].pidfd);
			free(t->m[t->n].comm);
		}
		t->root_err[i] = err;
	}
}

int tree_freeze(const struct proc_ref *roots, size_t nroots, pid_t skip,
		bool dry_run, struct frozen_tree *t)
{
	double start = mono_now(), deadline = start + FREEZE_DEADLINE_S;
	struct snapshot s;
	bool said = false;
	int err = 0;

	memset(t, 0, sizeof(*t));
	t->nroots = nroots;
	t->root_err = xcalloc(nroots ? nroots : 1, sizeof(*t->root_err));
	if (scan_tree(&s) < 0) {
		err = errno;
		tree_release(t);
		errno = err;
		return -1;
	}
	add_roots(t, roots, &s, dry_run);
	/* Stopped members fork no more; a child forked just before its
	 * parent stopped shows up in the next scan and is stopped in turn.
	 * The set is closed when a scan taken after every member stopped
	 * finds nobody new. */
	for (t->rounds = 1;; t->rounds++) {
		bool stopped = dry_run || wait_stopped(t, start, deadline, &said);
		size_t added;

		if (t->rounds > 1) {
			snapshot_free(&s);
			if (scan_tree(&s) < 0) {
				err = errno;
				thaw(t);
				tree_release(t);
				errno = err;
				return -1;
			}
		}
		added = add_descendants(t, &s, skip, dry_run);
		if (dry_run || (!added && stopped)) {
			t->closed = true;
			break;
		}
		if (mono_now() >= deadline)
			break;
	}
	snapshot_free(&s);
	return 0;
}

void tree_signal(struct frozen_tree *t, int sig)
{
	bool cont = sig != SIGKILL && sig != SIGCONT && !signal_is_stop(sig);

	for (size_t i = 0; i < t->n; i++) {
		struct tree_member *m = &t->m[i];

		if (m->pidfd < 0 || m->err || m->zombie || m->found != MEMBER_HERE)
			continue;
		if (pidfd_send_signal(m->pidfd, sig, NULL, 0) == 0)
			m->sent = true;
		else
			m->err = errno;
	}
	/* A stopped process acts on nothing but SIGKILL and SIGCONT: wake
	 * the ones this freeze stopped, so that they act on sig.  Those that
	 * were stopped before stay as they were. */
	if (cont)
		thaw(t);
}

void tree_release(struct frozen_tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->m[i].pidfd >= 0)
			close(t->m[i].pidfd);
		free(t->m[i].comm);
	}
	free(t->m);
	free(t->root_err);
	memset(t, 0, sizeof(*t));
}
