/*
 * fuzz_blob.c — fuzz target for blob_decode, the store's profile data (src/store/blob.c):
 * a store file is untrusted input too.
 *
 * Input: flags (1 byte: bit 0, a labelsets row is given) | blob length (2 bytes, little
 * endian) | the blob | the labelsets row (the rest).
 *
 * Contract checked: a negative ERR_* code with a non-empty one-line message, or 0 with a
 * blob whose every set index, label and byte range is in bounds; that blob, encoded again
 * inline (version 1) from its sets' encodings and entries, decodes to the same sets and
 * the same total.  Everything is freed again.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/vec.h"
#include "store/store_int.h"

/* p[0..n) lies inside [base, base + len). */
static bool inside(const void *p, size_t n, const struct buf *b)
{
	const char *c = p, *s = b->data;

	return n == 0 || (s && c >= s && n <= b->len && (size_t)(c - s) <= b->len - n);
}

static void check_decoded(const struct blob *b)
{
	size_t i, j;

	if (b->nsets < 1)
		fuzz_broken("a decoded blob has no set");
	for (i = 0; i < b->n; i++)
		if (b->e[i].set >= b->nsets)
			fuzz_broken("an entry's set index is out of range");
	for (i = 0; i < b->nsets; i++) {
		const struct blob_set *s = &b->sets[i];

		if ((size_t)s->off + s->n > b->nlabels)
			fuzz_broken("a set's labels are out of range");
		/* inline sets live in raw, a labelsets row's in setraw; "no labels" is static */
		const struct buf *src = inside(s->bytes, s->nbytes, &b->raw) ? &b->raw : &b->setraw;

		if (s->nbytes == 0)
			fuzz_broken("a set has no encoding");
		if (s->n && !inside(s->bytes, s->nbytes, src))
			fuzz_broken("a set's encoding is outside the decoded bytes");
		for (j = 0; j < s->n; j++) {
			const struct blob_label *l = &b->labels[s->off + j];

			if (!inside(l->key, l->klen, src) || !inside(l->str, l->slen, src) ||
			    !inside(l->unit, l->ulen, src))
				fuzz_broken("a label points outside the decoded bytes");
		}
	}
}

/* Encodes b again, inline, from its sets' encodings; it must decode to the same. */
static void check_roundtrip(ZSTD_CCtx *cc, ZSTD_DCtx *dc, const struct blob *b)
{
	struct blob again, back;
	struct buf enc = BUF_INIT;
	uint32_t *map = NULL;
	size_t i, cap = 0;
	int64_t total = 0;
	bool overflow = false;

	blob_init(&again);
	blob_init(&back);
	again.period = b->period;
	if (vec_reserve(&map, &cap, b->nsets))
		goto done;  /* out of memory */
	for (i = 0; i < b->nsets; i++)  /* equal sets become one */
		if (blob_add_set_encoded(&again, b->sets[i].bytes, b->sets[i].nbytes, &map[i]))
			goto done;
	if (vec_reserve(&again.e, &again.cap_e, b->n + 1))
		goto done;
	for (i = 0; i < b->n; i++) {
		again.e[i] = b->e[i];
		again.e[i].set = map[b->e[i].set];
		overflow |= __builtin_add_overflow(total, b->e[i].value, &total);
	}
	again.n = b->n;
	if (overflow || blob_normalize(&again))
		goto done;  /* values past 2^63 are refused when written, not read */
	if (blob_encode(cc, &again, &enc))
		goto done;
	if (blob_decode(dc, enc.data, enc.len, NULL, 0, &back))
		fuzz_broken("a blob encoded again does not decode");
	if (back.nsets != (again.nsets ? again.nsets : 1) || blob_total(&back) != total)
		fuzz_broken("a blob encoded again decodes to something else");
done:
	free(map);
	buf_release(&enc);
	blob_release(&again);
	blob_release(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ZSTD_DCtx *dc;
	ZSTD_CCtx *cc;
	struct blob b;
	size_t len;
	bool with_sets;
	int rc;

	if (size < 3)
		return 0;
	with_sets = data[0] & 1;
	len = (size_t)data[1] | (size_t)data[2] << 8;
	data += 3;
	size -= 3;
	if (len > size)
		len = size;
	dc = ZSTD_createDCtx();
	cc = ZSTD_createCCtx();
	if (!dc || !cc)
		fuzz_broken("no zstd context");
	blob_init(&b);
	err_clear();
	rc = blob_decode(dc, data, len, with_sets ? data + len : NULL, with_sets ? size - len : 0, &b);
	if (rc == 0) {
		check_decoded(&b);
		check_roundtrip(cc, dc, &b);
	} else {
		if (rc >= 0)
			fuzz_broken("blob_decode failed with a non-negative code");
		fuzz_check_message(err_last());
	}
	blob_release(&b);
	ZSTD_freeDCtx(dc);
	ZSTD_freeCCtx(cc);
	return 0;
}
