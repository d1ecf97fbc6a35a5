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
#include <unistd.h>

#include "chat/loop.h"

struct seen {
	int reads, writes, sleeps;
	int fd;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loop_dispatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
