/*
 * test_malformed.c — hostile and broken input, generated here from real files.
 *
 * Every broken input must give a negative ERR_* code and a one-line, terminal-safe
 * message starting with the input's name; input that a mutation happens to leave valid
 * must decode into a profile that keeps every invariant (tu_check_invariants).  Nothing
 * may crash, leak or hit undefined behaviour: CI runs this under ASan and UBSan.
 *
 * Corpus: every truncation of a real profile (raw and gzipped), single-bit flips, length
 * fields that lie, random bytes with a fixed seed, hand-made profiles (built with the
 * generated protobuf-c code) that each break one rule, bounded decompression, and bad
 * folded lines.
 */
#include "testutil.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <zstd.h>

#include "base/err.h"
#include "ingest/decode.h"
#include "profile.pb-c.h"

#define MUTEX "go/contention-mutex.pb.gz"

/* ---- wire helpers ---- */

static size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	do {
		p[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	return n;
}

static size_t get_varint(const uint8_t *p, size_t n, uint64_t *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n && i < 10; i++) {
		*v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80))
			return i + 1;
	}
	return 0;
}

/* Offset just past the top-level field that starts at pos (the real files are sane). */
static size_t next_field(const uint8_t *p, size_t n, size_t pos)
{
	uint64_t tag, v;
	size_t k;

	k = get_varint(p + pos, n - pos, &tag);
	assert_true(k > 0);
	pos += k;
	switch (tag & 7) {
	case 0:
		k = get_varint(p + pos, n - pos, &v);
		assert_true(k > 0);
		return pos + k;
	case 1:
		return pos + 8;
	case 2:
		k = get_varint(p + pos, n - pos, &v);
		assert_true(k > 0);
		return pos + k + v;
	case 5:
		return pos + 4;
	default:
		fail_msg("unexpected wire type %u in a fixture", (unsigned)(tag & 7));
	}
	return n;
}

/* ---- truncations, bit flips, lies ---- */

static void test_empty(void **state)
{
	(void)state;
	assert_int_equal(tu_decode_fails("", 0, "empty"), ERR_PARSE);
	assert_non_null(strstr(err_last(), "empty"));
	/* a gzip stream of nothing */
	assert_int_equal(tu_decode_fails("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x03\x00"
					 "\x00\x00\x00\x00\x00\x00\x00\x00",
					 20, "empty.gz"),
			 ERR_PARSE);
	/* text with no stacks, only comments and blank lines */
	tu_decode_fails("# nothing\n\n   \n", 15, "blank.folded");
	assert_non_null(strstr(err_last(), "no samples"));
}

/* The Go runtime writes the string table last, so every proper prefix is broken. */
static void test_truncated_raw(void **state)
{
	struct buf b = BUF_INIT;
	struct prof *p;
	size_t len;

	(void)state;
	tu_read_inflated(MUTEX, &b);
	assert_int_equal(b.len, 1185);
	for (len = 0; len < b.len; len++)
		tu_decode_fails(b.data, len, "cut.pb");
	p = tu_decode_bytes(b.data, b.len, "whole.pb");
	tu_check_invariants(p);
	prof_free(p);
	buf_release(&b);
}

static void test_truncated_gzip(void **state)
{
	struct buf b = BUF_INIT;
	size_t len;

	(void)state;
	tu_read(MUTEX, &b);
	for (len = 0; len < b.len; len++)
		tu_decode_fails(b.data, len, "cut.pb.gz");
	buf_release(&b);
}

/*
 * Folded text cut after a line holds the lines before it; cut anywhere else it is valid
 * only by chance (a shorter count), never a crash or a bad message.
 */
static void test_truncated_folded(void **state)
{
	struct buf b = BUF_INIT;
	struct prof *p;
	size_t len, lines = 0;
	int64_t sum = 0;

	(void)state;
	tu_read("folded/cpuwork-cpu.folded", &b);
	for (len = 1; len <= b.len; len++) {
		if (b.data[len - 1] != '\n') {
			if (len % 97 == 0)
				tu_decode_any(b.data, len, "cut.folded");
			continue;
		}
		sum += strtoll((const char *)memrchr(b.data, ' ', len) + 1, NULL, 10);
		lines++;
		p = tu_decode_bytes(b.data, len, "lines.folded");
		assert_int_equal(p->nsamples, lines);
		tu_assert_i64(prof_total(p, 0), sum);
		prof_free(p);
	}
	assert_int_equal(lines, 309);
	tu_assert_i64(sum, 924);
	buf_release(&b);
}

/*
 * Decodes b with each single bit flipped in turn: from byte `must_fail_from` on the
 * decode must fail, before it either way.  Returns how many failed.
 */
static size_t flip_every_bit(struct buf *b, size_t must_fail_from, const char *name)
{
	size_t i, failed = 0;
	int bit;

	for (i = 0; i < b->len; i++) {
		for (bit = 0; bit < 8; bit++) {
			b->data[i] ^= (char)(1 << bit);
			if (i >= must_fail_from)
				failed += tu_decode_fails(b->data, b->len, name) != 0;
			else
				failed += tu_decode_any(b->data, b->len, name) != 0;
			b->data[i] ^= (char)(1 << bit);
		}
	}
	return failed;
}

/* Every single-bit flip of the raw protobuf: decodes (a changed value) or fails cleanly. */
static void test_bitflips_raw(void **state)
{
	struct buf b = BUF_INIT;
	size_t failed;

	(void)state;
	tu_read_inflated(MUTEX, &b);
	failed = flip_every_bit(&b, SIZE_MAX, "flip.pb");
	/* most flips break a reference or the framing; many only change a value */
	assert_true(failed > b.len && failed < b.len * 8);
	buf_release(&b);
}

/* Past the 10-byte gzip header every flip is caught (deflate framing, CRC-32, ISIZE). */
static void test_bitflips_gzip(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	tu_read(MUTEX, &b);
	flip_every_bit(&b, 10, "flip.pb.gz");
	buf_release(&b);
}

/* Bytes 12.. of a zstd frame; the frame checksum is off by default, so either way. */
static void test_bitflips_zstd(void **state)
{
	struct buf b = BUF_INIT;
	size_t i, n, cap;
	uint8_t *z;

	(void)state;
	tu_read_inflated(MUTEX, &b);
	cap = ZSTD_compressBound(b.len);
	z = malloc(cap);
	assert_non_null(z);
	n = ZSTD_compress(z, cap, b.data, b.len, 3);
	assert_false(ZSTD_isError(n));
	for (i = 0; i < n; i++) {
		z[i] ^= 0x10;
		tu_decode_any(z, n, "flip.pb.zst");
		z[i] ^= 0x10;
	}
	for (i = 0; i < n; i++)
		tu_decode_fails(z, i, "cut.pb.zst");
	free(z);
	buf_release(&b);
}

/*
 * The length of one field rewritten to `lie` (re-encoded, so the varint may grow).
 * Returns the new length of out.
 */
static size_t with_length(const uint8_t *p, size_t n, size_t field_at, uint64_t lie,
			  uint8_t *out)
{
	uint64_t tag, len;
	size_t k = get_varint(p + field_at, n - field_at, &tag), m, o;

	assert_int_equal(tag & 7, 2);
	m = get_varint(p + field_at + k, n - field_at - k, &len);
	memcpy(out, p, field_at + k);
	o = field_at + k + put_varint(out + field_at + k, lie);
	memcpy(out + o, p + field_at + k + m, n - field_at - k - m);
	return o + n - field_at - k - m;
}

static void test_lying_lengths(void **state)
{
	static const uint64_t lies[] = { UINT64_MAX, (uint64_t)1 << 62, UINT32_MAX,
					 (uint64_t)1 << 31, 1u << 20, 2000 };
	struct buf b = BUF_INIT;
	uint8_t *out;
	size_t pos, n, i, fields = 0;

	(void)state;
	tu_read_inflated(MUTEX, &b);
	out = malloc(b.len + 16);
	assert_non_null(out);
	/* every length-delimited top-level field, each lie */
	for (pos = 0; pos < b.len; pos = next_field((uint8_t *)b.data, b.len, pos)) {
		if ((b.data[pos] & 7) != 2)
			continue;
		fields++;
		for (i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
			n = with_length((uint8_t *)b.data, b.len, (size_t)pos, lies[i], out);
			tu_decode_fails(out, n, "lie.pb");
			assert_non_null(strstr(err_last(), "declares"));
			assert_non_null(strstr(err_last(), "byte"));
		}
	}
	assert_true(fields > 40);
	free(out);
	buf_release(&b);
}

/* Hand-made wire bytes: lies inside a nested message, bad tags, overlong varints. */
static void test_bad_wire(void **state)
{
	static const struct {
		const char *name, *bytes;
		size_t len;
		const char *msg;
	} cases[] = {
		/* sample (field 2) of 6 bytes whose packed location_id claims 2^31 - 1 */
		{ "nested-lie", "\x12\x06\x0a\xff\xff\xff\xff\x07", 8, "malformed nested" },
		/* a string-table entry claiming 2 GiB */
		{ "string-lie", "\x32\xff\xff\xff\xff\x07" "abc", 9, "declares" },
		{ "field-0", "\x02\x00", 2, "field number 0" },
		{ "wire-type-3", "\x0b\x00", 2, "wire type 3" },
		{ "wire-type-6", "\x0e\x00", 2, "wire type 6" },
		{ "wire-type-7", "\x0f\x00", 2, "wire type 7" },
		{ "overlong-varint", "\x48\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12,
		  "varint" },
		{ "truncated-varint", "\x48\xff\xff", 3, "varint" },
		{ "truncated-tag", "\xff", 1, "tag" },
		{ "truncated-fixed64", "\x09\x01\x02", 3, "fixed64" },
		{ "truncated-fixed32", "\x0d\x01\x02", 3, "fixed32" },
		/* period (int64, field 12) sent as a length-delimited field */
		{ "wrong-wire-type", "\x62\x01\x00", 3, NULL },
		/* a valid message with nothing in it */
		{ "only-period", "\x60\x01", 2, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tu_decode_fails(cases[i].bytes, cases[i].len, cases[i].name);
		if (cases[i].msg && !strstr(err_last(), cases[i].msg))
			fail_msg("%s: expected '%s' in: %s", cases[i].name, cases[i].msg,
				 err_last());
	}
}

/* xorshift64*: a fixed seed, so a failure reproduces. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static void test_random_bytes(void **state)
{
	static const char *prefixes[] = { "", "\x1f\x8b\x08\x00", "\x28\xb5\x2f\xfd", "\x0a",
					  "\x5a\x04" };
	uint64_t seed = 0x5eed5eed5eed5eedULL;
	uint8_t buf[600];
	size_t i, j, n, p;

	(void)state;
	for (i = 0; i < 5000; i++) {
		p = i % (sizeof(prefixes) / sizeof(prefixes[0]));
		n = rnd(&seed) % sizeof(buf);
		for (j = 0; j < n; j++)
			buf[j] = (uint8_t)rnd(&seed);
		if (n >= strlen(prefixes[p]))
			memcpy(buf, prefixes[p], strlen(prefixes[p]));
		tu_decode_any(buf, n, "random");
	}
	/* random printable text: folded lines that mostly do not parse */
	for (i = 0; i < 2000; i++) {
		n = rnd(&seed) % 200;
		for (j = 0; j < n; j++)
			buf[j] = (uint8_t)" ;;;ab\n0123456789.-x"[rnd(&seed) % 20];
		tu_decode_any(buf, n, "random.folded");
	}
}

/* Decompression is bounded: a small limit stops gzip and zstd bombs. */
static void test_inflate_limit(void **state)
{
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(9);
	size_t big = 8u << 20, n, cap = 1u << 20;
	char *zeros = calloc(1, big), *out = malloc(cap);
	struct buf b = BUF_INIT;

	(void)state;
	assert_non_null(c);
	assert_true(zeros && out);
	n = libdeflate_gzip_compress(c, zeros, big, out, cap);
	assert_true(n > 0 && n < 20000);
	assert_int_equal(decode_inflate((uint8_t *)out, n, 1u << 16, &b), ERR_TOOBIG);
	tu_assert_message(err_last());
	buf_release(&b);
	assert_int_equal(decode_inflate((uint8_t *)out, n, big, &b), 0);
	assert_int_equal(b.len, big);
	buf_release(&b);

	n = ZSTD_compress(out, cap, zeros, big, 3);
	assert_false(ZSTD_isError(n));
	assert_int_equal(decode_inflate((uint8_t *)out, n, 1u << 16, &b), ERR_TOOBIG);
	tu_assert_message(err_last());
	buf_release(&b);
	assert_int_equal(decode_inflate((uint8_t *)out, n, big, &b), 0);
	assert_int_equal(b.len, big);
	buf_release(&b);

	/* zstd stops at one byte past the limit, not a buffer later */
	n = ZSTD_compress(out, cap, zeros, big, 3);
	assert_int_equal(decode_inflate((uint8_t *)out, n, 100000, &b), ERR_TOOBIG);
	assert_true(b.len <= 100001);
	buf_release(&b);

	/* 8 MiB of zeros, gzipped, is not a profile */
	n = libdeflate_gzip_compress(c, zeros, big, out, cap);
	tu_decode_fails(out, n, "zeros.gz");
	free(zeros);
	free(out);
	libdeflate_free_compressor(c);
}

/*
 * Several gzip members never inflate past the limit together: the last member's size
 * field hints 3 MiB, the first member (5 MiB) would fit the buffer grown for that hint,
 * and the second (64 MiB, 64 KB compressed) must not be inflated at all.
 */
static void test_inflate_limit_members(void **state)
{
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
	size_t sizes[3] = { 5u << 20, 64u << 20, 3u << 20 }, limit = 4u << 20, i, n;
	char *zeros = calloc(1, sizes[1]);
	struct buf gz = BUF_INIT, b = BUF_INIT;

	(void)state;
	assert_true(c && zeros);
	for (i = 0; i < 3; i++) {
		assert_int_equal(buf_grow(&gz, 1u << 20), 0);
		n = libdeflate_gzip_compress(c, zeros, sizes[i], gz.data + gz.len, 1u << 20);
		assert_true(n > 0);
		gz.len += n;
	}
	assert_int_equal(decode_inflate((uint8_t *)gz.data, gz.len, limit, &b), ERR_TOOBIG);
	tu_assert_message(err_last());
	assert_true(b.len <= limit);
	if (b.cap > 2 * limit + 1)
		fail_msg("%zu bytes reserved for a %zu byte limit", b.cap, limit);
	buf_release(&b);
	/* under a limit that holds them all, every member is there */
	assert_int_equal(decode_inflate((uint8_t *)gz.data, gz.len, 72u << 20, &b), 0);
	assert_int_equal(b.len, sizes[0] + sizes[1] + sizes[2]);
	buf_release(&b);
	buf_release(&gz);
	free(zeros);
	libdeflate_free_compressor(c);
}

/* ---- hand-made profiles that break one rule each ---- */

enum { S_EMPTY, S_SAMPLES, S_COUNT, S_CPU, S_NS, S_MAIN, S_WORK, S_FILE, S_BIN, S_THREAD,
       S_WORKER, NSTRS };

static const char *const synth_strs[NSTRS] = {
	"", "samples", "count", "cpu", "nanoseconds", "main.main", "main.work", "main.go",
	"/usr/bin/app", "thread", "worker"
};

/* main.main → main.work: samples {work,main} = 3 / 30 ms and {main} = 4 / 40 ms. */
struct synth {
	Perftools__Profiles__Profile pb;
	Perftools__Profiles__ValueType st[2], *stp[2], period;
	Perftools__Profiles__Sample s[2], *sp[2];
	uint64_t locs[2][2];
	int64_t vals[2][2];
	Perftools__Profiles__Label lab, *labp[1];
	Perftools__Profiles__Mapping m, *mp[1];
	Perftools__Profiles__Location l[2], *lp[2];
	Perftools__Profiles__Line ln[2], *lnp[2][1];
	Perftools__Profiles__Function f[2], *fp[2];
	ProtobufCBinaryData strs[NSTRS];
};

static void synth_init(struct synth *s)
{
	static const Perftools__Profiles__ValueType vt = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
	static const Perftools__Profiles__Sample sm = PERFTOOLS__PROFILES__SAMPLE__INIT;
	static const Perftools__Profiles__Label lb = PERFTOOLS__PROFILES__LABEL__INIT;
	static const Perftools__Profiles__Mapping mp = PERFTOOLS__PROFILES__MAPPING__INIT;
	static const Perftools__Profiles__Location lc = PERFTOOLS__PROFILES__LOCATION__INIT;
	static const Perftools__Profiles__Line li = PERFTOOLS__PROFILES__LINE__INIT;
	static const Perftools__Profiles__Function fn = PERFTOOLS__PROFILES__FUNCTION__INIT;
	int i;

	memset(s, 0, sizeof(*s));
	perftools__profiles__profile__init(&s->pb);
	for (i = 0; i < NSTRS; i++) {
		s->strs[i].data = (uint8_t *)synth_strs[i];
		s->strs[i].len = strlen(synth_strs[i]);
	}
	s->pb.string_table = s->strs;
	s->pb.n_string_table = NSTRS;

	s->st[0] = vt, s->st[0].type = S_SAMPLES, s->st[0].unit = S_COUNT;
	s->st[1] = vt, s->st[1].type = S_CPU, s->st[1].unit = S_NS;
	s->stp[0] = &s->st[0], s->stp[1] = &s->st[1];
	s->pb.sample_type = s->stp, s->pb.n_sample_type = 2;
	s->period = vt, s->period.type = S_CPU, s->period.unit = S_NS;
	s->pb.period_type = &s->period, s->pb.period = 10000000;
	s->pb.default_sample_type = S_CPU;

	s->m = mp, s->m.id = 1, s->m.memory_start = 0x1000, s->m.memory_limit = 0x9000;
	s->m.filename = S_BIN, s->mp[0] = &s->m;
	s->pb.mapping = s->mp, s->pb.n_mapping = 1;

	for (i = 0; i < 2; i++) {
		s->f[i] = fn, s->f[i].id = (uint64_t)i + 1, s->f[i].name = S_MAIN + i;
		s->f[i].filename = S_FILE, s->fp[i] = &s->f[i];
		s->ln[i] = li, s->ln[i].function_id = (uint64_t)i + 1, s->ln[i].line = 10 * (i + 1);
		s->lnp[i][0] = &s->ln[i];
		s->l[i] = lc, s->l[i].id = (uint64_t)i + 1, s->l[i].mapping_id = 1;
		s->l[i].address = 0x1100 + 0x100 * (uint64_t)i;
		s->l[i].line = s->lnp[i], s->l[i].n_line = 1, s->lp[i] = &s->l[i];
	}
	s->pb.function = s->fp, s->pb.n_function = 2;
	s->pb.location = s->lp, s->pb.n_location = 2;

	s->locs[0][0] = 2, s->locs[0][1] = 1; /* leaf first */
	s->locs[1][0] = 1;
	s->vals[0][0] = 3, s->vals[0][1] = 30000000;
	s->vals[1][0] = 4, s->vals[1][1] = 40000000;
	s->lab = lb, s->lab.key = S_THREAD, s->lab.str = S_WORKER, s->labp[0] = &s->lab;
	for (i = 0; i < 2; i++) {
		s->s[i] = sm;
		s->s[i].location_id = s->locs[i], s->s[i].n_location_id = i == 0 ? 2 : 1;
		s->s[i].value = s->vals[i], s->s[i].n_value = 2;
		s->sp[i] = &s->s[i];
	}
	s->s[0].label = s->labp, s->s[0].n_label = 1;
	s->pb.sample = s->sp, s->pb.n_sample = 2;
}

/* The packed bytes (malloc'd) and their length. */
static uint8_t *synth_pack(const struct synth *s, size_t *n)
{
	uint8_t *out;

	*n = perftools__profiles__profile__get_packed_size(&s->pb);
	out = malloc(*n + 32);
	assert_non_null(out);
	assert_int_equal(perftools__profiles__profile__pack(&s->pb, out), *n);
	return out;
}

static struct prof *synth_decode(const struct synth *s)
{
	size_t n;
	uint8_t *b = synth_pack(s, &n);
	struct prof *p = tu_decode_bytes(b, n, "synth.pb");

	free(b);
	return p;
}

static void synth_fails(const struct synth *s, const char *name, const char *msg)
{
	size_t n;
	uint8_t *b = synth_pack(s, &n);

	tu_decode_fails(b, n, name);
	if (!strstr(err_last(), msg))
		fail_msg("%s: expected '%s' in: %s", name, msg, err_last());
	free(b);
}

/* The baseline is valid, so each failure below is caused by its one change. */
static void check_synth_numbers(const struct prof *p)
{
	struct tree *t = NULL;
	struct top top;
	const struct top_row *r;

	assert_string_equal(tu_types(p), "samples/count cpu/nanoseconds");
	assert_string_equal(prof_str(p, p->sample_types[p->default_type].type), "cpu");
	tu_assert_i64(prof_total(p, 0), 7);
	tu_assert_i64(prof_total(p, 1), 70000000);
	tu_check_invariants(p);
	tu_top(p, "cpu", &t, &top);
	r = tu_top_row(&top, p, "main.main");
	assert_non_null(r);
	tu_assert_i64(r->flat, 40000000);
	tu_assert_i64(r->cum, 70000000);
	r = tu_top_row(&top, p, "main.work");
	assert_non_null(r);
	tu_assert_i64(r->flat, 30000000);
	tu_assert_i64(r->cum, 30000000);
	top_release(&top);
	tree_free(t);
}

static void test_synth_valid(void **state)
{
	struct synth s;
	struct prof *p;
	size_t n;
	uint8_t *b;

	(void)state;
	synth_init(&s);
	p = synth_decode(&s);
	check_synth_numbers(p);
	assert_int_equal(p->nlabels, 1);
	assert_string_equal(prof_str(p, p->labels[0].key), "thread");
	assert_string_equal(prof_str(p, p->labels[0].str), "worker");
	prof_free(p);

	/* unknown fields are skipped (forward compatibility) */
	b = synth_pack(&s, &n);
	memcpy(b + n, "\xa0\x06\x05\xaa\x06\x02hi", 8); /* fields 100 (varint), 101 (bytes) */
	p = tu_decode_bytes(b, n + 8, "unknown-fields.pb");
	check_synth_numbers(p);
	prof_free(p);
	free(b);

	/* sparse, huge ids (a hash map instead of a table) */
	s.f[0].id = s.ln[0].function_id = (uint64_t)1 << 40;
	s.f[1].id = s.ln[1].function_id = (uint64_t)1 << 50;
	s.l[0].id = s.locs[0][1] = s.locs[1][0] = UINT64_MAX - 1;
	s.l[1].id = s.locs[0][0] = (uint64_t)1 << 63;
	s.m.id = s.l[0].mapping_id = s.l[1].mapping_id = 123456789012345ULL;
	p = synth_decode(&s);
	check_synth_numbers(p);
	prof_free(p);
}

/* Valid but unusual shapes pprof accepts. */
static void test_synth_unusual(void **state)
{
	struct synth s;
	struct prof *p;
	struct tree *t = NULL;
	Perftools__Profiles__Line *two[2];

	(void)state;
	/* a sample with no locations: its value sits on the root */
	synth_init(&s);
	s.s[1].n_location_id = 0;
	p = synth_decode(&s);
	tu_assert_i64(prof_total(p, 1), 70000000);
	tu_check_invariants(p);
	assert_int_equal(tree_build(p, &t), 0);
	tu_assert_i64(tree_self(t, 0, 1), 40000000);
	tree_free(t);
	prof_free(p);

	/* locations without lines are named after their mapping, or <unknown> */
	synth_init(&s);
	s.l[0].n_line = 0;
	s.l[1].n_line = 0;
	s.l[1].mapping_id = 0;
	p = synth_decode(&s);
	assert_true(tu_has_function(p, "[app]"));
	assert_true(tu_has_function(p, "<unknown>"));
	tu_check_invariants(p);
	prof_free(p);

	/* an empty name takes the system name, as pprof's demangling at load does (it showed
	 * as the mapping's, merged with every other nameless function); without one too, the
	 * mapping's file */
	synth_init(&s);
	s.f[1].system_name = s.f[1].name;
	s.f[1].name = 0;
	s.f[0].name = 0;
	p = synth_decode(&s);
	assert_true(tu_has_function(p, "main.work"));
	assert_true(tu_has_function(p, "[app]"));
	assert_false(tu_has_function(p, "main.main"));
	tu_check_invariants(p);
	prof_free(p);

	/* two lines in one location: main.work inlined into main.main, innermost first */
	synth_init(&s);
	two[0] = &s.ln[1];
	two[1] = &s.ln[0];
	s.l[0].line = two;
	s.l[0].n_line = 2;
	s.s[0].n_location_id = 1;
	s.locs[0][0] = 1;
	p = synth_decode(&s);
	assert_int_equal(tree_build(p, &t), 0);
	assert_int_equal(t->n, 3); /* all → main.main → main.work, for both samples */
	assert_string_equal(tree_name(t, 1), "main.main");
	assert_string_equal(tree_name(t, 2), "main.work");
	tu_assert_i64(tree_self(t, 1, 0), 0);
	tu_assert_i64(tree_self(t, 2, 0), 7);
	tu_assert_i64(tree_total(t, 1, 0), 7);
	tree_free(t);
	prof_free(p);

	/* no default_sample_type: the last type is the default */
	synth_init(&s);
	s.pb.default_sample_type = 0;
	s.st[1].type = S_COUNT;
	p = synth_decode(&s);
	assert_int_equal(p->default_type, 1);
	prof_free(p);

	/* default_sample_type naming samples picks the first type */
	synth_init(&s);
	s.pb.default_sample_type = S_SAMPLES;
	p = synth_decode(&s);
	assert_int_equal(p->default_type, 0);
	prof_free(p);
}

/* Hand-made profiles that each break one rule; broken[k] is made by break_rule(k). */
static const struct {
	const char *name, *msg;
} broken[] = {
	{ "zero-samples.pb", "no samples" },
	{ "unknown-location.pb", "unknown location 99" },
	{ "unknown-function.pb", "unknown function 42" },
	{ "function-0.pb", "unknown function 0" },
	{ "mapping-file-string.pb", "mapping file name" },
	{ "string-index.pb", "string 1000" },
	{ "string-index-edge.pb", "string 11" },
	{ "string-negative.pb", "string -1" },
	{ "label-string.pb", "label value" },
	{ "mapping-string.pb", "mapping build id" },
	{ "period-string.pb", "period unit" },
	{ "default-type-string.pb", "default sample type" },
	{ "function-id-0.pb", "reserved id 0" },
	{ "location-id-0.pb", "reserved id 0" },
	{ "mapping-id-0.pb", "reserved id 0" },
	{ "duplicate-function.pb", "duplicate function id 1" },
	{ "duplicate-location.pb", "duplicate location id 1" },
	{ "value-count.pb", "1 values for 2 sample types" },
	{ "no-values.pb", "0 values for 2 sample types" },
	{ "no-strings.pb", "string table" },
	{ "first-string.pb", "string table" },
	{ "no-sample-types.pb", "no sample types" },
};

static void break_rule(struct synth *s, size_t k)
{
	switch (k) {
	case 0: s->pb.n_sample = 0; break;
	case 1: s->locs[0][1] = 99; break;
	case 2: s->ln[1].function_id = 42; break;
	case 3: s->ln[0].function_id = 0; break;
	case 4: s->m.filename = 77; break;
	case 5: s->f[0].name = 1000; break;
	case 6: s->f[1].filename = NSTRS; break;
	case 7: s->st[0].type = -1; break;
	case 8: s->lab.str = INT64_MAX; break;
	case 9: s->m.build_id = 12; break;
	case 10: s->period.unit = 99; break;
	case 11: s->pb.default_sample_type = 50; break;
	case 12: s->f[1].id = 0; break;
	case 13: s->l[1].id = 0; break;
	case 14: s->m.id = 0; break;
	case 15: s->f[1].id = 1; break;
	case 16: s->l[1].id = 1; break;
	case 17: s->s[1].n_value = 1; break;
	case 18: s->s[1].n_value = 0; break;
	case 19: s->pb.n_string_table = 0; break;
	case 20:
		s->strs[0].data = (uint8_t *)"x";
		s->strs[0].len = 1;
		break;
	case 21:
		s->pb.n_sample_type = 0;
		s->s[0].n_value = s->s[1].n_value = 0;
		break;
	default: fail_msg("no rule %zu", k);
	}
}

static void test_synth_broken(void **state)
{
	struct synth s;
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(broken) / sizeof(broken[0]); k++) {
		synth_init(&s);
		break_rule(&s, k);
		synth_fails(&s, broken[k].name, broken[k].msg);
	}
}

/* More than 1024 sample types is refused before anything is allocated per type. */
static void test_synth_too_many_types(void **state)
{
	enum { N = 1100 };
	struct synth s;
	Perftools__Profiles__ValueType **tp = calloc(N, sizeof(*tp));
	int64_t *v = calloc(N, sizeof(*v));
	size_t i;

	(void)state;
	assert_true(tp && v);
	synth_init(&s);
	for (i = 0; i < N; i++)
		tp[i] = &s.st[i % 2];
	s.pb.sample_type = tp;
	s.pb.n_sample_type = N;
	s.s[0].value = s.s[1].value = v;
	s.s[0].n_value = s.s[1].n_value = N;
	synth_fails(&s, "types.pb", "1024");
	assert_int_equal(err_last_code(), ERR_TOOBIG);
	free(tp);
	free(v);
}

/* ---- folded text ---- */

static void test_bad_folded(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "a;b notanumber\n", "line 1: 'notanumber' is not a sample count" },
		{ "a;b\n", "line 1: expected" },
		{ "a;b 3\nmain;work\n", "line 2: expected" },
		{ "a;b 3\n\n# c\nx;y 12x\n", "line 4: '12x' is not a sample count" },
		{ "a;b 99999999999999999999\n", "is not a sample count" },
		{ "a;b 1e3\n", "is not a sample count" },
		{ "a;b 1.5.5\n", "is not a sample count" },
		{ "a;b 0x10\n", "is not a sample count" },
		{ "a;b 5 ;\n", "line 1: ';' is not a sample count" },
		{ ";;; 5\n", "line 1: no frames" },
		{ "  7\n", "line 1: expected" },
		{ "a;b 123456789012345678901234567890123\n", "line 1: expected" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(tu_decode_fails(cases[i].text, strlen(cases[i].text), "f.folded"),
				 ERR_PARSE);
		if (!strstr(err_last(), cases[i].msg))
			fail_msg("'%s': expected '%s' in: %s", cases[i].text, cases[i].msg,
				 err_last());
	}
}

/*
 * Folded text with hostile names (escape sequences, so not "mostly printable") and one
 * bad line is still folded: the error names the line, where it was taken for a pprof
 * protobuf and its framing blamed.
 */
static void test_folded_hostile_bad_line(void **state)
{
	struct buf b = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 20; i++)
		buf_printf(&b, "main;\x1b[31mwork\x1b[0m;\x1b]0;t\x07step%zu %zu\n", i, i + 1);
	buf_puts(&b, "main;\x1b[2Jbroken\n");
	for (i = 0; i < 20; i++)
		buf_printf(&b, "main;\x1b[31mwork\x1b[0m %zu\n", i + 1);
	assert_int_equal(decode_detect((const uint8_t *)b.data, b.len), DECODE_FOLDED);
	assert_int_equal(tu_decode_fails(b.data, b.len, "evil.folded"), ERR_PARSE);
	if (!strstr(err_last(), "line 21: expected"))
		fail_msg("not the folded parser's error: %s", err_last());
	/* a bad first line too */
	buf_reset(&b);
	buf_puts(&b, "\x1b[2J\x1b[2J\x1b[2Jnothing here\n");
	for (i = 0; i < 20; i++)
		buf_printf(&b, "main;\x1b[31mwork\x1b[0m %zu\n", i + 1);
	assert_int_equal(tu_decode_fails(b.data, b.len, "evil.folded"), ERR_PARSE);
	if (!strstr(err_last(), "'evil.folded': line 1: "))
		fail_msg("not the folded parser's error: %s", err_last());
	/* blanks after the counts (which the folded reader ignores) and a fractional count
	 * (which it names): still folded, not "invalid wire type" from the pprof decoder */
	buf_reset(&b);
	for (i = 0; i < 20; i++)
		buf_printf(&b, "main;\x1b[31mwork\x1b[0m %zu \t\r\n", i + 1);
	assert_int_equal(decode_detect((const uint8_t *)b.data, b.len), DECODE_FOLDED);
	buf_puts(&b, "main;\x1b[31mhalf 0.5\n");
	assert_int_equal(decode_detect((const uint8_t *)b.data, b.len), DECODE_FOLDED);
	assert_int_equal(tu_decode_fails(b.data, b.len, "evil.folded"), ERR_PARSE);
	if (!strstr(err_last(), "line 21: '0.5' is a fractional count"))
		fail_msg("not the folded parser's error: %s", err_last());
	buf_release(&b);
}

/* Frames may hold spaces; the count is after the last one; CRLF and tabs are fine. */
static void test_odd_but_valid_folded(void **state)
{
	struct prof *p;

	(void)state;
	p = tu_decode_str("java.lang.Thread.run;Foo$Bar.<init> (inlined) 3\r\n"
			  "\tmain;a b c\t4\n# comment\n\nmain;;x 2\nmain;a 1.0\nmain;neg -5\n");
	assert_int_equal(p->nsamples, 5);
	tu_assert_i64(prof_total(p, 0), 5); /* 3 + 4 + 2 + 1 - 5: "1.0" is whole */
	assert_true(tu_has_function(p, "Foo$Bar.<init> (inlined)"));
	assert_true(tu_has_function(p, "a b c"));
	assert_true(tu_has_function(p, "x")); /* empty frames are skipped */
	tu_check_invariants(p);
	prof_free(p);
}

/*
 * ---- known bugs in src/ (reported; run with --known-bugs, ctest test_malformed_known_bugs
 * is DISABLED until they are fixed — enable it with the fix) ----
 */

/*
 * ingest/folded.c quotes the bad count as it is: control bytes past the 4 KiB text
 * sniffing window (ESC sequences, CR) reach the message and so the user's terminal.
 */
static void test_bug_folded_message_control_bytes(void **state)
{
	struct buf b = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 400; i++)
		buf_puts(&b, "main;work;step 1\n");
	buf_puts(&b, "main;evil 1\x1b[2J\n");
	tu_decode_fails(b.data, b.len, "evil.folded");
	assert_non_null(strstr(err_last(), "line 401"));
	tu_decode_fails("a;b 1\r\r\n", 8, "cr.folded");
	buf_release(&b);
}

/* ingest/folded.c accepts a count with no digits at all ("." or ".5") as 0. */
static void test_bug_count_without_digits(void **state)
{
	(void)state;
	tu_decode_fails("a;b .\n", 6, "dot.folded");
	tu_decode_fails("a;b .5\n", 7, "dot5.folded");
}

/*
 * Values whose sum does not fit in int64: prof_total() (profile/prof.c) and the tree sums
 * (profile/tree.c) overflow a signed integer — undefined behaviour that UBSan aborts on.
 * Two lines of folded text are enough.  The decoder should refuse such input.
 */
static void test_bug_sum_overflow(void **state)
{
	int rc;

	(void)state;
	rc = tu_decode_fails("a 9223372036854775807\nb 1\n", 26, "overflow.folded");
	assert_true(rc == ERR_TOOBIG || rc == ERR_PARSE);
}

/*
 * ingest/inflate.c sizes its first output buffer from ISIZE, the last 4 bytes of the
 * input, trusted up to the 2 GiB inflate limit; buf_grow() then doubles to 4 GiB.  So a
 * 20-byte gzip file (or any truncated one) reserves 4 GiB before a byte is inflated.
 * Shown here with a 1 GiB address-space limit: the answer must be "corrupt gzip data"
 * (ERR_PARSE), not ERR_NOMEM.  (ASan needs the address space, so it is skipped there.)
 */
static void test_bug_gzip_isize_allocation(void **state)
{
	static const char isize[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" /* header */
				    "\x03\x00"                                      /* empty */
				    "\x00\x00\x00\x00\xff\xff\xff\xff"; /* CRC, ISIZE 4 GiB-1 */
	struct rlimit old, lim;
	struct prof *p = NULL;
	int rc;

	(void)state;
#if TU_ASAN
	skip();
#endif
	assert_int_equal(getrlimit(RLIMIT_AS, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)1 << 30;
	if (old.rlim_max != RLIM_INFINITY && old.rlim_max < lim.rlim_cur)
		skip();
	assert_int_equal(setrlimit(RLIMIT_AS, &lim), 0);
	rc = decode_profile((const uint8_t *)isize, sizeof(isize) - 1, "isize.gz", &p);
	assert_int_equal(setrlimit(RLIMIT_AS, &old), 0);
	assert_null(p);
	if (rc != ERR_PARSE)
		fail_msg("expected ERR_PARSE, got %d: %s", rc, err_last());
}

/* profile.proto allows any non-zero uint64 id; the hash map reserves all-ones. */
static void test_bug_id_all_ones(void **state)
{
	struct synth s;
	struct prof *p;

	(void)state;
	synth_init(&s);
	s.l[1].id = s.locs[0][0] = UINT64_MAX;
	p = synth_decode(&s);
	check_synth_numbers(p);
	prof_free(p);
}

/*
 * protobuf-c allocates every sub-message it unpacks: 2 M empty samples, 4 MiB that
 * gzip to 4 KiB, took ~270 MB of memory before the decoder said anything.  The unpack
 * is bounded (PPROF_UNPACK_LIMIT: 32 times the size + 64 MiB) and refused with a reason.
 */
static void test_bug_unpack_unbounded(void **state)
{
	size_t i, n = ((size_t)4 << 20) / 2 - 8;
	struct buf raw = BUF_INIT, gz = BUF_INIT;
	struct prof *p = NULL;
	int rc;

	(void)state;
	for (i = 0; i < n; i++)
		assert_int_equal(buf_add(&raw, "\x12\x00", 2), 0);  /* sample {} */
	tu_gzip(raw.data, raw.len, &gz);
	assert_true(gz.len < 8192);
	rc = decode_profile((const uint8_t *)gz.data, gz.len, "empty-samples.pb.gz", &p);
	assert_null(p);
	if (rc != ERR_TOOBIG || !strstr(err_last(), "needs more than 192 MiB of memory"))
		fail_msg("expected ERR_TOOBIG, got %d: %s", rc, err_last());
	/* real profiles unpack within 16 times their size (no allowance) */
	tu_read_inflated("go/heapwork-heap.pb.gz", &raw);
	rc = pprof_decode_limit((const uint8_t *)raw.data, raw.len, raw.len * 16, NULL, &p);
	assert_int_equal(rc, 0);
	prof_free(p);
	buf_release(&raw);
	buf_release(&gz);
}

/*
 * An evented speedscope profile makes a sample of the whole open stack at every event:
 * 12,000 frames opened one inside the other (0.4 MB of JSON) asked for 144 M stack
 * entries, and the reviewer's 98 KB gzip file made `smolder top` take 3 GB.  The decoder
 * counts every sample's frames against SPEEDSCOPE_MAX_STACK_ENTRIES and says so.
 */
static void test_bug_speedscope_evented_unbounded(void **state)
{
	struct buf b = BUF_INIT;
	struct prof *p = NULL;
	size_t i, depth = 12000;
	char want[96];
	int rc;

	(void)state;
	buf_puts(&b, "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
		 "\"shared\":{\"frames\":[{\"name\":\"f\"}]},\"profiles\":[{\"type\":"
		 "\"evented\",\"name\":\"p\",\"unit\":\"none\",\"events\":[");
	for (i = 0; i < 2 * depth; i++)
		buf_printf(&b, "%s{\"type\":\"%c\",\"frame\":0,\"at\":%zu}", i ? "," : "",
			   i < depth ? 'O' : 'C', i);
	buf_puts(&b, "]}]}");
	rc = decode_profile((const uint8_t *)b.data, b.len, "deep.speedscope.json", &p);
	assert_null(p);
	/* samples of 1, 2, ..., 11584 frames fit; the one event 11585 ends does not */
	snprintf(want, sizeof(want), "profiles[0].events[11585]: more than %zu stack entries",
		 SPEEDSCOPE_MAX_STACK_ENTRIES);
	if (rc != ERR_TOOBIG || !strstr(err_last(), want))
		fail_msg("expected ERR_TOOBIG '%s', got %d: %s", want, rc, err_last());
	buf_release(&b);
}

/*
 * Two pprof messages one after the other (`cat a.pb b.pb`, or two gzip members) unpack as
 * one: the second time_nanos won and the second profile's string indices resolved
 * against the first one's table, so its samples were shown under the first one's names
 * (or, with ids that collide, the error was "duplicate function id 1").  go tool pprof
 * says "concatenated profiles detected", and so must this.
 */
static void test_bug_pprof_concatenated(void **state)
{
	struct synth s;
	struct buf both = BUF_INIT, gz = BUF_INIT, gz2 = BUF_INIT;
	uint8_t *a, *b;
	size_t na, nb;
	int i;

	(void)state;
	synth_init(&s);
	s.pb.time_nanos = 1700000000000000000;
	a = synth_pack(&s, &na);
	/* the second profile's ids do not collide with the first one's, and it has no
	 * sample types of its own (nothing left for the decoder to trip on) */
	s.pb.time_nanos += 1000000000;
	s.pb.n_sample_type = 0;
	s.pb.period_type = NULL;
	s.pb.default_sample_type = 0;
	s.m.id = 2;
	for (i = 0; i < 2; i++) {
		s.f[i].id = s.ln[i].function_id = (uint64_t)i + 3;
		s.l[i].id = (uint64_t)i + 3;
		s.l[i].mapping_id = 2;
	}
	s.locs[0][0] = 4, s.locs[0][1] = 3, s.locs[1][0] = 3;
	b = synth_pack(&s, &nb);
	buf_add(&both, a, na);
	buf_add(&both, b, nb);
	tu_decode_fails(both.data, both.len, "concat.pb");
	if (!strstr(err_last(), "concatenated profiles detected"))
		fail_msg("expected 'concatenated profiles detected', got: %s", err_last());
	/* gzip members are inflated one after the other: the same bytes */
	tu_gzip(a, na, &gz);
	tu_gzip(b, nb, &gz2);
	buf_add(&gz, gz2.data, gz2.len);
	tu_decode_fails(gz.data, gz.len, "concat.pb.gz");
	if (!strstr(err_last(), "concatenated profiles detected"))
		fail_msg("expected 'concatenated profiles detected', got: %s", err_last());
	/* the same profile twice: its ids collide, which is not what went wrong */
	buf_reset(&both);
	buf_add(&both, a, na);
	buf_add(&both, a, na);
	tu_decode_fails(both.data, both.len, "twice.pb");
	if (!strstr(err_last(), "concatenated profiles detected"))
		fail_msg("expected 'concatenated profiles detected', got: %s", err_last());
	free(a);
	free(b);
	buf_release(&both);
	buf_release(&gz);
	buf_release(&gz2);
}

/*
 * A location whose mapping_id no mapping has was refused ("location 1 refers to unknown
 * mapping 7"), but go tool pprof reads such a file: its postDecode leaves the location
 * without a mapping, and CheckValid accepts that.  So does this now.
 */
static void test_bug_unknown_mapping_read_as_pprof(void **state)
{
	struct synth s;
	struct prof *p;
	uint32_t i, unmapped = 0;

	(void)state;
	synth_init(&s);
	s.l[0].mapping_id = 7;
	p = synth_decode(&s);
	check_synth_numbers(p);
	for (i = 0; i < p->nlocations; i++) {
		const struct prof_location *l = &p->locations[i];

		if (l->mapping == PROF_NONE) {
			unmapped++;
			assert_string_equal(prof_str(p, p->functions[p->lines[l->line_off].func].name),
					    "main.main");
		} else {
			assert_string_equal(prof_str(p, p->mappings[l->mapping].file), "/usr/bin/app");
		}
	}
	assert_int_equal(unmapped, 1);
	prof_free(p);
}

/*
 * Blanks after a folded count made the whole file unreadable ("line 1: expected
 * 'frame;frame;... count'"), though blanks before the frames and a CR were trimmed and
 * inferno trims both ends.  They are trimmed now.
 */
static void test_bug_folded_trailing_blanks(void **state)
{
	struct prof *p;

	(void)state;
	p = tu_decode_str("main;a 5 \nmain;b 3\t \nmain;c 2\t\r\n");
	assert_int_equal(p->nsamples, 3);
	tu_assert_i64(prof_total(p, 0), 10);
	assert_true(tu_has_function(p, "a"));
	assert_true(tu_has_function(p, "b"));
	assert_true(tu_has_function(p, "c"));
	tu_check_invariants(p);
	prof_free(p);
}

/*
 * Fractional folded counts were cut to their integer part without a word, so stacks
 * counted 0.5 or 0.9 disappeared ("main;a 0.5 / main;b 0.9 / main;c 1.5" showed only
 * c, a total of 1).  A count with a fraction is refused with its line; one whose
 * fraction is zeros ("12.", "12.00") is the whole number it says.
 */
static void test_bug_folded_fractional_counts(void **state)
{
	struct prof *p;
	static const char frac[] = "main;a 2\nmain;b 0.5\nmain;c 1.5\n";

	(void)state;
	assert_int_equal(tu_decode_fails(frac, strlen(frac), "frac.folded"), ERR_PARSE);
	if (!strstr(err_last(), "'frac.folded': line 2: '0.5' is a fractional count"))
		fail_msg("expected line 2's fraction to be refused, got: %s", err_last());
	assert_int_equal(tu_decode_fails("main;a 7.0001\n", 14, "frac.folded"), ERR_PARSE);
	if (!strstr(err_last(), "line 1: '7.0001' is a fractional count"))
		fail_msg("expected line 1's fraction to be refused, got: %s", err_last());
	p = tu_decode_str("main;a 12.\nmain;b 3.00\n");
	tu_assert_i64(prof_total(p, 0), 15);
	prof_free(p);
}

/*
 * Files smolder does not read got the error of whichever parser detection fell back to:
 * a JFR recording (Pyroscope's Java data) "invalid wire type 6 at byte 0", JSON that
 * is neither speedscope nor a flame graph a folded line error, a multipart upload saved
 * to a file "invalid wire type 4 at byte 10".  Each is named now, in one line.
 */
static void test_bug_unread_formats(void **state)
{
	static const char *const jfr[] = {
		"pyroscope/grafana-pyroscope/pkg/og/convert/jfr/testdata/dump1.jfr.gz",
		"pyroscope/grafana-pyroscope-og-743df17/og/pkg/server/testdata/jfr/no_labels/jfr.bin.gz",
	};
	static const char *const json[] = {
		"pyroscope/grafana-pyroscope/pkg/og/convert/jfr/testdata/dump1.json.gz",
		"pyroscope/grafana-pyroscope/pkg/og/convert/pprof/testdata/req_2.st.json",
		"pyroscope/grafana-pyroscope/ui/e2e/fixtures/flamegraph.json",
		"pyroscope-nodejs/req-001-wall.json",
	};
	static const char *const bodies[] = {
		"pyroscope-nodejs/legacy-0.4.13-multipart/req-001-heap.body",
		"pyroscope-nodejs/legacy-0.4.13-multipart/req-002-wall.body",
	};
	static const char *const inline_json[] = {
		"{\"not\":\"a profile\"}", "{}", " \n{\n  \"a\": 1\n}\n",
		"\xef\xbb\xbf{\"flamebearer\": []}",
	};
	static const char text_body[] = "--XyZ\r\ncontent-disposition: form-data; "
					"name=\"profile\"\r\n\r\nmain;a 1\r\n--XyZ--\r\n";
	static const char cut[] = "{\"$schema\":\"https://www.speedscope.app/file-format-"
				  "schema.json\",\"shared\":{";
	struct buf b = BUF_INIT;
	struct prof *p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(jfr) / sizeof(jfr[0]); i++) {
		tu_read(jfr[i], &b);
		assert_int_equal(tu_decode_fails(b.data, b.len, jfr[i]), ERR_UNSUPPORTED);
		tu_assert_message(err_last());
		if (!strstr(err_last(), "': JFR (Java Flight Recorder) recordings are not read; "
			    "convert to pprof"))
			fail_msg("%s: %s", jfr[i], err_last());
	}
	assert_int_equal(tu_decode_fails("FLR\0\0\2", 6, "cut.jfr"), ERR_UNSUPPORTED);
	assert_non_null(strstr(err_last(), "JFR (Java Flight Recorder)"));
	for (i = 0; i < sizeof(json) / sizeof(json[0]); i++) {
		tu_read(json[i], &b);
		assert_int_equal(tu_decode_fails(b.data, b.len, json[i]), ERR_UNSUPPORTED);
		tu_assert_message(err_last());
		if (!strstr(err_last(), "': JSON that is neither speedscope nor Pyroscope flame "
			    "graph JSON"))
			fail_msg("%s: %s", json[i], err_last());
	}
	for (i = 0; i < sizeof(inline_json) / sizeof(inline_json[0]); i++) {
		assert_int_equal(tu_decode_fails(inline_json[i], strlen(inline_json[i]), "x.json"),
				 ERR_UNSUPPORTED);
		assert_non_null(strstr(err_last(), "neither speedscope nor Pyroscope flame graph"));
	}
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		tu_read(bodies[i], &b);
		assert_int_equal(tu_decode_fails(b.data, b.len, bodies[i]), ERR_UNSUPPORTED);
		tu_assert_message(err_last());
		if (!strstr(err_last(), "': a multipart/form-data body"))
			fail_msg("%s: %s", bodies[i], err_last());
	}
	assert_int_equal(tu_decode_fails(text_body, strlen(text_body), "t.body"), ERR_UNSUPPORTED);
	assert_non_null(strstr(err_last(), "a multipart/form-data body"));
	/* what is read stays read: folded text that starts with '{' or '--', or a speedscope
	 * file cut short, whose own error says where it breaks */
	p = tu_decode_str("{\"a\"};main 3\n{lambda}::run;main 2\n");
	tu_assert_i64(prof_total(p, 0), 5);
	prof_free(p);
	p = tu_decode_str("--help;main 3\n");
	tu_assert_i64(prof_total(p, 0), 3);
	prof_free(p);
	assert_int_equal(tu_decode_fails(cut, strlen(cut), "cut.json"), ERR_PARSE);
	assert_non_null(strstr(err_last(), "speedscope"));
	buf_release(&b);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_truncated_raw),
		cmocka_unit_test(test_truncated_gzip),
		cmocka_unit_test(test_truncated_folded),
		cmocka_unit_test(test_bitflips_raw),
		cmocka_unit_test(test_bitflips_gzip),
		cmocka_unit_test(test_bitflips_zstd),
		cmocka_unit_test(test_lying_lengths),
		cmocka_unit_test(test_bad_wire),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_inflate_limit),
		cmocka_unit_test(test_inflate_limit_members),
		cmocka_unit_test(test_synth_valid),
		cmocka_unit_test(test_synth_unusual),
		cmocka_unit_test(test_synth_broken),
		cmocka_unit_test(test_synth_too_many_types),
		cmocka_unit_test(test_bad_folded),
		cmocka_unit_test(test_odd_but_valid_folded),
		cmocka_unit_test(test_folded_hostile_bad_line),
		/* regressions: bugs found by review and fuzzing, fixed with these tests */
		cmocka_unit_test(test_bug_folded_message_control_bytes),
		cmocka_unit_test(test_bug_count_without_digits),
		cmocka_unit_test(test_bug_sum_overflow),
		cmocka_unit_test(test_bug_id_all_ones),
		cmocka_unit_test(test_bug_gzip_isize_allocation),
		cmocka_unit_test(test_bug_unpack_unbounded),
		cmocka_unit_test(test_bug_speedscope_evented_unbounded),
		cmocka_unit_test(test_bug_pprof_concatenated),
		cmocka_unit_test(test_bug_unknown_mapping_read_as_pprof),
		cmocka_unit_test(test_bug_folded_trailing_blanks),
		cmocka_unit_test(test_bug_folded_fractional_counts),
		cmocka_unit_test(test_bug_unread_formats),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("malformed", tests, NULL, NULL) ? 1 : 0;
}
