/*
 * notify.c - client kinds, action requests, claims as clients read them,
 * and the bounded one-shot notifier (notify.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chat/notify.h"
#include "chat/sock.h"

static const char *const kind_words[] = {
	[CHAT_KIND_CHAT] = "chat", [CHAT_KIND_TOP] = "top",
	[CHAT_KIND_WATCH] = "watch", [CHAT_KIND_CMD] = "cmd",
};

const char *chat_kind_word(enum chat_kind k)
{
	return (size_t)k < ARRAY_LEN(kind_words) ? kind_words[k] : "chat";
}

int chat_kind_from_word(const char *w, size_t n)
{
	for (size_t i = 0; i < ARRAY_LEN(kind_words); i++)
		if (strlen(kind_words[i]) == n && memcmp(kind_words[i], w, n) == 0)
			return (int)i;
	return -1;
}

void chat_kind_request(struct buf *b, enum chat_kind k)
{
	buf_printf(b, "/as %s", chat_kind_word(k));
}

/* How many bytes of s to keep so as to keep at most max without cutting
 * a UTF-8 character in two (s has more than max). */
static size_t utf8_cut(const char *s, size_t max)
{
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* ---- action requests ------------------------------------------------------ */

static const char *const verb_words[] = {
	[CHAT_VERB_KILL] = "kill", [CHAT_VERB_TREE] = "tree",
	[CHAT_VERB_REAP] = "reap",
};

/* A word of 1 to max bytes of [A-Za-z0-9_+-]: a signal, a method, a
 * result.  The server applies the same rule (chat_action_parse). */
static bool plain_word(const char *w, size_t n, size_t max)
{
	if (!w || n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = w[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-'))
			return false;
	}
	return true;
}

int chat_action_request(struct buf *b, const struct chat_action *a)
{
	size_t before = b->len;

	if ((size_t)a->verb >= ARRAY_LEN(verb_words) || a->pid <= 0 ||
	    !plain_word(a->detail, a->detail ? strlen(a->detail) : 0,
			CHAT_ACTION_WORD_MAX) ||
	    !plain_word(a->result, a->result ? strlen(a->result) : 0,
			CHAT_ACTION_WORD_MAX))
		return -1;
	buf_printf(b, "/action %s %d %llu %u %s %s", verb_words[a->verb],
		   (int)a->pid, a->start_ticks, a->count, a->detail, a->result);
	if (a->comm && a->comm[0]) {
		/* The server sanitises it again; a newline would end the
		 * request here, so nothing but what is printable goes. */
		buf_putc(b, ' ');
		chat_sanitize(b, a->comm, strnlen(a->comm, CHAT_CLAIM_WHAT_MAX));
	}
	if (!chat_line_sendable(b->data + before, b->len - before)) {
		b->len = before;
		return -1;
	}
	return 0;
}

/* A decimal word into *out (max digits 19); false if not one. */
static bool take_number(const char **s, size_t *n, unsigned long long max,
			unsigned long long *out)
{
	unsigned long long v = 0;
	size_t i = 0;

	while (i < *n && (*s)[i] == ' ')
		i++;
	if (i == *n || (*s)[i] < '0' || (*s)[i] > '9')
		return false;
	for (; i < *n && (*s)[i] != ' '; i++) {
		if ((*s)[i] < '0' || (*s)[i] > '9' || v > (max - 9) / 10)
			return false;
		v = v * 10 + (unsigned)((*s)[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	*s += i;
	*n -= i;
	return true;
}

/* The next word of s (leading spaces skipped), or false. */
static bool take_word(const char **s, size_t *n, const char **w, size_t *wl)
{
	size_t i = 0, j;

	while (i < *n && (*s)[i] == ' ')
		i++;
	j = i;
	while (j < *n && (*s)[j] != ' ')
		j++;
	*w = *s + i;
	*wl = j - i;
	*s += j;
	*n -= j;
	return *wl > 0;
}

/* What is left after a word's spaces. */
static void skip_spaces(const char **s, size_t *n)
{
	while (*n && **s == ' ') {
		(*s)++;
		(*n)--;
	}
}

int chat_action_parse(const char *s, size_t n, struct chat_action_fields *f)
{
	const char *w;
	size_t wl;
	unsigned long long v;

	*f = (struct chat_action_fields){0};
	if (!take_word(&s, &n, &w, &wl))
		return -1;
	f->verb = -1;
	for (size_t i = 0; i < ARRAY_LEN(verb_words); i++)
		if (strlen(verb_words[i]) == wl && memcmp(verb_words[i], w, wl) == 0)
			f->verb = (int)i;
	if (f->verb < 0 || !take_number(&s, &n, 0x7fffffff, &v) || v == 0)
		return -1;
	f->pid = (pid_t)v;
	if (!take_number(&s, &n, ~0ULL, &f->start_ticks) ||
	    !take_number(&s, &n, 1000000, &v))
		return -1;
	f->count = (unsigned)v;
	if (!take_word(&s, &n, &w, &wl) ||
	    !plain_word(w, wl, CHAT_ACTION_WORD_MAX))
		return -1;
	memcpy(f->detail, w, wl);
	if (!take_word(&s, &n, &w, &wl) ||
	    !plain_word(w, wl, CHAT_ACTION_WORD_MAX))
		return -1;
	memcpy(f->result, w, wl);
	skip_spaces(&s, &n);
	f->comm = s;
	f->comm_len = n;
	return 0;
}

void chat_action_text(struct buf *b, const struct chat_action_fields *f)
{
	struct buf comm = {0};

	chat_sanitize(&comm, f->comm, f->comm_len);
	if (comm.len > CHAT_CLAIM_WHAT_MAX)
		comm.len = utf8_cut(comm.data, CHAT_CLAIM_WHAT_MAX);
	switch (f->verb) {
	case CHAT_VERB_KILL:
		buf_printf(b, "sent %s to %d", f->detail, (int)f->pid);
		break;
	case CHAT_VERB_TREE:
		buf_printf(b, "sent %s to the tree of %d", f->detail,
			   (int)f->pid);
		break;
	default:
		buf_printf(b, "reaped %u zombie%s of %d", f->count,
			   f->count == 1 ? "" : "s", (int)f->pid);
		break;
	}
	if (comm.len) {
		buf_putc(b, ' ');
		buf_append(b, comm.data, comm.len);
	}
	if (f->verb == CHAT_VERB_TREE)
		buf_printf(b, " (%u process%s)", f->count,
			   f->count == 1 ? "" : "es");
	if (f->verb == CHAT_VERB_REAP)
		buf_printf(b, " by %s", f->detail);
	buf_printf(b, ": %s", f->result);
	buf_free(&comm);
}

/* ---- claims ------------------------------------------------------------ */

/* Copy sanitised s[0..n) into out (size bytes), cut on a character. */
static void copy_clean(char *out, size_t size, const char *s, size_t n)
{
	struct buf b = {0};
	size_t len;

	chat_sanitize(&b, s, n);
	len = b.len < size - 1 ? b.len : utf8_cut(b.data, size - 1);
	if (len)
		memcpy(out, b.data, len);
	out[len] = '\0';
	buf_free(&b);
}

bool chat_claim_parse(const char *line, size_t n, struct chat_claim *out)
{
	const char *w;
	size_t wl;
	unsigned long long uid, pid, exp;

	*out = (struct chat_claim){0};
	if (!take_word(&line, &n, &w, &wl) || wl != 5 ||
	    memcmp(w, "claim", 5) != 0 ||
	    !take_word(&line, &n, &w, &wl) || !chat_name_valid(w, wl))
		return false;
	memcpy(out->name, w, wl);
	if (!take_number(&line, &n, 0xffffffffULL, &uid) ||
	    !take_number(&line, &n, 0x7fffffff, &pid) ||
	    !take_number(&line, &n, ~0ULL, &out->start_ticks) ||
	    !take_number(&line, &n, 1ULL << 62, &exp) ||
	    !take_word(&line, &n, &w, &wl))
		return false;
	out->uid = (uid_t)uid;
	out->pid = (pid_t)pid;
	out->expires = (long long)exp;
	copy_clean(out->what, sizeof(out->what), w, wl);
	skip_spaces(&line, &n);
	copy_clean(out->reason, sizeof(out->reason), line, n);
	return true;
}

bool chat_claim_covers(const struct chat_claim *c, pid_t pid,
		       unsigned long long start_ticks, const char *comm)
{
	if (c->pid)
		return c->pid == pid && (!c->start_ticks || !start_ticks ||
					 c->start_ticks == start_ticks);
	return comm && c->what[0] && strstr(comm, c->what) != NULL;
}

void chat_claim_target(struct buf *b, const struct chat_claim *c)
{
	if (c->pid) {
		buf_printf(b, "%d", (int)c->pid);
		if (c->what[0] && strcmp(c->what, "-") != 0)
			buf_printf(b, " %s", c->what);
	} else {
		buf_printf(b, "the processes named like '%s'", c->what);
	}
}

void chat_claim_format(struct buf *b, const struct chat_claim *c,
		       long long now)
{
	buf_printf(b, "%s (uid %u) claims ", c->name, (unsigned)c->uid);
	chat_claim_target(b, c);
	if (c->reason[0])
		buf_printf(b, ": %s", c->reason);
	buf_puts(b, " (");
	chat_format_duration(b, c->expires > now ? c->expires - now : 0);
	buf_puts(b, " left)");
}

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

int chat_notifier_join(struct chat_notifier *n, const char *name)
{
	bool refused;

	if (!n->up)
		return -1;
	if (chat_client_join(&n->c, name, budget_deadline(), n->why,
			     &refused) < 0) {
		n->up = refused;
		return -1;
	}
	return 0;
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

int chat_notifier_notice(struct chat_notifier *n, const char *text)
{
	struct buf req = {0};
	int rc;

	buf_puts(&req, "/notice ");
	buf_puts(&req, text);
	rc = post(n, req.data, req.len, "notice");
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
