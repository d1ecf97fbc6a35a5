/*
 * client.c - connecting to the room and talking pmon-chat/1 (client.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chat/client.h"
#include "chat/server.h"

/* ---- signals ------------------------------------------------------------ */

static volatile sig_atomic_t caught;
static int sig_pipe[2] = {-1, -1};
static pid_t catcher; /* a server started by fork inherits the handler */

static void on_signal(int sig)
{
	int saved = errno;

	if (getpid() != catcher) {
		/* the detached server, between fork and its own setup */
		signal(sig, SIG_DFL);
		raise(sig);
	} else {
		if (!caught)
			caught = sig;
		(void)!write(sig_pipe[1], "", 1);
	}
	errno = saved;
}

static const int stop_signals[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM,
				   SIGUSR1, SIGUSR2, SIGALRM};

int chat_catch_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	if (sig_pipe[0] < 0 && pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	catcher = getpid();
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_LEN(stop_signals); i++)
		sigaddset(&sa.sa_mask, stop_signals[i]);
	/* No SA_RESTART: a blocking call returns, and its caller looks. */
	for (size_t i = 0; i < ARRAY_LEN(stop_signals); i++)
		if (sigaction(stop_signals[i], &sa, NULL) < 0)
			return -1;
	return 0;
}

void chat_hold_signals(bool hold)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_LEN(stop_signals); i++)
		sigaddset(&set, stop_signals[i]);
	(void)sigprocmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

int chat_caught_signal(void)
{
	return caught;
}

int chat_signal_fd(void)
{
	return sig_pipe[0];
}

void chat_die_of_caught_signal(void)
{
	int sig = caught;

	if (!sig)
		return;
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Milliseconds from now to the mono_now time t, rounded up; 0 if past. */
static int ms_until(double t)
{
	double ms = ceil((t - mono_now()) * 1000);

	return ms <= 0 ? 0 : ms > 60000 ? 60000 : (int)ms;
}

void chat_pause_until(double until)
{
	int ms;

	while (!caught && (ms = ms_until(until)) > 0) {
		struct pollfd p = {.fd = sig_pipe[0], .events = POLLIN};

		(void)poll(&p, 1, ms);
	}
}

/* ---- connecting ------------------------------------------------------------ */

void chat_client_init(struct chat_client *c, const char *path, bool autostart)
{
	*c = (struct chat_client){.path = path, .autostart = autostart,
				  .fd = -1};
}

void chat_client_close(struct chat_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	buf_free(&c->in);
	buf_free(&c->out);
	c->in_off = 0;
	c->discarding = false;
}

/* The server must be root or this user: anyone else could be posing. */
static int check_server(int fd, const char *path, char *why)
{
	uid_t uid;
	gid_t gid;
	pid_t pid;
	char login[64];

	if (chat_peer_cred(fd, &uid, &gid, &pid) < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot learn who runs the server"
			 " on %s: %s", path, strerror(errno));
		return -1;
	}
	if (uid == 0 || uid == getuid())
		return 0;
	chat_login_name(uid, login, sizeof(login));
	snprintf(why, CHAT_WHY_MAX, "the server on %s runs as %s (uid %u),"
		 " not as root or you: refusing to talk to it; use -S to"
		 " choose a room you trust", path, login, (unsigned)uid);
	return -1;
}

/* Connect if the directory is trustworthy; -1 with errno (ENOENT: no
 * directory, ECONNREFUSED: a dead socket) or with why (EPERM). */
/* timeout_s: CONNECT_NOWAIT (< 0) never waits (a stalled server's full
 * backlog gives EAGAIN at once), 0 waits as long as it takes, more waits
 * at most that long. */
#define CONNECT_NOWAIT (-1.0)
static int try_connect(const char *path, double timeout_s, char *why)
{
	char dir[PATH_MAX];
	int fd;

	chat_socket_dir(path, dir, sizeof(dir));
	if (chat_check_dir(dir, getuid(), why) < 0)
		return -1;
	fd = timeout_s < 0 ? chat_connect_nonblock(path)
			   : chat_connect_within(path, timeout_s);
	if (fd < 0) {
		int err = errno;

		snprintf(why, CHAT_WHY_MAX, "cannot reach the room on %s: %s%s",
			 path, strerror(err), err == EACCES ?
			 " (the room admits root, its owner and --group"
			 " members only)" : "");
		errno = err;
		return -1;
	}
	if (check_server(fd, path, why) < 0) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

/* No server: start one under the lock beside the socket, so that two
 * clients starting at once start one server. */
static int start_and_connect(const char *path, char *why)
{
	struct chatd_opts o;
	char dir[PATH_MAX];
	int lock, fd;

	chat_socket_dir(path, dir, sizeof(dir));
	if (chat_make_dir(dir, (gid_t)-1, why) < 0)
		return -1;
	lock = chat_lock(path, why);
	if (lock < 0)
		return -1;
	fd = try_connect(path, 0, why);
	if (fd < 0 && (errno == ENOENT || errno == ECONNREFUSED)) {
		chatd_opts_init(&o);
		o.path = path;
		o.lock_fd = lock;
		if (chatd_start_detached(&o, why) == 0)
			fd = try_connect(path, 0, why);
	}
	close(lock);
	return fd;
}

/* Why a wait for the server ended without a line: what the server did
 * not do (doing), or the signal that cut it short. */
static void wait_failed(const struct chat_client *c, const char *doing,
			char *why)
{
	if (caught)
		snprintf(why, CHAT_WHY_MAX, "interrupted by signal %d while"
			 " waiting for the room on %s", (int)caught, c->path);
	else if (errno == ETIMEDOUT)
		snprintf(why, CHAT_WHY_MAX, "the server on %s did not %s"
			 " within %d s", c->path, doing, CHAT_ENTER_TIMEOUT_S);
	else
		snprintf(why, CHAT_WHY_MAX, "the server on %s closed the"
			 " connection before it would %s", c->path, doing);
}

int chat_client_hello_line(struct chat_client *c, const struct chat_line *l,
			   char *why)
{
	struct chat_ev ev;
	struct buf t = {0};

	chat_parse_event(l->text, l->len, &ev);
	if (ev.kind == EV_ERROR) {
		chat_sanitize(&t, ev.text, ev.text_len);
		snprintf(why, CHAT_WHY_MAX, "the room refused you: %s",
			 t.data ? t.data : "");
		buf_free(&t);
		return -1;
	}
	if (ev.kind != EV_HELLO || ev.version != CHAT_PROTO_VERSION) {
		snprintf(why, CHAT_WHY_MAX, "%s does not speak %s %d",
			 c->path, CHAT_PROTO_NAME, CHAT_PROTO_VERSION);
		return -1;
	}
	chat_sanitize(&t, ev.text, ev.text_len);
	snprintf(c->room, sizeof(c->room), "%s", t.data ? t.data : "");
	buf_free(&t);
	return 0;
}

static int read_hello(struct chat_client *c, double deadline, char *why)
{
	struct chat_line l;

	if (chat_client_wait_line(c, &l, deadline) < 0) {
		wait_failed(c, "say hello", why);
		return -1;
	}
	return chat_client_hello_line(c, &l, why);
}

/* The socket's descriptor goes non-blocking, and into c. */
static int adopt_fd(struct chat_client *c, int fd, char *why)
{
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot set up the socket: %s",
			 strerror(errno));
		close(fd);
		return -1;
	}
	c->fd = fd;
	return 0;
}

int chat_client_open(struct chat_client *c, char *why)
{
	char hint[256];
	int fd;

	chat_client_close(c);
	fd = try_connect(c->path, CONNECT_NOWAIT, why);
	if (fd < 0 && (errno == ENOENT || errno == ECONNREFUSED))
		snprintf(why, CHAT_WHY_MAX, "no room is open on %s; %s",
			 c->path, chat_start_hint(c->path, hint, sizeof(hint)));
	else if (fd < 0 && errno == EAGAIN)
		snprintf(why, CHAT_WHY_MAX, "the room on %s takes no"
			 " connection now (its server is not accepting)",
			 c->path);
	return fd < 0 ? -1 : adopt_fd(c, fd, why);
}

int chat_client_connect(struct chat_client *c, double deadline, char *why)
{
	double left;
	char hint[256];
	int fd;

	chat_client_close(c);
	left = deadline - mono_now();
	fd = try_connect(c->path, left > 1e-3 ? left : 1e-3, why);
	if (fd < 0 && (errno == ENOENT || errno == ECONNREFUSED)) {
		if (c->autostart)
			fd = start_and_connect(c->path, why);
		else
			snprintf(why, CHAT_WHY_MAX, "no room is open on %s; %s",
				 c->path, chat_start_hint(c->path, hint,
							  sizeof(hint)));
	}
	if (fd < 0 || adopt_fd(c, fd, why) < 0)
		return -1;
	if (read_hello(c, deadline, why) < 0) {
		chat_client_close(c);
		return -1;
	}
	return 0;
}

int chat_client_join(struct chat_client *c, const char *name,
		     double deadline, char *why, bool *refused)
{
	struct chat_line l;

	*refused = true;
	if (chat_client_check_name(name, why) < 0)
		return -1;
	*refused = false;
	if (chat_client_send(c, name, strlen(name)) < 0) {
		snprintf(why, CHAT_WHY_MAX, "%s", CHAT_LINE_RULE);
		return -1;
	}
	for (;;) {
		int r;

		if (chat_client_wait_line(c, &l, deadline) < 0) {
			wait_failed(c, "answer to the name", why);
			return -1;
		}
		r = chat_client_name_line(c, &l, why);
		if (r == 0)
			continue;
		*refused = r == -1;
		return r > 0 ? 0 : -1;
	}
}

int chat_client_name_line(struct chat_client *c, const struct chat_line *l,
			  char *why)
{
	struct chat_ev ev;

	chat_parse_event(l->text, l->len, &ev);
	if (ev.kind == EV_OK && chat_ev_word_is(&ev, "name")) {
		/* The name is shown and sent again on a reconnect: take
		 * only what the server itself would accept. */
		if (!chat_name_valid(ev.text, ev.text_len)) {
			snprintf(why, CHAT_WHY_MAX, "the server on %s gave an"
				 " invalid name", c->path);
			return -2;
		}
		memcpy(c->name, ev.text, ev.text_len);
		c->name[ev.text_len] = '\0';
		return 1;
	}
	if (ev.kind == EV_ERROR) {
		struct buf t = {0};

		chat_sanitize(&t, ev.text, ev.text_len);
		snprintf(why, CHAT_WHY_MAX, "%s", t.data ? t.data : "");
		buf_free(&t);
		return -1;
	}
	return 0;
}

int chat_client_reconnect(struct chat_client *c, const char *name,
			  char *why)
{
	double deadline = mono_now() + CHAT_ENTER_TIMEOUT_S;
	double delay = 0.1;

	for (;;) {
		bool refused;

		if (chat_client_connect(c, deadline, why) == 0) {
			if (chat_client_join(c, name, deadline, why,
					     &refused) == 0)
				return 0;
			if (refused)
				return -1;
		}
		/* the last why stands: it says what kept us out */
		if (caught || mono_now() + delay >= deadline)
			return -1;
		chat_pause_until(mono_now() + delay);
		delay = delay * 2 > 2 ? 2 : delay * 2;
	}
}

bool chat_line_sendable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n' || s[i] == '\r' || s[i] == '\0')
			return false;
	return true;
}

int chat_client_check_name(const char *name, char *why)
{
	size_t n = strlen(name);

	if (n == 0 || chat_name_valid(name, n))
		return 0;
	snprintf(why, CHAT_WHY_MAX, "not a valid name: a name is 1 to %d"
		 " letters, digits, '_', '-' or '.', starting with a letter,"
		 " a digit or '_'", CHAT_NAME_MAX);
	return -1;
}

/* The only way bytes reach the server: every request passes the check. */
int chat_client_send(struct chat_client *c, const char *line, size_t n)
{
	if (!chat_line_sendable(line, n)) {
		errno = EINVAL;
		return -1;
	}
	buf_append(&c->out, line, n);
	buf_putc(&c->out, '\n');
	(void)chat_client_flush(c);
	return 0;
}

int chat_client_flush(struct chat_client *c)
{
	size_t off = 0;

	if (c->fd < 0)
		return -1;
	if (c->out.len == 0)
		return 0;
	while (off < c->out.len) {
		ssize_t w = send(c->fd, c->out.data + off, c->out.len - off,
				 MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		off += (size_t)w;
	}
	memmove(c->out.data, c->out.data + off, c->out.len - off);
	c->out.len -= off;
	if (c->out.data)
		c->out.data[c->out.len] = '\0';
	return 0;
}

int chat_client_read(struct chat_client *c)
{
	ssize_t n;

	if (c->fd < 0)
		return -1;
	if (c->in_off > 0 && c->in_off == c->in.len) {
		buf_reset(&c->in);
		c->in_off = 0;
	}
	buf_reserve(&c->in, 16384);
	n = read(c->fd, c->in.data + c->in.len, 16384);
	if (n > 0) {
		c->in.len += (size_t)n;
		c->in.data[c->in.len] = '\0';
	}
	return (int)n;
}

bool chat_client_line(struct chat_client *c, struct chat_line *l)
{
	for (;;) {
		size_t used = chat_next_line_max(c->in.data + c->in_off,
						 c->in.len - c->in_off,
						 CHAT_SERVER_LINE_MAX,
						 &c->discarding, l);

		if (used == 0)
			break;
		c->in_off += used;
		if (l->kind == CHAT_LINE_OK)
			return true;
	}
	/* Keep only the unfinished tail. */
	if (c->in_off) {
		memmove(c->in.data, c->in.data + c->in_off,
			c->in.len - c->in_off);
		c->in.len -= c->in_off;
		c->in_off = 0;
	}
	return false;
}

int chat_client_wait_line(struct chat_client *c, struct chat_line *l,
			  double deadline)
{
	for (;;) {
		struct pollfd p[2] = {
			{.fd = c->fd, .events = POLLIN},
			{.fd = sig_pipe[0], .events = POLLIN},
		};
		int ms, n;

		if (chat_client_line(c, l))
			return 0;
		if (caught) {
			errno = EINTR;
			return -1;
		}
		if (c->fd < 0)
			return -1;
		ms = ms_until(deadline);
		if (ms == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (c->out.len)
			p[0].events |= POLLOUT;
		n = poll(p, 2, ms);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n <= 0)
			continue;
		if ((p[0].revents & POLLOUT) && chat_client_flush(c) < 0)
			return -1;
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			int r = chat_client_read(c);

			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
				if (chat_client_line(c, l))
					return 0;
				errno = r == 0 ? ECONNRESET : errno;
				return -1;
			}
		}
	}
}

/* "clients N in_room N messages N dropped_slow N": the keys known, in
 * any order; others (a newer server's) are skipped. */
static void parse_stats(const char *s, size_t n, struct chat_room_stats *st)
{
	static const char *const keys[] = {"clients", "in_room", "messages",
					   "dropped_slow"};
	unsigned long long *vals[] = {&st->clients, &st->in_room,
				      &st->messages, &st->dropped_slow};
	char text[512], *rest = text, *key, *val;

	snprintf(text, sizeof(text), "%.*s", (int)(n < 511 ? n : 511), s);
	while ((key = strsep(&rest, " ")) && (val = strsep(&rest, " ")))
		for (size_t i = 0; i < ARRAY_LEN(keys); i++)
			if (strcmp(key, keys[i]) == 0)
				*vals[i] = strtoull(val, NULL, 10);
}

int chat_room_stats(const char *path, double timeout_s,
		    struct chat_room_stats *st, char *why)
{
	double deadline = mono_now() + timeout_s;
	struct chat_client c;
	struct chat_line l;
	struct chat_ev ev;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	if (chat_check_path(path, why) < 0)
		return -1;
	chat_client_init(&c, path, false);
	if (chat_client_connect(&c, deadline, why) < 0)
		return -1;
	if (chat_client_send(&c, "/stats", 6) == 0) {
		while (chat_client_wait_line(&c, &l, deadline) == 0) {
			chat_parse_event(l.text, l.len, &ev);
			if (chat_ev_word_is(&ev, "stats")) {
				parse_stats(ev.text, ev.text_len, st);
				rc = 0;
				break;
			}
			if (ev.kind == EV_ERROR)
				break; /* a server without /stats */
		}
	}
	if (rc < 0)
		snprintf(why, CHAT_WHY_MAX, "the room on %s gave no figures"
			 " within %.1f s", path, timeout_s);
	else
		(void)chat_client_send(&c, "/quit", 5);
	chat_client_close(&c);
	return rc;
}

enum chat_own chat_own_echo(const char *name, const char *line, size_t n,
			    struct chat_ev *ev, struct buf *private_line)
{
	struct chat_req r;

	chat_parse_request(line, n, &r);
	*ev = (struct chat_ev){.name = name, .name_len = strlen(name),
			       .text = r.text, .text_len = r.text_len};
	if (r.kind == REQ_TEXT || r.kind == REQ_ME || r.kind == REQ_ANNOUNCE) {
		ev->kind = r.kind == REQ_TEXT ? EV_MSG :
			   r.kind == REQ_ME ? EV_ME : EV_ANNOUNCE;
		return OWN_EVENT;
	}
	if (r.kind != REQ_MSG)
		return OWN_NONE;
	buf_puts(private_line, "[private to ");
	chat_sanitize(private_line, r.name, r.name_len);
	buf_puts(private_line, "] ");
	chat_sanitize(private_line, r.text, r.text_len);
	return OWN_PRIVATE;
}
