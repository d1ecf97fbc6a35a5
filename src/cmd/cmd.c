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
#include "proc/proc.h"
#include "proc/backend.h"

const struct cmd_entry *cmd_current;

void cmd_print_help(const struct cmd_entry *cmd, FILE *out)
{
	fprintf(out, "usage: pmon %s %s\n\n%s.\n", cmd->name, cmd->usage,
		cmd->summary);
	if (cmd->alias)
		fprintf(out, "Alias: pmon %s\n", cmd->alias);
	if (cmd->help && *cmd->help)
		fprintf(out, "\n%s", cmd->help);
	fprintf(out, "\nSee pmon(1) for details.\n");
}

int cmd_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	int c = getopt_long(argc, argv, shortopts, longopts, NULL);

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
