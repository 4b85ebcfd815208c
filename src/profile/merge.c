/*
 * merge.c — profiles combined through one builder (see merge.h).  Each input's
 * strings, mappings, functions and locations are re-added and their indices mapped;
 * samples follow with their locations translated.
 */
#include "merge.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/units.h"
#include "builder.h"

struct idx_maps {
	uint32_t *str, *map, *func, *loc;
};

static void maps_release(struct idx_maps *m)
{
	free(m->str);
	free(m->map);
	free(m->func);
	free(m->loc);
}

/* Adds everything of src but its samples; fills the index maps. */
static int add_tables(struct prof_builder *b, const struct prof *src, struct idx_maps *m)
{
	uint32_t i, j, maxl = 1;
	struct prof_line *lines = NULL;
	int rc = 0;

	m->str = malloc((src->nstrs + 1) * sizeof(*m->str));
	m->map = malloc((src->nmappings + 1) * sizeof(*m->map));
	m->func = malloc((src->nfunctions + 1) * sizeof(*m->func));
	m->loc = malloc((src->nlocations + 1) * sizeof(*m->loc));
	for (i = 0; i < src->nlocations; i++)
		if (src->locations[i].nlines > maxl)
			maxl = src->locations[i].nlines;
	lines = malloc(maxl * sizeof(*lines));
	if (!m->str || !m->map || !m->func || !m->loc || !lines) {
		free(lines);
		return err_set(ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < src->nstrs; i++)
		if ((rc = pb_string(b, src->strs[i], src->str_lens[i], &m->str[i])))
			goto done;
	for (i = 0; i < src->nmappings; i++) {
		struct prof_mapping pm = src->mappings[i];

		pm.file = m->str[pm.file];
		pm.build_id = m->str[pm.build_id];
		if ((rc = pb_mapping(b, &pm, &m->map[i])))
			goto done;
	}
	for (i = 0; i < src->nfunctions; i++) {
		struct prof_function f = src->functions[i];

		f.name = m->str[f.name];
		f.system_name = m->str[f.system_name];
		f.file = m->str[f.file];
		if ((rc = pb_function(b, &f, &m->func[i])))
			goto done;
	}
	for (i = 0; i < src->nlocations; i++) {
		const struct prof_location *l = &src->locations[i];

		for (j = 0; j < l->nlines; j++) {
			lines[j].func = m->func[src->lines[l->line_off + j].func];
			lines[j].line = src->lines[l->line_off + j].line;
		}
		if ((rc = pb_location(b, l->mapping == PROF_NONE ? PROF_NONE : m->map[l->mapping],
				      l->address, l->unsymbolized ? NULL : lines,
				      l->unsymbolized ? 0 : l->nlines, &m->loc[i])))
			goto done;
	}
done:
	free(lines);
	return rc;
}

/*
 * Adds src's samples, values times `sign` written to columns [col, col + src->ntypes) of
 * `ncols` (the others 0), plus an extra label when extra.key != 0.
 */
static int add_samples(struct prof_builder *b, const struct prof *src, const struct idx_maps *m,
		       int64_t sign, const struct prof_label *extra, uint32_t col, uint32_t ncols)
{
	uint32_t *locs = NULL, i, j, t, maxl = 1;
	int64_t *vals = NULL;
	struct prof_label *labels = NULL;
	size_t maxlab = 1;
	int rc = 0;

	for (i = 0; i < src->nsamples; i++) {
		if (src->samples[i].nlocs > maxl)
			maxl = src->samples[i].nlocs;
		if (src->samples[i].nlabels + 1 > maxlab)
			maxlab = src->samples[i].nlabels + 1;
	}
	locs = malloc(maxl * sizeof(*locs));
	vals = calloc((size_t)ncols + 1, sizeof(*vals));
	labels = malloc(maxlab * sizeof(*labels));
	if (!locs || !vals || !labels) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < src->nsamples && !rc; i++) {
		const struct prof_sample *s = &src->samples[i];
		uint32_t nl = 0;

		for (j = 0; j < s->nlocs; j++)
			locs[j] = m->loc[src->sample_locs[s->loc_off + j]];
		for (t = 0; t < src->ntypes; t++) {
			int64_t v = prof_value(src, i, t);

			/* -INT64_MIN does not exist; such a value cannot be negated */
			if (sign < 0 && v == INT64_MIN) {
				rc = err_set(ERR_TOOBIG, "a base value is -2^63");
				goto done;
			}
			vals[col + t] = v * sign;
		}
		for (j = 0; j < s->nlabels; j++) {
			struct prof_label l = src->labels[s->label_off + j];

			l.key = m->str[l.key];
			l.str = m->str[l.str];
			l.num_unit = m->str[l.num_unit];
			labels[nl++] = l;
		}
		if (extra->key)
			labels[nl++] = *extra;
		rc = pb_sample(b, locs, s->nlocs, vals, labels, nl);
	}
done:
	free(locs);
	free(vals);
	free(labels);
	return rc;
}

/*
 * pprof's comments of the profiles merged, as its Merge keeps them (combineHeaders): each
 * profile's in order, the first of equal ones only.  The builder interns strings, so
 * equal comments have equal ids: `seen` marks them (one byte per string id the builder
 * can have, see comments_seen_new).
 */
static int add_comments(struct prof_builder *b, const struct prof *src, const struct idx_maps *m,
			uint8_t *seen)
{
	uint32_t i, id;
	int rc;

	for (i = 0; i < src->ncomments; i++) {
		id = m->str[src->comments[i]];
		if (seen[id])
			continue;
		seen[id] = 1;
		if ((rc = pb_add_comment(b, id)))
			return rc;
	}
	return 0;
}

/* The marks add_comments needs for the profiles ps[0..n): as many as their strings, + 8. */
static uint8_t *comments_seen_new(const struct prof *const *ps, size_t n)
{
	size_t i, all = 8;

	for (i = 0; i < n; i++)
		all += ps[i]->nstrs;
	return calloc(all, 1);
}

/* Whether two units are one, or of one family (ns and us, B and kB), as pprof scales them. */
static bool same_unit_family(const char *a, const char *b)
{
	double sa, sb;
	enum unit_kind ka = units_kind(a, &sa), kb = units_kind(b, &sb);

	return strcmp(a, b) == 0 || (ka == kb && ka != UNIT_COUNT);
}

/*
 * The profiles have the same sample types, in the same order, and with `periods` the same
 * period type, as pprof's -diff_base wants ("period type: incompatible types"): a diff of
 * a cpu profile against a wall one is not a difference of the same measure.  pprof scales
 * units of one family (microseconds against nanoseconds) before it compares: a period's
 * unit may be another of its family (the period does not change the values); sample types'
 * units must be equal (their values would need scaling).
 */
static int same_types(const struct prof *base, const struct prof *cur, bool periods)
{
	const struct prof_value_type *pb = &base->period_type, *pc = &cur->period_type;
	uint32_t t;

	if (base->ntypes != cur->ntypes)
		return err_set(ERR_PARSE, "the base profile has %u sample types, this one %u",
			       base->ntypes, cur->ntypes);
	for (t = 0; t < cur->ntypes; t++) {
		if (strcmp(prof_str(base, base->sample_types[t].type),
			   prof_str(cur, cur->sample_types[t].type)) ||
		    strcmp(prof_str(base, base->sample_types[t].unit),
			   prof_str(cur, cur->sample_types[t].unit)))
			return err_set(ERR_PARSE, "sample type %u differs: %s/%s in the base, %s/%s here",
				       t, prof_str(base, base->sample_types[t].type),
				       prof_str(base, base->sample_types[t].unit),
				       prof_str(cur, cur->sample_types[t].type),
				       prof_str(cur, cur->sample_types[t].unit));
	}
	if (periods && (strcmp(prof_str(base, pb->type), prof_str(cur, pc->type)) ||
			!same_unit_family(prof_str(base, pb->unit), prof_str(cur, pc->unit))))
		return err_set(ERR_PARSE, "period type differs: '%s/%s' in the base, '%s/%s' here",
			       prof_str(base, pb->type), prof_str(base, pb->unit),
			       prof_str(cur, pc->type), prof_str(cur, pc->unit));
	return 0;
}

/*
 * The tables of ps[0] (cur) and the header of ps[0 .. n), as pprof's combineHeaders makes
 * it: the earliest time, the durations summed, the largest period; the period type,
 * default type and drop/keep frames of the first.  cur's sample types once, or twice
 * (new side, then base side).
 */
static int add_header(struct prof_builder *b, const struct prof *const *ps, size_t n,
		      struct idx_maps *mc, int twice)
{
	const struct prof *cur = ps[0];
	int64_t time = 0, duration = 0, period = 0;
	uint32_t t, k;
	size_t i;
	int rc;

	if ((rc = add_tables(b, cur, mc)))
		return rc;
	for (k = 0; k <= (uint32_t)twice; k++)
		for (t = 0; t < cur->ntypes; t++)
			if ((rc = pb_sample_type(b, mc->str[cur->sample_types[t].type],
						 mc->str[cur->sample_types[t].unit])))
				return rc;
	for (i = 0; i < n; i++) {
		if (time == 0 || ps[i]->time_nanos < time)
			time = ps[i]->time_nanos;
		if (__builtin_add_overflow(duration, ps[i]->duration_nanos, &duration))
			duration = INT64_MAX;
		if (period == 0 || ps[i]->period > period)
			period = ps[i]->period;
	}
	pb_set_default_type(b, cur->default_type);
	pb_set_period(b, mc->str[cur->period_type.type], mc->str[cur->period_type.unit], period);
	pb_set_times(b, time, duration);
	pb_set_frames(b, cur->drop_frames ? mc->str[cur->drop_frames] : 0,
		      cur->keep_frames ? mc->str[cur->keep_frames] : 0);
	return 0;
}

int prof_diff(const struct prof *base, const struct prof *cur, struct prof **out)
{
	struct idx_maps mb = { 0 }, mc = { 0 };
	struct prof_builder *b = NULL;
	struct prof_label none = { 0 }, mark = { 0 };
	const struct prof *both[2] = { cur, base };
	uint8_t *seen = NULL;
	int rc;

	*out = NULL;
	if ((rc = same_types(base, cur, true)))
		return rc;
	if (!(seen = comments_seen_new(both, 2))) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	/* pprof merges the new profile and the base, in that order: their comments so */
	if ((rc = pb_new(&b)) || (rc = add_header(b, both, 2, &mc, 0)) ||
	    (rc = add_comments(b, cur, &mc, seen)))
		goto done;
	if ((rc = add_tables(b, base, &mb)) || (rc = add_comments(b, base, &mb, seen)) ||
	    (rc = pb_string(b, MERGE_BASE_LABEL, strlen(MERGE_BASE_LABEL), &mark.key)) ||
	    (rc = pb_string(b, "true", 4, &mark.str)) ||
	    (rc = add_samples(b, cur, &mc, 1, &none, 0, cur->ntypes)) ||
	    (rc = add_samples(b, base, &mb, -1, &mark, 0, cur->ntypes)))
		goto done;
	rc = pb_finish(b, out);
	b = NULL;
done:
	pb_free(b);
	free(seen);
	maps_release(&mb);
	maps_release(&mc);
	return rc;
}

int prof_merge(const struct prof *const *ps, size_t n, struct prof **out)
{
	struct idx_maps m = { 0 };
	struct prof_builder *b = NULL;
	struct prof_label none = { 0 };
	uint8_t *seen = NULL;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (n == 0)
		return err_set(ERR_USAGE, "nothing to merge");
	for (i = 1; i < n && !rc; i++)
		rc = same_types(ps[i], ps[0], false);
	if (!rc && !(seen = comments_seen_new(ps, n)))
		rc = err_set(ERR_NOMEM, "out of memory");
	if (rc || (rc = pb_new(&b)))
		goto done;
	for (i = 0; i < n; i++) {
		if ((rc = i ? add_tables(b, ps[i], &m) : add_header(b, ps, n, &m, 0)) ||
		    (rc = add_comments(b, ps[i], &m, seen)) ||
		    (rc = add_samples(b, ps[i], &m, 1, &none, 0, ps[0]->ntypes)))
			goto done;
		maps_release(&m);
		memset(&m, 0, sizeof(m));
	}
	rc = pb_finish(b, out);
	b = NULL;
done:
	pb_free(b);
	free(seen);
	maps_release(&m);
	return rc;
}

int prof_pair(const struct prof *base, const struct prof *cur, struct prof **out)
{
	struct idx_maps mb = { 0 }, mc = { 0 };
	struct prof_builder *b = NULL;
	struct prof_label none = { 0 };
	const struct prof *both[2] = { cur, base };
	uint8_t *seen = NULL;
	int rc;

	*out = NULL;
	if ((rc = same_types(base, cur, true)))
		return rc;
	if (cur->ntypes > 512)
		return err_set(ERR_TOOBIG, "too many sample types to compare (%u)", cur->ntypes);
	if (!(seen = comments_seen_new(both, 2)))
		return err_set(ERR_NOMEM, "out of memory");
	if ((rc = pb_new(&b)) || (rc = add_header(b, both, 2, &mc, 1)) ||
	    (rc = add_comments(b, cur, &mc, seen)) ||
	    (rc = add_tables(b, base, &mb)) || (rc = add_comments(b, base, &mb, seen)) ||
	    (rc = add_samples(b, cur, &mc, 1, &none, 0, 2 * cur->ntypes)) ||
	    (rc = add_samples(b, base, &mb, 1, &none, cur->ntypes, 2 * cur->ntypes)))
		goto done;
	rc = pb_finish(b, out);
	b = NULL;
done:
	pb_free(b);
	free(seen);
	maps_release(&mb);
	maps_release(&mc);
	return rc;
}

int prof_unpair(const struct prof *pair, bool diff_form, struct prof **out)
{
	struct prof_builder *b = NULL;
	struct prof_label *labels = NULL, mark = { 0 };
	uint32_t nt = pair->ntypes / 2, i, t, maxlab = 1;
	int64_t *vals = malloc(((size_t)nt + 1) * sizeof(*vals));
	int rc;

	*out = NULL;
	for (i = 0; i < pair->nsamples; i++)
		if (pair->samples[i].nlabels + 1 > maxlab)
			maxlab = pair->samples[i].nlabels + 1;
	labels = malloc((size_t)maxlab * sizeof(*labels));
	if (!vals || !labels) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	if ((rc = pb_new(&b)) || (rc = pb_copy_header(b, pair, true)))
		goto done;
	/* pb_copy_header copied both halves of the types: the builder keeps the first nt */
	pb_truncate_types(b, nt);
	if ((rc = pb_string(b, MERGE_BASE_LABEL, strlen(MERGE_BASE_LABEL), &mark.key)) ||
	    (rc = pb_string(b, "true", 4, &mark.str)))
		goto done;
	if ((rc = pb_copy_locations(b, pair)))
		goto done;
	for (i = 0; i < pair->nsamples && !rc; i++) {
		const struct prof_sample *s = &pair->samples[i];
		bool is_base = false;
		uint32_t nl = s->nlabels;

		for (t = 0; t < nt; t++)
			if (prof_value(pair, i, nt + t) != 0)
				is_base = true;
		if (is_base && !diff_form)
			continue;
		for (t = 0; t < nt; t++) {
			int64_t v = prof_value(pair, i, is_base ? nt + t : t);

			if (is_base && v == INT64_MIN) {
				rc = err_set(ERR_TOOBIG, "a base value is -2^63");
				goto done;
			}
			vals[t] = is_base ? -v : v;
		}
		if (s->nlabels) /* a profile without labels has none: pair->labels is NULL */
			memcpy(labels, pair->labels + s->label_off,
			       s->nlabels * sizeof(*labels));
		if (is_base)
			labels[nl++] = mark;
		rc = pb_sample(b, pair->sample_locs + s->loc_off, s->nlocs, vals, labels, nl);
	}
	if (!rc) {
		rc = pb_finish(b, out);
		b = NULL;
	}
done:
	pb_free(b);
	free(vals);
	free(labels);
	return rc;
}

int prof_scale(const struct prof *p, double f, struct prof **out)
{
	struct prof_builder *b = NULL;
	int64_t *v = malloc(((size_t)p->ntypes + 1) * sizeof(*v));
	uint32_t i, t;
	int rc;

	*out = NULL;
	if (!v)
		return err_set(ERR_NOMEM, "out of memory");
	if ((rc = pb_new(&b)) || (rc = pb_copy_header(b, p, true)))
		goto done;
	if ((rc = pb_copy_locations(b, p)))
		goto done;
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];

		for (t = 0; t < p->ntypes; t++)
			v[t] = (int64_t)llround((double)prof_value(p, i, t) * f);
		if ((rc = pb_sample(b, p->sample_locs + s->loc_off, s->nlocs, v,
				    p->labels + s->label_off, s->nlabels)))
			goto done;
	}
	rc = pb_finish(b, out);
	b = NULL;
done:
	pb_free(b);
	free(v);
	return rc;
}
