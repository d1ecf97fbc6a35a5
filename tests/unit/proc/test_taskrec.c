/*
 * test_taskrec.c - reading passes of the BPF task iterator and walk (taskrec.c)
 * from records built here: the header checks that tell a pin of another
 * pmon version or something else from ours, passes cut short, threads'
 * CPU time added to their process, the CPU ticks /proc computes, and
 * struct proc filled as from /proc/PID/stat.  Needs no BPF: runs on any
 * machine.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "proc/taskiter.h"
#include "proc/taskrec.h"

/* A pass being built: 8-byte aligned, as the reader's buffer is. */
struct pass_buf {
	_Alignas(8) char data[8192];
	size_t len;
};

static void put(struct pass_buf *b, const void *rec, size_t size)
{
	assert_true(b->len + size <= sizeof(b->data));
	memcpy(b->data + b->len, rec, size);
	b->len += size;
}

static void put_header(struct pass_buf *b, unsigned version)
{
	struct pmon_rec_header h = {
		.h = {PMON_REC_HEADER, sizeof(h)}, .magic = PMON_REC_MAGIC,
		.version = version, .flags = PMON_REC_RSS_EXACT,
	};

	put(b, &h, sizeof(h));
}

static struct pmon_rec_task task(pid_t pid, pid_t ppid, const char *comm)
{
	struct pmon_rec_task t = {
		.h = {PMON_REC_TASK, sizeof(t)}, .pid = pid, .ppid = ppid,
		.pgrp = pid, .session = pid, .tpgid = -1, .threads = 1,
		.state = 'S', .prio = 20,
	};

	strncpy(t.comm, comm, sizeof(t.comm) - 1);
	return t;
}

static void put_task(struct pass_buf *b, struct pmon_rec_task t)
{
	put(b, &t, sizeof(t));
}

static void put_thread(struct pass_buf *b, pid_t tgid, unsigned long long rtime,
		       unsigned long long utime, unsigned long long stime)
{
	struct pmon_rec_thread th = {
		.h = {PMON_REC_THREAD, sizeof(th)}, .tgid = tgid,
		.rtime_ns = rtime, .utime_ns = utime, .stime_ns = stime,
	};

	put(b, &th, sizeof(th));
}

static void put_name(struct pass_buf *b, pid_t pid, const char *name)
{
	struct pmon_rec_name n = {.h = {PMON_REC_NAME, sizeof(n)}, .pid = pid};

	memset(n.name, 'x', sizeof(n.name)); /* no NUL: the reader ends it */
	memcpy(n.name, name, strlen(name) < sizeof(n.name) ? strlen(name) + 1 : 0);
	put(b, &n, sizeof(n));
}

static void put_trailer(struct pass_buf *b)
{
	struct pmon_rec_trailer e = {.h = {PMON_REC_TRAILER, sizeof(e)}};

	put(b, &e, sizeof(e));
}

static const struct proc_clock clk = {
	.boot_time = 1700000000.0, .uptime = 1000.0, .now = 1700001000,
	.hz = 100, .page_kb = 4,
};

/* ---- headers ------------------------------------------------------------- */

static void test_header_ours(void **state)
{
	struct pass_buf b = {.len = 0};
	unsigned version = 0;

	(void)state;
	put_header(&b, PMON_REC_VERSION);
	assert_int_equal(taskrec_check_header(b.data, b.len, &version), 0);
	assert_int_equal(version, PMON_REC_VERSION);
}

static void test_header_other_version_is_stale(void **state)
{
	struct pass_buf b = {.len = 0};
	unsigned version = 0;

	(void)state;
	put_header(&b, PMON_REC_VERSION + 1);
	assert_int_equal(taskrec_check_header(b.data, b.len, &version), -1);
	assert_int_equal(errno, ESTALE);
	assert_int_equal(version, PMON_REC_VERSION + 1);
}

static void test_header_not_ours(void **state)
{
	struct pass_buf b = {.len = 0};
	unsigned version = 0;
	const char text[] = "    tgid      gid\n       1        1\n";

	(void)state;
	/* What another iterator pinned at our path might print. */
	put(&b, text, sizeof(text));
	assert_int_equal(taskrec_check_header(b.data, b.len, &version), -1);
	assert_int_equal(errno, EPROTO);
	/* Too short to tell yet. */
	assert_int_equal(taskrec_check_header(b.data, 4, &version), -1);
	assert_int_equal(errno, EAGAIN);
}

/* ---- passes ------------------------------------------------------------------ */

static void test_decode_processes_and_threads(void **state)
{
	struct pass_buf b = {.len = 0};
	struct taskrec_pass p = {0};
	struct pmon_rec_task t1 = task(1, 0, "init"), t7 = task(7, 1, "app");
	const struct taskrec *r;

	(void)state;
	t7.rtime_ns = 1000;
	t7.utime_ns = 600;
	t7.stime_ns = 400;
	t7.threads = 3;
	put_header(&b, PMON_REC_VERSION);
	put_task(&b, t1);
	put_task(&b, t7);
	put_thread(&b, 7, 10, 6, 4);
	put_thread(&b, 7, 100, 60, 40);
	put_thread(&b, 99, 5, 5, 0); /* its process exited between visits */
	put_trailer(&b);
	assert_int_equal(taskrec_decode(b.data, b.len, &p), 0);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.tasks, 5);
	assert_true(p.rss_exact);
	r = taskrec_find(&p, 7);
	assert_non_null(r);
	assert_string_equal(r->t->comm, "app");
	assert_int_equal(r->rtime_ns, 1110);
	assert_int_equal(r->utime_ns, 666);
	assert_int_equal(r->stime_ns, 444);
	assert_null(taskrec_find(&p, 2));
	assert_null(taskrec_find(&p, 99));
	taskrec_pass_free(&p);
}

static void test_decode_threads_before_their_process(void **state)
{
	struct pass_buf b = {.len = 0};
	struct taskrec_pass p = {0};
	struct pmon_rec_task t = task(500, 1, "late");

	(void)state;
	/* After a pid wrap a thread can have a smaller tid than its
	 * leader's pid, and come first. */
	t.rtime_ns = 1;
	put_header(&b, PMON_REC_VERSION);
	put_thread(&b, 500, 10, 0, 0);
	put_task(&b, t);
	put_trailer(&b);
	assert_int_equal(taskrec_decode(b.data, b.len, &p), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.procs[0].rtime_ns, 11);
	taskrec_pass_free(&p);
}

static void test_long_kernel_thread_names(void **state)
{
	struct pass_buf b = {.len = 0};
	struct taskrec_pass p = {0};
	struct pmon_rec_task t = task(3, 2, "pool_workqueue_"), u = task(4, 2, "");

	(void)state;
	memset(u.comm, 'y', sizeof(u.comm)); /* no NUL: the reader ends it */
	put_header(&b, PMON_REC_VERSION);
	put_task(&b, t);
	put_name(&b, 3, "pool_workqueue_release");
	put_task(&b, u);
	put_name(&b, 99, "not the name of 4");
	put_name(&b, 4, ""); /* overlong: cut at 63 */
	memset(b.data + b.len - 64, 'z', 64);
	put_trailer(&b);
	assert_int_equal(taskrec_decode(b.data, b.len, &p), 0);
	assert_string_equal(taskrec_name(taskrec_find(&p, 3)), "pool_workqueue_release");
	assert_int_equal(strlen(taskrec_name(taskrec_find(&p, 4))), 63);
	assert_int_equal(strlen(taskrec_find(&p, 4)->t->comm), 15);
	taskrec_pass_free(&p);
}

static void test_decode_refuses_a_cut_pass(void **state)
{
	struct pass_buf b = {.len = 0};
	struct taskrec_pass p = {0};

	(void)state;
	put_header(&b, PMON_REC_VERSION);
	put_task(&b, task(1, 0, "init"));
	/* No trailer: the reads stopped early. */
	assert_int_equal(taskrec_decode(b.data, b.len, &p), -1);
	assert_int_equal(errno, EPROTO);
	/* A record cut in the middle. */
	put_trailer(&b);
	assert_int_equal(taskrec_decode(b.data, b.len - 12, &p), -1);
	assert_int_equal(errno, EPROTO);
	taskrec_pass_free(&p);
}

static void test_decode_refuses_a_bad_record(void **state)
{
	struct pass_buf b = {.len = 0};
	struct taskrec_pass p = {0};
	struct pmon_rec_task t = task(1, 0, "init");

	(void)state;
	t.h.size = sizeof(t) - 8; /* a size that is not the type's */
	put_header(&b, PMON_REC_VERSION);
	put(&b, &t, sizeof(t));
	put_trailer(&b);
	assert_int_equal(taskrec_decode(b.data, b.len, &p), -1);
	assert_int_equal(errno, EPROTO);
	taskrec_pass_free(&p);
}

static void test_decode_sorts_out_of_order(void **state)
{
	struct pass_buf b = {.len = 0};
	struct taskrec_pass p = {0};

	(void)state;
	/* In a pid namespace the iterator's order need not be pid order. */
	put_header(&b, PMON_REC_VERSION);
	put_task(&b, task(30, 1, "c"));
	put_task(&b, task(10, 1, "a"));
	put_task(&b, task(20, 1, "b"));
	put_trailer(&b);
	assert_int_equal(taskrec_decode(b.data, b.len, &p), 0);
	assert_int_equal(p.procs[0].t->pid, 10);
	assert_int_equal(p.procs[2].t->pid, 30);
	assert_non_null(taskrec_find(&p, 20));
	taskrec_pass_free(&p);
}

/* The walk's pass: in the task list's order, from the idle task (pid 0),
 * with a process's threads right after it. */
static void test_decode_walk_order_and_idle_task(void **state)
{
	struct pass_buf b = {.len = 0};
	struct taskrec_pass p = {0};

	(void)state;
	put_header(&b, PMON_REC_VERSION);
	put_task(&b, task(0, 0, "swapper/0"));
	put_task(&b, task(1, 0, "init"));
	put_task(&b, task(32000, 1, "old"));
	put_thread(&b, 32000, 5, 3, 2);
	put_task(&b, task(300, 1, "new")); /* after the pids wrapped */
	put_trailer(&b);
	assert_int_equal(taskrec_decode(b.data, b.len, &p), 0);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.tasks, 4); /* the idle task is not counted */
	assert_null(taskrec_find(&p, 0));
	assert_int_equal(p.procs[0].pid, 1);
	assert_int_equal(p.procs[1].pid, 300);
	assert_int_equal(p.procs[2].pid, 32000);
	assert_int_equal(taskrec_find(&p, 32000)->rtime_ns, 5);
	taskrec_pass_free(&p);
}

/* A process met twice by the walk (a thread that execs takes its
 * leader's place while it passes) is one row, the first met. */
static void test_decode_keeps_a_process_once(void **state)
{
	struct pass_buf b = {.len = 0};
	struct taskrec_pass p = {0};

	(void)state;
	put_header(&b, PMON_REC_VERSION);
	put_task(&b, task(40, 1, "before"));
	put_task(&b, task(7, 1, "x"));
	put_task(&b, task(40, 1, "after"));
	put_trailer(&b);
	assert_int_equal(taskrec_decode(b.data, b.len, &p), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(taskrec_name(taskrec_find(&p, 40)), "before");
	taskrec_pass_free(&p);
}

/* Rising runs are merged (few) or sorted whole (many): pid order either
 * way, every process once. */
static void check_runs_sorted(const pid_t *pids, size_t n)
{
	static struct pass_buf b;
	struct taskrec_pass p = {0};

	b.len = 0;
	put_header(&b, PMON_REC_VERSION);
	for (size_t i = 0; i < n; i++)
		put_task(&b, task(pids[i], 1, "x"));
	put_trailer(&b);
	/* twice into one pass, as a watch does: the arrays are swapped */
	for (int pass = 0; pass < 2; pass++) {
		assert_int_equal(taskrec_decode(b.data, b.len, &p), 0);
		assert_int_equal(p.n, n);
		assert_true(p.cap >= n);
		for (size_t i = 1; i < n; i++)
			assert_true(p.procs[i - 1].pid < p.procs[i].pid);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(taskrec_find(&p, pids[i])->t->pid, pids[i]);
	}
	taskrec_pass_free(&p);
}

static void test_decode_merges_rising_runs(void **state)
{
	static const pid_t three[] = {5, 9, 12, 1, 7, 3, 4, 10, 11};
	static const pid_t two[] = {100, 200, 300, 1, 2, 150};
	pid_t many[45]; /* 45 runs of one: more than are merged */

	(void)state;
	check_runs_sorted(three, 9);
	check_runs_sorted(two, 6);
	for (int i = 0; i < 45; i++)
		many[i] = 1000 - 7 * i;
	check_runs_sorted(many, 45);
}

/* ---- CPU time as /proc gives it ------------------------------------------------ */

#define MS 1000000ULL /* ns */

static void test_cpu_ticks_scaled_by_the_samples(void **state)
{
	(void)state;
	/* 1 s of run time, sampled 3:1 user:system: 75 + 25 ticks. */
	assert_int_equal(taskrec_cpu_ticks(1000 * MS, 30 * MS, 10 * MS, 0, 0, 100), 100);
	/* Each part is cut to whole ticks on its own: 0.995 s split
	 * 0.598 + 0.397 gives 59 + 39, one less than the whole's 99. */
	assert_int_equal(taskrec_cpu_ticks(995 * MS, 601 * MS, 399 * MS, 0, 0, 100), 98);
	/* No samples yet: all user time (stime 0). */
	assert_int_equal(taskrec_cpu_ticks(25 * MS, 0, 0, 0, 0, 100), 2);
	/* Only system samples: all system time. */
	assert_int_equal(taskrec_cpu_ticks(25 * MS, 0, 4 * MS, 0, 0, 100), 2);
}

static void test_cpu_ticks_never_below_what_was_shown(void **state)
{
	(void)state;
	/* /proc showed 50 + 50 ticks; the run time has not grown past it:
	 * the previous split stands. */
	assert_int_equal(taskrec_cpu_ticks(990 * MS, 1, 1, 500 * MS, 500 * MS, 100), 100);
	/* Grown: the new scaled split, but neither part below the old. */
	assert_int_equal(taskrec_cpu_ticks(2000 * MS, 1 * MS, 1000 * MS, 600 * MS, 500 * MS, 100),
			 200);
}

static void test_cpu_ticks_no_overflow(void **state)
{
	(void)state;
	/* 100 days of run time on many threads: the product of two such
	 * ns counts overflows 64 bits. */
	unsigned long long day = 86400ULL * 1000 * MS;

	assert_int_equal(taskrec_cpu_ticks(100 * day, 60 * day, 40 * day, 0, 0, 100),
			 100ULL * 86400 * 100);
	/* Samples whose sum wraps (bytes of a pin not pmon's; the fuzzer
	 * found it): no division by zero, and no more than the run time. */
	assert_true(taskrec_cpu_ticks(100 * MS, ~0ULL, 1, 0, 0, 100) <= 10);
}

/* ---- struct proc ----------------------------------------------------------------------- */

static void test_fill_as_stat(void **state)
{
	struct pmon_rec_task t = task(4242, 4000, "worker");
	struct taskrec r;
	struct proc p;

	(void)state;
	t.session = 4000;
	t.pgrp = 4242;
	t.tpgid = 4242;
	t.tty_nr = 0x8801;
	t.euid = 1000;
	t.nice = -5;
	t.prio = 15;
	t.threads = 2;
	t.state = 'R';
	t.start_ns = 500 * 1000 * MS + 7 * MS; /* 500.007 s after boot */
	t.rss_pages = 300;
	t.shared_pages = 100;
	t.vm_pages = 5000;
	t.locked_pages = 1;
	r = (struct taskrec){.t = &t, .rtime_ns = 1234 * MS, .utime_ns = 1, .stime_ns = 0};
	taskrec_fill(&r, TASKREC_HAVE, &clk, &p);
	assert_int_equal(p.pid, 4242);
	assert_int_equal(p.ppid, 4000);
	assert_int_equal(p.uid, 1000);
	assert_int_equal(p.tty_nr, 0x8801);
	assert_int_equal(p.start_ticks, 50000);
	assert_int_equal(p.start_time, 1700000000 + 500);
	assert_int_equal(p.elapsed_s, 500);
	assert_int_equal(p.cpu_ticks, 123);
	assert_int_equal(p.rss_kb, 1200);
	assert_int_equal(p.shared_kb, 400);
	assert_int_equal(p.vsize_kb, 20000);
	assert_true(p.locked);
	assert_false(p.kernel_thread);
	assert_string_equal(p.stat, "R<Ll+");
	assert_null(p.comm);
	/* Without PI_LOCKED (stat alone, as the tree asks): no L. */
	taskrec_fill(&r, TASKREC_HAVE & ~(unsigned)PI_LOCKED, &clk, &p);
	assert_string_equal(p.stat, "R<l+");
}

static void test_workers_name_from_proc(void **state)
{
	struct pmon_rec_task t = task(40, 2, "kworker/0:1");
	struct taskrec r = {.t = &t};

	(void)state;
	t.flags = PMON_PF_KTHREAD;
	assert_false(taskrec_comm_from_proc(&r));
	t.flags |= PMON_PF_WQ_WORKER;
	assert_true(taskrec_comm_from_proc(&r));
}

/* The walk marks a kernel thread's long name instead of carrying it. */
static void test_long_name_from_proc_when_not_in_the_pass(void **state)
{
	struct pmon_rec_task t = task(3, 2, "pool_workqueue_");
	struct taskrec r = {.t = &t};

	(void)state;
	t.flags = PMON_PF_KTHREAD;
	assert_false(taskrec_comm_from_proc(&r));
	t.long_name = 1;
	assert_true(taskrec_comm_from_proc(&r));
	r.name = "pool_workqueue_release"; /* the iterator's NAME record */
	assert_false(taskrec_comm_from_proc(&r));
}

/* ---- did the pass miss processes? ------------------------------------------- */

/* The parents a pass names but does not show: once each, in pid order,
 * below its highest pid and above it. */
static void test_missing_parents(void **state)
{
	struct pass_buf b = {.len = 0};
	struct taskiter it = {0};
	pid_t *pids = NULL;
	size_t n = 0, cap = 0;

	(void)state;
	put_header(&b, PMON_REC_VERSION);
	put_task(&b, task(1, 0, "init"));
	put_task(&b, task(5, 1, "a"));
	put_task(&b, task(7, 3, "b"));
	put_task(&b, task(9, 3, "c"));
	put_task(&b, task(12, 40, "d"));
	put_task(&b, task(13, 12, "e"));
	put_task(&b, task(16, 3, "f"));
	put_task(&b, task(2, 16, "g")); /* after a wrap: the highest is a parent */
	put_trailer(&b);
	assert_int_equal(taskrec_decode(b.data, b.len, &it.pass), 0);
	taskiter_missing_parents(&it, &pids, &n, &cap);
	assert_int_equal(n, 2);
	assert_int_equal(pids[0], 3);
	assert_int_equal(pids[1], 40);
	free(pids);
	taskrec_pass_free(&it.pass);
}

static void test_incomplete_when_the_count_is_short(void **state)
{
	struct taskiter it = {.pass = {.tasks = 100}};
	struct task_count before = {100, 5000}, after = {100, 5000};

	(void)state;
	/* Quiet: everything seen. */
	assert_false(taskiter_incomplete(&it, 0, &before, &after));
	/* 19 tasks never visited, read from /proc beside the pass. */
	before.tasks = after.tasks = 119;
	assert_true(taskiter_incomplete(&it, 0, &before, &after));
	assert_false(taskiter_incomplete(&it, 19, &before, &after));
	/* Three started during the pass behind the iterator (a pid wrap):
	 * counted after it, not seen, but three pids were handed out. */
	after.tasks = 122;
	after.last_pid = 5003;
	assert_false(taskiter_incomplete(&it, 19, &before, &after));
	after.last_pid = 5002;
	assert_true(taskiter_incomplete(&it, 19, &before, &after));
	/* Tasks that ended meanwhile only lower the count. */
	after.tasks = 110;
	assert_false(taskiter_incomplete(&it, 19, &before, &after));
	/* Unreadable counts, or a pid namespace: /proc must be listed. */
	after.tasks = -1;
	assert_true(taskiter_incomplete(&it, 19, &before, &after));
	after.tasks = 119;
	it.pass.pidns_level = 1;
	assert_true(taskiter_incomplete(&it, 19, &before, &after));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_ours),
		cmocka_unit_test(test_header_other_version_is_stale),
		cmocka_unit_test(test_header_not_ours),
		cmocka_unit_test(test_decode_processes_and_threads),
		cmocka_unit_test(test_decode_threads_before_their_process),
		cmocka_unit_test(test_long_kernel_thread_names),
		cmocka_unit_test(test_decode_refuses_a_cut_pass),
		cmocka_unit_test(test_decode_refuses_a_bad_record),
		cmocka_unit_test(test_decode_sorts_out_of_order),
		cmocka_unit_test(test_decode_walk_order_and_idle_task),
		cmocka_unit_test(test_decode_merges_rising_runs),
		cmocka_unit_test(test_decode_keeps_a_process_once),
		cmocka_unit_test(test_cpu_ticks_scaled_by_the_samples),
		cmocka_unit_test(test_cpu_ticks_never_below_what_was_shown),
		cmocka_unit_test(test_cpu_ticks_no_overflow),
		cmocka_unit_test(test_fill_as_stat),
		cmocka_unit_test(test_workers_name_from_proc),
		cmocka_unit_test(test_long_name_from_proc_when_not_in_the_pass),
		cmocka_unit_test(test_incomplete_when_the_count_is_short),
		cmocka_unit_test(test_missing_parents),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
