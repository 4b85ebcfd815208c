/*
 * flame.c — largest-remainder flame graph layout (see flame.h).
 *
 * For a parent of width W cells and total P, child i's exact share is q_i = W * t_i / P.
 * Children with q_i < 1 go into the hidden group; the visible children, the hidden
 * group and the parent's self part each get floor(q), and the cells left over go to
 * the largest remainders.  A hidden group that got no cell takes one from self, or from
 * the widest child, when that leaves it at least one.  Integer arithmetic with 128-bit
 * products keeps it exact.
 *
 * Totals are laid out by magnitude: in a signed profile (pprof's -diff_base form, new
 * minus base) a node's total can be negative, or smaller than its children's, where
 * gains and losses cancel.  P is then the larger of |total| and the sum of the
 * children's magnitudes: the children fill the cell, and the node has no self part.
 */
#include "flame.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/vec.h"

/* exact W * value products: W < 2^32, values < 2^63 */
__extension__ typedef unsigned __int128 u128;

struct item {
	uint32_t node;   /* child node, or PROF_NONE for self / hidden */
	int kind;        /* 0 child, 1 hidden group, 2 self */
	uint64_t floor_, rem;
	uint64_t w;
	int64_t value;
	uint32_t count;
};

static int64_t add_sat(int64_t x, int64_t y)
{
	return x > INT64_MAX - y ? INT64_MAX : x + y;
}

static int cmp_rem(const void *a, const void *b)
{
	const struct item *x = *(const struct item *const *)a, *y = *(const struct item *const *)b;

	if (x->rem != y->rem)
		return x->rem > y->rem ? -1 : 1;
	return 0;
}

int64_t flame_magnitude(const struct tree *t, uint32_t node, uint32_t type, uint32_t type2)
{
	int64_t v = tree_magnitude(t, node, type);

	return type2 == PROF_NONE ? v : add_sat(v, tree_magnitude(t, node, type2));
}

static int64_t wtotal(const struct tree *t, uint32_t node, const struct flame_opts *o)
{
	return flame_magnitude(t, node, o->type, o->type2);
}

struct size_ctx {
	const struct tree *t;
	const struct flame_opts *o;
};

static int cmp_size(const void *a, const void *b, void *arg)
{
	const struct size_ctx *c = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int64_t tx = wtotal(c->t, x, c->o), ty = wtotal(c->t, y, c->o);

	if (tx != ty)
		return tx > ty ? -1 : 1;
	return x < y ? -1 : x > y; /* name order (node ids follow it) */
}

static int push_cell(struct flame *f, const struct flame_cell *c)
{
	size_t cap = f->cap;
	int rc;

	if ((rc = vec_reserve(&f->cells, &cap, (size_t)f->ncells + 1)))
		return rc;
	f->cap = (uint32_t)cap;
	f->cells[f->ncells++] = *c;
	return 0;
}

/* Lays out the children of cell `pc` into the current row. */
static int split(const struct tree *t, const struct flame_opts *o, const struct flame_cell *pc,
		 struct flame *f, struct item **items, size_t *icap, uint32_t **order, size_t *ocap,
		 struct item ***byrem, size_t *rcap)
{
	uint32_t node = pc->node, nk = 0, k, nitems = 0, x = pc->x;
	uint32_t *kids;
	uint64_t W = pc->w, P = (uint64_t)wtotal(t, node, o), used = 0, left;
	int64_t kidsum = 0;
	struct item *hidden = NULL, *self = NULL, *widest = NULL;
	int rc;

	if (t->size[node] <= 1 || W == 0)
		return 0;
	for (k = tree_first_kid(t, node); k != PROF_NONE; k = tree_next_kid(t, node, k)) {
		if ((rc = vec_reserve(order, ocap, (size_t)nk + 1)))
			return rc;
		(*order)[nk++] = k;
		kidsum = add_sat(kidsum, wtotal(t, k, o));
	}
	if ((uint64_t)kidsum > P)  /* a magnitude is at least its children's: saturation */
		P = (uint64_t)kidsum;
	if (P == 0)
		return 0;
	kids = *order;
	if ((rc = vec_reserve(items, icap, (size_t)nk + 2)) ||
	    (rc = vec_reserve(byrem, rcap, (size_t)nk + 2)))
		return rc;
	if (o->by_size) {
		struct size_ctx c = { t, o };

		qsort_r(kids, nk, sizeof(*kids), cmp_size, &c);
	}
	for (k = 0; k < nk; k++) {
		uint64_t v = (uint64_t)wtotal(t, kids[k], o);
		u128 q = (u128)W * v;
		struct item *it;

		if (v == 0)
			continue;
		if (q < P) { /* narrower than a cell */
			if (!hidden) {
				hidden = &(*items)[nk + 1];
				memset(hidden, 0, sizeof(*hidden));
				hidden->kind = 1;
				hidden->node = node;
			}
			/*
			 * each side's sums fit in int64 (the builder sees to it), but in a diff
			 * a child's width is |new| + |base|: their sum can pass 2^63
			 */
			hidden->value = add_sat(hidden->value, (int64_t)v);
			hidden->count++;
			continue;
		}
		it = &(*items)[nitems++];
		it->node = kids[k];
		it->kind = 0;
		it->value = (int64_t)v;
		it->floor_ = (uint64_t)(q / P);
		it->rem = (uint64_t)(q % P);
		it->w = it->floor_;
		used += it->floor_;
		if (!widest || it->w > widest->w)
			widest = it;
	}
	if (hidden) {
		u128 q = (u128)W * (uint64_t)hidden->value;

		hidden->floor_ = (uint64_t)(q / P);
		hidden->rem = (uint64_t)(q % P);
		hidden->w = hidden->floor_;
		used += hidden->floor_;
	}
	{
		uint64_t sv;
		u128 q;

		/* self is whatever the children leave (none where they outweigh the node) */
		sv = P - (uint64_t)kidsum;
		self = &(*items)[nk];
		memset(self, 0, sizeof(*self));
		self->kind = 2;
		q = (u128)W * sv;
		self->floor_ = (uint64_t)(q / P);
		self->rem = (uint64_t)(q % P);
		self->w = self->floor_;
		used += self->floor_;
	}
	/* the remaining cells go to the largest remainders */
	left = W > used ? W - used : 0;
	{
		uint32_t nr = 0;

		for (k = 0; k < nitems; k++)
			(*byrem)[nr++] = &(*items)[k];
		if (hidden)
			(*byrem)[nr++] = hidden;
		(*byrem)[nr++] = self;
		qsort(*byrem, nr, sizeof(**byrem), cmp_rem);
		for (k = 0; k < nr && left; k++, left--)
			(*byrem)[k]->w++;
	}
	if (hidden && hidden->w == 0) {
		if (self->w > 0)
			self->w--, hidden->w = 1;
		else if (widest && widest->w > 1)
			widest->w--, hidden->w = 1;
	}
	for (k = 0; k < nitems; k++) {
		struct item *it = &(*items)[k];
		struct flame_cell c = { it->node, x, (uint32_t)it->w, 0, it->value };

		if (it->w == 0)
			continue;
		if ((rc = push_cell(f, &c)))
			return rc;
		x += (uint32_t)it->w;
	}
	if (hidden && hidden->w > 0) {
		struct flame_cell c = { node, x, (uint32_t)hidden->w, hidden->count, hidden->value };

		if ((rc = push_cell(f, &c)))
			return rc;
	}
	return 0;
}

int flame_layout(const struct tree *t, const struct flame_opts *o, struct flame *out)
{
	struct item *items = NULL, **byrem = NULL;
	uint32_t *order = NULL;
	size_t icap = 0, ocap = 0, rcap = 0, rowcap = 0;
	uint32_t r, k;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (o->width == 0 || o->max_rows == 0 || o->root >= t->n)
		return 0;
	{
		struct flame_cell root = { o->root, 0, o->width, 0, wtotal(t, o->root, o) };

		if ((rc = vec_reserve(&out->rows, &rowcap, 1)) || (rc = push_cell(out, &root)))
			goto done;
		out->rows[0] = (struct flame_row){ 0, 1 };
		out->nrows = 1;
	}
	for (r = 1; r < o->max_rows; r++) {
		const struct flame_row prev = out->rows[r - 1];
		uint32_t first = out->ncells;

		for (k = 0; k < prev.n; k++) {
			struct flame_cell pc = out->cells[prev.first + k];

			if (pc.hidden)
				continue;
			if ((rc = split(t, o, &pc, out, &items, &icap, &order, &ocap, &byrem, &rcap)))
				goto done;
		}
		if (out->ncells == first)
			break;
		if ((rc = vec_reserve(&out->rows, &rowcap, (size_t)r + 1)))
			goto done;
		out->rows[r] = (struct flame_row){ first, out->ncells - first };
		out->nrows = r + 1;
	}
done:
	free(items);
	free(order);
	free(byrem);
	if (rc)
		flame_release(out);
	return rc;
}

void flame_release(struct flame *f)
{
	free(f->cells);
	free(f->rows);
	memset(f, 0, sizeof(*f));
}

bool flame_find(const struct flame *f, const struct tree *t, uint32_t node, bool plus,
		uint32_t *row, uint32_t *cell)
{
	uint32_t r, k;

	for (r = 0; r < f->nrows; r++) {
		for (k = 0; k < f->rows[r].n; k++) {
			const struct flame_cell *c = &f->cells[f->rows[r].first + k];

			if (c->node == node && (c->hidden != 0) == plus) {
				*row = r;
				*cell = f->rows[r].first + k;
				return true;
			}
		}
	}
	(void)t;
	return false;
}
