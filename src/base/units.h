/*
 * units.h — human formatting of sample values ("1.23 s", "45.6 MiB", "12.3k"), and
 * pprof's unit families, by which profiles are brought to common units before they are
 * merged or diffed.
 *
 * Pure functions writing into caller-provided buffers (at least UNITS_MAX bytes); nothing
 * is allocated, nothing returned is owned.
 */
#ifndef SMOLDER_UNITS_H
#define SMOLDER_UNITS_H

#include <stddef.h>
#include <stdint.h>

#define UNITS_MAX 32

enum unit_kind { UNIT_COUNT, UNIT_TIME, UNIT_BYTES };

/* Classifies a pprof unit string; *scale gets the factor to the base (ns or B). */
enum unit_kind units_kind(const char *unit, double *scale);
/*
 * pprof's unit families (its measurement package, go tool pprof of Go 1.19), which are
 * not units_kind()'s: a unit is lowered (as Go's strings.ToLower), loses one trailing 's'
 * when longer than 2 bytes, and is then one of pprof's aliases: b/byte, kb/kbyte/kilobyte
 * .. pb/petabyte (powers of 1024); ns/nanosecond, us/microsecond, ms/millisecond,
 * s/sec/second, hr/hour; nanogcu .. petagcu.  So "μs" is no time unit to pprof (it loses
 * its 's'), and "Nanoseconds" is one.  *factor: the unit in the family's base (1 byte,
 * 1 ns, 1 GCU); UNIT_FAMILY_NONE and 1 for anything else.  unit need not end in a NUL.
 */
enum unit_family { UNIT_FAMILY_NONE, UNIT_FAMILY_BYTES, UNIT_FAMILY_TIME, UNIT_FAMILY_GCU };
enum unit_family units_pprof_family(const char *unit, size_t len, double *factor);
/* Auto-scaled with three significant digits, e.g. "1.23 s", "45.6 MiB", "12.3k", "7". */
void units_format(char *out, size_t n, int64_t v, const char *unit);
/* "16.8%", "0.05%", "100%"; total 0 gives "0%". */
void units_percent(char *out, size_t n, int64_t v, int64_t total);

#endif
