/*
 * flamebearer.c — flame graph levels from call trees and back (flamebearer.h).
 *
 * Building walks a "source": one call tree (tree.h) or, for a diff, the union of two
 * trees made here as a preorder array (struct cnode) whose nodes carry both sides'
 * values.  Both are preorder with children in name order, so one walker serves: a
 * depth-first walk with an explicit stack (stacks can be thousands of frames deep)
 * that appends each node to its level, children pushed right to left so that every
 * level fills in increasing x.
 */
#include "flamebearer.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/hmap.h"
#include "base/text.h"
#include "base/vec.h"
#include "builder.h"

#define NONE UINT32_MAX
#define ROOT (UINT32_MAX - 1)

/* ---- the names table: bytes → index, valid UTF-8 ---- */

struct names {
	struct hmap map;
	struct arena arena;  /* repaired copies */
	const char **v;
	uint32_t *len;
	size_t n, cap, cap_len;
};

/* s[0..n) as valid UTF-8 without NUL: s itself, or a repaired copy in the arena. */
static int repair(struct names *nm, const char *s, size_t n, const char **out, size_t *olen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, l, k = 0;
	char *d;

	for (i = 0; i < n && p[i] && (l = text_utf8_len(s + i, n - i)); i += l)
		;
	*out = s;
	*olen = n;
	if (i == n)
		return 0;
	if (n > SIZE_MAX / 3 - 1 || !(d = arena_alloc(&nm->arena, n * 3 + 1)))
		return err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i < n; i += l) {
		if (!p[i] || !(l = text_utf8_len(s + i, n - i))) {
			memcpy(d + k, "\xef\xbf\xbd", 3);
			k += 3;
			l = 1;
			continue;
		}
		memcpy(d + k, s + i, l);
		k += l;
	}
	d[k] = '\0';
	*out = d;
	*olen = k;
	return 0;
}

static int names_intern(struct names *nm, const char *s, size_t n, uint32_t *out)
{
	uint64_t key = XXH3_64bits(s, n);
	uint32_t idx;
	int rc;

	if (key == HMAP_EMPTY)
		key = 0;
	for (;;) {
		if (!hmap_get(&nm->map, key, &idx))
			break;
		if (nm->len[idx] == n && memcmp(nm->v[idx], s, n) == 0) {
			*out = idx;
			return 0;
		}
		key = key + 1 == HMAP_EMPTY ? 0 : key + 1;  /* a collision: the next key */
	}
	/* stored by the original bytes; names_finish() repairs them */
	if (nm->n >= UINT32_MAX - 2)
		return err_set(ERR_TOOBIG, "too many names");
	if ((rc = vec_reserve(&nm->v, &nm->cap, nm->n + 1)) ||
	    (rc = vec_reserve(&nm->len, &nm->cap_len, nm->n + 1)) ||
	    (rc = hmap_put(&nm->map, key, (uint32_t)nm->n)))
		return rc;
	nm->v[nm->n] = s;
	nm->len[nm->n] = (uint32_t)n;
	*out = (uint32_t)nm->n++;
	return 0;
}

/* After building: the written (repaired) forms replace the keys. */
static int names_finish(struct names *nm)
{
	size_t i, rl;
	int rc;

	for (i = 0; i < nm->n; i++) {
		const char *r;

		if ((rc = repair(nm, nm->v[i], nm->len[i], &r, &rl)))
			return rc;
		if (rl > UINT32_MAX)
			return err_set(ERR_TOOBIG, "a name is too long");
		nm->v[i] = r;
		nm->len[i] = (uint32_t)rl;
	}
	return 0;
}

static void names_release(struct names *nm)
{
	hmap_release(&nm->map);
	arena_release(&nm->arena);
	free(nm->v);
	free(nm->len);
}

/* ---- the source: one tree, or the union of two ---- */

struct cnode {
	uint32_t size;     /* nodes in the subtree */
	uint32_t name;     /* cnames index */
	int64_t total[2], self[2];
};

/*
 * names is the table the result gets: a name enters it when the first node carrying it
 * is emitted, so folded nodes leave theirs out (as Pyroscope's NewFlamegraphDiff does).
 * The union keeps every name of both trees in cnames, its nodes' name field indexing
 * that; cname_out maps them to names as they are emitted.
 */
struct src {
	const struct tree *t;  /* one tree ... */
	uint32_t type;
	uint32_t *sid_name;    /* its string id → names index (NONE until seen) */
	struct cnode *c;       /* ... or the union */
	struct names cnames;   /* the union's names (cnode.name indexes them) */
	uint32_t *cname_out;   /* cnames index → names index (NONE until seen) */
	uint32_t n;
	unsigned sides;
	struct names names;
};

static uint32_t s_size(const struct src *s, uint32_t i)
{
	return s->c ? s->c[i].size : s->t->size[i];
}

static int64_t s_total(const struct src *s, uint32_t i, unsigned side)
{
	return s->c ? s->c[i].total[side] : tree_total(s->t, i, s->type);
}

static int64_t s_self(const struct src *s, uint32_t i, unsigned side)
{
	return s->c ? s->c[i].self[side] : tree_self(s->t, i, s->type);
}

static uint32_t s_next_kid(const struct src *s, uint32_t parent, uint32_t k)
{
	uint32_t next = k == NONE ? parent + 1 : k + s_size(s, k);

	return next < parent + s_size(s, parent) ? next : NONE;
}

static int s_name(struct src *s, uint32_t i, uint32_t *out)
{
	uint32_t sid;
	int rc;

	if (s->c) {
		uint32_t *o = &s->cname_out[s->c[i].name];

		if (*o == NONE && (rc = names_intern(&s->names, s->cnames.v[s->c[i].name],
						     s->cnames.len[s->c[i].name], o)))
			return rc;
		*out = *o;
		return 0;
	}
	if (i == 0)
		return names_intern(&s->names, "total", 5, out);
	sid = s->t->name[i];
	if (s->sid_name[sid] == NONE &&
	    (rc = names_intern(&s->names, prof_str(s->t->prof, sid), prof_strlen(s->t->prof, sid),
			       &s->sid_name[sid])))
		return rc;
	*out = s->sid_name[sid];
	return 0;
}

static bool s_is_other(const struct src *s, uint32_t i)
{
	const char *p;
	size_t n;

	if (s->c) {
		p = s->cnames.v[s->c[i].name];
		n = s->cnames.len[s->c[i].name];
	} else {
		p = prof_str(s->t->prof, s->t->name[i]);
		n = prof_strlen(s->t->prof, s->t->name[i]);
	}
	return i != 0 && n == 5 && memcmp(p, FLAMEBEARER_OTHER, 5) == 0;
}

static int64_t s_key(const struct src *s, uint32_t i)
{
	int64_t a = s_total(s, i, 0), b = s->sides > 1 ? s_total(s, i, 1) : 0;

	return a > b ? a : b;
}

static void src_release(struct src *s)
{
	free(s->sid_name);
	free(s->c);
	free(s->cname_out);
	names_release(&s->cnames);
	names_release(&s->names);
}

static int src_init_tree(struct src *s, const struct tree *t, uint32_t type)
{
	uint32_t i;

	memset(s, 0, sizeof(*s));
	if (type >= t->ntypes)
		return err_set(ERR_USAGE, "no sample type %u", type);
	s->t = t;
	s->type = type;
	s->n = t->n;
	s->sides = 1;
	arena_init(&s->names.arena);
	arena_init(&s->cnames.arena);
	if (!(s->sid_name = malloc((t->prof->nstrs + 1) * sizeof(*s->sid_name))))
		return err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i <= t->prof->nstrs; i++)
		s->sid_name[i] = NONE;
	for (i = 0; i < t->n; i++)
		if (tree_self(t, i, type) < 0)
			return err_set(ERR_UNSUPPORTED, "the profile has negative values: no flame "
							"graph can show them");
	return hmap_init(&s->names.map, 1024);
}

/*
 * The union of trees a (left) and b (right), their types ta and tb: a co-walk of both
 * preorders merging children by name.
 */
struct cw_frame {
	uint32_t c;       /* the union node */
	uint32_t ka, kb;  /* next child of each side's node, or NONE */
	uint32_t na, nb;  /* each side's node, or NONE */
};

static uint32_t kid_of(const struct tree *t, uint32_t n)
{
	return n == NONE ? NONE : tree_first_kid(t, n);
}

static int name_cmp(const struct tree *a, uint32_t x, const struct tree *b, uint32_t y)
{
	size_t lx = prof_strlen(a->prof, a->name[x]), ly = prof_strlen(b->prof, b->name[y]);
	int r = memcmp(prof_str(a->prof, a->name[x]), prof_str(b->prof, b->name[y]),
		       lx < ly ? lx : ly);

	return r ? r : (lx > ly) - (lx < ly);
}

static int src_init_union(struct src *s, const struct tree *a, uint32_t ta, const struct tree *b,
			  uint32_t tb)
{
	struct cw_frame *st = NULL;
	size_t cap_st = 0, nst = 0, cap_c = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	s->sides = 2;
	arena_init(&s->names.arena);
	arena_init(&s->cnames.arena);
	if ((rc = hmap_init(&s->names.map, 1024)) || (rc = hmap_init(&s->cnames.map, 1024)) ||
	    (rc = vec_reserve(&s->c, &cap_c, 1)) || (rc = vec_reserve(&st, &cap_st, 1)) ||
	    (rc = names_intern(&s->cnames, "total", 5, &s->c[0].name)))
		goto done;
	s->c[0].total[0] = tree_total(a, 0, ta);
	s->c[0].self[0] = tree_self(a, 0, ta);
	s->c[0].total[1] = tree_total(b, 0, tb);
	s->c[0].self[1] = tree_self(b, 0, tb);
	s->n = 1;
	st[nst++] = (struct cw_frame){ 0, kid_of(a, 0), kid_of(b, 0), 0, 0 };
	while (nst) {
		struct cw_frame *f = &st[nst - 1];
		uint32_t x = f->ka, y = f->kb, c;
		int cmp;
		struct cnode *cn;

		if (x == NONE && y == NONE) {
			s->c[f->c].size = s->n - f->c;
			nst--;
			continue;
		}
		cmp = x == NONE ? 1 : y == NONE ? -1 : name_cmp(a, x, b, y);
		if (cmp > 0)
			x = NONE;
		if (cmp < 0)
			y = NONE;
		if (x != NONE)
			f->ka = tree_next_kid(a, f->na, x);
		if (y != NONE)
			f->kb = tree_next_kid(b, f->nb, y);
		if (s->n >= UINT32_MAX - 2) {
			rc = err_set(ERR_TOOBIG, "the diff has too many nodes");
			goto done;
		}
		if ((rc = vec_reserve(&s->c, &cap_c, (size_t)s->n + 1)))
			goto done;
		c = s->n++;
		cn = &s->c[c];
		memset(cn, 0, sizeof(*cn));
		if (x != NONE) {
			cn->total[0] = tree_total(a, x, ta);
			cn->self[0] = tree_self(a, x, ta);
			rc = names_intern(&s->cnames, prof_str(a->prof, a->name[x]),
					  prof_strlen(a->prof, a->name[x]), &cn->name);
		} else {
			rc = names_intern(&s->cnames, prof_str(b->prof, b->name[y]),
					  prof_strlen(b->prof, b->name[y]), &cn->name);
		}
		if (rc)
			goto done;
		if (y != NONE) {
			cn->total[1] = tree_total(b, y, tb);
			cn->self[1] = tree_self(b, y, tb);
		}
		if (cn->self[0] < 0 || cn->self[1] < 0) {
			rc = err_set(ERR_UNSUPPORTED,
				     "%s profile has negative values: no flame graph "
				     "can show them",
				     cn->self[0] < 0 ? "the left" : "the right");
			goto done;
		}
		if ((rc = vec_reserve(&st, &cap_st, nst + 1)))
			goto done;
		st[nst++] = (struct cw_frame){ c, kid_of(a, x), kid_of(b, y), x, y };
	}
	if (!(s->cname_out = malloc(s->cnames.n * sizeof(*s->cname_out)))) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	memset(s->cname_out, 0xff, s->cnames.n * sizeof(*s->cname_out));  /* NONE */
done:
	free(st);
	return rc;
}

/* ---- minValue ---- */

static void swap64(int64_t *a, int64_t *b)
{
	int64_t t = *a;

	*a = *b;
	*b = t;
}

/* The k-th largest (0-based) of v[0..n), n > k; v is reordered. */
static int64_t kth_largest(int64_t *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, i = lo, j = hi;
		int64_t pivot;

		/* median of three, descending */
		if (v[mid] > v[lo])
			swap64(&v[mid], &v[lo]);
		if (v[hi] > v[lo])
			swap64(&v[hi], &v[lo]);
		if (v[hi] > v[mid])
			swap64(&v[hi], &v[mid]);
		pivot = v[mid];
		while (i <= j) {
			while (v[i] > pivot)
				i++;
			while (v[j] < pivot)
				j--;
			if (i <= j) {
				swap64(&v[i], &v[j]);
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return v[k];
	}
	return v[k];
}

/* Nodes below the returned total are folded (0: none). */
static int min_value(const struct src *s, int64_t max_nodes, int64_t *out)
{
	int64_t *v;
	size_t n = 0;
	uint32_t i;

	*out = 0;
	if (max_nodes <= 0)
		return 0;
	/* a diff counts its root, as Pyroscope's does; a single graph does not */
	if (!(v = malloc(((size_t)s->n + 1) * sizeof(*v))))
		return err_set(ERR_NOMEM, "out of memory");
	for (i = s->sides > 1 ? 0 : 1; i < s->n; i++) {
		int64_t k = s_key(s, i);

		if (k > 0)
			v[n++] = k;
	}
	if (n > (uint64_t)max_nodes)
		*out = kth_largest(v, n, (size_t)max_nodes - 1);
	free(v);
	return 0;
}

/* ---- the walk ---- */

struct frame {
	uint32_t node;   /* NONE: an "other" node */
	uint32_t level;
	int64_t x[2];
	int64_t other[2];
};

struct kid {
	uint32_t node;
	int64_t x[2];
};

struct walk {
	struct src *s;
	int64_t min;
	struct frame *st;
	size_t nst, cap_st;
	struct kid *kids;
	size_t nkids, cap_kids;
	int64_t other[2];
	bool truncated;
};

static bool any_ge(const struct src *s, uint32_t i, int64_t min)
{
	unsigned side;

	for (side = 0; side < s->sides; side++)
		if (s_total(s, i, side) >= min && s_total(s, i, side) > 0)
			return true;
	return false;
}

/* The children of f's node to show (w->kids, with their x) and what is folded. */
static int walk_kids(struct walk *w, const struct frame *f, const int64_t *self)
{
	struct src *s = w->s;
	int64_t cx[2] = { 0, 0 };
	uint32_t k;
	unsigned side;
	int rc;

	w->nkids = 0;
	w->other[0] = w->other[1] = 0;
	for (side = 0; side < s->sides; side++)
		cx[side] = f->x[side] + self[side];
	for (k = s_next_kid(s, f->node, NONE); k != NONE; k = s_next_kid(s, f->node, k)) {
		bool empty = true;

		for (side = 0; side < s->sides; side++)
			empty = empty && s_total(s, k, side) == 0;
		if (empty)
			continue;
		if (!s_is_other(s, k) && any_ge(s, k, w->min)) {
			if ((rc = vec_reserve(&w->kids, &w->cap_kids, w->nkids + 1)))
				return rc;
			w->kids[w->nkids].node = k;
			for (side = 0; side < s->sides; side++) {
				w->kids[w->nkids].x[side] = cx[side];
				cx[side] += s_total(s, k, side);
			}
			w->nkids++;
		} else {
			for (side = 0; side < s->sides; side++)
				w->other[side] += s_total(s, k, side);
			w->truncated = true;
		}
	}
	if (w->other[0] || w->other[1]) {
		/* the "other" node goes last, so it is pushed first */
		if ((rc = vec_reserve(&w->st, &w->cap_st, w->nst + 1)))
			return rc;
		w->st[w->nst++] = (struct frame){ NONE, f->level + 1, { cx[0], cx[1] },
						  { w->other[0], w->other[1] } };
	}
	if ((rc = vec_reserve(&w->st, &w->cap_st, w->nst + w->nkids)))
		return rc;
	for (k = (uint32_t)w->nkids; k-- > 0;)
		w->st[w->nst++] = (struct frame){ w->kids[k].node, f->level + 1,
						  { w->kids[k].x[0], w->kids[k].x[1] }, { 0, 0 } };
	return 0;
}

static void walk_release(struct walk *w)
{
	free(w->st);
	free(w->kids);
}

static int level_add(struct flamebearer *fb, uint32_t level, const int64_t *g, unsigned n)
{
	struct fb_level *l;
	size_t cap = fb->nlevels;
	int rc;

	if (level >= fb->nlevels) {
		if ((rc = vec_reserve(&fb->levels, &cap, (size_t)level + 1)))
			return rc;
		memset(fb->levels + fb->nlevels, 0,
		       (level + 1 - fb->nlevels) * sizeof(*fb->levels));
		fb->nlevels = level + 1;
	}
	l = &fb->levels[level];
	if ((rc = vec_reserve(&l->v, &l->cap, l->n + n)))
		return rc;
	memcpy(l->v + l->n, g, n * sizeof(*g));
	l->n += n;
	return 0;
}

static int build(struct src *s, int64_t max_nodes, struct flamebearer *out)
{
	struct walk w = { 0 };
	uint32_t d, name, other_name = NONE;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	out->width = s->sides > 1 ? 7 : 4;
	w.s = s;
	/*
	 * Each side's total fits in int64 (the builder refuses sums past 2^63), but a diff's
	 * `total` is left + right: refused like those sums rather than wrapped
	 */
	if (s->sides > 1 && s_total(s, 0, 1) > INT64_MAX - s_total(s, 0, 0)) {
		rc = err_set(ERR_TOOBIG, "diff: the left and right totals (%lld and %lld) add up "
					 "past 2^63",
			     (long long)s_total(s, 0, 0), (long long)s_total(s, 0, 1));
		goto done;
	}
	if ((rc = min_value(s, max_nodes, &w.min)) || (rc = vec_reserve(&w.st, &w.cap_st, 1)))
		goto done;
	w.st[w.nst++] = (struct frame){ 0, 0, { 0, 0 }, { 0, 0 } };
	while (w.nst) {
		struct frame f = w.st[--w.nst];
		int64_t g[7], self[2] = { 0, 0 }, total[2] = { 0, 0 };
		unsigned side, k = 0;

		for (side = 0; side < s->sides; side++) {
			self[side] = f.node == NONE ? f.other[side] : s_self(s, f.node, side);
			total[side] = f.node == NONE ? f.other[side] : s_total(s, f.node, side);
			g[k++] = f.x[side];
			g[k++] = total[side];
			g[k++] = self[side];
			if (self[side] > out->max_self)
				out->max_self = self[side];
		}
		if (f.node == NONE) {
			if (other_name == NONE &&
			    (rc = names_intern(&s->names, FLAMEBEARER_OTHER, 5, &other_name)))
				goto done;
			name = other_name;
		} else if ((rc = s_name(s, f.node, &name))) {
			goto done;
		}
		g[k++] = name;
		if ((rc = level_add(out, f.level, g, k)))
			goto done;
		if (f.node != NONE && (rc = walk_kids(&w, &f, self)))
			goto done;
	}
	/* delta-encode x per side */
	for (d = 0; d < out->nlevels; d++) {
		struct fb_level *l = &out->levels[d];
		unsigned side;

		for (side = 0; side < s->sides; side++) {
			int64_t prev = 0;

			for (i = side * 3; i < l->n; i += out->width) {
				int64_t x = l->v[i];

				l->v[i] = x - prev;
				prev = x + l->v[i + 1];
			}
		}
	}
	if ((rc = names_finish(&s->names)))
		goto done;
	out->truncated = w.truncated;
	out->total = s_total(s, 0, 0) + (s->sides > 1 ? s_total(s, 0, 1) : 0);
	if (s->sides > 1) {
		out->left_ticks = s_total(s, 0, 0);
		out->right_ticks = s_total(s, 0, 1);
	}
	/* the names table moves into the result */
	out->names = s->names.v;
	out->name_lens = s->names.len;
	out->nnames = (uint32_t)s->names.n;
	s->names.v = NULL;
	s->names.len = NULL;
	if (!(out->priv = malloc(sizeof(struct arena)))) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	*(struct arena *)out->priv = s->names.arena;
	arena_init(&s->names.arena);
done:
	walk_release(&w);
	if (rc)
		flamebearer_release(out);
	return rc;
}

int flamebearer_build(const struct tree *t, uint32_t type, int64_t max_nodes,
		      struct flamebearer *out)
{
	struct src s;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!(rc = src_init_tree(&s, t, type)))
		rc = build(&s, max_nodes, out);
	src_release(&s);
	return rc;
}

int flamebearer_build_diff(const struct prof *left, const struct prof *right, int64_t max_nodes,
			   struct flamebearer *out)
{
	struct tree *a = NULL, *b = NULL;
	struct src s;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = tree_build(left, &a)) || (rc = tree_build(right, &b)))
		goto done;
	if (!(rc = src_init_union(&s, a, left->default_type, b, right->default_type)))
		rc = build(&s, max_nodes, out);
	src_release(&s);
done:
	tree_free(a);
	tree_free(b);
	return rc;
}

void flamebearer_release(struct flamebearer *fb)
{
	uint32_t d;

	if (!fb)
		return;
	for (d = 0; d < fb->nlevels; d++)
		free(fb->levels[d].v);
	free(fb->levels);
	free(fb->names);
	free(fb->name_lens);
	if (fb->priv) {
		arena_release(fb->priv);
		free(fb->priv);
	}
	memset(fb, 0, sizeof(*fb));
}

/* ---- tree bytes ---- */

static int put_uvarint(struct buf *out, uint64_t v)
{
	char b[10];
	size_t n = 0;

	do {
		b[n++] = (char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	return buf_add(out, b, n);
}

int flamebearer_tree_bytes(const struct tree *t, uint32_t type, int64_t max_nodes,
			   struct buf *out)
{
	struct walk w = { 0 };
	struct src s;
	int rc;

	if ((rc = src_init_tree(&s, t, type)))
		goto done;
	w.s = &s;
	if (t->n <= 1 || tree_total(t, 0, type) == 0)
		goto done; /* an empty tree is no bytes, as upstream */
	if ((rc = min_value(&s, max_nodes, &w.min)) || (rc = vec_reserve(&w.st, &w.cap_st, 1)))
		goto done;
	w.st[w.nst++] = (struct frame){ 0, 0, { 0, 0 }, { 0, 0 } };
	while (w.nst) {
		struct frame f = w.st[--w.nst];
		int64_t self = f.node == NONE ? f.other[0] : s_self(&s, f.node, 0);
		const char *name = "";
		size_t len = 0;
		size_t before;

		if (f.node == NONE) {
			name = FLAMEBEARER_OTHER;
			len = 5;
		} else if (f.node != 0) {
			uint32_t idx;

			if ((rc = s_name(&s, f.node, &idx)))
				goto done;
			name = s.names.v[idx];
			len = s.names.len[idx];
		}
		if ((rc = put_uvarint(out, len)) || (rc = buf_add(out, name, len)) ||
		    (rc = put_uvarint(out, (uint64_t)self)))
			goto done;
		if (f.node == NONE) {
			rc = put_uvarint(out, 0);
			if (rc)
				goto done;
			continue;
		}
		before = w.nst;
		if ((rc = walk_kids(&w, &f, &self)) ||
		    (rc = put_uvarint(out, (uint64_t)(w.nst - before))))
			goto done;
	}
done:
	walk_release(&w);
	src_release(&s);
	return rc;
}

/* ---- levels → a profile ---- */

struct rd {
	const struct flamebearer *fb;
	unsigned sides;
	size_t n;           /* nodes */
	size_t *base;       /* first node of each level */
	uint32_t *parent;   /* ROOT for level 0, NONE for empty nodes */
	int64_t *X, *T;     /* combined x and total */
};

static int rd_fail(uint32_t level, size_t node, const char *what)
{
	return err_set(ERR_PARSE, "flame graph: level %u, node %zu: %s", level, node, what);
}

/* Absolute positions, checks, and each node's parent. */
static int rd_levels(struct rd *r)
{
	const struct flamebearer *fb = r->fb;
	unsigned W = fb->width, side;
	uint32_t d;
	size_t j;

	for (d = 0; d < fb->nlevels; d++) {
		const struct fb_level *l = &fb->levels[d];
		size_t cnt = l->n / W, b = r->base[d], p = 0;
		int64_t prev[2] = { 0, 0 };

		for (j = 0; j < cnt; j++) {
			const int64_t *g = l->v + j * W;
			int64_t X = 0, T = 0, end;

			if (g[W - 1] < 0 || (uint64_t)g[W - 1] >= fb->nnames)
				return rd_fail(d, j, "name index out of range");
			for (side = 0; side < r->sides; side++) {
				const int64_t *s = g + side * 3;
				int64_t x;

				if (s[0] < 0 || s[1] < 0 || s[2] < 0)
					return rd_fail(d, j, "negative value");
				if (s[2] > s[1])
					return rd_fail(d, j, "self larger than total");
				if (__builtin_add_overflow(s[0], prev[side], &x) ||
				    __builtin_add_overflow(x, s[1], &prev[side]) ||
				    __builtin_add_overflow(X, x, &X) ||
				    __builtin_add_overflow(T, s[1], &T))
					return rd_fail(d, j, "values overflow");
			}
			/* a diff's two sides each end in range, their sum may not: checked here,
			   every stored node's X + T is then safe to compute below */
			if (__builtin_add_overflow(X, T, &end))
				return rd_fail(d, j, "values overflow");
			r->X[b + j] = X;
			r->T[b + j] = T;
			if (d == 0) {
				r->parent[b + j] = ROOT;
				continue;
			}
			r->parent[b + j] = NONE;
			if (T == 0)
				continue;
			{
				size_t pb = r->base[d - 1], pn = r->base[d] - pb;

				while (p < pn && (r->T[pb + p] == 0 ||
						  r->X[pb + p] + r->T[pb + p] <= X))
					p++;
				if (p == pn || r->X[pb + p] > X ||
				    X + T > r->X[pb + p] + r->T[pb + p] ||
				    r->parent[pb + p] == NONE)
					return rd_fail(d, j,
						       "outside every node of the level above");
				r->parent[b + j] = (uint32_t)(pb + p);
			}
		}
	}
	return 0;
}

/* The index of the name "other" in fb's table, or NONE. */
static uint32_t other_index(const struct flamebearer *fb)
{
	uint32_t i;

	for (i = 0; i < fb->nnames; i++)
		if ((fb->name_lens ? fb->name_lens[i] : strlen(fb->names[i])) == 5 &&
		    memcmp(fb->names[i], FLAMEBEARER_OTHER, 5) == 0)
			return i;
	return NONE;
}

/*
 * Whether fb is folded as max_nodes asks (flamebearer.h): Pyroscope keeps the nodes whose
 * total (a diff: the larger side's) is at least the max_nodes-th largest, so fewer than
 * max_nodes kept nodes can be above the smallest total kept.  Nodes at that total (ties)
 * may be any number: those are bounded by the stack entries instead.
 */
static int check_folded(const struct rd *r, uint32_t max_nodes)
{
	const struct flamebearer *fb = r->fb;
	uint32_t other = other_index(fb), d;
	int64_t min = INT64_MAX;
	size_t above = 0, j;
	int pass;

	if (!max_nodes)
		return 0;
	for (pass = 0; pass < 2; pass++)
		for (d = 1; d < fb->nlevels; d++)
			for (j = r->base[d]; j < r->base[d + 1]; j++) {
				const int64_t *g = fb->levels[d].v + (j - r->base[d]) * fb->width;
				int64_t key = g[1];

				if (r->parent[j] == NONE || g[fb->width - 1] == (int64_t)other)
					continue;
				if (r->sides > 1 && g[4] > key)
					key = g[4];
				if (!pass && key < min)
					min = key;
				else if (pass && key > min)
					above++;
			}
	if (above >= max_nodes)
		return err_set(ERR_TOOBIG,
			       "flame graph: %zu nodes above its smallest total, for at most %u "
			       "nodes: not folded as asked",
			       above, max_nodes);
	return 0;
}

/*
 * The stack entries fb's samples take (a node with self > 0 is a sample per side, its
 * stack its depth), added to *entries, or ERR_TOOBIG past limit: a chain of D nodes
 * costs D^2/2 entries, so a small response could otherwise become a huge profile.
 */
static int count_entries(const struct rd *r, size_t limit, size_t *entries)
{
	const struct flamebearer *fb = r->fb;
	uint32_t d;
	size_t j;

	for (d = 1; d < fb->nlevels; d++)
		for (j = r->base[d]; j < r->base[d + 1]; j++) {
			const int64_t *g = fb->levels[d].v + (j - r->base[d]) * fb->width;
			size_t ns = (g[2] > 0) + (r->sides > 1 && g[5] > 0);

			if (r->parent[j] == NONE || !ns)
				continue;
			if (ns * d > limit - *entries)
				return err_set(ERR_TOOBIG,
					       "flame graph: its samples' stacks take more than %zu "
					       "entries (%u levels deep)",
					       limit, fb->nlevels);
			*entries += ns * d;
		}
	return 0;
}

/*
 * Adds fb's samples to b; *entries counts the stack entries made so far, which may not
 * pass limit.
 */
static int add_levels(struct prof_builder *b, const struct flamebearer *fb, uint32_t max_nodes,
		      size_t limit, size_t *entries)
{
	struct rd r = { fb, fb->width == 7 ? 2 : 1, 0, NULL, NULL, NULL, NULL };
	uint32_t *loc_of = NULL, *stack = NULL, d;
	size_t j, cap_stack = 0;
	int rc;

	if (fb->width != 4 && fb->width != 7)
		return err_set(ERR_PARSE, "flame graph: groups of %u values", fb->width);
	for (d = 0; d < fb->nlevels; d++) {
		if (fb->levels[d].n % fb->width)
			return err_set(ERR_PARSE,
				       "flame graph: level %u has %zu values, not a multiple "
				       "of %u",
				       d, fb->levels[d].n, fb->width);
		r.n += fb->levels[d].n / fb->width;
	}
	if (r.n >= ROOT)
		return err_set(ERR_TOOBIG, "flame graph: too many nodes");
	r.base = malloc(((size_t)fb->nlevels + 1) * sizeof(*r.base));
	r.parent = malloc((r.n + 1) * sizeof(*r.parent));
	r.X = malloc((r.n + 1) * sizeof(*r.X));
	r.T = malloc((r.n + 1) * sizeof(*r.T));
	loc_of = malloc(((size_t)fb->nnames + 1) * sizeof(*loc_of));
	if (!r.base || !r.parent || !r.X || !r.T || !loc_of) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	r.base[0] = 0;
	for (d = 0; d < fb->nlevels; d++)
		r.base[d + 1] = r.base[d] + fb->levels[d].n / fb->width;
	for (j = 0; j < fb->nnames; j++)
		loc_of[j] = NONE;
	if ((rc = rd_levels(&r)) || (rc = check_folded(&r, max_nodes)) ||
	    (rc = count_entries(&r, limit, entries)))
		goto done;
	for (d = 0; d < fb->nlevels; d++) {
		const struct fb_level *l = &fb->levels[d];

		for (j = 0; j < l->n / fb->width; j++) {
			const int64_t *g = l->v + j * fb->width;
			uint32_t node = (uint32_t)(r.base[d] + j), n = 0, k;
			int64_t vals[2][2] = { { 0, 0 }, { 0, 0 } };
			unsigned side, ns = 0;

			if (r.parent[node] == NONE)
				continue;
			/* a diff's right (new) side is type 0, its left (base) side type 1 */
			for (side = 0; side < r.sides; side++) {
				int64_t self = g[side * 3 + 2];

				if (self > 0)
					vals[ns++][r.sides > 1 ? 1 - side : 0] = self;
			}
			if (!ns)
				continue;
			/* up the parents, one level at a time: leaf first */
			for (k = node; r.parent[k] != ROOT; k = r.parent[k]) {
				uint32_t lvl = d - n;
				uint32_t name =
					(uint32_t)fb->levels[lvl]
						.v[(k - r.base[lvl]) * fb->width + fb->width - 1];

				if ((rc = vec_reserve(&stack, &cap_stack, (size_t)n + 1)))
					goto done;
				if (loc_of[name] == NONE &&
				    (rc = pb_named_frame(b, fb->names[name],
							 fb->name_lens ? fb->name_lens[name]
								       : strlen(fb->names[name]),
							 &loc_of[name])))
					goto done;
				stack[n++] = loc_of[name];
			}
			for (side = 0; side < ns; side++)
				if ((rc = pb_sample(b, stack, n, vals[side], NULL, 0)))
					goto done;
		}
	}
done:
	free(r.base);
	free(r.parent);
	free(r.X);
	free(r.T);
	free(loc_of);
	free(stack);
	return rc;
}

int flamebearer_to_prof(const struct flamebearer *fb, size_t n, const struct fb_prof_info *info,
			struct prof **out)
{
	struct prof_builder *b = NULL;
	uint32_t ty, un, pt, pu, d;
	size_t i, entries = 0, nodes = 0, limit;
	int rc;

	*out = NULL;
	for (i = 1; i < n; i++)
		if (fb[i].width != fb[0].width)
			return err_set(ERR_PARSE, "flame graphs of different widths");
	/* the stack entries allowed grow with the nodes sent, not with their square */
	for (i = 0; i < n; i++)
		for (d = 0; fb[i].width && d < fb[i].nlevels; d++)
			nodes += fb[i].levels[d].n / fb[i].width;
	limit = nodes < FLAMEBEARER_MAX_STACK_ENTRIES / FLAMEBEARER_ENTRIES_PER_NODE ?
			nodes * FLAMEBEARER_ENTRIES_PER_NODE : FLAMEBEARER_MAX_STACK_ENTRIES;
	if (limit < FLAMEBEARER_MIN_STACK_ENTRIES)
		limit = FLAMEBEARER_MIN_STACK_ENTRIES;
	if ((rc = pb_new(&b)) ||
	    (rc = pb_string(b, info->sample_type, strlen(info->sample_type), &ty)) ||
	    (rc = pb_string(b, info->sample_unit, strlen(info->sample_unit), &un)) ||
	    (rc = pb_string(b, info->period_type, strlen(info->period_type), &pt)) ||
	    (rc = pb_string(b, info->period_unit, strlen(info->period_unit), &pu)) ||
	    (rc = pb_sample_type(b, ty, un)) ||
	    (n && fb[0].width == 7 && (rc = pb_sample_type(b, ty, un))))
		goto done;
	pb_set_period(b, pt, pu, 0);
	pb_set_times(b, info->time_ns, info->duration_ns);
	for (i = 0; i < n; i++)
		if ((rc = add_levels(b, &fb[i], info->max_nodes, limit, &entries)))
			goto done;
	rc = pb_finish(b, out);
	b = NULL;
done:
	pb_free(b);
	return rc;
}

bool flamebearer_has_other(const struct flamebearer *fb)
{
	uint32_t d, other = other_index(fb);
	size_t j;

	for (d = 1; other != NONE && d < fb->nlevels; d++)
		for (j = fb->width - 1; fb->width && j < fb->levels[d].n; j += fb->width)
			if (fb->levels[d].v[j] == (int64_t)other)
				return true;
	return false;
}

/* ---- stack_trace_selector ---- */

/* Whether sample i's stack starts, root first, with names[0..n). */
static bool starts_with(const struct prof *p, uint32_t i, const char *const *names, size_t n)
{
	const struct prof_sample *s = &p->samples[i];
	size_t k = 0;
	uint32_t j;

	for (j = s->nlocs; j-- > 0 && k < n;) {
		const struct prof_location *l = &p->locations[p->sample_locs[s->loc_off + j]];
		uint32_t m;

		for (m = l->nlines; m-- > 0 && k < n; k++) {
			uint32_t name = p->functions[p->lines[l->line_off + m].func].name;

			if (prof_strlen(p, name) != strlen(names[k]) ||
			    memcmp(prof_str(p, name), names[k], prof_strlen(p, name)) != 0)
				return false;
		}
	}
	return k == n;
}

int flamebearer_call_site(const struct prof *p, const char *const *names, size_t n,
			  struct prof **out)
{
	struct prof_builder *b = NULL;
	uint32_t i;
	int rc;

	*out = NULL;
	if ((rc = pb_new(&b)) || (rc = pb_copy_header(b, p, true)))
		goto done;
	if ((rc = pb_copy_locations(b, p)))
		goto done;
	for (i = 0; i < p->nsamples; i++)
		if ((!n || starts_with(p, i, names, n)) && (rc = pb_copy_sample(b, p, i)))
			goto done;
	rc = pb_finish(b, out);
	b = NULL;
done:
	pb_free(b);
	return rc;
}
