/*
 * test_topmeter.c - the arithmetic of top's header meters against recorded
 * /proc text: the memory bar's parts from /proc/meminfo as procps top's
 * graph mode splits them, the cells of a bar, the CPU bar's parts, the
 * sparklines and the human sizes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "ui/topmeter.h"

/* /proc/meminfo of the development VM (the lines the bar uses). */
static const char meminfo[] =
	"MemTotal:       24683756 kB\n"
	"MemFree:        23872272 kB\n"
	"MemAvailable:   24086240 kB\n"
	"Buffers:            3620 kB\n"
	"Cached:           421336 kB\n"
	"SReclaimable:      71784 kB\n"
	"SwapTotal:             0 kB\n"
	"SwapFree:              0 kB\n";

static unsigned long kb(const char *key)
{
	const char *s = strstr(meminfo, key);
	unsigned long v = 0;

	assert_non_null(s);
	assert_int_equal(sscanf(s + strlen(key), ": %lu kB", &v), 1);
	return v;
}

static void test_memory_bar_as_procps(void **state)
{
	struct sys_stats s = {0};
	double v[BAR_PARTS], total;
	int cells[BAR_PARTS];

	(void)state;
	s.mem_total_kb = kb("MemTotal");
	s.mem_free_kb = kb("MemFree");
	s.mem_buffers_kb = kb("Buffers");
	/* libproc2's MEMINFO_MEM_CACHED_ALL: Cached + SReclaimable */
	s.mem_cached_kb = kb("Cached") + kb("SReclaimable");
	mem_bar_values(&s, v, &total);
	assert_true(total == 24683756.0);
	/* used = total - free - buffers - cache, as top's graph mode */
	assert_true(v[0] == 24683756.0 - 23872272 - 3620 - 493120);
	assert_true(v[1] == 3620.0);
	assert_true(v[2] == 493120.0);
	/* 314744 kB used of 24 GB: 1.27% of a 100-cell bar is one cell;
	 * cache 2.0% two more; buffers nothing */
	bar_cells(v, 3, total, 100, cells);
	assert_int_equal(cells[0], 1);
	assert_int_equal(cells[1], 0);
	assert_int_equal(cells[2], 2);
	/* a box where free + buffers + cache exceeds total (a race in the
	 * kernel's counters) shows no negative used part */
	s.mem_free_kb = s.mem_total_kb;
	mem_bar_values(&s, v, &total);
	assert_true(v[0] == 0);
}

static void test_bar_cells_never_overflow(void **state)
{
	double thirds[3] = {33.4, 33.3, 33.3}, over[2] = {80, 80}, neg[2] = {-5, 50};
	int cells[3];

	(void)state;
	bar_cells(thirds, 3, 100, 10, cells);
	assert_int_equal(cells[0] + cells[1] + cells[2], 10);
	assert_int_equal(cells[0], 3);
	bar_cells(over, 2, 100, 10, cells);
	assert_int_equal(cells[0], 8);
	assert_int_equal(cells[1], 2); /* clipped at the bar's end */
	bar_cells(neg, 2, 100, 10, cells);
	assert_int_equal(cells[0], 0);
	assert_int_equal(cells[1], 5);
	bar_cells(over, 2, 0, 10, cells); /* no total: nothing drawn */
	assert_int_equal(cells[0] + cells[1], 0);
}

static void test_cpu_bar_parts(void **state)
{
	struct cpu_use u = {0};
	double v[BAR_PARTS];

	(void)state;
	u.pct[CPU_USER] = 40;
	u.pct[CPU_NICE] = 5;
	u.pct[CPU_SYSTEM] = 10;
	u.pct[CPU_IRQ] = 1;
	u.pct[CPU_SOFTIRQ] = 2;
	u.pct[CPU_STEAL] = 3;
	u.pct[CPU_IOWAIT] = 9; /* waiting is not busy: not in the bar */
	cpu_bar_values(&u, v);
	assert_true(v[0] == 40 && v[1] == 5 && v[2] == 13 && v[3] == 3);
}

static void test_sparkline(void **state)
{
	struct meter_history h = {0};
	struct buf b = {0};

	(void)state;
	sparkline(h.cpu, &h, 4, false, &b);
	assert_string_equal(b.data, "    "); /* no history yet */
	meter_history_add(&h, 0, 50);
	meter_history_add(&h, 100, 50);
	buf_reset(&b);
	sparkline(h.cpu, &h, 4, false, &b);
	assert_string_equal(b.data, "  _#"); /* oldest on the left */
	buf_reset(&b);
	sparkline(h.cpu, &h, 2, true, &b);
	assert_string_equal(b.data, "\u2581\u2588");
	for (int i = 0; i < METER_HISTORY + 5; i++)
		meter_history_add(&h, 50, 0);
	assert_int_equal(h.n, METER_HISTORY);
	buf_reset(&b);
	sparkline(h.cpu, &h, 3, false, &b);
	assert_string_equal(b.data, "===");
	buf_free(&b);
}

static void test_human_bytes(void **state)
{
	char s[16];

	(void)state;
	human_bytes(512, s, sizeof(s));
	assert_string_equal(s, "512");
	human_bytes(102400, s, sizeof(s));
	assert_string_equal(s, "100K");
	human_bytes(1536, s, sizeof(s));
	assert_string_equal(s, "1.5K");
	human_bytes(24683756.0 * 1024, s, sizeof(s));
	assert_string_equal(s, "23.5G");
}

static void test_batch_lines(void **state)
{
	struct cpu_use cpus[2] = {{.id = 0}, {.id = 1}};
	struct sys_stats s = {.ncpus = 2, .cpus = cpus, .have_psi = true,
			      .have_disk = true, .disk_read_bps = 2048};
	struct buf b = {0};

	(void)state;
	cpus[1].pct[CPU_USER] = 25;
	s.psi[PSI_CPU].some = (struct psi_line){true, 96.05, 56.07, 33.77, 1};
	meter_text_lines(&s, &b);
	assert_non_null(strstr(b.data, "%Cpu0  :  0.0 us,"));
	assert_non_null(strstr(b.data, "%Cpu1  : 25.0 us,"));
	assert_non_null(strstr(b.data, "PSI some: cpu 96.05 56.07 33.77"));
	assert_non_null(strstr(b.data, "IO/s: disk read 2.0K, write 0; net rx -, tx -\n"));
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_bar_as_procps),
		cmocka_unit_test(test_bar_cells_never_overflow),
		cmocka_unit_test(test_cpu_bar_parts),
		cmocka_unit_test(test_sparkline),
		cmocka_unit_test(test_human_bytes),
		cmocka_unit_test(test_batch_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
