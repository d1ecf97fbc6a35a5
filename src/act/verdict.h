/*
 * verdict.h - what `pmon reap` may do to a zombie's parent, decided in one
 * place: `pmon reap` acts on the verdict, and `pmon zombies` words its
 * advice from the same verdict, so that the advice never offers what reap
 * would refuse (and names what will work instead).
 */
#ifndef PMON_VERDICT_H
#define PMON_VERDICT_H

#include <stdbool.h>
#include <sys/types.h>

#include "proc/proc.h"

/* What stands in the way of inject (nudge and kill-parent may still go). */
enum reap_block {
	BLOCK_NONE,
	BLOCK_INIT,       /* PID 1, or a namespace's init: nothing is done */
	BLOCK_ARCH,       /* inject is x86_64 only */
	BLOCK_TRACED,     /* a process has one tracer only */
	BLOCK_SECCOMP,    /* a filter could kill it on the injected call */
	BLOCK_VFORK,      /* the thread to stop waits in vfork (D) */
	BLOCK_EINTR,      /* the call it is blocked in would return EINTR
	                     (lifted by allow_eintr) */
	BLOCK_UNREADABLE, /* what it is doing may not be read */
	BLOCK_NO_THREAD,  /* no live thread to stop */
};

/* A word for b ("none", "init", "traced", ...), for labels. */
const char *reap_block_name(enum reap_block b);

struct reap_verdict {
	enum reap_block block;
	pid_t tid;            /* the thread inject would stop (/proc's number),
	                         0 when none was looked for or found */
	const char *call;     /* the call that thread is blocked in, when it
	                         is one of syscalls.c's; NULL otherwise */
	bool restarts_call;   /* inject will restart that call itself (it
	                         returns EINTR, and waits without a timeout) */
	bool eintr;           /* inject will make that call return EINTR
	                         (allowed: allow_eintr) */
	char why[320];        /* when blocked: why, for "inject refused: WHY" */
	char instead[256];    /* when blocked: what works instead */
};

/*
 * The verdict on parent p (read with PI_STATE, PI_SIGNALS and PI_TRACE),
 * looking now at the thread inject would stop and the call it is in.
 * allow_eintr: the user accepts that the call returns EINTR.
 */
void reap_check(const struct proc *p, bool allow_eintr, struct reap_verdict *v);

/* The last step of reap_check, without /proc: the thread to stop (tid,
 * in state `state`) is in call sc, whose descriptor is a socket (1), not
 * one (0) or unknown (-1).  For the unit tests. */
void reap_check_call(const struct proc *p, pid_t tid, char state,
		     const struct syscall_line *sc, int on_socket,
		     bool allow_eintr, struct reap_verdict *v);

#endif
