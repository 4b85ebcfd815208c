/*
 * pbbudget.h — an arena allocator for protobuf-c that refuses to hand out more than a
 * set number of bytes in all.
 *
 * protobuf-c sizes nothing before it unpacks: every sub-message, string and repeated
 * array is one allocation, so a message of tiny (or empty) sub-messages becomes ~40
 * times its wire size in structs.  Untrusted bytes are unpacked through a budget sized
 * from their length (pb_budget_limit), and a refusal is told apart from bad bytes by
 * `over`.  Frees are ignored: everything dies with pb_budget_release().
 *
 * Ownership: the budget owns every pointer it handed out; `alloc` is what protobuf-c's
 * unpack functions take.  Not thread-safe: one owner at a time.
 */
#ifndef SMOLDER_PBBUDGET_H
#define SMOLDER_PBBUDGET_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"

struct pb_budget {
	struct arena arena;
	size_t used, limit;
	bool over;             /* an allocation was refused for the limit */
	ProtobufCAllocator alloc;
};

void pb_budget_init(struct pb_budget *b, size_t limit);
void pb_budget_release(struct pb_budget *b);
/* NULL past the limit (b->over set) or when out of memory. */
void *pb_budget_alloc(struct pb_budget *b, size_t n);
/* ratio × len + base, saturating at SIZE_MAX. */
size_t pb_budget_limit(size_t len, size_t ratio, size_t base);

#endif
