/*
 * table.c - process fields in aligned columns (see table.h).
 */
#include <stdlib.h>
#include <string.h>

#include "view/escape.h"
#include "view/table.h"
#include "view/text.h"

/* Align the cell of `cols` columns that starts at byte start of out to
 * width: pad, right-align, or (unless whole) cut with '+'. */
static size_t align(struct buf *out, size_t start, size_t cols, int width,
		    bool whole)
{
	size_t w = (size_t)abs(width);

	if (width == 0)
		return cols;
	if (cols > w && width < 0 && !whole) {
		size_t fit, c;

		fit = text_cut(out->data + start, out->len - start, w - 1, &c);
		out->len = start + fit;
		out->data[out->len] = '\0';
		buf_putc(out, '+');
		return c + 1;
	}
	if (cols >= w)
		return cols;
	if (width > 0) {
		size_t len = out->len - start;

		buf_reserve(out, w - cols);
		memmove(out->data + start + (w - cols), out->data + start, len);
		memset(out->data + start, ' ', w - cols);
		out->len += w - cols;
		out->data[out->len] = '\0';
	} else {
		for (size_t c = cols; c < w; c++)
			buf_putc(out, ' ');
	}
	return w;
}

/* Our own ASCII text, padded to width: no escaping, no moving (a top
 * frame at 10,000 processes formats 50,000 of these). */
static void ours_cell(struct buf *out, int width, const char *s, size_t n)
{
	size_t pad = (size_t)abs(width) > n ? (size_t)abs(width) - n : 0;

	buf_reserve(out, pad + n);
	if (width > 0)
		memset(out->data + out->len, ' ', pad), out->len += pad;
	memcpy(out->data + out->len, s, n);
	out->len += n;
	if (width < 0)
		memset(out->data + out->len, ' ', pad), out->len += pad;
	out->data[out->len] = '\0';
}

static void field_cell(struct buf *out, const struct field *f, bool last,
		       const char *raw, size_t n, bool utf8)
{
	size_t start = out->len;

	if (FIELD_IS_OURS(f))
		ours_cell(out, last ? 0 : f->width, raw, n);
	else
		align(out, start, esc_append(out, raw, n, utf8), last ? 0 : f->width,
		      false);
}

void table_titles(struct buf *out, const struct field_list *cols)
{
	for (size_t i = 0; i < cols->n; i++) {
		const struct field *f = cols->f[i];

		if (i)
			buf_putc(out, ' ');
		ours_cell(out, i + 1 == cols->n ? 0 : f->width, f->title,
			  strlen(f->title));
	}
}

const char *color_sgr(enum out_color c)
{
	static const char *const sgr[] = {
		[COLOR_NONE] = "\033[0m",     [COLOR_ZOMBIE] = "\033[1;31m",
		[COLOR_DISK] = "\033[33m",    [COLOR_STOPPED] = "\033[35m",
		[COLOR_RUNNING] = "\033[32m", [COLOR_DIM] = "\033[2m",
		[COLOR_HEADER] = "\033[1m",
	};

	return sgr[c];
}

enum out_color state_color(char state)
{
	switch (state) {
	case 'Z': return COLOR_ZOMBIE;
	case 'D': return COLOR_DISK;
	case 'T': case 't': return COLOR_STOPPED;
	case 'R': return COLOR_RUNNING;
	default: return COLOR_NONE;
	}
}

/* The name's suffix (" <defunct>", only ever for state Z), in the
 * zombie's colour at the end of the line. */
static void suffix(struct buf *out, const struct proc *p,
		   const struct table_style *st)
{
	if (p->state != 'Z')
		return;
	if (st->color)
		buf_puts(out, color_sgr(COLOR_ZOMBIE));
	proc_name_suffix(p, out);
	if (st->color)
		buf_puts(out, color_sgr(COLOR_NONE));
}

void table_row(struct buf *out, const struct field_list *cols,
	       const struct proc *p, const char *prefix,
	       const struct table_style *st, struct buf *scratch)
{
	enum out_color c = st->color ? state_color(p->state) : COLOR_NONE;

	for (size_t i = 0; i < cols->n; i++) {
		const struct field *f = cols->f[i];
		bool last = i + 1 == cols->n, name = f->flags & FIELD_NAME;
		bool colored = c != COLOR_NONE && (f->flags & FIELD_STATE);

		if (i)
			buf_putc(out, ' ');
		if (last && prefix)
			buf_puts(out, prefix); /* our own glyphs */
		buf_reset(scratch);
		f->text(p, scratch);
		if (!last && name)
			proc_name_suffix(p, scratch);
		if (colored)
			buf_puts(out, color_sgr(c));
		field_cell(out, f, last, scratch->data, scratch->len, st->utf8);
		if (colored)
			buf_puts(out, color_sgr(COLOR_NONE));
		if (last && name)
			suffix(out, p, st);
	}
}
