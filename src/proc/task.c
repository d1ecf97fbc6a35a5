/*
 * task.c - one thread of a process, read now, for inject: who traces it,
 * what system call it is in, and what one of the process's descriptors
 * is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proc/parse.h"
#include "proc/proc.h"
#include "proc/reader.h"

int proc_thread_tracer(pid_t pid, pid_t tid, pid_t *tracer)
{
	struct status_lines st = {0};
	struct buf text = {0};
	char path[64];
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid, (int)tid);
	rc = procfs_read(AT_FDCWD, path, &text, 0, false);
	if (rc == 0) {
		parse_status(text.data, text.len, STATUS_HAVE_TRACER, &st);
		*tracer = st.tracer_pid;
	} else {
		errno = ESRCH;
	}
	buf_free(&text);
	return rc;
}

int proc_thread_syscall(pid_t pid, pid_t tid, struct syscall_line *sc)
{
	struct buf text = {0};
	char path[64];
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)pid, (int)tid);
	*sc = (struct syscall_line){0};
	rc = procfs_read(AT_FDCWD, path, &text, 0, false);
	if (rc < 0) {
		int err = errno;

		buf_free(&text);
		errno = err == EACCES || err == EPERM ? err : ESRCH;
		return -1;
	}
	rc = parse_syscall_line(text.data, text.len, sc);
	buf_free(&text);
	if (rc < 0)
		errno = ESRCH;
	return rc;
}

int proc_fd_is_socket(pid_t pid, pid_t tid, int fd)
{
	char path[80], link[64];
	ssize_t n;

	/* Through the thread: a leader that has exited has no descriptors
	 * left to show, while its other threads still use them. */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/fd/%d", (int)pid, (int)tid, fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = '\0';
	return strncmp(link, "socket:", 7) == 0;
}
