/*
 * flame.h — flame graph layout: which frames are visible where, in whole cells.
 *
 * A pure function of (tree, zoom node, sample type, width, depth, child order).  A diff
 * lays out base + new: widths are then the sum of two sample types (type2).  Widths are
 * of magnitudes (flame_magnitude), so a signed profile (pprof's -diff_base form, whose
 * totals may be negative) is laid out by how much changed: a node is as wide as its own
 * change plus its children's (tree_magnitude), so gains and losses that cancel in a
 * node's total still show, side by side, under it.  Row 0
 * is the zoom root spanning the full width; each row below splits every visible cell
 * among its children with the largest-remainder method, so children exactly fill their
 * share of the parent and nothing drifts at the right edge.  Children narrower than one
 * cell are not dropped: together they become one "+N" cell (when it can get a cell),
 * which says how many frames it holds and their total.  Only visible cells are visited.
 *
 * Ownership: flame_layout() fills a caller-owned struct flame; flame_release() frees it.
 */
#ifndef SMOLDER_FLAME_H
#define SMOLDER_FLAME_H

#include "tree.h"

struct flame_cell {
	uint32_t node;     /* the frame; for a "+N" cell, the parent whose children it holds */
	uint32_t x, w;     /* columns */
	uint32_t hidden;   /* > 0: a "+N" cell holding this many child frames */
	int64_t value;     /* the node's total, or the hidden frames' total */
};

struct flame_row {
	uint32_t first, n;  /* cells[first .. first + n) */
};

struct flame {
	struct flame_cell *cells;
	uint32_t ncells, cap;
	struct flame_row *rows;
	uint32_t nrows;
};

struct flame_opts {
	uint32_t root;      /* zoom node */
	uint32_t type;      /* sample type */
	uint32_t type2;     /* PROF_NONE, or a second type added to widths (a diff's base side) */
	uint32_t width;     /* columns */
	uint32_t max_rows;  /* rows to lay out (from the zoom root) */
	bool by_size;       /* children ordered by total (desc) instead of name */
};

int flame_layout(const struct tree *t, const struct flame_opts *o, struct flame *out);
/* What a node's width is of: tree_magnitude of type (+ that of type2 unless PROF_NONE). */
int64_t flame_magnitude(const struct tree *t, uint32_t node, uint32_t type, uint32_t type2);
void flame_release(struct flame *f);

/* Row/cell of a node in a layout; returns false when not visible. */
bool flame_find(const struct flame *f, const struct tree *t, uint32_t node, bool plus,
		uint32_t *row, uint32_t *cell);

#endif
