/*
 * test_store_damage.c — stores damaged by hand or holding extreme values, on real files:
 * every reader and writer answers with one error line instead of crashing, hanging or
 * allocating by a number read from the file; and retention keeps a rollup until its
 * whole bucket is past the cutoff.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
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
	return tu_tmp_create("store_damage");
}

static int teardown(void **state)
{
	(void)state;
	tu_tmp_remove();
	return 0;
}

/* Runs sql on the store file `name` with a connection of its own. */
static void edit(const char *name, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(tu_tmp_path(name), &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

/* A store `name` with service "g": the profile at T0 and at T0 + 100 s. */
static void make_store(const char *name, const struct prof *p)
{
	struct store *s = ts_open_new(name);

	ts_write_or_fail(s, "g", p, T0, NULL, NULL);
	ts_write_or_fail(s, "g", p, T0 + 100 * SEC, NULL, NULL);
	store_close(s);
}

static void assert_msg_has(const char *a, const char *b)
{
	tu_assert_message(err_last());
	if (!strstr(err_last(), a) || (b && !strstr(err_last(), b)))
		fail_msg("'%s' does not say '%s' and '%s'", err_last(), a, b ? b : "");
}

/*
 * A profile naming a stack past the end of the table: retention and eviction (garbage
 * collection) refuse with the profile named; they read past the mark array before.
 */
static void test_stack_past_the_table(void **state)
{
	struct prof *p = tu_decode_str("main;work 3\nmain 1\n");
	struct store_stats st;
	struct store *s;
	uint64_t n;

	(void)state;
	make_store("oob.db", p);
	/* a valid raw blob: one entry on stack 4294967000 */
	edit("oob.db", "UPDATE profiles SET data=x'520100000101d8fdffff0f0a' "
		       "WHERE id=(SELECT max(id) FROM profiles)");
	assert_int_equal(store_open(tu_tmp_path("oob.db"), 0, &s), 0);
	assert_int_equal(store_retention(s, T0 + 50 * SEC, &n), ERR_PARSE);
	assert_msg_has("refers to stack 4294967000, which does not exist", "profile ");
	/* eviction of the oldest profile only: the rest is collected the same way */
	assert_int_equal(store_stats(s, &st), 0);
	assert_int_equal(store_evict(s, st.file_bytes - 1, &n), ERR_PARSE);
	assert_msg_has("refers to stack 4294967000", NULL);
	store_close(s);
	prof_free(p);
}

/* A schema version that is not 1..current: a damaged store, for readers and writers. */
static void test_bad_schema_version(void **state)
{
	static const char *const sql[] = {
		"UPDATE schema_version SET version=-1000000",
		"UPDATE schema_version SET version=0",
		"UPDATE schema_version SET version='two'",
		"DELETE FROM schema_version",
		"INSERT INTO schema_version VALUES(1)",
		"DROP TABLE schema_version",
	};
	static const char *const says[] = {
		"schema version is -1000000", "schema version is 0", "schema version is not a number",
		"schema version is missing", "schema version is in several rows", "no schema_version",
	};
	struct prof *p = tu_decode_str("main;work 3\n");
	struct store *s = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		make_store("v.db", p);
		edit("v.db", sql[i]);
		assert_int_equal(store_open(tu_tmp_path("v.db"), STORE_CREATE, &s), ERR_PARSE);
		assert_null(s);
		assert_msg_has("is corrupt", says[i]);
		assert_int_equal(store_open(tu_tmp_path("v.db"), STORE_READONLY, &s), ERR_PARSE);
		assert_msg_has("is corrupt", says[i]);
		assert_null(strstr(err_last(), "empty"));
	}
	/* a file with no tables at all is still a new store for a writer */
	edit("empty.db", "PRAGMA user_version=0");
	assert_int_equal(store_open(tu_tmp_path("empty.db"), STORE_READONLY, &s), ERR_UNSUPPORTED);
	assert_msg_has("is empty", NULL);
	assert_int_equal(store_open(tu_tmp_path("empty.db"), STORE_CREATE, &s), 0);
	store_close(s);
	prof_free(p);
}

/* A rollup holds profiles up to the end of its bucket: retention keeps it until then. */
static void test_retention_keeps_young_rollups(void **state)
{
	struct prof *p = tu_decode_str("main;work 3\n");
	struct store *s = ts_open_new("ret.db");
	struct store_stats st;
	uint64_t n;

	(void)state;
	ts_write_or_fail(s, "g", p, HOUR0 + 60 * SEC, NULL, NULL);
	ts_write_or_fail(s, "g", p, HOUR0 + 3570 * SEC, NULL, NULL);
	assert_int_equal(store_downsample(s, HOUR0 + 3600 * SEC, 3600 * SEC, &n), 0);
	tu_assert_i64((int64_t)n, 2);
	/* the profile at H + 3570 s is younger than the cutoff: its rollup stays */
	assert_int_equal(store_retention(s, HOUR0 + 1800 * SEC, &n), 0);
	tu_assert_i64((int64_t)n, 0);
	assert_int_equal(store_retention(s, HOUR0 + 3599 * SEC, &n), 0);
	tu_assert_i64((int64_t)n, 0);
	assert_int_equal(store_stats(s, &st), 0);
	tu_assert_i64((int64_t)st.profiles, 1);
	/* the whole bucket past it: gone */
	assert_int_equal(store_retention(s, HOUR0 + 3600 * SEC, &n), 0);
	tu_assert_i64((int64_t)n, 1);
	/* a pushed profile still goes as soon as its own time is past the cutoff */
	ts_write_or_fail(s, "g", p, HOUR0 + 4000 * SEC, NULL, NULL);
	assert_int_equal(store_retention(s, HOUR0 + 4001 * SEC, &n), 0);
	tu_assert_i64((int64_t)n, 1);
	store_close(s);
	prof_free(p);
}

/* Sums past 2^63: refused as top refuses them, never wrapped. */
static void test_sums_past_2_63(void **state)
{
	struct prof *p = tu_decode_str("main;work 5000000000000000000\n");
	char *pt = ts_ptype_of(p, 0, NULL);
	struct query q = { pt, NULL, { T0 - 3600 * SEC, T0 + 3600 * SEC }, AGG_SUM, NULL, 0 };
	struct series_points_list tl = { 0 };
	struct store *s;
	struct backend *b;
	uint64_t n;

	(void)state;
	make_store("big.db", p);
	assert_int_equal(store_open(tu_tmp_path("big.db"), 0, &s), 0);
	b = ts_backend_of(s);
	assert_int_equal(b->ops->timeline(b, &q, 3600, NULL, &tl), ERR_TOOBIG);
	assert_msg_has("add up past 2^63", NULL);
	series_points_list_release(&tl);
	assert_int_equal(ts_merge_rc(b, pt, "{}", T0 - SEC, T0 + 3600 * SEC), ERR_TOOBIG);
	/* rolled up: the rollup's total would be past 2^63 */
	assert_int_equal(store_downsample(s, T0 + 7200 * SEC, 3600 * SEC, &n), ERR_TOOBIG);
	assert_msg_has("add up past 2^63", NULL);
	backend_close(b);
	store_close(s);
	prof_free(p);
	free(pt);

	/* a damaged store: profile counts and times that overflow */
	p = tu_decode_str("main;work 3\n");
	pt = ts_ptype_of(p, 0, NULL);
	make_store("nprof.db", p);
	edit("nprof.db", "UPDATE profiles SET nprof=9223372036854775807");
	assert_int_equal(store_open(tu_tmp_path("nprof.db"), 0, &s), 0);
	b = ts_backend_of(s);
	assert_int_equal(ts_merge_rc(b, pt, "{}", T0 - SEC, T0 + 3600 * SEC), ERR_TOOBIG);
	assert_msg_has("profile counts add up past 2^63", NULL);
	q.profile_type = pt;
	assert_int_equal(b->ops->timeline(b, &q, 3600, NULL, &tl), ERR_TOOBIG);
	series_points_list_release(&tl);
	assert_int_equal(store_downsample(s, T0 + 7200 * SEC, 3600 * SEC, &n), ERR_TOOBIG);
	assert_msg_has("profile counts add up past 2^63", NULL);
	backend_close(b);
	store_close(s);
	make_store("dur.db", p);
	edit("dur.db", "UPDATE profiles SET duration_ns=9223372036854775807");
	assert_int_equal(store_open(tu_tmp_path("dur.db"), 0, &s), 0);
	b = ts_backend_of(s);
	assert_int_equal(ts_merge_rc(b, pt, "{}", T0 - SEC, T0 + 3600 * SEC), ERR_PARSE);
	assert_msg_has("is corrupt", "past 2^63");
	backend_close(b);
	store_close(s);
	prof_free(p);
	free(pt);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stack_past_the_table),
		cmocka_unit_test(test_bad_schema_version),
		cmocka_unit_test(test_retention_keeps_young_rollups),
		cmocka_unit_test(test_sums_past_2_63),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}
