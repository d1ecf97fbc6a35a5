/*
 * topact.c - tagging processes and acting on them: k (a signal), r (reap
 * zombies), renice, strace and lsof.  Every target is fixed by its pid
 * and start time (proc_ref_of) the moment it is tagged or chosen, so a
 * pid recycled in between is reported, never hit.  Acting on several
 * gives a line per target (the results screen); on one, the message line.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "act/nice.h"
#include "act/reap.h"
#include "act/signals.h"
#include "proc/inspect.h"
#include "ui/topview_int.h"
#include "view/escape.h"

/* ---- tags -------------------------------------------------------------------- */

static ssize_t tag_index(const struct view *v, const struct proc *p)
{
	return proc_ref_index(v->tags, v->ntags, p->pid, p->start_ticks);
}

bool act_is_tagged(const struct view *v, const struct proc *p)
{
	return v->ntags && tag_index(v, p) >= 0;
}

static void tag(struct view *v, const struct proc *p)
{
	if (tag_index(v, p) >= 0)
		return;
	if (v->ntags == v->tags_cap) {
		v->tags_cap = v->tags_cap ? 2 * v->tags_cap : 32;
		v->tags = xreallocarray(v->tags, v->tags_cap, sizeof(*v->tags));
	}
	v->tags[v->ntags] = proc_ref_of(p);
	/* The identity (pidfs inode) is taken when tagged; a process gone
	 * already is reported when the action runs. */
	(void)proc_ref_take(&v->tags[v->ntags++], NULL);
}

void act_tag_toggle(struct view *v)
{
	const struct proc *p = view_selected(v);
	ssize_t i;

	if (!p)
		return;
	if ((i = tag_index(v, p)) >= 0)
		v->tags[i] = v->tags[--v->ntags];
	else
		tag(v, p);
}

/* The index of pid in the watch's table (pid order), or -1. */
static ssize_t index_of(const struct procwatch *w, pid_t pid)
{
	size_t lo = 0, hi = w->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->procs[mid].pid == pid)
			return (ssize_t)mid;
		if (w->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The selected process and every descendant it has now (not only the
 * rows shown: a folded or filtered child is in the subtree too). */
void act_tag_subtree(struct view *v)
{
	const struct proc *root = view_selected(v);
	const struct procwatch *w = v->w;
	size_t before = v->ntags;
	bool *in, grew = true;
	pid_t top;

	if (!root)
		return;
	top = proc_is_thread(root) ? root->tgid : root->pid;
	in = xcalloc(w->n ? w->n : 1, sizeof(*in));
	/* Parents usually have lower pids, so a pass or two closes the
	 * set; bounded for a parent cycle of recycled pids. */
	for (int pass = 0; grew && pass < 64; pass++) {
		grew = false;
		for (size_t i = 0; i < w->n; i++) {
			ssize_t parent = index_of(w, w->procs[i].ppid);

			if (!in[i] && (w->procs[i].pid == top ||
				       (parent >= 0 && in[parent])))
				in[i] = grew = true;
		}
	}
	for (size_t i = 0; i < w->n; i++)
		if (in[i])
			tag(v, &w->procs[i]);
	if (proc_is_thread(root))
		tag(v, root);
	free(in);
	view_message(v, false, "%zu tagged (%zu new)", v->ntags, v->ntags - before);
}

void act_tag_all(struct view *v)
{
	for (size_t k = 0; k < v->rows.n; k++)
		tag(v, top_row_proc(v->w, &v->rows, k));
	view_message(v, false, "%zu tagged", v->ntags);
}

void act_untag_all(struct view *v)
{
	v->ntags = 0;
	view_message(v, false, "no process tagged");
}

/* ---- targets ------------------------------------------------------------------ */

/* The name of ref's process as the watch last saw it, escaped. */
static void name_of(const struct view *v, const struct proc_ref *ref, char *out,
		    size_t size)
{
	for (size_t i = 0; i < v->w->n; i++)
		if (v->w->procs[i].pid == ref->pid &&
		    v->w->procs[i].start_ticks == ref->start_ticks) {
			esc_string(v->w->procs[i].comm ? v->w->procs[i].comm : "?", v->utf8,
				   out, size);
			return;
		}
	for (size_t k = 0; k < v->w->ntasks; k++)
		if (v->w->tasks[k].pid == ref->pid) {
			esc_string(v->w->tasks[k].comm, v->utf8, out, size);
			return;
		}
	snprintf(out, size, "gone");
}

/* A thread's row (H) stands for its process: signals, renicing and
 * reaping are the process's, and a pidfd names a process (a thread's
 * once made "CONT not sent: No such file or directory").  false when the
 * thread's process is gone; a process that is gone is kept, and its
 * action says so. */
static bool process_of_thread(struct proc_ref *t)
{
	pid_t tgid = proc_tgid_of(t->pid);

	if (tgid <= 0 || tgid == t->pid)
		return true;
	*t = (struct proc_ref){.pid = tgid};
	if (proc_start_ticks(tgid, &t->start_ticks) < 0)
		return false;
	(void)proc_ref_take(t, NULL);
	return true;
}

bool act_fix_targets(struct view *v)
{
	const struct proc *p = view_selected(v);
	size_t n = v->ntags ? v->ntags : 1;

	if (!v->ntags && !p) {
		view_message(v, true, "no process selected");
		return false;
	}
	v->targets = xreallocarray(v->targets, n, sizeof(*v->targets));
	v->target_names = xreallocarray(v->target_names, n, sizeof(*v->target_names));
	v->ntargets = 0;
	for (size_t i = 0; i < n; i++) {
		struct proc_ref t = v->ntags ? v->tags[i] : proc_ref_of(p);

		if (!v->ntags)
			(void)proc_ref_take(&t, NULL);
		/* a selected row knows whether it is a thread; a tag does not */
		if ((v->ntags || (p->tgid > 0 && p->tgid != p->pid)) &&
		    !process_of_thread(&t))
			continue;
		if (proc_ref_index(v->targets, v->ntargets, t.pid, t.start_ticks) >= 0)
			continue;
		v->targets[v->ntargets] = t;
		name_of(v, &t, v->target_names[v->ntargets], sizeof(v->target_names[0]));
		v->ntargets++;
	}
	if (!v->ntargets)
		view_message(v, true, "the process of the selected thread is gone");
	return v->ntargets > 0;
}

/* One result: the message line for one target, a line of the results
 * screen for several. */
static void result(struct view *v, bool error, const char *line)
{
	if (v->ntargets == 1) {
		view_message(v, error, "%s", line);
		return;
	}
	buf_puts(&v->results, line);
	buf_putc(&v->results, '\n');
}

static void begin_results(struct view *v)
{
	buf_reset(&v->results);
	v->msg[0] = '\0';
}

static void end_results(struct view *v)
{
	if (v->ntargets > 1)
		v->screen = SCREEN_RESULTS;
}

/* The room's audit trail: what was done to target i (toproom.c). */
static void tell_room(struct view *v, size_t i, enum chat_verb verb,
		      const char *detail, unsigned count, bool failed)
{
	const struct chat_action a = {
		.verb = verb, .pid = v->targets[i].pid,
		.start_ticks = v->targets[i].start_ticks,
		.comm = v->target_names[i], .detail = detail, .count = count,
		.result = failed ? "failed" : "ok",
	};

	roompane_report(v, &a);
}

void act_kill(struct view *v, int sig)
{
	char name[16], line[256];

	signal_name(sig, name, sizeof(name));
	begin_results(v);
	for (size_t i = 0; i < v->ntargets; i++) {
		bool failed = signal_send(&v->targets[i], sig) < 0;

		if (failed)
			snprintf(line, sizeof(line), "PID %d (%s): %s not sent: %s",
				 (int)v->targets[i].pid, v->target_names[i], name,
				 signal_error(errno));
		else
			snprintf(line, sizeof(line), "PID %d (%s): sent %s",
				 (int)v->targets[i].pid, v->target_names[i], name);
		result(v, failed, line);
		tell_room(v, i, CHAT_VERB_KILL, name, 1, failed);
	}
	end_results(v);
}

/* One target's reap report: its last line, and how many zombies. */
static void reap_one(struct view *v, size_t i)
{
	struct buf report = {0}, shown = {0};
	char *last = NULL, *line, *save = NULL;
	size_t lines = 0;
	int rc = reap_target(&v->targets[i], REAP_AUTO, &report);

	for (line = strtok_r(report.data ? report.data : (char *)"", "\n", &save);
	     line; line = strtok_r(NULL, "\n", &save)) {
		last = line;
		lines++;
	}
	buf_puts(&shown, "reap: ");
	if (last)
		esc_append(&shown, last, strlen(last), v->utf8);
	else
		buf_printf(&shown, "PID %d: %s", (int)v->targets[i].pid,
			   rc == 0 ? "reaped" : "not reaped");
	if (lines > 1)
		buf_printf(&shown, " (%zu in all: %s)", lines,
			   rc == 0 ? "all reaped" : "not all reaped");
	result(v, rc != 0, shown.data);
	tell_room(v, i, CHAT_VERB_REAP, "auto", (unsigned)lines, rc != 0);
	buf_free(&report);
	buf_free(&shown);
}

void act_reap(struct view *v)
{
	/* It can take a second or two (each step waits for the parent). */
	move(v->header_lines, 0);
	clrtoeol();
	draw_text(v->header_lines, 0, "reaping...", 10, A_BOLD);
	refresh();
	begin_results(v);
	for (size_t i = 0; i < v->ntargets; i++)
		reap_one(v, i);
	end_results(v);
}

/* ---- renice ------------------------------------------------------------------- */

/* Why a renice was refused, named. */
static const char *nice_error(int err, int by)
{
	if (err == EACCES && by < 0)
		return "permission denied: a lower nice needs CAP_SYS_NICE "
		       "(or an RLIMIT_NICE that allows it)";
	if (err == EPERM || err == EACCES)
		return "permission denied: not your process (needs CAP_SYS_NICE)";
	if (err == ESRCH)
		return "no such process";
	return strerror(err);
}

static void renice_one(struct view *v, size_t i, int by)
{
	const struct proc_ref *t = &v->targets[i];
	struct renice_result r;
	char line[256], threads[64] = "";

	if (renice_process(t, by, &r) < 0) {
		if (errno == ESRCH)
			snprintf(line, sizeof(line), "PID %d (%s): gone (or its pid recycled); not reniced",
				 (int)t->pid, v->target_names[i]);
		else
			snprintf(line, sizeof(line), "PID %d (%s): nice %d -> %d refused: %s",
				 (int)t->pid, v->target_names[i], r.from, r.to,
				 nice_error(errno, by));
		result(v, true, line);
		return;
	}
	if (r.threads > 1 || r.others_failed)
		snprintf(threads, sizeof(threads), " (%d of %d threads)", r.threads,
			 r.threads + r.others_failed);
	snprintf(line, sizeof(line), "PID %d (%s): nice %d -> %d%s",
		 (int)t->pid, v->target_names[i], r.from, r.to, threads);
	result(v, r.others_failed > 0, line);
}

void act_renice(struct view *v, int by)
{
	if (!act_fix_targets(v))
		return;
	begin_results(v);
	for (size_t i = 0; i < v->ntargets; i++)
		renice_one(v, i, by);
	end_results(v);
	view_rebuild(v);
}

/* ---- running a program on the terminal -------------------------------------------- */

/* The keyboard's signals, which go to the program while it runs.  A
 * hangup or a TERM still ends pmon (its handler stays): ignored, a
 * hangup during strace was lost, and pmon then spun on a terminal that
 * was gone. */
static const int keyboard_sigs[] = {SIGINT, SIGQUIT};

static void run_program(struct view *v, char *const argv[])
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, old[ARRAY_LEN(keyboard_sigs)];
	pid_t pid;
	int status;

	def_prog_mode();
	endwin();
	/* The program gets ^C; pmon, in the same process group, ignores it
	 * meanwhile (the program starts with the default dispositions). */
	sigemptyset(&ign.sa_mask);
	for (size_t i = 0; i < ARRAY_LEN(keyboard_sigs); i++)
		sigaction(keyboard_sigs[i], &ign, &old[i]);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		for (size_t i = 0; i < ARRAY_LEN(keyboard_sigs); i++)
			signal(keyboard_sigs[i], SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "pmon: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	printf("\n[pmon top: %s ended; press Enter to return]", argv[0]);
	fflush(stdout);
	for (int c = 0; c != '\n' && c != '\r' && c != EOF;)
		c = getchar();
	for (size_t i = 0; i < ARRAY_LEN(keyboard_sigs); i++)
		sigaction(keyboard_sigs[i], &old[i], NULL);
	reset_prog_mode();
	clearok(curscr, TRUE);
	view_message(v, pid < 0, pid < 0 ? "cannot start %s" : "back from %s", argv[0]);
}

/* ---- programs on the terminal ---------------------------------------------------- */

static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	bool found = false;

	if (!path || !*path)
		return false;
	copy = xstrdup(path);
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char full[4096];

		snprintf(full, sizeof(full), "%s/%s", *dir ? dir : ".", prog);
		found = access(full, X_OK) == 0;
	}
	free(copy);
	return found;
}

static void run_on_selected(struct view *v, const char *prog, const char *flag,
			    const char *package)
{
	const struct proc *p = view_selected(v);
	char pid[16];
	char *argv[] = {(char *)prog, (char *)flag, pid, NULL};

	if (!p) {
		view_message(v, true, "no process selected");
		return;
	}
	if (!in_path(prog)) {
		view_message(v, true, "%s is not installed (in Debian: apt-get install %s)",
			     prog, package);
		return;
	}
	snprintf(pid, sizeof(pid), "%d", (int)p->pid);
	run_program(v, argv);
}

void act_strace(struct view *v) { run_on_selected(v, "strace", "-p", "strace"); }
void act_lsof(struct view *v) { run_on_selected(v, "lsof", "-p", "lsof"); }
