/*
 * metrics.h - what `pmon metrics` measures in one scrape (metrics_scrape.c),
 * for the command's three modes (cmd_metrics.c): stdout, a textfile for
 * node_exporter, and /metrics over HTTP.
 */
#ifndef PMON_CMD_METRICS_H
#define PMON_CMD_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/util.h"
#include "view/expo.h"
#include "view/procgroup.h"

struct metrics_opts {
	enum expo_format format;   /* stdout and textfile; HTTP negotiates
	                              unless forced */
	bool format_forced;        /* --openmetrics */
	size_t top_parents;        /* zombie-holding parents listed */
	size_t max_groups;         /* process groups listed */
	struct group_rules rules;
	const char *room_path;     /* NULL: no room figures */
	double room_timeout_s;
};

/* One scrape into out, in format fmt. */
void metrics_scrape(const struct metrics_opts *o, enum expo_format fmt,
		    struct buf *out);

#endif
