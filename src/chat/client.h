/*
 * client.h - the client's side of a connection to the room, shared by
 * line mode (linemode.c) and the terminal interface (tui.c): finding and
 * trusting the server (and starting one, as tmux does), the hello, the
 * name, and buffered non-blocking line I/O.
 */
#ifndef PMON_CHAT_CLIENT_H
#define PMON_CHAT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "chat/proto.h"
#include "chat/sock.h"
#include "util/util.h"

struct chat_client {
	const char *path;
	bool autostart;        /* start a server when none answers */
	int fd;
	char room[64];
	char name[CHAT_NAME_MAX + 1];
	struct buf in;         /* bytes read, not yet taken as lines */
	size_t in_off;
	bool discarding;
	struct buf out;        /* bytes queued, not yet written */
};

void chat_client_init(struct chat_client *c, const char *path,
		      bool autostart);
void chat_client_close(struct chat_client *c);

/*
 * Connect, check that the directory and the server can be trusted (root
 * or this user), start a server if none answers and autostart is set,
 * and read the hello.  Returns 0, or -1 with why filled in.
 */
int chat_client_connect(struct chat_client *c, char *why);

/* Enter the room as name ("" for the login name).  Returns 0 (c->name
 * is set), or -1 with the server's refusal (or the failure) in why;
 * *refused tells a refusal (a taken name) from a lost connection. */
int chat_client_join(struct chat_client *c, const char *name, char *why,
		     bool *refused);

/*
 * Can s[0..n) go to the server as one request line?  Not with a newline
 * (what follows it would be read as a second request), a CR (a line end
 * too, where the protocol allows one only before the newline) or a NUL
 * (which ends the text for anything reading it as a C string).
 */
bool chat_line_sendable(const char *s, size_t n);
/* Why chat_line_sendable refused, for messages. */
#define CHAT_LINE_RULE "a line sent to the room may not hold a newline," \
	" a carriage return or a NUL byte"
/* Check a name before it is sent (chat_name_valid: the server's own
 * rule); "" is the login name and passes.  -1 with why filled in. */
int chat_client_check_name(const char *name, char *why);

/* Queue a line (a newline is added) and try to write it.  A line that is
 * not chat_line_sendable is refused: -1 with errno EINVAL, nothing
 * queued. */
int chat_client_send(struct chat_client *c, const char *line, size_t n);
/* Write what the socket takes; -1 if the connection is gone. */
int chat_client_flush(struct chat_client *c);
/* Read what is there: >0 bytes, 0 at EOF, -1 on error (EAGAIN: none). */
int chat_client_read(struct chat_client *c);
/* The next complete line read, if any (overlong lines are skipped). */
bool chat_client_line(struct chat_client *c, struct chat_line *l);
/* Wait (up to ms) until a line is there; -1 on EOF, error or time out. */
int chat_client_wait_line(struct chat_client *c, struct chat_line *l,
			  int ms);

#endif
