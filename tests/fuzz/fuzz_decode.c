/*
 * fuzz_decode.c — fuzz target for decode_profile (gzip / zstd / pprof / folded / perf /
 * speedscope / flamebearer JSON), each input decoded twice: under a plain name, and under
 * a name ending in ".lines" (Pyroscope's lines format, the one told by its name).
 *
 * Contract checked: a negative ERR_* code with a non-empty one-line message and no
 * profile, or 0 with a profile whose call tree and top table can be built and whose
 * flat values add up to the root total.  Everything is freed again.
 */
#include "fuzz.h"

#include "base/err.h"
#include "ingest/decode.h"

static void decode_as(const uint8_t *data, size_t size, const char *name)
{
	struct prof *p = NULL;
	int rc;

	err_clear();
	rc = decode_profile(data, size, name, &p);
	if (rc == 0) {
		fuzz_check_profile(p);
		prof_free(p);
	} else {
		fuzz_check_error(rc, p);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	decode_as(data, size, "fuzz");
	decode_as(data, size, "fuzz.lines");
	return 0;
}
