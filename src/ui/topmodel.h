/*
 * topmodel.h - what `pmon top` shows, apart from how: which processes
 * (selection and filters), in which order (sort column or tree), the
 * header figures, and each line as escaped text.  No curses here: batch
 * mode and the interactive view (topview.c) share all of it.
 */
#ifndef PMON_TOPMODEL_H
#define PMON_TOPMODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/util.h"
#include "proc/watch.h"
#include "view/tree.h"

/* The first frame's %CPU comes from a sample this long before it, as
 * top's does (it waits about as long); batch and view alike. */
#define TOP_FIRST_SAMPLE_S 0.3

/* The columns, in screen order; `<` and `>` move the sort along them. */
enum top_col {
	COL_PID, COL_USER, COL_STAT, COL_CPU, COL_MEM, COL_RSS, COL_TIME,
	COL_COMMAND, COL_COUNT
};

struct top_col_info {
	const char *title;
	int width;          /* > 0 right-aligned, < 0 left-aligned, 0 last */
	const char *key;    /* for --sort */
	bool descending;    /* the natural order: biggest first */
};
extern const struct top_col_info top_cols[COL_COUNT];

/* --sort name ("cpu", "mem", "pid", "time", "state", "user", "rss",
 * "command") to a column; -1 if unknown. */
int top_col_from_name(const char *name);

struct top_opts {
	enum top_col sort;
	bool reverse;           /* against the column's natural order */
	bool tree;
	bool zombies_only;      /* `z` */
	bool cmdline;           /* COMMAND shows the command line (`c`) */
	char name_filter[64];   /* `/`: substring of name or command line */
	/* The selection (-u, -p, `u`): the header counts only these. */
	uid_t *uids;
	size_t nuids;
	pid_t *pids;
	size_t npids;
};

/* Task counts as top's header gives them. */
struct top_counts {
	size_t total, running, sleeping, disk, stopped, zombie;
};

/* The rows of one frame, in display order. */
struct top_rows {
	int32_t *idx;           /* into the watch's procs[] */
	int32_t *depth;         /* tree depth (0 outside the tree view) */
	size_t n;
	struct top_counts counts;
	struct tree tree;       /* valid in the tree view: over sub[] */
	bool have_tree;
	int32_t *node;          /* tree view: row k's node in tree */
	int32_t *map;           /* tree view: node to procs[] index */
	struct proc *sub;       /* tree view: the processes shown */
	size_t cap;
};

void top_rows_build(struct top_rows *r, struct procwatch *w,
		    const struct top_opts *o);
void top_rows_free(struct top_rows *r);

/* The header: up to TOP_HEADER_LINES lines of plain ASCII (no process
 * text in it).  zombie_at/zombie_len locate the zombie count in line 1,
 * for highlighting. */
enum { TOP_HEADER_LINES = 5 };
struct top_header {
	char line[TOP_HEADER_LINES][160];
	size_t zombie_at, zombie_len;
	/* The Tasks line in fewer columns, for a narrow screen. */
	char tasks_short[96];
	size_t short_zombie_at;
};
void top_header_format(struct top_header *h, const struct procwatch *w,
		       const struct top_counts *c);

/* The column titles (the view underlines the sort column itself). */
void top_titles_format(struct buf *out);

/* Row k of r (escaped: safe for any terminal), appended to out. */
void top_row_format(struct buf *out, struct procwatch *w,
		    const struct top_rows *r, size_t k,
		    const struct top_opts *o, bool utf8);

/* One JSON document for a frame: {"header": {...}, "processes": [...]}. */
json_t *top_frame_json(struct procwatch *w, const struct top_rows *r,
		       const struct top_counts *c);

/* Columns the escaped text s takes and, with limit, the bytes that fit
 * in limit columns (wide characters counted by wcwidth). */
size_t top_text_cut(const char *s, size_t len, size_t limit, size_t *cols);

#endif
