/*
 * server.c - `pmon chatd`: the listening socket and who may enter, the
 * administrator's terminal and signals, the loop's housekeeping, and
 * starting and stopping the room (see server.h for the design, pmon(1)
 * for the protocol).  The server wires three parts that do not know of
 * each other beyond their headers: the connection layer (conn.c: queues,
 * I/O, flood control, ends), the room (room.c: members, requests,
 * events), which gets its lines from the connection layer through
 * room_conn_ops, and the resolver (resolve.c), whose thread does the
 * account lookups the loop must never wait for.
 *
 * Life of a message: a client's line is parsed (proto.c), sanitised,
 * formatted once as "event TIME msg NAME TEXT\n" into a struct msg, and a
 * reference to it is appended to every other member's queue.  Before the
 * loop sleeps, every queue with something in it is written with one
 * send (of a run of messages copied once for every client owed the same
 * ones, conn.c's write_some); only a client whose socket is full
 * gets EPOLLOUT.  A client whose queue passes out_cap bytes is dropped,
 * so a stalled reader costs the others nothing but the memory of its
 * references.  Closing is deferred to before the loop sleeps, so no
 * handler ever sees a freed connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "chat/chatlog.h"
#include "chat/claims.h"
#include "chat/conn.h"
#include "chat/loop.h"
#include "chat/proto.h"
#include "chat/resolve.h"
#include "chat/room.h"
#include "chat/server.h"
#include "chat/sock.h"
#include "chat/viewjob.h"

struct server {
	const struct chatd_opts *o;
	struct loop *loop;
	struct conns *conns;
	struct room *room;
	struct resolver *res;
	struct chatlog *log;
	int listen_fd, spare_fd, sig_fd;
	/* Descriptors held on /dev/null, given up only to let root or the
	 * owner in when the table is full for everyone else. */
	int reserve[CHAT_FD_RESERVE];
	unsigned nreserve;
	bool stopping;
	double stop_deadline;
	dev_t sock_dev;
	ino_t sock_ino;
	bool activated;       /* systemd's socket: it stays when we stop */
};

void chatd_opts_init(struct chatd_opts *o)
{
	*o = (struct chatd_opts){
		.flood_rate = CHAT_FLOOD_RATE,
		.flood_burst = CHAT_FLOOD_BURST,
		.out_cap = CHAT_OUT_CAP,
		.per_account = CHAT_PER_ACCOUNT,
		.name_timeout = CHAT_NAME_TIMEOUT,
		.claim_ttl = CHAT_CLAIM_TTL,
		.view_timeout = VIEW_JOB_TIMEOUT,
		.lock_fd = -1,
	};
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

/* A new connection goes to the room held: it reads nothing from it until
 * it has let it in. */
static void accept_one(struct server *s, int fd, uid_t uid, gid_t gid,
		       pid_t pid)
{
	struct conn *c = conn_add(s->conns, fd, true);

	if (c)
		room_enter(s->room, c, uid, gid, pid);
}

/* Hold CHAT_FD_RESERVE descriptors again, as far as the table allows. */
static void fill_reserve(struct server *s)
{
	while (s->nreserve < CHAT_FD_RESERVE) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return;
		s->reserve[s->nreserve++] = fd;
	}
}

/*
 * The table is full (EMFILE): one descriptor of the reserve is given up
 * to accept the newcomer.  Root and the owner keep it; anyone else is told
 * the room is full, and the reserve takes it back.  So that one account
 * filling the table never locks out the administrators.
 */
static void accept_full(struct server *s)
{
	static const char msg[] = "error full the room is full (this server"
				  " is out of file descriptors, and keeps the"
				  " last ones for root and its owner); try"
				  " again later\n";
	uid_t uid;
	gid_t gid;
	pid_t pid;
	int fd;

	if (s->nreserve == 0) {
		refuse_full(s);
		return;
	}
	close(s->reserve[--s->nreserve]);
	fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd >= 0 && chat_peer_cred(fd, &uid, &gid, &pid) == 0 &&
	    (uid == 0 || uid == geteuid())) {
		accept_one(s, fd, uid, gid, pid);
		return;
	}
	if (fd >= 0) {
		(void)send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
	}
	fill_reserve(s);
}

static void on_accept(struct loop *l, int lfd, void *data, int mask)
{
	struct server *s = data;

	(void)l;
	(void)mask;
	for (int i = 0; i < 64; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		uid_t uid;
		gid_t gid;
		pid_t pid;

		if (fd >= 0) {
			if (chat_peer_cred(fd, &uid, &gid, &pid) == 0)
				accept_one(s, fd, uid, gid, pid);
			else
				close(fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE) {
			accept_full(s);
			continue;
		}
		return; /* EAGAIN: all taken */
	}
}

/* The resolver's thread has answers. */
static void on_resolved(struct loop *l, int fd, void *data, int mask)
{
	struct server *s = data;

	(void)l;
	(void)fd;
	(void)mask;
	resolver_drain(s->res);
	room_resolved(s->room);
}

/* ---- the administrator's terminal and signals ------------------------------ */

static void start_stopping(struct server *s, const char *why)
{
	if (s->stopping)
		return;
	s->stopping = true;
	s->stop_deadline = mono_now() + 3.0;
	loop_del(s->loop, s->listen_fd);
	room_shutdown(s->room, why);
}

/* The end of the terminal's input: Ctrl-D ends the announcements; a hang-up
 * (the terminal's window closed: reads end, and the terminal answers no
 * more ioctl, EIO) ends the server, as the SIGHUP that came with it did
 * before SIGHUP came to mean "reopen the log". */
static void stdin_ended(struct server *s, int fd)
{
	loop_del(s->loop, fd);
	if (tcgetpgrp(fd) < 0 && errno == EIO)
		start_stopping(s, "the server's terminal hung up");
}

static void on_stdin(struct loop *l, int fd, void *data, int mask)
{
	static struct buf in;
	static bool discarding;
	struct server *s = data;
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));
	size_t off = 0;

	(void)l;
	(void)mask;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n == 0) {
		stdin_ended(s, fd);
		return;
	}
	if (n < 0) {
		loop_del(s->loop, fd); /* EIO in the background: no more */
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
		if (line.kind == CHAT_LINE_OK)
			room_announce(s->room, line.text, line.len);
	}
	memmove(in.data, in.data + off, in.len - off);
	in.len -= off;
}

/* SIGHUP: reopen the log (logrotate has moved it); SIGTERM, SIGINT: stop. */
static void on_signal(struct loop *l, int fd, void *data, int mask)
{
	struct server *s = data;
	struct signalfd_siginfo si;
	char why[CHAT_WHY_MAX];

	(void)l;
	(void)mask;
	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo != SIGHUP)
		start_stopping(s, si.ssi_signo == SIGTERM ?
				  "the server was asked to stop" :
				  "the server is stopping");
	else if (s->log && chatlog_reopen(s->log, why) < 0)
		pmon_warn("%s; still writing to the file it had open", why);
}

/* ---- the loop's housekeeping ---------------------------------------------- */

static int before_sleep(struct loop *l, void *data)
{
	struct server *s = data;
	/* Claims first: the events of those that end are queued before
	 * the queues are written. */
	int claims = room_tick(s->room);
	int timeout = conns_before_sleep(s->conns);
	double now;
	int left;

	if (claims >= 0 && (timeout < 0 || claims < timeout))
		timeout = claims;
	/* Descriptors the connections that ended gave back: the reserve
	 * first, before anyone else is accepted. */
	if (s->nreserve < CHAT_FD_RESERVE)
		fill_reserve(s);

	if (!s->stopping)
		return timeout;
	/* Stopping: until everything is written, for up to 3 seconds. */
	now = mono_now();
	if (conns_flushed(s->conns) || now >= s->stop_deadline)
		loop_stop(l);
	left = (int)ceil((s->stop_deadline - now) * 1000);
	if (left < 0)
		left = 0;
	return timeout < 0 || left < timeout ? left : timeout;
}

/* ---- starting and stopping -------------------------------------------------- */

static int block_signals(void)
{
	sigset_t set;

	/* A server started detached was born with SIGHUP ignored (see
	 * chatd_start_detached): it is taken through the signalfd now. */
	signal(SIGHUP, SIG_DFL);
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

	/* Every check of the path before anything is made for it. */
	if (chat_check_path(o->path, why) < 0)
		return -1;
	chat_socket_dir(o->path, dir, sizeof(dir));
	s->listen_fd = chat_listen_activated(o->path, why);
	if (s->listen_fd == -1)
		return -1;
	if (s->listen_fd >= 0) {
		/* systemd made the socket (its mode and group are the
		 * unit's SocketMode= and SocketGroup=) and the directory,
		 * which must still be fit for a room. */
		s->activated = true;
		if (lock_fd >= 0)
			close(lock_fd);
		return chat_check_dir(dir, geteuid(), why);
	}
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

/* A log in the room's own directory would pass once and then shut the
 * room: a room's directory holds only sockets and their locks, so every
 * client, and the next server, refuses it (found by `make soak`). */
static int log_outside_room(const char *sock_path, const char *log_path,
			    char *why)
{
	char sock_dir[PATH_MAX], log_dir[PATH_MAX];
	struct stat a, b;

	chat_socket_dir(sock_path, sock_dir, sizeof(sock_dir));
	chat_socket_dir(log_path, log_dir, sizeof(log_dir));
	if (stat(sock_dir, &a) < 0 || stat(log_dir, &b) < 0 ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		return 0;
	snprintf(why, CHAT_WHY_MAX, "the log %s is in the directory of the"
		 " room's socket %s, which holds only sockets and their .lock"
		 " files (clients refuse one that holds anything else); put the"
		 " log in another directory", log_path, sock_path);
	return -1;
}

/* The log, and the history a restarted server finds in it. */
static int setup_log(struct server *s, const char *path, char *why)
{
	if (log_outside_room(s->o->path, path, why) < 0)
		return -1;
	s->log = chatlog_open(path, why);
	if (!s->log)
		return -1;
	chatlog_load(s->log, room_history_line, s->room);
	room_set_log(s->room, s->log);
	return 0;
}

/* The loop and its three parts.  Signals are blocked first, so that the
 * resolver's thread is born with them blocked and never takes one. */
static int setup_loop(struct server *s, const struct chatd_opts *o,
		      char *why)
{
	struct conn_limits lim = {
		.flood_rate = o->flood_rate,
		.flood_burst = o->flood_burst,
		.out_cap = o->out_cap,
	};

	s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	s->sig_fd = block_signals();
	s->loop = loop_new();
	if (s->sig_fd >= 0)
		s->res = resolver_new(o->has_group, o->group);
	if (s->sig_fd < 0 || !s->loop || !s->res ||
	    loop_add(s->loop, s->listen_fd, LOOP_READ, on_accept, s) < 0 ||
	    loop_add(s->loop, s->sig_fd, LOOP_READ, on_signal, s) < 0 ||
	    loop_add(s->loop, resolver_fd(s->res), LOOP_READ, on_resolved,
		     s) < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot set up the event loop: %s",
			 strerror(errno));
		return -1;
	}
	s->room = room_new(o, s->res, s->loop);
	s->conns = conns_new(s->loop, &lim, &room_conn_ops, s->room);
	if (o->foreground)
		(void)loop_add(s->loop, STDIN_FILENO, LOOP_READ, on_stdin, s);
	loop_set_before_sleep(s->loop, before_sleep, s);
	return 0;
}

static int server_setup(struct server *s, const struct chatd_opts *o,
			char *why)
{
	s->o = o;
	s->listen_fd = s->spare_fd = s->sig_fd = -1;
	signal(SIGPIPE, SIG_IGN);
	/* A log over the file size limit: write() fails with EFBIG, which
	 * is reported, instead of the signal ending the room. */
	signal(SIGXFSZ, SIG_IGN);
	/* Run in the background of a shell, a foreground server must not be
	 * stopped for touching its terminal: reading then fails (EIO) and
	 * announcements from it stop, and the room goes on. */
	signal(SIGTTIN, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	if (setup_socket(s, o, why) < 0 || setup_loop(s, o, why) < 0)
		return -1;
	if (o->log_path && setup_log(s, o->log_path, why) < 0)
		return -1;
	fill_reserve(s); /* last: what the server needs comes first */
	return 0;
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
	conns_free(s->conns);
	room_free(s->room);
	if (s->res) {
		loop_del(s->loop, resolver_fd(s->res));
		resolver_free(s->res);
	}
	if (s->listen_fd >= 0 && !s->activated) {
		unlink_socket(s);
		chat_remove_lock(s->o->path);
	}
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	chatlog_close(s->log);
	if (s->sig_fd >= 0)
		close(s->sig_fd);
	if (s->spare_fd >= 0)
		close(s->spare_fd);
	while (s->nreserve)
		close(s->reserve[--s->nreserve]);
	loop_free(s->loop);
}

static void tell_ready(int fd, const char *msg)
{
	if (fd < 0)
		return;
	/* The starter gone (EPIPE) has nobody left to tell: not an error. */
	if (write(fd, msg, strlen(msg)) < 0)
		errno = 0;
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
	chat_login_lookups(false); /* NSS from the loop only via resolve.c */
	if (loop_run(s->loop) < 0) {
		pmon_warn_errno(errno, "the event loop failed");
		status = EXIT_FAIL;
	}
	server_teardown(s);
	free(s);
	return status;
}

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

/* fd as exactly want, kept across exec (dup2 clears FD_CLOEXEC). */
static int place_fd(int fd, int want)
{
	if (fd == want)
		return fcntl(fd, F_SETFD, 0);
	if (dup2(fd, want) < 0)
		return -1;
	close(fd);
	return 0;
}

/*
 * Become `pmon chatd [ARGS | -S PATH] --ready-fd 3 [--lock-fd 4]`, so that
 * ps shows the server as what it is, with its socket, and not as a copy
 * of the client that started it.  The program is the file this process
 * was executed from (AT_EXECFN, which names no /proc path).  On failure
 * (the file is gone: an upgrade) it returns, with *ready and *lock on
 * descriptors 3 and 4, and the caller serves in this process.
 */
static void exec_server(const struct chatd_opts *o, int *ready, int *lock)
{
	const char *exe = (const char *)getauxval(AT_EXECFN);
	/* "pmon", "chatd -S PATH" or o->argv, two options, NULL. */
	size_t n = 0, max = 1 + 3 + 4 + 1;
	const char **argv;

	for (int i = 0; o->argv && o->argv[i]; i++)
		max++;
	argv = xreallocarray(NULL, max, sizeof(*argv));
	argv[n++] = "pmon";
	for (int i = 0; o->argv && o->argv[i]; i++)
		argv[n++] = o->argv[i];
	if (!o->argv) {
		argv[n++] = "chatd";
		argv[n++] = "-S";
		argv[n++] = o->path;
	}
	argv[n++] = "--ready-fd";
	argv[n++] = "3";
	/* Out of the way of 3 and 4 first, then into them. */
	*ready = fcntl(*ready, F_DUPFD_CLOEXEC, 10);
	if (*lock >= 0) {
		*lock = fcntl(*lock, F_DUPFD_CLOEXEC, 10);
		argv[n++] = "--lock-fd";
		argv[n++] = "4";
	}
	argv[n] = NULL;
	if (*ready < 0 || place_fd(*ready, 3) < 0 ||
	    (*lock >= 0 && place_fd(*lock, 4) < 0))
		_exit(EXIT_FAIL);
	*ready = 3;
	*lock = *lock >= 0 ? 4 : -1;
	close_inherited(*ready, *lock);
	if (exe)
		execv(exe, (char *const *)argv);
	free(argv);
}

/* The grandchild: a daemon in its own session, stdio on /dev/null. */
static _Noreturn void daemon_child(const struct chatd_opts *o, int ready)
{
	struct chatd_opts dopts = *o;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO); /* errors go through the pipe */
	}
	exec_server(o, &ready, &dopts.lock_fd);
	_exit(chatd_serve(&dopts, ready));
}

/* The server's "ok\n", or why it could not start, from the pipe fd. */
static int read_answer(int fd, char *why)
{
	char answer[CHAT_WHY_MAX];
	size_t got = 0;

	for (;;) {
		ssize_t n = read(fd, answer + got, sizeof(answer) - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == sizeof(answer) - 1)
			break;
	}
	close(fd);
	answer[got] = '\0';
	if (strcmp(answer, "ok\n") == 0)
		return 0;
	snprintf(why, CHAT_WHY_MAX, "%s", got ? answer :
		 "the server exited before it was ready");
	return -1;
}

int chatd_start_detached(const struct chatd_opts *o, char *why)
{
	struct chatd_opts dopts = *o;
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
	return read_answer(pipefd[0], why);
}
