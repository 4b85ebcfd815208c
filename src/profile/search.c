/* search.c — PCRE2 matching of frame names (see search.h). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "search.h"

#include <pcre2.h>
#include <stdlib.h>
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
	 * UTF mode when the pattern is UTF-8 (`.` is a character; names with invalid bytes
	 * still match around them).  A pattern that is not, such as the quoted name of a
	 * frame with invalid bytes (f, x, -, # on it), is matched byte for byte: in UTF mode
	 * it is refused, and no pattern could match those bytes anyway.
	 */
	if ((errcode = re2_to_pcre(pattern, &pat))) {  /* RE2 syntax, as pprof reads it */
		buf_release(&pat);
		return errcode;
	}
	re = pcre2_compile((PCRE2_SPTR)pat.data, pat.len,
			   RE2_PCRE2_OPTIONS |
				   (valid_utf8(pattern) ? PCRE2_UTF | PCRE2_MATCH_INVALID_UTF : 0),
			   &errcode, &erroff, NULL);
	buf_release(&pat);
	if (!re) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		return err_set(ERR_PARSE, "bad regex at offset %zu: %s", (size_t)erroff, (char *)msg);
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	s->code = re;
	return 0;
}

bool search_match(const struct search *s, const char *str, size_t len)
{
	pcre2_match_data *md;
	int r;

	if (!s->code)
		return false;
	md = pcre2_match_data_create_from_pattern(s->code, NULL);
	if (!md)
		return false;
	r = pcre2_match(s->code, (PCRE2_SPTR)str, len, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return r >= 0;
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
			int r = pcre2_match(s->code, (PCRE2_SPTR)prof_str(p, name),
					    prof_strlen(p, name), 0, 0, md, NULL);

			s->name_hit[name] = r >= 0 ? 2 : 1;
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
	free(s->name_hit);
	free(s->node_hit);
	free(s->tops);
	memset(s, 0, sizeof(*s));
}
