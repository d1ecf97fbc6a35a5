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

const char *const top_meters_names[METERS_MODES] = {"bars", "text", "off"};
const char *const top_cpus_names[CPUS_MODES] = {"each", "one"};
const char *const top_theme_names[THEME_COUNT] = {"default", "monochrome", "high-contrast"};

static const char *const default_cols[] = {
	"pid", "user", "stat", "cpu_pct", "mem_pct", "rss_kb", "cpu_time_s", "comm",
};

void top_opts_default(struct top_opts *o)
{
	field_list_of(&o->cols, default_cols, ARRAY_LEN(default_cols));
	o->sort = (struct field_sort){field_find("cpu_pct"), false};
	o->meters = METERS_BARS;
	o->cpus = CPUS_EACH;
	o->theme = THEME_DEFAULT;
	o->delay = 3.0;
	top_opts_sync_name(o);
}

void top_opts_free(struct top_opts *o)
{
	free(o->uids);
	free(o->pids);
	free(o->folds);
	top_filter_free(&o->filter);
	o->uids = NULL, o->pids = NULL, o->folds = NULL;
	o->nuids = o->npids = o->nfolds = o->folds_cap = 0;
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

	/* decimal, as the rule says: strtod would take 0x1 and 1e2 too */
	if (!*s || strspn(s, "0123456789.") != strlen(s))
		return -1;
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

/* The `z` filter and the filter line, on what the watch holds (what
 * the filter looks at was fetched before: top_select_need). */
static bool passes_filters(const struct proc *p, const struct top_opts *o)
{
	if (o->zombies_only && !proc_is_zombie(p))
		return false;
	return top_filter_match(&o->filter, p);
}

unsigned top_select_need(const struct top_opts *o)
{
	/* Not PI_STATE: the Tasks counts may be a few refreshes old for a
	 * process that sleeps (watch.h), and z's zombies are exact (a
	 * process becomes one by running). */
	unsigned need = PI_UID | PI_THREADS | top_filter_need(&o->filter);

	if (o->tree)
		need |= PI_PPID;
	if (o->sort.f) /* the tree orders siblings by it too */
		need |= o->sort.f->need;
	return need;
}

/* ---- folds --------------------------------------------------------------- */

static ssize_t fold_index(const struct top_opts *o, const struct proc *p)
{
	return proc_ref_index(o->folds, o->nfolds, p->pid, p->start_ticks);
}

bool top_is_folded(const struct top_opts *o, const struct proc *p)
{
	return (fold_index(o, p) >= 0) != o->fold_all;
}

void top_fold_toggle(struct top_opts *o, const struct proc *p)
{
	ssize_t i = fold_index(o, p);

	if (i >= 0) {
		o->folds[i] = o->folds[--o->nfolds];
		return;
	}
	if (o->nfolds == o->folds_cap) {
		o->folds_cap = o->folds_cap ? 2 * o->folds_cap : 16;
		o->folds = xreallocarray(o->folds, o->folds_cap, sizeof(*o->folds));
	}
	o->folds[o->nfolds++] = proc_ref_of(p);
}

void top_fold_all(struct top_opts *o, bool folded)
{
	o->fold_all = folded;
	o->nfolds = 0;
}

bool top_row_has_children(const struct top_rows *r, size_t k)
{
	return r->have_tree && k < r->n && r->tree.first_child[r->node[k]] >= 0;
}

/* ---- search ---------------------------------------------------------------- */

long top_find(const struct procwatch *w, const struct top_rows *r,
	      const char *text, size_t from, int dir)
{
	if (!*text || !r->n)
		return -1;
	for (size_t step = 0; step < r->n; step++) {
		size_t k = dir > 0 ? (from + step) % r->n : (from + r->n - step % r->n) % r->n;
		const struct proc *p = top_row_proc(w, r, k);

		if ((p->comm && strcasestr(p->comm, text)) ||
		    (p->cmdline && strcasestr(p->cmdline, text)))
			return (long)k;
	}
	return -1;
}

unsigned top_show_need(const struct top_opts *o)
{
	return field_list_need(&o->cols) | o->also_show;
}

/* The sort of the frame: the field's natural order, reversed by R. */
static int compare(const void *a, const void *b, void *arg)
{
	const void *const *ctx = arg;
	const struct procwatch *w = ctx[0];
	const struct field_sort *s = ctx[1];

	return field_sort_cmp(s, procwatch_row(w, *(const int32_t *)a),
			      procwatch_row(w, *(const int32_t *)b));
}

/* The rows of the majority key of s among idx[0..n) (Boyer-Moore's vote,
 * checked by a count), in *same; NULL when no key has more than half or
 * those rows are not in pid order (threads shown, say). */
static const struct proc *majority_key(const int32_t *idx, size_t n,
				       const struct procwatch *w,
				       const struct field_sort *s, size_t *same)
{
	const struct proc *major = NULL;
	size_t votes = 0;
	pid_t last = 0;

	for (size_t i = 0; i < n; i++) {
		const struct proc *p = procwatch_row(w, idx[i]);

		if (!votes)
			major = p, votes = 1;
		else if (s->f->cmp(major, p) == 0)
			votes++;
		else
			votes--;
	}
	*same = 0;
	for (size_t i = 0; major && i < n; i++) {
		const struct proc *p = procwatch_row(w, idx[i]);

		if (s->f->cmp(major, p) != 0)
			continue;
		if (*same && p->pid <= last)
			return NULL;
		last = p->pid;
		++*same;
	}
	return *same > n / 2 ? major : NULL;
}

/*
 * idx[0..n) in the order of s.  Most rows of a refresh share one key
 * (%CPU 0: every process that did not run) and are in pid order already,
 * the table's, which is how ties are broken: they are set aside, the
 * rest sorted, and their block put back where its key goes.  At 10,000
 * processes sorting every row was 3% of a `pmon top -b` refresh with the
 * task iterator (perf); the vote and the partition are two passes.
 */
static void sort_rows(int32_t *idx, size_t n, const struct procwatch *w,
		      const struct field_sort *s)
{
	const void *ctx[2] = {w, s};
	size_t same, rest = 0, k = 0, at;
	const struct proc *major = majority_key(idx, n, w, s, &same);
	int32_t *block;

	if (!major) {
		qsort_r(idx, n, sizeof(*idx), compare, ctx);
		return;
	}
	block = xreallocarray(NULL, same, sizeof(*block));
	for (size_t i = 0; i < n; i++) {
		if (s->f->cmp(major, procwatch_row(w, idx[i])) == 0)
			block[k++] = idx[i];
		else
			idx[rest++] = idx[i];
	}
	qsort_r(idx, rest, sizeof(*idx), compare, ctx);
	for (at = rest; at > 0; at--) /* after every row that sorts before it */
		if (field_sort_cmp(s, procwatch_row(w, idx[at - 1]), major) < 0)
			break;
	memmove(idx + at + same, idx + at, (rest - at) * sizeof(*idx));
	memcpy(idx + at, block, same * sizeof(*idx));
	free(block);
}

static void grow(struct top_rows *r, size_t n)
{
	if (n <= r->cap)
		return;
	r->cap = n + n / 4 + 64;
	r->idx = xreallocarray(r->idx, r->cap, sizeof(*r->idx));
	r->depth = xreallocarray(r->depth, r->cap, sizeof(*r->depth));
	r->hidden = xreallocarray(r->hidden, r->cap, sizeof(*r->hidden));
	r->node = xreallocarray(r->node, r->cap, sizeof(*r->node));
	r->map = xreallocarray(r->map, r->cap, sizeof(*r->map));
	r->sub = xreallocarray(r->sub, r->cap, sizeof(*r->sub));
}

/* Siblings in the tree follow the sort, as htop orders them. */
static int node_order(int32_t a, int32_t b, void *arg)
{
	const void *const *ctx = arg;
	const struct top_rows *r = ctx[0];
	const struct field_sort *s = ctx[1];
	int c = s->f->cmp(&r->sub[a], &r->sub[b]);

	return s->reverse ? -c : c;
}

/* Keep pre-order rows [0, n) but the subtrees of folded nodes, counting
 * in hidden[] what each fold hides. */
static void apply_folds(struct top_rows *r, const struct top_opts *o)
{
	size_t out = 0;

	for (size_t k = 0; k < r->n;) {
		int32_t node = r->node[k], d = r->depth[k];
		size_t next = k + 1;

		r->node[out] = node;
		r->depth[out] = d;
		r->hidden[out] = 0;
		if (r->tree.first_child[node] >= 0 && top_is_folded(o, &r->sub[node])) {
			while (next < r->n && r->depth[next] > d)
				next++;
			r->hidden[out] = (int32_t)(next - k - 1);
		}
		out++;
		k = next;
	}
	r->n = out;
}

/* The tree view over the m rows shown (gathered in sub[] and map[] by
 * top_rows_build, in pid order): each under its parent when that is
 * shown too (else a root), in pre-order, siblings in the sort's order;
 * thread rows under their process.  The tree is built over just those,
 * so a filter never drags in the chain of ancestors up to PID 1. */
static void build_tree(struct top_rows *r, size_t m, const struct field_sort *s)
{
	const void *ctx[2] = {r, s};

	tree_build(&r->tree, r->sub, m);
	r->have_tree = true;
	if (s->f)
		tree_sort_children(&r->tree, node_order, ctx);
	r->n = tree_preorder(&r->tree, r->node, r->depth);
}

static int sub_by_pid(const void *a, const void *b, void *arg)
{
	const struct procwatch *w = arg;
	pid_t x = procwatch_row(w, *(const int32_t *)a)->pid;
	pid_t y = procwatch_row(w, *(const int32_t *)b)->pid;

	return (x > y) - (x < y);
}

/* The rows of the tree view: sub[] and map[] in pid order (threads are
 * among the processes by their tid), each thread's parent its process. */
static void tree_rows(struct top_rows *r, const struct procwatch *w,
		      const struct top_opts *o, const struct field_sort *s)
{
	size_t m = r->n;

	if (o->threads)
		qsort_r(r->idx, m, sizeof(*r->idx), sub_by_pid, (void *)w);
	for (size_t k = 0; k < m; k++) {
		r->map[k] = r->idx[k];
		r->sub[k] = *procwatch_row(w, r->idx[k]);
		if (proc_is_thread(&r->sub[k]))
			r->sub[k].ppid = r->sub[k].tgid;
	}
	build_tree(r, m, s);
	apply_folds(r, o);
	for (size_t k = 0; k < r->n; k++)
		r->idx[k] = r->map[r->node[k]];
}

/* Is the process of pid selected (for a thread row: its process)? */
static const struct proc *process_of(const struct procwatch *w, pid_t pid)
{
	size_t lo = 0, hi = w->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->procs[mid].pid == pid)
			return &w->procs[mid];
		if (w->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Thread rows: each thread of a selected process that passes the
 * filters itself. */
static void add_threads(struct top_rows *r, const struct procwatch *w,
			const struct top_opts *o)
{
	for (size_t k = 0; k < w->ntasks; k++) {
		const struct proc *t = &w->tasks[k], *p = process_of(w, t->tgid);

		if (p && selected(p, o) && passes_filters(t, o)) {
			r->depth[r->n] = 0;
			r->hidden[r->n] = 0;
			r->idx[r->n++] = -1 - (int32_t)k;
		}
	}
}

void top_rows_build(struct top_rows *r, const struct procwatch *w,
		    const struct top_opts *o)
{
	struct field_sort s = o->sort;

	if (r->have_tree)
		tree_free(&r->tree);
	r->have_tree = false;
	grow(r, w->n + (o->threads ? w->ntasks : 0));
	memset(&r->counts, 0, sizeof(r->counts));
	r->n = 0;
	if (s.f)
		s.reverse = o->sort.reverse != !!(s.f->flags & FIELD_DESCENDING);
	/* One pass: the selection is counted, the filters pick the rows. */
	for (size_t i = 0; i < w->n; i++) {
		const struct proc *p = &w->procs[i];

		if (!selected(p, o))
			continue;
		state_counts_add(&r->counts, p->state, p->threads);
		if (!passes_filters(p, o))
			continue;
		r->depth[r->n] = 0;
		r->hidden[r->n] = 0;
		r->idx[r->n++] = (int32_t)i;
	}
	if (o->threads)
		add_threads(r, w, o);
	if (o->tree) {
		tree_rows(r, w, o, &s);
		return;
	}
	if (s.f)
		sort_rows(r->idx, r->n, w, &s);
}

void top_rows_free(struct top_rows *r)
{
	if (r->have_tree)
		tree_free(&r->tree);
	free(r->idx);
	free(r->depth);
	free(r->hidden);
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

void top_titles_format(struct buf *out, const struct top_opts *o,
		       const struct field_list *cols)
{
	table_titles(out, cols ? cols : &o->cols);
}

/* Levels of a tree drawn in full; a deeper row draws its last ones after
 * a mark, so that its name keeps its room (at depth 20 the indent had
 * pushed the name off a 120-column screen). */
enum { TREE_LEVELS_DRAWN = 10 };

static void tree_prefix_of(const struct top_rows *r, size_t k, bool utf8,
			   char *out, size_t size)
{
	int32_t path[64], node = r->node[k], depth = r->depth[k], skip = 0;
	size_t len = 0;

	out[0] = '\0';
	if (depth <= 0)
		return;
	if (depth >= (int32_t)ARRAY_LEN(path)) /* deeper than any screen */
		depth = ARRAY_LEN(path) - 1;
	for (int32_t d = depth; d >= 0 && node >= 0; d--) {
		path[d] = node;
		node = r->tree.parent[node];
	}
	if (depth > TREE_LEVELS_DRAWN) {
		skip = depth - TREE_LEVELS_DRAWN;
		len = (size_t)snprintf(out, size, "%s%d ", utf8 ? "\u2026" : "...",
				       (int)skip); /* "…12 ": 12 levels not drawn */
	}
	if (len < size)
		tree_prefix(&r->tree, path + skip, depth - skip,
			    utf8 ? &tree_glyphs_utf8 : &tree_glyphs_ascii,
			    out + len, size - len);
}

void top_row_format(struct buf *out, const struct procwatch *w,
		    const struct top_rows *r, size_t k,
		    const struct top_opts *o, const struct field_list *cols,
		    bool utf8, struct buf *scratch)
{
	const struct table_style st = {.utf8 = utf8};
	char prefix[320];

	prefix[0] = '\0';
	if (o->tree && r->have_tree) {
		size_t len;

		tree_prefix_of(r, k, utf8, prefix, sizeof(prefix));
		len = strlen(prefix);
		/* A folded node says how many rows it hides. */
		if (r->hidden[k] > 0)
			snprintf(prefix + len, sizeof(prefix) - len, "[+%d] ",
				 (int)r->hidden[k]);
	}
	table_row(out, cols ? cols : &o->cols, top_row_proc(w, r, k), prefix, &st,
		  scratch);
}

/* ---- narrow terminals ------------------------------------------------------ */

/* The columns kept longest, most needed first; any other goes before
 * these. */
static const char *const keep_order[] = {
	"pid", "cpu_pct", "stat", "state", "user", "mem_pct", "rss_kb",
	"cpu_time_s", "time_plus", "threads", "nice",
};

static int keep_rank(const struct field *f)
{
	for (size_t i = 0; i < ARRAY_LEN(keep_order); i++)
		if (strcmp(f->key, keep_order[i]) == 0)
			return (int)(ARRAY_LEN(keep_order) - i);
	return 0;
}

static size_t cols_width(const struct field_list *l)
{
	size_t w = 0;

	for (size_t i = 0; i + 1 < l->n; i++)
		w += (size_t)abs(l->f[i]->width) + 1;
	return w;
}

void top_fit_columns(const struct field_list *in, size_t width,
		     struct field_list *out, struct field storage[64])
{
	*out = *in;
	if (cols_width(out) + TOP_NAME_MIN <= width || out->n < 2)
		return;
	/* Shrink wide left-aligned text (it is cut with '+'). */
	for (size_t i = 0; i + 1 < out->n; i++)
		if (out->f[i]->width < -6 && FIELD_IS_TEXT(out->f[i])) {
			storage[i] = *out->f[i];
			storage[i].width = -6;
			out->f[i] = &storage[i];
		}
	/* Then hide, the least needed first, the rightmost of equals. */
	while (cols_width(out) + TOP_NAME_MIN > width && out->n > 2) {
		size_t drop = SIZE_MAX;

		for (size_t i = 0; i + 1 < out->n; i++)
			if (strcmp(out->f[i]->key, "pid") != 0 &&
			    (drop == SIZE_MAX || keep_rank(out->f[i]) <= keep_rank(out->f[drop])))
				drop = i;
		if (drop == SIZE_MAX)
			break;
		memmove(&out->f[drop], &out->f[drop + 1],
			(out->n - drop - 1) * sizeof(out->f[0]));
		out->n--;
	}
}

void top_json_keys(const struct top_opts *o, bool cols_given,
		   struct field_list *keys)
{
	static const char *const extra[] = {"cpu_time_s", "cpu_pct", "mem_pct"};
	char why[128]; /* unused: the keys exist */

	if (cols_given) {
		*keys = o->cols;
		return;
	}
	json_default_fields(keys);
	for (size_t i = 0; i < ARRAY_LEN(extra); i++)
		(void)field_list_parse(keys, extra[i], "-o", why, sizeof(why));
}
