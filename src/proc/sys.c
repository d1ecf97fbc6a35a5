/*
 * sys.c - system-wide figures through libproc2 (see sys.h), and the one
 * clock of the process layer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libproc2/meminfo.h>
#include <libproc2/misc.h>
#include <libproc2/stat.h>

#include "proc/proc.h"
#include "proc/reader.h"
#include "proc/sys.h"

/* The stat items asked for; the order is the index STAT_VAL takes. */
static enum stat_item stat_items[] = {
	STAT_TIC_ID,
	STAT_TIC_DELTA_USER, STAT_TIC_DELTA_NICE, STAT_TIC_DELTA_SYSTEM,
	STAT_TIC_DELTA_IDLE, STAT_TIC_DELTA_IOWAIT, STAT_TIC_DELTA_IRQ,
	STAT_TIC_DELTA_SOFTIRQ, STAT_TIC_DELTA_STOLEN,
	STAT_TIC_SUM_DELTA_TOTAL, STAT_SYS_PROC_CREATED,
};
enum { SI_ID, SI_DELTA0, SI_TOTAL = SI_DELTA0 + CPU_STATES, SI_FORKS };

static enum meminfo_item mem_items[] = {
	MEMINFO_MEM_TOTAL, MEMINFO_MEM_FREE, MEMINFO_MEM_AVAILABLE,
	MEMINFO_MEM_USED, MEMINFO_MEM_BUFFERS, MEMINFO_MEM_CACHED_ALL,
	MEMINFO_SWAP_TOTAL, MEMINFO_SWAP_FREE, MEMINFO_SWAP_USED,
};

struct sys_reader {
	struct stat_info *stat;
	struct meminfo_info *mem;
	int loadavg_fd;
	struct cpu_use *cpus;
	int cpus_cap;
};

/* ---- the clock ----------------------------------------------------------- */

/* btime, read once: it does not change while the machine runs.  Read
 * from /proc/stat's "btime" line directly: libproc2's stat module parses
 * every CPU's line and sets up its tables first, which cost 2.3 ms of
 * CPU here (its first-touched memory) against 0.1 ms, on every command. */
static double boot_time(void)
{
	static double btime;
	struct buf text = {0};

	if (btime == 0 && procfs_read(AT_FDCWD, "/proc/stat", &text, 0, true) == 0) {
		const char *line = strstr(text.data, "\nbtime ");

		if (line)
			btime = (double)strtoull(line + 7, NULL, 10);
	}
	buf_free(&text);
	return btime;
}

int proc_clock_read(struct proc_clock *c)
{
	double idle;

	c->hz = procps_hertz_get();
	c->now = time(NULL);
	c->page_kb = (unsigned long)sysconf(_SC_PAGESIZE) / 1024;
	c->boot_time = boot_time();
	if (c->hz <= 0 || c->boot_time <= 0 ||
	    procps_uptime(&c->uptime, &idle) < 0) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

/* ---- the figures ----------------------------------------------------------- */

/* Percentages from libproc2's deltas, as procps top's sum_tics does. */
static void cpu_use_from(struct cpu_use *u, struct stat_stack *st)
{
	long total = STAT_VAL(SI_TOTAL, sl_int, st, 0);
	double scale = 100.0 / (double)(total > 0 ? total : 1);

	for (int i = 0; i < CPU_STATES; i++)
		u->pct[i] = (double)STAT_VAL(SI_DELTA0 + i, sl_int, st, 0) * scale;
	if (total <= 0)
		u->pct[CPU_IDLE] = 100.0;
	u->busy_pct = 100.0 - u->pct[CPU_IDLE] - u->pct[CPU_IOWAIT];
	if (u->busy_pct < 0)
		u->busy_pct = 0;
}

static int read_cpus(struct sys_reader *r, struct sys_stats *s)
{
	struct stat_reaped *rp = procps_stat_reap(r->stat, STAT_REAP_CPUS_ONLY,
						  stat_items, ARRAY_LEN(stat_items));

	if (!rp)
		return -1;
	cpu_use_from(&s->cpu, rp->summary);
	s->cpu.id = -1;
	if (rp->cpus->total > r->cpus_cap) {
		r->cpus_cap = rp->cpus->total;
		r->cpus = xreallocarray(r->cpus, (size_t)r->cpus_cap, sizeof(*r->cpus));
	}
	for (int i = 0; i < rp->cpus->total; i++) {
		cpu_use_from(&r->cpus[i], rp->cpus->stacks[i]);
		r->cpus[i].id = STAT_VAL(SI_ID, s_int, rp->cpus->stacks[i], r->stat);
	}
	s->cpus = r->cpus;
	s->ncpus = rp->cpus->total;
	/* From the same reading (STAT_GET would read the file again). */
	s->forks = STAT_VAL(SI_FORKS, ul_int, rp->summary, r->stat);
	return 0;
}

static int read_mem(struct sys_reader *r, struct sys_stats *s)
{
	struct meminfo_stack *m = procps_meminfo_select(r->mem, mem_items,
							ARRAY_LEN(mem_items));
	unsigned long *out[] = {
		&s->mem_total_kb, &s->mem_free_kb, &s->mem_avail_kb,
		&s->mem_used_kb, &s->mem_buffers_kb, &s->mem_cached_kb,
		&s->swap_total_kb, &s->swap_free_kb, &s->swap_used_kb,
	};

	if (!m)
		return -1;
	for (size_t i = 0; i < ARRAY_LEN(out); i++)
		*out[i] = MEMINFO_VAL(i, ul_int, m, r->mem);
	return 0;
}

/* libproc2's procps_loadavg gives the three loads but not the newest pid
 * the watch needs to find new processes, so this one file is read here,
 * through a descriptor kept open. */
static void read_loadavg(struct sys_reader *r, struct sys_stats *s)
{
	char text[256];

	s->last_pid = -1;
	if (r->loadavg_fd < 0 ||
	    procfs_pread(r->loadavg_fd, text, sizeof(text)) <= 0 ||
	    sscanf(text, "%lf %lf %lf %*d/%*d %ld", &s->load[0], &s->load[1],
		   &s->load[2], &s->last_pid) != 4)
		s->last_pid = -1;
}

struct sys_reader *sys_open(void)
{
	struct sys_reader *r = xcalloc(1, sizeof(*r));

	r->loadavg_fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
	if (procps_stat_new(&r->stat) < 0 || procps_meminfo_new(&r->mem) < 0) {
		sys_close(r);
		errno = ENOENT;
		return NULL;
	}
	/* The first reap sets the base the next one's deltas start from. */
	(void)procps_stat_reap(r->stat, STAT_REAP_CPUS_ONLY, stat_items,
			       ARRAY_LEN(stat_items));
	return r;
}

int sys_read(struct sys_reader *r, struct sys_stats *s)
{
	double idle;

	read_loadavg(r, s);
	if (procps_uptime(&s->uptime, &idle) < 0 || read_cpus(r, s) < 0 ||
	    read_mem(r, s) < 0) {
		errno = errno ? errno : EIO;
		return -1;
	}
	return 0;
}

void sys_close(struct sys_reader *r)
{
	if (!r)
		return;
	if (r->stat)
		procps_stat_unref(&r->stat);
	if (r->mem)
		procps_meminfo_unref(&r->mem);
	if (r->loadavg_fd >= 0)
		close(r->loadavg_fd);
	free(r->cpus);
	free(r);
}

unsigned long sys_mem_total_kb(void)
{
	struct meminfo_info *info = NULL;
	unsigned long kb = 0;

	if (procps_meminfo_new(&info) >= 0) {
		kb = MEMINFO_GET(info, MEMINFO_MEM_TOTAL, ul_int);
		procps_meminfo_unref(&info);
	}
	return kb;
}
