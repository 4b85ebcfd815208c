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

#include "base/err.h"
#include "store/remote.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fb_prof_info info = { "cpu", "nanoseconds", "cpu", "nanoseconds", 0, 0, 0 };
	enum remote_codec c;
	struct prof *p = NULL;
	bool truncated;
	int rc;

	if (size < 1)
		return 0;
	c = data[0] == 'J' ? REMOTE_CODEC_JSON : REMOTE_CODEC_PROTO;
	err_clear();
	rc = remote_decode_flamegraph(c, data + 1, size - 1, &info, &p, &truncated);
	if (rc == 0)
		fuzz_check_profile(p);
	else
		fuzz_check_error(rc, p);
	prof_free(p);
	p = NULL;
	err_clear();
	rc = remote_decode_diff(c, data + 1, size - 1, &info, &p, NULL);
	if (rc == 0)
		fuzz_check_profile(p);
	else
		fuzz_check_error(rc, p);
	prof_free(p);
	return 0;
}
