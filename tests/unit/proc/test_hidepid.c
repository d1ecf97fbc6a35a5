/*
 * test_hidepid.c - reading /proc's hidepid= and gid= from mountinfo
 * lines, as kernels before and after 5.8 write them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "proc/proc.h"

static void expect(const char *line, bool is_proc, int mode, gid_t gid)
{
	struct proc_hidepid h = {.mode = -1, .gid = 99};

	assert_int_equal(proc_hidepid_line(line, &h), is_proc);
	if (!is_proc)
		return;
	assert_int_equal(h.mode, mode);
	assert_int_equal(h.gid, gid);
}

static void test_modes(void **state)
{
	(void)state;
	expect("22 1 0:20 / /proc rw,relatime shared:13 - proc proc rw\n", true, 0, 0);
	expect("65 47 0:39 / /proc rw,nosuid,nodev,noexec,relatime - proc proc"
	       " rw,gid=4,hidepid=invisible\n", true, 2, 4);
	expect("65 47 0:39 / /proc rw - proc proc rw,hidepid=noaccess\n", true, 1, 0);
	expect("65 47 0:39 / /proc rw - proc proc rw,hidepid=ptraceable,subset=pid\n",
	       true, 4, 0);
	expect("65 47 0:39 / /proc rw - proc proc rw,hidepid=off\n", true, 0, 0);
	/* before 5.8: numbers */
	expect("65 47 0:39 / /proc rw - proc proc rw,hidepid=2,gid=1001\n", true, 2, 1001);
	/* a mode this pmon does not know hides */
	expect("65 47 0:39 / /proc rw - proc proc rw,hidepid=someday\n", true, 2, 0);
}

static void test_not_proc(void **state)
{
	(void)state;
	/* procfs elsewhere, something else on /proc, /proc's submounts */
	expect("70 22 0:39 / /mnt/proc rw - proc proc rw,hidepid=2\n", false, 0, 0);
	expect("70 22 0:39 / /proc rw - tmpfs tmpfs rw\n", false, 0, 0);
	expect("71 22 0:40 / /proc/sys/fs/binfmt_misc rw - binfmt_misc binfmt_misc rw\n",
	       false, 0, 0);
	expect("", false, 0, 0);
	expect("garbage\n", false, 0, 0);
	/* a bad gid is not taken */
	expect("65 47 0:39 / /proc rw - proc proc rw,gid=x1,hidepid=2\n", true, 2, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_not_proc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
