/*
 * inject.h - make a live process call wait4() on its own zombie children,
 * through ptrace, and leave it exactly as it was.  x86_64 only: on other
 * architectures inject_wait4() refuses with a message saying so.
 *
 * The work is done by a short-lived helper process (the tracer), so that
 * a caller with threads or children of its own (pmon top) is not
 * disturbed, and so that giving up on a parent that never stops (state D)
 * detaches it cleanly: the helper simply exits.
 */
#ifndef PMON_INJECT_H
#define PMON_INJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "proc/proc.h"

enum inject_status {
	INJECT_DONE,    /* the calls ran; see rets[] */
	INJECT_REFUSED, /* nothing was changed; why says what stood in the way */
	INJECT_FAILED,  /* something went wrong; why says what */
};

struct inject_result {
	enum inject_status status;
	char why[256];       /* when not INJECT_DONE */
	int retries;         /* injected calls redone because a stop came first */
	int passed_signals;  /* signals that arrived while held, passed on */
	long hold_us;        /* how long the parent was kept from running */
	/* The call the held thread was stopped in, when the stop made it
	 * return EINTR (syscalls.h): restarted says pmon restarted it as the
	 * kernel would (it waits without a timeout), eintr that the program
	 * will see EINTR. */
	char restarted[24], eintr[24];
};

/* True where inject is implemented (x86_64). */
bool inject_supported(void);

/*
 * In process ref (checked, once held, to still be that very process, so
 * that a recycled pid is never touched), make its thread tid (as /proc
 * numbers it: the one reap_check chose) call wait4(zpids[i], NULL,
 * WNOHANG | __WALL) for each i, where zpids are the zombies' pids as the
 * parent sees them (NSpid).  rets[i] gets what each call returned: the
 * pid reaped, 0, or -errno.  The parent is stopped for the few
 * milliseconds this takes, with every signal that arrives meanwhile
 * passed on, and then runs on exactly as before: an interrupted pause(),
 * read() or nanosleep() resumes through the kernel's restart path, as
 * does an epoll_wait() or another call that would return EINTR but waits
 * without a timeout (pmon gives it the kernel's restart code); a stopped
 * parent is stopped again.  A call with a timeout that returns EINTR
 * (reap_check refuses it unless allowed) is named in res->eintr.
 *
 * timeout_ms bounds the wait for the parent to stop at all (a thread in
 * uninterruptible sleep does not); on timeout nothing has been changed.
 * Returns 0 when the calls ran (res->status INJECT_DONE), -1 otherwise.
 */
int inject_wait4(const struct proc_ref *ref, pid_t tid, const pid_t *zpids,
		 size_t n, int timeout_ms, long *rets, struct inject_result *res);

#endif
