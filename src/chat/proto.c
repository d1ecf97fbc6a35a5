/*
 * proto.c - pmon-chat/1 lines: framing, requests, events, safe text.
 * Pure functions only (see proto.h); the server and the client share them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "chat/proto.h"
#include "view/escape.h"

size_t chat_next_line(const char *buf, size_t len, bool *discarding,
		      struct chat_line *out)
{
	return chat_next_line_max(buf, len, CHAT_LINE_MAX, discarding, out);
}

size_t chat_next_line_max(const char *buf, size_t len, size_t max,
			  bool *discarding, struct chat_line *out)
{
	const char *nl;
	size_t n;

	*out = (struct chat_line){.kind = CHAT_LINE_NONE};
	if (len == 0)
		return 0;
	nl = memchr(buf, '\n', len);
	if (*discarding) {
		/* The tail of a refused line: drop it up to its newline. */
		if (!nl)
			return len;
		*discarding = false;
		return (size_t)(nl - buf) + 1;
	}
	if (!nl) {
		if (len <= max)
			return 0;
		/* Over the limit with no end in sight: refuse it now, and
		 * swallow the rest as it arrives. */
		out->kind = CHAT_LINE_TOOLONG;
		*discarding = true;
		return len;
	}
	n = (size_t)(nl - buf);
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (n > max) {
		out->kind = CHAT_LINE_TOOLONG;
		return (size_t)(nl - buf) + 1;
	}
	out->kind = CHAT_LINE_OK;
	out->text = buf;
	out->len = n;
	return (size_t)(nl - buf) + 1;
}

/* Split "WORD rest": the word up to a space, then the rest after any
 * spaces.  Returns false if there is no word. */
static bool split_word(const char *s, size_t n, const char **word,
		       size_t *wlen, const char **rest, size_t *rlen)
{
	size_t i = 0, j;

	while (i < n && s[i] == ' ')
		i++;
	j = i;
	while (j < n && s[j] != ' ')
		j++;
	*word = s + i;
	*wlen = j - i;
	while (j < n && s[j] == ' ')
		j++;
	*rest = s + j;
	*rlen = n - j;
	return *wlen > 0;
}

/* The usage of each kind of arguments, after the word. */
#define CHAT_USAGE_NONE ""
#define CHAT_USAGE_TEXT " TEXT"
#define CHAT_USAGE_REASON " [REASON]"
#define CHAT_USAGE_NAME " NAME"
#define CHAT_USAGE_NAME_TEXT " NAME TEXT"
#define CHAT_USAGE_NAME_REASON " NAME [REASON]"
#define CHAT_USAGE_KIND " chat|top|watch|cmd"
#define CHAT_USAGE_PID " PID"
#define CHAT_USAGE_PATTERN " PATTERN"
#define CHAT_USAGE_TARGET_REASON " PID|PATTERN [REASON]"
#define CHAT_USAGE_OPT_TARGET " [PID|PATTERN]"
#define CHAT_USAGE_ACTION " VERB PID START COUNT DETAIL RESULT [COMM]"

static const struct chat_command commands[] = {
#define CHAT_COMMAND_ROW(id, word, args, admin, named, fn, help)             \
	[REQ_##id] = {word, "/" word CHAT_USAGE_##args, help, CHAT_ARGS_##args, \
		      admin, named},
	CHAT_REQUESTS(CHAT_COMMAND_ROW)
#undef CHAT_COMMAND_ROW
};

const struct chat_command *chat_command_of(enum chat_req_kind kind)
{
	if ((size_t)kind >= ARRAY_LEN(commands) || !commands[kind].word)
		return NULL;
	return &commands[kind];
}

const char *chat_command_usage(enum chat_req_kind kind)
{
	const struct chat_command *cmd = chat_command_of(kind);

	return cmd ? cmd->usage : NULL;
}

/* Fill in the arguments of a command; false when some are missing. */
static bool parse_args(enum chat_args args, const char *s, size_t n,
		       struct chat_req *req)
{
	switch (args) {
	case CHAT_ARGS_NONE:
		return true;
	case CHAT_ARGS_TEXT:
	case CHAT_ARGS_ACTION:
	case CHAT_ARGS_REASON:
		req->text = s;
		req->text_len = n;
		return n > 0 || args == CHAT_ARGS_REASON;
	case CHAT_ARGS_OPT_TARGET:
		if (!split_word(s, n, &req->name, &req->name_len, &req->text,
				&req->text_len))
			return true;
		return req->text_len == 0;
	case CHAT_ARGS_NAME:
	case CHAT_ARGS_KIND:
	case CHAT_ARGS_PID:
	case CHAT_ARGS_PATTERN:
	case CHAT_ARGS_NAME_TEXT:
	case CHAT_ARGS_NAME_REASON:
	case CHAT_ARGS_TARGET_REASON:
		/* The word is in name (a name, a kind, a PID or a pattern:
		 * each handler checks its own). */
		if (!split_word(s, n, &req->name, &req->name_len, &req->text,
				&req->text_len))
			return false;
		if (args == CHAT_ARGS_NAME_TEXT)
			return req->text_len > 0;
		return req->text_len == 0 || args == CHAT_ARGS_NAME_REASON ||
		       args == CHAT_ARGS_TARGET_REASON;
	}
	return false;
}

void chat_parse_request(const char *line, size_t len, struct chat_req *req)
{
	const char *args;
	size_t alen;

	*req = (struct chat_req){.kind = REQ_EMPTY, .text = line};
	if (len == 0)
		return;
	if (line[0] != '/' || (len >= 2 && line[1] == '/')) {
		/* Text; "//x" is the message "/x". */
		size_t skip = line[0] == '/' ? 1 : 0;

		req->kind = REQ_TEXT;
		req->text = line + skip;
		req->text_len = len - skip;
		return;
	}
	split_word(line + 1, len - 1, &req->word, &req->word_len, &args,
		   &alen);
	if (req->word != line + 1) {
		/* "/ x": a slash then a space is not a command word. */
		req->word_len = 0;
	}
	req->kind = REQ_UNKNOWN;
	for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
		const struct chat_command *cmd = &commands[i];

		if (!cmd->word || strlen(cmd->word) != req->word_len ||
		    strncasecmp(cmd->word, req->word, req->word_len) != 0)
			continue;
		req->command = (enum chat_req_kind)i;
		req->kind = req->command;
		if (!parse_args(cmd->args, args, alen, req)) {
			req->kind = REQ_USAGE;
			req->name_len = req->text_len = 0;
		}
		return;
	}
}

bool chat_request_quits(const char *line, size_t len)
{
	struct chat_req req;

	chat_parse_request(line, len, &req);
	return req.kind == REQ_QUIT;
}

bool chat_name_valid(const char *s, size_t n)
{
	if (n == 0 || n > CHAT_NAME_MAX)
		return false;
	if (!isalnum((unsigned char)s[0]) && s[0] != '_')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80 || (!isalnum(c) && c != '_' && c != '-' &&
				  c != '.'))
			return false;
	}
	return true;
}

bool chat_name_equal(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && strncasecmp(a, b, an) == 0;
}

void chat_sanitize(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	buf_reserve(b, n);
	while (i < n) {
		uint32_t cp;
		size_t len;

		if (p[i] >= 0x20 && p[i] < 0x7f) {
			size_t run = i;

			while (run < n && p[run] >= 0x20 && p[run] < 0x7f)
				run++;
			buf_append(b, p + i, run - i);
			i = run;
			continue;
		}
		/* A control sequence goes whole: dropping only its ESC (or
		 * C1 code) would leave "[2J" on everyone's screen. */
		len = esc_sequence_len(s + i, n - i, true);
		if (len) {
			i += len;
			continue;
		}
		len = utf8_decode(p + i, n - i, &cp);
		if (len == 0) {
			buf_append(b, "\xef\xbf\xbd", 3); /* U+FFFD */
			i++;
			continue;
		}
		if (cp == '\t')
			buf_putc(b, ' ');
		else if (!codepoint_is_unsafe(cp))
			buf_append(b, p + i, len);
		i += len;
	}
}

/* Parse the decimal time of an event line; false if it is not one. */
static bool parse_time(const char *s, size_t n, long long *out)
{
	long long v = 0;

	if (n == 0 || n > 18)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool word_is(const char *w, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(w, lit, n) == 0;
}

static const struct {
	const char *word;
	enum chat_ev_kind kind;
	bool has_name; /* a NAME word before the text */
	bool has_uid;  /* then a UID word */
} event_kinds[] = {
	{"join", EV_JOIN, true, false},   {"leave", EV_LEAVE, true, false},
	{"msg", EV_MSG, true, false},     {"me", EV_ME, true, false},
	{"announce", EV_ANNOUNCE, false, false},
	{"private", EV_PRIVATE, true, false},
	{"rename", EV_RENAME, true, false},
	{"shutdown", EV_SHUTDOWN, false, false},
	{"action", EV_ACTION, true, true}, {"claim", EV_CLAIM, true, true},
	{"notice", EV_NOTICE, true, true}, {"view", EV_VIEW, true, true},
	{"viewrow", EV_VIEWROW, false, false},
};

/* A decimal number word (a uid, a pid, seconds); false if not one. */
static bool number_word(const char **rest, size_t *rl, long long *out)
{
	const char *w;
	size_t wl;

	return split_word(*rest, *rl, &w, &wl, rest, rl) &&
	       parse_time(w, wl, out);
}

static void parse_event_body(const char *s, size_t n, struct chat_ev *ev)
{
	const char *w, *rest;
	size_t wl, rl;

	if (!split_word(s, n, &w, &wl, &rest, &rl) ||
	    !parse_time(w, wl, &ev->time))
		return;
	if (!split_word(rest, rl, &w, &wl, &rest, &rl))
		return;
	for (size_t i = 0; i < ARRAY_LEN(event_kinds); i++) {
		if (!word_is(w, wl, event_kinds[i].word))
			continue;
		/* A name the server would never give is no event: the
		 * client's half of keeping a mark like "[action]" the
		 * server's alone. */
		if (event_kinds[i].has_name &&
		    (!split_word(rest, rl, &ev->name, &ev->name_len, &rest, &rl) ||
		     !chat_name_valid(ev->name, ev->name_len)))
			return;
		if (event_kinds[i].has_uid && !number_word(&rest, &rl, &ev->uid))
			return;
		ev->text = rest;
		ev->text_len = rl;
		ev->kind = event_kinds[i].kind;
		return;
	}
}

/* "who NAME LOGIN [UID KIND TTY IDLE]" after its word. */
static void parse_who(const char *s, size_t n, struct chat_ev *ev)
{
	const char *rest;
	size_t rl;

	ev->kind = EV_WHO;
	if (!split_word(s, n, &ev->name, &ev->name_len, &rest, &rl) ||
	    !split_word(rest, rl, &ev->text, &ev->text_len, &rest, &rl))
		return;
	if (!number_word(&rest, &rl, &ev->uid) ||
	    !split_word(rest, rl, &ev->as, &ev->as_len, &rest, &rl) ||
	    !split_word(rest, rl, &ev->tty, &ev->tty_len, &rest, &rl) ||
	    !number_word(&rest, &rl, &ev->idle))
		ev->as_len = 0; /* an older server's: NAME LOGIN */
}

void chat_parse_event(const char *line, size_t len, struct chat_ev *ev)
{
	const char *w, *rest;
	size_t wl, rl;

	*ev = (struct chat_ev){.kind = EV_UNKNOWN, .text = "", .name = "",
			       .word = ""};
	if (!split_word(line, len, &w, &wl, &rest, &rl))
		return;
	if (word_is(w, wl, "history")) {
		ev->history = true;
		if (!split_word(rest, rl, &w, &wl, &rest, &rl))
			return;
	}
	if (word_is(w, wl, "event")) {
		parse_event_body(rest, rl, ev);
		return;
	}
	if (ev->history)
		return;
	if (word_is(w, wl, "hello")) {
		const char *v;
		size_t vl;
		long ver;
		char num[8];

		if (!split_word(rest, rl, &w, &wl, &rest, &rl) ||
		    !word_is(w, wl, CHAT_PROTO_NAME) ||
		    !split_word(rest, rl, &v, &vl, &rest, &rl) ||
		    vl >= sizeof(num))
			return;
		memcpy(num, v, vl);
		num[vl] = '\0';
		if (parse_long(num, 0, 1000000, &ver) < 0)
			return;
		ev->kind = EV_HELLO;
		ev->version = ver;
		ev->text = rest; /* the room */
		ev->text_len = rl;
	} else if (word_is(w, wl, "ok") || word_is(w, wl, "error")) {
		ev->kind = w[0] == 'o' ? EV_OK : EV_ERROR;
		split_word(rest, rl, &ev->word, &ev->word_len, &ev->text,
			   &ev->text_len);
	} else if (word_is(w, wl, "who")) {
		parse_who(rest, rl, ev);
	} else if (word_is(w, wl, "claim")) {
		ev->kind = EV_CLAIMLINE;
		ev->text = rest; /* chat_claim_parse (notify.c) reads it */
		ev->text_len = rl;
	} else if (word_is(w, wl, "help")) {
		ev->kind = EV_HELP;
		ev->text = rest;
		ev->text_len = rl;
	}
}

bool chat_ev_word_is(const struct chat_ev *ev, const char *word)
{
	size_t n = strlen(word);

	return (ev->kind == EV_OK || ev->kind == EV_ERROR) &&
	       ev->word_len == n && memcmp(ev->word, word, n) == 0;
}

/* The room's own lines (who came, who left, who is here) begin with a
 * mark in brackets, as every line the server writes does: a member's
 * line begins with its name, which cannot hold '[', so no message or
 * /me can pass for one.  With "* NAME joined the room", `/me left the
 * room` or `/me (login root, uid 0) chat, idle 1s` could. */
#define ROOM_MARK "[room] "
#define ROOM_MARK_WHO "[who] "

/* "[who] NAME (login LOGIN, uid UID) KIND on TTY, idle 5m". */
static void format_who(const struct chat_ev *ev, struct buf *out)
{
	buf_puts(out, ROOM_MARK_WHO);
	chat_sanitize(out, ev->name, ev->name_len);
	buf_puts(out, " (login ");
	chat_sanitize(out, ev->text, ev->text_len);
	if (!ev->as_len) {
		buf_putc(out, ')');
		return;
	}
	buf_printf(out, ", uid %lld) ", ev->uid);
	chat_sanitize(out, ev->as, ev->as_len);
	if (!(ev->tty_len == 1 && ev->tty[0] == '-')) {
		buf_puts(out, " on ");
		chat_sanitize(out, ev->tty, ev->tty_len);
	}
	buf_puts(out, ", idle ");
	chat_format_duration(out, ev->idle);
}

void chat_format_duration(struct buf *out, long long s)
{
	if (s < 60)
		buf_printf(out, "%llds", s);
	else if (s < 3600)
		buf_printf(out, "%lldm", s / 60);
	else if (s < 86400)
		buf_printf(out, "%lldh%02lldm", s / 3600, s / 60 % 60);
	else
		buf_printf(out, "%lldd%02lldh", s / 86400, s / 3600 % 24);
}

/* The events the server attributes to an account: a mark no other line
 * can begin with, the name, the account, the server's text. */
static void format_attributed(const struct chat_ev *ev, struct buf *out)
{
	static const char *const marks[] = {
		[EV_ACTION] = "[action] ", [EV_CLAIM] = "[claim] ",
		[EV_NOTICE] = "[watch] ", [EV_VIEW] = "[view] ",
	};

	buf_puts(out, marks[ev->kind]);
	chat_sanitize(out, ev->name, ev->name_len);
	buf_printf(out, " (uid %lld) ", ev->uid);
	chat_sanitize(out, ev->text, ev->text_len);
}

bool chat_format_plain(const struct chat_ev *ev, struct buf *out)
{
	if (ev->kind == EV_WHO) {
		format_who(ev, out);
		return true;
	}
	if (ev->kind < EV_JOIN || ev->kind == EV_CLAIMLINE)
		return false;
	if (ev->history) {
		time_t t = (time_t)ev->time;
		struct tm tm;
		char stamp[32] = "";

		if (localtime_r(&t, &tm))
			strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M", &tm);
		buf_printf(out, "[history %s] ", stamp);
	}
	switch (ev->kind) {
	case EV_JOIN:
		buf_puts(out, ROOM_MARK);
		chat_sanitize(out, ev->name, ev->name_len);
		buf_puts(out, " joined the room");
		return true;
	case EV_LEAVE:
		buf_puts(out, ROOM_MARK);
		chat_sanitize(out, ev->name, ev->name_len);
		buf_puts(out, " left the room");
		if (ev->text_len) {
			buf_puts(out, " (");
			chat_sanitize(out, ev->text, ev->text_len);
			buf_putc(out, ')');
		}
		return true;
	case EV_MSG:
		chat_sanitize(out, ev->name, ev->name_len);
		buf_puts(out, ": ");
		chat_sanitize(out, ev->text, ev->text_len);
		return true;
	case EV_ME:
		buf_puts(out, "* ");
		chat_sanitize(out, ev->name, ev->name_len);
		buf_putc(out, ' ');
		chat_sanitize(out, ev->text, ev->text_len);
		return true;
	case EV_ANNOUNCE:
		buf_puts(out, "[admin] ");
		chat_sanitize(out, ev->text, ev->text_len);
		return true;
	case EV_PRIVATE:
		buf_puts(out, "[private] ");
		chat_sanitize(out, ev->name, ev->name_len);
		buf_puts(out, ": ");
		chat_sanitize(out, ev->text, ev->text_len);
		return true;
	case EV_RENAME:
		buf_puts(out, ROOM_MARK);
		chat_sanitize(out, ev->name, ev->name_len);
		buf_puts(out, " is now known as ");
		chat_sanitize(out, ev->text, ev->text_len);
		return true;
	case EV_ACTION:
	case EV_CLAIM:
	case EV_NOTICE:
	case EV_VIEW:
		format_attributed(ev, out);
		return true;
	case EV_VIEWROW:
		buf_puts(out, "[view] | ");
		chat_sanitize(out, ev->text, ev->text_len);
		return true;
	case EV_SHUTDOWN:
		buf_puts(out, ROOM_MARK "the room is closing");
		if (ev->text_len) {
			buf_puts(out, " (");
			chat_sanitize(out, ev->text, ev->text_len);
			buf_putc(out, ')');
		}
		return true;
	default:
		return false;
	}
}

void chat_format_event(struct buf *b, long long time, const char *kind,
		       const char *name, const char *text, size_t text_len)
{
	buf_printf(b, "event %lld %s", time, kind);
	if (name) {
		buf_putc(b, ' ');
		buf_puts(b, name);
	}
	if (text && text_len) {
		buf_putc(b, ' ');
		buf_append(b, text, text_len);
	}
}

void chat_format_attributed(struct buf *b, long long time, const char *kind,
			    const char *name, unsigned uid, const char *text,
			    size_t text_len)
{
	buf_printf(b, "event %lld %s %s %u ", time, kind, name, uid);
	buf_append(b, text, text_len);
}
