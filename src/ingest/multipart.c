/*
 * multipart.c — media types (Go's mime.ParseMediaType) and multipart/form-data bodies
 * (Go's mime/multipart reader, as Pyroscope's ReadForm sees them).  See ingest_int.h.
 *
 * Hand-written rather than libmicrohttpd's post processor: that one is bound to a live
 * connection (it reads the Content-Type from it and is fed as data arrives), whereas
 * this layer is a pure function of the whole body, fuzzed on its own.  The body is
 * already in memory (bounded by the body limit), so parts are slices of it: nothing is
 * copied and nothing is allocated per byte of input.
 */
#include "ingest_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/strmap.h"
#include "base/text.h"
#include "base/vec.h"

#define MP_MAX_HEADER_BYTES (64u << 10)  /* one part's header block */
#define MP_MAX_HEADERS      10000u       /* header lines in a body (Go: maxMIMEHeaders) */
/*
 * The boundary: RFC 2046 says 1 to 70 characters, but Go's reader (which Pyroscope
 * uses) takes longer ones, so this does too, up to a bound of its own.
 */
#define MP_MAX_BOUNDARY     1024u

/* ---- media types ---- */

static bool tspecial(int c)
{
	return c && strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

static bool token_char(int c)
{
	return c > 0x20 && c < 0x7f && !tspecial(c);
}

static size_t skip_space(const char *s, size_t i, size_t n)
{
	while (i < n && text_ascii_space((unsigned char)s[i]))
		i++;
	return i;
}

static size_t token_len(const char *s, size_t i, size_t n)
{
	size_t j = i;

	while (j < n && token_char((unsigned char)s[j]))
		j++;
	return j - i;
}

/* A quoted string at s[i] == '"'; its unescaped text into out; returns the end or 0. */
static size_t quoted(const char *s, size_t i, size_t n, struct buf *out)
{
	for (i++; i < n; i++) {
		char c = s[i];

		if (c == '"')
			return i + 1;
		/* an escape only before a tspecial (a bare '\' is MSIE's literal backslash) */
		if (c == '\\' && i + 1 < n && tspecial((unsigned char)s[i + 1]))
			c = s[++i];
		else if (c == '\r' || c == '\n')
			return 0;
		buf_add(out, &c, 1);
	}
	return 0;
}

/* RFC 2231 `name*=charset'lang'pct-encoded` for utf-8 and us-ascii; false otherwise. */
static bool decode_2231(const char *v, size_t n, struct buf *out)
{
	const char *q1 = memchr(v, '\'', n), *q2;
	size_t cs;

	if (!q1 || !(q2 = memchr(q1 + 1, '\'', (size_t)(v + n - q1 - 1))))
		return false;
	cs = (size_t)(q1 - v);
	if (!((cs == 5 && strncasecmp(v, "utf-8", 5) == 0) ||
	      (cs == 8 && strncasecmp(v, "us-ascii", 8) == 0)))
		return false;
	return text_unescape(q2 + 1, (size_t)(v + n - q2 - 1), false, out) == 0;
}

/* A parameter's value seen so far: [off, off + len) of the values buffer. */
struct mt_seen {
	size_t off, len;
};

/*
 * Go's rule for a parameter name given twice (case-insensitively; `name*` and `name` are
 * two names): refused unless the values are equal (Go 1.20 and later, which Pyroscope
 * builds with, take equal ones; 1.19 refused every repeat).  names maps the lowercased
 * names seen (borrowed from the lowercased copy of the header) to seen[], whose values
 * are kept in vals; key is kl bytes of that copy.
 */
static int mt_repeat(struct strmap *names, struct mt_seen **seen, size_t *cap,
		     struct buf *vals, const char *key, size_t kl, const struct buf *val)
{
	struct buf q = BUF_INIT;
	uint32_t idx;
	int rc;

	if ((rc = strmap_intern(names, key, kl, &idx)) < 0)
		return rc;
	if (rc == 1) {
		const struct mt_seen *e = &(*seen)[idx];

		if (e->len == val->len &&
		    (val->len == 0 || memcmp(vals->data + e->off, val->data, val->len) == 0))
			return 0;
		ingest_quote(&q, key, kl);
		rc = err_set(ERR_PARSE, "duplicate parameter %s with another value",
			     q.data ? q.data : "");
		buf_release(&q);
		return rc;
	}
	if ((rc = vec_reserve(seen, cap, names->n)))
		return rc;
	(*seen)[idx].off = vals->len;
	(*seen)[idx].len = val->len;
	return buf_add(vals, val->data, val->len);
}

int media_type_parse(const char *s, size_t n, struct buf *type, struct media_want *want,
		     size_t nwant)
{
	struct buf val = BUF_INIT, vals = BUF_INIT;
	struct strmap names;
	struct mt_seen *seen = NULL;
	char *lower = NULL;
	size_t i, j, k, base = 0, tl, cap_seen = 0;
	bool *starred = NULL;
	int rc = 0;

	for (k = 0; k < nwant; k++) {
		buf_reset(want[k].value);
		want[k].found = false;
	}
	while (base < n && s[base] != ';')
		base++;
	/* the type: token or token/token, lowercased */
	buf_reset(type);
	i = skip_space(s, 0, base);
	j = base;
	while (j > i && text_ascii_space((unsigned char)s[j - 1]))
		j--;
	tl = token_len(s, i, j);
	if (tl == 0)
		return err_set(ERR_PARSE, "no media type");
	if (i + tl < j) {
		size_t sl;

		if (s[i + tl] != '/' || (sl = token_len(s, i + tl + 1, j)) == 0 ||
		    i + tl + 1 + sl != j)
			return err_set(ERR_PARSE, "malformed media type");
	}
	for (k = i; k < j; k++) {
		char c = text_ascii_lower((unsigned char)s[k]);

		buf_add(type, &c, 1);
	}
	buf_add(type, "", 0);
	if ((rc = strmap_init(&names, 8)))
		return rc;
	starred = calloc(nwant ? nwant : 1, sizeof(*starred));
	lower = malloc(n + 1);
	if (!starred || !lower) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	for (k = 0; k < n; k++)
		lower[k] = text_ascii_lower((unsigned char)s[k]);
	/* ; name=value parameters */
	i = base;
	while ((i = skip_space(s, i, n)) < n) {
		size_t kstart, kl, vend;
		bool star;

		if (s[i] != ';' ||
		    (kl = token_len(s, (kstart = skip_space(s, i + 1, n)), n)) == 0) {
			/* a trailing ';' is tolerated */
			if (s[i] == ';' && skip_space(s, i + 1, n) == n)
				break;
			rc = err_set(ERR_PARSE, "invalid media parameter at byte %zu", i);
			goto done;
		}
		j = skip_space(s, kstart + kl, n);
		if (j >= n || s[j] != '=') {
			rc = err_set(ERR_PARSE, "invalid media parameter at byte %zu", i);
			goto done;
		}
		j = skip_space(s, j + 1, n);
		buf_reset(&val);
		if (j < n && s[j] == '"') {
			if (!(vend = quoted(s, j, n, &val))) {
				rc = err_set(ERR_PARSE, "unterminated quoted string at byte %zu",
					     j);
				goto done;
			}
		} else {
			vend = j + token_len(s, j, n);
			if (vend == j) {
				rc = err_set(ERR_PARSE, "invalid media parameter value at byte %zu",
					     j);
				goto done;
			}
			buf_add(&val, s + j, vend - j);
		}
		buf_add(&val, "", 0);
		if ((rc = mt_repeat(&names, &seen, &cap_seen, &vals, lower + kstart, kl, &val)))
			goto done;
		star = s[kstart + kl - 1] == '*';
		for (k = 0; k < nwant; k++) {
			size_t wl = strlen(want[k].name);

			if (kl - star != wl || strncasecmp(s + kstart, want[k].name, wl) != 0)
				continue;
			if (star) {
				/* name* (RFC 2231) wins over name when it decodes */
				struct buf dec = BUF_INIT;

				if (decode_2231(val.data ? val.data : "", val.len, &dec)) {
					buf_reset(want[k].value);
					buf_add(want[k].value, dec.data, dec.len);
					buf_add(want[k].value, "", 0);
					want[k].found = true;
					starred[k] = true;
				}
				buf_release(&dec);
			} else if (!starred[k]) {
				/* a repeat has the same value (mt_repeat) */
				buf_reset(want[k].value);
				buf_add(want[k].value, val.data, val.len);
				buf_add(want[k].value, "", 0);
				want[k].found = true;
			}
		}
		i = vend;
	}
done:
	free(starred);
	free(lower);
	free(seen);
	strmap_release(&names);
	buf_release(&vals);
	buf_release(&val);
	return rc;
}

/* ---- multipart ---- */

struct mp {
	const uint8_t *b;
	size_t len;
	const char *dash;  /* "--" boundary */
	size_t dlen;
	bool lf;           /* LF line ends (the first delimiter line had no CR) */
	size_t headers;    /* header lines so far */
};

/* The line at pos: [pos, *end) without the '\n'; *next is past it. */
static bool line_at(const struct mp *m, size_t pos, size_t *end, size_t *next)
{
	const uint8_t *nl = memchr(m->b + pos, '\n', m->len - pos);

	*end = nl ? (size_t)(nl - m->b) : m->len;
	*next = nl ? *end + 1 : m->len;
	return nl != NULL;
}

enum delim { NOT_DELIM, DELIM, FINAL };

/* Is the line [pos, end) (has_nl: a '\n' followed) a delimiter or the close-delimiter? */
static enum delim delim_line(struct mp *m, size_t pos, size_t end, bool has_nl, bool first)
{
	size_t i = pos + m->dlen;
	bool final = false;

	if (end - pos < m->dlen || memcmp(m->b + pos, m->dash, m->dlen) != 0)
		return NOT_DELIM;
	if (end - i >= 2 && m->b[i] == '-' && m->b[i + 1] == '-') {
		final = true;
		i += 2;
	}
	while (i < end && (m->b[i] == ' ' || m->b[i] == '\t'))
		i++;
	if (final && i == end && !has_nl)
		return FINAL;
	if (!has_nl)
		return NOT_DELIM;
	if (first && !final && i == end)
		m->lf = true;
	if ((m->lf && i == end) || (!m->lf && i + 1 == end && m->b[i] == '\r'))
		return final ? FINAL : DELIM;
	return NOT_DELIM;
}

/* Go's matchAfterPrefix: what follows a delimiter candidate ending at p. */
static int after_prefix(const struct mp *m, size_t p)
{
	if (p >= m->len)
		return 1;
	if (m->b[p] == ' ' || m->b[p] == '\t' || m->b[p] == '\r' || m->b[p] == '\n')
		return 1;
	if (m->b[p] == '-')
		return p + 1 < m->len && m->b[p + 1] == '-' ? 1 : -1;
	return -1;
}

static int malformed(size_t index, size_t at)
{
	return err_set(ERR_PARSE, "part %zu: malformed header at byte %zu", index, at);
}

/* Reads a part's header block at *pos into part; *pos ends past the blank line. */
static int part_headers(struct mp *m, size_t *pos, struct mp_part *part, size_t index)
{
	struct buf disp = BUF_INIT, cte = BUF_INIT, cur = BUF_INIT, name = BUF_INIT,
		   fname = BUF_INIT, type = BUF_INIT;
	size_t start = *pos, end, next, p = *pos;
	int which = 0;  /* the header cur belongs to: 1 disposition, 2 transfer encoding */
	bool have_disp = false, have_cte = false;
	int rc = 0;

	for (;;) {
		bool has_nl = line_at(m, p, &end, &next);
		size_t e = end;

		if (!has_nl) {
			rc = err_set(ERR_PARSE, "part %zu: headers cut off at byte %zu", index, p);
			goto done;
		}
		if (next - start > MP_MAX_HEADER_BYTES) {
			rc = err_set(ERR_TOOBIG, "part %zu: headers longer than %u KiB", index,
				     MP_MAX_HEADER_BYTES >> 10);
			goto done;
		}
		if (e > p && m->b[e - 1] == '\r')
			e--;
		if (e > p && (m->b[p] == ' ' || m->b[p] == '\t')) {
			/* a folded line continues the previous header */
			if (p == start) {
				rc = malformed(index, p);
				goto done;
			}
			if (which) {
				size_t a = p, z = e;

				while (a < z && (m->b[a] == ' ' || m->b[a] == '\t'))
					a++;
				while (z > a && (m->b[z - 1] == ' ' || m->b[z - 1] == '\t'))
					z--;
				buf_add(&cur, " ", 1);
				buf_add(&cur, m->b + a, z - a);
			}
			p = next;
			continue;
		}
		/* the previous header is complete */
		if (which == 1 && !have_disp) {
			buf_add(&disp, cur.data, cur.len);
			have_disp = true;
		} else if (which == 2 && !have_cte) {
			buf_add(&cte, cur.data, cur.len);
			have_cte = true;
		}
		which = 0;
		buf_reset(&cur);
		if (e == p)
			break;
		{
			const uint8_t *colon = memchr(m->b + p, ':', e - p);
			size_t kl, a, z, i;

			const char *key = (const char *)m->b + p;

			if (!colon || colon == m->b + p) {
				rc = malformed(index, p);
				goto done;
			}
			kl = (size_t)(colon - (m->b + p));
			for (i = 0; i < kl; i++)
				if (!token_char(m->b[p + i])) {
					rc = malformed(index, p);
					goto done;
				}
			if (++m->headers > MP_MAX_HEADERS) {
				rc = err_set(ERR_TOOBIG, "more than %u part headers",
					     MP_MAX_HEADERS);
				goto done;
			}
			if (kl == 19 && strncasecmp(key, "content-disposition", 19) == 0)
				which = 1;
			else if (kl == 25 && strncasecmp(key, "content-transfer-encoding", 25) == 0)
				which = 2;
			a = (size_t)(colon + 1 - m->b);
			z = e;
			while (a < z && (m->b[a] == ' ' || m->b[a] == '\t'))
				a++;
			while (z > a && (m->b[z - 1] == ' ' || m->b[z - 1] == '\t'))
				z--;
			if (which)
				buf_add(&cur, m->b + a, z - a);
		}
		p = next;
	}
	*pos = next;
	part->name[0] = '\0';
	part->has_filename = false;
	if (have_disp && disp.len) {
		struct media_want want[2] = { { "name", &name, false },
					      { "filename", &fname, false } };

		/* Go: a disposition that does not parse, or is not form-data, has no name */
		if (media_type_parse(disp.data, disp.len, &type, want, 2) == 0 &&
		    strcmp(type.data, "form-data") == 0) {
			if (want[0].found && name.len < MP_NAME_MAX &&
			    !memchr(name.data, 0, name.len))
				memcpy(part->name, name.data, name.len + 1);
			part->has_filename = want[1].found && fname.len > 0;
		}
		err_clear();
	}
	part->quoted_printable =
		have_cte && cte.len == 16 && strncasecmp(cte.data, "quoted-printable", 16) == 0;
done:
	buf_release(&disp);
	buf_release(&cte);
	buf_release(&cur);
	buf_release(&name);
	buf_release(&fname);
	buf_release(&type);
	return rc;
}

int multipart_parse(const uint8_t *body, size_t len, const char *boundary, size_t blen,
		    size_t max_parts, struct mp_part **parts, size_t *nparts)
{
	struct mp m = { body, len, NULL, 0, false, 0 };
	char *dash = NULL, *nldash = NULL;
	size_t pos = 0, end, next, cap = 0, n = 0;
	enum delim d = NOT_DELIM;
	int rc = 0;

	*parts = NULL;
	*nparts = 0;
	if (blen == 0)
		return err_set(ERR_PARSE, "the boundary is empty");
	if (blen > MP_MAX_BOUNDARY)
		return err_set(ERR_TOOBIG, "the boundary is longer than %u characters",
			       MP_MAX_BOUNDARY);
	if (!(dash = malloc(blen + 4)) || !(nldash = malloc(blen + 5))) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	dash[0] = dash[1] = '-';
	memcpy(dash + 2, boundary, blen);
	m.dash = dash;
	m.dlen = blen + 2;
	/* the preamble, up to the first delimiter line */
	while (pos < len || len == 0) {
		bool has_nl = line_at(&m, pos, &end, &next);

		if ((d = delim_line(&m, pos, end, has_nl, true)) != NOT_DELIM)
			break;
		if (!has_nl)
			break;
		pos = next;
	}
	if (d == NOT_DELIM) {
		rc = err_set(ERR_PARSE, "no boundary line in the body");
		goto done;
	}
	pos = next;
	/* "\r\n--boundary" (or "\n--boundary") ends a part's content */
	{
		size_t nl = m.lf ? 1 : 2;

		memcpy(nldash, m.lf ? "\n" : "\r\n", nl);
		memcpy(nldash + nl, dash, m.dlen);
	}
	while (d == DELIM) {
		struct mp_part *part;
		size_t cstart, cend, dl, nl = m.lf ? 1 : 2, from;
		bool has_nl;

		if (n >= max_parts) {
			rc = err_set(ERR_TOOBIG, "more than %zu parts", max_parts);
			goto done;
		}
		if ((rc = vec_reserve(parts, &cap, n + 1)))
			goto done;
		part = &(*parts)[n];
		memset(part, 0, sizeof(*part));
		if ((rc = part_headers(&m, &pos, part, n)))
			goto done;
		cstart = pos;
		/* an empty part: the delimiter right after the blank line */
		if (len - cstart >= m.dlen && memcmp(body + cstart, dash, m.dlen) == 0 &&
		    after_prefix(&m, cstart + m.dlen) > 0) {
			cend = cstart;
			dl = cstart;
		} else {
			for (from = cstart;;) {
				const uint8_t *hit =
					memmem(body + from, len - from, nldash, nl + m.dlen);

				if (!hit) {
					rc = err_set(ERR_PARSE, "part %zu (from byte %zu) has no "
							  "closing boundary", n, cstart);
					goto done;
				}
				from = (size_t)(hit - body);
				if (after_prefix(&m, from + nl + m.dlen) > 0)
					break;
				from++;
			}
			cend = from;
			dl = from + nl;
		}
		part->data = body + cstart;
		part->len = cend - cstart;
		n++;
		has_nl = line_at(&m, dl, &end, &next);
		d = delim_line(&m, dl, end, has_nl, false);
		if (d == NOT_DELIM) {
			rc = err_set(ERR_PARSE, "malformed boundary line at byte %zu", dl);
			goto done;
		}
		pos = next;
	}
	*nparts = n;
done:
	if (rc) {
		free(*parts);
		*parts = NULL;
	}
	free(dash);
	free(nldash);
	return rc;
}
