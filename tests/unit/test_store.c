/*
 * test_store.c — the SQLite store (src/store) on real files in a temporary directory,
 * what is written and what is read back: every shared Go profile and a range of Pyroscope
 * fixtures written and merged back with the same top table, series and profile types as
 * Pyroscope derives them, deduplication and bytes per profile, sample-label selection,
 * profiles prepared on another thread, matchers, series label names, time ranges, gauge
 * averaging, timelines grouped by a label, retention and downsampling keeping totals,
 * eviction, and blob_normalize.  Connections (readers during writes, two writers,
 * read-only handles, group commit) and files that are not stores are test_store_access.c.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/vec.h"
#include "profile/builder.h"
#include "profile/labels.h"
#include "profile/selector.h"
#include "store/store.h"
#include "store/store_int.h"
#include "testutil.h"
#include "testutil_store.h"

static int setup(void **state)
{
	(void)state;
	return tu_tmp_create("store");
}

static int teardown(void **state)
{
	(void)state;
	tu_tmp_remove();
	return 0;
}

/* One sample's stack, frame by frame (name, file, line, address, mapping), and value. */
struct flat_stack {
	char *key;
	int64_t value;
};

static int cmp_flat_stack(const void *a, const void *b)
{
	return strcmp(((const struct flat_stack *)a)->key, ((const struct flat_stack *)b)->key);
}

/* The samples of type t as sorted stacks with equal ones summed; returns their count. */
static size_t flat_stacks(const struct prof *p, uint32_t t, struct flat_stack **out)
{
	struct flat_stack *v = calloc((size_t)p->nsamples + 1, sizeof(*v));
	size_t n = 0, i, j;

	assert_non_null(v);
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *sm = &p->samples[i];
		struct buf b = BUF_INIT;

		for (j = 0; j < sm->nlocs; j++) {
			const struct prof_location *l = &p->locations[p->sample_locs[sm->loc_off + j]];
			uint32_t k;
			char num[96];

			snprintf(num, sizeof(num), "@%llx/%llx%s",
				 (unsigned long long)l->address,
				 (unsigned long long)(l->mapping != PROF_NONE ? p->mappings[l->mapping].start : 0),
				 l->unsymbolized ? "?" : "");
			assert_int_equal(buf_add(&b, num, strlen(num)), 0);
			for (k = 0; k < l->nlines; k++) {
				const struct prof_line *ln = &p->lines[l->line_off + k];
				const struct prof_function *f = &p->functions[ln->func];

				snprintf(num, sizeof(num), ":%lld,", (long long)ln->line);
				assert_int_equal(buf_add(&b, prof_str(p, f->name), prof_strlen(p, f->name)), 0);
				assert_int_equal(buf_add(&b, "|", 1), 0);
				assert_int_equal(buf_add(&b, prof_str(p, f->file), prof_strlen(p, f->file)), 0);
				assert_int_equal(buf_add(&b, num, strlen(num)), 0);
			}
			assert_int_equal(buf_add(&b, ";", 1), 0);
		}
		assert_int_equal(buf_add(&b, "", 1), 0);
		v[n].key = b.data;
		v[n++].value = prof_value(p, (uint32_t)i, t);
	}
	qsort(v, n, sizeof(*v), cmp_flat_stack);
	for (i = j = 0; i < n; i++) {
		if (j > 0 && strcmp(v[j - 1].key, v[i].key) == 0) {
			v[j - 1].value += v[i].value;
			free(v[i].key);
			continue;
		}
		v[j++] = v[i];
	}
	for (i = n = 0; i < j; i++) {  /* zero-valued stacks are not stored */
		if (v[i].value == 0) {
			free(v[i].key);
			continue;
		}
		v[n++] = v[i];
	}
	*out = v;
	return n;
}

/* The same stacks, frame for frame, with the same values. */
static void assert_same_stacks(const struct prof *a, uint32_t ta, const struct prof *b,
			       uint32_t tb, const char *what)
{
	struct flat_stack *x, *y;
	size_t nx = flat_stacks(a, ta, &x), ny = flat_stacks(b, tb, &y), i;

	for (i = 0; i < nx && i < ny; i++)
		if (strcmp(x[i].key, y[i].key) || x[i].value != y[i].value)
			fail_msg("%s: stack %zu: %.200s = %lld, stored %.200s = %lld", what, i, x[i].key,
				 (long long)x[i].value, y[i].key, (long long)y[i].value);
	if (nx != ny)
		fail_msg("%s: %zu distinct stacks, stored %zu", what, nx, ny);
	for (i = 0; i < nx; i++)
		free(x[i].key);
	for (i = 0; i < ny; i++)
		free(y[i].key);
	free(x);
	free(y);
}

/* A profile whose every value is multiplied by k (tests own their profiles). */
static struct prof *scaled(const char *rel, int64_t k)
{
	struct prof *p = tu_decode(rel);
	size_t i;

	for (i = 0; i < (size_t)p->nsamples * p->ntypes; i++)
		p->values[i] *= k;
	return p;
}

static const char *const go_files[] = {
	"go/contention-block.pb.gz", "go/contention-mutex.pb.gz",
	"go/cpuwork-cpu-after-scoreRecords-3x.pb.gz", "go/cpuwork-cpu.pb.gz",
	"go/gencode3k-cpu-labels.pb.gz", "go/gencode3k-cpu.pb.gz",
	"go/goroutines-goroutine.pb.gz", "go/heapwork-allocs.pb.gz", "go/heapwork-heap.pb.gz",
};

#define PYRO "pyroscope/grafana-pyroscope/pkg/"
static const char *const pyro_files[] = {
	PYRO "pprof/testdata/go.cpu.labels.pprof",
	PYRO "pprof/testdata/heap_delta",
	PYRO "pprof/testdata/profile_java",
	PYRO "pprof/testdata/profile_python",
	PYRO "pprof/testdata/profile_nodejs",
	PYRO "pprof/testdata/profile_rust",
	PYRO "pprof/testdata/single_group_with_optional_span_id.pb.gz",
	PYRO "phlaredb/testdata/profile_uncompressed",
	PYRO "og/convert/pprof/testdata/nodejs-heap.pb.gz",
	PYRO "og/convert/pprof/testdata/heap-js.pprof",
	PYRO "og/convert/pprof/testdata/nodejs-wall.pb.gz",
	PYRO "og/convert/pprof/testdata/dotnet-pprof-211.pb.gz",
	PYRO "og/convert/pprof/testdata/req_2.pprof",
	PYRO "og/convert/pprof/testdata/req_5.pprof",
	PYRO "og/convert/pprof/testdata/pyspy-1.pb.gz",
	"pyroscope/google-pprof/internal/driver/testdata/cppbench.cpu_no_samples_type",
	"pyroscope/google-pprof/internal/report/testdata/sample.cpu",
	"pyroscope/derived/kafka.app.cpu.folded",
};

/*
 * Every sample type of every file: written, merged back, the same top table.  With
 * one_service, all files share one service (one symbol scope and one stack cache), and
 * each is read back by its own second.
 */
static void roundtrip(const char *const *files, size_t n, const char *dbname, bool one_service)
{
	struct store *s = ts_open_new(dbname);
	struct backend *b = ts_backend_of(s);
	size_t f;
	uint32_t t;

	for (f = 0; f < n; f++) {
		struct prof *p = tu_decode(files[f]);
		char svc[32], sel[64];

		int64_t at = T0 + (int64_t)f * SEC;

		snprintf(svc, sizeof(svc), "svc%zu", one_service ? 0 : f);
		snprintf(sel, sizeof(sel), "{service_name=\"%s\"}", svc);
		ts_write_or_fail(s, svc, p, at, NULL, NULL);
		for (t = 0; t < p->ntypes; t++) {
			char *pt = ts_ptype_of(p, t, NULL), what[512];
			struct merge_info mi;
			struct prof *m = ts_merge_q(b, pt, sel, one_service ? at : T0,
						 one_service ? at + SEC : T0 + 1000 * SEC, AGG_AUTO, &mi);

			snprintf(what, sizeof(what), "%s %s", files[f], pt);
			assert_int_equal(m->ntypes, 1);
			assert_string_equal(prof_str(m, m->sample_types[0].type),
					    prof_str(p, p->sample_types[t].type));
			assert_string_equal(prof_str(m, m->sample_types[0].unit),
					    prof_str(p, p->sample_types[t].unit));
			assert_int_equal(mi.nprofiles, 1);
			assert_int_equal(mi.nseries, 1);
			assert_true(m->period == p->period || prof_total(p, t) == 0);
			tu_assert_same_top(p, t, m, 0, what);
			if (one_service)
				assert_same_stacks(p, t, m, 0, what);
			prof_free(m);
			free(pt);
		}
		prof_free(p);
	}
	backend_close(b);
	store_close(s);
}

static void test_roundtrip_go(void **state)
{
	(void)state;
	roundtrip(go_files, sizeof(go_files) / sizeof(go_files[0]), "go.db", false);
}

/*
 * Profiles of one service whose ids mean different things (a before/after pair, the
 * same program with and without labels): stacks found again by content must be theirs.
 */
static void test_roundtrip_one_service(void **state)
{
	(void)state;
	roundtrip(go_files, sizeof(go_files) / sizeof(go_files[0]), "go1.db", true);
	roundtrip(pyro_files, sizeof(pyro_files) / sizeof(pyro_files[0]), "pyro1.db", true);
}

static void test_roundtrip_pyroscope(void **state)
{
	(void)state;
	roundtrip(pyro_files, sizeof(pyro_files) / sizeof(pyro_files[0]), "pyro.db", false);
}

/* __name__ and __profile_type__ as Pyroscope derives them (fixtures' README, spec 1.6). */
static void test_profile_types(void **state)
{
	static const struct {
		const char *file, *types;
	} cases[] = {
		{ "go/cpuwork-cpu.pb.gz",
		  "process_cpu:samples:count:cpu:nanoseconds process_cpu:cpu:nanoseconds:cpu:nanoseconds" },
		{ "go/heapwork-heap.pb.gz",
		  "memory:alloc_objects:count:space:bytes memory:alloc_space:bytes:space:bytes "
		  "memory:inuse_objects:count:space:bytes memory:inuse_space:bytes:space:bytes" },
		{ "go/goroutines-goroutine.pb.gz", "goroutines:goroutine:count:goroutine:count" },
		{ "go/contention-mutex.pb.gz",
		  "mutex:contentions:count:contentions:count mutex:delay:nanoseconds:contentions:count" },
		{ PYRO "og/convert/pprof/testdata/nodejs-heap.pb.gz",
		  "memory:inuse_objects:count:inuse_space:bytes memory:inuse_space:bytes:inuse_space:bytes" },
		{ PYRO "og/convert/pprof/testdata/heap-js.pprof",
		  "memory:objects:count:space:bytes memory:space:bytes:space:bytes" },
		{ PYRO "og/convert/pprof/testdata/nodejs-wall.pb.gz",
		  "wall:samples:count:wall:microseconds wall:wall:microseconds:wall:microseconds" },
		{ PYRO "pprof/testdata/profile_python", "process_cpu:samples:count::milliseconds" },
		{ PYRO "pprof/testdata/profile_java", "process_cpu:cpu:nanoseconds:cpu:nanoseconds" },
	};
	struct store *s = ts_open_new("types.db");
	struct backend *b = ts_backend_of(s);
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct prof *p = tu_decode(cases[i].file);
		struct strvec got = STRVEC_INIT;
		struct selector *sel;
		struct buf joined = BUF_INIT;
		char svc[32], q[64];
		struct time_range all = { 0, 0 };

		snprintf(svc, sizeof(svc), "t%zu", i);
		snprintf(q, sizeof(q), "{service_name=\"%s\"}", svc);
		ts_write_or_fail(s, svc, p, T0, NULL, NULL);
		assert_int_equal(selector_parse(q, &sel), 0);
		assert_int_equal(b->ops->label_values(b, "__profile_type__", sel, all, &got), 0);
		for (k = 0; k < got.n; k++)
			buf_printf(&joined, "%s%s", k ? " " : "", got.v[k]);
		{
			/* the expected list, sorted like label_values */
			struct strvec want = STRVEC_INIT;
			char *copy = strdup(cases[i].types), *tok, *save = NULL;
			struct buf wj = BUF_INIT;

			for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
				strvec_push(&want, tok);
			strvec_sort_unique(&want);
			for (k = 0; k < want.n; k++)
				buf_printf(&wj, "%s%s", k ? " " : "", want.v[k]);
			assert_string_equal(joined.data, wj.data);
			strvec_release(&want);
			buf_release(&wj);
			free(copy);
		}
		buf_release(&joined);
		strvec_release(&got);
		selector_free(sel);
		prof_free(p);
	}
	backend_close(b);
	store_close(s);
}

/* Deduplication and the on-disk cost of a steady stream of one service's profiles. */
static void test_dedup_and_size(void **state)
{
	struct store *s = ts_open_new("dedup.db");
	struct store_stats a, b, empty;
	struct buf gz = BUF_INIT;
	struct prof *p = tu_decode("go/cpuwork-cpu.pb.gz");
	struct backend *be;
	int64_t *orig = malloc((size_t)p->nsamples * p->ntypes * sizeof(*orig));
	uint32_t i, k, n = 360;
	double per, pct;

	(void)state;
	tu_read("go/cpuwork-cpu.pb.gz", &gz);
	memcpy(orig, p->values, (size_t)p->nsamples * p->ntypes * sizeof(*orig));
	assert_int_equal(store_stats(s, &empty), 0);
	ts_write_or_fail(s, "app", p, T0, NULL, NULL);
	assert_int_equal(store_stats(s, &a), 0);
	ts_write_or_fail(s, "app", p, T0 + 10 * SEC, NULL, NULL);
	assert_int_equal(store_stats(s, &b), 0);
	/* the same profile again: no new symbol of any kind, two more profile rows */
	tu_assert_i64(b.strings, a.strings);
	tu_assert_i64(b.functions, a.functions);
	tu_assert_i64(b.locations, a.locations);
	tu_assert_i64(b.mappings, a.mappings);
	tu_assert_i64(b.stacks, a.stacks);
	tu_assert_i64(b.profiles, a.profiles + 2);
	assert_true(a.strings > 100 && a.stacks > 300);
	/* 358 more with perturbed values (1 h at 10 s in all) */
	assert_int_equal(store_begin(s), 0);
	for (k = 2; k < n; k++) {
		for (i = 0; i < p->nsamples; i++) {
			int64_t f = 1 + (int64_t)((i * 31u + k * 17u) % 5);

			p->values[(size_t)i * 2] = orig[(size_t)i * 2] * f;
			p->values[(size_t)i * 2 + 1] = orig[(size_t)i * 2 + 1] * f;
		}
		ts_write_or_fail(s, "app", p, T0 + (int64_t)k * 10 * SEC, NULL, NULL);
	}
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(store_stats(s, &b), 0);
	tu_assert_i64(b.stacks, a.stacks);
	tu_assert_i64(b.strings, a.strings);
	tu_assert_i64(b.pushed, 2 * n);
	per = (double)(b.file_bytes - empty.file_bytes) / n;
	pct = 100.0 * per / (double)gz.len;
	print_message("store: %u profiles of cpuwork-cpu (%zu bytes gzipped): %.0f bytes each on "
		      "disk with symbols (%.1f %%), blobs %.0f bytes per push\n",
		      n, gz.len, per, pct, (double)b.blob_bytes / n);
	assert_true(pct <= 20.0);
	/* and the merge is the sum of them all */
	be = ts_backend_of(s);
	{
		char *pt = ts_ptype_of(p, 1, NULL);
		struct merge_info mi;
		struct prof *m = ts_merge_q(be, pt, "{service_name=\"app\"}", T0, T0 + 3600 * SEC, AGG_AUTO,
					 &mi);
		int64_t want = 0;

		for (i = 0; i < p->nsamples; i++)
			want += 2 * orig[(size_t)i * 2 + 1];
		for (k = 2; k < n; k++)
			for (i = 0; i < p->nsamples; i++)
				want += orig[(size_t)i * 2 + 1] * (1 + (int64_t)((i * 31u + k * 17u) % 5));
		tu_assert_i64(prof_total(m, 0), want);
		tu_assert_i64(mi.nprofiles, n);
		assert_false(mi.averaged);
		prof_free(m);
		free(pt);
	}
	backend_close(be);
	free(orig);
	buf_release(&gz);
	prof_free(p);
	store_close(s);
}

/* A profile with pprof.Do-style labels: endpoint on most samples, a span_id on some. */
static struct prof *labelled(void)
{
	struct prof_builder *b;
	struct prof *p;
	uint32_t ty, un, fa, fb, fc, la, lb, lc, k_ep, v_co, v_ho, k_sp, v_sp1, v_sp2, k_bytes;
	struct prof_function f = { 0 };
	struct prof_line line = { 0, 0 };
	int64_t v;

	assert_int_equal(pb_new(&b), 0);
	pb_string(b, "cpu", 3, &ty);
	pb_string(b, "nanoseconds", 11, &un);
	pb_sample_type(b, ty, un);
	pb_set_period(b, ty, un, 10000000);
	pb_string(b, "main.handle", 11, &f.name);
	pb_function(b, &f, &fa);
	pb_string(b, "main.checkout", 13, &f.name);
	pb_function(b, &f, &fb);
	pb_string(b, "main.home", 9, &f.name);
	pb_function(b, &f, &fc);
	line.func = fa;
	pb_location(b, PROF_NONE, 0x10, &line, 1, &la);
	line.func = fb;
	pb_location(b, PROF_NONE, 0x20, &line, 1, &lb);
	line.func = fc;
	pb_location(b, PROF_NONE, 0x30, &line, 1, &lc);
	pb_string(b, "endpoint", 8, &k_ep);
	pb_string(b, "/checkout", 9, &v_co);
	pb_string(b, "/home", 5, &v_ho);
	pb_string(b, "span_id", 7, &k_sp);
	pb_string(b, "00000000000000a1", 16, &v_sp1);
	pb_string(b, "00000000000000a2", 16, &v_sp2);
	pb_string(b, "bytes", 5, &k_bytes);
	{
		uint32_t s1[] = { lb, la }, s2[] = { lc, la }, s3[] = { la };
		struct prof_label co[] = { { k_ep, v_co, 0, 0 }, { k_sp, v_sp1, 0, 0 } };
		struct prof_label co2[] = { { k_ep, v_co, 0, 0 }, { k_sp, v_sp2, 0, 0 } };
		struct prof_label ho[] = { { k_ep, v_ho, 0, 0 }, { k_bytes, 0, 0, 512 } };

		v = 30;
		pb_sample(b, s1, 2, &v, co, 2);
		v = 20;
		pb_sample(b, s1, 2, &v, co2, 2);
		v = 70;
		pb_sample(b, s2, 2, &v, ho, 2);
		v = 5;
		pb_sample(b, s3, 1, &v, NULL, 0);
	}
	assert_int_equal(pb_finish(b, &p), 0);
	return p;
}

static void test_sample_labels(void **state)
{
	struct store *s = ts_open_new("labels.db");
	struct backend *b = ts_backend_of(s);
	struct prof *p = labelled(), *m;
	char *pt = ts_ptype_of(p, 0, "process_cpu");
	struct strvec v = STRVEC_INIT;
	struct selector *sel;
	struct time_range all = { 0, 0 };
	struct labelset_list series = { 0 };
	struct labelset ls = LABELSET_INIT;

	(void)state;
	labelset_set(&ls, "service_name", "app");
	labelset_set(&ls, "__name__", "process_cpu");
	labelset_set(&ls, "region", "eu");
	assert_int_equal(store_write(s, NULL, &ls, p, T0, 10 * SEC), 0);
	labelset_free(&ls);
	/* selected by a sample label: only those samples */
	tu_assert_i64(ts_total_of(b, pt, "{service_name=\"app\", endpoint=\"/checkout\"}"), 50);
	tu_assert_i64(ts_total_of(b, pt, "{service_name=\"app\", endpoint=\"/home\"}"), 70);
	tu_assert_i64(ts_total_of(b, pt, "{service_name=\"app\", endpoint!=\"/checkout\"}"), 75);
	tu_assert_i64(ts_total_of(b, pt, "{endpoint=~\"/(home|checkout)\"}"), 120);
	tu_assert_i64(ts_total_of(b, pt, "{endpoint!~\"/.*\"}"), 5);
	tu_assert_i64(ts_total_of(b, pt, "{endpoint=\"\"}"), 5);
	/* anchored: "/check" is not "/checkout"; the index drops the series before reading */
	assert_int_equal(ts_merge_rc(b, pt, "{endpoint=~\"/check\"}", T0, T0 + SEC), ERR_NOTFOUND);
	/* a high-cardinality label selects but is neither indexed nor kept in merges */
	tu_assert_i64(ts_total_of(b, pt, "{span_id=\"00000000000000a2\"}"), 20);
	tu_assert_i64(ts_total_of(b, pt, "{region=\"eu\", endpoint=\"/checkout\", span_id!=\"00000000000000a2\"}"), 30);
	m = ts_merge_q(b, pt, "{service_name=\"app\"}", T0, T0 + SEC, AGG_AUTO, NULL);
	assert_true(prof_find_str(m, "endpoint") != PROF_NONE);
	assert_true(prof_find_str(m, "/checkout") != PROF_NONE);
	assert_true(prof_find_str(m, "span_id") == PROF_NONE);
	assert_true(prof_find_str(m, "bytes") != PROF_NONE); /* numeric labels are kept */
	{
		/* /checkout's two spans fold into one sample once span_id is gone */
		struct top top;
		struct tree *tr;

		tu_top(m, "cpu", &tr, &top);
		tu_assert_i64(tu_top_row(&top, m, "main.checkout")->flat, 50);
		tu_assert_i64(tu_top_row(&top, m, "main.handle")->cum, 125);
		top_release(&top);
		tree_free(tr);
	}
	prof_free(m);
	/* a value that no sample has: nothing, and the series is dropped before reading */
	assert_int_equal(ts_merge_rc(b, pt, "{endpoint=\"/nope\"}", T0, T0 + SEC), ERR_NOTFOUND);
	/* label names and values include sample labels (not the high-cardinality one) */
	assert_int_equal(b->ops->label_names(b, NULL, all, &v), 0);
	assert_true(strvec_contains(&v, "endpoint"));
	assert_true(strvec_contains(&v, "region"));
	assert_true(strvec_contains(&v, "service_name"));
	assert_true(strvec_contains(&v, "__profile_type__"));
	assert_true(strvec_contains(&v, "span_id"));
	strvec_release(&v);
	ts_assert_label_values(b, "endpoint", NULL, 2, "/checkout", "/home");
	ts_assert_label_values(b, "span_id", NULL, 0, NULL, NULL);
	/* series: one, the push labels plus __profile_type__ */
	assert_int_equal(selector_parse("{endpoint=\"/home\"}", &sel), 0);
	assert_int_equal(b->ops->series(b, sel, NULL, 0, all, &series), 0);
	assert_int_equal(series.n, 1);
	assert_string_equal(labelset_get(&series.v[0], "__profile_type__"), pt);
	assert_string_equal(labelset_get(&series.v[0], "region"), "eu");
	assert_null(labelset_get(&series.v[0], "endpoint"));
	labelset_list_release(&series);
	selector_free(sel);
	/* a real Go profile with pprof labels (foo, function, profile_id) */
	{
		struct prof *g = tu_decode(PYRO "pprof/testdata/go.cpu.labels.pprof");
		uint32_t fn = prof_find_str(g, "function"), i, j;
		char *gt = ts_ptype_of(g, 1, NULL), q[256];
		int64_t want = 0;
		const char *val = NULL;

		ts_write_or_fail(s, "goapp", g, T0 + SEC, NULL, NULL);
		assert_true(fn != PROF_NONE);
		/* 480 sets, each with its own profile_id: two values indexed, no profile_id */
		ts_assert_label_values(b, "function", NULL, 2, "fast", "slow");
		ts_assert_label_values(b, "profile_id", NULL, 0, NULL, NULL);
		for (i = 0; i < g->nsamples; i++)
			for (j = 0; j < g->samples[i].nlabels; j++) {
				const struct prof_label *l = &g->labels[g->samples[i].label_off + j];

				if (l->key != fn)
					continue;
				if (!val)
					val = prof_str(g, l->str);
				if (strcmp(prof_str(g, l->str), val) == 0)
					want += prof_value(g, i, 1);
			}
		assert_true(want > 0 && want < prof_total(g, 1));
		snprintf(q, sizeof(q), "{service_name=\"goapp\", function=\"%s\"}", val);
		tu_assert_i64(ts_total_of(b, gt, q), want);
		snprintf(q, sizeof(q), "{service_name=\"goapp\", function!=\"%s\"}", val);
		tu_assert_i64(ts_total_of(b, gt, q), prof_total(g, 1) - want);
		free(gt);
		prof_free(g);
	}
	free(pt);
	prof_free(p);
	backend_close(b);
	store_close(s);
}

/*
 * store_prepare() on one thread, store_write_prepared() on another: the same rows as
 * store_write(), and a prep is refused for any profile but its own.
 */
struct prep_job {
	const struct prof *p;
	struct store_prep *prep;
	int rc;
};

static void *prep_thread(void *arg)
{
	struct prep_job *j = arg;

	j->rc = store_prepare(j->p, &j->prep);
	return NULL;
}

static void test_prepared_write(void **state)
{
	struct store *s = ts_open_new("prepared.db");
	struct backend *b = ts_backend_of(s);
	struct prof *g = tu_decode(PYRO "pprof/testdata/go.cpu.labels.pprof");
	struct prof *c = tu_decode("go/cpuwork-cpu.pb.gz");
	struct prep_job jg = { g, NULL, -1 }, jc = { c, NULL, -1 };
	struct labelset ls = LABELSET_INIT;
	pthread_t th;
	uint32_t t;
	char *pt;

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, prep_thread, &jg), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(pthread_create(&th, NULL, prep_thread, &jc), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(jg.rc, 0);
	assert_int_equal(jc.rc, 0);
	labelset_set(&ls, "service_name", "prepared");
	assert_int_equal(store_write_prepared(s, NULL, &ls, g, jg.prep, T0, 10 * SEC), 0);
	assert_int_equal(store_write_prepared(s, NULL, &ls, c, jc.prep, T0, 10 * SEC), 0);
	/* the same again: every stack found by its prepared path key */
	assert_int_equal(store_write_prepared(s, NULL, &ls, c, jc.prep, T0 + SEC, 10 * SEC), 0);
	labelset_free(&ls);
	ts_write_or_fail(s, "plain", g, T0, NULL, NULL);
	ts_write_or_fail(s, "plain", c, T0, NULL, NULL);
	ts_write_or_fail(s, "plain", c, T0 + SEC, NULL, NULL);
	for (t = 0; t < g->ntypes; t++) {
		pt = ts_ptype_of(g, t, NULL);
		tu_assert_i64(ts_total_of(b, pt, "{service_name=\"prepared\"}"),
			      prof_total(g, t) + 2 * prof_total(c, t));
		tu_assert_i64(ts_total_of(b, pt, "{service_name=\"prepared\", function=\"slow\"}"),
			      ts_total_of(b, pt, "{service_name=\"plain\", function=\"slow\"}"));
		assert_true(ts_total_of(b, pt, "{service_name=\"prepared\", function=\"slow\"}") > 0);
		free(pt);
	}
	ts_assert_label_values(b, "function", "{service_name=\"prepared\"}", 2, "fast", "slow");
	/* a prep made from another profile writes nothing */
	labelset_set(&ls, "service_name", "wrong");
	assert_int_equal(store_write_prepared(s, NULL, &ls, c, jg.prep, T0, 10 * SEC), ERR_PARSE);
	labelset_free(&ls);
	pt = ts_ptype_of(c, 1, NULL);
	assert_int_equal(ts_merge_rc(b, pt, "{service_name=\"wrong\"}", T0, T0 + SEC), ERR_NOTFOUND);
	free(pt);
	store_prep_free(jg.prep);
	store_prep_free(jc.prep);
	prof_free(g);
	prof_free(c);
	backend_close(b);
	store_close(s);
}

/*
 * A tenant ID serve would refuse (X-Scope-OrgID's rule) is refused by the store too, and
 * nothing is written: `smolder ingest --tenant 't/9 x'` stored profiles no server could
 * ever serve.  Every valid one is taken.
 */
static void test_tenant_rule(void **state)
{
	static const char *const bad[] = { "t/9 x", "", ".", "..", "a b", "t\x1b[1m", "caf\xc3\xa9" };
	static const char *const good[] = { "anonymous", "team-a_1.x", "!*'()", "..." };
	struct store *s = ts_open_new("tenant.db");
	struct prof *c = tu_decode("go/cpuwork-cpu.pb.gz");
	struct labelset ls = LABELSET_INIT;
	char big[STORE_TENANT_MAX + 2];
	bool has = true;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (store_tenant_valid(bad[i]))
			fail_msg("'%s' taken", bad[i]);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!store_tenant_valid(good[i]))
			fail_msg("'%s' refused", good[i]);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_false(store_tenant_valid(big));
	big[STORE_TENANT_MAX] = '\0';
	assert_true(store_tenant_valid(big));
	labelset_set(&ls, "service_name", "t");
	assert_int_equal(store_write(s, "t/9 x", &ls, c, T0, 10 * SEC), ERR_USAGE);
	assert_string_equal(err_last(), "invalid tenant 't/9 x': " STORE_TENANT_RULE);
	assert_int_equal(store_has_profiles(s, &has), 0);
	assert_false(has);
	assert_int_equal(store_write(s, "team-a_1.x", &ls, c, T0, 10 * SEC), 0);
	assert_int_equal(store_has_profiles(s, &has), 0);
	assert_true(has);
	labelset_free(&ls);
	prof_free(c);
	store_close(s);
}

/* Services a, b and c at T0, each with a region (two of them eu-*). */
static void write_regions(struct store *s, const struct prof *p)
{
	ts_write_or_fail(s, "a", p, T0, "region", "eu-west");
	ts_write_or_fail(s, "b", p, T0, "region", "eu-north");
	ts_write_or_fail(s, "c", p, T0, "region", "us");
}

/* Matchers on series labels, through series listing and merges. */
static void test_matchers(void **state)
{
	struct store *s = ts_open_new("matchers.db");
	struct backend *b = ts_backend_of(s);
	struct prof *p = tu_decode("go/cpuwork-cpu.pb.gz");
	char *pt = ts_ptype_of(p, 1, NULL);
	int64_t t = prof_total(p, 1);
	static const struct {
		const char *sel;
		int n;
	} cases[] = {
		{ "{}", 3 },
		{ "{service_name=\"a\"}", 1 },
		{ "{service_name!=\"a\"}", 2 },
		{ "{region=~\"eu-.*\"}", 2 },
		{ "{region=~\"eu\"}", 0 },          /* anchored: must match all of it */
		{ "{region!~\"eu-.*\"}", 1 },
		{ "{region!~\"eu-west|us\"}", 1 },
		{ "{service_name=~\"a|b\", region!=\"eu-north\"}", 1 },
		{ "{env=\"\"}", 3 },                  /* absent labels are "" */
		{ "{env!=\"dev\"}", 3 },
		{ "{region=~\"(?i)EU-WEST\"}", 1 },
		{ "process_cpu{region=\"us\"}", 1 },   /* a metric name is __name__ */
	};
	size_t i;

	(void)state;
	write_regions(s, p);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct selector *sel;
		struct labelset_list l = { 0 };
		struct time_range r = { T0, T0 + SEC };
		size_t k, n = 0;

		if (selector_parse(cases[i].sel, &sel))
			fail_msg("%s: %s", cases[i].sel, err_last());
		assert_int_equal(b->ops->series(b, sel, NULL, 0, r, &l), 0);
		for (k = 0; k < l.n; k++)
			n += strcmp(labelset_get(&l.v[k], "__profile_type__"), pt) == 0;
		if ((int)n != cases[i].n)
			fail_msg("%s: %zu series, expected %d", cases[i].sel, n, cases[i].n);
		if (cases[i].n)
			tu_assert_i64(ts_total_of(b, pt, cases[i].sel), cases[i].n * t);
		else
			assert_int_equal(ts_merge_rc(b, pt, cases[i].sel, T0, T0 + SEC), ERR_NOTFOUND);
		labelset_list_release(&l);
		selector_free(sel);
	}
	free(pt);
	prof_free(p);
	backend_close(b);
	store_close(s);
}

/*
 * Series with label names (query series --label-names): each set cut to those names,
 * every distinct set once, a series with none of them no set — three services of two
 * profile types each are three sets of region, not six series.
 */
static void test_series_label_names(void **state)
{
	struct store *s = ts_open_new("series_names.db");
	struct backend *b = ts_backend_of(s);
	struct prof *p = tu_decode("go/cpuwork-cpu.pb.gz");
	struct time_range r = { T0, T0 + SEC };
	static const struct {
		const char *sel;
		const char *names[2];
		size_t nnames, nseries, nsets;
		const char *want;  /* the sets' values of the first name, sorted, ',' between */
	} cases[] = {
		{ "{}", { "region" }, 1, 6, 3, "eu-north,eu-west,us" },
		{ "{region=~\"eu-.*\"}", { "region" }, 1, 4, 2, "eu-north,eu-west" },
		{ "{}", { "region", "env" }, 2, 6, 3, "eu-north,eu-west,us" },  /* no env anywhere */
		{ "{}", { "__name__" }, 1, 6, 1, "process_cpu" },
		{ "{}", { "nothing", "here" }, 2, 6, 0, "" },
	};
	size_t i, k, j;

	(void)state;
	write_regions(s, p);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct selector *sel;
		struct labelset_list l = { 0 };
		struct strvec vals = STRVEC_INIT;
		struct buf got = BUF_INIT;

		assert_int_equal(selector_parse(cases[i].sel, &sel), 0);
		/* without names: every series, whole (two profile types each) */
		assert_int_equal(b->ops->series(b, sel, NULL, 0, r, &l), 0);
		assert_int_equal(l.n, cases[i].nseries);
		labelset_list_release(&l);
		assert_int_equal(b->ops->series(b, sel, cases[i].names, cases[i].nnames, r, &l), 0);
		if (l.n != cases[i].nsets)
			fail_msg("%s: %zu sets, expected %zu", cases[i].sel, l.n, cases[i].nsets);
		for (k = 0; k < l.n; k++) {
			for (j = 0; j < l.v[k].n; j++)  /* only the names asked for */
				assert_true(strcmp(l.v[k].v[j].name, cases[i].names[0]) == 0 ||
					    (cases[i].nnames > 1 &&
					     strcmp(l.v[k].v[j].name, cases[i].names[1]) == 0));
			for (j = 0; j < k; j++)
				assert_false(labelset_equal(&l.v[j], &l.v[k]));
			if (labelset_get(&l.v[k], cases[i].names[0]))
				assert_int_equal(strvec_push(&vals, labelset_get(&l.v[k],
										  cases[i].names[0])), 0);
		}
		for (k = 0; k < l.n; k++)  /* one name each has here */
			assert_int_equal(l.v[k].n, 1);
		strvec_sort_unique(&vals);
		for (k = 0; k < vals.n; k++)
			buf_printf(&got, "%s%s", k ? "," : "", vals.v[k]);
		assert_string_equal(got.data ? got.data : "", cases[i].want);
		buf_release(&got);
		strvec_release(&vals);
		labelset_list_release(&l);
		selector_free(sel);
	}
	prof_free(p);
	backend_close(b);
	store_close(s);
}

/* [from, to): from included, to excluded; profile types listed by range. */
static void test_time_ranges(void **state)
{
	struct store *s = ts_open_new("time.db");
	struct backend *b = ts_backend_of(s);
	struct prof *p = tu_decode("go/cpuwork-cpu.pb.gz"), *h = tu_decode("go/heapwork-heap.pb.gz");
	char *pt = ts_ptype_of(p, 1, NULL);
	int64_t t = prof_total(p, 1);
	struct profile_type_list l = { 0 };
	struct time_range r1 = { T0 + 1500 * SEC, T0 + 2500 * SEC };
	int64_t first, last;

	(void)state;
	ts_write_or_fail(s, "app", p, T0 + 1000 * SEC, NULL, NULL);
	ts_write_or_fail(s, "app", p, T0 + 2000 * SEC, NULL, NULL);
	ts_write_or_fail(s, "app", p, T0 + 3000 * SEC, NULL, NULL);
	ts_write_or_fail(s, "app", h, T0 + 5000 * SEC, NULL, NULL);
	{
		struct prof *m = ts_merge_q(b, pt, "{}", T0 + 1500 * SEC, T0 + 3000 * SEC, AGG_AUTO, NULL);

		tu_assert_i64(prof_total(m, 0), t);  /* only the one at 2000 s */
		prof_free(m);
		m = ts_merge_q(b, pt, "{}", T0 + 1000 * SEC, T0 + 1000 * SEC + 1, AGG_AUTO, NULL);
		tu_assert_i64(prof_total(m, 0), t);
		prof_free(m);
		m = ts_merge_q(b, pt, "{}", T0, T0 + 4000 * SEC, AGG_AUTO, NULL);
		tu_assert_i64(prof_total(m, 0), 3 * t);
		tu_assert_i64(m->time_nanos, T0 + 1000 * SEC);
		prof_free(m);
	}
	assert_int_equal(ts_merge_rc(b, pt, "{}", T0 + 3000 * SEC + 1, T0 + 4000 * SEC), ERR_NOTFOUND);
	assert_int_equal(b->ops->profile_types(b, r1, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].id, "process_cpu:cpu:nanoseconds:cpu:nanoseconds");
	assert_string_equal(l.v[0].name, "process_cpu");
	assert_string_equal(l.v[0].sample_type, "cpu");
	assert_string_equal(l.v[1].period_unit, "nanoseconds");
	profile_type_list_release(&l);
	r1.from_ns = T0 + 4000 * SEC;
	r1.to_ns = T0 + 6000 * SEC;
	assert_int_equal(b->ops->profile_types(b, r1, &l), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[3].id, "memory:inuse_space:bytes:space:bytes");
	profile_type_list_release(&l);
	assert_int_equal(store_time_bounds(b, NULL, pt, &first, &last), 0);
	tu_assert_i64(first, T0 + 1000 * SEC);
	tu_assert_i64(last, T0 + 3000 * SEC);
	free(pt);
	prof_free(p);
	prof_free(h);
	backend_close(b);
	store_close(s);
}

/*
 * store_time_bounds over several series: one whose profiles all sit at time 0 (the
 * epoch) counts as much as any other.  It used 0..0 as "none yet", so a series at 0 read
 * first was dropped by the next one (bounds 1000..1000 s here, not 0..1000 s), and one
 * read after a series before the epoch left the bounds ending before 0.
 */
static void test_time_bounds_at_zero(void **state)
{
	struct store *s = ts_open_new("bounds0.db");
	struct backend *b = ts_backend_of(s);
	struct prof *p = tu_decode("go/cpuwork-cpu.pb.gz");
	char *pt = ts_ptype_of(p, 1, NULL);
	struct selector *sel = NULL;
	int64_t first, last;

	(void)state;
	ts_write_or_fail(s, "epoch", p, 0, NULL, NULL);
	ts_write_or_fail(s, "epoch", p, 0, NULL, NULL);
	ts_write_or_fail(s, "later", p, 1000 * SEC, NULL, NULL);
	ts_write_or_fail(s, "before", p, -2000 * SEC, NULL, NULL);
	assert_int_equal(selector_parse("{service_name=~\"epoch|later\"}", &sel), 0);
	assert_int_equal(store_time_bounds(b, sel, pt, &first, &last), 0);
	tu_assert_i64(first, 0);
	tu_assert_i64(last, 1000 * SEC);
	selector_free(sel);
	sel = NULL;
	assert_int_equal(selector_parse("{service_name=~\"epoch|before\"}", &sel), 0);
	assert_int_equal(store_time_bounds(b, sel, pt, &first, &last), 0);
	tu_assert_i64(first, -2000 * SEC);
	tu_assert_i64(last, 0);
	selector_free(sel);
	sel = NULL;
	assert_int_equal(selector_parse("{service_name=\"epoch\"}", &sel), 0);
	assert_int_equal(store_time_bounds(b, sel, pt, &first, &last), 0);
	tu_assert_i64(first, 0);
	tu_assert_i64(last, 0);
	selector_free(sel);
	free(pt);
	prof_free(p);
	backend_close(b);
	store_close(s);
}

/* Gauges average over a range (per series, then added); counters add up. */
static void test_gauge_average(void **state)
{
	struct store *s = ts_open_new("gauge.db");
	struct backend *b = ts_backend_of(s);
	struct prof *h = tu_decode("go/heapwork-heap.pb.gz"), *m, *h2 = scaled("go/heapwork-heap.pb.gz", 2);
	struct prof *g = tu_decode("go/goroutines-goroutine.pb.gz");
	int ti = tu_type(h, "inuse_space"), ta = tu_type(h, "alloc_space");
	char *inuse = ts_ptype_of(h, (uint32_t)ti, NULL), *alloc = ts_ptype_of(h, (uint32_t)ta, NULL);
	char *gor = ts_ptype_of(g, 0, NULL);
	struct merge_info mi;
	struct series_points_list tl = { 0 };
	struct query q = { inuse, NULL, { HOUR0, HOUR0 + 30 * SEC }, AGG_AUTO, NULL, 0 };
	int k;

	(void)state;
	assert_true(profile_type_is_gauge(inuse));
	assert_true(profile_type_is_gauge(gor));
	assert_true(profile_type_is_gauge("memory:space:bytes:space:bytes"));
	assert_false(profile_type_is_gauge(alloc));
	assert_false(profile_type_is_gauge("process_cpu:cpu:nanoseconds:cpu:nanoseconds"));
	for (k = 1; k <= 3; k++) {
		struct prof *x = scaled("go/heapwork-heap.pb.gz", k);

		ts_write_or_fail(s, "app", x, HOUR0 + (k - 1) * 10 * SEC, NULL, NULL);
		ts_write_or_fail(s, "gor", g, HOUR0 + (k - 1) * 10 * SEC, NULL, NULL);
		prof_free(x);
	}
	/* inuse: the average of ×1, ×2, ×3 is the ×2 profile, row for row */
	m = ts_merge_q(b, inuse, "{service_name=\"app\"}", HOUR0, HOUR0 + 30 * SEC, AGG_AUTO, &mi);
	assert_true(mi.averaged);
	tu_assert_i64(mi.nprofiles, 3);
	tu_assert_same_top(h2, (uint32_t)ti, m, 0, "inuse average");
	prof_free(m);
	/* --aggregate sum: ×6 */
	m = ts_merge_q(b, inuse, "{service_name=\"app\"}", HOUR0, HOUR0 + 30 * SEC, AGG_SUM, &mi);
	assert_false(mi.averaged);
	tu_assert_i64(prof_total(m, 0), 6 * prof_total(h, (uint32_t)ti));
	prof_free(m);
	/* alloc_space is a counter: ×6; --aggregate avg gives ×2 */
	m = ts_merge_q(b, alloc, "{service_name=\"app\"}", HOUR0, HOUR0 + 30 * SEC, AGG_AUTO, &mi);
	assert_false(mi.averaged);
	tu_assert_i64(prof_total(m, 0), 6 * prof_total(h, (uint32_t)ta));
	prof_free(m);
	m = ts_merge_q(b, alloc, "{service_name=\"app\"}", HOUR0, HOUR0 + 30 * SEC, AGG_AVG, &mi);
	tu_assert_same_top(h2, (uint32_t)ta, m, 0, "alloc --aggregate avg");
	prof_free(m);
	/* goroutines: the same snapshot three times averages to itself */
	m = ts_merge_q(b, gor, "{}", HOUR0, HOUR0 + 30 * SEC, AGG_AUTO, &mi);
	tu_assert_same_top(g, 0, m, 0, "goroutines average");
	prof_free(m);
	/* the timeline: one point per profile at 10 s, their average over one 30 s step */
	assert_int_equal(b->ops->timeline(b, &q, 10, NULL, &tl), 0);
	assert_int_equal(tl.n, 1);
	assert_int_equal(tl.v[0].n, 3);
	for (k = 0; k < 3; k++) {
		assert_true(fabs(tl.v[0].values[k] - (double)((k + 1) * prof_total(h, (uint32_t)ti))) < 0.5);
		tu_assert_i64(tl.v[0].ts_ms[k], (HOUR0 + k * 10 * SEC) / 1000000);
	}
	series_points_list_release(&tl);
	assert_int_equal(b->ops->timeline(b, &q, 30, NULL, &tl), 0);
	assert_int_equal(tl.v[0].n, 1);
	assert_true(fabs(tl.v[0].values[0] - 2.0 * (double)prof_total(h, (uint32_t)ti)) < 0.5);
	series_points_list_release(&tl);
	/* group by service over all memory and goroutine series: avg per series, then summed */
	free(inuse);
	free(alloc);
	free(gor);
	prof_free(h);
	prof_free(h2);
	prof_free(g);
	backend_close(b);
	store_close(s);
}

/* Timeline grouped by a series label and by a sample label. */
static void test_timeline_groups(void **state)
{
	struct store *s = ts_open_new("timeline.db");
	struct backend *b = ts_backend_of(s);
	struct prof *p = labelled();
	char *pt = ts_ptype_of(p, 0, "process_cpu");
	struct query q = { pt, NULL, { T0, T0 + 20 * SEC }, AGG_AUTO, NULL, 0 };
	struct series_points_list tl = { 0 };
	size_t i;

	(void)state;
	ts_write_or_fail(s, "a", p, T0, "__name__", "process_cpu");
	ts_write_or_fail(s, "b", p, T0 + 10 * SEC, "__name__", "process_cpu");
	assert_int_equal(b->ops->timeline(b, &q, 10, "service_name", &tl), 0);
	assert_int_equal(tl.n, 2);
	for (i = 0; i < 2; i++) {
		const char *svc = labelset_get(&tl.v[i].labels, "service_name");

		assert_non_null(svc);
		assert_int_equal(tl.v[i].n, 2);
		assert_true(tl.v[i].values[*svc == 'a' ? 0 : 1] == 125.0);
		assert_true(tl.v[i].values[*svc == 'a' ? 1 : 0] == 0.0);
	}
	series_points_list_release(&tl);
	assert_int_equal(b->ops->timeline(b, &q, 20, "endpoint", &tl), 0);
	assert_int_equal(tl.n, 3);
	for (i = 0; i < tl.n; i++) {
		const char *ep = labelset_get(&tl.v[i].labels, "endpoint");
		double want = !ep ? 10 : strcmp(ep, "/home") == 0 ? 140 : 100;

		assert_true(tl.v[i].values[0] == want);
	}
	series_points_list_release(&tl);
	free(pt);
	prof_free(p);
	backend_close(b);
	store_close(s);
}

/* Downsampling keeps totals (and averages); retention deletes and collects symbols. */
static void test_retention_downsampling(void **state)
{
	struct store *s = ts_open_new("retention.db");
	struct backend *b = ts_backend_of(s);
	struct prof *h = tu_decode("go/heapwork-heap.pb.gz"), *c = tu_decode("go/cpuwork-cpu.pb.gz");
	char *inuse = ts_ptype_of(h, (uint32_t)tu_type(h, "inuse_space"), NULL);
	char *cpu = ts_ptype_of(c, 1, NULL);
	struct store_stats st0, st1, st2;
	struct prof *before[2], *after[2];
	struct series_points_list tl0 = { 0 }, tl1 = { 0 };
	struct query q = { inuse, NULL, { HOUR0, HOUR0 + 120 * SEC }, AGG_AUTO, NULL, 0 };
	uint64_t merged, deleted;
	int k;
	const int64_t B = HOUR0;

	(void)state;
	for (k = 0; k < 12; k++) {
		struct prof *x = scaled("go/heapwork-heap.pb.gz", k + 1);

		ts_write_or_fail(s, "app", x, B + k * 10 * SEC, NULL, NULL);
		prof_free(x);
	}
	ts_write_or_fail(s, "cpu", c, B, NULL, NULL);
	ts_write_or_fail(s, "cpu", c, B + 70 * SEC, NULL, NULL);
	before[0] = ts_merge_q(b, inuse, "{}", B, B + 120 * SEC, AGG_AUTO, NULL);
	before[1] = ts_merge_q(b, cpu, "{}", B, B + 120 * SEC, AGG_AUTO, NULL);
	assert_int_equal(b->ops->timeline(b, &q, 60, NULL, &tl0), 0);
	assert_int_equal(store_stats(s, &st0), 0);
	/* 10 s → 1 min: 12 heap pushes become 2 rollups of 6; the lone cpu ones stay */
	assert_int_equal(store_downsample(s, B + 120 * SEC, 60 * SEC, &merged), 0);
	tu_assert_i64(merged, 12 * 4);
	assert_int_equal(store_stats(s, &st1), 0);
	tu_assert_i64(st1.profiles, st0.profiles - 10 * 4);
	tu_assert_i64(st1.pushed, st0.pushed);
	after[0] = ts_merge_q(b, inuse, "{}", B, B + 120 * SEC, AGG_AUTO, NULL);
	after[1] = ts_merge_q(b, cpu, "{}", B, B + 120 * SEC, AGG_AUTO, NULL);
	tu_assert_same_top(before[0], 0, after[0], 0, "inuse average after downsampling");
	tu_assert_same_top(before[1], 0, after[1], 0, "cpu after downsampling");
	assert_int_equal(b->ops->timeline(b, &q, 60, NULL, &tl1), 0);
	assert_int_equal(tl1.v[0].n, tl0.v[0].n);
	for (k = 0; k < (int)tl0.v[0].n; k++)
		assert_true(fabs(tl0.v[0].values[k] - tl1.v[0].values[k]) < 1e-6 * tl0.v[0].values[k] + 0.5);
	/* again: nothing more to merge */
	assert_int_equal(store_downsample(s, B + 120 * SEC, 60 * SEC, &merged), 0);
	tu_assert_i64(merged, 0);
	/* 1 min → 1 h: the two rollups become one, still the same average */
	assert_int_equal(store_downsample(s, B + 7200 * SEC, 3600 * SEC, &merged), 0);
	prof_free(after[0]);
	after[0] = ts_merge_q(b, inuse, "{}", B - 3600 * SEC, B + 3600 * SEC, AGG_AUTO, NULL);
	tu_assert_same_top(before[0], 0, after[0], 0, "inuse average after two rollups");
	prof_free(after[0]);
	prof_free(after[1]);
	/* retention before everything: nothing goes */
	assert_int_equal(store_stats(s, &st1), 0);
	assert_int_equal(store_retention(s, B - 3600 * SEC, &deleted), 0);
	tu_assert_i64(deleted, 0);
	assert_int_equal(store_stats(s, &st2), 0);
	tu_assert_i64(st2.stacks, st1.stacks);
	tu_assert_i64(st2.strings, st1.strings);
	/* everything older than the end: all deleted, every symbol and series collected */
	assert_int_equal(store_retention(s, B + 10000 * SEC, &deleted), 0);
	assert_true(deleted > 0);
	assert_int_equal(store_stats(s, &st2), 0);
	tu_assert_i64(st2.profiles, 0);
	tu_assert_i64(st2.series, 0);
	tu_assert_i64(st2.scopes, 0);
	tu_assert_i64(st2.strings + st2.functions + st2.locations + st2.mappings + st2.stacks, 0);
	prof_free(before[0]);
	prof_free(before[1]);
	series_points_list_release(&tl0);
	series_points_list_release(&tl1);
	free(inuse);
	free(cpu);
	prof_free(h);
	prof_free(c);
	backend_close(b);
	store_close(s);
}

/* Retention of part of a service: what the rest uses stays, and still merges exactly. */
static void test_retention_partial_gc(void **state)
{
	struct store *s = ts_open_new("gc.db");
	struct backend *b = ts_backend_of(s);
	struct prof *c = tu_decode("go/cpuwork-cpu.pb.gz");
	struct prof *c3 = tu_decode("go/cpuwork-cpu-after-scoreRecords-3x.pb.gz");
	struct prof *h = tu_decode("go/heapwork-heap.pb.gz");
	char *cpu = ts_ptype_of(c, 1, NULL);
	struct store_stats a, z;
	uint64_t deleted;
	struct prof *m;

	(void)state;
	ts_write_or_fail(s, "app", h, T0, NULL, NULL);
	assert_int_equal(store_stats(s, &a), 0);
	ts_write_or_fail(s, "app", c, T0 + 10 * SEC, NULL, NULL);
	ts_write_or_fail(s, "app", c3, T0 + 20 * SEC, NULL, NULL);
	assert_int_equal(store_retention(s, T0 + 1, &deleted), 0);
	tu_assert_i64(deleted, 4);  /* the heap's four sample types */
	assert_int_equal(store_stats(s, &z), 0);
	assert_true(z.stacks < a.stacks + 1000 && z.strings > 0);
	m = ts_merge_q(b, cpu, "{}", T0 + 20 * SEC, T0 + 30 * SEC, AGG_AUTO, NULL);
	tu_assert_same_top(c3, 1, m, 0, "cpu after collecting the heap's symbols");
	prof_free(m);
	/* the cpuwork profile goes too: what only it used is collected */
	assert_int_equal(store_retention(s, T0 + 15 * SEC, &deleted), 0);
	assert_int_equal(store_stats(s, &a), 0);
	assert_true(a.stacks < z.stacks);
	m = ts_merge_q(b, cpu, "{}", T0, T0 + 30 * SEC, AGG_AUTO, NULL);
	tu_assert_same_top(c3, 1, m, 0, "cpu after collecting the other cpu profile's symbols");
	prof_free(m);
	/* writing the collected profile again restores its symbols and merges exactly */
	ts_write_or_fail(s, "app", c, T0 + 25 * SEC, NULL, NULL);
	m = ts_merge_q(b, cpu, "{}", T0 + 25 * SEC, T0 + 26 * SEC, AGG_AUTO, NULL);
	tu_assert_same_top(c, 1, m, 0, "cpu written again after collection");
	prof_free(m);
	free(cpu);
	prof_free(c);
	prof_free(c3);
	prof_free(h);
	backend_close(b);
	store_close(s);
}

/* --max-store-size: the oldest go first, until the file fits. */
static void test_evict(void **state)
{
	struct store *s = ts_open_new("evict.db");
	struct prof *c = tu_decode("go/cpuwork-cpu.pb.gz");
	struct store_stats a, z;
	uint64_t deleted;
	int k;

	(void)state;
	for (k = 0; k < 60; k++) {
		c->values[(size_t)(k % c->nsamples) * 2 + 1] += 10000000;
		ts_write_or_fail(s, "app", c, T0 + k * 10 * SEC, NULL, NULL);
	}
	assert_int_equal(store_stats(s, &a), 0);
	assert_int_equal(store_evict(s, a.file_bytes, &deleted), 0);
	tu_assert_i64(deleted, 0);
	assert_int_equal(store_evict(s, a.file_bytes - a.blob_bytes / 2, &deleted), 0);
	assert_true(deleted > 0 && deleted < a.profiles);
	assert_int_equal(store_stats(s, &z), 0);
	assert_true(z.file_bytes <= a.file_bytes - a.blob_bytes / 2);
	tu_assert_i64(z.profiles, a.profiles - deleted);
	/* the oldest went: the newest is still there */
	tu_assert_i64(z.newest_ns, a.newest_ns);
	assert_true(z.oldest_ns > a.oldest_ns);
	prof_free(c);
	store_close(s);
}

static int ref_entry_cmp(const void *x, const void *y)
{
	const struct blob_entry *a = x, *b = y;

	if (a->stack != b->stack)
		return a->stack < b->stack ? -1 : 1;
	return (a->set > b->set) - (a->set < b->set);
}

/*
 * blob_normalize sorts by (stack, set), adds duplicates and drops zeros: against qsort
 * on sizes around the small-input cut-over, with wide and narrow ids, sorted input,
 * and through an encode/decode round trip.
 */
static void test_blob_normalize(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 63, 64, 65, 1000, 20000 };
	static const uint32_t stack_max[] = { 3, 900, 70000, 0xfffffff0u };
	static const uint32_t set_max[] = { 0, 5, 3000 };
	uint64_t rng = 0x2545f4914f6cdd1dULL;
	size_t a, b, c, i, j;

	(void)state;
	for (a = 0; a < sizeof(sizes) / sizeof(sizes[0]); a++)
	for (b = 0; b < sizeof(stack_max) / sizeof(stack_max[0]); b++)
	for (c = 0; c < sizeof(set_max) / sizeof(set_max[0]); c++) {
		size_t n = sizes[a];
		struct blob bl, back;
		struct blob_entry *ref = malloc((n + 1) * sizeof(*ref));
		struct buf enc = BUF_INIT;
		ZSTD_CCtx *cc = ZSTD_createCCtx();
		ZSTD_DCtx *dc = ZSTD_createDCtx();

		blob_init(&bl);
		blob_init(&back);
		assert_non_null(ref);
		assert_int_equal(vec_reserve(&bl.e, &bl.cap_e, n + 1), 0);
		for (i = 0; i < n; i++) {
			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			ref[i].stack = (uint32_t)(rng % ((uint64_t)stack_max[b] + 1));
			ref[i].set = set_max[c] ? (uint32_t)((rng >> 32) % (set_max[c] + 1)) : 0;
			ref[i].value = (int64_t)(rng >> 40) % 7;  /* zeros and duplicates */
			bl.e[i] = ref[i];
		}
		bl.n = n;
		bl.nsets = set_max[c] + 1;
		if (a == 5 && b == 1)  /* already sorted input */
			qsort(bl.e, n, sizeof(*bl.e), ref_entry_cmp);
		assert_int_equal(blob_normalize(&bl), 0);
		qsort(ref, n, sizeof(*ref), ref_entry_cmp);
		for (i = j = 0; i < n; i++) {
			if (j && ref[j - 1].stack == ref[i].stack && ref[j - 1].set == ref[i].set)
				ref[j - 1].value += ref[i].value;
			else
				ref[j++] = ref[i];
		}
		for (i = 0, n = j, j = 0; i < n; i++)
			if (ref[i].value)
				ref[j++] = ref[i];
		assert_int_equal(bl.n, j);
		for (i = 0; i < j; i++) {
			assert_int_equal(bl.e[i].stack, ref[i].stack);
			assert_int_equal(bl.e[i].set, ref[i].set);
			tu_assert_i64(bl.e[i].value, ref[i].value);
		}
		/* sets are only numbered here, not defined: round trip the one-set case */
		if (set_max[c] == 0) {
			uint32_t empty;

			bl.nsets = 0;
			assert_int_equal(blob_add_set(&bl, NULL, 0, &empty), 0);
			assert_int_equal(empty, 0);
			assert_int_equal(blob_encode(cc, &bl, &enc), 0);
			assert_int_equal(blob_decode(dc, enc.data, enc.len, NULL, 0, &back), 0);
			assert_int_equal(back.n, j);
			for (i = 0; i < j; i++) {
				assert_int_equal(back.e[i].stack, ref[i].stack);
				tu_assert_i64(back.e[i].value, ref[i].value);
			}
		}
		buf_release(&enc);
		ZSTD_freeCCtx(cc);
		ZSTD_freeDCtx(dc);
		blob_release(&bl);
		blob_release(&back);
		free(ref);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blob_normalize),
		cmocka_unit_test(test_roundtrip_go),
		cmocka_unit_test(test_roundtrip_pyroscope),
		cmocka_unit_test(test_roundtrip_one_service),
		cmocka_unit_test(test_profile_types),
		cmocka_unit_test(test_dedup_and_size),
		cmocka_unit_test(test_sample_labels),
		cmocka_unit_test(test_prepared_write),
		cmocka_unit_test(test_tenant_rule),
		cmocka_unit_test(test_matchers),
		cmocka_unit_test(test_series_label_names),
		cmocka_unit_test(test_time_ranges),
		cmocka_unit_test(test_time_bounds_at_zero),
		cmocka_unit_test(test_gauge_average),
		cmocka_unit_test(test_timeline_groups),
		cmocka_unit_test(test_retention_downsampling),
		cmocka_unit_test(test_retention_partial_gc),
		cmocka_unit_test(test_evict),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}
