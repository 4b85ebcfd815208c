/*
 * top.c — flat and cum per function name (see top.h).
 *
 * flat(f) sums self over nodes named f.  cum(f) sums total over nodes named f that have
 * no ancestor named f — each sample path counted once, which is pprof's rule for
 * recursion.  One depth-first walk with a per-name "on the current path" counter.
 */
#include "top.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

int top_compute(const struct tree *t, uint32_t type, struct top *out)
{
	const struct prof *p = t->prof;
	uint32_t *row_of = NULL, *onpath = NULL, *stack = NULL;
	uint32_t i, sp = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	row_of = malloc(p->nstrs * sizeof(*row_of));
	onpath = calloc(p->nstrs ? p->nstrs : 1, sizeof(*onpath));
	stack = malloc((size_t)(t->max_depth + 2) * sizeof(*stack));
	out->rows = malloc((size_t)t->n * sizeof(*out->rows));
	if (!row_of || !onpath || !stack || !out->rows) {
		rc = err_set(ERR_NOMEM, "out of memory (top table)");
		goto done;
	}
	memset(row_of, 0xff, p->nstrs * sizeof(*row_of));
	out->total = tree_total(t, 0, type);
	/* Nodes are in preorder: the path to node i is the stack trimmed to depth[i]. */
	for (i = 1; i < t->n; i++) {
		uint32_t name = t->name[i], d = t->depth[i], r;
		int64_t total = tree_total(t, i, type);

		while (sp >= d) /* pop back to the parent (depth d-1 is at index d-1) */
			onpath[t->name[stack[--sp]]]--;
		stack[sp++] = i;
		r = row_of[name];
		if (r == UINT32_MAX) {
			r = row_of[name] = out->n++;
			out->rows[r] = (struct top_row){ name, i, 0, 0 };
		}
		out->rows[r].flat += tree_self(t, i, type);
		if (onpath[name] == 0)
			out->rows[r].cum += total;
		if (abs64(total) > abs64(tree_total(t, out->rows[r].node, type)))
			out->rows[r].node = i;
		onpath[name]++;
	}
	/* pprof leaves out functions only zero-valued samples reach */
	{
		uint32_t k, m = 0;

		for (k = 0; k < out->n; k++)
			if (out->rows[k].flat != 0 || out->rows[k].cum != 0)
				out->rows[m++] = out->rows[k];
		out->n = m;
	}
done:
	free(row_of);
	free(onpath);
	free(stack);
	if (rc) {
		free(out->rows);
		out->rows = NULL;
	}
	return rc;
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
