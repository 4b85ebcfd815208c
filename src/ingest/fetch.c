/*
 * fetch.c — downloading a profile over HTTP(S) with libcurl.
 *
 * Go's /debug/pprof/profile?seconds=N answers only after N seconds, so the wait is
 * shown on stderr (a spinner with elapsed time and bytes) and Ctrl-C (the caller's
 * cancel flag) aborts.  Bodies are bounded; HTTP errors quote the server's first line.
 * The whole transfer has a deadline (o->timeout_s, else pprof's rule: ?seconds=N plus
 * half, else 60 s), and a body that stops arriving (nothing for STALL_S once it began)
 * ends it sooner: the low-speed limit.
 * An answer that says it is a web page (a sign-in page, pprof's index) is refused as one.
 * Messages name the URL without its user information (url_redact_buf()).
 */
#include "load.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "decode.h"
#include "base/url.h"

#define STALL_S 30

struct fetch_ctx {
	struct buf *out;
	size_t limit;
	const struct load_opts *o;
	bool tty;
	bool too_big;
	bool stalled;
	unsigned spins;
	curl_off_t last_bytes;
	struct timespec last_change;  /* CLOCK_MONOTONIC, when last_bytes last grew */
};

static size_t on_data(char *p, size_t sz, size_t n, void *arg)
{
	struct fetch_ctx *c = arg;
	size_t len = sz * n;

	if (c->out->len + len > c->limit) {
		c->too_big = true;
		return 0;
	}
	if (buf_add(c->out, p, len))
		return 0;
	return len;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct fetch_ctx *c = arg;
	static const char spin[] = "|/-\\";
	struct timespec now;

	(void)dltotal, (void)ultotal, (void)ulnow;
	if (c->o && c->o->cancel && *c->o->cancel)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (dlnow != c->last_bytes || c->last_change.tv_sec == 0) {
		c->last_bytes = dlnow;
		c->last_change = now;
	} else if (dlnow > 0 && now.tv_sec - c->last_change.tv_sec >= STALL_S) {
		c->stalled = true;  /* the body began, then stopped */
		return 1;
	}
	if (c->tty) {
		fprintf(stderr, "\r%c waiting for the profile... %lld KiB received  (Ctrl-C aborts) ",
			spin[c->spins++ % 4], (long long)(dlnow / 1024));
		fflush(stderr);
	}
	return 0;
}

/*
 * Whether the answer is a web page: it says so (text/html, application/xhtml+xml) and
 * its body begins with markup (decode_markup_first).  A profile served with the wrong
 * type (a static file server calling a .pb.gz or py-spy's folded text text/html) starts
 * with gzip's bytes or a folded line and is read, as pprof reads it.
 */
static bool html_answer(CURL *h, const struct buf *body)
{
	const unsigned char *p = body->data ? (const unsigned char *)body->data : NULL;
	char *ct = NULL;
	size_t n;

	if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) != CURLE_OK || !ct)
		return false;
	n = strcspn(ct, "; \t");
	if (!((n == 9 && strncasecmp(ct, "text/html", 9) == 0) ||
	      (n == 21 && strncasecmp(ct, "application/xhtml+xml", 21) == 0)))
		return false;
	return !p || !body->len || decode_markup_first(p, body->len);
}

long load_url_timeout_ms(const char *url)
{
	const char *q = strchr(url, '?'), *end = q ? q + strcspn(q, "#") : NULL;

	/* the first seconds=N, as Go's url.Values.Get reads it */
	while (q && q < end) {
		q++;
		if (strncmp(q, "seconds=", 8) == 0) {
			char *stop;
			long n = strtol(q + 8, &stop, 10);

			if (stop != q + 8 && (stop == end || *stop == '&') && n > 0 && n < 1000000)
				return n * 1500;  /* ?seconds=1 waits 1.5 s, as pprof's */
			break;
		}
		q = memchr(q, '&', (size_t)(end - q));
	}
	return 60000;
}

int fetch_url(const char *url, const struct load_opts *o, size_t limit, struct buf *out)
{
	struct fetch_ctx c = { .out = out, .limit = limit, .o = o };
	struct buf shown = BUF_INIT;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *h;
	CURLcode res;
	long status = 0, timeout_ms = o && o->timeout_s > 0 ? o->timeout_s * 1000
							       : load_url_timeout_ms(url);
	int rc = 0;

	c.tty = o && o->progress && isatty(STDERR_FILENO);
	if (url_redact_buf(url, &shown))
		return err_set(ERR_NOMEM, "out of memory");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		buf_release(&shown);
		return err_set(ERR_NET, "cannot initialise libcurl");
	}
	h = curl_easy_init();
	if (!h) {
		buf_release(&shown);
		return err_set(ERR_NOMEM, "cannot create a curl handle");
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 15000 ? timeout_ms : 15000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "smolder/" SMOLDER_VERSION);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &c);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, &c);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	res = curl_easy_perform(h);
	if (c.tty)
		fprintf(stderr, "\r\033[K");
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (res == CURLE_ABORTED_BY_CALLBACK && c.stalled)
		rc = err_set(ERR_NET, "'%s': the transfer stalled (nothing for %d s)", shown.data,
			     STALL_S);
	else if (res == CURLE_ABORTED_BY_CALLBACK)
		rc = err_set(ERR_CANCELLED, "'%s': cancelled", shown.data);
	else if (c.too_big)
		rc = err_set(ERR_TOOBIG, "'%s': response larger than %zu MiB", shown.data, limit >> 20);
	else if (res == CURLE_OPERATION_TIMEDOUT)
		rc = err_set(ERR_NET, "'%s': timed out after %g s (--timeout SECONDS waits longer)",
			     shown.data, (double)timeout_ms / 1000);
	else if (res != CURLE_OK)
		rc = err_set(ERR_NET, "'%s': %s", shown.data,
			     errbuf[0] ? errbuf : curl_easy_strerror(res));
	else if (status >= 400) {
		char line[200] = "";
		size_t n = 0;

		while (out->data && n < out->len && n < sizeof(line) - 1 && out->data[n] != '\n' &&
		       (unsigned char)out->data[n] >= 0x20) {
			line[n] = out->data[n];
			n++;
		}
		line[n] = '\0';
		rc = err_set(status == 401 || status == 403 ? ERR_AUTH : ERR_NET,
			     "'%s': HTTP %ld%s%s", shown.data, status, n ? ": " : "", line);
	} else if (html_answer(h, out)) {
		/* a sign-in page, pprof's index, another service: the decoder would call it
		 * bad folded text ("line 1: expected 'frame;frame;... count'") */
		rc = err_set(ERR_UNSUPPORTED, "'%s': the server answered an HTML page, not a "
			     "profile (a login page, or the wrong port or path?)", shown.data);
	}
	curl_easy_cleanup(h);
	buf_release(&shown);
	return rc;
}
