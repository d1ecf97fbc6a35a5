/*
 * session.h - a connection to the room for a program with its own event
 * loop (`pmon top`'s room pane, `pmon watch`), which must never wait on
 * the room: the same client code as `pmon chat` (client.h: the checks of
 * the directory and the server, the hello, the name, the sanitising and
 * the plain forms of events), driven step by step from the caller's
 * poll, with explicit timers instead of waits.
 *
 * A dead, stalled or absent room costs the caller nothing: connecting
 * does not wait (a full backlog fails at once), the hello and the answer
 * to the name are due within CHAT_SESSION_ANSWER_S or the attempt is
 * dropped, what we send is queued up to CHAT_SESSION_OUT_MAX bytes (more
 * is refused, not queued), and after a loss the session tries again by
 * itself, backing off from 1 to CHAT_SESSION_RETRY_MAX seconds.
 */
#ifndef PMON_CHAT_SESSION_H
#define PMON_CHAT_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "chat/client.h"

#define CHAT_SESSION_LINES 200        /* events kept for the pane */
#define CHAT_SESSION_OUT_MAX 16384    /* bytes queued for a server that
                                         does not read */
#define CHAT_SESSION_ANSWER_S 5.0     /* hello and name answer due */
#define CHAT_SESSION_RETRY_MAX 10.0   /* longest wait between attempts: a
                                         failed connect costs a stat and a
                                         socket */

enum chat_session_state {
	SESSION_DOWN,    /* not connected; retry_at says when to try */
	SESSION_HELLO,   /* connected, waiting for the hello */
	SESSION_NAMING,  /* name sent, waiting for the answer */
	SESSION_IN,      /* in the room */
};

struct chat_session {
	struct chat_client c;
	enum chat_session_state state;
	char want[CHAT_NAME_MAX + 1];  /* "" for the login name */
	char alt[CHAT_NAME_MAX + 1];   /* tried when want is taken */
	bool use_alt;
	double deadline;               /* of the hello or the name's answer */
	double retry_at, retry_delay;
	bool entered;                  /* in the room once at least */
	bool skip_history;             /* entered again: the history the
	                                  server replays is shown already */
	bool stalled;                  /* our queue is full: the server
	                                  does not read */
	char status[CHAT_WHY_MAX + 64];     /* one line: where we are, or why not */
	char *lines[CHAT_SESSION_LINES];  /* ring, oldest at head */
	unsigned head, count;
	unsigned long seq;             /* grows with every change to show */
	/* What the caller wants to know (each may be NULL): every line
	 * once in the room (l raw, ev parsed), and each entry, for the
	 * requests that go first ("/as top"). */
	void (*on_event)(void *data, const struct chat_line *l,
			 const struct chat_ev *ev);
	void (*on_enter)(void *data);
	void *data;
};

/* Set up a session for the room on path, entering as want ("" for the
 * login name), or as alt when want is taken; the first attempt is due
 * at once.  Nothing is connected until chat_session_tick. */
void chat_session_init(struct chat_session *s, const char *path,
		       const char *want, const char *alt);
void chat_session_free(struct chat_session *s);

/* What to poll: the descriptor (-1 when down) and its events. */
int chat_session_fd(const struct chat_session *s);
short chat_session_events(const struct chat_session *s);
/* The mono_now time of the session's next timer (a retry, or the
 * deadline of an answer); 0 for none. */
double chat_session_next_timer(const struct chat_session *s);

/* Run the timers due at now: connect when a retry is due, give up on an
 * answer that is late. */
void chat_session_tick(struct chat_session *s, double now);
/* The descriptor is ready (poll's revents): write, read, and take every
 * complete line. */
void chat_session_io(struct chat_session *s, short revents, double now);

/* Send a line the user typed (a message, or a /command), and add it to
 * the lines as the others see it.  0, or -1 with why (not in the room,
 * a line that cannot be sent, the queue is full). */
int chat_session_say(struct chat_session *s, const char *line, size_t n,
		     char *why, size_t why_size);
/* Send a request of the program's own (not shown); false if it could
 * not be queued. */
bool chat_session_request(struct chat_session *s, const char *line,
			  size_t n);

/* The lines kept, oldest first: i in [0, count). */
const char *chat_session_line(const struct chat_session *s, unsigned i);
/* Add a line of the program's own (a note). */
void chat_session_note(struct chat_session *s, const char *text);

#endif
