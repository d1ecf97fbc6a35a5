/*
 * topview.h - the interactive ncurses view of `pmon top`.
 */
#ifndef PMON_TOPVIEW_H
#define PMON_TOPVIEW_H

#include "proc/watch.h"
#include "ui/topmodel.h"

/* Refuse, with a pointer to -b, a terminal that cannot place the cursor
 * (TERM=dumb, or a terminfo entry without cup): the view would be
 * garbage on it.  Exits on refusal. */
void top_view_check_terminal(void);

/* Every key of the main screen, a line each, from the table that
 * dispatches them (`pmon top --keys`). */
struct buf;
void top_keys_text(struct buf *out);

/*
 * Run the view on the terminal until `q`, SIGINT, SIGTERM or SIGHUP.  The
 * terminal is restored on every way out (an atexit handler covers the
 * fatal errors).  After a signal the terminal is restored first and the
 * signal then re-raised, so the caller's shell sees how pmon ended.
 * Returns the exit status.  o is changed by the keys; warning (a problem
 * with the settings file, or "": raw, escaped here) is shown on the
 * message line first.
 */
struct top_room {
	const char *socket;  /* -S: the room's socket; NULL: as pmon chat */
	bool open;           /* --room: the pane open from the start */
};
int top_view_run(struct procwatch *w, struct top_opts *o, const char *warning,
		 const struct top_room *room);

#endif
