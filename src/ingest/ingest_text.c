/*
 * ingest_text.c — /ingest's non-pprof bodies (ingest_int.h), as Pyroscope's og path
 * handles them (pkg/og/convert/parser.go, speedscope/, ingest_adapter.go; spec §1.3-1.4):
 *
 *   groups      `frame;frame;... count` per line, split at the last space; a line
 *               without a space is skipped; a count that is not an integer is an
 *               error; `a;;b` has an empty frame; identical stacks add up;
 *   lines       one stack per line, each occurrence counts 1; empty lines are skipped;
 *   speedscope  the file format ($schema must be speedscope's), evented or sampled;
 *               each profile's samples carry a `profile_name` sample label (upstream:
 *               one series per profile; the store makes the same series from it), an
 *               unnamed profile's none, and the series none (upstream's profile name
 *               replaces a profile_name given in `name`); a file with several
 *               profiles (once those of equal name, type, unit and startValue merge,
 *               no name being "") types
 *               its data by unit (name.<unit>), as upstream does: one item per unit, so
 *               "nanoseconds" and "bytes" profiles in one file become app.nanoseconds
 *               (wall) and app.bytes (memory); a file without profiles (no key, null
 *               or []) stores nothing and is answered 200, as upstream's parseAll
 *               (the CLI's decoder, speedscope_decode, still calls it an error).
 *
 * The name's last dot-separated part is the profile type (`app.cpu`; none: cpu), from
 * the table below; cpu and wall data with a sampleRate become nanoseconds (count × 1e9 /
 * sampleRate) with period type cpu/nanoseconds.  Series labels: __name__,
 * pyroscope_spy, the name's labels, service_name = the app (or app_name = the app when
 * the labels set service_name).  A `profile_id` label makes upstream drop the data
 * silently; so does this.
 *
 * Statuses, as upstream answers them: a body that does not parse is 422.  What is
 * refused after parsing (an unknown type, the profile's limits, a time outside the
 * ingestion window, the series labels) is 400 invalid_argument for folded and lines
 * bodies, whose converter wraps the adapter's Connect error in an ingestion.Error that
 * the handler writes as it is (pkg/og/convert/profile/profile.go), but 422 "unknown"
 * for speedscope, whose converter returns it unwrapped (og/convert/speedscope).
 *
 * Deliberate differences: lines of any length are read (Pyroscope's line scanner stops
 * at 64 KiB, silently for folded data); parsing stops as soon as there are more distinct
 * stacks than the sample limit allows (400, so memory stays bounded), a speedscope
 * decode as soon as it makes more samples than that (422; an evented profile repeats its
 * open stack in a sample per event, each copied no deeper than the depth limit keeps),
 * and a speedscope body may hold 2^20 JSON values; counts whose product with the period
 * overflows are refused instead of wrapping; speedscope time values are kept as exact
 * nanoseconds (upstream scales them by an internal precision factor and the sampleRate,
 * which can round them to zero); speedscope weights in unit "none" are kept as sample
 * counts: upstream multiplies them by that factor, 100, and undoes it only by making a
 * default sampleRate of 100 a rate of 10,000, so its numbers are the same for cpu and
 * wall at the default rate but 100 times the file's for any other rate (3 samples at
 * sampleRate=50 are 6 s, not 60 ms) and for every other type (3 exceptions are 300),
 * and its evented parser leaves the factor out of the time before a frame opens, mixing
 * both scales in one profile; the duration is until - from, none when `from` is no time
 * (<= 0) and the profile is stored at now (upstream keeps until - from, decades for
 * from=0, which smolder's readers would take as the profile's end); the
 * decompressed-size limit, which upstream applies to the pprof it converts these bodies
 * to, is left to the body and sample limits.
 */
#include "ingest_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "ingest/decode.h"
#include "profile/builder.h"

struct suffix {
	const char *suffix, *metric, *type, *unit;  /* type NULL: the suffix itself */
};

static const struct suffix suffixes[] = {
	{ "cpu", "process_cpu", "samples", "count" },
	{ "itimer", "process_cpu", "samples", "count" },
	{ "wall", "wall", "samples", "count" },
	{ "seconds", "wall", "samples", "count" },
	{ "nanoseconds", "wall", "samples", "count" },
	{ "microseconds", "wall", "samples", "count" },
	{ "milliseconds", "wall", "samples", "count" },
	{ "inuse_objects", "memory", NULL, "count" },
	{ "inuse_space", "memory", NULL, "bytes" },
	{ "alloc_objects", "memory", NULL, "count" },
	{ "alloc_space", "memory", NULL, "bytes" },
	{ "goroutines", "goroutine", NULL, "count" },
	{ "mutex_count", "mutex", "contentions", "count" },
	{ "mutex_duration", "mutex", "delay", "nanoseconds" },
	{ "block_count", "block", "contentions", "count" },
	{ "block_duration", "block", "delay", "nanoseconds" },
	{ "lock_count", "block", "contentions", "count" },
	{ "lock_duration", "block", "delay", "nanoseconds" },
	{ "alloc_in_new_tlab_objects", "memory", NULL, "count" },
	{ "alloc_in_new_tlab_bytes", "memory", NULL, "bytes" },
	{ "alloc_outside_tlab_objects", "memory", NULL, "count" },
	{ "alloc_outside_tlab_bytes", "memory", NULL, "bytes" },
	{ "live", "memory", NULL, "count" },
	{ "exceptions", "exceptions", "samples", "count" },
	{ "bytes", "memory", "samples", "bytes" },
};

/* What a name's suffix makes of the data: the profile type and the value scale. */
struct og_type {
	struct buf app;          /* the name without its suffix */
	const char *metric, *type, *unit;
	const char *ptype, *punit;  /* NULL: no period */
	int64_t period, scale;
	bool known;
};

/* Splits `name` (NUL-terminated) and fills t; t->known is false for an unknown suffix. */
static void og_type(const char *name, uint32_t rate, bool time_values, struct og_type *t)
{
	const char *dot = strrchr(name, '.'), *suf = dot ? dot + 1 : "cpu";
	size_t i;

	buf_reset(&t->app);
	buf_add(&t->app, name, dot ? (size_t)(dot - name) : strlen(name));
	buf_add(&t->app, "", 0);
	t->known = false;
	t->ptype = t->punit = NULL;
	t->period = 0;
	t->scale = 1;
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (strcmp(suf, suffixes[i].suffix) == 0)
			break;
	if (i == sizeof(suffixes) / sizeof(suffixes[0]))
		return;
	t->known = true;
	t->metric = suffixes[i].metric;
	t->type = suffixes[i].type ? suffixes[i].type : suffixes[i].suffix;
	t->unit = suffixes[i].unit;
	if ((rate != 0 || time_values) &&
	    (strcmp(t->metric, "wall") == 0 || strcmp(t->metric, "process_cpu") == 0)) {
		t->period = rate ? 1000000000 / (int64_t)rate : 0;
		t->ptype = "cpu";
		t->punit = "nanoseconds";
		t->type = strcmp(t->metric, "wall") == 0 ? "wall" : "cpu";
		t->unit = "nanoseconds";
		t->scale = time_values ? 1 : t->period;
	}
}

/* ---- groups and lines ---- */

struct stacks {
	struct strmap map;
	int64_t *values;
	size_t cap;
	size_t limit;  /* distinct stacks allowed (0: any) */
};

static int stacks_add(struct stacks *s, const char *k, size_t n, int64_t v, size_t lineno)
{
	uint32_t i;
	int rc;

	if ((rc = strmap_intern(&s->map, k, n, &i)) < 0)
		return rc;
	if (rc == 0 && s->limit && s->map.n > s->limit)
		return err_set(ERR_TOOBIG, "line %zu: more than %zu distinct stacks, the limit of "
				  "samples per profile", lineno, s->limit);
	if (rc == 0) {
		if ((rc = vec_reserve(&s->values, &s->cap, s->map.n)))
			return rc;
		s->values[i] = 0;
	}
	if (__builtin_add_overflow(s->values[i], v, &s->values[i]))
		return err_set(ERR_TOOBIG, "line %zu: the counts of a stack add up past 2^63",
			       lineno);
	return 0;
}

static int parse_text(const char *p, size_t len, bool lines, struct stacks *s)
{
	const char *end = p + len;
	size_t lineno = 0;
	int rc;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		int64_t v = 1;

		lineno++;
		if (n && p[n - 1] == '\r')
			n--;
		if (lines) {
			if (n && (rc = stacks_add(s, p, n, 1, lineno)))
				return rc;
		} else if ((sp = memrchr(p, ' ', n))) {
			if (!ingest_atoi(sp + 1, (size_t)(p + n - sp - 1), &v)) {
				struct buf q = BUF_INIT;

				ingest_quote(&q, sp + 1, (size_t)(p + n - sp - 1));
				rc = err_set(ERR_PARSE, "line %zu: %s is not a sample count",
					     lineno, q.data ? q.data : "");
				buf_release(&q);
				return rc;
			}
			if ((rc = stacks_add(s, p, (size_t)(sp - p), v, lineno)))
				return rc;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* Builds the one-type profile of the stacks: frames root first, split at ';'. */
static int build_stacks(const struct stacks *s, const struct og_type *t, int64_t from,
			struct prof **out)
{
	struct prof_builder *b;
	uint32_t *locs = NULL, ty, un, i, j;
	size_t cap = 0, k;
	int rc;

	*out = NULL;
	if ((rc = pb_new(&b)))
		return rc;
	if ((rc = pb_string(b, t->type, strlen(t->type), &ty)) ||
	    (rc = pb_string(b, t->unit, strlen(t->unit), &un)) || (rc = pb_sample_type(b, ty, un)))
		goto fail;
	if (t->ptype) {
		if ((rc = pb_string(b, t->ptype, strlen(t->ptype), &ty)) ||
		    (rc = pb_string(b, t->punit, strlen(t->punit), &un)))
			goto fail;
		pb_set_period(b, ty, un, t->period);
	}
	pb_set_times(b, from, 0);
	for (k = 0; k < s->map.n; k++) {
		const char *f = s->map.keys[k].s, *e = f + s->map.keys[k].n;
		uint32_t n = 0;
		int64_t v;

		/* Pyroscope's tree: a segment per ';', the last one only when not empty */
		while (f < e) {
			const char *semi = memchr(f, ';', (size_t)(e - f));

			if (!semi)
				semi = e;
			if ((rc = vec_reserve(&locs, &cap, (size_t)n + 1)) ||
			    (rc = pb_named_frame(b, f, (size_t)(semi - f), &locs[n])))
				goto fail;
			n++;
			f = semi + 1;
		}
		for (i = 0, j = n ? n - 1 : 0; i < j; i++, j--) {
			uint32_t x = locs[i];

			locs[i] = locs[j];
			locs[j] = x;
		}
		if (__builtin_mul_overflow(s->values[k], t->scale, &v)) {
			rc = err_set(ERR_TOOBIG, "a count times the period %lld overflows",
				     (long long)t->scale);
			goto fail;
		}
		if ((rc = pb_sample(b, locs, n, &v, NULL, 0)))
			goto fail;
	}
	free(locs);
	return pb_finish(b, out);
fail:
	free(locs);
	pb_free(b);
	return rc;
}

/* ---- speedscope ---- */

#define SPEEDSCOPE_SCHEMA "https://www.speedscope.app/file-format-schema.json"
/* JSON values in a speedscope body (~64 MiB for jansson); the decoder parses it again */
#define SPEEDSCOPE_INGEST_MAX_VALUES ((size_t)1 << 20)

/* speedscope's units, which upstream's converter knows */
static const char *const ss_units[] = { "none",		"nanoseconds", "microseconds",
					"milliseconds", "seconds",     "bytes" };
#define SS_NUNITS (sizeof(ss_units) / sizeof(ss_units[0]))

/* A profile's name as upstream's decoder reads it: missing or null is "". */
static const char *ss_name(const json_t *pr, size_t *len)
{
	const json_t *v = json_object_get(pr, "name");

	*len = json_is_string(v) ? json_string_length(v) : 0;
	return json_is_string(v) ? json_string_value(v) : "";
}

/*
 * Upstream's checks before converting: the schema, each profile's type and unit; and
 * how many profiles remain once those with equal (name, type, unit, startValue) merge
 * (a profile without a name merges with the others without one, or named "").
 * units[] gets the distinct units in order of appearance (static strings), *nunits
 * their number.
 */
static int speedscope_meta(json_t *root, size_t *nmerged, const char **units, size_t *nunits)
{
	json_t *schema = json_object_get(root, "$schema"), *profiles, *pr;
	size_t i, j, n;

	*nmerged = 0;
	*nunits = 0;
	if (!json_is_string(schema) || strcmp(json_string_value(schema), SPEEDSCOPE_SCHEMA) != 0)
		return err_set(ERR_PARSE, "unknown schema: $schema must be " SPEEDSCOPE_SCHEMA);
	profiles = json_object_get(root, "profiles");
	n = json_array_size(profiles);
	for (i = 0; i < n; i++) {
		const char *ty, *un, *pn;
		size_t pl;
		bool seen = false;

		pr = json_array_get(profiles, i);
		ty = json_string_value(json_object_get(pr, "type"));
		un = json_string_value(json_object_get(pr, "unit"));
		if (!ty || (strcmp(ty, "evented") != 0 && strcmp(ty, "sampled") != 0))
			return err_set(ERR_PARSE, "profile %zu: the type must be evented or "
					  "sampled", i);
		for (j = 0; un && j < SS_NUNITS; j++)
			if (strcmp(un, ss_units[j]) == 0)
				break;
		if (!un || j == SS_NUNITS)
			return err_set(ERR_PARSE, "profile %zu: the unit must be none, "
					  "nanoseconds, microseconds, milliseconds, seconds or "
					  "bytes", i);
		un = ss_units[j];
		for (j = 0; j < *nunits && units[j] != un; j++)
			;
		if (j == *nunits)
			units[(*nunits)++] = un;
		pn = ss_name(pr, &pl);
		for (j = 0; j < i && !seen; j++) {
			json_t *q = json_array_get(profiles, j);
			json_t *qs = json_object_get(q, "startValue");
			json_t *ps = json_object_get(pr, "startValue");
			size_t ql;
			const char *qn = ss_name(q, &ql);

			seen = ql == pl && memcmp(qn, pn, pl) == 0 &&
			       strcmp(json_string_value(json_object_get(q, "type")), ty) == 0 &&
			       strcmp(json_string_value(json_object_get(q, "unit")), un) == 0 &&
			       json_number_value(qs) == json_number_value(ps);
		}
		if (!seen)
			(*nmerged)++;
	}
	return 0;
}

/* src with one new sample type, values times scale, the `profile` label renamed. */
static int retype(const struct prof *src, const struct og_type *t, struct prof **out)
{
	struct prof_builder *b;
	struct prof_label *labels = NULL;
	uint32_t *locmap = NULL, *locs = NULL, ty, un, from_key, to_key, i, j;
	size_t cap_l = 0, cap_s = 0;
	int rc;

	*out = NULL;
	if ((rc = pb_new(&b)))
		return rc;
	if ((rc = pb_copy_header(b, src, true)))
		goto fail;
	pb_truncate_types(b, 0);
	if ((rc = pb_string(b, t->type, strlen(t->type), &ty)) ||
	    (rc = pb_string(b, t->unit, strlen(t->unit), &un)) ||
	    (rc = pb_sample_type(b, ty, un)) || (rc = pb_string(b, "profile_name", 12, &to_key)))
		goto fail;
	pb_set_default_type(b, 0);
	if (t->ptype) {
		if ((rc = pb_string(b, t->ptype, strlen(t->ptype), &ty)) ||
		    (rc = pb_string(b, t->punit, strlen(t->punit), &un)))
			goto fail;
		pb_set_period(b, ty, un, t->period);
	} else {
		pb_set_period(b, 0, 0, 0);
	}
	from_key = prof_find_str(src, "profile");
	if (!(locmap = malloc((src->nlocations ? src->nlocations : 1) * sizeof(*locmap)))) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < src->nlocations; i++) {
		const struct prof_location *l = &src->locations[i];

		if ((rc = pb_location(b, l->mapping, l->address, src->lines + l->line_off,
				      l->unsymbolized ? 0 : l->nlines, &locmap[i])))
			goto fail;
	}
	for (i = 0; i < src->nsamples; i++) {
		const struct prof_sample *s = &src->samples[i];
		int64_t v;

		if ((rc = vec_reserve(&locs, &cap_s, (size_t)s->nlocs + 1)) ||
		    (rc = vec_reserve(&labels, &cap_l, (size_t)s->nlabels + 1)))
			goto fail;
		for (j = 0; j < s->nlocs; j++)
			locs[j] = locmap[src->sample_locs[s->loc_off + j]];
		for (j = 0; j < s->nlabels; j++) {
			labels[j] = src->labels[s->label_off + j];
			if (labels[j].key == from_key)
				labels[j].key = to_key;
		}
		if (__builtin_mul_overflow(prof_value(src, i, 0), t->scale, &v)) {
			rc = err_set(ERR_TOOBIG, "a value times the period %lld overflows",
				     (long long)t->scale);
			goto fail;
		}
		if ((rc = pb_sample(b, locs, s->nlocs, &v, labels, s->nlabels)))
			goto fail;
	}
	free(locmap);
	free(locs);
	free(labels);
	return pb_finish(b, out);
fail:
	free(locmap);
	free(locs);
	free(labels);
	pb_free(b);
	return rc;
}

/* What a body gives to store: one profile per speedscope unit, one for folded/lines. */
struct og_part {
	struct buf name;  /* the name typing it: app.type */
	struct og_type t;
	struct prof *p;
};

#define OG_PART_INIT { BUF_INIT, { BUF_INIT, NULL, NULL, NULL, NULL, NULL, 0, 1, false }, NULL }

static void og_part_release(struct og_part *op)
{
	buf_release(&op->name);
	buf_release(&op->t.app);
	prof_free(op->p);
	op->p = NULL;
}

/*
 * A speedscope body: one part per unit its profiles use (upstream puts every profile
 * on its own; a file of several is typed by each one's unit, as <name>.<unit>).
 */
static int parse_speedscope(const uint8_t *body, size_t len, const struct legacy_md *md,
			    const struct ingest_limits *lim, struct og_part *parts,
			    size_t *nparts)
{
	/* the decoder stops at the sample past the limit, as the folded parser does, and
	 * copies no deeper frames than ingest_prof_check keeps: an evented profile repeats
	 * its open stack in every sample, so memory stays bounded by these two; an unnamed
	 * profile's samples get no profile_name (upstream's labelset.Add of "" drops it) */
	const struct speedscope_limits sl = { lim->max_samples, lim->max_stack_depth, true };
	const char *units[SS_NUNITS];
	json_t *root = NULL, *profiles;
	size_t nmerged, nunits, i;
	int rc;

	*nparts = 0;
	if ((rc = ingest_json_load((const char *)body, len, SPEEDSCOPE_INGEST_MAX_VALUES, 0,
				   &root)) ||
	    (rc = speedscope_meta(root, &nmerged, units, &nunits)))
		goto done;
	/* no profiles (none, null or []): upstream converts nothing and answers 200, so no
	 * part; 'profiles' that is no array does not decode there either */
	profiles = json_object_get(root, "profiles");
	if (profiles && !json_is_null(profiles) && !json_is_array(profiles)) {
		rc = err_set(ERR_PARSE, "'profiles' is not an array");
		goto done;
	}
	for (i = 0; i < nunits; i++) {
		struct og_part *op = &parts[(*nparts)++];
		struct prof *src = NULL;
		const char *ty;
		uint32_t rate = md->sample_rate;

		if ((rc = speedscope_decode_json_limit(root, units[i], &sl, &src)))
			goto done;
		buf_puts(&op->name, labelset_get(&md->name, "__name__"));
		if (nmerged > 1) {
			buf_puts(&op->name, ".");
			buf_puts(&op->name, units[i]);
		}
		ty = prof_str(src, src->sample_types[0].type);
		if (strcmp(ty, "space") == 0 && rate == 100)
			rate = 0;  /* upstream's default rate for bytes */
		og_type(op->name.data, rate, strcmp(ty, "cpu") == 0, &op->t);
		if (op->t.known)
			rc = retype(src, &op->t, &op->p);
		prof_free(src);
		if (rc)
			goto done;
	}
done:
	json_decref(root);
	return rc;
}

/* ---- the og path ---- */

/*
 * A speedscope profile's name is its series' profile_name, over the one `name` gives:
 * upstream's parseOne does LabelSet.Add("profile_name", name), which sets it, or for
 * an unnamed profile deletes it.  Here the name is a sample label (retype), and a
 * series label would hide it (series labels win over sample labels of the same name,
 * as upstream's series split has them), so the series gets none.  Folded and lines
 * bodies keep the name's profile_name: upstream's converters add none.
 */
static int og_labels(const struct legacy_md *md, const struct og_type *t, bool speedscope,
		     struct labelset *ls)
{
	int rc = legacy_labels(md, t->metric, t->app.data, t->app.len, true, ls);

	if (rc == 0 && speedscope)
		labelset_del(ls, "profile_name");
	return rc;
}

/*
 * One part to store, as upstream's adapter makes it: typed, checked, labelled (a
 * speedscope part's way: og_labels).  A part refused is answered with `refused` (400 or
 * 422: see the top of the file).
 */
static int og_item(const struct ingest_request *rq, const struct ingest_limits *lim,
		   const struct legacy_md *md, struct og_part *op, bool speedscope, int refused,
		   struct ingest_result *out)
{
	struct labelset ls = LABELSET_INIT;
	int64_t when;
	int rc;

	if (!op->t.known) {
		const char *nm = op->name.data, *dot = strrchr(nm, '.');
		struct buf q = BUF_INIT;

		ingest_quote(&q, dot ? dot + 1 : nm, strlen(dot ? dot + 1 : nm));
		rc = ingest_fail(out, refused, NULL, ERR_PARSE,
				 "unknown profile type %s: the name's last part after a '.' "
				 "names the type (cpu, wall, inuse_space, alloc_objects, ...)",
				 q.data ? q.data : "");
		buf_release(&q);
		return rc;
	}
	/* upstream's adapter pushes the profile and its series, and the distributor refuses
	 * them with invalid_argument: its limits, its time, its labels */
	if ((rc = ingest_prof_check(op->p, lim)) ||
	    (rc = ingest_time(lim, rq->now_ns, md->from_ns, &when)))
		return ingest_fail_last(out, refused, NULL, NULL);
	if (ingest_prof_all_zero(op->p))
		return 0;
	if ((rc = og_labels(md, &op->t, speedscope, &ls)) ||
	    (rc = ingest_series_finish(&ls, op->p, lim))) {
		labelset_free(&ls);
		return ingest_fail_last(out, refused, NULL, NULL);
	}
	rc = ingest_item_add(out, &ls, op->p, when, legacy_span(md));
	op->p = NULL;
	labelset_free(&ls);
	return rc ? ingest_fail_last(out, 500, NULL, NULL) : 0;
}

int ingest_text(const struct ingest_request *rq, const struct ingest_limits *lim,
		const struct legacy_md *md, enum legacy_format fmt, const uint8_t *body,
		size_t len, struct ingest_result *out)
{
	struct og_part parts[SS_NUNITS] = { OG_PART_INIT, OG_PART_INIT, OG_PART_INIT,
					    OG_PART_INIT, OG_PART_INIT, OG_PART_INIT };
	struct stacks st;
	const char *pid = labelset_get(&md->name, "profile_id");
	size_t n = 0, i;
	int refused = fmt == LEGACY_SPEEDSCOPE ? 422 : 400, rc;

	memset(&st, 0, sizeof(st));
	/* parse first: a body that does not parse is 422 whatever the name says */
	if (fmt == LEGACY_SPEEDSCOPE) {
		if ((rc = parse_speedscope(body, len, md, lim, parts, &n))) {
			rc = ingest_fail_last(out, 422, NULL, "speedscope");
			goto done;
		}
	} else {
		/* the sample limit stops the parse early: memory stays bounded by it */
		st.limit = lim->max_samples;
		if ((rc = strmap_init(&st.map, 1024)) ||
		    (rc = parse_text((const char *)body, len, fmt == LEGACY_LINES, &st))) {
			rc = ingest_fail_last(out, rc == ERR_TOOBIG ? 400 : 422, NULL,
					      fmt == LEGACY_LINES ? "lines" : "folded");
			goto done;
		}
		n = 1;
		buf_puts(&parts[0].name, labelset_get(&md->name, "__name__"));
		og_type(parts[0].name.data, md->sample_rate, false, &parts[0].t);
	}
	if (pid && *pid)
		goto done;  /* upstream drops data with a profile_id label, and says 200 */
	/* a count times the period that overflows is refused after parsing: upstream scales
	 * (and wraps) the counts in its adapter */
	if (fmt != LEGACY_SPEEDSCOPE && parts[0].t.known &&
	    (rc = build_stacks(&st, &parts[0].t, md->from_ns, &parts[0].p))) {
		rc = ingest_fail_last(out, refused, NULL, fmt == LEGACY_LINES ? "lines" : "folded");
		goto done;
	}
	for (i = 0; i < n && !rc; i++)
		rc = og_item(rq, lim, md, &parts[i], fmt == LEGACY_SPEEDSCOPE, refused, out);
done:
	for (i = 0; i < SS_NUNITS; i++)
		og_part_release(&parts[i]);
	strmap_release(&st.map);
	free(st.values);
	return rc;
}
