/*
 * topview.c - the interactive view of `pmon top` (see topview.h).
 *
 * The model (topmodel.c) makes every line as escaped text; this file only
 * places it on the screen, cut to the width with wcwidth, and turns keys
 * into changes of the model's options.  Signals only set a flag: the loop
 * sees it within a tick, leaves curses and re-raises the signal.
 */
#include <errno.h>
#include <langinfo.h>
#include <math.h>
#include <ncursesw/curses.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "act/reap.h"
#include "act/signals.h"
#include "ui/topframe.h"
#include "ui/topview.h"
#include "view/escape.h"
#include "view/table.h"

#define TICK_MS 250 /* longest wait for a key: how soon a signal is seen */

enum pair { PAIR_ZOMBIE = 1, PAIR_DISK, PAIR_STOPPED, PAIR_RUNNING };

enum prompt { PROMPT_NONE, PROMPT_KILL, PROMPT_REAP, PROMPT_FILTER,
	      PROMPT_USER, PROMPT_DELAY };

struct view {
	struct procwatch *w;
	struct top_opts *o;
	struct top_rows rows;
	double delay, next_refresh;
	bool paused, help, quit, utf8, color, have_frame;
	size_t top, sel;                 /* first row shown, selected row */
	struct proc_ref sel_ref;         /* follows the selection across
	                                    re-sorts */
	enum prompt prompt;
	char input[64];
	size_t input_len;
	struct proc_ref target;          /* fixed when k or r is pressed */
	char target_name[96];            /* escaped */
	char msg[512];                   /* escaped where it holds names */
	bool msg_error;
	uid_t user_uid;                  /* `u`: the one uid selected */
	struct buf line, scratch;
};

static volatile sig_atomic_t quit_signal;
static bool curses_active;

static void on_signal(int sig)
{
	quit_signal = sig;
}

static void restore_terminal(void)
{
	if (curses_active) {
		curses_active = false;
		endwin();
	}
}

static void install_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: the wait for a key returns */
	for (size_t i = 0; i < ARRAY_LEN(sigs); i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			pmon_die_errno(EXIT_FAIL, errno, "cannot handle signal %d", sigs[i]);
}

static void start_curses(struct view *v)
{
	const char *no_color = getenv("NO_COLOR");

	atexit(restore_terminal);
	if (!newterm(NULL, stdout, stdin))
		pmon_die(EXIT_FAIL, "cannot use the terminal '%s' (is TERM right?)",
			 getenv("TERM") ? getenv("TERM") : "");
	curses_active = true;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	v->color = has_colors() && !(no_color && *no_color);
	if (v->color && start_color() == OK) {
		use_default_colors();
		init_pair(PAIR_ZOMBIE, COLOR_RED, -1);
		init_pair(PAIR_DISK, COLOR_YELLOW, -1);
		init_pair(PAIR_STOPPED, COLOR_MAGENTA, -1);
		init_pair(PAIR_RUNNING, COLOR_GREEN, -1);
	} else {
		v->color = false;
	}
}

/* ---- drawing ------------------------------------------------------------ */

/* Put escaped text at (y, x), cut at the right edge. */
static void put_text(int y, int x, const char *s, size_t len, attr_t attr)
{
	size_t cols, fit;

	if (y < 0 || y >= LINES || x >= COLS)
		return;
	fit = text_cut(s, len, (size_t)(COLS - x), &cols);
	attron(attr);
	mvaddnstr(y, x, s, (int)fit);
	attroff(attr);
}

static attr_t pair_attr(const struct view *v, enum pair p)
{
	return v->color ? COLOR_PAIR(p) : 0;
}

static attr_t state_attr(const struct view *v, const struct proc *p)
{
	switch (p->state) {
	case 'Z': return pair_attr(v, PAIR_ZOMBIE) | A_BOLD;
	case 'D': return pair_attr(v, PAIR_DISK);
	case 'T': case 't': return pair_attr(v, PAIR_STOPPED);
	case 'R': return pair_attr(v, PAIR_RUNNING);
	default: return 0;
	}
}

/* How many header lines fit: all five from 12 lines up, fewer below. */
static int header_lines(void)
{
	int n = LINES - 7;

	return n > TOP_HEADER_LINES ? TOP_HEADER_LINES : n < 1 ? (LINES > 2) : n;
}

static int list_top(void) { return header_lines() + 2; }

static size_t list_rows(void)
{
	int n = LINES - list_top();

	return n > 0 ? (size_t)n : 0;
}

static void draw_header(struct view *v)
{
	struct top_header h;
	int n = header_lines();

	top_header_format(&h, v->w, &v->rows.counts);
	/* The zombie count ends the Tasks line: keep it on screen. */
	if (strlen(h.line[1]) > (size_t)COLS) {
		snprintf(h.line[1], sizeof(h.line[1]), "%s", h.tasks_short);
		h.zombie_at = h.short_zombie_at;
	}
	/* With room for one line only, the Tasks line is the one to keep. */
	int first = n == 1 ? 1 : 0, tasks_y = 1 - first;

	for (int i = 0; i < n; i++)
		put_text(i, 0, h.line[first + i], strlen(h.line[first + i]), 0);
	if (n > tasks_y && state_counts_of(&v->rows.counts, "Z") &&
	    (int)h.zombie_at < COLS)
		put_text(tasks_y, (int)h.zombie_at, h.line[1] + h.zombie_at,
			 h.zombie_len, A_BOLD | (v->color ? pair_attr(v, PAIR_ZOMBIE)
							 : A_REVERSE));
}

static void draw_status(struct view *v, int y)
{
	static const char *const prompts[] = {
		[PROMPT_FILTER] = "Show only names containing: ",
		[PROMPT_USER] = "Show only the processes of user (empty: all): ",
		[PROMPT_DELAY] = "Seconds between refreshes: ",
	};

	buf_reset(&v->line);
	if (v->prompt == PROMPT_KILL) {
		buf_printf(&v->line, "Send signal to PID %d (%s) [TERM]: %s",
			   (int)v->target.pid, v->target_name, v->input);
	} else if (v->prompt == PROMPT_REAP) {
		buf_printf(&v->line, "Reap zombie(s) of PID %d (%s)? [y/N]: %s",
			   (int)v->target.pid, v->target_name, v->input);
	} else if (v->prompt != PROMPT_NONE) {
		buf_printf(&v->line, "%s", prompts[v->prompt]);
		esc_append(&v->line, v->input, v->input_len, v->utf8);
	} else if (v->msg[0]) {
		buf_puts(&v->line, v->msg);
	} else {
		if (v->paused)
			buf_puts(&v->line, "[paused] ");
		if (v->o->tree)
			buf_puts(&v->line, "[tree] ");
		if (v->o->zombies_only)
			buf_puts(&v->line, "[zombies] ");
		if (v->o->name_filter[0]) {
			buf_puts(&v->line, "[/");
			esc_append(&v->line, v->o->name_filter,
				   strlen(v->o->name_filter), v->utf8);
			buf_puts(&v->line, "] ");
		}
		buf_printf(&v->line, "sort %s%s, %.1fs delay; h for help",
			   v->o->sort.f->title, v->o->sort.reverse ? " reversed" : "",
			   v->delay);
	}
	put_text(y, 0, v->line.data, v->line.len,
		 v->msg_error && v->prompt == PROMPT_NONE ?
		 A_BOLD | pair_attr(v, PAIR_ZOMBIE) : A_BOLD);
}

static void draw_titles(struct view *v, int y)
{
	const struct field_list *cols = &v->o->cols;
	int x = 0;

	buf_reset(&v->line);
	top_titles_format(&v->line, v->o);
	attron(A_REVERSE);
	mvhline(y, 0, ' ', COLS);
	put_text(y, 0, v->line.data, v->line.len, A_REVERSE);
	/* Mark the sort column, as top does with its highlighted column. */
	for (size_t i = 0; i < cols->n; i++) {
		const struct field *f = cols->f[i];
		int w = abs(f->width), len = (int)strlen(f->title);

		if (f == v->o->sort.f && !v->o->tree)
			put_text(y, f->width > 0 ? x + w - len : x, f->title,
				 (size_t)len, A_REVERSE | A_BOLD | A_UNDERLINE);
		x += w + 1;
	}
	attroff(A_REVERSE);
}

static void draw_rows(struct view *v, int y0)
{
	size_t n = list_rows();

	for (size_t i = 0; i < n && v->top + i < v->rows.n; i++) {
		size_t k = v->top + i;
		const struct proc *p = &v->w->procs[v->rows.idx[k]];
		attr_t attr = k == v->sel ? A_REVERSE : state_attr(v, p);

		buf_reset(&v->line);
		top_row_format(&v->line, v->w, &v->rows, k, v->o, v->utf8, &v->scratch);
		if (k == v->sel)
			mvchgat(y0 + (int)i, 0, -1, A_REVERSE, 0, NULL);
		put_text(y0 + (int)i, 0, v->line.data, v->line.len, attr);
	}
	if (v->rows.n == 0 && n > 0)
		put_text(y0, 0, "(no process matches)", 20, 0);
}

static void draw_help(struct view *v)
{
	static const char *const lines[] = {
		"pmon top - keys",
		"",
		"  q          quit",
		"  h ?        this help (any key closes it)",
		"  Up Down PgUp PgDn Home End   move the selection",
		"  < >        sort by the column left / right",
		"  R          reverse the sort; P cpu, M mem, T time, N pid",
		"  t          tree view on / off",
		"  z          only zombies on / off",
		"  /          show only names containing a text (empty: all)",
		"  u          show only one user's processes (empty: all)",
		"  c          command lines instead of names",
		"  k          send a signal to the selected process (default TERM)",
		"  r          reap the selected zombie, or a parent's zombies",
		"  space      pause / resume refreshing",
		"  d s        change the delay between refreshes",
	};
	int y0 = 1;

	(void)v;
	for (int i = y0; i < LINES; i++) {
		move(i, 0);
		clrtoeol();
	}
	for (size_t i = 0; i < ARRAY_LEN(lines) && y0 + (int)i < LINES; i++)
		put_text(y0 + (int)i, 0, lines[i], strlen(lines[i]), i ? 0 : A_BOLD);
}

static void draw(struct view *v)
{
	int top = list_top();

	erase();
	if (!v->have_frame) {
		put_text(0, 0, "pmon top: sampling...", 21, 0);
	} else if (v->help) {
		draw_help(v);
	} else {
		draw_header(v);
		if (LINES > 2)
			draw_status(v, top - 2);
		if (LINES > 1)
			draw_titles(v, top - 1);
		draw_rows(v, top);
	}
	refresh();
}

/* ---- the model behind the screen --------------------------------------- */

/* Keep the selection on the same process after a re-sort, and on screen. */
static void place_selection(struct view *v)
{
	size_t rows = list_rows();

	for (size_t k = 0; k < v->rows.n; k++) {
		const struct proc *p = &v->w->procs[v->rows.idx[k]];

		if (p->pid == v->sel_ref.pid && p->start_ticks == v->sel_ref.start_ticks) {
			v->sel = k;
			break;
		}
	}
	if (v->sel >= v->rows.n)
		v->sel = v->rows.n ? v->rows.n - 1 : 0;
	if (v->sel < v->top)
		v->top = v->sel;
	if (rows && v->sel >= v->top + rows)
		v->top = v->sel - rows + 1;
	if (v->top + rows > v->rows.n)
		v->top = v->rows.n > rows ? v->rows.n - rows : 0;
	if (v->rows.n) {
		const struct proc *p = &v->w->procs[v->rows.idx[v->sel]];

		v->sel_ref = proc_ref_of(p);
	}
}

/* Fetch what the rows now on screen show (after a rebuild or a scroll). */
static void fetch_shown(struct view *v)
{
	top_frame_fetch(v->w, &v->rows, v->o, v->top, list_rows());
}

static void rebuild(struct view *v)
{
	top_frame_rebuild(v->w, &v->rows, v->o);
	place_selection(v);
	fetch_shown(v);
}

static void move_selection(struct view *v, long by)
{
	long to = (long)v->sel + by;

	if (to < 0 || v->rows.n == 0)
		to = 0;
	else if ((size_t)to >= v->rows.n)
		to = (long)v->rows.n - 1;
	v->sel = (size_t)to;
	if (v->rows.n) {
		const struct proc *p = &v->w->procs[v->rows.idx[v->sel]];

		v->sel_ref = proc_ref_of(p);
	}
	place_selection(v);
	fetch_shown(v);
}

static void message(struct view *v, bool error, const char *fmt, ...) PRINTF_LIKE(3, 4);
static void message(struct view *v, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof(v->msg), fmt, ap);
	va_end(ap);
	v->msg_error = error;
}

/* Fix the target of k or r: the pid and start time of the selected row,
 * so that a refresh that re-sorts under the prompt cannot change it. */
static bool fix_target(struct view *v)
{
	const struct proc *p;
	const char *name;

	if (v->rows.n == 0) {
		message(v, true, "no process selected");
		return false;
	}
	p = &v->w->procs[v->rows.idx[v->sel]];
	v->target = proc_ref_of(p);
	/* The identity (pidfs inode) is taken now; should the process be
	 * gone already, the action says so. */
	(void)proc_ref_take(&v->target, NULL);
	name = p->comm ? p->comm : "?";
	esc_string(name, v->utf8, v->target_name, sizeof(v->target_name));
	return true;
}

static void send_signal(struct view *v)
{
	char name[16];
	int sig = v->input_len ? signal_from_name(v->input) : SIGTERM;

	if (sig <= 0) {
		char shown[96];

		message(v, true, "unknown signal '%s' (try TERM, KILL, HUP, INT, 9)",
			esc_string(v->input, v->utf8, shown, sizeof(shown)));
		return;
	}
	signal_name(sig, name, sizeof(name));
	if (signal_send(&v->target, sig) < 0)
		message(v, true, "PID %d (%s): %s not sent: %s", (int)v->target.pid,
			v->target_name, name, signal_error(errno));
	else
		message(v, false, "PID %d (%s): sent %s", (int)v->target.pid,
			v->target_name, name);
}

static void reap(struct view *v)
{
	struct buf report = {0}, shown = {0};
	int rc;
	char *last = NULL, *line, *save = NULL;
	size_t lines = 0;

	/* It can take a second or two (each step waits for the parent). */
	message(v, false, "reaping the zombies of PID %d...", (int)v->target.pid);
	draw(v);
	rc = reap_target(&v->target, REAP_AUTO, &report);
	/* One line per zombie: show the last, and how many there were. */
	for (line = strtok_r(report.data ? report.data : (char *)"", "\n", &save);
	     line; line = strtok_r(NULL, "\n", &save)) {
		last = line;
		lines++;
	}
	if (last)
		esc_append(&shown, last, strlen(last), v->utf8);
	if (lines > 1)
		buf_printf(&shown, " (%zu in all: %s)", lines,
			   rc == 0 ? "all reaped" : "not all reaped");
	message(v, rc != 0, "reap: %s", shown.data ? shown.data :
		rc == 0 ? "reaped" : "not reaped");
	buf_free(&report);
	buf_free(&shown);
}

static void set_user(struct view *v)
{
	char shown[96];

	if (v->input_len == 0) {
		v->o->nuids = 0;
		message(v, false, "all users");
		return;
	}
	if (lookup_uid(v->input, &v->user_uid) < 0) {
		message(v, true, "no such user '%s'",
			esc_string(v->input, v->utf8, shown, sizeof(shown)));
		return;
	}
	free(v->o->uids);
	v->o->uids = xmalloc(sizeof(uid_t));
	v->o->uids[0] = v->user_uid;
	v->o->nuids = 1;
}

static void set_delay(struct view *v)
{
	if (top_delay_parse(v->input, &v->delay) < 0)
		message(v, true, "the delay is " TOP_DELAY_RULE);
	v->next_refresh = mono_now() + v->delay;
}

static void accept_prompt(struct view *v)
{
	enum prompt p = v->prompt;

	v->prompt = PROMPT_NONE;
	v->input[v->input_len] = '\0';
	switch (p) {
	case PROMPT_KILL: send_signal(v); break;
	case PROMPT_REAP:
		if (v->input[0] == 'y' || v->input[0] == 'Y')
			reap(v);
		else
			message(v, false, "not reaped");
		break;
	case PROMPT_FILTER:
		snprintf(v->o->name_filter, sizeof(v->o->name_filter), "%s", v->input);
		break;
	case PROMPT_USER: set_user(v); break;
	case PROMPT_DELAY: set_delay(v); break;
	case PROMPT_NONE: break;
	}
	rebuild(v);
}

static void prompt_key(struct view *v, int ch)
{
	switch (ch) {
	case '\n': case '\r': case KEY_ENTER:
		accept_prompt(v);
		return;
	case 27: /* Esc */
		v->prompt = PROMPT_NONE;
		return;
	case KEY_BACKSPACE: case 127: case 8:
		if (v->input_len)
			v->input[--v->input_len] = '\0';
		return;
	default:
		if (ch >= 0x20 && ch < 0x7f && v->input_len + 1 < sizeof(v->input)) {
			v->input[v->input_len++] = (char)ch;
			v->input[v->input_len] = '\0';
		}
	}
}

static void start_prompt(struct view *v, enum prompt p)
{
	v->prompt = p;
	v->input_len = 0;
	v->input[0] = '\0';
	v->msg[0] = '\0';
}

static void sort_by(struct view *v, const struct field *f)
{
	v->o->sort = (struct field_sort){f, false};
	if (v->o->tree)
		message(v, false, "sorted by %s (the tree view keeps pid order; t leaves it)",
			f->title);
}

/* < and >: the sort moves to the column left or right of it. */
static void sort_next(struct view *v, int by)
{
	const struct field_list *cols = &v->o->cols;
	size_t at = 0;

	for (size_t i = 0; i < cols->n; i++)
		if (cols->f[i] == v->o->sort.f)
			at = i;
	sort_by(v, cols->f[(at + cols->n + (size_t)(long)by) % cols->n]);
}

static void key(struct view *v, int ch)
{
	size_t page = list_rows() ? list_rows() : 1;

	if (v->help) {
		v->help = false;
		return;
	}
	if (v->prompt != PROMPT_NONE) {
		prompt_key(v, ch);
		return;
	}
	v->msg[0] = '\0';
	switch (ch) {
	case 'q': v->quit = true; return;
	case 'h': case '?': v->help = true; return;
	case KEY_UP: move_selection(v, -1); return;
	case KEY_DOWN: move_selection(v, 1); return;
	case KEY_PPAGE: move_selection(v, -(long)page); return;
	case KEY_NPAGE: move_selection(v, (long)page); return;
	case KEY_HOME: move_selection(v, -(long)v->rows.n); return;
	case KEY_END: move_selection(v, (long)v->rows.n); return;
	case '<': sort_next(v, -1); break;
	case '>': sort_next(v, 1); break;
	case 'P': sort_by(v, field_find("cpu_pct")); break;
	case 'M': sort_by(v, field_find("mem_pct")); break;
	case 'T': sort_by(v, field_find("cpu_time_s")); break;
	case 'N': sort_by(v, field_find("pid")); break;
	case 'R': v->o->sort.reverse = !v->o->sort.reverse; break;
	case 't': v->o->tree = !v->o->tree; break;
	case 'z': v->o->zombies_only = !v->o->zombies_only; break;
	case 'c':
		v->o->cmdline = !v->o->cmdline;
		top_opts_sync_name(v->o);
		break;
	case '/': start_prompt(v, PROMPT_FILTER); return;
	case 'u': start_prompt(v, PROMPT_USER); return;
	case 'd': case 's': start_prompt(v, PROMPT_DELAY); return;
	case 'k':
		if (fix_target(v))
			start_prompt(v, PROMPT_KILL);
		return;
	case 'r':
		if (fix_target(v))
			start_prompt(v, PROMPT_REAP);
		return;
	case ' ':
		v->paused = !v->paused;
		v->next_refresh = mono_now();
		return;
	case 12: /* ^L */ clearok(curscr, TRUE); return;
	case KEY_RESIZE: place_selection(v); return;
	default: return;
	}
	rebuild(v);
}

static int loop(struct view *v)
{
	while (!v->quit && !quit_signal) {
		double now = mono_now(), wait;
		int ch;

		if (!v->paused && now >= v->next_refresh) {
			if (top_frame_read(v->w, &v->rows, v->o, false) < 0) {
				int err = errno;

				restore_terminal();
				pmon_die_errno(EXIT_FAIL, err, "cannot read the process table");
			}
			v->have_frame = true;
			place_selection(v);
			fetch_shown(v);
			v->next_refresh = now + v->delay;
			draw(v);
		}
		wait = v->paused ? TICK_MS : (v->next_refresh - now) * 1000;
		timeout(wait > TICK_MS ? TICK_MS : wait < 1 ? 1 : (int)wait);
		ch = getch();
		if (ch == ERR)
			continue;
		key(v, ch);
		draw(v);
	}
	return EXIT_OK;
}

int top_view_run(struct procwatch *w, struct top_opts *o, double delay)
{
	struct view v = {
		.w = w, .o = o, .delay = delay,
		.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0,
	};
	int status, sig;

	install_signals();
	start_curses(&v);
	v.next_refresh = mono_now() + TOP_FIRST_SAMPLE_S;
	draw(&v);
	status = loop(&v);
	restore_terminal();
	top_rows_free(&v.rows);
	buf_free(&v.line);
	buf_free(&v.scratch);
	sig = quit_signal;
	if (sig) {
		/* Die of the signal, as the shell expects, now that the
		 * terminal is back. */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return status;
}
