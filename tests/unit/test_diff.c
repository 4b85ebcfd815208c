/*
 * test_diff.c — profile/diff.c and prof_pair(): the colour scale's arithmetic, the diff
 * table against numbers worked out by hand, and the before/after Go pair (scoreRecords
 * made 3× slower) coming out on top with the values pprof's -diff_base gives.
 */
#include <math.h>
#include <string.h>

#include "base/err.h"
#include "profile/diff.h"
#include "profile/flame.h"
#include "profile/builder.h"
#include "profile/merge.h"
#include "testutil.h"
#include "tui/tui_int.h"

static void test_change_and_steps(void **state)
{
	struct diff_scale prop = { false, 0.001 }, abs = { true, 0.001 };

	(void)state;
	/* base 10 of 100 (10 %), new 30 of 200 (15 %): +5 points; absolute +20 of 100 */
	assert_true(fabs(diff_change(&prop, 10, 30, 100, 200) - 0.05) < 1e-12);
	assert_true(fabs(diff_change(&abs, 10, 30, 100, 200) - 0.20) < 1e-12);
	/* twice as long, same shape: proportional sees no change, absolute does */
	assert_true(fabs(diff_change(&prop, 10, 20, 100, 200)) < 1e-12);
	assert_int_equal(diff_step(&prop, diff_change(&prop, 10, 20, 100, 200)), 0);
	assert_int_equal(diff_step(&abs, diff_change(&abs, 10, 20, 100, 200)), 4);
	/* the bounds: 0.1 %, 1 %, 3 %, 10 % */
	assert_true(fabs(diff_bound(&prop, 1) - 0.001) < 1e-12);
	assert_true(fabs(diff_bound(&prop, 4) - 0.1) < 1e-12);
	assert_int_equal(diff_step(&prop, 0.0009), 0);
	assert_int_equal(diff_step(&prop, 0.001), 1);
	assert_int_equal(diff_step(&prop, -0.005), -1);
	assert_int_equal(diff_step(&prop, 0.01), 2);
	assert_int_equal(diff_step(&prop, -0.03), -3);
	assert_int_equal(diff_step(&prop, 0.5), 4);
	assert_int_equal(diff_step(&prop, -0.5), -4);
	assert_int_equal(diff_step(&prop, NAN), 0);
	/* a larger threshold widens every step */
	prop.threshold = 0.01;
	assert_int_equal(diff_step(&prop, 0.005), 0);
	assert_int_equal(diff_step(&prop, 0.05), 1);
	/* empty sides do not divide by zero */
	assert_true(isfinite(diff_change(&prop, 0, 5, 0, 5)));
}

static void test_pair_and_table(void **state)
{
	struct prof *base = tu_decode_str("main;a 10\nmain;b 30\nmain;gone 60\n");
	struct prof *cur = tu_decode_str("main;a 40\nmain;b 30\nmain;new 130\n");
	struct prof *pair;
	struct tree *t;
	struct top sides[2];
	struct diff_top d;
	struct diff_scale s = { false, DIFF_DEFAULT_THRESHOLD };
	uint32_t i;

	(void)state;
	assert_int_equal(prof_pair(base, cur, &pair), 0);
	tu_check_invariants(pair);
	assert_int_equal(pair->ntypes, 2);
	assert_int_equal(prof_total(pair, 0), 200);
	assert_int_equal(prof_total(pair, 1), 100);
	assert_int_equal(tree_build(pair, &t), 0);
	/* main's children, by name: a, b, gone, new; each node has both sides */
	{
		static const struct {
			const char *name;
			int64_t cur, base;
		} want[] = { { "a", 40, 10 }, { "b", 30, 30 }, { "gone", 0, 60 }, { "new", 130, 0 } };
		uint32_t k = tree_first_kid(t, 1);

		assert_string_equal(tree_name(t, 1), "main");
		for (i = 0; i < 4; i++, k = tree_next_kid(t, 1, k)) {
			assert_int_not_equal(k, PROF_NONE);
			assert_string_equal(tree_name(t, k), want[i].name);
			tu_assert_i64(tree_total(t, k, 0), want[i].cur);
			tu_assert_i64(tree_total(t, k, 1), want[i].base);
		}
	}
	/* the diff graph's widths are base + new: "gone" keeps its 60 */
	{
		struct flame_opts o = { .root = 0, .type = 0, .type2 = 1, .width = 300, .max_rows = 3 };
		struct flame f;

		assert_int_equal(flame_layout(t, &o, &f), 0);
		assert_int_equal(f.nrows, 3);
		assert_int_equal(f.rows[2].n, 4);
		/* 300 cells for 300 units: a 50, b 60, gone 60, new 130 */
		assert_int_equal(f.cells[f.rows[2].first + 0].w, 50);
		assert_int_equal(f.cells[f.rows[2].first + 1].w, 60);
		assert_int_equal(f.cells[f.rows[2].first + 2].w, 60);
		assert_int_equal(f.cells[f.rows[2].first + 3].w, 130);
		flame_release(&f);
	}
	assert_int_equal(top_from_tree(t, sides), 0);
	/* sides[0] is new (type 0), sides[1] base (type 1) */
	assert_int_equal(diff_top(&sides[1], &sides[0], &s, pair, &d), 0);
	assert_int_equal(d.n, 5);
	/* proportional: new 130/200 = +65 pp, a 20 % - 10 % = +10 pp, b 15 % - 30 % = -15,
	 * gone -60; main 100 % - 100 % = 0 */
	assert_string_equal(prof_str(pair, d.rows[0].name), "new");
	assert_true(fabs(d.rows[0].change - 0.65) < 1e-12);
	assert_string_equal(prof_str(pair, d.rows[1].name), "a");
	assert_true(fabs(d.rows[1].change - 0.10) < 1e-12);
	assert_string_equal(prof_str(pair, d.rows[2].name), "main");
	assert_string_equal(prof_str(pair, d.rows[3].name), "b");
	assert_string_equal(prof_str(pair, d.rows[4].name), "gone");
	assert_true(fabs(d.rows[4].change + 0.60) < 1e-12);
	tu_assert_i64(d.rows[4].new_cum, 0);
	tu_assert_i64(d.rows[4].base_cum, 60);
	/* other orders */
	diff_top_sort(&d, pair, DIFF_SORT_NAME, false);
	assert_string_equal(prof_str(pair, d.rows[0].name), "a");
	diff_top_sort(&d, pair, DIFF_SORT_CHANGE, true);
	assert_string_equal(prof_str(pair, d.rows[0].name), "gone");
	diff_top_release(&d);
	/* absolute: (new - base) / base total — main +100 %, b 0 */
	s.absolute = true;
	assert_int_equal(diff_top(&sides[1], &sides[0], &s, pair, &d), 0);
	assert_string_equal(prof_str(pair, d.rows[0].name), "new");
	assert_true(fabs(d.rows[0].change - 1.30) < 1e-12);
	assert_string_equal(prof_str(pair, d.rows[1].name), "main");
	assert_true(fabs(d.rows[1].change - 1.00) < 1e-12);
	diff_top_release(&d);
	top_release(&sides[0]);
	top_release(&sides[1]);
	tree_free(t);
	prof_free(pair);
	prof_free(base);
	prof_free(cur);
}

static void test_mismatched_types(void **state)
{
	struct prof *cpu = tu_decode("go/cpuwork-cpu.pb.gz");
	struct prof *heap = tu_decode("go/heapwork-heap.pb.gz");
	struct prof *pair = NULL;

	(void)state;
	assert_int_not_equal(prof_pair(cpu, heap, &pair), 0);
	assert_null(pair);
	tu_assert_message(err_last());
	prof_free(cpu);
	prof_free(heap);
}

/* The Go before/after pair: scoreRecords was made 3x slower. */
static void test_go_pair(void **state)
{
	struct prof *base = tu_decode("go/cpuwork-cpu.pb.gz");
	struct prof *cur = tu_decode("go/cpuwork-cpu-after-scoreRecords-3x.pb.gz");
	struct prof *pair;
	struct top b, c;
	struct diff_top d;
	struct diff_scale s = { true, DIFF_DEFAULT_THRESHOLD };
	int ty = tu_type(cur, "cpu");

	(void)state;
	assert_int_equal(prof_pair(base, cur, &pair), 0);
	tu_check_invariants(pair);
	assert_int_equal(top_compute(pair, (uint32_t)ty, &c), 0);
	assert_int_equal(top_compute(pair, (uint32_t)ty + cur->ntypes, &b), 0);
	tu_assert_i64(b.total, prof_total(base, (uint32_t)ty));
	tu_assert_i64(c.total, prof_total(cur, (uint32_t)ty));
	assert_int_equal(diff_top(&b, &c, &s, pair, &d), 0);
	/* the biggest absolute increase of a leaf: scoreRecords, 1.55 s -> 4.61 s */
	{
		uint32_t i;

		for (i = 0; i < d.n; i++)
			if (strcmp(prof_str(pair, d.rows[i].name), "main.scoreRecords") == 0)
				break;
		assert_true(i < d.n);
		tu_assert_i64(d.rows[i].base_cum, 1550000000);
		tu_assert_i64(d.rows[i].new_cum, 4610000000);
		assert_true(d.rows[i].change > 0.33 && d.rows[i].change < 0.34);
	}
	s.absolute = false;
	diff_top_release(&d);
	assert_int_equal(diff_top(&b, &c, &s, pair, &d), 0);
	assert_string_equal(prof_str(pair, d.rows[0].name), "main.scoreRecords");
	diff_top_release(&d);
	top_release(&b);
	top_release(&c);
	prof_free(pair);
	prof_free(base);
	prof_free(cur);
}

/*
 * pprof's total of a -diff_base profile (the base's samples negated, labelled
 * pprof::base): the base's absolute total, 9.24 s (go tool pprof -top: "of 9.24s
 * total"), not the signed sum (2.68 s) nor every magnitude (21.2 s).
 */
static void test_pprof_total_of_diff_base(void **state)
{
	struct prof *base = tu_decode("go/cpuwork-cpu.pb.gz");
	struct prof *cur = tu_decode("go/cpuwork-cpu-after-scoreRecords-3x.pb.gz");
	struct prof *d;
	uint32_t ty = (uint32_t)tu_type(cur, "cpu");

	(void)state;
	assert_int_equal(prof_diff(base, cur, &d), 0);
	tu_assert_i64(top_pprof_total(d, ty), 9240000000);
	tu_assert_i64(top_pprof_total(d, ty), prof_total_abs(base, ty));
	assert_true(prof_total(d, ty) < 3000000000); /* what the explorer's header said */
	/* without the label: every magnitude, as before */
	tu_assert_i64(top_pprof_total(cur, ty), prof_total_abs(cur, ty));
	prof_free(d);
	prof_free(base);
	prof_free(cur);
}

/*
 * The Top view's selected function in a diff (f, x, -, #, y, 3, 4 ask for it): the
 * selection indexes the diff table's rows; reading the plain table (NULL) crashed.
 */
static void test_top_selected_name(void **state)
{
	struct prof *base = tu_decode_str("main;a 10\nmain;b 30\nmain;gone 60\n");
	struct prof *cur = tu_decode_str("main;a 40\nmain;b 30\nmain;new 130\n");
	struct prof *pair;
	struct tui_opts o;
	struct tui_app *a;

	(void)state;
	assert_int_equal(prof_pair(base, cur, &pair), 0);
	memset(&o, 0, sizeof(o));
	o.sample_type = -1;
	o.diff = true;
	assert_int_equal(tui_app_new(pair, &o, &a), 0);
	assert_true(tui_app_key(a, '2'));
	assert_int_equal(top_view_selected_name(a), 0); /* not computed yet: none */
	assert_true(top_view_key(a, 'g'));
	assert_null(a->tp.top.rows); /* a diff has only the diff table */
	/* sorted by change: new (+65 pp) first, then gone (-60 pp) ... */
	assert_string_equal(prof_str(a->prof, top_view_selected_name(a)), "new");
	assert_true(top_view_key(a, 'G'));
	assert_string_equal(prof_str(a->prof, top_view_selected_name(a)),
			    prof_str(a->prof, a->tp.dtop.rows[a->tp.rows[a->tp.nrows - 1]].name));
	tui_app_free(a);
	prof_free(base);
	prof_free(cur);
}

/* p again with these comments added after its own (NULL-terminated). */
static struct prof *with_comments(struct prof *p, const char *const *texts)
{
	struct prof_builder *b = NULL;
	struct prof *out = NULL;
	uint32_t i, id;

	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_copy_header(b, p, true), 0);
	for (; *texts; texts++) {
		assert_int_equal(pb_string(b, *texts, strlen(*texts), &id), 0);
		assert_int_equal(pb_add_comment(b, id), 0);
	}
	assert_int_equal(pb_copy_locations(b, p), 0);
	for (i = 0; i < p->nsamples; i++)
		assert_int_equal(pb_copy_sample(b, p, i), 0);
	assert_int_equal(pb_finish(b, &out), 0);
	prof_free(p);
	return out;
}

static void assert_comments(const struct prof *p, const char *const *want, uint32_t n)
{
	uint32_t i;

	assert_int_equal(p->ncomments, n);
	for (i = 0; i < n; i++)
		assert_string_equal(prof_str(p, p->comments[i]), want[i]);
}

/*
 * pprof's Merge keeps the comments of every profile merged, in order, each text once
 * (combineHeaders); -diff_base merges the new profile and then the base.  prof_merge,
 * prof_diff and prof_pair dropped them all but the first profile's (merge) or all.
 */
static void test_comments_kept(void **state)
{
	static const char *const ca[] = { "built at 12:00", "shared", NULL };
	static const char *const cb[] = { "shared", "host b", NULL };
	static const char *const merged[] = { "built at 12:00", "shared", "host b" };
	static const char *const diffed[] = { "shared", "host b", "built at 12:00" };
	struct prof *a = with_comments(tu_decode_str("main;a 10\n"), ca);
	struct prof *b = with_comments(tu_decode_str("main;b 30\n"), cb);
	const struct prof *both[2];
	struct prof *out = NULL;

	(void)state;
	both[0] = a;
	both[1] = b;
	assert_int_equal(prof_merge(both, 2, &out), 0);
	assert_comments(out, merged, 3);
	prof_free(out);
	/* diff and pair: the new profile's (b) first, then the base's (a) */
	assert_int_equal(prof_diff(a, b, &out), 0);
	assert_comments(out, diffed, 3);
	prof_free(out);
	assert_int_equal(prof_pair(a, b, &out), 0);
	assert_comments(out, diffed, 3);
	tu_check_invariants(out);
	prof_free(out);
	prof_free(a);
	prof_free(b);
}

/* pprof's combineHeaders (go tool pprof -raw of -proto -diff_base: the base's time, 11.2 s) */
static void test_headers_combined(void **state)
{
	struct prof *base = tu_decode("go/cpuwork-cpu.pb.gz");
	struct prof *cur = tu_decode("go/cpuwork-cpu-after-scoreRecords-3x.pb.gz");
	const struct prof *both[2] = { base, cur };
	int64_t first = base->time_nanos < cur->time_nanos ? base->time_nanos : cur->time_nanos;
	int64_t sum = base->duration_nanos + cur->duration_nanos;
	struct prof *out = NULL;

	(void)state;
	assert_true(base->time_nanos < cur->time_nanos);
	assert_true(base->duration_nanos > 0 && cur->duration_nanos > 0);
	assert_int_equal(prof_diff(base, cur, &out), 0);
	tu_assert_i64(out->time_nanos, first);
	tu_assert_i64(out->duration_nanos, sum);
	tu_assert_i64(out->period, cur->period);
	prof_free(out);
	assert_int_equal(prof_pair(base, cur, &out), 0);
	tu_assert_i64(out->time_nanos, first);
	tu_assert_i64(out->duration_nanos, sum);
	prof_free(out);
	assert_int_equal(prof_merge(both, 2, &out), 0);
	tu_assert_i64(out->time_nanos, first);
	tu_assert_i64(out->duration_nanos, sum);
	prof_free(out);
	prof_free(base);
	prof_free(cur);
}

/* One sample "a" of 5, samples/count, with the period type ptype/punit. */
static struct prof *with_period(const char *ptype, const char *punit)
{
	struct prof_builder *b;
	struct prof *p;
	uint32_t t, u, pt, pu, loc;
	int64_t v = 5;

	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "samples", 7, &t), 0);
	assert_int_equal(pb_string(b, "count", 5, &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	assert_int_equal(pb_string(b, ptype, strlen(ptype), &pt), 0);
	assert_int_equal(pb_string(b, punit, strlen(punit), &pu), 0);
	pb_set_period(b, pt, pu, 1);
	assert_int_equal(pb_named_frame(b, "a", 1, &loc), 0);
	assert_int_equal(pb_sample(b, &loc, 1, &v, NULL, 0), 0);
	assert_int_equal(pb_finish(b, &p), 0);
	return p;
}

/*
 * pprof's -diff_base refuses profiles whose period types differ ("period type:
 * incompatible types"), however equal their sample types: so do prof_diff and prof_pair.
 * prof_merge (the pieces of one range) takes the first's period type, as it says.
 */
static void test_period_types_compared(void **state)
{
	struct prof *cpu = with_period("cpu", "nanoseconds"), *cpu2 = with_period("cpu", "nanoseconds");
	struct prof *wall = with_period("wall", "nanoseconds"), *us = with_period("cpu", "microseconds");
	struct prof *count = with_period("cpu", "count");
	struct prof *out = NULL;
	const struct prof *both[2] = { cpu, wall };

	(void)state;
	assert_int_equal(prof_diff(wall, cpu, &out), ERR_PARSE);
	assert_null(out);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "period type"));
	assert_non_null(strstr(err_last(), "wall/nanoseconds"));
	assert_int_equal(prof_pair(wall, cpu, &out), ERR_PARSE);
	assert_null(out);
	/* units of different families: refused */
	assert_int_equal(prof_diff(count, cpu, &out), ERR_PARSE);
	assert_null(out);
	/* go tool pprof scales period units of one family (ScaleProfiles) and diffs them */
	assert_int_equal(prof_diff(us, cpu, &out), 0);
	prof_free(out);
	assert_int_equal(prof_pair(cpu, us, &out), 0);
	prof_free(out);
	/* equal period types still compare */
	assert_int_equal(prof_diff(cpu2, cpu, &out), 0);
	assert_int_equal(out->nsamples, 2);
	prof_free(out);
	assert_int_equal(prof_pair(cpu2, cpu, &out), 0);
	prof_free(out);
	assert_int_equal(prof_merge(both, 2, &out), 0);
	assert_string_equal(prof_str(out, out->period_type.type), "cpu");
	prof_free(out);
	prof_free(cpu);
	prof_free(cpu2);
	prof_free(wall);
	prof_free(us);
	prof_free(count);
}

/* A profile of two types, alloc_space then inuse_space, naming the default it is given. */
static struct prof *two_types(const char *named)
{
	struct prof_builder *b = NULL;
	struct prof *p = NULL;
	uint32_t a, in, bytes, loc;
	int64_t v[2] = { 10, 5 };

	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "alloc_space", 11, &a), 0);
	assert_int_equal(pb_string(b, "inuse_space", 11, &in), 0);
	assert_int_equal(pb_string(b, "bytes", 5, &bytes), 0);
	assert_int_equal(pb_sample_type(b, a, bytes), 0);
	assert_int_equal(pb_sample_type(b, in, bytes), 0);
	if (named)
		pb_set_default_type(b, strcmp(named, "alloc_space") == 0 ? 0 : 1);
	assert_int_equal(pb_named_frame(b, "main", 4, &loc), 0);
	assert_int_equal(pb_sample(b, &loc, 1, v, NULL, 0), 0);
	assert_int_equal(pb_finish(b, &p), 0);
	return p;
}

/*
 * The type a difference shows: pprof merges the headers (combineHeaders, the first
 * default_sample_type named: the new profile's, then the base's).  A Go heap profile names
 * none, an allocs profile alloc_space: go tool pprof -top -diff_base allocs heap says
 * "Type: alloc_space ... of 2136496566B total", where the new profile's own fallback, its
 * last type, was inuse_space.
 */
static void test_default_type_of_a_diff(void **state)
{
	struct prof *heap = tu_decode("go/heapwork-heap.pb.gz");
	struct prof *allocs = tu_decode("go/heapwork-allocs.pb.gz");
	struct prof *none = two_types(NULL), *last = two_types("inuse_space");
	struct prof *first = two_types("alloc_space");
	int alloc_space = tu_type(heap, "alloc_space"), inuse_space = tu_type(heap, "inuse_space");
	uint32_t t;

	(void)state;
	assert_false(heap->default_named);
	assert_true(allocs->default_named);
	assert_int_equal(heap->default_type, (uint32_t)inuse_space);
	t = diff_default_type(allocs, heap);
	assert_int_equal(t, (uint32_t)alloc_space);
	tu_assert_i64(prof_total(allocs, t), 2136496566);
	/* the new profile's own default comes first; neither naming one: its last type */
	assert_int_equal(diff_default_type(heap, allocs), allocs->default_type);
	assert_int_equal(diff_default_type(heap, heap), (uint32_t)inuse_space);
	/* named, even as the last type, is not the fallback: the base does not override it */
	assert_true(last->default_named);
	assert_false(none->default_named);
	assert_int_equal(last->default_type, none->default_type);
	assert_int_equal(diff_default_type(first, last), 1);
	assert_int_equal(diff_default_type(first, none), 0);
	assert_int_equal(diff_default_type(none, first), 0);
	prof_free(heap);
	prof_free(allocs);
	prof_free(none);
	prof_free(last);
	prof_free(first);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_change_and_steps),
		cmocka_unit_test(test_pair_and_table),
		cmocka_unit_test(test_mismatched_types),
		cmocka_unit_test(test_go_pair),
		cmocka_unit_test(test_top_selected_name),
		cmocka_unit_test(test_pprof_total_of_diff_base),
		cmocka_unit_test(test_comments_kept),
		cmocka_unit_test(test_headers_combined),
		cmocka_unit_test(test_period_types_compared),
		cmocka_unit_test(test_default_type_of_a_diff),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("diff", tests, NULL, NULL) ? 1 : 0;
}
