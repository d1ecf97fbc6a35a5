/*
 * cmd_orphans.c - `pmon orphans`: the processes adopted by init or by a
 * child subreaper, grouped by what kind of orphan each is (act/orphan.h
 * says how that is told from evidence), each with its adopter, the
 * evidence and advice.
 *
 * Two scans, as `pmon zombies`: every /proc/PID/stat (the sessions,
 * groups and parents that decide the class), then a full read of only
 * the orphans and their adopters (user, signals, NSpid).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "act/orphan.h"
#include "cmd/cmd.h"
#include "proc/proc.h"
#include "view/field.h"
#include "view/output.h"

struct orphans_opts {
	bool all, json, wide;
};

static const struct cmd_opt orphans_opts[] = {
	CMD_OPT('a', "all", ARG_NONE, NULL,
		"also list the processes that lead their own session\n"
		"under init or a subreaper (services, or daemons\n"
		"that forked once: /proc cannot tell them apart)"),
	CMD_OPT('w', "wide", ARG_NONE, NULL,
		"do not cut lines at the terminal's width"),
	CMD_LONG("json", 'j', ARG_NONE, NULL,
		"one JSON array of process objects with their class"),
	{0},
};

static void parse_opts(int argc, char **argv, struct orphans_opts *o)
{
	int c;

	while ((c = cmd_getopt(argc, argv)) != -1) {
		switch (c) {
		case 'a': o->all = true; break;
		case 'j': o->json = true; break;
		case 'w': o->wide = true; break;
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
}

/* What the listing shows of an orphan and its adopter, beyond the class. */
#define DETAIL_NEED (json_process_need() | ORPHAN_NEED | PI_COMM | PI_USER | \
		     PI_START | PI_SIGNALS | PI_TRACE)

struct found {
	struct snapshot all, detail;
	struct orphan_entry *e;
	size_t n;
	size_t own_session;     /* own-session ones (listed with --all) */
};

/* Point the entries' facts at the detailed reading; drop the ones that
 * exited in between (or whose pid is someone else's now). */
static void attach_detail(struct found *f)
{
	size_t kept = 0;

	for (size_t i = 0; i < f->n; i++) {
		struct orphan_entry e = f->e[i];
		const struct proc *seen = &f->all.procs[e.index];
		const struct proc *p = snapshot_find(&f->detail, seen->pid);

		if (!p || p->start_ticks != seen->start_ticks)
			continue;
		e.facts.p = p;
		if (e.facts.parent) {
			const struct proc *q = snapshot_find(&f->detail, e.facts.parent->pid);

			if (q)
				e.facts.parent = q;
			e.facts.adopter = orphan_adopter_kind(e.facts.parent);
		}
		f->e[kept++] = e;
	}
	f->n = kept;
}

static void find_orphans(struct found *f)
{
	struct snapshot_query q = {.need = ORPHAN_NEED | PI_COMM | PI_START};
	pid_t *pids;
	size_t np = 0;

	if (snapshot_take(&f->all, &q) < 0)
		pmon_die_errno(EXIT_FAIL, errno,
			       "cannot read the process table (is /proc mounted?)");
	f->n = orphans_find(f->all.procs, f->all.n, true, orphan_std_terminal, &f->e);
	memset(&f->detail, 0, sizeof(f->detail));
	if (!f->n)
		return;
	pids = xcalloc(2 * f->n, sizeof(*pids));
	for (size_t i = 0; i < f->n; i++) {
		pids[np++] = f->all.procs[f->e[i].index].pid;
		pids[np++] = f->all.procs[f->e[i].index].ppid;
	}
	q = (struct snapshot_query){.need = DETAIL_NEED, .pids = pids, .npids = np};
	if (snapshot_take(&f->detail, &q) < 0)
		pmon_die_errno(EXIT_FAIL, errno, "cannot read the orphans");
	free(pids);
	attach_detail(f);
}

static bool shown(const struct orphans_opts *o, const struct orphan_entry *e)
{
	return e->cls.kind != ORPHAN_OWN_SESSION || o->all;
}

/* ---- JSON -------------------------------------------------------------------- */

static const char *adopter_kind_name(enum adopter_kind k)
{
	static const char *const names[] = {
		[ADOPTER_INIT] = "init", [ADOPTER_NS_INIT] = "namespace-init",
		[ADOPTER_SUBREAPER] = "subreaper", [ADOPTER_UNKNOWN] = "unknown",
	};

	return names[k];
}

static json_t *evidence_json(unsigned ev)
{
	/* The OE_* bits by name, in their order. */
	static const char *const names[] = {
		"reparented", "leader-gone", "on-terminal", "terminal-closed",
		"fds-unreadable", "stopped", "pgrp-orphaned", "own-session",
		"no-terminal",
	};
	json_t *a = json_array();

	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (ev & (1u << i))
			json_array_append_new(a, json_string(names[i]));
	return a;
}

static json_t *adopter_json(const struct orphan_facts *f)
{
	const struct proc *q = f->parent;
	json_t *o = json_object();

	json_object_set_new(o, "pid", json_integer(q ? q->pid : f->p->ppid));
	json_object_set_new(o, "comm", q ? json_text(q->comm) : json_null());
	json_object_set_new(o, "kind", json_string(adopter_kind_name(f->adopter)));
	json_object_set_new(o, "adopts_others", json_boolean(f->parent_adopts));
	return o;
}

static json_t *entry_json(const struct orphan_entry *e)
{
	const struct orphan_facts *f = &e->facts;
	json_t *o = proc_to_json(f->p, NULL);
	struct buf b = {0};

	json_object_set_new(o, "orphan", json_string(orphan_kind_name(e->cls.kind)));
	json_object_set_new(o, "session", json_integer(f->p->session));
	json_object_set_new(o, "pgrp", json_integer(f->p->pgrp));
	tty_name(f->p->tty_nr, &b);
	json_object_set_new(o, "tty", f->p->tty_nr ? json_string(b.data) : json_null());
	json_object_set_new(o, "adopter", adopter_json(f));
	json_object_set_new(o, "session_leader_alive", json_boolean(f->leader_alive));
	json_object_set_new(o, "pgrp_orphaned", f->pgrp_orphaned < 0 ? json_null() :
			    json_boolean(f->pgrp_orphaned));
	json_object_set_new(o, "std_terminal", f->terminal == 1 ? json_text(f->terminal_path) :
			    json_null());
	json_object_set_new(o, "std_terminal_readable", f->terminal < 0 &&
			    (e->cls.evidence & OE_FDS_UNREADABLE) ? json_false() :
			    f->terminal < 0 ? json_null() : json_true());
	json_object_set_new(o, "evidence", evidence_json(e->cls.evidence));
	buf_reset(&b);
	orphan_evidence_text(f, &e->cls, &b);
	json_object_set_new(o, "evidence_text", json_text(b.data ? b.data : ""));
	buf_reset(&b);
	orphan_advice_text(f, &e->cls, &b);
	json_object_set_new(o, "advice", json_text(b.data ? b.data : ""));
	buf_free(&b);
	return o;
}

static int print_json(const struct orphans_opts *o, const struct found *f)
{
	struct json_out j;

	json_out_begin_array(&j, stdout);
	for (int k = ORPHAN_DAEMON; k < ORPHAN_KINDS; k++)
		for (size_t i = 0; i < f->n; i++)
			if (f->e[i].cls.kind == (enum orphan_kind)k && shown(o, &f->e[i]))
				json_out_element(&j, entry_json(&f->e[i]));
	return json_out_end_array(&j);
}

/* ---- text -------------------------------------------------------------------- */

/* "  501 orphan-daemon  user root  up 00:12  session 500 (leader gone)  tty -" */
static void print_head(struct output *out, const struct orphan_entry *e)
{
	const struct proc *p = e->facts.p;
	struct buf b = {0};
	char up[32];

	buf_printf(&b, "  %d ", (int)p->pid);
	out_raw(out, b.data);
	out_text(out, p->comm ? p->comm : "?", strlen(p->comm ? p->comm : "?"));
	out_raw(out, "  user ");
	out_text(out, p->user ? p->user : "?", strlen(p->user ? p->user : "?"));
	format_elapsed(p->elapsed_s, up, sizeof(up));
	buf_reset(&b);
	buf_printf(&b, "  up %s  session %d (%s)  tty ", up, (int)p->session,
		   p->session == p->pid ? "its own" :
		   e->facts.leader_alive ? "leader alive" : "leader gone");
	tty_name(p->tty_nr, &b);
	out_raw(out, b.data);
	out_endline(out);
	buf_free(&b);
}

static void print_entry(struct output *out, const struct orphan_entry *e)
{
	struct buf b = {0};

	print_head(out, e);
	/* The texts hold names (comm of the adopter, a terminal's path):
	 * escaped before they are wrapped. */
	orphan_adopter_text(&e->facts, &b);
	out_wrapped_text(out, "    adopted by: ", b.data, 78);
	buf_reset(&b);
	orphan_evidence_text(&e->facts, &e->cls, &b);
	out_wrapped_text(out, "    evidence: ", b.data, 78);
	buf_reset(&b);
	orphan_advice_text(&e->facts, &e->cls, &b);
	out_wrapped_text(out, "    advice: ", b.data, 78);
	buf_free(&b);
}

/* "3 orphans: 1 daemon, 1 terminal job, ...; N more ..." */
static void print_summary(struct output *out, const struct orphans_opts *o,
			  const struct found *f)
{
	static const char *const words[ORPHAN_KINDS] = {
		[ORPHAN_DAEMON] = "daemon", [ORPHAN_TERMINAL_JOB] = "left by a terminal",
		[ORPHAN_STOPPED] = "stopped", [ORPHAN_ADOPTED] = "adopted in a live session",
		[ORPHAN_OWN_SESSION] = "leading its own session",
	};
	size_t count[ORPHAN_KINDS] = {0}, total = 0;
	struct buf b = {0};
	bool first = true;

	for (size_t i = 0; i < f->n; i++)
		if (shown(o, &f->e[i])) {
			count[f->e[i].cls.kind]++;
			total++;
		}
	buf_printf(&b, "%zu orphan%s", total, total == 1 ? "" : "s");
	for (int k = ORPHAN_DAEMON; k < ORPHAN_KINDS; k++) {
		if (!count[k])
			continue;
		buf_printf(&b, "%s%zu %s", first ? ": " : ", ", count[k], words[k]);
		first = false;
	}
	if (!o->all && f->own_session)
		buf_printf(&b, "; %zu more process%s lead%s its own session under "
			   "init or a subreaper with no terminal (services, or "
			   "daemons that forked once; nothing in /proc says "
			   "whether they were adopted): --all lists them",
			   f->own_session, f->own_session == 1 ? "" : "es",
			   f->own_session == 1 ? "s" : "");
	out_wrapped(out, "", b.data, 0);
	buf_free(&b);
}

static void print_text(const struct orphans_opts *o, const struct found *f)
{
	struct output out;

	output_init(&out, stdout, o->wide);
	for (int k = ORPHAN_DAEMON; k < ORPHAN_KINDS; k++) {
		bool titled = false;

		for (size_t i = 0; i < f->n; i++) {
			if (f->e[i].cls.kind != (enum orphan_kind)k || !shown(o, &f->e[i]))
				continue;
			if (!titled) {
				out_raw(&out, orphan_kind_title((enum orphan_kind)k));
				out_endline(&out);
				titled = true;
			}
			print_entry(&out, &f->e[i]);
		}
	}
	print_summary(&out, o, f);
	output_free(&out);
}

static int orphans_exec(int argc, char **argv)
{
	struct orphans_opts o = {0};
	struct found f = {0};
	int status = EXIT_OK;

	parse_opts(argc, argv, &o);
	cmd_note_pidns();
	find_orphans(&f);
	for (size_t i = 0; i < f.n; i++)
		f.own_session += f.e[i].cls.kind == ORPHAN_OWN_SESSION;
	if (o.json)
		status = print_json(&o, &f) < 0 ? EXIT_FAIL : EXIT_OK;
	else
		print_text(&o, &f);
	free(f.e);
	snapshot_free(&f.detail);
	snapshot_free(&f.all);
	return finish_stdout(status);
}

const struct cmd_entry cmd_orphans_entry = {
	.name = "orphans",
	.summary = "Show the processes adopted by init or a subreaper, and why",
	.usage = "[-a] [-w] [--json]",
	.opts = orphans_opts,
	.notes =
	"Groups: daemons (the double fork), jobs left behind by a closed terminal\n"
	"or ssh session, stopped members of orphaned process groups, and processes\n"
	"adopted while their session lives on.  Each names its adopter (init, a\n"
	"namespace's init or a child subreaper), the evidence and what to do.\n"
	"/proc keeps no original parent: a process counts as re-parented when its\n"
	"session is neither its own nor its parent's.\n",
	.exec = orphans_exec,
};
