/*
 * conn.c - one connection to the room: the queue of shared messages it
 * is owed and how that queue is written (one sendmsg of up to IOV_MAX
 * messages per wakeup, EPOLLOUT only for a full socket), its input with
 * flood control, and its end (closed only before the loop sleeps, so no
 * handler ever sees a freed client).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "chat/chatd.h"

/* ---- messages ------------------------------------------------------ */

struct msg *msg_new(const char *s, size_t n)
{
	struct msg *m = xmalloc(sizeof(*m) + n);

	m->refs = 1;
	m->len = (unsigned)n;
	memcpy(m->data, s, n);
	return m;
}

void msg_unref(struct msg *m)
{
	if (m && --m->refs == 0)
		free(m);
}

/* ---- output -------------------------------------------------------- */

static void mark_pending(struct server *s, struct client *c)
{
	if (!c->pending) {
		c->pending = true;
		c->next_pending = s->pending;
		s->pending = c;
	}
}

/* Queue a reference to m for c (never copies m). */
void client_push(struct server *s, struct client *c, struct msg *m)
{
	if (c->dead)
		return;
	if (c->qbytes + m->len > s->o->out_cap) {
		client_kill(s, c, "too slow: stopped reading, over the output"
			    " limit");
		return;
	}
	if (c->qcount == c->qcap) {
		unsigned ncap = c->qcap ? c->qcap * 2 : 8;
		struct msg **nq = xreallocarray(NULL, ncap, sizeof(*nq));

		for (unsigned i = 0; i < c->qcount; i++)
			nq[i] = c->q[(c->qhead + i) % c->qcap];
		free(c->q);
		c->q = nq;
		c->qcap = ncap;
		c->qhead = 0;
	}
	c->q[(c->qhead + c->qcount) % c->qcap] = m;
	c->qcount++;
	c->qbytes += m->len;
	m->refs++;
	mark_pending(s, c);
}

/* Queue a line for c alone ("ok ...", "error ...", who lists). */
void client_send(struct server *s, struct client *c, const char *s_,
		 size_t n)
{
	struct msg *m = msg_new(s_, n);

	client_push(s, c, m);
	msg_unref(m);
}

void client_sendf(struct server *s, struct client *c,
		  const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	client_send(s, c, line, (size_t)n);
}

void client_update_mask(struct server *s, struct client *c)
{
	int mask = 0;

	if (c->dead)
		return;
	if (!c->paused && !c->quitting && !s->stopping)
		mask |= LOOP_READ;
	/* Queued output is written by before_sleep (the client is on the
	 * pending list); EPOLLOUT only for a socket that was full.  Asking
	 * for it whenever something is queued would cost two epoll_ctl
	 * calls per wakeup of a client that both reads and is written to. */
	if (c->blocked)
		mask |= LOOP_WRITE;
	if (loop_set_mask(s->loop, c->fd, mask) < 0)
		client_kill(s, c, "connection lost");
}

/* Drop the n written bytes from the front of c's queue. */
static void client_consume(struct client *c, size_t n)
{
	while (n > 0 && c->qcount) {
		struct msg *m = c->q[c->qhead];
		size_t left = m->len - c->qoff;

		if (n < left) {
			c->qoff += (unsigned)n;
			c->qbytes -= n;
			return;
		}
		n -= left;
		c->qbytes -= left;
		c->qoff = 0;
		msg_unref(m);
		c->qhead = (c->qhead + 1) % c->qcap;
		c->qcount--;
	}
}

/* Write as much of c's queue as the socket takes: up to IOV_MAX
 * messages per sendmsg (coalescing), until it is empty or full. */
void client_flush(struct server *s, struct client *c)
{
	static struct iovec iov[IOV_MAX];

	c->blocked = false;
	while (c->qcount && !c->dead) {
		struct msghdr mh = {.msg_iov = iov};
		size_t total = 0;
		ssize_t w;
		unsigned i;

		for (i = 0; i < c->qcount && i < IOV_MAX; i++) {
			struct msg *m = c->q[(c->qhead + i) % c->qcap];
			unsigned off = i == 0 ? c->qoff : 0;

			iov[i].iov_base = m->data + off;
			iov[i].iov_len = m->len - off;
			total += m->len - off;
		}
		mh.msg_iovlen = i;
		/* One message (the usual case in a calm room): plain send. */
		if (i == 1)
			w = send(c->fd, iov[0].iov_base, iov[0].iov_len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		else
			w = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				c->blocked = true;
				break;
			}
			client_kill(s, c, "connection lost");
			return;
		}
		client_consume(c, (size_t)w);
		if ((size_t)w < total) {
			c->blocked = true; /* the socket is full: wait for EPOLLOUT */
			break;
		}
	}
	if (c->qcount == 0) {
		/* An idle client keeps at most the first small ring (64
		 * bytes), so that a quiet room allocates nothing per message. */
		if (c->qcap > 8) {
			free(c->q);
			c->q = NULL;
			c->qcap = 0;
		}
		c->qhead = 0;
		if (c->quitting && !c->dead)
			client_kill(s, c, NULL);
	}
	client_update_mask(s, c);
}

/* ---- leaving ---------------------------------------------------------- */

/* Take c out of the room (telling the others) and close it before the
 * loop sleeps.  why: the reason the room is given, or NULL. */
void client_kill(struct server *s, struct client *c, const char *why)
{
	if (c->dead)
		return;
	c->dead = true;
	if (why)
		c->leave_reason = xstrdup(why);
	if (s->ndead == s->capdead) {
		s->capdead = s->capdead ? 2 * s->capdead : 16;
		s->dead = xreallocarray(s->dead, s->capdead, sizeof(*s->dead));
	}
	s->dead[s->ndead++] = c;
}

void client_free(struct client *c)
{
	while (c->qcount) {
		msg_unref(c->q[c->qhead]);
		c->qhead = (c->qhead + 1) % c->qcap;
		c->qcount--;
	}
	free(c->q);
	free(c->in);
	free(c->leave_reason);
	free(c);
}

static void unlink_pending(struct server *s, struct client *c)
{
	for (struct client **p = &s->pending; *p; p = &(*p)->next_pending) {
		if (*p == c) {
			*p = c->next_pending;
			c->pending = false;
			return;
		}
	}
}

void reap_dead(struct server *s)
{
	/* Leave notices may drop more slow clients: loop until none. */
	for (size_t d = 0; d < s->ndead; d++) {
		struct client *c = s->dead[d];

		if (c->joined) {
			const char *why = c->leave_reason;

			c->joined = false;
			room_event(s, c, "leave", c->name, why,
				   why ? strlen(why) : 0);
		}
		if (c->leave_reason && c->qcount == 0) {
			/* Best effort: a stalled reader will not see it. */
			char line[256];
			int n = snprintf(line, sizeof(line), "error gone %s\n",
					 c->leave_reason);

			if (n > 0 && (size_t)n < sizeof(line))
				(void)send(c->fd, line, (size_t)n,
					   MSG_NOSIGNAL | MSG_DONTWAIT);
		}
	}
	for (size_t d = 0; d < s->ndead; d++) {
		struct client *c = s->dead[d];

		for (size_t i = 0; i < s->nclients; i++) {
			if (s->clients[i] == c) {
				s->clients[i] = s->clients[--s->nclients];
				break;
			}
		}
		if (c->paused)
			s->npaused--;
		if (c->pending)
			unlink_pending(s, c);
		loop_del(s->loop, c->fd);
		close(c->fd);
		client_free(c);
	}
	s->ndead = 0;
}

/* ---- input and flood control ------------------------------------------- */

/* Take one token for a line; false (and the client paused) if none. */
static bool flood_allow(struct server *s, struct client *c)
{
	double now;

	if (s->o->flood_rate <= 0)
		return true;
	now = mono_now();
	c->tokens += (now - c->refilled) * s->o->flood_rate;
	if (c->tokens > s->o->flood_burst)
		c->tokens = s->o->flood_burst;
	c->refilled = now;
	if (c->tokens >= 1) {
		c->tokens -= 1;
		return true;
	}
	if (!c->paused) {
		c->paused = true;
		s->npaused++;
	}
	c->resume_at = now + (1 - c->tokens) / s->o->flood_rate;
	return false;
}

/* Act on the complete lines of data[0..len); returns the bytes used up.
 * Stops early (keeping the rest) when flood control pauses the client. */
static size_t process_input(struct server *s, struct client *c,
			    const char *data, size_t len)
{
	size_t off = 0;

	while (off < len && !c->dead && !c->quitting) {
		struct chat_line l;
		bool discarding = c->discarding;
		size_t used;

		used = chat_next_line(data + off, len - off, &discarding, &l);
		if (used == 0)
			break; /* a partial line: wait for the rest */
		/* A line (even one refused as too long) costs a token; the
		 * parse is committed only when the client may go on. */
		if (!c->discarding && !flood_allow(s, c))
			break;
		c->discarding = discarding;
		off += used;
		if (l.kind == CHAT_LINE_TOOLONG)
			client_sendf(s, c, "error toolong a line is at most %d"
				     " bytes; that line was not sent",
				     CHAT_LINE_MAX);
		else if (l.kind == CHAT_LINE_OK)
			handle_line(s, c, l.text, l.len);
	}
	return off;
}

/* Keep data[0..len) as c's pending input. */
static void keep_input(struct client *c, const char *data, size_t len)
{
	if (len == 0) {
		free(c->in);
		c->in = NULL;
		c->inlen = c->incap = 0;
		return;
	}
	if (data != c->in) {
		if (len > c->incap) {
			free(c->in);
			c->in = xmalloc(len);
			c->incap = len;
		}
	}
	memmove(c->in, data, len);
	c->inlen = len;
}

/* Run c's held-back input through again (after a pause, or a read). */
void drain_input(struct server *s, struct client *c)
{
	size_t used = process_input(s, c, c->in, c->inlen);

	keep_input(c, c->in + used, c->inlen - used);
}

static void client_read(struct server *s, struct client *c)
{
	ssize_t n = read(c->fd, s->scratch, sizeof(s->scratch));
	size_t used;

	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		client_kill(s, c, "connection lost");
		return;
	}
	if (n == 0) {
		client_kill(s, c, NULL); /* the client closed: it left */
		return;
	}
	if (c->inlen) {
		if (c->inlen + (size_t)n > c->incap) {
			c->incap = c->inlen + (size_t)n;
			c->in = xreallocarray(c->in, c->incap, 1);
		}
		memcpy(c->in + c->inlen, s->scratch, (size_t)n);
		c->inlen += (size_t)n;
		drain_input(s, c);
	} else {
		used = process_input(s, c, s->scratch, (size_t)n);
		keep_input(c, s->scratch + used, (size_t)n - used);
	}
	client_update_mask(s, c);
}

void on_client(struct loop *l, int fd, void *data, int mask)
{
	struct client *c = data;
	struct server *s = c->s;

	(void)l;
	(void)fd;
	if (c->dead)
		return;
	if (mask & LOOP_WRITE)
		client_flush(s, c);
	if ((mask & LOOP_READ) && !c->dead)
		client_read(s, c);
}
