/*
 * fuzz_flamegraph.c — fuzz target for the flame graph answers of a Pyroscope server
 * (store/remote.h: remote_decode_flamegraph and remote_decode_diff), both codecs.
 *
 * The first input byte picks the codec ('J': Connect JSON, anything else: protobuf), the
 * second the max_nodes the answer was asked with (its value modulo 8 indexes fb_nodes
 * below: 0 for none, as a merge over a split range asks, to 16384, the explorer's
 * BROWSER_MAX_NODES), which bounds the decode's memory (fb_budget in remote_decode.c)
 * and refuses levels not folded as asked; the rest is the body of a
 * SelectMergeStacktraces answer, also read as a Diff answer.
 * Contract checked: a negative ERR_* code with a non-empty one-line message and no
 * profile, or 0 with a profile whose call tree builds and whose root total is the sum
 * of its samples (the builder refuses sums past int64).  Everything is freed again.
 * Seeds: tests/fuzz/corpus/flamegraph (tests/fuzz/make_flamegraph_corpus.py).
 */
#include "fuzz.h"

#include "base/err.h"
#include "store/querier_server.h"
#include "store/remote.h"

/*
 * The max_nodes a fuzz input picks: none; 1-3, under which small answers are or are not
 * folded enough; 1024; the querier's default; the explorer's (BROWSER_MAX_NODES, private
 * to tui/browser_view.c); the querier's maximum.
 */
static const uint32_t fb_nodes[8] = { 0, 1, 2, 3, 1024, QUERIER_MAX_NODES_DEFAULT, 16384,
				      QUERIER_MAX_NODES_MAX };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fb_prof_info info = { "cpu", "nanoseconds", "cpu", "nanoseconds", 0, 0, 0 };
	enum remote_codec c;
	struct prof *p = NULL;
	bool truncated;
	int rc;

	if (size < 2)
		return 0;
	c = data[0] == 'J' ? REMOTE_CODEC_JSON : REMOTE_CODEC_PROTO;
	info.max_nodes = fb_nodes[data[1] % 8];
	data += 2;
	size -= 2;
	err_clear();
	rc = remote_decode_flamegraph(c, data, size, &info, &p, &truncated);
	if (rc == 0)
		fuzz_check_profile(p);
	else
		fuzz_check_error(rc, p);
	prof_free(p);
	p = NULL;
	err_clear();
	rc = remote_decode_diff(c, data, size, &info, &p, NULL);
	if (rc == 0)
		fuzz_check_profile(p);
	else
		fuzz_check_error(rc, p);
	prof_free(p);
	return 0;
}
