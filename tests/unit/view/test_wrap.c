/*
 * test_wrap.c - out_wrapped (output.c), the wrapping of inspect's and
 * zombies' long rows: a line is cut between characters, never inside a
 * UTF-8 one, wide characters count two columns, and the spaces inside a
 * line are kept as the text had them.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "view/output.h"
#include "view/text.h"

/* out_wrapped of text after lead at width columns, as one string. */
static char *wrapped(const char *lead, const char *text, size_t width)
{
	static char *mem;
	size_t size;
	struct output o = {.utf8 = true, .width = width};

	free(mem);
	o.f = open_memstream(&mem, &size);
	assert_non_null(o.f);
	out_wrapped(&o, lead, text, 0);
	fclose(o.f);
	output_free(&o);
	return mem;
}

static bool valid_utf8_lines(const char *s)
{
	for (const char *line = s; *line;) {
		size_t n = strcspn(line, "\n"), cols;

		/* text_cut stops at nothing valid, so all of a line's bytes
		 * are taken only when none is cut. */
		if (text_cut(line, n, (size_t)-1, &cols) != n)
			return false;
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)line[i];

			if (c >= 0x80 && c < 0xc0 && (i == 0 || (unsigned char)line[i - 1] < 0x80))
				return false; /* a continuation byte starts a run */
		}
		line += n + (line[n] == '\n');
	}
	return true;
}

static void test_spaces_inside_a_line_are_kept(void **state)
{
	(void)state;
	assert_string_equal(wrapped("  cmd  ", "sp    aced 1001", 80),
			    "  cmd  sp    aced 1001\n");
	assert_string_equal(wrapped("", "  lead and trail  ", 80),
			    "lead and trail\n");
}

static void test_words_move_to_the_next_line_without_their_spaces(void **state)
{
	(void)state;
	/* 10-column lead, 20 columns: "aaaa bbbb" fits, "cccc" does not. */
	assert_string_equal(wrapped("label     ", "aaaa bbbb    cccc", 20),
			    "label     aaaa bbbb\n"
			    "          cccc\n");
}

static void test_a_long_word_is_cut_between_characters(void **state)
{
	const char *text = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			   "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac"
			   "\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac";
	char *out;

	(void)state;
	/* Every width: no line holds a torn character or more columns. */
	for (size_t width = 1; width <= 30; width++) {
		out = wrapped("", text, width);
		assert_true(valid_utf8_lines(out));
		for (char *line = out; *line;) {
			size_t n = strcspn(line, "\n"), cols;

			text_cut(line, n, (size_t)-1, &cols);
			if (width >= 2)
				assert_true(cols <= width);
			line += n + 1;
		}
	}
	/* 7 two-byte letters (7 columns), then 8 wide characters (16):
	 * the third wide one would end in column 13. */
	assert_string_equal(wrapped("", text, 12),
			    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			    "\xe6\x97\xa5\xe6\x9c\xac\n"
			    "\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spaces_inside_a_line_are_kept),
		cmocka_unit_test(test_words_move_to_the_next_line_without_their_spaces),
		cmocka_unit_test(test_a_long_word_is_cut_between_characters),
	};

	/* wcwidth needs a UTF-8 locale, as pmon has on a UTF-8 terminal. */
	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		fprintf(stderr, "test_wrap: the C.UTF-8 locale is missing\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
