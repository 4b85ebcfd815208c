/*
 * merge.h — combining profiles.
 *
 * prof_diff() is pprof's -diff_base: the new profile's samples, plus the base
 * profile's samples with their values negated and a "pprof::base" = "true" label, in
 * one profile.  pprof's comments are kept as its Merge keeps them: the new profile's,
 * then the base's, each text once (so in prof_merge, in order of ps; in prof_pair, cur's
 * then base's).  Flat and cum of a function are then new − base; a view that wants both
 * sides can split samples on the label.  The profiles must have the same sample types,
 * and prof_diff and prof_pair the same period type (pprof's compatible()), in units of
 * one family: as go tool pprof does (measurement.ScaleProfiles), each sample type and
 * the period are brought to the finest unit of the profiles (cpu/microseconds against
 * cpu/nanoseconds is a diff in nanoseconds), its values rounded as pprof rounds them.
 *
 * Ownership: *out is a new profile the caller frees; the inputs are only read.
 */
#ifndef SMOLDER_MERGE_H
#define SMOLDER_MERGE_H

#include "prof.h"

#define MERGE_BASE_LABEL "pprof::base"

int prof_diff(const struct prof *base, const struct prof *cur, struct prof **out);

/*
 * All samples of ps[0..n) in one profile (n >= 1; the same sample types, in units of one
 * family, scaled as above): the pieces of a range fetched in parts.  The header is
 * pprof's combineHeaders: the earliest time, the durations summed, the largest period
 * (periods of one type scaled as above), the first default type named (else none named:
 * the last type), the first's period type and drop/keep frames (prof_diff and prof_pair
 * the same over new and base; prof_pair's default is a new side type); the comments are
 * all of theirs, each text once.
 */
int prof_merge(const struct prof *const *ps, size_t n, struct prof **out);

/*
 * Both sides of a comparison in one profile, for the diff and comparison views: cur's
 * sample types, then the same types again for the base (2 × ntypes in all).  A sample
 * of cur has its values in the first half and zeros in the second; a base sample the
 * other way round.  Values keep their sign, so one call tree carries both sides: type t
 * is the new side, type ntypes + t the base side, and their sum is the union.
 */
int prof_pair(const struct prof *base, const struct prof *cur, struct prof **out);

/*
 * Back from a pair to one profile: with diff_form, pprof's -diff_base form (what
 * prof_diff gives: base samples negated and labelled); else the new side alone.
 */
int prof_unpair(const struct prof *pair, bool diff_form, struct prof **out);

/*
 * The new side of a difference in pprof's -diff_base form (prof_is_signed): the samples
 * not labelled MERGE_BASE_LABEL=true and not negative in `type`, as the svg and
 * speedscope encoders need (they cannot draw a negative weight).
 */
int prof_new_side(const struct prof *p, uint32_t type, struct prof **out);

/* p with every value times f (rounded); tables keep their indices (demo and benchmarks). */
int prof_scale(const struct prof *p, double f, struct prof **out);

#endif
