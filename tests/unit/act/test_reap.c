/*
 * test_reap.c - the pure logic of `pmon reap`: method names, which steps
 * run for which parent, pid translation between PID namespaces, the
 * refusals, and the result lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <string.h>

#include "act/inject.h"
#include "act/reap.h"

static void test_method_names(void **state)
{
	(void)state;
	assert_int_equal(reap_method_from_name("nudge"), REAP_NUDGE);
	assert_int_equal(reap_method_from_name("inject"), REAP_INJECT);
	assert_int_equal(reap_method_from_name("kill-parent"), REAP_KILL_PARENT);
	assert_int_equal(reap_method_from_name("auto"), REAP_AUTO);
	assert_int_equal(reap_method_from_name("kill"), -1);
	assert_int_equal(reap_method_from_name(""), -1);
	assert_int_equal(reap_method_from_name("NUDGE"), -1);
	assert_string_equal(reap_method_name(REAP_KILL_PARENT), "kill-parent");
	assert_string_equal(reap_method_name(REAP_INJECT), "inject");
}

static void test_plan(void **state)
{
	struct reap_opts o = {.method = REAP_AUTO};

	(void)state;
	/* Only a handler can respond to a nudge. */
	assert_int_equal(reap_plan(&o, SIGCHLD_CAUGHT), REAP_STEP_NUDGE | REAP_STEP_INJECT);
	assert_int_equal(reap_plan(&o, SIGCHLD_DEFAULT), REAP_STEP_INJECT);
	assert_int_equal(reap_plan(&o, SIGCHLD_IGNORED), REAP_STEP_INJECT);
	assert_int_equal(reap_plan(&o, SIGCHLD_UNKNOWN), REAP_STEP_INJECT);
	/* The parent is ended only when asked. */
	o.kill_parent = true;
	assert_int_equal(reap_plan(&o, SIGCHLD_DEFAULT), REAP_STEP_INJECT | REAP_STEP_KILL);
	/* A named method is that method alone, whatever the parent does. */
	o = (struct reap_opts){.method = REAP_NUDGE};
	assert_int_equal(reap_plan(&o, SIGCHLD_DEFAULT), REAP_STEP_NUDGE);
	o.method = REAP_INJECT;
	assert_int_equal(reap_plan(&o, SIGCHLD_CAUGHT), REAP_STEP_INJECT);
	o.method = REAP_KILL_PARENT;
	assert_int_equal(reap_plan(&o, SIGCHLD_CAUGHT), REAP_STEP_KILL);
}

static void test_pid_in_parent_ns(void **state)
{
	struct proc parent = {.pid = 5000, .ns_levels = 2, .ns_pids = {5000, 2}};
	struct proc z = {.pid = 5003, .ns_levels = 2, .ns_pids = {5003, 4}};
	struct proc nested = {.pid = 5010, .ns_levels = 3, .ns_pids = {5010, 9, 1}};
	struct proc flat_parent = {.pid = 70, .ns_levels = 1, .ns_pids = {70}};
	struct proc flat_z = {.pid = 71, .ns_levels = 1, .ns_pids = {71}};
	struct proc no_nspid = {.pid = 80};

	(void)state;
	assert_int_equal(reap_pid_in_parent_ns(&z, &parent), 4);
	/* A child that made a namespace of its own: the parent's level. */
	assert_int_equal(reap_pid_in_parent_ns(&nested, &parent), 9);
	assert_int_equal(reap_pid_in_parent_ns(&flat_z, &flat_parent), 71);
	/* An old kernel without NSpid: the pid as we see it. */
	assert_int_equal(reap_pid_in_parent_ns(&no_nspid, &no_nspid), 80);
}

static void test_is_init(void **state)
{
	/* As reap reads them: REAP_NEED has PI_TRACE (NSpid). */
	struct proc init = {.pid = 1, .have = PI_TRACE, .ns_levels = 1, .ns_pids = {1}};
	struct proc ns_init = {.pid = 4242, .have = PI_TRACE, .ns_levels = 2,
			       .ns_pids = {4242, 1}};
	struct proc in_ns = {.pid = 4243, .have = PI_TRACE, .ns_levels = 2,
			     .ns_pids = {4243, 2}};
	struct proc plain = {.pid = 300, .have = PI_TRACE, .ns_levels = 1,
			     .ns_pids = {300}};

	(void)state;
	assert_true(proc_is_ns_init(&init));
	assert_true(proc_is_ns_init(&ns_init));
	assert_false(proc_is_ns_init(&in_ns));
	assert_false(proc_is_ns_init(&plain));
}

static void test_inject_refusal(void **state)
{
	struct proc p = {.pid = 300, .have = PI_TRACE};
	char buf[256];
	const char *why;

	(void)state;
	why = reap_inject_refusal(&p, buf, sizeof(buf));
	if (!inject_supported()) {
		assert_non_null(why);
		return;
	}
	assert_null(why);
	p.tracer_pid = 77;
	why = reap_inject_refusal(&p, buf, sizeof(buf));
	assert_non_null(why);
	assert_non_null(strstr(why, "already traced by PID 77"));
	p.tracer_pid = 0;
	p.seccomp = 2;
	why = reap_inject_refusal(&p, buf, sizeof(buf));
	assert_non_null(strstr(why, "seccomp filter"));
	p.seccomp = 1;
	why = reap_inject_refusal(&p, buf, sizeof(buf));
	assert_non_null(strstr(why, "seccomp strict mode"));
}

static void test_result_lines(void **state)
{
	struct reap_result r = {.zpid = 12, .ppid = 10, .reaped = true, .ok = true,
				.by = REAP_NUDGE};
	struct buf b = {0};

	(void)state;
	strcpy(r.zcomm, "worker");
	strcpy(r.pcomm, "server");
	reap_result_line(&r, &b);
	assert_string_equal(b.data, "12 (worker) held by 10 (server): reaped by nudge");
	buf_reset(&b);
	r.reaped = r.ok = false;
	strcpy(r.reason, "inject refused: its parent runs under a seccomp filter");
	reap_result_line(&r, &b);
	assert_string_equal(b.data, "12 (worker) held by 10 (server): not reaped: "
			    "inject refused: its parent runs under a seccomp filter");
	/* Gone, but pmon's step did nothing to the parent: never "reaped by". */
	buf_reset(&b);
	r.reaped = r.ok = true;
	r.by = REAP_NONE;
	strcpy(r.reason, "kill-parent: the parent's pid now names another process "
	       "(recycled); not signalled");
	reap_result_line(&r, &b);
	assert_string_equal(b.data, "12 (worker) held by 10 (server): gone (not by "
			    "pmon): kill-parent: the parent's pid now names another "
			    "process (recycled); not signalled");
	/* A target that named no zombie. */
	buf_reset(&b);
	r = (struct reap_result){.zpid = 99};
	strcpy(r.reason, "no such process");
	reap_result_line(&r, &b);
	assert_string_equal(b.data, "99: no such process");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_method_names),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_pid_in_parent_ns),
		cmocka_unit_test(test_is_init),
		cmocka_unit_test(test_inject_refusal),
		cmocka_unit_test(test_result_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
