/*
 * ingest.c — results, refusals, routing and defaults of the serve protocol layer
 * (ingest.h).  The endpoints live in ingest_legacy.c (/ingest) and push.c (push.v1).
 */
#include "ingest_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/vec.h"

void ingest_limits_default(struct ingest_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->max_body_bytes = (size_t)256 << 20;
	lim->max_profile_bytes = (size_t)4 << 20;
	lim->max_samples = 16000;
	lim->max_sample_labels = 100;
	lim->max_stack_depth = 1000;
	lim->max_symbol_length = 65535;
	lim->max_label_names = 30;
	lim->max_label_name_length = 1024;
	lim->max_label_value_length = 2048;
	lim->max_sessions_per_series = 0;
	lim->reject_older_than_ns = 0;
	lim->reject_newer_than_ns = (int64_t)10 * 60 * 1000000000;
	lim->max_multipart_parts = 1000;
}

void ingest_result_init(struct ingest_result *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 200;
	r->code = "";
}

void ingest_item_release(struct ingest_item *it)
{
	labelset_free(&it->series);
	prof_free(it->prof);
	it->prof = NULL;
}

static void drop_items(struct ingest_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		ingest_item_release(&r->items[i]);
	free(r->items);
	r->items = NULL;
	r->n = 0;
}

void ingest_result_release(struct ingest_result *r)
{
	drop_items(r);
}

const char *ingest_status_code(int status)
{
	switch (status) {
	case 200:
		return "";
	case 400:
	case 413:
		return "invalid_argument";
	case 401:
		return "unauthenticated";
	case 403:
		return "permission_denied";
	case 404:
		return "unimplemented";
	case 412:
		return "failed_precondition";
	case 429:
	case 431:
		return "resource_exhausted";
	case 408:  /* a body not received in time: Connect has no 408, its deadline is this */
		return "deadline_exceeded";
	case 499:
		return "canceled";
	case 502:
	case 503:
		return "unavailable";
	case 504:
		return "deadline_exceeded";
	default:
		return "unknown";
	}
}

/* The reason buffer holds one terminal-safe line: anything else is escaped. */
static void set_reason(struct ingest_result *out, const char *msg)
{
	struct buf b = BUF_INIT;

	if (text_safe(&b, msg, strlen(msg), false) == 0 && b.data)
		snprintf(out->reason, sizeof(out->reason), "%s", b.data);
	else
		snprintf(out->reason, sizeof(out->reason), "%s", "request refused");
	/* snprintf may have cut a UTF-8 sequence: drop a partial one at the end */
	{
		size_t n = strlen(out->reason), k = n;

		while (k > 0 && ((unsigned char)out->reason[k - 1] & 0xc0) == 0x80)
			k--;
		if (k > 0 && ((unsigned char)out->reason[k - 1] & 0x80)) {
			unsigned char lead = (unsigned char)out->reason[k - 1];
			size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;

			if (n - (k - 1) < need)
				out->reason[k - 1] = '\0';
		}
	}
	buf_release(&b);
}

int ingest_fail(struct ingest_result *out, int status, const char *code, int rc,
		const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	drop_items(out);
	out->status = status;
	out->code = code ? code : ingest_status_code(status);
	out->reply_type = NULL;
	out->reply_body = NULL;
	set_reason(out, msg);
	err_set(rc, "%s", out->reason);
	return rc;
}

int ingest_fail_last(struct ingest_result *out, int status, const char *code,
		     const char *prefix)
{
	int rc = err_last_code();

	if (rc >= 0)
		rc = ERR_PARSE;
	if (rc == ERR_NOMEM)
		return ingest_fail(out, 500, "internal", rc, "%s", err_last());
	if (prefix && *prefix)
		return ingest_fail(out, status, code, rc, "%s: %s", prefix, err_last());
	return ingest_fail(out, status, code, rc, "%s", err_last());
}

int ingest_item_add(struct ingest_result *out, struct labelset *ls, struct prof *p,
		    int64_t time_ns, int64_t duration_ns)
{
	size_t cap = out->n;
	struct ingest_item *it;
	int rc;

	/* items grow one by one: requests hold few profiles */
	if ((rc = vec_reserve(&out->items, &cap, out->n + 1))) {
		labelset_free(ls);
		prof_free(p);
		return rc;
	}
	it = &out->items[out->n++];
	it->series = *ls;
	it->prof = p;
	it->time_ns = time_ns;
	it->duration_ns = duration_ns < 0 ? 0 : duration_ns;
	memset(ls, 0, sizeof(*ls));
	return 0;
}

void ingest_quote(struct buf *out, const char *s, size_t n)
{
	size_t cut = n > 64 ? 64 : n;

	/* back off to a character boundary */
	while (cut < n && cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--;
	buf_add(out, "'", 1);
	text_safe(out, s, cut, false);
	if (cut < n)
		buf_puts(out, "...");
	buf_add(out, "'", 1);
}

enum ingest_route ingest_route(const char *path)
{
	size_t n;

	if (!path)
		return INGEST_ROUTE_NONE;
	n = strcspn(path, "?");
	if ((n == 7 && memcmp(path, "/ingest", 7) == 0) ||
	    (n == 17 && memcmp(path, "/pyroscope/ingest", 17) == 0))
		return INGEST_ROUTE_LEGACY;
	if (n == 27 && memcmp(path, "/push.v1.PusherService/Push", 27) == 0)
		return INGEST_ROUTE_PUSH;
	return INGEST_ROUTE_NONE;
}

int ingest_handle(const struct ingest_request *rq, const struct ingest_limits *lim,
		  struct ingest_result *out)
{
	struct buf q = BUF_INIT;
	int rc;

	switch (ingest_route(rq->path)) {
	case INGEST_ROUTE_LEGACY:
		return ingest_legacy(rq, lim, out);
	case INGEST_ROUTE_PUSH:
		return ingest_push(rq, lim, out);
	default:
		ingest_quote(&q, rq->path ? rq->path : "", rq->path ? strcspn(rq->path, "?") : 0);
		rc = ingest_fail(out, 404, NULL, ERR_UNSUPPORTED, "no ingest endpoint at %s",
				 q.data ? q.data : "''");
		buf_release(&q);
		return rc;
	}
}

int ingest_error_body(const struct ingest_result *r, struct buf *out)
{
	size_t before = out->len;
	const char *code = r->code && *r->code ? r->code : ingest_status_code(r->status);

	/* the reason is terminal-safe, but a caller may fill it: it is repaired here too */
	if (buf_puts(out, "{\"code\":") || text_json_string(out, code, strlen(code)) ||
	    buf_puts(out, ",\"message\":") ||
	    text_json_string(out, r->reason, strnlen(r->reason, sizeof(r->reason))) ||
	    buf_puts(out, "}")) {
		out->len = before;
		if (out->data)
			out->data[before] = '\0';
		return err_set(ERR_NOMEM, "out of memory");
	}
	return 0;
}
