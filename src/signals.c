/*
 * signals.c - signal names and race-free delivery through pidfds.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "pmon.h"
#include "proc.h"
#include "signals.h"

int signal_from_name(const char *name)
{
	long n;

	if (parse_long(name, 1, SIGRTMAX, &n) == 0)
		return (int)n;
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	if (strncasecmp(name, "RTMIN", 5) == 0 || strncasecmp(name, "RTMAX", 5) == 0) {
		bool min = strncasecmp(name, "RTMIN", 5) == 0;
		long off = 0;

		if (name[5] && parse_long(name + 5, min ? 0 : -(SIGRTMAX - SIGRTMIN),
					  min ? SIGRTMAX - SIGRTMIN : 0, &off) < 0)
			return -1;
		return (int)((min ? SIGRTMIN : SIGRTMAX) + off);
	}
	for (int sig = 1; sig < SIGRTMIN; sig++) {
		const char *abbrev = sigabbrev_np(sig);

		if (abbrev && strcasecmp(abbrev, name) == 0)
			return sig;
	}
	return -1;
}

const char *signal_name(int sig, char *buf, size_t size)
{
	const char *abbrev = sig > 0 && sig < SIGRTMIN ? sigabbrev_np(sig) : NULL;

	if (abbrev)
		snprintf(buf, size, "%s", abbrev);
	else if (sig == SIGRTMIN)
		snprintf(buf, size, "RTMIN");
	else if (sig > SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, size, "RTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, size, "%d", sig);
	return buf;
}

int pidfd_open_ref(const struct proc_ref *ref)
{
	unsigned long long now;
	int fd = pidfd_open(ref->pid, 0), err;

	if (fd < 0)
		return -1;
	/* The pidfd pins whatever process had the pid when it was opened;
	 * if the start time still matches now, that is the one we saw. */
	err = 0;
	if (proc_start_ticks(ref->pid, &now) < 0)
		err = ESRCH;
	else if (now != ref->start_ticks)
		err = ESTALE;
	if (err) {
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

int signal_send(const struct proc_ref *ref, int sig)
{
	int fd = pidfd_open_ref(ref), rc, err;

	if (fd < 0)
		return -1;
	rc = pidfd_send_signal(fd, sig, NULL, 0);
	err = errno;
	close(fd);
	errno = err;
	return rc;
}

const char *signal_error(int err)
{
	switch (err) {
	case ESRCH: return "no such process (it has exited)";
	case ESTALE: return "its PID now names another process (recycled); not signalled";
	case EPERM: return "permission denied: you must own the process, or be root or have CAP_KILL";
	default: return strerror(err);
	}
}
