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
#include "merge.h"

/* Nodes between two reads of the cancel flag (a power of two): unmeasurable next to them. */
#define CANCEL_EVERY 4096

static uint64_t abs64(int64_t v)
{
	return v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
}

/*
 * rows holds nrows names x nt types; out[t] gets type t's rows, leaving out functions
 * no sample of that type reaches (flat and cum both 0), as pprof does.
 */
static int split_types(const struct top_row *rows, uint32_t nrows, uint32_t nt, struct top *out)
{
	uint32_t t, j;

	for (t = 0; t < nt; t++) {
		out[t].rows = malloc((nrows ? nrows : 1) * sizeof(*out[t].rows));
		if (!out[t].rows)
			return err_set(ERR_NOMEM, "out of memory (top table)");
		for (j = 0; j < nrows; j++) {
			const struct top_row *r = &rows[(size_t)j * nt + t];

			if (r->flat != 0 || r->cum != 0)
				out[t].rows[out[t].n++] = *r;
		}
	}
	return 0;
}

/* pprof -top for one sample type, in one pass over the samples (see the file comment). */
int top_compute(const struct prof *p, uint32_t type, struct top *out)
{
	uint32_t *row_of = NULL, *stamp = NULL, i, j, k, nrows = 0;
	struct top_row *rows = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (type >= p->ntypes)
		return err_set(ERR_USAGE, "no sample type %u", type);
	row_of = malloc((p->nstrs ? p->nstrs : 1) * sizeof(*row_of));
	stamp = calloc(p->nstrs ? p->nstrs : 1, sizeof(*stamp));
	rows = malloc((p->nfunctions ? p->nfunctions : 1) * sizeof(*rows));
	if (!row_of || !stamp || !rows) {
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
					r = row_of[name] = nrows++;
					rows[r] = (struct top_row){ name, 0, 0 };
				}
				if (leaf)
					rows[r].flat += v;
				if (stamp[name] != i + 1) {
					stamp[name] = i + 1;
					rows[r].cum += v;
				}
			}
		}
	}
	rc = split_types(rows, nrows, 1, out);
done:
	free(row_of);
	free(stamp);
	free(rows);
	if (rc)
		top_release(out);
	return rc;
}

int top_from_tree(const struct tree *t, struct top *out)
{
	return top_from_tree_cancellable(t, NULL, out);
}

int top_from_tree_cancellable(const struct tree *t, atomic_int *cancel, struct top *out)
{
	const struct prof *p = t->prof;
	uint32_t nt = t->ntypes, *row_of = NULL, i, ty, nrows = 0;
	struct top_row *rows = NULL; /* nrows * nt */
	int rc = 0;

	memset(out, 0, nt * sizeof(*out));
	row_of = malloc((p->nstrs ? p->nstrs : 1) * sizeof(*row_of));
	rows = malloc((size_t)(p->nfunctions ? p->nfunctions : 1) * nt * sizeof(*rows));
	if (!row_of || !rows) {
		rc = err_set(ERR_NOMEM, "out of memory (top table)");
		goto done;
	}
	memset(row_of, 0xff, p->nstrs * sizeof(*row_of));
	for (ty = 0; ty < nt; ty++)
		out[ty].total = tree_total(t, 0, ty);
	for (i = 1; i < t->n; i++) {
		uint32_t r = row_of[t->name[i]];
		const int64_t *self = t->self + (size_t)i * nt, *total = t->total + (size_t)i * nt;
		struct top_row *row;

		if ((i & (CANCEL_EVERY - 1)) == 0 && cancel &&
		    atomic_load_explicit(cancel, memory_order_relaxed)) {
			rc = err_set(ERR_CANCELLED, "top table cancelled");
			goto done;
		}
		if (r == UINT32_MAX) {
			r = row_of[t->name[i]] = nrows++;
			for (ty = 0; ty < nt; ty++)
				rows[(size_t)r * nt + ty] = (struct top_row){ t->name[i], 0, 0 };
		}
		row = &rows[(size_t)r * nt];
		for (ty = 0; ty < nt; ty++) {
			row[ty].flat += self[ty];
			if (!t->recursive[i])
				row[ty].cum += total[ty];
		}
	}
	rc = split_types(rows, nrows, nt, out);
done:
	free(row_of);
	free(rows);
	if (rc)
		for (ty = 0; ty < nt; ty++)
			top_release(&out[ty]);
	return rc;
}

/* Is sample i one of a -diff_base profile's base samples (its first pprof::base is "true")? */
static bool is_diff_base(const struct prof *p, uint32_t i, uint32_t key, uint32_t yes)
{
	const struct prof_sample *s = &p->samples[i];
	uint32_t k;

	for (k = 0; k < s->nlabels; k++) {
		const struct prof_label *l = &p->labels[s->label_off + k];

		if (l->key == key)
			return l->str == yes;
	}
	return false;
}

int64_t top_pprof_total(const struct prof *p, uint32_t type)
{
	uint32_t key = prof_find_str(p, MERGE_BASE_LABEL), yes = prof_find_str(p, "true"), i;
	uint64_t base = 0;

	if (key == PROF_NONE || yes == PROF_NONE || type >= p->ntypes)
		return prof_total_abs(p, type);
	for (i = 0; i < p->nsamples; i++) {
		if (!is_diff_base(p, i, key, yes))
			continue;
		base += abs64(prof_value(p, i, type));
		if (base > INT64_MAX)
			return INT64_MAX;
	}
	return base > 0 ? (int64_t)base : prof_total_abs(p, type);
}

int top_copy(const struct top *in, struct top *out)
{
	*out = *in;
	out->rows = malloc((in->n ? in->n : 1) * sizeof(*out->rows));
	if (!out->rows)
		return err_set(ERR_NOMEM, "out of memory (top table)");
	memcpy(out->rows, in->rows, in->n * sizeof(*in->rows));
	return 0;
}

uint32_t top_widest(const struct tree *t, uint32_t type, uint32_t name)
{
	uint32_t i, best = 0;
	uint64_t bv = 0;

	for (i = 1; i < t->n; i++) {
		if (t->name[i] == name && (!best || abs64(tree_total(t, i, type)) > bv)) {
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
	uint64_t fx = abs64(x->flat), fy = abs64(y->flat), cx = abs64(x->cum), cy = abs64(y->cum);
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

	if (top->n > 1)
		qsort_r(top->rows, top->n, sizeof(*top->rows), cmp_rows, &c);
}

void top_release(struct top *top)
{
	free(top->rows);
	memset(top, 0, sizeof(*top));
}
