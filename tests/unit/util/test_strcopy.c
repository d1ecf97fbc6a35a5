/*
 * test_strcopy.c - str_copy (util.c): what snprintf(dst, size, "%s", s)
 * gives, for every size around the string's length, and nothing written
 * past size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"

static void test_same_as_snprintf_at_every_size(void **state)
{
	static const char *const inputs[] = {"", "a", "kworker/u8:0-writeback",
					     "exactly-15-byte", "sixteen-bytes-16"};

	(void)state;
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		for (size_t size = 1; size <= strlen(inputs[i]) + 2; size++) {
			char got[40], want[40];

			memset(got, '#', sizeof(got));
			memset(want, '#', sizeof(want));
			str_copy(got, size, inputs[i]);
			snprintf(want, size, "%s", inputs[i]);
			assert_memory_equal(got, want, sizeof(got));
		}
	}
}

/* A source without its end within size is not read past size - 1. */
static void test_reads_no_further_than_it_copies(void **state)
{
	const char unended[4] = {'a', 'b', 'c', 'd'};
	char out[4];

	(void)state;
	str_copy(out, sizeof(out), unended);
	assert_string_equal(out, "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_snprintf_at_every_size),
		cmocka_unit_test(test_reads_no_further_than_it_copies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
