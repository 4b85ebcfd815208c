/*
 * pprof.c — the pprof protobuf decoder.
 *
 * protobuf-c unpacks the message with an arena allocator (one bump allocator, freed at
 * once; no malloc per message).  Then every reference is checked — string indices,
 * mapping/location/function ids, value counts — before the model is fed through the
 * builder.  Ids are arbitrary uint64s: a dense table when they are small, else a map.
 * When protobuf-c rejects the bytes, a scan of the top-level fields finds the byte
 * offset of the problem for the error message.
 */
#include "decode.h"

#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/hmap.h"
#include "profile/builder.h"
#include "profile.pb-c.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void *arena_pb_alloc(void *data, size_t size)
{
	return arena_alloc(data, size);
}

static void arena_pb_free(void *data, void *ptr)
{
	(void)data;
	(void)ptr;
}

/* Reads a varint; returns bytes used or 0 when truncated / too long. */
static size_t wire_varint(const uint8_t *p, size_t n, uint64_t *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n && i < 10; i++) {
		*v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80))
			return i + 1;
	}
	return 0;
}

/* Explains why protobuf-c refused the bytes, with the offset of the bad field. */
static int wire_explain(const uint8_t *p, size_t n)
{
	size_t pos = 0, k;
	uint64_t tag, v;

	while (pos < n) {
		size_t start = pos;

		if (!(k = wire_varint(p + pos, n - pos, &tag)))
			return err_set(ERR_PARSE, "truncated field tag at byte %zu", start);
		pos += k;
		if ((tag >> 3) == 0)
			return err_set(ERR_PARSE, "invalid field number 0 at byte %zu", start);
		switch (tag & 7) {
		case 0:
			if (!(k = wire_varint(p + pos, n - pos, &v)))
				return err_set(ERR_PARSE, "truncated varint at byte %zu", pos);
			pos += k;
			break;
		case 1:
			if (n - pos < 8)
				return err_set(ERR_PARSE, "truncated fixed64 at byte %zu", pos);
			pos += 8;
			break;
		case 2:
			if (!(k = wire_varint(p + pos, n - pos, &v)))
				return err_set(ERR_PARSE, "truncated length at byte %zu", pos);
			pos += k;
			if (v > n - pos)
				return err_set(ERR_PARSE,
					       "field %llu at byte %zu declares %llu bytes but only %zu remain",
					       (unsigned long long)(tag >> 3), start,
					       (unsigned long long)v, n - pos);
			pos += v;
			break;
		case 5:
			if (n - pos < 4)
				return err_set(ERR_PARSE, "truncated fixed32 at byte %zu", pos);
			pos += 4;
			break;
		default:
			return err_set(ERR_PARSE, "invalid wire type %u at byte %zu",
				       (unsigned)(tag & 7), start);
		}
	}
	return err_set(ERR_PARSE, "not a valid pprof protobuf (malformed nested message)");
}

size_t pprof_count_samples(const uint8_t *p, size_t n)
{
	size_t pos = 0, k, count = 0;
	uint64_t tag, v;

	while (pos < n && (k = wire_varint(p + pos, n - pos, &tag))) {
		pos += k;
		switch (tag & 7) {
		case 0:
			if (!(k = wire_varint(p + pos, n - pos, &v)))
				return count;
			pos += k;
			break;
		case 1:
			pos += 8;
			break;
		case 2:
			if (!(k = wire_varint(p + pos, n - pos, &v)) || v > n - pos - k)
				return count;
			pos += k + v;
			count += (tag >> 3) == 2;
			break;
		case 5:
			pos += 4;
			break;
		default:
			return count;
		}
	}
	return count;
}

/* id → index map for mappings, locations and functions. */
struct idmap {
	uint32_t *dense;  /* dense[id] = index + 1, when ids are small */
	uint64_t ndense;
	struct hmap map;
	bool use_map;
	uint32_t max_idx;  /* the id 2^64-1, which the hash map reserves, lives here */
	bool has_max;
};

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

struct pctx {
	const Perftools__Profiles__Profile *pb;
	struct prof_builder *b;
	uint32_t *str;  /* pprof string index → builder string id */
	struct idmap maps, funcs, locs;
	struct arena *scratch;
};

static int str_ref(struct pctx *c, int64_t idx, const char *what, uint32_t *out)
{
	if (idx < 0 || (uint64_t)idx >= c->pb->n_string_table)
		return err_set(ERR_PARSE, "%s refers to string %lld, but the string table has %zu",
			       what, (long long)idx, c->pb->n_string_table);
	*out = c->str[idx];
	return 0;
}

static int do_strings(struct pctx *c)
{
	size_t i;
	int rc;

	if (c->pb->n_string_table == 0 || c->pb->string_table[0].len != 0)
		return err_set(ERR_PARSE, "string table must start with the empty string");
	c->str = arena_array(c->scratch, c->pb->n_string_table, sizeof(*c->str));
	if (!c->str)
		return err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i < c->pb->n_string_table; i++) {
		const ProtobufCBinaryData *s = &c->pb->string_table[i];

		if ((rc = pb_string(c->b, (const char *)s->data, s->len, &c->str[i])))
			return rc;
	}
	return 0;
}

static uint64_t max_id_of(void **items, size_t n, size_t id_offset)
{
	uint64_t m = 0, id;
	size_t i;

	for (i = 0; i < n; i++) {
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
	if (pb->default_sample_type) {
		if ((rc = str_ref(c, pb->default_sample_type, "default sample type", &def)))
			return rc;
		/* pprof: the last sample type whose name matches */
		for (i = pb->n_sample_type; i-- > 0;) {
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
	size_t i, j, cap = 0;
	int rc;

	if ((rc = idmap_init(&c->locs, c->scratch,
			     max_id_of((void **)pb->location, pb->n_location,
				       offsetof(Perftools__Profiles__Location, id)),
			     pb->n_location)))
		return rc;
	for (i = 0; i < pb->n_location; i++) {
		const Perftools__Profiles__Location *l = pb->location[i];
		uint32_t mapping = PROF_NONE, idx;

		if (l->id == 0)
			return err_set(ERR_PARSE, "location %zu has the reserved id 0", i);
		if (l->mapping_id && !idmap_get(&c->maps, l->mapping_id, &mapping))
			return err_set(ERR_PARSE, "location %llu refers to unknown mapping %llu",
				       (unsigned long long)l->id,
				       (unsigned long long)l->mapping_id);
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

static int do_samples(struct pctx *c)
{
	const Perftools__Profiles__Profile *pb = c->pb;
	size_t i, j, cap_locs = 0, cap_labels = 0;
	uint32_t *locs = NULL;
	struct prof_label *labels = NULL;
	int rc;

	for (i = 0; i < pb->n_sample; i++) {
		const Perftools__Profiles__Sample *s = pb->sample[i];

		if (s->n_value != pb->n_sample_type)
			return err_set(ERR_PARSE, "sample %zu has %zu values for %zu sample types", i,
				       s->n_value, pb->n_sample_type);
		if (s->n_location_id > cap_locs) {
			cap_locs = s->n_location_id * 2;
			if (!(locs = arena_array(c->scratch, cap_locs, sizeof(*locs))))
				return err_set(ERR_NOMEM, "out of memory");
		}
		for (j = 0; j < s->n_location_id; j++) {
			if (!idmap_get(&c->locs, s->location_id[j], &locs[j]))
				return err_set(ERR_PARSE, "sample %zu refers to unknown location %llu",
					       i, (unsigned long long)s->location_id[j]);
		}
		if (s->n_label > cap_labels) {
			cap_labels = s->n_label * 2;
			if (!(labels = arena_array(c->scratch, cap_labels, sizeof(*labels))))
				return err_set(ERR_NOMEM, "out of memory");
		}
		for (j = 0; j < s->n_label; j++) {
			const Perftools__Profiles__Label *l = s->label[j];

			if ((rc = str_ref(c, l->key, "label key", &labels[j].key)) ||
			    (rc = str_ref(c, l->str, "label value", &labels[j].str)) ||
			    (rc = str_ref(c, l->num_unit, "label unit", &labels[j].num_unit)))
				return rc;
			labels[j].num = l->num;
		}
		if ((rc = pb_sample(c->b, locs, (uint32_t)s->n_location_id, s->value, labels,
				    (uint32_t)s->n_label)))
			return rc;
	}
	return 0;
}

int pprof_decode(const uint8_t *data, size_t len, struct decode_stats *st, struct prof **out)
{
	struct arena msg_arena, scratch;
	ProtobufCAllocator alloc = { arena_pb_alloc, arena_pb_free, &msg_arena };
	Perftools__Profiles__Profile *pb;
	struct pctx c = { 0 };
	double t0 = now_ms();
	int rc;

	*out = NULL;
	arena_init(&msg_arena);
	arena_init(&scratch);
	pb = perftools__profiles__profile__unpack(&alloc, len, data);
	if (st)
		st->unpack_ms = now_ms() - t0;
	t0 = now_ms();
	if (!pb) {
		rc = wire_explain(data, len);
		goto done;
	}
	c.pb = pb;
	c.scratch = &scratch;
	if ((rc = pb_new(&c.b)))
		goto done;
	{
		/* sizes are bounded by the input: each element took at least a byte */
		size_t i, nlines = 0, nslocs = 0, nlabels = 0;

		for (i = 0; i < pb->n_location; i++)
			nlines += pb->location[i]->n_line ? pb->location[i]->n_line : 1;
		for (i = 0; i < pb->n_sample; i++) {
			nslocs += pb->sample[i]->n_location_id;
			nlabels += pb->sample[i]->n_label;
		}
		if ((rc = pb_reserve(c.b, pb->n_string_table + 64, pb->n_function + 64,
				     pb->n_location, nlines, pb->n_sample, nslocs, nlabels)))
			goto done;
	}
	if ((rc = do_strings(&c)) || (rc = do_types(&c)) || (rc = do_mappings(&c)) ||
	    (rc = do_functions(&c)) || (rc = do_locations(&c)) || (rc = do_samples(&c)))
		goto done;
	rc = pb_finish(c.b, out);
	c.b = NULL;
done:
	pb_free(c.b);
	idmap_release(&c.maps);
	idmap_release(&c.funcs);
	idmap_release(&c.locs);
	arena_release(&scratch);
	arena_release(&msg_arena);
	if (st)
		st->build_ms = now_ms() - t0;
	return rc;
}
