/*
 * test_timeparse.c — base/timeparse.c: the times --from/--to take (profilecli's
 * operations.ParseTime: now, now-1h, a bare duration, RFC 3339, Unix timestamps of 10,
 * 13, 16 or 19 digits), the ones /pyroscope/render and /ingest take (Pyroscope's
 * attime.Parse: now-15min, now-1M, YYYYMMDD, Unix timestamps of any length; its own
 * test's cases are here; and the time /ingest stores for what render refuses) and
 * durations (Prometheus's units and order, Go's fractions and ns/us/µs), with one-line
 * errors for everything else.
 */
#include <string.h>

#include "base/err.h"
#include "base/timeparse.h"
#include "testutil.h"

#define S 1000000000LL
#define NOW (1700000000LL * S + 123456789)

typedef int parse_fn(const char *s, int64_t now_ns, int64_t *out_ns);

/* what fn (named name) makes of s, which it must take */
static int64_t parsed(parse_fn *fn, const char *name, const char *s)
{
	int64_t v;

	if (fn(s, NOW, &v))
		fail_msg("%s('%s'): %s", name, s, err_last());
	return v;
}

/* fn must refuse s with a one-line message that says want */
static void refused(parse_fn *fn, const char *name, const char *s, const char *want)
{
	int64_t v;

	if (fn(s, NOW, &v) != ERR_PARSE)
		fail_msg("%s('%s') succeeded", name, s);
	tu_assert_message(err_last());
	if (!strstr(err_last(), want))
		fail_msg("%s('%s'): '%s' does not say '%s'", name, s, err_last(), want);
}

static int64_t t(const char *s)
{
	return parsed(timeparse, "timeparse", s);
}

static void bad(const char *s, const char *want)
{
	refused(timeparse, "timeparse", s, want);
}

static int64_t at(const char *s)
{
	return parsed(timeparse_attime, "timeparse_attime", s);
}

static void at_bad(const char *s, const char *want)
{
	refused(timeparse_attime, "timeparse_attime", s, want);
}

static void test_relative(void **state)
{
	(void)state;
	tu_assert_i64(t("now"), NOW);
	tu_assert_i64(t("now-1h"), NOW - 3600 * S);
	tu_assert_i64(t("now-30m"), NOW - 1800 * S);
	tu_assert_i64(t("now-1h30m"), NOW - 5400 * S);
	tu_assert_i64(t("now-7d"), NOW - 7 * 86400 * S);
	tu_assert_i64(t("now-2w"), NOW - 14 * 86400 * S);
	tu_assert_i64(t("now-1y"), NOW - 365 * 86400 * S);
	tu_assert_i64(t("now-250ms"), NOW - 250000000);
	/* profilecli trims a relative time; now-0 is now */
	tu_assert_i64(t(" now-1h\t"), NOW - 3600 * S);
	tu_assert_i64(t(" now "), NOW);
	tu_assert_i64(t("now-0"), NOW);
	bad("now+10m", "bad time 'now+10m'");  /* profilecli has no now+ */
	/* profilecli: a bare duration is that long ago */
	tu_assert_i64(t("1h"), NOW - 3600 * S);
	tu_assert_i64(t("15m"), NOW - 900 * S);
	bad("now-", "empty duration");
	bad("now-1x", "ms s m h d w y");
	bad("now-m", "expected a number");
	bad("now-30m1h", "largest to smallest");
	bad("now-1h1h", "largest to smallest");
	bad("now-99999999999999999999h", "too long");
	bad("yesterday", "expected now, now-1h, RFC 3339");
	bad("", "empty time");
}

static void test_absolute(void **state)
{
	(void)state;
	tu_assert_i64(t("2023-11-14T22:13:20Z"), 1700000000LL * S);
	tu_assert_i64(t("2023-11-14t22:13:20z"), 1700000000LL * S);
	tu_assert_i64(t("2023-11-14 22:13:20Z"), 1700000000LL * S);
	tu_assert_i64(t("2023-11-14T22:13:20.5Z"), 1700000000LL * S + 500000000);
	tu_assert_i64(t("2023-11-14T22:13:20.123456789Z"), 1700000000LL * S + 123456789);
	tu_assert_i64(t("2023-11-14T22:13:20.1234567891Z"), 1700000000LL * S + 123456789);
	tu_assert_i64(t("2023-11-15T00:13:20+02:00"), 1700000000LL * S);
	tu_assert_i64(t("2023-11-14T20:43:20-01:30"), 1700000000LL * S);
	tu_assert_i64(t("1970-01-01T00:00:00Z"), 0);
	bad("2023-11-14T22:13:20", "bad time");      /* no zone */
	bad("2023-13-14T22:13:20Z", "bad time");
	bad("2023-11-14T22:13:20.Z", "bad time");
	bad("2023-11-14T22:13:20+0200", "bad time");
	/* what int64 nanoseconds hold: 1677-09-21 to 2262-04-11 (fuzz_text found the overflow) */
	tu_assert_i64(t("2262-04-11T00:00:00Z"), 9223286400LL * S);
	tu_assert_i64(t("1677-09-22T00:00:00Z"), -9223286400LL * S);
	bad("9999-12-31T23:59:59Z", "out of range");
	bad("2262-04-12T00:00:00Z", "out of range");
	bad("0001-01-01T00:00:00-23:59", "out of range");
	/* Unix timestamps: the digit count is the unit */
	tu_assert_i64(t("1700000000"), 1700000000LL * S);
	tu_assert_i64(t("1700000000123"), 1700000000123LL * 1000000);
	tu_assert_i64(t("1700000000123456"), 1700000000123456LL * 1000);
	tu_assert_i64(t("1700000000123456789"), 1700000000123456789LL);
	tu_assert_i64(t("+170000000"), 170000000LL * S);  /* ParseInt: a sign counts */
	tu_assert_i64(t("-170000000"), -170000000LL * S);
	tu_assert_i64(t("0"), 0);  /* smolder's "everything" (profilecli: now) */
	/* any other length is refused, as profilecli's "invalid timestamp length" */
	bad("86400", "10 digits");
	bad("12345", "10 digits");
	bad("170000000012", "10 digits");
	bad("99999999999999999999", "10 digits");
	bad(" 1700000000", "bad time");
	bad("9999999999999999999", "out of range");
}

static void test_durations_and_format(void **state)
{
	int64_t d;
	char buf[40];

	(void)state;
	assert_int_equal(timeparse_duration("0", &d), 0);
	tu_assert_i64(d, 0);
	assert_int_equal(timeparse_duration("1d2h3m4s5ms", &d), 0);
	tu_assert_i64(d, 86400 * S + 7200 * S + 180 * S + 4 * S + 5000000);
	assert_int_equal(timeparse_duration("10s", &d), 0);
	tu_assert_i64(d, 10 * S);
	assert_int_equal(timeparse_duration("-1h", &d), ERR_PARSE);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "cannot be negative"));
	time_format_rfc3339(1700000000LL * S + 999, buf, sizeof(buf));
	assert_string_equal(buf, "2023-11-14T22:13:20Z");
	time_format_rfc3339(-1, buf, sizeof(buf));
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	assert_true(time_now_ns() > 1700000000LL * S);
}

/* Pyroscope's attime.Parse (pkg/og/util/attime), what /pyroscope/render reads */
static void test_attime(void **state)
{
	(void)state;
	/* attime_test.go's cases */
	tu_assert_i64(at("now"), NOW);
	tu_assert_i64(at("now-1s"), NOW - S);
	tu_assert_i64(at("now+1s"), NOW + S);
	tu_assert_i64(at("now-1min"), NOW - 60 * S);
	tu_assert_i64(at("now-1h"), NOW - 3600 * S);
	tu_assert_i64(at("now-1d"), NOW - 86400 * S);
	tu_assert_i64(at("now-1w"), NOW - 7 * 86400 * S);
	tu_assert_i64(at("now-1mon"), NOW - 30 * 86400 * S);
	tu_assert_i64(at("now-1M"), NOW - 30 * 86400 * S);
	tu_assert_i64(at("now-1y"), NOW - 365 * 86400 * S);
	tu_assert_i64(at("now-1"), NOW);
	/* a number without a unit counts nothing however long: not past 2262 */
	tu_assert_i64(at("now+99999999999999999999"), NOW);
	tu_assert_i64(at("now-1h99999999999999999999"), NOW - 3600 * S);
	tu_assert_i64(at("20200101"), 1577836800LL * S);
	tu_assert_i64(at("1577836800"), 1577836800LL * S);
	tu_assert_i64(at("1577836800001"), 1577836800LL * S + 1000000);
	tu_assert_i64(at("1577836800000001"), 1577836800LL * S + 1000);
	tu_assert_i64(at("1577836800000000001"), 1577836800LL * S + 1);
	/* units are known by how they start */
	tu_assert_i64(at("now-15min"), NOW - 900 * S);
	tu_assert_i64(at("now-2days"), NOW - 2 * 86400 * S);
	tu_assert_i64(at("now-3hours"), NOW - 3 * 3600 * S);
	tu_assert_i64(at("now-30sec"), NOW - 30 * S);
	tu_assert_i64(at("now-2months"), NOW - 60 * 86400 * S);
	tu_assert_i64(at("now-5ms"), NOW - 300 * S);  /* m: minutes, as upstream */
	tu_assert_i64(at("-1h"), NOW - 3600 * S);
	tu_assert_i64(at("+10m"), NOW + 600 * S);
	/* spaces, '_' and ',' are dropped */
	tu_assert_i64(at(" now - 1 h "), NOW - 3600 * S);
	tu_assert_i64(at("1_577_836_800"), 1577836800LL * S);
	tu_assert_i64(at("1,577,836,800"), 1577836800LL * S);
	/* a date only after 1900 and when it is one; else seconds, whatever the count */
	tu_assert_i64(at("20261122"), 1795305600LL * S);
	tu_assert_i64(at("20240229"), 1709164800LL * S);
	tu_assert_i64(at("20230229"), 20230229LL * S);
	tu_assert_i64(at("19000101"), 19000101LL * S);
	tu_assert_i64(at("20241301"), 20241301LL * S);
	tu_assert_i64(at("86400"), 86400 * S);
	tu_assert_i64(at("0"), 0);
	/* smolder's own: RFC 3339 (attime: now), several terms add up (attime: the first) */
	tu_assert_i64(at("2023-11-14T22:13:20Z"), 1700000000LL * S);
	tu_assert_i64(at(" 2023-11-14 22:13:20Z "), 1700000000LL * S);
	tu_assert_i64(at("now-1h30m"), NOW - 5400 * S);
	tu_assert_i64(at("now-30m1h"), NOW - 5400 * S);
	tu_assert_i64(at("now-1d12h"), NOW - 36 * 3600 * S);
	/* what attime silently reads as now is refused */
	at_bad("yesterday", "bad time 'yesterday'");
	at_bad("1h", "bad time '1h'");
	at_bad("now-1h+30m", "bad time");
	at_bad("now-1H", "unknown unit 'H'");
	at_bad("now-1x", "unknown unit");
	at_bad("now-1.5h", "expected a number");
	at_bad("now-", "expected a number");
	at_bad("now-h", "expected a number");
	/* what int64 nanoseconds cannot hold */
	at_bad("99999999999", "out of range");
	at_bad("99991231", "out of range");
	at_bad("99999999999999999999", "out of range");
	at_bad("now-999999999999y", "out of range");
	at_bad("now-99999999999999999999s", "out of range");
}

/* attime_n must refuse s[0..n) and still set the time /ingest stores for it */
static int64_t at_refused_n(const char *s, size_t n)
{
	int64_t v = 12345;

	if (timeparse_attime_n(s, n, NOW, &v) != ERR_PARSE)
		fail_msg("timeparse_attime_n('%.*s') did not refuse it", (int)n, s);
	tu_assert_message(err_last());
	return v;
}

static int64_t at_refused(const char *s)
{
	return at_refused_n(s, strlen(s));
}

/*
 * What render refuses has a time all the same, the one /ingest stores (upstream's
 * attime never fails): what is not read counts for nothing, times past int64 are held
 * at its edges
 */
static void test_attime_refused_time(void **state)
{
	char longer[200];
	int64_t v;

	(void)state;
	/* text with no sign, and text before the sign, is now (attime's reference) */
	tu_assert_i64(at_refused("yesterday"), NOW);
	tu_assert_i64(at_refused("1h"), NOW);
	tu_assert_i64(at_refused("garbage"), NOW);
	tu_assert_i64(at_refused("yesterday-1h"), NOW - 3600 * S);
	tu_assert_i64(at_refused("now-1h+30m"), NOW + 1800 * S);
	/* an offset that is not NUMBER[UNIT] terms is none */
	tu_assert_i64(at_refused("now-1.5h"), NOW);
	tu_assert_i64(at_refused("now-1x"), NOW);
	tu_assert_i64(at_refused("now-1h5x"), NOW);
	tu_assert_i64(at_refused("now-"), NOW);
	tu_assert_i64(at_refused("now-h"), NOW);
	/* past int64 nanoseconds: held at its edge */
	tu_assert_i64(at_refused("99999999999"), INT64_MAX);
	tu_assert_i64(at_refused("99991231"), INT64_MAX);
	tu_assert_i64(at_refused("99999999999999999999"), INT64_MAX);
	tu_assert_i64(at_refused("now-300y"), INT64_MIN);
	tu_assert_i64(at_refused("now+300y"), INT64_MAX);
	tu_assert_i64(at_refused("now-99999999999999999999s"), INT64_MIN);
	tu_assert_i64(at_refused("9999-01-01T00:00:00Z"), INT64_MAX);
	tu_assert_i64(at_refused("1500-01-01T00:00:00Z"), INT64_MIN);
	/* the bytes given, not up to a NUL: a NUL byte is text attime cannot read */
	tu_assert_i64(at_refused_n("now-1h\0" "30m", 10), NOW);
	tu_assert_i64(at_refused_n("1577836800\0", 11), NOW);
	assert_int_equal(timeparse_attime_n("now-1h30m", 6, NOW, &v), 0);
	tu_assert_i64(v, NOW - 3600 * S);
	/* too long to be a time */
	memset(longer, '1', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	tu_assert_i64(at_refused(longer), NOW);
	/* and what it reads it reads as render does */
	assert_int_equal(timeparse_attime_n(" now-1h30m ", 11, NOW, &v), 0);
	tu_assert_i64(v, NOW - 5400 * S);
}

static int64_t dur(const char *s)
{
	int64_t d = -1;

	if (timeparse_duration(s, &d))
		fail_msg("timeparse_duration('%s'): %s", s, err_last());
	return d;
}

static int dur_parse(const char *s, int64_t now_ns, int64_t *out_ns)
{
	(void)now_ns;
	return timeparse_duration(s, out_ns);
}

/*
 * Fractions and Go's small units, as time.ParseDuration (profilecli's flags) reads them:
 * the expected values are what Go 1.x prints for int64(time.ParseDuration(s)).  They
 * were refused ("unit at offset 1 is not one of ms s m h d w y" for 4.1s).
 */
static void test_duration_fractions(void **state)
{
	(void)state;
	tu_assert_i64(dur("4.1s"), 4100000000LL);
	tu_assert_i64(dur("1.5m"), 90000000000LL);
	tu_assert_i64(dur("0.5s"), 500000000LL);
	tu_assert_i64(dur(".5s"), 500000000LL);
	tu_assert_i64(dur("1.s"), 1000000000LL);
	tu_assert_i64(dur("1.5h"), 5400000000000LL);
	tu_assert_i64(dur("0.7h"), 2520000000000LL);
	/* Go's double arithmetic, truncated: not 1200000000000 less 120 rounded */
	tu_assert_i64(dur("0.3333333333h"), 1199999999880LL);
	tu_assert_i64(dur("1.000000001s"), 1000000001LL);
	tu_assert_i64(dur("3.0000001ms"), 3000000LL);
	/* digits past what 63 bits hold are read and dropped */
	tu_assert_i64(dur("1.123456789123456789123456789h"), 4044444440844LL);
	tu_assert_i64(dur("0.1ns"), 0);
	tu_assert_i64(dur("2.5us"), 2500);
	tu_assert_i64(dur("7\xc2\xb5s"), 7000);  /* U+00B5 */
	tu_assert_i64(dur("7\xce\xbcs"), 7000);  /* U+03BC */
	tu_assert_i64(dur("1h30.5m"), 5430000000000LL);
	tu_assert_i64(dur("2562047h47m16.854775807s"), INT64_MAX);
	/* Prometheus's longer units take fractions the same way */
	tu_assert_i64(dur("1.5d"), 129600 * S);
	tu_assert_i64(dur("0.5w"), 302400 * S);
	/* each error says what is wrong */
	refused(dur_parse, "timeparse_duration", "2562047h47m16.854775808s", "too long");
	refused(dur_parse, "timeparse_duration", "300000y", "too long");
	refused(dur_parse, "timeparse_duration", "10", "has no unit");
	refused(dur_parse, "timeparse_duration", "1.5", "has no unit");
	refused(dur_parse, "timeparse_duration", "5sec", "unknown unit 'sec' at offset 1");
	refused(dur_parse, "timeparse_duration", "1e3s", "unknown unit 'e'");
	refused(dur_parse, "timeparse_duration", ".s", "no digits around the '.'");
	refused(dur_parse, "timeparse_duration", "1..5s", "has no unit");
	refused(dur_parse, "timeparse_duration", "1m1h", "largest to smallest");
	/* --from takes them too: now-1.5h, 0.5h (ago) */
	tu_assert_i64(t("now-1.5h"), NOW - 5400 * S);
	tu_assert_i64(t("0.5h"), NOW - 1800 * S);
	tu_assert_i64(t("now-250us"), NOW - 250000);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_absolute),
		cmocka_unit_test(test_durations_and_format),
		cmocka_unit_test(test_duration_fractions),
		cmocka_unit_test(test_attime),
		cmocka_unit_test(test_attime_refused_time),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
