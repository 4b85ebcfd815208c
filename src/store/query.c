/*
 * query.c — the backend (backend.h) over a store: which series a selector picks, the
 * timeline and the merged profile; the lists (profile types, label names and values,
 * series) are in query_lists.c.
 *
 * Selection: a matcher whose label the series has is decided once per series; the
 * others are sample-label matchers.  Before any profile is read, a sample-label
 * matcher that no indexed value of the series (sample_labels) satisfies, and that ""
 * does not satisfy either, drops the series — exact, because the index holds every
 * value of names that are not high-cardinality.  Then each profile blob's label sets
 * are tested and only entries of matching sets are added.
 *
 * Merging: per series, values are summed by (stack, label set); a gauge (or AGG_AVG)
 * is then divided by the number of profiles the series had in the range (rounded to
 * the nearest integer); series are added; the stacks are walked up the trie into a
 * struct prof made through one builder, which also receives each scope's symbols.
 *
 * Timelines: the same per step (so a step agrees with the merge of it), but
 * AGG_AVG_POOLED, the query API's explicit average, is Pyroscope's: a group's step is the
 * mean of all the group's profiles in it, the series' values added first.
 *
 * Every scan polls the backend's cancel flag per series (and per row read), lists too.
 */
#include "store_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/strmap.h"
#include "base/timeparse.h"
#include "base/vec.h"
#include "profile/builder.h"
#include "profile/flamebearer.h"

#define TIMELINE_MAX_STEPS 1000000

void query_cands_release(struct cands *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].ptype);
		labelset_free(&c->v[i].labels);
		free(c->v[i].hc);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static bool cand_is_hc(const struct cand *c, const char *name, size_t len)
{
	const char *p = c->hc, *end = c->hc + c->hclen;

	if (store_label_is_hc(name, len))
		return true;
	while (p && p < end) {
		size_t n = strlen(p);

		if (n == len && memcmp(p, name, len) == 0)
			return true;
		p += n + 1;
	}
	return false;
}

int query_check_cancel(const struct sbackend *sb)
{
	if (sb->base.cancel && *sb->base.cancel)
		return err_set(ERR_CANCELLED, "cancelled");
	return 0;
}

void query_range_bounds(struct time_range r, int64_t *from, int64_t *to)
{
	*from = r.from_ns;
	*to = r.to_ns;
	if (r.from_ns == 0 && r.to_ns == 0) {
		*from = INT64_MIN;
		*to = INT64_MAX;
	}
}

/*
 * Whether a sample-label matcher could hold in series c, by the sample-label index.  A
 * value its regex cannot tell fails the query (matcher_test), never counts as a "no".
 */
static int sample_matcher_possible(struct store *s, const struct cand *c, const struct matcher *m,
				   bool *out)
{
	sqlite3_stmt *st;
	int rc, hit;

	*out = true;
	if ((hit = matcher_test(m, "", 0)) < 0)
		return hit;
	if (hit || cand_is_hc(c, m->name, strlen(m->name)))
		return 0;
	rc = sqlite3_prepare_v2(s->db, "SELECT value FROM sample_labels WHERE series=?1 AND name=?2",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "reading sample labels");
	sqlite3_bind_int64(st, 1, c->id);
	sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
	*out = false;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v;

		if ((hit = store_col_text(s, st, 0, "series", c->id, "sample label value", &v)) ||
		    (hit = matcher_test(m, v, (size_t)sqlite3_column_bytes(st, 0))) < 0) {
			sqlite3_finalize(st);
			return hit;
		}
		if (hit) {
			*out = true;
			break;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, "reading sample labels");
}

/*
 * The series of the tenant (of profile type ptype when not NULL) with a profile in the
 * range that the selector may select.  Call inside store_read_begin/end.
 */
int query_resolve(struct sbackend *sb, const struct selector *sel, const char *ptype,
		  struct time_range r, struct cands *out)
{
	struct store *s = sb->s;
	const struct matcher *svc = selector_find(sel, "service_name");
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st = NULL;
	int64_t from, to;
	size_t i;
	int rc;

	query_range_bounds(r, &from, &to);
	if (svc && svc->op != MATCH_EQ)
		svc = NULL;
	rc = buf_puts(&sql, svc ? "SELECT s.id, s.scope, s.profile_type, s.key, s.hc_names FROM "
				  "series_labels l JOIN series s ON s.id=l.series WHERE "
				  "l.name='service_name' AND l.value=?1 AND s.tenant=?2" :
				  "SELECT s.id, s.scope, s.profile_type, s.key, s.hc_names FROM series s "
				  "WHERE s.tenant=?2");
	if (!rc && ptype)
		rc = buf_puts(&sql, " AND s.profile_type=?3");
	if (!rc)
		rc = buf_puts(&sql, " AND EXISTS(SELECT 1 FROM profiles p WHERE p.series=s.id AND "
				    "p.time_ns>=?4 AND p.time_ns<?5) ORDER BY s.scope, s.id");
	if (rc)
		goto done;
	if ((rc = sqlite3_prepare_v2(s->db, sql.data, -1, &st, NULL)) != SQLITE_OK) {
		rc = store_sql_err(s, rc, "selecting series");
		goto done;
	}
	if (svc)
		sqlite3_bind_text(st, 1, svc->value, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sb->tenant, -1, SQLITE_STATIC);
	if (ptype)  /* a sixth ":delta" field is Pyroscope's, and ignored as there */
		sqlite3_bind_text(st, 3, ptype, (int)profile_type_id_len(ptype), SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, from);
	sqlite3_bind_int64(st, 5, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = sqlite3_column_blob(st, 3);
		size_t klen = (size_t)sqlite3_column_bytes(st, 3);
		const char *z = key ? memchr(key, '\0', klen) : NULL, *pt;
		struct cand c = { 0 };
		int keep = 1;  /* matcher_test's answer: 1, 0 or its error */

		/* every list's scan: a tenant may hold many series */
		if ((rc = query_check_cancel(sb)))
			goto done;
		if (!z) {
			rc = err_set(ERR_CORRUPT, "store '%s' is corrupt: series %lld has no key", s->path,
				     (long long)sqlite3_column_int64(st, 0));
			goto done;
		}
		c.id = sqlite3_column_int64(st, 0);
		c.scope = sqlite3_column_int64(st, 1);
		c.hclen = (size_t)sqlite3_column_bytes(st, 4);
		if ((rc = store_col_text(s, st, 2, "series", c.id, "profile_type", &pt)))
			goto done;
		if (!(c.ptype = strdup(pt)) || !(c.hc = malloc(c.hclen + 1))) {
			free(c.ptype);
			rc = err_set(ERR_NOMEM, "out of memory");
			goto done;
		}
		if (c.hclen)
			memcpy(c.hc, sqlite3_column_blob(st, 4), c.hclen);
		c.hc[c.hclen] = '\0';
		if ((rc = store_series_labels(z + 1, klen - (size_t)(z + 1 - key), &c.labels)) ||
		    (rc = vec_reserve(&out->v, &out->cap, out->n + 1))) {
			free(c.ptype);
			free(c.hc);
			labelset_free(&c.labels);
			goto done;
		}
		for (i = 0; sel && i < sel->n && keep > 0; i++) {
			const char *v = labelset_get(&c.labels, sel->m[i].name);

			if (v)
				keep = matcher_test(&sel->m[i], v, strlen(v));
		}
		out->v[out->n++] = c;
		if (keep <= 0) {
			out->n--;
			free(c.ptype);
			free(c.hc);
			labelset_free(&c.labels);
		}
		if (keep < 0) {
			rc = keep;
			goto done;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = store_sql_err(s, rc, "selecting series");
		goto done;
	}
	rc = 0;
	sqlite3_finalize(st);
	st = NULL;
	/* sample-label matchers, against the index */
	for (i = 0; i < out->n; i++) {
		struct cand *c = &out->v[i];
		size_t k;
		bool ok = true;

		if ((rc = query_check_cancel(sb)))
			goto done;
		for (k = 0; sel && k < sel->n && ok; k++)
			if (!labelset_get(&c->labels, sel->m[k].name) &&
			    (rc = sample_matcher_possible(s, c, &sel->m[k], &ok)))
				goto done;
		if (!ok) {
			free(c->ptype);
			free(c->hc);
			labelset_free(&c->labels);
			memmove(c, c + 1, (out->n - i - 1) * sizeof(*c));
			out->n--;
			i--;
		}
	}
done:
	sqlite3_finalize(st);
	buf_release(&sql);
	return rc;
}

/* ---------------------------------------------------------------------------------- */
/* Reading profiles of one series */

/* The label value of `name` in set k of a decoded blob (first string label); NULL if none. */
static const struct blob_label *set_label(const struct blob *b, uint32_t k, const char *name,
					  size_t nlen)
{
	const struct blob_set *set = &b->sets[k];
	uint32_t i;

	for (i = 0; i < set->n; i++) {
		const struct blob_label *l = &b->labels[set->off + i];

		/* a string label (numeric ones have no string and are not selectable) */
		if (l->klen == nlen && memcmp(l->key, name, nlen) == 0 &&
		    (l->slen || (l->num == 0 && !l->ulen)))
			return l;
	}
	return NULL;
}

/*
 * Whether set k satisfies every sample-level matcher of the selector for series c: 1, 0,
 * or the error of a regex that cannot tell (matcher_test).
 */
static int set_matches(const struct blob *b, uint32_t k, const struct selector *sel,
		       const struct cand *c)
{
	size_t i;
	int rc;

	for (i = 0; sel && i < sel->n; i++) {
		const struct matcher *m = &sel->m[i];
		const struct blob_label *l;

		if (labelset_get(&c->labels, m->name))
			continue;  /* decided for the series */
		l = set_label(b, k, m->name, strlen(m->name));
		if ((rc = matcher_test(m, l ? l->str : "", l ? l->slen : 0)) <= 0)
			return rc;
	}
	return 1;
}

static bool needs_sample_level(const struct selector *sel, const struct cand *c)
{
	size_t i;

	for (i = 0; sel && i < sel->n; i++)
		if (!labelset_get(&c->labels, sel->m[i].name))
			return true;
	return false;
}

/* Calls fn for every profile row of series c in the range (blob decoded when asked). */
struct rowinfo {
	int64_t time_ns, duration_ns, nprof, total;
	const struct blob *blob;  /* NULL when not decoded */
};

static int each_profile(struct sbackend *sb, const struct cand *c, int64_t from, int64_t to,
			bool decode, size_t nstacks, struct blob *blob,
			int (*fn)(void *ctx, const struct rowinfo *ri), void *ctx)
{
	struct store *s = sb->s;
	const char *sql;
	sqlite3_stmt *st;
	int rc;

	if (!decode)
		sql = "SELECT time_ns, duration_ns, nprof, total FROM profiles "
		      "WHERE series=?1 AND time_ns>=?2 AND time_ns<?3 ORDER BY time_ns";
	else if (s->version < 2)  /* a version-1 file, read-only: no shared label sets yet */
		sql = "SELECT time_ns, duration_ns, nprof, total, data, NULL FROM profiles "
		      "WHERE series=?1 AND time_ns>=?2 AND time_ns<?3 ORDER BY time_ns";
	else
		sql = "SELECT p.time_ns, p.duration_ns, p.nprof, p.total, p.data, l.data FROM profiles p "
		      "LEFT JOIN labelsets l ON l.id=p.sets "
		      "WHERE p.series=?1 AND p.time_ns>=?2 AND p.time_ns<?3 ORDER BY p.time_ns";
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "reading profiles");
	sqlite3_bind_int64(st, 1, c->id);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rowinfo ri = { sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
				      sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3), NULL };

		if ((rc = query_check_cancel(sb)))
			break;
		if (ri.nprof < 1)
			ri.nprof = 1;
		if (decode) {
			if ((rc = blob_decode_max(s->dctx, sqlite3_column_blob(st, 4),
						  (size_t)sqlite3_column_bytes(st, 4),
						  sqlite3_column_blob(st, 5),
						  (size_t)sqlite3_column_bytes(st, 5), nstacks, blob))) {
				err_prefix(rc, "store '%s'", s->path);
				break;
			}
			ri.blob = blob;
		}
		if ((rc = fn(ctx, &ri)))
			break;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	return rc < 0 ? rc : store_sql_err(s, rc, "reading profiles");
}

/* ---------------------------------------------------------------------------------- */
/* Merge */

/* Label sets of the merged profile: high-cardinality labels stripped, deduplicated. */
struct gsets {
	struct blob b;  /* only its sets (encodings) are used */
	/* per set: builder labels, made on first use */
	struct prof_label **labels;
	uint32_t *nlabels;
	size_t cap_l, cap_n, made;
};

/* An accumulator of (stack, set) → value, for one scope. */
struct acc {
	struct hmap map;          /* stack << 32 | gset → index */
	uint64_t *keys;
	int64_t *vals;
	size_t n, cap_k, cap_v;
};

static int acc_init(struct acc *a)
{
	memset(a, 0, sizeof(*a));
	return hmap_init(&a->map, 1024);
}

static void acc_release(struct acc *a)
{
	hmap_release(&a->map);
	free(a->keys);
	free(a->vals);
	memset(a, 0, sizeof(*a));
}

static void acc_clear(struct acc *a)
{
	size_t i;

	for (i = 0; i <= a->map.mask; i++)
		a->map.slots[i].key = HMAP_EMPTY;
	a->map.count = 0;
	a->n = 0;
}

/* *sum += v, refused past 2^63 as top refuses it (values of a hostile or huge store). */
static int add_value(int64_t *sum, int64_t v)
{
	if (__builtin_add_overflow(*sum, v, sum))
		return err_set(ERR_TOOBIG, "merged values add up past 2^63");
	return 0;
}

/* *sum += n profiles (the nprof of rows, which a damaged store may make huge). */
static int add_count(int64_t *sum, int64_t n)
{
	if (__builtin_add_overflow(*sum, n, sum))
		return err_set(ERR_TOOBIG, "profile counts add up past 2^63");
	return 0;
}

/* When row ri ends (time + duration), or ERR_CORRUPT when that is past 2^63 ns. */
static int row_end(const struct store *s, const struct rowinfo *ri, int64_t *out)
{
	if (__builtin_add_overflow(ri->time_ns, ri->duration_ns, out))
		return err_set(ERR_CORRUPT, "store '%s' is corrupt: a profile at %lld ns lasts %lld ns, "
					  "past 2^63", s->path, (long long)ri->time_ns,
			       (long long)ri->duration_ns);
	return 0;
}

static int acc_add(struct acc *a, uint64_t key, int64_t v)
{
	uint32_t idx;
	int rc = hmap_intern(&a->map, key, (uint32_t)a->n, &idx);

	if (rc < 0)
		return rc;
	if (rc == 0) {
		if ((rc = vec_reserve(&a->keys, &a->cap_k, a->n + 1)) ||
		    (rc = vec_reserve(&a->vals, &a->cap_v, a->n + 1)))
			return rc;
		a->keys[a->n] = key;
		a->vals[a->n++] = 0;
	}
	return add_value(&a->vals[idx], v);
}

/* For average(): an entry's remainder, with its index. */
struct rem {
	int64_t r;
	size_t i;
};

static int rem_cmp(const void *pa, const void *pb)
{
	const struct rem *a = pa, *b = pb;

	if (a->r != b->r)
		return a->r > b->r ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/*
 * A gauge series' merged values divided by its profile count, in whole units: each
 * entry's quotient, and the series' rounded-off total handed out one unit at a time to
 * the entries with the largest remainders.  The series' total is its average rounded,
 * every entry within one unit of its own average — rounding each entry alone would turn
 * 300 goroutines each seen once in 3 profiles into 0 rather than 100.
 */
static int average(struct acc *a, int64_t nprof, struct rem **scratch, size_t *cap)
{
	/*
	 * The remainders' sum as whole units and a carry below nprof: their plain sum passes
	 * 2^63 once nprof does n-th of it (a damaged row's count), and two remainders below
	 * nprof add up below 2^64 unsigned.
	 */
	uint64_t carry = 0;
	size_t i, extra = 0;
	int rc;

	if ((rc = vec_reserve(scratch, cap, a->n ? a->n : 1)))
		return rc;
	for (i = 0; i < a->n; i++) {
		int64_t q = a->vals[i] / nprof, r = a->vals[i] % nprof;

		if (r < 0) {
			q--;
			r += nprof;
		}
		a->vals[i] = q;
		(*scratch)[i] = (struct rem){ r, i };
		carry += (uint64_t)r;
		if (carry >= (uint64_t)nprof) {
			carry -= (uint64_t)nprof;
			extra++;
		}
	}
	extra += carry >= ((uint64_t)nprof + 1) / 2;
	if (extra > 0) {
		qsort(*scratch, a->n, sizeof(**scratch), rem_cmp);
		for (i = 0; i < extra && i < a->n; i++)
			a->vals[(*scratch)[i].i]++;
	}
	return 0;
}

struct merge_ctx {
	struct sbackend *sb;
	const struct query *q;
	const struct cand *c;
	struct gsets *gs;
	struct acc series_acc;
	uint32_t *setmap;         /* blob set → gset, or STORE_NO_ID when it does not match */
	size_t cap_setmap;
	struct buf enc;
	int64_t nprof, period;
	struct merge_info info;
};

/* The gset of blob set k for candidate c: its labels without high-cardinality ones. */
static int gset_of(struct merge_ctx *m, const struct blob *b, uint32_t k, uint32_t *out)
{
	const struct blob_set *set = &b->sets[k];
	struct blob_label *keep = NULL;
	uint32_t i, n = 0;
	bool strip = false;
	int rc;

	for (i = 0; i < set->n; i++)
		if (cand_is_hc(m->c, b->labels[set->off + i].key, b->labels[set->off + i].klen))
			strip = true;
	if (!strip)
		return blob_add_set_encoded(&m->gs->b, set->bytes, set->nbytes, out);
	if (!(keep = malloc(set->n * sizeof(*keep))))
		return err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i < set->n; i++) {
		const struct blob_label *l = &b->labels[set->off + i];

		if (!cand_is_hc(m->c, l->key, l->klen))
			keep[n++] = *l;
	}
	rc = blob_add_set(&m->gs->b, keep, n, out);
	free(keep);
	return rc;
}

static int merge_row(void *ctx, const struct rowinfo *ri)
{
	struct merge_ctx *m = ctx;
	const struct blob *b = ri->blob;
	int64_t end;
	size_t i;
	int rc;

	if ((rc = vec_reserve(&m->setmap, &m->cap_setmap, b->nsets)))
		return rc;
	for (i = 0; i < b->nsets; i++) {
		int hit = set_matches(b, (uint32_t)i, m->q->selector, m->c);

		m->setmap[i] = STORE_NO_ID;
		if (hit < 0)
			return hit;
		if (hit && (rc = gset_of(m, b, (uint32_t)i, &m->setmap[i])))
			return rc;
	}
	for (i = 0; i < b->n; i++) {
		uint32_t g = m->setmap[b->e[i].set];

		if (g != STORE_NO_ID &&
		    (rc = acc_add(&m->series_acc, ((uint64_t)b->e[i].stack << 32) | g, b->e[i].value)))
			return rc;
	}
	if ((rc = add_count(&m->nprof, ri->nprof)) || (rc = row_end(m->sb->s, ri, &end)))
		return rc;
	if (b->period)
		m->period = b->period;
	if (!m->info.nprofiles || ri->time_ns < m->info.first_ns)
		m->info.first_ns = ri->time_ns;
	if (end > m->info.last_ns || !m->info.nprofiles)
		m->info.last_ns = end;
	m->info.nprofiles += (uint64_t)ri->nprof;
	return 0;
}

/* Builder-side ids of one scope's symbols by slot, made on first use. */
struct bmaps {
	uint32_t *str, *map, *func, *loc;
	struct prof_line *lines;
	size_t cap_lines;
};

static void bmaps_release(struct bmaps *bm)
{
	free(bm->str);
	free(bm->map);
	free(bm->func);
	free(bm->loc);
	free(bm->lines);
	memset(bm, 0, sizeof(*bm));
}

static uint32_t *fill_none(size_t n)
{
	uint32_t *a = malloc((n + 1) * sizeof(*a));
	size_t i;

	for (i = 0; a && i <= n; i++)
		a[i] = STORE_NO_ID;
	return a;
}

static int b_str(struct prof_builder *pb, const struct scope *sc, struct bmaps *bm, uint32_t slot,
		 uint32_t *out)
{
	int rc;

	if (bm->str[slot] == STORE_NO_ID &&
	    (rc = pb_string(pb, sc->strs[slot], sc->str_lens[slot], &bm->str[slot])))
		return rc;
	*out = bm->str[slot];
	return 0;
}

static int b_loc(struct prof_builder *pb, const struct scope *sc, struct bmaps *bm, uint32_t slot,
		 uint32_t *out)
{
	const struct scope_loc *l = &sc->locs[slot];
	uint32_t mapping = PROF_NONE, j;
	int rc;

	if (bm->loc[slot] != STORE_NO_ID) {
		*out = bm->loc[slot];
		return 0;
	}
	if (l->mapping) {
		if (bm->map[l->mapping] == STORE_NO_ID) {
			const struct scope_map *sm = &sc->maps[l->mapping];
			struct prof_mapping pm = { sm->start, sm->limit, sm->offset, 0, 0 };

			if ((rc = b_str(pb, sc, bm, sm->file, &pm.file)) ||
			    (rc = b_str(pb, sc, bm, sm->build_id, &pm.build_id)) ||
			    (rc = pb_mapping(pb, &pm, &bm->map[l->mapping])))
				return rc;
		}
		mapping = bm->map[l->mapping];
	}
	if ((rc = vec_reserve(&bm->lines, &bm->cap_lines, (size_t)l->nlines + 1)))
		return rc;
	for (j = 0; j < l->nlines; j++) {
		const struct prof_line *ln = &sc->lines[l->line_off + j];

		if (bm->func[ln->func] == STORE_NO_ID) {
			const struct scope_func *sf = &sc->funcs[ln->func];
			struct prof_function pf = { 0, 0, 0, sf->start_line };

			if ((rc = b_str(pb, sc, bm, sf->name, &pf.name)) ||
			    (rc = b_str(pb, sc, bm, sf->system_name, &pf.system_name)) ||
			    (rc = b_str(pb, sc, bm, sf->file, &pf.file)) ||
			    (rc = pb_function(pb, &pf, &bm->func[ln->func])))
				return rc;
		}
		bm->lines[j].func = bm->func[ln->func];
		bm->lines[j].line = ln->line;
	}
	if ((rc = pb_location(pb, mapping, l->address, l->nlines ? bm->lines : NULL, l->nlines,
			      &bm->loc[slot])))
		return rc;
	*out = bm->loc[slot];
	return 0;
}

/* The builder labels of gset g (made once). */
static int gset_labels(struct prof_builder *pb, struct gsets *gs, uint32_t g,
		       struct prof_label **out, uint32_t *n)
{
	int rc;

	if ((rc = vec_reserve(&gs->labels, &gs->cap_l, gs->b.nsets)) ||
	    (rc = vec_reserve(&gs->nlabels, &gs->cap_n, gs->b.nsets)))
		return rc;
	while (gs->made < gs->b.nsets) {
		gs->labels[gs->made] = NULL;
		gs->nlabels[gs->made++] = STORE_NO_ID;
	}
	if (gs->nlabels[g] == STORE_NO_ID) {
		/* parse the set's canonical encoding back */
		const unsigned char *p = (const unsigned char *)gs->b.setbytes.data + gs->b.sets[g].boff;
		const unsigned char *end = p + gs->b.sets[g].nbytes;
		uint64_t nl, len, num;
		uint32_t i;
		struct prof_label *ls;

		if (get_uvarint(&p, end, &nl) || nl > gs->b.sets[g].nbytes)
			return err_set(ERR_CORRUPT, "corrupt label set");
		if (!(ls = calloc(nl + 1, sizeof(*ls))))
			return err_set(ERR_NOMEM, "out of memory");
		gs->labels[g] = ls;
		for (i = 0; i < nl; i++) {
			uint32_t *dst[3] = { &ls[i].key, &ls[i].str, &ls[i].num_unit };
			int f;

			for (f = 0; f < 3; f++) {
				if (get_uvarint(&p, end, &len) || len > (uint64_t)(end - p))
					return err_set(ERR_CORRUPT, "corrupt label set");
				if ((rc = pb_string(pb, (const char *)p, len, dst[f])))
					return rc;
				p += len;
				if (f == 1) {
					if (get_uvarint(&p, end, &num))
						return err_set(ERR_CORRUPT, "corrupt label set");
					ls[i].num = unzigzag(num);
				}
			}
		}
		gs->nlabels[g] = (uint32_t)nl;
	}
	*out = gs->labels[g];
	*n = gs->nlabels[g];
	return 0;
}

/* Emits a scope's accumulated entries into the builder. */
static int emit_scope(struct sbackend *sb, struct prof_builder *pb, struct scope *sc,
		      struct acc *a, struct gsets *gs)
{
	struct bmaps bm = { 0 };
	uint32_t *locs = NULL;
	size_t cap_locs = 0, i;
	int rc = 0;

	bm.str = fill_none(sc->nstrs);
	bm.map = fill_none(sc->nmaps);
	bm.func = fill_none(sc->nfuncs);
	bm.loc = fill_none(sc->nlocs);
	if (!bm.str || !bm.map || !bm.func || !bm.loc) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < a->n && !rc; i++) {
		uint32_t stack = (uint32_t)(a->keys[i] >> 32), g = (uint32_t)a->keys[i], n = 0, nl = 0;
		struct prof_label *labels = NULL;

		if (a->vals[i] == 0)
			continue;
		if (stack && (stack = scope_slot(&sc->stack_ids, stack)) == STORE_NO_ID) {
			rc = err_set(ERR_CORRUPT, "store '%s' is corrupt: service '%s': a profile "
						"refers to stack %u, which does not exist",
				     sb->s->path, sc->service, (uint32_t)(a->keys[i] >> 32));
			goto done;
		}
		while (stack) {  /* slots from here */
			if ((rc = vec_reserve(&locs, &cap_locs, (size_t)n + 1)) ||
			    (rc = b_loc(pb, sc, &bm, sc->stk_loc[stack], &locs[n])))
				goto done;
			n++;
			stack = sc->stk_parent[stack];
		}
		if ((rc = gset_labels(pb, gs, g, &labels, &nl)))
			goto done;
		rc = pb_sample(pb, locs, n, &a->vals[i], labels, nl);
	}
done:
	free(locs);
	bmaps_release(&bm);
	return rc;
}

static void gsets_release(struct gsets *gs)
{
	size_t i;

	for (i = 0; i < gs->made; i++)
		free(gs->labels[i]);
	free(gs->labels);
	free(gs->nlabels);
	blob_release(&gs->b);
}

static int no_data(struct sbackend *sb, const struct query *q)
{
	struct buf sel = BUF_INIT;
	char a[40], b[40];
	int rc;

	selector_format(q->selector, &sel);
	time_format_rfc3339(q->range.from_ns, a, sizeof(a));
	time_format_rfc3339(q->range.to_ns, b, sizeof(b));
	rc = err_set(ERR_NOTFOUND, "no %s profiles match %s between %s and %s in '%s'",
		     q->profile_type, sel.data ? sel.data : "{}", a, b, sb->s->path);
	buf_release(&sel);
	return rc;
}

static int be_merge(struct backend *be, const struct query *q, struct prof **out,
		    struct merge_info *info)
{
	struct sbackend *sb = (struct sbackend *)be;
	struct store *s = sb->s;
	struct profile_type pt = { 0 };
	struct cands c = { 0 };
	struct merge_ctx m = { 0 };
	struct gsets gs = { 0 };
	struct acc scope_acc = { 0 };
	struct prof_builder *pb = NULL;
	struct blob blob;
	struct rem *rems = NULL;
	struct scope *sc = NULL;
	uint32_t ty, un, pty, pun;
	bool avg = aggregate_averages(q->agg, q->profile_type);
	int64_t from, to;
	size_t i, j, cap_rems = 0;
	int rc;

	*out = NULL;
	blob_init(&blob);
	blob_init(&gs.b);
	query_range_bounds(q->range, &from, &to);
	if ((rc = profile_type_parse(q->profile_type, &pt)))
		return rc;
	if ((rc = store_read_begin(s)))
		goto out;
	if ((rc = query_resolve(sb, q->selector, q->profile_type, q->range, &c)))
		goto done;
	if (c.n == 0) {
		rc = no_data(sb, q);
		goto done;
	}
	if ((rc = acc_init(&m.series_acc)) || (rc = acc_init(&scope_acc)) || (rc = pb_new(&pb)) ||
	    (rc = pb_string(pb, pt.sample_type, strlen(pt.sample_type), &ty)) ||
	    (rc = pb_string(pb, pt.sample_unit, strlen(pt.sample_unit), &un)) ||
	    (rc = pb_string(pb, pt.period_type, strlen(pt.period_type), &pty)) ||
	    (rc = pb_string(pb, pt.period_unit, strlen(pt.period_unit), &pun)) ||
	    (rc = pb_sample_type(pb, ty, un)))
		goto done;
	m.sb = sb;
	m.q = q;
	m.gs = &gs;
	for (i = 0; i < c.n; i++) {
		m.c = &c.v[i];
		m.nprof = 0;
		acc_clear(&m.series_acc);
		/* the scope's stacks bound its profiles' entries (it is loaded to emit anyway) */
		if ((i == 0 || c.v[i - 1].scope != c.v[i].scope) &&
		    ((rc = scope_get_by_id(s, c.v[i].scope, &sc)) || (rc = scope_load(s, sc))))
			goto done;
		if ((rc = each_profile(sb, m.c, from, to, true, sc->nstacks, &blob, merge_row, &m)))
			goto done;
		if (m.nprof)
			m.info.nseries++;
		if (avg && m.nprof > 1 &&
		    (rc = average(&m.series_acc, m.nprof, &rems, &cap_rems)))
			goto done;
		for (j = 0; j < m.series_acc.n; j++)
			if ((rc = acc_add(&scope_acc, m.series_acc.keys[j], m.series_acc.vals[j])))
				goto done;
		/* the last series of its scope: emit the scope */
		if (i + 1 == c.n || c.v[i + 1].scope != c.v[i].scope) {
			if ((rc = scope_get_by_id(s, c.v[i].scope, &sc)) || (rc = scope_load(s, sc)) ||
			    (rc = emit_scope(sb, pb, sc, &scope_acc, &gs)))
				goto done;
			acc_clear(&scope_acc);
		}
	}
	pb_set_period(pb, pty, pun, m.period);
	pb_set_times(pb, m.info.first_ns, m.info.last_ns - m.info.first_ns);
	m.info.averaged = avg;
	rc = pb_finish(pb, out);
	pb = NULL;
	if (!rc && q->ncall_site) {
		struct prof *all = *out;

		rc = flamebearer_call_site(all, q->call_site, q->ncall_site, out);
		prof_free(all);
	}
	if (!rc && info)
		*info = m.info;
done:
	store_read_end(s);
out:
	pb_free(pb);
	acc_release(&m.series_acc);
	free(rems);
	acc_release(&scope_acc);
	free(m.setmap);
	buf_release(&m.enc);
	gsets_release(&gs);
	blob_release(&blob);
	query_cands_release(&c);
	profile_type_release(&pt);
	return rc;
}

static int be_merge_tree(struct backend *b, const struct query *q, uint32_t max_nodes,
			 struct prof **out, struct merge_info *info)
{
	(void)max_nodes; /* the local store is cheap to read in full: nothing is folded */
	return be_merge(b, q, out, info);
}

/* ---------------------------------------------------------------------------------- */
/* Timeline */

/*
 * The answer is dense (backend.h: a value per step per group), so its size is steps x
 * groups, and a label of many values (a profile_id) times a fine step would ask for
 * gigabytes: at most TIMELINE_MAX_POINTS of them in all (16 B each here, 8 more with
 * an explicit average, 8 more in the API's reply), and TIMELINE_MAX_GROUPS groups
 * whatever the step.  Both fail with ERR_TOOBIG as soon as a new group would cross them.
 */
#define TIMELINE_MAX_POINTS 4000000
#define TIMELINE_MAX_GROUPS 10000

struct tgroup {
	char *value;        /* group-by value ("" when absent); the key in tl_ctx.map */
	double *vals;       /* all series, n steps */
	int64_t *cnt;       /* pooled: all series' profiles that added to vals, n steps */
	int64_t cur;        /* this series, the current step */
	int64_t cur_n;      /* pooled: this series' profiles that added to cur */
	uint64_t row;       /* pooled: the last row counted in cur_n */
	bool touched;       /* cur was added to in the current step (listed in touched) */
};

/*
 * Rows come in time order, so a series' steps come one after another: only the step
 * being read is kept per series (cur, cur_cnt), and it is added to the groups' vals
 * when the next step begins.  A series costs what it holds, not groups x steps.
 */
struct tl_ctx {
	struct sbackend *sb;
	const struct query *q;
	const struct cand *c;
	const char *group_by;
	const char *series_group;  /* the series' own value of group_by, or NULL */
	bool avg;                  /* a gauge by default: each series over its profiles */
	/*
	 * The query API's explicit average (AGG_AVG_POOLED), as upstream's rangeSeries: a group's step is the
	 * mean of every profile of the group in the step, whichever series it is from, so
	 * two series of one group average together instead of adding their averages.
	 */
	bool pooled;
	uint64_t row;              /* rows read so far (pooled: counted once per group) */
	int64_t row_nprof;         /* the profiles the current row holds */
	int64_t start, step;
	size_t n;
	size_t cur_k;              /* the step being read (SIZE_MAX: none) */
	int64_t cur_cnt;           /* this series: profiles in step cur_k */
	size_t *touched;           /* indices of the groups with cur set */
	size_t ntouched, cap_touched;
	struct tgroup *g;
	size_t ng, cap_g;
	struct strmap map;         /* group value → its index in g */
	/* q->call_site: the loaded scope of the series, and per stack slot 0 (not yet
	 * known), 1 (starts with the call site) or 2 (does not) */
	const struct scope *sc;
	uint8_t *cs;
	size_t ncs;
	uint32_t *path;            /* a stack's location slots, leaf first */
	size_t cap_path;
};

static int tl_group(struct tl_ctx *t, const char *v, size_t len, size_t *out)
{
	struct tgroup *g;
	uint32_t idx;
	int rc;

	if (strmap_find(&t->map, v, len, &idx)) {
		*out = idx;
		return 0;
	}
	if (t->ng + 1 > TIMELINE_MAX_GROUPS)
		return err_set(ERR_TOOBIG, "timeline: '%s' has more than %d values: group by a "
					   "label with fewer values", t->group_by, TIMELINE_MAX_GROUPS);
	if ((t->ng + 1) * t->n > TIMELINE_MAX_POINTS)
		return err_set(ERR_TOOBIG, "timeline: %zu steps x %zu or more groups of '%s' is more "
					   "than %d points: use a larger step or a label with fewer "
					   "values", t->n, t->ng + 1, t->group_by ? t->group_by : "",
			       TIMELINE_MAX_POINTS);
	if ((rc = vec_reserve(&t->g, &t->cap_g, t->ng + 1)))
		return rc;
	g = &t->g[t->ng];
	memset(g, 0, sizeof(*g));
	g->value = strndup(v, len);
	g->vals = calloc(t->n, sizeof(double));
	g->cnt = t->pooled ? calloc(t->n, sizeof(int64_t)) : NULL;
	if (!g->value || !g->vals || (t->pooled && !g->cnt)) {
		free(g->value);
		free(g->vals);
		free(g->cnt);
		return err_set(ERR_NOMEM, "out of memory");
	}
	*out = t->ng++;  /* in t->g: released with it on failure */
	/* keyed by the group's own copy, which lives as long as the map */
	return (rc = strmap_intern(&t->map, g->value, len, &idx)) < 0 ? rc : 0;
}

/*
 * Adds the step being read of this series to the groups (a gauge: per profile; pooled:
 * with its profile count, divided once every series is read).
 */
static int tl_flush(struct tl_ctx *t)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < t->ntouched; i++) {
		struct tgroup *g = &t->g[t->touched[i]];

		g->vals[t->cur_k] += t->avg && t->cur_cnt ? (double)g->cur / (double)t->cur_cnt :
							     (double)g->cur;
		if (t->pooled && !rc)
			rc = add_count(&g->cnt[t->cur_k], g->cur_n);
		g->cur = g->cur_n = 0;
		g->touched = false;
	}
	t->ntouched = 0;
	t->cur_cnt = 0;
	t->cur_k = SIZE_MAX;
	return rc;
}

static int tl_add(struct tl_ctx *t, const char *v, size_t len, int64_t value)
{
	size_t gi = 0;
	int rc;

	if ((rc = tl_group(t, v, len, &gi)))
		return rc;
	if (!t->g[gi].touched) {
		if ((rc = vec_reserve(&t->touched, &t->cap_touched, t->ntouched + 1)))
			return rc;
		t->touched[t->ntouched++] = gi;
		t->g[gi].touched = true;
	}
	if (t->pooled && t->g[gi].row != t->row) {
		t->g[gi].row = t->row;
		if ((rc = add_count(&t->g[gi].cur_n, t->row_nprof)))
			return rc;
	}
	return add_value(&t->g[gi].cur, value);
}

/* Frame names as the merge's profile has them (b_loc, and the builder's rules). */
static void cs_mapping_name(const struct scope *sc, uint32_t mapping, char *buf, size_t size)
{
	const char *file = mapping ? sc->strs[sc->maps[mapping].file] : "";
	const char *base = strrchr(file, '/');

	if (*file)
		snprintf(buf, size, "[%s]", base ? base + 1 : file);
	else
		snprintf(buf, size, "<unknown>");
}

/* Whether frame `name` (names[k]) is line j of location slot loc ((uint32_t)-1: none). */
static bool cs_frame_is(const struct scope *sc, uint32_t loc, uint32_t j, const char *name)
{
	const struct scope_loc *l = &sc->locs[loc];
	char buf[512];

	if (j != UINT32_MAX) {
		const struct scope_func *f = &sc->funcs[sc->lines[l->line_off + j].func];
		uint32_t str = sc->str_lens[f->name] ? f->name : f->system_name;

		if (sc->str_lens[str])
			return sc->str_lens[str] == strlen(name) &&
			       memcmp(sc->strs[str], name, sc->str_lens[str]) == 0;
	}
	cs_mapping_name(sc, l->mapping, buf, sizeof(buf));
	return strcmp(buf, name) == 0;
}

/*
 * Whether the stack of blob entry id `stack` starts, root first, with q->call_site (the
 * frames a merge filters on: flamebearer_call_site(), inlined frames counted): 1, 0, or
 * an error.  Verdicts are kept per stack slot of the series' scope.
 */
static int tl_call_site(struct tl_ctx *t, uint32_t stack)
{
	const struct scope *sc = t->sc;
	const char *const *names = t->q->call_site;
	size_t n = t->q->ncall_site, k = 0, depth = 0, i;
	uint32_t slot, j;
	bool ok = true;
	int rc;

	if (!stack)
		return 0;  /* an empty stack starts with nothing */
	if ((slot = scope_slot(&sc->stack_ids, stack)) == STORE_NO_ID || slot >= sc->nstacks)
		return err_set(ERR_CORRUPT, "store '%s' is corrupt: service '%s': a profile refers "
					    "to stack %u, which does not exist",
			       t->sb->s->path, sc->service, stack);
	if (slot < t->ncs && t->cs[slot])
		return t->cs[slot] == 1;
	for (j = slot; j && depth <= sc->nstacks; j = sc->stk_parent[j], depth++) {
		if ((rc = vec_reserve(&t->path, &t->cap_path, depth + 1)))
			return rc;
		t->path[depth] = sc->stk_loc[j];
	}
	for (i = depth; i-- > 0 && k < n && ok;) {
		const struct scope_loc *l = &sc->locs[t->path[i]];

		if (l->nlines == 0)  /* the merge's one "[mapping]" frame */
			ok = cs_frame_is(sc, t->path[i], UINT32_MAX, names[k++]);
		for (j = l->nlines; j-- > 0 && k < n && ok; k++)
			ok = cs_frame_is(sc, t->path[i], j, names[k]);
	}
	rc = ok && k == n;
	if (slot < t->ncs)
		t->cs[slot] = rc ? 1 : 2;
	return rc;
}

static int tl_row(void *ctx, const struct rowinfo *ri)
{
	struct tl_ctx *t = ctx;
	const char *own = t->series_group ? t->series_group : "";
	uint64_t step;
	size_t k, i;
	int rc;

	if (ri->time_ns < t->start)
		return 0;
	/* in uint64: a push may lie more than INT64_MAX after the start (now, from now-292y) */
	step = ((uint64_t)ri->time_ns - (uint64_t)t->start) / (uint64_t)t->step;
	if (step >= t->n)
		return 0;
	k = (size_t)step;
	if (k != t->cur_k) {
		if ((rc = tl_flush(t)))
			return rc;
		t->cur_k = k;
	}
	t->row++;
	t->row_nprof = ri->nprof;
	if ((rc = add_count(&t->cur_cnt, ri->nprof)))
		return rc;
	if (!ri->blob)
		return tl_add(t, own, strlen(own), ri->total);
	for (i = 0; i < ri->blob->n; i++) {
		const struct blob_entry *e = &ri->blob->e[i];
		const struct blob_label *l;
		int hit = set_matches(ri->blob, e->set, t->q->selector, t->c);

		if (hit > 0 && t->q->ncall_site)
			hit = tl_call_site(t, e->stack);
		if (hit < 0)
			return hit;
		if (!hit)
			continue;
		if (t->series_group || !t->group_by) {
			rc = tl_add(t, own, strlen(own), e->value);
		} else {
			l = set_label(ri->blob, e->set, t->group_by, strlen(t->group_by));
			rc = tl_add(t, l ? l->str : "", l ? l->slen : 0, e->value);
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int be_timeline(struct backend *be, const struct query *q, double step_s,
		       const char *group_by, struct series_points_list *out)
{
	struct sbackend *sb = (struct sbackend *)be;
	struct store *s = sb->s;
	struct cands c = { 0 };
	struct tl_ctx t = { 0 };
	struct blob blob;
	struct scope *sc = NULL;
	size_t i, k, gi;
	int rc;

	if ((rc = backend_timeline_grid(q->range, step_s, TIMELINE_MAX_STEPS, &t.start, &t.step,
					&t.n)))
		return rc;
	t.sb = sb;
	t.q = q;
	t.group_by = group_by && *group_by ? group_by : NULL;
	t.pooled = q->agg == AGG_AVG_POOLED;
	t.avg = !t.pooled && aggregate_averages(q->agg, q->profile_type);
	t.cur_k = SIZE_MAX;
	blob_init(&blob);
	if ((rc = strmap_init(&t.map, 16)) || (rc = store_read_begin(s)))
		goto out;
	if ((rc = query_resolve(sb, q->selector, q->profile_type, q->range, &c)))
		goto done;
	for (i = 0; i < c.n; i++) {
		bool decode;

		if ((rc = query_check_cancel(sb)))  /* a series with no rows in range polls nothing */
			goto done;
		t.c = &c.v[i];
		t.series_group = t.group_by ? labelset_get(&t.c->labels, t.group_by) : NULL;
		/* a call site is a filter on stacks: every row is read to its stacks */
		decode = needs_sample_level(q->selector, t.c) || (t.group_by && !t.series_group) ||
			 q->ncall_site;
		/* a decode is bounded by the scope's stacks, as a merge's (blob_decode_max) */
		if (decode && (!sc || sc->id != t.c->scope) &&
		    ((rc = scope_get_by_id(s, t.c->scope, &sc)) || (rc = scope_load(s, sc))))
			goto done;
		if (q->ncall_site && (t.sc != sc || t.ncs != sc->nstacks)) {
			/* another scope (or one grown): its verdicts start unknown */
			free(t.cs);
			t.sc = sc;
			t.ncs = sc->nstacks;
			if (!(t.cs = calloc(t.ncs + 1, 1))) {
				rc = err_set(ERR_NOMEM, "out of memory");
				goto done;
			}
		}
		if ((rc = each_profile(sb, t.c, q->range.from_ns, q->range.to_ns, decode,
				       decode ? sc->nstacks : 0, &blob, tl_row, &t)) ||
		    (rc = tl_flush(&t)))
			goto done;
	}
	if (t.ng == 0 && !t.group_by && (rc = tl_group(&t, "", 0, &gi)))
		goto done;
	if ((rc = vec_reserve(&out->v, &out->cap, out->n + t.ng)))
		goto done;
	for (gi = 0; gi < t.ng; gi++) {
		struct series_points *sp = &out->v[out->n];

		memset(sp, 0, sizeof(*sp));
		if (!(sp->ts_ms = malloc(t.n * sizeof(*sp->ts_ms)))) {
			rc = err_set(ERR_NOMEM, "out of memory");
			goto done;
		}
		for (k = 0; k < t.n; k++)
			/* in uint64 too: k steps may be more than INT64_MAX ns, not the sum */
			sp->ts_ms[k] = (int64_t)((uint64_t)t.start + (uint64_t)k *
						 (uint64_t)t.step) / 1000000;
		for (k = 0; t.pooled && k < t.n; k++)
			if (t.g[gi].cnt[k])
				t.g[gi].vals[k] /= (double)t.g[gi].cnt[k];
		sp->values = t.g[gi].vals;
		t.g[gi].vals = NULL;
		sp->n = t.n;
		out->n++;
		if (t.group_by && *t.g[gi].value &&
		    (rc = labelset_set(&sp->labels, t.group_by, t.g[gi].value)))
			goto done;
	}
done:
	store_read_end(s);
out:
	for (gi = 0; gi < t.ng; gi++) {
		free(t.g[gi].value);
		free(t.g[gi].vals);
		free(t.g[gi].cnt);
	}
	free(t.g);
	strmap_release(&t.map);
	free(t.touched);
	free(t.cs);
	free(t.path);
	blob_release(&blob);
	query_cands_release(&c);
	return rc;
}

/* ---------------------------------------------------------------------------------- */

static void be_close(struct backend *b)
{
	struct sbackend *sb = (struct sbackend *)b;

	if (sb->owns)
		store_close(sb->s);
	free(sb->tenant);
	free(sb);
}

static const struct backend_ops store_ops = {
	query_profile_types, query_label_names, query_label_values, query_series,
	be_timeline, be_merge, be_merge_tree, be_close, NULL,
};

int store_backend_new(struct store *s, const char *tenant, struct backend **out)
{
	struct sbackend *sb = calloc(1, sizeof(*sb));

	*out = NULL;
	if (!sb || !(sb->tenant = strdup(tenant && *tenant ? tenant : STORE_DEFAULT_TENANT))) {
		free(sb);
		return err_set(ERR_NOMEM, "out of memory");
	}
	sb->base.ops = &store_ops;
	sb->s = s;
	*out = &sb->base;
	return 0;
}

int store_backend_open(const char *path, const char *tenant, struct backend **out)
{
	struct store *s;
	int rc;

	*out = NULL;
	if ((rc = store_open(path, STORE_READONLY, &s)))
		return rc;
	if ((rc = store_backend_new(s, tenant, out))) {
		store_close(s);
		return rc;
	}
	((struct sbackend *)*out)->owns = true;
	return 0;
}

int store_time_bounds(struct backend *b, const struct selector *sel, const char *ptype,
		      int64_t *first_ns, int64_t *last_ns)
{
	struct sbackend *sb = (struct sbackend *)b;
	struct time_range all = { 0, 0 };
	struct cands c = { 0 };
	sqlite3_stmt *st = NULL;
	bool found = false;  /* not 0..0: profiles at the epoch are bounds like any other */
	size_t i;
	int rc;

	*first_ns = *last_ns = 0;
	if (b->ops != &store_ops)
		return err_set(ERR_UNSUPPORTED, "not a store backend");
	if ((rc = store_read_begin(sb->s)))
		return rc;
	if ((rc = query_resolve(sb, sel, ptype, all, &c)))
		goto done;
	if ((rc = sqlite3_prepare_v2(sb->s->db, "SELECT min(time_ns), max(time_ns) FROM profiles "
				     "WHERE series=?1", -1, &st, NULL)) != SQLITE_OK) {
		rc = store_sql_err(sb->s, rc, "reading profiles");
		goto done;
	}
	rc = 0;
	for (i = 0; i < c.n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, c.v[i].id);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
			int64_t a = sqlite3_column_int64(st, 0), z = sqlite3_column_int64(st, 1);

			if (!found || a < *first_ns)
				*first_ns = a;
			if (!found || z > *last_ns)
				*last_ns = z;
			found = true;
		}
	}
	if (c.n == 0)
		rc = ERR_NOTFOUND;
done:
	sqlite3_finalize(st);
	query_cands_release(&c);
	store_read_end(sb->s);
	return rc;
}
