/*
 * re2.c — regexes in RE2 syntax (what pprof and Prometheus, both Go, take) compiled
 * with PCRE2: what RE2 lacks is refused, and the escapes PCRE2 reads otherwise are
 * rewritten to RE2's meaning (re2.h).
 */
#include "re2.h"

#include <stdbool.h>
#include <string.h>

#include "base/err.h"

/* The length of a {n}, {n,} or {n,m} repetition at s, or 0 when '{' is a literal. */
static size_t repetition_len(const char *s)
{
	size_t i = 1;

	if (!(s[i] >= '0' && s[i] <= '9'))
		return 0;
	while (s[i] >= '0' && s[i] <= '9')
		i++;
	if (s[i] == ',')
		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			;
	return s[i] == '}' ? i + 1 : 0;
}

/* The end of the character class that starts at s ('['), or NULL when it does not end. */
static const char *class_end(const char *s)
{
	s++;
	if (*s == '^')
		s++;
	if (*s == ']')  /* a leading ] is literal */
		s++;
	for (; *s; s++) {
		if (*s == '\\' && s[1])
			s++;
		else if (*s == '[' && s[1] == ':' && strstr(s + 2, ":]"))
			s = strstr(s + 2, ":]") + 1;
		else if (*s == ']')
			return s;
	}
	return NULL;
}

/*
 * Whether the "(?" at s opens a group RE2 has: (?P<name>, (?<name> (Go's regexp has it
 * since 1.22; PCRE2 checks the name), or flags among i, m, s and U with at most one '-'
 * followed by one at least, then ':' (a group) or ')' (for the rest of the group).
 */
static bool re2_group(const char *s)
{
	const char *t = s + 2;
	bool minus = false, flag = false;

	if ((t[0] == 'P' && t[1] == '<') || t[0] == '<')
		return true;
	for (;; t++) {
		if (*t && strchr("imsU", *t)) {
			flag = true;
		} else if (*t == '-' && !minus) {
			minus = true;
			flag = false;
		} else {
			return (*t == ':' || *t == ')') && (!minus || flag);
		}
	}
}

/* What RE2 lacks at s, or NULL: s is just after a construct (quantified: q). */
static const char *not_re2(const char *s, bool q)
{
	if (s[0] == '\\') {
		if (s[1] >= '1' && s[1] <= '9')
			return "a backreference";
		if (s[1] == 'g' || s[1] == 'k')
			return "a backreference";
		if (s[1] == 'C')
			return "\\C (one byte)";
		if (s[1] && strchr("hHVRNKXGZc", s[1]))
			return s[1] == 'h' ? "\\h" : s[1] == 'H' ? "\\H" : s[1] == 'V' ? "\\V" :
			       s[1] == 'R' ? "\\R" : s[1] == 'N' ? "\\N" : s[1] == 'K' ? "\\K" :
			       s[1] == 'X' ? "\\X" : s[1] == 'G' ? "\\G" : s[1] == 'Z' ? "\\Z" : "\\c";
		return NULL;
	}
	if (s[0] == '(' && s[1] == '*')
		return "a (*VERB)";
	if (s[0] == '(' && s[1] == '?') {
		if (s[2] == '=' || s[2] == '!' || (s[2] == '<' && (s[3] == '=' || s[3] == '!')))
			return "lookaround";
		if (s[2] == '>')
			return "an atomic group";
		if (s[2] == '|')
			return "a branch reset";
		if (s[2] == '(')
			return "a conditional";
		if (s[2] == 'R' || s[2] == '&' || (s[2] >= '0' && s[2] <= '9') || s[2] == '+' ||
		    (s[2] == '-' && s[3] >= '0' && s[3] <= '9') || (s[2] == 'P' && (s[3] == '>' || s[3] == '=')))
			return "recursion";
		if (!re2_group(s))
			return "a (? form other than (?:, (?P<name> and the flags i, m, s, U";
	}
	if (q && s[0] == '+')
		return "a possessive quantifier";
	return NULL;
}

/* RE2's \s: [\t\n\f\r ] — PCRE2's also has \v (VT); RE2's \v is VT alone, PCRE2's any vertical space. */
#define RE2_SPACE "\\t\\n\\f\\r "

static int putc_(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

/* Groups nested deeper are refused (PCRE2's own limit is 250). */
#define RE2_MAX_DEPTH 256

/*
 * The (?flags) or (?flags: at s, a group re2_group() took: its length, and whether it
 * turns m on (*m = true) or off (false) — *m is left as it is when m is not named.
 */
static size_t flags_len(const char *s, bool *m)
{
	size_t i = 2;
	bool minus = false;

	for (; s[i] != ':' && s[i] != ')'; i++) {
		if (s[i] == '-')
			minus = true;
		else if (s[i] == 'm')
			*m = !minus;
	}
	return i + 1;
}

int re2_to_pcre(const char *re, struct buf *out)
{
	const char *s = re, *why = NULL, *e;
	bool q = false;  /* the previous token was a quantifier */
	bool m = false;  /* (?m) is on: `$` is before a newline too */
	bool outer[RE2_MAX_DEPTH];  /* m of the enclosing groups */
	size_t depth = 0;
	int rc = 0;

	buf_reset(out);
	while (*s && !why && !rc) {
		if ((why = not_re2(s, q)))
			break;
		if (s[0] == '\\' && s[1] == 'Q') {  /* \Q...\E is literal */
			e = strstr(s + 2, "\\E");
			e = e ? e + 2 : s + strlen(s);
			rc = buf_add(out, s, (size_t)(e - s));
			s = e;
			q = false;
		} else if (s[0] == '\\') {
			if (s[1] == 'v')
				rc = buf_puts(out, "\\x0B");
			else if (s[1] == 's')
				rc = buf_puts(out, "[" RE2_SPACE "]");
			else if (s[1] == 'S')
				rc = buf_puts(out, "[^" RE2_SPACE "]");
			else
				rc = buf_add(out, s, s[1] ? 2 : 1);
			s += s[1] ? 2 : 1;
			q = false;
		} else if (s[0] == '[') {
			const char *end = class_end(s), *c = s + 1;

			if (!end)
				end = s + strlen(s);
			rc = putc_(out, '[');
			if (*c == '^')
				rc = rc ? rc : putc_(out, *c++);
			if (*c == ']')
				rc = rc ? rc : putc_(out, *c++);
			while (c < end && !rc && !why) {
				if (c[0] == '\\' && (c[1] == 'v' || c[1] == 's')) {
					rc = buf_puts(out, c[1] == 'v' ? "\\x0B" : RE2_SPACE);
					c += 2;
				} else if (c[0] == '\\' && c[1] == 'S') {
					why = "\\S inside a character class";
				} else if (c[0] == '\\' && (why = not_re2(c, false))) {
					break;
				} else if (c[0] == '[' && c[1] == ':' && strstr(c + 2, ":]")) {
					e = strstr(c + 2, ":]") + 2;
					rc = buf_add(out, c, (size_t)(e - c));
					c = e;
				} else {
					rc = buf_add(out, c, c[0] == '\\' && c[1] ? 2 : 1);
					c += c[0] == '\\' && c[1] ? 2 : 1;
				}
			}
			if (*end && !rc && !why)
				rc = putc_(out, ']');
			s = *end ? end + 1 : end;
			q = false;
		} else if (s[0] == '{' && repetition_len(s)) {
			rc = buf_add(out, s, repetition_len(s));
			s += repetition_len(s);
			q = true;
		} else if (s[0] == '*' || s[0] == '+' || s[0] == '?') {
			/* a lazy ? after a quantifier is RE2 too; a quantifier after it is not */
			q = !(q && s[0] == '?');
			rc = putc_(out, *s++);
		} else if (s[0] == '(') {
			/* (?m) holds to the end of its group, (?m:...) inside it (as in RE2) */
			bool inner = m;
			size_t n = 1;

			if (s[1] == '?' && s[2] != 'P' && s[2] != '<' && s[2] != ':')
				n = flags_len(s, &inner);
			if (n > 1 && s[n - 1] == ')') {
				m = inner;
			} else {
				if (depth == RE2_MAX_DEPTH)
					return err_set(ERR_PARSE, "'%.200s' nests groups deeper than %d",
						       re, RE2_MAX_DEPTH);
				outer[depth++] = m;
				m = inner;
			}
			rc = buf_add(out, s, n);
			s += n;
			q = false;
		} else if (s[0] == ')') {
			if (depth)
				m = outer[--depth];
			rc = putc_(out, *s++);
			q = false;
		} else if (s[0] == '$') {
			/* RE2's $ is the end of the text, or with (?m) of a line; PCRE2's $ without
			 * (?m) would also match before a last newline */
			rc = buf_puts(out, m ? "$" : "\\z");
			s++;
			q = false;
		} else {
			rc = putc_(out, *s++);
			q = false;
		}
	}
	if (rc)
		return rc;
	if (why)
		return err_set(ERR_PARSE, "'%.200s' uses %s, which RE2 syntax (pprof's) does not "
					  "have", re, why);
	if (!out->data)
		rc = buf_puts(out, "");
	return rc;
}
