/*
 * linemode.c - the plain client: lines in, events out (linemode.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chat/linemode.h"
#include "chat/notify.h"

#define ANSWER_TIMEOUT_S 10 /* for an answer to a request */

/* The server's "error CODE TEXT", sanitised, on stderr. */
static void warn_error(const struct chat_ev *ev)
{
	struct buf t = {0};

	chat_sanitize(&t, ev->text, ev->text_len);
	pmon_warn("%s", t.data ? t.data : "refused");
	buf_free(&t);
}

/* A "claim ..." line (the answer to /who or /claims) as people read it. */
static void print_claim(const struct chat_line *l)
{
	struct chat_claim c;
	struct buf out = {0};

	if (!chat_claim_parse(l->text, l->len, &c))
		return;
	buf_puts(&out, "  ");
	chat_claim_format(&out, &c, (long long)time(NULL));
	printf("%s\n", out.data);
	buf_free(&out);
}

/* Print one server line; *shutdown is set when the room closed, *kicked
 * when we were put out (neither is a reason to reconnect). */
static void show_line(const struct chat_line *l, bool *shutdown,
		      bool *kicked)
{
	struct chat_ev ev;
	struct buf out = {0};

	chat_parse_event(l->text, l->len, &ev);
	if (ev.kind == EV_CLAIMLINE) {
		print_claim(l);
	} else if (chat_format_plain(&ev, &out)) {
		if (ev.kind == EV_SHUTDOWN)
			*shutdown = true;
		printf("%s\n", out.data);
	} else if (ev.kind == EV_HELP) {
		chat_sanitize(&out, ev.text, ev.text_len);
		printf("%s\n", out.data);
	} else if (ev.kind == EV_ERROR) {
		fflush(stdout);
		warn_error(&ev);
		if (chat_ev_word_is(&ev, "kicked"))
			*kicked = true;
	}
	buf_free(&out);
}

/* One input line to the room.  A CR before its newline is the protocol's
 * CRLF and dropped; anything else that could end or cut the request is
 * refused, with a word on stderr, rather than let through as a second
 * request.  True when the line sent was a /quit. */
static bool send_line(struct chat_client *c, const char *s, size_t n,
		      unsigned long lineno)
{
	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (chat_client_send(c, s, n) < 0) {
		pmon_warn("input line %lu not sent: %s", lineno,
			  CHAT_LINE_RULE);
		return false;
	}
	return chat_request_quits(s, n);
}

struct line_state {
	struct buf in;      /* stdin bytes not yet a whole line */
	unsigned long lineno; /* of the last line sent, for warnings */
	bool stdin_open;
	bool quit_sent;     /* we are leaving: the end of the connection is ours */
	bool shutdown;      /* the server said it is closing */
	bool kicked;        /* the administrator put us out */
};

/* Send the complete lines in st->in; keep a partial one.  After a
 * "/quit" typed by the user nothing more is read or sent: the room is
 * closing the connection, which then ends pmon (not a reconnect). */
static void send_input(struct chat_client *c, struct line_state *st)
{
	struct buf *in = &st->in;
	size_t off = 0;
	char *nl;

	while (!st->quit_sent && (nl = memchr(in->data + off, '\n', in->len - off))) {
		size_t n = (size_t)(nl - (in->data + off));

		if (send_line(c, in->data + off, n, ++st->lineno)) {
			st->quit_sent = true;
			st->stdin_open = false;
		}
		off += n + 1;
	}
	memmove(in->data, in->data + off, in->len - off);
	in->len -= off;
}

/* Send what stdin has; at its end, what is left and "/quit". */
static void read_stdin(struct chat_client *c, struct line_state *st)
{
	char chunk[4096];
	ssize_t n = read(STDIN_FILENO, chunk, sizeof(chunk));

	if (n > 0) {
		buf_append(&st->in, chunk, (size_t)n);
		send_input(c, st);
		return;
	}
	if (n < 0 && errno == EINTR)
		return;
	/* The last line without its newline may be the /quit itself. */
	if (!st->in.len || !send_line(c, st->in.data, st->in.len, ++st->lineno))
		(void)chat_client_send(c, "/quit", 5);
	st->in.len = 0;
	st->stdin_open = false;
	st->quit_sent = true;
}

static void show_pending(struct chat_client *c, struct line_state *st)
{
	struct chat_line l;

	while (chat_client_line(c, &l))
		show_line(&l, &st->shutdown, &st->kicked);
	fflush(stdout);
}

/* The connection ended: done (false), or back in the room (true). */
static bool connection_ended(struct chat_client *c, struct line_state *st,
			     const char *name, int *status)
{
	char why[CHAT_WHY_MAX];

	show_pending(c, st);
	if (st->kicked)
		*status = EXIT_FAIL;
	if (st->quit_sent || st->shutdown || st->kicked)
		return false;
	pmon_warn("lost the connection to the room on %s; reconnecting",
		  c->path);
	if (chat_client_reconnect(c, c->name[0] ? c->name : name, why) < 0) {
		pmon_warn("could not get back into the room: %s", why);
		*status = EXIT_FAIL;
		return false;
	}
	pmon_warn("back in the room as %s", c->name);
	return true;
}

int chat_line_mode(struct chat_client *c, const char *name, double deadline)
{
	struct line_state st = {.stdin_open = true};
	char why[CHAT_WHY_MAX];
	bool refused;
	int status = EXIT_OK;
	double leave_by = 0;

	if (chat_client_join(c, name, deadline, why, &refused) < 0) {
		pmon_warn("%s", why);
		return EXIT_FAIL;
	}
	for (;;) {
		struct pollfd p[2] = {
			{.fd = c->fd, .events = POLLIN},
			{.fd = STDIN_FILENO, .events = POLLIN},
		};
		int r;

		show_pending(c, &st);
		if (c->out.len)
			p[0].events |= POLLOUT;
		/* Hold stdin back while the server is slow to take it. */
		if (!st.stdin_open || c->out.len > 65536)
			p[1].fd = -1;
		/* Leaving: the room has ANSWER_TIMEOUT_S to see us out (a
		 * stopped server once held a cron job here for ever). */
		if (st.quit_sent && !leave_by)
			leave_by = mono_now() + ANSWER_TIMEOUT_S;
		if (leave_by && mono_now() >= leave_by) {
			pmon_warn("the room on %s did not see us out in %d s (its"
				  " server is stopped or stuck?): what was sent may"
				  " not have been handled", c->path, ANSWER_TIMEOUT_S);
			status = EXIT_FAIL;
			break;
		}
		if (poll(p, 2, leave_by ? (int)((leave_by - mono_now()) * 1000) + 1 : -1) < 0) {
			if (errno == EINTR)
				continue;
			pmon_warn_errno(errno, "cannot wait for input");
			status = EXIT_FAIL;
			break;
		}
		if (p[0].revents & POLLOUT)
			(void)chat_client_flush(c);
		if (p[1].revents)
			read_stdin(c, &st);
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = chat_client_read(c);
		if (r > 0 || (r < 0 && (errno == EAGAIN || errno == EINTR)))
			continue;
		if (!connection_ended(c, &st, name, &status))
			break;
	}
	buf_free(&st.in);
	return status;
}

/* Send lines and wait for "ok WORD" (0) or an error (1, reported). */
static int request(struct chat_client *c, const char *line, const char *word,
		   void (*each)(const struct chat_ev *ev,
				const struct chat_line *l))
{
	struct chat_line l;
	struct chat_ev ev;

	if (chat_client_send(c, line, strlen(line)) < 0) {
		pmon_warn("not sent: %s", CHAT_LINE_RULE);
		return EXIT_FAIL;
	}
	while (chat_client_wait_line(c, &l, mono_now() + ANSWER_TIMEOUT_S) == 0) {
		chat_parse_event(l.text, l.len, &ev);
		if (ev.kind == EV_ERROR) {
			warn_error(&ev);
			return EXIT_FAIL;
		}
		if (ev.kind == EV_OK && chat_ev_word_is(&ev, word))
			return EXIT_OK;
		if (each)
			each(&ev, &l);
	}
	pmon_warn("the room on %s did not answer", c->path);
	return EXIT_FAIL;
}

int chat_oneshot_announce(struct chat_client *c, const char *text)
{
	struct buf line = {0};
	int status;

	buf_puts(&line, "/announce ");
	buf_puts(&line, text);
	status = request(c, line.data, "announce", NULL);
	buf_free(&line);
	(void)chat_client_send(c, "/quit", 5);
	return status;
}

static void print_who(const struct chat_ev *ev, const struct chat_line *l)
{
	struct buf name = {0}, login = {0}, tty = {0}, as = {0};

	if (ev->kind == EV_CLAIMLINE) {
		print_claim(l);
		return;
	}
	if (ev->kind != EV_WHO)
		return;
	chat_sanitize(&name, ev->name, ev->name_len);
	chat_sanitize(&login, ev->text, ev->text_len);
	chat_sanitize(&as, ev->as, ev->as_len);
	chat_sanitize(&tty, ev->tty, ev->tty_len);
	buf_putc(&name, '\0');
	buf_putc(&login, '\0');
	buf_putc(&as, '\0');
	buf_putc(&tty, '\0');
	printf("%-16s %-16s %-6lld %-5s %-8s ", name.data, login.data,
	       ev->uid, as.data, tty.data);
	buf_reset(&name);
	chat_format_duration(&name, ev->idle);
	printf("%s\n", name.data);
	buf_free(&name);
	buf_free(&login);
	buf_free(&as);
	buf_free(&tty);
}

int chat_oneshot_who(struct chat_client *c)
{
	int status;

	printf("%-16s %-16s %-6s %-5s %-8s %s\n", "NAME", "LOGIN", "UID",
	       "AS", "TTY", "IDLE");
	status = request(c, "/who", "who", print_who);
	(void)chat_client_send(c, "/quit", 5);
	return finish_stdout(status);
}

static void print_claim_line(const struct chat_ev *ev,
			     const struct chat_line *l)
{
	if (ev->kind == EV_CLAIMLINE)
		print_claim(l);
}

int chat_oneshot_claims(struct chat_client *c)
{
	int status = request(c, "/claims", "claims", print_claim_line);

	(void)chat_client_send(c, "/quit", 5);
	return finish_stdout(status);
}

int chat_oneshot_send(struct chat_client *c, const char *name,
		      const char *text, double deadline)
{
	char why[CHAT_WHY_MAX];
	struct buf line = {0};
	struct chat_line l;
	bool refused;

	if (chat_client_join(c, name, deadline, why, &refused) < 0) {
		pmon_warn("%s", why);
		return EXIT_FAIL;
	}
	/* "//x" keeps a leading slash as text: --send sends text only. */
	if (text[0] == '/')
		buf_putc(&line, '/');
	buf_puts(&line, text);
	if (chat_client_send(c, line.data, line.len) < 0) {
		pmon_warn("not sent: %s", CHAT_LINE_RULE);
		buf_free(&line);
		return EXIT_FAIL;
	}
	buf_free(&line);
	(void)chat_client_send(c, "/quit", 5);
	/* The room handles a client's lines in order, so "ok bye" says the
	 * message was handled.  A close alone does not: a server killed
	 * after reading the message, before handling it, closes too. */
	while (chat_client_wait_line(c, &l, mono_now() + ANSWER_TIMEOUT_S) == 0) {
		struct chat_ev ev;

		chat_parse_event(l.text, l.len, &ev);
		if (ev.kind == EV_ERROR) {
			warn_error(&ev);
			return EXIT_FAIL;
		}
		if (ev.kind == EV_OK && chat_ev_word_is(&ev, "bye"))
			return EXIT_OK;
	}
	if (errno == ETIMEDOUT)
		pmon_warn("the room on %s did not confirm the message in %d s"
			  " (its server is stopped or stuck?): it may not have"
			  " been sent", c->path, ANSWER_TIMEOUT_S);
	else
		pmon_warn("the room closed before it confirmed the message (its"
			  " server stopped?): it may not have been sent");
	return EXIT_FAIL;
}
