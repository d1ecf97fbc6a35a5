/*
 * test_detail_parse.c - the parsers behind `pmon inspect`: the whole of
 * /proc/PID/status, /proc/PID/syscall in its three forms, limits, io,
 * an epoll descriptor's fdinfo, children lists, terminal targets and the
 * socket tables, on text as real kernels write it and on broken text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "proc/inspect.h"

/* A real /proc/PID/status of a process with extra groups, caps, seccomp
 * and a pending signal (Linux 6.18). */
static const char status_text[] =
	"Name:\tinspect-fixtur\n"
	"Umask:\t0022\n"
	"State:\tS (sleeping)\n"
	"Tgid:\t4242\n"
	"Ngid:\t0\n"
	"Pid:\t4242\n"
	"PPid:\t4240\n"
	"TracerPid:\t0\n"
	"Uid:\t1000\t1001\t1002\t1003\n"
	"Gid:\t100\t101\t102\t103\n"
	"FDSize:\t64\n"
	"Groups:\t4 24 27 \n"
	"NStgid:\t4242\t7\n"
	"NSpid:\t4242\t7\n"
	"NSpgid:\t4242\t7\n"
	"NSsid:\t4200\t1\n"
	"Kthread:\t0\n"
	"VmPeak:\t    2680 kB\n"
	"VmSize:\t    2616 kB\n"
	"VmLck:\t       0 kB\n"
	"VmHWM:\t    1024 kB\n"
	"VmRSS:\t    1000 kB\n"
	"VmSwap:\t      12 kB\n"
	"Threads:\t3\n"
	"SigQ:\t1/96369\n"
	"SigPnd:\t0000000000000200\n"
	"ShdPnd:\t0000000000004000\n"
	"SigBlk:\t0000000000000200\n"
	"SigIgn:\t0000000000000001\n"
	"SigCgt:\t0000000000014002\n"
	"CapInh:\t0000000000002000\n"
	"CapPrm:\t0000000000002000\n"
	"CapEff:\t0000000000002000\n"
	"CapBnd:\t000001ffffffffff\n"
	"CapAmb:\t0000000000002000\n"
	"NoNewPrivs:\t1\n"
	"Seccomp:\t2\n"
	"Seccomp_filters:\t1\n"
	"voluntary_ctxt_switches:\t17\n"
	"nonvoluntary_ctxt_switches:\t2\n";

static void test_status_detail(void **state)
{
	struct status_detail sd;

	(void)state;
	parse_status_detail(status_text, strlen(status_text), &sd);
	assert_true(sd.have_uid && sd.have_gid && sd.have_groups);
	assert_int_equal(sd.uid[ID_REAL], 1000);
	assert_int_equal(sd.uid[ID_EFFECTIVE], 1001);
	assert_int_equal(sd.uid[ID_SAVED], 1002);
	assert_int_equal(sd.uid[ID_FS], 1003);
	assert_int_equal(sd.gid[ID_EFFECTIVE], 101);
	assert_int_equal(sd.ngroups, 3);
	assert_int_equal(sd.groups[2], 27);
	assert_int_equal(sd.ns_levels, 2);
	assert_int_equal(sd.ns_pid[1], 7);
	assert_int_equal(sd.v[SD_CAP_EFF], 0x2000);
	assert_int_equal(sd.v[SD_CAP_BND], 0x1ffffffffffull);
	assert_int_equal(sd.v[SD_NO_NEW_PRIVS], 1);
	assert_int_equal(sd.v[SD_SECCOMP], 2);
	assert_int_equal(sd.v[SD_SECCOMP_FILTERS], 1);
	assert_int_equal(sd.v[SD_SIG_PND], 0x200);
	assert_int_equal(sd.v[SD_SHD_PND], 0x4000);
	assert_int_equal(sd.v[SD_SIG_CGT], 0x14002);
	assert_int_equal(sd.v[SD_VM_SWAP], 12);
	assert_int_equal(sd.v[SD_VM_RSS], 1000);
	assert_int_equal(sd.v[SD_THREADS], 3);
	assert_int_equal(sd.v[SD_UMASK], 022);
	assert_int_equal(sd.v[SD_TGID], 4242);
	assert_int_equal(sd.v[SD_CTXT_VOL], 17);
	/* Seccomp and Seccomp_filters are told apart by the whole key. */
	assert_true(sd.have & (1ull << SD_SECCOMP_FILTERS));
	status_detail_free(&sd);
}

static void test_status_missing_lines(void **state)
{
	static const char text[] = "Name:\tkworker/0:1\nUid:\t0\t0\t0\t0\nGroups:\t\n"
				   "Threads:\t1\nSeccomp:\nbroken line\n";
	struct status_detail sd;

	(void)state;
	parse_status_detail(text, strlen(text), &sd);
	assert_true(sd.have_uid);
	assert_false(sd.have_gid);
	assert_true(sd.have_groups);
	assert_int_equal(sd.ngroups, 0);
	/* A kernel thread has no VmRSS, and a key without a value is not 0. */
	assert_false(sd.have & (1ull << SD_VM_RSS));
	assert_false(sd.have & (1ull << SD_SECCOMP));
	assert_true(sd.have & (1ull << SD_THREADS));
	status_detail_free(&sd);
}

static void test_syscall_forms(void **state)
{
	static const char in[] = "0 0x3 0x7ffd4615fcd0 0x1000 0x0 0x0 0x0 "
				 "0x7ffd4615fbb0 0x7f9ce599eaec\n";
	static const char none[] = "-1 0x7ffd4615fbb0 0x7f9ce599eaec\n";
	struct syscall_line sc;

	(void)state;
	assert_int_equal(parse_syscall_line(in, strlen(in), &sc), 0);
	assert_int_equal(sc.kind, SYSCALL_IN);
	assert_int_equal(sc.nr, 0);
	assert_int_equal(sc.args[0], 3);
	assert_int_equal(sc.args[2], 0x1000);
	assert_int_equal(sc.pc, 0x7f9ce599eaecull);
	assert_int_equal(parse_syscall_line("running\n", 8, &sc), 0);
	assert_int_equal(sc.kind, SYSCALL_RUNNING);
	assert_int_equal(parse_syscall_line(none, strlen(none), &sc), 0);
	assert_int_equal(sc.kind, SYSCALL_NONE);
	assert_int_equal(sc.sp, 0x7ffd4615fbb0ull);
	/* Cut short, or not numbers at all. */
	assert_int_equal(parse_syscall_line("7 0x1 0x2", 9, &sc), -1);
	assert_int_equal(parse_syscall_line("", 0, &sc), -1);
	assert_int_equal(parse_syscall_line("x 0x1", 5, &sc), -1);
	assert_int_equal(parse_syscall_line("-5 0x1 0x2\n", 11, &sc), -1);
}

static void test_limits(void **state)
{
	static const char text[] =
		"Limit                     Soft Limit           Hard Limit           Units     \n"
		"Max cpu time              unlimited            unlimited            seconds   \n"
		"Max open files            64                   1048576              files     \n"
		"Max nice priority         0                    0                    \n"
		"Max realtime timeout      unlimited            unlimited            us        \n";
	struct limit_row rows[8];
	const struct limit_row *r;
	size_t n;

	(void)state;
	n = parse_limits(text, strlen(text), rows, 8);
	assert_int_equal(n, 4);
	r = limit_find(rows, n, "Max open files");
	assert_non_null(r);
	assert_int_equal(r->soft, 64);
	assert_int_equal(r->hard, 1048576);
	assert_string_equal(r->unit, "files");
	r = limit_find(rows, n, "Max cpu time");
	assert_int_equal(r->soft, LIMIT_UNLIMITED);
	r = limit_find(rows, n, "Max nice priority");
	assert_string_equal(r->unit, "");
	assert_null(limit_find(rows, n, "Max open"));
	/* Room for two: the rest is dropped, not written past the end. */
	assert_int_equal(parse_limits(text, strlen(text), rows, 2), 2);
}

static void test_io_epoll_children(void **state)
{
	static const char io[] = "rchar: 1234\nwchar: 56\nsyscr: 7\nsyscw: 8\n"
				 "read_bytes: 4096\nwrite_bytes: 0\n"
				 "cancelled_write_bytes: 0\n";
	static const char fdinfo[] =
		"pos:\t0\nflags:\t02\nmnt_id:\t16\nino:\t1057\n"
		"tfd:        3 events:       19 data:                3  pos:0 ino:7 sdev:d\n"
		"tfd:        4 events:       19 data:                4  pos:0 ino:8 sdev:d\n";
	struct io_detail d;
	pid_t *pids = NULL;
	size_t n = 0;

	(void)state;
	parse_io_detail(io, strlen(io), &d);
	assert_int_equal(d.have, (1u << IO_FIELDS) - 1);
	assert_int_equal(d.v[IO_RCHAR], 1234);
	assert_int_equal(d.v[IO_READ_BYTES], 4096);
	parse_io_detail("rchar: x\n", 9, &d);
	assert_int_equal(d.have, 0);
	assert_int_equal(parse_epoll_watched(fdinfo, strlen(fdinfo)), 2);
	assert_int_equal(parse_epoll_watched("pos:\t0\n", 7), 0);
	parse_pid_list("12 13 \n", 7, &pids, &n);
	parse_pid_list("", 0, &pids, &n);
	parse_pid_list("99", 2, &pids, &n);
	assert_int_equal(n, 3);
	assert_int_equal(pids[2], 99);
	free(pids);
}

static void test_terminal_targets(void **state)
{
	bool closed;

	(void)state;
	assert_true(fd_target_is_terminal("/dev/pts/3", &closed));
	assert_false(closed);
	assert_true(fd_target_is_terminal("/dev/pts/0 (deleted)", &closed));
	assert_true(closed);
	assert_true(fd_target_is_terminal("/dev/tty1", &closed));
	assert_true(fd_target_is_terminal("/dev/console", &closed));
	assert_false(fd_target_is_terminal("/dev/null", &closed));
	assert_false(fd_target_is_terminal("pipe:[81234]", &closed));
	/* A file named like a terminal elsewhere is not one. */
	assert_false(fd_target_is_terminal("/tmp/dev/pts/1 (deleted)", &closed));
	assert_false(closed);
}

static void test_socket_tables(void **state)
{
	static const char tcp[] =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 81234 1 0000000000000000 100 0 0 10 0\n"
		"   1: 0100007F:1F90 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000     0        0 81235 1 0000000000000000 20 4 30 10 -1\n";
	static const char tcp6[] =
		"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0\n";
	static const char unix_text[] =
		"Num       RefCount Protocol Flags    Type St Inode Path\n"
		"0000000000000000: 00000002 00000000 00010000 0001 01 4711 /run/my sock\n"
		"0000000000000000: 00000003 00000000 00000000 0002 03 4712\n";
	struct buf b = {0};

	(void)state;
	assert_int_equal(parse_socket_table(tcp, strlen(tcp), "TCP", 81234, &b), 0);
	assert_string_equal(b.data, "TCP 127.0.0.1:8080 listening");
	buf_reset(&b);
	assert_int_equal(parse_socket_table(tcp, strlen(tcp), "TCP", 81235, &b), 0);
	assert_string_equal(b.data, "TCP 127.0.0.1:8080 established to 127.0.0.1:41394");
	buf_reset(&b);
	assert_int_equal(parse_socket_table(tcp6, strlen(tcp6), "TCP6", 777, &b), 0);
	assert_string_equal(b.data, "TCP6 [::1]:22 listening");
	buf_reset(&b);
	assert_int_equal(parse_socket_table(unix_text, strlen(unix_text), "unix", 4711, &b), 0);
	assert_string_equal(b.data, "unix stream listening /run/my sock");
	buf_reset(&b);
	assert_int_equal(parse_socket_table(unix_text, strlen(unix_text), "unix", 4712, &b), 0);
	assert_string_equal(b.data, "unix datagram");
	buf_reset(&b);
	assert_int_equal(parse_socket_table(tcp, strlen(tcp), "TCP", 1, &b), -1);
	/* The title line's "inode" is not a number to match. */
	assert_int_equal(parse_socket_table(tcp, 90, "TCP", 0, &b), -1);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_detail),
		cmocka_unit_test(test_status_missing_lines),
		cmocka_unit_test(test_syscall_forms),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_io_epoll_children),
		cmocka_unit_test(test_terminal_targets),
		cmocka_unit_test(test_socket_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
