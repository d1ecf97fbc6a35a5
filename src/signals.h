/*
 * signals.h - naming signals, and sending them without ever hitting a
 * recycled pid: a pidfd is opened, then checked against the start time
 * the caller saw, and only then used.
 */
#ifndef PMON_SIGNALS_H
#define PMON_SIGNALS_H

#include <stddef.h>
#include <sys/types.h>

/* A process as a snapshot saw it: the pid alone may be someone else's by
 * now, the pid with its start time cannot. */
struct proc_ref {
	pid_t pid;
	unsigned long long start_ticks;
};

/* "TERM", "SIGTERM", "term", "15", "RTMIN+2": the signal number, or -1. */
int signal_from_name(const char *name);
/* "TERM" for SIGTERM, "RTMIN+2"...; into buf, which it returns. */
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

#endif
