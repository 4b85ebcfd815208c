/* url.c — the URL redactor (see url.h). */
#include "url.h"
#include "err.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Whether libcurl reads url as a URL (without a scheme, as it would guess one). */
static bool url_parses(const char *url)
{
	CURLU *u = curl_url();
	bool ok = u && curl_url_set(u, CURLUPART_URL, url,
				    CURLU_NON_SUPPORT_SCHEME | CURLU_DEFAULT_SCHEME) == CURLUE_OK;

	curl_url_cleanup(u);
	return ok;
}

/* Where the authority starts: after "scheme://", or NULL without a scheme. */
static const char *url_after_scheme(const char *url)
{
	const char *scheme = strstr(url, "://");

	/* a scheme is letters before "://" in the first path segment */
	return scheme && (size_t)(scheme - url) <= strcspn(url, "/?#@") ? scheme + 3 : NULL;
}

/* A local path ("/srv/repo@2", "./a?b", "~/r") has no authority, user information or query. */
static bool url_local(const char *url)
{
	return !url_after_scheme(url) && (url[0] == '/' || url[0] == '.' || url[0] == '~');
}

/*
 * Splits url (not a local path): *user is where the authority starts (after
 * "scheme://", or url itself: without a scheme the authority, and so any user
 * information, starts the string), *at the '@' that ends the user information (NULL when
 * there is none), *host what follows it.
 */
static void url_split(const char *url, const char **user, const char **at, const char **host)
{
	const char *h = url_after_scheme(url), *a, *slash;

	h = h ? h : url;
	slash = h + strcspn(h, "/?#");
	/* user information ends at the last '@' before the path */
	a = memchr(h, '@', (size_t)(slash - h));
	while (a && memchr(a + 1, '@', (size_t)(slash - a - 1)))
		a = memchr(a + 1, '@', (size_t)(slash - a - 1));
	/*
	 * A password with a '/', '?' or '#' that is not percent-encoded ends the authority
	 * early ("http://bob:se/cret@host" reads as host bob, port "se"): such a URL does not
	 * parse, and everything up to its last '@' may be user information.
	 */
	if (strchr(h, '@') && !url_parses(url))
		a = strrchr(h, '@');
	*user = h;
	*at = a;
	*host = a ? a + 1 : h;
}

int url_redact_buf(const char *url, struct buf *out)
{
	const char *user, *at, *host, *end;

	if (url_local(url))
		return buf_puts(out, url);
	url_split(url, &user, &at, &host);
	end = host + strcspn(host, "?#");
	if (user != url && buf_add(out, url, (size_t)(user - url)))
		return ERR_NOMEM;
	return buf_add(out, host, (size_t)(end - host));
}

char *url_redact(const char *url)
{
	struct buf b = BUF_INIT;

	if (url_redact_buf(url, &b)) {
		buf_release(&b);
		return NULL;
	}
	return b.data; /* buf_add() always leaves a terminated string, "" too */
}

/* Appends text to out with each occurrence of the n bytes at find replaced by with. */
static int replace_all(const char *text, const char *find, size_t n, const char *with,
		       struct buf *out)
{
	const char *p = text, *q;

	while (n > 0 && (q = memmem(p, strlen(p), find, n)) != NULL) {
		if (buf_add(out, p, (size_t)(q - p)) || buf_puts(out, with))
			return ERR_NOMEM;
		p = q + n;
	}
	return buf_puts(out, p);
}

/* Replaces every occurrence of the n bytes at secret in *cur by "***" (n >= 3, see below). */
static int mask(struct buf *cur, const char *secret, size_t n)
{
	struct buf next = BUF_INIT;

	/* a secret of one or two characters would take every such letter out of the message,
	   and is not much of a secret to keep */
	if (n < 3)
		return 0;
	if (replace_all(cur->data, secret, n, "***", &next)) {
		buf_release(&next);
		return ERR_NOMEM;
	}
	buf_release(cur);
	*cur = next;
	return 0;
}

int url_redact_text(const char *text, const char *url, struct buf *out)
{
	struct buf shown = BUF_INIT, cur = BUF_INIT;
	const char *user, *at, *host, *colon, *query;
	int rc;

	if (url_local(url))
		return buf_puts(out, text);
	url_split(url, &user, &at, &host);
	query = host + strcspn(host, "?#");
	/* buf_add() and buf_puts() always leave a terminated string in .data, "" too */
	if ((rc = url_redact_buf(url, &shown)) ||
	    (rc = replace_all(text, url, strlen(url), shown.data, &cur)))
		goto done;
	/* libraries quote parts of the URL too ("... for bob:pw@host") */
	if (at) {
		colon = memchr(user, ':', (size_t)(at - user));
		if ((rc = mask(&cur, user, (size_t)(at - user))) ||
		    (colon && (rc = mask(&cur, colon + 1, (size_t)(at - colon - 1)))))
			goto done;
	}
	if (*query == '?' && (rc = mask(&cur, query + 1, strcspn(query + 1, "#"))))
		goto done;
	rc = buf_add(out, cur.data, cur.len);
done:
	buf_release(&shown);
	buf_release(&cur);
	return rc ? ERR_NOMEM : 0;
}
