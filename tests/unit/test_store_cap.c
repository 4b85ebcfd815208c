/*
 * test_store_cap.c — store_set_size_limit(), what `serve --max-store-size` sets, on real
 * files: the database and its write-ahead log together stay within the cap while small
 * pushes arrive (the WAL is part of what the store occupies), and a write refused by
 * the cap says so, with the cap, instead of calling the disk full; what serve's writer
 * uses to make room for a refused write (measuring it with the cap lifted, evicting for
 * it), and maintenance's eviction, which spares the newest profiles; the WAL readers keep
 * from starting over (a steady stream of short queries, one snapshot held), brought back
 * under the cap once they let it, on a running store and on one opened again.  (A really
 * full disk is e2e/store_cap.sh's, on a tmpfs.)
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/buf.h"
#include "base/err.h"
#include "store/store.h"
#include "testutil.h"
#include "testutil_store.h"

static int setup(void **state)
{
	(void)state;
	return tu_tmp_create("store_cap");
}

static int teardown(void **state)
{
	(void)state;
	tu_tmp_remove();
	return 0;
}

static uint64_t size_of(const char *path, const char *suffix)
{
	char p[1024];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return stat(p, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* 40 small pushes of services of their own into a 400 KiB store: file + WAL fit in it. */
static void test_wal_within_cap(void **state)
{
	const uint64_t cap = 400 * 1024;
	struct store *s = ts_open_new("wal.db");
	struct prof *p = tu_decode_str("main;work;leaf 1\nmain;idle 2\n");
	const char *path = tu_tmp_path("wal.db");
	uint64_t most = 0;
	int k;

	(void)state;
	assert_int_equal(store_set_size_limit(s, cap), 0);
	for (k = 0; k < 40; k++) {
		char svc[32];
		uint64_t used;

		snprintf(svc, sizeof(svc), "svc-%02d", k);
		ts_write_or_fail(s, svc, p, T0 + k * SEC, NULL, NULL);
		used = size_of(path, "") + size_of(path, "-wal");
		if (used > most)
			most = used;
		if (used > cap)
			fail_msg("after push %d: file %llu B + WAL %llu B = %llu B, past the cap of "
				 "%llu B", k + 1, (unsigned long long)size_of(path, ""),
				 (unsigned long long)size_of(path, "-wal"),
				 (unsigned long long)used, (unsigned long long)cap);
	}
	/* the pushes did land (the cap was not met by refusing them) */
	assert_true(size_of(path, "") > 64 * 1024);
	print_message("     most used: %llu B of %llu B\n", (unsigned long long)most,
		      (unsigned long long)cap);
	prof_free(p);
	store_close(s);
}

/*
 * A profile of ~400 KB of unique names into a 200 KiB store: ERR_NOSPACE naming the
 * cap (the disk has room: this is not a full disk).
 */
static void test_cap_message(void **state)
{
	struct store *s = ts_open_new("cap.db");
	struct buf text = BUF_INIT;
	struct store_stats before, after;
	struct labelset ls = LABELSET_INIT;
	struct prof *p;
	const char *msg;
	int k, rc;

	(void)state;
	for (k = 0; k < 6000; k++)
		assert_int_equal(buf_printf(&text, "main;function_number_%05d_of_many;"
					    "leaf_function_number_%05d 1\n", k, k), 0);
	p = tu_decode_bytes(text.data, text.len, "unique.txt");
	assert_int_equal(store_set_size_limit(s, 200 * 1024), 0);
	assert_int_equal(store_stats(s, &before), 0);
	labelset_set(&ls, "service_name", "big");
	rc = store_write(s, NULL, &ls, p, T0, 10 * SEC);
	msg = err_last();
	tu_assert_message(msg);
	assert_int_equal(rc, ERR_NOSPACE);
	if (!strstr(msg, "--max-store-size") || !strstr(msg, "200 KiB") || strstr(msg, "disk full"))
		fail_msg("the reason does not name the cap: '%s'", msg);
	assert_non_null(strstr(msg, tu_tmp_path("cap.db")));
	/* nothing of it was kept */
	assert_int_equal(store_stats(s, &after), 0);
	tu_assert_i64(after.profiles, before.profiles);
	/* and a small one still fits */
	prof_free(p);
	p = tu_decode_str("main;small 1\n");
	assert_int_equal(store_write(s, NULL, &ls, p, T0, 10 * SEC), 0);
	labelset_free(&ls);
	buf_release(&text);
	prof_free(p);
	store_close(s);
}

/* A profile of n stacks of names no other profile (tag) has: ~230 bytes a stack, stored. */
static struct prof *unique_prof(const char *tag, int n)
{
	struct buf text = BUF_INIT;
	struct prof *p;
	int k;

	for (k = 0; k < n; k++)
		assert_int_equal(buf_printf(&text, "main;%s_function_number_%05d_of_many;"
					    "%s_leaf_function_number_%05d 1\n", tag, k, tag, k), 0);
	p = tu_decode_bytes(text.data, text.len, "unique.txt");
	buf_release(&text);
	return p;
}

static uint64_t profiles_of(struct store *s)
{
	struct store_stats st;

	assert_int_equal(store_stats(s, &st), 0);
	return st.profiles;
}

/*
 * What writing p as service `svc` needs, measured as serve's writer does: with the cap
 * lifted, in a transaction rolled back, the cap put back.  Nothing of it is kept.
 */
static uint64_t measure(struct store *s, const char *svc, const struct prof *p)
{
	struct labelset ls = LABELSET_INIT;
	uint64_t base, used;
	uint64_t before = profiles_of(s);

	labelset_set(&ls, "service_name", svc);
	assert_int_equal(store_size_used(s, &base), 0);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_size_lift(s, true), 0);
	assert_int_equal(store_write(s, NULL, &ls, p, T0 + 1000 * SEC, 10 * SEC), 0);
	assert_int_equal(store_size_used(s, &used), 0);
	store_rollback(s);
	assert_int_equal(store_size_lift(s, false), 0);
	tu_assert_i64(profiles_of(s), before);
	/* the cap is back */
	assert_int_equal(store_write(s, NULL, &ls, p, T0 + 1000 * SEC, 10 * SEC), ERR_NOSPACE);
	labelset_free(&ls);
	assert_true(used > base);
	return used - base;
}

/*
 * What serve's writer does when the cap refuses a write: measured (measure()), a write
 * that needs more than an empty store holds is known as such; one that fits is given room
 * by store_evict_room() and then fits, while the older profiles it needed evicted are gone
 * and the newest stay.
 */
static void test_measure_and_room(void **state)
{
	const uint64_t cap = 400 * 1024;
	struct store *s = ts_open_new("room.db");
	struct prof *small = unique_prof("small", 100), *half = unique_prof("half", 1000),
		    *huge = unique_prof("huge", 2500);
	uint64_t need, room, n = 0;
	struct labelset ls = LABELSET_INIT;
	char svc[32], sql[128];
	int k, rc;

	(void)state;
	assert_int_equal(store_set_size_limit(s, cap), 0);
	assert_int_equal(store_size_room(s, &room), 0);
	assert_true(room > cap / 2 && room < cap);
	/* small services until the cap refuses one */
	for (k = 0; k < 100; k++) {
		snprintf(svc, sizeof(svc), "svc-%02d", k);
		labelset_set(&ls, "service_name", svc);
		if ((rc = store_write(s, NULL, &ls, small, T0 + k * SEC, 10 * SEC)))
			break;
	}
	assert_int_equal(rc, ERR_NOSPACE);
	assert_true(store_cap_reached(s));
	assert_true(k > 3);

	/* too big even for an empty store: the measure says so */
	need = measure(s, "huge", huge);
	if (need <= room)
		fail_msg("the huge profile measured %llu B, within the %llu B of an empty store",
			 (unsigned long long)need, (unsigned long long)room);

	/* half the cap: refused now, it fits once store_evict_room() made the room measured */
	need = measure(s, "half", half);
	assert_true(need > cap / 4 && need <= room);
	assert_int_equal(store_evict_room(s, need + need / 8, UINT64_MAX, &n), 0);
	assert_true(n > 0 && n < (uint64_t)k);
	labelset_set(&ls, "service_name", "half");
	assert_int_equal(store_write(s, NULL, &ls, half, T0 + 1000 * SEC, 10 * SEC), 0);
	print_message("     %d small services filled the cap; half measured %llu B of %llu B, "
		      "%llu evicted for it\n", k, (unsigned long long)need,
		      (unsigned long long)room, (unsigned long long)n);
	/* the oldest went (the first n), the newest small ones stayed */
	tu_assert_i64(profiles_of(s), k - (int)n + 1);
	snprintf(sql, sizeof(sql), "SELECT min(time_ns) FROM profiles WHERE time_ns < %lld",
		 (long long)(T0 + 1000 * SEC));
	tu_assert_i64(ts_sql_int("room.db", sql), T0 + (int64_t)n * SEC);
	labelset_free(&ls);
	prof_free(small);
	prof_free(half);
	prof_free(huge);
	store_close(s);
}

/* store_evict_older() never takes the profiles of the newest time; store_evict() does. */
static void test_evict_older_keeps_newest(void **state)
{
	struct store *s = ts_open_new("older.db");
	struct prof *p = tu_decode_str("main;work 1\n");
	uint64_t n = 0;

	(void)state;
	ts_write_or_fail(s, "old", p, T0, NULL, NULL);
	ts_write_or_fail(s, "mid", p, T0 + SEC, NULL, NULL);
	ts_write_or_fail(s, "new-a", p, T0 + 2 * SEC, NULL, NULL);
	ts_write_or_fail(s, "new-b", p, T0 + 2 * SEC, NULL, NULL);
	assert_int_equal(store_evict_older(s, 1, &n), 0);
	tu_assert_i64(n, 2);
	tu_assert_i64(profiles_of(s), 2);
	tu_assert_i64(ts_sql_int("older.db", "SELECT min(time_ns) FROM profiles"), T0 + 2 * SEC);
	assert_int_equal(store_evict_older(s, 1, &n), 0);
	tu_assert_i64(n, 0);
	assert_int_equal(store_evict(s, 1, &n), 0);
	tu_assert_i64(n, 2);
	tu_assert_i64(profiles_of(s), 0);
	prof_free(p);
	store_close(s);
}

/*
 * Another process's reader, as `smolder query --db` is: its own connection, which never
 * checkpoints when it closes (the store's writer must do it).
 */
static sqlite3 *reader_open(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		fail_msg("cannot open '%s' to read it: %s", path, sqlite3_errmsg(db));
	sqlite3_busy_timeout(db, 5000);
	sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	return db;
}

/* Takes a snapshot (a read transaction reading the profiles) and holds it. */
static void reader_hold(sqlite3 *db)
{
	if (sqlite3_exec(db, "BEGIN; SELECT count(*) FROM profiles", NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("reader: %s", sqlite3_errmsg(db));
}

static void reader_release(sqlite3 *db)
{
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("reader: %s", sqlite3_errmsg(db));
}

/* A steady stream of short queries: snapshots of 3 ms, one after the other. */
struct read_loop {
	const char *path;
	atomic_bool stop;
	atomic_ulong reads;
};

static void *read_loop_main(void *arg)
{
	struct read_loop *r = arg;
	struct timespec hold = { 0, 3000000 };
	sqlite3 *db = reader_open(r->path);

	while (!atomic_load(&r->stop)) {
		if (sqlite3_exec(db, "BEGIN; SELECT count(*) FROM profiles", NULL, NULL, NULL) ==
		    SQLITE_OK) {
			nanosleep(&hold, NULL);
			atomic_fetch_add(&r->reads, 1);
		}
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	sqlite3_close(db);
	return NULL;
}

/*
 * A push as serve's writer stores it under the cap: refused, room is made (down to 81 %)
 * and it is written again; after the commit the WAL is trimmed, and a store past 90 %
 * evicts (check_size).  Returns the store's size on disk after, file and WAL.
 */
static uint64_t capped_write(struct store *s, const char *path, const char *svc,
			     const struct prof *p, int64_t t, uint64_t cap)
{
	struct labelset ls = LABELSET_INIT;
	uint64_t n = 0, soft = cap - cap / 10;
	int rc;

	labelset_set(&ls, "service_name", svc);
	if ((rc = store_write(s, NULL, &ls, p, t, 10 * SEC)) == ERR_NOSPACE) {
		assert_int_equal(store_evict(s, soft - soft / 10, &n), 0);
		rc = store_write(s, NULL, &ls, p, t, 10 * SEC);
	}
	if (rc)
		fail_msg("push '%s': %s", svc, err_last());
	labelset_free(&ls);
	store_size_trim(s);
	if (size_of(path, "") + size_of(path, "-wal") > soft)
		assert_int_equal(store_evict_older(s, soft, &n), 0);
	return size_of(path, "") + size_of(path, "-wal");
}

/*
 * Pushes past a 1 MiB cap while two threads query the store without a pause (each holds a
 * snapshot 3 ms, the next begins as soon as one ends): the file and its WAL stay within the
 * cap.  The WAL was truncated only when no reader held it, which the queries never let
 * happen: it grew with every commit, past the cap (serve went 40-50 % past it).
 */
static void test_wal_steady_readers(void **state)
{
	const uint64_t cap = 1024 * 1024;
	const char *path = tu_tmp_path("steady.db");
	struct store *s = ts_open_new("steady.db");
	struct read_loop r = { .path = path };
	pthread_t th[2];
	uint64_t most = 0, used, most_wal = 0;
	int k;

	(void)state;
	assert_int_equal(store_set_size_limit(s, cap), 0);
	atomic_init(&r.stop, false);
	atomic_init(&r.reads, 0);
	for (k = 0; k < 2; k++)
		assert_int_equal(pthread_create(&th[k], NULL, read_loop_main, &r), 0);
	for (k = 0; k < 300; k++) {
		char svc[32];
		struct prof *p;

		snprintf(svc, sizeof(svc), "svc%03d", k);
		p = unique_prof(svc, 20);
		used = capped_write(s, path, svc, p, T0 + k * SEC, cap);
		prof_free(p);
		if (used > most) {
			most = used;
			most_wal = size_of(path, "-wal");
		}
	}
	atomic_store(&r.stop, true);
	for (k = 0; k < 2; k++)
		pthread_join(th[k], NULL);
	print_message("     %lu reads; most used %llu B of %llu B\n", atomic_load(&r.reads),
		      (unsigned long long)most, (unsigned long long)cap);
	assert_true(atomic_load(&r.reads) > 100);
	/* the pushes went past the cap: eviction made room */
	assert_true(profiles_of(s) < 300);
	/*
	 * Within the cap but for a few pages (1/64 of it): a reader's 3 ms snapshot can outlast the
	 * writer's 100 ms wait for readers on a loaded machine (CI ran this under ASan beside
	 * other builds: 1,400 B past), which the README allows (a query holding a snapshot
	 * takes the log past its share).  Without the truncation it went 40-50 % past.
	 */
	if (most > cap + cap / 64)
		fail_msg("file + WAL reached %llu B (the WAL %llu B) under steady queries, past the "
			 "cap of %llu B", (unsigned long long)most, (unsigned long long)most_wal,
			 (unsigned long long)cap);
	store_close(s);
}

/*
 * One reader holds a snapshot while pushes go past a 1 MiB cap: the WAL grows (no
 * checkpoint can start it over).  Once the reader lets go, maintenance's eviction brings
 * the store back within the cap and pushes go on; eviction measured the WAL only up to
 * its share, found nothing to delete and so never truncated it.  Held again, the server
 * stopped and the reader gone, the store opened again with the cap is within it before
 * any push (SQLite would start the WAL over only at a later write, which a disk just
 * above the cap no longer allows).
 */
static void test_wal_held_snapshot(void **state)
{
	const uint64_t cap = 1024 * 1024;
	const char *path = tu_tmp_path("held.db");
	struct store *s = ts_open_new("held.db");
	struct prof *p = tu_decode_str("main;work 1\n");
	sqlite3 *r;
	uint64_t n = 0;
	int k;

	(void)state;
	assert_int_equal(store_set_size_limit(s, cap), 0);
	ts_write_or_fail(s, "first", p, T0, NULL, NULL);
	r = reader_open(path);
	reader_hold(r);
	for (k = 0; k < 120; k++) {
		char svc[32];
		struct prof *u;

		snprintf(svc, sizeof(svc), "held%03d", k);
		u = unique_prof(svc, 20);
		capped_write(s, path, svc, u, T0 + (k + 1) * SEC, cap);
		prof_free(u);
	}
	/* the case at hand: the reader kept the WAL past the cap */
	if (size_of(path, "") + size_of(path, "-wal") <= cap)
		fail_msg("the WAL (%llu B) did not grow past the cap behind the reader",
			 (unsigned long long)size_of(path, "-wal"));
	reader_release(r);
	assert_int_equal(store_evict_older(s, cap - cap / 10, &n), 0);
	if (size_of(path, "") + size_of(path, "-wal") > cap)
		fail_msg("the reader gone, eviction left file %llu B + WAL %llu B, past the cap of "
			 "%llu B", (unsigned long long)size_of(path, ""),
			 (unsigned long long)size_of(path, "-wal"), (unsigned long long)cap);
	ts_write_or_fail(s, "after", p, T0 + 400 * SEC, NULL, NULL);

	/* held again, and the writer closes meanwhile */
	reader_hold(r);
	for (k = 0; k < 30; k++) {
		char svc[32];
		struct prof *u;

		snprintf(svc, sizeof(svc), "again%03d", k);
		u = unique_prof(svc, 20);
		capped_write(s, path, svc, u, T0 + (k + 500) * SEC, cap);
		prof_free(u);
	}
	store_close(s);
	assert_true(size_of(path, "-wal") > cap / 8);
	reader_release(r);
	s = NULL;
	assert_int_equal(store_open(path, STORE_CREATE, &s), 0);
	assert_int_equal(store_set_size_limit(s, cap), 0);
	if (size_of(path, "") + size_of(path, "-wal") > cap || size_of(path, "-wal") > cap / 16)
		fail_msg("opened again, the store is file %llu B + WAL %llu B (its share %llu B), "
			 "cap %llu B", (unsigned long long)size_of(path, ""),
			 (unsigned long long)size_of(path, "-wal"), (unsigned long long)(cap / 16),
			 (unsigned long long)cap);
	ts_write_or_fail(s, "reopened", p, T0 + 700 * SEC, NULL, NULL);
	sqlite3_close(r);
	prof_free(p);
	store_close(s);
}

/*
 * A reader holding a snapshot keeps the WAL from being copied back, so the file keeps its
 * size on disk however much is deleted: measured by that size, an eviction to 80 % of what
 * the store holds deleted every profile (and waited for the reader at every round).
 */
static void test_evict_with_reader(void **state)
{
	const char *path = tu_tmp_path("evr.db");
	struct store *s = ts_open_new("evr.db");
	struct prof *heap = tu_decode("go/heapwork-allocs.pb.gz");
	uint64_t used = 0, n = 0;
	int64_t rows;
	sqlite3 *r = NULL;
	int k;

	(void)state;
	assert_int_equal(store_set_size_limit(s, 64 << 20), 0);
	for (k = 0; k < 30; k++) {
		char svc[32];

		if (k == 25) {
			r = reader_open(path);
			reader_hold(r);
		}
		snprintf(svc, sizeof(svc), "evr%03d", k);
		ts_write_or_fail(s, svc, heap, T0 + (k + 1) * SEC, NULL, NULL);
	}
	rows = ts_sql_int("evr.db", "SELECT count(*) FROM profiles");
	assert_int_equal(store_size_used(s, &used), 0);
	assert_int_equal(store_evict(s, used - used / 5, &n), 0);
	reader_release(r);
	sqlite3_close(r);
	if (n == 0 || (int64_t)n > rows / 2)
		fail_msg("evicting a fifth of the store behind a reader deleted %llu of %lld profiles",
			 (unsigned long long)n, (long long)rows);
	prof_free(heap);
	store_close(s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wal_within_cap),
		cmocka_unit_test(test_cap_message),
		cmocka_unit_test(test_measure_and_room),
		cmocka_unit_test(test_evict_older_keeps_newest),
		cmocka_unit_test(test_wal_steady_readers),
		cmocka_unit_test(test_wal_held_snapshot),
		cmocka_unit_test(test_evict_with_reader),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}
