/*
 * tui.h - `pmon chat` on a terminal: an ncursesw interface with a
 * scrolling message pane, a status line and an editing input line.
 */
#ifndef PMON_CHAT_TUI_H
#define PMON_CHAT_TUI_H

#include "chat/client.h"

/* Run the interface in the room c is connected to (not yet entered);
 * returns the exit status.  The terminal is always restored. */
int chat_tui(struct chat_client *c, const char *name);

#endif
