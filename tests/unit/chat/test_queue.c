/*
 * test_queue.c - the plain data of a connection (src/chat/queue.c): the
 * output ring across its wrap and while it grows, the byte cap, partial
 * writes, and the token bucket of flood control.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "chat/queue.h"

/* What the queue would write next, as one string. */
static void pending(const struct msgq *q, char *out, size_t size)
{
	struct iovec iov[64];
	size_t total, at = 0;
	unsigned n = msgq_iov(q, iov, 64, &total);

	for (unsigned i = 0; i < n; i++) {
		assert_true(at + iov[i].iov_len < size);
		memcpy(out + at, iov[i].iov_base, iov[i].iov_len);
		at += iov[i].iov_len;
	}
	assert_int_equal(at, total);
	assert_int_equal(total, q->bytes);
	out[at] = '\0';
}

static struct msg *msg_of(const char *s)
{
	return msg_new(s, strlen(s));
}

/* Push and write in turns so that the ring's head goes round its end,
 * then grow it while it is wrapped: order is kept throughout. */
static void test_ring_wraps_and_grows_in_order(void **state)
{
	struct msgq q = {0};
	struct msg *m[20];
	char got[256], want[256] = "";

	(void)state;
	for (int i = 0; i < 20; i++) {
		char s[8];

		snprintf(s, sizeof(s), "%c", 'a' + i);
		m[i] = msg_of(s);
	}
	for (int i = 0; i < 6; i++)
		assert_true(msgq_push(&q, m[i], SIZE_MAX));
	msgq_consume(&q, 5);              /* "abcde" written */
	for (int i = 6; i < 10; i++)      /* wraps: 8 slots, head at 5 */
		assert_true(msgq_push(&q, m[i], SIZE_MAX));
	assert_int_equal(q.cap, 8);
	assert_true(q.head + q.count > q.cap);
	pending(&q, got, sizeof(got));
	assert_string_equal(got, "fghij");
	for (int i = 10; i < 20; i++)     /* grows while wrapped */
		assert_true(msgq_push(&q, m[i], SIZE_MAX));
	assert_int_equal(q.cap, 16);
	pending(&q, got, sizeof(got));
	for (int i = 5; i < 20; i++)
		want[i - 5] = (char)('a' + i);
	assert_string_equal(got, want);
	msgq_consume(&q, q.bytes);
	assert_int_equal(q.count, 0);
	msgq_trim(&q);                    /* a ring of up to 32 is kept */
	assert_int_equal(q.cap, 16);
	for (int r = 0; r < 3; r++)       /* 60 references: grows to 64 */
		for (int i = 0; i < 20; i++)
			assert_true(msgq_push(&q, m[i], SIZE_MAX));
	assert_int_equal(q.cap, 64);
	msgq_consume(&q, q.bytes);
	msgq_trim(&q);                    /* a larger one is given back */
	assert_null(q.ring);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(m[i]->refs, 1); /* only ours is left */
		msg_unref(m[i]);
	}
}

/* A write that stops inside a message resumes at the byte it stopped. */
static void test_partial_write_resumes_mid_message(void **state)
{
	struct msg *a = msg_of("hello\n"), *b = msg_of("world\n");
	struct msgq q = {0};
	char got[64];

	(void)state;
	msgq_push(&q, a, SIZE_MAX);
	msgq_push(&q, b, SIZE_MAX);
	msgq_consume(&q, 3);
	pending(&q, got, sizeof(got));
	assert_string_equal(got, "lo\nworld\n");
	msgq_consume(&q, 5);              /* "lo\n" and "wo" */
	pending(&q, got, sizeof(got));
	assert_string_equal(got, "rld\n");
	assert_int_equal(a->refs, 1);
	msgq_clear(&q);
	assert_int_equal(b->refs, 1);
	msg_unref(a);
	msg_unref(b);
}

/* The cap counts what is still owed, and a refused push changes nothing. */
static void test_cap_refuses_what_would_pass_it(void **state)
{
	struct msg *m = msg_of("0123456789"); /* 10 bytes */
	struct msgq q = {0};

	(void)state;
	assert_true(msgq_push(&q, m, 25));
	assert_true(msgq_push(&q, m, 25));
	assert_false(msgq_push(&q, m, 25)); /* 30 > 25 */
	assert_int_equal(q.count, 2);
	assert_int_equal(q.bytes, 20);
	assert_int_equal(m->refs, 3);
	msgq_consume(&q, 6);                  /* 14 owed: room for one more */
	assert_true(msgq_push(&q, m, 25));
	assert_false(msgq_push(&q, m, 25));
	assert_true(msgq_push(&q, m, 34));    /* exactly at the cap is fine */
	msgq_clear(&q);
	assert_int_equal(m->refs, 1);
	msg_unref(m);
}

/* A burst, then the rate; the wait says when the next token comes. */
/* A run is the queue's first whole messages, matched by identity: a
 * queue owed the same messages matches, one that lacks one (the sender's
 * own) or has begun the first does not; it holds its references until
 * forgotten; it takes no more bytes than it is allowed. */
static void test_run_matches_the_same_messages_only(void **state)
{
	struct msg *a = msg_of("aa\n"), *b = msg_of("bbb\n"), *c = msg_of("c\n");
	struct msg *d = msg_of("d\n");
	struct msgq full = {0}, other = {0}, sender = {0};
	struct msgrun run = {0};

	(void)state;
	for (struct msgq *q = &full; q; q = q == &full ? &other : NULL) {
		msgq_push(q, a, SIZE_MAX);
		msgq_push(q, b, SIZE_MAX);
		msgq_push(q, c, SIZE_MAX);
	}
	msgq_push(&sender, a, SIZE_MAX); /* b was its own */
	msgq_push(&sender, c, SIZE_MAX);
	msgq_push(&sender, d, SIZE_MAX);
	assert_false(msgrun_matches(&run, &full)); /* empty matches nothing */
	assert_int_equal(msgrun_fill(&run, &full, SIZE_MAX), 3);
	assert_int_equal(run.len, 9);
	assert_memory_equal(run.bytes, "aa\nbbb\nc\n", 9);
	assert_int_equal(b->refs, 4); /* ours, two queues, the run */
	assert_true(msgrun_matches(&run, &other));
	assert_false(msgrun_matches(&run, &sender));
	msgq_consume(&other, 1);
	assert_false(msgrun_matches(&run, &other)); /* begun */
	assert_int_equal(msgrun_fill(&run, &full, 8), 2); /* "aa\nbbb\n" */
	assert_int_equal(run.len, 7);
	assert_int_equal(msgrun_fill(&run, &full, 2), 0); /* "aa\n" is 3 */
	assert_int_equal(msgrun_fill(&run, &sender, SIZE_MAX), 3);
	msgrun_forget(&run);
	assert_int_equal(a->refs, 4); /* ours and three queues: none kept */
	msgrun_free(&run);
	assert_null(run.bytes);
	msgq_clear(&full);
	msgq_clear(&other);
	msgq_clear(&sender);
	msg_unref(a);
	msg_unref(b);
	msg_unref(c);
	msg_unref(d);
}

static void test_token_bucket(void **state)
{
	struct bucket b;
	double t = 100.0;

	(void)state;
	bucket_init(&b, 3, t);
	for (int i = 0; i < 3; i++)
		assert_true(bucket_take(&b, t, 10, 3, 1) == 0);
	/* empty: one token every 0.1 s */
	assert_float_equal(bucket_take(&b, t, 10, 3, 1), 0.1, 1e-9);
	assert_float_equal(bucket_take(&b, t + 0.04, 10, 3, 1), 0.06, 1e-9);
	assert_true(bucket_take(&b, t + 0.11, 10, 3, 1) == 0);
	assert_true(bucket_take(&b, t + 0.15, 10, 3, 1) > 0);
	/* a long rest fills it to the burst, no more */
	for (int i = 0; i < 3; i++)
		assert_true(bucket_take(&b, t + 60, 10, 3, 1) == 0);
	assert_true(bucket_take(&b, t + 60, 10, 3, 1) > 0);
	/* a dearer line waits for all it costs, and takes all of it */
	assert_float_equal(bucket_take(&b, t + 60, 10, 3, 2.5), 0.25, 1e-9);
	assert_true(bucket_take(&b, t + 60.25, 10, 3, 2.5) == 0);
	assert_true(bucket_take(&b, t + 60.25, 10, 3, 0.5) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_wraps_and_grows_in_order),
		cmocka_unit_test(test_partial_write_resumes_mid_message),
		cmocka_unit_test(test_cap_refuses_what_would_pass_it),
		cmocka_unit_test(test_run_matches_the_same_messages_only),
		cmocka_unit_test(test_token_bucket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
