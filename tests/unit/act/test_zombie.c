/*
 * test_zombie.c - what counts as a zombie, grouping under parents, the
 * advice per SIGCHLD disposition, and the exit age.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <string.h>

#include "proc/parse.h"
#include "act/verdict.h"
#include "act/zombie.h"

#define CHLD (1ull << (SIGCHLD - 1))

static struct proc zombie(pid_t pid, pid_t ppid)
{
	return (struct proc){.pid = pid, .ppid = ppid, .state = 'Z', .threads = 1,
			     .have = PI_STATE | PI_THREADS | PI_PPID};
}

static struct proc parent(pid_t pid, char state, unsigned long long ign,
			  unsigned long long cgt)
{
	return (struct proc){.pid = pid, .ppid = 1, .state = state, .threads = 1,
			     .sig_ignored = ign, .sig_caught = cgt,
			     .have = PI_STATE | PI_THREADS | PI_SIGNALS | PI_TRACE};
}

static void test_thread_leader_is_not_a_zombie(void **state)
{
	struct proc z = zombie(10, 1), leader = zombie(11, 1);

	(void)state;
	leader.threads = 2; /* exited main thread, one thread still running */
	assert_true(proc_is_zombie(&z));
	assert_false(proc_is_zombie(&leader));
}

static void test_groups_sorted_by_parent_then_pid(void **state)
{
	struct proc procs[] = {
		zombie(50, 30), parent(30, 'S', 0, 0), zombie(41, 20),
		zombie(40, 30), parent(20, 'S', 0, CHLD), zombie(42, 20),
		zombie(60, 99), /* parent not among the procs */
		parent(70, 'S', 0, 0),
	};
	struct zombie_group *g;
	size_t n = zombie_groups(procs, ARRAY_LEN(procs), &g);

	(void)state;
	assert_int_equal(n, 3);
	assert_int_equal(g[0].ppid, 20);
	assert_ptr_equal(g[0].parent, &procs[4]);
	assert_int_equal(g[0].n, 2);
	assert_int_equal(g[0].zombies[0]->pid, 41);
	assert_int_equal(g[0].zombies[1]->pid, 42);
	assert_int_equal(g[1].ppid, 30);
	assert_int_equal(g[1].zombies[0]->pid, 40);
	assert_int_equal(g[1].zombies[1]->pid, 50);
	assert_int_equal(g[2].ppid, 99);
	assert_null(g[2].parent);
	assert_int_equal(g[2].n, 1);
	zombie_groups_free(g, n);
}

static void test_no_zombies_no_groups(void **state)
{
	struct proc procs[] = {parent(2, 'S', 0, 0), parent(3, 'R', 0, 0)};
	struct zombie_group *g = (void *)1;

	(void)state;
	assert_int_equal(zombie_groups(procs, ARRAY_LEN(procs), &g), 0);
	assert_null(g);
}

static void test_advice_per_disposition(void **state)
{
	struct proc def = parent(100, 'S', 0, 0);
	struct proc ign = parent(101, 'S', CHLD, 0);
	struct proc cgt = parent(102, 'S', 0, CHLD);
	struct proc unread = parent(103, 'S', 0, 0);

	(void)state;
	unread.have &= ~(unsigned)PI_SIGNALS;
	assert_int_equal(zombie_advice(&def), ADVICE_NEVER_REAPS);
	assert_int_equal(zombie_advice(&ign), ADVICE_PREDATES_IGN);
	assert_int_equal(zombie_advice(&cgt), ADVICE_NUDGE);
	assert_int_equal(zombie_advice(&unread), ADVICE_UNKNOWN);
	assert_int_equal(zombie_advice(NULL), ADVICE_UNKNOWN);
	/* Other signals in the masks do not matter. */
	cgt.sig_ignored = 1ull << (SIGPIPE - 1);
	def.sig_caught = 1ull << (SIGTERM - 1);
	assert_int_equal(zombie_advice(&cgt), ADVICE_NUDGE);
	assert_int_equal(zombie_advice(&def), ADVICE_NEVER_REAPS);
}

static void test_advice_init_and_stopped_come_first(void **state)
{
	struct proc init = parent(1, 'S', 0, CHLD);
	struct proc ns_init = parent(4242, 'S', 0, 0);
	struct proc stopped = parent(300, 'T', 0, CHLD);
	struct proc traced = parent(301, 't', 0, 0);

	(void)state;
	ns_init.ns_levels = 2;
	ns_init.ns_pids[0] = 4242;
	ns_init.ns_pids[1] = 1;
	assert_true(proc_is_ns_init(&ns_init));
	assert_int_equal(zombie_advice(&init), ADVICE_INIT);
	assert_int_equal(zombie_advice(&ns_init), ADVICE_INIT);
	assert_int_equal(zombie_advice(&stopped), ADVICE_STOPPED);
	assert_int_equal(zombie_advice(&traced), ADVICE_STOPPED);
	ns_init.ns_pids[1] = 7;
	assert_false(proc_is_ns_init(&ns_init));
}

static void test_advice_text_names_the_parent_and_the_way(void **state)
{
	struct {
		enum zombie_advice a;
		const char *says;
	} cases[] = {
		{ADVICE_NUDGE, "`pmon reap 77` sends it SIGCHLD"},
		{ADVICE_NEVER_REAPS, "a SIGCHLD nudge does nothing"},
		{ADVICE_NEVER_REAPS, "`pmon reap --kill-parent 77`"},
		{ADVICE_PREDATES_IGN, "exited before it set SIG_IGN"},
		{ADVICE_INIT, "PID 1 of its PID namespace"},
		{ADVICE_STOPPED, "`pmon kill -s CONT 77`"},
		{ADVICE_UNKNOWN, "could not be read"},
	};

	struct reap_verdict none = {0};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct buf b = {0};

		zombie_advice_text(cases[i].a, 77, &none, &b);
		assert_non_null(strstr(b.data, cases[i].says));
		assert_true(strncmp(b.data, "77 ", 3) == 0 ||
			    strncmp(b.data, "what 77 ", 8) == 0);
		buf_free(&b);
	}
}

/* The advice offers inject only where the verdict reap acts on allows
 * it, and otherwise says why not and what works instead. */
static void test_advice_follows_the_verdict(void **state)
{
	static const enum zombie_advice kinds[] = {
		ADVICE_NUDGE, ADVICE_NEVER_REAPS, ADVICE_PREDATES_IGN,
		ADVICE_STOPPED, ADVICE_UNKNOWN,
	};
	struct reap_verdict blocked = {.block = BLOCK_SECCOMP};
	struct reap_verdict none = {0};

	(void)state;
	strcpy(blocked.why, "its parent runs under a seccomp filter");
	strcpy(blocked.instead, "`pmon reap --kill-parent 77` ends it");
	for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
		struct buf b = {0};

		zombie_advice_text(kinds[i], 77, &blocked, &b);
		assert_null(strstr(b.data, "can inject"));
		assert_non_null(strstr(b.data, "`pmon reap 77` cannot inject the "
				       "wait: its parent runs under a seccomp "
				       "filter; `pmon reap --kill-parent 77` ends it"));
		buf_reset(&b);
		zombie_advice_text(kinds[i], 77, &none, &b);
		assert_non_null(strstr(b.data, "`pmon reap 77` can inject the wait"));
		buf_free(&b);
	}
}

static void test_age(void **state)
{
	(void)state;
	assert_int_equal(zombie_age_s(1000000000ull, 4500000000ull, 100), 3);
	/* Clocks that disagree never make a negative age... */
	assert_int_equal(zombie_age_s(5000000000ull, 4000000000ull, 100), 0);
	/* ...nor one longer than the process lived. */
	assert_int_equal(zombie_age_s(0, 900000000000ull, 60), 60);
}

static void test_parse_sched_and_stat_field(void **state)
{
	const char sched[] =
		"fixture-zombie (5083, #threads: 1)\n"
		"-------------------------------------------------------------------\n"
		"se.exec_start                                :        194821.521360\n"
		"se.vruntime                                  :         22556.762211\n";
	const char stat[] = "5083 (a) b) c) Z 5082 5082 1 0 -1 4228172 0 0 0 0 0 0 "
			    "0 0 20 0 1 0 19481 0 0 18446744073709551615 0 0 0 0 0 0 "
			    "0 0 0 0 0 0 17 1 0 0 0 0 0";
	unsigned long long v;

	(void)state;
	assert_int_equal(parse_sched_exec_start(sched, strlen(sched), &v), 0);
	assert_true(v == 194821521360ull);
	assert_int_equal(parse_sched_exec_start("se.vruntime : 1.0\n", 18, &v), -1);
	assert_int_equal(parse_stat_field(stat, strlen(stat), 4, &v), 0);
	assert_true(v == 5082);
	assert_int_equal(parse_stat_field(stat, strlen(stat), 39, &v), 0);
	assert_true(v == 1);
	assert_int_equal(parse_stat_field(stat, strlen(stat), 60, &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thread_leader_is_not_a_zombie),
		cmocka_unit_test(test_groups_sorted_by_parent_then_pid),
		cmocka_unit_test(test_no_zombies_no_groups),
		cmocka_unit_test(test_advice_per_disposition),
		cmocka_unit_test(test_advice_init_and_stopped_come_first),
		cmocka_unit_test(test_advice_text_names_the_parent_and_the_way),
		cmocka_unit_test(test_advice_follows_the_verdict),
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_parse_sched_and_stat_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
