/*
 * prune.c — a profile's drop_frames and keep_frames, as pprof applies them (prune.h).
 *
 * A function name either regex cannot decide (search_test: PCRE2 and its DFA give up,
 * "regex '...' is too complex", where RE2 would decide) is ERR_PARSE naming the field, as
 * a bad regex is: the caller leaves the profile as it is rather than prune by a guess.
 */
#include "prune.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "builder.h"
#include "search.h"

struct pctx {
	const struct prof *p;
	struct search drop, keep;
	bool has_keep;
	uint8_t *verdict;   /* per function: 0 unknown, 1 keep, 2 prune from here */
	uint8_t *prune;     /* per location: 1 prune it, 2 prune beneath it */
	uint32_t *cut;      /* per location: lines [cut, nlines) stay when pruned beneath */
};

/* pprof's simplifyFunc: no leading '.', no argument list (but "(anonymous namespace)"). */
static size_t simplified(const char *s, size_t n, const char **start)
{
	static const char *const reserved[] = { "(anonymous namespace)", "operator()" };
	size_t i = 0, k;

	if (n && s[0] == '.')
		s++, n--;
	*start = s;
	while (i < n) {
		for (k = 0; k < 2; k++) {
			size_t len = strlen(reserved[k]);

			if (n - i >= len && memcmp(s + i, reserved[k], len) == 0)
				break;
		}
		if (k < 2) {
			i += strlen(reserved[k]);
			continue;
		}
		if (s[i] == '(')
			return i;
		i++;
	}
	return n;
}

/*
 * Whether the function matches drop_frames and not keep_frames: 1, 0, or ERR_PARSE when
 * a regex cannot decide its name (search_test: PCRE2 and its DFA give up), named in the
 * message: the caller then leaves the profile as it is, as for a bad regex.
 */
static int prune_from_here(struct pctx *c, uint32_t func)
{
	const struct prof *p = c->p;
	const char *s;
	size_t n;
	int drop, keep = 0;

	if (!c->verdict[func]) {
		n = simplified(prof_str(p, p->functions[func].name),
			       prof_strlen(p, p->functions[func].name), &s);
		if ((drop = search_test(&c->drop, s, n)) < 0)
			return err_prefix(ERR_PARSE, "the profile's drop_frames");
		if (drop && c->has_keep && (keep = search_test(&c->keep, s, n)) < 0)
			return err_prefix(ERR_PARSE, "the profile's keep_frames");
		c->verdict[func] = drop && !keep ? 2 : 1;
	}
	return c->verdict[func] == 2;
}

/* ^(re)$ in RE2: the whole name. */
static int compile_whole(struct search *s, const struct prof *p, uint32_t id)
{
	struct buf pat = BUF_INIT;
	int rc;

	if ((rc = buf_puts(&pat, "^(")) || (rc = buf_add(&pat, prof_str(p, id), prof_strlen(p, id))) ||
	    (rc = buf_puts(&pat, ")\\z"))) {
		buf_release(&pat);
		return rc;
	}
	if (memchr(pat.data, '\0', pat.len))
		rc = err_set(ERR_PARSE, "a NUL byte in the regex");
	else
		rc = search_compile(s, pat.data);
	buf_release(&pat);
	return rc;
}

/*
 * Which locations are pruned, or pruned beneath (Profile.Prune's first loop): 1 when any
 * is, 0, or prune_from_here's error.
 */
static int mark_locations(struct pctx *c)
{
	const struct prof *p = c->p;
	int any = 0, rc = 0;
	uint32_t i, k;

	for (i = 0; i < p->nlocations; i++) {
		const struct prof_location *l = &p->locations[i];
		const struct prof_line *ln = p->lines + l->line_off;

		c->prune[i] = 0;
		if (l->unsymbolized)
			continue;
		/* from the outermost (calling) line in */
		for (k = l->nlines; k-- > 0;) {
			uint32_t f = ln[k].func;

			if (f < p->nfunctions && p->functions[f].name &&
			    (rc = prune_from_here(c, f)))
				break;
		}
		if (k == UINT32_MAX)
			continue;
		if (rc < 0)
			return rc;
		any = 1;
		c->prune[i] = k == l->nlines - 1 ? 1 : 2;
		c->cut[i] = k + 1;
	}
	return any;
}

static int rebuild(struct pctx *c, struct prof **out)
{
	const struct prof *p = c->p;
	struct prof_builder *b = NULL;
	uint32_t *newloc = NULL, *locs = NULL, i, j;
	int rc;

	newloc = malloc((p->nlocations ? p->nlocations : 1) * sizeof(*newloc));
	locs = malloc((p->nsample_locs ? p->nsample_locs : 1) * sizeof(*locs));
	if (!newloc || !locs) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	if ((rc = pb_new(&b)) || (rc = pb_copy_header(b, p, true)))
		goto done;
	for (i = 0; i < p->nlocations; i++) {
		const struct prof_location *l = &p->locations[i];
		uint32_t from = c->prune[i] == 2 ? c->cut[i] : 0;

		/* an inline chain cut beneath a match keeps its callers' lines, everywhere */
		if ((rc = pb_location(b, l->mapping, l->address,
				      l->unsymbolized ? NULL : p->lines + l->line_off + from,
				      l->unsymbolized ? 0 : l->nlines - from, &newloc[i])))
			goto done;
	}
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];
		const uint32_t *src = p->sample_locs + s->loc_off;
		uint32_t start = 0;
		bool user = false;

		/* from the root to the leaf; nothing goes before the first frame that stays */
		for (j = s->nlocs; j-- > 0;) {
			uint8_t v = c->prune[src[j]];

			if (!v) {
				user = true;
				continue;
			}
			if (!user)
				continue;
			start = v == 1 ? j + 1 : j;
			break;
		}
		for (j = start; j < s->nlocs; j++)
			locs[j - start] = newloc[src[j]];
		if ((rc = pb_sample(b, locs, s->nlocs - start, p->values + (size_t)i * p->ntypes,
				    s->nlabels ? p->labels + s->label_off : NULL, s->nlabels)))
			goto done;
	}
	rc = pb_finish(b, out);
	b = NULL;
done:
	pb_free(b);
	free(newloc);
	free(locs);
	return rc;
}

int prof_remove_uninteresting(const struct prof *in, struct prof **out)
{
	struct pctx c;
	int rc;

	*out = NULL;
	if (!in->drop_frames || !prof_strlen(in, in->drop_frames))
		return 0;
	memset(&c, 0, sizeof(c));
	c.p = in;
	if ((rc = compile_whole(&c.drop, in, in->drop_frames)))
		return err_prefix(rc, "the profile's drop_frames");
	c.has_keep = in->keep_frames && prof_strlen(in, in->keep_frames);
	if (c.has_keep && (rc = compile_whole(&c.keep, in, in->keep_frames))) {
		search_release(&c.drop);
		return err_prefix(rc, "the profile's keep_frames");
	}
	c.verdict = calloc(in->nfunctions ? in->nfunctions : 1, 1);
	c.prune = calloc(in->nlocations ? in->nlocations : 1, 1);
	c.cut = calloc(in->nlocations ? in->nlocations : 1, sizeof(*c.cut));
	if (!c.verdict || !c.prune || !c.cut)
		rc = err_set(ERR_NOMEM, "out of memory");
	else if ((rc = mark_locations(&c)) > 0)
		rc = rebuild(&c, out);
	search_release(&c.drop);
	if (c.has_keep)
		search_release(&c.keep);
	free(c.verdict);
	free(c.prune);
	free(c.cut);
	return rc;
}
