/*
 * topdetail.c - the detail view of one process (Enter): its command line,
 * state, chain of parents, the system call and kernel function it waits
 * in, descriptors, cgroup, namespaces, limits, environment, and
 * sparklines of its CPU and memory while the view is open.  What the
 * watch does not hold is read now, for this one process (proc/detail.h,
 * and libproc2's tail), when the view is drawn.  Everything from the
 * process is escaped.
 */
#include <errno.h>
#include <string.h>

#include "proc/detail.h"
#include "ui/topview_int.h"
#include "util/strpool.h"
#include "view/escape.h"

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

void detail_sample(struct view *v)
{
	const struct proc *p = find_detail(v);

	if (!p)
		return;
	if (v->detail_n == METER_HISTORY) {
		memmove(v->detail_cpu, v->detail_cpu + 1, (METER_HISTORY - 1) * sizeof(double));
		memmove(v->detail_rss, v->detail_rss + 1, (METER_HISTORY - 1) * sizeof(double));
		v->detail_n--;
	}
	v->detail_cpu[v->detail_n] = p->cpu_pct;
	v->detail_rss[v->detail_n++] = (double)p->rss_kb;
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
	detail_sample(v);
}

void detail_key(struct view *v, int ch)
{
	switch (ch) {
	case KEY_UP: v->detail_scroll -= v->detail_scroll > 0; break;
	case KEY_DOWN: v->detail_scroll++; break;
	case KEY_NPAGE: v->detail_scroll += LINES / 2; break;
	case KEY_PPAGE: v->detail_scroll = v->detail_scroll > LINES / 2 ? v->detail_scroll - LINES / 2 : 0; break;
	case 'q': case 27: case '\n': case '\r': case KEY_ENTER: case KEY_LEFT:
		v->screen = SCREEN_MAIN;
		break;
	}
}

/* ---- the text ------------------------------------------------------------------ */

static void put(struct view *v, struct buf *out, const char *label, const char *raw)
{
	buf_printf(out, "%-12s ", label);
	esc_append(out, raw ? raw : "-", strlen(raw ? raw : "-"), v->utf8);
	buf_putc(out, '\n');
}

static void why(struct buf *out, const char *label)
{
	buf_printf(out, "%-12s (not readable: %s)\n", label,
		   errno == EACCES || errno == EPERM ? "permission denied" :
		   errno == ESRCH ? "the process is gone" : strerror(errno));
}

/* The chain of parents, from the watch's table (pid order). */
static void parents(struct view *v, const struct proc *p, struct buf *out)
{
	buf_printf(out, "%-12s ", "parents");
	for (int depth = 0; p && p->ppid > 0 && depth < 32; depth++) {
		const struct proc *parent = NULL;

		for (size_t i = 0; i < v->w->n && !parent; i++)
			if (v->w->procs[i].pid == p->ppid)
				parent = &v->w->procs[i];
		buf_printf(out, "%s%d", depth ? " < " : "", (int)p->ppid);
		if (parent) {
			buf_putc(out, ' ');
			esc_append(out, parent->comm, strlen(parent->comm), v->utf8);
		}
		p = parent;
	}
	buf_putc(out, '\n');
}

/* Multi-line text (limits, cgroup), indented. */
static void block(struct view *v, struct buf *out, const char *label, const char *text)
{
	const char *s = text;

	buf_printf(out, "%s:\n", label);
	while (*s) {
		size_t len = strcspn(s, "\n");

		buf_puts(out, "  ");
		esc_append(out, s, len, v->utf8);
		buf_putc(out, '\n');
		s += len + (s[len] == '\n');
	}
}

static void tail_lines(struct view *v, const struct proc *p, struct buf *out)
{
	struct proc copy = *p;
	struct proc *one = &copy;
	struct strpool *pool = strpool_new();

	copy.tail = NULL;
	(void)proc_fetch_tail(&one, 1, PI_WCHAN | PI_OOM | PI_NS, pool);
	if (copy.tail) {
		put(v, out, "wchan", copy.tail->wchan);
		buf_printf(out, "%-12s %d (oom_score_adj %d)\n", "oom score",
			   copy.tail->oom_score, copy.tail->oom_adj);
		buf_printf(out, "%-12s", "namespaces");
		for (int k = 0; k < NS_KINDS; k++)
			if (copy.tail->ns[k])
				buf_printf(out, " %s:%lu", proc_ns_names[k], copy.tail->ns[k]);
		if (!(copy.have & PI_NS))
			buf_puts(out, " (not readable: permission denied)");
		buf_putc(out, '\n');
	}
	strpool_free(pool);
}

/* The environment last: it is the longest. */
static void environment(struct view *v, const struct proc *p, struct buf *out)
{
	struct proc copy = *p;
	struct proc *one = &copy;
	struct strpool *pool = strpool_new();

	copy.tail = NULL;
	(void)proc_fetch_tail(&one, 1, PI_ENVIRON, pool);
	if (copy.tail && (copy.have & PI_ENVIRON)) {
		buf_printf(out, "environment:\n");
		for (const char *e = copy.tail->environ; e && *e;) {
			size_t len = strcspn(e, " ");

			buf_puts(out, "  ");
			esc_append(out, e, len, v->utf8);
			buf_putc(out, '\n');
			e += len + (e[len] == ' ');
		}
	} else {
		buf_printf(out, "%-12s (not readable: permission denied)\n", "environment");
	}
	strpool_free(pool);
}

static void detail_text(struct view *v, const struct proc *p, struct buf *out)
{
	struct buf text = {0};
	long nr, fds;

	buf_printf(out, "PID %d", (int)p->pid);
	if (proc_is_thread(p))
		buf_printf(out, " (a thread of %d)", (int)p->tgid);
	buf_printf(out, "  state %c  STAT %s  user ", p->state, p->stat);
	esc_append(out, p->user ? p->user : "?", strlen(p->user ? p->user : "?"), v->utf8);
	buf_printf(out, "  threads %d  nice %d\n", p->threads, p->nice);
	if (proc_cmdline_full(p->pid, &text) == 0)
		put(v, out, "command", text.len ? text.data : p->comm);
	else
		why(out, "command");
	parents(v, p, out);
	buf_printf(out, "%-12s %lu kB RSS, %lu kB virtual, %.1f%% CPU\n", "memory",
		   p->rss_kb, p->vsize_kb, p->cpu_pct);
	buf_printf(out, "%-12s ", "CPU");
	sparkline_of(v->detail_cpu, v->detail_n, 100.0, 40, v->utf8, out);
	buf_printf(out, "\n%-12s ", "RSS");
	sparkline_of(v->detail_rss, v->detail_n, 0, 40, v->utf8, out);
	buf_putc(out, '\n');
	if (proc_current_syscall(p->pid, &nr) == 0)
		buf_printf(out, nr < 0 ? "%-12s running (in user space)\n" : "%-12s %ld\n",
			   "syscall", nr);
	else
		why(out, "syscall");
	if ((fds = proc_fd_count(p->pid)) >= 0)
		buf_printf(out, "%-12s %ld\n", "open fds", fds);
	else
		why(out, "open fds");
	tail_lines(v, p, out);
	buf_reset(&text);
	if (proc_cgroup_text(p->pid, &text) == 0)
		block(v, out, "cgroup", text.data);
	buf_reset(&text);
	if (proc_limits_text(p->pid, &text) == 0)
		block(v, out, "limits", text.data);
	buf_free(&text);
	environment(v, p, out);
}

void detail_draw(struct view *v)
{
	const struct proc *p = find_detail(v);
	struct buf text = {0};
	const char *s;
	int y = 1, skip = v->detail_scroll;

	draw_text(0, 0, "Details (Up/Down scroll, q Esc Enter return)", 44, A_BOLD);
	if (!p) {
		draw_text(2, 0, "the process has exited", 22, 0);
		return;
	}
	detail_text(v, p, &text);
	for (s = text.data; s && *s && y < LINES;) {
		size_t len = strcspn(s, "\n");

		if (skip-- <= 0)
			draw_text(y++, 0, s, len, 0);
		s += len + (s[len] == '\n');
	}
	buf_free(&text);
}
