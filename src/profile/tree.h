/*
 * tree.h — the call tree of a profile, in flat arrays.
 *
 * Node 0 is the root ("all"); every other node is a frame (a function name at function
 * granularity) reached by one call path.  Inlined frames are expanded from a location's
 * lines, outermost first.  For each node: parent, frame name (a string id of the
 * profile), depth, subtree size, and self / total for every sample type.
 *
 * Node ids are assigned in depth-first preorder with children in name order (stable
 * between refreshes and between profiles), so a subtree is the id range
 * [n, n + size[n]) and the children of n are n + 1, then each next one right after the
 * previous one's subtree — tree_first_kid() / tree_next_kid() walk them.
 *
 * Immutable once built.  Ownership: tree_build() allocates, tree_free() releases; the
 * tree borrows the profile (strings), which must outlive it.
 */
#ifndef SMOLDER_TREE_H
#define SMOLDER_TREE_H

#include "prof.h"

struct tree {
	const struct prof *prof;  /* borrowed */
	uint32_t n;
	uint32_t ntypes;
	uint32_t *parent;   /* parent[0] == 0 */
	uint32_t *name;     /* string id; 0 for the root */
	uint32_t *depth;
	uint32_t *size;     /* nodes in the subtree, itself included */
	uint8_t *recursive; /* 1 when an ancestor has the same name (recursion) */
	int64_t *self;      /* n * ntypes */
	int64_t *total;     /* n * ntypes */
	void *block;        /* owns every array above */
	int64_t *mag;       /* n * ntypes, only when a self is negative: tree_magnitude() */
	uint32_t max_depth;
};

int tree_build(const struct prof *p, struct tree **out);
/*
 * tree_build(), which another thread may stop by setting *cancel (NULL: never): it then
 * fails with ERR_CANCELLED within a few thousand samples or stacks, having freed all it
 * made.  Never set, the tree is tree_build()'s.
 */
int tree_build_cancellable(const struct prof *p, atomic_int *cancel, struct tree **out);
void tree_free(struct tree *t);

static inline int64_t tree_self(const struct tree *t, uint32_t node, uint32_t type)
{
	return t->self[(size_t)node * t->ntypes + type];
}

static inline int64_t tree_total(const struct tree *t, uint32_t node, uint32_t type)
{
	return t->total[(size_t)node * t->ntypes + type];
}

/*
 * How much a node weighs in a layout: |total|, or in a signed profile (a diff in pprof's
 * -diff_base form) |self| plus its children's magnitudes, so gains and losses under a
 * node never cancel to nothing.
 */
static inline int64_t tree_magnitude(const struct tree *t, uint32_t node, uint32_t type)
{
	int64_t v;

	if (t->mag)
		return t->mag[(size_t)node * t->ntypes + type];
	v = tree_total(t, node, type);
	return v >= 0 ? v : v == INT64_MIN ? INT64_MAX : -v;
}

static inline const char *tree_name(const struct tree *t, uint32_t node)
{
	return node == 0 ? "all" : prof_str(t->prof, t->name[node]);
}

/* The first child of n (in name order), or PROF_NONE for a leaf. */
static inline uint32_t tree_first_kid(const struct tree *t, uint32_t n)
{
	return t->size[n] > 1 ? n + 1 : PROF_NONE;
}

/* The child of n that follows child k, or PROF_NONE after the last one. */
static inline uint32_t tree_next_kid(const struct tree *t, uint32_t n, uint32_t k)
{
	uint32_t next = k + t->size[k];

	return next < n + t->size[n] ? next : PROF_NONE;
}

/* Counts the children of n (walks them). */
uint32_t tree_nkids(const struct tree *t, uint32_t n);

/* True when a is b or an ancestor of b. */
static inline bool tree_is_ancestor(const struct tree *t, uint32_t a, uint32_t b)
{
	return b >= a && b < a + t->size[a];
}

#endif
