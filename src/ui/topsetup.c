/*
 * topsetup.c - the setup screen (S or F2, like htop's): which columns, in
 * which order, and the meters, CPU bars and theme.  W on the main screen
 * writes what is chosen here to top.conf.  Its keys are one table, which
 * also makes the hint line.
 */
#include <string.h>

#include "ui/topview_int.h"

/* Rows: the three choices, then every field of the registry. */
enum { SETUP_METERS, SETUP_CPUS, SETUP_THEME, SETUP_FIELDS };

static size_t setup_rows(void) { return SETUP_FIELDS + nfields; }

static ssize_t col_index(const struct top_opts *o, const struct field *f)
{
	for (size_t i = 0; i < o->cols.n; i++)
		if (o->cols.f[i] == f)
			return (ssize_t)i;
	return -1;
}

static bool is_name_col(const struct top_opts *o, size_t i)
{
	return i + 1 == o->cols.n;
}

/* A field shown goes; one not shown comes in just before the name. */
static void toggle_field(struct view *v, const struct field *f)
{
	struct field_list *c = &v->o->cols;
	ssize_t i = col_index(v->o, f);

	if (i >= 0) {
		if (is_name_col(v->o, (size_t)i) || c->n <= 1) {
			view_message(v, true, "the name column stays (c switches it)");
			return;
		}
		memmove(&c->f[i], &c->f[i + 1], (c->n - (size_t)i - 1) * sizeof(c->f[0]));
		c->n--;
		return;
	}
	if (c->n == ARRAY_LEN(c->f))
		return;
	c->f[c->n] = c->f[c->n - 1];
	c->f[c->n - 1] = f;
	c->n++;
}

static void move_field(struct view *v, const struct field *f, int by)
{
	struct field_list *c = &v->o->cols;
	ssize_t i = col_index(v->o, f), j = i + by;

	if (i < 0 || j < 0 || (size_t)j + 1 >= c->n || is_name_col(v->o, (size_t)i))
		return;
	c->f[i] = c->f[j];
	c->f[j] = f;
}

static void s_toggle(struct view *v)
{
	struct top_opts *o = v->o;

	switch (v->setup_sel) {
	case SETUP_METERS: o->meters = (o->meters + 1) % METERS_MODES; break;
	case SETUP_CPUS: o->cpus = (o->cpus + 1) % CPUS_MODES; break;
	case SETUP_THEME:
		o->theme = (o->theme + 1) % THEME_COUNT;
		view_message(v, false, "the theme applies from the next start (W saves it)");
		break;
	default: toggle_field(v, &fields[v->setup_sel - SETUP_FIELDS]); break;
	}
}

static void s_left(struct view *v)
{
	if (v->setup_sel >= SETUP_FIELDS)
		move_field(v, &fields[v->setup_sel - SETUP_FIELDS], -1);
}

static void s_right(struct view *v)
{
	if (v->setup_sel >= SETUP_FIELDS)
		move_field(v, &fields[v->setup_sel - SETUP_FIELDS], 1);
}

static void s_up(struct view *v) { v->setup_sel = v->setup_sel ? v->setup_sel - 1 : 0; }
static void s_down(struct view *v) { if (v->setup_sel + 1 < setup_rows()) v->setup_sel++; }

static void s_done(struct view *v)
{
	v->screen = SCREEN_MAIN;
	view_rebuild(v);
	v->next_refresh = mono_now(); /* new columns may need a reading */
}

struct setup_key {
	int keys[3];
	const char *label, *help;
	void (*fn)(struct view *v);
};

static const struct setup_key setup_keys[] = {
	{{KEY_UP, 'k'}, "Up", "move", s_up},
	{{KEY_DOWN, 'j'}, "Down", "", s_down},
	{{' ', '\n', '\r'}, "Space", "show / hide, or change", s_toggle},
	{{KEY_LEFT, '<'}, "Left", "column earlier", s_left},
	{{KEY_RIGHT, '>'}, "Right", "later", s_right},
	{{'q', 27, KEY_F(2)}, "q Esc", "done (W on the main screen saves)", s_done},
};

void setup_key(struct view *v, int ch)
{
	for (size_t i = 0; i < ARRAY_LEN(setup_keys); i++)
		for (size_t j = 0; j < ARRAY_LEN(setup_keys[i].keys) && setup_keys[i].keys[j]; j++)
			if (setup_keys[i].keys[j] == ch) {
				setup_keys[i].fn(v);
				return;
			}
}

static void setup_line(struct view *v, size_t row, struct buf *out)
{
	const struct top_opts *o = v->o;
	const struct field *f;
	ssize_t at;

	switch (row) {
	case SETUP_METERS: buf_printf(out, "  Meters:   %s", top_meters_names[o->meters]); return;
	case SETUP_CPUS: buf_printf(out, "  CPU bars: %s", top_cpus_names[o->cpus]); return;
	case SETUP_THEME: buf_printf(out, "  Theme:    %s", top_theme_names[o->theme]); return;
	}
	f = &fields[row - SETUP_FIELDS];
	at = col_index(o, f);
	if (at >= 0)
		buf_printf(out, "  [x] %2zd ", at + 1);
	else
		buf_puts(out, "  [ ]    ");
	buf_printf(out, "%-14s %-11s %s", f->key, f->title, f->help);
}

void setup_draw(struct view *v)
{
	int y0 = 3, rows = LINES - y0;
	size_t first = 0;

	buf_reset(&v->line);
	buf_puts(&v->line, "Setup -");
	for (size_t i = 0; i < ARRAY_LEN(setup_keys); i++)
		if (setup_keys[i].help[0])
			buf_printf(&v->line, " %s %s;", setup_keys[i].label, setup_keys[i].help);
	draw_text(0, 0, v->line.data, v->line.len, A_BOLD);
	draw_text(1, 0, v->msg, strlen(v->msg), 0);
	if (rows <= 0)
		return;
	if (v->setup_sel >= (size_t)rows)
		first = v->setup_sel - (size_t)rows + 1;
	for (int i = 0; i < rows && first + (size_t)i < setup_rows(); i++) {
		size_t row = first + (size_t)i;

		buf_reset(&v->line);
		setup_line(v, row, &v->line);
		if (row == v->setup_sel)
			mvchgat(y0 + i, 0, -1, A_REVERSE, 0, NULL);
		draw_text(y0 + i, 0, v->line.data, v->line.len,
			  row == v->setup_sel ? A_REVERSE : 0);
	}
}
