/*
 * folded.c — folded ("collapsed") stacks: `main;handler;parse 12` per line.
 *
 * Frames are root first, separated by ';'; the count follows the last space (frames may
 * contain spaces).  Blanks before the frames and after the count are trimmed, as inferno
 * trims them.  Blank lines and lines starting with '#' are ignored.  One sample type,
 * samples/count.  A count is a whole number ("12", or "12." / "12.00"): a fraction is
 * refused with its line number rather than cut (inferno cuts it with a warning,
 * flamegraph.pl adds fractions up), so no stack goes missing without a word.
 *
 * Pyroscope's "lines" format is the same without counts: every line is one sample (the
 * stack as often as it was seen), so a line is all frames, whatever its last word is;
 * only empty lines are skipped ('#' is a frame's first character there, as upstream).
 */
#include "decode.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/text.h"
#include "base/vec.h"
#include "profile/builder.h"

#define FOLDED_MAX_DEPTH 65536

/*
 * The count after a line's last blank: *v, and *end moved back past it and the blanks
 * before it (to the end of the frames).
 */
static int folded_count(const char *s, size_t lineno, const char **end, long long *v)
{
	const char *sp = *end;
	char num[32], *e;
	bool frac = false;
	int rc;

	while (sp > s && sp[-1] != ' ' && sp[-1] != '\t')
		sp--;
	if (sp == s || sp == *end || (size_t)(*end - sp) >= sizeof(num))
		return err_set(ERR_PARSE, "line %zu: expected 'frame;frame;... count'", lineno);
	memcpy(num, sp, (size_t)(*end - sp));
	num[*end - sp] = '\0';
	errno = 0;
	*v = strtoll(num, &e, 10);
	if (e != num && *e == '.') /* "12.", "12.00": whole */
		while (*++e >= '0' && *e <= '9')
			frac |= *e != '0';
	if (!*e && e != num && !errno && frac && num[0] != '+') {
		struct buf q = BUF_INIT;

		text_safe(&q, num, strlen(num), true);
		rc = err_set(ERR_PARSE, "line %zu: '%s' is a fractional count (counts are whole "
			     "numbers; scale them up)", lineno, q.data ? q.data : "");
		buf_release(&q);
		return rc;
	}
	if (e == num || *e || errno || num[0] == '+' || num[0] == ' ') {
		struct buf q = BUF_INIT;

		text_safe(&q, num, strlen(num), true);
		rc = err_set(ERR_PARSE, "line %zu: '%s' is not a sample count", lineno,
			     q.data ? q.data : "");
		buf_release(&q);
		return rc;
	}
	*end = sp;
	return 0;
}

/*
 * One line (not blank, no '#'): a sample of its count.  In the lines format, a sample of
 * 1 whose frames are the whole line, as Pyroscope's /ingest?format=lines (and serve)
 * reads it: no blank trimmed, an empty frame kept unless it ends the line.
 */
static int folded_line(struct prof_builder *b, const char *s, size_t n, size_t lineno,
		       bool lines, uint32_t **locs, size_t *cap)
{
	const char *end = s + n, *f;
	uint32_t nlocs = 0, i;
	long long v = 1;
	int rc;

	if (!lines) {
		if ((rc = folded_count(s, lineno, &end, &v)))
			return rc;
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
	}
	/* frames, root first */
	for (f = s; f <= end;) {
		const char *semi = memchr(f, ';', (size_t)(end - f));

		if (!semi)
			semi = end;
		if (semi > f || (lines && semi < end)) {
			if (nlocs >= FOLDED_MAX_DEPTH)
				return err_set(ERR_TOOBIG, "line %zu: deeper than %d frames", lineno,
					       FOLDED_MAX_DEPTH);
			if ((rc = vec_reserve(locs, cap, nlocs + 1)) ||
			    (rc = pb_named_frame(b, f, (size_t)(semi - f), &(*locs)[nlocs])))
				return rc;
			nlocs++;
		}
		f = semi + 1;
	}
	if (nlocs == 0)
		return err_set(ERR_PARSE, "line %zu: no frames", lineno);
	/* the model wants leaf first */
	for (i = 0; i < nlocs / 2; i++) {
		uint32_t t = (*locs)[i];

		(*locs)[i] = (*locs)[nlocs - 1 - i];
		(*locs)[nlocs - 1 - i] = t;
	}
	return pb_sample(b, *locs, nlocs, (int64_t[]){ (int64_t)v }, NULL, 0);
}

int folded_decode(const char *data, size_t len, bool lines, struct prof **out)
{
	struct prof_builder *b;
	const char *p = data, *end = data + len, *nl;
	uint32_t *locs = NULL, t, u;
	size_t cap = 0, lineno = 0, n;
	int rc;

	*out = NULL;
	if ((rc = pb_new(&b)))
		return rc;
	if ((rc = pb_string(b, "samples", 7, &t)) || (rc = pb_string(b, "count", 5, &u)) ||
	    (rc = pb_sample_type(b, t, u)))
		goto fail;
	pb_set_period(b, t, u, 1);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		n = (size_t)(nl - p);
		lineno++;
		if (n && p[n - 1] == '\r')
			n--;
		while (!lines && n && (*p == ' ' || *p == '\t'))
			p++, n--;
		while (!lines && n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n && (lines || *p != '#') &&
		    (rc = folded_line(b, p, n, lineno, lines, &locs, &cap)))
			goto fail;
		p = nl + 1;
	}
	free(locs);
	return pb_finish(b, out);
fail:
	free(locs);
	pb_free(b);
	return rc;
}
