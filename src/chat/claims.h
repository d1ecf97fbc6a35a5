/*
 * claims.h - the room's table of claims ("bob is working on 4242 nginx"):
 * who holds each (the member, an opaque pointer to this table), until
 * when, and the end of each, by release, by its holder leaving, or by its
 * time running out.  Pure bookkeeping on a given clock, so that the
 * time-to-live is unit tested without waiting; room.c drives it.
 */
#ifndef PMON_CHAT_CLAIMS_H
#define PMON_CHAT_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "chat/notify.h"

#define CHAT_CLAIM_TTL 3600        /* seconds a claim lasts unless renewed */
#define CHAT_CLAIMS_PER_MEMBER 16  /* a member's claims at once */
#define CHAT_CLAIMS_MAX 1024       /* the room's */

struct claim_slot {
	struct chat_claim c;
	const void *holder;
};

struct claim_table {
	struct claim_slot *v;
	size_t n, cap;
};

/* Called for each claim that ends, before it is gone. */
typedef void claim_ended_fn(void *ctx, const struct chat_claim *c,
			    const void *holder, const char *why);

void claims_free(struct claim_table *t);

/* Add c for holder, or renew holder's claim on the same target (the same
 * pid, or the same pattern): 0 added, 1 renewed, -1 over a limit. */
int claims_put(struct claim_table *t, const void *holder,
	       const struct chat_claim *c);
/* End holder's claims on pid (pid > 0), on pattern (non-NULL), or all of
 * them (pid 0, pattern NULL); ended is told each, with why.  Returns how
 * many ended. */
size_t claims_drop(struct claim_table *t, const void *holder, pid_t pid,
		   const char *pattern, const char *why, claim_ended_fn *ended,
		   void *ctx);
/* End every claim whose time is up at now (seconds since the epoch). */
size_t claims_expire(struct claim_table *t, long long now,
		     claim_ended_fn *ended, void *ctx);
/* The earliest expiry, or 0 when there are no claims. */
long long claims_next_expiry(const struct claim_table *t);
/* The first claim covering the process (chat_claim_covers) held by an
 * account other than uid, or NULL. */
const struct chat_claim *claims_other(const struct claim_table *t, uid_t uid,
				      pid_t pid, unsigned long long start,
				      const char *comm);

#endif
