/*
 * sys.h - system-wide figures, computed as procps 4 computes them, through
 * libproc2: CPU ticks (total and per CPU) from its stat module, memory
 * from its meminfo module ("used" is MemTotal - MemAvailable, as in
 * procps 4's top and free), disks from its diskstats module; the load,
 * pressure and network from their files.  For `pmon top`'s header and
 * meters, and for %MEM.
 */
#ifndef PMON_SYS_H
#define PMON_SYS_H

#include <stdbool.h>

struct proc_clock;

enum { CPU_USER, CPU_NICE, CPU_SYSTEM, CPU_IDLE, CPU_IOWAIT, CPU_IRQ,
       CPU_SOFTIRQ, CPU_STEAL, CPU_STATES };

/* One CPU, or all of them: the share of each state over the interval
 * since the previous reading, in percent of the ticks that passed. */
struct cpu_use {
	int id;                      /* -1 for the sum of all CPUs */
	double pct[CPU_STATES];
	double busy_pct;             /* 100 - idle - iowait */
};

/* Pressure stall information of one resource (/proc/pressure/NAME): the
 * share of time some (or all, "full") non-idle tasks waited for it, over
 * 10, 60 and 300 s, and the total stall in microseconds. */
struct psi_line {
	bool have;
	double avg10, avg60, avg300;
	unsigned long long total_us;
};
struct psi {
	struct psi_line some, full;
};
enum { PSI_CPU, PSI_MEMORY, PSI_IO, PSI_KINDS };
extern const char *const psi_names[PSI_KINDS];

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
	/* The meters' extras, read only when sys_want_extras() asked: */
	bool have_psi;               /* the kernel has /proc/pressure */
	struct psi psi[PSI_KINDS];
	bool have_disk, have_net;
	double disk_read_bps, disk_write_bps; /* whole disks (disk_counts) */
	double net_rx_bps, net_tx_bps;        /* every interface but lo */
};

struct sys_reader;

/* Open the libproc2 contexts and take a first reading, so that the next
 * sys_read has an interval.  NULL with errno when /proc cannot be read. */
struct sys_reader *sys_open(void);
/* Read everything again into s (its cpus array is the reader's, valid
 * until the next call); the uptime is the clock's, read just before.
 * 0, or -1 with errno. */
int sys_read(struct sys_reader *r, const struct proc_clock *clock,
	     struct sys_stats *s);
void sys_close(struct sys_reader *r);
/* Read the meters' extras (pressure, disks, network) from now on: they
 * cost a few system-wide reads per refresh, none per process. */
void sys_want_extras(struct sys_reader *r, bool on);

/* MemTotal in kB, read now (for a snapshot's %MEM); 0 if unknown. */
unsigned long sys_mem_total_kb(void);

#endif
