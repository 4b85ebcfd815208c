/*
 * test_units.c — base/units.h: sample values as people read them, with pprof's units.
 */
#include "testutil.h"

#include <string.h>

#include "base/units.h"

static const char *fmt(int64_t v, const char *unit)
{
	static char out[UNITS_MAX];

	memset(out, 'X', sizeof(out));
	units_format(out, sizeof(out), v, unit);
	assert_true(memchr(out, '\0', sizeof(out)) != NULL);
	return out;
}

static const char *pct(int64_t v, int64_t total)
{
	static char out[UNITS_MAX];

	units_percent(out, sizeof(out), v, total);
	return out;
}

static void test_kind(void **state)
{
	static const struct {
		const char *unit;
		enum unit_kind kind;
		double scale;
	} cases[] = {
		{ "nanoseconds", UNIT_TIME, 1 },   { "microseconds", UNIT_TIME, 1e3 },
		{ "Milliseconds", UNIT_TIME, 1e6 }, { "seconds", UNIT_TIME, 1e9 },
		{ "bytes", UNIT_BYTES, 1 },        { "kilobytes", UNIT_BYTES, 1024 },
		{ "count", UNIT_COUNT, 1 },        { "objects", UNIT_COUNT, 1 },
		{ "", UNIT_COUNT, 1 },             { NULL, UNIT_COUNT, 1 },
	};
	double scale;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(units_kind(cases[i].unit, &scale), cases[i].kind);
		assert_true(scale == cases[i].scale);
	}
}

/*
 * pprof's families, as go tool pprof -diff_base accepts units (checked against it with
 * profiles of these units diffed with one of the family, but for the invalid byte, which
 * Go lowers to U+FFFD): lowered as Go lowers (the Kelvin sign and a dotted capital I
 * included), one trailing 's' dropped from units longer than 2 bytes, so "μs" is none
 * and "μss" is microseconds.
 */
static void test_pprof_family(void **state)
{
	static const struct {
		const char *unit;
		enum unit_family family;
		double factor;
	} cases[] = {
		{ "nanoseconds", UNIT_FAMILY_TIME, 1 },    { "Nanoseconds", UNIT_FAMILY_TIME, 1 },
		{ "ns", UNIT_FAMILY_TIME, 1 },             { "us", UNIT_FAMILY_TIME, 1e3 },
		{ "\xce\xbcs", UNIT_FAMILY_NONE, 1 },      { "\xce\xbcss", UNIT_FAMILY_TIME, 1e3 },
		{ "\xce\x9cSS", UNIT_FAMILY_TIME, 1e3 },   { "secs", UNIT_FAMILY_TIME, 1e9 },
		{ "s", UNIT_FAMILY_TIME, 1e9 },            { "ss", UNIT_FAMILY_NONE, 1 },
		{ "hrs", UNIT_FAMILY_TIME, 3.6e12 },       { "hours", UNIT_FAMILY_TIME, 3.6e12 },
		{ "minutes", UNIT_FAMILY_NONE, 1 },        { "bytes", UNIT_FAMILY_BYTES, 1 },
		{ "bs", UNIT_FAMILY_NONE, 1 },             { "KB", UNIT_FAMILY_BYTES, 1024 },
		{ "\xe2\x84\xaa" "B", UNIT_FAMILY_BYTES, 1024 },
		{ "K\xc4\xb0LOBYTES", UNIT_FAMILY_BYTES, 1024 },
		{ "petabytes", UNIT_FAMILY_BYTES, 1125899906842624.0 },
		{ "nanogcu", UNIT_FAMILY_GCU, 1e-9 },      { "GCU", UNIT_FAMILY_GCU, 1 },
		{ "count", UNIT_FAMILY_NONE, 1 },          { "", UNIT_FAMILY_NONE, 1 },
		{ "k\xffiB", UNIT_FAMILY_NONE, 1 },
	};
	double f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(units_pprof_family(cases[i].unit, strlen(cases[i].unit), &f),
				 cases[i].family);
		assert_true(f == cases[i].factor);
	}
	/* the length bounds the unit: "ms" of "msec" */
	assert_int_equal(units_pprof_family("msec", 2, &f), UNIT_FAMILY_TIME);
	assert_true(f == 1e6);
}

static void test_format(void **state)
{
	static const struct {
		int64_t v;
		const char *unit, *want;
	} cases[] = {
		/* time: nanoseconds and the other pprof time units */
		{ 1230000000, "nanoseconds", "1.23 s" },
		{ 9240000000, "nanoseconds", "9.24 s" },
		{ 11920000000, "nanoseconds", "11.9 s" },
		{ 10000000, "nanoseconds", "10 ms" },
		{ 150994768, "nanoseconds", "151 ms" },
		{ 1500, "nanoseconds", "1.50 \xc2\xb5s" },
		{ 999, "nanoseconds", "999 ns" },
		{ 0, "nanoseconds", "0 ns" },
		{ 90000000000, "nanoseconds", "1.50 min" },
		{ 7200000000000, "nanoseconds", "2 h" },
		{ -1230000000, "nanoseconds", "-1.23 s" },
		{ 8849000, "microseconds", "8.85 s" },
		{ 1230, "milliseconds", "1.23 s" },
		{ 2, "seconds", "2 s" },
		/* bytes, binary prefixes */
		{ 47815066, "bytes", "45.6 MiB" }, /* 45.6 × 2^20 */
		{ 41608158, "bytes", "39.7 MiB" },
		{ 2136496566, "bytes", "1.99 GiB" },
		{ 512, "bytes", "512 B" },
		{ 0, "bytes", "0 B" },
		{ 1024, "bytes", "1 KiB" },
		{ 1536, "bytes", "1.50 KiB" },
		{ -1536, "bytes", "-1.50 KiB" },
		{ 2048, "kilobytes", "2 MiB" },
		{ (int64_t)3 << 40, "bytes", "3 TiB" },
		/* counts, decimal suffixes */
		{ 12300, "count", "12.3k" },
		{ 7, "count", "7" },
		{ 999, "count", "999" },
		{ -42, "count", "-42" },
		{ 6144814, "count", "6.14M" },
		{ 123456789012, "count", "123G" },
		{ 12300, "", "12.3k" },
		{ 12300, NULL, "12.3k" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(fmt(cases[i].v, cases[i].unit), cases[i].want);
}

/* Small buffers are never overrun: output is cut and NUL-terminated. */
/* Regression: values that round up at a unit boundary move to the next unit. */
static void test_unit_boundaries(void **state)
{
	(void)state;
	assert_string_equal(fmt(999700, "nanoseconds"), "1.00 ms");
	assert_string_equal(fmt(999400, "nanoseconds"), "999 \xc2\xb5s");
	assert_string_equal(fmt(999700000, "nanoseconds"), "1.00 s");
	assert_string_equal(fmt(1023 * 1024 + 1000, "bytes"), "1.00 MiB");
	assert_string_equal(fmt(1000 * 1024, "bytes"), "1000 KiB");
	assert_string_equal(fmt(999900, "count"), "1.00M");
	assert_string_equal(fmt(999400, "count"), "999k");
}

static void test_small_buffer(void **state)
{
	char out[4];

	(void)state;
	units_format(out, sizeof(out), 1230000000, "nanoseconds");
	assert_string_equal(out, "1.2");
	units_percent(out, sizeof(out), 1, 3);
	assert_string_equal(out, "33.");
}

static void test_percent(void **state)
{
	(void)state;
	assert_string_equal(pct(1, 3), "33.3%");
	assert_string_equal(pct(1550000000, 9240000000), "16.8%");
	assert_string_equal(pct(10, 10), "100%");
	assert_string_equal(pct(0, 10), "0%");
	assert_string_equal(pct(5, 0), "0%");
	assert_string_equal(pct(1, 2000), "0.05%");
	assert_string_equal(pct(1, 1000000), "0.0001%");
	/* a share is a magnitude, as pprof's measurement.Percentage */
	assert_string_equal(pct(-5, 10), "50.0%");
	assert_string_equal(pct(-10, 10), "100%");
	assert_string_equal(pct(5, -10), "50.0%");
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind),
		cmocka_unit_test(test_pprof_family),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_unit_boundaries),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_percent),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("units", tests, NULL, NULL) ? 1 : 0;
}
