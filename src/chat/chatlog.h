/*
 * chatlog.h - the room's log (--log FILE): every event, one line each, in
 * the protocol's "event" form, appended as it happens; a restarted server
 * reads it back as history.
 *
 * The file is opened once, without following a symbolic link and without
 * blocking (a FIFO planted at the path is refused, not waited on), and
 * used only if it is a regular file of the server's user that nobody
 * else may write, in a directory checked as the socket's is; a new one
 * is made with mode 0600.  Each event is written whole with one write();
 * a line torn by a crash or a full disk is cut off, never merged with
 * the next event.
 */
#ifndef PMON_CHAT_CHATLOG_H
#define PMON_CHAT_CHATLOG_H

#include <stddef.h>

struct chatlog;

/* Open (or create) and check path.  NULL with why (CHAT_WHY_MAX). */
struct chatlog *chatlog_open(const char *path, char *why);
void chatlog_close(struct chatlog *l);
const char *chatlog_path(const struct chatlog *l);

/* Each line of the log, oldest first, without its newline. */
void chatlog_load(struct chatlog *l,
		  void (*fn)(void *ctx, const char *line, size_t n),
		  void *ctx);

/* Append data[0..n), one event ending in a newline, with one write.
 * Returns 0, or -1 with why: a short write says how short and why, and
 * its torn piece is cut off again. */
int chatlog_append(struct chatlog *l, const char *data, size_t n,
		   char *why);

/* Open the path again (after logrotate moved the file) and go on there;
 * on failure the old file is kept and why says what was wrong. */
int chatlog_reopen(struct chatlog *l, char *why);

#endif
