/*
 * base64.h — decoding base64 (standard and URL-safe alphabets, '=' padding, line breaks
 * skipped when asked), as proto3 JSON `bytes` fields arrive.
 *
 * Ownership: the caller provides the output (at least base64_max_decoded(n) bytes).
 */
#ifndef SMOLDER_BASE64_H
#define SMOLDER_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline size_t base64_max_decoded(size_t n)
{
	return n / 4 * 3 + 3;
}

/*
 * Decodes s[0..n) into dst; *len gets the byte count.  Errors (ERR_PARSE, with the
 * offending position): a character outside the alphabet, data after padding, a
 * length no encoder makes.
 */
int base64_decode(const char *s, size_t n, bool skip_newlines, uint8_t *dst, size_t *len);

#endif
