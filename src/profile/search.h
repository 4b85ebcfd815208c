/*
 * search.h — regex search over frame names (PCRE2, the RE2-style syntax pprof users
 * type: `\d`, `(?i)`, ...).
 *
 * search_compile() checks the pattern (a bad one gives ERR_PARSE with PCRE2's message
 * and offset).  search_run() marks every tree node whose name matches and computes the
 * matched share: the total of matching nodes that have no matching ancestor, so nested
 * matches are not counted twice.
 *
 * PCRE2 backtracks, RE2 (pprof's engine) does not: a pattern RE2 runs in linear time, such
 * as (a|a)*c, can make pcre2_match() give up at its match limit.  That is never read as
 * "no match": the subject is matched again with PCRE2's DFA matcher (pcre2_dfa_match(),
 * which does not backtrack and has everything re2_to_pcre() lets through), there reading
 * each invalid UTF-8 byte as U+FFFD as Go's regexp does.  The DFA runs on a bounded
 * workspace and step budget; past them the answer is ERR_TOOBIG, "regex '...' is too
 * complex ...", never a guess.
 *
 * Ownership: struct search is caller-owned; search_release() frees it.
 */
#ifndef SMOLDER_SEARCH_H
#define SMOLDER_SEARCH_H

#include "tree.h"

struct search {
	void *code;          /* pcre2_code * */
	char *pattern;       /* as given (RE2 syntax), for the DFA and for messages */
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
/* Does one string match?  1, 0, or a negative code when it cannot be told (see above). */
int search_test(const struct search *s, const char *str, size_t len);
/*
 * search_test() for a pattern compiled elsewhere (selector.c): code and md are its
 * pcre2_code and pcre2_match_data (md NULL: made here), re the RE2 text it was compiled
 * from by re2_to_pcre().  A subject that is not valid UTF-8 for a UTF code without
 * PCRE2_MATCH_INVALID_UTF is matched with each invalid byte as U+FFFD.
 */
int search_regex_test(const void *code, void *md, const char *re, const char *str, size_t len);
void search_release(struct search *s);

#endif
