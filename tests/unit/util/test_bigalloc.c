/*
 * test_bigalloc.c - big_alloc and xbig_calloc (util.c): the arrays of a
 * whole process table in 2 MiB pages, from 256 KiB up; below that the
 * ordinary allocator; and xbig_calloc's memory zeroed even where the
 * allocator hands back memory a previous table dirtied.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

#define HUGE_PAGE (2u << 20)

static void test_small_requests_are_left_to_malloc(void **state)
{
	(void)state;
	assert_null(big_alloc(256 * 1024 - 1));
	assert_int_equal(big_size(4096), 4096);
}

static void test_big_requests_are_whole_aligned_huge_pages(void **state)
{
	size_t sizes[] = {256 * 1024, HUGE_PAGE, HUGE_PAGE + 1, 5 * HUGE_PAGE / 2};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
		char *p = big_alloc(sizes[i]);
		size_t room = big_size(sizes[i]);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % HUGE_PAGE, 0);
		assert_int_equal(room % HUGE_PAGE, 0);
		assert_true(room >= sizes[i] && room - sizes[i] < HUGE_PAGE);
		memset(p, 0xa5, room); /* all of the room is ours */
		free(p);
	}
}

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* A table read, freed, and the next one taken: whatever memory the
 * allocator reuses, the new one starts zeroed, big or small. */
static void test_xbig_calloc_zeroes_reused_memory(void **state)
{
	size_t counts[] = {10, 1000, 10000, 30000};

	(void)state;
	/* Big blocks from the heap, kept there when freed: reused dirty. */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	for (size_t i = 0; i < ARRAY_LEN(counts); i++) {
		for (int round = 0; round < 4; round++) {
			unsigned char *p = xbig_calloc(counts[i], 256);

			assert_true(all_zero(p, counts[i] * 256));
			memset(p, 0xff, counts[i] * 256);
			free(p);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_requests_are_left_to_malloc),
		cmocka_unit_test(test_big_requests_are_whole_aligned_huge_pages),
		cmocka_unit_test(test_xbig_calloc_zeroes_reused_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
