/* testutil.c — fixtures, decoding helpers and profile invariants for the unit tests. */
#include "testutil.h"

#include <ftw.h>
#include <libdeflate.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "ingest/decode.h"

#ifndef SMOLDER_TESTDATA
#error "SMOLDER_TESTDATA must name the shared fixture directory"
#endif

static const char *testdata = SMOLDER_TESTDATA;
bool tu_strict_messages = true;

void tu_init(int argc, char **argv)
{
	if (argc > 1 && argv[1][0])
		testdata = argv[1];
	/* widths (wcwidth) need a UTF-8 locale; C.UTF-8 is always there on glibc */
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "");
}

const char *tu_path(const char *rel)
{
	static char bufs[4][4096];
	static unsigned next;
	char *b = bufs[next++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/%s", testdata, rel);
	return b;
}

void tu_read(const char *rel, struct buf *out)
{
	const char *path = tu_path(rel);

	buf_reset(out);
	if (buf_read_file(out, path, DECODE_MAX_INPUT))
		fail_msg("cannot read fixture %s: %s", path, err_last());
}

void tu_read_inflated(const char *rel, struct buf *out)
{
	struct buf raw = BUF_INIT;

	tu_read(rel, &raw);
	buf_reset(out);
	if (decode_inflate((const uint8_t *)raw.data, raw.len, DECODE_MAX_INFLATED, out)) {
		buf_release(&raw);
		fail_msg("cannot inflate %s: %s", rel, err_last());
	}
	buf_release(&raw);
}

struct prof *tu_decode_bytes(const void *data, size_t len, const char *name)
{
	struct prof *p = NULL;
	int rc = decode_profile(data, len, name, &p);

	if (rc)
		fail_msg("decoding %s failed (%d): %s", name, rc, err_last());
	assert_non_null(p);
	return p;
}

struct prof *tu_decode(const char *rel)
{
	struct buf b = BUF_INIT;
	struct prof *p;

	tu_read(rel, &b);
	p = tu_decode_bytes(b.data, b.len, rel);
	buf_release(&b);
	return p;
}

struct prof *tu_decode_str(const char *text)
{
	return tu_decode_bytes(text, strlen(text), "<string>");
}

void tu_assert_message(const char *msg)
{
	const unsigned char *s = (const unsigned char *)msg;

	assert_non_null(msg);
	if (!*s)
		fail_msg("%s", "the error message is empty");
	for (; *s; s++) {
		if (*s == '\n')
			fail_msg("the error message spans lines: '%s'", msg);
		if (tu_strict_messages && (*s < 0x20 || *s == 0x7f))
			fail_msg("the error message has control byte 0x%02x at %td: '%s'", *s,
				 (const char *)s - msg, msg);
	}
	if (strcmp(msg, "unknown error") == 0)
		fail_msg("%s", "the error message was never set");
}

/* Decodes; a failure must have a negative code, the message and no profile. */
static int decode_checked(const void *data, size_t len, const char *name, struct prof **p)
{
	int rc;

	err_clear();
	rc = decode_profile(data, len, name, p);
	if (rc == 0) {
		assert_non_null(*p);
		return 0;
	}
	if (rc > 0)
		fail_msg("decoding %s returned %d, not a negative ERR_* code", name, rc);
	assert_null(*p);
	assert_int_equal(err_last_code(), rc);
	tu_assert_message(err_last());
	return rc;
}

int tu_decode_fails(const void *data, size_t len, const char *name)
{
	struct prof *p = NULL;
	int rc = decode_checked(data, len, name, &p);

	if (rc == 0) {
		prof_free(p);
		fail_msg("decoding %s succeeded but must fail", name);
	}
	/* decode.h: errors start with the name */
	if (strncmp(err_last(), "'", 1) != 0 || strncmp(err_last() + 1, name, strlen(name)) != 0)
		fail_msg("the message does not start with '%s': %s", name, err_last());
	return rc;
}

int tu_decode_any(const void *data, size_t len, const char *name)
{
	struct prof *p = NULL;
	int rc = decode_checked(data, len, name, &p);

	if (rc == 0) {
		tu_check_invariants(p);
		prof_free(p);
	}
	return rc;
}

static void check_model(const struct prof *p)
{
	uint32_t i, j;

	assert_true(p->nstrs >= 1);
	assert_int_equal(p->str_lens[0], 0);
	assert_true(p->ntypes >= 1);
	assert_true(p->default_type < p->ntypes);
	assert_true(p->nsamples >= 1);
	for (i = 0; i < p->nstrs; i++)
		assert_non_null(p->strs[i]);
	for (i = 0; i < p->ntypes; i++) {
		assert_true(p->sample_types[i].type < p->nstrs);
		assert_true(p->sample_types[i].unit < p->nstrs);
	}
	for (i = 0; i < p->nmappings; i++)
		assert_true(p->mappings[i].file < p->nstrs && p->mappings[i].build_id < p->nstrs);
	for (i = 0; i < p->nfunctions; i++) {
		assert_true(p->functions[i].name < p->nstrs);
		assert_true(p->functions[i].system_name < p->nstrs);
		assert_true(p->functions[i].file < p->nstrs);
	}
	for (i = 0; i < p->nlocations; i++) {
		const struct prof_location *l = &p->locations[i];

		assert_true(l->mapping == PROF_NONE || l->mapping < p->nmappings);
		assert_true(l->nlines >= 1);
		assert_true((uint64_t)l->line_off + l->nlines <= p->nlines);
		for (j = 0; j < l->nlines; j++)
			assert_true(p->lines[l->line_off + j].func < p->nfunctions);
	}
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];

		assert_true((uint64_t)s->loc_off + s->nlocs <= p->nsample_locs);
		assert_true((uint64_t)s->label_off + s->nlabels <= p->nlabels);
		for (j = 0; j < s->nlocs; j++)
			assert_true(p->sample_locs[s->loc_off + j] < p->nlocations);
		for (j = 0; j < s->nlabels; j++) {
			const struct prof_label *l = &p->labels[s->label_off + j];

			assert_true(l->key < p->nstrs && l->str < p->nstrs && l->num_unit < p->nstrs);
		}
	}
}

/* Sums wrap (unsigned) so that hostile values cannot make the test itself undefined. */
static uint64_t wsum_samples(const struct prof *p, uint32_t type)
{
	uint64_t s = 0;
	uint32_t i;

	for (i = 0; i < p->nsamples; i++)
		s += (uint64_t)prof_value(p, i, type);
	return s;
}

static void check_tree(const struct prof *p, const struct tree *t)
{
	uint32_t i, k, ty;

	assert_true(t->n >= 1);
	assert_int_equal(t->size[0], t->n);
	assert_int_equal(t->depth[0], 0);
	for (i = 1; i < t->n; i++) {
		assert_true(t->parent[i] < i);
		assert_int_equal(t->depth[i], t->depth[t->parent[i]] + 1);
		assert_true(t->depth[i] <= t->max_depth);
		assert_true(tree_is_ancestor(t, t->parent[i], i));
	}
	for (i = 0; i < t->n; i++) {
		uint32_t next = i + 1, prev = PROF_NONE, nk = 0;

		for (k = tree_first_kid(t, i); k != PROF_NONE; k = tree_next_kid(t, i, k)) {
			/* kids in preorder, contiguous subtrees, sorted by name */
			assert_int_equal(k, next);
			assert_int_equal(t->parent[k], i);
			next += t->size[k];
			nk++;
			if (prev != PROF_NONE)
				/* <= : names with NUL bytes may compare equal */
				assert_true(strcmp(tree_name(t, prev), tree_name(t, k)) <= 0);
			prev = k;
		}
		assert_int_equal(next, i + t->size[i]);
		assert_int_equal(nk, tree_nkids(t, i));
		for (ty = 0; ty < t->ntypes; ty++) {
			uint64_t sum = (uint64_t)tree_self(t, i, ty);

			for (k = tree_first_kid(t, i); k != PROF_NONE; k = tree_next_kid(t, i, k))
				sum += (uint64_t)tree_total(t, k, ty);
			assert_true(sum == (uint64_t)tree_total(t, i, ty));
		}
	}
	for (ty = 0; ty < p->ntypes; ty++)
		assert_true((uint64_t)tree_total(t, 0, ty) == wsum_samples(p, ty));
}

void tu_check_invariants(const struct prof *p)
{
	struct tree *t = NULL;
	struct top *fromtree;
	uint32_t ty, r;

	check_model(p);
	if (tree_build(p, &t))
		fail_msg("tree_build failed: %s", err_last());
	check_tree(p, t);
	fromtree = calloc(p->ntypes, sizeof(*fromtree));
	assert_non_null(fromtree);
	if (top_from_tree(t, fromtree))
		fail_msg("top_from_tree failed: %s", err_last());
	for (ty = 0; ty < p->ntypes; ty++) {
		struct top top;
		uint64_t flat = 0;

		if (top_compute(p, ty, &top)) {
			tree_free(t);
			fail_msg("top_compute failed: %s", err_last());
		}
		/* samples without locations leave their value on the root */
		flat = (uint64_t)tree_self(t, 0, ty);
		for (r = 0; r < top.n; r++)
			flat += (uint64_t)top.rows[r].flat;
		assert_true(flat == (uint64_t)top.total);
		assert_true((uint64_t)top.total == wsum_samples(p, ty));
		top_sort(&top, p, TOP_SORT_FLAT, false);
		/* the explorer's table (read off the tree) is the CLI's (from the samples) */
		top_sort(&fromtree[ty], p, TOP_SORT_FLAT, false);
		assert_int_equal(fromtree[ty].n, top.n);
		assert_true(fromtree[ty].total == top.total);
		for (r = 0; r < top.n; r++) {
			assert_int_equal(fromtree[ty].rows[r].name, top.rows[r].name);
			assert_true(fromtree[ty].rows[r].flat == top.rows[r].flat);
			assert_true(fromtree[ty].rows[r].cum == top.rows[r].cum);
		}
		top_release(&top);
		top_release(&fromtree[ty]);
	}
	free(fromtree);
	tree_free(t);
}

const char *tu_types(const struct prof *p)
{
	static char s[1024];
	size_t n = 0;
	uint32_t i;

	s[0] = '\0';
	for (i = 0; i < p->ntypes && n < sizeof(s); i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%s%s/%s", i ? " " : "",
				      prof_str(p, p->sample_types[i].type),
				      prof_str(p, p->sample_types[i].unit));
	return s;
}

int tu_type(const struct prof *p, const char *name)
{
	int i = prof_find_type(p, name);

	if (i < 0)
		fail_msg("no sample type '%s' in [%s]", name, tu_types(p));
	return i;
}

bool tu_has_function(const struct prof *p, const char *name)
{
	uint32_t i;

	for (i = 0; i < p->nfunctions; i++)
		if (strcmp(prof_str(p, p->functions[i].name), name) == 0)
			return true;
	return false;
}

void tu_top(const struct prof *p, const char *type, struct tree **tree, struct top *top)
{
	int ty = tu_type(p, type);

	if (tree_build(p, tree))
		fail_msg("tree_build failed: %s", err_last());
	if (top_compute(p, (uint32_t)ty, top))
		fail_msg("top_compute failed: %s", err_last());
	top_sort(top, p, TOP_SORT_FLAT, false);
}

const struct top_row *tu_top_row(const struct top *top, const struct prof *p,
				 const char *name)
{
	uint32_t i;

	for (i = 0; i < top->n; i++)
		if (strcmp(prof_str(p, top->rows[i].name), name) == 0)
			return &top->rows[i];
	return NULL;
}

void tu_assert_same_top(const struct prof *a, uint32_t ta, const struct prof *b, uint32_t tb,
			const char *what)
{
	struct top x = { 0 }, y = { 0 };
	uint32_t i;

	if (top_compute(a, ta, &x) || top_compute(b, tb, &y))
		fail_msg("%s: top_compute: %s", what, err_last());
	top_sort(&x, a, TOP_SORT_FLAT, false);
	top_sort(&y, b, TOP_SORT_FLAT, false);
	if (x.total != y.total || x.n != y.n)
		fail_msg("%s: total %lld in %u rows, merged %lld in %u rows", what, (long long)x.total,
			 x.n, (long long)y.total, y.n);
	for (i = 0; i < x.n; i++)
		if (strcmp(prof_str(a, x.rows[i].name), prof_str(b, y.rows[i].name)) ||
		    x.rows[i].flat != y.rows[i].flat || x.rows[i].cum != y.rows[i].cum)
			fail_msg("%s: row %u: %s %lld %lld, merged %s %lld %lld", what, i,
				 prof_str(a, x.rows[i].name), (long long)x.rows[i].flat,
				 (long long)x.rows[i].cum, prof_str(b, y.rows[i].name),
				 (long long)y.rows[i].flat, (long long)y.rows[i].cum);
	top_release(&x);
	top_release(&y);
}

void tu_gzip(const void *data, size_t n, struct buf *out)
{
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
	size_t cap = libdeflate_gzip_compress_bound(c, n), got;

	buf_reset(out);
	assert_int_equal(buf_grow(out, cap), 0);
	got = libdeflate_gzip_compress(c, data, n, out->data, cap);
	assert_true(got > 0);
	out->len = got;
	out->data[got] = '\0';
	libdeflate_free_compressor(c);
}

void tu_base64(struct buf *out, const void *data, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 2 < n; i += 3)
		buf_printf(out, "%c%c%c%c", t[p[i] >> 2], t[(p[i] & 3) << 4 | p[i + 1] >> 4],
			   t[(p[i + 1] & 15) << 2 | p[i + 2] >> 6], t[p[i + 2] & 63]);
	if (n - i == 1)
		buf_printf(out, "%c%c==", t[p[i] >> 2], t[(p[i] & 3) << 4]);
	else if (n - i == 2)
		buf_printf(out, "%c%c%c=", t[p[i] >> 2], t[(p[i] & 3) << 4 | p[i + 1] >> 4],
			   t[(p[i + 1] & 15) << 2]);
}

static char tu_tmpdir[256];

int tu_tmp_create(const char *what)
{
	snprintf(tu_tmpdir, sizeof(tu_tmpdir), "/tmp/smolder-test-%s-XXXXXX", what);
	return mkdtemp(tu_tmpdir) ? 0 : -1;
}

const char *tu_tmp_path(const char *name)
{
	static char buf[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", tu_tmpdir, name);
	return buf[k];
}

static int tu_rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

void tu_tmp_remove(void)
{
	if (tu_tmpdir[0])
		nftw(tu_tmpdir, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
