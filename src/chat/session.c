/*
 * session.c - the room for a program with its own event loop
 * (session.h): client.c's steps, one at a time, from the caller's poll.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chat/session.h"

#define RETRY_FIRST_S 1.0

static void set_status(struct chat_session *s, const char *text);

void chat_session_init(struct chat_session *s, const char *path,
		       const char *want, const char *alt)
{
	*s = (struct chat_session){.retry_delay = RETRY_FIRST_S};
	chat_client_init(&s->c, path, false);
	snprintf(s->want, sizeof(s->want), "%s", want ? want : "");
	snprintf(s->alt, sizeof(s->alt), "%s", alt ? alt : "");
	set_status(s, "connecting");
}

void chat_session_free(struct chat_session *s)
{
	chat_client_close(&s->c);
	for (unsigned i = 0; i < s->count; i++)
		free(s->lines[(s->head + i) % CHAT_SESSION_LINES]);
	s->count = 0;
}

/* ---- the lines kept ------------------------------------------------------ */

const char *chat_session_line(const struct chat_session *s, unsigned i)
{
	return i < s->count ? s->lines[(s->head + i) % CHAT_SESSION_LINES] : "";
}

static void add_line(struct chat_session *s, long long when, const char *text)
{
	char stamp[16] = "";
	time_t t = when ? (time_t)when : time(NULL);
	struct tm tm;
	struct buf b = {0};

	if (localtime_r(&t, &tm))
		strftime(stamp, sizeof(stamp), "%H:%M ", &tm);
	buf_puts(&b, stamp);
	buf_puts(&b, text);
	if (s->count == CHAT_SESSION_LINES) {
		free(s->lines[s->head]);
		s->head = (s->head + 1) % CHAT_SESSION_LINES;
		s->count--;
	}
	s->lines[(s->head + s->count++) % CHAT_SESSION_LINES] = b.data ? b.data : xstrdup("");
	s->seq++;
}

void chat_session_note(struct chat_session *s, const char *text)
{
	struct buf b = {0};

	/* A note may quote what came from outside (a server's refusal). */
	chat_sanitize(&b, text, strlen(text));
	add_line(s, 0, b.data ? b.data : "");
	buf_free(&b);
}

static void set_status(struct chat_session *s, const char *text)
{
	snprintf(s->status, sizeof(s->status), "%s", text);
	s->seq++;
}

/* ---- the connection --------------------------------------------------------- */

/* Close and try again after the current delay (doubled for next time). */
static void drop(struct chat_session *s, double now, const char *why)
{
	bool was_in = s->state == SESSION_IN;

	chat_client_close(&s->c);
	s->state = SESSION_DOWN;
	s->stalled = false;
	s->use_alt = false;
	s->retry_at = now + s->retry_delay;
	s->retry_delay = s->retry_delay * 2 > CHAT_SESSION_RETRY_MAX ?
			 CHAT_SESSION_RETRY_MAX : s->retry_delay * 2;
	set_status(s, why);
	if (was_in)
		chat_session_note(s, "! lost the connection to the room; trying again by itself");
}

static void send_name(struct chat_session *s, double now)
{
	const char *name = s->use_alt ? s->alt : s->want;

	s->state = SESSION_NAMING;
	s->deadline = now + CHAT_SESSION_ANSWER_S;
	(void)chat_client_send(&s->c, name, strlen(name));
}

static void try_open(struct chat_session *s, double now)
{
	char why[CHAT_WHY_MAX];

	if (chat_client_open(&s->c, why) < 0) {
		drop(s, now, why);
		return;
	}
	s->state = SESSION_HELLO;
	s->deadline = now + CHAT_SESSION_ANSWER_S;
	set_status(s, "waiting for the room's hello");
}

void chat_session_tick(struct chat_session *s, double now)
{
	char why[CHAT_WHY_MAX];

	if (s->state == SESSION_DOWN && now >= s->retry_at) {
		try_open(s, now);
	} else if ((s->state == SESSION_HELLO || s->state == SESSION_NAMING) &&
		   now >= s->deadline) {
		snprintf(why, sizeof(why), "the room on %s did not answer"
			 " within %.0f s", s->c.path, CHAT_SESSION_ANSWER_S);
		drop(s, now, why);
	}
}

int chat_session_fd(const struct chat_session *s)
{
	return s->state == SESSION_DOWN ? -1 : s->c.fd;
}

short chat_session_events(const struct chat_session *s)
{
	return (short)(POLLIN | (s->c.out.len ? POLLOUT : 0));
}

double chat_session_next_timer(const struct chat_session *s)
{
	switch (s->state) {
	case SESSION_DOWN: return s->retry_at;
	case SESSION_HELLO: case SESSION_NAMING: return s->deadline;
	case SESSION_IN: break;
	}
	return 0;
}

/* ---- lines from the server ------------------------------------------------------ */

static void show_event(struct chat_session *s, const struct chat_ev *ev)
{
	struct buf b = {0};

	switch (ev->kind) {
	case EV_OK: case EV_HELLO: case EV_UNKNOWN:
		break;
	case EV_ERROR: case EV_HELP:
		buf_puts(&b, ev->kind == EV_ERROR ? "! " : "");
		chat_sanitize(&b, ev->text, ev->text_len);
		add_line(s, 0, b.data);
		break;
	default: {
		/* as pmon chat shows it: the time column gives the event's
		 * own time, and history is marked with a short prefix */
		struct chat_ev live = *ev;

		live.history = false;
		buf_puts(&b, ev->history ? "(history) " : "");
		if (chat_format_plain(&live, &b))
			add_line(s, ev->time, b.data);
		break;
	}
	}
	buf_free(&b);
}

static void on_hello(struct chat_session *s, const struct chat_line *l,
		     double now)
{
	char why[CHAT_WHY_MAX];

	if (chat_client_hello_line(&s->c, l, why) < 0) {
		s->retry_delay = CHAT_SESSION_RETRY_MAX;
		drop(s, now, why);
		return;
	}
	send_name(s, now);
}

static void on_name(struct chat_session *s, const struct chat_line *l,
		    double now)
{
	char why[CHAT_WHY_MAX], note[CHAT_WHY_MAX + 64];
	int r = chat_client_name_line(&s->c, l, why);

	if (r == 0)
		return;
	if (r == -1 && !s->use_alt && s->alt[0]) {
		s->use_alt = true; /* the name is taken: the other one */
		send_name(s, now);
		return;
	}
	if (r < 0) {
		s->retry_delay = CHAT_SESSION_RETRY_MAX;
		drop(s, now, why);
		return;
	}
	s->skip_history = s->entered;
	s->entered = true;
	s->state = SESSION_IN;
	s->retry_delay = RETRY_FIRST_S;
	snprintf(note, sizeof(note), "in the room %s as %s", s->c.room, s->c.name);
	set_status(s, note);
	snprintf(note, sizeof(note), "[pmon] you are in the room %s as %s",
		 s->c.room, s->c.name);
	chat_session_note(s, note);
	if (s->on_enter)
		s->on_enter(s->data);
}

static void on_line(struct chat_session *s, const struct chat_line *l,
		    double now)
{
	struct chat_ev ev;

	switch (s->state) {
	case SESSION_HELLO: on_hello(s, l, now); return;
	case SESSION_NAMING: on_name(s, l, now); return;
	case SESSION_DOWN: return;
	case SESSION_IN: break;
	}
	chat_parse_event(l->text, l->len, &ev);
	if (ev.history && s->skip_history)
		return;
	if (ev.kind == EV_OK && chat_ev_word_is(&ev, "name") &&
	    chat_name_valid(ev.text, ev.text_len)) {
		memcpy(s->c.name, ev.text, ev.text_len);
		s->c.name[ev.text_len] = '\0';
	}
	if (s->on_event)
		s->on_event(s->data, l, &ev);
	show_event(s, &ev);
}

void chat_session_io(struct chat_session *s, short revents, double now)
{
	struct chat_line l;
	int r = 1;

	if (s->state == SESSION_DOWN)
		return;
	if ((revents & POLLOUT) && chat_client_flush(&s->c) < 0) {
		drop(s, now, "the room closed the connection");
		return;
	}
	s->stalled = s->c.out.len >= CHAT_SESSION_OUT_MAX;
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	/* One read per wake-up (16 KiB): a room that floods us cannot keep
	 * the caller's loop from its own work; poll says when there is more. */
	r = chat_client_read(&s->c);
	while (s->state != SESSION_DOWN && chat_client_line(&s->c, &l))
		on_line(s, &l, now);
	if (s->state != SESSION_DOWN &&
	    (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)))
		drop(s, now, "the room closed the connection");
}

/* ---- what we send -------------------------------------------------------------- */

static bool room_takes(struct chat_session *s, size_t n)
{
	return s->state == SESSION_IN &&
	       s->c.out.len + n + 1 <= CHAT_SESSION_OUT_MAX;
}

bool chat_session_request(struct chat_session *s, const char *line, size_t n)
{
	return room_takes(s, n) && chat_client_send(&s->c, line, n) == 0;
}

/* What we said, in the form the others see it (the server tells only
 * them): a message, /me, /msg, /announce. */
static void echo_own(struct chat_session *s, const char *line, size_t n)
{
	struct chat_ev ev;
	struct buf b = {0}, priv = {0};

	switch (chat_own_echo(s->c.name, line, n, &ev, &priv)) {
	case OWN_EVENT:
		if (chat_format_plain(&ev, &b))
			add_line(s, 0, b.data);
		break;
	case OWN_PRIVATE:
		add_line(s, 0, priv.data);
		break;
	case OWN_NONE:
		break;
	}
	buf_free(&b);
	buf_free(&priv);
}

int chat_session_say(struct chat_session *s, const char *line, size_t n,
		     char *why, size_t why_size)
{
	if (s->state != SESSION_IN) {
		snprintf(why, why_size, "not in the room: %s", s->status);
		return -1;
	}
	if (!chat_line_sendable(line, n)) {
		snprintf(why, why_size, "not sent: %s", CHAT_LINE_RULE);
		return -1;
	}
	if (!room_takes(s, n)) {
		snprintf(why, why_size, "not sent: the room has not read the"
			 " last %zu bytes (is its server stalled?)", s->c.out.len);
		return -1;
	}
	(void)chat_client_send(&s->c, line, n);
	echo_own(s, line, n);
	return 0;
}
