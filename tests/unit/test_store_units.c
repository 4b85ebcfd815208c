/*
 * test_store_units.c — a push of several profiles is written as one unit inside the
 * writer's group transaction (store_unit_begin/end): kept whole or dropped whole, and
 * the other pushes of the transaction are kept either way.  And a timeline whose range
 * reaches int64's edges (1678, 292 years long) draws its pushes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "store/backend.h"
#include "store/store.h"
#include "testutil.h"
#include "testutil_store.h"

static int setup(void **state)
{
	(void)state;
	return tu_tmp_create("store_units");
}

static int teardown(void **state)
{
	(void)state;
	tu_tmp_remove();
	return 0;
}

static void test_units(void **state)
{
	struct store *s = ts_open_new("units.db");
	struct backend *b = ts_backend_of(s);
	struct prof *p = tu_decode_str("main;work 3\nmain 1\n");
	char *pt = ts_ptype_of(p, 0, NULL);
	struct store_stats st;

	(void)state;
	/* outside a transaction: refused */
	assert_int_equal(store_unit_begin(s), ERR_USAGE);
	assert_int_equal(store_begin(s), 0);
	ts_write_or_fail(s, "before", p, T0, NULL, NULL);
	/* a unit dropped: both of its profiles go, and a new service's symbols with them */
	assert_int_equal(store_unit_begin(s), 0);
	ts_write_or_fail(s, "dropped", p, T0, NULL, NULL);
	ts_write_or_fail(s, "dropped", p, T0 + SEC, NULL, NULL);
	assert_int_equal(store_unit_end(s, ERR_PARSE), ERR_PARSE);
	/* a unit kept, after the dropped one (the writer's caches were reset) */
	assert_int_equal(store_unit_begin(s), 0);
	ts_write_or_fail(s, "kept", p, T0, NULL, NULL);
	ts_write_or_fail(s, "kept", p, T0 + SEC, NULL, NULL);
	assert_int_equal(store_unit_end(s, 0), 0);
	ts_write_or_fail(s, "after", p, T0, NULL, NULL);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(store_stats(s, &st), 0);
	tu_assert_i64((int64_t)st.profiles, 4);
	tu_assert_i64(ts_total_of(b, pt, "{service_name=\"before\"}"), 4);
	tu_assert_i64(ts_total_of(b, pt, "{service_name=\"kept\"}"), 8);
	tu_assert_i64(ts_total_of(b, pt, "{service_name=\"after\"}"), 4);
	assert_int_equal(ts_merge_rc(b, pt, "{service_name=\"dropped\"}", T0, T0 + 100 * SEC),
			 ERR_NOTFOUND);
	prof_free(p);
	free(pt);
	backend_close(b);
	store_close(s);
}

/* 2026-11-23, from a grid 292 years before: more than INT64_MAX ns after its start */
#define NOW_NS 1795398391000000000LL

/*
 * A push now on a timeline from now-292y: its offset from the first step's start does not
 * fit int64 (UBSan's signed overflow in tl_row; wrapped, the push fell off the timeline).
 */
static void test_timeline_292y(void **state)
{
	struct store *s = ts_open_new("tl-292y.db");
	struct backend *b = ts_backend_of(s);
	struct prof *p = tu_decode_str("main;work 3\nmain 1\n");
	char *pt = ts_ptype_of(p, 0, NULL);
	const int64_t step = 10000000LL * SEC;
	struct query q = { pt, NULL, { -7443547200000000000LL, NOW_NS + SEC }, AGG_AUTO, NULL,
			   0 };
	struct series_points_list tl = { 0 };
	double sum = 0;
	size_t k;

	(void)state;
	ts_write_or_fail(s, "app", p, NOW_NS, NULL, NULL);
	assert_int_equal(b->ops->timeline(b, &q, 10000000, NULL, &tl), 0);
	assert_int_equal(tl.n, 1);
	assert_int_equal(tl.v[0].n, 925);  /* from -745 steps to 2026's, the 925th */
	for (k = 0; k < tl.v[0].n; k++)
		sum += tl.v[0].values[k];
	assert_true(sum == 4 && tl.v[0].values[924] == 4);
	/* -745 + 924 steps; start + 924 * step overflowed there too */
	tu_assert_i64(tl.v[0].ts_ms[924], 179 * step / 1000000);
	series_points_list_release(&tl);
	prof_free(p);
	free(pt);
	backend_close(b);
	store_close(s);
}

/*
 * From 1678-01-01 by years: the step holding it began before int64 does (UBSan's signed
 * overflow in backend_timeline_grid).  The grid starts at its first whole step,
 * 1678-03-12, which holds a push of 1678-06-01; a range wholly before it is refused.
 */
static void test_timeline_1678(void **state)
{
	struct store *s = ts_open_new("tl-1678.db");
	struct backend *b = ts_backend_of(s);
	struct prof *p = tu_decode_str("main;work 3\nmain 1\n");
	char *pt = ts_ptype_of(p, 0, NULL);
	const int64_t y1678 = -9214560000LL * SEC, june = -9201513600LL * SEC;
	const int64_t first = -292LL * 31536000 * SEC;  /* 1678-03-12 */
	struct query q = { pt, NULL, { y1678, NOW_NS + SEC }, AGG_AUTO, NULL, 0 };
	struct series_points_list tl = { 0 };
	int64_t start = 0, step = 0;
	size_t n = 0;

	(void)state;
	assert_int_equal(backend_timeline_grid(q.range, 31536000, SIZE_MAX, &start, &step, &n),
			 0);
	tu_assert_i64(start, first);
	assert_int_equal(n, 349);
	ts_write_or_fail(s, "app", p, june, NULL, NULL);
	ts_write_or_fail(s, "app", p, NOW_NS, NULL, NULL);
	assert_int_equal(b->ops->timeline(b, &q, 31536000, NULL, &tl), 0);
	assert_int_equal(tl.n, 1);
	assert_int_equal(tl.v[0].n, 349);
	tu_assert_i64(tl.v[0].ts_ms[0], first / 1000000);
	assert_true(tl.v[0].values[0] == 4 && tl.v[0].values[348] == 4);
	series_points_list_release(&tl);
	q.range.to_ns = y1678 + 3600 * SEC;
	assert_int_equal(b->ops->timeline(b, &q, 31536000, NULL, &tl), ERR_USAGE);
	assert_non_null(strstr(err_last(), "ends before the first step"));
	assert_int_equal(tl.n, 0);
	prof_free(p);
	free(pt);
	backend_close(b);
	store_close(s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_timeline_292y),
		cmocka_unit_test(test_timeline_1678),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}
