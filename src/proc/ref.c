/*
 * ref.c - a process's identity, and a pidfd checked to be exactly that
 * process.
 *
 * A pid names whichever process has it now.  The start time a reader saw
 * tells two processes apart unless the second started in the same clock
 * tick (10 ms) as the first, which a PID namespace can arrange (clone3's
 * set_tid).  Since Linux 6.9 every pidfd is a file of pidfs whose inode
 * number belongs to one process and is never given to another until the
 * machine reboots: taken once (proc_ref_take), it identifies the process
 * exactly from then on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "proc/proc.h"
#include "proc/reader.h"

/* statfs(2)'s f_type of a pidfd on a kernel with pidfs (linux/magic.h
 * has it from 6.9 on; older headers do not). */
#define PIDFS_MAGIC 0x50494446

/* The pidfs inode of pidfd fd, or 0 on a kernel whose pidfds are all one
 * anonymous inode (before 6.9). */
static unsigned long long pidfs_ino(int fd)
{
	struct statfs fs;
	struct stat st;

	if (fstatfs(fd, &fs) < 0 || fs.f_type != PIDFS_MAGIC || fstat(fd, &st) < 0)
		return 0;
	return (unsigned long long)st.st_ino;
}

/* The pid /proc gives the process of pidfd fd (its fdinfo's "Pid:", in
 * the namespace of the mounted /proc): -1 once it has been reaped, 0 when
 * /proc's namespace does not see it.  0, or -1 with errno. */
static int pidfd_shown_pid(int fd, long *pid)
{
	struct buf text = {0};
	char path[48];
	const char *line;
	int rc = -1;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (procfs_read(AT_FDCWD, path, &text, 0, false) == 0) {
		line = strstr(text.data, "\nPid:");
		if (line && sscanf(line + 5, "%ld", pid) == 1)
			rc = 0;
		else
			errno = ENOENT;
	}
	buf_free(&text);
	return rc;
}

/*
 * Open a pidfd for ref's process and check it.  The order matters: the
 * start time is read from /proc first, then the pidfd's process is seen
 * to still hold ref->pid, so the start time read was its own (a pid
 * cannot leave a process and come back to it).  *ino gets the pidfs
 * inode (0 if none).
 */
static int open_checked(const struct proc_ref *ref, unsigned long long *ino)
{
	unsigned long long started = 0;
	pid_t own;
	long shown;
	int fd, err = 0;

	if (proc_own_pid(ref->pid, ref->pid, &own) < 0)
		return -1;
	fd = pidfd_open(own, 0);
	if (fd < 0)
		return -1;
	*ino = pidfs_ino(fd);
	if (ref->start_ticks && proc_start_ticks(ref->pid, &started) < 0)
		err = ESRCH;
	else if (pidfd_shown_pid(fd, &shown) < 0)
		err = errno == ENOENT ? EXDEV : ESRCH;
	else if (shown < 0)
		err = ESRCH; /* it exited and was reaped meanwhile */
	else if (shown != ref->pid)
		err = EXDEV; /* pmon's number for it named another process */
	else if (ref->start_ticks && started != ref->start_ticks)
		err = ESTALE;
	else if (ref->ino && *ino && *ino != ref->ino)
		err = ESTALE;
	if (err) {
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

int proc_ref_take(struct proc_ref *ref, int *pidfd)
{
	unsigned long long ino;
	int fd = open_checked(ref, &ino);

	if (fd < 0)
		return -1;
	ref->ino = ino;
	if (pidfd)
		*pidfd = fd;
	else
		close(fd);
	return 0;
}

int pidfd_open_ref(const struct proc_ref *ref)
{
	unsigned long long ino;

	return open_checked(ref, &ino);
}
