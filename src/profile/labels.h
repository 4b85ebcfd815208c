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

#include <stddef.h>

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
int labelset_copy(struct labelset *dst, const struct labelset *src);
void labelset_free(struct labelset *ls);

#endif
