/*
 * test_explain.c - words for what /proc says: system calls decoded with
 * their descriptors, state letters and STAT modifiers, capabilities,
 * policies, seccomp modes and the containers cgroup paths name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>

#include "view/explain.h"
#include "view/syscalls.h"

static struct syscall_line call(long nr, unsigned long long a0,
				unsigned long long a1, unsigned long long a2,
				unsigned long long a3)
{
	return (struct syscall_line){.kind = SYSCALL_IN, .nr = nr,
				     .args = {a0, a1, a2, a3, 0, 0}};
}

/* The call's text and its words, with fds already resolved. */
static void describe(const struct syscall_line *sc, const struct syscall_fd *fds,
		     size_t n, const char *want_call, const char *want_waits)
{
	struct buf c = {0}, w = {0};

	syscall_describe(sc, fds, n, true, &c, &w);
	assert_string_equal(c.data ? c.data : "", want_call);
	assert_string_equal(w.data ? w.data : "", want_waits);
	buf_free(&c);
	buf_free(&w);
}

static void test_syscall_names(void **state)
{
	(void)state;
	assert_string_equal(syscall_name(SYS_read), "read");
	assert_string_equal(syscall_name(SYS_epoll_wait), "epoll_wait");
	assert_int_equal(syscall_number("wait4"), SYS_wait4);
	assert_null(syscall_name(100000));
	assert_int_equal(syscall_number("no_such_call"), -1);
}

static void test_read_pipe(void **state)
{
	struct syscall_line sc = call(SYS_read, 3, 0x7ffd0000, 4096, 0);
	struct syscall_fd fd = {3, "pipe:[81234]", NULL, -1};
	int fds[6];
	unsigned ep;

	(void)state;
	assert_int_equal(syscall_fd_args(&sc, fds, &ep), 1);
	assert_int_equal(fds[0], 3);
	assert_int_equal(ep, 0);
	describe(&sc, &fd, 1, "read(3 \u2192 pipe:[81234], 4096)",
		 "data to read from pipe:[81234]");
	/* Not readable (another account's process): the number alone. */
	fd.target = NULL;
	describe(&sc, &fd, 1, "read(3, 4096)", "data to read from descriptor 3");
}

static void test_epoll_and_poll(void **state)
{
	struct syscall_line sc = call(SYS_epoll_wait, 5, 0x1000, 16, (unsigned long long)-1);
	struct syscall_fd fd = {5, "anon_inode:[eventpoll]", NULL, 12};
	int fds[6];
	unsigned ep;

	(void)state;
	assert_int_equal(syscall_fd_args(&sc, fds, &ep), 1);
	assert_int_equal(ep, 1);
	describe(&sc, &fd, 1, "epoll_wait(5 \u2192 12 watched, 16, no timeout)",
		 "an event on one of the 12 descriptors its epoll instance 5 watches");
	sc = call(SYS_poll, 0x1000, 2, 500, 0);
	describe(&sc, NULL, 0, "poll(2 fds, timeout 500 ms)",
		 "one of 2 descriptors to become ready");
	sc = call(SYS_ppoll, 0x1000, 3, 0, 0);
	describe(&sc, NULL, 0, "ppoll(3 fds, no timeout)",
		 "one of 3 descriptors to become ready");
	sc = call(SYS_select, 7, 0x1, 0, 0);
	describe(&sc, NULL, 0, "select(7, no timeout)",
		 "one of the descriptors below 7 to become ready");
}

static void test_futex_wait_sleep(void **state)
{
	struct syscall_line sc = call(SYS_futex, 0x55d0aa10, 128, 0, 0);

	(void)state;
	describe(&sc, NULL, 0, "futex(0x55d0aa10, FUTEX_WAIT_PRIVATE, no timeout)",
		 "a wake-up on the futex at 0x55d0aa10 (a lock, a condition "
		 "variable or a thread to finish)");
	sc = call(SYS_wait4, (unsigned long long)-1, 0x1000, 0, 0);
	describe(&sc, NULL, 0, "wait4(-1)", "any child to exit or stop");
	sc = call(SYS_wait4, 4242, 0, 2, 0);
	describe(&sc, NULL, 0, "wait4(4242, WUNTRACED)", "child 4242 to exit or stop");
	sc = call(SYS_waitid, 2, 77, 0, 4);
	describe(&sc, NULL, 0, "waitid(P_PGID, 77, WEXITED)",
		 "any child in process group 77 to change state");
	sc = call(SYS_clock_nanosleep, 0, 1, 0x1000, 0);
	describe(&sc, NULL, 0, "clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME)",
		 "a set time to pass on CLOCK_REALTIME");
	sc = call(SYS_clock_nanosleep, 1, 0, 0x1000, 0);
	describe(&sc, NULL, 0, "clock_nanosleep(CLOCK_MONOTONIC)",
		 "a set time to pass on CLOCK_MONOTONIC");
	sc = call(SYS_nanosleep, 0x1000, 0, 0, 0);
	describe(&sc, NULL, 0, "nanosleep()", "a set time to pass");
	sc = call(SYS_pause, 0, 0, 0, 0);
	describe(&sc, NULL, 0, "pause()", "any signal");
	sc = call(SYS_rt_sigtimedwait, 0x1000, 0, 0x2000, 8);
	describe(&sc, NULL, 0, "rt_sigtimedwait(timeout set)",
		 "one of the signals it waits for");
	/* open's flags by name; its mode only when O_CREAT reads it (the
	 * register holds anything otherwise: it once showed as "00"). */
	sc = call(SYS_openat, (unsigned long long)-100, 0x1000, O_RDONLY, 0);
	describe(&sc, NULL, 0, "openat(AT_FDCWD, O_RDONLY)",
		 "the open to complete (a FIFO waits for its other end)");
	sc = call(SYS_openat, (unsigned long long)-100, 0x1000,
		  O_WRONLY | O_CREAT | O_CLOEXEC | 0100000, 0640);
	describe(&sc, NULL, 0, "openat(AT_FDCWD, O_WRONLY|O_CREAT|O_LARGEFILE|O_CLOEXEC, 0640)",
		 "the open to complete (a FIFO waits for its other end)");
	sc = call(SYS_openat, (unsigned long long)-100, 0x1000, O_RDWR | 0x40000000, 0777);
	describe(&sc, NULL, 0, "openat(AT_FDCWD, O_RDWR|0x40000000)",
		 "the open to complete (a FIFO waits for its other end)");
}

static void test_sockets(void **state)
{
	struct syscall_line sc = call(SYS_accept, 3, 0, 0, 0);
	struct syscall_fd fd = {3, "socket:[81234]", "TCP 127.0.0.1:8080 listening", -1};

	(void)state;
	describe(&sc, &fd, 1,
		 "accept(3 \u2192 socket:[81234] (TCP 127.0.0.1:8080 listening))",
		 "a connection to accept on socket:[81234] (TCP 127.0.0.1:8080 listening)");
	sc = call(SYS_recvfrom, 4, 0x1000, 1024, 0);
	fd = (struct syscall_fd){4, "socket:[9]", NULL, -1};
	describe(&sc, &fd, 1, "recvfrom(4 \u2192 socket:[9], 1024)",
		 "data to receive on socket:[9]");
}

static void test_not_decoded(void **state)
{
	struct syscall_line sc = call(SYS_getpid, 0, 0, 0, 0);
	struct buf c = {0}, w = {0};

	(void)state;
	describe(&sc, NULL, 0, "getpid()", "");
	sc.nr = 100000;
	describe(&sc, NULL, 0, "syscall 100000", "");
	/* Not in a call: nothing to say. */
	sc.kind = SYSCALL_RUNNING;
	syscall_describe(&sc, NULL, 0, true, &c, &w);
	assert_int_equal(c.len, 0);
	assert_int_equal(w.len, 0);
	/* ASCII arrow outside UTF-8. */
	sc = call(SYS_read, 0, 0, 1, 0);
	{
		struct syscall_fd fd = {0, "/dev/null", NULL, -1};

		syscall_describe(&sc, &fd, 1, false, &c, &w);
		assert_string_equal(c.data, "read(0 -> /dev/null, 1)");
	}
	buf_free(&c);
	buf_free(&w);
}

static void test_states(void **state)
{
	(void)state;
	assert_string_equal(state_meaning('S'), "sleeping, interruptible: waiting for an event");
	assert_non_null(strstr(state_meaning('D'), "uninterruptible"));
	assert_non_null(strstr(state_meaning('Z'), "wait()"));
	assert_non_null(strstr(state_meaning('t'), "tracer"));
	assert_null(state_meaning('?'));
	assert_string_equal(stat_modifier_meaning('s'), "session leader");
	assert_string_equal(stat_modifier_meaning('+'),
			    "in the foreground process group of its terminal");
	assert_null(stat_modifier_meaning('S'));
}

static void test_caps(void **state)
{
	struct buf b = {0};

	(void)state;
	assert_string_equal(cap_name(13), "net_raw");
	assert_string_equal(cap_name(40), "checkpoint_restore");
	assert_null(cap_name(41));
	caps_describe(0, &b);
	assert_string_equal(b.data, "none");
	buf_reset(&b);
	caps_describe((1ull << 12) | (1ull << 13), &b);
	assert_string_equal(b.data, "net_admin, net_raw");
	buf_reset(&b);
	caps_describe((1ull << cap_count()) - 1, &b);
	assert_string_equal(b.data, "all 41");
	buf_reset(&b);
	/* A root whose container took sys_resource away. */
	caps_describe(0x1fffeffffffull, &b);
	assert_string_equal(b.data, "all 41 but sys_resource");
	buf_reset(&b);
	caps_describe(1ull << 50, &b);
	assert_string_equal(b.data, "cap_50");
	buf_free(&b);
	assert_string_equal(sched_policy_name(0), "SCHED_OTHER");
	assert_null(sched_policy_name(42));
	assert_string_equal(seccomp_mode_name(2), "filter");
	assert_null(seccomp_mode_name(3));
}

static void container(const char *cgroup, const char *want)
{
	struct buf b = {0};
	bool found = cgroup_container(cgroup, &b);

	if (want) {
		assert_true(found);
		assert_string_equal(b.data, want);
	} else {
		assert_false(found);
	}
	buf_free(&b);
}

static void test_containers(void **state)
{
	(void)state;
	container("0::/system.slice/docker-0123456789abcdef0123.scope",
		  "docker container 0123456789ab");
	container("12:memory:/docker/fedcba9876543210fedc;0::/", "docker container fedcba987654");
	container("0::/machine.slice/libpod-aaaabbbbccccdddd.scope/container",
		  "podman container aaaabbbbcccc");
	container("0::/lxc.payload.web1/system.slice/nginx.service", "LXC container web1");
	container("0::/kubepods/burstable/pod1234-5678/abcdef", "kubernetes pod 1234-5678");
	container("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod12_34.slice/cri-containerd-99.scope",
		  "kubernetes pod 12_34");
	container("0::/system.slice/nginx.service", "systemd service nginx.service");
	container("0::/user.slice/user-1000.slice/session-3.scope", "login session 3");
	container("4:memory:/process_api/70cf3ea5;0::/", NULL);
	container("0::/", NULL);
	container("", NULL);
	container("garbage", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscall_names),
		cmocka_unit_test(test_read_pipe),
		cmocka_unit_test(test_epoll_and_poll),
		cmocka_unit_test(test_futex_wait_sleep),
		cmocka_unit_test(test_sockets),
		cmocka_unit_test(test_not_decoded),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_containers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
