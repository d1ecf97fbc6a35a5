/*
 * test_topconsole.c - the console's logic over a hand-made process table
 * (no /proc, no terminal): the filter language, folding that survives
 * re-sorting, siblings in the sort's order, search, thread rows, the
 * columns that fit a narrow terminal, and the settings file (read,
 * written atomically, a bad file, a planted symlink).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc/watch.h"
#include "ui/topconf.h"
#include "ui/topmodel.h"

struct fake {
	struct procwatch w;
	struct proc procs[8], tasks[2];
	struct watch_extra extra[8];
};

static void add(struct fake *f, pid_t pid, pid_t ppid, char state, const char *comm,
		const char *cmdline, double cpu, uid_t uid, const char *container)
{
	size_t i = f->w.n++;
	struct proc *p = &f->procs[i];

	*p = (struct proc){.pid = pid, .ppid = ppid, .tgid = pid, .state = state,
			   .threads = 1, .uid = uid, .user = uid ? "alice" : "root",
			   .cpu_pct = cpu, .start_ticks = 100 + (unsigned)pid,
			   .comm = comm, .cmdline = cmdline,
			   .have = PROCWATCH_HAVE | PI_CMDLINE | PI_CONTAINER,
			   .container = container, .cgroup_path = "/system.slice/x.service"};
	p->stat[0] = state;
}

/* 1 init; 10 nginx (docker) with workers 12 and 11; 20 a zombie of
 * 1; 30 alice's sleeper with two threads */
static struct fake *make(void)
{
	struct fake *f = calloc(1, sizeof(*f));

	f->w.procs = f->procs;
	f->w.extra = f->extra;
	f->w.tasks = f->tasks;
	f->w.clock.hz = 100;
	add(f, 1, 0, 'S', "init", "/sbin/init", 0.1, 0, "");
	add(f, 10, 1, 'S', "nginx", "nginx: master process", 5, 0, "docker:3f2a9c1b0e4d");
	add(f, 11, 10, 'S', "nginx", "nginx: worker process", 1, 0, "docker:3f2a9c1b0e4d");
	add(f, 12, 10, 'R', "nginx", "nginx: worker process", 9, 0, "docker:3f2a9c1b0e4d");
	add(f, 20, 1, 'Z', "gone", "", 0, 0, "");
	add(f, 30, 1, 'S', "sleeper", "sleeper --long", 2, 1000, "session-3.scope");
	f->procs[5].threads = 3;
	f->tasks[0] = f->procs[5];
	f->tasks[0].pid = 31, f->tasks[0].comm = "worker-a", f->tasks[0].cpu_pct = 50;
	f->tasks[1] = f->procs[5];
	f->tasks[1].pid = 32, f->tasks[1].comm = "worker-b", f->tasks[1].cpu_pct = 0;
	f->w.ntasks = 2;
	return f;
}

static struct top_opts opts(const char *sort)
{
	struct top_opts o = {0};

	top_opts_default(&o);
	o.sort = (struct field_sort){field_find(sort), false};
	return o;
}

static char *pids(const struct fake *f, const struct top_rows *r)
{
	static char s[256];
	size_t at = 0;

	s[0] = '\0';
	for (size_t k = 0; k < r->n; k++)
		at += (size_t)snprintf(s + at, sizeof(s) - at, "%s%d", k ? "," : "",
				       (int)top_row_proc(&f->w, r, k)->pid);
	return s;
}

static void filter(struct top_opts *o, const char *text)
{
	char err[160];

	assert_int_equal(top_filter_set(&o->filter, text, err, sizeof(err)), 0);
}

static void test_filter_language(void **state)
{
	struct fake *f = make();
	struct top_opts o = opts("pid");
	struct top_rows r = {0};
	char err[160];

	(void)state;
	filter(&o, "NGINX"); /* regex, any case, name or command line */
	top_rows_build(&r, &f->w, &o);
	assert_string_equal(pids(f, &r), "10,11,12");
	filter(&o, "!nginx"); /* negated */
	top_rows_build(&r, &f->w, &o);
	assert_string_equal(pids(f, &r), "1,20,30");
	filter(&o, "cmd:^nginx:.(worker|master) !state:R");
	top_rows_build(&r, &f->w, &o);
	assert_string_equal(pids(f, &r), "10,11");
	filter(&o, "user:1000");
	top_rows_build(&r, &f->w, &o);
	assert_string_equal(pids(f, &r), "30");
	filter(&o, "state:ZR");
	top_rows_build(&r, &f->w, &o);
	assert_string_equal(pids(f, &r), "12,20");
	filter(&o, "container:^docker:");
	top_rows_build(&r, &f->w, &o);
	assert_string_equal(pids(f, &r), "10,11,12");
	filter(&o, "!container:docker cgroup:x\\.service");
	top_rows_build(&r, &f->w, &o);
	assert_string_equal(pids(f, &r), "1,20,30");
	filter(&o, "case:name:NGINX"); /* case-sensitive: nothing */
	top_rows_build(&r, &f->w, &o);
	assert_int_equal(r.n, 0);
	/* what it reads for everyone before choosing */
	filter(&o, "container:x state:S");
	assert_true(top_filter_need(&o.filter) & PI_CONTAINER);
	assert_true(top_select_need(&o) & PI_STATE);
	/* errors leave the filter as it was, and say why */
	assert_int_equal(top_filter_set(&o.filter, "cmd:(", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad pattern '('"));
	/* repetitions that multiply past any sensible filter (glibc's regcomp
	 * took over 2 GiB for 50 stacked +, found by make fuzz) are refused
	 * before regcomp; a few are fine */
	assert_int_equal(top_filter_set(&o.filter, "name:r+++++++++++++++++++++++++++++++"
					"+++++++++++++++++++++", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "would make more than 500 copies"));
	assert_int_equal(top_filter_set(&o.filter, "((a{30}){30}){30}", err, sizeof(err)), -1);
	/* a count past long's range is refused, and weighed without
	 * overflowing (make fuzz found the sanitizer stop at its m + 1) */
	assert_int_equal(top_filter_set(&o.filter, "a{9223372036854775807,}", err, sizeof(err)), -1);
	assert_int_equal(top_filter_set(&o.filter, "a{1,99999999999999999999}", err, sizeof(err)), -1);
	/* within the copies, what glibc's closure cannot take (each ran for
	 * minutes: the first found by make fuzz): repeating what may match
	 * nothing, and repetitions four deep */
	assert_int_equal(top_filter_set(&o.filter, "$\300?????;????++++^nginxA", err,
					sizeof(err)), -1);
	assert_non_null(strstr(err, "repeat what may match nothing"));
	assert_int_equal(top_filter_set(&o.filter, "^a?+a?+a?+a?+a?+a?+a?+a?+a?+a?+"
					"a?+a?+a?+a?+a?+a?+a?+a?+a?+a?+", err, sizeof(err)), -1);
	assert_int_equal(top_filter_set(&o.filter, "^(x|)+", err, sizeof(err)), -1);
	assert_int_equal(top_filter_set(&o.filter, "^(a*)*", err, sizeof(err)), -1);
	assert_int_equal(top_filter_set(&o.filter, "xa?{2,9}{9}+y", err, sizeof(err)), -1);
	assert_int_equal(top_filter_set(&o.filter, "^(((a+){2}){2}){2}", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "go more than 3 deep"));
	filter(&o, "^(a*b)+(c?d){2,9}((e+)f)*$");
	filter(&o, "ngi?nx+|a{3}[]+]+");
	assert_true(top_filter_active(&o.filter));
	filter(&o, "container:x state:S");
	assert_int_equal(top_filter_set(&o.filter, "user:no-such-user-here", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no such user"));
	assert_string_equal(o.filter.text, "container:x state:S");
	filter(&o, "");
	assert_false(top_filter_active(&o.filter));
	top_rows_free(&r);
	top_opts_free(&o);
	free(f);
}

static void test_folds_survive_resorting(void **state)
{
	struct fake *f = make();
	struct top_opts o = opts("cpu");
	struct top_rows r = {0};

	(void)state;
	o.tree = true;
	top_rows_build(&r, &f->w, &o);
	/* siblings by %CPU, biggest first: nginx 5 > sleeper 2 > zombie 0;
	 * workers 12 (9) before 11 (1) */
	assert_string_equal(pids(f, &r), "1,10,12,11,30,20");
	top_fold_toggle(&o, &f->procs[1]); /* fold nginx */
	top_rows_build(&r, &f->w, &o);
	assert_string_equal(pids(f, &r), "1,10,30,20");
	assert_int_equal(r.hidden[1], 2);
	assert_true(top_is_folded(&o, &f->procs[1]));
	/* another order, a refresh: still folded */
	o.sort = (struct field_sort){field_find("pid"), true};
	top_rows_build(&r, &f->w, &o);
	assert_string_equal(pids(f, &r), "1,30,20,10");
	assert_int_equal(r.hidden[3], 2);
	{
		struct buf line = {0}, scratch = {0};

		top_row_format(&line, &f->w, &r, 3, &o, NULL, false, &scratch);
		assert_non_null(strstr(line.data, "`- [+2] nginx"));
		buf_free(&line);
		buf_free(&scratch);
	}
	/* a recycled pid is another process: not folded */
	f->procs[1].start_ticks++;
	top_rows_build(&r, &f->w, &o);
	assert_int_equal(r.n, 6);
	f->procs[1].start_ticks--;
	/* fold all: only the root; unfold one */
	top_fold_all(&o, true);
	top_rows_build(&r, &f->w, &o);
	assert_string_equal(pids(f, &r), "1");
	assert_int_equal(r.hidden[0], 5);
	top_fold_toggle(&o, &f->procs[0]);
	top_rows_build(&r, &f->w, &o);
	assert_string_equal(pids(f, &r), "1,30,20,10");
	top_fold_all(&o, false);
	top_rows_build(&r, &f->w, &o);
	assert_int_equal(r.n, 6);
	assert_true(top_row_has_children(&r, 0));
	top_rows_free(&r);
	top_opts_free(&o);
	free(f);
}

static void test_search(void **state)
{
	struct fake *f = make();
	struct top_opts o = opts("pid");
	struct top_rows r = {0};

	(void)state;
	top_rows_build(&r, &f->w, &o);
	assert_int_equal(top_find(&f->w, &r, "WORKER", 0, 1), 2);
	assert_int_equal(top_find(&f->w, &r, "worker", 3, 1), 3);
	assert_int_equal(top_find(&f->w, &r, "worker", 4, 1), 2); /* wraps */
	assert_int_equal(top_find(&f->w, &r, "worker", 1, -1), 3); /* back, wraps */
	assert_int_equal(top_find(&f->w, &r, "--long", 0, 1), 5);
	assert_int_equal(top_find(&f->w, &r, "absent", 0, 1), -1);
	assert_int_equal(top_find(&f->w, &r, "", 0, 1), -1);
	top_rows_free(&r);
	top_opts_free(&o);
	free(f);
}

static void test_thread_rows(void **state)
{
	struct fake *f = make();
	struct top_opts o = opts("cpu");
	struct top_rows r = {0};

	(void)state;
	o.threads = true;
	top_rows_build(&r, &f->w, &o);
	assert_int_equal(r.n, 8);
	assert_int_equal(top_row_proc(&f->w, &r, 0)->pid, 31); /* 50% */
	assert_true(proc_is_thread(top_row_proc(&f->w, &r, 0)));
	o.tree = true; /* threads under their process */
	o.sort = (struct field_sort){field_find("pid"), false};
	top_rows_build(&r, &f->w, &o);
	assert_string_equal(pids(f, &r), "1,10,11,12,20,30,31,32");
	assert_int_equal(r.depth[6], 2);
	/* the filter looks at a thread's own name */
	filter(&o, "worker-a");
	o.tree = false;
	top_rows_build(&r, &f->w, &o);
	assert_string_equal(pids(f, &r), "31");
	top_rows_free(&r);
	top_opts_free(&o);
	free(f);
}

static void test_narrow_columns(void **state)
{
	struct top_opts o = opts("pid");
	struct field_list fit, wide = {0};
	struct field storage[64];
	char bad[32];

	(void)state;
	top_fit_columns(&o.cols, 120, &fit, storage);
	assert_int_equal(fit.n, o.cols.n);
	top_fit_columns(&o.cols, 40, &fit, storage);
	/* PID and the name stay; the name keeps TOP_NAME_MIN columns */
	assert_string_equal(fit.f[0]->key, "pid");
	assert_string_equal(fit.f[fit.n - 1]->key, "comm");
	{
		size_t w = 0;

		for (size_t i = 0; i + 1 < fit.n; i++)
			w += (size_t)abs(fit.f[i]->width) + 1;
		assert_true(w + TOP_NAME_MIN <= 40);
	}
	/* %CPU outlives TIME */
	for (size_t i = 0; i < fit.n; i++)
		assert_string_not_equal(fit.f[i]->key, "cpu_time_s");
	/* wide text shrinks before anything is hidden */
	assert_int_equal(field_list_parse(&wide, "pid,container,comm", "-o", bad, sizeof(bad)), 0);
	top_fit_columns(&wide, 40, &fit, storage);
	assert_int_equal(fit.n, 3);
	assert_int_equal(fit.f[1]->width, -6);
	top_opts_free(&o);
}

/* ---- the settings file -------------------------------------------------------- */

static char dir[64];

static void conf_path(char *out, size_t size)
{
	snprintf(out, size, "%s/pmon/top.conf", dir);
}

static void write_conf(const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/pmon", dir);
	mkdir(path, 0700);
	conf_path(path, sizeof(path));
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/pmon-conf-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	setenv("XDG_CONFIG_HOME", dir, 1);
	return 0;
}

static int remove_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_settings_round_trip(void **state)
{
	struct top_opts o = opts("cpu"), back = opts("cpu");
	char err[300], warning[300], path[128];
	struct stat sb;

	(void)state;
	o.cols.n = 0;
	field_list_of(&o.cols, (const char *const[]){"pid", "container", "io_read_rate", "comm"}, 4);
	o.sort = (struct field_sort){field_find("mem_pct"), true};
	o.delay = 1.5;
	o.tree = o.fold_all = o.threads = true;
	o.meters = METERS_TEXT;
	o.cpus = CPUS_ONE;
	o.theme = THEME_CONTRAST;
	assert_int_equal(top_conf_save(&o, err, sizeof(err)), 0);
	conf_path(path, sizeof(path));
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	top_conf_load(&back, warning, sizeof(warning));
	assert_string_equal(warning, "");
	assert_int_equal(back.cols.n, 4);
	assert_string_equal(back.cols.f[1]->key, "container");
	assert_string_equal(back.sort.f->key, "mem_pct");
	assert_true(back.sort.reverse);
	assert_true(back.delay == 1.5);
	assert_true(back.tree && back.fold_all && back.threads && !back.cmdline);
	assert_int_equal(back.meters, METERS_TEXT);
	assert_int_equal(back.cpus, CPUS_ONE);
	assert_int_equal(back.theme, THEME_CONTRAST);
	top_opts_free(&o);
	top_opts_free(&back);
}

static void test_settings_bad_file(void **state)
{
	struct top_opts o = opts("cpu");
	char warning[300];

	(void)state;
	write_conf("[top]\ndelay = fast\nsort = nonsense\nmeters = text\ncolour = pink\n"
		   "this line is not a setting\n");
	top_conf_load(&o, warning, sizeof(warning));
	/* one line: the first problem, and how many more */
	assert_non_null(strstr(warning, "top.conf: bad delay 'fast' (the default is kept)"));
	assert_non_null(strstr(warning, "and 3 more problems"));
	assert_null(strchr(warning, '\n'));
	assert_true(o.delay == 3.0);
	assert_string_equal(o.sort.f->key, "cpu_pct");
	assert_int_equal(o.meters, METERS_TEXT); /* the good line still counts */
	/* a column refused: which one and why, as -o's error says it */
	write_conf("[top]\ncolumns = pid,nope,comm\ndelay = soon\n");
	top_conf_load(&o, warning, sizeof(warning));
	assert_string_equal(warning, "top.conf: unknown field 'nope' in the columns setting"
			    " (pmon ps -o help lists them); that line is ignored,"
			    " and 1 more problem");
	write_conf("\x01\x02 binary garbage \xff\n");
	top_conf_load(&o, warning, sizeof(warning));
	assert_non_null(strstr(warning, "top.conf:"));
	top_opts_free(&o);
}

static void test_settings_symlink_refused(void **state)
{
	struct top_opts o = opts("cpu");
	char err[300], path[128], victim[128];

	(void)state;
	if (geteuid() != 0) {
		skip(); /* planting a link as another user needs root */
		return;
	}
	write_conf("[top]\n");
	conf_path(path, sizeof(path));
	unlink(path);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(lchown(path, 65534, 65534), 0);
	assert_int_equal(top_conf_save(&o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "symlink someone else made"));
	assert_int_equal(access(victim, F_OK), -1);
	unlink(path);
	top_opts_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_language),
		cmocka_unit_test(test_folds_survive_resorting),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_thread_rows),
		cmocka_unit_test(test_narrow_columns),
		cmocka_unit_test_setup_teardown(test_settings_round_trip, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_settings_bad_file, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_settings_symlink_refused, make_dir, remove_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
