/*
 * cmd_reap.c - `pmon reap` (not written yet: see its issue).
 */
#include "pmon.h"

static int reap_exec(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	pmon_die(EXIT_FAIL, "not implemented yet");
}

const struct cmd_entry cmd_reap_entry = {
	.name = "reap",
	.summary = "(not implemented yet)",
	.usage = "",
	.help = "",
	.exec = reap_exec,
};
