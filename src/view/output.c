/*
 * output.c - escaping, colour, aligned tables and JSON documents.
 */
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include "view/escape.h"
#include "view/output.h"

void output_init(struct output *o, FILE *f, bool wide)
{
	const char *term = getenv("TERM");
	const char *no_color = getenv("NO_COLOR");
	bool tty = isatty(fileno(f));
	struct winsize ws;

	memset(o, 0, sizeof(*o));
	o->f = f;
	o->color = tty && !(no_color && *no_color) &&
		   !(term && strcmp(term, "dumb") == 0);
	o->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if (tty && !wide && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col)
		o->width = ws.ws_col;
}

/*
 * Where a line of `cols` columns ends.  Everything hostile is escaped by
 * now, so the only ESC bytes are our own colour sequences (no width).
 */
static size_t cut_at_width(const struct buf *line, size_t cols, bool *cut)
{
	const unsigned char *p = (const unsigned char *)line->data;
	size_t i = 0, used = 0;

	*cut = false;
	while (i < line->len) {
		uint32_t cp;
		size_t len;
		int w;

		if (p[i] == 0x1b) {
			while (i < line->len && p[i] != 'm')
				i++;
			i++;
			continue;
		}
		len = utf8_decode(p + i, line->len - i, &cp);
		w = len > 1 ? wcwidth((wchar_t)cp) : 1;
		if (len == 0)
			len = 1;
		if (used + (size_t)(w > 0 ? w : 0) > cols) {
			*cut = true;
			return i;
		}
		used += (size_t)(w > 0 ? w : 0);
		i += len;
	}
	return i;
}

void output_free(struct output *o)
{
	buf_free(&o->line);
	buf_free(&o->raw);
}

size_t out_text(struct output *o, const char *s, size_t n)
{
	return esc_append(&o->line, s, n, o->utf8);
}

void out_raw(struct output *o, const char *s)
{
	buf_puts(&o->line, s);
}

void out_color(struct output *o, enum out_color c)
{
	static const char *const seq[] = {
		[COLOR_NONE] = "\033[0m",     [COLOR_ZOMBIE] = "\033[1;31m",
		[COLOR_DISK] = "\033[33m",    [COLOR_STOPPED] = "\033[35m",
		[COLOR_RUNNING] = "\033[32m", [COLOR_DIM] = "\033[2m",
		[COLOR_HEADER] = "\033[1m",
	};

	if (o->color)
		buf_puts(&o->line, seq[c]);
}

void out_endline(struct output *o)
{
	if (o->width) {
		bool cut;

		o->line.len = cut_at_width(&o->line, o->width, &cut);
		if (cut && o->color)
			buf_puts(&o->line, "\033[0m");
	}
	buf_putc(&o->line, '\n');
	fwrite(o->line.data, 1, o->line.len, o->f);
	buf_reset(&o->line);
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

static void pad(struct output *o, size_t cols)
{
	while (cols--)
		buf_putc(&o->line, ' ');
}

/* One cell: escaped, aligned to width (see struct field), a left-aligned
 * cell that is too wide cut and marked with '+' as ps does. */
static void cell(struct output *o, int width, const char *s, size_t n)
{
	size_t start = o->line.len, cols, w = (size_t)abs(width);

	cols = out_text(o, s, n);
	if (width == 0)
		return;
	if (width < 0 && cols > w) {
		/* Escaped text is ASCII except for valid UTF-8; cut on a
		 * character boundary at w-1 columns and mark the cut. */
		size_t keep = start, c = 0;

		while (keep < o->line.len && c < w - 1) {
			keep++;
			while (keep < o->line.len &&
			       ((unsigned char)o->line.data[keep] & 0xc0) == 0x80)
				keep++;
			c++;
		}
		o->line.len = keep;
		buf_putc(&o->line, '+');
		return;
	}
	if (cols >= w)
		return;
	if (width > 0) {
		/* Right-align: move the text over and pad in front. */
		size_t len = o->line.len - start;

		buf_reserve(&o->line, w - cols);
		memmove(o->line.data + start + (w - cols), o->line.data + start, len);
		memset(o->line.data + start, ' ', w - cols);
		o->line.len += w - cols;
		o->line.data[o->line.len] = '\0';
	} else {
		pad(o, w - cols);
	}
}

void table_header(struct output *o, const enum field_id *cols, size_t n)
{
	out_color(o, COLOR_HEADER);
	for (size_t i = 0; i < n; i++) {
		const struct field *f = &fields[cols[i]];

		if (i)
			buf_putc(&o->line, ' ');
		cell(o, i + 1 == n ? 0 : f->width, f->header, strlen(f->header));
	}
	out_color(o, COLOR_NONE);
	out_endline(o);
}

void table_row(struct output *o, const enum field_id *cols, size_t n,
	       const struct proc *p)
{
	for (size_t i = 0; i < n; i++) {
		const struct field *f = &fields[cols[i]];
		bool colored = (cols[i] == FLD_STAT || cols[i] == FLD_STATE) &&
			       state_color(p->state) != COLOR_NONE;

		if (i)
			buf_putc(&o->line, ' ');
		buf_reset(&o->raw);
		f->text(p, &o->raw);
		if (colored)
			out_color(o, state_color(p->state));
		cell(o, i + 1 == n ? 0 : f->width, o->raw.data, o->raw.len);
		if (colored)
			out_color(o, COLOR_NONE);
	}
	if (p->state == 'Z') {
		out_color(o, COLOR_ZOMBIE);
		out_raw(o, " <defunct>");
		out_color(o, COLOR_NONE);
	}
	out_endline(o);
}

int json_emit(json_t *doc, FILE *f)
{
	int rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_ENSURE_ASCII |
					    JSON_PRESERVE_ORDER);

	json_decref(doc);
	if (rc == 0)
		fputc('\n', f);
	return rc == 0 && !ferror(f) ? 0 : -1;
}

/* One line per object (jansson's separators ", " and ": "), indented by
 * its depth: readable, and a line per process for grep. */
#define JSON_OUT_FLAGS (JSON_INDENT(0) | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER)

void json_out_begin_array(struct json_out *j, FILE *f)
{
	j->f = f;
	j->first = true;
	j->depth = 1;
	fputc('[', f);
}

static void json_out_newline(struct json_out *j, int depth)
{
	fputc('\n', j->f);
	for (int i = 0; i < depth; i++)
		fputs("  ", j->f);
}

static void json_out_separator(struct json_out *j)
{
	if (!j->first)
		fputc(',', j->f);
	j->first = false;
	json_out_newline(j, j->depth);
}

void json_out_element(struct json_out *j, json_t *obj)
{
	json_out_separator(j);
	if (json_dumpf(obj, j->f, JSON_OUT_FLAGS) < 0)
		pmon_die(EXIT_FAIL, "out of memory writing JSON");
	json_decref(obj);
}

void json_out_open_element(struct json_out *j, json_t *obj, const char *key)
{
	char *text = json_dumps(obj, JSON_OUT_FLAGS);
	json_t *name = json_string(key);
	char *quoted = name ? json_dumps(name, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;
	size_t len;

	if (!text || !quoted || !json_is_object(obj))
		pmon_die(EXIT_FAIL, "out of memory writing JSON");
	/* The object without its closing brace, then the key and an array
	 * left open. */
	len = strlen(text);
	while (len > 0 && text[len - 1] != '}')
		len--;
	len = len > 1 ? len - 1 : 1;
	json_out_separator(j);
	fwrite(text, 1, len, j->f);
	fprintf(j->f, "%s%s: [", len > 1 ? ", " : "", quoted);
	j->first = true;
	j->depth++;
	free(text);
	free(quoted);
	json_decref(name);
	json_decref(obj);
}

void json_out_close_element(struct json_out *j)
{
	j->depth--;
	if (!j->first)
		json_out_newline(j, j->depth);
	fputs("]}", j->f);
	j->first = false;
}

int json_out_end_array(struct json_out *j)
{
	if (!j->first)
		fputc('\n', j->f);
	fputs("]\n", j->f);
	return ferror(j->f) ? -1 : 0;
}
