/*
 * reader.c - reading /proc: the handle, the pid lister, the file reader
 * and the reading of one process, for the snapshot and the watch alike.
 *
 * Why pmon reads these files itself rather than through libproc2's pids
 * interface: measured at 10,000 processes (make bench), libproc2 costs one
 * stat(2) of /proc/PID per process on top of the files asked for, re-opens
 * every file on every reap, and runs its general parser; that left
 * `pmon ps` at 1.66x the speed of ps(1) when the kernel's floor for stat
 * and status is 2.3x, and procps top at about 4x pmon top's CPU per
 * refresh.  So this layer opens exactly the files the items need
 * (item_sources[]) relative to one /proc descriptor and parses them
 * itself (parse.c); libproc2 serves the system-wide figures (sys.c) and
 * the long tail of per-process items (tail.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc/gpu.h"
#include "proc/parse.h"
#include "proc/reader.h"

int procfs_open(void)
{
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 && faccessat(fd, "self/stat", R_OK, 0) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	errno = ENOENT;
	return -1;
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* A directory entry that is a pid: digits only, no leading zero, in
 * range; 0 otherwise. */
static pid_t entry_pid(const char *s)
{
	long pid = 0;

	if (*s < '1' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		pid = pid * 10 + (*s - '0');
		if (pid > INT_MAX)
			return 0;
	}
	return *s ? 0 : (pid_t)pid;
}

ssize_t procfs_list_pids(int procfd, pid_t **pids, size_t *cap)
{
	return procfs_list_ids(procfd, ".", pids, cap);
}

ssize_t procfs_list_ids(int dirfd, const char *dirpath, pid_t **pids, size_t *cap)
{
	int fd = openat(dirfd, dirpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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
		pid_t pid = entry_pid(e->d_name);

		if (!pid)
			continue;
		if (n == *cap) {
			*cap = *cap ? 2 * *cap : 1024;
			*pids = xreallocarray(*pids, *cap, sizeof(pid_t));
		}
		if (n && (*pids)[n - 1] > pid)
			sorted = false;
		(*pids)[n++] = pid;
	}
	closedir(dir);
	if (!sorted)
		qsort(*pids, n, sizeof(pid_t), pid_cmp);
	return (ssize_t)n;
}

/* ---- closing a pass's files a run at a time ------------------------------ */

/*
 * A system call costs about 1 us on this project's VM (a PVM guest:
 * getppid measured at 0.96-0.99 us), and a pass over 10,000 processes
 * makes two to three per file it reads: open, read, close.  close_range(2)
 * ends a run of adjacent descriptors in one: open + read + close of a
 * stat file took 6.5-7.1 us, open + read with one close_range per 64
 * files 5.3-5.4 us (6 runs of 20,000 each, load 1).  Files are
 * opened lowest descriptor first, so a batch's descriptors are mostly
 * adjacent, with holes where descriptors were open before or another
 * thread opened one meanwhile; only runs of the batch's own are closed,
 * never a descriptor between them.
 */
static int fd_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static void close_run(int first, int last)
{
	if (first == last || close_range((unsigned)first, (unsigned)last, 0) < 0)
		for (int fd = first; fd <= last; fd++)
			close(fd);
}

void fd_batch_flush(struct fd_batch *fb)
{
	size_t i = 0;

	qsort(fb->fd, fb->n, sizeof(fb->fd[0]), fd_cmp);
	while (i < fb->n) {
		size_t j = i + 1;

		while (j < fb->n && fb->fd[j] == fb->fd[j - 1] + 1)
			j++;
		close_run(fb->fd[i], fb->fd[j - 1]);
		i = j;
	}
	fb->n = 0;
}

void fd_batch_init(struct fd_batch *fb, int any_fd)
{
	struct rlimit rl;
	int lowest = fcntl(any_fd, F_DUPFD_CLOEXEC, 0);
	rlim_t room = 0;

	if (lowest >= 0 && getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (rlim_t)lowest))
		room = rl.rlim_cur == RLIM_INFINITY ? FD_BATCH_MAX * 4 :
			rl.rlim_cur - (rlim_t)lowest;
	if (lowest >= 0)
		close(lowest);
	fb->n = 0;
	fb->max = room / 4 > FD_BATCH_MAX ? FD_BATCH_MAX : (size_t)(room / 4);
	if (fb->max == 0)
		fb->max = 1;
}

void fd_batch_add(struct fd_batch *fb, int fd)
{
	if (fb->n >= fb->max || fb->n == FD_BATCH_MAX)
		fd_batch_flush(fb);
	fb->fd[fb->n++] = fd;
}

/* Close fd, now or with the batch. */
static void close_or_batch(int fd, struct fd_batch *closing)
{
	if (closing)
		fd_batch_add(closing, fd);
	else
		close(fd);
}

/* openat for reading.  Out of descriptors (ours, EMFILE, or the system's,
 * ENFILE) or of kernel memory, the batch is closed and the open tried
 * again: what the batch holds must not lose a process the pass would have
 * read closing each file at once. */
static int open_file(int dirfd, const char *path, struct fd_batch *closing)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOMEM) &&
	    closing && closing->n) {
		fd_batch_flush(closing);
		fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	}
	return fd;
}

/* procfs_read, its descriptor closed through closing (NULL: at once). */
static int read_file(int dirfd, const char *path, struct buf *b, size_t max,
		     bool until_eof, struct fd_batch *closing)
{
	int fd = open_file(dirfd, path, closing), err = 0;

	buf_reset(b);
	if (fd < 0)
		return -1;
	for (;;) {
		size_t room;
		ssize_t got;

		buf_reserve(b, 4096);
		room = b->cap - b->len - 1;
		if (max && room > max - b->len)
			room = max - b->len;
		got = read(fd, b->data + b->len, room);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			err = errno;
		if (got <= 0)
			break;
		b->len += (size_t)got;
		if ((max && b->len >= max) || (!until_eof && (size_t)got < room))
			break;
	}
	b->data[b->len] = '\0';
	close_or_batch(fd, closing);
	errno = err;
	return err ? -1 : 0;
}

int procfs_read(int dirfd, const char *path, struct buf *b, size_t max,
		bool until_eof)
{
	return read_file(dirfd, path, b, max, until_eof, NULL);
}

bool procfs_initial_userns(void)
{
	/* 0 not known yet, 1 yes, 2 no; the same answer from any thread.
	 * Only an answer read is kept: a failed read (out of descriptors,
	 * say) says "no" now, which reads more, and asks again next time. */
	static int known;
	int v = __atomic_load_n(&known, __ATOMIC_RELAXED);
	char text[128];
	unsigned long inner, outer, count;
	int fd;
	ssize_t n;

	if (v)
		return v == 1;
	fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return false;
	text[n] = '\0';
	v = sscanf(text, "%lu %lu %lu", &inner, &outer, &count) == 3 &&
		inner == 0 && outer == 0 && count == 4294967295UL ? 1 : 2;
	__atomic_store_n(&known, v, __ATOMIC_RELAXED);
	return v == 1;
}

ssize_t procfs_pread(int fd, char *buf, size_t size)
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

/* ---- which file each item comes from ----------------------------------- */

/* The one table that decides what a pass costs, and what -o help says. */
static const struct item_source {
	unsigned item, files;
	const char *source;
	bool privileged;      /* another account's process needs root */
} item_sources[] = {
	{PI_PPID, FILE_STAT, "stat", false},
	{PI_STATE, FILE_STAT, "stat", false},
	{PI_STAT, FILE_STAT, "stat", false},
	{PI_LOCKED, FILE_STATUS, "status", false},
	{PI_UID, FILE_OWNER, "status or the owner of /proc/PID", false},
	{PI_USER, FILE_OWNER, "status or the owner of /proc/PID", false},
	{PI_COMM, FILE_STAT, "stat", false},
	{PI_CMDLINE, FILE_CMDLINE | FILE_STAT, "cmdline", false},
	{PI_THREADS, FILE_STAT, "stat", false},
	{PI_NICE, FILE_STAT, "stat", false},
	{PI_RSS, FILE_STATM, "status or statm", false},
	{PI_START, FILE_STAT, "stat", false},
	{PI_CPU, FILE_STAT, "stat", false},
	{PI_SIGNALS, FILE_STATUS, "status", false},
	{PI_TRACE, FILE_STATUS, "status", false},
	{PI_MEM, FILE_STATM, "statm", false},
	{PI_TTY, FILE_STAT, "stat", false},
	{PI_PCPU, FILE_STAT | FILE_STATM, "meminfo, over time", false},
	{PI_IO, FILE_IO, "io", true},
	{PI_SCHED, FILE_STAT | FILE_SCHED, "sched", false},
	{PI_IO_RATE, FILE_IO | FILE_STAT, "io, over time", true},
	{PI_CONTAINER, FILE_CGROUP, "cgroup", false},
	{PI_GPU, FILE_GPU | FILE_STAT, "fd + fdinfo of DRM devices", true},
	{PI_WCHAN, 0, "libproc2 PIDS_WCHAN_NAME", true},
	{PI_OOM, 0, "libproc2 PIDS_OOM_SCORE, PIDS_OOM_ADJ", false},
	{PI_CGROUP, 0, "libproc2 PIDS_CGROUP", false},
	{PI_NS, 0, "libproc2 PIDS_NS_*", true},
	{PI_GROUPS, 0, "libproc2 PIDS_SUPGIDS", false},
	{PI_ENVIRON, 0, "environ, for the rows shown", true},
};

void proc_items_source(unsigned items, struct buf *out)
{
	const char *said[ARRAY_LEN(item_sources)];
	size_t n = 0;

	if (!items)
		buf_puts(out, "the directory");
	for (size_t i = 0; i < ARRAY_LEN(item_sources); i++) {
		const char *s = item_sources[i].source;
		bool dup = false;

		if (!(items & item_sources[i].item))
			continue;
		for (size_t j = 0; j < n; j++)
			dup |= strcmp(said[j], s) == 0;
		if (dup)
			continue;
		buf_printf(out, "%s%s", n ? " + " : "", s);
		said[n++] = s;
	}
}

bool proc_item_needs_privilege(unsigned items)
{
	for (size_t i = 0; i < ARRAY_LEN(item_sources); i++)
		if ((items & item_sources[i].item) && item_sources[i].privileged)
			return true;
	return false;
}

static unsigned files_for(unsigned need)
{
	unsigned files = 0;

	for (size_t i = 0; i < ARRAY_LEN(item_sources); i++)
		if (need & item_sources[i].item)
			files |= item_sources[i].files;
	/* status has the uid and the exact RSS anyway. */
	if (files & FILE_STATUS)
		files &= ~FILE_OWNER;
	if ((files & FILE_STATUS) && !(need & PI_MEM))
		files &= ~FILE_STATM;
	return files;
}

static unsigned status_lines_for(unsigned need)
{
	unsigned want = STATUS_HAVE_UID | STATUS_HAVE_VMRSS;

	if (need & PI_LOCKED)
		want |= STATUS_HAVE_VMLCK;
	if (need & PI_SIGNALS)
		want |= STATUS_HAVE_SIGNALS;
	if (need & PI_TRACE)
		want |= STATUS_HAVE_TRACER | STATUS_HAVE_SECCOMP | STATUS_HAVE_NSPID;
	return want;
}

void reader_init(struct reader *r, int procfd, unsigned need,
		 const struct proc_clock *clock)
{
	memset(r, 0, sizeof(*r));
	r->procfd = procfd;
	if (need & PI_USER)
		need |= PI_UID;
	if (need & PI_IO_RATE)
		need |= PI_IO | PI_START;
	if (need & PI_GPU)
		need |= PI_START;
	r->have = need;
	r->files = files_for(need);
	r->status_want = status_lines_for(need);
	r->clock = clock;
}

/* ---- reading one process ------------------------------------------------ */

/* "PID/name" into path (at least 40 bytes): without printf, which cost
 * a thousand instructions a call here (callgrind), once per file. */
static void proc_path(char *path, pid_t pid, const char *name)
{
	char digits[12], *d = digits + sizeof(digits);
	unsigned v = (unsigned)pid;

	do
		*--d = (char)('0' + v % 10);
	while (v /= 10);
	memcpy(path, d, (size_t)(digits + sizeof(digits) - d));
	path += digits + sizeof(digits) - d;
	if (name) {
		*path++ = '/';
		while (*name)
			*path++ = *name++;
	}
	*path = '\0';
}

static bool uid_wanted(const struct reader *r, uid_t uid)
{
	for (size_t i = 0; i < r->nuids; i++)
		if (r->uids[i] == uid)
			return true;
	return r->nuids == 0;
}

/* Open PID/name, or use the kept descriptor; the text (NUL-terminated)
 * into buf.  The descriptor opened is stored in *kept when kept is given,
 * else closed (through closing, when given).  The length, or -1 when the process is gone. */
static ssize_t read_kept(const struct reader *r, pid_t pid, const char *name,
			 int *kept, struct fd_batch *closing, char *buf,
			 size_t size)
{
	char path[40];
	ssize_t got;
	int fd = kept ? *kept : -1;

	if (fd < 0) {
		proc_path(path, pid, name);
		fd = open_file(r->procfd, path, closing);
		if (fd < 0)
			return -1;
		if (kept)
			*kept = fd;
	}
	got = procfs_pread(fd, buf, size);
	if (!kept)
		close_or_batch(fd, closing);
	return got > 0 ? got : -1;
}

/* A small file through read_kept into b. */
static int read_kept_buf(const struct reader *r, pid_t pid, const char *name,
			 int *kept, struct fd_batch *closing, struct buf *b)
{
	ssize_t got;

	buf_reset(b);
	buf_reserve(b, 2048);
	got = read_kept(r, pid, name, kept, closing, b->data, b->cap);
	if (got < 0)
		return -1;
	b->len = (size_t)got;
	return 0;
}

/* PI_SCHED, with the stat text in text.  Not there (an old kernel without
 * SCHED_DEBUG, or the process just went): not filled. */
static void read_sched(const struct reader *r, pid_t pid, struct proc *p,
		       struct reader_bufs *b)
{
	struct buf *text = &b->text;
	enum { F_PROCESSOR = 39 };
	unsigned long long cpu;
	char path[40];

	p->have &= ~(unsigned)PI_SCHED;
	if (parse_stat_field(text->data, text->len, F_PROCESSOR, &cpu) < 0)
		return;
	proc_path(path, pid, "sched");
	if (read_file(r->procfd, path, text, 0, false, b->closing) < 0 ||
	    parse_sched_exec_start(text->data, text->len, &p->last_ran_ns) < 0)
		return;
	p->last_cpu = (int)cpu;
	p->have |= PI_SCHED;
}

/* The effective uid without reading text: the owner of /proc/PID.  Not of
 * its files: those of a process that dropped root without exec (not
 * dumpable) belong to root, the directory still to its euid.  1, 0 when
 * not wanted, -1 when gone. */
static int read_owner(const struct reader *r, pid_t pid, struct proc *p)
{
	struct stat sb;
	char path[40];

	proc_path(path, pid, NULL);
	if (fstatat(r->procfd, path, &sb, 0) < 0)
		return -1;
	p->uid = sb.st_uid;
	return uid_wanted(r, p->uid) ? 1 : 0;
}

static int read_stat(const struct reader *r, pid_t pid, struct kept_fds *kept,
		     struct proc *p, struct strpool *pool, struct reader_bufs *b)
{
	struct buf *text = &b->text;
	struct stat_line st;

	if (read_kept_buf(r, pid, "stat", kept ? &kept->stat : NULL,
			  b->closing, text) < 0 ||
	    parse_stat_line(text->data, text->len, &st) < 0)
		return -1;
	proc_fill_stat(p, &st, r->clock);
	memcpy(b->comm, st.comm, sizeof(b->comm));
	p->comm = pool ? strpool_strdup(pool, st.comm) : b->comm;
	if (r->files & FILE_SCHED)
		read_sched(r, pid, p, b);
	return 1;
}

/*
 * A kernel thread (PF_KTHREAD, from stat) has no memory of its own to show
 * (get_task_mm() gives none: its statm is zeros, its status has no Vm
 * lines) and runs as root (init_cred): what its statm and status would say
 * of RSS, sizes, locked pages and (in the first user namespace) uid is
 * known without reading them.  They
 * were 39 of the 86 processes of the development VM, and a server commonly
 * has hundreds, each one file fewer for ps and one pread fewer a refresh
 * for top -b.
 */
static bool kthread_files_known(const struct reader *r, const struct proc *p)
{
	return (r->files & FILE_STAT) && p->kernel_thread;
}

/* What status gives a kernel thread's reading without being read. */
#define KTHREAD_STATUS_KNOWN (STATUS_HAVE_UID | STATUS_HAVE_VMRSS | \
			      STATUS_HAVE_VMLCK | STATUS_HAVE_TGID)

static int read_statm(const struct reader *r, pid_t pid, struct kept_fds *kept,
		      struct proc *p, struct reader_bufs *b)
{
	struct buf *text = &b->text;
	struct statm_line m;
	unsigned long kb = r->clock->page_kb;

	if (kthread_files_known(r, p)) {
		p->rss_kb = p->vsize_kb = p->shared_kb = 0;
		return 0;
	}
	if (read_kept_buf(r, pid, "statm", kept ? &kept->statm : NULL,
			  b->closing, text) < 0 ||
	    parse_statm(text->data, text->len, &m) < 0)
		return -1;
	p->rss_kb = m.resident * kb;
	p->vsize_kb = m.size * kb;
	p->shared_kb = m.shared * kb;
	return 0;
}

static void fill_from_status(const struct status_lines *sl, struct proc *p)
{
	p->uid = sl->uid;
	p->locked = (p->have & PI_LOCKED) && sl->vm_lck_kb != 0;
	if (sl->have & STATUS_HAVE_VMRSS)
		p->rss_kb = sl->vm_rss_kb; /* exact, where stat's is not */
	else if (p->state == 'Z' || p->kernel_thread)
		p->rss_kb = 0;
	p->sig_ignored = sl->sig_ignored;
	p->sig_caught = sl->sig_caught;
	p->tracer_pid = sl->tracer_pid;
	p->seccomp = sl->seccomp;
	p->ns_levels = sl->ns_levels;
	memcpy(p->ns_pids, sl->ns_pids, sizeof(p->ns_pids));
}

static int read_status(const struct reader *r, pid_t pid, struct proc *p,
		       struct reader_bufs *b)
{
	struct buf *text = &b->text;
	struct status_lines sl = {0};
	unsigned want = r->status_want | (r->threads_out ? STATUS_HAVE_TGID : 0);
	char path[40];

	/* In another user namespace, root's uid shows as whatever it maps
	 * to there (the overflow uid, unmapped): read it. */
	if (kthread_files_known(r, p) && !(want & ~KTHREAD_STATUS_KNOWN) &&
	    procfs_initial_userns()) {
		fill_from_status(&sl, p); /* uid 0, nothing locked, RSS 0 */
		return uid_wanted(r, p->uid) ? 1 : 0;
	}
	proc_path(path, pid, "status");
	if (read_file(r->procfd, path, text, 0, false, b->closing) < 0)
		return -1;
	parse_status(text->data, text->len, want, &sl);
	/* /proc/TID answers for any thread, but a thread of another
	 * process is not a process (ps -p TID shows nothing either). */
	if ((sl.have & STATUS_HAVE_TGID) && sl.tgid != pid)
		return 0;
	fill_from_status(&sl, p);
	return uid_wanted(r, p->uid) ? 1 : 0;
}

/* 0 read (or unreadable: cmdline stays NULL), -1 gone. */
static int read_cmdline(const struct reader *r, pid_t pid, struct proc *p,
			struct strpool *pool, struct reader_bufs *b)
{
	char path[40];

	proc_path(path, pid, "cmdline");
	if (read_file(r->procfd, path, &b->text, r->cmdline_max, false,
		      b->closing) == 0) {
		join_cmdline(b->text.data, b->text.len, &b->line);
		p->cmdline = pool ? strpool_strdup(pool, b->line.data) : b->line.data;
		return 0;
	}
	return errno == ENOENT || errno == ESRCH ? -1 : 0;
}

/* PI_IO: needs ptrace access to the process; unreadable is not 0. */
static void read_io(const struct reader *r, pid_t pid, struct proc *p,
		    struct reader_bufs *b)
{
	struct buf *text = &b->text;
	char path[40];

	proc_path(path, pid, "io");
	if (read_file(r->procfd, path, text, 0, false, b->closing) < 0 ||
	    parse_io(text->data, text->len, &p->io_read_bytes,
		     &p->io_write_bytes) < 0)
		p->have &= ~(unsigned)PI_IO;
}

/* PI_CONTAINER: the path and the container it names (cgroup.h). */
static void read_cgroup(const struct reader *r, pid_t pid, struct proc *p,
			struct strpool *pool, struct reader_bufs *b)
{
	char path[40];

	proc_path(path, pid, "cgroup");
	if (read_file(r->procfd, path, &b->text, 0, false, b->closing) < 0) {
		p->have &= ~(unsigned)PI_CONTAINER;
		return;
	}
	cgroup_parse(b->text.data, &b->cgroup);
	p->cgroup_path = pool ? strpool_strdup(pool, b->cgroup.path) : b->cgroup.path;
	p->container = pool ? strpool_strdup(pool, b->cgroup.container) :
		b->cgroup.container;
}

/* PI_GPU; with no DRM device on the machine, not there at all.  The
 * engine share is over the process's life here (a watch makes it the
 * last interval's). */
static void read_gpu(const struct reader *r, pid_t pid, struct proc *p)
{
	struct gpu_use u;

	if (!gpu_present() || gpu_read_process(r->procfd, pid, &u) < 0) {
		p->have &= ~(unsigned)PI_GPU;
		return;
	}
	p->gpu_mem_bytes = u.mem_bytes;
	p->gpu_engine_ns = u.engine_ns;
	p->gpu_pct = p->elapsed_s > 0 ?
		(double)u.engine_ns / 1e7 / (double)p->elapsed_s : 0;
}

/* PI_IO_RATE over the process's life (a watch makes it the interval's). */
static void io_rate_lifetime(struct proc *p)
{
	double s = p->elapsed_s > 0 ? (double)p->elapsed_s : 1;

	if (!(p->have & PI_IO)) {
		p->have &= ~(unsigned)PI_IO_RATE;
		return;
	}
	p->io_read_rate = (double)p->io_read_bytes / s;
	p->io_write_rate = (double)p->io_write_bytes / s;
}

int reader_read(const struct reader *r, pid_t pid, struct kept_fds *kept,
		struct proc *p, struct strpool *pool, struct reader_bufs *b)
{
	int rc;

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->have = r->have;
	if ((r->files & FILE_OWNER) && (rc = read_owner(r, pid, p)) <= 0)
		return rc;
	if ((r->files & FILE_STAT) &&
	    (rc = read_stat(r, pid, kept, p, pool, b)) <= 0)
		return rc;
	if ((r->files & FILE_STATM) && read_statm(r, pid, kept, p, b) < 0)
		return -1;
	if ((r->files & FILE_STATUS) && (rc = read_status(r, pid, p, b)) <= 0)
		return rc;
	if ((r->files & FILE_CMDLINE) && read_cmdline(r, pid, p, pool, b) < 0)
		return -1;
	if (r->files & FILE_IO)
		read_io(r, pid, p, b);
	if (r->have & PI_IO_RATE)
		io_rate_lifetime(p);
	if (r->files & FILE_CGROUP)
		read_cgroup(r, pid, p, pool, b);
	if (r->files & FILE_GPU) {
		/* gpu.c opens a directory and a file per DRM descriptor
		 * with no batch of its own to give back room. */
		if (b->closing)
			fd_batch_flush(b->closing);
		read_gpu(r, pid, p);
	}
	p->tgid = pid;
	/* p->user is filled in by the caller, once the scan is done. */
	if (r->have & PI_STAT)
		proc_format_stat(p);
	return 1;
}

int reader_run_ns(const struct reader *r, pid_t pid, int *kept,
		  unsigned long long *ns)
{
	char text[96];
	unsigned long long v = 0;
	const char *c = text;

	if (read_kept(r, pid, "schedstat", kept, NULL, text, sizeof(text)) < 0)
		return -1;
	/* Digits by hand: strtoull was 250 instructions a call, and this runs
	 * for every process on every refresh. */
	for (; *c >= '0' && *c <= '9'; c++)
		v = v * 10 + (unsigned long long)(*c - '0');
	if (c == text) {
		errno = EINVAL;
		return -1;
	}
	*ns = v;
	return 0;
}

void reader_bufs_free(struct reader_bufs *b)
{
	if (b->closing)
		fd_batch_flush(b->closing);
	buf_free(&b->text);
	buf_free(&b->line);
}
