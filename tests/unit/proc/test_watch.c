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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc/backend.h"
#include "proc/reader.h"
#include "proc/watch.h"

/* Whether the watch's name for pid is the one it knew, or the process's
 * name now: a process of the machine may exec or rename itself between
 * the reads (seen: a forking tree whose children name themselves). */
static bool name_kept(const char *now_in_watch, const char *known, pid_t pid)
{
	char path[64];
	struct buf comm = {0};
	bool kept;

	if (strcmp(now_in_watch, known) == 0)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (procfs_read(AT_FDCWD, path, &comm, 0, false) < 0 || !comm.len)
		kept = true; /* gone: nothing to hold it to */
	else
		kept = strcspn(comm.data, "\n") == strlen(now_in_watch) &&
		       strncmp(comm.data, now_in_watch, strlen(now_in_watch)) == 0;
	buf_free(&comm);
	return kept;
}

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

/* Until pid is in its pause() (named, and sleeping: nothing before the
 * pause sleeps): a fixed wait was not enough when the machine was busy
 * (a child still on its way ran during the refreshes counted on it). */
static void wait_until_paused(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int tries = 0; tries < 2000; tries++) {
		struct buf stat = {0};
		const char *end;
		bool paused;

		assert_true(procfs_read(AT_FDCWD, path, &stat, 0, false) >= 0);
		end = strrchr(stat.data, ')');
		paused = strstr(stat.data, "(watch-child)") && end && end[1] == ' ' &&
			 end[2] == 'S';
		buf_free(&stat);
		if (paused)
			return;
		usleep(5000);
	}
	fail_msg("child %d never reached its pause()", (int)pid);
}

/* The watch of each test, closed by the teardown even when an assertion
 * fails (cmocka leaves the test by longjmp): a failed test must not leave
 * thousands of descriptors to the next. */
static struct procwatch watch;

static int close_watch(void **state)
{
	(void)state;
	procwatch_close(&watch);
	return 0;
}

static size_t kept_fds(const struct procwatch *w)
{
	size_t kept = 0;

	for (size_t k = 0; k < w->n; k++)
		kept += (w->extra[k].fds.schedstat >= 0) + (w->extra[k].fds.stat >= 0) +
			(w->extra[k].fds.statm >= 0);
	return kept;
}

static void test_sees_a_child_come_and_go(void **state)
{
	struct procwatch *w = &watch;
	pid_t child;
	ssize_t i = -1;
	int32_t idx;
	int child_fd;
	bool reused = false;

	(void)state;
	assert_int_equal(procwatch_open(w, false), 0);
	assert_true(w->n > 1);
	assert_true(find(w, getpid()) >= 0);
	/* pids in order, as a snapshot's */
	for (size_t k = 1; k < w->n; k++)
		assert_true(w->procs[k - 1].pid < w->procs[k].pid);

	child = start_child();
	for (int tries = 0; tries < 100; tries++) {
		assert_int_equal(procwatch_refresh(w), 0);
		i = find(w, child);
		if (i >= 0 && strcmp(w->procs[i].comm, "watch-child") == 0)
			break;
		usleep(10000);
	}
	assert_true(i >= 0);
	assert_string_equal(w->procs[i].comm, "watch-child");
	assert_int_equal(w->procs[i].ppid, getpid());
	assert_int_equal(w->procs[i].uid, getuid());
	assert_true(w->procs[i].rss_kb > 0); /* statm's, exact */
	assert_false(w->extra[i].cmdline_read);
	assert_null(w->procs[i].cmdline); /* not read until fetched */
	idx = (int32_t)i;
	procwatch_fetch(w, &idx, 1, PI_CMDLINE);
	assert_non_null(w->procs[i].cmdline);
	assert_non_null(strstr(w->procs[i].cmdline, "test_watch"));
	/* Kept open within the budget; how many are kept depends on how
	 * many processes the machine has, so only the count is checked. */
	assert_int_equal(w->fds_open, kept_fds(w));
	assert_true(w->fds_open <= w->fd_budget);
	child_fd = w->extra[i].fds.stat;

	assert_int_equal(kill(child, SIGKILL), 0);
	assert_int_equal(waitpid(child, NULL, 0), child);
	assert_int_equal(procwatch_refresh(w), 0);
	assert_true(find(w, child) < 0);
	/* Its descriptor went with it: closed, or already reused for a
	 * process that appeared in the same refresh. */
	for (size_t k = 0; k < w->n; k++)
		reused |= child_fd >= 0 && w->extra[k].fds.stat == child_fd;
	assert_true(child_fd < 0 || reused ||
		    (fcntl(child_fd, F_GETFD) < 0 && errno == EBADF));
	assert_int_equal(w->fds_open, kept_fds(w));
	assert_true(w->interval > 0);
	assert_true(w->sys.mem_total_kb > 0);
	assert_true(w->sys.mem_used_kb > 0);
	assert_true(w->sys.uptime > 0);
}

/* A machine with more processes than descriptors: with a limit of 130
 * (a budget of 66 after the reserve of 64) and at least 70 processes of
 * our own, every process is still read, each of ours included, no more
 * than the budget is kept, and it all goes to schedstat (read on every
 * refresh, where stat and statm are read only for processes that ran).
 * In a child, whose limit can be lowered for good and whose children die
 * with it. */
static void test_more_processes_than_descriptors(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = {130, 130};
		struct procwatch w;
		pid_t kids[70];
		int ok = 1;

		for (size_t k = 0; k < ARRAY_LEN(kids); k++)
			kids[k] = start_child();
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || procwatch_open(&w, false) < 0)
			_exit(2);
		for (int round = 0; round < 2; round++) {
			ok = ok && w.fd_budget == 66 && w.fds_open == w.fd_budget &&
			     w.fds_open == kept_fds(&w) &&
			     (!w.have_schedstat || w.sched_open == w.fds_open);
			for (size_t k = 0; k < ARRAY_LEN(kids); k++)
				ok = ok && find(&w, kids[k]) >= 0;
			ok = ok && procwatch_refresh(&w) == 0;
		}
		procwatch_close(&w);
		_exit(ok ? 0 : 1);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A child that spins until killed (by its pid). */
static pid_t start_busy_child(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		volatile unsigned long spin = 0;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			spin++;
	}
	assert_true(pid > 0);
	return pid;
}

/* Refreshes until pid has shown some CPU use over an interval (a loaded
 * machine may not run it at once); its row, or -1. */
static ssize_t refresh_until_busy(struct procwatch *w, pid_t pid)
{
	ssize_t i = -1;

	for (int tries = 0; tries < 100; tries++) {
		usleep(50000);
		assert_int_equal(procwatch_refresh(w), 0);
		i = find(w, pid);
		if (i >= 0 && w->procs[i].cpu_pct > 0)
			break;
	}
	return i;
}

static void test_busy_child_has_cpu(void **state)
{
	struct procwatch *w = &watch;
	pid_t child = start_busy_child();
	ssize_t i;

	(void)state;
	assert_int_equal(procwatch_open(w, false), 0);
	i = refresh_until_busy(w, child);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	assert_true(i >= 0);
	assert_true(w->procs[i].cpu_pct > 0);
	/* one thread uses at most one CPU, whatever the tick rounding */
	assert_true(w->procs[i].cpu_pct <= 100.0);
}

/* Every item a refresh fills, compared; the name of the first that
 * differs, or NULL. */
static const char *differ(const struct proc *a, const struct proc *b)
{
	if (a->ppid != b->ppid) return "ppid";
	if (a->state != b->state) return "state";
	if (strcmp(a->stat, b->stat) != 0) return "stat";
	if (a->nice != b->nice) return "nice";
	if (a->priority != b->priority) return "priority";
	if (a->threads != b->threads) return "threads";
	if (a->rss_kb != b->rss_kb) return "rss";
	if (a->vsize_kb != b->vsize_kb) return "vsize";
	if (a->cpu_ticks != b->cpu_ticks) return "cpu";
	if (a->start_ticks != b->start_ticks) return "start";
	if (a->uid != b->uid) return "uid";
	if (a->tty_nr != b->tty_nr) return "tty";
	if (strcmp(a->comm, b->comm) != 0) return "comm";
	return NULL;
}

/* A watch that skips processes that did not run against one that reads
 * everyone in full, on the same sleeping children: once the rows shown
 * are fetched, the frames are equal; the skipping one skipped them; and
 * a nice changed while they sleep reaches the rows shown at once and the
 * others at the next full pass. */
static void test_idle_processes_are_skipped_but_shown_rows_are_exact(void **state)
{
	struct procwatch *w = &watch, full;
	pid_t kids[20];
	int32_t shown[10];
	int nice_was, nice_now;

	(void)state;
	for (size_t k = 0; k < ARRAY_LEN(kids); k++)
		kids[k] = start_child();
	for (size_t k = 0; k < ARRAY_LEN(kids); k++)
		wait_until_paused(kids[k]);
	assert_int_equal(procwatch_open(w, false), 0);
	assert_int_equal(procwatch_open(&full, true), 0);
	full.full = true;
	for (int i = 0; i < 3; i++)
		assert_int_equal(procwatch_refresh(w), 0);
	assert_true(w->idle >= ARRAY_LEN(kids)); /* they sleep: not read */
	/* A nice above the one they have (raising it needs no privilege,
	 * whatever nice make check runs at). */
	errno = 0;
	nice_was = getpriority(PRIO_PROCESS, 0);
	assert_int_equal(errno, 0);
	nice_now = nice_was < 19 ? nice_was + 1 : 18;
	for (size_t k = 0; k < ARRAY_LEN(kids); k++) {
		if (setpriority(PRIO_PROCESS, (id_t)kids[k], nice_now) < 0)
			print_message("setpriority(%d): %s\n", (int)kids[k], strerror(errno));
		assert_int_equal(getpriority(PRIO_PROCESS, (id_t)kids[k]), nice_now);
	}
	assert_int_equal(procwatch_refresh(w), 0);
	assert_int_equal(procwatch_refresh(&full), 0);
	for (size_t k = 0; k < ARRAY_LEN(shown); k++)
		shown[k] = (int32_t)find(w, kids[k]);
	procwatch_fetch(w, shown, ARRAY_LEN(shown), PI_CHANGES_IDLE);
	for (size_t k = 0; k < ARRAY_LEN(kids); k++) {
		ssize_t i = find(w, kids[k]), j = find(&full, kids[k]);
		const char *what;

		assert_true(i >= 0 && j >= 0);
		what = differ(&w->procs[i], &full.procs[j]);
		if (k < ARRAY_LEN(shown)) {
			assert_null(what);     /* shown: as a full read */
		} else {
			/* not shown: all as a full read but the old nice */
			struct proc p = w->procs[i];

			assert_int_equal(p.nice, nice_was);
			p.nice = full.procs[j].nice;
			p.priority = full.procs[j].priority;
			memcpy(p.stat, full.procs[j].stat, sizeof(p.stat));
			assert_null(differ(&p, &full.procs[j]));
		}
	}
	/* The full pass (every PROCWATCH_FULL_EVERY refreshes) reads all. */
	while (w->refreshes % PROCWATCH_FULL_EVERY)
		assert_int_equal(procwatch_refresh(w), 0);
	assert_int_equal(procwatch_refresh(w), 0);
	for (size_t k = 0; k < ARRAY_LEN(kids); k++)
		assert_int_equal(w->procs[find(w, kids[k])].nice, nice_now);
	for (size_t k = 0; k < ARRAY_LEN(kids); k++) {
		kill(kids[k], SIGKILL);
		waitpid(kids[k], NULL, 0);
	}
	procwatch_close(&full);
}

/* A refresh that reads everyone in full (top -b) does not read schedstat:
 * it keeps none of its descriptors open, which would only take the
 * places of stat's and statm's (drop_schedstat in watch.c). */
static void test_full_refresh_keeps_no_schedstat_open(void **state)
{
	struct procwatch *w = &watch;

	(void)state;
	assert_int_equal(procwatch_open(w, false), 0);
	if (!w->have_schedstat)
		skip(); /* a kernel without schedstats keeps none anyway */
	assert_true(w->sched_open > 0); /* the first refresh kept them */
	w->full = true;
	assert_int_equal(procwatch_refresh(w), 0);
	assert_int_equal(w->sched_open, 0);
	w->full = false; /* and the next refresh that skips keeps them again, */
	assert_int_equal(procwatch_refresh(w), 0);
	/* where the budget has room: with more processes than half of it
	 * (28,000 processes and ulimit -n 1024), stat and statm kept by the
	 * full pass hold every place. */
	assert_true(w->sched_open > 0 || w->fds_open + 3 > w->fd_budget);
}

/* When the table outgrows its room (grow_to: one block for the rows, their
 * extras and the spares), what was known moves with it: every process
 * keeps its name, start and kept descriptors, and the newcomer is found.
 * The room is made to look full (cap = n) rather than filled: that would
 * take a quarter of the machine's processes. */
static void test_table_grows_and_keeps_what_it_knew(void **state)
{
	struct procwatch *w = &watch;
	struct procwatch_seen { pid_t pid; unsigned long long start; char comm[64]; int fd; } *seen;
	size_t n, kept = 0;
	pid_t child;

	(void)state;
	assert_int_equal(procwatch_open(w, false), 0);
	n = w->n;
	seen = calloc(n, sizeof(*seen));
	assert_non_null(seen);
	for (size_t i = 0; i < n; i++) {
		seen[i].pid = w->procs[i].pid;
		seen[i].start = w->procs[i].start_ticks;
		memcpy(seen[i].comm, w->extra[i].comm, sizeof(seen[i].comm));
		seen[i].fd = w->extra[i].fds.stat;
	}
	w->cap = w->n;
	child = start_child();
	assert_int_equal(procwatch_refresh(w), 0);
	assert_true(w->cap > n);
	assert_true(find(w, child) >= 0);
	for (size_t i = 0; i < n; i++) {
		ssize_t at = find(w, seen[i].pid);

		if (at < 0 || w->procs[at].start_ticks != seen[i].start)
			continue; /* gone meanwhile (not ours) */
		if (!w->procs[at].kernel_thread && /* a worker's name follows its work */
		    !name_kept(w->procs[at].comm, seen[i].comm, seen[i].pid))
			fail_msg("pid %d: '%s', neither '%s' nor its name now",
				 (int)seen[i].pid, w->procs[at].comm, seen[i].comm);
		if (seen[i].fd >= 0) /* one without (over the budget) may get one */
			assert_int_equal(w->extra[at].fds.stat, seen[i].fd);
		kept++;
	}
	assert_true(kept > n / 2);
	free(seen);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

/* A refresh writes the table over itself unless a process new in the
 * middle has no slot freed before it (merge_fits_in_place): then it fills
 * the spare.  The first row is taken out of the table (as if it had not
 * been seen), so that it comes back new ahead of every other: the spare
 * path, whatever else comes and goes; a child that ends before one that
 * starts is the in-place path.  Both must give the same table. */
static void test_merge_in_place_and_into_the_spare(void **state)
{
	struct procwatch *w = &watch;
	struct watch_extra *x0;
	pid_t first, a, b;
	char comm[64];
	size_t n;

	(void)state;
	assert_int_equal(procwatch_open(w, false), 0);
	first = w->procs[0].pid;
	x0 = &w->extra[0];
	memcpy(comm, x0->comm, sizeof(comm));
	for (int *fd = &x0->fds.schedstat; fd <= &x0->fds.statm; fd++)
		if (*fd >= 0)
			close(*fd);
	free(x0->cmdline);
	free(x0->cgroup_path);
	free(x0->container);
	memmove(&w->procs[0], &w->procs[1], (w->n - 1) * sizeof(w->procs[0]));
	memmove(&w->extra[0], &w->extra[1], (w->n - 1) * sizeof(w->extra[0]));
	n = --w->n;
	w->last_pid = -1; /* list /proc in full: it is not in the table */
	assert_null(w->spare_procs);
	assert_int_equal(procwatch_refresh(w), 0);
	assert_non_null(w->spare_procs); /* it came back ahead of all */
	assert_int_equal(w->procs[0].pid, first);
	assert_string_equal(w->procs[0].comm, comm);
	assert_true(w->n + 16 > n); /* the rest is still there */
	for (size_t i = 1; i < w->n; i++) {
		assert_true(w->procs[i - 1].pid < w->procs[i].pid);
		assert_ptr_equal(w->procs[i].comm, w->extra[i].comm);
	}
	a = start_child();
	assert_int_equal(procwatch_refresh(w), 0);
	kill(a, SIGKILL);
	waitpid(a, NULL, 0);
	b = start_child();
	assert_int_equal(procwatch_refresh(w), 0);
	assert_true(find(w, a) < 0);
	assert_true(find(w, b) >= 0);
	assert_int_equal(w->procs[find(w, b)].ppid, getpid());
	kill(b, SIGKILL);
	waitpid(b, NULL, 0);
}

/* A process idle for two refreshes is settled: its rates are not
 * computed again (watch.c).  One that ran, then stopped, shows 0% at the
 * first refresh it did not run; a settled row moved down the table when
 * a process below it went (the merge in place) points at its own name.
 * The busy child stops itself with SIGSTOP and is killed by its pid. */
static void test_settled_rows_drop_to_zero_and_follow_their_slot(void **state)
{
	struct procwatch *w = &watch;
	pid_t low, high, busy;
	ssize_t i;

	(void)state;
	assert_int_equal(procwatch_open(w, false), 0);
	if (!w->have_schedstat)
		skip(); /* nothing settles without schedstat */
	w->full_every = 0; /* no full pass in between: it reads everyone */
	/* After the open: the refreshes find them (probed or listed). */
	low = start_child();
	high = start_child();
	wait_until_paused(low);
	wait_until_paused(high);
	busy = start_busy_child();
	i = refresh_until_busy(w, busy);
	assert_true(i >= 0 && w->procs[i].cpu_pct > 0);
	kill(busy, SIGSTOP);
	waitpid(busy, NULL, WUNTRACED);
	/* The refresh after the stop may still count the CPU used before it;
	 * the one after that saw no run time at all. */
	assert_int_equal(procwatch_refresh(w), 0);
	for (int k = 0; k < 3; k++) {
		usleep(20000);
		assert_int_equal(procwatch_refresh(w), 0);
		i = find(w, busy);
		assert_true(i >= 0);
		assert_true(w->procs[i].cpu_pct == 0.0);
	}
	/* Sleeping rows settled by now; one below the others goes. */
	assert_true(w->extra[find(w, high)].idle_runs >= SETTLED);
	kill(low, SIGKILL);
	waitpid(low, NULL, 0);
	w->last_pid = -1; /* list /proc in full: the merge sees it gone */
	assert_int_equal(procwatch_refresh(w), 0);
	assert_true(find(w, low) < 0);
	for (size_t k = 0; k < w->n; k++)
		assert_ptr_equal(w->procs[k].comm, w->extra[k].comm);
	i = find(w, high);
	assert_true(i >= 0);
	assert_string_equal(w->procs[i].comm, "watch-child");
	kill(busy, SIGKILL);
	waitpid(busy, NULL, 0);
	kill(high, SIGKILL);
	waitpid(high, NULL, 0);
}

/* The table grows into a new block (more processes than its room) while
 * rows are settled: each row's name still points into its own extras,
 * not into the block that was freed (helper-33's reproducer). */
static void test_settled_rows_keep_their_names_when_the_table_grows(void **state)
{
	struct procwatch *w = &watch;
	pid_t gone = start_child(), kid;
	ssize_t i;

	(void)state;
	assert_int_equal(procwatch_open(w, false), 0);
	w->full_every = 0;
	for (int k = 0; k < 3; k++) {
		usleep(20000);
		assert_int_equal(procwatch_refresh(w), 0);
	}
	kill(gone, SIGKILL);
	waitpid(gone, NULL, 0);
	kid = start_child(); /* above gone: the merge stays in place */
	usleep(20000);
	w->cap = w->n - 1;   /* as if more had come than the room left */
	w->last_pid = -1;
	assert_int_equal(procwatch_refresh(w), 0);
	for (size_t k = 0; k < w->n; k++)
		assert_ptr_equal(w->procs[k].comm, w->extra[k].comm);
	i = find(w, kid);
	assert_true(i >= 0);
	assert_true(name_kept(w->procs[i].comm, "watch-child", kid));
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
}

/* A watch opened to read everyone in full (top -b) reads no schedstat in
 * its first reading either: measured at 10,171 processes, the 10,171
 * opens, preads and closes of it cost 13% of a 10-refresh batch. */
static void test_watch_opened_full_reads_no_schedstat(void **state)
{
	struct procwatch *w = &watch;

	(void)state;
	assert_int_equal(procwatch_open(w, true), 0);
	assert_true(w->n > 0);
	assert_int_equal(w->sched_open, 0);
	assert_true(w->fds_open > 0); /* stat and statm are kept */
	assert_int_equal(procwatch_refresh(w), 0);
	assert_int_equal(w->sched_open, 0);
}

int main(void)
{
	struct buf why = {0};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_sees_a_child_come_and_go, close_watch),
		cmocka_unit_test(test_more_processes_than_descriptors),
		cmocka_unit_test_teardown(test_busy_child_has_cpu, close_watch),
		cmocka_unit_test_teardown(test_full_refresh_keeps_no_schedstat_open, close_watch),
		cmocka_unit_test_teardown(test_watch_opened_full_reads_no_schedstat, close_watch),
		cmocka_unit_test_teardown(test_table_grows_and_keeps_what_it_knew, close_watch),
		cmocka_unit_test_teardown(test_merge_in_place_and_into_the_spare, close_watch),
		cmocka_unit_test_teardown(test_idle_processes_are_skipped_but_shown_rows_are_exact,
					  close_watch),
		cmocka_unit_test_teardown(test_settled_rows_drop_to_zero_and_follow_their_slot,
					  close_watch),
		cmocka_unit_test_teardown(test_settled_rows_keep_their_names_when_the_table_grows,
					  close_watch),
	};

	/* These test the /proc watch (its kept descriptors, its idle
	 * skipping), whatever the machine offers (backend.h). */
	if (proc_backend_choose("proc", &why) < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
