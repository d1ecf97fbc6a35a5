/*
 * cmd_zombies.c - `pmon zombies`: every zombie, grouped under the parent
 * that holds it, with what that parent does with SIGCHLD and one line of
 * advice on what will (and will not) get rid of them.
 *
 * Two scans: a cheap one of every /proc/PID/stat to find the zombies, then
 * a full read of only the zombies and their parents.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "view/field.h"
#include "view/output.h"
#include "cmd/cmd.h"
#include "cmd/watch.h"
#include "proc/proc.h"
#include "act/verdict.h"
#include "act/zombie.h"

struct zombies_opts {
	bool json, check, wide;
	bool watch, announce;  /* the shorthand of pmon watch --zombies 1 */
	const char *socket;    /* with --announce: -S */
};

static const struct cmd_opt zombies_opts[] = {
	CMD_OPT('c', "check", ARG_NONE, NULL,
		"exit 1 when there is any zombie, 0 when none"),
	CMD_OPT('w', "wide", ARG_NONE, NULL,
		"do not cut lines at the terminal's width"),
	CMD_LONG("json", 'j', ARG_NONE, NULL,
		"one JSON array of {parent, zombies} groups"),
	CMD_LONG("watch", 'W', ARG_NONE, NULL,
		"keep watching: a line each time a parent's zombies\n"
		"appear, grow or go (pmon watch --zombies 1 --no-room)"),
	CMD_LONG("announce", 'a', ARG_NONE, NULL,
		"with --watch: post each line to the room too"),
	CMD_OPT('S', "socket", ARG_FILE, "PATH",
		"with --announce: the room's socket"),
	{0},
};

static void parse_opts(int argc, char **argv, struct zombies_opts *o)
{
	int c;

	while ((c = cmd_getopt(argc, argv)) != -1) {
		switch (c) {
		case 'j': o->json = true; break;
		case 'c': o->check = true; break;
		case 'w': o->wide = true; break;
		case 'W': o->watch = true; break;
		case 'a': o->announce = true; break;
		case 'S': o->socket = optarg; break;
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (o->announce && !o->watch)
		usage_error("--announce goes with --watch");
	if (o->socket && !o->announce)
		usage_error("-S goes with --watch --announce");
	if (o->watch && (o->json || o->check))
		usage_error("--watch prints a line per change: not with --json or --check");
}

/* `pmon zombies --watch [--announce]`: pmon watch --zombies 1, posting
 * to the room only when asked. */
static int watch_zombies(const struct zombies_opts *o)
{
	char *args[6] = {"watch", "--zombies", "1", "--no-room"};
	int n = 4;

	if (o->announce) {
		n = 3;
		if (o->socket) {
			args[n++] = "-S";
			args[n++] = (char *)o->socket;
		}
	}
	args[n] = NULL;
	return watch_run_for(n, args);
}

/* The zombies and their parents, read in full.  The first scan reads only
 * stat; whatever changed between the scans is judged by the second. */
static void take_snapshot(struct snapshot *snap)
{
	struct snapshot all;
	struct snapshot_query q = {.need = PI_STATE | PI_THREADS | PI_PPID};
	pid_t *pids = NULL;
	size_t n = 0;

	if (snapshot_take(&all, &q) < 0)
		pmon_die_errno(EXIT_FAIL, errno,
			       "cannot read the process table (is /proc mounted?)");
	for (size_t i = 0; i < all.n; i++) {
		if (!proc_is_zombie(&all.procs[i]))
			continue;
		pids = xreallocarray(pids, n + 2, sizeof(*pids));
		pids[n++] = all.procs[i].pid;
		pids[n++] = all.procs[i].ppid;
	}
	snapshot_free(&all);
	memset(snap, 0, sizeof(*snap));
	if (!n)
		return;
	q = (struct snapshot_query){
		.need = json_process_need() | PI_SIGNALS | PI_TRACE | PI_SCHED,
		.pids = pids, .npids = n,
	};
	if (snapshot_take(snap, &q) < 0)
		pmon_die_errno(EXIT_FAIL, errno, "cannot read the zombies' parents");
	free(pids);
}

/* Each CPU's scheduler clock, read once (pmon visits the CPU to read it). */
struct cpu_clocks {
	unsigned long long *ns;
	bool *have;
	int n;
};

static bool clock_of(struct cpu_clocks *c, int cpu, unsigned long long *ns)
{
	bool pinned;

	if (cpu < 0 || cpu > 65535)
		return false;
	if (cpu >= c->n) {
		c->ns = xreallocarray(c->ns, (size_t)cpu + 1, sizeof(*c->ns));
		c->have = xreallocarray(c->have, (size_t)cpu + 1, sizeof(*c->have));
		memset(c->have + c->n, 0, (size_t)(cpu + 1 - c->n) * sizeof(*c->have));
		c->n = cpu + 1;
	}
	if (!c->have[cpu]) {
		if (proc_sched_now(cpu, &c->ns[cpu], &pinned) < 0)
			return false;
		c->have[cpu] = true;
	}
	*ns = c->ns[cpu];
	return true;
}

/* Seconds since the zombie exited, or -1 when the kernel does not say. */
static long age_of(struct cpu_clocks *c, const struct proc *z)
{
	unsigned long long now;

	if (!(z->have & PI_SCHED) || !clock_of(c, z->last_cpu, &now))
		return -1;
	return zombie_age_s(z->last_ran_ns, now, z->elapsed_s);
}

/* The advice on g's parent, from the verdict `pmon reap` would act on;
 * *v gets that verdict. */
static void group_advice(const struct zombie_group *g, struct reap_verdict *v,
			 struct buf *out)
{
	memset(v, 0, sizeof(*v));
	if (g->parent)
		reap_check(g->parent, false, v);
	zombie_advice_text(zombie_advice(g->parent), g->ppid, v, out);
}

static json_t *group_json(const struct zombie_group *g, struct cpu_clocks *c)
{
	struct proc unknown = {.pid = g->ppid};
	const struct proc *parent = g->parent ? g->parent : &unknown;
	enum sigchld_disp d = sigchld_disposition(parent);
	json_t *obj = json_object(), *pj = proc_to_json(parent, NULL), *zs = json_array();
	struct reap_verdict v;
	struct buf advice = {0};

	if (!obj || !zs)
		pmon_die(EXIT_FAIL, "out of memory building JSON");
	json_object_set_new(pj, "sigchld", d == SIGCHLD_UNKNOWN ? json_null() :
				json_string(sigchld_disp_name(d)));
	for (size_t i = 0; i < g->n; i++) {
		json_t *zj = proc_to_json(g->zombies[i], NULL);
		long age = age_of(c, g->zombies[i]);

		json_object_set_new(zj, "age_s", age < 0 ? json_null() : json_integer(age));
		json_array_append_new(zs, zj);
	}
	json_object_set_new(obj, "parent", pj);
	json_object_set_new(obj, "zombies", zs);
	group_advice(g, &v, &advice);
	json_object_set_new(obj, "advice", json_text(advice.data));
	json_object_set_new(obj, "inject_refusal", v.block ? json_text(v.why)
							   : json_null());
	buf_free(&advice);
	return obj;
}

static void print_group(struct output *out, const struct zombie_group *g,
			struct cpu_clocks *c)
{
	const struct proc *p = g->parent;
	struct reap_verdict v;
	struct buf line = {0};
	char when[32];

	buf_printf(&line, "parent %d ", (int)g->ppid);
	out_raw(out, line.data);
	if (p) {
		out_text(out, p->comm ? p->comm : "?", strlen(p->comm ? p->comm : "?"));
		out_raw(out, "  user ");
		out_text(out, p->user ? p->user : "?", strlen(p->user ? p->user : "?"));
		buf_reset(&line);
		buf_printf(&line, "  STAT %s  SIGCHLD %s", p->stat,
			   sigchld_disp_name(sigchld_disposition(p)));
		out_raw(out, line.data);
	} else {
		out_raw(out, "(could not be read)");
	}
	buf_reset(&line);
	buf_printf(&line, "  %zu zombie%s", g->n, g->n == 1 ? "" : "s");
	out_raw(out, line.data);
	out_endline(out);
	for (size_t i = 0; i < g->n; i++) {
		const struct proc *z = g->zombies[i];
		long age = age_of(c, z);

		buf_reset(&line);
		buf_printf(&line, "  zombie %d ", (int)z->pid);
		out_raw(out, line.data);
		out_text(out, z->comm ? z->comm : "?", strlen(z->comm ? z->comm : "?"));
		buf_reset(&line);
		if (age >= 0) {
			format_elapsed(age, when, sizeof(when));
			buf_printf(&line, "  exited %s ago", when);
		} else {
			format_elapsed(z->elapsed_s, when, sizeof(when));
			buf_printf(&line, "  exit time unknown (started %s ago)", when);
		}
		out_raw(out, line.data);
		out_endline(out);
	}
	buf_reset(&line);
	group_advice(g, &v, &line);
	out_wrapped(out, "  advice: ", line.data, 78);
	buf_free(&line);
}

static int zombies_exec(int argc, char **argv)
{
	struct zombies_opts o = {0};
	struct snapshot snap;
	struct zombie_group *groups;
	struct cpu_clocks clocks = {0};
	struct output out;
	size_t ngroups, nzombies = 0;
	int status = EXIT_OK;

	parse_opts(argc, argv, &o);
	if (o.watch)
		return watch_zombies(&o);
	cmd_note_pidns();
	take_snapshot(&snap);
	ngroups = zombie_groups(snap.procs, snap.n, &groups);
	for (size_t i = 0; i < ngroups; i++)
		nzombies += groups[i].n;

	output_init(&out, stdout, o.wide);
	if (o.json) {
		json_t *doc = json_array();

		for (size_t i = 0; i < ngroups; i++)
			json_array_append_new(doc, group_json(&groups[i], &clocks));
		if (json_emit(doc, stdout) < 0)
			status = EXIT_FAIL;
	} else {
		struct buf sum = {0};

		for (size_t i = 0; i < ngroups; i++)
			print_group(&out, &groups[i], &clocks);
		if (nzombies)
			buf_printf(&sum, "%zu zombie%s under %zu parent%s", nzombies,
				   nzombies == 1 ? "" : "s", ngroups,
				   ngroups == 1 ? "" : "s");
		else
			buf_puts(&sum, "no zombies");
		out_raw(&out, sum.data);
		out_endline(&out);
		buf_free(&sum);
	}
	if (o.check && nzombies && status == EXIT_OK)
		status = EXIT_FAIL;
	output_free(&out);
	zombie_groups_free(groups, ngroups);
	snapshot_free(&snap);
	free(clocks.ns);
	free(clocks.have);
	return finish_stdout(status);
}

const struct cmd_entry cmd_zombies_entry = {
	.name = "zombies",
	.summary = "Show every zombie under its parent, and what would reap it",
	.usage = "[-w] [--check] [--json] [--watch [--announce [-S SOCKET]]]",
	.opts = zombies_opts,
	.notes =
	"One group per parent, in parent PID order: the parent's PID, name, user,\n"
	"STAT and SIGCHLD disposition (default, ignored or caught, from SigIgn and\n"
	"SigCgt in /proc/PID/status), then each zombie with how long ago it exited\n"
	"(when it last left a CPU, from /proc/PID/sched), then one line of advice.\n"
	"What the advice says `pmon reap` will do comes from reap's own checks: it\n"
	"never offers what reap refuses, and says what works instead.\n"
	"A thread-group leader that exited while its other threads run shows as Z\n"
	"in /proc but is not a zombie and is not listed.\n",
	.exec = zombies_exec,
};
