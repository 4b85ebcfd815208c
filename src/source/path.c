/*
 * path.c — path and URL helpers of the source module (see source_int.h): Go's
 * filepath.Clean and Join (Pyroscope's path arithmetic), the containment check every
 * read goes through, and the URL pieces (hosts, origins, cache names; redaction is
 * base/url.c's).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "source_int.h"

char *path_clean(const char *p)
{
	size_t n = strlen(p), r = 0, w = 0, dotdot = 0;
	bool rooted = n > 0 && p[0] == '/';
	char *out;

	if (n == 0)
		return strdup(".");
	out = malloc(n + 2);
	if (!out)
		return NULL;
	if (rooted) {
		out[w++] = '/';
		r = 1;
		dotdot = 1;
	}
	while (r < n) {
		if (p[r] == '/') {
			r++;
		} else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
			r++;
		} else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			for (; r < n && p[r] != '/'; r++)
				out[w++] = p[r];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return out;
}

char *path_join(const char *a, ...)
{
	struct buf b = BUF_INIT;
	const char *s;
	char *res;
	va_list ap;

	va_start(ap, a);
	for (s = a; s; s = va_arg(ap, const char *)) {
		if (!*s)
			continue;
		if (b.len && buf_puts(&b, "/"))
			break;
		if (buf_puts(&b, s))
			break;
	}
	va_end(ap);
	if (!b.len) {
		buf_release(&b);
		return strdup("");
	}
	res = path_clean(b.data);
	buf_release(&b);
	return res;
}

char *path_inside(const char *p, const char **why)
{
	char *c;

	while (*p == '/')
		p++;
	if (!*p) {
		*why = "empty path";
		return NULL;
	}
	c = path_clean(p);
	if (!c) {
		*why = "out of memory";
		return NULL;
	}
	if (strcmp(c, ".") == 0) {
		*why = "not a file";
		free(c);
		return NULL;
	}
	if (strcmp(c, "..") == 0 || strncmp(c, "../", 3) == 0) {
		*why = "refused: the path escapes through '..'";
		free(c);
		return NULL;
	}
	return c;
}

bool path_has_prefix_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (strncmp(path, dir, n) != 0)
		return false;
	return path[n] == '\0' || path[n] == '/' || (n == 1 && dir[0] == '/');
}

bool url_is_http(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0;
}

bool url_is_remote(const char *s)
{
	const char *colon = strchr(s, ':'), *slash = strchr(s, '/'), *at = strchr(s, '@');
	const char *p;

	if (strstr(s, "://")) {
		for (p = s; p < strstr(s, "://"); p++)
			if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-' && *p != '.')
				return false;
		return p > s;
	}
	/* scp-like user@host:path (git@github.com:o/r.git) */
	return at && colon && at < colon && (!slash || colon < slash);
}

/* start and end of the authority (host[:port]) of a URL, credentials skipped */
static bool authority(const char *url, const char **start, const char **end)
{
	const char *s = strstr(url, "://"), *e, *at;

	if (s) {
		s += 3;
		e = s + strcspn(s, "/?#");
		at = memchr(s, '@', (size_t)(e - s));
		if (at)
			s = at + 1;
	} else {
		at = strchr(url, '@');
		if (!at)
			return false;
		s = at + 1;
		e = s + strcspn(s, ":/");
	}
	*start = s;
	*end = e;
	return e > s;
}

void url_host(const char *url, char *host, size_t n)
{
	const char *s, *e, *colon;
	size_t i, len;

	host[0] = '\0';
	if (!n || !authority(url, &s, &e))
		return;
	if (*s == '[') { /* IPv6 literal */
		colon = memchr(s, ']', (size_t)(e - s));
		e = colon ? colon + 1 : e;
	} else if ((colon = memchr(s, ':', (size_t)(e - s))) != NULL) {
		e = colon;
	}
	len = (size_t)(e - s);
	if (len >= n)
		len = n - 1;
	for (i = 0; i < len; i++)
		host[i] = (char)tolower((unsigned char)s[i]);
	host[len] = '\0';
}

void url_origin(const char *url, char *origin, size_t n)
{
	const char *s, *e;
	size_t scheme, i, len;

	origin[0] = '\0';
	if (!url_is_http(url) || !authority(url, &s, &e))
		return;
	scheme = (size_t)(strstr(url, "://") - url) + 3;
	len = scheme + (size_t)(e - s);
	if (len >= n)
		return;
	for (i = 0; i < scheme; i++)
		origin[i] = (char)tolower((unsigned char)url[i]);
	for (i = 0; i < (size_t)(e - s); i++)
		origin[scheme + i] = (char)tolower((unsigned char)s[i]);
	origin[len] = '\0';
	/* the default port is the same origin */
	if (strncmp(origin, "https://", 8) == 0 && len > 4 && strcmp(origin + len - 4, ":443") == 0)
		origin[len - 4] = '\0';
	else if (strncmp(origin, "http://", 7) == 0 && len > 3 && strcmp(origin + len - 3, ":80") == 0)
		origin[len - 3] = '\0';
}

char *url_cache_name(const char *url)
{
	char *clean = url_redact(url), *out;
	const char *s;
	/*
	 * FNV-1a of the URL as it is given: git.c gives the URL without credentials (and,
	 * http(s), without a query), so that a rotated token reads the clone the last one
	 * made (two credentials seeing different refs of one repository is rare, and a fetch
	 * with the current one brings the clone up to date); the name shows it redacted
	 */
	unsigned long long h = 1469598103934665603ull;
	size_t i, w = 0;

	if (!clean)
		return NULL;
	for (i = 0; url[i]; i++)
		h = (h ^ (unsigned char)url[i]) * 1099511628211ull;
	s = strstr(clean, "://");
	s = s ? s + 3 : clean;
	out = malloc(strlen(s) + 20);
	if (!out) {
		free(clean);
		return NULL;
	}
	for (; *s && w < 100; s++) {
		unsigned char ch = (unsigned char)*s;

		out[w++] = (char)(isalnum(ch) || ch == '.' || ch == '-' ? ch : '_');
	}
	snprintf(out + w, 20, "-%08llx", h & 0xffffffffull);
	free(clean);
	return out;
}

bool url_github_repo(const char *url, const char *web_host, char **owner, char **repo)
{
	char host[256];
	const char *s, *slash, *end;
	size_t on, rn;

	*owner = *repo = NULL;
	url_host(url, host, sizeof(host));
	if (!host[0] || strcmp(host, web_host) != 0)
		return false;
	if ((s = strstr(url, "://")) != NULL) {
		s += 3;
		s += strcspn(s, "/");
		if (*s == '/')
			s++;
	} else {
		s = strchr(url, ':');
		if (!s)
			return false;
		s++;
	}
	slash = strchr(s, '/');
	if (!slash || slash == s)
		return false;
	on = (size_t)(slash - s);
	end = slash + 1 + strcspn(slash + 1, "/?#");
	rn = (size_t)(end - slash - 1);
	if (rn > 4 && memcmp(end - 4, ".git", 4) == 0)
		rn -= 4;
	if (!rn)
		return false;
	*owner = strndup(s, on);
	*repo = strndup(slash + 1, rn);
	if (!*owner || !*repo || strcmp(*repo, "..") == 0 || strcmp(*owner, "..") == 0 ||
	    strcmp(*repo, ".") == 0 || strcmp(*owner, ".") == 0) {
		free(*owner);
		free(*repo);
		*owner = *repo = NULL;
		return false;
	}
	return true;
}

bool gh_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0, i;

	if (n == 0 || n > GH_NAME_MAX || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

bool ref_is_commit(const char *ref)
{
	size_t n = ref ? strlen(ref) : 0, i;

	if (n != 40 && n != 64)
		return false;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)ref[i]))
			return false;
	return true;
}

int url_escape(struct buf *b, const char *s, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;

	for (; *s && !rc; s++) {
		unsigned char ch = (unsigned char)*s;

		if (isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~' ||
		    (keep_slash && ch == '/')) {
			rc = buf_add(b, s, 1);
		} else {
			char e[3] = { '%', hex[ch >> 4], hex[ch & 15] };

			rc = buf_add(b, e, 3);
		}
	}
	return rc;
}
