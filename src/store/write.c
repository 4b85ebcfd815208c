/*
 * write.c — store_write(): a pushed profile becomes symbols (interned per scope),
 * stacks (the trie), one series and one profile row per sample type, and sample-label
 * index rows — all in one transaction or savepoint (store.h).  What needs only the
 * profile (content keys, label sets, pairs to index) is store_prepare(), which a server
 * runs on its decoder threads.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/err.h"
#include "base/vec.h"

/* Sample labels kept with the samples but never indexed (Pyroscope's span profiles). */
static const char *const hc_names[] = { "span_id", "profile_id", "trace_id" };

bool store_label_is_hc(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(hc_names) / sizeof(hc_names[0]); i++)
		if (strlen(hc_names[i]) == len && memcmp(hc_names[i], name, len) == 0)
			return true;
	return false;
}

void series_ent_free(struct series_ent *se)
{
	size_t i;

	if (!se)
		return;
	free(se->key);
	for (i = 0; i < se->nsl; i++)
		free(se->sl_pairs[i]);
	free(se->sl_pairs);
	free(se->sl_lens);
	for (i = 0; i < se->nsl_names; i++)
		free(se->sl_names[i].name);
	free(se->sl_names);
	if (se->sl_loaded)
		hmap_release(&se->sl_map);
	free(se);
}

static struct sl_name *sl_name_get(struct series_ent *se, const char *name, size_t len,
				   bool create)
{
	size_t i;

	for (i = 0; i < se->nsl_names; i++)
		if (strlen(se->sl_names[i].name) == len && memcmp(se->sl_names[i].name, name, len) == 0)
			return &se->sl_names[i];
	if (!create || vec_reserve(&se->sl_names, &se->cap_sl_names, se->nsl_names + 1))
		return NULL;
	if (!(se->sl_names[se->nsl_names].name = strndup(name, len)))
		return NULL;
	se->sl_names[se->nsl_names].count = 0;
	se->sl_names[se->nsl_names].hc = false;
	return &se->sl_names[se->nsl_names++];
}

/* Remembers "name\0value" as indexed; 1 when it already was. */
static int sl_remember(struct series_ent *se, const char *pair, size_t len)
{
	uint64_t h = XXH3_64bits(pair, len);
	uint32_t id;
	char *copy;
	int rc;

	for (;; h = hmap_mix(h + 1)) {
		if (h == HMAP_EMPTY)
			h = 0;
		if (!hmap_get(&se->sl_map, h, &id))
			break;
		if (se->sl_lens[id] == len && memcmp(se->sl_pairs[id], pair, len) == 0)
			return 1;
	}
	if ((rc = vec_reserve(&se->sl_pairs, &se->cap_sl, se->nsl + 1)) ||
	    (rc = vec_reserve(&se->sl_lens, &se->cap_sl_lens, se->nsl + 1)))
		return rc;
	if (!(copy = malloc(len)))
		return err_set(ERR_NOMEM, "out of memory");
	memcpy(copy, pair, len);
	se->sl_pairs[se->nsl] = copy;
	se->sl_lens[se->nsl] = len;
	if ((rc = hmap_put(&se->sl_map, h, (uint32_t)se->nsl)))
		return rc;
	se->nsl++;
	return 0;
}

static int sl_load(struct store *s, struct series_ent *se)
{
	sqlite3_stmt *st;
	int rc;

	if (se->sl_loaded)
		return 0;
	if ((rc = hmap_init(&se->sl_map, 16)))
		return rc;
	se->sl_loaded = true;
	if (!(st = store_stmt(s, ST_SL_LOAD)))
		return err_last_code();
	sqlite3_bind_int64(st, 1, se->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 0);
		const char *v = (const char *)sqlite3_column_text(st, 1);
		size_t nl = (size_t)sqlite3_column_bytes(st, 0), vl = (size_t)sqlite3_column_bytes(st, 1);
		struct sl_name *sn;
		struct buf *pair = &s->scratch;
		int r;

		buf_reset(pair);
		if ((r = buf_add(pair, n, nl)) || (r = buf_add(pair, "", 1)) || (r = buf_add(pair, v, vl)))
			return r;
		if (!(sn = sl_name_get(se, n, nl, true)))
			return err_set(ERR_NOMEM, "out of memory");
		if ((r = sl_remember(se, pair->data, pair->len)) < 0)
			return r;
		sn->count++;
	}
	return rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, "reading sample labels");
}

/* Writes the names not indexed for this series to series.hc_names. */
static int save_hc(struct store *s, struct series_ent *se)
{
	struct buf b = BUF_INIT;
	sqlite3_stmt *st;
	size_t i;
	int rc = 0;

	for (i = 0; i < se->nsl_names && !rc; i++)
		if (se->sl_names[i].hc)
			rc = buf_add(&b, se->sl_names[i].name, strlen(se->sl_names[i].name) + 1);
	if (!rc && !(st = store_stmt(s, ST_SERIES_HC_SET)))
		rc = err_last_code();
	if (!rc) {
		sqlite3_bind_int64(st, 1, se->id);
		sqlite3_bind_blob(st, 2, b.data ? b.data : "", (int)b.len, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE)
			rc = store_sql_err(s, rc, "updating a series");
		else
			rc = 0;
	}
	buf_release(&b);
	return rc;
}

/* Indexes one string sample label of a series (or marks its name high-cardinality). */
static int sl_add(struct store *s, struct series_ent *se, const char *name, size_t nlen,
		  const char *value, size_t vlen)
{
	struct sl_name *sn;
	struct buf *pair = &s->scratch;
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_load(s, se)))
		return rc;
	if (!(sn = sl_name_get(se, name, nlen, true)))
		return err_set(ERR_NOMEM, "out of memory");
	if (sn->hc)
		return 0;
	buf_reset(pair);
	if ((rc = buf_add(pair, name, nlen)) || (rc = buf_add(pair, "", 1)) ||
	    (rc = buf_add(pair, value, vlen)))
		return rc;
	if (store_label_is_hc(name, nlen) || sn->count >= STORE_MAX_SAMPLE_LABEL_VALUES) {
		sn->hc = true;
		return save_hc(s, se);
	}
	if ((rc = sl_remember(se, pair->data, pair->len)))
		return rc < 0 ? rc : 0;
	sn->count++;
	if (!(st = store_stmt(s, ST_SL_ADD)))
		return err_last_code();
	sqlite3_bind_int64(st, 1, se->id);
	sqlite3_bind_text(st, 2, name, (int)nlen, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, value, (int)vlen, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		return store_sql_err(s, rc, "indexing a sample label");
	return 0;
}

/* The cached series for (tenant, labels), created in the file when new. */
static int series_get(struct store *s, const char *tenant, struct scope *sc,
		      const struct labelset *ls, const char *ptype, struct series_ent **out)
{
	struct buf key = BUF_INIT;
	struct series_ent *se = NULL;
	sqlite3_stmt *st;
	uint64_t h;
	uint32_t idx;
	size_t i;
	int rc;

	if ((rc = store_series_key(tenant, ls, &key)))
		goto done;
	for (h = XXH3_64bits(key.data, key.len);; h = hmap_mix(h + 1)) {
		if (h == HMAP_EMPTY)
			h = 0;
		if (!hmap_get(&s->series_map, h, &idx))
			break;
		if (s->series[idx]->keylen == key.len &&
		    memcmp(s->series[idx]->key, key.data, key.len) == 0) {
			*out = s->series[idx];
			goto done;
		}
	}
	if (!(se = calloc(1, sizeof(*se))) || !(se->key = malloc(key.len))) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	memcpy(se->key, key.data, key.len);
	se->keylen = key.len;
	if (!(st = store_stmt(s, ST_SERIES_GET))) {
		rc = err_last_code();
		goto done;
	}
	sqlite3_bind_blob(st, 1, key.data, (int)key.len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *hc = sqlite3_column_blob(st, 1), *end;

		se->id = sqlite3_column_int64(st, 0);
		end = hc ? hc + sqlite3_column_bytes(st, 1) : NULL;  /* NULL for an empty blob */
		while (hc && hc < end) {
			const char *z = memchr(hc, '\0', (size_t)(end - hc));
			struct sl_name *sn;

			if (!z)
				break;
			if (!(sn = sl_name_get(se, hc, (size_t)(z - hc), true))) {
				rc = err_set(ERR_NOMEM, "out of memory");
				goto done;
			}
			sn->hc = true;
			hc = z + 1;
		}
		rc = 0;
	} else if (rc != SQLITE_DONE) {
		rc = store_sql_err(s, rc, "reading series");
		goto done;
	} else {
		if (!(st = store_stmt(s, ST_SERIES_ADD))) {
			rc = err_last_code();
			goto done;
		}
		sqlite3_bind_text(st, 1, tenant, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, sc->id);
		sqlite3_bind_text(st, 3, ptype, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, key.data, (int)key.len, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
			rc = store_sql_err(s, rc, "adding a series");
			goto done;
		}
		se->id = sqlite3_last_insert_rowid(s->db);
		for (i = 0; i < ls->n; i++) {
			if (!(st = store_stmt(s, ST_SERIES_LABEL_ADD))) {
				rc = err_last_code();
				goto done;
			}
			sqlite3_bind_text(st, 1, ls->v[i].name, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, ls->v[i].value, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, se->id);
			if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
				rc = store_sql_err(s, rc, "indexing series labels");
				goto done;
			}
		}
		rc = 0;
	}
	if ((rc = vec_reserve(&s->series, &s->cap_series, s->nseries + 1)) ||
	    (rc = hmap_put(&s->series_map, h, (uint32_t)s->nseries)))
		goto done;
	s->series[s->nseries++] = se;
	*out = se;
	se = NULL;
done:
	series_ent_free(se);
	buf_release(&key);
	return rc;
}

/*
 * What a write needs from the profile alone (store.h): computed by store_prepare() on
 * any thread, so the writer only looks up, interns and inserts.
 */
struct store_prep {
	const struct prof *p;      /* the profile it was made from (not owned) */
	uint64_t *path;            /* per sample: hash of its stack's content keys */
	uint64_t *leaf;            /* per sample: its leaf location's content key */
	uint32_t *sets;            /* per sample: its label set's index in setblob */
	struct blob setblob;       /* the distinct sample-label sets, no entries */
	struct { uint32_t key, str; } *pairs;  /* string labels to index, each once */
	size_t npairs;
	uint32_t maxlines;         /* the most lines of any location (at least 1) */
};

/* Content keys: a 64-bit hash of what the scope interns a symbol by (0: not yet). */
struct kctx {
	const struct prof *p;
	uint64_t *kstr, *kmap, *kfunc, *kloc;
};

/*
 * Per-write state on the writer: the profile's ids mapped to the scope's slots
 * (STORE_NO_ID: not yet).
 */
struct wctx {
	struct store *s;
	struct scope *sc;
	const struct prof *p;
	uint32_t *str, *map, *func, *loc;
	struct prof_line *lines;
};

static int w_str(struct wctx *w, uint32_t id, uint32_t *out)
{
	int rc;

	if (id >= w->p->nstrs)
		return err_set(ERR_PARSE, "string %u out of range", id);
	if (w->str[id] == STORE_NO_ID &&
	    (rc = scope_intern_str(w->s, w->sc, prof_str(w->p, id), prof_strlen(w->p, id), &w->str[id])))
		return rc;
	*out = w->str[id];
	return 0;
}

static int w_map(struct wctx *w, uint32_t id, uint32_t *out)
{
	const struct prof_mapping *m = &w->p->mappings[id];
	struct scope_map sm = { m->start, m->limit, m->offset, 0, 0 };
	int rc;

	if (w->map[id] == STORE_NO_ID) {
		if ((rc = w_str(w, m->file, &sm.file)) || (rc = w_str(w, m->build_id, &sm.build_id)) ||
		    (rc = scope_intern_map(w->s, w->sc, &sm, &w->map[id])))
			return rc;
	}
	*out = w->map[id];
	return 0;
}

static int w_func(struct wctx *w, uint32_t id, uint32_t *out)
{
	const struct prof_function *f = &w->p->functions[id];
	struct scope_func sf = { 0, 0, 0, f->start_line };
	int rc;

	if (w->func[id] == STORE_NO_ID) {
		if ((rc = w_str(w, f->name, &sf.name)) || (rc = w_str(w, f->system_name, &sf.system_name)) ||
		    (rc = w_str(w, f->file, &sf.file)) ||
		    (rc = scope_intern_func(w->s, w->sc, &sf, &w->func[id])))
			return rc;
	}
	*out = w->func[id];
	return 0;
}

static int w_loc(struct wctx *w, uint32_t id, uint32_t *out)
{
	const struct prof_location *l = &w->p->locations[id];
	uint32_t mapping = 0, n = 0, j;
	int rc;

	if (w->loc[id] != STORE_NO_ID) {
		*out = w->loc[id];
		return 0;
	}
	if (l->mapping != PROF_NONE && (rc = w_map(w, l->mapping, &mapping)))
		return rc;
	if (!l->unsymbolized) {
		n = l->nlines;
		for (j = 0; j < n; j++) {
			if ((rc = w_func(w, w->p->lines[l->line_off + j].func, &w->lines[j].func)))
				return rc;
			w->lines[j].line = w->p->lines[l->line_off + j].line;
		}
	}
	if ((rc = scope_intern_loc(w->s, w->sc, mapping, l->address, w->lines, n, &w->loc[id])))
		return rc;
	*out = w->loc[id];
	return 0;
}

/*
 * Content keys hash the strings' bytes and the numbers, never ids, so that equal
 * content in two profiles has equal keys.  A location's key covers its mapping,
 * address and lines — all its scope id depends on.
 */
static uint64_t k_str(struct kctx *w, uint32_t id)
{
	uint64_t k;

	if (id >= w->p->nstrs)
		return 0x6a09e667f3bcc909ULL;  /* out of range: w_str() reports it */
	if ((k = w->kstr[id]))
		return k;
	k = XXH3_64bits(prof_str(w->p, id), prof_strlen(w->p, id));
	return w->kstr[id] = k ? k : 1;
}

static uint64_t k_map(struct kctx *w, uint32_t id)
{
	const struct prof_mapping *m = &w->p->mappings[id];
	uint64_t k[5];

	if (w->kmap[id])
		return w->kmap[id];
	k[0] = m->start;
	k[1] = m->limit;
	k[2] = m->offset;
	k[3] = k_str(w, m->file);
	k[4] = k_str(w, m->build_id);
	k[0] = XXH3_64bits(k, sizeof(k));
	return w->kmap[id] = k[0] ? k[0] : 1;
}

static uint64_t k_func(struct kctx *w, uint32_t id)
{
	const struct prof_function *f = &w->p->functions[id];
	uint64_t k[4];

	if (w->kfunc[id])
		return w->kfunc[id];
	k[0] = k_str(w, f->name);
	k[1] = k_str(w, f->system_name);
	k[2] = k_str(w, f->file);
	k[3] = (uint64_t)f->start_line;
	k[0] = XXH3_64bits(k, sizeof(k));
	return w->kfunc[id] = k[0] ? k[0] : 1;
}

/* Lines hashed per call of XXH3 (longer inline chains are chained by the seed). */
#define KLOC_LINES 15

static uint64_t k_loc(struct kctx *w, uint32_t id)
{
	const struct prof_location *l = &w->p->locations[id];
	const struct prof_line *ln = w->p->lines + l->line_off;
	uint32_t nlines = l->unsymbolized ? 0 : l->nlines, j = 0, n;
	uint64_t k[2 + 2 * KLOC_LINES], h;

	if (w->kloc[id])
		return w->kloc[id];
	k[0] = l->address;
	k[1] = l->mapping != PROF_NONE ? k_map(w, l->mapping) : 0;
	do {
		for (n = 0; n < KLOC_LINES && j < nlines; n++, j++) {
			k[2 + 2 * n] = k_func(w, ln[j].func);
			k[3 + 2 * n] = (uint64_t)ln[j].line;
		}
		h = XXH3_64bits_withSeed(k, (2 + 2 * (size_t)n) * sizeof(*k), j);
		k[0] ^= h;  /* the next chunk's hash covers this one's */
	} while (j < nlines);
	return w->kloc[id] = h ? h : 1;
}

/*
 * Each sample's path key: a rolling hash of its locations' content keys, root first,
 * and the leaf's key.  One multiply per frame (the hash chain is the loop's critical
 * path): each step is a bijection of h, so stacks of one depth that differ in one frame
 * never collide; the final mix spreads the bits.
 */
static int prep_paths(struct store_prep *pr)
{
	const struct prof *p = pr->p;
	struct kctx k = { p, NULL, NULL, NULL, NULL };
	uint32_t i, j;
	int rc = 0;

	/* one zeroed block for the four tables (counts are uint32_t: no overflow) */
	k.kstr = calloc((size_t)p->nstrs + p->nmappings + p->nfunctions + p->nlocations + 4,
			sizeof(*k.kstr));
	if (!k.kstr) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	k.kmap = k.kstr + p->nstrs + 1;
	k.kfunc = k.kmap + p->nmappings + 1;
	k.kloc = k.kfunc + p->nfunctions + 1;
	/* every location's key first (profiles hold the locations their samples use), so
	 * the loop over the frames is a load and a multiply */
	for (i = 0; i < p->nlocations; i++)
		k_loc(&k, i);
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *sm = &p->samples[i];
		const uint32_t *locs = p->sample_locs + sm->loc_off;
		uint64_t h = 0x243f6a8885a308d3ULL, key = 0;

		for (j = sm->nlocs; j-- > 0;) {
			key = k.kloc[locs[j]];
			h = (h ^ key) * 0x9e3779b97f4a7c15ULL;
		}
		h = hmap_mix(h ^ sm->nlocs);
		pr->path[i] = h == HMAP_EMPTY ? 0 : h;
		pr->leaf[i] = key;
	}
done:
	free(k.kstr);
	return rc;
}

/* Whether two samples carry the same labels by string id (false when unsure). */
static bool same_labels(const struct prof *p, const struct prof_sample *a,
			const struct prof_sample *b)
{
	uint32_t j;

	if (a->nlabels != b->nlabels)
		return false;
	for (j = 0; j < a->nlabels; j++) {
		const struct prof_label *x = &p->labels[a->label_off + j];
		const struct prof_label *y = &p->labels[b->label_off + j];

		if (x->key != y->key || x->str != y->str || x->num != y->num ||
		    x->num_unit != y->num_unit)
			return false;
	}
	return true;
}

/*
 * The sample-label sets (a run of samples with the same labels is looked up once), held
 * to the caps of store.h, which readers take as the bounds of what a writer makes.
 */
static int prep_sets(struct store_prep *pr)
{
	const struct prof *p = pr->p;
	struct blob_label *bl;
	uint32_t i, j, maxlab = 1;
	int rc = 0;

	for (i = 0; i < p->nsamples; i++) {
		if (p->samples[i].nlabels > STORE_MAX_SET_LABELS)
			return err_set(ERR_TOOBIG, "sample %u has %u labels, more than the store's "
						 "limit of %d", i, p->samples[i].nlabels,
				       STORE_MAX_SET_LABELS);
		if (p->samples[i].nlabels > maxlab)
			maxlab = p->samples[i].nlabels;
	}
	if (!(bl = malloc(maxlab * sizeof(*bl))))
		return err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i < p->nsamples && !rc; i++) {
		const struct prof_sample *sm = &p->samples[i];

		if (i > 0 && same_labels(p, sm, &p->samples[i - 1])) {
			pr->sets[i] = pr->sets[i - 1];
			continue;
		}
		for (j = 0; j < sm->nlabels; j++) {
			const struct prof_label *l = &p->labels[sm->label_off + j];

			bl[j].key = prof_str(p, l->key);
			bl[j].klen = (uint32_t)prof_strlen(p, l->key);
			bl[j].str = prof_str(p, l->str);
			bl[j].slen = (uint32_t)prof_strlen(p, l->str);
			bl[j].unit = prof_str(p, l->num_unit);
			bl[j].ulen = (uint32_t)prof_strlen(p, l->num_unit);
			bl[j].num = l->num;
		}
		rc = blob_add_set(&pr->setblob, bl, sm->nlabels, &pr->sets[i]);
		if (!rc && (pr->setblob.setlabels > STORE_MAX_PROFILE_LABELS ||
			    pr->setblob.nsets > STORE_MAX_PROFILE_LABELS))
			rc = err_set(ERR_TOOBIG, "the profile's distinct sample-label sets pass the "
						 "store's limit of %d labels (or sets) in all",
				     STORE_MAX_PROFILE_LABELS);
	}
	free(bl);
	return rc;
}

/*
 * The string labels to index: each distinct (name, value) once, in first-seen order
 * (the model's strings are interned, so equal ids are equal strings), and a
 * high-cardinality name once in all, since its values are never indexed: a span
 * profile's thousands of sets cost one index lookup per name, not one per sample.
 */
static int prep_pairs(struct store_prep *pr)
{
	const struct prof *p = pr->p;
	struct hmap seen_pairs;
	uint8_t *set_seen;
	size_t cap = 0;
	uint32_t i, j, dummy;
	int rc;

	if (!(set_seen = calloc(pr->setblob.nsets + 1, 1)))
		return err_set(ERR_NOMEM, "out of memory");
	if ((rc = hmap_init(&seen_pairs, 16))) {
		free(set_seen);
		return rc;
	}
	for (i = 0; i < p->nsamples && !rc; i++) {
		const struct prof_sample *sm = &p->samples[i];

		if (set_seen[pr->sets[i]])
			continue;
		set_seen[pr->sets[i]] = 1;
		for (j = 0; j < sm->nlabels && !rc; j++) {
			const struct prof_label *l = &p->labels[sm->label_off + j];
			uint64_t dk;

			if (l->str == 0 || prof_strlen(p, l->key) == 0)
				continue;  /* numeric labels are not selectable */
			dk = (uint64_t)l->key << 32;
			if (!store_label_is_hc(prof_str(p, l->key), prof_strlen(p, l->key)))
				dk |= l->str;
			if ((rc = hmap_intern(&seen_pairs, dk, 0, &dummy)) < 0)
				break;
			if (rc == 1) {
				rc = 0;
				continue;
			}
			if ((rc = vec_reserve(&pr->pairs, &cap, pr->npairs + 1)))
				break;
			pr->pairs[pr->npairs].key = l->key;
			pr->pairs[pr->npairs++].str = l->str;
		}
	}
	hmap_release(&seen_pairs);
	free(set_seen);
	return rc;
}

void store_prep_free(struct store_prep *pr)
{
	if (!pr)
		return;
	free(pr->path);
	free(pr->leaf);
	free(pr->sets);
	free(pr->pairs);
	blob_release(&pr->setblob);
	free(pr);
}

int store_prepare(const struct prof *p, struct store_prep **out)
{
	struct store_prep *pr = calloc(1, sizeof(*pr));
	size_t n = (size_t)p->nsamples + 1;
	uint32_t i;
	int rc;

	*out = NULL;
	if (!pr)
		return err_set(ERR_NOMEM, "out of memory");
	pr->p = p;
	blob_init(&pr->setblob);
	pr->path = malloc(n * sizeof(*pr->path));
	pr->leaf = malloc(n * sizeof(*pr->leaf));
	pr->sets = malloc(n * sizeof(*pr->sets));
	if (!pr->path || !pr->leaf || !pr->sets) {
		store_prep_free(pr);
		return err_set(ERR_NOMEM, "out of memory");
	}
	pr->maxlines = 1;
	for (i = 0; i < p->nlocations; i++)
		if (p->locations[i].nlines > pr->maxlines)
			pr->maxlines = p->locations[i].nlines;
	if ((rc = prep_paths(pr)) || (rc = prep_sets(pr)) || (rc = prep_pairs(pr))) {
		store_prep_free(pr);
		return rc;
	}
	*out = pr;
	return 0;
}

/*
 * Every sample's stack id (the file's, for the blob), interned root first through the
 * trie.  Whole stacks seen before are found with one lookup and no symbol mapped: the
 * prepared path key keys the scope's pathmap (the hit checked by the leaf's key and the
 * depth); only new stacks map their symbols and walk the trie.
 */
static int sample_stacks(struct wctx *w, const struct store_prep *pr, uint32_t *stacks)
{
	const struct prof *p = w->p;
	struct scope *sc = w->sc;
	uint32_t i, j, idx;
	int rc;

	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *sm = &p->samples[i];
		const uint32_t *locs = p->sample_locs + sm->loc_off;
		uint32_t stack = 0, loc;
		uint64_t h = pr->path[i], k = pr->leaf[i];

		if (!sm->nlocs) {
			stacks[i] = 0;
			continue;
		}
		if (hmap_get(&sc->pathmap, h, &idx) && sc->paths[idx].leaf == k &&
		    sc->paths[idx].depth == sm->nlocs && sc->paths[idx].stack < sc->nstacks) {
			stacks[i] = sc->stack_ids.id[sc->paths[idx].stack];
			continue;
		}
		for (j = sm->nlocs; j-- > 0;)
			if ((rc = w_loc(w, locs[j], &loc)) ||
			    (rc = scope_intern_stack(w->s, sc, stack, loc, &stack)))
				return rc;
		stacks[i] = sc->stack_ids.id[stack];
		if (hmap_get(&sc->pathmap, h, &idx)) {
			/* a stale or colliding entry: this stack takes its place */
			sc->paths[idx] = (struct scope_path){ k, stack, sm->nlocs };
			continue;
		}
		if (sc->npaths >= UINT32_MAX)
			return err_set(ERR_TOOBIG, "too many stacks");
		if ((rc = vec_reserve(&sc->paths, &sc->cap_paths, sc->npaths + 1)))
			return rc;
		sc->paths[sc->npaths] = (struct scope_path){ k, stack, sm->nlocs };
		if ((rc = hmap_put(&sc->pathmap, h, (uint32_t)sc->npaths)) < 0)
			return rc;
		sc->npaths++;
	}
	return 0;
}

static uint32_t *ids_new(size_t n)
{
	uint32_t *a = malloc((n + 1) * sizeof(*a));
	size_t i;

	for (i = 0; a && i <= n; i++)
		a[i] = STORE_NO_ID;
	return a;
}

/*
 * The validated, completed label set of the series (service_name and __name__ set).
 * A label with an empty value is left out: as in Prometheus it is the same as no label,
 * so `env=` from any path (ingest, serve, push.v1) names the series without env.
 */
static int base_labels(const struct labelset *in, const struct prof *p, struct labelset *out)
{
	size_t i;
	int rc;

	if (in && in->n > STORE_MAX_SERIES_LABELS)
		return err_set(ERR_TOOBIG, "%zu series labels (at most %d)", in->n,
			       STORE_MAX_SERIES_LABELS);
	for (i = 0; in && i < in->n; i++) {
		size_t nl = strlen(in->v[i].name), vl = strlen(in->v[i].value);

		if (nl == 0)
			return err_set(ERR_PARSE, "a series label with an empty name");
		if (nl > STORE_MAX_LABEL_BYTES || vl > STORE_MAX_LABEL_BYTES)
			return err_set(ERR_TOOBIG, "series label '%.64s' longer than %d bytes",
				       in->v[i].name, STORE_MAX_LABEL_BYTES);
	}
	for (i = 0; in && i < in->n; i++)
		if (*in->v[i].value && (rc = labelset_set(out, in->v[i].name, in->v[i].value)))
			return rc;
	if ((!labelset_get(out, "service_name") &&
	     (rc = labelset_set(out, "service_name", "unknown_service"))) ||
	    (!labelset_get(out, "__name__") &&
	     (rc = labelset_set(out, "__name__", labels_metric_name(p, NULL)))))
		return rc;
	return 0;
}

static int write_profile(struct store *s, const char *tenant, const struct labelset *base,
			 const struct prof *p, const struct store_prep *pr, int64_t time_ns,
			 int64_t duration_ns)
{
	struct wctx w = { s, NULL, p, NULL, NULL, NULL, NULL, NULL };
	struct labelset ls = LABELSET_INIT;
	struct blob b;
	struct buf ptype = BUF_INIT, data = BUF_INIT;
	uint32_t *stacks = NULL, i, t;
	int64_t sets_id = 0;
	int rc;

	blob_init(&b);
	if ((rc = scope_get(s, tenant, labelset_get(base, "service_name"), true, &w.sc)) ||
	    (rc = scope_load(s, w.sc)) || (rc = scope_build_maps(w.sc)))
		goto done;
	w.str = ids_new(p->nstrs);
	w.map = ids_new(p->nmappings);
	w.func = ids_new(p->nfunctions);
	w.loc = ids_new(p->nlocations);
	w.lines = malloc(pr->maxlines * sizeof(*w.lines));
	stacks = malloc(((size_t)p->nsamples + 1) * sizeof(*stacks));
	if (!w.str || !w.map || !w.func || !w.loc || !w.lines || !stacks) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	if ((rc = sample_stacks(&w, pr, stacks)))
		goto done;
	/* large label sets, wanted by more than one sample type: stored once, shared */
	if (p->ntypes > 1 && pr->setblob.setbytes.len >= SHARED_SETS_MIN) {
		sqlite3_stmt *st;

		if ((rc = blob_encode_sets(s->cctx, &pr->setblob, &data)))
			goto done;
		if (!(st = store_stmt(s, ST_LABELSETS_ADD))) {
			rc = err_last_code();
			goto done;
		}
		sqlite3_bind_blob(st, 1, data.data, (int)data.len, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
			rc = store_sql_err(s, rc, "adding label sets");
			goto done;
		}
		rc = 0;
		sets_id = sqlite3_last_insert_rowid(s->db);
	}
	b.period = p->period;
	for (t = 0; t < p->ntypes; t++) {
		struct series_ent *se = NULL;
		sqlite3_stmt *st;
		int64_t total;
		uint32_t u;

		/* two sample types with the same type and unit would be one series: keep the first */
		for (u = 0; u < t; u++)
			if (strcmp(prof_str(p, p->sample_types[u].type), prof_str(p, p->sample_types[t].type)) == 0 &&
			    strcmp(prof_str(p, p->sample_types[u].unit), prof_str(p, p->sample_types[t].unit)) == 0)
				break;
		if (u < t)
			continue;
		labelset_free(&ls);
		buf_reset(&ptype);
		if ((rc = labelset_copy(&ls, base)) ||
		    (rc = labels_profile_type(p, t, labelset_get(base, "__name__"), &ptype)) ||
		    (rc = labelset_set(&ls, "__profile_type__", ptype.data)) ||
		    (rc = series_get(s, tenant, w.sc, &ls, ptype.data, &se)))
			goto done;
		b.n = 0;
		if ((rc = vec_reserve(&b.e, &b.cap_e, (size_t)p->nsamples + 1)))
			goto done;
		for (i = 0; i < p->nsamples; i++) {
			int64_t v = prof_value(p, i, t);

			if (v) {
				b.e[b.n].stack = stacks[i];
				b.e[b.n].set = pr->sets[i];
				b.e[b.n++].value = v;
			}
		}
		if ((rc = blob_normalize(&b)) || (rc = blob_sum(&b, &total)) ||
		    (rc = blob_encode_with(s->cctx, &pr->setblob, &b, sets_id != 0, &data)))
			goto done;
		if (!(st = store_stmt(s, ST_PROFILE_ADD))) {
			rc = err_last_code();
			goto done;
		}
		sqlite3_bind_int64(st, 1, se->id);
		sqlite3_bind_int64(st, 2, time_ns);
		sqlite3_bind_int64(st, 3, duration_ns);
		sqlite3_bind_int64(st, 4, 1);
		sqlite3_bind_int64(st, 5, total);
		sqlite3_bind_blob(st, 6, data.data, (int)data.len, SQLITE_STATIC);
		if (sets_id)
			sqlite3_bind_int64(st, 7, sets_id);
		else
			sqlite3_bind_null(st, 7);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
			rc = store_sql_err(s, rc, "adding a profile");
			goto done;
		}
		rc = 0;
		for (i = 0; i < pr->npairs; i++)
			if ((rc = sl_add(s, se, prof_str(p, pr->pairs[i].key),
					 prof_strlen(p, pr->pairs[i].key), prof_str(p, pr->pairs[i].str),
					 prof_strlen(p, pr->pairs[i].str))))
				goto done;
	}
done:
	free(w.str);
	free(w.map);
	free(w.func);
	free(w.loc);
	free(w.lines);
	free(stacks);
	labelset_free(&ls);
	blob_release(&b);
	buf_release(&ptype);
	buf_release(&data);
	return rc;
}

int store_write_prepared(struct store *s, const char *tenant, const struct labelset *series,
			 const struct prof *p, const struct store_prep *prep, int64_t time_ns,
			 int64_t duration_ns)
{
	struct labelset base = LABELSET_INIT;
	struct store_prep *own = NULL;
	int rc;

	if (!tenant || !*tenant)
		tenant = STORE_DEFAULT_TENANT;
	if (!store_tenant_valid(tenant))
		return err_set(ERR_USAGE, "invalid tenant '%s': " STORE_TENANT_RULE, tenant);
	if (p->ntypes == 0)
		return err_set(ERR_PARSE, "profile has no sample types");
	if (strlen(tenant) > STORE_MAX_LABEL_BYTES)
		return err_set(ERR_TOOBIG, "tenant name longer than %d bytes", STORE_MAX_LABEL_BYTES);
	if (prep && prep->p != p)
		return err_set(ERR_PARSE, "prepared for another profile");
	if (!prep && (rc = store_prepare(p, &own)))
		return rc;
	if ((rc = base_labels(series, p, &base)))
		goto done;
	/*
	 * The duration is the client's (pprof's duration_nanos, /ingest's until - from),
	 * kept as sent, as Pyroscope keeps it, but readers take time + duration as where
	 * a profile ends and call a row ending past 2^63 ns corrupt: one such push would
	 * fail every read of its profile type.  Cut there (Pyroscope refuses nothing and
	 * never adds the two); a negative duration is none.
	 */
	if (duration_ns < 0)
		duration_ns = 0;
	else if (time_ns > 0 && duration_ns > INT64_MAX - time_ns)
		duration_ns = INT64_MAX - time_ns;
	if ((rc = store_wbegin(s)))
		goto done;
	rc = store_wend(s, write_profile(s, tenant, &base, p, prep ? prep : own, time_ns,
					 duration_ns));
done:
	labelset_free(&base);
	store_prep_free(own);
	return rc;
}

int store_write(struct store *s, const char *tenant, const struct labelset *series,
		const struct prof *p, int64_t time_ns, int64_t duration_ns)
{
	return store_write_prepared(s, tenant, series, p, NULL, time_ns, duration_ns);
}
