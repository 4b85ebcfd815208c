/* pbbudget.c — protobuf-c's allocator with a ceiling (see pbbudget.h). */
#include "pbbudget.h"

#include <stdint.h>
#include <string.h>

/*
 * protobuf-c calls this for every sub-message and array (~5,700 times a typical push):
 * the common case, within the budget and the arena's chunk, is tested with one compare
 * each.  A size of 0, or one that rounds past SIZE_MAX, makes need 0 and need - 1 the
 * largest size_t, so it takes pb_budget_alloc(), as does everything else.
 */
static void *budget_alloc_cb(void *data, size_t size)
{
	struct pb_budget *b = data;
	size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	char *p = b->arena.ptr;

	if (size <= b->limit - b->used && need - 1 < (size_t)(b->arena.end - p)) {
		b->used += size;
		b->arena.ptr = p + need;
		return p;
	}
	return pb_budget_alloc(b, size);
}

static void budget_free_cb(void *data, void *ptr)
{
	(void)data;
	(void)ptr;
}

void pb_budget_init(struct pb_budget *b, size_t limit)
{
	memset(b, 0, sizeof(*b));
	arena_init(&b->arena);
	b->limit = limit;
	b->alloc.alloc = budget_alloc_cb;
	b->alloc.free = budget_free_cb;
	b->alloc.allocator_data = b;
}

void pb_budget_release(struct pb_budget *b)
{
	arena_release(&b->arena);
	b->used = 0;
}

void *pb_budget_alloc(struct pb_budget *b, size_t n)
{
	if (n > b->limit || b->used > b->limit - n) {
		b->over = true;
		return NULL;
	}
	b->used += n;
	return arena_alloc(&b->arena, n);
}

size_t pb_budget_limit(size_t len, size_t ratio, size_t base)
{
	if (ratio && len > (SIZE_MAX - base) / ratio)
		return SIZE_MAX;
	return len * ratio + base;
}
