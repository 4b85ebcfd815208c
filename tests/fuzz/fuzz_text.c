/*
 * fuzz_text.c — fuzz target for the short texts users and HTTP clients type: label
 * selectors (profile/selector.h), times (both grammars: the command line's and render's)
 * and durations (base/timeparse.h), profile type IDs and aggregations (store/backend.h).
 * Each reaches smolder from a command line, a query string or a query body.
 *
 * The first input byte picks the parser (its value modulo 4: 0 selector, 1 time,
 * 2 duration, 3 profile type and aggregation); the rest, up to a NUL, is the text.
 *
 * Contract checked: a refusal is a negative ERR_* code with a non-empty one-line message;
 * an accepted selector formats to a text that parses again and formats the same (the
 * canonical form round-trips), and matching it against a label set does not fail; an
 * accepted duration is not negative; a profile type's five fields are all set.
 * Everything is freed again.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/timeparse.h"
#include "profile/labels.h"
#include "profile/selector.h"
#include "store/backend.h"

static void refused(int rc)
{
	if (rc >= 0)
		fuzz_broken("a positive return code");
	fuzz_check_message(err_last());
}

static void selector_case(const char *s)
{
	struct selector *a = NULL, *b = NULL;
	struct buf fa = BUF_INIT, fb = BUF_INIT;
	struct labelset ls = LABELSET_INIT;
	int rc;

	if ((rc = selector_parse(s, &a))) {
		if (a)
			fuzz_broken("a refused selector was returned");
		refused(rc);
		return;
	}
	if (selector_format(a, &fa))
		fuzz_broken("an accepted selector does not format");
	if ((rc = selector_parse(fa.data ? fa.data : "", &b))) {
		fuzz_check_message(err_last());
		fuzz_broken("the canonical form of an accepted selector does not parse");
	}
	if (selector_format(b, &fb) || fa.len != fb.len ||
	    (fa.len && memcmp(fa.data, fb.data, fa.len) != 0))
		fuzz_broken("the canonical form does not round-trip");
	if (a->n != b->n)
		fuzz_broken("the canonical form has another number of matchers");
	/* matching must be total: every matcher's own value, and labels it lacks */
	labelset_set(&ls, "service_name", "app");
	for (size_t i = 0; i < a->n; i++)
		if (a->m[i].name && a->m[i].value)
			labelset_set(&ls, a->m[i].name, a->m[i].value);
	/* 1, 0, or an error with a message (a regex too complex to decide) */
	if ((rc = selector_test(a, &ls)) < 0)
		refused(rc);
	err_clear();
	if ((rc = selector_test(b, &ls)) < 0)
		refused(rc);
	labelset_free(&ls);
	buf_release(&fa);
	buf_release(&fb);
	selector_free(a);
	selector_free(b);
}

static void time_case(const char *s)
{
	const int64_t now = 1700000000LL * 1000000000LL;
	char out[64];
	int64_t t = 0;
	int rc;

	/* both grammars: the command line's (profilecli) and render's (attime) */
	if ((rc = timeparse(s, now, &t))) {
		refused(rc);
	} else {
		time_format_rfc3339(t, out, sizeof(out));
		if (!memchr(out, '\0', sizeof(out)))
			fuzz_broken("a formatted time is not terminated");
	}
	err_clear();
	if ((rc = timeparse_attime(s, now, &t)))
		refused(rc);
}

static void duration_case(const char *s)
{
	int64_t d = -1;
	int rc;

	if ((rc = timeparse_duration(s, &d))) {
		refused(rc);
		return;
	}
	if (d < 0)
		fuzz_broken("a negative duration was accepted");
}

static void type_case(const char *s)
{
	struct profile_type pt;
	enum aggregate agg;
	size_t n = profile_type_id_len(s);
	int rc;

	if (n > strlen(s))
		fuzz_broken("profile_type_id_len past the end of the ID");
	(void)profile_type_is_gauge(s);
	memset(&pt, 0, sizeof(pt));
	if ((rc = profile_type_parse(s, &pt))) {
		refused(rc);
	} else {
		if (!pt.id || !pt.name || !pt.sample_type || !pt.sample_unit || !pt.period_type ||
		    !pt.period_unit)
			fuzz_broken("an accepted profile type lacks a field");
		profile_type_release(&pt);
	}
	err_clear();
	if ((rc = aggregate_parse(s, &agg)))
		refused(rc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	err_clear();
	switch (data[0] % 4) {
	case 0:
		selector_case(s);
		break;
	case 1:
		time_case(s);
		break;
	case 2:
		duration_case(s);
		break;
	default:
		type_case(s);
		break;
	}
	free(s);
	return 0;
}
