/*
 * output.c - escaping, colour, aligned tables and JSON documents.
 */
#include <errno.h>
#include <langinfo.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include "view/escape.h"
#include "view/output.h"
#include "view/table.h"
#include "view/text.h"

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
	if (o->color)
		buf_puts(&o->line, color_sgr(c));
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

/* A new line of out_wrapped, indented. */
static void wrap_newline(struct output *o, size_t indent)
{
	out_endline(o);
	for (size_t i = 0; i < indent; i++)
		buf_putc(&o->line, ' ');
}

/* The bytes of a word that fit in the room left on the line (at least
 * one character, so that a wide one in a one-column room moves on). */
static size_t word_part(const char *w, size_t n, size_t room)
{
	size_t cols, part = text_cut(w, n, room, &cols);

	return part ? part : text_cut(w, n, 2, &cols);
}

/*
 * Words are measured in terminal columns (text_cut), so a line is cut
 * between characters, never inside one; the spaces between two words on
 * one line are kept as they were (a command line's "a    b" stays so),
 * and only those where the line breaks are dropped.
 */
void out_wrapped(struct output *o, const char *lead, const char *text,
		 size_t pipe_width)
{
	size_t indent = strlen(lead), width = o->width ? o->width : pipe_width;
	size_t col = indent, gap = 0;

	if (!width)
		width = SIZE_MAX / 2; /* one line, for scripts */
	if (width < indent + 10) /* too narrow to indent: no room for words */
		indent = 0;
	out_raw(o, lead);
	text += strspn(text, " ");
	while (*text) {
		size_t n = strcspn(text, " "), cols;

		text_cut(text, n, SIZE_MAX, &cols);
		if (col > indent && col + gap + cols > width) {
			wrap_newline(o, indent);
			col = indent;
		} else {
			for (size_t i = 0; i < gap; i++)
				buf_putc(&o->line, ' ');
			col += gap;
		}
		/* A word wider than the line is broken where the line ends. */
		while (col + cols > width && width > col) {
			size_t part = word_part(text, n, width - col);

			buf_append(&o->line, text, part);
			text += part;
			n -= part;
			wrap_newline(o, indent);
			col = indent;
			text_cut(text, n, SIZE_MAX, &cols);
		}
		buf_append(&o->line, text, n);
		col += cols;
		text += n;
		gap = strspn(text, " ");
		text += gap;
	}
	out_endline(o);
}

void out_wrapped_text(struct output *o, const char *lead, const char *text,
		      size_t pipe_width)
{
	struct buf esc = {0};

	esc_append(&esc, text, strlen(text), o->utf8);
	out_wrapped(o, lead, esc.data ? esc.data : "", pipe_width);
	buf_free(&esc);
}

void table_header(struct output *o, const struct field_list *cols)
{
	out_color(o, COLOR_HEADER);
	table_titles(&o->line, cols);
	out_color(o, COLOR_NONE);
	out_endline(o);
}

void table_print_row_note(struct output *o, const struct field_list *cols,
			  const struct proc *p, const char *prefix,
			  const char *note)
{
	const struct table_style st = {.utf8 = o->utf8, .color = o->color};

	table_row(&o->line, cols, p, prefix, &st, &o->raw);
	if (note)
		out_raw(o, note);
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
	if (json_dumpf(obj, j->f, JSON_OUT_FLAGS) < 0) {
		/* jansson says -1 for a failed write as for a failed malloc. */
		int err = errno ? errno : EIO;

		if (!ferror(j->f))
			pmon_die(EXIT_FAIL, "out of memory writing JSON");
		if (err == EPIPE) /* the reader left: as finish_stdout */
			exit(EXIT_FAIL);
		pmon_die_errno(EXIT_FAIL, err, "cannot write the output");
	}
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

/* ---- top's frames ---------------------------------------------------------- */

/* The meters' figures beyond procps top's (each only where the kernel
 * has it): per CPU, pressure stall information, disk and network. */
static void meters_json(json_t *doc, const struct sys_stats *s)
{
	static const char *const cpu_keys[CPU_STATES] = {
		"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal",
	};
	json_t *cpus = json_array();

	for (int i = 0; i < s->ncpus; i++) {
		json_t *c = json_object();

		json_object_set_new(c, "id", json_integer(s->cpus[i].id));
		for (int k = 0; k < CPU_STATES; k++)
			json_object_set_new(c, cpu_keys[k], json_real(s->cpus[i].pct[k]));
		json_array_append_new(cpus, c);
	}
	json_object_set_new(doc, "cpus", cpus);
	if (s->have_psi) {
		json_t *psi = json_object();

		for (int k = 0; k < PSI_KINDS; k++) {
			const struct psi_line *l[2] = {&s->psi[k].some, &s->psi[k].full};
			json_t *kind = json_object();

			for (int j = 0; j < 2; j++)
				if (l[j]->have)
					json_object_set_new(kind, j ? "full" : "some",
						json_pack("{s:f, s:f, s:f, s:I}", "avg10", l[j]->avg10,
							  "avg60", l[j]->avg60, "avg300", l[j]->avg300,
							  "total_us", (json_int_t)l[j]->total_us));
			json_object_set_new(psi, psi_names[k], kind);
		}
		json_object_set_new(doc, "pressure", psi);
	}
	if (s->have_disk)
		json_object_set_new(doc, "disk", json_pack("{s:f, s:f}", "read_bps",
				    s->disk_read_bps, "write_bps", s->disk_write_bps));
	if (s->have_net)
		json_object_set_new(doc, "net", json_pack("{s:f, s:f}", "rx_bps",
				    s->net_rx_bps, "tx_bps", s->net_tx_bps));
}

static json_t *frame_header_json(const struct frame_header *h)
{
	static const char *const cpu_keys[CPU_STATES] = {
		"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal",
	};
	const struct sys_stats *s = h->sys;
	const struct state_counts *c = h->counts;
	json_t *cpu = json_object(), *doc;

	for (int i = 0; i < CPU_STATES; i++)
		json_object_set_new(cpu, cpu_keys[i], json_real(s->cpu.pct[i]));
	doc = json_pack("{s:I, s:f, s:[f,f,f], s:{s:I, s:I, s:I, s:I, s:I, s:I}, "
			"s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:f}",
			"time", (json_int_t)h->now, "uptime_s", s->uptime,
			"load", s->load[0], s->load[1], s->load[2],
			"tasks", "total", (json_int_t)c->total,
			"running", (json_int_t)state_counts_of(c, "R"),
			"sleeping", (json_int_t)state_counts_of(c, "SI"),
			"disk_sleep", (json_int_t)state_counts_of(c, "D"),
			"stopped", (json_int_t)state_counts_of(c, "Tt"),
			"zombie", (json_int_t)state_counts_of(c, "Z"),
			"cpu_pct", cpu,
			"memory", "total_kb", (json_int_t)s->mem_total_kb,
			"free_kb", (json_int_t)s->mem_free_kb,
			"available_kb", (json_int_t)s->mem_avail_kb,
			"used_kb", (json_int_t)s->mem_used_kb,
			"buffers_kb", (json_int_t)s->mem_buffers_kb,
			"cached_kb", (json_int_t)s->mem_cached_kb,
			"swap_total_kb", (json_int_t)s->swap_total_kb,
			"swap_free_kb", (json_int_t)s->swap_free_kb,
			"interval_s", h->interval);
	if (!doc)
		pmon_die(EXIT_FAIL, "out of memory building JSON");
	if (s->ncpus)
		meters_json(doc, s);
	return doc;
}

json_t *frame_json(const struct frame_header *h, const struct proc *const *rows,
		   const int32_t *depth, size_t n, const struct field_list *keys)
{
	json_t *procs = json_array(), *doc;

	if (!procs)
		pmon_die(EXIT_FAIL, "out of memory building JSON");
	for (size_t k = 0; k < n; k++) {
		json_t *obj = proc_to_json(rows[k], keys);

		if (depth)
			json_object_set_new(obj, "depth", json_integer(depth[k]));
		json_array_append_new(procs, obj);
	}
	doc = json_pack("{s:o, s:o}", "header", frame_header_json(h),
			"processes", procs);
	if (!doc)
		pmon_die(EXIT_FAIL, "out of memory building JSON");
	return doc;
}
