/*
 * arena.h — a bump allocator for data that dies all at once.
 *
 * Memory comes from chunks owned by the arena; arena_release() frees every chunk and
 * every pointer ever returned.  Nothing is freed individually.  Allocation failure
 * returns NULL (callers report ERR_NOMEM).  Not thread-safe: one owner at a time.
 */
#ifndef SMOLDER_ARENA_H
#define SMOLDER_ARENA_H

#include <stddef.h>

struct arena_chunk;

#define ARENA_ALIGN 16

struct arena {
	struct arena_chunk *head;
	char *ptr;             /* next free byte in head */
	char *end;             /* end of head */
	size_t total;          /* bytes obtained from malloc, for statistics */
};

void arena_init(struct arena *a);
void arena_release(struct arena *a);
/* The slow path of arena_alloc(): a new chunk. */
void *arena_alloc_chunk(struct arena *a, size_t n);

/* 16-byte aligned; n == 0 returns a valid unique pointer.  Inline: the bump is hot. */
static inline void *arena_alloc(struct arena *a, size_t n)
{
	size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);

	if (need >= n && need && (size_t)(a->end - a->ptr) >= need && a->ptr) {
		void *p = a->ptr;

		a->ptr += need;
		return p;
	}
	return arena_alloc_chunk(a, n);
}
void *arena_zalloc(struct arena *a, size_t n);
/* n elements of size sz, with overflow check. */
void *arena_array(struct arena *a, size_t n, size_t sz);
char *arena_strndup(struct arena *a, const char *s, size_t n);

#endif
