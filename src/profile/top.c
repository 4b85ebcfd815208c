/*
 * top.c — flat and cum per function name (see top.h).
 *
 * One pass over the samples: flat(f) adds the sample's value when f is its leaf frame
 * (the innermost line of the first location); cum(f) adds it once per sample in which
 * f appears anywhere — a per-name stamp holding the last sample counted makes recursion
 * count once, which is pprof's rule.
 */
#include "top.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

int top_compute(const struct prof *p, uint32_t type, struct top *out)
{
	uint32_t *row_of = NULL, *stamp = NULL, i, j, k;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	row_of = malloc((p->nstrs ? p->nstrs : 1) * sizeof(*row_of));
	stamp = calloc(p->nstrs ? p->nstrs : 1, sizeof(*stamp));
	out->rows = malloc((p->nfunctions ? p->nfunctions : 1) * sizeof(*out->rows));
	if (!row_of || !stamp || !out->rows) {
		rc = err_set(ERR_NOMEM, "out of memory (top table)");
		goto done;
	}
	memset(row_of, 0xff, p->nstrs * sizeof(*row_of));
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];
		int64_t v = prof_value(p, i, type);
		bool leaf = true;

		out->total += v;
		if (v == 0)
			continue; /* pprof skips zero-valued samples */
		for (j = 0; j < s->nlocs; j++) {
			const struct prof_location *l = &p->locations[p->sample_locs[s->loc_off + j]];

			for (k = 0; k < l->nlines; k++, leaf = false) {
				uint32_t name = p->functions[p->lines[l->line_off + k].func].name;
				uint32_t r = row_of[name];

				if (r == UINT32_MAX) {
					r = row_of[name] = out->n++;
					out->rows[r] = (struct top_row){ name, 0, 0 };
				}
				if (leaf)
					out->rows[r].flat += v;
				if (stamp[name] != i + 1) {
					stamp[name] = i + 1;
					out->rows[r].cum += v;
				}
			}
		}
	}
done:
	free(row_of);
	free(stamp);
	if (rc) {
		free(out->rows);
		out->rows = NULL;
	}
	return rc;
}

uint32_t top_widest(const struct tree *t, uint32_t type, uint32_t name)
{
	uint32_t i, best = 0;
	int64_t bv = -1;

	for (i = 1; i < t->n; i++) {
		if (t->name[i] == name && abs64(tree_total(t, i, type)) > bv) {
			bv = abs64(tree_total(t, i, type));
			best = i;
		}
	}
	return best;
}

struct sort_ctx {
	const struct prof *p;
	enum top_sort by;
	int dir;
};

static int cmp_rows(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *c = arg;
	const struct top_row *x = a, *y = b;
	int64_t fx = abs64(x->flat), fy = abs64(y->flat), cx = abs64(x->cum), cy = abs64(y->cum);
	int r;

	switch (c->by) {
	case TOP_SORT_FLAT:
		if (fx != fy)
			return c->dir * (fx > fy ? -1 : 1);
		break;
	case TOP_SORT_CUM:
		if (cx != cy)
			return c->dir * (cx > cy ? -1 : 1);
		if (fx != fy)
			return c->dir * (fx > fy ? -1 : 1);
		break;
	case TOP_SORT_NAME:
		break;
	}
	r = strcmp(prof_str(c->p, x->name), prof_str(c->p, y->name));
	if (r)
		return c->by == TOP_SORT_NAME ? c->dir * r : r;
	if (cx != cy)
		return cx > cy ? -1 : 1;
	return 0;
}

void top_sort(struct top *top, const struct prof *p, enum top_sort by, bool invert)
{
	struct sort_ctx c = { p, by, invert ? -1 : 1 };

	qsort_r(top->rows, top->n, sizeof(*top->rows), cmp_rows, &c);
}

void top_release(struct top *top)
{
	free(top->rows);
	memset(top, 0, sizeof(*top));
}
