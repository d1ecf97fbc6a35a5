/*
 * reap.c - see reap.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "act/inject.h"
#include "util/util.h"
#include "proc/proc.h"
#include "act/reap.h"
#include "act/signals.h"
#include "act/verdict.h"
#include "act/zombie.h"

/* The scan of every process (to find the zombies, their parents and
 * pmon's ancestors) reads stat only; the zombies and their parents are
 * then read again with status (SIGCHLD disposition, tracer, NSpid). */
#define SCAN_NEED (PI_PPID | PI_STATE | PI_THREADS | PI_COMM | PI_START)
#define REAP_NEED (SCAN_NEED | PI_SIGNALS | PI_TRACE)
#define POLL_US 10000

const char *reap_method_name(enum reap_method m)
{
	switch (m) {
	case REAP_NUDGE: return "nudge";
	case REAP_INJECT: return "inject";
	case REAP_KILL_PARENT: return "kill-parent";
	case REAP_NONE: return "none";
	case REAP_AUTO: break;
	}
	return "auto";
}

int reap_method_from_name(const char *name)
{
	static const enum reap_method all[] = {REAP_AUTO, REAP_NUDGE, REAP_INJECT,
					       REAP_KILL_PARENT};

	for (size_t i = 0; i < ARRAY_LEN(all); i++)
		if (strcmp(name, reap_method_name(all[i])) == 0)
			return (int)all[i];
	return -1;
}

pid_t reap_pid_in_parent_ns(const struct proc *z, const struct proc *p)
{
	/* NSpid lists a pid per namespace, outermost (ours) first; a child
	 * lives in its parent's namespace or one nested below it. */
	if (p->ns_levels > 0 && z->ns_levels >= p->ns_levels)
		return z->ns_pids[p->ns_levels - 1];
	return z->pid;
}

void reap_result_line(const struct reap_result *r, struct buf *b)
{
	if (!r->ppid) {
		buf_printf(b, "%d%s%s%s: %s", (int)r->zpid, *r->zcomm ? " (" : "",
			   r->zcomm, *r->zcomm ? ")" : "", r->reason);
		return;
	}
	buf_printf(b, "%d (%s) held by %d (%s): ", (int)r->zpid, r->zcomm,
		   (int)r->ppid, r->pcomm);
	if (r->reaped && r->by != REAP_NONE)
		buf_printf(b, "reaped by %s", reap_method_name(r->by));
	else if (r->reaped)
		buf_printf(b, "gone (not by pmon): %s", r->reason);
	else
		buf_printf(b, "not reaped: %s", r->reason);
	if (r->note[0])
		buf_printf(b, " (%s)", r->note);
}

/* ---- the zombies of one parent ------------------------------------ */

struct group {
	struct proc parent;
	struct proc_ref ref;     /* the parent's identity, taken at selection */
	struct proc *z;          /* copies: the snapshot goes away */
	struct reap_result **res;
	size_t n;
	const struct reap_opts *o;
	const struct snapshot *snap;
	bool parent_gone;        /* it died during a step: no more steps */
};

static void add_reason(struct reap_result *r, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void add_reason(struct reap_result *r, const char *fmt, ...)
{
	size_t len = strlen(r->reason);
	va_list ap;

	if (len && len + 2 < sizeof(r->reason)) {
		memcpy(r->reason + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(r->reason + len, sizeof(r->reason) - len, fmt, ap);
	va_end(ap);
}

static void sleep_us(long us)
{
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The zombie of r is held by holder now (adopted): say by whom. */
static void name_holder(struct reap_result *r, pid_t holder)
{
	struct snapshot s;
	struct snapshot_query q = {.need = PI_COMM, .pids = &holder, .npids = 1};
	const struct proc *h;

	r->holder = holder;
	snprintf(r->holder_comm, sizeof(r->holder_comm), "?");
	if (snapshot_take(&s, &q) < 0)
		return;
	if ((h = snapshot_find(&s, holder)))
		snprintf(r->holder_comm, sizeof(r->holder_comm), "%s", h->comm);
	snapshot_free(&s);
}

/*
 * Read the group's zombies again and mark the ones that are gone as
 * reaped by `by`: the step pmon has just taken, or REAP_NONE when that
 * step did nothing to the parent (refused, or failed before it acted).
 * A zombie still there under another parent gets its holder named.
 * Returns how many are left.
 */
static size_t recheck(struct group *g, enum reap_method by)
{
	pid_t *pids = xcalloc(g->n, sizeof(pid_t));
	struct snapshot s;
	struct snapshot_query q = {.need = PI_PPID | PI_STATE | PI_THREADS |
				   PI_START | PI_COMM, .pids = pids};
	size_t left = 0;

	for (size_t i = 0; i < g->n; i++)
		if (!g->res[i]->reaped)
			pids[q.npids++] = g->z[i].pid;
	if (q.npids == 0 || snapshot_take(&s, &q) < 0) {
		free(pids);
		return q.npids; /* unreadable: claim nothing */
	}
	for (size_t i = 0; i < g->n; i++) {
		struct reap_result *r = g->res[i];
		const struct proc *now;

		if (r->reaped)
			continue;
		now = snapshot_find(&s, g->z[i].pid);
		if (!now || now->start_ticks != g->z[i].start_ticks ||
		    !proc_is_zombie(now)) {
			r->reaped = r->ok = true;
			r->by = by;
			continue;
		}
		left++;
		/* Named once: recheck runs every POLL_US while waiting. */
		if (now->ppid != g->parent.pid && now->ppid != r->holder)
			name_holder(r, now->ppid);
	}
	snapshot_free(&s);
	free(pids);
	return left;
}

/* Poll until every zombie of the group is gone or timeout_ms passed. */
static size_t wait_reaped(struct group *g, enum reap_method by, int timeout_ms)
{
	size_t left = recheck(g, by);

	for (long waited = 0; left && waited < timeout_ms * 1000L; waited += POLL_US) {
		sleep_us(POLL_US);
		left = recheck(g, by);
	}
	return left;
}

static void fail_all(struct group *g, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void fail_all(struct group *g, const char *fmt, ...)
{
	char text[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < g->n; i++)
		if (!g->res[i]->reaped)
			add_reason(g->res[i], "%s", text);
}

/* Why a signal to the parent failed: signal_error's words, saying that
 * it is the parent that is gone or recycled. */
static const char *parent_error(int err)
{
	switch (err) {
	case ESRCH:
		return "the parent has exited; not signalled";
	case ESTALE:
		return "the parent's pid now names another process (recycled); "
		       "not signalled";
	default:
		return signal_error(err);
	}
}

/* The parent is dead and some zombies are still there: say, after lead,
 * who holds each now (recheck named it), or that none has adopted it. */
static void left_to_adopter(struct group *g, const char *lead)
{
	for (size_t i = 0; i < g->n; i++) {
		struct reap_result *r = g->res[i];

		if (r->reaped)
			continue;
		if (r->holder)
			add_reason(r, "%s zombie's new holder %d (%s) does not reap "
				   "it either", lead, (int)r->holder, r->holder_comm);
		else
			add_reason(r, "%s zombie was not adopted and reaped in time",
				   lead);
	}
}

/* Is the parent dead (gone, or a zombie itself: its children have moved
 * on to their new holder either way)? */
static bool parent_dead(const struct group *g)
{
	struct snapshot s;
	struct snapshot_query q = {.need = PI_STATE | PI_THREADS | PI_START,
				   .pids = &g->parent.pid, .npids = 1};
	const struct proc *p;
	bool dead;

	if (snapshot_take(&s, &q) < 0)
		return false;
	p = snapshot_find(&s, g->parent.pid);
	/* Not just state Z: a leader that left by pthread_exit() shows Z
	 * while its other threads still run. */
	dead = !p || p->start_ticks != g->parent.start_ticks || proc_has_exited(p);
	snapshot_free(&s);
	return dead;
}

static size_t try_nudge(struct group *g)
{
	enum sigchld_disp d = sigchld_disposition(&g->parent);
	size_t left;

	if (signal_send(&g->ref, SIGCHLD) < 0) {
		fail_all(g, "nudge: %s", parent_error(errno));
		return recheck(g, REAP_NONE);
	}
	left = wait_reaped(g, REAP_NUDGE, g->o->timeout_ms);
	if (left && parent_dead(g)) {
		/* A handler may end the process: then the zombies are the
		 * adopter's, and nothing pmon does to the parent can help. */
		left_to_adopter(g, "nudge: SIGCHLD sent, and the parent exited "
				"instead of reaping; the");
		g->parent_gone = true;
	} else if (left) {
		if (d == SIGCHLD_CAUGHT)
			fail_all(g, "nudge: SIGCHLD sent, but its handler did not "
				 "wait for these");
		else
			fail_all(g, "nudge: SIGCHLD sent, but its SIGCHLD disposition "
				 "is %s, so it never reacts to one",
				 sigchld_disp_name(d));
	}
	return left;
}

/* After an inject: a zombie gone counts as reaped by inject only if the
 * parent's injected wait4 returned its pid; others went some other way. */
static size_t credit_inject(struct group *g, const size_t *idx,
			    const pid_t *zpids, const long *rets, size_t m)
{
	size_t left = recheck(g, REAP_INJECT);

	for (size_t k = 0; k < m; k++) {
		struct reap_result *r = g->res[idx[k]];

		if (!r->reaped || rets[k] == zpids[k])
			continue;
		r->by = REAP_NONE;
		if (rets[k] >= 0)
			add_reason(r, "inject: the parent's wait4 returned %ld, "
				   "not its pid", rets[k]);
		else
			add_reason(r, "inject: the parent's wait4 did not run "
				   "for it, or failed (%s)", strerror((int)-rets[k]));
	}
	return left;
}

/* What an inject did to the call the parent was in, on every line. */
static void note_call(struct group *g, const struct inject_result *ir)
{
	for (size_t i = 0; i < g->n && (ir->restarted[0] || ir->eintr[0]); i++)
		snprintf(g->res[i]->note, sizeof(g->res[i]->note), ir->restarted[0] ?
			 "pmon restarted the %s() it interrupted in the parent" :
			 "the parent's %s() failed with EINTR", ir->restarted[0] ?
			 ir->restarted : ir->eintr);
}

static size_t try_inject(struct group *g)
{
	pid_t *zpids = xcalloc(g->n, sizeof(pid_t));
	long *rets = xcalloc(g->n, sizeof(long));
	size_t *idx = xcalloc(g->n, sizeof(size_t));
	struct inject_result ir;
	struct reap_verdict v;
	size_t m = 0, left;

	/* Looked at now, not before the nudge: the thread may have moved. */
	reap_check(&g->parent, g->o->allow_eintr, &v);
	if (v.block) {
		fail_all(g, "inject refused: %s", v.why);
		free(zpids);
		free(rets);
		free(idx);
		return recheck(g, REAP_NONE);
	}
	for (size_t i = 0; i < g->n; i++) {
		if (g->res[i]->reaped)
			continue;
		idx[m] = i;
		zpids[m++] = reap_pid_in_parent_ns(&g->z[i], &g->parent);
	}
	if (inject_wait4(&g->ref, v.tid, zpids, m,
			 g->o->timeout_ms, rets, &ir) < 0)
		fail_all(g, "inject %s: %s", ir.status == INJECT_REFUSED ?
			 "refused" : "failed", ir.why);
	note_call(g, &ir);
	for (size_t i = 0; i < g->n; i++) {
		g->res[i]->retries += ir.retries;
		g->res[i]->passed_signals += ir.passed_signals;
		g->res[i]->hold_us += ir.hold_us;
	}
	/* wait4 returning the pid is the parent's word; /proc is ours. */
	if (ir.status == INJECT_DONE)
		wait_reaped(g, REAP_INJECT, 100);
	left = credit_inject(g, idx, zpids, rets, m);
	if (left && ir.status == INJECT_DONE)
		fail_all(g, "inject: the parent's wait4 did not reap it");
	free(zpids);
	free(rets);
	free(idx);
	return left;
}

static bool wait_parent_dead(const struct group *g, int timeout_ms)
{
	for (long waited = 0; waited < timeout_ms * 1000L; waited += POLL_US) {
		if (parent_dead(g))
			return true;
		sleep_us(POLL_US);
	}
	return parent_dead(g);
}

static size_t try_kill_parent(struct group *g)
{
	size_t left;

	if (snapshot_is_ancestor(g->snap, g->parent.pid, proc_pidns()->self)) {
		fail_all(g, "kill-parent refused: the parent is pmon itself or "
			 "one of its ancestors");
		return recheck(g, REAP_NONE);
	}
	if (signal_send(&g->ref, SIGTERM) < 0) {
		fail_all(g, "kill-parent: %s", parent_error(errno));
		return recheck(g, REAP_NONE);
	}
	/* A stopped parent cannot act on SIGTERM until it runs again. */
	if (g->parent.state == 'T' || g->parent.state == 't')
		signal_send(&g->ref, SIGCONT);
	/* SIGKILL failing with ESRCH or ESTALE: the parent died meanwhile. */
	if (!wait_parent_dead(g, g->o->timeout_ms) &&
	    signal_send(&g->ref, SIGKILL) == 0 && !wait_parent_dead(g, g->o->timeout_ms)) {
		fail_all(g, "kill-parent: the parent did not die of SIGTERM or SIGKILL");
		return recheck(g, REAP_NONE);
	}
	left = wait_reaped(g, REAP_KILL_PARENT, g->o->timeout_ms);
	left_to_adopter(g, "kill-parent: the parent is dead, but the");
	return left;
}

unsigned reap_plan(const struct reap_opts *o, enum sigchld_disp d)
{
	switch (o->method) {
	case REAP_NUDGE: return REAP_STEP_NUDGE;
	case REAP_INJECT: return REAP_STEP_INJECT;
	case REAP_KILL_PARENT: return REAP_STEP_KILL;
	case REAP_NONE: return 0;
	case REAP_AUTO: break;
	}
	/* Default and ignored parents never act on SIGCHLD: no point. */
	return (d == SIGCHLD_CAUGHT ? REAP_STEP_NUDGE : 0) | REAP_STEP_INJECT |
	       (o->kill_parent ? REAP_STEP_KILL : 0);
}

static void reap_group(struct group *g)
{
	unsigned plan = reap_plan(g->o, sigchld_disposition(&g->parent));
	struct reap_verdict v;
	size_t left = g->n;

	/* PID 1, or the init of the parent's own PID namespace. */
	reap_check(&g->parent, g->o->allow_eintr, &v);
	if (v.block == BLOCK_INIT) {
		fail_all(g, "%s", v.why);
		return;
	}
	g->ref = proc_ref_of(&g->parent);
	if (proc_ref_take(&g->ref, NULL) < 0) {
		fail_all(g, "%s", parent_error(errno));
		recheck(g, REAP_NONE);
		return;
	}
	if (plan & REAP_STEP_NUDGE)
		left = try_nudge(g);
	if (left && !g->parent_gone && (plan & REAP_STEP_INJECT))
		left = try_inject(g);
	if (left && !g->parent_gone && (plan & REAP_STEP_KILL))
		try_kill_parent(g);
}

/* ---- targets -------------------------------------------------------- */

static struct reap_result *add_result(struct reap_report *rep)
{
	rep->r = xreallocarray(rep->r, rep->n + 1, sizeof(*rep->r));
	memset(&rep->r[rep->n], 0, sizeof(*rep->r));
	return &rep->r[rep->n++];
}

static void target_line(struct reap_report *rep, pid_t pid, const char *comm,
			bool ok, const char *reason)
{
	struct reap_result *r = add_result(rep);

	r->zpid = pid;
	snprintf(r->zcomm, sizeof(r->zcomm), "%s", comm ? comm : "");
	r->ok = ok;
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
}

static bool listed(const pid_t *pids, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* Why target t, found as p in the scan (NULL: not found), names nothing
 * to act on; NULL when it is there.  A target with a start time (or an
 * identity) was seen by the caller, so its absence means it exited. */
static const char *target_gone(const struct proc *p, const struct proc_ref *t)
{
	int fd;

	if (!p)
		return signal_no_such(t->start_ticks != 0);
	if (t->start_ticks && p->start_ticks != t->start_ticks)
		return signal_error(ESTALE);
	if (!t->ino)
		return NULL;
	fd = pidfd_open_ref(t);
	if (fd < 0)
		return signal_error(errno);
	close(fd);
	return NULL;
}

/* The zombies the targets name, each once, in the order named. */
static size_t collect(const struct snapshot *s, const struct proc_ref *t,
		      size_t nt, struct reap_report *rep, pid_t **out)
{
	pid_t *z = NULL;
	size_t n = 0;
	const char *why;

	for (size_t i = 0; i < nt; i++) {
		const struct proc *p = snapshot_find(s, t[i].pid);
		size_t held = 0; /* listed by an earlier target or now */

		why = target_gone(p, &t[i]);
		if (why) {
			target_line(rep, t[i].pid, NULL, false, why);
			continue;
		}
		if (proc_is_zombie(p)) {
			if (!listed(z, n, p->pid)) {
				z = xreallocarray(z, n + 1, sizeof(*z));
				z[n++] = p->pid;
			}
			continue;
		}
		for (size_t j = 0; j < s->n; j++) {
			const struct proc *c = &s->procs[j];

			if (c->ppid != p->pid || !proc_is_zombie(c))
				continue;
			held++;
			if (!listed(z, n, c->pid)) {
				z = xreallocarray(z, n + 1, sizeof(*z));
				z[n++] = c->pid;
			}
		}
		if (!held)
			target_line(rep, p->pid, p->comm, true,
				    "is not a zombie and holds none; nothing to reap");
	}
	*out = z;
	return n;
}

/* The zombies z[0..nz) and their parents, read in full (REAP_NEED). */
static int read_details(const struct snapshot *s, const pid_t *z, size_t nz,
			struct snapshot *d)
{
	pid_t *pids = xcalloc(2 * nz, sizeof(*pids));
	struct snapshot_query q = {.need = REAP_NEED, .pids = pids};
	int rc;

	memset(d, 0, sizeof(*d));
	if (!nz) {
		free(pids);
		return 0; /* no pids would mean every process */
	}
	for (size_t i = 0; i < nz; i++) {
		pids[q.npids++] = z[i];
		pids[q.npids++] = snapshot_find(s, z[i])->ppid;
	}
	rc = snapshot_take(d, &q);
	free(pids);
	return rc;
}

/* The result line of zombie z among rep->r[first..], if z is the very
 * zombie the scan s saw and named; NULL otherwise. */
static struct reap_result *result_of(struct reap_report *rep, size_t first,
				     const struct snapshot *s,
				     const struct proc *z)
{
	const struct proc *seen = snapshot_find(s, z->pid);

	if (!seen || seen->start_ticks != z->start_ticks)
		return NULL;
	for (size_t i = first; i < rep->n; i++)
		if (rep->r[i].zpid == z->pid)
			return &rep->r[i];
	return NULL;
}

/* Reap one parent's zombies, as zombie_groups grouped them in the
 * detailed read d: those of them that were named. */
static void reap_zombie_group(const struct zombie_group *zg,
			      struct reap_report *rep, size_t first,
			      const struct reap_opts *o, const struct snapshot *s)
{
	struct group g = {.o = o, .snap = s};

	for (size_t i = 0; i < zg->n; i++) {
		struct reap_result *r = result_of(rep, first, s, zg->zombies[i]);

		if (!r)
			continue;
		/* Adopted since the scan: its parent is gone. */
		if (!zg->parent || zg->ppid != r->ppid) {
			add_reason(r, "its parent %d is gone; init or a subreaper "
				   "should reap it soon", (int)r->ppid);
			continue;
		}
		g.z = xreallocarray(g.z, g.n + 1, sizeof(*g.z));
		g.res = xreallocarray(g.res, g.n + 1, sizeof(*g.res));
		g.z[g.n] = *zg->zombies[i];
		g.res[g.n++] = r;
	}
	if (g.n) {
		g.parent = *zg->parent;
		reap_group(&g);
	}
	for (size_t i = 0; i < g.n; i++)
		if (!g.res[i]->reaped && !g.res[i]->reason[0])
			add_reason(g.res[i], "no method could reap it");
	free(g.z);
	free(g.res);
}

int reap_run(const struct proc_ref *targets, size_t nt,
	     const struct reap_opts *o, struct reap_report *rep)
{
	struct snapshot s, d;
	struct snapshot_query q = {.need = SCAN_NEED};
	struct zombie_group *groups;
	pid_t *z;
	size_t nz, first, ngroups;
	int status = 0;

	memset(rep, 0, sizeof(*rep));
	if (snapshot_take(&s, &q) < 0)
		return -1;
	nz = collect(&s, targets, nt, rep, &z);
	if (read_details(&s, z, nz, &d) < 0) {
		int err = errno;

		free(z);
		snapshot_free(&s);
		reap_report_free(rep);
		errno = err;
		return -1;
	}
	/* Results first, so that the pointers into rep->r stay put. */
	first = rep->n;
	for (size_t i = 0; i < nz; i++) {
		const struct proc *zp = snapshot_find(&s, z[i]);
		const struct proc *pp = snapshot_find(&s, zp->ppid);
		struct reap_result *r = add_result(rep);

		r->zpid = zp->pid;
		r->ppid = zp->ppid;
		snprintf(r->zcomm, sizeof(r->zcomm), "%s", zp->comm);
		snprintf(r->pcomm, sizeof(r->pcomm), "%s", pp ? pp->comm : "?");
	}
	ngroups = zombie_groups(d.procs, d.n, &groups);
	for (size_t i = 0; i < ngroups; i++)
		reap_zombie_group(&groups[i], rep, first, o, &s);
	zombie_groups_free(groups, ngroups);
	/* A named zombie in no group was gone before pmon acted. */
	for (size_t i = first; i < rep->n; i++) {
		if (rep->r[i].reaped || rep->r[i].reason[0])
			continue;
		rep->r[i].reaped = rep->r[i].ok = true;
		rep->r[i].by = REAP_NONE;
		add_reason(&rep->r[i], "it was gone before pmon acted");
	}
	for (size_t i = 0; i < rep->n; i++)
		if (!rep->r[i].ok)
			status = 1;
	free(z);
	snapshot_free(&d);
	snapshot_free(&s);
	return status;
}

void reap_report_free(struct reap_report *rep)
{
	free(rep->r);
	memset(rep, 0, sizeof(*rep));
}

int reap_target(const struct proc_ref *target, enum reap_method method,
		struct buf *report)
{
	struct reap_opts o = {.method = method, .timeout_ms = REAP_DEFAULT_TIMEOUT_MS};
	struct reap_report rep;
	int rc = reap_run(target, 1, &o, &rep);

	if (rc < 0) {
		buf_printf(report, "%d: cannot read /proc: %s\n", (int)target->pid,
			   strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < rep.n; i++) {
		reap_result_line(&rep.r[i], report);
		buf_putc(report, '\n');
	}
	reap_report_free(&rep);
	return rc;
}
