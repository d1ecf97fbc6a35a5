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

struct reap_cli {
	struct reap_opts o;
	bool method_given, json;
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
		}
	}
	if (c->o.kill_parent && c->method_given && c->o.method != REAP_KILL_PARENT)
		usage_error("--kill-parent cannot be combined with --method %s",
			    reap_method_name(c->o.method));
	if (optind == argc)
		usage_error("name at least one zombie or parent PID");
	c->n = (size_t)(argc - optind);
	c->targets = xcalloc(c->n, sizeof(*c->targets));
	for (size_t i = 0; i < c->n; i++) {
		long pid;

		if (parse_long(argv[optind + (int)i], 1, INT_MAX, &pid) < 0)
			usage_error("'%s' is not a PID", argv[optind + (int)i]);
		c->targets[i].pid = (pid_t)pid; /* start time 0: as it is now */
	}
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

static int reap_exec(int argc, char **argv)
{
	struct reap_cli c = {0};
	struct reap_report rep;
	struct output out;
	struct buf line = {0};
	int status;

	parse_opts(argc, argv, &c);
	cmd_note_pidns();
	status = reap_run(c.targets, c.n, &c.o, &rep);
	if (status < 0)
		pmon_die_errno(EXIT_FAIL, errno,
			       "cannot read the process table (is /proc mounted?)");
	if (c.json) {
		json_t *doc = json_array();

		for (size_t i = 0; i < rep.n; i++)
			json_array_append_new(doc, result_json(&rep.r[i]));
		if (json_emit(doc, stdout) < 0)
			status = EXIT_FAIL;
	} else {
		output_init(&out, stdout, true);
		for (size_t i = 0; i < rep.n; i++) {
			buf_reset(&line);
			reap_result_line(&rep.r[i], &line);
			out_text(&out, line.data, line.len);
			out_endline(&out);
		}
		output_free(&out);
	}
	buf_free(&line);
	reap_report_free(&rep);
	free(c.targets);
	return finish_stdout(status ? EXIT_FAIL : EXIT_OK);
}

const struct cmd_entry cmd_reap_entry = {
	.name = "reap",
	.summary = "Reap zombies: nudge their parent, make it wait, or end it",
	.usage = "[--method nudge|inject|kill-parent] [--kill-parent] "
		 "[--allow-eintr] [--timeout MS] [--json] PID...",
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
	"Exit status 0 when every zombie was reaped, 1 otherwise.\n",
	.exec = reap_exec,
};
