/*
 * test_render.c — /pyroscope/render's and render-diff's time ranges
 * (src/store/querier_render.c), on a real SQLite store behind querier_handle().
 *
 * Pyroscope's render handler (pkg/querier/http.go) reads from and until in whole
 * milliseconds and hands them to SelectMergeStacktraces and Diff as Start and End,
 * both of which hold what is stamped at End: a profile at until is in the flame graph.
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

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_until_holds_its_profiles),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}
