/*
 * test_reader.c - the reader's batched closing (struct fd_batch): only
 * the batch's own descriptors are closed, never one between them, in
 * whatever order they were added; and a snapshot with a batch loses no
 * process when the descriptor limit is nearly reached.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc/proc.h"
#include "proc/reader.h"

static bool is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static void open_some(int *fds, int n)
{
	for (int i = 0; i < n; i++) {
		fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		assert_true(fds[i] >= 0);
	}
}

/* Descriptors 0 1 _ 3 _ 5 6 of seven adjacent ones in the batch, added
 * out of order: the two left out (someone else's) stay open. */
static void test_closes_only_its_own(void **state)
{
	struct fd_batch fb = {0};
	int fds[7];
	const int mine[] = {6, 0, 3, 5, 1};

	(void)state;
	open_some(fds, 7);
	for (size_t i = 0; i < sizeof(mine) / sizeof(mine[0]); i++)
		fd_batch_add(&fb, fds[mine[i]]);
	fd_batch_flush(&fb);
	assert_int_equal(fb.n, 0);
	for (int i = 0; i < 7; i++)
		assert_int_equal(is_open(fds[i]), i == 2 || i == 4);
	close(fds[2]);
	close(fds[4]);
}

/* A full batch is closed before it takes one more. */
static void test_full_batch_closes(void **state)
{
	struct fd_batch fb = {0};
	int fds[FD_BATCH_MAX + 1];

	(void)state;
	open_some(fds, FD_BATCH_MAX + 1);
	for (int i = 0; i <= FD_BATCH_MAX; i++)
		fd_batch_add(&fb, fds[i]);
	assert_int_equal(fb.n, 1);
	for (int i = 0; i < FD_BATCH_MAX; i++)
		assert_false(is_open(fds[i]));
	assert_true(is_open(fds[FD_BATCH_MAX]));
	fd_batch_flush(&fb);
	assert_false(is_open(fds[FD_BATCH_MAX]));
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

/* With room for only a few more descriptors, a snapshot reading stat
 * and status (two files a process) runs out of descriptors while the
 * batch holds some; it must close them and go on, not lose processes. */
static void test_snapshot_at_the_descriptor_limit(void **state)
{
	struct snapshot_query q = {.need = PI_STAT | PI_LOCKED | PI_PPID};
	struct snapshot s = {0};
	struct rlimit old, low;
	pid_t kids[CHILDREN];
	int hold, next, rc;

	(void)state;
	start_children(kids, &hold);
	next = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(next >= 0);
	close(next);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)next + 6;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	rc = snapshot_take(&s, &q);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(rc, 0);
	assert_non_null(snapshot_find(&s, getpid()));
	for (int i = 0; i < CHILDREN; i++)
		assert_non_null(snapshot_find(&s, kids[i]));
	snapshot_free(&s);
	/* and nothing of the pass is left open */
	for (int fd = next; fd < (int)low.rlim_cur; fd++)
		assert_true(fd == hold || !is_open(fd));
	end_children(kids, hold);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_closes_only_its_own),
		cmocka_unit_test(test_full_batch_closes),
		cmocka_unit_test(test_snapshot_at_the_descriptor_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
