/* units.c — auto-scaled value formatting (see units.h). */
#include "units.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum unit_kind units_kind(const char *unit, double *scale)
{
	static const struct {
		const char *name;
		enum unit_kind kind;
		double scale;
	} tab[] = {
		{ "nanoseconds", UNIT_TIME, 1 },   { "ns", UNIT_TIME, 1 },
		{ "microseconds", UNIT_TIME, 1e3 }, { "us", UNIT_TIME, 1e3 },
		{ "milliseconds", UNIT_TIME, 1e6 }, { "ms", UNIT_TIME, 1e6 },
		{ "seconds", UNIT_TIME, 1e9 },     { "s", UNIT_TIME, 1e9 },
		{ "bytes", UNIT_BYTES, 1 },        { "b", UNIT_BYTES, 1 },
		{ "kilobytes", UNIT_BYTES, 1024 }, { "megabytes", UNIT_BYTES, 1048576 },
	};
	size_t i;

	*scale = 1;
	if (!unit)
		return UNIT_COUNT;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (strcasecmp(unit, tab[i].name) == 0) {
			*scale = tab[i].scale;
			return tab[i].kind;
		}
	}
	return UNIT_COUNT;
}

/*
 * unit lowered as Go's strings.ToLower lowers it, into out (n bytes), as far as pprof's
 * aliases can tell: besides ASCII only U+0130 (to 'i'), U+212A (to 'k') and Greek mu
 * (U+039C, U+03BC: to U+03BC) lower into letters an alias has.  Any other rune, and an
 * invalid byte (Go's U+FFFD), would stay in the lowered unit and so match no alias:
 * false, as for a unit too long to be one.
 */
static bool pprof_lower(const char *unit, size_t len, char *out, size_t n, size_t *outlen)
{
	const unsigned char *u = (const unsigned char *)unit;
	size_t i = 0, k = 0;

	while (i < len) {
		if (k + 2 >= n)
			return false;
		if (u[i] < 0x80) {
			out[k++] = (char)(u[i] >= 'A' && u[i] <= 'Z' ? u[i] + 32 : u[i]);
			i++;
		} else if (i + 1 < len && u[i] == 0xc4 && u[i + 1] == 0xb0) {
			out[k++] = 'i';
			i += 2;
		} else if (i + 2 < len && u[i] == 0xe2 && u[i + 1] == 0x84 && u[i + 2] == 0xaa) {
			out[k++] = 'k';
			i += 3;
		} else if (i + 1 < len && u[i] == 0xce && (u[i + 1] == 0x9c || u[i + 1] == 0xbc)) {
			out[k++] = (char)0xce;
			out[k++] = (char)0xbc;
			i += 2;
		} else {
			return false;
		}
	}
	*outlen = k;
	return true;
}

enum unit_family units_pprof_family(const char *unit, size_t len, double *factor)
{
	static const struct {
		const char *alias;
		enum unit_family family;
		double factor;
	} tab[] = {
		{ "b", UNIT_FAMILY_BYTES, 1 },
		{ "byte", UNIT_FAMILY_BYTES, 1 },
		{ "kb", UNIT_FAMILY_BYTES, 1024.0 },
		{ "kbyte", UNIT_FAMILY_BYTES, 1024.0 },
		{ "kilobyte", UNIT_FAMILY_BYTES, 1024.0 },
		{ "mb", UNIT_FAMILY_BYTES, 1048576.0 },
		{ "mbyte", UNIT_FAMILY_BYTES, 1048576.0 },
		{ "megabyte", UNIT_FAMILY_BYTES, 1048576.0 },
		{ "gb", UNIT_FAMILY_BYTES, 1073741824.0 },
		{ "gbyte", UNIT_FAMILY_BYTES, 1073741824.0 },
		{ "gigabyte", UNIT_FAMILY_BYTES, 1073741824.0 },
		{ "tb", UNIT_FAMILY_BYTES, 1099511627776.0 },
		{ "tbyte", UNIT_FAMILY_BYTES, 1099511627776.0 },
		{ "terabyte", UNIT_FAMILY_BYTES, 1099511627776.0 },
		{ "pb", UNIT_FAMILY_BYTES, 1125899906842624.0 },
		{ "pbyte", UNIT_FAMILY_BYTES, 1125899906842624.0 },
		{ "petabyte", UNIT_FAMILY_BYTES, 1125899906842624.0 },
		{ "ns", UNIT_FAMILY_TIME, 1 },
		{ "nanosecond", UNIT_FAMILY_TIME, 1 },
		{ "\xce\xbc" "s", UNIT_FAMILY_TIME, 1e3 }, /* Greek mu, as pprof spells it */
		{ "us", UNIT_FAMILY_TIME, 1e3 },
		{ "microsecond", UNIT_FAMILY_TIME, 1e3 },
		{ "ms", UNIT_FAMILY_TIME, 1e6 },
		{ "millisecond", UNIT_FAMILY_TIME, 1e6 },
		{ "s", UNIT_FAMILY_TIME, 1e9 },
		{ "sec", UNIT_FAMILY_TIME, 1e9 },
		{ "second", UNIT_FAMILY_TIME, 1e9 },
		{ "hour", UNIT_FAMILY_TIME, 3.6e12 },
		{ "hr", UNIT_FAMILY_TIME, 3.6e12 },
		{ "nanogcu", UNIT_FAMILY_GCU, 1e-9 },
		{ "microgcu", UNIT_FAMILY_GCU, 1e-6 },
		{ "milligcu", UNIT_FAMILY_GCU, 1e-3 },
		{ "gcu", UNIT_FAMILY_GCU, 1 },
		{ "kilogcu", UNIT_FAMILY_GCU, 1e3 },
		{ "megagcu", UNIT_FAMILY_GCU, 1e6 },
		{ "gigagcu", UNIT_FAMILY_GCU, 1e9 },
		{ "teragcu", UNIT_FAMILY_GCU, 1e12 },
		{ "petagcu", UNIT_FAMILY_GCU, 1e15 },
	};
	char low[32];
	size_t n, i;

	*factor = 1;
	if (!pprof_lower(unit, len, low, sizeof(low), &n))
		return UNIT_FAMILY_NONE;
	if (n > 2 && low[n - 1] == 's')
		n--;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (strlen(tab[i].alias) == n && memcmp(tab[i].alias, low, n) == 0) {
			*factor = tab[i].factor;
			return tab[i].family;
		}
	}
	return UNIT_FAMILY_NONE;
}

/* Three significant digits, trailing zeros kept short: 1.23, 12.3, 123. */
static void sig3(char *out, size_t n, double v, const char *suffix)
{
	double a = fabs(v);

	if (a >= 99.95 || a == floor(a))
		snprintf(out, n, "%.0f%s", v, suffix);
	else if (a >= 9.995)
		snprintf(out, n, "%.1f%s", v, suffix);
	else
		snprintf(out, n, "%.2f%s", v, suffix);
}

void units_format(char *out, size_t n, int64_t v, const char *unit)
{
	double scale, x, a;
	enum unit_kind kind = units_kind(unit, &scale);

	x = (double)v * scale;
	a = fabs(x);
	if (kind == UNIT_TIME) {
		if (a < 1e3)
			sig3(out, n, x, " ns");
		else if (a < 999.5e3) /* thresholds round: 999.7 µs shows as 1.00 ms */
			sig3(out, n, x / 1e3, " \xc2\xb5s");
		else if (a < 999.5e6)
			sig3(out, n, x / 1e6, " ms");
		else if (a < 60e9)
			sig3(out, n, x / 1e9, " s");
		else if (a < 3600e9)
			sig3(out, n, x / 60e9, " min");
		else
			sig3(out, n, x / 3600e9, " h");
	} else if (kind == UNIT_BYTES) {
		static const char *sfx[] = { " B", " KiB", " MiB", " GiB", " TiB", " PiB" };
		int i = 0;

		while (i < 5 && (i == 0 ? a >= 1024 : a >= 1023.5)) {
			a /= 1024;
			x /= 1024;
			i++;
		}
		if (i == 0)
			snprintf(out, n, "%lld B", (long long)v);
		else
			sig3(out, n, x, sfx[i]);
	} else {
		if (a < 1e3)
			snprintf(out, n, "%lld", (long long)v);
		else if (a < 999.5e3)
			sig3(out, n, x / 1e3, "k");
		else if (a < 999.5e6)
			sig3(out, n, x / 1e6, "M");
		else
			sig3(out, n, x / 1e9, "G");
	}
}

void units_percent(char *out, size_t n, int64_t v, int64_t total)
{
	double p;

	if (total == 0) {
		snprintf(out, n, "0%%");
		return;
	}
	/* a share is a magnitude, as in pprof: a negative row of a diff is shown by its value */
	p = fabs(100.0 * (double)v / (double)total);
	if (p == 0)
		snprintf(out, n, "0%%");
	else if (p >= 99.95 && p < 100.05)
		snprintf(out, n, "100%%");
	else if (p >= 0.095)
		snprintf(out, n, "%.1f%%", p);
	else
		snprintf(out, n, "%.2g%%", p);
}
