/*
 * cmd_top.c - `pmon top`: a live, sorted view of the processes with the
 * system's load, CPU and memory, interactive (ui/topview.c) or in batch
 * frames for scripts.  The reading is procwatch.c's, what is shown and in
 * which order is ui/topmodel.c's; this file is options and the batch loop.
 */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "view/output.h"
#include "cmd/cmd.h"
#include "proc/watch.h"
#include "ui/topmodel.h"
#include "ui/topview.h"

struct top_cli {
	struct top_opts view;
	double delay;
	long iterations;   /* 0: until interrupted */
	bool batch, json;
};

static double parse_delay(const char *s)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(d) || d < 0 || d > 86400)
		usage_error("-d takes seconds from 0 to 86400, such as 1.5, not '%s'", s);
	return d;
}

static void parse_sort(struct top_opts *o, const char *s)
{
	int col;

	o->reverse = s[0] == '-';
	col = top_col_from_name(s + (s[0] == '-' || s[0] == '+'));
	if (col < 0)
		usage_error("cannot sort by '%s' (try cpu, mem, pid, time, state, "
			    "user, rss or command)", s);
	o->sort = (enum top_col)col;
}

static void parse_opts(int argc, char **argv, struct top_cli *o)
{
	static const struct option longopts[] = {
		{"batch", no_argument, NULL, 'b'},
		{"iterations", required_argument, NULL, 'n'},
		{"delay", required_argument, NULL, 'd'},
		{"user", required_argument, NULL, 'u'},
		{"pid", required_argument, NULL, 'p'},
		{"sort", required_argument, NULL, 's'},
		{"tree", no_argument, NULL, 't'},
		{"args", no_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int c;

	while ((c = cmd_getopt(argc, argv, ":bn:d:u:p:s:tch", longopts)) != -1) {
		switch (c) {
		case 'b': o->batch = true; break;
		case 'n': o->iterations = estrtonum(optarg, 1, 1000000, "-n"); break;
		case 'd': o->delay = parse_delay(optarg); break;
		case 'u': add_user_list(optarg, &o->view.uids, &o->view.nuids); break;
		case 'p': add_pid_list(optarg, &o->view.pids, &o->view.npids); break;
		case 's': parse_sort(&o->view, optarg); break;
		case 't': o->view.tree = true; break;
		case 'c': o->view.cmdline = true; break;
		case 'j': o->json = true; break;
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s' (PIDs go after -p)", argv[optind]);
	if (o->json && !o->batch)
		usage_error("--json needs -b (batch mode)");
	if (!o->batch && o->iterations)
		usage_error("-n needs -b (batch mode)");
}

/* Sleep for s seconds, through signals that do not end us. */
static void pause_for(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int batch_text_frame(struct procwatch *w, const struct top_rows *r,
			    const struct top_opts *o, bool utf8, struct buf *out)
{
	struct top_header h;

	buf_reset(out);
	top_header_format(&h, w, &r->counts);
	for (int i = 0; i < TOP_HEADER_LINES; i++)
		buf_printf(out, "%s\n", h.line[i]);
	buf_putc(out, '\n');
	top_titles_format(out);
	buf_putc(out, '\n');
	for (size_t k = 0; k < r->n; k++) {
		top_row_format(out, w, r, k, o, utf8);
		buf_putc(out, '\n');
	}
	buf_putc(out, '\n');
	return fwrite(out->data, 1, out->len, stdout) == out->len ? 0 : -1;
}

/* One frame as one line (JSON Lines), ASCII only like json_emit's, so a
 * script can read frame by frame. */
static int emit_json_line(json_t *doc)
{
	int rc = json_dumpf(doc, stdout, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(10) |
					 JSON_PRESERVE_ORDER);

	json_decref(doc);
	if (rc == 0)
		putchar('\n');
	return rc == 0 && !ferror(stdout) ? 0 : -1;
}

static int run_batch(struct procwatch *w, const struct top_cli *o)
{
	bool utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	struct top_rows rows = {0};
	struct buf out = {0};
	int status = EXIT_OK;

	pause_for(o->delay < TOP_FIRST_SAMPLE_S ? o->delay : TOP_FIRST_SAMPLE_S);
	for (long i = 0; !o->iterations || i < o->iterations; i++) {
		if (i)
			pause_for(o->delay);
		if (procwatch_refresh(w) < 0)
			pmon_die_errno(EXIT_FAIL, errno, "cannot read the process table");
		top_rows_build(&rows, w, &o->view);
		if (o->json) {
			if (emit_json_line(top_frame_json(w, &rows, &rows.counts)) < 0)
				status = EXIT_FAIL;
		} else if (batch_text_frame(w, &rows, &o->view, utf8, &out) < 0) {
			status = EXIT_FAIL;
		}
		if (status != EXIT_OK || fflush(stdout) == EOF)
			break;
	}
	top_rows_free(&rows);
	buf_free(&out);
	return status;
}

static int top_exec(int argc, char **argv)
{
	struct top_cli o = {.delay = 3.0, .view = {.sort = COL_CPU}};
	struct procwatch w;
	int status;

	parse_opts(argc, argv, &o);
	if (!o.batch && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		pmon_die(EXIT_FAIL, "the interactive view needs a terminal; "
			 "use -b for batch mode");
	if (procwatch_open(&w) < 0)
		pmon_die_errno(EXIT_FAIL, errno,
			       "cannot read the process table (is /proc mounted?)");
	if (o.batch)
		status = run_batch(&w, &o);
	else
		status = top_view_run(&w, &o.view, o.delay);
	procwatch_close(&w);
	free(o.view.uids);
	free(o.view.pids);
	return finish_stdout(status);
}

const struct cmd_entry cmd_top_entry = {
	.name = "top",
	.summary = "Live view of the processes, sorted, with load, CPU and memory",
	.usage = "[-b [-n N] [--json]] [-d SECONDS] [-u USER,...] [-p PID,...] "
		 "[--sort [-]KEY] [--tree] [-c]",
	.help =
	"  -d, --delay SECONDS   time between refreshes (default 3)\n"
	"  -u, --user USER,...   only processes of these users (names or uids)\n"
	"  -p, --pid PID,...     only these processes\n"
	"  -s, --sort [-]KEY     sort by cpu (default), mem, pid, time, state,\n"
	"                        user, rss or command; - reverses the order\n"
	"  -t, --tree            show the process tree instead of a sorted list\n"
	"  -c, --args            COMMAND shows the command line, not the name\n"
	"  -b, --batch           plain text frames on stdout, no terminal needed\n"
	"  -n, --iterations N    with -b: stop after N frames (default: never)\n"
	"      --json            with -b: one JSON document per frame\n"
	"  -h, --help            show this help\n"
	"\nKeys: q quit, h or ? help, arrows PgUp PgDn Home End scroll,\n"
	"< > move the sort column, R reverse it, t tree, z zombies only,\n"
	"/ filter by name, u filter by user, c command lines, k send a signal\n"
	"to the selected process, r reap the selected zombie (or a parent's\n"
	"zombies), space pause, d delay.  The Tasks line counts what -u, -p\n"
	"and u select; z and / only hide rows.\n",
	.exec = top_exec,
};
