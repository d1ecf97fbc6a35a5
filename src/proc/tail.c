/*
 * tail.c - the long tail of per-process items, from procps-ng's libproc2:
 * wchan, OOM score, cgroup, namespaces and supplementary groups; and the
 * environment, which pmon reads itself (read_environ says why).  pmon
 * parses its hot-path files itself (reader.c); these are read only for
 * the processes a view shows, where libproc2's cost per process does not
 * matter and its parsing of the odd files is the one procps's own tools
 * trust.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "proc/proc.h"
#include "proc/procps.h"
#include "proc/reader.h"
#include "util/strpool.h"

const char *const proc_ns_names[NS_KINDS] = {
	"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts",
};

/* The items asked of libproc2; the order is the index PIDS_VAL takes. */
static enum pids_item tail_items[] = {
	PIDS_ID_PID, PIDS_TICS_BEGAN, PIDS_WCHAN_NAME, PIDS_OOM_SCORE,
	PIDS_OOM_ADJ, PIDS_CGROUP, PIDS_SUPGIDS,
	PIDS_NS_CGROUP, PIDS_NS_IPC, PIDS_NS_MNT, PIDS_NS_NET, PIDS_NS_PID,
	PIDS_NS_TIME, PIDS_NS_USER, PIDS_NS_UTS,
};
enum { T_PID, T_BEGAN, T_WCHAN, T_OOM, T_OOM_ADJ, T_CGROUP, T_GROUPS,
       T_NS0 };

static int by_pid(const void *a, const void *b)
{
	const struct proc *x = *(struct proc *const *)a, *y = *(struct proc *const *)b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* libproc2 shows a string it could not read (or an empty one) as "-":
 * kept as text, or (dash_is_empty) made "" where the file is always
 * there and "-" can only mean empty. */
static const char *tail_str(struct strpool *pool, const char *s, bool dash_is_empty)
{
	if (s && dash_is_empty && strcmp(s, "-") == 0)
		s = "";
	return s ? strpool_strdup(pool, s) : NULL;
}

/*
 * The environment, read here and not from libproc2: both its forms split
 * at newlines as well as NULs (its PIDS_ENVIRON_V made "A=1\nLD_PRELOAD=x"
 * two entries, a variable that is not set) and PIDS_ENVIRON turns control
 * bytes into '?'.  Entries whole, split at NULs only; pmon's escaper
 * shows what they hold.  {NULL} when empty; NULL when it cannot be read,
 * and for a zombie or a kernel thread, whose file reads empty too.
 */
static const char *const *read_environ(struct strpool *pool, const struct proc *p)
{
	struct buf b = {0};
	const char **v = NULL;
	size_t n = 0, at = 0;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)p->pid);
	if (p->state == 'Z' || p->kernel_thread ||
	    procfs_read(AT_FDCWD, path, &b, 0, true) < 0)
		goto out;
	for (size_t i = 0; i < b.len; i++)
		n += b.data[i] == '\0';
	n += b.len && b.data[b.len - 1] != '\0'; /* an unended last one */
	v = strpool_zalloc(pool, (n + 1) * sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		size_t len = strnlen(b.data + at, b.len - at);
		char *e = strpool_alloc(pool, len + 1);

		memcpy(e, b.data + at, len);
		e[len] = '\0';
		v[i] = e;
		at += len + 1;
	}
out:
	buf_free(&b);
	return v;
}

static void fill_tail(struct proc *p, struct pids_stack *st,
		      struct pids_info *info, unsigned need, struct strpool *pool)
{
	(void)info; /* PIDS_VAL's argument, unused by libproc2 4.0.2's macro */
	struct proc_tail *t = strpool_zalloc(pool, sizeof(*t));

	t->wchan = tail_str(pool, PIDS_VAL(T_WCHAN, str, st, info), false);
	t->oom_score = PIDS_VAL(T_OOM, s_int, st, info);
	t->oom_adj = PIDS_VAL(T_OOM_ADJ, s_int, st, info);
	t->cgroup = tail_str(pool, PIDS_VAL(T_CGROUP, str, st, info), false);
	/* Status's Groups: line is always there; "-" is an empty one. */
	t->groups = tail_str(pool, PIDS_VAL(T_GROUPS, str, st, info), true);
	if (need & PI_ENVIRON)
		t->environ = read_environ(pool, p);
	for (int i = 0; i < NS_KINDS; i++)
		t->ns[i] = PIDS_VAL(T_NS0 + i, ul_int, st, info);
	p->tail = t;
	p->have |= need & PI_TAIL;
	/* What libproc2 could not read is not there: 0 and "-" are also
	 * what it gives for an unreadable file. */
	if (!t->ns[NS_PID])
		p->have &= ~(unsigned)PI_NS;
	if (!t->environ)
		p->have &= ~(unsigned)PI_ENVIRON;
}

/* libproc2 selects at most this many pids at once (and drops the rest
 * without a word). */
#define SELECT_MAX 255

/* procs sorted[0..n) by pid; fetch the ones in [from, to). */
static int fetch_some(const struct procps_api *lib, struct pids_info *info,
		      struct proc **sorted, size_t n,
		      size_t from, size_t to, unsigned need, struct strpool *pool)
{
	unsigned pids[SELECT_MAX];
	struct pids_fetch *f;

	for (size_t i = from; i < to; i++)
		pids[i - from] = (unsigned)sorted[i]->pid;
	f = lib->pids_select(info, pids, (int)(to - from), PIDS_SELECT_PID);
	for (int i = 0; f && i < f->counts->total; i++) {
		struct pids_stack *st = f->stacks[i];
		struct proc key = {.pid = PIDS_VAL(T_PID, s_int, st, info)};
		struct proc *kp = &key, **hit;

		hit = bsearch(&kp, sorted, n, sizeof(*sorted), by_pid);
		/* The very process the reader saw, not a newcomer on its pid. */
		if (hit && PIDS_VAL(T_BEGAN, ull_int, st, info) == (*hit)->start_ticks)
			fill_tail(*hit, st, info, need, pool);
	}
	return f ? 0 : -1;
}

int proc_fetch_tail(struct proc *const *procs, size_t n, unsigned need,
		    struct strpool *pool)
{
	const struct procps_api *lib;
	struct pids_info *info = NULL;
	struct proc **sorted;
	int rc = 0;

	if (!n || !(need & PI_TAIL))
		return 0;
	lib = procps_lib();
	if (!lib || lib->pids_new(&info, tail_items, ARRAY_LEN(tail_items)) < 0)
		return -1;
	sorted = xcalloc(n, sizeof(*sorted));
	memcpy(sorted, procs, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), by_pid);
	for (size_t i = 0; i < n; i++) {
		sorted[i]->have &= ~(unsigned)PI_TAIL;
		sorted[i]->tail = NULL;
	}
	for (size_t i = 0; i < n && rc == 0; i += SELECT_MAX)
		rc = fetch_some(lib, info, sorted, n, i,
				i + SELECT_MAX < n ? i + SELECT_MAX : n, need, pool);
	free(sorted);
	lib->pids_unref(&info);
	return rc;
}
