/*
 * topview_int.h - what the files of top's interactive view share (not a
 * public header: topview.h is): the view's state, and the functions each
 * file gives the others.  The files are split by concern:
 *
 *   toplayout.c  where things go at this size; drawing primitives
 *   topsel.c     the selection, and the reading it asks for
 *   toproom.c    the room's pane: the session (chat/session.h), its
 *                lines, what is typed to the room
 *   topact.c     tags, and acting on them: signal, reap, renice, strace
 *                and lsof (run on the terminal)
 *   topprompt.c  the prompts (search, filter, user, delay, signal) and
 *                the one-key confirmations
 *   topdraw.c    header meters, status line, titles, rows
 *   topsetup.c   the setup screen (F2): columns, meters, theme
 *   topdetail.c  the detail view of one process (Enter)
 *   topkeys.c    the key table: dispatch, and the help drawn from it
 *   topview.c    the loop, the terminal, signals, the mouse
 *
 * in that order from the bottom: each uses only those above it in this
 * list (make check's lint forbids objects that depend on each other).
 */
#ifndef PMON_TOPVIEW_INT_H
#define PMON_TOPVIEW_INT_H

#include "util/curses_lib.h"
#include <stdbool.h>

#include "chat/notify.h"
#include "proc/watch.h"
#include "ui/topmeter.h"
#include "ui/topmodel.h"

/* The screens and what the keys do on each. */
enum top_screen { SCREEN_MAIN, SCREEN_HELP, SCREEN_SETUP, SCREEN_DETAIL, SCREEN_RESULTS };

enum prompt { PROMPT_NONE, PROMPT_SEARCH, PROMPT_FILTER, PROMPT_USER,
	      PROMPT_DELAY, PROMPT_SIGNAL, PROMPT_CONFIRM, PROMPT_ROOM,
	      PROMPT_CLAIM };

/* Colour pairs (start_curses sets them per theme). */
enum pair { PAIR_ZOMBIE = 1, PAIR_DISK, PAIR_STOPPED, PAIR_RUNNING,
	    PAIR_BAR0, PAIR_BAR1, PAIR_BAR2, PAIR_BAR3, PAIR_TAG, PAIR_THREAD };

/* What a confirmation (y/n) would do. */
enum confirm { CONFIRM_KILL, CONFIRM_REAP };

struct inspection; /* ui/inspect.h */

struct view {
	struct procwatch *w;
	struct top_opts *o;
	struct top_rows rows;
	double next_refresh;
	bool paused, quit, utf8, color, have_frame;
	enum top_screen screen;
	size_t help_page;                /* of the help screen's pages */
	size_t top, sel;                 /* first row shown, selected row */
	struct proc_ref sel_ref;         /* follows the selection */
	enum prompt prompt;
	enum confirm confirm;
	char input[1024];
	size_t input_len;
	char search[1024];                /* the last search (n, p repeat it) */
	int pending_sig;                 /* PROMPT_CONFIRM for k */
	/* Targets of k, r, renice: the tagged processes, or the selected
	 * one, each fixed by pid and start time when chosen. */
	struct proc_ref *targets;
	char (*target_names)[32];        /* escaped names, same index */
	size_t ntargets;
	struct proc_ref *tags;           /* the tagged set */
	size_t ntags, tags_cap;
	char msg[512];                   /* escaped where it holds names */
	bool msg_error;
	struct buf results;              /* SCREEN_RESULTS: one line each */
	uid_t user_uid;
	struct meter_history hist;       /* the header's sparklines */
	/* The fitted columns of this width (narrow terminals). */
	struct field_list cols;
	struct field cols_storage[64];
	int title_y, list_y;             /* where titles and rows are */
	int list_end;                    /* the line after the last row */
	/* the room's pane (toproom.c) */
	struct chat_session *room;       /* NULL until the pane is first
	                                    opened */
	const char *room_socket;         /* -S, or NULL: chat_socket_path */
	bool room_shown;
	int room_lines;                  /* the pane's height, its title too */
	unsigned long room_seq;          /* the session's seq last drawn */
	/* The room's claims (/claims), and the list being read. */
	struct chat_claim *claims, *claims_next;
	size_t nclaims, nclaims_next;
	char **actions;                  /* action events not yet sent */
	size_t nactions;
	int mark_w;                      /* the claims' marker column: 2
	                                    while in a room, else 0 */
	int header_lines;
	/* setup screen */
	size_t setup_sel;
	/* detail view */
	struct proc_ref detail;
	struct inspection *detail_ins;   /* inspect's model of it, read at
	                                    each refresh (NULL: gone) */
	double detail_cpu[METER_HISTORY], detail_rss[METER_HISTORY];
	size_t detail_n;
	int detail_scroll;
	struct buf line, scratch;
};

/* topsel.c: the selection, and the reading it asks for */
void view_rebuild(struct view *v);
void view_fetch_shown(struct view *v);
void view_place_selection(struct view *v);
void view_move_selection(struct view *v, long by);
void view_select_row(struct view *v, size_t k);
const struct proc *view_selected(const struct view *v);
void view_message(struct view *v, bool error, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* toproom.c */
#define ROOM_LINES_DEFAULT 8
#define ROOM_LINES_MIN 2
void roompane_toggle(struct view *v);
void roompane_resize(struct view *v, int by);
void roompane_say(struct view *v);
void roompane_draw(struct view *v);
int roompane_fd(const struct view *v, short *events);
void roompane_io(struct view *v, short revents, double now);
double roompane_tick(struct view *v, double now);
bool roompane_changed(struct view *v);
void roompane_close(struct view *v);
/* The claim in force on p (NULL: none); *mine: it is this account's. */
const struct chat_claim *roompane_claim_of(const struct view *v,
					   const struct proc *p, bool *mine);
/* Tell the room what k or r did (an action event), without waiting. */
void roompane_report(struct view *v, const struct chat_action *a);
/* C: claim the selected process (with the reason typed), or release
 * the claim of ours on it. */
void roompane_claim(struct view *v, const char *reason);

/* topkeys.c */
void keys_dispatch(struct view *v, int ch);
void keys_draw_help(struct view *v);

/* topprompt.c */
void prompt_start(struct view *v, enum prompt p);
void prompt_key(struct view *v, int ch);
void prompt_line(struct view *v, struct buf *out);
void search_next(struct view *v, int dir);

/* toplayout.c: the header's lines, kept by priority (1 longest) */
enum hl_kind { HL_TEXT, HL_CPUROW, HL_CPUGRID, HL_CPUONE, HL_MEM, HL_TASKS,
	       HL_LOAD, HL_PSI, HL_IO, HL_SPARK };
struct hline {
	enum hl_kind kind;
	int prio;
	int arg;    /* a text line's index, a CPU row's number */
};
#define HL_MAX 48
int header_plan(const struct view *v, struct hline *h);
int header_choose(struct hline *h, int n, int budget);
int header_budget(void);
void cpu_layout(int n, int *per_row, int *rows);
/* Where the titles and rows go at this size (before placing the
 * selection); the columns that fit. */
void draw_layout(struct view *v);
int draw_header_lines(const struct view *v);
attr_t draw_pair(const struct view *v, enum pair p);
void draw_text(int y, int x, const char *s, size_t len, attr_t attr);

/* topdraw.c */
void draw_main(struct view *v);

/* topact.c */
bool act_is_tagged(const struct view *v, const struct proc *p);
void act_tag_toggle(struct view *v);
void act_tag_subtree(struct view *v);
void act_tag_all(struct view *v);
void act_untag_all(struct view *v);
bool act_fix_targets(struct view *v);
void act_kill(struct view *v, int sig);
void act_reap(struct view *v);
void act_renice(struct view *v, int by);
void act_strace(struct view *v);
void act_lsof(struct view *v);

/* topsetup.c */
void setup_draw(struct view *v);
void setup_key(struct view *v, int ch);

/* topdetail.c */
void detail_open(struct view *v);
void detail_sample(struct view *v);
void detail_draw(struct view *v);
void detail_key(struct view *v, int ch);
void detail_close(struct view *v);

#endif
