/*
 * reap.h - getting rid of zombies: the strategies of `pmon reap`, usable
 * by any command (pmon top's `r` key).
 *
 * Only a zombie's parent can reap it.  In order of how little they
 * disturb the parent:
 *   nudge        send the parent SIGCHLD: a handler that waits reaps;
 *   inject       make the parent itself call wait4() on the zombie
 *                (inject.h), leaving it running exactly as before;
 *   kill-parent  end the parent, so that init or the nearest subreaper
 *                adopts the zombies and (normally) reaps them.
 * After every step /proc is read again: a zombie counts as reaped only
 * once it is really gone.
 */
#ifndef PMON_REAP_H
#define PMON_REAP_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/util.h"
#include "proc/proc.h"
#include "act/signals.h"
#include "act/zombie.h"

/* REAP_NONE is no method: what a zombie found gone was reaped by, when it
 * was not pmon's doing (pmon refused, failed, or did nothing yet). */
enum reap_method { REAP_AUTO, REAP_NUDGE, REAP_INJECT, REAP_KILL_PARENT,
		   REAP_NONE };

/*
 * Reap every zombie named by target (a zombie, or a parent: all its
 * zombies).  REAP_AUTO tries nudge then inject (never kill-parent).
 * Appends one human-readable line per zombie to report (raw text; the
 * caller escapes it).  Returns 0 if all were reaped, 1 otherwise.
 * A start_ticks of 0 in target accepts whatever process has the pid now.
 */
int reap_target(const struct proc_ref *target, enum reap_method method,
		struct buf *report);

struct reap_opts {
	enum reap_method method;
	bool kill_parent;  /* REAP_AUTO: end the parent as the last resort */
	int timeout_ms;    /* how long each step waits for the parent */
	bool allow_eintr;  /* inject even when the parent's call would fail
	                      with EINTR (verdict.h) */
};

#define REAP_DEFAULT_TIMEOUT_MS 1000

/* What became of one zombie, or of a target that named none. */
struct reap_result {
	pid_t zpid;            /* the zombie, or the target */
	char zcomm[64];
	pid_t ppid;            /* its parent; 0 for a target line */
	char pcomm[64];
	bool reaped;           /* gone from /proc, by pmon's doing or not */
	bool ok;               /* gone, or a target with nothing to reap */
	enum reap_method by;   /* when gone: the step of pmon's that made
	                          the parent reap it, or REAP_NONE */
	char reason[512];      /* what pmon did, when it did not reap it;
	                          for a target line, what it is */
	char note[96];         /* what an inject did to the call the parent
	                          was blocked in, when it did anything */
	pid_t holder;          /* who holds it now, when not its old parent */
	char holder_comm[64];
	int retries;           /* inject: calls redone after a signal came */
	int passed_signals;    /* inject: signals passed on while held */
	long hold_us;          /* inject: how long the parent was held */
};

struct reap_report {
	struct reap_result *r;
	size_t n;
};

/* Reap what each target names.  Returns 0 if every result is ok, 1
 * otherwise; -1 with errno when /proc cannot be read. */
int reap_run(const struct proc_ref *targets, size_t n,
	     const struct reap_opts *o, struct reap_report *out);
void reap_report_free(struct reap_report *rep);

/* "ZPID (comm) held by PPID (comm): reaped by inject", "...: not reaped:
 * REASON", or "...: gone (not by pmon): REASON" when it went although
 * pmon's steps did nothing to it; raw text, to be escaped by the caller. */
void reap_result_line(const struct reap_result *r, struct buf *b);

/* "nudge", "inject", "kill-parent", "auto"; and back (-1 if unknown). */
const char *reap_method_name(enum reap_method m);
int reap_method_from_name(const char *name);

/* The pid to give the parent's wait4() for its zombie z: z's pid in
 * p's PID namespace (NSpid), which is p's innermost one. */
pid_t reap_pid_in_parent_ns(const struct proc *z, const struct proc *p);

/* The steps reap_run takes for a parent with SIGCHLD disposition d: a
 * nudge only where it can help (a handler) unless asked for by name;
 * kill-parent only when asked for. */
enum { REAP_STEP_NUDGE = 1u, REAP_STEP_INJECT = 2u, REAP_STEP_KILL = 4u };
unsigned reap_plan(const struct reap_opts *o, enum sigchld_disp d);


#endif
