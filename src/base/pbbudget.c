/* pbbudget.c — protobuf-c's allocator with a ceiling (see pbbudget.h). */
#include "pbbudget.h"

#include <stdint.h>
#include <string.h>

static void *budget_alloc_cb(void *data, size_t size)
{
	return pb_budget_alloc(data, size);
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
