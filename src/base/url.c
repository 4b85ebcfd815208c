/* url.c — the URL redactor, and credentials taken out of a URL (see url.h). */
#include "url.h"
#include "err.h"
#include "text.h"

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
 * there is none), *host what follows it.  port_guess: a ':' and digits then '/' may be a
 * password rather than a port (what is shown errs on the side of hiding; a URL that is
 * used is read as libcurl and libgit2 read it).
 */
static void url_split(const char *url, bool port_guess, const char **user, const char **at,
		      const char **host)
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
	/*
	 * A password of digits then '/' does parse, as a port and a path
	 * ("http://bob:2024/S3cret@host" is host bob, port 2024): a ':' in an authority
	 * without '@' followed by an '@' before the query is taken for that, and all up to
	 * the last such '@' goes (a path holding an '@' after a port loses its start too).
	 */
	else if (port_guess && !a && memchr(h, ':', (size_t)(slash - h))) {
		const char *q = h + strcspn(h, "?#"), *p;

		for (p = slash; (p = memchr(p, '@', (size_t)(q - p))) != NULL; p++)
			a = p;
	}
	*user = h;
	*at = a;
	*host = a ? a + 1 : h;
}

int url_redact_buf(const char *url, struct buf *out)
{
	const char *user, *at, *host, *end;

	if (url_local(url))
		return buf_puts(out, url);
	url_split(url, true, &user, &at, &host);
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

/* The secrets of url's user information that a message may quote apart from the URL. */
struct url_secrets {
	const char *userinfo, *password, *query;
	size_t userinfo_len, password_len, query_len;
};

/*
 * A user name without a password is mostly no secret ("git" in git@host, which would
 * take "git" out of "github"), but a token is sometimes given as the user name: one of
 * this many characters or more is taken for one.
 */
#define URL_TOKEN_USER_MIN 20

/* Appends the n bytes at piece to out with every secret in it replaced by "***". */
static int mask_piece(const char *piece, size_t n, const struct url_secrets *s,
		      struct buf *out)
{
	struct buf cur = BUF_INIT;
	int rc;

	rc = buf_add(&cur, piece, n);
	/* the whole user information first: it holds the password */
	if (!rc && s->userinfo && (s->password || s->userinfo_len >= URL_TOKEN_USER_MIN))
		rc = mask(&cur, s->userinfo, s->userinfo_len);
	if (!rc && s->password)
		rc = mask(&cur, s->password, s->password_len);
	if (!rc && s->query)
		rc = mask(&cur, s->query, s->query_len);
	if (!rc)
		rc = buf_add(out, cur.data, cur.len);
	buf_release(&cur);
	return rc;
}

int url_redact_text(const char *text, const char *url, struct buf *out)
{
	struct url_secrets s = { 0 };
	struct buf shown = BUF_INIT, all = BUF_INIT;
	const char *user, *at, *host, *colon, *query, *p = text, *q;
	size_t n = strlen(url);
	int rc;

	if (url_local(url))
		return buf_puts(out, text);
	url_split(url, true, &user, &at, &host);
	query = host + strcspn(host, "?#");
	/* libraries quote parts of the URL too ("... for bob:pw@host") */
	if (at) {
		s.userinfo = user;
		s.userinfo_len = (size_t)(at - user);
		colon = memchr(user, ':', (size_t)(at - user));
		if (colon) {
			s.password = colon + 1;
			s.password_len = (size_t)(at - colon - 1);
		}
	}
	if (*query == '?') {
		s.query = query + 1;
		s.query_len = strcspn(query + 1, "#");
	}
	/* buf_add() and buf_puts() always leave a terminated string in .data, "" too */
	if ((rc = url_redact_buf(url, &shown)))
		goto done;
	/*
	 * Only the text between the quotes of the URL is masked: the redacted URL may hold
	 * a secret's letters in its host or path ("hub" in .../github/...) and stays whole.
	 */
	while (n > 0 && (q = strstr(p, url)) != NULL) {
		if ((rc = mask_piece(p, (size_t)(q - p), &s, &all)) ||
		    (rc = buf_add(&all, shown.data, shown.len)))
			goto done;
		p = q + n;
	}
	/* out is left as it was when memory runs out (no half message) */
	if (!(rc = mask_piece(p, strlen(p), &s, &all)))
		rc = buf_add(out, all.data, all.len);
done:
	buf_release(&shown);
	buf_release(&all);
	return rc ? ERR_NOMEM : 0;
}

/* The n bytes at s percent-decoded as a new string; as they are when they hold a bad escape. */
static char *url_part(const char *s, size_t n)
{
	struct buf b = BUF_INIT;

	if (text_unescape(s, n, false, &b) == 0)
		return b.data;
	buf_release(&b);
	return strndup(s, n);
}

int url_take_credentials(const char *url, bool keep_user, char **rest, char **user,
			 char **password)
{
	const char *h, *at, *host, *colon = NULL, *cut;
	struct buf b = BUF_INIT;

	*rest = *user = *password = NULL;
	if (url_local(url)) {
		if (!(*rest = strdup(url)))
			return ERR_NOMEM;
		return 0;
	}
	url_split(url, false, &h, &at, &host);
	if (at) {
		colon = memchr(h, ':', (size_t)(at - h));
		if (!(*user = url_part(h, (size_t)((colon ? colon : at) - h))) ||
		    (colon && !(*password = url_part(colon + 1, (size_t)(at - colon - 1)))))
			goto nomem;
	}
	/* the user name kept: all up to the ':' (or the '@'), then the host on */
	cut = !at ? host : keep_user ? (colon ? colon : at) : h;
	if (buf_add(&b, url, (size_t)(cut - url)) ||
	    (at && keep_user && buf_puts(&b, "@")) || buf_puts(&b, host))
		goto nomem;
	*rest = b.data;
	return 0;
nomem:
	buf_release(&b);
	url_free_secret(*user);
	url_free_secret(*password);
	*user = *password = NULL;
	return ERR_NOMEM;
}

void url_free_secret(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}
