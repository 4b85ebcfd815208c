/*
 * querier_pprof.c — Pyroscope's truncation of a pprof answer at max_nodes
 * (qs_pprof_truncate, querier_int.h), which SelectMergeProfile and SelectMergeStacktraces'
 * PPROF format apply (querier_server.c).
 *
 * As symdb's pprofProtoTruncatedSymbols: the stacks make a call tree of functions (one
 * per name, system name, file and start line, however many copies the merge holds; a
 * location's inlined lines count one each), every node whose total is below the
 * max_nodes-th largest total goes, and a stack loses the frames under its last kept
 * node, in their place one location "other" (a stack of no kept frame is "other" alone).
 * Samples that end up alike are one, and the answer holds only the locations, functions,
 * mappings and strings they use.  Upstream keeps one frame more than its tree says (its
 * location walk stops one short), and cuts each symdb partition apart; here exactly the
 * kept frames stay, and the whole merge is cut at once (querier_server.h).
 *
 * Ownership: the input profile is borrowed for the call; the truncated profile in *out
 * is the caller's (prof_free).  Everything else (the call tree, the kept samples) is
 * freed before qs_pprof_truncate returns.
 */
#include "querier_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/hmap.h"
#include "base/vec.h"
#include "profile/builder.h"
struct fnode {
	uint32_t parent;  /* UINT32_MAX: a root */
	int64_t total;
};

struct tsample {
	uint32_t in;             /* the sample of `in` whose labels it has */
	uint32_t loc_off, nlocs; /* into locs */
};

struct trunc {
	const struct prof *in;
	struct fnode *nodes;
	size_t nnodes, cap_nodes;
	uint32_t *leaf;   /* the node each sample of `in` ends on, UINT32_MAX: none */
	uint32_t *canon;  /* each function of `in` → the first function equal to it */
	struct hmap kids; /* (parent + 1) << 32 | canonical function → node */
	uint32_t *locs;   /* the kept samples' stacks, leaf first */
	size_t nlocs, cap_locs;
	struct tsample *out;
	size_t nout, cap_out;
	int64_t *vals;    /* ntypes per kept sample, room for cap_vals samples */
	size_t cap_vals;
	struct hmap same; /* a kept sample's hash → its index (chained by equal hashes) */
};

/* The child of *node (UINT32_MAX: the roots) for function func, made if new, as *node. */
static int trunc_child(struct trunc *t, uint32_t func, int64_t v, uint32_t *node)
{
	uint64_t key = ((uint64_t)(*node + 1) << 32) | func;
	uint32_t got;
	int rc;

	if (t->nnodes >= UINT32_MAX - 1)
		return err_set(ERR_TOOBIG, "pprof: too many call tree nodes");
	if ((rc = hmap_intern(&t->kids, key, (uint32_t)t->nnodes, &got)) < 0)
		return rc;
	if (rc == 0) {
		if ((rc = vec_reserve(&t->nodes, &t->cap_nodes, t->nnodes + 1)))
			return rc;
		t->nodes[t->nnodes++] = (struct fnode){ *node, 0 };
	}
	*node = got;
	t->nodes[got].total += v;
	return 0;
}

static bool func_same(const struct prof_function *a, const struct prof_function *b)
{
	return a->name == b->name && a->system_name == b->system_name && a->file == b->file &&
	       a->start_line == b->start_line;
}

/*
 * t->canon: a merge may hold one function several times (the store's merge makes a
 * scope's functions apart from another scope's, so main of two services is two
 * functions), and symdb's tree is of functions as they are, one per name, file and
 * line: keyed by index, a path would be as many nodes as copies, each with part of its
 * total.  Strings are interned, so equal ids are equal strings.
 */
static int trunc_canon(struct trunc *t)
{
	const struct prof *in = t->in;
	struct hmap seen;
	uint32_t i, j, k;
	int rc;

	if (!(t->canon = malloc(((size_t)in->nfunctions + 1) * sizeof(*t->canon))))
		return err_set(ERR_NOMEM, "out of memory");
	if ((rc = hmap_init(&seen, in->nfunctions + 16)))
		return rc;
	for (i = 0; i < in->nfunctions; i++) {
		const struct prof_function *f = &in->functions[i];
		uint64_t h = hmap_mix(f->name ^ ((uint64_t)f->system_name << 32));

		h = hmap_mix(h ^ f->file ^ ((uint64_t)f->start_line << 32) ^
			     ((uint64_t)f->start_line >> 32));
		/* equal hashes chain through h + 1, h + 2, ... (a miss ends the chain) */
		for (k = 0; hmap_get(&seen, h + k, &j); k++)
			if (func_same(&in->functions[j], f))
				break;
		if (hmap_get(&seen, h + k, &j)) {
			t->canon[i] = j;
			continue;
		}
		if ((rc = hmap_put(&seen, h + k == HMAP_EMPTY ? 0 : h + k, i)))
			break;
		t->canon[i] = i;
	}
	hmap_release(&seen);
	return rc;
}

static int trunc_tree(struct trunc *t)
{
	const struct prof *in = t->in;
	uint32_t i, l, k, node;
	int rc;

	if (!(t->leaf = malloc(((size_t)in->nsamples + 1) * sizeof(*t->leaf))))
		return err_set(ERR_NOMEM, "out of memory");
	if ((rc = trunc_canon(t)) || (rc = hmap_init(&t->kids, in->nfunctions + 16)))
		return rc;
	for (i = 0; i < in->nsamples; i++) {
		const struct prof_sample *s = &in->samples[i];
		int64_t v = prof_value(in, i, in->default_type);

		node = UINT32_MAX;
		/* root first; a location's lines outermost first */
		for (l = s->nlocs; l-- > 0;) {
			const struct prof_location *loc;

			loc = &in->locations[in->sample_locs[s->loc_off + l]];
			for (k = loc->nlines; k-- > 0;) {
				rc = trunc_child(t, t->canon[in->lines[loc->line_off + k].func],
						 v, &node);
				if (rc)
					return rc;
			}
		}
		t->leaf[i] = node;
	}
	return 0;
}

static int cmp_desc(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x < y) - (x > y);
}

/* The least total a node keeps (StacktraceTree.MinValue); 0: every node stays. */
static int trunc_min(const struct trunc *t, int64_t max_nodes, int64_t *out)
{
	int64_t *v;
	size_t i;

	*out = 0;
	if (max_nodes < 1 || (uint64_t)max_nodes >= t->nnodes)
		return 0;
	if (!(v = malloc(t->nnodes * sizeof(*v))))
		return err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i < t->nnodes; i++)
		v[i] = t->nodes[i].total;
	qsort(v, t->nnodes, sizeof(*v), cmp_desc);
	*out = v[max_nodes - 1];
	free(v);
	return 0;
}

static uint64_t trunc_hash(const struct prof *in, uint32_t si, const uint32_t *locs, uint32_t n)
{
	const struct prof_sample *s = &in->samples[si];
	uint64_t h = n;
	uint32_t i;

	for (i = 0; i < n; i++)
		h = hmap_mix(h ^ locs[i]);
	for (i = 0; i < s->nlabels; i++) {
		const struct prof_label *lb = &in->labels[s->label_off + i];

		h = hmap_mix(h ^ lb->key ^ ((uint64_t)lb->str << 32));
		h = hmap_mix(h ^ (uint64_t)lb->num ^ ((uint64_t)lb->num_unit << 32));
	}
	return h == HMAP_EMPTY ? 0 : h;
}

static bool label_same(const struct prof_label *a, const struct prof_label *b)
{
	return a->key == b->key && a->str == b->str && a->num_unit == b->num_unit &&
	       a->num == b->num;
}

/*
 * Field by field: a whole-struct memcmp would compare prof_label's padding too, and
 * memcmp is given no NULL (a profile without labels has none), even for no bytes.
 */
static bool trunc_same(const struct trunc *t, const struct tsample *o, uint32_t si,
		       const uint32_t *locs, uint32_t n)
{
	const struct prof_sample *a = &t->in->samples[o->in], *b = &t->in->samples[si];
	uint32_t i;

	if (o->nlocs != n || a->nlabels != b->nlabels)
		return false;
	for (i = 0; i < n; i++)
		if (t->locs[o->loc_off + i] != locs[i])
			return false;
	for (i = 0; i < a->nlabels; i++)
		if (!label_same(&t->in->labels[a->label_off + i], &t->in->labels[b->label_off + i]))
			return false;
	return true;
}

/* Adds sample si of `in` with stack locs[0..n) (leaf first), or to the one like it. */
static int trunc_add(struct trunc *t, uint32_t si, const uint32_t *locs, uint32_t n)
{
	const struct prof *in = t->in;
	uint64_t h = trunc_hash(in, si, locs, n);
	uint32_t j, k;
	int rc;

	/* equal hashes chain through h + 1, h + 2, ... (a miss ends the chain) */
	for (k = 0; hmap_get(&t->same, h + k, &j); k++)
		if (trunc_same(t, &t->out[j], si, locs, n))
			break;
	if (hmap_get(&t->same, h + k, &j)) {
		for (k = 0; k < in->ntypes; k++)
			t->vals[(size_t)j * in->ntypes + k] += prof_value(in, si, k);
		return 0;
	}
	if ((rc = vec_reserve(&t->out, &t->cap_out, t->nout + 1)) ||
	    (rc = vec_reserve(&t->locs, &t->cap_locs, t->nlocs + n)) ||
	    (rc = hmap_put(&t->same, h + k == HMAP_EMPTY ? 0 : h + k, (uint32_t)t->nout)))
		return rc;
	if (t->cap_vals < t->cap_out) {
		int64_t *v = realloc(t->vals, t->cap_out * in->ntypes * sizeof(*v));

		if (!v)
			return err_set(ERR_NOMEM, "out of memory");
		t->vals = v;
		t->cap_vals = t->cap_out;
	}
	if (n)  /* t->locs is NULL until a stack is kept */
		memcpy(t->locs + t->nlocs, locs, n * sizeof(*locs));
	t->out[t->nout] = (struct tsample){ si, (uint32_t)t->nlocs, n };
	for (k = 0; k < in->ntypes; k++)
		t->vals[t->nout * in->ntypes + k] = prof_value(in, si, k);
	t->nlocs += n;
	t->nout++;
	return 0;
}

/* The depth (frames from the root) of node's deepest ancestor-or-self kept at minv. */
static uint32_t trunc_kept(const struct trunc *t, uint32_t node, int64_t minv)
{
	uint32_t depth = 0, i, keep = UINT32_MAX;

	for (i = node; i != UINT32_MAX; i = t->nodes[i].parent, depth++)
		if (keep == UINT32_MAX && t->nodes[i].total >= minv)
			keep = depth;  /* frames under it, counted from the leaf */
	return keep == UINT32_MAX ? 0 : depth - keep;
}

/*
 * The answer's symbols: only what its samples use, as upstream copies them (a cut of a
 * large merge keeps a few hundred of its tens of thousands of locations).  Each table
 * maps an id of `in` to the answer's, UINT32_MAX until first used.
 */
struct symbols {
	const struct prof *in;
	struct prof_builder *b;
	uint32_t *str, *map, *func, *loc;
	struct prof_line *lines;  /* a location's lines, renumbered */
	size_t cap_lines;
	struct prof_label *labels;  /* a sample's labels, renumbered */
	size_t cap_labels;
};

static int sym_init(struct symbols *y, const struct prof *in, struct prof_builder *b)
{
	size_t n = (size_t)in->nstrs + in->nmappings + in->nfunctions + in->nlocations;

	*y = (struct symbols){ .in = in, .b = b };
	if (!(y->str = malloc((n + 1) * sizeof(*y->str))))
		return err_set(ERR_NOMEM, "out of memory");
	memset(y->str, 0xff, (n + 1) * sizeof(*y->str));
	y->map = y->str + in->nstrs;
	y->func = y->map + in->nmappings;
	y->loc = y->func + in->nfunctions;
	return 0;
}

static void sym_release(struct symbols *y)
{
	free(y->str);
	free(y->lines);
	free(y->labels);
}

static int sym_str(struct symbols *y, uint32_t id, uint32_t *out)
{
	int rc;

	if (id >= y->in->nstrs)
		id = 0;
	if (y->str[id] == UINT32_MAX &&
	    (rc = pb_string(y->b, y->in->strs[id], y->in->str_lens[id], &y->str[id])))
		return rc;
	*out = y->str[id];
	return 0;
}

static int sym_mapping(struct symbols *y, uint32_t id, uint32_t *out)
{
	struct prof_mapping m;
	int rc;

	if (id == PROF_NONE || id >= y->in->nmappings) {
		*out = PROF_NONE;
		return 0;
	}
	if (y->map[id] == UINT32_MAX) {
		m = y->in->mappings[id];
		if ((rc = sym_str(y, m.file, &m.file)) || (rc = sym_str(y, m.build_id, &m.build_id)) ||
		    (rc = pb_mapping(y->b, &m, &y->map[id])))
			return rc;
	}
	*out = y->map[id];
	return 0;
}

static int sym_function(struct symbols *y, uint32_t id, uint32_t *out)
{
	struct prof_function f;
	int rc;

	if (y->func[id] == UINT32_MAX) {
		f = y->in->functions[id];
		if ((rc = sym_str(y, f.name, &f.name)) ||
		    (rc = sym_str(y, f.system_name, &f.system_name)) ||
		    (rc = sym_str(y, f.file, &f.file)) || (rc = pb_function(y->b, &f, &y->func[id])))
			return rc;
	}
	*out = y->func[id];
	return 0;
}

/* The answer's location for id of `in` (an unsymbolized one is named anew from its mapping). */
static int sym_location(struct symbols *y, uint32_t id, uint32_t *out)
{
	const struct prof_location *l = &y->in->locations[id];
	uint32_t k, map;
	int rc;

	if (y->loc[id] != UINT32_MAX) {
		*out = y->loc[id];
		return 0;
	}
	if ((rc = sym_mapping(y, l->mapping, &map)) ||
	    (rc = vec_reserve(&y->lines, &y->cap_lines, (size_t)l->nlines + 1)))
		return rc;
	for (k = 0; k < l->nlines && !l->unsymbolized; k++) {
		y->lines[k] = y->in->lines[l->line_off + k];
		if ((rc = sym_function(y, y->lines[k].func, &y->lines[k].func)))
			return rc;
	}
	if ((rc = pb_location(y->b, map, l->address, y->lines, l->unsymbolized ? 0 : l->nlines,
			      &y->loc[id])))
		return rc;
	*out = y->loc[id];
	return 0;
}

/* What pb_copy_header gives but for the tables, with only the strings it uses. */
static int sym_header(struct symbols *y)
{
	const struct prof *in = y->in;
	uint32_t i, a, u, drop, keep;
	int rc;

	for (i = 0; i < in->ntypes; i++)
		if ((rc = sym_str(y, in->sample_types[i].type, &a)) ||
		    (rc = sym_str(y, in->sample_types[i].unit, &u)) ||
		    (rc = pb_sample_type(y->b, a, u)))
			return rc;
	if (in->default_named)
		pb_set_default_type(y->b, in->default_type);
	if ((rc = sym_str(y, in->period_type.type, &a)) ||
	    (rc = sym_str(y, in->period_type.unit, &u)) || (rc = sym_str(y, in->drop_frames, &drop)) ||
	    (rc = sym_str(y, in->keep_frames, &keep)))
		return rc;
	pb_set_period(y->b, a, u, in->period);
	pb_set_times(y->b, in->time_nanos, in->duration_nanos);
	pb_set_frames(y->b, drop, keep);
	for (i = 0; i < in->ncomments; i++)
		if ((rc = sym_str(y, in->comments[i], &a)) || (rc = pb_add_comment(y->b, a)))
			return rc;
	return 0;
}

/* Kept sample i: its stack (UINT32_MAX: "other") and labels in the answer's ids. */
static int sym_sample(struct symbols *y, struct trunc *t, uint32_t i, uint32_t *other)
{
	const struct prof *in = t->in;
	const struct prof_sample *s = &in->samples[t->out[i].in];
	uint32_t *locs = t->out[i].nlocs ? t->locs + t->out[i].loc_off : NULL, k;
	int rc;

	for (k = 0; k < t->out[i].nlocs; k++) {
		if (locs[k] != UINT32_MAX)
			rc = sym_location(y, locs[k], &locs[k]);
		else if (*other != UINT32_MAX)
			locs[k] = *other, rc = 0;
		else if (!(rc = pb_named_frame(y->b, "other", 5, other)))
			locs[k] = *other;
		if (rc)
			return rc;
	}
	if ((rc = vec_reserve(&y->labels, &y->cap_labels, (size_t)s->nlabels + 1)))
		return rc;
	for (k = 0; k < s->nlabels; k++) {
		struct prof_label *lb = &y->labels[k];

		*lb = in->labels[s->label_off + k];
		if ((rc = sym_str(y, lb->key, &lb->key)) || (rc = sym_str(y, lb->str, &lb->str)) ||
		    (rc = sym_str(y, lb->num_unit, &lb->num_unit)))
			return rc;
	}
	return pb_sample(y->b, locs, t->out[i].nlocs, t->vals + (size_t)i * in->ntypes,
			 y->labels, s->nlabels);
}

static int trunc_build(struct trunc *t, int64_t minv, struct prof **out)
{
	const struct prof *in = t->in;
	struct prof_builder *b = NULL;
	struct symbols y = { 0 };
	uint32_t other = UINT32_MAX, *stack = NULL, i;
	size_t cap = 0;
	int rc;

	if ((rc = hmap_init(&t->same, in->nsamples + 16)) || (rc = pb_new(&b)) ||
	    (rc = sym_init(&y, in, b)) || (rc = sym_header(&y)))
		goto done;
	for (i = 0; i < in->nsamples && !rc; i++) {
		const struct prof_sample *s = &in->samples[i];
		uint32_t keep = t->leaf[i] == UINT32_MAX ? 0 : trunc_kept(t, t->leaf[i], minv);
		uint32_t l, frames = 0, n = 0;

		if ((rc = vec_reserve(&stack, &cap, (size_t)s->nlocs + 1)))
			break;
		/* root first: the locations holding a kept frame stay, in `in`'s ids */
		for (l = s->nlocs; l-- > 0 && frames < keep;) {
			uint32_t loc = in->sample_locs[s->loc_off + l];

			frames += in->locations[loc].nlines;
			stack[s->nlocs - n++] = loc;
		}
		if (n < s->nlocs)
			stack[s->nlocs - n++] = UINT32_MAX;  /* "other", made when first used */
		rc = trunc_add(t, i, stack + s->nlocs + 1 - n, n);
	}
	for (i = 0; i < t->nout && !rc; i++)
		rc = sym_sample(&y, t, i, &other);
	if (!rc) {
		rc = pb_finish(b, out);
		b = NULL;
	}
done:
	sym_release(&y);
	free(stack);
	pb_free(b);
	return rc;
}

int qs_pprof_truncate(const struct prof *in, int64_t max_nodes, struct prof **out)
{
	struct trunc t = { .in = in };
	int64_t minv = 0;
	int rc;

	*out = NULL;
	if (max_nodes < 1 || in->ntypes == 0)
		return 0;
	if (!(rc = trunc_tree(&t)) && !(rc = trunc_min(&t, max_nodes, &minv)) && minv > 0)
		rc = trunc_build(&t, minv, out);
	free(t.nodes);
	free(t.leaf);
	free(t.canon);
	hmap_release(&t.kids);
	free(t.locs);
	free(t.out);
	free(t.vals);
	hmap_release(&t.same);
	return rc;
}
