/*
 * blob.c — one stored profile's data: its distinct sample-label sets and its
 * (stack, label set, value) entries, column by column, compressed with zstd.
 *
 * Layout before compression (varints are LEB128, signed ones zigzag):
 *
 *     version (1)   period (signed)
 *     nsets, then each set: nlabels, then per label (canonical order: key, str, num,
 *                  unit): klen key  slen str  num (signed)  ulen unit
 *     n             entries, sorted by (stack, set), no duplicates, no zero values
 *     gcd           every value is a multiple of it (CPU values of 10 ms → 1, 2, 3 ...)
 *     n × stack delta from the previous entry's stack
 *     n × set index (only when nsets > 1)
 *     n × value / gcd (signed)
 *
 * Version 2 is the same without the sets' bytes after nsets: they are in a row of the
 * labelsets table that the profile row names, shared by the rows (sample types) of one
 * push — a span profile's thousands of distinct profile_id labels are stored and
 * compressed once, not once per sample type.  That row holds version (1), nsets and the
 * sets, encoded and compressed the same way.
 *
 * The stored bytes are 'Z' + a zstd frame (with its content size), or 'R' + the raw
 * bytes when compression does not pay.  Decoding checks every length against the bytes
 * left, the frame size against BLOB_MAX_RAW and the label counts against the store's
 * caps (store.h) before allocating for them: a damaged blob is ERR_CORRUPT.  Blobs being
 * built count the labels of their distinct sets (setlabels) for the writers' checks.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/err.h"
#include "base/vec.h"

#define BLOB_VERSION 1      /* sets inline */
#define BLOB_VERSION_EXT 2  /* sets in a labelsets row */
#define BLOB_ZSTD_LEVEL 1

static const char empty_set[1] = { 0 };

void blob_init(struct blob *b)
{
	memset(b, 0, sizeof(*b));
	buf_init(&b->raw);
	buf_init(&b->setraw);
	buf_init(&b->setbytes);
	buf_init(&b->enc);
}

void blob_reset(struct blob *b)
{
	b->period = 0;
	b->nlabels = b->nsets = b->n = b->setlabels = 0;
	buf_reset(&b->raw);
	buf_reset(&b->setraw);
	buf_reset(&b->setbytes);
	if (b->setmap_ready) {
		hmap_release(&b->setmap);
		b->setmap_ready = false;
	}
}

void blob_release(struct blob *b)
{
	if (b->setmap_ready)
		hmap_release(&b->setmap);
	free(b->labels);
	free(b->sets);
	free(b->e);
	buf_release(&b->raw);
	buf_release(&b->setraw);
	buf_release(&b->setbytes);
	buf_release(&b->enc);
	memset(b, 0, sizeof(*b));
}

static int bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : (an > bn) - (an < bn);
}

static int label_cmp(const void *x, const void *y)
{
	const struct blob_label *a = x, *b = y;
	int c;

	if ((c = bytes_cmp(a->key, a->klen, b->key, b->klen)) ||
	    (c = bytes_cmp(a->str, a->slen, b->str, b->slen)))
		return c;
	if (a->num != b->num)
		return a->num < b->num ? -1 : 1;
	return bytes_cmp(a->unit, a->ulen, b->unit, b->ulen);
}

/* Adds a set of nl labels given by its encoding, deduplicated by its bytes. */
static int add_set_bytes(struct blob *b, const char *bytes, size_t nbytes, uint64_t nl,
			 uint32_t *out)
{
	uint64_t h = XXH3_64bits(bytes, nbytes);
	size_t off = b->setbytes.len;
	uint32_t id;
	int rc;

	if (!b->setmap_ready) {
		if ((rc = hmap_init(&b->setmap, 16)))
			return rc;
		b->setmap_ready = true;
	}
	for (;; h = hmap_mix(h + 1)) {
		if (h == HMAP_EMPTY)
			h = 0;
		if (!hmap_get(&b->setmap, h, &id))
			break;
		if (b->sets[id].nbytes == nbytes &&
		    memcmp(b->setbytes.data + b->sets[id].boff, bytes, nbytes) == 0) {
			*out = id;
			return 0;
		}
	}
	if (b->nsets >= UINT32_MAX - 1)
		return err_set(ERR_TOOBIG, "too many sample-label sets");
	if ((rc = buf_add(&b->setbytes, bytes, nbytes)) ||
	    (rc = vec_reserve(&b->sets, &b->cap_sets, b->nsets + 1)))
		return rc;
	memset(&b->sets[b->nsets], 0, sizeof(b->sets[0]));
	b->sets[b->nsets].boff = off;
	b->sets[b->nsets].nbytes = nbytes;
	b->setlabels += nl;
	*out = (uint32_t)b->nsets++;
	return hmap_put(&b->setmap, h, *out);
}

/* Labels per set sorted on the stack (a span profile's sets have three or four). */
#define BLOB_SMALL_SET 16

int blob_add_set(struct blob *b, const struct blob_label *labels, uint32_t n, uint32_t *out)
{
	struct blob_label small[BLOB_SMALL_SET], *sorted = small;
	struct buf *enc = &b->enc;
	uint32_t i, j;
	int rc;

	if (n > BLOB_SMALL_SET && !(sorted = malloc(n * sizeof(*sorted))))
		return err_set(ERR_NOMEM, "out of memory");
	if (n)
		memcpy(sorted, labels, n * sizeof(*sorted));
	if (n > BLOB_SMALL_SET) {
		qsort(sorted, n, sizeof(*sorted), label_cmp);
	} else {
		for (i = 1; i < n; i++) {  /* insertion sort: few labels, mostly in order */
			struct blob_label t = sorted[i];

			for (j = i; j > 0 && label_cmp(&sorted[j - 1], &t) > 0; j--)
				sorted[j] = sorted[j - 1];
			sorted[j] = t;
		}
	}
	buf_reset(enc);
	rc = put_uvarint(enc, n);
	for (i = 0; i < n && !rc; i++) {
		const struct blob_label *l = &sorted[i];

		if ((rc = put_uvarint(enc, l->klen)) || (rc = buf_add(enc, l->key, l->klen)) ||
		    (rc = put_uvarint(enc, l->slen)) || (rc = buf_add(enc, l->str, l->slen)) ||
		    (rc = put_uvarint(enc, zigzag(l->num))) || (rc = put_uvarint(enc, l->ulen)))
			break;
		rc = buf_add(enc, l->unit, l->ulen);
	}
	if (!rc)
		rc = add_set_bytes(b, enc->data, enc->len, n, out);
	if (sorted != small)
		free(sorted);
	return rc;
}

int blob_add_set_encoded(struct blob *b, const char *bytes, size_t nbytes, uint32_t *out)
{
	const unsigned char *p = (const unsigned char *)bytes;
	uint64_t nl;

	/* a decoded set's bytes: they begin with its label count */
	if (get_uvarint(&p, p + nbytes, &nl))
		return err_set(ERR_CORRUPT, "corrupt profile data: bad label count");
	return add_set_bytes(b, bytes, nbytes, nl, out);
}

static int entry_cmp(const void *x, const void *y)
{
	const struct blob_entry *a = x, *b = y;

	if (a->stack != b->stack)
		return a->stack < b->stack ? -1 : 1;
	return (a->set > b->set) - (a->set < b->set);
}

static inline uint64_t entry_key(const struct blob_entry *e, unsigned setbits)
{
	return (uint64_t)e->stack << setbits | e->set;
}

/*
 * Sorts the entries by (stack, set).  A least-significant-digit radix sort on the
 * composite key, 11 bits a pass and only as many passes as the ids need (stack ids of
 * one service rarely pass 2^22, sets are mostly 0): a push's entries and a merge's
 * sort in two or three linear passes instead of n log n indirect comparisons.
 */
static int sort_entries(struct blob *b)
{
	struct blob_entry *src = b->e, *dst, *tmp;
	size_t n = b->n, i, count[1 << 11];
	uint32_t stack_bits = 0, set_bits = 0;
	unsigned setbits, bits, shift;
	bool sorted = true;

	for (i = 0; i < n; i++) {
		stack_bits |= src[i].stack;
		set_bits |= src[i].set;
		if (i && sorted && entry_cmp(&src[i - 1], &src[i]) > 0)
			sorted = false;
	}
	if (sorted)
		return 0;
	if (n < 64) {
		qsort(src, n, sizeof(*src), entry_cmp);
		return 0;
	}
	setbits = set_bits ? 32 - (unsigned)__builtin_clz(set_bits) : 0;
	bits = setbits + (stack_bits ? 32 - (unsigned)__builtin_clz(stack_bits) : 0);
	if (!(tmp = dst = malloc(n * sizeof(*dst))))
		return err_set(ERR_NOMEM, "out of memory (%zu profile entries)", n);
	for (shift = 0; shift < bits; shift += 11) {
		size_t sum = 0;
		struct blob_entry *t;

		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[entry_key(&src[i], setbits) >> shift & 2047]++;
		for (i = 0; i < 2048; i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[entry_key(&src[i], setbits) >> shift & 2047]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != b->e)
		memcpy(b->e, src, n * sizeof(*src));
	free(tmp);
	return 0;
}

int blob_normalize(struct blob *b)
{
	size_t i, j = 0;
	int rc;

	if (b->n > 1 && (rc = sort_entries(b)))
		return rc;
	for (i = 0; i < b->n; i++) {
		if (j && b->e[j - 1].stack == b->e[i].stack && b->e[j - 1].set == b->e[i].set) {
			if (__builtin_add_overflow(b->e[j - 1].value, b->e[i].value, &b->e[j - 1].value))
				return err_set(ERR_TOOBIG, "sample values add up past 2^63");
			continue;
		}
		b->e[j++] = b->e[i];
	}
	b->n = j;
	for (i = j = 0; i < b->n; i++)
		if (b->e[i].value != 0)
			b->e[j++] = b->e[i];
	b->n = j;
	return 0;
}

int blob_sum(const struct blob *b, int64_t *out)
{
	size_t i;

	*out = 0;
	for (i = 0; i < b->n; i++)
		if (__builtin_add_overflow(*out, b->e[i].value, out))
			return err_set(ERR_TOOBIG, "sample values add up past 2^63");
	return 0;
}

int64_t blob_total(const struct blob *b)
{
	uint64_t t = 0;
	size_t i;

	for (i = 0; i < b->n; i++)
		t += (uint64_t)b->e[i].value;
	return (int64_t)t;
}

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* out = 'Z' + raw compressed, or 'R' + raw when that is not smaller. */
static int pack(ZSTD_CCtx *cctx, const struct buf *raw, struct buf *out)
{
	size_t bound, z;
	int rc;

	buf_reset(out);
	if (raw->len >= 64) {
		bound = ZSTD_compressBound(raw->len);
		if ((rc = buf_grow(out, bound + 1)))
			return rc;
		out->data[0] = 'Z';
		z = ZSTD_compressCCtx(cctx, out->data + 1, bound, raw->data, raw->len, BLOB_ZSTD_LEVEL);
		if (ZSTD_isError(z))
			return err_set(ERR_NOMEM, "zstd: %s", ZSTD_getErrorName(z));
		if (z < raw->len) {
			out->len = z + 1;
			out->data[out->len] = '\0';
			return 0;
		}
	}
	buf_reset(out);
	if ((rc = buf_add(out, "R", 1)))
		return rc;
	return buf_add(out, raw->data ? raw->data : "", raw->len);
}

int blob_encode(ZSTD_CCtx *cctx, const struct blob *b, struct buf *out)
{
	return blob_encode_with(cctx, b, b, false, out);
}

int blob_encode_sets(ZSTD_CCtx *cctx, const struct blob *sets, struct buf *out)
{
	struct buf raw = BUF_INIT;
	int rc;

	if (!(rc = put_uvarint(&raw, BLOB_VERSION)) && !(rc = put_uvarint(&raw, sets->nsets)) &&
	    !(rc = buf_add(&raw, sets->setbytes.data ? sets->setbytes.data : "", sets->setbytes.len)))
		rc = pack(cctx, &raw, out);
	buf_release(&raw);
	return rc;
}

int blob_encode_with(ZSTD_CCtx *cctx, const struct blob *sets, const struct blob *b, bool ext,
		     struct buf *out)
{
	struct buf raw = BUF_INIT;
	uint64_t g = 0;
	size_t i;
	uint32_t prev = 0;
	int rc;

	for (i = 0; i < b->n && g != 1; i++) {
		int64_t v = b->e[i].value;

		g = gcd_u64(g, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
	}
	if (g == 0 || g > INT64_MAX)
		g = 1;
	if ((rc = put_uvarint(&raw, ext ? BLOB_VERSION_EXT : BLOB_VERSION)) ||
	    (rc = put_uvarint(&raw, zigzag(b->period))) || (rc = put_uvarint(&raw, sets->nsets)) ||
	    (!ext && (rc = buf_add(&raw, sets->setbytes.data ? sets->setbytes.data : "",
				   sets->setbytes.len))) ||
	    (rc = put_uvarint(&raw, b->n)) || (rc = put_uvarint(&raw, g)))
		goto done;
	for (i = 0; i < b->n && !rc; i++) {
		rc = put_uvarint(&raw, b->e[i].stack - prev);
		prev = b->e[i].stack;
	}
	for (i = 0; i < b->n && sets->nsets > 1 && !rc; i++)
		rc = put_uvarint(&raw, b->e[i].set);
	for (i = 0; i < b->n && !rc; i++)
		rc = put_uvarint(&raw, zigzag(b->e[i].value / (int64_t)g));
	if (!rc)
		rc = pack(cctx, &raw, out);
done:
	buf_release(&raw);
	return rc;
}

static int bad(const char *what)
{
	return err_set(ERR_CORRUPT, "corrupt profile data: %s", what);
}

/* The raw bytes of a stored 'Z' or 'R' blob, into dst. */
static int unpack(ZSTD_DCtx *dctx, const unsigned char *in, size_t len, struct buf *dst)
{
	int rc;

	buf_reset(dst);
	if (len < 1)
		return bad("empty");
	if (in[0] == 'Z') {
		unsigned long long size = ZSTD_getFrameContentSize(in + 1, len - 1);
		size_t got;

		if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
		    size > BLOB_MAX_RAW)
			return bad("bad zstd frame");
		if ((rc = buf_grow(dst, (size_t)size)))
			return rc;
		got = ZSTD_decompressDCtx(dctx, dst->data, (size_t)size + 1, in + 1, len - 1);
		if (ZSTD_isError(got) || got != size)
			return bad("bad zstd frame");
		dst->len = got;
		return 0;
	}
	if (in[0] == 'R')
		return buf_add(dst, in + 1, len - 1);
	return bad("unknown encoding");
}

/*
 * Whether set i's bytes repeat an earlier set's (seen: hash of the bytes → set index).
 * Sets are stored once each (add_set_bytes): a repeat is damage, and the way a few
 * kilobytes of zstd would decode to millions of sets.
 */
static int set_repeats(struct hmap *seen, const struct blob *b, uint32_t i)
{
	uint64_t h = XXH3_64bits(b->sets[i].bytes, b->sets[i].nbytes);
	uint32_t id;

	for (;; h = hmap_mix(h + 1)) {
		if (h == HMAP_EMPTY)
			h = 0;
		if (!hmap_get(seen, h, &id))
			break;
		if (b->sets[id].nbytes == b->sets[i].nbytes &&
		    memcmp(b->sets[id].bytes, b->sets[i].bytes, b->sets[i].nbytes) == 0)
			return err_set(ERR_CORRUPT, "corrupt profile data: label set %u repeats set %u",
				       i, id);
	}
	return hmap_put(seen, h, i);
}

/* parse_sets()'s loop: the sets into out->sets[0 .. nsets), each checked against seen. */
static int parse_sets_into(const unsigned char **pp, const unsigned char *end, uint32_t nsets,
			   struct hmap *seen, struct blob *out)
{
	const unsigned char *p = *pp;
	uint32_t i;
	uint64_t j;
	int rc;

	for (i = 0; i < nsets; i++) {
		const unsigned char *start = p;
		uint64_t nl;

		if (get_uvarint(&p, end, &nl))
			return bad("bad label count");
		/* no writer makes more (store.h): checked before the labels are allocated */
		if (nl > STORE_MAX_SET_LABELS)
			return err_set(ERR_CORRUPT, "corrupt profile data: label set %u has %llu "
						  "labels, more than %d", i, (unsigned long long)nl,
				       STORE_MAX_SET_LABELS);
		if (out->nlabels + nl > STORE_MAX_PROFILE_LABELS)
			return err_set(ERR_CORRUPT, "corrupt profile data: label set %u takes its "
						  "sets past %d labels in all", i,
				       STORE_MAX_PROFILE_LABELS);
		if (nl > (uint64_t)(end - p))
			return bad("bad label count");
		if ((rc = vec_reserve(&out->sets, &out->cap_sets, (size_t)i + 1)) ||
		    (rc = vec_reserve(&out->labels, &out->cap_labels, out->nlabels + nl)))
			return rc;
		out->sets[i].off = (uint32_t)out->nlabels;
		out->sets[i].n = (uint32_t)nl;
		for (j = 0; j < nl; j++) {
			struct blob_label *l = &out->labels[out->nlabels++];
			uint64_t kl, sl, num, ul;

			if (get_uvarint(&p, end, &kl) || kl > (uint64_t)(end - p))
				return bad("bad label");
			l->key = (const char *)p;
			l->klen = (uint32_t)kl;
			p += kl;
			if (get_uvarint(&p, end, &sl) || sl > (uint64_t)(end - p))
				return bad("bad label");
			l->str = (const char *)p;
			l->slen = (uint32_t)sl;
			p += sl;
			if (get_uvarint(&p, end, &num) || get_uvarint(&p, end, &ul) ||
			    ul > (uint64_t)(end - p))
				return bad("bad label");
			l->num = unzigzag(num);
			l->unit = (const char *)p;
			l->ulen = (uint32_t)ul;
			p += ul;
		}
		out->sets[i].bytes = (const char *)start;
		out->sets[i].nbytes = (size_t)(p - start);
		if (nsets > 1 && (rc = set_repeats(seen, out, i)))
			return rc;
	}
	*pp = p;
	return 0;
}

/*
 * nsets sets from *pp (their labels point into those bytes).  The arrays grow with the
 * sets read, never by the count the bytes declare: a repeated set, or labels past the
 * store's caps, stop the decode.
 */
static int parse_sets(const unsigned char **pp, const unsigned char *end, uint64_t nsets,
		      struct blob *out)
{
	const unsigned char *p = *pp;
	struct hmap seen;
	int rc;

	if (nsets > STORE_MAX_PROFILE_LABELS)
		return err_set(ERR_CORRUPT, "corrupt profile data: %llu label sets, more than %d",
			       (unsigned long long)nsets, STORE_MAX_PROFILE_LABELS);
	if ((rc = vec_reserve(&out->sets, &out->cap_sets, 1)) ||
	    (nsets > 1 && (rc = hmap_init(&seen, 16))))
		return rc;
	rc = parse_sets_into(&p, end, (uint32_t)nsets, &seen, out);
	if (nsets > 1)
		hmap_release(&seen);
	if (rc)
		return rc;
	out->nsets = nsets;
	if (nsets == 0) {
		/* no labels at all: one empty set, so index 0 is always valid */
		out->sets[0].off = out->sets[0].n = 0;
		out->sets[0].bytes = empty_set;
		out->sets[0].nbytes = 1;
		out->nsets = 1;
	}
	*pp = p;
	return 0;
}

/* The sets of a labelsets row (sdata), for a version-2 blob that says it has nsets. */
static int decode_ext_sets(ZSTD_DCtx *dctx, const void *sdata, size_t slen, uint64_t nsets,
			   struct blob *out)
{
	const unsigned char *p, *end;
	uint64_t v, n;
	int rc;

	if (!sdata)
		return bad("its label sets are missing");
	if ((rc = unpack(dctx, sdata, slen, &out->setraw)))
		return rc;
	p = (const unsigned char *)out->setraw.data;
	end = p + out->setraw.len;
	if (get_uvarint(&p, end, &v) || v != BLOB_VERSION)
		return bad("unknown label set version");
	if (get_uvarint(&p, end, &n) || n != nsets)
		return bad("label set count differs from the profile's");
	if (n > (uint64_t)(end - p))  /* each set takes a byte at least */
		return bad("bad label set count");
	if ((rc = parse_sets(&p, end, n, out)))
		return rc;
	return p == end ? 0 : bad("trailing bytes after the label sets");
}

int blob_decode(ZSTD_DCtx *dctx, const void *data, size_t len, const void *sdata, size_t slen,
		struct blob *out)
{
	return blob_decode_max(dctx, data, len, sdata, slen, 0, out);
}

int blob_decode_max(ZSTD_DCtx *dctx, const void *data, size_t len, const void *sdata,
		    size_t slen, size_t nstacks, struct blob *out)
{
	const unsigned char *p, *end;
	uint64_t v, version, nsets, n, g, stack = 0;
	size_t i;
	int rc;

	blob_reset(out);
	if ((rc = unpack(dctx, data, len, &out->raw)))
		return rc;
	p = (const unsigned char *)out->raw.data;
	end = p + out->raw.len;
	if (get_uvarint(&p, end, &version) ||
	    (version != BLOB_VERSION && version != BLOB_VERSION_EXT))
		return bad("unknown version");
	if (get_uvarint(&p, end, &v))
		return bad("truncated");
	out->period = unzigzag(v);
	if (get_uvarint(&p, end, &nsets))
		return bad("bad label set count");
	if (version == BLOB_VERSION_EXT) {
		if ((rc = decode_ext_sets(dctx, sdata, slen, nsets, out)))
			return rc;
	} else if (nsets > (uint64_t)(end - p)) {
		return bad("bad label set count");
	} else if ((rc = parse_sets(&p, end, nsets, out))) {
		return rc;
	}
	if (get_uvarint(&p, end, &n) || n > (uint64_t)(end - p) || get_uvarint(&p, end, &g) || g == 0 ||
	    g > INT64_MAX)
		return bad("bad entry count");
	/* entries are distinct (stack, set) pairs: checked before reserving n of them */
	if (nstacks && n > (uint64_t)nstacks * out->nsets)
		return err_set(ERR_CORRUPT, "corrupt profile data: %llu entries, more than its "
					  "service's %zu stacks times %zu label sets",
			       (unsigned long long)n, nstacks, out->nsets);
	if ((rc = vec_reserve(&out->e, &out->cap_e, n ? n : 1)))
		return rc;
	for (i = 0; i < n; i++) {
		if (get_uvarint(&p, end, &v) || (stack += v) > UINT32_MAX - 1)
			return bad("bad stack column");
		out->e[i].stack = (uint32_t)stack;
		out->e[i].set = 0;
	}
	for (i = 0; i < n && nsets > 1; i++) {
		if (get_uvarint(&p, end, &v) || v >= nsets)
			return bad("bad label set column");
		out->e[i].set = (uint32_t)v;
	}
	for (i = 0; i < n; i++) {
		if (get_uvarint(&p, end, &v) ||
		    __builtin_mul_overflow(unzigzag(v), (int64_t)g, &out->e[i].value))
			return bad("bad value column");
	}
	if (p != end)
		return bad("trailing bytes");
	out->n = n;
	return 0;
}
