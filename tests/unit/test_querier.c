/*
 * test_querier.c — the query server (src/store/querier_server.h) over a real SQLite
 * store filled with store_write(): every querier.v1 method in both codecs and the
 * legacy /pyroscope/render endpoints, checked against the backend's own answers on the
 * same store (the same top table flat and cum per function, the same series, timeline
 * and label lists), the flame graph's wire rules read with jansson directly (root
 * "total", delta-encoded x, children inside parents, folding into "other" at max_nodes
 * with totals kept), Pyroscope's tree bytes decoded here, and the Connect errors
 * (status, code, one-line message) of every refusal.
 */
#include "testutil.h"

#include <ftw.h>
#include <math.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "ingest/decode.h"
#include "profile/merge.h"
#include "profile/selector.h"
#include "profile/top.h"
#include "querier.pb-c.h"
#include "store/pbjson.h"
#include "store/querier_server.h"
#include "store/remote.h"
#include "store/store.h"
#include "types.pb-c.h"

#define SEC 1000000000LL
#define T0 (1700000000LL * SEC)
#define MS(ns) ((ns) / 1000000)
#define CPU "process_cpu:cpu:nanoseconds:cpu:nanoseconds"
#define HEAP "memory:inuse_space:bytes:space:bytes"
#define PREFIX "/querier.v1.QuerierService/"

static char tmpdir[256];
static struct store *st;
static struct backend *be;

static int rm_one(const char *p, const struct stat *s, int flag, struct FTW *f)
{
	(void)s, (void)flag, (void)f;
	return remove(p);
}

static struct prof *example(const char *name)
{
	struct buf b = BUF_INIT;
	char path[512];
	struct prof *p;

	snprintf(path, sizeof(path), "%s/examples/%s", SMOLDER_SOURCE_DIR, name);
	if (buf_read_file(&b, path, DECODE_MAX_INPUT))
		fail_msg("%s", err_last());
	p = tu_decode_bytes(b.data, b.len, name);
	buf_release(&b);
	return p;
}

static void put_in(struct store *s, const char *service, const char *file, int64_t t,
		   const char *k, const char *v)
{
	struct labelset ls = LABELSET_INIT;
	struct prof *p = example(file);

	labelset_set(&ls, "service_name", service);
	if (k)
		labelset_set(&ls, k, v);
	if (store_write(s, NULL, &ls, p, t, 10 * SEC))
		fail_msg("store_write: %s", err_last());
	labelset_free(&ls);
	prof_free(p);
}

static void put(const char *service, const char *file, int64_t t, const char *k, const char *v)
{
	put_in(st, service, file, t, k, v);
}

/* cpuwork twice (T0, T0+10s), heapwork once, and a series with a dotted label name */
static int setup(void **state)
{
	char path[300];

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/smolder-test-querier-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(path, sizeof(path), "%s/q.db", tmpdir);
	if (store_open(path, STORE_CREATE, &st) || store_backend_new(st, NULL, &be))
		return -1;
	put("cpuwork", "cpuwork-cpu.pb.gz", T0, "region", "eu");
	put("cpuwork", "cpuwork-cpu-after-scoreRecords-3x.pb.gz", T0 + 10 * SEC, "region", "us");
	put("heapwork", "heapwork-heap.pb.gz", T0 + 5 * SEC, "service.version", "1.2");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	backend_close(be);
	store_close(st);
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* ---- requests ---- */

struct call {
	struct ingest_request rq;
	struct ingest_header h[4];
	struct querier_reply out;
	struct buf body;
};

static int do_call(struct call *c, const char *http, const char *path, const char *ctype,
		   const char *accept, const void *body, size_t len)
{
	size_t nh = 0;

	memset(&c->rq, 0, sizeof(c->rq));
	querier_reply_init(&c->out);
	if (ctype)
		c->h[nh++] = (struct ingest_header){ "Content-Type", ctype };
	if (accept)
		c->h[nh++] = (struct ingest_header){ "Accept", accept };
	c->rq.method = http;
	c->rq.path = path;
	c->rq.query = strchr(path, '?') ? strchr(path, '?') + 1 : NULL;
	c->rq.headers = c->h;
	c->rq.nheaders = nh;
	c->rq.body = body;
	c->rq.body_len = len;
	c->rq.now_ns = T0 + 60 * SEC;
	return querier_handle(be, NULL, &c->rq, &c->out);
}

/* POSTs msg to method in codec; the reply must be 200. */
static void rpc(struct call *c, const char *method, const ProtobufCMessage *msg,
		enum pb_codec codec)
{
	char path[128];
	struct buf body = BUF_INIT;

	snprintf(path, sizeof(path), PREFIX "%s", method);
	assert_int_equal(pb_encode(msg, codec, &body), 0);
	if (do_call(c, "POST", path, codec == PB_JSON ? "application/json" : "application/proto",
		    "*/*;allow-utf8-labelnames=true", body.data, body.len))
		fail_msg("%s: %d %s", method, c->out.status, c->out.reason);
	assert_int_equal(c->out.status, 200);
	assert_string_equal(c->out.content_type, codec == PB_JSON ? "application/json" :
								    "application/proto");
	buf_release(&body);
}

static void release(struct call *c)
{
	querier_reply_release(&c->out);
}

static enum remote_codec rc_of(enum pb_codec c)
{
	return c == PB_JSON ? REMOTE_CODEC_JSON : REMOTE_CODEC_PROTO;
}

static struct prof *merge(const char *ptype, const char *sel, int64_t from, int64_t to)
{
	struct selector *s = NULL;
	struct query q = { .profile_type = ptype, .range = { from, to } };
	struct prof *p = NULL;

	assert_int_equal(selector_parse(sel, &s), 0);
	q.selector = s;
	if (be->ops->merge(be, &q, &p, NULL))
		fail_msg("merge: %s", err_last());
	selector_free(s);
	return p;
}

/* The same flat and cum per function name, and the same total. */
static void assert_same_top(const struct prof *a, uint32_t ta, const struct prof *b, uint32_t tb)
{
	struct top x, y;
	uint32_t i;

	assert_int_equal(top_compute(a, ta, &x), 0);
	assert_int_equal(top_compute(b, tb, &y), 0);
	tu_assert_i64(y.total, x.total);
	assert_true(x.total > 0);
	for (i = 0; i < x.n; i++) {
		const struct top_row *r = tu_top_row(&y, b, prof_str(a, x.rows[i].name));

		if (!r)
			fail_msg("%s missing", prof_str(a, x.rows[i].name));
		tu_assert_i64(r->flat, x.rows[i].flat);
		tu_assert_i64(r->cum, x.rows[i].cum);
	}
	assert_int_equal(x.n, y.n);
	top_release(&x);
	top_release(&y);
}

static const struct fb_prof_info cpu_info = { "cpu", "nanoseconds", "cpu", "nanoseconds",
						0, 0, 0 };

/* ---- flame graph wire rules, read with jansson ---- */

struct jnode {
	int64_t x, total, self, name;
};

/* Checks a JSON FlameGraph; returns the number of nodes and the number named "other". */
static size_t check_json_flamegraph(json_t *fg, int64_t want_total, size_t *others)
{
	json_t *names = json_object_get(fg, "names"), *levels = json_object_get(fg, "levels");
	struct jnode *prev = NULL, *cur = NULL;
	size_t np = 0, nc, d, i, j, nodes = 0, other = SIZE_MAX;
	int64_t sum_self = 0;

	*others = 0;
	assert_true(json_is_array(names) && json_is_array(levels));
	assert_string_equal(json_string_value(json_array_get(names, 0)), "total");
	for (i = 0; i < json_array_size(names); i++)
		if (strcmp(json_string_value(json_array_get(names, i)), "other") == 0)
			other = i;
	for (d = 0; d < json_array_size(levels); d++) {
		json_t *v = json_object_get(json_array_get(levels, d), "values");
		int64_t x = 0;

		assert_true(json_array_size(v) % 4 == 0);
		nc = json_array_size(v) / 4;
		cur = calloc(nc + 1, sizeof(*cur));
		for (i = 0; i < nc; i++) {
			int64_t g[4];

			for (j = 0; j < 4; j++) {
				json_t *e = json_array_get(v, i * 4 + j);

				/* protojson: int64 as strings */
				assert_true(json_is_string(e));
				g[j] = strtoll(json_string_value(e), NULL, 10);
			}
			cur[i].x = x + g[0];
			x = cur[i].x + g[1];
			cur[i].total = g[1];
			cur[i].self = g[2];
			cur[i].name = g[3];
			assert_true(g[2] <= g[1] && g[2] >= 0);
			if (d == 0) {
				tu_assert_i64(g[0], 0);
				tu_assert_i64(g[1], want_total);
				tu_assert_i64(g[3], 0);
			} else {
				/* inside one node of the level above */
				size_t k;

				for (k = 0; k < np; k++)
					if (prev[k].x <= cur[i].x &&
					    cur[i].x + cur[i].total <= prev[k].x + prev[k].total)
						break;
				assert_true(k < np);
				sum_self += g[2];
			}
			if ((size_t)g[3] == other)
				(*others)++;
			nodes++;
		}
		free(prev);
		prev = cur;
		np = nc;
	}
	free(prev);
	tu_assert_i64(sum_self, want_total);
	return nodes;
}

/* ---- tests ---- */

static void test_profile_types(void **state)
{
	enum pb_codec codecs[] = { PB_PROTO, PB_JSON };
	size_t k, i;

	(void)state;
	for (k = 0; k < 2; k++) {
		Querier__V1__ProfileTypesRequest req = QUERIER__V1__PROFILE_TYPES_REQUEST__INIT;
		struct profile_type_list want = { 0 }, got = { 0 };
		struct time_range all = { 0, 0 };
		struct call c;

		rpc(&c, "ProfileTypes", &req.base, codecs[k]);
		assert_int_equal(remote_decode_profile_types(rc_of(codecs[k]),
							     (uint8_t *)c.out.body.data,
							     c.out.body.len, &got),
				 0);
		assert_int_equal(be->ops->profile_types(be, all, &want), 0);
		assert_int_equal(got.n, want.n);
		assert_true(got.n >= 4);
		for (i = 0; i < got.n; i++) {
			assert_string_equal(got.v[i].id, want.v[i].id);
			assert_string_equal(got.v[i].sample_type, want.v[i].sample_type);
		}
		if (codecs[k] == PB_JSON) /* protojson names, read with jansson */
			assert_non_null(strstr(c.out.body.data, "\"sampleType\":\"cpu\""));
		profile_type_list_release(&want);
		profile_type_list_release(&got);
		release(&c);
	}
}

static void test_labels(void **state)
{
	static const char json_names[] = "{\"matchers\":[\"{service_name=\\\"cpuwork\\\"}\"]}";
	static const char json_values[] =
		"{\"name\":\"region\",\"start\":\"1\",\"end\":1800000000000}";
	struct strvec got = STRVEC_INIT;
	struct call c;

	(void)state;
	/* handwritten Connect JSON, as the spec's examples */
	assert_int_equal(do_call(&c, "POST", PREFIX "LabelNames", "application/json",
				 "*/*;allow-utf8-labelnames=true", json_names, strlen(json_names)),
			 0);
	assert_int_equal(remote_decode_names(REMOTE_CODEC_JSON, (uint8_t *)c.out.body.data,
					     c.out.body.len, &got), 0);
	assert_true(strvec_contains(&got, "region") && strvec_contains(&got, "service_name") &&
		    strvec_contains(&got, "__profile_type__"));
	assert_false(strvec_contains(&got, "service.version")); /* heapwork's only */
	strvec_release(&got);
	release(&c);
	assert_int_equal(do_call(&c, "POST", PREFIX "LabelValues",
				 "application/json; charset=utf-8", NULL, json_values,
				 strlen(json_values)),
			 0);
	assert_string_equal(c.out.body.data, "{\"names\":[\"eu\",\"us\"]}");
	release(&c);

	/* the dotted name: only for clients that say they take it */
	{
		Types__V1__LabelNamesRequest req = TYPES__V1__LABEL_NAMES_REQUEST__INIT;
		struct buf body = BUF_INIT;

		pb_encode(&req.base, PB_PROTO, &body);
		assert_int_equal(do_call(&c, "POST", PREFIX "LabelNames", "application/proto", NULL,
					 body.data, body.len), 0);
		remote_decode_names(REMOTE_CODEC_PROTO, (uint8_t *)c.out.body.data, c.out.body.len,
				    &got);
		assert_false(strvec_contains(&got, "service.version"));
		strvec_release(&got);
		release(&c);
		rpc(&c, "LabelNames", &req.base, PB_PROTO);
		remote_decode_names(REMOTE_CODEC_PROTO, (uint8_t *)c.out.body.data, c.out.body.len,
				    &got);
		assert_true(strvec_contains(&got, "service.version"));
		strvec_release(&got);
		release(&c);
		buf_release(&body);
	}
}

/*
 * A backend over the store's that keeps the label names its series call was given: the
 * server must hand label_names to the backend (which answers the few distinct sets), not
 * read every series and cut them itself.
 */
struct names_be {
	struct backend base;
	struct backend *inner;
	size_t calls, nnames;
	char first[64];
};

static int names_series(struct backend *b, const struct selector *sel, const char *const *names,
			size_t nnames, struct time_range r, struct labelset_list *out)
{
	struct names_be *w = (struct names_be *)b;

	w->calls++;
	w->nnames = nnames;
	snprintf(w->first, sizeof(w->first), "%s", nnames ? names[0] : "");
	return w->inner->ops->series(w->inner, sel, names, nnames, r, out);
}

static const struct backend_ops names_ops = { .series = names_series };

static void test_series(void **state)
{
	char *matchers[] = { (char *)"{service_name=\"cpuwork\"}" };
	char *names[] = { (char *)"service_name", (char *)"region" };
	enum pb_codec codecs[] = { PB_PROTO, PB_JSON };
	size_t k, i;

	(void)state;
	for (k = 0; k < 2; k++) {
		Querier__V1__SeriesRequest req = QUERIER__V1__SERIES_REQUEST__INIT;
		struct labelset_list got = { 0 };
		struct call c;

		req.n_matchers = 1;
		req.matchers = matchers;
		rpc(&c, "Series", &req.base, codecs[k]);
		assert_int_equal(remote_decode_series(rc_of(codecs[k]), (uint8_t *)c.out.body.data,
						      c.out.body.len, &got), 0);
		/* two profile types × two regions */
		assert_int_equal(got.n, 4);
		for (i = 0; i < got.n; i++) {
			assert_string_equal(labelset_get(&got.v[i], "service_name"), "cpuwork");
			assert_non_null(labelset_get(&got.v[i], "__profile_type__"));
		}
		labelset_list_release(&got);
		release(&c);
		/* only some names: the sets collapse to the distinct ones */
		req.n_label_names = 2;
		req.label_names = names;
		rpc(&c, "Series", &req.base, codecs[k]);
		assert_int_equal(remote_decode_series(rc_of(codecs[k]), (uint8_t *)c.out.body.data,
						      c.out.body.len, &got), 0);
		assert_int_equal(got.n, 2);
		assert_int_equal(got.v[0].n, 2);
		assert_string_equal(labelset_get(&got.v[0], "region"), "eu");
		assert_string_equal(labelset_get(&got.v[1], "region"), "us");
		labelset_list_release(&got);
		release(&c);
		/* ... and the backend was asked for those names */
		{
			struct names_be w = { { &names_ops, NULL, 0 }, be, 0, 0, "" };
			struct backend *store_be = be;

			be = &w.base;
			rpc(&c, "Series", &req.base, codecs[k]);
			be = store_be;
			assert_int_equal(w.calls, 1);
			assert_int_equal(w.nnames, 2);
			assert_string_equal(w.first, "service_name");
			assert_int_equal(remote_decode_series(rc_of(codecs[k]),
							      (uint8_t *)c.out.body.data,
							      c.out.body.len, &got), 0);
			assert_int_equal(got.n, 2);
			labelset_list_release(&got);
			release(&c);
		}
	}
}

static void select_req(Querier__V1__SelectMergeStacktracesRequest *r, const char *ptype,
		       const char *sel, int64_t from, int64_t to)
{
	querier__v1__select_merge_stacktraces_request__init(r);
	r->profile_typeid = (char *)ptype;
	r->label_selector = (char *)sel;
	r->has_start = r->has_end = 1;
	r->start = MS(from);
	r->end = MS(to);
}

static void test_flamegraph(void **state)
{
	enum pb_codec codecs[] = { PB_PROTO, PB_JSON };
	struct prof *want = merge(CPU, "{service_name=\"cpuwork\"}", T0, T0 + 60 * SEC);
	size_t k;

	(void)state;
	for (k = 0; k < 2; k++) {
		Querier__V1__SelectMergeStacktracesRequest req;
		struct prof *got = NULL;
		bool trunc = true;
		struct call c;

		select_req(&req, CPU, "{service_name=\"cpuwork\"}", T0, T0 + 60 * SEC);
		rpc(&c, "SelectMergeStacktraces", &req.base, codecs[k]);
		assert_int_equal(remote_decode_flamegraph(rc_of(codecs[k]),
							  (uint8_t *)c.out.body.data,
							  c.out.body.len, &cpu_info, &got, &trunc),
				 0);
		assert_false(trunc);
		assert_same_top(want, 0, got, 0);
		prof_free(got);
		release(&c);
		/* a sixth ":delta" field is tolerated, as Pyroscope does */
		select_req(&req, CPU ":delta", "{service_name=\"cpuwork\"}", T0, T0 + 60 * SEC);
		rpc(&c, "SelectMergeStacktraces", &req.base, codecs[k]);
		assert_int_equal(remote_decode_flamegraph(rc_of(codecs[k]),
							  (uint8_t *)c.out.body.data,
							  c.out.body.len, &cpu_info, &got, &trunc),
				 0);
		assert_same_top(want, 0, got, 0);
		if (codecs[k] == PB_JSON) {
			json_error_t e;
			json_t *root = json_loads(c.out.body.data, 0, &e);
			size_t others;

			check_json_flamegraph(json_object_get(root, "flamegraph"),
					      prof_total(want, 0), &others);
			assert_int_equal(others, 0);
			json_decref(root);
		}
		prof_free(got);
		release(&c);
	}
	prof_free(want);
}

/*
 * A Select* range holds both ends, as upstream reads it: [start, end] keeps the profile
 * stamped at end (it was left out: [start, end)), and [start, end - 1 ms] is the range
 * the remote backend sends for [from, to).
 */
static void test_range_ends(void **state)
{
	struct prof *one = merge(CPU, "{}", T0, T0 + 10 * SEC);
	struct prof *two = merge(CPU, "{}", T0, T0 + 10 * SEC + 1);
	size_t k;

	(void)state;
	assert_true(prof_total(two, 0) > prof_total(one, 0));
	for (k = 0; k < 2; k++) {
		Querier__V1__SelectMergeStacktracesRequest req;
		struct prof *got = NULL;
		struct call c;

		select_req(&req, CPU, "{}", T0, T0 + 10 * SEC);
		req.end -= (int64_t)k;
		rpc(&c, "SelectMergeStacktraces", &req.base, PB_PROTO);
		assert_int_equal(remote_decode_flamegraph(REMOTE_CODEC_PROTO,
							  (uint8_t *)c.out.body.data,
							  c.out.body.len, &cpu_info, &got, NULL),
				 0);
		tu_assert_i64(prof_total(got, 0), prof_total(k ? one : two, 0));
		prof_free(got);
		release(&c);
	}
	prof_free(one);
	prof_free(two);
}

static void test_flamegraph_max_nodes(void **state)
{
	struct prof *want = merge(CPU, "{}", T0, T0 + 60 * SEC);
	struct tree *t;
	int64_t limits[] = { 1, 5, 20, 100 };
	size_t k;

	(void)state;
	assert_int_equal(tree_build(want, &t), 0);
	for (k = 0; k < 4; k++) {
		Querier__V1__SelectMergeStacktracesRequest req;
		json_t *root;
		json_error_t e;
		size_t nodes, others;
		struct prof *got = NULL;
		bool trunc = false;
		struct call c;

		select_req(&req, CPU, "{}", T0, T0 + 60 * SEC);
		req.has_max_nodes = 1;
		req.max_nodes = limits[k];
		rpc(&c, "SelectMergeStacktraces", &req.base, PB_JSON);
		root = json_loads(c.out.body.data, 0, &e);
		nodes = check_json_flamegraph(json_object_get(root, "flamegraph"),
					      prof_total(want, 0), &others);
		/* about max_nodes real nodes (ties may add some) plus the root and the folds */
		assert_true(t->n > (uint32_t)limits[k] + 1);
		assert_true(others > 0);
		assert_true(nodes - others - 1 >= (size_t)limits[k]);
		assert_true(nodes - others - 1 <= (size_t)limits[k] * 3 + 2);
		json_decref(root);
		assert_int_equal(remote_decode_flamegraph(REMOTE_CODEC_JSON,
							  (uint8_t *)c.out.body.data,
							  c.out.body.len, &cpu_info, &got, &trunc),
				 0);
		assert_true(trunc);
		tu_assert_i64(prof_total(got, 0), prof_total(want, 0));
		prof_free(got);
		release(&c);
	}
	tree_free(t);
	prof_free(want);
}

/* Pyroscope's tree bytes, decoded here: total and node count. */
static const uint8_t *uvarint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	int s = 0;

	*v = 0;
	while (p < end) {
		*v |= (uint64_t)(*p & 0x7f) << s;
		s += 7;
		if (!(*p++ & 0x80))
			return p;
	}
	fail_msg("truncated varint");
	return end;
}

static const uint8_t *tree_node(const uint8_t *p, const uint8_t *end, int64_t *sum, size_t *n,
				int depth)
{
	uint64_t len, self, kids, i;

	p = uvarint(p, end, &len);
	assert_true(len <= (uint64_t)(end - p));
	if (depth == 0)
		tu_assert_i64(len, 0); /* the virtual root */
	p = uvarint(p + len, end, &self);
	p = uvarint(p, end, &kids);
	*sum += (int64_t)self;
	(*n)++;
	for (i = 0; i < kids; i++)
		p = tree_node(p, end, sum, n, depth + 1);
	return p;
}

static void test_tree_and_pprof(void **state)
{
	struct prof *want = merge(CPU, "{region=\"eu\"}", T0, T0 + 60 * SEC), *got = NULL;
	Querier__V1__SelectMergeStacktracesRequest req;
	Querier__V1__SelectMergeProfileRequest mp = QUERIER__V1__SELECT_MERGE_PROFILE_REQUEST__INIT;
	const uint8_t *p, *end;
	struct pb_budget bu;
	ProtobufCMessage *m;
	int64_t sum = 0;
	size_t n = 0;
	struct call c;

	(void)state;
	select_req(&req, CPU, "{region=\"eu\"}", T0, T0 + 60 * SEC);
	req.has_format = 1;
	req.format = QUERIER__V1__PROFILE_FORMAT__PROFILE_FORMAT_TREE;
	rpc(&c, "SelectMergeStacktraces", &req.base, PB_PROTO);
	pb_budget_init(&bu, 1 << 28);
	assert_int_equal(pb_decode(&querier__v1__select_merge_stacktraces_response__descriptor,
				   PB_PROTO, (uint8_t *)c.out.body.data, c.out.body.len, &bu, &m),
			 0);
	p = ((Querier__V1__SelectMergeStacktracesResponse *)m)->tree.data;
	end = p + ((Querier__V1__SelectMergeStacktracesResponse *)m)->tree.len;
	assert_true(tree_node(p, end, &sum, &n, 0) == end);
	tu_assert_i64(sum, prof_total(want, 0));
	assert_true(n > 10);
	pb_budget_release(&bu);
	release(&c);

	/* SelectMergeProfile: the full pprof, both codecs */
	mp.profile_typeid = (char *)CPU;
	mp.label_selector = (char *)"{region=\"eu\"}";
	mp.has_start = mp.has_end = 1;
	mp.start = MS(T0);
	mp.end = MS(T0 + 60 * SEC);
	rpc(&c, "SelectMergeProfile", &mp.base, PB_PROTO);
	assert_int_equal(remote_decode_pprof(REMOTE_CODEC_PROTO, (uint8_t *)c.out.body.data,
					     c.out.body.len, &got), 0);
	assert_same_top(want, 0, got, 0);
	assert_true(got->nfunctions > 0 && got->functions[0].file != 0); /* files kept */
	/* as upstream's querier: stamped with the request's end, lasting the whole range */
	tu_assert_i64(got->time_nanos, T0 + 60 * SEC);
	tu_assert_i64(got->duration_nanos, 60 * SEC);
	prof_free(got);
	release(&c);
	mp.start = MS(T0) - 1500;
	rpc(&c, "SelectMergeProfile", &mp.base, PB_JSON);
	assert_non_null(strstr(c.out.body.data, "\"stringTable\":[\"\","));
	assert_int_equal(remote_decode_pprof(REMOTE_CODEC_JSON, (uint8_t *)c.out.body.data,
					     c.out.body.len, &got), 0);
	assert_same_top(want, 0, got, 0);
	tu_assert_i64(got->time_nanos, T0 + 60 * SEC);
	tu_assert_i64(got->duration_nanos, 61500000000LL);
	prof_free(got);
	release(&c);
	prof_free(want);
}

/* Whether p has a frame "other" (a cut). */
static bool has_other(const struct prof *p)
{
	uint32_t i;

	for (i = 0; i < p->nfunctions; i++)
		if (strcmp(prof_str(p, p->functions[i].name), "other") == 0)
			return true;
	return false;
}

static int cmp_i64_desc(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x < y) - (x > y);
}

/* The node of t at the path of node i of u (names from the root), or PROF_NONE. */
static uint32_t same_node(const struct tree *u, uint32_t i, const struct tree *t)
{
	uint32_t k, at;

	if (i == 0)
		return 0;
	if ((at = same_node(u, u->parent[i], t)) == PROF_NONE)
		return PROF_NONE;
	for (k = tree_first_kid(t, at); k != PROF_NONE; k = tree_next_kid(t, at, k))
		if (strcmp(tree_name(t, k), tree_name(u, i)) == 0)
			return k;
	return PROF_NONE;
}

/*
 * got is want cut at n nodes: every node of want whose total is at least its n-th
 * largest is in got with the same total; the others went (but for the inlined frames
 * of a location that holds a kept one), so got has fewer nodes.
 */
static void assert_cut(const struct prof *want, const struct prof *got, uint32_t n)
{
	struct tree *u = NULL, *t = NULL;
	int64_t *v, min;
	uint32_t i, at, kept = 0;

	assert_int_equal(tree_build(want, &u), 0);
	assert_int_equal(tree_build(got, &t), 0);
	assert_true(u->n > 2 * n);
	v = calloc(u->n, sizeof(*v));
	for (i = 1; i < u->n; i++)
		v[i - 1] = tree_total(u, i, 0);
	qsort(v, u->n - 1, sizeof(*v), cmp_i64_desc);
	min = v[n - 1];
	for (i = 1; i < u->n; i++) {
		if (tree_total(u, i, 0) < min)
			continue;
		kept++;
		at = same_node(u, i, t);
		assert_int_not_equal(at, PROF_NONE);
		tu_assert_i64(tree_total(t, at, 0), tree_total(u, i, 0));
	}
	assert_true(kept >= n && t->n < u->n / 2);
	free(v);
	tree_free(t);
	tree_free(u);
}

/*
 * max_nodes on a pprof answer: taken at any size (upstream checks it only when a tenant
 * setting says so) and applied as upstream's symdb applies it, the call tree cut to its
 * max_nodes heaviest nodes, what hangs under them one "other" frame, the total kept.
 */
static void test_pprof_max_nodes(void **state)
{
	struct prof *want = merge(CPU, "{}", T0, T0 + 60 * SEC), *got = NULL;
	Querier__V1__SelectMergeProfileRequest mp = QUERIER__V1__SELECT_MERGE_PROFILE_REQUEST__INIT;
	Querier__V1__SelectMergeStacktracesRequest req;
	Querier__V1__SelectMergeStacktracesResponse *r;
	struct pb_budget bu;
	ProtobufCMessage *m;
	struct call c;

	(void)state;
	assert_false(has_other(want));
	mp.profile_typeid = (char *)CPU;
	mp.label_selector = (char *)"{}";
	mp.has_start = mp.has_end = mp.has_max_nodes = 1;
	mp.start = MS(T0);
	mp.end = MS(T0 + 60 * SEC);
	mp.max_nodes = 2000000;
	rpc(&c, "SelectMergeProfile", &mp.base, PB_PROTO);
	assert_int_equal(remote_decode_pprof(REMOTE_CODEC_PROTO, (uint8_t *)c.out.body.data,
					     c.out.body.len, &got), 0);
	assert_same_top(want, 0, got, 0);
	prof_free(got);
	release(&c);
	mp.max_nodes = 20;
	rpc(&c, "SelectMergeProfile", &mp.base, PB_PROTO);
	assert_int_equal(remote_decode_pprof(REMOTE_CODEC_PROTO, (uint8_t *)c.out.body.data,
					     c.out.body.len, &got), 0);
	tu_assert_i64(prof_total(got, 0), prof_total(want, 0));
	assert_cut(want, got, 20);
	assert_true(has_other(got));
	assert_true(got->nsamples < want->nsamples);  /* stacks cut alike are one sample */
	prof_free(got);
	release(&c);

	/* SelectMergeStacktraces' pprof the same */
	select_req(&req, CPU, "{}", T0, T0 + 60 * SEC);
	req.has_format = req.has_max_nodes = 1;
	req.format = QUERIER__V1__PROFILE_FORMAT__PROFILE_FORMAT_PPROF;
	req.max_nodes = 20;
	rpc(&c, "SelectMergeStacktraces", &req.base, PB_PROTO);
	pb_budget_init(&bu, 1 << 28);
	assert_int_equal(pb_decode(&querier__v1__select_merge_stacktraces_response__descriptor,
				   PB_PROTO, (uint8_t *)c.out.body.data, c.out.body.len, &bu, &m),
			 0);
	r = (Querier__V1__SelectMergeStacktracesResponse *)m;
	assert_non_null(r->pprof);
	{
		struct buf raw = BUF_INIT;

		pb_encode(&r->pprof->profile->base, PB_PROTO, &raw);
		assert_int_equal(remote_decode_pprof(REMOTE_CODEC_PROTO, (uint8_t *)raw.data,
						     raw.len, &got), 0);
		buf_release(&raw);
	}
	tu_assert_i64(prof_total(got, 0), prof_total(want, 0));
	assert_cut(want, got, 20);
	assert_true(has_other(got));
	prof_free(got);
	pb_budget_release(&bu);
	release(&c);
	req.max_nodes = 2000000;
	rpc(&c, "SelectMergeStacktraces", &req.base, PB_PROTO);
	release(&c);
	prof_free(want);
}

static void test_call_site(void **state)
{
	struct prof *all = merge(CPU, "{}", T0, T0 + 60 * SEC), *got = NULL;
	Types__V1__StackTraceSelector sts = TYPES__V1__STACK_TRACE_SELECTOR__INIT;
	Types__V1__Location loc = TYPES__V1__LOCATION__INIT, *locs[1] = { &loc };
	Querier__V1__SelectMergeStacktracesRequest req;
	struct tree *t;
	uint32_t kid;
	struct call c;

	(void)state;
	/* the first root frame's subtree */
	assert_int_equal(tree_build(all, &t), 0);
	kid = tree_first_kid(t, 0);
	loc.name = (char *)tree_name(t, kid);
	sts.n_call_site = 1;
	sts.call_site = locs;
	select_req(&req, CPU, "{}", T0, T0 + 60 * SEC);
	req.stack_trace_selector = &sts;
	rpc(&c, "SelectMergeStacktraces", &req.base, PB_PROTO);
	assert_int_equal(remote_decode_flamegraph(REMOTE_CODEC_PROTO, (uint8_t *)c.out.body.data,
						  c.out.body.len, &cpu_info, &got, NULL), 0);
	tu_assert_i64(prof_total(got, 0), tree_total(t, kid, 0));
	assert_true(prof_total(got, 0) < prof_total(all, 0));
	prof_free(got);
	release(&c);
	tree_free(t);
	prof_free(all);
}

/* The total of q's merge (its call site applied), 0 for no data. */
static int64_t merged_total(const struct query *q)
{
	struct prof *p = NULL;
	int64_t v;
	int rc = be->ops->merge(be, q, &p, NULL);

	if (rc == ERR_NOTFOUND)
		return 0;
	assert_int_equal(rc, 0);
	v = prof_total(p, 0);
	prof_free(p);
	return v;
}

/*
 * SelectSeries with a stack_trace_selector (Pyroscope 1.x honours it): each step counts
 * the samples whose stacks start with the call site, what the merge of that step with the
 * same call site adds up to.
 */
static void test_series_call_site(void **state)
{
	struct prof *all = merge(CPU, "{}", T0, T0 + 60 * SEC);
	Querier__V1__SelectSeriesRequest req = QUERIER__V1__SELECT_SERIES_REQUEST__INIT;
	Types__V1__StackTraceSelector sts = TYPES__V1__STACK_TRACE_SELECTOR__INIT;
	Types__V1__Location loc[2] = { TYPES__V1__LOCATION__INIT, TYPES__V1__LOCATION__INIT };
	Types__V1__Location *locs[2] = { &loc[0], &loc[1] };
	struct series_points_list got = { 0 };
	const char *names[2];
	struct query q = { .profile_type = CPU };
	struct tree *t;
	uint32_t kid;
	size_t n, k;
	double sum;
	struct call c;

	(void)state;
	assert_int_equal(tree_build(all, &t), 0);
	for (kid = 1; kid < t->n && !(t->parent[kid] && !t->parent[t->parent[kid]]); kid++)
		;
	assert_true(kid < t->n);  /* a frame two deep; names: its path */
	names[0] = tree_name(t, t->parent[kid]);
	names[1] = tree_name(t, kid);
	kid = t->parent[kid];
	q.call_site = names;
	for (n = 1; n <= 2; n++) {
		q.ncall_site = n;
		q.range = (struct time_range){ T0, T0 + 60 * SEC };
		assert_int_equal(be->ops->timeline(be, &q, 10, NULL, &got), 0);
		assert_int_equal(got.n, 1);
		assert_int_equal(got.v[0].n, 6);
		for (k = 0, sum = 0; k < 6; k++) {
			q.range = (struct time_range){ T0 + (int64_t)k * 10 * SEC,
						       T0 + (int64_t)(k + 1) * 10 * SEC };
			tu_assert_i64((int64_t)got.v[0].values[k], merged_total(&q));
			sum += got.v[0].values[k];
		}
		assert_true(sum > 0 && sum < (double)prof_total(all, 0));
		series_points_list_release(&got);
	}
	/* a call site no stack starts with: nothing */
	names[1] = "no such frame";
	q.range = (struct time_range){ T0, T0 + 60 * SEC };
	assert_int_equal(be->ops->timeline(be, &q, 10, NULL, &got), 0);
	for (k = 0; k < got.v[0].n; k++)
		assert_true(got.v[0].values[k] == 0);
	series_points_list_release(&got);

	/* and through the API: 200, the matching samples only */
	loc[0].name = (char *)tree_name(t, kid);
	sts.n_call_site = 1;
	sts.call_site = locs;
	req.profile_typeid = (char *)CPU;
	req.label_selector = (char *)"{}";
	req.stack_trace_selector = &sts;
	req.has_start = req.has_end = req.has_step = 1;
	req.start = MS(T0) - 1;
	req.end = MS(T0 + 60 * SEC) - 1;
	req.step = 60;
	rpc(&c, "SelectSeries", &req.base, PB_JSON);
	assert_int_equal(remote_decode_timeline(REMOTE_CODEC_JSON, (uint8_t *)c.out.body.data,
						c.out.body.len, req.start, req.end, T0, 60 * SEC, 1,
						&got), 0);
	assert_int_equal(got.n, 1);
	tu_assert_i64((int64_t)got.v[0].values[0], tree_total(t, kid, 0));
	series_points_list_release(&got);
	release(&c);
	tree_free(t);
	prof_free(all);
}

static void test_select_series(void **state)
{
	Querier__V1__SelectSeriesRequest req = QUERIER__V1__SELECT_SERIES_REQUEST__INIT;
	struct series_points_list want = { 0 }, got = { 0 };
	struct query q = { .profile_type = CPU, .range = { T0, T0 + 60 * SEC } };
	char *group[] = { (char *)"region" };
	size_t i, k;
	struct call c;

	(void)state;
	req.profile_typeid = (char *)CPU;
	req.label_selector = (char *)"{}";
	req.has_start = req.has_end = req.has_step = 1;
	/* [T0, T0 + 60 s) as the remote backend asks for it: (start, end] */
	req.start = MS(T0) - 1;
	req.end = MS(T0 + 60 * SEC) - 1;
	req.step = 10;
	req.n_group_by = 1;
	req.group_by = group;
	rpc(&c, "SelectSeries", &req.base, PB_JSON);
	assert_int_equal(be->ops->timeline(be, &q, 10, "region", &want), 0);
	assert_int_equal(remote_decode_timeline(REMOTE_CODEC_JSON, (uint8_t *)c.out.body.data,
						c.out.body.len, req.start, req.end, T0, 10 * SEC, 6, &got),
			 0);
	assert_int_equal(got.n, 2);
	assert_int_equal(want.n, 2);
	/* upstream's order, the larger total first: us (3x the work), then eu */
	assert_string_equal(labelset_get(&got.v[0].labels, "region"), "us");
	assert_string_equal(labelset_get(&got.v[1].labels, "region"), "eu");
	for (i = 0; i < 2; i++) {
		const struct series_points *w = &want.v[0];

		if (strcmp(labelset_get(&w->labels, "region"),
			   labelset_get(&got.v[i].labels, "region")) != 0)
			w = &want.v[1];
		for (k = 0; k < 6; k++)
			assert_true(got.v[i].values[k] == w->values[k]);
	}
	/* only steps with data have points, as upstream */
	assert_null(strstr(c.out.body.data, "\"value\":0,"));
	/*
	 * each stamped with its step's end, as upstream: the profile at T0 is in the step
	 * [T0, T0 + 10 s), point T0 + 10 s (it was stamped T0, a step early for a client
	 * reading Pyroscope's points), and the one at T0 + 10 s is point T0 + 20 s
	 */
	assert_non_null(strstr(c.out.body.data, "\"timestamp\":\"1700000010000\""));
	assert_non_null(strstr(c.out.body.data, "\"timestamp\":\"1700000020000\""));
	assert_null(strstr(c.out.body.data, "\"timestamp\":\"1700000000000\""));
	series_points_list_release(&want);
	series_points_list_release(&got);
	release(&c);
	/* limit 1: the larger series */
	req.has_limit = 1;
	req.limit = 1;
	rpc(&c, "SelectSeries", &req.base, PB_PROTO);
	assert_int_equal(remote_decode_timeline(REMOTE_CODEC_PROTO, (uint8_t *)c.out.body.data,
						c.out.body.len, req.start, req.end, T0, 10 * SEC, 6, &got),
			 0);
	assert_int_equal(got.n, 1);
	assert_string_equal(labelset_get(&got.v[0].labels, "region"), "us"); /* 3x the work */
	series_points_list_release(&got);
	release(&c);
}

static void test_diff(void **state)
{
	Querier__V1__DiffRequest req = QUERIER__V1__DIFF_REQUEST__INIT;
	Querier__V1__SelectMergeStacktracesRequest l, r;
	struct prof *a = merge(CPU, "{}", T0, T0 + 5 * SEC), *b = merge(CPU, "{}", T0 + 5 * SEC,
									   T0 + 60 * SEC);
	struct prof *want = NULL, *got = NULL;
	struct call c;

	(void)state;
	select_req(&l, CPU, "{}", T0, T0 + 5 * SEC);
	select_req(&r, CPU, "{}", T0 + 5 * SEC, T0 + 60 * SEC);
	req.left = &l;
	req.right = &r;
	rpc(&c, "Diff", &req.base, PB_JSON);
	assert_non_null(strstr(c.out.body.data, "\"leftTicks\":\""));
	assert_int_equal(remote_decode_diff(REMOTE_CODEC_JSON, (uint8_t *)c.out.body.data,
					    c.out.body.len, &cpu_info, &got, NULL), 0);
	assert_int_equal(prof_pair(a, b, &want), 0);
	assert_int_equal(got->ntypes, 2);
	assert_same_top(want, 0, got, 0); /* new side */
	assert_same_top(want, 1, got, 1); /* base side */
	prof_free(want);
	prof_free(got);
	prof_free(a);
	prof_free(b);
	release(&c);
}

static void test_empty_range(void **state)
{
	Querier__V1__SelectMergeStacktracesRequest req;
	struct call c;

	(void)state;
	select_req(&req, CPU, "{service_name=\"nobody\"}", T0, T0 + 60 * SEC);
	rpc(&c, "SelectMergeStacktraces", &req.base, PB_JSON);
	assert_string_equal(c.out.body.data, "{\"flamegraph\":{\"names\":[\"total\"],\"levels\":"
					     "[{\"values\":[\"0\",\"0\",\"0\",\"0\"]}]}}");
	release(&c);
}

/* status, code and a one-line message */
static void expect_error(int status, const char *code, const char *msg_part, const char *http,
			 const char *path, const char *ctype, const char *body)
{
	json_error_t e;
	json_t *root;
	struct call c;

	assert_true(do_call(&c, http, path, ctype, NULL, body, body ? strlen(body) : 0) < 0);
	if (c.out.status != status)
		fail_msg("%s: status %d (%s), expected %d", path, c.out.status, c.out.reason,
			 status);
	tu_assert_message(c.out.reason);
	tu_assert_message(err_last());
	/* the legacy /pyroscope/ endpoints' too, as upstream since 1.1 */
	assert_string_equal(c.out.content_type, "application/json");
	root = json_loads(c.out.body.data, 0, &e);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "code")), code);
	if (!strstr(json_string_value(json_object_get(root, "message")), msg_part))
		fail_msg("'%s' lacks '%s'", json_string_value(json_object_get(root, "message")),
			 msg_part);
	json_decref(root);
	release(&c);
}

static void test_errors(void **state)
{
	const char *J = "application/json";

	(void)state;
	expect_error(405, "unimplemented", "only POST", "GET", PREFIX "Series", NULL, NULL);
	expect_error(415, "unimplemented", "Content-Type", "POST", PREFIX "Series", "text/plain",
		     "{}");
	expect_error(400, "invalid_argument", "empty body", "POST", PREFIX "Series", J, "");
	expect_error(400, "invalid_argument", "invalid JSON", "POST", PREFIX "Series", J,
		     "{\"matchers\":");
	expect_error(400, "invalid_argument", "matchers", "POST", PREFIX "Series", J,
		     "{\"matchers\":[\"{a=\"]}");
	expect_error(400, "invalid_argument", "expected a list", "POST", PREFIX "Series", J,
		     "{\"matchers\":5}");
	expect_error(400, "invalid_argument", "SeriesRequest", "POST", PREFIX "Series",
		     "application/proto", "\xff\xff\xff");
	expect_error(400, "invalid_argument", "missing label_selector", "POST",
		     PREFIX "SelectMergeStacktraces", J,
		     "{\"profileTypeID\":\"" CPU "\",\"start\":1,\"end\":2}");
	expect_error(400, "invalid_argument", "missing time range", "POST",
		     PREFIX "SelectMergeStacktraces", J,
		     "{\"profileTypeID\":\"" CPU "\",\"labelSelector\":\"{}\"}");
	expect_error(
		400, "invalid_argument", "after end", "POST", PREFIX "SelectMergeStacktraces", J,
		"{\"profileTypeID\":\"" CPU "\",\"labelSelector\":\"{}\",\"start\":5,\"end\":2}");
	expect_error(400, "invalid_argument", "exceeds the limit", "POST",
		     PREFIX "SelectMergeStacktraces", J,
		     "{\"profileTypeID\":\"" CPU
		     "\",\"labelSelector\":\"{}\",\"start\":1,\"end\":2,"
		     "\"maxNodes\":\"2000000\"}");
	expect_error(400, "invalid_argument", "profile_typeID", "POST", PREFIX "SelectMergeProfile",
		     J,
		     "{\"profileTypeID\":\"cpu\",\"labelSelector\":\"{}\",\"start\":1,\"end\":2}");
	expect_error(400, "invalid_argument", "step", "POST", PREFIX "SelectSeries", J,
		     "{\"profileTypeID\":\"" CPU
		     "\",\"labelSelector\":\"{}\",\"start\":1,\"end\":2}");
	/* a step whose nanoseconds overflow, or no number at all */
	expect_error(400, "invalid_argument", "at most", "POST", PREFIX "SelectSeries", J,
		     "{\"profileTypeID\":\"" CPU
		     "\",\"labelSelector\":\"{}\",\"start\":1,\"end\":2,\"step\":9.3e9}");
	expect_error(400, "invalid_argument", "at most", "POST", PREFIX "SelectSeries", J,
		     "{\"profileTypeID\":\"" CPU
		     "\",\"labelSelector\":\"{}\",\"start\":1,\"end\":2,\"step\":\"Infinity\"}");
	expect_error(501, "unimplemented", "not supported", "POST", PREFIX "SelectHeatmap", J,
		     "{}");
	expect_error(404, "not_found", "no such method", "POST", PREFIX "Nope", J, "{}");
	expect_error(400, "invalid_argument", "query is required", "GET",
		     "/pyroscope/render?from=now-1h", NULL, NULL);
	expect_error(400, "invalid_argument", "profile type", "GET",
		     "/pyroscope/render?query=%7Ba%3D%22b%22%7D", NULL, NULL);
	/* DOT: refused, saying how to draw the graph upstream would send */
	expect_error(501, "unimplemented", "go tool pprof -dot", "POST",
		     PREFIX "SelectMergeStacktraces", J,
		     "{\"profileTypeID\":\"" CPU "\",\"labelSelector\":\"{}\",\"start\":1,"
		     "\"end\":2,\"format\":\"PROFILE_FORMAT_DOT\"}");
	expect_error(501, "unimplemented", "go tool pprof -dot", "GET",
		     "/pyroscope/render?query=" CPU "%7B%7D&format=dot", NULL, NULL);
}

static void test_render(void **state)
{
	char path[512];
	struct prof *want = merge(CPU, "{service_name=\"cpuwork\"}", T0, T0 + 60 * SEC);
	json_error_t e;
	json_t *root, *fb, *tl, *s;
	double sum = 0;
	size_t i;
	struct call c;

	(void)state;
	snprintf(path, sizeof(path), "/pyroscope/render?query=" CPU
		 "%%7Bservice_name%%3D%%22cpuwork%%22%%7D&from=%lld&until=%lld&groupBy=region",
		 (long long)(T0 / SEC), (long long)(T0 / SEC + 60));
	assert_int_equal(do_call(&c, "GET", path, NULL, NULL, NULL, 0), 0);
	root = json_loads(c.out.body.data, 0, &e);
	assert_non_null(root);
	tu_assert_i64(json_integer_value(json_object_get(root, "version")), 1);
	fb = json_object_get(root, "flamebearer");
	tu_assert_i64(json_integer_value(json_object_get(fb, "numTicks")), prof_total(want, 0));
	/* levels are plain JSON integers: the root first */
	assert_true(json_is_integer(
		json_array_get(json_array_get(json_object_get(fb, "levels"), 0), 1)));
	assert_string_equal(json_string_value(json_object_get(json_object_get(root, "metadata"),
							      "units")), "samples");
	tu_assert_i64(json_integer_value(json_object_get(json_object_get(root, "metadata"),
							 "sampleRate")), 1000000000);
	tl = json_object_get(root, "timeline");
	tu_assert_i64(json_integer_value(json_object_get(tl, "durationDelta")), 15);
	/* two groups: upstream's top timeline is an empty series, zeros on every step */
	s = json_object_get(tl, "samples");
	assert_int_equal(json_array_size(s), 4);
	for (i = 0; i < json_array_size(s); i++)
		assert_true(json_number_value(json_array_get(s, i)) == 0);
	for (i = 0; i < 2; i++) {
		s = json_object_get(json_object_get(json_object_get(root, "groups"),
						    i ? "us" : "eu"), "samples");
		assert_non_null(s);
		for (size_t k = 0; k < json_array_size(s); k++)
			sum += json_number_value(json_array_get(s, k));
	}
	assert_true(sum == (double)prof_total(want, 0));
	json_decref(root);
	release(&c);

	assert_int_equal(do_call(&c, "GET", "/pyroscope/label-values?label=__name__", NULL, NULL,
				 NULL, 0), 0);
	assert_non_null(strstr(c.out.body.data, "\"" CPU "\""));
	release(&c);

	snprintf(path, sizeof(path),
		 "/pyroscope/render-diff?leftQuery=" CPU "%%7B%%7D&leftFrom=%lld"
		 "&leftUntil=%lld&rightQuery=" CPU "%%7B%%7D&rightFrom=%lld&rightUntil=%lld",
		 (long long)(T0 / SEC), (long long)(T0 / SEC + 5), (long long)(T0 / SEC + 5),
		 (long long)(T0 / SEC + 60));
	assert_int_equal(do_call(&c, "GET", path, NULL, NULL, NULL, 0), 0);
	root = json_loads(c.out.body.data, 0, &e);
	fb = json_object_get(root, "flamebearer");
	/* FlamebearerProfileV1: the two totals sit beside "flamebearer", not in it */
	assert_true(json_integer_value(json_object_get(root, "leftTicks")) > 0);
	assert_true(json_integer_value(json_object_get(root, "rightTicks")) > 0);
	assert_null(json_object_get(fb, "leftTicks"));
	assert_null(json_object_get(fb, "rightTicks"));
	tu_assert_i64(json_integer_value(json_object_get(fb, "numTicks")),
		      json_integer_value(json_object_get(root, "leftTicks")) +
			      json_integer_value(json_object_get(root, "rightTicks")));
	assert_true(json_array_size(json_array_get(json_object_get(fb, "levels"), 0)) == 7);
	assert_string_equal(json_string_value(json_object_get(json_object_get(root, "metadata"),
							      "format")), "double");
	json_decref(root);
	release(&c);
	prof_free(want);
}

/* GET path; the status and, for a 200, the flame graph's numTicks */
static int render_ticks(const char *path, int64_t *ticks)
{
	json_error_t e;
	json_t *root;
	struct call c;
	int status;

	do_call(&c, "GET", path, NULL, NULL, NULL, 0);
	status = c.out.status;
	*ticks = -1;
	if (status == 200) {
		root = json_loads(c.out.body.data, 0, &e);
		assert_non_null(root);
		*ticks = json_integer_value(
			json_object_get(json_object_get(root, "flamebearer"), "numTicks"));
		json_decref(root);
	}
	release(&c);
	return status;
}

/* from/until as Pyroscope's attime.Parse reads them (now is T0 + 60 s here) */
static void test_render_times(void **state)
{
	struct prof *want = merge(CPU, "{service_name=\"cpuwork\"}", T0, T0 + 60 * SEC);
	const char *q = "/pyroscope/render?query=" CPU "%7Bservice_name%3D%22cpuwork%22%7D";
	char path[512];
	int64_t ticks;

	(void)state;
	/* T0 is 2023-11-14T22:13:20Z: the day as YYYYMMDD, not as 20231114 s (1970) */
	snprintf(path, sizeof(path), "%s&from=20231114&until=20231115", q);
	assert_int_equal(render_ticks(path, &ticks), 200);
	tu_assert_i64(ticks, prof_total(want, 0));
	/* attime's units: min, days, M (months), mon */
	snprintf(path, sizeof(path), "%s&from=now-15min&until=now", q);
	assert_int_equal(render_ticks(path, &ticks), 200);
	tu_assert_i64(ticks, prof_total(want, 0));
	snprintf(path, sizeof(path), "%s&from=now-2days", q);
	assert_int_equal(render_ticks(path, &ticks), 200);
	tu_assert_i64(ticks, prof_total(want, 0));
	snprintf(path, sizeof(path), "%s&from=now-1M&until=now-1mon%%2B2min", q);
	assert_int_equal(render_ticks(path, &ticks), 400);  /* attime: now+2min; refused here */
	snprintf(path, sizeof(path), "%s&from=now-1M&until=now%%2B1min", q);
	assert_int_equal(render_ticks(path, &ticks), 200);
	tu_assert_i64(ticks, prof_total(want, 0));
	/* 50 s before now is after the second profile (T0 + 10 s): the first only is out */
	snprintf(path, sizeof(path), "%s&from=now-55s&until=now", q);
	assert_int_equal(render_ticks(path, &ticks), 200);
	assert_true(ticks > 0 && ticks < prof_total(want, 0));
	/* from == until, as upstream, is that millisecond (the first profile's); after: 400 */
	snprintf(path, sizeof(path), "%s&from=%lld&until=%lld", q, (long long)(T0 / SEC),
		 (long long)(T0 / SEC));
	assert_int_equal(render_ticks(path, &ticks), 200);
	{
		struct prof *first = merge(CPU, "{service_name=\"cpuwork\"}", T0, T0 + 1);

		tu_assert_i64(ticks, prof_total(first, 0));
		assert_true(ticks > 0 && ticks < prof_total(want, 0));
		prof_free(first);
	}
	snprintf(path, sizeof(path), "%s&from=%lld&until=%lld", q, (long long)(T0 / SEC) + 1,
		 (long long)(T0 / SEC));
	assert_int_equal(render_ticks(path, &ticks), 400);
	/* 0 ms is upstream's "missing time range", however it is written */
	snprintf(path, sizeof(path), "%s&from=0", q);
	assert_int_equal(render_ticks(path, &ticks), 400);
	snprintf(path, sizeof(path), "%s&from=0000000000000", q);
	assert_int_equal(render_ticks(path, &ticks), 400);
	snprintf(path, sizeof(path), "%s&from=yesterday", q);
	assert_int_equal(render_ticks(path, &ticks), 400);
	prof_free(want);
}

/* GET path, which must answer 200, as JSON (the caller json_decref()s it) */
static json_t *render_json(const char *path)
{
	json_error_t e;
	json_t *root;
	struct call c;

	if (do_call(&c, "GET", path, NULL, NULL, NULL, 0))
		fail_msg("%s: %d %s", path, c.out.status, c.out.body.data);
	root = json_loads(c.out.body.data, 0, &e);
	assert_non_null(root);
	release(&c);
	return root;
}

static size_t render_names(const char *path)
{
	json_t *root = render_json(path);
	size_t n = json_array_size(json_object_get(json_object_get(root, "flamebearer"),
						   "names"));

	json_decref(root);
	return n;
}

/* a timeline's samples: their count, their sum and its startTime */
static size_t timeline_of(json_t *tl, double *sum, int64_t *start)
{
	json_t *s = json_object_get(tl, "samples");
	size_t i;

	*sum = 0;
	for (i = 0; i < json_array_size(s); i++)
		*sum += json_number_value(json_array_get(s, i));
	*start = json_integer_value(json_object_get(tl, "startTime"));
	return json_array_size(s);
}

/*
 * /pyroscope/render's parameters as pkg/querier/http.go reads them: an unknown
 * aggregation is none, a maxNodes Atoi cannot read is none (max-nodes, then maxNodes),
 * the profile type in {__name__="..."}, and timeline.New's steps: from and until
 * snapped down to the step, (until - from) / step samples, zeros without data.
 */
static void test_render_params(void **state)
{
	struct prof *want = merge(CPU, "{service_name=\"cpuwork\"}", T0, T0 + 60 * SEC);
	const char *q = "/pyroscope/render?query=" CPU "%7Bservice_name%3D%22cpuwork%22%7D"
			"&from=1700000000&until=1700000060";
	char path[512];
	json_t *root;
	double sum;
	int64_t start;
	size_t all;

	(void)state;
	snprintf(path, sizeof(path), "%s&aggregation=max", q);
	root = render_json(path);
	assert_int_equal(timeline_of(json_object_get(root, "timeline"), &sum, &start), 4);
	assert_true(sum == (double)prof_total(want, 0));
	json_decref(root);

	all = render_names(q);
	assert_true(all > 10);
	snprintf(path, sizeof(path), "%s&maxNodes=abc", q);
	assert_int_equal(render_names(path), all);
	snprintf(path, sizeof(path), "%s&maxNodes=%%2B4", q);  /* Atoi takes a sign */
	assert_true(render_names(path) < all);
	snprintf(path, sizeof(path), "%s&max-nodes=4&maxNodes=abc", q);
	assert_true(render_names(path) < all);
	snprintf(path, sizeof(path), "%s&max-nodes=4&maxNodes=0", q);
	assert_true(render_names(path) < all);
	snprintf(path, sizeof(path), "%s&max-nodes=4&maxNodes=99999999999999999999", q);
	assert_true(render_names(path) < all);
	expect_error(400, "invalid_argument", "negative", "GET",
		     "/pyroscope/render?query=" CPU "%7B%7D&maxNodes=-1", NULL, NULL);
	expect_error(400, "invalid_argument", "2000000", "GET",
		     "/pyroscope/render?query=" CPU "%7B%7D&maxNodes=2000000", NULL, NULL);

	/* the profile type as a __name__ matcher, the other matchers kept */
	root = render_json("/pyroscope/render?query=%7B__name__%3D%22" CPU "%22%2C"
			   "service_name%3D%22cpuwork%22%7D&from=1700000000&until=1700000060");
	tu_assert_i64(json_integer_value(json_object_get(json_object_get(root, "flamebearer"),
							 "numTicks")), prof_total(want, 0));
	json_decref(root);
	expect_error(400, "invalid_argument", "profile type", "GET",
		     "/pyroscope/render?query=%7B__name__%3D%22process_cpu%22%7D", NULL, NULL);

	/* an hour from 5 s past a 15 s step: 240 steps from the step before, as upstream */
	root = render_json("/pyroscope/render?query=" CPU "%7Bservice_name%3D%22cpuwork%22%7D"
			   "&from=1700000000&until=1700003600");
	assert_int_equal(timeline_of(json_object_get(root, "timeline"), &sum, &start), 240);
	tu_assert_i64(start, 1699999995);
	assert_true(sum == (double)prof_total(want, 0));
	json_decref(root);
	/* no data: the same steps, all 0 */
	root = render_json("/pyroscope/render?query=" CPU "%7Bservice_name%3D%22nobody%22%7D"
			   "&from=1700000000&until=1700003600");
	assert_int_equal(timeline_of(json_object_get(root, "timeline"), &sum, &start), 240);
	tu_assert_i64(start, 1699999995);
	assert_true(sum == 0);
	json_decref(root);
	/* one group: the top timeline is that group's */
	root = render_json("/pyroscope/render?query=" CPU "%7Bregion%3D%22us%22%7D"
			   "&from=1700000000&until=1700000060&groupBy=region");
	assert_int_equal(timeline_of(json_object_get(root, "timeline"), &sum, &start), 4);
	assert_true(sum > 0);
	{
		double gsum;
		int64_t gstart;

		assert_int_equal(timeline_of(json_object_get(json_object_get(root, "groups"),
							     "us"), &gsum, &gstart), 4);
		assert_true(gsum == sum);
	}
	json_decref(root);
	prof_free(want);
}

/* ---- list requests: cancellation and the matcher cap ---- */

/* POST PREFIX method with a JSON body: the reply's body (200 expected). */
static void expect_json(const char *method, const char *body, const char *want)
{
	char path[64];
	struct call c;

	snprintf(path, sizeof(path), PREFIX "%s", method);
	assert_int_equal(do_call(&c, "POST", path, "application/json", NULL, body, strlen(body)),
			 0);
	assert_string_equal(c.out.body.data, want);
	release(&c);
}

/* A backend that counts its label_names calls. */
struct counting {
	struct backend base;
	struct backend_ops ops;
	struct backend *inner;
	int calls;
};

static int counting_label_names(struct backend *b, const struct selector *sel,
				struct time_range r, struct strvec *out)
{
	struct counting *w = (struct counting *)b;

	w->calls++;
	return w->inner->ops->label_names(w->inner, sel, r, out);
}

static void test_list_cancel(void **state)
{
	const char *J = "application/json";
	atomic_int stop = 1;
	struct backend *saved = be;
	struct counting w;

	(void)state;
	/* a cancelled store answers no list (it read them all, however long that took) */
	be->cancel = &stop;
	expect_error(499, "canceled", "cancelled", "POST", PREFIX "ProfileTypes", J, "{}");
	expect_error(499, "canceled", "cancelled", "POST", PREFIX "LabelNames", J, "{}");
	expect_error(499, "canceled", "cancelled", "POST", PREFIX "LabelValues", J,
		     "{\"name\":\"region\",\"matchers\":[\"{}\"]}");
	expect_error(499, "canceled", "cancelled", "POST", PREFIX "Series", J,
		     "{\"matchers\":[\"{service_name=\\\"cpuwork\\\"}\"]}");
	expect_error(499, "canceled", "cancelled", "GET", "/pyroscope/label-values?label=region",
		     NULL, NULL);
	be->cancel = NULL;
	/* three matcher strings are one selector: one scan of the series, however many */
	memset(&w, 0, sizeof(w));
	w.ops = *be->ops;
	w.ops.label_names = counting_label_names;
	w.base.ops = &w.ops;
	w.inner = be;
	be = &w.base;
	expect_json("LabelNames",
		    "{\"matchers\":[\"{service_name=\\\"cpuwork\\\"}\","
		    "\"{region=\\\"eu\\\"}\",\"{}\"]}",
		    "{\"names\":[\"__name__\",\"__profile_type__\",\"region\","
		    "\"service_name\"]}");
	be = saved;
	assert_int_equal(w.calls, 1);
}

/* {"name":"region","matchers":[m, m, ... n times]} */
static char *many_matchers(const char *m, size_t n)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_puts(&b, "{\"name\":\"region\",\"matchers\":[");
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s\"%s\"", i ? "," : "", m);
	buf_puts(&b, "]}");
	return b.data;
}

static void test_matcher_cap(void **state)
{
	static const char *const methods[] = { "LabelNames", "LabelValues", "Series" };
	char *over = many_matchers("{}", QUERIER_MAX_MATCHERS + 1);
	char *at = many_matchers("{}", QUERIER_MAX_MATCHERS);
	char *one = many_matchers("{}", 1), path[64];
	struct call c, d;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), PREFIX "%s", methods[i]);
		expect_error(400, "invalid_argument", "too many matchers: 1001 (at most 1000)",
			     "POST", path, "application/json", over);
		/* at the cap: the same answer as the one matcher it repeats */
		assert_int_equal(do_call(&c, "POST", path, "application/json", NULL, at,
					 strlen(at)), 0);
		assert_int_equal(do_call(&d, "POST", path, "application/json", NULL, one,
					 strlen(one)), 0);
		assert_true(c.out.body.len > 2);
		assert_string_equal(c.out.body.data, d.out.body.data);
		release(&c);
		release(&d);
	}
	free(over);
	free(at);
	free(one);
}

/*
 * Several matcher strings are one selector, every matcher of every string holding, as
 * Pyroscope 2's query frontend reads them: not the union of what each selects.
 */
static void test_matchers_and(void **state)
{
	(void)state;
	expect_json("LabelValues",
		    "{\"name\":\"service_name\",\"matchers\":[\"{service_name=\\\"cpuwork\\\"}\","
		    "\"{region=\\\"eu\\\"}\"]}",
		    "{\"names\":[\"cpuwork\"]}");
	expect_json("LabelValues",
		    "{\"name\":\"service_name\",\"matchers\":[\"{service_name=\\\"heapwork\\\"}\","
		    "\"{region=\\\"eu\\\"}\"]}",
		    "{}");
	/* two matchers in one string and one in another: all three hold */
	expect_json("LabelValues",
		    "{\"name\":\"region\",\"matchers\":[\"{service_name=\\\"cpuwork\\\","
		    "region!=\\\"us\\\"}\",\"{__profile_type__=\\\"" CPU "\\\"}\"]}",
		    "{\"names\":[\"eu\"]}");
	expect_json("LabelNames",
		    "{\"matchers\":[\"{service_name=\\\"heapwork\\\"}\",\"{region=\\\"eu\\\"}\"]}",
		    "{}");
	expect_json("Series",
		    "{\"matchers\":[\"{service_name=\\\"heapwork\\\"}\",\"{region=\\\"eu\\\"}\"]}",
		    "{}");
	expect_json("Series",
		    "{\"matchers\":[\"{region=\\\"us\\\"}\",\"{__profile_type__=\\\"" CPU "\\\"}\"],"
		    "\"labelNames\":[\"region\"]}",
		    "{\"labelsSet\":[{\"labels\":[{\"name\":\"region\",\"value\":\"us\"}]}]}");
	/* the matchers they add up to are bounded as one selector's (repeats read once) */
	{
		struct buf b = BUF_INIT;
		size_t i;

		buf_puts(&b, "{\"matchers\":[");
		for (i = 0; i < SELECTOR_MAX_MATCHERS; i++)
			buf_printf(&b, "\"{a!=\\\"%zu\\\"}\",", i);
		buf_puts(&b, "\"{a!=\\\"0\\\"}\"]}");
		expect_json("LabelNames", b.data, "{\"names\":[\"__name__\","
			    "\"__profile_type__\",\"region\",\"service_name\"]}");
		b.len -= 2;
		buf_puts(&b, ",\"{a!=\\\"x\\\"}\"]}");
		expect_error(400, "invalid_argument", "more than 128 matchers", "POST",
			     PREFIX "LabelNames", "application/json", b.data);
		buf_release(&b);
	}
}

/* ---- SelectSeries, on stores of their own ---- */

/* A fresh store in tmpdir as `be` (the suite's is put back by scratch_end). */
static struct store *scratch_begin(const char *name, struct backend **saved)
{
	char path[300];
	struct store *s;

	snprintf(path, sizeof(path), "%s/%s.db", tmpdir, name);
	*saved = be;
	if (store_open(path, STORE_CREATE, &s) || store_backend_new(s, NULL, &be))
		fail_msg("%s: %s", path, err_last());
	return s;
}

static void scratch_end(struct store *s, struct backend *saved)
{
	backend_close(be);
	store_close(s);
	be = saved;
}

/* SelectSeries of CPU grouped by `group` over [T0, T0 + 10 s) in one step: the JSON reply. */
static json_t *series_json(const char *group, int agg, int64_t limit)
{
	Querier__V1__SelectSeriesRequest req = QUERIER__V1__SELECT_SERIES_REQUEST__INIT;
	char *g[] = { (char *)group };
	json_error_t e;
	json_t *root;
	struct call c;

	req.profile_typeid = (char *)CPU;
	req.label_selector = (char *)"{}";
	req.has_start = req.has_end = req.has_step = 1;
	req.start = MS(T0) - 1;
	req.end = MS(T0 + 10 * SEC) - 1;
	req.step = 10;
	req.n_group_by = 1;
	req.group_by = g;
	req.has_aggregation = agg >= 0;
	req.aggregation = agg;
	req.has_limit = limit > 0;
	req.limit = limit;
	rpc(&c, "SelectSeries", &req.base, PB_JSON);
	root = json_loads(c.out.body.data, 0, &e);
	assert_non_null(root);
	release(&c);
	return root;
}

static size_t series_count(json_t *root)
{
	return json_array_size(json_object_get(root, "series"));
}

static const char *series_label(json_t *root, size_t i)
{
	json_t *series = json_object_get(root, "series");
	json_t *l = json_array_get(json_object_get(json_array_get(series, i), "labels"), 0);

	return json_string_value(json_object_get(l, "value"));
}

static double series_value(json_t *root, size_t i)
{
	json_t *series = json_object_get(root, "series");
	json_t *pts = json_object_get(json_array_get(series, i), "points");

	assert_int_equal(json_array_size(pts), 1);
	return json_number_value(json_object_get(json_array_get(pts, 0), "value"));
}

static void test_series_order(void **state)
{
	struct backend *saved;
	struct store *s = scratch_begin("order", &saved);
	json_t *series;

	(void)state;
	/* b and a tie, written in that order; c did 3x the work */
	put_in(s, "tiework", "cpuwork-cpu.pb.gz", T0, "region", "b");
	put_in(s, "tiework", "cpuwork-cpu.pb.gz", T0, "region", "a");
	put_in(s, "tiework", "cpuwork-cpu-after-scoreRecords-3x.pb.gz", T0, "region", "c");
	/* as upstream's TopSeries, with no limit too: total descending, ties by labels */
	series = series_json("region", -1, 0);
	assert_int_equal(series_count(series), 3);
	assert_string_equal(series_label(series, 0), "c");
	assert_string_equal(series_label(series, 1), "a");
	assert_string_equal(series_label(series, 2), "b");
	assert_true(series_value(series, 1) == series_value(series, 2));
	assert_true(series_value(series, 0) > series_value(series, 1));
	json_decref(series);
	/* the limit cuts that order */
	series = series_json("region", -1, 2);
	assert_int_equal(series_count(series), 2);
	assert_string_equal(series_label(series, 0), "c");
	assert_string_equal(series_label(series, 1), "a");
	json_decref(series);
	scratch_end(s, saved);
}

#define AGG_TYPE(x) TYPES__V1__TIME_SERIES_AGGREGATION_TYPE__TIME_SERIES_AGGREGATION_TYPE_##x

static void test_series_average(void **state)
{
	struct backend *saved;
	struct store *s = scratch_begin("avg", &saved);
	json_t *sum, *avg;

	(void)state;
	/* one group (service_name), two series: x with two profiles in the step, y one */
	put_in(s, "avgwork", "cpuwork-cpu.pb.gz", T0, "region", "x");
	put_in(s, "avgwork", "cpuwork-cpu.pb.gz", T0 + 2 * SEC, "region", "x");
	put_in(s, "avgwork", "cpuwork-cpu.pb.gz", T0 + 4 * SEC, "region", "y");
	sum = series_json("service_name", AGG_TYPE(SUM), 0);
	avg = series_json("service_name", AGG_TYPE(AVERAGE), 0);
	assert_int_equal(series_count(sum), 1);
	assert_int_equal(series_count(avg), 1);
	assert_true(series_value(sum, 0) > 0);
	/* as upstream's rangeSeries: the mean of the group's three profiles, not x's + y's */
	if (series_value(avg, 0) * 3 != series_value(sum, 0))
		fail_msg("average %f, sum %f", series_value(avg, 0), series_value(sum, 0));
	json_decref(sum);
	json_decref(avg);
	scratch_end(s, saved);
}

/*
 * The backend's own --aggregate avg (the CLI's and the explorer's) stays what a merge of
 * the step gives, each series averaged, then added: the pooled average is the query API's
 * only (882ec12 made every explicit average pooled, so the browser's breakdown of a
 * label value no longer matched the profile Enter opened for it).
 */
static void test_backend_average_is_merge(void **state)
{
	struct series_points_list tl = { 0 };
	struct backend *saved;
	struct store *s = scratch_begin("avgmerge", &saved);
	struct query q = { 0 };
	struct selector *sel = NULL;
	struct prof *p = NULL;

	(void)state;
	put_in(s, "avgwork", "cpuwork-cpu.pb.gz", T0, "region", "x");
	put_in(s, "avgwork", "cpuwork-cpu.pb.gz", T0 + 2 * SEC, "region", "x");
	put_in(s, "avgwork", "cpuwork-cpu.pb.gz", T0 + 4 * SEC, "region", "y");
	assert_int_equal(selector_parse("{service_name=\"avgwork\"}", &sel), 0);
	q.profile_type = CPU;
	q.selector = sel;
	q.range.from_ns = T0;
	q.range.to_ns = T0 + 10 * SEC;
	q.agg = AGG_AVG;
	assert_int_equal(be->ops->timeline(be, &q, 10, "service_name", &tl), 0);
	assert_int_equal(be->ops->merge(be, &q, &p, NULL), 0);
	assert_int_equal(tl.n, 1);
	assert_true(tl.v[0].n >= 1);
	/* x's average (one profile's worth) + y's: twice one profile, as the merge says */
	if (llround(tl.v[0].values[0]) != prof_total(p, 0))
		fail_msg("timeline step %.0f, merge %lld", tl.v[0].values[0],
			 (long long)prof_total(p, 0));
	series_points_list_release(&tl);
	prof_free(p);
	selector_free(sel);
	scratch_end(s, saved);
}

/*
 * SelectSeries' step is read as upstream reads it, time.Duration(step * 1e9).Milliseconds():
 * 4.1 is 4099 ms and 0.0019 is 1 ms (serve rounded to the ns: 4100 ms and 1.9 ms steps).
 * A profile at a multiple of the step is the point one step later, so the stamp names
 * the step.
 */
static void test_series_step_ms(void **state)
{
	static const struct { double step; int64_t ms; } cases[] = { { 4.1, 4099 }, { 0.0019, 1 } };
	Querier__V1__SelectSeriesRequest req = QUERIER__V1__SELECT_SERIES_REQUEST__INIT;
	struct backend *saved;
	struct store *s = scratch_begin("stepms", &saved);
	char want[64];
	size_t i;
	struct call c;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* the first multiple of the step at or after T0 */
		int64_t t_ms = (MS(T0) + cases[i].ms - 1) / cases[i].ms * cases[i].ms;

		put_in(s, "step", "cpuwork-cpu.pb.gz", t_ms * 1000000, NULL, NULL);
		req.profile_typeid = (char *)CPU;
		req.label_selector = (char *)"{}";
		req.has_start = req.has_end = req.has_step = 1;
		req.start = t_ms - 1;
		req.end = t_ms + cases[i].ms / 2;
		req.step = cases[i].step;
		rpc(&c, "SelectSeries", &req.base, PB_JSON);
		snprintf(want, sizeof(want), "\"timestamp\":\"%lld\"", (long long)(t_ms + cases[i].ms));
		if (!strstr(c.out.body.data, want))
			fail_msg("step %g: no point %s in %s", cases[i].step, want, c.out.body.data);
		release(&c);
	}
	scratch_end(s, saved);
}

/* ---- max_nodes on a pprof answer, on stores of their own ---- */

#define SAMPLES "process_cpu:samples:count:samples:count"

/* Folded text as service's profile at T0 in s. */
static void put_folded(struct store *s, const char *service, const char *text)
{
	struct labelset ls = LABELSET_INIT;
	struct prof *p = tu_decode_str(text);

	labelset_set(&ls, "service_name", service);
	if (store_write(s, NULL, &ls, p, T0, 10 * SEC))
		fail_msg("store_write: %s", err_last());
	labelset_free(&ls);
	prof_free(p);
}

/* The summed value (type 0) of p's samples whose stack, root first, is `want` ("a;b"). */
static int64_t stack_value(const struct prof *p, const char *want)
{
	int64_t sum = 0;
	uint32_t i, l, k;

	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];
		struct buf b = BUF_INIT;

		for (l = s->nlocs; l-- > 0;) {
			const struct prof_location *loc = &p->locations[p->sample_locs[s->loc_off + l]];

			for (k = loc->nlines; k-- > 0;)
				buf_printf(&b, "%s%s", b.len ? ";" : "",
					   prof_str(p, p->functions[p->lines[loc->line_off + k].func].name));
		}
		if (b.len && strcmp(b.data, want) == 0)
			sum += prof_value(p, i, 0);
		buf_release(&b);
	}
	return sum;
}

/* SelectMergeProfile of ptype over [T0, T0 + 60 s) cut at max_nodes, decoded. */
static struct prof *merge_cut(const char *ptype, int64_t max_nodes)
{
	Querier__V1__SelectMergeProfileRequest mp = QUERIER__V1__SELECT_MERGE_PROFILE_REQUEST__INIT;
	struct prof *got = NULL;
	struct call c;

	mp.profile_typeid = (char *)ptype;
	mp.label_selector = (char *)"{}";
	mp.has_start = mp.has_end = mp.has_max_nodes = 1;
	mp.start = MS(T0);
	mp.end = MS(T0 + 60 * SEC);
	mp.max_nodes = max_nodes;
	rpc(&c, "SelectMergeProfile", &mp.base, PB_PROTO);
	assert_int_equal(remote_decode_pprof(REMOTE_CODEC_PROTO, (uint8_t *)c.out.body.data,
					     c.out.body.len, &got), 0);
	release(&c);
	return got;
}

/*
 * The call tree is of functions by name, file and line: main;work in two services (two
 * functions each in the store's merge) is one path of 6, kept whole at 2 nodes, and
 * only main;idle (1) is cut.  Keyed by function index, each service's work had part of
 * the total and fell under the cut into "other".
 */
static void test_pprof_cut_across_services(void **state)
{
	struct backend *saved;
	struct store *s = scratch_begin("cutsvc", &saved);
	struct prof *got;

	(void)state;
	put_folded(s, "app1", "main;work 4\nmain;idle 1\n");
	put_folded(s, "app2", "main;work 2\n");
	got = merge_cut(SAMPLES, 2);
	tu_assert_i64(prof_total(got, 0), 7);
	tu_assert_i64(stack_value(got, "main;work"), 6);
	tu_assert_i64(stack_value(got, "main;other"), 1);
	tu_assert_i64(stack_value(got, "other"), 0);
	prof_free(got);
	scratch_end(s, saved);
}

/*
 * SelectMergeStacktraces' PPROF cut of samples without labels (the store's merge keeps
 * none): main;idle and main;nap are both main;other, one sample of 2, found alike with
 * no label array to compare (the sanitizer build's run caught memcmp given NULL).
 */
static void test_pprof_cut_no_labels(void **state)
{
	Querier__V1__SelectMergeStacktracesRequest req;
	Querier__V1__SelectMergeStacktracesResponse *r;
	struct backend *saved;
	struct store *s = scratch_begin("cutnolabels", &saved);
	struct buf raw = BUF_INIT;
	struct pb_budget bu;
	ProtobufCMessage *m;
	struct prof *got = NULL;
	struct call c;

	(void)state;
	put_folded(s, "app1", "main;work 4\nmain;idle 1\nmain;nap 1\n");
	select_req(&req, SAMPLES, "{}", T0, T0 + 60 * SEC);
	req.has_format = req.has_max_nodes = 1;
	req.format = QUERIER__V1__PROFILE_FORMAT__PROFILE_FORMAT_PPROF;
	req.max_nodes = 2;
	rpc(&c, "SelectMergeStacktraces", &req.base, PB_PROTO);
	pb_budget_init(&bu, 1 << 24);
	assert_int_equal(pb_decode(&querier__v1__select_merge_stacktraces_response__descriptor,
				   PB_PROTO, (uint8_t *)c.out.body.data, c.out.body.len, &bu, &m),
			 0);
	r = (Querier__V1__SelectMergeStacktracesResponse *)m;
	assert_non_null(r->pprof);
	pb_encode(&r->pprof->profile->base, PB_PROTO, &raw);
	assert_int_equal(remote_decode_pprof(REMOTE_CODEC_PROTO, (uint8_t *)raw.data, raw.len,
					     &got), 0);
	tu_assert_i64(prof_total(got, 0), 6);
	tu_assert_i64(stack_value(got, "main;work"), 4);
	tu_assert_i64(stack_value(got, "main;other"), 2);
	assert_int_equal(got->nsamples, 2);
	prof_free(got);
	buf_release(&raw);
	pb_budget_release(&bu);
	release(&c);
	scratch_end(s, saved);
}

/*
 * A cut answer holds only the symbols its samples use, as upstream's (it copied every
 * location, function and string of the merge: 18,648 locations for 736 samples).
 */
static void test_pprof_cut_symbols(void **state)
{
	struct backend *saved;
	struct store *s = scratch_begin("cutsyms", &saved);
	struct prof *got;
	uint8_t *used;
	uint32_t i, l, k;

	(void)state;
	put_folded(s, "app1", "main;work 40\nmain;idle 1\nmain;idle;nap 1\nrest;wait 1\n");
	got = merge_cut(SAMPLES, 2);
	tu_assert_i64(prof_total(got, 0), 43);
	tu_assert_i64(stack_value(got, "main;work"), 40);
	tu_assert_i64(stack_value(got, "main;other"), 2);
	tu_assert_i64(stack_value(got, "other"), 1);
	assert_false(tu_has_function(got, "idle"));
	assert_false(tu_has_function(got, "nap"));
	assert_false(tu_has_function(got, "wait"));
	for (i = 0; i < got->nstrs; i++)
		if (strcmp(got->strs[i], "idle") == 0 || strcmp(got->strs[i], "rest") == 0)
			fail_msg("string '%s' is left", got->strs[i]);
	/* every location is in a sample, every function in a location */
	used = calloc((size_t)got->nlocations + got->nfunctions + 1, 1);
	for (i = 0; i < got->nsamples; i++)
		for (l = 0; l < got->samples[i].nlocs; l++)
			used[got->sample_locs[got->samples[i].loc_off + l]] = 1;
	for (i = 0; i < got->nlocations; i++) {
		assert_true(used[i]);
		for (k = 0; k < got->locations[i].nlines; k++)
			used[got->nlocations + got->lines[got->locations[i].line_off + k].func] = 1;
	}
	for (i = 0; i < got->nfunctions; i++)
		assert_true(used[got->nlocations + i]);
	free(used);
	prof_free(got);
	scratch_end(s, saved);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_types),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_series),
		cmocka_unit_test(test_flamegraph),
		cmocka_unit_test(test_range_ends),
		cmocka_unit_test(test_flamegraph_max_nodes),
		cmocka_unit_test(test_tree_and_pprof),
		cmocka_unit_test(test_pprof_max_nodes),
		cmocka_unit_test(test_call_site),
		cmocka_unit_test(test_select_series),
		cmocka_unit_test(test_series_call_site),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_empty_range),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_times),
		cmocka_unit_test(test_render_params),
		cmocka_unit_test(test_list_cancel),
		cmocka_unit_test(test_matcher_cap),
		cmocka_unit_test(test_matchers_and),
		cmocka_unit_test(test_series_order),
		cmocka_unit_test(test_series_average),
		cmocka_unit_test(test_backend_average_is_merge),
		cmocka_unit_test(test_series_step_ms),
		cmocka_unit_test(test_pprof_cut_across_services),
		cmocka_unit_test(test_pprof_cut_no_labels),
		cmocka_unit_test(test_pprof_cut_symbols),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}
