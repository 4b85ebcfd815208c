/*
 * tree.c — building the call tree from the samples.
 *
 * 1. Samples with identical location stacks are merged (labelled profiles repeat
 *    stacks a lot): an xxh3 hash of the location ids, then a memcmp.
 * 2. Each distinct stack is expanded into frames, root first (inlined lines outermost
 *    first), each frame written as 1 + the rank of its name in byte order and the stack
 *    ended by a 0.  Every location's frames are ranked once beforehand (one word holds a
 *    location of one or two lines), so expanding a stack is copying a word per location.
 * 3. The stacks are sorted by an MSD radix sort on the frames: a group of stacks that
 *    share a prefix is split by the frame that follows it, so a frame is read about once
 *    per stack however long the prefixes the stacks share, and the prefix each stack
 *    shares with the one before it in order (its LCP) falls out of the splits.
 * 4. The sorted stacks are walked in order: a stack shares its LCP with the previous
 *    one and creates nodes only for the rest.  No lookups are needed, and nodes are
 *    created in depth-first preorder with children in name order — the tree's final
 *    numbering.  A node is finished when the walk leaves it: its size is the nodes
 *    created since, its total the values of the stacks walked since (a difference of
 *    running sums), so there is no second pass over the nodes.
 *
 * A large profile (TREE_PAR_SAMPLES) takes two threads.  Steps 1 to 3 run on two parts
 * of the samples, one per thread (the first thread also ranks the names, which the second
 * waits for before step 2), and the sorted parts are merged in one pass that keeps the
 * LCPs.  A stack found in both parts comes out twice, which is harmless: the second copy
 * shares all its frames with the first, so it creates no node and adds its values to the
 * same one.  The walk is cut into segments of about as many nodes, which the threads take
 * in turn; each starts from the path its first stack shares with the stacks before
 * (rebuilt from the LCPs) and keeps what it adds to those nodes, which earlier segments
 * own, apart until all are done.
 *
 * Faulting in fresh pages costs about as much as the walk itself on a large tree, so the
 * node arrays and the frames are faulted in a chunk at a time just ahead of their writer,
 * with one call per range (MADV_POPULATE_WRITE) instead of a fault per page.
 *
 * tree_build_cancellable() reads its cancel flag once every CANCEL_EVERY samples,
 * locations, stacks sorted or merged, or stacks walked, on whichever thread does them
 * (the walk in chunks of that many stacks, so its inner loop has no extra test): a
 * relaxed load of a flag that stays in the cache, unmeasurable next to that much work.
 */
#include "tree.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xxhash.h>

#include "base/err.h"
#include "base/hmap.h"

/* Nodes, and frames, faulted in at a time ahead of the walk (expansion) writing them. */
#define POP_CHUNK 32768
#define POP_FRAMES 65536

/* locw of a location with other than one or two lines (frame values stay below 2^31). */
#define LOC_MULTI ((uint64_t)1 << 63)

/* Samples from which a second thread pays for itself (starting one costs ~0.1 ms). */
#define TREE_PAR_SAMPLES 16384

/* Segments of the walk shared by the two threads: enough to even out their loads. */
#define TREE_SEGS 8

/* Units of work (a power of two) between two reads of the cancel flag. */
#define CANCEL_EVERY 4096

struct build;

/*
 * A stack, once expanded, is its frame values root first, ended by a 0, after a header
 * of its length and its id; it is handled by a pointer to its first frame.
 */
#define STK_HDR 2

static inline uint32_t stk_len(const uint32_t *fr)
{
	return fr[-2];
}

static inline uint32_t stk_id(const uint32_t *fr)
{
	return fr[-1];
}

/* Sorting: the stacks ord[lo .. hi) of a part, which share their first `depth` frames. */
struct grp {
	uint32_t lo, hi, depth;
};

/*
 * The distinct stacks of the samples [lo, hi): collected, expanded and sorted by one
 * thread.  Its stacks get the ids lo … lo + n - 1 (so two parts never share an id).
 */
struct part {
	struct build *b;
	uint32_t lo, hi, n;
	uint32_t maxlen;
	size_t nlocs;      /* locations of the stacks */
	uint32_t *frames;  /* the stacks, in id order */
	size_t nframes, cap; /* words used, allocated */
	uint32_t *ord;     /* offsets in frames of the stacks' first frames, sorted */
	uint32_t *lcp;     /* lcp[i]: frames ord[i] shares with ord[i - 1] */
	/* working memory, allocated by the first thread (part_init): its heap is warm */
	struct hmap uniq;
	struct grp *todo;
	uint64_t *keys, *tmp;
};

struct build {
	const struct prof *p;
	atomic_int *cancel;  /* may be NULL */
	uint32_t nt;
	size_t pagesz;
	uint32_t nnames;
	uint32_t kbits;      /* bits of the largest frame value, nnames */
	uint32_t *names;     /* frame value (1 + rank) → string id; names[0] = 0 */
	uint64_t *locw;      /* per location: its frame values, outermost first, in the low
				then the high half (0: none); or LOC_MULTI | where its frames
				are in locmulti: their count, then the values, outermost first */
	uint32_t *locmulti;
	/* names and locw are being written by another thread until ranked is set */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool ranked;
	int rank_rc;
	/* per stack id (at most one per sample) */
	uint32_t *first;     /* the sample that brought the stack in */
	int64_t *values;     /* ntypes per stack */
	struct part parts[2];
	uint32_t nparts;
	/* all stacks in order, and the frames each shares with the one before */
	uint32_t nst;
	const uint32_t **ord;
	uint32_t *lcp;
};

/* ERR_CANCELLED once the build's flag is set (the message on the calling thread). */
static int cancelled(const struct build *b)
{
	if (b->cancel && atomic_load_explicit(b->cancel, memory_order_relaxed))
		return err_set(ERR_CANCELLED, "call tree cancelled");
	return 0;
}

static void *xmalloc_arr(size_t n, size_t sz, int *rc)
{
	void *p = NULL;

	if (!*rc && (n > SIZE_MAX / sz || !(p = malloc(n ? n * sz : 1))))
		*rc = err_set(ERR_NOMEM, "out of memory (call tree)");
	return p;
}

static int cmp_str_ids(const void *a, const void *b, void *arg)
{
	const struct prof *p = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	size_t lx = prof_strlen(p, x), ly = prof_strlen(p, y);
	int r = memcmp(prof_str(p, x), prof_str(p, y), lx < ly ? lx : ly);

	return r ? r : lx < ly ? -1 : lx > ly;
}

/*
 * The frame value of every function name (1 + its rank in byte order, so that 0 can end
 * a stack), and the frames of every location in those values.
 */
static int rank_locations(struct build *b)
{
	const struct prof *p = b->p;
	uint32_t *val, *ids, i, k, n = 0, w = 0;
	int rc;

	/* frame values must stay clear of LOC_MULTI in the high half of locw */
	if (p->nfunctions >= 0x80000000u)
		return err_set(ERR_TOOBIG, "call tree too large");
	val = calloc(p->nstrs ? p->nstrs : 1, sizeof(*val));
	ids = malloc(((size_t)p->nfunctions + 1) * sizeof(*ids));
	if (!val || !ids) {
		free(val);
		free(ids);
		return err_set(ERR_NOMEM, "out of memory (call tree)");
	}
	for (i = 0; i < p->nfunctions; i++) {
		uint32_t name = p->functions[i].name;

		if (!val[name]) {
			val[name] = 1; /* seen */
			ids[n++] = name;
		}
	}
	qsort_r(ids, n, sizeof(*ids), cmp_str_ids, (void *)p);
	for (i = n; i > 0; i--) {
		ids[i] = ids[i - 1];
		val[ids[i]] = i;
	}
	ids[0] = 0;
	b->names = ids;
	b->nnames = n;
	for (b->kbits = 0; b->kbits < 32 && (n >> b->kbits); b->kbits++)
		;
	for (i = 0; i < p->nlocations; i++) {
		const struct prof_location *l = &p->locations[i];

		if ((i & (CANCEL_EVERY - 1)) == 0 && (rc = cancelled(b))) {
			free(val);
			return rc; /* ids is b->names, which build_release() frees */
		}
		if (l->nlines == 1 || l->nlines == 2) {
			uint32_t in = val[p->functions[p->lines[l->line_off].func].name];

			b->locw[i] = l->nlines == 1 ? in :
				     val[p->functions[p->lines[l->line_off + 1].func].name] |
				     (uint64_t)in << 32;
			continue;
		}
		b->locw[i] = LOC_MULTI | w;
		b->locmulti[w++] = l->nlines;
		for (k = l->nlines; k-- > 0;)
			b->locmulti[w++] = val[p->functions[p->lines[l->line_off + k].func].name];
	}
	free(val);
	return 0;
}

/* rank_locations(), then lets the parts waiting for it go on (or give up). */
static int rank_and_signal(struct build *b)
{
	int rc = rank_locations(b);

	pthread_mutex_lock(&b->mu);
	b->ranked = true;
	b->rank_rc = rc;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	return rc;
}

static int wait_ranked(struct build *b)
{
	int rc;

	pthread_mutex_lock(&b->mu);
	while (!b->ranked)
		pthread_cond_wait(&b->cv, &b->mu);
	rc = b->rank_rc;
	pthread_mutex_unlock(&b->mu);
	return rc;
}

/* Step 1 for one part: its distinct stacks and their values. */
static int part_collect(struct part *pt)
{
	struct build *b = pt->b;
	const struct prof *p = b->p;
	uint32_t i, t, u, nt = b->nt;
	struct hmap *uniq = &pt->uniq;
	int rc;

	pt->n = 0;
	pt->nlocs = 0;
	for (i = pt->lo; i < pt->hi; i++) {
		const struct prof_sample *s = &p->samples[i];
		const uint32_t *locs = p->sample_locs + s->loc_off;
		uint64_t key = XXH3_64bits(locs, s->nlocs * sizeof(uint32_t));
		int64_t *v;

		if (((i - pt->lo) & (CANCEL_EVERY - 1)) == 0 && (rc = cancelled(b)))
			goto done;
		for (;;) {
			if (key == HMAP_EMPTY)
				key = 0;
			if ((rc = hmap_intern(uniq, key, pt->n, &u)) < 0)
				goto done;
			if (rc == 0)
				break; /* new */
			{
				const struct prof_sample *r = &p->samples[b->first[pt->lo + u]];

				if (r->nlocs == s->nlocs &&
				    memcmp(p->sample_locs + r->loc_off, locs,
					   s->nlocs * sizeof(uint32_t)) == 0)
					break;
			}
			key = hmap_mix(key + 1);
		}
		v = b->values + (size_t)(pt->lo + u) * nt;
		if (u == pt->n) {
			b->first[pt->lo + u] = i;
			pt->nlocs += s->nlocs;
			memset(v, 0, nt * sizeof(*v));
			pt->n++;
		}
		for (t = 0; t < nt; t++)
			v[t] += prof_value(p, i, t);
	}
	rc = 0;
done:
	hmap_release(uniq);
	return rc;
}

/*
 * Faults in the pages of [p, p + len) in one call (MADV_POPULATE_WRITE): a fault per page
 * costs more than the work done on the page here, and the kernel does a range for less.
 * Pages are only mapped, never written, so another thread may be writing them.
 */
static void populate(void *p, size_t len, size_t pagesz)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)(pagesz - 1);
	uintptr_t e = ((uintptr_t)p + len) & ~(uintptr_t)(pagesz - 1);

	if (e > a)
		(void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)len;
	(void)pagesz;
#endif
}

/* Makes room for `need` words of frames. */
static int frames_room(struct part *pt, size_t need)
{
	size_t cap = pt->cap + pt->cap / 2 + 16;
	uint32_t *f;

	if (cap < need)
		cap = need;
	if (cap > SIZE_MAX / sizeof(*f) || !(f = realloc(pt->frames, cap * sizeof(*f))))
		return err_set(ERR_NOMEM, "out of memory (call tree of %zu frames)", cap);
	pt->frames = f;
	pt->cap = cap;
	return 0;
}

/*
 * Step 2 for one part: the frames of its stacks; ord gets them in id order.  Room is made
 * for two frames a location (all but a few have one or two lines), and more when needed.
 */
static int part_expand(struct part *pt)
{
	struct build *b = pt->b;
	const struct prof *p = b->p;
	const uint64_t *lw = b->locw;
	uint32_t s, j, k, *f;
	size_t w = 0, pop = 0;
	int rc;

	pt->maxlen = 0;
	if ((rc = frames_room(pt, 2 * pt->nlocs + (size_t)(STK_HDR + 2) * pt->n)))
		return rc;
	f = pt->frames;
	for (s = pt->lo; s < pt->lo + pt->n; s++) {
		const struct prof_sample *sm = &p->samples[b->first[s]];
		const uint32_t *locs = p->sample_locs + sm->loc_off;
		size_t start, need = w + STK_HDR + 2 * (size_t)sm->nlocs + 2;

		if (((s - pt->lo) & (CANCEL_EVERY - 1)) == 0 && (rc = cancelled(b)))
			return rc;
		if (need > pt->cap) {
			if ((rc = frames_room(pt, need)))
				return rc;
			f = pt->frames;
		}
		for (; pop < pt->cap && pop < need + POP_FRAMES / 2; pop += POP_FRAMES)
			populate(f + pop, (pt->cap - pop < POP_FRAMES ? pt->cap - pop : POP_FRAMES) *
				 sizeof(*f), b->pagesz);
		f[w + 1] = s;
		w = start = w + STK_HDR;
		/* root first: last location first */
		for (j = sm->nlocs; j-- > 0;) {
			uint64_t x = lw[locs[j]];

			if (j >= 8)
				__builtin_prefetch(&lw[locs[j - 8]]);
			if (!(x & LOC_MULTI)) {
				/*
				 * Both halves, without a branch on the second one (a quarter of Go's
				 * locations have two lines): a word too many is written over by the
				 * next frame or the stack's 0.
				 */
				f[w] = (uint32_t)x;
				f[w + 1] = (uint32_t)(x >> 32);
				w += 1 + (x >> 32 != 0);
			} else {
				const uint32_t *m = b->locmulti + (x & ~LOC_MULTI);

				need = w + m[0] + 2 * (size_t)j + 2;
				if (need > pt->cap) {
					if ((rc = frames_room(pt, need)))
						return rc;
					f = pt->frames;
				}
				for (k = 1; k <= m[0]; k++)
					f[w++] = m[k];
			}
		}
		f[w++] = 0;
		if (w > UINT32_MAX)
			return err_set(ERR_TOOBIG, "call tree too large");
		f[start - STK_HDR] = (uint32_t)(w - 1 - start);
		if (w - 1 - start > pt->maxlen)
			pt->maxlen = (uint32_t)(w - 1 - start);
		pt->ord[s - pt->lo] = (uint32_t)start;
	}
	pt->nframes = w;
	return 0;
}

/* Sorts v[0 .. n) by the high halves (frame values below 2^kbits), with tmp as room. */
static void sort_keys(uint64_t *v, uint64_t *tmp, uint32_t n, uint32_t kbits)
{
	uint64_t *src, *dst;
	uint32_t i, j, shift;

	if (n <= 24) {
		for (i = 1; i < n; i++) {
			uint64_t x = v[i];

			for (j = i; j > 0 && v[j - 1] > x; j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
		return;
	}
	src = v;
	dst = tmp;
	for (shift = 32; shift < 32 + kbits; shift += 8) {
		uint32_t cnt[256] = { 0 }, sum = 0, c;
		uint64_t *sw;

		for (i = 0; i < n; i++)
			cnt[(src[i] >> shift) & 255]++;
		if (cnt[(src[0] >> shift) & 255] == n)
			continue; /* one digit for all */
		for (i = 0; i < 256; i++) {
			c = cnt[i];
			cnt[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[cnt[(src[i] >> shift) & 255]++] = src[i];
		sw = src;
		src = dst;
		dst = sw;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
}

/*
 * Step 3: sorts a part's stacks (pt->ord, offsets of their frames): a group of stacks that
 * share their first d frames is split by frame d.  todo has room for n / 2 + 1 groups,
 * keys and tmp for n keys each.  The work between reads of the cancel flag is counted in
 * stacks of the groups split.
 */
static int sort_stacks(struct part *pt, struct grp *todo, uint64_t *keys, uint64_t *tmp)
{
	const uint32_t *fr = pt->frames;
	uint32_t *ord = pt->ord, *lcp = pt->lcp, kbits = pt->b->kbits;
	uint32_t ntodo = 0, work = 0;
	int rc;

	if (pt->n < 2)
		return 0;
	todo[ntodo++] = (struct grp){ 0, pt->n, 0 };
	while (ntodo) {
		struct grp g = todo[--ntodo];
		uint32_t lo = g.lo, hi = g.hi, d = UINT32_MAX, i, e;
		uint64_t *kv = keys + lo;
		const uint32_t *x = fr + ord[lo];

		if ((work += hi - lo) >= CANCEL_EVERY) {
			work = 0;
			if ((rc = cancelled(pt->b)))
				return rc;
		}

		/*
		 * The prefix the whole group shares: the shortest the first stack shares
		 * with another one.  Each stack is read in order (not one frame of every
		 * stack per depth, which goes round the cache for a large group).
		 */
		for (i = lo + 1; i < hi && d > g.depth; i++) {
			const uint32_t *y = fr + ord[i];
			uint32_t l = g.depth;

			while (l < d && x[l] == y[l] && x[l])
				l++;
			d = l;
		}
		for (i = lo; i < hi; i++)
			kv[i - lo] = (uint64_t)fr[ord[i] + d] << 32 | ord[i];
		if (x[d] == 0) {
			/* when all stacks end at d, they are the same */
			for (i = lo; i < hi && (kv[i - lo] >> 32) == 0; i++)
				;
			if (i == hi) {
				for (i = lo + 1; i < hi; i++)
					lcp[i] = d;
				continue;
			}
		}
		sort_keys(kv, tmp, hi - lo, kbits);
		for (i = lo; i < hi; i = e) {
			uint32_t k = (uint32_t)(kv[i - lo] >> 32);

			ord[i] = (uint32_t)kv[i - lo];
			for (e = i + 1; e < hi && (uint32_t)(kv[e - lo] >> 32) == k; e++)
				ord[e] = (uint32_t)kv[e - lo];
			if (i > lo)
				lcp[i] = d;
			if (k == 0) {
				uint32_t q;

				for (q = i + 1; q < e; q++)
					lcp[q] = d;
			} else if (e - i > 1) {
				todo[ntodo++] = (struct grp){ i, e, d + 1 };
			}
		}
	}
	return 0;
}

/* Steps 1 to 3 for one part; a part on a second thread waits for the ranks to expand. */
static int part_run(struct part *pt)
{
	int rc;

	if ((rc = part_collect(pt)) || (rc = wait_ranked(pt->b)) || (rc = part_expand(pt)))
		return rc;
	if (pt->n)
		pt->lcp[0] = 0;
	return sort_stacks(pt, pt->todo, pt->keys, pt->tmp);
}

/*
 * A part's working memory, sized for all its samples being distinct (the hash map never
 * grows).
 */
static int part_init(struct part *pt, struct build *b, uint32_t lo, uint32_t hi)
{
	size_t n = hi - lo;
	int rc = 0;

	*pt = (struct part){ .b = b, .lo = lo, .hi = hi };
	pt->ord = xmalloc_arr(n, sizeof(*pt->ord), &rc);
	pt->lcp = xmalloc_arr(n, sizeof(*pt->lcp), &rc);
	pt->todo = xmalloc_arr(n / 2 + 1, sizeof(*pt->todo), &rc);
	pt->keys = xmalloc_arr(n, sizeof(*pt->keys), &rc);
	pt->tmp = xmalloc_arr(n, sizeof(*pt->tmp), &rc);
	if (rc || (rc = hmap_init(&pt->uniq, n * 2 / 3 + 16)))
		return rc;
	return 0;
}

static void part_release(struct part *pt)
{
	free(pt->frames);
	free(pt->ord);
	free(pt->lcp);
	free(pt->todo);
	free(pt->keys);
	free(pt->tmp);
	hmap_release(&pt->uniq);
}

/* The first frame from `from` on where two stacks differ (their length when equal). */
static inline uint32_t first_diff(const uint32_t *x, const uint32_t *y, uint32_t from)
{
	while (x[from] == y[from] && x[from])
		from++;
	return from;
}

/*
 * Merges the two sorted parts into ord / lcp.  ha, hb: frames the next stack of each part
 * shares with the last one merged.  When they differ the one sharing more is the smaller
 * (the other one differs from the last stack earlier, by a greater frame); when they are
 * equal the stacks are compared from there on.  So each frame is compared about once.
 */
static int merge_parts(struct build *b)
{
	const struct part *pa = &b->parts[0], *pb = &b->parts[1];
	const uint32_t *fa = pa->frames, *oa = pa->ord, *la = pa->lcp;
	const uint32_t *fb = pb->frames, *ob = pb->ord, *lb = pb->lcp;
	uint32_t i = 0, j = 0, k = 0, ha = 0, hb = 0, na = pa->n, nb = pb->n;
	int rc;

	while (i < na && j < nb) {
		bool take_a;

		if ((k & (CANCEL_EVERY - 1)) == 0 && (rc = cancelled(b)))
			return rc;

		if (i + 8 < na)
			__builtin_prefetch(fa + oa[i + 8] + la[i + 8]);
		if (j + 8 < nb)
			__builtin_prefetch(fb + ob[j + 8] + lb[j + 8]);
		if (ha != hb) {
			take_a = ha > hb;
		} else {
			const uint32_t *x = fa + oa[i], *y = fb + ob[j];
			uint32_t d = first_diff(x, y, ha);

			take_a = x[d] <= y[d];
			if (take_a)
				hb = d;
			else
				ha = d;
		}
		if (take_a) {
			b->ord[k] = fa + oa[i];
			b->lcp[k++] = ha;
			if (++i < na)
				ha = la[i];
		} else {
			b->ord[k] = fb + ob[j];
			b->lcp[k++] = hb;
			if (++j < nb)
				hb = lb[j];
		}
	}
	for (; i < na; i++, k++) {
		b->ord[k] = fa + oa[i];
		b->lcp[k] = ha;
		if (i + 1 < na)
			ha = la[i + 1];
	}
	for (; j < nb; j++, k++) {
		b->ord[k] = fb + ob[j];
		b->lcp[k] = hb;
		if (j + 1 < nb)
			hb = lb[j + 1];
	}
	return 0;
}

/* A phase's work on the second thread. */
struct job {
	int (*fn)(void *);
	void *arg;
	int rc;
	char err[256];
};

static void *job_main(void *arg)
{
	struct job *j = arg;

	j->rc = j->fn(j->arg);
	if (j->rc)
		snprintf(j->err, sizeof(j->err), "%s", err_last());
	return NULL;
}

/*
 * Runs fa(a) on this thread and fb(b) on a second one — or here, after fa, when no thread
 * can be started.  Returns the first error, its message set on this thread.
 */
static int run_pair(int (*fa)(void *), void *a, int (*fb)(void *), void *b)
{
	struct job j = { .fn = fb, .arg = b };
	pthread_t th;
	bool started = pthread_create(&th, NULL, job_main, &j) == 0;
	int rc = fa(a);

	if (started)
		pthread_join(th, NULL);
	else if (!rc)
		return fb(b);
	if (!rc && j.rc)
		rc = err_set(j.rc, "%s", j.err);
	return rc;
}

/*
 * The per-node arrays, carved from one block: written once, in order, and never read
 * before being written (fresh pages are faulted in once, by walk_populate(), not mapped
 * to the zero page first).  Transparent huge pages (madvise) were measured and left out:
 * they halve the page faults but the kernel's compaction made the first build of a large
 * tree up to 2× slower, and the first build is the one a user waits for.
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

/*
 * Step 4, cut into segments: stretches of the sorted stacks that create about as many
 * nodes, walked one at a time by whichever thread is free (a thread slowed down by the
 * rest of the machine just takes fewer).  A segment starts from the path its first stack
 * shares with the stacks before, rebuilt from the LCPs; those nodes belong to earlier
 * segments, so what it adds to them is kept apart (seg.shared, seg.closed) and added in
 * segment order once all are done.  The root belongs to no segment.
 *
 * A node's total is the sum of the values of the stacks from the one that created it to
 * the one that leaves it, so it is a difference of running sums, written once when the
 * node is left.
 */
struct seg {
	uint32_t from, to;   /* its stacks */
	uint32_t start, end; /* the nodes it creates */
	uint32_t nshared;    /* depth of the path it starts from: lcp[from] */
	uint32_t *path;      /* the ids of those nodes, root first */
	int64_t *shared;     /* 2 ntypes per depth: self, then total added to path[d] */
	uint32_t *closed;    /* per depth: the node count when path[d] was left */
	uint32_t max_depth;
};

/* The segments, and where the walkers are in taking them. */
struct segs {
	struct tree *t;
	const struct build *b;
	struct seg *seg;
	uint32_t n;
	atomic_uint next;
};

/* One thread's walk through a segment. */
struct walk {
	struct tree *t;
	const struct build *b;
	uint32_t n;        /* the next node id */
	uint32_t base;     /* first node id the segment creates: those below are shared */
	uint32_t plen;     /* depth of the previous stack */
	uint32_t max_depth;
	uint32_t *path;    /* path[d]: the node at depth d of the previous stack */
	const uint32_t *prev; /* the previous stack's frames: prev[d - 1] is path[d]'s */
	uint32_t *onpath;  /* per frame value: nodes with that name on the path */
	uint64_t *acc;     /* ntypes: sum of the values of the stacks walked (wrapping) */
	uint64_t *pacc;    /* ntypes per depth: acc when the node at that depth was created */
	int64_t *shared;   /* the segment's */
	uint32_t *closed;
	uint32_t pop, end; /* nodes [.., pop) are faulted in; the walk creates nodes up to end */
	size_t pagesz;
	struct segs *segs;
};

/*
 * Faults in the next chunk of nodes of every array: a chunk at a time, just ahead of the
 * walk, so that the freshly cleared pages are still in the cache when it writes them.
 */
static void walk_populate(struct walk *w)
{
	struct tree *t = w->t;
	size_t a = w->pop, n = (w->end - w->pop < POP_CHUNK ? w->end - w->pop : POP_CHUNK);
	size_t nt = t->ntypes;

	populate(t->self + a * nt, n * nt * sizeof(int64_t), w->pagesz);
	populate(t->total + a * nt, n * nt * sizeof(int64_t), w->pagesz);
	populate(t->parent + a, n * sizeof(uint32_t), w->pagesz);
	populate(t->name + a, n * sizeof(uint32_t), w->pagesz);
	populate(t->depth + a, n * sizeof(uint32_t), w->pagesz);
	populate(t->size + a, n * sizeof(uint32_t), w->pagesz);
	populate(t->recursive + a, n, w->pagesz);
	w->pop += (uint32_t)n;
}

/*
 * Leaves the nodes of the path deeper than `keep`: sizes, totals, recursion.  acc is
 * w->acc or a copy of it in registers.
 */
static inline __attribute__((always_inline)) void
walk_close(struct walk *w, uint32_t keep, uint32_t nt, const uint64_t *acc)
{
	struct tree *t = w->t;
	uint32_t d, ty;

	for (d = w->plen; d > keep; d--) {
		uint32_t node = w->path[d];
		const uint64_t *pa = w->pacc + (size_t)d * nt;
		int64_t *tot;

		if (__builtin_expect(node >= w->base, 1)) {
			t->size[node] = w->n - node;
			tot = t->total + (size_t)node * nt;
		} else {
			w->closed[d] = w->n;
			tot = w->shared + ((size_t)d * 2 + 1) * nt;
		}
		for (ty = 0; ty < nt; ty++)
			tot[ty] = (int64_t)(acc[ty] - pa[ty]);
		w->onpath[w->prev[d - 1]]--;
	}
	w->plen = keep;
}

/*
 * nt is a constant where this is inlined for one or two sample types.  The walk works
 * on a local copy of its state, which the compiler can keep in registers (stores to the
 * node arrays could otherwise change it, as far as it knows).
 */
static inline __attribute__((always_inline)) void
walk_stacks_nt(struct walk *wp, uint32_t from, uint32_t to, uint32_t nt)
{
	struct walk w = *wp;
	const struct build *b = w.b;
	struct tree *t = w.t;
	const uint32_t *names = b->names, *lcp = b->lcp;
	const uint32_t **ord = b->ord;
	uint32_t *parent = t->parent, *name = t->name, *depth = t->depth;
	uint8_t *rec = t->recursive;
	uint64_t accl[2], *acc = nt <= 2 ? accl : w.acc;
	uint32_t i, j, ty;

	if (nt <= 2)
		memcpy(accl, w.acc, nt * sizeof(*acc));
	for (i = from; i < to; i++) {
		const uint32_t *fr = ord[i];
		uint32_t len = stk_len(fr), l = lcp[i], node;
		const int64_t *v = b->values + (size_t)stk_id(fr) * nt;
		int64_t *self;

		/* the stacks are scattered in memory: fetch ahead */
		if (i + 16 < to)
			__builtin_prefetch(ord[i + 16] - STK_HDR);
		if (i + 8 < to) {
			__builtin_prefetch(ord[i + 8] + lcp[i + 8]);
			__builtin_prefetch(b->values + (size_t)stk_id(ord[i + 8]) * nt);
		}
		while (w.pop < w.end && w.pop < (uint64_t)w.n + POP_CHUNK / 2 + len)
			walk_populate(&w);
		walk_close(&w, l, nt, acc);
		for (j = l; j < len; j++) {
			uint32_t id = w.n++, r = fr[j];

			parent[id] = w.path[j];
			name[id] = names[r];
			depth[id] = j + 1;
			w.path[j + 1] = id;
			rec[id] = w.onpath[r] > 0;
			w.onpath[r]++;
			/*
			 * total is only set when the node is left, but writing it now, in
			 * order, has its cache line at hand then (measured: a quarter faster)
			 */
			for (ty = 0; ty < nt; ty++) {
				w.pacc[(size_t)(j + 1) * nt + ty] = acc[ty];
				t->self[(size_t)id * nt + ty] = 0;
				t->total[(size_t)id * nt + ty] = 0;
			}
		}
		if (len > w.max_depth)
			w.max_depth = len;
		w.plen = len;
		w.prev = fr;
		node = w.path[len];
		if (__builtin_expect(node >= w.base, 1))
			self = t->self + (size_t)node * nt;
		else
			self = w.shared + (size_t)len * 2 * nt;
		for (ty = 0; ty < nt; ty++) {
			self[ty] += v[ty];
			acc[ty] += (uint64_t)v[ty];
		}
	}
	if (nt <= 2)
		memcpy(w.acc, accl, nt * sizeof(*acc));
	*wp = w;
}

/* The stacks [from, to) in chunks of CANCEL_EVERY, reading the cancel flag before each. */
static int walk_stacks(struct walk *w, uint32_t from, uint32_t to)
{
	uint32_t nt = w->t->ntypes, i, e;
	int rc;

	for (i = from; i < to; i = e) {
		e = to - i > CANCEL_EVERY ? i + CANCEL_EVERY : to;
		if ((rc = cancelled(w->b)))
			return rc;
		if (nt == 1)
			walk_stacks_nt(w, i, e, 1);
		else if (nt == 2)
			walk_stacks_nt(w, i, e, 2);
		else
			walk_stacks_nt(w, i, e, nt);
	}
	return 0;
}

/* Leaves every node but the root; the root's total is all the walk has seen. */
static void walk_finish(struct walk *w)
{
	uint32_t nt = w->t->ntypes, ty;

	walk_close(w, 0, nt, w->acc);
	for (ty = 0; ty < nt; ty++)
		w->shared[nt + ty] = (int64_t)w->acc[ty];
}

/*
 * Walks segment sg: the path of the nodes its first stack shares with the ones before
 * is rebuilt from the LCPs (the node at depth d was created by the last stack before
 * that shares fewer than d frames).  Leaves w's buffers as it found them: all zero
 * onpath counts (not when cancelled: the walk is over then).
 */
static int walk_seg(struct walk *w, struct seg *sg)
{
	const struct build *b = w->b;
	uint32_t need = sg->nshared, k = sg->from, id = sg->start, d, nt = b->nt;
	int rc;

	w->base = w->n = w->pop = sg->start;
	w->end = sg->end;
	w->plen = need;
	w->max_depth = 0;
	w->path[0] = 0;
	while (need > 0) {
		uint32_t l;

		k--;
		l = b->lcp[k];
		id -= stk_len(b->ord[k]) - l;
		if (l < need) {
			for (d = l + 1; d <= need; d++)
				w->path[d] = id + (d - l - 1);
			need = l;
		}
	}
	memcpy(sg->path, w->path, ((size_t)sg->nshared + 1) * sizeof(*sg->path));
	/* the first nshared frames of its first stack are the path's */
	w->prev = sg->from < b->nst ? b->ord[sg->from] : NULL;
	for (d = 1; d <= sg->nshared; d++)
		w->onpath[w->prev[d - 1]]++;
	memset(w->pacc, 0, ((size_t)sg->nshared + 1) * nt * sizeof(*w->pacc));
	memset(w->acc, 0, nt * sizeof(*w->acc));
	w->shared = sg->shared;
	w->closed = sg->closed;
	if ((rc = walk_stacks(w, sg->from, sg->to)))
		return rc;
	walk_finish(w);
	sg->max_depth = w->max_depth;
	return 0;
}

static int walk_job(void *arg)
{
	struct walk *w = arg;
	struct segs *ss = w->segs;
	unsigned k;
	int rc;

	while ((k = atomic_fetch_add_explicit(&ss->next, 1, memory_order_relaxed)) < ss->n)
		if ((rc = walk_seg(w, &ss->seg[k])))
			return rc;
	return 0;
}

static void walk_release(struct walk *w)
{
	free(w->path);
	free(w->onpath);
	free(w->acc);
	free(w->pacc);
}

static int walk_init(struct walk *w, struct segs *ss, uint32_t maxlen, size_t pagesz)
{
	size_t depths = (size_t)maxlen + 1;
	int rc = 0;

	w->t = ss->t;
	w->b = ss->b;
	w->segs = ss;
	w->pagesz = pagesz;
	w->path = xmalloc_arr(depths, sizeof(*w->path), &rc);
	w->pacc = xmalloc_arr(depths * ss->b->nt, sizeof(*w->pacc), &rc);
	w->acc = xmalloc_arr(ss->b->nt, sizeof(*w->acc), &rc);
	w->onpath = calloc((size_t)ss->b->nnames + 1, sizeof(*w->onpath));
	if (!rc && !w->onpath)
		rc = err_set(ERR_NOMEM, "out of memory (call tree)");
	return rc;
}

static void segs_release(struct segs *ss)
{
	uint32_t k;

	for (k = 0; ss->seg && k < ss->n; k++) {
		free(ss->seg[k].path);
		free(ss->seg[k].shared);
		free(ss->seg[k].closed);
	}
	free(ss->seg);
}

/* Cuts the sorted stacks into n segments of about as many of the nodes. */
static int segs_init(struct segs *ss, uint32_t n, size_t nodes)
{
	const struct build *b = ss->b;
	uint32_t k, i = 0, nt = b->nt;
	size_t id = 1;
	int rc = 0;

	ss->seg = calloc(n, sizeof(*ss->seg));
	if (!ss->seg)
		return err_set(ERR_NOMEM, "out of memory (call tree)");
	ss->n = n;
	atomic_init(&ss->next, 0);
	for (k = 0; k < n; k++) {
		struct seg *sg = &ss->seg[k];
		size_t upto = (nodes - 1) * (k + 1) / n + 1, depths;

		sg->from = i;
		sg->start = (uint32_t)id;
		for (; i < b->nst && (id < upto || k + 1 == n); i++) {
			if (i + 16 < b->nst)
				__builtin_prefetch(b->ord[i + 16] - STK_HDR);
			id += stk_len(b->ord[i]) - b->lcp[i];
		}
		sg->to = i;
		sg->end = (uint32_t)id;
		sg->nshared = sg->from < b->nst ? b->lcp[sg->from] : 0;
		depths = (size_t)sg->nshared + 1;
		sg->path = xmalloc_arr(depths, sizeof(*sg->path), &rc);
		sg->closed = xmalloc_arr(depths, sizeof(*sg->closed), &rc);
		sg->shared = calloc(depths * 2 * nt + 1, sizeof(*sg->shared));
		if (!rc && !sg->shared)
			rc = err_set(ERR_NOMEM, "out of memory (call tree)");
		if (rc)
			return rc;
	}
	return 0;
}

static inline int64_t add64(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

/*
 * Adds what each segment found below the nodes of earlier segments, in order: a node's
 * size is set by the last segment that started under it, which is the one that left it.
 */
static void segs_join(struct segs *ss)
{
	struct tree *t = ss->t;
	uint32_t k, d, ty, nt = t->ntypes;

	for (k = 0; k < ss->n; k++) {
		const struct seg *sg = &ss->seg[k];

		for (d = 0; d <= sg->nshared; d++) {
			uint32_t node = sg->path[d];
			const int64_t *sh = sg->shared + (size_t)d * 2 * nt;
			int64_t *self = t->self + (size_t)node * nt, *tot = t->total + (size_t)node * nt;

			if (d > 0)
				t->size[node] = sg->closed[d] - node;
			for (ty = 0; ty < nt; ty++) {
				self[ty] = add64(self[ty], sh[ty]);
				tot[ty] = add64(tot[ty], sh[nt + ty]);
			}
		}
		if (sg->max_depth > t->max_depth)
			t->max_depth = sg->max_depth;
	}
}

static void build_release(struct build *b)
{
	uint32_t i;

	for (i = 0; i < b->nparts; i++)
		part_release(&b->parts[i]);
	free(b->names);
	free(b->locw);
	free(b->locmulti);
	free(b->first);
	free(b->values);
	free(b->ord);
	free(b->lcp);
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->cv);
}

/*
 * Where the second part starts.  The first thread also ranks the names, so part 0 takes
 * fewer samples: ranking costs about as much as collecting and expanding one sample
 * location per location plus 16 per function (measured on Go profiles).
 */
static uint32_t split_samples(const struct prof *p)
{
	size_t locs = 0, rank_cost = p->nlocations + (size_t)16 * p->nfunctions, half;
	uint32_t i;

	half = p->nsample_locs > rank_cost ? (p->nsample_locs - rank_cost) / 2 : 0;
	for (i = 0; i < p->nsamples && locs < half; i++)
		locs += p->samples[i].nlocs;
	return i;
}

static int part_job(void *arg)
{
	return part_run(arg);
}

static int rank_and_part_job(void *arg)
{
	struct part *pt = arg;
	int rc = rank_and_signal(pt->b);

	return rc ? rc : part_run(pt);
}

int tree_build(const struct prof *p, struct tree **out)
{
	return tree_build_cancellable(p, NULL, out);
}

/*
 * A signed profile (pprof's -diff_base form, new - base): each node's magnitude
 * |self| + the magnitudes of its children, bottom up (children follow their parent in
 * preorder), so a node whose gains and losses cancel is as wide as what changed under it.
 * Nothing when no value is negative: |total| is the magnitude then.
 */
static int signed_magnitudes(struct tree *t)
{
	size_t nt = t->ntypes, k, all = (size_t)t->n * nt;
	uint32_t id;
	int64_t *m;

	for (k = 0; k < all && t->self[k] >= 0; k++)
		;
	if (k == all)
		return 0;
	if (!(m = malloc(all * sizeof(*m))))
		return err_set(ERR_NOMEM, "out of memory (call tree)");
	for (k = 0; k < all; k++)
		m[k] = t->self[k] >= 0 ? t->self[k] : t->self[k] == INT64_MIN ? INT64_MAX : -t->self[k];
	for (id = t->n; id-- > 1;)
		for (k = 0; k < nt; k++) {
			int64_t *up = &m[(size_t)t->parent[id] * nt + k];

			*up = *up > INT64_MAX - m[(size_t)id * nt + k] ? INT64_MAX
									 : *up + m[(size_t)id * nt + k];
		}
	t->mag = m;
	return 0;
}

int tree_build_cancellable(const struct prof *p, atomic_int *cancel, struct tree **out)
{
	struct build b = { .p = p, .cancel = cancel, .nt = p->ntypes,
			   .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };
	struct tree *t = NULL;
	struct walk w = { 0 }, w2 = { 0 };
	struct segs ss = { 0 };
	uint32_t i, maxlen = 0, ns = p->nsamples ? p->nsamples : 1;
	size_t nodes = 1, nlf = 0;
	int rc = 0;

	*out = NULL;
	b.pagesz = (size_t)sysconf(_SC_PAGESIZE);
	b.locw = xmalloc_arr(p->nlocations, sizeof(*b.locw), &rc);
	if (rc)
		goto done;
	for (i = 0; i < p->nlocations; i++) {
		uint32_t c = p->locations[i].nlines;

		if (c != 1 && c != 2)
			nlf += (size_t)c + 1;
	}
	if (nlf >= UINT32_MAX) {
		rc = err_set(ERR_TOOBIG, "call tree too large");
		goto done;
	}
	b.locmulti = xmalloc_arr(nlf, sizeof(*b.locmulti), &rc);
	b.first = xmalloc_arr(ns, sizeof(*b.first), &rc);
	b.values = xmalloc_arr((size_t)ns * b.nt, sizeof(*b.values), &rc);
	if (rc)
		goto done;
	/* steps 1 to 3: a large profile in two parts, one per thread, merged */
	if (p->nsamples >= TREE_PAR_SAMPLES) {
		uint32_t h = split_samples(p);

		b.nparts = 2;
		if ((rc = part_init(&b.parts[0], &b, 0, h)) ||
		    (rc = part_init(&b.parts[1], &b, h, p->nsamples)) ||
		    (rc = run_pair(rank_and_part_job, &b.parts[0], part_job, &b.parts[1])))
			goto done;
		b.nst = b.parts[0].n + b.parts[1].n;
		b.ord = xmalloc_arr(b.nst, sizeof(*b.ord), &rc);
		b.lcp = xmalloc_arr(b.nst, sizeof(*b.lcp), &rc);
		if (rc || (rc = merge_parts(&b)))
			goto done;
	} else {
		struct part *pt = &b.parts[0];

		b.nparts = 1;
		if ((rc = part_init(pt, &b, 0, p->nsamples)) || (rc = rank_and_part_job(pt)))
			goto done;
		b.nst = pt->n;
		b.ord = xmalloc_arr(b.nst, sizeof(*b.ord), &rc);
		if (rc)
			goto done;
		for (i = 0; i < b.nst; i++)
			b.ord[i] = pt->frames + pt->ord[i];
		b.lcp = pt->lcp;
		pt->lcp = NULL;
	}
	for (i = 0; i < b.nparts; i++) {
		const struct part *pt = &b.parts[i];

		/* every frame of every stack, less the ones shared with the one before */
		nodes += pt->nframes - (size_t)(STK_HDR + 1) * pt->n;
		if (pt->maxlen > maxlen)
			maxlen = pt->maxlen;
	}
	for (i = 0; i < b.nst; i++)
		nodes -= b.lcp[i];
	if (nodes >= UINT32_MAX) {
		rc = err_set(ERR_TOOBIG, "call tree too large");
		goto done;
	}
	/* step 4: one segment, or many shared by two threads for a large profile */
	t = calloc(1, sizeof(*t));
	if (!t) {
		rc = err_set(ERR_NOMEM, "out of memory (call tree)");
		goto done;
	}
	t->prof = p;
	t->ntypes = b.nt;
	ss.t = t;
	ss.b = &b;
	if ((rc = cancelled(&b)) ||
	    (rc = segs_init(&ss, b.nparts == 2 ? TREE_SEGS : 1, nodes)) ||
	    (rc = walk_init(&w, &ss, maxlen, b.pagesz)) ||
	    (b.nparts == 2 && (rc = walk_init(&w2, &ss, maxlen, b.pagesz))) ||
	    (rc = alloc_nodes(t, nodes)))
		goto done;
	t->n = (uint32_t)nodes;
	t->parent[0] = t->name[0] = t->depth[0] = 0;
	t->recursive[0] = 0;
	t->size[0] = t->n;
	memset(t->self, 0, b.nt * sizeof(int64_t));
	memset(t->total, 0, b.nt * sizeof(int64_t));
	if ((rc = b.nparts == 2 ? run_pair(walk_job, &w, walk_job, &w2) : walk_job(&w)))
		goto done;
	segs_join(&ss);
	if ((rc = signed_magnitudes(t)))
		goto done;
	*out = t;
	t = NULL;
done:
	build_release(&b);
	walk_release(&w);
	walk_release(&w2);
	segs_release(&ss);
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
	free(t->mag);
	free(t);
}
