/*
 * cmd_chat.c - `pmon chat` (not written yet: see its issue).
 */
#include "pmon.h"

static int chat_exec(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	pmon_die(EXIT_FAIL, "not implemented yet");
}

const struct cmd_entry cmd_chat_entry = {
	.name = "chat",
	.summary = "(not implemented yet)",
	.usage = "",
	.help = "",
	.exec = chat_exec,
};
