/*
 * topview.c - the interactive view of `pmon top` (see topview.h and, for
 * how the view is split into files, topview_int.h): the loop, the
 * terminal, signals, the selection and the mouse.
 *
 * The model (topmodel.c) makes every line as escaped text; the view only
 * places it on the screen and turns keys into changes of the model's
 * options.  Signals only set a flag: the loop sees it within a tick,
 * leaves curses and re-raises the signal.
 */
#include <errno.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <term.h>
#include <unistd.h>

#include "ui/topframe.h"
#include "ui/topview.h"
#include "ui/topview_int.h"
#include "view/escape.h"

#define TICK_MS 250 /* longest wait for a key: how soon a signal is seen */

static volatile sig_atomic_t quit_signal;
static bool curses_active;
static const int quit_sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

static void on_signal(int sig)
{
	quit_signal = sig;
}

static void restore_terminal(void)
{
	if (curses_active) {
		curses_active = false;
		mousemask(0, NULL);
		endwin();
	}
}

static void install_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: the wait for a key returns */
	for (size_t i = 0; i < ARRAY_LEN(quit_sigs); i++)
		if (sigaction(quit_sigs[i], &sa, NULL) < 0)
			pmon_die_errno(EXIT_FAIL, errno, "cannot handle signal %d", quit_sigs[i]);
}

/* ncurses, loaded (util/curses_lib.h), or exit saying why. */
static void load_curses(void)
{
	const char *why;

	if (!curses_load(&why))
		pmon_die(EXIT_FAIL, "the interactive view needs ncurses "
			 "(Debian: libncursesw6): %s; use -b for batch mode", why);
}

/* $TERM for a message, escaped: it names no terminfo entry when it
 * fails, and may hold anything. */
static const char *term_shown(char *out, size_t size)
{
	const char *term = getenv("TERM");

	return esc_string(term ? term : "", false, out, size);
}

void top_view_check_terminal(void)
{
	const char *term = getenv("TERM");
	char shown[96];
	int err = 0;
	char *cup;

	load_curses();
	if (!term || !*term || setupterm(NULL, STDOUT_FILENO, &err) != OK)
		pmon_die(EXIT_FAIL, "cannot use the terminal '%s' (is TERM right?); "
			 "use -b for batch mode", term_shown(shown, sizeof(shown)));
	cup = tigetstr("cup");
	if (!cup || cup == (char *)-1 || strcmp(term, "dumb") == 0) {
		del_curterm(cur_term);
		pmon_die(EXIT_FAIL, "the terminal '%s' cannot place the cursor, "
			 "which the interactive view needs; use -b for batch mode",
			 term_shown(shown, sizeof(shown)));
	}
	del_curterm(cur_term);
}

/* Colours by theme: the default one, monochrome (no colour: NO_COLOR
 * too), and high contrast (bright, bold). */
static void init_colors(struct view *v)
{
	static const short fg[][2] = {
		[PAIR_ZOMBIE] = {COLOR_RED, COLOR_RED},
		[PAIR_DISK] = {COLOR_YELLOW, COLOR_YELLOW},
		[PAIR_STOPPED] = {COLOR_MAGENTA, COLOR_MAGENTA},
		[PAIR_RUNNING] = {COLOR_GREEN, COLOR_GREEN},
		[PAIR_BAR0] = {COLOR_GREEN, COLOR_GREEN},
		[PAIR_BAR1] = {COLOR_BLUE, COLOR_CYAN},
		[PAIR_BAR2] = {COLOR_RED, COLOR_RED},
		[PAIR_BAR3] = {COLOR_CYAN, COLOR_YELLOW},
		[PAIR_TAG] = {COLOR_YELLOW, COLOR_YELLOW},
		[PAIR_THREAD] = {COLOR_GREEN, COLOR_CYAN},
	};
	const char *no_color = getenv("NO_COLOR");
	bool contrast = v->o->theme == THEME_CONTRAST;

	v->color = has_colors() && !(no_color && *no_color) &&
		   v->o->theme != THEME_MONO && start_color() == OK;
	if (!v->color)
		return;
	use_default_colors();
	for (short p = PAIR_ZOMBIE; p <= PAIR_THREAD; p++)
		init_pair(p, fg[p][contrast], contrast ? COLOR_BLACK : -1);
}

static void start_curses(struct view *v)
{
	char shown[96];

	load_curses();
	atexit(restore_terminal);
	if (!newterm(NULL, stdout, stdin))
		pmon_die(EXIT_FAIL, "cannot use the terminal '%s' (is TERM right?)",
			 term_shown(shown, sizeof(shown)));
	curses_active = true;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	/* Clicks come at once (no wait to tell a click from a double one). */
	mouseinterval(0);
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED |
		  BUTTON5_PRESSED, NULL);
	init_colors(v);
}

/* ---- drawing ------------------------------------------------------------------ */

static void view_draw(struct view *v)
{
	erase();
	if (!v->have_frame)
		draw_text(0, 0, "pmon top: sampling...", 21, 0);
	else if (v->screen == SCREEN_HELP)
		keys_draw_help(v);
	else if (v->screen == SCREEN_SETUP)
		setup_draw(v);
	else if (v->screen == SCREEN_DETAIL)
		detail_draw(v);
	else
		draw_main(v);
	refresh();
}

/* ---- the mouse ------------------------------------------------------------------ */

/* The column under x in the titles' line, or NULL. */
static const struct field *column_at(const struct view *v, int x)
{
	int at = v->mark_w;

	for (size_t i = 0; i < v->cols.n; i++) {
		int w = abs(v->cols.f[i]->width) + 1;

		if (x < at + w || i + 1 == v->cols.n)
			return x >= at ? v->cols.f[i] : NULL;
		at += w;
	}
	return NULL;
}

static void view_mouse(struct view *v)
{
	MEVENT ev;
	const struct field *f;

	if (getmouse(&ev) != OK || v->screen != SCREEN_MAIN || v->prompt != PROMPT_NONE)
		return;
	if (ev.bstate & BUTTON4_PRESSED) {
		view_move_selection(v, -3);
	} else if (ev.bstate & BUTTON5_PRESSED) {
		view_move_selection(v, 3);
	} else if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) {
		if (ev.y == v->title_y && (f = column_at(v, ev.x))) {
			/* The registry's row, not a copy shrunk for this width. */
			f = field_find(f->key);
			/* a click on the sort column reverses it, as htop */
			if (f == v->o->sort.f)
				v->o->sort.reverse = !v->o->sort.reverse;
			else
				v->o->sort = (struct field_sort){f, false};
			view_rebuild(v);
		} else if (ev.y >= v->list_y && v->top + (size_t)(ev.y - v->list_y) < v->rows.n) {
			view_select_row(v, v->top + (size_t)(ev.y - v->list_y));
		}
	}
}

/* ---- the loop -------------------------------------------------------------------- */

static void refresh_frame(struct view *v)
{
	if (top_frame_read(v->w, &v->rows, v->o, false) < 0) {
		int err = errno;

		restore_terminal();
		pmon_die_errno(EXIT_FAIL, err, "cannot read the process table");
	}
	v->have_frame = true;
	meter_history_add(&v->hist, v->w->sys.cpu.busy_pct,
			  v->w->sys.mem_total_kb ? 100.0 * (double)v->w->sys.mem_used_kb /
			  (double)v->w->sys.mem_total_kb : 0);
	view_place_selection(v);
	view_fetch_shown(v);
	if (v->screen == SCREEN_DETAIL)
		detail_sample(v);
}

/* How long the loop may sleep: until the next refresh, the room's next
 * timer, or a tick (how soon a signal is seen), whichever comes first. */
static int sleep_ms(const struct view *v, double now, double room_timer)
{
	double wait = TICK_MS;

	if (!v->paused && (v->next_refresh - now) * 1000 < wait)
		wait = (v->next_refresh - now) * 1000;
	if (room_timer > 0 && (room_timer - now) * 1000 < wait)
		wait = (room_timer - now) * 1000;
	return wait < 1 ? 1 : (int)wait;
}

/* Every key waiting, each dispatched; whether there was one. */
/* A bracketed paste's text, up to its end "\e[201~" (or what there is):
 * pasted text is not keys. */
static void drop_paste(void)
{
	static const char end[] = "\033[201~";
	size_t at = 0;
	int ch;

	while (end[at] && (ch = getch()) != ERR)
		at = ch == end[at] ? at + 1 : ch == end[0];
}

/*
 * After an ESC: a key ncurses did not know (another terminal's, a mouse
 * report in a format it was not asked for, Alt with a key) comes as ESC
 * and then its bytes, which would each act as a key: "\e[99~" reniced
 * the selected row with its '['.  Such a sequence is read whole and
 * dropped; 27 when the ESC came alone (it cancels and closes).
 */
static int after_escape(void)
{
	char params[8];
	size_t n = 0;
	int ch = getch();

	if (ch == ERR)
		return 27;
	if (ch == '[' || ch == 'O') {
		/* CSI or SS3: parameter and intermediate bytes up to a
		 * final one (ECMA-48) */
		while ((ch = getch()) != ERR && (ch < 0x40 || ch > 0x7e))
			if (n < sizeof(params) - 1)
				params[n++] = (char)ch;
		params[n] = '\0';
		if (ch == 'M' && !n) /* an X10 mouse report: 3 bytes */
			for (int i = 0; i < 3 && getch() != ERR; i++)
				;
		if (ch == '~' && strcmp(params, "200") == 0)
			drop_paste();
	}
	return 0;
}

static bool read_keys(struct view *v)
{
	bool any = false;
	int ch;

	while (!v->quit && (ch = getch()) != ERR) {
		any = true;
		if (ch == 27 && (ch = after_escape()) == 0)
			continue;
		if (ch == KEY_MOUSE)
			view_mouse(v);
		else
			keys_dispatch(v, ch);
	}
	return any;
}

/*
 * One poll for the keys and the room (redis's ae.c in small: descriptors
 * and explicit timers, nothing that blocks): a refresh is never later
 * than its time for anything the room does or does not do.
 */
static int loop(struct view *v)
{
	timeout(0); /* getch only takes what poll said is there */
	while (!v->quit && !quit_signal) {
		double now = mono_now(), room_timer = roompane_tick(v, now);
		struct pollfd p[2] = {{.fd = STDIN_FILENO, .events = POLLIN},
				      {.fd = -1}};

		if (!v->paused && now >= v->next_refresh) {
			refresh_frame(v);
			v->next_refresh = now + v->o->delay;
			view_draw(v);
		}
		p[1].fd = roompane_fd(v, &p[1].events);
		if (poll(p, 2, sleep_ms(v, now, room_timer)) < 0 && errno != EINTR) {
			int err = errno;

			restore_terminal();
			pmon_die_errno(EXIT_FAIL, err, "cannot wait for keys");
		}
		/* The terminal is gone (hung up, closed): as SIGHUP would say,
		 * had it come; reading on would spin. */
		if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			quit_signal = SIGHUP;
			break;
		}
		if (p[1].fd >= 0 && p[1].revents)
			roompane_io(v, p[1].revents, mono_now());
		/* after a signal too: a resize comes as KEY_RESIZE */
		if (read_keys(v) || roompane_changed(v))
			view_draw(v);
	}
	return EXIT_OK;
}

int top_view_run(struct procwatch *w, struct top_opts *o, const char *warning,
		 const struct top_room *room)
{
	struct view v = {
		.w = w, .o = o, .room_socket = room ? room->socket : NULL,
		.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0,
	};
	int status, sig;

	install_signals();
	start_curses(&v);
	top_frame_prime(w, o);
	if (warning && *warning) {
		char shown[400];

		view_message(&v, true, "%s", esc_string(warning, v.utf8, shown, sizeof(shown)));
	}
	v.next_refresh = mono_now() + TOP_FIRST_SAMPLE_S;
	view_draw(&v);
	if (room && room->open)
		roompane_toggle(&v);
	status = loop(&v);
	restore_terminal();
	roompane_close(&v);
	top_rows_free(&v.rows);
	detail_close(&v);
	buf_free(&v.line);
	buf_free(&v.scratch);
	buf_free(&v.results);
	free(v.targets);
	free(v.target_names);
	free(v.tags);
	sig = quit_signal;
	if (sig) {
		/* Die of the signal, as the shell expects, now that the
		 * terminal is back. */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return status;
}
