/*
 * zombie.h - what makes a process a zombie worth reporting, and how its
 * parent treats SIGCHLD.  Shared by `pmon zombies`, `pmon reap` and the
 * zombie filter of `pmon top`, so that all three agree on what a zombie is.
 */
#ifndef PMON_ZOMBIE_H
#define PMON_ZOMBIE_H

#include <stdbool.h>

#include "util/util.h"
#include "proc/proc.h"

/* What a parent does with SIGCHLD, from SigIgn/SigCgt (PI_SIGNALS). */
enum sigchld_disp {
	SIGCHLD_DEFAULT, /* nothing: its zombies stay until it waits */
	SIGCHLD_IGNORED, /* SIG_IGN: the kernel reaps new children at once */
	SIGCHLD_CAUGHT,  /* a handler, which may or may not call wait */
	SIGCHLD_UNKNOWN, /* the status file could not be read */
};

enum sigchld_disp sigchld_disposition(const struct proc *p);
/* "default", "ignored", "caught", or "unknown". */
const char *sigchld_disp_name(enum sigchld_disp d);

/*
 * Zombies grouped under the parent that holds them: groups in parent pid
 * order, zombies in pid order.  parent is NULL when the parent was not
 * among the procs (it could not be read, or exited meanwhile).
 */
struct zombie_group {
	pid_t ppid;
	const struct proc *parent;
	const struct proc **zombies;
	size_t n;
};

/* Group the zombies (proc_is_zombie) among procs[0..n), looking their
 * parents up in the same array.  Returns the number of groups and sets
 * *out (free with zombie_groups_free; NULL when there are none). */
size_t zombie_groups(const struct proc *procs, size_t n,
		     struct zombie_group **out);
void zombie_groups_free(struct zombie_group *groups, size_t n);

/* What will (and will not) get rid of a parent's zombies. */
enum zombie_advice {
	ADVICE_NUDGE,       /* SIGCHLD caught: a nudge may make it wait */
	ADVICE_NEVER_REAPS, /* SIGCHLD default: it will not reap by itself */
	ADVICE_PREDATES_IGN,/* SIG_IGN now, but these died before that */
	ADVICE_INIT,        /* PID 1 of its namespace: should reap, does not */
	ADVICE_STOPPED,     /* the parent is stopped: it cannot reap now */
	ADVICE_UNKNOWN,     /* the parent or its disposition is unreadable */
};

/* The advice for a parent (NULL: not readable).  Needs PI_STATE,
 * PI_SIGNALS and PI_TRACE (NSpid, to know an init of a namespace). */
enum zombie_advice zombie_advice(const struct proc *parent);
/* One line of advice for parent pid ppid, into out (appended).  What it
 * says of `pmon reap` comes from v, the verdict reap itself acts on
 * (reap_check), so that it never offers what reap would refuse. */
struct reap_verdict;
void zombie_advice_text(enum zombie_advice a, pid_t ppid,
			const struct reap_verdict *v, struct buf *out);

/*
 * Seconds since a zombie exited: it last left a CPU (last_ran_ns, from
 * /proc/PID/sched) at its exit, and now_ns is that CPU's scheduler clock
 * read now.  Never more than elapsed_s (it cannot have exited before it
 * started), never negative.
 */
long zombie_age_s(unsigned long long last_ran_ns, unsigned long long now_ns,
		  long elapsed_s);

#endif
