/*
 * room.c - what the room does with a line: the requests of pmon-chat/1
 * (join, rename, who, help, private messages, kick, quit, announce, text)
 * and the events they cause, each formatted once, kept in the history,
 * logged, shown on the administrator's terminal and queued for everyone.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chat/chatd.h"

/* ---- events ---------------------------------------------------------- */

void history_add(struct server *s, struct msg *m)
{
	size_t slot = (s->hist_first + s->hist_count) % CHAT_HISTORY_MAX;

	if (s->hist_count == CHAT_HISTORY_MAX) {
		msg_unref(s->history[s->hist_first]);
		s->hist_first = (s->hist_first + 1) % CHAT_HISTORY_MAX;
		s->hist_count--;
		slot = (s->hist_first + s->hist_count) % CHAT_HISTORY_MAX;
	}
	m->refs++;
	s->history[slot] = m;
	s->hist_count++;
}

/* The log is written as each event happens (one write of one line to an
 * O_APPEND file), so a crash loses nothing the room has seen. */
static void log_event(struct server *s, const struct msg *m)
{
	if (s->log_fd < 0)
		return;
	if (write(s->log_fd, m->data, m->len) != (ssize_t)m->len &&
	    s->o->foreground)
		pmon_warn_errno(errno, "cannot append to the log %s",
				s->o->log_path);
}

/* On a terminal the foreground server shows the room as line mode does. */
static void show_event(struct server *s, const struct msg *m)
{
	struct chat_ev ev;
	struct buf out = {0};

	if (!s->o->foreground)
		return;
	chat_parse_event(m->data, m->len - 1, &ev);
	if (chat_format_plain(&ev, &out)) {
		buf_putc(&out, '\n');
		fwrite(out.data, 1, out.len, stdout);
		/* A terminal that does not take it (stopped with Ctrl-S) loses
		 * the line from its display, never the room its turn. */
		if (fflush(stdout) != 0)
			clearerr(stdout);
	}
	buf_free(&out);
}

/* "event TIME KIND [NAME] [TEXT]\n" as a new message (one reference). */
static struct msg *event_msg(struct server *s, const char *kind,
			     const char *name, const char *text,
			     size_t text_len)
{
	buf_reset(&s->fmt);
	chat_format_event(&s->fmt, (long long)time(NULL), kind, name, text,
			  text_len);
	buf_putc(&s->fmt, '\n');
	return msg_new(s->fmt.data, s->fmt.len);
}

/*
 * An event for the whole room: formatted once, kept in the history,
 * logged, and queued (by reference) for everyone who has entered except
 * skip (the client it came from, which knows already).
 */
void room_event(struct server *s, struct client *skip,
		const char *kind, const char *name, const char *text,
		size_t text_len)
{
	struct msg *m = event_msg(s, kind, name, text, text_len);

	history_add(s, m);
	log_event(s, m);
	show_event(s, m);
	for (size_t i = 0; i < s->nclients; i++) {
		struct client *c = s->clients[i];

		if (c != skip && c->joined && !c->dead)
			client_push(s, c, m);
	}
	msg_unref(m);
}

/* The last CHAT_REPLAY events, marked "history", as one message. */
static void replay_history(struct server *s, struct client *c)
{
	size_t n = s->hist_count < CHAT_REPLAY ? s->hist_count : CHAT_REPLAY;

	buf_reset(&s->fmt);
	for (size_t i = s->hist_count - n; i < s->hist_count; i++) {
		const struct msg *m =
			s->history[(s->hist_first + i) % CHAT_HISTORY_MAX];

		buf_puts(&s->fmt, "history ");
		buf_append(&s->fmt, m->data, m->len);
	}
	buf_printf(&s->fmt, "ok history %zu\n", n);
	client_send(s, c, s->fmt.data, s->fmt.len);
}

/* ---- requests --------------------------------------------------------- */

/* A word from a request, fit to echo in an error: at most 32 bytes, and
 * anything but a name's characters shown as '?'. */
static const char *safe_word(const char *w, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n && i < CHAT_NAME_MAX; i++) {
		unsigned char ch = (unsigned char)w[i];

		out[i] = (char)(((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				 (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
				 ch == '.') ? ch : '?');
	}
	out[i] = '\0';
	return out;
}

static struct client *find_name(struct server *s, const char *name,
				size_t n)
{
	for (size_t i = 0; i < s->nclients; i++) {
		struct client *c = s->clients[i];

		if (c->joined && !c->dead &&
		    chat_name_equal(c->name, strlen(c->name), name, n))
			return c;
	}
	return NULL;
}

/* Is name the login of an account other than uid's?  getpwnam is exact,
 * so try the name as given and in lower case (logins usually are). */
static bool name_is_others_login(const char *name, uid_t uid)
{
	char lower[CHAT_NAME_MAX + 1];
	struct passwd *pw;
	size_t i;

	for (i = 0; name[i] && i < CHAT_NAME_MAX; i++)
		lower[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ?
					  name[i] - 'A' + 'a' : name[i]);
	lower[i] = '\0';
	pw = getpwnam(name);
	if (pw && pw->pw_uid != uid)
		return true;
	pw = getpwnam(lower);
	return pw && pw->pw_uid != uid;
}

/* Can c be called name?  Sends the error and returns false if not. */
static bool name_acceptable(struct server *s, struct client *c,
			    const char *name, size_t n)
{
	char copy[CHAT_NAME_MAX + 1];
	struct client *other;

	if (!chat_name_valid(name, n)) {
		client_sendf(s, c, "error badname a name is 1 to %d letters,"
			     " digits, '_', '-' or '.', starting with a letter,"
			     " a digit or '_'", CHAT_NAME_MAX);
		return false;
	}
	memcpy(copy, name, n);
	copy[n] = '\0';
	other = find_name(s, name, n);
	if (other && other != c) {
		client_sendf(s, c, "error nametaken the name %s is taken;"
			     " choose another", other->name);
		return false;
	}
	if (name_is_others_login(copy, c->uid)) {
		client_sendf(s, c, "error notyours %s is the login name of"
			     " another account; choose another name", copy);
		return false;
	}
	return true;
}

static void do_join(struct server *s, struct client *c, const char *name,
		    size_t n)
{
	if (n == 0) {
		name = c->login;
		n = strlen(c->login);
	}
	if (!name_acceptable(s, c, name, n))
		return;
	memcpy(c->name, name, n);
	c->name[n] = '\0';
	client_sendf(s, c, "ok name %s", c->name);
	replay_history(s, c);
	c->joined = true;
	room_event(s, c, "join", c->name, NULL, 0);
}

static void do_rename(struct server *s, struct client *c, const char *name,
		      size_t n)
{
	char old[CHAT_NAME_MAX + 1];

	if (!name_acceptable(s, c, name, n))
		return;
	strcpy(old, c->name);
	memcpy(c->name, name, n);
	c->name[n] = '\0';
	client_sendf(s, c, "ok name %s", c->name);
	if (strcmp(old, c->name) != 0)
		room_event(s, c, "rename", old, c->name, strlen(c->name));
}

/* Sanitised text into s->text (room_event formats into s->fmt, so the
 * text is used from there without a copy); false when nothing is left. */
bool clean_text(struct server *s, const char *t, size_t n)
{
	buf_reset(&s->text);
	chat_sanitize(&s->text, t, n);
	return s->text.len > 0;
}

static void do_who(struct server *s, struct client *c)
{
	struct buf out = {0};
	size_t n = 0;

	for (size_t i = 0; i < s->nclients; i++) {
		struct client *o = s->clients[i];

		if (o->joined && !o->dead) {
			buf_printf(&out, "who %s %s\n", o->name, o->login);
			n++;
		}
	}
	buf_printf(&out, "ok who %zu\n", n);
	client_send(s, c, out.data, out.len);
	buf_free(&out);
}

static void do_help(struct server *s, struct client *c)
{
	static const char help[] =
		"help TEXT                  send TEXT to the room (//TEXT sends /TEXT)\n"
		"help /me TEXT              an action: * NAME TEXT\n"
		"help /msg NAME TEXT        a private message to NAME\n"
		"help /who                  who is in the room, with login names\n"
		"help /name NAME            change your name\n"
		"help /quit [REASON]        leave the room\n"
		"help /announce TEXT        [admin] an announcement to everyone\n"
		"help /kick NAME [REASON]   [admin] put NAME out of the room\n"
		"ok help\n";

	client_send(s, c, help, sizeof(help) - 1);
}

static void do_private(struct server *s, struct client *c,
		       const struct chat_req *r)
{
	struct client *to = find_name(s, r->name, r->name_len);
	struct msg *m;

	if (!to) {
		char w[CHAT_NAME_MAX + 1];

		client_sendf(s, c, "error nosuchname nobody called %s is in"
			     " the room; /who lists who is",
			     safe_word(r->name, r->name_len, w));
		return;
	}
	if (!clean_text(s, r->text, r->text_len))
		return;
	m = event_msg(s, "private", c->name, s->text.data, s->text.len);
	client_push(s, to, m);
	msg_unref(m);
	client_sendf(s, c, "ok msg %s", to->name);
}

static bool require_admin(struct server *s, struct client *c,
			  const char *what)
{
	if (c->admin)
		return true;
	client_sendf(s, c, "error notadmin only root or the server's owner"
		     " (%s) may %s", s->owner_login, what);
	return false;
}

static void do_kick(struct server *s, struct client *c,
		    const struct chat_req *r)
{
	struct client *t;
	struct buf why = {0};

	if (!require_admin(s, c, "kick"))
		return;
	t = find_name(s, r->name, r->name_len);
	if (!t) {
		char w[CHAT_NAME_MAX + 1];

		client_sendf(s, c, "error nosuchname nobody called %s is in"
			     " the room", safe_word(r->name, r->name_len, w));
		return;
	}
	buf_printf(&why, "kicked by %s", c->joined ? c->name : c->login);
	if (r->text_len) {
		buf_puts(&why, ": ");
		chat_sanitize(&why, r->text, r->text_len);
	}
	client_sendf(s, t, "error kicked %s", why.data);
	client_sendf(s, c, "ok kick %s", t->name);
	t->joined = false;
	room_event(s, t, "leave", t->name, why.data, why.len);
	t->quitting = true; /* closes once the notice is written */
	buf_free(&why);
}

static void do_quit(struct server *s, struct client *c,
		    const struct chat_req *r)
{
	if (c->joined) {
		c->joined = false;
		clean_text(s, r->text, r->text_len);
		room_event(s, c, "leave", c->name, s->text.data, s->text.len);
	}
	client_sendf(s, c, "ok bye");
	c->quitting = true;
}

static void do_room_text(struct server *s, struct client *c,
			 const char *kind, const struct chat_req *r)
{
	if (clean_text(s, r->text, r->text_len))
		room_event(s, c, kind, c->name, s->text.data, s->text.len);
}

static void do_announce(struct server *s, struct client *c,
			const struct chat_req *r)
{
	if (!require_admin(s, c, "announce"))
		return;
	if (!clean_text(s, r->text, r->text_len))
		return;
	room_event(s, c, "announce", NULL, s->text.data, s->text.len);
	client_sendf(s, c, "ok announce");
}

void handle_line(struct server *s, struct client *c, const char *line,
		 size_t len)
{
	struct chat_req r;

	chat_parse_request(line, len, &r);
	switch (r.kind) {
	case REQ_WHO: do_who(s, c); return;
	case REQ_HELP: do_help(s, c); return;
	case REQ_QUIT: do_quit(s, c, &r); return;
	case REQ_ANNOUNCE: do_announce(s, c, &r); return;
	case REQ_KICK: do_kick(s, c, &r); return;
	case REQ_USAGE:
		client_sendf(s, c, "error usage %s",
			     chat_command_usage(r.command));
		return;
	case REQ_UNKNOWN: {
		char w[CHAT_NAME_MAX + 1];

		client_sendf(s, c, "error unknown no command /%s; /help lists"
			     " them (//TEXT sends a line starting with /)",
			     safe_word(r.word, r.word_len, w));
		return;
	}
	default:
		break;
	}
	if (!c->joined) {
		/* The first line is a name ("/name NAME" too; empty: the
		 * login name). */
		if (r.kind == REQ_EMPTY || r.kind == REQ_TEXT)
			do_join(s, c, r.text, r.text_len);
		else if (r.kind == REQ_NAME)
			do_join(s, c, r.name, r.name_len);
		else
			client_sendf(s, c, "error notjoined give a name first"
				     " (a line with just the name)");
		return;
	}
	switch (r.kind) {
	case REQ_TEXT: do_room_text(s, c, "msg", &r); break;
	case REQ_ME: do_room_text(s, c, "me", &r); break;
	case REQ_MSG: do_private(s, c, &r); break;
	case REQ_NAME: do_rename(s, c, r.name, r.name_len); break;
	default: break; /* REQ_EMPTY: nothing to say */
	}
}
