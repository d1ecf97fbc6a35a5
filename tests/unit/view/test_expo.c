/*
 * test_expo.c - the metrics writer of `pmon metrics`: label values and
 * help text escaped as the Prometheus text format and OpenMetrics want
 * them (esc_label_value, esc_help_text), families and samples in each
 * format (expo.c), and the process group rules (procgroup.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "view/escape.h"
#include "view/expo.h"
#include "view/procgroup.h"

#define FFFD "\xef\xbf\xbd"

/* esc_label_value of n bytes, as a string. */
static char *label(const char *s, size_t n)
{
	static char out[512];
	struct buf b = {0};

	esc_label_value(&b, s, n);
	assert_true(b.len < sizeof(out));
	memcpy(out, b.data ? b.data : "", b.len);
	out[b.len] = '\0';
	buf_free(&b);
	return out;
}

#define LABEL(lit) label(lit, sizeof(lit) - 1)

static void test_label_plain_and_utf8_kept(void **state)
{
	(void)state;
	assert_string_equal(LABEL("nginx: worker"), "nginx: worker");
	assert_string_equal(LABEL("caf\xc3\xa9 \xe6\x97\xa5"), "caf\xc3\xa9 \xe6\x97\xa5");
	assert_string_equal(LABEL(""), "");
}

/* The three escapes the format has, and nothing that could forge one. */
static void test_label_format_escapes(void **state)
{
	(void)state;
	assert_string_equal(LABEL("a\"b"), "a\\\"b");
	assert_string_equal(LABEL("a\\b"), "a\\\\b");
	assert_string_equal(LABEL("a\nb"), "a\\nb");
	/* a name that ends the label and adds one of its own */
	assert_string_equal(LABEL("x\",evil=\"1"), "x\\\",evil=\\\"1");
	/* a backslash before a quote stays two escapes, not one */
	assert_string_equal(LABEL("\\\""), "\\\\\\\"");
}

/* Invalid UTF-8 would make Prometheus drop the scrape; controls and bidi
 * overrides would reach a terminal that shows it. */
static void test_label_unsafe_replaced(void **state)
{
	(void)state;
	assert_string_equal(LABEL("a\xff" "b"), "a" FFFD "b");
	assert_string_equal(LABEL("\xc3"), FFFD);                   /* truncated */
	assert_string_equal(LABEL("\xc0\xaf"), FFFD FFFD);          /* overlong */
	assert_string_equal(LABEL("\x1b]0;x\x07"), FFFD "]0;x" FFFD);
	assert_string_equal(LABEL("a\rb\tc"), "a" FFFD "b" FFFD "c");
	assert_string_equal(LABEL("\xc2\x9b" "2J"), FFFD "2J");      /* C1 CSI */
	assert_string_equal(LABEL("\xe2\x80\xae" "abc"), FFFD "abc"); /* RLO */
	assert_string_equal(LABEL("a\0b"), "a" FFFD "b");
}

/* Every byte value alone: the result is valid UTF-8 with no raw control,
 * no lone quote and no backslash that is not an escape of the format. */
static void test_label_every_byte(void **state)
{
	(void)state;
	for (int c = 0; c < 256; c++) {
		char in[1] = {(char)c};
		const char *out = label(in, 1);

		for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
			assert_true(*p >= 0x20 && *p != 0x7f);
			if (*p == '\\') {
				assert_non_null(strchr("\\\"n", p[1]));
				p++;
			} else {
				assert_true(*p != '"');
			}
		}
	}
}

static void test_help_escapes(void **state)
{
	struct buf b = {0};

	(void)state;
	esc_help_text(&b, "a\\b\nc \"q\"");
	buf_putc(&b, '\0');
	/* HELP escapes backslash and newline only; quotes stay */
	assert_string_equal(b.data, "a\\\\b\\nc \"q\"");
	buf_free(&b);
}

static char *expose(enum expo_format fmt, void (*fill)(struct expo *))
{
	static char out[2048];
	struct buf b = {0};
	struct expo e;

	expo_init(&e, &b, fmt);
	fill(&e);
	expo_end(&e);
	assert_true(b.len < sizeof(out));
	memcpy(out, b.data, b.len);
	out[b.len] = '\0';
	buf_free(&b);
	return out;
}

static void fill_some(struct expo *e)
{
	struct expo_label l[] = {{"state", "S"}, {"name", "a\"b"}};

	expo_family(e, "pmon_x", EXPO_GAUGE, "X things.");
	expo_sample(e, l, 2, 3);
	expo_sample(e, NULL, 0, 0.25);
	expo_family(e, "pmon_y", EXPO_COUNTER, "Y events.");
	expo_sample(e, NULL, 0, 7);
}

static void test_text_format(void **state)
{
	(void)state;
	assert_string_equal(expose(EXPO_TEXT, fill_some),
			    "# HELP pmon_x X things.\n"
			    "# TYPE pmon_x gauge\n"
			    "pmon_x{state=\"S\",name=\"a\\\"b\"} 3\n"
			    "pmon_x 0.25\n"
			    "# HELP pmon_y_total Y events.\n"
			    "# TYPE pmon_y_total counter\n"
			    "pmon_y_total 7\n");
}

/* OpenMetrics: the counter's family without _total, its sample with it,
 * and # EOF last. */
static void test_openmetrics_format(void **state)
{
	(void)state;
	assert_string_equal(expose(EXPO_OPENMETRICS, fill_some),
			    "# HELP pmon_x X things.\n"
			    "# TYPE pmon_x gauge\n"
			    "pmon_x{state=\"S\",name=\"a\\\"b\"} 3\n"
			    "pmon_x 0.25\n"
			    "# HELP pmon_y Y events.\n"
			    "# TYPE pmon_y counter\n"
			    "pmon_y_total 7\n"
			    "# EOF\n");
	assert_string_equal(expo_content_type(EXPO_OPENMETRICS),
			    "application/openmetrics-text; version=1.0.0; charset=utf-8");
	assert_string_equal(expo_content_type(EXPO_TEXT),
			    "text/plain; version=0.0.4; charset=utf-8");
}

static double value_of;

static void fill_value(struct expo *e)
{
	expo_family(e, "v", EXPO_GAUGE, "v");
	expo_sample(e, NULL, 0, value_of);
}

static const char *value_text(double v)
{
	const char *out;

	value_of = v;
	out = expose(EXPO_TEXT, fill_value);
	return strrchr(out, ' ') + 1;
}

static void test_values(void **state)
{
	(void)state;
	assert_string_equal(value_text(0), "0\n");
	assert_string_equal(value_text(10000), "10000\n");
	assert_string_equal(value_text(-3), "-3\n");
	assert_string_equal(value_text(1.5), "1.5\n");
	assert_string_equal(value_text(1796328346.0), "1796328346\n");
	assert_string_equal(value_text(4194304.0 * 1024 * 1024), "4398046511104\n");
	assert_string_equal(value_text(0.001), "0.001\n");
	assert_string_equal(value_text(NAN), "NaN\n");
	assert_string_equal(value_text(INFINITY), "+Inf\n");
	assert_string_equal(value_text(-INFINITY), "-Inf\n");
	assert_string_equal(value_text(1e300), "1e+300\n");
}

/* ---- group rules ------------------------------------------------------- */

static void test_rules_parse(void **state)
{
	struct group_rules rs = {0};
	char why[256];

	(void)state;
	assert_int_equal(group_rule_add(&rs, "web comm ^(nginx|apache2)$", why, sizeof(why)), 1);
	assert_int_equal(group_rule_add(&rs, "  db\tcmdline   postgres: .* process", why, sizeof(why)), 1);
	assert_int_equal(group_rule_add(&rs, "{comm} comm .", why, sizeof(why)), 1);
	assert_int_equal(group_rule_add(&rs, "", why, sizeof(why)), 0);
	assert_int_equal(group_rule_add(&rs, "   # a comment", why, sizeof(why)), 0);
	assert_int_equal(rs.n, 3);
	assert_string_equal(rs.r[0].name, "web");
	assert_int_equal(rs.r[1].match, GROUP_MATCH_CMDLINE);
	assert_null(rs.r[2].name);
	assert_true(group_rules_need_cmdline(&rs));

	/* first match wins; the regex is unanchored; spaces belong to it */
	assert_ptr_equal(group_rules_match(&rs, "nginx", "nginx: worker"), &rs.r[0]);
	assert_ptr_equal(group_rules_match(&rs, "postgres", "postgres: walwriter process"), &rs.r[1]);
	assert_ptr_equal(group_rules_match(&rs, "postgres", "postgres: x"), &rs.r[2]);
	/* a cmdline rule never matches an unread command line */
	assert_ptr_equal(group_rules_match(&rs, "postgres", NULL), &rs.r[2]);
	group_rules_free(&rs);
	assert_int_equal(rs.n, 0);
}

static void test_rules_refused(void **state)
{
	struct group_rules rs = {0};
	char why[256];

	(void)state;
	assert_int_equal(group_rule_add(&rs, "name", why, sizeof(why)), -1);
	assert_string_equal(why, "a rule is NAME comm|cmdline REGEX");
	assert_int_equal(group_rule_add(&rs, "name comm", why, sizeof(why)), -1);
	assert_int_equal(group_rule_add(&rs, "name exe /bin/x", why, sizeof(why)), -1);
	assert_string_equal(why, "a rule matches comm or cmdline, not 'exe'");
	assert_int_equal(group_rule_add(&rs, "name comm (", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "bad regular expression '('"));
	assert_int_equal(group_rule_add(&rs, "a comm x\ny comm z", why, sizeof(why)), -1);
	assert_int_equal(rs.n, 0);
	assert_false(group_rules_need_cmdline(&rs));
}

static void test_rules_file(void **state)
{
	struct group_rules rs = {0};
	char path[] = "/tmp/pmon-test-rules.XXXXXX", why[512];
	int fd = mkstemp(path);
	static const char text[] = "# rules\r\nweb comm nginx\r\n\nbad line\n";

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	assert_int_equal(group_rules_load(&rs, path, why, sizeof(why)), -1);
	assert_non_null(strstr(why, ":4: a rule is NAME"));
	assert_int_equal(rs.n, 1); /* a CR before the newline is no part of it */
	assert_ptr_equal(group_rules_match(&rs, "nginx", NULL), &rs.r[0]);
	group_rules_free(&rs);
	assert_int_equal(group_rules_load(&rs, "/nonexistent/rules", why, sizeof(why)), -1);
	assert_int_equal(group_rules_load(&rs, "/dev/null", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not a regular file"));
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_plain_and_utf8_kept),
		cmocka_unit_test(test_label_format_escapes),
		cmocka_unit_test(test_label_unsafe_replaced),
		cmocka_unit_test(test_label_every_byte),
		cmocka_unit_test(test_help_escapes),
		cmocka_unit_test(test_text_format),
		cmocka_unit_test(test_openmetrics_format),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_rules_parse),
		cmocka_unit_test(test_rules_refused),
		cmocka_unit_test(test_rules_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
