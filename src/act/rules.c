/*
 * rules.c - `pmon watch`'s rules and their change detection (rules.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act/rules.h"

const char *const rule_words[RULE_KINDS] = {
	[RULE_ZOMBIES] = "zombies", [RULE_EXIT] = "exit",
	[RULE_STUCK_D] = "stuck-d", [RULE_CPU] = "cpu", [RULE_RSS] = "rss",
};

#define SECS_MAX (366.0 * 86400)   /* a year: longer is a typo */
#define PCT_MAX 100000.0           /* 1000 CPUs busy */

/* ---- parsing ------------------------------------------------------------ */

/* A whole-string number in [min, max]; seconds and percentages may have
 * a fraction. */
static int parse_num(const char *s, size_t n, double min, double max,
		     double *out)
{
	char tmp[64], *end;

	if (n == 0 || n >= sizeof(tmp) || !isdigit((unsigned char)s[0]))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	*out = strtod(tmp, &end);
	return *end || errno || !(*out >= min && *out <= max) ? -1 : 0;
}

/* SIZE: a number of bytes with an optional K, M, G or T (powers of
 * 1024, an optional "iB" or "B" after it), in KiB, at least 1 KiB. */
static int parse_size_kb(const char *s, size_t n, unsigned long long *kb)
{
	static const char units[] = "KMGT";
	double v, mult = 1.0 / 1024;
	size_t digits = 0;
	const char *u;

	while (digits < n && (isdigit((unsigned char)s[digits]) || s[digits] == '.'))
		digits++;
	if (parse_num(s, digits, 0, 1e18, &v) < 0)
		return -1;
	if (digits < n) {
		const char *rest = s + digits;
		size_t left = n - digits;

		u = strchr(units, toupper((unsigned char)rest[0]));
		if (!u || !*u)
			return -1;
		for (mult = 1; u > units; u--)
			mult *= 1024;
		rest++, left--;
		if (!(left == 0 || (left == 1 && toupper((unsigned char)rest[0]) == 'B') ||
		      (left == 2 && rest[0] == 'i' && toupper((unsigned char)rest[1]) == 'B')))
			return -1;
	}
	v *= mult;
	if (v < 1 || v > 1e15)
		return -1;
	*kb = (unsigned long long)v;
	return 0;
}

/* "VALUE:SECONDS" into *value (by parse) and r->secs. */
static int split_secs(const char *arg, size_t *value_len, struct rule *r)
{
	const char *colon = strchr(arg, ':');

	if (!colon)
		return -1;
	*value_len = (size_t)(colon - arg);
	return parse_num(colon + 1, strlen(colon + 1), 0, SECS_MAX, &r->secs);
}

int rule_parse(enum rule_kind kind, const char *arg, struct rule *r,
	       char *why, size_t why_size)
{
	double v = 0;
	size_t n = 0;
	int bad = 0;

	*r = (struct rule){.kind = kind};
	switch (kind) {
	case RULE_ZOMBIES:
		bad = parse_num(arg, strlen(arg), 1, 1000000, &v) < 0 || v != (double)(long)v;
		r->count = (long)v;
		if (bad)
			snprintf(why, why_size, "zombies takes a count of zombies, 1 to"
				 " 1000000, not '%.40s'", arg);
		break;
	case RULE_EXIT:
		bad = parse_pid(arg, &r->pid) < 0 || r->pid > 4194304; /* PID_MAX_LIMIT */
		if (bad)
			snprintf(why, why_size, "exit takes a PID, not '%.40s'", arg);
		break;
	case RULE_STUCK_D:
		bad = parse_num(arg, strlen(arg), 0, SECS_MAX, &r->secs) < 0;
		if (bad)
			snprintf(why, why_size, "stuck-d takes SECONDS (0 to a year),"
				 " not '%.40s'", arg);
		break;
	case RULE_CPU:
		bad = split_secs(arg, &n, r) < 0 ||
		      parse_num(arg, n, 0, PCT_MAX, &r->pct) < 0 || r->pct <= 0;
		if (bad)
			snprintf(why, why_size, "cpu takes PCT:SECONDS (90:60: over 90%%"
				 " of a CPU for a minute), not '%.40s'", arg);
		break;
	case RULE_RSS:
		bad = split_secs(arg, &n, r) < 0 || parse_size_kb(arg, n, &r->rss_kb) < 0;
		if (bad)
			snprintf(why, why_size, "rss takes SIZE:SECONDS (512M:30: over"
				 " 512 MiB for 30 s; K, M, G, T), not '%.40s'", arg);
		break;
	case RULE_KINDS:
		bad = 1;
		snprintf(why, why_size, "no such rule");
		break;
	}
	return bad ? -1 : 0;
}

int rule_parse_line(const char *line, struct rule *r, char *why,
		    size_t why_size)
{
	const char *s = line, *w;
	char value[128];
	size_t wn, vn;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s || *s == '#')
		return 0;
	w = s;
	while (*s && !isspace((unsigned char)*s))
		s++;
	wn = (size_t)(s - w);
	while (isspace((unsigned char)*s))
		s++;
	vn = strlen(s);
	while (vn && isspace((unsigned char)s[vn - 1]))
		vn--;
	for (int k = 0; k < RULE_KINDS; k++) {
		if (strlen(rule_words[k]) != wn || memcmp(w, rule_words[k], wn))
			continue;
		if (vn == 0 || vn >= sizeof(value) || memchr(s, ' ', vn) || memchr(s, '\t', vn)) {
			snprintf(why, why_size, "'%s' takes one value", rule_words[k]);
			return -1;
		}
		memcpy(value, s, vn);
		value[vn] = '\0';
		return rule_parse((enum rule_kind)k, value, r, why, why_size) < 0 ? -1 : 1;
	}
	snprintf(why, why_size, "unknown rule '%.*s' (zombies, exit, stuck-d, cpu,"
		 " rss)", (int)(wn > 40 ? 40 : wn), w);
	return -1;
}

void rule_format(const struct rule *r, struct buf *out)
{
	buf_printf(out, "%s ", rule_words[r->kind]);
	switch (r->kind) {
	case RULE_ZOMBIES: buf_printf(out, "%ld", r->count); break;
	case RULE_EXIT: buf_printf(out, "%d", (int)r->pid); break;
	case RULE_STUCK_D: buf_printf(out, "%g", r->secs); break;
	case RULE_CPU: buf_printf(out, "%g:%g", r->pct, r->secs); break;
	case RULE_RSS: {
		/* in the largest unit that says it exactly */
		unsigned long long v = r->rss_kb;
		int u = 0;

		while (v % 1024 == 0 && u < 3)
			v /= 1024, u++;
		buf_printf(out, "%llu%c:%g", v, "KMGT"[u], r->secs);
		break;
	}
	case RULE_KINDS: break;
	}
}

/* ---- change detection ---------------------------------------------------- */

/* One rule's condition on one process. */
struct cond {
	double since;     /* when it began to hold; 0: it does not */
	double under;     /* told, and no longer holding since; 0: holding */
	bool told;        /* its start was reported */
	long told_count;  /* zombies: the count last reported */
};

struct track {
	pid_t pid;
	unsigned long long start_ticks, cpu_ticks;
	double at;        /* when cpu_ticks was read */
	struct cond *conds;  /* one per rule */
	char comm[sizeof(((struct rule_event *)0)->comm)];  /* as last read,
	                     for the events of rules_end */
};

struct rules_state {
	const struct rule *rules;
	size_t nrules;
	struct track *t;
	size_t n;
};

struct rules_state *rules_new(const struct rule *rules, size_t n)
{
	struct rules_state *s = xcalloc(1, sizeof(*s));

	s->rules = rules;
	s->nrules = n;
	return s;
}

static void tracks_free(struct track *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i].conds);
	free(t);
}

void rules_free(struct rules_state *s)
{
	if (!s)
		return;
	tracks_free(s->t, s->n);
	free(s);
}

static struct rule_event *new_event(struct rule_event **ev, size_t *nev,
				    const struct rule *r, enum rule_change c,
				    const struct rule_proc *p)
{
	struct rule_event *e;

	*ev = xreallocarray(*ev, *nev + 1, sizeof(**ev));
	e = &(*ev)[(*nev)++];
	*e = (struct rule_event){.rule = r, .change = c, .pid = p->pid};
	snprintf(e->comm, sizeof(e->comm), "%s", p->comm ? p->comm : "?");
	return e;
}

/* A condition that must hold secs before it is reported, and once
 * reported, must have stopped for secs before its end is: a process
 * that hovers about a threshold is one condition, not a start and an
 * end every sample (each of which the room would be told). */
static void timed(struct cond *c, const struct rule *r, bool over, double began,
		  double value, double now, const struct rule_proc *p,
		  struct rule_event **ev, size_t *nev)
{
	if (!over) {
		if (c->told && c->under == 0)
			c->under = now;
		if (c->told && now - c->under < r->secs)
			return; /* not under for long enough yet */
		if (c->told)
			new_event(ev, nev, r, CHANGE_OFF, p)->secs = c->under - c->since;
		c->since = c->under = 0;
		c->told = false;
		return;
	}
	c->under = 0;
	if (c->since == 0)
		c->since = began;
	if (!c->told && now - c->since >= r->secs) {
		struct rule_event *e = new_event(ev, nev, r, CHANGE_ON, p);

		e->value = value;
		e->secs = now - c->since;
		c->told = true;
	}
}

static void zombies(struct cond *c, const struct rule *r, long count,
		    const struct rule_proc *p, struct rule_event **ev, size_t *nev)
{
	struct rule_event *e;

	if (count < r->count) {
		if (c->told) {
			e = new_event(ev, nev, r, CHANGE_OFF, p);
			e->count = count;
			e->before = c->told_count;
		}
		c->told = false;
		return;
	}
	if (c->told && count <= c->told_count) {
		c->told_count = count; /* fewer: the next growth is news */
		return;
	}
	e = new_event(ev, nev, r, c->told ? CHANGE_GREW : CHANGE_ON, p);
	e->count = count;
	e->before = c->told ? c->told_count : 0;
	c->told = true;
	c->told_count = count;
}

/* The process has exited: the end of c, if it was reported. */
static void exited(struct cond *c, const struct rule *r, double now,
		   const struct rule_proc *p, struct rule_event **ev,
		   size_t *nev)
{
	if (c->told) {
		struct rule_event *e = new_event(ev, nev, r, CHANGE_OFF, p);

		e->exited = true;
		e->under_since = c->under;
		e->secs = (c->under > 0 ? c->under : now) - c->since;
		e->count = e->before = c->told_count;
	}
	c->since = c->under = 0;
	c->told = false;
}

/* The processes of the last sample that this one no longer has (their
 * conds not moved to it): each ends the conditions reported of it. */
static void gone(struct rules_state *s, double now, struct rule_event **ev,
		 size_t *nev)
{
	for (size_t i = 0; i < s->n; i++) {
		struct track *t = &s->t[i];
		const struct rule_proc p = {.pid = t->pid, .comm = t->comm};

		if (!t->conds)
			continue;
		for (size_t k = 0; k < s->nrules; k++)
			exited(&t->conds[k], &s->rules[k], now, &p, ev, nev);
	}
}

/* The track of the previous sample for p, or NULL (a new process). */
static struct track *previous(struct rules_state *s, size_t *at,
			      const struct rule_proc *p)
{
	while (*at < s->n && s->t[*at].pid < p->pid)
		(*at)++;
	if (*at < s->n && s->t[*at].pid == p->pid &&
	    s->t[*at].start_ticks == p->start_ticks)
		return &s->t[*at];
	return NULL;
}

/* Zombies per parent: counts[i] for procs[i]. */
static long *count_zombies(const struct rule_proc *procs, size_t n)
{
	long *counts = xcalloc(n ? n : 1, sizeof(*counts));

	for (size_t i = 0; i < n; i++) {
		size_t lo = 0, hi = n;

		if (!procs[i].zombie)
			continue;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (procs[mid].pid < procs[i].ppid)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n && procs[lo].pid == procs[i].ppid)
			counts[lo]++;
	}
	return counts;
}

static void judge(struct rules_state *s, struct track *t, const struct rule_proc *p,
		  long zcount, double now, long hz, struct rule_event **ev, size_t *nev)
{
	double span = t->at > 0 ? now - t->at : 0;
	double pct = span > 0 && hz > 0 && p->cpu_ticks >= t->cpu_ticks ?
		     100.0 * (double)(p->cpu_ticks - t->cpu_ticks) / (double)hz / span : -1;

	for (size_t k = 0; k < s->nrules; k++) {
		const struct rule *r = &s->rules[k];
		struct cond *c = &t->conds[k];

		/* A zombie has exited: like a process that is gone, it ends
		 * its conditions, whether its parent has reaped it yet or not
		 * (a D that ends in an exit is no "left D"). */
		if (p->zombie && r->kind != RULE_ZOMBIES) {
			exited(c, r, now, p, ev, nev);
			continue;
		}
		switch (r->kind) {
		case RULE_ZOMBIES: zombies(c, r, zcount, p, ev, nev); break;
		case RULE_STUCK_D:
			timed(c, r, p->state == 'D', now, 0, now, p, ev, nev);
			break;
		case RULE_CPU:
			/* no reading over an interval yet: nothing to judge */
			if (pct >= 0)
				timed(c, r, pct > r->pct, t->at, pct, now, p, ev, nev);
			break;
		case RULE_RSS:
			timed(c, r, p->rss_kb > r->rss_kb, now, (double)p->rss_kb, now,
			      p, ev, nev);
			break;
		case RULE_EXIT: case RULE_KINDS: break;
		}
	}
	t->cpu_ticks = p->cpu_ticks;
	t->at = now;
	snprintf(t->comm, sizeof(t->comm), "%s", p->comm ? p->comm : "?");
}

void rules_sample(struct rules_state *s, const struct rule_proc *procs,
		  size_t n, double now, long hz, struct rule_event **ev,
		  size_t *nev)
{
	struct track *t = xcalloc(n ? n : 1, sizeof(*t));
	long *zcounts = count_zombies(procs, n);
	size_t at = 0;

	for (size_t i = 0; i < n; i++) {
		struct track *old = previous(s, &at, &procs[i]);

		if (old) {
			t[i] = *old;
			old->conds = NULL; /* moved */
		} else {
			t[i] = (struct track){.pid = procs[i].pid,
					      .start_ticks = procs[i].start_ticks};
			t[i].conds = xcalloc(s->nrules ? s->nrules : 1, sizeof(struct cond));
		}
	}
	gone(s, now, ev, nev); /* first: a recycled pid's end, then its news */
	for (size_t i = 0; i < n; i++)
		judge(s, &t[i], &procs[i], zcounts[i], now, hz, ev, nev);
	free(zcounts);
	tracks_free(s->t, s->n);
	s->t = t;
	s->n = n;
}

/* Told, and back under since c->under, not yet for its rule's time. */
static bool cooling(const struct cond *c)
{
	return c->told && c->under > 0;
}

void rules_end(const struct rules_state *s, struct rule_event **ev, size_t *nev)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct track *t = &s->t[i];
		const struct rule_proc p = {.pid = t->pid, .comm = t->comm};

		for (size_t k = 0; k < s->nrules; k++) {
			const struct cond *c = &t->conds[k];
			struct rule_event *e;

			if (!c->told)
				continue;
			e = new_event(ev, nev, &s->rules[k], CHANGE_OFF, &p);
			e->ending = true;
			e->count = e->before = c->told_count;
			if (cooling(c)) {
				e->secs = c->under - c->since;
				e->under_since = c->under;
			} else { /* still on: how long, as of the last sample */
				e->still = true;
				e->secs = t->at - c->since;
			}
		}
	}
}

void rules_exit_event(const struct rule *r, const char *comm, bool child,
		      int code, bool signalled, struct rule_event *ev)
{
	*ev = (struct rule_event){.rule = r, .change = CHANGE_ON, .pid = r->pid,
				  .child = child, .status = code,
				  .signalled = signalled};
	snprintf(ev->comm, sizeof(ev->comm), "%s", comm ? comm : "?");
}
