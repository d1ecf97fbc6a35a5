/*
 * resolve.h - account lookups for the room, kept out of its event loop.
 *
 * getpwuid, getpwnam and getgrouplist go through NSS, which under LDAP or
 * sssd can block for seconds; one such call in the loop would freeze the
 * room for everyone.  So the loop only ever reads a cache, and a helper
 * thread fills it: a lookup that misses is queued for the thread and
 * answered "pending"; the thread makes the calls (the _r variants) and
 * writes to an eventfd, on which the loop retries whatever waited.  This
 * was chosen over "show the uid until resolved" because the room needs
 * the answers before it acts: a login name is the default name and what
 * /who shows, group membership decides who enters, and a name may not
 * be another account's login.  Answers are kept CACHE_TTL seconds; the
 * accounts of root and the server's owner are looked up before the loop
 * starts and kept for good, so that they never wait.
 */
#ifndef PMON_CHAT_RESOLVE_H
#define PMON_CHAT_RESOLVE_H

#include <stdbool.h>
#include <sys/types.h>

#include "chat/proto.h"

struct resolver;

/* What the room needs to know of an account. */
struct account {
	char login[CHAT_NAME_MAX + 1]; /* "uidN" when it has none */
	bool in_group;                 /* among the account's groups */
};

/* Who has a login name: the uid of the name as given and of its lower
 * case form (logins usually are), each -1 for nobody. */
struct name_owner {
	long exact, lower;
};

enum resolve_state { RESOLVE_DONE, RESOLVE_PENDING };

/* Start the helper thread (call with the signals the loop takes blocked,
 * so that it never gets them).  group: the group whose membership
 * accounts are asked about, if has_group.  NULL with errno on failure. */
struct resolver *resolver_new(bool has_group, gid_t group);
/* Stop the thread (one stuck in a lookup is left to finish on its own). */
void resolver_free(struct resolver *r);
/* Readable when answers have come; then call resolver_drain. */
int resolver_fd(const struct resolver *r);
void resolver_drain(struct resolver *r);

/* Look uid up now, in this thread, and keep the answer for good: for
 * accounts that must never wait (before the loop runs). */
void resolver_pin(struct resolver *r, uid_t uid, struct account *out);
/* From the cache, or RESOLVE_PENDING (the thread has been asked). */
enum resolve_state resolver_account(struct resolver *r, uid_t uid,
				    struct account *out);
enum resolve_state resolver_name(struct resolver *r, const char *name,
				 struct name_owner *out);

#endif
