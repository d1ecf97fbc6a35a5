/*
 * cmd.c - what every command shares: its help text and option parsing.
 * (The table of commands is table.c: it depends on every command, and
 * they depend on this, never on it.)
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "util/json_lib.h"
#include "proc/proc.h"
#include "proc/backend.h"

const struct cmd_entry *cmd_current;
const struct cmd_entry *const *cmd_commands;

/* Every command's -h/--help, listed after its own options. */
static const struct cmd_opt help_opt =
	CMD_OPT('h', "help", ARG_NONE, NULL, "show this help");

void cmd_opt_each(const struct cmd_entry *cmd,
		  void (*fn)(const struct cmd_opt *o, void *ctx), void *ctx)
{
	for (const struct cmd_opt *o = cmd->opts; o && o->long_name; o++)
		fn(o, ctx);
	fn(&help_opt, ctx);
}

/* Where the help text of an option starts; a longer label is followed
 * by two spaces instead. */
#define HELP_COLUMN 24

static void opt_label(const struct cmd_opt *o, struct buf *b)
{
	if (o->short_name)
		buf_printf(b, "-%c, ", o->short_name);
	else
		buf_printf(b, "    ");
	buf_printf(b, "--%s", o->long_name);
	if (o->metavar)
		buf_printf(b, " %s", o->metavar);
}

/* "  -x, --long VALUE    help line", its further lines under the first. */
static void print_opt(const struct cmd_opt *o, FILE *out)
{
	struct buf label = {0};
	const char *text = o->help, *nl;

	buf_printf(&label, "  ");
	opt_label(o, &label);
	for (const struct cmd_opt *shared = o + 1;
	     o != &help_opt && shared->long_name && !shared->help; shared++) {
		buf_printf(&label, ", --%s", shared->long_name);
		if (shared->metavar)
			buf_printf(&label, " %s", shared->metavar);
	}
	if (label.len < HELP_COLUMN)
		fprintf(out, "%-*s", HELP_COLUMN, label.data);
	else
		fprintf(out, "%s  ", label.data);
	buf_free(&label);
	while ((nl = strchr(text, '\n'))) {
		fprintf(out, "%.*s\n%*s", (int)(nl - text), text, HELP_COLUMN, "");
		text = nl + 1;
	}
	fprintf(out, "%s\n", text);
}

static void print_opt_cb(const struct cmd_opt *o, void *ctx)
{
	if (o->help)
		print_opt(o, ctx);
}

void cmd_print_help(const struct cmd_entry *cmd, FILE *out)
{
	fprintf(out, "usage: pmon %s %s\n\n%s.\n", cmd->name, cmd->usage,
		cmd->summary);
	if (cmd->alias)
		fprintf(out, "Alias: pmon %s\n", cmd->alias);
	fputc('\n', out);
	if (cmd->operands_help)
		fputs(cmd->operands_help, out);
	cmd_opt_each(cmd, print_opt_cb, out);
	if (cmd->notes)
		fprintf(out, "\n%s", cmd->notes);
	fprintf(out, "\nSee pmon(1) for details.\n");
}

/* getopt's arrays for the running command, made once from its table. */
struct getopt_arrays {
	struct buf shortopts;
	struct option *longopts;
	size_t n;
};

static void add_getopt(const struct cmd_opt *o, void *ctx)
{
	struct getopt_arrays *g = ctx;
	int has_arg = o->arg == ARG_NONE ? no_argument : required_argument;

	if (o->short_name)
		buf_printf(&g->shortopts, "%c%s", o->short_name,
			   has_arg == no_argument ? "" : ":");
	g->longopts = xreallocarray(g->longopts, g->n + 2, sizeof(*g->longopts));
	g->longopts[g->n++] = (struct option){o->long_name, has_arg, NULL, o->val};
	g->longopts[g->n] = (struct option){0};
}

int cmd_getopt(int argc, char **argv)
{
	static struct getopt_arrays g;
	static const struct cmd_entry *made_for;
	int c, longindex = -1;

	/* Made once per command; again when one command hands over to
	 * another (zombies --watch runs pmon watch). */
	if (made_for != cmd_current) {
		free(g.longopts);
		buf_free(&g.shortopts);
		g = (struct getopt_arrays){0};
		buf_printf(&g.shortopts, ":"); /* ':' for a missing value */
		cmd_opt_each(cmd_current, add_getopt, &g);
		made_for = cmd_current;
	}
	c = getopt_long(argc, argv, g.shortopts.data, g.longopts, &longindex);
	/* JSON is jansson's, loaded on its first call: load it now, before
	 * the command acts, so that one that cannot be loaded refuses the
	 * command rather than leaving it half done (a reap made, its report
	 * lost; half an array written). */
	if (longindex >= 0 && strcmp(g.longopts[longindex].name, "json") == 0)
		(void)json_lib();
	if (c == 'h') {
		cmd_print_help(cmd_current, stdout);
		exit(finish_stdout(EXIT_OK));
	}
	if (c == '?' || c == ':')
		usage_bad_option(c, argv);
	return c;
}

void cmd_note_pidns(void)
{
	struct buf note = {0};

	proc_pidns_note(&note);
	if (note.len)
		pmon_warn("note: %s", note.data);
	buf_free(&note);
}

void cmd_backend_setup(const char *name)
{
	struct buf why = {0};

	if (proc_backend_choose(name, &why) == 0) {
		buf_free(&why);
		return;
	}
	if (errno == EINVAL)
		usage_error("%s%s", name ? "--backend: " : "PMON_BACKEND: ", why.data);
	pmon_die(EXIT_FAIL, "%s; unset PMON_BACKEND or use --backend proc", why.data);
}

void cmd_print_version(FILE *out)
{
	struct buf b = {0};

	proc_backend_describe(&b);
	fprintf(out, "pmon %s\nbackends: %s\n", PMON_VERSION, b.data);
	buf_free(&b);
}
