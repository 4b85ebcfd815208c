/*
 * builder.c — interning and accumulating decoder output into a struct prof.
 *
 * Arrays grow with vec_reserve() while decoding and are handed to the profile as they
 * are at pb_finish() (no copy).  Strings are copied into the profile's arena.
 */
#include "builder.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <xxhash.h>

#include "base/err.h"
#include "base/hmap.h"
#include "base/vec.h"

struct prof_builder {
	struct prof *p;
	size_t cap_strs, cap_types, cap_maps, cap_funcs, cap_locs, cap_lines;
	size_t cap_samples, cap_slocs, cap_values, cap_labels, cap_lens, cap_comments;
	struct hmap strmap;    /* xxh3(bytes) (re-mixed on collision) → string id */
	struct hmap framemap;  /* name id → location, for pb_named_frame */
	struct hmap unsymmap;  /* mapping + 1 → synthetic function */
	struct hmap namedmap;  /* (function + 1) << 32 | (uint32_t)(mapping + 1) → named copy */
	bool has_default;
	uint32_t fallback;  /* pb_set_fallback_type's index + 1; 0: the last type */
	int64_t *pos_sum, *neg_sum;  /* per sample type, to refuse sums past int64 */
	uint32_t nchecked;           /* samples whose values are in the sums */
};

int pb_new(struct prof_builder **out)
{
	struct prof_builder *b = calloc(1, sizeof(*b));
	uint32_t id;
	int rc;

	*out = NULL;
	if (!b)
		return err_set(ERR_NOMEM, "out of memory");
	b->p = calloc(1, sizeof(*b->p));
	if (!b->p) {
		free(b);
		return err_set(ERR_NOMEM, "out of memory");
	}
	arena_init(&b->p->arena);
	if ((rc = hmap_init(&b->strmap, 1024)) || (rc = hmap_init(&b->framemap, 64)) ||
	    (rc = hmap_init(&b->unsymmap, 16)) || (rc = hmap_init(&b->namedmap, 16)) || (rc = pb_string(b, "", 0, &id))) {
		pb_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

void pb_free(struct prof_builder *b)
{
	if (!b)
		return;
	prof_free(b->p);
	hmap_release(&b->strmap);
	hmap_release(&b->framemap);
	hmap_release(&b->unsymmap);
	hmap_release(&b->namedmap);
	free(b->pos_sum);
	free(b->neg_sum);
	free(b);
}

/*
 * Room in the string map for `strings` strings, as hmap_reserve() makes it but in one
 * step (it doubles the map, rehashing every time, until the map is large enough).
 */
static int strmap_reserve(struct prof_builder *b, size_t strings)
{
	struct hmap m;
	size_t i;
	int rc;

	if ((strings + 1) * 4 <= (b->strmap.mask + 1) * 3)
		return 0;
	/* hmap_init(e) makes the least power of two slots >= 2e: (strings + 1) * 4 / 3 */
	if ((rc = hmap_init(&m, ((strings + 1) * 2 + 2) / 3)))
		return rc;
	for (i = 0; i <= b->strmap.mask; i++) {
		const struct hmap_slot *s = &b->strmap.slots[i];

		if (s->key != HMAP_EMPTY && (rc = hmap_put(&m, s->key, s->val))) {
			hmap_release(&m);
			return rc;
		}
	}
	hmap_release(&b->strmap);
	b->strmap = m;
	return 0;
}

int pb_reserve(struct prof_builder *b, size_t strings, size_t functions, size_t locations,
	       size_t lines, size_t samples, size_t sample_locs, size_t labels)
{
	struct prof *p = b->p;
	int rc;

	if (strings > PB_MAX_STRINGS || functions > PB_MAX_ITEMS || locations > PB_MAX_ITEMS ||
	    lines > PB_MAX_ITEMS || samples > PB_MAX_ITEMS || sample_locs > (size_t)PB_MAX_ITEMS * 4 ||
	    labels > PB_MAX_ITEMS)
		return err_set(ERR_TOOBIG, "profile too large");
	if ((rc = vec_reserve(&p->strs, &b->cap_strs, strings)) ||
	    (rc = vec_reserve(&p->str_lens, &b->cap_lens, strings)) ||
	    (rc = vec_reserve(&p->functions, &b->cap_funcs, functions + 1)) ||
	    (rc = vec_reserve(&p->locations, &b->cap_locs, locations + 1)) ||
	    (rc = vec_reserve(&p->lines, &b->cap_lines, lines + 1)) ||
	    (rc = vec_reserve(&p->samples, &b->cap_samples, samples)) ||
	    /* + 1: as pb_sample() reserves it */
	    (rc = vec_reserve(&p->sample_locs, &b->cap_slocs, sample_locs + 1)) ||
	    (labels && (rc = vec_reserve(&p->labels, &b->cap_labels, labels))))
		return rc;
	if (strings > b->strmap.count * 2 && (rc = strmap_reserve(b, strings)))
		return rc;
	return 0;
}

uint64_t pb_string_hash(const char *s, size_t n)
{
	return XXH3_64bits(s, n);
}

/* The slot a string's first probe reads. */
static inline const struct hmap_slot *str_slot(const struct prof_builder *b, uint64_t key)
{
	return &b->strmap.slots[hmap_mix(key == HMAP_EMPTY ? 0 : key) & b->strmap.mask];
}

void pb_string_prefetch(const struct prof_builder *b, uint64_t hash)
{
	__builtin_prefetch(str_slot(b, hash));
}

int pb_string_hashed(struct prof_builder *b, const char *s, size_t n, uint64_t hash,
		     uint32_t *out)
{
	struct prof *p = b->p;
	uint64_t key = hash;
	uint32_t id;
	char *copy;
	int rc;

	assert(hash == pb_string_hash(s, n));
	if (n > UINT32_MAX)
		return err_set(ERR_TOOBIG, "string of %zu bytes", n);
	for (;;) {
		if (key == HMAP_EMPTY)
			key = 0;
		if (!hmap_get(&b->strmap, key, &id))
			break;
		if (p->str_lens[id] == n && (n == 0 || memcmp(p->strs[id], s, n) == 0)) {
			*out = id;
			return 0;
		}
		key = hmap_mix(key + 1);
	}
	if (p->nstrs >= PB_MAX_STRINGS)
		return err_set(ERR_TOOBIG, "more than %u distinct strings", PB_MAX_STRINGS);
	if ((rc = vec_reserve(&p->strs, &b->cap_strs, p->nstrs + 1)) ||
	    (rc = vec_reserve(&p->str_lens, &b->cap_lens, p->nstrs + 1)))
		return rc;
	if (!(copy = arena_strndup(&p->arena, s, n)))
		return err_set(ERR_NOMEM, "out of memory");
	id = p->nstrs++;
	p->strs[id] = copy;
	p->str_lens[id] = (uint32_t)n;
	if ((rc = hmap_put(&b->strmap, key, id)) < 0)
		return rc;
	*out = id;
	return 0;
}

int pb_string(struct prof_builder *b, const char *s, size_t n, uint32_t *out)
{
	return pb_string_hashed(b, s, n, pb_string_hash(s, n), out);
}

int pb_sample_type(struct prof_builder *b, uint32_t type, uint32_t unit)
{
	struct prof *p = b->p;
	int rc;

	if (p->nsamples)
		return err_set(ERR_PARSE, "sample type added after samples");
	if (p->ntypes >= 1024)
		return err_set(ERR_TOOBIG, "more than 1024 sample types");
	if ((rc = vec_reserve(&p->sample_types, &b->cap_types, p->ntypes + 1)))
		return rc;
	p->sample_types[p->ntypes].type = type;
	p->sample_types[p->ntypes].unit = unit;
	p->ntypes++;
	return 0;
}

void pb_truncate_types(struct prof_builder *b, uint32_t n)
{
	if (b->p->nsamples == 0 && n < b->p->ntypes)
		b->p->ntypes = n;
}

uint32_t pb_ntypes(const struct prof_builder *b)
{
	return b->p->ntypes;
}

void pb_set_period(struct prof_builder *b, uint32_t type, uint32_t unit, int64_t period)
{
	b->p->period_type.type = type;
	b->p->period_type.unit = unit;
	b->p->period = period;
}

void pb_set_times(struct prof_builder *b, int64_t time_nanos, int64_t duration_nanos)
{
	b->p->time_nanos = time_nanos;
	b->p->duration_nanos = duration_nanos;
}

void pb_set_frames(struct prof_builder *b, uint32_t drop, uint32_t keep)
{
	b->p->drop_frames = drop;
	b->p->keep_frames = keep;
}

int pb_add_comment(struct prof_builder *b, uint32_t str)
{
	struct prof *p = b->p;
	int rc;

	if (p->ncomments >= PB_MAX_ITEMS)
		return err_set(ERR_TOOBIG, "more than %u comments", PB_MAX_ITEMS);
	if ((rc = vec_reserve(&p->comments, &b->cap_comments, (size_t)p->ncomments + 1)))
		return rc;
	p->comments[p->ncomments++] = str;
	return 0;
}

void pb_set_default_type(struct prof_builder *b, uint32_t index)
{
	b->p->default_type = index;
	b->has_default = true;
}

void pb_set_fallback_type(struct prof_builder *b, uint32_t index)
{
	if (!b->has_default)
		b->fallback = index + 1;
}

int pb_mapping(struct prof_builder *b, const struct prof_mapping *m, uint32_t *out)
{
	struct prof *p = b->p;
	int rc;

	if (p->nmappings >= PB_MAX_ITEMS)
		return err_set(ERR_TOOBIG, "too many mappings");
	if ((rc = vec_reserve(&p->mappings, &b->cap_maps, p->nmappings + 1)))
		return rc;
	p->mappings[p->nmappings] = *m;
	*out = p->nmappings++;
	return 0;
}

int pb_function(struct prof_builder *b, const struct prof_function *f, uint32_t *out)
{
	struct prof *p = b->p;
	int rc;

	if (p->nfunctions >= PB_MAX_ITEMS)
		return err_set(ERR_TOOBIG, "too many functions");
	if ((rc = vec_reserve(&p->functions, &b->cap_funcs, p->nfunctions + 1)))
		return rc;
	p->functions[p->nfunctions] = *f;
	*out = p->nfunctions++;
	return 0;
}

/* The name pprof gives code of `mapping` it has no name for: "[basename]", else "<unknown>". */
static int mapping_name(struct prof_builder *b, uint32_t mapping, uint32_t *out)
{
	struct prof *p = b->p;
	const char *file, *base;
	char name[512];

	if (mapping != PROF_NONE && mapping < p->nmappings &&
	    p->strs[p->mappings[mapping].file][0]) {
		file = p->strs[p->mappings[mapping].file];
		base = strrchr(file, '/');
		snprintf(name, sizeof(name), "[%s]", base ? base + 1 : file);
	} else {
		snprintf(name, sizeof(name), "<unknown>");
	}
	return pb_string(b, name, strlen(name), out);
}

/* The function standing for code in `mapping` with no symbol: "[basename]". */
static int unsym_function(struct prof_builder *b, uint32_t mapping, uint32_t *out)
{
	struct prof_function f = { 0 };
	uint32_t id;
	int rc;

	if (hmap_get(&b->unsymmap, (uint64_t)mapping + 1, out))
		return 0;
	if ((rc = mapping_name(b, mapping, &f.name)) || (rc = pb_function(b, &f, &id)))
		return rc;
	*out = id;
	return hmap_put(&b->unsymmap, (uint64_t)mapping + 1, id);
}

/*
 * A function with an empty name is named once here, so every view and export agrees: by
 * its system name when it has one, as pprof's demangling at load fills it in, else as
 * pprof's nodeInfo names it (from the object file: "[prog]", else "<unknown>").  The line
 * gets a copy of the function (file, start line, system name kept) under that name.
 */
static int name_nameless(struct prof_builder *b, uint32_t mapping, uint32_t *func)
{
	struct prof *p = b->p;
	struct prof_function f;
	uint64_t key = ((uint64_t)*func + 1) << 32 | (uint32_t)(mapping + 1);
	uint32_t id;
	int rc;

	if (*func >= p->nfunctions || p->str_lens[p->functions[*func].name] != 0)
		return 0;
	if (hmap_get(&b->namedmap, key, &id)) {
		*func = id;
		return 0;
	}
	f = p->functions[*func];
	if (p->str_lens[f.system_name] != 0)
		f.name = f.system_name;
	else if ((rc = mapping_name(b, mapping, &f.name)))
		return rc;
	if ((rc = pb_function(b, &f, &id)))
		return rc;
	*func = id;
	return hmap_put(&b->namedmap, key, id);
}

int pb_location(struct prof_builder *b, uint32_t mapping, uint64_t address,
		const struct prof_line *lines, uint32_t n, uint32_t *out)
{
	struct prof *p = b->p;
	struct prof_location *l;
	struct prof_line synth;
	uint32_t j;
	int rc;

	if (p->nlocations >= PB_MAX_ITEMS || (uint64_t)p->nlines + n >= PB_MAX_ITEMS)
		return err_set(ERR_TOOBIG, "too many locations");
	if (n == 0) {
		if ((rc = unsym_function(b, mapping, &synth.func)))
			return rc;
		synth.line = 0;
		lines = &synth;
		n = 1;
	}
	if ((rc = vec_reserve(&p->locations, &b->cap_locs, p->nlocations + 1)) ||
	    (rc = vec_reserve(&p->lines, &b->cap_lines, (size_t)p->nlines + n)))
		return rc;
	l = &p->locations[p->nlocations];
	l->address = address;
	l->mapping = mapping;
	l->line_off = p->nlines;
	l->nlines = n;
	l->unsymbolized = lines == &synth;
	memcpy(p->lines + p->nlines, lines, n * sizeof(*lines));
	for (j = 0; j < n && !l->unsymbolized; j++)
		if ((rc = name_nameless(b, mapping, &p->lines[p->nlines + j].func)))
			return rc;
	p->nlines += n;
	*out = p->nlocations++;
	return 0;
}

int pb_named_frame(struct prof_builder *b, const char *name, size_t n, uint32_t *out)
{
	struct prof_function f = { 0 };
	struct prof_line line = { 0, 0 };
	uint32_t sid;
	int rc;

	if ((rc = pb_string(b, name, n, &sid)))
		return rc;
	if (hmap_get(&b->framemap, sid, out))
		return 0;
	f.name = sid;
	if ((rc = pb_function(b, &f, &line.func)) ||
	    (rc = pb_location(b, PROF_NONE, 0, &line, 1, out)))
		return rc;
	return hmap_put(&b->framemap, sid, *out);
}

/* The sums of the values per sample type, made when the first sample comes. */
static int sums_alloc(struct prof_builder *b)
{
	uint32_t nt = b->p->ntypes;

	if (!b->pos_sum && nt) {
		b->pos_sum = calloc(nt, sizeof(*b->pos_sum));
		b->neg_sum = calloc(nt, sizeof(*b->neg_sum));
		if (!b->pos_sum || !b->neg_sum)
			return err_set(ERR_NOMEM, "out of memory");
	}
	return 0;
}

/* Sample s fits when its locations end below locs_end and its labels below labels_end. */
static int sample_fits(uint32_t s, size_t locs_end, size_t labels_end)
{
	if (s >= PB_MAX_ITEMS || locs_end >= (size_t)PB_MAX_ITEMS * 4 ||
	    labels_end >= PB_MAX_ITEMS)
		return err_set(ERR_TOOBIG, "too many samples");
	return 0;
}

/*
 * Adds sample s's values to the sums.  Every sum the views make (totals, subtrees, top
 * rows) is a subset sum, so it fits in int64 when the sums of positive and of negative
 * values do: refuse input whose sums would not, instead of overflowing later.
 */
static int sample_sums(struct prof_builder *b, uint32_t s, const int64_t *values)
{
	const struct prof *p = b->p;
	uint32_t t;

	for (t = 0; t < p->ntypes; t++) {
		int64_t *sum = values[t] >= 0 ? &b->pos_sum[t] : &b->neg_sum[t];

		/* -2^63 has no magnitude in 64 bits (pprof's totals are of magnitudes) */
		if (values[t] == INT64_MIN)
			return err_set(ERR_TOOBIG, "sample %u: a value of '%s' is -2^63", s,
				       p->strs[p->sample_types[t].type]);
		if (__builtin_add_overflow(*sum, values[t], sum))
			return err_set(ERR_TOOBIG, "sample %u: the values of '%s' add up past 2^63",
				       s, p->strs[p->sample_types[t].type]);
	}
	return 0;
}

int pb_sample(struct prof_builder *b, const uint32_t *locs, uint32_t nlocs,
	      const int64_t *values, const struct prof_label *labels, uint32_t nlabels)
{
	struct prof *p = b->p;
	struct prof_sample *s;
	int rc;

	assert(b->nchecked == p->nsamples);
	if ((rc = sums_alloc(b)) ||
	    (rc = sample_fits(p->nsamples, p->nsample_locs + nlocs, p->nlabels + nlabels)))
		return rc;
	if ((rc = vec_reserve(&p->samples, &b->cap_samples, p->nsamples + 1)) ||
	    /* + 1: never NULL once there is a sample, so `sample_locs + off` is defined */
	    (rc = vec_reserve(&p->sample_locs, &b->cap_slocs, p->nsample_locs + nlocs + 1)) ||
	    (rc = vec_reserve(&p->values, &b->cap_values,
			      ((size_t)p->nsamples + 1) * p->ntypes)) ||
	    (nlabels && (rc = vec_reserve(&p->labels, &b->cap_labels, p->nlabels + nlabels))))
		return rc;
	s = &p->samples[p->nsamples];
	s->loc_off = (uint32_t)p->nsample_locs;
	s->nlocs = nlocs;
	s->label_off = (uint32_t)p->nlabels;
	s->nlabels = nlabels;
	if ((rc = sample_sums(b, p->nsamples, values)))
		return rc;
	if (nlocs)
		memcpy(p->sample_locs + p->nsample_locs, locs, nlocs * sizeof(*locs));
	p->nsample_locs += nlocs;
	if (p->ntypes)
		memcpy(p->values + (size_t)p->nsamples * p->ntypes, values,
		       p->ntypes * sizeof(*values));
	if (nlabels)
		memcpy(p->labels + p->nlabels, labels, nlabels * sizeof(*labels));
	p->nlabels += nlabels;
	b->nchecked = ++p->nsamples;
	return 0;
}

int pb_add_samples(struct prof_builder *b, size_t n, const uint32_t *nlocs,
		   const uint32_t *nlabels, struct pb_samples *out)
{
	struct prof *p = b->p;
	size_t i, locs = p->nsample_locs, labels = p->nlabels;
	int rc;

	assert(b->nchecked == p->nsamples);
	for (i = 0; i < n; i++) {
		locs += nlocs[i];
		labels += nlabels[i];
	}
	/* what the offsets can address; pb_check_samples() has pb_sample()'s tighter limits */
	if (n > PB_MAX_ITEMS - p->nsamples || locs > (size_t)PB_MAX_ITEMS * 4 ||
	    labels > PB_MAX_ITEMS)
		return err_set(ERR_TOOBIG, "too many samples");
	if (n && ((rc = vec_reserve(&p->samples, &b->cap_samples, p->nsamples + n)) ||
		  /* + 1: as in pb_sample() */
		  (rc = vec_reserve(&p->sample_locs, &b->cap_slocs, locs + 1)) ||
		  (rc = vec_reserve(&p->values, &b->cap_values, (p->nsamples + n) * p->ntypes)) ||
		  (labels && (rc = vec_reserve(&p->labels, &b->cap_labels, labels)))))
		return rc;
	for (i = 0; i < n; i++) {
		struct prof_sample *s = &p->samples[p->nsamples + i];

		s->loc_off = (uint32_t)p->nsample_locs;
		s->nlocs = nlocs[i];
		s->label_off = (uint32_t)p->nlabels;
		s->nlabels = nlabels[i];
		p->nsample_locs += nlocs[i];
		p->nlabels += nlabels[i];
	}
	out->first = p->nsamples;
	out->samples = p->samples;
	out->locs = p->sample_locs;
	out->values = p->values;
	out->labels = p->labels;
	p->nsamples += (uint32_t)n;
	return 0;
}

int pb_check_samples(struct prof_builder *b, size_t n)
{
	const struct prof *p = b->p;
	int rc;

	assert(n <= p->nsamples - b->nchecked);
	if ((rc = sums_alloc(b)))
		return rc;
	for (; n > 0; n--, b->nchecked++) {
		uint32_t i = b->nchecked;
		const struct prof_sample *s = &p->samples[i];

		if ((rc = sample_fits(i, (size_t)s->loc_off + s->nlocs,
				      (size_t)s->label_off + s->nlabels)) ||
		    (p->ntypes && (rc = sample_sums(b, i, p->values + (size_t)i * p->ntypes))))
			return rc;
	}
	return 0;
}

int pb_copy_header(struct prof_builder *b, const struct prof *src, bool tables)
{
	uint32_t i, id;
	int rc;

	if (b->p->nstrs != 1 || b->p->ntypes || b->p->nfunctions || b->p->nmappings)
		return err_set(ERR_USAGE, "pb_copy_header wants a fresh builder");
	for (i = 1; i < src->nstrs; i++)
		if ((rc = pb_string(b, src->strs[i], src->str_lens[i], &id)))
			return rc;
	for (i = 0; i < src->ntypes; i++)
		if ((rc = pb_sample_type(b, src->sample_types[i].type, src->sample_types[i].unit)))
			return rc;
	if (src->default_named)  /* else pb_finish's fallback, the same last type */
		pb_set_default_type(b, src->default_type);
	pb_set_period(b, src->period_type.type, src->period_type.unit, src->period);
	pb_set_times(b, src->time_nanos, src->duration_nanos);
	pb_set_frames(b, src->drop_frames, src->keep_frames);  /* strings keep their ids */
	for (i = 0; i < src->ncomments; i++)
		if ((rc = pb_add_comment(b, src->comments[i])))
			return rc;
	if (!tables)
		return 0;
	for (i = 0; i < src->nmappings; i++)
		if ((rc = pb_mapping(b, &src->mappings[i], &id)))
			return rc;
	for (i = 0; i < src->nfunctions; i++)
		if ((rc = pb_function(b, &src->functions[i], &id)))
			return rc;
	return 0;
}

int pb_copy_sample(struct prof_builder *b, const struct prof *src, uint32_t i)
{
	const struct prof_sample *s = &src->samples[i];

	/* no pointer arithmetic on the NULL arrays of a profile without locations or labels */
	return pb_sample(b, s->nlocs ? src->sample_locs + s->loc_off : NULL, s->nlocs,
			 src->values + (size_t)i * src->ntypes,
			 s->nlabels ? src->labels + s->label_off : NULL, s->nlabels);
}

int pb_copy_locations(struct prof_builder *b, const struct prof *src)
{
	uint32_t i, id;
	int rc;

	for (i = 0; i < src->nlocations; i++) {
		const struct prof_location *l = &src->locations[i];

		if ((rc = pb_location(b, l->mapping, l->address,
				      l->unsymbolized ? NULL : src->lines + l->line_off,
				      l->unsymbolized ? 0 : l->nlines, &id)))
			return rc;
	}
	return 0;
}

int pb_finish(struct prof_builder *b, struct prof **out)
{
	struct prof *p = b->p;

	*out = NULL;
	assert(b->nchecked == p->nsamples);
	if (p->ntypes == 0) {
		pb_free(b);
		return err_set(ERR_PARSE, "profile has no sample types");
	}
	p->default_named = b->has_default && p->default_type < p->ntypes;
	if (!p->default_named)
		p->default_type = b->fallback && b->fallback <= p->ntypes ? b->fallback - 1 :
									    p->ntypes - 1;
	b->p = NULL;
	pb_free(b);
	*out = p;
	return 0;
}
