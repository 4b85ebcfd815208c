/*
 * ingest_pprof.c — what every ingest path does with a profile and its series, as
 * Pyroscope's distributor and /ingest pprof converter do (see ingest_int.h): bounded
 * JSON, bounded pprof loading with the spy-specific fixes, profile validation, the
 * ingestion window, and the series label rules.
 *
 * The fixes for .NET and scripting spies rewrite the pprof message itself (function ids,
 * function names, sample type names), exactly where Pyroscope applies them, so they are
 * done on the protobuf-c message before the decoder builds the model: unpack, fix, pack,
 * decode.  Only those spies pay for the second pass.
 *
 * A series' labels as a client lists them (ingest_series_pairs) follow upstream's
 * labels builder and validation: a name given an empty value anywhere is no label, with
 * all its values (Prometheus semantics), except service_name, which is then refused as
 * upstream refuses it; a name given two values is refused.
 *
 * Deliberate differences from Pyroscope: NUL bytes in label names or values are refused
 * (label sets are C strings);
 * over-long strings are cut at a character boundary (upstream may cut a UTF-8 sequence
 * and then refuse the profile as invalid UTF-8); the string sample labels, which the
 * store turns into series labels, are checked here, before anything is stored; the Go
 * specific stack fix-ups (FixGoProfile) are not applied.
 */
#include "ingest_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

#include "base/arena.h"
#include "base/jsonbound.h"
#include "base/text.h"
#include "base/vec.h"
#include "ingest/decode.h"
#include "profile.pb-c.h"

/* ---- JSON ---- */

int ingest_json_load(const char *data, size_t len, size_t max_values, size_t flags,
		     json_t **out)
{
	json_error_t e;
	size_t count = json_count_values(data, len);

	*out = NULL;
	if (count > max_values)
		return err_set(ERR_TOOBIG, "the JSON has more than %zu values", max_values);
	*out = json_loadb(data, len, flags, &e);
	if (!*out)
		return err_set(ERR_PARSE, "invalid JSON at line %d, column %d: %s", e.line,
			       e.column, e.text);
	return 0;
}

/* ---- pprof loading ---- */

static int str_index(const Perftools__Profiles__Profile *pb, int64_t i, const char *what,
		     const ProtobufCBinaryData **out)
{
	if (i < 0 || (uint64_t)i >= pb->n_string_table)
		return err_set(ERR_PARSE, "%s refers to string %lld, but the string table has %zu",
			       what, (long long)i, pb->n_string_table);
	*out = &pb->string_table[i];
	return 0;
}

/*
 * .NET: when every function id is 0 and there are as many functions as locations, the
 * function ids become the location ids; '-' in sample type names becomes '_'.
 */
static int fix_dotnet(Perftools__Profiles__Profile *pb)
{
	const ProtobufCBinaryData *s = NULL;
	size_t i, j;
	int rc;

	for (i = 0; i < pb->n_function && pb->function[i]->id == 0; i++)
		;
	if (i == pb->n_function && pb->n_function == pb->n_location)
		for (i = 0; i < pb->n_function; i++)
			pb->function[i]->id = pb->location[i]->id;
	for (i = 0; i < pb->n_sample_type; i++) {
		if ((rc = str_index(pb, pb->sample_type[i]->type, "sample type", &s)))
			return rc;
		for (j = 0; j < s->len; j++)
			if (s->data[j] == '-')
				s->data[j] = '_';
	}
	return 0;
}

/* Appends a string to the message's table (arena-grown); *idx gets its index. */
static int add_string(Perftools__Profiles__Profile *pb, struct arena *a, size_t *cap,
		      const struct buf *s, int64_t *idx)
{
	ProtobufCBinaryData *d;

	if (pb->n_string_table == *cap) {
		size_t ncap = *cap * 2 + 16;

		if (!(d = arena_array(a, ncap, sizeof(*d))))
			return err_set(ERR_NOMEM, "out of memory");
		memcpy(d, pb->string_table, pb->n_string_table * sizeof(*d));
		pb->string_table = d;
		*cap = ncap;
	}
	d = &pb->string_table[pb->n_string_table];
	if (!(d->data = arena_alloc(a, s->len + 1)))
		return err_set(ERR_NOMEM, "out of memory");
	memcpy(d->data, s->data, s->len);
	d->len = s->len;
	*idx = (int64_t)pb->n_string_table++;
	return 0;
}

/*
 * Scripting spies (py-spy, rbspy): every line's function is replaced by one named
 * "<file> <name>" (one per distinct name, with fresh ids after the largest), so that
 * the same function name in two files stays two frames.  pyspy keeps functions with
 * absolute file names as they are.  A line whose function id no function has (0
 * included) is renamed after the first function, as upstream's map lookup (index 0 for
 * a missing key) does; without scripting the decoder would refuse that line.
 */
static int fix_scripting(Perftools__Profiles__Profile *pb, struct arena *a, bool skip_abs)
{
	struct strmap names;
	struct hmap ids;
	struct buf name = BUF_INIT;
	Perftools__Profiles__Function **funcs = NULL;
	size_t i, j, nf = 0, fcap = 0, scap = pb->n_string_table;
	uint64_t max_id = 0;
	uint32_t top_fi = 0;  /* the function of id 2^64 - 1, which the hmap cannot key */
	bool has_top = false;
	int rc;

	if ((rc = strmap_init(&names, 64)))
		return rc;
	if ((rc = hmap_init(&ids, pb->n_function))) {
		strmap_release(&names);
		return rc;
	}
	for (i = 0; i < pb->n_function; i++) {
		uint64_t id = pb->function[i]->id;

		if (id > max_id)
			max_id = id;
		/* the last function of an id wins, as in a Go map */
		if (id == HMAP_EMPTY)
			has_top = true, top_fi = (uint32_t)i;
		else if ((rc = hmap_put(&ids, id, (uint32_t)i)))
			goto done;
	}
	for (i = 0; i < pb->n_location; i++) {
		for (j = 0; j < pb->location[i]->n_line; j++) {
			Perftools__Profiles__Line *line = pb->location[i]->line[j];
			const ProtobufCBinaryData *file = NULL, *fname = NULL;
			const Perftools__Profiles__Function *fn;
			uint32_t fi = 0, k;

			if (pb->n_function == 0)
				break;
			if (line->function_id != HMAP_EMPTY)
				hmap_get(&ids, line->function_id, &fi);
			else if (has_top)
				fi = top_fi;
			fn = pb->function[fi];
			if ((rc = str_index(pb, fn->filename, "function file name", &file)) ||
			    (rc = str_index(pb, fn->name, "function name", &fname)))
				goto done;
			if (skip_abs && file->len > 0 && file->data[0] == '/')
				continue;
			buf_reset(&name);
			if (buf_add(&name, file->data, file->len) || buf_add(&name, " ", 1) ||
			    buf_add(&name, fname->data, fname->len)) {
				rc = ERR_NOMEM;
				goto done;
			}
			{
				char *kept = arena_strndup(a, name.data, name.len);

				if (!kept) {
					rc = err_set(ERR_NOMEM, "out of memory");
					goto done;
				}
				if ((rc = strmap_intern(&names, kept, name.len, &k)) < 0)
					goto done;
			}
			if (rc == 0) {
				Perftools__Profiles__Function *nfn = arena_alloc(a, sizeof(*nfn));

				if (!nfn || max_id == UINT64_MAX) {
					rc = nfn ? err_set(ERR_PARSE, "function ids exhausted")
						 : err_set(ERR_NOMEM, "out of memory");
					goto done;
				}
				perftools__profiles__function__init(nfn);
				nfn->id = ++max_id;
				nfn->filename = fn->filename;
				nfn->system_name = fn->system_name;
				nfn->start_line = fn->start_line;
				if ((rc = add_string(pb, a, &scap, &name, &nfn->name)) ||
				    (rc = vec_reserve(&funcs, &fcap, nf + 1)))
					goto done;
				funcs[nf++] = nfn;
			}
			rc = 0;
			line->function_id = funcs[k]->id;
		}
	}
	if (nf) {
		Perftools__Profiles__Function **all =
			arena_array(a, pb->n_function + nf, sizeof(*all));

		if (!all) {
			rc = err_set(ERR_NOMEM, "out of memory");
			goto done;
		}
		memcpy(all, pb->function, pb->n_function * sizeof(*all));
		memcpy(all + pb->n_function, funcs, nf * sizeof(*all));
		pb->function = all;
		pb->n_function += nf;
	}
done:
	free(funcs);
	buf_release(&name);
	hmap_release(&ids);
	strmap_release(&names);
	return rc;
}

/* Unpack, fix, pack: the fixed message's bytes go to out. */
static int apply_fixes(const uint8_t *data, size_t len, const struct pprof_fix *fix,
		       struct buf *out)
{
	struct pb_budget bu;
	Perftools__Profiles__Profile *pb;
	size_t size;
	int rc = 0;

	pb_budget_init(&bu, INGEST_UNPACK_LIMIT(len));
	pb = perftools__profiles__profile__unpack(&bu.alloc, len, data);
	if (!pb) {
		/* let the decoder explain what is wrong with the bytes, or the budget refuse */
		rc = buf_add(out, data, len);
		goto done;
	}
	if ((fix->dotnet && (rc = fix_dotnet(pb))) ||
	    (fix->scripting && (rc = fix_scripting(pb, &bu.arena, fix->skip_abs_files))))
		goto done;
	size = perftools__profiles__profile__get_packed_size(pb);
	buf_reset(out);
	if ((rc = buf_grow(out, size)))
		goto done;
	out->len = perftools__profiles__profile__pack(pb, (uint8_t *)out->data);
	out->data[out->len] = '\0';
done:
	pb_budget_release(&bu);
	return rc;
}

int ingest_pprof_load(const uint8_t *data, size_t len, const struct ingest_limits *lim,
		      const struct pprof_fix *fix, struct prof **out, size_t *raw_size)
{
	struct buf raw = BUF_INIT, fixed = BUF_INIT;
	const uint8_t *p = data;
	size_t n = len, limit = lim->max_profile_bytes;
	int rc;

	*out = NULL;
	*raw_size = 0;
	if (!limit)
		limit = DECODE_MAX_INFLATED;
	if (len == 0)
		return err_set(ERR_PARSE, "empty profile");
	if ((len >= 2 && data[0] == 0x1f && data[1] == 0x8b) ||
	    (len >= 4 && memcmp(data, "\x28\xb5\x2f\xfd", 4) == 0)) {
		if ((rc = decode_inflate(data, len, limit, &raw))) {
			if (rc == ERR_TOOBIG)
				rc = err_set(ERR_TOOBIG, "uncompressed profile payload size "
						  "exceeds limit of %zu bytes", limit);
			goto done;
		}
		p = (const uint8_t *)raw.data;
		n = raw.len;
	}
	*raw_size = n;
	if (n > limit) {
		rc = err_set(ERR_TOOBIG, "uncompressed profile payload size exceeds limit of %zu "
				  "bytes", limit);
		goto done;
	}
	if (n == 0) {
		rc = err_set(ERR_PARSE, "empty profile");
		goto done;
	}
	if (lim->max_samples) {
		size_t ns = pprof_count_samples(p, n);

		if (ns > lim->max_samples) {
			rc = err_set(ERR_TOOBIG,
				     "the profile has %zu samples, more than the limit of %u", ns,
				     lim->max_samples);
			goto done;
		}
	}
	if (fix && (fix->dotnet || fix->scripting)) {
		if ((rc = apply_fixes(p, n, fix, &fixed)))
			goto done;
		p = (const uint8_t *)fixed.data;
		n = fixed.len;
	}
	if ((rc = pprof_decode_limit(p, n, INGEST_UNPACK_LIMIT(n), NULL, out)) ||
	    (rc = ingest_prof_check(*out, lim)))
		goto done;
	if (ingest_prof_all_zero(*out)) {
		prof_free(*out);
		*out = NULL;
	}
done:
	if (rc) {
		prof_free(*out);
		*out = NULL;
	}
	buf_release(&raw);
	buf_release(&fixed);
	return rc;
}

/* ---- profile validation ---- */

static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0, need, k;
	uint32_t cp;

	while (i < n) {
		if (s[i] < 0x80) {
			uint64_t w;

			/* names are mostly ASCII: skip it eight bytes at a time */
			while (n - i >= 8 && (memcpy(&w, s + i, 8), !(w & 0x8080808080808080ULL)))
				i += 8;
			if (i < n && s[i] < 0x80)
				i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			need = 2, cp = s[i] & 0x1f;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			need = 3, cp = s[i] & 0x0f;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			need = 4, cp = s[i] & 0x07;
		else
			return false;
		if (n - i < need)
			return false;
		for (k = 1; k < need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += need;
	}
	return true;
}

int ingest_prof_check(struct prof *p, const struct ingest_limits *lim)
{
	uint32_t i;

	if (p->ntypes == 0)
		return err_set(ERR_PARSE, "empty profile");
	if (lim->max_samples && p->nsamples > lim->max_samples)
		return err_set(ERR_TOOBIG, "the profile has %u samples, more than the limit of %u",
			       p->nsamples, lim->max_samples);
	for (i = 0; i < p->nsamples; i++)
		if (lim->max_sample_labels && p->samples[i].nlabels > lim->max_sample_labels)
			return err_set(ERR_TOOBIG,
				       "sample %u has %u labels, more than the limit of %u", i,
				       p->samples[i].nlabels, lim->max_sample_labels);
	for (i = 0; i < p->nstrs; i++) {
		if (!utf8_valid((const unsigned char *)p->strs[i], p->str_lens[i])) {
			struct buf q = BUF_INIT;
			int rc;

			ingest_quote(&q, p->strs[i], p->str_lens[i]);
			rc = err_set(ERR_PARSE, "invalid UTF-8 in string %u %s", i,
				     q.data ? q.data : "");
			buf_release(&q);
			return rc;
		}
	}
	for (i = 0; i < p->ntypes; i++) {
		uint32_t t = p->sample_types[i].type;

		if (memchr(prof_str(p, t), '-', prof_strlen(p, t))) {
			struct buf q = BUF_INIT;
			int rc;

			ingest_quote(&q, prof_str(p, t), prof_strlen(p, t));
			rc = err_set(ERR_PARSE, "sample type %s contains '-'",
				     q.data ? q.data : "");
			buf_release(&q);
			return rc;
		}
	}
	/* truncations: the profile is still private to this layer */
	if (lim->max_stack_depth)
		for (i = 0; i < p->nsamples; i++) {
			struct prof_sample *s = &p->samples[i];

			if (s->nlocs > lim->max_stack_depth) {
				/* leaf first: the deepest frames go */
				s->loc_off += s->nlocs - lim->max_stack_depth;
				s->nlocs = lim->max_stack_depth;
			}
		}
	if (lim->max_symbol_length)
		for (i = 0; i < p->nstrs; i++) {
			size_t n = p->str_lens[i], cut;

			if (n <= lim->max_symbol_length)
				continue;
			/* the end is kept, from a character boundary */
			cut = n - lim->max_symbol_length;
			while (cut < n && ((unsigned char)p->strs[i][cut] & 0xc0) == 0x80)
				cut++;
			p->strs[i] += cut;
			p->str_lens[i] = (uint32_t)(n - cut);
		}
	return 0;
}

bool ingest_prof_all_zero(const struct prof *p)
{
	size_t i, n = (size_t)p->nsamples * p->ntypes;

	for (i = 0; i < n; i++)
		if (p->values[i] != 0)
			return false;
	return true;
}

/* A time for a message; nanoseconds saturate in 2262 (ingest_attime), which says so. */
static void fmt_time(int64_t ns, char *out, size_t n)
{
	time_t s = (time_t)(ns / 1000000000);
	struct tm tm;

	if (ns == INT64_MAX) {
		snprintf(out, n, "after the year 2262");
		return;
	}
	if (ns < 0 || !gmtime_r(&s, &tm) || !strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, n, "%lld ns", (long long)ns);
}

int ingest_time(const struct ingest_limits *lim, int64_t now_ns, int64_t t, int64_t *out)
{
	char a[40], b[40];
	int64_t from, to;

	if (t <= 0) {
		*out = now_ns;
		return 0;
	}
	*out = t;
	if (__builtin_sub_overflow(now_ns, lim->reject_older_than_ns, &from))
		from = INT64_MIN;
	if (__builtin_add_overflow(now_ns, lim->reject_newer_than_ns, &to))
		to = INT64_MAX;
	if (lim->reject_older_than_ns > 0 && t <= from) {
		fmt_time(t, a, sizeof(a));
		fmt_time(from, b, sizeof(b));
		return err_set(ERR_PARSE, "profile time %s is outside of the ingestion window "
				  "(it starts at %s)", a, b);
	}
	if (lim->reject_newer_than_ns > 0 && t >= to) {
		fmt_time(t, a, sizeof(a));
		fmt_time(to, b, sizeof(b));
		return err_set(ERR_PARSE, "profile time %s is outside of the ingestion window "
				  "(it ends at %s)", a, b);
	}
	return 0;
}

/* ---- series labels ---- */

int ingest_label_add(struct labelset *ls, const char *name, size_t nlen, const char *value,
		     size_t vlen, bool no_dup)
{
	struct buf n = BUF_INIT, v = BUF_INIT, q = BUF_INIT;
	int rc = 0;

	if (!name)  /* protobuf-c leaves empty bytes NULL */
		name = "";
	if (!value)
		value = "";
	if (memchr(name, 0, nlen) || memchr(value, 0, vlen)) {
		ingest_quote(&q, name, nlen);
		rc = err_set(ERR_PARSE, "label %s: NUL bytes are not allowed in labels",
			     q.data ? q.data : "");
		goto done;
	}
	if (buf_add(&n, name, nlen) || buf_add(&n, "", 0) || buf_add(&v, value, vlen) ||
	    buf_add(&v, "", 0)) {
		rc = ERR_NOMEM;
		goto done;
	}
	if (no_dup && labelset_get(ls, n.data)) {
		ingest_quote(&q, name, nlen);
		rc = err_set(ERR_PARSE, "duplicate label name %s", q.data ? q.data : "");
		goto done;
	}
	/* an empty value is no label (Prometheus semantics) */
	if (vlen == 0)
		labelset_del(ls, n.data);
	else
		rc = labelset_set(ls, n.data, v.data);
done:
	buf_release(&n);
	buf_release(&v);
	buf_release(&q);
	return rc;
}

static int pair_cmp(const void *a, const void *b)
{
	const struct ingest_pair *x = *(const struct ingest_pair *const *)a;
	const struct ingest_pair *y = *(const struct ingest_pair *const *)b;
	size_t n = x->nlen < y->nlen ? x->nlen : y->nlen;
	int c = n ? memcmp(x->name, y->name, n) : 0;

	if (c)
		return c;
	if (x->nlen != y->nlen)
		return x->nlen < y->nlen ? -1 : 1;
	return x < y ? -1 : x > y;  /* stable: the client's order */
}

int ingest_series_pairs(const struct ingest_pair *v, size_t n, struct labelset *out)
{
	const struct ingest_pair **idx;
	struct buf q = BUF_INIT;
	size_t i, j, k;
	int rc = 0;

	if (n == 0)
		return 0;
	if (!(idx = malloc(n * sizeof(*idx))))
		return err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i < n; i++)
		idx[i] = &v[i];
	/* sorted by name: a name's values are next to each other, whatever their number */
	qsort(idx, n, sizeof(*idx), pair_cmp);
	for (i = 0; i < n && !rc; i = j) {
		bool empty = false;
		const struct ingest_pair *p = idx[i];

		for (j = i; j < n && idx[j]->nlen == p->nlen &&
			    (p->nlen == 0 || memcmp(idx[j]->name, p->name, p->nlen) == 0);
		     j++)
			empty |= idx[j]->vlen == 0;
		for (k = i; k < j && !rc; k++)
			if ((idx[k]->nlen && memchr(idx[k]->name, 0, idx[k]->nlen)) ||
			    (idx[k]->vlen && memchr(idx[k]->value, 0, idx[k]->vlen)))
				rc = ingest_label_add(out, idx[k]->name, idx[k]->nlen,
						      idx[k]->value, idx[k]->vlen, false);
		if (rc)
			break;
		if (empty && p->nlen == 12 && memcmp(p->name, "service_name", 12) == 0) {
			rc = err_set(ERR_PARSE, "service name is not provided: service_name "
					  "has an empty value");
		} else if (!empty && j - i > 1) {
			ingest_quote(&q, p->name, p->nlen);
			rc = err_set(ERR_PARSE, "duplicate label name %s", q.data ? q.data : "");
		} else if (!empty) {
			rc = ingest_label_add(out, p->name, p->nlen, p->value, p->vlen, false);
		}
	}
	buf_release(&q);
	free(idx);
	return rc;
}

/* __session_id__ kept modulo n: 16 hex digits of a little-endian uint64. */
static int session_mod(struct labelset *ls, uint32_t mod)
{
	const char *s = labelset_get(ls, "__session_id__");
	uint64_t v = 0;
	char out[17];
	int i;

	if (!s)
		return 0;
	if (mod == 0 || strlen(s) != 16)
		return labelset_del(ls, "__session_id__"), 0;
	for (i = 0; i < 8; i++) {
		int h = text_hexval((unsigned char)s[2 * i]);
		int l = text_hexval((unsigned char)s[2 * i + 1]);

		if (h < 0 || l < 0)
			return labelset_del(ls, "__session_id__"), 0;
		v |= (uint64_t)(h << 4 | l) << (8 * i);
	}
	v %= mod;
	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", (unsigned)((v >> (8 * i)) & 0xff));
	return labelset_set(ls, "__session_id__", out);
}

/* name quoted for a message (the quoting is done only when a check fails) */
static const char *quoted(struct buf *q, const char *name, size_t nlen)
{
	ingest_quote(q, name, nlen);
	return q->data ? q->data : "";
}

/* what: "" for series labels, "sample " for pprof sample labels. */
static int check_label(const char *what, const char *name, size_t nlen, const char *value,
		       size_t vlen, const struct ingest_limits *lim)
{
	struct buf q = BUF_INIT;
	int rc = 0;

	if (nlen == 0)
		rc = err_set(ERR_PARSE, "a %slabel name is empty", what);
	else if (lim->max_label_name_length && nlen > lim->max_label_name_length)
		rc = err_set(ERR_TOOBIG, "%slabel name %s is longer than %u bytes", what,
			     quoted(&q, name, nlen), lim->max_label_name_length);
	else if (lim->max_label_value_length && vlen > lim->max_label_value_length)
		rc = err_set(ERR_TOOBIG, "the value of %slabel %s is longer than %u bytes", what,
			     quoted(&q, name, nlen), lim->max_label_value_length);
	else if (!utf8_valid((const unsigned char *)name, nlen))
		rc = err_set(ERR_PARSE, "%slabel name %s is not valid UTF-8", what,
			     quoted(&q, name, nlen));
	else if (!utf8_valid((const unsigned char *)value, vlen))
		rc = err_set(ERR_PARSE, "the value of %slabel %s is not valid UTF-8", what,
			     quoted(&q, name, nlen));
	else if (memchr(name, 0, nlen) || memchr(value, 0, vlen))
		rc = err_set(ERR_PARSE, "%slabel %s holds a NUL byte", what, quoted(&q, name, nlen));
	buf_release(&q);
	return rc;
}

/*
 * The string sample labels become series labels in the store (as in Pyroscope's split
 * by sample labels), except trace and span ids; so they obey the same rules, and each
 * sample's series together with its new names must stay within the name limit.
 */
static int check_sample_labels(const struct labelset *ls, const struct prof *p,
			       const struct ingest_limits *lim)
{
	uint8_t *kind;  /* per string id: 0 unseen, 1 counts, 2 not a new series label */
	uint8_t *seen;  /* per string id: bit 0 checked as a name, bit 1 as a value */
	uint32_t i, j, k;
	int rc = 0;

	if (p->nlabels == 0)
		return 0;
	if (!(kind = calloc((size_t)p->nstrs * 2, 1)))
		return err_set(ERR_NOMEM, "out of memory");
	seen = kind + p->nstrs;
	for (i = 0; i < p->nsamples && !rc; i++) {
		const struct prof_sample *s = &p->samples[i];
		size_t extra = 0;

		for (j = 0; j < s->nlabels && !rc; j++) {
			const struct prof_label *l = &p->labels[s->label_off + j];
			const char *key = prof_str(p, l->key);
			bool dup = false;

			if (l->str == 0)
				continue;  /* numeric or empty: not a series label */
			if (!kind[l->key]) {
				kind[l->key] = (strcmp(key, "span_id") == 0 ||
						strcmp(key, "trace_id") == 0 ||
						strcmp(key, "profile_id") == 0 ||
						(!memchr(key, 0, prof_strlen(p, l->key)) &&
						 labelset_get(ls, key)))
						       ? 2 : 1;
			}
			if (kind[l->key] == 2)
				continue;
			/*
			 * A name that passed passes again, and so does a value (the checks of
			 * one never look at the other): each string is checked once, and the
			 * first failure in sample order is still the one reported.
			 */
			if (!(seen[l->key] & 1) || !(seen[l->str] & 2)) {
				rc = check_label("sample ", key, prof_strlen(p, l->key),
						 prof_str(p, l->str), prof_strlen(p, l->str), lim);
				seen[l->key] |= 1;
				seen[l->str] |= 2;
			}
			for (k = 0; k < j && !dup; k++)
				dup = p->labels[s->label_off + k].key == l->key &&
				      p->labels[s->label_off + k].str != 0;
			if (!dup)
				extra++;
		}
		if (!rc && lim->max_label_names && ls->n + extra > lim->max_label_names)
			rc = err_set(ERR_TOOBIG, "sample %u: the series and its sample labels "
					  "have %zu label names, more than the limit of %u", i,
				     ls->n + extra, lim->max_label_names);
	}
	free(kind);
	return rc;
}

int ingest_series_finish(struct labelset *ls, const struct prof *p,
			 const struct ingest_limits *lim)
{
	static const char *const derived[] = { "__delta__",	   "__profile_type__",
					       "__service_name__", "__type__",
					       "__unit__",	   "__period_type__",
					       "__period_unit__" };
	const char *name;
	size_t i;
	int rc;

	if (!labelset_get(ls, "service_name") &&
	    (rc = labelset_set(ls, "service_name", "unknown_service")))
		return rc;
	if ((rc = session_mod(ls, lim->max_sessions_per_series)))
		return rc;
	if (lim->max_label_names && ls->n > lim->max_label_names)
		return err_set(ERR_TOOBIG, "the series has %zu labels, more than the limit of %u",
			       ls->n, lim->max_label_names);
	name = labelset_get(ls, "__name__");
	if (!name || !*name)
		return err_set(ERR_PARSE, "the series has no __name__ (the profile's metric name, "
				  "such as process_cpu)");
	for (i = 0; i < ls->n; i++)
		if ((rc = check_label("", ls->v[i].name, strlen(ls->v[i].name),
				      ls->v[i].value, strlen(ls->v[i].value), lim)))
			return rc;
	if (p && (rc = check_sample_labels(ls, p, lim)))
		return rc;
	for (i = 0; i < sizeof(derived) / sizeof(derived[0]); i++)
		labelset_del(ls, derived[i]);
	return 0;
}
