/*
 * remote_decode.c — a Pyroscope server's answers into the model (remote.h).
 *
 * Every body is decoded from a budget of 16 × its size + 16 MiB (either codec: see
 * pbjson.h), then each value is checked before it reaches a list or a builder: label
 * names and values must be NUL-free and at most REMOTE_MAX_LABEL bytes, profile type IDs
 * must parse, flame graph levels are checked by flamebearer_to_prof(), timeline points
 * land only inside the caller's grid, and a timeline's series and their grids are
 * bounded (REMOTE_MAX_SERIES, REMOTE_MAX_TIMELINE), whatever the answer's size.
 */
#include "remote.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/text.h"
#include "base/vec.h"
#include "ingest/decode.h"
#include "pbjson.h"
#include "profile.pb-c.h"
#include "profile/builder.h"
#include "profile/merge.h"
#include "querier.pb-c.h"
#include "types.pb-c.h"

#define REMOTE_MAX_LABEL (64 * 1024)

/* Memory a decode may use: 16 times the answer (varints widen to 8 bytes), at most 1 GiB. */
static size_t budget_for(size_t len)
{
	if (len > ((REMOTE_MAX_DECODE - ((size_t)16 << 20)) / 16))
		return REMOTE_MAX_DECODE;
	return len * 16 + ((size_t)16 << 20);
}

/*
 * A flame graph asked for with max_nodes has at most about twice that many nodes (each
 * truncated parent adds one "other"), 4 or 7 values each, and names no longer than the
 * answer: a gzipped answer of zeros that would widen into gigabytes of values is refused
 * at the allocation.
 */
static size_t fb_budget(size_t len, uint32_t max_nodes)
{
	size_t b = budget_for(len), fb;

	if (!max_nodes)
		return b;
	fb = ((size_t)16 << 20) + len + (size_t)max_nodes * 256;
	return fb < b ? fb : b;
}

static int decode_in(const ProtobufCMessageDescriptor *d, enum remote_codec c,
		     const uint8_t *data, size_t len, size_t budget, struct pb_budget *bu,
		     ProtobufCMessage **out)
{
	int rc;

	pb_budget_init(bu, budget);
	if ((rc = pb_decode(d, c == REMOTE_CODEC_JSON ? PB_JSON : PB_PROTO, data, len, bu, out)))
		return err_prefix(rc, "malformed answer");
	return 0;
}

static int decode(const ProtobufCMessageDescriptor *d, enum remote_codec c, const uint8_t *data,
		  size_t len, struct pb_budget *bu, ProtobufCMessage **out)
{
	return decode_in(d, c, data, len, budget_for(len), bu, out);
}

/* ---- flame graphs ---- */

static int fb_view(struct pb_budget *bu, char **names, size_t nnames, Querier__V1__Level **levels,
		   size_t nlevels, unsigned width, struct flamebearer *fb)
{
	size_t i;

	memset(fb, 0, sizeof(*fb));
	if (nnames > UINT32_MAX - 2 || nlevels > UINT32_MAX - 2)
		return err_set(ERR_TOOBIG, "flame graph: too many names or levels");
	fb->names = (const char **)names;
	fb->nnames = (uint32_t)nnames;
	fb->width = width;
	fb->nlevels = (uint32_t)nlevels;
	if (!(fb->levels = pb_budget_alloc(bu, (nlevels + 1) * sizeof(*fb->levels))))
		return err_set(ERR_TOOBIG, "flame graph: too large to decode");
	for (i = 0; i < nlevels; i++) {
		fb->levels[i].v = levels[i]->values;
		fb->levels[i].n = levels[i]->n_values;
		fb->levels[i].cap = 0;
	}
	for (i = 0; i < nnames; i++)
		if (!names[i])
			return err_set(ERR_PARSE, "flame graph: name %zu missing", i);
	return 0;
}

int remote_decode_flamegraphs(enum remote_codec c, const struct buf *bodies, size_t n,
			      const struct fb_prof_info *info, struct prof **out, bool *truncated)
{
	struct pb_budget *bu = calloc(n + 1, sizeof(*bu));
	struct flamebearer *fb = calloc(n + 1, sizeof(*fb));
	size_t i, made = 0, k = 0;
	int rc = 0;

	*out = NULL;
	if (truncated)
		*truncated = false;
	if (!bu || !fb) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		Querier__V1__SelectMergeStacktracesResponse *r;
		Querier__V1__FlameGraph *g;

		made++;
		if ((rc = decode_in(&querier__v1__select_merge_stacktraces_response__descriptor, c,
				    (const uint8_t *)bodies[i].data, bodies[i].len,
				    fb_budget(bodies[i].len, info->max_nodes), &bu[i],
				    (ProtobufCMessage **)&r)))
			goto done;
		if (!(g = r->flamegraph))
			continue; /* an empty range: no flame graph at all */
		if ((rc = fb_view(&bu[i], g->names, g->n_names, g->levels, g->n_levels, 4, &fb[k])))
			goto done;
		if (truncated && flamebearer_has_other(&fb[k]))
			*truncated = true;
		k++;
	}
	rc = flamebearer_to_prof(fb, k, info, out);
done:
	for (i = 0; i < made; i++)
		pb_budget_release(&bu[i]);
	free(bu);
	free(fb);
	return rc;
}

int remote_decode_flamegraph(enum remote_codec c, const uint8_t *data, size_t len,
			     const struct fb_prof_info *info, struct prof **out, bool *truncated)
{
	struct buf b = { (char *)data, len, len };

	return remote_decode_flamegraphs(c, &b, 1, info, out, truncated);
}

int remote_decode_diff(enum remote_codec c, const uint8_t *data, size_t len,
		       const struct fb_prof_info *info, struct prof **out, bool *truncated)
{
	Querier__V1__DiffResponse *r;
	Querier__V1__FlameGraphDiff *g;
	struct flamebearer fb;
	struct pb_budget bu;
	int rc;

	*out = NULL;
	if (truncated)
		*truncated = false;
	if (!(rc = decode_in(&querier__v1__diff_response__descriptor, c, data, len,
			     fb_budget(len, info->max_nodes), &bu, (ProtobufCMessage **)&r))) {
		g = r->flamegraph;
		if (g &&
		    !(rc = fb_view(&bu, g->names, g->n_names, g->levels, g->n_levels, 7, &fb))) {
			if (truncated)
				*truncated = flamebearer_has_other(&fb);
			rc = flamebearer_to_prof(&fb, 1, info, out);
		} else if (!g) {
			memset(&fb, 0, sizeof(fb));
			fb.width = 7;
			rc = flamebearer_to_prof(&fb, 1, info, out);
		}
	}
	pb_budget_release(&bu);
	return rc;
}

/* ---- the pieces of a split range, merged as they come ---- */

void remote_merge_acc_init(struct remote_merge_acc *a)
{
	memset(a, 0, sizeof(*a));
}

void remote_merge_acc_release(struct remote_merge_acc *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		prof_free(a->part[i]);
	a->n = 0;
}

/*
 * A binary counter: parts of 2^k pieces each, largest (earliest) first, two of the same
 * size merged into one at once.  Pieces stay in order and prof_merge() keeps each
 * input's samples in order and its tables in first-seen order, so any grouping of
 * neighbours gives what one merge of them all gives; merging into one running profile
 * instead would copy it once a piece (quadratic in the pieces).
 */
int remote_merge_acc_add(struct remote_merge_acc *a, struct prof *part)
{
	struct prof *two[2], *m;
	int rc;

	if (a->n == sizeof(a->part) / sizeof(*a->part)) {
		prof_free(part);
		return err_set(ERR_TOOBIG, "too many pieces to merge");
	}
	a->part[a->n] = part;
	a->size[a->n++] = 1;
	if (a->n > a->peak)
		a->peak = a->n;
	while (a->n >= 2 && a->size[a->n - 2] == a->size[a->n - 1]) {
		two[0] = a->part[a->n - 2];
		two[1] = a->part[a->n - 1];
		if ((rc = prof_merge((const struct prof *const *)two, 2, &m)))
			return rc;
		prof_free(two[0]);
		prof_free(two[1]);
		a->n--;
		a->part[a->n - 1] = m;
		a->size[a->n - 1] *= 2;
	}
	return 0;
}

int remote_merge_acc_finish(struct remote_merge_acc *a, struct prof **out)
{
	int rc = 0;

	*out = NULL;
	if (a->n == 1) {
		*out = a->part[0];
		a->n = 0;
	} else if (a->n > 1) {
		rc = prof_merge((const struct prof *const *)a->part, a->n, out);
		remote_merge_acc_release(a);
	}
	return rc;
}

void remote_tree_acc_init(struct remote_tree_acc *t)
{
	memset(t, 0, sizeof(*t));
}

void remote_tree_acc_release(struct remote_tree_acc *t)
{
	pb_free(t->b);
	t->b = NULL;
}

/*
 * flamebearer_to_prof() of several flame graphs makes one frame a name, in the order
 * their samples first use the names, and the samples in order: a piece's profile, made
 * alone, holds its samples in that order, so its names (each frame's one function) are
 * made frames again here in the same order (pb_named_frame knows those made before), the
 * strings first from the first piece (all of them its type's and its frames' names).
 */
static int tree_add_samples(struct remote_tree_acc *t, const struct prof *p)
{
	uint32_t *stack = NULL, i, k;
	size_t cap = 0;
	int rc = 0;

	for (i = 0; i < p->nsamples && !rc; i++) {
		const struct prof_sample *s = &p->samples[i];

		if ((rc = vec_reserve(&stack, &cap, (size_t)s->nlocs + 1)))
			break;
		for (k = 0; k < s->nlocs && !rc; k++) {
			uint32_t loc = p->sample_locs[s->loc_off + k];
			uint32_t name = p->functions[p->lines[p->locations[loc].line_off].func].name;

			rc = pb_named_frame(t->b, prof_str(p, name), prof_strlen(p, name),
					    &stack[k]);
		}
		if (!rc)
			rc = pb_sample(t->b, stack, s->nlocs, p->values + (size_t)i * p->ntypes,
				       NULL, 0);
	}
	free(stack);
	return rc;
}

int remote_tree_acc_add(struct remote_tree_acc *t, enum remote_codec c, const uint8_t *data,
			size_t len, const struct fb_prof_info *info)
{
	struct prof *p;
	bool truncated;
	int rc;

	if ((rc = remote_decode_flamegraph(c, data, len, info, &p, &truncated)))
		return rc;
	/* one piece's stacks are bounded by its own nodes: all of them together, here */
	if (p->nsample_locs > FLAMEBEARER_MAX_STACK_ENTRIES - t->entries)
		rc = err_set(ERR_TOOBIG,
			     "flame graph: the pieces' samples' stacks take more than %zu entries",
			     FLAMEBEARER_MAX_STACK_ENTRIES);
	else if (!t->b && !(rc = pb_new(&t->b)))
		rc = pb_copy_header(t->b, p, false);
	if (!rc)
		rc = tree_add_samples(t, p);
	if (!rc) {
		t->entries += p->nsample_locs;
		t->truncated |= truncated;
	}
	prof_free(p);
	return rc;
}

int remote_tree_acc_finish(struct remote_tree_acc *t, struct prof **out, bool *truncated)
{
	int rc = 0;

	*out = NULL;
	if (truncated)
		*truncated = t->truncated;
	if (t->b)
		rc = pb_finish(t->b, out);
	memset(t, 0, sizeof(*t));
	return rc;
}

/* ---- pprof ---- */

int remote_decode_pprof(enum remote_codec c, const uint8_t *data, size_t len, struct prof **out)
{
	struct buf raw = BUF_INIT;
	struct pb_budget bu;
	ProtobufCMessage *m = NULL;
	int rc;

	*out = NULL;
	if (c == REMOTE_CODEC_PROTO) {
		/* the pprof message itself (gzip tolerated, within the answer's budget) */
		if ((rc = decode_inflate(data, len, budget_for(len), &raw))) {
			buf_release(&raw);  /* what was inflated before the budget ran out */
			return err_prefix(rc, "malformed answer");
		}
		rc = raw.len ? pprof_decode((const uint8_t *)raw.data, raw.len, NULL, out) : 0;
		buf_release(&raw);
		return rc ? err_prefix(rc, "malformed answer") : 0;
	}
	/* JSON: into the protobuf-c message, packed, and through the one pprof decoder */
	if (!(rc = decode(&perftools__profiles__profile__descriptor, c, data, len, &bu, &m))) {
		size_t n = protobuf_c_message_get_packed_size(m);

		if (!(rc = buf_grow(&raw, n))) {
			raw.len = protobuf_c_message_pack(m, (uint8_t *)raw.data);
			rc = raw.len ? pprof_decode((const uint8_t *)raw.data, raw.len, NULL, out)
				     : 0;
			if (rc)
				err_prefix(rc, "malformed answer");
		}
	}
	pb_budget_release(&bu);
	buf_release(&raw);
	return rc;
}

/* ---- lists ---- */

int remote_decode_profile_types(enum remote_codec c, const uint8_t *data, size_t len,
				struct profile_type_list *out)
{
	Querier__V1__ProfileTypesResponse *r;
	struct pb_budget bu;
	size_t i;
	int rc;

	if ((rc = decode(&querier__v1__profile_types_response__descriptor, c, data, len, &bu,
			 (ProtobufCMessage **)&r)))
		goto done;
	for (i = 0; i < r->n_profile_types; i++) {
		const char *id = r->profile_types[i]->id;
		struct profile_type pt;

		if (!id || strlen(id) > REMOTE_MAX_LABEL || profile_type_parse(id, &pt))
			continue;
		if ((rc = vec_reserve(&out->v, &out->cap, out->n + 1))) {
			profile_type_release(&pt);
			goto done;
		}
		out->v[out->n++] = pt;
	}
	err_clear();
done:
	pb_budget_release(&bu);
	return rc;
}

int remote_decode_names(enum remote_codec c, const uint8_t *data, size_t len, struct strvec *out)
{
	Types__V1__LabelNamesResponse *r;
	struct pb_budget bu;
	size_t i;
	int rc;

	if ((rc = decode(&types__v1__label_names_response__descriptor, c, data, len, &bu,
			 (ProtobufCMessage **)&r)))
		goto done;
	for (i = 0; i < r->n_names && !rc; i++) {
		size_t n = r->names[i] ? strlen(r->names[i]) : 0;

		if (n > REMOTE_MAX_LABEL)
			rc = err_set(ERR_PARSE, "a name of %zu bytes", n);
		else
			rc = strvec_pushn(out, r->names[i] ? r->names[i] : "", n);
	}
done:
	pb_budget_release(&bu);
	return rc;
}

/* Label pairs into a label set: NUL-free, bounded. */
static int pairs(Types__V1__LabelPair **p, size_t n, struct labelset *ls)
{
	struct buf name = BUF_INIT, value = BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < n && !rc; i++) {
		const ProtobufCBinaryData *a = &p[i]->name, *b = &p[i]->value;

		if (a->len > REMOTE_MAX_LABEL || b->len > REMOTE_MAX_LABEL ||
		    (a->len && memchr(a->data, 0, a->len)) ||
		    (b->len && memchr(b->data, 0, b->len))) {
			rc = err_set(ERR_PARSE, "a label too long or holding a NUL byte");
			break;
		}
		buf_reset(&name);
		buf_reset(&value);
		if (!(rc = buf_add(&name, a->data, a->len)) &&
		    !(rc = buf_add(&value, b->data, b->len)))
			rc = labelset_set(ls, name.data, value.data);
	}
	buf_release(&name);
	buf_release(&value);
	return rc;
}

int remote_decode_series(enum remote_codec c, const uint8_t *data, size_t len,
			 struct labelset_list *out)
{
	Querier__V1__SeriesResponse *r;
	struct pb_budget bu;
	size_t i;
	int rc;

	if ((rc = decode(&querier__v1__series_response__descriptor, c, data, len, &bu,
			 (ProtobufCMessage **)&r)))
		goto done;
	for (i = 0; i < r->n_labels_set; i++) {
		struct labelset ls = LABELSET_INIT;

		if ((rc = pairs(r->labels_set[i]->labels, r->labels_set[i]->n_labels, &ls)) ||
		    (rc = vec_reserve(&out->v, &out->cap, out->n + 1))) {
			labelset_free(&ls);
			goto done;
		}
		out->v[out->n++] = ls;
	}
done:
	pb_budget_release(&bu);
	return rc;
}

int remote_series_index(const struct series_points_list *out, struct hmap *index)
{
	size_t i;
	int rc;

	if ((rc = hmap_init(index, out->n + 16)))
		return rc;
	for (i = 0; i < out->n && i < UINT32_MAX; i++)
		if ((rc = hmap_put(index, labelset_hash(&out->v[i].labels) & ~1ULL, (uint32_t)i)))
			return rc;
	return 0;
}

int remote_timeline_series(struct series_points_list *out, struct hmap *index,
			   struct labelset *ls, int64_t start_ns, int64_t step_ns, size_t n,
			   struct series_points **sp)
{
	uint64_t h = labelset_hash(ls) & ~1ULL;  /* never HMAP_EMPTY */
	uint32_t k;
	size_t i;
	int rc;

	/* the index finds it or says it is new; two sets with one hash: look at all */
	if (index && hmap_get(index, h, &k) && labelset_equal(&out->v[k].labels, ls)) {
		*sp = &out->v[k];
		labelset_free(ls);
		return 0;
	}
	if (!index || hmap_get(index, h, &k)) {
		for (i = 0; i < out->n; i++)
			if (labelset_equal(&out->v[i].labels, ls)) {
				*sp = &out->v[i];
				labelset_free(ls);
				return 0;
			}
	}
	/* a new series: its grid counts against the timeline's bounds (remote.h) */
	if (out->n >= REMOTE_MAX_SERIES)
		return err_set(ERR_TOOBIG,
			       "more than %d series: narrow the selector, or group by a label "
			       "with fewer values",
			       REMOTE_MAX_SERIES);
	if (n >= REMOTE_MAX_TIMELINE / sizeof(double) / 2 ||
	    (out->n + 1) * (n + 1) > REMOTE_MAX_TIMELINE / (sizeof(int64_t) + sizeof(double)))
		return err_set(ERR_TOOBIG,
			       "%zu series of %zu steps take more than %zu MiB: a longer step, "
			       "a shorter range or a narrower selector",
			       out->n + 1, n, REMOTE_MAX_TIMELINE >> 20);
	if ((rc = vec_reserve(&out->v, &out->cap, out->n + 1)))
		return rc;
	if (index && out->n < UINT32_MAX && (rc = hmap_put(index, h, (uint32_t)out->n)))
		return rc;
	*sp = &out->v[out->n];
	memset(*sp, 0, sizeof(**sp));
	(*sp)->ts_ms = malloc((n + 1) * sizeof(*(*sp)->ts_ms));
	(*sp)->values = calloc(n + 1, sizeof(*(*sp)->values));
	if (!(*sp)->ts_ms || !(*sp)->values) {
		free((*sp)->ts_ms);
		free((*sp)->values);
		return err_set(ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < n; i++)  /* in uint64: from near 1678, i * step passes INT64_MAX */
		(*sp)->ts_ms[i] = (int64_t)((uint64_t)start_ns + (uint64_t)i * (uint64_t)step_ns) /
				  1000000;
	(*sp)->n = n;
	(*sp)->labels = *ls;
	memset(ls, 0, sizeof(*ls));
	out->n++;
	return 0;
}

int remote_decode_timeline(enum remote_codec c, const uint8_t *data, size_t len, int64_t after_ms,
			   int64_t until_ms, int64_t start_ns, int64_t step_ns, size_t n,
			   struct series_points_list *out)
{
	Querier__V1__SelectSeriesResponse *r;
	struct pb_budget bu;
	struct hmap index = { 0 };
	size_t i, k;
	uint64_t step_ms;
	int rc;

	if (step_ns <= 0)
		return err_set(ERR_USAGE, "timeline: no step");
	step_ms = (uint64_t)step_ns / 1000000 + (step_ns % 1000000 > 0);
	if ((rc = decode(&querier__v1__select_series_response__descriptor, c, data, len, &bu,
			 (ProtobufCMessage **)&r)) ||
	    (rc = remote_series_index(out, &index)))
		goto done;
	for (i = 0; i < r->n_series; i++) {
		const Types__V1__Series *s = r->series[i];
		struct labelset ls = LABELSET_INIT;
		struct series_points *sp;

		if ((rc = pairs(s->labels, s->n_labels, &ls)) ||
		    (rc = remote_timeline_series(out, &index, &ls, start_ns, step_ns, n, &sp))) {
			labelset_free(&ls);
			goto done;
		}
		for (k = 0; k < s->n_points; k++) {
			const Types__V1__Point *p = s->points[k];
			uint64_t idx;
			int64_t t;

			/*
			 * Point t holds the profiles of (t - step, t]: it goes to the step
			 * whose end is t, (start, end] holding t.  A point at or before
			 * after_ms holds what precedes the range (v2 repeats a step there);
			 * one at most a step after until_ms holds nothing after it (smolder
			 * serve's point for a step the range's end cuts, stamped with that
			 * step's end), so it is filed there.  Later points, points outside
			 * the grid, or not numbers, are dropped.
			 */
			if (!isfinite(p->value) || p->timestamp <= after_ms ||
			    (p->timestamp > until_ms &&
			     (uint64_t)p->timestamp - (uint64_t)until_ms > step_ms) ||
			    __builtin_mul_overflow(p->timestamp > until_ms ? until_ms + 1 :
									      p->timestamp,
						   1000000, &t) ||
			    t <= start_ns)
				continue;
			/* t > start_ns: their distance in uint64, past INT64_MAX from near 1678 */
			idx = ((uint64_t)t - 1 - (uint64_t)start_ns) / (uint64_t)step_ns;
			if (idx < n)
				sp->values[idx] += p->value;
		}
	}
done:
	hmap_release(&index);
	pb_budget_release(&bu);
	return rc;
}

/* ---- errors ---- */

int remote_error_message(const char *body, size_t len, struct buf *out)
{
	const char *msg = body, *end;
	json_t *root = NULL, *m;
	struct buf safe = BUF_INIT;
	size_t n;
	int rc;

	while (len && (*msg == ' ' || *msg == '\n' || *msg == '\r' || *msg == '\t'))
		msg++, len--;
	if (len && len <= 64 * 1024 && *msg == '{') {
		json_error_t e;

		root = json_loadb(msg, len, 0, &e);
		if (json_is_object(root) && json_is_string(m = json_object_get(root, "message"))) {
			msg = json_string_value(m);
			len = json_string_length(m);
		}
	}
	if (len && *msg == '<')
		len = 0; /* an HTML page (a proxy's): nothing worth quoting */
	end = memchr(msg, '\n', len);
	n = end ? (size_t)(end - msg) : len;
	if (n > 600)
		n = 600;
	if ((rc = text_safe(&safe, msg, n, false)) == 0 && safe.len)
		rc = text_tail_truncate(out, safe.data, safe.len, 300, false) < 0 ? ERR_NOMEM : 0;
	buf_release(&safe);
	json_decref(root);
	return rc;
}
