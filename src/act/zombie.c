/*
 * zombie.c - see zombie.h.
 */
#include <signal.h>
#include <stdlib.h>

#include "act/verdict.h"
#include "act/zombie.h"

enum sigchld_disp sigchld_disposition(const struct proc *p)
{
	/* The masks in /proc/PID/status have bit (sig - 1) for signal sig. */
	const unsigned long long bit = 1ull << (SIGCHLD - 1);

	if (!(p->have & PI_SIGNALS))
		return SIGCHLD_UNKNOWN;
	if (p->sig_ignored & bit)
		return SIGCHLD_IGNORED;
	if (p->sig_caught & bit)
		return SIGCHLD_CAUGHT;
	return SIGCHLD_DEFAULT;
}

const char *sigchld_disp_name(enum sigchld_disp d)
{
	switch (d) {
	case SIGCHLD_DEFAULT: return "default";
	case SIGCHLD_IGNORED: return "ignored";
	case SIGCHLD_CAUGHT:  return "caught";
	case SIGCHLD_UNKNOWN: break;
	}
	return "unknown";
}

static int by_ppid_then_pid(const void *a, const void *b)
{
	const struct proc *x = *(const struct proc *const *)a;
	const struct proc *y = *(const struct proc *const *)b;

	if (x->ppid != y->ppid)
		return (x->ppid > y->ppid) - (x->ppid < y->ppid);
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static const struct proc *find_pid(const struct proc *procs, size_t n,
				   pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (procs[i].pid == pid)
			return &procs[i];
	return NULL;
}

size_t zombie_groups(const struct proc *procs, size_t n,
		     struct zombie_group **out)
{
	const struct proc **z = NULL;
	struct zombie_group *groups = NULL;
	size_t nz = 0, ngroups = 0;

	for (size_t i = 0; i < n; i++) {
		if (!proc_is_zombie(&procs[i]))
			continue;
		z = xreallocarray(z, nz + 1, sizeof(*z));
		z[nz++] = &procs[i];
	}
	*out = NULL;
	if (!nz)
		return 0;
	qsort(z, nz, sizeof(*z), by_ppid_then_pid);
	for (size_t i = 0; i < nz; i++) {
		struct zombie_group *g;

		if (i == 0 || z[i]->ppid != z[i - 1]->ppid) {
			groups = xreallocarray(groups, ngroups + 1, sizeof(*groups));
			g = &groups[ngroups++];
			g->ppid = z[i]->ppid;
			g->parent = find_pid(procs, n, g->ppid);
			g->zombies = NULL;
			g->n = 0;
		}
		g = &groups[ngroups - 1];
		g->zombies = xreallocarray(g->zombies, g->n + 1, sizeof(*g->zombies));
		g->zombies[g->n++] = z[i];
	}
	free(z);
	*out = groups;
	return ngroups;
}

void zombie_groups_free(struct zombie_group *groups, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(groups[i].zombies);
	free(groups);
}

enum zombie_advice zombie_advice(const struct proc *parent)
{
	if (!parent)
		return ADVICE_UNKNOWN;
	if (proc_is_ns_init(parent))
		return ADVICE_INIT;
	/* Checked before the disposition: a stopped parent runs no handler
	 * and calls no wait() until it is continued. */
	if ((parent->have & PI_STATE) &&
	    (parent->state == 'T' || parent->state == 't'))
		return ADVICE_STOPPED;
	switch (sigchld_disposition(parent)) {
	case SIGCHLD_CAUGHT: return ADVICE_NUDGE;
	case SIGCHLD_DEFAULT: return ADVICE_NEVER_REAPS;
	case SIGCHLD_IGNORED: return ADVICE_PREDATES_IGN;
	case SIGCHLD_UNKNOWN: break;
	}
	return ADVICE_UNKNOWN;
}

/* What `pmon reap P` does about inject, from the verdict reap acts on:
 * "`pmon reap P` can inject the wait", or why it cannot and what works
 * instead. */
static void inject_clause(int p, const struct reap_verdict *v, struct buf *out)
{
	if (v->block) {
		buf_printf(out, "`pmon reap %d` cannot inject the wait: %s; %s",
			   p, v->why, v->instead);
		return;
	}
	buf_printf(out, "`pmon reap %d` can inject the wait", p);
	if (v->restarts_call && v->call)
		buf_printf(out, " (and restarts the %s() it interrupts)", v->call);
}

void zombie_advice_text(enum zombie_advice a, pid_t ppid,
			const struct reap_verdict *v, struct buf *out)
{
	int p = (int)ppid;

	switch (a) {
	case ADVICE_NUDGE:
		buf_printf(out, "%d has a SIGCHLD handler: `pmon reap %d` sends it "
			   "SIGCHLD, which helps if the handler calls wait(); "
			   "if not, ", p, p);
		inject_clause(p, v, out);
		break;
	case ADVICE_NEVER_REAPS:
		buf_printf(out, "%d leaves SIGCHLD at its default, so a SIGCHLD "
			   "nudge does nothing and it reaps only if its code calls "
			   "wait(): ", p);
		inject_clause(p, v, out);
		if (!v->block)
			buf_printf(out, ", or `pmon reap --kill-parent %d` ends it "
				   "so that init or a subreaper reaps them", p);
		break;
	case ADVICE_PREDATES_IGN:
		buf_printf(out, "%d ignores SIGCHLD, so the kernel reaps its new "
			   "children at once; these exited before it set SIG_IGN "
			   "and stay until it waits: ", p);
		inject_clause(p, v, out);
		if (!v->block)
			buf_printf(out, ", or `pmon reap --kill-parent %d` ends it", p);
		break;
	case ADVICE_INIT:
		buf_printf(out, "%d is PID 1 of its PID namespace: it adopts orphans "
			   "and should reap them, and these show that it does not "
			   "(a container entrypoint that is not an init?); the fix is "
			   "an init that reaps (tini, dumb-init, docker run --init)", p);
		break;
	case ADVICE_STOPPED:
		buf_printf(out, "%d is stopped and reaps nothing until it is "
			   "continued (`pmon kill -s CONT %d`); ", p, p);
		inject_clause(p, v, out);
		if (!v->block)
			buf_printf(out, " and leaves it stopped");
		break;
	case ADVICE_UNKNOWN:
		buf_printf(out, "what %d does with SIGCHLD could not be read (it "
			   "exited, or /proc/%d/status is hidden): run as root to "
			   "see it; `pmon reap` tries a nudge, then ", p, p);
		inject_clause(p, v, out);
		break;
	}
}

long zombie_age_s(unsigned long long last_ran_ns, unsigned long long now_ns,
		  long elapsed_s)
{
	long age;

	if (now_ns <= last_ran_ns)
		return 0;
	age = (long)((now_ns - last_ran_ns) / 1000000000ull);
	return elapsed_s >= 0 && age > elapsed_s ? elapsed_s : age;
}
