/*
 * fuzz_check.c — the contract checks every fuzz target shares (see fuzz.h).
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/err.h"
#include "profile/top.h"
#include "profile/tree.h"

void fuzz_broken(const char *what)
{
	fprintf(stderr, "broken contract: %s\n", what);
	abort();
}

void fuzz_check_message(const char *msg)
{
	if (!msg || !*msg)
		fuzz_broken("an empty error message");
	for (; *msg; msg++)
		if ((unsigned char)*msg < 0x20 || *msg == 0x7f)
			fuzz_broken("an error message that is not one terminal-safe line");
}

void fuzz_check_error(int rc, const struct prof *p)
{
	if (rc > 0)
		fuzz_broken("a positive error code");
	if (p)
		fuzz_broken("a profile despite an error");
	fuzz_check_message(err_last());
}

void fuzz_check_profile(const struct prof *p)
{
	struct tree *t = NULL;
	struct top top;
	uint64_t flat;
	uint32_t i, k;
	int rc;

	if (!p)
		fuzz_broken("success without a profile");
	if ((rc = tree_build(p, &t))) {
		/* out of memory or too big are fair answers; anything else is a decoder bug */
		if (rc != ERR_NOMEM && rc != ERR_TOOBIG)
			fuzz_broken("a decoded profile its call tree refuses");
		fuzz_check_message(err_last());
		return;
	}
	for (k = 0; k < p->ntypes; k++)
		if (tree_total(t, 0, k) != prof_total(p, k))
			fuzz_broken("the root total is not the samples' sum");
	rc = top_compute(p, p->default_type, &top);
	if (rc && rc != ERR_NOMEM)
		fuzz_broken("a decoded profile its top table refuses (a bad default type?)");
	if (rc == 0) {
		/* wraps: values are hostile; location-less samples stay on the root */
		flat = (uint64_t)tree_self(t, 0, p->default_type);
		for (i = 0; i < top.n; i++)
			flat += (uint64_t)top.rows[i].flat;
		if (flat != (uint64_t)top.total)
			fuzz_broken("flat values do not add up to the total");
		top_sort(&top, p, TOP_SORT_FLAT, false);
		top_release(&top);
	}
	tree_free(t);
}
