/*
 * taskiter.h - passes of the BPF task iterator for the snapshot and the
 * watch (internal to src/proc/): whether to use it at all (backend.c
 * decides, see backend.h), then one decoded pass per reading; and the
 * processes a pass did not show, which /proc must be asked about
 * (bpfscan.c).
 */
#ifndef PMON_TASKITER_H
#define PMON_TASKITER_H

#include <stdbool.h>
#include <sys/types.h>

#include "proc/taskrec.h"
#include "util/util.h"

struct taskiter {
	bool on;              /* reading with the iterator */
	const char *pin;      /* the pin read, or NULL: loaded here */
	struct buf raw;       /* the last pass, as read */
	struct taskrec_pass pass; /* ... and decoded */
	bool primed;          /* raw holds a pass read to check the pin and
			         not handed out yet */
	unsigned items;       /* the items (PI_*) the passes must have */
};

/*
 * Decide for a reader: long_running (a watch) may load the program when
 * there is no pin; a snapshot only reads a pin (see backend.h).  Passes
 * have the items (PI_*) asked for, and may have more.  1: read
 * with it; 0: read /proc; -1 when bpf was forced and cannot be used here
 * (errno set, the reason warned on stderr).
 */
int taskiter_open(struct taskiter *it, bool long_running, unsigned items);
/* A new pass into it->pass.  0, or -1 with errno. */
int taskiter_pass(struct taskiter *it);
void taskiter_close(struct taskiter *it);

/* The kernel's count of tasks (nr_threads: every task, threads too, in
 * every pid namespace) and the newest pid it handed out, from
 * /proc/loadavg, through *fd (opened on first use, -1 before).  tasks is
 * -1 when unreadable. */
struct task_count {
	long tasks, last_pid;
};
void taskiter_count(int procfd, int *fd, struct task_count *c);

/*
 * Whether a pass may have left processes out, so that /proc must be
 * listed: its numbers are not of the first pid namespace (nothing to
 * count them against), or the tasks it visited plus those of the
 * processes read from /proc beside it (extra_tasks) fall short of the
 * kernel's count by more than the tasks started during the pass.  A
 * stock kernel visits every task; some do not: in the VM pmon is
 * developed in, the PID 1 of the guest and its threads are never
 * visited.
 */
bool taskiter_incomplete(const struct taskiter *it, size_t extra_tasks,
			 const struct task_count *before,
			 const struct task_count *after);

/* The parents the pass names but did not show (pid order, no repeats),
 * appended to *pids (*n of them so far, room for *cap).  A hidden
 * process with children is found this way without listing /proc. */
void taskiter_missing_parents(const struct taskiter *it, pid_t **pids,
			      size_t *n, size_t *cap);

/*
 * A snapshot from a pass (bpfscan.c): s is being taken (clock, pool and
 * have set), r is the reader a scan of /proc would use.  1 when s is
 * filled; 0 when /proc is to be read instead (auto, and no pin, or a
 * short list of pids, which /proc reads for less); -1 with errno when
 * bpf was forced and failed.
 */
struct snapshot;
struct snapshot_query;
struct reader;
int taskiter_snapshot(struct snapshot *s, const struct reader *r,
		      const struct snapshot_query *q);

#endif
