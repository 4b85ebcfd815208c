/*
 * test_store_maint.c — store maintenance (retention, downsampling, eviction) on real
 * files: one damaged profile does not stop it for the rest of the store, and a rollup
 * spans every profile it holds, late ones merged into it included, no pass waits for
 * readers, and downsampling reads only the rows it merges and, after its first pass,
 * only the buckets that changed.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "base/err.h"
#include "store/store.h"
#include "testutil.h"
#include "testutil_store.h"

static int setup(void **state)
{
	(void)state;
	return tu_tmp_create("store_maint");
}

static int teardown(void **state)
{
	(void)state;
	tu_tmp_remove();
	return 0;
}

/* Reads the damage report: n new ones, the first saying `says` (when n). */
static void assert_damage(struct store *s, uint64_t n, const char *says)
{
	char msg[512];
	uint64_t got = store_maint_damage(s, NULL, msg, sizeof(msg));

	if (got != n || (n && !strstr(msg, says)) || (!n && msg[0]))
		fail_msg("damage: %llu new, '%s'; wanted %llu saying '%s'", (unsigned long long)got,
			 msg, (unsigned long long)n, says ? says : "");
}

/*
 * Services "bad" and "good", a profile each at T0 and T0 + 100 s; the newer one of "bad"
 * has a blob that is not zstd.  Retention and eviction used to fail whole on it (every
 * pass, every service: 507 for every push under --max-store-size); now they delete
 * what they select and leave only "bad"'s symbols uncollected, reported once.
 */
static void test_damaged_blob_retention_eviction(void **state)
{
	struct prof *p = tu_decode_str("main;work 3\nmain 1\n");
	struct prof *q = tu_decode_str("other;thing 2\n");
	struct store_stats st;
	struct store *s = ts_open_new("ret.db");
	uint64_t n, skipped;
	int64_t good_stacks;

	(void)state;
	ts_write_or_fail(s, "bad", p, T0, NULL, NULL);
	ts_write_or_fail(s, "good", q, T0, NULL, NULL);
	ts_write_or_fail(s, "good", p, T0 + 100 * SEC, NULL, NULL);
	ts_write_or_fail(s, "bad", p, T0 + 100 * SEC, NULL, NULL);
	store_close(s);
	ts_sql_exec("ret.db",
		    "UPDATE profiles SET data=x'5a0102' WHERE id=(SELECT max(id) FROM profiles)");
	good_stacks = ts_sql_int("ret.db", "SELECT count(*) FROM stacks s JOIN scope c ON "
					  "c.id=s.scope WHERE c.service='good'");

	assert_int_equal(store_open(tu_tmp_path("ret.db"), 0, &s), 0);
	assert_int_equal(store_retention(s, T0 + 50 * SEC, &n), 0);
	tu_assert_i64((int64_t)n, 2);
	assert_damage(s, 1, "bad zstd frame");
	/* the healthy service was collected: other;thing went with its profile */
	assert_true(ts_sql_int("ret.db", "SELECT count(*) FROM stacks s JOIN scope c ON "
					"c.id=s.scope WHERE c.service='good'") < good_stacks);
	/* the damaged one is met again on the next pass: counted, not reported again */
	ts_write_or_fail(s, "bad", p, T0 + 10 * SEC, NULL, NULL);
	assert_int_equal(store_retention(s, T0 + 50 * SEC, &n), 0);
	tu_assert_i64((int64_t)n, 1);
	assert_damage(s, 0, NULL);
	store_maint_damage(s, &skipped, NULL, 0);
	tu_assert_i64((int64_t)skipped, 2);

	/* eviction down to nothing: every profile goes, the damaged one too */
	assert_int_equal(store_evict(s, 1, &n), 0);
	tu_assert_i64((int64_t)n, 2);
	assert_int_equal(store_stats(s, &st), 0);
	tu_assert_i64((int64_t)st.profiles, 0);
	store_close(s);
	prof_free(p);
	prof_free(q);
}

/*
 * Downsampling: a bucket whose rows include one that does not decode is left as it is
 * (it failed the whole pass before); the other series' buckets are rolled up.
 */
static void test_damaged_blob_downsampling(void **state)
{
	struct prof *p = tu_decode_str("main;work 3\nmain 1\n");
	struct store *s = ts_open_new("ds.db");
	uint64_t n;
	int k;

	(void)state;
	for (k = 0; k < 3; k++) {
		ts_write_or_fail(s, "bad", p, HOUR0 + k * 10 * SEC, NULL, NULL);
		ts_write_or_fail(s, "good", p, HOUR0 + k * 10 * SEC, NULL, NULL);
	}
	store_close(s);
	ts_sql_exec("ds.db", "UPDATE profiles SET data=x'5a0102' WHERE id=(SELECT min(p.id) FROM "
		      "profiles p JOIN series r ON r.id=p.series JOIN scope c ON c.id=r.scope "
		      "WHERE c.service='bad')");
	assert_int_equal(store_open(tu_tmp_path("ds.db"), 0, &s), 0);
	assert_int_equal(store_downsample(s, HOUR0 + 120 * SEC, 60 * SEC, &n), 0);
	tu_assert_i64((int64_t)n, 3);
	assert_damage(s, 1, "not rolled up");
	store_close(s);
	tu_assert_i64(ts_sql_int("ds.db", "SELECT count(*) FROM profiles p JOIN series r ON "
					 "r.id=p.series JOIN scope c ON c.id=r.scope WHERE "
					 "c.service='good'"), 1);
	tu_assert_i64(ts_sql_int("ds.db", "SELECT count(*) FROM profiles p JOIN series r ON "
					 "r.id=p.series JOIN scope c ON c.id=r.scope WHERE "
					 "c.service='bad'"), 3);
	prof_free(p);
}

/*
 * A late profile in the first minute of an hour already rolled up: the minute stage
 * merges it with the hour's rollup, which must still span the hour.  It got the
 * minute's 60 s, and retention then deleted the hour's profiles once the cutoff passed
 * its first minute.
 */
static void test_late_profile_keeps_rollup_span(void **state)
{
	struct prof *p = tu_decode_str("main;work 3\nmain 1\n");
	struct store *s = ts_open_new("late.db");
	uint64_t n;
	int k;

	(void)state;
	for (k = 0; k < 12; k++)
		ts_write_or_fail(s, "g", p, HOUR0 + k * 300 * SEC, NULL, NULL);
	assert_int_equal(store_downsample(s, HOUR0 + 7200 * SEC, 3600 * SEC, &n), 0);
	tu_assert_i64((int64_t)n, 12);
	ts_write_or_fail(s, "g", p, HOUR0 + 5 * SEC, NULL, NULL);
	assert_int_equal(store_downsample(s, HOUR0 + 7200 * SEC, 60 * SEC, &n), 0);
	tu_assert_i64((int64_t)n, 2);
	tu_assert_i64(ts_sql_int("late.db", "SELECT count(*) FROM profiles"), 1);
	tu_assert_i64(ts_sql_int("late.db", "SELECT nprof FROM profiles"), 13);
	tu_assert_i64(ts_sql_int("late.db", "SELECT time_ns FROM profiles"), HOUR0);
	tu_assert_i64(ts_sql_int("late.db", "SELECT duration_ns FROM profiles"), 3600 * SEC);
	/* the cutoff past the first minute (and the first 5): the hour stays */
	assert_int_equal(store_retention(s, HOUR0 + 300 * SEC, &n), 0);
	tu_assert_i64((int64_t)n, 0);
	assert_int_equal(store_retention(s, HOUR0 + 3600 * SEC, &n), 0);
	tu_assert_i64((int64_t)n, 1);
	store_close(s);
	prof_free(p);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * A reader in the middle of a read transaction (a long query) while maintenance runs:
 * no pass waits for it.  The checkpoint after every pass, even one with nothing to do,
 * waited for readers up to the 10 s busy timeout, on serve's one writer thread.
 */
static void test_maintenance_never_waits_for_readers(void **state)
{
	struct prof *p = tu_decode_str("main;work 3\nmain 1\n");
	struct store *s = ts_open_new("rd.db");
	sqlite3 *rd;
	sqlite3_stmt *st;
	uint64_t n;
	double t;
	int k;

	(void)state;
	for (k = 0; k < 4; k++)
		ts_write_or_fail(s, "g", p, HOUR0 + k * 10 * SEC, NULL, NULL);
	assert_int_equal(sqlite3_open(tu_tmp_path("rd.db"), &rd), SQLITE_OK);
	assert_int_equal(sqlite3_exec(rd, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(rd, "SELECT id FROM profiles", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);  /* the reader holds its snapshot */
	ts_write_or_fail(s, "g", p, HOUR0 + 100 * SEC, NULL, NULL);

	t = now_s();
	assert_int_equal(store_retention(s, HOUR0 - 3600 * SEC, &n), 0);  /* nothing to do */
	tu_assert_i64((int64_t)n, 0);
	assert_int_equal(store_downsample(s, HOUR0 - 3600 * SEC, 60 * SEC, &n), 0);
	assert_true(now_s() - t < 2.0);
	t = now_s();
	assert_int_equal(store_retention(s, HOUR0 + 5 * SEC, &n), 0);  /* one goes */
	tu_assert_i64((int64_t)n, 1);
	assert_int_equal(store_downsample(s, HOUR0 + 120 * SEC, 60 * SEC, &n), 0);
	tu_assert_i64((int64_t)n, 3);
	assert_true(now_s() - t < 2.0);
	/* the reader still reads its snapshot */
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	sqlite3_finalize(st);
	sqlite3_exec(rd, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(rd);
	store_close(s);
	prof_free(p);
}

/*
 * Downsampling reads only what it merges: 3000 old profiles alone in their minutes,
 * 16 KB each, next to one pair to merge.  A pass read every old row whole (the labelsets
 * column comes after the blob), on every stage of every pass: seconds on the writer
 * thread at a million rows.  The store maps its file, so what it reads shows as page
 * faults: 48 MB of blobs are 12000 pages, which the old pass took in 764 faults here
 * (the kernel maps up to 16 pages a fault); this one takes about 35.
 */
static void test_downsampling_reads_only_what_it_merges(void **state)
{
	struct prof *p = tu_decode_str("main;work 3\nmain 1\n");
	struct store *s = ts_open_new("big.db");
	struct rusage r0, r1;
	char sql[512];
	uint64_t n;

	(void)state;
	ts_write_or_fail(s, "g", p, HOUR0 + 10 * SEC, NULL, NULL);
	ts_write_or_fail(s, "g", p, HOUR0 + 20 * SEC, NULL, NULL);
	store_close(s);
	snprintf(sql, sizeof(sql), "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c "
		 "WHERE i < 3000) INSERT INTO profiles(series, time_ns, duration_ns, nprof, total, "
		 "data) SELECT (SELECT min(series) FROM profiles), %lld - i * %lld, 0, 1, 1, "
		 "zeroblob(16000) FROM c", (long long)HOUR0, (long long)(60 * SEC));
	ts_sql_exec("big.db", sql);
	assert_int_equal(store_open(tu_tmp_path("big.db"), 0, &s), 0);
	assert_int_equal(getrusage(RUSAGE_SELF, &r0), 0);
	assert_int_equal(store_downsample(s, HOUR0 + 120 * SEC, 60 * SEC, &n), 0);
	assert_int_equal(getrusage(RUSAGE_SELF, &r1), 0);
	tu_assert_i64((int64_t)n, 2);
	if (r1.ru_minflt + r1.ru_majflt - r0.ru_minflt - r0.ru_majflt > 200)
		fail_msg("a pass faulted in %ld pages", (long)(r1.ru_minflt + r1.ru_majflt -
							 r0.ru_minflt - r0.ru_majflt));
	store_close(s);
	tu_assert_i64(ts_sql_int("big.db", "SELECT count(*) FROM profiles"), 3001);
	prof_free(p);
}

/*
 * A pass after the first reads only the buckets that changed: rows that aged past the
 * cutoff since, and rows added since (a late profile into a bucket already rolled up).
 * It walked the index of every old row on every pass, so it cost as much as the first;
 * now a small part of it, and it still merges what the first would.
 */
static void test_downsampling_reads_what_changed(void **state)
{
	struct prof *p = tu_decode_str("main;work 3\nmain 1\n");
	struct store *s = ts_open_new("incr.db");
	char sql[512];
	double t, first, second;
	uint64_t n;

	(void)state;
	ts_write_or_fail(s, "g", p, HOUR0 + 10 * SEC, NULL, NULL);
	ts_write_or_fail(s, "g", p, HOUR0 + 20 * SEC, NULL, NULL);
	store_close(s);
	snprintf(sql, sizeof(sql), "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c "
		 "WHERE i < 300000) INSERT INTO profiles(series, time_ns, duration_ns, nprof, total, "
		 "data) SELECT (SELECT min(series) FROM profiles), %lld - i * %lld, 0, 1, 1, "
		 "x'00' FROM c", (long long)HOUR0, (long long)(60 * SEC));
	ts_sql_exec("incr.db", sql);
	assert_int_equal(store_open(tu_tmp_path("incr.db"), 0, &s), 0);
	t = now_s();
	assert_int_equal(store_downsample(s, HOUR0 + 120 * SEC, 60 * SEC, &n), 0);
	first = now_s() - t;
	tu_assert_i64((int64_t)n, 2);
	/* nothing changed: the next pass has nothing to read */
	t = now_s();
	assert_int_equal(store_downsample(s, HOUR0 + 120 * SEC, 60 * SEC, &n), 0);
	second = now_s() - t;
	tu_assert_i64((int64_t)n, 0);
	if (second > first / 4)
		fail_msg("the second pass took %.1f ms, the first %.1f ms", second * 1e3, first * 1e3);
	/* a late profile into the bucket rolled up, two more in one that ages past the cutoff */
	ts_write_or_fail(s, "g", p, HOUR0 + 30 * SEC, NULL, NULL);
	ts_write_or_fail(s, "g", p, HOUR0 + 130 * SEC, NULL, NULL);
	ts_write_or_fail(s, "g", p, HOUR0 + 140 * SEC, NULL, NULL);
	assert_int_equal(store_downsample(s, HOUR0 + 180 * SEC, 60 * SEC, &n), 0);
	tu_assert_i64((int64_t)n, 4);
	store_close(s);
	tu_assert_i64(ts_sql_int("incr.db", "SELECT count(*) FROM profiles"), 300002);
	/* the rollups: the pair at H + 2 min, the late one with the first pair at H */
	tu_assert_i64(ts_sql_int("incr.db", "SELECT nprof FROM profiles WHERE time_ns=(SELECT "
					   "max(time_ns) FROM profiles)"), 2);
	tu_assert_i64(ts_sql_int("incr.db", "SELECT nprof FROM profiles WHERE time_ns=(SELECT "
					   "max(time_ns) - 120000000000 FROM profiles)"), 3);
	prof_free(p);
}

/*
 * SQLite gives a new row max(id) + 1: once the newest row is deleted (retention,
 * eviction) its id comes back, and a late profile that got it was hidden from the
 * incremental pass until the 64th (review).  The deletion drops the stale mark.
 */
static void test_downsampling_after_id_reuse(void **state)
{
	struct prof *p = tu_decode_str("main;work 3\nmain 1\n");
	struct store *s = ts_open_new("reuse.db");
	uint64_t n;

	(void)state;
	ts_write_or_fail(s, "g", p, HOUR0 + 10 * SEC, NULL, NULL);        /* id 1 */
	ts_write_or_fail(s, "g", p, HOUR0 - 7200 * SEC, NULL, NULL);      /* id 2, old */
	assert_int_equal(store_downsample(s, HOUR0 + 120 * SEC, 60 * SEC, &n), 0);
	tu_assert_i64((int64_t)n, 0);
	assert_int_equal(store_retention(s, HOUR0 - 3600 * SEC, &n), 0);  /* id 2 goes */
	tu_assert_i64((int64_t)n, 1);
	ts_write_or_fail(s, "g", p, HOUR0 + 20 * SEC, NULL, NULL);        /* id 2 again */
	tu_assert_i64(ts_sql_int("reuse.db", "SELECT max(id) FROM profiles"), 2);
	assert_int_equal(store_downsample(s, HOUR0 + 120 * SEC, 60 * SEC, &n), 0);
	tu_assert_i64((int64_t)n, 2);  /* both profiles of the minute: one rollup */
	tu_assert_i64(ts_sql_int("reuse.db", "SELECT count(*) FROM profiles"), 1);
	store_close(s);
	prof_free(p);
}

/*
 * Eviction deletes whole pushes: a heap profile is four rows (alloc_objects ...
 * inuse_space) at one time, and a cut between them left pushes with some of their
 * sample types.  Every time left in the store has all four, whatever the cap.
 */
static void test_eviction_keeps_pushes_whole(void **state)
{
	struct prof *p = tu_decode("go/heapwork-heap.pb.gz");
	struct store_stats st;
	struct store *s = ts_open_new("whole.db");
	uint64_t n, total = 0;
	int i;

	(void)state;
	tu_assert_i64(p->ntypes, 4);
	for (i = 0; i < 12; i++)
		ts_write_or_fail(s, "g", p, T0 + i * 10 * SEC, NULL, NULL);
	for (i = 0; i < 6; i++) {
		int64_t rows;

		assert_int_equal(store_stats(s, &st), 0);
		/* a cap a little under the file: a row or two would do, never a whole push */
		assert_int_equal(store_evict(s, st.file_bytes - st.file_bytes / 40 - 1, &n), 0);
		assert_true(n > 0);
		total += n;
		rows = ts_sql_int("whole.db", "SELECT count(*) FROM profiles");
		tu_assert_i64(rows % 4, 0);
		tu_assert_i64(ts_sql_int("whole.db", "SELECT count(*) FROM (SELECT time_ns FROM "
				       "profiles GROUP BY time_ns HAVING count(*) <> 4)"), 0);
		tu_assert_i64(n % 4, 0);
		if (!rows)
			break;
	}
	assert_true(total >= 8);
	store_close(s);
	prof_free(p);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_damaged_blob_retention_eviction),
		cmocka_unit_test(test_damaged_blob_downsampling),
		cmocka_unit_test(test_late_profile_keeps_rollup_span),
		cmocka_unit_test(test_maintenance_never_waits_for_readers),
		cmocka_unit_test(test_downsampling_reads_only_what_it_merges),
		cmocka_unit_test(test_downsampling_reads_what_changed),
		cmocka_unit_test(test_downsampling_after_id_reuse),
		cmocka_unit_test(test_eviction_keeps_pushes_whole),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}
