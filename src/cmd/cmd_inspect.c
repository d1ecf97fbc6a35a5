/*
 * cmd_inspect.c - `pmon inspect PID...`: everything an operator asks
 * about one process, in words as well as numbers: who it is, its state
 * and what that means, its family and whether it is an orphan, what it
 * is waiting for (the system call it is blocked in, decoded, with its
 * descriptors resolved), its signals, credentials and confinement, its
 * resources, and what pmon can do about it.  It only reads /proc.
 *
 * The model is read by ui/inspect_read.c and shown by ui/inspect_show.c
 * (text, which top's detail view shows too) and inspect_json.c (JSON).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "ui/inspect.h"
#include "view/output.h"

/* The pause between the two CPU readings. */
#define SAMPLE_MS 100

struct inspect_opts {
	bool json, wide, no_sample;
	pid_t *pids;
	size_t npids;
};

static const struct cmd_opt inspect_opts[] = {
	CMD_OPT('n', "no-sample", ARG_NONE, NULL,
		"%CPU over the process's life, without the 0.1 s\n"
		"sample of its recent use"),
	CMD_OPT('w', "wide", ARG_NONE, NULL,
		"do not wrap lines at the terminal's width"),
	CMD_LONG("json", 'j', ARG_NONE, NULL,
		"one JSON array with an object per PID"),
	{0},
};

static void parse_opts(int argc, char **argv, struct inspect_opts *o)
{
	int c;

	while ((c = cmd_getopt(argc, argv)) != -1) {
		switch (c) {
		case 'j': o->json = true; break;
		case 'n': o->no_sample = true; break;
		case 'w': o->wide = true; break;
		}
	}
	for (int i = optind; i < argc; i++) {
		o->pids = xreallocarray(o->pids, o->npids + 1, sizeof(*o->pids));
		o->pids[o->npids++] = estrtopid(argv[i]);
	}
	if (!o->npids)
		usage_error("no PID given");
}

/* One pause for every process: the second reading of each. */
static void sample(struct inspection *ins, size_t n)
{
	struct timespec ts = {0, SAMPLE_MS * 1000000L};
	bool any = false;

	for (size_t i = 0; i < n; i++)
		any |= ins[i].err == 0;
	if (!any)
		return;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	for (size_t i = 0; i < n; i++)
		inspect_sample(&ins[i]);
}

static void say_gone(const struct inspection *ins)
{
	if (ins->thread_of)
		pmon_warn("%d: a thread of process %d, not a process (pmon inspect %d)",
			  (int)ins->pid, (int)ins->thread_of, (int)ins->thread_of);
	else
		pmon_warn("%d: no such process (it exited, or vanished while it was "
			  "read)", (int)ins->pid);
}

static int print_all(const struct inspect_opts *o, struct output *out,
		     const struct inspection *ins, size_t n)
{
	int status = EXIT_OK;

	if (o->json) {
		json_t *doc = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(doc, inspect_json(&ins[i]));
		if (json_emit(doc, stdout) < 0)
			status = EXIT_FAIL;
	}
	for (size_t i = 0, shown = 0; i < n; i++) {
		if (ins[i].err) {
			say_gone(&ins[i]);
			status = EXIT_FAIL;
			continue;
		}
		if (o->json)
			continue;
		if (shown++)
			out_endline(out);
		inspect_print(out, &ins[i]);
	}
	return status;
}

static int inspect_exec(int argc, char **argv)
{
	struct inspect_opts o = {0};
	struct inspection *ins;
	struct output out;
	int status;

	parse_opts(argc, argv, &o);
	cmd_note_pidns();
	output_init(&out, stdout, o.wide);
	ins = xcalloc(o.npids, sizeof(*ins));
	for (size_t i = 0; i < o.npids; i++)
		inspect_read(o.pids[i], &ins[i], out.utf8 && !o.json);
	if (!o.no_sample)
		sample(ins, o.npids);
	status = print_all(&o, &out, ins, o.npids);
	for (size_t i = 0; i < o.npids; i++)
		inspect_free(&ins[i]);
	free(ins);
	free(o.pids);
	output_free(&out);
	return finish_stdout(status);
}

const struct cmd_entry cmd_inspect_entry = {
	.name = "inspect",
	.summary = "Explain one process: state, family, what it waits for, and more",
	.usage = "[-n] [-w] [--json] PID...",
	.opts = inspect_opts,
	.operand = ARG_PID,
	.notes =
	"For each PID: identity (start time, pidfs inode, executable, command\n"
	"line, directory); state, each STAT letter spelled out, and how long it\n"
	"has been in it; family (ancestors, children, zombies, session, group,\n"
	"terminal; orphan, daemon or zombie, and why); what it waits for (the\n"
	"system call from /proc/PID/syscall, decoded, its descriptors resolved;\n"
	"wchan; its threads); signals (blocked, ignored, caught, pending;\n"
	"SIGCHLD); credentials, capabilities, no_new_privs, seccomp,\n"
	"namespaces, cgroup and container; resources; and what pmon kill and\n"
	"pmon reap would do.  It only reads /proc.  What this account may not\n"
	"read is marked as such.  Exit status 1 if a PID is not a process (or\n"
	"vanished while it was read).\n",
	.exec = inspect_exec,
};
