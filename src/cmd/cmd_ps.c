/*
 * cmd_ps.c - `pmon ps`: every process (like ps -e), one row each, then a
 * line of counts per state.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "view/field.h"
#include "view/output.h"
#include "cmd/cmd.h"
#include "proc/proc.h"

struct ps_opts {
	bool args, json, wide;
	pid_t *pids;
	size_t npids;
	uid_t *uids;
	size_t nuids;
	const char *states;      /* NULL: every state */
	const struct field *sort;
	bool descending;
};

static const char valid_states[] = "RSDTtZXIPWK";

static void parse_opts(int argc, char **argv, struct ps_opts *o)
{
	static const struct option longopts[] = {
		{"args", no_argument, NULL, 'a'},
		{"wide", no_argument, NULL, 'w'},
		{"user", required_argument, NULL, 'u'},
		{"pid", required_argument, NULL, 'p'},
		{"state", required_argument, NULL, 'S'},
		{"sort", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int c;

	while ((c = cmd_getopt(argc, argv, ":awu:p:s:h", longopts)) != -1) {
		switch (c) {
		case 'a': o->args = true; break;
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
			o->descending = optarg[0] == '-';
			o->sort = field_find(optarg + (optarg[0] == '-' || optarg[0] == '+'));
			if (!o->sort)
				usage_error("cannot sort by '%s' (try pid, user, rss_kb, elapsed_s, comm...)", optarg);
			break;
		case 'j': o->json = true; break;
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s' (PIDs go after -p)", argv[optind]);
}

static const struct field *sort_field;
static bool sort_descending;

static int by_sort_key(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;
	int r = sort_field->cmp(x, y);

	if (!r)
		r = (x->pid > y->pid) - (x->pid < y->pid);
	return sort_descending ? -r : r;
}

static int ps_exec(int argc, char **argv)
{
	struct ps_opts o = {0};
	enum field_id cols[] = {FLD_PID, FLD_PPID, FLD_USER, FLD_STAT,
				FLD_RSS, FLD_ELAPSED, FLD_COMM};
	struct snapshot snap;
	struct snapshot_query q;
	struct state_counts counts = {0};
	struct output out;
	struct json_out json;
	size_t shown = 0;
	char summary[256];
	int status = EXIT_OK;

	parse_opts(argc, argv, &o);
	if (o.args)
		cols[ARRAY_LEN(cols) - 1] = FLD_CMDLINE;
	q = (struct snapshot_query){
		/* Full STAT, with L: ps -o stat parity costs /proc/PID/status. */
		.need = fields_need(cols, ARRAY_LEN(cols)) | PI_LOCKED |
			(o.json ? json_process_need() : 0) |
			(o.sort ? o.sort->need : 0),
		.pids = o.pids, .npids = o.npids,
		.uids = o.uids, .nuids = o.nuids,
	};
	if (snapshot_take(&snap, &q) < 0)
		pmon_die_errno(EXIT_FAIL, errno,
			       "cannot read the process table (is /proc mounted?)");
	if (o.sort) {
		sort_field = o.sort;
		sort_descending = o.descending;
		qsort(snap.procs, snap.n, sizeof(*snap.procs), by_sort_key);
	}

	output_init(&out, stdout, o.wide);
	if (o.json)
		json_out_begin_array(&json, stdout); /* streamed: see json_out */
	else
		table_header(&out, cols, ARRAY_LEN(cols));
	for (size_t i = 0; i < snap.n; i++) {
		const struct proc *p = &snap.procs[i];

		if (o.states && !strchr(o.states, p->state))
			continue;
		shown++;
		state_counts_add(&counts, p->state);
		if (o.json)
			json_out_element(&json, proc_to_json(p));
		else
			table_row(&out, cols, ARRAY_LEN(cols), p);
	}
	if (o.json) {
		if (json_out_end_array(&json) < 0)
			status = EXIT_FAIL;
	} else {
		format_state_counts(&counts, summary, sizeof(summary));
		out_raw(&out, summary);
		out_endline(&out);
	}
	/* Like ps: selecting nothing is a failure scripts can test for. */
	if (shown == 0 && (o.npids || o.nuids || o.states))
		status = EXIT_FAIL;
	output_free(&out);
	snapshot_free(&snap);
	free(o.pids);
	free(o.uids);
	return finish_stdout(status);
}

const struct cmd_entry cmd_ps_entry = {
	.name = "ps",
	.summary = "List processes with ps-style STAT and a count per state",
	.usage = "[-aw] [-u USER,...] [-p PID,...] [--state LETTERS] [--sort [-]KEY] [--json]",
	.help =
	"  -a, --args            show full command lines instead of names\n"
	"  -w, --wide            do not cut lines at the terminal's width\n"
	"  -u, --user USER,...   only processes of these users (names or uids)\n"
	"  -p, --pid PID,...     only these processes\n"
	"      --state LETTERS   only processes in these states, e.g. ZD\n"
	"  -s, --sort [-]KEY     sort by pid, ppid, user, stat, rss_kb, elapsed_s,\n"
	"                        comm, ...; a leading - sorts descending\n"
	"      --json            one JSON array of process objects\n"
	"  -h, --help            show this help\n"
	"\nColumns: PID PPID USER STAT RSS ELAPSED COMMAND; STAT is what ps -o stat\n"
	"prints.  Exit status 1 when a filter selects no process.\n",
	.exec = ps_exec,
};
