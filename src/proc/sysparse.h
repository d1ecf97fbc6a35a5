/*
 * sysparse.h - pure parsers and arithmetic behind top's meters: pressure
 * stall information (/proc/pressure/{cpu,memory,io}), network totals
 * (/proc/net/dev), and the CPU shares procps top computes from tick
 * deltas.  No I/O here, so that unit tests can feed recorded /proc text;
 * sys.c does the reading.
 */
#ifndef PMON_SYSPARSE_H
#define PMON_SYSPARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "proc/sys.h"

/* One /proc/pressure file: "some avg10=.. avg60=.. avg300=.. total=..",
 * and (memory, io; cpu since 5.13) a "full" line.  0, or -1 when there is
 * no "some" line. */
int psi_parse(const char *text, struct psi *out);

/* /proc/net/dev: the bytes received and sent by every interface but the
 * loopback (traffic to itself is not the machine's network).  0, or -1
 * when the text has no interface line. */
int netdev_parse(const char *text, unsigned long long *rx_bytes,
		 unsigned long long *tx_bytes);

/* The shares of the CPU states from the tick deltas of one CPU (or all),
 * as procps top's sum_tics: each state over the total; with no tick
 * passed, all idle.  busy = 100 - idle - iowait. */
void cpu_use_compute(const long long delta[CPU_STATES], struct cpu_use *u);

/* A rate per second between two readings of a counter; 0 when the
 * counter went back (a device removed, a wrap) or no time passed. */
double counter_rate(unsigned long long before, unsigned long long now,
		    double seconds);

/* The disks whose throughput counts: whole disks, not the layers over
 * them (dm-, md) nor memory and loop devices, as htop counts them. */
bool disk_counts(const char *name);

#endif
