/* testutil_ingest.c — requests and bodies for the ingest protocol tests (testutil_ingest.h). */
#include "testutil_ingest.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "push.pb-c.h"

int64_t ti_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}


/* r must be zeroed before its first use ({ 0 }); a reused one keeps no old body. */
void ti_req_init(struct ti_req *r, const char *method, const char *path, const char *query)
{
	buf_release(&r->body);
	memset(r, 0, sizeof(*r));
	r->rq.method = method;
	r->rq.path = path;
	r->rq.query = query;
	r->rq.headers = r->h;
	r->rq.now_ns = ti_now_ns();
}

void ti_req_header(struct ti_req *r, const char *name, const char *value)
{
	size_t i = r->rq.nheaders++;

	assert_true(i < 16);
	snprintf(r->hv[i], sizeof(r->hv[i]), "%s", value);
	r->h[i].name = name;
	r->h[i].value = r->hv[i];
}

void ti_req_body(struct ti_req *r, const void *data, size_t n)
{
	buf_reset(&r->body);
	buf_add(&r->body, data, n);
	r->rq.body = (const uint8_t *)(r->body.data ? r->body.data : "");
	r->rq.body_len = r->body.len;
}

void ti_req_release(struct ti_req *r)
{
	buf_release(&r->body);
}

int ti_run(struct ti_req *r, const struct ingest_limits *lim, struct ingest_result *out)
{
	ingest_result_init(out);
	err_clear();
	return ingest_handle(&r->rq, lim, out);
}

void ti_assert_ok(int rc, const struct ingest_result *res, size_t nitems)
{
	if (rc != 0 || res->status != 200)
		fail_msg("expected 200, got %d (rc %d): %s", res->status, rc, res->reason);
	assert_string_equal(res->code, "");
	if (res->n != nitems)
		fail_msg("expected %zu items, got %zu", nitems, res->n);
}

/* A refusal: the status, no items, a good one-line reason, err_last() the same. */
void ti_assert_refused(int rc, const struct ingest_result *res, int status)
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

void ti_refuse(struct ti_req *r, const struct ingest_limits *lim, int status,
	       const char *needle)
{
	struct ingest_result res;
	int rc = ti_run(r, lim, &res);

	ti_assert_refused(rc, &res, status);
	if (needle && !strstr(res.reason, needle))
		fail_msg("reason '%s' does not mention '%s'", res.reason, needle);
	ingest_result_release(&res);
}

/* ---- bodies ---- */

/* One part as Go's multipart.Writer.CreateFormFile writes it. */
void ti_mp_part(struct buf *b, const char *name, const char *filename, const void *data,
		size_t n)
{
	buf_printf(b, "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"%s\"", name);
	if (filename)
		buf_printf(b, "; filename=\"%s\"", filename);
	buf_puts(b, "\r\nContent-Type: application/octet-stream\r\n\r\n");
	buf_add(b, data, n);
	buf_puts(b, "\r\n");
}

void ti_mp_end(struct buf *b)
{
	buf_puts(b, "--" BOUNDARY "--\r\n");
}

/* label pairs: name, value, name, value, ..., NULL */
void ti_push_proto(struct buf *out, const char *const *labels, const struct buf *profs,
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
void ti_push_json(struct buf *out, const char *const *labels, const struct buf *profs,
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

void ti_legacy_multipart(struct ti_req *r, const char *ctype, const void *body, size_t n)
{
	ti_req_init(r, "POST", "/ingest", "name=app&spyName=gospy");
	ti_req_header(r, "Content-Type", ctype);
	ti_req_body(r, body, n);
}
