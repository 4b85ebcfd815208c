/*
 * tree.c — building the call tree from the samples.
 *
 * 1. Samples with identical location stacks are merged (labelled profiles repeat
 *    stacks a lot).
 * 2. Each distinct stack is expanded into frames, root first (inlined lines outermost
 *    first), each frame written as the rank of its name in byte order — stored
 *    big-endian, so that memcmp() orders stacks the way the ranks do.
 * 3. The stacks are sorted and walked in order: a stack shares its longest common
 *    prefix with the previous one and creates nodes only for the rest.  No lookups are
 *    needed, and nodes are created in depth-first preorder with children in name order —
 *    the tree's final numbering.  A node is finished (subtree size, total added to its
 *    parent) when the walk leaves it, so there is no second pass over the nodes.
 */
#include "tree.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/err.h"
#include "base/hmap.h"
#include "base/vec.h"

static inline uint32_t be32(uint32_t x)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap32(x);
#else
	return x;
#endif
}

struct stacks {
	uint32_t n;
	uint32_t *off, *len;   /* frames of stack i: frames[off[i] .. off[i] + len[i]) */
	uint32_t *frames;      /* name ranks, big-endian */
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
	size_t cap_first = 0, cap_vals = 0, cap_off = 0, cap_len = 0, cap_fr = 0;
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
			    /* + 1: never NULL, so `frames + off` is defined for empty stacks */
			    (rc = vec_reserve(&st->frames, &cap_fr, st->nframes + nf + 1)))
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

					st->frames[st->nframes++] = be32(rank[p->functions[f].name]);
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
	free(st->values);
}

static int cmp_stacks(const void *a, const void *b, void *arg)
{
	const struct stacks *st = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	uint32_t n = st->len[x] < st->len[y] ? st->len[x] : st->len[y];
	int r = memcmp(st->frames + st->off[x], st->frames + st->off[y], n * sizeof(uint32_t));

	return r ? r : st->len[x] < st->len[y] ? -1 : st->len[x] > st->len[y];
}

static void *xcalloc_arr(size_t n, size_t sz, int *rc)
{
	void *p = calloc(n ? n : 1, sz);

	if (!p)
		*rc = err_set(ERR_NOMEM, "out of memory (call tree)");
	return p;
}

/*
 * The per-node arrays, carved from one block: written once, in order, and never read
 * before being written (fresh pages are faulted in once, not mapped to the zero page
 * first).  Transparent huge pages (madvise) were measured and left out: they halve the
 * page faults but the kernel's compaction made the first build of a large tree up to 2×
 * slower, and the first build is the one a user waits for.
 */
static int alloc_nodes(struct tree *t, size_t nodes)
{
	size_t nt = t->ntypes, off = 0;
	size_t o_parent, o_name, o_depth, o_size, o_self, o_total, o_rec;
	uint8_t *blk;

#define SLICE(o, bytes) (o = off, off += ((bytes) + 63) & ~(size_t)63)
	SLICE(o_self, nodes * nt * sizeof(int64_t));
	SLICE(o_total, nodes * nt * sizeof(int64_t));
	SLICE(o_parent, nodes * sizeof(uint32_t));
	SLICE(o_name, nodes * sizeof(uint32_t));
	SLICE(o_depth, nodes * sizeof(uint32_t));
	SLICE(o_size, nodes * sizeof(uint32_t));
	SLICE(o_rec, nodes);
#undef SLICE
	blk = malloc(off ? off : 1);
	if (!blk)
		return err_set(ERR_NOMEM, "out of memory (call tree of %zu nodes)", nodes);
	t->block = blk;
	t->self = (int64_t *)(blk + o_self);
	t->total = (int64_t *)(blk + o_total);
	t->parent = (uint32_t *)(blk + o_parent);
	t->name = (uint32_t *)(blk + o_name);
	t->depth = (uint32_t *)(blk + o_depth);
	t->size = (uint32_t *)(blk + o_size);
	t->recursive = blk + o_rec;
	return 0;
}

/* Leaves the nodes of the current path deeper than `keep`: sizes, totals, recursion. */
static void close_path(struct tree *t, const uint32_t *path, const uint32_t *pathfr,
		       uint32_t *onpath, uint32_t plen, uint32_t keep)
{
	uint32_t d, ty, nt = t->ntypes;

	for (d = plen; d > keep; d--) {
		uint32_t node = path[d], par = path[d - 1];
		const int64_t *src = t->total + (size_t)node * nt;
		int64_t *dst = t->total + (size_t)par * nt;

		t->size[node] = t->n - node;
		for (ty = 0; ty < nt; ty++)
			dst[ty] += src[ty];
		onpath[pathfr[d - 1]]--;
	}
}

int tree_build(const struct prof *p, struct tree **out)
{
	struct stacks st = { 0 };
	struct tree *t = NULL;
	uint32_t *rank = NULL, *names = NULL, *order = NULL, *lcp = NULL, *path = NULL;
	uint32_t *pathfr = NULL;
	uint32_t *onpath = NULL;  /* per name rank: frames with that name on the current path */
	uint32_t i, j, nt = p->ntypes, plen = 0, maxlen = 0;
	size_t nodes = 1;
	int rc = 0;

	*out = NULL;
	if ((rc = name_ranks(p, &rank, &names)) || (rc = collect_stacks(p, rank, &st)))
		goto done;
	order = xcalloc_arr(st.n, sizeof(*order), &rc);
	lcp = xcalloc_arr(st.n, sizeof(*lcp), &rc);
	t = calloc(1, sizeof(*t));
	if (rc || !t) {
		rc = rc ? rc : err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < st.n; i++)
		order[i] = i;
	qsort_r(order, st.n, sizeof(*order), cmp_stacks, &st);
	/* the prefix each stack shares with the previous one, and so the node count */
	for (i = 0; i < st.n; i++) {
		uint32_t s = order[i], l = 0;

		if (i > 0) {
			uint32_t r = order[i - 1], m = st.len[s] < st.len[r] ? st.len[s] : st.len[r];
			const uint32_t *fs = st.frames + st.off[s], *fr = st.frames + st.off[r];

			while (l < m && fs[l] == fr[l])
				l++;
		}
		lcp[i] = l;
		nodes += st.len[s] - l;
		if (st.len[s] > maxlen)
			maxlen = st.len[s];
	}
	if (nodes >= UINT32_MAX) {
		rc = err_set(ERR_TOOBIG, "call tree too large");
		goto done;
	}
	path = xcalloc_arr((size_t)maxlen + 1, sizeof(*path), &rc);
	pathfr = xcalloc_arr((size_t)maxlen + 1, sizeof(*pathfr), &rc);
	onpath = xcalloc_arr(p->nfunctions + 1, sizeof(*onpath), &rc);
	t->prof = p;
	t->ntypes = nt;
	if (rc || (rc = alloc_nodes(t, nodes)))
		goto done;
	t->parent[0] = t->name[0] = t->depth[0] = 0;
	t->recursive[0] = 0;
	memset(t->self, 0, nt * sizeof(int64_t));
	memset(t->total, 0, nt * sizeof(int64_t));
	t->n = 1;
	path[0] = 0; /* path[d] = node at depth d of the previous stack */
	for (i = 0; i < st.n; i++) {
		uint32_t s = order[i], len = st.len[s], l = lcp[i], ty, node;
		const uint32_t *fr = st.frames + st.off[s];
		const int64_t *v = st.values + (size_t)s * nt;

		close_path(t, path, pathfr, onpath, plen, l);
		for (j = l; j < len; j++) {
			uint32_t id = t->n++, r = be32(fr[j]);

			t->parent[id] = path[j];
			t->name[id] = names[r];
			t->depth[id] = j + 1;
			path[j + 1] = id;
			pathfr[j] = r;
			t->recursive[id] = onpath[r] > 0;
			onpath[r]++;
			for (ty = 0; ty < nt; ty++)
				t->self[(size_t)id * nt + ty] = t->total[(size_t)id * nt + ty] = 0;
		}
		if (len > t->max_depth)
			t->max_depth = len;
		plen = len;
		node = path[len];
		for (ty = 0; ty < nt; ty++) {
			t->self[(size_t)node * nt + ty] += v[ty];
			t->total[(size_t)node * nt + ty] += v[ty];
		}
	}
	close_path(t, path, pathfr, onpath, plen, 0);
	t->size[0] = t->n;
	*out = t;
	t = NULL;
done:
	stacks_release(&st);
	free(rank);
	free(names);
	free(order);
	free(lcp);
	free(path);
	free(pathfr);
	free(onpath);
	tree_free(t);
	return rc;
}

uint32_t tree_nkids(const struct tree *t, uint32_t n)
{
	uint32_t k, c = 0;

	for (k = tree_first_kid(t, n); k != PROF_NONE; k = tree_next_kid(t, n, k))
		c++;
	return c;
}

void tree_free(struct tree *t)
{
	if (!t)
		return;
	free(t->block);
	free(t);
}
