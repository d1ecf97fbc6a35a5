/*
 * topmodel.h - what `pmon top` shows, apart from how: which processes
 * (selection and filters), in which order (a field of the registry, or the
 * tree), the header figures, and each line as escaped text.  No curses
 * here: batch mode and the interactive view (topview.c) share all of it.
 *
 * Data flows one way: the watch reads (topframe.h is the one place top
 * asks it to), then everything here selects, sorts and formats from
 * memory only, then the view draws.
 */
#ifndef PMON_TOPMODEL_H
#define PMON_TOPMODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "proc/watch.h"
#include "view/field.h"
#include "view/tree.h"
#include "util/util.h"

/* The first frame's %CPU comes from a sample this long before it, as
 * top's does (it waits about as long); batch and view alike. */
#define TOP_FIRST_SAMPLE_S 0.3

/* The delay between refreshes, for -d and the d key alike: seconds from
 * 0.1 to 86400.  0, or -1 (and TOP_DELAY_RULE says what is allowed). */
int top_delay_parse(const char *s, double *delay);
#define TOP_DELAY_RULE "seconds from 0.1 to 86400, such as 1.5"

struct top_opts {
	struct field_list cols;  /* the columns; the last is the name */
	struct field_sort sort;  /* reverse: against the field's natural
	                            order (FIELD_DESCENDING) */
	bool tree;
	bool zombies_only;       /* `z` */
	bool cmdline;            /* the name column shows command lines */
	char name_filter[64];    /* `/`: substring of name or command line */
	/* The selection (-u, -p, `u`): the header counts only these. */
	uid_t *uids;
	size_t nuids;
	pid_t *pids;
	size_t npids;
};

/* The default columns and order; the name column follows o->cmdline. */
void top_opts_default(struct top_opts *o);
/* The name column and the sort key follow o->cmdline (after `c`). */
void top_opts_sync_name(struct top_opts *o);

/* The rows of one frame, in display order. */
struct top_rows {
	int32_t *idx;           /* into the watch's procs[] */
	int32_t *depth;         /* tree depth (0 outside the tree view) */
	size_t n;
	struct state_counts counts; /* of the selection (-u, -p) */
	struct tree tree;       /* valid in the tree view: over sub[] */
	bool have_tree;
	int32_t *node;          /* tree view: row k's node in tree */
	int32_t *map;           /* tree view: node to procs[] index */
	struct proc *sub;       /* tree view: the processes shown */
	size_t cap;
};

/* The items the selection and order use (read for every process before
 * rows are chosen), and those the columns show (read for the rows shown
 * only). */
unsigned top_select_need(const struct top_opts *o);
unsigned top_show_need(const struct top_opts *o);

/* Choose and order the rows, from memory. */
void top_rows_build(struct top_rows *r, const struct procwatch *w,
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
		       const struct state_counts *c);

/* The column titles (the view marks the sort column itself). */
void top_titles_format(struct buf *out, const struct top_opts *o);

/* Row k of r (escaped: safe for any terminal), appended to out; scratch
 * is working space. */
void top_row_format(struct buf *out, const struct procwatch *w,
		    const struct top_rows *r, size_t k,
		    const struct top_opts *o, bool utf8, struct buf *scratch);

/* The keys of a JSON frame's process objects: -o's, or the default
 * object with cpu_time_s, cpu_pct and mem_pct. */
void top_json_keys(const struct top_opts *o, bool cols_given,
		   struct field_list *keys);

#endif
