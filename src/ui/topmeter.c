/*
 * topmeter.c - the meters' arithmetic (see topmeter.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ui/topmeter.h"

void bar_cells(const double *values, int n, double total, int width, int *cells)
{
	double sum = 0;
	int done = 0;

	for (int i = 0; i < n; i++) {
		int upto;

		sum += values[i] > 0 ? values[i] : 0;
		upto = total > 0 ? (int)floor(sum / total * width + 0.5) : 0;
		if (upto > width)
			upto = width;
		cells[i] = upto > done ? upto - done : 0;
		done += cells[i];
	}
}

void cpu_bar_values(const struct cpu_use *u, double out[BAR_PARTS])
{
	out[0] = u->pct[CPU_USER];
	out[1] = u->pct[CPU_NICE];
	out[2] = u->pct[CPU_SYSTEM] + u->pct[CPU_IRQ] + u->pct[CPU_SOFTIRQ];
	out[3] = u->pct[CPU_STEAL];
}

void mem_bar_values(const struct sys_stats *s, double out[BAR_PARTS],
		    double *total)
{
	double t = (double)s->mem_total_kb, f = (double)s->mem_free_kb;
	double b = (double)s->mem_buffers_kb, c = (double)s->mem_cached_kb;
	double used = t - f - b - c;

	out[0] = used > 0 ? used : 0;
	out[1] = b;
	out[2] = c;
	out[3] = 0;
	*total = t;
}

void human_bytes(double v, char *out, size_t size)
{
	static const char units[] = "KMGTP";
	int u = -1;

	if (v < 1024) {
		snprintf(out, size, "%.0f", v < 0 ? 0 : v);
		return;
	}
	while (v >= 1024 && u < 4)
		v /= 1024, u++;
	snprintf(out, size, v < 100 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

void meter_history_add(struct meter_history *h, double cpu_pct, double mem_pct)
{
	h->cpu[h->head] = (float)cpu_pct;
	h->mem[h->head] = (float)mem_pct;
	h->head = (h->head + 1) % METER_HISTORY;
	if (h->n < METER_HISTORY)
		h->n++;
}

/* One value 0..max as a block of eight heights (or an ASCII stand-in). */
static void spark_cell(double v, double max, bool utf8, struct buf *out)
{
	static const char *const blocks[8] = {
		"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588",
	};
	static const char ascii[] = "_.:-=+*#";
	int level = max > 0 ? (int)(v / max * 8) : 0;

	level = level < 0 ? 0 : level > 7 ? 7 : level;
	if (utf8)
		buf_puts(out, blocks[level]);
	else
		buf_putc(out, ascii[level]);
}

void sparkline(const float *series, const struct meter_history *h,
	       size_t width, bool utf8, struct buf *out)
{
	size_t shown = h->n < width ? h->n : width;

	for (size_t i = shown; i < width; i++)
		buf_putc(out, ' ');
	for (size_t i = shown; i > 0; i--) {
		size_t at = (h->head + METER_HISTORY - i) % METER_HISTORY;

		spark_cell(series[at], 100.0, utf8, out);
	}
}

void sparkline_of(const double *values, size_t n, double max, size_t width,
		  bool utf8, struct buf *out)
{
	size_t from = n > width ? n - width : 0;

	if (max <= 0)
		for (size_t i = from; i < n; i++)
			max = values[i] > max ? values[i] : max;
	for (size_t i = n - from; i < width; i++)
		buf_putc(out, ' ');
	for (size_t i = from; i < n; i++)
		spark_cell(values[i], max > 0 ? max : 1, utf8, out);
}

static void psi_text(const struct sys_stats *s, struct buf *out)
{
	buf_puts(out, "PSI some:");
	for (int k = 0; k < PSI_KINDS; k++) {
		const struct psi_line *l = &s->psi[k].some;

		if (l->have)
			buf_printf(out, "%s %s %.2f %.2f %.2f", k ? "," : "",
				   psi_names[k], l->avg10, l->avg60, l->avg300);
	}
	buf_puts(out, "; full:");
	for (int k = 0; k < PSI_KINDS; k++) {
		const struct psi_line *l = &s->psi[k].full;

		if (l->have)
			buf_printf(out, "%s %s %.2f %.2f %.2f", k ? "," : "",
				   psi_names[k], l->avg10, l->avg60, l->avg300);
	}
	buf_putc(out, '\n');
}

void meter_text_lines(const struct sys_stats *s, struct buf *out)
{
	char a[16], b[16], c[16], d[16];

	for (int i = 0; i < s->ncpus; i++) {
		const double *p = s->cpus[i].pct;

		buf_printf(out, "%%Cpu%-3d:%5.1f us,%5.1f sy,%5.1f ni,%5.1f id,%5.1f wa,"
			   "%5.1f hi,%5.1f si,%5.1f st\n", s->cpus[i].id,
			   p[CPU_USER], p[CPU_SYSTEM], p[CPU_NICE], p[CPU_IDLE],
			   p[CPU_IOWAIT], p[CPU_IRQ], p[CPU_SOFTIRQ], p[CPU_STEAL]);
	}
	if (s->have_psi)
		psi_text(s, out);
	human_bytes(s->disk_read_bps, a, sizeof(a));
	human_bytes(s->disk_write_bps, b, sizeof(b));
	human_bytes(s->net_rx_bps, c, sizeof(c));
	human_bytes(s->net_tx_bps, d, sizeof(d));
	if (s->have_disk || s->have_net)
		buf_printf(out, "IO/s: disk read %s, write %s; net rx %s, tx %s\n",
			   s->have_disk ? a : "-", s->have_disk ? b : "-",
			   s->have_net ? c : "-", s->have_net ? d : "-");
}
