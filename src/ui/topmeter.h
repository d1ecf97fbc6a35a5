/*
 * topmeter.h - the arithmetic of top's header meters, apart from drawing
 * (topdraw.c) so that batch mode prints the same figures and the unit
 * tests check them: the cells of each part of a bar, the parts of the
 * CPU, memory and swap bars, the history behind the sparklines, and the
 * text lines of batch mode.  All system-wide: nothing per process.
 */
#ifndef PMON_TOPMETER_H
#define PMON_TOPMETER_H

#include <stdbool.h>
#include <stddef.h>

#include "proc/sys.h"
#include "util/util.h"

/* Bars: up to BAR_PARTS values stacked from the left. */
#define BAR_PARTS 4

/* The cells each part takes in a bar of width cells for values of total:
 * rounded on the running sum, so that the parts never add up to more
 * than the bar, and a bar of equal values is filled evenly. */
void bar_cells(const double *values, int n, double total, int width, int *cells);

/* CPU parts, in percent: user, nice, system (with irq and softirq, as
 * htop's kernel part), steal; their sum is the busy share. */
void cpu_bar_values(const struct cpu_use *u, double out[BAR_PARTS]);

/* Memory parts in kB, as procps top's graph mode: used (total - free -
 * buffers - cache), buffers, cache (Cached + SReclaimable), of total. */
void mem_bar_values(const struct sys_stats *s, double out[BAR_PARTS],
		    double *total);

/* Sizes and rates for the eye: "512", "12.3K", "4.5M", "1.2G". */
void human_bytes(double bytes, char *out, size_t size);

/* The history of the sparklines: busy CPU and used memory, in percent,
 * one sample per refresh, the last METER_HISTORY kept. */
#define METER_HISTORY 240
struct meter_history {
	float cpu[METER_HISTORY], mem[METER_HISTORY];
	size_t n, head;          /* samples kept; the next slot */
};
void meter_history_add(struct meter_history *h, double cpu_pct, double mem_pct);

/* A sparkline of the last width values of series (0..100) into out:
 * one of eight block heights per value in UTF-8, " .:-=+*#" otherwise;
 * older samples to the left, blanks where there is no history yet. */
void sparkline(const float *series, const struct meter_history *h,
	       size_t width, bool utf8, struct buf *out);

/* A one-sample series of any values for the detail view: values[0..n)
 * scaled to max (0: the largest). */
void sparkline_of(const double *values, size_t n, double max, size_t width,
		  bool utf8, struct buf *out);

/* The meters' figures as text lines (batch mode, after procps top's five
 * lines): one per CPU, pressure, disk and network.  Each line ends with
 * a newline. */
void meter_text_lines(const struct sys_stats *s, struct buf *out);

#endif
