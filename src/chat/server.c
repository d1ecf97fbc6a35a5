/*
 * server.c - `pmon chatd`: the listening socket and who may enter, the
 * administrator's terminal and signals, the loop's housekeeping, and
 * starting and stopping the room (see server.h for the design, chatd.h
 * for how conn.c and room.c share the work, pmon(1) for the protocol).
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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chat/chatd.h"
#include "chat/sock.h"

void chatd_opts_init(struct chatd_opts *o)
{
	*o = (struct chatd_opts){
		.flood_rate = CHAT_FLOOD_RATE,
		.flood_burst = CHAT_FLOOD_BURST,
		.out_cap = CHAT_OUT_CAP,
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

/* Let the clients whose flood-control pause is over go on reading. */
static void resume_paused(struct server *s, double now)
{
	for (size_t i = 0; i < s->nclients && s->npaused; i++) {
		struct client *c = s->clients[i];

		if (!c->paused || c->dead || c->resume_at > now)
			continue;
		c->paused = false;
		s->npaused--;
		drain_input(s, c); /* may pause it again */
		client_update_mask(s, c);
	}
}

/* Milliseconds until the next pause ends or the stop deadline; -1: none. */
static int next_timeout(const struct server *s, double now)
{
	double soonest = s->stopping ? s->stop_deadline : -1;

	for (size_t i = 0; i < s->nclients && s->npaused; i++) {
		const struct client *c = s->clients[i];

		if (c->paused && !c->dead && (soonest < 0 || c->resume_at < soonest))
			soonest = c->resume_at;
	}
	if (soonest < 0)
		return -1;
	return soonest <= now ? 0 : (int)ceil((soonest - now) * 1000);
}

static int before_sleep(struct loop *l, void *data)
{
	struct server *s = data;
	int timeout = -1;

	/* The clock is read only when something waits on it. */
	if (s->npaused || s->stopping) {
		double now = mono_now();

		resume_paused(s, now);
		timeout = next_timeout(s, now);
	}
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
