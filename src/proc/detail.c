/*
 * detail.c - one process, read now, for the detail view (see detail.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/detail.h"
#include "proc/parse.h"
#include "proc/reader.h"

/* /proc/PID/NAME into out; ENOENT becomes ESRCH (the process went). */
static int read_text(pid_t pid, const char *name, struct buf *out)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	if (procfs_read(AT_FDCWD, path, out, 0, true) < 0) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	return 0;
}

int proc_cmdline_full(pid_t pid, struct buf *out)
{
	struct buf raw = {0};
	int rc = read_text(pid, "cmdline", &raw);

	if (rc == 0)
		join_cmdline(raw.data, raw.len, out);
	buf_free(&raw);
	return rc;
}

int proc_limits_text(pid_t pid, struct buf *out)
{
	return read_text(pid, "limits", out);
}

int proc_cgroup_text(pid_t pid, struct buf *out)
{
	return read_text(pid, "cgroup", out);
}

long proc_fd_count(pid_t pid)
{
	char path[64];
	struct dirent *e;
	long n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

int proc_current_syscall(pid_t pid, long *nr)
{
	struct buf text = {0};
	int rc = read_text(pid, "syscall", &text);

	/* "running" when in user space; "-1 sp pc" when blocked outside a
	 * system call; "NR args..." in one. */
	if (rc == 0) {
		if (strncmp(text.data, "running", 7) == 0)
			*nr = -1;
		else
			*nr = strtol(text.data, NULL, 10);
	}
	buf_free(&text);
	return rc;
}
