/*
 * test_flamebearer.c — flamebearer_build_diff's names table (src/profile/flamebearer.h):
 * with max_nodes folding nodes into "other", the table holds exactly the names the
 * emitted nodes use, numbered in the order they are first emitted (preorder, root
 * "total" first), as Pyroscope's NewFlamegraphDiff builds it — never the names of
 * the folded nodes.  Checked on folded stacks made here and on two real Go CPU
 * profiles of the same program (the examples), whose union has hundreds of names.
 * Also: a diff whose two totals add up past int64 is refused, and flamebearer_to_prof
 * bounds what untrusted levels make (stack entries, max_nodes).
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "profile/flamebearer.h"
#include "profile/prof.h"

/* Whether names[0..n) holds s (as a whole name). */
static bool has_name(const struct flamebearer *fb, const char *s)
{
	uint32_t i;

	for (i = 0; i < fb->nnames; i++)
		if (fb->name_lens[i] == strlen(s) && memcmp(fb->names[i], s, fb->name_lens[i]) == 0)
			return true;
	return false;
}

/*
 * Every name index of the levels is in the table, every name of the table is used by
 * a node, and, read in preorder (level by level is enough: a name first seen at a
 * depth d cannot be emitted before every node above it), no index appears before all
 * smaller ones have: the table is numbered by first use.  Returns the nodes.
 */
static size_t check_names(const struct flamebearer *fb)
{
	bool *used = calloc(fb->nnames ? fb->nnames : 1, sizeof(*used));
	size_t nodes = 0, i;
	uint32_t d, k;

	assert_non_null(used);
	assert_true(fb->nnames > 0);
	assert_int_equal(fb->name_lens[0], 5);
	assert_memory_equal(fb->names[0], "total", 5);
	for (d = 0; d < fb->nlevels; d++) {
		const struct fb_level *l = &fb->levels[d];

		assert_int_equal(l->n % fb->width, 0);
		for (i = 0; i < l->n; i += fb->width) {
			int64_t name = l->v[i + fb->width - 1];

			assert_true(name >= 0 && name < (int64_t)fb->nnames);
			used[name] = true;
			nodes++;
		}
	}
	for (k = 0; k < fb->nnames; k++)
		if (!used[k])
			fail_msg("names[%u] '%.*s' is used by no node (%u names, %zu nodes)", k,
				 (int)fb->name_lens[k], fb->names[k], fb->nnames, nodes);
	free(used);
	return nodes;
}

static void test_diff_names_follow_truncation(void **state)
{
	/* left and right share a;b;c; each has small stacks of its own */
	struct prof *l = tu_decode_str("a;b;c 100\na;d 1\nx;y 1\n");
	struct prof *r = tu_decode_str("a;b;c 90\na;e 2\nz 1\n");
	struct flamebearer fb;
	size_t nodes;

	(void)state;
	/* no truncation: every name of both sides, once */
	assert_int_equal(flamebearer_build_diff(l, r, 0, &fb), 0);
	nodes = check_names(&fb);
	tu_assert_i64(nodes, 9);  /* total a b c d e x y z, none folded */
	tu_assert_i64(fb.nnames, 9);
	assert_false(fb.truncated);
	flamebearer_release(&fb);

	/* 4 nodes: total (191), a (190), b (190), c (190); the rest folds into "other" */
	assert_int_equal(flamebearer_build_diff(l, r, 4, &fb), 0);
	check_names(&fb);
	assert_true(fb.truncated);
	assert_true(has_name(&fb, "other"));
	assert_true(has_name(&fb, "c"));
	assert_false(has_name(&fb, "d"));
	assert_false(has_name(&fb, "e"));
	assert_false(has_name(&fb, "x"));
	assert_false(has_name(&fb, "y"));
	assert_false(has_name(&fb, "z"));
	/* first use: total, a, b, c in preorder ("other" of the root comes after a's subtree) */
	tu_assert_i64(fb.nnames, 5);
	assert_memory_equal(fb.names[1], "a", 1);
	assert_memory_equal(fb.names[2], "b", 1);
	assert_memory_equal(fb.names[3], "c", 1);
	assert_memory_equal(fb.names[4], "other", 5);
	tu_assert_i64(fb.left_ticks, 102);
	tu_assert_i64(fb.right_ticks, 93);
	flamebearer_release(&fb);
	prof_free(l);
	prof_free(r);
}

/* A profile stack named "other" is folded and named like the folded node: one entry. */
static void test_diff_other_once(void **state)
{
	struct prof *l = tu_decode_str("a 10\nother 3\nq 1\n");
	struct prof *r = tu_decode_str("a 10\nother 2\n");
	struct flamebearer fb;
	uint32_t k, n = 0;

	(void)state;
	assert_int_equal(flamebearer_build_diff(l, r, 3, &fb), 0);
	check_names(&fb);
	for (k = 0; k < fb.nnames; k++)
		n += fb.name_lens[k] == 5 && memcmp(fb.names[k], "other", 5) == 0;
	tu_assert_i64(n, 1);
	assert_false(has_name(&fb, "q"));
	flamebearer_release(&fb);
	prof_free(l);
	prof_free(r);
}

static struct prof *example(const char *name)
{
	struct buf b = BUF_INIT;
	char path[512];
	struct prof *p;

	snprintf(path, sizeof(path), "%s/examples/%s", SMOLDER_SOURCE_DIR, name);
	if (buf_read_file(&b, path, (size_t)64 << 20))
		fail_msg("%s", err_last());
	p = tu_decode_bytes(b.data, b.len, name);
	buf_release(&b);
	return p;
}

/* The review's case: a real diff at maxNodes 3 and 20 names only what it shows. */
static void test_diff_names_real(void **state)
{
	struct prof *l = example("cpuwork-cpu.pb.gz");
	struct prof *r = example("cpuwork-cpu-after-scoreRecords-3x.pb.gz");
	static const int64_t caps[] = { 3, 5, 20, 100 };
	struct flamebearer fb;
	uint32_t all;
	size_t i, nodes;

	(void)state;
	assert_int_equal(flamebearer_build_diff(l, r, 0, &fb), 0);
	check_names(&fb);
	all = fb.nnames;
	flamebearer_release(&fb);
	assert_true(all > 100);
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		assert_int_equal(flamebearer_build_diff(l, r, caps[i], &fb), 0);
		nodes = check_names(&fb);
		assert_true(fb.truncated);
		assert_true(fb.nnames <= nodes);
		assert_true(fb.nnames < all);
		flamebearer_release(&fb);
	}
	prof_free(l);
	prof_free(r);
}

/*
 * Each side of a diff fits in int64, left + right (its `total`) need not: refused with
 * ERR_TOOBIG, which the server answers with a 400.  It was a signed overflow, which killed
 * `smolder serve` on /pyroscope/render-diff under UBSan and sent a negative total without.
 */
static void test_diff_total_past_int64(void **state)
{
	struct prof *l = tu_decode_str("main;f 4611686018427387904\n");           /* 2^62 */
	struct prof *r = tu_decode_str("main;g 4611686018427387903\n");           /* 2^62-1 */
	struct prof *big = tu_decode_str("main;g 4611686018427387904\n");         /* 2^62 */
	struct flamebearer fb;

	(void)state;
	/* up to INT64_MAX it is a diff like any other */
	assert_int_equal(flamebearer_build_diff(l, r, 0, &fb), 0);
	tu_assert_i64(fb.total, INT64_MAX);
	tu_assert_i64(fb.left_ticks, 4611686018427387904LL);
	tu_assert_i64(fb.right_ticks, 4611686018427387903LL);
	flamebearer_release(&fb);
	/* one past it is refused, with the two totals */
	assert_int_equal(flamebearer_build_diff(l, big, 0, &fb), ERR_TOOBIG);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "add up past 2^63"));
	assert_int_equal(fb.nlevels, 0);
	assert_int_equal(flamebearer_build_diff(big, l, 10, &fb), ERR_TOOBIG);
	prof_free(big);
	prof_free(l);
	prof_free(r);
}

/*
 * Levels made here (borrowed pointers, as a client fills them): a chain of `depth`
 * nodes under the root, self 1 each, names alternating "f" and "g"; then `wide` leaves
 * of total 1 under the root, after the chain.
 */
struct levels {
	struct flamebearer fb;
	int64_t *v;
};

static void levels_make(struct levels *lv, uint32_t depth, uint32_t wide)
{
	static const char *names[] = { "total", "f", "g" };
	static uint32_t lens[] = { 5, 1, 1 };
	uint32_t d, nl = depth > 1 ? depth + 1 : 2, i;
	size_t used = 0;

	memset(lv, 0, sizeof(*lv));
	lv->v = calloc(((size_t)depth + wide + 1) * 4, sizeof(*lv->v));
	lv->fb.levels = calloc(nl, sizeof(*lv->fb.levels));
	assert_non_null(lv->v);
	assert_non_null(lv->fb.levels);
	lv->fb.names = names;
	lv->fb.name_lens = lens;
	lv->fb.nnames = 3;
	lv->fb.width = 4;
	lv->fb.nlevels = depth + wide ? nl : 1;
	for (d = 0; d < lv->fb.nlevels; d++) {
		int64_t *g = lv->v + used;

		lv->fb.levels[d].v = g;
		if (d == 0) {  /* the root: [x, total, self, name] */
			g[1] = (int64_t)depth + wide;
			used += 4;
		} else if (d <= depth) {  /* after its ancestors' self */
			g[0] = d - 1;
			g[1] = (int64_t)depth - d + 1;
			g[2] = 1;
			g[3] = 1 + d % 2;
			used += 4;
		}
		if (d == 1)  /* the leaves follow the chain: gaps of 0 */
			for (i = 0; i < wide; i++, used += 4) {
				int64_t *w = lv->v + used;

				w[1] = w[2] = 1;
				w[3] = 2;
			}
		lv->fb.levels[d].n = (size_t)(lv->v + used - g);
	}
}

static void levels_free(struct levels *lv)
{
	free(lv->v);
	free(lv->fb.levels);
}

static int levels_read(const struct levels *lv, uint32_t max_nodes, struct prof **out)
{
	struct fb_prof_info info = { "samples", "count", "cpu", "nanoseconds", 0, 0, max_nodes };

	return flamebearer_to_prof(&lv->fb, 1, &info, out);
}

/*
 * A chain of D nodes with self 1 each makes D samples whose stacks take D^2/2 entries:
 * 3000 levels (some 50 KB of protobuf) made 4.5 M entries.  Bounded now by what was sent.
 */
static void test_to_prof_chain_bounded(void **state)
{
	struct levels lv;
	struct prof *p = NULL;

	(void)state;
	levels_make(&lv, 500, 0);
	assert_int_equal(levels_read(&lv, 0, &p), 0);
	tu_assert_i64(p->nsamples, 500);
	tu_assert_i64(prof_total(p, 0), 500);
	prof_free(p);
	p = NULL;
	levels_free(&lv);

	levels_make(&lv, 3000, 0);
	assert_int_equal(levels_read(&lv, 0, &p), ERR_TOOBIG);
	assert_null(p);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "stack"));
	levels_free(&lv);
}

/*
 * max_nodes: a server that folds as asked leaves fewer than max_nodes nodes above the
 * smallest total it kept; ties at that total are Pyroscope's too and stay readable.
 */
static void test_to_prof_max_nodes(void **state)
{
	struct levels lv;
	struct prof *p = NULL, *src;
	struct tree *t = NULL;
	struct flamebearer fb;
	struct fb_prof_info info = { "samples", "count", "cpu", "nanoseconds", 0, 0, 3 };

	(void)state;
	/* 200 distinct totals for at most 100 nodes: not folded */
	levels_make(&lv, 200, 0);
	assert_int_equal(levels_read(&lv, 100, &p), ERR_TOOBIG);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "not folded as asked"));
	assert_int_equal(levels_read(&lv, 201, &p), 0);
	prof_free(p);
	p = NULL;
	assert_int_equal(levels_read(&lv, 0, &p), 0);
	prof_free(p);
	p = NULL;
	levels_free(&lv);

	/* 500 leaves of total 1 and a chain of 2 (totals 2, 1) for 3 nodes: ties, kept */
	levels_make(&lv, 2, 500);
	assert_int_equal(levels_read(&lv, 3, &p), 0);
	tu_assert_i64(prof_total(p, 0), 502);
	prof_free(p);
	p = NULL;
	levels_free(&lv);

	/* what flamebearer_build folds at 3 reads back at 3 */
	src = tu_decode_str("a;b;c 100\na;d 5\nx;y 7\nz 1\nw 1\n");
	assert_int_equal(tree_build(src, &t), 0);
	assert_int_equal(flamebearer_build(t, 0, 3, &fb), 0);
	assert_true(fb.truncated);
	assert_int_equal(flamebearer_to_prof(&fb, 1, &info, &p), 0);
	tu_assert_i64(prof_total(p, 0), 114);
	prof_free(p);
	flamebearer_release(&fb);
	tree_free(t);
	prof_free(src);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_names_follow_truncation),
		cmocka_unit_test(test_diff_other_once),
		cmocka_unit_test(test_diff_names_real),
		cmocka_unit_test(test_diff_total_past_int64),
		cmocka_unit_test(test_to_prof_chain_bounded),
		cmocka_unit_test(test_to_prof_max_nodes),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
