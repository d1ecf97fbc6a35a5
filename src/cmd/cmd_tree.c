/*
 * cmd_tree.c - `pmon tree`: the parent/child forest, or one subtree, with
 * pid and STAT in aligned columns and the tree drawn in the command column.
 */
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "view/field.h"
#include "view/output.h"
#include "cmd/cmd.h"
#include "proc/proc.h"
#include "view/tree.h"

struct tree_opts {
	bool args, json, ascii, wide;
	pid_t root;           /* 0: the whole forest */
	bool by_user;
	uid_t uid;
	bool by_pattern;
	regex_t pattern;
};

static void parse_opts(int argc, char **argv, struct tree_opts *o)
{
	static const struct option longopts[] = {
		{"args", no_argument, NULL, 'a'},
		{"wide", no_argument, NULL, 'w'},
		{"user", required_argument, NULL, 'u'},
		{"match", required_argument, NULL, 'm'},
		{"ascii", no_argument, NULL, 'A'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int c, rc;

	while ((c = cmd_getopt(argc, argv, ":awu:m:Ah", longopts)) != -1) {
		switch (c) {
		case 'a': o->args = true; break;
		case 'w': o->wide = true; break;
		case 'u':
			if (lookup_uid(optarg, &o->uid) < 0)
				usage_error("no such user '%s'", optarg);
			o->by_user = true;
			break;
		case 'm':
			if (o->by_pattern)
				usage_error("-m may be given once");
			rc = regcomp(&o->pattern, optarg, REG_EXTENDED | REG_NOSUB);
			if (rc != 0) {
				char msg[128];

				regerror(rc, &o->pattern, msg, sizeof(msg));
				usage_error("bad pattern '%s': %s", optarg, msg);
			}
			o->by_pattern = true;
			break;
		case 'A': o->ascii = true; break;
		case 'j': o->json = true; break;
		}
	}
	if (optind < argc)
		o->root = (pid_t)estrtonum(argv[optind++], 1, INT32_MAX, "PID");
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
}

static bool matches(const struct tree_opts *o, const struct proc *p)
{
	if (p->pid == getpid())
		return false; /* like pgrep: our own command line matches */
	return regexec(&o->pattern, p->comm, 0, NULL, 0) == 0 ||
	       (p->cmdline && regexec(&o->pattern, p->cmdline, 0, NULL, 0) == 0);
}

/*
 * -u keeps the user's processes, -m the matching ones and everything
 * below them; together, what both keep.  The ancestors that connect the
 * kept processes to their roots are always kept.  Returns whether
 * anything is left.
 */
static bool filter(const struct tree_opts *o, const struct snapshot *s,
		   struct tree *t)
{
	bool *keep, *below;
	bool any = false;

	if (!o->by_user && !o->by_pattern)
		return t->nroots > 0;
	keep = xcalloc(s->n, sizeof(bool));
	below = xcalloc(s->n, sizeof(bool));
	if (o->by_pattern) {
		for (size_t i = 0; i < s->n; i++)
			keep[i] = matches(o, &s->procs[i]);
		tree_mark_descendants(t, keep, below);
	}
	for (size_t i = 0; i < s->n; i++) {
		keep[i] = (!o->by_pattern || below[i]) &&
			  (!o->by_user || s->procs[i].uid == o->uid);
		any |= keep[i];
	}
	tree_mark_ancestors(t, keep, keep);
	tree_prune(t, keep);
	free(keep);
	free(below);
	return any && t->nroots > 0;
}

static void print_forest(const struct tree_opts *o, const struct snapshot *s,
			 const struct tree *t, const int32_t *order,
			 const int32_t *depth, size_t n)
{
	const enum field_id cols[] = {FLD_PID, FLD_STAT, o->args ? FLD_CMDLINE : FLD_COMM};
	const struct tree_glyphs *g;
	struct output out;
	int32_t *path, maxdepth = 0;
	char *prefix;
	size_t prefix_size;

	output_init(&out, stdout, o->wide);
	g = out.utf8 && !o->ascii ? &tree_glyphs_utf8 : &tree_glyphs_ascii;
	for (size_t i = 0; i < n; i++)
		if (depth[i] > maxdepth)
			maxdepth = depth[i];
	path = xcalloc((size_t)maxdepth + 1, sizeof(int32_t));
	prefix_size = ((size_t)maxdepth + 1) * 8;
	prefix = xmalloc(prefix_size);

	table_header(&out, cols, ARRAY_LEN(cols));
	for (size_t i = 0; i < n; i++) {
		const struct proc *p = &s->procs[order[i]];
		struct buf *raw = &out.raw;
		bool colored;

		path[depth[i]] = order[i];
		buf_reset(raw);
		buf_printf(raw, "%7d ", (int)p->pid);
		out_raw(&out, raw->data);
		colored = state_color(p->state) != COLOR_NONE;
		if (colored)
			out_color(&out, state_color(p->state));
		buf_reset(raw);
		buf_printf(raw, "%-4s", p->stat);
		out_raw(&out, raw->data);
		if (colored)
			out_color(&out, COLOR_NONE);
		out_raw(&out, " ");
		tree_prefix(t, path, depth[i], g, prefix, prefix_size);
		out_raw(&out, prefix);
		buf_reset(raw);
		fields[cols[2]].text(p, raw);
		out_text(&out, raw->data, raw->len);
		if (p->state == 'Z') {
			out_color(&out, COLOR_ZOMBIE);
			out_raw(&out, " <defunct>");
			out_color(&out, COLOR_NONE);
		}
		out_endline(&out);
	}
	free(path);
	free(prefix);
	output_free(&out);
}

/* Nested JSON, written as it is made (see json_out) and without
 * recursion: a node is left open until the walk climbs back above it. */
static int forest_json(const struct snapshot *s, const int32_t *order,
		       const int32_t *depth, size_t n)
{
	struct json_out json;
	int32_t open = 0; /* nodes whose children array is still open */

	json_out_begin_array(&json, stdout);
	for (size_t i = 0; i < n; i++) {
		for (; open > depth[i]; open--)
			json_out_close_element(&json);
		json_out_open_element(&json, proc_to_json(&s->procs[order[i]]),
				      "children");
		open++;
	}
	for (; open > 0; open--)
		json_out_close_element(&json);
	return json_out_end_array(&json);
}

static int tree_exec(int argc, char **argv)
{
	struct tree_opts o = {0};
	struct snapshot snap;
	struct snapshot_query q = {0};
	struct tree t;
	int32_t *order, *depth;
	size_t n;
	int status = EXIT_OK;

	parse_opts(argc, argv, &o);
	/* The plain tree reads /proc/PID/stat only: STAT without L. */
	q.need = PI_PPID | PI_STAT | PI_COMM;
	if (o.args || o.by_pattern)
		q.need |= PI_CMDLINE;
	if (o.by_user)
		q.need |= PI_UID;
	if (o.json)
		q.need |= json_process_need();
	if (snapshot_take(&snap, &q) < 0)
		pmon_die_errno(EXIT_FAIL, errno,
			       "cannot read the process table (is /proc mounted?)");
	tree_build(&t, snap.procs, snap.n);
	if (o.root) {
		struct proc *r = snapshot_find(&snap, o.root);

		if (!r)
			pmon_die(EXIT_FAIL, "no process with PID %d", (int)o.root);
		tree_reroot(&t, (int32_t)(r - snap.procs));
	}
	if (!filter(&o, &snap, &t))
		status = EXIT_FAIL; /* nothing matched: say so to scripts */

	order = xcalloc(snap.n, sizeof(int32_t));
	depth = xcalloc(snap.n, sizeof(int32_t));
	n = status == EXIT_OK ? tree_preorder(&t, order, depth) : 0;
	if (o.json) {
		if (forest_json(&snap, order, depth, n) < 0)
			status = EXIT_FAIL;
	} else if (n) {
		print_forest(&o, &snap, &t, order, depth, n);
	}
	free(order);
	free(depth);
	tree_free(&t);
	snapshot_free(&snap);
	if (o.by_pattern)
		regfree(&o.pattern);
	return finish_stdout(status);
}

const struct cmd_entry cmd_tree_entry = {
	.name = "tree",
	.alias = "pstree",
	.summary = "Show the parent/child process forest, or the subtree under PID",
	.usage = "[-aw] [-u USER] [-m PATTERN] [--ascii] [--json] [PID]",
	.help =
	"  PID                   show only this process and its descendants\n"
	"  -a, --args            show full command lines instead of names\n"
	"  -w, --wide            do not cut lines at the terminal's width\n"
	"  -u, --user USER       keep USER's processes and their ancestors\n"
	"  -m, --match PATTERN   keep processes whose name or arguments match the\n"
	"                        extended regular expression PATTERN, with their\n"
	"                        ancestors and descendants\n"
	"  -A, --ascii           draw the tree with ASCII even on a UTF-8 terminal\n"
	"      --json            one JSON array of root nodes with \"children\"\n"
	"  -h, --help            show this help\n"
	"\nSTAT here leaves out the L flag (it would cost a read of\n"
	"/proc/PID/status per process); pmon ps shows it.\n",
	.exec = tree_exec,
};
