/*
 * cmd_kill.c - `pmon kill` (not written yet: see its issue).
 */
#include "pmon.h"

static int kill_exec(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	pmon_die(EXIT_FAIL, "not implemented yet");
}

const struct cmd_entry cmd_kill_entry = {
	.name = "kill",
	.summary = "(not implemented yet)",
	.usage = "",
	.help = "",
	.exec = kill_exec,
};
