/*
 * test_loop.c - the chat server's epoll loop (src/chat/loop.c):
 * handlers see only what they asked for, the before-sleep hook runs and
 * bounds the wait, and the loop stops when told.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "chat/loop.h"

struct seen {
	int reads, writes, sleeps;
	int fd;
	double start;
};

static void on_fd(struct loop *l, int fd, void *data, int mask)
{
	struct seen *s = data;
	char c;

	s->fd = fd;
	if (mask & LOOP_READ) {
		s->reads++;
		assert_int_equal(read(fd, &c, 1), 1);
	}
	if (mask & LOOP_WRITE) {
		s->writes++;
		/* asked for once: stop wanting it */
		assert_int_equal(loop_set_mask(l, fd, LOOP_READ), 0);
	}
}

static int before(struct loop *l, void *data)
{
	struct seen *s = data;

	if (++s->sleeps >= 3)
		loop_stop(l);
	return 10; /* never wait long: the test must end */
}

static void test_loop_dispatch(void **state)
{
	struct loop *l = loop_new();
	struct seen s = {0};
	int sv[2];

	(void)state;
	assert_non_null(l);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(loop_add(l, sv[0], LOOP_READ | LOOP_WRITE, on_fd, &s), 0);
	assert_int_equal(loop_get_mask(l, sv[0]), LOOP_READ | LOOP_WRITE);
	assert_int_equal(write(sv[1], "x", 1), 1);
	loop_set_before_sleep(l, before, &s);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(s.fd, sv[0]);
	assert_int_equal(s.reads, 1);  /* one byte, read once */
	assert_int_equal(s.writes, 1); /* writable, until no longer asked */
	assert_int_equal(loop_get_mask(l, sv[0]), LOOP_READ);
	loop_del(l, sv[0]);
	assert_int_equal(loop_get_mask(l, sv[0]), 0);
	assert_int_equal(loop_set_mask(l, sv[0], LOOP_READ), -1);
	loop_free(l);
	close(sv[0]);
	close(sv[1]);
}

/* Any event counts; reads nothing, so a hang-up would be seen again. */
static void on_any(struct loop *l, int fd, void *data, int mask)
{
	struct seen *s = data;

	(void)l;
	(void)fd;
	(void)mask;
	s->reads++;
}

/* Runs the loop for 50 ms of waits of 10 ms: about 5 sleeps when
 * nothing wakes it, thousands when something does each time. */
static int for_50_ms(struct loop *l, void *data)
{
	struct seen *s = data;
	struct timespec now;
	double t;

	clock_gettime(CLOCK_MONOTONIC, &now);
	t = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
	if (s->sleeps++ == 0)
		s->start = t;
	else if (t - s->start >= 0.05)
		loop_stop(l);
	return 10;
}

/* A descriptor asleep (mask 0: a connection whose line the room holds)
 * whose peer hangs up wakes nobody: epoll reports a hang-up whatever it
 * was asked for, and the level-triggered loop would spin on it until the
 * descriptor woke (a full core, seen while a view was being made). */
static void test_asleep_hangup_wakes_nobody(void **state)
{
	struct loop *l = loop_new();
	struct seen s = {0};
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(loop_add(l, sv[0], 0, on_any, &s), 0);
	close(sv[1]);
	loop_set_before_sleep(l, for_50_ms, &s);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(s.reads, 0);
	assert_true(s.sleeps < 20);
	/* awake: the hang-up is seen */
	assert_int_equal(loop_set_mask(l, sv[0], LOOP_READ), 0);
	s.sleeps = 0;
	assert_int_equal(loop_run(l), 0);
	assert_true(s.reads > 0);
	/* asleep after being awake, too */
	assert_int_equal(loop_set_mask(l, sv[0], 0), 0);
	s.reads = s.sleeps = 0;
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(s.reads, 0);
	assert_true(s.sleeps < 20);
	assert_int_equal(loop_get_mask(l, sv[0]), 0);
	loop_del(l, sv[0]);
	loop_free(l);
	close(sv[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loop_dispatch),
		cmocka_unit_test(test_asleep_hangup_wakes_nobody),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
