/*
 * search.h — regex search over frame names (PCRE2, the RE2-style syntax pprof users
 * type: `\d`, `(?i)`, ...).
 *
 * search_compile() checks the pattern (a bad one gives ERR_PARSE with PCRE2's message
 * and offset).  search_run() marks every tree node whose name matches and computes the
 * matched share: the total of matching nodes that have no matching ancestor, so nested
 * matches are not counted twice.
 *
 * Ownership: struct search is caller-owned; search_release() frees it.
 */
#ifndef SMOLDER_SEARCH_H
#define SMOLDER_SEARCH_H

#include "tree.h"

struct search {
	void *code;          /* pcre2_code * */
	uint8_t *name_hit;   /* per string id: 0 unknown, 1 no, 2 yes */
	uint32_t nnames;
	uint8_t *node_hit;   /* per node: 1 when its name matches */
	uint32_t *tops;      /* matching nodes without a matching ancestor, preorder */
	uint32_t ntops;
	uint32_t nmatch;     /* matching nodes */
};

int search_compile(struct search *s, const char *pattern);
/* Marks nodes of t; sets *matched to the matched total for sample type `type`. */
int search_run(struct search *s, const struct tree *t, uint32_t type, int64_t *matched);
/* Does one string match? (for table filters) */
bool search_match(const struct search *s, const char *str, size_t len);
void search_release(struct search *s);

#endif
