/*
 * prune.h — pprof's RemoveUninteresting: a profile's own drop_frames and keep_frames.
 *
 * A pprof profile may name frames not worth showing (drop_frames, a regex, with
 * keep_frames for exceptions; tcmalloc's heap profiles name the allocator's internals).
 * `go tool pprof` prunes them from every profile it loads, as Profile.Prune does: in
 * each stack, from the root down, the first frame whose function name (without its
 * argument list) matches ^(drop_frames)$ and not ^(keep_frames)$, once a frame that does
 * not match has been seen, goes with everything it called; an inlined frame that matches
 * cuts its location's inline chain there.
 *
 * Ownership: *out is a new profile the caller frees, or NULL when in names nothing to
 * drop; `in` is only read.
 */
#ifndef SMOLDER_PRUNE_H
#define SMOLDER_PRUNE_H

#include "prof.h"

/*
 * Errors: ERR_PARSE when drop_frames or keep_frames is not a valid RE2 regex (pprof then
 * leaves the profile as it is; the caller may say so), and also when one cannot decide a
 * function name ("regex '...' is too complex", search.h) where RE2 would: the profile is
 * left as it is then too, never pruned by a guess; ERR_NOMEM.
 */
int prof_remove_uninteresting(const struct prof *in, struct prof **out);

#endif
