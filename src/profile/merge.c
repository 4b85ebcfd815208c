/*
 * merge.c — profiles combined through one builder (see merge.h).  Each input's
 * strings, mappings, functions and locations are re-added and their indices mapped;
 * samples follow with their locations translated.
 */
#include "merge.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
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
 * Units.  pprof (its driver's combineProfiles, go tool pprof of Go 1.19) runs its
 * measurement.ScaleProfiles over the profiles before it merges them, for -diff_base and
 * -base too, whose base is the second of [new, base]; then profile.Merge wants equal
 * sample types and period types.  ScaleProfiles takes, of each sample type and of the
 * period type, the finest unit of the profiles (the first of equally fine ones, its
 * spelling kept); units of different families, or type names that differ more than by
 * a trailing 's', are "incompatible types".  Values are scaled as its ScaleN scales them
 * (times the ratio, rounded half away from zero, in float64), and a profile any of whose
 * ratios is not 1 loses the samples whose scaled values are all 0; the period is scaled
 * in float64 and truncated.  Units of one family are never refused, and a diff of
 * cpu/microseconds against cpu/nanoseconds is one of nanoseconds.  One difference: a
 * value past int64 once scaled is refused (pprof's int64() makes it -2^63, a value the
 * builder refuses anyway).
 */
struct units_plan {
	uint32_t ntypes;
	double *ratio;      /* [i * ntypes + t]: profile i's values of type t times this */
	size_t *unit_of;    /* [t]: the profile whose unit of type t all take */
	int64_t *period;    /* [i]: profile i's period in the common period unit */
	size_t period_of;   /* the profile whose period unit all take */
};

static void plan_release(struct units_plan *pl)
{
	free(pl->ratio);
	free(pl->unit_of);
	free(pl->period);
	memset(pl, 0, sizeof(*pl));
}

/* Go's int64(f) on amd64, where pprof's numbers are made: out of range (or NaN) is -2^63. */
static int64_t go_int64(double f)
{
	if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0))
		return INT64_MIN;
	return (int64_t)f;
}

/* pprof's measurement.Scale(v, from, to): v in `from` as a number of `to`. */
static double unit_scale(int64_t v, const struct prof *pf, uint32_t from, const struct prof *pt,
			 uint32_t to)
{
	static const double family_default[] = { 1, 1, 1e9, 1 };  /* -, B, s, GCU */
	double ff, tf;
	enum unit_family f = units_pprof_family(prof_str(pf, from), prof_strlen(pf, from), &ff);

	if (f == UNIT_FAMILY_NONE)
		return (double)v;
	if (units_pprof_family(prof_str(pt, to), prof_strlen(pt, to), &tf) != f)
		tf = family_default[f];
	return (double)v * ff / tf;
}

static bool str_eq(const struct prof *a, uint32_t x, const struct prof *b, uint32_t y)
{
	size_t n = prof_strlen(a, x);

	return n == prof_strlen(b, y) && memcmp(prof_str(a, x), prof_str(b, y), n) == 0;
}

/* pprof's compatibleValueTypes: names equal but for one trailing 's'; units one family. */
static bool vt_compatible(const struct prof *a, const struct prof_value_type *va,
			  const struct prof *b, const struct prof_value_type *vb)
{
	size_t la = prof_strlen(a, va->type), lb = prof_strlen(b, vb->type);
	const char *ta = prof_str(a, va->type), *tb = prof_str(b, vb->type);
	double f;
	enum unit_family fa, fb;

	if (la && ta[la - 1] == 's')
		la--;
	if (lb && tb[lb - 1] == 's')
		lb--;
	if (la != lb || memcmp(ta, tb, la) != 0)
		return false;
	if (str_eq(a, va->unit, b, vb->unit))
		return true;
	fa = units_pprof_family(prof_str(a, va->unit), prof_strlen(a, va->unit), &f);
	fb = units_pprof_family(prof_str(b, vb->unit), prof_strlen(b, vb->unit), &f);
	return fa != UNIT_FAMILY_NONE && fa == fb;
}

/* How profile i is named in messages: "here" and "in the base" for a diff (new, base). */
static void side_name(char *out, size_t size, size_t i, bool diff)
{
	if (diff)
		snprintf(out, size, "%s", i ? "in the base" : "here");
	else
		snprintf(out, size, "in part %zu", i + 1);
}

/*
 * pprof's measurement.CommonValueType, then Merge's equality, over vt[i] of ps[i] (a
 * sample type or the period type of each): *common gets the profile with the finest
 * unit.  false names the pair refused: *j (the later) and *k.
 */
static bool common_type(const struct prof *const *ps, const struct prof_value_type *const *vt,
			size_t n, size_t *common, size_t *j, size_t *k)
{
	size_t i, m = 0;

	for (i = 1; i < n; i++) {
		if (!vt_compatible(ps[m], vt[m], ps[i], vt[i])) {
			*j = i;
			*k = m;
			return false;
		}
		if (unit_scale(1, ps[i], vt[i]->unit, ps[m], vt[m]->unit) < 1)
			m = i;
	}
	/* Merge: names must be equal (a trailing 's' is no longer forgiven), units are */
	for (i = 1; i < n; i++) {
		if (!str_eq(ps[i], vt[i]->type, ps[0], vt[0]->type)) {
			*j = i;
			*k = 0;
			return false;
		}
	}
	*common = m;
	return true;
}

/*
 * The plan for ps[0..n) (n >= 1), refused as pprof refuses: different numbers of sample
 * types, incompatible ones; with `periods`, incompatible period types.  Without
 * `periods` (prof_merge: the pieces of one range) periods of compatible types are
 * scaled, any others kept as they are.  `diff`: ps is {new, base}, for the messages.
 */
static int plan_units(struct units_plan *pl, const struct prof *const *ps, size_t n,
		      bool periods, bool diff)
{
	const struct prof_value_type **vt = NULL;
	uint32_t nt = ps[0]->ntypes, t;
	size_t i, j = 0, k = 0, c = 0;
	char sj[32], sk[32];
	int rc = 0;

	memset(pl, 0, sizeof(*pl));
	pl->ntypes = nt;
	for (i = 1; i < n; i++) {
		if (ps[i]->ntypes == nt)
			continue;
		if (diff)
			return err_set(ERR_PARSE, "the base profile has %u sample types, this one %u",
				       ps[i]->ntypes, nt);
		return err_set(ERR_PARSE, "part %zu has %u sample types, part 1 %u", i + 1,
			       ps[i]->ntypes, nt);
	}
	vt = calloc(n, sizeof(*vt));
	pl->ratio = malloc(((size_t)nt * n + 1) * sizeof(*pl->ratio));
	pl->unit_of = malloc(((size_t)nt + 1) * sizeof(*pl->unit_of));
	pl->period = malloc(n * sizeof(*pl->period));
	if (!vt || !pl->ratio || !pl->unit_of || !pl->period) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	for (t = 0; t < nt; t++) {
		for (i = 0; i < n; i++)
			vt[i] = &ps[i]->sample_types[t];
		if (!common_type(ps, vt, n, &c, &j, &k)) {
			side_name(sj, sizeof(sj), j, diff);
			side_name(sk, sizeof(sk), k, diff);
			rc = err_set(ERR_PARSE, "sample type %u differs: %s/%s %s, %s/%s %s", t,
				     prof_str(ps[j], vt[j]->type), prof_str(ps[j], vt[j]->unit),
				     sj, prof_str(ps[k], vt[k]->type),
				     prof_str(ps[k], vt[k]->unit), sk);
			goto done;
		}
		pl->unit_of[t] = c;
		for (i = 0; i < n; i++)
			pl->ratio[i * nt + t] = unit_scale(1, ps[i], vt[i]->unit, ps[c],
							   vt[c]->unit);
	}
	for (i = 0; i < n; i++)
		vt[i] = &ps[i]->period_type;
	if (common_type(ps, vt, n, &c, &j, &k)) {
		/* pprof scales no period of a lone profile (CommonValueType is nil then) */
		pl->period_of = c;
		for (i = 0; i < n; i++) {
			double f = unit_scale(ps[i]->period, ps[i], vt[i]->unit, ps[c],
					      vt[c]->unit);

			pl->period[i] = n < 2 ? ps[i]->period : go_int64(f);
		}
	} else if (periods) {
		side_name(sj, sizeof(sj), j, diff);
		side_name(sk, sizeof(sk), k, diff);
		rc = err_set(ERR_PARSE, "period type differs: '%s/%s' %s, '%s/%s' %s",
			     prof_str(ps[j], vt[j]->type), prof_str(ps[j], vt[j]->unit), sj,
			     prof_str(ps[k], vt[k]->type), prof_str(ps[k], vt[k]->unit), sk);
	} else {
		for (i = 0; i < n; i++)
			pl->period[i] = ps[i]->period;
	}
done:
	free(vt);
	if (rc)
		plan_release(pl);
	return rc;
}

/* Profile i's ratios in the plan, or NULL when they are all 1 (ScaleN then does nothing). */
static const double *plan_ratios(const struct units_plan *pl, size_t i)
{
	const double *r = pl->ratio + i * pl->ntypes;
	uint32_t t;

	for (t = 0; t < pl->ntypes; t++)
		if (r[t] != 1)
			return r;
	return NULL;
}

/*
 * v times r as pprof's ScaleN makes it; false past int64, where pprof's int64() makes
 * -2^63, a value no profile here has.
 */
static bool scale_value(int64_t v, double r, int64_t *out)
{
	double f = round((double)v * r);

	if (!(f > -9223372036854775808.0 && f < 9223372036854775808.0))
		return false;
	*out = (int64_t)f;
	return true;
}

static int scaled_too_big(const struct prof *src, uint32_t i, uint32_t t)
{
	const struct prof_value_type *st = &src->sample_types[t];

	return err_set(ERR_TOOBIG, "sample %u: a value of '%s' (%lld %s) is past 2^63 in the "
		       "finer unit", i, prof_str(src, st->type), (long long)prof_value(src, i, t),
		       prof_str(src, st->unit));
}

/*
 * Adds src's samples, values times `sign` written to columns [col, col + src->ntypes) of
 * `ncols` (the others 0), plus an extra label when extra.key != 0.  With `ratio` (one per
 * type; see struct units_plan), values are then scaled as pprof's ScaleN scales them and
 * a sample none of whose scaled values is left non-zero is dropped, as ScaleN drops it.
 */
static int add_samples(struct prof_builder *b, const struct prof *src, const struct idx_maps *m,
		       int64_t sign, const double *ratio, const struct prof_label *extra,
		       uint32_t col, uint32_t ncols)
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
		bool keep = !ratio;

		for (j = 0; j < s->nlocs; j++)
			locs[j] = m->loc[src->sample_locs[s->loc_off + j]];
		for (t = 0; t < src->ntypes; t++) {
			int64_t v = prof_value(src, i, t);

			/* -INT64_MIN does not exist; such a value cannot be negated */
			if (sign < 0 && v == INT64_MIN) {
				rc = err_set(ERR_TOOBIG, "a base value is -2^63");
				goto done;
			}
			/* pprof negates the base (Scale(-1)) before it scales units */
			v *= sign;
			if (ratio && ratio[t] != 1) {
				if (!scale_value(v, ratio[t], &v)) {
					rc = scaled_too_big(src, i, t);
					goto done;
				}
				keep = keep || v != 0;
			}
			vals[col + t] = v;
		}
		if (!keep)
			continue;
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

/* The builder's id of unit `unit` of ps[j] (mc: ps[0]'s string ids, already added). */
static int unit_id(struct prof_builder *b, const struct prof *const *ps, size_t j, uint32_t unit,
		   const struct idx_maps *mc, uint32_t *out)
{
	if (j == 0) {
		*out = mc->str[unit];
		return 0;
	}
	return pb_string(b, prof_str(ps[j], unit), prof_strlen(ps[j], unit), out);
}

/*
 * The default type of ps[0 .. n) merged, as combineHeaders takes it: the first default
 * named, as the type of cur (ps[0]) of that name (pprof's SampleIndexByName: the first);
 * PROF_NONE when none names one.
 */
static uint32_t merged_default(const struct prof *const *ps, size_t n)
{
	const struct prof *cur = ps[0];
	const char *name;
	uint32_t t;
	size_t i;

	for (i = 0; i < n && !ps[i]->default_named; i++)
		;
	if (i == n)
		return PROF_NONE;
	if (i == 0)  /* exact also when an earlier type has its name */
		return cur->default_type;
	name = prof_str(ps[i], ps[i]->sample_types[ps[i]->default_type].type);
	for (t = 0; t < cur->ntypes; t++)
		if (strcmp(prof_str(cur, cur->sample_types[t].type), name) == 0)
			return t;
	return PROF_NONE;
}

/*
 * The tables of ps[0] (cur) and the header of ps[0 .. n), as pprof's combineHeaders makes
 * it: the earliest time, the durations summed, the largest period (in the plan's period
 * unit); the first default type named (none named: the fallback, cur's last type); the
 * period type and drop/keep frames of the first.  cur's sample types once, or twice (new
 * side, then base side: the default is always a new side's type), with the plan's units.
 */
static int add_header(struct prof_builder *b, const struct prof *const *ps, size_t n,
		      const struct units_plan *pl, struct idx_maps *mc, int twice)
{
	const struct prof *cur = ps[0];
	int64_t time = 0, duration = 0, period = 0;
	uint32_t t, k, unit, dflt;
	size_t i;
	int rc;

	if ((rc = add_tables(b, cur, mc)))
		return rc;
	for (k = 0; k <= (uint32_t)twice; k++) {
		for (t = 0; t < cur->ntypes; t++) {
			size_t j = pl->unit_of[t];

			if ((rc = unit_id(b, ps, j, ps[j]->sample_types[t].unit, mc, &unit)) ||
			    (rc = pb_sample_type(b, mc->str[cur->sample_types[t].type], unit)))
				return rc;
		}
	}
	for (i = 0; i < n; i++) {
		if (time == 0 || ps[i]->time_nanos < time)
			time = ps[i]->time_nanos;
		if (__builtin_add_overflow(duration, ps[i]->duration_nanos, &duration))
			duration = INT64_MAX;
		if (period == 0 || pl->period[i] > period)
			period = pl->period[i];
	}
	if ((rc = unit_id(b, ps, pl->period_of, ps[pl->period_of]->period_type.unit, mc, &unit)))
		return rc;
	if ((dflt = merged_default(ps, n)) != PROF_NONE)
		pb_set_default_type(b, dflt);
	else if (twice)  /* not pb_finish's fallback, the last base side type; unnamed */
		pb_set_fallback_type(b, cur->default_type);
	pb_set_period(b, mc->str[cur->period_type.type], unit, period);
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
	struct units_plan pl;
	uint8_t *seen = NULL;
	int rc;

	*out = NULL;
	if ((rc = plan_units(&pl, both, 2, true, true)))
		return rc;
	if (!(seen = comments_seen_new(both, 2))) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	/* pprof merges the new profile and the base, in that order: their comments so */
	if ((rc = pb_new(&b)) || (rc = add_header(b, both, 2, &pl, &mc, 0)) ||
	    (rc = add_comments(b, cur, &mc, seen)))
		goto done;
	if ((rc = add_tables(b, base, &mb)) || (rc = add_comments(b, base, &mb, seen)) ||
	    (rc = pb_string(b, MERGE_BASE_LABEL, strlen(MERGE_BASE_LABEL), &mark.key)) ||
	    (rc = pb_string(b, "true", 4, &mark.str)) ||
	    (rc = add_samples(b, cur, &mc, 1, plan_ratios(&pl, 0), &none, 0, cur->ntypes)) ||
	    (rc = add_samples(b, base, &mb, -1, plan_ratios(&pl, 1), &mark, 0, cur->ntypes)))
		goto done;
	rc = pb_finish(b, out);
	b = NULL;
done:
	pb_free(b);
	free(seen);
	plan_release(&pl);
	maps_release(&mb);
	maps_release(&mc);
	return rc;
}

int prof_merge(const struct prof *const *ps, size_t n, struct prof **out)
{
	struct idx_maps m = { 0 };
	struct prof_builder *b = NULL;
	struct prof_label none = { 0 };
	struct units_plan pl;
	uint8_t *seen = NULL;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (n == 0)
		return err_set(ERR_USAGE, "nothing to merge");
	if ((rc = plan_units(&pl, ps, n, false, false)))
		return rc;
	if (!(seen = comments_seen_new(ps, n)))
		rc = err_set(ERR_NOMEM, "out of memory");
	if (rc || (rc = pb_new(&b)))
		goto done;
	for (i = 0; i < n; i++) {
		if ((rc = i ? add_tables(b, ps[i], &m) : add_header(b, ps, n, &pl, &m, 0)) ||
		    (rc = add_comments(b, ps[i], &m, seen)) ||
		    (rc = add_samples(b, ps[i], &m, 1, plan_ratios(&pl, i), &none, 0,
				      ps[0]->ntypes)))
			goto done;
		maps_release(&m);
		memset(&m, 0, sizeof(m));
	}
	rc = pb_finish(b, out);
	b = NULL;
done:
	pb_free(b);
	free(seen);
	plan_release(&pl);
	maps_release(&m);
	return rc;
}

int prof_pair(const struct prof *base, const struct prof *cur, struct prof **out)
{
	struct idx_maps mb = { 0 }, mc = { 0 };
	struct prof_builder *b = NULL;
	struct prof_label none = { 0 };
	const struct prof *both[2] = { cur, base };
	struct units_plan pl;
	uint8_t *seen = NULL;
	int rc;

	*out = NULL;
	if (cur->ntypes > 512)
		return err_set(ERR_TOOBIG, "too many sample types to compare (%u)", cur->ntypes);
	if ((rc = plan_units(&pl, both, 2, true, true)))
		return rc;
	if (!(seen = comments_seen_new(both, 2))) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	if ((rc = pb_new(&b)) || (rc = add_header(b, both, 2, &pl, &mc, 1)) ||
	    (rc = add_comments(b, cur, &mc, seen)) ||
	    (rc = add_tables(b, base, &mb)) || (rc = add_comments(b, base, &mb, seen)) ||
	    (rc = add_samples(b, cur, &mc, 1, plan_ratios(&pl, 0), &none, 0, 2 * cur->ntypes)) ||
	    (rc = add_samples(b, base, &mb, 1, plan_ratios(&pl, 1), &none, cur->ntypes,
			      2 * cur->ntypes)))
		goto done;
	rc = pb_finish(b, out);
	b = NULL;
done:
	pb_free(b);
	free(seen);
	plan_release(&pl);
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
		rc = pb_sample(b, s->nlocs ? pair->sample_locs + s->loc_off : NULL, s->nlocs, vals,
			       labels, nl);
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
		if ((rc = pb_sample(b, s->nlocs ? p->sample_locs + s->loc_off : NULL, s->nlocs, v,
				    s->nlabels ? p->labels + s->label_off : NULL, s->nlabels)))
			goto done;
	}
	rc = pb_finish(b, out);
	b = NULL;
done:
	pb_free(b);
	free(v);
	return rc;
}

/*
 * The new side of a difference (prof_is_signed: pprof's -diff_base form), for svg and
 * speedscope, which cannot draw a negative weight: the samples that are not the base's.
 * pprof negates the base's and labels them pprof::base=true; a difference without the
 * label (read from folded text) has its samples negative in `type` left out.  What the
 * explorer writes for a comparison in these formats (export_view.c).
 */
int prof_new_side(const struct prof *p, uint32_t type, struct prof **out)
{
	uint32_t key = prof_find_str(p, MERGE_BASE_LABEL), yes = prof_find_str(p, "true"), i, k;
	struct prof_builder *b = NULL;
	int rc;

	*out = NULL;
	if ((rc = pb_new(&b)) || (rc = pb_copy_header(b, p, true)) ||
	    (rc = pb_copy_locations(b, p)))
		goto done;
	for (i = 0; i < p->nsamples && !rc; i++) {
		const struct prof_sample *s = &p->samples[i];
		bool base = prof_value(p, i, type) < 0;

		for (k = 0; k < s->nlabels && !base && key != PROF_NONE; k++)
			base = p->labels[s->label_off + k].key == key &&
			       p->labels[s->label_off + k].str == yes;
		if (!base)
			rc = pb_copy_sample(b, p, i);
	}
	if (!rc) {
		rc = pb_finish(b, out);
		b = NULL;
	}
done:
	pb_free(b);
	return rc;
}
