/*
 * test_store_sets.c — sample-label sets shared by the rows of one push (schema version
 * 2): a span profile's sets stored once for all its sample types and read back through
 * every query, kept while any row names them and dropped with the last one (retention,
 * a downsampling that merges one sample type and leaves the other), a version-1 store
 * upgraded in place, and damaged or missing sets refused.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/vec.h"
#include "profile/builder.h"
#include "profile/labels.h"
#include "store/store.h"
#include "store/store_int.h"
#include "testutil.h"
#include "testutil_store.h"

#define NSPANS 40
#define SPAN_NAME "process_cpu"

static int setup(void **state)
{
	(void)state;
	return tu_tmp_create("store_sets");
}

static int teardown(void **state)
{
	(void)state;
	tu_tmp_remove();
	return 0;
}

static void span_id(char out[17], uint32_t i, uint32_t seed)
{
	snprintf(out, 17, "%08x%08x", seed * 2654435761u, i * 40503u + 7);
}

/*
 * A span profile: NSPANS samples on two stacks, each with its own profile_id and a
 * function label (slow on every third); sample i counts i + 1, and 10 ms per count.
 * ntypes 2: samples/count and cpu/nanoseconds (as Go's CPU profiles); 1: samples only.
 */
static struct prof *span_profile(uint32_t ntypes, uint32_t seed)
{
	struct prof_builder *b;
	struct prof *p;
	struct prof_function f = { 0 };
	struct prof_line line = { 0, 0 };
	uint32_t sm, ct, cpu, ns, fa, fb, la, lb, k_pid, k_fn, v_fast, v_slow, i;
	char id[17];

	assert_int_equal(pb_new(&b), 0);
	pb_string(b, "samples", 7, &sm);
	pb_string(b, "count", 5, &ct);
	pb_string(b, "cpu", 3, &cpu);
	pb_string(b, "nanoseconds", 11, &ns);
	pb_sample_type(b, sm, ct);
	if (ntypes > 1)
		pb_sample_type(b, cpu, ns);
	pb_set_period(b, cpu, ns, 10000000);
	pb_string(b, "main.work", 9, &f.name);
	pb_function(b, &f, &fa);
	pb_string(b, "main.main", 9, &f.name);
	pb_function(b, &f, &fb);
	line.func = fa;
	pb_location(b, PROF_NONE, 0x10, &line, 1, &la);
	line.func = fb;
	pb_location(b, PROF_NONE, 0x20, &line, 1, &lb);
	pb_string(b, "profile_id", 10, &k_pid);
	pb_string(b, "function", 8, &k_fn);
	pb_string(b, "fast", 4, &v_fast);
	pb_string(b, "slow", 4, &v_slow);
	for (i = 0; i < NSPANS; i++) {
		uint32_t locs[2] = { la, lb };
		int64_t v[2] = { i + 1, (int64_t)(i + 1) * 10000000 };
		struct prof_label l[2] = { { 0 }, { 0 } };

		span_id(id, i, seed);
		pb_string(b, id, 16, &l[0].str);
		l[0].key = k_pid;
		l[1].key = k_fn;
		l[1].str = i % 3 == 0 ? v_slow : v_fast;
		assert_int_equal(pb_sample(b, i % 2 ? locs : locs + 1, i % 2 ? 2 : 1, v, l, 2), 0);
	}
	assert_int_equal(pb_finish(b, &p), 0);
	return p;
}

/* Sum of (i + 1) over the samples that `slow` selects (every third), times k. */
static int64_t slow_total(int64_t k)
{
	int64_t t = 0;
	uint32_t i;

	for (i = 0; i < NSPANS; i += 3)
		t += (int64_t)(i + 1) * k;
	return t;
}

static int64_t all_total(int64_t k)
{
	return (int64_t)NSPANS * (NSPANS + 1) / 2 * k;
}

static int64_t count_of(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(s->db));
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Every labelsets row is named by a profile, and every name has its row. */
static void assert_sets_consistent(struct store *s)
{
	tu_assert_i64(count_of(s, "SELECT count(*) FROM labelsets WHERE id NOT IN "
				  "(SELECT sets FROM profiles WHERE sets IS NOT NULL)"), 0);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM profiles WHERE sets IS NOT NULL AND "
				  "sets NOT IN (SELECT id FROM labelsets)"), 0);
}

static void write_span(struct store *s, const struct prof *p, int64_t t)
{
	ts_write_or_fail(s, "spans", p, t, "__name__", SPAN_NAME);
}

static char *span_type(uint32_t t)
{
	struct prof *p = span_profile(2, 1);
	char *pt = ts_ptype_of(p, t, SPAN_NAME);

	prof_free(p);
	return pt;
}

/* The total of (type t, selector) over [from, to). */
static int64_t total_in(struct backend *b, uint32_t t, const char *sel, int64_t from, int64_t to)
{
	char *pt = span_type(t);
	struct prof *m = ts_merge_q(b, pt, sel, from, to, AGG_SUM, NULL);
	int64_t v = prof_total(m, 0);

	prof_free(m);
	free(pt);
	return v;
}

static void test_sets_shared(void **state)
{
	struct store *s = ts_open_new("shared.db");
	struct backend *b = ts_backend_of(s);
	struct prof *p = span_profile(2, 1), *g, *c;
	struct store_stats st;
	char id[17], sel[96];

	(void)state;
	write_span(s, p, T0);
	/* one row of sets, named by both sample types' rows */
	tu_assert_i64(count_of(s, "SELECT count(*) FROM labelsets"), 1);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM profiles WHERE sets IS NOT NULL"), 2);
	tu_assert_i64(count_of(s, "SELECT count(DISTINCT sets) FROM profiles"), 1);
	assert_sets_consistent(s);
	/* every query reads them: totals, a sample label, one span's own id */
	tu_assert_i64(total_in(b, 0, "{service_name=\"spans\"}", T0, T0 + SEC), all_total(1));
	tu_assert_i64(total_in(b, 1, "{service_name=\"spans\"}", T0, T0 + SEC), all_total(10000000));
	tu_assert_i64(total_in(b, 0, "{function=\"slow\"}", T0, T0 + SEC), slow_total(1));
	tu_assert_i64(total_in(b, 1, "{function=\"slow\"}", T0, T0 + SEC), slow_total(10000000));
	span_id(id, 7, 1);
	snprintf(sel, sizeof(sel), "{profile_id=\"%s\"}", id);
	tu_assert_i64(total_in(b, 1, sel, T0, T0 + SEC), 8 * 10000000);
	ts_assert_label_values(b, "function", NULL, 2, "fast", "slow");
	/* pyroscope-go's own span fixture: its 480 profile_ids stored once, not twice */
	g = tu_decode("pyroscope/grafana-pyroscope/pkg/pprof/testdata/go.cpu.labels.pprof");
	ts_write_or_fail(s, "goapp", g, T0, NULL, NULL);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM labelsets"), 2);
	assert_true(count_of(s, "SELECT length(data) FROM labelsets ORDER BY id DESC LIMIT 1") >
		    count_of(s, "SELECT sum(length(p.data)) FROM profiles p JOIN series s ON "
				"s.id=p.series JOIN scope c ON c.id=s.scope WHERE c.service='goapp'"));
	ts_assert_label_values(b, "function", "{service_name=\"goapp\"}", 2, "fast", "slow");
	/* a profile without sample labels keeps none */
	c = tu_decode("go/cpuwork-cpu.pb.gz");
	ts_write_or_fail(s, "plain", c, T0, NULL, NULL);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM labelsets"), 2);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM profiles WHERE sets IS NULL"), 2);
	/* the shared rows count as profile bytes */
	assert_int_equal(store_stats(s, &st), 0);
	tu_assert_i64((int64_t)st.blob_bytes,
		      count_of(s, "SELECT sum(length(data)) FROM profiles") +
			      count_of(s, "SELECT sum(length(data)) FROM labelsets"));
	assert_sets_consistent(s);
	prof_free(c);
	prof_free(g);
	prof_free(p);
	backend_close(b);
	store_close(s);
}

static void test_sets_retention(void **state)
{
	struct store *s = ts_open_new("retention.db");
	struct backend *b = ts_backend_of(s);
	struct prof *a = span_profile(2, 1), *c = span_profile(2, 2);
	uint64_t n = 0;

	(void)state;
	write_span(s, a, T0);
	write_span(s, c, T0 + 10 * SEC);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM labelsets"), 2);
	assert_int_equal(store_retention(s, T0 + 5 * SEC, &n), 0);
	tu_assert_i64((int64_t)n, 2);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM labelsets"), 1);
	assert_sets_consistent(s);
	tu_assert_i64(total_in(b, 1, "{function=\"slow\"}", T0, T0 + 100 * SEC),
		      slow_total(10000000));
	assert_int_equal(store_retention(s, T0 + 100 * SEC, &n), 0);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM labelsets"), 0);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM profiles"), 0);
	prof_free(a);
	prof_free(c);
	backend_close(b);
	store_close(s);
}

/*
 * Downsampling merges the samples series of a bucket (a two-type push and a samples-only
 * push) but not the cpu series (one row): the push's sets stay for its cpu row, until
 * both are gone.
 */
static void test_sets_downsampling(void **state)
{
	struct store *s = ts_open_new("downsample.db");
	struct backend *b = ts_backend_of(s);
	struct prof *two = span_profile(2, 1), *one = span_profile(1, 2);
	int64_t t = HOUR0 + 120 * SEC;
	uint64_t merged = 0;

	(void)state;
	write_span(s, two, t);
	write_span(s, one, t + 10 * SEC);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM labelsets"), 1);  /* one type: inline */
	assert_int_equal(store_downsample(s, t + 3600 * SEC, 60 * SEC, &merged), 0);
	tu_assert_i64((int64_t)merged, 2);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM profiles"), 2);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM labelsets"), 1);
	assert_sets_consistent(s);
	tu_assert_i64(total_in(b, 0, "{service_name=\"spans\"}", t - 60 * SEC, t + 60 * SEC),
		      2 * all_total(1));
	tu_assert_i64(total_in(b, 0, "{function=\"slow\"}", t - 60 * SEC, t + 60 * SEC),
		      2 * slow_total(1));
	tu_assert_i64(total_in(b, 1, "{function=\"slow\"}", t - 60 * SEC, t + 60 * SEC),
		      slow_total(10000000));
	/* a second push of both types in the bucket: now the cpu series merges too */
	write_span(s, two, t + 20 * SEC);
	assert_int_equal(store_downsample(s, t + 3600 * SEC, 60 * SEC, &merged), 0);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM labelsets"), 0);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM profiles WHERE sets IS NOT NULL"), 0);
	tu_assert_i64(total_in(b, 1, "{function=\"slow\"}", t - 60 * SEC, t + 60 * SEC),
		      2 * slow_total(10000000));
	tu_assert_i64(total_in(b, 0, "{service_name=\"spans\"}", t - 60 * SEC, t + 60 * SEC),
		      3 * all_total(1));
	prof_free(two);
	prof_free(one);
	backend_close(b);
	store_close(s);
}

/*
 * Pushes of both types in every bucket: each bucket's two rollups (one per sample type)
 * merge the same pushes' shared sets and share one labelsets row again — through a
 * second level of rollups too — with every total, sample label and span id as before.
 */
static void test_sets_shared_rollups(void **state)
{
	struct store *s = ts_open_new("rollups.db");
	struct backend *b = ts_backend_of(s);
	struct prof *p[12];
	int64_t t = HOUR0, slow0 = 0, slow1 = 0, pid1 = 0;
	uint64_t merged = 0;
	char id[17], sel[96];
	uint32_t i;

	(void)state;
	/* 12 pushes 10 s apart: two 1 min buckets of 6 */
	for (i = 0; i < 12; i++) {
		p[i] = span_profile(2, i + 1);
		write_span(s, p[i], t + i * 10 * SEC);
		slow0 += slow_total(1);
		slow1 += slow_total(10000000);
	}
	span_id(id, 7, 3);
	snprintf(sel, sizeof(sel), "{profile_id=\"%s\"}", id);
	pid1 = total_in(b, 1, sel, t, t + 3600 * SEC);
	tu_assert_i64(pid1, 8 * 10000000);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM labelsets"), 12);
	assert_int_equal(store_downsample(s, t + 3600 * SEC, 60 * SEC, &merged), 0);
	tu_assert_i64((int64_t)merged, 24);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM profiles"), 4);
	/* one row per bucket, named by both types' rollups */
	tu_assert_i64(count_of(s, "SELECT count(*) FROM labelsets"), 2);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM profiles WHERE sets IS NOT NULL"), 4);
	assert_sets_consistent(s);
	tu_assert_i64(total_in(b, 0, "{service_name=\"spans\"}", t, t + 3600 * SEC),
		      12 * all_total(1));
	tu_assert_i64(total_in(b, 0, "{function=\"slow\"}", t, t + 3600 * SEC), slow0);
	tu_assert_i64(total_in(b, 1, "{function=\"slow\"}", t, t + 3600 * SEC), slow1);
	tu_assert_i64(total_in(b, 1, sel, t, t + 3600 * SEC), pid1);
	/* the rollups of rollups: one row for the hour */
	assert_int_equal(store_downsample(s, t + 7200 * SEC, 3600 * SEC, &merged), 0);
	tu_assert_i64((int64_t)merged, 4);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM profiles"), 2);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM labelsets"), 1);
	tu_assert_i64(count_of(s, "SELECT count(DISTINCT sets) FROM profiles"), 1);
	assert_sets_consistent(s);
	tu_assert_i64(total_in(b, 0, "{function=\"slow\"}", t, t + 3600 * SEC), slow0);
	tu_assert_i64(total_in(b, 1, "{function=\"slow\"}", t, t + 3600 * SEC), slow1);
	tu_assert_i64(total_in(b, 1, sel, t, t + 3600 * SEC), pid1);
	ts_assert_label_values(b, "function", NULL, 2, "fast", "slow");
	/* and gone with the last row that names it */
	assert_int_equal(store_retention(s, t + 7200 * SEC, &merged), 0);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM labelsets"), 0);
	for (i = 0; i < 12; i++)
		prof_free(p[i]);
	backend_close(b);
	store_close(s);
}

/*
 * A version-1 store (no labelsets table, no sets column): read as it is by a read-only
 * connection, upgraded by the first read-write one — which the reader then notices.
 */
static void test_sets_upgrade(void **state)
{
	const char *path = tu_tmp_path("v1.db");
	struct store *s = ts_open_new("v1.db"), *ro = NULL;
	struct prof *c = tu_decode("go/cpuwork-cpu.pb.gz"), *p = span_profile(2, 3);
	struct backend *b, *rb;
	struct store_stats st;
	char *pt = ts_ptype_of(c, 1, NULL);

	(void)state;
	ts_write_or_fail(s, "plain", c, T0, NULL, NULL);
	assert_int_equal(sqlite3_exec(s->db, "DROP INDEX profiles_sets;"
					     "ALTER TABLE profiles DROP COLUMN sets;"
					     "DROP TABLE labelsets;"
					     "UPDATE schema_version SET version=1;", NULL, NULL, NULL),
			 SQLITE_OK);
	store_close(s);
	/* read-only: read as it is, left as it is */
	assert_int_equal(store_open(path, STORE_READONLY, &ro), 0);
	rb = ts_backend_of(ro);
	tu_assert_i64(ts_total_of(rb, pt, "{service_name=\"plain\"}"), prof_total(c, 1));
	assert_int_equal(store_stats(ro, &st), 0);
	tu_assert_i64((int64_t)st.profiles, 2);
	tu_assert_i64(count_of(ro, "SELECT max(version) FROM schema_version"), 1);
	/* read-write: upgraded */
	assert_int_equal(store_open(path, 0, &s), 0);
	tu_assert_i64(count_of(s, "SELECT max(version) FROM schema_version"), 2);
	b = ts_backend_of(s);
	tu_assert_i64(ts_total_of(b, pt, "{service_name=\"plain\"}"), prof_total(c, 1));
	write_span(s, p, T0);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM labelsets"), 1);
	tu_assert_i64(total_in(b, 0, "{function=\"slow\"}", T0, T0 + SEC), slow_total(1));
	/* the reader opened before the upgrade reads the shared sets too */
	tu_assert_i64(total_in(rb, 0, "{function=\"slow\"}", T0, T0 + SEC), slow_total(1));
	tu_assert_i64(total_in(rb, 1, "{service_name=\"spans\"}", T0, T0 + SEC),
		      all_total(10000000));
	backend_close(rb);
	store_close(ro);
	backend_close(b);
	store_close(s);
	free(pt);
	prof_free(p);
	prof_free(c);
}

/* A version-2 blob decodes only with its own sets. */
static void test_sets_blob(void **state)
{
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ZSTD_DCtx *dc = ZSTD_createDCtx();
	struct blob sets, other, b, back;
	struct blob_label l = { "profile_id", "", "", 10, 0, 0, 0 };
	struct buf enc = BUF_INIT, senc = BUF_INIT, oenc = BUF_INIT;
	char id[17];
	uint32_t i, k;

	(void)state;
	blob_init(&sets);
	blob_init(&other);
	blob_init(&b);
	blob_init(&back);
	for (i = 0; i < 50; i++) {
		span_id(id, i, 9);
		l.str = id;
		l.slen = 16;
		assert_int_equal(blob_add_set(&sets, &l, 1, &k), 0);
		assert_int_equal(k, i);
		if (i < 49)
			assert_int_equal(blob_add_set(&other, &l, 1, &k), 0);
	}
	assert_int_equal(vec_reserve(&b.e, &b.cap_e, 50), 0);
	for (i = 0; i < 50; i++)
		b.e[b.n++] = (struct blob_entry){ i % 4 + 1, i, (int64_t)i + 1 };
	assert_int_equal(blob_normalize(&b), 0);
	assert_int_equal(blob_encode_with(cc, &sets, &b, true, &enc), 0);
	assert_int_equal(blob_encode_sets(cc, &sets, &senc), 0);
	assert_int_equal(blob_encode_sets(cc, &other, &oenc), 0);
	assert_int_equal(blob_decode(dc, enc.data, enc.len, senc.data, senc.len, &back), 0);
	tu_assert_i64((int64_t)back.nsets, 50);
	tu_assert_i64(blob_total(&back), blob_total(&b));
	for (i = 0; i < back.n; i++) {
		const struct blob_label *bl = &back.labels[back.sets[back.e[i].set].off];

		span_id(id, back.e[i].set, 9);
		assert_int_equal(bl->slen, 16);
		assert_memory_equal(bl->str, id, 16);
	}
	/* without its sets, with another push's (49), or with damaged ones: refused */
	assert_int_equal(blob_decode(dc, enc.data, enc.len, NULL, 0, &back), ERR_CORRUPT);
	assert_non_null(strstr(err_last(), "label sets are missing"));
	assert_int_equal(blob_decode(dc, enc.data, enc.len, oenc.data, oenc.len, &back), ERR_CORRUPT);
	assert_int_equal(blob_decode(dc, enc.data, enc.len, senc.data, senc.len / 2, &back),
			 ERR_CORRUPT);
	assert_int_equal(blob_decode(dc, enc.data, enc.len, "R\x01\x02\x00", 4, &back), ERR_CORRUPT);
	/* an inline (version 1) blob ignores sets it is given */
	assert_int_equal(blob_encode(cc, &b, &oenc), 0);
	assert_int_equal(blob_decode(dc, oenc.data, oenc.len, senc.data, senc.len, &back), 0);
	tu_assert_i64(blob_total(&back), blob_total(&b));
	buf_release(&enc);
	buf_release(&senc);
	buf_release(&oenc);
	blob_release(&sets);
	blob_release(&other);
	blob_release(&b);
	blob_release(&back);
	ZSTD_freeCCtx(cc);
	ZSTD_freeDCtx(dc);
}

#define OPENERS 6

struct opener {
	const char *path;
	pthread_barrier_t *go;
	int rc;
	char msg[256];
};

/* A builder of samples/count with one location, main.work, in *loc. */
static struct prof_builder *work_builder(uint32_t *loc)
{
	struct prof_builder *b;
	struct prof_function f = { 0 };
	struct prof_line line = { 0, 0 };
	uint32_t sm, ct;

	assert_int_equal(pb_new(&b), 0);
	pb_string(b, "samples", 7, &sm);
	pb_string(b, "count", 5, &ct);
	pb_sample_type(b, sm, ct);
	pb_string(b, "main.work", 9, &f.name);
	pb_function(b, &f, &line.func);
	pb_location(b, PROF_NONE, 0x10, &line, 1, loc);
	return b;
}

/* A profile of n samples on one stack, sample i with profile_id i and value 1. */
static struct prof *ids_profile(uint32_t n)
{
	struct prof *p;
	uint32_t loc, k_pid, i;
	struct prof_builder *b = work_builder(&loc);
	char id[17];

	pb_string(b, "profile_id", 10, &k_pid);
	for (i = 0; i < n; i++) {
		int64_t v = 1;
		struct prof_label l = { 0 };

		span_id(id, i, 3);
		pb_string(b, id, 16, &l.str);
		l.key = k_pid;
		assert_int_equal(pb_sample(b, &loc, 1, &v, &l, 1), 0);
	}
	assert_int_equal(pb_finish(b, &p), 0);
	return p;
}

/*
 * A timeline grouped by a label of many values is bounded in all, not per group: Go's
 * span fixture (432 profile_ids) at 1 ms steps over 10 s would be 4.3 M points (16 B
 * each, and a fine step over 999 s took 7 GB), and more than 10,000 groups are refused
 * whatever the step; what fits still adds up to the merge.
 */
static void test_sets_timeline_bounded(void **state)
{
	struct store *s = ts_open_new("timeline.db");
	struct backend *b = ts_backend_of(s);
	struct prof *g = tu_decode("pyroscope/grafana-pyroscope/pkg/pprof/testdata/go.cpu.labels.pprof");
	struct prof *many = ids_profile(10001), *m;
	char *gt = ts_ptype_of(g, 1, NULL), *mt = ts_ptype_of(many, 0, SPAN_NAME);
	struct query q = { gt, NULL, { T0, T0 + 10 * SEC }, AGG_AUTO, NULL, 0 };
	struct series_points_list tl = { 0 };
	atomic_int cancel = 0;
	double sum = 0;
	size_t i;

	(void)state;
	ts_write_or_fail(s, "goapp", g, T0 + 5 * SEC, NULL, NULL);
	write_span(s, many, T0 + 5 * SEC);
	assert_int_equal(b->ops->timeline(b, &q, 0.001, "profile_id", &tl), ERR_TOOBIG);
	assert_non_null(strstr(err_last(), "use a larger step"));
	assert_int_equal(tl.n, 0);
	/* 1 s steps: 10 x 433 points, which add up to the merge */
	assert_int_equal(b->ops->timeline(b, &q, 1, "profile_id", &tl), 0);
	assert_int_equal(tl.n, 433);  /* 432 ids and the samples without one */
	for (i = 0; i < tl.n; i++) {
		assert_int_equal(tl.v[i].n, 10);
		sum += tl.v[i].values[5];
	}
	m = ts_merge_q(b, gt, "{}", T0, T0 + 10 * SEC, AGG_AUTO, NULL);
	assert_true(sum == (double)prof_total(m, 0));
	prof_free(m);
	series_points_list_release(&tl);
	/* 10,001 groups: refused even at one step */
	q.profile_type = mt;
	assert_int_equal(b->ops->timeline(b, &q, 10, "profile_id", &tl), ERR_TOOBIG);
	assert_non_null(strstr(err_last(), "more than 10000 values"));
	assert_int_equal(tl.n, 0);
	assert_int_equal(b->ops->timeline(b, &q, 10, NULL, &tl), 0);
	assert_true(tl.v[0].values[0] == 10001.0);
	series_points_list_release(&tl);
	/* a cancelled timeline stops */
	b->cancel = &cancel;
	cancel = 1;
	assert_int_equal(b->ops->timeline(b, &q, 10, NULL, &tl), ERR_CANCELLED);
	assert_int_equal(tl.n, 0);
	free(gt);
	free(mt);
	prof_free(many);
	prof_free(g);
	backend_close(b);
	store_close(s);
}

/*
 * One stack, two samples: the first with profile_id and w set to `value`, the second
 * with short ones.  Counts 1 and 2.
 */
static struct prof *long_label_profile(const char *value)
{
	struct prof *p;
	struct prof_label l[2] = { { 0 }, { 0 } };
	uint32_t loc, k_pid, k_w, v_long, v_short, i;
	struct prof_builder *b = work_builder(&loc);

	pb_string(b, "profile_id", 10, &k_pid);
	pb_string(b, "w", 1, &k_w);
	pb_string(b, value, strlen(value), &v_long);
	pb_string(b, "short", 5, &v_short);
	for (i = 0; i < 2; i++) {
		int64_t v = i + 1;

		l[0].key = k_pid;
		l[1].key = k_w;
		l[0].str = l[1].str = i ? v_short : v_long;
		assert_int_equal(pb_sample(b, &loc, 1, &v, l, 2), 0);
	}
	assert_int_equal(pb_finish(b, &p), 0);
	return p;
}

/*
 * A label value whose regex matcher neither PCRE2 nor its DFA can decide (test_re2.c's
 * test_too_complex) fails the query with that error, at each place a matcher is tried: a
 * series label, a sample label through its index, a high-cardinality sample label (no
 * index: every set).  It used to count as "no match": the series or samples were left
 * out, for =~ and !~ alike.
 */
static void test_sets_regex_too_complex(void **state)
{
	static const char *const sels[] = {
		"{v=~\"(?:a?){1000}x\"}", "{v!~\"(?:a?){1000}x\"}",
		"{w=~\"(?:a?){1000}x\"}", "{w!~\"(?:a?){1000}x\"}",
		"{profile_id=~\"(?:a?){1000}x\"}", "{profile_id!~\"(?:a?){1000}x\"}",
	};
	struct store *s = ts_open_new("too_complex.db");
	struct backend *b = ts_backend_of(s);
	char value[1003];
	struct prof *p;
	char *pt;
	struct selector *sel = NULL;
	struct query q = { NULL, NULL, { T0, T0 + 10 * SEC }, AGG_AUTO, NULL, 0 };
	struct series_points_list tl = { 0 };
	size_t i;

	(void)state;
	memset(value, 'a', 1000);
	memcpy(value + 1000, "bx", 3);
	p = long_label_profile(value);
	pt = ts_ptype_of(p, 0, SPAN_NAME);
	ts_write_or_fail(s, "spans", p, T0 + 5 * SEC, "v", value);
	for (i = 0; i < sizeof(sels) / sizeof(sels[0]); i++) {
		if (ts_merge_rc(b, pt, sels[i], T0, T0 + 10 * SEC) != ERR_TOOBIG)
			fail_msg("%s: not the error but '%s'", sels[i], err_last());
		assert_non_null(strstr(err_last(), "regex '(?:a?){1000}x' is too complex"));
		assert_int_equal(selector_parse(sels[i], &sel), 0);
		q.profile_type = pt;
		q.selector = sel;
		assert_int_equal(b->ops->timeline(b, &q, 1, NULL, &tl), ERR_TOOBIG);
		assert_int_equal(tl.n, 0);
		selector_free(sel);
	}
	/* decided matchers still select: both samples, then the short one */
	tu_assert_i64(ts_total_of(b, pt, "{w=~\"a+bx|short\"}"), 3);
	tu_assert_i64(ts_total_of(b, pt, "{profile_id!~\"a+bx\"}"), 2);
	free(pt);
	prof_free(p);
	backend_close(b);
	store_close(s);
}

/*
 * n samples of one label set each: sample i has profile_id i (seed) then `per` - 1
 * copies of w="x" (a writer keeps duplicates); value 1 each.
 */
static struct prof *wide_profile(uint32_t n, uint32_t per, uint32_t seed)
{
	struct prof_label *l = calloc(per, sizeof(*l));
	uint32_t loc, k_pid, k_w, v_x, i;
	struct prof_builder *b = work_builder(&loc);
	struct prof *p;
	char id[17];

	assert_non_null(l);
	pb_string(b, "profile_id", 10, &k_pid);
	pb_string(b, "w", 1, &k_w);
	pb_string(b, "x", 1, &v_x);
	for (i = 1; i < per; i++) {
		l[i].key = k_w;
		l[i].str = v_x;
	}
	l[0].key = k_pid;
	for (i = 0; i < n; i++) {
		int64_t v = 1;

		span_id(id, i, seed);
		pb_string(b, id, 16, &l[0].str);
		assert_int_equal(pb_sample(b, &loc, 1, &v, l, per), 0);
	}
	free(l);
	assert_int_equal(pb_finish(b, &p), 0);
	return p;
}

/* store_write of p as service "wide", whose refusal says `says`; nothing is stored. */
static void assert_write_refused(struct store *s, const struct prof *p, const char *says)
{
	struct labelset ls = LABELSET_INIT;
	int64_t before = count_of(s, "SELECT count(*) FROM profiles");

	assert_int_equal(labelset_set(&ls, "service_name", "wide"), 0);
	assert_int_equal(labelset_set(&ls, "__name__", SPAN_NAME), 0);
	assert_int_equal(store_write(s, NULL, &ls, p, T0, 10 * SEC), ERR_TOOBIG);
	if (!strstr(err_last(), says))
		fail_msg("'%s' does not say '%s'", err_last(), says);
	tu_assert_message(err_last());
	tu_assert_i64(count_of(s, "SELECT count(*) FROM profiles"), before);
	labelset_free(&ls);
}

/*
 * The caps of store.h, which readers hold a stored row to: a profile at both (512 sets
 * of 4096 labels, 2,097,152 in all) is written and reads back whole; a sample of 4097
 * labels, or a 513th set, is refused with the cap named and nothing stored (writers kept
 * any number, and readers had to take them).  Two such profiles in one bucket would make
 * a rollup past the cap: downsampling leaves them as they are.
 */
static void test_sets_label_caps(void **state)
{
	struct store *s = ts_open_new("caps.db");
	struct backend *b = ts_backend_of(s);
	struct prof *at = wide_profile(512, STORE_MAX_SET_LABELS, 1);
	struct prof *at2 = wide_profile(512, STORE_MAX_SET_LABELS, 2);
	struct prof *wide = wide_profile(1, STORE_MAX_SET_LABELS + 1, 1);
	struct prof *many = wide_profile(513, STORE_MAX_SET_LABELS, 1);
	char *pt = ts_ptype_of(at, 0, SPAN_NAME), id[17], sel[64];
	int64_t t = T0;  /* T0 and T0 + 10 s: one minute's bucket */
	uint64_t merged = 1;

	(void)state;
	assert_int_equal(512 * STORE_MAX_SET_LABELS, STORE_MAX_PROFILE_LABELS);
	assert_write_refused(s, wide, "sample 0 has 4097 labels, more than the store's limit of "
				      "4096");
	assert_write_refused(s, many, "sample-label sets pass the store's limit of 2097152 "
				      "labels");
	ts_write_or_fail(s, "wide", at, t, "__name__", SPAN_NAME);
	ts_write_or_fail(s, "wide", at2, t + 10 * SEC, "__name__", SPAN_NAME);
	tu_assert_i64(ts_total_of(b, pt, "{service_name=\"wide\"}"), 1024);
	span_id(id, 511, 2);
	snprintf(sel, sizeof(sel), "{profile_id=\"%s\",w=\"x\"}", id);
	tu_assert_i64(ts_total_of(b, pt, sel), 1);
	assert_int_equal(store_downsample(s, t + 3600 * SEC, 60 * SEC, &merged), 0);
	tu_assert_i64((int64_t)merged, 0);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM profiles"), 2);
	tu_assert_i64(ts_total_of(b, pt, sel), 1);
	free(pt);
	prof_free(at);
	prof_free(at2);
	prof_free(wide);
	prof_free(many);
	backend_close(b);
	store_close(s);
}

static void *open_one(void *arg)
{
	struct opener *o = arg;
	struct store *s = NULL;

	pthread_barrier_wait(o->go);
	o->rc = store_open(o->path, STORE_CREATE, &s);
	if (o->rc)
		snprintf(o->msg, sizeof(o->msg), "%s", err_last());
	store_close(s);
	return NULL;
}

/* OPENERS writers opening path at once: every one succeeds, at the current version. */
static void open_at_once(const char *path)
{
	pthread_t th[OPENERS];
	struct opener o[OPENERS];
	pthread_barrier_t go;
	struct store *s;
	int i;

	assert_int_equal(pthread_barrier_init(&go, NULL, OPENERS), 0);
	for (i = 0; i < OPENERS; i++) {
		o[i] = (struct opener){ path, &go, 0, "" };
		assert_int_equal(pthread_create(&th[i], NULL, open_one, &o[i]), 0);
	}
	for (i = 0; i < OPENERS; i++) {
		pthread_join(th[i], NULL);
		if (o[i].rc)
			fail_msg("writer %d of %d: %s", i + 1, OPENERS, o[i].msg);
	}
	pthread_barrier_destroy(&go);
	assert_int_equal(store_open(path, STORE_READONLY, &s), 0);
	tu_assert_i64(count_of(s, "SELECT max(version) FROM schema_version"), STORE_SCHEMA_VERSION);
	tu_assert_i64(count_of(s, "SELECT count(*) FROM schema_version"), 1);
	store_close(s);
}

/*
 * Writers started together on a new file, or on a version-1 one: one creates or
 * upgrades it, the others wait for its lock and find the work done (they used to run
 * the migration again and fail on "table already exists").
 */
static void test_sets_concurrent_open(void **state)
{
	const char *path = tu_tmp_path("race.db");
	struct prof *c = tu_decode("go/cpuwork-cpu.pb.gz");
	char wal[512], shm[512];
	int round;

	(void)state;
	snprintf(wal, sizeof(wal), "%s-wal", path);
	snprintf(shm, sizeof(shm), "%s-shm", path);
	for (round = 0; round < 8; round++) {
		struct store *s;

		remove(path);
		remove(wal);
		remove(shm);
		open_at_once(path);
		/* the same file taken back to version 1 */
		assert_int_equal(store_open(path, 0, &s), 0);
		ts_write_or_fail(s, "plain", c, T0, NULL, NULL);
		assert_int_equal(sqlite3_exec(s->db, "DROP INDEX profiles_sets;"
						     "ALTER TABLE profiles DROP COLUMN sets;"
						     "DROP TABLE labelsets;"
						     "UPDATE schema_version SET version=1;",
					      NULL, NULL, NULL),
				 SQLITE_OK);
		store_close(s);
		open_at_once(path);
	}
	prof_free(c);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sets_blob),
		cmocka_unit_test(test_sets_shared),
		cmocka_unit_test(test_sets_retention),
		cmocka_unit_test(test_sets_shared_rollups),
		cmocka_unit_test(test_sets_downsampling),
		cmocka_unit_test(test_sets_upgrade),
		cmocka_unit_test(test_sets_concurrent_open),
		cmocka_unit_test(test_sets_timeline_bounded),
		cmocka_unit_test(test_sets_regex_too_complex),
		cmocka_unit_test(test_sets_label_caps),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}
