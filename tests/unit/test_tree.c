/*
 * test_tree.c — profile/tree.h and profile/top.h on small hand-written folded profiles,
 * where every number can be checked by hand, and pprof's recursion rule for cum; and the
 * flame layout of a tree at the limits of int64 (profile/flame.h).
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "profile/builder.h"
#include "profile/flame.h"
#include "profile/list.h"
#include "profile/merge.h"
#include "profile/recursion.h"

struct fx {
	struct prof *p;
	struct tree *t;
	struct top top;
};

static void fx_open(struct fx *f, const char *folded)
{
	memset(f, 0, sizeof(*f));
	f->p = tu_decode_str(folded);
	tu_check_invariants(f->p);
	tu_top(f->p, "samples", &f->t, &f->top);
}

static void fx_close(struct fx *f)
{
	top_release(&f->top);
	tree_free(f->t);
	prof_free(f->p);
}

static void assert_row(const struct fx *f, const char *name, int64_t flat, int64_t cum)
{
	const struct top_row *r = tu_top_row(&f->top, f->p, name);

	if (!r)
		fail_msg("no top row '%s'", name);
	tu_assert_i64(r->flat, flat);
	tu_assert_i64(r->cum, cum);
	assert_string_equal(tree_name(f->t, top_widest(f->t, 0, r->name)), name);
}

/* Node names in preorder joined by spaces, e.g. "all a b c d x". */
static const char *preorder(const struct tree *t)
{
	static char s[1024];
	size_t n = 0;
	uint32_t i;

	s[0] = '\0';
	for (i = 0; i < t->n && n < sizeof(s); i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%s%s", i ? " " : "", tree_name(t, i));
	return s;
}

/*
 *   all 11 ─┬─ a 10 ─┬─ b 5 (self 2) ── c 3 (self 3)
 *           │        └─ d 5 (self 5)
 *           └─ x 1 (self 1)
 * Written out of order, so the name order of kids is the tree's doing.
 */
#define SIMPLE "x 1\na;d 5\na;b;c 3\na;b 2\n"

static void test_totals_and_self(void **state)
{
	static const struct {
		const char *name;
		int64_t self, total;
		uint32_t depth, size;
	} want[] = {
		{ "all", 0, 11, 0, 6 }, { "a", 0, 10, 1, 4 }, { "b", 2, 5, 2, 2 },
		{ "c", 3, 3, 3, 1 },    { "d", 5, 5, 2, 1 },  { "x", 1, 1, 1, 1 },
	};
	struct fx f;
	uint32_t i;

	(void)state;
	fx_open(&f, SIMPLE);
	assert_int_equal(f.p->nsamples, 4);
	assert_int_equal(f.t->n, 6);
	assert_int_equal(f.t->ntypes, 1);
	assert_int_equal(f.t->max_depth, 3);
	assert_string_equal(preorder(f.t), "all a b c d x");
	for (i = 0; i < 6; i++) {
		assert_string_equal(tree_name(f.t, i), want[i].name);
		tu_assert_i64(tree_self(f.t, i, 0), want[i].self);
		tu_assert_i64(tree_total(f.t, i, 0), want[i].total);
		assert_int_equal(f.t->depth[i], want[i].depth);
		assert_int_equal(f.t->size[i], want[i].size);
	}
	fx_close(&f);
}

static void test_kids_and_ranges(void **state)
{
	struct fx f;

	(void)state;
	fx_open(&f, SIMPLE);
	/* all: a, x */
	assert_int_equal(tree_nkids(f.t, 0), 2);
	assert_int_equal(tree_first_kid(f.t, 0), 1);
	assert_int_equal(tree_next_kid(f.t, 0, 1), 5);
	assert_int_equal(tree_next_kid(f.t, 0, 5), PROF_NONE);
	/* a: b, d */
	assert_int_equal(tree_nkids(f.t, 1), 2);
	assert_int_equal(tree_first_kid(f.t, 1), 2);
	assert_int_equal(tree_next_kid(f.t, 1, 2), 4);
	assert_int_equal(tree_next_kid(f.t, 1, 4), PROF_NONE);
	/* b: c; leaves have none */
	assert_int_equal(tree_nkids(f.t, 2), 1);
	assert_int_equal(tree_first_kid(f.t, 2), 3);
	assert_int_equal(tree_next_kid(f.t, 2, 3), PROF_NONE);
	assert_int_equal(tree_first_kid(f.t, 3), PROF_NONE);
	assert_int_equal(tree_first_kid(f.t, 4), PROF_NONE);
	assert_int_equal(tree_first_kid(f.t, 5), PROF_NONE);
	/* parents */
	assert_int_equal(f.t->parent[0], 0);
	assert_int_equal(f.t->parent[1], 0);
	assert_int_equal(f.t->parent[2], 1);
	assert_int_equal(f.t->parent[3], 2);
	assert_int_equal(f.t->parent[4], 1);
	assert_int_equal(f.t->parent[5], 0);
	/* a subtree is the id range [n, n + size[n]) */
	assert_true(tree_is_ancestor(f.t, 1, 3));
	assert_true(tree_is_ancestor(f.t, 1, 4));
	assert_true(tree_is_ancestor(f.t, 2, 2));
	assert_false(tree_is_ancestor(f.t, 2, 4));
	assert_false(tree_is_ancestor(f.t, 1, 5));
	assert_false(tree_is_ancestor(f.t, 3, 2));
	assert_true(tree_is_ancestor(f.t, 0, 5));
	fx_close(&f);
}

static void test_top_simple(void **state)
{
	struct fx f;

	(void)state;
	fx_open(&f, SIMPLE);
	tu_assert_i64(f.top.total, 11);
	assert_int_equal(f.top.n, 5);
	assert_row(&f, "a", 0, 10);
	assert_row(&f, "b", 2, 5);
	assert_row(&f, "c", 3, 3);
	assert_row(&f, "d", 5, 5);
	assert_row(&f, "x", 1, 1);
	fx_close(&f);
}

static const char *order(const struct fx *f)
{
	static char s[256];
	size_t n = 0;
	uint32_t i;

	s[0] = '\0';
	for (i = 0; i < f->top.n; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%s%s", i ? " " : "",
				      prof_str(f->p, f->top.rows[i].name));
	return s;
}

static void test_top_sort(void **state)
{
	struct fx f;

	(void)state;
	fx_open(&f, SIMPLE);
	/* pprof: |flat| desc, then name */
	top_sort(&f.top, f.p, TOP_SORT_FLAT, false);
	assert_string_equal(order(&f), "d c b x a");
	/* cum desc, ties by flat: d (5/5) before b (2/5) */
	top_sort(&f.top, f.p, TOP_SORT_CUM, false);
	assert_string_equal(order(&f), "a d b c x");
	top_sort(&f.top, f.p, TOP_SORT_NAME, false);
	assert_string_equal(order(&f), "a b c d x");
	top_sort(&f.top, f.p, TOP_SORT_NAME, true);
	assert_string_equal(order(&f), "x d c b a");
	top_sort(&f.top, f.p, TOP_SORT_FLAT, true);
	assert_string_equal(order(&f), "a x b c d");
	fx_close(&f);

	/* equal flat: the name decides */
	fx_open(&f, "m;zeta 2\nm;alpha 2\nm;mid 2\n");
	top_sort(&f.top, f.p, TOP_SORT_FLAT, false);
	assert_string_equal(order(&f), "alpha mid zeta m");
	fx_close(&f);
}

/* pprof counts a function once per sample in cum, however often it recurses. */
static void test_recursion(void **state)
{
	struct fx f;

	(void)state;
	fx_open(&f, "a;a;a 4\n");
	assert_int_equal(f.t->n, 4); /* all → a → a → a */
	assert_int_equal(f.t->max_depth, 3);
	assert_int_equal(f.top.n, 1);
	assert_row(&f, "a", 4, 4);
	assert_int_equal(top_widest(f.t, 0, f.top.rows[0].name), 1); /* the outermost a */
	fx_close(&f);

	/* mutual recursion, and recursion below a sibling */
	fx_open(&f, "a;b;a;b 2\na 1\nb;a;a 3\n");
	assert_row(&f, "a", 4, 6);
	assert_row(&f, "b", 2, 5);
	tu_assert_i64(f.top.total, 6);
	fx_close(&f);
}

/* One name under several parents: one top row; top_widest finds the widest node. */
static void test_same_name_many_parents(void **state)
{
	struct fx f;
	const struct top_row *r;

	(void)state;
	fx_open(&f, "a;c 1\nb;c 2\nb;c;d 4\n");
	assert_string_equal(preorder(f.t), "all a c b c d");
	assert_row(&f, "c", 3, 7);
	r = tu_top_row(&f.top, f.p, "c");
	assert_int_equal(top_widest(f.t, 0, r->name), 4);
	tu_assert_i64(tree_total(f.t, 4, 0), 6);
	fx_close(&f);
}

/* Identical stacks merge into one path; samples stay as they were. */
static void test_merge(void **state)
{
	struct fx f;

	(void)state;
	fx_open(&f, "a;b 1\na;b 2\na;b 3\na 4\n");
	assert_int_equal(f.p->nsamples, 4);
	assert_int_equal(f.t->n, 3);
	tu_assert_i64(tree_self(f.t, 2, 0), 6);
	tu_assert_i64(tree_total(f.t, 1, 0), 10);
	fx_close(&f);
}

/* Negative values (diff profiles): sums keep the sign, pprof sorts by |flat|. */
static void test_negative(void **state)
{
	struct fx f;

	(void)state;
	fx_open(&f, "m;up 5\nm;down -8\nm;flat 0\n");
	tu_assert_i64(f.top.total, -3);
	assert_row(&f, "down", -8, -8);
	assert_row(&f, "m", 0, -3);
	assert_string_equal(order(&f), "down up m");
	fx_close(&f);
}

/* A deep stack (no recursion in the builder or the walks). */
static void test_deep(void **state)
{
	struct buf b = BUF_INIT;
	struct fx f;
	int i;

	(void)state;
	for (i = 0; i < 20000; i++)
		buf_printf(&b, "%sf%d", i ? ";" : "", i % 7);
	buf_puts(&b, " 9\n");
	fx_open(&f, b.data);
	assert_int_equal(f.t->max_depth, 20000);
	assert_int_equal(f.t->n, 20001);
	assert_int_equal(f.top.n, 7);
	assert_row(&f, "f0", 9, 9); /* 19999 = 7 × 2857: f0 is the leaf */
	assert_row(&f, "f5", 0, 9);
	assert_row(&f, "f6", 0, 9);
	fx_close(&f);
	buf_release(&b);
}

/* Trees of a profile with several sample types keep them apart. */
static void test_sample_types(void **state)
{
	struct prof *p = tu_decode("go/heapwork-heap.pb.gz");
	struct tree *t = NULL;
	uint32_t ty;

	(void)state;
	assert_int_equal(tree_build(p, &t), 0);
	assert_int_equal(t->ntypes, 4);
	for (ty = 0; ty < 4; ty++)
		tu_assert_i64(tree_total(t, 0, ty), prof_total(p, ty));
	tu_assert_i64(tree_total(t, 0, 3), 41608158);
	tree_free(t);
	tree_free(NULL);
	prof_free(p);
	prof_free(NULL);
}

/* The explorer's cache: every type read off the tree, and copies to sort, agree with top_compute. */
static void test_top_all_and_copy(void **state)
{
	struct prof *p = tu_decode("go/heapwork-heap.pb.gz");
	struct top all[4], one, copy;
	struct tree *t = NULL;
	uint32_t ty, i, *before;

	(void)state;
	assert_int_equal(p->ntypes, 4);
	assert_int_equal(tree_build(p, &t), 0);
	assert_int_equal(top_from_tree(t, all), 0);
	for (ty = 0; ty < 4; ty++) {
		assert_int_equal(top_compute(p, ty, &one), 0);
		assert_int_equal(top_copy(&all[ty], &copy), 0);
		before = malloc((all[ty].n + 1) * sizeof(*before));
		assert_non_null(before);
		for (i = 0; i < all[ty].n; i++)
			before[i] = all[ty].rows[i].name;
		top_sort(&one, p, TOP_SORT_FLAT, false);
		top_sort(&copy, p, TOP_SORT_NAME, true);
		top_sort(&copy, p, TOP_SORT_FLAT, false);
		/* sorting the copy leaves the cached table as it was */
		for (i = 0; i < all[ty].n; i++)
			assert_int_equal(all[ty].rows[i].name, before[i]);
		free(before);
		assert_int_equal(copy.n, one.n);
		tu_assert_i64(copy.total, one.total);
		tu_assert_i64(all[ty].total, prof_total(p, ty));
		for (i = 0; i < one.n; i++) {
			assert_int_equal(copy.rows[i].name, one.rows[i].name);
			tu_assert_i64(copy.rows[i].flat, one.rows[i].flat);
			tu_assert_i64(copy.rows[i].cum, one.rows[i].cum);
		}
		top_release(&one);
		top_release(&copy);
	}
	for (ty = 0; ty < 4; ty++)
		top_release(&all[ty]);
	tree_free(t);
	prof_free(p);
}

/* Byte order of two names (which may hold NULs), as the tree orders siblings. */
static int cmp_names(const struct tree *t, uint32_t a, uint32_t b)
{
	const struct prof *p = t->prof;
	size_t la = prof_strlen(p, t->name[a]), lb = prof_strlen(p, t->name[b]);
	int r = memcmp(prof_str(p, t->name[a]), prof_str(p, t->name[b]), la < lb ? la : lb);

	return r ? r : la < lb ? -1 : la > lb;
}

/*
 * What any call tree must satisfy, checked from its arrays alone: preorder numbering,
 * siblings in strictly increasing name order, sizes and totals that add up, recursion
 * flags as the ancestors say, and the root's total of every sample type.
 */
static void check_tree(const struct tree *t, const struct prof *p)
{
	uint32_t n, k, a, ty, maxd = 0;

	assert_int_equal(t->parent[0], 0);
	assert_int_equal(t->depth[0], 0);
	assert_int_equal(t->size[0], t->n);
	for (ty = 0; ty < t->ntypes; ty++)
		tu_assert_i64(tree_total(t, 0, ty), prof_total(p, ty));
	for (n = 0; n < t->n; n++) {
		uint32_t nodes = 1, prev = PROF_NONE;
		bool rec = false;

		if (n > 0) {
			assert_true(t->parent[n] < n);
			assert_int_equal(t->depth[n], t->depth[t->parent[n]] + 1);
			assert_true(tree_is_ancestor(t, t->parent[n], n));
			for (a = t->parent[n]; a != 0 && !rec; a = t->parent[a])
				rec = t->name[a] == t->name[n];
		}
		assert_int_equal(t->recursive[n], rec);
		if (t->depth[n] > maxd)
			maxd = t->depth[n];
		for (k = tree_first_kid(t, n); k != PROF_NONE; k = tree_next_kid(t, n, k)) {
			assert_int_equal(t->parent[k], n);
			if (prev != PROF_NONE && cmp_names(t, prev, k) >= 0)
				fail_msg("kids %u and %u of %u out of name order", prev, k, n);
			nodes += t->size[k];
			prev = k;
		}
		assert_int_equal(nodes, t->size[n]);
		for (ty = 0; ty < t->ntypes; ty++) {
			uint64_t sum = (uint64_t)tree_self(t, n, ty);

			for (k = tree_first_kid(t, n); k != PROF_NONE; k = tree_next_kid(t, n, k))
				sum += (uint64_t)tree_total(t, k, ty);
			tu_assert_i64(sum, tree_total(t, n, ty));
		}
	}
	assert_int_equal(t->max_depth, maxd);
}

/* Two trees of profiles with the same samples, their string ids apart, are the same. */
static void assert_same_tree(const struct tree *a, const struct tree *b)
{
	uint32_t i, ty;

	assert_int_equal(a->n, b->n);
	assert_int_equal(a->ntypes, b->ntypes);
	assert_int_equal(a->max_depth, b->max_depth);
	for (i = 0; i < a->n; i++) {
		if (strcmp(tree_name(a, i), tree_name(b, i)) != 0)
			fail_msg("node %u: '%s', expected '%s'", i, tree_name(a, i), tree_name(b, i));
		assert_int_equal(a->parent[i], b->parent[i]);
		assert_int_equal(a->depth[i], b->depth[i]);
		assert_int_equal(a->size[i], b->size[i]);
		assert_int_equal(a->recursive[i], b->recursive[i]);
		for (ty = 0; ty < a->ntypes; ty++) {
			tu_assert_i64(tree_self(a, i, ty), tree_self(b, i, ty));
			tu_assert_i64(tree_total(a, i, ty), tree_total(b, i, ty));
		}
	}
}

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * A profile large enough for tree_build() to split the work between two threads (40000
 * samples; tree.c does from 16384) gives the tree it gives for the same stacks merged into
 * one sample each (12000 samples: one thread).  The stacks share prefixes (each frame
 * picks among few successors of the one before), recurse, end inside one another, and
 * repeat far apart in the samples, so both threads see the same stacks.
 */
static void test_large_two_threads(void **state)
{
	enum { NSTACKS = 12000, NSAMPLES = 40000 };
	struct buf stk = BUF_INIT, big = BUF_INIT, small = BUF_INIT;
	size_t *off = malloc(NSTACKS * sizeof(*off));
	int64_t *sum = calloc(NSTACKS, sizeof(*sum));
	uint32_t seed = 2463534242u, i, j;
	struct prof *pb, *ps;
	struct tree *tb = NULL, *ts = NULL;

	(void)state;
	assert_non_null(off);
	assert_non_null(sum);
	for (i = 0; i < NSTACKS; i++) {
		uint32_t depth = 1 + xorshift(&seed) % 40, f = xorshift(&seed) % 4;

		off[i] = stk.len;
		for (j = 0; j < depth; j++) {
			buf_printf(&stk, "%sfn_%02u", j ? ";" : "", f);
			f = (f * 31 + xorshift(&seed) % 5) % 97;
		}
		buf_puts(&stk, "\n");
	}
	/* values never 0, and negative for some stacks (as in diff profiles) */
	for (i = 0; i < NSAMPLES; i++) {
		uint32_t s = xorshift(&seed) % NSTACKS;
		int64_t v = (1 + xorshift(&seed) % 8) * (s % 50 ? 1 : -1);
		const char *line = stk.data + off[s];

		buf_printf(&big, "%.*s %lld\n", (int)(strchr(line, '\n') - line), line, (long long)v);
		sum[s] += v;
	}
	for (i = 0; i < NSTACKS; i++) {
		const char *line = stk.data + off[i];

		if (!sum[i])
			continue; /* not sampled */

		buf_printf(&small, "%.*s %lld\n", (int)(strchr(line, '\n') - line), line,
			   (long long)sum[i]);
	}
	pb = tu_decode_str(big.data);
	ps = tu_decode_str(small.data);
	assert_int_equal(pb->nsamples, NSAMPLES);
	assert_true(ps->nsamples > NSTACKS * 9 / 10 && ps->nsamples < 16384);
	assert_int_equal(tree_build(pb, &tb), 0);
	assert_int_equal(tree_build(ps, &ts), 0);
	assert_true(tb->n > 100000); /* the stacks are far from all alike */
	check_tree(ts, ps);
	assert_same_tree(tb, ts);
	tree_free(tb);
	tree_free(ts);
	prof_free(pb);
	prof_free(ps);
	buf_release(&stk);
	buf_release(&big);
	buf_release(&small);
	free(off);
	free(sum);
}

/* A real profile on the two-thread path: inlined frames, two sample types, labels. */
static void test_large_real(void **state)
{
	struct prof *p = tu_decode("go/gencode3k-cpu-labels.pb.gz");
	struct tree *t = NULL;

	(void)state;
	assert_true(p->nsamples > 20000);
	assert_int_equal(tree_build(p, &t), 0);
	assert_int_equal(t->n, 513357);
	check_tree(t, p);
	tree_free(t);
	prof_free(p);
}

/*
 * One sample of value v: main (f.go:5) → f (f.go:10) → f (f.go:20), the leaf last: f
 * recurses through two of its lines.
 */
static struct prof *recursive_lines(int64_t v)
{
	struct prof_builder *b;
	struct prof *p;
	uint32_t t, u, fname, mname, file, fmain, ff, locs[3];
	struct prof_line ln;

	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "samples", 7, &t), 0);
	assert_int_equal(pb_string(b, "count", 5, &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	assert_int_equal(pb_string(b, "main", 4, &mname), 0);
	assert_int_equal(pb_string(b, "f", 1, &fname), 0);
	assert_int_equal(pb_string(b, "f.go", 4, &file), 0);
	assert_int_equal(pb_function(b, &(struct prof_function){ mname, mname, file, 1 }, &fmain), 0);
	assert_int_equal(pb_function(b, &(struct prof_function){ fname, fname, file, 8 }, &ff), 0);
	ln = (struct prof_line){ ff, 20 };
	assert_int_equal(pb_location(b, PROF_NONE, 0x30, &ln, 1, &locs[0]), 0);
	ln = (struct prof_line){ ff, 10 };
	assert_int_equal(pb_location(b, PROF_NONE, 0x20, &ln, 1, &locs[1]), 0);
	ln = (struct prof_line){ fmain, 5 };
	assert_int_equal(pb_location(b, PROF_NONE, 0x10, &ln, 1, &locs[2]), 0);
	assert_int_equal(pb_sample(b, locs, 3, &v, NULL, 0), 0);
	assert_int_equal(pb_finish(b, &p), 0);
	tu_check_invariants(p);
	return p;
}

/*
 * list's routine header cum adds a recursive sample once per line (pprof's rule), so it
 * can pass what 64 bits hold even though every sum of samples fits: it is held at
 * INT64_MAX then, never wrapped to a negative number.
 */
static void test_list_recursive_cum_saturates(void **state)
{
	int64_t v = ((int64_t)1 << 62) + ((int64_t)1 << 61);
	struct prof *p = recursive_lines(v);
	struct list l;

	(void)state;
	assert_int_equal(list_compute(p, 0, "^f$", &l), 0);
	assert_int_equal(l.n, 1);
	tu_assert_i64(l.r[0].flat, v);
	tu_assert_i64(l.r[0].cum, v);
	assert_int_equal(l.r[0].nlines, 2);
	tu_assert_i64(l.r[0].lines[0].line, 10);
	tu_assert_i64(l.r[0].lines[0].cum, v);
	tu_assert_i64(l.r[0].lines[1].line, 20);
	tu_assert_i64(l.r[0].lines[1].flat, v);
	tu_assert_i64(l.r[0].cum_lines, INT64_MAX);
	list_release(&l);
	prof_free(p);
	/* small values still add up exactly */
	p = recursive_lines(7);
	assert_int_equal(list_compute(p, 0, "^f$", &l), 0);
	assert_int_equal(l.n, 1);
	tu_assert_i64(l.r[0].cum_lines, 14);
	list_release(&l);
	prof_free(p);
}

/*
 * Many matched functions: one routine per (name, file) whatever the number of function
 * ids, sorted by name then file, each with its own numbers.  (Routines are found by hash:
 * list on 50 000 matched functions took 21 s when they were searched one by one.)
 */
static void test_list_many_functions(void **state)
{
	enum { N = 3000 };
	struct prof_builder *b;
	struct prof *p;
	struct list l;
	uint32_t t, u, files[2], i;
	char name[32];

	(void)state;
	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "samples", 7, &t), 0);
	assert_int_equal(pb_string(b, "count", 5, &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	assert_int_equal(pb_string(b, "a.go", 4, &files[0]), 0);
	assert_int_equal(pb_string(b, "b.go", 4, &files[1]), 0);
	/*
	 * fn<i> in a.go and in b.go, and a second function id for fn<i> in a.go (the same
	 * routine); fn<i> in b.go on line 2, the others on line 1
	 */
	for (i = 0; i < N; i++) {
		uint32_t nm, fa, fa2, fb, loc[3];
		int64_t v = i + 1;
		int n = snprintf(name, sizeof(name), "fn%u", i);

		assert_int_equal(pb_string(b, name, (size_t)n, &nm), 0);
		assert_int_equal(pb_function(b, &(struct prof_function){ nm, nm, files[0], 0 }, &fa), 0);
		assert_int_equal(pb_function(b, &(struct prof_function){ nm, nm, files[1], 0 }, &fb), 0);
		assert_int_equal(pb_function(b, &(struct prof_function){ nm, 0, files[0], 0 }, &fa2), 0);
		assert_int_equal(pb_location(b, PROF_NONE, 3 * i + 1,
					     &(struct prof_line){ fa, 1 }, 1, &loc[0]), 0);
		assert_int_equal(pb_location(b, PROF_NONE, 3 * i + 2,
					     &(struct prof_line){ fb, 2 }, 1, &loc[1]), 0);
		assert_int_equal(pb_location(b, PROF_NONE, 3 * i + 3,
					     &(struct prof_line){ fa2, 1 }, 1, &loc[2]), 0);
		assert_int_equal(pb_sample(b, &loc[0], 1, &v, NULL, 0), 0);
		assert_int_equal(pb_sample(b, &loc[1], 1, &v, NULL, 0), 0);
		assert_int_equal(pb_sample(b, &loc[2], 1, &v, NULL, 0), 0);
	}
	assert_int_equal(pb_finish(b, &p), 0);
	assert_int_equal(list_compute(p, 0, "fn", &l), 0);
	assert_int_equal(l.n, 2 * N);
	for (i = 0; i < l.n; i++) {
		const struct list_routine *r = &l.r[i];
		const char *nm = prof_str(p, r->name);
		bool in_b = strcmp(prof_str(p, r->file), "b.go") == 0;
		int64_t v = strtoll(nm + 2, NULL, 10) + 1;

		if (i > 0) {
			int c = strcmp(prof_str(p, l.r[i - 1].name), nm);

			assert_true(c < 0 || (c == 0 && strcmp(prof_str(p, l.r[i - 1].file),
							       prof_str(p, r->file)) < 0));
		}
		assert_int_equal(r->nlines, 1);
		tu_assert_i64(r->lines[0].line, in_b ? 2 : 1);
		tu_assert_i64(r->flat, in_b ? v : 2 * v);
		tu_assert_i64(r->cum, in_b ? v : 2 * v);
		tu_assert_i64(r->cum_lines, in_b ? v : 2 * v);
	}
	list_release(&l);
	prof_free(p);
}

/*
 * Collapsing recursion keeps the innermost frame of a run: main → f:10 → f:20 becomes
 * main → f:20, so list shows the time on line 20, where it was spent (not on line 10,
 * the recursive call), and the totals stay.
 */
static void test_collapse_keeps_innermost_line(void **state)
{
	struct prof *p = recursive_lines(7), *c;
	struct list l;

	(void)state;
	assert_int_equal(prof_collapse_recursion(p, &c), 0);
	tu_check_invariants(c);
	assert_int_equal(c->nsamples, 1);
	assert_int_equal(c->samples[0].nlocs, 2);
	assert_int_equal(list_compute(c, 0, "^f$", &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.r[0].nlines, 1);
	tu_assert_i64(l.r[0].lines[0].line, 20);
	tu_assert_i64(l.r[0].lines[0].flat, 7);
	tu_assert_i64(l.r[0].lines[0].cum, 7);
	tu_assert_i64(l.r[0].cum_lines, 7);
	list_release(&l);
	assert_int_equal(list_compute(c, 0, "^main$", &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.r[0].nlines, 1);
	tu_assert_i64(l.r[0].lines[0].line, 5);
	tu_assert_i64(l.r[0].lines[0].cum, 7);
	list_release(&l);
	prof_free(c);
	prof_free(p);
}

/*
 * A diff's flame widths are |new| + |base|.  400 children of (2^63-1)/400 on each side:
 * each side adds up within int64, both sides do not, and every child is narrower than a
 * cell, so all 400 go into the "+N" cell, whose total saturates at INT64_MAX (it wrapped
 * to -416, a signed overflow, the explorer's abort under UBSan).
 */
static void test_flame_diff_hidden_saturates(void **state)
{
	const int64_t v = INT64_MAX / 400;
	struct flame_opts o = { .root = 0, .type = 0, .type2 = 1, .width = 80, .max_rows = 3 };
	struct buf folded = BUF_INIT;
	struct prof *p, *pair = NULL;
	struct tree *t = NULL;
	struct flame f;
	const struct flame_cell *c;
	uint32_t i, sum = 0;

	(void)state;
	for (i = 0; i < 400; i++)
		if (buf_printf(&folded, "main;f%u %lld\n", i, (long long)v))
			fail_msg("nomem");
	p = tu_decode_str(folded.data);
	assert_int_equal(prof_pair(p, p, &pair), 0);
	assert_int_equal(tree_build(pair, &t), 0);
	assert_int_equal(flame_layout(t, &o, &f), 0);
	assert_int_equal(f.nrows, 3);
	assert_int_equal(f.rows[2].n, 1);
	c = &f.cells[f.rows[2].first];
	assert_int_equal(c->hidden, 400);
	tu_assert_i64(c->value, INT64_MAX);
	for (i = 0; i < f.rows[1].n; i++)
		sum += f.cells[f.rows[1].first + i].w;
	assert_int_equal(sum, 80);
	assert_int_equal(c->w, 80);
	flame_release(&f);
	tree_free(t);
	prof_free(pair);
	prof_free(p);
	buf_release(&folded);
}

/*
 * list's regex is RE2's: a pattern PCRE2 gives up backtracking on still selects what it
 * matches ((a|a)*c|^a+$ on 40 a's, which RE2 and pprof match), and a name no engine here
 * can decide fails list with ERR_TOOBIG rather than being left out.
 */
static void test_list_backtracking_regex(void **state)
{
	char a40[41], a1000[1003];
	struct buf text = BUF_INIT;
	struct prof *p;
	struct list l;

	(void)state;
	memset(a40, 'a', 40);
	a40[40] = '\0';
	memset(a1000, 'a', 1000);
	memcpy(a1000 + 1000, "bx", 3);
	assert_int_equal(buf_printf(&text, "main;%s 5\nmain;other 3\n", a40), 0);
	p = tu_decode_str(text.data);
	assert_int_equal(list_compute(p, 0, "(a|a)*c|^a+$", &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(prof_str(p, l.r[0].name), a40);
	tu_assert_i64(l.r[0].flat, 5);
	list_release(&l);
	prof_free(p);
	buf_release(&text);
	assert_int_equal(buf_printf(&text, "main;%s 1\n", a1000), 0);
	p = tu_decode_str(text.data);
	assert_int_equal(list_compute(p, 0, "(?:a?){1000}x", &l), ERR_TOOBIG);
	tu_assert_message(err_last());
	assert_int_equal(l.n, 0);
	prof_free(p);
	buf_release(&text);
}

/*
 * A name holding invalid UTF-8 is matched as pprof (Go's regexp) matches it, each bad
 * byte read as U+FFFD: `a.b` lists main.a\xffb, as `go tool pprof -list a.b` and peek do
 * (list compiled with PCRE2_MATCH_INVALID_UTF, under which the byte matched nothing: "no
 * function matches").  A pattern that is not UTF-8 itself still matches byte for byte.
 */
static void test_list_invalid_utf8_name(void **state)
{
	static const char *const pats[] = { "a.b", "^main\\.a\\x{FFFD}b$", "\xff", "a\377b" };
	struct prof_builder *b;
	struct prof *p;
	struct list l;
	uint32_t t, u, bad, good, file, fb, fg, loc[2], i;
	int64_t v[2] = { 10, 5 };

	(void)state;
	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "samples", 7, &t), 0);
	assert_int_equal(pb_string(b, "count", 5, &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	assert_int_equal(pb_string(b, "main.a\xff" "b", 8, &bad), 0);
	assert_int_equal(pb_string(b, "main.c", 6, &good), 0);
	assert_int_equal(pb_string(b, "/s/a.go", 7, &file), 0);
	assert_int_equal(pb_function(b, &(struct prof_function){ bad, bad, file, 1 }, &fb), 0);
	assert_int_equal(pb_function(b, &(struct prof_function){ good, good, file, 5 }, &fg), 0);
	assert_int_equal(pb_location(b, PROF_NONE, 0x10, &(struct prof_line){ fb, 1 }, 1, &loc[0]), 0);
	assert_int_equal(pb_location(b, PROF_NONE, 0x20, &(struct prof_line){ fg, 6 }, 1, &loc[1]), 0);
	assert_int_equal(pb_sample(b, &loc[0], 1, &v[0], NULL, 0), 0);
	assert_int_equal(pb_sample(b, &loc[1], 1, &v[1], NULL, 0), 0);
	assert_int_equal(pb_finish(b, &p), 0);
	for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		if (list_compute(p, 0, pats[i], &l))
			fail_msg("list '%s': %s", pats[i], err_last());
		if (l.n != 1)
			fail_msg("list '%s': %u routines, not main.a\\xffb's", pats[i], l.n);
		assert_memory_equal(prof_str(p, l.r[0].name), "main.a\xff" "b", 9);
		tu_assert_i64(l.r[0].flat, 10);
		assert_int_equal(l.r[0].nlines, 1);
		tu_assert_i64(l.r[0].lines[0].line, 1);
		list_release(&l);
	}
	prof_free(p);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_totals_and_self),
		cmocka_unit_test(test_kids_and_ranges),
		cmocka_unit_test(test_top_simple),
		cmocka_unit_test(test_top_sort),
		cmocka_unit_test(test_recursion),
		cmocka_unit_test(test_same_name_many_parents),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_negative),
		cmocka_unit_test(test_deep),
		cmocka_unit_test(test_sample_types),
		cmocka_unit_test(test_top_all_and_copy),
		cmocka_unit_test(test_large_two_threads),
		cmocka_unit_test(test_large_real),
		cmocka_unit_test(test_list_recursive_cum_saturates),
		cmocka_unit_test(test_list_many_functions),
		cmocka_unit_test(test_collapse_keeps_innermost_line),
		cmocka_unit_test(test_list_backtracking_regex),
		cmocka_unit_test(test_list_invalid_utf8_name),
		cmocka_unit_test(test_flame_diff_hidden_saturates),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("tree", tests, NULL, NULL) ? 1 : 0;
}
