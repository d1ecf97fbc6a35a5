/*
 * test_topmodel.c - what `pmon top` shows: selection and filters, the
 * order of the rows, the tree, the header and the escaped lines, over a
 * hand-made process table (no /proc).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "proc/watch.h"
#include "ui/topmodel.h"
#include "view/output.h"
#include "view/table.h"

struct fake {
	struct procwatch w;
	struct proc procs[8];
	struct watch_extra extra[8];
};

static void add(struct fake *f, pid_t pid, pid_t ppid, char state,
		const char *comm, const char *cmdline, double cpu,
		unsigned long rss, unsigned long long ticks, uid_t uid)
{
	size_t i = f->w.n++;
	struct proc *p = &f->procs[i];
	struct watch_extra *x = &f->extra[i];

	*p = (struct proc){.pid = pid, .ppid = ppid, .state = state,
			   .threads = 1, .uid = uid, .user = uid ? "someone-long" : "root",
			   .rss_kb = rss, .cpu_ticks = ticks, .cpu_pct = cpu,
			   .mem_pct = (double)rss / 10000.0 * 100,
			   .have = PROCWATCH_HAVE | PI_CMDLINE};
	p->stat[0] = state;
	*x = (struct watch_extra){.fds = {-1, -1}};
	snprintf(x->comm, sizeof(x->comm), "%s", comm);
	x->cmdline = cmdline ? strdup(cmdline) : NULL;
	x->cmdline_read = true; /* no /proc behind a fake */
	p->comm = x->comm;
	p->cmdline = x->cmdline;
}

/* pid order, as a watch keeps it: 1 init, 10 busy, 11 its zombie child,
 * 20 a sleeper of another user with a hostile name, 21 stopped */
static struct fake *make(void)
{
	struct fake *f = calloc(1, sizeof(*f));

	f->w.procs = f->procs;
	f->w.extra = f->extra;
	f->w.clock.hz = 100;
	f->w.sys.mem_total_kb = 10000;
	f->w.sys.uptime = 90061; /* 1 day, 1:01 */
	f->w.sys.load[0] = 1.5;
	add(f, 1, 0, 'S', "init", "/sbin/init", 0.5, 900, 500, 0);
	add(f, 10, 1, 'R', "busy", "busy --loop", 99.0, 100, 360000 * 100ULL, 0);
	add(f, 11, 10, 'Z', "gone", "", 0, 0, 3, 0);
	add(f, 20, 1, 'S', "evil\033[2J", "evil\033[2J --arg", 0.5, 5000, 7, 1000);
	add(f, 21, 1, 'T', "Paused", "paused", 0, 50, 0, 0);
	return f;
}

static void destroy(struct fake *f)
{
	for (size_t i = 0; i < f->w.n; i++)
		free(f->extra[i].cmdline);
	free(f);
}

static pid_t row_pid(const struct fake *f, const struct top_rows *r, size_t k)
{
	return f->procs[r->idx[k]].pid;
}

static void set_filter(struct top_opts *o, const char *text)
{
	char err[128];

	assert_int_equal(top_filter_set(&o->filter, text, err, sizeof(err)), 0);
}

/* top's options with the default columns, sorted by key */
static struct top_opts opts(const char *key, bool reverse)
{
	struct top_opts o = {0};

	top_opts_default(&o);
	o.sort = (struct field_sort){field_find(key), reverse};
	return o;
}

static void test_sort_by_cpu_then_pid(void **state)
{
	struct fake *f = make();
	struct top_opts o = opts("cpu", false);
	struct top_rows r = {0};

	(void)state;
	top_rows_build(&r, &f->w, &o);
	assert_int_equal(r.n, 5);
	/* biggest first; ties (1 and 20 at 0.5, 11 and 21 at 0) by pid */
	assert_int_equal(row_pid(f, &r, 0), 10);
	assert_int_equal(row_pid(f, &r, 1), 1);
	assert_int_equal(row_pid(f, &r, 2), 20);
	assert_int_equal(row_pid(f, &r, 3), 11);
	assert_int_equal(row_pid(f, &r, 4), 21);
	o.sort.reverse = true;
	top_rows_build(&r, &f->w, &o);
	assert_int_equal(row_pid(f, &r, 0), 11); /* ties stay in pid order */
	assert_int_equal(row_pid(f, &r, 1), 21);
	assert_int_equal(row_pid(f, &r, 4), 10);
	o = opts("pid", true);
	top_rows_build(&r, &f->w, &o);
	assert_int_equal(row_pid(f, &r, 0), 21);
	assert_int_equal(row_pid(f, &r, 4), 1);
	o = opts("mem", false);
	top_rows_build(&r, &f->w, &o);
	assert_int_equal(row_pid(f, &r, 0), 20);
	o = opts("comm", false);
	top_rows_build(&r, &f->w, &o);
	assert_int_equal(row_pid(f, &r, 0), 21); /* "Paused" < "busy" */
	top_rows_free(&r);
	destroy(f);
}

/* Most rows share one key (%CPU 0 for whatever slept): topmodel.c sets
 * them aside and sorts the rest; their block must still land where the
 * key goes, in pid order, either way round, and a plain sort must agree. */
static void test_sort_with_a_majority_key(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	const double cpu[] = {5.0, 0.5, 0.5, 0.1, 0.5, 0.5, 9.0};
	const pid_t want[] = {8, 2, 3, 4, 6, 7, 5};
	struct top_opts o = opts("cpu", false);
	struct top_rows r = {0};

	(void)state;
	f->w.procs = f->procs;
	f->w.extra = f->extra;
	f->w.clock.hz = 100;
	f->w.sys.mem_total_kb = 10000;
	for (size_t i = 0; i < ARRAY_LEN(cpu); i++)
		add(f, (pid_t)i + 2, 1, 'S', "p", NULL, cpu[i], 10, 1, 0);
	top_rows_build(&r, &f->w, &o);
	assert_int_equal(r.n, ARRAY_LEN(want));
	for (size_t k = 0; k < ARRAY_LEN(want); k++)
		assert_int_equal(row_pid(f, &r, k), want[k]);
	o.sort.reverse = true; /* 5, then the block 3 4 6 7, then 2 and 8 */
	top_rows_build(&r, &f->w, &o);
	assert_int_equal(row_pid(f, &r, 0), 5);
	assert_int_equal(row_pid(f, &r, 1), 3);
	assert_int_equal(row_pid(f, &r, 4), 7);
	assert_int_equal(row_pid(f, &r, 5), 2);
	assert_int_equal(row_pid(f, &r, 6), 8);
	top_rows_free(&r);
	destroy(f);
}

/* --sort and the keys < > P M T N use: the registry's keys, aliases and
 * titles, in any case. */
static void test_sort_keys_are_registry_keys(void **state)
{
	(void)state;
	assert_string_equal(field_find("cpu")->key, "cpu_pct");
	assert_string_equal(field_find("%CPU")->key, "cpu_pct");
	assert_string_equal(field_find("MEM")->key, "mem_pct");
	assert_string_equal(field_find("state")->key, "state");
	assert_string_equal(field_find("time")->key, "cpu_time_s");
	assert_string_equal(field_find("rss")->key, "rss_kb");
	assert_string_equal(field_find("ucomm")->key, "comm");
	/* ps's command is the command line, as its args and cmd */
	assert_string_equal(field_find("command")->key, "cmdline");
	assert_string_equal(field_find("COMMAND")->key, "cmdline");
	assert_null(field_find("nonsense"));
}

static void test_counts_follow_the_selection_not_the_filters(void **state)
{
	struct fake *f = make();
	pid_t pids[] = {10, 11, 21};
	struct top_opts o = opts("pid", false);
	struct top_rows r = {0};

	(void)state;
	o.zombies_only = true;
	o.pids = pids;
	o.npids = 3;
	top_rows_build(&r, &f->w, &o);
	assert_int_equal(r.counts.total, 3);
	assert_int_equal(state_counts_of(&r.counts, "R"), 1);
	assert_int_equal(state_counts_of(&r.counts, "Z"), 1);
	assert_int_equal(state_counts_of(&r.counts, "Tt"), 1);
	assert_int_equal(state_counts_of(&r.counts, "SI"), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(row_pid(f, &r, 0), 11);
	top_rows_free(&r);
	destroy(f);
}

static void test_user_and_name_filters(void **state)
{
	struct fake *f = make();
	uid_t uids[] = {1000};
	struct top_opts o = opts("pid", false);
	struct top_rows r = {0};

	(void)state;
	o.uids = uids;
	o.nuids = 1;
	top_rows_build(&r, &f->w, &o);
	assert_int_equal(r.counts.total, 1);
	assert_int_equal(r.n, 1);
	assert_int_equal(row_pid(f, &r, 0), 20);
	{
		pid_t pids[] = {10, 20};

		o.pids = pids; /* both given: a process must match both */
		o.npids = 2;
		top_rows_build(&r, &f->w, &o);
		assert_int_equal(r.counts.total, 1);
		assert_int_equal(row_pid(f, &r, 0), 20);
		pids[1] = 21;
		top_rows_build(&r, &f->w, &o);
		assert_int_equal(r.counts.total, 0);
		assert_int_equal(r.n, 0);
	}
	o = opts("pid", false);
	set_filter(&o, "PAUSE"); /* case does not matter */
	top_rows_build(&r, &f->w, &o);
	assert_int_equal(r.n, 1);
	assert_int_equal(row_pid(f, &r, 0), 21);
	set_filter(&o, "--loop"); /* the command line counts too */
	top_rows_build(&r, &f->w, &o);
	assert_int_equal(r.n, 1);
	assert_int_equal(row_pid(f, &r, 0), 10);
	assert_int_equal(r.counts.total, 5);
	top_filter_free(&o.filter);
	top_rows_free(&r);
	destroy(f);
}

static void test_tree_rows_and_prefixes(void **state)
{
	struct fake *f = make();
	struct top_opts o = opts("cpu", false);
	struct top_rows r = {0};
	struct buf line = {0}, scratch = {0};

	(void)state;
	o.tree = true;
	top_rows_build(&r, &f->w, &o);
	assert_int_equal(r.n, 5);
	assert_int_equal(row_pid(f, &r, 0), 1);
	assert_int_equal(row_pid(f, &r, 1), 10);
	assert_int_equal(r.depth[1], 1);
	assert_int_equal(row_pid(f, &r, 2), 11);
	assert_int_equal(r.depth[2], 2);
	assert_int_equal(row_pid(f, &r, 3), 20);
	assert_int_equal(row_pid(f, &r, 4), 21);
	top_row_format(&line, &f->w, &r, 2, &o, NULL, false, &scratch);
	assert_non_null(strstr(line.data, "|  `- gone <defunct>"));
	/* a filter keeps only what matches: no chain of ancestors */
	set_filter(&o, "gone");
	top_rows_build(&r, &f->w, &o);
	assert_int_equal(r.n, 1);
	assert_int_equal(row_pid(f, &r, 0), 11);
	assert_int_equal(r.depth[0], 0);
	top_filter_free(&o.filter);
	buf_free(&line);
	buf_free(&scratch);
	top_rows_free(&r);
	destroy(f);
}

static void test_row_text_is_escaped_and_aligned(void **state)
{
	struct fake *f = make();
	struct top_opts o = opts("pid", false);
	struct top_rows r = {0};
	struct buf line = {0}, titles = {0}, scratch = {0};

	(void)state;
	top_rows_build(&r, &f->w, &o);
	top_row_format(&line, &f->w, &r, 3, &o, NULL, true, &scratch);
	assert_string_equal(line.data,
		"     20 someone+ S      0.5  50.0     5000    00:00:00 evil\\e[2J");
	buf_reset(&line);
	top_row_format(&line, &f->w, &r, 1, &o, NULL, true, &scratch);
	/* 360000 s of CPU: 4 days and 4 hours */
	assert_string_equal(line.data,
		"     10 root     R     99.0   1.0      100  4-04:00:00 busy");
	o.cmdline = true;
	top_opts_sync_name(&o);
	buf_reset(&line);
	top_row_format(&line, &f->w, &r, 2, &o, NULL, true, &scratch);
	assert_non_null(strstr(line.data, " [gone] <defunct>"));
	top_titles_format(&titles, &o, NULL);
	assert_string_equal(titles.data,
		"    PID USER     STAT  %CPU  %MEM      RSS        TIME COMMAND");
	buf_free(&line);
	buf_free(&titles);
	buf_free(&scratch);
	top_rows_free(&r);
	destroy(f);
}

static void test_header(void **state)
{
	struct fake *f = make();
	struct top_opts o = opts("pid", false);
	struct top_rows r = {0};
	struct top_header h;

	(void)state;
	top_rows_build(&r, &f->w, &o);
	top_header_format(&h, &f->w, &r.counts);
	assert_non_null(strstr(h.line[0], " up 1 day,  1:01,  load average: 1.50, 0.00, 0.00"));
	assert_string_equal(h.line[1],
		"Tasks: 5 total, 1 running, 2 sleeping, 0 disk sleep, 1 stopped, 1 zombie");
	assert_int_equal(strncmp(h.line[1] + h.zombie_at, "1 zombie", h.zombie_len), 0);
	assert_int_equal(h.zombie_len, 8);
	assert_string_equal(h.tasks_short,
		"Tasks: 5 total, 1 run, 2 sleep, 0 disk, 1 stop, 1 zombie");
	assert_string_equal(h.tasks_short + h.short_zombie_at, "1 zombie");
	assert_true(strlen(h.line[2]) <= 80);
	top_rows_free(&r);
	destroy(f);
}

static void test_text_cut_counts_columns(void **state)
{
	const char *s = "ab\xe5\xad\x97" "cd"; /* a wide character in the middle */
	size_t cols;

	(void)state;
	assert_int_equal(text_cut(s, strlen(s), 3, &cols), 2);
	assert_int_equal(cols, 2);
	assert_int_equal(text_cut(s, strlen(s), 4, &cols), 5);
	assert_int_equal(cols, 4);
	assert_int_equal(text_cut(s, strlen(s), 100, &cols), strlen(s));
	assert_int_equal(cols, 6);
}

static void test_json_frame(void **state)
{
	struct fake *f = make();
	struct top_opts o = opts("cpu", false);
	struct top_rows r = {0};
	struct field_list keys;
	const struct proc *rows[8];
	struct frame_header h;
	json_t *doc, *first;

	(void)state;
	top_rows_build(&r, &f->w, &o);
	for (size_t k = 0; k < r.n; k++)
		rows[k] = &f->procs[r.idx[k]];
	h = (struct frame_header){.sys = &f->w.sys, .counts = &r.counts};
	top_json_keys(&o, false, &keys);
	doc = frame_json(&h, rows, NULL, r.n, &keys);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(json_object_get(doc, "header"), "tasks"), "zombie")), 1);
	assert_int_equal(json_array_size(json_object_get(doc, "processes")), 5);
	first = json_array_get(json_object_get(doc, "processes"), 0);
	assert_int_equal(json_integer_value(json_object_get(first, "pid")), 10);
	assert_true(json_real_value(json_object_get(first, "cpu_pct")) == 99.0);
	assert_true(json_real_value(json_object_get(first, "mem_pct")) == 1.0);
	assert_string_equal(json_string_value(json_object_get(first, "cmdline")),
			    "busy --loop");
	json_decref(doc);
	/* -o: just those keys */
	field_list_of(&keys, (const char *const[]){"pid", "rss_kb"}, 2);
	doc = frame_json(&h, rows, NULL, 1, &keys);
	first = json_array_get(json_object_get(doc, "processes"), 0);
	assert_int_equal(json_object_size(first), 2);
	assert_int_equal(json_integer_value(json_object_get(first, "rss_kb")), 100);
	json_decref(doc);
	top_rows_free(&r);
	destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_by_cpu_then_pid),
		cmocka_unit_test(test_sort_with_a_majority_key),
		cmocka_unit_test(test_sort_keys_are_registry_keys),
		cmocka_unit_test(test_counts_follow_the_selection_not_the_filters),
		cmocka_unit_test(test_user_and_name_filters),
		cmocka_unit_test(test_tree_rows_and_prefixes),
		cmocka_unit_test(test_row_text_is_escaped_and_aligned),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_text_cut_counts_columns),
		cmocka_unit_test(test_json_frame),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
