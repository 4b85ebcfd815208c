/*
 * hmap.h — open-addressing hash map from a 64-bit key to a 32-bit value.
 *
 * Used for id → index maps while decoding and for (parent, frame) → child lookups while
 * building call trees.  Keys are arbitrary 64-bit values (the all-ones key is reserved as
 * the empty marker).  The map owns its slot array; hmap_release() frees it.
 */
#ifndef SMOLDER_HMAP_H
#define SMOLDER_HMAP_H

#include <stddef.h>
#include <stdint.h>

#define HMAP_EMPTY UINT64_MAX

struct hmap_slot {
	uint64_t key;
	uint32_t val;
};

struct hmap {
	struct hmap_slot *slots;
	size_t mask;  /* capacity - 1; capacity is a power of two */
	size_t count;
};

int hmap_init(struct hmap *m, size_t expected);
void hmap_release(struct hmap *m);
/* Grows the table (if needed) to hold `expected` keys without rehashing. */
int hmap_reserve(struct hmap *m, size_t expected);
/* Returns 1 and sets *val when found, else 0. */
int hmap_get(const struct hmap *m, uint64_t key, uint32_t *val);
/* Inserts or overwrites.  Returns 0, or ERR_NOMEM / ERR_PARSE (reserved key). */
int hmap_put(struct hmap *m, uint64_t key, uint32_t val);
/*
 * Finds key; if absent inserts it with value `val`.  *out gets the stored value and the
 * return is 1 when it was already there, 0 when inserted, negative on error.
 */
int hmap_intern(struct hmap *m, uint64_t key, uint32_t val, uint32_t *out);

static inline uint64_t hmap_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

#endif
