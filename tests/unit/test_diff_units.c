/*
 * test_diff_units.c — prof_diff, prof_pair and prof_merge of profiles whose sample types
 * (and period types) are in different units of one family.  go tool pprof (Go 1.19)
 * scales them to the finest unit before it merges (measurement.ScaleProfiles): the
 * expected numbers are what `go tool pprof -raw -diff_base BASE NEW` prints for the same
 * profiles written by tests/e2e/pprof_units.py, float64 arithmetic included.
 */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "profile/builder.h"
#include "profile/merge.h"
#include "testutil.h"

#define MAXT 2

struct spec {
	const char *types[MAXT][2];  /* type, unit; the first NULL type ends them */
	const char *ptype, *punit;   /* NULL: no period type */
	int64_t period;
	struct {
		const char *frame;
		int64_t v[MAXT];
	} s[4];  /* the first NULL frame ends them */
};

static uint32_t str(struct prof_builder *b, const char *s)
{
	uint32_t id;

	assert_int_equal(pb_string(b, s, strlen(s), &id), 0);
	return id;
}

/* A profile of one-frame samples, as sp says. */
static struct prof *mk(const struct spec *sp)
{
	struct prof_builder *b;
	struct prof *p;
	uint32_t loc, t;
	int i;

	assert_int_equal(pb_new(&b), 0);
	for (t = 0; t < MAXT && sp->types[t][0]; t++)
		assert_int_equal(pb_sample_type(b, str(b, sp->types[t][0]),
						str(b, sp->types[t][1])), 0);
	if (sp->ptype)
		pb_set_period(b, str(b, sp->ptype), str(b, sp->punit), sp->period);
	for (i = 0; i < 4 && sp->s[i].frame; i++) {
		const char *f = sp->s[i].frame;

		assert_int_equal(pb_named_frame(b, f, strlen(f), &loc), 0);
		assert_int_equal(pb_sample(b, &loc, 1, sp->s[i].v, NULL, 0), 0);
	}
	assert_int_equal(pb_finish(b, &p), 0);
	return p;
}

/* The values of type t of p's samples, in order, as "v v v". */
static void values(const struct prof *p, uint32_t t, char *out, size_t n)
{
	size_t k = 0;
	uint32_t i;

	out[0] = 0;
	for (i = 0; i < p->nsamples && k < n; i++)
		k += (size_t)snprintf(out + k, n - k, "%s%lld", i ? " " : "",
				      (long long)prof_value(p, i, t));
}

static void assert_values(const struct prof *p, uint32_t t, const char *want)
{
	char got[512];

	values(p, t, got, sizeof(got));
	assert_string_equal(got, want);
}

static void assert_units(const struct prof *p, const char *unit, const char *punit,
			 int64_t period)
{
	uint32_t t;

	for (t = 0; t < p->ntypes; t++)
		assert_string_equal(prof_str(p, p->sample_types[t].unit), unit);
	assert_string_equal(prof_str(p, p->period_type.unit), punit);
	tu_assert_i64(p->period, period);
}

static const struct spec cpu_us = {
	{ { "cpu", "microseconds" } }, "cpu", "microseconds", 10000,
	{ { "main.a", { 3 } }, { "main.b", { 7 } }, { "main.main", { 1 } } },
};
static const struct spec cpu_ns = {
	{ { "cpu", "nanoseconds" } }, "cpu", "nanoseconds", 10000000,
	{ { "main.a", { 5000 } }, { "main.b", { 2500 } }, { "main.c", { 1499 } } },
};

/*
 * A base in microseconds, a new profile in nanoseconds, and the other way round: one
 * profile of nanoseconds, the base's values times 1000 (pprof -raw: -3000, -7000, -1000;
 * "PeriodType: cpu nanoseconds", "Period: 10000000").  They were refused ("sample type
 * 0 differs").
 */
static void test_diff_in_finer_unit(void **state)
{
	struct prof *us = mk(&cpu_us), *ns = mk(&cpu_ns), *out = NULL;

	(void)state;
	assert_int_equal(prof_diff(us, ns, &out), 0);
	tu_check_invariants(out);
	assert_units(out, "nanoseconds", "nanoseconds", 10000000);
	assert_values(out, 0, "5000 2500 1499 -3000 -7000 -1000");
	prof_free(out);
	/* the new profile in microseconds: its values are scaled, the base's unit taken */
	assert_int_equal(prof_diff(ns, us, &out), 0);
	assert_units(out, "nanoseconds", "nanoseconds", 10000000);
	assert_values(out, 0, "3000 7000 1000 -5000 -2500 -1499");
	prof_free(out);
	/* the pair: both sides in nanoseconds, the base's with its sign */
	assert_int_equal(prof_pair(us, ns, &out), 0);
	tu_check_invariants(out);
	assert_int_equal(out->ntypes, 2);
	assert_units(out, "nanoseconds", "nanoseconds", 10000000);
	assert_values(out, 0, "5000 2500 1499 0 0 0");
	assert_values(out, 1, "0 0 0 3000 7000 1000");
	prof_free(out);
	prof_free(us);
	prof_free(ns);
}

/*
 * Units equally fine (ns and Nanoseconds, pprof's aliases lowered): nothing is scaled,
 * and the new profile's spelling is the one kept (pprof: the first of [new, base]).
 */
static void test_equal_units_new_spelling(void **state)
{
	struct spec a = cpu_ns, b = cpu_ns;
	struct prof *pa, *pb, *out = NULL;

	(void)state;
	a.types[0][1] = "Nanoseconds";
	b.types[0][1] = "ns";
	pa = mk(&a);
	pb = mk(&b);
	assert_int_equal(prof_diff(pa, pb, &out), 0);
	assert_units(out, "ns", "nanoseconds", 10000000);
	assert_values(out, 0, "5000 2500 1499 -5000 -2500 -1499");
	prof_free(out);
	assert_int_equal(prof_diff(pb, pa, &out), 0);
	assert_units(out, "Nanoseconds", "nanoseconds", 10000000);
	prof_free(out);
	prof_free(pa);
	prof_free(pb);
}

/*
 * Values are scaled in float64, as pprof's ScaleN does: 2^53 + 1 µs is 9007199254740992000
 * ns to pprof, not ...993000.  10^16 µs is past int64 in ns: Go's int64() on amd64 makes
 * it -2^63 (pprof -raw), a value smolder refuses anywhere; so is it here.  A period is
 * scaled in float64 and truncated: 1 GCU is 999999999 nanoGCU (1 / 1e-9 is
 * 999999999.9999999), while a value of 1 GCU rounds to 1000000000.
 */
static void test_scaled_as_pprof(void **state)
{
	struct spec big = {
		{ { "cpu", "microseconds" } }, "cpu", "microseconds", 1,
		{ { "main.a", { 9007199254740993 } }, { "main.c", { -9007199254740993 } } },
	};
	const struct spec one = {
		{ { "cpu", "nanoseconds" } }, "cpu", "nanoseconds", 1, { { "main.a", { 1 } } },
	};
	const struct spec gcu = {
		{ { "cost", "gcu" } }, "cost", "gcu", 1, { { "main.a", { 1 } } },
	};
	const struct spec ngcu = {
		{ { "cost", "nanogcu" } }, "cost", "nanogcu", 5, { { "main.a", { 7 } } },
	};
	struct prof *pbig = mk(&big), *pone = mk(&one), *pg = mk(&gcu), *png = mk(&ngcu);
	struct prof *out = NULL;

	(void)state;
	assert_int_equal(prof_diff(pbig, pone, &out), 0);
	assert_units(out, "nanoseconds", "nanoseconds", 1000);
	assert_values(out, 0, "1 -9007199254740992000 9007199254740992000");
	prof_free(out);
	prof_free(pbig);
	big.s[1].v[0] = 10000000000000000;
	pbig = mk(&big);
	assert_int_equal(prof_diff(pbig, pone, &out), ERR_TOOBIG);
	assert_null(out);
	assert_string_equal(err_last(), "sample 1: a value of 'cpu' (10000000000000000 "
			    "microseconds) is past 2^63 in the finer unit");
	assert_int_equal(prof_diff(pg, png, &out), 0);
	assert_units(out, "nanogcu", "nanogcu", 999999999);
	assert_values(out, 0, "7 -1000000000");
	prof_free(out);
	prof_free(pbig);
	prof_free(pone);
	prof_free(pg);
	prof_free(png);
}

/*
 * pprof's ScaleN drops, from a profile it scales, the samples whose scaled values are
 * all 0, whatever their other values: the base's (3 objects, 0 kB) is gone, and
 * alloc_objects' diff of main.b is +1, not -2.  The new profile, not scaled, keeps its
 * (1, 0 B).
 */
static void test_scaled_zero_samples_dropped(void **state)
{
	const struct spec kb = {
		{ { "alloc_objects", "count" }, { "alloc_space", "kilobytes" } },
		"space", "bytes", 524288,
		{ { "main.a", { 2, 3 } }, { "main.b", { 3, 0 } }, { "main.c", { 1, 1 } } },
	};
	const struct spec b = {
		{ { "alloc_objects", "count" }, { "alloc_space", "bytes" } },
		"space", "bytes", 524288,
		{ { "main.a", { 4, 2048 } }, { "main.b", { 1, 0 } } },
	};
	struct prof *pk = mk(&kb), *pb = mk(&b), *out = NULL;

	(void)state;
	assert_int_equal(prof_diff(pk, pb, &out), 0);
	assert_string_equal(prof_str(out, out->sample_types[0].unit), "count");
	assert_string_equal(prof_str(out, out->sample_types[1].unit), "bytes");
	assert_values(out, 0, "4 1 -2 -1");
	assert_values(out, 1, "2048 0 -3072 -1024");
	prof_free(out);
	prof_free(pk);
	prof_free(pb);
}

/*
 * What pprof refuses stays refused, in one line naming both: "μs" (no unit of pprof's:
 * it loses its 's'), units of two families, names that differ by more than the unit
 * (cpus), a different number of sample types, a period of another family.
 */
static void test_refused(void **state)
{
	static const char *const units[] = { "μs", "count", "microseconds" };
	static const char *const types[] = { "cpu", "cpu", "cpus" };
	static const char *const want[] = {
		"sample type 0 differs: cpu/μs in the base, cpu/nanoseconds here",
		"sample type 0 differs: cpu/count in the base, cpu/nanoseconds here",
		"sample type 0 differs: cpus/microseconds in the base, cpu/nanoseconds here",
	};
	struct prof *ns = mk(&cpu_ns), *p, *out = NULL;
	struct spec sp = cpu_us;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		sp.types[0][0] = types[i];
		sp.types[0][1] = units[i];
		p = mk(&sp);
		assert_int_equal(prof_diff(p, ns, &out), ERR_PARSE);
		assert_null(out);
		tu_assert_message(err_last());
		assert_string_equal(err_last(), want[i]);
		assert_int_equal(prof_pair(p, ns, &out), ERR_PARSE);
		assert_null(out);
		prof_free(p);
	}
	sp = cpu_us;
	sp.types[1][0] = "samples";
	sp.types[1][1] = "count";
	p = mk(&sp);
	assert_int_equal(prof_diff(p, ns, &out), ERR_PARSE);
	assert_string_equal(err_last(), "the base profile has 2 sample types, this one 1");
	prof_free(p);
	sp = cpu_us;
	sp.punit = "bytes";
	p = mk(&sp);
	assert_int_equal(prof_diff(p, ns, &out), ERR_PARSE);
	assert_string_equal(err_last(),
			    "period type differs: 'cpu/bytes' in the base, 'cpu/nanoseconds' here");
	prof_free(p);
	prof_free(ns);
}

/*
 * prof_merge (the pieces of one range) scales as pprof merges several profiles: to the
 * finest unit of all, periods of one family too.  Periods of types pprof would refuse
 * are kept as they were (the first's type, the largest value), as prof_merge says.
 */
static void test_merge_units(void **state)
{
	struct spec ms = cpu_us, us = cpu_us, other = cpu_ns;
	struct prof *p[3], *out = NULL;
	size_t i;

	(void)state;
	ms.types[0][1] = ms.punit = "milliseconds";
	ms.period = 10;
	p[0] = mk(&ms);
	p[1] = mk(&us);
	p[2] = mk(&cpu_ns);
	assert_int_equal(prof_merge((const struct prof *const *)p, 3, &out), 0);
	tu_check_invariants(out);
	assert_units(out, "nanoseconds", "nanoseconds", 10000000);
	assert_values(out, 0, "3000000 7000000 1000000 3000 7000 1000 5000 2500 1499");
	prof_free(out);
	/* two pieces: microseconds then ms; the finer is the second's */
	assert_int_equal(prof_merge((const struct prof *const *)p, 2, &out), 0);
	assert_units(out, "microseconds", "microseconds", 10000);
	assert_values(out, 0, "3000 7000 1000 3 7 1");
	prof_free(out);
	prof_free(p[2]);
	other.ptype = "wall";
	other.period = 5;
	p[2] = mk(&other);
	assert_int_equal(prof_merge((const struct prof *const *)&p[1], 2, &out), 0);
	assert_string_equal(prof_str(out, out->period_type.type), "cpu");
	assert_units(out, "nanoseconds", "microseconds", 10000);
	prof_free(out);
	prof_free(p[0]);
	ms.types[1][0] = "samples";
	ms.types[1][1] = "count";
	p[0] = mk(&ms);
	assert_int_equal(prof_merge((const struct prof *const *)p, 3, &out), ERR_PARSE);
	assert_null(out);
	assert_string_equal(err_last(), "part 2 has 1 sample types, part 1 2");
	for (i = 0; i < 3; i++)
		prof_free(p[i]);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_in_finer_unit),
		cmocka_unit_test(test_equal_units_new_spelling),
		cmocka_unit_test(test_scaled_as_pprof),
		cmocka_unit_test(test_scaled_zero_samples_dropped),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_merge_units),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("diff_units", tests, NULL, NULL) ? 1 : 0;
}
