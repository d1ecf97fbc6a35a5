/*
 * tree.c - building, filtering and walking the process forest.
 */
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "view/tree.h"

#define GLYPHS(vert, tee, corner, space) { \
	vert, tee, corner, space, \
	sizeof(vert) - 1, sizeof(tee) - 1, sizeof(corner) - 1, sizeof(space) - 1, \
}
const struct tree_glyphs tree_glyphs_utf8 =
	GLYPHS("\u2502  ", "\u251c\u2500 ", "\u2514\u2500 ", "   ");
const struct tree_glyphs tree_glyphs_ascii = GLYPHS("|  ", "|- ", "`- ", "   ");

static int32_t index_of(const struct proc *procs, size_t n, pid_t pid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (procs[mid].pid == pid)
			return (int32_t)mid;
		if (procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void link_children(struct tree *t)
{
	for (size_t i = 0; i < t->n; i++)
		t->first_child[i] = t->next_sibling[i] = -1;
	/* Backwards, so that prepending leaves each list in pid order. */
	for (size_t i = t->n; i-- > 0;) {
		int32_t p = t->parent[i];

		if (p >= 0) {
			t->next_sibling[i] = t->first_child[p];
			t->first_child[p] = (int32_t)i;
		}
	}
}

/* Mark everything reachable from node; stack has room for t->n nodes. */
static void mark_subtree(const struct tree *t, int32_t node, bool *mark,
			 int32_t *stack)
{
	size_t top = 0;

	stack[top++] = node;
	while (top) {
		int32_t v = stack[--top];

		if (mark[v])
			continue;
		mark[v] = true;
		for (int32_t c = t->first_child[v]; c >= 0; c = t->next_sibling[c])
			if (!mark[c])
				stack[top++] = c;
	}
}

static void unlink_child(struct tree *t, int32_t node)
{
	int32_t p = t->parent[node];
	int32_t *link = &t->first_child[p];

	while (*link != node)
		link = &t->next_sibling[*link];
	*link = t->next_sibling[node];
	t->next_sibling[node] = -1;
	t->parent[node] = -1;
}

/*
 * A node no root reaches lies on a parent cycle or below one.  Climb from
 * it until a node repeats (that one is on the cycle), then cut the cycle
 * at its lowest pid, which makes the cut deterministic.
 */
static int32_t cut_cycle_above(struct tree *t, int32_t node, int32_t *seen_at,
			       int32_t stamp)
{
	int32_t v = node, low;

	while (seen_at[v] != stamp) {
		seen_at[v] = stamp;
		v = t->parent[v];
	}
	low = v;
	for (int32_t u = t->parent[v]; u != v; u = t->parent[u])
		if (u < low)
			low = u; /* indexes are in pid order */
	unlink_child(t, low);
	return low;
}

static int by_index(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

void tree_build(struct tree *t, const struct proc *procs, size_t n)
{
	bool *reached;
	int32_t *stack, *seen_at;

	memset(t, 0, sizeof(*t));
	t->n = n;
	t->parent = xcalloc(n, sizeof(int32_t));
	t->first_child = xcalloc(n, sizeof(int32_t));
	t->next_sibling = xcalloc(n, sizeof(int32_t));
	t->roots = xcalloc(n, sizeof(int32_t));
	for (size_t i = 0; i < n; i++) {
		int32_t p = procs[i].pid == procs[i].ppid ? -1 :
			    index_of(procs, n, procs[i].ppid);

		t->parent[i] = p;
		if (p < 0)
			t->roots[t->nroots++] = (int32_t)i;
	}
	link_children(t);

	reached = xcalloc(n, sizeof(bool));
	stack = xcalloc(n, sizeof(int32_t));
	seen_at = xcalloc(n, sizeof(int32_t));
	for (size_t r = 0; r < t->nroots; r++)
		mark_subtree(t, t->roots[r], reached, stack);
	for (size_t i = 0; i < n; i++) {
		int32_t cut;

		if (reached[i])
			continue;
		cut = cut_cycle_above(t, (int32_t)i, seen_at, (int32_t)i + 1);
		t->roots[t->nroots++] = cut;
		t->cycles_broken++;
		mark_subtree(t, cut, reached, stack);
	}
	if (t->cycles_broken)
		qsort(t->roots, t->nroots, sizeof(int32_t), by_index);
	free(reached);
	free(stack);
	free(seen_at);
}

void tree_free(struct tree *t)
{
	free(t->parent);
	free(t->first_child);
	free(t->next_sibling);
	free(t->roots);
	memset(t, 0, sizeof(*t));
}

void tree_mark_ancestors(const struct tree *t, const bool *match, bool *keep)
{
	bool *matched = xcalloc(t->n, sizeof(bool));

	memcpy(matched, match, t->n * sizeof(bool)); /* keep may alias */
	memset(keep, 0, t->n * sizeof(bool));
	for (size_t i = 0; i < t->n; i++) {
		if (!matched[i])
			continue;
		for (int32_t v = (int32_t)i; v >= 0 && !keep[v]; v = t->parent[v])
			keep[v] = true;
	}
	free(matched);
}

void tree_mark_descendants(const struct tree *t, const bool *match, bool *keep)
{
	int32_t *stack = xcalloc(t->n, sizeof(int32_t));

	for (size_t i = 0; i < t->n; i++)
		if (match[i] && !keep[i])
			mark_subtree(t, (int32_t)i, keep, stack);
	free(stack);
}

void tree_prune(struct tree *t, const bool *keep)
{
	size_t r = 0;

	for (size_t i = 0; i < t->n; i++) {
		int32_t *link;

		if (!keep[i])
			continue;
		link = &t->first_child[i];
		while (*link >= 0) {
			if (keep[*link])
				link = &t->next_sibling[*link];
			else
				*link = t->next_sibling[*link];
		}
	}
	for (size_t i = 0; i < t->nroots; i++)
		if (keep[t->roots[i]])
			t->roots[r++] = t->roots[i];
	t->nroots = r;
}

void tree_reroot(struct tree *t, int32_t node)
{
	t->roots[0] = node;
	t->nroots = 1;
}

size_t tree_preorder(const struct tree *t, int32_t *order, int32_t *depth)
{
	int32_t *stack = xcalloc(t->n + 1, sizeof(int32_t));
	int32_t *stack_depth = xcalloc(t->n + 1, sizeof(int32_t));
	size_t out = 0;

	for (size_t r = 0; r < t->nroots; r++) {
		size_t top = 0;

		stack[top] = t->roots[r];
		stack_depth[top++] = 0;
		while (top) {
			int32_t v = stack[--top], d = stack_depth[top];
			size_t first = top;

			order[out] = v;
			depth[out++] = d;
			/* Push children, then reverse them so the lowest pid
			 * is popped first. */
			for (int32_t c = t->first_child[v]; c >= 0;
			     c = t->next_sibling[c]) {
				stack[top] = c;
				stack_depth[top++] = d + 1;
			}
			for (size_t a = first, b = top; a + 1 < b; a++, b--) {
				int32_t tmp = stack[a];

				stack[a] = stack[b - 1];
				stack[b - 1] = tmp;
			}
		}
	}
	free(stack);
	free(stack_depth);
	return out;
}

size_t tree_prefix(const struct tree *t, const int32_t *path, int32_t depth,
		   const struct tree_glyphs *g, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (int32_t d = 1; d <= depth; d++) {
		int32_t v = path[d];
		bool more = t->next_sibling[v] >= 0;
		const char *piece = d < depth ? (more ? g->vert : g->space) :
						(more ? g->tee : g->corner);
		size_t n = d < depth ? (more ? g->vert_len : g->space_len) :
				       (more ? g->tee_len : g->corner_len);

		if (len + n + 1 > size)
			break;
		memcpy(out + len, piece, n + 1);
		len += n;
	}
	return len;
}

/* ---- ordering siblings ----------------------------------------------------- */

struct sort_ctx {
	int (*cmp)(int32_t a, int32_t b, void *ctx);
	void *ctx;
};

static int node_cmp(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *s = arg;
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	int r = s->cmp(x, y, s->ctx);

	return r ? r : (x > y) - (x < y); /* node order is pid order */
}

void tree_sort_children(struct tree *t,
			int (*cmp)(int32_t a, int32_t b, void *ctx), void *ctx)
{
	struct sort_ctx s = {cmp, ctx};
	int32_t *kids = xcalloc(t->n ? t->n : 1, sizeof(*kids));

	for (size_t v = 0; v < t->n; v++) {
		size_t m = 0;

		for (int32_t c = t->first_child[v]; c >= 0; c = t->next_sibling[c])
			kids[m++] = c;
		if (m < 2)
			continue;
		qsort_r(kids, m, sizeof(*kids), node_cmp, &s);
		t->first_child[v] = kids[0];
		for (size_t i = 0; i < m; i++)
			t->next_sibling[kids[i]] = i + 1 < m ? kids[i + 1] : -1;
	}
	qsort_r(t->roots, t->nroots, sizeof(*t->roots), node_cmp, &s);
	free(kids);
}
