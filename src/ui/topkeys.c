/*
 * topkeys.c - the keys of top's main screen: ONE table that both
 * dispatches them and draws the help (h, ?, F1), so that the help can
 * never say something the keys do not do.  The other screens (setup,
 * detail, help, results) and the prompts have their own small handlers.
 */
#include <ctype.h>
#include <string.h>

#include "chat/session.h"
#include "ui/topconf.h"
#include "ui/topview.h"
#include "ui/topview_int.h"
#include "view/escape.h"

struct key_def {
	int keys[4];          /* codes; 0 ends */
	const char *label;    /* how the help names them */
	const char *help;
	void (*fn)(struct view *v);
};

/* ---- what the keys do (each a line or two) ----------------------------------- */

static void k_quit(struct view *v) { v->quit = true; }
static void k_help(struct view *v) { v->screen = SCREEN_HELP; v->help_page = 0; }
static size_t page(const struct view *v) { return v->list_end > v->list_y + 1 ? (size_t)(v->list_end - v->list_y) : 1; }
static void k_up(struct view *v) { view_move_selection(v, -1); }
static void k_down(struct view *v) { view_move_selection(v, 1); }
static void k_pgup(struct view *v) { view_move_selection(v, -(long)page(v)); }
static void k_pgdn(struct view *v) { view_move_selection(v, (long)page(v)); }
static void k_home(struct view *v) { view_select_row(v, 0); }
static void k_end(struct view *v) { view_select_row(v, v->rows.n ? v->rows.n - 1 : 0); }

static void sort_by(struct view *v, const struct field *f)
{
	v->o->sort = (struct field_sort){f, false};
	view_rebuild(v);
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

static void k_sort_left(struct view *v) { sort_next(v, -1); }
static void k_sort_right(struct view *v) { sort_next(v, 1); }
static void k_reverse(struct view *v) { v->o->sort.reverse = !v->o->sort.reverse; view_rebuild(v); }
static void k_sort_cpu(struct view *v) { sort_by(v, field_find("cpu_pct")); }
static void k_sort_mem(struct view *v) { sort_by(v, field_find("mem_pct")); }
static void k_sort_time(struct view *v) { sort_by(v, field_find("cpu_time_s")); }
static void k_sort_pid(struct view *v) { sort_by(v, field_find("pid")); }
static void k_tree(struct view *v) { v->o->tree = !v->o->tree; view_rebuild(v); }
static void k_threads(struct view *v) { v->o->threads = !v->o->threads; view_rebuild(v); }
static void k_zombies(struct view *v) { v->o->zombies_only = !v->o->zombies_only; view_rebuild(v); }

static void k_cmdline(struct view *v)
{
	v->o->cmdline = !v->o->cmdline;
	top_opts_sync_name(v->o);
	view_rebuild(v);
}

/* Folding acts on the selected node of the tree view. */
static bool fold_target(struct view *v)
{
	if (!v->o->tree) {
		view_message(v, true, "folding works in the tree view (t)");
		return false;
	}
	if (!top_row_has_children(&v->rows, v->sel)) {
		view_message(v, false, "nothing under this process to fold");
		return false;
	}
	return true;
}

static void k_fold(struct view *v)
{
	const struct proc *p = view_selected(v);

	if (fold_target(v) && !top_is_folded(v->o, p)) {
		top_fold_toggle(v->o, p);
		view_rebuild(v);
	}
}

static void k_unfold(struct view *v)
{
	const struct proc *p = view_selected(v);

	if (fold_target(v) && top_is_folded(v->o, p)) {
		top_fold_toggle(v->o, p);
		view_rebuild(v);
	}
}

static void k_fold_all(struct view *v)
{
	top_fold_all(v->o, !(v->o->fold_all && v->o->nfolds == 0));
	view_message(v, false, v->o->fold_all ? "every node folded" : "every node unfolded");
	view_rebuild(v);
}

static void k_search(struct view *v) { prompt_start(v, PROMPT_SEARCH); }
static void k_next(struct view *v) { search_next(v, 1); }
static void k_prev(struct view *v) { search_next(v, -1); }
static void k_filter(struct view *v) { prompt_start(v, PROMPT_FILTER); }
static void k_user(struct view *v) { prompt_start(v, PROMPT_USER); }
static void k_delay(struct view *v) { prompt_start(v, PROMPT_DELAY); }

static void k_kill(struct view *v)
{
	if (act_fix_targets(v))
		prompt_start(v, PROMPT_SIGNAL);
}

static void k_reap(struct view *v)
{
	if (act_fix_targets(v)) {
		v->confirm = CONFIRM_REAP;
		prompt_start(v, PROMPT_CONFIRM);
	}
}

static void k_nice_down(struct view *v) { act_renice(v, -1); }
static void k_nice_up(struct view *v) { act_renice(v, 1); }
static void k_tag(struct view *v) { act_tag_toggle(v); view_move_selection(v, 1); }
static void k_tag_tree(struct view *v) { act_tag_subtree(v); }
static void k_tag_all(struct view *v) { act_tag_all(v); }
static void k_untag(struct view *v) { act_untag_all(v); }
static void k_strace(struct view *v) { act_strace(v); }
static void k_lsof(struct view *v) { act_lsof(v); }
static void k_detail(struct view *v) { detail_open(v); }
static void k_setup(struct view *v) { v->screen = SCREEN_SETUP; v->setup_sel = 0; }

static void k_write(struct view *v)
{
	char err[300], path[256];

	if (top_conf_save(v->o, err, sizeof(err)) < 0) {
		char shown[320];

		view_message(v, true, "settings not written: %s",
			     esc_string(err, v->utf8, shown, sizeof(shown)));
		return;
	}
	if (top_conf_path(path, sizeof(path)) == 0) {
		char shown[300];

		view_message(v, false, "settings written to %s",
			     esc_string(path, v->utf8, shown, sizeof(shown)));
	}
}

static void k_pause(struct view *v)
{
	v->paused = !v->paused;
	v->next_refresh = mono_now();
}

static void k_meters(struct view *v)
{
	v->o->meters = (v->o->meters + 1) % METERS_MODES;
	view_message(v, false, "meters: %s", top_meters_names[v->o->meters]);
	view_place_selection(v);
	v->next_refresh = mono_now(); /* the extras start or stop now */
}

static void k_cpus(struct view *v)
{
	v->o->cpus = (v->o->cpus + 1) % CPUS_MODES;
	view_message(v, false, "CPU bars: %s", top_cpus_names[v->o->cpus]);
}

static void k_room(struct view *v) { roompane_toggle(v); }
static void k_room_say(struct view *v)
{
	if (!v->room_shown)
		roompane_toggle(v);
	prompt_start(v, PROMPT_ROOM);
}

/* C: claim the selected process in the room (asking why), or release
 * our claim on it. */
static void k_claim(struct view *v)
{
	const struct proc *p = view_selected(v);
	bool mine;
	const struct chat_claim *c;

	if (!p)
		return;
	if (!v->room || v->room->state != SESSION_IN) {
		if (!v->room_shown)
			roompane_toggle(v);
		view_message(v, true, "not in the room yet: claim once the pane says you are in");
		return;
	}
	c = roompane_claim_of(v, p, &mine);
	if (c && mine && c->pid == p->pid)
		roompane_claim(v, "");
	else
		prompt_start(v, PROMPT_CLAIM);
}

static void k_room_grow(struct view *v) { roompane_resize(v, 1); }
static void k_room_shrink(struct view *v) { roompane_resize(v, -1); }

static void k_redraw(struct view *v) { (void)v; clearok(curscr, TRUE); }
static void k_resize(struct view *v) { view_place_selection(v); view_fetch_shown(v); }

#define CTRL(c) ((c) & 0x1f)

/* The one table of the main screen, in the order the help shows it. */
static const struct key_def main_keys[] = {
	{{'q'}, "q", "quit", k_quit},
	{{'h', '?', KEY_F(1)}, "h ? F1", "this help", k_help},
	{{KEY_UP}, "Up", "select the row above", k_up},
	{{KEY_DOWN}, "Down", "select the row below", k_down},
	{{KEY_PPAGE}, "PgUp", "a page up", k_pgup},
	{{KEY_NPAGE}, "PgDn", "a page down", k_pgdn},
	{{KEY_HOME}, "Home", "the first row", k_home},
	{{KEY_END}, "End", "the last row", k_end},
	{{'\n', '\r', KEY_ENTER}, "Enter", "details of the selected process", k_detail},
	{{'<'}, "<", "sort by the column to the left", k_sort_left},
	{{'>'}, ">", "sort by the column to the right", k_sort_right},
	{{'R'}, "R", "reverse the sort", k_reverse},
	{{'P'}, "P", "sort by %CPU", k_sort_cpu},
	{{'M'}, "M", "sort by %MEM", k_sort_mem},
	{{'T'}, "T", "sort by TIME", k_sort_time},
	{{'N'}, "N", "sort by PID", k_sort_pid},
	{{'t', KEY_F(5)}, "t F5", "tree view on / off", k_tree},
	{{'-'}, "-", "fold the selected node of the tree", k_fold},
	{{'+'}, "+", "unfold the selected node", k_unfold},
	{{'*'}, "*", "fold / unfold every node", k_fold_all},
	{{'H'}, "H", "a row per thread on / off", k_threads},
	{{'z'}, "z", "only zombies on / off", k_zombies},
	{{'c'}, "c", "command lines instead of names", k_cmdline},
	{{'/', KEY_F(3)}, "/ F3", "search: select a name or command line", k_search},
	{{'n'}, "n", "next match of the search", k_next},
	{{'p'}, "p", "previous match of the search", k_prev},
	{{'\\', KEY_F(4)}, "\\ F4", "filter: regex, !negate, user: state: cgroup: container:", k_filter},
	{{'u'}, "u", "show one user's processes (empty: all)", k_user},
	{{' '}, "Space", "tag / untag the selected process", k_tag},
	{{'V'}, "V", "tag the selected process and its subtree", k_tag_tree},
	{{'A'}, "A", "tag every row shown (what the filter keeps)", k_tag_all},
	{{'U'}, "U", "untag all", k_untag},
	{{'k', KEY_F(9)}, "k F9", "send a signal to the tagged or selected", k_kill},
	{{'r'}, "r", "reap the zombies of the tagged or selected", k_reap},
	{{']', KEY_F(7)}, "] F7", "nice - 1: more CPU (needs privilege)", k_nice_down},
	{{'[', KEY_F(8)}, "[ F8", "nice + 1: less CPU", k_nice_up},
	{{'s'}, "s", "attach strace to the selected process", k_strace},
	{{'l'}, "l", "list its open files (lsof)", k_lsof},
	{{'S', KEY_F(2)}, "S F2", "setup: columns, meters, theme", k_setup},
	{{'W'}, "W", "write the settings to top.conf", k_write},
	{{'m'}, "m", "meters: bars, text, off", k_meters},
	{{'1'}, "1", "CPU bars: one per CPU, or one for all", k_cpus},
	{{'d'}, "d", "delay between refreshes", k_delay},
	{{'Z'}, "Z", "pause / resume refreshing", k_pause},
	{{'#'}, "#", "the room's pane on / off (joins the room)", k_room},
	{{':'}, ":", "say something in the room, or /me /msg /claim ...", k_room_say},
	{{'C'}, "C", "claim the selected process in the room (again: release)", k_claim},
	{{'}'}, "}", "a taller room pane", k_room_grow},
	{{'{'}, "{", "a shorter room pane", k_room_shrink},
	{{CTRL('l')}, "^L", "redraw the screen", k_redraw},
	{{KEY_RESIZE}, NULL, NULL, k_resize},
};

static const struct key_def *find_key(int ch)
{
	for (size_t i = 0; i < ARRAY_LEN(main_keys); i++)
		for (size_t j = 0; j < ARRAY_LEN(main_keys[i].keys) && main_keys[i].keys[j]; j++)
			if (main_keys[i].keys[j] == ch)
				return &main_keys[i];
	return NULL;
}

static void help_key(struct view *v, int ch);

void keys_dispatch(struct view *v, int ch)
{
	const struct key_def *k;

	switch (v->screen) {
	case SCREEN_HELP:
		help_key(v, ch);
		return;
	case SCREEN_RESULTS:
		v->screen = SCREEN_MAIN; /* any key closes it */
		return;
	case SCREEN_SETUP:
		setup_key(v, ch);
		return;
	case SCREEN_DETAIL:
		detail_key(v, ch);
		return;
	case SCREEN_MAIN:
		break;
	}
	if (v->prompt != PROMPT_NONE) {
		prompt_key(v, ch);
		return;
	}
	v->msg[0] = '\0';
	if ((k = find_key(ch)))
		k->fn(v);
}

/* ---- the help, from the same table --------------------------------------------- */

#define HELP_INDENT 8 /* "%-7s " */

static size_t help_entries(void)
{
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_LEN(main_keys); i++)
		n += main_keys[i].label != NULL;
	return n;
}

static const struct key_def *help_def(size_t i)
{
	for (size_t j = 0, seen = 0; j < ARRAY_LEN(main_keys); j++)
		if (main_keys[j].label && seen++ == i)
			return &main_keys[j];
	return NULL;
}

static void help_entry(size_t i, struct buf *out)
{
	const struct key_def *k = help_def(i);

	buf_printf(out, "%-7s %s", k->label, k->help);
}

/* The length of the next line of text wrapped at width (>= 1): up to the
 * last space that fits, or cut where no space does.  *next is where the
 * line after it starts. */
static size_t wrap_line(const char *text, size_t width, const char **next)
{
	size_t n = strlen(text), cut = 0;

	if (n <= width) {
		*next = text + n;
		return n;
	}
	for (size_t i = 0; i <= width; i++)
		if (text[i] == ' ')
			cut = i;
	if (cut == 0)
		cut = utf8_cut(text, width);
	*next = text + cut + (text[cut] == ' ');
	return cut;
}

/* Lines entry i takes in a column colw wide: its help wrapped under the
 * label, never cut. */
static size_t entry_lines(size_t i, int colw)
{
	size_t width = colw > HELP_INDENT + 8 ? (size_t)colw - 1 - HELP_INDENT : 8;
	const char *t = help_def(i)->help;
	size_t lines = 0;

	do {
		wrap_line(t, width, &t);
		lines++;
	} while (*t);
	return lines;
}

/* How the help is laid out on this terminal: two columns (one below 80),
 * each entry whole, its help wrapped under its label where it is wider
 * than its column; pages when the lines are too few (two at 80x24 for the
 * room's 50 entries, where three columns used to cut most of them). */
struct help_layout {
	size_t n, rows, ncols, pages;
	size_t first[64]; /* the first entry of each page */
	int colw;
};

static void help_layout(struct help_layout *h)
{
	size_t col = 0, used = 0;

	h->n = help_entries();
	h->rows = LINES > 2 ? (size_t)LINES - 1 : 1;
	h->ncols = COLS >= 80 ? 2 : 1;
	h->colw = COLS / (int)h->ncols;
	h->pages = 1;
	h->first[0] = 0;
	for (size_t i = 0; i < h->n; i++) {
		size_t lines = entry_lines(i, h->colw);

		if (used && used + lines > h->rows) {
			used = 0;
			if (++col == h->ncols && h->pages < ARRAY_LEN(h->first)) {
				col = 0;
				h->first[h->pages++] = i;
			}
		}
		used += lines;
	}
}

/* On the help screen: of one page, any key closes it; of several,
 * Space, PgDn or Down shows the next page and PgUp or Up the one before
 * (at either end they do nothing: a user paging with the arrows stays),
 * and any other key closes it.  A resize redraws. */
static void help_key(struct view *v, int ch)
{
	struct help_layout h;

	help_layout(&h);
	if (ch == KEY_RESIZE)
		return;
	if (h.pages > 1) {
		switch (ch) {
		case ' ': case KEY_NPAGE: case KEY_DOWN:
			if (v->help_page + 1 < h.pages)
				v->help_page++;
			return;
		case KEY_PPAGE: case KEY_UP:
			if (v->help_page > 0)
				v->help_page--;
			return;
		}
	}
	v->screen = SCREEN_MAIN;
}

/* Entry i at (y, x): the label, the help wrapped under it. */
static void draw_entry(struct view *v, size_t i, int y, int x, int colw)
{
	const struct key_def *k = help_def(i);
	size_t width = colw > HELP_INDENT + 8 ? (size_t)colw - 1 - HELP_INDENT : 8;
	const char *t = k->help;

	buf_reset(&v->line);
	buf_printf(&v->line, "%-7s", k->label);
	draw_text(y, x, v->line.data, v->line.len, 0);
	do {
		const char *line = t;
		size_t len = wrap_line(t, width, &t);

		draw_text(y++, x + HELP_INDENT, line, len, 0);
	} while (*t);
}

void keys_draw_help(struct view *v)
{
	struct help_layout h;
	size_t end, col = 0, used = 0;

	help_layout(&h);
	if (v->help_page >= h.pages) /* a resize left fewer pages */
		v->help_page = h.pages - 1;
	end = v->help_page + 1 < h.pages ? h.first[v->help_page + 1] : h.n;
	buf_reset(&v->line);
	if (h.pages > 1)
		buf_printf(&v->line, "pmon top - keys, page %zu of %zu (Space:"
			   " next, PgUp: back; another key returns)",
			   v->help_page + 1, h.pages);
	else
		buf_puts(&v->line, "pmon top - keys (any key returns)");
	draw_text(0, 0, v->line.data, v->line.len, A_BOLD);
	for (size_t i = h.first[v->help_page]; i < end; i++) {
		size_t lines = entry_lines(i, h.colw);

		if (used && used + lines > h.rows)
			col++, used = 0;
		draw_entry(v, i, 1 + (int)used, (int)col * h.colw, h.colw);
		used += lines;
	}
}

/* `pmon top --keys`: the same table as text. */
void top_keys_text(struct buf *out)
{
	for (size_t i = 0; i < help_entries(); i++) {
		help_entry(i, out);
		buf_putc(out, '\n');
	}
}
