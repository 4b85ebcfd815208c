/*
 * sandwich.h — the callers and callees of one function, as two profiles whose call
 * trees are rooted at that function.
 *
 * For each sample in which the function appears: the callees profile keeps the stack
 * from its root-most occurrence down to the leaf; the callers profile keeps the stack
 * from the root down to its leaf-most occurrence, turned around so the function is
 * the root and its callers are its "children".  Merged over every place the function
 * occurs; recursion is counted once per sample.  Frames are function names; string
 * ids are those of the input (strings are copied in order), so names compare by id.
 *
 * Ownership: *callers and *callees are new profiles the caller frees.
 */
#ifndef SMOLDER_SANDWICH_H
#define SMOLDER_SANDWICH_H

#include "prof.h"
#include "tree.h"

int sandwich_build(const struct prof *p, uint32_t name, struct prof **callers,
		   struct prof **callees);
/*
 * sandwich_build(), which another thread may stop by setting *cancel (NULL: never): the
 * flag is read every few thousand frames walked, and once it is set the call frees what
 * it made, leaves *callers and *callees NULL and fails with ERR_CANCELLED.  Never set,
 * the profiles are sandwich_build()'s.
 */
int sandwich_build_cancellable(const struct prof *p, uint32_t name, atomic_int *cancel,
			       struct prof **callers, struct prof **callees);
/*
 * The function's self (pprof's flat) of sample type `type`, read off the call tree of
 * the callees profile: the self of every node named `name`, not only of the root, so a
 * recursive function (main;f;g;f) counts the time of its inner calls too.
 */
int64_t sandwich_self(const struct tree *callees, uint32_t name, uint32_t type);

#endif
