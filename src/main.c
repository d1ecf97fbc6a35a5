/*
 * main.c - dispatch: `pmon CMD ARGS...` finds CMD in cmd_table and runs it.
 */
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"

/* pmon's own options, before the command: --backend NAME (or =NAME).
 * Returns NAME (NULL: none), argv moved past them. */
static const char *global_opts(int *argc, char ***argv)
{
	const char *backend = NULL;

	while (*argc > 1 && strncmp((*argv)[1], "--backend", 9) == 0) {
		const char *opt = (*argv)[1] + 9;

		if (*opt == '=') {
			backend = opt + 1;
		} else if (*opt == '\0' && *argc > 2) {
			backend = (*argv)[2];
			(*argv)++, (*argc)--;
		} else {
			break;
		}
		(*argv)++, (*argc)--;
	}
	return backend;
}

int main(int argc, char **argv)
{
	const struct cmd_entry *cmd;
	const char *backend;

	/* Two of the user's locale categories, not LC_ALL.  LC_CTYPE: names
	 * are escaped against it (UTF-8 passes, else \x) and top draws
	 * with it; LC_TIME: STIME's month names, as ps writes them.  Not
	 * LC_NUMERIC: metrics, JSON and batch output are read by programs,
	 * and "0,5" (de_DE) is not a Prometheus sample value.  Loading the
	 * other ten categories also cost every command about 60 system
	 * calls and a dozen page faults at start (strace, perf stat). */
	setlocale(LC_CTYPE, "");
	setlocale(LC_TIME, "");

	backend = global_opts(&argc, &argv);
	if (argc < 2) {
		cmd_print_main_help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cmd_print_main_help(stdout);
		return finish_stdout(EXIT_OK);
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		cmd_print_version(stdout);
		return finish_stdout(EXIT_OK);
	}
	cmd = cmd_find(argv[1]);
	if (!cmd) /* escaped there, as it quotes what was typed */
		usage_error("unknown command '%s'", argv[1]);
	cmd_current = cmd;
	cmd_commands = cmd_table;
	pmon_set_command(cmd->name, cmd->usage);
	if (strcmp(cmd->name, "help") != 0)
		cmd_backend_setup(backend);
	opterr = 0; /* commands report bad options themselves, as pmon: CMD: */
	return cmd->exec(argc - 1, argv + 1);
}
