/*
 * builder.h — the one interface between decoders and the model.
 *
 * Every decoder (pprof, folded, ...) creates a builder, feeds it strings, sample types,
 * mappings, functions, locations and samples, and calls pb_finish() to get an immutable
 * struct prof.  Strings are interned (equal bytes → equal id).  Indices returned by the
 * pb_* calls are those of the finished profile.
 *
 * Ownership: pb_new() allocates; pb_finish() consumes the builder (success or not) and
 * gives the caller the profile; pb_free() discards an unfinished builder.
 */
#ifndef SMOLDER_BUILDER_H
#define SMOLDER_BUILDER_H

#include "prof.h"

struct prof_builder;

/* Limits applied to untrusted input before allocation. */
#define PB_MAX_STRINGS (1u << 26)
#define PB_MAX_ITEMS   (1u << 28)

int pb_new(struct prof_builder **out);
void pb_free(struct prof_builder *b);

/*
 * Optional: room for what a decoder already knows it will add (counts are clamped to
 * the builder's limits; callers pass sizes bounded by their input).
 */
int pb_reserve(struct prof_builder *b, size_t strings, size_t functions, size_t locations,
	       size_t lines, size_t samples, size_t sample_locs, size_t labels);

/* Interns s[0..n); *out gets its id. */
int pb_string(struct prof_builder *b, const char *s, size_t n, uint32_t *out);
/*
 * pb_string() in steps, for a decoder with many strings at once: their hashes made
 * beforehand (pb_string_hash() is pure, so any thread may call it), and the map slot of
 * a string a few ahead fetched into the cache while one is interned.
 */
uint64_t pb_string_hash(const char *s, size_t n);
void pb_string_prefetch(const struct prof_builder *b, uint64_t hash);
int pb_string_hashed(struct prof_builder *b, const char *s, size_t n, uint64_t hash,
		     uint32_t *out);
int pb_sample_type(struct prof_builder *b, uint32_t type, uint32_t unit);
void pb_set_period(struct prof_builder *b, uint32_t type, uint32_t unit, int64_t period);
void pb_set_times(struct prof_builder *b, int64_t time_nanos, int64_t duration_nanos);
/* pprof's drop_frames / keep_frames (string ids, 0 for none). */
void pb_set_frames(struct prof_builder *b, uint32_t drop, uint32_t keep);
/* Appends one of pprof's comments (a string id); at most PB_MAX_ITEMS. */
int pb_add_comment(struct prof_builder *b, uint32_t str);
/* Sets the default sample type by index (otherwise the last one, as pprof does). */
void pb_set_default_type(struct prof_builder *b, uint32_t index);
/*
 * The default sample type when none was named (prof.default_named false): index instead
 * of the last one, for a pair whose last type is a base side's.  A later
 * pb_set_default_type() wins.
 */
void pb_set_fallback_type(struct prof_builder *b, uint32_t index);
int pb_mapping(struct prof_builder *b, const struct prof_mapping *m, uint32_t *out);
int pb_function(struct prof_builder *b, const struct prof_function *f, uint32_t *out);
/* lines[0] is the innermost frame; n may be 0 (unsymbolized: a "[mapping]" frame is made). */
int pb_location(struct prof_builder *b, uint32_t mapping, uint64_t address,
		const struct prof_line *lines, uint32_t n, uint32_t *out);
/* A location for a frame known only by name (folded stacks and similar). */
int pb_named_frame(struct prof_builder *b, const char *name, size_t n, uint32_t *out);
/* locs leaf first; values has one entry per sample type. */
int pb_sample(struct prof_builder *b, const uint32_t *locs, uint32_t nlocs,
	      const int64_t *values, const struct prof_label *labels, uint32_t nlabels);

/*
 * Samples in bulk, for a decoder that knows every sample's location and label counts up
 * front.  pb_add_samples() appends n samples — sample i with nlocs[i] locations and
 * nlabels[i] labels, at offsets it sets — and *out says where their contents go; the
 * caller writes them (from several threads if it likes: samples do not overlap), then
 * hands them to pb_check_samples() in order, which makes the checks pb_sample() makes,
 * with its messages and sample indices.  Until every sample added is checked, *out stays
 * valid; meanwhile no sample or sample type may be added and pb_finish() not be called
 * (strings, mappings, functions and locations may).
 */
struct pb_samples {
	uint32_t first;                     /* index of the first sample added */
	const struct prof_sample *samples;  /* the profile's samples, offsets set */
	uint32_t *locs;                     /* the profile's sample_locs, by loc_off */
	int64_t *values;                    /* the profile's values, ntypes per sample */
	struct prof_label *labels;          /* the profile's labels, by label_off */
};
int pb_add_samples(struct prof_builder *b, size_t n, const uint32_t *nlocs,
		   const uint32_t *nlabels, struct pb_samples *out);
/* Checks the next n samples pb_add_samples() added, their contents written. */
int pb_check_samples(struct prof_builder *b, size_t n);
uint32_t pb_ntypes(const struct prof_builder *b);
/* Keeps only the first n sample types (before any sample is added). */
void pb_truncate_types(struct prof_builder *b, uint32_t n);

/*
 * For transforms (filters, granularity, sandwich): gives a fresh builder src's strings
 * in order — so every string keeps its id — and its sample types, default type, period,
 * times, drop/keep_frames and comments; with `tables`, also its mappings and functions
 * with their indices.
 */
int pb_copy_header(struct prof_builder *b, const struct prof *src, bool tables);

/*
 * Adds sample i of src as it is (locations, values, labels), for transforms that made
 * src's locations one for one so that their indices hold.
 */
int pb_copy_sample(struct prof_builder *b, const struct prof *src, uint32_t i);
/*
 * Adds every location of src as it is, in order (an unsymbolized one without lines), so
 * that their indices hold for pb_copy_sample.
 */
int pb_copy_locations(struct prof_builder *b, const struct prof *src);

int pb_finish(struct prof_builder *b, struct prof **out);

#endif
