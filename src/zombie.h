/*
 * zombie.h - what makes a process a zombie worth reporting, and how its
 * parent treats SIGCHLD.  Shared by `pmon zombies`, `pmon reap` and the
 * zombie filter of `pmon top`, so that all three agree on what a zombie is.
 */
#ifndef PMON_ZOMBIE_H
#define PMON_ZOMBIE_H

#include <stdbool.h>

#include "proc.h"

/*
 * True for a real zombie: state Z and no live threads.  A thread-group
 * leader that called pthread_exit() while other threads run also shows Z
 * in /proc/PID/stat, but its thread count is still above one and nothing
 * can (or needs to) reap it; it is not listed.  Needs PI_STATE|PI_THREADS.
 */
bool proc_is_zombie(const struct proc *p);

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

#endif
