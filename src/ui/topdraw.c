/*
 * topdraw.c - top's main screen: the header meters (htop's bars, procps
 * top's lines, or none), the status line, the titles and the rows.  Only
 * placing: every figure comes from topmeter.c and every line of process
 * text from the model, already escaped.
 */
#include <stdlib.h>
#include <string.h>

#include "ui/topview_int.h"
#include "view/escape.h"

static attr_t state_attr(const struct view *v, const struct proc *p)
{
	switch (p->state) {
	case 'Z': return draw_pair(v, PAIR_ZOMBIE) | A_BOLD;
	case 'D': return draw_pair(v, PAIR_DISK);
	case 'T': case 't': return draw_pair(v, PAIR_STOPPED);
	case 'R': return draw_pair(v, PAIR_RUNNING);
	default: return proc_is_thread(p) ? draw_pair(v, PAIR_THREAD) : 0;
	}
}

/* ---- bars ------------------------------------------------------------------------ */

/* "LABEL[||||###      text]" at (y, x), width columns in all. */
static void draw_bar(const struct view *v, int y, int x, int width,
		     const char *label, const double *values, int n, double total,
		     const char *text)
{
	static const char mono[] = "|#*@";
	int inner = width - (int)strlen(label) - 2, cells[BAR_PARTS], at;

	if (inner < 4)
		return;
	draw_text(y, x, label, strlen(label), A_BOLD);
	at = x + (int)strlen(label);
	draw_text(y, at++, "[", 1, A_BOLD);
	bar_cells(values, n, total, inner, cells);
	for (int i = 0, c = 0; i < n; i++)
		for (int k = 0; k < cells[i]; k++, c++)
			draw_text(y, at + c, v->color ? "|" : &mono[i], 1,
				  draw_pair(v, (enum pair)(PAIR_BAR0 + i)));
	/* the figure, right-aligned inside the bar, over the fill */
	if ((int)strlen(text) < inner)
		draw_text(y, at + inner - (int)strlen(text), text, strlen(text), A_BOLD);
	draw_text(y, at + inner, "]", 1, A_BOLD);
}

static void cpu_bar(const struct view *v, int y, int x, int width,
		    const struct cpu_use *u, const char *label)
{
	double vals[BAR_PARTS];
	char text[16];

	cpu_bar_values(u, vals);
	snprintf(text, sizeof(text), "%.1f%%", u->busy_pct);
	draw_bar(v, y, x, width, label, vals, BAR_PARTS, 100.0, text);
}

static void draw_cpu_row(const struct view *v, int y, int row)
{
	const struct sys_stats *s = &v->w->sys;
	int per, rows, w;

	cpu_layout(s->ncpus, &per, &rows);
	w = COLS / per;
	for (int i = 0; i < per && row * per + i < s->ncpus; i++) {
		const struct cpu_use *u = &s->cpus[row * per + i];
		char label[8];

		snprintf(label, sizeof(label), "%3d", u->id);
		cpu_bar(v, y, i * w, w - 1, u, label);
	}
}

static void draw_cpu_grid(struct view *v, int y, int row)
{
	const struct sys_stats *s = &v->w->sys;
	int cells = COLS - 6, from = row * cells;
	double busy[4096];
	int n = 0;

	for (int i = from; i < s->ncpus && i < from + cells && n < 4096; i++)
		busy[n++] = s->cpus[i].busy_pct;
	buf_reset(&v->line);
	sparkline_of(busy, (size_t)n, 100.0, (size_t)n, v->utf8, &v->line);
	draw_text(y, 0, row ? "     " : "CPUs ", 5, A_BOLD);
	draw_text(y, 5, v->line.data, v->line.len, draw_pair(v, PAIR_BAR0));
}

static void draw_mem(const struct view *v, int y)
{
	const struct sys_stats *s = &v->w->sys;
	double vals[BAR_PARTS], total, swap[1] = {(double)s->swap_used_kb};
	char used[16], all[16], text[40];
	int half = COLS / 2;

	mem_bar_values(s, vals, &total);
	human_bytes((double)s->mem_used_kb * 1024, used, sizeof(used));
	human_bytes((double)s->mem_total_kb * 1024, all, sizeof(all));
	snprintf(text, sizeof(text), "%s/%s", used, all);
	draw_bar(v, y, 0, half - 1, "Mem", vals, 3, total, text);
	human_bytes((double)s->swap_used_kb * 1024, used, sizeof(used));
	human_bytes((double)s->swap_total_kb * 1024, all, sizeof(all));
	snprintf(text, sizeof(text), "%s/%s", used, all);
	draw_bar(v, y, half, COLS - half, "Swp", swap, 1, (double)s->swap_total_kb, text);
}

/* The Tasks line, its zombie count highlighted (kept on screen: the
 * short form when the long one is too wide). */
static void draw_tasks(struct view *v, int y, const struct top_header *hdr)
{
	const char *line = hdr->line[1];
	size_t at = hdr->zombie_at;

	if (strlen(line) > (size_t)COLS)
		line = hdr->tasks_short, at = hdr->short_zombie_at;
	draw_text(y, 0, line, strlen(line), 0);
	if (state_counts_of(&v->rows.counts, "Z") && (int)at < COLS)
		draw_text(y, (int)at, line + at, hdr->zombie_len,
			  A_BOLD | (v->color ? draw_pair(v, PAIR_ZOMBIE) : A_REVERSE));
}

static void draw_psi(struct view *v, int y)
{
	static const char *const short_names[PSI_KINDS] = {"cpu", "mem", "io"};
	const struct sys_stats *s = &v->w->sys;

	buf_reset(&v->line);
	buf_puts(&v->line, "PSI some");
	for (int k = 0; k < PSI_KINDS; k++)
		if (s->psi[k].some.have)
			buf_printf(&v->line, "  %s %.1f %.1f %.1f", short_names[k],
				   s->psi[k].some.avg10, s->psi[k].some.avg60,
				   s->psi[k].some.avg300);
	buf_puts(&v->line, "   full");
	for (int k = 1; k < PSI_KINDS; k++)
		if (s->psi[k].full.have)
			buf_printf(&v->line, "  %s %.1f", short_names[k], s->psi[k].full.avg10);
	draw_text(y, 0, v->line.data, v->line.len, 0);
}

static void draw_io(struct view *v, int y)
{
	const struct sys_stats *s = &v->w->sys;
	char a[16], b[16], c[16], d[16];

	human_bytes(s->disk_read_bps, a, sizeof(a));
	human_bytes(s->disk_write_bps, b, sizeof(b));
	human_bytes(s->net_rx_bps, c, sizeof(c));
	human_bytes(s->net_tx_bps, d, sizeof(d));
	buf_reset(&v->line);
	buf_printf(&v->line, "Disk read %s/s write %s/s   Net rx %s/s tx %s/s",
		   s->have_disk ? a : "-", s->have_disk ? b : "-",
		   s->have_net ? c : "-", s->have_net ? d : "-");
	draw_text(y, 0, v->line.data, v->line.len, 0);
}

static void draw_spark(struct view *v, int y)
{
	int half = COLS / 2, w = half - 6 > 0 ? half - 6 : 1;

	buf_reset(&v->line);
	sparkline(v->hist.cpu, &v->hist, (size_t)w, v->utf8, &v->line);
	draw_text(y, 0, "CPU ", 4, A_BOLD);
	draw_text(y, 4, v->line.data, v->line.len, draw_pair(v, PAIR_BAR0));
	buf_reset(&v->line);
	sparkline(v->hist.mem, &v->hist, (size_t)w, v->utf8, &v->line);
	draw_text(y, half, "MEM ", 4, A_BOLD);
	draw_text(y, half + 4, v->line.data, v->line.len, draw_pair(v, PAIR_BAR1));
}

static void draw_hline(struct view *v, int y, const struct hline *h,
		       const struct top_header *hdr)
{
	switch (h->kind) {
	case HL_TEXT: draw_text(y, 0, hdr->line[h->arg], strlen(hdr->line[h->arg]), 0); break;
	case HL_CPUROW: draw_cpu_row(v, y, h->arg); break;
	case HL_CPUGRID: draw_cpu_grid(v, y, h->arg); break;
	case HL_CPUONE: cpu_bar(v, y, 0, COLS, &v->w->sys.cpu, "CPU"); break;
	case HL_MEM: draw_mem(v, y); break;
	case HL_TASKS: draw_tasks(v, y, hdr); break;
	case HL_LOAD: draw_text(y, 0, hdr->line[0], strlen(hdr->line[0]), 0); break;
	case HL_PSI: draw_psi(v, y); break;
	case HL_IO: draw_io(v, y); break;
	case HL_SPARK: draw_spark(v, y); break;
	}
}

static void draw_header(struct view *v)
{
	struct hline h[HL_MAX];
	struct top_header hdr;
	int n = header_choose(h, header_plan(v, h), header_budget());

	top_header_format(&hdr, v->w, &v->rows.counts);
	for (int i = 0; i < n; i++)
		draw_hline(v, i, &h[i], &hdr);
}

/* ---- the status line, titles and rows ------------------------------------------------- */

/* Whose claim the selected process is under, and why. */
static void claim_text(struct view *v)
{
	const struct proc *p = view_selected(v);
	const struct chat_claim *c;
	bool mine;

	if (!p || !(c = roompane_claim_of(v, p, &mine)))
		return;
	buf_printf(&v->line, "[claimed by %s", mine ? "you" : c->name);
	if (c->reason[0]) {
		buf_puts(&v->line, ": ");
		esc_append(&v->line, c->reason, strlen(c->reason), v->utf8);
	}
	buf_puts(&v->line, "] ");
}

static void status_text(struct view *v)
{
	if (v->paused)
		buf_puts(&v->line, "[paused] ");
	if (v->o->tree)
		buf_puts(&v->line, "[tree] ");
	if (v->o->threads)
		buf_puts(&v->line, "[threads] ");
	if (v->o->zombies_only)
		buf_puts(&v->line, "[zombies] ");
	if (v->ntags)
		buf_printf(&v->line, "[%zu tagged] ", v->ntags);
	claim_text(v);
	if (top_filter_active(&v->o->filter)) {
		buf_puts(&v->line, "[filter: ");
		esc_append(&v->line, v->o->filter.text, strlen(v->o->filter.text), v->utf8);
		buf_puts(&v->line, "] ");
	}
	buf_printf(&v->line, "sort %s%s, %.1fs delay; h for help",
		   v->o->sort.f->title, v->o->sort.reverse ? " reversed" : "", v->o->delay);
}

static void draw_status(struct view *v, int y)
{
	buf_reset(&v->line);
	if (v->prompt != PROMPT_NONE)
		prompt_line(v, &v->line);
	else if (v->msg[0])
		buf_puts(&v->line, v->msg);
	else
		status_text(v);
	draw_text(y, 0, v->line.data, v->line.len,
		  v->msg_error && v->prompt == PROMPT_NONE ?
		  A_BOLD | draw_pair(v, PAIR_ZOMBIE) : A_BOLD);
}

static void draw_titles(struct view *v, int y)
{
	int x = v->mark_w;

	buf_reset(&v->line);
	top_titles_format(&v->line, v->o, &v->cols);
	attron(A_REVERSE);
	mvhline(y, 0, ' ', COLS);
	if (v->mark_w)
		draw_text(y, 0, "C", 1, A_REVERSE);
	draw_text(y, x, v->line.data, v->line.len, A_REVERSE);
	/* Mark the sort column, as top does with its highlighted column. */
	for (size_t i = 0; i < v->cols.n; i++) {
		const struct field *f = v->cols.f[i];
		int w = abs(f->width), len = (int)strlen(f->title);

		if (f->key == v->o->sort.f->key)
			draw_text(y, f->width > 0 && i + 1 < v->cols.n ? x + w - len : x,
				  f->title, (size_t)len, A_REVERSE | A_BOLD | A_UNDERLINE);
		x += w + 1;
	}
	attroff(A_REVERSE);
}

/* C: claimed by someone else; c: by you (the status line says by whom). */
static void draw_claim_mark(struct view *v, const struct proc *p, int y, attr_t attr)
{
	bool mine;

	if (roompane_claim_of(v, p, &mine))
		draw_text(y, 0, mine ? "c" : "C", 1, attr | A_BOLD);
}

static void draw_rows(struct view *v, int y0)
{
	size_t n = v->list_end > y0 ? (size_t)(v->list_end - y0) : 0;

	for (size_t i = 0; i < n && v->top + i < v->rows.n; i++) {
		size_t k = v->top + i;
		const struct proc *p = top_row_proc(v->w, &v->rows, k);
		bool tagged = act_is_tagged(v, p);
		attr_t attr = k == v->sel ? A_REVERSE :
			tagged ? draw_pair(v, PAIR_TAG) | A_BOLD : state_attr(v, p);

		buf_reset(&v->line);
		top_row_format(&v->line, v->w, &v->rows, k, v->o, &v->cols, v->utf8,
			       &v->scratch);
		if (k == v->sel)
			mvchgat(y0 + (int)i, 0, -1, A_REVERSE, 0, NULL);
		draw_text(y0 + (int)i, v->mark_w, v->line.data, v->line.len, attr);
		if (tagged) /* visible without colour too */
			draw_text(y0 + (int)i, v->mark_w, "*", 1, attr | A_BOLD);
		if (v->mark_w)
			draw_claim_mark(v, p, y0 + (int)i, attr);
	}
	if (v->rows.n == 0 && n > 0)
		draw_text(y0, 0, "(no process matches)", 20, 0);
}

/* The results of acting on several processes, a line each, over the
 * rows until a key is pressed. */
static void draw_results(struct view *v, int y0)
{
	const char *s = v->results.data ? v->results.data : "";
	int y = y0;

	for (int l = y0; l < LINES; l++) { /* the rows it is drawn over */
		move(l, 0);
		clrtoeol();
	}
	draw_text(y++, 0, "Results (any key returns):", 26, A_BOLD);
	while (*s && y < LINES) {
		const char *e = strchr(s, '\n');
		size_t len = e ? (size_t)(e - s) : strlen(s);

		if (y == LINES - 1 && e && e[1]) { /* more than fit */
			char more[64];
			size_t left = 0;

			for (const char *t = s; *t; t++)
				left += *t == '\n';
			snprintf(more, sizeof(more), "... and %zu more", left);
			draw_text(y++, 0, more, strlen(more), A_BOLD);
			break;
		}
		draw_text(y++, 0, s, len, 0);
		s += len + (e != NULL);
	}
}

void draw_main(struct view *v)
{
	draw_layout(v);
	draw_header(v);
	if (LINES > 2)
		draw_status(v, v->header_lines);
	if (LINES > 1)
		draw_titles(v, v->title_y);
	draw_rows(v, v->list_y);
	if (v->list_end < LINES)
		roompane_draw(v);
	if (v->screen == SCREEN_RESULTS)
		draw_results(v, v->list_y);
}
