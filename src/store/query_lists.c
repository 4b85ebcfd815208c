/*
 * query_lists.c — the store backend's lists (backend.h): the profile types, label names
 * and values, and series a selector picks in a range.  query.c holds the rest of the
 * backend (series resolution, merge, timeline) and its ops table, which points here.
 *
 * Each list is one read (store_read_begin/end): the series query_resolve() picks, their
 * own labels, and for sample labels the sample_labels index (plus the high-cardinality
 * names each series records), never the profiles themselves.  The backend's cancel flag
 * is polled per series and per row.
 *
 * Ownership: what a list adds to *out is the caller's (as backend.h says); a series'
 * labels are moved into a labelset_list, not copied.  Nothing is kept between calls.
 */
#include "store_int.h"

#include <string.h>

#include "base/err.h"
#include "base/strvec.h"
#include "base/vec.h"

int query_profile_types(struct backend *b, struct time_range r, struct profile_type_list *out)
{
	struct sbackend *sb = (struct sbackend *)b;
	struct store *s = sb->s;
	sqlite3_stmt *st = NULL;
	int64_t from, to;
	int rc;

	query_range_bounds(r, &from, &to);
	if ((rc = store_read_begin(s)))
		return rc;
	rc = sqlite3_prepare_v2(s->db, "SELECT DISTINCT profile_type FROM series s WHERE tenant=?1 "
				"AND EXISTS(SELECT 1 FROM profiles p WHERE p.series=s.id AND "
				"p.time_ns>=?2 AND p.time_ns<?3) ORDER BY profile_type", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = store_sql_err(s, rc, "listing profile types");
		goto done;
	}
	sqlite3_bind_text(st, 1, sb->tenant, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct profile_type pt;
		const char *id;

		if ((rc = query_check_cancel(sb)) ||
		    (rc = store_col_text(s, st, 0, "series", -1, "profile_type", &id)))
			goto done;
		if (profile_type_parse(id, &pt))
			continue;  /* not a valid ID: not listed */
		if ((rc = vec_reserve(&out->v, &out->cap, out->n + 1))) {
			profile_type_release(&pt);
			goto done;
		}
		out->v[out->n++] = pt;
	}
	rc = rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, "listing profile types");
done:
	sqlite3_finalize(st);
	store_read_end(s);
	return rc;
}

/* Adds the sample-label names (or one name's values) indexed for series c. */
static int add_sample_labels(struct store *s, const struct cand *c, const char *name,
			     struct strvec *out)
{
	sqlite3_stmt *st;
	const char *p;
	int rc;

	rc = sqlite3_prepare_v2(s->db, name ? "SELECT value FROM sample_labels WHERE series=?1 AND name=?2" :
					      "SELECT DISTINCT name FROM sample_labels WHERE series=?1",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "reading sample labels");
	sqlite3_bind_int64(st, 1, c->id);
	if (name)
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = store_col_text(s, st, 0, "series", c->id,
					 name ? "sample label value" : "sample label name", &p)) ||
		    (rc = strvec_pushn(out, p, (size_t)sqlite3_column_bytes(st, 0)))) {
			sqlite3_finalize(st);
			return rc;
		}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sql_err(s, rc, "reading sample labels");
	for (p = c->hc; !name && p < c->hc + c->hclen; p += strlen(p) + 1)
		if ((rc = strvec_push(out, p)))
			return rc;
	return 0;
}

/* The lists: fn gets every series the selector may select, inside one read. */
static int each_cand(struct backend *b, const struct selector *sel, struct time_range r,
		     int (*fn)(struct store *s, struct cand *c, void *ctx), void *ctx)
{
	struct sbackend *sb = (struct sbackend *)b;
	struct cands c = { 0 };
	size_t i;
	int rc;

	if ((rc = store_read_begin(sb->s)))
		return rc;
	if ((rc = query_resolve(sb, sel, NULL, r, &c)))
		goto done;
	for (i = 0; i < c.n && !rc; i++)
		if (!(rc = query_check_cancel(sb)))
			rc = fn(sb->s, &c.v[i], ctx);
done:
	query_cands_release(&c);
	store_read_end(sb->s);
	return rc;
}

static int add_names(struct store *s, struct cand *c, void *ctx)
{
	struct strvec *out = ctx;
	size_t k;
	int rc;

	for (k = 0; k < c->labels.n; k++)
		if ((rc = strvec_push(out, c->labels.v[k].name)))
			return rc;
	return add_sample_labels(s, c, NULL, out);
}

int query_label_names(struct backend *b, const struct selector *sel, struct time_range r,
		      struct strvec *out)
{
	int rc = each_cand(b, sel, r, add_names, out);

	strvec_sort_unique(out);
	return rc;
}

struct values_ctx {
	const char *name;
	struct strvec *out;
};

static int add_values(struct store *s, struct cand *c, void *ctx)
{
	struct values_ctx *vc = ctx;
	const char *v = labelset_get(&c->labels, vc->name);

	if (v)
		return *v ? strvec_push(vc->out, v) : 0;
	return add_sample_labels(s, c, vc->name, vc->out);
}

int query_label_values(struct backend *b, const char *name, const struct selector *sel,
		       struct time_range r, struct strvec *out)
{
	struct values_ctx vc = { name, out };
	int rc = each_cand(b, sel, r, add_values, &vc);

	strvec_sort_unique(out);
	return rc;
}

static int move_labels(struct store *s, struct cand *c, void *ctx)
{
	struct labelset_list *out = ctx;
	int rc;

	(void)s;
	if ((rc = vec_reserve(&out->v, &out->cap, out->n + 1)))
		return rc;
	out->v[out->n++] = c->labels;
	memset(&c->labels, 0, sizeof(c->labels));
	return 0;
}

int query_series(struct backend *b, const struct selector *sel, const char *const *names,
		 size_t nnames, struct time_range r, struct labelset_list *out)
{
	size_t first = out->n;
	int rc = each_cand(b, sel, r, move_labels, out);

	labelset_list_distinct(out, first, names, nnames);
	return rc;
}
