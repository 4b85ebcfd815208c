/*
 * remote_http.c — the remote backend's one conversation with the server (remote_int.h):
 * a querier.v1 request encoded in the chosen codec, POSTed with the headers profilecli
 * sends, retried when it may be (429, 502, 503, 504, honouring Retry-After; a dropped
 * connection), its answer bounded as it arrives (the response limit, and what compressed
 * bytes may inflate to), and every failure turned into one line naming the server and
 * the method.
 */
#include "remote_int.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/err.h"
#include "base/text.h"
#include "base/timeparse.h"
#include "base/url.h"
#include "pbjson.h"

#define PREFIX "/querier.v1.QuerierService/"
#define MAX_RETRY_AFTER_S 10


/*
 * An answer sent compressed (Content-Encoding: gzip, deflate..., which libcurl inflates
 * before on_data sees it) may inflate to INFLATE_RATIO times the bytes received, plus
 * INFLATE_SLACK: Connect answers compress 3 to 20 times; a gzip of zeros, 1,000 times
 * (611 KB became 600 MiB).  Past it the answer is refused as it arrives, before
 * max_response is reached.
 */
#define INFLATE_RATIO 64
#define INFLATE_SLACK ((size_t)64 << 20)

struct xfer {
	struct buf *out;
	size_t limit;
	bool too_big;
	bool inflated;           /* refused for INFLATE_RATIO */
	bool nomem;              /* no room for the answer's next bytes (libcurl says only
				  * "write error") */
	size_t most;             /* then: what the bytes received may inflate to */
	curl_off_t received;     /* and those bytes */
	bool drawn;              /* the waiting line is on rb->progress */
	long drawn_s;            /* the seconds it shows */
	const struct rbackend *rb;
	struct timespec start;   /* CLOCK_MONOTONIC */
	atomic_int *cancel;
	long retry_after_s;
	char location[256];
};

/*
 * Room for len more bytes in b, whose bytes never pass limit: doubled as buf_grow() does,
 * but never past limit + 1 (the NUL), so that a limit of 512 MiB is not 1 GiB of buffer.
 */
static int grow_capped(struct buf *b, size_t len, size_t limit)
{
	size_t want = b->len + len + 1, cap;
	char *d;

	if (want <= b->cap)
		return 0;
	cap = b->cap > limit / 2 ? limit : b->cap * 2;
	if (cap < 256)
		cap = 256;
	if (cap < want)  /* at most limit + 1: on_data keeps len + b->len <= limit */
		cap = want;
	if (!(d = realloc(b->data, cap)))
		return -1;
	b->data = d;
	b->cap = cap;
	return 0;
}

static size_t on_data(char *p, size_t sz, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = sz * n, most;
	curl_off_t got = 0;

	if (len > x->limit - x->out->len || x->out->len > x->limit) {
		x->too_big = true;
		return 0;
	}
	/*
	 * What came over the wire so far: libcurl counts the body's bytes as received,
	 * before it inflates them, so this is the compressed size (checked with 7.88).
	 */
	if (curl_easy_getinfo(x->rb->h, CURLINFO_SIZE_DOWNLOAD_T, &got) != CURLE_OK || got < 0)
		got = 0;
	most = (uint64_t)got > (SIZE_MAX - INFLATE_SLACK) / INFLATE_RATIO
		       ? SIZE_MAX
		       : (size_t)got * INFLATE_RATIO + INFLATE_SLACK;
	if (x->out->len + len > most) {
		x->inflated = true;
		x->most = most;
		x->received = got;
		return 0;
	}
	if (grow_capped(x->out, len, x->limit)) {
		x->nomem = true;
		return 0;
	}
	memcpy(x->out->data + x->out->len, p, len);
	x->out->len += len;
	x->out->data[x->out->len] = '\0';
	return len;
}

static size_t on_header(char *p, size_t sz, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = sz * n;

	if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
		long s = strtol(p + 12, NULL, 10);

		x->retry_after_s = s < 0 ? 0 : s > MAX_RETRY_AFTER_S ? MAX_RETRY_AFTER_S : s;
	} else if (len > 9 && strncasecmp(p, "Location:", 9) == 0) {
		size_t k = 9;

		while (k < len && (p[k] == ' ' || p[k] == '\t'))
			k++;
		snprintf(x->location, sizeof(x->location), "%.*s", (int)strcspn(p + k, "\r\n"),
			 p + k);
	}
	return len;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct xfer *x = arg;

	(void)dt, (void)dn, (void)ut, (void)un;
	if (x->rb && x->rb->progress) {
		struct timespec now;
		long s;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((s = (long)(now.tv_sec - x->start.tv_sec)) >= 1 && s != x->drawn_s) {
			fprintf(x->rb->progress, "\r\033[Kwaiting for %s... %ld s (Ctrl-C aborts)",
				x->rb->shown.data, s);
			fflush(x->rb->progress);
			x->drawn = true;
			x->drawn_s = s;
		}
	}
	return x->cancel && *x->cancel ? 1 : 0;
}

static bool cancelled(const struct rbackend *rb)
{
	return rb->base.cancel && *rb->base.cancel;
}

/* Sleeps ms in small steps, giving up when cancelled. */
static int backoff(struct rbackend *rb, long ms)
{
	while (ms > 0) {
		struct timespec ts = { 0, (ms > 50 ? 50 : ms) * 1000000L };

		if (cancelled(rb))
			return err_set(ERR_CANCELLED, "%s: cancelled", rb->shown.data);
		nanosleep(&ts, NULL);
		ms -= 50;
	}
	return cancelled(rb) ? err_set(ERR_CANCELLED, "%s: cancelled", rb->shown.data) : 0;
}

static bool retryable_curl(CURLcode res)
{
	return res == CURLE_COULDNT_CONNECT || res == CURLE_SEND_ERROR || res == CURLE_RECV_ERROR ||
	       res == CURLE_GOT_NOTHING || res == CURLE_PARTIAL_FILE;
}

static int net_error(struct rbackend *rb, CURLcode res, const char *errbuf)
{
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(res);

	switch (res) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return err_set(ERR_NET,
			       "%s: TLS: %s (--ca-cert FILE trusts another CA; "
			       "--insecure-skip-verify skips the check)",
			       rb->shown.data, why);
	case CURLE_OPERATION_TIMEDOUT:
		return err_set(ERR_NET, "%s: timed out: %s", rb->shown.data, why);
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		return err_set(ERR_NET, "%s: cannot connect: %s", rb->shown.data, why);
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return err_set(ERR_USAGE, "%s: not an http(s) URL (%s)", rb->shown.data, why);
	default:
		return err_set(ERR_NET, "%s: %s", rb->shown.data, why);
	}
}

/* "limit: 24h0m0s)" in a refusal of a long range → ns; 0 when there is none. */
static int64_t range_limit(const char *msg)
{
	const char *p = strstr(msg, "limit: ");
	char d[32];
	size_t n;
	int64_t ns = 0;

	if (!p)
		return 0;
	p += 7;
	n = strcspn(p, "), ");
	if (n == 0 || n >= sizeof(d))
		return 0;
	memcpy(d, p, n);
	d[n] = '\0';
	/* Go writes 24h0m0s: its zero terms are fine for a Prometheus duration too */
	if (timeparse_duration(d, &ns) || ns <= 0)
		return 0;
	return ns;
}

/*
 * Where a redirect of a request to req (…/querier.v1.QuerierService/Method) points, for a
 * message: loc resolved against req (RFC 3986: absolute, "//host…", "/path" or relative),
 * without user information, query and fragment, and with an API method's path
 * ("/<package>.<Name>Service/<Method>") taken off, which *api says — that URL is then
 * the server's base URL, what --url wants.  Terminal-safe.
 */
static int redirect_target(const char *req, const char *loc, struct buf *out, bool *api)
{
	struct buf abs = BUF_INIT, shown = BUF_INIT;
	size_t n = strspn(loc, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	const char *scheme_end = strstr(req, "://"), *path, *seg, *last;
	int rc;

	*api = false;
	if (n && strncmp(loc + n, "://", 3) == 0 && !strchr("0123456789+.-", loc[0]))
		rc = buf_puts(&abs, loc);
	else if (!scheme_end)
		rc = buf_puts(&abs, loc);
	else if (loc[0] == '/' && loc[1] == '/')
		rc = buf_printf(&abs, "%.*s:%s", (int)(scheme_end - req), req, loc);
	else if (loc[0] == '/')  /* the request's scheme and authority, then loc */
		rc = buf_printf(&abs, "%.*s%s",
				(int)(scheme_end + 3 + strcspn(scheme_end + 3, "/") - req), req, loc);
	else  /* the request's directory, then loc */
		rc = buf_printf(&abs, "%.*s%s", (int)(strrchr(req, '/') + 1 - req), req, loc);
	if (rc || (rc = url_redact_buf(abs.data, &shown)) || !shown.data)
		goto done;
	/* the path: after the authority */
	path = strstr(shown.data, "://");
	path = path ? path + 3 : shown.data;
	path += strcspn(path, "/");
	last = strrchr(path, '/');
	if (last && last > path) {
		for (seg = last - 1; seg > path && *seg != '/'; seg--)
			;
		n = (size_t)(last - seg);
		if (*seg == '/' && n > 8 && memchr(seg, '.', n) &&
		    strncmp(last - 7, "Service", 7) == 0) {
			shown.len = (size_t)(seg - shown.data);
			shown.data[shown.len] = '\0';
			*api = true;
		}
	}
	while (*api && shown.len && shown.data[shown.len - 1] == '/')
		shown.data[--shown.len] = '\0';
	rc = text_safe(out, shown.data, shown.len, false);
done:
	buf_release(&abs);
	buf_release(&shown);
	return rc;
}

static int http_error(struct rbackend *rb, const char *method, long status, const struct buf *body,
		      const struct xfer *x)
{
	struct buf msg = BUF_INIT;
	int rc;

	remote_error_message(body->data ? body->data : "", body->len, &msg);
	if (status == 401) {
		/*
		 * what was sent, or how to send something.  libcurl sends the URL's user
		 * information as Basic unless an option replaced it; the shown URL lacks it.
		 */
		bool in_url = rb->url.len != rb->shown.len;
		const char *sent = rb->username || rb->password ? " (Basic credentials were sent)"
				   : rb->token ? " (a Bearer token was sent)"
				   : in_url    ? " (the credentials in the URL were refused)"
					       : " (--username/--password or --token)";

		rc = err_set(ERR_AUTH, "%s: authentication failed%s%s%s", rb->shown.data,
			     msg.len ? ": " : "", msg.len ? msg.data : "", sent);
	} else if (status == 403)
		rc = err_set(ERR_AUTH, "%s: permission denied%s%s", rb->shown.data,
			     msg.len ? ": " : "", msg.len ? msg.data : "");
	else if (status == 404)
		rc = err_set(ERR_NOTFOUND,
			     "%s: not found: %s%s (is this the URL of a Pyroscope server?)",
			     rb->shown.data, PREFIX, method);
	else if (status >= 300 && status < 400) {
		struct buf where = BUF_INIT, req = BUF_INIT;
		bool api = false;

		if (x->location[0] && (buf_printf(&req, "%s%s%s", rb->url.data, PREFIX, method) ||
				       redirect_target(req.data, x->location, &where, &api))) {
			buf_reset(&where);
			api = false;
		}
		if (api && where.len)
			rc = err_set(ERR_NET, "%s: the server redirects (HTTP %ld) to %s: use that URL",
				     rb->shown.data, status, where.data);
		else
			rc = err_set(ERR_NET,
				     "%s: the server redirects (HTTP %ld) to %s, not to the query API "
				     "(is this the URL of a Pyroscope server?)",
				     rb->shown.data, status, where.len ? where.data : "elsewhere");
		buf_release(&where);
		buf_release(&req);
	} else {
		if (status == 400 && msg.len && (strstr(msg.data, "exceeds the limit") ||
						 strcasestr(msg.data, "max query length") ||
						 strstr(msg.data, "max_query_length"))) {
			rb->refused_range = true;
			rb->max_range_ns = range_limit(msg.data);
			/* what a caller that looks far back bounds itself by (backend.h) */
			if (rb->max_range_ns > 0)
				rb->base.max_range_ns = rb->max_range_ns;
		}
		rc = err_set(status >= 500 ? ERR_NET : ERR_PARSE, "%s: %s: %s (HTTP %ld)",
			     rb->shown.data, method,
			     msg.len ? msg.data : "the server refused the request", status);
	}
	buf_release(&msg);
	return rc;
}

/*
 * A 200 answer that is not the query API's (a login page, a proxy's HTML): its
 * Content-Type said, in one line, rather than what the decoder makes of it.  Connect
 * answers application/proto or application/json; an answer that names no type is read.
 */
static int check_content_type(struct rbackend *rb, const char *method)
{
	static const char *const ok[] = { "application/proto", "application/json",
					  "application/protobuf", "application/x-protobuf" };
	char *ct = NULL;
	struct buf safe = BUF_INIT;
	size_t i, n;
	int rc;

	if (curl_easy_getinfo(rb->h, CURLINFO_CONTENT_TYPE, &ct) != CURLE_OK || !ct || !*ct)
		return 0;
	n = strcspn(ct, "; \t");
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (n == strlen(ok[i]) && strncasecmp(ct, ok[i], n) == 0)
			return 0;
	if ((rc = text_safe(&safe, ct, n > 80 ? 80 : n, true)))
		return rc;
	rc = err_set(ERR_PARSE,
		     "%s: %s: the server answered %s, not the query API "
		     "(is this the URL of a Pyroscope server?)",
		     rb->shown.data, method, safe.data ? safe.data : "");
	buf_release(&safe);
	return rc;
}

int remote_rpc(struct rbackend *rb, const char *method, const ProtobufCMessage *msg,
	       struct buf *resp)
{
	struct buf body = BUF_INIT, url = BUF_INIT;
	char errbuf[CURL_ERROR_SIZE];
	struct xfer x;
	unsigned attempt;
	int rc;

	rb->refused_range = false;
	if ((rc = pb_encode(msg, rb->codec == REMOTE_CODEC_JSON ? PB_JSON : PB_PROTO, &body)) ||
	    (rc = buf_printf(&url, "%s%s%s", rb->url.data, PREFIX, method)))
		goto done;
	curl_easy_setopt(rb->h, CURLOPT_URL, url.data);
	curl_easy_setopt(rb->h, CURLOPT_POSTFIELDS, body.data ? body.data : "");
	curl_easy_setopt(rb->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body.len);
	curl_easy_setopt(rb->h, CURLOPT_ERRORBUFFER, errbuf);
	for (attempt = 0;; attempt++) {
		long status = 0, wait_ms = 200L << (attempt < 6 ? attempt : 6);
		CURLcode res;

		memset(&x, 0, sizeof(x));
		x.out = resp;
		x.limit = rb->max_response;
		x.cancel = rb->base.cancel;
		x.rb = rb;
		clock_gettime(CLOCK_MONOTONIC, &x.start);
		errbuf[0] = '\0';
		buf_reset(resp);
		curl_easy_setopt(rb->h, CURLOPT_WRITEDATA, &x);
		curl_easy_setopt(rb->h, CURLOPT_HEADERDATA, &x);
		curl_easy_setopt(rb->h, CURLOPT_XFERINFODATA, &x);
		res = curl_easy_perform(rb->h);
		if (x.drawn) {
			fputs("\r\033[K", rb->progress);
			fflush(rb->progress);
		}
		curl_easy_getinfo(rb->h, CURLINFO_RESPONSE_CODE, &status);
		if (res == CURLE_ABORTED_BY_CALLBACK || cancelled(rb)) {
			rc = err_set(ERR_CANCELLED, "%s: cancelled", rb->shown.data);
			break;
		}
		if (x.inflated) {
			rc = err_set(ERR_TOOBIG,
				     "%s: %s: the compressed answer inflates to more than %zu bytes "
				     "from %lld received (at most %d times what is received + %zu "
				     "MiB)",
				     rb->shown.data, method, x.most, (long long)x.received,
				     INFLATE_RATIO, INFLATE_SLACK >> 20);
			break;
		}
		if (x.nomem) {
			rc = err_set(ERR_NOMEM, "%s: %s: out of memory for the answer (%zu bytes "
					"of it read)", rb->shown.data, method, resp->len);
			break;
		}
		if (x.too_big) {
			rc = err_set(ERR_TOOBIG, "%s: %s: the answer is larger than %zu bytes",
				     rb->shown.data, method, rb->max_response);
			break;
		}
		if (res == CURLE_OK && status == 200) {
			rc = check_content_type(rb, method);
			break;
		}
		if (attempt + 1 < rb->attempts &&
		    ((res != CURLE_OK && retryable_curl(res)) ||
		     (res == CURLE_OK && (status == 429 || status == 502 || status == 503 ||
					  status == 504)))) {
			if (x.retry_after_s)
				wait_ms = x.retry_after_s * 1000;
			if ((rc = backoff(rb, wait_ms)))
				break;
			continue;
		}
		rc = res != CURLE_OK ? net_error(rb, res, errbuf)
				     : http_error(rb, method, status, resp, &x);
		break;
	}
	/* the handle keeps no pointer to this call's buffers */
	curl_easy_setopt(rb->h, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(rb->h, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(rb->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
done:
	buf_release(&body);
	buf_release(&url);
	return rc;
}

int remote_decoded(struct rbackend *rb, const char *method, int rc)
{
	return rc ? err_prefix(rc, "%s: %s", rb->shown.data, method) : 0;
}

void remote_http_callbacks(CURL *h)
{
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
}
