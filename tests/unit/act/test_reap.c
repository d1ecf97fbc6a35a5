/*
 * test_reap.c - the pure logic of `pmon reap`: method names, which steps
 * run for which parent, pid translation between PID namespaces, the
 * verdict (what inject may do, for reap and zombies' advice alike), which
 * calls an inject's stop makes fail with EINTR, and the result lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>

#include "act/inject.h"
#include "act/reap.h"
#include "act/syscalls.h"
#include "act/verdict.h"

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

static void test_verdict_on_the_process(void **state)
{
	struct proc p = {.pid = 300, .have = PI_TRACE};
	struct reap_verdict v;

	(void)state;
	if (!inject_supported()) {
		reap_check(&p, false, &v);
		assert_int_equal(v.block, BLOCK_ARCH);
		return;
	}
	p.tracer_pid = 77;
	reap_check(&p, false, &v);
	assert_int_equal(v.block, BLOCK_TRACED);
	assert_non_null(strstr(v.why, "already traced by PID 77"));
	assert_non_null(strstr(v.instead, "once PID 77 lets go of it"));
	p.tracer_pid = 0;
	p.seccomp = 2;
	reap_check(&p, false, &v);
	assert_int_equal(v.block, BLOCK_SECCOMP);
	assert_non_null(strstr(v.why, "seccomp filter"));
	assert_non_null(strstr(v.instead, "`pmon reap --kill-parent 300`"));
	p.seccomp = 1;
	reap_check(&p, true, &v);
	assert_non_null(strstr(v.why, "seccomp strict mode"));
	/* An init comes first, whatever else holds. */
	p.pid = 1;
	reap_check(&p, false, &v);
	assert_int_equal(v.block, BLOCK_INIT);
	assert_non_null(strstr(v.why, "pmon never touches PID 1"));
}

#if defined(__x86_64__)
static void test_verdict_on_the_call(void **state)
{
	struct proc p = {.pid = 300, .have = PI_TRACE};
	struct syscall_line sc = {.kind = SYSCALL_IN, .nr = SYS_epoll_wait,
				  .args = {3, 0x1000, 1, (unsigned long)-1}};
	struct reap_verdict v = {0};

	(void)state;
	/* epoll_wait(-1): EINTR, but no timeout: pmon restarts it. */
	reap_check_call(&p, 301, 'S', &sc, -1, false, &v);
	assert_int_equal(v.block, BLOCK_NONE);
	assert_true(v.restarts_call);
	assert_string_equal(v.call, "epoll_wait");
	assert_int_equal(v.tid, 301);
	/* With a timeout: refused, unless allowed. */
	sc.args[3] = 5000;
	memset(&v, 0, sizeof(v));
	reap_check_call(&p, 301, 'S', &sc, -1, false, &v);
	assert_int_equal(v.block, BLOCK_EINTR);
	assert_non_null(strstr(v.why, "blocked in epoll_wait() with a timeout"));
	assert_non_null(strstr(v.instead, "`pmon reap --allow-eintr 300`"));
	memset(&v, 0, sizeof(v));
	reap_check_call(&p, 301, 'S', &sc, -1, true, &v);
	assert_int_equal(v.block, BLOCK_NONE);
	assert_true(v.eintr);
	/* Stopped: the stop took it out of the call already. */
	memset(&v, 0, sizeof(v));
	reap_check_call(&p, 301, 'T', &sc, -1, false, &v);
	assert_int_equal(v.block, BLOCK_NONE);
	/* read(): on a socket it may fail with EINTR; on a pipe it restarts. */
	sc = (struct syscall_line){.kind = SYSCALL_IN, .nr = SYS_read, .args = {4}};
	memset(&v, 0, sizeof(v));
	reap_check_call(&p, 301, 'S', &sc, 0, false, &v);
	assert_int_equal(v.block, BLOCK_NONE);
	memset(&v, 0, sizeof(v));
	reap_check_call(&p, 301, 'S', &sc, 1, false, &v);
	assert_int_equal(v.block, BLOCK_EINTR);
	assert_non_null(strstr(v.why, "read() on a socket"));
	/* A vfork parent in D. */
	sc = (struct syscall_line){.kind = SYSCALL_IN, .nr = SYS_vfork};
	memset(&v, 0, sizeof(v));
	reap_check_call(&p, 301, 'D', &sc, -1, false, &v);
	assert_int_equal(v.block, BLOCK_VFORK);
	assert_non_null(strstr(v.instead, "`pmon reap --kill-parent 300` ends it now"));
}

static void test_calls(void **state)
{
	unsigned long long none[6] = {0}, timed[6] = {0, 0, 0, 0x7ffd0000, 0x7ffd0000, 0};
	unsigned long long forever[6] = {0, 0, 0, (unsigned long long)-1};

	(void)state;
	assert_int_equal(syscall_restart(SYS_pause, none).restart, CALL_RESTARTS);
	assert_int_equal(syscall_restart(SYS_poll, none).restart, CALL_RESTARTS);
	assert_int_equal(syscall_restart(SYS_nanosleep, none).restart, CALL_RESTARTS);
	assert_int_equal(syscall_restart(SYS_io_pgetevents, none).restart, CALL_RESTARTS);
	assert_int_equal(syscall_restart(SYS_epoll_wait, forever).restart, CALL_EINTR_UNTIMED);
	assert_int_equal(syscall_restart(SYS_epoll_pwait, timed).restart, CALL_EINTR_TIMED);
	assert_int_equal(syscall_restart(SYS_epoll_pwait2, none).restart, CALL_EINTR_UNTIMED);
	assert_int_equal(syscall_restart(SYS_epoll_pwait2, timed).restart, CALL_EINTR_TIMED);
	assert_int_equal(syscall_restart(SYS_rt_sigtimedwait, none).restart, CALL_EINTR_UNTIMED);
	assert_int_equal(syscall_restart(SYS_semop, timed).restart, CALL_EINTR_UNTIMED);
	assert_int_equal(syscall_restart(SYS_semtimedop, timed).restart, CALL_EINTR_TIMED);
	assert_int_equal(syscall_restart(SYS_io_getevents, timed).restart, CALL_EINTR_TIMED);
	assert_int_equal(syscall_restart(SYS_io_getevents, none).restart, CALL_EINTR_UNTIMED);
	assert_true(syscall_restart(SYS_io_uring_enter, none).timeout_unseen);
	assert_int_equal(syscall_restart(SYS_accept, none).restart, CALL_EINTR_ON_SOCKET);
	assert_true(syscall_is_fork(SYS_vfork));
	assert_false(syscall_is_fork(SYS_read));
}
#endif

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
		cmocka_unit_test(test_verdict_on_the_process),
#if defined(__x86_64__)
		cmocka_unit_test(test_verdict_on_the_call),
		cmocka_unit_test(test_calls),
#endif
		cmocka_unit_test(test_result_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
