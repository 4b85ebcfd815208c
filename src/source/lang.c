/*
 * lang.c — the Python, Java and JavaScript/TypeScript rules of Pyroscope's resolver as
 * pure functions (see source_int.h and the spec §2.4–2.6).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source_int.h"

const char *path_ext(const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	const char *dot = strrchr(base, '.');

	return dot ? dot : path + strlen(path);
}

bool js_ext(const char *path)
{
	static const char *const exts[] = { ".js", ".mjs", ".cjs", ".ts", ".jsx", ".tsx" };
	const char *e = path_ext(path);
	size_t i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcmp(e, exts[i]) == 0)
			return true;
	return false;
}

/* python(\d+\.\d{1,2})/ at s: length of the match, the version in [*v, *v + *vn) */
static size_t py_match(const char *s, const char **v, size_t *vn)
{
	size_t n = 6, a = 0, b = 0;

	if (strncmp(s, "python", 6) != 0)
		return 0;
	while (isdigit((unsigned char)s[n + a]))
		a++;
	if (!a || s[n + a] != '.')
		return 0;
	while (b < 2 && isdigit((unsigned char)s[n + a + 1 + b]))
		b++;
	/* \d{1,2} then '/': with two digits not followed by '/', one digit cannot be either */
	if (!b || s[n + a + 1 + b] != '/')
		return 0;
	*v = s + n;
	*vn = a + 1 + b;
	return n + a + 1 + b + 1;
}

bool py_stdlib(const char *path, char **rel, char **version)
{
	const char *s = path, *lastv = NULL, *after = NULL, *v;
	size_t lastvn = 0, vn, n;

	*rel = *version = NULL;
	if (!path)
		return false;
	while ((s = strstr(s, "python")) != NULL) {
		if ((n = py_match(s, &v, &vn)) != 0) {
			lastv = v;
			lastvn = vn;
			after = s + n;
			s += n;
		} else {
			s++;
		}
	}
	if (!lastv || !*after)
		return false;
	/* packages installed into that Python are not its standard library */
	if (strncmp(after, "site-packages/", 14) == 0 || strncmp(after, "dist-packages/", 14) == 0)
		return false;
	*rel = strdup(after);
	*version = strndup(lastv, lastvn);
	if (!*rel || !*version) {
		free(*rel);
		free(*version);
		*rel = *version = NULL;
		return false;
	}
	return true;
}

/* Pyroscope's convertJavaFunctionNameToPath on a name with slashes */
static char *java_slashed(const char *name, size_t len)
{
	const char *last = name + len, *p, *cut;
	char *out;

	while (last > name && last[-1] != '/')
		last--;
	cut = name + len;
	for (p = last; p < name + len; p++)
		if (*p == '.' || *p == '$') {
			cut = p;
			break;
		}
	if (cut == last)
		cut = name + len; /* a segment starting with . or $ is not cut */
	if (asprintf(&out, "%.*s.java", (int)(cut - name), name) < 0)
		return NULL;
	return out;
}

char *java_path(const char *name)
{
	size_t len;
	const char *p, *seg, *lam;
	char *out, *w;

	if (!name || !*name)
		return NULL;
	len = strlen(name);
	/* hidden lambda classes: Outer$$Lambda$12/0x0000000800c01234.run → Outer */
	lam = strstr(name, "$$Lambda");
	if (lam) {
		const char *slash = strchr(lam, '/');

		if (slash && strncmp(slash + 1, "0x", 2) == 0)
			len = (size_t)(lam - name);
	}
	if (memchr(name, '/', len))
		return java_slashed(name, len);
	/* dotted names (org.example.App.run): the first capitalised segment is the class */
	for (seg = name; seg < name + len;) {
		const char *dot = memchr(seg, '.', (size_t)(name + len - seg));

		if (isupper((unsigned char)*seg) && seg > name) {
			const char *end = seg;

			while (end < name + len && *end != '.' && *end != '$')
				end++;
			out = malloc((size_t)(end - name) + 6);
			if (!out)
				return NULL;
			for (p = name, w = out; p < end; p++)
				*w++ = *p == '.' ? '/' : *p;
			strcpy(w, ".java");
			return out;
		}
		if (!dot)
			break;
		seg = dot + 1;
	}
	return java_slashed(name, len);
}
