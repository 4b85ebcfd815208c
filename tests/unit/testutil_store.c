/*
 * testutil_store.c — helpers of the store tests (test_store, test_store_sets): a fresh
 * store in the test's temporary directory, writes and merges that fail the test on error.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "profile/labels.h"
#include "profile/selector.h"
#include "testutil_store.h"

struct store *ts_open_new(const char *name)
{
	struct store *s = NULL;
	char wal[600], shm[600];

	snprintf(wal, sizeof(wal), "%s-wal", tu_tmp_path(name));
	snprintf(shm, sizeof(shm), "%s-shm", tu_tmp_path(name));
	unlink(tu_tmp_path(name));
	unlink(wal);
	unlink(shm);
	if (store_open(tu_tmp_path(name), STORE_CREATE, &s))
		fail_msg("store_open: %s", err_last());
	return s;
}

struct backend *ts_backend_of(struct store *s)
{
	struct backend *b;

	if (store_backend_new(s, NULL, &b))
		fail_msg("store_backend_new: %s", err_last());
	return b;
}

void ts_write_or_fail(struct store *s, const char *service, const struct prof *p, int64_t t,
		      const char *extra_k, const char *extra_v)
{
	struct labelset ls = LABELSET_INIT;

	labelset_set(&ls, "service_name", service);
	if (extra_k)
		labelset_set(&ls, extra_k, extra_v);
	if (store_write(s, NULL, &ls, p, t, 10 * SEC))
		fail_msg("store_write %s: %s", service, err_last());
	labelset_free(&ls);
}

struct prof *ts_merge_q(struct backend *b, const char *ptype, const char *sel, int64_t from,
			int64_t to, enum aggregate agg, struct merge_info *mi)
{
	struct selector *s = NULL;
	struct query q = { ptype, NULL, { from, to }, agg, NULL, 0 };
	struct prof *p = NULL;

	if (selector_parse(sel, &s))
		fail_msg("selector %s: %s", sel, err_last());
	q.selector = s;
	if (b->ops->merge(b, &q, &p, mi))
		fail_msg("merge %s %s: %s", ptype, sel, err_last());
	selector_free(s);
	if (p->nsamples)
		tu_check_invariants(p);
	return p;
}

int ts_merge_rc(struct backend *b, const char *ptype, const char *sel, int64_t from, int64_t to)
{
	struct selector *s = NULL;
	struct query q = { ptype, NULL, { from, to }, AGG_AUTO, NULL, 0 };
	struct prof *p = NULL;
	int rc;

	assert_int_equal(selector_parse(sel, &s), 0);
	q.selector = s;
	rc = b->ops->merge(b, &q, &p, NULL);
	prof_free(p);
	selector_free(s);
	return rc;
}

char *ts_ptype_of(const struct prof *p, uint32_t t, const char *name)
{
	struct buf b = BUF_INIT;

	if (labels_profile_type(p, t, name ? name : labels_metric_name(p, NULL), &b))
		fail_msg("labels_profile_type: %s", err_last());
	return b.data;
}

int64_t ts_total_of(struct backend *b, const char *pt, const char *sel)
{
	struct prof *m = ts_merge_q(b, pt, sel, T0, T0 + 100 * SEC, AGG_AUTO, NULL);
	int64_t t = prof_total(m, 0);

	prof_free(m);
	return t;
}

void ts_assert_label_values(struct backend *b, const char *name, const char *sel, size_t n,
			    const char *first, const char *second)
{
	struct selector *se = NULL;
	struct strvec v = STRVEC_INIT;
	struct time_range all = { 0, 0 };

	if (sel)
		assert_int_equal(selector_parse(sel, &se), 0);
	assert_int_equal(b->ops->label_values(b, name, se, all, &v), 0);
	if (v.n != n)
		fail_msg("label %s: %zu values, expected %zu", name, v.n, n);
	if (n > 0)
		assert_string_equal(v.v[0], first);
	if (n > 1)
		assert_string_equal(v.v[1], second);
	strvec_release(&v);
	selector_free(se);
}

void ts_sql_exec(const char *name, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(tu_tmp_path(name), &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

int64_t ts_sql_int(const char *name, const char *sql)
{
	sqlite3_stmt *st;
	sqlite3 *db;
	int64_t v;

	assert_int_equal(sqlite3_open(tu_tmp_path(name), &db), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}
