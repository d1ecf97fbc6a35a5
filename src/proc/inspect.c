/*
 * inspect.c - reading one process in depth, for `pmon inspect` and the
 * evidence of `pmon orphans` (see inspect.h).  Each file is read on its
 * own and its errno kept: a process of another account shows its status,
 * limits and cgroup to anyone, but its system call, descriptors, cwd,
 * exe and I/O only to root or its own user.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "proc/inspect.h"
#include "proc/parse.h"
#include "proc/reader.h"
#include "util/strpool.h"

#ifndef PID_FS_MAGIC
#define PID_FS_MAGIC 0x50494446 /* pidfs, Linux 6.9 (linux/magic.h) */
#endif

/* "/proc/PID/name" or "/proc/PID/task/TID/name" (tid 0: not a task). */
static void path_of(char *path, size_t size, pid_t pid, pid_t tid,
		    const char *name)
{
	if (tid)
		snprintf(path, size, "/proc/%d/task/%d/%s", (int)pid, (int)tid, name);
	else
		snprintf(path, size, "/proc/%d/%s", (int)pid, name);
}

/* Read a file of pid (or of its thread tid) into b.  0, or -1 with
 * errno; the errors that mean "gone" become ESRCH. */
static int read_file(pid_t pid, pid_t tid, const char *name, struct buf *b,
		     bool until_eof)
{
	char path[96];
	int err;

	path_of(path, sizeof(path), pid, tid, name);
	if (procfs_read(AT_FDCWD, path, b, 0, until_eof) == 0)
		return 0;
	err = errno;
	/* An open or read that found no process says ENOENT or ESRCH. */
	errno = err == ENOENT ? ESRCH : err;
	return -1;
}

/* A readlink of pid's name into out.  0, or -1 with errno.  Through the
 * stack: an inspect reads six links, and a PATH_MAX buffer on the heap
 * for each put its 8 KiB chunk on pages of their own, two page faults
 * apiece for a path of a few dozen bytes (a fault costs 14 us on this
 * project's PVM machines; malloc's were half of inspect's own faults). */
static int read_link(pid_t pid, const char *name, struct buf *out)
{
	char path[96], target[PATH_MAX];
	ssize_t n;

	path_of(path, sizeof(path), pid, 0, name);
	buf_reset(out);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	buf_append(out, target, (size_t)n);
	return 0;
}

int proc_fd_target(pid_t pid, int fd, struct buf *out)
{
	char name[32];

	snprintf(name, sizeof(name), "fd/%d", fd);
	return read_link(pid, name, out);
}

long proc_epoll_watched(pid_t pid, int fd)
{
	struct buf b = {0};
	char name[32];
	long n = -1;

	snprintf(name, sizeof(name), "fdinfo/%d", fd);
	if (read_file(pid, 0, name, &b, true) == 0)
		n = (long)parse_epoll_watched(b.data, b.len);
	buf_free(&b);
	return n;
}

int proc_socket_describe(pid_t pid, unsigned long long ino, struct buf *out)
{
	/* The tables of the process's own network namespace, and what each
	 * is called. */
	static const struct {
		const char *file, *proto;
	} tables[] = {
		{"net/tcp", "TCP"}, {"net/tcp6", "TCP6"}, {"net/udp", "UDP"},
		{"net/udp6", "UDP6"}, {"net/unix", "unix"},
	};
	struct buf b = {0};
	int rc = -1;

	for (size_t i = 0; i < ARRAY_LEN(tables) && rc < 0; i++)
		if (read_file(pid, 0, tables[i].file, &b, true) == 0)
			rc = parse_socket_table(b.data, b.len, tables[i].proto, ino, out);
	buf_free(&b);
	return rc;
}

int proc_ns_inodes(pid_t pid, unsigned long long ino[NS_KINDS])
{
	int found = 0;

	for (int i = 0; i < NS_KINDS; i++) {
		char path[64];
		struct stat sb;

		ino[i] = 0;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, proc_ns_names[i]);
		if (stat(path, &sb) == 0) {
			ino[i] = (unsigned long long)sb.st_ino;
			found++;
		} else if (errno != ENOENT) {
			return -1; /* EACCES: all of them are closed to us */
		}
		/* ENOENT: a kind this kernel does not have (time before 5.6) */
	}
	if (!found)
		errno = ESRCH;
	return found ? 0 : -1;
}

pid_t proc_tgid_of(pid_t tid)
{
	struct status_detail sd;
	struct buf b = {0};
	pid_t tgid = -1;

	if (read_file(tid, 0, "status", &b, false) == 0) {
		parse_status_detail(b.data, b.len, &sd);
		if (sd.have & (1ull << SD_TGID))
			tgid = (pid_t)sd.v[SD_TGID];
		status_detail_free(&sd);
	}
	buf_free(&b);
	if (tgid < 0)
		errno = ESRCH;
	return tgid;
}

/* The thread ids of pid (task/), ascending.  How many, or -1. */
/* Its threads' ids, ascending. */
static ssize_t task_ids(pid_t pid, pid_t **out)
{
	char path[64];
	size_t cap = 0;
	ssize_t n;

	*out = NULL;
	path_of(path, sizeof(path), pid, 0, "task");
	n = procfs_list_ids(AT_FDCWD, path, out, &cap);
	if (n < 0)
		errno = ESRCH;
	return n;
}

ssize_t proc_children(pid_t pid, pid_t **out)
{
	struct buf b = {0};
	pid_t *tids;
	ssize_t nt = task_ids(pid, &tids);
	size_t n = 0;
	int err = 0;

	*out = NULL;
	if (nt < 0)
		return -1;
	for (ssize_t i = 0; i < nt; i++) {
		char name[48];

		snprintf(name, sizeof(name), "task/%d/children", (int)tids[i]);
		if (read_file(pid, 0, name, &b, true) == 0)
			parse_pid_list(b.data, b.len, out, &n);
		else if (i == 0)
			err = errno; /* no children file: an old or small kernel */
	}
	free(tids);
	buf_free(&b);
	if (err && n == 0) {
		free(*out);
		*out = NULL;
		errno = err == ESRCH ? ENOENT : err;
		return -1;
	}
	return (ssize_t)n;
}

int proc_std_terminal(pid_t pid, struct buf *path, bool *closed)
{
	int read_any = 0, err = 0;

	for (int fd = 0; fd <= 2; fd++) {
		if (proc_fd_target(pid, fd, path) < 0) {
			if (errno != ENOENT)
				err = errno;
			else
				read_any = 1; /* not open: readable, and no terminal */
			continue;
		}
		read_any = 1;
		if (fd_target_is_terminal(path->data, closed))
			return 1;
	}
	buf_reset(path);
	if (!read_any) {
		errno = err;
		return -1;
	}
	return 0;
}

int proc_cpu_ns(pid_t pid, unsigned long long *ns, bool *exact)
{
	struct buf b = {0};
	pid_t *tids;
	ssize_t nt = task_ids(pid, &tids);
	unsigned long long sum = 0, v;

	*exact = true;
	if (nt < 0)
		return -1;
	for (ssize_t i = 0; i < nt && *exact; i++) {
		char *end;

		if (read_file(pid, tids[i], "schedstat", &b, false) < 0) {
			*exact = errno == ESRCH; /* a thread that has just gone */
			continue;
		}
		v = strtoull(b.data, &end, 10);
		if (end == b.data)
			*exact = false;
		sum += v;
	}
	free(tids);
	if (!*exact) {
		/* No schedstat: stat's utime + stime, in clock ticks. */
		struct stat_line st;
		long hz = sysconf(_SC_CLK_TCK);

		if (read_file(pid, 0, "stat", &b, false) < 0 ||
		    parse_stat_line(b.data, b.len, &st) < 0) {
			buf_free(&b);
			errno = ESRCH;
			return -1;
		}
		sum = st.cpu_ticks * (1000000000ull / (unsigned long long)(hz > 0 ? hz : 100));
	}
	buf_free(&b);
	*ns = sum;
	return 0;
}

/* ---- one process at a time ---------------------------------------------------- */

/* Processes already read, by pid: a walk meets the same ones again (the
 * session leader is usually an ancestor; init tops pmon's chain and the
 * target's).  A few suffice; the oldest entry is replaced. */
#define LOOKUP_MEMO 16

struct proc_lookup {
	struct reader r;
	unsigned need;        /* what r was set up for */
	struct proc_clock clock;
	struct strpool *pool;
	struct reader_bufs bufs;
	struct {
		unsigned need;
		struct proc p;
	} memo[LOOKUP_MEMO];
	size_t nmemo, next_memo;
};

static const struct proc *memo_find(const struct proc_lookup *l, unsigned need, pid_t pid)
{
	for (size_t i = 0; i < l->nmemo; i++)
		if (l->memo[i].p.pid == pid && (need & ~l->memo[i].need) == 0)
			return &l->memo[i].p;
	return NULL;
}

static void memo_add(struct proc_lookup *l, unsigned need, const struct proc *p)
{
	size_t i = l->next_memo;

	l->memo[i].need = need;
	l->memo[i].p = *p;
	l->next_memo = (i + 1) % LOOKUP_MEMO;
	if (l->nmemo < LOOKUP_MEMO)
		l->nmemo++;
}

struct proc_lookup *proc_lookup_open(void)
{
	struct proc_lookup *l = xcalloc(1, sizeof(*l));
	int fd = procfs_open();

	if (fd < 0 || proc_clock_read(&l->clock) < 0) {
		if (fd >= 0)
			close(fd);
		free(l);
		errno = ENOENT;
		return NULL;
	}
	reader_init(&l->r, fd, 0, &l->clock);
	l->pool = strpool_new();
	return l;
}

int proc_lookup(struct proc_lookup *l, unsigned need, pid_t pid, struct proc *p)
{
	const struct proc *seen;
	int rc;

	need &= ~(unsigned)PI_TAIL;
	if ((seen = memo_find(l, need, pid))) {
		*p = *seen;
		return 1;
	}
	if (need != l->need) {
		reader_init(&l->r, l->r.procfd, need, &l->clock);
		l->need = need;
	}
	l->r.threads_out = true;
	rc = reader_read(&l->r, pid, NULL, p, l->pool, &l->bufs);

	if (rc > 0 && (l->r.have & PI_USER))
		p->user = uid_name(p->uid);
	if (rc > 0)
		memo_add(l, need, p);
	return rc;
}

const struct proc_clock *proc_lookup_clock(const struct proc_lookup *l)
{
	return &l->clock;
}

void proc_lookup_close(struct proc_lookup *l)
{
	if (!l)
		return;
	close(l->r.procfd);
	reader_bufs_free(&l->bufs);
	strpool_free(l->pool);
	free(l);
}

/* ---- the detail ------------------------------------------------------------ */

/* pidfs: the inode of a pidfd names one process for the life of the
 * boot (Linux 6.9); before, every pidfd shares one anonymous inode. */
static void read_pidfs(const struct proc *p, struct proc_detail *d)
{
	struct proc_ref ref = proc_ref_of(p);
	struct statfs sfs;
	struct stat sb;
	int fd = pidfd_open_ref(&ref);

	d->pidfs_err = 0;
	if (fd < 0) {
		d->pidfs_err = errno;
		return;
	}
	if (fstatfs(fd, &sfs) < 0 || fstat(fd, &sb) < 0)
		d->pidfs_err = errno;
	else if (sfs.f_type != PID_FS_MAGIC)
		d->pidfs_err = ENOTSUP;
	else
		d->pidfs_ino = (unsigned long long)sb.st_ino;
	close(fd);
}

/* The stat fields inspect shows that struct proc has not: utime and
 * stime apart, the scheduling policy and priority, the last CPU. */
static void read_stat_extra(pid_t pid, struct proc_detail *d, struct buf *b)
{
	enum { F_UTIME = 14, F_STIME = 15, F_PROCESSOR = 39, F_RT_PRIORITY = 40,
	       F_POLICY = 41 };
	unsigned long long v[5];
	static const int fields[5] = {F_UTIME, F_STIME, F_PROCESSOR,
				      F_RT_PRIORITY, F_POLICY};

	d->stat_err = 0;
	if (read_file(pid, 0, "stat", b, false) < 0) {
		d->stat_err = errno;
		return;
	}
	for (int i = 0; i < 5; i++)
		if (parse_stat_field(b->data, b->len, fields[i], &v[i]) < 0) {
			d->stat_err = EINVAL;
			return;
		}
	d->utime = v[0];
	d->stime = v[1];
	d->processor = (int)v[2];
	d->rt_priority = (int)v[3];
	d->policy = (int)v[4];
}

/* /proc/PID/wchan says "0" both when the task is not waiting and when
 * it may not be read (ptrace access, as for cwd): cwd_err tells which. */
static void read_wchan(pid_t pid, pid_t tid, int cwd_err, char *out, size_t size,
		       int *err, struct buf *b)
{
	*err = 0;
	out[0] = '\0';
	if (read_file(pid, tid, "wchan", b, false) < 0) {
		*err = errno;
		return;
	}
	if (strcmp(b->data, "0") == 0 || !b->data[0]) {
		if (cwd_err == EACCES || cwd_err == EPERM)
			*err = cwd_err;
		return;
	}
	snprintf(out, size, "%s", b->data);
}

static void read_syscall(pid_t pid, pid_t tid, struct syscall_line *sc, int *err,
			 struct buf *b)
{
	*err = 0;
	if (read_file(pid, tid, "syscall", b, false) < 0)
		*err = errno;
	else if (parse_syscall_line(b->data, b->len, sc) < 0)
		*err = EINVAL;
}

/* How many descriptors it has open (proc_fd_count). */
static void count_fds(pid_t pid, struct proc_detail *d)
{
	long n = proc_fd_count(pid);

	d->fds_err = n < 0 ? errno : 0;
	d->nfds = n < 0 ? 0 : (size_t)n;
}

/* The main thread is the process: its state, name, call and wchan were
 * read for the process a moment ago (three files fewer for each inspect). */
static void main_thread(const struct proc *p, const struct proc_detail *d,
			struct task_detail *t)
{
	t->tid = p->pid;
	t->state = p->state;
	snprintf(t->comm, sizeof(t->comm), "%s", p->comm ? p->comm : "");
	t->sc = d->sc;
	t->syscall_err = d->syscall_err;
	snprintf(t->wchan, sizeof(t->wchan), "%s", d->wchan);
	t->wchan_err = d->wchan_err;
}

static void read_tasks(const struct proc *p, struct proc_detail *d, struct buf *b)
{
	pid_t pid = p->pid, *tids;
	ssize_t nt = task_ids(pid, &tids);

	d->tasks_err = nt < 0 ? errno : 0;
	if (nt < 0)
		return;
	d->ntasks_all = (size_t)nt;
	d->tasks = xcalloc(nt ? (size_t)nt : 1, sizeof(*d->tasks));
	for (ssize_t i = 0; i < nt && d->ntasks < DETAIL_TASKS_MAX; i++) {
		struct task_detail *t = &d->tasks[d->ntasks];
		struct stat_line st;

		if (tids[i] == pid) {
			main_thread(p, d, t);
			d->ntasks++;
			continue;
		}
		if (read_file(pid, tids[i], "stat", b, false) < 0 ||
		    parse_stat_line(b->data, b->len, &st) < 0)
			continue; /* the thread has just exited */
		t->tid = tids[i];
		t->state = st.state;
		snprintf(t->comm, sizeof(t->comm), "%s", st.comm);
		read_syscall(pid, tids[i], &t->sc, &t->syscall_err, b);
		read_wchan(pid, tids[i], d->cwd_err, t->wchan, sizeof(t->wchan),
			   &t->wchan_err, b);
		d->ntasks++;
	}
	free(tids);
}

static void read_links(pid_t pid, struct proc_detail *d)
{
	d->exe_err = read_link(pid, "exe", &d->exe) < 0 ? errno : 0;
	d->cwd_err = read_link(pid, "cwd", &d->cwd) < 0 ? errno : 0;
	d->root_err = read_link(pid, "root", &d->root) < 0 ? errno : 0;
}

static void read_status(pid_t pid, struct proc_detail *d, struct buf *b)
{
	d->status_err = 0;
	if (read_file(pid, 0, "status", b, false) < 0)
		d->status_err = errno;
	else
		parse_status_detail(b->data, b->len, &d->st);
}

static void read_limits_io(pid_t pid, struct proc_detail *d, struct buf *b)
{
	d->limits_err = 0;
	if (read_file(pid, 0, "limits", b, true) < 0)
		d->limits_err = errno;
	else
		d->nlimits = parse_limits(b->data, b->len, d->limits,
					  ARRAY_LEN(d->limits));
	d->io_err = 0;
	if (read_file(pid, 0, "io", b, false) < 0)
		d->io_err = errno;
	else
		parse_io_detail(b->data, b->len, &d->io);
}

static int read_int_file(pid_t pid, const char *name, int *v, struct buf *b)
{
	char *end;

	if (read_file(pid, 0, name, b, false) < 0)
		return errno;
	*v = (int)strtol(b->data, &end, 10);
	return end == b->data ? EINVAL : 0;
}

/* The tail inspect shows: namespaces, OOM score, cgroup. */
static void read_tail(pid_t pid, struct proc_detail *d, struct buf *b)
{
	d->ns_err = proc_ns_inodes(pid, d->ns) < 0 ? errno : 0;
	d->oom_err = read_int_file(pid, "oom_score", &d->oom_score, b);
	if (!d->oom_err)
		d->oom_err = read_int_file(pid, "oom_score_adj", &d->oom_adj, b);
	d->cgroup_err = 0;
	if (read_file(pid, 0, "cgroup", &d->cgroup, true) < 0) {
		d->cgroup_err = errno;
		return;
	}
	while (d->cgroup.len && d->cgroup.data[d->cgroup.len - 1] == '\n')
		d->cgroup.data[--d->cgroup.len] = '\0';
	for (size_t i = 0; i < d->cgroup.len; i++)
		if (d->cgroup.data[i] == '\n')
			d->cgroup.data[i] = ';';
}

/* The process's own files are its main thread's: once that thread has
 * exited (pthread_exit) while others run, those of a live thread (a
 * /proc/TID directory) tell its descriptors, memory and namespaces. */
static pid_t live_thread(const struct proc *p, struct buf *b)
{
	pid_t *tids, via = p->pid;
	ssize_t nt;

	if (p->state != 'Z' || proc_is_zombie(p))
		return p->pid;
	nt = task_ids(p->pid, &tids);
	for (ssize_t i = 0; i < nt && via == p->pid; i++) {
		struct stat_line st;

		if (tids[i] != p->pid && read_file(p->pid, tids[i], "stat", b, false) == 0 &&
		    parse_stat_line(b->data, b->len, &st) == 0 &&
		    st.state != 'Z' && st.state != 'X')
			via = tids[i];
	}
	if (nt >= 0)
		free(tids);
	return via;
}

int proc_detail_read(const struct proc *p, struct proc_detail *d)
{
	struct buf b = {0};
	unsigned long long now;
	ssize_t nc;

	memset(d, 0, sizeof(*d));
	d->pid = p->pid;
	d->via = live_thread(p, &b);
	read_pidfs(p, d);
	read_links(d->via, d);
	read_status(d->via, d, &b);
	read_stat_extra(p->pid, d, &b);
	read_syscall(p->pid, 0, &d->sc, &d->syscall_err, &b);
	read_wchan(p->pid, 0, d->cwd_err, d->wchan, sizeof(d->wchan), &d->wchan_err, &b);
	count_fds(d->via, d);
	read_limits_io(p->pid, d, &b); /* io: the leader's sums every thread */
	nc = proc_children(p->pid, &d->children);
	d->children_err = nc < 0 ? errno : 0;
	d->nchildren = nc < 0 ? 0 : (size_t)nc;
	read_tasks(p, d, &b);
	read_tail(d->via, d, &b);
	buf_free(&b);
	/* Read from first to last while the pid stayed that process: if it
	 * has gone (or been replaced), nothing read can be trusted. */
	if (proc_start_ticks(p->pid, &now) < 0 || now != p->start_ticks) {
		errno = ESRCH;
		return -1;
	}
	return 0;
}

void proc_detail_free(struct proc_detail *d)
{
	buf_free(&d->exe);
	buf_free(&d->cwd);
	buf_free(&d->root);
	buf_free(&d->cgroup);
	status_detail_free(&d->st);
	free(d->children);
	free(d->tasks);
	memset(d, 0, sizeof(*d));
}
