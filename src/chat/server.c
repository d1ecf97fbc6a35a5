/*
 * server.c - `pmon chatd`: the room (see server.h for the design and
 * pmon(1) for the protocol).
 *
 * Life of a message: a client's line is parsed (proto.c), sanitised,
 * formatted once as "event TIME msg NAME TEXT\n" into a struct msg, and a
 * reference to it is appended to every other client's queue, which puts
 * that client on the pending list.  Before the loop sleeps, every pending
 * client is written with one sendmsg of up to IOV_MAX queued messages;
 * only a client whose socket is full gets EPOLLOUT.  A client whose queue
 * passes out_cap bytes is dropped, so a stalled reader costs the others
 * nothing but the memory of its references.  Closing is deferred to
 * before_sleep, so no handler ever sees a freed client.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "chat/loop.h"
#include "chat/proto.h"
#include "chat/server.h"
#include "chat/sock.h"
#include "pmon.h"

struct msg {
	unsigned refs;
	unsigned len;
	char data[];
};

struct client {
	struct server *s;
	int fd;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	bool admin, joined, quitting, dead, pending, paused, discarding;
	bool blocked;            /* its socket was full: wait for EPOLLOUT */
	char name[CHAT_NAME_MAX + 1];
	char login[CHAT_NAME_MAX + 1];
	char *leave_reason;      /* why a dead client left, for the room */
	/* Output: a ring of references, allocated only while non-empty. */
	struct msg **q;
	unsigned qhead, qcount, qcap;
	unsigned qoff;           /* bytes of q[qhead] already written */
	size_t qbytes;
	/* Input not yet acted on (a partial line, or lines held back by
	 * flood control); allocated only when there is some. */
	char *in;
	size_t inlen, incap;
	double tokens, refilled; /* flood control: a token bucket */
	double resume_at;
	struct client *next_pending;
};

struct server {
	const struct chatd_opts *o;
	struct loop *loop;
	int listen_fd, spare_fd, sig_fd, log_fd;
	uid_t owner;
	char owner_login[CHAT_NAME_MAX + 1];
	char room[64];
	struct client **clients; /* everyone connected */
	size_t nclients, capclients;
	struct client *pending;  /* clients with output to write */
	struct client **dead;    /* clients to close before sleeping */
	size_t ndead, capdead;
	size_t npaused;
	struct msg *history[CHAT_HISTORY_MAX];
	size_t hist_first, hist_count;
	struct msg *hello;
	bool stopping;
	double stop_deadline;
	dev_t sock_dev;
	ino_t sock_ino;
	struct buf fmt;          /* scratch: an event line being formatted */
	struct buf text;         /* scratch: a request's sanitised text */
	char scratch[64 * 1024]; /* every read lands here first */
};

void chatd_opts_init(struct chatd_opts *o)
{
	*o = (struct chatd_opts){
		.flood_rate = CHAT_FLOOD_RATE,
		.flood_burst = CHAT_FLOOD_BURST,
		.out_cap = CHAT_OUT_CAP,
		.lock_fd = -1,
	};
}

/* ---- messages ------------------------------------------------------ */

static struct msg *msg_new(const char *s, size_t n)
{
	struct msg *m = xmalloc(sizeof(*m) + n);

	m->refs = 1;
	m->len = (unsigned)n;
	memcpy(m->data, s, n);
	return m;
}

static void msg_unref(struct msg *m)
{
	if (m && --m->refs == 0)
		free(m);
}

/* ---- output -------------------------------------------------------- */

static void client_kill(struct server *s, struct client *c, const char *why);

static void mark_pending(struct server *s, struct client *c)
{
	if (!c->pending) {
		c->pending = true;
		c->next_pending = s->pending;
		s->pending = c;
	}
}

/* Queue a reference to m for c (never copies m). */
static void client_push(struct server *s, struct client *c, struct msg *m)
{
	if (c->dead)
		return;
	if (c->qbytes + m->len > s->o->out_cap) {
		client_kill(s, c, "too slow: stopped reading, over the output"
			    " limit");
		return;
	}
	if (c->qcount == c->qcap) {
		unsigned ncap = c->qcap ? c->qcap * 2 : 8;
		struct msg **nq = xreallocarray(NULL, ncap, sizeof(*nq));

		for (unsigned i = 0; i < c->qcount; i++)
			nq[i] = c->q[(c->qhead + i) % c->qcap];
		free(c->q);
		c->q = nq;
		c->qcap = ncap;
		c->qhead = 0;
	}
	c->q[(c->qhead + c->qcount) % c->qcap] = m;
	c->qcount++;
	c->qbytes += m->len;
	m->refs++;
	mark_pending(s, c);
}

/* Queue a line for c alone ("ok ...", "error ...", who lists). */
static void client_send(struct server *s, struct client *c, const char *s_,
			size_t n)
{
	struct msg *m = msg_new(s_, n);

	client_push(s, c, m);
	msg_unref(m);
}

static void client_sendf(struct server *s, struct client *c,
			 const char *fmt, ...) PRINTF_LIKE(3, 4);

static void client_sendf(struct server *s, struct client *c,
			 const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	client_send(s, c, line, (size_t)n);
}

static void client_update_mask(struct server *s, struct client *c)
{
	int mask = 0;

	if (c->dead)
		return;
	if (!c->paused && !c->quitting && !s->stopping)
		mask |= LOOP_READ;
	/* Queued output is written by before_sleep (the client is on the
	 * pending list); EPOLLOUT only for a socket that was full.  Asking
	 * for it whenever something is queued would cost two epoll_ctl
	 * calls per wakeup of a client that both reads and is written to. */
	if (c->blocked)
		mask |= LOOP_WRITE;
	if (loop_set_mask(s->loop, c->fd, mask) < 0)
		client_kill(s, c, "connection lost");
}

/* Drop the n written bytes from the front of c's queue. */
static void client_consume(struct client *c, size_t n)
{
	while (n > 0 && c->qcount) {
		struct msg *m = c->q[c->qhead];
		size_t left = m->len - c->qoff;

		if (n < left) {
			c->qoff += (unsigned)n;
			c->qbytes -= n;
			return;
		}
		n -= left;
		c->qbytes -= left;
		c->qoff = 0;
		msg_unref(m);
		c->qhead = (c->qhead + 1) % c->qcap;
		c->qcount--;
	}
}

/* Write as much of c's queue as the socket takes: up to IOV_MAX
 * messages per sendmsg (coalescing), until it is empty or full. */
static void client_flush(struct server *s, struct client *c)
{
	static struct iovec iov[IOV_MAX];

	c->blocked = false;
	while (c->qcount && !c->dead) {
		struct msghdr mh = {.msg_iov = iov};
		size_t total = 0;
		ssize_t w;
		unsigned i;

		for (i = 0; i < c->qcount && i < IOV_MAX; i++) {
			struct msg *m = c->q[(c->qhead + i) % c->qcap];
			unsigned off = i == 0 ? c->qoff : 0;

			iov[i].iov_base = m->data + off;
			iov[i].iov_len = m->len - off;
			total += m->len - off;
		}
		mh.msg_iovlen = i;
		/* One message (the usual case in a calm room): plain send. */
		if (i == 1)
			w = send(c->fd, iov[0].iov_base, iov[0].iov_len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		else
			w = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				c->blocked = true;
				break;
			}
			client_kill(s, c, "connection lost");
			return;
		}
		client_consume(c, (size_t)w);
		if ((size_t)w < total) {
			c->blocked = true; /* the socket is full: wait for EPOLLOUT */
			break;
		}
	}
	if (c->qcount == 0) {
		/* An idle client keeps at most the first small ring (64
		 * bytes), so that a quiet room allocates nothing per message. */
		if (c->qcap > 8) {
			free(c->q);
			c->q = NULL;
			c->qcap = 0;
		}
		c->qhead = 0;
		if (c->quitting && !c->dead)
			client_kill(s, c, NULL);
	}
	client_update_mask(s, c);
}

/* ---- events ---------------------------------------------------------- */

static void history_add(struct server *s, struct msg *m)
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
static void room_event(struct server *s, struct client *skip,
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

/* ---- leaving ---------------------------------------------------------- */

/* Take c out of the room (telling the others) and close it before the
 * loop sleeps.  why: the reason the room is given, or NULL. */
static void client_kill(struct server *s, struct client *c, const char *why)
{
	if (c->dead)
		return;
	c->dead = true;
	if (why)
		c->leave_reason = xstrdup(why);
	if (s->ndead == s->capdead) {
		s->capdead = s->capdead ? 2 * s->capdead : 16;
		s->dead = xreallocarray(s->dead, s->capdead, sizeof(*s->dead));
	}
	s->dead[s->ndead++] = c;
}

static void client_free(struct client *c)
{
	while (c->qcount) {
		msg_unref(c->q[c->qhead]);
		c->qhead = (c->qhead + 1) % c->qcap;
		c->qcount--;
	}
	free(c->q);
	free(c->in);
	free(c->leave_reason);
	free(c);
}

static void unlink_pending(struct server *s, struct client *c)
{
	for (struct client **p = &s->pending; *p; p = &(*p)->next_pending) {
		if (*p == c) {
			*p = c->next_pending;
			c->pending = false;
			return;
		}
	}
}

static void reap_dead(struct server *s)
{
	/* Leave notices may drop more slow clients: loop until none. */
	for (size_t d = 0; d < s->ndead; d++) {
		struct client *c = s->dead[d];

		if (c->joined) {
			const char *why = c->leave_reason;

			c->joined = false;
			room_event(s, c, "leave", c->name, why,
				   why ? strlen(why) : 0);
		}
		if (c->leave_reason && c->qcount == 0) {
			/* Best effort: a stalled reader will not see it. */
			char line[256];
			int n = snprintf(line, sizeof(line), "error gone %s\n",
					 c->leave_reason);

			if (n > 0 && (size_t)n < sizeof(line))
				(void)send(c->fd, line, (size_t)n,
					   MSG_NOSIGNAL | MSG_DONTWAIT);
		}
	}
	for (size_t d = 0; d < s->ndead; d++) {
		struct client *c = s->dead[d];

		for (size_t i = 0; i < s->nclients; i++) {
			if (s->clients[i] == c) {
				s->clients[i] = s->clients[--s->nclients];
				break;
			}
		}
		if (c->paused)
			s->npaused--;
		if (c->pending)
			unlink_pending(s, c);
		loop_del(s->loop, c->fd);
		close(c->fd);
		client_free(c);
	}
	s->ndead = 0;
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
static bool clean_text(struct server *s, const char *t, size_t n)
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

static void handle_line(struct server *s, struct client *c, const char *line,
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

/* ---- input and flood control ------------------------------------------- */

/* Take one token for a line; false (and the client paused) if none. */
static bool flood_allow(struct server *s, struct client *c)
{
	double now;

	if (s->o->flood_rate <= 0)
		return true;
	now = mono_now();
	c->tokens += (now - c->refilled) * s->o->flood_rate;
	if (c->tokens > s->o->flood_burst)
		c->tokens = s->o->flood_burst;
	c->refilled = now;
	if (c->tokens >= 1) {
		c->tokens -= 1;
		return true;
	}
	if (!c->paused) {
		c->paused = true;
		s->npaused++;
	}
	c->resume_at = now + (1 - c->tokens) / s->o->flood_rate;
	return false;
}

/* Act on the complete lines of data[0..len); returns the bytes used up.
 * Stops early (keeping the rest) when flood control pauses the client. */
static size_t process_input(struct server *s, struct client *c,
			    const char *data, size_t len)
{
	size_t off = 0;

	while (off < len && !c->dead && !c->quitting) {
		struct chat_line l;
		bool discarding = c->discarding;
		size_t used;

		used = chat_next_line(data + off, len - off, &discarding, &l);
		if (used == 0)
			break; /* a partial line: wait for the rest */
		/* A line (even one refused as too long) costs a token; the
		 * parse is committed only when the client may go on. */
		if (!c->discarding && !flood_allow(s, c))
			break;
		c->discarding = discarding;
		off += used;
		if (l.kind == CHAT_LINE_TOOLONG)
			client_sendf(s, c, "error toolong a line is at most %d"
				     " bytes; that line was not sent",
				     CHAT_LINE_MAX);
		else if (l.kind == CHAT_LINE_OK)
			handle_line(s, c, l.text, l.len);
	}
	return off;
}

/* Keep data[0..len) as c's pending input. */
static void keep_input(struct client *c, const char *data, size_t len)
{
	if (len == 0) {
		free(c->in);
		c->in = NULL;
		c->inlen = c->incap = 0;
		return;
	}
	if (data != c->in) {
		if (len > c->incap) {
			free(c->in);
			c->in = xmalloc(len);
			c->incap = len;
		}
	}
	memmove(c->in, data, len);
	c->inlen = len;
}

/* Run c's held-back input through again (after a pause, or a read). */
static void drain_input(struct server *s, struct client *c)
{
	size_t used = process_input(s, c, c->in, c->inlen);

	keep_input(c, c->in + used, c->inlen - used);
}

static void client_read(struct server *s, struct client *c)
{
	ssize_t n = read(c->fd, s->scratch, sizeof(s->scratch));
	size_t used;

	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		client_kill(s, c, "connection lost");
		return;
	}
	if (n == 0) {
		client_kill(s, c, NULL); /* the client closed: it left */
		return;
	}
	if (c->inlen) {
		if (c->inlen + (size_t)n > c->incap) {
			c->incap = c->inlen + (size_t)n;
			c->in = xreallocarray(c->in, c->incap, 1);
		}
		memcpy(c->in + c->inlen, s->scratch, (size_t)n);
		c->inlen += (size_t)n;
		drain_input(s, c);
	} else {
		used = process_input(s, c, s->scratch, (size_t)n);
		keep_input(c, s->scratch + used, (size_t)n - used);
	}
	client_update_mask(s, c);
}

static void on_client(struct loop *l, int fd, void *data, int mask)
{
	struct client *c = data;
	struct server *s = c->s;

	(void)l;
	(void)fd;
	if (c->dead)
		return;
	if (mask & LOOP_WRITE)
		client_flush(s, c);
	if ((mask & LOOP_READ) && !c->dead)
		client_read(s, c);
}

/* ---- accepting ---------------------------------------------------------- */

/* Out of descriptors: use the spare one to accept, tell, and close. */
static void refuse_full(struct server *s)
{
	static const char msg[] = "error full the room is full (this server"
				  " is out of file descriptors); try again"
				  " later\n";
	int fd;

	if (s->spare_fd >= 0) {
		close(s->spare_fd);
		s->spare_fd = -1;
	}
	fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0) {
		(void)send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
	}
	s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static void refuse_denied(struct server *s, int fd, uid_t uid)
{
	char line[512];
	char login[64];
	int n;

	chat_login_name(uid, login, sizeof(login));
	n = snprintf(line, sizeof(line), "error denied %s is not root, not"
		     " the server's owner (%s)%s%s; ask the owner to run"
		     " chatd with --group\n", login, s->owner_login,
		     s->o->has_group ? " and not in group " : "",
		     s->o->has_group ? s->o->group_name : "");
	if (n > 0 && (size_t)n < sizeof(line))
		(void)send(fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

static void accept_one(struct server *s, int fd)
{
	struct client *c;
	uid_t uid;
	gid_t gid;
	pid_t pid;

	if (chat_peer_cred(fd, &uid, &gid, &pid) < 0) {
		close(fd);
		return;
	}
	if (!chat_peer_allowed(uid, gid, s->owner, s->o->has_group,
			       s->o->group)) {
		refuse_denied(s, fd, uid);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->s = s;
	c->fd = fd;
	c->uid = uid;
	c->gid = gid;
	c->pid = pid;
	c->admin = uid == 0 || uid == s->owner;
	c->tokens = s->o->flood_burst;
	c->refilled = mono_now();
	chat_login_name(uid, c->login, sizeof(c->login));
	if (loop_add(s->loop, fd, LOOP_READ, on_client, c) < 0) {
		free(c);
		close(fd);
		return;
	}
	if (s->nclients == s->capclients) {
		s->capclients = s->capclients ? 2 * s->capclients : 64;
		s->clients = xreallocarray(s->clients, s->capclients,
					   sizeof(*s->clients));
	}
	s->clients[s->nclients++] = c;
	client_push(s, c, s->hello);
}

static void on_accept(struct loop *l, int lfd, void *data, int mask)
{
	struct server *s = data;

	(void)l;
	(void)mask;
	for (int i = 0; i < 64; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			accept_one(s, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE) {
			refuse_full(s);
			continue;
		}
		return; /* EAGAIN: all taken */
	}
}

/* ---- the administrator's terminal and signals ------------------------------ */

static void on_stdin(struct loop *l, int fd, void *data, int mask)
{
	static struct buf in;
	static bool discarding;
	struct server *s = data;
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));
	size_t off = 0;

	(void)mask;
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		loop_del(l, fd); /* EOF: no more announcements */
		return;
	}
	buf_append(&in, chunk, (size_t)n);
	for (;;) {
		struct chat_line line;
		size_t used = chat_next_line(in.data + off, in.len - off,
					     &discarding, &line);

		if (used == 0)
			break;
		off += used;
		if (line.kind == CHAT_LINE_OK &&
		    clean_text(s, line.text, line.len))
			room_event(s, NULL, "announce", NULL, s->text.data,
				   s->text.len);
	}
	memmove(in.data, in.data + off, in.len - off);
	in.len -= off;
}

static void start_stopping(struct server *s, const char *why)
{
	if (s->stopping)
		return;
	s->stopping = true;
	s->stop_deadline = mono_now() + 3.0;
	room_event(s, NULL, "shutdown", NULL, why, strlen(why));
	loop_del(s->loop, s->listen_fd);
	/* Everyone goes at once: no leave notice for each. */
	for (size_t i = 0; i < s->nclients; i++) {
		s->clients[i]->quitting = true;
		s->clients[i]->joined = false;
		client_update_mask(s, s->clients[i]);
	}
}

static void on_signal(struct loop *l, int fd, void *data, int mask)
{
	struct server *s = data;
	struct signalfd_siginfo si;

	(void)l;
	(void)mask;
	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	start_stopping(s, si.ssi_signo == SIGTERM ?
			  "the server was asked to stop" :
			  "the server is stopping");
}

/* ---- the loop's housekeeping ---------------------------------------------- */

static int next_timeout(struct server *s)
{
	double now, soonest = -1;

	if (s->npaused == 0 && !s->stopping)
		return -1;
	now = mono_now();
	for (size_t i = 0; i < s->nclients; i++) {
		struct client *c = s->clients[i];

		if (!c->paused || c->dead)
			continue;
		if (c->resume_at <= now) {
			c->paused = false;
			s->npaused--;
			drain_input(s, c);
			client_update_mask(s, c);
			if (!c->paused)
				continue;
		}
		if (soonest < 0 || c->resume_at < soonest)
			soonest = c->resume_at;
	}
	if (s->stopping && (soonest < 0 || s->stop_deadline < soonest))
		soonest = s->stop_deadline;
	if (soonest < 0)
		return -1;
	return soonest <= now ? 0 : (int)ceil((soonest - now) * 1000);
}

static int before_sleep(struct loop *l, void *data)
{
	struct server *s = data;
	int timeout;

	timeout = next_timeout(s);
	do {
		while (s->pending) {
			struct client *c = s->pending;

			s->pending = c->next_pending;
			c->pending = false;
			/* A full socket is written when EPOLLOUT says so, not
			 * tried again for every message queued meanwhile. */
			if (!c->dead && !c->blocked)
				client_flush(s, c);
		}
		reap_dead(s);
	} while (s->pending || s->ndead);
	if (s->stopping) {
		bool flushed = true;

		for (size_t i = 0; i < s->nclients; i++)
			if (s->clients[i]->qcount)
				flushed = false;
		if (flushed || mono_now() >= s->stop_deadline)
			loop_stop(l);
	}
	return timeout;
}

/* ---- starting and stopping -------------------------------------------------- */

/* The tail of the log becomes the history of a restarted server. */
static void load_log(struct server *s, const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return;
	while ((n = getline(&line, &cap, f)) > 0) {
		struct chat_ev ev;
		struct buf clean = {0};
		struct msg *m;

		if (line[n - 1] == '\n')
			n--;
		chat_sanitize(&clean, line, (size_t)n);
		chat_parse_event(clean.data ? clean.data : "", clean.len, &ev);
		if (ev.kind < EV_JOIN || ev.kind == EV_PRIVATE || ev.history ||
		    strncmp(clean.data, "event ", 6) != 0) {
			buf_free(&clean);
			continue;
		}
		buf_putc(&clean, '\n');
		m = msg_new(clean.data, clean.len);
		history_add(s, m);
		msg_unref(m);
		buf_free(&clean);
	}
	free(line);
	fclose(f);
}

static int block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* The directory, the lock, the listening socket (and what it is, so that
 * only this socket file is removed at the end). */
static int setup_socket(struct server *s, const struct chatd_opts *o,
			char *why)
{
	gid_t gid = o->has_group ? o->group : (gid_t)-1;
	int lock_fd = o->lock_fd;
	char dir[PATH_MAX];
	struct stat st;

	chat_socket_dir(o->path, dir, sizeof(dir));
	if (chat_make_dir(dir, gid, why) < 0)
		return -1;
	if (lock_fd < 0 && (lock_fd = chat_lock(o->path, why)) < 0)
		return -1;
	s->listen_fd = chat_listen(o->path, gid, why);
	/* Listening (or failed): the lock has done its job.  A detached
	 * server closes its inherited copy too, or it would hold the lock
	 * for life and a later `pmon chatd` would wait on it forever. */
	close(lock_fd);
	if (s->listen_fd < 0)
		return -1;
	if (lstat(o->path, &st) == 0) {
		s->sock_dev = st.st_dev;
		s->sock_ino = st.st_ino;
	}
	return 0;
}

static int setup_log(struct server *s, const char *path, char *why)
{
	load_log(s, path);
	s->log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
			 O_NOFOLLOW, 0600);
	if (s->log_fd < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot open the log %s: %s", path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int setup_loop(struct server *s, const struct chatd_opts *o,
		      char *why)
{
	s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	s->sig_fd = block_signals();
	s->loop = loop_new();
	if (s->sig_fd < 0 || !s->loop ||
	    loop_add(s->loop, s->listen_fd, LOOP_READ, on_accept, s) < 0 ||
	    loop_add(s->loop, s->sig_fd, LOOP_READ, on_signal, s) < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot set up the event loop: %s",
			 strerror(errno));
		return -1;
	}
	if (o->foreground)
		(void)loop_add(s->loop, STDIN_FILENO, LOOP_READ, on_stdin, s);
	loop_set_before_sleep(s->loop, before_sleep, s);
	return 0;
}

static int server_setup(struct server *s, const struct chatd_opts *o,
			char *why)
{
	char host[64] = "localhost", hello[128];
	int n;

	s->o = o;
	s->listen_fd = s->spare_fd = s->sig_fd = s->log_fd = -1;
	s->owner = geteuid();
	chat_login_name(s->owner, s->owner_login, sizeof(s->owner_login));
	gethostname(host, sizeof(host) - 1);
	snprintf(s->room, sizeof(s->room), "%s", host);
	n = snprintf(hello, sizeof(hello), "hello %s %d %s\n", CHAT_PROTO_NAME,
		     CHAT_PROTO_VERSION, s->room);
	s->hello = msg_new(hello, (size_t)n);
	signal(SIGPIPE, SIG_IGN);
	/* Run in the background of a shell, a foreground server must not be
	 * stopped for touching its terminal: reading then fails (EIO) and
	 * announcements from it stop, and the room goes on. */
	signal(SIGTTIN, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	if (setup_socket(s, o, why) < 0)
		return -1;
	if (o->log_path && setup_log(s, o->log_path, why) < 0)
		return -1;
	return setup_loop(s, o, why);
}

/* Remove the socket file, if it is still the one this server made. */
static void unlink_socket(struct server *s)
{
	struct stat st;

	if (lstat(s->o->path, &st) == 0 && st.st_dev == s->sock_dev &&
	    st.st_ino == s->sock_ino)
		unlink(s->o->path);
}

static void server_teardown(struct server *s)
{
	for (size_t i = 0; i < s->nclients; i++) {
		close(s->clients[i]->fd);
		client_free(s->clients[i]);
	}
	free(s->clients);
	free(s->dead);
	for (size_t i = 0; i < s->hist_count; i++)
		msg_unref(s->history[(s->hist_first + i) % CHAT_HISTORY_MAX]);
	msg_unref(s->hello);
	if (s->listen_fd >= 0) {
		unlink_socket(s);
		close(s->listen_fd);
	}
	if (s->log_fd >= 0)
		close(s->log_fd);
	if (s->sig_fd >= 0)
		close(s->sig_fd);
	if (s->spare_fd >= 0)
		close(s->spare_fd);
	loop_free(s->loop);
	buf_free(&s->fmt);
	buf_free(&s->text);
}

static void tell_ready(int fd, const char *msg)
{
	if (fd < 0)
		return;
	(void)write(fd, msg, strlen(msg));
	close(fd);
}

/*
 * The foreground server's terminal gets its own non-blocking open of the
 * tty (not O_NONBLOCK on the shell's shared one), so that a terminal that
 * stops reading cannot stall the loop.
 */
static void display_nonblocking(void)
{
	const char *tty = ttyname(STDOUT_FILENO);
	int fd;

	if (!tty)
		return;
	fd = open(tty, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return; /* then the display blocks, as it would anyway */
	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	close(fd);
}

int chatd_serve(const struct chatd_opts *o, int ready_fd)
{
	struct server *s = xcalloc(1, sizeof(*s));
	char why[CHAT_WHY_MAX];
	int status = EXIT_OK;

	if (server_setup(s, o, why) < 0) {
		if (ready_fd >= 0)
			tell_ready(ready_fd, why);
		else
			pmon_warn("%s", why);
		server_teardown(s);
		free(s);
		return EXIT_FAIL;
	}
	if (o->foreground && isatty(STDOUT_FILENO))
		display_nonblocking();
	if (o->foreground)
		pmon_warn("the room is open on %s%s", o->path,
			  isatty(STDIN_FILENO) ?
				  "; lines typed here are announcements" : "");
	tell_ready(ready_fd, "ok\n");
	if (loop_run(s->loop) < 0) {
		pmon_warn_errno(errno, "the event loop failed");
		status = EXIT_FAIL;
	}
	server_teardown(s);
	free(s);
	return status;
}

/* The grandchild: a daemon in its own session, stdio on /dev/null. */
/* Close every descriptor from 3 up except a and b (-1: none), so that a
 * server started by a client holds nothing of the shell it came from (the
 * write end of someone's pipe, a terminal), as tmux's server does. */
static void close_inherited(int a, int b)
{
	int keep[2] = {a < b ? a : b, a < b ? b : a};
	unsigned from = 3;

	for (int i = 0; i < 2; i++) {
		if (keep[i] < (int)from)
			continue;
		if ((unsigned)keep[i] > from)
			(void)close_range(from, (unsigned)keep[i] - 1, 0);
		from = (unsigned)keep[i] + 1;
	}
	(void)close_range(from, ~0U, 0);
}

static _Noreturn void daemon_child(const struct chatd_opts *o, int ready)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int status;

	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO); /* errors go through the pipe */
	}
	close_inherited(ready, o->lock_fd);
	status = chatd_serve(o, ready);
	_exit(status);
}

int chatd_start_detached(const struct chatd_opts *o, char *why)
{
	struct chatd_opts dopts = *o;
	char answer[CHAT_WHY_MAX];
	size_t got = 0;
	int pipefd[2], wstatus;
	pid_t pid;

	dopts.foreground = false;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot make a pipe: %s",
			 strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		close(pipefd[0]);
		if (setsid() < 0)
			_exit(EXIT_FAIL);
		signal(SIGHUP, SIG_IGN);
		pid = fork();
		if (pid < 0)
			_exit(EXIT_FAIL);
		if (pid > 0)
			_exit(EXIT_OK); /* the grandchild is init's now */
		daemon_child(&dopts, pipefd[1]);
	}
	close(pipefd[1]);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	for (;;) {
		ssize_t n = read(pipefd[0], answer + got, sizeof(answer) - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == sizeof(answer) - 1)
			break;
	}
	close(pipefd[0]);
	answer[got] = '\0';
	if (strcmp(answer, "ok\n") == 0)
		return 0;
	snprintf(why, CHAT_WHY_MAX, "%s", got ? answer :
		 "the server exited before it was ready");
	return -1;
}
