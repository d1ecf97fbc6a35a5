/*
 * cmd_reap.c - `pmon reap`: get rid of zombies by getting their parent to
 * wait for them (reap.h), one result line per zombie.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "view/output.h"
#include "cmd/cmd.h"
#include "act/reap.h"
#include "cmd/room_guard.h"

struct reap_cli {
	struct reap_opts o;
	bool method_given, json, quiet, force;
	struct proc_ref *targets;
	size_t n;
};

static const struct cmd_opt reap_opts[] = {
	{.short_name = 'm', .long_name = "method", .val = 'm', .arg = ARG_WORD,
	 .metavar = "M", .words = "nudge inject kill-parent",
	 .help =
		"use only this method: nudge (send the parent\n"
		"SIGCHLD), inject (make the parent call wait4\n"
		"through ptrace; x86_64) or kill-parent"},
	CMD_LONG("kill-parent", 'K', ARG_NONE, NULL,
		"after nudge and inject, end the parent (SIGTERM,\n"
		"then SIGKILL) so init or a subreaper reaps"),
	CMD_LONG("allow-eintr", 'E', ARG_NONE, NULL,
		"inject even into a parent blocked in a call\n"
		"that the stop makes fail with EINTR and that\n"
		"pmon cannot restart (epoll_wait, sigtimedwait,\n"
		"semtimedop, io_getevents with a timeout; a read\n"
		"or accept on a socket that may have one)"),
	CMD_OPT('t', "timeout", ARG_NUMBER, "MS",
		"how long each step waits for the parent\n"
		"(default 1000)"),
	CMD_LONG("json", 'j', ARG_NONE, NULL,
		"one JSON array with an object per result"),
	CMD_OPT('q', "quiet", ARG_NONE, NULL,
		"tell the room nothing, and ignore its claims"),
	CMD_OPT('f', "force", ARG_NONE, NULL,
		"reap where someone else claims the zombie or\n"
		"its parent in the room, without asking"),
	{0},
};

static void parse_opts(int argc, char **argv, struct reap_cli *c)
{
	int ch, m;

	c->o = (struct reap_opts){.method = REAP_AUTO,
				  .timeout_ms = REAP_DEFAULT_TIMEOUT_MS};
	while ((ch = cmd_getopt(argc, argv)) != -1) {
		switch (ch) {
		case 'm':
			m = reap_method_from_name(optarg);
			if (m < 0 || m == REAP_AUTO)
				usage_error("--method takes nudge, inject or "
					    "kill-parent, not '%s'", optarg);
			c->o.method = (enum reap_method)m;
			c->method_given = true;
			break;
		case 'K': c->o.kill_parent = true; break;
		case 'E': c->o.allow_eintr = true; break;
		case 't':
			c->o.timeout_ms = (int)estrtonum(optarg, 1, 600000, "--timeout");
			break;
		case 'j': c->json = true; break;
		case 'q': c->quiet = true; break;
		case 'f': c->force = true; break;
		}
	}
	if (c->o.kill_parent && c->method_given && c->o.method != REAP_KILL_PARENT)
		usage_error("--kill-parent cannot be combined with --method %s",
			    reap_method_name(c->o.method));
	if (optind == argc)
		usage_error("name at least one zombie or parent PID");
	c->n = (size_t)(argc - optind);
	c->targets = xcalloc(c->n, sizeof(*c->targets));
	for (size_t i = 0; i < c->n; i++) /* start time 0: as it is now */
		c->targets[i].pid = estrtopid(argv[optind + (int)i]);
}

static json_t *result_json(const struct reap_result *r)
{
	json_t *o = json_object();
	bool by_pmon = r->reaped && r->by != REAP_NONE;

	json_object_set_new(o, "pid", json_integer(r->zpid));
	json_object_set_new(o, "comm", json_text(r->zcomm));
	if (r->ppid) {
		json_object_set_new(o, "ppid", json_integer(r->ppid));
		json_object_set_new(o, "parent_comm", json_text(r->pcomm));
	}
	json_object_set_new(o, "reaped", json_boolean(by_pmon));
	json_object_set_new(o, "gone", json_boolean(r->reaped));
	json_object_set_new(o, "method", by_pmon ?
			    json_string(reap_method_name(r->by)) : json_null());
	json_object_set_new(o, "reason", by_pmon ? json_null() : json_text(r->reason));
	if (r->note[0])
		json_object_set_new(o, "note", json_text(r->note));
	if (r->holder) {
		json_object_set_new(o, "holder", json_integer(r->holder));
		json_object_set_new(o, "holder_comm", json_text(r->holder_comm));
	}
	if (r->hold_us) {
		json_object_set_new(o, "hold_us", json_integer(r->hold_us));
		json_object_set_new(o, "inject_retries", json_integer(r->retries));
		json_object_set_new(o, "signals_passed", json_integer(r->passed_signals));
	}
	return o;
}

/*
 * The room's claims on the targets and on the parents that would be
 * acted on (nudged, injected into, ended): a target someone else claims
 * is left out, with a line that says why (*refused counts them).
 */
static void check_claims(struct reap_cli *c, struct room_guard *g,
			 struct output *out, int *refused)
{
	struct snapshot_query q = {.need = PI_COMM | PI_START | PI_PPID};
	struct snapshot s;
	size_t kept = 0;

	if (!g->up || snapshot_take(&s, &q) < 0)
		return;
	for (size_t i = 0; i < c->n; i++) {
		const struct proc *p = snapshot_find(&s, c->targets[i].pid);
		const struct proc *pp = p ? snapshot_find(&s, p->ppid) : NULL;
		char why[256] = "";

		if ((p && !room_guard_allows(g, p->pid, p->start_ticks, p->comm,
					     why, sizeof(why))) ||
		    (pp && proc_is_zombie(p) &&
		     !room_guard_allows(g, pp->pid, pp->start_ticks, pp->comm,
					why, sizeof(why)))) {
			char line[320];

			snprintf(line, sizeof(line), "%d: not reaped: %s",
				 (int)c->targets[i].pid, why);
			if (c->json) {
				pmon_warn("%s", line);
			} else {
				out_text(out, line, strlen(line));
				out_endline(out);
			}
			(*refused)++;
			continue;
		}
		c->targets[kept++] = c->targets[i];
	}
	c->n = kept;
	snapshot_free(&s);
}

/* Did pmon's own step reap r? */
static bool reaped_by_pmon(const struct reap_result *r)
{
	return r->reaped && r->by != REAP_NONE && r->ppid;
}

/* One event per parent pmon made reap: "reaped 3 zombies of 1777 worker
 * by inject: ok" (the method of its first). */
static void post_reaps(struct room_guard *g, const struct reap_report *rep)
{
	for (size_t i = 0; i < rep->n; i++) {
		const struct reap_result *r = &rep->r[i];
		unsigned count = 0;
		bool seen = false;

		if (!reaped_by_pmon(r))
			continue;
		for (size_t j = 0; j < rep->n; j++) {
			if (!reaped_by_pmon(&rep->r[j]) ||
			    rep->r[j].ppid != r->ppid)
				continue;
			seen |= j < i;
			count++;
		}
		if (seen)
			continue; /* the parent's event is posted already */
		room_guard_post(g, &(struct chat_action){
			.verb = CHAT_VERB_REAP, .pid = r->ppid, .comm = r->pcomm,
			.count = count, .detail = reap_method_name(r->by),
			.result = "ok"});
	}
}

static int reap_exec(int argc, char **argv)
{
	struct reap_cli c = {0};
	struct reap_report rep;
	struct output out;
	struct buf line = {0};
	struct room_guard room;
	int status, refused = 0;

	parse_opts(argc, argv, &c);
	cmd_note_pidns();
	room_guard_open(&room, c.quiet, c.force);
	output_init(&out, stdout, true);
	check_claims(&c, &room, &out, &refused);
	status = c.n ? reap_run(c.targets, c.n, &c.o, &rep) : 0;
	if (status < 0)
		pmon_die_errno(EXIT_FAIL, errno,
			       "cannot read the process table (is /proc mounted?)");
	if (!c.n)
		rep = (struct reap_report){0};
	post_reaps(&room, &rep);
	room_guard_close(&room);
	if (refused)
		status = 1;
	if (c.json) {
		json_t *doc = json_array();

		for (size_t i = 0; i < rep.n; i++)
			json_array_append_new(doc, result_json(&rep.r[i]));
		if (json_emit(doc, stdout) < 0)
			status = EXIT_FAIL;
	} else {
		for (size_t i = 0; i < rep.n; i++) {
			buf_reset(&line);
			reap_result_line(&rep.r[i], &line);
			out_text(&out, line.data, line.len);
			out_endline(&out);
		}
	}
	output_free(&out);
	buf_free(&line);
	reap_report_free(&rep);
	free(c.targets);
	return finish_stdout(status ? EXIT_FAIL : EXIT_OK);
}

const struct cmd_entry cmd_reap_entry = {
	.name = "reap",
	.summary = "Reap zombies: nudge their parent, make it wait, or end it",
	.usage = "[--method nudge|inject|kill-parent] [--kill-parent] "
		 "[--allow-eintr] [--timeout MS] [--json] [-q] [-f] PID...",
	.opts = reap_opts,
	.operand = ARG_PID,
	.notes =
	"Each PID is a zombie, or a parent: then all of its zombies.  By\n"
	"default pmon nudges a parent that has a SIGCHLD handler, then injects;\n"
	"it never ends a parent unless told to.  A zombie counts as reaped only\n"
	"once /proc shows it gone.  Inject refuses a parent that is traced, runs\n"
	"under seccomp, waits in vfork (state D), is blocked in a call the stop\n"
	"would make fail with EINTR (see --allow-eintr; one that waits without a\n"
	"timeout is restarted instead) or is not a 64-bit x86 process, and gives\n"
	"up without changing anything on one that does not stop in time.  PID 1\n"
	"(and a namespace's init) is never touched.  `pmon zombies` advises from\n"
	"the same checks.  One line per zombie:\n"
	"  ZPID (comm) held by PPID (comm): reaped by METHOD | not reaped: WHY\n"
	"  | gone (not by pmon): WHAT PMON DID\n"
	"Exit status 0 when every zombie was reaped, 1 otherwise.\n"
	"While a room runs (pmon chat), it is told, once per parent: \"[action]\n"
	"NAME (uid UID) reaped 3 zombies of PPID COMM by inject: ok\"; a zombie\n"
	"or parent someone else claims is asked about on a terminal, and left\n"
	"alone otherwise unless --force.  With no room, or one that does not\n"
	"answer within 200 ms, pmon goes on without it.\n",
	.exec = reap_exec,
};
