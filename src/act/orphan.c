/*
 * orphan.c - adopted processes, classified by evidence (see orphan.h).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act/orphan.h"
#include "proc/inspect.h"

static int by_pid(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static const struct proc *find(const struct proc *procs, size_t n, pid_t pid)
{
	struct proc key = {.pid = pid};

	return n && pid > 0 ? bsearch(&key, procs, n, sizeof(*procs), by_pid) : NULL;
}

bool orphan_reparented(const struct proc *p, const struct proc *parent)
{
	/* Session 0: its leader is outside our PID namespace (or it is the
	 * kernel's): nothing to compare. */
	return parent && p->session > 0 && p->session != p->pid &&
	       p->session != parent->session;
}

enum adopter_kind orphan_adopter_kind(const struct proc *parent)
{
	if (!parent)
		return ADOPTER_UNKNOWN;
	if (parent->pid == 1)
		return ADOPTER_INIT;
	return proc_is_ns_init(parent) ? ADOPTER_NS_INIT : ADOPTER_SUBREAPER;
}

static bool stopped_orphaned(const struct orphan_facts *f)
{
	return f->p->state == 'T' && f->pgrp_orphaned == 1;
}

bool orphan_needs_terminal(const struct orphan_facts *f)
{
	return orphan_reparented(f->p, f->parent) && !f->leader_alive &&
	       !stopped_orphaned(f) && f->p->tty_nr == 0;
}

/* The class of a re-parented process that is not a stopped member of an
 * orphaned group. */
static void classify_reparented(const struct orphan_facts *f, struct orphan_class *c)
{
	c->evidence |= OE_REPARENTED;
	if (f->leader_alive) {
		c->kind = ORPHAN_ADOPTED;
		return;
	}
	c->evidence |= OE_LEADER_GONE;
	if (f->terminal == 1 || f->p->tty_nr != 0) {
		c->kind = ORPHAN_TERMINAL_JOB;
		c->evidence |= OE_ON_TERMINAL | (f->terminal_closed ? OE_TERMINAL_CLOSED : 0);
		return;
	}
	c->kind = ORPHAN_DAEMON;
	c->evidence |= f->terminal == 0 ? OE_NO_TERMINAL : OE_FDS_UNREADABLE;
}

struct orphan_class orphan_classify(const struct orphan_facts *f)
{
	const struct proc *p = f->p;
	struct orphan_class c = {ORPHAN_NONE, 0};

	if (!p || p->kernel_thread || p->pid == 1 || proc_has_exited(p) ||
	    proc_is_ns_init(p) || p->ppid == 0)
		return c;
	if (stopped_orphaned(f)) {
		c.kind = ORPHAN_STOPPED;
		c.evidence = OE_STOPPED | OE_PGRP_ORPHANED;
		if (orphan_reparented(p, f->parent))
			c.evidence |= OE_REPARENTED | (f->leader_alive ? 0 : OE_LEADER_GONE);
		return c;
	}
	if (orphan_reparented(p, f->parent)) {
		classify_reparented(f, &c);
		return c;
	}
	if (p->session == p->pid && p->tty_nr == 0 &&
	    (f->adopter == ADOPTER_INIT || f->adopter == ADOPTER_NS_INIT ||
	     f->parent_adopts)) {
		c.kind = ORPHAN_OWN_SESSION;
		c.evidence = OE_OWN_SESSION;
	}
	return c;
}

/* ---- words ----------------------------------------------------------------- */

static const struct {
	const char *name, *title;
} kinds[ORPHAN_KINDS] = {
	[ORPHAN_NONE] = {"none", "not an orphan"},
	[ORPHAN_DAEMON] = {"daemon", "daemons: detached on purpose, no terminal "
			   "(the double fork)"},
	[ORPHAN_TERMINAL_JOB] = {"terminal-job", "jobs left behind by a closed "
				 "terminal or ssh session"},
	[ORPHAN_STOPPED] = {"stopped", "stopped in an orphaned process group "
			    "(job control will never continue them)"},
	[ORPHAN_ADOPTED] = {"adopted", "adopted while their session lives on "
			    "(the process that forked them exited)"},
	[ORPHAN_OWN_SESSION] = {"own-session", "leading their own session under "
				"init or a subreaper (services, or daemons "
				"that forked once: no evidence either way)"},
};

const char *orphan_kind_name(enum orphan_kind k)
{
	return k < ORPHAN_KINDS ? kinds[k].name : "none";
}

const char *orphan_kind_title(enum orphan_kind k)
{
	return k < ORPHAN_KINDS ? kinds[k].title : "";
}

void orphan_adopter_text(const struct orphan_facts *f, struct buf *out)
{
	const struct proc *q = f->parent;
	const char *comm = q && q->comm ? q->comm : "?";

	switch (f->adopter) {
	case ADOPTER_INIT:
		buf_printf(out, "init (PID 1, %s)", comm);
		break;
	case ADOPTER_NS_INIT:
		buf_printf(out, "PID %d (%s), the init of its PID namespace",
			   (int)q->pid, comm);
		break;
	case ADOPTER_SUBREAPER:
		buf_printf(out, "PID %d (%s), %s", (int)q->pid, comm,
			   f->parent_adopts ? "a child subreaper" :
			   "its parent (no sign that it adopts)");
		break;
	case ADOPTER_UNKNOWN:
		buf_printf(out, "PID %d (not visible from here)", (int)f->p->ppid);
		break;
	}
}

/* "; " between the sentences of one text. */
static void sep(struct buf *out)
{
	if (out->len)
		buf_puts(out, "; ");
}

static void session_evidence(const struct orphan_facts *f, unsigned ev,
			     struct buf *out)
{
	const struct proc *p = f->p;

	if (ev & OE_REPARENTED) {
		sep(out);
		buf_printf(out, "its session %d is not its parent's (%d) and it did "
			   "not start it: whoever forked it was in that session, so "
			   "it was re-parented", (int)p->session, (int)p->ppid);
	}
	if (ev & OE_LEADER_GONE) {
		sep(out);
		buf_printf(out, "the leader of session %d has exited", (int)p->session);
	} else if (ev & OE_REPARENTED) {
		sep(out);
		buf_printf(out, "the leader of session %d is alive: what ended was "
			   "the process that forked it, not the session", (int)p->session);
	}
}

static void terminal_evidence(const struct orphan_facts *f, unsigned ev,
			      struct buf *out)
{
	if (ev & OE_ON_TERMINAL) {
		sep(out);
		if (f->p->tty_nr && !f->terminal_path[0])
			buf_puts(out, "it still has a controlling terminal");
		else
			buf_printf(out, "its standard descriptors are still on %s, %s",
				   f->terminal_path, ev & OE_TERMINAL_CLOSED ?
				   "a terminal that has been closed" :
				   "a terminal it no longer controls");
	}
	if (ev & OE_NO_TERMINAL) {
		sep(out);
		buf_puts(out, "it has no controlling terminal and none of its "
			 "descriptors 0-2 is one");
	}
	if (ev & OE_FDS_UNREADABLE) {
		sep(out);
		buf_puts(out, "it has no controlling terminal; its descriptors "
			 "cannot be read (another account's process), so a job "
			 "left on a closed terminal would look the same");
	}
}

void orphan_evidence_text(const struct orphan_facts *f,
			  const struct orphan_class *c, struct buf *out)
{
	const struct proc *p = f->p;
	struct buf b = {0};

	if (c->evidence & OE_STOPPED) {
		buf_printf(&b, "it is stopped and its process group %d is orphaned "
			   "(no member has a parent in another group of its "
			   "session), so no shell will continue it", (int)p->pgrp);
	}
	session_evidence(f, c->evidence, &b);
	terminal_evidence(f, c->evidence, &b);
	if (c->evidence & OE_OWN_SESSION) {
		sep(&b);
		buf_puts(&b, "it leads its own session with no controlling terminal "
			 "under its adopter: a service started that way, or a daemon "
			 "that forked once and called setsid(); /proc does not say "
			 "which");
	}
	buf_append(out, b.data ? b.data : "", b.len);
	buf_free(&b);
}

void orphan_advice_text(const struct orphan_facts *f,
			const struct orphan_class *c, struct buf *out)
{
	int pid = (int)f->p->pid;
	const unsigned long long hup = 1ull << (SIGHUP - 1);

	switch (c->kind) {
	case ORPHAN_DAEMON:
		buf_printf(out, "a daemon is meant to outlive the process that "
			   "started it: nothing to do if it should run; `pmon "
			   "inspect %d` shows what it waits for, `pmon kill %d` "
			   "ends it", pid, pid);
		break;
	case ORPHAN_TERMINAL_JOB:
		buf_printf(out, "it outlived the login it was started from (that "
			   "terminal gives its reads end of file and its writes "
			   "EIO); if it should keep running, start it under nohup, "
			   "tmux or as a service next time; if not, `pmon kill %d`",
			   pid);
		break;
	case ORPHAN_STOPPED:
		buf_printf(out, "nothing will continue it: `pmon kill -s CONT %d` "
			   "lets it run on, `pmon kill -s KILL %d` ends it (a TERM "
			   "waits while it is stopped)", pid, pid);
		if ((f->p->have & PI_SIGNALS) && (f->p->sig_ignored & hup))
			buf_puts(out, "; it ignores SIGHUP, so the hangup of its "
				 "terminal or session did not end it");
		break;
	case ORPHAN_ADOPTED:
		buf_printf(out, "the process that forked it exited first; it runs "
			   "on as before and its adopter reaps it when it exits; "
			   "`pmon kill %d` if it should not run", pid);
		break;
	case ORPHAN_OWN_SESSION:
		buf_printf(out, "nothing to do if it is a service; `pmon inspect %d` "
			   "shows what it is", pid);
		break;
	case ORPHAN_NONE:
	case ORPHAN_KINDS:
		break;
	}
}

/* ---- every process ---------------------------------------------------------- */

/* Is a live process the leader of session sid? */
static bool leader_alive(const struct proc *procs, size_t n, pid_t sid)
{
	const struct proc *l = find(procs, n, sid);

	return l && l->session == sid && !proc_has_exited(l);
}

/*
 * The process groups that are not orphaned: those with a member whose
 * parent is in another group of the same session.  As the kernel counts
 * (will_become_orphaned_pgrp): members that have exited, and members
 * whose parent is PID 1, do not count.  Sorted, for bsearch.
 */
static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static pid_t *linked_groups(const struct proc *procs, size_t n, size_t *nl)
{
	pid_t *g = xcalloc(n ? n : 1, sizeof(*g));

	*nl = 0;
	for (size_t i = 0; i < n; i++) {
		const struct proc *m = &procs[i], *q;

		if (proc_has_exited(m) || m->ppid == 1 ||
		    !(q = find(procs, n, m->ppid)))
			continue;
		if (q->pgrp != m->pgrp && q->session == m->session)
			g[(*nl)++] = m->pgrp;
	}
	qsort(g, *nl, sizeof(*g), pid_cmp);
	return g;
}

static bool in_list(const pid_t *list, size_t n, pid_t v)
{
	return n && bsearch(&v, list, n, sizeof(*list), pid_cmp);
}

bool orphan_pgrp_orphaned(const struct proc *procs, size_t n, pid_t pgrp)
{
	size_t nl;
	pid_t *linked = linked_groups(procs, n, &nl);
	bool orphaned = !in_list(linked, nl, pgrp);

	free(linked);
	return orphaned;
}

int orphan_std_terminal(pid_t pid, char *path, size_t size, bool *closed)
{
	struct buf b = {0};
	int rc = proc_std_terminal(pid, &b, closed);

	snprintf(path, size, "%s", rc == 1 && b.data ? b.data : "");
	buf_free(&b);
	return rc;
}

/* The facts of procs[i]; adopts marks the parents that hold re-parented
 * processes; linked (computed when first needed) the linked groups. */
static void facts_of(const struct proc *procs, size_t n, size_t i,
		     const bool *adopts, pid_t **linked, size_t *nl,
		     struct orphan_facts *f)
{
	const struct proc *p = &procs[i];

	memset(f, 0, sizeof(*f));
	f->p = p;
	f->parent = find(procs, n, p->ppid);
	f->adopter = orphan_adopter_kind(f->parent);
	f->parent_adopts = f->parent && adopts[f->parent - procs];
	f->leader_alive = leader_alive(procs, n, p->session);
	f->terminal = -1;
	f->pgrp_orphaned = -1;
	if (p->state == 'T') {
		if (!*linked)
			*linked = linked_groups(procs, n, nl);
		f->pgrp_orphaned = !in_list(*linked, *nl, p->pgrp);
	}
}

size_t orphans_find(const struct proc *procs, size_t n, bool all,
		    orphan_terminal_fn terminal, struct orphan_entry **out)
{
	bool *adopts = xcalloc(n ? n : 1, sizeof(*adopts));
	pid_t *linked = NULL;
	size_t nl = 0, count = 0;

	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct proc *q = find(procs, n, procs[i].ppid);

		if (orphan_reparented(&procs[i], q))
			adopts[q - procs] = true;
	}
	for (size_t i = 0; i < n; i++) {
		struct orphan_entry e = {.index = i};

		facts_of(procs, n, i, adopts, &linked, &nl, &e.facts);
		if (orphan_needs_terminal(&e.facts))
			e.facts.terminal = terminal(procs[i].pid, e.facts.terminal_path,
						    sizeof(e.facts.terminal_path),
						    &e.facts.terminal_closed);
		e.cls = orphan_classify(&e.facts);
		if (e.cls.kind == ORPHAN_NONE ||
		    (e.cls.kind == ORPHAN_OWN_SESSION && !all))
			continue;
		*out = xreallocarray(*out, count + 1, sizeof(**out));
		(*out)[count++] = e;
	}
	free(adopts);
	free(linked);
	return count;
}

ssize_t orphan_marks(struct orphan_mark **out)
{
	struct snapshot s;
	struct snapshot_query q = {.need = ORPHAN_NEED | PI_START};
	struct orphan_entry *e;
	size_t n;

	*out = NULL;
	if (snapshot_take(&s, &q) < 0)
		return -1;
	n = orphans_find(s.procs, s.n, false, orphan_std_terminal, &e);
	*out = xcalloc(n ? n : 1, sizeof(**out));
	for (size_t i = 0; i < n; i++) {
		const struct proc *p = &s.procs[e[i].index];

		(*out)[i] = (struct orphan_mark){p->pid, p->start_ticks, e[i].cls.kind};
	}
	free(e);
	snapshot_free(&s);
	return (ssize_t)n;
}

static int mark_by_pid(const void *a, const void *b)
{
	const struct orphan_mark *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

enum orphan_kind orphan_mark_of(const struct orphan_mark *marks, size_t n,
				const struct proc *p)
{
	struct orphan_mark key = {.pid = p->pid};
	const struct orphan_mark *m = n ? bsearch(&key, marks, n, sizeof(*marks),
						  mark_by_pid) : NULL;

	/* The same process, not a newcomer on its pid. */
	return m && (!(p->have & PI_START) || m->start_ticks == p->start_ticks) ?
	       m->kind : ORPHAN_NONE;
}
