/*
 * topdetail.c - the detail view of one process (Enter): a line from the
 * watch (pid, state, user, threads, nice), sparklines of its CPU and
 * memory while the view is open, then everything `pmon inspect` says of
 * it, from inspect's model (inspect_read.c) and its text (inspect_show.c):
 * the same facts in the same words, the call it waits in decoded, its
 * family, signals, credentials, resources and what pmon can do.  The
 * model is read once per refresh, through the process layer; the
 * environment (which inspect does not show) comes from libproc2's tail.
 * Everything from the process is escaped (by the output's wrapping, or
 * here).
 */
#include <limits.h>
#include <string.h>

#include "ui/inspect.h"
#include "ui/topview_int.h"
#include "util/strpool.h"
#include "view/escape.h"
#include "view/output.h"

static const struct proc *find_detail(const struct view *v)
{
	for (size_t i = 0; i < v->w->n; i++)
		if (v->w->procs[i].pid == v->detail.pid &&
		    v->w->procs[i].start_ticks == v->detail.start_ticks)
			return &v->w->procs[i];
	for (size_t k = 0; k < v->w->ntasks; k++)
		if (v->w->tasks[k].pid == v->detail.pid &&
		    v->w->tasks[k].start_ticks == v->detail.start_ticks)
			return &v->w->tasks[k];
	return NULL;
}

void detail_close(struct view *v)
{
	if (v->detail_ins) {
		inspect_free(v->detail_ins);
		free(v->detail_ins);
		v->detail_ins = NULL;
	}
}

/* Inspect the process (for a thread, its process) again.  The CPU use
 * "now" is over the time since the reading before: inspect's own sample
 * without its pause. */
static void detail_inspect(struct view *v, const struct proc *p)
{
	struct inspection *now = xcalloc(1, sizeof(*now));
	struct inspection *before = v->detail_ins;

	inspect_read(proc_is_thread(p) ? p->tgid : p->pid, now, v->utf8);
	if (!now->err && before && !before->err &&
	    before->p->start_ticks == now->p->start_ticks)
		inspect_sample_since(now, before);
	detail_close(v);
	v->detail_ins = now;
}

void detail_sample(struct view *v)
{
	const struct proc *p = find_detail(v);

	if (!p) {
		detail_close(v);
		return;
	}
	if (v->detail_n == METER_HISTORY) {
		memmove(v->detail_cpu, v->detail_cpu + 1, (METER_HISTORY - 1) * sizeof(double));
		memmove(v->detail_rss, v->detail_rss + 1, (METER_HISTORY - 1) * sizeof(double));
		v->detail_n--;
	}
	v->detail_cpu[v->detail_n] = p->cpu_pct;
	v->detail_rss[v->detail_n++] = (double)p->rss_kb;
	detail_inspect(v, p);
}

void detail_open(struct view *v)
{
	const struct proc *p = view_selected(v);

	if (!p) {
		view_message(v, true, "no process selected");
		return;
	}
	v->detail = proc_ref_of(p);
	v->detail_n = 0;
	v->detail_scroll = 0;
	v->screen = SCREEN_DETAIL;
	detail_close(v);
	detail_sample(v);
}

void detail_key(struct view *v, int ch)
{
	switch (ch) {
	case KEY_UP: v->detail_scroll -= v->detail_scroll > 0; break;
	case KEY_DOWN: v->detail_scroll++; break;
	case KEY_NPAGE: v->detail_scroll += LINES / 2; break;
	case KEY_PPAGE: v->detail_scroll = v->detail_scroll > LINES / 2 ? v->detail_scroll - LINES / 2 : 0; break;
	case KEY_HOME: v->detail_scroll = 0; break;
	case KEY_END: v->detail_scroll = INT_MAX; break; /* detail_draw clamps */
	case 'q': case 27: case '\n': case '\r': case KEY_ENTER: case KEY_LEFT:
		v->screen = SCREEN_MAIN;
		detail_close(v);
		break;
	}
}

/* ---- the text ------------------------------------------------------------------ */

/* The environment last: it is the longest, and inspect leaves it out. */
static void environment(struct view *v, const struct proc *p, struct buf *out)
{
	struct proc copy = *p;
	struct proc *one = &copy;
	struct strpool *pool = strpool_new();

	copy.tail = NULL;
	(void)proc_fetch_tail(&one, 1, PI_ENVIRON, pool);
	buf_puts(out, "  environment\n");
	if (copy.tail && (copy.have & PI_ENVIRON)) {
		if (!copy.tail->environ[0])
			buf_puts(out, "    (empty)\n");
		for (const char *const *e = copy.tail->environ; *e; e++) {
			buf_puts(out, "    ");
			esc_append(out, *e, strlen(*e), v->utf8);
			buf_putc(out, '\n');
		}
	} else {
		buf_puts(out, "    not readable (another account's process: run as "
			 "root or as its user)\n");
	}
	strpool_free(pool);
}

/* inspect's text at the terminal's width, into out. */
static void inspect_text(struct view *v, struct buf *out)
{
	struct output o;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	output_init(&o, f, true);
	o.color = false;
	o.utf8 = v->utf8;
	o.width = COLS > 0 ? (size_t)COLS : 80;
	if (v->detail_ins->err)
		buf_puts(out, "  (the process exited while it was read)\n");
	else
		inspect_print(&o, v->detail_ins);
	output_free(&o);
	fclose(f);
	buf_append(out, text ? text : "", len);
	free(text);
}

static void detail_text(struct view *v, const struct proc *p, struct buf *out)
{
	buf_printf(out, "PID %d", (int)p->pid);
	if (proc_is_thread(p))
		buf_printf(out, " (a thread of %d)", (int)p->tgid);
	buf_printf(out, "  state %c  STAT %s  user ", p->state, p->stat);
	esc_append(out, p->user ? p->user : "?", strlen(p->user ? p->user : "?"), v->utf8);
	buf_printf(out, "  threads %d  nice %d\n", p->threads, p->nice);
	buf_printf(out, "%-12s ", "CPU");
	sparkline_of(v->detail_cpu, v->detail_n, 100.0, 40, v->utf8, out);
	buf_printf(out, "  %.1f%%\n%-12s ", p->cpu_pct, "RSS");
	sparkline_of(v->detail_rss, v->detail_n, 0, 40, v->utf8, out);
	buf_printf(out, "  %lu kB\n", p->rss_kb);
	if (v->detail_ins)
		inspect_text(v, out);
	environment(v, p, out);
}

void detail_draw(struct view *v)
{
	const struct proc *p = find_detail(v);
	struct buf text = {0};
	static const char title[] = "Details (Up/Down, PgUp/PgDn, Home/End scroll;"
				    " q Esc Enter return)";
	const char *s;
	int y = 1, skip, lines = 0;

	draw_text(0, 0, title, sizeof(title) - 1, A_BOLD);
	if (!p) {
		draw_text(2, 0, "the process has exited", 22, 0);
		return;
	}
	detail_text(v, p, &text);
	/* Scrolled no further than its last line at the bottom. */
	for (s = text.data; s && *s; s += strcspn(s, "\n") + (s[strcspn(s, "\n")] == '\n'))
		lines++;
	if (v->detail_scroll > lines - (LINES - 1))
		v->detail_scroll = lines - (LINES - 1);
	if (v->detail_scroll < 0)
		v->detail_scroll = 0;
	skip = v->detail_scroll;
	for (s = text.data; s && *s && y < LINES;) {
		size_t len = strcspn(s, "\n");

		if (skip-- <= 0)
			draw_text(y++, 0, s, len, 0);
		s += len + (s[len] == '\n');
	}
	buf_free(&text);
}
