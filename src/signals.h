/*
 * signals.h - naming signals, and sending them without ever hitting a
 * recycled pid: a pidfd is opened, then checked against the start time
 * the caller saw, and only then used.
 */
#ifndef PMON_SIGNALS_H
#define PMON_SIGNALS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "pmon.h"

/* A process as a snapshot saw it: the pid alone may be someone else's by
 * now, the pid with its start time cannot. */
struct proc_ref {
	pid_t pid;
	unsigned long long start_ticks;
};

/* "TERM", "SIGTERM", "term", "15", "RTMIN+2": the signal number, or -1. */
int signal_from_name(const char *name);
/* "TERM" for SIGTERM; real-time signals as bash names them, "RTMIN+2"
 * in the lower half and "RTMAX-3" in the upper; into buf, returned. */
const char *signal_name(int sig, char *buf, size_t size);

/*
 * A pidfd for ref's process, checked to be that process (the start time
 * matches).  -1 with errno ESRCH when it is gone, ESTALE when its pid now
 * names another process, or pidfd_open's errno.
 */
int pidfd_open_ref(const struct proc_ref *ref);

/* pidfd_open_ref, then pidfd_send_signal.  0, or -1 with errno as above,
 * or EPERM when the caller may not signal it. */
int signal_send(const struct proc_ref *ref, int sig);

/* Why signal_send failed, in words for a result line. */
const char *signal_error(int err);

/*
 * The signal list of `kill -l`, numbers and names ("15) SIGTERM"), five
 * to a line as bash prints it, appended to out.
 */
void signal_list(struct buf *out);

/* Stop signals: delivering them stops the process, and a SIGCONT after
 * them would undo it (SIGCONT discards pending stop signals). */
bool signal_is_stop(int sig);

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
	bool zombie;        /* already exited, nothing to signal */
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
 * ESTALE: its pid was recycled, EPERM...; nothing was stopped).
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
