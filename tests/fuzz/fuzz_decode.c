/*
 * fuzz_decode.c — fuzz target for decode_profile (gzip / zstd / pprof / folded).
 *
 * Contract checked: a negative ERR_* code with a non-empty one-line message and no
 * profile, or 0 with a profile whose call tree and top table can be built and whose
 * flat values add up to the root total.  Everything is freed again.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "ingest/decode.h"
#include "profile/top.h"
#include "profile/tree.h"

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_decode: %s\n", what);
	abort();
}

static void check_message(const char *msg)
{
	const unsigned char *s = (const unsigned char *)msg;

	if (!msg || !*msg)
		broken("empty error message");
	for (; *s; s++)
		if (*s == '\n')
			broken("error message spans lines");
}

static void check_profile(const struct prof *p)
{
	struct tree *t = NULL;
	struct top top;
	uint64_t flat;
	uint32_t i;

	if (tree_build(p, &t)) {
		check_message(err_last());
		return; /* out of memory is a fair answer */
	}
	if (top_compute(p, p->default_type, &top) == 0) {
		/* wraps: values are hostile; location-less samples stay on the root */
		flat = (uint64_t)tree_self(t, 0, p->default_type);
		for (i = 0; i < top.n; i++)
			flat += (uint64_t)top.rows[i].flat;
		if (flat != (uint64_t)top.total)
			broken("flat values do not add up to the total");
		top_sort(&top, p, TOP_SORT_FLAT, false);
		top_release(&top);
	}
	tree_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prof *p = NULL;
	int rc;

	err_clear();
	rc = decode_profile(data, size, "fuzz", &p);
	if (rc == 0) {
		if (!p)
			broken("success without a profile");
		check_profile(p);
		prof_free(p);
		return 0;
	}
	if (rc > 0)
		broken("positive error code");
	if (p)
		broken("a profile despite an error");
	check_message(err_last());
	return 0;
}
