/*
 * timeparse.h — the times users type, in the two grammars Pyroscope's tools have.
 *
 * timeparse(): the command line's --from/--to (and the browser's range), as profilecli's
 * operations.ParseTime reads them, tried in this order:
 *   - RFC 3339: 2024-05-01T10:00:00Z, with a fraction and an offset (t, z and a space
 *     for the T are taken too; nothing around it);
 *   - relative, spaces around it ignored: now, now-DURATION, or DURATION alone, which
 *     means that long ago (1h);
 *   - a Unix timestamp, told apart by its length: 10 characters are seconds, 13
 *     milliseconds, 16 microseconds, 19 nanoseconds; any other length is an error.
 * One deliberate difference: 0 is the epoch (smolder's "everything"), where profilecli
 * reads it as a zero duration, i.e. now.  now+DURATION is an error, as in profilecli.
 *
 * timeparse_attime(): the from/until of /pyroscope/render and /ingest, as Pyroscope's
 * attime.Parse reads them (pkg/og/util/attime; upstream's querier and ingest handler both
 * call it, so one reading serves both).  Spaces, '_' and ',' anywhere are dropped; then:
 *   - digits only: 8 of them with a year after 1900 are a date, YYYYMMDD (midnight UTC);
 *     otherwise a Unix timestamp, 13 digits ms, 16 us, 19 ns, any other count seconds;
 *   - [now](+|-)NUMBER[UNIT]...: units known by how they start, case-sensitive: s
 *     (sec...), min or m (so ms too is minutes, as upstream), h, d (days), w, mon or M
 *     (30 days), y (365 days); a number without a unit counts nothing (now-1 is now);
 *   - now, or nothing: now.
 * Several terms add up: now-1h30m is 90 minutes, as graphite's attime.py (which attime
 * ports) reads it; attime's loop means to, but its unit runs to the end of the text, so
 * it reads now-1h30m as now-1h and now-30m1h as now-30m.  RFC 3339 is read as above
 * (attime reads it as now).
 *
 * attime never fails: what it cannot make sense of counts for nothing.  Here that is
 * ERR_PARSE (render answers 400) and *out_ns is still set to the time /ingest stores, as
 * upstream's does not refuse a push for its time: text other than now before the sign
 * is now, as attime reads it (yesterday-1h is now-1h; now-1h+30m is now+30m); an
 * offset that is not NUMBER[UNIT] terms (now-1.5h, now-1x, now-) is no offset; text
 * with no sign (yesterday, 1h), with a NUL byte or over 128 bytes is now; a time int64
 * nanoseconds cannot hold is held at its edge (INT64_MIN or INT64_MAX).
 *
 * Durations: one or more NUMBER UNIT terms, largest unit first, each unit once
 * (Prometheus's model.ParseDuration: 1h30m, not 30m1h); units ns us µs μs ms s m h d w y
 * (Go's, then d = 24 h, w = 7 d, y = 365 d); 0 alone is zero.  A NUMBER may have a
 * decimal fraction (4.1s, .5s, 1.5h), as Go's time.ParseDuration (profilecli's flags)
 * reads it: the fraction's value is (fraction × (unit ns ÷ 10^digits)) in double,
 * truncated, so the nanoseconds are Go's; d, w and y take fractions the same way.
 * Never negative; at most INT64_MAX ns (292 years).
 *
 * Pure functions; times are nanoseconds since the Unix epoch (UTC), and what int64
 * nanoseconds cannot hold (before 1678 or after 2262) is an error.  Errors are ERR_PARSE
 * with a one-line message quoting the input ("bad time '...': ...").
 */
#ifndef SMOLDER_TIMEPARSE_H
#define SMOLDER_TIMEPARSE_H

#include <stddef.h>
#include <stdint.h>

/* Parses s (profilecli's grammar) relative to now_ns into *out_ns. */
int timeparse(const char *s, int64_t now_ns, int64_t *out_ns);
/*
 * Parses s[0..n) (attime's grammar) relative to now_ns into *out_ns, which is set on
 * ERR_PARSE too (see above).  timeparse_attime() is the same for a C string.
 */
int timeparse_attime_n(const char *s, size_t n, int64_t now_ns, int64_t *out_ns);
int timeparse_attime(const char *s, int64_t now_ns, int64_t *out_ns);
/* Parses a duration ("1h30m", "10s", "7d", "4.1s") into nanoseconds (>= 0). */
int timeparse_duration(const char *s, int64_t *out_ns);
/* The current time in nanoseconds (CLOCK_REALTIME). */
int64_t time_now_ns(void);
/* "2024-05-01T10:00:00Z" (seconds precision, UTC) into out (at least 32 bytes). */
void time_format_rfc3339(int64_t ns, char *out, size_t n);

#endif
