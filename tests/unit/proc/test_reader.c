/*
 * test_reader.c - the reader's batched closing (struct fd_batch): only
 * the batch's own descriptors are closed, never one between them (opened
 * before, or by someone else while the batch filled), in whatever order
 * they were added; and a snapshot with a batch loses no process when the
 * process's or the system's descriptors run out.
 *
 * openat is this file's own (below), so that a test can make the opens
 * relative to /proc fail as a full file table would (ENFILE).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc/backend.h"
#include "proc/proc.h"
#include "proc/reader.h"

/* From this descriptor on, an open relative to a directory descriptor
 * fails with fail_errno (-1: never). */
static int fail_from = -1, fail_errno;

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	int fd;

	if (flags & O_CREAT) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	fd = (int)syscall(SYS_openat, dirfd, path, flags, mode);
	if (fd >= 0 && dirfd >= 0 && fail_from >= 0 && fd >= fail_from) {
		close(fd);
		errno = fail_errno;
		return -1;
	}
	return fd;
}

static bool is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static int open_null(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

static void open_some(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		fds[i] = open_null();
}

/* Whether pmon runs in the first user namespace: a read of uid_map that
 * fails (out of descriptors) answers no, and is not kept.  First of the
 * tests, before anything has asked. */
static void test_initial_userns_failure_not_kept(void **state)
{
	struct rlimit old, none;
	unsigned long inner, outer, count;
	FILE *f = fopen("/proc/self/uid_map", "re");
	bool first = f && fscanf(f, "%lu %lu %lu", &inner, &outer, &count) == 3 &&
		inner == 0 && outer == 0 && count == 4294967295UL;
	int next;

	(void)state;
	if (f)
		fclose(f);
	next = open_null();
	close(next);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	none = old;
	none.rlim_cur = (rlim_t)next;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &none), 0);
	assert_false(procfs_initial_userns());
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(procfs_initial_userns(), first);
}

/* Descriptors 0 1 _ 3 _ 5 6 of seven adjacent ones in the batch, added
 * out of order: the two left out (someone else's) stay open. */
static void test_closes_only_its_own(void **state)
{
	struct fd_batch fb;
	int fds[7];
	const int mine[] = {6, 0, 3, 5, 1};

	(void)state;
	open_some(fds, 7);
	fd_batch_init(&fb, fds[0]);
	for (size_t i = 0; i < sizeof(mine) / sizeof(mine[0]); i++)
		fd_batch_add(&fb, fds[mine[i]]);
	fd_batch_flush(&fb);
	assert_int_equal(fb.n, 0);
	for (int i = 0; i < 7; i++)
		assert_int_equal(is_open(fds[i]), i == 2 || i == 4);
	close(fds[2]);
	close(fds[4]);
}

/* A full batch is closed before it takes one more, and only its own:
 * every other descriptor of the range is someone else's. */
static void test_full_batch_closes_only_its_own(void **state)
{
	enum { N = 2 * (FD_BATCH_MAX + 1) };
	struct fd_batch fb;
	int fds[N];

	(void)state;
	open_some(fds, N);
	fd_batch_init(&fb, fds[0]);
	assert_int_equal(fb.max, FD_BATCH_MAX);
	for (int i = 0; i < N; i += 2)
		fd_batch_add(&fb, fds[i]);
	assert_int_equal(fb.n, 1);
	for (int i = 0; i < N - 2; i++)
		assert_int_equal(is_open(fds[i]), i % 2 == 1);
	assert_true(is_open(fds[N - 2]));
	fd_batch_flush(&fb);
	assert_false(is_open(fds[N - 2]));
	for (int i = 1; i < N; i += 2) {
		assert_true(is_open(fds[i]));
		close(fds[i]);
	}
}

/* Near the descriptor limit, a batch holds a quarter of the room left. */
static void test_batch_leaves_room(void **state)
{
	struct rlimit old, low;
	struct fd_batch fb;
	int next = open_null();

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)next + 41;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	fd_batch_init(&fb, next);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(fb.max, 10);
	close(next);
}

/* Two processes read into one batch, with a descriptor of someone else's
 * opened between them: freeing the buffers closes the reads' files and
 * not that one (nor one opened after). */
static void test_reads_leave_others_open(void **state)
{
	struct proc_clock clock;
	struct reader r;
	struct proc p;
	struct fd_batch fb;
	struct reader_bufs bufs = {.closing = &fb};
	int procfd = procfs_open(), between, after;

	(void)state;
	assert_true(procfd >= 0);
	assert_int_equal(proc_clock_read(&clock), 0);
	reader_init(&r, procfd, PI_STAT | PI_LOCKED | PI_CMDLINE, &clock);
	fd_batch_init(&fb, procfd);
	assert_int_equal(reader_read(&r, getpid(), NULL, &p, NULL, &bufs), 1);
	assert_true(fb.n >= 2);
	between = open_null();
	assert_int_equal(reader_read(&r, getppid(), NULL, &p, NULL, &bufs), 1);
	after = open_null();
	reader_bufs_free(&bufs);
	assert_int_equal(fb.n, 0);
	assert_true(is_open(between));
	assert_true(is_open(after));
	close(between);
	close(after);
	close(procfd);
}

/* A kernel thread's status is skipped only for what it would say
 * without being read: asked for its signals (all ignored), it is read. */
static void test_kernel_thread_signals_are_read(void **state)
{
	struct proc_clock clock;
	struct reader r, rs;
	struct reader_bufs bufs = {0};
	struct proc p;
	pid_t *pids = NULL;
	size_t cap = 0;
	int procfd = procfs_open();
	ssize_t n;
	bool found = false;

	(void)state;
	assert_true(procfd >= 0);
	assert_int_equal(proc_clock_read(&clock), 0);
	reader_init(&r, procfd, PI_STAT, &clock);
	reader_init(&rs, procfd, PI_STAT | PI_SIGNALS, &clock);
	n = procfs_list_pids(procfd, &pids, &cap);
	assert_true(n > 0);
	for (ssize_t i = 0; i < n && !found; i++) {
		if (reader_read(&r, pids[i], NULL, &p, NULL, &bufs) <= 0 ||
		    !p.kernel_thread ||
		    reader_read(&rs, pids[i], NULL, &p, NULL, &bufs) <= 0)
			continue;
		assert_int_not_equal(p.sig_ignored, 0);
		found = true;
	}
	free(pids);
	reader_bufs_free(&bufs);
	close(procfd);
	if (!found)
		skip(); /* no kernel thread visible here */
}

/* Children that wait on a pipe: real processes the snapshot must find. */
enum { CHILDREN = 8 };

static void start_children(pid_t *kids, int *hold)
{
	int p[2];

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	for (int i = 0; i < CHILDREN; i++) {
		char c;

		kids[i] = fork();
		assert_true(kids[i] >= 0);
		if (kids[i] == 0) {
			close(p[1]);
			_exit(read(p[0], &c, 1) < 0);
		}
	}
	close(p[0]);
	*hold = p[1];
}

static void end_children(const pid_t *kids, int hold)
{
	close(hold); /* each child reads end of file and exits */
	for (int i = 0; i < CHILDREN; i++)
		assert_int_equal(waitpid(kids[i], NULL, 0), kids[i]);
}

/* A snapshot reading stat and status (two files a process) while its
 * opens fail past a few more descriptors: run_out() makes them fail. */
static void snapshot_while_running_out(void (*run_out)(int next),
				       void (*restore)(void))
{
	struct snapshot_query q = {.need = PI_STAT | PI_LOCKED | PI_PPID};
	struct snapshot s = {0};
	pid_t kids[CHILDREN];
	bool open_before[64];
	int hold, next, rc;

	start_children(kids, &hold);
	next = open_null();
	close(next);
	for (int i = 0; i < 64; i++)
		open_before[i] = is_open(next + i);
	run_out(next);
	rc = snapshot_take(&s, &q);
	restore();
	assert_int_equal(rc, 0);
	assert_non_null(snapshot_find(&s, getpid()));
	for (int i = 0; i < CHILDREN; i++)
		assert_non_null(snapshot_find(&s, kids[i]));
	snapshot_free(&s);
	/* and nothing of the pass is left open */
	for (int i = 0; i < 64; i++)
		assert_int_equal(is_open(next + i), open_before[i]);
	end_children(kids, hold);
}

static struct rlimit saved_limit;

static void lower_limit(int next)
{
	struct rlimit low;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved_limit), 0);
	low = saved_limit;
	low.rlim_cur = (rlim_t)next + 6;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
}

static void restore_limit(void)
{
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved_limit), 0);
}

static void fill_file_table(int next)
{
	fail_from = next + 6;
	fail_errno = ENFILE;
}

static void empty_file_table(void)
{
	fail_from = -1;
}

/* The process's limit (EMFILE): a batch is closed to make room. */
static void test_snapshot_at_the_descriptor_limit(void **state)
{
	(void)state;
	snapshot_while_running_out(lower_limit, restore_limit);
}

/* The system's file table full (ENFILE): the same. */
static void test_snapshot_with_the_file_table_full(void **state)
{
	(void)state;
	snapshot_while_running_out(fill_file_table, empty_file_table);
}

static int read_proc_itself(void **state)
{
	(void)state;
	/* the snapshot under test is /proc's, whatever PMON_BACKEND says */
	return proc_backend_choose("proc", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initial_userns_failure_not_kept),
		cmocka_unit_test(test_closes_only_its_own),
		cmocka_unit_test(test_full_batch_closes_only_its_own),
		cmocka_unit_test(test_batch_leaves_room),
		cmocka_unit_test(test_reads_leave_others_open),
		cmocka_unit_test(test_kernel_thread_signals_are_read),
		cmocka_unit_test(test_snapshot_at_the_descriptor_limit),
		cmocka_unit_test(test_snapshot_with_the_file_table_full),
	};

	return cmocka_run_group_tests(tests, read_proc_itself, NULL);
}
