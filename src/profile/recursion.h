/*
 * recursion.h — collapsing recursion: in every stack, a run of consecutive frames of
 * the same function (direct recursion, f → f → f) becomes one frame, so a recursive
 * algorithm reads as one wide frame instead of a tower.  Indirect recursion (f → g → f)
 * is left alone: the frames between carry information.  Values and labels are kept, so
 * totals do not change.  Inlined frames count like any other.
 *
 * Ownership: *out is a new profile the caller frees; `in` is only read.
 */
#ifndef SMOLDER_RECURSION_H
#define SMOLDER_RECURSION_H

#include "prof.h"

int prof_collapse_recursion(const struct prof *in, struct prof **out);

#endif
