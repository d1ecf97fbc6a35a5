/*
 * test_viewjob.c - the form in which a view comes back from the child
 * that made it (src/chat/viewjob.c): what view_write writes view_parse
 * reads back whole, and nothing else is taken for a view.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "chat/viewjob.h"

static int parse(const char *text, int *rc, struct shared_view *v)
{
	return view_parse(text, strlen(text), rc, v);
}

/* An /inspect of this process, written on a pipe and read back. */
static void test_round_trip(void **state)
{
	struct view_order o = {.kind = VIEW_INSPECT, .pid = getpid(),
			       .asker = {.uid = 0, .sees_all = true}};
	struct shared_view v;
	char text[65536], head[64];
	ssize_t n;
	int p[2], rc = 7;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(view_write(p[1], &o), 0);
	close(p[1]);
	n = read(p[0], text, sizeof(text));
	close(p[0]);
	assert_true(n > 0);
	assert_int_equal(view_parse(text, (size_t)n, &rc, &v), 0);
	assert_int_equal(rc, 0);
	snprintf(head, sizeof(head), "/inspect %d ", (int)getpid());
	assert_memory_equal(v.head.data, head, strlen(head));
	assert_int_equal(v.n, 2);
	assert_int_equal(v.total, 2);
	assert_memory_equal(v.rows[0].data, "state ", 6);
	assert_memory_equal(v.rows[1].data, "started ", 8);
	view_free(&v);
}

static void test_parse_view(void **state)
{
	struct shared_view v;
	int rc;

	(void)state;
	assert_int_equal(parse("0 30 2\n/ps x: 30 processes\nrow one\nrow two\n",
			       &rc, &v), 0);
	assert_int_equal(rc, 0);
	assert_int_equal(v.total, 30);
	assert_int_equal(v.n, 2);
	assert_string_equal(v.head.data, "/ps x: 30 processes");
	assert_string_equal(v.rows[1].data, "row two");
	view_free(&v);
	/* a view's own "no such process" */
	assert_int_equal(parse("-1 0 0\n/tree 9: no such process\n", &rc, &v), 0);
	assert_int_equal(rc, -1);
	assert_string_equal(v.head.data, "/tree 9: no such process");
	view_free(&v);
}

static void test_parse_refuses(void **state)
{
	static const char *const bad[] = {
		"",
		"0 1 1\nhead\n",                /* a row short */
		"0 1 1\nhead\nrow\nmore\n",     /* a row too many */
		"0 1 1\nhead\nrow",             /* the last line cut */
		"0 0 1\nhead\nrow\n",           /* more kept than there were */
		"0 30 21\nhead\n",              /* more than 20 rows */
		"1 0 0\nhead\n",                /* rc neither 0 nor -1 */
		"0 0 0 extra\nhead\n",
		"x 0 0\nhead\n",
		"0 -1 0\nhead\n",
		"0 99999999999999999999999 0\nhead\n",
	};
	struct shared_view v;
	int rc;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], &rc, &v), -1);
		assert_string_equal(v.head.data, "the view came back garbled");
		assert_int_equal(v.n, 0);
		view_free(&v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_parse_view),
		cmocka_unit_test(test_parse_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
