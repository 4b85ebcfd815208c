/*
 * github.c — the source module's HTTP with libcurl: the GitHub contents API (raw media
 * type, so no base64 and no 1 MB limit), go.googlesource.com ?format=TEXT files, and
 * the plain GETs of go-get discovery.
 *
 * Redirects are followed by hand (at most 5, http and https only) so that the
 * Authorization header goes only to the origin of the configured API: a redirect to any
 * other origin is followed without it.  The token never appears in a message or a trace.
 * Bodies are bounded; the calling thread's cancel flag aborts a transfer.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base64.h"
#include "base/err.h"
#include "source_int.h"

#define MAX_REDIRECTS 5
#define MEMO_MSG_SHOWN 200 /* of an earlier failure, in a later message */

struct http {
	struct src_ctx *c;
	struct buf *body;
	size_t limit;
	bool too_big;
	char ctype[128];
	char media[128];     /* x-github-media-type: GitHub's answer names its format */
	char remaining[32];  /* x-ratelimit-remaining */
	char what[300];
};

static size_t on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct http *h = arg;
	size_t len = sz * n;

	if (h->body->len + len > h->limit) {
		h->too_big = true;
		return 0;
	}
	return buf_add(h->body, p, len) ? 0 : len;
}

static void header_value(const char *line, size_t len, const char *name, char *out, size_t n)
{
	size_t nl = strlen(name), k;

	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return;
	line += nl + 1;
	len -= nl + 1;
	while (len && (*line == ' ' || *line == '\t'))
		line++, len--;
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n' || line[len - 1] == ' '))
		len--;
	k = len < n - 1 ? len : n - 1;
	memcpy(out, line, k);
	out[k] = '\0';
	/* a server's text: it may reach a message, so printable ASCII only */
	for (; *out; out++)
		if ((unsigned char)*out < 0x20 || (unsigned char)*out > 0x7e)
			*out = '?';
}

static size_t on_header(char *p, size_t sz, size_t n, void *arg)
{
	struct http *h = arg;
	size_t len = sz * n;

	header_value(p, len, "content-type", h->ctype, sizeof(h->ctype));
	header_value(p, len, "x-github-media-type", h->media, sizeof(h->media));
	header_value(p, len, "x-ratelimit-remaining", h->remaining, sizeof(h->remaining));
	return len;
}

/*
 * Whether a failed transfer never reached the origin: its name did not resolve, nothing
 * accepted the connection, TLS could not be set up or verified, or it timed out before
 * the server sent a byte.  Anything else (a reset, a connection closed without an
 * answer, an HTTP/2 stream error, a large file timing out halfway) is that one request's
 * failure: the next one may well get through.
 */
static bool unreachable(CURL *e, CURLcode res)
{
	curl_off_t got = 0;
	long hdr = 0;

	switch (res) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
		return true;
	case CURLE_OPERATION_TIMEDOUT:
		curl_easy_getinfo(e, CURLINFO_HEADER_SIZE, &hdr);
		curl_easy_getinfo(e, CURLINFO_SIZE_DOWNLOAD_T, &got);
		return hdr == 0 && got == 0;
	default:
		return false;
	}
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct http *h = arg;

	(void)ultotal, (void)ulnow;
	if (h->c->o->cancel && *h->c->o->cancel)
		return 1;
	if (h->c->o->progress && dlnow > 0)
		h->c->o->progress(h->c->o->progress_arg, h->what, (uint64_t)dlnow,
				  (uint64_t)(dltotal > 0 ? dltotal : 0));
	return 0;
}

/*
 * GET url into body (reset first).  accept may be NULL.  github: the API's headers, and
 * the token when the URL is on the API's origin.  0 with *status, or an error.
 */
static int get(struct src_ctx *c, const char *url0, const char *accept, bool github,
	       size_t limit, struct buf *body, long *status, struct http *h)
{
	char *url = strdup(url0), *shown = NULL, api_origin[512], origin[512];
	char errbuf[CURL_ERROR_SIZE], prev[MEMO_MSG_SHOWN];
	int hop, rc = 0;

	*status = 0;
	if (!url)
		return err_set(ERR_NOMEM, "out of memory");
	url_origin(c->github_api, api_origin, sizeof(api_origin));
	for (hop = 0;; hop++) {
		struct curl_slist *hdrs = NULL;
		char *auth = NULL, *next = NULL;
		CURL *e;
		CURLcode res;
		bool unreached;

		free(shown);
		shown = url_redact(url);
		memset(h, 0, sizeof(*h));
		h->c = c;
		h->body = body;
		h->limit = limit;
		snprintf(h->what, sizeof(h->what), "downloading %s", shown ? shown : "?");
		buf_reset(body);
		errbuf[0] = '\0';
		url_origin(url, origin, sizeof(origin));
		if (src_memo_failed(c->memo, SRC_MEMO_ORIGIN, origin, src_now_ms(), prev, sizeof(prev))) {
			/* one timeout per run, not one per function listed */
			rc = err_set(ERR_NET, "'%s': not asked: %s did not answer earlier in this run "
					      "(%s)", shown, origin, prev);
			break;
		}
		if (!(e = curl_easy_init())) {
			rc = err_set(ERR_NOMEM, "cannot create a curl handle");
			break;
		}
		if (accept) {
			char a[200];

			snprintf(a, sizeof(a), "Accept: %s", accept);
			hdrs = curl_slist_append(hdrs, a);
		}
		if (github) {
			hdrs = curl_slist_append(hdrs, "X-GitHub-Api-Version: 2022-11-28");
			if (c->token && origin[0] && strcmp(origin, api_origin) == 0 &&
			    asprintf(&auth, "Authorization: Bearer %s", c->token) >= 0)
				hdrs = curl_slist_append(hdrs, auth);
		}
		curl_easy_setopt(e, CURLOPT_URL, url);
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
		/* a source file is small: one that trickles in is given up on */
		curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 10L);
		curl_easy_setopt(e, CURLOPT_TIMEOUT, 120L);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1024L);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 30L);
		curl_easy_setopt(e, CURLOPT_USERAGENT, "smolder/" SMOLDER_VERSION);
		curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(e, CURLOPT_WRITEDATA, h);
		curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(e, CURLOPT_HEADERDATA, h);
		curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(e, CURLOPT_XFERINFODATA, h);
		curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
		res = curl_easy_perform(e);
		unreached = unreachable(e, res);
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
		if (res == CURLE_OK && *status >= 300 && *status < 400) {
			char *loc = NULL;

			curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &loc);
			if (loc && url_is_http(loc))
				next = strdup(loc);
		}
		curl_easy_cleanup(e);
		curl_slist_free_all(hdrs);
		if (auth) {
			memset(auth, 0, strlen(auth));
			free(auth);
		}
		if (res == CURLE_ABORTED_BY_CALLBACK) {
			rc = err_set(ERR_CANCELLED, "'%s': cancelled", shown);
		} else if (h->too_big) {
			c->refused = true;
			rc = err_set(ERR_TOOBIG, "'%s': larger than %zu MiB, not shown", shown,
				     (limit - 1) >> 20);
		} else if (unreached) {
			/* the origin could not be reached: the rest of the run does not wait for it
			   again for a while (a dropped connection or a reset is asked again) */
			const char *why = errbuf[0] ? errbuf : curl_easy_strerror(res);

			src_memo_fail(c->memo, SRC_MEMO_ORIGIN, origin, src_now_ms(), why);
			rc = err_set(ERR_NET, "'%s': %s (%s is not asked again for %d s)", shown, why,
				     origin, SRC_MEMO_FAIL_TTL_MS / 1000);
		} else if (res != CURLE_OK) {
			rc = err_set(ERR_NET, "'%s': %s", shown,
				     errbuf[0] ? errbuf : curl_easy_strerror(res));
		} else if (next) {
			if (hop + 1 >= MAX_REDIRECTS) {
				free(next);
				rc = err_set(ERR_NET, "'%s': too many redirects", shown);
				break;
			}
			free(url);
			url = next;
			continue;
		}
		free(next);
		break;
	}
	free(url);
	free(shown);
	return rc;
}

int src_http_get(struct src_ctx *c, const char *url, size_t limit, struct buf *body, long *status)
{
	struct http h;

	return get(c, url, NULL, false, limit, body, status, &h);
}

/* the first line of a response body, or its JSON "message", for an error message */
static void body_hint(const struct buf *b, char *out, size_t n)
{
	const char *s = b->data, *m;
	size_t i = 0;

	out[0] = '\0';
	if (!s)
		return;
	if ((m = strstr(s, "\"message\"")) != NULL && (m = strchr(m + 9, '"')) != NULL)
		s = m + 1;
	while (i + 1 < n && s[i] && s[i] != '"' && s[i] != '\n' && (unsigned char)s[i] >= 0x20) {
		out[i] = s[i];
		i++;
	}
	out[i] = '\0';
}

/*
 * Whether a 200 answer is GitHub's raw file: GitHub (and GitHub Enterprise) names the
 * format it sent in X-GitHub-Media-Type ("github.v3; param=raw"); a server that echoes
 * the raw media type as its Content-Type is taken too.  Anything else (text/html from
 * a captive portal) is someone else's page.
 */
static bool raw_answer(const struct http *h)
{
	return strstr(h->media, "param=raw") != NULL ||
	       strncasecmp(h->ctype, "application/vnd.github.raw", 26) == 0 ||
	       strncasecmp(h->ctype, "application/vnd.github.v3.raw", 29) == 0;
}

int src_github_get(struct src_ctx *c, const char *owner, const char *repo, const char *ref,
		   const char *path, struct buf *data, char *note, size_t notelen)
{
	struct buf url = BUF_INIT;
	struct http h;
	char hint[160];
	long status;
	int rc;

	(void)note, (void)notelen;
	if (c->o->offline)
		return err_set(ERR_NOTFOUND, "offline");
	if (strstr(path, "..") && (strcmp(path, "..") == 0 || strncmp(path, "../", 3) == 0 ||
				   strstr(path, "/../") ||
				   (strlen(path) >= 3 && strcmp(path + strlen(path) - 3, "/..") == 0)))
		return err_set(ERR_NOTFOUND, "refused: '%s' escapes the repository", path);
	rc = buf_printf(&url, "%s/repos/", c->github_api);
	rc = rc ? rc : url_escape(&url, owner, false);
	rc = rc ? rc : buf_puts(&url, "/");
	rc = rc ? rc : url_escape(&url, repo, false);
	rc = rc ? rc : buf_puts(&url, "/contents/");
	rc = rc ? rc : url_escape(&url, path, true);
	if (!rc && ref && *ref) {
		rc = buf_puts(&url, "?ref=");
		rc = rc ? rc : url_escape(&url, ref, false);
	}
	if (rc) {
		buf_release(&url);
		return rc;
	}
	rc = get(c, url.data, "application/vnd.github.raw", true, SOURCE_MAX_BYTES + 1, data,
		 &status, &h);
	buf_release(&url);
	if (rc)
		return rc;
	body_hint(data, hint, sizeof(hint));
	if (status == 200) {
		if (strncasecmp(h.ctype, "application/json", 16) == 0 && data->len &&
		    data->data[0] == '[')
			return err_set(ERR_NOTFOUND, "'%s': a directory", path);
		if (raw_answer(&h))
			return 0;
		/* a captive portal or a proxy's page: not the file, and never cached */
		buf_reset(data);
		return err_set(ERR_NET, "'%s': the answer is not GitHub's raw file (Content-Type "
					"'%s'%s): a proxy or a login page in the way?",
			       path, h.ctype[0] ? h.ctype : "none",
			       h.media[0] ? "" : ", no X-GitHub-Media-Type");
	}
	if (status == 404)
		return err_set(ERR_NOTFOUND, "not found (HTTP 404)");
	if (status == 429 || ((status == 403) && strcmp(h.remaining, "0") == 0))
		return err_set(ERR_NET, "GitHub API rate limit exceeded%s",
			       c->token ? "" : " (GITHUB_TOKEN raises it to 5,000 requests an hour)");
	if (status == 401)
		return err_set(ERR_AUTH, "GitHub API: HTTP 401 %s(check GITHUB_TOKEN)", hint);
	if (status == 403)
		return err_set(ERR_AUTH, "GitHub API: HTTP 403 %s", hint);
	return err_set(ERR_NET, "GitHub API: HTTP %ld %s", status, hint);
}

/* ---------------------------------------------------------------- go.googlesource.com */

/* Decodes gitiles' base64 in place (line breaks skipped); -1 when invalid. */
static int b64_decode(struct buf *b)
{
	size_t len;

	if (!b->data)
		return 0;
	/* in place: each output byte is written after the characters it comes from */
	if (base64_decode(b->data, b->len, true, (uint8_t *)b->data, &len))
		return -1;
	b->len = len;
	b->data[len] = '\0';
	return 0;
}

int src_try_googlesource(struct src_ctx *c, const char *repo, const char *ref, const char *path,
			 const char *url, const char *why)
{
	struct buf b = BUF_INIT;
	struct source_file f = SOURCE_FILE_INIT;
	long status = 0;
	int rc;

	if (c->stop)
		return c->stop;
	c->tries++;
	c->refused = false;
	if (src_cache_get(c, repo, ref, path, &b) == 0) {
		f.cached = true;
	} else if (c->o->offline) {
		src_trace(c, "%s: '%s': offline", why, url);
		return ERR_NOTFOUND;
	} else {
		/* base64 grows the text by 4/3 */
		rc = src_http_get(c, url, SOURCE_MAX_BYTES / 3 * 4 + 8, &b, &status);
		if (!rc && status != 200)
			rc = err_set(status == 404 ? ERR_NOTFOUND : ERR_NET,
				     "failed to fetch %s: HTTP %ld", url, status);
		if (!rc && b64_decode(&b))
			rc = err_set(ERR_PARSE, "'%s': not base64", url);
		if (rc) {
			src_trace(c, "%s: '%s': %s", why, url, err_last());
			if (rc == ERR_CANCELLED || c->refused)
				c->stop = rc;
			buf_release(&b);
			return rc;
		}
		if (src_check_content(c, path, b.data ? b.data : "", b.len) == 0)
			src_cache_put(c, repo, ref, path, b.data ? b.data : "", b.len);
	}
	if ((rc = src_check_content(c, path, b.data ? b.data : "", b.len))) {
		src_trace(c, "%s: '%s': %s", why, url, err_last());
		c->stop = rc;
		buf_release(&b);
		return rc;
	}
	if (!b.data && buf_grow(&b, 1) == 0)
		b.data[0] = '\0';
	f.origin = SOURCE_HTTP;
	f.data = b.data;
	f.len = b.len;
	f.path = strdup(path);
	f.repo = strdup(repo);
	f.ref = strdup(ref);
	f.url = strdup(url);
	if (!f.path || !f.repo || !f.ref || !f.url) {
		source_file_release(&f);
		return c->stop = err_set(ERR_NOMEM, "out of memory");
	}
	src_trace(c, "%s: '%s': found%s", why, url, f.cached ? " (disk cache)" : "");
	*c->out = f;
	return 0;
}
