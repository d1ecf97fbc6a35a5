/*
 * expo.h - writing metrics in the Prometheus text exposition format
 * (version 0.0.4) or in OpenMetrics 1.0.0, into a buffer.  The two differ
 * where this writer hides it: a counter's family is named without
 * "_total" in OpenMetrics' # TYPE line while its samples carry it in
 * both, and OpenMetrics ends with "# EOF".  Label values go through
 * esc_label_value (escape.c), so a hostile process name cannot end a
 * label, add a line or break a scrape with invalid UTF-8.
 *
 * Written here rather than with a client library: Debian has none for C
 * (prometheus-client-c is not packaged), and the format is one line per
 * sample.
 */
#ifndef PMON_EXPO_H
#define PMON_EXPO_H

#include <stdbool.h>
#include <stddef.h>

#include "util/util.h"

enum expo_format { EXPO_TEXT, EXPO_OPENMETRICS };
enum expo_type { EXPO_GAUGE, EXPO_COUNTER };

/* The HTTP Content-Type of each format. */
const char *expo_content_type(enum expo_format fmt);

/* One label of a sample: a name of [a-zA-Z_][a-zA-Z0-9_]* (pmon's own)
 * and any value (escaped when written). */
struct expo_label {
	const char *name;
	const char *value;
};

struct expo {
	struct buf *out;
	enum expo_format fmt;
	char family[96];     /* the family being written */
	enum expo_type type;
};

void expo_init(struct expo *e, struct buf *out, enum expo_format fmt);
/* Start a family: its # HELP and # TYPE lines.  name is the family's
 * name without "_total" for a counter (the writer adds it to samples). */
void expo_family(struct expo *e, const char *name, enum expo_type type,
		 const char *help);
/* One sample of the family begun last, with n labels. */
void expo_sample(struct expo *e, const struct expo_label *labels, size_t n,
		 double value);
/* The end of the exposition (OpenMetrics' "# EOF"). */
void expo_end(struct expo *e);

#endif
