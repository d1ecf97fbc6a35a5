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
#include "ui/topfilter.h"
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

/* The header: htop's bars, procps top's lines, or nothing. */
enum top_meters { METERS_BARS, METERS_TEXT, METERS_OFF, METERS_MODES };
/* CPU bars: one per CPU (folded into a grid of cells when there are too
 * many for the lines the header may take), or one for all. */
enum top_cpus { CPUS_EACH, CPUS_ONE, CPUS_MODES };
enum top_theme { THEME_DEFAULT, THEME_MONO, THEME_CONTRAST, THEME_COUNT };
extern const char *const top_meters_names[METERS_MODES];
extern const char *const top_cpus_names[CPUS_MODES];
extern const char *const top_theme_names[THEME_COUNT];

struct top_opts {
	struct field_list cols;  /* the columns; the last is the name */
	struct field_sort sort;  /* reverse: against the field's natural
	                            order (FIELD_DESCENDING) */
	bool tree;
	bool threads;            /* `H`: a row per thread */
	bool zombies_only;       /* `z` */
	bool cmdline;            /* the name column shows command lines */
	struct top_filter filter; /* F4 or \ (topfilter.h) */
	/* Folded tree nodes, by pid and start time so that a fold survives
	 * refreshes, re-sorting and a recycled pid; with fold_all, the set
	 * holds the nodes unfolded instead. */
	bool fold_all;
	struct proc_ref *folds;
	size_t nfolds, folds_cap;
	enum top_meters meters;
	enum top_cpus cpus;
	enum top_theme theme;
	double delay;
	unsigned also_show;      /* items shown beyond the columns' (the keys
	                            of batch JSON) */
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
	int32_t *hidden;        /* tree view: rows a folded node hides (0:
	                           not folded) */
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

/* The process or thread of row k. */
static inline const struct proc *top_row_proc(const struct procwatch *w,
					      const struct top_rows *r, size_t k)
{
	return procwatch_row(w, r->idx[k]);
}

/* Folding a tree node: is p folded, fold or unfold it, all at once. */
bool top_is_folded(const struct top_opts *o, const struct proc *p);
void top_fold_toggle(struct top_opts *o, const struct proc *p);
void top_fold_all(struct top_opts *o, bool folded);
/* Does row k have rows under it in the tree (folded or not)? */
bool top_row_has_children(const struct top_rows *r, size_t k);

/* Search (F3 or /): the first row from `from` on (dir 1) or back (dir
 * -1), wrapping, whose name or command line holds text, ignoring case;
 * -1 when none does. */
long top_find(const struct procwatch *w, const struct top_rows *r,
	      const char *text, size_t from, int dir);

/* Choose and order the rows, from memory. */
void top_rows_build(struct top_rows *r, const struct procwatch *w,
		    const struct top_opts *o);
void top_rows_free(struct top_rows *r);

/* The columns that fit in width: left-aligned text columns shrink first
 * (to a few columns, cut with '+'), then columns are hidden, the least
 * needed first (PID and the name never), so that the name column keeps
 * at least TOP_NAME_MIN columns.  storage holds the shrunk copies. */
#define TOP_NAME_MIN 16
void top_fit_columns(const struct field_list *in, size_t width,
		     struct field_list *out, struct field storage[64]);

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

/* The column titles of cols (NULL: o's; the view marks the sort column
 * itself). */
void top_titles_format(struct buf *out, const struct top_opts *o,
		       const struct field_list *cols);

/* Row k of r (escaped: safe for any terminal) in the columns cols (NULL:
 * o's), appended to out; scratch is working space. */
void top_row_format(struct buf *out, const struct procwatch *w,
		    const struct top_rows *r, size_t k,
		    const struct top_opts *o, const struct field_list *cols,
		    bool utf8, struct buf *scratch);

/* Free what o owns (selection lists, filter, folds). */
void top_opts_free(struct top_opts *o);

/* The keys of a JSON frame's process objects: -o's, or the default
 * object with cpu_time_s, cpu_pct and mem_pct. */
void top_json_keys(const struct top_opts *o, bool cols_given,
		   struct field_list *keys);

#endif
