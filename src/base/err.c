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
 * Messages quote what they refuse (a server's answer, a header, a file's bytes): each is
 * made terminal-safe once, here, as text_safe() does — control characters as \xNN,
 * invalid UTF-8 as U+FFFD — so no caller prints an escape sequence it was sent.
 */
static void make_safe(void)
{
	static const char hex[] = "0123456789abcdef";
	char out[ERR_MSG_MAX];
	size_t i = 0, o = 0, n = strlen(err_msg), len;

	while (i < n) {
		const unsigned char c = (unsigned char)err_msg[i];
		unsigned cp;

		len = text_utf8_len(err_msg + i, n - i);
		cp = len == 1 ? c : len == 2 ? (c & 0x1fu) << 6 | ((unsigned char)err_msg[i + 1] & 0x3fu)
					     : 0x100;
		if (len == 0) {
			if (o + 3 >= sizeof(out))
				break;
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		} else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			if (o + 4 >= sizeof(out))
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[(cp >> 4) & 0xf];
			out[o++] = hex[cp & 0xf];
			i += len;
		} else {
			if (o + len >= sizeof(out))
				break;
			memcpy(out + o, err_msg + i, len);
			o += len;
			i += len;
		}
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
