/*
 * timeparse.c — the two time grammars of timeparse.h (profilecli's for the command line,
 * attime's for /pyroscope/render and /ingest) and durations (Prometheus's, with Go's
 * fractions).
 */
#include "timeparse.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "err.h"

#define NS_PER_S 1000000000LL
#define TIME_MAX_INPUT 128

int64_t time_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

void time_format_rfc3339(int64_t ns, char *out, size_t n)
{
	time_t secs = (time_t)(ns / NS_PER_S - (ns % NS_PER_S < 0));
	struct tm tm;

	if (!gmtime_r(&secs, &tm) || strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, n, "%lld", (long long)ns);
}

/*
 * The units: Go's (time.ParseDuration: ns, us and its two micro signs, ms, s, m, h) and
 * Prometheus's longer ones (d, w, y).  A unit is the whole run of letters after a
 * number, as Go reads it, so "5sec" is an unknown unit rather than 5 s and then "ec".
 */
#define DURATION_UNITS "ns us µs ms s m h d w y"

static int64_t unit_ns(const char *u, size_t n)
{
	static const struct {
		const char *name;
		int64_t ns;
	} units[] = {
		{ "ns", 1 },
		{ "us", 1000 },
		{ "\xc2\xb5s", 1000 },  /* U+00B5 micro sign */
		{ "\xce\xbcs", 1000 },  /* U+03BC Greek small letter mu */
		{ "ms", 1000000LL },
		{ "s", NS_PER_S },
		{ "m", 60 * NS_PER_S },
		{ "h", 3600 * NS_PER_S },
		{ "d", 86400 * NS_PER_S },
		{ "w", 7 * 86400 * NS_PER_S },
		{ "y", 365 * 86400 * NS_PER_S },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].name) == n && memcmp(u, units[i].name, n) == 0)
			return units[i].ns;
	return 0;
}

static int duration_too_long(const char *s)
{
	return err_set(ERR_PARSE, "duration '%.*s' is too long (at most 292 years)",
		       TIME_MAX_INPUT, s);
}

/*
 * One term NUMBER[.FRACTION]UNIT at *pp, as Go's ParseDuration reads it, into *out (ns)
 * and its unit's length in ns into *unit.  The fraction's digits count while they fit
 * 63 bits (later ones are read and dropped), and it adds
 * (uint64)(fraction * (unit / 10^digits)) in double, truncated: Go's arithmetic, so
 * that 1.5h, 4.1s and 0.3333333333h are the nanoseconds profilecli gets.
 */
static int duration_term(const char *s, const char **pp, int64_t *out, int64_t *unit)
{
	const char *p = *pp, *u;
	uint64_t v = 0, f = 0;
	double scale = 1;
	bool pre, post = false, fover = false;
	int64_t un;

	if (!isdigit((unsigned char)*p) && *p != '.')
		return err_set(ERR_PARSE, "bad duration '%.*s': expected a number at offset %zu",
			       TIME_MAX_INPUT, s, (size_t)(p - s));
	pre = isdigit((unsigned char)*p);
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (uint64_t)INT64_MAX / 10)
			return duration_too_long(s);
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++) {
			post = true;
			if (fover || f > (uint64_t)INT64_MAX / 10) {
				fover = true;
				continue;
			}
			f = f * 10 + (uint64_t)(*p - '0');
			scale *= 10;
		}
	}
	if (!pre && !post)
		return err_set(ERR_PARSE, "bad duration '%.*s': no digits around the '.' at "
					  "offset %zu", TIME_MAX_INPUT, s, (size_t)(p - 1 - s));
	for (u = p; *p && *p != '.' && !isdigit((unsigned char)*p); p++)
		;
	if (p == u)
		return err_set(ERR_PARSE, "bad duration '%.*s': the number at offset %zu has no "
					  "unit (" DURATION_UNITS ")", TIME_MAX_INPUT, s,
			       (size_t)(*pp - s));
	if (!(un = unit_ns(u, (size_t)(p - u))))
		return err_set(ERR_PARSE, "bad duration '%.*s': unknown unit '%.*s' at offset %zu "
					  "(" DURATION_UNITS ")", TIME_MAX_INPUT, s,
			       (int)(p - u > 16 ? 16 : p - u), u, (size_t)(u - s));
	if (v > (uint64_t)INT64_MAX / (uint64_t)un)
		return duration_too_long(s);
	v *= (uint64_t)un;
	if (f > 0) {
		double add = (double)f * ((double)un / scale);

		/* above every unit's length in years: too long whatever v is */
		if (add >= 9.2e18 || (v += (uint64_t)add) > (uint64_t)INT64_MAX)
			return duration_too_long(s);
	}
	*out = (int64_t)v;
	*unit = un;
	*pp = p;
	return 0;
}

int timeparse_duration(const char *s, int64_t *out_ns)
{
	const char *p = s;
	int64_t total = 0, last_unit = INT64_MAX;
	int rc;

	*out_ns = 0;
	if (strcmp(s, "0") == 0)
		return 0;
	if (!*s)
		return err_set(ERR_PARSE, "empty duration");
	if (*s == '-')
		return err_set(ERR_PARSE, "bad duration '%.*s': it cannot be negative",
			       TIME_MAX_INPUT, s);
	while (*p) {
		int64_t term = 0, u = 0;

		if ((rc = duration_term(s, &p, &term, &u)))
			return rc;
		/* Prometheus: units in decreasing order, each at most once */
		if (u >= last_unit)
			return err_set(ERR_PARSE, "bad duration '%.*s': units must go from largest to "
						  "smallest, each once (1h30m)", TIME_MAX_INPUT, s);
		last_unit = u;
		if (__builtin_add_overflow(total, term, &total))
			return duration_too_long(s);
	}
	*out_ns = total;
	return 0;
}

static int digits(const char *p, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

/*
 * YYYY-MM-DD[Tt ]HH:MM:SS[.frac](Z|z|±HH:MM); 0 on success, -1 when s is not one, -2
 * when it is one outside what nanoseconds in an int64 hold (1677-09-21 to 2262-04-11),
 * *out then the edge it is past.
 */
static int parse_rfc3339(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	const char *p = s + 19;
	int64_t frac = 0, scale = NS_PER_S, secs;
	struct tm tm = { 0 };

	if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &sec))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p)) {
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
			p++;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	secs = (int64_t)timegm(&tm) - (int64_t)sign * (oh * 3600 + om * 60);
	if (secs >= INT64_MAX / NS_PER_S || secs <= INT64_MIN / NS_PER_S) {
		*out = secs < 0 ? INT64_MIN : INT64_MAX;
		return -2;
	}
	*out = secs * NS_PER_S + frac;
	return 0;
}

/* Leading and trailing ASCII space of s into out (TIME_MAX_INPUT + 1 bytes); its length. */
static size_t trim_copy(const char *s, char *out)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n > TIME_MAX_INPUT)
		n = TIME_MAX_INPUT;
	memcpy(out, s, n);
	out[n] = '\0';
	return n;
}

/* The Unix timestamp of the n digits at s in the unit that many digits mean (ns / digit). */
static int unix_digits(const char *s, size_t n, bool neg, int64_t per, int64_t *out_ns)
{
	int64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (__builtin_mul_overflow(neg ? -v : v, per, out_ns))
		return -1;
	return 0;
}

static int out_of_range(const char *s)
{
	return err_set(ERR_PARSE, "time '%s' is out of range (years 1678 to 2262)", s);
}

static int time_out_of_range(const char *s, int64_t *out_ns)
{
	*out_ns = 0;
	return out_of_range(s);
}

int timeparse(const char *s, int64_t now_ns, int64_t *out_ns)
{
	char t[TIME_MAX_INPUT + 1];
	const char *rel, *d = s;
	size_t n = strlen(s), nd;
	int64_t dur, unit;

	*out_ns = 0;
	if (n == 0)
		return err_set(ERR_PARSE, "empty time");
	if (n > TIME_MAX_INPUT)
		return err_set(ERR_PARSE, "time '%.32s...' is too long", s);
	switch (parse_rfc3339(s, out_ns)) {
	case 0:
		return 0;
	case -2:
		return time_out_of_range(s, out_ns);
	}
	/* smolder's own: 0 is the epoch, "everything" (profilecli reads it as now) */
	if (strcmp(s, "0") == 0)
		return 0;
	/* relative, as profilecli's parseRelativeTime: trimmed, now, now-DURATION, DURATION */
	trim_copy(s, t);
	if (strcmp(t, "now") == 0) {
		*out_ns = now_ns;
		return 0;
	}
	rel = strncmp(t, "now-", 4) == 0 ? t + 4 : t;
	if (timeparse_duration(rel, &dur) == 0) {
		if (__builtin_sub_overflow(now_ns, dur, out_ns))
			return time_out_of_range(s, out_ns);
		return 0;
	}
	if (rel != t)
		return err_prefix(ERR_PARSE, "bad time '%s'", s);
	/* a Unix timestamp (strconv.ParseInt: a sign is allowed), its unit told by its length */
	if (*d == '-' || *d == '+')
		d++;
	nd = strspn(d, "0123456789");
	if (nd == 0 || d[nd])
		return err_set(ERR_PARSE, "bad time '%s': expected now, now-1h, RFC 3339 "
					  "(2024-05-01T10:00:00Z), 1h (ago) or a Unix timestamp", s);
	switch (n) {
	case 10: unit = NS_PER_S; break;
	case 13: unit = 1000000; break;
	case 16: unit = 1000; break;
	case 19: unit = 1; break;
	default:
		return err_set(ERR_PARSE, "bad time '%s': a Unix timestamp has 10 digits (seconds), "
					  "13 (ms), 16 (us) or 19 (ns)", s);
	}
	if (unix_digits(d, nd, *s == '-', unit, out_ns))
		return time_out_of_range(s, out_ns);
	return 0;
}

/* attime's getUnitMultiplier: a unit is known by how it starts; 0 for none. */
static int64_t attime_unit_s(const char *u, size_t n)
{
	if (n >= 1 && u[0] == 's')
		return 1;
	if ((n >= 3 && strncmp(u, "mon", 3) == 0) || (n >= 1 && u[0] == 'M'))
		return 30 * 86400;
	if (n >= 1 && u[0] == 'm')  /* min, minutes, and also ms */
		return 60;
	if (n >= 1 && u[0] == 'h')
		return 3600;
	if (n >= 1 && u[0] == 'd')
		return 86400;
	if (n >= 1 && u[0] == 'w')
		return 7 * 86400;
	if (n >= 1 && u[0] == 'y')
		return 365 * 86400;
	return 0;
}

/* YYYYMMDD as Go's time.Parse("20060102") reads it, after 1900; false when it is not one. */
static bool attime_date(const char *s, int64_t *out_s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d;
	struct tm tm = { 0 };

	if (digits(s, 4, &y) || digits(s + 4, 2, &mo) || digits(s + 6, 2, &d) || y <= 1900 ||
	    mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return false;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	*out_s = (int64_t)timegm(&tm);
	return true;
}

/*
 * attime's offset: a sign and terms NUMBER[UNIT] that add up, in seconds into *out_s.
 * On an error *out_s is still what /ingest takes: 0 when the text is not such terms, the
 * sum held at int64's edge when it is too long.
 */
static int attime_offset(const char *s, const char *off, int64_t *out_s)
{
	const char *p = off + 1;
	int64_t total = 0;
	bool over = false;

	*out_s = 0;
	if (!*p)
		return err_set(ERR_PARSE, "bad time '%s': expected a number after '%c'", s, *off);
	while (*p) {
		int64_t v = 0, mult, term;
		bool vover = false;  /* an overflow counts only with a unit: now-1 is now */
		const char *u;

		if (!isdigit((unsigned char)*p))
			return err_set(ERR_PARSE, "bad time '%s': expected a number at '%.16s'", s, p);
		for (; isdigit((unsigned char)*p); p++) {
			if (v > (INT64_MAX - 9) / 10)
				vover = true;
			v = vover ? INT64_MAX : v * 10 + (*p - '0');
		}
		for (u = p; isalpha((unsigned char)*p); p++)
			;
		/* a number alone counts nothing (attime: now-1 is now) */
		mult = p > u ? attime_unit_s(u, (size_t)(p - u)) : 0;
		if (p > u && !mult)
			return err_set(ERR_PARSE, "bad time '%s': unknown unit '%.*s' (s, min or m, h, "
						  "d, w, mon or M, y)", s, (int)(p - u), u);
		if (mult && (vover || __builtin_mul_overflow(v, mult, &term) ||
			     __builtin_add_overflow(total, term, &total)))
			over = true;
		if (over)
			total = INT64_MAX;
	}
	*out_s = *off == '-' ? -total : total;
	return over ? out_of_range(s) : 0;
}

int timeparse_attime_n(const char *s, size_t n, int64_t now_ns, int64_t *out_ns)
{
	char in[TIME_MAX_INPUT + 1], t[TIME_MAX_INPUT + 1], c[TIME_MAX_INPUT + 1];
	const char *off;
	size_t i, nc = 0, ref;
	int64_t v = 0, unit = NS_PER_S, ns;
	bool over = false;
	int rc = 0;

	/* what is not read stands for nothing: now, as attime reads it */
	*out_ns = now_ns;
	if (n > TIME_MAX_INPUT)
		return err_set(ERR_PARSE, "time '%.32s...' is too long", s);
	if (memchr(s, '\0', n))
		return err_set(ERR_PARSE, "bad time: it holds a NUL byte");
	memcpy(in, s, n);
	in[n] = '\0';
	n = trim_copy(in, t);
	/* smolder's own: attime would read 2024-05-01T10:00:00Z as now plus nothing */
	switch (parse_rfc3339(t, &ns)) {
	case 0:
		*out_ns = ns;
		return 0;
	case -2:
		*out_ns = ns;
		return out_of_range(in);
	}
	for (i = 0; i < n; i++)
		if (t[i] != '_' && t[i] != ',' && t[i] != ' ')
			c[nc++] = t[i];
	c[nc] = '\0';
	if (nc && strspn(c, "0123456789") == nc) {
		if (nc == 8 && attime_date(c, &v)) {
			if (__builtin_mul_overflow(v, NS_PER_S, out_ns)) {
				*out_ns = INT64_MAX;
				return out_of_range(in);
			}
			return 0;
		}
		switch (nc) {
		case 13: unit = 1000000; break;
		case 16: unit = 1000; break;
		case 19: unit = 1; break;
		}
		if (unix_digits(c, nc, false, unit, out_ns)) {
			*out_ns = INT64_MAX;
			return out_of_range(in);
		}
		return 0;
	}
	off = strchr(c, '+');
	if (!off)
		off = strchr(c, '-');
	if (off)
		rc = attime_offset(in, off, &v);
	if (__builtin_mul_overflow(v, NS_PER_S, &ns) || __builtin_add_overflow(now_ns, ns, out_ns)) {
		*out_ns = v < 0 ? INT64_MIN : INT64_MAX;
		over = true;
	}
	/*
	 * attime takes any text before the sign for now (its reference times are not
	 * written), and so does *out_ns; but only now or nothing is taken without an error,
	 * so yesterday or now-1h+30m (which attime reads as now+30m) is not a surprise.
	 */
	ref = off ? (size_t)(off - c) : nc;
	if (ref != 0 && (ref != 3 || strncmp(c, "now", 3) != 0))
		return err_set(ERR_PARSE, "bad time '%s': expected now, now-1h (s, min, h, d, w, "
					  "mon, y), YYYYMMDD, RFC 3339 or a Unix timestamp", in);
	if (rc)
		return rc;
	return over ? out_of_range(in) : 0;
}

int timeparse_attime(const char *s, int64_t now_ns, int64_t *out_ns)
{
	return timeparse_attime_n(s, strlen(s), now_ns, out_ns);
}
