/*
 * test_parse.c - parsing /proc/PID/stat, status and cmdline text,
 * including the names a hostile process can give itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "proc/parse.h"

/* A stat line as the kernel writes it, with comm and a few fields
 * variable; the rest are those of a real `cat /proc/self/stat`. */
#define STAT_TAIL(state, ppid, tpgid, utime, stime, nice, threads, start, rss) \
	" " state " " ppid " 5566 2268 34816 " tpgid " 4194304 100 0 0 0 " \
	utime " " stime " 0 0 20 " nice " " threads " 0 " start " 3133440 " \
	rss " 18446744073709551615 93870351155200 93870351175081 " \
	"140736739408592 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 93870351191088 " \
	"93870351192704 93870627254272 140736739416703 140736739416723 " \
	"140736739416723 140736739418091 0\n"

static int parse(const char *text, struct stat_line *st)
{
	return parse_stat_line(text, strlen(text), st);
}

static void test_stat_plain(void **state)
{
	static const char line[] = "5569 (cat)" STAT_TAIL("R", "5566", "-1", "7", "3",
							  "0", "1", "26077", "407");
	struct stat_line st;

	(void)state;
	assert_int_equal(parse(line, &st), 0);
	assert_int_equal(st.pid, 5569);
	assert_string_equal(st.comm, "cat");
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.ppid, 5566);
	assert_int_equal(st.pgrp, 5566);
	assert_int_equal(st.session, 2268);
	assert_int_equal(st.tpgid, -1);
	assert_int_equal(st.flags, 4194304);
	assert_int_equal(st.cpu_ticks, 10);
	assert_int_equal(st.nice, 0);
	assert_int_equal(st.threads, 1);
	assert_int_equal(st.start_ticks, 26077);
	assert_int_equal(st.rss_pages, 407);
}

/* A negative nice (and a kernel thread's flags). */
static void test_stat_negative_nice(void **state)
{
	static const char line[] = "77 (kworker/0:1H-kblockd)"
		STAT_TAIL("I", "2", "-1", "0", "0", "-20", "1", "15", "0");
	struct stat_line st;

	(void)state;
	assert_int_equal(parse(line, &st), 0);
	assert_string_equal(st.comm, "kworker/0:1H-kblockd");
	assert_int_equal(st.state, 'I');
	assert_int_equal(st.nice, -20);
	assert_int_equal(st.ppid, 2);
}

/* comm is whatever the process said: ") R 1 " inside it must not be
 * taken for the fields; the last ')' ends it. */
static void test_stat_comm_with_paren_and_spaces(void **state)
{
	static const char line[] = "4242 (a) Z 1 (x y) )"
		STAT_TAIL("S", "4000", "4242", "1", "2", "5", "3", "99", "12");
	struct stat_line st;

	(void)state;
	assert_int_equal(parse(line, &st), 0);
	assert_int_equal(st.pid, 4242);
	assert_string_equal(st.comm, "a) Z 1 (x y) ");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 4000);
	assert_int_equal(st.tpgid, 4242);
	assert_int_equal(st.nice, 5);
	assert_int_equal(st.threads, 3);
	assert_int_equal(st.rss_pages, 12);
}

/* Escape sequences, newlines and empty names are raw bytes in comm. */
static void test_stat_comm_hostile_bytes(void **state)
{
	static const char line[] = "9 (\033]0;owned\a\n)"
		STAT_TAIL("T", "1", "-1", "0", "0", "0", "1", "5", "1");
	static const char empty[] = "10 ()"
		STAT_TAIL("S", "1", "-1", "0", "0", "0", "1", "5", "1");
	struct stat_line st;

	(void)state;
	assert_int_equal(parse(line, &st), 0);
	assert_string_equal(st.comm, "\033]0;owned\a\n");
	assert_int_equal(st.state, 'T');
	assert_int_equal(parse(empty, &st), 0);
	assert_string_equal(st.comm, "");
	assert_int_equal(st.pid, 10);
}

/* A comm longer than the buffer (kernel threads' names can be) is cut,
 * and the fields after it still parse. */
static void test_stat_long_comm(void **state)
{
	char line[512], comm[101];
	struct stat_line st;

	(void)state;
	memset(comm, 'k', 100);
	comm[100] = '\0';
	snprintf(line, sizeof(line), "12 (%s)%s", comm,
		 STAT_TAIL("S", "2", "-1", "0", "0", "0", "1", "5", "0"));
	assert_int_equal(parse(line, &st), 0);
	assert_int_equal(strlen(st.comm), sizeof(st.comm) - 1);
	assert_int_equal(st.ppid, 2);
}

static void test_stat_malformed(void **state)
{
	struct stat_line st;

	(void)state;
	assert_int_equal(parse("", &st), -1);
	assert_int_equal(parse("12 cat S 1", &st), -1);       /* no parens */
	assert_int_equal(parse("12 (cat", &st), -1);          /* no ')' */
	assert_int_equal(parse("12 (cat)", &st), -1);         /* no state */
	assert_int_equal(parse("12 (cat) S 1 2 3", &st), -1); /* cut short */
	assert_int_equal(parse("x (cat) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 "
			       "15 16 17 18 19 20 21", &st), -1); /* no pid */
	assert_int_equal(parse(") (cat(", &st), -1);          /* ')' first */
	/* The length given is the end, not the NUL: a line cut by len. */
	{
		static const char line[] = "5569 (cat)" STAT_TAIL("R", "5566", "-1", "7", "3",
								  "0", "1", "26077", "407");
		assert_int_equal(parse_stat_line(line, 40, &st), -1);
	}
}

static const char status_text[] =
	"Name:\tcat\n"
	"Umask:\t0022\n"
	"State:\tR (running)\n"
	"Tgid:\t5569\n"
	"Ngid:\t0\n"
	"Pid:\t5569\n"
	"PPid:\t5566\n"
	"TracerPid:\t4321\n"
	"Uid:\t1000\t1001\t1002\t1003\n"
	"Gid:\t0\t0\t0\t0\n"
	"FDSize:\t64\n"
	"Groups:\t0 \n"
	"NStgid:\t5569\t12\t3\n"
	"NSpid:\t5569\t12\t3\n"
	"NSpgid:\t5566\t10\t1\n"
	"VmPeak:\t    5600 kB\n"
	"VmLck:\t      16 kB\n"
	"VmRSS:\t    1628 kB\n"
	"SigQ:\t0/96365\n"
	"SigPnd:\t0000000000000000\n"
	"SigBlk:\t0000000000000000\n"
	"SigIgn:\t0000000000001000\n"
	"SigCgt:\t00000000000004e8\n"
	"Seccomp:\t2\n"
	"Seccomp_filters:\t1\n";

static void test_status_all(void **state)
{
	struct status_lines sl = {0};
	unsigned all = STATUS_HAVE_UID | STATUS_HAVE_VMLCK | STATUS_HAVE_VMRSS |
		       STATUS_HAVE_SIGNALS | STATUS_HAVE_TRACER |
		       STATUS_HAVE_SECCOMP | STATUS_HAVE_NSPID | STATUS_HAVE_TGID;

	(void)state;
	parse_status(status_text, strlen(status_text), all, &sl);
	assert_int_equal(sl.have, all);
	assert_int_equal(sl.uid, 1001); /* effective, not real */
	assert_int_equal(sl.tgid, 5569);
	assert_int_equal(sl.vm_lck_kb, 16);
	assert_int_equal(sl.vm_rss_kb, 1628);
	assert_int_equal(sl.sig_ignored, 0x1000);
	assert_int_equal(sl.sig_caught, 0x4e8);
	assert_int_equal(sl.tracer_pid, 4321);
	assert_int_equal(sl.seccomp, 2);
	assert_int_equal(sl.ns_levels, 3);
	assert_int_equal(sl.ns_pids[0], 5569);
	assert_int_equal(sl.ns_pids[1], 12);
	assert_int_equal(sl.ns_pids[2], 3);
}

/* Only what is wanted is looked for, and parsing stops once it is found:
 * lines after that point stay unread. */
static void test_status_stops_early(void **state)
{
	struct status_lines sl = {0};

	(void)state;
	parse_status(status_text, strlen(status_text),
		     STATUS_HAVE_UID | STATUS_HAVE_TRACER, &sl);
	assert_int_equal(sl.uid, 1001);
	assert_int_equal(sl.tracer_pid, 4321);
	assert_int_equal(sl.have & STATUS_HAVE_VMRSS, 0);
	assert_int_equal(sl.vm_rss_kb, 0);
	assert_int_equal(sl.seccomp, 0);
}

/* A kernel thread or a zombie has no Vm lines: those fields keep the
 * caller's values and their bits stay clear. */
static void test_status_missing_lines(void **state)
{
	static const char text[] =
		"Name:\tkthreadd\n"
		"Uid:\t0\t0\t0\t0\n"
		"NSpid:\t2\n"
		"SigIgn:\tffffffffffffffff\n"
		"SigCgt:\t0000000000000000\n";
	struct status_lines sl = {.vm_rss_kb = 777};

	(void)state;
	parse_status(text, strlen(text), STATUS_HAVE_UID | STATUS_HAVE_VMRSS |
		     STATUS_HAVE_VMLCK | STATUS_HAVE_SIGNALS | STATUS_HAVE_NSPID, &sl);
	assert_int_equal(sl.have, STATUS_HAVE_UID | STATUS_HAVE_SIGNALS |
				  STATUS_HAVE_NSPID);
	assert_int_equal(sl.vm_rss_kb, 777);
	assert_int_equal(sl.sig_ignored, ~0ULL);
	assert_int_equal(sl.ns_levels, 1);
	assert_int_equal(sl.ns_pids[0], 2);
}

/* Lookalike keys ("Uid" vs "Uidx", "Seccomp_filters") and a text that
 * ends without a newline. */
static void test_status_lookalikes(void **state)
{
	static const char text[] =
		"Uidx:\t5\t5\n"
		"Seccomp_filters:\t9\n"
		"VmLckd:\t3 kB\n"
		"Uid:\t7\t8\t9\t9";
	struct status_lines sl = {0};

	(void)state;
	parse_status(text, strlen(text), STATUS_HAVE_UID | STATUS_HAVE_SECCOMP |
		     STATUS_HAVE_VMLCK, &sl);
	assert_int_equal(sl.have, STATUS_HAVE_UID);
	assert_int_equal(sl.uid, 8);
	assert_int_equal(sl.seccomp, 0);
	assert_int_equal(sl.vm_lck_kb, 0);
}

/* More namespace levels than kept: the outermost PROC_NS_MAX. */
static void test_status_nspid_deep(void **state)
{
	static const char text[] = "NSpid:\t1 2 3 4 5 6 7 8 9 10 11\n";
	struct status_lines sl = {0};

	(void)state;
	parse_status(text, strlen(text), STATUS_HAVE_NSPID, &sl);
	assert_int_equal(sl.ns_levels, PROC_NS_MAX);
	assert_int_equal(sl.ns_pids[PROC_NS_MAX - 1], PROC_NS_MAX);
}

static void test_cmdline(void **state)
{
	struct buf b = {0};

	(void)state;
	join_cmdline("sleep\0" "100\0", 10, &b);
	assert_string_equal(b.data, "sleep 100");
	/* Empty arguments stay visible as spaces; no trailing NUL left. */
	join_cmdline("a\0\0b\0\0", 6, &b);
	assert_string_equal(b.data, "a  b");
	/* A process that rewrote its arguments without NULs. */
	join_cmdline("nginx: worker process", 21, &b);
	assert_string_equal(b.data, "nginx: worker process");
	/* Kernel threads and zombies: nothing at all. */
	join_cmdline("", 0, &b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	/* Hostile bytes pass through (escaping is the output's job). */
	join_cmdline("x\033]0;y\a\0\xff\0", 10, &b);
	assert_string_equal(b.data, "x\033]0;y\a \xff");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat_plain),
		cmocka_unit_test(test_stat_negative_nice),
		cmocka_unit_test(test_stat_comm_with_paren_and_spaces),
		cmocka_unit_test(test_stat_comm_hostile_bytes),
		cmocka_unit_test(test_stat_long_comm),
		cmocka_unit_test(test_stat_malformed),
		cmocka_unit_test(test_status_all),
		cmocka_unit_test(test_status_stops_early),
		cmocka_unit_test(test_status_missing_lines),
		cmocka_unit_test(test_status_lookalikes),
		cmocka_unit_test(test_status_nspid_deep),
		cmocka_unit_test(test_cmdline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
