/*
 * expo.c - the Prometheus text format and OpenMetrics writer (expo.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "view/escape.h"
#include "view/expo.h"

const char *expo_content_type(enum expo_format fmt)
{
	return fmt == EXPO_OPENMETRICS ?
		"application/openmetrics-text; version=1.0.0; charset=utf-8" :
		"text/plain; version=0.0.4; charset=utf-8";
}

void expo_init(struct expo *e, struct buf *out, enum expo_format fmt)
{
	memset(e, 0, sizeof(*e));
	e->out = out;
	e->fmt = fmt;
}

void expo_family(struct expo *e, const char *name, enum expo_type type,
		 const char *help)
{
	const char *tname = type == EXPO_COUNTER ? "counter" : "gauge";
	/* The text format names a counter's family as its samples are. */
	const char *suffix = type == EXPO_COUNTER && e->fmt == EXPO_TEXT ?
			     "_total" : "";

	snprintf(e->family, sizeof(e->family), "%s", name);
	e->type = type;
	buf_printf(e->out, "# HELP %s%s ", name, suffix);
	esc_help_text(e->out, help);
	buf_printf(e->out, "\n# TYPE %s%s %s\n", name, suffix, tname);
}

/* Integers as integers (a count of 3 reads "3", not "3.000000"); the
 * rest with 15 significant digits (what a double holds for sure). */
static void put_value(struct buf *b, double v)
{
	if (isnan(v))
		buf_puts(b, "NaN");
	else if (isinf(v))
		buf_puts(b, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 9007199254740992.0) /* 2^53 */
		buf_printf(b, "%.0f", v);
	else
		buf_printf(b, "%.15g", v);
}

void expo_sample(struct expo *e, const struct expo_label *labels, size_t n,
		 double value)
{
	buf_puts(e->out, e->family);
	if (e->type == EXPO_COUNTER)
		buf_puts(e->out, "_total");
	for (size_t i = 0; i < n; i++) {
		buf_printf(e->out, "%c%s=\"", i ? ',' : '{', labels[i].name);
		esc_label_value(e->out, labels[i].value, strlen(labels[i].value));
		buf_putc(e->out, '"');
	}
	if (n)
		buf_putc(e->out, '}');
	buf_putc(e->out, ' ');
	put_value(e->out, value);
	buf_putc(e->out, '\n');
}

void expo_end(struct expo *e)
{
	if (e->fmt == EXPO_OPENMETRICS)
		buf_puts(e->out, "# EOF\n");
}
