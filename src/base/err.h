/*
 * err.h — error codes and the thread-local "last error" message.
 *
 * Fallible functions return 0 or a negative ERR_* code.  The place that detects a
 * failure calls err_set() once with a message (lowercase, no trailing full stop,
 * quoting its subject); callers read it with err_last(), already terminal-safe by
 * text_safe()'s rule (controls, bidi and other invisible characters escaped, invalid
 * UTF-8 replaced).  The message buffer is thread-local and owned by this module: the
 * pointer from err_last() is valid until the next err_set() on the same thread.
 */
#ifndef SMOLDER_ERR_H
#define SMOLDER_ERR_H

enum err_code {
	ERR_OK = 0,
	ERR_NOMEM = -1,
	ERR_IO = -2,
	ERR_PARSE = -3,
	ERR_NOTFOUND = -4,
	ERR_UNSUPPORTED = -5,
	ERR_TOOBIG = -6,
	ERR_AUTH = -7,
	ERR_NET = -8,
	ERR_CANCELLED = -9,
	ERR_USAGE = -10,
	ERR_NOSPACE = -11,  /* the disk (or a size limit) is full: retry later, reads still work */
	ERR_CORRUPT = -12,  /* a store's own data is damaged: not the request's fault (500) */
};

#if defined(__GNUC__)
#define ERR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ERR_PRINTF(a, b)
#endif

/* Records code and message; returns code so callers can `return err_set(...)`. */
int err_set(int code, const char *fmt, ...) ERR_PRINTF(2, 3);
/* Prefixes the current message with "prefix: " (e.g. a file name); returns the code. */
int err_prefix(int code, const char *fmt, ...) ERR_PRINTF(2, 3);
const char *err_last(void);
int err_last_code(void);
void err_clear(void);

#endif
