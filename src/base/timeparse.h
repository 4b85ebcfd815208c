/*
 * timeparse.h — the times and durations users type: `now`, `now-1h`, `1h` (also "an hour
 * ago"), `now-1h30m`, RFC 3339 (`2024-05-01T10:00:00Z`, with fraction and offset), and
 * Unix timestamps told apart by their digit count as profilecli does: 10 digits are
 * seconds, 13 milliseconds, 16 microseconds, 19 nanoseconds; any other digit count is
 * taken as seconds (so `0` is the epoch), as Pyroscope's attime does.
 *
 * Durations are Prometheus's (`model.ParseDuration`): one or more <integer><unit> terms,
 * largest unit first, units ms s m h d w y (d = 24 h, w = 7 d, y = 365 d); `0` alone is
 * zero.  `now+30m` is accepted too.
 *
 * Pure functions; times are nanoseconds since the Unix epoch (UTC).  Errors are
 * ERR_PARSE with a one-line message quoting the input.
 */
#ifndef SMOLDER_TIMEPARSE_H
#define SMOLDER_TIMEPARSE_H

#include <stddef.h>
#include <stdint.h>

/* Parses s relative to now_ns into *out_ns. */
int timeparse(const char *s, int64_t now_ns, int64_t *out_ns);
/* Parses a duration ("1h30m", "10s", "7d") into nanoseconds (>= 0). */
int timeparse_duration(const char *s, int64_t *out_ns);
/* The current time in nanoseconds (CLOCK_REALTIME). */
int64_t time_now_ns(void);
/* "2024-05-01T10:00:00Z" (seconds precision, UTC) into out (at least 32 bytes). */
void time_format_rfc3339(int64_t ns, char *out, size_t n);

#endif
