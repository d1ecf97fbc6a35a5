/*
 * tasks.h - the threads of one process, read now (/proc/PID/task/TID/stat:
 * each thread's own CPU time, state and name; the /proc/TID/stat of a
 * thread would give its whole process's).  For top's thread rows.
 */
#ifndef PMON_TASKS_H
#define PMON_TASKS_H

#include <stddef.h>

#include "proc/proc.h"
#include "proc/reader.h"
#include "util/strpool.h"

/* Append a row for each thread of process p but its main one to
 * *out (*n of *cap, grown as needed): the thread's stat items, the rest
 * (owner, command line, memory: shared by every thread) from p; names
 * into pool.  How many were appended, or -1 with errno when the process
 * is gone. */
ssize_t proc_tasks_read(int procfd, const struct proc *p,
			const struct proc_clock *clock, struct strpool *pool,
			struct proc **out, size_t *n, size_t *cap);

#endif
