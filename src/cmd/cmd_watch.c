/*
 * cmd_watch.c - `pmon watch`: rules on the processes (act/rules.h), each
 * change printed as one line and posted to the room, once per change.
 *
 * One poll (redis's ae.c in small): the pidfds of the exit rules, the
 * room's socket (chat/session.h: never waited on; a room that is gone,
 * stalled or absent costs nothing, and the watch gets back in by
 * itself), and explicit timers: the next sample and the room's own.
 * A change is printed at once whatever the room does; lines for the
 * room wait, up to WATCH_PENDING_MAX of them, while it is away.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <langinfo.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "act/rules.h"
#include "act/signals.h"
#include "chat/notify.h"
#include "chat/session.h"
#include "cmd/cmd.h"
#include "cmd/watch.h"
#include "proc/proc.h"
#include "view/escape.h"

#define WATCH_RULES_MAX 64
#define WATCH_PENDING_MAX 64   /* lines kept for a room that is away */
#define WATCH_INTERVAL_DEFAULT 1.0

struct exit_watch {
	const struct rule *rule;
	int pidfd;                 /* -1 once reported */
	struct proc_ref ref;       /* to know its pid is still it at exit */
	char comm[32];             /* as first seen; read again at exit */
};

struct watch {
	struct rule rules[WATCH_RULES_MAX];
	size_t nrules;
	double interval;
	const char *socket;
	bool room;                 /* post to the room (not --no-room) */
	const char *name;          /* -n: the name in the room */
	struct exit_watch exits[WATCH_RULES_MAX];
	size_t nexits, exits_left;
	bool sampled;              /* some rule needs the process table */
	unsigned need;             /* PI_* items the rules read */
	struct rules_state *state;
	struct chat_session session;
	char *pending[WATCH_PENDING_MAX];
	size_t npending;
	bool print_rules;          /* --print-rules: print them and end */
	bool utf8;
};

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig) { stop_signal = sig; }

/* ---- options and the rules file ------------------------------------------ */

static void add_rule(struct watch *w, const struct rule *r)
{
	if (w->nrules == WATCH_RULES_MAX)
		usage_error("more than %d rules", WATCH_RULES_MAX);
	w->rules[w->nrules++] = *r;
}

static void add_rule_arg(struct watch *w, enum rule_kind kind, const char *arg)
{
	struct rule r;
	char why[200];

	if (rule_parse(kind, arg, &r, why, sizeof(why)) < 0)
		usage_error("--%s", why);
	add_rule(w, &r);
}

/* FILE: a rule a line, as the options without their dashes ("cpu
 * 90:60"); blank lines and # comments are skipped.  The file is the
 * caller's own: read as given, a bad line is an error with its number. */
static void read_rules_file(struct watch *w, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	char line[512], why[200], shown[256];
	unsigned n = 0;

	if (!f) {
		int err = errno;

		pmon_die_errno(EXIT_USAGE, err, "cannot open the rules file %s",
			       usage_quote(path, shown, sizeof(shown)));
	}
	while (fgets(line, sizeof(line), f)) {
		struct rule r;
		size_t len = strlen(line);

		n++;
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			if (line[strspn(line, " \t")] != '#')
				usage_error("%s:%u: the line is too long", path, n);
			for (int c = 0; c != '\n' && c != EOF;) /* a comment's rest */
				c = getc(f);
			continue;
		}
		line[strcspn(line, "\n")] = '\0';
		switch (rule_parse_line(line, &r, why, sizeof(why))) {
		case -1: usage_error("%s:%u: %s", path, n, why);
		case 1: add_rule(w, &r); break;
		default: break;
		}
	}
	if (ferror(f)) {
		int err = errno;

		pmon_die_errno(EXIT_USAGE, err, "cannot read the rules file %s",
			       usage_quote(path, shown, sizeof(shown)));
	}
	if (f != stdin)
		fclose(f);
}

enum { O_ZOMBIES = 256, O_EXIT, O_STUCK, O_CPU, O_RSS, O_NOROOM, O_PRINT };

static const struct cmd_opt watch_opts[] = {
	CMD_LONG("zombies", O_ZOMBIES, ARG_NUMBER, "N",
		"a parent's zombies reach N, and each time\n"
		"they grow (and when they fall under N)"),
	CMD_LONG("exit", O_EXIT, ARG_PID, "PID",
		"PID exits: with its exit status when it is\n"
		"our child, else that it is gone (pidfd)"),
	CMD_LONG("stuck-d", O_STUCK, ARG_SECONDS, "SECONDS",
		"a process in D (uninterruptible) that long"),
	CMD_LONG("cpu", O_CPU, ARG_TEXT, "PCT:SECONDS",
		"a process over PCT % of a CPU that long"),
	CMD_LONG("rss", O_RSS, ARG_TEXT, "SIZE:SECONDS",
		"a process over SIZE of RSS that long (SIZE in\n"
		"bytes, or with K, M, G, T: powers of 1024)"),
	CMD_OPT('f', "rules", ARG_FILE, "FILE",
		"rules from FILE (- for stdin): a rule a line,\n"
		"as the options without the dashes (cpu 90:60);\n"
		"# comments and blank lines are skipped"),
	CMD_OPT('i', "interval", ARG_SECONDS, "SECONDS",
		"time between samples, 0.1 to 3600 (default 1)"),
	CMD_OPT('S', "socket", ARG_FILE, "PATH",
		"the room's socket (default: as pmon chat)"),
	CMD_OPT('n', "name", ARG_TEXT, "NAME",
		"the name in the room (default LOGIN-watch)"),
	CMD_LONG("no-room", O_NOROOM, ARG_NONE, NULL,
		"print only; do not join the room"),
	CMD_LONG("print-rules", O_PRINT, ARG_NONE, NULL,
		"print the rules as read, one a line, and exit"),
	{0},
};

static void parse_opts(int argc, char **argv, struct watch *w)
{
	int c;

	while ((c = cmd_getopt(argc, argv)) != -1) {
		switch (c) {
		case O_ZOMBIES: add_rule_arg(w, RULE_ZOMBIES, optarg); break;
		case O_EXIT: add_rule_arg(w, RULE_EXIT, optarg); break;
		case O_STUCK: add_rule_arg(w, RULE_STUCK_D, optarg); break;
		case O_CPU: add_rule_arg(w, RULE_CPU, optarg); break;
		case O_RSS: add_rule_arg(w, RULE_RSS, optarg); break;
		case 'f': read_rules_file(w, optarg); break;
		case 'i': {
			char *end;

			w->interval = strtod(optarg, &end);
			if (*end || !(w->interval >= 0.1 && w->interval <= 3600))
				usage_error("-i takes seconds between samples, 0.1 to 3600,"
					    " not '%s'", optarg);
			break;
		}
		case 'S': w->socket = optarg; break;
		case 'n': w->name = optarg; break;
		case O_NOROOM: w->room = false; break;
		case O_PRINT: w->print_rules = true; break;
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (w->nrules == 0)
		usage_error("no rule: give --zombies, --exit, --stuck-d, --cpu,"
			    " --rss or --rules FILE");
}

/* ---- what a change says ------------------------------------------------------ */

static void size_text(struct buf *b, double kb)
{
	static const char units[] = "KMGT";
	int u = 0;

	while (kb >= 1024 && u < 3)
		kb /= 1024, u++;
	buf_printf(b, kb < 10 && u ? "%.1f%c" : "%.0f%c", kb, units[u]);
}

static void exit_text(const struct rule_event *e, struct buf *b)
{
	char sig[16];

	if (!e->child)
		buf_puts(b, "exited (not our child: its status is its parent's)");
	else if (e->signalled)
		buf_printf(b, "was killed by signal %s",
			   signal_name(e->status, sig, sizeof(sig)));
	else
		buf_printf(b, "exited with status %d", e->status);
}

/* The wall clock's HH:MM:SS at mono, a time of mono_now()'s. */
static void clock_text(double mono, char *out, size_t size)
{
	time_t at = time(NULL) - (time_t)(mono_now() - mono + 0.5);
	struct tm tm;

	if (!localtime_r(&at, &tm) || !strftime(out, size, "%H:%M:%S", &tm))
		snprintf(out, size, "?");
}

/* The end of a condition said as the watch ends, before the rule's
 * time under was up: since when it has been under. */
static void ending_text(const struct rule_event *e, struct buf *b)
{
	char since[16];

	clock_text(e->under_since, since, sizeof(since));
	buf_printf(b, ", since %s (watch ending)", since);
}

/* A condition that still held as the watch ended: how long so far. */
static void still_text(const struct rule_event *e, struct buf *b)
{
	const struct rule *r = e->rule;

	switch (r->kind) {
	case RULE_ZOMBIES:
		buf_printf(b, "still holds %ld zombie%s", e->count,
			   e->count == 1 ? "" : "s");
		break;
	case RULE_STUCK_D:
		buf_printf(b, "still in D after %.0f s", e->secs);
		break;
	case RULE_CPU:
		buf_printf(b, "still over %g%% CPU after %.0f s", r->pct, e->secs);
		break;
	case RULE_RSS:
		buf_puts(b, "still over ");
		size_text(b, (double)r->rss_kb);
		buf_printf(b, " RSS after %.0f s", e->secs);
		break;
	case RULE_EXIT: case RULE_KINDS:
		break;
	}
	buf_puts(b, " (watch ending: no longer watched)");
}

/* The end of a condition by the process's exit: how long it held, or
 * (back under, not yet for its time) since when it was under. */
static void exited_text(const struct rule_event *e, struct buf *b)
{
	const struct rule *r = e->rule;
	char since[16];

	if (r->kind == RULE_ZOMBIES) {
		buf_printf(b, "exited holding %ld zombie%s (its reaper inherits"
			   " them)", e->count, e->count == 1 ? "" : "s");
		return;
	}
	if (r->kind == RULE_STUCK_D) {
		buf_printf(b, "exited after %.0f s in D", e->secs);
		return;
	}
	if (e->under_since > 0)
		buf_puts(b, "exited, back under ");
	else
		buf_printf(b, "exited after %.0f s over ", e->secs);
	if (r->kind == RULE_CPU) {
		buf_printf(b, "%g%% CPU", r->pct);
	} else {
		size_text(b, (double)r->rss_kb);
		buf_puts(b, " RSS");
	}
	if (e->under_since > 0) {
		clock_text(e->under_since, since, sizeof(since));
		buf_printf(b, " after %.0f s, since %s", e->secs, since);
	}
}

/* One line of text for e; the name is escaped (it is the process's
 * own choice). */
static void event_text(const struct watch *w, const struct rule_event *e,
		       struct buf *b)
{
	const struct rule *r = e->rule;

	buf_printf(b, "%d (", (int)e->pid);
	esc_append(b, e->comm, strlen(e->comm), w->utf8);
	buf_puts(b, ") ");
	if (e->exited) {
		exited_text(e, b);
		return;
	}
	if (e->still) {
		still_text(e, b);
		return;
	}
	switch (r->kind) {
	case RULE_ZOMBIES:
		buf_printf(b, "holds %ld zombie%s", e->count, e->count == 1 ? "" : "s");
		if (e->change == CHANGE_GREW)
			buf_printf(b, ", up from %ld", e->before);
		else if (e->change == CHANGE_OFF)
			buf_printf(b, ", under %ld again", r->count);
		break;
	case RULE_EXIT:
		exit_text(e, b);
		break;
	case RULE_STUCK_D:
		if (e->change == CHANGE_OFF)
			buf_printf(b, "left D after %.0f s", e->secs);
		else
			buf_printf(b, "has been in D (uninterruptible) for %.0f s", e->secs);
		break;
	case RULE_CPU:
		buf_printf(b, e->change == CHANGE_OFF ? "back under %g%% CPU after %.0f s" :
			   "over %g%% CPU for %.0f s", r->pct, e->secs);
		if (e->change != CHANGE_OFF)
			buf_printf(b, " (%.0f%%)", e->value);
		break;
	case RULE_RSS:
		buf_puts(b, e->change == CHANGE_OFF ? "back under " : "over ");
		size_text(b, (double)r->rss_kb);
		buf_printf(b, e->change == CHANGE_OFF ? " RSS after %.0f s" :
			   " RSS for %.0f s (", e->secs);
		if (e->change != CHANGE_OFF) {
			size_text(b, e->value);
			buf_putc(b, ')');
		}
		break;
	case RULE_KINDS:
		break;
	}
	if (e->ending)
		ending_text(e, b);
}

/* ---- the room ---------------------------------------------------------------- */

/* The room line of a change: a notice, which the server marks as a
 * watch's and attributes to our account ("[watch] NAME (uid N): ..."). */
static bool post(struct watch *w, const char *text)
{
	struct buf line = {0};
	bool ok;

	buf_printf(&line, "/notice %s", text);
	ok = chat_session_request(&w->session, line.data, line.len);
	buf_free(&line);
	return ok;
}

static void post_pending(struct watch *w)
{
	size_t sent = 0;

	while (sent < w->npending && post(w, w->pending[sent]))
		free(w->pending[sent++]);
	memmove(w->pending, w->pending + sent, (w->npending - sent) * sizeof(char *));
	w->npending -= sent;
}

static void keep_for_room(struct watch *w, const char *text)
{
	if (w->npending == WATCH_PENDING_MAX) { /* the oldest goes */
		free(w->pending[0]);
		memmove(w->pending, w->pending + 1, (WATCH_PENDING_MAX - 1) * sizeof(char *));
		w->npending--;
	}
	w->pending[w->npending++] = xstrdup(text);
}

static void tell(struct watch *w, const struct rule_event *e)
{
	struct buf b = {0};
	char stamp[16] = "";
	time_t now = time(NULL);
	struct tm tm;

	event_text(w, e, &b);
	if (localtime_r(&now, &tm))
		strftime(stamp, sizeof(stamp), "%H:%M:%S ", &tm);
	printf("%s%s\n", stamp, b.data);
	fflush(stdout);
	if (w->room) {
		keep_for_room(w, b.data);
		post_pending(w);
	}
	buf_free(&b);
}

/* ---- exits ------------------------------------------------------------------- */

/* The comm of ref's process, if its pid still names it (running, or a
 * zombie not yet reaped); false when it is gone or the pid is reused. */
static bool comm_of_ref(const struct proc_ref *ref, char *comm, size_t size)
{
	struct snapshot s;
	struct snapshot_query q = {.need = PI_START | PI_COMM, .pids = &ref->pid, .npids = 1};
	bool found;

	if (snapshot_take(&s, &q) < 0)
		return false;
	found = s.n == 1 && s.procs[0].comm &&
		(!ref->start_ticks || s.procs[0].start_ticks == ref->start_ticks);
	if (found)
		snprintf(comm, size, "%s", s.procs[0].comm);
	snapshot_free(&s);
	return found;
}

static void open_exits(struct watch *w)
{
	for (size_t i = 0; i < w->nrules; i++) {
		const struct rule *r = &w->rules[i];
		struct exit_watch *x;
		struct snapshot s;
		struct snapshot_query q = {.need = PI_START | PI_COMM, .pids = &r->pid, .npids = 1};

		if (r->kind != RULE_EXIT)
			continue;
		x = &w->exits[w->nexits++];
		x->rule = r;
		if (snapshot_take(&s, &q) < 0)
			pmon_die_errno(EXIT_FAIL, errno, "cannot read the process table");
		if (s.n == 0)
			pmon_die(EXIT_FAIL, "--exit %d: no such process", (int)r->pid);
		snprintf(x->comm, sizeof(x->comm), "%s", s.procs[0].comm ? s.procs[0].comm : "?");
		x->ref = proc_ref_of(&s.procs[0]);
		snapshot_free(&s);
		if (proc_ref_take(&x->ref, &x->pidfd) < 0 || x->pidfd < 0)
			pmon_die_errno(EXIT_FAIL, errno, "--exit %d: cannot watch it"
				       " (pidfd)", (int)r->pid);
		w->exits_left++;
	}
}

/* The pidfd is readable: the process exited.  Its status if it is our
 * child (waitid on the pidfd reaps it), else only that it is gone.  Its
 * name is read again first, from the zombie while there is one: the
 * name first seen can be the one before an exec (a shell's `cmd &`
 * child is "sh" until it has exec'd cmd; CI saw that race). */
static void exit_seen(struct watch *w, struct exit_watch *x)
{
	siginfo_t si = {0};
	struct rule_event e;
	bool child = waitid(P_PIDFD, (id_t)x->pidfd, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		     si.si_pid != 0;

	comm_of_ref(&x->ref, x->comm, sizeof(x->comm));
	if (child)
		(void)waitid(P_PIDFD, (id_t)x->pidfd, &si, WEXITED | WNOHANG);
	rules_exit_event(x->rule, x->comm, child, child ? si.si_status : 0,
			 child && si.si_code != CLD_EXITED, &e);
	tell(w, &e);
	close(x->pidfd);
	x->pidfd = -1;
	w->exits_left--;
}

/* ---- samples ------------------------------------------------------------------- */

static void plan(struct watch *w)
{
	for (size_t i = 0; i < w->nrules; i++) {
		switch (w->rules[i].kind) {
		case RULE_ZOMBIES: w->need |= PI_PPID | PI_STATE | PI_THREADS; break;
		case RULE_STUCK_D: w->need |= PI_STATE; break;
		case RULE_CPU: w->need |= PI_CPU; break;
		case RULE_RSS: w->need |= PI_RSS; break;
		case RULE_EXIT: case RULE_KINDS: continue;
		}
		w->sampled = true;
	}
	w->need |= PI_START | PI_COMM;
}

/*
 * The process table is read by a thread of its own: on a loaded box with
 * tens of thousands of processes a reading takes seconds of wall time
 * (3.8 s for 30,700 processes at load 31 on the 2-CPU development VM,
 * 0.85 s of it CPU), which the loop cannot spend away from the room (its
 * server closes a connection that does not give its name in time) or
 * from the exits.  The loop asks with a byte on go[1]; the thread
 * answers with a pointer to the reading on done[1].
 */
struct reading {
	struct snapshot s;
	struct rule_proc *rp;
	double at;
	int err;               /* errno of a failed reading, or 0 */
};

static int go_pipe[2] = {-1, -1}, done_pipe[2] = {-1, -1};

static void *reader_thread(void *arg)
{
	unsigned need = *(const unsigned *)arg;
	char c;

	while (read(go_pipe[0], &c, 1) == 1) {
		struct reading *r = xcalloc(1, sizeof(*r));
		struct snapshot_query q = {.need = need};

		if (snapshot_take(&r->s, &q) < 0) {
			r->err = errno ? errno : EIO;
		} else {
			r->rp = xcalloc(r->s.n ? r->s.n : 1, sizeof(*r->rp));
			for (size_t i = 0; i < r->s.n; i++) {
				const struct proc *p = &r->s.procs[i];

				r->rp[i] = (struct rule_proc){.pid = p->pid, .ppid = p->ppid,
					.start_ticks = p->start_ticks, .state = p->state,
					.zombie = proc_is_zombie(p), .cpu_ticks = p->cpu_ticks,
					.rss_kb = p->rss_kb, .comm = p->comm};
			}
		}
		r->at = mono_now();
		if (write(done_pipe[1], &r, sizeof(r)) != sizeof(r))
			break;
	}
	return NULL;
}

static void start_reader(struct watch *w)
{
	static unsigned need;
	pthread_t th;
	sigset_t all, old;
	int err;

	need = w->need;
	if (pipe2(go_pipe, O_CLOEXEC) < 0 || pipe2(done_pipe, O_CLOEXEC) < 0)
		pmon_die_errno(EXIT_FAIL, errno, "cannot make a pipe");
	/* The signals are the loop's: the thread starts with them held. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&th, NULL, reader_thread, &need);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		pmon_die_errno(EXIT_FAIL, err, "cannot start the reader");
	pthread_detach(th);
}

static void ask_reading(void)
{
	(void)!write(go_pipe[1], "", 1);
}

/* The reading is in: judge it, tell what changed. */
static void take_reading(struct watch *w)
{
	struct reading *r;
	struct rule_event *ev = NULL;
	size_t nev = 0;

	if (read(done_pipe[0], &r, sizeof(r)) != sizeof(r))
		pmon_die_errno(EXIT_FAIL, errno, "the reader stopped");
	if (r->err)
		pmon_die_errno(EXIT_FAIL, r->err, "cannot read the process table");
	rules_sample(w->state, r->rp, r->s.n, r->at, r->s.clock.hz, &ev, &nev);
	for (size_t i = 0; i < nev; i++)
		tell(w, &ev[i]);
	free(ev);
	free(r->rp);
	snapshot_free(&r->s);
	free(r);
}

/* The watch ends: the conditions that were back under, but not yet for
 * their time, are said to have ended (else the room would never hear
 * of it), and those that still held to be still on, no longer watched,
 * as of the last sample. */
static void tell_ending(struct watch *w)
{
	struct rule_event *ev = NULL;
	size_t nev = 0;

	rules_end(w->state, &ev, &nev);
	for (size_t i = 0; i < nev; i++)
		tell(w, &ev[i]);
	free(ev);
}

/* ---- the loop -------------------------------------------------------------------- */

static int ms_until(double t, double now)
{
	double ms = (t - now) * 1000;

	return ms < 1 ? 1 : ms > 60000 ? 60000 : (int)ceil(ms);
}

/* In the room: say what we are (a watch, in /who), then what waited. */
static void on_enter(void *data)
{
	struct watch *w = data;
	struct buf req = {0};

	chat_kind_request(&req, CHAT_KIND_WATCH);
	(void)chat_session_request(&w->session, req.data, req.len);
	buf_free(&req);
	post_pending(w);
}

static void watch_loop(struct watch *w)
{
	double next = mono_now();
	bool reading = false;

	if (w->sampled)
		start_reader(w);
	while (!stop_signal && (w->sampled || w->exits_left)) {
		struct pollfd p[WATCH_RULES_MAX + 2];
		size_t np = 0, room_at, done_at;
		double now = mono_now(), t, rt;

		if (w->sampled && !reading && now >= next) {
			ask_reading();
			reading = true;
			next = now + w->interval;
		}
		t = w->sampled && !reading ? next : now + 60;
		if (w->room) {
			chat_session_tick(&w->session, now);
			if (w->session.state == SESSION_IN)
				post_pending(w);
			rt = chat_session_next_timer(&w->session);
			if (rt > 0 && rt < t)
				t = rt;
		}
		for (size_t i = 0; i < w->nexits; i++)
			if (w->exits[i].pidfd >= 0)
				p[np++] = (struct pollfd){.fd = w->exits[i].pidfd, .events = POLLIN};
		room_at = np;
		p[np++] = (struct pollfd){.fd = w->room ? chat_session_fd(&w->session) : -1,
					  .events = chat_session_events(&w->session)};
		done_at = np;
		p[np++] = (struct pollfd){.fd = reading ? done_pipe[0] : -1, .events = POLLIN};
		if (poll(p, np, ms_until(t, now)) < 0) {
			if (errno == EINTR)
				continue;
			pmon_die_errno(EXIT_FAIL, errno, "cannot wait");
		}
		for (size_t i = 0, k = 0; i < w->nexits; i++)
			if (w->exits[i].pidfd >= 0 && p[k++].revents)
				exit_seen(w, &w->exits[i]);
		if (p[room_at].fd >= 0 && p[room_at].revents)
			chat_session_io(&w->session, p[room_at].revents, mono_now());
		if (p[done_at].fd >= 0 && p[done_at].revents) {
			take_reading(w);
			reading = false;
		}
	}
}

/* Before leaving, give the room what is queued: at most a second. */
static void drain_room(struct watch *w)
{
	double until = mono_now() + 1;

	while (w->room && !stop_signal && mono_now() < until &&
	       (w->npending || w->session.c.out.len)) {
		struct pollfd p = {.fd = chat_session_fd(&w->session),
				   .events = chat_session_events(&w->session)};

		chat_session_tick(&w->session, mono_now());
		if (w->session.state == SESSION_IN)
			post_pending(w);
		p.fd = chat_session_fd(&w->session);
		if (poll(&p, 1, 50) > 0 && p.fd >= 0)
			chat_session_io(&w->session, p.revents, mono_now());
	}
}

static void catch_stops(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa = {.sa_handler = on_stop};

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_LEN(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void room_names(const struct watch *w, char *want, char *alt, size_t size)
{
	char login[64];

	chat_login_name(getuid(), login, sizeof(login));
	if (w->name) {
		snprintf(want, size, "%s", w->name);
	} else {
		snprintf(want, size, "%.*s-watch", CHAT_NAME_MAX - 6, login);
		if (!chat_name_valid(want, strlen(want)))
			want[0] = '\0';
	}
	snprintf(alt, size, "%.*s-watch-%d", CHAT_NAME_MAX - 16, login, (int)getpid());
	if (!chat_name_valid(alt, strlen(alt)))
		alt[0] = '\0';
}

/* --print-rules: the rules as read, a file line each (to check a rules
 * file before a unit runs it). */
static int print_rules(struct watch *w)
{
	struct buf b = {0};

	for (size_t i = 0; i < w->nrules; i++) {
		rule_format(&w->rules[i], &b);
		buf_putc(&b, '\n');
	}
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
	free(w);
	return finish_stdout(EXIT_OK);
}

/* A --cpu over what every CPU of this machine makes together can never
 * hold here: said once, and kept (a rules file may serve a whole fleet). */
static void warn_unreachable(const struct watch *w)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	for (size_t i = 0; i < w->nrules && cpus > 0; i++)
		if (w->rules[i].kind == RULE_CPU && w->rules[i].pct > 100.0 * (double)cpus)
			pmon_warn("cpu %g%% cannot be reached here: %ld CPU%s make at"
				  " most %ld%%", w->rules[i].pct, cpus,
				  cpus == 1 ? "" : "s", 100 * cpus);
}

int watch_run(int argc, char **argv)
{
	struct watch *w = xcalloc(1, sizeof(*w));
	char want[CHAT_NAME_MAX + 1], alt[CHAT_NAME_MAX + 1], why[CHAT_WHY_MAX];
	int sig;

	w->interval = WATCH_INTERVAL_DEFAULT;
	w->room = true;
	w->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	parse_opts(argc, argv, w);
	if (w->name && !*w->name)
		usage_error("-n needs a name (without -n: LOGIN-watch)");
	if (w->name && chat_client_check_name(w->name, why) < 0)
		usage_error("-n: %s", why);
	warn_unreachable(w);
	if (w->print_rules)
		return print_rules(w);
	plan(w);
	catch_stops();
	open_exits(w);
	w->state = rules_new(w->rules, w->nrules);
	if (w->room) {
		room_names(w, want, alt, sizeof(want));
		chat_login_lookups(false); /* none in the loop: NSS can block */
		chat_session_init(&w->session, chat_socket_path(w->socket), want, alt);
		w->session.on_enter = on_enter;
		w->session.data = w;
	}
	watch_loop(w);
	tell_ending(w);
	drain_room(w);
	if (w->room)
		chat_session_free(&w->session);
	rules_free(w->state);
	for (size_t i = 0; i < w->npending; i++)
		free(w->pending[i]);
	sig = stop_signal;
	free(w);
	if (sig) {
		fflush(stdout);
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return finish_stdout(EXIT_OK);
}

const struct cmd_entry cmd_watch_entry = {
	.name = "watch",
	.summary = "Watch rules on the processes and tell the room, once per change",
	.usage = "[--zombies N] [--exit PID] [--stuck-d SECONDS] [--cpu PCT:SECONDS] "
		 "[--rss SIZE:SECONDS] [-f FILE] [-i SECONDS] [-S SOCKET] [-n NAME] "
		 "[--no-room] [--print-rules]",
	.opts = watch_opts,
	.notes =
	"Every rule may be given more than once.  Each change is printed on\n"
	"stdout, a line each, and posted to the room (a notice, marked as a\n"
	"watch's) when one runs; the watch joins by itself when the room\n"
	"appears or comes back, and shows in /who as a watch.  With\n"
	"only --exit rules, pmon watch ends once they have all been seen.\n"
	"When it ends (a signal), a condition back under but not yet for its\n"
	"SECONDS is said to have ended: \"... back under 90% CPU after 75 s,\n"
	"since 20:31:07 (watch ending)\"; one still on, to be: \"... still over\n"
	"90% CPU after 75 s (watch ending: no longer watched)\".  A process\n"
	"that exits ends what was said of it: \"4242 (nginx) exited after 75 s\n"
	"over 90% CPU\".\n",
	.exec = watch_run,
};

int watch_run_for(int argc, char **argv)
{
	cmd_current = &cmd_watch_entry;
	optind = 0; /* getopt starts over, with the watch's options */
	return watch_run(argc, argv);
}
