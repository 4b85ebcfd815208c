/*
 * peek.c — pprof -peek (see peek.h).  One pass over the samples: consecutive frames
 * (root to leaf, inlined lines expanded) form edges; an edge touching a selected
 * function is added once per sample (a stamp per edge in a hash map); a function calling
 * itself makes no edge, as in pprof.
 */
#include "peek.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/hmap.h"
#include "base/vec.h"
#include "search.h"

struct edge {
	uint32_t from, to, stamp;
	int64_t weight;
};

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

static int cmp_edges(const void *a, const void *b, void *arg)
{
	const struct prof *p = arg;
	const struct peek_edge *x = a, *y = b;

	if (abs64(x->weight) != abs64(y->weight))
		return abs64(x->weight) > abs64(y->weight) ? -1 : 1;
	return strcmp(prof_str(p, x->name), prof_str(p, y->name));
}

/* Collects the edges of one selected function into its entry. */
static int fill_entry(const struct prof *p, struct peek_entry *e, const struct edge *edges,
		      size_t nedges)
{
	size_t i;

	for (i = 0; i < nedges; i++) {
		const struct edge *ed = &edges[i];
		struct peek_edge **list = NULL;
		uint32_t *n = NULL, other = 0;

		if (ed->to == e->fn.name)
			list = &e->callers, n = &e->ncallers, other = ed->from;
		else if (ed->from == e->fn.name)
			list = &e->callees, n = &e->ncallees, other = ed->to;
		else
			continue;
		{
			struct peek_edge *grown = realloc(*list, (*n + 1) * sizeof(**list));

			if (!grown)
				return err_set(ERR_NOMEM, "out of memory");
			*list = grown;
			(*list)[(*n)++] = (struct peek_edge){ other, ed->weight };
		}
	}
	/* (glibc's qsort_r wants a non-NULL base even for no elements) */
	if (e->ncallers > 1)
		qsort_r(e->callers, e->ncallers, sizeof(*e->callers), cmp_edges, (void *)p);
	if (e->ncallees > 1)
		qsort_r(e->callees, e->ncallees, sizeof(*e->callees), cmp_edges, (void *)p);
	return 0;
}

int peek_compute(const struct prof *p, uint32_t type, const char *regex, struct peek *out)
{
	struct search s;
	struct top top = { 0 };
	uint8_t *sel = NULL;  /* per string id: 0 unknown, 1 no, 2 yes */
	struct edge *edges = NULL;
	size_t nedges = 0, cap = 0;
	struct hmap map;
	uint32_t i, j, k, r;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = search_compile(&s, regex)))
		return err_prefix(rc, "peek");
	if ((rc = hmap_init(&map, 1024))) {
		search_release(&s);
		return rc;
	}
	sel = calloc(p->nstrs ? p->nstrs : 1, 1);
	if (!sel) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *smp = &p->samples[i];
		int64_t v = prof_value(p, i, type);
		uint32_t prev = PROF_NONE;

		if (v == 0)
			continue;
		for (j = smp->nlocs; j-- > 0;) {
			const struct prof_location *l = &p->locations[p->sample_locs[smp->loc_off + j]];

			for (k = l->nlines; k-- > 0; ) {
				uint32_t name = p->functions[p->lines[l->line_off + k].func].name, e;

				if (!sel[name])
					sel[name] = search_match(&s, prof_str(p, name), prof_strlen(p, name)) ? 2 : 1;
				/* pprof draws no self-edges: f → f recursion adds none */
				if (prev != PROF_NONE && prev != name && (sel[name] == 2 || sel[prev] == 2)) {
					if ((rc = hmap_intern(&map, (uint64_t)prev << 32 | name, (uint32_t)nedges, &e)) < 0)
						goto done;
					if (rc == 0) {
						if ((rc = vec_reserve(&edges, &cap, nedges + 1)))
							goto done;
						edges[nedges++] = (struct edge){ prev, name, 0, 0 };
					}
					if (edges[e].stamp != i + 1) {
						edges[e].stamp = i + 1;
						edges[e].weight += v;
					}
				}
				prev = name;
			}
		}
	}
	if ((rc = top_compute(p, type, &top)))
		goto done;
	top_sort(&top, p, TOP_SORT_FLAT, false);
	out->total = prof_total_abs(p, type);  /* pprof: of the magnitudes */
	out->entries = calloc(top.n ? top.n : 1, sizeof(*out->entries));
	if (!out->entries) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	for (r = 0; r < top.n; r++) {
		if (sel[top.rows[r].name] != 2)
			continue;
		out->entries[out->n].fn = top.rows[r];
		if ((rc = fill_entry(p, &out->entries[out->n++], edges, nedges)))
			goto done;
	}
	rc = 0;
done:
	if (rc)
		peek_release(out);
	top_release(&top);
	search_release(&s);
	hmap_release(&map);
	free(sel);
	free(edges);
	return rc;
}

void peek_release(struct peek *pk)
{
	uint32_t i;

	for (i = 0; i < pk->n; i++) {
		free(pk->entries[i].callers);
		free(pk->entries[i].callees);
	}
	free(pk->entries);
	memset(pk, 0, sizeof(*pk));
}
