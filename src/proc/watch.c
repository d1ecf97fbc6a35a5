/*
 * watch.c - re-reading the process table cheaply (see procwatch.h).
 *
 * Measured at 10,000 sleeping processes (bench/bench-top.sh): opening,
 * reading and closing /proc/PID/stat costs about three times a pread() of
 * a descriptor kept open, because the open walks the path and sets up a
 * seq_file each time.  So every process's stat stays open; a refresh is
 * one getdents of /proc (to find new and vanished pids) and one pread per
 * process.  A pread on the descriptor of a process that has been reaped
 * fails with ESRCH, and the descriptor can never show another process
 * that reuses the pid: the kernel ties it to the old one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"
#include "proc/parse.h"
#include "proc/watch.h"

enum { SYS_STAT, SYS_MEMINFO, SYS_LOADAVG, SYS_UPTIME };
static const char *const sys_files[] = {"stat", "meminfo", "loadavg", "uptime"};

/* Descriptors kept free for everything else: the terminal, ncurses,
 * the pidfds of `k`, the files of a reap. */
#define FD_RESERVE 64

/* Raise the soft limit of open files to the hard one; the budget is what
 * that leaves after the reserve. */
static size_t fd_budget(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t want = rl.rlim_max;

		/* An "unlimited" hard limit still has the kernel's nr_open. */
		if (want == RLIM_INFINITY)
			want = 1 << 20;
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY)
		rl.rlim_cur = 1 << 20;
	return rl.rlim_cur > 2 * FD_RESERVE ? (size_t)rl.rlim_cur - FD_RESERVE : 0;
}

/* pread of a small /proc file into a fixed buffer, NUL-terminated.
 * Returns the length, or -1 with errno (ESRCH: the process is gone). */
static ssize_t pread_text(int fd, char *buf, size_t size)
{
	ssize_t got;

	do
		got = pread(fd, buf, size - 1, 0);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return -1;
	buf[got] = '\0';
	return got;
}

/* ---- system-wide figures ---------------------------------------------- */

static unsigned long meminfo_kb(const char *text, const char *key)
{
	const char *at = strstr(text, key);

	return at ? strtoul(at + strlen(key), NULL, 10) : 0;
}

static void read_sys(struct procwatch *w)
{
	struct sys_stats *s = &w->sys;
	unsigned long long prev[CPU_STATES], total = 0;
	char text[4096];

	memcpy(prev, s->cpu, sizeof(prev));
	s->last_pid = -1;
	if (w->sys_fds[SYS_UPTIME] >= 0 &&
	    pread_text(w->sys_fds[SYS_UPTIME], text, sizeof(text)) > 0)
		s->uptime = strtod(text, NULL);
	if (w->sys_fds[SYS_LOADAVG] >= 0 &&
	    pread_text(w->sys_fds[SYS_LOADAVG], text, sizeof(text)) > 0)
		if (sscanf(text, "%lf %lf %lf %*d/%*d %ld", &s->load[0],
			   &s->load[1], &s->load[2], &s->last_pid) != 4)
			s->last_pid = -1;
	if (w->sys_fds[SYS_STAT] >= 0 &&
	    pread_text(w->sys_fds[SYS_STAT], text, 512) > 0 &&
	    strncmp(text, "cpu ", 4) == 0) {
		char *p = text + 4;

		for (int i = 0; i < CPU_STATES; i++)
			s->cpu[i] = strtoull(p, &p, 10);
		for (int i = 0; i < CPU_STATES; i++)
			total += s->cpu[i] - prev[i];
		for (int i = 0; i < CPU_STATES; i++)
			s->cpu_pct[i] = total && w->refreshes ?
				100.0 * (double)(s->cpu[i] - prev[i]) / (double)total : 0;
	}
	if (w->sys_fds[SYS_MEMINFO] >= 0 &&
	    pread_text(w->sys_fds[SYS_MEMINFO], text, sizeof(text)) > 0) {
		s->mem_total_kb = meminfo_kb(text, "MemTotal:");
		s->mem_free_kb = meminfo_kb(text, "MemFree:");
		s->mem_avail_kb = meminfo_kb(text, "MemAvailable:");
		s->mem_buffers_kb = meminfo_kb(text, "Buffers:");
		s->mem_cached_kb = meminfo_kb(text, "\nCached:") +
				   meminfo_kb(text, "SReclaimable:");
		s->swap_total_kb = meminfo_kb(text, "SwapTotal:");
		s->swap_free_kb = meminfo_kb(text, "SwapFree:");
	}
}

/* ---- one process ------------------------------------------------------ */

static void fill_from_stat(struct procwatch *w, const struct stat_line *st,
			   struct proc *p, struct watch_extra *x)
{
	const struct proc_clock clk = {
		.boot_time = w->boot_time, .uptime = w->sys.uptime,
		.hz = w->hz, .page_kb = w->page_kb,
	};

	proc_fill_stat(p, st, &clk);
	proc_format_stat(p);
	memcpy(x->comm, st->comm, sizeof(x->comm));
}

/* The command line, read once per process (and again after an exec,
 * which the change of comm gives away), and only when it is asked for. */
static void read_cmdline(struct procwatch *w, pid_t pid, struct watch_extra *x)
{
	char path[32];
	int fd;

	free(x->cmdline);
	x->cmdline = NULL;
	x->cmdline_read = true;
	snprintf(path, sizeof(path), "%d/cmdline", (int)pid);
	fd = openat(w->procfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	buf_reset(&w->text);
	/* The kernel fills as much of a read as the arguments allow, so a
	 * short read is the end: no second read(2) just to see 0 (as
	 * proc.c's read_file_at). */
	for (;;) {
		size_t room;
		ssize_t got;

		buf_reserve(&w->text, 4096);
		room = w->text.cap - w->text.len - 1;
		got = read(fd, w->text.data + w->text.len, room);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		w->text.len += (size_t)got;
		if ((size_t)got < room || w->text.len > 64 * 1024) /* no screen is wider */
			break;
	}
	close(fd);
	join_cmdline(w->text.data, w->text.len, &w->line);
	x->cmdline = xstrdup(w->line.data);
}

/* Read stat through the kept descriptor, or open/read/close when the
 * process has none.  -1 when the process is gone. */
static int read_stat(struct procwatch *w, pid_t pid, int fd, struct stat_line *st)
{
	char text[2048], path[32];
	ssize_t got;

	if (fd >= 0) {
		got = pread_text(fd, text, sizeof(text));
	} else {
		snprintf(path, sizeof(path), "%d/stat", (int)pid);
		fd = openat(w->procfd, path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		got = pread_text(fd, text, sizeof(text));
		close(fd);
	}
	if (got <= 0 || parse_stat_line(text, (size_t)got, st) < 0)
		return -1;
	return 0;
}

static void forget(struct procwatch *w, struct watch_extra *x)
{
	if (x->fd >= 0) {
		close(x->fd);
		w->fds_open--;
	}
	free(x->cmdline);
	x->cmdline = NULL;
	x->fd = -1;
}

/* A process not seen before: open its stat (kept if the budget allows),
 * its owner and command line.  -1 when it is already gone. */
static int add_new(struct procwatch *w, pid_t pid, struct proc *p,
		   struct watch_extra *x)
{
	struct stat_line st;
	struct stat sb;
	char path[32];
	int fd;

	memset(p, 0, sizeof(*p));
	memset(x, 0, sizeof(*x));
	x->fd = -1;
	p->pid = pid;
	p->have = PROCWATCH_HAVE;
	snprintf(path, sizeof(path), "%d/stat", (int)pid);
	fd = openat(w->procfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* The owner of /proc/PID/stat is the process's effective uid. */
	if (fstat(fd, &sb) < 0 || read_stat(w, pid, fd, &st) < 0) {
		close(fd);
		return -1;
	}
	if (w->fds_open < w->fd_budget) {
		x->fd = fd;
		w->fds_open++;
	} else {
		close(fd);
	}
	p->uid = sb.st_uid;
	p->user = proc_user_name(p->uid);
	fill_from_stat(w, &st, p, x);
	/* Started since the last refresh: all its CPU time is new.  One that
	 * is older but was missed shows 0 for this one interval rather than
	 * all it ever used. */
	x->prev_cpu = w->refreshes &&
		      (double)st.start_ticks / (double)w->hz >= w->prev_uptime
		      ? 0 : st.cpu_ticks;
	return 0;
}

/* A process seen before.  -1 when it is gone (or its pid was recycled,
 * which makes it a new process for the caller). */
static int update(struct procwatch *w, struct proc *p, struct watch_extra *x)
{
	struct stat_line st;

	if (read_stat(w, p->pid, x->fd, &st) < 0 ||
	    st.start_ticks != p->start_ticks)
		return -1;
	x->prev_cpu = p->cpu_ticks;
	if (strcmp(st.comm, x->comm) != 0) { /* an exec: forget the old */
		free(x->cmdline);
		x->cmdline = NULL;
		x->cmdline_read = false;
	}
	fill_from_stat(w, &st, p, x);
	return 0;
}

/* ---- the table -------------------------------------------------------- */

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Every pid in /proc, sorted.  Returns how many, or -1. */
static ssize_t list_pids(struct procwatch *w)
{
	int fd = openat(w->procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	size_t n = 0;
	bool sorted = true;

	if (!dir) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((e = readdir(dir))) {
		const char *s = e->d_name;
		long pid = 0;

		if (*s < '1' || *s > '9')
			continue;
		for (; *s >= '0' && *s <= '9' && pid < INT_MAX / 10; s++)
			pid = pid * 10 + (*s - '0');
		if (*s)
			continue;
		if (n == w->pids_cap) {
			w->pids_cap = w->pids_cap ? 2 * w->pids_cap : 1024;
			w->pids = xreallocarray(w->pids, w->pids_cap, sizeof(pid_t));
		}
		if (n && w->pids[n - 1] > (pid_t)pid)
			sorted = false;
		w->pids[n++] = (pid_t)pid;
	}
	closedir(dir);
	if (!sorted) /* readdir of /proc is in pid order; nothing promises it */
		qsort(w->pids, n, sizeof(pid_t), pid_cmp);
	return (ssize_t)n;
}

static void grow_to(struct procwatch *w, size_t n)
{
	if (n <= w->cap)
		return;
	w->cap = n + n / 4 + 64;
	w->procs = xreallocarray(w->procs, w->cap, sizeof(*w->procs));
	w->extra = xreallocarray(w->extra, w->cap, sizeof(*w->extra));
	free(w->spare_procs);
	free(w->spare_extra);
	w->spare_procs = xcalloc(w->cap, sizeof(*w->spare_procs));
	w->spare_extra = xcalloc(w->cap, sizeof(*w->spare_extra));
}

static void compute_rates(struct procwatch *w)
{
	double ticks = w->interval * (double)w->hz;
	double mem = (double)w->sys.mem_total_kb;

	for (size_t i = 0; i < w->n; i++) {
		struct proc *p = &w->procs[i];
		struct watch_extra *x = &w->extra[i];

		p->comm = x->comm;
		p->cmdline = x->cmdline_read ? x->cmdline : NULL;
		x->cpu_pct = ticks > 0 && p->cpu_ticks >= x->prev_cpu ?
			100.0 * (double)(p->cpu_ticks - x->prev_cpu) / ticks : 0;
		x->mem_pct = mem > 0 ? 100.0 * (double)p->rss_kb / mem : 0;
	}
}

const char *procwatch_cmdline(struct procwatch *w, size_t i)
{
	if (!w->extra[i].cmdline_read)
		read_cmdline(w, w->procs[i].pid, &w->extra[i]);
	w->procs[i].cmdline = w->extra[i].cmdline;
	return w->extra[i].cmdline;
}

/*
 * Finding new processes without listing /proc.  /proc/loadavg ends with
 * the newest pid the kernel handed out (to a process or a thread, in this
 * pid namespace or one below it).  While it stays the same, no process
 * can have appeared; when it has moved up by a little, the new ones can
 * only have the pids in between, and probing those few is far cheaper
 * than the getdents of 10,000 entries (7% of a refresh, measured).
 * Vanished processes need neither: their pread fails.  The full listing
 * is still read when the counter went back (it wrapped), moved by more
 * than PROBE_MAX, when a probed pid turns out to be a thread of a
 * multi-threaded process (a /proc/TID that readdir would not list), and
 * every LIST_EVERY refreshes in any case.
 */
#define PROBE_MAX 128
#define LIST_EVERY 16

enum listing { LIST_ALL, LIST_KNOWN, LIST_PROBE };

static enum listing how_to_list(struct procwatch *w, long last_pid)
{
	long prev = w->last_pid;
	enum listing how = LIST_ALL;

	if (w->refreshes && last_pid >= 0 && prev >= 0 && w->same_pid_ns &&
	    w->since_listing + 1 < LIST_EVERY) {
		if (last_pid == prev)
			how = LIST_KNOWN;
		else if (last_pid > prev && last_pid - prev <= PROBE_MAX)
			how = LIST_PROBE;
	}
	w->since_listing = how == LIST_ALL ? 0 : w->since_listing + 1;
	return how;
}

/* The table as it was, as the pid list of a refresh that skips the
 * readdir; room for `more` pids after it. */
static ssize_t known_pids(struct procwatch *w, size_t more)
{
	if (w->n + more > w->pids_cap) {
		w->pids_cap = w->n + more;
		w->pids = xreallocarray(w->pids, w->pids_cap, sizeof(pid_t));
	}
	for (size_t i = 0; i < w->n; i++)
		w->pids[i] = w->procs[i].pid;
	return (ssize_t)w->n;
}

/* A pid in (from, to] that exists: a process to add (1), nothing (0),
 * or a thread that /proc lists only under its process (-1). */
static int probe(struct procwatch *w, pid_t pid)
{
	struct stat_line st;

	if (read_stat(w, pid, -1, &st) < 0)
		return 0;
	/* Alone in its thread group, a task is its group's leader.  With
	 * company, it may be a new thread: let readdir tell. */
	return st.threads <= 1 ? 1 : -1;
}

/* The known pids and the new ones between the previous newest pid and
 * this one, sorted; -1 (list everything instead) if a probe finds a
 * thread. */
static ssize_t known_and_probed(struct procwatch *w, long from, long to)
{
	size_t n = (size_t)known_pids(w, (size_t)(to - from)), known = n;

	for (long pid = from + 1; pid <= to; pid++) {
		int rc = probe(w, (pid_t)pid);

		if (rc < 0)
			return -1;
		if (rc > 0)
			w->pids[n++] = (pid_t)pid;
	}
	/* Pids go round: new ones may sort before old ones, and a pid that
	 * died and was given out again is in both parts (the merge sees the
	 * old process fail and reads the new one). */
	if (n > known && known && w->pids[known] <= w->pids[known - 1]) {
		size_t out = 1;

		qsort(w->pids, n, sizeof(pid_t), pid_cmp);
		for (size_t i = 1; i < n; i++)
			if (w->pids[i] != w->pids[out - 1])
				w->pids[out++] = w->pids[i];
		n = out;
	}
	return (ssize_t)n;
}

/* The pids to read in this refresh, in w->pids; how many, or -1. */
static ssize_t pids_to_read(struct procwatch *w)
{
	long prev = w->last_pid, now = w->sys.last_pid;
	ssize_t n = -1;

	enum listing how = how_to_list(w, now);

	w->last_pid = now;
	switch (how) {
	case LIST_KNOWN:
		return known_pids(w, 0);
	case LIST_PROBE:
		n = known_and_probed(w, prev, now);
		break;
	case LIST_ALL:
		break;
	}
	if (n < 0) {
		w->since_listing = 0;
		n = list_pids(w);
	}
	return n;
}

int procwatch_refresh(struct procwatch *w)
{
	ssize_t npids;
	size_t i = 0, out = 0;
	struct proc *np;
	struct watch_extra *nx;
	double t = mono_now();

	w->interval = w->refreshes ? t - w->last : 0;
	w->last = t;
	w->now = time(NULL);
	w->prev_uptime = w->sys.uptime;
	read_sys(w);
	w->boot_time = (double)w->now - w->sys.uptime;
	npids = pids_to_read(w);
	if (npids < 0)
		return -1;
	grow_to(w, (size_t)npids > w->n ? (size_t)npids : w->n);
	np = w->spare_procs;
	nx = w->spare_extra;
	w->vanished = 0;
	/* Merge the old table with the new pid list, both in pid order. */
	for (size_t j = 0; j < (size_t)npids || i < w->n;) {
		pid_t pid = j < (size_t)npids ? w->pids[j] : INT_MAX;

		if (i < w->n && w->procs[i].pid < pid) {
			forget(w, &w->extra[i++]); /* gone from /proc */
			continue;
		}
		if (i < w->n && w->procs[i].pid == pid) {
			np[out] = w->procs[i];
			nx[out] = w->extra[i++];
			if (update(w, &np[out], &nx[out]) == 0) {
				out++;
				j++;
				continue;
			}
			forget(w, &nx[out]); /* reaped, or the pid recycled */
		}
		if (add_new(w, pid, &np[out], &nx[out]) == 0)
			out++;
		else
			w->vanished++;
		j++;
	}
	w->spare_procs = w->procs;
	w->spare_extra = w->extra;
	w->procs = np;
	w->extra = nx;
	w->n = out;
	compute_rates(w);
	w->refreshes++;
	return 0;
}

/* loadavg's newest pid is counted in our pid namespace; it says
 * something about /proc only if /proc shows that namespace too (not,
 * say, after unshare --pid without a new /proc). */
static bool proc_is_our_pid_ns(int procfd)
{
	char self[32];
	ssize_t n = readlinkat(procfd, "self", self, sizeof(self) - 1);

	if (n <= 0)
		return false;
	self[n] = '\0';
	return strtol(self, NULL, 10) == (long)getpid();
}

int procwatch_open(struct procwatch *w)
{
	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i < ARRAY_LEN(w->sys_fds); i++)
		w->sys_fds[i] = -1;
	w->procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->procfd < 0 || faccessat(w->procfd, "self/stat", R_OK, 0) < 0) {
		if (w->procfd >= 0)
			close(w->procfd);
		errno = ENOENT;
		return -1;
	}
	for (size_t i = 0; i < ARRAY_LEN(w->sys_fds); i++)
		w->sys_fds[i] = openat(w->procfd, sys_files[i], O_RDONLY | O_CLOEXEC);
	w->hz = sysconf(_SC_CLK_TCK);
	if (w->hz <= 0)
		w->hz = 100;
	w->page_kb = (unsigned long)sysconf(_SC_PAGESIZE) / 1024;
	w->fd_budget = fd_budget();
	w->same_pid_ns = proc_is_our_pid_ns(w->procfd);
	if (procwatch_refresh(w) < 0) {
		int err = errno;

		procwatch_close(w);
		errno = err;
		return -1;
	}
	return 0;
}

void procwatch_close(struct procwatch *w)
{
	for (size_t i = 0; i < w->n; i++)
		forget(w, &w->extra[i]);
	for (size_t i = 0; i < ARRAY_LEN(w->sys_fds); i++)
		if (w->sys_fds[i] >= 0)
			close(w->sys_fds[i]);
	if (w->procfd >= 0)
		close(w->procfd);
	free(w->procs);
	free(w->extra);
	free(w->spare_procs);
	free(w->spare_extra);
	free(w->pids);
	buf_free(&w->text);
	buf_free(&w->line);
	memset(w, 0, sizeof(*w));
	w->procfd = -1;
}
