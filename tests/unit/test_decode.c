/*
 * test_decode.c — decoding every real pprof fixture, checked against `go tool pprof`.
 *
 * The expected figures below were computed with the reference implementation (Debian
 * golang-go, `go tool pprof -symbolize=none -raw` for the sums of every sample type and
 * `-top -nodefraction=0 -unit=ns|B -sample_index=T` for flat/cum rows), not with
 * smolder.  Values are in the profile's own unit (pprof prints µs profiles ×1000 with
 * -unit=ns; they were divided back).  Also: folded stacks against their pprof source,
 * a zstd copy made here, gzip members, raw protobufs, an unsymbolized C++ profile, a
 * string table with every byte value, a profile pprof itself refuses, and which error a
 * profile decoded by two threads reports.
 */
#include "testutil.h"

#include <dirent.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "base/err.h"
#include "base/text.h"
#include "ingest/decode.h"
#include "ingest/load.h"
#include "profile.pb-c.h"

#define PYRO "pyroscope/grafana-pyroscope/pkg/"
#define OGPPROF PYRO "og/convert/pprof/testdata/"

struct row {
	const char *name;
	int64_t flat, cum;
};

struct fixture {
	const char *path;
	bool gzip;           /* starts with 1f 8b (else a raw protobuf) */
	const char *types;   /* as tu_types() prints them */
	const char *dflt;    /* the default sample type, as pprof picks it */
	int64_t totals[6];   /* per sample type, in file order */
	uint32_t nsamples;   /* sample records in the file; 0: not checked */
	const char *period;  /* "type/unit period"; NULL: not checked */
	const char *top_type;
	struct row top[3];   /* rows of `pprof -top -sample_index=top_type` */
};

static const struct fixture fixtures[] = {
	/* our own Go programs (testdata/go/src) */
	{ "go/contention-block.pb.gz", true, "contentions/count delay/nanoseconds", "delay",
	  { 232084, 2693422696 }, 0, "contentions/count 1", "delay",
	  { { "sync.(*Cond).Wait", 988758625, 1008802385 },
	    { "sync.(*Mutex).Lock", 607343237, 607343237 } } },
	{ "go/contention-mutex.pb.gz", true, "contentions/count delay/nanoseconds", "delay",
	  { 134, 150994768 }, 8, "contentions/count 1", "delay",
	  { { "sync.(*Mutex).Unlock", 150994768, 150994768 },
	    { "main.bankWorker", 0, 95286297 },
	    { "main.(*Bank).transfer", 0, 80803104 } } },
	{ "go/cpuwork-cpu-after-scoreRecords-3x.pb.gz", true, "samples/count cpu/nanoseconds",
	  "cpu", { 1192, 11920000000 }, 0, "cpu/nanoseconds 10000000", "cpu",
	  { { "main.scoreRecords", 4600000000, 4610000000 },
	    { "crypto/sha256.block", 1080000000, 1080000000 } } },
	{ "go/cpuwork-cpu.pb.gz", true, "samples/count cpu/nanoseconds", "cpu",
	  { 924, 9240000000 }, 0, "cpu/nanoseconds 10000000", "cpu",
	  { { "main.scoreRecords", 1550000000, 1550000000 },
	    { "regexp.(*Regexp).tryBacktrack", 510000000, 1210000000 },
	    { "runtime.mallocgc", 200000000, 950000000 } } },
	{ "go/gencode3k-cpu-labels.pb.gz", true, "samples/count cpu/nanoseconds", "cpu",
	  { 28975, 115900000000 }, 0, "cpu/nanoseconds 4000000", "cpu",
	  { { "gencode/internal/api/http.acquirePolicyRaw", 9288000000, 16196000000 },
	    { "gencode/internal/api/http.validateChunk", 3836000000, 6012000000 } } },
	{ "go/gencode3k-cpu.pb.gz", true, "samples/count cpu/nanoseconds", "cpu",
	  { 28940, 115760000000 }, 0, "cpu/nanoseconds 4000000", "cpu",
	  { { "gencode/internal/api/http.acquirePolicyRaw", 9548000000, 15916000000 },
	    { "gencode/internal/api/http.validateChunk", 3772000000, 5896000000 } } },
	{ "go/goroutines-goroutine.pb.gz", true, "goroutine/count", "goroutine", { 1042 }, 0,
	  "goroutine/count 1", "goroutine",
	  { { "runtime.gopark", 1041, 1041 },
	    { "runtime.goroutineProfileWithLabels", 1, 1 } } },
	{ "go/heapwork-allocs.pb.gz", true,
	  "alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes",
	  "alloc_space", { 6144814, 2136496566, 313995, 41608158 }, 0, "space/bytes 4096",
	  "alloc_space",
	  { { "main.(*Cache).Put", 691303911, 790690097 },
	    { "main.makeValue", 677235145, 677235145 } } },
	{ "go/heapwork-heap.pb.gz", true,
	  "alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes",
	  "inuse_space", { 6144814, 2136496566, 313995, 41608158 }, 0, "space/bytes 4096",
	  "inuse_space",
	  { { "main.insertTree", 31084217, 31084217 },
	    { "main.(*Cache).Put", 7027970, 7992147 },
	    { "main.newEntry", 964177, 964177 } } },
	/* the pprof files listed in testdata/pyroscope/README.md */
	{ PYRO "pprof/testdata/go.cpu.labels.pprof", true, "samples/count cpu/nanoseconds", "cpu",
	  { 873, 8730000000 }, 480, "cpu/nanoseconds 10000000", "cpu",
	  { { "main.work", 7910000000, 8240000000 },
	    { "runtime.duffzero", 460000000, 460000000 } } },
	{ OGPPROF "cpu.pb.gz", true, "samples/count cpu/nanoseconds", "cpu",
	  { 47, 470000000 }, 7, NULL, "cpu",
	  { { "runtime.kevent", 250000000, 250000000 },
	    { "runtime.pthread_cond_wait", 160000000, 160000000 } } },
	{ PYRO "phlaredb/testdata/profile_uncompressed", false, "samples/count cpu/nanoseconds",
	  "cpu", { 50, 500000000 }, 48, NULL, "cpu",
	  { { "runtime.memclrNoHeapPointers", 40000000, 40000000 },
	    { "compress/flate.(*compressor).deflate", 30000000, 70000000 } } },
	{ PYRO "pprof/testdata/single_group_with_optional_span_id.pb.gz", true,
	  "samples/count cpu/nanoseconds", "cpu", { 132, 1320000000 }, 0, NULL, "cpu",
	  { { "runtime.memmove", 820000000, 820000000 },
	    { "runtime.(*spanSet).reset", 30000000, 30000000 } } },
	{ PYRO "pprof/testdata/heap_delta", true,
	  "alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes",
	  "alloc_space", { 208258, 17778269, 101874, 9992695 }, 38, "space/bytes 524288",
	  "alloc_space",
	  { { "io.ReadAll", 3051131, 3051131 }, { "reflect.growslice", 2098592, 2098592 } } },
	{ OGPPROF "req_2.pprof", true, "goroutine/count", "goroutine", { 10 }, 0, NULL,
	  "goroutine", { { "runtime.gopark", 8, 8 }, { "runtime.asyncPreempt2", 1, 1 } } },
	{ OGPPROF "req_3.pprof", true, "contentions/count delay/nanoseconds", "delay",
	  { 43, 22674240703 }, 0, NULL, "delay",
	  { { "runtime.selectgo", 11973270803, 11973270803 },
	    { "sync.(*WaitGroup).Wait", 5866160792, 5866160792 } } },
	{ OGPPROF "req_4.pprof", true, "contentions/count delay/nanoseconds", "delay",
	  { 21, 4688969939 }, 0, NULL, "delay",
	  { { "sync.(*Mutex).Unlock", 4688969939, 4688969939 },
	    { "main.slowFunction", 0, 4688935189 } } },
	{ OGPPROF "req_5.pprof", true,
	  "alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes",
	  "inuse_space", { 12, 3360919, 0, 0 }, 0, NULL, "alloc_space",
	  { { "compress/flate.(*compressor).init", 1223975, 1223975 },
	    { "compress/flate.NewWriter", 924248, 2148223 } } },
	{ PYRO "pprof/testdata/profile_java", true, "cpu/nanoseconds", "cpu", { 5020648123 },
	  2614, NULL, "cpu",
	  { { "java/io/UnixFileSystem.getNameMax0", 887742658, 887742658 },
	    { "java/lang/Thread.sleep", 440018768, 440018768 } } },
	{ PYRO "pprof/testdata/profile_python", true, "samples/count", "samples", { 234084 }, 0,
	  NULL, "samples",
	  { { "lib/utility/utility.py:-1 - find_nearest_vehicle", 125945, 233479 },
	    { "lib/utility/utility.py:-1 - mutex_lock", 79235, 79235 } } },
	{ OGPPROF "pyspy-1.pb.gz", false, "samples/count", "samples", { 781 }, 0, NULL,
	  "samples", { { "work", 775, 775 }, { "tag_wrapper", 4, 4 } } },
	{ PYRO "pprof/testdata/profile_nodejs", true, "wall/microseconds", "wall", { 39670000 },
	  0, NULL, "wall",
	  { { ":(idle):0", 15580000, 15580000 },
	    { "./index.ts:carSearchHandler:31", 6640000, 6660000 } } },
	{ OGPPROF "nodejs-wall.pb.gz", true, "samples/count wall/microseconds", "wall",
	  { 898, 8980000 }, 0, NULL, "wall",
	  { { "./index.js:(anonymous):22", 5860000, 5890000 },
	    { ":(idle):0", 2900000, 2900000 } } },
	{ OGPPROF "cpu-js.pb.gz", true, "sample/count wall/microseconds", "wall",
	  { 8849, 8849000 }, 0, NULL, "wall",
	  { { "(anonymous)", 7742000, 7854000 }, { "(idle)", 811000, 811000 } } },
	{ OGPPROF "nodejs-heap.pb.gz", true, "inuse_objects/count inuse_space/bytes",
	  "inuse_space", { 100498, 8357762 }, 0, NULL, "inuse_space",
	  { { "./index.js:(anonymous):19", 4194672, 5274384 },
	    { ":(external):0", 984418, 984418 } } },
	{ OGPPROF "heap-js.pprof", false, "objects/count space/bytes", "space",
	  { 66148, 6388384 }, 0, NULL, "space",
	  { { "(anonymous)", 2621664, 3670272 }, { "(external)", 2193664, 2193664 } } },
	{ PYRO "pprof/testdata/profile_rust", true, "cpu/nanoseconds", "cpu", { 11960000000 },
	  0, NULL, "cpu",
	  { { "libunwind.rs:93 - backtrace::backtrace::libunwind::trace", 11960000000,
	      11960000000 },
	    { ":0 - __clock_gettime", 0, 200000000 } } },
	{ OGPPROF "dotnet-pprof-211.pb.gz", false,
	  "cpu/nanoseconds exception/count alloc_samples/count alloc_size/bytes "
	  "lock_count/count lock_time/nanoseconds",
	  "lock_time", { 3213000000, 0, 1750, 56064, 0, 0 }, 0, NULL, "cpu",
	  { { "!.Concat", 1316000000, 1389000000 },
	    { "WebApplication1.Controllers!CpuController.fib", 1087000000, 3185000000 } } },
	{ OGPPROF "invalid_utf8.pb.gz", true, "cpu/nanoseconds", "cpu", { 1 }, 1, NULL, "cpu",
	  { { "my", 1, 1 } } },
	{ "pyroscope/google-pprof/internal/report/testdata/sample.cpu", true,
	  "samples/count cpu/nanoseconds", "cpu", { 176, 1760000000 }, 76, NULL, "cpu",
	  { { "runtime.mapiternext", 1280000000, 1370000000 },
	    { "main.busyLoop", 150000000, 1760000000 } } },
	{ "pyroscope/google-pprof/internal/driver/testdata/cppbench.cpu_no_samples_type", true,
	  "cpu/nanoseconds", "cpu", { 7120000000 }, 0, NULL, "cpu",
	  { { "[cppbench_server_main]", 7080000000, 7110000000 },
	    { "[libc-2.15.so]", 40000000, 40000000 } } },
};

#define NFIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))

/* Two profiles say the same thing: types, samples, values, stacks and labels by name. */
static void assert_same_profile(const struct prof *a, const struct prof *b)
{
	uint32_t i, j;

	assert_string_equal(tu_types(a), tu_types(b));
	assert_int_equal(a->default_type, b->default_type);
	assert_int_equal(a->period, b->period);
	assert_int_equal(a->nsamples, b->nsamples);
	assert_int_equal(a->nlocations, b->nlocations);
	assert_int_equal(a->nfunctions, b->nfunctions);
	for (i = 0; i < a->nsamples; i++) {
		const struct prof_sample *x = &a->samples[i], *y = &b->samples[i];

		for (j = 0; j < a->ntypes; j++)
			tu_assert_i64(prof_value(a, i, j), prof_value(b, i, j));
		assert_int_equal(x->nlocs, y->nlocs);
		assert_int_equal(x->nlabels, y->nlabels);
		for (j = 0; j < x->nlocs; j++) {
			const struct prof_location *la = &a->locations[a->sample_locs[x->loc_off + j]];
			const struct prof_location *lb = &b->locations[b->sample_locs[y->loc_off + j]];

			assert_int_equal(la->address, lb->address);
			assert_int_equal(la->nlines, lb->nlines);
			assert_string_equal(
				prof_str(a, a->functions[a->lines[la->line_off].func].name),
				prof_str(b, b->functions[b->lines[lb->line_off].func].name));
		}
		for (j = 0; j < x->nlabels; j++) {
			const struct prof_label *la = &a->labels[x->label_off + j];
			const struct prof_label *lb = &b->labels[y->label_off + j];

			assert_string_equal(prof_str(a, la->key), prof_str(b, lb->key));
			assert_string_equal(prof_str(a, la->str), prof_str(b, lb->str));
			tu_assert_i64(la->num, lb->num);
		}
	}
}

static void check_fixture(void **state)
{
	const struct fixture *f = *state;
	struct buf raw = BUF_INIT, inflated = BUF_INIT;
	struct tree *tree = NULL;
	struct top top;
	struct prof *p, *q;
	uint32_t i;
	char period[256];

	tu_read(f->path, &raw);
	assert_true(raw.len >= 2);
	assert_int_equal((uint8_t)raw.data[0] == 0x1f && (uint8_t)raw.data[1] == 0x8b, f->gzip);
	p = tu_decode_bytes(raw.data, raw.len, f->path);

	assert_string_equal(tu_types(p), f->types);
	assert_string_equal(prof_str(p, p->sample_types[p->default_type].type), f->dflt);
	for (i = 0; i < p->ntypes; i++)
		tu_assert_i64(prof_total(p, i), f->totals[i]);
	if (f->nsamples)
		assert_int_equal(p->nsamples, f->nsamples);
	if (f->period) {
		snprintf(period, sizeof(period), "%s/%s %lld", prof_str(p, p->period_type.type),
			 prof_str(p, p->period_type.unit), (long long)p->period);
		assert_string_equal(period, f->period);
	}
	tu_check_invariants(p);

	tu_top(p, f->top_type, &tree, &top);
	tu_assert_i64(top.total, f->totals[tu_type(p, f->top_type)]);
	for (i = 0; i < 3 && f->top[i].name; i++) {
		const struct top_row *r = tu_top_row(&top, p, f->top[i].name);

		if (!r)
			fail_msg("no top row '%s'", f->top[i].name);
		assert_true(tu_has_function(p, f->top[i].name));
		tu_assert_i64(r->flat, f->top[i].flat);
		tu_assert_i64(r->cum, f->top[i].cum);
	}
	/* pprof's first row (flat order) is the first one listed */
	assert_string_equal(prof_str(p, top.rows[0].name), f->top[0].name);
	top_release(&top);
	tree_free(tree);

	/* the same bytes without gzip decode to the same profile */
	if (f->gzip) {
		tu_read_inflated(f->path, &inflated);
		assert_false((uint8_t)inflated.data[0] == 0x1f && (uint8_t)inflated.data[1] == 0x8b);
		q = tu_decode_bytes(inflated.data, inflated.len, f->path);
		assert_same_profile(p, q);
		prof_free(q);
	}
	prof_free(p);
	buf_release(&raw);
	buf_release(&inflated);
}

/* Every file in testdata/go is in the table (a new fixture cannot be skipped silently). */
static void test_every_go_fixture_listed(void **state)
{
	DIR *d = opendir(tu_path("go"));
	struct dirent *e;
	char rel[512];
	size_t i, seen = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		bool found = false;

		if (n < 6 || strcmp(e->d_name + n - 6, ".pb.gz") != 0)
			continue;
		snprintf(rel, sizeof(rel), "go/%s", e->d_name);
		for (i = 0; i < NFIXTURES; i++)
			found |= strcmp(fixtures[i].path, rel) == 0;
		if (!found) {
			closedir(d);
			fail_msg("%s is not checked by test_decode", rel);
		}
		seen++;
	}
	closedir(d);
	assert_int_equal(seen, 9);
}

/* pprof refuses it too: "malformed profile: found function with reserved ID=0". */
static void test_function_id_zero_rejected(void **state)
{
	struct buf b = BUF_INIT;
	int rc;

	(void)state;
	tu_read(OGPPROF "dotnet-pprof-3.pb.gz", &b);
	rc = tu_decode_fails(b.data, b.len, "dotnet-pprof-3.pb.gz");
	assert_int_equal(rc, ERR_PARSE);
	if (!strstr(err_last(), "reserved id 0") || !strstr(err_last(), "function"))
		fail_msg("unexpected message: %s", err_last());
	buf_release(&b);
}

/* A string-table entry holding the bytes 0x00..0xff decodes and can be shown safely. */
static void test_every_byte_in_a_name(void **state)
{
	struct prof *p = tu_decode(OGPPROF "invalid_utf8.pb.gz");
	struct buf safe = BUF_INIT;
	uint32_t i, j, found = 0;

	(void)state;
	for (i = 0; i < p->nfunctions; i++) {
		uint32_t id = p->functions[i].name;

		if (prof_strlen(p, id) != 256)
			continue;
		for (j = 0; j < 256; j++)
			assert_int_equal((uint8_t)p->strs[id][j], j);
		assert_int_equal(text_safe(&safe, p->strs[id], 256, false), 0);
		found++;
	}
	assert_int_equal(found, 1);
	for (i = 0; i < safe.len; i++)
		assert_false((uint8_t)safe.data[i] < 0x20 || (uint8_t)safe.data[i] == 0x7f);
	assert_non_null(strstr(safe.data, "\\x00\\x01"));
	assert_non_null(strstr(safe.data, "\\x1b"));
	assert_non_null(strstr(safe.data, "\\x7f"));
	assert_non_null(strstr(safe.data, "\xef\xbf\xbd")); /* 0x80.. are not UTF-8 */
	assert_non_null(strstr(safe.data, "xyz{|}~"));
	buf_release(&safe);
	prof_free(p);
}

/* No functions at all: every frame is named after its mapping, as pprof does. */
static void test_unsymbolized(void **state)
{
	struct prof *p = tu_decode(
		"pyroscope/google-pprof/internal/driver/testdata/cppbench.cpu_no_samples_type");
	uint32_t i;

	(void)state;
	assert_int_equal(p->nmappings, 12);
	assert_true(p->nfunctions >= 2);
	for (i = 0; i < p->nfunctions; i++) {
		const char *n = prof_str(p, p->functions[i].name);

		assert_true(n[0] == '[' && n[strlen(n) - 1] == ']');
	}
	for (i = 0; i < p->nlocations; i++) {
		assert_int_equal(p->locations[i].nlines, 1);
		assert_true(p->locations[i].address != 0);
		assert_true(p->locations[i].mapping < p->nmappings);
	}
	assert_true(tu_has_function(p, "[cppbench_server_main]"));
	assert_true(tu_has_function(p, "[libc-2.15.so]"));
	tu_assert_i64(p->time_nanos, 0);
	prof_free(p);
}

/*
 * testdata/folded was made from the Go CPU profiles (testdata/go/src/pprof2folded, inline
 * frames expanded, samples column).  The folded profile must build the same call tree as
 * the pprof one: same nodes in the same order with the same totals.
 */
static void check_folded_pair(const char *folded, const char *pprof, int64_t want)
{
	struct prof *f = tu_decode(folded), *p = tu_decode(pprof);
	struct tree *tf = NULL, *tp = NULL;
	int ts = tu_type(p, "samples");
	uint32_t i;

	assert_string_equal(tu_types(f), "samples/count");
	tu_assert_i64(prof_total(f, 0), want);
	tu_assert_i64(prof_total(p, (uint32_t)ts), want);
	assert_int_equal(tree_build(f, &tf), 0);
	assert_int_equal(tree_build(p, &tp), 0);
	assert_int_equal(tf->n, tp->n);
	assert_int_equal(tf->max_depth, tp->max_depth);
	for (i = 0; i < tf->n; i++) {
		assert_string_equal(tree_name(tf, i), tree_name(tp, i));
		assert_int_equal(tf->parent[i], tp->parent[i]);
		tu_assert_i64(tree_total(tf, i, 0), tree_total(tp, i, (uint32_t)ts));
		tu_assert_i64(tree_self(tf, i, 0), tree_self(tp, i, (uint32_t)ts));
	}
	tree_free(tf);
	tree_free(tp);
	prof_free(f);
	prof_free(p);
}

static void test_folded_matches_pprof(void **state)
{
	(void)state;
	check_folded_pair("folded/cpuwork-cpu.folded", "go/cpuwork-cpu.pb.gz", 924);
	check_folded_pair("folded/cpuwork-cpu-after-scoreRecords-3x.folded",
			  "go/cpuwork-cpu-after-scoreRecords-3x.pb.gz", 1192);
}

/* The direct entry point agrees with decode_profile's text detection. */
static void test_folded_decode_direct(void **state)
{
	struct buf b = BUF_INIT;
	struct prof *p = NULL, *q;

	(void)state;
	tu_read("folded/cpuwork-cpu.folded", &b);
	assert_int_equal(folded_decode(b.data, b.len, false, &p), 0);
	q = tu_decode_bytes(b.data, b.len, "cpuwork-cpu.folded");
	assert_same_profile(p, q);
	assert_int_equal(p->nsamples, 309); /* one per line */
	prof_free(p);
	prof_free(q);
	buf_release(&b);
}

/*
 * Pyroscope's lines format (a stack per line, no count), told by a ".lines" name: the
 * same profile as the folded text with " 1" after every line, plain and gzipped; under
 * another name the same bytes are folded text with no counts, an error.
 */
static void test_lines_format(void **state)
{
	static const char hostile[] = "a;b\x1b[2J\na;b\x1b[2J\nc\n";
	static const char upstream[] = "#comment\n  a;b\n\na;;b\nc \n";
	struct buf b = BUF_INIT, folded = BUF_INIT, gz = BUF_INIT;
	struct prof *p, *f, *z;
	size_t i, lines = 0;

	(void)state;
	tu_read("pyroscope/derived/kafka.app.itimer.thread5.lines", &b);
	for (i = 0; i < b.len; i++) {
		if (b.data[i] == '\n' && i > 0 && b.data[i - 1] != '\n') {
			assert_int_equal(buf_puts(&folded, " 1\n"), 0);
			lines++;
			continue;
		}
		assert_int_equal(buf_add(&folded, &b.data[i], 1), 0);
	}
	assert_int_equal(lines, 104);  /* the fixture's README: 104 lines, one sample each */
	p = tu_decode_bytes(b.data, b.len, "kafka.app.itimer.thread5.lines");
	f = tu_decode_bytes(folded.data, folded.len, "kafka.folded");
	assert_same_profile(p, f);
	assert_int_equal(prof_total(p, 0), 104);
	assert_true(tu_has_function(p, "App.fib"));
	tu_gzip(b.data, b.len, &gz);
	z = tu_decode_bytes(gz.data, gz.len, "dir/x.lines.gz");
	assert_same_profile(p, z);
	assert_int_equal(tu_decode_fails(b.data, b.len, "kafka.app.itimer.txt"), ERR_PARSE);
	tu_assert_message("line 1: expected 'frame;frame;... count'");
	/* frames with control characters: not text, still lines by the name */
	prof_free(z);
	z = tu_decode_bytes(hostile, sizeof(hostile) - 1, "hostile.lines");
	assert_int_equal(prof_total(z, 0), 3);
	prof_free(z);
	/* as /ingest?format=lines: '#' and blanks belong to frames, only empty lines go */
	z = tu_decode_bytes(upstream, sizeof(upstream) - 1, "upstream.lines");
	assert_int_equal(prof_total(z, 0), 4);
	assert_true(tu_has_function(z, "#comment"));
	assert_true(tu_has_function(z, "  a"));
	assert_true(tu_has_function(z, "c "));
	assert_int_equal(z->nsamples, 4);
	prof_free(z);
	prof_free(f);
	prof_free(p);
	buf_release(&gz);
	buf_release(&folded);
	buf_release(&b);
}

/* zstd (28 b5 2f fd) is detected from content like gzip; made here with libzstd. */
static void check_zstd_copy(const char *rel)
{
	struct buf plain = BUF_INIT;
	struct prof *a, *b;
	size_t cap, n;
	void *z;

	tu_read_inflated(rel, &plain);
	cap = ZSTD_compressBound(plain.len);
	z = malloc(cap);
	assert_non_null(z);
	n = ZSTD_compress(z, cap, plain.data, plain.len, 3);
	assert_false(ZSTD_isError(n));
	assert_memory_equal(z, "\x28\xb5\x2f\xfd", 4);
	a = tu_decode_bytes(plain.data, plain.len, rel);
	b = tu_decode_bytes(z, n, rel);
	assert_same_profile(a, b);
	tu_check_invariants(b);
	prof_free(a);
	prof_free(b);
	free(z);
	buf_release(&plain);
}

static void test_zstd(void **state)
{
	(void)state;
	check_zstd_copy("go/cpuwork-cpu.pb.gz");
	check_zstd_copy("go/heapwork-heap.pb.gz");
	check_zstd_copy("folded/cpuwork-cpu.folded");
}

/* Two zstd frames back to back decode as their concatenation. */
static void test_zstd_two_frames(void **state)
{
	static const char a[] = "main;work 3\n", b[] = "main;idle 4\n";
	char z[256];
	size_t n1, n2;
	struct prof *p;

	(void)state;
	n1 = ZSTD_compress(z, sizeof(z), a, strlen(a), 1);
	assert_false(ZSTD_isError(n1));
	n2 = ZSTD_compress(z + n1, sizeof(z) - n1, b, strlen(b), 1);
	assert_false(ZSTD_isError(n2));
	p = tu_decode_bytes(z, n1 + n2, "two-frames.zst");
	assert_int_equal(p->nsamples, 2);
	tu_assert_i64(prof_total(p, 0), 7);
	prof_free(p);
}

/*
 * pprof_count_samples walks fields through an inlined path for one-byte tags and lengths
 * and a general one for the rest: both count the Sample fields (2), and a field that
 * declares more bytes than remain ends the count.
 */
static void test_pprof_count_samples_paths(void **state)
{
	uint8_t m[256];
	size_t n = 0;

	(void)state;
	memset(m, 0, sizeof(m));
	m[n++] = 0x12, m[n++] = 0x00;                  /* sample, one-byte length */
	m[n++] = 0x12, m[n++] = 0x82, m[n++] = 0x01;   /* sample of 130 bytes */
	n += 130;
	m[n++] = 0x92, m[n++] = 0x00, m[n++] = 0x00;   /* sample, tag in two bytes */
	m[n++] = 0x48, m[n++] = 0xac, m[n++] = 0x02;   /* time_nanos 300 */
	m[n++] = 0x19;                                 /* a fixed64 (field 3) */
	n += 8;
	m[n++] = 0x1a, m[n++] = 0x01, m[n++] = 0x12;   /* mapping holding a 0x12 byte */
	m[n++] = 0x12, m[n++] = 0x01, m[n++] = 0x00;   /* sample ending at the end */
	assert_int_equal(pprof_count_samples(m, n), 4);
	assert_int_equal(pprof_count_samples(m, 2), 1);
	/* cut short: the last sample declares a byte that is not there */
	assert_int_equal(pprof_count_samples(m, n - 1), 3);
	/* a one-byte field at the very end: no length, nothing counted for it */
	m[n] = 0x12;
	assert_int_equal(pprof_count_samples(m, n + 1), 4);
}

/* `cat a.gz b.gz`: gzip members are inflated in turn (folded halves join up). */
static void test_gzip_members(void **state)
{
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
	struct buf text = BUF_INIT;
	struct prof *whole, *joined;
	size_t half, n1, n2, cap;
	char *gz;

	(void)state;
	assert_non_null(c);
	tu_read("folded/cpuwork-cpu.folded", &text);
	half = (size_t)(strchr(text.data + text.len / 2, '\n') + 1 - text.data);
	cap = libdeflate_gzip_compress_bound(c, text.len) * 2;
	gz = malloc(cap);
	assert_non_null(gz);
	n1 = libdeflate_gzip_compress(c, text.data, half, gz, cap);
	n2 = libdeflate_gzip_compress(c, text.data + half, text.len - half, gz + n1, cap - n1);
	assert_true(n1 > 0 && n2 > 0);
	whole = tu_decode_bytes(text.data, text.len, "whole");
	joined = tu_decode_bytes(gz, n1 + n2, "joined");
	assert_same_profile(whole, joined);
	/* trailing zero padding (tape blocks) is tolerated, other trailing bytes are not */
	memset(gz + n1 + n2, 0, 512);
	prof_free(joined);
	joined = tu_decode_bytes(gz, n1 + n2 + 512, "padded");
	tu_assert_i64(prof_total(joined, 0), 924);
	memcpy(gz + n1 + n2, "junk", 4);
	tu_decode_fails(gz, n1 + n2 + 4, "junk");
	assert_non_null(strstr(err_last(), "garbage after gzip data"));
	prof_free(whole);
	prof_free(joined);
	free(gz);
	buf_release(&text);
	libdeflate_free_compressor(c);
}

static void test_load_profile(void **state)
{
	struct load_opts o = { NULL, false, 0 };
	struct prof *p = NULL;
	int rc;

	(void)state;
	assert_int_equal(load_profile(tu_path("go/contention-mutex.pb.gz"), &o, &p), 0);
	tu_assert_i64(prof_total(p, 1), 150994768);
	prof_free(p);

	rc = load_profile(tu_path("go/no-such-file.pb.gz"), &o, &p);
	assert_int_equal(rc, ERR_NOTFOUND);
	assert_null(p);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "no-such-file.pb.gz"));

	rc = load_profile(tu_path("go"), &o, &p);
	assert_int_equal(rc, ERR_IO);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "is a directory"));
	assert_false(load_is_url(tu_path("go")));
	assert_true(load_is_url("HTTP://localhost:6060/debug/pprof/heap"));
}

/*
 * A profile with enough samples for two threads (decoded in halves at about BIG_N / 2:
 * every sample weighs the same), broken in one or two samples at a time.  The message
 * must be that of the first bad sample, as if the samples were read one by one: also
 * when the first half's bad sample is found after the second half's, and when the first
 * failure is a sum that overflows.  Location ids 1 … 10 need no table; sparse ones take
 * a hash map, which the two threads share.
 */
#define BIG_N 40000
enum { B_EMPTY, B_SAMPLES, B_COUNT, B_CPU, B_NS, B_KEY, B_VAL, B_F0, BIG_NSTRS = B_F0 + 10 };

struct big {
	Perftools__Profiles__Profile pb;
	Perftools__Profiles__ValueType st[2], *stp[2];
	Perftools__Profiles__Function f[10], *fp[10];
	Perftools__Profiles__Line ln[10], *lnp[10];
	Perftools__Profiles__Location l[10], *lp[10];
	Perftools__Profiles__Label lab[BIG_N], *labp[BIG_N];
	Perftools__Profiles__Sample s[BIG_N], *sp[BIG_N];
	uint64_t locs[BIG_N][2];
	int64_t vals[BIG_N][2];
	ProtobufCBinaryData strs[BIG_NSTRS];
	char names[10][8];
};

static void big_init(struct big *b)
{
	static const char *const fixed[B_F0] = { "", "samples", "count", "cpu", "nanoseconds",
						 "key", "val" };
	static const Perftools__Profiles__ValueType vt = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
	static const Perftools__Profiles__Function fn = PERFTOOLS__PROFILES__FUNCTION__INIT;
	static const Perftools__Profiles__Line li = PERFTOOLS__PROFILES__LINE__INIT;
	static const Perftools__Profiles__Location lc = PERFTOOLS__PROFILES__LOCATION__INIT;
	static const Perftools__Profiles__Label lb = PERFTOOLS__PROFILES__LABEL__INIT;
	static const Perftools__Profiles__Sample sm = PERFTOOLS__PROFILES__SAMPLE__INIT;
	size_t i;

	memset(b, 0, sizeof(*b));
	perftools__profiles__profile__init(&b->pb);
	for (i = 0; i < BIG_NSTRS; i++) {
		const char *str = b->names[i % 10];

		if (i < B_F0)
			str = fixed[i];
		else
			snprintf(b->names[i - B_F0], sizeof(b->names[0]), "f%zu", i - B_F0);
		b->strs[i].data = (uint8_t *)str;
		b->strs[i].len = strlen(str);
	}
	b->pb.string_table = b->strs, b->pb.n_string_table = BIG_NSTRS;
	b->st[0] = vt, b->st[0].type = B_SAMPLES, b->st[0].unit = B_COUNT;
	b->st[1] = vt, b->st[1].type = B_CPU, b->st[1].unit = B_NS;
	b->stp[0] = &b->st[0], b->stp[1] = &b->st[1];
	b->pb.sample_type = b->stp, b->pb.n_sample_type = 2;
	for (i = 0; i < 10; i++) {
		b->f[i] = fn, b->f[i].id = i + 1, b->f[i].name = (int64_t)(B_F0 + i);
		b->fp[i] = &b->f[i];
		b->ln[i] = li, b->ln[i].function_id = i + 1, b->lnp[i] = &b->ln[i];
		b->l[i] = lc, b->l[i].id = i + 1, b->l[i].line = &b->lnp[i], b->l[i].n_line = 1;
		b->lp[i] = &b->l[i];
	}
	b->pb.function = b->fp, b->pb.n_function = 10;
	b->pb.location = b->lp, b->pb.n_location = 10;
	for (i = 0; i < BIG_N; i++) {
		b->locs[i][0] = i % 10 + 1, b->locs[i][1] = i / 10 % 10 + 1;
		b->vals[i][0] = 1, b->vals[i][1] = 1000;
		b->lab[i] = lb, b->lab[i].key = B_KEY, b->lab[i].str = B_VAL;
		b->labp[i] = &b->lab[i];
		b->s[i] = sm;
		b->s[i].location_id = b->locs[i], b->s[i].n_location_id = 2;
		b->s[i].value = b->vals[i], b->s[i].n_value = 2;
		b->s[i].label = &b->labp[i], b->s[i].n_label = 1;
		b->sp[i] = &b->s[i];
	}
	b->pb.sample = b->sp, b->pb.n_sample = BIG_N;
}

/* Decodes the profile: it must fail with msg (NULL: must succeed). */
static void big_check(const struct big *b, const char *msg)
{
	size_t n = perftools__profiles__profile__get_packed_size(&b->pb);
	uint8_t *bytes = malloc(n);
	struct prof *p;

	assert_non_null(bytes);
	assert_int_equal(perftools__profiles__profile__pack(&b->pb, bytes), n);
	if (!msg) {
		p = tu_decode_bytes(bytes, n, "big.pb");
		assert_int_equal(p->nsamples, BIG_N);
		tu_assert_i64(prof_total(p, 1), (int64_t)BIG_N * 1000);
		assert_int_equal(p->nlabels, BIG_N);
		tu_check_invariants(p);
		prof_free(p);
	} else {
		tu_decode_fails(bytes, n, "big.pb");
		if (!strstr(err_last(), msg))
			fail_msg("expected '%s' in: %s", msg, err_last());
	}
	free(bytes);
}

static void test_first_bad_sample_wins(void **state)
{
	struct big *b = malloc(sizeof(*b));
	uint64_t i;

	(void)state;
	assert_non_null(b);
	big_init(b);
	big_check(b, NULL);

	/* early in the second half and late: the early one */
	b->locs[20500][1] = 77;
	b->locs[39000][0] = 88;
	big_check(b, "sample 20500 refers to unknown location 77");
	/* and late in the first half: that one, though the second thread fails sooner */
	b->locs[19500][0] = 99;
	big_check(b, "sample 19500 refers to unknown location 99");
	big_init(b);
	b->s[39999].n_value = 1;
	b->lab[25000].key = BIG_NSTRS;
	big_check(b, "label key refers to string 17, but the string table has 17");
	b->s[1].n_value = 1;
	big_check(b, "sample 1 has 1 values for 2 sample types");

	/* sums: a sample that overflows before the first bad one wins, after it loses */
	big_init(b);
	b->vals[10000][1] = INT64_MAX - 5;
	b->locs[20500][0] = 77;
	big_check(b, "sample 10000: the values of 'cpu' add up past 2^63");
	big_init(b);
	b->vals[30000][1] = INT64_MAX - 5;
	b->locs[20500][0] = 77;
	big_check(b, "sample 20500 refers to unknown location 77");
	b->locs[20500][0] = 1;
	big_check(b, "sample 30000: the values of 'cpu' add up past 2^63");

	/* sparse location ids */
	big_init(b);
	for (i = 0; i < 10; i++)
		b->l[i].id = (i + 1) << 40;
	for (i = 0; i < BIG_N; i++)
		b->locs[i][0] <<= 40, b->locs[i][1] <<= 40;
	big_check(b, NULL);
	b->locs[39000][0] = 88;
	b->locs[20500][1] = 77;
	big_check(b, "sample 20500 refers to unknown location 77");
	free(b);
}

static void test_decode_stats(void **state)
{
	struct buf b = BUF_INIT, plain = BUF_INIT;
	struct decode_stats st = { 0 };
	struct prof *p = NULL;

	(void)state;
	tu_read("go/heapwork-heap.pb.gz", &b);
	tu_read_inflated("go/heapwork-heap.pb.gz", &plain);
	assert_int_equal(decode_profile_stats((const uint8_t *)b.data, b.len, "h", &st, &p), 0);
	assert_int_equal(st.inflated_bytes, plain.len);
	assert_int_equal(plain.len, 324893);
	assert_true(st.inflate_ms >= 0 && st.unpack_ms >= 0 && st.build_ms >= 0);
	prof_free(p);
	buf_release(&b);
	buf_release(&plain);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_every_go_fixture_listed),
		cmocka_unit_test(test_function_id_zero_rejected),
		cmocka_unit_test(test_every_byte_in_a_name),
		cmocka_unit_test(test_unsymbolized),
		cmocka_unit_test(test_folded_matches_pprof),
		cmocka_unit_test(test_folded_decode_direct),
		cmocka_unit_test(test_lines_format),
		cmocka_unit_test(test_zstd),
		cmocka_unit_test(test_zstd_two_frames),
		cmocka_unit_test(test_pprof_count_samples_paths),
		cmocka_unit_test(test_gzip_members),
		cmocka_unit_test(test_load_profile),
		cmocka_unit_test(test_decode_stats),
		cmocka_unit_test(test_first_bad_sample_wins),
	};
	struct CMUnitTest tests[NFIXTURES];
	size_t i;
	int failed;

	tu_init(argc, argv);
	for (i = 0; i < NFIXTURES; i++)
		tests[i] = (struct CMUnitTest)TU_CASE(fixtures[i].path, check_fixture, &fixtures[i]);
	failed = _cmocka_run_group_tests("decode_fixtures", tests, NFIXTURES, NULL, NULL);
	failed += cmocka_run_group_tests_name("decode", fixed, NULL, NULL);
	return failed ? 1 : 0;
}
