/*
 * test_flamebearer.c — flamebearer_build_diff's names table (src/profile/flamebearer.h):
 * with max_nodes folding nodes into "other", the table holds exactly the names the
 * emitted nodes use, numbered in the order they are first emitted (preorder, root
 * "total" first), as Pyroscope's NewFlamegraphDiff builds it — never the names of
 * the folded nodes.  Checked on folded stacks made here and on two real Go CPU
 * profiles of the same program (the examples), whose union has hundreds of names.
 * Also: a diff whose two totals add up past int64 is refused.
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

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_names_follow_truncation),
		cmocka_unit_test(test_diff_other_once),
		cmocka_unit_test(test_diff_names_real),
		cmocka_unit_test(test_diff_total_past_int64),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
