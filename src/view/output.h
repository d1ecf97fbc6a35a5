/*
 * output.h - the views' one way to the terminal: every piece of process
 * text goes through out_text(), which escapes it (escape.c); colour is
 * used only when stdout is a terminal and NO_COLOR is unset.
 */
#ifndef PMON_OUTPUT_H
#define PMON_OUTPUT_H

#include "util/json_lib.h"
#include <stdio.h>

#include "proc/sys.h"
#include "view/field.h"
#include "view/table.h"
#include "util/util.h"

struct output {
	FILE *f;
	bool color;
	bool utf8;
	size_t width;    /* cut lines at this many columns; 0: never */
	struct buf line; /* the line being built */
	struct buf raw;  /* scratch for a field's raw text */
};

/* Decide colour (a terminal, NO_COLOR unset, TERM not "dumb"), UTF-8 (the
 * locale's codeset) and the width (a terminal's, as ps and pstree cut
 * their lines; unlimited when piped or when wide is set) for stream f. */
void output_init(struct output *o, FILE *f, bool wide);
void output_free(struct output *o);

/* Append text, escaped; returns the columns it takes. */
size_t out_text(struct output *o, const char *s, size_t n);
/* Append trusted text (our own literals) as is. */
void out_raw(struct output *o, const char *s);
void out_color(struct output *o, enum out_color c);
/* Write the line and a newline, and start a new line. */
void out_endline(struct output *o);


/* Our own prose (trusted text: no escaping), word-wrapped at the
 * terminal's width (at pipe_width when not a terminal; 0: not wrapped,
 * for lines scripts read), so that it is read whole instead of being cut;
 * lines after the first are indented as wide as lead. */
void out_wrapped(struct output *o, const char *lead, const char *text,
		 size_t pipe_width);
/* The same for text that holds names or paths from outside: escaped
 * first (so it can only break at its own spaces), then wrapped. */
void out_wrapped_text(struct output *o, const char *lead, const char *text,
		      size_t pipe_width);

/* Columns (table.h): the header line and one row per process, aligned by
 * the widths in the field registry; the last column takes the rest, after
 * prefix (the tree's glyphs, or NULL). */
void table_header(struct output *o, const struct field_list *cols);
/* A row, with our own note after it ("  [orphan: daemon]"; NULL for
 * none). */
void table_print_row_note(struct output *o, const struct field_list *cols,
			  const struct proc *p, const char *prefix,
			  const char *note);

/* Write doc as one JSON document (ASCII only, so no byte of it can act
 * on a terminal) and release it.  Returns 0, or -1 on a write error. */
int json_emit(json_t *doc, FILE *f);

/*
 * The same document written as it is made, for the views of every
 * process: held whole, 10,000 process objects cost jansson tens of MiB.
 * Arrays are opened and closed here; each element is built with jansson,
 * written (escaped by jansson, ASCII only) and released at once.  An
 * element can be left open with its last key an array (a tree node's
 * "children"): the elements that follow go into it until it is closed.
 */
struct json_out {
	FILE *f;
	bool first; /* nothing written yet in the innermost open array */
	int depth;  /* arrays open */
};
void json_out_begin_array(struct json_out *j, FILE *f);
void json_out_element(struct json_out *j, json_t *obj);
void json_out_open_element(struct json_out *j, json_t *obj, const char *key);
void json_out_close_element(struct json_out *j);
/* Close the outermost array; 0, or -1 on a write error. */
int json_out_end_array(struct json_out *j);

/*
 * One frame of `pmon top --json`: {"header": {...}, "processes": [...]},
 * the processes in display order with the keys of keys (and their tree
 * depth when depth is not NULL).
 */
struct frame_header {
	time_t now;
	double interval;                  /* seconds since the frame before */
	const struct sys_stats *sys;
	const struct state_counts *counts;
};
json_t *frame_json(const struct frame_header *h, const struct proc *const *rows,
		   const int32_t *depth, size_t n, const struct field_list *keys);

#endif
