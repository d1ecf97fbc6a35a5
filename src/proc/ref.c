/*
 * ref.c - a process's identity: a pid and the start time it had when a
 * reader saw it, and a pidfd checked to be exactly that process.
 */
#include <errno.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "proc/proc.h"

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
