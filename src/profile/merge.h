/*
 * merge.h — combining profiles.
 *
 * prof_diff() is pprof's -diff_base: the new profile's samples, plus the base
 * profile's samples with their values negated and a "pprof::base" = "true" label, in
 * one profile.  Flat and cum of a function are then new − base; a view that wants both
 * sides can split samples on the label.  The profiles must have the same sample types.
 *
 * Ownership: *out is a new profile the caller frees; the inputs are only read.
 */
#ifndef SMOLDER_MERGE_H
#define SMOLDER_MERGE_H

#include "prof.h"

#define MERGE_BASE_LABEL "pprof::base"

int prof_diff(const struct prof *base, const struct prof *cur, struct prof **out);

#endif
