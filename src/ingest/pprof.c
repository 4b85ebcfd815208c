/*
 * pprof.c — the pprof protobuf decoder.
 *
 * protobuf-c unpacks the message with an arena allocator (one bump allocator, freed at
 * once; no malloc per message) with a ceiling (decode.h: PPROF_UNPACK_LIMIT).  Then
 * every reference is checked — string indices, location/function ids, value counts —
 * before the model is fed through the builder (a mapping id no mapping has is no
 * mapping, as pprof reads it).  Ids are arbitrary uint64s: a
 * dense table when they are small, else a map, and no table for locations numbered 1 … n
 * in order (as Go writes them).  When protobuf-c rejects the bytes, a scan of the
 * top-level fields finds the byte offset of the problem for the error message; when it
 * accepts them, another scan refuses two messages written one after the other, as pprof
 * does (wire_concatenated).
 *
 * Everything is sized before the builder is fed: the samples' location and label counts,
 * so that the builder makes room for all samples at once (pb_add_samples) and they are
 * written straight into the model, and, by a second thread for a large profile, the
 * hashes of the string table (interned later with each map slot fetched ahead) and the
 * locations' lines.  For a large profile a thread also faults in the pages of the sample
 * arrays while the mappings, functions and locations are decoded (a page fault costs
 * about as much as filling the page), and two threads fill in half of the samples each.
 * The error reported is still that of the first bad sample, as if they were read one by
 * one (see do_samples).  Passes over the message fetch its items a few ahead.
 */
#include "decode.h"

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/hmap.h"
#include "base/pbbudget.h"
#include "profile/builder.h"
#include "profile.pb-c.h"

/* Items from which a second thread pays for itself (starting one costs ~0.1 ms). */
#define PPROF_PAR_ITEMS 16384

/* Passes over the message's items fetch the item this far ahead into the cache. */
#define AHEAD 8

/* A location and the lines protobuf-c unpacked after it take about this many bytes. */
#define LOC_BYTES 256

/* Bytes faulted in per call by populate_run() (each call holds the memory map's lock). */
#define POP_CHUNK ((uintptr_t)1 << 20)

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * Decodes the varint at p[0..n) into *v for the decoder's field walk (wire_next): returns
 * the bytes it takes, or 0 when it is cut short or longer than 10 bytes.  decode.c's
 * sniff_varint() is the sniffer's, which must tell those two apart; each is static to
 * its file (sharing one would take a module-private header both include, ingest_int.h).
 */
static inline size_t wire_read_varint(const uint8_t *p, size_t n, uint64_t *v)
{
	size_t i;

	if (n && p[0] < 0x80) {  /* tags and short lengths: one byte */
		*v = p[0];
		return 1;
	}
	*v = 0;
	for (i = 0; i < n && i < 10; i++) {
		*v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80))
			return i + 1;
	}
	return 0;
}

/* A top-level protobuf field: its tag, and its varint value or its length. */
struct wire_field {
	uint64_t tag, v;
	size_t start;  /* the byte where it begins */
};

/*
 * The field at p[*pos..n), *pos moved past it: 1, 0 at the end, or ERR_PARSE saying
 * where and how the framing breaks.  wire_next() is the fast path, this every case.
 */
static __attribute__((noinline)) int wire_next_any(const uint8_t *p, size_t n, size_t *pos,
						   struct wire_field *f)
{
	size_t k;

	if (*pos >= n)
		return 0;
	f->start = *pos;
	if (!(k = wire_read_varint(p + *pos, n - *pos, &f->tag)))
		return err_set(ERR_PARSE, "truncated field tag at byte %zu", f->start);
	*pos += k;
	if ((f->tag >> 3) == 0)
		return err_set(ERR_PARSE, "invalid field number 0 at byte %zu", f->start);
	switch (f->tag & 7) {
	case 0:
		if (!(k = wire_read_varint(p + *pos, n - *pos, &f->v)))
			return err_set(ERR_PARSE, "truncated varint at byte %zu", *pos);
		*pos += k;
		return 1;
	case 1:
		if (n - *pos < 8)
			return err_set(ERR_PARSE, "truncated fixed64 at byte %zu", *pos);
		*pos += 8;
		return 1;
	case 2:
		if (!(k = wire_read_varint(p + *pos, n - *pos, &f->v)))
			return err_set(ERR_PARSE, "truncated length at byte %zu", *pos);
		*pos += k;
		if (f->v > n - *pos)
			return err_set(ERR_PARSE,
				       "field %llu at byte %zu declares %llu bytes but only %zu remain",
				       (unsigned long long)(f->tag >> 3), f->start,
				       (unsigned long long)f->v, n - *pos);
		*pos += f->v;
		return 1;
	case 5:
		if (n - *pos < 4)
			return err_set(ERR_PARSE, "truncated fixed32 at byte %zu", *pos);
		*pos += 4;
		return 1;
	default:
		return err_set(ERR_PARSE, "invalid wire type %u at byte %zu",
			       (unsigned)(f->tag & 7), f->start);
	}
}

/*
 * wire_next_any() inlined for what nearly every top-level field of a profile is: a
 * one-byte tag with a one-byte varint, or a one-byte length within the bytes left.  The
 * passes over a whole message (pprof_count_samples, wire_concatenated) take ~2,400
 * fields each for a typical push, and a call per field cost more than the field.
 */
static inline int wire_next(const uint8_t *p, size_t n, size_t *pos, struct wire_field *f)
{
	size_t i = *pos;
	struct wire_field g;
	int rc;

	if (n - i >= 2 && p[i] >= 8 && p[i] < 0x80 && p[i + 1] < 0x80) {
		f->start = i;
		f->tag = p[i];
		f->v = p[i + 1];
		if ((f->tag & 7) == 2 && f->v <= n - i - 2) {
			*pos = i + 2 + f->v;
			return 1;
		}
		if ((f->tag & 7) == 0) {
			*pos = i + 2;
			return 1;
		}
	}
	/* through copies, so that the caller's pos and field can stay in registers */
	rc = wire_next_any(p, n, &i, &g);
	*pos = i;
	*f = g;
	return rc;
}

/* Explains why protobuf-c refused the bytes, with the offset of the bad field. */
static int wire_explain(const uint8_t *p, size_t n)
{
	struct wire_field f;
	size_t pos = 0;
	int rc;

	while ((rc = wire_next(p, n, &pos, &f)) > 0)
		;
	if (rc < 0)
		return rc;
	return err_set(ERR_PARSE, "not a valid pprof protobuf (malformed nested message)");
}

size_t pprof_count_samples(const uint8_t *p, size_t n)
{
	struct wire_field f;
	size_t pos = 0, count = 0;

	while (wire_next(p, n, &pos, &f) > 0)
		count += f.tag == ((2 << 3) | 2);
	return count;
}

/*
 * Whether the message is two or more profiles written one after the other (as `cat
 * a.pb b.pb`, or gzip members, make them): protobuf keeps the last value of a field that
 * repeats, so the later profile's time_nanos (field 9) would silently win and its string
 * indices resolve against the first one's table.  pprof (profile/encode.go) refuses a
 * time_nanos that follows a non-zero one, and so does this, with pprof's words and the
 * byte where it happens.  Only called on bytes protobuf-c unpacked: the framing is sound.
 */
static int wire_concatenated(const uint8_t *p, size_t n)
{
	struct wire_field f;
	size_t pos = 0;
	uint64_t time_nanos = 0;

	while (wire_next(p, n, &pos, &f) > 0) {
		if (f.tag != ((9 << 3) | 0))
			continue;
		if (time_nanos)
			return err_set(ERR_PARSE, "concatenated profiles detected (a second "
				       "time_nanos at byte %zu)", f.start);
		time_nanos = f.v;
	}
	return 0;
}

/* id → index map for mappings, locations and functions. */
struct idmap {
	uint32_t *dense;  /* dense[id] = index + 1, when ids are small */
	uint64_t ndense;
	struct hmap map;
	bool use_map;
	uint32_t max_idx;  /* the id 2^64-1, which the hash map reserves, lives here */
	bool has_max;
	uint64_t nseq;     /* or: the ids are 1 … nseq, each its index + 1 (no table) */
};

/* For ids known to be 1 … n, each added as the index one less (as Go numbers them). */
static void idmap_init_seq(struct idmap *m, uint64_t n)
{
	memset(m, 0, sizeof(*m));
	m->nseq = n;
}

static int idmap_init(struct idmap *m, struct arena *a, uint64_t maxid, size_t count)
{
	memset(m, 0, sizeof(*m));
	if (maxid <= count * 4 + 1024) {
		m->ndense = maxid + 1;
		m->dense = arena_zalloc(a, m->ndense * sizeof(*m->dense));
		return m->dense ? 0 : err_set(ERR_NOMEM, "out of memory");
	}
	m->use_map = true;
	return hmap_init(&m->map, count);
}

static void idmap_release(struct idmap *m)
{
	if (m->use_map)
		hmap_release(&m->map);
}

/* Returns 1 if newly added, 0 if the id was already present, negative on error. */
static int idmap_add(struct idmap *m, uint64_t id, uint32_t idx)
{
	uint32_t old;
	int rc;

	if (m->nseq) {
		assert(id == (uint64_t)idx + 1);
		return 1;
	}
	if (id == UINT64_MAX && m->use_map) {
		if (m->has_max)
			return 0;
		m->has_max = true;
		m->max_idx = idx;
		return 1;
	}
	if (!m->use_map) {
		if (m->dense[id])
			return 0;
		m->dense[id] = idx + 1;
		return 1;
	}
	rc = hmap_intern(&m->map, id, idx, &old);
	return rc < 0 ? rc : !rc;
}

static bool idmap_get(const struct idmap *m, uint64_t id, uint32_t *idx)
{
	if (m->nseq) {
		if (id - 1 >= m->nseq)  /* id 0 wraps around */
			return false;
		*idx = (uint32_t)(id - 1);
		return true;
	}
	if (!m->use_map) {
		if (id >= m->ndense || !m->dense[id])
			return false;
		*idx = m->dense[id] - 1;
		return true;
	}
	if (id == UINT64_MAX) {
		*idx = m->max_idx;
		return m->has_max;
	}
	return hmap_get(&m->map, id, idx);
}

/* Pages a thread faults in ahead of their writer: where the samples go. */
struct populate_job {
	struct pop_range {
		void *p;
		size_t len;  /* bytes */
	} r[3];
	size_t pagesz;
};

struct pctx {
	const Perftools__Profiles__Profile *pb;
	struct prof_builder *b;
	uint32_t *str;  /* pprof string index → builder string id */
	struct idmap maps, funcs, locs;
	struct arena *scratch;
	uint64_t *hashes;           /* of the string table, for pb_string_hashed() */
	uint64_t max_loc_id;        /* the largest location id */
	bool loc_seq;               /* location i has the id i + 1 */
	uint32_t *nlocs, *nlabels;  /* per sample: its locations and labels */
	struct pb_samples room;     /* where the samples go */
	struct populate_job pop;
	pthread_t populate;         /* running populate_run(&pop) */
	bool populating;
};

static int str_ref(const struct pctx *c, int64_t idx, const char *what, uint32_t *out)
{
	if (idx < 0 || (uint64_t)idx >= c->pb->n_string_table)
		return err_set(ERR_PARSE, "%s refers to string %lld, but the string table has %zu",
			       what, (long long)idx, c->pb->n_string_table);
	*out = c->str[idx];
	return 0;
}

/* What is worked out before the builder is fed (prep_run, count_samples). */
struct prep_job {
	const Perftools__Profiles__Profile *pb;
	uint64_t *hashes;           /* of the string table */
	uint32_t *nlocs, *nlabels;  /* per sample */
	size_t nslocs, nslabels;    /* in all samples */
	size_t nlines;              /* of the locations, one for a location without any */
	uint64_t max_loc_id;
	bool loc_seq;               /* location i has the id i + 1 */
};

/* The string hashes and the locations' sizes: a second thread's part of prepare(). */
static void *prep_run(void *arg)
{
	struct prep_job *j = arg;  /* shared with count_samples(): written once, at the end */
	const Perftools__Profiles__Profile *pb = j->pb;
	size_t i, nlines = 0;
	uint64_t max_id = 0;
	bool seq = true;

	for (i = 0; i < pb->n_string_table; i++)
		j->hashes[i] = pb_string_hash((const char *)pb->string_table[i].data,
					      pb->string_table[i].len);
	for (i = 0; i < pb->n_location; i++) {
		const Perftools__Profiles__Location *l = pb->location[i];

		if (i + AHEAD < pb->n_location)
			__builtin_prefetch(pb->location[i + AHEAD]);
		nlines += l->n_line ? l->n_line : 1;
		if (l->id > max_id)
			max_id = l->id;
		seq &= l->id == i + 1;
	}
	j->nlines = nlines;
	j->max_loc_id = max_id;
	j->loc_seq = seq;
	return NULL;
}

/*
 * pprof's postDecode keeps a label only when it has a string, a number or a unit: one
 * with all three 0 is dropped (it would match numeric --tagfocus ranges otherwise).
 */
static bool label_kept(const Perftools__Profiles__Label *l)
{
	return l->str || l->num || l->num_unit;
}

static uint32_t kept_labels(const Perftools__Profiles__Sample *s)
{
	uint32_t n = 0;
	size_t j;

	for (j = 0; j < s->n_label; j++)
		n += label_kept(s->label[j]);
	return n;
}

static void count_samples(struct prep_job *j)
{
	const Perftools__Profiles__Profile *pb = j->pb;
	size_t i, nslocs = 0, nslabels = 0;

	for (i = 0; i < pb->n_sample; i++) {
		const Perftools__Profiles__Sample *s = pb->sample[i];

		if (i + AHEAD < pb->n_sample)
			__builtin_prefetch(pb->sample[i + AHEAD]);
		j->nlocs[i] = (uint32_t)s->n_location_id;
		j->nlabels[i] = kept_labels(s);
		nslocs += s->n_location_id;
		nslabels += j->nlabels[i];
	}
	j->nslocs = nslocs;
	j->nslabels = nslabels;
}

/*
 * Sizes the builder's arrays (pb_reserve): first for the strings (the string map takes a
 * while to fault in) and then, with the samples counted, for the rest; for a large
 * profile a second thread does prep_run() meanwhile.  Sizes are bounded by the input:
 * each element took at least a byte.
 */
static int prepare(struct pctx *c)
{
	const Perftools__Profiles__Profile *pb = c->pb;
	struct prep_job prep = { 0 };
	bool started = false;
	pthread_t th;
	int rc;

	prep.pb = pb;
	prep.hashes = arena_array(c->scratch, pb->n_string_table, sizeof(*prep.hashes));
	prep.nlocs = arena_array(c->scratch, pb->n_sample, sizeof(*prep.nlocs));
	prep.nlabels = arena_array(c->scratch, pb->n_sample, sizeof(*prep.nlabels));
	if (!prep.hashes || !prep.nlocs || !prep.nlabels)
		return err_set(ERR_NOMEM, "out of memory");
	if (pb->n_string_table + pb->n_location + pb->n_sample >= PPROF_PAR_ITEMS)
		started = pthread_create(&th, NULL, prep_run, &prep) == 0;
	rc = pb_reserve(c->b, pb->n_string_table + 64, pb->n_function + 64, 0, 0, 0, 0, 0);
	if (!rc)
		count_samples(&prep);
	if (started)
		pthread_join(th, NULL);
	else if (!rc)
		prep_run(&prep);
	if (rc || (rc = pb_reserve(c->b, 0, 0, pb->n_location, prep.nlines, pb->n_sample,
				   prep.nslocs, prep.nslabels)))
		return rc;
	c->hashes = prep.hashes;
	c->nlocs = prep.nlocs;
	c->nlabels = prep.nlabels;
	c->max_loc_id = prep.max_loc_id;
	c->loc_seq = prep.loc_seq;
	return 0;
}

/* The string table, interned in order; each string's map slot is fetched a few ahead. */
static int do_strings(struct pctx *c)
{
	const ProtobufCBinaryData *strs = c->pb->string_table;
	size_t i, n = c->pb->n_string_table;
	int rc;

	if (n == 0 || strs[0].len != 0)
		return err_set(ERR_PARSE, "string table must start with the empty string");
	if (!(c->str = arena_array(c->scratch, n, sizeof(*c->str))))
		return err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		if (i + AHEAD < n)
			pb_string_prefetch(c->b, c->hashes[i + AHEAD]);
		if ((rc = pb_string_hashed(c->b, (const char *)strs[i].data, strs[i].len,
					   c->hashes[i], &c->str[i])))
			return rc;
	}
	return 0;
}

static uint64_t max_id_of(void **items, size_t n, size_t id_offset)
{
	uint64_t m = 0, id;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i + AHEAD < n)
			__builtin_prefetch((char *)items[i + AHEAD] + id_offset);
		memcpy(&id, (char *)items[i] + id_offset, sizeof(id));
		if (id > m)
			m = id;
	}
	return m;
}

static int do_types(struct pctx *c)
{
	const Perftools__Profiles__Profile *pb = c->pb;
	uint32_t t = 0, u = 0, def = 0;
	size_t i;
	int rc;

	for (i = 0; i < pb->n_sample_type; i++) {
		if ((rc = str_ref(c, pb->sample_type[i]->type, "sample type", &t)) ||
		    (rc = str_ref(c, pb->sample_type[i]->unit, "sample unit", &u)) ||
		    (rc = pb_sample_type(c->b, t, u)))
			return rc;
	}
	if (pb->period_type) {
		if ((rc = str_ref(c, pb->period_type->type, "period type", &t)) ||
		    (rc = str_ref(c, pb->period_type->unit, "period unit", &u)))
			return rc;
		pb_set_period(c->b, t, u, pb->period);
	} else {
		pb_set_period(c->b, 0, 0, pb->period);
	}
	pb_set_times(c->b, pb->time_nanos, pb->duration_nanos);
	if (pb->drop_frames || pb->keep_frames) {
		if ((rc = str_ref(c, pb->drop_frames, "drop_frames", &t)) ||
		    (rc = str_ref(c, pb->keep_frames, "keep_frames", &u)))
			return rc;
		pb_set_frames(c->b, t, u);
	}
	for (i = 0; i < pb->n_comment; i++)
		if ((rc = str_ref(c, pb->comment[i], "comment", &t)) ||
		    (rc = pb_add_comment(c->b, t)))
			return rc;
	if (pb->default_sample_type) {
		if ((rc = str_ref(c, pb->default_sample_type, "default sample type", &def)))
			return rc;
		/* pprof (SampleIndexByName): the first sample type whose name matches */
		for (i = 0; i < pb->n_sample_type; i++) {
			if (c->str[pb->sample_type[i]->type] == def) {
				pb_set_default_type(c->b, (uint32_t)i);
				break;
			}
		}
	}
	return 0;
}

static int do_mappings(struct pctx *c)
{
	const Perftools__Profiles__Profile *pb = c->pb;
	size_t i;
	int rc;

	if ((rc = idmap_init(&c->maps, c->scratch,
			     max_id_of((void **)pb->mapping, pb->n_mapping,
				       offsetof(Perftools__Profiles__Mapping, id)),
			     pb->n_mapping)))
		return rc;
	for (i = 0; i < pb->n_mapping; i++) {
		const Perftools__Profiles__Mapping *m = pb->mapping[i];
		struct prof_mapping pm = { m->memory_start, m->memory_limit, m->file_offset, 0, 0 };
		uint32_t idx;

		if (m->id == 0)
			return err_set(ERR_PARSE, "mapping %zu has the reserved id 0", i);
		if ((rc = str_ref(c, m->filename, "mapping file name", &pm.file)) ||
		    (rc = str_ref(c, m->build_id, "mapping build id", &pm.build_id)) ||
		    (rc = pb_mapping(c->b, &pm, &idx)))
			return rc;
		if ((rc = idmap_add(&c->maps, m->id, idx)) < 0)
			return rc;
		if (rc == 0)
			return err_set(ERR_PARSE, "duplicate mapping id %llu",
				       (unsigned long long)m->id);
	}
	return 0;
}

static int do_functions(struct pctx *c)
{
	const Perftools__Profiles__Profile *pb = c->pb;
	size_t i;
	int rc;

	if ((rc = idmap_init(&c->funcs, c->scratch,
			     max_id_of((void **)pb->function, pb->n_function,
				       offsetof(Perftools__Profiles__Function, id)),
			     pb->n_function)))
		return rc;
	for (i = 0; i < pb->n_function; i++) {
		const Perftools__Profiles__Function *f = pb->function[i];
		struct prof_function pf = { 0 };
		uint32_t idx;

		if (i + AHEAD < pb->n_function)
			__builtin_prefetch(pb->function[i + AHEAD]);
		if (f->id == 0)
			return err_set(ERR_PARSE, "function %zu has the reserved id 0", i);
		if ((rc = str_ref(c, f->name, "function name", &pf.name)) ||
		    (rc = str_ref(c, f->system_name, "function system name", &pf.system_name)) ||
		    (rc = str_ref(c, f->filename, "function file name", &pf.file)))
			return rc;
		pf.start_line = f->start_line;
		if ((rc = pb_function(c->b, &pf, &idx)))
			return rc;
		if ((rc = idmap_add(&c->funcs, f->id, idx)) < 0)
			return rc;
		if (rc == 0)
			return err_set(ERR_PARSE, "duplicate function id %llu",
				       (unsigned long long)f->id);
	}
	return 0;
}

static int do_locations(struct pctx *c)
{
	const Perftools__Profiles__Profile *pb = c->pb;
	struct prof_line *lines = NULL;
	size_t i, j, k, cap = 0;
	int rc;

	if (c->loc_seq)
		idmap_init_seq(&c->locs, pb->n_location);
	else if ((rc = idmap_init(&c->locs, c->scratch, c->max_loc_id, pb->n_location)))
		return rc;
	for (i = 0; i < pb->n_location; i++) {
		const Perftools__Profiles__Location *l = pb->location[i];
		uint32_t mapping = PROF_NONE, idx;

		for (k = 0; i + AHEAD < pb->n_location && k < LOC_BYTES; k += 64)
			__builtin_prefetch((const char *)pb->location[i + AHEAD] + k);
		if (l->id == 0)
			return err_set(ERR_PARSE, "location %zu has the reserved id 0", i);
		/* an id no mapping has is no mapping: pprof's postDecode leaves Location.Mapping
		 * nil for it and CheckValid accepts that, so go tool pprof reads the file */
		if (l->mapping_id && !idmap_get(&c->maps, l->mapping_id, &mapping))
			mapping = PROF_NONE;
		if (l->n_line > cap) {
			cap = l->n_line;
			if (!(lines = arena_array(c->scratch, cap, sizeof(*lines))))
				return err_set(ERR_NOMEM, "out of memory");
		}
		for (j = 0; j < l->n_line; j++) {
			if (!idmap_get(&c->funcs, l->line[j]->function_id, &lines[j].func))
				return err_set(ERR_PARSE,
					       "location %llu refers to unknown function %llu",
					       (unsigned long long)l->id,
					       (unsigned long long)l->line[j]->function_id);
			lines[j].line = l->line[j]->line;
		}
		if ((rc = pb_location(c->b, mapping, l->address, lines, (uint32_t)l->n_line, &idx)))
			return rc;
		if ((rc = idmap_add(&c->locs, l->id, idx)) < 0)
			return rc;
		if (rc == 0)
			return err_set(ERR_PARSE, "duplicate location id %llu",
				       (unsigned long long)l->id);
	}
	return 0;
}

static void *populate_run(void *arg)
{
	const struct populate_job *j = arg;
	size_t i;

	for (i = 0; i < sizeof(j->r) / sizeof(j->r[0]); i++) {
#ifdef MADV_POPULATE_WRITE
		uintptr_t pg = j->pagesz - 1;
		uintptr_t a = ((uintptr_t)j->r[i].p + pg) & ~pg;
		uintptr_t e = ((uintptr_t)j->r[i].p + j->r[i].len) & ~pg;

		for (; j->r[i].len && a < e; a += POP_CHUNK)
			(void)madvise((void *)a, e - a < POP_CHUNK ? e - a : POP_CHUNK,
				      MADV_POPULATE_WRITE);
#endif
	}
	return NULL;
}

static void populate_wait(struct pctx *c)
{
	if (c->populating)
		pthread_join(c->populate, NULL);
	c->populating = false;
}

/*
 * Room for the samples, made as soon as the sample types are known.  For a large profile
 * a second thread faults its pages in while the mappings, functions and locations are
 * decoded (one call per megabyte: a fault per page costs about as much as filling it).
 */
static int samples_room(struct pctx *c)
{
	const Perftools__Profiles__Profile *pb = c->pb;
	const struct prof_sample *last;
	const struct pb_samples *room = &c->room;
	int rc;

	if ((rc = pb_add_samples(c->b, pb->n_sample, c->nlocs, c->nlabels, &c->room)))
		return rc;
	if (pb->n_sample < PPROF_PAR_ITEMS)
		return 0;
	last = &room->samples[room->first + pb->n_sample - 1];
	c->pop.r[0].p = room->locs;
	c->pop.r[0].len = ((size_t)last->loc_off + last->nlocs) * sizeof(*room->locs);
	c->pop.r[1].p = room->labels;
	c->pop.r[1].len = ((size_t)last->label_off + last->nlabels) * sizeof(*room->labels);
	c->pop.r[2].p = room->values;
	c->pop.r[2].len = pb->n_sample * pb->n_sample_type * sizeof(*room->values);
	c->pop.pagesz = (size_t)sysconf(_SC_PAGESIZE);
	c->populating = pthread_create(&c->populate, NULL, populate_run, &c->pop) == 0;
	return 0;
}

/* Checks sample i and writes its locations, values and labels where room says. */
static int sample_fill(const struct pctx *c, const struct pb_samples *room, size_t i)
{
	const Perftools__Profiles__Profile *pb = c->pb;
	const Perftools__Profiles__Sample *s = pb->sample[i];
	const struct prof_sample *ps = &room->samples[room->first + i];
	size_t j, k;
	int rc;

	if (s->n_value != pb->n_sample_type)
		return err_set(ERR_PARSE, "sample %zu has %zu values for %zu sample types", i,
			       s->n_value, pb->n_sample_type);
	if (s->n_location_id) {
		uint32_t *locs = room->locs + ps->loc_off;

		for (j = 0; j < s->n_location_id; j++) {
			if (!idmap_get(&c->locs, s->location_id[j], &locs[j]))
				return err_set(ERR_PARSE, "sample %zu refers to unknown location %llu",
					       i, (unsigned long long)s->location_id[j]);
		}
	}
	if (s->n_label) {
		/* every label is checked; when none is kept room->labels may be NULL */
		struct prof_label *labels = ps->nlabels ? room->labels + ps->label_off : NULL;

		for (j = 0, k = 0; j < s->n_label; j++) {
			const Perftools__Profiles__Label *l = s->label[j];
			struct prof_label pl;

			if ((rc = str_ref(c, l->key, "label key", &pl.key)) ||
			    (rc = str_ref(c, l->str, "label value", &pl.str)) ||
			    (rc = str_ref(c, l->num_unit, "label unit", &pl.num_unit)))
				return rc;
			pl.num = l->num;
			if (label_kept(l))
				labels[k++] = pl;
		}
	}
	if (s->n_value)
		memcpy(room->values + (room->first + i) * s->n_value, s->value,
		       s->n_value * sizeof(*s->value));
	return 0;
}

/* One thread's share of the samples, [lo, hi); bad is the first that failed, else hi. */
struct fill_job {
	const struct pctx *c;
	const struct pb_samples *room;
	size_t lo, hi, bad;
};

static void *fill_run(void *arg)
{
	struct fill_job *j = arg;
	size_t i;

	for (i = j->lo; i < j->hi; i++)
		if (sample_fill(j->c, j->room, i))
			break;
	j->bad = i;  /* once: the two jobs share a cache line */
	return NULL;
}

/* The work of the samples before s: a label costs about two locations. */
static inline uint64_t fill_work(const struct prof_sample *s)
{
	return s->loc_off + 2 * (uint64_t)s->label_off;
}

/* The first sample of the second half of the work. */
static size_t fill_split(const struct pb_samples *room, size_t n)
{
	const struct prof_sample *s = room->samples + room->first;
	uint64_t base = fill_work(&s[0]);
	uint64_t half = (fill_work(&s[n - 1]) + s[n - 1].nlocs + 2 * (uint64_t)s[n - 1].nlabels -
			 base) / 2;
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (fill_work(&s[mid]) - base < half)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The samples go straight into the profile's arrays, by two threads for a large profile.
 * A failing sample's message is made again on this thread (helpers' messages are their
 * own), and only after pb_check_samples() has seen the samples before it: the first
 * failure in sample order wins, as if one sample were added at a time.
 */
static int do_samples(struct pctx *c)
{
	const struct pb_samples *room = &c->room;
	size_t n = c->pb->n_sample, bad;
	struct fill_job jobs[2];
	pthread_t th;
	bool started = false;
	int rc;

	populate_wait(c);
	jobs[0] = (struct fill_job){ c, room, 0, n, n };
	jobs[1] = (struct fill_job){ c, room, n, n, n };
	if (n >= PPROF_PAR_ITEMS) {
		jobs[0].hi = jobs[1].lo = fill_split(room, n);
		started = pthread_create(&th, NULL, fill_run, &jobs[1]) == 0;
	}
	fill_run(&jobs[0]);
	if (started)
		pthread_join(th, NULL);
	else if (jobs[0].bad == jobs[0].hi)
		fill_run(&jobs[1]);
	bad = jobs[0].bad < jobs[0].hi ? jobs[0].bad : jobs[1].bad;
	if ((rc = pb_check_samples(c->b, bad)))
		return rc;
	return bad < n ? sample_fill(c, room, bad) : 0;
}

int pprof_decode(const uint8_t *data, size_t len, struct decode_stats *st, struct prof **out)
{
	return pprof_decode_limit(data, len, PPROF_UNPACK_LIMIT(len), st, out);
}

int pprof_decode_limit(const uint8_t *data, size_t len, size_t limit, struct decode_stats *st,
		       struct prof **out)
{
	struct pb_budget msg;
	struct arena scratch;
	Perftools__Profiles__Profile *pb;
	struct pctx c = { 0 };
	double t0 = now_ms();
	int rc;

	*out = NULL;
	pb_budget_init(&msg, limit);
	arena_init(&scratch);
	pb = perftools__profiles__profile__unpack(&msg.alloc, len, data);
	if (st)
		st->unpack_ms = now_ms() - t0;
	t0 = now_ms();
	if (!pb) {
		if (msg.over)
			rc = err_set(ERR_TOOBIG, "the profile needs more than %zu MiB of memory to "
				     "unpack (%zu bytes of protobuf)",
				     (limit >> 20) + !!(limit & 0xfffff), len);
		else
			rc = wire_explain(data, len);
		goto done;
	}
	if ((rc = wire_concatenated(data, len)))
		goto done;
	c.pb = pb;
	c.scratch = &scratch;
	if ((rc = pb_new(&c.b)) || (rc = prepare(&c)) || (rc = do_strings(&c)) ||
	    (rc = do_types(&c)) || (rc = samples_room(&c)) || (rc = do_mappings(&c)) ||
	    (rc = do_functions(&c)) || (rc = do_locations(&c)) || (rc = do_samples(&c)))
		goto done;
	rc = pb_finish(c.b, out);
	c.b = NULL;
done:
	populate_wait(&c);
	pb_free(c.b);
	idmap_release(&c.maps);
	idmap_release(&c.funcs);
	idmap_release(&c.locs);
	arena_release(&scratch);
	pb_budget_release(&msg);
	if (st)
		st->build_ms = now_ms() - t0;
	return rc;
}
