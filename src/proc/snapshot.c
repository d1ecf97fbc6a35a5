/*
 * snapshot.c - the process snapshot.
 *
 * Why not libproc2's pids interface for the scan: measured at 10,000
 * processes (make bench), it costs one stat(2) of /proc/PID per process on
 * top of the files asked for, and its general parser; with stat and status
 * that left `pmon ps` at 1.66x the speed of ps(1) when the kernel's own
 * floor for those two files is 2.3x.  So this layer opens exactly the
 * files the items need (item_files[]) relative to one /proc descriptor and
 * parses them itself (procparse.c); libproc2 still provides the clock rate
 * and uptime here and the system-wide figures of `pmon top`.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libproc2/misc.h>

#include "util/util.h"
#include "proc/proc.h"
#include "proc/parse.h"
#include "util/strpool.h"

enum proc_file {
	FILE_STAT = 1u << 0,
	FILE_STATUS = 1u << 1,
	FILE_CMDLINE = 1u << 2,
	FILE_OWNER = 1u << 3, /* fstatat of /proc/PID: uid without text */
	FILE_SCHED = 1u << 4,
};

/* Which file each item is read from; the one table that decides what a
 * scan costs. */
static const struct {
	unsigned item, files;
} item_files[] = {
	{PI_PPID, FILE_STAT},    {PI_STATE, FILE_STAT},
	{PI_STAT, FILE_STAT},    {PI_LOCKED, FILE_STATUS},
	{PI_UID, FILE_OWNER},    {PI_USER, FILE_OWNER},
	{PI_COMM, FILE_STAT},    {PI_CMDLINE, FILE_CMDLINE | FILE_STAT},
	{PI_THREADS, FILE_STAT}, {PI_NICE, FILE_STAT},
	{PI_RSS, FILE_STAT},     {PI_START, FILE_STAT},
	{PI_CPU, FILE_STAT},     {PI_SIGNALS, FILE_STATUS},
	{PI_TRACE, FILE_STATUS}, {PI_SCHED, FILE_STAT | FILE_SCHED},
};

static unsigned files_for(unsigned need)
{
	unsigned files = 0;

	for (size_t i = 0; i < ARRAY_LEN(item_files); i++)
		if (need & item_files[i].item)
			files |= item_files[i].files;
	/* status has the uid (and the exact RSS) anyway. */
	if (files & FILE_STATUS)
		files &= ~FILE_OWNER;
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

/* Names of uids, looked up once per run: NSS can be slow (LDAP). */
static const char *user_name(uid_t uid)
{
	static struct {
		uid_t uid;
		char *name;
	} *cache;
	static size_t n, cap;
	struct passwd *pw;
	char num[16];

	for (size_t i = 0; i < n; i++)
		if (cache[i].uid == uid)
			return cache[i].name;
	if (n == cap) {
		cap = cap ? 2 * cap : 16;
		cache = xreallocarray(cache, cap, sizeof(*cache));
	}
	pw = getpwuid(uid);
	snprintf(num, sizeof(num), "%u", (unsigned)uid);
	cache[n].uid = uid;
	cache[n].name = xstrdup(pw ? pw->pw_name : num);
	return cache[n++].name;
}

/* Read a whole /proc file into b.  -1 with errno when it cannot be read
 * (ENOENT or ESRCH: the process is gone). */
static int read_file_at(int dirfd, const char *path, struct buf *b)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	buf_reset(b);
	if (fd < 0)
		return -1;
	/* These files are generated whole on the first read, so a read that
	 * does not fill the buffer has reached the end: no second read(2)
	 * just to see 0, which would cost 10% of a scan. */
	for (;;) {
		size_t room;

		buf_reserve(b, 4096);
		room = b->cap - b->len - 1;
		got = read(fd, b->data + b->len, room);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		b->len += (size_t)got;
		if ((size_t)got < room)
			break;
	}
	b->data[b->len] = '\0';
	if (got < 0) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	close(fd);
	return 0;
}

struct scan {
	struct snapshot *s;
	const struct snapshot_query *q;
	struct strpool *pool; /* where this scan's strings go (s->pool, or
	                         a worker's own, merged into it after) */
	int procfd;
	unsigned files;
	unsigned status_want; /* STATUS_HAVE_* lines the items need */
	double boot_time;
	unsigned long page_kb;
	struct buf text, line;
	size_t cap;
};

static void fill_from_stat(struct scan *sc, const struct stat_line *st,
			   struct proc *p)
{
	const struct proc_clock clk = {
		.boot_time = sc->boot_time, .uptime = sc->s->uptime,
		.hz = sc->s->hz, .page_kb = sc->page_kb,
	};

	proc_fill_stat(p, st, &clk);
	p->comm = strpool_strdup(sc->pool, st->comm);
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

static bool uid_wanted(const struct snapshot_query *q, uid_t uid)
{
	for (size_t i = 0; i < q->nuids; i++)
		if (q->uids[i] == uid)
			return true;
	return q->nuids == 0;
}

/* PI_SCHED, with the stat text still in sc->text.  Not there (an old
 * kernel without SCHED_DEBUG, or the process just went): not filled. */
static void read_sched(struct scan *sc, pid_t pid, struct proc *p)
{
	enum { F_PROCESSOR = 39 };
	unsigned long long cpu;
	char path[32];

	p->have &= ~(unsigned)PI_SCHED;
	if (parse_stat_field(sc->text.data, sc->text.len, F_PROCESSOR, &cpu) < 0)
		return;
	snprintf(path, sizeof(path), "%d/sched", (int)pid);
	if (read_file_at(sc->procfd, path, &sc->text) < 0 ||
	    parse_sched_exec_start(sc->text.data, sc->text.len,
				   &p->last_ran_ns) < 0)
		return;
	p->last_cpu = (int)cpu;
	p->have |= PI_SCHED;
}

/*
 * Read one process.  Returns 1 when it was read, 0 when it is not wanted,
 * -1 when it vanished (or was never there).
 */
static int read_proc(struct scan *sc, pid_t pid, struct proc *p)
{
	char path[32];

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->have = sc->s->have;
	if (sc->files & FILE_OWNER) {
		struct stat sb;

		snprintf(path, sizeof(path), "%d", (int)pid);
		if (fstatat(sc->procfd, path, &sb, 0) < 0)
			return -1;
		p->uid = sb.st_uid;
		if (!uid_wanted(sc->q, p->uid))
			return 0;
	}
	if (sc->files & FILE_STAT) {
		struct stat_line st;

		snprintf(path, sizeof(path), "%d/stat", (int)pid);
		if (read_file_at(sc->procfd, path, &sc->text) < 0 ||
		    parse_stat_line(sc->text.data, sc->text.len, &st) < 0)
			return -1;
		fill_from_stat(sc, &st, p);
		if (sc->files & FILE_SCHED)
			read_sched(sc, pid, p);
	}
	if (sc->files & FILE_STATUS) {
		struct status_lines sl = {0};

		snprintf(path, sizeof(path), "%d/status", (int)pid);
		if (read_file_at(sc->procfd, path, &sc->text) < 0)
			return -1;
		parse_status(sc->text.data, sc->text.len, sc->status_want, &sl);
		/* /proc/TID answers for any thread, but a thread of another
		 * process is not a process (ps -p TID shows nothing either). */
		if ((sl.have & STATUS_HAVE_TGID) && sl.tgid != pid)
			return 0;
		fill_from_status(&sl, p);
		if (!uid_wanted(sc->q, p->uid))
			return 0;
	}
	if (sc->files & FILE_CMDLINE) {
		snprintf(path, sizeof(path), "%d/cmdline", (int)pid);
		if (read_file_at(sc->procfd, path, &sc->text) == 0) {
			join_cmdline(sc->text.data, sc->text.len, &sc->line);
			p->cmdline = strpool_strdup(sc->pool, sc->line.data);
		} else if (errno == ENOENT || errno == ESRCH) {
			return -1;
		} /* else unreadable (EACCES): cmdline stays NULL */
	}
	/* p->user is filled in after the scan: user_name() is not
	 * thread-safe (see name_users). */
	if (sc->s->have & PI_STAT)
		proc_format_stat(p);
	return 1;
}

static void scan_one(struct scan *sc, pid_t pid)
{
	struct snapshot *s = sc->s;
	struct proc p;
	int rc = read_proc(sc, pid, &p);

	if (rc < 0)
		s->vanished++;
	if (rc <= 0)
		return;
	if (s->n == sc->cap) {
		sc->cap = sc->cap ? 2 * sc->cap : 1024;
		s->procs = xreallocarray(s->procs, sc->cap, sizeof(*s->procs));
	}
	s->procs[s->n++] = p;
}

/* Every pid in /proc, in the order readdir gives them (pid order). */
static pid_t *list_pids(int procfd, size_t *n)
{
	int fd = dup(procfd);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	pid_t *pids = NULL;
	size_t cap = 0;

	*n = 0;
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((e = readdir(dir))) {
		long pid;

		if (e->d_name[0] < '1' || e->d_name[0] > '9' ||
		    parse_long(e->d_name, 1, INT_MAX, &pid) < 0)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 1024;
			pids = xreallocarray(pids, cap, sizeof(*pids));
		}
		pids[(*n)++] = (pid_t)pid;
	}
	closedir(dir);
	return pids ? pids : xcalloc(1, sizeof(*pids));
}

/*
 * Reading a process is nearly all kernel time (the kernel writes each
 * /proc file as it is opened), and the kernel does that for different
 * processes on different CPUs at once.  So a large scan is shared out
 * among a thread per CPU (up to SCAN_THREADS_MAX): each takes blocks of
 * SCAN_BLOCK pids from a shared counter, so a thread on a busy CPU just
 * takes fewer, and writes each process into its pid's own slot, so the
 * result keeps the pid order with no merge.  Measured at 10,000
 * processes on 2 busy CPUs, medians of 7: pmon ps 0.33 s -> 0.25 s wall,
 * 0.25 s CPU either way (the kernel's floor for stat + status).
 */
enum { SCAN_PARALLEL_MIN = 1024, SCAN_THREADS_MAX = 8, SCAN_BLOCK = 64 };

struct scan_worker {
	struct scan sc;          /* own buffers and string pool */
	const pid_t *pids;
	size_t npids;
	struct proc *slots;      /* one per pid, shared */
	signed char *rc;         /* read_proc's result per pid, shared */
	atomic_size_t *next;     /* the next block to take */
	pthread_t thread;
};

static void *scan_worker_run(void *arg)
{
	struct scan_worker *w = arg;
	size_t first;

	while ((first = atomic_fetch_add(w->next, SCAN_BLOCK)) < w->npids) {
		size_t end = first + SCAN_BLOCK < w->npids ? first + SCAN_BLOCK : w->npids;

		for (size_t i = first; i < end; i++)
			w->rc[i] = (signed char)read_proc(&w->sc, w->pids[i], &w->slots[i]);
	}
	return NULL;
}

static int scan_cpus(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 1;
	n = CPU_COUNT(&set);
	return n < 1 ? 1 : n > SCAN_THREADS_MAX ? SCAN_THREADS_MAX : n;
}

/* Read pids[0..n) with nthreads threads (this one among them), then
 * keep the processes read, in order. */
static void scan_parallel(struct scan *sc, const pid_t *pids, size_t n,
			  int nthreads)
{
	struct snapshot *s = sc->s;
	struct scan_worker *w = xcalloc((size_t)nthreads, sizeof(*w));
	signed char *rc = xcalloc(n, sizeof(*rc));
	atomic_size_t next = 0;
	int started = 0;

	s->procs = xcalloc(n, sizeof(*s->procs));
	for (int i = 0; i < nthreads; i++) {
		w[i].sc = *sc;
		memset(&w[i].sc.text, 0, sizeof(w[i].sc.text));
		memset(&w[i].sc.line, 0, sizeof(w[i].sc.line));
		w[i].sc.pool = i == 0 ? sc->pool : strpool_new();
		w[i].pids = pids;
		w[i].npids = n;
		w[i].slots = s->procs;
		w[i].rc = rc;
		w[i].next = &next;
	}
	/* A thread that cannot be started leaves its share to the others. */
	for (int i = 1; i < nthreads; i++)
		if (pthread_create(&w[i].thread, NULL, scan_worker_run, &w[i]) == 0)
			started |= 1 << i;
	scan_worker_run(&w[0]);
	for (int i = 1; i < nthreads; i++)
		if (started & (1 << i))
			pthread_join(w[i].thread, NULL);
	for (int i = 0; i < nthreads; i++) {
		if (i > 0)
			strpool_merge(sc->pool, w[i].sc.pool);
		buf_free(&w[i].sc.text);
		buf_free(&w[i].sc.line);
	}
	for (size_t i = 0; i < n; i++) {
		if (rc[i] < 0)
			s->vanished++;
		if (rc[i] > 0)
			s->procs[s->n++] = s->procs[i];
	}
	free(rc);
	free(w);
}

static int scan_all(struct scan *sc)
{
	size_t n;
	pid_t *pids = list_pids(sc->procfd, &n);
	int nthreads = n >= SCAN_PARALLEL_MIN ? scan_cpus() : 1;

	if (!pids)
		return -1;
	if (nthreads > 1) {
		scan_parallel(sc, pids, n, nthreads);
	} else {
		for (size_t i = 0; i < n; i++)
			scan_one(sc, pids[i]);
	}
	free(pids);
	return 0;
}

/* User names, looked up once the (maybe threaded) scan is over. */
static void name_users(struct snapshot *s)
{
	if (!(s->have & PI_USER))
		return;
	for (size_t i = 0; i < s->n; i++)
		s->procs[i].user = user_name(s->procs[i].uid);
}

static int by_pid(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static void scan_list(struct scan *sc)
{
	pid_t *pids = xcalloc(sc->q->npids, sizeof(pid_t));

	memcpy(pids, sc->q->pids, sc->q->npids * sizeof(pid_t));
	qsort(pids, sc->q->npids, sizeof(pid_t), pid_cmp);
	for (size_t i = 0; i < sc->q->npids; i++)
		if (i == 0 || pids[i] != pids[i - 1])
			scan_one(sc, pids[i]);
	free(pids);
}

int snapshot_take(struct snapshot *s, const struct snapshot_query *q)
{
	struct scan sc = {.s = s, .q = q};
	double idle;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	s->have = q->need | (q->nuids ? PI_UID : 0);
	if (s->have & PI_USER)
		s->have |= PI_UID;
	sc.files = files_for(s->have);
	sc.status_want = status_lines_for(s->have);
	/* Only a list of pids can name a thread that is not a process (the
	 * listing of /proc holds processes only); status, when it is read,
	 * tells (Tgid). */
	if (q->npids)
		sc.status_want |= STATUS_HAVE_TGID;
	sc.procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sc.procfd < 0 || faccessat(sc.procfd, "self/stat", R_OK, 0) < 0) {
		if (sc.procfd >= 0)
			close(sc.procfd);
		errno = ENOENT;
		return -1;
	}
	s->hz = procps_hertz_get();
	s->now = time(NULL);
	if (s->hz <= 0 || procps_uptime(&s->uptime, &idle) < 0) {
		close(sc.procfd);
		errno = ENOENT;
		return -1;
	}
	sc.boot_time = (double)s->now - s->uptime;
	sc.page_kb = (unsigned long)sysconf(_SC_PAGESIZE) / 1024;
	s->pool = strpool_new();
	sc.pool = s->pool;

	if (q->npids)
		scan_list(&sc);
	else
		rc = scan_all(&sc);
	close(sc.procfd);
	buf_free(&sc.text);
	buf_free(&sc.line);
	if (rc < 0) {
		int err = errno;

		snapshot_free(s);
		errno = err;
		return -1;
	}
	name_users(s);
	/* readdir of /proc is in pid order, but nothing promises it. */
	for (size_t i = 1; i < s->n; i++) {
		if (s->procs[i - 1].pid > s->procs[i].pid) {
			qsort(s->procs, s->n, sizeof(*s->procs), by_pid);
			break;
		}
	}
	return 0;
}

void snapshot_free(struct snapshot *s)
{
	free(s->procs);
	strpool_free(s->pool);
	memset(s, 0, sizeof(*s));
}

struct proc *snapshot_find(const struct snapshot *s, pid_t pid)
{
	struct proc key = {.pid = pid};

	if (!s->n)
		return NULL;
	return bsearch(&key, s->procs, s->n, sizeof(*s->procs), by_pid);
}

bool snapshot_is_ancestor(const struct snapshot *s, pid_t anc, pid_t pid)
{
	for (size_t hops = 0; pid > 0 && hops <= s->n; hops++) {
		const struct proc *p = snapshot_find(s, pid);

		if (pid == anc)
			return true;
		if (!p)
			break;
		pid = p->ppid;
	}
	return false;
}

int proc_start_ticks(pid_t pid, unsigned long long *ticks)
{
	struct buf text = {0};
	struct stat_line st;
	char path[40];
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	rc = read_file_at(AT_FDCWD, path, &text);
	if (rc == 0 && parse_stat_line(text.data, text.len, &st) == 0)
		*ticks = st.start_ticks;
	else
		rc = -1;
	buf_free(&text);
	if (rc < 0)
		errno = ESRCH;
	return rc;
}

int proc_sched_now(int cpu, unsigned long long *ns, bool *pinned)
{
	cpu_set_t old, one;
	struct buf text = {0};
	int rc, err;

	*pinned = false;
	if (cpu >= 0 && cpu < CPU_SETSIZE &&
	    sched_getaffinity(0, sizeof(old), &old) == 0) {
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		/* The kernel moves us before this returns, and a task that
		 * has just been put on a CPU has a fresh exec_start. */
		*pinned = sched_setaffinity(0, sizeof(one), &one) == 0;
	}
	rc = read_file_at(AT_FDCWD, "/proc/thread-self/sched", &text);
	if (rc == 0 && parse_sched_exec_start(text.data, text.len, ns) < 0) {
		errno = ENOENT;
		rc = -1;
	}
	err = errno;
	if (*pinned && sched_setaffinity(0, sizeof(old), &old) < 0)
		pmon_warn_errno(errno, "cannot restore the CPU affinity");
	buf_free(&text);
	errno = err;
	return rc;
}

const char *proc_user_name(uid_t uid)
{
	return user_name(uid);
}

int proc_threads(pid_t pid, struct proc_thread **out)
{
	struct proc_thread *t = NULL;
	struct buf text = {0};
	struct dirent *e;
	size_t n = 0, cap = 0;
	char path[64];
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir) {
		errno = ESRCH;
		return -1;
	}
	while ((e = readdir(dir))) {
		struct stat_line st;
		long tid;

		if (parse_long(e->d_name, 1, INT_MAX, &tid) < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%ld/stat", (int)pid, tid);
		if (read_file_at(AT_FDCWD, path, &text) < 0 ||
		    parse_stat_line(text.data, text.len, &st) < 0)
			continue; /* the thread has just exited */
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			t = xreallocarray(t, cap, sizeof(*t));
		}
		t[n].tid = (pid_t)tid;
		t[n++].state = st.state;
	}
	closedir(dir);
	buf_free(&text);
	*out = t;
	return (int)n;
}

/* Read a file to its end: unlike stat and status, maps comes in pieces. */
static int read_whole_file(const char *path, struct buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	buf_reset(b);
	if (fd < 0)
		return -1;
	do {
		buf_reserve(b, 4096);
		got = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (got > 0)
			b->len += (size_t)got;
	} while (got > 0 || (got < 0 && errno == EINTR));
	b->data[b->len] = '\0';
	close(fd);
	return got < 0 ? -1 : 0;
}

int proc_vdso_range(pid_t pid, unsigned long *start, unsigned long *end)
{
	struct buf text = {0};
	char path[40];
	int rc = -1;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if (read_whole_file(path, &text) < 0) {
		int err = errno;

		buf_free(&text);
		errno = err == EACCES || err == EPERM ? err : ESRCH;
		return -1;
	}
	errno = ENOENT;
	for (char *line = text.data; line && *line;) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (strstr(line, "[vdso]") &&
		    sscanf(line, "%lx-%lx", start, end) == 2) {
			rc = 0;
			break;
		}
		line = nl ? nl + 1 : NULL;
	}
	buf_free(&text);
	return rc;
}
