/* inflate.c — bounded gzip (libdeflate) and zstd decompression (see decode.h). */
#include "decode.h"

#include <libdeflate.h>
#include <stdint.h>
#include <string.h>
#include <zstd.h>

#include "base/err.h"

/* What may still be written to out under limit. */
static size_t room_left(const struct buf *out, size_t limit)
{
	return out->len < limit ? limit - out->len : 0;
}

static int too_big(size_t limit)
{
	if (limit >= (size_t)1 << 20)
		return err_set(ERR_TOOBIG, "inflates to more than %zu MiB", limit >> 20);
	return err_set(ERR_TOOBIG, "inflates to more than %zu bytes", limit);
}

static int inflate_gzip(const uint8_t *data, size_t len, size_t limit, struct buf *out)
{
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	size_t pos = 0, guess, in_used, out_used, max_out, room, give;
	enum libdeflate_result r;
	int rc = 0;

	if (!d)
		return err_set(ERR_NOMEM, "out of memory");
	/*
	 * A file may hold several gzip members; each is inflated in turn, into no more than
	 * what the limit leaves (libdeflate never writes past the space it is given).
	 */
	while (pos < len) {
		if (len - pos < 18) {
			rc = err_set(ERR_PARSE, "truncated gzip member at byte %zu", pos);
			break;
		}
		room = room_left(out, limit);
		/*
		 * ISIZE (the last member's size mod 2^32) is a hint, never trusted: deflate
		 * expands at most 1032:1, so nothing larger than that is reserved.
		 */
		max_out = (len - pos) > SIZE_MAX / 1032 ? SIZE_MAX : (len - pos) * 1032;
		guess = (size_t)data[len - 4] | (size_t)data[len - 3] << 8 |
			(size_t)data[len - 2] << 16 | (size_t)data[len - 1] << 24;
		if (guess < (len - pos) * 2)
			guess = (len - pos) * 4;
		for (;;) {
			if (guess > max_out)
				guess = max_out;
			if (guess > room)
				guess = room;
			if ((rc = buf_grow(out, guess)))
				goto done;
			give = out->cap - out->len - 1;
			if (give > room)
				give = room;
			r = libdeflate_gzip_decompress_ex(d, data + pos, len - pos,
							  out->data + out->len, give, &in_used,
							  &out_used);
			if (r == LIBDEFLATE_SUCCESS)
				break;
			if (r != LIBDEFLATE_INSUFFICIENT_SPACE || give >= max_out) {
				rc = err_set(ERR_PARSE, "corrupt gzip data in the member at byte %zu",
					     pos);
				goto done;
			}
			if (give >= room) {
				rc = too_big(limit);
				goto done;
			}
			guess = give * 2;
		}
		out->len += out_used;
		out->data[out->len] = '\0';
		pos += in_used;
		/* trailing zero padding after the last member is tolerated */
		while (pos < len && data[pos] == 0)
			pos++;
		if (pos < len && (len - pos < 2 || data[pos] != 0x1f || data[pos + 1] != 0x8b)) {
			rc = err_set(ERR_PARSE, "garbage after gzip data at byte %zu", pos);
			break;
		}
	}
done:
	libdeflate_free_decompressor(d);
	return rc;
}

static int inflate_zstd(const uint8_t *data, size_t len, size_t limit, struct buf *out)
{
	ZSTD_DStream *z = ZSTD_createDStream();
	ZSTD_inBuffer in = { data, len, 0 };
	size_t r = 1;
	int rc = 0;

	if (!z)
		return err_set(ERR_NOMEM, "out of memory");
	ZSTD_initDStream(z);
	while (in.pos < in.size || r != 0) {
		ZSTD_outBuffer ob;
		size_t before = in.pos, produced;

		if ((rc = buf_grow(out, 1 << 20)))
			break;
		ob.dst = out->data + out->len;
		ob.size = out->cap - out->len - 1;
		/* one byte past the limit is enough to know it is exceeded */
		if (ob.size > room_left(out, limit))
			ob.size = room_left(out, limit) + 1;
		ob.pos = 0;
		r = ZSTD_decompressStream(z, &ob, &in);
		if (ZSTD_isError(r)) {
			rc = err_set(ERR_PARSE, "corrupt zstd data near byte %zu: %s", in.pos,
				     ZSTD_getErrorName(r));
			break;
		}
		produced = ob.pos;
		out->len += produced;
		out->data[out->len] = '\0';
		if (out->len > limit) {
			rc = too_big(limit);
			break;
		}
		if (in.pos == in.size && r != 0 && produced == 0 && before == in.pos) {
			rc = err_set(ERR_PARSE, "truncated zstd data at byte %zu", len);
			break;
		}
	}
	ZSTD_freeDStream(z);
	return rc;
}

int decode_inflate(const uint8_t *data, size_t len, size_t limit, struct buf *out)
{
	if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b)
		return inflate_gzip(data, len, limit, out);
	if (len >= 4 && data[0] == 0x28 && data[1] == 0xb5 && data[2] == 0x2f && data[3] == 0xfd)
		return inflate_zstd(data, len, limit, out);
	return buf_add(out, data, len);
}
