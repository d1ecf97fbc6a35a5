/*
 * signals.h - naming signals, and sending them without ever hitting a
 * recycled pid: a pidfd is opened, then checked against the start time
 * the caller saw, and only then used.
 */
#ifndef PMON_SIGNALS_H
#define PMON_SIGNALS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "proc/proc.h"
#include "util/util.h"

/* "TERM", "SIGTERM", "term", "15", "RTMIN+2": the signal number, or -1;
 * "0" is 0, the null signal that only checks (kill(2)). */
int signal_from_name(const char *name);
/* "TERM" for SIGTERM; real-time signals as bash names them, "RTMIN+2"
 * in the lower half and "RTMAX-3" in the upper; into buf, returned. */
const char *signal_name(int sig, char *buf, size_t size);

/* pidfd_open_ref, then pidfd_send_signal.  0, or -1 with errno as
 * pidfd_open_ref's (ESRCH, ESTALE, EXDEV), or EPERM when the caller may
 * not signal it. */
int signal_send(const struct proc_ref *ref, int sig);

/* Why a process cannot be acted on when /proc is another PID namespace's
 * (EXDEV from pidfd_open_ref or proc_own_pid): it is outside pmon's own,
 * or no mapping exists.  For signal_error and inject alike. */
#define PIDNS_OUTSIDE_WORDS \
	"not in pmon's PID namespace, where pmon cannot reach it"
#define PIDNS_FOREIGN_WORDS \
	"/proc shows a PID namespace pmon is not in, and pmon cannot map its " \
	"pids to its own"

/* No process has the pid: "no such process", and "(it exited)" only when
 * pmon had seen it (in its scan, or as the caller's selection). */
const char *signal_no_such(bool seen);

/* Why signal_send failed, in words for a result line (ESRCH: a process
 * pmon had seen is gone). */
const char *signal_error(int err);

/*
 * The signal list of `kill -l`, numbers and names ("15) SIGTERM"), five
 * to a line as bash prints it, appended to out.
 */
void signal_list(struct buf *out);

/* Stop signals: delivering them stops the process, and a SIGCONT after
 * them would undo it (SIGCONT discards pending stop signals). */
bool signal_is_stop(int sig);

#endif
