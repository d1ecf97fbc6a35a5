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

#include "proc/proc.h"
#include "proc/procps.h"
#include "proc/reader.h"
#include "proc/sys.h"
#include "proc/sysparse.h"

const char *const psi_names[PSI_KINDS] = {"cpu", "memory", "io"};

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

static enum diskstats_item disk_items[] = {
	DISKSTATS_NAME, DISKSTATS_TYPE, DISKSTATS_READ_SECTORS,
	DISKSTATS_WRITE_SECTORS,
};

struct sys_reader {
	const struct procps_api *lib;
	struct stat_info *stat;
	struct meminfo_info *mem;
	int loadavg_fd;
	struct cpu_use *cpus;
	int cpus_cap;
	/* The meters' extras: kept descriptors (these files pread from 0
	 * like the others), libproc2's diskstats, and the previous counts. */
	bool extras, extras_open, extras_read;
	int psi_fd[PSI_KINDS], netdev_fd;
	struct diskstats_info *disks;
	unsigned long long disk_read, disk_write, net_rx, net_tx;
	double extras_at;            /* monotonic seconds of that reading */
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

/* The first figure of /proc/uptime.  The clock is read by every command,
 * most of which need nothing else of libproc2, so it does not load the
 * library (procps.h) for this one number and the tick rate, a sysconf
 * (libproc2's procps_uptime and procps_hertz_get read the same). */
static double uptime_now(void)
{
	struct buf text = {0};
	double up = -1;

	if (procfs_read(AT_FDCWD, "/proc/uptime", &text, 0, true) == 0 &&
	    sscanf(text.data, "%lf", &up) != 1)
		up = -1;
	buf_free(&text);
	return up;
}

int proc_clock_read(struct proc_clock *c)
{
	c->hz = sysconf(_SC_CLK_TCK);
	c->now = time(NULL);
	c->page_kb = (unsigned long)sysconf(_SC_PAGESIZE) / 1024;
	c->boot_time = boot_time();
	c->uptime = uptime_now();
	if (c->hz <= 0 || c->boot_time <= 0 || c->uptime < 0) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

/* ---- the figures ----------------------------------------------------------- */

/* Percentages from libproc2's deltas, as procps top's sum_tics does
 * (cpu_use_compute, which the unit tests feed recorded /proc/stat). */
static void cpu_use_from(struct cpu_use *u, struct stat_stack *st)
{
	long long delta[CPU_STATES];

	for (int i = 0; i < CPU_STATES; i++)
		delta[i] = STAT_VAL(SI_DELTA0 + i, sl_int, st, 0);
	cpu_use_compute(delta, u);
}

static int read_cpus(struct sys_reader *r, struct sys_stats *s)
{
	struct stat_reaped *rp = r->lib->stat_reap(r->stat, STAT_REAP_CPUS_ONLY,
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
	struct meminfo_stack *m = r->lib->meminfo_select(r->mem, mem_items,
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

/* ---- the meters' extras ------------------------------------------------ */

static void read_psi(struct sys_reader *r, struct sys_stats *s)
{
	char text[256];

	s->have_psi = false;
	for (int k = 0; k < PSI_KINDS; k++) {
		if (r->psi_fd[k] < 0 || procfs_pread(r->psi_fd[k], text, sizeof(text)) <= 0 ||
		    psi_parse(text, &s->psi[k]) < 0)
			memset(&s->psi[k], 0, sizeof(s->psi[k]));
		else
			s->have_psi = true;
	}
}

/* Sectors of /proc/diskstats are 512 bytes whatever the device's. */
static int disk_totals(struct sys_reader *r, unsigned long long *rd,
		       unsigned long long *wr)
{
	struct diskstats_reaped *dr;

	*rd = *wr = 0;
	if (!r->disks)
		return -1;
	dr = r->lib->diskstats_reap(r->disks, disk_items, ARRAY_LEN(disk_items));
	if (!dr)
		return -1;
	for (int i = 0; i < dr->total; i++) {
		struct diskstats_stack *st = dr->stacks[i];

		if (DISKSTATS_VAL(1, s_int, st, r->disks) != DISKSTATS_TYPE_DISK ||
		    !disk_counts(DISKSTATS_VAL(0, str, st, r->disks)))
			continue;
		*rd += 512ULL * DISKSTATS_VAL(2, ul_int, st, r->disks);
		*wr += 512ULL * DISKSTATS_VAL(3, ul_int, st, r->disks);
	}
	return 0;
}

static void read_extras(struct sys_reader *r, struct sys_stats *s)
{
	unsigned long long rd, wr, rx = 0, tx = 0;
	double now = mono_now(), dt = r->extras_read ? now - r->extras_at : 0;
	struct buf text = {0};

	read_psi(r, s);
	s->have_disk = disk_totals(r, &rd, &wr) == 0;
	if (s->have_disk && r->extras_read) {
		s->disk_read_bps = counter_rate(r->disk_read, rd, dt);
		s->disk_write_bps = counter_rate(r->disk_write, wr, dt);
	}
	buf_reserve(&text, 16384);
	s->have_net = r->netdev_fd >= 0 &&
		procfs_pread(r->netdev_fd, text.data, text.cap) > 0 &&
		netdev_parse(text.data, &rx, &tx) == 0;
	buf_free(&text);
	if (s->have_net && r->extras_read) {
		s->net_rx_bps = counter_rate(r->net_rx, rx, dt);
		s->net_tx_bps = counter_rate(r->net_tx, tx, dt);
	}
	r->disk_read = rd, r->disk_write = wr, r->net_rx = rx, r->net_tx = tx;
	r->extras_at = now;
	r->extras_read = true;
}

static void open_extras(struct sys_reader *r)
{
	static const char *const psi_paths[PSI_KINDS] = {
		"/proc/pressure/cpu", "/proc/pressure/memory", "/proc/pressure/io",
	};

	for (int k = 0; k < PSI_KINDS; k++)
		r->psi_fd[k] = open(psi_paths[k], O_RDONLY | O_CLOEXEC);
	r->netdev_fd = open("/proc/net/dev", O_RDONLY | O_CLOEXEC);
	if (r->lib->diskstats_new(&r->disks) < 0)
		r->disks = NULL;
}

void sys_want_extras(struct sys_reader *r, bool on)
{
	struct sys_stats scratch;

	if (on && !r->extras_open) {
		open_extras(r);
		r->extras_open = true;
	}
	if (on && !r->extras) {
		r->extras_read = false;
		read_extras(r, &scratch); /* the base of the first rates */
	}
	r->extras = on;
}

struct sys_reader *sys_open(void)
{
	const struct procps_api *lib = procps_lib();
	struct sys_reader *r;

	if (!lib)
		return NULL;
	r = xcalloc(1, sizeof(*r));
	r->lib = lib;
	for (int k = 0; k < PSI_KINDS; k++)
		r->psi_fd[k] = -1;
	r->netdev_fd = -1;

	r->loadavg_fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
	if (lib->stat_new(&r->stat) < 0 || lib->meminfo_new(&r->mem) < 0) {
		sys_close(r);
		errno = ENOENT;
		return NULL;
	}
	/* The first reap sets the base the next one's deltas start from. */
	(void)r->lib->stat_reap(r->stat, STAT_REAP_CPUS_ONLY, stat_items,
			       ARRAY_LEN(stat_items));
	return r;
}

int sys_read(struct sys_reader *r, const struct proc_clock *clock,
	     struct sys_stats *s)
{
	s->uptime = clock->uptime;
	read_loadavg(r, s);
	if (read_cpus(r, s) < 0 || read_mem(r, s) < 0) {
		errno = errno ? errno : EIO;
		return -1;
	}
	if (r->extras)
		read_extras(r, s);
	return 0;
}

void sys_close(struct sys_reader *r)
{
	if (!r)
		return;
	if (r->stat)
		r->lib->stat_unref(&r->stat);
	if (r->mem)
		r->lib->meminfo_unref(&r->mem);
	if (r->loadavg_fd >= 0)
		close(r->loadavg_fd);
	for (int k = 0; k < PSI_KINDS; k++)
		if (r->psi_fd[k] >= 0)
			close(r->psi_fd[k]);
	if (r->netdev_fd >= 0)
		close(r->netdev_fd);
	if (r->disks)
		r->lib->diskstats_unref(&r->disks);
	free(r->cpus);
	free(r);
}

unsigned long sys_mem_total_kb(void)
{
	const struct procps_api *lib = procps_lib();
	struct meminfo_info *info = NULL;
	unsigned long kb = 0;

	if (lib && lib->meminfo_new(&info) >= 0) {
		kb = lib->meminfo_get(info, MEMINFO_MEM_TOTAL)->result.ul_int;
		lib->meminfo_unref(&info);
	}
	return kb;
}
