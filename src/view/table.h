/*
 * table.h - process fields in aligned columns, as text: the one row
 * formatter of ps, tree and top (batch and screen).  Every piece of
 * process text is escaped here (esc_append), cut by display columns (so
 * wide characters keep the columns straight) and marked with '+' where a
 * left-aligned cell had to be cut, as ps does.
 */
#ifndef PMON_TABLE_H
#define PMON_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "view/field.h"
#include "view/text.h"

enum out_color {
	COLOR_NONE,
	COLOR_ZOMBIE,   /* red: a zombie, the thing to look at */
	COLOR_DISK,     /* yellow: uninterruptible sleep */
	COLOR_STOPPED,  /* magenta */
	COLOR_RUNNING,  /* green */
	COLOR_DIM,      /* tree lines */
	COLOR_HEADER,   /* bold */
};

struct table_style {
	bool utf8;     /* the terminal shows UTF-8 */
	bool color;    /* ANSI colour for states (ps and tree on a terminal) */
};


/* The column titles of cols; the last one is not padded. */
void table_titles(struct buf *out, const struct field_list *cols);

/* Row p: a cell per column, the last one unpadded and preceded by prefix
 * (the tree's glyphs; NULL for none), then the name's suffix
 * (proc_name_suffix).  scratch holds each field's raw text. */
void table_row(struct buf *out, const struct field_list *cols,
	       const struct proc *p, const char *prefix,
	       const struct table_style *st, struct buf *scratch);

/* The ANSI SGR sequence of a colour, and the colour a state calls for. */
const char *color_sgr(enum out_color c);
enum out_color state_color(char state);

#endif
