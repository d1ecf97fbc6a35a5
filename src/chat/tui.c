/*
 * tui.c - the terminal interface (tui.h).  Not written yet: line mode.
 */
#include "chat/linemode.h"
#include "chat/tui.h"

int chat_tui(struct chat_client *c, const char *name)
{
	return chat_line_mode(c, name);
}
