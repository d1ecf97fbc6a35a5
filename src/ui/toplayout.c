/*
 * toplayout.c - where things go on top's main screen, before anything is
 * drawn: the header lines kept at this size (by priority), the line of
 * the titles and of the first row, the columns that fit; and the two
 * drawing primitives every screen uses.  Below the selection (topsel.c),
 * which needs to know how many rows there are room for.
 */
#include <stdlib.h>
#include <string.h>

#include "chat/session.h"
#include "ui/topview_int.h"
#include "view/text.h"

/* Put escaped text at (y, x), cut at the right edge. */
void draw_text(int y, int x, const char *s, size_t len, attr_t attr)
{
	size_t cols, fit;

	if (y < 0 || y >= LINES || x >= COLS || x < 0)
		return;
	fit = text_cut(s, len, (size_t)(COLS - x), &cols);
	attron(attr);
	mvaddnstr(y, x, s, (int)fit);
	attroff(attr);
}

attr_t draw_pair(const struct view *v, enum pair p)
{
	attr_t bold = v->o->theme == THEME_CONTRAST ? A_BOLD : 0;

	return v->color ? COLOR_PAIR(p) | bold : 0;
}

/* ---- the header's lines, chosen by priority ----------------------------------- */

#define BAR_MIN 24 /* a per-CPU bar narrower than this is unreadable */

/* CPUs per bar row, and rows, for n CPUs at this width; grid rows when
 * the bars would take more than max_rows. */
void cpu_layout(int n, int *per_row, int *rows)
{
	*per_row = COLS / BAR_MIN > 0 ? COLS / BAR_MIN : 1;
	if (*per_row > n)
		*per_row = n > 0 ? n : 1;
	*rows = (n + *per_row - 1) / *per_row;
}

static int plan_bars(const struct view *v, struct hline *h)
{
	const struct sys_stats *s = &v->w->sys;
	int n = 0, per, rows, cells = COLS > 8 ? COLS - 6 : 1;

	cpu_layout(s->ncpus, &per, &rows);
	if (v->o->cpus == CPUS_ONE || s->ncpus <= 1) {
		h[n++] = (struct hline){HL_CPUONE, 3, 0};
	} else if (rows <= 4) {
		for (int r = 0; r < rows && n < HL_MAX - 8; r++)
			h[n++] = (struct hline){HL_CPUROW, r ? 8 : 3, r};
	} else if ((s->ncpus + cells - 1) / cells <= 4) {
		/* Many CPUs: a cell each, its shade the CPU's busy share. */
		for (int r = 0; r < (s->ncpus + cells - 1) / cells; r++)
			h[n++] = (struct hline){HL_CPUGRID, r ? 8 : 3, r};
	} else {
		h[n++] = (struct hline){HL_CPUONE, 3, 0};
	}
	h[n++] = (struct hline){HL_MEM, 2, 0};
	h[n++] = (struct hline){HL_TASKS, 1, 0};
	h[n++] = (struct hline){HL_LOAD, 4, 0};
	if (s->have_psi)
		h[n++] = (struct hline){HL_PSI, 6, 0};
	if (s->have_disk || s->have_net)
		h[n++] = (struct hline){HL_IO, 5, 0};
	h[n++] = (struct hline){HL_SPARK, 7, 0};
	return n;
}

int header_plan(const struct view *v, struct hline *h)
{
	static const int text_prio[TOP_HEADER_LINES] = {2, 1, 3, 4, 5};

	if (v->o->meters == METERS_BARS)
		return plan_bars(v, h);
	if (v->o->meters == METERS_OFF)
		return 0;
	for (int i = 0; i < TOP_HEADER_LINES; i++)
		h[i] = (struct hline){i == 1 ? HL_TASKS : HL_TEXT, text_prio[i], i};
	return TOP_HEADER_LINES;
}

/* Keep the lines of the best priorities that fit in budget, in order. */
int header_choose(struct hline *h, int n, int budget)
{
	int out = 0;

	for (int p = 1; p <= 8 && budget > 0; p++)
		for (int i = 0; i < n; i++)
			if (h[i].prio == p && budget > 0)
				h[i].prio = -h[i].prio, budget--;
	for (int i = 0; i < n; i++)
		if (h[i].prio < 0)
			h[out] = h[i], h[out++].prio *= -1;
	return out;
}

/* How many lines the header may take: all from 12 lines up, fewer below. */
int header_budget(void)
{
	int n = LINES - 7;

	return n < 1 ? (LINES > 2) : n;
}

int draw_header_lines(const struct view *v)
{
	struct hline h[HL_MAX];

	return v->have_frame ? header_choose(h, header_plan(v, h), header_budget()) : 0;
}

void draw_layout(struct view *v)
{
	/* k and r start a session to report to a room that may never come:
	 * no column for claims until one is joined. */
	v->mark_w = v->room && v->room->state == SESSION_IN && COLS > 40 ? 2 : 0;
	top_fit_columns(&v->o->cols, (size_t)(COLS - v->mark_w), &v->cols, v->cols_storage);
	v->header_lines = draw_header_lines(v);
	v->title_y = v->header_lines + 1;
	v->list_y = v->header_lines + 2;
	v->list_end = LINES;
	if (v->room_shown) {
		/* The pane leaves the table two rows at least. */
		int most = LINES - v->list_y - 2;

		if (v->room_lines > most)
			v->room_lines = most;
		if (v->room_lines < ROOM_LINES_MIN)
			v->room_lines = ROOM_LINES_MIN;
		if (most >= ROOM_LINES_MIN)
			v->list_end = LINES - v->room_lines;
	}
}

