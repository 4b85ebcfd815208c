/* backend.c — what every backend shares: profile type IDs, aggregation, lists (backend.h). */
#include "backend.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/hmap.h"
#include "profile/merge.h"

int profile_type_parse(const char *id, struct profile_type *out)
{
	char **fields[5] = { &out->name, &out->sample_type, &out->sample_unit, &out->period_type,
			     &out->period_unit };
	const char *p = id;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!(out->id = strdup(id)))
		return err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i < 5; i++) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);

		if (!colon && i < 4) {
			profile_type_release(out);
			return err_set(ERR_PARSE, "profile type '%.200s' is not "
						  "name:sample_type:sample_unit:period_type:period_unit", id);
		}
		if (!(*fields[i] = strndup(p, n))) {
			profile_type_release(out);
			return err_set(ERR_NOMEM, "out of memory");
		}
		p = colon ? colon + 1 : p + n;
	}
	if (*p && strcmp(p, "delta") != 0) {
		profile_type_release(out);
		return err_set(ERR_PARSE, "profile type '%.200s' has more than five fields", id);
	}
	if (!*out->name || !*out->sample_type) {
		profile_type_release(out);
		return err_set(ERR_PARSE, "profile type '%.200s' has no name or sample type", id);
	}
	return 0;
}

size_t profile_type_id_len(const char *id)
{
	size_t n = strlen(id), i, colons = 0;

	for (i = 0; i < n; i++)
		colons += id[i] == ':';
	if (colons == 5 && n >= 6 && strcmp(id + n - 6, ":delta") == 0)
		return n - 6;
	return n;
}

void profile_type_release(struct profile_type *pt)
{
	free(pt->id);
	free(pt->name);
	free(pt->sample_type);
	free(pt->sample_unit);
	free(pt->period_type);
	free(pt->period_unit);
	memset(pt, 0, sizeof(*pt));
}

bool profile_type_is_gauge(const char *id)
{
	const char *colon = strchr(id, ':'), *end;
	size_t nlen, tlen;

	if (!colon)
		return false;
	nlen = (size_t)(colon - id);
	end = strchr(colon + 1, ':');
	tlen = end ? (size_t)(end - colon - 1) : strlen(colon + 1);
#define TYPE_IS(s) (tlen == strlen(s) && memcmp(colon + 1, s, tlen) == 0)
	if (tlen >= 6 && memcmp(colon + 1, "inuse_", 6) == 0)
		return true;
	if (TYPE_IS("goroutine") || TYPE_IS("goroutines") || TYPE_IS("live"))
		return true;
	/* Node's heap profile (@datadog/pprof): objects/space of live objects */
	if (nlen == 6 && memcmp(id, "memory", 6) == 0 && (TYPE_IS("space") || TYPE_IS("objects")))
		return true;
#undef TYPE_IS
	return false;
}

bool aggregate_averages(enum aggregate agg, const char *profile_type)
{
	return agg == AGG_AVG || agg == AGG_AVG_POOLED || (agg == AGG_AUTO && profile_type_is_gauge(profile_type));
}

int aggregate_parse(const char *s, enum aggregate *out)
{
	if (strcmp(s, "sum") == 0)
		*out = AGG_SUM;
	else if (strcmp(s, "avg") == 0 || strcmp(s, "average") == 0)
		*out = AGG_AVG;
	else
		return err_set(ERR_PARSE, "--aggregate is sum or avg, not '%.100s'", s);
	return 0;
}

void profile_type_list_release(struct profile_type_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		profile_type_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void labelset_list_release(struct labelset_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		labelset_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static bool named(const char *name, const char *const *names, size_t nnames)
{
	size_t i;

	for (i = 0; i < nnames; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* ls without the labels not in names, and without empty values (no label, to Prometheus). */
static void cut_to(struct labelset *ls, const char *const *names, size_t nnames)
{
	size_t i, n = 0;

	for (i = 0; i < ls->n; i++) {
		if (*ls->v[i].value && named(ls->v[i].name, names, nnames)) {
			ls->v[n++] = ls->v[i];
			continue;
		}
		free(ls->v[i].name);
		free(ls->v[i].value);
	}
	ls->n = n;
}

void labelset_list_distinct(struct labelset_list *l, size_t first, const char *const *names,
			    size_t nnames)
{
	struct hmap seen = { 0 };
	/* without the table (out of memory) every set is compared with every kept one */
	bool lost = hmap_init(&seen, l->n - first + 16) != 0;
	size_t i, k, n = first;
	uint32_t at;

	for (i = first; i < l->n; i++) {
		struct labelset *ls = &l->v[i];
		uint64_t h;
		bool dup = false;

		if (nnames)
			cut_to(ls, names, nnames);
		if (nnames && !ls->n) {
			labelset_free(ls);
			continue;
		}
		h = labelset_hash(ls) & ~1ULL;  /* never HMAP_EMPTY */
		if (lost || hmap_get(&seen, h, &at)) {
			/* a hash met before: that set, then (a collision) every kept one */
			dup = !lost && labelset_equal(&l->v[at], ls);
			for (k = first; !dup && k < n; k++)
				dup = labelset_equal(&l->v[k], ls);
		}
		if (dup) {
			labelset_free(ls);
			continue;
		}
		if (!lost && (n >= UINT32_MAX || hmap_put(&seen, h, (uint32_t)n)))
			lost = true;
		l->v[n++] = *ls;
	}
	l->n = n;
	hmap_release(&seen);
}

void series_points_list_release(struct series_points_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		labelset_free(&l->v[i].labels);
		free(l->v[i].ts_ms);
		free(l->v[i].values);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int backend_diff(struct backend *b, const struct query *base, const struct query *cur,
		 uint32_t max_nodes, struct prof **out)
{
	struct prof *pb = NULL, *pc = NULL;
	int rc;

	*out = NULL;
	if (b->ops->diff)
		return b->ops->diff(b, base, cur, max_nodes, out);
	if (!(rc = b->ops->merge_tree(b, base, max_nodes, &pb, NULL)) &&
	    !(rc = b->ops->merge_tree(b, cur, max_nodes, &pc, NULL)))
		rc = prof_pair(pb, pc, out);
	prof_free(pb);
	prof_free(pc);
	return rc;
}

double backend_point_interval_s(int64_t from_ms, int64_t until_ms)
{
	static const struct { int64_t upto_ms, step_ms; } tab[] = {
		{ 10, 1 }, { 15, 10 }, { 35, 20 }, { 75, 50 }, { 150, 100 }, { 350, 200 },
		{ 750, 500 }, { 1500, 1000 }, { 3500, 2000 }, { 7500, 5000 }, { 12500, 10000 },
		{ 17500, 15000 }, { 25000, 20000 }, { 45000, 30000 }, { 90000, 60000 },
		{ 210000, 120000 }, { 450000, 300000 }, { 750000, 600000 }, { 1050000, 900000 },
		{ 1500000, 1200000 }, { 2700000, 1800000 }, { 5400000, 3600000 },
		{ 9000000, 7200000 }, { 16200000, 10800000 }, { 32400000, 21600000 },
		{ 86400000, 43200000 }, { 172800000, 86400000 }, { 604800000, 86400000 },
		{ 1814400000, 604800000 }, { 3628800000 - 1, 2592000000 },
	};
	double iv_ms = ((double)until_ms - (double)from_ms) / 1500.0;
	size_t i;

	if (iv_ms < 15000)
		return 15;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (iv_ms <= (double)tab[i].upto_ms)
			return (double)tab[i].step_ms / 1000.0;
	return 31536000.0;
}

double backend_timeline_one_step(struct time_range r)
{
	int64_t span = r.to_ns - r.from_ns, s, sns;

	if (r.from_ns < 0 || span <= 0)
		return 0;
	/* the smallest whole-second step whose grid has no step boundary inside r */
	for (s = (span + 999999999) / 1000000000; s <= (int64_t)TIMELINE_MAX_STEP_S;
	     s += s / 64 > 0 ? s / 64 : 1) {
		sns = s * 1000000000;
		if (r.to_ns <= r.from_ns / sns * sns + sns)
			return (double)s;
	}
	return 0;
}

int backend_timeline_grid(struct time_range r, double step_s, size_t max_steps,
			  int64_t *start_ns, int64_t *step_ns, size_t *n)
{
	int64_t first;
	double steps;

	if (!(step_s >= 0.001) || r.to_ns <= r.from_ns)
		return err_set(ERR_USAGE, "timeline: the step must be at least 1 ms and the range "
					  "not empty");
	if (!(step_s <= TIMELINE_MAX_STEP_S))  /* and finite: nanoseconds fit in 64 bits */
		return err_set(ERR_USAGE, "timeline: a step of %g s is more than %.0f s",
			       step_s, TIMELINE_MAX_STEP_S);
	/* rounded: 4.1 s is 4099999999.9999995 ns as a double, and cut it left the grid */
	*step_ns = (int64_t)llround(step_s * 1e9);
	*start_ns = r.from_ns / *step_ns * *step_ns;
	/*
	 * Division cut toward 0: before 1970 the step holding r's start is the one before,
	 * unless that began before int64 does (1677-09-21): then the grid starts at its
	 * first whole step, and what lies before it (less than a step) has no point.
	 */
	if (r.from_ns < 0 && r.from_ns % *step_ns &&
	    !__builtin_sub_overflow(*start_ns, *step_ns, &first))
		*start_ns = first;
	if (r.to_ns <= *start_ns)
		return err_set(ERR_USAGE, "timeline: the range ends before the first step of "
					  "%g s after 1677-09-21T00:12:43Z: use a shorter step",
			       step_s);
	steps = ceil(((double)r.to_ns - (double)*start_ns) / (double)*step_ns);
	if (steps > (double)max_steps)
		return err_set(ERR_TOOBIG, "timeline: %.0f steps (at most %zu): use a larger step",
			       steps, max_steps);
	*n = (size_t)steps;
	return 0;
}

struct ranked {
	struct series_points sp;
	double total;
};

/* Two label sets pair by pair (name, then value), the shorter first: upstream's order. */
static int cmp_labels(const struct labelset *x, const struct labelset *y)
{
	size_t i, n = x->n < y->n ? x->n : y->n;
	int r;

	for (i = 0; i < n; i++)
		if ((r = strcmp(x->v[i].name, y->v[i].name)) ||
		    (r = strcmp(x->v[i].value, y->v[i].value)))
			return r;
	return (x->n > y->n) - (x->n < y->n);
}

/* As upstream's TopSeries: the larger total first, ties by labels ascending. */
static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return cmp_labels(&x->sp.labels, &y->sp.labels);
}

/* Totals are summed once per series, not at every comparison. */
int series_points_rank(struct series_points_list *l, uint64_t limit)
{
	struct ranked *r;
	size_t i, k;

	if (l->n < 2)
		return 0;
	if (!(r = calloc(l->n, sizeof(*r))))
		return err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i < l->n; i++) {
		r[i].sp = l->v[i];
		for (k = 0; k < l->v[i].n; k++)
			r[i].total += l->v[i].values[k];
	}
	qsort(r, l->n, sizeof(*r), cmp_ranked);
	for (i = 0; i < l->n; i++)
		l->v[i] = r[i].sp;
	free(r);
	for (i = limit ? (size_t)limit : l->n; i < l->n; i++) {
		labelset_free(&l->v[i].labels);
		free(l->v[i].ts_ms);
		free(l->v[i].values);
	}
	if (limit && limit < l->n)
		l->n = (size_t)limit;
	return 0;
}
