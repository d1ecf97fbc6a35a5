/*
 * test_signals.c - signal names both ways, and the list of `kill -l`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "act/signals.h"

static void test_names_numbers_and_case(void **state)
{
	(void)state;
	assert_int_equal(signal_from_name("TERM"), SIGTERM);
	assert_int_equal(signal_from_name("SIGTERM"), SIGTERM);
	assert_int_equal(signal_from_name("term"), SIGTERM);
	assert_int_equal(signal_from_name("sigTerm"), SIGTERM);
	assert_int_equal(signal_from_name("15"), SIGTERM);
	assert_int_equal(signal_from_name("9"), SIGKILL);
	assert_int_equal(signal_from_name("KILL"), SIGKILL);
	assert_int_equal(signal_from_name("HUP"), SIGHUP);
	assert_int_equal(signal_from_name("CHLD"), SIGCHLD);
	assert_int_equal(signal_from_name("cld"), SIGCHLD);
	assert_int_equal(signal_from_name("IO"), SIGIO);
	assert_int_equal(signal_from_name("POLL"), SIGIO);
	assert_int_equal(signal_from_name("IOT"), SIGABRT);
	assert_int_equal(signal_from_name("0"), 0); /* the null signal */
}

static void test_realtime_names(void **state)
{
	(void)state;
	assert_int_equal(signal_from_name("RTMIN"), SIGRTMIN);
	assert_int_equal(signal_from_name("SIGRTMIN+1"), SIGRTMIN + 1);
	assert_int_equal(signal_from_name("rtmax-3"), SIGRTMAX - 3);
	assert_int_equal(signal_from_name("RTMAX"), SIGRTMAX);
	assert_int_equal(signal_from_name("RTMIN+99"), -1);
	assert_int_equal(signal_from_name("RTMAX+1"), -1);
	assert_int_equal(signal_from_name("RTMINx"), -1);
}

static void test_rejects(void **state)
{
	(void)state;
	assert_int_equal(signal_from_name(""), -1);
	assert_int_equal(signal_from_name("00"), -1);
	assert_int_equal(signal_from_name("-0"), -1);
	assert_int_equal(signal_from_name("-9"), -1);
	assert_int_equal(signal_from_name("65"), -1);
	assert_int_equal(signal_from_name("9x"), -1);
	assert_int_equal(signal_from_name("SIG"), -1);
	assert_int_equal(signal_from_name("TERMINATE"), -1);
	assert_int_equal(signal_from_name("s"), -1); /* -s stays an option */
	assert_int_equal(signal_from_name("l"), -1);
}

static void test_printing_round_trips(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(signal_name(SIGTERM, buf, sizeof(buf)), "TERM");
	assert_string_equal(signal_name(SIGKILL, buf, sizeof(buf)), "KILL");
	assert_string_equal(signal_name(SIGIO, buf, sizeof(buf)), "IO");
	assert_string_equal(signal_name(SIGRTMIN, buf, sizeof(buf)), "RTMIN");
	assert_string_equal(signal_name(SIGRTMIN + 2, buf, sizeof(buf)), "RTMIN+2");
	assert_string_equal(signal_name(SIGRTMAX - 1, buf, sizeof(buf)), "RTMAX-1");
	assert_string_equal(signal_name(SIGRTMAX, buf, sizeof(buf)), "RTMAX");
	assert_string_equal(signal_name(99, buf, sizeof(buf)), "99");
	/* Every listed signal reads back as itself. */
	for (int sig = 1; sig <= SIGRTMAX; sig++) {
		if (sig >= 32 && sig < SIGRTMIN)
			continue;
		assert_int_equal(signal_from_name(signal_name(sig, buf, sizeof(buf))), sig);
	}
}

static void test_list_like_bash(void **state)
{
	struct buf b = {0};

	(void)state;
	signal_list(&b);
	assert_non_null(b.data);
	assert_true(strncmp(b.data, " 1) SIGHUP\t 2) SIGINT\t 3) SIGQUIT\t 4) SIGILL\t 5) SIGTRAP\n", 57) == 0);
	assert_non_null(strstr(b.data, " 9) SIGKILL\t10) SIGUSR1"));
	assert_non_null(strstr(b.data, "31) SIGSYS\t34) SIGRTMIN\t"));
	assert_null(strstr(b.data, "32)"));
	assert_null(strstr(b.data, "33)"));
	assert_non_null(strstr(b.data, "49) SIGRTMIN+15\t50) SIGRTMAX-14"));
	assert_true(b.len > 0 && b.data[b.len - 1] == '\n');
	buf_free(&b);
}

static void test_stop_signals(void **state)
{
	(void)state;
	assert_true(signal_is_stop(SIGSTOP));
	assert_true(signal_is_stop(SIGTSTP));
	assert_true(signal_is_stop(SIGTTIN));
	assert_true(signal_is_stop(SIGTTOU));
	assert_false(signal_is_stop(SIGCONT));
	assert_false(signal_is_stop(SIGTERM));
	assert_false(signal_is_stop(SIGKILL));
}

static void test_error_words(void **state)
{
	(void)state;
	assert_non_null(strstr(signal_error(ESTALE), "recycled"));
	assert_non_null(strstr(signal_error(ESRCH), "no such process"));
	assert_non_null(strstr(signal_error(EPERM), "permission denied"));
	/* "exited" only for a process pmon saw. */
	assert_string_equal(signal_no_such(false), "no such process");
	assert_string_equal(signal_no_such(true), "no such process (it exited)");
	assert_string_equal(signal_error(ESRCH), signal_no_such(true));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_numbers_and_case),
		cmocka_unit_test(test_realtime_names),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_printing_round_trips),
		cmocka_unit_test(test_list_like_bash),
		cmocka_unit_test(test_stop_signals),
		cmocka_unit_test(test_error_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
