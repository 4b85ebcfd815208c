/*
 * test_store_readers.c — what a long-lived reader (the store browser, `view --db`) sees
 * while another connection writes and maintains the store: a service that retention
 * deleted whole and a new one that took its id, and gauge averages that keep the
 * series' total.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "profile/top.h"
#include "store/backend.h"
#include "store/store.h"
#include "testutil.h"
#include "testutil_store.h"

static int setup(void **state)
{
	(void)state;
	return tu_tmp_create("store_readers");
}

static int teardown(void **state)
{
	(void)state;
	tu_tmp_remove();
	return 0;
}

/* Whether the merge of (type, selector) over all time has a function named name. */
static bool merge_has(struct backend *b, const char *pt, const char *sel, const char *name,
		      int64_t *total)
{
	struct prof *m = ts_merge_q(b, pt, sel, 0, T0 + 3600 * SEC, AGG_SUM, NULL);
	bool has = tu_has_function(m, name);

	*total = prof_total(m, 0);
	prof_free(m);
	return has;
}

/*
 * Retention deletes service foo whole; service bar, pushed next, gets foo's scope id
 * (SQLite reuses the largest rowid).  A reader that cached foo's symbols under that id
 * must read bar's own, not draw bar's profile with foo's function names.
 */
static void test_reader_reused_scope_id(void **state)
{
	struct store *w = ts_open_new("reuse.db");
	struct prof *foo = tu_decode_str("alpha;secretA 10\n"), *bar;
	struct backend *r;
	char *pt = ts_ptype_of(foo, 0, NULL);
	uint64_t deleted = 0;
	int64_t total;

	(void)state;
	ts_write_or_fail(w, "foo", foo, T0, NULL, NULL);
	assert_int_equal(store_backend_open(tu_tmp_path("reuse.db"), NULL, &r), 0);
	assert_true(merge_has(r, pt, "{service_name=\"foo\"}", "secretA", &total));
	tu_assert_i64(total, 10);
	assert_int_equal(store_retention(w, T0 + SEC, &deleted), 0);
	tu_assert_i64((int64_t)deleted, 1);
	bar = tu_decode_str("main;realfunc 5\n");
	ts_write_or_fail(w, "bar", bar, T0 + 100 * SEC, NULL, NULL);
	assert_true(merge_has(r, pt, "{service_name=\"bar\"}", "realfunc", &total));
	tu_assert_i64(total, 5);
	assert_false(merge_has(r, pt, "{service_name=\"bar\"}", "secretA", &total));
	/* and once more: the id taken again after a second deletion */
	assert_int_equal(store_retention(w, T0 + 200 * SEC, &deleted), 0);
	ts_write_or_fail(w, "baz", foo, T0 + 300 * SEC, NULL, NULL);
	assert_true(merge_has(r, pt, "{service_name=\"baz\"}", "secretA", &total));
	assert_false(merge_has(r, pt, "{service_name=\"baz\"}", "realfunc", &total));
	prof_free(foo);
	prof_free(bar);
	free(pt);
	backend_close(r);
	store_close(w);
}

/* Writes n goroutine snapshots 10 s apart, snapshot k from folded text texts[k]. */
static void write_snapshots(struct store *s, const char *const *texts, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++) {
		struct prof *p = tu_decode_str(texts[k]);

		ts_write_or_fail(s, "gor", p, T0 + (int64_t)k * 10 * SEC, "__name__", "goroutines");
		prof_free(p);
	}
}

/* The merged profile's total and its largest sample, averaged. */
static int64_t avg_total(struct backend *b, const char *pt, int64_t *largest)
{
	struct prof *m = ts_merge_q(b, pt, "{service_name=\"gor\"}", T0, T0 + 3600 * SEC, AGG_AVG,
				    NULL);
	int64_t t = prof_total(m, 0);
	uint32_t i;

	*largest = 0;
	for (i = 0; i < m->nsamples; i++)
		if (prof_value(m, i, 0) > *largest)
			*largest = prof_value(m, i, 0);
	prof_free(m);
	return t;
}

/*
 * An averaged gauge keeps its series' total: 100 goroutines in each of 3 snapshots, on
 * stacks that differ between snapshots, are 100 at a typical moment (rounding each stack's
 * 1/3 alone gave 0; with 2 snapshots, each 1/2 rounded up doubled it).
 */
static void test_gauge_average_keeps_total(void **state)
{
	struct store *s = ts_open_new("gauge.db");
	struct backend *b = ts_backend_of(s);
	struct buf t[3] = { BUF_INIT, BUF_INIT, BUF_INIT };
	const char *texts[3];
	struct prof *one;
	char *pt;
	int64_t largest;
	size_t k, i;

	(void)state;
	for (k = 0; k < 3; k++) {
		for (i = 0; i < 100; i++)
			buf_printf(&t[k], "main;worker%zu_%zu 1\n", k, i);
		/* one stack every snapshot shares, with 7 goroutines each time */
		buf_puts(&t[k], "main;shared 7\n");
		texts[k] = t[k].data;
	}
	one = tu_decode_str(texts[0]);
	pt = ts_ptype_of(one, 0, "goroutines");
	write_snapshots(s, texts, 3);
	tu_assert_i64(avg_total(b, pt, &largest), 107);
	tu_assert_i64(largest, 7);
	/* two snapshots of 108 and 107: 107.5, kept as 108 (each half rounded up gave 208) */
	store_close(s);
	backend_close(b);
	s = ts_open_new("gauge2.db");
	b = ts_backend_of(s);
	buf_puts(&t[1], "main;extra 1\n");
	texts[0] = t[1].data;
	texts[1] = t[2].data;
	write_snapshots(s, texts, 2);
	tu_assert_i64(avg_total(b, pt, &largest), 108);
	tu_assert_i64(largest, 7);
	for (k = 0; k < 3; k++)
		buf_release(&t[k]);
	prof_free(one);
	free(pt);
	backend_close(b);
	store_close(s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_reused_scope_id),
		cmocka_unit_test(test_gauge_average_keeps_total),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}
