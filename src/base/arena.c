/* arena.c — chunked bump allocation (see arena.h). */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_MIN_CHUNK (64 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	/* data follows, aligned */
	_Alignas(ARENA_ALIGN) char data[];
};

void arena_init(struct arena *a)
{
	memset(a, 0, sizeof(*a));
}

void arena_release(struct arena *a)
{
	struct arena_chunk *c = a->head, *next;

	while (c) {
		next = c->next;
		free(c);
		c = next;
	}
	memset(a, 0, sizeof(*a));
}

void *arena_alloc_chunk(struct arena *a, size_t n)
{
	size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	struct arena_chunk *c;
	size_t size;
	void *p;

	if (need < n)
		return NULL;
	if (need == 0)
		need = ARENA_ALIGN;
	if ((size_t)(a->end - a->ptr) >= need && a->ptr) {
		p = a->ptr;
		a->ptr += need;
		return p;
	}
	/* Grow geometrically so big profiles need few chunks. */
	size = a->total / 2;
	if (size < ARENA_MIN_CHUNK)
		size = ARENA_MIN_CHUNK;
	if (size < need)
		size = need;
	if (size > SIZE_MAX - sizeof(*c))
		return NULL;
	c = malloc(sizeof(*c) + size);
	if (!c)
		return NULL;
	c->size = size;
	c->next = a->head;
	a->head = c;
	a->total += size;
	a->ptr = c->data + need;
	a->end = c->data + size;
	return c->data;
}

void *arena_zalloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);

	if (p)
		memset(p, 0, n);
	return p;
}

void *arena_array(struct arena *a, size_t n, size_t sz)
{
	if (sz && n > SIZE_MAX / sz)
		return NULL;
	return arena_alloc(a, n * sz);
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (p) {
		if (n)
			memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}
