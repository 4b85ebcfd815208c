/*
 * fbjson.c — Pyroscope's flame graph JSON ("flamebearer", its UI's export and the legacy
 * /pyroscope/render answer) read as a profile (see decode.h for the fields and units).
 *
 * jansson parses the whole document, so its JSON values are counted first and bounded
 * (FLAMEBEARER_JSON_MAX_VALUES).  The levels are checked by flamebearer_to_prof();
 * here only their shape (arrays of integers) and the scaling of values to nanoseconds,
 * which must not overflow.  Messages name the element by its JSON path.
 */
#include "decode.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/jsonbound.h"
#include "profile/flamebearer.h"
#include "profile/merge.h"

/*
 * Whether metadata.name names a sample type (Pyroscope's render puts the type there,
 * "cpu", "inuse_space"); OG Pyroscope's export puts a title there ("app.cpu 2023-...").
 */
static bool type_name(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* The sample type a flame graph's metadata says its values are in. */
struct fb_units {
	const char *type, *unit, *ptype, *punit;
	int64_t scale;  /* values × scale (samples at sampleRate → nanoseconds) */
};

static void fb_units(const char *units, long long rate, const char *name, struct fb_units *u)
{
	static const struct {
		const char *units, *type, *unit;
	} known[] = {
		{ "objects", "objects", "count" },
		{ "goroutines", "goroutine", "count" },
		{ "bytes", "space", "bytes" },
		{ "lock_samples", "contentions", "count" },
		{ "lock_nanoseconds", "delay", "nanoseconds" },
	};
	size_t i;

	u->scale = 1;
	u->type = "samples";
	u->unit = "count";
	if (strcmp(units, "samples") == 0 || !*units) {
		/* OG Pyroscope's cpu (and wall) data: samples at sampleRate Hz */
		if (rate > 0 && 1000000000LL % rate == 0) {
			u->type = type_name(name) && strcmp(name, "samples") != 0 ? name : "cpu";
			u->unit = "nanoseconds";
			u->scale = 1000000000LL / rate;
		}
	} else {
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcmp(units, known[i].units) == 0)
				break;
		if (i < sizeof(known) / sizeof(known[0])) {
			u->type = known[i].type;
			u->unit = known[i].unit;
		} else {
			u->type = u->unit = units;  /* a unit of its own */
		}
		if (type_name(name))
			u->type = name;
	}
	u->ptype = u->type;
	u->punit = u->unit;
}

/* Where `key` is read: metadata when it has it (and is an object), else flamebearer. */
static const json_t *fb_holder(const json_t *md, const json_t *fbo, const char *key)
{
	return md && json_is_object(md) && json_object_get(md, key) ? md : fbo;
}

/* The string member `key` of obj, "" when absent; NULL (error set) when not a string. */
static const char *fb_str(const json_t *obj, const char *key, const char *path)
{
	const json_t *v = obj ? json_object_get(obj, key) : NULL;

	if (!v || json_is_null(v))
		return "";
	if (!json_is_string(v)) {
		err_set(ERR_PARSE, "%s.%s is not a string", path, key);
		return NULL;
	}
	return json_string_value(v);
}

/* The integer member `key` of obj, 0 when absent; -1 (error set) when not an integer. */
static int fb_int(const json_t *obj, const char *key, const char *path, long long *out)
{
	const json_t *v = obj ? json_object_get(obj, key) : NULL;

	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return err_set(ERR_PARSE, "%s.%s is not an integer", path, key);
	*out = json_integer_value(v);
	return 0;
}

/* names[] and levels[][] of fbo into fb (arrays malloc'd into *names_out, fb->levels). */
static int fb_read(const json_t *fbo, unsigned width, int64_t scale, struct flamebearer *fb)
{
	const json_t *names = json_object_get(fbo, "names"), *levels = json_object_get(fbo, "levels");
	size_t i, k, n;

	if (!json_is_array(names))
		return err_set(ERR_PARSE, "flamebearer.names is not an array");
	if (!json_is_array(levels))
		return err_set(ERR_PARSE, "flamebearer.levels is not an array");
	if (json_array_size(names) > UINT32_MAX - 2 || json_array_size(levels) > UINT32_MAX - 2)
		return err_set(ERR_TOOBIG, "flamebearer: too many names or levels");
	fb->width = width;
	fb->nnames = (uint32_t)json_array_size(names);
	fb->nlevels = (uint32_t)json_array_size(levels);
	fb->names = calloc((size_t)fb->nnames + 1, sizeof(*fb->names));
	fb->name_lens = calloc((size_t)fb->nnames + 1, sizeof(*fb->name_lens));
	fb->levels = calloc((size_t)fb->nlevels + 1, sizeof(*fb->levels));
	if (!fb->names || !fb->name_lens || !fb->levels)
		return err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i < fb->nnames; i++) {
		const json_t *s = json_array_get(names, i);

		if (!json_is_string(s))
			return err_set(ERR_PARSE, "flamebearer.names[%zu] is not a string", i);
		if (json_string_length(s) > UINT32_MAX)
			return err_set(ERR_TOOBIG, "flamebearer.names[%zu] is too long", i);
		fb->names[i] = json_string_value(s);
		fb->name_lens[i] = (uint32_t)json_string_length(s);
	}
	for (i = 0; i < fb->nlevels; i++) {
		const json_t *l = json_array_get(levels, i);
		struct fb_level *lv = &fb->levels[i];

		if (!json_is_array(l))
			return err_set(ERR_PARSE, "flamebearer.levels[%zu] is not an array", i);
		n = json_array_size(l);
		if (!(lv->v = malloc((n + 1) * sizeof(*lv->v))))
			return err_set(ERR_NOMEM, "out of memory");
		lv->n = lv->cap = n;
		for (k = 0; k < n; k++) {
			const json_t *x = json_array_get(l, k);
			long long v;

			if (!json_is_integer(x))
				return err_set(ERR_PARSE, "flamebearer.levels[%zu][%zu] is not an integer",
					       i, k);
			v = json_integer_value(x);
			/* every value but the name index is a quantity, scaled */
			if (k % width != width - 1 && scale != 1) {
				if (v > INT64_MAX / scale || v < -(INT64_MAX / scale))
					return err_set(ERR_TOOBIG, "flamebearer.levels[%zu][%zu]: %lld "
								   "samples overflow in nanoseconds",
						       i, k, v);
				v *= scale;
			}
			lv->v[k] = v;
		}
	}
	return 0;
}

int flamebearer_json_decode(const char *data, size_t len, struct prof **out)
{
	const json_t *fbo, *md, *tl, *fmt_in, *units_in, *rate_in;
	json_t *root = NULL;
	json_error_t jerr;
	struct flamebearer fb = { 0 };
	struct fb_prof_info info = { 0 };
	struct fb_units u;
	const char *format, *units, *name;
	long long rate = 0, start = 0, delta = 0;
	uint32_t i;
	int rc;

	*out = NULL;
	if (json_count_values(data, len) > FLAMEBEARER_JSON_MAX_VALUES)
		return err_set(ERR_TOOBIG, "flamebearer: more than %zu JSON values",
			       FLAMEBEARER_JSON_MAX_VALUES);
	if (!(root = json_loadb(data, len, 0, &jerr)))
		return err_set(ERR_PARSE, "flamebearer: offset %d: %s", jerr.position, jerr.text);
	fbo = json_object_get(root, "flamebearer");
	md = json_object_get(root, "metadata");
	tl = json_object_get(root, "timeline");
	if (!json_is_object(fbo)) {
		rc = err_set(ERR_PARSE, "flamebearer is not an object");
		goto done;
	}
	if (md && !json_is_null(md) && !json_is_object(md)) {
		rc = err_set(ERR_PARSE, "metadata is not an object");
		goto done;
	}
	/* OG Pyroscope's files repeat format, units and sampleRate in "flamebearer":
	 * each is read from metadata when it is there, else from flamebearer */
	fmt_in = fb_holder(md, fbo, "format");
	units_in = fb_holder(md, fbo, "units");
	rate_in = fb_holder(md, fbo, "sampleRate");
	if (!(format = fb_str(fmt_in, "format", fmt_in == fbo ? "flamebearer" : "metadata")) ||
	    !(units = fb_str(units_in, "units", units_in == fbo ? "flamebearer" : "metadata")) ||
	    !(name = fb_str(md, "name", "metadata"))) {
		rc = ERR_PARSE;
		goto done;
	}
	if ((rc = fb_int(rate_in, "sampleRate", rate_in == fbo ? "flamebearer" : "metadata",
			 &rate)))
		goto done;
	if (*format && strcmp(format, "single") != 0 && strcmp(format, "double") != 0) {
		rc = err_set(ERR_UNSUPPORTED, "flamebearer: format '%.40s' (single or double)", format);
		goto done;
	}
	fb_units(units, rate, name, &u);
	if ((rc = fb_read(fbo, strcmp(format, "double") == 0 ? 7 : 4, u.scale, &fb)))
		goto done;
	if (tl && json_is_object(tl)) {
		const json_t *samples = json_object_get(tl, "samples");

		if ((rc = fb_int(tl, "startTime", "timeline", &start)) ||
		    (rc = fb_int(tl, "durationDelta", "timeline", &delta)))
			goto done;
		if (start > 0 && start < INT64_MAX / 1000000000)
			info.time_ns = start * 1000000000;
		if (delta > 0 && json_is_array(samples) &&
		    (long long)json_array_size(samples) < INT64_MAX / 1000000000 / delta)
			info.duration_ns = (int64_t)json_array_size(samples) * delta * 1000000000;
	}
	info.sample_type = u.type;
	info.sample_unit = u.unit;
	info.period_type = u.ptype;
	info.period_unit = u.punit;
	if ((rc = flamebearer_to_prof(&fb, 1, &info, out))) {
		err_prefix(rc, "flamebearer");
		goto done;
	}
	if (fb.width == 7) {  /* a diff: pprof's -diff_base form of the pair */
		struct prof *pair = *out;

		rc = prof_unpair(pair, true, out);
		prof_free(pair);
	}
done:
	for (i = 0; fb.levels && i < fb.nlevels; i++)
		free(fb.levels[i].v);
	free(fb.levels);
	free(fb.names);
	free(fb.name_lens);
	json_decref(root);
	return rc;
}
