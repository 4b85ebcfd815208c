/*
 * speedscope.c — speedscope's JSON format (https://www.speedscope.app/file-format-schema.json).
 *
 *	{"$schema": "https://www.speedscope.app/file-format-schema.json",
 *	 "shared": {"frames": [{"name": "main", "file": "main.c", "line": 3}, ...]},
 *	 "profiles": [{"type": "sampled", "name": "...", "unit": "milliseconds",
 *	               "samples": [[0, 1], ...], "weights": [4.5, ...]},
 *	              {"type": "evented", "name": "...", "unit": "none",
 *	               "events": [{"type": "O", "frame": 0, "at": 0}, ...]}]}
 *
 * Every frame becomes one function and one location; samples of every profile go to one
 * builder (see decode.h for units and labels).  Frame names are kept as written: pprof's
 * shortening of C++ names leaves them alone (no system name), as it does folded names.
 * jansson parses the whole document, so the number of JSON values is counted first and
 * bounded (SPEEDSCOPE_MAX_VALUES).
 * Messages name the offending element by its JSON path ("profiles[1].weights[7]").
 *
 * An evented profile makes one sample per event holding the whole open stack, so its
 * stack entries grow as events × depth: a few KiB of gzip could ask for gigabytes.
 * Every sample's entries count against SPEEDSCOPE_MAX_STACK_ENTRIES, and a caller may
 * bound the samples and their depth further (struct speedscope_limits).  The profiles
 * are walked twice: first only checked and counted (the same checks, in the same order,
 * so the same first error), then their samples made.  A profile past a limit is refused
 * by the first walk, before any sample is made.  One walk that made samples as it
 * counted had made 16,000 of 1,000 frames for a push of 18,000 nested events before the
 * 16,001st was refused (serve's peak grew by 97 MB), and 64 M stack entries for the same
 * file read by `smolder top` (285 MB peak).
 */
#include "decode.h"
#include "ingest_int.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/jsonbound.h"
#include "base/hmap.h"
#include "base/text.h"
#include "base/units.h"
#include "base/vec.h"
#include "profile/builder.h"

#define SS_MAX_DEPTH 65536
#define SS_SNIFF     16384      /* bytes speedscope_detect searches for "speedscope" */
#define SS_MAX_ABS   4.0e18     /* converted values and times stay below this */

struct ss_ctx {
	struct prof_builder *b;
	uint32_t *frame_loc;  /* location of every shared frame */
	struct hmap funcs;    /* name string id << 32 | file string id → function */
	size_t nframes;
	uint32_t *stack;      /* leaf first, for pb_sample */
	size_t cap_stack;
	uint32_t *open;       /* evented: the open frames, root first */
	size_t cap_open;
	double scale;         /* file unit → sample type unit */
	uint32_t k_profile;
	struct speedscope_limits lim;
	size_t nsamples;      /* samples made (or counted) so far */
	size_t entries;       /* their stack entries, after max_depth */
	bool counting;        /* the first walk: check and count, make no samples */
};

static size_t skip_bom_blanks(const uint8_t *p, size_t n)
{
	size_t i = 0;

	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
		i++;
	return i;
}

/*
 * Does p[0..n) hold `"key"` followed by ':' and a string value naming speedscope (up to
 * its closing quote or the end)?  The value's escapes are not undone: speedscope writes
 * its URL and name plainly.
 */
static bool ss_keyed(const uint8_t *p, size_t n, const char *key)
{
	size_t k = strlen(key), i, v;
	const uint8_t *at = p, *q;

	while ((q = memmem(at, n - (size_t)(at - p), key, k)) != NULL) {
		i = (size_t)(q - p) + k;
		at = q + 1;
		while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
			i++;
		if (i >= n || p[i++] != ':')
			continue;
		while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
			i++;
		if (i >= n || p[i++] != '"')
			continue;
		for (v = i; v < n && p[v] != '"' && p[v] != '\n'; v++)
			;
		if (memmem(p + i, v - i, "speedscope", 10))
			return true;
	}
	return false;
}

/*
 * The sniff behind decode_json_kind (decode.c), which walks the top-level keys with
 * their escapes undone: an object whose "$schema" or "exporter" names speedscope in the
 * first 16 KiB, so that a file speedscope wrote but cut short (the walk ends at the cut,
 * perhaps before those keys) is still read as one and its error says where it breaks.
 * The word elsewhere (a frame named "speedscope::render") is not enough.
 */
bool speedscope_detect(const uint8_t *data, size_t len)
{
	size_t i = skip_bom_blanks(data, len), n = len < SS_SNIFF ? len : SS_SNIFF;

	if (i >= n || data[i] != '{')
		return false;
	return ss_keyed(data + i, n - i, "\"$schema\"") ||
	       ss_keyed(data + i, n - i, "\"exporter\"");
}

/*
 * speedscope's units (none, nanoseconds, ..., seconds, bytes) through the model's unit
 * table, which also takes their abbreviations ("ms") and multiples ("kilobytes").
 */
static int ss_unit(const char *u, enum unit_kind *kind, double *scale)
{
	*scale = 1;
	*kind = UNIT_COUNT;
	if (u && strcmp(u, "none") == 0)
		return 0;
	*kind = units_kind(u, scale);
	return *kind == UNIT_COUNT ? -1 : 0;
}

/* A JSON number as an integer in [lo, hi]; false when it is not one. */
static bool ss_int(const json_t *v, long long lo, long long hi, long long *out)
{
	double d;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
	} else if (json_is_real(v)) {
		d = json_real_value(v);
		if (d != floor(d) || d < -9e18 || d > 9e18)
			return false;
		*out = (long long)d;
	} else {
		return false;
	}
	return *out >= lo && *out <= hi;
}

/* A weight or time in the file's unit, converted and rounded; false when out of range. */
static bool ss_value(const struct ss_ctx *c, const json_t *v, int64_t *out)
{
	double d;

	if (!json_is_number(v))
		return false;
	d = json_number_value(v) * c->scale;
	if (!(d > -SS_MAX_ABS && d < SS_MAX_ABS))
		return false;
	*out = (int64_t)llround(d);
	return true;
}

/*
 * The string member `key` of obj: NULL when absent or null (Go's decoder leaves a string
 * field empty for null, as for a missing one); an error when not a string.
 */
static int ss_string(const json_t *obj, const char *key, const char *path, size_t idx,
		     const json_t **out)
{
	const json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return err_set(ERR_PARSE, "%s[%zu].%s is not a string", path, idx, key);
	*out = v;
	return 0;
}

static int ss_frames(struct ss_ctx *c, const json_t *frames)
{
	size_t i;
	int rc;

	c->nframes = json_array_size(frames);
	if (!(c->frame_loc = calloc(c->nframes ? c->nframes : 1, sizeof(*c->frame_loc))))
		return err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i < c->nframes; i++) {
		const json_t *fr = json_array_get(frames, i), *name, *file, *line;
		struct prof_function f = { 0 };
		struct prof_line l = { 0, 0 };
		long long ln = 0;
		uint64_t key;

		if (!json_is_object(fr))
			return err_set(ERR_PARSE, "shared.frames[%zu] is not an object", i);
		if ((rc = ss_string(fr, "name", "shared.frames", i, &name)) ||
		    (rc = ss_string(fr, "file", "shared.frames", i, &file)))
			return rc;
		if (!name)
			return err_set(ERR_PARSE, "shared.frames[%zu] has no name", i);
		line = json_object_get(fr, "line");
		if (line && !json_is_null(line) && !ss_int(line, 0, INT64_MAX, &ln))
			return err_set(ERR_PARSE,
				       "shared.frames[%zu].line is not a line number", i);
		if ((rc = pb_string(c->b, json_string_value(name), json_string_length(name),
				    &f.name)) ||
		    (file && (rc = pb_string(c->b, json_string_value(file),
					     json_string_length(file), &f.file))))
			return rc;
		/*
		 * frames differing in line or column share their function.  A name with
		 * "::" (C++, Rust) gets itself as system name, as pprof's symbolizer leaves
		 * demangled names, so that pprof's shortening cuts its <...> and (...) as in
		 * the pprof it was exported from; other names are final, as the folded
		 * reader's are (py-spy's "<module>", .NET's "List<T>.Add")
		 */
		if (memmem(json_string_value(name), json_string_length(name), "::", 2))
			f.system_name = f.name;
		key = (uint64_t)f.name << 32 | f.file;
		if (!hmap_get(&c->funcs, key, &l.func)) {
			if ((rc = pb_function(c->b, &f, &l.func)) ||
			    (rc = hmap_put(&c->funcs, key, l.func)))
				return rc;
		}
		l.line = ln;
		if ((rc = pb_location(c->b, PROF_NONE, 0, &l, 1, &c->frame_loc[i])))
			return rc;
	}
	return 0;
}

/* A frame index; false unless it names a shared frame. */
static bool ss_frame_index(const struct ss_ctx *c, const json_t *v, uint32_t *out)
{
	long long f;

	if (!ss_int(v, 0, (long long)c->nframes - 1, &f))
		return false;
	*out = (uint32_t)f;
	return true;
}

/*
 * Counts one more sample of `depth` frames against the limits; *keep is how many of its
 * frames, root-most first, go into it.
 */
static int ss_budget(struct ss_ctx *c, size_t depth, size_t *keep)
{
	if (c->lim.max_samples && c->nsamples >= c->lim.max_samples)
		return err_set(ERR_TOOBIG, "more than %zu samples, the limit of samples per "
			       "profile", c->lim.max_samples);
	*keep = c->lim.max_depth && depth > c->lim.max_depth ? c->lim.max_depth : depth;
	if (*keep > SPEEDSCOPE_MAX_STACK_ENTRIES - c->entries)
		return err_set(ERR_TOOBIG, "more than %zu stack entries (samples times their "
			       "depth)", SPEEDSCOPE_MAX_STACK_ENTRIES);
	c->entries += *keep;
	c->nsamples++;
	return 0;
}

static int ss_sampled(struct ss_ctx *c, const json_t *prof, size_t pi,
		      const struct prof_label *lab)
{
	const json_t *samples = json_object_get(prof, "samples");
	const json_t *weights = json_object_get(prof, "weights");
	size_t i, j, n, keep = 0;
	int rc;

	if (!json_is_array(samples) || !json_is_array(weights))
		return err_set(ERR_PARSE, "profiles[%zu]: 'samples' and 'weights' "
			       "must be arrays", pi);
	if (json_array_size(samples) != json_array_size(weights))
		return err_set(ERR_PARSE, "profiles[%zu]: %zu samples but %zu weights",
			       pi, json_array_size(samples), json_array_size(weights));
	for (i = 0; i < json_array_size(samples); i++) {
		const json_t *s = json_array_get(samples, i);
		int64_t w;

		if (!json_is_array(s))
			return err_set(ERR_PARSE, "profiles[%zu].samples[%zu] is not an "
				       "array", pi, i);
		if (!ss_value(c, json_array_get(weights, i), &w) || w < 0)
			return err_set(ERR_PARSE, "profiles[%zu].weights[%zu] is not a "
				       "weight (a number, 0 or more)", pi, i);
		n = json_array_size(s);
		if (n > SS_MAX_DEPTH)
			return err_set(ERR_TOOBIG, "profiles[%zu].samples[%zu]: deeper "
				       "than %d frames", pi, i, SS_MAX_DEPTH);
		if ((rc = ss_budget(c, n, &keep)))
			return err_prefix(rc, "profiles[%zu].samples[%zu]", pi, i);
		if (!c->counting &&
		    (rc = vec_reserve(&c->stack, &c->cap_stack, keep ? keep : 1)))
			return rc;
		/* root first in the file, leaf first in the model; every index is checked,
		 * those past `keep` (the deepest) are left out */
		for (j = 0; j < n; j++) {
			uint32_t f;

			if (!ss_frame_index(c, json_array_get(s, j), &f))
				return err_set(ERR_PARSE, "profiles[%zu].samples[%zu][%zu] is not "
					       "a frame index (there are %zu frames)",
					       pi, i, j, c->nframes);
			if (j < keep && !c->counting)
				c->stack[keep - 1 - j] = c->frame_loc[f];
		}
		if (c->counting)
			continue;
		if ((rc = pb_sample(c->b, c->stack, (uint32_t)keep, &w, lab, lab ? 1 : 0)))
			return err_prefix(rc, "profiles[%zu].samples[%zu]", pi, i);
	}
	return 0;
}

/* The open frames weigh `w` until events[i]: one sample. */
static int ss_interval(struct ss_ctx *c, size_t depth, int64_t w,
		       const struct prof_label *lab, size_t pi, size_t i)
{
	size_t j, keep = 0;
	int rc;

	if (depth == 0 || w == 0)
		return 0;
	if ((rc = ss_budget(c, depth, &keep)))
		return err_prefix(rc, "profiles[%zu].events[%zu]", pi, i);
	if (c->counting)
		return 0;
	if ((rc = vec_reserve(&c->stack, &c->cap_stack, keep)))
		return rc;
	for (j = 0; j < keep; j++)
		c->stack[keep - 1 - j] = c->frame_loc[c->open[j]];
	if ((rc = pb_sample(c->b, c->stack, (uint32_t)keep, &w, lab, lab ? 1 : 0)))
		return err_prefix(rc, "profiles[%zu].events[%zu]", pi, i);
	return 0;
}

static int ss_evented(struct ss_ctx *c, const json_t *prof, size_t pi,
		      const struct prof_label *lab)
{
	const json_t *events = json_object_get(prof, "events");
	double prev_at = 0;
	int64_t prev = 0;
	size_t i, depth = 0;
	int rc;

	if (!json_is_array(events))
		return err_set(ERR_PARSE, "profiles[%zu]: 'events' must be an array", pi);
	for (i = 0; i < json_array_size(events); i++) {
		const json_t *ev = json_array_get(events, i), *type, *at;
		const char *t;
		uint32_t f;
		int64_t now;

		if (!json_is_object(ev))
			return err_set(ERR_PARSE, "profiles[%zu].events[%zu] is not an "
				       "object", pi, i);
		type = json_object_get(ev, "type");
		at = json_object_get(ev, "at");
		t = json_is_string(type) ? json_string_value(type) : "";
		if (strcmp(t, "O") != 0 && strcmp(t, "C") != 0)
			return err_set(ERR_PARSE, "profiles[%zu].events[%zu].type is not "
				       "\"O\" or \"C\"", pi, i);
		if (!ss_frame_index(c, json_object_get(ev, "frame"), &f))
			return err_set(ERR_PARSE, "profiles[%zu].events[%zu].frame is not "
				       "a frame index (there are %zu frames)", pi, i, c->nframes);
		if (!ss_value(c, at, &now))
			return err_set(ERR_PARSE, "profiles[%zu].events[%zu].at is not a "
				       "time", pi, i);
		if (i > 0 && json_number_value(at) < prev_at)
			return err_set(ERR_PARSE, "profiles[%zu].events[%zu]: 'at' goes "
				       "back in time", pi, i);
		if (i > 0 && (rc = ss_interval(c, depth, now - prev, lab, pi, i)))
			return rc;
		prev = now;
		prev_at = json_number_value(at);
		if (t[0] == 'O') {
			if (depth == SS_MAX_DEPTH)
				return err_set(ERR_TOOBIG, "profiles[%zu].events[%zu]: "
					       "deeper than %d frames", pi, i, SS_MAX_DEPTH);
			if ((rc = vec_reserve(&c->open, &c->cap_open, depth + 1)))
				return rc;
			c->open[depth++] = f;
		} else if (depth == 0 || c->open[depth - 1] != f) {
			return err_set(ERR_PARSE, "profiles[%zu].events[%zu] closes frame "
				       "%u, which is not the innermost open frame", pi, i, f);
		} else {
			depth--;
		}
	}
	if (depth)
		return err_set(ERR_PARSE, "profiles[%zu]: frames still open after the "
			       "last event: %zu", pi, depth);
	return 0;
}

/* Is profile `prof` one of those asked for (unit NULL: all)? */
static bool ss_wanted(const json_t *prof, const char *unit)
{
	const json_t *u = json_object_get(prof, "unit");

	return !unit || (json_is_string(u) && strcmp(json_string_value(u), unit) == 0);
}

/* The sample type all profiles (of the unit asked for) share. */
static int ss_type(struct ss_ctx *c, const json_t *profiles, const char *want)
{
	static const char *const names[][2] = {
		[UNIT_COUNT] = { "samples", "count" },
		[UNIT_TIME] = { "cpu", "nanoseconds" },
		[UNIT_BYTES] = { "space", "bytes" },
	};
	enum unit_kind kind = UNIT_COUNT, k;
	const char *first = NULL;
	uint32_t t, u;
	size_t i;
	int rc;

	for (i = 0; i < json_array_size(profiles); i++) {
		const json_t *prof = json_array_get(profiles, i), *unit;
		double scale;

		if (!json_is_object(prof))
			return err_set(ERR_PARSE, "profiles[%zu] is not an object", i);
		if (!ss_wanted(prof, want))
			continue;
		if ((rc = ss_string(prof, "unit", "profiles", i, &unit)))
			return rc;
		if (!unit || ss_unit(json_string_value(unit), &k, &scale)) {
			struct buf q = BUF_INIT;
			const char *s = unit ? json_string_value(unit) : "";

			text_safe(&q, s, unit ? json_string_length(unit) : 0, true);
			rc = err_set(ERR_PARSE, "profiles[%zu].unit '%s' is not none, a time "
				     "(nanoseconds ... seconds) or bytes", i, q.data ? q.data : "");
			buf_release(&q);
			return rc;
		}
		/* known units only from here on: safe to quote */
		if (first && k != kind)
			return err_set(ERR_PARSE, "profiles[%zu].unit '%s' does not agree with "
				       "'%s' of profiles[0]", i, json_string_value(unit), first);
		if (!first) {
			kind = k;
			first = json_string_value(unit);
		}
	}
	if ((rc = pb_string(c->b, names[kind][0], strlen(names[kind][0]), &t)) ||
	    (rc = pb_string(c->b, names[kind][1], strlen(names[kind][1]), &u)) ||
	    (rc = pb_sample_type(c->b, t, u)))
		return rc;
	if (kind == UNIT_COUNT)
		pb_set_period(c->b, t, u, 1);
	return 0;
}

/* One walk over the profiles (of the unit asked for): c->counting says which. */
static int ss_walk(struct ss_ctx *c, const json_t *profiles, const char *unit)
{
	enum unit_kind kind;
	size_t i;
	int rc = 0;

	c->nsamples = c->entries = 0;
	for (i = 0; i < json_array_size(profiles); i++) {
		const json_t *prof = json_array_get(profiles, i), *name, *type;
		struct prof_label lab = { 0 };
		const struct prof_label *labp;
		char num[32];

		if (!ss_wanted(prof, unit))
			continue;
		ss_unit(json_string_value(json_object_get(prof, "unit")), &kind, &c->scale);
		if ((rc = ss_string(prof, "name", "profiles", i, &name)) ||
		    (rc = ss_string(prof, "type", "profiles", i, &type)))
			return rc;
		/* an empty name would make a numeric label: the index stands in for it,
		 * unless the caller wants no label there */
		lab.key = c->k_profile;
		if (name && json_string_length(name)) {
			rc = pb_string(c->b, json_string_value(name), json_string_length(name),
				       &lab.str);
		} else if (!c->lim.unnamed_bare) {
			snprintf(num, sizeof(num), "%zu", i);
			rc = pb_string(c->b, num, strlen(num), &lab.str);
		}
		if (rc)
			return rc;
		labp = lab.str ? &lab : NULL;
		if (type && strcmp(json_string_value(type), "sampled") == 0)
			rc = ss_sampled(c, prof, i, labp);
		else if (type && strcmp(json_string_value(type), "evented") == 0)
			rc = ss_evented(c, prof, i, labp);
		else
			rc = err_set(ERR_PARSE, "profiles[%zu].type is not \"sampled\" "
				     "or \"evented\"", i);
		if (rc)
			return rc;
	}
	return 0;
}

static int ss_profiles(struct ss_ctx *c, const json_t *root, const char *unit)
{
	const json_t *shared = json_object_get(root, "shared");
	const json_t *frames = json_is_object(shared) ? json_object_get(shared, "frames") : NULL;
	const json_t *profiles = json_object_get(root, "profiles");
	int rc;

	if (!json_is_array(frames))
		return err_set(ERR_PARSE, "no 'shared.frames' array");
	if (!json_is_array(profiles) || json_array_size(profiles) == 0)
		return err_set(ERR_PARSE, "no 'profiles'");
	if ((rc = ss_type(c, profiles, unit)) || (rc = ss_frames(c, frames)) ||
	    (rc = pb_string(c->b, "profile", 7, &c->k_profile)))
		return rc;
	c->counting = true;
	if ((rc = ss_walk(c, profiles, unit)))
		return rc;
	c->counting = false;
	return ss_walk(c, profiles, unit);
}

/* Parses the document after a BOM and blanks; counts its values first. */
static int ss_load(const char *data, size_t len, json_t **out)
{
	size_t skip = skip_bom_blanks((const uint8_t *)data, len);
	json_error_t jerr;
	struct buf q = BUF_INIT;
	int rc;

	if (json_count_values(data + skip, len - skip) > SPEEDSCOPE_MAX_VALUES)
		return err_set(ERR_TOOBIG, "more than %zu JSON values", SPEEDSCOPE_MAX_VALUES);
	*out = json_loadb(data + skip, len - skip, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (!*out) {
		text_safe(&q, jerr.text, strlen(jerr.text), true);
		rc = err_set(ERR_PARSE, "invalid JSON at byte %zu: %s",
			     (size_t)jerr.position + skip, q.data ? q.data : "");
		buf_release(&q);
		return rc;
	}
	if (!json_is_object(*out))
		return err_set(ERR_PARSE, "the document is not an object");
	return 0;
}

int speedscope_decode_json_limit(const json_t *root, const char *unit,
				 const struct speedscope_limits *lim, struct prof **out)
{
	struct ss_ctx c = { 0 };
	int rc;

	*out = NULL;
	if (lim)
		c.lim = *lim;
	if (!json_is_object(root))
		return err_set(ERR_PARSE, "the document is not an object");
	if ((rc = pb_new(&c.b)) == 0 && (rc = hmap_init(&c.funcs, 64)) == 0 &&
	    (rc = ss_profiles(&c, root, unit)) == 0) {
		rc = pb_finish(c.b, out);
		c.b = NULL;
	}
	pb_free(c.b);
	hmap_release(&c.funcs);
	free(c.frame_loc);
	free(c.stack);
	free(c.open);
	return rc;
}

int speedscope_decode_json(const json_t *root, const char *unit, struct prof **out)
{
	return speedscope_decode_json_limit(root, unit, NULL, out);
}

int speedscope_decode(const char *data, size_t len, struct prof **out)
{
	json_t *root = NULL;
	int rc;

	*out = NULL;
	if ((rc = ss_load(data, len, &root)) == 0)
		rc = speedscope_decode_json(root, NULL, out);
	json_decref(root);
	return rc ? err_prefix(rc, "speedscope") : 0;
}
