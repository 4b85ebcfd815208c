/* base64.c — base64 decoding and encoding (base64.h). */
#include "base64.h"

#include "buf.h"
#include "err.h"

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

int base64_decode(const char *s, size_t n, bool skip_newlines, uint8_t *dst, size_t *len)
{
	size_t i, k = 0, pad = 0, chars = 0;
	uint32_t acc = 0;
	int bits = 0;

	for (i = 0; i < n; i++) {
		int v;

		if (skip_newlines && (s[i] == '\r' || s[i] == '\n'))
			continue;
		chars++;
		if (s[i] == '=') {
			pad++;
			continue;
		}
		if (pad || (v = b64val((unsigned char)s[i])) < 0)
			return err_set(ERR_PARSE, "invalid base64 at character %zu", i);
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			dst[k++] = (uint8_t)(acc >> bits);
		}
	}
	if (pad > 2 || (pad && chars % 4 != 0) || (chars - pad) % 4 == 1)
		return err_set(ERR_PARSE, "invalid base64 length");
	*len = k;
	return 0;
}

int base64_encode(struct buf *out, const uint8_t *p, size_t n)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				  "0123456789+/";
	size_t i;
	int rc;

	if ((rc = buf_grow(out, (n + 2) / 3 * 4)))
		return rc;
	for (i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);

		out->data[out->len++] = b64[v >> 18 & 63];
		out->data[out->len++] = b64[v >> 12 & 63];
		out->data[out->len++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out->data[out->len++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out->data[out->len] = '\0';
	return 0;
}
