/*
 * fuzz_remote.c — fuzz target for the answers of a Pyroscope server that are not flame
 * graphs (store/remote.h; fuzz_flamegraph.c has those): SelectMergeProfile's pprof,
 * ProfileTypes, LabelNames / LabelValues, Series, SelectSeries (the timeline) and the
 * error bodies.  Whatever server --url names is untrusted.
 *
 * The first input byte picks the decoder (its value modulo 8: 0 pprof, 1 profile types,
 * 2 names, 3 series, 4 timeline, 5 an error body, 6 and 7 the timeline over a grid of one
 * step) and the codec (bit 3: Connect JSON, else protobuf); the rest is the body.
 *
 * Contract checked: a refusal is a negative ERR_* code with a non-empty one-line message
 * (it may leave part of the answer in the list, as the backend's lists are appended to and
 * dropped on an error); whatever is in the list holds only what the decoder promises: profile types with every part set, names and labels without NULs and no
 * longer than a label may be, timelines with one finite value per step of the grid
 * asked for, a profile whose call tree and top table add up, and an error body made one
 * terminal-safe line of at most 300 cells (so at most 300 characters, counting the
 * ellipsis of a cut).  Everything is freed again.
 * Seeds: tests/fuzz/corpus/remote (tests/fuzz/make_remote_corpus.py).
 */
#include "fuzz.h"

#include <math.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/strvec.h"
#include "store/remote.h"

/* remote_decode.c's bound on a label's name or value */
#define LABEL_MAX (64 * 1024)

/* The grid timelines are asked on: 12 steps of 10 s from T0 (ms), as the client asks. */
#define T0_MS 1700000000000LL
#define STEP_MS 10000LL
#define STEPS 12

static void check_string(const char *s)
{
	if (!s)
		fuzz_broken("a NULL string in a decoded answer");
	if (strlen(s) > LABEL_MAX)
		fuzz_broken("a name or label longer than the decoder's bound");
}

static void check_labels(const struct labelset *ls)
{
	size_t i;

	for (i = 0; i < ls->n; i++) {
		check_string(ls->v[i].name);
		check_string(ls->v[i].value);
	}
}

static void check_refusal(int rc)
{
	if (rc >= 0)
		fuzz_broken("a refusal with a non-negative code");
	fuzz_check_message(err_last());
}

static void run_pprof(enum remote_codec c, const uint8_t *d, size_t n)
{
	struct prof *p = NULL;
	int rc = remote_decode_pprof(c, d, n, &p);

	if (rc == 0) {
		if (p)
			fuzz_check_profile(p);
	} else {
		fuzz_check_error(rc, p);
	}
	prof_free(p);
}

static void run_types(enum remote_codec c, const uint8_t *d, size_t n)
{
	struct profile_type_list l = { 0 };
	size_t i;
	int rc = remote_decode_profile_types(c, d, n, &l);

	if (rc)
		check_refusal(rc);
	for (i = 0; i < l.n; i++) {
		const struct profile_type *t = &l.v[i];

		if (!t->id || !t->name || !t->sample_type || !t->sample_unit ||
		    !t->period_type || !t->period_unit)
			fuzz_broken("a profile type with a part missing");
	}
	profile_type_list_release(&l);
}

static void run_names(enum remote_codec c, const uint8_t *d, size_t n)
{
	struct strvec sv = STRVEC_INIT;
	size_t i;
	int rc = remote_decode_names(c, d, n, &sv);

	if (rc)
		check_refusal(rc);
	for (i = 0; i < sv.n; i++)
		check_string(sv.v[i]);
	strvec_release(&sv);
}

static void run_series(enum remote_codec c, const uint8_t *d, size_t n)
{
	struct labelset_list l = { 0 };
	size_t i;
	int rc = remote_decode_series(c, d, n, &l);

	if (rc)
		check_refusal(rc);
	for (i = 0; i < l.n; i++)
		check_labels(&l.v[i]);
	labelset_list_release(&l);
}

static void run_timeline(enum remote_codec c, const uint8_t *d, size_t n, size_t steps)
{
	struct series_points_list l = { 0 };
	int64_t until = T0_MS + (int64_t)steps * STEP_MS;
	size_t i, k;
	int rc = remote_decode_timeline(c, d, n, T0_MS, until, T0_MS * 1000000,
					STEP_MS * 1000000, steps, &l);

	if (rc)
		check_refusal(rc);
	for (i = 0; i < l.n; i++) {
		const struct series_points *sp = &l.v[i];

		check_labels(&sp->labels);
		if (sp->n != steps)
			fuzz_broken("a timeline off the grid asked for");
		for (k = 0; k < sp->n; k++) {
			if (sp->ts_ms[k] != T0_MS + (int64_t)k * STEP_MS)
				fuzz_broken("a timeline step at the wrong time");
			if (!isfinite(sp->values[k]))
				fuzz_broken("a timeline value that is not finite");
		}
	}
	series_points_list_release(&l);
}

/* Characters of valid UTF-8 (the bytes that do not continue one). */
static size_t utf8_chars(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

static void run_error(const uint8_t *d, size_t n)
{
	struct buf out = BUF_INIT;
	int rc = remote_error_message((const char *)d, n, &out);

	if (rc < 0 && rc != ERR_NOMEM)
		fuzz_broken("an error body refused with something else than out of memory");
	if (rc == 0 && out.len) {
		if (utf8_chars(out.data, out.len) > 300)
			fuzz_broken("an error message wider than its bound");
		if (memchr(out.data, '\0', out.len))
			fuzz_broken("a NUL inside an error message");
		fuzz_check_message(out.data);
	}
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum remote_codec c;

	if (size < 1)
		return 0;
	c = data[0] & 8 ? REMOTE_CODEC_JSON : REMOTE_CODEC_PROTO;
	err_clear();
	switch (data[0] & 7) {
	case 0:
		run_pprof(c, data + 1, size - 1);
		break;
	case 1:
		run_types(c, data + 1, size - 1);
		break;
	case 2:
		run_names(c, data + 1, size - 1);
		break;
	case 3:
		run_series(c, data + 1, size - 1);
		break;
	case 4:
		run_timeline(c, data + 1, size - 1, STEPS);
		break;
	case 5:
		run_error(data + 1, size - 1);
		break;
	default:
		run_timeline(c, data + 1, size - 1, 1);
		break;
	}
	err_clear();
	return 0;
}
