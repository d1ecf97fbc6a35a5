/*
 * test_procstat.c - ps-style STAT strings, state counts, elapsed times.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "procstat.h"

static const char *stat_of(struct stat_inputs in)
{
	static char out[STAT_MAX];

	format_stat(&in, out);
	return out;
}

/* Not a session leader, not in the foreground: the plain letter. */
#define PLAIN(letter) {.state = letter, .pid = 100, .session = 1, .threads = 1, .pgrp = 100, .tpgid = -1}

static void test_plain_states(void **state)
{
	(void)state;
	assert_string_equal(stat_of((struct stat_inputs)PLAIN('R')), "R");
	assert_string_equal(stat_of((struct stat_inputs)PLAIN('S')), "S");
	assert_string_equal(stat_of((struct stat_inputs)PLAIN('D')), "D");
	assert_string_equal(stat_of((struct stat_inputs)PLAIN('T')), "T");
	assert_string_equal(stat_of((struct stat_inputs)PLAIN('Z')), "Z");
}

static void test_modifiers_in_ps_order(void **state)
{
	struct stat_inputs in = PLAIN('S');

	(void)state;
	in.nice = -5;
	in.locked = true;
	in.session = in.pid;
	in.threads = 4;
	in.tpgid = in.pgrp;
	/* ps prints state < N L s l + in this order (procps pr_stat). */
	assert_string_equal(stat_of(in), "S<Lsl+");
	in.nice = 10;
	assert_string_equal(stat_of(in), "SNLsl+");
	in.nice = 0;
	in.locked = false;
	assert_string_equal(stat_of(in), "Ssl+");
}

static void test_kernel_thread_not_foreground(void **state)
{
	/* kthreadd: session 0, pgrp 0, tpgid -1: nothing but the nice. */
	struct stat_inputs in = {.state = 'I', .nice = -20, .pid = 4,
				 .session = 0, .threads = 1, .pgrp = 0, .tpgid = -1};

	(void)state;
	assert_string_equal(stat_of(in), "I<");
}

static void test_state_names(void **state)
{
	(void)state;
	assert_string_equal(state_name('D'), "disk sleep");
	assert_string_equal(state_name('Z'), "zombie");
	assert_string_equal(state_name('I'), "idle");
	assert_string_equal(state_name('?'), "unknown");
}

static void test_counts_line(void **state)
{
	struct state_counts c = {0};
	char line[256];

	(void)state;
	state_counts_add(&c, 'R');
	state_counts_add(&c, 'S');
	state_counts_add(&c, 'S');
	state_counts_add(&c, 'Z');
	state_counts_add(&c, 'I');
	format_state_counts(&c, line, sizeof(line));
	assert_string_equal(line, "5 processes: 1 running, 2 sleeping, 0 disk sleep, "
				  "0 stopped, 1 zombie, 1 idle");
}

static void test_counts_line_truncates_safely(void **state)
{
	struct state_counts c = {.total = 1, .n = {1}};
	char line[10];
	size_t want;

	(void)state;
	want = format_state_counts(&c, line, sizeof(line));
	assert_true(want > sizeof(line));
	assert_int_equal(strlen(line), sizeof(line) - 1);
}

static void test_elapsed(void **state)
{
	char s[32];

	(void)state;
	format_elapsed(5, s, sizeof(s));
	assert_string_equal(s, "00:05");
	format_elapsed(3661, s, sizeof(s));
	assert_string_equal(s, "01:01:01");
	format_elapsed(2 * 86400 + 5, s, sizeof(s));
	assert_string_equal(s, "2-00:00:05");
	format_elapsed(-1, s, sizeof(s));
	assert_string_equal(s, "-");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_states),
		cmocka_unit_test(test_modifiers_in_ps_order),
		cmocka_unit_test(test_kernel_thread_not_foreground),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_counts_line),
		cmocka_unit_test(test_counts_line_truncates_safely),
		cmocka_unit_test(test_elapsed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
