/*
 * test_ingest_proto.c — the protocol layer of `smolder serve` (src/ingest/ingest.h),
 * without HTTP: requests are built here the way real clients send them, or replayed from
 * captures of the real @pyroscope/nodejs SDK (shared/testdata/pyroscope-nodejs).
 *
 *   - every shared pprof fixture as the Go SDK sends it (multipart, with its
 *     sample_type_config) and as pyroscope-rs / Alloy send it (push.v1, protobuf and
 *     JSON, gzipped or not): the same top numbers as decoding the file directly, and the
 *     profile types the fixture README lists (`<__name__>:<type>:<unit>:<period type>:
 *     <period unit>` per sample type, what the store derives);
 *   - the Node SDK captures (0.6.4 raw gzipped pprof, 0.4.13 multipart);
 *   - folded, lines and speedscope bodies, labels in `name`, the query and time rules;
 *   - malformed requests of every kind: a 4xx, a one-line reason, and no items.
 */
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "ingest/decode.h"
#include "ingest/encode.h"
#include "ingest/ingest.h"
#include "profile/builder.h"
#include "profile/labels.h"
#include "profile/top.h"
#include "push.pb-c.h"

#define PP   "pyroscope/grafana-pyroscope/pkg/pprof/testdata/"
#define OG   "pyroscope/grafana-pyroscope/pkg/og/convert/pprof/testdata/"
#define PH   "pyroscope/grafana-pyroscope/pkg/phlaredb/testdata/"
#define GP   "pyroscope/google-pprof/internal/"
#define SS   "pyroscope/grafana-pyroscope/pkg/og/convert/speedscope/testdata/"
#define DRV  "pyroscope/derived/"
#define NODE "pyroscope-nodejs/"

#define PROTO "application/proto"
#define BOUNDARY "9d2f9b1c0e5a4f3d8b7a6c5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e"
/* a part whose header line has no colon */
#define NOCOLON "--" BOUNDARY "\r\nno colon here\r\n\r\nx\r\n--" BOUNDARY "--\r\n"

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- requests ---- */

struct req {
	struct ingest_request rq;
	struct ingest_header h[16];
	char hv[16][512];
	struct buf body;
};

/* r must be zeroed before its first use ({ 0 }); a reused one keeps no old body. */
static void req_init(struct req *r, const char *method, const char *path, const char *query)
{
	buf_release(&r->body);
	memset(r, 0, sizeof(*r));
	r->rq.method = method;
	r->rq.path = path;
	r->rq.query = query;
	r->rq.headers = r->h;
	r->rq.now_ns = now_ns();
}

static void req_header(struct req *r, const char *name, const char *value)
{
	size_t i = r->rq.nheaders++;

	assert_true(i < 16);
	snprintf(r->hv[i], sizeof(r->hv[i]), "%s", value);
	r->h[i].name = name;
	r->h[i].value = r->hv[i];
}

static void req_body(struct req *r, const void *data, size_t n)
{
	buf_reset(&r->body);
	buf_add(&r->body, data, n);
	r->rq.body = (const uint8_t *)(r->body.data ? r->body.data : "");
	r->rq.body_len = r->body.len;
}

static void req_release(struct req *r)
{
	buf_release(&r->body);
}

static int run(struct req *r, const struct ingest_limits *lim, struct ingest_result *out)
{
	ingest_result_init(out);
	err_clear();
	return ingest_handle(&r->rq, lim, out);
}

static void assert_ok(int rc, const struct ingest_result *res, size_t nitems)
{
	if (rc != 0 || res->status != 200)
		fail_msg("expected 200, got %d (rc %d): %s", res->status, rc, res->reason);
	assert_string_equal(res->code, "");
	if (res->n != nitems)
		fail_msg("expected %zu items, got %zu", nitems, res->n);
}

/* A refusal: the status, no items, a good one-line reason, err_last() the same. */
static void assert_refused(int rc, const struct ingest_result *res, int status)
{
	if (res->status != status)
		fail_msg("expected %d, got %d (rc %d): '%s'", status, res->status, rc, res->reason);
	assert_true(rc < 0);
	assert_int_equal(res->n, 0);
	assert_null(res->items);
	tu_assert_message(res->reason);
	assert_string_equal(err_last(), res->reason);
	assert_true(res->code && *res->code);
}

static void refuse(struct req *r, const struct ingest_limits *lim, int status, const char *needle)
{
	struct ingest_result res;
	int rc = run(r, lim, &res);

	assert_refused(rc, &res, status);
	if (needle && !strstr(res.reason, needle))
		fail_msg("reason '%s' does not mention '%s'", res.reason, needle);
	ingest_result_release(&res);
}

/* ---- bodies ---- */

/* One part as Go's multipart.Writer.CreateFormFile writes it. */
static void mp_part(struct buf *b, const char *name, const char *filename, const void *data,
		    size_t n)
{
	buf_printf(b, "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"%s\"", name);
	if (filename)
		buf_printf(b, "; filename=\"%s\"", filename);
	buf_puts(b, "\r\nContent-Type: application/octet-stream\r\n\r\n");
	buf_add(b, data, n);
	buf_puts(b, "\r\n");
}

static void mp_end(struct buf *b)
{
	buf_puts(b, "--" BOUNDARY "--\r\n");
}

/* label pairs: name, value, name, value, ..., NULL */
static void push_proto(struct buf *out, const char *const *labels, const struct buf *profs,
		       size_t nprof)
{
	Push__V1__PushRequest req = PUSH__V1__PUSH_REQUEST__INIT;
	Push__V1__RawProfileSeries series = PUSH__V1__RAW_PROFILE_SERIES__INIT, *sp = &series;
	Types__V1__LabelPair lp[40], *lpp[40];
	Push__V1__RawSample rs[8], *rsp[8];
	size_t i, n = 0;

	for (i = 0; labels[i]; i += 2, n++) {
		types__v1__label_pair__init(&lp[n]);
		lp[n].name.data = (uint8_t *)labels[i];
		lp[n].name.len = strlen(labels[i]);
		lp[n].value.data = (uint8_t *)labels[i + 1];
		lp[n].value.len = strlen(labels[i + 1]);
		lpp[n] = &lp[n];
	}
	for (i = 0; i < nprof; i++) {
		push__v1__raw_sample__init(&rs[i]);
		rs[i].raw_profile.data = (uint8_t *)profs[i].data;
		rs[i].raw_profile.len = profs[i].len;
		rs[i].id.data = (uint8_t *)"734FD599-6865-419E-9475-932762D8F469";
		rs[i].id.len = 36;
		rsp[i] = &rs[i];
	}
	series.n_labels = n;
	series.labels = lpp;
	series.n_samples = nprof;
	series.samples = rsp;
	req.n_series = 1;
	req.series = &sp;
	buf_reset(out);
	assert_int_equal(buf_grow(out, push__v1__push_request__get_packed_size(&req)), 0);
	out->len = push__v1__push_request__pack(&req, (uint8_t *)out->data);
}

/* The same request in proto3 JSON (camelCase, bytes base64). */
static void push_json(struct buf *out, const char *const *labels, const struct buf *profs,
		      size_t nprof)
{
	json_t *root = json_object(), *series = json_array(), *s = json_object(),
	       *ls = json_array(), *samples = json_array();
	struct buf b = BUF_INIT;
	size_t i;
	char *text;

	for (i = 0; labels[i]; i += 2)
		json_array_append_new(ls, json_pack("{ssss}", "name", labels[i], "value",
						    labels[i + 1]));
	for (i = 0; i < nprof; i++) {
		buf_reset(&b);
		tu_base64(&b, profs[i].data, profs[i].len);
		json_array_append_new(samples, json_pack("{ssss}", "rawProfile",
							 b.data ? b.data : "", "ID", "a-uuid"));
	}
	json_object_set_new(s, "labels", ls);
	json_object_set_new(s, "samples", samples);
	json_array_append_new(series, s);
	json_object_set_new(root, "series", series);
	text = json_dumps(root, JSON_COMPACT);
	buf_reset(out);
	buf_puts(out, text);
	free(text);
	json_decref(root);
	buf_release(&b);
}

/* ---- what items hold ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts n strings and joins them with spaces into out. */
static void sorted_join(char **v, size_t n, struct buf *out)
{
	size_t i;

	qsort(v, n, sizeof(v[0]), cmp_str);
	for (i = 0; i < n; i++)
		buf_printf(out, "%s%s", i ? " " : "", v[i]);
	buf_puts(out, "");
}

/* The item's profile type IDs, as the store derives them, are exactly `want`. */
static void assert_types(const struct ingest_item *it, const char *const *want, const char *what)
{
	const char *name = labelset_get(&it->series, "__name__");
	struct buf got = BUF_INIT, exp = BUF_INIT, one[16];
	char *ids[16], *w[16];
	size_t n = 0;
	uint32_t t;

	assert_non_null(name);
	assert_true(it->prof->ntypes <= 16);
	for (t = 0; t < it->prof->ntypes; t++) {
		buf_init(&one[t]);
		assert_int_equal(labels_profile_type(it->prof, t, name, &one[t]), 0);
		ids[t] = one[t].data;
	}
	sorted_join(ids, t, &got);
	while (want[n])
		w[n] = (char *)want[n], n++;
	sorted_join(w, n, &exp);
	if (strcmp(got.data, exp.data) != 0)
		fail_msg("%s: profile types\n  got  %s\n  want %s", what, got.data, exp.data);
	while (t-- > 0)
		buf_release(&one[t]);
	buf_release(&got);
	buf_release(&exp);
}

static const char *label(const struct ingest_item *it, const char *name)
{
	const char *v = labelset_get(&it->series, name);

	return v ? v : "(none)";
}

/* Same totals, and (unless names were rewritten) the same top rows, for every type. */
static void assert_same_top(const struct prof *a, const struct prof *b, bool rows, const char *what)
{
	uint32_t t, i;

	assert_int_equal(a->ntypes, b->ntypes);
	for (t = 0; t < a->ntypes; t++) {
		struct top ta, tb;

		assert_int_equal(top_compute(a, t, &ta), 0);
		assert_int_equal(top_compute(b, t, &tb), 0);
		if (ta.total != tb.total)
			fail_msg("%s: type %u total %lld, expected %lld", what, t,
				 (long long)tb.total, (long long)ta.total);
		if (rows) {
			top_sort(&ta, a, TOP_SORT_NAME, false);
			top_sort(&tb, b, TOP_SORT_NAME, false);
			assert_int_equal(ta.n, tb.n);
			for (i = 0; i < ta.n; i++) {
				assert_string_equal(prof_str(a, ta.rows[i].name),
						    prof_str(b, tb.rows[i].name));
				tu_assert_i64(tb.rows[i].flat, ta.rows[i].flat);
				tu_assert_i64(tb.rows[i].cum, ta.rows[i].cum);
			}
		}
		top_release(&ta);
		top_release(&tb);
	}
}

static bool has_sample_label(const struct prof *p, const char *key, const char *value)
{
	size_t i;

	for (i = 0; i < p->nlabels; i++)
		if (strcmp(prof_str(p, p->labels[i].key), key) == 0 &&
		    (!value || strcmp(prof_str(p, p->labels[i].str), value) == 0))
			return true;
	return false;
}

/* ---- the fixtures: README's expected profile types ---- */

#define CPU_NS "process_cpu:cpu:nanoseconds:cpu:nanoseconds"
#define GO_CPU "process_cpu:samples:count:cpu:nanoseconds", CPU_NS
#define DOTNET_TYPES "process_cpu:cpu:nanoseconds::nanoseconds", \
	"process_cpu:alloc_samples:count::nanoseconds", \
	"process_cpu:alloc_size:bytes::nanoseconds", "process_cpu:exception:count::nanoseconds", \
	"process_cpu:lock_count:count::nanoseconds", \
	"process_cpu:lock_time:nanoseconds::nanoseconds"
#define GO_HEAP "memory:alloc_objects:count:space:bytes", "memory:alloc_space:bytes:space:bytes", \
		"memory:inuse_objects:count:space:bytes", "memory:inuse_space:bytes:space:bytes"

struct fixture {
	const char *path, *spy, *stc;
	const char *types[8];
	int push_status;     /* 0: 200 */
	bool renamed;        /* the spy's fixes rename functions: compare totals only */
};

static const struct fixture fixtures[] = {
	{ PP "go.cpu.labels.pprof", "gospy", NULL, { GO_CPU }, 0, false },
	{ OG "cpu.pb.gz", "gospy", NULL, { GO_CPU }, 0, false },
	{ PH "profile_uncompressed", "gospy", NULL, { GO_CPU }, 0, false },
	{ PP "single_group_with_optional_span_id.pb.gz", "gospy", NULL, { GO_CPU }, 0, false },
	{ PP "heap_delta", "gospy", NULL, { GO_HEAP }, 0, false },
	{ OG "req_2.pprof", "gospy", OG "req_2.st.json",
	  { "goroutines:goroutine:count:goroutine:count" }, 0, false },
	{ OG "req_3.pprof", "gospy", OG "req_3.st.json",
	  { "block:contentions:count:contentions:count",
	    "block:delay:nanoseconds:contentions:count" },
	  0, false },
	{ OG "req_4.pprof", "gospy", OG "req_4.st.json",
	  { "mutex:contentions:count:contentions:count",
	    "mutex:delay:nanoseconds:contentions:count" },
	  0, false },
	{ OG "req_5.pprof", "gospy", OG "req_5.st.json", { GO_HEAP }, 0, false },
	{ PP "profile_java", "javaspy", NULL, { CPU_NS }, 0, false },
	{ PP "profile_python", "pyroscope-rs", NULL, { "process_cpu:samples:count::milliseconds" },
	  0, false },
	{ OG "pyspy-1.pb.gz", "scripting", NULL, { "process_cpu:samples:count::milliseconds" }, 0,
	  true },
	{ PP "profile_nodejs", "nodespy", NULL, { "wall:wall:microseconds:wall:microseconds" }, 0,
	  false },
	{ OG "nodejs-wall.pb.gz", "nodespy", NULL,
	  { "wall:samples:count:wall:microseconds", "wall:wall:microseconds:wall:microseconds" }, 0,
	  false },
	{ OG "cpu-js.pb.gz", "nodespy", NULL,
	  { "wall:sample:count:wall:microseconds", "wall:wall:microseconds:wall:microseconds" }, 0,
	  false },
	{ OG "nodejs-heap.pb.gz", "nodespy", NULL,
	  { "memory:inuse_objects:count:inuse_space:bytes",
	    "memory:inuse_space:bytes:inuse_space:bytes" }, 0, false },
	{ OG "heap-js.pprof", "nodespy", NULL,
	  { "memory:objects:count:space:bytes", "memory:space:bytes:space:bytes" }, 0, false },
	{ PP "profile_rust", "pyroscope-rs", NULL, { CPU_NS }, 0, false },
	/*
	 * The README lists the three types upstream's test asserts (cpu, alloc_samples,
	 * alloc_size); the profile has six, each typed by the same rule.
	 */
	{ OG "dotnet-pprof-211.pb.gz", "dotnetspy", OG "dotnet-pprof-211.st.json",
	  { DOTNET_TYPES }, 0, false },
	{ GP "report/testdata/sample.cpu", "gospy", NULL, { GO_CPU }, 0, false },
	{ GP "driver/testdata/cppbench.cpu_no_samples_type", "unknown", NULL,
	  { "process_cpu:cpu:nanoseconds:cpu:nanoseconds" }, 0, false },
};

/* The metric (__name__) a client pushing this profile type sends. */
static void metric_of(const char *type, char *out, size_t n)
{
	size_t k = strcspn(type, ":");

	snprintf(out, n, "%.*s", (int)(k < n ? k : n - 1), type);
}

static void legacy_request(struct req *r, const struct fixture *f, const struct buf *file)
{
	static char query[512];
	struct buf body = BUF_INIT, stc = BUF_INIT;

	snprintf(query, sizeof(query),
		 "name=svc.app%%7Benv%%3Dtest%%2Cprocess.runtime.name%%3Dgo%%7D"
		 "&from=%lld&until=%lld&spyName=%s&sampleRate=100&units=samples"
		 "&aggregationType=sum",
		 (long long)(now_ns() - 10000000000), (long long)now_ns(), f->spy);
	req_init(r, "POST", "/ingest", query);
	req_header(r, "Content-Type", "multipart/form-data; boundary=" BOUNDARY);
	mp_part(&body, "profile", "profile.pprof", file->data, file->len);
	if (f->stc) {
		tu_read(f->stc, &stc);
		mp_part(&body, "sample_type_config", "sample_type_config.json", stc.data, stc.len);
	}
	mp_end(&body);
	req_body(r, body.data, body.len);
	buf_release(&body);
	buf_release(&stc);
}

static void test_fixtures_multipart(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		const struct fixture *f = &fixtures[i];
		struct buf file = BUF_INIT;
		struct ingest_result res;
		struct prof *direct;
		struct req r = { 0 };
		int rc;

		tu_read(f->path, &file);
		legacy_request(&r, f, &file);
		rc = run(&r, NULL, &res);
		assert_ok(rc, &res, 1);
		assert_types(&res.items[0], f->types, f->path);
		assert_string_equal(label(&res.items[0], "service_name"), "svc.app");
		assert_string_equal(label(&res.items[0], "env"), "test");
		assert_string_equal(label(&res.items[0], "process.runtime.name"), "go");
		assert_string_equal(label(&res.items[0], "pyroscope_spy"), f->spy);
		if (strstr(f->path, "go.cpu.labels"))
			assert_true(has_sample_label(res.items[0].prof, "foo", NULL));
		assert_null(labelset_get(&res.items[0].series, "__delta__"));
		assert_true(res.items[0].time_ns > 0);
		tu_check_invariants(res.items[0].prof);
		direct = tu_decode(f->path);
		assert_same_top(direct, res.items[0].prof, !f->renamed, f->path);
		/* pprof sample labels stay with the samples */
		assert_int_equal(res.items[0].prof->nlabels, direct->nlabels);
		prof_free(direct);
		ingest_result_release(&res);
		req_release(&r);
		buf_release(&file);
	}
}

static void push_one(const struct fixture *f, const struct buf *file, bool json, bool gzip_body,
		     bool gzip_profile)
{
	char metric[64];
	const char *labels[] = { "__name__", metric, "service_name", "svc", "otel.scope.name",
				 "com.grafana.pyroscope/rust", "__delta__", "false", NULL };
	struct buf prof = BUF_INIT, body = BUF_INIT, gz = BUF_INIT;
	struct ingest_result res;
	struct req r = { 0 };
	int rc;

	metric_of(f->types[0], metric, sizeof(metric));
	if (gzip_profile && !(file->len >= 2 && (uint8_t)file->data[0] == 0x1f))
		tu_gzip(file->data, file->len, &prof);
	else
		buf_add(&prof, file->data, file->len);
	if (json)
		push_json(&body, labels, &prof, 1);
	else
		push_proto(&body, labels, &prof, 1);
	req_init(&r, "POST", "/push.v1.PusherService/Push", NULL);
	req_header(&r, "Content-Type", json ? "application/json" : "application/proto");
	req_header(&r, "Connect-Protocol-Version", "1");
	if (gzip_body) {
		tu_gzip(body.data, body.len, &gz);
		req_header(&r, "Content-Encoding", "gzip");
		req_body(&r, gz.data, gz.len);
	} else {
		req_body(&r, body.data, body.len);
	}
	rc = run(&r, NULL, &res);
	if (f->push_status) {
		assert_refused(rc, &res, f->push_status);
	} else {
		struct prof *direct = tu_decode(f->path);

		assert_ok(rc, &res, 1);
		assert_string_equal(res.reply_type,
				    json ? "application/json" : "application/proto");
		assert_string_equal(res.reply_body, json ? "{}" : "");
		assert_types(&res.items[0], f->types, f->path);
		assert_string_equal(label(&res.items[0], "service_name"), "svc");
		assert_string_equal(label(&res.items[0], "otel.scope.name"),
				    "com.grafana.pyroscope/rust");
		assert_null(labelset_get(&res.items[0].series, "__delta__"));
		assert_same_top(direct, res.items[0].prof, true, f->path);
		assert_int_equal(res.items[0].prof->nlabels, direct->nlabels);
		prof_free(direct);
	}
	ingest_result_release(&res);
	req_release(&r);
	buf_release(&prof);
	buf_release(&body);
	buf_release(&gz);
}

static void test_fixtures_push(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		struct buf file = BUF_INIT;

		tu_read(fixtures[i].path, &file);
		push_one(&fixtures[i], &file, false, false, false);
		push_one(&fixtures[i], &file, false, true, true);  /* as pyroscope-rs: gzip body */
		push_one(&fixtures[i], &file, true, false, true);
		push_one(&fixtures[i], &file, true, true, false);
		buf_release(&file);
	}
}

/* The negative fixtures: broken .NET and invalid UTF-8. */
static void test_fixtures_negative(void **state)
{
	static const struct fixture dotnet3 = {
		OG "dotnet-pprof-3.pb.gz", "dotnetspy", OG "dotnet-pprof-3.st.json",
		{ DOTNET_TYPES }, 400, false
	};
	static const struct fixture utf8 = { OG "invalid_utf8.pb.gz", "gospy", NULL,
					     { "process_cpu:cpu:nanoseconds:cpu:nanoseconds" }, 400,
					     false };
	struct buf file = BUF_INIT;
	struct ingest_result res;
	struct req r = { 0 };
	int rc;

	(void)state;
	/* /ingest with spyName=dotnetspy fixes the function ids and the '-' in type names */
	tu_read(dotnet3.path, &file);
	legacy_request(&r, &dotnet3, &file);
	rc = run(&r, NULL, &res);
	assert_ok(rc, &res, 1);
	assert_types(&res.items[0], dotnet3.types, dotnet3.path);
	tu_check_invariants(res.items[0].prof);
	ingest_result_release(&res);
	req_release(&r);
	/* push.v1 takes the profile as it is: 400, function id 0 */
	push_one(&dotnet3, &file, false, false, false);
	push_one(&dotnet3, &file, true, false, false);
	/* invalid UTF-8: /ingest 422, push 400 */
	tu_read(utf8.path, &file);
	legacy_request(&r, &utf8, &file);
	rc = run(&r, NULL, &res);
	assert_refused(rc, &res, 422);
	assert_non_null(strstr(res.reason, "UTF-8"));
	ingest_result_release(&res);
	req_release(&r);
	push_one(&utf8, &file, false, false, false);
	buf_release(&file);
}

/* ---- the Node SDK captures ---- */

static void capture_request(struct req *r, const char *json_rel, const char *body_rel,
			    struct buf *query)
{
	struct buf text = BUF_INIT, body = BUF_INIT;
	json_error_t e;
	json_t *root, *headers, *v;
	const char *url, *k, *q;

	tu_read(json_rel, &text);
	root = json_loadb(text.data, text.len, 0, &e);
	assert_non_null(root);
	url = json_string_value(json_object_get(root, "url"));
	assert_non_null(url);
	q = strchr(url, '?');
	buf_reset(query);
	buf_puts(query, q ? q + 1 : "");
	assert_string_equal(json_string_value(json_object_get(root, "method")), "POST");
	req_init(r, "POST", "/ingest", query->data);
	headers = json_object_get(root, "headers");
	json_object_foreach(headers, k, v) {
		static char names[16][64];
		size_t i = r->rq.nheaders;

		snprintf(names[i], sizeof(names[i]), "%s", k);
		req_header(r, names[i], json_string_value(v));
	}
	tu_read(body_rel, &body);
	req_body(r, body.data, body.len);
	json_decref(root);
	buf_release(&text);
	buf_release(&body);
}

static void check_node_item(const struct ingest_item *it, bool wall, bool otel)
{
	static const char *const wall_types[] = { "wall:samples:count:wall:nanoseconds",
						  "wall:wall:nanoseconds:wall:nanoseconds", NULL };
	static const char *const heap_types[] = {
		"memory:inuse_objects:count:inuse_space:bytes",
		"memory:inuse_space:bytes:inuse_space:bytes", NULL
	};

	assert_types(it, wall ? wall_types : heap_types, "node capture");
	assert_string_equal(label(it, "service_name"), "nodecap-app");
	assert_string_equal(label(it, "region"), "eu");
	assert_string_equal(label(it, "pyroscope_spy"), "nodespy");
	if (otel) {
		assert_string_equal(label(it, "otel.scope.name"), "com.grafana.pyroscope/nodejs");
		assert_string_equal(label(it, "process.runtime.name"), "nodejs");
	}
	/* wrapWithLabels: the endpoint stays on the samples */
	if (wall)
		assert_true(has_sample_label(it->prof, "endpoint", "/checkout"));
	tu_check_invariants(it->prof);
}

static void test_node_captures(void **state)
{
	static const char *const reqs[] = { "req-001-wall", "req-002-heap", "req-003-wall",
					    "req-004-heap" };
	struct buf query = BUF_INIT, rel = BUF_INIT, rel2 = BUF_INIT, file = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		struct ingest_result res;
		struct prof *direct;
		struct req r = { 0 };
		int rc;

		buf_reset(&rel);
		buf_printf(&rel, NODE "%s.json", reqs[i]);
		buf_reset(&rel2);
		buf_printf(&rel2, NODE "%s.body", reqs[i]);
		capture_request(&r, rel.data, rel2.data, &query);
		rc = run(&r, NULL, &res);
		assert_ok(rc, &res, 1);
		check_node_item(&res.items[0], strstr(reqs[i], "wall") != NULL, true);
		/* from/until are Unix seconds; the pprof's own time_nanos is kept */
		assert_true(res.items[0].time_ns > (int64_t)1795239000 * 1000000000);
		assert_true(res.items[0].time_ns < (int64_t)1795239200 * 1000000000);
		direct = tu_decode(rel2.data);
		assert_same_top(direct, res.items[0].prof, true, rel2.data);
		prof_free(direct);
		ingest_result_release(&res);
		req_release(&r);
	}
	/* 0.4.13: multipart, one `profile` part with filename "profile" */
	for (i = 0; i < 2; i++) {
		static const char *const legacy[] = { "req-001-heap", "req-002-wall" };
		struct ingest_result res;
		struct prof *direct;
		struct req r = { 0 };
		const char *start, *end;
		int rc;

		buf_reset(&rel);
		buf_printf(&rel, NODE "legacy-0.4.13-multipart/%s.json", legacy[i]);
		buf_reset(&rel2);
		buf_printf(&rel2, NODE "legacy-0.4.13-multipart/%s.body", legacy[i]);
		capture_request(&r, rel.data, rel2.data, &query);
		rc = run(&r, NULL, &res);
		assert_ok(rc, &res, 1);
		check_node_item(&res.items[0], strstr(legacy[i], "wall") != NULL, false);
		/* the part's bytes, cut out by hand: after the blank line, before the close */
		tu_read(rel2.data, &file);
		start = strstr(file.data, "\r\n\r\n") + 4;
		end = file.data + file.len - 2;
		while (end > start && memcmp(end, "\r\n--", 4) != 0)
			end--;
		direct = tu_decode_bytes(start, (size_t)(end - start), legacy[i]);
		assert_same_top(direct, res.items[0].prof, true, legacy[i]);
		prof_free(direct);
		ingest_result_release(&res);
		req_release(&r);
	}
	buf_release(&query);
	buf_release(&rel);
	buf_release(&rel2);
	buf_release(&file);
}

/* ---- folded, lines, speedscope ---- */

static struct ingest_item *legacy_text(struct req *r, struct ingest_result *res, const char *query,
				       const void *body, size_t n)
{
	int rc;

	req_init(r, "POST", "/pyroscope/ingest", query);
	req_header(r, "Content-Type", "text/plain");
	req_body(r, body, n);
	rc = run(r, NULL, res);
	assert_ok(rc, res, 1);
	return &res->items[0];
}

static void test_folded(void **state)
{
	static const char body[] = "main;work;slow 100\r\nmain;work;fast 200\nno-count-here\n"
				   "main;work;slow 5\n;lead;;gap 1\n";
	static const char *const cpu[] = { "process_cpu:cpu:nanoseconds:cpu:nanoseconds", NULL };
	struct ingest_result res;
	struct ingest_item *it;
	struct req r = { 0 };

	(void)state;
	it = legacy_text(&r, &res,
			 "name=myapp.cpu%7Benv%3Dprod%2C+region+%3D+eu+%2C__internal%3Dx%7D"
			 "&from=1700000000&until=1700000010&sampleRate=100&spyName=ebpfspy",
			 body, strlen(body));
	assert_types(it, cpu, "folded");
	assert_string_equal(label(it, "__name__"), "process_cpu");
	assert_string_equal(label(it, "service_name"), "myapp");
	assert_string_equal(label(it, "env"), "prod");
	assert_string_equal(label(it, "region"), "eu");
	assert_string_equal(label(it, "pyroscope_spy"), "ebpfspy");
	assert_null(labelset_get(&it->series, "__internal"));
	tu_assert_i64(it->time_ns, (int64_t)1700000000 * 1000000000);
	tu_assert_i64(it->duration_ns, (int64_t)10 * 1000000000);
	/* 306 samples at 100 Hz: 10 ms each; equal stacks add up */
	tu_assert_i64(prof_total(it->prof, 0), (int64_t)306 * 10000000);
	tu_assert_i64(it->prof->period, 10000000);
	assert_int_equal(it->prof->nsamples, 3);
	assert_true(tu_has_function(it->prof, "slow"));
	assert_true(tu_has_function(it->prof, ""));  /* `;lead;;gap` has empty frames */
	tu_check_invariants(it->prof);
	ingest_result_release(&res);
	req_release(&r);

	/* a line with an empty stack: the value stays on the root (fuzzer find: a profile
	 * whose samples have no locations at all left sample_locs NULL) */
	it = legacy_text(&r, &res, "name=app", " 5\n", 3);
	tu_assert_i64(prof_total(it->prof, 0), 5 * 10000000);
	tu_check_invariants(it->prof);
	ingest_result_release(&res);
	req_release(&r);

	/* service_name in the labels: the app goes to app_name; no sampleRate: samples */
	{
		static const char *const samples[] = { "wall:samples:count::", NULL };

		it = legacy_text(&r, &res, "name=my.app.wall%7Bservice_name%3Dreal%7D&sampleRate=0",
				 body, strlen(body));
		assert_types(it, samples, "folded wall");
		assert_string_equal(label(it, "service_name"), "real");
		assert_string_equal(label(it, "app_name"), "my.app");
		tu_assert_i64(prof_total(it->prof, 0), 306);
		ingest_result_release(&res);
		req_release(&r);
	}
}

/* The derived folded / lines files and the speedscope fixtures, as /ingest bodies. */
static void test_text_fixtures(void **state)
{
	static const struct {
		const char *path, *query, *type, *service;
		int64_t total;
		const char *profile_names[2];  /* speedscope: the profile_name sample labels */
	} cases[] = {
		{ DRV "kafka.app.cpu.folded", "name=kafka.app.cpu&sampleRate=100",
		  CPU_NS, "kafka.app", (int64_t)478 * 10000000, { NULL } },
		{ DRV "kafka.app.alloc_in_new_tlab_bytes.folded",
		  "name=kafka.app.alloc_in_new_tlab_bytes",
		  "memory:alloc_in_new_tlab_bytes:bytes::", "kafka.app", 1598335640, { NULL } },
		{ DRV "kafka.app.itimer.thread5.lines",
		  "name=kafka.app.itimer%7Bthread_name%3Dpool-2-thread-5%7D&format=lines",
		  CPU_NS, "kafka.app", (int64_t)104 * 10000000, { NULL } },
		/* one evented profile, unit none: 14 samples at 100 Hz */
		{ SS "simple.speedscope.json", "name=foo&format=speedscope",
		  "process_cpu:cpu:nanoseconds:cpu:nanoseconds", "foo", (int64_t)14 * 10000000,
		  { "simple.txt" } },
		/* two sampled profiles in seconds: typed as foo.seconds (wall), service foo */
		{ SS "two-sampled.speedscope.json", "name=foo%7Bx%3Dy%7D&format=speedscope",
		  "wall:wall:nanoseconds:cpu:nanoseconds", "foo", -1, { "one", "two" } },
	};
	struct buf file = BUF_INIT;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *types[] = { cases[i].type, NULL };
		struct ingest_result res;
		struct ingest_item *it;
		struct req r = { 0 };

		tu_read(cases[i].path, &file);
		it = legacy_text(&r, &res, cases[i].query, file.data, file.len);
		assert_types(it, types, cases[i].path);
		assert_string_equal(label(it, "service_name"), cases[i].service);
		if (cases[i].total >= 0)
			tu_assert_i64(prof_total(it->prof, 0), cases[i].total);
		for (k = 0; k < 2 && cases[i].profile_names[k]; k++)
			assert_true(has_sample_label(it->prof, "profile_name",
						     cases[i].profile_names[k]));
		tu_check_invariants(it->prof);
		ingest_result_release(&res);
		req_release(&r);
	}
	buf_release(&file);
}

/* ---- parameters ---- */

static void test_name_and_query(void **state)
{
	static const struct {
		const char *query;
		const char *labels;  /* "k=v k=v" of the name's labels that reach the series */
	} ok[] = {
		{ "name=app", "" },
		{ "name=app%7B%7D", "" },
		{ "name=+app+%7B+k+%3D+v+%2C+j%3Dw%7D", "j=w k=v" },
		{ "name=app%7Ba%3Db%7Dc%3Dd%7D", "a=b c=d" },  /* Parse reads on after '}' */
		{ "name=app%7Ba%3Db", "" },                    /* a cut-off value is dropped */
		{ "name=app%7Ba%3Db%2Cc%7D", "a=b" },          /* a key without '=' is dropped */
		{ "name=app%7Ba%3D1%2Ca%3D2%7D", "a=2" },      /* the last of a name wins */
		{ "name=app%7Ba%3Dx%3Dy%7Bz%7D", "a=x=y{z" },  /* values keep '=' and '{' */
		{ "name=app%7Bempty%3D%7D", "" },              /* empty values are no labels */
		{ "x;y=1&name=app&name=other", "" },           /* ';' pairs skipped; first name */
		{ "name=%ZZ&name=app", "" },                   /* a bad escape skips the pair */
		{ "name=app%7B__session_id__%3Dabc%7D", "" },  /* dropped (max_sessions 0) */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct ingest_result res;
		struct ingest_item *it;
		struct buf got = BUF_INIT;
		char q[512];
		struct req r = { 0 };
		size_t k;

		snprintf(q, sizeof(q), "%s&sampleRate=100", ok[i].query);
		it = legacy_text(&r, &res, q, "a;b 1\n", 6);
		for (k = 0; k < it->series.n; k++) {
			const char *n = it->series.v[k].name;

			if (strcmp(n, "__name__") && strcmp(n, "service_name") &&
			    strcmp(n, "pyroscope_spy"))
				buf_printf(&got, "%s%s=%s", got.len ? " " : "", n,
					   it->series.v[k].value);
		}
		if (strcmp(got.data ? got.data : "", ok[i].labels) != 0)
			fail_msg("%s: labels '%s', expected '%s'", ok[i].query,
				 got.data ? got.data : "", ok[i].labels);
		assert_string_equal(label(it, "service_name"), "app");
		buf_release(&got);
		ingest_result_release(&res);
		req_release(&r);
	}
	/* __name__ in the braces replaces the app name; decoded parameters work too */
	{
		struct ingest_param params[] = { { "name", "app{__name__=other.wall,k=v}", 0 } };
		struct ingest_result res;
		struct req r = { 0 };
		struct ingest_item *it;

		req_init(&r, "POST", "/ingest", NULL);
		r.rq.params = params;
		r.rq.nparams = 1;
		req_body(&r, "a;b 7\n", 6);
		assert_ok(run(&r, NULL, &res), &res, 1);
		it = &res.items[0];
		assert_string_equal(label(it, "service_name"), "other");
		assert_string_equal(label(it, "__name__"), "wall");
		assert_string_equal(label(it, "k"), "v");
		tu_assert_i64(prof_total(it->prof, 0), 7 * 10000000);
		ingest_result_release(&res);
		req_release(&r);
	}
}

static void test_times(void **state)
{
	static const struct {
		const char *query;
		int64_t want;  /* ns; INT64_MIN: now; INT64_MAX: now - 1 h */
		bool duration; /* want is the item's duration instead */
	} cases[] = {
		{ "from=1700000000", 1700000000000000000, false },
		{ "from=1700000000123", 1700000000123000000, false },
		{ "from=1700000000123456", 1700000000123456000, false },
		{ "from=1700000000123456789", 1700000000123456789, false },
		{ "from=1_700_000_000", 1700000000000000000, false },
		{ "from=20231114", 1699920000000000000, false },
		{ "from=20231399", 20231399000000000, false },  /* not a date: seconds */
		{ "from=now", INT64_MIN, false },
		{ "from=garbage", INT64_MIN, false },
		{ "from=now-1h", INT64_MAX, false },
		/* as far apart as they go: no duration (an overflow before) */
		{ "from=now-999999999y&until=9223372036854775807", 0, true },
	};
	struct ingest_limits lim;
	struct ingest_result res;
	struct buf file = BUF_INIT;
	struct req r = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ingest_item *it;
		char q[256];
		int64_t want = cases[i].want;

		snprintf(q, sizeof(q), "name=app&%s", cases[i].query);
		it = legacy_text(&r, &res, q, "a 1\n", 4);
		if (want == INT64_MIN || want == INT64_MAX)
			want = r.rq.now_ns - (want == INT64_MAX ? (int64_t)3600 * 1000000000 : 0);
		tu_assert_i64(cases[i].duration ? it->duration_ns : it->time_ns, want);
		ingest_result_release(&res);
	}
	/* a date past 2262 saturates (fuzzer find: it overflowed), and is in the future */
	req_init(&r, "POST", "/ingest", "name=app&from=80020701");
	req_body(&r, "a 1\n", 4);
	refuse(&r, NULL, 400, "ingestion window");
	/* the ingestion window, when asked for: a 2023 pprof is too old */
	ingest_limits_default(&lim);
	lim.reject_older_than_ns = (int64_t)3600 * 1000000000;
	tu_read(PP "heap_delta", &file);
	legacy_request(&r, &fixtures[4], &file);
	refuse(&r, &lim, 422, "ingestion window");
	req_release(&r);
	buf_release(&file);
}

/* ---- accepted with nothing to store ---- */

static void test_nothing_to_store(void **state)
{
	struct ingest_result res;
	struct buf body = BUF_INIT;
	struct req r = { 0 };
	int rc;

	(void)state;
	/* an empty profile part */
	legacy_request(&r, &fixtures[0], &body);
	buf_reset(&body);
	mp_part(&body, "profile", "profile.pprof", "", 0);
	mp_end(&body);
	req_body(&r, body.data, body.len);
	rc = run(&r, NULL, &res);
	assert_ok(rc, &res, 0);
	ingest_result_release(&res);
	/* a profile part without a filename is invisible (Go's form.File) */
	buf_reset(&body);
	mp_part(&body, "profile", NULL, "garbage", 7);
	mp_end(&body);
	req_body(&r, body.data, body.len);
	rc = run(&r, NULL, &res);
	assert_ok(rc, &res, 0);
	ingest_result_release(&res);
	req_release(&r);
	/* folded data with a profile_id label */
	req_init(&r, "POST", "/ingest", "name=app%7Bprofile_id%3D42%7D");
	req_body(&r, "a;b 3\n", 6);
	rc = run(&r, NULL, &res);
	assert_ok(rc, &res, 0);
	ingest_result_release(&res);
	/* all-zero counts */
	req_body(&r, "a;b 0\n", 6);
	r.rq.query = "name=app";
	rc = run(&r, NULL, &res);
	assert_ok(rc, &res, 0);
	ingest_result_release(&res);
	req_release(&r);
	buf_release(&body);
}

static void legacy_multipart(struct req *r, const char *ctype, const void *body, size_t n)
{
	req_init(r, "POST", "/ingest", "name=app&spyName=gospy");
	req_header(r, "Content-Type", ctype);
	req_body(r, body, n);
}

/* Multipart bodies that Go's reader takes, however they are laid out. */
static void test_multipart_forms(void **state)
{
	struct buf file = BUF_INIT, body = BUF_INIT;
	struct ingest_result res;
	struct req r = { 0 };
	size_t i;
	int rc;

	(void)state;
	tu_read(OG "cpu.pb.gz", &file);
	for (i = 0; i < 5; i++) {
		const char *nl = i == 1 ? "\n" : "\r\n";

		buf_reset(&body);
		if (i == 2)  /* a preamble, and an epilogue after the close */
			buf_puts(&body, "preamble\r\n--" BOUNDARY "x not a delimiter\r\n");
		buf_printf(&body, "--" BOUNDARY "%s%s", i == 3 ? " \t" : "", nl);
		if (i == 4)  /* RFC 2231 filename*, a folded header, a lying Content-Length */
			buf_printf(&body, "Content-Disposition: form-data;%s name=profile;"
				   " filename*=UTF-8''pr%%C3%%B6file%s"
				   "Content-Length: 99999999999%s", nl, nl, nl);
		else
			buf_printf(&body, "content-disposition: FORM-DATA; name=\"profile\"; "
				   "filename=\"a\\\\b\"%s", nl);
		buf_printf(&body, "%s", nl);
		buf_add(&body, file.data, file.len);
		buf_printf(&body, "%s--" BOUNDARY "--%s", nl, i == 2 ? "\r\nepilogue\r\n" : "");
		legacy_multipart(&r, "Multipart/Form-Data; charset=utf-8; boundary=\"" BOUNDARY
				 "\";", body.data, body.len);
		rc = run(&r, NULL, &res);
		if (rc)
			fail_msg("layout %zu: %s", i, res.reason);
		assert_ok(rc, &res, 1);
		ingest_result_release(&res);
	}
	/* no body at all (NULL): multipart without a boundary line, folded with nothing */
	legacy_multipart(&r, "multipart/form-data; boundary=" BOUNDARY, "", 0);
	r.rq.body = NULL;
	refuse(&r, NULL, 422, "no boundary line");
	req_init(&r, "POST", "/ingest", "name=app");
	rc = run(&r, NULL, &res);
	assert_ok(rc, &res, 0);
	ingest_result_release(&res);
	req_release(&r);
	buf_release(&file);
	buf_release(&body);
}

/* ---- malformed requests ---- */

/* A Go-SDK style request with a profile part and maybe one more must get 422. */
static void mp_refused(const void *prof, size_t n, const char *other, const char *odata,
		       const char *needle)
{
	struct buf body = BUF_INIT;
	struct req r = { 0 };

	mp_part(&body, "profile", "profile.pprof", prof, n);
	if (other)
		mp_part(&body, other, "f", odata, strlen(odata));
	mp_end(&body);
	legacy_multipart(&r, "multipart/form-data; boundary=" BOUNDARY, body.data, body.len);
	refuse(&r, NULL, 422, needle);
	req_release(&r);
	buf_release(&body);
}

static void test_malformed_multipart(void **state)
{
	static const char *const ct = "multipart/form-data; boundary=" BOUNDARY;
	struct buf file = BUF_INIT, body = BUF_INIT, big = BUF_INIT;
	struct ingest_limits lim;
	struct req r = { 0 };
	size_t cut, i;

	(void)state;
	tu_read(OG "cpu.pb.gz", &file);
	mp_part(&body, "profile", "profile.pprof", file.data, file.len);
	mp_end(&body);
	/* the boundary: missing, not in the body, too long, a bad Content-Type */
	legacy_multipart(&r, "multipart/form-data", body.data, body.len);
	refuse(&r, NULL, 422, "boundary");
	legacy_multipart(&r, "multipart/form-data; boundary=other", body.data, body.len);
	refuse(&r, NULL, 422, "boundary");
	legacy_multipart(&r, "multipart/form-data; boundary=" BOUNDARY "0123456789a", body.data,
			 body.len);
	refuse(&r, NULL, 422, "70");
	legacy_multipart(&r, "multipart/form-data; boundary=\"unterminated", body.data, body.len);
	refuse(&r, NULL, 422, "multipart Content-Type");
	legacy_multipart(&r, "multipart/form-data; boundary=a; boundary=b", body.data, body.len);
	refuse(&r, NULL, 422, "duplicate");
	req_release(&r);
	/* every truncation: never a crash; a cut inside the part is a missing boundary */
	for (cut = 0; cut < body.len - 8; cut += cut < 300 ? 1 : 97) {
		struct ingest_result res;
		int rc;

		legacy_multipart(&r, ct, body.data, cut);
		rc = run(&r, NULL, &res);
		assert_refused(rc, &res, 422);
		ingest_result_release(&res);
		req_release(&r);
	}
	/* headers that never end, a malformed header, a garbage boundary line */
	legacy_multipart(&r, ct, "--" BOUNDARY "\r\nContent-Disposition: form-data", 92);
	refuse(&r, NULL, 422, "headers cut off");
	legacy_multipart(&r, ct, NOCOLON, strlen(NOCOLON));
	refuse(&r, NULL, 422, "malformed header");
	buf_reset(&big);
	mp_part(&big, "profile", "p", "x", 1);
	buf_puts(&big, "--" BOUNDARY " trailing junk\r\n");
	legacy_multipart(&r, ct, big.data, big.len);
	refuse(&r, NULL, 422, "boundary line");
	/* too many parts */
	ingest_limits_default(&lim);
	lim.max_multipart_parts = 10;
	buf_reset(&big);
	for (i = 0; i < 11; i++)
		mp_part(&big, "other", "f", "x", 1);
	mp_end(&big);
	legacy_multipart(&r, ct, big.data, big.len);
	refuse(&r, &lim, 422, "more than 10 parts");
	/* prev_profile (cumulative pairs): unsupported client */
	mp_refused(file.data, file.len, "prev_profile", "x", "prev_profile");
	/* sample_type_config: not JSON, wrong types */
	mp_refused(file.data, file.len, "sample_type_config", "{\"samples\":",
		   "sample_type_config");
	mp_refused(file.data, file.len, "sample_type_config", "{\"samples\":{\"display-name\":5}}",
		   "wrong type");
	/* bad gzip, a lying length, a profile that inflates past the limit */
	mp_refused("\x1f\x8b\x08\x00garbage-garbage-garbage", 27, NULL, NULL, "gzip");
	mp_refused("\x12\xff\xff\xff\x7f\x01", 6, NULL, NULL, "declares");
	{
		char *zeros = calloc(1, (size_t)5 << 20);
		struct buf gz = BUF_INIT;

		tu_gzip(zeros, (size_t)5 << 20, &gz);
		mp_refused(gz.data, gz.len, NULL, NULL, "exceeds limit");
		free(zeros);
		buf_release(&gz);
	}
	req_release(&r);
	buf_release(&file);
	buf_release(&body);
	buf_release(&big);
}

static void test_malformed_legacy(void **state)
{
	struct ingest_limits lim;
	struct buf file = BUF_INIT, body = BUF_INIT;
	struct req r = { 0 };
	char labels[2048];
	size_t i, n = 0;

	(void)state;
	/* method, name */
	req_init(&r, "GET", "/ingest", "name=app");
	refuse(&r, NULL, 405, "POST");
	req_init(&r, "POST", "/ingest", "from=1");
	refuse(&r, NULL, 400, "service name is required");
	req_init(&r, "POST", "/ingest", "name=my+app");
	refuse(&r, NULL, 400, "not allowed");
	req_init(&r, "POST", "/ingest", "name=app%7Bbad-name%3D1%7D");
	refuse(&r, NULL, 400, "label name");
	req_init(&r, "POST", "/ingest", "name=app%7B%3D1%7D");
	refuse(&r, NULL, 400, "label name is required");
	req_init(&r, "POST", "/ingest", "name=app%7Bk%3Da%00b%7D");
	refuse(&r, NULL, 400, "NUL");
	req_init(&r, "POST", "/ingest", "name=app%7B__name__%3D%7D");
	refuse(&r, NULL, 400, "service name is required");
	/* formats that are not served */
	req_init(&r, "POST", "/ingest", "name=app&format=jfr");
	refuse(&r, NULL, 415, "supported: pprof");
	req_init(&r, "POST", "/ingest", "name=app&format=trie");
	refuse(&r, NULL, 415, "'trie'");
	req_init(&r, "POST", "/ingest", "name=app");
	req_header(&r, "Content-Type", "binary/octet-stream+tree");
	refuse(&r, NULL, 415, "'tree'");
	/* folded: a count that is not one; an unknown type suffix */
	req_init(&r, "POST", "/ingest", "name=app.cpu");
	req_body(&r, "a;b 12x\n", 8);
	refuse(&r, NULL, 422, "not a sample count");
	req_init(&r, "POST", "/ingest", "name=my.app");
	req_body(&r, "a;b 1\n", 6);
	refuse(&r, NULL, 400, "unknown profile type 'app'");
	/* speedscope: not speedscope, not JSON */
	req_init(&r, "POST", "/ingest", "name=app&format=speedscope");
	req_body(&r, "{\"profiles\":[]}", 15);
	refuse(&r, NULL, 422, "schema");
	req_body(&r, "{\"$schema\":", 11);
	refuse(&r, NULL, 422, "JSON");
	/* format=pprof with bytes that are no pprof */
	req_init(&r, "POST", "/ingest", "name=app&format=pprof");
	req_body(&r, "\x0a\x05\x08", 3);
	refuse(&r, NULL, 422, "profile");
	/* the body limit, and Content-Encoding gzip inflating past it */
	ingest_limits_default(&lim);
	lim.max_body_bytes = 1000;
	tu_read(DRV "kafka.app.cpu.folded", &file);
	req_init(&r, "POST", "/ingest", "name=kafka.app.cpu");
	req_body(&r, file.data, file.len);
	refuse(&r, &lim, 413, "too large");
	tu_gzip(file.data, file.len, &body);
	assert_true(body.len < 100000);
	lim.max_body_bytes = 100000;
	req_body(&r, body.data, body.len);
	req_header(&r, "Content-Encoding", "gzip");
	refuse(&r, &lim, 413, "inflated");
	req_release(&r);
	/* too many labels: 26 in the name + __name__, __delta__, pyroscope_spy, service_name */
	for (i = 0; i < 27; i++)
		n += (size_t)snprintf(labels + n, sizeof(labels) - n, "%sl%zu%%3Dv",
				      i ? "%2C" : "", i);
	{
		char q[4096];

		snprintf(q, sizeof(q), "name=app%%7B%s%%7D", labels);
		req_init(&r, "POST", "/ingest", q);
		req_body(&r, "a 1\n", 4);
		refuse(&r, NULL, 400, "more than the limit of 30");
	}
	/* samples and sample labels over their limits */
	lim.max_body_bytes = (size_t)256 << 20;
	lim.max_samples = 100;
	tu_read(PP "go.cpu.labels.pprof", &file);
	legacy_request(&r, &fixtures[0], &file);
	refuse(&r, &lim, 422, "samples");
	ingest_limits_default(&lim);
	lim.max_sample_labels = 1;
	refuse(&r, &lim, 422, "labels");
	lim.max_samples = 2;  /* folded: the parse stops at the third distinct stack */
	req_init(&r, "POST", "/ingest", "name=app");
	req_body(&r, "a 1\nb 1\nc 1\n", 12);
	refuse(&r, &lim, 400, "distinct stacks");
	req_release(&r);
	buf_release(&file);
	buf_release(&body);
}

static void push_request(struct req *r, const char *ctype, const void *body, size_t n)
{
	req_init(r, "POST", "/push.v1.PusherService/Push", NULL);
	if (ctype)
		req_header(r, "Content-Type", ctype);
	req_body(r, body, n);
}

/* A push.v1 protobuf of these labels and profiles must be refused with 400. */
static void push_refused(const char *const *labels, const struct buf *profs, size_t n,
			 const char *needle)
{
	struct buf body = BUF_INIT;
	struct req r = { 0 };

	push_proto(&body, labels, profs, n);
	push_request(&r, "application/proto", body.data, body.len);
	refuse(&r, NULL, 400, needle);
	req_release(&r);
	buf_release(&body);
}

/*
 * pprof bytes of a one-frame profile whose samples carry one string label each,
 * name[i] = value[i].
 */
static void labelled_pprof(const char *const *names, const char *const *values, size_t n,
			   struct buf *out)
{
	struct prof_builder *b;
	struct prof *p;
	struct prof_function f = { 0 };
	struct prof_line line = { 0, 0 };
	uint32_t ty, un, loc, k, v;
	int64_t val = 1;
	size_t i;

	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "cpu", 3, &ty), 0);
	assert_int_equal(pb_string(b, "nanoseconds", 11, &un), 0);
	assert_int_equal(pb_sample_type(b, ty, un), 0);
	assert_int_equal(pb_string(b, "main.work", 9, &f.name), 0);
	assert_int_equal(pb_function(b, &f, &line.func), 0);
	assert_int_equal(pb_location(b, PROF_NONE, 0x10, &line, 1, &loc), 0);
	for (i = 0; i < n; i++) {
		struct prof_label l = { 0, 0, 0, 0 };

		assert_int_equal(pb_string(b, names[i], strlen(names[i]), &k), 0);
		assert_int_equal(pb_string(b, values[i], strlen(values[i]), &v), 0);
		l.key = k;
		l.str = v;
		assert_int_equal(pb_sample(b, &loc, 1, &val, &l, 1), 0);
	}
	assert_int_equal(pb_finish(b, &p), 0);
	buf_reset(out);
	assert_int_equal(encode_pprof(p, out), 0);
	prof_free(p);
}

/*
 * Sample labels obey the series-label rules; each name and value is checked once, so a
 * bad value or name after many good samples with the same label must still be refused.
 */
static void test_sample_label_checks(void **state)
{
	const char *good[] = { "__name__", "process_cpu", "service_name", "svc", NULL };
	static char longv[2100], longn[1100];
	const char *names[6], *values[6];
	struct buf prof = BUF_INIT, body = BUF_INIT;
	struct ingest_result res;
	struct req r = { 0 };
	size_t i;

	(void)state;
	memset(longv, 'v', sizeof(longv) - 1);
	memset(longn, 'n', sizeof(longn) - 1);
	for (i = 0; i < 6; i++) {
		names[i] = "endpoint";
		values[i] = i % 2 ? "/home" : "/checkout";
	}
	/* good: accepted, one item */
	labelled_pprof(names, values, 6, &prof);
	push_proto(&body, good, &prof, 1);
	push_request(&r, "application/proto", body.data, body.len);
	assert_ok(run(&r, NULL, &res), &res, 1);
	ingest_result_release(&res);
	/* a new value under a name already checked */
	values[5] = longv;
	labelled_pprof(names, values, 6, &prof);
	push_refused(good, &prof, 1, "the value of sample label 'endpoint' is longer than 2048");
	/* a new name with a value already checked */
	values[5] = "/home";
	names[5] = longn;
	labelled_pprof(names, values, 6, &prof);
	push_refused(good, &prof, 1, "sample label name 'nnnn");
	push_refused(good, &prof, 1, "is longer than 1024 bytes");
	/* an empty name */
	names[5] = "";
	labelled_pprof(names, values, 6, &prof);
	push_refused(good, &prof, 1, "a sample label name is empty");
	req_release(&r);
	buf_release(&prof);
	buf_release(&body);
}

static void test_malformed_push(void **state)
{
	const char *good[] = { "__name__", "process_cpu", "service_name", "svc", NULL };
	struct buf file = BUF_INIT, body = BUF_INIT, gz = BUF_INIT, bad = BUF_INIT;
	struct req r = { 0 };
	size_t cut;

	(void)state;
	tu_read(OG "cpu.pb.gz", &file);
	push_proto(&body, good, &file, 1);
	/* transport: method, Content-Type, Connect-Protocol-Version, Content-Encoding */
	{
		static const struct {
			const char *method, *ctype, *header, *value, *needle;
			int status;
		} t[] = {
			{ "GET", "application/proto", NULL, NULL, "POST", 405 },
			{ "POST", NULL, NULL, NULL, "Content-Type", 415 },
			{ "POST", "text/plain", NULL, NULL, "text/plain", 415 },
			{ "POST", "application/grpc+proto", NULL, NULL, "HTTP/2", 415 },
			{ "POST", "application/json; charset=latin1", NULL, NULL, "Type", 415 },
			{ "POST", PROTO, "Connect-Protocol-Version", "2", "Version", 400 },
			{ "POST", PROTO, "Content-Encoding", "br", "compression", 415 },
			{ "POST", PROTO, "Content-Encoding", "gzip", "not gzip", 400 },
		};
		size_t i;

		for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			push_request(&r, t[i].ctype, body.data, body.len);
			r.rq.method = t[i].method;
			if (t[i].header)
				req_header(&r, t[i].header, t[i].value);
			refuse(&r, NULL, t[i].status, t[i].needle);
		}
	}
	tu_gzip(body.data, body.len, &gz);
	gz.data[gz.len - 5] ^= 0x55;  /* the CRC */
	push_request(&r, "application/proto", gz.data, gz.len);
	req_header(&r, "Content-Encoding", "gzip");
	refuse(&r, NULL, 400, "gzip");
	/* every truncation of the protobuf: refused (or, cut between fields, still valid) */
	for (cut = 0; cut < body.len; cut += cut < 64 ? 1 : 61) {
		struct ingest_result res;
		int rc;

		push_request(&r, "application/proto", body.data, cut);
		rc = run(&r, NULL, &res);
		if (rc)
			assert_refused(rc, &res, 400);
		ingest_result_release(&res);
	}
	/* a gzip raw_profile whose size field claims 4 GiB: refused, nothing that big made */
	{
		struct buf p = BUF_INIT, raw = BUF_INIT;

		tu_read_inflated(OG "cpu.pb.gz", &raw);
		tu_gzip(raw.data, raw.len, &p);
		memcpy(p.data + p.len - 4, "\xf0\xff\xff\xff", 4);
		push_refused(good, &p, 1, "gzip");
		buf_release(&p);
		buf_release(&raw);
	}
	/* a field declaring far more bytes than there are */
	push_request(&r, "application/proto", "\x0a\xff\xff\xff\xff\x0f\x0a", 7);
	refuse(&r, NULL, 400, "push.v1.PushRequest");
	/* no profiles; bad raw profiles */
	push_request(&r, "application/proto", "", 0);
	refuse(&r, NULL, 400, "no profiles received");
	{
		struct buf p = BUF_INIT;

		buf_add(&p, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage-garbage", 25);
		push_refused(good, &p, 1, "series 0, profile 0");
		buf_reset(&p);
		push_refused(good, &p, 1, "empty profile");
		buf_release(&p);
	}
	/* labels: no __name__, a duplicate, an empty name, invalid UTF-8, too long, too many */
	{
		const char *noname[] = { "service_name", "svc", NULL };
		const char *dup[] = { "__name__", "process_cpu", "a", "1", "a", "2", NULL };
		const char *empty[] = { "__name__", "process_cpu", "", "1", NULL };
		const char *utf8[] = { "__name__", "process_cpu", "k\xff", "1", NULL };
		const char *nul[] = { "__name__", "process_cpu", "k", "1", NULL };
		char longv[3000];
		const char *toolong[] = { "__name__", "process_cpu", "k", longv, NULL };
		const char *many[64];
		char names[31][8];
		size_t i;

		push_refused(noname, &file, 1, "__name__");
		push_refused(dup, &file, 1, "duplicate label name 'a'");
		push_refused(empty, &file, 1, "empty");
		push_refused(utf8, &file, 1, "UTF-8");
		push_proto(&bad, nul, &file, 1);
		/* patch the value "1" into a NUL byte */
		{
			char *v = memmem(bad.data, bad.len, "\x12\x01" "1", 3);

			assert_non_null(v);
			v[2] = '\0';
		}
		push_request(&r, "application/proto", bad.data, bad.len);
		refuse(&r, NULL, 400, "NUL");
		memset(longv, 'x', sizeof(longv) - 1);
		longv[sizeof(longv) - 1] = '\0';
		push_refused(toolong, &file, 1, "longer than 2048");
		many[0] = "__name__";
		many[1] = "process_cpu";
		for (i = 0; i < 30; i++) {
			snprintf(names[i], sizeof(names[i]), "l%zu", i);
			many[2 + 2 * i] = names[i];
			many[3 + 2 * i] = "v";
		}
		many[62] = NULL;
		push_refused(many, &file, 1, "more than the limit of 30");
	}
	/* all or nothing: a good profile and a bad one store nothing */
	{
		struct buf two[2] = { BUF_INIT, BUF_INIT };

		buf_add(&two[0], file.data, file.len);
		buf_add(&two[1], "\x0a\x02\x08", 3);
		push_refused(good, two, 2, "profile 1");
		buf_release(&two[0]);
		buf_release(&two[1]);
	}
	/* JSON: not JSON, wrong shapes, duplicate keys, bad base64, too many values */
	{
		static const char *const bodies[][2] = {
			{ "", "empty body" },
			{ "{\"series\":[", "invalid JSON" },
			{ "[]", "JSON object" },
			{ "{\"series\":{}}", "array" },
			{ "{\"series\":[{\"labels\":[{\"name\":5}]}]}", "string" },
			{ "{\"series\":[{\"samples\":[{\"rawProfile\":\"!!!!\"}]}]}", "base64" },
			{ "{\"series\":[{\"samples\":[{\"rawProfile\":\"QUJD=\"}]}]}", "base64" },
			{ "{\"series\":[],\"series\":[]}", "JSON" },
			{ "{\"series\":[{\"samples\":[{\"rawProfile\":\"\","
			  "\"raw_profile\":\"\"}]}]}", "twice" },
			{ "{\"series\":[{\"labels\":[{\"name\":\"__name__\","
			  "\"value\":\"x\\u0000\"}]}]}", "JSON" },
			{ "{}", "no profiles received" },
		};
		size_t i;

		for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
			push_request(&r, "application/json", bodies[i][0], strlen(bodies[i][0]));
			refuse(&r, NULL, 400, bodies[i][1]);
		}
		buf_reset(&bad);
		buf_puts(&bad, "{\"x\":[");
		for (i = 0; i < ((size_t)1 << 18) + 10; i++)
			buf_puts(&bad, "0,");
		buf_puts(&bad, "0]}");
		push_request(&r, "application/json", bad.data, bad.len);
		refuse(&r, NULL, 413, "values");
	}
	/* a body over the limit; a push of tiny messages over the decode budget */
	{
		struct ingest_limits lim;
		size_t i;

		ingest_limits_default(&lim);
		lim.max_body_bytes = 100;
		push_request(&r, "application/proto", body.data, body.len);
		refuse(&r, &lim, 413, "too large");
		buf_reset(&bad);
		buf_puts(&bad, "\x0a\xff\xff\x7f");  /* one series of 2 MiB - 1 ... */
		for (i = 0; i < ((size_t)2 << 20) / 2 - 1; i++)
			buf_add(&bad, "\x12\x00", 2);  /* ... holding empty samples */
		buf_add(&bad, "\x12", 1);
		push_request(&r, "application/proto", bad.data, bad.len);
		refuse(&r, NULL, 413, "MiB to decode");
	}
	req_release(&r);
	buf_release(&file);
	buf_release(&body);
	buf_release(&gz);
	buf_release(&bad);
}

static void test_routes_and_errors(void **state)
{
	struct ingest_result res;
	struct buf out = BUF_INIT;
	struct req r = { 0 };
	json_t *j;

	(void)state;
	assert_int_equal(ingest_route("/ingest"), INGEST_ROUTE_LEGACY);
	assert_int_equal(ingest_route("/pyroscope/ingest?name=x"), INGEST_ROUTE_LEGACY);
	assert_int_equal(ingest_route("/push.v1.PusherService/Push"), INGEST_ROUTE_PUSH);
	assert_int_equal(ingest_route("/ingestx"), INGEST_ROUTE_NONE);
	req_init(&r, "POST", "/nope\x1b[31m", NULL);
	assert_refused(run(&r, NULL, &res), &res, 404);
	assert_string_equal(res.code, "unimplemented");
	/* the error body is JSON with the code and the reason */
	assert_int_equal(ingest_error_body(&res, &out), 0);
	assert_non_null(j = json_loadb(out.data, out.len, 0, NULL));
	assert_string_equal(json_string_value(json_object_get(j, "code")), "unimplemented");
	assert_string_equal(json_string_value(json_object_get(j, "message")), res.reason);
	json_decref(j);
	ingest_result_release(&res);
	/* 422 from /ingest is "unknown", as Pyroscope's HTTPToCode says */
	assert_string_equal(ingest_status_code(422), "unknown");
	assert_string_equal(ingest_status_code(413), "invalid_argument");
	buf_release(&out);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures_multipart),
		cmocka_unit_test(test_fixtures_push),
		cmocka_unit_test(test_fixtures_negative),
		cmocka_unit_test(test_node_captures),
		cmocka_unit_test(test_folded),
		cmocka_unit_test(test_text_fixtures),
		cmocka_unit_test(test_name_and_query),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_nothing_to_store),
		cmocka_unit_test(test_multipart_forms),
		cmocka_unit_test(test_malformed_multipart),
		cmocka_unit_test(test_malformed_legacy),
		cmocka_unit_test(test_malformed_push),
		cmocka_unit_test(test_sample_label_checks),
		cmocka_unit_test(test_routes_and_errors),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("ingest_proto", tests, NULL, NULL) ? 1 : 0;
}
