/*
 * fuzz_flamegraph.c — fuzz target for the flame graph answers of a Pyroscope server
 * (store/remote.h: remote_decode_flamegraph and remote_decode_diff), both codecs.
 *
 * The first input byte picks the codec ('J': Connect JSON, anything else: protobuf);
 * the rest is the body of a SelectMergeStacktraces answer, also read as a Diff answer.
 * Contract checked: a negative ERR_* code with a non-empty one-line message and no
 * profile, or 0 with a profile whose call tree builds and whose root total is the sum
 * of its samples (the builder refuses sums past int64).  Everything is freed again.
 * Seeds: tests/fuzz/corpus/flamegraph (tests/fuzz/make_flamegraph_corpus.py).
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "profile/tree.h"
#include "store/remote.h"

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_flamegraph: %s\n", what);
	abort();
}

static void check(int rc, struct prof *p)
{
	const char *msg = err_last();
	struct tree *t = NULL;
	uint32_t k;

	if (rc > 0)
		broken("positive error code");
	if (rc < 0) {
		if (p)
			broken("a profile despite an error");
		if (!msg || !*msg || strchr(msg, '\n'))
			broken("not a one-line message");
		return;
	}
	if (!p)
		broken("success without a profile");
	if (tree_build(p, &t) == 0) {
		for (k = 0; k < p->ntypes; k++)
			if (tree_total(t, 0, k) != prof_total(p, k))
				broken("the root total is not the samples' sum");
		tree_free(t);
	}
	prof_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fb_prof_info info = {"cpu", "nanoseconds", "cpu", "nanoseconds", 0, 0};
	enum remote_codec c;
	struct prof *p = NULL;
	bool truncated;
	int rc;

	if (size < 1)
		return 0;
	c = data[0] == 'J' ? REMOTE_CODEC_JSON : REMOTE_CODEC_PROTO;
	err_clear();
	rc = remote_decode_flamegraph(c, data + 1, size - 1, &info, &p, &truncated);
	check(rc, p);
	p = NULL;
	err_clear();
	rc = remote_decode_diff(c, data + 1, size - 1, &info, &p, NULL);
	check(rc, p);
	return 0;
}
