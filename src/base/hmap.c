/* hmap.c — linear-probing u64 → u32 map (see hmap.h). */
#include "hmap.h"
#include "err.h"

#include <stdlib.h>

static int hmap_alloc(struct hmap *m, size_t cap)
{
	size_t i;

	m->slots = malloc(cap * sizeof(*m->slots));
	if (!m->slots)
		return err_set(ERR_NOMEM, "out of memory (hash map of %zu slots)", cap);
	for (i = 0; i < cap; i++)
		m->slots[i].key = HMAP_EMPTY;
	m->mask = cap - 1;
	m->count = 0;
	return 0;
}

int hmap_init(struct hmap *m, size_t expected)
{
	size_t cap = 16;

	while (cap < expected * 2 && cap < ((size_t)1 << 40))
		cap <<= 1;
	return hmap_alloc(m, cap);
}

void hmap_release(struct hmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->mask = 0;
	m->count = 0;
}

int hmap_get(const struct hmap *m, uint64_t key, uint32_t *val)
{
	size_t i = hmap_mix(key) & m->mask;

	if (key == HMAP_EMPTY)
		return 0;
	for (;;) {
		const struct hmap_slot *s = &m->slots[i];

		if (s->key == key) {
			*val = s->val;
			return 1;
		}
		if (s->key == HMAP_EMPTY)
			return 0;
		i = (i + 1) & m->mask;
	}
}

static int hmap_rehash(struct hmap *m)
{
	struct hmap old = *m;
	size_t i;
	int rc;

	if ((rc = hmap_alloc(m, (old.mask + 1) * 2)))
		return rc;
	for (i = 0; i <= old.mask; i++) {
		if (old.slots[i].key != HMAP_EMPTY) {
			size_t j = hmap_mix(old.slots[i].key) & m->mask;

			while (m->slots[j].key != HMAP_EMPTY)
				j = (j + 1) & m->mask;
			m->slots[j] = old.slots[i];
			m->count++;
		}
	}
	free(old.slots);
	return 0;
}

int hmap_reserve(struct hmap *m, size_t expected)
{
	int rc;

	while ((expected + 1) * 4 > (m->mask + 1) * 3)
		if ((rc = hmap_rehash(m)))
			return rc;
	return 0;
}

int hmap_intern(struct hmap *m, uint64_t key, uint32_t val, uint32_t *out)
{
	size_t i;
	int rc;

	if (key == HMAP_EMPTY)
		return err_set(ERR_PARSE, "reserved hash key");
	if ((m->count + 1) * 4 > (m->mask + 1) * 3 && (rc = hmap_rehash(m)))
		return rc;
	i = hmap_mix(key) & m->mask;
	for (;;) {
		struct hmap_slot *s = &m->slots[i];

		if (s->key == key) {
			*out = s->val;
			return 1;
		}
		if (s->key == HMAP_EMPTY) {
			s->key = key;
			s->val = val;
			m->count++;
			*out = val;
			return 0;
		}
		i = (i + 1) & m->mask;
	}
}

int hmap_put(struct hmap *m, uint64_t key, uint32_t val)
{
	uint32_t cur;
	int rc = hmap_intern(m, key, val, &cur);
	size_t i;

	if (rc <= 0)
		return rc;
	/* present: overwrite */
	i = hmap_mix(key) & m->mask;
	while (m->slots[i].key != key)
		i = (i + 1) & m->mask;
	m->slots[i].val = val;
	return 0;
}
