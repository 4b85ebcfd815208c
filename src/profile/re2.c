/*
 * re2.c — regexes in RE2 syntax (what pprof and Prometheus, both Go, take) compiled
 * with PCRE2: what Go's regexp refuses is refused, and what PCRE2 reads otherwise is
 * rewritten to RE2's meaning (re2.h).  The rules are Go's regexp/syntax (parse.go),
 * checked case by case with regexp.Compile on Go 1.19.
 */
#include "re2.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

/* Go's cap on a repetition count, and on the product of nested ones (repeatIsValid) */
#define RE2_MAX_REPEAT 1000

/*
 * Go's parseInt in a repetition: decimal digits, no leading zero (a{01} is literal), and
 * -1 for a number too big to be a count (Go's too, which it then refuses).
 */
static size_t repeat_int(const char *s, long *out)
{
	size_t i = 0;

	*out = 0;
	if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
		return 0;
	for (; s[i] >= '0' && s[i] <= '9'; i++)  /* once too big, the rest is only read */
		*out = *out < 0 || *out >= 100000000 ? -1 : *out * 10 + (s[i] - '0');
	return i;
}

/*
 * A {n}, {n,} or {n,m} repetition at s: its length, or 0 when '{' is a literal, as Go's
 * parseRepeat reads it; *min and *max (-1: none) are its counts.
 */
static size_t repetition_len(const char *s, long *min, long *max)
{
	size_t i = 1, n;

	if (!(n = repeat_int(s + i, min)))
		return 0;
	i += n;
	*max = *min;
	if (s[i] == ',') {
		i++;
		*max = -1;
		if (s[i] != '}') {
			if (!(n = repeat_int(s + i, max)))
				return 0;
			i += n;
		}
	}
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

/* What RE2 lacks in the (? or (* at s, or NULL. */
static const char *not_re2_group(const char *s)
{
	if (s[1] == '*')
		return "a (*VERB)";
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
	return NULL;
}

/* Go's \p names: unicode.Categories, unicode.Scripts (Go 1.19) and Any, sorted (strcmp) */
static const char *const unicode_names[] = {
	"Adlam", "Ahom", "Anatolian_Hieroglyphs", "Any", "Arabic", "Armenian", "Avestan",
	"Balinese", "Bamum", "Bassa_Vah", "Batak", "Bengali", "Bhaiksuki", "Bopomofo",
	"Brahmi", "Braille", "Buginese", "Buhid", "C", "Canadian_Aboriginal", "Carian",
	"Caucasian_Albanian", "Cc", "Cf", "Chakma", "Cham", "Cherokee", "Chorasmian", "Co",
	"Common", "Coptic", "Cs", "Cuneiform", "Cypriot", "Cyrillic", "Deseret",
	"Devanagari", "Dives_Akuru", "Dogra", "Duployan", "Egyptian_Hieroglyphs",
	"Elbasan", "Elymaic", "Ethiopic", "Georgian", "Glagolitic", "Gothic", "Grantha",
	"Greek", "Gujarati", "Gunjala_Gondi", "Gurmukhi", "Han", "Hangul",
	"Hanifi_Rohingya", "Hanunoo", "Hatran", "Hebrew", "Hiragana", "Imperial_Aramaic",
	"Inherited", "Inscriptional_Pahlavi", "Inscriptional_Parthian", "Javanese",
	"Kaithi", "Kannada", "Katakana", "Kayah_Li", "Kharoshthi", "Khitan_Small_Script",
	"Khmer", "Khojki", "Khudawadi", "L", "Lao", "Latin", "Lepcha", "Limbu", "Linear_A",
	"Linear_B", "Lisu", "Ll", "Lm", "Lo", "Lt", "Lu", "Lycian", "Lydian", "M",
	"Mahajani", "Makasar", "Malayalam", "Mandaic", "Manichaean", "Marchen",
	"Masaram_Gondi", "Mc", "Me", "Medefaidrin", "Meetei_Mayek", "Mende_Kikakui",
	"Meroitic_Cursive", "Meroitic_Hieroglyphs", "Miao", "Mn", "Modi", "Mongolian",
	"Mro", "Multani", "Myanmar", "N", "Nabataean", "Nandinagari", "Nd", "New_Tai_Lue",
	"Newa", "Nko", "Nl", "No", "Nushu", "Nyiakeng_Puachue_Hmong", "Ogham", "Ol_Chiki",
	"Old_Hungarian", "Old_Italic", "Old_North_Arabian", "Old_Permic", "Old_Persian",
	"Old_Sogdian", "Old_South_Arabian", "Old_Turkic", "Oriya", "Osage", "Osmanya", "P",
	"Pahawh_Hmong", "Palmyrene", "Pau_Cin_Hau", "Pc", "Pd", "Pe", "Pf", "Phags_Pa",
	"Phoenician", "Pi", "Po", "Ps", "Psalter_Pahlavi", "Rejang", "Runic", "S",
	"Samaritan", "Saurashtra", "Sc", "Sharada", "Shavian", "Siddham", "SignWriting",
	"Sinhala", "Sk", "Sm", "So", "Sogdian", "Sora_Sompeng", "Soyombo", "Sundanese",
	"Syloti_Nagri", "Syriac", "Tagalog", "Tagbanwa", "Tai_Le", "Tai_Tham", "Tai_Viet",
	"Takri", "Tamil", "Tangut", "Telugu", "Thaana", "Thai", "Tibetan", "Tifinagh",
	"Tirhuta", "Ugaritic", "Vai", "Wancho", "Warang_Citi", "Yezidi", "Yi", "Z",
	"Zanabazar_Square", "Zl", "Zp", "Zs",
};

static int name_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

/* Go's [:name:] classes (perl_groups.go) */
static const char *const posix_names[] = {
	"alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower",
	"print", "punct", "space", "upper", "word", "xdigit",
};

/* An escape as Go's regexp reads it (parseEscape and the escapes its parser takes first). */
struct esc {
	enum { ESC_CHAR, ESC_CLASS, ESC_ASSERT, ESC_QUOTE } kind;
	size_t len;  /* of the escape's text */
	long cp;     /* ESC_CHAR: a code point to write as \x{...}; -1: the text as it is */
	char why[96];  /* what RE2 lacks, when it is refused */
};

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* \x: two hex digits, or {hex} up to U+10FFFF; its length, or 0 when Go refuses it. */
static size_t hex_escape(const char *s, long *cp)
{
	size_t i;

	*cp = 0;
	if (s[2] != '{')
		return hex_digit(s[2]) >= 0 && hex_digit(s[3]) >= 0 ?
			       (*cp = hex_digit(s[2]) * 16 + hex_digit(s[3]), 4) : 0;
	for (i = 3; hex_digit(s[i]) >= 0; i++)
		if ((*cp = *cp * 16 + hex_digit(s[i])) > 0x10FFFF)
			return 0;
	return i > 3 && s[i] == '}' ? i + 1 : 0;
}

/* \p or \P: its length, or 0 when the name is not one of Go's. */
static size_t unicode_escape(const char *s)
{
	char name[32];
	const char *n = s + 2, *end;
	size_t len;

	if (*n == '{') {
		if (!(end = strchr(n, '}')))
			return 0;
		n++;
		len = (size_t)(end - n);
		if (len && *n == '^') {  /* \p{^Greek} is \P{Greek} */
			n++;
			len--;
		}
	} else {
		end = n;
		len = (unsigned char)*n < 0x80 ? 1 : 0;
	}
	if (!len || len >= sizeof(name))
		return 0;
	memcpy(name, n, len);
	name[len] = '\0';
	if (!bsearch(name, unicode_names, sizeof(unicode_names) / sizeof(*unicode_names),
		     sizeof(*unicode_names), name_cmp))
		return 0;
	return (size_t)(end - s) + 1;
}

/* Whether the [: at s (to its :]) names one of Go's classes, [:^name:] too. */
static bool posix_class(const char *s)
{
	const char *n = s + 2 + (s[2] == '^'), *end = strstr(s + 2, ":]");
	size_t k;

	for (k = 0; k < sizeof(posix_names) / sizeof(*posix_names); k++)
		if (strlen(posix_names[k]) == (size_t)(end - n) &&
		    strncmp(posix_names[k], n, (size_t)(end - n)) == 0)
			return true;
	return false;
}

/*
 * The escape at s ('\\'), inside a class or not, as Go reads it: NULL and *e filled, or
 * what RE2 lacks (e->why).  Go refuses every escaped letter and digit it does not name.
 */
static const char *escape(const char *s, bool in_class, struct esc *e)
{
	unsigned char c = (unsigned char)s[1];
	size_t i;

	e->kind = ESC_CHAR;
	e->len = 2;
	e->cp = -1;
	switch (c) {
	case '\0':
		return "a trailing \\";
	case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		/*
		 * \0, or two or three octal digits (\101 is 'A'; PCRE2 reads \12 after 12
		 * groups as a backreference); one other digit alone is a backreference
		 */
		if (c != '0' && (s[2] < '0' || s[2] > '7'))
			return "a backreference";
		e->cp = 0;
		for (i = 1; i < 4 && s[i] >= '0' && s[i] <= '7'; i++)
			e->cp = e->cp * 8 + (s[i] - '0');
		e->len = i;
		return NULL;
	case '8': case '9': case 'g': case 'k':
		return "a backreference";
	case 'x':
		if (!(e->len = hex_escape(s, &e->cp)))
			return "\\x without two hex digits or {hex} up to 10FFFF";
		return NULL;
	case 'a': case 'f': case 'n': case 'r': case 't': case 'v':
		return NULL;
	case 'd': case 'D': case 's': case 'S': case 'w': case 'W':
		e->kind = ESC_CLASS;
		return NULL;
	case 'p': case 'P':
		e->kind = ESC_CLASS;
		if ((e->len = unicode_escape(s)))
			return NULL;
		i = s[2] == '{' && strchr(s, '}') ? (size_t)(strchr(s, '}') - s) + 1 : 3;
		snprintf(e->why, sizeof(e->why), "%.*s (not one of Go's Unicode classes)",
			 (int)(i < 40 ? i : 40), s);
		return e->why;
	case 'C':
		return "\\C (one byte)";
	case 'A': case 'b': case 'B': case 'z': case 'Q':
		e->kind = c == 'Q' ? ESC_QUOTE : ESC_ASSERT;
		if (!in_class)
			return NULL;
		snprintf(e->why, sizeof(e->why), "\\%c inside a character class", c);
		return e->why;
	default:
		if (c >= 0x80)
			return "\\ before a non-ASCII character";
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return NULL;  /* punctuation: itself */
		snprintf(e->why, sizeof(e->why), "\\%c", c);
		return e->why;
	}
}

/* RE2's \s: [\t\n\f\r ] — PCRE2's also has \v (VT); RE2's \v is VT alone, PCRE2's any vertical space. */
#define RE2_SPACE "\\t\\n\\f\\r "

static int putc_(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

/*
 * An escape Go takes, written for PCRE2: octal and hex as \x{...}, \v as VT, \s and \S as
 * RE2 has them (in a class, \S is PCRE2's plus VT: PCRE2's \s without UCP is RE2's and VT).
 */
static int put_escape(struct buf *out, const char *s, const struct esc *e, bool in_class)
{
	if (e->cp >= 0)
		return buf_printf(out, "\\x{%lx}", (unsigned long)e->cp);
	if (s[1] == 'v')
		return buf_puts(out, "\\x0B");
	if (s[1] == 's')
		return buf_puts(out, in_class ? RE2_SPACE : "[" RE2_SPACE "]");
	if (s[1] == 'S')
		return buf_puts(out, in_class ? "\\S\\x0B" : "[^" RE2_SPACE "]");
	return buf_add(out, s, e->len);
}

/*
 * The class at s ('[') to end (its ']', or the end of the text), written for PCRE2; *why
 * when Go refuses it.  Go reads '[' in a class as itself unless it opens [:name:] (PCRE2
 * reads [= and [. too), and '-' after \d or \p{..} as itself (PCRE2 refuses it).
 */
static int put_class(struct buf *out, const char *s, const char *end, const char **why,
		     struct esc *e)
{
	const char *c = s + 1, *n;
	int rc = putc_(out, '[');

	if (*c == '^')
		rc = rc ? rc : putc_(out, *c++);
	if (*c == ']')
		rc = rc ? rc : putc_(out, *c++);
	while (c < end && !rc) {
		if (c[0] == '\\') {
			if ((*why = escape(c, true, e)))
				return 0;
			rc = put_escape(out, c, e, true);
			c += e->len;
			if (e->kind != ESC_CLASS)
				continue;
		} else if (c[0] == '[' && c[1] == ':' && (n = strstr(c + 2, ":]"))) {
			if (!posix_class(c)) {
				snprintf(e->why, sizeof(e->why), "%.*s (not one of Go's classes)",
					 (int)(n + 2 - c < 40 ? n + 2 - c : 40), c);
				*why = e->why;
				return 0;
			}
			rc = buf_add(out, c, (size_t)(n + 2 - c));
			c = n + 2;
		} else if (c[0] == '[') {
			rc = buf_puts(out, "\\[");
			c++;
			continue;
		} else {
			rc = putc_(out, *c++);
			continue;
		}
		/* after a class (\d, \pL, [:alpha:]), '-' cannot start a range */
		if (c[0] == '-' && c + 1 < end && !rc) {
			rc = buf_puts(out, "\\-");
			c++;
		}
	}
	if (*end && !rc)
		rc = putc_(out, ']');
	return rc;
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

/*
 * A quantifier at s (*, +, ? or a repetition Go takes), after a quantifier or not (q: 1
 * right after one, 2 after its lazy '?'): NULL and its length, or what RE2 lacks.  Go
 * refuses a quantifier on a quantifier (a**, a{2}{3}, a*??) and counts over 1000; last is
 * the largest product of nested counts in what it repeats (Go caps that at 1000 too),
 * and becomes the product with this one.
 */
static const char *quantifier(const char *s, int q, size_t *len, uint32_t *last, struct esc *e)
{
	long min = 0, max = 0, k;

	*len = 1;
	if (s[0] == '{' && !(*len = repetition_len(s, &min, &max)))
		return NULL;  /* not a quantifier: the caller writes '{' */
	if (q == 1 && s[0] == '?')
		return NULL;  /* lazy */
	if (q == 1 && s[0] == '+')
		return "a possessive quantifier";
	if (q) {
		snprintf(e->why, sizeof(e->why), "a quantifier on a quantifier (%.*s)",
			 (int)(*len < 20 ? *len : 20), s);
		return e->why;
	}
	if (s[0] != '{')
		return NULL;
	k = max >= 0 ? max : min;
	if (min < 0 || min > RE2_MAX_REPEAT || max > RE2_MAX_REPEAT || (max >= 0 && min > max)) {
		snprintf(e->why, sizeof(e->why), "%.*s (a count over %d or out of order)",
			 (int)(*len < 30 ? *len : 30), s, RE2_MAX_REPEAT);
		return e->why;
	}
	if (k > 0 && *last * (uint32_t)k > RE2_MAX_REPEAT) {
		snprintf(e->why, sizeof(e->why), "%.*s on a repetition (nested counts over %d)",
			 (int)(*len < 30 ? *len : 30), s, RE2_MAX_REPEAT);
		return e->why;
	}
	if (k > 0)
		*last *= (uint32_t)k;
	else if (max == 0)
		*last = 1;  /* x{0} matches nothing of x: Go's repeatIsValid looks no further */
	return NULL;
}

int re2_to_pcre(const char *re, struct buf *out)
{
	const char *s = re, *why = NULL, *e;
	struct esc esc;
	int q = 0;       /* 1: the previous token was a quantifier, 2: its lazy '?' */
	bool m = false;  /* (?m) is on: `$` is before a newline too */
	bool outer[RE2_MAX_DEPTH];  /* m of the enclosing groups */
	/* the largest product of nested repetition counts in each open group, and in the last atom */
	uint32_t inner[RE2_MAX_DEPTH + 1] = { 1 }, last = 1;
	size_t depth = 0, n;
	int rc = 0;

	buf_reset(out);
	while (*s && !why && !rc) {
		if ((s[0] == '*' || s[0] == '+' || s[0] == '?' || s[0] == '{') &&
		    ((why = quantifier(s, q, &n, &last, &esc)) || s[0] != '{' || n > 1)) {
			if (why)
				break;
			/* a lazy ? after a quantifier is RE2 too; a quantifier after it is not */
			q = q == 1 && s[0] == '?' ? 2 : 1;
			rc = buf_add(out, s, n);
			s += n;
			continue;
		}
		q = 0;
		/* the atom before, with its quantifiers (x{0}: 1) counts in its group */
		if (inner[depth] < last)
			inner[depth] = last;
		last = 1;
		if ((s[0] == '(' && (s[1] == '*' || s[1] == '?')) && (why = not_re2_group(s)))
			break;
		if (s[0] == '\\' && (why = escape(s, false, &esc)))
			break;
		if (s[0] == '\\' && esc.kind == ESC_QUOTE) {  /* \Q...\E is literal */
			e = strstr(s + 2, "\\E");
			e = e ? e + 2 : s + strlen(s);
			rc = buf_add(out, s, (size_t)(e - s));
			s = e;
		} else if (s[0] == '\\') {
			rc = put_escape(out, s, &esc, false);
			s += esc.len;
		} else if (s[0] == '[') {
			const char *end = class_end(s);

			if (!end)
				end = s + strlen(s);
			rc = put_class(out, s, end, &why, &esc);
			s = *end ? end + 1 : end;
		} else if (s[0] == '{') {  /* a literal, which PCRE2 10.43 reads {,n} as a repetition */
			rc = buf_puts(out, "\\{");
			s++;
		} else if (s[0] == '(') {
			/* (?m) holds to the end of its group, (?m:...) inside it (as in RE2) */
			bool inside = m;

			n = 1;
			if (s[1] == '?' && s[2] == ':')
				n = 3;
			else if (s[1] == '?' && (s[2] == 'P' || s[2] == '<'))
				n = strchr(s, '>') ? (size_t)(strchr(s, '>') - s) + 1 : 1;
			else if (s[1] == '?')
				n = flags_len(s, &inside);
			if (n > 1 && s[n - 1] == ')') {
				m = inside;
			} else {
				if (depth == RE2_MAX_DEPTH)
					return err_set(ERR_PARSE, "'%.200s' nests groups deeper than %d",
						       re, RE2_MAX_DEPTH);
				outer[depth++] = m;
				inner[depth] = 1;
				m = inside;
			}
			rc = buf_add(out, s, n);
			s += n;
		} else if (s[0] == ')') {
			if (depth) {
				m = outer[--depth];
				last = inner[depth + 1];
			}
			rc = putc_(out, *s++);
		} else if (s[0] == '$') {
			/* RE2's $ is the end of the text, or with (?m) of a line; PCRE2's $ without
			 * (?m) would also match before a last newline */
			rc = buf_puts(out, m ? "$" : "\\z");
			s++;
		} else {
			rc = putc_(out, *s++);
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
