/* decode.c — format detection and dispatch (see decode.h). */
#include "decode.h"

#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/text.h"
#include "load.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Mostly printable text: no NUL, at most 1 in 20 bytes a control character. */
static bool looks_like_text(const uint8_t *p, size_t n)
{
	size_t i, ctl = 0;

	if (n == 0)
		return false;
	if (n > 4096)
		n = 4096;
	for (i = 0; i < n; i++) {
		if (p[i] == 0)
			return false;
		if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			ctl++;
	}
	return ctl * 20 <= n;
}

/*
 * Does the line p[start..e) (its line break and trailing blanks cut off) end as a folded
 * line does: a blank and a count, whole or with a fraction (which the folded reader then
 * names)?
 */
static bool line_counted(const uint8_t *p, size_t start, size_t e)
{
	size_t d = e;

	while (d > start && p[d - 1] >= '0' && p[d - 1] <= '9')
		d--;
	if (d > start + 1 && d < e && p[d - 1] == '.') {  /* "12.0": refused later */
		d--;
		while (d > start && p[d - 1] >= '0' && p[d - 1] <= '9')
			d--;
	}
	return d < e && d > start && (p[d - 1] == ' ' || p[d - 1] == '\t');
}

/*
 * Folded stacks with hostile names (escape sequences) are not "mostly printable", so
 * this checks the shape instead: no NUL, and every complete line in the first 4 KiB
 * blank, a '#' comment, or ending in whitespace and a count (blanks after it) — or, with
 * `most`, at least half of the others so ending (and one at least).
 */
static bool looks_like_folded(const uint8_t *p, size_t n, bool most)
{
	size_t i, start = 0, lines = 0, good = 0;

	if (n > 4096)
		n = 4096;
	for (i = 0; i < n; i++) {
		size_t e = i;

		if (p[i] == 0)
			return false;
		if (p[i] != '\n')
			continue;
		while (e > start && (p[e - 1] == '\r' || p[e - 1] == ' ' || p[e - 1] == '\t'))
			e--;  /* the folded reader ignores blanks after the count */
		if (e > start && p[start] != '#') {
			lines++;
			if (line_counted(p, start, e))
				good++;
			else if (!most)
				return false;
		}
		start = i + 1;
	}
	return good > 0 && good * 2 >= lines;
}

/*
 * Is the first line (after a UTF-8 BOM and blanks) a folded line, "frame;... count"?
 * Folded frames may start with '{' or '<' ("{closure}", "<module>"), so the JSON and HTML
 * sniffs ask this too: no JSON document or web page has such a first line.  With
 * `whole`, only a line that ends in a line break counts (a document cut short after
 * "\"endValue\": 12" has no first line yet); without, the end of the data ends it too.
 * The whole line is looked at, however long (a folded root frame may take megabytes).
 */
static bool first_line_folded(const uint8_t *p, size_t n, bool whole)
{
	size_t i = 0, e;
	const uint8_t *nl;

	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
		i++;
	nl = i < n ? memchr(p + i, '\n', n - i) : NULL;
	if (!nl && whole)
		return false;
	e = nl ? (size_t)(nl - p) : n;
	while (e > i && (p[e - 1] == '\r' || p[e - 1] == ' ' || p[e - 1] == '\t'))
		e--;
	return e > i && p[i] != '#' && !memchr(p + i, 0, e - i) && line_counted(p, i, e);
}

/*
 * Steps *i over the varint at p[*i] for looks_like_pprof(), its value in *v: 1 read, 0 cut
 * short by the end of the data (a truncated file may still be pprof), -1 longer than 10
 * bytes (not protobuf).  pprof.c's wire_read_varint() is the decoder's.
 */
static int sniff_varint(const uint8_t *p, size_t n, size_t *i, uint64_t *v)
{
	size_t k;

	*v = 0;
	for (k = 0; k < 10; k++) {
		if (*i >= n)
			return 0;
		*v |= (uint64_t)(p[*i] & 0x7f) << (7 * k);
		if (!(p[(*i)++] & 0x80))
			return 1;
	}
	return -1;
}

/*
 * Does p[0..n) start as a pprof protobuf?  Its top-level fields are walked over the
 * first 4 KiB: each a field number with a wire type protobuf has (varint, 64-bit,
 * length-delimited or 32-bit) — for pprof's fields 1-14 the one pprof gives them — whose
 * content fits in the data.  A field cut short by the end of the data (a truncated file)
 * counts when two whole fields came before it.  Text fails within a few bytes.
 */
static bool looks_like_pprof(const uint8_t *p, size_t n)
{
	/* wire types of fields 1-14 as bit sets: messages and strings 2, numbers 0 */
	static const uint8_t types[15] = { 0, 4, 4, 4, 4, 4, 4, 1, 1, 1, 1, 4, 1, 5, 1 };
	size_t i = 0, window = n < 4096 ? n : 4096, fields = 0;
	uint64_t tag, len;
	int rc;

	while (i < window) {
		if ((rc = sniff_varint(p, n, &i, &tag)) <= 0)
			return rc == 0 && fields >= 2;
		if ((tag >> 3) == 0 || (tag >> 3) > 0x1fffffff ||
		    ((tag >> 3) < 15 && !(types[tag >> 3] & (1u << (tag & 7)))))
			return false;
		switch (tag & 7) {
		case 0:
			if ((rc = sniff_varint(p, n, &i, &len)) <= 0)
				return rc == 0 && fields >= 2;
			break;
		case 1:
		case 5:
			len = (tag & 7) == 1 ? 8 : 4;
			if (len > n - i)
				return fields >= 2;
			i += len;
			break;
		case 2:
			if ((rc = sniff_varint(p, n, &i, &len)) <= 0)
				return rc == 0 && fields >= 2;
			if (len > n - i)
				return fields >= 2;
			i += len;
			break;
		default:
			return false;
		}
		fields++;
	}
	return fields > 0;
}

/* ---- JSON documents by their top-level keys ---------------------------------------- */

static bool js_blank(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int js_hex(uint8_t c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*
 * The JSON string at p[i] ('"'), its escapes undone (\uXXXX of ASCII as the character,
 * any other, and \\u0000, as one 0xff byte: no key or name looked for has one): the first cap - 1
 * bytes into out, NUL-terminated, *len its whole decoded length.  Returns the index past
 * its closing quote, n when it does not end (or an escape is bad), 0 when it holds a
 * control character, which JSON does not allow in a string (a line break: this is text
 * that has a '"' in its first line, not JSON cut short).
 */
static size_t js_string(const uint8_t *p, size_t n, size_t i, char *out, size_t cap, size_t *len)
{
	size_t k = 0;

	for (i++; i < n && p[i] != '"'; i++) {
		uint8_t c = p[i];

		if (c < 0x20)
			return 0;
		if (c == '\\') {
			if (++i >= n)
				return n;
			switch (p[i]) {
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u': {
				int h[4], j;

				if (n - i < 5)
					return n;
				for (j = 0; j < 4; j++)
					if ((h[j] = js_hex(p[i + 1 + (size_t)j])) < 0)
						return n;
				c = h[0] || h[1] || h[2] > 7 || !(h[2] | h[3]) ? 0xff :
				    (uint8_t)(h[2] << 4 | h[3]);
				i += 4;
				break;
			}
			default: c = p[i]; break;  /* \" \\ \/ (and, leniently, any other) */
			}
		}
		if (k + 1 < cap)
			out[k] = (char)c;
		k++;
	}
	out[k + 1 < cap ? k : cap - 1] = '\0';
	*len = k;
	return i < n ? i + 1 : n;
}

/*
 * Past the JSON value at p[i]: a string, an array or object (brackets counted outside
 * strings, contents unchecked) or a scalar.  n when it does not end.
 */
static size_t js_skip(const uint8_t *p, size_t n, size_t i)
{
	size_t depth = 0;

	if (i < n && p[i] != '"' && p[i] != '{' && p[i] != '[') {
		while (i < n && p[i] != ',' && p[i] != '}' && p[i] != ']' && !js_blank(p[i]))
			i++;
		return i;
	}
	for (; i < n; i++) {
		if (p[i] == '"') {
			for (i++; i < n && p[i] != '"'; i++)
				if (p[i] == '\\')
					i++;
			if (i >= n)
				return n;
			if (!depth)
				return i + 1;
		} else if (p[i] == '{' || p[i] == '[') {
			depth++;
		} else if ((p[i] == '}' || p[i] == ']') && --depth == 0) {
			return i + 1;
		}
	}
	return n;
}

/*
 * The kind a walk of the top-level keys found, given how the walk stopped.  A JSON
 * document ends with its object (blanks after it), and is then of its kind.  One cut
 * short (`cut`), or broken (something else after a value or the object), still is, and
 * its decoder says where it breaks, unless its first line is a folded line: folded text
 * such as "{\"flamebearer\":{} 100" or "{\"$schema\":\"speedscope\"};main 5", whose root
 * frame looks like the start of an object.  Cut short, that first line must end in a line
 * break: a document cut after "\"endValue\": 12" has not ended one.
 */
static enum decode_format js_kind_at_end(const uint8_t *p, size_t n, size_t i, bool cut,
					 enum decode_format kind)
{
	if (kind == DECODE_AUTO)
		return kind;
	if (cut)
		return first_line_folded(p, n, true) ? DECODE_AUTO : kind;
	while (i < n && js_blank(p[i]))
		i++;
	return i == n || !first_line_folded(p, n, false) ? kind : DECODE_AUTO;
}

enum decode_format decode_json_kind(const uint8_t *p, size_t n)
{
	enum decode_format kind = DECODE_AUTO;
	char key[16], val[512];
	size_t i = 0, klen, vlen, v;

	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;
	while (i < n && js_blank(p[i]))
		i++;
	if (i >= n || p[i] != '{')
		return DECODE_AUTO;
	/*
	 * Every key is walked, not only up to the one that tells: folded text may begin
	 * with what looks like such a key ("{\"$schema\":\"speedscope\"} 5"), and what
	 * follows the object or the byte no object holds there says which it is.
	 */
	for (i++;;) {
		while (i < n && js_blank(p[i]))
			i++;
		if (i >= n)
			return js_kind_at_end(p, n, i, true, kind);
		if (p[i] != '"' || !(i = js_string(p, n, i, key, sizeof(key), &klen)))
			return js_kind_at_end(p, n, i, false, kind);
		while (i < n && js_blank(p[i]))
			i++;
		if (i >= n)
			return js_kind_at_end(p, n, i, true, kind);
		if (p[i] != ':')
			return js_kind_at_end(p, n, i, false, kind);
		for (i++; i < n && js_blank(p[i]); i++)
			;
		v = i;
		if (v < n && p[v] == '"' && klen < sizeof(key) &&
		    (strcmp(key, "$schema") == 0 || strcmp(key, "exporter") == 0)) {
			if (!(i = js_string(p, n, v, val, sizeof(val), &vlen)))
				return js_kind_at_end(p, n, v, false, kind);
			/* a value cut short is no answer: "{\"$schema\":\"speedscope x 5" is folded */
			if (strstr(val, "speedscope") && kind == DECODE_AUTO && i > v + 1 &&
			    p[i - 1] == '"' && p[i - 2] != '\\')
				kind = DECODE_SPEEDSCOPE;
		} else {
			i = js_skip(p, n, v);
			if (v < n && p[v] == '{' && klen < sizeof(key) &&
			    strcmp(key, "flamebearer") == 0 && kind == DECODE_AUTO)
				kind = DECODE_FLAMEBEARER;
		}
		while (i < n && js_blank(p[i]))
			i++;
		if (i >= n)
			return js_kind_at_end(p, n, i, true, kind);
		if (p[i] != ',')
			return js_kind_at_end(p, n, p[i] == '}' ? i + 1 : i, false, kind);
		i++;
	}
}

enum decode_format decode_detect(const uint8_t *p, size_t n)
{
	enum decode_format json = decode_json_kind(p, n);

	if (json != DECODE_AUTO)
		return json;
	/* cut short before the walk reached its $schema: folded text is not, as above */
	if (speedscope_detect(p, n) && !first_line_folded(p, n, false))
		return DECODE_SPEEDSCOPE;
	if (perf_detect(p, n))
		return DECODE_PERF;
	if (looks_like_text(p, n) || looks_like_folded(p, n, false))
		return DECODE_FOLDED;
	if (looks_like_pprof(p, n))
		return DECODE_PPROF;
	/* folded text with hostile names and a bad line: the folded parser names the line */
	if (looks_like_folded(p, n, true))
		return DECODE_FOLDED;
	return DECODE_PPROF;
}

/*
 * A name ending in ".lines" (perhaps then ".gz" or ".zst"): Pyroscope's lines format,
 * which has no signature of its own to tell it from folded text.
 */
static bool named_lines(const char *name)
{
	static const char *const tails[] = { ".lines", ".lines.gz", ".lines.zst" };
	size_t n = strlen(name), i;

	for (i = 0; i < sizeof(tails) / sizeof(*tails); i++) {
		size_t k = strlen(tails[i]);

		if (n > k && strcmp(name + n - k, tails[i]) == 0)
			return true;
	}
	return false;
}

enum decode_format decode_detect_named(const uint8_t *p, size_t n, const char *name)
{
	enum decode_format fmt = decode_detect(p, n);

	/* lines of hostile names are neither text nor folded: not pprof either */
	if (fmt == DECODE_PPROF && named_lines(name) && !looks_like_pprof(p, n) &&
	    !memchr(p, 0, n))
		fmt = DECODE_FOLDED;
	return fmt;
}

/* ---- formats that are not read --------------------------------------------------- */

/* Does p[0..n) hold `word` (lowercase ASCII), in any case? */
static bool has_word_nocase(const uint8_t *p, size_t n, const char *word)
{
	size_t k = strlen(word), i, j;

	for (i = 0; i + k <= n; i++) {
		for (j = 0; j < k && text_ascii_lower(p[i + j]) == word[j]; j++)
			;
		if (j == k)
			return true;
	}
	return false;
}

/*
 * A multipart/form-data body, as an SDK uploads a profile (Pyroscope's /ingest): a
 * boundary line ("--" and at most 70 characters, RFC 2046) and, among the part's headers
 * in the next 1 KiB, a Content-Disposition of form-data.
 */
static bool looks_like_multipart(const uint8_t *p, size_t n)
{
	size_t i = 2, start, end = n < 1024 ? n : 1024;

	if (n < 3 || p[0] != '-' || p[1] != '-')
		return false;
	while (i < end && i < 74 && p[i] > ' ' && p[i] < 0x7f)
		i++;
	for (;;) {
		/* the line ends: CRLF or LF; an empty one ends the headers */
		if (i < end && p[i] == '\r')
			i++;
		if (i >= end || p[i] != '\n')
			return false;
		start = ++i;
		while (i < end && p[i] != '\n' && p[i] != '\r')
			i++;
		if (i == start)
			return false;
		if (i - start > 20 && has_word_nocase(p + start, 20, "content-disposition:") &&
		    has_word_nocase(p + start + 20, i - start - 20, "form-data"))
			return true;
	}
}

/* Where p[0..n) begins after a UTF-8 BOM and blanks (JSON's: space, tab, CR, LF). */
static size_t first_nonblank(const uint8_t *p, size_t n)
{
	size_t i = n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf ? 3 : 0;

	while (i < n && js_blank(p[i]))
		i++;
	return i;
}

/*
 * An object that is JSON and not folded text starting with '{': '{' (after blanks and a
 * UTF-8 BOM), then a key's '"' or the closing '}', and lines that do not end in counts
 * (the first line looked at whole, as first_line_folded does).
 */
static bool looks_like_json_object(const uint8_t *p, size_t n)
{
	size_t i = first_nonblank(p, n);

	if (i >= n || p[i] != '{')
		return false;
	for (i++; i < n && js_blank(p[i]); i++)
		;
	return i < n && (p[i] == '"' || p[i] == '}') && !looks_like_folded(p, n, false) &&
	       !first_line_folded(p, n, false);
}

/*
 * A web page (a sign-in page or an error page saved, a URL's answer that did not say it
 * was one): "<!doctype html" or "<html" first, after blanks and a UTF-8 BOM.  Not any
 * '<': folded text may begin with a frame such as "<module>"; nor a first line that is
 * a folded line ("<html> 12": a frame named so, counted).
 */
static bool looks_like_html(const uint8_t *p, size_t n)
{
	size_t i = first_nonblank(p, n);

	n -= i;
	p += i;
	return ((n >= 14 && has_word_nocase(p, 14, "<!doctype html")) ||
		(n >= 5 && has_word_nocase(p, 5, "<html") &&
		 (n == 5 || p[5] == '>' || text_ascii_space(p[5])))) &&
	       !first_line_folded(p, n, false);
}

bool decode_markup_first(const uint8_t *data, size_t len)
{
	size_t i = data ? first_nonblank(data, len) : len;

	return i < len && data[i] == '<' && !first_line_folded(data + i, len - i, false);
}

/*
 * Formats that come smolder's way but that it does not read, told apart so that the
 * error says what the file is, not where the parser detection fell back on gave up (a
 * JFR recording: "invalid wire type 6 at byte 0").  `fmt` is what detection chose; a
 * name ending in ".lines" keeps its lines format.  0 when none of them.
 */
static int unread_format(const uint8_t *p, size_t n, enum decode_format fmt, const char *name)
{
	if (n >= 4 && memcmp(p, "FLR\0", 4) == 0)
		return err_set(ERR_UNSUPPORTED, "JFR (Java Flight Recorder) recordings are not "
			       "read; convert to pprof first (e.g. with async-profiler's "
			       "converter: jfrconv -o pprof REC.jfr OUT.pprof)");
	if (fmt != DECODE_PPROF && fmt != DECODE_FOLDED)
		return 0;
	if (looks_like_html(p, n))
		return err_set(ERR_UNSUPPORTED, load_is_url(name) ?
			       "the server answered an HTML page, not a profile (a login page, or "
			       "the wrong port or path?)" : "an HTML page, not a profile");
	if (looks_like_multipart(p, n))
		return err_set(ERR_UNSUPPORTED, "a multipart/form-data body (an HTTP upload saved "
			       "to a file), not a profile: save its profile part on its own and "
			       "read that");
	if (fmt == DECODE_FOLDED && !named_lines(name) && looks_like_json_object(p, n))
		return err_set(ERR_UNSUPPORTED, "JSON that is neither speedscope nor Pyroscope "
			       "flame graph JSON (no \"$schema\" or \"exporter\" naming speedscope, "
			       "no \"flamebearer\" object)");
	return 0;
}

static int decode_any(const uint8_t *data, size_t len, const char *name, bool empty_ok,
		      struct decode_stats *st, struct prof **out)
{
	struct buf inflated = BUF_INIT;
	const uint8_t *p = data;
	size_t n = len;
	double t0 = now_ms();
	enum decode_format fmt = DECODE_AUTO;
	int rc;

	*out = NULL;
	if (len == 0)
		return err_set(ERR_PARSE, "'%s': empty input", name);
	if ((len >= 2 && data[0] == 0x1f && data[1] == 0x8b) ||
	    (len >= 4 && data[0] == 0x28 && data[1] == 0xb5 && data[2] == 0x2f && data[3] == 0xfd)) {
		if ((rc = decode_inflate(data, len, DECODE_MAX_INFLATED, &inflated))) {
			buf_release(&inflated);
			return err_prefix(rc, "'%s'", name);
		}
		p = (const uint8_t *)inflated.data;
		n = inflated.len;
	}
	if (st) {
		st->inflate_ms = now_ms() - t0;
		st->inflated_bytes = n;
	}
	if (n == 0) {
		rc = err_set(ERR_PARSE, "empty after decompression");
	} else if ((rc = unread_format(p, n, (fmt = decode_detect_named(p, n, name)), name))) {
		;  /* not a format smolder reads: its message says which */
	} else {
		switch (fmt) {
		case DECODE_SPEEDSCOPE:
			rc = speedscope_decode((const char *)p, n, out);
			break;
		case DECODE_PERF:
			rc = perf_decode((const char *)p, n, out);
			break;
		case DECODE_FLAMEBEARER:
			rc = flamebearer_json_decode((const char *)p, n, out);
			break;
		case DECODE_FOLDED:
			rc = folded_decode((const char *)p, n, named_lines(name), out);
			break;
		default:
			rc = pprof_decode(p, n, st, out);
			break;
		}
	}
	buf_release(&inflated);
	if (rc)
		return err_prefix(rc, "'%s'", name);
	if ((*out)->nsamples == 0 && (!empty_ok || fmt != DECODE_PPROF || (*out)->ntypes == 0)) {
		prof_free(*out);
		*out = NULL;
		return err_set(ERR_PARSE, "'%s': the profile has no samples", name);
	}
	return 0;
}

int decode_profile_stats(const uint8_t *data, size_t len, const char *name,
			 struct decode_stats *st, struct prof **out)
{
	return decode_any(data, len, name, false, st, out);
}

int decode_profile(const uint8_t *data, size_t len, const char *name, struct prof **out)
{
	return decode_any(data, len, name, false, NULL, out);
}

int decode_profile_empty_ok(const uint8_t *data, size_t len, const char *name, struct prof **out)
{
	return decode_any(data, len, name, true, NULL, out);
}
