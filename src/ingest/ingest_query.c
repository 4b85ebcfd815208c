/*
 * ingest_query.c — reading a request the way Pyroscope's Go handler does: headers, the
 * query string (Go's url.ParseQuery), times (pkg/og/util/attime, read by base/timeparse.c
 * for /pyroscope/render too) and the `name` parameter's label set (api/model/labelset).
 * See ingest_int.h.
 */
#include "ingest_int.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/text.h"
#include "base/timeparse.h"

const char *ingest_header(const struct ingest_request *rq, const char *name)
{
	size_t i;

	for (i = 0; i < rq->nheaders; i++)
		if (rq->headers[i].name && rq->headers[i].value &&
		    strcasecmp(rq->headers[i].name, name) == 0)
			return rq->headers[i].value;
	return NULL;
}

int ingest_param(const struct ingest_request *rq, const char *key, struct buf *val)
{
	struct buf k = BUF_INIT;
	const char *q = rq->query, *end;
	size_t klen = strlen(key), i;
	int found = 0;

	buf_reset(val);
	if (!q) {
		for (i = 0; i < rq->nparams; i++) {
			const struct ingest_param *p = &rq->params[i];

			if (p->name && strcmp(p->name, key) == 0) {
				const char *v = p->value ? p->value : "";

				buf_add(val, v, p->value_len ? p->value_len : strlen(v));
				if (!val->data)
					buf_add(val, "", 0);
				return 1;
			}
		}
		return 0;
	}
	end = q + strlen(q);
	while (q < end && !found) {
		const char *amp = memchr(q, '&', (size_t)(end - q)), *eq;
		size_t n;

		if (!amp)
			amp = end;
		n = (size_t)(amp - q);
		/* Go refuses pairs with a ';' and skips empty ones */
		if (n > 0 && !memchr(q, ';', n)) {
			eq = memchr(q, '=', n);
			if (text_unescape(q, eq ? (size_t)(eq - q) : n, true, &k) == 0 &&
			    k.len == klen && memcmp(k.data, key, klen) == 0) {
				size_t vn = eq ? (size_t)(amp - eq - 1) : 0;

				if (eq)
					found = text_unescape(eq + 1, vn, true, val) == 0;
				else
					found = buf_add(val, "", 0) == 0;
			}
		}
		q = amp + 1;
	}
	buf_release(&k);
	if (!found)
		buf_reset(val);
	return found;
}

bool ingest_atoi(const char *s, size_t n, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	uint64_t v = 0;

	if (n && (s[0] == '+' || s[0] == '-'))
		neg = s[i++] == '-';
	if (i == n)
		return false;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > (uint64_t)INT64_MAX + neg)
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

/*
 * Go's strings.TrimSpace, which upstream applies to the `name` parts and the times: it
 * trims what unicode.IsSpace calls space — ASCII \t \n \v \f \r and ' ', and U+0085,
 * U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000 in UTF-8.
 * Locale-free, unlike isspace.  go_space: the length of such a rune at s[0], or 0.
 */
static size_t go_space(const unsigned char *s, size_t n)
{
	if (n >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
		return 1;
	if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;
	if (n < 3)
		return 0;
	if ((s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) ||
	    (s[0] == 0xe2 && s[1] == 0x80 &&
	     ((s[2] >= 0x80 && s[2] <= 0x8a) || s[2] == 0xa8 || s[2] == 0xa9 ||
	      s[2] == 0xaf)) ||
	    (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f) ||
	    (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80))
		return 3;
	return 0;
}

/*
 * The same, for a rune ending at s[n - 1]: a match starts at a lead byte, so it is the
 * rune Go's DecodeLastRune finds there.
 */
static size_t go_space_last(const unsigned char *s, size_t n)
{
	size_t k;

	for (k = 1; k <= 3 && k <= n; k++)
		if (go_space(s + n - k, k) == k)
			return k;
	return 0;
}

static void trim(const char **s, size_t *n)
{
	size_t k;

	while ((k = go_space((const unsigned char *)*s, *n)))
		*s += k, *n -= k;
	while ((k = go_space_last((const unsigned char *)*s, *n)))
		*n -= k;
}

/*
 * attime as render reads it (timeparse_attime_n), after Go's TrimSpace, which trims
 * Unicode spaces too.  A push is not refused for its time, as upstream's is not: what
 * the parser refuses still has the time it sets (now, or an int64 edge; timeparse.h).
 */
int64_t ingest_attime(const char *s, size_t n, int64_t now_ns)
{
	int64_t t;

	trim(&s, &n);
	(void)timeparse_attime_n(s, n, now_ns, &t);
	return t;
}

/* ---- the `name` parameter ---- */

static bool label_rune_ok(unsigned char c)
{
	return text_ascii_alnum(c) || c == '_' || c == '.';
}

static bool app_rune_ok(unsigned char c)
{
	return label_rune_ok(c) || c == '-' || c == '/';
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t need, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return need;
}

/* Go's bytes.Buffer.WriteRune of each rune: invalid bytes become U+FFFD. */
static int add_runes(struct buf *out, const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		k = utf8_seq((const unsigned char *)s + i, n - i);
		if (k == 0) {
			if (buf_add(out, "\xef\xbf\xbd", 3))
				return ERR_NOMEM;
			i++;
		} else {
			if (buf_add(out, s + i, k))
				return ERR_NOMEM;
			i += k;
		}
	}
	return buf_add(out, "", 0);
}

static int bad_char(const char *what, const char *s, size_t n, size_t at)
{
	struct buf q = BUF_INIT, c = BUF_INIT;
	int rc;

	ingest_quote(&q, s, n);
	ingest_quote(&c, s + at, utf8_seq((const unsigned char *)s + at, n - at) ?
					 utf8_seq((const unsigned char *)s + at, n - at) : 1);
	rc = err_set(ERR_PARSE, "invalid %s %s: character %s is not allowed", what,
		     q.data ? q.data : "", c.data ? c.data : "");
	buf_release(&q);
	buf_release(&c);
	return rc;
}

/*
 * One `key=value` pair: the key trimmed and checked (unless it is __name__), the value
 * trimmed and kept rune by rune.  Duplicate keys: the last one wins (a Go map).
 */
static int name_pair(struct labelset *out, const char *k, size_t kn, const char *v,
		     size_t vn)
{
	struct buf key = BUF_INIT, val = BUF_INIT;
	size_t i;
	int rc = 0;

	trim(&k, &kn);
	trim(&v, &vn);
	if (kn == 8 && memcmp(k, "__name__", 8) == 0) {
		if (vn == 0)  /* it would replace the app name with nothing */
			return err_set(ERR_PARSE, "service name is required");
	} else {
		if (kn == 0)
			return err_set(ERR_PARSE, "label name is required");
		for (i = 0; i < kn; i++)
			if (!label_rune_ok((unsigned char)k[i]))
				return bad_char("label name", k, kn, i);
	}
	if ((rc = add_runes(&key, k, kn)) || (rc = add_runes(&val, v, vn)))
		goto done;
	/* an empty value is kept: the series rules (ingest_series_pairs) drop the name */
	if (vn == 0)
		rc = labelset_set(out, key.data, "");
	else
		rc = ingest_label_add(out, key.data, key.len, val.data, val.len, false);
done:
	buf_release(&key);
	buf_release(&val);
	return rc;
}

int ingest_name_parse(const char *s, size_t n, struct labelset *out)
{
	const char *brace = memchr(s, '{', n), *app = s, *p, *end = s + n;
	size_t an = brace ? (size_t)(brace - s) : n, i;
	int rc;

	/* the app name: everything before the first '{', trimmed */
	trim(&app, &an);
	if (an == 0)
		return err_set(ERR_PARSE, "service name is required");
	for (i = 0; i < an; i++)
		if (!app_rune_ok((unsigned char)app[i]))
			return bad_char("service name", app, an, i);
	if ((rc = ingest_label_add(out, "__name__", 8, app, an, false)) || !brace)
		return rc;
	/*
	 * labelset.Parse's states: a key runs to '=' (a '}' there ends the list), a value to
	 * ',' or '}' — after which another key may follow, so `a{x=1}y=2` has y too.  A key
	 * or value that the end cuts off is dropped (the parser appends a '{' to its input,
	 * which lands in the unfinished key or value).
	 */
	p = brace + 1;
	while (p < end) {
		const char *k = p, *eq, *v;

		while (p < end && *p != '=' && *p != '}')
			p++;
		if (p >= end || *p == '}')
			break;
		eq = p++;
		v = p;
		while (p < end && *p != ',' && *p != '}')
			p++;
		if (p >= end)
			break;
		if ((rc = name_pair(out, k, (size_t)(eq - k), v, (size_t)(p - v))))
			return rc;
		p++;
	}
	return 0;
}
