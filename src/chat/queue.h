/*
 * queue.h - the pieces of a connection that are plain data, so that they
 * can be tested without a socket: a message shared by reference among
 * the queues it goes to, a client's output queue (a ring of such
 * references with a byte cap), and the token bucket of flood control.
 */
#ifndef PMON_CHAT_QUEUE_H
#define PMON_CHAT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

/* One formatted event or reply, shared by reference among the queues of
 * everyone it goes to, and freed with its last reference. */
struct msg {
	unsigned refs;
	unsigned len;
	char data[];
};

/* A new message holding a copy of s[0..n), with one reference. */
struct msg *msg_new(const char *s, size_t n);
void msg_unref(struct msg *m);

/*
 * An output queue: a ring of message references, grown by doubling and
 * given back when emptied past 32 references (see msgq_trim), so that an
 * idle client costs at most 256 bytes, whatever it was sent.  off bytes
 * of the first message are written already; bytes counts what is still
 * owed.
 */
struct msgq {
	struct msg **ring;
	unsigned head, count, cap;
	unsigned off;
	size_t bytes;
};

/* Queue a new reference to m, unless that would take the queue past
 * cap bytes: then false, and nothing changes. */
bool msgq_push(struct msgq *q, struct msg *m, size_t cap);
/* Point up to max iovecs at the queue's unwritten bytes, in order;
 * returns how many, with their sum in *total. */
unsigned msgq_iov(const struct msgq *q, struct iovec *iov, unsigned max,
		  size_t *total);
/* Drop the first n unwritten bytes (a write took them). */
void msgq_consume(struct msgq *q, size_t n);
/* An empty queue gives back a ring grown past 32 references (one that
 * size or smaller is kept for the next burst). */
void msgq_trim(struct msgq *q);
/* Drop everything queued and free the ring. */
void msgq_clear(struct msgq *q);

/*
 * A run: copies of the first messages of a queue, end to end, so that
 * every client owed the same messages is written from one buffer with
 * one send, as the floor writes, instead of a sendmsg of one iovec per
 * message.  It holds a reference to each message in it, so that a match
 * is by identity and cannot be fooled by a freed and reused address.
 */
#define MSGRUN_MAX 256

struct msgrun {
	struct msg *msgs[MSGRUN_MAX];
	unsigned n;
	char *bytes;
	size_t len, cap;
};

/* Does q owe run's messages first, none of them begun? */
bool msgrun_matches(const struct msgrun *run, const struct msgq *q);
/* Make run q's first messages, as many as fit in max bytes (at most
 * MSGRUN_MAX); returns how many (0 when the first alone is larger). */
unsigned msgrun_fill(struct msgrun *run, const struct msgq *q, size_t max);
/* Drop run's references (its buffer is kept for the next fill). */
void msgrun_forget(struct msgrun *run);
/* Drop its references and its buffer. */
void msgrun_free(struct msgrun *run);

/*
 * Flood control: a token bucket.  Tokens come back at rate per second up
 * to burst.  bucket_take returns 0 and takes cost tokens, or the seconds
 * until there are that many (and takes nothing).
 */
struct bucket {
	double tokens, at;
};

void bucket_init(struct bucket *b, double burst, double now);
double bucket_take(struct bucket *b, double now, double rate, double burst,
		   double cost);

#endif
