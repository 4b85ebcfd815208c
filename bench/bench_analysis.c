/*
 * bench_analysis.c — `smolder-bench --analysis`: the analysis views on synthetic
 * profiles of a known shape (made here, so the figures reproduce anywhere).
 *
 *   diff:     two profiles whose call trees have ~100k nodes each (the second a
 *             perturbed copy of the first); timed: pairing them, the paired call tree,
 *             both top tables, the diff table and the first diff flame layout.
 *   sandwich: one function called from 1,000 distinct call sites (and calling 50
 *             functions); timed: the callers and callees profiles and their trees.
 *   list/peek: 50,000 functions one regex matches (main;fn<i> 1); timed: list's routines
 *             and peek's entries (quadratic in the matches until they were hashed).
 *
 * Each figure is the median of 5 runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/err.h"
#include "ingest/decode.h"
#include "profile/diff.h"
#include "profile/flame.h"
#include "profile/list.h"
#include "profile/merge.h"
#include "profile/peek.h"
#include "profile/sandwich.h"
#include "profile/top.h"
#include "profile/tree.h"
#include "bench.h"

#define RUNS 5

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static uint64_t rng(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/*
 * Folded stacks: `nstacks` stacks of depth 4..11 over 3,000 function names, with a
 * skewed choice at each level so prefixes are shared the way real trees share them.
 * `perturb` changes ~1/8 of the frames and the weights (the "after" profile).
 */
static void make_tree_profile(struct buf *out, uint32_t nstacks, uint64_t seed, bool perturb)
{
	uint64_t s = 42, p = seed;
	uint32_t i, d;

	for (i = 0; i < nstacks; i++) {
		uint32_t depth = 4 + (uint32_t)(rng(&s) % 8);

		buf_puts(out, "main");
		for (d = 0; d < depth; d++) {
			uint32_t f = (uint32_t)(rng(&s) % (d < 2 ? 12 : 3000));

			if (perturb && rng(&p) % 8 == 0)
				f = (f + 1 + (uint32_t)(rng(&p) % 7)) % 3000;
			buf_printf(out, ";pkg%u.fn%u", f % 40, f);
		}
		buf_printf(out, " %u\n", 1 + (uint32_t)(rng(&s) % 100) + (perturb ? (uint32_t)(rng(&p) % 50) : 0));
	}
}

static int decode_text(struct buf *b, struct prof **out)
{
	if (decode_profile((const uint8_t *)b->data, b->len, "synthetic", out)) {
		fprintf(stderr, "smolder-bench: %s\n", err_last());
		return 1;
	}
	return 0;
}

static int bench_diff(void)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct prof *pa = NULL, *pb = NULL;
	struct tree *ta = NULL;
	double ms[RUNS];
	uint32_t nodes_a = 0, nodes_pair = 0;
	int r, rc = 1;

	make_tree_profile(&a, 18000, 1, false);
	make_tree_profile(&b, 18000, 7, true);
	if (decode_text(&a, &pa) || decode_text(&b, &pb))
		goto done;
	if (tree_build(pa, &ta))
		goto done;
	nodes_a = ta->n;
	tree_free(ta);
	if (tree_build(pb, &ta))
		goto done;
	printf("diff: base tree %u nodes, new tree %u nodes\n", nodes_a, ta->n);
	tree_free(ta);
	for (r = 0; r < RUNS; r++) {
		struct prof *pair = NULL;
		struct tree *t = NULL;
		struct top sides[2];
		struct diff_top d;
		struct diff_scale sc = { false, DIFF_DEFAULT_THRESHOLD };
		struct flame f;
		struct flame_opts o = { .root = 0, .type = 0, .type2 = 1, .width = 200, .max_rows = 60 };
		double t0 = now_ms();

		if (prof_pair(pa, pb, &pair) || tree_build(pair, &t) || top_from_tree(t, sides) ||
		    diff_top(&sides[1], &sides[0], &sc, pair, &d) || flame_layout(t, &o, &f)) {
			fprintf(stderr, "smolder-bench: %s\n", err_last());
			goto done;
		}
		ms[r] = now_ms() - t0;
		nodes_pair = t->n;
		flame_release(&f);
		diff_top_release(&d);
		top_release(&sides[0]);
		top_release(&sides[1]);
		tree_free(t);
		prof_free(pair);
	}
	printf("  diff computed          %8.1f ms   (pair + tree of %u nodes + tables + layout;"
	       " target < 100 ms)\n", bench_median(ms, RUNS), nodes_pair);
	rc = 0;
done:
	prof_free(pa);
	prof_free(pb);
	buf_release(&a);
	buf_release(&b);
	return rc;
}

static int bench_sandwich(void)
{
	struct buf text = BUF_INIT;
	struct prof *p = NULL;
	double ms[RUNS];
	uint32_t i, name = 0, ncallers = 0;
	int r, rc = 1;

	/* hot() reached through 1,000 distinct call paths, calling 50 functions */
	for (i = 0; i < 1000; i++)
		buf_printf(&text, "main;svc%u.handle;mid%u.step;caller%u;hot;leaf%u %u\n", i % 20,
			   i % 97, i, i % 50, 1 + i % 13);
	for (i = 0; i < 5000; i++)
		buf_printf(&text, "main;other%u;deep%u 3\n", i % 300, i);
	if (decode_text(&text, &p))
		goto done;
	for (i = 0; i < p->nstrs; i++)
		if (strcmp(prof_str(p, i), "hot") == 0)
			name = i;
	for (r = 0; r < RUNS; r++) {
		struct prof *callers = NULL, *callees = NULL;
		struct tree *tc = NULL, *te = NULL;
		double t0 = now_ms();

		if (sandwich_build(p, name, &callers, &callees) || tree_build(callers, &tc) ||
		    tree_build(callees, &te)) {
			fprintf(stderr, "smolder-bench: %s\n", err_last());
			goto done;
		}
		ms[r] = now_ms() - t0;
		ncallers = tree_nkids(tc, 1);
		tree_free(tc);
		tree_free(te);
		prof_free(callers);
		prof_free(callees);
	}
	printf("sandwich: a function with %u call sites in a profile of %u samples\n", ncallers,
	       p->nsamples);
	printf("  sandwich computed      %8.1f ms   (callers + callees profiles and trees;"
	       " target < 20 ms)\n", bench_median(ms, RUNS));
	rc = 0;
done:
	prof_free(p);
	buf_release(&text);
	return rc;
}

static int bench_list_peek(void)
{
	struct buf text = BUF_INIT;
	struct prof *p = NULL;
	double ms_list[RUNS], ms_peek[RUNS];
	uint32_t i, nr = 0, ne = 0;
	int r, rc = 1;

	for (i = 0; i < 50000; i++)
		buf_printf(&text, "main;fn%u 1\n", i);
	if (decode_text(&text, &p))
		goto done;
	for (r = 0; r < RUNS; r++) {
		struct list l;
		struct peek pk;
		double t0 = now_ms();

		if (list_compute(p, 0, "fn", &l)) {
			fprintf(stderr, "smolder-bench: %s\n", err_last());
			goto done;
		}
		ms_list[r] = now_ms() - t0;
		nr = l.n;
		list_release(&l);
		t0 = now_ms();
		if (peek_compute(p, 0, "fn", &pk)) {
			fprintf(stderr, "smolder-bench: %s\n", err_last());
			goto done;
		}
		ms_peek[r] = now_ms() - t0;
		ne = pk.n;
		peek_release(&pk);
	}
	printf("list/peek: %u and %u functions matched by one regex\n", nr, ne);
	printf("  list computed          %8.1f ms   (routines and their lines)\n",
	       bench_median(ms_list, RUNS));
	printf("  peek computed          %8.1f ms   (entries with their callers and callees)\n",
	       bench_median(ms_peek, RUNS));
	rc = 0;
done:
	prof_free(p);
	buf_release(&text);
	return rc;
}

int bench_analysis(void)
{
	return bench_diff() | bench_sandwich() | bench_list_peek();
}
