/*
 * peek.h — callers and callees of the functions a regex selects, with the edge weights
 * `go tool pprof -peek` prints: an edge caller → callee weighs the samples in which the
 * caller calls the callee directly, each sample counted once per edge.
 *
 * Ownership: peek_compute() fills a caller-owned struct peek; peek_release() frees it.
 */
#ifndef SMOLDER_PEEK_H
#define SMOLDER_PEEK_H

#include "top.h"

struct peek_edge {
	uint32_t name;  /* the caller (in callers) or the callee (in callees) */
	int64_t weight;
};

struct peek_entry {
	struct top_row fn;  /* the selected function: flat and cum */
	struct peek_edge *callers, *callees;
	uint32_t ncallers, ncallees;
};

struct peek {
	struct peek_entry *entries;  /* in top order (|flat| desc, name) */
	uint32_t n;
	int64_t total;
};

/* ERR_PARSE for a bad regex ("bad regex at offset N: ..."; the caller names the verb). */
int peek_compute(const struct prof *p, uint32_t type, const char *regex, struct peek *out);
void peek_release(struct peek *pk);

#endif
