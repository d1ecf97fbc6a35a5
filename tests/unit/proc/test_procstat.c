/*
 * test_procstat.c - ps-style STAT strings, state counts, elapsed times.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <string.h>

#include "proc/procstat.h"

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
	state_counts_add(&c, 'R', 1);
	state_counts_add(&c, 'S', 1);
	state_counts_add(&c, 'S', 1);
	state_counts_add(&c, 'Z', 1);
	state_counts_add(&c, 'I', 1);
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
	/* cut to the room given, always ended */
	format_elapsed(3661, s, 6);
	assert_string_equal(s, "01:01");
	format_elapsed(3661, s, 1);
	assert_string_equal(s, "");
}

/* Each modifier on its own, so that none is tied to another. */
static void test_each_modifier_alone(void **state)
{
	struct stat_inputs in;

	(void)state;
	in = (struct stat_inputs)PLAIN('S');
	in.nice = 19;
	assert_string_equal(stat_of(in), "SN");
	in = (struct stat_inputs)PLAIN('R');
	in.nice = -1;
	assert_string_equal(stat_of(in), "R<");
	in = (struct stat_inputs)PLAIN('D');
	in.locked = true;
	assert_string_equal(stat_of(in), "DL");
	in = (struct stat_inputs)PLAIN('T');
	in.session = in.pid;
	assert_string_equal(stat_of(in), "Ts");
	in = (struct stat_inputs)PLAIN('S');
	in.threads = 2;
	assert_string_equal(stat_of(in), "Sl");
	in = (struct stat_inputs)PLAIN('S');
	in.tpgid = in.pgrp; /* in the foreground, not its leader */
	assert_string_equal(stat_of(in), "S+");
}

/* A zombie that led its session is "Zs" in ps, as any other state. */
static void test_zombie_leader(void **state)
{
	struct stat_inputs in = PLAIN('Z');

	(void)state;
	in.session = in.pid;
	in.threads = 1;
	assert_string_equal(stat_of(in), "Zs");
}

/* Every modifier at once still fits, NUL included. */
static void test_longest_stat_fits(void **state)
{
	struct stat_inputs in = PLAIN('D');
	char out[STAT_MAX + 4];

	(void)state;
	memset(out, 'X', sizeof(out));
	in.nice = -20;
	in.locked = true;
	in.session = in.pid;
	in.threads = 100;
	in.tpgid = in.pgrp;
	format_stat(&in, out);
	assert_string_equal(out, "D<Lsl+");
	assert_true(strlen(out) < STAT_MAX);
	assert_int_equal(out[STAT_MAX], 'X');
}

static void test_state_slots(void **state)
{
	(void)state;
	assert_int_equal(state_slot_letters[state_slot('R')], 'R');
	assert_int_equal(state_slot_letters[state_slot('t')], 't');
	assert_int_equal(state_slot('W'), STATE_SLOTS - 1);
	assert_int_equal(state_slot('\0'), STATE_SLOTS - 1);
	assert_string_equal(state_name('t'), "tracing stop");
	assert_string_equal(state_name('T'), "stopped");
}

/* The rare states appear only when present; unknown letters as "other". */
static void test_counts_line_rare_states(void **state)
{
	struct state_counts c = {0};
	char line[256];

	(void)state;
	state_counts_add(&c, 't', 1);
	state_counts_add(&c, 'X', 1);
	state_counts_add(&c, 'W', 1);
	format_state_counts(&c, line, sizeof(line));
	assert_string_equal(line, "3 processes: 0 running, 0 sleeping, 0 disk sleep, "
				  "0 stopped, 1 tracing stop, 0 zombie, 1 dead, 1 other");
	memset(&c, 0, sizeof(c));
	state_counts_add(&c, 'D', 1);
	format_state_counts(&c, line, sizeof(line));
	assert_string_equal(line, "1 process: 0 running, 0 sleeping, 1 disk sleep, "
				  "0 stopped, 0 zombie");
}

/* Each boundary, with and without forced hours (ELAPSED and TIME). */
static void test_elapsed_boundaries(void **state)
{
	static const struct {
		long s;
		const char *elapsed, *time;
	} cases[] = {
		{0, "00:00", "00:00:00"},
		{59, "00:59", "00:00:59"},
		{60, "01:00", "00:01:00"},
		{3599, "59:59", "00:59:59"},
		{3600, "01:00:00", "01:00:00"},
		{86399, "23:59:59", "23:59:59"},
		{86400, "1-00:00:00", "1-00:00:00"},
		{400L * 86400 + 3661, "400-01:01:01", "400-01:01:01"},
		{1234 * 86400L + 7 * 3600 + 8 * 60 + 9, "1234-07:08:09", "1234-07:08:09"},
		{LONG_MAX, "106751991167300-15:30:07", "106751991167300-15:30:07"},
		{-1, "-", "-"},
	};
	char s[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		format_elapsed(cases[i].s, s, sizeof(s));
		assert_string_equal(s, cases[i].elapsed);
		format_duration(cases[i].s, true, s, sizeof(s));
		assert_string_equal(s, cases[i].time);
	}
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
		cmocka_unit_test(test_each_modifier_alone),
		cmocka_unit_test(test_zombie_leader),
		cmocka_unit_test(test_longest_stat_fits),
		cmocka_unit_test(test_state_slots),
		cmocka_unit_test(test_counts_line_rare_states),
		cmocka_unit_test(test_elapsed_boundaries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
