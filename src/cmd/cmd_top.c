/*
 * cmd_top.c - `pmon top`: a live, sorted view of the processes with the
 * system's load, CPU and memory, interactive (ui/topview.c) or in batch
 * frames for scripts.  The reading is the watch's (ui/topframe.c asks
 * it), what is shown and in which order is ui/topmodel.c's; this file is
 * options and the batch loop.
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
#include "proc/procps.h"
#include "proc/watch.h"
#include "ui/topconf.h"
#include "ui/topframe.h"
#include "ui/topmeter.h"
#include "ui/topmodel.h"
#include "ui/topview.h"
#include "view/escape.h"

struct top_cli {
	struct top_opts view;
	bool cols_given;   /* -o: JSON has just those keys */
	long full_every;   /* --full-every: PROCWATCH_FULL_EVERY by default */
	long iterations;   /* 0: until interrupted */
	bool batch, json;
	struct top_room room;
};

static const struct cmd_opt top_opts[] = {
	CMD_OPT('d', "delay", ARG_SECONDS, "SECONDS",
		"time between refreshes, 0.1 to 86400 (default 3)"),
	CMD_OPT('o', "output", ARG_FIELDS, "KEY,...",
		"these columns (pmon ps -o help lists the keys)"),
	CMD_OPT('u', "user", ARG_USERS, "USER,...",
		"only processes of these users (names or uids)"),
	CMD_OPT('p', "pid", ARG_PIDS, "PID,...",
		"only these processes"),
	CMD_OPT('s', "sort", ARG_SORT, "[-]KEY",
		"sort by any key (default cpu); biggest first for\n"
		"numbers that grow (cpu, mem, rss, time); - reverses"),
	CMD_OPT('t', "tree", ARG_NONE, NULL,
		"show the process tree instead of a sorted list"),
	CMD_OPT('H', "threads", ARG_NONE, NULL,
		"a row for each thread"),
	CMD_OPT('c', "args", ARG_NONE, NULL,
		"COMMAND shows the command line, not the name"),
	CMD_OPT('f', "filter", ARG_TEXT, "EXPR",
		"keep the rows that match: terms of a regex (name or\n"
		"command line), name: cmd: user: state: cgroup:\n"
		"container:, each negated by a leading !"),
	{.short_name = 0, .long_name = "meters", .val = 'm', .arg = ARG_WORD,
	 .metavar = "MODE", .words = "bars text off",
	 .help =
		"the header: bars (default), text (procps top's\n"
		"lines), off"},
	CMD_LONG("full-every", 'F', ARG_NUMBER, "N",
		"read every process in full every N refreshes\n"
		"(default 60); between them, a process that has\n"
		"not run is read again only when shown"),
	CMD_OPT('b', "batch", ARG_NONE, NULL,
		"plain text frames on stdout, no terminal needed"),
	CMD_OPT('n', "iterations", ARG_NUMBER, "N",
		"with -b: stop after N frames (default: never)"),
	CMD_LONG("json", 'j', ARG_NONE, NULL,
		"with -b: one JSON document per frame"),
	CMD_LONG("keys", 'K', ARG_NONE, NULL,
		"list the keys of the interactive view"),
	CMD_LONG("room", 'R', ARG_NONE, NULL,
		"open the room's pane (#) from the start"),
	CMD_OPT('S', "socket", ARG_FILE, "PATH",
		"the room's socket (default: as pmon chat: the\n"
		"system room, else your personal one)"),
	{0},
};

static void parse_opts(int argc, char **argv, struct top_cli *o)
{
	struct field_list cols = {0};
	char why[128], err[160];
	int c;

	while ((c = cmd_getopt(argc, argv)) != -1) {
		switch (c) {
		case 'b': o->batch = true; break;
		case 'n': o->iterations = estrtonum(optarg, 1, 1000000, "-n"); break;
		case 'd':
			if (top_delay_parse(optarg, &o->view.delay) < 0)
				usage_error("-d takes " TOP_DELAY_RULE ", not '%s'", optarg);
			break;
		case 'u': add_user_list(optarg, &o->view.uids, &o->view.nuids); break;
		case 'p': add_pid_list(optarg, &o->view.pids, &o->view.npids); break;
		case 's':
			if (field_sort_parse(&o->view.sort, optarg) < 0)
				usage_error("cannot sort by '%s' (pmon ps -o help lists the keys)", optarg);
			break;
		case 'o':
			if (field_list_parse(&cols, optarg, "-o", why, sizeof(why)) < 0)
				usage_error("%s", why);
			break;
		case 't': o->view.tree = true; break;
		case 'c': o->view.cmdline = true; break;
		case 'j': o->json = true; break;
		case 'F': o->full_every = estrtonum(optarg, 1, 1000000, "--full-every"); break;
		case 'f':
			if (top_filter_set(&o->view.filter, optarg, err, sizeof(err)) < 0)
				usage_error("--filter: %s", err);
			break;
		case 'H': o->view.threads = true; break;
		case 'R': o->room.open = true; break;
		case 'S': o->room.socket = optarg; break;
		case 'K': {
			struct buf keys = {0};

			top_keys_text(&keys);
			fwrite(keys.data, 1, keys.len, stdout);
			buf_free(&keys);
			exit(finish_stdout(EXIT_OK));
		}
		case 'm':
			if (top_conf_enum(optarg, top_meters_names, METERS_MODES,
					  (int *)&o->view.meters) < 0)
				usage_error("--meters takes bars, text or off, not '%s'", optarg);
			break;
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s' (PIDs go after -p)", argv[optind]);
	if (o->json && !o->batch)
		usage_error("--json needs -b (batch mode)");
	if (!o->batch && o->iterations)
		usage_error("-n needs -b (batch mode)");
	o->cols_given = cols.n > 0;
	if (o->cols_given)
		o->view.cols = cols;
	top_opts_sync_name(&o->view);
}

/* Sleep for s seconds, through signals that do not end us. */
static void pause_for(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int batch_text_frame(const struct procwatch *w, const struct top_rows *r,
			    const struct top_opts *o, bool utf8, struct buf *out)
{
	struct buf scratch = {0};
	struct top_header h;

	buf_reset(out);
	top_header_format(&h, w, &r->counts);
	for (int i = 0; i < TOP_HEADER_LINES && o->meters != METERS_OFF; i++)
		buf_printf(out, "%s\n", h.line[i]);
	if (o->meters == METERS_OFF)
		buf_printf(out, "%s\n", h.line[1]); /* the Tasks line stays */
	else
		meter_text_lines(&w->sys, out);
	buf_putc(out, '\n');
	top_titles_format(out, o, NULL);
	buf_putc(out, '\n');
	for (size_t k = 0; k < r->n; k++) {
		top_row_format(out, w, r, k, o, NULL, utf8, &scratch);
		buf_putc(out, '\n');
	}
	buf_putc(out, '\n');
	buf_free(&scratch);
	return fwrite(out->data, 1, out->len, stdout) == out->len ? 0 : -1;
}

/* One frame as one line (JSON Lines), ASCII only like json_emit's, so a
 * script can read frame by frame. */
static int batch_json_frame(const struct procwatch *w, const struct top_rows *r,
			    const struct field_list *keys)
{
	const struct frame_header h = {
		.now = w->clock.now, .interval = w->interval, .sys = &w->sys,
		.counts = &r->counts,
	};
	const struct proc **rows = xcalloc(r->n ? r->n : 1, sizeof(*rows));
	json_t *doc;
	int rc;

	for (size_t k = 0; k < r->n; k++)
		rows[k] = top_row_proc(w, r, k);
	doc = frame_json(&h, rows, r->have_tree ? r->depth : NULL, r->n, keys);
	free(rows);
	rc = json_dumpf(doc, stdout, JSON_COMPACT | JSON_ENSURE_ASCII |
			JSON_REAL_PRECISION(10) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (rc == 0)
		putchar('\n');
	return rc == 0 && !ferror(stdout) ? 0 : -1;
}

static int run_batch(struct procwatch *w, struct top_cli *o)
{
	bool utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	struct top_rows rows = {0};
	struct field_list keys;
	struct buf out = {0};
	int status = EXIT_OK;

	top_json_keys(&o->view, o->cols_given, &keys);
	if (o->json) /* the JSON keys are shown too (the command line, say) */
		o->view.also_show = field_list_need(&keys);
	top_frame_prime(w, &o->view);
	pause_for(o->view.delay < TOP_FIRST_SAMPLE_S ? o->view.delay : TOP_FIRST_SAMPLE_S);
	for (long i = 0; !o->iterations || i < o->iterations; i++) {
		if (i)
			pause_for(o->view.delay);
		if (top_frame_read(w, &rows, &o->view, true) < 0)
			pmon_die_errno(EXIT_FAIL, errno, "cannot read the process table");
		top_frame_fetch(w, &rows, &o->view, 0, 0);
		if (o->json) {
			if (batch_json_frame(w, &rows, &keys) < 0)
				status = EXIT_FAIL;
		} else if (batch_text_frame(w, &rows, &o->view, utf8, &out) < 0) {
			status = EXIT_FAIL;
		}
		if (status != EXIT_OK || fflush(stdout) == EOF)
			break;
	}
	/* As ps: a selection (-p, -u) that found nothing is a failure. */
	if (status == EXIT_OK && (o->view.npids || o->view.nuids) &&
	    rows.counts.total == 0)
		status = EXIT_FAIL;
	top_rows_free(&rows);
	buf_free(&out);
	return status;
}

static int top_exec(int argc, char **argv)
{
	struct top_cli o = {.full_every = PROCWATCH_FULL_EVERY};
	char warning[256] = "";
	struct procwatch w;
	int status;

	top_opts_default(&o.view);
	/* The settings file first (W writes it), the options over it; a bad
	 * setting is one warning and its default, never a failure. */
	top_conf_load(&o.view, warning, sizeof(warning));
	parse_opts(argc, argv, &o);
	cmd_note_pidns();
	if (warning[0] && o.batch) {
		char shown[1024];

		pmon_warn("%s", esc_string(warning, false, shown, sizeof(shown)));
	}
	if (!o.batch && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		pmon_die(EXIT_FAIL, "the interactive view needs a terminal; "
			 "use -b for batch mode");
	if (!o.batch)
		top_view_check_terminal();
	if (procwatch_open(&w, o.batch) < 0) {
		if (errno == ELIBACC)
			pmon_die(EXIT_FAIL, "top's system-wide figures need procps-ng's "
				 "libproc2 (Debian: libproc2-0): %s", procps_lib_error());
		pmon_die_errno(EXIT_FAIL, errno,
			       "cannot read the process table (is /proc mounted?)");
	}
	w.full_every = (unsigned)o.full_every;
	if (o.batch)
		status = run_batch(&w, &o);
	else
		status = top_view_run(&w, &o.view, warning, &o.room);
	procwatch_close_at_exit(&w);
	top_opts_free(&o.view);
	return finish_stdout(status);
}

const struct cmd_entry cmd_top_entry = {
	.name = "top",
	.summary = "Live view of the processes, sorted, with load, CPU and memory",
	.usage = "[-b [-n N] [--json]] [-d SECONDS] [-o KEY,...] [-u USER,...] "
		 "[-p PID,...] [--sort [-]KEY] [--tree] [-H] [-c] [--filter EXPR] "
		 "[--meters bars|text|off] [--full-every N] [--room] [-S SOCKET]",
	.opts = top_opts,
	.notes =
	"Settings are read from $XDG_CONFIG_HOME/pmon/top.conf (or\n"
	"~/.config/pmon/top.conf), written by W; options win over them.\n"
	"Keys (h in top, or --keys, lists them all): q quit, / F3 search, \\ F4 filter,\n"
	"t tree, - + * fold, H threads, Space V A U tag, k F9 signal, r reap,\n"
	"[ ] renice, s strace, l lsof, Enter details, S F2 setup, W save,\n"
	"m meters, Z pause, d delay, # the room's pane, : say in the room,\n"
	"{ } the pane's size; the mouse selects, sorts and scrolls.\n"
	"The Tasks line counts what -u, -p and u select; z and the filter only\n"
	"hide rows.  Exit status with -b: 1 when -p or -u selects no process.\n",
	.exec = top_exec,
};
