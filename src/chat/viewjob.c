/*
 * viewjob.c - shared views made in a child process (viewjob.h).
 *
 * The child's answer, on its pipe:
 *
 *   RC TOTAL N\n   HEAD\n   N times ROW\n
 *
 * Head and rows are chat_sanitize'd text (views.c), which holds no
 * newline; the writer turns any into a space all the same, and the
 * reader takes nothing that does not have exactly this shape.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chat/loop.h"
#include "chat/viewjob.h"
#include "util/util.h"

/* A view is under 30 KiB (20 rows of at most a tree prefix and a name,
 * a head with a pattern of one line); more is not a view. */
#define VIEW_JOB_MAX_BYTES (256 * 1024)
/* Children done with but not reaped (killed in an uninterruptible
 * sleep, or held by a tracer) past which no new view is started: each
 * holds a pidfd, and one is made each --view-timeout at most. */
#define VIEW_JOB_UNREAPED_MAX 4

struct child {
	pid_t pid;
	int pidfd;
	bool parked;  /* exited, not reapable yet: asked from the tick */
};

struct view_jobs {
	struct loop *loop;
	unsigned timeout;        /* seconds */
	bool busy;               /* the fields below describe a view */
	int pipe_fd;
	struct child making;
	double deadline;         /* mono_now */
	struct buf got;
	view_done_fn *done;      /* NULL once cancelled */
	void *ctx;
	struct child *ending;    /* done with, not yet reaped */
	size_t nending, cap;
};

/* ---- the child's side ----------------------------------------------- */

static void put_line(struct buf *out, const struct buf *line)
{
	size_t start = out->len;

	buf_append(out, line->data ? line->data : "", line->len);
	for (size_t i = start; i < out->len; i++)
		if (out->data[i] == '\n')
			out->data[i] = ' ';
	buf_putc(out, '\n');
}

static int make_view(const struct view_order *o, struct shared_view *v)
{
	*v = (struct shared_view){0};
	switch (o->kind) {
	case VIEW_ZOMBIES:
		return view_zombies(v, &o->asker);
	case VIEW_TREE:
		return view_tree(v, &o->asker, o->pid);
	case VIEW_PS:
		return view_ps(v, &o->asker, o->pattern, o->pattern_len);
	case VIEW_INSPECT:
		return view_inspect(v, &o->asker, o->pid);
	}
	return -1;
}

int view_write(int fd, const struct view_order *o)
{
	struct shared_view v;
	struct buf out = {0};
	int rc = make_view(o, &v), err;

	buf_printf(&out, "%d %zu %zu\n", rc < 0 ? -1 : 0, v.total, v.n);
	put_line(&out, &v.head);
	for (size_t i = 0; i < v.n; i++)
		put_line(&out, &v.rows[i]);
	rc = write_all(fd, out.data, out.len);
	err = errno;
	buf_free(&out);
	view_free(&v);
	errno = err;
	return rc;
}

/* In the child: nothing of the server's but the pipe (a client's socket
 * kept open here would keep its connection up after the server closed
 * it), none of its blocked signals, and no life beyond the server's. */
static _Noreturn void child_main(int fd, pid_t server,
				 const struct view_order *o)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != server)
		_exit(1);
	prctl(PR_SET_NAME, "pmon-view");
	if (fd > 3)
		close_range(3, (unsigned)fd - 1, 0);
	close_range((unsigned)fd + 1, ~0U, 0);
	/* Only what a forked child of a threaded process may use besides
	 * async-signal-safe calls: malloc and stdio, which glibc's fork
	 * makes safe; the resolver's thread is not here, and nothing here
	 * waits for a lock it could hold (no account is looked up). */
	_exit(view_write(fd, o) < 0 ? 1 : 0);
}

/* ---- the parent's side ---------------------------------------------- */

/* A count of at most 9 digits at *p, then sep; advances *p past both. */
static int parse_count(const char **p, char sep, size_t *out)
{
	size_t v = 0, digits = 0;

	while (**p >= '0' && **p <= '9' && digits < 9) {
		v = v * 10 + (size_t)(**p - '0');
		(*p)++;
		digits++;
	}
	if (!digits || **p != sep)
		return -1;
	(*p)++;
	*out = v;
	return 0;
}

/* "RC TOTAL N": RC 0 or -1, at most CHAT_VIEW_ROWS rows kept of TOTAL. */
static int parse_head(const char *line, int *rc, size_t *total, size_t *n)
{
	*rc = 0;
	if (line[0] == '-' && line[1] == '1')
		*rc = -1, line += 2;
	else if (line[0] == '0')
		line++;
	else
		return -1;
	if (*line++ != ' ' || parse_count(&line, ' ', total) < 0 ||
	    parse_count(&line, '\0', n) < 0)
		return -1;
	return *n > CHAT_VIEW_ROWS || *total < *n ? -1 : 0;
}

int view_parse(const char *text, size_t n, int *rc, struct shared_view *v)
{
	const char *p = text, *end = text + n, *nl;
	size_t total, rows;
	char first[64];

	*v = (struct shared_view){0};
	nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl || (size_t)(nl - p) >= sizeof(first))
		goto garbled;
	memcpy(first, p, (size_t)(nl - p));
	first[nl - p] = '\0';
	if (parse_head(first, rc, &total, &rows) < 0)
		goto garbled;
	p = nl + 1;
	for (size_t i = 0; i <= rows; i++) {
		struct buf *b = i == 0 ? &v->head : &v->rows[i - 1];

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			goto garbled;
		buf_append(b, p, (size_t)(nl - p));
		buf_putc(b, '\0');
		b->len--;
		p = nl + 1;
	}
	if (p != end)
		goto garbled;
	v->n = rows;
	v->total = total;
	return 0;
garbled:
	view_free(v);
	*v = (struct shared_view){0};
	buf_puts(&v->head, "the view came back garbled");
	return -1;
}

struct view_jobs *view_jobs_new(struct loop *l, unsigned timeout)
{
	struct view_jobs *j = xcalloc(1, sizeof(*j));

	j->loop = l;
	j->timeout = timeout;
	j->pipe_fd = -1;
	return j;
}

bool view_jobs_busy(const struct view_jobs *j)
{
	return j->busy || j->nending >= VIEW_JOB_UNREAPED_MAX;
}

/* Reap ending[i] if it has exited: true when it is gone from the table
 * (ending[i] is then another child, or past the end). */
static bool try_reap(struct view_jobs *j, size_t i)
{
	int fd = j->ending[i].pidfd;
	siginfo_t si = {0};

	if (waitid(P_PIDFD, (id_t)fd, &si, WEXITED | WNOHANG) == 0 &&
	    si.si_pid == 0)
		return false; /* not ours to reap yet (a tracer has it) */
	loop_del(j->loop, fd);
	close(fd);
	j->ending[i] = j->ending[--j->nending];
	return true;
}

/* The pidfd says the child has exited: reap it, or, when it cannot be
 * reaped yet, ask again from view_jobs_tick (the pidfd stays readable:
 * from the loop, it would be asked for ever). */
static void on_exited(struct loop *l, int fd, void *data, int mask)
{
	struct view_jobs *j = data;

	(void)mask;
	for (size_t i = 0; i < j->nending; i++)
		if (j->ending[i].pidfd == fd) {
			if (!try_reap(j, i)) {
				(void)loop_set_mask(l, fd, 0);
				j->ending[i].parked = true;
			}
			return;
		}
}

/* The view being made is done with: its child is reaped when it exits. */
static void let_go(struct view_jobs *j)
{
	loop_del(j->loop, j->pipe_fd);
	close(j->pipe_fd);
	j->pipe_fd = -1;
	if (j->nending == j->cap) {
		j->cap = j->cap ? 2 * j->cap : 4;
		j->ending = xreallocarray(j->ending, j->cap, sizeof(*j->ending));
	}
	j->ending[j->nending++] = j->making;
	if (loop_add(j->loop, j->making.pidfd, LOOP_READ, on_exited, j) < 0)
		(void)pidfd_send_signal(j->making.pidfd, SIGKILL, NULL, 0);
	buf_free(&j->got);
	j->busy = false;
}

/* Hand the view over (or why there is none: why non-NULL). */
static void finish(struct view_jobs *j, const char *why)
{
	struct shared_view v = {0};
	view_done_fn *done = j->done;
	void *ctx = j->ctx;
	int rc = -1;

	if (why)
		buf_puts(&v.head, why);
	else
		(void)view_parse(j->got.data ? j->got.data : "", j->got.len,
				 &rc, &v);
	let_go(j);
	if (done)
		done(ctx, rc, &v);
	else
		view_free(&v);
}

static void on_pipe(struct loop *l, int fd, void *data, int mask)
{
	struct view_jobs *j = data;
	ssize_t r;

	(void)l;
	(void)mask;
	buf_reserve(&j->got, 4096);
	r = read(fd, j->got.data + j->got.len, 4096);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r > 0) {
		j->got.len += (size_t)r;
		if (j->got.len > VIEW_JOB_MAX_BYTES) {
			(void)pidfd_send_signal(j->making.pidfd, SIGKILL, NULL, 0);
			finish(j, "the view came back too long");
		}
		return;
	}
	finish(j, r < 0 ? "the view could not be read back" : NULL);
}

/* Reap a child that was sent SIGKILL, waiting a second at most (not on
 * the loop's path: for a failure to watch it, and at the server's end);
 * one that cannot die (an uninterruptible sleep) or be reaped (a tracer
 * holds it) is left to whoever inherits it. */
static void reap(int pidfd)
{
	for (int i = 0; i < 100; i++) {
		siginfo_t si = {0};

		if (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED | WNOHANG) < 0 &&
		    errno != EINTR)
			return;
		if (si.si_pid != 0)
			return;
		usleep(10000);
	}
}

/* fork, and the pidfd of the child.  0, or -1 with errno. */
static int spawn(struct view_jobs *j, int out, int in,
		 const struct view_order *o)
{
	pid_t server = getpid(), pid = fork();
	int err;

	if (pid == 0) {
		close(in);
		child_main(out, server, o);
	}
	if (pid < 0)
		return -1;
	j->making = (struct child){.pid = pid, .pidfd = pidfd_open(pid, 0)};
	if (j->making.pidfd >= 0)
		return 0;
	/* Our own unreaped child: its pid names it until we reap it. */
	err = errno;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	errno = err;
	return -1;
}

int view_jobs_start(struct view_jobs *j, const struct view_order *o,
		    view_done_fn *done, void *ctx)
{
	int p[2], err;

	if (j->busy) {
		errno = EBUSY;
		return -1;
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if (spawn(j, p[1], p[0], o) < 0) {
		err = errno;
		close(p[0]);
		close(p[1]);
		errno = err;
		return -1;
	}
	close(p[1]);
	if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0 ||
	    loop_add(j->loop, p[0], LOOP_READ, on_pipe, j) < 0)
		goto fail;
	j->busy = true;
	j->pipe_fd = p[0];
	j->deadline = mono_now() + j->timeout;
	j->done = done;
	j->ctx = ctx;
	return 0;
fail:
	err = errno;
	(void)pidfd_send_signal(j->making.pidfd, SIGKILL, NULL, 0);
	reap(j->making.pidfd);
	close(j->making.pidfd);
	close(p[0]);
	errno = err;
	return -1;
}

void view_jobs_cancel(struct view_jobs *j)
{
	if (!j->busy)
		return;
	(void)pidfd_send_signal(j->making.pidfd, SIGKILL, NULL, 0);
	j->done = NULL;
	let_go(j);
}

/* The children parked by on_exited, asked again: 1000 (ms) while one is
 * left, else -1. */
static int retry_parked(struct view_jobs *j)
{
	bool left = false;

	for (size_t i = 0; i < j->nending;) {
		if (!j->ending[i].parked) {
			i++;
		} else if (!try_reap(j, i)) {
			left = true;
			i++;
		} /* else ending[i] is another child now */
	}
	return left ? 1000 : -1;
}

/* The sooner of two waits in milliseconds, -1 being never. */
static int sooner(int a, int b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

int view_jobs_tick(struct view_jobs *j)
{
	char why[64];
	double left;
	int parked = retry_parked(j);

	if (!j->busy)
		return parked;
	left = j->deadline - mono_now();
	if (left > 0)
		return sooner(parked, (int)(left * 1000) + 1);
	(void)pidfd_send_signal(j->making.pidfd, SIGKILL, NULL, 0);
	snprintf(why, sizeof(why), "the view took longer than %u s and was"
		 " ended", j->timeout);
	finish(j, why);
	/* done() may have started the asker's next view */
	return sooner(parked, j->busy ? (int)j->timeout * 1000 + 1 : -1);
}

void view_jobs_free(struct view_jobs *j)
{
	if (!j)
		return;
	view_jobs_cancel(j);
	for (size_t i = 0; i < j->nending; i++) {
		int fd = j->ending[i].pidfd;

		(void)pidfd_send_signal(fd, SIGKILL, NULL, 0);
		loop_del(j->loop, fd);
		reap(fd);
		close(fd);
	}
	free(j->ending);
	free(j);
}
