/*
 * freeze.h - holding a process tree still for `pmon kill --tree`.
 */
#ifndef PMON_FREEZE_H
#define PMON_FREEZE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "proc/proc.h"

/*
 * A process tree held still: every member was sent SIGSTOP through a
 * pidfd opened for exactly the process the scan saw, top-down, and the
 * tree was scanned again until no member had a child outside the set and
 * every member had stopped.  Members are in the order they were found
 * (a parent before its children).
 */
struct tree_member {
	struct proc_ref ref;
	pid_t ppid;
	char *comm;
	int pidfd;          /* -1 when it could not be opened (err says why) */
	int err;            /* errno of opening or stopping; 0 when frozen */
	bool was_stopped;   /* stopped (T) before we came: stays stopped */
	bool zombie;        /* already exited when found: nothing to signal */
	enum {
		MEMBER_HERE,
		MEMBER_EXITED,   /* found exited (Z, X or gone) before the signal */
		MEMBER_RECYCLED, /* found its pid naming another process */
	} found;
	bool sent;          /* tree_signal delivered the signal */
};

struct frozen_tree {
	struct tree_member *m;
	size_t n;
	int rounds;         /* scans it took to close the set */
	bool closed;        /* false: gave up (a member never stopped, or the
	                       tree kept changing) before the deadline */
};

/*
 * Freeze the tree under root, leaving out skip (pmon itself: it must go
 * on running).  With dry_run nothing is signalled: one scan lists the
 * members as they are.  Returns 0, or -1 with errno (ESRCH: root is gone,
 * ESTALE: its pid was recycled, EPERM...: as pidfd_open_ref and
 * pidfd_send_signal say; nothing was stopped).
 */
int tree_freeze(const struct proc_ref *root, pid_t skip, bool dry_run,
		struct frozen_tree *t);
/* Deliver sig to every frozen member, top-down; each member's err says
 * how it went.  Then SIGCONT the members this tree stopped, unless sig is
 * SIGKILL (it needs none) or a stop signal, so that they act on sig. */
void tree_signal(struct frozen_tree *t, int sig);
/* Close the pidfds and free. */
void tree_release(struct frozen_tree *t);

#endif
