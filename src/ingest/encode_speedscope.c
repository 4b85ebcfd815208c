/*
 * encode_speedscope.c — speedscope's JSON file format (see encode.h), written by hand:
 * the numbers are integers and the strings are escaped here, so a million-sample
 * profile costs one output buffer, not a million JSON nodes.
 *
 * Frames: functions are sorted by (name, file, start line) — strings are interned, so
 * equal ids are equal bytes — and each run of equal keys is one speedscope frame,
 * numbered in order of first use.  Strings are repaired to UTF-8 (each byte of an
 * invalid sequence, and NUL, becomes U+FFFD) and JSON-escaped, so the output always
 * parses.
 *
 * Errors: buf_* calls fail only with ERR_NOMEM (-1, message set), so results are OR-ed;
 * the one other, ERR_UNSUPPORTED (no sample to write), is returned before any is made.
 */
#include "encode.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/text.h"
#include "base/units.h"
#include "base/vec.h"

#define SPEEDSCOPE_SCHEMA "https://www.speedscope.app/file-format-schema.json"

__extension__ typedef __int128 i128;

/*
 * Appends s[0..n) as a JSON string literal: valid UTF-8, quotes and control characters
 * escaped; NUL becomes U+FFFD too, as strict parsers (jansson) refuse "\u0000".
 */
static int put_str(struct buf *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, start = 0, len;
	int rc = buf_add(out, "\"", 1);

	while (i < n) {
		len = text_utf8_len(s + i, n - i);
		if (len > 1 || (len == 1 && u[i] >= 0x20 && u[i] != '"' && u[i] != '\\')) {
			i += len;
			continue;
		}
		rc |= buf_add(out, s + start, i - start);
		if (len == 0 || u[i] == 0)
			rc |= buf_add(out, "\xef\xbf\xbd", 3);
		else if (u[i] == '"' || u[i] == '\\')
			rc |= buf_printf(out, "\\%c", u[i]);
		else
			rc |= buf_printf(out, "\\u%04x", u[i]);
		start = ++i;
	}
	rc |= buf_add(out, s + start, n - start);
	return rc | buf_add(out, "\"", 1);
}

/* speedscope's name for a pprof unit, and the factor that brings values to it. */
static const char *ss_unit(const char *unit, int64_t *mul)
{
	double scale;

	*mul = 1;
	switch (units_kind(unit, &scale)) {
	case UNIT_TIME:
		return scale == 1 ? "nanoseconds" : scale == 1e3 ? "microseconds" :
		       scale == 1e6 ? "milliseconds" : "seconds";
	case UNIT_BYTES:
		*mul = (int64_t)scale;
		return "bytes";
	default:
		return "none";
	}
}

/* An exact integer; %.0f (no decimal point, so no locale) past int64. */
static int put_int(struct buf *out, i128 v)
{
	if (v >= INT64_MIN && v <= INT64_MAX)
		return buf_printf(out, "%lld", (long long)v);
	return buf_printf(out, "%.0f", (double)v);
}

static int cmp_func(const void *a, const void *b, void *arg)
{
	const struct prof_function *fs = arg;
	const struct prof_function *x = &fs[*(const uint32_t *)a], *y = &fs[*(const uint32_t *)b];

	if (x->name != y->name)
		return x->name < y->name ? -1 : 1;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->start_line != y->start_line)
		return x->start_line < y->start_line ? -1 : 1;
	return (*(const uint32_t *)a > *(const uint32_t *)b) - (*(const uint32_t *)a < *(const uint32_t *)b);
}

struct frames {
	uint32_t *rep;    /* function → first function with its key */
	uint32_t *frame;  /* representative function → frame index, PROF_NONE when unused */
	uint32_t *func;   /* frame index → representative function */
	uint32_t n;
};

static int frames_init(struct frames *fr, const struct prof *p)
{
	uint32_t i, *order = malloc(((size_t)p->nfunctions + 1) * sizeof(*order));

	fr->n = 0;
	fr->rep = malloc(((size_t)p->nfunctions + 1) * sizeof(*fr->rep));
	fr->frame = malloc(((size_t)p->nfunctions + 1) * sizeof(*fr->frame));
	fr->func = malloc(((size_t)p->nfunctions + 1) * sizeof(*fr->func));
	if (!order || !fr->rep || !fr->frame || !fr->func) {
		free(order);
		return err_set(ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < p->nfunctions; i++) {
		order[i] = i;
		fr->frame[i] = PROF_NONE;
	}
	qsort_r(order, p->nfunctions, sizeof(*order), cmp_func, p->functions);
	for (i = 0; i < p->nfunctions; i++) {
		const struct prof_function *f = &p->functions[order[i]];
		const struct prof_function *g = i ? &p->functions[order[i - 1]] : NULL;
		bool same = g && g->name == f->name && g->file == f->file &&
			    g->start_line == f->start_line;

		fr->rep[order[i]] = same ? fr->rep[order[i - 1]] : order[i];
	}
	free(order);
	return 0;
}

static void frames_release(struct frames *fr)
{
	free(fr->rep);
	free(fr->frame);
	free(fr->func);
}

/*
 * The frames of sample s, root first, inlined frames expanded, into *stk (grown as
 * needed); with `assign`, frames not seen before get the next index.  Returns the count
 * or a negative error.
 */
static long sample_stack(const struct prof *p, const struct prof_sample *s, struct frames *fr,
			 bool assign, uint32_t **stk, size_t *cap)
{
	size_t n = 0;
	uint32_t j, k;

	for (j = s->nlocs; j-- > 0;) {
		const struct prof_location *l = &p->locations[p->sample_locs[s->loc_off + j]];

		if (vec_reserve(stk, cap, n + l->nlines))
			return ERR_NOMEM;
		for (k = l->nlines; k-- > 0;) {
			uint32_t r = fr->rep[p->lines[l->line_off + k].func];

			if (assign && fr->frame[r] == PROF_NONE) {
				fr->func[fr->n] = r;
				fr->frame[r] = fr->n++;
			}
			(*stk)[n++] = fr->frame[r];
		}
	}
	return (long)n;
}

/* Appends a decimal number (hot: one per frame of every sample). */
static int put_u32(struct buf *out, uint32_t v, bool comma)
{
	char tmp[16], *e = tmp + sizeof(tmp), *q = e;

	do
		*--q = (char)('0' + v % 10);
	while (v /= 10);
	if (comma)
		*--q = ',';
	return buf_add(out, q, (size_t)(e - q));
}

static int put_frames(const struct prof *p, const struct frames *fr, struct buf *out)
{
	uint32_t i;
	int rc = buf_puts(out, "\"shared\":{\"frames\":[");

	for (i = 0; i < fr->n; i++) {
		const struct prof_function *f = &p->functions[fr->func[i]];

		rc |= buf_puts(out, i ? ",{\"name\":" : "{\"name\":");
		rc |= put_str(out, prof_str(p, f->name), prof_strlen(p, f->name));
		if (prof_strlen(p, f->file)) {
			rc |= buf_puts(out, ",\"file\":");
			rc |= put_str(out, prof_str(p, f->file), prof_strlen(p, f->file));
		}
		if (f->start_line > 0)
			rc |= buf_printf(out, ",\"line\":%lld", (long long)f->start_line);
		rc |= buf_add(out, "}", 1);
	}
	return rc | buf_puts(out, "]},");
}

int encode_speedscope(const struct prof *p, uint32_t type, const char *name, struct buf *out)
{
	const char *tname = prof_str(p, p->sample_types[type].type);
	struct frames fr;
	struct buf pname = BUF_INIT;
	uint32_t *stk = NULL;
	size_t cap = 0;
	const char *unit;
	int64_t mul;
	i128 sum = 0;
	uint32_t i, nsamples = 0;
	bool first;
	long n, k;
	int rc;

	unit = ss_unit(prof_str(p, p->sample_types[type].unit), &mul);
	if ((rc = frames_init(&fr, p)))
		goto done;
	/* frames in order of first use, and the total */
	for (i = 0; i < p->nsamples; i++) {
		if (prof_value(p, i, type) <= 0)
			continue;
		nsamples++;
		sum += (i128)prof_value(p, i, type) * mul;
		if ((rc = (int)sample_stack(p, &p->samples[i], &fr, true, &stk, &cap)) < 0)
			goto done;
	}
	if (nsamples == 0) {
		rc = encode_nothing(p, type, "is 0 or less in every sample, and a speedscope "
				    "file without samples would not read back");
		goto done;
	}
	rc = name ? buf_printf(&pname, "%s (%s)", name, tname) : buf_puts(&pname, tname);
	rc |= buf_puts(out, "{\"$schema\":\"" SPEEDSCOPE_SCHEMA "\",\"name\":");
	rc |= put_str(out, pname.data, pname.len);
	rc |= buf_puts(out, ",\"exporter\":\"smolder " SMOLDER_VERSION "\",\"activeProfileIndex\":0,");
	rc |= put_frames(p, &fr, out);
	rc |= buf_puts(out, "\"profiles\":[{\"type\":\"sampled\",\"name\":");
	rc |= put_str(out, pname.data, pname.len);
	rc |= buf_printf(out, ",\"unit\":\"%s\",\"startValue\":0,\"endValue\":", unit);
	rc |= put_int(out, sum);
	rc |= buf_puts(out, ",\"samples\":[");
	for (i = 0, first = true; i < p->nsamples && !rc; i++) {
		if (prof_value(p, i, type) <= 0)
			continue;
		if ((n = sample_stack(p, &p->samples[i], &fr, false, &stk, &cap)) < 0) {
			rc = (int)n;
			goto done;
		}
		rc |= buf_puts(out, first ? "[" : ",[");
		for (k = 0; k < n; k++)
			rc |= put_u32(out, stk[k], k > 0);
		rc |= buf_add(out, "]", 1);
		first = false;
	}
	rc |= buf_puts(out, "],\"weights\":[");
	for (i = 0, first = true; i < p->nsamples && !rc; i++) {
		if (prof_value(p, i, type) <= 0)
			continue;
		rc |= buf_add(out, ",", !first);
		rc |= put_int(out, (i128)prof_value(p, i, type) * mul);
		first = false;
	}
	rc |= buf_puts(out, "]}]}\n");
done:
	frames_release(&fr);
	buf_release(&pname);
	free(stk);
	return rc == ERR_UNSUPPORTED ? rc : rc ? ERR_NOMEM : 0;
}
