/*
 * one.c - reading one process now, outside any snapshot: its start time
 * (is a pid still the process we saw?), its threads and vDSO (for
 * inject), and a CPU's scheduler clock (for a zombie's age).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc/parse.h"
#include "proc/proc.h"
#include "proc/reader.h"

int proc_start_ticks(pid_t pid, unsigned long long *ticks)
{
	struct buf text = {0};
	struct stat_line st;
	char path[40];
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	rc = procfs_read(AT_FDCWD, path, &text, 0, false);
	if (rc == 0 && parse_stat_line(text.data, text.len, &st) == 0)
		*ticks = st.start_ticks;
	else
		rc = -1;
	buf_free(&text);
	if (rc < 0)
		errno = ESRCH;
	return rc;
}

int proc_sched_now(int cpu, unsigned long long *ns, bool *pinned)
{
	cpu_set_t old, one;
	struct buf text = {0};
	int rc, err;

	*pinned = false;
	if (cpu >= 0 && cpu < CPU_SETSIZE &&
	    sched_getaffinity(0, sizeof(old), &old) == 0) {
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		/* The kernel moves us before this returns, and a task that
		 * has just been put on a CPU has a fresh exec_start. */
		*pinned = sched_setaffinity(0, sizeof(one), &one) == 0;
	}
	rc = procfs_read(AT_FDCWD, "/proc/thread-self/sched", &text, 0, false);
	if (rc == 0 && parse_sched_exec_start(text.data, text.len, ns) < 0) {
		errno = ENOENT;
		rc = -1;
	}
	err = errno;
	if (*pinned && sched_setaffinity(0, sizeof(old), &old) < 0)
		pmon_warn_errno(errno, "cannot restore the CPU affinity");
	buf_free(&text);
	errno = err;
	return rc;
}

int proc_threads(pid_t pid, struct proc_thread **out)
{
	struct proc_thread *t;
	struct buf text = {0};
	pid_t *tids = NULL;
	size_t n = 0, cap = 0;
	ssize_t nt;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	nt = procfs_list_ids(AT_FDCWD, path, &tids, &cap);
	if (nt < 0) {
		errno = ESRCH;
		return -1;
	}
	t = xreallocarray(NULL, (size_t)nt + 1, sizeof(*t));
	for (ssize_t i = 0; i < nt; i++) {
		struct stat_line st;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid,
			 (int)tids[i]);
		if (procfs_read(AT_FDCWD, path, &text, 0, false) < 0 ||
		    parse_stat_line(text.data, text.len, &st) < 0)
			continue; /* the thread has just exited */
		t[n].tid = tids[i];
		t[n++].state = st.state;
	}
	free(tids);
	buf_free(&text);
	*out = t;
	return (int)n;
}

int proc_vdso_range(pid_t pid, unsigned long *start, unsigned long *end)
{
	struct buf text = {0};
	char path[40];
	int rc = -1;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if (procfs_read(AT_FDCWD, path, &text, 0, true) < 0) {
		int err = errno;

		buf_free(&text);
		errno = err == EACCES || err == EPERM ? err : ESRCH;
		return -1;
	}
	errno = ENOENT;
	for (char *line = text.data; line && *line;) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (strstr(line, "[vdso]") &&
		    sscanf(line, "%lx-%lx", start, end) == 2) {
			rc = 0;
			break;
		}
		line = nl ? nl + 1 : NULL;
	}
	buf_free(&text);
	return rc;
}

long proc_fd_count(pid_t pid)
{
	char path[64];
	struct dirent *e;
	struct stat st;
	long n = 0;
	DIR *d;

	/* Since Linux 6.2 the size of /proc/PID/fd is the count: one stat
	 * instead of reading a directory of thousands of entries.  0 may
	 * also mean an older kernel, so then the entries are counted.  The
	 * kernel gives that size to anyone; pmon gives the count only to
	 * who may list the directory, as before 6.2 (the access check). */
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if (faccessat(AT_FDCWD, path, R_OK, AT_EACCESS) < 0) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	if (stat(path, &st) == 0 && st.st_size > 0)
		return (long)st.st_size;
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
