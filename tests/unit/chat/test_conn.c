/*
 * test_conn.c - the connection layer (src/chat/conn.c) on real sockets:
 * lines go up whole and in order, a held line comes again, flood control
 * delays but never drops, a reader that stops is cut off at the cap, a
 * deadline ends a connection, and the peer's close is reported.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chat/conn.h"

struct t {
	struct loop *loop;
	struct conns *set;
	struct conn *c;
	int peer;                 /* the client's end */
	char lines[64][32];
	int nlines;
	int holds;                /* hold the next line this many times */
	bool closed;
	char why[128];
	bool (*done)(struct t *);
	double give_up;
};

static bool on_line(void *ctx, struct conn *c, const char *line, size_t len)
{
	struct t *t = ctx;

	assert_ptr_equal(c, t->c);
	if (t->holds > 0) {
		t->holds--;
		return false;
	}
	assert_true(t->nlines < 64 && len < 32);
	memcpy(t->lines[t->nlines], line, len);
	t->lines[t->nlines++][len] = '\0';
	return true;
}

static void on_closed(void *ctx, struct conn *c, const char *why)
{
	struct t *t = ctx;

	assert_ptr_equal(c, t->c);
	assert_false(t->closed); /* once */
	t->closed = true;
	snprintf(t->why, sizeof(t->why), "%s", why ? why : "(none)");
	t->c = NULL;
}

static const struct conn_ops ops = {on_line, on_closed};

static int before(struct loop *l, void *data)
{
	struct t *t = data;
	int timeout = conns_before_sleep(t->set);

	/* A guard against a hang, not a measurement. */
	if (t->done(t) || mono_now() > t->give_up)
		loop_stop(l);
	return timeout < 0 || timeout > 100 ? 100 : timeout;
}

static void run_until(struct t *t, bool (*done)(struct t *))
{
	t->done = done;
	t->give_up = mono_now() + 10;
	loop_set_before_sleep(t->loop, before, t);
	assert_int_equal(loop_run(t->loop), 0);
	assert_true(done(t));
}

static struct t *setup(double rate, double burst, size_t cap)
{
	struct conn_limits lim = {rate, burst, cap};
	struct t *t = calloc(1, sizeof(*t));
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
				    sv), 0);
	t->loop = loop_new();
	t->set = conns_new(t->loop, &lim, &ops, t);
	t->c = conn_add(t->set, sv[0], false);
	assert_non_null(t->c);
	t->peer = sv[1];
	return t;
}

static void teardown(struct t *t)
{
	conns_free(t->set);
	loop_free(t->loop);
	close(t->peer);
	free(t);
}

static void put(struct t *t, const char *s)
{
	assert_int_equal(write(t->peer, s, strlen(s)), (ssize_t)strlen(s));
}

static bool two_lines(struct t *t) { return t->nlines >= 2; }
static bool three_lines(struct t *t) { return t->nlines >= 3; }
static bool five_lines(struct t *t) { return t->nlines >= 5; }
static bool held_once(struct t *t) { return t->holds == 0; }
static bool is_closed(struct t *t) { return t->closed; }

static void test_lines_go_up_whole(void **state)
{
	struct t *t = setup(0, 1, 1 << 20);

	(void)state;
	put(t, "one\ntwo\r\nthr");
	run_until(t, two_lines);
	assert_int_equal(t->nlines, 2); /* not the partial third */
	assert_string_equal(t->lines[1], "two");
	put(t, "ee\n");
	run_until(t, three_lines);
	assert_string_equal(t->lines[2], "three");
	teardown(t);
}

static void test_a_held_line_comes_again(void **state)
{
	struct t *t = setup(0, 1, 1 << 20);

	(void)state;
	t->holds = 1;
	put(t, "first\nsecond\nthird\n");
	run_until(t, held_once);
	assert_int_equal(t->nlines, 0); /* nothing after the held line */
	conn_release(t->c);
	assert_int_equal(t->nlines, 3);
	assert_string_equal(t->lines[0], "first");
	assert_string_equal(t->lines[2], "third");
	teardown(t);
}

/* A burst of 2 at 5 lines a second: 5 lines sent at once take 0.6 s or
 * more to arrive, but arrive all, in order. */
static void test_flood_delays_never_drops(void **state)
{
	struct t *t = setup(5, 2, 1 << 20);
	double start = mono_now();

	(void)state;
	put(t, "l1\nl2\nl3\nl4\nl5\n");
	run_until(t, two_lines);
	run_until(t, five_lines);
	assert_true(mono_now() - start >= 0.6 - 0.01);
	for (int i = 0; i < 5; i++) {
		char want[8];

		snprintf(want, sizeof(want), "l%d", i + 1);
		assert_string_equal(t->lines[i], want);
	}
	assert_false(t->closed);
	teardown(t);
}

/* A peer that never reads: the socket fills, then the queue, and past
 * the cap the connection is cut off, once, saying why. */
static void test_a_stalled_reader_is_cut_off_at_the_cap(void **state)
{
	struct t *t = setup(0, 1, 64 * 1024);
	char block[1024];
	struct msg *m;
	size_t pushed = 0;

	(void)state;
	memset(block, 'x', sizeof(block) - 1);
	block[sizeof(block) - 1] = '\n';
	m = msg_new(block, sizeof(block));
	/* Bounded by the socket's buffer plus the cap; 64 MiB is a guard. */
	while (!t->closed && pushed < (64u << 20)) {
		conn_push(t->c, m);
		pushed += sizeof(block);
		conns_before_sleep(t->set); /* writes what the socket takes */
	}
	assert_true(t->closed);
	assert_non_null(strstr(t->why, "too slow"));
	assert_true(pushed > 64 * 1024);
	assert_int_equal(m->refs, 1); /* every queued reference let go */
	msg_unref(m);
	teardown(t);
}

static void test_a_deadline_ends_the_connection(void **state)
{
	struct t *t = setup(0, 1, 1 << 20);
	char got[128] = "";
	ssize_t n;

	(void)state;
	conn_set_deadline(t->c, mono_now() + 0.05, "no name given in time");
	assert_true(conns_before_sleep(t->set) >= 0); /* a timeout is set */
	run_until(t, is_closed);
	assert_string_equal(t->why, "no name given in time");
	n = read(t->peer, got, sizeof(got) - 1);
	assert_true(n > 0);
	got[n] = '\0';
	assert_string_equal(got, "error gone no name given in time\n");
	teardown(t);
}

static void test_the_peer_closing_is_a_plain_end(void **state)
{
	struct t *t = setup(0, 1, 1 << 20);

	(void)state;
	put(t, "bye\n");
	shutdown(t->peer, SHUT_WR);
	run_until(t, is_closed);
	assert_int_equal(t->nlines, 1); /* the last line first */
	assert_string_equal(t->why, "(none)");
	assert_int_equal(conns_count(t->set), 0);
	teardown(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_go_up_whole),
		cmocka_unit_test(test_a_held_line_comes_again),
		cmocka_unit_test(test_flood_delays_never_drops),
		cmocka_unit_test(test_a_stalled_reader_is_cut_off_at_the_cap),
		cmocka_unit_test(test_a_deadline_ends_the_connection),
		cmocka_unit_test(test_the_peer_closing_is_a_plain_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
