/*
 * room.h - the room of `pmon chatd`: who is in it, what their lines ask
 * for (the requests of pmon-chat/1, dispatched from the one table in
 * proto.h), and the events that follow, each formatted once, kept in the
 * history, logged, shown on the administrator's terminal and queued for
 * everyone.  It talks to clients only through the connection layer's
 * public API (conn.h); the connection layer reaches it only through
 * room_conn_ops, which the server hands to conns_new.
 */
#ifndef PMON_CHAT_ROOM_H
#define PMON_CHAT_ROOM_H

#include <stddef.h>
#include <sys/types.h>

#include "chat/chatlog.h"
#include "chat/conn.h"
#include "chat/resolve.h"
#include "chat/server.h"

struct room;

/* The room's handlers of lines and ends, for conns_new (ctx: the room). */
extern const struct conn_ops room_conn_ops;

struct loop;

/* A room run by this process's user with options o.  res answers its
 * account questions; the accounts of root and of the owner are looked
 * up here, before the loop runs, and never waited for.  Shared views are
 * read back on loop (viewjob.h). */
struct room *room_new(const struct chatd_opts *o, struct resolver *res,
		      struct loop *loop);
void room_free(struct room *r);
/* Housekeeping before the loop sleeps: end the claims whose time is up,
 * and a shared view that takes too long.  Returns the milliseconds until
 * the next of those, or -1 for none. */
int room_tick(struct room *r);
/* Log every event to l from now on (NULL: none). */
void room_set_log(struct room *r, struct chatlog *l);

/* A new connection, held (conn_add): let it in, once its account is
 * known, or refuse it. */
void room_enter(struct room *r, struct conn *c, uid_t uid, gid_t gid,
		pid_t pid);
/* The resolver has answers: whoever waited for one tries again. */
void room_resolved(struct room *r);

/* An announcement from the server's terminal. */
void room_announce(struct room *r, const char *text, size_t n);
/* Tell everyone the room closes, and see them out. */
void room_shutdown(struct room *r, const char *why);
/* A line of the log ("event ..."), as history (for chatlog_load). */
void room_history_line(void *room, const char *line, size_t n);

#endif
