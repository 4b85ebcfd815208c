/*
 * test_render.c — /pyroscope/render's and render-diff's time ranges and render's
 * timeline (src/store/querier_render.c), and the timeline grid's step
 * (backend_timeline_grid), on a real SQLite store behind querier_handle().
 *
 * Pyroscope's render handler (pkg/querier/http.go) reads from and until in whole
 * milliseconds and hands them to SelectMergeStacktraces and Diff as Start and End,
 * both of which hold what is stamped at End; its timeline is timeline.New over its own
 * SelectSeries answer, whose points are stamped with their step's end.  So a profile at
 * until is in the flame graph, and render's timeline here must be what timeline.New
 * makes of this server's own SelectSeries answer for the same range and step.
 */
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "store/querier_server.h"
#include "testutil_store.h"

/* a second on a multiple of 15 s, the step of render's timeline for a minute */
#define B 1700000010LL
/* {service_name="tl"} in a printf format */
#define SVC "%%7Bservice_name%%3D%%22tl%%22%%7D"

static struct store *st;
static struct backend *be;
static char *ptype;

/*
 * Four pushes, each with its own total so a sum says which are in: 1 at B + 5 s (eu),
 * 10 at B + 20 s (us), 100 at B + 50 s (eu), 1000 at B + 60 s (us).
 */
static int setup(void **state)
{
	static const struct { int64_t s; const char *folded, *region; } push[] = {
		{ 5, "main;a 1\n", "eu" },
		{ 20, "main;b 10\n", "us" },
		{ 50, "main;c 100\n", "eu" },
		{ 60, "main;d 1000\n", "us" },
	};
	size_t i;

	(void)state;
	if (tu_tmp_create("render"))
		return -1;
	st = ts_open_new("render.db");
	be = ts_backend_of(st);
	for (i = 0; i < sizeof(push) / sizeof(push[0]); i++) {
		struct prof *p = tu_decode_str(push[i].folded);

		if (!ptype)
			ptype = ts_ptype_of(p, 0, NULL);
		ts_write_or_fail(st, "tl", p, (B + push[i].s) * SEC, "region", push[i].region);
		prof_free(p);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	backend_close(be);
	store_close(st);
	free(ptype);
	tu_tmp_remove();
	return 0;
}

/* method path (body: a JSON POST), which must answer 200, as JSON (json_decref() it) */
static json_t *call(const char *method, const char *path, const char *body)
{
	struct ingest_header h = { "Content-Type", "application/json" };
	struct ingest_request rq;
	struct querier_reply out;
	json_error_t e;
	json_t *root;

	memset(&rq, 0, sizeof(rq));
	querier_reply_init(&out);
	rq.method = method;
	rq.path = path;
	rq.query = strchr(path, '?') ? strchr(path, '?') + 1 : NULL;
	if (body) {
		rq.headers = &h;
		rq.nheaders = 1;
		rq.body = (const uint8_t *)body;
		rq.body_len = strlen(body);
	}
	rq.now_ns = (B + 3600) * SEC;
	if (querier_handle(be, NULL, &rq, &out) || out.status != 200)
		fail_msg("%s %s: %d %s", method, path, out.status, out.body.data);
	root = json_loads(out.body.data, 0, &e);
	if (!root)
		fail_msg("%s: not JSON: %s", path, out.body.data);
	querier_reply_release(&out);
	return root;
}

static json_t *render(const char *fmt, ...) ERR_PRINTF(1, 2);
static json_t *render(const char *fmt, ...)
{
	char path[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(path));
	return call("GET", path, NULL);
}

static int64_t int_at(json_t *o, const char *k1, const char *k2)
{
	json_t *v = json_object_get(o, k1);

	if (k2)
		v = json_object_get(v, k2);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/*
 * until holds what is stamped at it, as Pyroscope's End does: [B, B + 60 s] has all four
 * pushes, and render-diff's left side [B, B + 60 s] and right side [B + 60 s, B + 120 s]
 * both have the one at B + 60 s.  Times in ms and ns count by the millisecond.
 */
static void test_until_holds_its_profiles(void **state)
{
	json_t *r;

	(void)state;
	r = render("/pyroscope/render?query=%s" SVC "&from=%lld&until=%lld", ptype, B, B + 60);
	tu_assert_i64(int_at(r, "flamebearer", "numTicks"), 1111);
	json_decref(r);
	/* until in ms, at the push; then only that push, from its ms in ns (upstream's ms) */
	r = render("/pyroscope/render?query=%s" SVC "&from=%lld&until=%lld000", ptype, B + 21,
		   B + 60);
	tu_assert_i64(int_at(r, "flamebearer", "numTicks"), 1100);
	json_decref(r);
	r = render("/pyroscope/render?query=%s" SVC "&from=%lld000400000&until=%lld", ptype,
		   B + 60, B + 61);
	tu_assert_i64(int_at(r, "flamebearer", "numTicks"), 1000);
	json_decref(r);
	r = render("/pyroscope/render-diff?leftQuery=%s" SVC "&leftFrom=%lld&leftUntil=%lld"
		   "&rightQuery=%s" SVC "&rightFrom=%lld&rightUntil=%lld",
		   ptype, B, B + 60, ptype, B + 60, B + 120);
	tu_assert_i64(int_at(r, "leftTicks", NULL), 1111);
	tu_assert_i64(int_at(r, "rightTicks", NULL), 1000);
	json_decref(r);
}

/* samples as a comma-separated list, to compare and to print */
static void samples_str(json_t *tl, char *out, size_t size)
{
	json_t *s = json_object_get(tl, "samples");
	size_t i, n = 0;

	assert_true(json_is_array(s));
	out[0] = 0;
	for (i = 0; i < json_array_size(s) && n < size; i++)
		n += (size_t)snprintf(out + n, size - n, "%s%lld", i ? "," : "",
				      (long long)json_integer_value(json_array_get(s, i)));
	assert_true(n < size);
}

/*
 * Pyroscope's timeline.New, as its documentation and tests describe it: from and until
 * snapped down to the step, (until - from) / step samples from the snapped from, a point
 * stamped t in sample (t - from) / step when from <= t < until, the value cut to a whole
 * number.  points: SelectSeries' JSON points (NULL: none).
 */
static void timeline_new(json_t *points, int64_t from_ms, int64_t until_ms, int64_t step_s,
			 char *out, size_t size)
{
	int64_t step_ms = step_s * 1000, s = from_ms / step_ms * step_ms;
	int64_t e = until_ms / step_ms * step_ms, n = s < e ? (e / 1000 - s / 1000) / step_s : 0;
	uint64_t *v = calloc((size_t)n + 1, sizeof(*v));
	size_t i, len = 0;
	int64_t k;

	for (i = 0; i < json_array_size(points); i++) {
		json_t *p = json_array_get(points, i), *ts = json_object_get(p, "timestamp");
		int64_t t = json_is_string(ts) ? strtoll(json_string_value(ts), NULL, 10) :
						 json_integer_value(ts);

		if (t >= s && t < e)
			v[(t / 1000 - s / 1000) / step_s] =
				(uint64_t)json_number_value(json_object_get(p, "value"));
	}
	out[0] = 0;
	for (k = 0; k < n && len < size; k++)
		len += (size_t)snprintf(out + len, size - len, "%s%llu", k ? "," : "",
					(unsigned long long)v[k]);
	assert_true(len < size);
	free(v);
}

/* this server's SelectSeries of (from, until] (seconds) by step, grouped by region or not */
static json_t *select_series(int64_t from_s, int64_t until_s, double step_s, bool group)
{
	char body[512];

	snprintf(body, sizeof(body),
		 "{\"profileTypeID\":\"%s\",\"labelSelector\":\"{service_name=\\\"tl\\\"}\","
		 "\"start\":%lld,\"end\":%lld,\"step\":%.15g%s}",
		 ptype, (long long)from_s * 1000, (long long)until_s * 1000, step_s,
		 group ? ",\"groupBy\":[\"region\"]" : "");
	return call("POST", "/querier.v1.QuerierService/SelectSeries", body);
}

/*
 * A point at t holds (t - step, t] (Pyroscope stamps a step with its end): on [B, B + 60 s]
 * by 15 s the push at B + 5 s is in sample B + 15 s, the one at B + 20 s in B + 30 s; the
 * one at B + 50 s would be at B + 60 s, past the last sample (B + 45 s), as upstream.
 */
static void test_timeline_stamps_step_ends(void **state)
{
	char got[256];
	json_t *r;

	(void)state;
	r = render("/pyroscope/render?query=%s" SVC "&from=%lld&until=%lld", ptype, B, B + 60);
	tu_assert_i64(int_at(r, "timeline", "startTime"), B);
	tu_assert_i64(int_at(r, "timeline", "durationDelta"), 15);
	samples_str(json_object_get(r, "timeline"), got, sizeof(got));
	assert_string_equal(got, "0,1,10,0");
	json_decref(r);
	/* a push at from is in the flame graph's range: it is in the step that holds it */
	r = render("/pyroscope/render?query=%s" SVC "&from=%lld&until=%lld", ptype, B + 20,
		   B + 80);
	tu_assert_i64(int_at(r, "timeline", "startTime"), B + 15);
	samples_str(json_object_get(r, "timeline"), got, sizeof(got));
	assert_string_equal(got, "0,10,0,100");
	json_decref(r);
}

/*
 * Render's timeline, and each of its groupBy groups, is timeline.New of this server's
 * SelectSeries answer for the same range and step: on and off the grid, a range that
 * starts after every push, and one that is less than a step.  (No push is at a range's
 * from: SelectSeries leaves from's ms out, render's flame graph and timeline hold it.)
 */
static void test_timeline_is_select_series(void **state)
{
	static const int64_t ranges[][2] = {
		{ B, B + 60 }, { B + 7, B + 67 }, { B - 300, B + 300 }, { B + 3, B + 95 },
		{ B + 52, B + 130 }, { B + 61, B + 200 }, { B - 40, B + 8 }, { B + 2, B + 9 },
	};
	char got[8192], want[8192];
	size_t i, g;

	(void)state;
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		int64_t from = ranges[i][0], until = ranges[i][1];
		json_t *r = render("/pyroscope/render?query=%s" SVC "&from=%lld&until=%lld", ptype,
				   (long long)from, (long long)until);
		int64_t step = int_at(r, "timeline", "durationDelta");
		json_t *ss = select_series(from, until, (double)step, false);
		json_t *series = json_object_get(ss, "series");

		assert_true(json_array_size(series) <= 1);
		samples_str(json_object_get(r, "timeline"), got, sizeof(got));
		timeline_new(json_object_get(json_array_get(series, 0), "points"), from * 1000,
			     until * 1000, step, want, sizeof(want));
		if (strcmp(got, want) != 0)
			fail_msg("[%+lld s, %+lld s]: render's timeline %s, timeline.New of "
				 "SelectSeries %s", (long long)(from - B), (long long)(until - B),
				 got, want);
		json_decref(ss);
		json_decref(r);

		r = render("/pyroscope/render?query=%s" SVC "&from=%lld&until=%lld&groupBy=region",
			   ptype, (long long)from, (long long)until);
		ss = select_series(from, until, (double)step, true);
		series = json_object_get(ss, "series");
		assert_int_equal(json_object_size(json_object_get(r, "groups")),
				 json_array_size(series));
		for (g = 0; g < json_array_size(series); g++) {
			json_t *s = json_array_get(series, g);
			json_t *l = json_array_get(json_object_get(s, "labels"), 0);
			const char *name = json_string_value(json_object_get(l, "value"));
			json_t *tl = json_object_get(json_object_get(r, "groups"), name);

			assert_non_null(tl);
			samples_str(tl, got, sizeof(got));
			timeline_new(json_object_get(s, "points"), from * 1000, until * 1000, step,
				     want, sizeof(want));
			if (strcmp(got, want) != 0)
				fail_msg("[%+lld s, %+lld s] %s: render's group %s, timeline.New "
					 "of SelectSeries %s", (long long)(from - B),
					 (long long)(until - B), name, got, want);
		}
		json_decref(ss);
		json_decref(r);
	}
}

/*
 * The grid's step of 4.1 s is 4,100,000,000 ns, and the grid starts on a multiple of it
 * (cut down, it was 4,099,999,999 ns, whose multiples now lie seconds off 4.1 s's).
 * SelectSeries reads its step as upstream, time.Duration(step * 1e9).Milliseconds(): 4.1
 * is 4099 ms there, so its points lie on multiples of 4099 ms (test_querier
 * test_series_step_ms); the grid reads the 4.099 it is given as exactly 4099 ms.
 */
static void test_grid_step_rounds(void **state)
{
	static const double steps[] = { 4.1, 0.3, 1.1, 2.3, 0.001, 86400.7 };
	struct time_range r = { B * SEC, (B + 3600) * SEC };
	int64_t start, step, want;
	json_t *ss, *pts;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		want = (int64_t)(steps[i] * 1000 + 0.5) * 1000000;
		assert_int_equal(backend_timeline_grid(r, steps[i], SIZE_MAX, &start, &step, &n), 0);
		tu_assert_i64(step, want);
		tu_assert_i64(start % want, 0);
		assert_true(start <= r.from_ns && start + want > r.from_ns);
	}
	/* through SelectSeries: every point on a multiple of 4099 ms, as upstream's step */
	ss = select_series(B, B + 60, 4.1, false);
	pts = json_object_get(json_array_get(json_object_get(ss, "series"), 0), "points");
	assert_int_equal(json_array_size(pts), 4);
	for (i = 0; i < json_array_size(pts); i++) {
		json_t *ts = json_object_get(json_array_get(pts, i), "timestamp");
		int64_t t = json_is_string(ts) ? strtoll(json_string_value(ts), NULL, 10) :
						 json_integer_value(ts);

		if (t % 4099)
			fail_msg("SelectSeries by 4.1 s: a point at %lld ms, %lld ms past a "
				 "multiple of 4099 ms", (long long)t, (long long)(t % 4099));
	}
	json_decref(ss);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_until_holds_its_profiles),
		cmocka_unit_test(test_timeline_stamps_step_ends),
		cmocka_unit_test(test_timeline_is_select_series),
		cmocka_unit_test(test_grid_step_rounds),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}
