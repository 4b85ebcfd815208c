/*
 * test_store_damage.c — stores damaged by hand or holding extreme values, on real files:
 * every reader and writer answers with one error line instead of crashing, hanging or
 * allocating by a number read from the file; symbol ids that are sparse (holes left by
 * garbage collection, or every id moved up near 2^31) read, write and collect as dense
 * ones do, in memory that follows the rows; and retention keeps a rollup until its
 * whole bucket is past the cutoff.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "base/err.h"
#include "ingest/encode.h"
#include "store/backend.h"
#include "store/store.h"
#include "testutil.h"
#include "testutil_store.h"

static int setup(void **state)
{
	(void)state;
	return tu_tmp_create("store_damage");
}

static struct rlimit saved_as;
static bool as_limited;

/* Lifts the address-space limit of as_limit() (also after a failed test). */
static void as_unlimit(void)
{
	if (as_limited)
		assert_int_equal(setrlimit(RLIMIT_AS, &saved_as), 0);
	as_limited = false;
}

static int teardown(void **state)
{
	(void)state;
	as_unlimit();
	tu_tmp_remove();
	return 0;
}

/*
 * Until as_unlimit(), at most 1 GiB of address space: what a reader allocates must
 * follow the rows, never ids near 2^31 (an array indexed by one is 8 GiB or more).
 * ASan needs the address space, so there the suite's max_allocation_size_mb=1024
 * bounds each allocation instead.
 */
static void as_limit(void)
{
#if !TU_ASAN
	struct rlimit lim;

	assert_int_equal(getrlimit(RLIMIT_AS, &saved_as), 0);
	lim = saved_as;
	lim.rlim_cur = (rlim_t)1 << 30;
	if ((saved_as.rlim_cur != RLIM_INFINITY && saved_as.rlim_cur < lim.rlim_cur) ||
	    (saved_as.rlim_max != RLIM_INFINITY && saved_as.rlim_max < lim.rlim_cur))
		return;  /* already tighter */
	assert_int_equal(setrlimit(RLIMIT_AS, &lim), 0);
	as_limited = true;
#endif
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

/* The first damage maintenance went around that was not reported yet says a and b. */
static void assert_damage_says(struct store *s, const char *a, const char *b)
{
	char msg[512];

	if (!store_maint_damage(s, NULL, msg, sizeof(msg)) || !strstr(msg, a) ||
	    (b && !strstr(msg, b)))
		fail_msg("damage '%s' does not say '%s' and '%s'", msg, a, b ? b : "");
	tu_assert_message(msg);
}

/*
 * A profile naming a stack past the end of the table: retention and eviction (garbage
 * collection) go around it with the profile named — the service's symbols are kept, the
 * profiles deleted; they read past the mark array before.
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
	ts_sql_exec("oob.db", "UPDATE profiles SET data=x'520100000101d8fdffff0f0a' "
		       "WHERE id=(SELECT max(id) FROM profiles)");
	assert_int_equal(store_open(tu_tmp_path("oob.db"), 0, &s), 0);
	assert_int_equal(store_retention(s, T0 + 50 * SEC, &n), 0);
	tu_assert_i64((int64_t)n, 1);
	assert_damage_says(s, "refers to stack 4294967000, which does not exist", "profile ");
	/* eviction: the damaged profile goes too, and with it the damage */
	ts_write_or_fail(s, "g", p, T0, NULL, NULL);
	assert_int_equal(store_stats(s, &st), 0);
	assert_int_equal(store_evict(s, st.file_bytes - 1, &n), 0);
	assert_true(n >= 1);
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
		ts_sql_exec("v.db", sql[i]);
		assert_int_equal(store_open(tu_tmp_path("v.db"), STORE_CREATE, &s), ERR_CORRUPT);
		assert_null(s);
		assert_msg_has("is corrupt", says[i]);
		assert_int_equal(store_open(tu_tmp_path("v.db"), STORE_READONLY, &s), ERR_CORRUPT);
		assert_msg_has("is corrupt", says[i]);
		assert_null(strstr(err_last(), "empty"));
	}
	/* a file with no tables at all is still a new store for a writer */
	ts_sql_exec("empty.db", "PRAGMA user_version=0");
	assert_int_equal(store_open(tu_tmp_path("empty.db"), STORE_READONLY, &s), ERR_UNSUPPORTED);
	assert_msg_has("is empty", NULL);
	assert_int_equal(store_open(tu_tmp_path("empty.db"), STORE_CREATE, &s), 0);
	store_close(s);
	prof_free(p);
}

/*
 * A NULL in a text column the schema says is NOT NULL (a hand-made store, its schema
 * edited): every reader that gets the row answers ERR_CORRUPT naming it; strdup and
 * strcmp of the NULL crashed `query series`, `query types`, merges and serve.
 */
static void test_null_text_columns(void **state)
{
	static const struct {
		const char *table, *column, *says;
	} cols[] = {
		{ "series", "profile_type", "series 1 has no profile_type (null)" },
		{ "scope", "tenant", "service 1 has no tenant (null)" },
		{ "scope", "service", "service 1 has no name (null)" },
	};
	struct prof *p = tu_decode_str("main;work 3\n");
	char *pt = ts_ptype_of(p, 0, NULL);
	struct time_range r = { T0 - SEC, T0 + 3600 * SEC };
	struct profile_type_list types = { 0 };
	struct labelset_list series = { 0 };
	struct strvec values = STRVEC_INIT;
	char sql[512];
	struct store *s;
	struct backend *b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		make_store("null.db", p);
		snprintf(sql, sizeof(sql),
			 "PRAGMA writable_schema=ON; UPDATE sqlite_master SET sql=replace(sql, "
			 "'%s TEXT NOT NULL', '%s TEXT') WHERE name='%s'", cols[i].column, cols[i].column,
			 cols[i].table);
		ts_sql_exec("null.db", sql);
		snprintf(sql, sizeof(sql), "UPDATE %s SET %s=NULL", cols[i].table, cols[i].column);
		ts_sql_exec("null.db", sql);
		assert_int_equal(store_open(tu_tmp_path("null.db"), 0, &s), 0);
		b = ts_backend_of(s);
		if (i > 0) {  /* a merge by profile type selects no series without one */
			assert_int_equal(ts_merge_rc(b, pt, "{}", T0 - SEC, T0 + 3600 * SEC),
					 ERR_CORRUPT);
			assert_msg_has("is corrupt", cols[i].says);
		} else {
			assert_int_equal(b->ops->profile_types(b, r, &types), ERR_CORRUPT);
			assert_msg_has("is corrupt", "a series row has no profile_type (null)");
			assert_int_equal(b->ops->series(b, NULL, NULL, 0, r, &series), ERR_CORRUPT);
			assert_msg_has("is corrupt", cols[i].says);
			assert_int_equal(b->ops->label_values(b, "service_name", NULL, r, &values),
					 ERR_CORRUPT);
			assert_msg_has("is corrupt", cols[i].says);
		}
		backend_close(b);
		store_close(s);
	}
	profile_type_list_release(&types);
	labelset_list_release(&series);
	strvec_release(&values);
	prof_free(p);
	free(pt);
}

/*
 * A FIFO, a device or a directory as the store: refused before SQLite opens it, for
 * readers and writers alike.  Opening a FIFO blocked until a writer came (Ctrl-C did
 * not stop it): the alarm fails the test instead of hanging it.
 */
static void test_not_a_file(void **state)
{
	static const unsigned flags[] = { 0, STORE_READONLY, STORE_CREATE };
	struct store *s = NULL;
	size_t i;

	(void)state;
	assert_int_equal(mkfifo(tu_tmp_path("fifo.db"), 0600), 0);
	alarm(20);
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		assert_int_equal(store_open(tu_tmp_path("fifo.db"), flags[i], &s), ERR_IO);
		assert_null(s);
		assert_msg_has("fifo.db': it is a FIFO, not a file", NULL);
		assert_int_equal(store_open("/dev/null", flags[i], &s), ERR_IO);
		assert_msg_has("'/dev/null': it is a character device, not a file", NULL);
		assert_int_equal(store_open(tu_tmp_path(""), flags[i], &s), ERR_IO);
		assert_msg_has("it is a directory, not a file", NULL);
	}
	alarm(0);
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
	ts_sql_exec("nprof.db", "UPDATE profiles SET nprof=9223372036854775807");
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
	ts_sql_exec("dur.db", "UPDATE profiles SET duration_ns=9223372036854775807");
	assert_int_equal(store_open(tu_tmp_path("dur.db"), 0, &s), 0);
	b = ts_backend_of(s);
	assert_int_equal(ts_merge_rc(b, pt, "{}", T0 - SEC, T0 + 3600 * SEC), ERR_CORRUPT);
	assert_msg_has("is corrupt", "past 2^63");
	backend_close(b);
	store_close(s);
	prof_free(p);
	free(pt);
}

/*
 * An average over a damaged row's huge profile count: the entries' remainders add up
 * past 2^63 (three of 2^62 - 1 for -1 over 2^62 profiles).  Each entry is within one
 * unit of its average and the total is the series' average rounded: 0, never the -3
 * that the wrapped sum of remainders gave (UBSan: signed overflow).
 */
static void test_average_huge_count(void **state)
{
	struct prof *p = tu_decode_str("main;work -1\nmain;rest -1\nmain -1\n"), *m;
	char *pt = ts_ptype_of(p, 0, NULL);
	struct store *s = ts_open_new("avg.db");
	struct backend *b;
	uint32_t i;

	(void)state;
	ts_write_or_fail(s, "g", p, T0, NULL, NULL);
	store_close(s);
	ts_sql_exec("avg.db", "UPDATE profiles SET nprof=4611686018427387904");
	assert_int_equal(store_open(tu_tmp_path("avg.db"), 0, &s), 0);
	b = ts_backend_of(s);
	m = ts_merge_q(b, pt, "{}", T0 - SEC, T0 + 3600 * SEC, AGG_AVG, NULL);
	tu_assert_i64(prof_total(m, 0), 0);
	for (i = 0; i < m->nsamples; i++)  /* each within one unit of -2^-62 */
		assert_true(prof_value(m, i, 0) >= -1 && prof_value(m, i, 0) <= 0);
	prof_free(m);
	backend_close(b);
	store_close(s);
	prof_free(p);
	free(pt);
}

/* Appends v as LEB128 at raw + *n. */
static void raw_uv(unsigned char *raw, size_t *n, uint64_t v)
{
	for (; v >= 0x80; v >>= 7)
		raw[(*n)++] = (unsigned char)(v | 0x80);
	raw[(*n)++] = (unsigned char)v;
}

/*
 * A store `name` with the profile "main;work 3" at T0 and T0 + 100 s whose blobs are
 * both raw[0..nraw) (freed here) in one zstd frame of at most max_z bytes: a few
 * kilobytes that decode to hundreds of megabytes.  Opened, with its backend; returns
 * the profile type (the caller frees it).
 */
static char *make_bomb_store(const char *name, unsigned char *raw, size_t nraw, size_t max_z,
			     struct store **s, struct backend **b)
{
	struct prof *p = tu_decode_str("main;work 3\n");
	size_t bound = ZSTD_compressBound(nraw), nz, i;
	struct buf sql = BUF_INIT;
	unsigned char *z = malloc(bound);
	char *pt;

	assert_non_null(z);
	nz = ZSTD_compress(z, bound, raw, nraw, 1);
	assert_false(ZSTD_isError(nz));
	assert_true(nz <= max_z);
	free(raw);
	assert_int_equal(buf_puts(&sql, "UPDATE profiles SET data=x'5a"), 0);
	for (i = 0; i < nz; i++)
		assert_int_equal(buf_printf(&sql, "%02x", z[i]), 0);
	assert_int_equal(buf_puts(&sql, "'"), 0);
	free(z);
	make_store(name, p);
	ts_sql_exec(name, sql.data);
	buf_release(&sql);
	assert_int_equal(store_open(tu_tmp_path(name), 0, s), 0);
	*b = ts_backend_of(*s);
	pt = ts_ptype_of(p, 0, NULL);
	prof_free(p);
	return pt;
}

/*
 * A blob of a few kilobytes whose zstd frame decodes to 100 M empty label sets (one
 * byte each): a merge reserved 32 B a set before reading one (3.2 GB; the reviewer's
 * store took 9.7 GB and 57 s for a silent 0).  More sets than STORE_MAX_PROFILE_LABELS
 * are refused as declared; within it, sets are stored once each, so the second empty set
 * is damage.  ERR_CORRUPT at once, in the 1 GiB address space of as_limit().
 */
static void test_repeated_sets_bomb(void **state)
{
	const size_t counts[2] = { (size_t)100 << 20, STORE_MAX_PROFILE_LABELS };
	const char *says[2] = { "104857600 label sets, more than 2097152",
				"label set 1 repeats set 0" };
	struct store *s;
	struct backend *b;
	size_t i, nraw;
	char *pt;

	(void)state;
	for (i = 0; i < 2; i++) {
		unsigned char *raw = calloc(counts[i] + 16, 1);

		assert_non_null(raw);
		nraw = 0;
		raw_uv(raw, &nraw, 1);          /* version */
		raw_uv(raw, &nraw, 0);          /* period */
		raw_uv(raw, &nraw, counts[i]);  /* then that many empty sets (zeros) */
		nraw += counts[i];
		raw_uv(raw, &nraw, 0);          /* no entries */
		raw_uv(raw, &nraw, 1);          /* gcd */
		pt = make_bomb_store(i ? "bomb2.db" : "bomb.db", raw, nraw, 16384, &s, &b);
		as_limit();
		assert_int_equal(ts_merge_rc(b, pt, "{}", T0 - SEC, T0 + 3600 * SEC), ERR_CORRUPT);
		assert_msg_has("corrupt profile data", says[i]);
		as_unlimit();
		backend_close(b);
		store_close(s);
		free(pt);
	}
}

/*
 * Every reader of the damaged profile of store `name` (made by make_bomb_store) fails
 * with ERR_CORRUPT saying a and b, in the 1 GiB address space of as_limit(): a merge, a
 * timeline that reads the samples (by a sample label); downsampling leaves the bucket's
 * rows as they are and retention's collection of the service's symbols goes around it,
 * each named as damage.
 */
static void assert_readers_refuse(struct store *s, struct backend *b, const char *pt,
				  const char *name, const char *a, const char *b2)
{
	struct query q = { pt, NULL, { T0 - 3600 * SEC, T0 + 3600 * SEC }, AGG_SUM, NULL, 0 };
	struct series_points_list tl = { 0 };
	uint64_t nret;

	as_limit();
	assert_int_equal(ts_merge_rc(b, pt, "{}", T0 - SEC, T0 + 3600 * SEC), ERR_CORRUPT);
	assert_msg_has(a, b2);
	assert_int_equal(b->ops->timeline(b, &q, 3600, "foo", &tl), ERR_CORRUPT);
	assert_msg_has(a, b2);
	series_points_list_release(&tl);
	assert_int_equal(store_downsample(s, T0 + 7200 * SEC, 3600 * SEC, &nret), 0);
	tu_assert_i64((int64_t)nret, 0);
	assert_damage_says(s, a, "not rolled up");
	tu_assert_i64(ts_sql_int(name, "SELECT count(*) FROM profiles"), 2);
	assert_int_equal(store_retention(s, T0 + 50 * SEC, &nret), 0);
	tu_assert_i64((int64_t)nret, 1);
	assert_damage_says(s, a, "symbols kept");
	as_unlimit();
}

/*
 * A few kilobytes of zstd declaring 100 M entries (stack + 1, value 1: each two bytes),
 * on a service of three stacks: a merge reserved 16 B an entry (1.6 GB) and hashed them
 * all before finding the stacks missing, a timeline by a sample label and downsampling
 * did the same (the reviewer's serve reached 8.4 GB), and retention failed its pass out
 * of memory.  Distinct (stack, set) pairs of three stacks are at most three a set:
 * ERR_CORRUPT before the entries are allocated; downsampling and retention go around it.
 */
static void test_entry_count_bomb(void **state)
{
	const size_t n = (size_t)100 << 20;
	unsigned char *raw = malloc(2 * n + 32);
	size_t nraw = 0;
	struct store *s;
	struct backend *b;
	char *pt;

	(void)state;
	assert_non_null(raw);
	raw_uv(raw, &nraw, 1);  /* version */
	raw_uv(raw, &nraw, 0);  /* period */
	raw_uv(raw, &nraw, 0);  /* no label sets */
	raw_uv(raw, &nraw, n);
	raw_uv(raw, &nraw, 1);  /* gcd */
	memset(raw + nraw, 1, n);      /* stack deltas */
	memset(raw + nraw + n, 2, n);  /* values: zigzag 1 */
	nraw += 2 * n;
	pt = make_bomb_store("entries.db", raw, nraw, 32768, &s, &b);
	assert_readers_refuse(s, b, pt, "entries.db", "corrupt profile data: 104857600 entries",
			      "service's 3 stacks times 1");
	backend_close(b);
	store_close(s);
	free(pt);
}

/*
 * A few kilobytes of zstd whose one label set declares 10 M labels of four zero bytes:
 * a merge reserved 48 B a label before reading one (the regression review's set of 60 M
 * took gigabytes).  No writer makes a set of more than STORE_MAX_SET_LABELS: ERR_CORRUPT
 * before the labels are allocated, in the 1 GiB address space of as_limit(); a timeline,
 * downsampling and retention's collection go around it the same way.
 */
static void test_label_count_bomb(void **state)
{
	const size_t nl = (size_t)10 << 20;
	unsigned char *raw = calloc(4 * nl + 32, 1);
	size_t nraw = 0;
	struct store *s;
	struct backend *b;
	char *pt;

	(void)state;
	assert_non_null(raw);
	raw_uv(raw, &nraw, 1);   /* version */
	raw_uv(raw, &nraw, 0);   /* period */
	raw_uv(raw, &nraw, 1);   /* one set */
	raw_uv(raw, &nraw, nl);  /* of nl labels: empty key, string and unit, num 0 */
	nraw += 4 * nl;
	raw_uv(raw, &nraw, 0);   /* no entries */
	raw_uv(raw, &nraw, 1);   /* gcd */
	pt = make_bomb_store("labels.db", raw, nraw, 65536, &s, &b);
	assert_readers_refuse(s, b, pt, "labels.db",
			      "corrupt profile data: label set 0 has 10485760 labels",
			      "more than 4096");
	backend_close(b);
	store_close(s);
	free(pt);
}

/*
 * Sets each within STORE_MAX_SET_LABELS but more than STORE_MAX_PROFILE_LABELS labels in
 * all (513 distinct sets of 4096): refused when the total passes it, at set 512, before
 * that set's labels are allocated; 512 such sets (the cap) read.
 */
static void test_label_total_bomb(void **state)
{
	const size_t per = 4096;
	size_t nsets, nraw, i, k;
	unsigned char *raw;
	struct store *s;
	struct backend *b;
	struct prof *m;
	char *pt;

	(void)state;
	for (nsets = 512; nsets <= 513; nsets++) {
		assert_non_null(raw = calloc(nsets * (4 * per + 8) + 32, 1));
		nraw = 0;
		raw_uv(raw, &nraw, 1);      /* version */
		raw_uv(raw, &nraw, 0);      /* period */
		raw_uv(raw, &nraw, nsets);
		for (i = 0; i < nsets; i++) {  /* set i: its first label's num is i, the rest 0 */
			raw_uv(raw, &nraw, per);
			raw_uv(raw, &nraw, 0);
			raw_uv(raw, &nraw, 0);
			raw_uv(raw, &nraw, 2 * i);  /* zigzag */
			raw_uv(raw, &nraw, 0);
			for (k = 1; k < per; k++)
				nraw += 4;
		}
		raw_uv(raw, &nraw, 1);  /* one entry: the root stack, set 0 ... */
		raw_uv(raw, &nraw, 1);  /* gcd */
		raw_uv(raw, &nraw, 1);  /* stack 1 */
		raw_uv(raw, &nraw, 0);  /* set 0 */
		raw_uv(raw, &nraw, 6);  /* value 3 */
		pt = make_bomb_store(nsets == 512 ? "cap.db" : "total.db", raw, nraw, 1 << 20, &s, &b);
		if (nsets == 512) {
			m = ts_merge_q(b, pt, "{}", T0 - SEC, T0 + 3600 * SEC, AGG_SUM, NULL);
			tu_assert_i64(prof_total(m, 0), 6);
			prof_free(m);
		} else {
			assert_int_equal(ts_merge_rc(b, pt, "{}", T0 - SEC, T0 + 3600 * SEC),
					 ERR_CORRUPT);
			assert_msg_has("corrupt profile data: label set 512 takes its sets past "
				       "2097152 labels in all", NULL);
		}
		backend_close(b);
		store_close(s);
		free(pt);
	}
}

/* ------------------------------------------------------------------ sparse symbol ids */

/* LEB128 as the store writes it, for rewriting its rows here. */
static uint64_t get_uv(const unsigned char **p, const unsigned char *end)
{
	uint64_t v = 0;
	unsigned shift = 0;

	for (;;) {
		assert_true(*p < end && shift < 64);
		v |= (uint64_t)(**p & 0x7f) << shift;
		shift += 7;
		if (!(*(*p)++ & 0x80))
			return v;
	}
}

static void put_uv(struct buf *b, uint64_t v)
{
	unsigned char c[10];
	size_t n = 0;

	for (; v >= 0x80; v >>= 7)
		c[n++] = (unsigned char)(v | 0x80);
	c[n++] = (unsigned char)v;
	assert_int_equal(buf_add(b, c, n), 0);
}

static void skip_bytes(const unsigned char **p, const unsigned char *end)
{
	uint64_t n = get_uv(p, end);

	assert_true(n <= (uint64_t)(end - *p));
	*p += n;
}

/* SQL shift_lines(lines, d): a location's lines (varint function, line)* with every function id + d. */
static void sql_shift_lines(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *p = sqlite3_value_blob(argv[0]);
	const unsigned char *end = p + sqlite3_value_bytes(argv[0]);
	uint64_t d = (uint64_t)sqlite3_value_int64(argv[1]);
	struct buf out = BUF_INIT;

	(void)argc;
	while (p && p < end) {
		put_uv(&out, get_uv(&p, end) + d);
		put_uv(&out, get_uv(&p, end));
	}
	sqlite3_result_blob(ctx, out.data ? out.data : "", (int)out.len, SQLITE_TRANSIENT);
	buf_release(&out);
}

/*
 * SQL shift_stacks(data, d): a profile blob (store/blob.c's layout, version 1: the label
 * sets inline) with every stack id but the root's + d, stored raw ('R').  The stack
 * column is deltas in ascending order: only the step from the root (or the start) to
 * the first other stack changes.
 */
static void sql_shift_stacks(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *in = sqlite3_value_blob(argv[0]), *p, *end;
	size_t len = (size_t)sqlite3_value_bytes(argv[0]);
	uint64_t d = (uint64_t)sqlite3_value_int64(argv[1]), nsets, n, i, j, nl, stack = 0;
	struct buf raw = BUF_INIT, out = BUF_INIT;

	(void)argc;
	assert_true(len > 1);
	if (in[0] == 'Z') {
		unsigned long long size = ZSTD_getFrameContentSize(in + 1, len - 1);

		assert_true(size < ((unsigned long long)1 << 28));
		assert_int_equal(buf_grow(&raw, (size_t)size + 1), 0);
		assert_int_equal(ZSTD_decompress(raw.data, (size_t)size + 1, in + 1, len - 1), size);
		raw.len = (size_t)size;
	} else {
		assert_int_equal(in[0], 'R');
		assert_int_equal(buf_add(&raw, in + 1, len - 1), 0);
	}
	p = (const unsigned char *)raw.data;
	end = p + raw.len;
	assert_int_equal(get_uv(&p, end), 1);
	get_uv(&p, end);  /* period */
	nsets = get_uv(&p, end);
	for (i = 0; i < nsets; i++)
		for (nl = get_uv(&p, end), j = 0; j < nl; j++) {
			skip_bytes(&p, end);  /* key */
			skip_bytes(&p, end);  /* str */
			get_uv(&p, end);      /* num */
			skip_bytes(&p, end);  /* unit */
		}
	n = get_uv(&p, end);
	get_uv(&p, end);  /* gcd */
	assert_int_equal(buf_add(&out, "R", 1), 0);
	assert_int_equal(buf_add(&out, raw.data, (size_t)(p - (const unsigned char *)raw.data)), 0);
	for (i = 0; i < n; i++) {
		uint64_t delta = get_uv(&p, end);

		put_uv(&out, stack == 0 && delta ? delta + d : delta);
		stack += delta;
	}
	assert_int_equal(buf_add(&out, p, (size_t)(end - p)), 0);
	sqlite3_result_blob(ctx, out.data, (int)out.len, SQLITE_TRANSIENT);
	buf_release(&raw);
	buf_release(&out);
}

/*
 * Moves every symbol id of the store `name` but 0 up, each table by its own amount, so
 * that its largest id is 2^31 - 1, with every reference (columns, location lines,
 * profile blobs) to match: the same profiles, under ids near 2^31 with a hole of some
 * 2^31 below them.
 */
static void move_ids_up(const char *name)
{
	static const char *const tables[] = { "strings", "mappings", "functions", "locations",
					      "stacks" };
	/* each statement adds ?1, the delta of tables[table], to what names that table */
	static const struct {
		int table;
		const char *sql;
	} moves[] = {
		{ 0, "UPDATE strings SET id=id+?1 WHERE id>0" },
		{ 0, "UPDATE functions SET name=name+?1 WHERE name>0" },
		{ 0, "UPDATE functions SET system_name=system_name+?1 WHERE system_name>0" },
		{ 0, "UPDATE functions SET file=file+?1 WHERE file>0" },
		{ 0, "UPDATE mappings SET file=file+?1 WHERE file>0" },
		{ 0, "UPDATE mappings SET build_id=build_id+?1 WHERE build_id>0" },
		{ 1, "UPDATE mappings SET id=id+?1 WHERE id>0" },
		{ 1, "UPDATE locations SET mapping=mapping+?1 WHERE mapping>0" },
		{ 2, "UPDATE functions SET id=id+?1 WHERE id>0" },
		{ 2, "UPDATE locations SET lines=shift_lines(lines, ?1)" },
		{ 3, "UPDATE locations SET id=id+?1 WHERE id>0" },
		{ 3, "UPDATE stacks SET loc=loc+?1 WHERE loc>0" },
		{ 4, "UPDATE stacks SET parent=parent+?1 WHERE parent>0" },
		{ 4, "UPDATE stacks SET id=id+?1 WHERE id>0" },
		{ 4, "UPDATE profiles SET data=shift_stacks(data, ?1)" },
	};
	int64_t d[5];
	char sql[128];
	sqlite3_stmt *st;
	sqlite3 *db;
	size_t i;

	assert_int_equal(sqlite3_open(tu_tmp_path(name), &db), SQLITE_OK);
	assert_int_equal(sqlite3_create_function(db, "shift_lines", 2, SQLITE_UTF8, NULL,
						 sql_shift_lines, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_create_function(db, "shift_stacks", 2, SQLITE_UTF8, NULL,
						 sql_shift_stacks, NULL, NULL), SQLITE_OK);
	for (i = 0; i < 5; i++) {
		snprintf(sql, sizeof(sql), "SELECT 2147483647 - max(id) FROM %s", tables[i]);
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		if (sqlite3_column_type(st, 0) == SQLITE_NULL)
			fail_msg("the store has no %s", tables[i]);
		d[i] = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	for (i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
		assert_int_equal(sqlite3_prepare_v2(db, moves[i].sql, -1, &st, NULL), SQLITE_OK);
		sqlite3_bind_int64(st, 1, d[moves[i].table]);
		if (sqlite3_step(st) != SQLITE_DONE)
			fail_msg("%s: %s", moves[i].sql, sqlite3_errmsg(db));
		sqlite3_finalize(st);
	}
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Sample type t of p as text that does not depend on ids or order: a sorted line per
 * sample, its value and, leaf first, each location's address, mapping and lines.
 */
static char *dump(const struct prof *p, uint32_t t)
{
	char **lines = calloc((size_t)p->nsamples + 1, sizeof(*lines));
	struct buf l = BUF_INIT, out = BUF_INIT;
	uint32_t i, j, k;

	assert_non_null(lines);
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *sm = &p->samples[i];

		buf_reset(&l);
		buf_printf(&l, "%lld", (long long)prof_value(p, i, t));
		for (j = 0; j < sm->nlocs; j++) {
			const struct prof_location *loc = &p->locations[p->sample_locs[sm->loc_off + j]];

			buf_printf(&l, " [%llx", (unsigned long long)loc->address);
			if (loc->mapping != PROF_NONE) {
				const struct prof_mapping *m = &p->mappings[loc->mapping];

				buf_printf(&l, " %s %s %llx-%llx+%llx", prof_str(p, m->file),
					   prof_str(p, m->build_id), (unsigned long long)m->start,
					   (unsigned long long)m->limit, (unsigned long long)m->offset);
			}
			for (k = 0; k < loc->nlines; k++) {
				const struct prof_line *ln = &p->lines[loc->line_off + k];
				const struct prof_function *f = &p->functions[ln->func];

				buf_printf(&l, " %s|%s|%s|%lld:%lld", prof_str(p, f->name),
					   prof_str(p, f->system_name), prof_str(p, f->file),
					   (long long)f->start_line, (long long)ln->line);
			}
			buf_puts(&l, "]");
		}
		lines[i] = strdup(l.data);
		assert_non_null(lines[i]);
	}
	qsort(lines, p->nsamples, sizeof(*lines), cmp_line);
	for (i = 0; i < p->nsamples; i++) {
		buf_printf(&out, "%s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
	buf_release(&l);
	return out.data ? out.data : strdup("");
}

/* The merge of every profile of type pt in [T0 - 1 h, T0 + 1 h) in the store `name`, dumped. */
static char *merged(const char *name, const char *pt, uint64_t *nprof)
{
	struct merge_info mi;
	struct backend *b;
	struct prof *m;
	char *d;

	if (store_backend_open(tu_tmp_path(name), NULL, &b))
		fail_msg("%s: %s", name, err_last());
	m = ts_merge_q(b, pt, "{}", T0 - 3600 * SEC, T0 + 3600 * SEC, AGG_SUM, &mi);
	d = dump(m, 0);
	*nprof = mi.nprofiles;
	prof_free(m);
	backend_close(b);
	return d;
}

static void assert_same_merge(const char *a, const char *b, const char *pt)
{
	uint64_t na, nb;
	char *da = merged(a, pt, &na), *db = merged(b, pt, &nb);
	size_t i = 0;

	while (da[i] && da[i] == db[i])
		i++;
	if (da[i] != db[i])
		fail_msg("%s and %s merge differently at byte %zu: '%.200s' against '%.200s'", a, b,
			 i, da + i, db + i);
	tu_assert_i64((int64_t)na, (int64_t)nb);
	assert_true(strlen(da) > 1000);
	free(da);
	free(db);
}

static void write_one(const char *name, const struct prof *p, int64_t t)
{
	struct store *s;

	assert_int_equal(store_open(tu_tmp_path(name), STORE_CREATE, &s), 0);
	ts_write_or_fail(s, "g", p, t, NULL, NULL);
	store_close(s);
}

/*
 * Every symbol id moved up to end at 2^31 - 1 (a hole of 2^31 below them): readers
 * merge what the dense store merges, a writer interns into it (its new ids go on past
 * 2^31 - 1), and garbage collection deletes the same rows — all within 1 GiB of address
 * space.  Arrays indexed by id allocated 8 GiB and more for one such table.
 */
static void test_ids_near_2_31(void **state)
{
	struct prof *p = tu_decode("go/cpuwork-cpu.pb.gz");
	struct prof *p3 = tu_decode("go/cpuwork-cpu-after-scoreRecords-3x.pb.gz");
	char *pt = ts_ptype_of(p, 0, NULL);
	struct store *s;
	uint64_t n, n2;

	(void)state;
	make_store("dense.db", p);
	make_store("sparse.db", p);
	move_ids_up("sparse.db");
	tu_assert_i64(ts_sql_int("sparse.db", "SELECT max(id) FROM stacks"), 2147483647);
	as_limit();
	assert_same_merge("dense.db", "sparse.db", pt);
	/* a writer: what is known is found, what is new gets ids past 2^31 - 1 */
	write_one("dense.db", p3, T0 + 200 * SEC);
	write_one("sparse.db", p3, T0 + 200 * SEC);
	assert_same_merge("dense.db", "sparse.db", pt);
	assert_true(ts_sql_int("sparse.db", "SELECT min(id) FROM stacks WHERE id>2147483647") ==
		    2147483648LL);
	tu_assert_i64(ts_sql_int("sparse.db", "SELECT count(*) FROM stacks"),
		      ts_sql_int("dense.db", "SELECT count(*) FROM stacks"));
	/* garbage collection: the profiles at T0 and T0 + 100 s go, and the symbols only they used */
	assert_int_equal(store_open(tu_tmp_path("dense.db"), 0, &s), 0);
	assert_int_equal(store_retention(s, T0 + 150 * SEC, &n), 0);
	store_close(s);
	assert_int_equal(store_open(tu_tmp_path("sparse.db"), 0, &s), 0);
	assert_int_equal(store_retention(s, T0 + 150 * SEC, &n2), 0);
	store_close(s);
	as_unlimit();
	assert_true(n > 0);
	tu_assert_i64((int64_t)n2, (int64_t)n);
	assert_true(ts_sql_int("dense.db", "SELECT count(*) FROM stacks") <
		    ts_sql_int("dense.db", "SELECT max(id) FROM stacks"));
	tu_assert_i64(ts_sql_int("sparse.db", "SELECT count(*) FROM stacks"),
		      ts_sql_int("dense.db", "SELECT count(*) FROM stacks"));
	tu_assert_i64(ts_sql_int("sparse.db", "SELECT count(*) FROM strings"),
		      ts_sql_int("dense.db", "SELECT count(*) FROM strings"));
	tu_assert_i64(ts_sql_int("sparse.db", "SELECT count(*) FROM locations"),
		      ts_sql_int("dense.db", "SELECT count(*) FROM locations"));
	as_limit();
	assert_same_merge("dense.db", "sparse.db", pt);
	as_unlimit();
	prof_free(p);
	prof_free(p3);
	free(pt);
}

/*
 * Holes left by garbage collection (a big profile of the service and the symbols only
 * it used gone, the lowest ids): a store with them merges and takes writes as one that
 * never had them.
 */
static void test_ids_after_collection(void **state)
{
	struct prof *h = tu_decode("go/gencode3k-cpu.pb.gz"), *p = tu_decode("go/cpuwork-cpu.pb.gz");
	struct prof *p3 = tu_decode("go/cpuwork-cpu-after-scoreRecords-3x.pb.gz");
	char *pt = ts_ptype_of(p, 0, NULL);
	struct store *s = ts_open_new("holes.db");
	uint64_t n;

	(void)state;
	ts_write_or_fail(s, "g", h, T0 - 100 * SEC, NULL, NULL);
	ts_write_or_fail(s, "g", p, T0, NULL, NULL);
	assert_int_equal(store_retention(s, T0 - 50 * SEC, &n), 0);
	assert_true(n > 0);
	store_close(s);
	s = ts_open_new("none.db");
	ts_write_or_fail(s, "g", p, T0, NULL, NULL);
	store_close(s);
	/* most ids of holes.db are gone, the lowest first: past what an array by id would take */
	assert_true(ts_sql_int("holes.db", "SELECT max(id) - 2 * count(*) FROM stacks") > 4096);
	assert_true(ts_sql_int("holes.db", "SELECT max(id) - 2 * count(*) FROM locations") > 4096);
	as_limit();
	assert_same_merge("holes.db", "none.db", pt);
	write_one("holes.db", p3, T0 + 100 * SEC);
	write_one("none.db", p3, T0 + 100 * SEC);
	assert_same_merge("holes.db", "none.db", pt);
	as_unlimit();
	prof_free(h);
	prof_free(p);
	prof_free(p3);
	free(pt);
}

/*
 * Hand-made rows with ids near or past 2^31 that name rows which do not exist: one
 * "is corrupt" line from readers, writers and maintenance, within 1 GiB of address
 * space.  A consistent such row is just a sparse id and reads.
 */
static void test_huge_dangling_ids(void **state)
{
	static const struct {
		const char *sql, *says;
	} cases[] = {
		{ "INSERT INTO stacks(scope, id, parent, loc) SELECT id, 2147483647, 2147483000, 1 "
		  "FROM scope", "bad stack 2147483647" },
		{ "INSERT INTO stacks(scope, id, parent, loc) SELECT id, 2147483647, 1, 2000000000 "
		  "FROM scope", "bad stack 2147483647" },
		{ "INSERT INTO strings(scope, id, s) SELECT id, 4294967295, x'41' FROM scope",
		  "bad string 4294967295" },
		{ "INSERT INTO functions(scope, id, name, system_name, file, start_line) "
		  "SELECT id, 2147483647, 2000000000, 0, 0, 0 FROM scope", "bad function 2147483647" },
		{ "INSERT INTO locations(scope, id, mapping, address, lines) "
		  "SELECT id, 2147483647, 0, 0, x'ffffffff0700' FROM scope", "bad location 2147483647" },
		{ "INSERT INTO locations(scope, id, mapping, address, lines) "
		  "SELECT id, 2147483647, 3000000000, 0, x'' FROM scope", "bad location 2147483647" },
		{ "INSERT INTO mappings(scope, id, mem_start, mem_limit, file_offset, file, build_id) "
		  "SELECT id, 2147483647, 0, 0, 0, 2147483000, 0 FROM scope", "bad mapping 2147483647" },
		/* a profile on stack 2147483000, which does not exist */
		{ "UPDATE profiles SET data=x'520100000101f8faffff070a' "
		  "WHERE id=(SELECT max(id) FROM profiles)", "refers to stack 2147483000" },
	};
	struct prof *p = tu_decode_str("main;work 3\nmain 1\n"), *m;
	char *pt = ts_ptype_of(p, 0, NULL);
	struct store *s;
	struct backend *b;
	struct buf folded = BUF_INIT;
	uint64_t n;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_store("huge.db", p);
		ts_sql_exec("huge.db", cases[i].sql);
		as_limit();
		assert_int_equal(store_open(tu_tmp_path("huge.db"), 0, &s), 0);
		b = ts_backend_of(s);
		assert_int_equal(ts_merge_rc(b, pt, "{}", T0 - SEC, T0 + 3600 * SEC), ERR_CORRUPT);
		assert_msg_has("is corrupt", cases[i].says);
		backend_close(b);
		if (i + 1 < sizeof(cases) / sizeof(cases[0])) {  /* the symbols are bad: */
			struct labelset ls = LABELSET_INIT;

			labelset_set(&ls, "service_name", "g");
			assert_int_equal(store_write(s, NULL, &ls, p, T0 + 200 * SEC, 0), ERR_CORRUPT);
			assert_msg_has("is corrupt", cases[i].says);
			labelset_free(&ls);
		}
		/* maintenance deletes the old profile and keeps the symbols it cannot read */
		assert_int_equal(store_retention(s, T0 + 50 * SEC, &n), 0);
		tu_assert_i64((int64_t)n, 1);
		assert_damage_says(s, "is corrupt", cases[i].says);
		store_close(s);
		as_unlimit();
	}
	/* the same stack made consistent: main;work;main at 2147483647, a profile on it */
	make_store("huge.db", p);
	ts_sql_exec("huge.db",
		    "INSERT INTO stacks(scope, id, parent, loc) SELECT scope, 2147483647, "
			"(SELECT max(id) FROM stacks), (SELECT min(loc) FROM stacks) FROM stacks LIMIT 1;"
			"INSERT INTO profiles(series, time_ns, duration_ns, nprof, total, data) "
			"SELECT series, time_ns + 1, 0, 1, 5, x'520100000101ffffffff070a' FROM profiles "
			"WHERE id=(SELECT min(id) FROM profiles)");
	as_limit();
	assert_int_equal(store_open(tu_tmp_path("huge.db"), 0, &s), 0);
	b = ts_backend_of(s);
	m = ts_merge_q(b, pt, "{}", T0 - SEC, T0 + 3600 * SEC, AGG_SUM, NULL);
	assert_int_equal(encode_folded(m, 0, &folded), 0);
	if (!strstr(folded.data, "main;work;main 5\n") || !strstr(folded.data, "main;work 6\n"))
		fail_msg("merged: %s", folded.data);
	prof_free(m);
	backend_close(b);
	/* and collected as any stack */
	assert_int_equal(store_retention(s, T0 + 50 * SEC, &n), 0);
	tu_assert_i64((int64_t)n, 2);
	store_close(s);
	as_unlimit();
	tu_assert_i64(ts_sql_int("huge.db", "SELECT count(*) FROM stacks WHERE id=2147483647"), 0);
	/* a string at the last id there is: read, but a new one has no id left */
	make_store("huge.db", p);
	ts_sql_exec("huge.db",
		    "INSERT INTO strings(scope, id, s) SELECT id, 4294967294, x'41' FROM scope");
	as_limit();
	assert_int_equal(store_open(tu_tmp_path("huge.db"), 0, &s), 0);
	b = ts_backend_of(s);
	tu_assert_i64(ts_total_of(b, pt, "{}"), 4);
	backend_close(b);
	m = tu_decode_str("main;other 1\n");
	{
		struct labelset ls = LABELSET_INIT;

		labelset_set(&ls, "service_name", "g");
		assert_int_equal(store_write(s, NULL, &ls, m, T0 + 200 * SEC, 0), ERR_TOOBIG);
		assert_msg_has("service 'g' has no string ids left", "4294967294");
		ts_write_or_fail(s, "g", p, T0 + 300 * SEC, NULL, NULL);  /* nothing new */
		labelset_free(&ls);
	}
	store_close(s);
	as_unlimit();
	prof_free(m);
	buf_release(&folded);
	prof_free(p);
	free(pt);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stack_past_the_table),
		cmocka_unit_test(test_bad_schema_version),
		cmocka_unit_test(test_null_text_columns),
		cmocka_unit_test(test_not_a_file),
		cmocka_unit_test(test_retention_keeps_young_rollups),
		cmocka_unit_test(test_sums_past_2_63),
		cmocka_unit_test(test_average_huge_count),
		cmocka_unit_test(test_repeated_sets_bomb),
		cmocka_unit_test(test_entry_count_bomb),
		cmocka_unit_test(test_label_count_bomb),
		cmocka_unit_test(test_label_total_bomb),
		cmocka_unit_test(test_ids_near_2_31),
		cmocka_unit_test(test_ids_after_collection),
		cmocka_unit_test(test_huge_dangling_ids),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}
