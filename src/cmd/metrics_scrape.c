/*
 * metrics_scrape.c - one scrape of `pmon metrics` (metrics.h): processes
 * per state, zombies under the parents that hold them (act/zombie.c's
 * grouping and SIGCHLD disposition, as `pmon zombies` shows them),
 * process groups (view/procgroup.h), the room's figures (its /stats
 * request) and the scrape's own cost.
 *
 * Cost: the pass reads /proc/PID/stat of every process, and nothing else
 * unless group rules ask for more (their fields' files, the fd directory
 * of each process in a group, cmdline for cmdline rules); then the
 * zombies and their parents in full.  `pmon ps` reads stat and status of
 * every process, so a scrape without rules costs less (bench-metrics.sh).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chat/client.h"
#include "cmd/metrics.h"
#include "proc/proc.h"
#include "act/verdict.h"
#include "act/zombie.h"
#include "view/field.h"

/* The state letters always written (0 when none), so that a query over
 * them has a series to look at; any other letter is added when seen. */
static const char always_states[] = "RSDTtZXI";

/* ---- processes per state --------------------------------------------- */

static void write_states(struct expo *e, const struct snapshot *s)
{
	size_t count[256] = {0};
	char letter[2] = "";
	struct expo_label l = {"state", letter};

	for (size_t i = 0; i < s->n; i++)
		count[(unsigned char)s->procs[i].state]++;
	expo_family(e, "pmon_processes", EXPO_GAUGE,
		    "Processes by state letter (R S D T t Z X I ...), as /proc/PID/stat gives it.");
	for (int c = 1; c < 256; c++) {
		if (!count[c] && !strchr(always_states, c))
			continue;
		/* Not a letter (the kernel sends letters): kept out of the
		 * label rather than trusted. */
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
			continue;
		letter[0] = (char)c;
		expo_sample(e, &l, 1, (double)count[c]);
	}
}

/* ---- zombies per parent ------------------------------------------------ */

/* The zombies and their parents of s, read again with what the grouping
 * and the SIGCHLD disposition need (as `pmon zombies` reads them). */
static int read_zombie_families(const struct snapshot *s, struct snapshot *z)
{
	pid_t *pids = NULL;
	size_t n = 0;
	struct snapshot_query q;
	int rc;

	memset(z, 0, sizeof(*z));
	for (size_t i = 0; i < s->n; i++) {
		if (!proc_is_zombie(&s->procs[i]))
			continue;
		pids = xreallocarray(pids, n + 2, sizeof(*pids));
		pids[n++] = s->procs[i].pid;
		pids[n++] = s->procs[i].ppid;
	}
	if (!n)
		return 0;
	q = (struct snapshot_query){
		.need = PI_STATE | PI_THREADS | PI_PPID | PI_COMM | PI_SIGNALS | PI_TRACE,
		.pids = pids, .npids = n,
	};
	rc = snapshot_take(z, &q);
	free(pids);
	return rc;
}

/* Most zombies first; then by parent pid, for a stable order. */
static int by_zombies_held(const void *a, const void *b)
{
	const struct zombie_group *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return (x->ppid > y->ppid) - (x->ppid < y->ppid);
}

/* For the listed parents, whether `pmon reap` may inject a wait into
 * them now: reap's own verdict (act/verdict.c), which also words the
 * advice of `pmon zombies`.  It reads the syscall of one thread of each,
 * so only for the top K. */
static void write_inject_verdicts(struct expo *e, const struct zombie_group *g,
				  size_t n)
{
	expo_family(e, "pmon_zombie_parent_inject_refused", EXPO_GAUGE,
		    "1 when pmon reap would refuse to inject a wait into the parent now, with why (reason), else 0 (reason none).");
	for (size_t i = 0; i < n; i++) {
		struct reap_verdict v;
		char pid[24];
		struct expo_label l[] = {{"parent_pid", pid}, {"reason", NULL}};

		if (!g[i].parent)
			continue;
		reap_check(g[i].parent, false, &v);
		snprintf(pid, sizeof(pid), "%d", (int)g[i].ppid);
		l[1].value = reap_block_name(v.block);
		expo_sample(e, l, ARRAY_LEN(l), v.block != BLOCK_NONE);
	}
}

static void write_zombie_parents(struct expo *e, const struct metrics_opts *o,
				 const struct snapshot *s)
{
	struct snapshot z;
	struct zombie_group *g = NULL;
	size_t ng = 0, unlisted = 0, zombies = 0;

	if (read_zombie_families(s, &z) == 0)
		ng = zombie_groups(z.procs, z.n, &g);
	if (ng > 1) /* g is NULL without zombies: qsort's base is nonnull */
		qsort(g, ng, sizeof(*g), by_zombies_held);
	/* Counted from this second read, as pmon zombies counts them, so
	 * that the parents' figures add up to it within one scrape. */
	for (size_t i = 0; i < ng; i++)
		zombies += g[i].n;
	expo_family(e, "pmon_zombies", EXPO_GAUGE,
		    "Zombie processes (a Z leader whose other threads run is not one).");
	expo_sample(e, NULL, 0, (double)zombies);
	expo_family(e, "pmon_zombie_parents", EXPO_GAUGE,
		    "Parents holding zombies, listed or not.");
	expo_sample(e, NULL, 0, (double)ng);
	expo_family(e, "pmon_zombies_by_parent", EXPO_GAUGE,
		    "Zombies a parent holds, for the parents holding the most (--top-parents).");
	for (size_t i = 0; i < ng; i++) {
		char pid[24];
		const struct proc *p = g[i].parent;
		struct expo_label l[] = {
			{"parent_pid", pid},
			{"parent_name", p && p->comm ? p->comm : ""},
			{"sigchld", sigchld_disp_name(p ? sigchld_disposition(p)
							: SIGCHLD_UNKNOWN)},
		};

		if (i >= o->top_parents) {
			unlisted += g[i].n;
			continue;
		}
		snprintf(pid, sizeof(pid), "%d", (int)g[i].ppid);
		expo_sample(e, l, ARRAY_LEN(l), (double)g[i].n);
	}
	expo_family(e, "pmon_zombies_unlisted", EXPO_GAUGE,
		    "Zombies of the parents pmon_zombies_by_parent leaves out.");
	expo_sample(e, NULL, 0, (double)unlisted);
	write_inject_verdicts(e, g, ng < o->top_parents ? ng : o->top_parents);
	zombie_groups_free(g, ng);
	snapshot_free(&z);
}

/* ---- process groups ---------------------------------------------------- */

enum fold { FOLD_SUM, FOLD_MIN };

/* A group's figures that the field registry has: its key, the metric,
 * how processes fold into the group, and a scale to base units. */
static const struct group_figure {
	const char *field, *metric, *help;
	enum fold fold;
	double scale;
} figures[] = {
	{"cpu_time_s", "pmon_group_cpu_seconds",
	 "CPU time (user + system) of the group's live processes; falls when one exits.",
	 FOLD_SUM, 1},
	{"rss_kb", "pmon_group_resident_memory_bytes",
	 "Resident memory of the group's processes.", FOLD_SUM, 1024},
	{"threads", "pmon_group_threads",
	 "Threads of the group's processes.", FOLD_SUM, 1},
	{"start_time", "pmon_group_oldest_start_time_seconds",
	 "Start time of the group's oldest process, seconds since the epoch.",
	 FOLD_MIN, 1},
};

struct group_sum {
	const char *name;          /* the rule's, or a comm of the snapshot */
	size_t procs;
	double fig[ARRAY_LEN(figures)];
	double fds;
};

/* The groups met so far, found by name through an open-addressing hash
 * (a scan of every group for each of 10,000 processes is what made the
 * first version cost more than pmon ps). */
struct groups {
	struct group_sum *g;
	size_t n, max;
	size_t *slot;              /* index + 1; 0: empty */
	size_t nslots;
	size_t unlisted_procs;     /* in groups past max */
};

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static struct group_sum *group_of(struct groups *gs, const char *name)
{
	size_t i = name_hash(name) & (gs->nslots - 1);

	for (; gs->slot[i]; i = (i + 1) & (gs->nslots - 1))
		if (strcmp(gs->g[gs->slot[i] - 1].name, name) == 0)
			return &gs->g[gs->slot[i] - 1];
	if (gs->n >= gs->max)
		return NULL;
	gs->g[gs->n] = (struct group_sum){.name = name};
	for (size_t f = 0; f < ARRAY_LEN(figures); f++)
		if (figures[f].fold == FOLD_MIN)
			gs->g[gs->n].fig[f] = -1;
	gs->slot[i] = ++gs->n;
	return &gs->g[gs->n - 1];
}

static void add_to_group(struct group_sum *g, const struct proc *p)
{
	long fds;

	g->procs++;
	for (size_t f = 0; f < ARRAY_LEN(figures); f++) {
		json_t *j = field_find(figures[f].field)->json(p);
		double v;

		if (!json_is_number(j)) {
			json_decref(j);
			continue;
		}
		v = json_number_value(j) * figures[f].scale;
		json_decref(j);
		if (figures[f].fold == FOLD_SUM)
			g->fig[f] += v;
		else if (g->fig[f] < 0 || v < g->fig[f])
			g->fig[f] = v;
	}
	/* Not in the registry: one directory read, for grouped processes
	 * only.  A process whose fds may not be read adds none. */
	if (!proc_is_zombie(p) && (fds = proc_fd_count(p->pid)) > 0)
		g->fds += (double)fds;
}

static void fold_groups(const struct metrics_opts *o, const struct snapshot *s,
			struct groups *gs)
{
	gs->max = o->max_groups;
	gs->g = xcalloc(gs->max ? gs->max : 1, sizeof(*gs->g));
	for (gs->nslots = 16; gs->nslots < 2 * gs->max; gs->nslots *= 2)
		;
	gs->slot = xcalloc(gs->nslots, sizeof(*gs->slot));
	for (size_t i = 0; i < s->n; i++) {
		const struct proc *p = &s->procs[i];
		const char *comm = p->comm ? p->comm : "";
		const struct group_rule *r = group_rules_match(&o->rules, comm, p->cmdline);
		struct group_sum *g;

		if (!r)
			continue;
		g = group_of(gs, r->name ? r->name : comm);
		if (g)
			add_to_group(g, p);
		else
			gs->unlisted_procs++;
	}
}

static int by_group_name(const void *a, const void *b)
{
	return strcmp(((const struct group_sum *)a)->name,
		      ((const struct group_sum *)b)->name);
}

static void write_groups(struct expo *e, const struct metrics_opts *o,
			 const struct snapshot *s)
{
	struct groups gs = {0};
	struct expo_label l = {"group", NULL};

	if (!o->rules.n)
		return;
	fold_groups(o, s, &gs);
	if (gs.n > 1) /* gs.g is NULL when no group matched */
		qsort(gs.g, gs.n, sizeof(*gs.g), by_group_name);
	expo_family(e, "pmon_group_processes", EXPO_GAUGE,
		    "Processes in the group (rules: --group, --groups-file).");
	for (size_t i = 0; i < gs.n; i++) {
		l.value = gs.g[i].name;
		expo_sample(e, &l, 1, (double)gs.g[i].procs);
	}
	for (size_t f = 0; f < ARRAY_LEN(figures); f++) {
		expo_family(e, figures[f].metric, EXPO_GAUGE, figures[f].help);
		for (size_t i = 0; i < gs.n; i++) {
			l.value = gs.g[i].name;
			if (gs.g[i].fig[f] >= 0)
				expo_sample(e, &l, 1, gs.g[i].fig[f]);
		}
	}
	expo_family(e, "pmon_group_open_fds", EXPO_GAUGE,
		    "Open file descriptors of the group's processes (those pmon may read).");
	for (size_t i = 0; i < gs.n; i++) {
		l.value = gs.g[i].name;
		expo_sample(e, &l, 1, gs.g[i].fds);
	}
	expo_family(e, "pmon_group_unlisted_processes", EXPO_GAUGE,
		    "Processes a rule matched whose group is past --max-groups.");
	expo_sample(e, NULL, 0, (double)gs.unlisted_procs);
	free(gs.g);
	free(gs.slot);
}

/* ---- the room ---------------------------------------------------------- */

static void write_room(struct expo *e, const struct metrics_opts *o)
{
	struct chat_room_stats st;
	char why[CHAT_WHY_MAX];
	bool up;
	static const struct {
		const char *name, *help;
		enum expo_type type;
		size_t off;
	} rows[] = {
		{"pmon_room_clients", "Connections to the room, in it or not.",
		 EXPO_GAUGE, offsetof(struct chat_room_stats, clients)},
		{"pmon_room_members", "Clients in the room under a name.",
		 EXPO_GAUGE, offsetof(struct chat_room_stats, in_room)},
		{"pmon_room_messages", "Messages said in the room since its server started.",
		 EXPO_COUNTER, offsetof(struct chat_room_stats, messages)},
		{"pmon_room_slow_readers_dropped",
		 "Clients cut off for not reading since the server started.",
		 EXPO_COUNTER, offsetof(struct chat_room_stats, dropped_slow)},
	};

	if (!o->room_path)
		return;
	up = chat_room_stats(o->room_path, o->room_timeout_s, &st, why) == 0;
	expo_family(e, "pmon_room_up", EXPO_GAUGE,
		    "1 when the room answered /stats within the timeout, else 0.");
	expo_sample(e, NULL, 0, up);
	if (!up)
		return;
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		expo_family(e, rows[i].name, rows[i].type, rows[i].help);
		expo_sample(e, NULL, 0,
			    (double)*(const unsigned long long *)((const char *)&st + rows[i].off));
	}
}

/* ---- the scrape -------------------------------------------------------- */

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned scrape_need(const struct metrics_opts *o)
{
	unsigned need = PI_STATE | PI_THREADS | PI_PPID;

	if (o->rules.n) {
		need |= PI_COMM;
		for (size_t f = 0; f < ARRAY_LEN(figures); f++)
			need |= field_find(figures[f].field)->need;
		if (group_rules_need_cmdline(&o->rules))
			need |= PI_CMDLINE;
	}
	return need;
}

void metrics_scrape(const struct metrics_opts *o, enum expo_format fmt,
		    struct buf *out)
{
	double t0 = mono_now(), c0 = cpu_now();
	struct snapshot_query q = {.need = scrape_need(o)};
	struct snapshot s;
	struct expo e;
	struct expo_label version = {"version", PMON_VERSION};
	bool read = snapshot_take(&s, &q) == 0;

	expo_init(&e, out, fmt);
	expo_family(&e, "pmon_build_info", EXPO_GAUGE, "pmon's version, as a label.");
	expo_sample(&e, &version, 1, 1);
	expo_family(&e, "pmon_proc_up", EXPO_GAUGE,
		    "1 when the process table could be read, else 0.");
	expo_sample(&e, NULL, 0, read);
	if (read) {
		write_states(&e, &s);
		write_zombie_parents(&e, o, &s);
		write_groups(&e, o, &s);
		snapshot_free(&s);
	}
	write_room(&e, o);
	expo_family(&e, "pmon_scrape_duration_seconds", EXPO_GAUGE,
		    "Wall time this scrape took, up to this line.");
	expo_sample(&e, NULL, 0, mono_now() - t0);
	expo_family(&e, "pmon_scrape_cpu_seconds", EXPO_GAUGE,
		    "CPU time (user + system) this scrape took, up to this line.");
	expo_sample(&e, NULL, 0, cpu_now() - c0);
	expo_end(&e);
}
