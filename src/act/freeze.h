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
 * Process trees held still: every member was sent SIGSTOP through a pidfd
 * opened for exactly the process the scan saw, top-down, and the trees
 * were scanned again until no member had a child outside the set and
 * every member had stopped.  Members are in the order they were found (a
 * parent before its children), each tagged with the tree it belongs to.
 */
struct tree_member {
	struct proc_ref ref;
	pid_t ppid;
	size_t tree;        /* index of its root among those frozen */
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
	int *root_err;      /* per root: 0 when its tree is among the members,
	                       else why not: ESRCH (gone), ESTALE (recycled),
	                       EALREADY (a member of an earlier root's tree),
	                       or the errno of stopping it (EPERM...) */
	size_t nroots;
	int rounds;         /* scans it took to close the set */
	bool closed;        /* false: gave up (a member never stopped, or the
	                       trees kept changing) before the deadline */
};

/*
 * Freeze the trees under roots[0..nroots) at once, leaving out skip (pmon
 * itself: it must go on running), with one deadline for all of them:
 * while members do not stop, pmon says on stderr which, and gives up
 * after FREEZE_DEADLINE_S.  With dry_run nothing is signalled: one scan
 * lists the members as they are.  Returns 0 (each root's fate in
 * root_err), or -1 with errno when the process table cannot be read
 * (then nothing is left stopped).
 */
#define FREEZE_DEADLINE_S 5
int tree_freeze(const struct proc_ref *roots, size_t nroots, pid_t skip,
		bool dry_run, struct frozen_tree *t);
/* Deliver sig to every frozen member, top-down; each member's err says
 * how it went.  Then SIGCONT the members this freeze stopped, unless sig
 * is SIGKILL (it needs none) or a stop signal, so that they act on sig. */
void tree_signal(struct frozen_tree *t, int sig);
/* Close the pidfds and free. */
void tree_release(struct frozen_tree *t);

#endif
