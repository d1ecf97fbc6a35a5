/*
 * cmd.c - the command table: every command pmon has, in the order
 * `pmon --help` lists them.  Adding a command means writing one cmd_*.c
 * with its struct cmd_entry and adding one line here.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "pmon.h"

extern const struct cmd_entry cmd_ps_entry;
extern const struct cmd_entry cmd_tree_entry;
extern const struct cmd_entry cmd_zombies_entry;
extern const struct cmd_entry cmd_kill_entry;
extern const struct cmd_entry cmd_reap_entry;
extern const struct cmd_entry cmd_top_entry;
extern const struct cmd_entry cmd_chat_entry;
extern const struct cmd_entry cmd_chatd_entry;
extern const struct cmd_entry cmd_help_entry;

const struct cmd_entry *const cmd_table[] = {
	&cmd_ps_entry,
	&cmd_tree_entry,
	&cmd_zombies_entry,
	&cmd_kill_entry,
	&cmd_reap_entry,
	&cmd_top_entry,
	&cmd_chat_entry,
	&cmd_chatd_entry,
	&cmd_help_entry,
	NULL,
};

const struct cmd_entry *cmd_find(const char *name)
{
	for (const struct cmd_entry *const *c = cmd_table; *c; c++) {
		if (strcmp((*c)->name, name) == 0)
			return *c;
		if ((*c)->alias && strcmp((*c)->alias, name) == 0)
			return *c;
	}
	return NULL;
}

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
