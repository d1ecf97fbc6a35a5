/*
 * test_tree.c - the process forest: shape, orphans, parent cycles,
 * filtering (ancestors, descendants, prune, reroot), the pre-order walk
 * and the line-drawing prefixes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "view/tree.h"

/* procs[] from "pid ppid" pairs, which must be in pid order. */
static struct proc *make_procs(const int (*pairs)[2], size_t n)
{
	struct proc *p = calloc(n, sizeof(*p));

	assert_non_null(p);
	for (size_t i = 0; i < n; i++) {
		p[i].pid = pairs[i][0];
		p[i].ppid = pairs[i][1];
	}
	return p;
}

static int32_t idx(const struct proc *p, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].pid == pid)
			return (int32_t)i;
	fail_msg("pid %d not in the test table", (int)pid);
	return -1;
}

/*
 * The walk as text, "pid@depth pid@depth ...", which makes the expected
 * shape readable in one line.
 */
static char *walk(const struct tree *t, const struct proc *p)
{
	int32_t *order = calloc(t->n + 1, sizeof(int32_t));
	int32_t *depth = calloc(t->n + 1, sizeof(int32_t));
	size_t n = tree_preorder(t, order, depth);
	char *s = calloc(t->n * 24 + 1, 1);
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(s + len, "%s%d@%d", i ? " " : "",
				       (int)p[order[i]].pid, (int)depth[i]);
	free(order);
	free(depth);
	return s;
}

/*
 *   1 ─┬─ 2 ─┬─ 4
 *      │     └─ 5 ── 7
 *      └─ 3 ── 6
 *   8 (ppid 0: a second root, like kthreadd)
 */
static const int forest[][2] = {
	{1, 0}, {2, 1}, {3, 1}, {4, 2}, {5, 2}, {6, 3}, {7, 5}, {8, 0},
};
enum { FOREST_N = 8 };
_Static_assert(ARRAY_LEN(forest) == FOREST_N, "FOREST_N");

static void test_shape(void **state)
{
	struct proc *p = make_procs(forest, FOREST_N);
	struct tree t;
	char *s;

	(void)state;
	tree_build(&t, p, FOREST_N);
	assert_int_equal(t.nroots, 2);
	assert_int_equal(p[t.roots[0]].pid, 1);
	assert_int_equal(p[t.roots[1]].pid, 8);
	assert_int_equal(t.cycles_broken, 0);
	assert_int_equal(t.parent[idx(p, FOREST_N, 7)], idx(p, FOREST_N, 5));
	assert_int_equal(t.parent[idx(p, FOREST_N, 1)], -1);
	/* Children are linked in pid order. */
	assert_int_equal(p[t.first_child[idx(p, FOREST_N, 1)]].pid, 2);
	assert_int_equal(p[t.next_sibling[idx(p, FOREST_N, 2)]].pid, 3);
	assert_int_equal(t.next_sibling[idx(p, FOREST_N, 3)], -1);
	assert_int_equal(t.first_child[idx(p, FOREST_N, 7)], -1);
	s = walk(&t, p);
	assert_string_equal(s, "1@0 2@1 4@2 5@2 7@3 3@1 6@2 8@0");
	free(s);
	tree_free(&t);
	free(p);
}

/* A process whose parent is not in the snapshot (it exited, or it is in
 * another pid namespace) is a root, in pid order with the others. */
static void test_orphan_is_root(void **state)
{
	static const int pairs[][2] = {{1, 0}, {5, 1}, {9, 77}, {10, 9}, {12, 1}};
	struct proc *p = make_procs(pairs, ARRAY_LEN(pairs));
	struct tree t;
	char *s;

	(void)state;
	tree_build(&t, p, ARRAY_LEN(pairs));
	assert_int_equal(t.nroots, 2);
	s = walk(&t, p);
	assert_string_equal(s, "1@0 5@1 12@1 9@0 10@1");
	free(s);
	tree_free(&t);
	free(p);
}

/* pid == ppid (never real, but a torn read could show it) is a root,
 * not a one-node cycle. */
static void test_self_parent_is_root(void **state)
{
	static const int pairs[][2] = {{3, 3}, {4, 3}};
	struct proc *p = make_procs(pairs, ARRAY_LEN(pairs));
	struct tree t;
	char *s;

	(void)state;
	tree_build(&t, p, ARRAY_LEN(pairs));
	s = walk(&t, p);
	assert_string_equal(s, "3@0 4@1");
	assert_int_equal(t.cycles_broken, 0);
	tree_free(&t);
	free(s);
	free(p);
}

/*
 * A ppid cycle (pids recycled during a scan): 20 -> 30 -> 40 -> 20, with
 * 50 hanging below 30 and 60 below 50.  No root reaches them; the build
 * must end, cut the cycle at its lowest pid and lose nobody.
 */
static void test_cycle_is_cut_and_kept(void **state)
{
	static const int pairs[][2] = {
		{1, 0}, {2, 1}, {20, 40}, {30, 20}, {40, 30}, {50, 30}, {60, 50},
	};
	struct proc *p = make_procs(pairs, ARRAY_LEN(pairs));
	struct tree t;
	char *s;

	(void)state;
	tree_build(&t, p, ARRAY_LEN(pairs));
	assert_int_equal(t.cycles_broken, 1);
	assert_int_equal(t.nroots, 2);
	assert_int_equal(p[t.roots[1]].pid, 20);
	assert_int_equal(t.parent[idx(p, ARRAY_LEN(pairs), 20)], -1);
	s = walk(&t, p);
	assert_string_equal(s, "1@0 2@1 20@0 30@1 40@2 50@2 60@3");
	free(s);
	tree_free(&t);
	free(p);
}

/* Two cycles, one of them a pair, and a chain that leads into a cycle
 * from below (the climb starts at a node that is not on the cycle). */
static void test_two_cycles(void **state)
{
	static const int pairs[][2] = {
		{5, 99}, {7, 8}, {8, 7}, {11, 13}, {12, 11}, {13, 12}, {14, 12},
	};
	struct proc *p = make_procs(pairs, ARRAY_LEN(pairs));
	struct tree t;
	char *s;

	(void)state;
	tree_build(&t, p, ARRAY_LEN(pairs));
	assert_int_equal(t.cycles_broken, 2);
	s = walk(&t, p);
	assert_string_equal(s, "5@0 7@0 8@1 11@0 12@1 13@2 14@2");
	free(s);
	tree_free(&t);
	free(p);
}

/* Everything on a cycle: every node must still be walked exactly once. */
static void test_all_one_cycle(void **state)
{
	enum { N = 1000 };
	int (*pairs)[2] = calloc(N, sizeof(*pairs));
	struct proc *p;
	struct tree t;
	int32_t order[N], depth[N];

	(void)state;
	for (int i = 0; i < N; i++) {
		pairs[i][0] = i + 100;
		pairs[i][1] = i == 0 ? 100 + N - 1 : i + 99;
	}
	p = make_procs((const int (*)[2])pairs, N);
	tree_build(&t, p, N);
	assert_int_equal(t.cycles_broken, 1);
	assert_int_equal(tree_preorder(&t, order, depth), N);
	for (int i = 0; i < N; i++) {
		assert_int_equal(p[order[i]].pid, i + 100);
		assert_int_equal(depth[i], i);
	}
	tree_free(&t);
	free(pairs);
	free(p);
}

/* A chain far deeper than any recursion could survive with a small stack:
 * build and walk are iterative. */
static void test_deep_chain(void **state)
{
	enum { N = 200000 };
	int (*pairs)[2] = calloc(N, sizeof(*pairs));
	int32_t *order = calloc(N, sizeof(int32_t));
	int32_t *depth = calloc(N, sizeof(int32_t));
	bool *match = calloc(N, sizeof(bool));
	struct proc *p;
	struct tree t;

	(void)state;
	for (int i = 0; i < N; i++) {
		pairs[i][0] = i + 1;
		pairs[i][1] = i;
	}
	p = make_procs((const int (*)[2])pairs, N);
	tree_build(&t, p, N);
	assert_int_equal(t.nroots, 1);
	assert_int_equal(tree_preorder(&t, order, depth), N);
	assert_int_equal(depth[N - 1], N - 1);
	match[N - 1] = true;
	tree_mark_ancestors(&t, match, match);
	for (int i = 0; i < N; i++)
		assert_true(match[i]);
	tree_free(&t);
	free(pairs);
	free(order);
	free(depth);
	free(match);
	free(p);
}

static void test_mark_ancestors(void **state)
{
	struct proc *p = make_procs(forest, FOREST_N);
	bool match[FOREST_N] = {0}, keep[FOREST_N];
	struct tree t;

	(void)state;
	tree_build(&t, p, FOREST_N);
	match[idx(p, FOREST_N, 7)] = true;
	memset(keep, 1, sizeof(keep)); /* must be cleared, not added to */
	tree_mark_ancestors(&t, match, keep);
	for (size_t i = 0; i < FOREST_N; i++) {
		pid_t pid = p[i].pid;

		assert_int_equal(keep[i], pid == 7 || pid == 5 || pid == 2 || pid == 1);
	}
	/* In place (keep aliasing match). */
	tree_mark_ancestors(&t, match, match);
	assert_memory_equal(match, keep, sizeof(keep));
	tree_free(&t);
	free(p);
}

static void test_mark_descendants(void **state)
{
	struct proc *p = make_procs(forest, FOREST_N);
	bool match[FOREST_N] = {0}, keep[FOREST_N] = {0};
	struct tree t;

	(void)state;
	tree_build(&t, p, FOREST_N);
	match[idx(p, FOREST_N, 2)] = true;
	match[idx(p, FOREST_N, 6)] = true;
	tree_mark_descendants(&t, match, keep);
	for (size_t i = 0; i < FOREST_N; i++) {
		pid_t pid = p[i].pid;

		assert_int_equal(keep[i], pid == 2 || pid == 4 || pid == 5 ||
						  pid == 7 || pid == 6);
	}
	tree_free(&t);
	free(p);
}

/* What `pmon tree -m` does: matches, their descendants, the ancestors
 * that connect them; then the pruned walk and its prefixes. */
static void test_prune(void **state)
{
	struct proc *p = make_procs(forest, FOREST_N);
	bool match[FOREST_N] = {0}, keep[FOREST_N] = {0};
	struct tree t;
	char *s;

	(void)state;
	tree_build(&t, p, FOREST_N);
	match[idx(p, FOREST_N, 5)] = true;
	tree_mark_descendants(&t, match, keep);
	tree_mark_ancestors(&t, keep, keep);
	tree_prune(&t, keep);
	assert_int_equal(t.nroots, 1);
	s = walk(&t, p);
	assert_string_equal(s, "1@0 2@1 5@2 7@3");
	free(s);
	/* 2 lost its sibling 3, 5 its sibling 4: no tee left on the path. */
	assert_int_equal(t.next_sibling[idx(p, FOREST_N, 2)], -1);
	assert_int_equal(p[t.first_child[idx(p, FOREST_N, 2)]].pid, 5);
	tree_free(&t);
	free(p);
}

/* Pruning the first child of a list, and a whole root. */
static void test_prune_first_child_and_root(void **state)
{
	struct proc *p = make_procs(forest, FOREST_N);
	bool keep[FOREST_N];
	struct tree t;
	char *s;

	(void)state;
	tree_build(&t, p, FOREST_N);
	for (size_t i = 0; i < FOREST_N; i++)
		keep[i] = p[i].pid != 2 && p[i].pid != 4 && p[i].pid != 5 &&
			  p[i].pid != 7 && p[i].pid != 8;
	tree_prune(&t, keep);
	s = walk(&t, p);
	assert_string_equal(s, "1@0 3@1 6@2");
	free(s);
	tree_free(&t);
	free(p);
}

static void test_reroot(void **state)
{
	struct proc *p = make_procs(forest, FOREST_N);
	struct tree t;
	char *s;

	(void)state;
	tree_build(&t, p, FOREST_N);
	tree_reroot(&t, idx(p, FOREST_N, 2));
	s = walk(&t, p);
	assert_string_equal(s, "2@0 4@1 5@1 7@2");
	free(s);
	tree_free(&t);
	free(p);
}

/* The prefixes of the whole forest, each line as pstree draws it. */
static void check_prefixes(const struct tree_glyphs *g, const char *const *want)
{
	struct proc *p = make_procs(forest, FOREST_N);
	int32_t order[FOREST_N], depth[FOREST_N], path[FOREST_N];
	char prefix[128];
	struct tree t;
	size_t n;

	tree_build(&t, p, FOREST_N);
	n = tree_preorder(&t, order, depth);
	assert_int_equal(n, FOREST_N);
	for (size_t i = 0; i < n; i++) {
		size_t len;

		path[depth[i]] = order[i];
		len = tree_prefix(&t, path, depth[i], g, prefix, sizeof(prefix));
		assert_int_equal(len, strlen(prefix));
		assert_string_equal(prefix, want[i]);
	}
	tree_free(&t);
	free(p);
}

static void test_prefix_utf8(void **state)
{
	/* Walk: 1 2 4 5 7 3 6 8 */
	static const char *const want[] = {
		"",
		"\u251c\u2500 ",                       /* ├─ 2 */
		"\u2502  \u251c\u2500 ",               /* │  ├─ 4 */
		"\u2502  \u2514\u2500 ",               /* │  └─ 5 */
		"\u2502     \u2514\u2500 ",            /* │     └─ 7 */
		"\u2514\u2500 ",                       /* └─ 3 */
		"   \u2514\u2500 ",                    /*    └─ 6 */
		"",
	};

	(void)state;
	check_prefixes(&tree_glyphs_utf8, want);
}

static void test_prefix_ascii(void **state)
{
	static const char *const want[] = {
		"", "|- ", "|  |- ", "|  `- ", "|     `- ", "`- ", "   `- ", "",
	};

	(void)state;
	check_prefixes(&tree_glyphs_ascii, want);
	/* ASCII means ASCII: no byte >= 0x80 in any glyph. */
	for (const char *const *s = &tree_glyphs_ascii.vert;
	     s <= &tree_glyphs_ascii.space; s++)
		for (const char *c = *s; *c; c++)
			assert_true((unsigned char)*c < 0x80);
}

/* A prefix that does not fit stops at a whole glyph, NUL-terminated. */
static void test_prefix_truncates(void **state)
{
	struct proc *p = make_procs(forest, FOREST_N);
	int32_t path[4];
	char prefix[8];
	struct tree t;
	size_t len;

	(void)state;
	tree_build(&t, p, FOREST_N);
	path[0] = idx(p, FOREST_N, 1);
	path[1] = idx(p, FOREST_N, 2);
	path[2] = idx(p, FOREST_N, 5);
	path[3] = idx(p, FOREST_N, 7);
	len = tree_prefix(&t, path, 3, &tree_glyphs_utf8, prefix, sizeof(prefix));
	assert_string_equal(prefix, "\u2502  "); /* 5 bytes; the next is 3 */
	assert_int_equal(len, 5);
	tree_free(&t);
	free(p);
}

static void test_empty(void **state)
{
	struct tree t;
	int32_t order[1], depth[1];

	(void)state;
	tree_build(&t, NULL, 0);
	assert_int_equal(t.nroots, 0);
	assert_int_equal(tree_preorder(&t, order, depth), 0);
	tree_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_orphan_is_root),
		cmocka_unit_test(test_self_parent_is_root),
		cmocka_unit_test(test_cycle_is_cut_and_kept),
		cmocka_unit_test(test_two_cycles),
		cmocka_unit_test(test_all_one_cycle),
		cmocka_unit_test(test_deep_chain),
		cmocka_unit_test(test_mark_ancestors),
		cmocka_unit_test(test_mark_descendants),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_prune_first_child_and_root),
		cmocka_unit_test(test_reroot),
		cmocka_unit_test(test_prefix_utf8),
		cmocka_unit_test(test_prefix_ascii),
		cmocka_unit_test(test_prefix_truncates),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
