/*
 * tree.c — building the call tree from the samples.
 *
 * 1. Samples with identical location stacks are merged (labelled profiles repeat
 *    stacks a lot).
 * 2. Each distinct stack is expanded into frames, root first (inlined lines outermost
 *    first), each frame written as the rank of its name in byte order.
 * 3. The stacks are sorted lexicographically by those ranks and walked in order: a stack
 *    shares its longest common prefix with the previous one and creates nodes only for
 *    the rest.  No lookups are needed, and nodes are created in depth-first preorder
 *    with children in name order — the tree's final numbering.
 */
#include "tree.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/err.h"
#include "base/hmap.h"
#include "base/vec.h"

struct stacks {
	uint32_t n;
	uint32_t *off, *len;   /* frames of stack i: frames[off[i] .. off[i] + len[i]) */
	uint32_t *frames;      /* name ranks */
	uint32_t *funcs;       /* the function of each frame */
	int64_t *values;       /* n * ntypes */
	size_t nframes;
};

static int cmp_str_ids(const void *a, const void *b, void *arg)
{
	const struct prof *p = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	size_t lx = prof_strlen(p, x), ly = prof_strlen(p, y);
	int r = memcmp(prof_str(p, x), prof_str(p, y), lx < ly ? lx : ly);

	return r ? r : lx < ly ? -1 : lx > ly;
}

/* rank[name id] for the names functions use, in byte order; *names maps rank → id. */
static int name_ranks(const struct prof *p, uint32_t **rank_out, uint32_t **names_out)
{
	uint32_t *rank = calloc(p->nstrs ? p->nstrs : 1, sizeof(*rank));
	uint32_t *ids = malloc((p->nfunctions ? p->nfunctions : 1) * sizeof(*ids));
	uint32_t i, n = 0;

	if (!rank || !ids) {
		free(rank);
		free(ids);
		return err_set(ERR_NOMEM, "out of memory (call tree)");
	}
	for (i = 0; i < p->nfunctions; i++) {
		uint32_t name = p->functions[i].name;

		if (!rank[name]) {
			rank[name] = 1; /* seen */
			ids[n++] = name;
		}
	}
	qsort_r(ids, n, sizeof(*ids), cmp_str_ids, (void *)p);
	for (i = 0; i < n; i++)
		rank[ids[i]] = i;
	*rank_out = rank;
	*names_out = ids;
	return 0;
}

/* Steps 1 and 2: distinct stacks, expanded into ranked frames. */
static int collect_stacks(const struct prof *p, const uint32_t *rank, struct stacks *st)
{
	struct hmap uniq;
	uint32_t *first = NULL;
	size_t cap_first = 0, cap_vals = 0, cap_off = 0, cap_len = 0, cap_fr = 0, cap_fn = 0;
	uint32_t i, t, u, j, k;
	int rc;

	memset(st, 0, sizeof(*st));
	if ((rc = hmap_init(&uniq, p->nsamples / 2 + 16)))
		return rc;
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];
		uint64_t key = XXH3_64bits(p->sample_locs + s->loc_off, s->nlocs * sizeof(uint32_t));

		for (;;) {
			if (key == HMAP_EMPTY)
				key = 0;
			if ((rc = hmap_intern(&uniq, key, st->n, &u)) < 0)
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
		if (u == st->n) {
			size_t nf = 0;

			for (j = 0; j < s->nlocs; j++)
				nf += p->locations[p->sample_locs[s->loc_off + j]].nlines;
			if (st->nframes + nf > UINT32_MAX) {
				rc = err_set(ERR_TOOBIG, "call tree too large");
				goto done;
			}
			if ((rc = vec_reserve(&first, &cap_first, (size_t)st->n + 1)) ||
			    (rc = vec_reserve(&st->values, &cap_vals, ((size_t)st->n + 1) * p->ntypes)) ||
			    (rc = vec_reserve(&st->off, &cap_off, (size_t)st->n + 1)) ||
			    (rc = vec_reserve(&st->len, &cap_len, (size_t)st->n + 1)) ||
			    (rc = vec_reserve(&st->frames, &cap_fr, st->nframes + nf)) ||
			    (rc = vec_reserve(&st->funcs, &cap_fn, st->nframes + nf)))
				goto done;
			first[u] = i;
			st->off[u] = (uint32_t)st->nframes;
			st->len[u] = (uint32_t)nf;
			memset(st->values + (size_t)u * p->ntypes, 0, p->ntypes * sizeof(int64_t));
			/* root first: last location first, and its lines outermost first */
			for (j = s->nlocs; j-- > 0;) {
				const struct prof_location *l = &p->locations[p->sample_locs[s->loc_off + j]];

				for (k = l->nlines; k-- > 0;) {
					uint32_t f = p->lines[l->line_off + k].func;

					st->funcs[st->nframes] = f;
					st->frames[st->nframes++] = rank[p->functions[f].name];
				}
			}
			st->n++;
		}
		for (t = 0; t < p->ntypes; t++)
			st->values[(size_t)u * p->ntypes + t] += prof_value(p, i, t);
	}
	rc = 0;
done:
	hmap_release(&uniq);
	free(first);
	return rc;
}

static void stacks_release(struct stacks *st)
{
	free(st->off);
	free(st->len);
	free(st->frames);
	free(st->funcs);
	free(st->values);
}

static int cmp_stacks(const void *a, const void *b, void *arg)
{
	const struct stacks *st = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	const uint32_t *fx = st->frames + st->off[x], *fy = st->frames + st->off[y];
	uint32_t n = st->len[x] < st->len[y] ? st->len[x] : st->len[y], i;

	for (i = 0; i < n; i++)
		if (fx[i] != fy[i])
			return fx[i] < fy[i] ? -1 : 1;
	return st->len[x] < st->len[y] ? -1 : st->len[x] > st->len[y];
}

static void *xcalloc_arr(size_t n, size_t sz, int *rc)
{
	void *p = calloc(n ? n : 1, sz);

	if (!p)
		*rc = err_set(ERR_NOMEM, "out of memory (call tree)");
	return p;
}

/* Grows the per-node arrays to hold node `id`. */
static int grow_nodes(struct tree *t, size_t *cap, uint32_t id)
{
	size_t ncap = *cap, i;
	uint32_t **u32s[] = { &t->parent, &t->name, &t->func, &t->depth };
	int rc;

	if (id < *cap)
		return 0;
	ncap = (size_t)id + 1;
	for (i = 0; i < sizeof(u32s) / sizeof(u32s[0]); i++) {
		size_t c = *cap;

		if ((rc = vec_reserve(u32s[i], &c, ncap)))
			return rc;
	}
	{
		size_t c = *cap * t->ntypes;

		if ((rc = vec_reserve(&t->self, &c, ncap * t->ntypes)))
			return rc;
	}
	*cap = ncap;
	return 0;
}

int tree_build(const struct prof *p, struct tree **out)
{
	struct stacks st = { 0 };
	struct tree *t = NULL;
	uint32_t *rank = NULL, *names = NULL, *order = NULL, *path = NULL, *pathfr = NULL;
	uint32_t *onpath = NULL;  /* per name rank: frames with that name on the current path */
	uint32_t i, j, nt = p->ntypes, plen = 0;
	size_t cap = 0;
	int rc = 0;

	*out = NULL;
	if ((rc = name_ranks(p, &rank, &names)) || (rc = collect_stacks(p, rank, &st)))
		goto done;
	order = xcalloc_arr(st.n, sizeof(*order), &rc);
	t = calloc(1, sizeof(*t));
	if (rc || !t) {
		rc = rc ? rc : err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < st.n; i++)
		order[i] = i;
	qsort_r(order, st.n, sizeof(*order), cmp_stacks, &st);
	{
		uint32_t maxlen = 0;

		for (i = 0; i < st.n; i++)
			if (st.len[i] > maxlen)
				maxlen = st.len[i];
		path = xcalloc_arr((size_t)maxlen + 1, sizeof(*path), &rc);
		pathfr = xcalloc_arr((size_t)maxlen + 1, sizeof(*pathfr), &rc);
		onpath = xcalloc_arr(p->nfunctions + 1, sizeof(*onpath), &rc);
		if (rc)
			goto done;
	}
	t->prof = p;
	t->ntypes = nt;
	{
		/* count the nodes first (sum of stack lengths past the shared prefix) */
		size_t nodes = 1;
		uint32_t prev = UINT32_MAX;

		for (i = 0; i < st.n; i++) {
			uint32_t s = order[i], l = 0;

			if (prev != UINT32_MAX)
				while (l < st.len[s] && l < st.len[prev] &&
				       st.frames[st.off[s] + l] == st.frames[st.off[prev] + l])
					l++;
			nodes += st.len[s] - l;
			prev = s;
		}
		if (nodes >= UINT32_MAX) {
			rc = err_set(ERR_TOOBIG, "call tree too large");
			goto done;
		}
		if ((rc = grow_nodes(t, &cap, (uint32_t)nodes - 1)))
			goto done;
		t->recursive = xcalloc_arr(nodes, 1, &rc);
		if (rc)
			goto done;
	}
	t->parent[0] = 0;
	t->name[0] = 0;
	t->func[0] = PROF_NONE;
	t->depth[0] = 0;
	memset(t->self, 0, nt * sizeof(int64_t));
	t->n = 1;
	path[0] = 0; /* path[d] = node at depth d of the previous stack */
	for (i = 0; i < st.n; i++) {
		uint32_t s = order[i], len = st.len[s], l = 0, ty;
		const uint32_t *fr = st.frames + st.off[s];
		uint32_t node;

		while (l < len && l < plen && pathfr[l] == fr[l])
			l++;
		for (j = l; j < plen; j++)
			onpath[pathfr[j]]--;
		for (j = l; j < len; j++) {
			uint32_t id = t->n;

			if (id == UINT32_MAX) {
				rc = err_set(ERR_TOOBIG, "call tree too large");
				goto done;
			}
			if ((rc = grow_nodes(t, &cap, id)))
				goto done;
			t->parent[id] = path[j];
			t->name[id] = names[fr[j]];
			t->func[id] = st.funcs[st.off[s] + j];
			t->depth[id] = j + 1;
			memset(t->self + (size_t)id * nt, 0, nt * sizeof(int64_t));
			if (j + 1 > t->max_depth)
				t->max_depth = j + 1;
			path[j + 1] = id;
			pathfr[j] = fr[j];
			t->recursive[id] = onpath[fr[j]] > 0;
			onpath[fr[j]]++;
			t->n++;
		}
		plen = len;
		node = path[len];
		for (ty = 0; ty < nt; ty++)
			t->self[(size_t)node * nt + ty] += st.values[(size_t)s * nt + ty];
	}
	/* children: ids grow in preorder, so filling by id keeps name order */
	t->size = xcalloc_arr(t->n, sizeof(uint32_t), &rc);
	t->kid_off = xcalloc_arr(t->n, sizeof(uint32_t), &rc);
	t->nkids = xcalloc_arr(t->n, sizeof(uint32_t), &rc);
	t->kids = xcalloc_arr(t->n, sizeof(uint32_t), &rc);
	t->total = xcalloc_arr((size_t)t->n * nt, sizeof(int64_t), &rc);
	if (rc)
		goto done;
	for (i = 1; i < t->n; i++)
		t->nkids[t->parent[i]]++;
	{
		uint32_t pos = 0;

		for (i = 0; i < t->n; i++) {
			t->kid_off[i] = pos;
			pos += t->nkids[i];
			t->nkids[i] = 0;
		}
		for (i = 1; i < t->n; i++) {
			uint32_t par = t->parent[i];

			t->kids[t->kid_off[par] + t->nkids[par]++] = i;
		}
	}
	/* totals and subtree sizes, children before parents (reverse preorder) */
	memcpy(t->total, t->self, (size_t)t->n * nt * sizeof(int64_t));
	for (i = t->n; i-- > 1;) {
		uint32_t par = t->parent[i], ty;

		t->size[i] += 1;
		t->size[par] += t->size[i];
		for (ty = 0; ty < nt; ty++)
			t->total[(size_t)par * nt + ty] += t->total[(size_t)i * nt + ty];
	}
	t->size[0] += 1;
	*out = t;
	t = NULL;
done:
	stacks_release(&st);
	free(rank);
	free(names);
	free(order);
	free(path);
	free(pathfr);
	free(onpath);
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
	free(t->recursive);
	free(t->kid_off);
	free(t->nkids);
	free(t->kids);
	free(t->self);
	free(t->total);
	free(t);
}
