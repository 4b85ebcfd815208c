/*
 * prof.h — the immutable profile model every decoder produces and every view reads.
 *
 * A struct prof is built once by a struct prof_builder (builder.h) and never changes
 * afterwards, so it can be shared read-only between threads.  Everything is index-based:
 * strings, functions, locations, mappings and samples refer to each other by uint32_t
 * index into the arrays below (no pointer webs).  String index 0 is always "".
 *
 * Ownership: prof_free() releases the whole model (its arena and arrays).  Pointers
 * returned by the accessors are borrowed and live as long as the profile.  A thread that
 * reads a profile for longer than its owner may keep it (the explorer's filter jobs, which
 * the UI drops without waiting for them) takes a reference with prof_ref(); every
 * reference, the first included, ends with one prof_free(), and the last one frees.
 */
#ifndef SMOLDER_PROF_H
#define SMOLDER_PROF_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"

#define PROF_NONE UINT32_MAX

struct prof_value_type {
	uint32_t type;  /* string id, e.g. "cpu" */
	uint32_t unit;  /* string id, e.g. "nanoseconds" */
};

struct prof_mapping {
	uint64_t start, limit, offset;
	uint32_t file;      /* string id */
	uint32_t build_id;  /* string id */
};

struct prof_function {
	uint32_t name;         /* string id; interned, so equal names have equal ids */
	uint32_t system_name;  /* string id */
	uint32_t file;         /* string id */
	int64_t start_line;
};

struct prof_line {
	uint32_t func;  /* function index */
	int64_t line;
};

struct prof_location {
	uint64_t address;
	uint32_t mapping;   /* mapping index or PROF_NONE */
	uint32_t line_off;  /* into prof.lines; lines[line_off] is the innermost (inlined) frame */
	uint32_t nlines;    /* >= 1: unsymbolized locations get a synthetic "[mapping]" line */
	bool unsymbolized;  /* its one line is that synthetic frame */
};

struct prof_label {
	uint32_t key;       /* string id */
	uint32_t str;       /* string id, 0 for numeric labels */
	uint32_t num_unit;  /* string id */
	int64_t num;
};

struct prof_sample {
	uint32_t loc_off, nlocs;      /* into prof.sample_locs, leaf first */
	uint32_t label_off, nlabels;  /* into prof.labels */
};

struct prof {
	struct arena arena;  /* strings and small tables */

	const char **strs;
	uint32_t *str_lens;
	uint32_t nstrs;

	struct prof_value_type *sample_types;
	uint32_t ntypes;
	uint32_t default_type;  /* index into sample_types, as pprof chooses it */
	/* the source named its default (pprof's default_sample_type); else default_type is
	 * pprof's fallback, the last type, which a diff's base may override (diff.h) */
	bool default_named;
	struct prof_value_type period_type;
	int64_t period;
	int64_t time_nanos, duration_nanos;
	/* pprof's drop_frames and keep_frames regexes (string ids, 0: none; prune.h) */
	uint32_t drop_frames, keep_frames;
	/* pprof's comments, free-form text lines (string ids, in order) */
	uint32_t *comments;
	uint32_t ncomments;

	struct prof_mapping *mappings;
	uint32_t nmappings;
	struct prof_function *functions;
	uint32_t nfunctions;
	struct prof_location *locations;
	uint32_t nlocations;
	struct prof_line *lines;
	uint32_t nlines;

	struct prof_sample *samples;
	uint32_t nsamples;
	uint32_t *sample_locs;  /* location indices */
	size_t nsample_locs;
	int64_t *values;        /* nsamples * ntypes, row-major */
	struct prof_label *labels;
	size_t nlabels;

	/* the one field that changes after the build: references besides the builder's
	 * (0 from the builder; prof_ref adds one, prof_free drops one) */
	atomic_uint refs;
};

/* Another reference to p, which stays until a matching prof_free(); returns p (NULL: NULL). */
struct prof *prof_ref(struct prof *p);
/* Drops a reference to p; the last one frees it.  p may be NULL. */
void prof_free(struct prof *p);

static inline const char *prof_str(const struct prof *p, uint32_t id)
{
	return id < p->nstrs ? p->strs[id] : "";
}

/* Strings may contain NUL bytes: use the length, not strlen(). */
static inline size_t prof_strlen(const struct prof *p, uint32_t id)
{
	return id < p->nstrs ? p->str_lens[id] : 0;
}

static inline int64_t prof_value(const struct prof *p, uint32_t sample, uint32_t type)
{
	return p->values[(size_t)sample * p->ntypes + type];
}

/* Sum of one sample type over all samples. */
int64_t prof_total(const struct prof *p, uint32_t type);
/* The sum of the magnitudes (pprof's total, of which its percentages are), at most 2^63-1. */
int64_t prof_total_abs(const struct prof *p, uint32_t type);
/*
 * True when a value is negative: a difference (pprof's -diff_base form, a flame graph
 * diff), not something a program measured.
 */
bool prof_is_signed(const struct prof *p);
/* Index of the sample type named `name` ("alloc_space"), or of the decimal index; -1. */
int prof_find_type(const struct prof *p, const char *name);
/* Looks a string up; PROF_NONE when the profile has no such string. */
uint32_t prof_find_str(const struct prof *p, const char *s);

#endif
