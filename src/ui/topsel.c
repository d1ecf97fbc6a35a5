/*
 * topsel.c - the selection of top's main screen, kept on the same process
 * across re-sorts and refreshes, and the reading it asks for: what the
 * rows on screen show is fetched when they come on screen.
 */
#include <stdarg.h>
#include <stdio.h>

#include "ui/topframe.h"
#include "ui/topview_int.h"

/* ---- the selection --------------------------------------------------------- */

const struct proc *view_selected(const struct view *v)
{
	return v->rows.n ? top_row_proc(v->w, &v->rows, v->sel) : NULL;
}

static size_t list_rows(const struct view *v)
{
	return v->list_end > v->list_y ? (size_t)(v->list_end - v->list_y) : 0;
}

/* Keep the selection on the same process after a re-sort, and on screen. */
void view_place_selection(struct view *v)
{
	size_t rows;

	draw_layout(v);
	rows = list_rows(v);

	for (size_t k = 0; k < v->rows.n; k++) {
		const struct proc *p = top_row_proc(v->w, &v->rows, k);

		if (p->pid == v->sel_ref.pid && p->start_ticks == v->sel_ref.start_ticks) {
			v->sel = k;
			break;
		}
	}
	if (v->sel >= v->rows.n)
		v->sel = v->rows.n ? v->rows.n - 1 : 0;
	if (v->sel < v->top)
		v->top = v->sel;
	if (rows && v->sel >= v->top + rows)
		v->top = v->sel - rows + 1;
	if (v->top + rows > v->rows.n)
		v->top = v->rows.n > rows ? v->rows.n - rows : 0;
	if (v->rows.n)
		v->sel_ref = proc_ref_of(view_selected(v));
}

/* Fetch what the rows now on screen show (after a rebuild or a scroll). */
void view_fetch_shown(struct view *v)
{
	top_frame_fetch(v->w, &v->rows, v->o, v->top, list_rows(v));
}

void view_rebuild(struct view *v)
{
	top_frame_rebuild(v->w, &v->rows, v->o);
	view_place_selection(v);
	view_fetch_shown(v);
}

void view_select_row(struct view *v, size_t k)
{
	if (!v->rows.n)
		return;
	v->sel = k < v->rows.n ? k : v->rows.n - 1;
	v->sel_ref = proc_ref_of(view_selected(v));
	view_place_selection(v);
	view_fetch_shown(v);
}

void view_move_selection(struct view *v, long by)
{
	long to = (long)v->sel + by;

	view_select_row(v, to < 0 ? 0 : (size_t)to);
}

void view_message(struct view *v, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof(v->msg), fmt, ap);
	va_end(ap);
	v->msg_error = error;
}

