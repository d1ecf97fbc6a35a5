/*
 * main.c - dispatch: `pmon CMD ARGS...` finds CMD in cmd_table and runs it.
 */
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "pmon.h"

static void print_main_help(FILE *out)
{
	fputs("usage: pmon COMMAND [OPTIONS] [ARGS]\n"
	      "       pmon help COMMAND | pmon COMMAND --help\n"
	      "       pmon --version\n\n"
	      "See, act on and talk about the processes of this machine.\n\n"
	      "Commands:\n",
	      out);
	for (const struct cmd_entry *const *c = cmd_table; *c; c++)
		fprintf(out, "  %-9s %s\n", (*c)->name, (*c)->summary);
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
		print_main_help(stdout);
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
	.help = "",
	.exec = cmd_help_exec,
};

int main(int argc, char **argv)
{
	const struct cmd_entry *cmd;

	/* Names are escaped against the user's locale: UTF-8 passes, else \x. */
	setlocale(LC_ALL, "");

	if (argc < 2) {
		print_main_help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_main_help(stdout);
		return finish_stdout(EXIT_OK);
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("pmon %s\n", PMON_VERSION);
		return finish_stdout(EXIT_OK);
	}
	cmd = cmd_find(argv[1]);
	if (!cmd) {
		fprintf(stderr,
			"pmon: unknown command '%s'\n"
			"Try 'pmon --help' for the list of commands.\n",
			argv[1]);
		return EXIT_USAGE;
	}
	cmd_current = cmd;
	opterr = 0; /* commands report bad options themselves, as pmon: CMD: */
	return cmd->exec(argc - 1, argv + 1);
}
