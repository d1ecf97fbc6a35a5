/*
 * test_rules.c - pmon watch's rules: parsing (options and file lines,
 * with the errors), and change detection over made-up samples: each
 * condition reported once when it starts to hold, once when it stops,
 * zombies again when they grow, and a recycled pid starting afresh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "act/rules.h"

static struct rule parsed(enum rule_kind k, const char *arg)
{
	struct rule r;
	char why[200];

	assert_int_equal(rule_parse(k, arg, &r, why, sizeof(why)), 0);
	return r;
}

static void refused(enum rule_kind k, const char *arg)
{
	struct rule r;
	char why[200] = "";

	assert_int_equal(rule_parse(k, arg, &r, why, sizeof(why)), -1);
	assert_non_null(strstr(why, rule_words[k]));
}

static void test_parse_values(void **st)
{
	(void)st;
	assert_int_equal(parsed(RULE_ZOMBIES, "3").count, 3);
	assert_int_equal(parsed(RULE_EXIT, "4242").pid, 4242);
	assert_true(parsed(RULE_STUCK_D, "2.5").secs == 2.5);
	assert_true(parsed(RULE_CPU, "90:60").pct == 90);
	assert_true(parsed(RULE_CPU, "150.5:0").pct == 150.5);
	assert_int_equal(parsed(RULE_RSS, "512M:30").rss_kb, 512 * 1024);
	assert_int_equal(parsed(RULE_RSS, "1GiB:1").rss_kb, 1024 * 1024);
	assert_int_equal(parsed(RULE_RSS, "2048:1").rss_kb, 2);
	assert_int_equal(parsed(RULE_RSS, "1.5k:1").rss_kb, 1);
	assert_true(parsed(RULE_RSS, "1t:7").secs == 7);
}

static void test_parse_refuses(void **st)
{
	(void)st;
	refused(RULE_ZOMBIES, "0");
	refused(RULE_ZOMBIES, "2.5");
	refused(RULE_ZOMBIES, "-1");
	refused(RULE_ZOMBIES, "");
	refused(RULE_EXIT, "0");
	refused(RULE_EXIT, "12x");
	refused(RULE_STUCK_D, "forever");
	refused(RULE_STUCK_D, "1e99");
	refused(RULE_CPU, "90");
	refused(RULE_CPU, "0:5");
	refused(RULE_CPU, "90:");
	refused(RULE_CPU, ":60");
	refused(RULE_CPU, "90:60:1");
	refused(RULE_RSS, "512X:1");
	refused(RULE_RSS, "512:1");      /* under a KiB */
	refused(RULE_RSS, "5MBB:1");
	refused(RULE_RSS, "M:1");
}

static void test_parse_lines(void **st)
{
	struct rule r;
	char why[200];

	(void)st;
	assert_int_equal(rule_parse_line("", &r, why, sizeof(why)), 0);
	assert_int_equal(rule_parse_line("   # a comment", &r, why, sizeof(why)), 0);
	assert_int_equal(rule_parse_line("\tcpu   90:60  ", &r, why, sizeof(why)), 1);
	assert_int_equal(r.kind, RULE_CPU);
	assert_int_equal(rule_parse_line("stuck-d 30", &r, why, sizeof(why)), 1);
	assert_int_equal(r.kind, RULE_STUCK_D);
	assert_int_equal(rule_parse_line("zombie 3", &r, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "unknown rule 'zombie'"));
	assert_int_equal(rule_parse_line("zombies", &r, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "takes one value"));
	assert_int_equal(rule_parse_line("zombies 3 4", &r, why, sizeof(why)), -1);
	assert_int_equal(rule_parse_line("rss 1G", &r, why, sizeof(why)), -1);
}

static void test_format_round_trip(void **st)
{
	const char *lines[] = {"zombies 5", "exit 77", "stuck-d 30", "cpu 90:60",
			       "rss 1M:3", "rss 1536K:2"};

	(void)st;
	for (size_t i = 0; i < ARRAY_LEN(lines); i++) {
		struct rule r;
		struct buf b = {0};
		char why[200];

		assert_int_equal(rule_parse_line(lines[i], &r, why, sizeof(why)), 1);
		rule_format(&r, &b);
		assert_string_equal(b.data, lines[i]);
		buf_free(&b);
	}
}

/* ---- change detection -------------------------------------------------- */

#define HZ 100

struct run {
	struct rules_state *s;
	struct rule_event *ev;
	size_t nev;
};

static size_t sample(struct run *r, const struct rule_proc *p, size_t n, double now)
{
	free(r->ev);
	r->ev = NULL;
	r->nev = 0;
	rules_sample(r->s, p, n, now, HZ, &r->ev, &r->nev);
	return r->nev;
}

static void done(struct run *r)
{
	free(r->ev);
	rules_free(r->s);
}

static struct rule_proc proc(pid_t pid, char state)
{
	return (struct rule_proc){.pid = pid, .ppid = 1, .start_ticks = 10 + (unsigned)pid,
				  .state = state, .zombie = state == 'Z', .comm = "worker"};
}

static void test_zombies_reach_grow_fall(void **st)
{
	struct rule rule = parsed(RULE_ZOMBIES, "2");
	struct run r = {.s = rules_new(&rule, 1)};
	struct rule_proc p[5] = {proc(10, 'S'), proc(11, 'Z'), proc(12, 'S'),
				 proc(13, 'S'), proc(14, 'S')};

	(void)st;
	for (int i = 1; i < 5; i++)
		p[i].ppid = 10;
	assert_int_equal(sample(&r, p, 5, 1), 0);          /* 1 zombie */
	p[2].state = 'Z', p[2].zombie = true;
	assert_int_equal(sample(&r, p, 5, 2), 1);          /* reaches 2 */
	assert_int_equal(r.ev[0].change, CHANGE_ON);
	assert_int_equal(r.ev[0].pid, 10);
	assert_int_equal(r.ev[0].count, 2);
	assert_int_equal(sample(&r, p, 5, 3), 0);          /* the same: quiet */
	p[3].state = 'Z', p[3].zombie = true;
	assert_int_equal(sample(&r, p, 5, 4), 1);          /* grows */
	assert_int_equal(r.ev[0].change, CHANGE_GREW);
	assert_int_equal(r.ev[0].before, 2);
	assert_int_equal(r.ev[0].count, 3);
	assert_int_equal(sample(&r, p, 5, 5), 0);
	p[1].state = 'S', p[1].zombie = false;
	p[2].state = 'S', p[2].zombie = false;
	assert_int_equal(sample(&r, p, 5, 6), 1);          /* falls under 2 */
	assert_int_equal(r.ev[0].change, CHANGE_OFF);
	assert_int_equal(r.ev[0].count, 1);
	assert_int_equal(sample(&r, p, 5, 7), 0);
	done(&r);
}

static void test_zombies_fewer_then_more_is_news(void **st)
{
	struct rule rule = parsed(RULE_ZOMBIES, "1");
	struct run r = {.s = rules_new(&rule, 1)};
	struct rule_proc p[3] = {proc(10, 'S'), proc(11, 'Z'), proc(12, 'Z')};

	(void)st;
	p[1].ppid = p[2].ppid = 10;
	assert_int_equal(sample(&r, p, 3, 1), 1);
	assert_int_equal(sample(&r, p, 2, 2), 0);          /* 2 -> 1: quiet */
	assert_int_equal(sample(&r, p, 3, 3), 1);          /* 1 -> 2: grew */
	assert_int_equal(r.ev[0].change, CHANGE_GREW);
	assert_int_equal(r.ev[0].before, 1);
	done(&r);
}

static void test_stuck_d_once_after_its_time(void **st)
{
	struct rule rule = parsed(RULE_STUCK_D, "3");
	struct run r = {.s = rules_new(&rule, 1)};
	struct rule_proc p = proc(20, 'D');

	(void)st;
	assert_int_equal(sample(&r, &p, 1, 100), 0);
	assert_int_equal(sample(&r, &p, 1, 102), 0);
	assert_int_equal(sample(&r, &p, 1, 103), 1);
	assert_int_equal(r.ev[0].change, CHANGE_ON);
	assert_true(r.ev[0].secs == 3);
	assert_int_equal(sample(&r, &p, 1, 104), 0);
	assert_int_equal(sample(&r, &p, 1, 200), 0);
	p.state = 'S';
	/* its end once out of D as long as it had to be in D to be news */
	assert_int_equal(sample(&r, &p, 1, 201), 0);
	assert_int_equal(sample(&r, &p, 1, 203), 0);
	assert_int_equal(sample(&r, &p, 1, 204), 1);
	assert_int_equal(r.ev[0].change, CHANGE_OFF);
	assert_true(r.ev[0].secs == 101);                  /* 100 to 201 */
	/* a short D after that is no news */
	p.state = 'D';
	assert_int_equal(sample(&r, &p, 1, 205), 0);
	p.state = 'S';
	assert_int_equal(sample(&r, &p, 1, 206), 0);
	done(&r);
}

/* A process that goes in and out of D every sample once its condition
 * is news: one condition, not an end and a start each time. */
static void test_flapping_is_one_condition(void **st)
{
	struct rule rule = parsed(RULE_STUCK_D, "3");
	struct run r = {.s = rules_new(&rule, 1)};
	struct rule_proc p = proc(21, 'D');
	size_t told = 0;

	(void)st;
	for (int t = 100; t <= 103; t++)
		told += sample(&r, &p, 1, t);
	assert_int_equal(told, 1);                         /* in D 3 s: news */
	for (int t = 104; t < 130; t++) {
		p.state = t % 2 ? 'D' : 'S';
		assert_int_equal(sample(&r, &p, 1, t), 0);
	}
	p.state = 'S';
	assert_int_equal(sample(&r, &p, 1, 130), 0);
	assert_int_equal(sample(&r, &p, 1, 132), 0);
	assert_int_equal(sample(&r, &p, 1, 133), 1);       /* out 3 s: news */
	assert_int_equal(r.ev[0].change, CHANGE_OFF);
	assert_true(r.ev[0].secs == 30);                   /* 100 to 130 */
	done(&r);
}

static void test_an_exit_takes_its_condition_zombie_or_gone(void **st)
{
	struct rule rules[2] = {parsed(RULE_STUCK_D, "1"), parsed(RULE_RSS, "1M:0")};
	struct run r = {.s = rules_new(rules, 2)};
	struct rule_proc p = proc(25, 'D');

	(void)st;
	p.rss_kb = 4096;
	assert_int_equal(sample(&r, &p, 1, 10), 1);        /* over RSS */
	assert_int_equal(sample(&r, &p, 1, 11), 1);        /* D for 1 s */
	/* it exits, and its parent has not reaped it yet: no "left D",
	 * no "back under", but each condition ends by the exit, once */
	p.state = 'Z', p.zombie = true, p.rss_kb = 0;
	assert_int_equal(sample(&r, &p, 1, 12), 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(r.ev[i].change, CHANGE_OFF);
		assert_true(r.ev[i].exited);
		assert_true(r.ev[i].under_since == 0);
		assert_true(r.ev[i].secs == 2);            /* 10 to 12 */
	}
	assert_int_equal(sample(&r, &p, 1, 13), 0);
	assert_int_equal(sample(&r, NULL, 0, 14), 0);
	/* gone without being seen a zombie: the same, once */
	p = proc(26, 'S');
	p.rss_kb = 4096;
	assert_int_equal(sample(&r, &p, 1, 20), 1);        /* over RSS */
	assert_int_equal(sample(&r, NULL, 0, 21), 1);
	assert_true(r.ev[0].exited && r.ev[0].pid == 26 && r.ev[0].secs == 1);
	assert_string_equal(r.ev[0].comm, "worker");
	assert_int_equal(sample(&r, NULL, 0, 22), 0);
	done(&r);
}

static void test_an_exit_while_back_under_says_since_when(void **st)
{
	struct rule rule = parsed(RULE_RSS, "1M:5");
	struct run r = {.s = rules_new(&rule, 1)};
	struct rule_proc p = proc(27, 'S');

	(void)st;
	p.rss_kb = 4096;
	assert_int_equal(sample(&r, &p, 1, 10), 0);
	assert_int_equal(sample(&r, &p, 1, 15), 1);        /* over 5 s */
	p.rss_kb = 10;
	assert_int_equal(sample(&r, &p, 1, 16), 0);        /* under 0 s */
	assert_int_equal(sample(&r, NULL, 0, 18), 1);      /* gone */
	assert_true(r.ev[0].exited);
	assert_true(r.ev[0].under_since == 16);
	assert_true(r.ev[0].secs == 6);                    /* 10 to 16 */
	done(&r);
}

static void test_a_parent_exits_holding_zombies(void **st)
{
	struct rule rule = parsed(RULE_ZOMBIES, "2");
	struct run r = {.s = rules_new(&rule, 1)};
	struct rule_proc p[3] = {proc(60, 'S'), proc(61, 'Z'), proc(62, 'Z')};

	(void)st;
	p[1].ppid = p[2].ppid = 60;
	p[1].zombie = p[2].zombie = true;
	assert_int_equal(sample(&r, p, 3, 1), 1);
	assert_int_equal(r.ev[0].change, CHANGE_ON);
	/* the parent is gone, its zombies reaped by their new parent */
	assert_int_equal(sample(&r, NULL, 0, 2), 1);
	assert_true(r.ev[0].exited && r.ev[0].pid == 60);
	assert_int_equal(r.ev[0].count, 2);
	done(&r);
}

static void test_cpu_over_for_its_time(void **st)
{
	struct rule rule = parsed(RULE_CPU, "50:2");
	struct run r = {.s = rules_new(&rule, 1)};
	struct rule_proc p = proc(30, 'R');

	(void)st;
	assert_int_equal(sample(&r, &p, 1, 10), 0);        /* first reading */
	p.cpu_ticks += 90;                                 /* 90% of 1 s */
	assert_int_equal(sample(&r, &p, 1, 11), 0);        /* over for 1 s */
	p.cpu_ticks += 90;
	assert_int_equal(sample(&r, &p, 1, 12), 1);        /* over for 2 s */
	assert_int_equal(r.ev[0].change, CHANGE_ON);
	assert_true(r.ev[0].value > 89 && r.ev[0].value < 91);
	p.cpu_ticks += 90;
	assert_int_equal(sample(&r, &p, 1, 13), 0);
	p.cpu_ticks += 10;                                 /* 10% */
	assert_int_equal(sample(&r, &p, 1, 14), 0);        /* under 0 s */
	p.cpu_ticks += 10;
	assert_int_equal(sample(&r, &p, 1, 15), 0);        /* under 1 s */
	p.cpu_ticks += 10;
	assert_int_equal(sample(&r, &p, 1, 16), 1);        /* under 2 s */
	assert_int_equal(r.ev[0].change, CHANGE_OFF);
	done(&r);
}

/* The watch ends while conditions wait out their time under: each one
 * that is back under is said to have ended, with since when; one still
 * over is said to be still on, for how long; one never told, and one
 * whose end was said already, are not. */
static void test_ending_says_what_was_cooling_and_what_still_holds(void **st)
{
	struct rule rules[2] = {parsed(RULE_RSS, "1M:10"), parsed(RULE_STUCK_D, "10")};
	struct run r = {.s = rules_new(rules, 2)};
	struct rule_proc p[3] = {proc(60, 'D'), proc(61, 'S'), proc(62, 'S')};
	struct rule_event *ev = NULL;
	size_t nev = 0;

	(void)st;
	p[0].rss_kb = p[1].rss_kb = 4096;
	assert_int_equal(sample(&r, p, 3, 100), 0);
	assert_int_equal(sample(&r, p, 3, 110), 3);        /* 60: RSS and D, 61: RSS */
	p[0].rss_kb = 0, p[0].state = 'S', p[0].comm = "renamed";
	p[2].rss_kb = 4096;                                /* over, not yet news */
	assert_int_equal(sample(&r, p, 3, 112), 0);
	rules_end(r.s, &ev, &nev);
	assert_int_equal(nev, 3);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(ev[i].pid, 60);
		assert_int_equal(ev[i].change, CHANGE_OFF);
		assert_true(ev[i].ending);
		assert_false(ev[i].still);
		assert_true(ev[i].under_since == 112);
		assert_true(ev[i].secs == 12);             /* 100 to 112 */
		assert_string_equal(ev[i].comm, "renamed");
	}
	assert_ptr_equal(ev[0].rule, &rules[0]);
	assert_ptr_equal(ev[1].rule, &rules[1]);
	/* 61 is still over: on for 12 s as of the last sample */
	assert_int_equal(ev[2].pid, 61);
	assert_ptr_equal(ev[2].rule, &rules[0]);
	assert_true(ev[2].ending);
	assert_true(ev[2].still);
	assert_true(ev[2].under_since == 0);
	assert_true(ev[2].secs == 12);
	free(ev);
	/* 60's ends said by a sample: only 61 is left to say at the end */
	p[2].rss_kb = 0;
	assert_int_equal(sample(&r, p, 3, 122), 2);
	assert_false(r.ev[0].ending);
	ev = NULL, nev = 0;
	rules_end(r.s, &ev, &nev);
	assert_int_equal(nev, 1);
	assert_int_equal(ev[0].pid, 61);
	assert_true(ev[0].still && ev[0].secs == 22);
	free(ev);
	done(&r);
}

/* A zombie rule still on at the end says the count last reported. */
static void test_ending_zombies_still_held(void **st)
{
	struct rule rule = parsed(RULE_ZOMBIES, "2");
	struct run r = {.s = rules_new(&rule, 1)};
	struct rule_proc p[4] = {proc(70, 'S'), proc(71, 'Z'), proc(72, 'Z'), proc(73, 'Z')};
	struct rule_event *ev = NULL;
	size_t nev = 0;

	(void)st;
	p[1].ppid = p[2].ppid = p[3].ppid = 70;
	p[1].zombie = p[2].zombie = p[3].zombie = true;
	assert_int_equal(sample(&r, p, 4, 1), 1);
	rules_end(r.s, &ev, &nev);
	assert_int_equal(nev, 1);
	assert_true(ev[0].still);
	assert_int_equal(ev[0].pid, 70);
	assert_int_equal(ev[0].count, 3);
	free(ev);
	done(&r);
}

static void test_rss_and_a_recycled_pid(void **st)
{
	struct rule rule = parsed(RULE_RSS, "1M:0");
	struct run r = {.s = rules_new(&rule, 1)};
	struct rule_proc p = proc(40, 'S');

	(void)st;
	p.rss_kb = 4096;
	assert_int_equal(sample(&r, &p, 1, 1), 1);
	assert_int_equal(r.ev[0].change, CHANGE_ON);
	assert_true(r.ev[0].value == 4096);
	assert_int_equal(sample(&r, &p, 1, 2), 0);
	/* the pid now names another process: the old one's condition
	 * ended by its exit, then the new one's, reported anew */
	p.start_ticks++;
	assert_int_equal(sample(&r, &p, 1, 3), 2);
	assert_int_equal(r.ev[0].change, CHANGE_OFF);
	assert_true(r.ev[0].exited);
	assert_int_equal(r.ev[1].change, CHANGE_ON);
	assert_false(r.ev[1].exited);
	/* gone: its end */
	assert_int_equal(sample(&r, NULL, 0, 4), 1);
	assert_true(r.ev[0].exited);
	done(&r);
}

static void test_several_rules_each_once(void **st)
{
	struct rule rules[2] = {parsed(RULE_RSS, "1M:0"), parsed(RULE_RSS, "2M:0")};
	struct run r = {.s = rules_new(rules, 2)};
	struct rule_proc p = proc(50, 'S');

	(void)st;
	p.rss_kb = 1500;
	assert_int_equal(sample(&r, &p, 1, 1), 1);
	assert_ptr_equal(r.ev[0].rule, &rules[0]);
	p.rss_kb = 3000;
	assert_int_equal(sample(&r, &p, 1, 2), 1);
	assert_ptr_equal(r.ev[0].rule, &rules[1]);
	done(&r);
}

static void test_exit_event(void **st)
{
	struct rule rule = parsed(RULE_EXIT, "77");
	struct rule_event ev;

	(void)st;
	rules_exit_event(&rule, "sleep", true, 9, true, &ev);
	assert_int_equal(ev.pid, 77);
	assert_true(ev.child && ev.signalled);
	assert_int_equal(ev.status, 9);
	assert_string_equal(ev.comm, "sleep");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_values),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_parse_lines),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_zombies_reach_grow_fall),
		cmocka_unit_test(test_zombies_fewer_then_more_is_news),
		cmocka_unit_test(test_stuck_d_once_after_its_time),
		cmocka_unit_test(test_flapping_is_one_condition),
		cmocka_unit_test(test_an_exit_takes_its_condition_zombie_or_gone),
		cmocka_unit_test(test_an_exit_while_back_under_says_since_when),
		cmocka_unit_test(test_a_parent_exits_holding_zombies),
		cmocka_unit_test(test_cpu_over_for_its_time),
		cmocka_unit_test(test_ending_says_what_was_cooling_and_what_still_holds),
		cmocka_unit_test(test_ending_zombies_still_held),
		cmocka_unit_test(test_rss_and_a_recycled_pid),
		cmocka_unit_test(test_several_rules_each_once),
		cmocka_unit_test(test_exit_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
