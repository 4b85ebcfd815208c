/*
 * push.c — POST /push.v1.PusherService/Push (ingest.h): Connect unary over HTTP/1.1, as
 * connect-go serves Pyroscope's distributor (spec §2, §3.1).
 *
 *   Content-Type      application/proto, or application/json (charset utf-8 allowed);
 *                     gRPC types get 415 (they need HTTP/2), anything else 415;
 *   Content-Encoding  gzip (pyroscope-rs gzips the whole body) or identity;
 *   JSON              proto3 JSON mapping: lowerCamelCase or proto field names
 *                     (rawProfile / raw_profile), bytes as base64 (standard or URL-safe,
 *                     padded or not), unknown fields ignored, duplicate keys refused;
 *   each sample       one profile with its series' labels: raw_profile gzip-sniffed and
 *                     decoded, validated, typed by the store; annotations are dropped;
 *   labels            read as the distributor does (ingest_series_pairs): a name given
 *                     an empty value is no label, with all its values; a name given two
 *                     values is refused (400, "duplicate label name"); so is an empty
 *                     service_name.
 *
 * Errors are Connect errors: invalid_argument (400) for anything wrong in the request,
 * resource_exhausted for a body over the limit (413 here; connect-go says 429, which
 * invites retries of a request that can never pass), unimplemented for an unknown
 * Content-Encoding (with 415).  Deliberate differences: all or nothing (Pyroscope keeps
 * the valid profiles of a partly bad push and still answers with an error); a raw_profile
 * that is not a pprof is invalid_argument (upstream: unknown, 500).
 *
 * Memory: protobuf-c unpacks into an arena with a budget (4 × the body + 4 MiB) and the
 * JSON's values are counted before jansson parses it, so a body of tiny messages cannot
 * make the decoder allocate without bound.
 */
#include "ingest_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base64.h"
#include "base/pbbudget.h"
#include "base/vec.h"
#include "ingest/decode.h"
#include "push.pb-c.h"

/* ---- JSON → the protobuf-c structs ---- */

/* An allocation from the budget failed: over the budget, or out of memory. */
#define NOMEM(bu) ((bu)->over ? err_set(ERR_TOOBIG, "the request needs too much memory to decode") \
			      : err_set(ERR_NOMEM, "out of memory"))

/*
 * protojson's bytes: standard or URL-safe base64, with or without padding (Go's decoder
 * also skips CR and LF).  The output goes to the budget arena.
 */
static int b64_bytes(struct pb_budget *bu, const char *s, size_t n, ProtobufCBinaryData *out)
{
	uint8_t *d = pb_budget_alloc(bu, base64_max_decoded(n));
	size_t len;
	int rc;

	if (!d)
		return NOMEM(bu);
	if ((rc = base64_decode(s, n, true, d, &len)))
		return rc;
	out->data = d;
	out->len = len;
	return 0;
}

/* A message's field by JSON name or proto name; both at once is an error. */
static int jfield(json_t *obj, const char *json_name, const char *proto_name, json_t **out)
{
	json_t *a = json_object_get(obj, json_name);
	json_t *b = proto_name ? json_object_get(obj, proto_name) : NULL;

	if (a && b)
		return err_set(ERR_PARSE, "field %s given twice", proto_name);
	*out = a ? a : b;
	if (*out && json_is_null(*out))
		*out = NULL;
	return 0;
}

static int jbytes(struct pb_budget *bu, json_t *v, bool base64, const char *what,
		  ProtobufCBinaryData *out)
{
	out->data = NULL;
	out->len = 0;
	if (!v)
		return 0;
	if (!json_is_string(v))
		return err_set(ERR_PARSE, "%s must be a string", what);
	if (base64)
		return b64_bytes(bu, json_string_value(v), json_string_length(v), out);
	out->len = json_string_length(v);
	if (!(out->data = pb_budget_alloc(bu, out->len + 1)))
		return NOMEM(bu);
	memcpy(out->data, json_string_value(v), out->len);
	return 0;
}

/* An array field (null or absent: empty) of n elements in *arr (budget arena). */
static int jarray(struct pb_budget *bu, json_t *obj, const char *name, const char *proto_name,
		  size_t elsz, json_t **arr, size_t *n, void **items)
{
	int rc;

	*n = 0;
	*items = NULL;
	if ((rc = jfield(obj, name, proto_name, arr)))
		return rc;
	if (!*arr)
		return 0;
	if (!json_is_array(*arr))
		return err_set(ERR_PARSE, "%s must be an array", name);
	*n = json_array_size(*arr);
	if (*n && !(*items = pb_budget_alloc(bu, *n * elsz)))
		return NOMEM(bu);
	return 0;
}


static int json_series(struct pb_budget *bu, json_t *js, size_t si,
		       Push__V1__RawProfileSeries *s)
{
	json_t *arr, *e, *v = NULL;
	size_t i;
	int rc;

	if (!json_is_object(js))
		return err_set(ERR_PARSE, "series %zu must be an object", si);
	if ((rc = jarray(bu, js, "labels", NULL, sizeof(*s->labels), &arr, &s->n_labels,
			 (void **)&s->labels)))
		return rc;
	for (i = 0; i < s->n_labels; i++) {
		Types__V1__LabelPair *l = pb_budget_alloc(bu, sizeof(*l));

		if (!l)
			return NOMEM(bu);
		types__v1__label_pair__init(l);
		s->labels[i] = l;
		e = json_array_get(arr, i);
		if (!json_is_object(e))
			return err_set(ERR_PARSE, "series %zu: label %zu must be an object", si, i);
		if ((rc = jfield(e, "name", NULL, &v)) ||
		    (rc = jbytes(bu, v, false, "a label name", &l->name)) ||
		    (rc = jfield(e, "value", NULL, &v)) ||
		    (rc = jbytes(bu, v, false, "a label value", &l->value)))
			return rc;
	}
	if ((rc = jarray(bu, js, "samples", NULL, sizeof(*s->samples), &arr, &s->n_samples,
			 (void **)&s->samples)))
		return rc;
	for (i = 0; i < s->n_samples; i++) {
		Push__V1__RawSample *r = pb_budget_alloc(bu, sizeof(*r));

		if (!r)
			return NOMEM(bu);
		push__v1__raw_sample__init(r);
		s->samples[i] = r;
		e = json_array_get(arr, i);
		if (!json_is_object(e))
			return err_set(ERR_PARSE, "series %zu: sample %zu must be an object", si,
				       i);
		if ((rc = jfield(e, "rawProfile", "raw_profile", &v)) ||
		    (rc = jbytes(bu, v, true, "rawProfile", &r->raw_profile)) ||
		    (rc = jfield(e, "ID", NULL, &v)) || (rc = jbytes(bu, v, false, "ID", &r->id)))
			return err_prefix(rc, "series %zu: sample %zu", si, i);
	}
	/* annotations are dropped, but must still be a list of objects */
	if ((rc = jfield(js, "annotations", NULL, &arr)))
		return rc;
	if (arr && !json_is_array(arr))
		return err_set(ERR_PARSE, "series %zu: annotations must be an array", si);
	return 0;
}

static int json_request(struct pb_budget *bu, const char *data, size_t len,
			Push__V1__PushRequest **out)
{
	Push__V1__PushRequest *req;
	json_t *root = NULL, *arr;
	size_t i;
	int rc;

	*out = NULL;
	if (len == 0)
		return err_set(ERR_PARSE, "empty body (an empty JSON message is {})");
	if ((rc = ingest_json_load(data, len, INGEST_JSON_MAX_VALUES, JSON_REJECT_DUPLICATES,
				   &root)))
		return rc;
	if (!json_is_object(root)) {
		rc = err_set(ERR_PARSE, "the request must be a JSON object");
		goto done;
	}
	if (!(req = pb_budget_alloc(bu, sizeof(*req)))) {
		rc = NOMEM(bu);
		goto done;
	}
	push__v1__push_request__init(req);
	if ((rc = jarray(bu, root, "series", NULL, sizeof(*req->series), &arr, &req->n_series,
			 (void **)&req->series)))
		goto done;
	for (i = 0; i < req->n_series; i++) {
		if (!(req->series[i] = pb_budget_alloc(bu, sizeof(*req->series[i])))) {
			rc = NOMEM(bu);
			goto done;
		}
		push__v1__raw_profile_series__init(req->series[i]);
		if ((rc = json_series(bu, json_array_get(arr, i), i, req->series[i])))
			goto done;
	}
	*out = req;
done:
	json_decref(root);
	return rc;
}

/* ---- the request ---- */

static int push_items(const struct ingest_request *rq, const struct ingest_limits *lim,
		      const Push__V1__PushRequest *req, struct ingest_result *out)
{
	struct labelset base = LABELSET_INIT, ls = LABELSET_INIT;
	struct ingest_pair *pairs = NULL;
	size_t i, j, total = 0, raw_sum = 0, cap = 0;
	struct prof *p = NULL;
	int rc = 0;

	for (i = 0; i < req->n_series; i++)
		total += req->series[i]->n_samples;
	if (total == 0)
		return ingest_fail(out, 400, "invalid_argument", ERR_PARSE, "no profiles received");
	for (i = 0; i < req->n_series; i++) {
		const Push__V1__RawProfileSeries *s = req->series[i];

		labelset_free(&base);
		if ((rc = vec_reserve(&pairs, &cap, s->n_labels ? s->n_labels : 1)))
			goto fail;
		for (j = 0; j < s->n_labels; j++) {
			const Types__V1__LabelPair *l = s->labels[j];

			pairs[j].name = (const char *)l->name.data;
			pairs[j].nlen = l->name.len;
			pairs[j].value = (const char *)l->value.data;
			pairs[j].vlen = l->value.len;
		}
		if ((rc = ingest_series_pairs(pairs, s->n_labels, &base))) {
			rc = err_prefix(rc, "series %zu", i);
			goto fail;
		}
		for (j = 0; j < s->n_samples; j++) {
			size_t raw = 0;
			int64_t t;

			rc = ingest_pprof_load(s->samples[j]->raw_profile.data,
					       s->samples[j]->raw_profile.len, lim, NULL, &p, &raw);
			if (rc) {
				rc = err_prefix(rc, "series %zu, profile %zu", i, j);
				goto fail;
			}
			raw_sum += raw;
			if (lim->max_body_bytes && raw_sum > lim->max_body_bytes) {
				rc = err_set(ERR_TOOBIG, "uncompressed batched profile payload "
						  "size exceeds limit of %zu bytes",
					     lim->max_body_bytes);
				goto fail;
			}
			if (!p)
				continue;  /* all zero: dropped, as upstream does */
			if ((rc = ingest_time(lim, rq->now_ns, p->time_nanos, &t)) ||
			    (rc = labelset_copy(&ls, &base)) ||
			    (rc = ingest_series_finish(&ls, p, lim))) {
				rc = err_prefix(rc, "series %zu, profile %zu", i, j);
				goto fail;
			}
			if ((rc = ingest_item_add(out, &ls, p, t, p->duration_nanos))) {
				p = NULL;
				goto fail;
			}
			p = NULL;
		}
	}
	labelset_free(&base);
	free(pairs);
	return 0;
fail:
	free(pairs);
	prof_free(p);
	labelset_free(&ls);
	labelset_free(&base);
	return ingest_fail_last(out, 400, "invalid_argument", NULL);
}

static bool header_is(const char *v, const char *want)
{
	return v && strcasecmp(v, want) == 0;
}

int ingest_push(const struct ingest_request *rq, const struct ingest_limits *lim_in,
		struct ingest_result *out)
{
	struct ingest_limits def;
	const struct ingest_limits *lim = lim_in;
	struct buf type = BUF_INIT, charset = BUF_INIT, inflated = BUF_INIT;
	struct media_want want = { "charset", &charset, false };
	const char *ctype = ingest_header(rq, "Content-Type"), *enc, *ver;
	struct pb_budget bu;
	Push__V1__PushRequest *req = NULL;
	const uint8_t *body = rq->body ? rq->body : (const uint8_t *)"";
	size_t len = rq->body ? rq->body_len : 0, limit;
	bool json;
	int rc;

	if (!lim) {
		ingest_limits_default(&def);
		lim = &def;
	}
	limit = lim->max_body_bytes ? lim->max_body_bytes : DECODE_MAX_INFLATED;
	pb_budget_init(&bu, 0);
	if (!rq->method || strcmp(rq->method, "POST") != 0) {
		rc = ingest_fail(out, 405, NULL, ERR_UNSUPPORTED, "only POST is allowed on %s",
				 "/push.v1.PusherService/Push");
		goto done;
	}
	if (!ctype || media_type_parse(ctype, strlen(ctype), &type, &want, 1) != 0) {
		rc = ingest_fail(out, 415, NULL, ERR_UNSUPPORTED,
				 "missing or malformed Content-Type: use application/proto or "
				 "application/json");
		goto done;
	}
	if (strncmp(type.data, "application/grpc", 16) == 0) {
		rc = ingest_fail(out, 415, NULL, ERR_UNSUPPORTED,
				 "gRPC needs HTTP/2, which this server does not speak: use the "
				 "Connect protocol (application/proto or application/json)");
		goto done;
	}
	json = strcmp(type.data, "application/json") == 0;
	if (!(json && (!want.found || strcasecmp(charset.data, "utf-8") == 0)) &&
	    strcmp(type.data, "application/proto") != 0) {
		struct buf q = BUF_INIT;

		ingest_quote(&q, ctype, strlen(ctype));
		rc = ingest_fail(out, 415, NULL, ERR_UNSUPPORTED,
				 "unsupported Content-Type %s: use application/proto or "
				 "application/json", q.data ? q.data : "");
		buf_release(&q);
		goto done;
	}
	ver = ingest_header(rq, "Connect-Protocol-Version");
	if (ver && strcmp(ver, "1") != 0) {
		rc = ingest_fail(out, 400, "invalid_argument", ERR_PARSE,
				 "Connect-Protocol-Version must be 1");
		goto done;
	}
	if (lim->max_body_bytes && len > lim->max_body_bytes) {
		rc = ingest_fail(out, 413, "resource_exhausted", ERR_TOOBIG,
				 "request body too large: %zu bytes, the limit is %zu", len,
				 lim->max_body_bytes);
		goto done;
	}
	enc = ingest_header(rq, "Content-Encoding");
	if (header_is(enc, "gzip")) {
		if (len < 2 || body[0] != 0x1f || body[1] != 0x8b) {
			rc = ingest_fail(out, 400, "invalid_argument", ERR_PARSE,
					 "Content-Encoding gzip: the body is not gzip data");
			goto done;
		}
		if ((rc = decode_inflate(body, len, limit, &inflated))) {
			if (rc == ERR_TOOBIG)
				rc = ingest_fail(out, 413, "resource_exhausted", ERR_TOOBIG,
						 "request body too large once inflated (limit %zu "
						 "bytes)", limit);
			else
				rc = ingest_fail_last(out, 400, "invalid_argument",
						      "Content-Encoding gzip");
			goto done;
		}
		body = (const uint8_t *)inflated.data;
		len = inflated.len;
	} else if (enc && *enc && !header_is(enc, "identity")) {
		struct buf q = BUF_INIT;

		ingest_quote(&q, enc, strlen(enc));
		rc = ingest_fail(out, 415, "unimplemented", ERR_UNSUPPORTED,
				 "unknown compression %s: supported encodings are gzip and "
				 "identity", q.data ? q.data : "");
		buf_release(&q);
		goto done;
	}
	/* the decode budget: 4 x the body + 4 MiB */
	bu.limit = pb_budget_limit(len, 4, (size_t)4 << 20);
	if (json) {
		if ((rc = json_request(&bu, (const char *)body, len, &req))) {
			if (rc == ERR_TOOBIG)
				rc = ingest_fail_last(out, 413, "resource_exhausted", NULL);
			else
				rc = ingest_fail_last(out, 400, "invalid_argument", NULL);
			goto done;
		}
	} else {
		req = push__v1__push_request__unpack(&bu.alloc, len, body);
		if (!req) {
			if (bu.over)
				rc = ingest_fail(out, 413, "resource_exhausted", ERR_TOOBIG,
						 "the request needs more than %zu MiB to decode",
						 bu.limit >> 20);
			else
				rc = ingest_fail(out, 400, "invalid_argument", ERR_PARSE,
						 "the body is not a push.v1.PushRequest protobuf");
			goto done;
		}
	}
	if ((rc = push_items(rq, lim, req, out)))
		goto done;
	out->status = 200;
	out->code = "";
	out->reason[0] = '\0';
	out->reply_type = json ? "application/json" : "application/proto";
	out->reply_body = json ? "{}" : "";
done:
	pb_budget_release(&bu);
	buf_release(&type);
	buf_release(&charset);
	buf_release(&inflated);
	return rc;
}
