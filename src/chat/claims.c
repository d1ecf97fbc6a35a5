/*
 * claims.c - the room's claims (claims.h).  A plain array: a room holds
 * a few claims, at most CHAT_CLAIMS_MAX, and each lookup is a scan.
 */
#include <stdlib.h>
#include <string.h>

#include "chat/claims.h"

void claims_free(struct claim_table *t)
{
	free(t->v);
	*t = (struct claim_table){0};
}

static bool same_target(const struct chat_claim *a, const struct chat_claim *b)
{
	return a->pid ? a->pid == b->pid :
	       !b->pid && strcmp(a->what, b->what) == 0;
}

int claims_put(struct claim_table *t, const void *holder,
	       const struct chat_claim *c)
{
	size_t mine = 0;

	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i].holder != holder)
			continue;
		if (same_target(&t->v[i].c, c)) {
			t->v[i].c = *c;
			return 1;
		}
		mine++;
	}
	if (mine >= CHAT_CLAIMS_PER_MEMBER || t->n >= CHAT_CLAIMS_MAX)
		return -1;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	t->v[t->n++] = (struct claim_slot){*c, holder};
	return 0;
}

/* End slot i, keeping the order of the others (the order of /claims). */
static void end_slot(struct claim_table *t, size_t i, const char *why,
		     claim_ended_fn *ended, void *ctx)
{
	struct claim_slot s = t->v[i];

	memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof(*t->v));
	t->n--;
	if (ended)
		ended(ctx, &s.c, s.holder, why);
}

size_t claims_drop(struct claim_table *t, const void *holder, pid_t pid,
		   const char *pattern, const char *why, claim_ended_fn *ended,
		   void *ctx)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n;) {
		const struct chat_claim *c = &t->v[i].c;
		bool match = t->v[i].holder == holder &&
			     (pid > 0 ? c->pid == pid :
			      pattern ? !c->pid && strcmp(c->what, pattern) == 0 :
			      true);

		if (!match) {
			i++;
			continue;
		}
		end_slot(t, i, why, ended, ctx);
		n++;
	}
	return n;
}

size_t claims_expire(struct claim_table *t, long long now,
		     claim_ended_fn *ended, void *ctx)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n;) {
		if (t->v[i].c.expires > now) {
			i++;
			continue;
		}
		end_slot(t, i, "its time ran out", ended, ctx);
		n++;
	}
	return n;
}

long long claims_next_expiry(const struct claim_table *t)
{
	long long first = 0;

	for (size_t i = 0; i < t->n; i++)
		if (!first || t->v[i].c.expires < first)
			first = t->v[i].c.expires;
	return first;
}

const struct chat_claim *claims_other(const struct claim_table *t, uid_t uid,
				      pid_t pid, unsigned long long start,
				      const char *comm)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].c.uid != uid &&
		    chat_claim_covers(&t->v[i].c, pid, start, comm))
			return &t->v[i].c;
	return NULL;
}
