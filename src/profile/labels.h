/*
 * labels.h — a series' label set (Prometheus style), shared by ingest (which derives
 * it from a push: service_name, __name__, the name's {k=v} labels, ...), the store (which
 * keys series by it) and queries (which match it with selectors).
 *
 * A labelset is sorted by name, names are unique, and every string is owned by the set
 * (labelset_free).  Names and values are arbitrary bytes without NUL; validation of what
 * a push may contain (lengths, counts, name syntax) is the ingest layer's job.
 */
#ifndef SMOLDER_LABELS_H
#define SMOLDER_LABELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "prof.h"

struct label {
	char *name, *value;
};

struct labelset {
	struct label *v;
	size_t n, cap;
};

#define LABELSET_INIT { NULL, 0, 0 }

/* Sets name=value (replacing an existing value); keeps the set sorted. */
int labelset_set(struct labelset *ls, const char *name, const char *value);
/* The value of name, or NULL. */
const char *labelset_get(const struct labelset *ls, const char *name);
/* Whether name has a non-empty value (an empty one is no label: Prometheus's rule). */
bool labelset_given(const struct labelset *ls, const char *name);
/* Removes name; returns 1 if it was there, else 0. */
int labelset_del(struct labelset *ls, const char *name);
int labelset_copy(struct labelset *dst, const struct labelset *src);
/* Whether the two sets hold the same names with the same values. */
bool labelset_equal(const struct labelset *a, const struct labelset *b);
/* A hash of the names and values: equal sets hash alike. */
uint64_t labelset_hash(const struct labelset *ls);
void labelset_free(struct labelset *ls);

/*
 * Pyroscope's metric name (the series' __name__) for a pprof profile, from its sample
 * types (spec 1.6): "wall" when a type is literally wall; else the first type whose
 * display name contains cpu → process_cpu, alloc_/inuse_ or is space/objects → memory,
 * mutex_ → mutex, block_ → block, goroutines → goroutines; else the last type's display
 * name (its name when it has none).
 * `display`, when not NULL, has one entry per sample type (NULL for none) from the
 * push's sample_type_config; without it Pyroscope's default config applies (samples →
 * cpu, goroutine → goroutines, contentions → mutex_count, delay → mutex_duration).
 * Returns a static string or one of p's strings (borrowed).
 */
const char *labels_metric_name(const struct prof *p, const char *const *display);
/*
 * Appends the profile type ID of sample type `type`, as Pyroscope derives it:
 * "<name>:<type>:<unit>:<period type>:<period unit>", e.g.
 * process_cpu:cpu:nanoseconds:cpu:nanoseconds or memory:alloc_space:bytes:space:bytes.
 */
int labels_profile_type(const struct prof *p, uint32_t type, const char *name, struct buf *out);

#endif
