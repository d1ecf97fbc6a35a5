/*
 * tasks.c - a process's threads (see tasks.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/parse.h"
#include "proc/reader.h"
#include "proc/tasks.h"

/* One thread's stat into t, which starts as a copy of its process. */
static int read_task(int procfd, pid_t pid, pid_t tid,
		     const struct proc_clock *clock, struct strpool *pool,
		     struct proc *t, struct buf *text)
{
	char path[64];
	struct stat_line st;

	snprintf(path, sizeof(path), "%d/task/%d/stat", (int)pid, (int)tid);
	if (procfs_read(procfd, path, text, 0, false) < 0 ||
	    parse_stat_line(text->data, text->len, &st) < 0)
		return -1;
	proc_fill_stat(t, &st, clock);
	t->pid = tid;
	t->tgid = pid;
	t->comm = strpool_strdup(pool, st.comm);
	t->threads = 1;
	/* The tail is fetched per frame for process rows only. */
	t->tail = NULL;
	t->have &= ~(unsigned)(PI_TAIL | PI_IO | PI_IO_RATE | PI_GPU);
	if (t->have & PI_STAT)
		proc_format_stat(t);
	return 0;
}

ssize_t proc_tasks_read(int procfd, const struct proc *p,
			const struct proc_clock *clock, struct strpool *pool,
			struct proc **out, size_t *n, size_t *cap)
{
	char path[32];
	struct buf text = {0};
	pid_t *tids = NULL;
	size_t before = *n, tcap = 0;
	ssize_t nt;

	snprintf(path, sizeof(path), "%d/task", (int)p->pid);
	nt = procfs_list_ids(procfd, path, &tids, &tcap);
	if (nt < 0) {
		errno = ESRCH;
		return -1;
	}
	for (ssize_t i = 0; i < nt; i++) {
		if (tids[i] == p->pid)
			continue;
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 64;
			*out = xreallocarray(*out, *cap, sizeof(**out));
		}
		(*out)[*n] = *p;
		if (read_task(procfd, p->pid, tids[i], clock, pool,
			      &(*out)[*n], &text) == 0)
			(*n)++;
	}
	free(tids);
	buf_free(&text);
	return (ssize_t)(*n - before);
}
