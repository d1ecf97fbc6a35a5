/*
 * room.c - members, requests and events (room.h).  A connection is a
 * member from the moment it is accepted; it goes through these states:
 *
 *   ADMITTING  held until its account is known, then let in (hello) or
 *              refused
 *   NAMING     let in, not in the room yet: /who, /help, /quit and the
 *              admin's requests work; a name (or an empty line for the
 *              login) enters
 *   IN         in the room: sees events, is seen in /who
 *   OUT        left, was put out, or the room closes: no leave notice
 *              when its connection ends
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chat/claims.h"
#include "chat/notify.h"
#include "chat/room.h"
#include "chat/server.h"
#include "chat/sock.h"
#include "chat/viewjob.h"
#include "chat/views.h"
#include "proc/proc.h"
#include "view/field.h"

enum member_state { M_ADMITTING, M_NAMING, M_IN, M_OUT };

struct member {
	struct conn *conn;
	size_t index;          /* in room->members */
	uid_t uid;
	gid_t gid;
	pid_t pid;
	enum member_state state;
	bool admin;            /* root or the owner */
	bool waiting;          /* on the resolver: to be let in, or a line */
	char name[CHAT_NAME_MAX + 1];
	char login[CHAT_NAME_MAX + 1];
	enum chat_kind kind;   /* what it runs pmon as (/as) */
	char tty[24];          /* its process's terminal, or "-" */
	time_t active;         /* its last line, for /who's idle time */
	double last_view;      /* mono_now of its last shared view */
	bool view_ready;       /* its view is made: post it (view_made) */
	int view_rc;
	struct shared_view view;
};

struct room {
	const struct chatd_opts *o;
	struct resolver *res;
	struct chatlog *log;
	bool log_failing;      /* said so once; say when it works again */
	uid_t owner;
	char owner_login[CHAT_NAME_MAX + 1];
	struct member **members;
	size_t n, cap;
	struct msg *history[CHAT_HISTORY_MAX];
	size_t hist_first, hist_count;
	struct msg *hello;     /* the greeting, shared by all */
	struct msg *help;      /* /help's answer, made from the table */
	struct buf fmt;        /* scratch: an event line being formatted */
	struct buf text;       /* scratch: a request's sanitised text */
	struct claim_table claims;
	struct view_jobs *views; /* the shared view being made, if any */
	struct member *view_for; /* and who holds a line for it */
	double last_view;      /* mono_now of the last shared view */
	unsigned long long messages; /* said in the room or privately */
};

static claim_ended_fn claim_ended;
static void list_claims(struct room *r, struct buf *out);

/* ---- events ---------------------------------------------------------- */

static void history_add(struct room *r, struct msg *m)
{
	size_t slot = (r->hist_first + r->hist_count) % CHAT_HISTORY_MAX;

	if (r->hist_count == CHAT_HISTORY_MAX) {
		msg_unref(r->history[r->hist_first]);
		r->hist_first = (r->hist_first + 1) % CHAT_HISTORY_MAX;
		r->hist_count--;
		slot = (r->hist_first + r->hist_count) % CHAT_HISTORY_MAX;
	}
	m->refs++;
	r->history[slot] = m;
	r->hist_count++;
}

/* The log is written as each event happens (one write of one line to an
 * O_APPEND file), so a crash loses nothing the room has seen.  A failure
 * is reported when it starts and when it ends, not for every event. */
static void log_event(struct room *r, const struct msg *m)
{
	char why[CHAT_WHY_MAX];

	if (!r->log)
		return;
	if (chatlog_append(r->log, m->data, m->len, why) < 0) {
		if (!r->log_failing)
			pmon_warn("%s", why);
		r->log_failing = true;
	} else if (r->log_failing) {
		pmon_warn("the log %s is written again",
			  chatlog_path(r->log));
		r->log_failing = false;
	}
}

/* On a terminal the foreground server shows the room as line mode does. */
static void show_event(struct room *r, const struct msg *m)
{
	struct chat_ev ev;
	struct buf out = {0};

	if (!r->o->foreground)
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
static struct msg *event_msg(struct room *r, const char *kind,
			     const char *name, const char *text,
			     size_t text_len)
{
	buf_reset(&r->fmt);
	chat_format_event(&r->fmt, (long long)time(NULL), kind, name, text,
			  text_len);
	buf_putc(&r->fmt, '\n');
	return msg_new(r->fmt.data, r->fmt.len);
}

/* m, queued (by reference) for everyone in the room except skip (the
 * member it came from, which knows already); the reference is used up. */
static void room_send_all(struct room *r, const struct member *skip,
			  struct msg *m)
{
	show_event(r, m);
	for (size_t i = 0; i < r->n; i++) {
		struct member *o = r->members[i];

		if (o != skip && o->state == M_IN)
			conn_push(o->conn, m);
	}
	msg_unref(m);
}

/* An event for the whole room: formatted once, kept in the history,
 * logged, and sent to all (room_send_all). */
static void room_post(struct room *r, const struct member *skip,
		      struct msg *m)
{
	history_add(r, m);
	log_event(r, m);
	room_send_all(r, skip, m);
}

static void room_event(struct room *r, const struct member *skip,
		       const char *kind, const char *name, const char *text,
		       size_t text_len)
{
	/* What members said (pmon metrics' pmon_room_messages_total). */
	if (strcmp(kind, "msg") == 0 || strcmp(kind, "me") == 0 ||
	    strcmp(kind, "announce") == 0)
		r->messages++;
	room_post(r, skip, event_msg(r, kind, name, text, text_len));
}

/* The name an event of m's shows: its name in the room, else its login
 * (a one-shot command such as pmon kill posts without entering). */
static const char *shown_name(const struct member *m)
{
	return m->state == M_IN ? m->name : m->login;
}

/*
 * An event the server attributes to m's account, to everyone in the
 * room (m included: its text is the server's, which m has not seen):
 * "event TIME KIND NAME UID TEXT".  text is the server's own, made from
 * checked fields and sanitised parts; the kind word, which is what makes
 * a line an action or a view, is never a client's.
 */
static void attributed_to(struct room *r, const char *name, uid_t uid,
			  const char *kind, const char *text, size_t len)
{
	buf_reset(&r->fmt);
	chat_format_attributed(&r->fmt, (long long)time(NULL), kind, name,
			       (unsigned)uid, text, len);
	buf_putc(&r->fmt, '\n');
	room_post(r, NULL, msg_new(r->fmt.data, r->fmt.len));
}

static void attributed_event(struct room *r, const struct member *m,
			     const char *kind, const char *text, size_t len)
{
	attributed_to(r, shown_name(m), m->uid, kind, text, len);
}

/* The last CHAT_REPLAY events, marked "history", as one message. */
static void replay_history(struct room *r, struct member *m)
{
	size_t n = r->hist_count < CHAT_REPLAY ? r->hist_count : CHAT_REPLAY;

	buf_reset(&r->fmt);
	for (size_t i = r->hist_count - n; i < r->hist_count; i++) {
		const struct msg *h =
			r->history[(r->hist_first + i) % CHAT_HISTORY_MAX];

		buf_puts(&r->fmt, "history ");
		buf_append(&r->fmt, h->data, h->len);
	}
	buf_printf(&r->fmt, "ok history %zu\n", n);
	conn_send(m->conn, r->fmt.data, r->fmt.len);
}

/* Sanitised text into r->text (room_event formats into r->fmt, so the
 * text is used from there without a copy); false when nothing is left. */
static bool clean_text(struct room *r, const char *t, size_t n)
{
	buf_reset(&r->text);
	chat_sanitize(&r->text, t, n);
	return r->text.len > 0;
}

/* ---- names ------------------------------------------------------------ */

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

static struct member *find_name(struct room *r, const char *name, size_t n)
{
	for (size_t i = 0; i < r->n; i++) {
		struct member *m = r->members[i];

		if (m->state == M_IN && !conn_gone(m->conn) &&
		    chat_name_equal(m->name, strlen(m->name), name, n))
			return m;
	}
	return NULL;
}

/* Hold the line being handled until the resolver answers (see
 * room_resolved); the handlers return what this returns. */
static bool wait_for_answer(struct member *m)
{
	m->waiting = true;
	return false;
}

/* May m be called name?  1: yes; 0: no (m is told why); -1: not known
 * yet (the resolver was asked whose login it is). */
static int name_ok(struct room *r, struct member *m, const char *name,
		   size_t n)
{
	char copy[CHAT_NAME_MAX + 1];
	struct member *other;
	struct name_owner own;

	if (!chat_name_valid(name, n)) {
		conn_sendf(m->conn, "error badname a name is 1 to %d letters,"
			   " digits, '_', '-' or '.', starting with a letter,"
			   " a digit or '_'", CHAT_NAME_MAX);
		return 0;
	}
	memcpy(copy, name, n);
	copy[n] = '\0';
	other = find_name(r, name, n);
	if (other && other != m) {
		conn_sendf(m->conn, "error nametaken the name %s is taken;"
			   " choose another", other->name);
		return 0;
	}
	/* getpwnam is exact: the name as given and in lower case. */
	if (resolver_name(r->res, copy, &own) == RESOLVE_PENDING)
		return -1;
	if ((own.exact >= 0 && (uid_t)own.exact != m->uid) ||
	    (own.lower >= 0 && (uid_t)own.lower != m->uid)) {
		conn_sendf(m->conn, "error notyours %s is the login name of"
			   " another account; choose another name", copy);
		return 0;
	}
	return 1;
}

static bool join(struct room *r, struct member *m, const char *name,
		 size_t n)
{
	int ok;

	if (n == 0) {
		name = m->login;
		n = strlen(m->login);
	}
	ok = name_ok(r, m, name, n);
	if (ok < 0)
		return wait_for_answer(m);
	if (ok == 0)
		return true;
	memcpy(m->name, name, n);
	m->name[n] = '\0';
	conn_set_deadline(m->conn, 0, NULL);
	conn_sendf(m->conn, "ok name %s", m->name);
	replay_history(r, m);
	m->state = M_IN;
	room_event(r, m, "join", m->name, NULL, 0);
	return true;
}

/* ---- requests (one function per row of CHAT_REQUESTS) ------------------ */

static bool req_me(struct room *r, struct member *m, const struct chat_req *q)
{
	if (clean_text(r, q->text, q->text_len))
		room_event(r, m, "me", m->name, r->text.data, r->text.len);
	return true;
}

static bool req_msg(struct room *r, struct member *m,
		    const struct chat_req *q)
{
	struct member *to = find_name(r, q->name, q->name_len);
	struct msg *ev;

	if (!to) {
		char w[CHAT_NAME_MAX + 1];

		conn_sendf(m->conn, "error nosuchname nobody called %s is in"
			   " the room; /who lists who is",
			   safe_word(q->name, q->name_len, w));
		return true;
	}
	if (!clean_text(r, q->text, q->text_len))
		return true;
	ev = event_msg(r, "private", m->name, r->text.data, r->text.len);
	r->messages++;
	conn_push(to->conn, ev);
	msg_unref(ev);
	conn_sendf(m->conn, "ok msg %s", to->name);
	return true;
}

static bool req_who(struct room *r, struct member *m,
		    const struct chat_req *q)
{
	struct buf out = {0};
	size_t n = 0;
	time_t now = time(NULL);

	(void)q;
	for (size_t i = 0; i < r->n; i++) {
		struct member *o = r->members[i];

		if (o->state == M_IN && !conn_gone(o->conn)) {
			buf_printf(&out, "who %s %s %u %s %s %lld\n", o->name,
				   o->login, (unsigned)o->uid,
				   chat_kind_word(o->kind), o->tty,
				   (long long)(now - o->active));
			n++;
		}
	}
	claims_expire(&r->claims, (long long)now, claim_ended, r);
	list_claims(r, &out);
	buf_printf(&out, "ok who %zu\n", n);
	conn_send(m->conn, out.data, out.len);
	buf_free(&out);
	return true;
}

/* One line of "key value" figures, for `pmon metrics`; a client reads
 * the keys it knows, so more can follow. */
static bool req_stats(struct room *r, struct member *m,
		      const struct chat_req *q)
{
	size_t in = 0;

	(void)q;
	for (size_t i = 0; i < r->n; i++)
		in += r->members[i]->state == M_IN;
	conn_sendf(m->conn, "ok stats clients %zu in_room %zu messages %llu"
		   " dropped_slow %llu", r->n, in, r->messages,
		   conns_slow_dropped(m->conn));
	return true;
}

static bool req_name(struct room *r, struct member *m,
		     const struct chat_req *q)
{
	char old[CHAT_NAME_MAX + 1];
	int ok;

	if (m->state != M_IN)
		return join(r, m, q->name, q->name_len);
	ok = name_ok(r, m, q->name, q->name_len);
	if (ok < 0)
		return wait_for_answer(m);
	if (ok == 0)
		return true;
	strcpy(old, m->name);
	memcpy(m->name, q->name, q->name_len);
	m->name[q->name_len] = '\0';
	conn_sendf(m->conn, "ok name %s", m->name);
	/* m's claims go by its new name */
	for (size_t i = 0; i < r->claims.n; i++)
		if (r->claims.v[i].holder == m)
			strcpy(r->claims.v[i].c.name, m->name);
	if (strcmp(old, m->name) != 0)
		room_event(r, m, "rename", old, m->name, strlen(m->name));
	return true;
}

static bool req_help(struct room *r, struct member *m,
		     const struct chat_req *q)
{
	(void)q;
	conn_push(m->conn, r->help);
	return true;
}

static bool req_quit(struct room *r, struct member *m,
		     const struct chat_req *q)
{
	if (m->state == M_IN) {
		clean_text(r, q->text, q->text_len);
		room_event(r, m, "leave", m->name, r->text.data, r->text.len);
	}
	m->state = M_OUT;
	conn_sendf(m->conn, "ok bye");
	conn_quit(m->conn);
	return true;
}

static bool req_announce(struct room *r, struct member *m,
			 const struct chat_req *q)
{
	if (!clean_text(r, q->text, q->text_len))
		return true;
	room_event(r, m, "announce", NULL, r->text.data, r->text.len);
	conn_sendf(m->conn, "ok announce");
	return true;
}

static bool req_kick(struct room *r, struct member *m,
		     const struct chat_req *q)
{
	struct member *t = find_name(r, q->name, q->name_len);
	struct buf why = {0};

	if (!t) {
		char w[CHAT_NAME_MAX + 1];

		conn_sendf(m->conn, "error nosuchname nobody called %s is in"
			   " the room", safe_word(q->name, q->name_len, w));
		return true;
	}
	buf_printf(&why, "kicked by %s", m->state == M_IN ? m->name : m->login);
	if (q->text_len) {
		buf_puts(&why, ": ");
		chat_sanitize(&why, q->text, q->text_len);
	}
	conn_sendf(t->conn, "error kicked %s", why.data);
	conn_sendf(m->conn, "ok kick %s", t->name);
	t->state = M_OUT;
	room_event(r, t, "leave", t->name, why.data, why.len);
	conn_quit(t->conn); /* closes once the notice is written */
	buf_free(&why);
	return true;
}

/* ---- coordination: client kinds, actions, claims, views ------------------ */

static bool req_as(struct room *r, struct member *m, const struct chat_req *q)
{
	int k = chat_kind_from_word(q->name, q->name_len);

	(void)r;
	if (k < 0) {
		conn_sendf(m->conn, "error usage %s",
			   chat_command_usage(REQ_AS));
		return true;
	}
	m->kind = (enum chat_kind)k;
	conn_sendf(m->conn, "ok as %s", chat_kind_word(m->kind));
	return true;
}

/* The claim, if any, that an action of m's on the process overrides. */
static void note_override(struct room *r, const struct member *m,
			  const struct chat_action_fields *f, struct buf *text)
{
	struct buf comm = {0};
	const struct chat_claim *c;

	buf_append(&comm, f->comm, f->comm_len);
	buf_putc(&comm, '\0');
	c = claims_other(&r->claims, m->uid, f->pid, f->start_ticks,
			 comm.data);
	if (c) {
		buf_printf(text, " (overriding the claim of %s, uid %u",
			   c->name, (unsigned)c->uid);
		if (c->reason[0])
			buf_printf(text, ": %s", c->reason);
		buf_putc(text, ')');
	}
	buf_free(&comm);
}

/*
 * Could m's account have done f?  The server cannot see a signal sent,
 * but it can see whose process it is: an action reported as done ("ok")
 * on a process that is still there (the same start time) and belongs to
 * another account is refused, unless m is root.  A process that is gone
 * cannot be checked: the event then says what the account reports, and
 * the uid says who reports it; when its PID now names another account's
 * process, the event says that too.  The name of a process that is
 * still there is the kernel's, not the report's.
 */
enum action_check { ACTION_FITS, ACTION_NOT_PERMITTED, ACTION_PID_REUSED };

/* What m may see of /proc (hidepid): the room learns no more through
 * the server than m could read. */
static struct view_asker asker_of(const struct member *m)
{
	return view_asker(m->uid, m->gid, conn_fd(m->conn));
}

/* May m see p under /proc's hidepid? */
static bool sees(const struct member *m, const struct proc *p)
{
	struct view_asker a = asker_of(m);

	return view_asker_sees(&a, p);
}

static enum action_check check_action(const struct member *m,
				      const struct chat_action_fields *f,
				      uid_t *owner, bool *hidden,
				      struct buf *comm)
{
	struct snapshot s;
	struct snapshot_query q = {.need = PI_UID | PI_START | PI_COMM,
				   .pids = &f->pid, .npids = 1};
	const struct proc *p;
	enum action_check c = ACTION_FITS;
	bool same;

	if (snapshot_take(&s, &q) < 0)
		return ACTION_FITS;
	p = snapshot_find(&s, f->pid);
	same = p && (!f->start_ticks || p->start_ticks == f->start_ticks);
	*hidden = p && !sees(m, p);
	if (same && p->comm && !*hidden)
		buf_puts(comm, p->comm);
	if (p && m->uid != 0 && strcmp(f->result, "ok") == 0 && p->uid != m->uid) {
		*owner = p->uid;
		c = same ? ACTION_NOT_PERMITTED : ACTION_PID_REUSED;
	}
	snapshot_free(&s);
	return c;
}

static bool req_action(struct room *r, struct member *m,
		       const struct chat_req *q)
{
	struct chat_action_fields f;
	struct buf comm = {0};
	uid_t owner = 0;
	bool hidden = false;
	enum action_check c;

	if (chat_action_parse(q->text, q->text_len, &f) < 0) {
		conn_sendf(m->conn, "error usage %s",
			   chat_command_usage(REQ_ACTION));
		return true;
	}
	c = check_action(m, &f, &owner, &hidden, &comm);
	if (c == ACTION_NOT_PERMITTED) {
		if (hidden) /* whose it is is not m's to learn */
			conn_sendf(m->conn, "error notpermitted process %d is"
				   " not uid %u's: not posted", (int)f.pid,
				   (unsigned)m->uid);
		else
			conn_sendf(m->conn, "error notpermitted process %d"
				   " belongs to uid %u, which uid %u may not"
				   " signal or reap: not posted", (int)f.pid,
				   (unsigned)owner, (unsigned)m->uid);
		buf_free(&comm);
		return true;
	}
	if (comm.len) {
		f.comm = comm.data;
		f.comm_len = comm.len;
	}
	buf_reset(&r->text);
	chat_action_text(&r->text, &f);
	if (c == ACTION_PID_REUSED && hidden)
		buf_printf(&r->text, " (not checked: PID %d now names another"
			   " process)", (int)f.pid);
	else if (c == ACTION_PID_REUSED)
		buf_printf(&r->text, " (not checked: PID %d now names another"
			   " process, of uid %u)", (int)f.pid, (unsigned)owner);
	note_override(r, m, &f, &r->text);
	attributed_event(r, m, "action", r->text.data, r->text.len);
	conn_sendf(m->conn, "ok action");
	buf_free(&comm);
	return true;
}

static bool req_notice(struct room *r, struct member *m,
		       const struct chat_req *q)
{
	if (clean_text(r, q->text, q->text_len))
		attributed_event(r, m, "notice", r->text.data, r->text.len);
	conn_sendf(m->conn, "ok notice");
	return true;
}

/* A PID word: 1 to INT_MAX in decimal; 0 when w is not one. */
static pid_t pid_word(const char *w, size_t n)
{
	char num[16];
	pid_t pid;

	if (n == 0 || n >= sizeof(num))
		return 0;
	memcpy(num, w, n);
	num[n] = '\0';
	return parse_pid(num, &pid) == 0 ? pid : 0;
}

/* s[0..n) sanitised into out as one word: spaces (a process name may
 * hold them) become '_', cut to fit; "-" when nothing is left. */
static void one_word(char *out, size_t size, const char *s, size_t n)
{
	struct buf b = {0};
	size_t len;

	chat_sanitize(&b, s, n);
	len = b.len < size - 1 ? b.len : utf8_cut(b.data, size - 1);
	for (size_t i = 0; i < len; i++)
		out[i] = b.data[i] == ' ' ? '_' : b.data[i];
	out[len] = '\0';
	if (!len)
		strcpy(out, "-");
	buf_free(&b);
}

/* The claim /claim asks for: a live process (its identity read now) or
 * a pattern.  false when m was told why not. */
static bool claim_target(struct member *m, const struct chat_req *q,
			 struct chat_claim *c)
{
	pid_t pid = pid_word(q->name, q->name_len);
	struct snapshot s;
	struct snapshot_query sq = {.need = PI_COMM | PI_START | PI_UID,
				    .pids = &pid, .npids = 1};
	const struct proc *p;

	if (!pid) {
		if (q->name_len > CHAT_CLAIM_WHAT_MAX ||
		    q->name_len < CHAT_CLAIM_PATTERN_MIN) {
			conn_sendf(m->conn, "error usage a pattern is %d to %d"
				   " bytes (it covers every process whose name"
				   " holds it)", CHAT_CLAIM_PATTERN_MIN,
				   CHAT_CLAIM_WHAT_MAX);
			return false;
		}
		one_word(c->what, sizeof(c->what), q->name, q->name_len);
		return true;
	}
	/* under hidepid, another's process is no process to m */
	if (snapshot_take(&s, &sq) < 0 || !(p = snapshot_find(&s, pid)) ||
	    !sees(m, p)) {
		snapshot_free(&s); /* zeroed by a failed take */
		conn_sendf(m->conn, "error nosuchprocess no process %d",
			   (int)pid);
		return false;
	}
	c->pid = pid;
	c->start_ticks = p->start_ticks;
	one_word(c->what, sizeof(c->what), p->comm ? p->comm : "",
		 p->comm ? strlen(p->comm) : 0);
	snapshot_free(&s);
	return true;
}

static bool req_claim(struct room *r, struct member *m,
		      const struct chat_req *q)
{
	struct chat_claim c = {0};
	struct buf what = {0};
	int put;

	if (!claim_target(m, q, &c))
		return true;
	snprintf(c.name, sizeof(c.name), "%s", m->name);
	c.uid = m->uid;
	c.expires = (long long)time(NULL) + (long long)r->o->claim_ttl;
	if (clean_text(r, q->text, q->text_len))
		snprintf(c.reason, sizeof(c.reason), "%.*s",
			 (int)(r->text.len <= CHAT_CLAIM_REASON_MAX ? r->text.len :
			       utf8_cut(r->text.data, CHAT_CLAIM_REASON_MAX)),
			 r->text.data); /* cut on a character */
	put = claims_put(&r->claims, m, &c);
	if (put < 0) {
		conn_sendf(m->conn, "error toomany claims: %d each, %d in the"
			   " room at most; /release some", CHAT_CLAIMS_PER_MEMBER,
			   CHAT_CLAIMS_MAX);
		return true;
	}
	buf_puts(&what, put ? "renews the claim on " : "claims ");
	chat_claim_target(&what, &c);
	buf_puts(&what, " for ");
	chat_format_duration(&what, (long long)r->o->claim_ttl);
	if (c.reason[0])
		buf_printf(&what, ": %s", c.reason);
	conn_sendf(m->conn, "ok claim");
	attributed_event(r, m, "claim", what.data, what.len);
	buf_free(&what);
	return true;
}

/* A claim has ended: the room is told, in the name of its holder. */
static void claim_ended(void *ctx, const struct chat_claim *c,
			const void *holder, const char *why)
{
	struct room *r = ctx;
	struct buf text = {0};

	(void)holder;
	buf_puts(&text, "no longer claims ");
	chat_claim_target(&text, c);
	buf_printf(&text, " (%s)", why);
	attributed_to(r, c->name, c->uid, "claim", text.data, text.len);
	buf_free(&text);
}

static bool req_release(struct room *r, struct member *m,
			const struct chat_req *q)
{
	char what[CHAT_CLAIM_WHAT_MAX + 1];
	pid_t pid = pid_word(q->name, q->name_len);
	size_t n;

	if (q->name_len && !pid)
		one_word(what, sizeof(what), q->name, q->name_len);
	n = claims_drop(&r->claims, m, pid,
			q->name_len && !pid ? what : NULL, "released",
			claim_ended, r);
	conn_sendf(m->conn, "ok release %zu", n);
	return true;
}

/* "claim NAME UID PID START EXPIRES WHAT [REASON]" for each claim. */
static void list_claims(struct room *r, struct buf *out)
{
	for (size_t i = 0; i < r->claims.n; i++) {
		const struct chat_claim *c = &r->claims.v[i].c;

		buf_printf(out, "claim %s %u %d %llu %lld %s%s%s\n", c->name,
			   (unsigned)c->uid, (int)c->pid, c->start_ticks,
			   c->expires, c->what, c->reason[0] ? " " : "",
			   c->reason);
	}
}

static bool req_claims(struct room *r, struct member *m,
		       const struct chat_req *q)
{
	struct buf out = {0};

	(void)q;
	claims_expire(&r->claims, (long long)time(NULL), claim_ended, r);
	list_claims(r, &out);
	buf_printf(&out, "ok claims %zu\n", r->claims.n);
	conn_send(m->conn, out.data, out.len);
	buf_free(&out);
	return true;
}

/* May m show the room a view now?  Told why not when it may not. */
static bool view_allowed(struct room *r, struct member *m)
{
	double now = mono_now();
	double wait = 0;

	if (m->last_view && now - m->last_view < CHAT_VIEW_INTERVAL)
		wait = CHAT_VIEW_INTERVAL - (now - m->last_view);
	else if (r->last_view && now - r->last_view < CHAT_VIEW_ROOM_INTERVAL)
		wait = CHAT_VIEW_ROOM_INTERVAL - (now - r->last_view);
	if (wait > 0) {
		conn_sendf(m->conn, "error slowdown one shared view every %g s"
			   " each (%g s for the room); try again in %.1f s",
			   CHAT_VIEW_INTERVAL, CHAT_VIEW_ROOM_INTERVAL, wait);
		return false;
	}
	m->last_view = r->last_view = now;
	return true;
}

/* Post a view computed for m (or tell m why there is none). */
static bool post_view(struct room *r, struct member *m, int rc,
		      struct shared_view *v)
{
	if (rc < 0) {
		conn_sendf(m->conn, "error noview %s", v->head.data ?
			   v->head.data : "nothing to show");
		view_free(v);
		return true;
	}
	if (v->total > v->n)
		buf_printf(&v->head, " (the first %zu shown)", v->n);
	attributed_event(r, m, "view", v->head.data, v->head.len);
	/* The rows go to those present only: kept in the history they
	 * would push the conversation out of what newcomers see, and the
	 * log keeps who asked for what (the head), not the table. */
	for (size_t i = 0; i < v->n; i++)
		room_send_all(r, NULL, event_msg(r, "viewrow", NULL,
						 v->rows[i].data,
						 v->rows[i].len));
	conn_sendf(m->conn, "ok view %zu", v->n);
	view_free(v);
	return true;
}

/* The PID argument of /tree and /inspect, or 0 (m told). */
static pid_t view_pid(struct member *m, const struct chat_req *q)
{
	pid_t pid = pid_word(q->name, q->name_len);

	if (!pid)
		conn_sendf(m->conn, "error usage %s",
			   chat_command_usage(q->kind));
	return pid;
}

/* The view m's held line waits for is made (viewjob.h): the line comes
 * again, and view_request posts it. */
static void view_made(void *ctx, int rc, struct shared_view *v)
{
	struct room *r = ctx;
	struct member *m = r->view_for;

	r->view_for = NULL;
	if (!m) {
		view_free(v);
		return;
	}
	m->view = *v;
	m->view_rc = rc;
	m->view_ready = true;
	conn_release(m->conn);
}

/*
 * A shared view for m: made in a child process (viewjob.h), m's line held
 * meanwhile (so that what m sends next is answered after it), and posted
 * when the line comes again.  The rest of the room goes on as it is made.
 */
static bool view_request(struct room *r, struct member *m,
			 struct view_order *o)
{
	if (m->view_ready) {
		m->view_ready = false;
		return post_view(r, m, m->view_rc, &m->view);
	}
	if (view_jobs_busy(r->views)) {
		conn_sendf(m->conn, "error slowdown a shared view is being made;"
			   " try again in a moment");
		return true;
	}
	if (!view_allowed(r, m))
		return true;
	o->asker = asker_of(m);
	if (view_jobs_start(r->views, o, view_made, r) < 0) {
		conn_sendf(m->conn, "error noview cannot start making it: %s",
			   strerror(errno));
		return true;
	}
	r->view_for = m;
	return false;
}

static bool req_zombies(struct room *r, struct member *m,
			const struct chat_req *q)
{
	struct view_order o = {.kind = VIEW_ZOMBIES};

	(void)q;
	return view_request(r, m, &o);
}

static bool req_tree(struct room *r, struct member *m,
		     const struct chat_req *q)
{
	struct view_order o = {.kind = VIEW_TREE, .pid = view_pid(m, q)};

	return !o.pid || view_request(r, m, &o);
}

static bool req_ps(struct room *r, struct member *m, const struct chat_req *q)
{
	struct view_order o = {.kind = VIEW_PS, .pattern_len = q->name_len};

	memcpy(o.pattern, q->name, q->name_len);
	return view_request(r, m, &o);
}

static bool req_inspect(struct room *r, struct member *m,
			const struct chat_req *q)
{
	struct view_order o = {.kind = VIEW_INSPECT, .pid = view_pid(m, q)};

	return !o.pid || view_request(r, m, &o);
}

/* A request's handler: false holds the line (wait_for_answer). */
typedef bool req_handler(struct room *r, struct member *m,
			 const struct chat_req *q);

static req_handler *const handlers[] = {
#define CHAT_HANDLER_ROW(id, word, args, admin, named, fn, help) [REQ_##id] = fn,
	CHAT_REQUESTS(CHAT_HANDLER_ROW)
#undef CHAT_HANDLER_ROW
};

/* /help: the table's usages and help, then "ok help". */
static struct msg *help_msg(void)
{
	struct buf b = {0};
	struct msg *m;

	buf_printf(&b, "help %-21s send TEXT to the room (//TEXT sends"
		   " /TEXT)\n", "TEXT");
	for (size_t k = 0; k < ARRAY_LEN(handlers); k++) {
		const struct chat_command *cmd = chat_command_of(k);

		if (cmd)
			buf_printf(&b, "help %-21s %s%s\n", cmd->usage,
				   cmd->admin_only ? "[admin] " : "",
				   cmd->help);
	}
	buf_puts(&b, "ok help\n");
	m = msg_new(b.data, b.len);
	buf_free(&b);
	return m;
}

/* Text, or an empty line: a message once in; before, a name. */
static bool text_line(struct room *r, struct member *m,
		      const struct chat_req *q)
{
	if (m->state != M_IN)
		return join(r, m, q->text, q->text_len);
	if (q->kind == REQ_TEXT && clean_text(r, q->text, q->text_len))
		room_event(r, m, "msg", m->name, r->text.data, r->text.len);
	return true;
}

static bool room_line(void *ctx, struct conn *c, const char *line, size_t len)
{
	struct room *r = ctx;
	struct member *m = conn_user(c);
	const struct chat_command *cmd;
	struct chat_req q;
	char w[CHAT_NAME_MAX + 1];

	m->waiting = false;
	m->active = time(NULL);
	chat_parse_request(line, len, &q);
	if (q.kind == REQ_EMPTY || q.kind == REQ_TEXT)
		return text_line(r, m, &q);
	if (q.kind == REQ_UNKNOWN) {
		conn_sendf(c, "error unknown no command /%s; /help lists them"
			   " (//TEXT sends a line starting with /)",
			   safe_word(q.word, q.word_len, w));
		return true;
	}
	if (q.kind == REQ_USAGE) {
		conn_sendf(c, "error usage %s", chat_command_usage(q.command));
		return true;
	}
	cmd = chat_command_of(q.kind);
	if (cmd->admin_only && !m->admin) {
		conn_sendf(c, "error notadmin only root or the server's owner"
			   " (%s) may %s", r->owner_login, cmd->word);
		return true;
	}
	if (cmd->needs_name && m->state != M_IN) {
		conn_sendf(c, "error notjoined give a name first (a line with"
			   " just the name)");
		return true;
	}
	return handlers[q.kind](r, m, &q);
}

/* ---- members coming and going -------------------------------------------- */

static void refuse(struct member *m, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void refuse(struct member *m, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	m->state = M_OUT;
	conn_sendf(m->conn, "%s", line);
	conn_quit(m->conn);
}

/* Let m in once its account is known, or refuse it. */
static void admit(struct room *r, struct member *m)
{
	const struct chatd_opts *o = r->o;
	struct account a;

	if (resolver_account(r->res, m->uid, &a) == RESOLVE_PENDING) {
		m->waiting = true;
		return;
	}
	m->waiting = false;
	/* A login that is no name of the room ("ann@corp.example" from
	 * sssd) is shown as uidN: in events, which clients would otherwise
	 * drop as malformed, and as the name an empty first line asks for. */
	if (chat_name_valid(a.login, strlen(a.login)))
		snprintf(m->login, sizeof(m->login), "%s", a.login);
	else
		snprintf(m->login, sizeof(m->login), "uid%u", (unsigned)m->uid);
	if (!chat_peer_allowed(m->uid, m->gid, r->owner, o->has_group,
			       o->group, a.in_group)) {
		refuse(m, "error denied %s is not root, not the server's owner"
		       " (%s)%s%s; ask the owner to run chatd with --group",
		       m->login, r->owner_login,
		       o->has_group ? " and not in group " : "",
		       o->has_group ? o->group_name : "");
		return;
	}
	m->state = M_NAMING;
	conn_push(m->conn, r->hello);
	conn_release(m->conn);
}

/* The terminal of m's process (stat's tty_nr, which anyone may read),
 * for /who: read by the server, not told by the client. */
static void member_tty(struct member *m)
{
	struct snapshot s;
	struct snapshot_query q = {.need = PI_TTY, .pids = &m->pid,
				   .npids = 1};
	const struct proc *p;
	struct buf b = {0};

	strcpy(m->tty, "-");
	if (m->pid <= 0 || snapshot_take(&s, &q) < 0)
		return;
	p = snapshot_find(&s, m->pid);
	if (p && p->tty_nr) {
		tty_name(p->tty_nr, &b);
		one_word(m->tty, sizeof(m->tty), b.data, b.len);
	}
	buf_free(&b);
	snapshot_free(&s);
}

/* Connections uid holds (in any state: each holds a descriptor). */
static unsigned held_by(const struct room *r, uid_t uid)
{
	unsigned n = 0;

	for (size_t i = 0; i < r->n; i++)
		n += r->members[i]->uid == uid;
	return n;
}

void room_enter(struct room *r, struct conn *c, uid_t uid, gid_t gid,
		pid_t pid)
{
	struct member *m = xcalloc(1, sizeof(*m));
	unsigned limit = r->o->per_account;
	unsigned held = held_by(r, uid);

	m->conn = c;
	m->uid = uid;
	m->gid = gid;
	m->pid = pid;
	m->admin = uid == 0 || uid == r->owner;
	m->state = M_ADMITTING;
	m->active = time(NULL);
	member_tty(m);
	conn_set_user(c, m);
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->members = xreallocarray(r->members, r->cap,
					   sizeof(*r->members));
	}
	m->index = r->n;
	r->members[r->n++] = m;
	/* One account cannot fill the room; root and the owner, who can
	 * stop it anyway, are not counted. */
	if (limit && !m->admin && held >= limit) {
		refuse(m, "error toomany uid %u has %u connections to the room"
		       " already, the most one account may have; close one",
		       (unsigned)uid, held);
		return;
	}
	/* A connection that never names itself would hold its descriptor
	 * for ever: it has name_timeout seconds from now, waiting for its
	 * account included. */
	if (r->o->name_timeout > 0) {
		char why[96];

		snprintf(why, sizeof(why), "no name given within %g s",
			 r->o->name_timeout);
		conn_set_deadline(c, mono_now() + r->o->name_timeout, why);
	}
	admit(r, m);
}

void room_resolved(struct room *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct member *m = r->members[i];

		if (!m->waiting || conn_gone(m->conn))
			continue;
		if (m->state == M_ADMITTING)
			admit(r, m);
		else
			conn_release(m->conn); /* the held line comes again */
	}
}

static void room_closed(void *ctx, struct conn *c, const char *why)
{
	struct room *r = ctx;
	struct member *m = conn_user(c);

	if (!m)
		return;
	if (m->state == M_IN)
		room_event(r, m, "leave", m->name, why, why ? strlen(why) : 0);
	claims_drop(&r->claims, m, 0, NULL, "left the room", claim_ended, r);
	if (r->view_for == m) {
		view_jobs_cancel(r->views);
		r->view_for = NULL;
	}
	if (m->view_ready)
		view_free(&m->view);
	r->members[m->index] = r->members[--r->n];
	r->members[m->index]->index = m->index;
	free(m);
}

const struct conn_ops room_conn_ops = {
	.line = room_line,
	.closed = room_closed,
};

/* ---- the room as a whole ----------------------------------------------- */

struct room *room_new(const struct chatd_opts *o, struct resolver *res,
		      struct loop *loop)
{
	struct room *r = xcalloc(1, sizeof(*r));
	char host[64] = "localhost", hello[128];
	struct account a;
	int n;

	r->o = o;
	r->res = res;
	r->views = view_jobs_new(loop, o->view_timeout);
	r->owner = geteuid();
	resolver_pin(res, 0, NULL);
	resolver_pin(res, r->owner, &a);
	snprintf(r->owner_login, sizeof(r->owner_login), "%s", a.login);
	gethostname(host, sizeof(host) - 1);
	n = snprintf(hello, sizeof(hello), "hello %s %d %s\n",
		     CHAT_PROTO_NAME, CHAT_PROTO_VERSION, host);
	r->hello = msg_new(hello, (size_t)n);
	r->help = help_msg();
	return r;
}

void room_free(struct room *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		if (r->members[i]->view_ready)
			view_free(&r->members[i]->view);
		free(r->members[i]);
	}
	free(r->members);
	for (size_t i = 0; i < r->hist_count; i++)
		msg_unref(r->history[(r->hist_first + i) % CHAT_HISTORY_MAX]);
	msg_unref(r->hello);
	msg_unref(r->help);
	claims_free(&r->claims);
	view_jobs_free(r->views);
	buf_free(&r->fmt);
	buf_free(&r->text);
	free(r);
}

int room_tick(struct room *r)
{
	long long now = (long long)time(NULL), next;
	int views = view_jobs_tick(r->views), claims;

	claims_expire(&r->claims, now, claim_ended, r);
	next = claims_next_expiry(&r->claims);
	if (!next)
		return views;
	claims = next <= now ? 0 : (int)((next - now) * 1000 > 60000 ? 60000 :
					 (next - now) * 1000);
	return views >= 0 && views < claims ? views : claims;
}

void room_set_log(struct room *r, struct chatlog *l)
{
	r->log = l;
	r->log_failing = false;
}

void room_announce(struct room *r, const char *text, size_t n)
{
	if (clean_text(r, text, n))
		room_event(r, NULL, "announce", NULL, r->text.data,
			   r->text.len);
}

void room_shutdown(struct room *r, const char *why)
{
	room_event(r, NULL, "shutdown", NULL, why, strlen(why));
	/* Everyone goes at once: no leave notice for each. */
	for (size_t i = 0; i < r->n; i++) {
		r->members[i]->state = M_OUT;
		conn_quit(r->members[i]->conn);
	}
}

void room_history_line(void *room, const char *line, size_t n)
{
	struct room *r = room;
	struct chat_ev ev;
	struct buf clean = {0};
	struct msg *m;

	chat_sanitize(&clean, line, n);
	chat_parse_event(clean.data ? clean.data : "", clean.len, &ev);
	if (ev.kind >= EV_JOIN && ev.kind != EV_PRIVATE && !ev.history &&
	    strncmp(clean.data, "event ", 6) == 0) {
		buf_putc(&clean, '\n');
		m = msg_new(clean.data, clean.len);
		history_add(r, m);
		msg_unref(m);
	}
	buf_free(&clean);
}
