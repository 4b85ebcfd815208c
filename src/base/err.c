/* err.c — the thread-local last-error message (see err.h). */
#include "err.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

#define ERR_MSG_MAX 1024

static _Thread_local char err_msg[ERR_MSG_MAX];
static _Thread_local int err_code_last;

/*
 * Messages quote what they refuse (a server's answer, a header, a file's bytes, an
 * argument): each is made terminal-safe once, here, by text_safe()'s own rule
 * (text_safe_char(): controls as \xNN, bidi and other invisible characters as \uNNNN,
 * invalid UTF-8 as U+FFFD) without allocating, so no caller prints an escape sequence
 * or a right-to-left override it was sent.  Cut at a whole character if it grows past
 * the buffer.
 */
static void make_safe(void)
{
	char out[ERR_MSG_MAX], one[TEXT_SAFE_CHAR_MAX];
	size_t i = 0, o = 0, n = strlen(err_msg), len, olen;

	while (i < n) {
		len = text_safe_char(err_msg + i, n - i, false, one, &olen);
		if (o + olen >= sizeof(out))
			break;
		memcpy(out + o, one, olen);
		o += olen;
		i += len;
	}
	out[o] = '\0';
	memcpy(err_msg, out, o + 1);
}

int err_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	va_end(ap);
	make_safe();
	err_code_last = code;
	return code;
}

int err_prefix(int code, const char *fmt, ...)
{
	char old[ERR_MSG_MAX];
	size_t n;
	va_list ap;

	memcpy(old, err_msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	va_end(ap);
	n = strlen(err_msg);
	if (n + 2 < sizeof(err_msg)) {
		const char *rest = old[0] ? old : "unknown error";
		size_t m = strlen(rest);

		if (m > sizeof(err_msg) - n - 3)
			m = sizeof(err_msg) - n - 3;
		memcpy(err_msg + n, ": ", 2);
		memcpy(err_msg + n + 2, rest, m);
		err_msg[n + 2 + m] = '\0';
	}
	make_safe();
	err_code_last = code;
	return code;
}

const char *err_last(void)
{
	return err_msg[0] ? err_msg : "unknown error";
}

int err_last_code(void)
{
	return err_code_last;
}

void err_clear(void)
{
	err_msg[0] = '\0';
	err_code_last = 0;
}
