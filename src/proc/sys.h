/*
 * sys.h - system-wide figures, computed as procps 4 computes them, through
 * libproc2: CPU ticks (total and per CPU) from its stat module, memory
 * from its meminfo module ("used" is MemTotal - MemAvailable, as in
 * procps 4's top and free), and the uptime.  For `pmon top`'s header and
 * meters, and for %MEM.
 */
#ifndef PMON_SYS_H
#define PMON_SYS_H

#include <stdbool.h>

enum { CPU_USER, CPU_NICE, CPU_SYSTEM, CPU_IDLE, CPU_IOWAIT, CPU_IRQ,
       CPU_SOFTIRQ, CPU_STEAL, CPU_STATES };

/* One CPU, or all of them: the share of each state over the interval
 * since the previous reading, in percent of the ticks that passed. */
struct cpu_use {
	int id;                      /* -1 for the sum of all CPUs */
	double pct[CPU_STATES];
	double busy_pct;             /* 100 - idle - iowait */
};

struct sys_stats {
	double uptime;               /* seconds since boot */
	double load[3];
	long last_pid;               /* newest pid handed out; -1 unknown */
	unsigned long long forks;    /* tasks created since boot */
	struct cpu_use cpu;          /* all CPUs */
	struct cpu_use *cpus;        /* each CPU, ncpus of them */
	int ncpus;
	unsigned long mem_total_kb, mem_free_kb, mem_avail_kb, mem_used_kb,
		mem_buffers_kb, mem_cached_kb, swap_total_kb, swap_free_kb,
		swap_used_kb;
};

struct sys_reader;

/* Open the libproc2 contexts and take a first reading, so that the next
 * sys_read has an interval.  NULL with errno when /proc cannot be read. */
struct sys_reader *sys_open(void);
/* Read everything again into s (its cpus array is the reader's, valid
 * until the next call).  0, or -1 with errno. */
int sys_read(struct sys_reader *r, struct sys_stats *s);
void sys_close(struct sys_reader *r);

/* MemTotal in kB, read now (for a snapshot's %MEM); 0 if unknown. */
unsigned long sys_mem_total_kb(void);

#endif
