/*
 * flamebearer.h — Pyroscope's flame graph wire form ("flamebearer" levels), both ways,
 * as pure functions usable by the query server and the remote client alike.
 *
 * The form (spec §3.2; querier.v1 FlameGraph and FlameGraphDiff, and the legacy
 * /pyroscope/render JSON): levels[d] holds the nodes at depth d, in increasing x, each
 * a group of `width` int64:
 *   width 4  [x, total, self, name index]
 *   width 7  [x left, total left, self left, x right, total right, self right, name]
 * x is delta-encoded per level and side (the gap since the end of the previous node of
 * the level); a node's self comes first in its range, then its children in name (byte)
 * order.  Level 0 is the root, named "total".  names[] holds the names the emitted nodes
 * use, once each, numbered by first use in preorder: after truncation, the names of the
 * folded nodes are gone too (a diff's as well as a single graph's, as Pyroscope does).
 *
 * Truncation as Pyroscope does it (pkg/model NewFlameGraph, NewFlamegraphDiff): with
 * max_nodes > 0 and more nodes than that, minValue is the max_nodes-th largest node
 * total (a diff: of max(left, right)); a node's children below it — and children named
 * "other" — are folded into one child "other" whose self and total are their sum, placed
 * after the kept children.  So at most about max_nodes nodes remain and every total is
 * preserved.  Children with a zero total are left out.
 *
 * Building (server side): from a merged profile's call tree (tree.h: function names,
 * inlined frames expanded).  Names are made valid UTF-8 (invalid bytes become U+FFFD),
 * as protobuf strings must be.  Negative values are refused (ERR_UNSUPPORTED): a flame
 * graph cannot lay them out.
 *
 * Reading (client side): flamebearer_to_prof() turns levels back into a struct prof
 * whose call tree is the flame graph: one frame per name (a function with no file), one
 * sample per node with self > 0 whose stack is the node's path (a diff gives a
 * prof_pair() profile: the right (new) side's type first, then the left (base)).  The
 * levels are untrusted: counts, indices, negative or overflowing values, nodes outside
 * every parent and out-of-order levels are ERR_PARSE with the level and node.  What they
 * make is bounded by what was sent (ERR_TOOBIG): a node with self > 0 is a sample whose
 * stack is its depth, so a chain of D nodes would take D^2/2 stack entries; at most
 * FLAMEBEARER_ENTRIES_PER_NODE per node sent are made (FLAMEBEARER_MIN_STACK_ENTRIES
 * whatever the size, FLAMEBEARER_MAX_STACK_ENTRIES at most).  With info->max_nodes set,
 * levels not folded as asked (max_nodes or more nodes above the smallest total kept:
 * Pyroscope keeps every node at least the max_nodes-th largest, ties included) are
 * refused too.
 *
 * Ownership: flamebearer_build*() fill a caller's struct flamebearer that owns its
 * arrays (flamebearer_release()); its names may point into the profile, which must
 * outlive it.  For flamebearer_to_prof() the caller fills one with borrowed pointers
 * (and never releases it).  *out profiles belong to the caller.
 */
#ifndef SMOLDER_FLAMEBEARER_H
#define SMOLDER_FLAMEBEARER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "prof.h"
#include "tree.h"

#define FLAMEBEARER_OTHER "other"
#define FLAMEBEARER_MAX_STACK_ENTRIES ((size_t)1 << 26)
#define FLAMEBEARER_MIN_STACK_ENTRIES ((size_t)1 << 22)
#define FLAMEBEARER_ENTRIES_PER_NODE  256

struct fb_level {
	int64_t *v;
	size_t n;   /* values (a multiple of width) */
	size_t cap;
};

struct flamebearer {
	const char **names;
	uint32_t *name_lens;
	uint32_t nnames;
	struct fb_level *levels;
	uint32_t nlevels;
	unsigned width;        /* 4, or 7 for a diff */
	int64_t total;         /* the root's total (left + right for a diff) */
	int64_t max_self;
	int64_t left_ticks, right_ticks;  /* a diff's two totals */
	bool truncated;        /* some nodes were folded into "other" */
	void *priv;            /* what flamebearer_build*() allocated */
};

/* The flame graph of sample type `type` of a profile's call tree t. */
int flamebearer_build(const struct tree *t, uint32_t type, int64_t max_nodes,
		      struct flamebearer *out);
/* The diff flame graph of two profiles (their default sample types). */
int flamebearer_build_diff(const struct prof *left, const struct prof *right, int64_t max_nodes,
			   struct flamebearer *out);
void flamebearer_release(struct flamebearer *fb);

/*
 * Pyroscope's tree bytes (PROFILE_FORMAT_TREE) of sample type `type`: pre-order nodes
 * `uvarint(len) name uvarint(self) uvarint(children)`, a virtual root with an empty name
 * first; truncated as above.  Appended to out.
 */
int flamebearer_tree_bytes(const struct tree *t, uint32_t type, int64_t max_nodes,
			   struct buf *out);

/* The sample type and period a profile made from a flame graph gets. */
struct fb_prof_info {
	const char *sample_type, *sample_unit, *period_type, *period_unit;
	int64_t time_ns, duration_ns;
	uint32_t max_nodes;  /* the max_nodes asked for (0: none): levels must be folded so */
};

/* fb[0..n) (all of one width) added up into one profile. */
int flamebearer_to_prof(const struct flamebearer *fb, size_t n, const struct fb_prof_info *info,
			struct prof **out);
/* Whether any node of fb is an "other" node (truncation happened). */
bool flamebearer_has_other(const struct flamebearer *fb);

/*
 * Pyroscope's stack_trace_selector: the samples of p whose stacks start, root first,
 * with the frames names[0..n) (function names; inlined frames count), everything else
 * of p kept.  n == 0 copies p.
 */
int flamebearer_call_site(const struct prof *p, const char *const *names, size_t n,
			  struct prof **out);

#endif
