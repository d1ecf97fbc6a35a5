/*
 * nice.h - renicing a whole process: every thread of it, not only the
 * main one (setpriority(PRIO_PROCESS, pid) on Linux moves one thread).
 */
#ifndef PMON_NICE_H
#define PMON_NICE_H

#include "proc/proc.h"

struct renice_result {
	int from, to;      /* the main thread's nice before, and asked for */
	int threads;       /* threads now at `to` (the main one included) */
	int others_failed; /* threads that refused (or went) meanwhile */
};

/*
 * Move the process ref names by `by` (clamped to -20..19): the main
 * thread first, which decides (its refusal is the process's), then every
 * other thread to the same value.  0, or -1 with errno: ESRCH when it is
 * gone or its pid now names another process, else setpriority's.
 */
int renice_process(const struct proc_ref *ref, int by, struct renice_result *r);

#endif
