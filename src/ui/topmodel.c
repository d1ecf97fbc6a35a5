/*
 * topmodel.c - the rows, header and lines of `pmon top` (see topmodel.h).
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "view/escape.h"
#include "view/field.h"
#include "ui/topmodel.h"
#include "act/zombie.h"

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

const struct top_col_info top_cols[COL_COUNT] = {
	[COL_PID] = {"PID", 7, "pid", false},
	[COL_USER] = {"USER", -8, "user", false},
	[COL_STAT] = {"STAT", -5, "state", false},
	[COL_CPU] = {"%CPU", 5, "cpu", true},
	[COL_MEM] = {"%MEM", 5, "mem", true},
	[COL_RSS] = {"RSS", 8, "rss", true},
	[COL_TIME] = {"TIME", 11, "time", true},
	[COL_COMMAND] = {"COMMAND", 0, "command", false},
};

int top_col_from_name(const char *name)
{
	for (int i = 0; i < COL_COUNT; i++)
		if (strcasecmp(top_cols[i].key, name) == 0 ||
		    strcasecmp(top_cols[i].title, name) == 0)
			return i;
	if (strcasecmp(name, "stat") == 0)
		return COL_STAT;
	if (strcasecmp(name, "comm") == 0)
		return COL_COMMAND;
	return -1;
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

/* The `z` and `/` filters; the command line is read only when the name
 * does not match already. */
static bool passes_filters(struct procwatch *w, size_t i, const struct top_opts *o)
{
	const struct proc *p = &w->procs[i];
	const char *cmdline;

	if (o->zombies_only && !proc_is_zombie(p))
		return false;
	if (!o->name_filter[0] || strcasestr(p->comm ? p->comm : "", o->name_filter))
		return true;
	cmdline = procwatch_cmdline(w, i);
	return cmdline && strcasestr(cmdline, o->name_filter);
}

static void count(struct top_counts *c, char state)
{
	c->total++;
	switch (state) {
	case 'R': c->running++; break;
	case 'S': case 'I': c->sleeping++; break;
	case 'D': c->disk++; break;
	case 'T': case 't': c->stopped++; break;
	case 'Z': c->zombie++; break;
	default: break;
	}
}

static int compare(const void *a, const void *b, void *arg)
{
	const void *const *ctx = arg;
	const struct procwatch *w = ctx[0];
	const struct top_opts *o = ctx[1];
	int32_t i = *(const int32_t *)a, j = *(const int32_t *)b;
	const struct proc *p = &w->procs[i], *q = &w->procs[j];
	const struct watch_extra *x = &w->extra[i], *y = &w->extra[j];
	int r = 0;

	switch (o->sort) {
	case COL_PID: r = CMP(p->pid, q->pid); break;
	case COL_USER: r = strcmp(p->user ? p->user : "", q->user ? q->user : ""); break;
	case COL_STAT: r = CMP(p->state, q->state); break;
	case COL_CPU: r = CMP(x->cpu_pct, y->cpu_pct); break;
	case COL_MEM: case COL_RSS: r = CMP(p->rss_kb, q->rss_kb); break;
	case COL_TIME: r = CMP(p->cpu_ticks, q->cpu_ticks); break;
	case COL_COMMAND: r = strcmp(o->cmdline && x->cmdline ? x->cmdline : x->comm,
				     o->cmdline && y->cmdline ? y->cmdline : y->comm); break;
	default: return CMP(p->pid, q->pid); /* no such column */
	}
	if (top_cols[o->sort].descending != o->reverse)
		r = -r;
	return r ? r : CMP(p->pid, q->pid); /* ties: lowest pid first, always */
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

void top_rows_build(struct top_rows *r, struct procwatch *w,
		    const struct top_opts *o)
{
	const void *ctx[2] = {w, o};
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
		count(&r->counts, p->state);
		if (!passes_filters(w, i, o))
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
	if (o->sort == COL_COMMAND && o->cmdline)
		for (size_t k = 0; k < r->n; k++)
			procwatch_cmdline(w, (size_t)r->idx[k]);
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

void top_header_format(struct top_header *h, const struct procwatch *w,
		       const struct top_counts *c)
{
	const struct sys_stats *s = &w->sys;
	const double *cp = s->cpu_pct;
	double mib = 1024.0, used, cache;
	char up[48], clock[16], zombie[32];
	struct tm tm;
	int at;

	if (!localtime_r(&w->now, &tm) || !strftime(clock, sizeof(clock), "%H:%M:%S", &tm))
		snprintf(clock, sizeof(clock), "?");
	format_uptime(up, sizeof(up), s->uptime);
	snprintf(h->line[0], sizeof(h->line[0]),
		 "pmon top - %s up %s,  load average: %.2f, %.2f, %.2f",
		 clock, up, s->load[0], s->load[1], s->load[2]);
	snprintf(zombie, sizeof(zombie), "%zu zombie", c->zombie);
	at = snprintf(h->line[1], sizeof(h->line[1]),
		      "Tasks: %zu total, %zu running, %zu sleeping, %zu disk sleep, "
		      "%zu stopped, ", c->total, c->running, c->sleeping,
		      c->disk, c->stopped);
	h->zombie_at = at > 0 ? (size_t)at : 0;
	h->zombie_len = strlen(zombie);
	snprintf(h->line[1] + h->zombie_at, sizeof(h->line[1]) - h->zombie_at,
		 "%s", zombie);
	at = snprintf(h->tasks_short, sizeof(h->tasks_short),
		      "Tasks: %zu total, %zu run, %zu sleep, %zu disk, %zu stop, ",
		      c->total, c->running, c->sleeping, c->disk, c->stopped);
	h->short_zombie_at = at > 0 ? (size_t)at : 0;
	snprintf(h->tasks_short + h->short_zombie_at,
		 sizeof(h->tasks_short) - h->short_zombie_at, "%s", zombie);
	snprintf(h->line[2], sizeof(h->line[2]),
		 "%%Cpu(s):%5.1f us,%5.1f sy,%5.1f ni,%5.1f id,%5.1f wa,"
		 "%5.1f hi,%5.1f si,%5.1f st",
		 cp[CPU_USER], cp[CPU_SYSTEM], cp[CPU_NICE], cp[CPU_IDLE],
		 cp[CPU_IOWAIT], cp[CPU_IRQ], cp[CPU_SOFTIRQ], cp[CPU_STEAL]);
	cache = (double)(s->mem_buffers_kb + s->mem_cached_kb);
	used = (double)s->mem_total_kb - (double)s->mem_free_kb - cache;
	if (used < 0)
		used = (double)(s->mem_total_kb - s->mem_free_kb);
	snprintf(h->line[3], sizeof(h->line[3]),
		 "MiB Mem : %9.1f total, %9.1f free, %9.1f used, %9.1f buff/cache",
		 (double)s->mem_total_kb / mib, (double)s->mem_free_kb / mib,
		 used / mib, cache / mib);
	snprintf(h->line[4], sizeof(h->line[4]),
		 "MiB Swap: %9.1f total, %9.1f free, %9.1f used. %9.1f avail Mem",
		 (double)s->swap_total_kb / mib, (double)s->swap_free_kb / mib,
		 (double)(s->swap_total_kb - s->swap_free_kb) / mib,
		 (double)s->mem_avail_kb / mib);
}

/* A cell of width w (see top_col_info) holding text of `cols` columns
 * that starts at byte `start` of out: pad, right-align, or cut with '+'. */
static void align(struct buf *out, size_t start, size_t cols, int width)
{
	size_t w = (size_t)abs(width);

	if (width == 0)
		return;
	if (cols > w && width < 0) {
		size_t fit, c;

		fit = top_text_cut(out->data + start, out->len - start, w - 1, &c);
		out->len = start + fit;
		out->data[out->len] = '\0';
		buf_putc(out, '+');
		return;
	}
	if (cols >= w)
		return;
	if (width > 0) {
		size_t len = out->len - start;

		buf_reserve(out, w - cols);
		memmove(out->data + start + (w - cols), out->data + start, len);
		memset(out->data + start, ' ', w - cols);
		out->len += w - cols;
		out->data[out->len] = '\0';
	} else {
		while (cols++ < w)
			buf_putc(out, ' ');
	}
}

void top_titles_format(struct buf *out)
{
	for (int i = 0; i < COL_COUNT; i++) {
		size_t start;

		if (i)
			buf_putc(out, ' ');
		start = out->len;
		buf_puts(out, top_cols[i].title);
		align(out, start, strlen(top_cols[i].title), top_cols[i].width);
	}
}

static void plain_cell(struct buf *out, int col, const char *text)
{
	size_t start = out->len, n = strlen(text);

	if (col)
		buf_putc(out, ' '), start++;
	buf_append(out, text, n);
	align(out, start, n, top_cols[col].width);
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

/*
 * Numbers without printf: a batch frame at 10,000 processes formats
 * 50,000 of them, and vfprintf was a fifth of pmon's own CPU time.
 * Each writes right to left into the end of a small buffer and returns
 * where the text starts.
 */
static char *put_uint(char *end, unsigned long long v)
{
	do
		*--end = (char)('0' + v % 10);
	while (v /= 10);
	return end;
}

static char *put_2digits(char *end, unsigned long long v)
{
	*--end = (char)('0' + v % 10);
	*--end = (char)('0' + v / 10 % 10);
	return end;
}

/* One decimal, rounded half up as printf's %.1f does for these values. */
static char *put_tenths(char *end, double v)
{
	unsigned long long t = v > 0 ? (unsigned long long)(v * 10 + 0.5) : 0;

	*--end = (char)('0' + t % 10);
	*--end = '.';
	return put_uint(end, t / 10);
}

/* ps's TIME: [DD-]hh:mm:ss */
static char *put_time(char *end, unsigned long long s)
{
	end = put_2digits(end, s % 60);
	*--end = ':';
	end = put_2digits(end, s / 60 % 60);
	*--end = ':';
	if (s < 86400)
		return put_2digits(end, s / 3600);
	end = put_2digits(end, s / 3600 % 24);
	*--end = '-';
	return put_uint(end, s / 86400);
}

void top_row_format(struct buf *out, struct procwatch *w,
		    const struct top_rows *r, size_t k,
		    const struct top_opts *o, bool utf8)
{
	const struct proc *p = &w->procs[r->idx[k]];
	const struct watch_extra *x = &w->extra[r->idx[k]];
	const char *name;
	char num[40], *end = num + sizeof(num) - 1, prefix[256];
	size_t start;

	*end = '\0';
	plain_cell(out, COL_PID, put_uint(end, (unsigned long long)p->pid));
	buf_putc(out, ' ');
	start = out->len;
	align(out, start, esc_append(out, p->user ? p->user : "?",
				     strlen(p->user ? p->user : "?"), utf8),
	      top_cols[COL_USER].width);
	plain_cell(out, COL_STAT, p->stat);
	plain_cell(out, COL_CPU, put_tenths(end, x->cpu_pct));
	plain_cell(out, COL_MEM, put_tenths(end, x->mem_pct));
	plain_cell(out, COL_RSS, put_uint(end, p->rss_kb));
	plain_cell(out, COL_TIME, put_time(end, p->cpu_ticks /
					   (unsigned long long)w->hz));
	buf_putc(out, ' ');
	if (o->tree) {
		tree_prefix_of(r, k, utf8, prefix, sizeof(prefix));
		buf_puts(out, prefix);
	}
	if (o->cmdline && (name = procwatch_cmdline(w, (size_t)r->idx[k])) && *name) {
		esc_append(out, name, strlen(name), utf8);
	} else if (o->cmdline) {
		buf_putc(out, '[');
		esc_append(out, x->comm, strlen(x->comm), utf8);
		buf_putc(out, ']');
	} else {
		esc_append(out, x->comm, strlen(x->comm), utf8);
	}
	if (p->state == 'Z')
		buf_puts(out, " <defunct>");
}

size_t top_text_cut(const char *s, size_t len, size_t limit, size_t *cols)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, used = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(p + i, len - i, &cp);
		int w = 1;

		if (n > 1)
			w = wcwidth((wchar_t)cp);
		if (n == 0)
			n = 1;
		if (w < 0)
			w = 0;
		if (used + (size_t)w > limit)
			break;
		used += (size_t)w;
		i += n;
	}
	*cols = used;
	return i;
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *header_json(const struct procwatch *w, const struct top_counts *c)
{
	const struct sys_stats *s = &w->sys;
	static const char *const cpu_keys[CPU_STATES] = {
		"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal",
	};
	json_t *cpu = json_object(), *h;

	for (int i = 0; i < CPU_STATES; i++)
		json_object_set_new(cpu, cpu_keys[i], json_real(s->cpu_pct[i]));
	h = json_pack("{s:I, s:f, s:[f,f,f], s:{s:I, s:I, s:I, s:I, s:I, s:I}, "
		      "s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:f}",
		      "time", (json_int_t)w->now, "uptime_s", s->uptime,
		      "load", s->load[0], s->load[1], s->load[2],
		      "tasks", "total", (json_int_t)c->total,
		      "running", (json_int_t)c->running,
		      "sleeping", (json_int_t)c->sleeping,
		      "disk_sleep", (json_int_t)c->disk,
		      "stopped", (json_int_t)c->stopped,
		      "zombie", (json_int_t)c->zombie,
		      "cpu_pct", cpu,
		      "memory", "total_kb", (json_int_t)s->mem_total_kb,
		      "free_kb", (json_int_t)s->mem_free_kb,
		      "available_kb", (json_int_t)s->mem_avail_kb,
		      "buffers_kb", (json_int_t)s->mem_buffers_kb,
		      "cached_kb", (json_int_t)s->mem_cached_kb,
		      "swap_total_kb", (json_int_t)s->swap_total_kb,
		      "swap_free_kb", (json_int_t)s->swap_free_kb,
		      "interval_s", w->interval);
	if (!h)
		pmon_die(EXIT_FAIL, "out of memory building JSON");
	return h;
}

json_t *top_frame_json(struct procwatch *w, const struct top_rows *r,
		       const struct top_counts *c)
{
	json_t *procs = json_array(), *doc;

	if (!procs)
		pmon_die(EXIT_FAIL, "out of memory building JSON");
	for (size_t k = 0; k < r->n; k++) {
		const struct proc *p = &w->procs[r->idx[k]];
		const struct watch_extra *x = &w->extra[r->idx[k]];
		json_t *obj;

		procwatch_cmdline(w, (size_t)r->idx[k]);
		obj = proc_to_json(p);

		json_object_set_new(obj, "cpu_time_s",
				    json_real((double)p->cpu_ticks / (double)w->hz));
		json_object_set_new(obj, "cpu_pct", json_real(x->cpu_pct));
		json_object_set_new(obj, "mem_pct", json_real(x->mem_pct));
		if (r->have_tree)
			json_object_set_new(obj, "depth", json_integer(r->depth[k]));
		json_array_append_new(procs, obj);
	}
	doc = json_pack("{s:o, s:o}", "header", header_json(w, c),
			"processes", procs);
	if (!doc)
		pmon_die(EXIT_FAIL, "out of memory building JSON");
	return doc;
}
