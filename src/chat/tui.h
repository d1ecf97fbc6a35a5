/*
 * tui.h - `pmon chat` on a terminal: an ncursesw interface with a
 * scrolling message pane, a status line and an editing input line.
 */
#ifndef PMON_CHAT_TUI_H
#define PMON_CHAT_TUI_H

#include "chat/client.h"

/* Run the interface in the room c is connected to (not yet entered; the
 * name is due by deadline, in mono_now seconds); returns the exit status.
 * The terminal is restored on every way out but SIGKILL; a signal that
 * ends it then ends the process, by that signal. */
int chat_tui(struct chat_client *c, const char *name, double deadline);

#endif
