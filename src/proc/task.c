/*
 * task.c - one thread of a process, read now, for inject: who traces it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

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
