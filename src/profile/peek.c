/*
 * peek.c — pprof -peek (see peek.h).  One pass over the samples: consecutive frames
 * (root to leaf, inlined lines expanded) form edges; an edge touching a selected
 * function is added once per sample (a stamp per edge in a hash map); a function calling
 * itself makes no edge, as in pprof.  The edges are then handed to their entries in one
 * more pass (an entry per selected name, found by the name's id), so the cost grows with
 * the edges, not with edges × selected functions.
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

/*
 * Hands every edge to the entries of its ends: the callee's callers and the caller's
 * callees (an end that is not selected has no entry: at[name] == UINT32_MAX).  Sized by
 * a counting pass first, so each list is allocated once.
 */
static int fill_entries(const struct prof *p, struct peek *out, const uint32_t *at,
			const struct edge *edges, size_t nedges)
{
	size_t i;
	uint32_t k;

	for (i = 0; i < nedges; i++) {
		if (at[edges[i].to] != UINT32_MAX)
			out->entries[at[edges[i].to]].ncallers++;
		if (at[edges[i].from] != UINT32_MAX)
			out->entries[at[edges[i].from]].ncallees++;
	}
	for (k = 0; k < out->n; k++) {
		struct peek_entry *e = &out->entries[k];

		e->callers = malloc((e->ncallers ? e->ncallers : 1) * sizeof(*e->callers));
		e->callees = malloc((e->ncallees ? e->ncallees : 1) * sizeof(*e->callees));
		if (!e->callers || !e->callees)
			return err_set(ERR_NOMEM, "out of memory");
		e->ncallers = e->ncallees = 0;
	}
	for (i = 0; i < nedges; i++) {
		const struct edge *ed = &edges[i];

		if (at[ed->to] != UINT32_MAX) {
			struct peek_entry *e = &out->entries[at[ed->to]];

			e->callers[e->ncallers++] = (struct peek_edge){ ed->from, ed->weight };
		}
		if (at[ed->from] != UINT32_MAX) {
			struct peek_entry *e = &out->entries[at[ed->from]];

			e->callees[e->ncallees++] = (struct peek_edge){ ed->to, ed->weight };
		}
	}
	/* (glibc's qsort_r wants a non-NULL base even for no elements) */
	for (k = 0; k < out->n; k++) {
		struct peek_entry *e = &out->entries[k];

		if (e->ncallers > 1)
			qsort_r(e->callers, e->ncallers, sizeof(*e->callers), cmp_edges, (void *)p);
		if (e->ncallees > 1)
			qsort_r(e->callees, e->ncallees, sizeof(*e->callees), cmp_edges, (void *)p);
	}
	return 0;
}

/*
 * sel[name] = 2 when the regex matches the name, else 1.  A name it cannot decide
 * (search_test: PCRE2 and its DFA both give up) fails peek; it is never a "no".
 */
static int select_name(const struct search *s, const struct prof *p, uint32_t name,
		       uint8_t *sel)
{
	int rc = search_test(s, prof_str(p, name), prof_strlen(p, name));

	if (rc >= 0)
		sel[name] = rc ? 2 : 1;
	return rc;
}

int peek_compute(const struct prof *p, uint32_t type, const char *regex, struct peek *out)
{
	struct search s;
	struct top top = { 0 };
	uint8_t *sel = NULL;  /* per string id: 0 unknown, 1 no, 2 yes */
	uint32_t *at = NULL;  /* per string id: its entry, or UINT32_MAX */
	struct edge *edges = NULL;
	size_t nedges = 0, cap = 0;
	struct hmap map;
	uint32_t i, j, k, r;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = search_compile(&s, regex)))
		return rc;  /* "bad regex at offset N: ...": the caller names the verb */
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

				if (!sel[name] && (rc = select_name(&s, p, name, sel)) < 0)
					goto done;
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
	at = malloc((p->nstrs ? p->nstrs : 1) * sizeof(*at));
	if (!at) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	memset(at, 0xff, (p->nstrs ? p->nstrs : 1) * sizeof(*at));
	for (r = 0; r < top.n; r++) {
		if (sel[top.rows[r].name] != 2)
			continue;
		at[top.rows[r].name] = out->n;
		out->entries[out->n++].fn = top.rows[r];
	}
	rc = fill_entries(p, out, at, edges, nedges);
done:
	if (rc)
		peek_release(out);
	top_release(&top);
	search_release(&s);
	hmap_release(&map);
	free(sel);
	free(at);
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
