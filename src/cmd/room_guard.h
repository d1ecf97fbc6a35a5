/*
 * room_guard.h - what pmon kill and pmon reap do about the room: before
 * acting, look at the claims (someone else's claim on a target is said,
 * then asked about on a terminal, or needs --force); after acting, post
 * the action event.  All of it bounded (notify.h): with no room, or a
 * stalled one, the command goes on as if there were none.
 */
#ifndef PMON_CMD_ROOM_GUARD_H
#define PMON_CMD_ROOM_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "chat/notify.h"

struct room_guard {
	struct chat_notifier n;
	bool quiet;  /* --quiet: no room at all */
	bool force;  /* --force: act on claimed processes without asking */
	bool up;
};

/* Connect (unless quiet) and fetch the claims. */
void room_guard_open(struct room_guard *g, bool quiet, bool force);
/*
 * May the command act on the process?  True when nobody else claims it,
 * with --force (said on stderr), or when the user says yes on a
 * terminal.  False otherwise, with why (for the result line) filled in.
 */
bool room_guard_allows(struct room_guard *g, pid_t pid,
		       unsigned long long start_ticks, const char *comm,
		       char *why, size_t size);
/* Tell the room what was done (nothing when quiet or no room). */
void room_guard_post(struct room_guard *g, const struct chat_action *a);
/* The result word of an action that failed with err: "eperm". */
const char *room_guard_errword(int err, char *buf, size_t size);
void room_guard_close(struct room_guard *g);

#endif
