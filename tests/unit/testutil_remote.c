/*
 * testutil_remote.c — the stand-in Grafana Pyroscope server, our own query server over a
 * store, and the helpers the remote backend's tests open them with (testutil_remote.h
 * says what each serves and who owns what).
 */
#include "testutil_remote.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "ingest/decode.h"
#include "ingest/serve.h"
#include "profile/labels.h"
#include "profile/top.h"
#include "profile.pb-c.h"
#include "querier.pb-c.h"
#include "store/pbjson.h"
#include "store/querier_server.h"
#include "types.pb-c.h"

#define FIX "pyroscope/grafana-pyroscope/ui/e2e/fixtures/"

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
static void derived(struct standin *s, const char *method, const struct buf *req, bool json,
		    struct buf *out)
{
	json_error_t e;
	json_t *series = json_loads(s->fix[2].data, 0, &e),
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

static void note_span(struct standin *s, const char *method, const struct buf *req, bool json)
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
			s->piece_end_ms = ((Querier__V1__SelectMergeProfileRequest *)m)->end;
		else
			span = ((Querier__V1__SelectMergeStacktracesRequest *)m)->end -
			       ((Querier__V1__SelectMergeStacktracesRequest *)m)->start;
	}
	pb_budget_release(&bu);
	pthread_mutex_lock(&s->mu);
	if (s->nspans < 64)
		s->spans_ms[s->nspans++] = span;
	pthread_mutex_unlock(&s->mu);
}

/*
 * SelectMergeProfile as Grafana Pyroscope answers it (M_PYROEMPTY, M_PYROEMPTY_ALL,
 * M_PYROZERO: the series are there, but every value merged is zero)
 */
static enum MHD_Result pyroscope_merge(struct standin *s, struct MHD_Connection *c,
				       const struct buf *req, bool json)
{
	static const char empty_json[] = "{\"sampleType\":[{}],\"periodType\":{},\"stringTable\":[\"\"]}";
	/* sample_type {}, period_type {}, string_table [""] */
	static const char empty_proto[] = "\x0a\x00\x32\x00\x5a\x00";
	struct buf out = BUF_INIT;
	struct pb_budget bu;
	ProtobufCMessage *m;
	enum MHD_Result ok;

	note_span(s, "SelectMergeProfile", req, json);
	if (s->spans_ms[s->nspans - 1] > 24 * 3600 * 1000)
		return connect_error(c, 400, "invalid_argument",
				     "the query time range exceeds the limit (query length: "
				     "48h0m0s, limit: 24h0m0s)");
	if ((s->mode == M_PYROEMPTY_ALL || s->piece_end_ms < TL0 / 1000000) && s->v2_empty)
		return json ? answer(c, 200, "application/json", "{}", 2, NULL, NULL)
			    : answer(c, 200, "application/proto", "", 0, NULL, NULL);
	if (s->mode == M_PYROEMPTY_ALL || s->mode == M_PYROZERO || s->piece_end_ms < TL0 / 1000000)
		return json ? answer(c, 200, "application/json", empty_json, strlen(empty_json),
				     NULL, NULL)
			    : answer(c, 200, "application/proto", empty_proto, 6, NULL, NULL);
	if (!json)
		return answer(c, 200, "application/proto", s->pprof.data, s->pprof.len, NULL, NULL);
	pb_budget_init(&bu, (size_t)1 << 28);
	if (pb_decode(&perftools__profiles__profile__descriptor, PB_PROTO,
		      (const uint8_t *)s->pprof.data, s->pprof.len, &bu, &m) ||
	    pb_encode(m, PB_JSON, &out))
		fail_msg("stand-in: %s", err_last());
	ok = answer(c, 200, "application/json", out.data, out.len, NULL, NULL);
	pb_budget_release(&bu);
	buf_release(&out);
	return ok;
}

/*
 * SelectSeries as Grafana Pyroscope computes it (pkg/model/timeseries/range.go): the step
 * cut to whole ms as upstream reads it; steps from `from`, while <= end; a step's point,
 * stamped with the step, sums the profiles not yet taken at or before it; profiles after
 * the last step are left out.  v1's querier: RangeSeries(start, end) over the profiles
 * of [start, end].  v2's query frontend: the profiles of [start - step, end],
 * RangeSeries(start, end), and a range longer than 24 h refused.
 */
static enum MHD_Result pyroscope_series(struct standin *s, struct MHD_Connection *c,
					const struct buf *req, bool json)
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
	note_span(s, "SelectSeries", req, json);
	if (s->mode == M_PYRO_V2 && r->end - r->start > 24 * 3600 * 1000) {
		pb_budget_release(&bu);
		return connect_error(c, 400, "invalid_argument",
				     "the query time range exceeds the limit (query length: "
				     "48h0m0s, limit: 24h0m0s)");
	}
	/* time.Duration(step * 1e9).Milliseconds(), as upstream: both cut, 4.1 s is 4099 ms */
	step = (int64_t)(r->step * 1e9) / 1000000;
	lo = s->mode == M_PYRO_V2 ? r->start - step : r->start;
	buf_puts(&out, "{\"series\":[{\"points\":[");
	for (cur = r->start; cur <= r->end; cur += step) {
		double sum = 0;
		bool any = false;

		for (i = 0; i < s->nprof; i++)
			if (!taken[i] && s->prof_ms[i] >= lo && s->prof_ms[i] <= r->end &&
			    s->prof_ms[i] <= cur) {
				taken[i] = any = true;
				sum += s->prof_val[i];
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
static enum MHD_Result pyroscope_flamegraph(struct standin *s, struct MHD_Connection *c,
					    const struct buf *req, bool json)
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
	note_span(s, "SelectMergeStacktraces", req, json);
	if (s->mode == M_PYRO_V2 && r->end - r->start > 24 * 3600 * 1000) {
		pb_budget_release(&bu);
		return connect_error(c, 400, "invalid_argument",
				     "the query time range exceeds the limit (query length: "
				     "48h0m0s, limit: 24h0m0s)");
	}
	for (i = 0; i < s->nprof; i++)
		if (s->prof_ms[i] >= r->start && s->prof_ms[i] <= r->end)
			sum += (long long)s->prof_val[i];
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
	struct standin *s = cls;
	enum MHD_Result ok;
	int n;

	(void)method, (void)version;
	if (!k) {
		*con_cls = k = calloc(1, sizeof(*k));
		return MHD_YES;
	}
	if (*size) {
		buf_add(&k->body, data, *size);
		*size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&s->mu);
	n = ++s->requests;
	snprintf(s->path, sizeof(s->path), "%s", url);
	snprintf(s->ctype, sizeof(s->ctype), "%s", ct ? ct : "");
	h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
	snprintf(s->accept, sizeof(s->accept), "%s", h ? h : "");
	h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	snprintf(s->auth, sizeof(s->auth), "%s", h ? h : "");
	h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Scope-OrgID");
	snprintf(s->tenant, sizeof(s->tenant), "%s", h ? h : "");
	buf_reset(&s->body);
	buf_add(&s->body, k->body.data ? k->body.data : "", k->body.len);
	s->json = json;
	pthread_mutex_unlock(&s->mu);

	switch (s->mode) {
	case M_AUTH:
		if (strcmp(s->auth, "Basic dXNlcjpzM2NyZXQ=") != 0 &&   /* user:s3cret */
		    strcmp(s->auth, "Bearer t0ken") != 0)
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
		note_span(s, name, &k->body, json);
		if (s->spans_ms[s->nspans - 1] > 24 * 3600 * 1000)
			return connect_error(
				c, 400, "invalid_argument",
				s->mode == M_LIMIT
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
			return pyroscope_merge(s, c, &k->body, json);
		/* no profiles at all: no series, so no profile type either */
		if (s->mode == M_PYROEMPTY_ALL && strcmp(name, "LabelValues") == 0)
			return json ? answer(c, 200, ct, "{}", 2, NULL, NULL)
				    : answer(c, 200, ct, "", 0, NULL, NULL);
		break;
	case M_PYRO_V1:
	case M_PYRO_V2:
		if (strcmp(name, "SelectSeries") == 0)
			return pyroscope_series(s, c, &k->body, json);
		if (strcmp(name, "SelectMergeStacktraces") == 0)
			return pyroscope_flamegraph(s, c, &k->body, json);
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
		fix = &s->fix[0], d = &querier__v1__select_merge_stacktraces_response__descriptor;
	else if (strcmp(name, "SelectSeries") == 0)
		fix = &s->fix[1], d = &querier__v1__select_series_response__descriptor;
	else if (strcmp(name, "Series") == 0)
		fix = &s->fix[2], d = &querier__v1__series_response__descriptor;
	else if (strcmp(name, "LabelNames") == 0)
		fix = &s->fix[3], d = &types__v1__label_names_response__descriptor;
	if (fix) {
		buf_add(&out, fix->data, fix->len);
	} else if (strcmp(name, "ProfileTypes") == 0 || strcmp(name, "LabelValues") == 0) {
		derived(s, name, &k->body, json, &out);
		d = name[0] == 'P' ? &querier__v1__profile_types_response__descriptor :
				     &types__v1__label_values_response__descriptor;
	} else {
		return connect_error(c, 404, "unimplemented", "no such method");
	}
	if (s->mode == M_BADLEVELS) {
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
	if (s->mode == M_TRUNC)
		out.len = out.len / 2;
	ok = answer(c, 200, json ? "application/json" : "application/proto",
		    out.data ? out.data : "", out.len, NULL, NULL);
	buf_release(&out);
	return ok;
}
/* ---- our own query server, in process, over a store (smolder to smolder) ---- */

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
	struct own_server *own = cls;
	enum MHD_Result ok;

	(void)version;
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
	if (store_backend_new(own->store, NULL, &b))
		return MHD_NO;
	querier_serve(b, &rq, &out);
	backend_close(b);
	ok = answer(c, out.status, out.content_type, out.body.data ? out.body.data : "",
		    out.body.len, NULL, NULL);
	buf_release(&out.body);
	return ok;
}

void own_server_put(struct own_server *own, const char *file, const char *service, int64_t t)
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
	if (store_write(own->store, NULL, &ls, p, t, 10 * SEC))
		fail_msg("store_write: %s", err_last());
	labelset_free(&ls);
	prof_free(p);
	buf_release(&b);
}

static int own_start(struct own_server *own)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	const union MHD_DaemonInfo *info;
	char path[128];

	snprintf(own->dir, sizeof(own->dir), "/tmp/smolder-test-remote-XXXXXX");
	if (!mkdtemp(own->dir))
		return -1;
	snprintf(path, sizeof(path), "%s/s.db", own->dir);
	if (store_open(path, STORE_CREATE, &own->store))
		return -1;
	own_server_put(own, "cpuwork-cpu.pb.gz", "cpuwork", OWN_T0);
	own_server_put(own, "cpuwork-cpu-after-scoreRecords-3x.pb.gz", "cpuwork",
		       OWN_T0 + 10 * SEC);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	own->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, own_handler, own,
				  MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_SOCK_ADDR,
				  (struct sockaddr *)&a, MHD_OPTION_END);
	if (!own->d || !(info = MHD_get_daemon_info(own->d, MHD_DAEMON_INFO_BIND_PORT)))
		return -1;
	snprintf(own->url, sizeof(own->url), "http://127.0.0.1:%u", (unsigned)info->port);
	return 0;
}

static void own_stop(struct own_server *own)
{
	char path[128];

	MHD_stop_daemon(own->d);
	store_close(own->store);
	snprintf(path, sizeof(path), "%s/s.db", own->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/s.db-wal", own->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/s.db-shm", own->dir);
	unlink(path);
	rmdir(own->dir);
}

/* ---- starting, stopping, helpers ---- */

int tr_setup(void **state)
{
	struct remote_fixture *fx = calloc(1, sizeof(*fx));
	struct standin *s = &fx->s;
	struct sockaddr_in a = { .sin_family = AF_INET };
	const union MHD_DaemonInfo *info;
	size_t i;

	*state = fx;
	if (!fx)
		return -1;
	pthread_mutex_init(&s->mu, NULL);
	for (i = 0; i < 4; i++)
		tu_read(fixture_files[i], &s->fix[i]);
	if (one_type_pprof(&s->pprof))
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
				NULL, NULL, handler, s, MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&a, MHD_OPTION_END);
	if (!s->d || !(info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT)))
		return -1;
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%u", (unsigned)info->port);
	return own_start(&fx->own);
}

int tr_teardown(void **state)
{
	struct remote_fixture *fx = *state;
	size_t i;

	own_stop(&fx->own);
	MHD_stop_daemon(fx->s.d);
	for (i = 0; i < 4; i++)
		buf_release(&fx->s.fix[i]);
	buf_release(&fx->s.pprof);
	buf_release(&fx->s.body);
	pthread_mutex_destroy(&fx->s.mu);
	free(fx);
	return 0;
}

void standin_reset(struct standin *s, enum standin_mode m)
{
	pthread_mutex_lock(&s->mu);
	s->mode = m;
	s->requests = 0;
	s->nspans = 0;
	s->auth[0] = s->tenant[0] = '\0';
	s->v2_empty = false;
	pthread_mutex_unlock(&s->mu);
}

void standin_profiles(struct standin *s, const int64_t *ms, const double *v, int n)
{
	int i;

	assert_true(n >= 0 && n <= 16);
	for (i = 0; i < n; i++) {
		s->prof_ms[i] = ms[i];
		s->prof_val[i] = v[i];
	}
	s->nprof = n;
}

const enum remote_codec tr_codecs[2] = { REMOTE_CODEC_PROTO, REMOTE_CODEC_JSON };

struct backend *tr_open(const struct standin *s, enum remote_codec c,
			const struct remote_opts *extra)
{
	struct remote_opts o = { 0 };
	struct backend *b = NULL;

	if (extra)
		o = *extra;
	if (!o.url)
		o.url = s->url;
	o.codec = c;
	if (remote_backend_open(&o, &b))
		fail_msg("remote_backend_open: %s", err_last());
	return b;
}

struct query tr_cpu_query(struct selector **sel, int64_t from, int64_t to)
{
	struct query q = { .profile_type = CPU, .range = { from, to } };

	assert_int_equal(selector_parse("{service_name=\"pyroscope\"}", sel), 0);
	q.selector = *sel;
	return q;
}

void tr_same_top(const struct prof *a, const struct prof *b, uint32_t t)
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
