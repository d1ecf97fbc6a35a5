/*
 * test_watch.c - the live reader against the real /proc: a child it
 * did not know appears, its stat descriptor is kept, its command line is
 * read on demand, and once the child is reaped it is gone with its
 * descriptor.  The child is ours, killed by its pid.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc/watch.h"

static ssize_t find(const struct procwatch *w, pid_t pid)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->procs[i].pid == pid)
			return (ssize_t)i;
	return -1;
}

static pid_t start_child(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, "watch-child");
		for (;;)
			pause();
	}
	assert_true(pid > 0);
	return pid;
}

static void test_sees_a_child_come_and_go(void **state)
{
	struct procwatch w;
	pid_t child;
	ssize_t i;
	size_t kept = 0;
	bool reused = false;
	int child_fd;

	(void)state;
	assert_int_equal(procwatch_open(&w), 0);
	assert_true(w.n > 1);
	assert_true(find(&w, getpid()) >= 0);
	/* pids in order, as a snapshot's */
	for (size_t k = 1; k < w.n; k++)
		assert_true(w.procs[k - 1].pid < w.procs[k].pid);

	child = start_child();
	for (int tries = 0; tries < 100; tries++) {
		assert_int_equal(procwatch_refresh(&w), 0);
		i = find(&w, child);
		if (i >= 0 && strcmp(w.procs[i].comm, "watch-child") == 0)
			break;
		usleep(10000);
	}
	assert_true(i >= 0);
	assert_string_equal(w.procs[i].comm, "watch-child");
	assert_int_equal(w.procs[i].ppid, getpid());
	assert_int_equal(w.procs[i].uid, getuid());
	assert_true(w.extra[i].fd >= 0); /* within the budget: kept open */
	assert_false(w.extra[i].cmdline_read);
	assert_non_null(procwatch_cmdline(&w, (size_t)i));
	assert_non_null(strstr(w.procs[i].cmdline, "test_watch"));
	child_fd = w.extra[i].fd;

	assert_int_equal(kill(child, SIGKILL), 0);
	assert_int_equal(waitpid(child, NULL, 0), child);
	assert_int_equal(procwatch_refresh(&w), 0);
	assert_true(find(&w, child) < 0);
	/* Its descriptor went with it: closed, or already reused for a
	 * process that appeared in the same refresh (the machine is shared,
	 * so the count of open descriptors alone proves nothing). */
	for (size_t k = 0; k < w.n; k++) {
		kept += w.extra[k].fd >= 0;
		reused |= w.extra[k].fd == child_fd;
	}
	assert_true(reused || (fcntl(child_fd, F_GETFD) < 0 && errno == EBADF));
	assert_int_equal(w.fds_open, kept);
	assert_true(w.interval > 0);
	assert_true(w.sys.mem_total_kb > 0);
	assert_true(w.sys.uptime > 0);
	procwatch_close(&w);
}

static void test_busy_child_has_cpu(void **state)
{
	struct procwatch w;
	pid_t child;
	ssize_t i = -1;

	(void)state;
	child = fork();
	if (child == 0) {
		volatile unsigned long spin = 0;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			spin++;
	}
	assert_true(child > 0);
	assert_int_equal(procwatch_open(&w), 0);
	/* Until the child has shown some CPU use over an interval (a
	 * loaded machine may not run it at once). */
	for (int tries = 0; tries < 100; tries++) {
		usleep(50000);
		assert_int_equal(procwatch_refresh(&w), 0);
		i = find(&w, child);
		if (i >= 0 && w.extra[i].cpu_pct > 0)
			break;
	}
	assert_true(i >= 0);
	assert_true(w.extra[i].cpu_pct > 0);
	/* one thread uses at most one CPU; ticks are coarse over 50 ms */
	assert_true(w.extra[i].cpu_pct <= 250.0);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	procwatch_close(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sees_a_child_come_and_go),
		cmocka_unit_test(test_busy_child_has_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
