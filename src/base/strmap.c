/* strmap.c — byte strings to dense indices (see strmap.h). */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/err.h"
#include "base/vec.h"

int strmap_init(struct strmap *m, size_t expected)
{
	memset(m, 0, sizeof(*m));
	return hmap_init(&m->h, expected);
}

void strmap_release(struct strmap *m)
{
	hmap_release(&m->h);
	free(m->keys);
	memset(m, 0, sizeof(*m));
}

/*
 * Looks s[0..n) up: 1 with *idx when it is there, else 0 with *key the free hmap key it
 * would take (a hash collision probes the next key).
 */
static int probe(const struct strmap *m, const char *s, size_t n, uint64_t *key, uint32_t *idx)
{
	uint64_t k = XXH3_64bits(s, n);
	uint32_t v;

	for (;; k++) {
		if (k == HMAP_EMPTY)
			k = 0;  /* the reserved key: wrap (k-- would probe the same two keys forever) */
		if (!hmap_get(&m->h, k, &v))
			break;
		if (m->keys[v].n == n && memcmp(m->keys[v].s, s, n) == 0) {
			*idx = v;
			return 1;
		}
	}
	*key = k;
	return 0;
}

int strmap_find(const struct strmap *m, const char *s, size_t n, uint32_t *idx)
{
	uint64_t key;

	return probe(m, s, n, &key, idx);
}

int strmap_intern(struct strmap *m, const char *s, size_t n, uint32_t *idx)
{
	uint64_t key;
	int rc;

	if (probe(m, s, n, &key, idx))
		return 1;
	if (m->n >= UINT32_MAX - 1)
		return err_set(ERR_TOOBIG, "too many distinct strings");
	if ((rc = vec_reserve(&m->keys, &m->cap, m->n + 1)) ||
	    (rc = hmap_put(&m->h, key, (uint32_t)m->n)))
		return rc;
	m->keys[m->n].s = s;
	m->keys[m->n].n = n;
	*idx = (uint32_t)m->n++;
	return 0;
}
