/*
 * test_cmdopt.c - the option tables of the command table (struct cmd_opt):
 * what getopt, --help and the completion scripts are made from must be
 * consistent, or an option would be parsed as another, or missing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/cmd.h"

/* No two options of a command return the same value from cmd_getopt,
 * and no long-only option's code is one of the command's short letters
 * (getopt would take -CODE for it). */
static void test_values_unique(void **state)
{
	(void)state;
	for (const struct cmd_entry *const *c = cmd_table; *c; c++) {
		const struct cmd_opt *o = (*c)->opts;

		for (size_t i = 0; o && o[i].long_name; i++) {
			assert_true(o[i].val != 'h');
			if (o[i].short_name)
				assert_int_equal(o[i].val, o[i].short_name);
			for (size_t j = 0; o[j].long_name; j++) {
				if (i == j)
					continue;
				assert_int_not_equal(o[i].val, o[j].val);
				assert_string_not_equal(o[i].long_name, o[j].long_name);
				if (!o[i].short_name)
					assert_int_not_equal(o[i].val, o[j].short_name);
			}
		}
	}
}

/* Every option that takes a value says what it is called in --help, and
 * a list of words has its words; the first option has its own help. */
static void test_values_described(void **state)
{
	(void)state;
	for (const struct cmd_entry *const *c = cmd_table; *c; c++) {
		const struct cmd_opt *o = (*c)->opts;

		for (size_t i = 0; o && o[i].long_name; i++) {
			if (o[i].arg != ARG_NONE)
				assert_non_null(o[i].metavar);
			if (o[i].arg == ARG_WORD)
				assert_non_null(o[i].words);
			if (i == 0)
				assert_non_null(o[i].help);
		}
		if ((*c)->operand == ARG_WORD)
			assert_non_null((*c)->operand_words);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_unique),
		cmocka_unit_test(test_values_described),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
