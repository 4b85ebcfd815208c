/*
 * transform.h — small rewrites of a whole profile that keep its strings, functions and
 * locations (every id holds) and change one thing: the order of each stack, the sample
 * types kept, or the sample types' names.  The commands and the explorer call these
 * rather than building profiles of their own, so a file the explorer exports and one a
 * command writes are the same computation.
 *
 * Each loops over every sample once; the `cancel` flag (NULL: never), set by another
 * thread, is read every few thousand frames copied, and once it is set the call frees
 * what it made and fails with ERR_CANCELLED (*out NULL).
 *
 * Ownership: *out is a new profile the caller frees (prof_free), or NULL on an error or
 * where said; `in` is only read and may be freed afterwards.
 */
#ifndef SMOLDER_TRANSFORM_H
#define SMOLDER_TRANSFORM_H

#include "prof.h"

/*
 * Every stack in the other order: the root frame becomes the leaf.  Locations keep their
 * indices; values, labels and the header are in's.  The sandwich's callers half is stored
 * with the function as every stack's root (sandwich.h); reversed, it runs from the
 * program's root down to the function, as pprof's -focus='^F$' -prune_from='^F$' keeps
 * it.  0, ERR_NOMEM, ERR_CANCELLED.
 */
int prof_reverse_stacks(const struct prof *in, atomic_int *cancel, struct prof **out);

/*
 * in with only its sample type `type` (an index < in->ntypes), one value a sample; the
 * default type is 0, named so when in named its own.  Samples, locations, labels and the
 * header stay.  0, ERR_NOTFOUND (no type of that index), ERR_NOMEM, ERR_CANCELLED.
 */
int prof_keep_type(const struct prof *in, uint32_t type, atomic_int *cancel,
		   struct prof **out);

/*
 * in with the byte `from` as `to` in every sample type's name (perf's "cpu-clock" as
 * "cpu_clock": Pyroscope refuses a sample type with '-').  *out is NULL, and 0 returned,
 * when no name holds `from`.  Units, samples and everything else stay.  0, ERR_NOMEM,
 * ERR_CANCELLED.
 */
int prof_rename_types(const struct prof *in, char from, char to, atomic_int *cancel,
		      struct prof **out);

#endif
