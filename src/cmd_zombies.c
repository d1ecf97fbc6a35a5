/*
 * cmd_zombies.c - `pmon zombies` (not written yet: see its issue).
 */
#include "pmon.h"

static int zombies_exec(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	pmon_die(EXIT_FAIL, "not implemented yet");
}

const struct cmd_entry cmd_zombies_entry = {
	.name = "zombies",
	.summary = "(not implemented yet)",
	.usage = "",
	.help = "",
	.exec = zombies_exec,
};
