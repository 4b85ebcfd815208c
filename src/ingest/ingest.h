/*
 * ingest.h — the protocol layer of `smolder serve`: pure functions from one HTTP request
 * (method, path, query, headers, body) to either a validated list of profiles to store,
 * or a refusal (a 4xx status, a Connect error code and a one-line reason).  No sockets,
 * no store: the HTTP glue (libmicrohttpd) fills a struct ingest_request, calls
 * ingest_handle() and writes what the result says; the store receives each item with
 * store_write(store, tenant, &item->series, item->prof, item->time_ns, item->duration_ns).
 *
 * Endpoints (shared/spec/pyroscope-api.md §1, §2), as Grafana Pyroscope serves them:
 *   POST /ingest, POST /pyroscope/ingest   ingest_legacy(): `name`, `from`, `until`,
 *        `sampleRate`, `spyName`, `units`, `aggregationType`, `format`; bodies: pprof
 *        multipart (parts profile, prev_profile, sample_type_config), raw pprof
 *        (format=pprof, gzip sniffed), folded (the default), lines, speedscope.  JFR and
 *        the OG trie/tree formats get 415.
 *   POST /push.v1.PusherService/Push        ingest_push(): Connect unary over HTTP/1.1,
 *        application/proto or application/json, Content-Encoding gzip or identity.
 *
 * Every item's `series` holds __name__ and service_name (unknown_service by default) and
 * the push's other labels, never the names the store derives per sample type
 * (__profile_type__, __service_name__, __type__, __unit__, __period_type__,
 * __period_unit__) nor __delta__ (Pyroscope v2 drops it too).  The profile keeps its
 * pprof sample labels; the store splits sample types into series itself.
 *
 * All or nothing: a refused request yields no items, whatever part of it was bad.  A
 * request can be accepted with no items (an empty `profile` part, profiles whose
 * values are all zero, a `profile_id` label on /ingest folded data) — Pyroscope
 * answers 200 to those too.
 *
 * Ownership: the request and everything it points to are borrowed for the call only.
 * The result owns its items: ingest_result_release() frees their label sets and
 * profiles; a caller that keeps an item moves it out (copy the struct, then zero the
 * original's `prof` and `series`).  Nothing here keeps state between calls; calls on
 * different threads are independent.
 */
#ifndef SMOLDER_INGEST_H
#define SMOLDER_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "profile/labels.h"
#include "profile/prof.h"

/* A request header; names compare case-insensitively, the first match wins. */
struct ingest_header {
	const char *name, *value;
};

/* An already-decoded query parameter (when the glue has no raw query string). */
struct ingest_param {
	const char *name;
	const char *value;
	size_t value_len;  /* may exceed strlen(value) when it holds %00 */
};

struct ingest_request {
	const char *method;  /* "POST" */
	const char *path;    /* "/ingest"; anything from '?' on is ignored */
	/*
	 * The raw query string without '?' (percent-encoded, '+' is a space), or NULL ...
	 * (libmicrohttpd hands the access handler the URL without it; the raw URI reaches
	 * MHD_OPTION_URI_LOG_CALLBACK, or pass MHD's decoded GET arguments as params)
	 */
	const char *query;
	/* ... and then these decoded parameters are used (first of a name wins). */
	const struct ingest_param *params;
	size_t nparams;
	const struct ingest_header *headers;
	size_t nheaders;
	const uint8_t *body;  /* the whole body, as received */
	size_t body_len;
	int64_t now_ns;       /* receive time, ns since the epoch (replaces missing times) */
};

/*
 * Limits, defaults from ingest_limits_default() (Pyroscope's flag names in brackets).
 * A zero disables a limit, except where noted.
 */
struct ingest_limits {
	size_t max_body_bytes;          /* 256 MiB [distributor.ingestion-body-limit-mb]: 413;
					   also bounds a gzip Content-Encoding's output */
	size_t max_profile_bytes;       /* 4 MiB decompressed pprof
					   [validation.max-profile-size-bytes] */
	uint32_t max_samples;           /* 16000 per profile [max-profile-stacktrace-samples] */
	uint32_t max_sample_labels;     /* 100 per sample [max-profile-stacktrace-sample-labels] */
	uint32_t max_stack_depth;       /* 1000: deeper stacks lose leaf frames (truncated) */
	uint32_t max_symbol_length;     /* 65535 bytes: longer strings keep their end */
	uint32_t max_label_names;       /* 30 per series [max-label-names-per-series] */
	uint32_t max_label_name_length;   /* 1024 [max-length-label-name] */
	uint32_t max_label_value_length;  /* 2048 [max-length-label-value] */
	uint32_t max_sessions_per_series; /* 0 [max-sessions-per-series]: __session_id__ is
					     dropped; n > 0 keeps it modulo n */
	int64_t reject_older_than_ns;   /* 0: any age (Pyroscope: 1h) [reject-older-than] */
	int64_t reject_newer_than_ns;   /* 10 min [reject-newer-than] */
	uint32_t max_multipart_parts;   /* 1000 (Go's multipart limit) */
};

struct ingest_item {
	struct labelset series;  /* owned */
	struct prof *prof;       /* owned */
	int64_t time_ns, duration_ns;
};

struct ingest_result {
	struct ingest_item *items;
	size_t n;
	int status;            /* HTTP status: 200, 4xx, or 500 (out of memory) */
	const char *code;      /* Connect error code ("invalid_argument"), "" on success */
	char reason[256];      /* one line, terminal-safe; "" on success */
	/* The success reply: Content-Type (NULL: none) and body ("" or "{}"); static. */
	const char *reply_type;
	const char *reply_body;
};

void ingest_limits_default(struct ingest_limits *lim);

void ingest_result_init(struct ingest_result *r);
/* Frees the items (those not moved out); the result can be reused after init. */
void ingest_result_release(struct ingest_result *r);
void ingest_item_release(struct ingest_item *it);

enum ingest_route { INGEST_ROUTE_NONE, INGEST_ROUTE_LEGACY, INGEST_ROUTE_PUSH };
enum ingest_route ingest_route(const char *path);

/*
 * Each returns 0 when out->status is 200 (out->items to store, maybe none), else a
 * negative ERR_* code (ERR_PARSE for 400/422, ERR_TOOBIG for 413, ERR_UNSUPPORTED for
 * 404/405/415, ERR_NOMEM for 500) with out->status, out->code and out->reason set (and
 * err_last() saying the same).  `out` must be initialised; lim may be NULL (defaults).
 * ingest_handle() routes by path (404 for other paths) to the two others.
 */
/*
 * The first query parameter named key, decoded as Go's url.ParseQuery does (pairs with a
 * ';' or a bad %-escape are skipped).  Returns 1 and fills val (reset first) when found.
 */
int ingest_param(const struct ingest_request *rq, const char *key, struct buf *val);

int ingest_handle(const struct ingest_request *rq, const struct ingest_limits *lim,
		  struct ingest_result *out);
int ingest_legacy(const struct ingest_request *rq, const struct ingest_limits *lim,
		  struct ingest_result *out);
int ingest_push(const struct ingest_request *rq, const struct ingest_limits *lim,
		struct ingest_result *out);

/*
 * The error body both endpoints send (Content-Type application/json):
 * {"code":"<code>","message":"<reason>"}; appended to out.
 */
int ingest_error_body(const struct ingest_result *r, struct buf *out);
/* Pyroscope's HTTP status → Connect code for plain HTTP errors (httputil.ErrorWithStatus). */
const char *ingest_status_code(int status);

#endif
