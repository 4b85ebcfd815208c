/*
 * strmap.h — byte strings to dense indices 0, 1, ... in the order they were added:
 * hashed (XXH3) into an hmap, then compared, so a hash collision costs a probe, never a
 * wrong answer.
 *
 * Ownership: the keys are borrowed — each must stay valid and unchanged while the map
 * lives; the map owns its table and key array (strmap_release).
 */
#ifndef SMOLDER_STRMAP_H
#define SMOLDER_STRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "base/hmap.h"

struct strmap_key {
	const char *s;
	size_t n;
};

struct strmap {
	struct hmap h;
	struct strmap_key *keys;
	size_t n, cap;
};

int strmap_init(struct strmap *m, size_t expected);
void strmap_release(struct strmap *m);
/* *idx gets the index of s[0..n): 1 when it was there, 0 when added (index m->n - 1). */
int strmap_intern(struct strmap *m, const char *s, size_t n, uint32_t *idx);
/* 1 with *idx when s[0..n) is there, else 0. */
int strmap_find(const struct strmap *m, const char *s, size_t n, uint32_t *idx);

#endif
