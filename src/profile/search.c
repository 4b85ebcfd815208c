/* search.c — PCRE2 matching of frame names, and its DFA fallback (see search.h). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "search.h"

#include <pcre2.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/text.h"
#include "re2.h"

static bool valid_utf8(const char *s)
{
	size_t n = strlen(s), i = 0, k;

	while (i < n) {
		if (!(k = text_utf8_len(s + i, n - i)))
			return false;
		i += k;
	}
	return true;
}

int search_compile(struct search *s, const char *pattern)
{
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *re;
	struct buf pat = BUF_INIT;

	memset(s, 0, sizeof(*s));
	/*
	 * UTF mode when the pattern is UTF-8 (`.` is a character; a name with invalid bytes
	 * is matched with each of them read as U+FFFD, as Go's regexp reads it, by both
	 * engines: not PCRE2_MATCH_INVALID_UTF, under which such a byte matches nothing,
	 * and which the DFA lacks).  A pattern that is not, such as the quoted name of a
	 * frame with invalid bytes (f, x, -, # on it), is matched byte for byte: in UTF mode
	 * it is refused, and no pattern could match those bytes anyway.
	 */
	if ((errcode = re2_to_pcre(pattern, &pat))) {  /* RE2 syntax, as pprof reads it */
		buf_release(&pat);
		return errcode;
	}
	re = pcre2_compile((PCRE2_SPTR)pat.data, pat.len,
			   RE2_PCRE2_OPTIONS |
				   (valid_utf8(pattern) ? PCRE2_UTF : 0),
			   &errcode, &erroff, NULL);
	buf_release(&pat);
	if (!re) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		return err_set(ERR_PARSE, "bad regex at offset %zu: %s", (size_t)erroff, (char *)msg);
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	s->code = re;
	if (!(s->pattern = strdup(pattern))) {
		search_release(s);
		return err_set(ERR_NOMEM, "out of memory (search)");
	}
	return 0;
}

/* value with every byte that is not part of valid UTF-8 replaced by U+FFFD (Go's reading). */
static int repair_utf8(const char *value, size_t len, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)value, *end = p + len;
	int rc = buf_puts(out, "");

	while (p < end && !rc) {
		unsigned char c = *p;
		size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
		           (c & 0xf8) == 0xf0 ? 4 : 0;
		uint32_t cp = n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;
		size_t i;
		bool ok = n > 0 && (size_t)(end - p) >= n;

		for (i = 1; ok && i < n; i++) {
			ok = (p[i] & 0xc0) == 0x80;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		/* no overlong forms, surrogates or values past U+10FFFF */
		if (ok && n > 1)
			ok = !((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
			       (cp >= 0xd800 && cp < 0xe000) || cp > 0x10ffff);
		if (ok) {
			rc = buf_add(out, p, n);
			p += n;
		} else {
			rc = buf_add(out, "\xef\xbf\xbd", 3);
			p++;
		}
	}
	return rc;
}

static bool utf_error(int rc)
{
	return rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21;
}

/*
 * The DFA's bounds.  Its cost per subject byte grows with the square of its live states
 * (it looks for duplicates among them), so their number is capped, and the states it
 * visits are counted through auto-callouts: about a second of the worst patterns.
 */
#define DFA_MAX_STATES 1024
#define DFA_MAX_STEPS  (2 * 1000 * 1000)
/* two lists of states of 3 ints each, and 2 ints of header (pcre2_dfa_match.c) */
#define DFA_WSCOUNT    (6 * DFA_MAX_STATES + 2)

static int dfa_step(pcre2_callout_block *cb, void *data)
{
	uint32_t *left = data;

	(void)cb;
	if (!*left)
		return PCRE2_ERROR_MATCHLIMIT;
	--*left;
	return 0;
}

/*
 * Matches str against re (the RE2 text behind code) with pcre2_dfa_match(): compiled
 * again with code's options, less PCRE2_MATCH_INVALID_UTF (the DFA does not have it: an
 * invalid subject is repaired instead) and with PCRE2_AUTO_CALLOUT for the step count.
 */
static int dfa_test(const pcre2_code *code, const char *re, const char *str, size_t len)
{
	struct buf pat = BUF_INIT, fixed = BUF_INIT;
	pcre2_code *dfa = NULL;
	pcre2_match_data *md = NULL;
	pcre2_match_context *mc = NULL;
	int *ws = NULL, errcode, rc;
	uint32_t options = 0, left = DFA_MAX_STEPS;
	PCRE2_SIZE erroff;

	pcre2_pattern_info(code, PCRE2_INFO_ARGOPTIONS, &options);
	options = (options & ~(uint32_t)PCRE2_MATCH_INVALID_UTF) | PCRE2_AUTO_CALLOUT;
	if ((rc = re2_to_pcre(re, &pat)))
		goto done;
	/*
	 * Unanchored, the DFA starts again at every byte (quadratic in the subject).  As RE2
	 * searches: one anchored pass with a leading (?s:.)* (\E: the pattern may end in \Q).
	 */
	if (!(options & PCRE2_ANCHORED)) {
		struct buf wrapped = BUF_INIT;

		if ((rc = buf_puts(&wrapped, "(?s:.)*(?:")) ||
		    (rc = buf_add(&wrapped, pat.data, pat.len)) || (rc = buf_puts(&wrapped, "\\E)"))) {
			buf_release(&wrapped);
			goto done;
		}
		buf_release(&pat);
		pat = wrapped;
		options |= PCRE2_ANCHORED;
	}
	dfa = pcre2_compile((PCRE2_SPTR)pat.data, pat.len, options, &errcode, &erroff, NULL);
	md = pcre2_match_data_create(1, NULL);
	mc = pcre2_match_context_create(NULL);
	if (!dfa) {
		/* it compiled once; wrapped for the DFA it may be too large (a{1000}-like) */
		PCRE2_UCHAR msg[160];

		if (pcre2_get_error_message(errcode, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", errcode);
		rc = err_set(ERR_PARSE, "regex '%.200s' cannot be matched: %s", re, (char *)msg);
		goto done;
	}
	if (!md || !mc) {
		rc = err_set(ERR_NOMEM, "out of memory (regex '%.200s')", re);
		goto done;
	}
	pcre2_set_callout(mc, dfa_step, &left);
	/*
	 * One workspace of the largest size: a smaller one that overflows would be retried
	 * from the start, paying again for the states it had
	 */
	if (!(ws = malloc(DFA_WSCOUNT * sizeof(*ws)))) {
		rc = err_set(ERR_NOMEM, "out of memory (regex '%.200s')", re);
		goto done;
	}
	rc = pcre2_dfa_match(dfa, (PCRE2_SPTR)str, len, 0, PCRE2_DFA_SHORTEST, md, mc, ws,
			     DFA_WSCOUNT);
	if (utf_error(rc)) {  /* the DFA has no PCRE2_MATCH_INVALID_UTF: read as Go does */
		if ((rc = repair_utf8(str, len, &fixed)))
			goto done;
		rc = pcre2_dfa_match(dfa, (PCRE2_SPTR)fixed.data, fixed.len, 0, PCRE2_DFA_SHORTEST,
				     md, mc, ws, DFA_WSCOUNT);
	}
	if (rc >= 0)
		rc = 1;
	else if (rc == PCRE2_ERROR_NOMATCH)
		rc = 0;
	else
		rc = err_set(ERR_TOOBIG, "regex '%.200s' is too complex: PCRE2 gives up backtracking "
					 "and its DFA passes %d states or %d steps",
			     re, DFA_MAX_STATES, DFA_MAX_STEPS);
done:
	free(ws);
	pcre2_match_context_free(mc);
	pcre2_match_data_free(md);
	pcre2_code_free(dfa);
	buf_release(&fixed);
	buf_release(&pat);
	return rc;
}

int search_regex_test(const void *code, void *md, const char *re, const char *str, size_t len)
{
	pcre2_match_data *own = NULL;
	struct buf fixed = BUF_INIT;
	int rc;

	if (!md && !(md = own = pcre2_match_data_create_from_pattern(code, NULL)))
		return err_set(ERR_NOMEM, "out of memory (regex '%.200s')", re);
	rc = pcre2_match(code, (PCRE2_SPTR)str, len, 0, 0, md, NULL);
	if (utf_error(rc)) {  /* UTF mode without PCRE2_MATCH_INVALID_UTF */
		if ((rc = repair_utf8(str, len, &fixed)))
			goto done;
		str = fixed.data;
		len = fixed.len;
		rc = pcre2_match(code, (PCRE2_SPTR)str, len, 0, 0, md, NULL);
	}
	if (rc >= 0)
		rc = 1;
	else if (rc == PCRE2_ERROR_NOMATCH)
		rc = 0;
	else  /* match, depth, heap or JIT stack limit: it gave up, it did not say no */
		rc = dfa_test(code, re, str, len);
done:
	pcre2_match_data_free(own);
	buf_release(&fixed);
	return rc;
}

int search_test(const struct search *s, const char *str, size_t len)
{
	if (!s->code)
		return 0;
	return search_regex_test(s->code, NULL, s->pattern, str, len);
}

int search_run(struct search *s, const struct tree *t, uint32_t type, int64_t *matched)
{
	const struct prof *p = t->prof;
	pcre2_match_data *md = NULL;
	uint32_t i, covered_end = 0;
	int64_t sum = 0;

	free(s->name_hit);
	free(s->node_hit);
	free(s->tops);
	s->nnames = p->nstrs;
	s->name_hit = calloc(p->nstrs ? p->nstrs : 1, 1);
	s->node_hit = calloc(t->n, 1);
	s->tops = malloc((size_t)t->n * sizeof(*s->tops));
	md = pcre2_match_data_create_from_pattern(s->code, NULL);
	if (!s->name_hit || !s->node_hit || !s->tops || !md) {
		pcre2_match_data_free(md);
		return err_set(ERR_NOMEM, "out of memory (search)");
	}
	s->ntops = s->nmatch = 0;
	for (i = 1; i < t->n; i++) {
		uint32_t name = t->name[i];

		if (!s->name_hit[name]) {
			int r = search_regex_test(s->code, md, s->pattern, prof_str(p, name),
						  prof_strlen(p, name));

			if (r < 0) {
				pcre2_match_data_free(md);
				return r;
			}
			s->name_hit[name] = r ? 2 : 1;
		}
		if (s->name_hit[name] != 2)
			continue;
		s->node_hit[i] = 1;
		s->nmatch++;
		/* preorder: a node outside the last top's subtree has no matching ancestor */
		if (i >= covered_end) {
			s->tops[s->ntops++] = i;
			covered_end = i + t->size[i];
			sum += tree_total(t, i, type);
		}
	}
	pcre2_match_data_free(md);
	*matched = sum;
	return 0;
}

void search_release(struct search *s)
{
	pcre2_code_free(s->code);
	free(s->pattern);
	free(s->name_hit);
	free(s->node_hit);
	free(s->tops);
	memset(s, 0, sizeof(*s));
}
