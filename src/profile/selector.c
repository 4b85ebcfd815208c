/*
 * selector.c — parsing, matching and printing Prometheus label selectors (selector.h).
 *
 * A hand-written recursive-descent parser over the bytes; regexes are compiled once
 * with PCRE2 (anchored at both ends, UTF mode, JIT when available).  A value that is not
 * valid UTF-8 is matched with each invalid byte read as U+FFFD, as RE2 reads it, so
 * =~".*" still matches it.  Where PCRE2 gives up backtracking, search_regex_test()
 * asks its DFA (search.h), so no limit turns into a wrong answer for =~ or !~.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "selector.h"

#include <ctype.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/text.h"
#include "base/vec.h"
#include "re2.h"
#include "search.h"

struct parser {
	const char *s;
	size_t len, pos;
};

const char *match_op_str(enum match_op op)
{
	switch (op) {
	case MATCH_EQ: return "=";
	case MATCH_NE: return "!=";
	case MATCH_RE: return "=~";
	case MATCH_NRE: return "!~";
	}
	return "?";
}

int selector_new(struct selector **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : err_set(ERR_NOMEM, "out of memory");
}

static void matcher_release(struct matcher *m)
{
	free(m->name);
	free(m->value);
	if (m->md)
		pcre2_match_data_free(m->md);
	if (m->re)
		pcre2_code_free(m->re);
}

void selector_free(struct selector *sel)
{
	size_t i;

	if (!sel)
		return;
	for (i = 0; i < sel->n; i++)
		matcher_release(&sel->m[i]);
	free(sel->m);
	free(sel);
}

/* Compiles m->value; the message names the regex (the caller adds the offset). */
static int compile(struct matcher *m)
{
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *re;
	struct buf pat = BUF_INIT;

	/* Prometheus's regexes are Go's (RE2): PCRE-only syntax refused, \s \v as RE2 reads them */
	if ((errcode = re2_to_pcre(m->value, &pat))) {
		buf_release(&pat);
		return errcode == ERR_PARSE ? err_prefix(errcode, "bad regex") : errcode;
	}
	re = pcre2_compile((PCRE2_SPTR)pat.data, pat.len,
			   RE2_PCRE2_OPTIONS | PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED |
				   PCRE2_DOTALL,
			   &errcode, &erroff, NULL);
	buf_release(&pat);
	if (!re) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		return err_set(ERR_PARSE, "bad regex '%.200s': %s at offset %zu", m->value,
			       (const char *)msg, (size_t)erroff);
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* optional: interpreted when it fails */
	m->md = pcre2_match_data_create_from_pattern(re, NULL);
	if (!m->md) {
		pcre2_code_free(re);
		return err_set(ERR_NOMEM, "out of memory");
	}
	m->re = re;
	return 0;
}

int selector_add(struct selector *sel, const char *name, enum match_op op, const char *value)
{
	struct matcher m = { 0 };
	int rc;

	if (sel->n >= SELECTOR_MAX_MATCHERS)
		return err_set(ERR_TOOBIG, "more than %d matchers", SELECTOR_MAX_MATCHERS);
	m.op = op;
	m.name = strdup(name);
	m.value = strdup(value);
	if (!m.name || !m.value) {
		matcher_release(&m);
		return err_set(ERR_NOMEM, "out of memory");
	}
	if ((op == MATCH_RE || op == MATCH_NRE) && (rc = compile(&m))) {
		matcher_release(&m);
		return rc;
	}
	if ((rc = vec_reserve(&sel->m, &sel->cap, sel->n + 1))) {
		matcher_release(&m);
		return rc;
	}
	sel->m[sel->n++] = m;
	return 0;
}

static int perr(const struct parser *p, const char *what)
{
	return err_set(ERR_PARSE, "selector: offset %zu: %s", p->pos, what);
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len && isspace((unsigned char)p->s[p->pos]))
		p->pos++;
}

static bool name_start(int c)
{
	return isalpha(c) || c == '_';
}

static bool name_char(int c)
{
	return isalnum(c) || c == '_' || c == '.';
}

static int put_utf8(struct buf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_add(b, u, n);
}

/* A quoted string at p->pos (", ' or `) into out; p->pos moves past it. */
static int parse_string(struct parser *p, struct buf *out)
{
	char q = p->s[p->pos];
	size_t start = p->pos;
	int rc;

	buf_reset(out);
	if ((rc = buf_add(out, "", 0)))
		return rc;
	p->pos++;
	while (p->pos < p->len && p->s[p->pos] != q) {
		char c = p->s[p->pos];

		if (c == '\\' && q != '`') {
			char e;
			int i, n, v = 0, d;

			if (p->pos + 1 >= p->len)
				break;
			e = p->s[++p->pos];
			p->pos++;
			switch (e) {
			case 'a': c = '\a'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'v': c = '\v'; break;
			case '\\': c = '\\'; break;
			case '\'': case '"': c = e; break;
			case 'x': case 'u': case 'U':
				n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
				for (i = 0; i < n; i++) {
					if (p->pos >= p->len || (d = text_hexval((unsigned char)p->s[p->pos])) < 0)
						return perr(p, "bad hexadecimal escape");
					v = (int)(((uint32_t)v << 4) | (uint32_t)d);
					p->pos++;
				}
				if (e != 'x') {
					if ((uint32_t)v > 0x10ffff || (v >= 0xd800 && v < 0xe000))
						return perr(p, "escape is not a valid Unicode code point");
					if ((rc = put_utf8(out, (uint32_t)v)))
						return rc;
					continue;
				}
				c = (char)v;
				break;
			default:
				if (e >= '0' && e <= '7') {
					v = e - '0';
					for (i = 0; i < 2; i++) {
						if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '7')
							return perr(p, "octal escape needs three digits");
						v = v * 8 + (p->s[p->pos++] - '0');
					}
					if (v > 255)
						return perr(p, "octal escape out of range");
					c = (char)v;
					break;
				}
				p->pos -= 2;
				return perr(p, "unknown escape sequence");
			}
			if ((rc = buf_add(out, &c, 1)))
				return rc;
			continue;
		}
		if (c == '\n' && q != '`')
			return perr(p, "line break inside a quoted string");
		if ((rc = buf_add(out, &c, 1)))
			return rc;
		p->pos++;
	}
	if (p->pos >= p->len) {
		p->pos = start;
		return perr(p, "unterminated quoted string");
	}
	p->pos++;
	if (memchr(out->data, '\0', out->len))
		return perr(p, "a NUL byte in a string");
	return 0;
}

static int parse_name(struct parser *p, struct buf *out)
{
	size_t start = p->pos;

	if (p->pos < p->len && (p->s[p->pos] == '"' || p->s[p->pos] == '\'' || p->s[p->pos] == '`'))
		return parse_string(p, out);
	if (p->pos >= p->len || !name_start((unsigned char)p->s[p->pos]))
		return perr(p, "expected a label name");
	while (p->pos < p->len && name_char((unsigned char)p->s[p->pos]))
		p->pos++;
	buf_reset(out);
	return buf_add(out, p->s + start, p->pos - start);
}

static int parse_matcher(struct parser *p, struct selector *sel, struct buf *name,
			 struct buf *value)
{
	enum match_op op;
	size_t at;
	int rc;

	if ((rc = parse_name(p, name)))
		return rc;
	skip_ws(p);
	if (p->pos + 1 < p->len && p->s[p->pos] == '=' && p->s[p->pos + 1] == '~') {
		op = MATCH_RE;
		p->pos += 2;
	} else if (p->pos + 1 < p->len && p->s[p->pos] == '!' && p->s[p->pos + 1] == '~') {
		op = MATCH_NRE;
		p->pos += 2;
	} else if (p->pos + 1 < p->len && p->s[p->pos] == '!' && p->s[p->pos + 1] == '=') {
		op = MATCH_NE;
		p->pos += 2;
	} else if (p->pos < p->len && p->s[p->pos] == '=') {
		op = MATCH_EQ;
		p->pos++;
	} else {
		return err_set(ERR_PARSE, "selector: offset %zu: expected '=', '!=', '=~' or '!~' after '%.100s'",
			       p->pos, name->data);
	}
	skip_ws(p);
	if (p->pos >= p->len || (p->s[p->pos] != '"' && p->s[p->pos] != '\'' && p->s[p->pos] != '`'))
		return perr(p, "expected a quoted value");
	at = p->pos;
	if ((rc = parse_string(p, value)))
		return rc;
	if ((rc = selector_add(sel, name->data, op, value->data)))
		return err_prefix(rc, "selector: offset %zu", at);
	return 0;
}

int selector_parse(const char *s, struct selector **out)
{
	struct parser p = { s, strlen(s), 0 };
	struct buf name = BUF_INIT, value = BUF_INIT;
	struct selector *sel = NULL;
	int rc;

	*out = NULL;
	if (p.len > SELECTOR_MAX_LEN)
		return err_set(ERR_TOOBIG, "selector: longer than %d bytes", SELECTOR_MAX_LEN);
	if ((rc = selector_new(&sel)))
		return rc;
	skip_ws(&p);
	if (p.pos < p.len && p.s[p.pos] != '{') {
		/* metric name: [A-Za-z_:][A-Za-z0-9_:]* (a profile type ID has ':') */
		size_t start = p.pos;

		while (p.pos < p.len && (isalnum((unsigned char)p.s[p.pos]) || p.s[p.pos] == '_' ||
					 p.s[p.pos] == ':' || p.s[p.pos] == '.'))
			p.pos++;
		if (p.pos == start || isdigit((unsigned char)p.s[start])) {
			p.pos = start;
			rc = perr(&p, "expected '{' or a metric name");
			goto done;
		}
		buf_reset(&value);
		if ((rc = buf_add(&value, s + start, p.pos - start)) ||
		    (rc = selector_add(sel, memchr(value.data, ':', value.len) ? "__profile_type__" :
										"__name__",
				       MATCH_EQ, value.data)))
			goto done;
		skip_ws(&p);
		if (p.pos == p.len)
			goto done;
	}
	if (p.pos == p.len)
		goto done;
	if (p.s[p.pos] != '{') {
		rc = perr(&p, "expected '{'");
		goto done;
	}
	p.pos++;
	skip_ws(&p);
	while (p.pos < p.len && p.s[p.pos] != '}') {
		if ((rc = parse_matcher(&p, sel, &name, &value)))
			goto done;
		skip_ws(&p);
		if (p.pos < p.len && p.s[p.pos] == ',') {
			p.pos++;
			skip_ws(&p);
		} else if (p.pos < p.len && p.s[p.pos] != '}') {
			rc = perr(&p, "expected ',' or '}'");
			goto done;
		}
	}
	if (p.pos >= p.len) {
		rc = perr(&p, "missing '}'");
		goto done;
	}
	p.pos++;
	skip_ws(&p);
	if (p.pos < p.len)
		rc = perr(&p, "unexpected text after '}'");
done:
	buf_release(&name);
	buf_release(&value);
	if (rc) {
		selector_free(sel);
		return rc;
	}
	*out = sel;
	return 0;
}

int matcher_test(const struct matcher *m, const char *value, size_t len)
{
	int rc;

	switch (m->op) {
	case MATCH_EQ:
		return strlen(m->value) == len && memcmp(m->value, value, len) == 0;
	case MATCH_NE:
		return !(strlen(m->value) == len && memcmp(m->value, value, len) == 0);
	case MATCH_RE:
	case MATCH_NRE:
		/* falling back to the DFA where PCRE2 gives up backtracking; its error stands */
		rc = search_regex_test(m->re, m->md, m->value, value, len);
		if (rc < 0)
			return rc;
		return (rc == 1) == (m->op == MATCH_RE);
	}
	return 0;
}

int selector_test(const struct selector *sel, const struct labelset *ls)
{
	size_t i;
	int rc;

	for (i = 0; sel && i < sel->n; i++) {
		const char *v = labelset_get(ls, sel->m[i].name);

		if ((rc = matcher_test(&sel->m[i], v ? v : "", v ? strlen(v) : 0)) <= 0)
			return rc;
	}
	return 1;
}

const struct matcher *selector_find(const struct selector *sel, const char *name)
{
	size_t i;

	for (i = 0; sel && i < sel->n; i++)
		if (strcmp(sel->m[i].name, name) == 0)
			return &sel->m[i];
	return NULL;
}

bool selector_raw_ok(const char *v, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i += k) {
		unsigned char c = (unsigned char)v[i];

		if (c == '`' || c < 0x20 || c == 0x7f || !(k = text_utf8_len(v + i, n - i)))
			return false;
	}
	return true;
}

int selector_escape(struct buf *out, const char *v, size_t n, char q)
{
	size_t i, k;
	int rc = 0;

	if (q == '`') {
		if (!selector_raw_ok(v, n))
			return err_set(ERR_UNSUPPORTED, "a value with a backtick, a control character "
				       "or invalid UTF-8 cannot be written between backticks");
		return buf_add(out, v, n);
	}
	for (i = 0; !rc && i < n; i += k) {
		unsigned char c = (unsigned char)v[i];

		k = 1;
		if (c == (unsigned char)q || c == '\\')
			rc = buf_printf(out, "\\%c", c);
		else if (c == '\n')
			rc = buf_puts(out, "\\n");
		else if (c == '\t')
			rc = buf_puts(out, "\\t");
		else if (c == '\r')
			rc = buf_puts(out, "\\r");
		else if (c >= 0x20 && c != 0x7f && (k = text_utf8_len(v + i, n - i)))
			rc = buf_add(out, v + i, k);
		else {  /* another control character, or a byte that is not UTF-8: \xNN is that byte */
			rc = buf_printf(out, "\\x%02x", c);
			k = 1;
		}
	}
	return rc;
}

static int put_quoted(struct buf *out, const char *s)
{
	int rc;

	if ((rc = buf_add(out, "\"", 1)) || (rc = selector_escape(out, s, strlen(s), '"')))
		return rc;
	return buf_add(out, "\"", 1);
}

int selector_format(const struct selector *sel, struct buf *out)
{
	size_t i;
	int rc = buf_add(out, "{", 1);

	for (i = 0; !rc && sel && i < sel->n; i++) {
		const char *n = sel->m[i].name, *c;
		bool plain = name_start((unsigned char)*n);

		for (c = n; *c && plain; c++)
			plain = name_char((unsigned char)*c);
		if ((i && (rc = buf_add(out, ",", 1))) ||
		    (rc = plain ? buf_puts(out, n) : put_quoted(out, n)) ||
		    (rc = buf_puts(out, match_op_str(sel->m[i].op))) ||
		    (rc = put_quoted(out, sel->m[i].value)))
			return rc;
	}
	return rc ? rc : buf_add(out, "}", 1);
}
