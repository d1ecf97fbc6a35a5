/*
 * freeze.c - `kill --tree`: hold a process tree still (every member
 * stopped, the set closed against forks) so that a signal reaches all of
 * it and no child escapes.
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

/* How long a freeze may take before pmon gives up waiting for members to
 * stop (one in uninterruptible sleep, such as a vfork parent, cannot) and
 * delivers the signal anyway. */
enum { FREEZE_DEADLINE_MS = 5000 };

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
static int add_member(struct frozen_tree *t, const struct proc *p,
		      const struct proc_ref *known, bool dry_run)
{
	struct tree_member *m;
	int fd = -1;

	t->m = xreallocarray(t->m, t->n + 1, sizeof(*t->m));
	m = &t->m[t->n];
	*m = (struct tree_member){
		.ref = known ? *known : proc_ref_of(p), .ppid = p->ppid, .pidfd = -1,
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

			if (p->pid == skip || member_of(t, p->pid, p->start_ticks))
				continue;
			parent = snapshot_find(snap, p->ppid);
			if (!parent || !member_of(t, parent->pid, parent->start_ticks))
				continue;
			if (add_member(t, p, NULL, dry_run) == 0) {
				added++;
				progress = true;
			}
		}
	} while (progress);
	return added;
}

/* Until every member we stopped shows T (or has exited), or deadline.
 * Returns whether they all did. */
static bool wait_stopped(struct frozen_tree *t, double deadline)
{
	pid_t *pids = xcalloc(t->n, sizeof(*pids));
	bool all = false;

	for (size_t i = 0; i < t->n; i++)
		pids[i] = t->m[i].ref.pid;
	while (!all) {
		struct snapshot s;
		struct snapshot_query q = {.need = PI_STATE | PI_START | PI_THREADS,
					   .pids = pids, .npids = t->n};

		if (snapshot_take(&s, &q) < 0)
			break;
		all = true;
		for (size_t i = 0; i < t->n; i++) {
			struct tree_member *m = &t->m[i];
			const struct proc *p = snapshot_find(&s, m->ref.pid);

			if (m->pidfd < 0 || m->zombie || m->found != MEMBER_HERE)
				continue;
			if (p && p->start_ticks != m->ref.start_ticks)
				m->found = MEMBER_RECYCLED; /* exited while we worked */
			else if (!p || proc_has_exited(p))
				m->found = MEMBER_EXITED;
			else if (p->state != 'T' && p->state != 't' && p->state != 'Z')
				all = false;
			/* An exited leader (Z, threads running) does not show
			 * its threads' state; they got the group stop too. */
		}
		snapshot_free(&s);
		if (!all) {
			if (mono_now() >= deadline)
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

int tree_freeze(const struct proc_ref *root, pid_t skip, bool dry_run,
		struct frozen_tree *t)
{
	double deadline = mono_now() + FREEZE_DEADLINE_MS / 1000.0;
	struct snapshot s;
	const struct proc *r;
	int err = 0;

	memset(t, 0, sizeof(*t));
	if (scan_tree(&s) < 0)
		return -1;
	r = snapshot_find(&s, root->pid);
	if (!r)
		err = ESRCH;
	else if (r->start_ticks != root->start_ticks)
		err = ESTALE;
	else if ((err = add_member(t, r, root, dry_run)))
		;
	else if (t->m[0].err)
		err = t->m[0].err;
	if (err) {
		snapshot_free(&s);
		tree_release(t);
		errno = err;
		return -1;
	}
	/* Stopped members fork no more; a child forked just before its
	 * parent stopped shows up in the next scan and is stopped in turn.
	 * The set is closed when a scan taken after every member stopped
	 * finds nobody new. */
	for (t->rounds = 1;; t->rounds++) {
		bool stopped = dry_run || wait_stopped(t, deadline);
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
	memset(t, 0, sizeof(*t));
}
