/*
 * test_remote.c — the remote backend (src/store/remote.h) against a stand-in Grafana
 * Pyroscope server inside this test.  Grafana Pyroscope itself cannot be built here
 * (its Go modules cannot be downloaded), so this is the one place a stand-in is right:
 * a libmicrohttpd server on 127.0.0.1 that serves the RECORDED real responses of
 * shared/testdata/pyroscope/grafana-pyroscope/ui/e2e/fixtures (SelectMergeStacktraces,
 * SelectSeries, Series, LabelNames), in Connect JSON as recorded or converted to
 * protobuf for the proto codec.  ProfileTypes and LabelValues have no recording: the
 * stand-in derives them from the recorded Series answer.
 *
 * What is checked: the decoded flame graph against the fixture read with jansson here
 * (total, nodes, self per function), series, timeline steps, label lists, in both
 * codecs; the requests as sent (path, Content-Type, Accept with allow-utf8-labelnames,
 * X-Scope-OrgID, Basic and Bearer auth, fields and millisecond rounding); 401/403/404
 * and server messages; retries after 503; ranges split at the server's maximum query
 * length; a server that never answers (cancel within about a second, timeouts);
 * malformed, truncated and oversized answers (an error, never a crash); credentials
 * never in a message.  And smolder to smolder in process: the client against our own
 * query server (querier_serve over a real store), every operation — Diff included —
 * equal to the store backend's own answer.
 */
#include "testutil.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <libdeflate.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "ingest/decode.h"
#include "ingest/serve.h"
#include "profile/merge.h"
#include "profile/selector.h"
#include "profile/top.h"
#include "profile.pb-c.h"
#include "querier.pb-c.h"
#include "store/pbjson.h"
#include "store/querier_server.h"
#include "store/remote.h"
#include "store/store.h"
#include "types.pb-c.h"

#define FIX "pyroscope/grafana-pyroscope/ui/e2e/fixtures/"
#define CPU "process_cpu:cpu:nanoseconds:cpu:nanoseconds"
#define SEC 1000000000LL
#define HOUR (3600 * SEC)
/* the recorded timeline's first point, 1779729327372 ms */
#define TL0 (1779729327372LL * 1000000)

enum mode { M_FIX, M_AUTH, M_FORBID, M_503_ONCE, M_LIMIT, M_LIMIT_NOLEN, M_GARBAGE, M_TRUNC,
	    M_BADLEVELS, M_404, M_500, M_SLOW, M_HTML, M_PYROEMPTY, M_PYROEMPTY_ALL, M_PYROZERO,
	    M_REDIR_ABS, M_REDIR_REL, M_PYRO_V1, M_PYRO_V2, M_HTML200 };

struct standin {
	struct MHD_Daemon *d;
	char url[128];
	enum mode mode;
	bool json;             /* the last request's codec */
	pthread_mutex_t mu;
	int requests;
	char path[256], accept[256], auth[256], tenant[128], ctype[128];
	struct buf body;       /* the last request's body */
	int64_t spans_ms[64];  /* end - start of each request (M_LIMIT) */
	int nspans;
	struct buf fix[4];     /* flamegraph, selectseries, series, labelnames JSON */
	struct buf pprof;      /* a SelectMergeProfile answer (one_type_pprof) */
	int64_t piece_end_ms;  /* the last request's end (M_PYROEMPTY) */
	bool v2_empty;         /* nothing merged is answered as v2 does: an empty Profile */
	int64_t prof_ms[16];   /* M_PYRO_V1/V2: the profiles SelectSeries answers from */
	double prof_val[16];
	int nprof;
};

static struct standin S;

static const char *const fixture_files[4] = { FIX "flamegraph.json", FIX "selectseries.json",
					       FIX "series.json", FIX "labelnames.json" };

/* ---- the stand-in ---- */

struct conn {
	struct buf body;
};

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	struct conn *k = *con_cls;

	(void)cls, (void)c, (void)toe;
	if (k) {
		buf_release(&k->body);
		free(k);
	}
	*con_cls = NULL;
}

static enum MHD_Result answer(struct MHD_Connection *c, int status, const char *ctype,
			      const void *data, size_t len, const char *extra_h,
			      const char *extra_v)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data,
								 MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ok;

	if (ctype)
		MHD_add_response_header(r, "Content-Type", ctype);
	if (extra_h)
		MHD_add_response_header(r, extra_h, extra_v);
	ok = MHD_queue_response(c, (unsigned)status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result connect_error(struct MHD_Connection *c, int status, const char *code,
				     const char *msg)
{
	char b[512];

	snprintf(b, sizeof(b), "{\"code\":\"%s\",\"message\":\"%s\"}", code, msg);
	return answer(c, status, "application/json", b, strlen(b), NULL, NULL);
}

/* JSON → the same message in binary */
static void to_proto(const ProtobufCMessageDescriptor *d, const char *json, size_t len,
		     struct buf *out)
{
	struct pb_budget bu;
	ProtobufCMessage *m;

	pb_budget_init(&bu, (size_t)1 << 30);
	if (pbjson_decode(d, json, len, &bu, &m))
		fail_msg("stand-in: %s", err_last());
	buf_reset(out);
	pb_encode(m, PB_PROTO, out);
	pb_budget_release(&bu);
}

/* Answers 200 with out, a JSON answer: as it is, or for proto as message d (frees out). */
static enum MHD_Result answer_as(struct MHD_Connection *c, const ProtobufCMessageDescriptor *d,
				 bool json, struct buf *out)
{
	struct buf p = BUF_INIT;
	enum MHD_Result ok;

	if (!json) {
		to_proto(d, out->data, out->len, &p);
		buf_release(out);
		*out = p;
	}
	ok = answer(c, 200, json ? "application/json" : "application/proto",
		    out->data ? out->data : "", out->len, NULL, NULL);
	buf_release(out);
	return ok;
}

/* ProfileTypes and LabelValues, derived from the recorded Series answer */
static void derived(const char *method, const struct buf *req, bool json, struct buf *out)
{
	json_error_t e;
	json_t *series = json_loads(S.fix[2].data, 0, &e),
	       *set = json_object_get(series, "labelsSet");
	struct strvec vals = STRVEC_INIT;
	const char *want = "__profile_type__";
	struct pb_budget bu;
	ProtobufCMessage *m = NULL;
	size_t i, j;

	pb_budget_init(&bu, 1 << 24);
	if (strcmp(method, "LabelValues") == 0) {
		pb_decode(&types__v1__label_values_request__descriptor, json ? PB_JSON : PB_PROTO,
			  (const uint8_t *)req->data, req->len, &bu, &m);
		want = m ? ((Types__V1__LabelValuesRequest *)m)->name : "";
	}
	for (i = 0; i < json_array_size(set); i++) {
		json_t *ls = json_object_get(json_array_get(set, i), "labels");

		for (j = 0; j < json_array_size(ls); j++)
			if (strcmp(json_string_value(
					   json_object_get(json_array_get(ls, j), "name")),
				   want) == 0)
				strvec_push(&vals, json_string_value(json_object_get(
							   json_array_get(ls, j), "value")));
	}
	strvec_sort_unique(&vals);
	buf_reset(out);
	buf_puts(out, strcmp(method, "LabelValues") == 0 ? "{\"names\":[" : "{\"profileTypes\":[");
	for (i = 0; i < vals.n; i++) {
		if (strcmp(method, "LabelValues") == 0) {
			buf_printf(out, "%s\"%s\"", i ? "," : "", vals.v[i]);
		} else {
			char *parts[5], *copy = strdup(vals.v[i]), *save = NULL, *t;
			int k = 0;

			for (t = strtok_r(copy, ":", &save); t && k < 5;
			     t = strtok_r(NULL, ":", &save))
				parts[k++] = t;
			buf_printf(out,
				   "%s{\"ID\":\"%s\",\"name\":\"%s\",\"sampleType\":\"%s\","
				   "\"sampleUnit\":\"%s\",\"periodType\":\"%s\",\"periodUnit\":\"%"
				   "s\"}",
				   i ? "," : "", vals.v[i], parts[0], parts[1], parts[2], parts[3],
				   parts[4]);
			free(copy);
		}
	}
	buf_puts(out, "]}");
	strvec_release(&vals);
	json_decref(series);
	pb_budget_release(&bu);
}

static void note_span(const char *method, const struct buf *req, bool json)
{
	const ProtobufCMessageDescriptor *d =
		strcmp(method, "SelectSeries") == 0
			? &querier__v1__select_series_request__descriptor
		: strcmp(method, "SelectMergeStacktraces") == 0
			? &querier__v1__select_merge_stacktraces_request__descriptor
		: strcmp(method, "LabelNames") == 0 ? &types__v1__label_names_request__descriptor
		: strcmp(method, "SelectMergeProfile") == 0
			? &querier__v1__select_merge_profile_request__descriptor
			: NULL;
	struct pb_budget bu;
	ProtobufCMessage *m;
	int64_t span = -1;

	if (!d)
		return;
	pb_budget_init(&bu, 1 << 24);
	if (pb_decode(d, json ? PB_JSON : PB_PROTO, (const uint8_t *)req->data, req->len, &bu,
		      &m) == 0) {
		if (d == &types__v1__label_names_request__descriptor)
			span = ((Types__V1__LabelNamesRequest *)m)->end -
			       ((Types__V1__LabelNamesRequest *)m)->start;
		else if (d == &querier__v1__select_series_request__descriptor)
			span = ((Querier__V1__SelectSeriesRequest *)m)->end -
			       ((Querier__V1__SelectSeriesRequest *)m)->start;
		else if (d == &querier__v1__select_merge_profile_request__descriptor)
			span = ((Querier__V1__SelectMergeProfileRequest *)m)->end -
			       ((Querier__V1__SelectMergeProfileRequest *)m)->start,
			S.piece_end_ms = ((Querier__V1__SelectMergeProfileRequest *)m)->end;
		else
			span = ((Querier__V1__SelectMergeStacktracesRequest *)m)->end -
			       ((Querier__V1__SelectMergeStacktracesRequest *)m)->start;
	}
	pb_budget_release(&bu);
	pthread_mutex_lock(&S.mu);
	if (S.nspans < 64)
		S.spans_ms[S.nspans++] = span;
	pthread_mutex_unlock(&S.mu);
}

/*
 * SelectMergeProfile as Grafana Pyroscope answers it (M_PYROEMPTY, M_PYROEMPTY_ALL,
 * M_PYROZERO: the series are there, but every value merged is zero)
 */
static enum MHD_Result pyroscope_merge(struct MHD_Connection *c, const struct buf *req, bool json)
{
	static const char empty_json[] = "{\"sampleType\":[{}],\"periodType\":{},\"stringTable\":[\"\"]}";
	/* sample_type {}, period_type {}, string_table [""] */
	static const char empty_proto[] = "\x0a\x00\x32\x00\x5a\x00";
	struct buf out = BUF_INIT;
	struct pb_budget bu;
	ProtobufCMessage *m;
	enum MHD_Result ok;

	note_span("SelectMergeProfile", req, json);
	if (S.spans_ms[S.nspans - 1] > 24 * 3600 * 1000)
		return connect_error(c, 400, "invalid_argument",
				     "the query time range exceeds the limit (query length: "
				     "48h0m0s, limit: 24h0m0s)");
	if ((S.mode == M_PYROEMPTY_ALL || S.piece_end_ms < TL0 / 1000000) && S.v2_empty)
		return json ? answer(c, 200, "application/json", "{}", 2, NULL, NULL)
			    : answer(c, 200, "application/proto", "", 0, NULL, NULL);
	if (S.mode == M_PYROEMPTY_ALL || S.mode == M_PYROZERO || S.piece_end_ms < TL0 / 1000000)
		return json ? answer(c, 200, "application/json", empty_json, strlen(empty_json),
				     NULL, NULL)
			    : answer(c, 200, "application/proto", empty_proto, 6, NULL, NULL);
	if (!json)
		return answer(c, 200, "application/proto", S.pprof.data, S.pprof.len, NULL, NULL);
	pb_budget_init(&bu, (size_t)1 << 28);
	if (pb_decode(&perftools__profiles__profile__descriptor, PB_PROTO,
		      (const uint8_t *)S.pprof.data, S.pprof.len, &bu, &m) ||
	    pb_encode(m, PB_JSON, &out))
		fail_msg("stand-in: %s", err_last());
	ok = answer(c, 200, "application/json", out.data, out.len, NULL, NULL);
	pb_budget_release(&bu);
	buf_release(&out);
	return ok;
}

/*
 * SelectSeries as Grafana Pyroscope computes it (pkg/model/timeseries/range.go): steps
 * from `from`, while <= end; a step's point, stamped with the step, sums the profiles
 * not yet taken at or before it; profiles after the last step are left out.  v1's
 * querier: RangeSeries(start, end) over the profiles of [start, end].  v2's query
 * frontend: the profiles of [start - step, end], RangeSeries(start, end), and a range
 * longer than 24 h refused.
 */
static enum MHD_Result pyroscope_series(struct MHD_Connection *c, const struct buf *req, bool json)
{
	Querier__V1__SelectSeriesRequest *r;
	struct buf out = BUF_INIT;
	struct pb_budget bu;
	int64_t step, lo, cur;
	bool taken[16] = { false };
	enum MHD_Result ok;
	int i, npt = 0;

	pb_budget_init(&bu, 1 << 24);
	if (pb_decode(&querier__v1__select_series_request__descriptor, json ? PB_JSON : PB_PROTO,
		      (const uint8_t *)req->data, req->len, &bu, (ProtobufCMessage **)&r))
		fail_msg("stand-in: %s", err_last());
	note_span("SelectSeries", req, json);
	if (S.mode == M_PYRO_V2 && r->end - r->start > 24 * 3600 * 1000) {
		pb_budget_release(&bu);
		return connect_error(c, 400, "invalid_argument",
				     "the query time range exceeds the limit (query length: "
				     "48h0m0s, limit: 24h0m0s)");
	}
	step = (int64_t)(r->step * 1000);
	lo = S.mode == M_PYRO_V2 ? r->start - step : r->start;
	buf_puts(&out, "{\"series\":[{\"points\":[");
	for (cur = r->start; cur <= r->end; cur += step) {
		double sum = 0;
		bool any = false;

		for (i = 0; i < S.nprof; i++)
			if (!taken[i] && S.prof_ms[i] >= lo && S.prof_ms[i] <= r->end &&
			    S.prof_ms[i] <= cur) {
				taken[i] = any = true;
				sum += S.prof_val[i];
			}
		if (any)
			buf_printf(&out, "%s{\"value\":%g,\"timestamp\":\"%lld\"}",
				   npt++ ? "," : "", sum, (long long)cur);
	}
	buf_puts(&out, "]}]}");
	if (!npt) {
		buf_reset(&out);
		buf_puts(&out, "{}");
	}
	ok = answer_as(c, &querier__v1__select_series_response__descriptor, json, &out);
	pb_budget_release(&bu);
	return ok;
}

/*
 * SelectMergeStacktraces over the same profiles (M_PYRO_V1/V2): one frame whose value is
 * the sum of the profiles in [start, end], both ends in, as Pyroscope's range reads
 * (IntBetweenPredicate on TimeNanos, from start and end in ms).
 */
static enum MHD_Result pyroscope_flamegraph(struct MHD_Connection *c, const struct buf *req,
					    bool json)
{
	Querier__V1__SelectMergeStacktracesRequest *r;
	struct buf out = BUF_INIT;
	struct pb_budget bu;
	enum MHD_Result ok;
	long long sum = 0;
	int i;

	pb_budget_init(&bu, 1 << 24);
	if (pb_decode(&querier__v1__select_merge_stacktraces_request__descriptor,
		      json ? PB_JSON : PB_PROTO, (const uint8_t *)req->data, req->len, &bu,
		      (ProtobufCMessage **)&r))
		fail_msg("stand-in: %s", err_last());
	note_span("SelectMergeStacktraces", req, json);
	if (S.mode == M_PYRO_V2 && r->end - r->start > 24 * 3600 * 1000) {
		pb_budget_release(&bu);
		return connect_error(c, 400, "invalid_argument",
				     "the query time range exceeds the limit (query length: "
				     "48h0m0s, limit: 24h0m0s)");
	}
	for (i = 0; i < S.nprof; i++)
		if (S.prof_ms[i] >= r->start && S.prof_ms[i] <= r->end)
			sum += (long long)S.prof_val[i];
	buf_printf(&out,
		   "{\"flamegraph\":{\"names\":[\"total\",\"work\"],\"levels\":[{\"values\":"
		   "[\"0\",\"%lld\",\"0\",\"0\"]},{\"values\":[\"0\",\"%lld\",\"%lld\",\"1\"]}],"
		   "\"total\":\"%lld\",\"maxSelf\":\"%lld\"}}",
		   sum, sum, sum, sum, sum);
	ok = answer_as(c, &querier__v1__select_merge_stacktraces_response__descriptor, json, &out);
	pb_budget_release(&bu);
	return ok;
}

/* A SelectMergeProfile answer: examples/cpuwork-cpu.pb.gz with only cpu/nanoseconds */
static int one_type_pprof(struct buf *out)
{
	struct buf gz = BUF_INIT, raw = BUF_INIT;
	struct pb_budget bu;
	Perftools__Profiles__Profile *m;
	char path[512];
	size_t i;
	int rc;

	snprintf(path, sizeof(path), "%s/examples/cpuwork-cpu.pb.gz", SMOLDER_SOURCE_DIR);
	pb_budget_init(&bu, (size_t)1 << 28);
	if (!(rc = buf_read_file(&gz, path, DECODE_MAX_INPUT)) &&
	    !(rc = decode_inflate((const uint8_t *)gz.data, gz.len, DECODE_MAX_INFLATED, &raw)) &&
	    !(rc = pb_decode(&perftools__profiles__profile__descriptor, PB_PROTO,
			     (const uint8_t *)raw.data, raw.len, &bu, (ProtobufCMessage **)&m))) {
		assert_int_equal(m->n_sample_type, 2);
		m->sample_type[0] = m->sample_type[1];
		m->n_sample_type = 1;
		for (i = 0; i < m->n_sample; i++) {
			m->sample[i]->value[0] = m->sample[i]->value[1];
			m->sample[i]->n_value = 1;
		}
		rc = pb_encode(&m->base, PB_PROTO, out);
	}
	pb_budget_release(&bu);
	buf_release(&gz);
	buf_release(&raw);
	return rc;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *data,
			       size_t *size, void **con_cls)
{
	struct conn *k = *con_cls;
	const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	const char *h, *name = strrchr(url, '/') ? strrchr(url, '/') + 1 : url;
	struct buf out = BUF_INIT;
	bool json = ct && strstr(ct, "json");
	const struct buf *fix = NULL;
	const ProtobufCMessageDescriptor *d = NULL;
	enum MHD_Result ok;
	int n;

	(void)cls, (void)method, (void)version;
	if (!k) {
		*con_cls = k = calloc(1, sizeof(*k));
		return MHD_YES;
	}
	if (*size) {
		buf_add(&k->body, data, *size);
		*size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&S.mu);
	n = ++S.requests;
	snprintf(S.path, sizeof(S.path), "%s", url);
	snprintf(S.ctype, sizeof(S.ctype), "%s", ct ? ct : "");
	h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
	snprintf(S.accept, sizeof(S.accept), "%s", h ? h : "");
	h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	snprintf(S.auth, sizeof(S.auth), "%s", h ? h : "");
	h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Scope-OrgID");
	snprintf(S.tenant, sizeof(S.tenant), "%s", h ? h : "");
	buf_reset(&S.body);
	buf_add(&S.body, k->body.data ? k->body.data : "", k->body.len);
	S.json = json;
	pthread_mutex_unlock(&S.mu);

	switch (S.mode) {
	case M_AUTH:
		if (strcmp(S.auth, "Basic dXNlcjpzM2NyZXQ=") != 0 &&   /* user:s3cret */
		    strcmp(S.auth, "Bearer t0ken") != 0)
			return connect_error(c, 401, "unauthenticated", "no valid credentials");
		break;
	case M_FORBID:
		return connect_error(c, 403, "permission_denied", "tenant acme is not yours");
	case M_503_ONCE:
		if (n == 1)
			return answer(c, 503, "text/plain", "busy\n", 5, "Retry-After", "0");
		break;
	case M_LIMIT:
	case M_LIMIT_NOLEN:
		note_span(name, &k->body, json);
		if (S.spans_ms[S.nspans - 1] > 24 * 3600 * 1000)
			return connect_error(
				c, 400, "invalid_argument",
				S.mode == M_LIMIT
					? "the query time range exceeds the limit (query length: "
					  "48h0m0s, limit: 24h0m0s)"
					: "the query time range exceeds the limit");
		break;
	case M_404:
		return answer(c, 404, "text/plain", "404 page not found\n", 19, NULL, NULL);
	case M_500:
		return connect_error(c, 500, "internal", "the store is on fire");
	case M_HTML:
		return answer(c, 502, "text/html", "<html><body>Bad gateway</body></html>", 37,
			      NULL, NULL);
	case M_GARBAGE:
		return answer(c, 200, ct, "\xff\x07\x12garbage{[", 11, NULL, NULL);
	case M_HTML200:  /* a login page in front of the server */
		return answer(c, 200, "text/html; charset=utf-8",
			      "<html><body>Sign in</body></html>\n", 34, NULL, NULL);
	case M_SLOW: {
		struct timespec ts = { 0, 300 * 1000000L };

		nanosleep(&ts, NULL);
		break;
	}
	case M_PYROEMPTY:
	case M_PYROEMPTY_ALL:
	case M_PYROZERO:
		/* Pyroscope's 24 h limit, and a piece with no profiles answered as its
		   ProfileMerge.Profile() of nothing does; the piece holding TL0 has the pprof */
		if (strcmp(name, "SelectMergeProfile") == 0)
			return pyroscope_merge(c, &k->body, json);
		/* no profiles at all: no series, so no profile type either */
		if (S.mode == M_PYROEMPTY_ALL && strcmp(name, "LabelValues") == 0)
			return json ? answer(c, 200, ct, "{}", 2, NULL, NULL)
				    : answer(c, 200, ct, "", 0, NULL, NULL);
		break;
	case M_PYRO_V1:
	case M_PYRO_V2:
		if (strcmp(name, "SelectSeries") == 0)
			return pyroscope_series(c, &k->body, json);
		if (strcmp(name, "SelectMergeStacktraces") == 0)
			return pyroscope_flamegraph(c, &k->body, json);
		break;
	case M_REDIR_ABS: {
		char loc[256];

		snprintf(loc, sizeof(loc),
			 "http://user:pw-in-loc@127.0.0.1:4901/querier.v1.QuerierService/%s?token=tk",
			 name);
		return answer(c, 308, "text/plain", "", 0, "Location", loc);
	}
	case M_REDIR_REL: {
		char loc[256];

		snprintf(loc, sizeof(loc), "/other/querier.v1.QuerierService/%s", name);
		return answer(c, 307, "text/plain", "", 0, "Location", loc);
	}
	default:
		break;
	}
	if (strcmp(name, "SelectMergeStacktraces") == 0)
		fix = &S.fix[0], d = &querier__v1__select_merge_stacktraces_response__descriptor;
	else if (strcmp(name, "SelectSeries") == 0)
		fix = &S.fix[1], d = &querier__v1__select_series_response__descriptor;
	else if (strcmp(name, "Series") == 0)
		fix = &S.fix[2], d = &querier__v1__series_response__descriptor;
	else if (strcmp(name, "LabelNames") == 0)
		fix = &S.fix[3], d = &types__v1__label_names_response__descriptor;
	if (fix) {
		buf_add(&out, fix->data, fix->len);
	} else if (strcmp(name, "ProfileTypes") == 0 || strcmp(name, "LabelValues") == 0) {
		derived(name, &k->body, json, &out);
		d = name[0] == 'P' ? &querier__v1__profile_types_response__descriptor :
				     &types__v1__label_values_response__descriptor;
	} else {
		return connect_error(c, 404, "unimplemented", "no such method");
	}
	if (S.mode == M_BADLEVELS) {
		/* a child outside its parent: x 5000 on level 1 of a root 1000 wide */
		buf_reset(&out);
		buf_puts(&out,
			 "{\"flamegraph\":{\"names\":[\"total\",\"a\"],\"levels\":[{\"values\":"
			 "[\"0\",\"1000\",\"0\",\"0\"]},{\"values\":[\"5000\",\"10\",\"10\",\"1\"]}"
			 "],"
			 "\"total\":\"1000\"}}");
	}
	if (!json) {
		struct buf p = BUF_INIT;

		to_proto(d, out.data, out.len, &p);
		buf_release(&out);
		out = p;
	}
	if (S.mode == M_TRUNC)
		out.len = out.len / 2;
	ok = answer(c, 200, json ? "application/json" : "application/proto",
		    out.data ? out.data : "", out.len, NULL, NULL);
	buf_release(&out);
	return ok;
}

/* ---- our own query server, in process, over a store (smolder to smolder) ---- */

static struct MHD_Daemon *own;
static char own_url[64], own_dir[64];
static struct store *own_store;

struct hdrs {
	struct ingest_header h[32];
	size_t n;
};

static enum MHD_Result add_hdr(void *cls, enum MHD_ValueKind k, const char *key, const char *val)
{
	struct hdrs *h = cls;

	(void)k;
	if (h->n < 32)
		h->h[h->n++] = (struct ingest_header){ key, val };
	return MHD_YES;
}

static enum MHD_Result own_handler(void *cls, struct MHD_Connection *c, const char *url,
				   const char *method, const char *version, const char *data,
				   size_t *size, void **con_cls)
{
	struct conn *k = *con_cls;
	struct ingest_request rq = { 0 };
	struct serve_reply out = { 0 };
	struct hdrs h = { .n = 0 };
	struct backend *b = NULL;
	enum MHD_Result ok;

	(void)cls, (void)version;
	if (!k) {
		*con_cls = k = calloc(1, sizeof(*k));
		return MHD_YES;
	}
	if (*size) {
		buf_add(&k->body, data, *size);
		*size = 0;
		return MHD_YES;
	}
	MHD_get_connection_values(c, MHD_HEADER_KIND, add_hdr, &h);
	rq.method = method;
	rq.path = url;
	rq.headers = h.h;
	rq.nheaders = h.n;
	rq.body = (const uint8_t *)k->body.data;
	rq.body_len = k->body.len;
	if (store_backend_new(own_store, NULL, &b))
		return MHD_NO;
	querier_serve(b, &rq, &out);
	backend_close(b);
	ok = answer(c, out.status, out.content_type, out.body.data ? out.body.data : "",
		    out.body.len, NULL, NULL);
	buf_release(&out.body);
	return ok;
}

#define OWN_T0 (1700000000LL * SEC)

static void own_put_as(const char *file, const char *service, int64_t t)
{
	struct labelset ls = LABELSET_INIT;
	struct buf b = BUF_INIT;
	char path[512];
	struct prof *p;

	snprintf(path, sizeof(path), "%s/examples/%s", SMOLDER_SOURCE_DIR, file);
	if (buf_read_file(&b, path, DECODE_MAX_INPUT))
		fail_msg("%s", err_last());
	p = tu_decode_bytes(b.data, b.len, file);
	labelset_set(&ls, "service_name", service);
	if (store_write(own_store, NULL, &ls, p, t, 10 * SEC))
		fail_msg("store_write: %s", err_last());
	labelset_free(&ls);
	prof_free(p);
	buf_release(&b);
}

static int own_start(void)
{
	static struct sockaddr_in loop;
	const union MHD_DaemonInfo *info;
	char path[128];

	snprintf(own_dir, sizeof(own_dir), "/tmp/smolder-test-remote-XXXXXX");
	if (!mkdtemp(own_dir))
		return -1;
	snprintf(path, sizeof(path), "%s/s.db", own_dir);
	if (store_open(path, STORE_CREATE, &own_store))
		return -1;
	own_put_as("cpuwork-cpu.pb.gz", "cpuwork", OWN_T0);
	own_put_as("cpuwork-cpu-after-scoreRecords-3x.pb.gz", "cpuwork", OWN_T0 + 10 * SEC);
	loop.sin_family = AF_INET;
	loop.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	own = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, own_handler, NULL,
			       MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_SOCK_ADDR,
			       (struct sockaddr *)&loop, MHD_OPTION_END);
	if (!own || !(info = MHD_get_daemon_info(own, MHD_DAEMON_INFO_BIND_PORT)))
		return -1;
	snprintf(own_url, sizeof(own_url), "http://127.0.0.1:%u", (unsigned)info->port);
	return 0;
}

static void own_stop(void)
{
	char path[128];

	MHD_stop_daemon(own);
	store_close(own_store);
	snprintf(path, sizeof(path), "%s/s.db", own_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/s.db-wal", own_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/s.db-shm", own_dir);
	unlink(path);
	rmdir(own_dir);
}

static int setup(void **state)
{
	static struct sockaddr_in loop;
	const union MHD_DaemonInfo *info;
	size_t i;

	(void)state;
	memset(&S, 0, sizeof(S));
	pthread_mutex_init(&S.mu, NULL);
	for (i = 0; i < 4; i++)
		tu_read(fixture_files[i], &S.fix[i]);
	if (one_type_pprof(&S.pprof))
		return -1;
	loop.sin_family = AF_INET;
	loop.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	S.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
			       NULL, NULL, handler, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_done,
			       NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&loop,
			       MHD_OPTION_END);
	if (!S.d || !(info = MHD_get_daemon_info(S.d, MHD_DAEMON_INFO_BIND_PORT)))
		return -1;
	snprintf(S.url, sizeof(S.url), "http://127.0.0.1:%u", (unsigned)info->port);
	return own_start();
}

static int teardown(void **state)
{
	size_t i;

	(void)state;
	own_stop();
	MHD_stop_daemon(S.d);
	for (i = 0; i < 4; i++)
		buf_release(&S.fix[i]);
	buf_release(&S.pprof);
	buf_release(&S.body);
	pthread_mutex_destroy(&S.mu);
	return 0;
}

static void reset(enum mode m)
{
	pthread_mutex_lock(&S.mu);
	S.mode = m;
	S.requests = 0;
	S.nspans = 0;
	S.auth[0] = S.tenant[0] = '\0';
	S.v2_empty = false;
	pthread_mutex_unlock(&S.mu);
}

static struct backend *open_remote(enum remote_codec c, const struct remote_opts *extra)
{
	struct remote_opts o = { 0 };
	struct backend *b = NULL;

	if (extra)
		o = *extra;
	if (!o.url)
		o.url = S.url;
	o.codec = c;
	if (remote_backend_open(&o, &b))
		fail_msg("remote_backend_open: %s", err_last());
	return b;
}

static const enum remote_codec codecs[2] = { REMOTE_CODEC_PROTO, REMOTE_CODEC_JSON };

static struct query cpu_query(struct selector **sel, int64_t from, int64_t to)
{
	struct query q = { .profile_type = CPU, .range = { from, to } };

	assert_int_equal(selector_parse("{service_name=\"pyroscope\"}", sel), 0);
	q.selector = *sel;
	return q;
}

static void same_top(const struct prof *a, const struct prof *b, uint32_t t);

/* ---- the fixtures decoded ---- */

static void test_flamegraph(void **state)
{
	json_error_t e;
	json_t *root = json_loads(S.fix[0].data, 0, &e), *fg = json_object_get(root, "flamegraph");
	json_t *names = json_object_get(fg, "names"), *levels = json_object_get(fg, "levels");
	size_t k, d, i;

	(void)state;
	for (k = 0; k < 2; k++) {
		struct backend *b = open_remote(codecs[k], &(struct remote_opts){.tenant = "acme"});
		struct selector *sel;
		struct query q = cpu_query(&sel, 1700000000123456789LL, 1700000100000000001LL);
		struct merge_info mi;
		struct prof *p = NULL;
		struct tree *t;
		struct top top;
		struct pb_budget bu;
		ProtobufCMessage *m;
		Querier__V1__SelectMergeStacktracesRequest *r;

		reset(M_FIX);
		if (b->ops->merge_tree(b, &q, 16384, &p, &mi))
			fail_msg("merge_tree: %s", err_last());
		/* what was sent */
		assert_string_equal(S.path, "/querier.v1.QuerierService/SelectMergeStacktraces");
		assert_string_equal(S.ctype, k ? "application/json" : "application/proto");
		assert_string_equal(S.accept, "*/*;allow-utf8-labelnames=true");
		assert_string_equal(S.tenant, "acme");
		pb_budget_init(&bu, 1 << 24);
		assert_int_equal(
			pb_decode(&querier__v1__select_merge_stacktraces_request__descriptor,
				  k ? PB_JSON : PB_PROTO, (uint8_t *)S.body.data, S.body.len, &bu,
				  &m),
			0);
		r = (Querier__V1__SelectMergeStacktracesRequest *)m;
		assert_string_equal(r->profile_typeid, CPU);
		assert_string_equal(r->label_selector, "{service_name=\"pyroscope\"}");
		tu_assert_i64(r->start, 1700000000123LL);  /* rounded down */
		/* both ends in, as Pyroscope reads them: to's last millisecond before it */
		tu_assert_i64(r->end, 1700000100000LL);
		assert_true(r->has_max_nodes);
		tu_assert_i64(r->max_nodes, 16384);
		pb_budget_release(&bu);
		if (k)
			assert_non_null(strstr(S.body.data, "\"profileTypeID\":\"" CPU "\""));
		/* what was decoded, against the fixture read here */
		assert_true(mi.remote);
		assert_false(mi.truncated);
		tu_assert_i64(prof_total(p, 0), 11100000000LL);
		assert_string_equal(prof_str(p, p->sample_types[0].type), "cpu");
		assert_int_equal(tree_build(p, &t), 0);
		assert_int_equal(t->n, 2110); /* every node of the fixture, its root as ours */
		assert_int_equal(top_compute(p, 0, &top), 0);
		for (i = 0; i < json_array_size(names); i++) {
			const char *name = json_string_value(json_array_get(names, i));
			const struct top_row *row = tu_top_row(&top, p, name);
			int64_t self = 0;

			for (d = 1; d < json_array_size(levels); d++) {
				json_t *v = json_object_get(json_array_get(levels, d), "values");
				size_t j;

				for (j = 0; j < json_array_size(v); j += 4)
					if ((size_t)strtoll(
						    json_string_value(json_array_get(v, j + 3)),
						    NULL, 10) == i)
						self += strtoll(
							json_string_value(json_array_get(v, j + 2)),
							NULL, 10);
			}
			if (i == 0)
				continue;
			if (!row)
				fail_msg("%s missing", name);
			tu_assert_i64(row->flat, self);
		}
		top_release(&top);
		tree_free(t);
		prof_free(p);
		selector_free(sel);
		backend_close(b);
	}
	json_decref(root);
}

static void test_lists(void **state)
{
	size_t k, i;

	(void)state;
	for (k = 0; k < 2; k++) {
		struct backend *b = open_remote(codecs[k], NULL);
		struct time_range r = { 1779729327372LL * 1000000, 1779730857372LL * 1000000 };
		struct labelset_list ls = { 0 };
		struct strvec names = STRVEC_INIT, vals = STRVEC_INIT;
		struct profile_type_list pt = { 0 };

		reset(M_FIX);
		assert_int_equal(b->ops->series(b, NULL, NULL, 0, r, &ls), 0);
		assert_int_equal(ls.n, 11);
		for (i = 0; i < ls.n; i++) {
			assert_string_equal(labelset_get(&ls.v[i], "service_name"), "pyroscope");
			assert_non_null(labelset_get(&ls.v[i], "__profile_type__"));
		}
		assert_string_equal(labelset_get(&ls.v[0], "__profile_type__"),
				    "block:contentions:count:contentions:count");
		assert_int_equal(b->ops->label_names(b, NULL, r, &names), 0);
		assert_int_equal(names.n, 0); /* the recorded {"names":[]} */
		assert_int_equal(b->ops->label_values(b, "__profile_type__", NULL, r, &vals), 0);
		assert_int_equal(vals.n, 11);
		assert_string_equal(vals.v[10], "process_cpu:samples:count:cpu:nanoseconds");
		assert_int_equal(b->ops->profile_types(b, r, &pt), 0);
		assert_int_equal(pt.n, 11);
		assert_string_equal(pt.v[3].id, "memory:alloc_objects:count:space:bytes");
		assert_string_equal(pt.v[3].period_type, "space");
		labelset_list_release(&ls);
		strvec_release(&names);
		strvec_release(&vals);
		profile_type_list_release(&pt);
		/* a dotted name goes out quoted, as Prometheus 3 wants it */
		{
			struct selector *sel;
			struct pb_budget bu;
			ProtobufCMessage *m;
			Querier__V1__SeriesRequest *req;

			assert_int_equal(selector_parse("{service.name=\"a\\\"b\", env=~\"p.*\"}", &sel), 0);
			assert_int_equal(b->ops->series(b, sel, NULL, 0, r, &ls), 0);
			pb_budget_init(&bu, 1 << 20);
			assert_int_equal(pb_decode(&querier__v1__series_request__descriptor,
						   k ? PB_JSON : PB_PROTO, (uint8_t *)S.body.data,
						   S.body.len, &bu, &m), 0);
			req = (Querier__V1__SeriesRequest *)m;
			assert_int_equal(req->n_matchers, 1);
			assert_string_equal(req->matchers[0], "{\"service.name\"=\"a\\\"b\",env=~\"p.*\"}");
			tu_assert_i64(req->start, 1779729327372LL);
			assert_int_equal(req->n_label_names, 0);  /* every label */
			pb_budget_release(&bu);
			labelset_list_release(&ls);
			selector_free(sel);
		}
		/*
		 * label names go out as label_names (labelNames in JSON): the server cuts the
		 * sets.  The recorded answer is the whole sets (eleven series of one service):
		 * what comes back is still cut, each distinct set once.
		 */
		{
			static const char *const want[] = { "service_name", "__name__" };
			struct pb_budget bu;
			ProtobufCMessage *m;
			Querier__V1__SeriesRequest *req;

			assert_int_equal(b->ops->series(b, NULL, want, 1, r, &ls), 0);
			assert_int_equal(ls.n, 1);
			assert_int_equal(ls.v[0].n, 1);
			assert_string_equal(labelset_get(&ls.v[0], "service_name"), "pyroscope");
			labelset_list_release(&ls);
			if (k)
				assert_non_null(strstr(S.body.data, "\"labelNames\":[\"service_name\"]"));
			assert_int_equal(b->ops->series(b, NULL, want, 2, r, &ls), 0);
			pb_budget_init(&bu, 1 << 20);
			assert_int_equal(pb_decode(&querier__v1__series_request__descriptor,
						   k ? PB_JSON : PB_PROTO, (uint8_t *)S.body.data,
						   S.body.len, &bu, &m), 0);
			req = (Querier__V1__SeriesRequest *)m;
			assert_int_equal(req->n_matchers, 0);
			assert_int_equal(req->n_label_names, 2);
			assert_string_equal(req->label_names[0], "service_name");
			assert_string_equal(req->label_names[1], "__name__");
			pb_budget_release(&bu);
			labelset_list_release(&ls);
		}
		backend_close(b);
	}
}

/* The int64 field `name` of the last request, a message of type d. */
static int64_t sent_field(const ProtobufCMessageDescriptor *d, const char *name)
{
	const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(d, name);
	struct pb_budget bu;
	ProtobufCMessage *m;
	int64_t v;

	assert_non_null(f);
	pb_budget_init(&bu, 1 << 20);
	if (pb_decode(d, S.json ? PB_JSON : PB_PROTO, (const uint8_t *)S.body.data, S.body.len,
		      &bu, &m))
		fail_msg("%s: %s", d->name, err_last());
	v = *(const int64_t *)(const void *)((const char *)m + f->offset);
	pb_budget_release(&bu);
	return v;
}

/*
 * --from 0 (the epoch) asks every list from the epoch: a start of 0 went out only for
 * Select* as 1, the lists had none, and Pyroscope reads a request whose start is 0 as
 * one without a range (pkg/model GetTimeRange): the last hour only.
 */
static void test_lists_from_epoch(void **state)
{
	const int64_t end_ms = TL0 / 1000000 + 3600000;
	struct time_range r = { 0, (end_ms + 1) * 1000000 };
	size_t k;

	(void)state;
	for (k = 0; k < 2; k++) {
		struct backend *b = open_remote(codecs[k], NULL);
		struct labelset_list ls = { 0 };
		struct strvec names = STRVEC_INIT, vals = STRVEC_INIT;
		struct profile_type_list pt = { 0 };

		reset(M_FIX);
		assert_int_equal(b->ops->series(b, NULL, NULL, 0, r, &ls), 0);
		tu_assert_i64(sent_field(&querier__v1__series_request__descriptor, "start"), 1);
		tu_assert_i64(sent_field(&querier__v1__series_request__descriptor, "end"), end_ms);
		assert_int_equal(b->ops->label_names(b, NULL, r, &names), 0);
		tu_assert_i64(sent_field(&types__v1__label_names_request__descriptor, "start"), 1);
		assert_int_equal(b->ops->label_values(b, "service_name", NULL, r, &vals), 0);
		tu_assert_i64(sent_field(&types__v1__label_values_request__descriptor, "start"), 1);
		assert_int_equal(b->ops->profile_types(b, r, &pt), 0);
		tu_assert_i64(sent_field(&querier__v1__profile_types_request__descriptor, "start"),
			      1);
		tu_assert_i64(sent_field(&querier__v1__profile_types_request__descriptor, "end"),
			      end_ms);
		labelset_list_release(&ls);
		strvec_release(&names);
		strvec_release(&vals);
		profile_type_list_release(&pt);
		backend_close(b);
	}
}

static void test_timeline(void **state)
{
	json_error_t e;
	json_t *root = json_loads(S.fix[1].data, 0, &e);
	json_t *pts = json_object_get(json_array_get(json_object_get(root, "series"), 0), "points");
	size_t k, i, nz;

	(void)state;
	for (k = 0; k < 2; k++) {
		struct backend *b = open_remote(codecs[k], NULL);
		struct selector *sel;
		/*
		 * the range on the 30 s grid: one request (the stand-in answers the one
		 * recording to every request, and a range off the grid is more than one)
		 */
		int64_t start = TL0 / (30 * SEC) * (30 * SEC);
		struct query q = cpu_query(&sel, start, start + 53 * 30 * SEC);
		struct series_points_list l = { 0 };
		double sum = 0, want = 0;

		reset(M_FIX);
		q.agg = AGG_AVG;
		assert_int_equal(b->ops->timeline(b, &q, 30, NULL, &l), 0);
		assert_int_equal(S.requests, 1);
		assert_int_equal(l.n, 1);
		assert_int_equal(l.v[0].labels.n, 0);
		tu_assert_i64(l.v[0].ts_ms[0], start / 1000000);
		/* each recorded point in its own step, in order */
		for (i = 0, nz = 0; i < l.v[0].n; i++) {
			sum += l.v[0].values[i];
			if (l.v[0].values[i] != 0) {
				json_t *p = json_array_get(pts, nz);

				assert_true(l.v[0].values[i] ==
					    json_number_value(json_object_get(p, "value")));
				nz++;
			}
		}
		for (i = 0; i < json_array_size(pts); i++)
			want += json_number_value(json_object_get(json_array_get(pts, i), "value"));
		assert_int_equal(nz, json_array_size(pts));
		assert_true(sum == want);
		/* the aggregation went out */
		if (k)
			assert_non_null(
				strstr(S.body.data,
				       "\"aggregation\":\"TIME_SERIES_AGGREGATION_TYPE_AVERAGE\""));
		series_points_list_release(&l);
		selector_free(sel);
		backend_close(b);
	}
	json_decref(root);
}

/*
 * Grafana Pyroscope stamps a point with the END of its step (t holds (t - step, t]) and
 * lays its steps from the request's start; v2 also answers a point at the start, for
 * the step before it.  Against the stand-in computing points as v1 and v2 do, the
 * timeline equals the store's for the same profiles: each in the step [s, s + step)
 * that holds it, profiles on a step's edge and on the range's edges included.  It was
 * a step late (the points were filed by their start), and v2's split range counted the
 * point at each piece's edge twice.
 */
static void pyro_profiles(const int64_t *ms, const double *v, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		S.prof_ms[i] = ms[i];
		S.prof_val[i] = v[i];
	}
	S.nprof = n;
}

static void test_timeline_step_ends(void **state)
{
	const int64_t t8 = 1795161600000LL, d20 = 1795132800000LL;  /* 2026-11-20 08:00, 00:00 */
	/* 08:00:01, on the edge 08:00:15, on the range's start and end, and 1 ms before it */
	const int64_t ms[] = { t8 + 1000, t8 + 15000, t8, t8 + 30000, t8 - 1 };
	const double v[] = { 100, 50, 7, 1000, 2000 };
	size_t k, m, i;

	(void)state;
	for (k = 0; k < 2; k++)
		for (m = 0; m < 2; m++) {
			struct backend *b = open_remote(codecs[k], NULL);
			struct selector *sel;
			struct query q = cpu_query(&sel, t8 * 1000000, (t8 + 30000) * 1000000);
			struct series_points_list l = { 0 };
			/* 23:58:30 in the first day, on 00:00 and on the split's edge */
			int64_t edge = (d20 / (24 * 3600 * 1000 - 60000) + 1) *
				       (24 * 3600 * 1000 - 60000),
				ms2[] = { d20 + (23 * 3600 + 58 * 60 + 30) * 1000, d20 + 86400000,
					  edge };
			const double v2[] = { 100, 10, 1 };
			double sum = 0;

			reset(m ? M_PYRO_V2 : M_PYRO_V1);
			pyro_profiles(ms, v, 5);
			assert_int_equal(b->ops->timeline(b, &q, 15, NULL, &l), 0);
			assert_int_equal(l.n, 1);
			assert_int_equal(l.v[0].n, 2);
			tu_assert_i64(l.v[0].ts_ms[0], t8);
			assert_true(l.v[0].values[0] == 107);  /* 08:00:00 and 08:00:01 */
			assert_true(l.v[0].values[1] == 50);   /* 08:00:15 */
			series_points_list_release(&l);
			memset(&l, 0, sizeof(l));
			/* two days of minutes: v2 splits them at its 24 h limit */
			reset(m ? M_PYRO_V2 : M_PYRO_V1);
			pyro_profiles(ms2, v2, 3);
			q.range = (struct time_range){ d20 * 1000000, (d20 + 2 * 86400000) * 1000000 };
			assert_int_equal(b->ops->timeline(b, &q, 60, NULL, &l), 0);
			assert_int_equal(S.nspans, m ? 4 : 1);
			assert_int_equal(l.n, 1);
			assert_int_equal(l.v[0].n, 2 * 1440);
			for (i = 0; i < l.v[0].n; i++)
				sum += l.v[0].values[i];
			assert_true(sum == 111);
			assert_true(l.v[0].values[1438] == 100);  /* 23:58 */
			assert_true(l.v[0].values[1440] == 10);   /* 00:00 */
			assert_true(l.v[0].values[(edge - d20) / 60000] == 1);
			series_points_list_release(&l);
			memset(&l, 0, sizeof(l));
			/*
			 * one step that holds the whole range (the browser's breakdown): asked
			 * with the grid's step, Pyroscope's only point was the one at the start
			 */
			reset(m ? M_PYRO_V2 : M_PYRO_V1);
			assert_int_equal(b->ops->timeline(b, &q, backend_timeline_one_step(q.range),
							  NULL, &l), 0);
			assert_int_equal(S.nspans, m ? 4 : 1);
			assert_int_equal(l.v[0].n, 1);
			assert_true(l.v[0].values[0] == 111);
			series_points_list_release(&l);
			memset(&l, 0, sizeof(l));
			/*
			 * steps of 2 days, longer than v2's pieces: a piece across a step's
			 * edge came back empty (its only point the one at its start)
			 */
			reset(m ? M_PYRO_V2 : M_PYRO_V1);
			q.range = (struct time_range){ (d20 - 86400000) * 1000000,
						       (d20 + 3 * 86400000) * 1000000 };
			assert_int_equal(b->ops->timeline(b, &q, 2 * 86400, NULL, &l), 0);
			assert_int_equal(l.v[0].n, 2);
			assert_true(l.v[0].values[0] == 101);  /* 23:58:30 and the split's edge */
			assert_true(l.v[0].values[1] == 10);   /* 00:00 of the 21st */
			series_points_list_release(&l);
			memset(&l, 0, sizeof(l));
			reset(m ? M_PYRO_V2 : M_PYRO_V1);
			pyro_profiles(ms, v, 5);
			q.range = (struct time_range){ (t8 - 7000) * 1000000, (t8 + 20000) * 1000000 };
			assert_int_equal(b->ops->timeline(b, &q, backend_timeline_one_step(q.range),
							  NULL, &l), 0);
			assert_int_equal(l.v[0].n, 1);
			assert_true(l.v[0].values[0] == 2157);  /* all but 08:00:30's */
			series_points_list_release(&l);
			memset(&l, 0, sizeof(l));
			/*
			 * 40 s by 15 s: Pyroscope's steps stop at the last edge before the end,
			 * 08:00:30, and the last 10 s went in no point (the merge had them);
			 * the tail is a request of its own now, and what is at `to` stays out
			 */
			{
				const int64_t ms3[] = { t8 + 1000, t8 + 31000, t8 + 39999, t8 + 40000 };
				const double v3[] = { 100, 1000, 5, 2000 };

				reset(m ? M_PYRO_V2 : M_PYRO_V1);
				pyro_profiles(ms3, v3, 4);
				q.range = (struct time_range){ t8 * 1000000, (t8 + 40000) * 1000000 };
				assert_int_equal(b->ops->timeline(b, &q, 15, NULL, &l), 0);
				assert_int_equal(l.v[0].n, 3);
				assert_true(l.v[0].values[0] == 100);
				assert_true(l.v[0].values[1] == 0);
				assert_true(l.v[0].values[2] == 1005);
				assert_int_equal(S.nspans, 2);
				series_points_list_release(&l);
			}
			selector_free(sel);
			backend_close(b);
		}
}

/* ---- failures ---- */

static int expect_fail(struct backend *b, int code, const char *part)
{
	struct selector *sel;
	struct query q = cpu_query(&sel, 1700000000LL * SEC, 1700003600LL * SEC);
	struct prof *p = NULL;
	int rc = b->ops->merge_tree(b, &q, 0, &p, NULL);

	selector_free(sel);
	if (getenv("SHOW_ERRORS"))
		fprintf(stderr, "  message: %s\n", err_last());
	if (rc != code)
		fail_msg("code %d (%s), expected %d", rc, rc ? err_last() : "", code);
	assert_null(p);
	tu_assert_message(err_last());
	if (part && !strstr(err_last(), part))
		fail_msg("'%s' lacks '%s'", err_last(), part);
	return rc;
}

static void test_auth(void **state)
{
	struct backend *b;
	struct buf url = BUF_INIT;

	(void)state;
	reset(M_AUTH);
	b = open_remote(REMOTE_CODEC_PROTO, NULL);
	expect_fail(b, ERR_AUTH, "authentication failed: no valid credentials");
	assert_non_null(strstr(err_last(), "--username"));
	backend_close(b);
	/* credentials in the URL are never shown */
	buf_printf(&url, "http://user:wr0ng-pass@%s", S.url + 7);
	b = open_remote(REMOTE_CODEC_PROTO, &(struct remote_opts){ .url = url.data });
	expect_fail(b, ERR_AUTH, "authentication failed");
	assert_null(strstr(err_last(), "wr0ng"));
	assert_non_null(strstr(err_last(), S.url + 7));
	/* they went out as Basic: the message says so, and asks for no other (it did) */
	assert_string_equal(S.auth, "Basic dXNlcjp3cjBuZy1wYXNz"); /* user:wr0ng-pass */
	assert_non_null(strstr(err_last(), "(the credentials in the URL were refused)"));
	assert_null(strstr(err_last(), "--username"));
	backend_close(b);
	b = open_remote(REMOTE_CODEC_JSON,
			&(struct remote_opts){.username = "user", .password = "s3cret"});
	{
		struct selector *sel;
		struct query q = cpu_query(&sel, 1700000000LL * SEC, 1700003600LL * SEC);
		struct prof *p = NULL;

		assert_int_equal(b->ops->merge_tree(b, &q, 0, &p, NULL), 0);
		assert_string_equal(S.auth, "Basic dXNlcjpzM2NyZXQ=");
		prof_free(p);
		selector_free(sel);
	}
	backend_close(b);
	reset(M_FIX);
	b = open_remote(REMOTE_CODEC_JSON, &(struct remote_opts){ .token = "t0ken" });
	reset(M_AUTH);
	{
		struct time_range r = { 0, 0 };
		struct labelset_list l = { 0 };

		assert_int_equal(b->ops->series(b, NULL, NULL, 0, r, &l), 0);
		assert_string_equal(S.auth, "Bearer t0ken");
		labelset_list_release(&l);
	}
	backend_close(b);
	/* a password without a user name is Basic with an empty name, as profilecli sends it;
	   a refusal then does not ask for credentials that were given */
	reset(M_AUTH);
	b = open_remote(REMOTE_CODEC_PROTO, &(struct remote_opts){ .password = "pw-only" });
	expect_fail(b, ERR_AUTH, "authentication failed: no valid credentials");
	assert_string_equal(S.auth, "Basic OnB3LW9ubHk="); /* ":pw-only" */
	assert_null(strstr(err_last(), "--username"));
	assert_null(strstr(err_last(), "pw-only"));
	backend_close(b);
	reset(M_FORBID);
	b = open_remote(REMOTE_CODEC_PROTO, &(struct remote_opts){ .password = "pw-only" });
	expect_fail(b, ERR_AUTH, "permission denied: tenant acme is not yours");
	assert_null(strstr(err_last(), "pw-only"));
	backend_close(b);
	buf_release(&url);
}

static void test_server_errors(void **state)
{
	struct backend *b = open_remote(REMOTE_CODEC_PROTO, NULL);

	(void)state;
	reset(M_404);
	expect_fail(b, ERR_NOTFOUND,
		    "not found: /querier.v1.QuerierService/SelectMergeStacktraces");
	reset(M_500);
	expect_fail(b, ERR_NET, "the store is on fire (HTTP 500)");
	reset(M_HTML);
	expect_fail(b, ERR_NET, "(HTTP 502)");
	assert_null(strstr(err_last(), "<html>"));
	assert_int_equal(S.requests, 3); /* 502 is retried */
	/*
	 * a 200 that is a login page: said so, not "malformed answer: invalid wire type 4
	 * at byte 0" (the decoder's reading of '<'), in either codec
	 */
	reset(M_HTML200);
	expect_fail(b, ERR_PARSE, "SelectMergeStacktraces: the server answered text/html, not "
				  "the query API");
	{
		struct backend *bj = open_remote(REMOTE_CODEC_JSON, NULL);

		expect_fail(bj, ERR_PARSE, "the server answered text/html, not the query API");
		backend_close(bj);
	}
	reset(M_503_ONCE);
	{
		struct selector *sel;
		struct query q = cpu_query(&sel, 1700000000LL * SEC, 1700003600LL * SEC);
		struct prof *p = NULL;

		assert_int_equal(b->ops->merge_tree(b, &q, 0, &p, NULL), 0);
		assert_int_equal(S.requests, 2);
		prof_free(p);
		selector_free(sel);
	}
	backend_close(b);
	/* nobody listening */
	b = open_remote(REMOTE_CODEC_PROTO, &(struct remote_opts){ .url = "http://127.0.0.1:1",
								   .attempts = 1 });
	expect_fail(b, ERR_NET, "cannot connect");
	backend_close(b);
}

static void test_malformed(void **state)
{
	enum mode modes[] = { M_GARBAGE, M_TRUNC, M_BADLEVELS };
	size_t k, m;

	(void)state;
	for (k = 0; k < 2; k++)
		for (m = 0; m < 3; m++) {
			struct backend *b = open_remote(codecs[k], NULL);

			reset(modes[m]);
			expect_fail(b, ERR_PARSE, modes[m] == M_BADLEVELS ? "outside every node" :
						  "SelectMergeStacktraces: malformed answer");
			backend_close(b);
		}
	/* too big for the limit */
	{
		struct backend *b = open_remote(REMOTE_CODEC_JSON,
						&(struct remote_opts){ .max_response = 4096 });

		reset(M_FIX);
		expect_fail(b, ERR_TOOBIG, "larger than");
		backend_close(b);
	}
}

static double recorded_sum(void)
{
	json_error_t e;
	json_t *root = json_loads(S.fix[1].data, 0, &e);
	json_t *pts = json_object_get(json_array_get(json_object_get(root, "series"), 0), "points");
	double sum = 0;
	size_t i;

	for (i = 0; i < json_array_size(pts); i++)
		sum += json_number_value(json_object_get(json_array_get(pts, i), "value"));
	json_decref(root);
	return sum;
}

static void test_range_split(void **state)
{
	struct backend *b = open_remote(REMOTE_CODEC_JSON, NULL);
	struct selector *sel;
	/* on the grid of 30 s: one request a piece (a partial step is a request of its own) */
	struct query q = cpu_query(&sel, (TL0 - 47 * HOUR) / (30 * SEC) * (30 * SEC),
				   (TL0 + 52 * 30 * SEC) / (30 * SEC) * (30 * SEC) + 30 * SEC);
	struct series_points_list l = { 0 };
	struct strvec names = STRVEC_INIT;
	struct prof *p = NULL;
	double sum = 0;
	int i;

	(void)state;
	reset(M_LIMIT);
	tu_assert_i64(b->max_range_ns, 0);  /* no limit known yet */
	assert_int_equal(b->ops->timeline(b, &q, 30, NULL, &l), 0);
	/* the limit the refusal named is the backend's, for callers that look far back */
	tu_assert_i64(b->max_range_ns, 24 * HOUR);
	/* refused once, then pieces of at most a day */
	assert_true(S.nspans >= 3);
	assert_true(S.spans_ms[0] > 24 * 3600 * 1000);
	for (i = 1; i < S.nspans; i++)
		assert_true(S.spans_ms[i] <= 24 * 3600 * 1000);
	for (i = 0; i < (int)l.v[0].n; i++)
		sum += l.v[0].values[i];
	/* every piece answered the whole recording, whose points are all in the range */
	assert_true(sum == (double)(S.nspans - 1) * recorded_sum());
	series_points_list_release(&l);
	reset(M_LIMIT);
	assert_int_equal(b->ops->merge_tree(b, &q, 0, &p, NULL), 0);
	tu_assert_i64(prof_total(p, 0), (int64_t)(S.nspans - 1) * 11100000000LL);
	prof_free(p);
	reset(M_LIMIT);
	assert_int_equal(b->ops->label_names(b, NULL, q.range, &names), 0);
	assert_true(S.nspans >= 3);
	strvec_release(&names);
	/* a refusal that names no limit: the server's reason (the limit known stays) */
	reset(M_LIMIT_NOLEN);
	assert_int_equal(b->ops->timeline(b, &q, 30, NULL, &l), ERR_PARSE);
	assert_non_null(strstr(err_last(), "the query time range exceeds the limit"));
	assert_int_equal(S.nspans, 1);
	tu_assert_i64(b->max_range_ns, 24 * HOUR);
	selector_free(sel);
	backend_close(b);
}

/*
 * Pyroscope's range holds both of its ends: a split range's pieces go out as [a, b - 1 ms],
 * [b, c - 1 ms], ..., so that a profile stamped right on a piece's edge is merged once
 * (it was in both pieces, which shared the millisecond b), and one stamped at the
 * range's end, outside [from, to), not at all.
 */
static void test_range_split_edges(void **state)
{
	const int64_t d20 = 1795132800000LL, piece = 24 * 3600 * 1000 - 60000;
	const int64_t ms[] = { d20, d20 + piece, d20 + 2 * piece, d20 + 2 * 86400000 - 1,
			       d20 + 2 * 86400000 };
	const double v[] = { 1, 10, 100, 1000, 10000 };
	size_t k;

	(void)state;
	for (k = 0; k < 2; k++) {
		struct backend *b = open_remote(codecs[k], NULL);
		struct selector *sel;
		struct query q = cpu_query(&sel, d20 * 1000000, (d20 + 2 * 86400000) * 1000000);
		struct prof *p = NULL;

		reset(M_PYRO_V2);
		pyro_profiles(ms, v, 5);
		if (b->ops->merge_tree(b, &q, 0, &p, NULL))
			fail_msg("%s", err_last());
		assert_int_equal(S.nspans, 4);  /* refused, then three pieces */
		tu_assert_i64(prof_total(p, 0), 1111);
		prof_free(p);
		/* unsplit (v1 has no limit): the same */
		reset(M_PYRO_V1);
		pyro_profiles(ms, v, 5);
		if (b->ops->merge_tree(b, &q, 0, &p, NULL))
			fail_msg("%s", err_last());
		tu_assert_i64(prof_total(p, 0), 1111);
		prof_free(p);
		selector_free(sel);
		backend_close(b);
	}
}

/*
 * Grafana Pyroscope answers a piece of a split range that has no profiles with the
 * merge of nothing ({"sampleType":[{}],...}; v2, and v1 past its lookback: an empty
 * Profile, no bytes in proto and {} in JSON): that piece adds nothing, and the result
 * is the pprof the other piece sent (it was "sample type 0 differs" before, and
 * "malformed answer" for the empty Profile).
 */
static void test_range_split_empty_piece(void **state)
{
	struct prof *want = tu_decode_bytes(S.pprof.data, S.pprof.len, "cpu.pb");
	size_t k;

	(void)state;
	for (k = 0; k < 4; k++) {
		struct backend *b = open_remote(codecs[k % 2], NULL);
		struct selector *sel;
		struct query q = cpu_query(&sel, TL0 - 47 * HOUR, TL0 + 52 * 30 * SEC);
		struct prof *p = NULL;

		reset(M_PYROEMPTY);
		S.v2_empty = k >= 2;
		if (b->ops->merge(b, &q, &p, NULL))
			fail_msg("%s", err_last());
		assert_int_equal(S.nspans, 3);  /* refused, then an empty piece and a full one */
		same_top(want, p, 0);
		prof_free(p);
		/* every piece empty: no data, said as the store says it */
		reset(M_PYROEMPTY_ALL);
		S.v2_empty = k >= 2;
		assert_int_equal(b->ops->merge(b, &q, &p, NULL), ERR_NOTFOUND);
		tu_assert_message(err_last());
		assert_non_null(strstr(err_last(), "no " CPU " profiles match"));
		assert_null(p);
		/*
		 * every piece empty, but the series are there: profiles whose values are all
		 * zero merge to nothing.  The empty profile of the type, as the store gives it
		 * (an empty table; it was "no profiles match")
		 */
		reset(M_PYROZERO);
		if (b->ops->merge(b, &q, &p, NULL))
			fail_msg("%s", err_last());
		assert_int_equal(p->nsamples, 0);
		assert_int_equal(p->ntypes, 1);
		assert_string_equal(prof_str(p, p->sample_types[0].type), "cpu");
		prof_free(p);
		selector_free(sel);
		backend_close(b);
	}
	prof_free(want);
}

/*
 * A gzipped SelectMergeProfile answer inflates within the answer's budget (16 x its size
 * + 16 MiB): 64 MiB of zeros in a 64 KiB body is refused at once as malformed (it was
 * inflated whole, up to 2 GiB, before the decoder said so).
 */
static void test_merge_gzip_bomb(void **state)
{
	struct libdeflate_compressor *z = libdeflate_alloc_compressor(9);
	size_t n = (size_t)64 << 20, cap;
	char *zeros = calloc(1, n);
	struct buf keep = S.pprof, bomb = BUF_INIT;
	struct backend *b = open_remote(REMOTE_CODEC_PROTO, NULL);
	struct selector *sel;
	struct query q = cpu_query(&sel, TL0 - HOUR, TL0 + 52 * 30 * SEC);
	struct prof *p = NULL;

	(void)state;
	assert_non_null(z);
	assert_non_null(zeros);
	cap = libdeflate_gzip_compress_bound(z, n);
	assert_int_equal(buf_grow(&bomb, cap), 0);
	bomb.len = libdeflate_gzip_compress(z, zeros, n, bomb.data, cap);
	assert_true(bomb.len > 0 && bomb.len < ((size_t)1 << 20));
	S.pprof = bomb;
	reset(M_PYROEMPTY);
	assert_int_equal(b->ops->merge(b, &q, &p, NULL), ERR_TOOBIG);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "malformed answer: inflates to more than"));
	assert_null(p);
	S.pprof = keep;
	buf_release(&bomb);
	free(zeros);
	libdeflate_free_compressor(z);
	selector_free(sel);
	backend_close(b);
}

/*
 * SelectSeries with many series (a --group-by of a label with many values): every new
 * series takes a grid of steps, so their number and the grids are bounded; past that a
 * one-line ERR_TOOBIG that says how to narrow the query, never gigabytes.
 */
static void test_timeline_bounds(void **state)
{
	struct buf body = BUF_INIT;
	struct series_points_list l = { 0 };
	size_t i;

	(void)state;
	buf_puts(&body, "{\"series\":[");
	for (i = 0; i < REMOTE_MAX_SERIES + 1; i++)
		buf_printf(&body, "%s{\"labels\":[{\"name\":\"p\",\"value\":\"%zx\"}]}", i ? "," : "",
			   i);
	buf_puts(&body, "]}");
	/* one step each: only the number of series is too much */
	assert_int_equal(remote_decode_timeline(REMOTE_CODEC_JSON, (const uint8_t *)body.data,
						body.len, 0, INT64_MAX / 1000000, 0, SEC, 1, &l),
			 ERR_TOOBIG);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "series"));
	assert_true(l.n <= REMOTE_MAX_SERIES);
	series_points_list_release(&l);
	memset(&l, 0, sizeof(l));
	/* 20 series of a million steps: 320 MB of grids */
	assert_int_equal(remote_decode_timeline(REMOTE_CODEC_JSON, (const uint8_t *)body.data,
						body.len, 0, INT64_MAX / 1000000, 0, SEC, 1000000, &l),
			 ERR_TOOBIG);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "step"));
	assert_true(l.n < 20);
	series_points_list_release(&l);
	memset(&l, 0, sizeof(l));
	/* within both: every series */
	buf_reset(&body);
	buf_puts(&body, "{\"series\":[");
	for (i = 0; i < 1000; i++)
		buf_printf(&body, "%s{\"labels\":[{\"name\":\"p\",\"value\":\"%zx\"}]}", i ? "," : "",
			   i);
	buf_puts(&body, "]}");
	assert_int_equal(remote_decode_timeline(REMOTE_CODEC_JSON, (const uint8_t *)body.data,
						body.len, 0, INT64_MAX / 1000000, 0, SEC, 3600, &l),
			 0);
	assert_int_equal(l.n, 1000);
	series_points_list_release(&l);
	buf_release(&body);
}

/*
 * A server's merge takes no aggregation (Pyroscope sums, smolder serve averages gauges):
 * --aggregate is refused for merges and diffs unless it is what every server does (sum of
 * a counter); the timeline sends it.
 */
static void test_aggregate_refused(void **state)
{
	struct backend *b = open_remote(REMOTE_CODEC_JSON, NULL);
	struct selector *sel;
	struct query q = cpu_query(&sel, 1700000000LL * SEC, 1700003600LL * SEC);
	struct prof *p = NULL;

	(void)state;
	reset(M_FIX);
	q.agg = AGG_SUM;
	assert_int_equal(b->ops->merge_tree(b, &q, 0, &p, NULL), 0);
	prof_free(p);
	p = NULL;
	q.agg = AGG_AVG;
	assert_int_equal(b->ops->merge_tree(b, &q, 0, &p, NULL), ERR_USAGE);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "--aggregate avg"));
	assert_non_null(strstr(err_last(), "--url"));
	assert_int_equal(b->ops->diff(b, &q, &q, 0, &p), ERR_USAGE);
	assert_null(p);
	q.profile_type = "memory:inuse_space:bytes:space:bytes";
	q.agg = AGG_SUM;
	reset(M_FIX);
	assert_int_equal(b->ops->merge(b, &q, &p, NULL), ERR_USAGE);
	assert_non_null(strstr(err_last(), "--aggregate sum"));
	assert_int_equal(S.requests, 0);
	assert_null(p);
	selector_free(sel);
	backend_close(b);
}

/*
 * A Diff whose sides each fit in 64 bits but whose combined node does not end there
 * (x 3*2^60 and total 2^61 on each side): refused as an overflow, not undefined
 * behaviour (UBSan aborted in rd_levels()).
 */
static void test_diff_overflow(void **state)
{
	static const char body[] =
		"{\"flamegraph\":{\"names\":[\"total\",\"leaf\"],\"levels\":["
		"{\"values\":[\"3458764513820540928\",\"2305843009213693952\",\"0\","
		"\"3458764513820540928\",\"2305843009213693952\",\"0\",\"0\"]},"
		"{\"values\":[\"3458764513820540928\",\"1\",\"1\","
		"\"3458764513820540928\",\"1\",\"1\",\"1\"]}],"
		"\"total\":\"4611686018427387904\",\"maxSelf\":\"1\","
		"\"leftTicks\":\"2305843009213693952\",\"rightTicks\":\"2305843009213693952\"}}";
	struct fb_prof_info fi = { "cpu", "nanoseconds", "cpu", "nanoseconds", 0, SEC, 0 };
	struct prof *p = NULL;

	(void)state;
	assert_int_equal(remote_decode_diff(REMOTE_CODEC_JSON, (const uint8_t *)body,
					    sizeof(body) - 1, &fi, &p, NULL),
			 ERR_PARSE);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "values overflow"));
	assert_null(p);
}

/* A redirect names the server the API moved to, not a method's URL, and no credentials */
static void test_redirects(void **state)
{
	struct backend *b = open_remote(REMOTE_CODEC_PROTO, &(struct remote_opts){ .attempts = 1 });
	char want[192];

	(void)state;
	reset(M_REDIR_ABS);
	expect_fail(b, ERR_NET, "redirects (HTTP 308) to http://127.0.0.1:4901");
	assert_null(strstr(err_last(), "QuerierService"));
	assert_null(strstr(err_last(), "pw-in-loc"));
	assert_null(strstr(err_last(), "tk"));
	reset(M_REDIR_REL);
	snprintf(want, sizeof(want), "redirects (HTTP 307) to %s/other", S.url);
	expect_fail(b, ERR_NET, want);
	assert_null(strstr(err_last(), "QuerierService"));
	backend_close(b);
}

/* a server that accepts connections and never answers */
static int hang_listen(unsigned *port)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)&a, &len))
		fail_msg("cannot listen");
	*port = ntohs(a.sin_port);
	return fd;
}

static atomic_int cancel_flag;

static void *canceller(void *arg)
{
	struct timespec ts = { 0, 300 * 1000000L };

	(void)arg;
	nanosleep(&ts, NULL);
	cancel_flag = 1;
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_hang_cancel_timeout(void **state)
{
	char url[64];
	unsigned port;
	int fd = hang_listen(&port);
	struct backend *b;
	pthread_t th;
	double t0;

	(void)state;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", port);
	/* cancelled mid-request: back within about a second */
	b = open_remote(REMOTE_CODEC_PROTO, &(struct remote_opts){ .url = url });
	cancel_flag = 0;
	b->cancel = &cancel_flag;
	pthread_create(&th, NULL, canceller, NULL);
	t0 = now_s();
	expect_fail(b, ERR_CANCELLED, "cancelled");
	pthread_join(th, NULL);
	assert_true(now_s() - t0 < 1.5);
	backend_close(b);
	/* a timeout: one attempt, a clear message */
	b = open_remote(REMOTE_CODEC_PROTO, &(struct remote_opts){ .url = url, .timeout_ms = 400,
								   .attempts = 1 });
	t0 = now_s();
	expect_fail(b, ERR_NET, "timed out");
	assert_true(now_s() - t0 < 2.0);
	backend_close(b);
	close(fd);
	/* slow is not broken */
	{
		struct selector *sel;
		struct query q = cpu_query(&sel, 1700000000LL * SEC, 1700003600LL * SEC);
		struct prof *p = NULL;

		reset(M_SLOW);
		b = open_remote(REMOTE_CODEC_PROTO, NULL);
		assert_int_equal(b->ops->merge_tree(b, &q, 0, &p, NULL), 0);
		prof_free(p);
		selector_free(sel);
		backend_close(b);
	}
}

/* The same flat and cum per function name, and the same total, for type t. */
static void same_top(const struct prof *a, const struct prof *b, uint32_t t)
{
	struct top x, y;
	uint32_t i;

	assert_int_equal(top_compute(a, t, &x), 0);
	assert_int_equal(top_compute(b, t, &y), 0);
	tu_assert_i64(y.total, x.total);
	assert_true(x.total > 0);
	assert_int_equal(x.n, y.n);
	for (i = 0; i < x.n; i++) {
		const struct top_row *r = tu_top_row(&y, b, prof_str(a, x.rows[i].name));

		assert_non_null(r);
		tu_assert_i64(r->flat, x.rows[i].flat);
		tu_assert_i64(r->cum, x.rows[i].cum);
	}
	top_release(&x);
	top_release(&y);
}

/* smolder to smolder, in process: every operation equals the store's own answer */
static void test_own_server(void **state)
{
	struct backend *local;
	size_t k;

	(void)state;
	assert_int_equal(store_backend_new(own_store, NULL, &local), 0);
	for (k = 0; k < 2; k++) {
		struct backend *b = open_remote(codecs[k], &(struct remote_opts){ .url = own_url });
		struct selector *sel;
		struct query q = { .profile_type = CPU, .range = { OWN_T0, OWN_T0 + 60 * SEC } };
		struct query base = q, cur = q;
		struct prof *pl = NULL, *pr = NULL;
		struct series_points_list tl = { 0 }, tr = { 0 };
		struct strvec vl = STRVEC_INIT, vr = STRVEC_INIT;
		struct merge_info mi;
		size_t i, j;

		assert_int_equal(selector_parse("{service_name=\"cpuwork\"}", &sel), 0);
		q.selector = base.selector = cur.selector = sel;
		/* full pprof */
		assert_int_equal(local->ops->merge(local, &q, &pl, NULL), 0);
		assert_int_equal(b->ops->merge(b, &q, &pr, &mi), 0);
		assert_true(mi.remote && !mi.truncated);
		same_top(pl, pr, 0);
		prof_free(pr);
		/* the flame graph: whole, then folded with the totals kept */
		assert_int_equal(b->ops->merge_tree(b, &q, 0, &pr, &mi), 0);
		assert_false(mi.truncated);
		same_top(pl, pr, 0);
		prof_free(pr);
		assert_int_equal(b->ops->merge_tree(b, &q, 8, &pr, &mi), 0);
		assert_true(mi.truncated);
		tu_assert_i64(prof_total(pr, 0), prof_total(pl, 0));
		prof_free(pr);
		prof_free(pl);
		/* Diff in one request equals the generic pairing of two merges */
		base.range.to_ns = cur.range.from_ns = OWN_T0 + 5 * SEC;
		assert_int_equal(backend_diff(local, &base, &cur, 0, &pl), 0);
		assert_int_equal(backend_diff(b, &base, &cur, 0, &pr), 0);
		assert_int_equal(pr->ntypes, 2);
		same_top(pl, pr, 0);
		same_top(pl, pr, 1);
		prof_free(pl);
		prof_free(pr);
		/*
		 * timelines (the profiles at T0 and T0 + 10 s, on the steps' edges): the
		 * range on the steps, off them, and inside one step; then labels
		 */
		for (j = 0; j < 3; j++) {
			struct query t = q;
			double step = 10;

			if (j == 1)
				t.range = (struct time_range){ OWN_T0 - 3 * SEC, OWN_T0 + 17 * SEC };
			if (j == 2) {
				t.range = (struct time_range){ OWN_T0 - 3 * SEC, OWN_T0 + 14 * SEC };
				step = backend_timeline_one_step(t.range);
			}
			assert_int_equal(local->ops->timeline(local, &t, step, NULL, &tl), 0);
			assert_int_equal(b->ops->timeline(b, &t, step, NULL, &tr), 0);
			assert_int_equal(tl.n, tr.n);
			assert_int_equal(tl.v[0].n, tr.v[0].n);
			for (i = 0; i < tl.v[0].n; i++) {
				tu_assert_i64(tl.v[0].ts_ms[i], tr.v[0].ts_ms[i]);
				assert_true(tl.v[0].values[i] == tr.v[0].values[i]);
			}
			assert_true(tl.v[0].values[j == 2 ? 0 : 1] > 0);
			series_points_list_release(&tl);
			series_points_list_release(&tr);
			memset(&tl, 0, sizeof(tl));
			memset(&tr, 0, sizeof(tr));
		}
		assert_int_equal(local->ops->label_values(local, "__profile_type__", sel, q.range, &vl), 0);
		assert_int_equal(b->ops->label_values(b, "__profile_type__", sel, q.range, &vr), 0);
		assert_int_equal(vl.n, vr.n);
		for (i = 0; i < vl.n; i++)
			assert_string_equal(vl.v[i], vr.v[i]);
		series_points_list_release(&tl);
		series_points_list_release(&tr);
		strvec_release(&vl);
		strvec_release(&vr);
		selector_free(sel);
		backend_close(b);
	}
	backend_close(local);
}

/*
 * A range whose `from` is off the grid (the default --from now-1h never is on it):
 * Pyroscope lays its steps from the request's start, and the tail after the last step
 * was measured from there too, so its one point (stamped `to`) took profiles of the
 * step before; and the first steps straddled the grid's edges.  Against both
 * stand-ins (upstream's loop, v1 and v2) and smolder serve over a store, every profile
 * is in the step the store puts it in: on the range's edges, on the grid's, 1 ms
 * either side; none counted twice or lost.  Head, whole steps and tail: three
 * requests; a range whose `from` is on the grid: two, as before.
 */
#define EDGE_T0 (1700001000LL * 1000)  /* ms, on the 15 s grid */

static const int64_t edge_ms[] = { 6999, 7000, 14999, 15000, 29999, 30000, 44999,
				   45000, 46999, 47000 };

static void test_timeline_off_grid(void **state)
{
	const double want[4] = { 2 + 4, 8 + 16, 32 + 64, 128 + 256 };
	int64_t ms[10];
	double v[10];
	struct backend *local;
	size_t k, m, i;

	(void)state;
	for (i = 0; i < 10; i++) {
		ms[i] = EDGE_T0 + edge_ms[i];
		v[i] = (double)(1 << i);
	}
	for (k = 0; k < 2; k++)
		for (m = 0; m < 2; m++) {
			struct backend *b = open_remote(codecs[k], NULL);
			struct selector *sel;
			struct query q = cpu_query(&sel, (EDGE_T0 + 7000) * 1000000,
						   (EDGE_T0 + 47000) * 1000000);
			struct series_points_list l = { 0 };

			reset(m ? M_PYRO_V2 : M_PYRO_V1);
			pyro_profiles(ms, v, 10);
			assert_int_equal(b->ops->timeline(b, &q, 15, NULL, &l), 0);
			assert_int_equal(S.nspans, 3);
			assert_int_equal(l.n, 1);
			assert_int_equal(l.v[0].n, 4);
			tu_assert_i64(l.v[0].ts_ms[0], EDGE_T0);
			for (i = 0; i < 4; i++)
				assert_true(l.v[0].values[i] == want[i]);
			series_points_list_release(&l);
			memset(&l, 0, sizeof(l));
			/* from on the grid, to off it: the whole steps and the tail */
			reset(m ? M_PYRO_V2 : M_PYRO_V1);
			pyro_profiles(ms, v, 10);
			q.range.from_ns = (EDGE_T0 + 15000) * 1000000;
			assert_int_equal(b->ops->timeline(b, &q, 15, NULL, &l), 0);
			assert_int_equal(S.nspans, 2);
			assert_int_equal(l.v[0].n, 3);
			for (i = 0; i < 3; i++)
				assert_true(l.v[0].values[i] == want[i + 1]);
			series_points_list_release(&l);
			memset(&l, 0, sizeof(l));
			/* from and to in steps side by side: the head and the tail */
			reset(m ? M_PYRO_V2 : M_PYRO_V1);
			pyro_profiles(ms, v, 10);
			q.range = (struct time_range){ (EDGE_T0 + 7000) * 1000000,
						       (EDGE_T0 + 30000) * 1000000 };
			assert_int_equal(b->ops->timeline(b, &q, 15, NULL, &l), 0);
			assert_int_equal(S.nspans, 2);
			assert_int_equal(l.v[0].n, 2);
			assert_true(l.v[0].values[0] == want[0]);
			assert_true(l.v[0].values[1] == want[1]);
			series_points_list_release(&l);
			selector_free(sel);
			backend_close(b);
		}
	/* smolder serve over a store: the same profiles, the store's own timeline */
	for (i = 0; i < 10; i++)
		own_put_as(i % 2 ? "cpuwork-cpu.pb.gz" : "cpuwork-cpu-after-scoreRecords-3x.pb.gz",
			   "edges", ms[i] * 1000000);
	assert_int_equal(store_backend_new(own_store, NULL, &local), 0);
	for (k = 0; k < 2; k++) {
		struct backend *b = open_remote(codecs[k], &(struct remote_opts){ .url = own_url });
		struct selector *sel;
		struct query q = { .profile_type = CPU,
				   .range = { (EDGE_T0 + 7000) * 1000000,
					      (EDGE_T0 + 47000) * 1000000 } };
		struct series_points_list tl = { 0 }, tr = { 0 };
		double sum = 0;

		assert_int_equal(selector_parse("{service_name=\"edges\"}", &sel), 0);
		q.selector = sel;
		assert_int_equal(local->ops->timeline(local, &q, 15, NULL, &tl), 0);
		assert_int_equal(b->ops->timeline(b, &q, 15, NULL, &tr), 0);
		assert_int_equal(tl.n, 1);
		assert_int_equal(tr.n, 1);
		assert_int_equal(tl.v[0].n, 4);
		assert_int_equal(tr.v[0].n, 4);
		for (i = 0; i < 4; i++) {
			tu_assert_i64(tl.v[0].ts_ms[i], tr.v[0].ts_ms[i]);
			assert_true(tl.v[0].values[i] > 0);
			assert_true(tl.v[0].values[i] == tr.v[0].values[i]);
			sum += tr.v[0].values[i];
		}
		assert_true(sum > 0);
		series_points_list_release(&tl);
		series_points_list_release(&tr);
		selector_free(sel);
		backend_close(b);
	}
	backend_close(local);
}

static void test_url_redact(void **state)
{
	static const char *const cases[][2] = {
		{"https://user:pw@host:4040/prefix/?token=x#f", "https://host:4040/prefix/"},
		{"http://a@b@host/p", "http://host/p"},
		{"http://host:4040", "http://host:4040"},
		{"http://host/api/datasources/proxy/uid/abc",
		 "http://host/api/datasources/proxy/uid/abc"},
		/* no scheme: the user information goes all the same */
		{"admin:s3cretpw@pyroscope.example:4040", "pyroscope.example:4040"},
		{"user:pw@host/p@x?t=1", "host/p@x"},
		{"host:4040/p", "host:4040/p"},
		{"htp://user:pw@host", "htp://host"},
		/*
		 * a '/', '?' or '#' in a password, not percent-encoded: the URL does not
		 * parse, and all up to the last '@' goes (the password was shown)
		 */
		{"http://bob:se/cret@127.0.0.1:4711", "http://127.0.0.1:4711"},
		{"http://bob:se?cret@127.0.0.1:4711/p?t=1", "http://127.0.0.1:4711/p"},
		{"https://bob:se#cret@host/p", "https://host/p"},
		{"bob:se/cr?et@host:4040", "host:4040"},
		{"a@b:pw@host/p@x?t=1", "x"},
		{"http://bob:p%2Fw@host/p", "http://host/p"},
	};
	static const char *const bad[] = { "admin:s3cretpw@pyroscope.example:4040",
					   "htp://user:s3cretpw@host:4040", "user:s3cretpw@host",
					   "user:s3cr/etpw@host", "ftp://user:s3cr#etpw@host" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b = BUF_INIT;

		assert_int_equal(remote_url_redact(cases[i][0], &b), 0);
		assert_string_equal(b.data, cases[i][1]);
		buf_release(&b);
	}
	/* a URL that is refused is quoted without its password */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct backend *b = NULL;

		assert_int_equal(remote_backend_open(&(struct remote_opts){ .url = bad[i] }, &b),
				 ERR_USAGE);
		tu_assert_message(err_last());
		assert_non_null(strstr(err_last(), "http://"));
		assert_null(strstr(err_last(), "s3cr"));
		assert_null(strstr(err_last(), "etpw"));
		assert_null(b);
	}
	/* an http URL that does not parse: what libcurl says of it lacks the password */
	{
		struct buf url = BUF_INIT;
		struct backend *b;

		assert_int_equal(buf_printf(&url, "http://bob:s3/cretpw@%s", S.url + 7), 0);
		b = open_remote(REMOTE_CODEC_JSON, &(struct remote_opts){ .url = url.data });
		reset(M_FIX);
		expect_fail(b, ERR_USAGE, "not an http(s) URL");
		assert_null(strstr(err_last(), "cretpw"));
		assert_non_null(strstr(err_last(), S.url));
		backend_close(b);
		buf_release(&url);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flamegraph),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_lists_from_epoch),
		cmocka_unit_test(test_timeline),
		cmocka_unit_test(test_timeline_step_ends),
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_server_errors),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_range_split),
		cmocka_unit_test(test_range_split_edges),
		cmocka_unit_test(test_range_split_empty_piece),
		cmocka_unit_test(test_merge_gzip_bomb),
		cmocka_unit_test(test_timeline_bounds),
		cmocka_unit_test(test_aggregate_refused),
		cmocka_unit_test(test_diff_overflow),
		cmocka_unit_test(test_redirects),
		cmocka_unit_test(test_hang_cancel_timeout),
		cmocka_unit_test(test_own_server),
		cmocka_unit_test(test_timeline_off_grid),
		cmocka_unit_test(test_url_redact),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}
