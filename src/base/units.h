/*
 * units.h — human formatting of sample values ("1.23 s", "45.6 MiB", "12.3k").
 *
 * Pure functions writing into caller-provided buffers (at least UNITS_MAX bytes).
 */
#ifndef SMOLDER_UNITS_H
#define SMOLDER_UNITS_H

#include <stddef.h>
#include <stdint.h>

#define UNITS_MAX 32

enum unit_kind { UNIT_COUNT, UNIT_TIME, UNIT_BYTES };

/* Classifies a pprof unit string; *scale gets the factor to the base (ns or B). */
enum unit_kind units_kind(const char *unit, double *scale);
/* Auto-scaled with three significant digits, e.g. "1.23 s", "45.6 MiB", "12.3k", "7". */
void units_format(char *out, size_t n, int64_t v, const char *unit);
/* "16.8%", "0.05%", "100%"; total 0 gives "0%". */
void units_percent(char *out, size_t n, int64_t v, int64_t total);

#endif
