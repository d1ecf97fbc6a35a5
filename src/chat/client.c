/*
 * client.c - connecting to the room and talking pmon-chat/1 (client.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chat/client.h"
#include "chat/server.h"

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
static int try_connect(const char *path, char *why)
{
	char dir[PATH_MAX];
	int fd;

	chat_socket_dir(path, dir, sizeof(dir));
	if (chat_check_dir(dir, getuid(), why) < 0)
		return -1;
	fd = chat_connect(path);
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
	fd = try_connect(path, why);
	if (fd < 0 && (errno == ENOENT || errno == ECONNREFUSED)) {
		chatd_opts_init(&o);
		o.path = path;
		o.lock_fd = lock;
		if (chatd_start_detached(&o, why) == 0)
			fd = try_connect(path, why);
	}
	close(lock);
	return fd;
}

static int read_hello(struct chat_client *c, char *why)
{
	struct chat_line l;
	struct chat_ev ev;

	if (chat_client_wait_line(c, &l, 10000) < 0) {
		snprintf(why, CHAT_WHY_MAX, "the server on %s did not say"
			 " hello", c->path);
		return -1;
	}
	chat_parse_event(l.text, l.len, &ev);
	if (ev.kind == EV_ERROR) {
		struct buf t = {0};

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
	{
		struct buf t = {0};

		chat_sanitize(&t, ev.text, ev.text_len);
		snprintf(c->room, sizeof(c->room), "%s", t.data ? t.data : "");
		buf_free(&t);
	}
	return 0;
}

int chat_client_connect(struct chat_client *c, char *why)
{
	char hint[256];
	int fd;

	chat_client_close(c);
	fd = try_connect(c->path, why);
	if (fd < 0 && (errno == ENOENT || errno == ECONNREFUSED)) {
		if (c->autostart)
			fd = start_and_connect(c->path, why);
		else
			snprintf(why, CHAT_WHY_MAX, "no room is open on %s; %s",
				 c->path, chat_start_hint(c->path, hint,
							  sizeof(hint)));
	}
	if (fd < 0)
		return -1;
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot set up the socket: %s",
			 strerror(errno));
		close(fd);
		return -1;
	}
	c->fd = fd;
	if (read_hello(c, why) < 0) {
		chat_client_close(c);
		return -1;
	}
	return 0;
}

int chat_client_join(struct chat_client *c, const char *name, char *why,
		     bool *refused)
{
	struct chat_line l;
	struct chat_ev ev;

	*refused = false;
	chat_client_send(c, name, strlen(name));
	for (;;) {
		if (chat_client_wait_line(c, &l, 10000) < 0) {
			snprintf(why, CHAT_WHY_MAX, "the room went away while"
				 " you were entering it");
			return -1;
		}
		chat_parse_event(l.text, l.len, &ev);
		if (ev.kind == EV_OK && chat_ev_word_is(&ev, "name")) {
			size_t n = ev.text_len < CHAT_NAME_MAX ? ev.text_len :
								 CHAT_NAME_MAX;

			memcpy(c->name, ev.text, n);
			c->name[n] = '\0';
			return 0;
		}
		if (ev.kind == EV_ERROR) {
			struct buf t = {0};

			chat_sanitize(&t, ev.text, ev.text_len);
			snprintf(why, CHAT_WHY_MAX, "%s", t.data ? t.data : "");
			buf_free(&t);
			*refused = true;
			return -1;
		}
	}
}

void chat_client_send(struct chat_client *c, const char *line, size_t n)
{
	buf_append(&c->out, line, n);
	buf_putc(&c->out, '\n');
	(void)chat_client_flush(c);
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

int chat_client_wait_line(struct chat_client *c, struct chat_line *l, int ms)
{
	double deadline = mono_now() + ms / 1000.0;

	for (;;) {
		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		int left, n;

		if (chat_client_line(c, l))
			return 0;
		if (c->out.len)
			p.events |= POLLOUT;
		left = (int)((deadline - mono_now()) * 1000);
		if (left <= 0)
			return -1;
		n = poll(&p, 1, left);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n <= 0)
			continue;
		if ((p.revents & POLLOUT) && chat_client_flush(c) < 0)
			return -1;
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			int r = chat_client_read(c);

			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
				if (chat_client_line(c, l))
					return 0;
				return -1;
			}
		}
	}
}
