/*
 * queue.c - messages, output queues and the token bucket (queue.h).
 */
#include <stdlib.h>
#include <string.h>

#include "chat/queue.h"
#include "util/util.h"

/* The first ring: 8 references (64 bytes), enough for a calm room. */
#define RING_FIRST 8
/* An emptied ring is kept up to 32 references (256 bytes): freeing it
 * after every flush made each burst grow it again (8, 16, 32), and that
 * malloc and free per client per wakeup was 6% of the server's CPU at
 * 1,000 clients and bursts of 32 (perf).  Larger rings, grown by a
 * reader that fell behind, are still given back. */
#define RING_KEEP 32

/* Rings are a power of two long, so a slot is an index masked. */
static unsigned slot(const struct msgq *q, unsigned i)
{
	return (q->head + i) & (q->cap - 1);
}

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

/* Double the ring, unwrapping it so that head is 0 again. */
static void grow(struct msgq *q)
{
	unsigned ncap = q->cap ? q->cap * 2 : RING_FIRST;
	struct msg **nring = xreallocarray(NULL, ncap, sizeof(*nring));

	for (unsigned i = 0; i < q->count; i++)
		nring[i] = q->ring[slot(q, i)];
	free(q->ring);
	q->ring = nring;
	q->cap = ncap;
	q->head = 0;
}

bool msgq_push(struct msgq *q, struct msg *m, size_t cap)
{
	if (q->bytes + m->len > cap)
		return false;
	if (q->count == q->cap)
		grow(q);
	q->ring[slot(q, q->count)] = m;
	q->count++;
	q->bytes += m->len;
	m->refs++;
	return true;
}

unsigned msgq_iov(const struct msgq *q, struct iovec *iov, unsigned max,
		  size_t *total)
{
	unsigned i;

	*total = 0;
	for (i = 0; i < q->count && i < max; i++) {
		struct msg *m = q->ring[slot(q, i)];
		unsigned off = i == 0 ? q->off : 0;

		iov[i].iov_base = m->data + off;
		iov[i].iov_len = m->len - off;
		*total += m->len - off;
	}
	return i;
}

void msgq_consume(struct msgq *q, size_t n)
{
	while (n > 0 && q->count) {
		struct msg *m = q->ring[q->head];
		size_t left = m->len - q->off;

		if (n < left) {
			q->off += (unsigned)n;
			q->bytes -= n;
			return;
		}
		n -= left;
		q->bytes -= left;
		q->off = 0;
		msg_unref(m);
		q->head = slot(q, 1);
		q->count--;
	}
}

void msgq_trim(struct msgq *q)
{
	if (q->count)
		return;
	q->head = 0;
	if (q->cap > RING_KEEP) {
		free(q->ring);
		q->ring = NULL;
		q->cap = 0;
	}
}

void msgq_clear(struct msgq *q)
{
	while (q->count) {
		msg_unref(q->ring[q->head]);
		q->head = slot(q, 1);
		q->count--;
	}
	free(q->ring);
	*q = (struct msgq){0};
}

bool msgrun_matches(const struct msgrun *run, const struct msgq *q)
{
	if (run->n == 0 || q->off != 0 || q->count < run->n)
		return false;
	for (unsigned i = 0; i < run->n; i++)
		if (q->ring[slot(q, i)] != run->msgs[i])
			return false;
	return true;
}

void msgrun_forget(struct msgrun *run)
{
	for (unsigned i = 0; i < run->n; i++)
		msg_unref(run->msgs[i]);
	run->n = 0;
	run->len = 0;
}

unsigned msgrun_fill(struct msgrun *run, const struct msgq *q, size_t max)
{
	size_t len = 0;
	unsigned n = 0;

	msgrun_forget(run);
	while (n < q->count && n < MSGRUN_MAX &&
	       len + q->ring[slot(q, n)]->len <= max)
		len += q->ring[slot(q, n++)]->len;
	if (len > run->cap) {
		free(run->bytes);
		run->bytes = xmalloc(len);
		run->cap = len;
	}
	for (unsigned i = 0; i < n; i++) {
		struct msg *m = q->ring[slot(q, i)];

		memcpy(run->bytes + run->len, m->data, m->len);
		run->len += m->len;
		m->refs++;
		run->msgs[i] = m;
	}
	run->n = n;
	return n;
}

void msgrun_free(struct msgrun *run)
{
	msgrun_forget(run);
	free(run->bytes);
	run->bytes = NULL;
	run->cap = 0;
}

void bucket_init(struct bucket *b, double burst, double now)
{
	b->tokens = burst;
	b->at = now;
}

double bucket_take(struct bucket *b, double now, double rate, double burst,
		   double cost)
{
	b->tokens += (now - b->at) * rate;
	if (b->tokens > burst)
		b->tokens = burst;
	b->at = now;
	if (b->tokens >= cost) {
		b->tokens -= cost;
		return 0;
	}
	return (cost - b->tokens) / rate;
}
