/*
 * recursion.h — collapsing recursion: in every stack, a run of consecutive frames of
 * the same function (direct recursion, f → f → f) becomes one frame, so a recursive
 * algorithm reads as one wide frame instead of a tower.  The innermost frame of a run is
 * the one kept: its line is where the time was spent or the next function called (the
 * outer frames' lines are only the recursive calls).  Indirect recursion (f → g → f)
 * is left alone: the frames between carry information.  Values and labels are kept, so
 * totals do not change.  Inlined frames count like any other.
 *
 * Ownership: *out is a new profile the caller frees; `in` is only read.
 */
#ifndef SMOLDER_RECURSION_H
#define SMOLDER_RECURSION_H

#include "prof.h"

int prof_collapse_recursion(const struct prof *in, struct prof **out);
/*
 * prof_collapse_recursion(), which another thread may stop by setting *cancel (NULL:
 * never): read every few thousand frames walked; once it is set the call frees what it
 * made and fails with ERR_CANCELLED (*out NULL).  Never set, the profile is
 * prof_collapse_recursion()'s.
 */
int prof_collapse_recursion_cancellable(const struct prof *in, atomic_int *cancel,
					struct prof **out);

#endif
