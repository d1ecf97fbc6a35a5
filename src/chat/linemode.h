/*
 * linemode.h - `pmon chat` when stdin is not a terminal, and its one-shot
 * forms (--send, --announce, --who).
 */
#ifndef PMON_CHAT_LINEMODE_H
#define PMON_CHAT_LINEMODE_H

#include "chat/client.h"

/* Enter as name by deadline (mono_now seconds); then each input line is a
 * message, each event one plain line on stdout, and EOF leaves.
 * Reconnects (starting a server where it may) if the server goes away.
 * Returns the exit status. */
int chat_line_mode(struct chat_client *c, const char *name, double deadline);

/* One request outside the room (/announce, /who), and its answer. */
int chat_oneshot_announce(struct chat_client *c, const char *text);
int chat_oneshot_who(struct chat_client *c);
/* The claims in force, one line each ("bob (uid 1002) claims 4242 nginx:
 * restarting (59m left)"), and leave. */
int chat_oneshot_claims(struct chat_client *c);
/* Enter by deadline, say text, leave. */
int chat_oneshot_send(struct chat_client *c, const char *name,
		      const char *text, double deadline);

#endif
