/*
 * topview.h - the interactive ncurses view of `pmon top`.
 */
#ifndef PMON_TOPVIEW_H
#define PMON_TOPVIEW_H

#include "proc/watch.h"
#include "ui/topmodel.h"

/*
 * Run the view on the terminal until `q`, SIGINT, SIGTERM or SIGHUP.  The
 * terminal is restored on every way out (an atexit handler covers the
 * fatal errors).  After a signal the terminal is restored first and the
 * signal then re-raised, so the caller's shell sees how pmon ended.
 * Returns the exit status.  o is changed by the keys.
 */
int top_view_run(struct procwatch *w, struct top_opts *o, double delay);

#endif
