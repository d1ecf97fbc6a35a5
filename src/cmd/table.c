/*
 * table.c - the command table: every command pmon has, in the order
 * `pmon --help` lists them, and the help command that lists them.
 * Adding a command means writing one cmd_*.c with its struct cmd_entry
 * and adding one line here.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"

extern const struct cmd_entry cmd_ps_entry;
extern const struct cmd_entry cmd_tree_entry;
extern const struct cmd_entry cmd_zombies_entry;
extern const struct cmd_entry cmd_inspect_entry;
extern const struct cmd_entry cmd_orphans_entry;
extern const struct cmd_entry cmd_kill_entry;
extern const struct cmd_entry cmd_reap_entry;
extern const struct cmd_entry cmd_top_entry;
extern const struct cmd_entry cmd_watch_entry;
extern const struct cmd_entry cmd_chat_entry;
extern const struct cmd_entry cmd_chatd_entry;
extern const struct cmd_entry cmd_bpf_entry;
extern const struct cmd_entry cmd_metrics_entry;
extern const struct cmd_entry cmd_completion_entry;
extern const struct cmd_entry cmd_help_entry;

const struct cmd_entry *const cmd_table[] = {
	&cmd_ps_entry,
	&cmd_tree_entry,
	&cmd_zombies_entry,
	&cmd_inspect_entry,
	&cmd_orphans_entry,
	&cmd_kill_entry,
	&cmd_reap_entry,
	&cmd_top_entry,
	&cmd_watch_entry,
	&cmd_chat_entry,
	&cmd_chatd_entry,
	&cmd_bpf_entry,
	&cmd_metrics_entry,
	&cmd_completion_entry,
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

void cmd_print_main_help(FILE *out)
{
	int width = 0;

	fputs("usage: pmon COMMAND [OPTIONS] [ARGS]\n"
	      "       pmon help COMMAND | pmon COMMAND --help\n"
	      "       pmon --version\n"
	      "       pmon --backend auto|proc|bpf COMMAND ...  (how the process\n"
	      "            table is read; PMON_BACKEND says the same)\n\n"
	      "See, act on and talk about the processes of this machine.\n\n"
	      "Commands:\n",
	      out);
	/* The names' column as wide as the longest name, so a new command
	 * cannot run into its summary ("completion" did). */
	for (const struct cmd_entry *const *c = cmd_table; *c; c++)
		if ((int)strlen((*c)->name) > width)
			width = (int)strlen((*c)->name);
	for (const struct cmd_entry *const *c = cmd_table; *c; c++)
		fprintf(out, "  %-*s  %s\n", width, (*c)->name, (*c)->summary);
	fputs("\nExit status: 0 success, 1 runtime failure, 2 usage error.\n"
	      "See pmon(1) for details.\n",
	      out);
}

static int cmd_help_exec(int argc, char **argv)
{
	const struct cmd_entry *cmd;

	if (argc > 2)
		usage_error("takes at most one COMMAND");
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		cmd_print_main_help(stdout);
		return finish_stdout(EXIT_OK);
	}
	cmd = cmd_find(argv[1]);
	if (!cmd)
		usage_error("unknown command '%s'; 'pmon --help' lists them",
			    argv[1]);
	cmd_print_help(cmd, stdout);
	return finish_stdout(EXIT_OK);
}

const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.summary = "Show the help of pmon or of one command",
	.usage = "[COMMAND]",
	.operand = ARG_COMMAND,
	.exec = cmd_help_exec,
};

