/*
 * chatlog.c - the room's log (chatlog.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chat/chatlog.h"
#include "chat/sock.h"
#include "util/util.h"

/* How far back from the end a torn line's start is looked for: more
 * than the longest event line (CHAT_SERVER_LINE_MAX, about 12.5 KiB). */
#define TAIL_MAX (64 * 1024)

struct chatlog {
	char *path;
	int fd;
	bool torn; /* a torn piece could not be cut off: end it first */
};

static const char *file_kind(mode_t m)
{
	if (S_ISLNK(m)) return "a symbolic link";
	if (S_ISFIFO(m)) return "a FIFO";
	if (S_ISDIR(m)) return "a directory";
	if (S_ISCHR(m)) return "a character device";
	if (S_ISBLK(m)) return "a block device";
	if (S_ISSOCK(m)) return "a socket";
	return "not a regular file";
}

static void symlink_why(const char *path, char *why)
{
	snprintf(why, CHAT_WHY_MAX, "the log %s is a symbolic link: the server"
		 " does not follow one (whoever made it would choose what the"
		 " server writes to); give the file's own path", path);
}

/* Only a regular file of ours that nobody else may write. */
static int check_stat(const struct stat *st, const char *path, char *why)
{
	char owner[64], me[64];

	if (S_ISLNK(st->st_mode)) {
		symlink_why(path, why);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		snprintf(why, CHAT_WHY_MAX, "the log %s is %s, not a regular"
			 " file; choose another path", path,
			 file_kind(st->st_mode));
		return -1;
	}
	if (st->st_uid != geteuid()) {
		chat_login_name(st->st_uid, owner, sizeof(owner));
		chat_login_name(geteuid(), me, sizeof(me));
		snprintf(why, CHAT_WHY_MAX, "the log %s belongs to %s (uid %u),"
			 " not to the server's user %s: its owner could rewrite"
			 " the room's history; remove it or choose another"
			 " file", path, owner, (unsigned)st->st_uid, me);
		return -1;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, CHAT_WHY_MAX, "the log %s is writable by other"
			 " users (mode %04o): anyone could forge the room's"
			 " history; make it 0600", path,
			 (unsigned)(st->st_mode & 07777));
		return -1;
	}
	return 0;
}

/* Where the last complete line ends, looking back from end; -1 if there
 * is no line break in the last TAIL_MAX bytes. */
static off_t last_line_end(int fd, off_t end)
{
	char buf[4096];
	off_t pos = end;

	while (pos > 0 && end - pos < TAIL_MAX) {
		size_t n = pos >= (off_t)sizeof(buf) ? sizeof(buf) : (size_t)pos;
		const char *nl;

		if (pread(fd, buf, n, pos - (off_t)n) != (ssize_t)n)
			return -1;
		nl = memrchr(buf, '\n', n);
		if (nl)
			return pos - (off_t)n + (nl - buf) + 1;
		pos -= (off_t)n;
	}
	return pos == 0 ? 0 : -1;
}

/* A last line without its newline was torn by a crash or a full disk:
 * cut it off, so that the next event starts a line of its own. */
static int cut_torn_tail(int fd, const char *path, char *why)
{
	struct stat st;
	off_t keep;
	char c;

	if (fstat(fd, &st) < 0 || st.st_size == 0)
		return 0;
	if (pread(fd, &c, 1, st.st_size - 1) == 1 && c == '\n')
		return 0;
	keep = last_line_end(fd, st.st_size);
	if (keep < 0) {
		snprintf(why, CHAT_WHY_MAX, "the log %s does not end with a"
			 " complete line and its last %d KiB hold no line"
			 " break: it is not a pmon log; choose another file",
			 path, TAIL_MAX / 1024);
		return -1;
	}
	if (ftruncate(fd, keep) < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot cut the torn last line off"
			 " the log %s: %s", path, strerror(errno));
		return -1;
	}
	pmon_warn("the log %s ended in a torn line (%lld bytes without a"
		  " newline, from a crash or a full disk): cut off", path,
		  (long long)(st.st_size - keep));
	return 0;
}

static int open_checked(const char *path, char *why)
{
	char dir[PATH_MAX];
	struct stat st;
	int fd;

	chat_socket_dir(path, dir, sizeof(dir));
	if (chat_check_trusted_dir(dir, geteuid(), "log's directory",
				   why) < 0)
		return -1;
	/* Checked before it is opened, so that a FIFO or a device is
	 * never opened at all (opening some has effects)... */
	if (lstat(path, &st) == 0 && check_stat(&st, path, why) < 0)
		return -1;
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
			O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == ELOOP)
			symlink_why(path, why);
		else
			snprintf(why, CHAT_WHY_MAX, "cannot open the log %s: %s",
				 path, strerror(errno));
		return -1;
	}
	/* ... and after, so that what was opened is what was checked. */
	if (fstat(fd, &st) < 0 || check_stat(&st, path, why) < 0 ||
	    cut_torn_tail(fd, path, why) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

struct chatlog *chatlog_open(const char *path, char *why)
{
	int fd = open_checked(path, why);
	struct chatlog *l;

	if (fd < 0)
		return NULL;
	l = xcalloc(1, sizeof(*l));
	l->path = xstrdup(path);
	l->fd = fd;
	return l;
}

void chatlog_close(struct chatlog *l)
{
	if (!l)
		return;
	close(l->fd);
	free(l->path);
	free(l);
}

const char *chatlog_path(const struct chatlog *l)
{
	return l->path;
}

void chatlog_load(struct chatlog *l,
		  void (*fn)(void *ctx, const char *line, size_t n),
		  void *ctx)
{
	struct buf b = {0};
	off_t at = 0;
	size_t start = 0;

	for (;;) {
		ssize_t n;

		buf_reserve(&b, 65536);
		n = pread(l->fd, b.data + b.len, 65536, at);
		if (n <= 0)
			break;
		at += n;
		b.len += (size_t)n;
		for (char *nl; (nl = memchr(b.data + start, '\n',
					    b.len - start));) {
			fn(ctx, b.data + start, (size_t)(nl - (b.data + start)));
			start = (size_t)(nl - b.data) + 1;
		}
		memmove(b.data, b.data + start, b.len - start);
		b.len -= start;
		start = 0;
	}
	buf_free(&b); /* what is left has no newline: not an event */
}

/* After a short write: cut the torn piece off the end again. */
static void cut_piece(struct chatlog *l, size_t piece)
{
	struct stat st;

	if (piece == 0)
		return;
	if (fstat(l->fd, &st) < 0 || st.st_size < (off_t)piece ||
	    ftruncate(l->fd, st.st_size - (off_t)piece) < 0)
		l->torn = true;
}

int chatlog_append(struct chatlog *l, const char *data, size_t n,
		   char *why)
{
	ssize_t w;
	size_t done;

	if (l->torn) {
		/* A newline first, in the same write: the piece ends there
		 * instead of running into this event. */
		char *tmp = xmalloc(n + 1);
		int rc;

		tmp[0] = '\n';
		memcpy(tmp + 1, data, n);
		l->torn = false;
		rc = chatlog_append(l, tmp, n + 1, why);
		free(tmp);
		return rc;
	}
	w = write(l->fd, data, n);
	if (w == (ssize_t)n)
		return 0;
	if (w < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot append to the log %s: %s",
			 l->path, strerror(errno));
		return -1;
	}
	/* Short: the rest once more, which either ends the line or says
	 * why it cannot (a full disk, a file size limit). */
	done = (size_t)w;
	w = write(l->fd, data + done, n - done);
	if (w == (ssize_t)(n - done))
		return 0;
	snprintf(why, CHAT_WHY_MAX, "cannot append to the log %s: only %zu of"
		 " %zu bytes were written (%s); the event is not in the log",
		 l->path, done + (w > 0 ? (size_t)w : 0), n,
		 w < 0 ? strerror(errno) : "short write");
	cut_piece(l, done + (w > 0 ? (size_t)w : 0));
	return -1;
}

int chatlog_reopen(struct chatlog *l, char *why)
{
	int fd = open_checked(l->path, why);

	if (fd < 0)
		return -1;
	close(l->fd);
	l->fd = fd;
	l->torn = false;
	return 0;
}
