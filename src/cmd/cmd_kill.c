/*
 * cmd_kill.c - `pmon kill`: send a signal to processes, or to a whole
 * subtree, without ever hitting a recycled PID.
 *
 * Every target is selected right after the command scans the process
 * table: its identity is taken then (proc_ref_take: the pidfs inode, or
 * the start time on kernels before 6.9), and the signal goes through a
 * pidfd checked against it (signals.c).  A subtree is frozen with SIGSTOP
 * first, so that none of its members can fork a child the signal misses.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "view/output.h"
#include "cmd/cmd.h"
#include "proc/proc.h"
#include "act/freeze.h"
#include "act/signals.h"
#include "act/zombie.h"
#include "cmd/room_guard.h"

struct kill_opts {
	int sig;
	int argc;                /* argv's, once -SIG forms are taken out */
	bool sig_given, list, force, dry_run, quiet;
	pid_t *pids, *trees;
	size_t npids, ntrees;
};

static int parse_signal(const char *s)
{
	int sig = signal_from_name(s);

	if (sig < 0)
		usage_error("unknown signal '%s' ('pmon kill -l' lists them)", s);
	return sig;
}

static void set_signal(struct kill_opts *o, const char *s)
{
	if (o->sig_given)
		usage_error("more than one signal given ('%s')", s);
	o->sig = parse_signal(s);
	o->sig_given = true;
}

/*
 * kill(1)'s -SIG and -NUM (-9, -KILL, -SIGKILL, -term): taken out of argv
 * before getopt sees them.  -s, -l, -f, -n and -h stay options; no signal
 * has a one-letter name.
 */
static int take_dash_signals(int argc, char **argv, struct kill_opts *o)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		if (a[0] == '-' && a[1] && a[1] != '-' &&
		    signal_from_name(a + 1) >= 0) {
			set_signal(o, a + 1);
			continue;
		}
		if (a[0] == '-' && a[1] >= '0' && a[1] <= '9')
			usage_error("'%s' is not a signal (process groups are not "
				    "taken; --tree PID signals a subtree)", a);
		argv[out++] = argv[i];
		/* An option's value is not a signal: "-s 9". */
		if ((strcmp(a, "-s") == 0 || strcmp(a, "--signal") == 0 ||
		     strcmp(a, "--tree") == 0) && i + 1 < argc)
			argv[out++] = argv[++i];
	}
	argv[out] = NULL;
	return out;
}

static void add_pid(pid_t **list, size_t *n, const char *s)
{
	*list = xreallocarray(*list, *n + 1, sizeof(**list));
	(*list)[(*n)++] = estrtopid(s);
}

static const struct cmd_opt kill_opts[] = {
	CMD_OPT('s', "signal", ARG_SIGNAL, "SIG",
		"the signal: a name (TERM, SIGTERM, term) or a\n"
		"number; also -SIG and -NUM as in kill(1).\n"
		"Default TERM.  0 sends nothing: it checks that\n"
		"each PID exists and may be signalled"),
	CMD_OPT('l', "list", ARG_NONE, "[SIG...]",
		"list the signals with their numbers; with\n"
		"arguments, the name of each number (an exit\n"
		"status above 128 counts as 128+N) or the number\n"
		"of each name"),
	CMD_LONG("tree", 't', ARG_PID, "PID",
		"the whole subtree under PID: frozen with SIGSTOP\n"
		"top-down until no member can fork, then signalled,\n"
		"then sent SIGCONT (but for KILL and stop signals)"),
	CMD_OPT('f', "force", ARG_NONE, NULL,
		"also signal PID 1, pmon and pmon's ancestors,\n"
		"and processes someone else claims in the room\n"
		"without asking"),
	CMD_OPT('n', "dry-run", ARG_NONE, NULL,
		"print what would be signalled; signal nothing"),
	CMD_OPT('q', "quiet", ARG_NONE, NULL,
		"tell the room nothing, and ignore its claims"),
	{0},
};

static void parse_opts(int argc, char **argv, struct kill_opts *o)
{
	int c;

	o->sig = SIGTERM;
	argc = o->argc = take_dash_signals(argc, argv, o);
	while ((c = cmd_getopt(argc, argv)) != -1) {
		switch (c) {
		case 's': set_signal(o, optarg); break;
		case 'l': o->list = true; break;
		case 't': add_pid(&o->trees, &o->ntrees, optarg); break;
		case 'f': o->force = true; break;
		case 'n': o->dry_run = true; break;
		case 'q': o->quiet = true; break;
		}
	}
	if (o->list && o->sig_given)
		usage_error("-l lists signals or looks up the names and numbers "
			    "given after it (without a dash); it sends none");
	if (o->list)
		return; /* the rest are signals to look up */
	for (int i = optind; i < argc; i++)
		add_pid(&o->pids, &o->npids, argv[i]);
	if (!o->npids && !o->ntrees)
		usage_error("no PID given");
	if (o->sig == 0 && o->ntrees)
		usage_error("signal 0 only checks processes; --tree would stop "
			    "the tree to check it");
}

/* `kill -l`: the whole list; `kill -l 15` or `-l 143` (an exit status
 * 128+N): the name; `kill -l TERM`: the number. */
static int list_signals(int argc, char **argv)
{
	struct buf b = {0};
	char name[32];
	int status = EXIT_OK;

	if (optind >= argc)
		signal_list(&b);
	for (int i = optind; i < argc; i++) {
		long n;

		if (parse_long(argv[i], 1, 255, &n) == 0) {
			int sig = n > 128 ? (int)n - 128 : (int)n;

			if (sig > SIGRTMAX || (sig >= 32 && sig < SIGRTMIN)) {
				pmon_warn("%s: not a signal number", argv[i]);
				status = EXIT_FAIL;
				continue;
			}
			buf_printf(&b, "%s\n", signal_name(sig, name, sizeof(name)));
		} else if (signal_from_name(argv[i]) > 0) {
			buf_printf(&b, "%d\n", signal_from_name(argv[i]));
		} else {
			char shown[96];

			pmon_warn("unknown signal '%s'",
				  usage_quote(argv[i], shown, sizeof(shown)));
			status = EXIT_FAIL;
		}
	}
	fputs(b.data ? b.data : "", stdout);
	buf_free(&b);
	return finish_stdout(status);
}

/* ---- targets ------------------------------------------------------- */

struct context {
	struct snapshot snap;
	pid_t self;
	struct output out;
	char signame[32];
	const struct kill_opts *o;
	struct room_guard room;
};

/* Is pid the init of pmon's own PID namespace, where /proc numbers it
 * otherwise (an outer namespace's /proc)? */
static bool own_ns_init(pid_t pid)
{
	pid_t own;

	return proc_pidns()->kind == PIDNS_ANCESTOR &&
	       proc_own_pid(pid, pid, &own) == 0 && own == 1;
}

/* Why p must not be signalled without --force, or NULL. */
static const char *refusal(const struct context *c, pid_t pid)
{
	if (c->o->force)
		return NULL;
	if (pid == 1)
		return "PID 1 is init (use --force to signal it anyway)";
	if (own_ns_init(pid))
		return "PID 1 of pmon's PID namespace, whose end ends every "
		       "process in it (use --force to signal it anyway)";
	if (pid == c->self)
		return "that is pmon itself (use --force to signal it anyway)";
	if (snapshot_is_ancestor(&c->snap, pid, c->self))
		return "an ancestor of pmon, such as the shell running it "
		       "(use --force to signal it anyway)";
	return NULL;
}

/* "PID COMM: " then text, as one result line. */
static void result(struct context *c, pid_t pid, const char *comm,
		   const char *fmt, ...) PRINTF_LIKE(4, 5);
static void result(struct context *c, pid_t pid, const char *comm,
		   const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	int n;

	buf_printf(&b, "%d", (int)pid);
	out_raw(&c->out, b.data);
	if (comm) {
		out_raw(&c->out, " ");
		out_text(&c->out, comm, strlen(comm));
	}
	out_raw(&c->out, ": ");
	buf_reset(&b);
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	buf_reserve(&b, n > 0 ? (size_t)n : 0);
	va_start(ap, fmt);
	vsnprintf(b.data, b.cap, fmt, ap);
	va_end(ap);
	out_raw(&c->out, b.data);
	out_endline(&c->out);
	buf_free(&b);
}

/* The words for a failed signal_send/pidfd call; the caller's line. */
static void result_error(struct context *c, pid_t pid, const char *comm, int err)
{
	result(c, pid, comm, "%s", signal_error(err));
}

/*
 * The test suite's way to hold pmon between its steps, so that a test can
 * recycle a pid in the gaps (tests/fixtures/pid-recycle.c): with
 * PMON_TEST_STOP set, pmon stops itself before it scans and again once
 * its targets are selected, until it gets SIGCONT.
 */
static void test_stop(void)
{
	if (getenv("PMON_TEST_STOP"))
		raise(SIGSTOP);
}

/* A PID as selected from the scan: its identity, or the line that says
 * why it gets no signal. */
struct target {
	pid_t pid;
	const char *comm;  /* NULL: not in the process table */
	struct proc_ref ref;
	char done[256];    /* the result already known, or "": signal it */
	int status;        /* 1 when done counts as not signalled */
};

/* Select pid (the root of a tree, with tree): look it up in the scan,
 * refuse, or take its identity. */
static void select_target(struct context *c, pid_t pid, bool tree,
			  struct target *t)
{
	const struct proc *p = snapshot_find(&c->snap, pid);
	const char *why;

	*t = (struct target){.pid = pid};
	t->status = 1;
	if (!p) {
		snprintf(t->done, sizeof(t->done), "%s", signal_no_such(false));
		return;
	}
	t->comm = p->comm;
	/* Signal 0 delivers nothing, so nothing needs protecting from it. */
	why = c->o->sig ? refusal(c, pid) : NULL;
	if (why) {
		snprintf(t->done, sizeof(t->done), "refused: %s%s", why,
			 tree ? " (with its tree)" : "");
		return;
	}
	t->ref = proc_ref_of(p);
	if (proc_is_zombie(p) && !tree) {
		/* kill(2) "succeeds" on a zombie and does nothing. */
		snprintf(t->done, sizeof(t->done), c->o->sig ?
			 "already exited (zombie): nothing to signal (its parent "
			 "must reap it; see pmon zombies)" :
			 "exists, as a zombie: it has exited and its parent has "
			 "not reaped it (see pmon zombies)");
		t->status = 0;
	} else if (!c->o->dry_run && proc_ref_take(&t->ref, NULL) < 0) {
		snprintf(t->done, sizeof(t->done), "%s", signal_error(errno));
	} else if (!room_guard_allows(&c->room, pid, p->start_ticks, p->comm,
				      t->done, sizeof(t->done))) {
		return; /* claimed by someone else: t->done says so */
	} else {
		t->status = 0;
	}
}

/* Tell the room (one event per target that was signalled or tried). */
static void post_action(struct context *c, const struct target *t,
			enum chat_verb verb, unsigned count, int err)
{
	char word[CHAT_ACTION_WORD_MAX + 1];
	struct chat_action a = {
		.verb = verb, .pid = t->pid, .start_ticks = t->ref.start_ticks,
		.comm = t->comm, .detail = c->signame, .count = count,
		.result = err ? room_guard_errword(err, word, sizeof(word)) :
				"ok",
	};

	room_guard_post(&c->room, &a);
}

/* A PID that is also in a --tree is signalled with its tree, once:
 * signalled first on its own, it could be gone by the freeze, which
 * would then report its own root as vanished. */
static void leave_to_tree(const struct context *c, struct target *t,
			  const struct target *roots, size_t n)
{
	for (size_t i = 0; i < n && !t->done[0]; i++)
		if (!roots[i].done[0] &&
		    snapshot_is_ancestor(&c->snap, roots[i].pid, t->pid))
			snprintf(t->done, sizeof(t->done), "in the tree of --tree "
				 "%d, and listed there", (int)roots[i].pid);
}

/* Signal a selected target: 0 when it was signalled (or would be). */
static int act_on(struct context *c, const struct target *t)
{
	if (t->done[0]) {
		result(c, t->pid, t->comm, "%s", t->done);
		return t->status;
	}
	if (c->o->dry_run) {
		result(c, t->pid, t->comm, "would send %s", c->signame);
		return 0;
	}
	if (signal_send(&t->ref, c->o->sig) < 0) {
		int err = errno;

		result_error(c, t->pid, t->comm, err);
		if (c->o->sig)
			post_action(c, t, CHAT_VERB_KILL, 1, err);
		return 1;
	}
	if (c->o->sig)
		post_action(c, t, CHAT_VERB_KILL, 1, 0);
	if (c->o->sig == 0)
		result(c, t->pid, t->comm, "exists and may be signalled");
	else
		result(c, t->pid, t->comm, "sent %s", c->signame);
	return 0;
}

static int report_member(struct context *c, const struct tree_member *m)
{
	pid_t pid = m->ref.pid;

	if (m->zombie) {
		result(c, pid, m->comm, "already exited (zombie): nothing to signal");
		return 0;
	}
	/* Seen in the tree, then seen gone: nothing was sent to it. */
	if (m->found == MEMBER_EXITED) {
		result(c, pid, m->comm, "exited while pmon froze the tree; not signalled");
		return 0;
	}
	if (m->found == MEMBER_RECYCLED) {
		result(c, pid, m->comm, "exited while pmon froze the tree, and its "
		       "pid now names another process; not signalled");
		return 0;
	}
	if (c->o->dry_run) {
		result(c, pid, m->comm, "would send %s", c->signame);
		return 0;
	}
	if (m->sent) {
		result(c, pid, m->comm, "sent %s", c->signame);
		return 0;
	}
	result_error(c, pid, m->comm, m->err ? m->err : EIO);
	return 1;
}

/* The result line of a root that did not join the freeze (err). */
static int report_root(struct context *c, const struct target *root, int err)
{
	if (err == EALREADY) {
		result(c, root->pid, root->comm, "in the tree of an earlier --tree, "
		       "and listed there");
		return 0;
	}
	result_error(c, root->pid, root->comm, err);
	return 1;
}

/* The subtrees under the selected roots: freeze them all at once (one
 * deadline for all), signal, thaw, then report tree by tree.  The number
 * of failed members. */
static int kill_trees(struct context *c, const struct target *roots, size_t n)
{
	struct proc_ref *refs = xcalloc(n ? n : 1, sizeof(*refs));
	size_t nrefs = 0;
	struct frozen_tree t;
	sigset_t hold, saved;
	int failed = 0;

	for (size_t i = 0; i < n; i++) {
		if (!roots[i].done[0])
			refs[nrefs++] = roots[i].ref;
	}
	/* A Ctrl-C between the freeze and the thaw would leave the trees
	 * stopped: such signals wait until it is done (5 s at most). */
	sigemptyset(&hold);
	sigaddset(&hold, SIGINT);
	sigaddset(&hold, SIGTERM);
	sigaddset(&hold, SIGHUP);
	sigaddset(&hold, SIGQUIT);
	sigaddset(&hold, SIGTSTP);
	sigprocmask(SIG_BLOCK, &hold, &saved);
	if (tree_freeze(refs, nrefs, c->self, c->o->dry_run, &t) < 0) {
		sigprocmask(SIG_SETMASK, &saved, NULL);
		pmon_die_errno(EXIT_FAIL, errno, "cannot read the process table");
	}
	if (!c->o->dry_run) {
		if (!t.closed)
			pmon_warn("the tree%s did not hold still within the deadline "
				  "(a member in D state?); signalling the %zu members "
				  "found", nrefs > 1 ? "s" : "", t.n);
		tree_signal(&t, c->o->sig);
	}
	sigprocmask(SIG_SETMASK, &saved, NULL);
	for (size_t i = 0, k = 0; i < n; i++) {
		if (roots[i].done[0]) {
			result(c, roots[i].pid, roots[i].comm, "%s", roots[i].done);
			failed += roots[i].status;
			continue;
		}
		if (t.root_err[k]) {
			failed += report_root(c, &roots[i], t.root_err[k++]);
			continue;
		}
		{
			unsigned sent = 0;

			for (size_t j = 0; j < t.n; j++) {
				if (t.m[j].tree != k)
					continue;
				failed += report_member(c, &t.m[j]);
				sent += t.m[j].sent;
			}
			if (!c->o->dry_run)
				post_action(c, &roots[i], CHAT_VERB_TREE, sent,
					    sent ? 0 : EPERM);
		}
		k++;
	}
	tree_release(&t);
	free(refs);
	return failed;
}

static int kill_exec(int argc, char **argv)
{
	struct kill_opts o = {0};
	struct context c = {.o = &o};
	struct snapshot_query q = {.need = PI_PPID | PI_START | PI_COMM |
				   PI_STATE | PI_THREADS};
	struct target *t;
	int failed = 0;

	parse_opts(argc, argv, &o);
	if (o.list)
		return list_signals(o.argc, argv);
	signal_name(o.sig, c.signame, sizeof(c.signame));
	test_stop();
	if (snapshot_take(&c.snap, &q) < 0)
		pmon_die_errno(EXIT_FAIL, errno,
			       "cannot read the process table (is /proc mounted?)");
	/* pmon as /proc numbers it, like every pid the scan gives (0 when
	 * /proc is of a namespace pmon is not in: then nothing is signalled). */
	c.self = proc_pidns()->self;
	cmd_note_pidns();
	/* The room: its claims before anything is selected, its event
	 * after.  Not for a dry run or signal 0, which change nothing. */
	room_guard_open(&c.room, o.quiet || o.dry_run || o.sig == 0, o.force);
	t = xcalloc(o.npids + o.ntrees, sizeof(*t));
	for (size_t i = 0; i < o.npids; i++)
		select_target(&c, o.pids[i], false, &t[i]);
	for (size_t i = 0; i < o.ntrees; i++)
		select_target(&c, o.trees[i], true, &t[o.npids + i]);
	for (size_t i = 0; i < o.npids; i++)
		leave_to_tree(&c, &t[i], &t[o.npids], o.ntrees);
	test_stop();
	output_init(&c.out, stdout, true);
	for (size_t i = 0; i < o.npids; i++)
		failed += act_on(&c, &t[i]);
	if (o.ntrees)
		failed += kill_trees(&c, &t[o.npids], o.ntrees);
	free(t);
	room_guard_close(&c.room);
	output_free(&c.out);
	snapshot_free(&c.snap);
	free(o.pids);
	free(o.trees);
	return finish_stdout(failed ? EXIT_FAIL : EXIT_OK);
}

const struct cmd_entry cmd_kill_entry = {
	.name = "kill",
	.summary = "Signal processes or a whole subtree, never a recycled PID",
	.usage = "[-s SIG | -SIG] [--tree PID] [-f] [-n] [-q] [PID...] | -l [SIG...]",
	.opts = kill_opts,
	.operand = ARG_PID,
	.notes =
	"Each target is selected right after pmon scans the process table: its\n"
	"identity is taken then (the pidfd inode on Linux 6.9 and later, the start\n"
	"time before), and it is signalled through a pidfd checked against it, so\n"
	"a PID recycled meanwhile is not hit (see pmon(1)).  One result line\n"
	"per target: \"PID COMM: sent TERM\", or why not.  Exit status 1 if any\n"
	"target was not signalled (with signal 0: does not exist, or may not be\n"
	"signalled).\n"
	"While a room runs (pmon chat), it is told of each signal sent, as\n"
	"\"[action] NAME (uid UID) sent TERM to PID COMM: ok\"; a process that\n"
	"someone else claims (/claim) is asked about on a terminal, and refused\n"
	"otherwise unless --force.  With no room, or one that does not answer\n"
	"within 200 ms, pmon goes on without it.\n",
	.exec = kill_exec,
};
