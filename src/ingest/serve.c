/*
 * serve.c — `smolder serve` on libmicrohttpd: the route table, the life of a request,
 * the log line, start and graceful stop.  The protocol is ingest_handle()'s
 * (ingest.h); the store is the writer's (serve_writer.c).
 *
 * A request's life (struct req, made by the URI log callback, freed when libmicrohttpd
 * reports it complete: serve_conn.c):
 *   headers  route, method, tenant (serve_auth_resolve: a credential that only a hash
 *            check can verify suspends the request for a checker thread, which resumes it
 *            with the outcome), admission (in-flight cap, shutting down), Content-Length
 *            against the body limit — any refusal is answered at once, before the body is
 *            read;
 *   body     appended under the body limit and the request deadline;
 *   end      the connection is suspended and the request queued for the decoders
 *            (serve_pool.c); one runs ingest_handle(): a refusal is answered and the
 *            connection resumed; profiles go on to the writer as a job (queue full: 429);
 *   resumed  the writer decided; the answer (2xx only once committed and synced) is sent.
 * A read route's request is suspended at its end too and queued for the readers, which
 * answer it and resume it.
 * On completion: one log line, the metrics, the in-flight slot given back.
 *
 * Threads: libmicrohttpd's pool (opts.http_threads) only moves bytes; opts.threads
 * decoders decode pushes, so at most that many at once, whichever connection and HTTP
 * thread they came on; opts.read_threads readers run queries, so a slow one never holds
 * up a push; with --auth-file, checkers run crypt(3) for credentials not verified
 * recently, so wrong passwords never hold up the HTTP threads.  Suspended connections
 * hold no thread.
 */
#include <errno.h>
#include <microhttpd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/text.h"
#include "base/timeparse.h"
#include "base/vec.h"
#include "serve_int.h"
#include "store/querier_server.h"

#define RETRY_AFTER "1"

/*
 * libmicrohttpd's memory for a connection (its default, 32 KiB, answered 414), which holds
 * the request line, its query arguments and the headers, then serves as the read buffer:
 * a push within Pyroscope's label limits (30 labels, names of 1,024 bytes, values of
 * 2,048) has a name= of 80-92 KB.  Percent-encoding can triple a value ('/' is %2F), so
 * such a push may still not fit: libmicrohttpd answers it 414 or 431.
 * What it costs: a connection's pool is mapped at the accept and untouched until bytes
 * come (+1 kB of RSS a connection that has sent no request), but once a request is done
 * on a kept-alive connection MHD_pool_reset (0.9.75) zeroes the whole pool, so every
 * connection kept alive after one request holds all 128 KiB.  Measured: 1,000 such
 * connections, +128 MB of RSS (+29 kB each with 32 KiB); the default --max-connections
 * 1,024 hold ~134 MB.  --max-connections is what bounds it.
 */
#define CONN_MEMORY ((size_t)128 << 10)

/* How long a stop waits for the answers of resumed requests to go out. */
#define ANSWER_WAIT_S 5

/*
 * A query's body: querier.v1 requests are a selector, a range and a few numbers, well
 * under a KiB.  Kept small because queries wait for a reader without an in-flight slot:
 * every open connection may hold one.
 */
#define READ_MAX_BODY ((size_t)256 << 10)
/*
 * The bytes the bodies of queries (querier.v1, POST) between their headers and their
 * answer may hold in all: each reserves its Content-Length (READ_MAX_BODY when chunked) at
 * its headers, and past this, 429.  Bodies are kept whole: --max-connections of them were
 * 256 MiB.  Counted in bytes, not queries, so slow clients announcing small bodies (real
 * ones are under 1 KiB) cannot lock every other client out.
 */
#define QUERY_BYTES_MAX ((size_t)16 << 20)

/*
 * Every route.  The query API (querier.v1, Connect unary over POST) is one more line:
 *     { "/querier.v1.QuerierService/", "POST", ROUTE_READ, "querier", querier_serve, true },
 * where querier_serve is a serve_read_fn (serve.h): it gets a backend for the request's
 * tenant (read-only, its own SQLite connection) and the whole request.
 */
static const struct serve_route serve_routes[] = {
	{ "/ingest", "POST", ROUTE_PUSH, "ingest", NULL, false },
	{ "/pyroscope/ingest", "POST", ROUTE_PUSH, "pyroscope_ingest", NULL, false },
	{ "/push.v1.PusherService/Push", "POST", ROUTE_PUSH, "push", NULL, true },
	{ "/ready", "GET", ROUTE_READY, "ready", NULL, false },
	{ "/metrics", "GET", ROUTE_METRICS, "metrics", NULL, false },
	/* Pyroscope's query API (querier.v1 over Connect) and the legacy read endpoints */
	{ "/querier.v1.QuerierService/", "POST", ROUTE_READ, "querier", querier_serve, true },
	{ "/pyroscope/render", "GET", ROUTE_READ, "render", querier_serve, false },
	{ "/pyroscope/render-diff", "GET", ROUTE_READ, "render_diff", querier_serve, false },
	{ "/pyroscope/label-values", "GET", ROUTE_READ, "label_values", querier_serve, false },
};

/* Reads waiting for a reader, per reader thread, beyond which they get 429. */
#define READS_QUEUED_PER_READER 32

/*
 * Credential checks waiting for a checker, beyond which they get 429: a check costs a
 * few ms ($6$, 5,000 rounds) to tens of ms (yescrypt's default cost), so the last waits
 * a second at most with the defaults.
 */
#define CHECKS_QUEUED 32

/* ---- helpers ---- */

double serve_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void serve_log(struct serve *s, enum serve_log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	char when[40], msg[1024];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (lvl < s->o.log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(s->log, "%s.%03ldZ %-5s %s\n", when, ts.tv_nsec / 1000000, names[lvl], msg);
	fflush(s->log);
}

void serve_opts_default(struct serve_opts *o)
{
	long ncpu;

	memset(o, 0, sizeof(*o));
	o->listen = "127.0.0.1:4040";
	o->log_level = SERVE_LOG_INFO;
	ingest_limits_default(&o->limits);
	o->limits.max_body_bytes = (size_t)8 << 20;
	/*
	 * Decoding is all CPU: one decoder per CPU keeps them busy without crowding them.  At
	 * most 4 by default, because each decode can take tens of times its body in memory.
	 */
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	o->threads = ncpu < 1 ? 1 : ncpu > 4 ? 4 : (unsigned)ncpu;
	o->http_threads = 2;
	o->read_threads = 2;
	o->max_inflight = 64;
	o->max_queue = 1024;
	o->max_connections = 1024;
	o->idle_timeout_s = 30;
	o->request_timeout_ms = 60000;
	o->downsample[0].after_ns = (int64_t)86400 * 1000000000;
	o->downsample[0].bucket_ns = (int64_t)60 * 1000000000;
	o->downsample[1].after_ns = (int64_t)7 * 86400 * 1000000000;
	o->downsample[1].bucket_ns = (int64_t)3600 * 1000000000;
	o->ndownsample = 2;
	o->maintenance_ns = (int64_t)60 * 1000000000;
	o->batch_max = 512;
}

int serve_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	errno = 0;
	if (!s || !*s || *s == '-')
		return err_set(ERR_USAGE, "invalid size '%s'", s ? s : "");
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return err_set(ERR_USAGE, "invalid size '%s'", s);
	switch (*end) {
	case 'k': case 'K': mul = 1ull << 10; end++; break;
	case 'm': case 'M': mul = 1ull << 20; end++; break;
	case 'g': case 'G': mul = 1ull << 30; end++; break;
	case 't': case 'T': mul = 1ull << 40; end++; break;
	default: break;
	}
	if (mul > 1 && (*end == 'i' || *end == 'I'))
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || (mul > 1 && v > UINT64_MAX / mul))
		return err_set(ERR_USAGE, "invalid size '%s' (e.g. 512k, 100m, 2GiB)", s);
	*out = v * mul;
	return 0;
}

static const struct serve_route *route_find(const char *path)
{
	size_t i;

	for (i = 0; i < sizeof(serve_routes) / sizeof(serve_routes[0]); i++) {
		const struct serve_route *r = &serve_routes[i];
		size_t n = strlen(r->path);

		if (r->path[n - 1] == '/' ? strncmp(path, r->path, n) == 0 : strcmp(path, r->path) == 0)
			return r;
	}
	return NULL;
}

/* ---- answers ---- */

/* Sets an error answer: status, Connect code (NULL: from the status), metrics reason. */
static void req_error(struct req *r, int status, const char *code, const char *err_reason,
		      const char *reason)
{
	struct ingest_result tmp;

	r->status = status;
	r->code = code ? code : ingest_status_code(status);
	r->err_reason = err_reason;
	snprintf(r->reason, sizeof(r->reason), "%.*s", (int)sizeof(r->reason) - 1, reason);
	ingest_result_init(&tmp);
	tmp.status = status;
	tmp.code = r->code;
	snprintf(tmp.reason, sizeof(tmp.reason), "%s", r->reason);
	buf_reset(&r->reply);
	ingest_error_body(&tmp, &r->reply);
	r->ctype = "application/json";
	r->phase = PH_ANSWER;
}

static void req_ok(struct req *r, int status, const char *ctype, const char *body, size_t n)
{
	r->status = status;
	r->ctype = ctype;
	buf_reset(&r->reply);
	buf_add(&r->reply, body, n);
	r->phase = PH_ANSWER;
}

/* 503 while shutting down; the connection is closed after the answer. */
static void refuse_shutting_down(struct req *r)
{
	r->close = true;
	req_error(r, 503, "unavailable", "shutting_down", "server is shutting down");
}

static enum MHD_Result send_answer(struct req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ok;

	resp = MHD_create_response_from_buffer(r->reply.len, r->reply.data ? r->reply.data : (void *)"",
					       MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	if (r->ctype)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->ctype);
	if (r->retry_after)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, RETRY_AFTER);
	if (r->www_auth)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Basic realm=\"smolder\", charset=\"UTF-8\"");
	if (r->status == 405 && r->route)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->route->method);
	if (r->close)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	ok = MHD_queue_response(r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	if (ok == MHD_YES)
		r->phase = PH_SENT;
	return ok;
}

/*
 * Resumes a suspended request whose answer is set, or a checker's (any thread): from here
 * on only the HTTP thread may touch r.  Counted until the request completes (or, after a
 * check, goes on to its body), so that a stop waits for the answer to go out before the
 * daemon closes the connection.
 */
static void resume_answered(struct req *r)
{
	struct serve *s = r->srv;

	pthread_mutex_lock(&s->mu);
	s->answering += !r->resumed;
	r->resumed = true;
	pthread_mutex_unlock(&s->mu);
	MHD_resume_connection(r->conn);
}

/* A request resumed by a checker goes on to its body: no answer of its own to wait for. */
static void resumed_goes_on(struct req *r)
{
	struct serve *s = r->srv;

	pthread_mutex_lock(&s->mu);
	s->answering -= r->resumed;
	r->resumed = false;
	if (s->answering == 0)
		pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->mu);
}

/* ---- the writer's side ---- */

static void job_done(struct serve_job *j)
{
	struct req *r = (struct req *)((char *)j - offsetof(struct req, job));
	char msg[256];

	if (j->rc == 0) {
		req_ok(r, r->res.status, r->res.reply_type, r->res.reply_body,
		       r->res.reply_body ? strlen(r->res.reply_body) : 0);
	} else if (j->rc == ERR_NOSPACE) {
		snprintf(msg, sizeof(msg), "store full: %.230s", j->reason);
		req_error(r, 507, "resource_exhausted", "store_full", msg);
	} else if (j->rc == ERR_PARSE || j->rc == ERR_TOOBIG || j->rc == ERR_UNSUPPORTED) {
		req_error(r, 400, "invalid_argument", "store_refused", j->reason);
	} else {
		snprintf(msg, sizeof(msg), "store error: %.230s", j->reason);
		req_error(r, 500, "internal", "store_error", msg);
	}
	resume_answered(r);
}

/* ---- a request's phases ---- */

static const char *header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* MHD_get_connection_values: counts the Transfer-Encoding headers (names are case-blind). */
static enum MHD_Result count_te(void *cls, enum MHD_ValueKind kind, const char *key,
				const char *value)
{
	(void)kind;
	(void)value;
	if (key && strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
		(*(unsigned *)cls)++;
	return MHD_YES;
}

/* Admission of a push: an in-flight slot, or why not. */
static bool admit(struct req *r)
{
	struct serve *s = r->srv;
	bool shutting, full;

	pthread_mutex_lock(&s->mu);
	shutting = s->shutting;
	full = s->inflight >= s->o.max_inflight;
	if (!shutting && !full) {
		s->inflight++;
		r->admitted = true;
	}
	pthread_mutex_unlock(&s->mu);
	if (shutting) {
		refuse_shutting_down(r);
	} else if (full) {
		char msg[120];

		snprintf(msg, sizeof(msg), "too many requests in flight (%u); retry later",
			 s->o.max_inflight);
		r->retry_after = true;
		req_error(r, 429, "resource_exhausted", "too_many_inflight", msg);
	}
	return r->admitted;
}

/* Admission of a query whose body may take `bytes`: reserved, or 429 (false). */
static bool admit_query(struct req *r, size_t bytes)
{
	struct serve *s = r->srv;
	bool full;

	pthread_mutex_lock(&s->mu);
	full = bytes > QUERY_BYTES_MAX - s->query_bytes;
	if (!full) {
		s->query_bytes += bytes;
		r->query_held = bytes;
	}
	pthread_mutex_unlock(&s->mu);
	if (full) {
		r->retry_after = true;
		req_error(r, 429, "resource_exhausted", "too_many_queries",
			  "the queries in flight hold 16 MiB of request bodies; retry later");
	}
	return !full;
}

/* 413 for a body over r's limit; the connection is closed after the answer. */
static void body_too_large(struct req *r, const char *msg)
{
	r->close = true;
	req_error(r, 413, r->route && r->route->connect ? "resource_exhausted" : NULL,
		  "body_too_large", msg);
}

/*
 * False, with 413 set, when the request announces a body (Content-Length above 0) that
 * its route would refuse: r->body_limit is 0.
 */
static bool no_body_announced(struct req *r)
{
	const char *cl = header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
	char msg[120];

	if (!cl || strspn(cl, "0") == strlen(cl))
		return true;
	snprintf(msg, sizeof(msg), "%s %s takes no request body (Content-Length %.20s)",
		 r->route->method, r->route->path, cl);
	body_too_large(r, msg);
	return false;
}

/* True when uri's path (before its query), once decoded, holds a NUL: a "%00" in it. */
static bool path_has_nul(const char *uri)
{
	size_t n = strcspn(uri, "?"), i;

	for (i = 0; i + 2 < n; i++)
		if (uri[i] == '%' && uri[i + 1] == '0' && uri[i + 2] == '0')
			return true;
	return false;
}

/*
 * True when the request line held a raw NUL byte, in the method or the URI (the version's
 * is refused by libmicrohttpd).  libmicrohttpd 0.9.75 (parse_initial_message_line) takes
 * the line with its NULs, writes a NUL over the space after the method and over the one
 * before the version, and hands each part over as a C string: "POST\0x /ingest" was POST
 * and "/ingest?name=a.cpu\0x" /ingest with name=a.cpu, and both stored a profile.  So
 * the method's C string ends just before the spaces leading to the URI, and the URI's (as
 * the URI callback saw it, query included) just before the version, unless a NUL cut it.
 */
static bool line_has_nul(const struct req *r, const char *method, const char *version)
{
	const char *p = method + strlen(method) + 1;

	if (!r->line_uri || p > r->line_uri || version != r->line_uri_end + 1)
		return true;
	for (; p < r->line_uri; p++)
		if (*p != ' ')
			return true;
	return false;
}

static void begin_as(struct req *r, int auth_rc);
static bool check_elsewhere(struct req *r);
static void refuse_suspended(struct req *r, const char *why, const char *msg);

/* A request's headers; true when it was handed to a checker (then only it may touch r). */
static bool begin(struct req *r, const char *path, const char *method, const char *version)
{
	struct serve *s = r->srv;
	const char *te;
	unsigned n_te;
	size_t i;
	int rc;

	for (i = 0; method[i] && i < sizeof(r->method) - 1; i++)
		r->method[i] = method[i] >= 'A' && method[i] <= 'Z' ? method[i] : '?';
	r->method[i] = '\0';
	r->body_limit = s->o.limits.max_body_bytes;
	r->route = route_find(path);
	/*
	 * Content-Length and Transfer-Encoding together (RFC 9112 §6.1): libmicrohttpd
	 * reads the body as chunked, past what a query reserved by its Content-Length and
	 * past the Content-Length a proxy in front may have gone by — which would take the
	 * rest for a request of its own (smuggling).  Refused before a byte of the body is
	 * read, on every route, and the connection closed: nothing after it is a request.
	 */
	if (header(r, MHD_HTTP_HEADER_CONTENT_LENGTH) &&
	    header(r, MHD_HTTP_HEADER_TRANSFER_ENCODING)) {
		r->close = true;
		req_error(r, 400, NULL, "bad_framing", "Content-Length and Transfer-Encoding "
			  "together: the body's length is ambiguous");
		return false;
	}
	/*
	 * Two Transfer-Encoding lines ("chunked", then "gzip"): libmicrohttpd goes by the
	 * first and read the body as chunked, while a proxy in front combines them into
	 * "chunked, gzip" (RFC 9110 §5.3), which is not chunked last.  Go's net/http refuses
	 * them ("too many transfer encodings"), 501; the connection is closed.
	 */
	n_te = 0;
	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_te, &n_te);
	if (n_te > 1) {
		char msg[120];

		snprintf(msg, sizeof(msg), "too many transfer encodings: %u Transfer-Encoding "
			 "headers (only one, chunked)", n_te);
		r->close = true;
		req_error(r, 501, "unimplemented", "bad_framing", msg);
		return false;
	}
	/*
	 * A Transfer-Encoding other than chunked alone ("gzip, chunked", "gzip"):
	 * libmicrohttpd reads the body as lasting until the close, so the request is never
	 * answered and holds its slot till the idle timeout, while a proxy in front may have
	 * framed it otherwise (smuggling).  An unknown coding is a 501 (RFC 9112 §6.1), as Go's
	 * net/http answers it; the connection is closed.
	 */
	te = header(r, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	if (te && strcasecmp(te, "chunked") != 0) {
		char msg[120];

		snprintf(msg, sizeof(msg), "unsupported Transfer-Encoding '%.60s' (only chunked)", te);
		r->close = true;
		req_error(r, 501, "unimplemented", "bad_framing", msg);
		return false;
	}
	if (line_has_nul(r, method, version)) {
		r->close = true;
		req_error(r, 400, NULL, "bad_path", "the request line holds a NUL byte");
		return false;
	}
	/*
	 * A NUL in the path (%00): libmicrohttpd decodes it and the routes compare C strings,
	 * so /ingest%00zzz was /ingest, and stored a profile.  No route has one.
	 */
	if (path_has_nul(r->uri)) {
		req_error(r, 400, NULL, "bad_path", "the path holds a NUL byte (%00)");
		return false;
	}
	if (!r->route) {
		req_error(r, 404, NULL, "not_found", "no such route");
		return false;
	}
	if (strcmp(method, r->route->method) != 0 &&
	    !(strcmp(method, "HEAD") == 0 && strcmp(r->route->method, "GET") == 0)) {
		char msg[80];

		snprintf(msg, sizeof(msg), "method not allowed (use %s)", r->route->method);
		req_error(r, 405, NULL, "method_not_allowed", msg);
		return false;
	}
	/*
	 * A GET (/ready, /metrics, the legacy read endpoints) never reads a body: one
	 * announced is refused before a byte of it is read (a chunked one at its first byte,
	 * then dropped unkept).  /ready answers anyone and nothing counts its connections
	 * but --max-connections: 1,024 of them each holding a body of --max-body were 8 GiB.
	 */
	if (strcmp(r->route->method, "GET") == 0) {
		r->body_limit = 0;
		if (!no_body_announced(r))
			return false;
	}
	if (r->route->kind == ROUTE_READY) {
		r->phase = PH_BODY;
		return false;
	}
	r->authz = header(r, MHD_HTTP_HEADER_AUTHORIZATION);
	r->orgid = header(r, "X-Scope-OrgID");
	rc = serve_auth_resolve(s->auth_on ? &s->auth : NULL, r->authz, r->orgid, 0, &r->who);
	if (rc == SERVE_AUTH_SLOW)
		return check_elsewhere(r);
	begin_as(r, rc);
	return false;
}

/* The rest of the headers' work, once the tenant is resolved (auth_rc: 0 or -1). */
static void begin_as(struct req *r, int auth_rc)
{
	const char *cl;

	if (auth_rc) {
		r->www_auth = r->who.status == 401;
		req_error(r, r->who.status, NULL,
			  r->who.status == 401 ? "unauthenticated" :
			  r->who.status == 403 ? "forbidden" : "bad_tenant",
			  r->who.reason);
		return;
	}
	if (r->route->kind == ROUTE_PUSH && !admit(r))
		return;
	if (r->route->kind == ROUTE_READ && r->body_limit > READ_MAX_BODY)
		r->body_limit = READ_MAX_BODY;
	if (r->route->kind == ROUTE_READ && r->body_limit) {
		/* a query's body: what it announces, or its limit when chunked */
		size_t want = r->body_limit;

		if ((cl = header(r, MHD_HTTP_HEADER_CONTENT_LENGTH))) {
			char *end;
			unsigned long long n;

			errno = 0;
			n = strtoull(cl, &end, 10);
			if (!errno && end != cl && n < want)
				want = (size_t)n;
		}
		if (want && !admit_query(r, want))
			return;
	}
	if ((cl = header(r, MHD_HTTP_HEADER_CONTENT_LENGTH))) {
		char *end;
		unsigned long long n;

		errno = 0;
		n = strtoull(cl, &end, 10);
		if (!errno && end != cl && n > r->body_limit) {
			char msg[120];

			snprintf(msg, sizeof(msg), "request body of %llu bytes exceeds the limit of %zu%s",
				 n, r->body_limit, r->route->kind == ROUTE_READ ? " for a query" : "");
			body_too_large(r, msg);
			return;
		}
		/* one allocation for the whole body (bounded by the limit just checked) */
		if (!errno && end != cl && n > 0 && buf_grow(&r->body, (size_t)n)) {
			req_error(r, 500, "internal", "internal", "out of memory");
			return;
		}
	}
	r->phase = PH_BODY;
}

/* On a checker: the credential verified (crypt), and the connection resumed. */
static void check_run(struct serve_pool_job *j, atomic_int *cancel)
{
	struct req *r = (struct req *)((char *)j - offsetof(struct req, pjob));

	if (*cancel) {  /* still queued when the stop began */
		refuse_shutting_down(r);
	} else {
		r->check_rc = serve_auth_resolve(&r->srv->auth, r->authz, r->orgid,
						 SERVE_AUTH_MAY_HASH, &r->who);
		serve_metrics_auth_check(&r->srv->metrics);
		r->phase = PH_CHECKED;
	}
	resume_answered(r);
}

/*
 * Hands a credential only crypt(3) can verify to the checkers (true: then only they may
 * touch r, and resume it).  The connection is suspended at its headers: no body is read
 * meanwhile.  Past CHECKS_QUEUED waiting, 429: a flood of wrong passwords queues here
 * rather than on the HTTP threads, and credentials verified recently never wait.
 */
static bool check_elsewhere(struct req *r)
{
	struct serve *s = r->srv;
	char msg[120];

	r->pjob.run = check_run;
	/* suspend first: a checker may resume as soon as it has the job */
	r->phase = PH_CHECKING;
	MHD_suspend_connection(r->conn);
	if (serve_pool_push(&s->checkers, &r->pjob))
		return true;
	snprintf(msg, sizeof(msg), "too many credential checks waiting (%d); retry later",
		 CHECKS_QUEUED);
	refuse_suspended(r, "auth_queue_full", msg);
	return true;
}

/* How much of a refused body is read and dropped before the connection is closed. */
#define DISCARD_MAX ((size_t)64 << 20)

/* The least time a body refused mid-way (a 408 included) is given to end. */
#define DROP_GRACE_MS 10000.0

/*
 * A body refused mid-way (413 past the limit, 408 past --request-timeout): libmicrohttpd
 * (0.9.75) queues an answer only before a body or once it has ended, so the rest is read
 * and dropped, and the answer sent at its end.  Meanwhile it is not kept and holds no
 * in-flight slot.  It gets --request-timeout more, at least DROP_GRACE_MS, to end, so that
 * a slow client is told why rather than reset (10 bytes a second of a 100-byte body with
 * --request-timeout 2s ends 8 s after its 408 is decided); one still sending then is cut
 * off, and logged with the answer it was not sent.
 */
static void refused_mid_body(struct req *r)
{
	struct serve *s = r->srv;
	double grace = s->o.request_timeout_ms;

	buf_release(&r->body);
	if (r->admitted || r->query_held) {
		pthread_mutex_lock(&s->mu);
		s->inflight -= r->admitted;
		s->query_bytes -= r->query_held;
		r->admitted = false;
		r->query_held = 0;
		if (s->inflight == 0 && s->reading == 0)
			pthread_cond_broadcast(&s->idle);
		pthread_mutex_unlock(&s->mu);
	}
	if (grace > 0)
		r->drop_until = serve_now_ms() + (grace > DROP_GRACE_MS ? grace : DROP_GRACE_MS);
}

/* Appends a chunk; false when the request must be refused. */
static bool body_chunk(struct req *r, const char *data, size_t n)
{
	struct serve *s = r->srv;

	r->body_bytes += n;
	if (r->body.len + n > r->body_limit) {
		char msg[120];

		if (r->body_limit == 0)
			snprintf(msg, sizeof(msg), "%s %s takes no request body", r->route->method,
				 r->route->path);
		else
			snprintf(msg, sizeof(msg), "request body exceeds the limit of %zu bytes%s",
				 r->body_limit, r->route->kind == ROUTE_READ ? " for a query" : "");
		body_too_large(r, msg);
		return false;
	}
	if (s->o.request_timeout_ms && serve_now_ms() - r->t0 > s->o.request_timeout_ms) {
		char msg[120];

		snprintf(msg, sizeof(msg), "request body not received within %.3g s",
			 s->o.request_timeout_ms / 1000.0);
		r->close = true;
		req_error(r, 408, NULL, "timeout", msg);
		return false;
	}
	if (buf_add(&r->body, data, n)) {
		req_error(r, 500, "internal", "internal", "out of memory");
		return false;
	}
	return true;
}

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *value)
{
	struct hdrs *h = cls;

	(void)kind;
	if (key && vec_reserve(&h->v, &h->cap, h->n + 1)) {
		h->nomem = true;
		return MHD_NO;
	}
	if (key) {
		h->v[h->n].name = key;
		h->v[h->n].value = value ? value : "";
		h->n++;
	}
	return MHD_YES;
}

/*
 * A suspended request the writer or the readers would not take: 503 when shutting down,
 * else 429 with Retry-After (why: the metrics label); the connection is resumed.
 */
static void refuse_suspended(struct req *r, const char *why, const char *msg)
{
	struct serve *s = r->srv;
	bool shutting;

	pthread_mutex_lock(&s->mu);
	shutting = s->shutting;
	pthread_mutex_unlock(&s->mu);
	r->retry_after = !shutting;
	if (shutting)
		refuse_shutting_down(r);
	else
		req_error(r, 429, "resource_exhausted", why, msg);
	resume_answered(r);
}

/*
 * Each item's store_prepare(), here on a decoder rather than on the one writer; NULL,
 * or a NULL entry, when memory ran out: the writer then prepares and reports it.
 */
static struct store_prep **prepare_items(const struct ingest_item *items, size_t n)
{
	struct store_prep **v = calloc(n, sizeof(*v));
	size_t i;

	for (i = 0; v && i < n; i++)
		if (store_prepare(items[i].prof, &v[i]))
			v[i] = NULL;
	return v;
}

/* On a decoder: the push decoded, then answered or handed on to the writer. */
static void push_run(struct serve_pool_job *j, atomic_int *cancel)
{
	struct req *r = (struct req *)((char *)j - offsetof(struct req, pjob));
	struct serve *s = r->srv;
	char msg[120];
	struct ingest_request rq;
	const char *q = strchr(r->uri, '?');
	double t0;

	if (*cancel) {  /* still queued when the shutdown ran out of grace */
		refuse_shutting_down(r);
		resume_answered(r);
		return;
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.path = r->path;
	rq.query = q ? q + 1 : "";
	rq.headers = r->hdrs.v;
	rq.nheaders = r->hdrs.n;
	rq.body = (const uint8_t *)r->body.data;
	rq.body_len = r->body.len;
	rq.now_ns = time_now_ns();
	t0 = serve_now_ms();
	ingest_handle(&rq, &s->o.limits, &r->res);
	/* the body is no longer needed */
	buf_release(&r->body);
	if (r->res.status == 200 && r->res.n)
		r->job.preps = prepare_items(r->res.items, r->res.n);
	serve_metrics_decode(&s->metrics, serve_now_ms() - t0);
	if (r->res.status != 200) {
		const char *why = r->res.status == 413 ? "body_too_large" :
				  r->res.status == 415 ? "unsupported" :
				  r->res.status >= 500 ? "internal" : "bad_request";

		req_error(r, r->res.status, r->res.code, why, r->res.reason);
		resume_answered(r);
		return;
	}
	if (r->res.n == 0) {
		req_ok(r, 200, r->res.reply_type, r->res.reply_body,
		       r->res.reply_body ? strlen(r->res.reply_body) : 0);
		resume_answered(r);
		return;
	}
	r->job.tenant = r->who.tenant;
	r->job.items = r->res.items;
	r->job.n = r->res.n;
	r->job.done = job_done;
	if (serve_writer_push(&s->writer, &r->job))
		return;  /* the writer resumes the connection */
	snprintf(msg, sizeof(msg), "write queue full (%zu profiles); retry later", s->o.max_queue);
	refuse_suspended(r, "queue_full", msg);
}

/*
 * The path and the headers kept for a pool thread (libmicrohttpd's strings stay valid
 * while the request lives); false with the answer set when out of memory.
 */
static bool keep_request(struct req *r, const char *path)
{
	if (!(r->path = strdup(path))) {
		req_error(r, 500, "internal", "internal", "out of memory");
		return false;
	}
	r->hdrs.n = 0;
	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, add_header, &r->hdrs);
	if (r->hdrs.nomem) {
		req_error(r, 500, "internal", "internal", "out of memory");
		return false;
	}
	return true;
}

/* Hands a push to the decoders (true: then only they may touch r, and resume it). */
static bool do_push(struct req *r, const char *path)
{
	struct serve *s = r->srv;

	if (!keep_request(r, path))
		return false;
	r->pjob.run = push_run;
	/* suspend first: a decoder may resume as soon as it has the job */
	r->phase = PH_WAITING;
	MHD_suspend_connection(r->conn);
	if (serve_pool_push(&s->decoders, &r->pjob))
		return true;
	refuse_suspended(r, "too_many_inflight", "too many pushes waiting to be decoded; "
			 "retry later");
	return false;
}

/* A read cancelled by the shutdown (503) or the watchdog (504); the connection resumed. */
static void read_cancelled(struct req *r, int why)
{
	char msg[160];

	if (why == SERVE_POOL_TIMED_OUT) {
		snprintf(msg, sizeof(msg), "the query was not answered within %.3g s "
			 "(--request-timeout, its wait for a reader included)",
			 r->srv->o.request_timeout_ms / 1000.0);
		req_error(r, 504, "deadline_exceeded", "timeout", msg);
	} else {
		refuse_shutting_down(r);
	}
	resume_answered(r);
}

/* On a reader thread: the query, its answer, and the connection resumed. */
static void read_run(struct serve_pool_job *j, atomic_int *cancel)
{
	struct req *r = (struct req *)((char *)j - offsetof(struct req, pjob));
	struct serve *s = r->srv;
	struct serve_reply rep;
	struct ingest_request rq;
	struct backend *b = NULL;
	const char *q = strchr(r->uri, '?');

	if (*cancel) {
		read_cancelled(r, *cancel);
		return;
	}
	memset(&rq, 0, sizeof(rq));
	memset(&rep, 0, sizeof(rep));
	rq.method = r->route->method;
	rq.path = r->path;
	rq.query = q ? q + 1 : "";
	rq.headers = r->hdrs.v;
	rq.nheaders = r->hdrs.n;
	rq.body = (const uint8_t *)r->body.data;
	rq.body_len = r->body.len;
	rq.now_ns = time_now_ns();
	if (store_backend_open(s->o.db, r->who.tenant, &b)) {
		req_error(r, 500, "internal", "store_error", err_last());
		resume_answered(r);
		return;
	}
	b->cancel = cancel;
	rep.status = 200;
	if (r->route->read(b, &rq, &rep) && rep.status == 200)
		rep.status = 500;
	backend_close(b);
	if (*cancel) {
		buf_release(&rep.body);
		read_cancelled(r, *cancel);
		return;
	}
	if (rep.status >= 400 && rep.body.len == 0) {
		req_error(r, rep.status, NULL, "query_error", rep.reason[0] ? rep.reason : err_last());
	} else {
		r->status = rep.status;
		r->ctype = rep.content_type ? rep.content_type : "application/octet-stream";
		buf_release(&r->reply);
		r->reply = rep.body;
		memset(&rep.body, 0, sizeof(rep.body));
		snprintf(r->reason, sizeof(r->reason), "%s", rep.reason);
		r->err_reason = rep.status >= 400 ? "query_error" : NULL;
		r->phase = PH_ANSWER;
	}
	buf_release(&rep.body);
	resume_answered(r);
}

/* Hands a read to the readers (true: then only they may touch r, and resume it). */
static bool do_read(struct req *r, const char *path)
{
	struct serve *s = r->srv;
	bool shutting;

	if (!keep_request(r, path))
		return false;
	r->pjob.run = read_run;
	pthread_mutex_lock(&s->mu);
	shutting = s->shutting;
	if (!shutting) {
		s->reading++;
		r->reading = true;
	}
	pthread_mutex_unlock(&s->mu);
	if (shutting) {
		refuse_shutting_down(r);
		return false;
	}
	/* suspend first: a reader may resume as soon as it has the job */
	r->phase = PH_WAITING;
	MHD_suspend_connection(r->conn);
	if (serve_pool_push(&s->readers, &r->pjob))
		return true;
	refuse_suspended(r, "read_queue_full", "too many queries waiting; retry later");
	return false;
}

static uint64_t store_bytes(struct serve *s)
{
	char p[4096];
	struct stat st;
	uint64_t n = 0;

	if (stat(s->o.db, &st) == 0)
		n += (uint64_t)st.st_size;
	snprintf(p, sizeof(p), "%s-wal", s->o.db);
	if (stat(p, &st) == 0)
		n += (uint64_t)st.st_size;
	return n;
}

/* Answers r, or hands it off (true: suspended, answered by another thread). */
static bool finish(struct req *r, const char *path)
{
	struct serve *s = r->srv;

	switch (r->route->kind) {
	case ROUTE_READY: {
		bool shutting;

		pthread_mutex_lock(&s->mu);
		shutting = s->shutting;
		pthread_mutex_unlock(&s->mu);
		if (shutting)
			req_error(r, 503, "unavailable", "shutting_down", "server is shutting down");
		else
			req_ok(r, 200, "text/plain; charset=utf-8", "ready\n", 6);
		break;
	}
	case ROUTE_METRICS: {
		struct serve_gauges g;

		pthread_mutex_lock(&s->mu);
		g.inflight = s->inflight;
		pthread_mutex_unlock(&s->mu);
		g.queued = serve_writer_queued(&s->writer);
		serve_pool_counts(&s->decoders, &g.decode_waiting, &g.decode_busy);
		serve_pool_counts(&s->readers, &g.read_waiting, &g.read_busy);
		serve_pool_counts(&s->checkers, &g.check_waiting, &g.check_busy);
		g.store_bytes = store_bytes(s);
		buf_reset(&r->reply);
		serve_metrics_render(&s->metrics, &g, &r->reply);
		r->status = 200;
		r->ctype = "text/plain; version=0.0.4; charset=utf-8";
		r->phase = PH_ANSWER;
		break;
	}
	case ROUTE_PUSH:
		return do_push(r, path);
	case ROUTE_READ:
		return do_read(r, path);
	}
	return false;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	struct req *r = *req_cls;

	(void)cls;
	if (!r)
		return MHD_NO;
	switch (r->phase) {
	case PH_HEADERS:
		r->conn = conn;
		serve_conn_headers_in(r);
		if (begin(r, url, method, version))
			return MHD_YES;  /* suspended: a checker resumes it */
		if (r->phase == PH_ANSWER) {
			r->discard = true;
			return send_answer(r);
		}
		return MHD_YES;
	case PH_CHECKED:
		/* resumed by a checker: still at the headers (libmicrohttpd calls again) */
		begin_as(r, r->check_rc);
		if (r->phase == PH_ANSWER) {
			r->discard = true;
			return send_answer(r);
		}
		resumed_goes_on(r);
		return MHD_YES;
	case PH_BODY:
		if (*upload_data_size) {
			bool ok = body_chunk(r, upload_data, *upload_data_size);

			*upload_data_size = 0;
			if (!ok)  /* the answer waits for the end of the body (below) */
				refused_mid_body(r);
			return MHD_YES;
		}
		if (finish(r, url))
			return MHD_YES;  /* suspended: the writer or a reader answers */
		return r->phase == PH_ANSWER ? send_answer(r) : MHD_YES;
	case PH_ANSWER:
		/*
		 * A body refused mid-way is read and dropped to its end (refused_mid_body()),
		 * and the client only reads an answer after sending anyway.  Dropping stops
		 * being patient DISCARD_MAX bytes past the limit or at r->drop_until: the
		 * connection is closed, and logged with the answer it could not be sent.
		 */
		if (*upload_data_size) {
			r->body_bytes += *upload_data_size;
			*upload_data_size = 0;
			if (r->body_bytes > r->body_limit + DISCARD_MAX ||
			    (r->drop_until > 0 && serve_now_ms() > r->drop_until)) {
				r->cut = true;
				return MHD_NO;
			}
			return MHD_YES;
		}
		return send_answer(r);
	case PH_CHECKING:
	case PH_WAITING:
	case PH_SENT:
	default:
		/* a body arriving after an early answer is dropped */
		if (*upload_data_size)
			*upload_data_size = 0;
		return MHD_YES;
	}
}

/* libmicrohttpd's format and arguments (the attribute tells clang fmt is a format) */
ERR_PRINTF(2, 0)
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct serve *s = cls;
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	serve_log(s, SERVE_LOG_DEBUG, "http: %s", msg);
	/* GnuTLS's reason comes first, then "Failed to initialize TLS support": both kept */
	while (n && msg[n - 1] == '.')
		msg[--n] = '\0';
	pthread_mutex_lock(&s->mu);
	if (s->starting && n) {
		size_t k = strlen(s->mhd_said);

		snprintf(s->mhd_said + k, sizeof(s->mhd_said) - k, "%s%s", k ? "; " : "", msg);
	}
	pthread_mutex_unlock(&s->mu);
}

/* ---- start and stop ---- */

/*
 * MHD_start_daemon() with s's callbacks and opts: NULL with errno (0 when it set none)
 * and s->mhd_said telling why.  The logger comes first: libmicrohttpd writes what it says
 * before it to stderr, unescaped, whatever --log-level.
 */
static struct MHD_Daemon *mhd_start(struct serve *s, unsigned flags, struct MHD_OptionItem *opts)
{
	struct MHD_Daemon *d;
	int saved;

	pthread_mutex_lock(&s->mu);
	s->starting = true;
	s->mhd_said[0] = '\0';
	pthread_mutex_unlock(&s->mu);
	errno = 0;  /* not a stale one from before: ENOENT from a file looked for earlier */
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
			     MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
			     MHD_OPTION_URI_LOG_CALLBACK, serve_on_uri, s,
			     MHD_OPTION_NOTIFY_COMPLETED, serve_on_completed, s,
			     MHD_OPTION_NOTIFY_CONNECTION, serve_on_connection, s,
			     MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	saved = errno;
	pthread_mutex_lock(&s->mu);
	s->starting = false;
	if (!s->mhd_said[0])
		snprintf(s->mhd_said, sizeof(s->mhd_said), "libmicrohttpd refused to start");
	pthread_mutex_unlock(&s->mu);
	errno = saved;
	return d;
}

/*
 * The certificate and key, tried on a daemon that listens nowhere, before the store is
 * created: a bad pair leaves no new store file behind, and the error is GnuTLS's reason
 * as libmicrohttpd gives it.
 */
static int check_tls(struct serve *s)
{
	struct MHD_OptionItem opts[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert.data },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, s->key.data },
		{ MHD_OPTION_END, 0, NULL },
	};
	struct MHD_Daemon *d;

	d = mhd_start(s, MHD_USE_TLS | MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ERROR_LOG, opts);
	if (!d)
		return err_set(ERR_PARSE, "cannot use --tls-cert '%s' with --tls-key '%s': %s",
			       s->o.tls_cert, s->o.tls_key, s->mhd_said);
	MHD_stop_daemon(d);
	return 0;
}

static int start_daemon(struct serve *s, const struct sockaddr_storage *sa)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_SUSPEND_RESUME |
			 MHD_USE_ERROR_LOG | MHD_USE_POLL;
	const union MHD_DaemonInfo *info;
	struct MHD_OptionItem opts[16];
	size_t n = 0;

	if (sa->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (s->o.tls_cert)
		flags |= MHD_USE_TLS;
#define OPT(o, v, p) (opts[n].option = (o), opts[n].value = (intptr_t)(v), opts[n].ptr_value = (p), n++)
	OPT(MHD_OPTION_THREAD_POOL_SIZE, s->o.http_threads, NULL);
	OPT(MHD_OPTION_CONNECTION_LIMIT, s->o.max_connections, NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, s->o.idle_timeout_s, NULL);
	OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONN_MEMORY, NULL);
	OPT(MHD_OPTION_SOCK_ADDR, 0, (void *)sa);
	if (s->o.tls_cert) {
		OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert.data);
		OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, s->key.data);
	}
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
	/*
	 * The certificate was tried already (check_tls): errno, when set, is the socket's
	 * ("Address already in use"), else libmicrohttpd's word is the reason.
	 */
	if (!(s->d = mhd_start(s, flags, opts)))
		return err_set(ERR_NET, "cannot listen on %s: %s", s->o.listen,
			       errno ? strerror(errno) : s->mhd_said);
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : 0;
	return 0;
}

int serve_start(const struct serve_opts *o, struct serve **out)
{
	struct sockaddr_storage sa;
	socklen_t salen = 0;
	struct serve *s;
	bool loopback;
	int rc;

	*out = NULL;
	if (o->threads < 1 || o->threads > SERVE_POOL_MAX || o->http_threads < 1 ||
	    o->http_threads > SERVE_POOL_MAX || o->max_inflight < 1 || o->max_queue < 1 ||
	    o->batch_max < 1)
		return err_set(ERR_USAGE, "--threads and --http-threads must be 1 to %d, "
			       "--max-inflight and --max-queue positive", SERVE_POOL_MAX);
	if (o->read_threads < 1 || o->read_threads > SERVE_MAX_READERS)
		return err_set(ERR_USAGE, "--read-threads must be 1 to %d", SERVE_MAX_READERS);
	if ((rc = serve_listen_parse(o->listen, &sa, &salen)))
		return rc;
	loopback = serve_addr_is_loopback((struct sockaddr *)&sa);
	if ((rc = serve_listen_policy(o, loopback)))
		return rc;
	if (!(s = calloc(1, sizeof(*s))))
		return err_set(ERR_NOMEM, "out of memory");
	s->o = *o;
	s->log = o->log ? o->log : stderr;
	s->listen_fd = -1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->idle, NULL);
	if ((rc = serve_metrics_init(&s->metrics)))
		goto fail;
	s->metrics_on = true;
	if ((rc = serve_conns_start(s)))
		goto fail;
	if (o->auth_file) {
		if ((rc = serve_auth_load(o->auth_file, &s->auth)))
			goto fail;
		s->auth_on = true;
		if (s->auth.has_plain)
			serve_log(s, SERVE_LOG_WARN, "%s holds plain-text secrets: prefer crypt(3) "
				  "hashes (openssl passwd -6)", o->auth_file);
	}
	if (o->tls_cert && ((rc = buf_read_file(&s->cert, o->tls_cert, 1 << 20)) ||
			    (rc = buf_read_file(&s->key, o->tls_key, 1 << 20)) ||
			    (rc = check_tls(s))))
		goto fail;
	if ((rc = store_make_parent_dir(o->db)) || (rc = store_open(o->db, STORE_CREATE, &s->store)) ||
	    (rc = store_set_size_limit(s->store, o->max_store_bytes)))
		goto fail;
	if ((rc = serve_writer_start(&s->writer, s, s->store, &s->o, &s->metrics)))
		goto fail;
	s->writer_on = true;
	/* every push waiting for a decoder holds an in-flight slot: the cap bounds the queue */
	if ((rc = serve_pool_start(&s->decoders, "decoders", o->threads, o->max_inflight, 0)))
		goto fail;
	if ((rc = serve_pool_start(&s->readers, "readers", o->read_threads,
				      (size_t)o->read_threads * READS_QUEUED_PER_READER,
				      o->request_timeout_ms)))
		goto fail;
	/* a checker for every two decoders: wrong passwords take at most that share of the CPUs */
	if (s->auth_on && (rc = serve_pool_start(&s->checkers, "checkers", (o->threads + 1) / 2,
						 CHECKS_QUEUED, 0)))
		goto fail;
	if ((rc = start_daemon(s, &sa)))
		goto fail;
	if (!loopback && o->no_auth)
		serve_log(s, SERVE_LOG_WARN, "--no-auth on %s: anyone who can reach it may push "
			  "and read profiles as any tenant", o->listen);
	s->listening = true;
	serve_log(s, SERVE_LOG_INFO, "listening on %s://%.*s:%u, store %s%s",
		  o->tls_cert ? "https" : "http", (int)(strrchr(o->listen, ':') - o->listen),
		  o->listen, s->port, o->db, s->auth_on ? ", authentication on" : "");
	*out = s;
	return 0;
fail:
	{
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", err_last());
		serve_stop(s, 0);
		return err_set(rc, "%s", msg);
	}
}

unsigned serve_port(const struct serve *s)
{
	return s->port;
}

void serve_stop(struct serve *s, unsigned grace_s)
{
	struct timespec until;
	unsigned left;

	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->shutting = true;
	pthread_mutex_unlock(&s->mu);
	/* credential checks still waiting are answered 503, not run */
	serve_pool_cancel(&s->checkers);
	if (s->d) {
		s->listen_fd = MHD_quiesce_daemon(s->d);
		/*
		 * Stop accepting for real: the socket stays open until libmicrohttpd has
		 * stopped (its threads may still poll it), but shut down it no longer listens,
		 * so a new client is refused at once rather than left in the backlog until the
		 * grace period ends and then reset.
		 */
		if (s->listen_fd >= 0)
			shutdown(s->listen_fd, SHUT_RDWR);
		pthread_mutex_lock(&s->mu);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += grace_s;
		while (s->inflight + s->reading > 0 &&
		       pthread_cond_timedwait(&s->idle, &s->mu, &until) != ETIMEDOUT)
			;
		left = s->inflight + s->reading;
		pthread_mutex_unlock(&s->mu);
		if (left) {
			serve_log(s, SERVE_LOG_WARN, "stopping with %u request%s unfinished "
				  "(queries still running are cancelled)", left, left == 1 ? "" : "s");
			serve_pool_cancel(&s->decoders);
			serve_pool_cancel(&s->readers);
		}
	}
	/*
	 * The decoders hand what is queued on to the writer (or answer it), the readers answer
	 * theirs, then the writer commits what it holds; each resumes its connections.
	 */
	serve_pool_stop(&s->checkers);
	serve_pool_stop(&s->decoders);
	serve_pool_stop(&s->readers);
	if (s->writer_on)
		serve_writer_stop(&s->writer);
	/*
	 * Every request they resumed has its answer (a committed push its 200): the HTTP
	 * threads send those before the daemon stops, which would close the connections
	 * unanswered (a client would then push a stored profile again).
	 */
	if (s->d) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += ANSWER_WAIT_S;
		pthread_mutex_lock(&s->mu);
		while (s->answering > 0 &&
		       pthread_cond_timedwait(&s->idle, &s->mu, &until) != ETIMEDOUT)
			;
		pthread_mutex_unlock(&s->mu);
		MHD_stop_daemon(s->d);
	}
	serve_conns_stop(s);  /* every connection is closed */
	serve_writer_release(&s->writer);  /* no HTTP thread reads its queue any more */
	serve_pool_release(&s->checkers);
	serve_pool_release(&s->decoders);
	serve_pool_release(&s->readers);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->store) {
		store_close(s->store);  /* checkpoints */
		if (s->listening)
			serve_log(s, SERVE_LOG_INFO, "stopped; store %s closed", s->o.db);
	}
	if (s->auth_on)
		serve_auth_release(&s->auth);
	if (s->metrics_on)
		serve_metrics_release(&s->metrics);
	buf_release(&s->cert);
	if (s->key.data)
		explicit_bzero(s->key.data, s->key.len);
	buf_release(&s->key);
	pthread_cond_destroy(&s->idle);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
