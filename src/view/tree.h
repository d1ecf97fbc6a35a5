/*
 * tree.h - the parent/child forest of a snapshot.  Pure logic over the
 * pid/ppid pairs: no I/O, no recursion (a chain of 30,000 processes must
 * not overflow the stack), and parent links that form a cycle (pids
 * recycled during a scan) are broken at one member, which becomes a root,
 * so that nothing hangs and nobody on the cycle is lost.
 */
#ifndef PMON_TREE_H
#define PMON_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proc/proc.h"

struct tree {
	size_t n;              /* one node per process, same index */
	int32_t *parent;       /* -1 for a root */
	int32_t *first_child;  /* -1 for a leaf; children in pid order */
	int32_t *next_sibling; /* -1 for the last child */
	int32_t *roots;        /* in pid order */
	size_t nroots;
	size_t cycles_broken;  /* how many cycles had to be cut */
};

/* procs must be sorted by pid (as a snapshot is). */
void tree_build(struct tree *t, const struct proc *procs, size_t n);
void tree_free(struct tree *t);

/* Mark in keep[] every node marked in match[] and all of its ancestors
 * (the processes that connect it to a root).  keep may alias match. */
void tree_mark_ancestors(const struct tree *t, const bool *match, bool *keep);
/* Mark in keep[] every node of every subtree whose root is in match[]. */
void tree_mark_descendants(const struct tree *t, const bool *match, bool *keep);
/* Drop every node not in keep[] from the child lists and the roots.
 * keep must be closed under "parent of" (as tree_mark_ancestors makes it). */
void tree_prune(struct tree *t, const bool *keep);
/* Make node the only root: the tree becomes its subtree. */
void tree_reroot(struct tree *t, int32_t node);

/* Order every node's children, and the roots, by cmp (ties as they
 * were: pid order), e.g. top's sort column within the tree. */
void tree_sort_children(struct tree *t,
			int (*cmp)(int32_t a, int32_t b, void *ctx), void *ctx);

/*
 * Pre-order walk: fills order[] with the nodes from the roots down and
 * depth[] with their depths; both need room for t->n entries.  Returns the
 * number of nodes written.
 */
size_t tree_preorder(const struct tree *t, int32_t *order, int32_t *depth);

/* The line-drawing prefix of a node in a pre-order walk: path[d] is its
 * ancestor at depth d (path[depth] is the node itself). */
struct tree_glyphs {
	const char *vert, *tee, *corner, *space; /* "│  " "├─ " "└─ " "   " */
	unsigned char vert_len, tee_len, corner_len, space_len; /* strlen()s:
		   a strlen per level of every row was a twentieth of pmon tree's
		   instructions (1.4M at 10,000 processes) */
};
extern const struct tree_glyphs tree_glyphs_utf8, tree_glyphs_ascii;
size_t tree_prefix(const struct tree *t, const int32_t *path, int32_t depth,
		   const struct tree_glyphs *g, char *out, size_t size);

#endif
