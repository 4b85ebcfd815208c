/* timeparse.c — relative, RFC 3339 and Unix times; Prometheus durations (timeparse.h). */
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

/* The unit at s (longest match first); *len gets its length; 0 when none. */
static int64_t unit_ns(const char *s, size_t *len)
{
	static const struct {
		const char *name;
		int64_t ns;
	} units[] = {
		{ "ms", 1000000LL },
		{ "s", NS_PER_S },
		{ "m", 60 * NS_PER_S },
		{ "h", 3600 * NS_PER_S },
		{ "d", 86400 * NS_PER_S },
		{ "w", 7 * 86400 * NS_PER_S },
		{ "y", 365 * 86400 * NS_PER_S },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t n = strlen(units[i].name);

		if (strncmp(s, units[i].name, n) == 0) {
			*len = n;
			return units[i].ns;
		}
	}
	return 0;
}

int timeparse_duration(const char *s, int64_t *out_ns)
{
	const char *p = s;
	int64_t total = 0, last_unit = INT64_MAX;

	*out_ns = 0;
	if (strcmp(s, "0") == 0)
		return 0;
	if (!*s)
		return err_set(ERR_PARSE, "empty duration");
	while (*p) {
		int64_t v = 0, u, term;
		size_t ulen;

		if (!isdigit((unsigned char)*p))
			return err_set(ERR_PARSE, "bad duration '%.*s': expected a number at offset %zu",
				       TIME_MAX_INPUT, s, (size_t)(p - s));
		while (isdigit((unsigned char)*p)) {
			if (v > (INT64_MAX - 9) / 10)
				return err_set(ERR_PARSE, "duration '%.*s' is too long", TIME_MAX_INPUT, s);
			v = v * 10 + (*p++ - '0');
		}
		u = unit_ns(p, &ulen);
		if (!u)
			return err_set(ERR_PARSE, "bad duration '%.*s': unit at offset %zu is not one of "
						  "ms s m h d w y", TIME_MAX_INPUT, s, (size_t)(p - s));
		/* Prometheus: units in decreasing order, each at most once */
		if (u >= last_unit)
			return err_set(ERR_PARSE, "bad duration '%.*s': units must go from largest to "
						  "smallest", TIME_MAX_INPUT, s);
		last_unit = u;
		p += ulen;
		if (__builtin_mul_overflow(v, u, &term) || __builtin_add_overflow(total, term, &total))
			return err_set(ERR_PARSE, "duration '%.*s' is too long", TIME_MAX_INPUT, s);
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
 * when it is one outside what nanoseconds in an int64 hold (1677-09-21 to 2262-04-11).
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
	if (secs >= INT64_MAX / NS_PER_S || secs <= INT64_MIN / NS_PER_S)
		return -2;
	*out = secs * NS_PER_S + frac;
	return 0;
}

int timeparse(const char *s, int64_t now_ns, int64_t *out_ns)
{
	size_t n = strlen(s), i;
	int64_t d, v = 0;
	bool all_digits = n > 0;

	*out_ns = 0;
	if (n == 0)
		return err_set(ERR_PARSE, "empty time");
	if (n > TIME_MAX_INPUT)
		return err_set(ERR_PARSE, "time '%.32s...' is too long", s);
	switch (parse_rfc3339(s, out_ns)) {
	case 0:
		return 0;
	case -2:
		*out_ns = 0;
		return err_set(ERR_PARSE, "time '%s' is out of range (years 1678 to 2262)", s);
	}
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			all_digits = false;
	if (all_digits) {
		for (i = 0; i < n; i++) {
			if (v > (INT64_MAX - 9) / 10)
				return err_set(ERR_PARSE, "time '%s' is out of range", s);
			v = v * 10 + (s[i] - '0');
		}
		switch (n) {
		case 13: d = 1000000; break;      /* milliseconds */
		case 16: d = 1000; break;         /* microseconds */
		case 19: d = 1; break;            /* nanoseconds */
		default: d = NS_PER_S; break;     /* seconds */
		}
		if (__builtin_mul_overflow(v, d, out_ns))
			return err_set(ERR_PARSE, "time '%s' is out of range", s);
		return 0;
	}
	if (strcmp(s, "now") == 0) {
		*out_ns = now_ns;
		return 0;
	}
	if (strncmp(s, "now-", 4) == 0 || strncmp(s, "now+", 4) == 0) {
		if (timeparse_duration(s + 4, &d))
			return err_prefix(ERR_PARSE, "bad time '%s'", s);
		*out_ns = s[3] == '-' ? now_ns - d : now_ns + d;
		return 0;
	}
	/* profilecli: a bare duration means that long ago */
	if (isdigit((unsigned char)s[0]) && timeparse_duration(s, &d) == 0) {
		*out_ns = now_ns - d;
		return 0;
	}
	return err_set(ERR_PARSE, "bad time '%s': expected now, now-1h, RFC 3339 "
				  "(2024-05-01T10:00:00Z) or Unix seconds/milliseconds", s);
}
