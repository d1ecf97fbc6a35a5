/*
 * cmd_chatd.c - `pmon chatd` (not written yet: see its issue).
 */
#include "pmon.h"

static int chatd_exec(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	pmon_die(EXIT_FAIL, "not implemented yet");
}

const struct cmd_entry cmd_chatd_entry = {
	.name = "chatd",
	.summary = "(not implemented yet)",
	.usage = "",
	.help = "",
	.exec = chatd_exec,
};
