/*
 * tui.c - `pmon chat` on a terminal (tui.h): a scrolling pane of
 * messages (timestamps, a colour per name), a status line (room, name,
 * people present) and an input line with editing and history.
 *
 * Everything shown passed through chat_sanitize (the server sanitised it
 * already; this is the second pass), so no byte from the room can act on
 * the terminal.  The terminal is restored on every way out: /quit, end of
 * input, a lost room, and the signals client.c catches, which cut short
 * any wait (for the room too) and then end the process by that signal.
 * What made it leave is said on stderr once the terminal is back, where
 * it stays readable.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "chat/linemode.h"
#include "chat/notify.h"
#include "chat/tui.h"
#include "util/curses_lib.h"
#include "view/escape.h"

#define PANE_MAX 2000   /* lines kept in the pane */
#define HIST_MAX 100    /* input lines kept for Up/Down */
#define INPUT_MAX 1024  /* characters of the input line */

enum { C_NONE, C_SYSTEM, C_ADMIN, C_ERROR, C_PRIVATE, C_STATUS, C_NAME0 };
#define NAME_COLORS 6

struct pane_line {
	time_t when;
	int color;     /* of the name part (or of the whole system line) */
	size_t split;  /* bytes of text drawn in color; the rest plain */
	char *text;    /* sanitised UTF-8 */
	int rows, rows_cols; /* rows it takes at rows_cols columns (0: not
				known), as every redraw asks again */
};

struct tui {
	struct chat_client *c;
	struct pane_line lines[PANE_MAX];
	size_t first, count;
	size_t scroll;           /* rows scrolled back from the bottom, at
				    most the rows kept above the pane */
	wchar_t input[INPUT_MAX + 1];
	size_t ilen, icur;
	char *hist[HIST_MAX];
	size_t nhist, hpos;
	int people;
	bool naming;             /* the input line asks for a name */
	bool done, color;
	bool closed;             /* the server said it is shutting down */
	int quiet_who;           /* our own /who requests, only to count */
	bool kicked;             /* the administrator put us out */
	int status;
	char why[CHAT_WHY_MAX + 64]; /* why it failed, for stderr at the end */
};

static bool curses_on; /* for the exit handler: pmon_die must restore too */

static void restore_terminal(void)
{
	if (curses_on) {
		endwin();
		curses_on = false;
	}
}

/* ---- the pane ---------------------------------------------------------- */

static int name_color(const char *name, size_t n)
{
	unsigned h = 5381;

	for (size_t i = 0; i < n; i++)
		h = h * 33 + (unsigned char)(name[i] | 0x20);
	return C_NAME0 + (int)(h % NAME_COLORS);
}

static int line_rows(struct pane_line *l, int cols);

static void pane_add(struct tui *t, time_t when, int color, size_t split,
		     const char *text)
{
	struct pane_line *l;

	if (t->count == PANE_MAX) {
		free(t->lines[t->first].text);
		t->first = (t->first + 1) % PANE_MAX;
		t->count--;
	}
	l = &t->lines[(t->first + t->count) % PANE_MAX];
	l->when = when;
	l->color = color;
	l->split = split;
	l->text = xstrdup(text);
	l->rows_cols = 0;
	t->count++;
	/* Reading back: the view stays on the same messages, so it moves
	 * up by the rows this line takes (the cap is draw_pane's). */
	if (t->scroll)
		t->scroll += (size_t)line_rows(l, COLS);
}

/* A line of this client ("[pmon] ...", errors); sanitised here, as
 * parts of it (a refusal, the room's name) come from the server. */
static void pane_note(struct tui *t, int color, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

static void pane_note(struct tui *t, int color, const char *fmt, ...)
{
	struct buf clean = {0};
	va_list ap;
	char tmp[1024];

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	chat_sanitize(&clean, tmp, strlen(tmp));
	pane_add(t, time(NULL), color, clean.len, clean.data ? clean.data : "");
	buf_free(&clean);
}

/* Columns of the UTF-8 text s[0..n), and how many bytes fit in cols. */
static size_t fit_bytes(const char *s, size_t n, int cols, int *used)
{
	mbstate_t st = {0};
	size_t i = 0;
	int w = 0;

	while (i < n) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s + i, n - i, &st);
		int cw;

		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			k = 1;
			cw = 1;
			memset(&st, 0, sizeof(st));
		} else {
			cw = wcwidth(wc);
			if (cw < 0)
				cw = 1;
		}
		if (w + cw > cols)
			break;
		w += cw;
		i += k;
	}
	*used = w;
	return i;
}

#define STAMP_COLS 6 /* "HH:MM ", and so the indent of continuation rows */

/* The columns for a pane line's text at terminal width cols. */
static int text_cols(int cols)
{
	return cols - STAMP_COLS < 8 ? 8 : cols - STAMP_COLS;
}

/* Bytes of the character at s (1 for a byte that is not one). */
static size_t char_len(const char *s, size_t n)
{
	mbstate_t st = {0};
	size_t k = mbrlen(s, n, &st);

	return k == 0 || k > n ? 1 : k;
}

/* Does the word s[0..n) fit on a row of avail columns? */
static bool word_fits(const char *s, size_t n, int avail)
{
	int used;

	return fit_bytes(s, n, avail, &used) == n;
}

/*
 * One row of s[0..len) from off: it shows [off, *end), and the next row
 * starts at the return value.  A row breaks at the last space that fits
 * (spaces at the break are shown on neither row), so that words stay
 * whole; a word wider than a whole row is cut where the row ends, as
 * moving it to the next row would not save it.
 */
static size_t wrap_row(const char *s, size_t len, size_t off, int avail,
		       size_t *end)
{
	int used;
	size_t fit = off + fit_bytes(s + off, len - off, avail, &used);
	size_t sp = fit, next, word_end = fit;

	if (fit == off) { /* a character wider than the row: alone on it */
		*end = off + char_len(s + off, len - off);
		return *end;
	}
	if (fit == len) {
		*end = len;
		return len;
	}
	while (sp > off && s[sp] != ' ')
		sp--;
	*end = sp;
	while (*end > off && s[*end - 1] == ' ')
		(*end)--;
	while (word_end < len && s[word_end] != ' ')
		word_end++;
	if (s[sp] != ' ' || *end == off ||
	    (sp < fit && !word_fits(s + sp + 1, word_end - sp - 1, avail))) {
		*end = fit; /* no space to break at, or a word too long */
		return fit;
	}
	for (next = sp; next < len && s[next] == ' ';)
		next++;
	return next;
}

/* The rows a pane line takes at width cols (timestamp included). */
static int line_rows(struct pane_line *l, int cols)
{
	size_t len = strlen(l->text), off = 0, end;
	int rows = 0;

	if (l->rows_cols == cols)
		return l->rows;
	do {
		off = wrap_row(l->text, len, off, text_cols(cols), &end);
		rows++;
	} while (off < len);
	l->rows = rows;
	l->rows_cols = cols;
	return rows;
}

static struct pane_line *pane_line(struct tui *t, size_t i)
{
	return &t->lines[(t->first + i) % PANE_MAX];
}

/* The furthest the pane scrolls back: the oldest line kept at its top. */
static size_t scroll_max(struct tui *t, int height, int cols)
{
	size_t rows = 0;

	for (size_t i = 0; i < t->count; i++)
		rows += (size_t)line_rows(pane_line(t, i), cols);
	return rows > (size_t)height ? rows - (size_t)height : 0;
}

static void scroll_by(struct tui *t, long rows)
{
	size_t max;

	if (t->scroll == 0 && rows <= 0)
		return; /* at the bottom: nothing to count */
	max = scroll_max(t, LINES - 2, COLS);

	if (rows < 0)
		t->scroll = t->scroll > (size_t)-rows ? t->scroll - (size_t)-rows : 0;
	else
		t->scroll += (size_t)rows;
	if (t->scroll > max)
		t->scroll = max;
}

/* Draw row number `row` (0-based) of line l at screen row y. */
static void draw_row(struct tui *t, const struct pane_line *l, int row,
		     int y, int cols)
{
	size_t len = strlen(l->text), off = 0, end;
	int avail = text_cols(cols);

	for (int r = 0; r < row; r++)
		off = wrap_row(l->text, len, off, avail, &end);
	move(y, 0);
	if (row == 0) {
		char stamp[8];
		struct tm tm;

		localtime_r(&l->when, &tm);
		strftime(stamp, sizeof(stamp), "%H:%M ", &tm);
		attron(A_DIM);
		addstr(stamp);
		attroff(A_DIM);
	} else {
		addstr("      ");
	}
	(void)wrap_row(l->text, len, off, avail, &end);
	{
		size_t k = end - off;
		size_t colored = l->split > off ? l->split - off : 0;

		if (colored > k)
			colored = k;
		if (colored) {
			if (t->color)
				attron(COLOR_PAIR(l->color));
			attron(A_BOLD);
			addnstr(l->text + off, (int)colored);
			attroff(A_BOLD);
			if (t->color)
				attroff(COLOR_PAIR(l->color));
		}
		addnstr(l->text + off + colored, (int)(k - colored));
	}
}

static void draw_pane(struct tui *t)
{
	int height = LINES - 2, cols = COLS, y = height - 1;
	size_t skip;

	scroll_by(t, 0); /* lines dropped, or a resize, may have moved the cap */
	skip = t->scroll;

	for (int r = 0; r < height; r++) {
		move(r, 0);
		clrtoeol();
	}
	for (size_t i = t->count; i-- > 0 && y >= 0;) {
		struct pane_line *l = pane_line(t, i);
		int rows = line_rows(l, cols);

		for (int r = rows - 1; r >= 0 && y >= 0; r--) {
			if (skip) {
				skip--;
				continue;
			}
			draw_row(t, l, r, y--, cols);
		}
	}
}

static void draw_status(struct tui *t)
{
	char line[512];
	int n;

	n = snprintf(line, sizeof(line), " %s | %s | %d present%s%s",
		     t->c->room, t->naming ? "(choose a name)" : t->c->name,
		     t->people, t->scroll ? " | scrolled back (PgDn, End)" : "",
		     " | /help, /quit");
	move(LINES - 2, 0);
	attron(A_REVERSE);
	if (t->color)
		attron(COLOR_PAIR(C_STATUS));
	addnstr(line, n < COLS ? n : COLS);
	for (int x = n; x < COLS; x++)
		addch(' ');
	if (t->color)
		attroff(COLOR_PAIR(C_STATUS));
	attroff(A_REVERSE);
}

/* Columns of an input character: wcwidth, so 2 for a wide one and 0 for
 * a combining mark or another zero-width character, which joins the
 * character before it on the screen. */
static int input_cols(wchar_t wc)
{
	int w = wcwidth(wc);

	return w < 0 ? 1 : w;
}

/* Columns of input[from, to). */
static int input_width(const struct tui *t, size_t from, size_t to)
{
	int w = 0;

	for (size_t i = from; i < to; i++)
		w += input_cols(t->input[i]);
	return w;
}

/* The character at i with the zero-width ones that join it ends here:
 * the cursor, the sideways scroll and deletions move by whole ones. */
static size_t char_end(const struct tui *t, size_t i)
{
	if (i < t->ilen)
		i++;
	while (i < t->ilen && input_cols(t->input[i]) == 0)
		i++;
	return i;
}

/* Where the whole character before position i starts. */
static size_t char_before(const struct tui *t, size_t i)
{
	while (i > 0 && input_cols(t->input[--i]) == 0)
		;
	return i;
}

static void draw_input(struct tui *t)
{
	const char *prompt = t->naming ? "name> " : "> ";
	int pl = (int)strlen(prompt), width = COLS - pl - 1, x = 0;
	size_t start = 0;

	if (width < 1)
		width = 1;
	/* Scroll the input sideways so the cursor stays visible. */
	while (start < t->icur && input_width(t, start, t->icur) >= width)
		start = char_end(t, start);
	move(LINES - 1, 0);
	clrtoeol();
	addstr(prompt);
	for (size_t i = start, next; i < t->ilen; i = next) {
		int cw;

		next = char_end(t, i);
		cw = input_width(t, i, next);
		if (x + cw > width)
			break;
		addnwstr(&t->input[i], (int)(next - i));
		x += cw;
	}
	move(LINES - 1, pl + input_width(t, start, t->icur));
}

static void redraw(struct tui *t)
{
	draw_pane(t);
	draw_status(t);
	draw_input(t);
	refresh();
}

/* ---- events from the room ------------------------------------------------ */

static void show_event(struct tui *t, const struct chat_ev *ev)
{
	struct chat_ev live = *ev;
	struct buf out = {0};
	int color = C_SYSTEM;
	size_t split, start;

	/* The time column gives the event's own time; history is marked
	 * with a short prefix rather than a second date. */
	live.history = false;
	if (ev->history)
		buf_puts(&out, "(history) ");
	start = out.len;
	if (!chat_format_plain(&live, &out)) {
		buf_free(&out);
		return;
	}
	split = out.len;
	switch (ev->kind) {
	case EV_MSG: {
		/* "NAME: text": the name is one word, so the first ": " ends
		 * it; colour the name and its colon. */
		const char *colon = memmem(out.data + start, out.len - start,
					   ": ", 2);

		color = name_color(ev->name, ev->name_len);
		if (colon)
			split = (size_t)(colon - out.data) + 1;
		break;
	}
	case EV_ANNOUNCE: color = C_ADMIN; break;
	case EV_ACTION: color = C_ADMIN; break;
	case EV_PRIVATE: color = C_PRIVATE; break;
	case EV_SHUTDOWN: color = C_ERROR; break;
	default: break;
	}
	if (!ev->history) {
		if (ev->kind == EV_JOIN)
			t->people++;
		else if (ev->kind == EV_LEAVE && t->people > 1)
			t->people--;
	}
	pane_add(t, ev->time ? (time_t)ev->time : time(NULL), color,
		 split > out.len ? out.len : split, out.data);
	buf_free(&out);
}

static void on_server_line(struct tui *t, const struct chat_line *l)
{
	struct chat_ev ev;
	struct buf out = {0};

	chat_parse_event(l->text, l->len, &ev);
	switch (ev.kind) {
	case EV_WHO:
		if (!t->quiet_who)
			show_event(t, &ev);
		break;
	case EV_HELP:
		chat_sanitize(&out, ev.text, ev.text_len);
		pane_note(t, C_SYSTEM, "%s", out.data ? out.data : "");
		break;
	case EV_CLAIMLINE: {
		struct chat_claim c;

		if (t->quiet_who || !chat_claim_parse(l->text, l->len, &c))
			break;
		chat_claim_format(&out, &c, (long long)time(NULL));
		pane_note(t, C_SYSTEM, "  %s", out.data);
		break;
	}
	case EV_ERROR:
		chat_sanitize(&out, ev.text, ev.text_len);
		pane_note(t, C_ERROR, "! %s", out.data ? out.data : "");
		if (chat_ev_word_is(&ev, "kicked")) {
			/* put out: not a lost connection to repair */
			t->kicked = true;
			t->done = true;
			t->status = EXIT_FAIL;
		}
		break;
	case EV_OK:
		if (chat_ev_word_is(&ev, "who")) {
			t->people = atoi(ev.text);
			if (t->quiet_who)
				t->quiet_who--;
		}
		else if (chat_ev_word_is(&ev, "name") &&
			 chat_name_valid(ev.text, ev.text_len)) {
			memcpy(t->c->name, ev.text, ev.text_len);
			t->c->name[ev.text_len] = '\0';
		}
		break;
	case EV_SHUTDOWN:
		show_event(t, &ev);
		t->done = true;
		t->closed = true;
		break;
	default:
		show_event(t, &ev);
		break;
	}
	buf_free(&out);
}

/* ---- sending ---------------------------------------------------------- */

/* Show what we said ourselves (the server tells only the others), in
 * the form the others see it. */
static void echo_own(struct tui *t, const char *line, size_t n)
{
	struct chat_ev ev;
	struct buf priv = {0};

	switch (chat_own_echo(t->c->name, line, n, &ev, &priv)) {
	case OWN_EVENT:
		show_event(t, &ev);
		break;
	case OWN_PRIVATE:
		pane_add(t, time(NULL), C_PRIVATE, priv.len, priv.data);
		break;
	case OWN_NONE:
		break;
	}
	buf_free(&priv);
}

/* The end, for a reason to be given on stderr once the screen is gone. */
static void fail(struct tui *t, const char *why)
{
	snprintf(t->why, sizeof(t->why), "%s", why);
	t->done = true;
	t->status = EXIT_FAIL;
}

static void try_join(struct tui *t, const char *name, double deadline)
{
	char why[CHAT_WHY_MAX];
	bool refused;

	if (chat_client_join(t->c, name, deadline, why, &refused) < 0) {
		pane_note(t, C_ERROR, "! %s", why);
		if (refused) {
			pane_note(t, C_SYSTEM, "[pmon] type another name and press"
				  " Enter");
			t->naming = true;
		} else if (!chat_caught_signal()) {
			fail(t, why);
		}
		return;
	}
	t->naming = false;
	pane_note(t, C_SYSTEM, "[pmon] you are in the room %s as %s",
		  t->c->room, t->c->name);
	(void)chat_client_send(t->c, "/who", 4); /* to count who is here */
	t->quiet_who++;
}

static void hist_push(struct tui *t, const char *line)
{
	if (t->nhist == HIST_MAX) {
		free(t->hist[0]);
		memmove(t->hist, t->hist + 1, (HIST_MAX - 1) * sizeof(char *));
		t->nhist--;
	}
	t->hist[t->nhist++] = xstrdup(line);
	t->hpos = t->nhist;
}

static void submit(struct tui *t)
{
	char line[INPUT_MAX * 4 + 1];
	size_t n;

	t->input[t->ilen] = L'\0';
	n = wcstombs(line, t->input, sizeof(line) - 1);
	if (n == (size_t)-1)
		return;
	line[n] = '\0';
	t->ilen = t->icur = 0;
	t->scroll = 0;
	if (t->naming) {
		try_join(t, line, mono_now() + CHAT_ENTER_TIMEOUT_S);
		return;
	}
	if (n == 0)
		return;
	hist_push(t, line);
	if (chat_client_send(t->c, line, n) < 0) {
		pane_note(t, C_ERROR, "! not sent: %s", CHAT_LINE_RULE);
		return;
	}
	echo_own(t, line, n);
	if (chat_request_quits(line, n))
		t->done = true;
}

static void set_input(struct tui *t, const char *s)
{
	size_t n = mbstowcs(t->input, s, INPUT_MAX);

	t->ilen = t->icur = n == (size_t)-1 ? 0 : n;
}

/* ---- keys ------------------------------------------------------------ */

static void delete_range(struct tui *t, size_t from, size_t to)
{
	memmove(t->input + from, t->input + to,
		(t->ilen - to) * sizeof(wchar_t));
	t->ilen -= to - from;
	t->icur = from;
}

static void on_key(struct tui *t, int kind, wint_t k)
{
	int page = LINES - 3 > 1 ? LINES - 3 : 1;

	if (kind == KEY_CODE_YES) {
		switch (k) {
		case KEY_LEFT: t->icur = char_before(t, t->icur); break;
		case KEY_RIGHT: t->icur = char_end(t, t->icur); break;
		case KEY_HOME: t->icur = 0; break;
		case KEY_END: /* the end of the line, and the newest messages */
			t->icur = t->ilen;
			t->scroll = 0;
			break;
		case KEY_BACKSPACE:
			delete_range(t, char_before(t, t->icur), t->icur);
			break;
		case KEY_DC:
			delete_range(t, t->icur, char_end(t, t->icur));
			break;
		case KEY_UP:
			if (t->hpos > 0)
				set_input(t, t->hist[--t->hpos]);
			break;
		case KEY_DOWN:
			if (t->hpos < t->nhist)
				t->hpos++;
			if (t->hpos < t->nhist)
				set_input(t, t->hist[t->hpos]);
			else
				t->ilen = t->icur = 0;
			break;
		case KEY_PPAGE: scroll_by(t, page); break;
		case KEY_NPAGE: scroll_by(t, -page); break;
		case KEY_ENTER: submit(t); break;
		case KEY_RESIZE: clear(); break;
		default: break;
		}
		return;
	}
	switch (k) {
	case L'\r':
	case L'\n': submit(t); break;
	case 1: t->icur = 0; break;         /* ^A */
	case 5: t->icur = t->ilen; break;   /* ^E */
	case 2: t->icur = char_before(t, t->icur); break; /* ^B */
	case 6: t->icur = char_end(t, t->icur); break;    /* ^F */
	case 4:                                           /* ^D */
		if (t->ilen == 0) {
			(void)chat_client_send(t->c, "/quit", 5);
			t->done = true;
		} else {
			delete_range(t, t->icur, char_end(t, t->icur));
		}
		break;
	case 8:
	case 127:
		delete_range(t, char_before(t, t->icur), t->icur);
		break;
	case 11: t->ilen = t->icur; break;                /* ^K */
	case 21: delete_range(t, 0, t->icur); break;      /* ^U */
	case 23: {                                        /* ^W */
		size_t i = t->icur;

		while (i && t->input[i - 1] == L' ')
			i--;
		while (i && t->input[i - 1] != L' ')
			i--;
		delete_range(t, i, t->icur);
		break;
	}
	case 12: clear(); break;                          /* ^L */
	default:
		/* Not what the room would drop anyway: drawn raw here, a
		 * direction override would reorder the line. */
		if (k >= 0x20 && k != 0x7f && t->ilen < INPUT_MAX &&
		    wcwidth((wchar_t)k) >= 0 && !codepoint_is_unsafe(k)) {
			memmove(t->input + t->icur + 1, t->input + t->icur,
				(t->ilen - t->icur) * sizeof(wchar_t));
			t->input[t->icur++] = (wchar_t)k;
			t->ilen++;
		}
		break;
	}
}

/* ---- setting up and the loop ---------------------------------------------- */

static void colors_init(struct tui *t)
{
	static const short names[NAME_COLORS] = {
		COLOR_GREEN, COLOR_CYAN, COLOR_MAGENTA, COLOR_YELLOW,
		COLOR_BLUE, COLOR_RED,
	};
	const char *nc = getenv("NO_COLOR");

	t->color = has_colors() && !(nc && *nc);
	if (!t->color)
		return;
	start_color();
	use_default_colors();
	init_pair(C_SYSTEM, COLOR_CYAN, -1);
	init_pair(C_ADMIN, COLOR_YELLOW, -1);
	init_pair(C_ERROR, COLOR_RED, -1);
	init_pair(C_PRIVATE, COLOR_MAGENTA, -1);
	init_pair(C_STATUS, COLOR_WHITE, COLOR_BLUE);
	for (int i = 0; i < NAME_COLORS; i++)
		init_pair((short)(C_NAME0 + i), names[i], -1);
}

static void read_keys(struct tui *t)
{
	wint_t k;
	int kind;

	while ((kind = get_wch(&k)) != ERR) {
		on_key(t, kind, k);
		if (t->done)
			break;
	}
}

/* The server went away: say so, get back in (starting one if we may). */
static bool reconnect(struct tui *t)
{
	char why[CHAT_WHY_MAX], msg[CHAT_WHY_MAX + 64];

	pane_note(t, C_ERROR, "! lost the connection to the room;"
		  " reconnecting (for up to %d s; Ctrl-C gives up)...",
		  CHAT_ENTER_TIMEOUT_S);
	redraw(t);
	if (chat_client_reconnect(t->c, t->c->name[0] ? t->c->name : "",
				  why) < 0) {
		if (chat_caught_signal())
			return false;
		snprintf(msg, sizeof(msg), "could not get back into the"
			 " room: %s", why);
		fail(t, msg);
		return false;
	}
	pane_note(t, C_SYSTEM, "[pmon] back in the room as %s", t->c->name);
	t->quiet_who = 1; /* the old connection's answer is gone */
	(void)chat_client_send(t->c, "/who", 4);
	return true;
}

/*
 * A resize is curses' SIGWINCH handler setting a flag that the next key
 * read turns into KEY_RESIZE.  The loop waits without a timeout, so a
 * SIGWINCH that came while it was drawing (not waiting) went unseen
 * until the next line or key: a window resized just after the room was
 * entered stayed drawn at its old size (seen in chat_tui.bats under load).
 * So SIGWINCH is held except inside the wait, which it then interrupts.
 */
static void loop(struct tui *t)
{
	sigset_t winch, waiting;

	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	(void)sigprocmask(SIG_BLOCK, &winch, &waiting);
	sigdelset(&waiting, SIGWINCH);
	while (!t->done && !chat_caught_signal()) {
		struct pollfd p[3] = {
			{.fd = STDIN_FILENO, .events = POLLIN},
			{.fd = t->c->fd, .events = POLLIN},
			{.fd = chat_signal_fd(), .events = POLLIN},
		};
		struct chat_line l;
		int r;

		while (chat_client_line(t->c, &l))
			on_server_line(t, &l);
		/* A resize that came during a wait elsewhere (entering the
		 * room) is pending in curses: take it before drawing. */
		read_keys(t);
		if (t->done)
			break;
		redraw(t);
		if (t->c->out.len)
			p[1].events |= POLLOUT;
		if (ppoll(p, 3, NULL, &waiting) < 0) {
			if (errno == EINTR) {
				read_keys(t); /* a resize comes as KEY_RESIZE */
				continue;
			}
			fail(t, "cannot wait for input");
			break;
		}
		if (p[0].revents)
			read_keys(t);
		if (p[1].revents & POLLOUT)
			(void)chat_client_flush(t->c);
		if (!(p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = chat_client_read(t->c);
		if (r > 0 || (r < 0 && (errno == EAGAIN || errno == EINTR)))
			continue;
		while (chat_client_line(t->c, &l))
			on_server_line(t, &l);
		if (t->done)
			break;
		if (!reconnect(t))
			break;
	}
	(void)sigprocmask(SIG_UNBLOCK, &winch, NULL);
}

/* After the terminal is restored: why the client left, where it stays. */
static void say_why(const struct tui *t)
{
	int sig = chat_caught_signal();

	if (t->why[0])
		pmon_warn("%s", t->why);
	else if (sig && sig != SIGINT)
		pmon_warn("left the room on signal %d", sig);
	else if (t->closed)
		pmon_warn("the room on %s was closed by its administrator",
			  t->c->path);
	else if (t->kicked)
		pmon_warn("you were put out of the room by its administrator");
}

int chat_tui(struct chat_client *c, const char *name, double deadline)
{
	struct tui *t;
	const char *why;
	int status;

	if (!curses_load(&why)) {
		pmon_warn("cannot load ncurses (Debian: libncursesw6): %s; "
			  "chatting in line mode", why);
		return chat_line_mode(c, name, deadline);
	}
	t = xcalloc(1, sizeof(*t));
	t->c = c;
	t->people = 1;
	signal(SIGPIPE, SIG_IGN);
	/* A signal between newterm and the handlers would leave the
	 * terminal in full-screen mode: hold them until they are caught. */
	chat_hold_signals(true);
	if (!newterm(NULL, stdout, stdin)) { /* initscr would exit */
		chat_hold_signals(false);
		free(t);
		return chat_line_mode(c, name, deadline);
	}
	curses_on = true;
	atexit(restore_terminal);
	if (chat_catch_signals() < 0) {
		int err = errno;

		restore_terminal();
		pmon_die_errno(EXIT_FAIL, err, "cannot catch signals");
	}
	chat_hold_signals(false);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	colors_init(t);
	redraw(t);
	try_join(t, name, deadline);
	loop(t);
	if (t->done && !chat_caught_signal() && t->status == EXIT_OK &&
	    !t->naming) {
		/* let "/quit" reach the server before the socket closes */
		(void)chat_client_flush(c);
	}
	restore_terminal();
	status = t->status;
	for (size_t i = 0; i < t->count; i++)
		free(t->lines[(t->first + i) % PANE_MAX].text);
	for (size_t i = 0; i < t->nhist; i++)
		free(t->hist[i]);
	say_why(t);
	free(t);
	chat_die_of_caught_signal();
	return status;
}
