/*
 * notify.c - the bounded one-shot notifier (notify.h): a connection to
 * the room for a command that acts on processes, which never waits on the
 * room for more than CHAT_NOTIFY_BUDGET_MS a step.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chat/notify.h"
#include "chat/sock.h"

/* ---- the notifier ------------------------------------------------------- */

static double budget_deadline(void)
{
	return mono_now() + CHAT_NOTIFY_BUDGET_MS / 1000.0;
}

/* Connect and announce the kind, by deadline. */
static int notifier_connect(struct chat_notifier *n, double deadline)
{
	struct buf req = {0};

	n->up = false;
	if (chat_client_connect(&n->c, deadline, n->why) < 0)
		return -1;
	chat_kind_request(&req, n->kind);
	if (chat_client_send(&n->c, req.data, req.len) < 0) {
		snprintf(n->why, sizeof(n->why), "the room went away");
		buf_free(&req);
		return -1;
	}
	buf_free(&req);
	n->up = true;
	return 0;
}

int chat_notifier_open(struct chat_notifier *n, const char *sock,
		       enum chat_kind kind)
{
	const char *path = chat_socket_path(sock);

	*n = (struct chat_notifier){.kind = kind};
	chat_client_init(&n->c, path, false);
	if (chat_check_path(path, n->why) < 0)
		return -1;
	return notifier_connect(n, budget_deadline());
}

/* Wait for "ok WORD" (or an error about it) by deadline, handing every
 * other line to each (NULL: skipped).  0 on ok, -1 otherwise. */
static int await_ok(struct chat_notifier *n, const char *word,
		    double deadline,
		    void (*each)(struct chat_notifier *, const struct chat_line *))
{
	struct chat_line l;
	struct chat_ev ev;

	while (chat_client_wait_line(&n->c, &l, deadline) == 0) {
		chat_parse_event(l.text, l.len, &ev);
		if (ev.kind == EV_OK && chat_ev_word_is(&ev, word))
			return 0;
		if (ev.kind == EV_ERROR) {
			struct buf t = {0};

			chat_sanitize(&t, ev.text, ev.text_len);
			snprintf(n->why, sizeof(n->why), "the room said: %s",
				 t.data ? t.data : "");
			buf_free(&t);
			return -1;
		}
		if (each)
			each(n, &l);
	}
	snprintf(n->why, sizeof(n->why), "the room on %s did not answer"
		 " within %d ms", n->c.path, CHAT_NOTIFY_BUDGET_MS);
	n->up = false;
	return -1;
}

static void take_claim(struct chat_notifier *n, const struct chat_line *l)
{
	struct chat_claim c;

	if (!chat_claim_parse(l->text, l->len, &c) || n->nclaims >= 4096)
		return;
	n->claims = xreallocarray(n->claims, n->nclaims + 1,
				  sizeof(*n->claims));
	n->claims[n->nclaims++] = c;
}

int chat_notifier_claims(struct chat_notifier *n)
{
	n->nclaims = 0;
	if (!n->up || chat_client_send(&n->c, "/claims", 7) < 0)
		return -1;
	if (await_ok(n, "claims", budget_deadline(), take_claim) < 0) {
		n->nclaims = 0;
		return -1;
	}
	return 0;
}

const struct chat_claim *chat_notifier_claimed(const struct chat_notifier *n,
					       pid_t pid,
					       unsigned long long start_ticks,
					       const char *comm)
{
	for (size_t i = 0; i < n->nclaims; i++)
		if (n->claims[i].uid != getuid() &&
		    chat_claim_covers(&n->claims[i], pid, start_ticks, comm))
			return &n->claims[i];
	return NULL;
}

/* Send line and wait for "ok word", by one deadline; once more on a new
 * connection if the old one is gone (the server puts out a connection
 * that gave no name within its deadline: a user may have been answering
 * a question meanwhile). */
static int post(struct chat_notifier *n, const char *line, size_t len,
		const char *word)
{
	double deadline = budget_deadline();

	if (!n->up)
		return -1;
	for (int attempt = 0; attempt < 2; attempt++) {
		bool sent = chat_client_send(&n->c, line, len) == 0 &&
			    chat_client_flush(&n->c) == 0;

		if (sent && await_ok(n, word, deadline, NULL) == 0)
			return 0;
		if ((sent && n->up) || attempt == 1 ||
		    notifier_connect(n, deadline) < 0)
			break; /* refused, or no room to go back to */
	}
	return -1;
}

int chat_notifier_action(struct chat_notifier *n, const struct chat_action *a)
{
	struct buf req = {0};
	int rc = -1;

	if (chat_action_request(&req, a) == 0)
		rc = post(n, req.data, req.len, "action");
	buf_free(&req);
	return rc;
}

void chat_notifier_close(struct chat_notifier *n)
{
	if (n->c.fd >= 0) {
		(void)chat_client_send(&n->c, "/quit", 5);
		(void)chat_client_flush(&n->c);
	}
	chat_client_close(&n->c);
	free(n->claims);
	n->claims = NULL;
	n->nclaims = 0;
	n->up = false;
}
