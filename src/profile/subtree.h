/*
 * subtree.h — the samples under one call path, as a profile: what a zoomed flame graph
 * shows.  A sample is kept when its stack, read from the root, starts with the path's
 * frame names (inlined frames count as frames); kept samples keep their whole stack,
 * values and labels, so the path's node has the same total in the result.
 *
 * Ownership: *out is a new profile the caller frees; the inputs are only read.
 */
#ifndef SMOLDER_SUBTREE_H
#define SMOLDER_SUBTREE_H

#include "prof.h"

/* path: string ids of the frame names, root first (the tree's node names). */
int prof_subtree(const struct prof *in, const uint32_t *path, uint32_t n, struct prof **out);

#endif
