/*
 * views.c - the shared views (views.h).  Only items of stat and status
 * are read (PI_VIEW_NEED): what any account may read of any process.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "act/zombie.h"
#include "chat/proto.h"
#include "chat/sock.h"
#include "chat/views.h"
#include "proc/proc.h"
#include "view/field.h"
#include "view/tree.h"

/* A scan of the whole table reads what a row shows (stat, and the owner
 * of each /proc/PID); one process (/inspect) is read with its status
 * lines too. */
#define VIEW_SCAN_NEED (PI_PPID | PI_STATE | PI_COMM | PI_UID | PI_START)
#define VIEW_ONE_NEED (VIEW_SCAN_NEED | PI_THREADS | PI_NICE | PI_RSS | \
		       PI_CPU | PI_TTY)

static void view_init(struct shared_view *v)
{
	*v = (struct shared_view){0};
}

void view_free(struct shared_view *v)
{
	buf_free(&v->head);
	for (size_t i = 0; i < CHAT_VIEW_ROWS; i++)
		buf_free(&v->rows[i]);
}

/* The next row to fill, or NULL once CHAT_VIEW_ROWS are kept (the row is
 * counted either way). */
static struct buf *next_row(struct shared_view *v)
{
	v->total++;
	if (v->n == CHAT_VIEW_ROWS)
		return NULL;
	buf_reset(&v->rows[v->n]);
	return &v->rows[v->n++];
}

/* A process's name, safe on any terminal. */
static void put_comm(struct buf *b, const struct proc *p)
{
	chat_sanitize(b, p->comm ? p->comm : "?", p->comm ? strlen(p->comm) : 1);
}

struct view_asker view_asker(uid_t uid, gid_t gid, int peer_fd)
{
	struct proc_hidepid h;
	struct view_asker a = {.uid = uid, .gid = gid, .sees_all = true};

	if (uid == 0)
		return a;
	if (proc_hidepid(&h) < 0)
		h = (struct proc_hidepid){.mode = 2}; /* cannot tell: hide */
	/* the kernel's has_pid_permissions: gid= does not open ptraceable */
	a.sees_all = h.mode == 0 ||
		     (h.mode != 4 && (gid == h.gid || chat_peer_in_group(peer_fd, h.gid)));
	return a;
}

bool view_asker_sees(const struct view_asker *a, const struct proc *p)
{
	return a->sees_all ||
	       (p->uid == a->uid && proc_readable_as(p->pid, a->uid, a->gid));
}

/* Keep of s what a may see (its effective uid already filtered). */
static void narrow(struct snapshot *s, const struct view_asker *a)
{
	size_t kept = 0;

	for (size_t i = 0; i < s->n; i++)
		if (view_asker_sees(a, &s->procs[i]))
			s->procs[kept++] = s->procs[i];
	s->n = kept; /* still in pid order */
}

static int take(struct snapshot *s, const struct view_asker *a,
		const pid_t *pids, size_t npids, struct shared_view *v)
{
	struct snapshot_query q = {.need = npids ? VIEW_ONE_NEED :
					   VIEW_SCAN_NEED,
				   .pids = pids, .npids = npids};

	if (!a->sees_all)
		q.uids = &a->uid, q.nuids = 1;
	if (snapshot_take(s, &q) == 0) {
		if (!a->sees_all)
			narrow(s, a);
		return 0;
	}
	buf_puts(&v->head, "cannot read the process table");
	return -1;
}

/* Said at the end of a head whose view hidepid narrowed. */
static void say_narrowed(struct shared_view *v, const struct view_asker *a)
{
	if (!a->sees_all)
		buf_printf(&v->head, " (hidepid: uid %u's processes only)",
			   (unsigned)a->uid);
}

/* "PID STATE uid UID COMM" */
static void proc_row(struct buf *b, const struct proc *p)
{
	buf_printf(b, "%d %c uid %u ", (int)p->pid, p->state,
		   (unsigned)p->uid);
	put_comm(b, p);
}

int view_zombies(struct shared_view *v, const struct view_asker *a)
{
	struct snapshot s;
	struct zombie_group *g;
	size_t ng, nz = 0;

	view_init(v);
	if (take(&s, a, NULL, 0, v) < 0)
		return -1;
	ng = zombie_groups(s.procs, s.n, &g);
	for (size_t i = 0; i < ng; i++) {
		struct buf *b = next_row(v);

		nz += g[i].n;
		if (!b)
			continue;
		buf_printf(b, "%zu zombie%s held by %d ", g[i].n,
			   g[i].n == 1 ? "" : "s", (int)g[i].ppid);
		if (g[i].parent)
			put_comm(b, g[i].parent);
		buf_puts(b, ":");
		for (size_t j = 0; j < g[i].n && j < 8; j++)
			buf_printf(b, " %d", (int)g[i].zombies[j]->pid);
		if (g[i].n > 8)
			buf_puts(b, " ...");
	}
	buf_printf(&v->head, "/zombies: %zu zombie%s under %zu parent%s", nz,
		   nz == 1 ? "" : "s", ng, ng == 1 ? "" : "s");
	say_narrowed(v, a);
	zombie_groups_free(g, ng);
	snapshot_free(&s);
	return 0;
}

int view_tree(struct shared_view *v, const struct view_asker *a, pid_t pid)
{
	struct snapshot s;
	struct tree t;
	const struct proc *root;
	int32_t *order, *depth, path[64];
	size_t n;

	view_init(v);
	if (take(&s, a, NULL, 0, v) < 0)
		return -1;
	root = snapshot_find(&s, pid);
	if (!root) {
		buf_printf(&v->head, "/tree %d: no such process", (int)pid);
		say_narrowed(v, a);
		snapshot_free(&s);
		return -1;
	}
	tree_build(&t, s.procs, s.n);
	tree_reroot(&t, (int32_t)(root - s.procs));
	order = xcalloc(t.n ? t.n : 1, sizeof(*order));
	depth = xcalloc(t.n ? t.n : 1, sizeof(*depth));
	n = tree_preorder(&t, order, depth);
	for (size_t i = 0; i < n; i++) {
		struct buf *b;
		char prefix[3 * 64 * 4];
		int32_t d = depth[i];

		if (d < 64)
			path[d] = order[i];
		b = next_row(v);
		if (!b)
			continue;
		if (d < 64) {
			tree_prefix(&t, path, d, &tree_glyphs_ascii, prefix,
				    sizeof(prefix));
			buf_puts(b, prefix);
		}
		proc_row(b, &s.procs[order[i]]);
	}
	buf_printf(&v->head, "/tree %d: %zu process%s", (int)pid, n,
		   n == 1 ? "" : "es");
	say_narrowed(v, a);
	free(order);
	free(depth);
	tree_free(&t);
	snapshot_free(&s);
	return 0;
}

int view_ps(struct shared_view *v, const struct view_asker *a,
	    const char *pattern, size_t n)
{
	struct snapshot s;
	struct buf pat = {0};

	view_init(v);
	if (take(&s, a, NULL, 0, v) < 0)
		return -1;
	buf_append(&pat, pattern, n);
	buf_putc(&pat, '\0');
	for (size_t i = 0; i < s.n; i++) {
		const struct proc *p = &s.procs[i];
		struct buf *b;

		if (!p->comm || !strstr(p->comm, pat.data))
			continue;
		b = next_row(v);
		if (b)
			proc_row(b, p);
	}
	buf_puts(&v->head, "/ps ");
	chat_sanitize(&v->head, pattern, n);
	buf_printf(&v->head, ": %zu process%s", v->total,
		   v->total == 1 ? "" : "es");
	say_narrowed(v, a);
	buf_free(&pat);
	snapshot_free(&s);
	return 0;
}

int view_inspect(struct shared_view *v, const struct view_asker *a,
		 pid_t pid)
{
	struct snapshot s;
	const struct proc *p;
	struct buf *b;
	char when[32] = "?";
	struct tm tm;

	view_init(v);
	if (take(&s, a, &pid, 1, v) < 0)
		return -1;
	p = snapshot_find(&s, pid);
	if (!p) {
		buf_printf(&v->head, "/inspect %d: no such process", (int)pid);
		say_narrowed(v, a);
		snapshot_free(&s);
		return -1;
	}
	buf_printf(&v->head, "/inspect %d ", (int)pid);
	put_comm(&v->head, p);
	say_narrowed(v, a);
	b = next_row(v);
	buf_printf(b, "state %c, uid %u, parent %d, %d thread%s, nice %d",
		   p->state, (unsigned)p->uid, (int)p->ppid, p->threads,
		   p->threads == 1 ? "" : "s", p->nice);
	b = next_row(v);
	if (localtime_r(&p->start_time, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	buf_printf(b, "started %s (", when);
	chat_format_duration(b, p->elapsed_s);
	buf_printf(b, " ago), cpu time %llu s, rss %lu KiB, terminal ",
		   p->cpu_ticks / (unsigned long long)(s.clock.hz > 0 ?
						       s.clock.hz : 100),
		   p->rss_kb);
	tty_name(p->tty_nr, b);
	snapshot_free(&s);
	return 0;
}
