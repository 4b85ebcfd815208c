/*
 * encode.c — pprof and folded output (see encode.h).  pprof goes through protobuf-c
 * (messages built in an arena, packed once) and libdeflate's gzip; unsymbolized
 * locations are written back without lines, as they came.
 */
#include "encode.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/hmap.h"
#include "base/text.h"
#include "profile.pb-c.h"

#define NEW(a, T) ((T *)arena_zalloc((a), sizeof(T)))

/*
 * The default_sample_type to write: pprof takes the last sample type when there is none
 * (or it names no type) and otherwise the FIRST type of that name (SampleIndexByName).
 * So a fallback default (the last type, not named by the source) is written as 0, and a
 * named one as its name, also when it is the last type: a reader that merges headers
 * (pprof's -diff_base, combineHeaders: the first default named) must see it named.  The
 * last type is written as 0 when an earlier type has its name, as the name would say
 * the earlier one; any other default with such a name cannot be said, and pprof will
 * pick the earlier type (encode.h).
 */
static uint32_t default_type_name(const struct prof *p)
{
	uint32_t t, i;

	if (p->ntypes == 0 || p->default_type >= p->ntypes)
		return 0;
	t = p->sample_types[p->default_type].type;
	if (p->default_type + 1 < p->ntypes)
		return t;
	if (!p->default_named)
		return 0;
	for (i = 0; i < p->default_type; i++)
		if (p->sample_types[i].type == t)
			return 0;
	return t;
}

int encode_pprof(const struct prof *p, struct buf *out)
{
	Perftools__Profiles__Profile pb = PERFTOOLS__PROFILES__PROFILE__INIT;
	Perftools__Profiles__ValueType period = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
	struct arena a;
	struct libdeflate_compressor *z = NULL;
	uint8_t *packed = NULL;
	size_t n, bound, got;
	uint32_t i, j;
	int rc = 0;

	arena_init(&a);
	pb.n_string_table = p->nstrs;
	pb.string_table = arena_array(&a, p->nstrs, sizeof(*pb.string_table));
	pb.n_sample_type = p->ntypes;
	pb.sample_type = arena_array(&a, p->ntypes, sizeof(*pb.sample_type));
	pb.n_mapping = p->nmappings;
	pb.mapping = arena_array(&a, p->nmappings, sizeof(*pb.mapping));
	pb.n_function = p->nfunctions;
	pb.function = arena_array(&a, p->nfunctions, sizeof(*pb.function));
	pb.n_location = p->nlocations;
	pb.location = arena_array(&a, p->nlocations, sizeof(*pb.location));
	pb.n_sample = p->nsamples;
	pb.sample = arena_array(&a, p->nsamples, sizeof(*pb.sample));
	if (!pb.string_table || !pb.sample_type || !pb.mapping || !pb.function || !pb.location ||
	    !pb.sample) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < p->nstrs; i++) {
		pb.string_table[i].len = p->str_lens[i];
		pb.string_table[i].data = (uint8_t *)p->strs[i];
	}
	for (i = 0; i < p->ntypes; i++) {
		Perftools__Profiles__ValueType *vt = NEW(&a, Perftools__Profiles__ValueType);

		if (!vt)
			goto nomem;
		perftools__profiles__value_type__init(vt);
		vt->type = p->sample_types[i].type;
		vt->unit = p->sample_types[i].unit;
		pb.sample_type[i] = vt;
	}
	period.type = p->period_type.type;
	period.unit = p->period_type.unit;
	pb.period_type = &period;
	pb.period = p->period;
	pb.time_nanos = p->time_nanos;
	pb.duration_nanos = p->duration_nanos;
	pb.drop_frames = p->drop_frames;
	pb.keep_frames = p->keep_frames;
	pb.n_comment = p->ncomments;
	pb.comment = arena_array(&a, p->ncomments + 1, sizeof(*pb.comment));
	if (!pb.comment)
		goto nomem;
	for (i = 0; i < p->ncomments; i++)
		pb.comment[i] = p->comments[i];
	pb.default_sample_type = default_type_name(p);
	for (i = 0; i < p->nmappings; i++) {
		Perftools__Profiles__Mapping *m = NEW(&a, Perftools__Profiles__Mapping);

		if (!m)
			goto nomem;
		perftools__profiles__mapping__init(m);
		m->id = i + 1;
		m->memory_start = p->mappings[i].start;
		m->memory_limit = p->mappings[i].limit;
		m->file_offset = p->mappings[i].offset;
		m->filename = p->mappings[i].file;
		m->build_id = p->mappings[i].build_id;
		pb.mapping[i] = m;
	}
	/*
	 * Mappings whose code is symbolized say so, or pprof tries to symbolize again; but
	 * only what their locations show.  The model does not keep the decoded flags, and a
	 * mapping with all four set reads as fully symbolized: claiming file names, line
	 * numbers or inline frames the profile never had would tell pprof not to look.
	 */
	for (i = 0; i < p->nlocations; i++) {
		const struct prof_location *l = &p->locations[i];
		Perftools__Profiles__Mapping *m;

		if (l->mapping == PROF_NONE || l->unsymbolized)
			continue;
		m = pb.mapping[l->mapping];
		m->has_functions = 1;
		if (l->nlines > 1)
			m->has_inline_frames = 1;
		for (j = 0; j < l->nlines; j++) {
			const struct prof_line *ln = &p->lines[l->line_off + j];

			if (prof_strlen(p, p->functions[ln->func].file) > 0)
				m->has_filenames = 1;
			if (ln->line != 0)
				m->has_line_numbers = 1;
		}
	}
	for (i = 0; i < p->nfunctions; i++) {
		Perftools__Profiles__Function *f = NEW(&a, Perftools__Profiles__Function);

		if (!f)
			goto nomem;
		perftools__profiles__function__init(f);
		f->id = i + 1;
		f->name = p->functions[i].name;
		f->system_name = p->functions[i].system_name;
		f->filename = p->functions[i].file;
		f->start_line = p->functions[i].start_line;
		pb.function[i] = f;
	}
	for (i = 0; i < p->nlocations; i++) {
		const struct prof_location *l = &p->locations[i];
		Perftools__Profiles__Location *loc = NEW(&a, Perftools__Profiles__Location);
		uint32_t nl = l->unsymbolized ? 0 : l->nlines;

		if (!loc)
			goto nomem;
		perftools__profiles__location__init(loc);
		loc->id = i + 1;
		loc->mapping_id = l->mapping == PROF_NONE ? 0 : l->mapping + 1;
		loc->address = l->address;
		loc->n_line = nl;
		loc->line = arena_array(&a, nl + 1, sizeof(*loc->line));
		if (!loc->line)
			goto nomem;
		for (j = 0; j < nl; j++) {
			Perftools__Profiles__Line *ln = NEW(&a, Perftools__Profiles__Line);

			if (!ln)
				goto nomem;
			perftools__profiles__line__init(ln);
			ln->function_id = p->lines[l->line_off + j].func + 1;
			ln->line = p->lines[l->line_off + j].line;
			loc->line[j] = ln;
		}
		pb.location[i] = loc;
	}
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];
		Perftools__Profiles__Sample *smp = NEW(&a, Perftools__Profiles__Sample);

		if (!smp)
			goto nomem;
		perftools__profiles__sample__init(smp);
		smp->n_location_id = s->nlocs;
		smp->location_id = arena_array(&a, s->nlocs + 1, sizeof(*smp->location_id));
		smp->n_value = p->ntypes;
		smp->value = (int64_t *)(p->values + (size_t)i * p->ntypes);
		smp->n_label = s->nlabels;
		smp->label = arena_array(&a, s->nlabels + 1, sizeof(*smp->label));
		if (!smp->location_id || !smp->label)
			goto nomem;
		for (j = 0; j < s->nlocs; j++)
			smp->location_id[j] = (uint64_t)p->sample_locs[s->loc_off + j] + 1;
		for (j = 0; j < s->nlabels; j++) {
			const struct prof_label *pl = &p->labels[s->label_off + j];
			Perftools__Profiles__Label *lb = NEW(&a, Perftools__Profiles__Label);

			if (!lb)
				goto nomem;
			perftools__profiles__label__init(lb);
			lb->key = pl->key;
			lb->str = pl->str;
			lb->num = pl->num;
			lb->num_unit = pl->num_unit;
			smp->label[j] = lb;
		}
		pb.sample[i] = smp;
	}
	n = perftools__profiles__profile__get_packed_size(&pb);
	packed = malloc(n ? n : 1);
	z = libdeflate_alloc_compressor(6);
	if (!packed || !z)
		goto nomem;
	perftools__profiles__profile__pack(&pb, packed);
	bound = libdeflate_gzip_compress_bound(z, n);
	if ((rc = buf_grow(out, bound)))
		goto done;
	got = libdeflate_gzip_compress(z, packed, n, out->data + out->len, bound);
	if (!got) {
		rc = err_set(ERR_IO, "gzip compression failed");
		goto done;
	}
	out->len += got;
	out->data[out->len] = '\0';
	goto done;
nomem:
	rc = err_set(ERR_NOMEM, "out of memory");
done:
	libdeflate_free_compressor(z);
	free(packed);
	arena_release(&a);
	return rc;
}

/*
 * One frame as the folded reader reads it back: ';' and line breaks become '?', an empty
 * name "<unknown>" (pprof's), the root frame (`root`) does not start with '#' (a comment
 * line) or a blank (skipped), and the leaf frame (`leaf`) does not end with a blank (the
 * reader trims the blanks before the count): those become '?' too.  The text is UTF-8,
 * as encode.h promises: each byte of an invalid sequence becomes U+FFFD, and so does NUL
 * (a NUL in the first bytes makes readers, smolder's too, take the file for protobuf).
 */
static void put_frame(struct buf *out, const char *s, size_t n, bool root, bool leaf)
{
	size_t i, start = 0, end = n, len;
	bool blank_end;

	if (n == 0) {
		buf_puts(out, "<unknown>");
		return;
	}
	if (root && (s[0] == '#' || s[0] == ' ' || s[0] == '\t')) {
		buf_add(out, "?", 1);
		start = 1;
	}
	blank_end = leaf && end > start && (s[end - 1] == ' ' || s[end - 1] == '\t');
	if (blank_end)
		end--;
	for (i = start; i < end; i += len) {
		const char *repl;

		/* a blank cut off at `end` is ASCII: no sequence is split there */
		len = text_utf8_len(s + i, end - i);
		if (len == 0 || s[i] == '\0')
			repl = "\xef\xbf\xbd";
		else if (s[i] == ';' || s[i] == '\n' || s[i] == '\r')
			repl = "?";
		else
			continue;
		len = 1;
		buf_add(out, s + start, i - start);
		buf_puts(out, repl);
		start = i + 1;
	}
	buf_add(out, s + start, end - start);
	if (blank_end)
		buf_add(out, "?", 1);
}

/*
 * An empty folded file is refused by every folded reader (smolder's, flamegraph.pl's,
 * inferno's), and a speedscope file without samples by speedscope's importer and
 * smolder's reader alike: a sample type with nothing to write is an error, not a file.
 */
int encode_nothing(const struct prof *p, uint32_t type, const char *why)
{
	uint32_t name = p->sample_types[type].type;
	struct buf q = BUF_INIT;
	int rc;

	text_safe(&q, prof_str(p, name), prof_strlen(p, name), true);
	rc = err_set(ERR_UNSUPPORTED, "nothing to write: sample type '%s' %s (a pprof export "
		     "keeps such a profile)", q.data ? q.data : "", why);
	buf_release(&q);
	return rc;
}

/*
 * Past this many bytes a folded export is refused before anything is written: every line
 * repeats the names of all its frames, so a small profile (a 1 MB name on a deep
 * recursive stack) would make hundreds of megabytes per sample.
 */
#define FOLDED_MAX_GIB  1
#define FOLDED_MAX      ((size_t)FOLDED_MAX_GIB << 30)

/* How many bytes put_frame writes for a name: the same whether root, leaf or neither. */
static size_t frame_len(const char *s, size_t n)
{
	size_t i, len, extra = 0;

	if (n == 0)
		return 9;  /* "<unknown>" */
	for (i = 0; i < n; i += len) {
		len = text_utf8_len(s + i, n - i);
		if (len == 0 || s[i] == '\0') {
			extra += 2;  /* one byte becomes U+FFFD's three */
			len = 1;
		}
	}
	return n + extra;
}

/*
 * At most the bytes encode_folded would write for sample type `type`, and at least all
 * but ~22 per line (names measured exactly, once each, by string id in lens; a line's
 * count and separator charged their largest size): a bound, not an exact size.  Past
 * FOLDED_MAX, some number over it.
 */
static int folded_size(const struct prof *p, uint32_t type, size_t *size)
{
	size_t *lens = calloc(p->nstrs ? p->nstrs : 1, sizeof(*lens)), total = 0;
	uint32_t i, j, k;

	if (!lens)
		return err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i < p->nsamples && total <= FOLDED_MAX; i++) {
		const struct prof_sample *s = &p->samples[i];

		if (prof_value(p, i, type) == 0 || s->nlocs == 0)
			continue;
		total += 22;  /* " " and a count of at most 20 characters, "\n" */
		for (j = 0; j < s->nlocs; j++) {
			const struct prof_location *l = &p->locations[p->sample_locs[s->loc_off + j]];

			for (k = 0; k < l->nlines; k++) {
				uint32_t name = p->functions[p->lines[l->line_off + k].func].name;

				if (!lens[name])  /* the length plus the ';' before it */
					lens[name] = frame_len(prof_str(p, name),
							       prof_strlen(p, name)) + 1;
				total += lens[name];
			}
		}
	}
	free(lens);
	*size = total;
	return 0;
}

/*
 * The root frame's name id of the first line encode_folded writes for sample type
 * `type`, PROF_NONE when it writes none.
 */
static uint32_t first_root(const struct prof *p, uint32_t type)
{
	uint32_t i;

	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];
		const struct prof_location *l;

		if (prof_value(p, i, type) == 0 || s->nlocs == 0)
			continue;
		l = &p->locations[p->sample_locs[s->loc_off + s->nlocs - 1]];
		return l->nlines ? p->functions[p->lines[l->line_off + l->nlines - 1].func].name :
				   PROF_NONE;
	}
	return PROF_NONE;
}

/*
 * Would a first line starting with this root frame look like JSON or markup to a reader
 * that sniffs the first bytes after a BOM and blanks, as smolder's own did: '{'
 * ("{closure}", "{\"flamebearer\":{}}"), or '<' then '!', '?', "html" or "svg" ("<html>",
 * "<!DOCTYPE html>"); not "<unknown>" or Python's "<module>".  A blank that starts the
 * frame is written as '?', so only blanks after a BOM count.
 */
static bool root_looks_like_markup(const char *s, size_t n)
{
	size_t i = 0;

	if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		for (i = 3; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
			;
	s += i;
	n -= i;
	if (n > 0 && s[0] == '{')
		return true;
	return n > 1 && s[0] == '<' &&
	       (s[1] == '!' || s[1] == '?' || (n >= 5 && strncasecmp(s + 1, "html", 4) == 0) ||
		(n >= 4 && strncasecmp(s + 1, "svg", 3) == 0));
}

int encode_folded(const struct prof *p, uint32_t type, struct buf *out)
{
	uint32_t i, j, k, root = first_root(p, type);
	size_t written = 0, size = 0;
	int rc;

	if ((rc = folded_size(p, type, &size)))
		return rc;
	if (size > FOLDED_MAX)
		return err_set(ERR_TOOBIG, "folded output would pass %d GiB (each line repeats "
			       "its frames' names); export as pprof or speedscope, which write "
			       "each name once", FOLDED_MAX_GIB);
	/* a comment line first, which every folded reader skips, and no sniffer misreads */
	if (root != PROF_NONE && root_looks_like_markup(prof_str(p, root), prof_strlen(p, root)))
		rc = buf_puts(out, "# folded stacks: frame;frame;... count\n");
	if (!rc)
		rc = buf_grow(out, size);
	for (i = 0; i < p->nsamples && !rc; i++) {
		const struct prof_sample *s = &p->samples[i];
		int64_t v = prof_value(p, i, type);
		bool first = true;

		if (v == 0 || s->nlocs == 0)
			continue;
		written++;
		for (j = s->nlocs; j-- > 0;) {
			const struct prof_location *l = &p->locations[p->sample_locs[s->loc_off + j]];

			for (k = l->nlines; k-- > 0; first = false) {
				uint32_t name = p->functions[p->lines[l->line_off + k].func].name;

				if (!first)
					buf_add(out, ";", 1);
				put_frame(out, prof_str(p, name), prof_strlen(p, name), first,
					  j == 0 && k == 0);
			}
		}
		rc = buf_printf(out, " %lld\n", (long long)v);
	}
	return rc || written ? rc : encode_nothing(p, type, "is 0 in every sample with frames, and "
						      "an empty folded file would not read back");
}
