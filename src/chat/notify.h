/*
 * notify.h - what pmon's other commands tell the room and ask it, never
 * waiting on it for more than a bounded time: the action events of the
 * audit trail (kill, reap), the claims on processes, the kind of client
 * a connection is (shown in /who), and the announcements of watches.
 *
 * Used by:
 *   - pmon kill and pmon reap (src/cmd/cmd_kill.c, cmd_reap.c): fetch the
 *     claims before acting, post one action event after (the notifier);
 *   - pmon top and pmon watch: their room session (session.h) sends the
 *     request lines made here (chat_kind_request, chat_action_request,
 *     "/claim", "/release", "/notice"); top reads "claim" lines
 *     (chat_claim_parse) for its marker column.
 *
 * Nothing here ever starts a server, and nothing here joins the room
 * (no join or leave line for a one-shot notifier): a notifier is a
 * connection let in by the server (hello), which may post actions,
 * notices and fetch claims without a name.  If no room runs (no socket,
 * nobody listening) every call returns -1 at once; if the room is
 * stalled, each call gives up after its budget.  The caller goes on
 * either way: the room is told, it is never asked for permission.
 *
 * The pure parts (kinds, action texts, claim lines) are in coord.c, which
 * the server shares; the notifier, which connects, in notify.c.
 *
 * The wire forms (requests and the server's lines) are described in
 * pmon(1), section THE CHAT PROTOCOL (man/pmon.1).
 */
#ifndef PMON_CHAT_NOTIFY_H
#define PMON_CHAT_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "chat/client.h"
#include "chat/proto.h"
#include "util/util.h"

/* The most one notifier call waits for the room (connecting and the
 * hello included): long enough for a loaded box's server to answer,
 * short enough that nobody notices a stalled one. */
#define CHAT_NOTIFY_BUDGET_MS 200

/* What a client runs pmon as, announced with "/as KIND" and shown in
 * /who.  A connection that announces nothing is a "chat". */
enum chat_kind {
	CHAT_KIND_CHAT,
	CHAT_KIND_TOP,
	CHAT_KIND_WATCH,
	CHAT_KIND_CMD, /* a one-shot command: pmon kill, pmon reap */
};
/* "chat", "top", "watch", "cmd". */
const char *chat_kind_word(enum chat_kind k);
/* The kind of a word, or -1. */
int chat_kind_from_word(const char *w, size_t n);
/* The request announcing k: "/as top" (no newline). */
void chat_kind_request(struct buf *b, enum chat_kind k);

/* ---- action events ------------------------------------------------------ */

enum chat_verb {
	CHAT_VERB_KILL, /* a signal to one process */
	CHAT_VERB_TREE, /* a signal to a frozen subtree (pmon kill --tree) */
	CHAT_VERB_REAP, /* zombies of one parent reaped */
};

/* An action done on a process, as its doer reports it.  The server
 * checks every field, formats the event itself and attributes it to the
 * connection's account (SO_PEERCRED): a client cannot make it say
 * anything but "this uid reports that it did this". */
struct chat_action {
	enum chat_verb verb;
	pid_t pid;                      /* the process; a tree's root; the
					   zombies' parent */
	unsigned long long start_ticks; /* its identity (0: not known) */
	const char *comm;               /* its name as pmon saw it, or NULL */
	const char *detail;             /* kill, tree: the signal ("TERM");
					   reap: the method ("inject") */
	unsigned count;                 /* tree: members signalled; reap:
					   zombies reaped; kill: 1 */
	const char *result;             /* one word: "ok", or what went
					   wrong ("failed", "eperm", ...) */
};

/* The longest signal, method or result word of an action. */
#define CHAT_ACTION_WORD_MAX 24

/* The request line for a, without the newline:
 * "/action VERB PID START COUNT DETAIL RESULT [COMM]".  -1 (nothing
 * appended) when a field would not pass the server's checks. */
int chat_action_request(struct buf *b, const struct chat_action *a);

/* An action request's fields as the server takes them (its text, after
 * "/action "): the words checked, comm as sent (sanitised when shown). */
struct chat_action_fields {
	int verb;                       /* enum chat_verb */
	pid_t pid;
	unsigned long long start_ticks;
	unsigned count;
	char detail[CHAT_ACTION_WORD_MAX + 1];
	char result[CHAT_ACTION_WORD_MAX + 1];
	const char *comm;
	size_t comm_len;
};
/* 0, or -1 when a field is missing or not what it must be. */
int chat_action_parse(const char *s, size_t n, struct chat_action_fields *f);
/* The event's text the server writes for it: "sent TERM to 4242 nginx:
 * ok", "reaped 3 zombies of 1777 worker by inject: ok" (comm sanitised
 * and cut to CHAT_CLAIM_WHAT_MAX bytes). */
void chat_action_text(struct buf *b, const struct chat_action_fields *f);

/* ---- claims --------------------------------------------------------------- */

#define CHAT_CLAIM_WHAT_MAX 64    /* a pattern, or a process's name */
#define CHAT_CLAIM_PATTERN_MIN 3  /* "s" would cover nearly every process */
#define CHAT_CLAIM_REASON_MAX 200

/* A claim as "/claims" lists it ("claim ..." lines, pmon(1)). */
struct chat_claim {
	char name[CHAT_NAME_MAX + 1];   /* who claims, as named in the room */
	uid_t uid;                      /* their account (SO_PEERCRED) */
	pid_t pid;                      /* 0: a pattern claim */
	unsigned long long start_ticks; /* the process's identity (0: any) */
	char what[CHAT_CLAIM_WHAT_MAX + 1];     /* the pattern, or the
						   process's name */
	char reason[CHAT_CLAIM_REASON_MAX + 1]; /* may be "" */
	long long expires;              /* seconds since the epoch */
};

/* Parse one server line "claim NAME UID PID START EXPIRES WHAT [REASON]"
 * (sanitised into out); false if it is not one. */
bool chat_claim_parse(const char *line, size_t n, struct chat_claim *out);
/* Does c cover the process pid (start_ticks, 0: not known; comm may be
 * NULL)?  A pid claim: the same pid, and the same start time when both
 * are known; a pattern claim: comm contains the pattern. */
bool chat_claim_covers(const struct chat_claim *c, pid_t pid,
		       unsigned long long start_ticks, const char *comm);

/* "4242 nginx", or "the processes named like 'nginx'", for messages. */
void chat_claim_target(struct buf *b, const struct chat_claim *c);

/* "bob (uid 1002) claims 4242 nginx: restarting (59m left)", at now
 * (seconds since the epoch); c's strings are sanitised already. */
void chat_claim_format(struct buf *b, const struct chat_claim *c,
		       long long now);

/* ---- the notifier: one bounded connection for a one-shot command --------- */

struct chat_notifier {
	struct chat_client c;
	enum chat_kind kind;
	bool up;                   /* a room answered */
	char why[CHAT_WHY_MAX];    /* why not, for --verbose callers */
	struct chat_claim *claims; /* after chat_notifier_claims */
	size_t nclaims;
};

/*
 * Connect to the room pmon chat would join (sock: -S, or NULL for
 * $PMON_CHAT_SOCKET, the system room, the personal room), check it is
 * run by root or us, read its hello and announce kind, all within
 * CHAT_NOTIFY_BUDGET_MS.  Never starts a server.  0 when a room
 * answered, else -1 (n->why says why; later calls return -1 at once).
 */
int chat_notifier_open(struct chat_notifier *n, const char *sock,
		       enum chat_kind kind);
/* Fetch the current claims into n->claims, within the budget.  0, or
 * -1 (then n->nclaims is 0). */
int chat_notifier_claims(struct chat_notifier *n);
/* The first fetched claim covering the process that is not held by
 * this account (getuid()), or NULL. */
const struct chat_claim *chat_notifier_claimed(const struct chat_notifier *n,
					       pid_t pid,
					       unsigned long long start_ticks,
					       const char *comm);
/* Post an action event and wait for the server's "ok action", within the
 * budget (reconnecting once if the connection went away meanwhile, as it
 * may while a user answered a question).  0, or -1. */
int chat_notifier_action(struct chat_notifier *n, const struct chat_action *a);
void chat_notifier_close(struct chat_notifier *n);

#endif
