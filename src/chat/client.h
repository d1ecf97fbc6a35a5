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

/* How long getting into the room may take, all of it together: the
 * connection, the hello and the answer to the name, or every attempt of
 * a reconnect after the server went away. */
#define CHAT_ENTER_TIMEOUT_S 10

void chat_client_init(struct chat_client *c, const char *path,
		      bool autostart);
void chat_client_close(struct chat_client *c);

/*
 * Connect, check that the directory and the server can be trusted (root
 * or this user), start a server if none answers and autostart is set,
 * and read the hello, by deadline (mono_now seconds).  Returns 0, or -1
 * with why filled in.
 */
int chat_client_connect(struct chat_client *c, double deadline, char *why);

/*
 * The same steps for a caller with its own event loop (top, watch),
 * which must never wait: connect without waiting (no server is started;
 * a full backlog fails at once), then hand each line read to
 * chat_client_hello_line (the first) and chat_client_name_line (after
 * sending the name).  open and hello_line: 0, or -1 with why.
 * name_line: 1 when in (c->name set), 0 for a line that is not the
 * answer, -1 for a refusal (why: the server's reason), -2 for an answer
 * that cannot be taken.
 */
int chat_client_open(struct chat_client *c, char *why);
int chat_client_hello_line(struct chat_client *c, const struct chat_line *l,
			   char *why);
int chat_client_name_line(struct chat_client *c, const struct chat_line *l,
			  char *why);

/* Enter the room as name ("" for the login name) by deadline.  Returns 0
 * (c->name is set), or -1 with the server's refusal (or the failure) in
 * why; *refused tells a refusal (a taken name) from a lost connection. */
int chat_client_join(struct chat_client *c, const char *name,
		     double deadline, char *why, bool *refused);

/* The room's figures, as /stats gives them. */
struct chat_room_stats {
	unsigned long long clients;      /* connections, in the room or not */
	unsigned long long in_room;      /* of them, in the room with a name */
	unsigned long long messages;     /* said since the server started */
	unsigned long long dropped_slow; /* cut off for not reading */
};
/* Ask the room on path for its figures, without entering it, in at most
 * timeout_s for everything (connect, hello, answer); never starts a
 * server.  0, or -1 with why filled in. */
int chat_room_stats(const char *path, double timeout_s,
		    struct chat_room_stats *st, char *why);

/* Get back into the room as name after the server went away, starting a
 * server where it may, within CHAT_ENTER_TIMEOUT_S for every attempt
 * together; 0 when in, -1 when giving up (why filled in). */
int chat_client_reconnect(struct chat_client *c, const char *name,
			  char *why);

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

/* What we said ourselves, in the form the others see it (the server
 * tells only them), for a client to show: a message, /me or /announce as
 * an event into *ev (whose text points into line), a /msg as the line
 * "[private to NAME] TEXT" appended to *private_line. */
enum chat_own { OWN_NONE, OWN_EVENT, OWN_PRIVATE };
enum chat_own chat_own_echo(const char *name, const char *line, size_t n,
			    struct chat_ev *ev, struct buf *private_line);
/* Write what the socket takes; -1 if the connection is gone. */
int chat_client_flush(struct chat_client *c);
/* Read what is there: >0 bytes, 0 at EOF, -1 on error (EAGAIN: none). */
int chat_client_read(struct chat_client *c);
/* The next complete line read, if any (overlong lines are skipped). */
bool chat_client_line(struct chat_client *c, struct chat_line *l);
/* Wait until a line is there, by deadline; -1 on EOF, error, time out
 * (ETIMEDOUT) or a caught signal (EINTR). */
int chat_client_wait_line(struct chat_client *c, struct chat_line *l,
			  double deadline);

/*
 * Signals that end the client (SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1,
 * SIGUSR2, SIGALRM), caught by the terminal interface so that it can
 * restore the terminal first.  Every wait here (and the interface's own,
 * through chat_signal_fd) ends as soon as one comes: the handler writes
 * to a pipe the waits watch, which a flag alone cannot do for a wait
 * that had not begun when the signal came.  Nothing is caught until
 * chat_catch_signals is called (line mode leaves the signals alone).
 */
int chat_catch_signals(void);
/* Hold those signals back (true), or let them come (false), around a
 * step no signal may cut in two, such as taking over the terminal before
 * they are caught. */
void chat_hold_signals(bool hold);
/* The first signal caught, or 0. */
int chat_caught_signal(void);
/* Readable once a signal has been caught; -1 when none are. */
int chat_signal_fd(void);
/* End by the caught signal, as a shell expects (128+N), if there is one:
 * for after the terminal is restored. */
void chat_die_of_caught_signal(void);
/* Sleep until the mono_now time until, or until a signal is caught. */
void chat_pause_until(double until);

#endif
