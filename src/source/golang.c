/*
 * golang.c — Pyroscope's Go rules as pure functions (see source_int.h and the spec §2.3):
 * standard-library detection with the version taken from the path, module-cache paths,
 * go.mod require/replace, gopkg.in and go-get vanity imports, major-version suffixes and
 * versions turned into git refs.  Pyroscope relies on RE2 leftmost-first regexes; they
 * are hand-coded scanners here with the same preferences.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "base/vec.h"
#include "source_int.h"

/*
 * Longer file names are never the standard library: the Go toolchain records the names of
 * files it opened, and Linux opens none longer than PATH_MAX.  The bound keeps a hostile
 * name from making the version scanner (a number may start at any position) quadratic.
 */
#define GO_PATH_MAX 4096

/* ------------------------------------------------------------ semver */

static size_t digits(const char *s)
{
	size_t n = 0;

	while (isdigit((unsigned char)s[n]))
		n++;
	return n;
}

/* (0|[1-9]\d*) leftmost-first: "0" alone, or a run without a leading zero */
static size_t num_nolead(const char *s)
{
	if (s[0] == '0')
		return 1;
	return digits(s);
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '-';
}

/* one prerelease identifier: 0 | [1-9]\d* | \d*[a-zA-Z-][0-9a-zA-Z-]* (first that matches) */
static size_t pre_ident(const char *s)
{
	size_t n;

	if (s[0] == '0')
		return 1;
	if (isdigit((unsigned char)s[0]))
		return digits(s);
	n = 0;
	if (isalpha((unsigned char)s[0]) || s[0] == '-') {
		while (ident_char(s[n]))
			n++;
	}
	return n;
}

/* the official SEMVER pattern (no leading v) at s; returns its length or 0 */
static size_t semver_at(const char *s)
{
	size_t n, k;

	if (!isdigit((unsigned char)s[0]))
		return 0;
	n = num_nolead(s);
	if (s[n] != '.' || !isdigit((unsigned char)s[n + 1]))
		return 0;
	n += 1 + num_nolead(s + n + 1);
	if (s[n] != '.' || !isdigit((unsigned char)s[n + 1]))
		return 0;
	n += 1 + num_nolead(s + n + 1);
	if (s[n] == '-' && (k = pre_ident(s + n + 1)) > 0) {
		n += 1 + k;
		while (s[n] == '.' && (k = pre_ident(s + n + 1)) > 0)
			n += 1 + k;
	}
	if (s[n] == '+' && ident_char(s[n + 1])) {
		n++;
		while (ident_char(s[n]))
			n++;
		while (s[n] == '.' && ident_char(s[n + 1])) {
			n++;
			while (ident_char(s[n]))
				n++;
		}
	}
	return n;
}

/* Go's semver.parse: vMAJOR[.MINOR[.PATCH[-pre][+build]]] */
struct semver {
	const char *major, *minor, *patch, *pre;
	size_t nmajor, nminor, npatch, npre;
};

static size_t go_int(const char *s)
{
	size_t n = digits(s);

	if (n > 1 && s[0] == '0')
		return 0;
	return n;
}

static bool semver_parse(const char *v, struct semver *p)
{
	size_t n;

	memset(p, 0, sizeof(*p));
	if (!v || v[0] != 'v')
		return false;
	v++;
	if (!(n = go_int(v)))
		return false;
	p->major = v, p->nmajor = n, v += n;
	p->minor = p->patch = "0";
	p->nminor = p->npatch = 1;
	if (!*v)
		return true;
	if (*v != '.' || !(n = go_int(v + 1)))
		return false;
	p->minor = v + 1, p->nminor = n, v += 1 + n;
	if (!*v)
		return true;
	if (*v != '.' || !(n = go_int(v + 1)))
		return false;
	p->patch = v + 1, p->npatch = n, v += 1 + n;
	if (*v == '-') {
		const char *s = v;

		do {
			const char *id = ++v;
			bool numeric = true;

			while (ident_char(*v)) {
				if (!isdigit((unsigned char)*v))
					numeric = false;
				v++;
			}
			if (v == id || (numeric && v - id > 1 && id[0] == '0'))
				return false;
		} while (*v == '.');
		p->pre = s, p->npre = (size_t)(v - s);
	}
	if (*v == '+') {
		do {
			const char *id = ++v;

			while (ident_char(*v))
				v++;
			if (v == id)
				return false;
		} while (*v == '.');
	}
	return *v == '\0';
}

static char *semver_canonical(const char *v)
{
	struct semver p;
	char *out;

	if (!semver_parse(v, &p))
		return NULL;
	if (asprintf(&out, "v%.*s.%.*s.%.*s%.*s", (int)p.nmajor, p.major, (int)p.nminor, p.minor,
		     (int)p.npatch, p.patch, (int)p.npre, p.pre ? p.pre : "") < 0)
		return NULL;
	return out;
}

bool go_is_pseudo(const char *v)
{
	struct semver p;
	const char *plus, *dash, *s;
	size_t len, i, dashes = 0;

	if (!semver_parse(v, &p))
		return false;
	for (s = v; *s; s++)
		dashes += *s == '-';
	if (dashes < 2)
		return false;
	plus = strchr(v, '+');
	len = plus ? (size_t)(plus - v) : strlen(v);
	for (dash = v + len; dash > v && dash[-1] != '-'; dash--)
		;
	if (dash == v || dash == v + len)
		return false;
	for (s = dash; s < v + len; s++)
		if (!isalnum((unsigned char)*s))
			return false;
	/* dash[-1] is '-': 14 digits before it */
	s = dash - 1;
	if (s - v < 14)
		return false;
	for (i = 1; i <= 14; i++)
		if (!isdigit((unsigned char)s[-(long)i]))
			return false;
	s -= 14; /* s points just past the prefix: "vN.0.0-" or "vN.N.N-(...)?0." */
	{
		size_t plen = (size_t)(s - v);
		const char *q = v + 1;
		size_t k = digits(q);

		if (!k)
			return false;
		q += k;
		if (plen == (size_t)(q - v) + 5 && strncmp(q, ".0.0-", 5) == 0)
			return true;
		if (plen < 2 || strncmp(s - 2, "0.", 2) != 0)
			return false;
		/* \.\d+\.\d+-([^+]*\.)?0\. */
		if (*q != '.' || !(k = digits(q + 1)))
			return false;
		q += 1 + k;
		if (*q != '.' || !(k = digits(q + 1)))
			return false;
		q += 1 + k;
		if (*q != '-')
			return false;
		q++;
		/* the rest up to s-2 is empty or ends with '.' */
		return q == s - 2 || (q < s - 2 && s[-3] == '.');
	}
}

char *go_ref_from_version(const char *v)
{
	char *c;

	if (!v || !*v)
		return strdup("");
	if (go_is_pseudo(v)) {
		const char *plus = strchr(v, '+');
		size_t len = plus ? (size_t)(plus - v) : strlen(v);
		const char *dash = v + len;

		while (dash > v && dash[-1] != '-')
			dash--;
		return strndup(dash, (size_t)(v + len - dash));
	}
	c = semver_canonical(v);
	return c ? c : strdup(v);
}

/* ------------------------------------------------------------ module paths */

void go_module_release(struct go_module *m)
{
	free(m->path);
	free(m->version);
	free(m->file);
	free(m->ref);
	free(m->local_dir);
	memset(m, 0, sizeof(*m));
}

bool go_module_parse(const char *path, struct go_module *m)
{
	const char *at = strstr(path, "@v"), *slash, *area, *seg, *pm;
	char *esc;
	size_t arealen;

	memset(m, 0, sizeof(*m));
	if (!at || strstr(at + 2, "@v"))
		return false; /* not exactly two parts */
	slash = strchr(at + 2, '/');
	if (!slash)
		return false;
	area = path;
	arealen = (size_t)(at - path);
	pm = strstr(path, "/pkg/mod/");
	if (pm && pm > path && pm < at) {
		area = pm;
		arealen = (size_t)(at - pm);
	}
	/* the first segment with a dot starts the module path */
	for (seg = area; seg < area + arealen;) {
		const char *end = memchr(seg, '/', (size_t)(area + arealen - seg));
		size_t n = end ? (size_t)(end - seg) : (size_t)(area + arealen - seg);

		if (memchr(seg, '.', n))
			break;
		seg += n + (end ? 1 : 0);
		if (!end)
			seg = area + arealen;
	}
	if (seg >= area + arealen)
		return false;
	/*
	 * the module cache writes capitals of the module path and version as !x
	 * (github.com/!burnt!sushi/toml); go.mod, go-get and GitHub name BurntSushi, so
	 * both are undone here, before anything compares or requests them ('!' is in no
	 * module path or version)
	 */
	esc = strndup(seg, (size_t)(at - seg));
	m->path = esc ? go_unescape_case(esc) : NULL;
	free(esc);
	esc = strndup(at + 1, (size_t)(slash - at - 1));
	m->version = esc ? go_unescape_case(esc) : NULL;
	free(esc);
	m->file = strdup(slash + 1);
	if (!m->path || !m->version || !m->file) {
		go_module_release(m);
		return false;
	}
	return true;
}

char *go_unescape_case(const char *p)
{
	char *out = malloc(strlen(p) + 1), *w = out;

	if (!out)
		return NULL;
	for (; *p; p++) {
		if (*p == '!' && islower((unsigned char)p[1]))
			*w++ = (char)toupper((unsigned char)*++p);
		else
			*w++ = *p;
	}
	*w = '\0';
	return out;
}

/* ------------------------------------------------------------ standard library */

/* hands two fresh strings to the out-parameters; both or neither (then false) */
static bool give2(char **a, char *va, char **b, char *vb)
{
	if (!va || !vb) {
		free(va);
		free(vb);
		*a = *b = NULL;
		return false;
	}
	*a = va;
	*b = vb;
	return true;
}

/* -go(X.Y(.Z)?(rcN|betaN)?)(\.|-) in a toolchain version, leftmost with backtracking */
static bool toolchain_version(const char *v, char **out)
{
	const char *s;

	for (s = strstr(v, "-go"); s; s = strstr(s + 1, "-go")) {
		const char *p = s + 3;
		size_t a = digits(p), b, c, sfx;
		int with_patch, with_sfx;

		if (!a || p[a] != '.' || !(b = digits(p + a + 1)))
			continue;
		for (with_patch = 1; with_patch >= 0; with_patch--) {
			size_t n = a + 1 + b;

			if (with_patch) {
				if (p[n] != '.' || !(c = digits(p + n + 1)))
					continue;
				n += 1 + c;
			}
			for (with_sfx = 1; with_sfx >= 0; with_sfx--) {
				size_t m = n;

				if (with_sfx) {
					if (strncmp(p + m, "rc", 2) == 0 && (sfx = digits(p + m + 2)))
						m += 2 + sfx;
					else if (strncmp(p + m, "beta", 4) == 0 &&
						 (sfx = digits(p + m + 4)))
						m += 4 + sfx;
					else
						continue;
				}
				if (p[m] == '.' || p[m] == '-') {
					*out = strndup(p, m);
					return *out != NULL;
				}
			}
		}
	}
	return false;
}

/*
 * .*?/go/.*?(SEMVER).*?/src/(.*) — except that the stretch between /go/ and the version
 * may not hold a src segment (a GOPATH like /go/src/app/1.2.3/src/x.go is not a GOROOT).
 *
 * One pass over the path (it comes from a profile: a scan per /go/ and per position made
 * this cubic).  A version at v is matched under the earliest /go/ whose gap has no src
 * segment ending at or before v; whether a version at v is followed by a /src/ does not
 * depend on the /go/, so a position that failed under one /go/ fails under the later ones
 * too and is never looked at again.
 */
static bool versioned_goroot(const char *path, char **rel, char **version)
{
	const char *g = strstr(path, "/go/"), *v, *s, *last_src = NULL, *seg = NULL;

	for (s = strstr(path, "/src/"); s; s = strstr(s + 1, "/src/"))
		last_src = s;
	if (!g || !last_src)
		return false;
	for (v = g + 4; *v; v++) {
		size_t n;

		/* seg: the last src segment that ends at or before v */
		if (v - path >= 5 && v[-5] == '/' && strncmp(v - 4, "src/", 4) == 0)
			seg = v - 4;
		while (seg && seg >= g + 4) {
			g = strstr(g + 1, "/go/");
			if (!g)
				return false;
		}
		if (v < g + 4 || v >= last_src)
			continue;
		n = semver_at(v);
		if (!n || v + n > last_src)
			continue;
		s = strstr(v + n, "/src/");
		return give2(rel, strdup(s + 5), version, strndup(v, n));
	}
	return false;
}

bool go_stdlib(const char *path, char **rel, char **version)
{
	struct go_module m;
	const char *p, *slash;

	*rel = *version = NULL;
	if (!path || !*path || strlen(path) > GO_PATH_MAX)
		return false;
	if (go_module_parse(path, &m)) {
		bool tc = strcmp(m.path, "golang.org/toolchain") == 0;

		if (tc) {
			/* the toolchain is the standard library, even when its version is odd */
			const char *f = strncmp(m.file, "src/", 4) == 0 ? m.file + 4 : m.file;
			char *v = NULL;
			bool ok;

			if (!toolchain_version(m.version, &v))
				v = strdup("");
			ok = give2(rel, strdup(f), version, v);
			go_module_release(&m);
			return ok;
		}
		go_module_release(&m);
		return false; /* a module-cache file, whatever its directories are called */
	}
	if (versioned_goroot(path, rel, version))
		return true;
	p = path;
	if (strncmp(p, "/usr/local/go/src/", 18) == 0)
		p += 18;
	if (strncmp(p, "$GOROOT/src/", 12) == 0)
		p += 12;
	slash = strrchr(p, '/');
	if (!slash)
		return false; /* a bare file name is never the standard library */
	if (strncmp(p, "vendor/", 7) == 0 || go_std_package(p, (size_t)(slash - p))) {
		return give2(rel, strdup(p), version, strdup(""));
	}
	return false;
}

char *go_stdlib_ref(const char *version)
{
	char *out;
	unsigned maj, min, patch;
	int n = 0;

	if (!version || !*version)
		return strdup("master");
	if (sscanf(version, "%u.%u.%u%n", &maj, &min, &patch, &n) == 3 && version[n] == '\0' &&
	    maj == 1 && min <= 20 && patch == 0) {
		if (asprintf(&out, "go%u.%u", maj, min) < 0)
			return NULL;
		return out;
	}
	if (asprintf(&out, "go%s", version) < 0)
		return NULL;
	return out;
}

/* ------------------------------------------------------------ go.mod */

/* next token of a go.mod line: a word, a quoted string, "(" , ")" or "=>" */
static const char *gm_token(const char *s, const char *end, const char **tok, size_t *len)
{
	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	if (s >= end || (s + 1 < end && s[0] == '/' && s[1] == '/')) {
		*tok = NULL;
		return end;
	}
	if (*s == '"' || *s == '`') {
		char q = *s;
		const char *e = memchr(s + 1, q, (size_t)(end - s - 1));

		if (!e)
			e = end;
		*tok = s + 1;
		*len = (size_t)(e - s - 1);
		return e < end ? e + 1 : end;
	}
	*tok = s;
	while (s < end && *s != ' ' && *s != '\t' && *s != '\r' && *s != '"' && *s != '`' &&
	       !(s + 1 < end && s[0] == '/' && s[1] == '/'))
		s++;
	*len = (size_t)(s - *tok);
	return s;
}

#define GM_MAX_TOKENS 8

static int gm_line(struct go_mod_file *f, const char *verb, size_t vlen, const char **t,
		   size_t *tl, int nt, size_t *capr, size_t *capp)
{
	int rc;

	if (vlen == 6 && memcmp(verb, "module", 6) == 0 && nt >= 1) {
		free(f->module);
		f->module = strndup(t[0], tl[0]);
		return f->module ? 0 : err_set(ERR_NOMEM, "out of memory");
	}
	if (vlen == 7 && memcmp(verb, "require", 7) == 0 && nt >= 2) {
		if ((rc = vec_reserve(&f->reqs, capr, f->nreqs + 1)))
			return rc;
		f->reqs[f->nreqs].path = strndup(t[0], tl[0]);
		f->reqs[f->nreqs].version = strndup(t[1], tl[1]);
		f->nreqs++;
		return 0;
	}
	if (vlen == 7 && memcmp(verb, "replace", 7) == 0) {
		int arrow = -1, i;

		for (i = 0; i < nt; i++)
			if (tl[i] == 2 && memcmp(t[i], "=>", 2) == 0)
				arrow = i;
		if (arrow < 1 || arrow + 1 >= nt)
			return 0;
		if ((rc = vec_reserve(&f->reps, capp, f->nreps + 1)))
			return rc;
		f->reps[f->nreps].old = strndup(t[0], tl[0]);
		f->reps[f->nreps].new_path = strndup(t[arrow + 1], tl[arrow + 1]);
		f->reps[f->nreps].new_version =
			arrow + 2 < nt ? strndup(t[arrow + 2], tl[arrow + 2]) : strdup("");
		f->nreps++;
	}
	return 0;
}

int go_mod_parse(const char *data, size_t len, struct go_mod_file *f)
{
	const char *s = data, *end = data + len, *block = NULL;
	size_t blen = 0, capr = 0, capp = 0, i;
	int rc = 0;

	memset(f, 0, sizeof(*f));
	while (s < end && !rc) {
		const char *eol = memchr(s, '\n', (size_t)(end - s)), *p, *t[GM_MAX_TOKENS + 1];
		size_t tl[GM_MAX_TOKENS + 1];
		int nt = 0;

		if (!eol)
			eol = end;
		for (p = s; nt <= GM_MAX_TOKENS;) {
			p = gm_token(p, eol, &t[nt], &tl[nt]);
			if (!t[nt])
				break;
			nt++;
		}
		s = eol + 1;
		if (nt == 0)
			continue;
		if (block) {
			if (tl[0] == 1 && t[0][0] == ')')
				block = NULL;
			else
				rc = gm_line(f, block, blen, t, tl, nt, &capr, &capp);
			continue;
		}
		if (nt >= 2 && tl[1] == 1 && t[1][0] == '(') {
			block = t[0];
			blen = tl[0];
			continue;
		}
		rc = gm_line(f, t[0], tl[0], t + 1, tl + 1, nt - 1, &capr, &capp);
	}
	for (i = 0; !rc && i < f->nreqs; i++)
		if (!f->reqs[i].path || !f->reqs[i].version)
			rc = err_set(ERR_NOMEM, "out of memory");
	for (i = 0; !rc && i < f->nreps; i++)
		if (!f->reps[i].old || !f->reps[i].new_path || !f->reps[i].new_version)
			rc = err_set(ERR_NOMEM, "out of memory");
	if (rc)
		go_mod_release(f);
	return rc;
}

void go_mod_release(struct go_mod_file *f)
{
	size_t i;

	free(f->module);
	for (i = 0; i < f->nreqs; i++) {
		free(f->reqs[i].path);
		free(f->reqs[i].version);
	}
	for (i = 0; i < f->nreps; i++) {
		free(f->reps[i].old);
		free(f->reps[i].new_path);
		free(f->reps[i].new_version);
	}
	free(f->reqs);
	free(f->reps);
	memset(f, 0, sizeof(*f));
}

static int replace_str(char **dst, const char *src)
{
	char *s = strdup(src);

	if (!s)
		return err_set(ERR_NOMEM, "out of memory");
	free(*dst);
	*dst = s;
	return 0;
}

int go_mod_apply(const struct go_mod_file *f, const char *gomod_dir, struct go_module *m)
{
	size_t i;
	int rc;

	for (i = 0; i < f->nreqs; i++)
		if (strcmp(f->reqs[i].path, m->path) == 0 &&
		    (rc = replace_str(&m->version, f->reqs[i].version)))
			return rc;
	for (i = 0; i < f->nreps; i++) {
		if (strcmp(f->reps[i].old, m->path) != 0)
			continue;
		if ((rc = replace_str(&m->path, f->reps[i].new_path)) ||
		    (rc = replace_str(&m->version, f->reps[i].new_version)))
			return rc;
	}
	if (strncmp(m->path, "./", 2) == 0 || strncmp(m->path, "../", 3) == 0 ||
	    strcmp(m->path, ".") == 0 || strcmp(m->path, "..") == 0) {
		free(m->local_dir);
		m->local_dir = path_join(gomod_dir ? gomod_dir : "", m->path, NULL);
		if (!m->local_dir)
			return err_set(ERR_NOMEM, "out of memory");
	}
	return 0;
}

/* ------------------------------------------------------------ vanity imports */

int go_gopkg_in(const char *path, char **out)
{
	const char *rest, *slash, *last, *dot;

	*out = NULL;
	if (strncmp(path, "gopkg.in/", 9) != 0)
		return ERR_NOTFOUND;
	rest = path + 9;
	slash = strchr(rest, '/');
	if (slash && strchr(slash + 1, '/'))
		return err_set(ERR_PARSE, "invalid gopkg.in path: %s", path);
	last = slash ? slash + 1 : rest;
	dot = strrchr(last, '.');
	if (!dot || dot == last)
		return err_set(ERR_PARSE, "invalid gopkg.in path: %s", path);
	if (slash) {
		if (slash == rest)
			return err_set(ERR_PARSE, "invalid gopkg.in path: %s", path);
		if (asprintf(out, "github.com/%.*s/%.*s", (int)(slash - rest), rest,
			     (int)(dot - last), last) < 0)
			return err_set(ERR_NOMEM, "out of memory");
	} else if (asprintf(out, "github.com/go-%.*s/%.*s", (int)(dot - last), last,
			    (int)(dot - last), last) < 0) {
		return err_set(ERR_NOMEM, "out of memory");
	}
	return 0;
}

/* value of attribute `name` inside one tag (between '<meta' and '>'), malloc'd */
static char *attr(const char *tag, size_t len, const char *name)
{
	size_t nl = strlen(name), i;

	for (i = 0; i + nl + 1 < len; i++) {
		const char *p;
		char q;
		const char *e;

		if ((i > 0 && !isspace((unsigned char)tag[i - 1])) ||
		    strncasecmp(tag + i, name, nl) != 0)
			continue;
		p = tag + i + nl;
		while (p < tag + len && isspace((unsigned char)*p))
			p++;
		if (p >= tag + len || *p != '=')
			continue;
		p++;
		while (p < tag + len && isspace((unsigned char)*p))
			p++;
		if (p >= tag + len)
			return NULL;
		q = *p;
		if (q == '"' || q == '\'') {
			e = memchr(p + 1, q, (size_t)(tag + len - p - 1));
			if (!e)
				return NULL;
			return strndup(p + 1, (size_t)(e - p - 1));
		}
		e = p;
		while (e < tag + len && !isspace((unsigned char)*e))
			e++;
		return strndup(p, (size_t)(e - p));
	}
	return NULL;
}

/* newlines and tabs removed, runs of spaces collapsed, split on spaces */
static int fields(char *s, char **f, int max)
{
	char *r = s, *w = s;
	int n = 0;

	for (; *r; r++) {
		if (*r == '\n' || *r == '\t' || *r == '\r')
			continue;
		if (*r == ' ' && (w == s || w[-1] == ' '))
			continue;
		*w++ = *r;
	}
	if (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
	for (r = s; *r && n < max;) {
		f[n++] = r;
		r = strchr(r, ' ');
		if (!r)
			break;
		*r++ = '\0';
	}
	return n;
}

static char *vanity_path(const char *module, const char *prefix, const char *repo_url)
{
	char *base, *rest, *out;
	const char *hit = strstr(module, prefix);
	size_t pl = strlen(prefix), bl;

	if (strncmp(repo_url, "https://", 8) == 0)
		repo_url += 8;
	else if (strncmp(repo_url, "http://", 7) == 0)
		repo_url += 7;
	base = strdup(repo_url);
	if (!base || !hit) {
		free(base);
		return NULL;
	}
	bl = strlen(base);
	while (bl && base[bl - 1] == '/')
		base[--bl] = '\0';
	rest = malloc(strlen(module) - pl + 1);
	if (!rest) {
		free(base);
		return NULL;
	}
	memcpy(rest, module, (size_t)(hit - module));
	strcpy(rest + (hit - module), hit + pl);
	out = path_join(base, rest, NULL);
	free(base);
	free(rest);
	return out;
}

char *go_meta_resolve(const char *module, const char *html, size_t len)
{
	char *result = NULL;
	int pass;

	for (pass = 0; pass < 2 && !result; pass++) {
		const char *want = pass == 0 ? "go-source" : "go-import";
		size_t i;

		for (i = 0; i + 5 < len && !result; i++) {
			const char *gt;
			char *name, *content, *f[8] = { NULL };
			int nf;

			if (html[i] != '<' || strncasecmp(html + i + 1, "meta", 4) != 0)
				continue;
			gt = memchr(html + i, '>', len - i);
			if (!gt)
				break;
			name = attr(html + i + 5, (size_t)(gt - html - i - 5), "name");
			content = attr(html + i + 5, (size_t)(gt - html - i - 5), "content");
			if (name && content && strcmp(name, want) == 0) {
				nf = fields(content, f, 8);
				if (pass == 0 && nf >= 2 && strstr(module, f[0]) &&
				    strstr(f[1], "github.com/"))
					result = vanity_path(module, f[0], f[1]);
				else if (pass == 1 && nf >= 3 && strstr(module, f[0]) &&
					 strcmp(f[1], "git") == 0)
					result = vanity_path(module, f[0], f[2]);
			}
			free(name);
			free(content);
			i = (size_t)(gt - html);
		}
	}
	return result;
}

char *go_strip_major(const char *path)
{
	char *out = malloc(strlen(path) + 1), *w = out;
	const char *s = path;
	int seg = 0, keep = strncmp(path, "github.com/", 11) == 0 ? 3 : 2;

	if (!out)
		return NULL;
	while (*s) {
		const char *e = s + strcspn(s, "/");
		size_t n = (size_t)(e - s);
		bool major = seg >= keep && n >= 2 && s[0] == 'v' && digits(s + 1) == n - 1;

		if (!major) {
			if (w > out)
				*w++ = '/';
			memcpy(w, s, n);
			w += n;
		}
		seg++;
		s = *e ? e + 1 : e;
	}
	*w = '\0';
	return out;
}

char *go_googlesource_url(const char *module, const char *version, const char *file)
{
	const char *p, *slash;
	char *ref, *out = NULL;
	int rc;

	if (strncmp(module, "go.googlesource.com/", 20) != 0)
		return NULL;
	p = module + 20;
	slash = strchr(p, '/');
	if (!*p || slash == p)
		return NULL;
	ref = go_ref_from_version(version);
	if (!ref)
		return NULL;
	if (!*ref) {
		free(ref);
		ref = strdup("master");
		if (!ref)
			return NULL;
	}
	if (slash && slash[1])
		rc = asprintf(&out, "https://go.googlesource.com/%.*s/+/%s/%s/%s?format=TEXT",
			      (int)(slash - p), p, ref, slash + 1, file);
	else
		rc = asprintf(&out, "https://go.googlesource.com/%.*s/+/%s/%s?format=TEXT",
			      slash ? (int)(slash - p) : (int)strlen(p), p, ref, file);
	free(ref);
	return rc < 0 ? NULL : out;
}
