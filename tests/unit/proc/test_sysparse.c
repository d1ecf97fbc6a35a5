/*
 * test_sysparse.c - the arithmetic of top's meters against recorded /proc
 * text: pressure stall lines, /proc/net/dev totals and rates, the CPU
 * shares of two /proc/stat readings (as procps top computes them), and
 * which disks count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "proc/sysparse.h"

static void test_psi(void **state)
{
	struct psi p;

	(void)state;
	/* /proc/pressure/cpu on 6.18 (a full line of zeros since 5.13) */
	assert_int_equal(psi_parse("some avg10=96.05 avg60=56.07 avg300=33.77 total=1679688523\n"
				   "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", &p), 0);
	assert_true(p.some.have && p.full.have);
	assert_true(p.some.avg10 == 96.05 && p.some.avg60 == 56.07 && p.some.avg300 == 33.77);
	assert_int_equal(p.some.total_us, 1679688523ULL);
	/* /proc/pressure/io */
	assert_int_equal(psi_parse("some avg10=0.00 avg60=0.01 avg300=0.23 total=36387484\n"
				   "full avg10=0.00 avg60=0.00 avg300=0.00 total=7500124\n", &p), 0);
	assert_true(p.some.avg300 == 0.23);
	assert_int_equal(p.full.total_us, 7500124);
	/* a 4.20 kernel's cpu file: no full line */
	assert_int_equal(psi_parse("some avg10=1.50 avg60=0.20 avg300=0.05 total=12\n", &p), 0);
	assert_false(p.full.have);
	assert_int_equal(psi_parse("", &p), -1);
	assert_int_equal(psi_parse("garbage\n", &p), -1);
}

static const char netdev_before[] =
	"Inter-|   Receive                                                |  Transmit\n"
	" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
	"    lo:  415976    3364    0    0    0     0          0         0   415976    3364    0    0    0     0       0          0\n"
	"  eth0: 1000000    2000    0    0    0     0          0         0   500000    1500    0    0    0     0       0          0\n"
	"  ifb0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n";
static const char netdev_after[] =
	"Inter-|   Receive                                                |  Transmit\n"
	" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
	"    lo:99999999    3364    0    0    0     0          0         0 99999999    3364    0    0    0     0       0          0\n"
	"  eth0: 1204800    2100    0    0    0     0          0         0   551200    1600    0    0    0     0       0          0\n"
	"  ifb0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n";

static void test_netdev_rates(void **state)
{
	unsigned long long rx0, tx0, rx1, tx1;

	(void)state;
	assert_int_equal(netdev_parse(netdev_before, &rx0, &tx0), 0);
	assert_int_equal(rx0, 1000000); /* lo left out */
	assert_int_equal(tx0, 500000);
	assert_int_equal(netdev_parse(netdev_after, &rx1, &tx1), 0);
	/* 2 s apart: 204800 B in = 100 KiB/s, 51200 B out = 25 KiB/s */
	assert_true(counter_rate(rx0, rx1, 2.0) == 102400.0);
	assert_true(counter_rate(tx0, tx1, 2.0) == 25600.0);
	/* a counter that went back (an interface removed) is no rate */
	assert_true(counter_rate(rx1, rx0, 2.0) == 0);
	assert_true(counter_rate(rx0, rx1, 0) == 0);
	assert_int_equal(netdev_parse("Inter-|\n face |\n", &rx0, &tx0), -1);
}

/* The cpu lines of two /proc/stat readings: user nice system idle iowait
 * irq softirq steal; procps top's shares are each delta over the sum. */
static void stat_deltas(const char *a, const char *b, long long d[CPU_STATES])
{
	unsigned long long x[CPU_STATES], y[CPU_STATES];

	assert_int_equal(sscanf(a, "%*s %llu %llu %llu %llu %llu %llu %llu %llu",
				&x[0], &x[1], &x[2], &x[3], &x[4], &x[5], &x[6], &x[7]), 8);
	assert_int_equal(sscanf(b, "%*s %llu %llu %llu %llu %llu %llu %llu %llu",
				&y[0], &y[1], &y[2], &y[3], &y[4], &y[5], &y[6], &y[7]), 8);
	/* /proc/stat's order is user nice system idle iowait irq softirq
	 * steal, which is enum's order. */
	for (int i = 0; i < CPU_STATES; i++)
		d[i] = (long long)(y[i] - x[i]);
}

static void test_cpu_shares(void **state)
{
	long long d[CPU_STATES];
	struct cpu_use u;

	(void)state;
	stat_deltas("cpu0 166430 1 179144 223934 259 0 1193 0 0 0",
		    "cpu0 166480 1 179169 223944 269 0 1203 0 0 0", d);
	/* 50 user + 25 system + 10 idle + 10 iowait + 10 softirq = 105 */
	cpu_use_compute(d, &u);
	assert_true(u.pct[CPU_USER] > 47.61 && u.pct[CPU_USER] < 47.62);
	assert_true(u.pct[CPU_SYSTEM] > 23.80 && u.pct[CPU_SYSTEM] < 23.81);
	assert_true(u.pct[CPU_SOFTIRQ] > 9.52 && u.pct[CPU_SOFTIRQ] < 9.53);
	/* busy is everything but idle and iowait */
	assert_true(u.busy_pct > 80.95 && u.busy_pct < 80.96);
	/* no tick passed: idle */
	memset(d, 0, sizeof(d));
	cpu_use_compute(d, &u);
	assert_true(u.pct[CPU_IDLE] == 100.0 && u.busy_pct == 0);
}

static void test_which_disks_count(void **state)
{
	(void)state;
	assert_true(disk_counts("vda"));
	assert_true(disk_counts("nvme0n1"));
	assert_true(disk_counts("sda"));
	assert_false(disk_counts("loop0"));
	assert_false(disk_counts("zram0"));
	assert_false(disk_counts("dm-1"));
	assert_false(disk_counts("md127"));
	assert_false(disk_counts("ram0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_psi),
		cmocka_unit_test(test_netdev_rates),
		cmocka_unit_test(test_cpu_shares),
		cmocka_unit_test(test_which_disks_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
