/*
 * inspect_show.c - an inspection as text and as JSON (see inspect.h).
 * Both are made from the same fields by the same small functions; the
 * text says in words what the JSON gives as values.  Every text that
 * holds something a process chose (names, paths, command lines) goes
 * through out_wrapped_text, which escapes it.
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "act/reap.h"
#include "act/sigset.h"
#include "act/syscalls.h"
#include "act/verdict.h"
#include "act/zombie.h"
#include "ui/inspect.h"
#include "view/explain.h"
#include "view/field.h"

#define SD_HAS(d, f) (((d)->st.have >> (f)) & 1)

/* Whether the kernel's ptrace access check (which guards exe, cwd, fd,
 * syscall, io, ns...) refused pmon because the process is another
 * account's: one of its uids is not pmon's, and pmon is not root. */
static bool another_account(const struct inspection *ins)
{
	const struct status_detail *st = &ins->d.st;
	uid_t me = geteuid();

	if (me == 0 || !st->have_uid)
		return me != 0;
	return st->uid[ID_REAL] != me || st->uid[ID_EFFECTIVE] != me ||
	       st->uid[ID_SAVED] != me;
}

const char *inspect_unreadable(const struct inspection *ins, int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
		if (another_account(ins))
			return "not readable (another account's process: run as "
			       "root or as its user)";
		return "not readable (the kernel refused: it is not dumpable, or "
		       "holds capabilities pmon lacks)";
	case ENOTSUP:
		return "not available (the kernel has no pidfs: Linux 6.9 or later)";
	case ENOENT:
		return "not available (a kernel thread or a zombie has none, or "
		       "the kernel does not provide it)";
	case ESRCH:
		return "gone (the process exited while it was read)";
	}
	return strerror(err);
}

/* ---- small words ------------------------------------------------------------ */

const char *inspect_gid_name(gid_t gid, char *buf, size_t size)
{
	struct group gr, *res = NULL;
	char scratch[4096];

	if (getgrgid_r(gid, &gr, scratch, sizeof(scratch), &res) == 0 && res)
		snprintf(buf, size, "%s", res->gr_name);
	else
		snprintf(buf, size, "%u", (unsigned)gid);
	return buf;
}

/* "1000 (alice)" for an id and its name. */
static void put_id(struct buf *b, bool is_uid, unsigned id)
{
	char name[256];

	buf_printf(b, "%u (%s)", id, is_uid ? uid_name((uid_t)id) :
		   inspect_gid_name((gid_t)id, name, sizeof(name)));
}

static void put_ids(struct buf *b, bool is_uid, const unsigned ids[ID_KINDS])
{
	static const char *const kinds[ID_KINDS] = {"real", "effective", "saved",
						    "filesystem"};

	if (ids[0] == ids[1] && ids[1] == ids[2] && ids[2] == ids[3]) {
		put_id(b, is_uid, ids[0]);
		buf_puts(b, ", real, effective, saved and filesystem alike");
		return;
	}
	for (int i = 0; i < ID_KINDS; i++) {
		buf_printf(b, "%s%s ", i ? ", " : "", kinds[i]);
		put_id(b, is_uid, ids[i]);
	}
}

const char *inspect_sigchld_words(enum sigchld_disp d)
{
	switch (d) {
	case SIGCHLD_DEFAULT:
		return "default: its children that exit stay zombies until it "
		       "calls wait()";
	case SIGCHLD_IGNORED:
		return "ignored: the kernel reaps its children as they exit, so "
		       "none of them becomes a zombie";
	case SIGCHLD_CAUGHT:
		return "caught: a handler runs when a child exits; the zombie "
		       "stays until the handler (or its code) calls wait()";
	case SIGCHLD_UNKNOWN:
		break;
	}
	return "unknown (its status could not be read)";
}

const char *inspect_adopter_kind(enum adopter_kind k)
{
	static const char *const names[] = {
		[ADOPTER_INIT] = "init", [ADOPTER_NS_INIT] = "namespace-init",
		[ADOPTER_SUBREAPER] = "subreaper", [ADOPTER_UNKNOWN] = "unknown",
	};

	return names[k];
}

/* Is it a daemon, and why (into why)? */
bool inspect_daemon(const struct inspection *ins, struct buf *why)
{
	const struct proc *p = ins->p;
	struct buf t = {0};

	if (p->kernel_thread) {
		buf_puts(why, "a kernel thread, not a daemon");
		return false;
	}
	if (proc_has_exited(p)) {
		buf_puts(why, "it has exited: a zombie is only its exit status");
		return false;
	}
	if (p->tty_nr) {
		tty_name(p->tty_nr, &t);
		buf_printf(why, "it has the controlling terminal %s", t.data);
		buf_free(&t);
		return false;
	}
	buf_free(&t);
	if (ins->cls.kind == ORPHAN_DAEMON) {
		buf_puts(why, "detached by a double fork: its session's leader is "
			 "gone and it has no terminal");
		return true;
	}
	if (ins->cls.kind == ORPHAN_TERMINAL_JOB) {
		buf_puts(why, "a job left behind by a closed terminal, not a daemon "
			 "meant to detach");
		return false;
	}
	if (p->session == p->pid) {
		buf_puts(why, "it leads its own session and has no controlling terminal");
		return true;
	}
	buf_printf(why, "it has no controlling terminal, in session %d%s",
		   (int)p->session, p->session == 0 ? " (led from outside this PID "
		   "namespace)" : ins->leader_alive ? " (whose leader has none either)" :
		   " (whose leader has exited)");
	return true;
}

/* Why it is or is not an orphan, when the class is none. */
const char *inspect_not_orphan_why(const struct inspection *ins)
{
	const struct proc *p = ins->p;

	if (p->pid == 1 || proc_is_ns_init(p))
		return "it is an init: orphans are adopted by it";
	if (p->kernel_thread)
		return "a kernel thread";
	if (proc_has_exited(p))
		return "it has exited (a zombie belongs to its parent)";
	return "nothing shows that it was adopted: its session is its own or "
	       "its parent's";
}

/* ---- pmon's actions ------------------------------------------------------------ */

bool inspect_children_adopted(const struct inspection *ins)
{
	const struct proc *p = ins->p;

	return p->pid != 1 && !p->kernel_thread && !proc_has_exited(p);
}


/* What a kill does to a process asleep in state D. */
static void kill_in_d(const struct inspection *ins, struct buf *b)
{
	const struct syscall_line *sc = &ins->d.sc;

	if (sc->kind == SYSCALL_IN && syscall_is_fork(sc->nr))
		buf_puts(b, "; it waits in vfork() for its child to exec or exit, "
			 "a wait KILL ends at once (TERM waits with it)");
	else
		buf_puts(b, "; it is in uninterruptible sleep, so TERM waits until "
			 "its call returns, and so does KILL unless the kernel "
			 "made that wait killable (as for vfork(), NFS and many "
			 "locks; /proc does not tell)");
}

/* What `pmon kill PID` would do. */
void inspect_kill_text(const struct inspection *ins, struct buf *b)
{
	const struct proc *p = ins->p;
	size_t nkids = inspect_children_adopted(ins) ? ins->nkids : 0;

	if (p->pid == 1) {
		buf_puts(b, "refused without --force: PID 1 is init");
		return;
	}
	if (proc_is_zombie(p)) {
		buf_printf(b, "nothing: it has already exited; its parent %d must "
			   "reap it (`pmon reap %d`)", (int)p->ppid, (int)p->pid);
		return;
	}
	if (ins->my_ancestor) {
		buf_puts(b, "refused without --force: it is an ancestor of pmon "
			 "(such as the shell running it)");
		return;
	}
	if (p->kernel_thread) {
		buf_printf(b, "nothing: `pmon kill %d` would send TERM, and a kernel "
			   "thread takes no signal from user space", (int)p->pid);
		return;
	}
	if (!ins->may_signal) {
		buf_printf(b, "refused by the kernel: it runs as uid %u, and pmon "
			   "as uid %u without CAP_KILL (run as root or as its user)",
			   (unsigned)ins->d.st.uid[ID_REAL], (unsigned)geteuid());
		return;
	}
	buf_printf(b, "`pmon kill %d` sends TERM through a pidfd checked against "
		   "its start time", (int)p->pid);
	if (p->state == 'T' || p->state == 't')
		buf_puts(b, "; it is stopped, so TERM waits until it is continued "
			 "(KILL acts at once)");
	if (p->state == 'D')
		kill_in_d(ins, b);
	if (nkids) {
		buf_printf(b, "; its %zu child%s would be adopted by ", nkids,
			   nkids == 1 ? "" : "ren");
		switch (ins->reaper.kind) {
		case ADOPTER_INIT:
			buf_printf(b, "init (PID %d, %s)", (int)ins->reaper.pid,
				   ins->reaper.comm);
			/* Between it and init: a subreaper there would take
			 * them, and only one that has adopted shows. */
			if (ins->nanc > 1)
				buf_puts(b, ": no ancestor shows that it is a child "
					 "subreaper (the flag is not in /proc; one that "
					 "has adopted nothing yet cannot be seen)");
			break;
		case ADOPTER_NS_INIT:
			buf_printf(b, "PID %d (%s), the init of its PID namespace",
				   (int)ins->reaper.pid, ins->reaper.comm);
			break;
		default:
			buf_printf(b, "PID %d (%s), its nearest ancestor that is a "
				   "child subreaper (it holds processes it adopted)",
				   (int)ins->reaper.pid, ins->reaper.comm);
		}
	}
}

/* The zombie's parent, for the advice on a zombie. */
static const struct proc *zombie_holder(const struct inspection *ins)
{
	return proc_is_zombie(ins->p) ? ins->parent : ins->p;
}

/* What `pmon reap` would do for its zombies (or, for a zombie, for its
 * parent): the advice `pmon zombies` gives, from the same code, and the
 * methods reap would try. */
void inspect_reap_texts(const struct inspection *ins, struct buf *advice,
			struct buf *methods, bool *nudge, bool *inject,
			const char **refusal, char *why, size_t whysize)
{
	const struct proc *holder = zombie_holder(ins);
	struct reap_opts o = {.method = REAP_AUTO};
	struct reap_verdict v = {0};
	unsigned plan;

	*nudge = *inject = false;
	*refusal = NULL;
	if (holder)
		reap_check(holder, false, &v);
	zombie_advice_text(zombie_advice(holder), holder ? holder->pid : ins->p->ppid,
			   &v, advice);
	if (!holder)
		return;
	plan = reap_plan(&o, sigchld_disposition(holder));
	if (v.block != BLOCK_NONE) {
		snprintf(why, whysize, "%s", v.why);
		*refusal = why;
	}
	*nudge = plan & REAP_STEP_NUDGE;
	*inject = (plan & REAP_STEP_INJECT) && !*refusal && !proc_is_ns_init(holder);
	buf_printf(methods, "nudge: %s; inject: %s; kill-parent: only with "
		   "--kill-parent", *nudge ? "yes (it catches SIGCHLD)" :
		   "no (it does not catch SIGCHLD)",
		   proc_is_ns_init(holder) ? "no (pmon never touches an init)" :
		   *inject ? "yes" : *refusal);
}

/* ---- text -------------------------------------------------------------------- */

static void title(struct output *out, const char *t)
{
	out_raw(out, "  ");
	out_raw(out, t);
	out_endline(out);
}

static void row(struct output *out, const char *label, const char *value)
{
	char lead[40];

	snprintf(lead, sizeof(lead), "    %-16s", label);
	out_wrapped_text(out, lead, value ? value : "", 0);
}

static void rowf(struct output *out, const char *label, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
static void rowf(struct output *out, const char *label, const char *fmt, ...)
{
	char text[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	row(out, label, text);
}

/* A row whose value is text, or the reason it could not be read. */
static void row_or(struct output *out, const struct inspection *ins,
		   const char *label, int err, const char *value)
{
	row(out, label, err ? inspect_unreadable(ins, err) : value);
}

static void print_identity(struct output *out, const struct inspection *ins)
{
	const struct proc *p = ins->p;
	const struct proc_detail *d = &ins->d;
	char when[64], ago[32];
	struct tm tm;

	title(out, "identity");
	format_elapsed(p->elapsed_s, ago, sizeof(ago));
	if (!localtime_r(&p->start_time, &tm) ||
	    !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(when, sizeof(when), "%lld", (long long)p->start_time);
	rowf(out, "started", "%s (%s ago)", when, ago);
	if (d->pidfs_err)
		row(out, "pidfs inode", inspect_unreadable(ins, d->pidfs_err));
	else
		rowf(out, "pidfs inode", "%llu (names this process, and no other, "
		     "until the machine reboots)", d->pidfs_ino);
	row_or(out, ins, "executable", d->exe_err, d->exe.data);
	row(out, "command line", p->cmdline && *p->cmdline ? p->cmdline :
	    p->cmdline ? "none (a kernel thread or a zombie)" :
	    "not readable");
	row_or(out, ins, "directory", d->cwd_err, d->cwd.data);
	if (!d->root_err && strcmp(d->root.data, "/") != 0)
		row(out, "root", d->root.data);
}

static void print_state(struct output *out, const struct inspection *ins)
{
	const struct proc *p = ins->p;
	const char *m = state_meaning(p->state);
	char letter[2] = {p->state, '\0'}, age[32];

	title(out, "state");
	rowf(out, letter, "%s", m ? m : "unknown to pmon");
	for (const char *c = p->stat + 1; *c; c++) {
		char mod[2] = {*c, '\0'};

		row(out, mod, stat_modifier_meaning(*c));
	}
	if (p->state == 'R')
		row(out, "for", "running now");
	else if (ins->in_state_s >= 0) {
		format_elapsed(ins->in_state_s, age, sizeof(age));
		rowf(out, "for", "%s (since it last left a CPU: /proc/PID/sched)", age);
	} else {
		row(out, "for", "not told by this kernel (no /proc/PID/sched)");
	}
	if (p->state == 'Z' && !proc_is_zombie(p))
		rowf(out, "note", "Z here means its main thread has exited "
		     "(pthread_exit) while %d other threads run: it is alive, no "
		     "zombie, and nothing needs to reap it", p->threads - 1);
}

static void ancestors_text(const struct inspection *ins, bool utf8, struct buf *b)
{
	for (size_t i = 0; i < ins->nanc; i++)
		buf_printf(b, "%s%d %s", i ? (utf8 ? " \u2190 " : " <- ") : "",
			   (int)ins->anc[i].pid, ins->anc[i].comm);
	if (!ins->nanc)
		buf_puts(b, "none (it has no parent in this PID namespace)");
}

static void print_orphan(struct output *out, const struct inspection *ins)
{
	struct buf b = {0};

	if (ins->cls.kind == ORPHAN_NONE) {
		rowf(out, "orphan", "no: %s", inspect_not_orphan_why(ins));
		return;
	}
	buf_printf(&b, "yes, %s: adopted by ", orphan_kind_name(ins->cls.kind));
	orphan_adopter_text(&ins->facts, &b);
	row(out, "orphan", b.data);
	buf_reset(&b);
	orphan_evidence_text(&ins->facts, &ins->cls, &b);
	row(out, "evidence", b.data);
	buf_reset(&b);
	orphan_advice_text(&ins->facts, &ins->cls, &b);
	row(out, "advice", b.data);
	buf_free(&b);
}

static void print_daemon(struct output *out, const struct inspection *ins)
{
	struct buf why = {0}, line = {0};
	bool yes = inspect_daemon(ins, &why);

	buf_printf(&line, "%s: %s", yes ? "yes" : "no", why.data ? why.data : "");
	row(out, "daemon", line.data);
	buf_free(&why);
	buf_free(&line);
}

static void print_family(struct output *out, const struct inspection *ins)
{
	const struct proc *p = ins->p;
	struct buf b = {0};

	title(out, "family");
	rowf(out, "parent", "%d %s", (int)p->ppid, ins->parent && ins->parent->comm ?
	     ins->parent->comm : "(not visible from here)");
	ancestors_text(ins, out->utf8, &b);
	row(out, "ancestors", b.data);
	buf_reset(&b);
	if (ins->d.children_err)
		row(out, "children", inspect_unreadable(ins, ins->d.children_err));
	else if (!ins->nzombies)
		rowf(out, "children", "%zu (no zombies)", ins->nkids);
	else
		rowf(out, "children", "%zu (%zu of them zombie%s)", ins->nkids,
		     ins->nzombies, ins->nzombies == 1 ? "" : "s");
	if (p->session == 0)
		row(out, "session", "0: its leader is outside this PID namespace (or "
		    "it is the kernel's own)");
	else if (p->session == p->pid)
		rowf(out, "session", "%d, its own: it is the session leader", (int)p->session);
	else if (ins->leader_alive)
		rowf(out, "session", "%d, led by %d %s", (int)p->session,
		     (int)ins->leader->pid, ins->leader->comm ? ins->leader->comm : "?");
	else
		rowf(out, "session", "%d, whose leader has exited", (int)p->session);
	rowf(out, "process group", "%d%s%s", (int)p->pgrp, p->pgrp == p->pid ?
	     ", its own" : "", ins->pgrp_orphaned == 1 ? ", orphaned" :
	     ins->pgrp_orphaned == 0 ? ", not orphaned" : "");
	if (p->tty_nr) {
		tty_name(p->tty_nr, &b);
		buf_puts(&b, p->tpgid == p->pgrp ? ", in its foreground process group" :
			 ", in the background (not its foreground process group)");
		row(out, "terminal", b.data);
		buf_reset(&b);
	} else {
		row(out, "terminal", "none");
	}
	print_orphan(out, ins);
	print_daemon(out, ins);
	buf_free(&b);
}

static void print_threads(struct output *out, const struct inspection *ins)
{
	enum { SHOWN = 16 };
	const struct proc_detail *d = &ins->d;

	if (d->ntasks_all <= 1)
		return;
	rowf(out, "threads", "%zu", d->ntasks_all);
	for (size_t i = 0; i < d->ntasks && i < SHOWN; i++) {
		const struct task_detail *t = &d->tasks[i];
		const char *call = t->syscall_err ? "?" :
			t->sc.kind == SYSCALL_RUNNING ? "running" :
			t->sc.kind == SYSCALL_NONE ? "no call" :
			syscall_name(t->sc.nr) ? syscall_name(t->sc.nr) : "?";
		char label[16];

		snprintf(label, sizeof(label), "  %d", (int)t->tid);
		rowf(out, label, "%s %c %s%s%s", t->comm, t->state, call,
		     t->wchan[0] ? " in " : "", t->wchan);
	}
	if (d->ntasks_all > SHOWN)
		rowf(out, "", "... and %zu more (--json lists %zu)", d->ntasks_all - SHOWN,
		     d->ntasks);
}

static void print_waiting(struct output *out, const struct inspection *ins)
{
	const struct proc_detail *d = &ins->d;

	title(out, "waiting");
	if (ins->p->kernel_thread)
		row(out, "system call", "none: a kernel thread runs only in the "
		    "kernel and makes no system calls");
	else if (proc_has_exited(ins->p))
		row(out, "system call", "none: it has exited");
	else if (d->syscall_err)
		row(out, "system call", inspect_unreadable(ins, d->syscall_err));
	else if (d->sc.kind == SYSCALL_RUNNING)
		row(out, "system call", "none: it is running on a CPU");
	else if (d->sc.kind == SYSCALL_NONE)
		row(out, "system call", "none: blocked outside a system call (a "
		    "stop, or a page fault)");
	else
		row(out, "system call", ins->call.data);
	if (ins->waits.len)
		row(out, "waiting for", ins->waits.data);
	if (d->wchan_err)
		row(out, "kernel", inspect_unreadable(ins, d->wchan_err));
	else
		row(out, "kernel", d->wchan[0] ? d->wchan :
		    "not waiting in the kernel (wchan 0)");
	print_threads(out, ins);
}

static void print_signals(struct output *out, const struct inspection *ins)
{
	static const struct {
		const char *label;
		enum sd_field f;
	} sets[] = {
		{"blocked", SD_SIG_BLK}, {"ignored", SD_SIG_IGN}, {"caught", SD_SIG_CGT},
		{"pending", SD_SHD_PND}, {"pending thread", SD_SIG_PND},
	};
	const struct proc_detail *d = &ins->d;
	struct buf b = {0};

	title(out, "signals");
	for (size_t i = 0; i < ARRAY_LEN(sets); i++) {
		buf_reset(&b);
		if (d->status_err || !SD_HAS(d, sets[i].f))
			buf_puts(&b, inspect_unreadable(ins, d->status_err ? d->status_err : ENOENT));
		else
			sigset_describe(d->st.v[sets[i].f], &b);
		row(out, sets[i].label, b.data);
	}
	row(out, "SIGCHLD", inspect_sigchld_words(sigchld_disposition(ins->p)));
	buf_free(&b);
}

static void print_caps(struct output *out, const struct proc_detail *d)
{
	static const struct {
		const char *label;
		enum sd_field f;
		bool always;
	} caps[] = {
		{"capabilities", SD_CAP_EFF, true}, {"  permitted", SD_CAP_PRM, false},
		{"  inheritable", SD_CAP_INH, false}, {"  ambient", SD_CAP_AMB, false},
		{"  bounding", SD_CAP_BND, false},
	};
	struct buf b = {0};

	for (size_t i = 0; i < ARRAY_LEN(caps); i++) {
		unsigned long long v = d->st.v[caps[i].f];

		if (!SD_HAS(d, caps[i].f))
			continue;
		/* Only what differs from the usual: permitted as effective,
		 * none inheritable or ambient, the full bounding set. */
		if (!caps[i].always &&
		    ((caps[i].f == SD_CAP_PRM && v == d->st.v[SD_CAP_EFF]) ||
		     ((caps[i].f == SD_CAP_INH || caps[i].f == SD_CAP_AMB) && !v) ||
		     (caps[i].f == SD_CAP_BND && v == (1ull << cap_count()) - 1)))
			continue;
		buf_reset(&b);
		if (caps[i].always)
			buf_puts(&b, "effective: ");
		caps_describe(v, &b);
		row(out, caps[i].label, b.data);
	}
	buf_free(&b);
}

/* "the same as init's (PID 1)", or the ones that differ and both
 * inodes; into b.  How many differ, or -1 when there is nothing to
 * compare (its own namespaces, or the reference's, cannot be read). */
bool inspect_ns_readable(const struct proc_detail *d)
{
	for (int i = 0; i < NS_KINDS; i++)
		if (d->ns[i])
			return true;
	return false;
}

int inspect_ns_compare(const struct inspection *ins, struct buf *b)
{
	const struct proc_detail *d = &ins->d;
	const char *who = ins->ref_is_init ? "init's (PID 1)" :
			  "pmon's own (init's cannot be read)";
	struct buf list = {0}, gone = {0};
	int differ = 0;

	if (d->ns_err || ins->ref_ns_err || !inspect_ns_readable(d)) {
		buf_puts(b, inspect_unreadable(ins, d->ns_err ? d->ns_err :
					       ins->ref_ns_err ? ins->ref_ns_err : ENOENT));
		return -1;
	}
	for (int i = 0; i < NS_KINDS; i++) {
		/* 0: no link (a zombie keeps only its pid and user ones). */
		if (!d->ns[i])
			buf_printf(&gone, "%s%s", gone.len ? ", " : "", proc_ns_names[i]);
		else if (d->ns[i] != ins->ref_ns[i])
			buf_printf(&list, "%s%s %llu (%s %llu)", differ++ ? ", " : "",
				   proc_ns_names[i], d->ns[i],
				   ins->ref_is_init ? "init's" : "pmon's", ins->ref_ns[i]);
	}
	if (!differ)
		buf_printf(b, "the same as %s", who);
	else
		buf_printf(b, "%d differ from %s: %s", differ, who, list.data);
	if (gone.len)
		buf_printf(b, "; not available: %s (gone with the process, or not "
			   "in this kernel)", gone.data);
	buf_free(&list);
	buf_free(&gone);
	return differ;
}

static void print_namespaces(struct output *out, const struct inspection *ins)
{
	struct buf b = {0};

	inspect_ns_compare(ins, &b);
	row(out, "namespaces", b.data);
	buf_free(&b);
}

static void print_credentials(struct output *out, const struct inspection *ins)
{
	const struct proc_detail *d = &ins->d;
	struct buf b = {0};
	unsigned ids[ID_KINDS];

	title(out, "credentials");
	if (d->status_err) {
		row(out, "uid", inspect_unreadable(ins, d->status_err));
		return;
	}
	for (int i = 0; i < ID_KINDS; i++)
		ids[i] = d->st.uid[i];
	put_ids(&b, true, ids);
	row(out, "uid", b.data);
	buf_reset(&b);
	for (int i = 0; i < ID_KINDS; i++)
		ids[i] = d->st.gid[i];
	put_ids(&b, false, ids);
	row(out, "gid", b.data);
	buf_reset(&b);
	for (size_t i = 0; i < d->st.ngroups; i++) {
		buf_puts(&b, i ? ", " : "");
		put_id(&b, false, d->st.groups[i]);
	}
	row(out, "groups", d->st.ngroups ? b.data : "none");
	print_caps(out, d);
	if (SD_HAS(d, SD_NO_NEW_PRIVS))
		row(out, "no_new_privs", d->st.v[SD_NO_NEW_PRIVS] ?
		    "yes: execve() cannot give it privileges (set-user-ID bits "
		    "and file capabilities are ignored)" : "no");
	if (SD_HAS(d, SD_SECCOMP)) {
		const char *mode = seccomp_mode_name((int)d->st.v[SD_SECCOMP]);

		if (d->st.v[SD_SECCOMP] == 2 && SD_HAS(d, SD_SECCOMP_FILTERS))
			rowf(out, "seccomp", "filter (%llu filter%s): its system calls are "
			     "checked by BPF programs", d->st.v[SD_SECCOMP_FILTERS],
			     d->st.v[SD_SECCOMP_FILTERS] == 1 ? "" : "s");
		else
			row(out, "seccomp", mode ? mode : "unknown mode");
	}
	print_namespaces(out, ins);
	row_or(out, ins, "cgroup", d->cgroup_err, d->cgroup.data);
	buf_reset(&b);
	if (!d->cgroup_err && cgroup_container(d->cgroup.data, &b))
		row(out, "container", b.data);
	else
		row(out, "container", "none recognised from its cgroup");
	buf_free(&b);
}

double inspect_cpu_life_pct(const struct inspection *ins)
{
	const struct proc *p = ins->p;
	double secs = (double)p->cpu_ticks / (double)ins->clock.hz;

	/* As ps gives %CPU: its CPU time over the time since it started. */
	return p->elapsed_s > 0 ? 100.0 * secs / (double)p->elapsed_s : 0;
}

double inspect_cpu_recent_pct(const struct inspection *ins, double *over)
{
	double wall = ins->t1 - ins->t0;

	*over = wall;
	if (!ins->sampled || wall <= 0)
		return -1;
	return 100.0 * (double)(ins->run1_ns - ins->run0_ns) / 1e9 / wall;
}

static void print_cpu(struct output *out, const struct inspection *ins)
{
	const struct proc *p = ins->p;
	const struct proc_detail *d = &ins->d;
	double hz = (double)ins->clock.hz, over, pct = inspect_cpu_recent_pct(ins, &over);
	char t[32];

	format_elapsed((long)((double)p->cpu_ticks / hz), t, sizeof(t));
	if (d->stat_err)
		rowf(out, "CPU time", "%s", t);
	else
		rowf(out, "CPU time", "%s (user %.2f s, system %.2f s)", t,
		     (double)d->utime / hz, (double)d->stime / hz);
	if (pct >= 0)
		rowf(out, "CPU now", "%.1f%% of one CPU over the last %.2f s%s", pct,
		     over, ins->cpu_exact ? "" : " (in clock ticks: no schedstat)");
	else if (ins->cpu_err && ins->sampled)
		row(out, "CPU now", inspect_unreadable(ins, ins->cpu_err));
	rowf(out, "CPU average", "%.1f%% of one CPU over its life%s", inspect_cpu_life_pct(ins),
	     ins->sampled ? "" : " (not sampled: --no-sample)");
}

static void print_memory(struct output *out, const struct proc_detail *d)
{
	struct buf b = {0};
	static const struct {
		enum sd_field f;
		const char *name;
	} mem[] = {
		{SD_VM_RSS, "resident"}, {SD_VM_SIZE, "virtual"}, {SD_VM_SWAP, "swapped"},
		{SD_VM_HWM, "peak resident"}, {SD_VM_LCK, "locked"},
	};

	for (size_t i = 0; i < ARRAY_LEN(mem); i++)
		if (SD_HAS(d, mem[i].f))
			buf_printf(&b, "%s%s %llu KiB", b.len ? ", " : "", mem[i].name,
				   d->st.v[mem[i].f]);
	row(out, "memory", b.len ? b.data : "none (a kernel thread or a zombie)");
	buf_free(&b);
}

static void print_fds(struct output *out, const struct inspection *ins)
{
	const struct proc_detail *d = &ins->d;
	const struct limit_row *l = limit_find(d->limits, d->nlimits, "Max open files");
	struct buf b = {0};

	if (d->fds_err) {
		row(out, "descriptors", inspect_unreadable(ins, d->fds_err));
		return;
	}
	buf_printf(&b, "%zu open", d->nfds);
	if (l && l->soft != LIMIT_UNLIMITED && l->soft > 0) {
		buf_printf(&b, " of a limit of %lld (%lld%%)", l->soft,
			   (long long)d->nfds * 100 / l->soft);
		if (l->hard == LIMIT_UNLIMITED)
			buf_puts(&b, ", hard limit unlimited");
		else
			buf_printf(&b, ", hard limit %lld", l->hard);
	} else if (d->limits_err) {
		buf_printf(&b, "; limit %s", inspect_unreadable(ins, d->limits_err));
	}
	row(out, "descriptors", b.data);
	buf_free(&b);
}

/* Where its standard descriptors go: "0 /dev/null, 1 pipe:[5], 2 ...". */
static void print_std(struct output *out, const struct inspection *ins)
{
	static const char *const names[3] = {"stdin", "stdout", "stderr"};
	struct buf b = {0};

	for (int fd = 0; fd < 3; fd++) {
		buf_printf(&b, "%s%s ", fd ? ", " : "", names[fd]);
		if (ins->std_err[fd] == ENOENT)
			buf_puts(&b, "closed");
		else if (ins->std_err[fd])
			buf_puts(&b, ins->std_err[fd] == EACCES || ins->std_err[fd] == EPERM ?
				 "not readable" : strerror(ins->std_err[fd]));
		else
			buf_puts(&b, ins->std[fd].data);
	}
	row(out, "standard fds", b.data);
	buf_free(&b);
}

static void print_resources(struct output *out, const struct inspection *ins)
{
	const struct proc *p = ins->p;
	const struct proc_detail *d = &ins->d;
	const char *policy = sched_policy_name(d->policy);

	title(out, "resources");
	print_cpu(out, ins);
	print_memory(out, d);
	rowf(out, "threads", "%d", p->threads);
	print_fds(out, ins);
	print_std(out, ins);
	if (d->io_err)
		row(out, "I/O", inspect_unreadable(ins, d->io_err));
	else
		rowf(out, "I/O", "read %llu bytes from storage, wrote %llu; %llu "
		     "bytes through %llu read calls, %llu through %llu write calls",
		     d->io.v[IO_READ_BYTES], d->io.v[IO_WRITE_BYTES], d->io.v[IO_RCHAR],
		     d->io.v[IO_SYSCR], d->io.v[IO_WCHAR], d->io.v[IO_SYSCW]);
	if (d->oom_err)
		row(out, "OOM score", inspect_unreadable(ins, d->oom_err));
	else
		rowf(out, "OOM score", "%d (oom_score_adj %d)", d->oom_score, d->oom_adj);
	if (d->stat_err)
		rowf(out, "scheduling", "nice %d, priority %d", p->nice, p->priority);
	else
		rowf(out, "scheduling", "%s, nice %d, priority %d, last on CPU %d",
		     policy ? policy : "?", p->nice, p->priority, d->processor);
	if (SD_HAS(d, SD_CTXT_VOL))
		rowf(out, "switches", "%llu voluntary (it waited), %llu involuntary "
		     "(preempted)", d->st.v[SD_CTXT_VOL], d->st.v[SD_CTXT_INVOL]);
}

static void print_actions(struct output *out, const struct inspection *ins)
{
	struct buf b = {0}, methods = {0};
	bool nudge, inject;
	const char *refusal;
	char why[256];

	title(out, "pmon can");
	inspect_kill_text(ins, &b);
	row(out, "kill", b.data);
	buf_reset(&b);
	if (ins->nzombies || proc_is_zombie(ins->p)) {
		if (!proc_is_zombie(ins->p))
			rowf(out, "reap", "it holds %zu zombie%s", ins->nzombies,
			     ins->nzombies == 1 ? "" : "s");
		else
			rowf(out, "reap", "it is a zombie of %d: `pmon reap %d` gets its "
			     "parent to collect it", (int)ins->p->ppid, (int)ins->p->pid);
		inspect_reap_texts(ins, &b, &methods, &nudge, &inject, &refusal, why, sizeof(why));
		row(out, "advice", b.data);
		if (methods.len)
			row(out, "methods", methods.data);
	} else {
		row(out, "reap", "nothing to reap: it holds no zombies");
	}
	buf_free(&b);
	buf_free(&methods);
}

void inspect_print(struct output *out, const struct inspection *ins)
{
	const struct proc *p = ins->p;
	struct buf head = {0};

	buf_printf(&head, "process %d %s", (int)p->pid, p->comm ? p->comm : "?");
	out_wrapped_text(out, "", head.data, 0);
	buf_free(&head);
	print_identity(out, ins);
	print_state(out, ins);
	print_family(out, ins);
	print_waiting(out, ins);
	print_signals(out, ins);
	print_credentials(out, ins);
	print_resources(out, ins);
	print_actions(out, ins);
}
