/*
 * conn.c - the connection layer (conn.h): one connection's queue and how
 * it is written, its input and flood control, its deadline and its end.
 * Nothing here knows what a line means: lines go to ops.line, ends to
 * ops.closed.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chat/conn.h"
#include "chat/proto.h"

struct conn {
	struct conns *set;
	int fd;
	size_t index;            /* in set->all */
	void *user;
	bool dead;               /* ended: reaped before the loop sleeps */
	bool quitting;           /* close once the queue is written */
	bool paused;             /* flood control: not read until resume_at */
	bool held;               /* not read until conn_release */
	bool blocked;            /* the socket was full: wait for EPOLLOUT */
	bool pending;            /* on set->pending: has output to write */
	bool discarding;         /* in the tail of an oversized line */
	char *why;               /* why it ended, for ops.closed */
	struct msgq out;
	/* Input not yet acted on (a partial line, or lines held back);
	 * allocated only when there is some. */
	char *in;
	size_t inlen, incap;
	struct bucket bucket;
	double resume_at;
	double deadline;         /* 0: none */
	char *deadline_why;
	struct conn *next_pending;
};

struct conns {
	struct loop *loop;
	struct conn_limits lim;
	struct conn_ops ops;
	void *ctx;
	struct conn **all;
	size_t n, cap;
	struct conn *pending;    /* connections with output to write */
	struct conn **dead;      /* connections to end before sleeping */
	size_t ndead, capdead;
	size_t npaused, ndeadlines;
	unsigned long long slow_dropped; /* cut off over out_cap */
	char scratch[64 * 1024]; /* every read lands here first */
	struct msgrun run;       /* the last run written (see write_some) */
};

static void on_conn(struct loop *l, int fd, void *data, int mask);

/* ---- the set -------------------------------------------------------- */

struct conns *conns_new(struct loop *l, const struct conn_limits *lim,
			const struct conn_ops *ops, void *ctx)
{
	struct conns *set = xcalloc(1, sizeof(*set));

	set->loop = l;
	set->lim = *lim;
	set->ops = *ops;
	set->ctx = ctx;
	return set;
}

static void conn_free(struct conn *c)
{
	msgq_clear(&c->out);
	free(c->in);
	free(c->why);
	free(c->deadline_why);
	free(c);
}

void conns_free(struct conns *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++) {
		loop_del(set->loop, set->all[i]->fd);
		close(set->all[i]->fd);
		conn_free(set->all[i]);
	}
	msgrun_free(&set->run);
	free(set->all);
	free(set->dead);
	free(set);
}

size_t conns_count(const struct conns *set)
{
	return set->n;
}

unsigned long long conns_slow_dropped(const struct conn *c)
{
	return c->set->slow_dropped;
}

struct conn *conn_add(struct conns *set, int fd, bool held)
{
	struct conn *c = xcalloc(1, sizeof(*c));

	c->set = set;
	c->fd = fd;
	c->held = held;
	bucket_init(&c->bucket, set->lim.flood_burst, mono_now());
	if (loop_add(set->loop, fd, held ? 0 : LOOP_READ, on_conn, c) < 0) {
		free(c);
		close(fd);
		return NULL;
	}
	if (set->n == set->cap) {
		set->cap = set->cap ? 2 * set->cap : 64;
		set->all = xreallocarray(set->all, set->cap, sizeof(*set->all));
	}
	c->index = set->n;
	set->all[set->n++] = c;
	return c;
}

void conn_set_user(struct conn *c, void *user)
{
	c->user = user;
}

void *conn_user(const struct conn *c)
{
	return c->user;
}

int conn_fd(const struct conn *c)
{
	return c->fd;
}

bool conn_gone(const struct conn *c)
{
	return c->dead || c->quitting;
}

/* ---- output --------------------------------------------------------- */

static void mark_pending(struct conn *c)
{
	if (!c->pending) {
		c->pending = true;
		c->next_pending = c->set->pending;
		c->set->pending = c;
	}
}

static void update_mask(struct conn *c)
{
	int mask = 0;

	if (c->dead)
		return;
	if (!c->paused && !c->held && !c->quitting)
		mask |= LOOP_READ;
	/* Queued output is written before the loop sleeps (the connection
	 * is on the pending list); EPOLLOUT only for a socket that was full.
	 * Asking for it whenever something is queued would cost two
	 * epoll_ctl calls per wakeup of a client that both reads and is
	 * written to. */
	if (c->blocked)
		mask |= LOOP_WRITE;
	if (loop_set_mask(c->set->loop, c->fd, mask) < 0)
		conn_close(c, "connection lost");
}

static void conn_flush(struct conn *c);

void conn_push(struct conn *c, struct msg *m)
{
	if (c->dead)
		return;
	/* Past the cap: first write what the socket takes.  Only a reader
	 * whose socket is full as well is too slow; the lines of one
	 * wakeup (many senders at once) are not its fault. */
	if (c->out.bytes + m->len > c->set->lim.out_cap && !c->blocked) {
		conn_flush(c);
		if (c->dead)
			return;
	}
	if (!msgq_push(&c->out, m, c->set->lim.out_cap)) {
		c->set->slow_dropped++;
		conn_close(c, "too slow: stopped reading, over the output"
			   " limit");
		return;
	}
	mark_pending(c);
}

void conn_send(struct conn *c, const char *s, size_t n)
{
	struct msg *m = msg_new(s, n);

	conn_push(c, m);
	msg_unref(m);
}

void conn_sendf(struct conn *c, const char *fmt, ...)
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
	conn_send(c, line, (size_t)n);
}

/* At most this much of a queue is copied into a run: 64 KiB, a third of
 * a UNIX socket's default send buffer. */
#define RUN_BYTES (64 * 1024)

/*
 * One write of the start of c's queue; *total: the bytes tried.  Several
 * whole messages go from the set's run (see struct msgrun): in a room
 * everyone is owed the same messages, so the run is copied once per
 * wakeup (again after each sender, who is not sent its own) and each
 * client gets one plain send of it.  With a sendmsg of one iovec per
 * message, building the iovecs and the kernel's importing and copying
 * them piece by piece were 12% of chatd's profile at 1,000 clients and
 * bursts of 32; with the run, matching and copying it are 3%.  A
 * message begun, or one alone, is sent from the queue.
 */
static ssize_t write_some(struct conn *c, size_t *total)
{
	static struct iovec iov[IOV_MAX];
	struct msgrun *run = &c->set->run;
	struct msghdr mh = {.msg_iov = iov};

	if (c->out.off == 0 && c->out.count > 1 &&
	    (msgrun_matches(run, &c->out) ||
	     msgrun_fill(run, &c->out, RUN_BYTES) > 1)) {
		*total = run->len;
		return send(c->fd, run->bytes, run->len,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	mh.msg_iovlen = msgq_iov(&c->out, iov, IOV_MAX, total);
	if (mh.msg_iovlen == 1)
		return send(c->fd, iov[0].iov_base, iov[0].iov_len,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
	return sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Write as much of c's queue as the socket takes (write_some), until
 * it is empty or full. */
static void conn_flush(struct conn *c)
{
	c->blocked = false;
	while (c->out.count && !c->dead) {
		size_t total;
		ssize_t w = write_some(c, &total);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				c->blocked = true;
				break;
			}
			conn_close(c, "connection lost");
			return;
		}
		msgq_consume(&c->out, (size_t)w);
		if ((size_t)w < total) {
			c->blocked = true; /* full: wait for EPOLLOUT */
			break;
		}
	}
	msgq_trim(&c->out);
	if (c->out.count == 0 && c->quitting)
		conn_close(c, NULL);
	update_mask(c);
}

/* ---- the end -------------------------------------------------------- */

void conn_close(struct conn *c, const char *why)
{
	struct conns *set = c->set;

	if (c->dead)
		return;
	c->dead = true;
	if (why)
		c->why = xstrdup(why);
	if (set->ndead == set->capdead) {
		set->capdead = set->capdead ? 2 * set->capdead : 16;
		set->dead = xreallocarray(set->dead, set->capdead,
					  sizeof(*set->dead));
	}
	set->dead[set->ndead++] = c;
}

void conn_quit(struct conn *c)
{
	if (c->dead || c->quitting)
		return;
	c->quitting = true;
	mark_pending(c); /* an empty queue closes at once */
	update_mask(c);
}

static void unlink_pending(struct conns *set, struct conn *c)
{
	for (struct conn **p = &set->pending; *p; p = &(*p)->next_pending) {
		if (*p == c) {
			*p = c->next_pending;
			c->pending = false;
			return;
		}
	}
}

static void forget(struct conns *set, struct conn *c)
{
	set->all[c->index] = set->all[--set->n];
	set->all[c->index]->index = c->index;
	if (c->paused)
		set->npaused--;
	if (c->deadline)
		set->ndeadlines--;
	if (c->pending)
		unlink_pending(set, c);
	loop_del(set->loop, c->fd);
	close(c->fd);
	conn_free(c);
}

/* Tell the room of each end (which may end more: a leave notice can
 * push a slow reader over its cap), then close them all. */
static void reap(struct conns *set)
{
	for (size_t d = 0; d < set->ndead; d++) {
		struct conn *c = set->dead[d];

		set->ops.closed(set->ctx, c, c->why);
		if (c->why && c->out.count == 0) {
			/* Best effort: a stalled reader will not see it. */
			char line[256];
			int n = snprintf(line, sizeof(line), "error gone %s\n",
					 c->why);

			if (n > 0 && (size_t)n < sizeof(line))
				(void)send(c->fd, line, (size_t)n,
					   MSG_NOSIGNAL | MSG_DONTWAIT);
		}
	}
	for (size_t d = 0; d < set->ndead; d++)
		forget(set, set->dead[d]);
	set->ndead = 0;
}

/* ---- input and flood control ---------------------------------------- */

/* What a line of len bytes costs: a token, and one more for each whole
 * KiB.  Counted in lines alone, one account's connections could put
 * 16 x 40 lines of 4 KiB (2.5 MiB) in every member's queue in one
 * wakeup, past the output cap of readers that read as fast as they can;
 * weighed, it is 16 x 40 KiB at most. */
static double line_cost(size_t len)
{
	return 1.0 + (double)(len / 1024);
}

/* Take the tokens for a line; false (and c paused) if there are too few. */
static bool flood_allow(struct conn *c, double cost)
{
	const struct conn_limits *lim = &c->set->lim;
	double now, wait;

	if (lim->flood_rate <= 0)
		return true;
	now = mono_now();
	wait = bucket_take(&c->bucket, now, lim->flood_rate, lim->flood_burst, cost);
	if (wait == 0)
		return true;
	if (!c->paused) {
		c->paused = true;
		c->set->npaused++;
	}
	c->resume_at = now + wait;
	return false;
}

/* Act on the complete lines of data[0..len); returns the bytes used up.
 * Stops early (keeping the rest) when flood control pauses c or the
 * room holds a line. */
static size_t process_input(struct conn *c, const char *data, size_t len)
{
	struct conns *set = c->set;
	size_t off = 0;

	while (off < len && !c->dead && !c->quitting && !c->held) {
		struct chat_line l;
		bool discarding = c->discarding;
		size_t used;

		used = chat_next_line(data + off, len - off, &discarding, &l);
		if (used == 0)
			break; /* a partial line: wait for the rest */
		/* A line (even one refused as too long) costs a token; the
		 * parse is committed only when the client may go on. */
		if (!c->discarding && !flood_allow(c, line_cost(l.len)))
			break;
		if (l.kind == CHAT_LINE_OK &&
		    !set->ops.line(set->ctx, c, l.text, l.len)) {
			c->held = true;
			if (set->lim.flood_rate > 0) /* it comes again */
				c->bucket.tokens += line_cost(l.len);
			break;
		}
		c->discarding = discarding;
		off += used;
		if (l.kind == CHAT_LINE_TOOLONG)
			conn_sendf(c, "error toolong a line is at most %d bytes;"
				   " that line was not sent", CHAT_LINE_MAX);
	}
	return off;
}

/* Keep data[0..len) as c's pending input (data may point into c->in). */
static void keep_input(struct conn *c, const char *data, size_t len)
{
	if (len == 0) {
		free(c->in);
		c->in = NULL;
		c->inlen = c->incap = 0;
		return;
	}
	if (data != c->in && len > c->incap) {
		char *in = xmalloc(len);

		memcpy(in, data, len);
		free(c->in);
		c->in = in;
		c->incap = len;
	} else {
		memmove(c->in, data, len);
	}
	c->inlen = len;
}

/* Run c's kept input through again (after a pause, a hold, a read). */
static void drain_input(struct conn *c)
{
	size_t used = process_input(c, c->in, c->inlen);

	keep_input(c, c->in + used, c->inlen - used);
}

void conn_release(struct conn *c)
{
	if (!c->held || c->dead)
		return;
	c->held = false;
	if (c->inlen)
		drain_input(c); /* may hold it again */
	update_mask(c);
}

static void conn_read(struct conn *c)
{
	struct conns *set = c->set;
	ssize_t n = read(c->fd, set->scratch, sizeof(set->scratch));
	size_t used;

	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		conn_close(c, "connection lost");
		return;
	}
	if (n == 0) {
		conn_close(c, NULL); /* the client closed: it left */
		return;
	}
	if (c->inlen) {
		if (c->inlen + (size_t)n > c->incap) {
			c->incap = c->inlen + (size_t)n;
			c->in = xreallocarray(c->in, c->incap, 1);
		}
		memcpy(c->in + c->inlen, set->scratch, (size_t)n);
		c->inlen += (size_t)n;
		drain_input(c);
	} else {
		used = process_input(c, set->scratch, (size_t)n);
		keep_input(c, set->scratch + used, (size_t)n - used);
	}
	update_mask(c);
}

static void on_conn(struct loop *l, int fd, void *data, int mask)
{
	struct conn *c = data;

	(void)l;
	(void)fd;
	if (c->dead)
		return;
	if (mask & LOOP_WRITE)
		conn_flush(c);
	if ((mask & LOOP_READ) && !c->dead)
		conn_read(c);
}

/* ---- timers and the work before sleeping ------------------------------ */

void conn_set_deadline(struct conn *c, double when, const char *why)
{
	if (c->deadline)
		c->set->ndeadlines--;
	free(c->deadline_why);
	c->deadline_why = NULL;
	c->deadline = when;
	if (when) {
		c->set->ndeadlines++;
		c->deadline_why = xstrdup(why);
	}
}

/* Close whoever is past their deadline; resume whoever's pause is over. */
static void run_timers(struct conns *set, double now)
{
	for (size_t i = 0; i < set->n; i++) {
		struct conn *c = set->all[i];

		if (c->dead)
			continue;
		if (c->deadline && c->deadline <= now) {
			conn_close(c, c->deadline_why);
			continue;
		}
		if (c->paused && c->resume_at <= now) {
			c->paused = false;
			set->npaused--;
			drain_input(c); /* may pause it again */
			update_mask(c);
		}
	}
}

/* Milliseconds until the next pause ends or deadline passes; -1: none. */
static int next_timeout(const struct conns *set, double now)
{
	double soonest = -1;

	for (size_t i = 0; i < set->n; i++) {
		const struct conn *c = set->all[i];

		if (c->dead)
			continue;
		if (c->paused && (soonest < 0 || c->resume_at < soonest))
			soonest = c->resume_at;
		if (c->deadline && (soonest < 0 || c->deadline < soonest))
			soonest = c->deadline;
	}
	if (soonest < 0)
		return -1;
	return soonest <= now ? 0 : (int)ceil((soonest - now) * 1000);
}

int conns_before_sleep(struct conns *set)
{
	int timeout = -1;

	/* The clock is read, and the set scanned, only when something
	 * waits on the clock. */
	if (set->npaused || set->ndeadlines) {
		double now = mono_now();

		run_timers(set, now);
		timeout = next_timeout(set, now);
	}
	do {
		while (set->pending) {
			struct conn *c = set->pending;

			set->pending = c->next_pending;
			c->pending = false;
			/* A full socket is written when EPOLLOUT says so, not
			 * tried again for every message queued meanwhile. */
			if (!c->dead && !c->blocked)
				conn_flush(c);
		}
		reap(set); /* leave notices may queue more: go round */
	} while (set->pending || set->ndead);
	/* Nothing holds a message past the wakeup that wrote it. */
	msgrun_forget(&set->run);
	return timeout;
}

bool conns_flushed(const struct conns *set)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->all[i]->out.count)
			return false;
	return true;
}
