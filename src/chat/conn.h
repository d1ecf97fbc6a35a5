/*
 * conn.h - the connection layer of `pmon chatd`: a set of non-blocking
 * sockets on the event loop, each with its output queue (shared messages,
 * written with one send per wakeup from a run copied once for everyone
 * owed the same messages, EPOLLOUT only for a full socket), its input cut into lines, flood control (a
 * client over its rate is not read for a while, never dropped), a cap on
 * what may be queued for it (a reader that stops is cut off) and an
 * optional deadline.
 *
 * It knows nothing of rooms: complete lines go up through conn_ops, and
 * so does the end of each connection.  Ends are deferred to
 * conns_before_sleep, so that no handler ever sees a freed connection.
 */
#ifndef PMON_CHAT_CONN_H
#define PMON_CHAT_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include "chat/loop.h"
#include "chat/queue.h"
#include "util/util.h"

struct conn;
struct conns;

struct conn_ops {
	/* A complete line from c, without its newline.  Returning false
	 * holds it: nothing more is read from c until conn_release, and
	 * then the same line comes again. */
	bool (*line)(void *ctx, struct conn *c, const char *line, size_t len);
	/* c has ended: the peer closed (why NULL), or the connection was
	 * lost, cut off or closed with conn_close (why says so).  Called
	 * once, before the loop sleeps; c is freed right after. */
	void (*closed)(void *ctx, struct conn *c, const char *why);
};

struct conn_limits {
	double flood_rate;  /* lines per second; 0: no limit */
	double flood_burst; /* lines at once */
	size_t out_cap;     /* bytes queued before a client is cut off */
};

struct conns *conns_new(struct loop *l, const struct conn_limits *lim,
			const struct conn_ops *ops, void *ctx);
/* Close every connection, without a word to anyone. */
void conns_free(struct conns *set);
/* Connections open (ended ones until they are reaped). */
size_t conns_count(const struct conns *set);
/* Clients of c's set cut off for not reading (over out_cap) so far. */
unsigned long long conns_slow_dropped(const struct conn *c);

/* Take on fd (non-blocking, connected).  held: read nothing until
 * conn_release.  Returns NULL (fd closed) if the loop refuses it. */
struct conn *conn_add(struct conns *set, int fd, bool held);
void conn_set_user(struct conn *c, void *user);
void *conn_user(const struct conn *c);
/* The socket, for asking the kernel about its peer (getsockopt); its
 * reads and writes are the connection layer's alone. */
int conn_fd(const struct conn *c);

/* Queue a reference to m (never a copy); over the cap, c is cut off. */
void conn_push(struct conn *c, struct msg *m);
void conn_send(struct conn *c, const char *s, size_t n);
/* One line: fmt's expansion (cut at 1 KiB) and a newline. */
void conn_sendf(struct conn *c, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Read nothing more from c, and close it once its queue is written. */
void conn_quit(struct conn *c);
/* End c before the loop sleeps; why (copied) goes to ops->closed and,
 * as "error gone WHY", to the client if its queue is empty. */
void conn_close(struct conn *c, const char *why);
/* Has c ended, or been told to? Nothing queued for it is sent then. */
bool conn_gone(const struct conn *c);
void conn_release(struct conn *c);
/* Close c with why at mono_now() time when (0: no deadline). */
void conn_set_deadline(struct conn *c, double when, const char *why);

/*
 * Run before the loop sleeps: resume the clients whose flood pause is
 * over, close those past their deadline, write every queue that has
 * something, and end the connections that ended.  Returns the longest
 * the loop may sleep, in milliseconds (-1: no limit).
 */
int conns_before_sleep(struct conns *set);
/* Is nothing queued for anyone? */
bool conns_flushed(const struct conns *set);

#endif
