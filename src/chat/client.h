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

/* Queue a line (a newline is added) and try to write it. */
void chat_client_send(struct chat_client *c, const char *line, size_t n);
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
