/*
 * top.h — the top table: one row per function name with flat (self) and cum (total),
 * as `go tool pprof -top` computes them.  A function that recurses counts once per
 * sample in cum; functions reached only by zero-valued samples are left out.  Pure:
 * computed straight from the profile's samples (no call tree needed), for one type.
 *
 * Ownership: top_compute() fills a caller-owned struct top; top_release() frees rows.
 */
#ifndef SMOLDER_TOP_H
#define SMOLDER_TOP_H

#include "tree.h"

struct top_row {
	uint32_t name;  /* string id */
	int64_t flat, cum;
};

enum top_sort { TOP_SORT_FLAT, TOP_SORT_CUM, TOP_SORT_NAME };

struct top {
	struct top_row *rows;
	uint32_t n;
	int64_t total;  /* root total of the sample type */
};

int top_compute(const struct prof *p, uint32_t type, struct top *out);
/*
 * The same table for every sample type, out[0 .. ntypes), read off a call tree in one
 * sequential pass: flat sums self, cum sums total over nodes with no same-named
 * ancestor (tree.recursive).  What the explorer uses, as it has the tree anyway.
 */
int top_from_tree(const struct tree *t, struct top *out);
/* top_from_tree(), stopped by *cancel (NULL: never) as tree_build_cancellable() is: then
 * ERR_CANCELLED, and out[] holds no rows. */
int top_from_tree_cancellable(const struct tree *t, atomic_int *cancel, struct top *out);
/*
 * The total pprof's percentages are of (its computeTotal): the sum of the magnitudes of
 * the samples of type `type`, or, when samples carry the label pprof::base=true (a
 * -diff_base profile: the base's samples negated), of those samples only — the base's
 * total.  Not the root total: a diff's signed values nearly cancel.
 */
int64_t top_pprof_total(const struct prof *p, uint32_t type);
/* A copy of `in` (rows duplicated), for sorting and filtering a cached table. */
int top_copy(const struct top *in, struct top *out);
/* The node named `name` with the largest |total| (its widest occurrence), or 0. */
uint32_t top_widest(const struct tree *t, uint32_t type, uint32_t name);
/* pprof order for TOP_SORT_FLAT: |flat| desc, name asc, |cum| desc. */
void top_sort(struct top *top, const struct prof *p, enum top_sort by, bool invert);
void top_release(struct top *top);

#endif
