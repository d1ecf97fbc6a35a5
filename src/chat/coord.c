/*
 * coord.c - the pure half of notify.h: client kinds, action requests and
 * the server's text for them, claims as lines and as people read them.
 * No I/O, so that the server (room.c, claims.c) and the clients share it
 * without the server depending on the client's code.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/notify.h"

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
	/* Sendable by construction: plain words, and a name sanitised of
	 * every control character (no newline, CR or NUL is left). */
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
		unsigned d = (unsigned)((*s)[i] - '0');

		/* v * 10 + d <= max, checked without overflowing (it refused
		 * max itself: 1000000 zombies, START 2^64 - 1) */
		if ((*s)[i] < '0' || (*s)[i] > '9' || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
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

/* The results pmon reports: "ok", "failed", or an errno's name in lower
 * case ("eperm"): the server takes no other, so that "OK" or "done"
 * cannot pass for a success its check (room.c) never saw. */
static bool known_result(const char *w, size_t n)
{
	char lower[CHAT_ACTION_WORD_MAX + 1];

	if ((n == 2 && memcmp(w, "ok", 2) == 0) ||
	    (n == 6 && memcmp(w, "failed", 6) == 0))
		return true;
	for (int e = 1; e < 4096; e++) {
		const char *name = strerrorname_np(e);
		size_t i;

		if (!name || strlen(name) != n)
			continue;
		for (i = 0; i < n; i++)
			lower[i] = (char)tolower((unsigned char)name[i]);
		if (memcmp(lower, w, n) == 0)
			return true;
	}
	return false;
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
	    !plain_word(w, wl, CHAT_ACTION_WORD_MAX) || !known_result(w, wl))
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
	/* One word, so that a name cannot write the rest of the line
	 * ("sshd: ok; also reaped ..."): its spaces become '_'. */
	for (size_t i = 0; i < comm.len; i++)
		if (comm.data[i] == ' ')
			comm.data[i] = '_';
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

