/* units.c — auto-scaled value formatting (see units.h). */
#include "units.h"

#include <math.h>
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
