/*
 * topframe.h - the one place `pmon top` asks the watch to read: refresh
 * it (in full when every row is shown, or when the selection or order
 * uses what can change while a process sleeps), fetch what the selection
 * and order need for every process, build the rows from memory
 * (topmodel.h), and fetch what the columns show for the rows on screen
 * only (the command lines of 50 rows, not of 10,000).
 */
#ifndef PMON_TOPFRAME_H
#define PMON_TOPFRAME_H

#include <stdbool.h>
#include <stddef.h>

#include "proc/watch.h"
#include "ui/topmodel.h"

/* Refresh w and build r; all_shown: every row will be shown (batch).  0,
 * or -1 with errno when /proc cannot be read. */
int top_frame_read(struct procwatch *w, struct top_rows *r,
		   const struct top_opts *o, bool all_shown);

/* Build r again from what w holds (after a key changed o). */
void top_frame_rebuild(struct procwatch *w, struct top_rows *r,
		       const struct top_opts *o);

/* Fetch what the columns of rows [first, first + count) show (count 0:
 * to the last row), once the rows on screen are known. */
/* Command lines for every row (a search looks at them all, not only at
 * the rows on the screen); each process's is read once. */
void top_frame_fetch_cmdlines(struct procwatch *w, const struct top_rows *r);
void top_frame_fetch(struct procwatch *w, const struct top_rows *r,
		     const struct top_opts *o, size_t first, size_t count);

/* Take the first reading of the rates the columns show (I/O, GPU) for
 * every process, so that the first frame has them: they are read for
 * the rows shown only, and a rate needs two readings. */
void top_frame_prime(struct procwatch *w, const struct top_opts *o);

#endif
