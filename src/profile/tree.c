/*
 * tree.c — building the call tree from the samples.
 *
 * Samples with identical location stacks are merged first (labelled profiles repeat
 * stacks a lot), then each distinct stack is walked root to leaf through a
 * (parent, name) → child hash map.  A second pass renumbers nodes depth-first with
 * children sorted by name, so that subtrees are contiguous id ranges.
 */
#include "tree.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/err.h"
#include "base/hmap.h"
#include "base/vec.h"

struct tmp_node {
	uint32_t parent, name, func;
};

struct build {
	const struct prof *p;
	struct tmp_node *nodes;
	size_t n, cap;
	int64_t *self;  /* cap * ntypes */
	size_t self_cap;
	struct hmap kids;  /* parent << 32 | name → node */
};

static int add_node(struct build *b, uint32_t parent, uint32_t name, uint32_t func,
		    uint32_t *out)
{
	uint64_t key = (uint64_t)parent << 32 | name;
	uint32_t id = (uint32_t)b->n;
	int rc;

	rc = hmap_intern(&b->kids, key, id, out);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (b->n >= UINT32_MAX - 1)
		return err_set(ERR_TOOBIG, "call tree too large");
	if ((rc = vec_reserve(&b->nodes, &b->cap, b->n + 1)) ||
	    (rc = vec_reserve(&b->self, &b->self_cap, (b->n + 1) * b->p->ntypes)))
		return rc;
	b->nodes[id] = (struct tmp_node){ parent, name, func };
	memset(b->self + (size_t)id * b->p->ntypes, 0, b->p->ntypes * sizeof(int64_t));
	b->n++;
	return 0;
}

/* Walks one stack (leaf first in locs) from the root and adds values at its leaf. */
static int add_stack(struct build *b, const uint32_t *locs, uint32_t nlocs, const int64_t *v)
{
	const struct prof *p = b->p;
	uint32_t node = 0, i, j, t;
	int rc;

	for (i = nlocs; i-- > 0;) {
		const struct prof_location *l = &p->locations[locs[i]];

		/* lines: innermost first; walk outermost first */
		for (j = l->nlines; j-- > 0;) {
			uint32_t f = p->lines[l->line_off + j].func;

			if ((rc = add_node(b, node, p->functions[f].name, f, &node)))
				return rc;
		}
	}
	for (t = 0; t < p->ntypes; t++)
		b->self[(size_t)node * p->ntypes + t] += v[t];
	return 0;
}

/* Merges identical stacks, then adds each once. */
static int add_samples(struct build *b)
{
	const struct prof *p = b->p;
	struct hmap uniq;
	uint32_t *first = NULL;  /* representative sample of each distinct stack */
	int64_t *sum = NULL;
	size_t nuniq = 0, cap_first = 0, cap_sum = 0;
	uint32_t i, t, u;
	int rc;

	if ((rc = hmap_init(&uniq, p->nsamples / 4 + 16)))
		return rc;
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];
		uint64_t key = XXH3_64bits(p->sample_locs + s->loc_off, s->nlocs * sizeof(uint32_t));

		for (;;) {
			if (key == HMAP_EMPTY)
				key = 0;
			if ((rc = hmap_intern(&uniq, key, (uint32_t)nuniq, &u)) < 0)
				goto done;
			if (rc == 0)
				break; /* new */
			{
				const struct prof_sample *r = &p->samples[first[u]];

				if (r->nlocs == s->nlocs &&
				    memcmp(p->sample_locs + r->loc_off, p->sample_locs + s->loc_off,
					   s->nlocs * sizeof(uint32_t)) == 0)
					break;
			}
			key = hmap_mix(key + 1);
		}
		if (u == nuniq) {
			if ((rc = vec_reserve(&first, &cap_first, nuniq + 1)) ||
			    (rc = vec_reserve(&sum, &cap_sum, (nuniq + 1) * p->ntypes)))
				goto done;
			first[nuniq] = i;
			memset(sum + nuniq * p->ntypes, 0, p->ntypes * sizeof(int64_t));
			nuniq++;
		}
		for (t = 0; t < p->ntypes; t++)
			sum[(size_t)u * p->ntypes + t] += prof_value(p, i, t);
	}
	for (u = 0; u < nuniq; u++) {
		const struct prof_sample *s = &p->samples[first[u]];

		if ((rc = add_stack(b, p->sample_locs + s->loc_off, s->nlocs,
				    sum + (size_t)u * p->ntypes)))
			goto done;
	}
	rc = 0;
done:
	hmap_release(&uniq);
	free(first);
	free(sum);
	return rc;
}

/* qsort context: names are compared through the profile's strings. */
struct kid_sort {
	const struct prof *p;
	const struct tmp_node *nodes;
};

static int cmp_kids(const void *a, const void *b, void *arg)
{
	const struct kid_sort *ks = arg;
	const struct tmp_node *x = &ks->nodes[*(const uint32_t *)a];
	const struct tmp_node *y = &ks->nodes[*(const uint32_t *)b];

	if (x->name == y->name)
		return 0;
	return strcmp(prof_str(ks->p, x->name), prof_str(ks->p, y->name));
}

static void *xcalloc_arr(size_t n, size_t sz, int *rc)
{
	void *p = calloc(n ? n : 1, sz);

	if (!p)
		*rc = err_set(ERR_NOMEM, "out of memory (call tree)");
	return p;
}

int tree_build(const struct prof *p, struct tree **out)
{
	struct build b = { 0 };
	struct tree *t = NULL;
	uint32_t *cnt = NULL, *off = NULL, *order = NULL, *newid = NULL, *stack = NULL;
	uint32_t i, nt = p->ntypes;
	size_t sp = 0, k;
	struct kid_sort ks;
	int rc = 0;

	*out = NULL;
	b.p = p;
	if ((rc = hmap_init(&b.kids, 1024)))
		return rc;
	if ((rc = vec_reserve(&b.nodes, &b.cap, 1)) ||
	    (rc = vec_reserve(&b.self, &b.self_cap, nt)))
		goto done;
	b.nodes[0] = (struct tmp_node){ 0, 0, PROF_NONE };
	memset(b.self, 0, nt * sizeof(int64_t));
	b.n = 1;
	if ((rc = add_samples(&b)))
		goto done;
	hmap_release(&b.kids);

	/* group children by parent (counting sort), then sort each group by name */
	cnt = xcalloc_arr(b.n + 1, sizeof(*cnt), &rc);
	off = xcalloc_arr(b.n + 1, sizeof(*off), &rc);
	order = xcalloc_arr(b.n, sizeof(*order), &rc);
	newid = xcalloc_arr(b.n, sizeof(*newid), &rc);
	stack = xcalloc_arr(b.n, sizeof(*stack), &rc);
	t = calloc(1, sizeof(*t));
	if (rc || !t) {
		rc = rc ? rc : err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	for (i = 1; i < b.n; i++)
		cnt[b.nodes[i].parent]++;
	for (i = 0; i < b.n; i++)
		off[i + 1] = off[i] + cnt[i];
	memset(cnt, 0, (b.n + 1) * sizeof(*cnt));
	for (i = 1; i < b.n; i++) {
		uint32_t par = b.nodes[i].parent;

		order[off[par] + cnt[par]++] = i;
	}
	ks.p = p;
	ks.nodes = b.nodes;
	for (i = 0; i < b.n; i++)
		if (cnt[i] > 1)
			qsort_r(order + off[i], cnt[i], sizeof(*order), cmp_kids, &ks);

	t->prof = p;
	t->n = (uint32_t)b.n;
	t->ntypes = nt;
	t->parent = xcalloc_arr(b.n, sizeof(uint32_t), &rc);
	t->name = xcalloc_arr(b.n, sizeof(uint32_t), &rc);
	t->func = xcalloc_arr(b.n, sizeof(uint32_t), &rc);
	t->depth = xcalloc_arr(b.n, sizeof(uint32_t), &rc);
	t->size = xcalloc_arr(b.n, sizeof(uint32_t), &rc);
	t->kid_off = xcalloc_arr(b.n, sizeof(uint32_t), &rc);
	t->nkids = xcalloc_arr(b.n, sizeof(uint32_t), &rc);
	t->kids = xcalloc_arr(b.n, sizeof(uint32_t), &rc);
	t->self = xcalloc_arr(b.n * nt, sizeof(int64_t), &rc);
	t->total = xcalloc_arr(b.n * nt, sizeof(int64_t), &rc);
	if (rc)
		goto done;

	/* depth-first preorder numbering; the stack holds old ids, kids pushed reversed */
	{
		uint32_t next = 0;

		stack[sp++] = 0;
		while (sp) {
			uint32_t old = stack[--sp], id = next++;
			const struct tmp_node *tn = &b.nodes[old];

			newid[old] = id;
			t->name[id] = tn->name;
			t->func[id] = tn->func;
			t->parent[id] = old == 0 ? 0 : newid[tn->parent];
			t->depth[id] = old == 0 ? 0 : t->depth[t->parent[id]] + 1;
			if (t->depth[id] > t->max_depth)
				t->max_depth = t->depth[id];
			memcpy(t->self + (size_t)id * nt, b.self + (size_t)old * nt,
			       nt * sizeof(int64_t));
			for (k = cnt[old]; k-- > 0;)
				stack[sp++] = order[off[old] + k];
		}
	}
	/* children lists in new ids: kids of a node are consecutive in name order */
	for (i = 0; i < b.n; i++) {
		uint32_t id = newid[i];

		t->nkids[id] = cnt[i];
	}
	{
		uint32_t pos = 0;

		for (i = 0; i < t->n; i++) {
			t->kid_off[i] = pos;
			pos += t->nkids[i];
		}
		for (i = 0; i < b.n; i++) {
			uint32_t id = newid[i];

			for (k = 0; k < cnt[i]; k++)
				t->kids[t->kid_off[id] + k] = newid[order[off[i] + k]];
		}
	}
	/* totals and subtree sizes, children before parents (reverse preorder) */
	for (i = t->n; i-- > 0;) {
		uint32_t par = t->parent[i], ty;

		t->size[i] += 1;
		for (ty = 0; ty < nt; ty++)
			t->total[(size_t)i * nt + ty] += t->self[(size_t)i * nt + ty];
		if (i == 0)
			break;
		t->size[par] += t->size[i];
		for (ty = 0; ty < nt; ty++)
			t->total[(size_t)par * nt + ty] += t->total[(size_t)i * nt + ty];
	}
	*out = t;
	t = NULL;
done:
	hmap_release(&b.kids);
	free(b.nodes);
	free(b.self);
	free(cnt);
	free(off);
	free(order);
	free(newid);
	free(stack);
	tree_free(t);
	return rc;
}

void tree_free(struct tree *t)
{
	if (!t)
		return;
	free(t->parent);
	free(t->name);
	free(t->func);
	free(t->depth);
	free(t->size);
	free(t->kid_off);
	free(t->nkids);
	free(t->kids);
	free(t->self);
	free(t->total);
	free(t);
}
