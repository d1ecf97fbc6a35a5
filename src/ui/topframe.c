/*
 * topframe.c - reading a frame of `pmon top` (see topframe.h).
 */
#include "ui/topframe.h"

/* What a refresh reads for every process anyway (PROCWATCH_HAVE), less
 * what a process that has not run may show stale. */
#define REFRESH_HAS (PROCWATCH_HAVE & ~(unsigned)PI_CHANGES_IDLE)

void top_frame_rebuild(struct procwatch *w, struct top_rows *r,
		       const struct top_opts *o)
{
	unsigned before = top_select_need(o) & ~(unsigned)REFRESH_HAS;

	if (before)
		procwatch_fetch(w, NULL, w->n, before);
	/* Once per refresh: a thread's %CPU is over the time between. */
	if (o->threads && w->tasks_at != w->refreshes)
		procwatch_fetch_threads(w, NULL, w->n);
	top_rows_build(r, w, o);
}

int top_frame_read(struct procwatch *w, struct top_rows *r,
		   const struct top_opts *o, bool all_shown)
{
	w->full = all_shown || (top_select_need(o) & PI_CHANGES_IDLE);
	procwatch_want_extras(w, o->meters != METERS_OFF);
	if (procwatch_refresh(w) < 0)
		return -1;

	top_frame_rebuild(w, r, o);
	return 0;
}

void top_frame_fetch(struct procwatch *w, const struct top_rows *r,
		     const struct top_opts *o, size_t first, size_t count)
{
	unsigned shown = top_show_need(o) & ~(unsigned)REFRESH_HAS;

	if (first > r->n)
		first = r->n;
	if (!count || count > r->n - first)
		count = r->n - first;
	if (shown && count)
		procwatch_fetch(w, r->idx + first, count, shown);
}

void top_frame_fetch_cmdlines(struct procwatch *w, const struct top_rows *r)
{
	if (r->n)
		procwatch_fetch(w, r->idx, r->n, PI_CMDLINE);
}

void top_frame_prime(struct procwatch *w, const struct top_opts *o)
{
	unsigned rates = top_show_need(o) & (PI_IO_RATE | PI_GPU);

	procwatch_want_extras(w, o->meters != METERS_OFF);
	if (rates)
		procwatch_fetch(w, NULL, w->n, rates);
}
