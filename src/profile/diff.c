/* diff.c — the diff scale and the diff top table (see diff.h). */
#include "diff.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

static const double step_mult[DIFF_STEPS] = { 1, 10, 30, 100 };

double diff_change(const struct diff_scale *s, int64_t base, int64_t cur, int64_t base_total,
		   int64_t cur_total)
{
	double bt = base_total ? (double)base_total : 1, ct = cur_total ? (double)cur_total : 1;

	if (s->absolute)
		return ((double)cur - (double)base) / (base_total ? bt : ct);
	return (double)cur / ct - (double)base / bt;
}

double diff_bound(const struct diff_scale *s, int k)
{
	double t = s->threshold > 0 ? s->threshold : DIFF_DEFAULT_THRESHOLD;

	if (k < 1)
		k = 1;
	if (k > DIFF_STEPS)
		k = DIFF_STEPS;
	return t * step_mult[k - 1];
}

int diff_step(const struct diff_scale *s, double change)
{
	double m = fabs(change);
	int k = 0;

	if (isnan(change))
		return 0;
	while (k < DIFF_STEPS && m >= diff_bound(s, k + 1))
		k++;
	return change < 0 ? -k : k;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

struct sort_ctx {
	const struct prof *p;
	enum diff_sort by;
	int dir;
};

static int cmp_name(const struct prof *p, uint32_t x, uint32_t y)
{
	size_t lx = prof_strlen(p, x), ly = prof_strlen(p, y);
	int r = memcmp(prof_str(p, x), prof_str(p, y), lx < ly ? lx : ly);

	return r ? r : lx < ly ? -1 : lx > ly;
}

static int cmp_rows(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *c = arg;
	const struct diff_row *x = a, *y = b;
	int r = 0;

	switch (c->by) {
	case DIFF_SORT_CHANGE:
		r = x->change > y->change ? -1 : x->change < y->change;
		break;
	case DIFF_SORT_NEW:
		r = x->new_cum > y->new_cum ? -1 : x->new_cum < y->new_cum;
		break;
	case DIFF_SORT_BASE:
		r = x->base_cum > y->base_cum ? -1 : x->base_cum < y->base_cum;
		break;
	case DIFF_SORT_NAME:
		return c->dir * cmp_name(c->p, x->name, y->name);
	}
	return r ? c->dir * r : cmp_name(c->p, x->name, y->name);
}

void diff_top_sort(struct diff_top *d, const struct prof *p, enum diff_sort by, bool invert)
{
	struct sort_ctx c = { p, by, invert ? -1 : 1 };

	if (d->n > 1)
		qsort_r(d->rows, d->n, sizeof(*d->rows), cmp_rows, &c);
}

/* Index of `name` in the sorted ids, or UINT32_MAX. */
static uint32_t find(const uint32_t *ids, uint32_t n, uint32_t name)
{
	const uint32_t *hit = bsearch(&name, ids, n, sizeof(*ids), cmp_u32);

	return hit ? (uint32_t)(hit - ids) : UINT32_MAX;
}

int diff_top(const struct top *base, const struct top *cur, const struct diff_scale *s,
	     const struct prof *p, struct diff_top *out)
{
	size_t cap = (size_t)base->n + cur->n;
	uint32_t *ids = malloc((cap ? cap : 1) * sizeof(*ids)), n = 0, i, k;

	memset(out, 0, sizeof(*out));
	if (!ids)
		return err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i < base->n; i++)
		ids[n++] = base->rows[i].name;
	for (i = 0; i < cur->n; i++)
		ids[n++] = cur->rows[i].name;
	qsort(ids, n, sizeof(*ids), cmp_u32);
	for (i = 0, k = 0; i < n; i++)
		if (k == 0 || ids[k - 1] != ids[i])
			ids[k++] = ids[i];
	n = k;
	out->rows = calloc(n ? n : 1, sizeof(*out->rows));
	if (!out->rows) {
		free(ids);
		return err_set(ERR_NOMEM, "out of memory");
	}
	out->n = n;
	out->base_total = base->total;
	out->new_total = cur->total;
	for (i = 0; i < n; i++)
		out->rows[i].name = ids[i];
	for (i = 0; i < base->n; i++) {
		struct diff_row *r = &out->rows[find(ids, n, base->rows[i].name)];

		r->base_flat = base->rows[i].flat;
		r->base_cum = base->rows[i].cum;
	}
	for (i = 0; i < cur->n; i++) {
		struct diff_row *r = &out->rows[find(ids, n, cur->rows[i].name)];

		r->new_flat = cur->rows[i].flat;
		r->new_cum = cur->rows[i].cum;
	}
	for (i = 0; i < n; i++) {
		struct diff_row *r = &out->rows[i];

		r->change = diff_change(s, r->base_cum, r->new_cum, base->total, cur->total);
	}
	free(ids);
	diff_top_sort(out, p, DIFF_SORT_CHANGE, false);
	return 0;
}

void diff_top_release(struct diff_top *d)
{
	free(d->rows);
	memset(d, 0, sizeof(*d));
}

uint32_t diff_default_type(const struct prof *base, const struct prof *cur)
{
	const char *name;
	uint32_t i;

	if (cur->default_named || !base->default_named)
		return cur->default_type;
	name = prof_str(base, base->sample_types[base->default_type].type);
	for (i = 0; i < cur->ntypes; i++)  /* pprof's SampleIndexByName: the first of that name */
		if (strcmp(prof_str(cur, cur->sample_types[i].type), name) == 0)
			return i;
	return cur->default_type;
}
