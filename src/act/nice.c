/*
 * nice.c - renicing every thread of a process (see nice.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "act/nice.h"

/* The main thread's nice, if ref still names the process. */
static int nice_of(const struct proc_ref *ref, int *nice)
{
	unsigned long long ticks;

	errno = 0;
	*nice = getpriority(PRIO_PROCESS, (id_t)ref->pid);
	if ((*nice == -1 && errno) || proc_start_ticks(ref->pid, &ticks) < 0 ||
	    ticks != ref->start_ticks) {
		errno = ESRCH;
		return -1;
	}
	return 0;
}

int renice_process(const struct proc_ref *ref, int by, struct renice_result *r)
{
	struct proc_thread *t = NULL;
	int n;

	*r = (struct renice_result){0};
	if (nice_of(ref, &r->from) < 0)
		return -1;
	r->to = r->from + by < -20 ? -20 : r->from + by > 19 ? 19 : r->from + by;
	if (setpriority(PRIO_PROCESS, (id_t)ref->pid, r->to) < 0)
		return -1;
	r->threads = 1;
	n = proc_threads(ref->pid, &t);
	for (int i = 0; i < n; i++) {
		if (t[i].tid == ref->pid)
			continue;
		if (setpriority(PRIO_PROCESS, (id_t)t[i].tid, r->to) == 0)
			r->threads++;
		else
			r->others_failed++;
	}
	free(t);
	return 0;
}
