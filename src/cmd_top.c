/*
 * cmd_top.c - `pmon top` (not written yet: see its issue).
 */
#include "pmon.h"

static int top_exec(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	pmon_die(EXIT_FAIL, "not implemented yet");
}

const struct cmd_entry cmd_top_entry = {
	.name = "top",
	.summary = "(not implemented yet)",
	.usage = "",
	.help = "",
	.exec = top_exec,
};
