/*
 * base64.h — decoding base64 (standard and URL-safe alphabets, '=' padding, line breaks
 * skipped when asked), as proto3 JSON `bytes` fields arrive, and encoding it (standard
 * alphabet, padded), as they leave and as OSC 52 carries the clipboard.
 *
 * Ownership: the caller provides the output (at least base64_max_decoded(n) bytes, or a
 * buf that base64_encode appends to).
 */
#ifndef SMOLDER_BASE64_H
#define SMOLDER_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

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

/* Appends the padded standard base64 of p[0..n) to out (NUL-terminated).  ERR_NOMEM. */
int base64_encode(struct buf *out, const uint8_t *p, size_t n);

#endif
