/*
 * topmodel.c - the rows, header and lines of `pmon top` (see topmodel.h).
 * Everything here works from what the watch holds: nothing reads /proc.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ui/topmodel.h"
#include "view/table.h"

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

static const char *const default_cols[] = {
	"pid", "user", "stat", "cpu_pct", "mem_pct", "rss_kb", "cpu_time_s", "comm",
};

void top_opts_default(struct top_opts *o)
{
	field_list_of(&o->cols, default_cols, ARRAY_LEN(default_cols));
	o->sort = (struct field_sort){field_find("cpu_pct"), false};
	top_opts_sync_name(o);
}

static bool is_name(const struct field *f)
{
	return f && (strcmp(f->key, "comm") == 0 || strcmp(f->key, "cmdline") == 0);
}

void top_opts_sync_name(struct top_opts *o)
{
	const struct field *name = field_find(o->cmdline ? "cmdline" : "comm");

	if (o->cols.n && is_name(o->cols.f[o->cols.n - 1]))
		o->cols.f[o->cols.n - 1] = name;
	if (is_name(o->sort.f))
		o->sort.f = name;
}

int top_delay_parse(const char *s, double *delay)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(d) || d < 0.1 || d > 86400)
		return -1;
	*delay = d;
	return 0;
}

/* ---- selection, filters, order ---------------------------------------- */

/* -u and -p (and the u key) each narrow the selection: a process must
 * match both when both are given. */
static bool selected(const struct proc *p, const struct top_opts *o)
{
	bool uid_ok = o->nuids == 0, pid_ok = o->npids == 0;

	for (size_t i = 0; !uid_ok && i < o->nuids; i++)
		uid_ok = p->uid == o->uids[i];
	for (size_t i = 0; !pid_ok && i < o->npids; i++)
		pid_ok = p->pid == o->pids[i];
	return uid_ok && pid_ok;
}

/* The `z` and `/` filters, on what the watch holds (the command lines
 * were fetched before, when a name filter is on: top_select_need). */
static bool passes_filters(const struct proc *p, const struct top_opts *o)
{
	if (o->zombies_only && !proc_is_zombie(p))
		return false;
	if (!o->name_filter[0] || strcasestr(p->comm ? p->comm : "", o->name_filter))
		return true;
	return p->cmdline && strcasestr(p->cmdline, o->name_filter);
}

unsigned top_select_need(const struct top_opts *o)
{
	/* Not PI_STATE: the Tasks counts may be a few refreshes old for a
	 * process that sleeps (watch.h), and z's zombies are exact (a
	 * process becomes one by running). */
	unsigned need = PI_UID | PI_THREADS;

	if (o->name_filter[0])
		need |= PI_CMDLINE | PI_COMM;
	if (o->tree)
		need |= PI_PPID;
	else if (o->sort.f)
		need |= o->sort.f->need;
	return need;
}

unsigned top_show_need(const struct top_opts *o)
{
	return field_list_need(&o->cols);
}

/* The sort of the frame: the field's natural order, reversed by R. */
static int compare(const void *a, const void *b, void *arg)
{
	const void *const *ctx = arg;
	const struct procwatch *w = ctx[0];
	const struct field_sort *s = ctx[1];

	return field_sort_cmp(s, &w->procs[*(const int32_t *)a],
			      &w->procs[*(const int32_t *)b]);
}

static void grow(struct top_rows *r, size_t n)
{
	if (n <= r->cap)
		return;
	r->cap = n + n / 4 + 64;
	r->idx = xreallocarray(r->idx, r->cap, sizeof(*r->idx));
	r->depth = xreallocarray(r->depth, r->cap, sizeof(*r->depth));
	r->node = xreallocarray(r->node, r->cap, sizeof(*r->node));
	r->map = xreallocarray(r->map, r->cap, sizeof(*r->map));
	r->sub = xreallocarray(r->sub, r->cap, sizeof(*r->sub));
}

/* The tree view over the m processes shown (gathered in sub[] and map[]
 * by top_rows_build): each under its parent when that is shown too (else
 * a root), in pre-order, children by pid.  The tree is built over just
 * those, so a filter never drags in the chain of ancestors up to PID 1. */
static void build_tree(struct top_rows *r, size_t m)
{
	tree_build(&r->tree, r->sub, m);
	r->have_tree = true;
	r->n = tree_preorder(&r->tree, r->node, r->depth);
	for (size_t k = 0; k < r->n; k++)
		r->idx[k] = r->map[r->node[k]];
}

void top_rows_build(struct top_rows *r, const struct procwatch *w,
		    const struct top_opts *o)
{
	struct field_sort s = o->sort;
	const void *ctx[2] = {w, &s};
	size_t m = 0;

	if (r->have_tree)
		tree_free(&r->tree);
	r->have_tree = false;
	grow(r, w->n);
	memset(&r->counts, 0, sizeof(r->counts));
	r->n = 0;
	/* One pass: the selection is counted, the filters pick the rows. */
	for (size_t i = 0; i < w->n; i++) {
		const struct proc *p = &w->procs[i];

		if (!selected(p, o))
			continue;
		state_counts_add(&r->counts, p->state, p->threads);
		if (!passes_filters(p, o))
			continue;
		if (o->tree) {
			r->sub[m] = *p;
			r->map[m++] = (int32_t)i;
		} else {
			r->depth[r->n] = 0;
			r->idx[r->n++] = (int32_t)i;
		}
	}
	if (o->tree) {
		build_tree(r, m);
		return;
	}
	if (!s.f)
		return;
	s.reverse = o->sort.reverse != !!(s.f->flags & FIELD_DESCENDING);
	qsort_r(r->idx, r->n, sizeof(*r->idx), compare, ctx);
}

void top_rows_free(struct top_rows *r)
{
	if (r->have_tree)
		tree_free(&r->tree);
	free(r->idx);
	free(r->depth);
	free(r->node);
	free(r->map);
	free(r->sub);
	memset(r, 0, sizeof(*r));
}

/* ---- text --------------------------------------------------------------- */

static void format_uptime(char *out, size_t size, double uptime)
{
	long s = (long)uptime, days = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;

	if (days)
		snprintf(out, size, "%ld day%s, %2ld:%02ld", days,
			 days == 1 ? "" : "s", h, m);
	else if (h)
		snprintf(out, size, "%2ld:%02ld", h, m);
	else
		snprintf(out, size, "%ld min", m);
}

/* The Tasks line; the zombie count last, where the view can find it. */
static void format_tasks(struct top_header *h, const struct state_counts *c)
{
	size_t run = state_counts_of(c, "R"), sleep = state_counts_of(c, "SI"),
	       disk = state_counts_of(c, "D"), stop = state_counts_of(c, "Tt");
	char zombie[32];
	int at;

	snprintf(zombie, sizeof(zombie), "%zu zombie", state_counts_of(c, "Z"));
	at = snprintf(h->line[1], sizeof(h->line[1]),
		      "Tasks: %zu total, %zu running, %zu sleeping, %zu disk sleep, "
		      "%zu stopped, ", c->total, run, sleep, disk, stop);
	h->zombie_at = at > 0 ? (size_t)at : 0;
	h->zombie_len = strlen(zombie);
	snprintf(h->line[1] + h->zombie_at, sizeof(h->line[1]) - h->zombie_at,
		 "%s", zombie);
	at = snprintf(h->tasks_short, sizeof(h->tasks_short),
		      "Tasks: %zu total, %zu run, %zu sleep, %zu disk, %zu stop, ",
		      c->total, run, sleep, disk, stop);
	h->short_zombie_at = at > 0 ? (size_t)at : 0;
	snprintf(h->tasks_short + h->short_zombie_at,
		 sizeof(h->tasks_short) - h->short_zombie_at, "%s", zombie);
}

void top_header_format(struct top_header *h, const struct procwatch *w,
		       const struct state_counts *c)
{
	const struct sys_stats *s = &w->sys;
	const double *cp = s->cpu.pct, mib = 1024.0;
	char up[48], clock[16];
	struct tm tm;

	if (!localtime_r(&w->clock.now, &tm) || !strftime(clock, sizeof(clock), "%H:%M:%S", &tm))
		snprintf(clock, sizeof(clock), "?");
	format_uptime(up, sizeof(up), s->uptime);
	snprintf(h->line[0], sizeof(h->line[0]),
		 "pmon top - %s up %s,  load average: %.2f, %.2f, %.2f",
		 clock, up, s->load[0], s->load[1], s->load[2]);
	format_tasks(h, c);
	snprintf(h->line[2], sizeof(h->line[2]),
		 "%%Cpu(s):%5.1f us,%5.1f sy,%5.1f ni,%5.1f id,%5.1f wa,"
		 "%5.1f hi,%5.1f si,%5.1f st",
		 cp[CPU_USER], cp[CPU_SYSTEM], cp[CPU_NICE], cp[CPU_IDLE],
		 cp[CPU_IOWAIT], cp[CPU_IRQ], cp[CPU_SOFTIRQ], cp[CPU_STEAL]);
	/* "used" as procps 4's top and free compute it (libproc2's
	 * MEMINFO_MEM_USED: MemTotal - MemAvailable). */
	snprintf(h->line[3], sizeof(h->line[3]),
		 "MiB Mem : %9.1f total, %9.1f free, %9.1f used, %9.1f buff/cache",
		 (double)s->mem_total_kb / mib, (double)s->mem_free_kb / mib,
		 (double)s->mem_used_kb / mib,
		 (double)(s->mem_buffers_kb + s->mem_cached_kb) / mib);
	snprintf(h->line[4], sizeof(h->line[4]),
		 "MiB Swap: %9.1f total, %9.1f free, %9.1f used. %9.1f avail Mem",
		 (double)s->swap_total_kb / mib, (double)s->swap_free_kb / mib,
		 (double)s->swap_used_kb / mib, (double)s->mem_avail_kb / mib);
}

void top_titles_format(struct buf *out, const struct top_opts *o)
{
	table_titles(out, &o->cols);
}

static void tree_prefix_of(const struct top_rows *r, size_t k, bool utf8,
			   char *out, size_t size)
{
	int32_t path[64], node = r->node[k], depth = r->depth[k];

	out[0] = '\0';
	if (depth <= 0)
		return;
	if (depth >= (int32_t)ARRAY_LEN(path)) /* deeper than any screen */
		depth = ARRAY_LEN(path) - 1;
	for (int32_t d = depth; d >= 0 && node >= 0; d--) {
		path[d] = node;
		node = r->tree.parent[node];
	}
	tree_prefix(&r->tree, path, depth,
		    utf8 ? &tree_glyphs_utf8 : &tree_glyphs_ascii, out, size);
}

void top_row_format(struct buf *out, const struct procwatch *w,
		    const struct top_rows *r, size_t k,
		    const struct top_opts *o, bool utf8, struct buf *scratch)
{
	const struct table_style st = {.utf8 = utf8};
	char prefix[256];

	prefix[0] = '\0';
	if (o->tree)
		tree_prefix_of(r, k, utf8, prefix, sizeof(prefix));
	table_row(out, &o->cols, &w->procs[r->idx[k]], prefix, &st, scratch);
}

void top_json_keys(const struct top_opts *o, bool cols_given,
		   struct field_list *keys)
{
	static const char *const extra[] = {"cpu_time_s", "cpu_pct", "mem_pct"};
	char bad[16];

	if (cols_given) {
		*keys = o->cols;
		return;
	}
	json_default_fields(keys);
	for (size_t i = 0; i < ARRAY_LEN(extra); i++)
		(void)field_list_parse(keys, extra[i], bad, sizeof(bad));
}
