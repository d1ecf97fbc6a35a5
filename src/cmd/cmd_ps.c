/*
 * cmd_ps.c - `pmon ps`: every process (like ps -e), one row each, then a
 * line of counts per state.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "view/field.h"
#include "view/output.h"
#include "cmd/cmd.h"
#include "proc/proc.h"
#include "act/orphan.h"

struct ps_opts {
	bool args, json, wide;
	pid_t *pids;
	size_t npids;
	uid_t *uids;
	size_t nuids;
	const char *states;      /* NULL: every state */
	struct field_list cols;  /* -o, or the default columns */
	bool cols_given;         /* -o was given: JSON has just those keys */
	struct field_sort sort;  /* sort.f NULL: pid order */
	bool orphans;            /* --orphans: only them, marked */
	const char *format_name; /* "-f" or "BSD's u", as errors name it */
	const char *format_cols; /* its columns: ps's, unless -o */
	bool every;              /* -e: no BSD restriction applies */
	bool tty_only;           /* BSD letters without x: only processes
	                            with a controlling terminal */
	bool help;               /* -o help: list the keys, and nothing else */
	struct orphan_mark *marks;
	size_t nmarks;
};

static const char valid_states[] = "RSDTtZXIPWK";

static const char *const default_cols[] = {
	"pid", "ppid", "user", "stat", "rss_kb", "elapsed_s", "comm",
};

/* ps's habits, taken as ps takes them: -f's columns (%CPU for its C, the
 * same figure unrounded) and BSD u's, the columns of `ps -ef` and `ps aux`. */
static const char full_cols[] = "user,pid,ppid,cpu_pct,start,tty,cpu_time_s,cmdline";
static const char bsd_user_cols[] =
	"user,pid,cpu_pct,mem_pct,vsz_kb,rss_kb,tty,stat,start,cpu_time_s,cmdline";

static void parse_columns(struct ps_opts *o, const char *spec)
{
	char why[128];

	if (strcmp(spec, "help") == 0) {
		o->help = true; /* after the other options: --json may follow */
		return;
	}
	if (field_list_parse(&o->cols, spec, "-o", why, sizeof(why)) < 0)
		usage_error("%s", why);
}

static const struct cmd_opt ps_opts[] = {
	CMD_OPT('a', "args", ARG_NONE, NULL,
		"show full command lines instead of names (with\n"
		"-o: in place of comm, unless cmdline is there)"),
	CMD_OPT('e', "every", ARG_NONE, NULL,
		"every process: what pmon ps shows anyway (ps -e)"),
	CMD_OPT('f', "full", ARG_NONE, NULL,
		"ps -f's columns (pmon(1) lists them)"),
	CMD_OPT('o', "output", ARG_FIELDS, "KEY,...",
		"these columns: keys, ps's names (vsz, pcpu,\n"
		"cmd...) or titles; -o help lists every key,\n"
		"as JSON with --json"),
	CMD_OPT('w', "wide", ARG_NONE, NULL,
		"do not cut lines at the terminal's width"),
	CMD_OPT('u', "user", ARG_USERS, "USER,...",
		"only processes of these users (names or uids)"),
	CMD_OPT('p', "pid", ARG_PIDS, "PID,...",
		"only these processes"),
	CMD_LONG("state", 'S', ARG_TEXT, "LETTERS",
		"only processes in these states, e.g. ZD"),
	CMD_LONG("orphans", 'O', ARG_NONE, NULL,
		"only the processes pmon orphans lists, each\n"
		"followed by \"[orphan: KIND]\" (\"orphan\" in JSON)"),
	CMD_OPT('s', "sort", ARG_SORT, "[-]KEY",
		"sort by any key of -o help; a leading - sorts\n"
		"descending"),
	CMD_LONG("json", 'j', ARG_NONE, NULL,
		"one JSON array of process objects (with -o: the\n"
		"keys asked for)"),
	{0},
};

/* Which format chooses the columns besides -o: -f or BSD's u, once. */
static void choose_format(struct ps_opts *o, const char *name, const char *cols)
{
	if (o->format_name && strcmp(o->format_name, name) != 0)
		usage_error("%s and %s both choose the columns; give one",
			    o->format_name, name);
	o->format_name = name;
	o->format_cols = cols;
}

/* BSD ps's operand, as in `ps aux`, as BSD ps takes it: without a, only
 * the caller's processes; without x, only those with a controlling
 * terminal (both lifted, as by procps, when -e, -p or -u selects); u, ps
 * u's columns; w, -w.  Anything else is not taken.  True when it was. */
static bool take_bsd_letters(const char *arg, struct ps_opts *o)
{
	bool selected = o->every || o->npids || o->nuids;

	if (!*arg || strspn(arg, "auxw") != strlen(arg))
		return false;
	if (!strchr(arg, 'a') && !selected) {
		o->uids = xreallocarray(o->uids, o->nuids + 1, sizeof(uid_t));
		o->uids[o->nuids++] = geteuid();
	}
	o->tty_only = !strchr(arg, 'x') && !selected;
	if (strchr(arg, 'u'))
		choose_format(o, "BSD's u", bsd_user_cols);
	if (strchr(arg, 'w'))
		o->wide = true;
	return true;
}

/* `-aux`: BSD's word with a dash would read as -a -u x (user x).  Only
 * -a, u with letters after it, and x: -au root and -uwww stay -u's. */
static void refuse_dashed_bsd_word(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *w = argv[i];
		const char *u = strchr(w, 'u');

		if (w[0] == '-' && w[1] == 'a' && u && u[1] && strchr(w, 'x') &&
		    strspn(w + 1, "auxw") == strlen(w + 1))
			usage_error("'%s' is BSD ps's '%s' with a dash: pmon ps %s",
				    w, w + 1, w + 1);
	}
}

/* -f and BSD's u are ps's column sets; -o chooses the columns too. */
static void columns_of_format(struct ps_opts *o)
{
	if (!o->format_name)
		return;
	if (o->cols.n)
		usage_error("-o and %s both choose the columns; give one", o->format_name);
	parse_columns(o, o->format_cols);
}

static void parse_opts(int argc, char **argv, struct ps_opts *o)
{
	int c;

	refuse_dashed_bsd_word(argc, argv);
	while ((c = cmd_getopt(argc, argv)) != -1) {
		switch (c) {
		case 'a': o->args = true; break;
		case 'e': o->every = true; break;
		case 'f': choose_format(o, "-f", full_cols); break;
		case 'w': o->wide = true; break;
		case 'u': add_user_list(optarg, &o->uids, &o->nuids); break;
		case 'p': add_pid_list(optarg, &o->pids, &o->npids); break;
		case 'S':
			if (!*optarg || strspn(optarg, valid_states) != strlen(optarg))
				usage_error("--state takes letters from %s, not '%s'",
					    valid_states, optarg);
			o->states = optarg;
			break;
		case 's':
			if (field_sort_parse(&o->sort, optarg) < 0)
				usage_error("cannot sort by '%s' (pmon ps -o help lists the keys)", optarg);
			break;
		case 'o': parse_columns(o, optarg); break;
		case 'j': o->json = true; break;
		case 'O': o->orphans = true; break;
		}
	}
	if (optind < argc && take_bsd_letters(argv[optind], o))
		optind++;
	if (optind < argc)
		usage_error("unexpected argument '%s' (PIDs go after -p; of BSD ps's "
			    "letters, a, u, x and w are taken, as in pmon ps aux)",
			    argv[optind]);
	columns_of_format(o);
	o->cols_given = o->cols.n > 0;
	if (!o->cols.n)
		field_list_of(&o->cols, default_cols, ARRAY_LEN(default_cols));
	/* -a: cmdline for comm, unless -o has a cmdline column already */
	if (o->args && !field_list_has(&o->cols, field_find("cmdline")))
		for (size_t i = 0; i < o->cols.n; i++)
			if (o->cols.f[i] == field_find("comm"))
				o->cols.f[i] = field_find("cmdline");
}

/* -o help: every key of the registry, as text or (--json) objects. */
static int print_field_help(bool json)
{
	struct buf help = {0};
	int status = EXIT_OK;

	if (json) {
		struct json_out out;

		json_out_begin_array(&out, stdout);
		for (size_t i = 0; i < nfields; i++)
			json_out_element(&out, field_help_json(&fields[i]));
		if (json_out_end_array(&out) < 0)
			status = EXIT_FAIL;
	} else {
		field_help(&help);
		fputs(help.data, stdout);
		buf_free(&help);
	}
	return finish_stdout(status);
}

static int by_sort_key(const void *a, const void *b, void *arg)
{
	return field_sort_cmp(arg, *(const struct proc *const *)a,
			      *(const struct proc *const *)b);
}

/* The processes to show, in the order to show them: an index of their
 * own, so that the snapshot keeps the pid order snapshot_find needs. */
static const struct proc **select_rows(const struct ps_opts *o,
				       const struct snapshot *snap, size_t *n)
{
	const struct proc **rows = xcalloc(snap->n ? snap->n : 1, sizeof(*rows));

	*n = 0;
	for (size_t i = 0; i < snap->n; i++)
		if ((!o->states || strchr(o->states, snap->procs[i].state)) &&
		    (!o->tty_only || snap->procs[i].tty_nr != 0) &&
		    (!o->orphans || orphan_mark_of(o->marks, o->nmarks,
						   &snap->procs[i]) != ORPHAN_NONE))
			rows[(*n)++] = &snap->procs[i];
	if (o->sort.f)
		qsort_r(rows, *n, sizeof(*rows), by_sort_key, (void *)&o->sort);
	return rows;
}

/* -o in JSON: the keys asked for; without -o, the whole process object. */
static void print_rows(const struct ps_opts *o, const struct proc **rows,
		       size_t n, int *status)
{
	struct state_counts counts = {0};
	struct output out;
	struct json_out json;
	char summary[256];

	output_init(&out, stdout, o->wide);
	if (o->json)
		json_out_begin_array(&json, stdout); /* streamed: see json_out */
	else
		table_header(&out, &o->cols);
	for (size_t i = 0; i < n; i++) {
		enum orphan_kind k = o->orphans ?
			orphan_mark_of(o->marks, o->nmarks, rows[i]) : ORPHAN_NONE;

		state_counts_add(&counts, rows[i]->state, rows[i]->threads);
		if (o->json) {
			json_t *obj = proc_to_json(rows[i], o->cols_given ? &o->cols : NULL);

			if (o->orphans)
				json_object_set_new(obj, "orphan", json_string(orphan_kind_name(k)));
			json_out_element(&json, obj);
		} else if (o->orphans) {
			char note[64];

			snprintf(note, sizeof(note), "  [orphan: %s]", orphan_kind_name(k));
			table_print_row_note(&out, &o->cols, rows[i], NULL, note);
		} else {
			/* No note to make: made for every row, it was 13% of
			 * pmon ps's user time (callgrind, BPF, 10,172 rows). */
			table_print_row_note(&out, &o->cols, rows[i], NULL, NULL);
		}
	}
	if (o->json) {
		if (json_out_end_array(&json) < 0)
			*status = EXIT_FAIL;
	} else {
		format_state_counts(&counts, summary, sizeof(summary));
		out_wrapped(&out, "", summary, 0);
	}
	output_free(&out);
}

static int ps_exec(int argc, char **argv)
{
	struct ps_opts o = {0};
	struct snapshot snap;
	struct snapshot_query q;
	const struct proc **rows;
	size_t n;
	int status = EXIT_OK;

	parse_opts(argc, argv, &o);
	if (o.help)
		return print_field_help(o.json);
	cmd_note_pidns();
	q = (struct snapshot_query){
		/* Full STAT, with L: ps -o stat parity costs /proc/PID/status. */
		.need = field_list_need(&o.cols) | PI_LOCKED | PI_STATE | PI_THREADS |
			(o.json && !o.cols_given ? json_process_need() : 0) |
			(o.sort.f ? o.sort.f->need : 0) | (o.orphans ? PI_START : 0) |
			(o.tty_only ? PI_TTY : 0),
		.pids = o.pids, .npids = o.npids,
		.uids = o.uids, .nuids = o.nuids,
	};
	if (snapshot_take(&snap, &q) < 0)
		pmon_die_errno(EXIT_FAIL, errno,
			       "cannot read the process table (is /proc mounted?)");
	if (o.orphans) {
		/* Their class depends on every process (sessions, parents):
		 * a scan of its own, whatever -p and -u select. */
		ssize_t m = orphan_marks(&o.marks);

		if (m < 0)
			pmon_die_errno(EXIT_FAIL, errno, "cannot read the process table");
		o.nmarks = (size_t)m;
	}
	rows = select_rows(&o, &snap, &n);
	print_rows(&o, rows, n, &status);
	/* Like ps: selecting nothing is a failure scripts can test for. */
	if (n == 0 && (o.npids || o.nuids || o.states || o.orphans || o.tty_only))
		status = EXIT_FAIL;
	free(rows);
	free(o.marks);
	snapshot_free(&snap);
	free(o.pids);
	free(o.uids);
	return finish_stdout(status);
}

const struct cmd_entry cmd_ps_entry = {
	.name = "ps",
	.summary = "List processes with ps-style STAT and a count per state",
	.usage = "[-aefw] [-o KEY,...] [-u USER,...] [-p PID,...] [--state LETTERS] [--orphans] [--sort [-]KEY] [--json] [aux]",
	.opts = ps_opts,
	.notes =
	"Columns: PID PPID USER STAT RSS ELAPSED COMMAND; STAT is what ps -o stat\n"
	"prints.  Exit status 1 when a filter (-p, -u, --state, --orphans, a BSD\n"
	"word's) selects no process.  ps's habits work: pmon ps -ef, and BSD's word\n"
	"as in pmon ps aux (without a, only your processes; without x, only those\n"
	"with a terminal; both lifted by -e, -p or -u, as in procps; u: ps u's\n"
	"columns; w: -w).  -f, u and -o each choose the columns (and --json's keys):\n"
	"give one.  -e adds nothing to -p, -u or --state: they still narrow the list.\n",
	.exec = ps_exec,
};
