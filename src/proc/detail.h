/*
 * detail.h - what top's detail view (Enter) shows of one process beyond
 * what the watch holds, read now: the whole command line, the limits, the
 * cgroup lines, the number of open descriptors and the system call it is
 * in.  Small functions over one pid, for `pmon inspect` to share.  Each
 * returns -1 with errno EACCES where another account's process may not
 * be looked at, and ESRCH when it is gone.
 */
#ifndef PMON_DETAIL_H
#define PMON_DETAIL_H

#include <sys/types.h>

#include "util/util.h"

/* The command line, arguments joined by spaces, however long. */
int proc_cmdline_full(pid_t pid, struct buf *out);
/* /proc/PID/limits as the kernel writes it (a title line, then one line
 * per limit). */
int proc_limits_text(pid_t pid, struct buf *out);
/* /proc/PID/cgroup, one "ID:CONTROLLERS:PATH" per line. */
int proc_cgroup_text(pid_t pid, struct buf *out);
/* How many descriptors it has open. */
long proc_fd_count(pid_t pid);
/* The system call it is blocked in: its number, or -1 for none (running
 * in user space), into *nr.  0, or -1 with errno. */
int proc_current_syscall(pid_t pid, long *nr);

#endif
