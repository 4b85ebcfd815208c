/* text.c — terminal-safe strings, widths, name shortening and JSON strings (see text.h). */
#include "text.h"
#include "err.h"

#include <stdio.h>
#include <langinfo.h>
#include <string.h>
#include <wchar.h>

/* Decodes one UTF-8 sequence; returns its length, or 0 if invalid (then *cp unset). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* reject overlongs, surrogates, out of range */
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return len;
}

size_t text_utf8_len(const char *s, size_t n)
{
	uint32_t cp;

	return utf8_decode((const unsigned char *)s, n, &cp);
}

/*
 * Invisible characters that change how the terminal draws what is around them, shown as
 * \uNNNN (\UNNNNNNNN above U+FFFF) like the controls, so that the screen shows every
 * character a name holds and text_width() counts what every terminal draws:
 *  - the bidirectional format characters (embeddings, overrides, isolates, marks)
 *    reorder what follows them (Trojan Source);
 *  - the zero-width characters (ZWSP, ZWJ, word joiner, invisible operators, BOM,
 *    Mongolian vowel separator), the deprecated format characters U+206A-U+206F, the
 *    interlinear annotation marks, the Egyptian, shorthand and musical format controls
 *    and the tag characters are invisible, so two names that differ only in them look
 *    the same; and the joiner (U+200D) and the tags build emoji sequences (👨‍👩‍👧 is
 *    three emoji and two ZWJ) that tmux 3.3a, kitty, WezTerm and iTerm2 draw in 2 cells
 *    while wcwidth() counts 6, and other terminals draw 6;
 *  - the text and emoji presentation selectors U+FE0E and U+FE0F turn a 1-cell symbol
 *    into a 2-cell emoji (❤️) or back in some terminals and not in others.
 * These are Unicode's format characters (category Cf) less the visible ones (soft
 * hyphen, the Arabic and Kaithi number signs, which terminals draw as ordinary text) and
 * less the zero-width non-joiner U+200C, which Persian and Indic words hold between
 * letters and terminals draw as nothing, as wcwidth() counts it; plus the two
 * presentation selectors.
 */
static bool is_invisible(uint32_t cp)
{
	if (cp < 0x061c)
		return false;
	return cp == 0x061c || cp == 0x180e || cp == 0x200b || (cp >= 0x200d && cp <= 0x200f) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2064) ||
	       (cp >= 0x2066 && cp <= 0x206f) || cp == 0xfe0e || cp == 0xfe0f || cp == 0xfeff ||
	       (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0x13430 && cp <= 0x1343f) ||
	       (cp >= 0x1bca0 && cp <= 0x1bca3) || (cp >= 0x1d173 && cp <= 0x1d17a) ||
	       cp == 0xe0001 || (cp >= 0xe0020 && cp <= 0xe007f);
}

size_t text_safe_char(const char *s, size_t n, bool ascii, char out[TEXT_SAFE_CHAR_MAX],
		      size_t *outlen)
{
	size_t len;
	uint32_t cp;

	if (n == 0) {
		*outlen = 0;
		return 0;
	}
	len = utf8_decode((const unsigned char *)s, n, &cp);
	if (len == 0) {
		/* one byte at a time: a bad byte never swallows good ones after it */
		memcpy(out, ascii ? "?" : "\xef\xbf\xbd", *outlen = ascii ? 1 : 3);
		return 1;
	}
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
		*outlen = (size_t)snprintf(out, TEXT_SAFE_CHAR_MAX, "\\x%02x", (unsigned)cp);
	else if (is_invisible(cp))  /* escaped in ASCII mode too: \u202e, not a bare '?' */
		*outlen = (size_t)snprintf(out, TEXT_SAFE_CHAR_MAX,
					   cp > 0xffff ? "\\U%08x" : "\\u%04x", (unsigned)cp);
	else if (ascii && cp >= 0x80)
		memcpy(out, "?", *outlen = 1);
	else
		memcpy(out, s, *outlen = len);
	return len;
}

int text_safe(struct buf *out, const char *s, size_t n, bool ascii)
{
	const unsigned char *p = (const unsigned char *)s;
	char one[TEXT_SAFE_CHAR_MAX];
	size_t i = 0, run, len, olen;
	int rc;

	while (i < n) {
		/* printable ASCII, most of every name, goes in runs */
		for (run = i; run < n && p[run] >= 0x20 && p[run] < 0x7f; run++)
			;
		if (run > i && (rc = buf_add(out, s + i, run - i)))
			return rc;
		if ((i = run) == n)
			break;
		len = text_safe_char(s + i, n - i, ascii, one, &olen);
		if ((rc = buf_add(out, one, olen)))
			return rc;
		i += len;
	}
	return 0;
}

bool text_locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

static int cp_width(uint32_t cp)
{
	int w = wcwidth((wchar_t)cp);

	if (w < 0)
		return cp < 0x80 ? 1 : 1; /* unknown in this locale: assume one cell */
	return w;
}

int text_width(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;
	uint32_t cp;
	int w = 0;

	while (i < n) {
		if (p[i] < 0x80) {
			w++;
			i++;
			continue;
		}
		len = utf8_decode(p + i, n - i, &cp);
		if (len == 0) {
			w++;
			i++;
			continue;
		}
		w += cp_width(cp);
		i += len;
	}
	return w;
}

/* Byte length of the longest prefix of s that fits in maxw cells; *w gets its width. */
static size_t prefix_fit(const char *s, size_t n, int maxw, int *w)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;
	uint32_t cp;
	int cw;

	*w = 0;
	while (i < n) {
		len = utf8_decode(p + i, n - i, &cp);
		if (len == 0) {
			len = 1;
			cp = '?';
		}
		cw = cp_width(cp);
		if (*w + cw > maxw)
			break;
		*w += cw;
		i += len;
	}
	return i;
}

/* Byte offset of the shortest suffix of s that fits in maxw cells, widest possible. */
static size_t suffix_fit(const char *s, size_t n, int maxw, int *w)
{
	size_t start = n;
	int cw;

	*w = 0;
	while (start > 0) {
		size_t j = start - 1;

		while (j > 0 && ((unsigned char)s[j] & 0xc0) == 0x80)
			j--;
		cw = text_width(s + j, start - j);
		if (*w + cw > maxw)
			break;
		*w += cw;
		start = j;
	}
	return start;
}

int text_middle_truncate(struct buf *out, const char *s, size_t n, int maxw, bool ascii)
{
	int w = text_width(s, n), lw, rw;
	size_t l, r;

	if (maxw <= 0)
		return 0;
	if (w <= maxw) {
		buf_add(out, s, n);
		return w;
	}
	if (maxw == 1) {
		buf_puts(out, ascii ? "~" : "\xe2\x80\xa6");
		return 1;
	}
	l = prefix_fit(s, n, (maxw - 1 + 1) / 2, &lw);
	r = suffix_fit(s, n, maxw - 1 - lw, &rw);
	if (r < l)
		r = l;
	buf_add(out, s, l);
	buf_puts(out, ascii ? "~" : "\xe2\x80\xa6");
	buf_add(out, s + r, n - r);
	return lw + 1 + rw;
}

/* Position just after the last '/' that is not inside parentheses or brackets. */
static size_t skip_path(const char *s, size_t n)
{
	size_t i, cut = 0;
	int depth = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '(' || s[i] == '[')
			depth++;
		else if ((s[i] == ')' || s[i] == ']') && depth > 0)
			depth--;
		else if (s[i] == '/' && depth == 0)
			cut = i + 1;
		else if (s[i] == ' ')
			break; /* "file.py:12 - fn": stop at descriptive parts */
	}
	return cut;
}

/*
 * Position just after the first (or, with last, the last) ch at depth 0 — outside
 * parentheses and brackets — before any blank, that leaves a non-empty rest; 0 when none.
 */
static size_t skip_to(const char *s, size_t n, char ch, bool last)
{
	size_t i, cut = 0;
	int depth = 0;

	for (i = 0; i + 1 < n; i++) {
		if (s[i] == '(' || s[i] == '[') {
			depth++;
		} else if ((s[i] == ')' || s[i] == ']') && depth > 0) {
			depth--;
		} else if (s[i] == ch && depth == 0) {
			cut = i + 1;
			if (!last)
				break;
		} else if (s[i] == ' ') {
			break;
		}
	}
	return cut;
}

/* Position just after the first '.' at depth 0 that leaves a non-empty rest. */
static size_t skip_package(const char *s, size_t n)
{
	return skip_to(s, n, '.', false);
}

/* Position just after the last '.' at depth 0 (drops receivers and classes). */
static size_t skip_receiver(const char *s, size_t n)
{
	return skip_to(s, n, '.', true);
}

/*
 * Whether s is in the `file.ext:LINE - function` form Pyroscope's SDKs name frames in
 * (Python, Ruby, Rust: "lib/util.py:-1 - check", "alloc.rs:181 - alloc::alloc::alloc",
 * "(unknown):0 - _set_tag [c function]").  Its dots are the file's extension and the
 * function's own, not a Go package's: skip_package would keep "py:-1 - check".
 */
static bool file_line_form(const char *s, size_t n)
{
	const char *dash = memmem(s, n, " - ", 3), *p;

	if (!dash)
		return false;
	for (p = dash; p > s && p[-1] >= '0' && p[-1] <= '9'; p--)
		;
	if (p == dash)
		return false;
	if (p > s && p[-1] == '-')
		p--;
	return p > s && p[-1] == ':';
}

/*
 * Position just after the '!' of a .NET frame ("Assembly.Name!Type.<Invoke>d__6.MoveNext");
 * 0 when there is none.  The assembly goes first, as a Go package does; the dots after it
 * are the type's and stay.  Only a dotted name ([A-Za-z0-9_.-]) before the '!' and an
 * identifier after it make an assembly: C++'s "operator!=" and "operator!()", Ruby's
 * "save!" and "map!" are not.
 */
static size_t skip_assembly(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && s[i] != '!'; i++)
		if (!text_ascii_alnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' &&
		    s[i] != '-')
			return 0;
	if (i == 0 || i + 1 >= n ||
	    !(text_ascii_alnum((unsigned char)s[i + 1]) || s[i + 1] == '_') ||
	    (s[i + 1] >= '0' && s[i + 1] <= '9'))
		return 0;
	return i + 1;
}

int text_fit_name(struct buf *out, const char *name, size_t len, int maxw, bool ascii)
{
	struct buf safe = BUF_INIT;
	const char *s;
	size_t n, cut;
	int w;

	if (maxw <= 0)
		return 0;
	if (text_safe(&safe, name, len, ascii) || !safe.data) {
		buf_release(&safe);
		return 0;
	}
	s = safe.data;
	n = safe.len;
	if ((w = text_width(s, n)) > maxw) {
		cut = skip_path(s, n);
		s += cut, n -= cut;
		if (file_line_form(s, n)) {
			/* basename:LINE - function, then cut in the middle */
		} else if ((cut = skip_assembly(s, n)) > 0) {
			if (text_width(s, n) > maxw)
				s += cut, n -= cut;
		} else if ((w = text_width(s, n)) > maxw) {
			cut = skip_package(s, n);
			s += cut, n -= cut;
			if ((w = text_width(s, n)) > maxw) {
				cut = skip_receiver(s, n);
				s += cut, n -= cut;
			}
		}
	}
	w = text_middle_truncate(out, s, n, maxw, ascii);
	buf_release(&safe);
	return w;
}

size_t text_package(const char *name, const char **pkg)
{
	size_t n = strlen(name), start = skip_path(name, n), dot;

	dot = skip_package(name + start, n - start);
	*pkg = name;
	if (dot == 0)
		return start ? start : n; /* no package: whole name (or its path) */
	return start + dot - 1;
}

int text_tail_truncate(struct buf *out, const char *s, size_t n, int maxw, bool ascii)
{
	int w = text_width(s, n), pw;
	size_t l;

	if (maxw <= 0)
		return 0;
	if (w <= maxw) {
		buf_add(out, s, n);
		return w;
	}
	l = prefix_fit(s, n, maxw - 1, &pw);
	buf_add(out, s, l);
	buf_puts(out, ascii ? "~" : "\xe2\x80\xa6");
	return pw + 1;
}

int text_pad_left(struct buf *out, const char *s, int width)
{
	int w = text_width(s, strlen(s)), rc;

	while (w < width) {
		if ((rc = buf_add(out, " ", 1)))
			return rc;
		w++;
	}
	return buf_puts(out, s);
}

void text_code(struct buf *out, const char *s, size_t n, int tabw, bool ascii)
{
	size_t i = 0, start = out->len;

	if (tabw < 1)
		tabw = 1;
	while (i < n) {
		const char *tab = memchr(s + i, '\t', n - i);
		size_t seg = tab ? (size_t)(tab - (s + i)) : n - i;
		int col;

		text_safe(out, s + i, seg, ascii);
		i += seg;
		if (!tab)
			break;
		/* out->data is NULL while nothing was written (a tab first) */
		col = out->len > start ? text_width(out->data + start, out->len - start) : 0;
		do
			buf_add(out, " ", 1);
		while (++col % tabw);
		i++;
	}
}

int text_json_string(struct buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0;
	char esc[8];
	int rc = buf_add(out, "\"", 1);

	/* runs of characters that need nothing are copied whole */
	while (!rc && i < n) {
		size_t l = text_utf8_len(s + i, n - i);
		const char *rep = NULL;

		if (l == 1 && (p[i] < 0x20 || p[i] == '"' || p[i] == '\\' || p[i] == 0x7f)) {
			switch (p[i]) {
			case '"': rep = "\\\""; break;
			case '\\': rep = "\\\\"; break;
			case '\n': rep = "\\n"; break;
			case '\t': rep = "\\t"; break;
			case '\r': rep = "\\r"; break;
			default:
				snprintf(esc, sizeof(esc), "\\u%04x", p[i]);
				rep = esc;
			}
		} else if (l == 0) {
			rep = "\xef\xbf\xbd"; /* U+FFFD */
			l = 1;
		}
		if (rep) {
			if ((rc = buf_add(out, s + start, i - start)) || (rc = buf_puts(out, rep)))
				break;
			start = i + l;
		}
		i += l;
	}
	if (!rc && n > start)  /* s may be NULL when n is 0 */
		rc = buf_add(out, s + start, n - start);
	return rc ? rc : buf_add(out, "\"", 1);
}

int text_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int text_unescape(const char *s, size_t n, bool plus, struct buf *out)
{
	size_t i;

	buf_reset(out);
	if (buf_add(out, "", 0))
		return -1;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '%') {
			int h, l;

			if (i + 2 >= n || (h = text_hexval((unsigned char)s[i + 1])) < 0 ||
			    (l = text_hexval((unsigned char)s[i + 2])) < 0)
				return -1;
			c = (char)(h << 4 | l);
			i += 2;
		} else if (c == '+' && plus) {
			c = ' ';
		}
		if (buf_add(out, &c, 1))
			return -1;
	}
	return 0;
}
