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
#include "act/orphan.h"

struct tree_opts {
	bool args, json, ascii, wide, pids;
	struct field_list cols; /* -o: the columns before the tree (the name
	                           comes last); default PID STAT */
	bool cols_given;
	pid_t root;           /* 0: the whole forest */
	bool by_user;
	uid_t uid;
	bool by_pattern;
	regex_t pattern;
	bool orphans;         /* --orphans: mark them */
	struct orphan_mark *marks;
	size_t nmarks;
};

static const struct cmd_opt tree_opts[] = {
	CMD_OPT('a', "args", ARG_NONE, NULL,
		"show full command lines instead of names"),
	CMD_OPT('o', "output", ARG_FIELDS, "KEY,...",
		"the columns before the tree (default pid,stat;\n"
		"pmon ps -o help lists the keys)"),
	CMD_OPT('w', "wide", ARG_NONE, NULL,
		"do not cut lines at the terminal's width"),
	CMD_OPT('l', "long", ARG_NONE, NULL,
		"the same as -w (pstree -l)"),
	CMD_OPT('p', "pids", ARG_NONE, NULL,
		"show pids (pstree -p): the default columns have\n"
		"them; with -o, the pid comes first"),
	CMD_OPT('u', "user", ARG_USER, "USER",
		"keep USER's processes and their ancestors"),
	CMD_OPT('m', "match", ARG_TEXT, "PATTERN",
		"keep processes whose name or arguments match the\n"
		"extended regular expression PATTERN, with their\n"
		"ancestors and descendants"),
	CMD_LONG("orphans", 'O', ARG_NONE, NULL,
		"mark the processes pmon orphans lists:\n"
		"\"[orphan: KIND]\" after the name; \"orphan\" in JSON"),
	CMD_OPT('A', "ascii", ARG_NONE, NULL,
		"draw the tree with ASCII even on a UTF-8 terminal"),
	CMD_LONG("json", 'j', ARG_NONE, NULL,
		"one JSON array of root nodes with \"children\""),
	{0},
};

/* pstree -p with -o: the pid in front of the columns asked for. */
static void add_column_first(struct field_list *l, const struct field *f)
{
	if (l->n == ARRAY_LEN(l->f))
		usage_error("too many columns in -o");
	memmove(&l->f[1], &l->f[0], l->n * sizeof(l->f[0]));
	l->f[0] = f;
	l->n++;
}

static void parse_opts(int argc, char **argv, struct tree_opts *o)
{
	int c;
	char why[128];

	while ((c = cmd_getopt(argc, argv)) != -1) {
		switch (c) {
		case 'a': o->args = true; break;
		case 'w': case 'l': o->wide = true; break;
		case 'p': o->pids = true; break;
		case 'u':
			if (lookup_uid(optarg, &o->uid) < 0)
				usage_error("no such user '%s'", optarg);
			o->by_user = true;
			break;
		case 'm':
			if (o->by_pattern)
				usage_error("-m may be given once");
			if (regex_compile(&o->pattern, optarg, REG_EXTENDED | REG_NOSUB,
					  why, sizeof(why)) < 0)
				usage_error("bad pattern '%s': %s", optarg, why);
			o->by_pattern = true;
			break;
		case 'A': o->ascii = true; break;
		case 'j': o->json = true; break;
		case 'O': o->orphans = true; break;
		case 'o':
			if (field_list_parse(&o->cols, optarg, "-o", why, sizeof(why)) < 0)
				usage_error("%s", why);
			o->cols_given = true;
			break;
		}
	}
	if (!o->cols_given) {
		static const char *const keys[] = {"pid", "stat"};

		field_list_of(&o->cols, keys, ARRAY_LEN(keys));
	}
	if (o->pids && !field_list_has(&o->cols, field_find("pid")))
		add_column_first(&o->cols, field_find("pid"));
	if (o->cols.n == ARRAY_LEN(o->cols.f))
		usage_error("too many columns in -o");
	o->cols.f[o->cols.n++] = field_find(o->args ? "cmdline" : "comm");
	if (optind < argc)
		o->root = estrtopid(argv[optind++]);
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

/* "  [orphan: daemon]" after an orphan's row, or NULL. */
static const char *orphan_note(const struct tree_opts *o, const struct proc *p,
			       char *buf, size_t size)
{
	enum orphan_kind k = o->orphans ? orphan_mark_of(o->marks, o->nmarks, p)
				       : ORPHAN_NONE;

	if (k == ORPHAN_NONE)
		return NULL;
	snprintf(buf, size, "  [orphan: %s]", orphan_kind_name(k));
	return buf;
}

static void print_forest(const struct tree_opts *o, const struct tree *t,
			 const struct snapshot *s, const int32_t *order,
			 const int32_t *depth, size_t n)
{
	const struct tree_glyphs *g;
	struct output out;
	int32_t *path, maxdepth = 0;
	struct buf prefix = {0};

	output_init(&out, stdout, o->wide);
	g = out.utf8 && !o->ascii ? &tree_glyphs_utf8 : &tree_glyphs_ascii;
	for (size_t i = 0; i < n; i++)
		if (depth[i] > maxdepth)
			maxdepth = depth[i];
	path = xcalloc((size_t)maxdepth + 1, sizeof(int32_t));
	buf_reserve(&prefix, ((size_t)maxdepth + 1) * 8);
	table_header(&out, &o->cols);
	for (size_t i = 0; i < n; i++) {
		const struct proc *p = &s->procs[order[i]];
		char note[64];

		path[depth[i]] = order[i];
		tree_prefix(t, path, depth[i], g, prefix.data, prefix.cap);
		table_print_row_note(&out, &o->cols, p, prefix.data,
				     orphan_note(o, p, note, sizeof(note)));
	}
	free(path);
	buf_free(&prefix);
	output_free(&out);
}

/* Nested JSON, written as it is made (see json_out) and without
 * recursion: a node is left open until the walk climbs back above it. */
static int forest_json(const struct tree_opts *o, const struct snapshot *s,
		       const struct field_list *keys, const int32_t *order,
		       const int32_t *depth, size_t n)
{
	struct json_out json;
	int32_t open = 0; /* nodes whose children array is still open */

	json_out_begin_array(&json, stdout);
	for (size_t i = 0; i < n; i++) {
		for (; open > depth[i]; open--)
			json_out_close_element(&json);
		const struct proc *p = &s->procs[order[i]];
		json_t *obj = proc_to_json(p, keys);

		if (o->orphans)
			json_object_set_new(obj, "orphan", json_string(orphan_kind_name(
				orphan_mark_of(o->marks, o->nmarks, p))));
		json_out_open_element(&json, obj, "children");
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
	cmd_note_pidns();
	/* The plain tree reads /proc/PID/stat only: STAT without L. */
	q.need = PI_PPID | field_list_need(&o.cols);
	if (o.by_pattern)
		q.need |= PI_CMDLINE;
	if (o.by_user)
		q.need |= PI_UID;
	if (o.json && !o.cols_given)
		q.need |= json_process_need();
	if (o.orphans)
		q.need |= PI_START;
	if (snapshot_take(&snap, &q) < 0)
		pmon_die_errno(EXIT_FAIL, errno,
			       "cannot read the process table (is /proc mounted?)");
	if (o.orphans) {
		ssize_t m = orphan_marks(&o.marks);

		if (m < 0)
			pmon_die_errno(EXIT_FAIL, errno, "cannot read the process table");
		o.nmarks = (size_t)m;
	}
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
		if (forest_json(&o, &snap, o.cols_given ? &o.cols : NULL, order, depth, n) < 0)
			status = EXIT_FAIL;
	} else if (n) {
		print_forest(&o, &t, &snap, order, depth, n);
	}
	free(order);
	free(depth);
	tree_free(&t);
	snapshot_free(&snap);
	if (o.by_pattern)
		regfree(&o.pattern);
	free(o.marks);
	return finish_stdout(status);
}

const struct cmd_entry cmd_tree_entry = {
	.name = "tree",
	.alias = "pstree",
	.summary = "Show the parent/child process forest, or the subtree under PID",
	.usage = "[-alpw] [-o KEY,...] [-u USER] [-m PATTERN] [--orphans] [--ascii] [--json] [PID]",
	.opts = tree_opts,
	.operand = ARG_PID,
	.operands_help = "  PID                   show only this process and its descendants\n",
	.notes =
	"STAT here leaves out the L flag (it would cost a read of\n"
	"/proc/PID/status per process); pmon ps shows it.  pstree's -a, -p, -l\n"
	"and -A are taken; its -u (uid changes) is not: here -u keeps a user's\n"
	"processes.\n",
	.exec = tree_exec,
};
