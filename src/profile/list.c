/*
 * list.c — per-line flat and cum (list.h).
 *
 * Each (function index, line) key gets an entry; entries are grouped into routines by
 * (function name, file).  One pass over the samples: the leaf frame adds flat; every
 * frame of a selected function adds cum, once per sample (a stamp per entry and per
 * routine remembers the last sample that counted).  Routines are found by a hash of
 * (name, file), so the cost grows with the matched functions, not with their square.
 * A routine's file is the one pprof shows: names that trim and clean to one
 * (granularity_file_name: "/proc/self/cwd/pkg/a.go", "pkg//a.go", "pkg/a.go") are one
 * file, held by the first of their string ids seen.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "list.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/hmap.h"
#include "base/vec.h"
#include "granularity.h"
#include "search.h"

struct entry {
	uint32_t routine;
	int64_t line, flat, cum;
	uint32_t stamp;  /* sample index + 1 that last added cum */
};

struct lctx {
	const struct prof *p;
	uint32_t *fn_routine;   /* per function: routine index, or UINT32_MAX */
	struct list_routine *r;
	uint32_t *r_stamp;
	size_t rcap;
	uint32_t nr;
	struct hmap rmap;       /* (name, file) -> routine */
	struct hmap map;        /* (routine, line) -> entry */
	struct hmap fmap;       /* file string id -> the id holding its shown name */
	struct hmap smap;       /* hash of a shown file name -> its id (probed on collisions) */
	struct buf fa, fb;      /* shown file names, compared */
	struct entry *e;
	size_t ecap;
	uint32_t ne;
};

static int cmp_str(const struct prof *p, uint32_t x, uint32_t y)
{
	size_t lx = prof_strlen(p, x), ly = prof_strlen(p, y);
	int r = memcmp(prof_str(p, x), prof_str(p, y), lx < ly ? lx : ly);

	return r ? r : lx < ly ? -1 : lx > ly;
}

/* The shown name of file string id `file`, into b (reset first). */
static int shown_file(const struct prof *p, uint32_t file, struct buf *b)
{
	buf_reset(b);
	return granularity_file_name(b, prof_str(p, file), prof_strlen(p, file));
}

/*
 * The string id that stands for `file` in routines: the first one seen whose shown name
 * is file's.  An empty file stays itself (pprof cleans only names it has).
 */
static int file_of(struct lctx *c, uint32_t file, uint32_t *out)
{
	const struct prof *p = c->p;
	uint64_t key = 14695981039346656037ULL;  /* FNV-1a */
	uint32_t id;
	size_t i;
	int rc;

	*out = file;
	if (prof_strlen(p, file) == 0 || hmap_get(&c->fmap, file, out))
		return 0;
	if ((rc = shown_file(p, file, &c->fa)))
		return rc;
	for (i = 0; i < c->fa.len; i++)
		key = (key ^ (unsigned char)c->fa.data[i]) * 1099511628211ULL;
	for (key = hmap_mix(key);; key = hmap_mix(key + 1)) {
		if (key == HMAP_EMPTY)
			key = 0;
		if ((rc = hmap_intern(&c->smap, key, file, &id)) < 0)
			return rc;
		if (rc == 0 || id == file)
			break;
		if ((rc = shown_file(p, id, &c->fb)))
			return rc;
		if (c->fb.len == c->fa.len && memcmp(c->fb.data, c->fa.data, c->fa.len) == 0)
			break;
	}
	*out = id;
	return hmap_put(&c->fmap, file, id);
}

/* The routine of (name, shown file), made on first use. */
static int routine_of(struct lctx *c, uint32_t fn, uint32_t *out)
{
	const struct prof_function *f = &c->p->functions[fn];
	uint64_t key;
	uint32_t i, file;
	int rc;

	if ((rc = file_of(c, f->file, &file)))
		return rc;
	/* string ids are below nstrs <= UINT32_MAX, so the key is never HMAP_EMPTY */
	key = (uint64_t)f->name << 32 | file;

	if ((rc = hmap_intern(&c->rmap, key, c->nr, &i)) < 0)
		return rc;
	if (rc == 0) {
		size_t scap = c->rcap;

		if ((rc = vec_reserve(&c->r, &c->rcap, (size_t)c->nr + 1)))
			return rc;
		c->rcap = scap;
		if ((rc = vec_reserve(&c->r_stamp, &c->rcap, (size_t)c->nr + 1)))
			return rc;
		memset(&c->r[i], 0, sizeof(c->r[i]));
		c->r[i].name = f->name;
		c->r[i].file = file;
		c->r[i].start_line = f->start_line;
		c->r_stamp[i] = 0;
		c->nr++;
	}
	if (c->r[i].start_line == 0)
		c->r[i].start_line = f->start_line;
	*out = i;
	return 0;
}

static int entry_of(struct lctx *c, uint32_t routine, int64_t line, uint32_t *out)
{
	uint64_t key = hmap_mix(((uint64_t)routine << 40) ^ (uint64_t)line);
	uint32_t id;
	int rc;

	for (;;) {
		if (key == HMAP_EMPTY)
			key = 0;
		if ((rc = hmap_intern(&c->map, key, c->ne, &id)) < 0)
			return rc;
		if (rc == 0)
			break; /* new: id == c->ne */
		if (c->e[id].routine == routine && c->e[id].line == line)
			break;
		key = hmap_mix(key + 1);
	}
	if (id == c->ne) {
		if ((rc = vec_reserve(&c->e, &c->ecap, (size_t)c->ne + 1)))
			return rc;
		c->e[id] = (struct entry){ routine, line, 0, 0, 0 };
		c->ne++;
	}
	*out = id;
	return 0;
}

/*
 * The sum of r's lines' cum, held at INT64_MAX / INT64_MIN when it does not fit.  Every
 * other sum here adds a sample at most once, and the builder keeps those in range; this
 * one adds a recursive sample once per line it passes through, so it is summed in 128
 * bits (each of at most 2^32 terms is below 2^63 in magnitude) and clamped once.
 */
static int64_t cum_lines(const struct list_routine *r)
{
	__extension__ __int128 sum = 0;
	uint32_t i;

	for (i = 0; i < r->nlines; i++)
		sum += r->lines[i].cum;
	return sum > INT64_MAX ? INT64_MAX : sum < INT64_MIN ? INT64_MIN : (int64_t)sum;
}

static int cmp_lines(const void *a, const void *b)
{
	const struct list_line *x = a, *y = b;

	return x->line < y->line ? -1 : x->line > y->line;
}

/* By name, then by shown file (by the file ids' strings if memory runs short). */
static int cmp_routines(const void *a, const void *b, void *arg)
{
	const struct list_routine *x = a, *y = b;
	struct lctx *c = arg;
	size_t n;
	int r = cmp_str(c->p, x->name, y->name);

	if (r || x->file == y->file)
		return r;
	if (shown_file(c->p, x->file, &c->fa) || shown_file(c->p, y->file, &c->fb))
		return cmp_str(c->p, x->file, y->file);
	n = c->fa.len < c->fb.len ? c->fa.len : c->fb.len;
	r = n ? memcmp(c->fa.data, c->fb.data, n) : 0;
	return r ? r : c->fa.len < c->fb.len ? -1 : c->fa.len > c->fb.len;
}

/* fn_routine must be set for the selected functions (others UINT32_MAX). */
static int run(struct lctx *c, uint32_t type, struct list *out)
{
	const struct prof *p = c->p;
	uint32_t i, j, k;
	int rc;

	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];
		int64_t v = prof_value(p, i, type);
		bool leaf = true;

		if (v == 0)
			continue;
		for (j = 0; j < s->nlocs; j++) {
			const struct prof_location *l = &p->locations[p->sample_locs[s->loc_off + j]];

			for (k = 0; k < l->nlines; k++, leaf = false) {
				const struct prof_line *ln = &p->lines[l->line_off + k];
				uint32_t r = c->fn_routine[ln->func], id;

				if (r == UINT32_MAX || l->unsymbolized)
					continue;
				if ((rc = entry_of(c, r, ln->line, &id)))
					return rc;
				if (leaf) {
					c->e[id].flat += v;
					c->r[r].flat += v;
				}
				if (c->e[id].stamp != i + 1) {
					c->e[id].stamp = i + 1;
					c->e[id].cum += v;
				}
				if (c->r_stamp[r] != i + 1) {
					c->r_stamp[r] = i + 1;
					c->r[r].cum += v;
				}
			}
		}
	}
	/* entries into their routines' line arrays */
	for (i = 0; i < c->ne; i++)
		c->r[c->e[i].routine].nlines++;
	for (i = 0; i < c->nr; i++) {
		c->r[i].lines = calloc(c->r[i].nlines ? c->r[i].nlines : 1, sizeof(struct list_line));
		if (!c->r[i].lines)
			return err_set(ERR_NOMEM, "out of memory");
		c->r[i].nlines = 0;
	}
	for (i = 0; i < c->ne; i++) {
		struct list_routine *r = &c->r[c->e[i].routine];

		r->lines[r->nlines++] = (struct list_line){ c->e[i].line, c->e[i].flat, c->e[i].cum };
	}
	/* pprof lists routines with samples only */
	for (i = 0, k = 0; i < c->nr; i++) {
		if (c->r[i].nlines == 0) {
			free(c->r[i].lines);
			continue;
		}
		qsort(c->r[i].lines, c->r[i].nlines, sizeof(struct list_line), cmp_lines);
		c->r[i].cum_lines = cum_lines(&c->r[i]);
		c->r[k++] = c->r[i];
	}
	c->nr = k;
	if (c->nr > 1) /* no routine: c->r may be NULL, which qsort_r must not get */
		qsort_r(c->r, c->nr, sizeof(*c->r), cmp_routines, c);
	out->r = c->r;
	out->n = c->nr;
	out->total = prof_total_abs(p, type);
	c->r = NULL;
	c->nr = 0;
	return 0;
}

static void ctx_release(struct lctx *c)
{
	uint32_t i;

	for (i = 0; c->r && i < c->nr; i++)
		free(c->r[i].lines);
	free(c->r);
	free(c->r_stamp);
	free(c->fn_routine);
	free(c->e);
	hmap_release(&c->rmap);
	hmap_release(&c->map);
	hmap_release(&c->fmap);
	hmap_release(&c->smap);
	buf_release(&c->fa);
	buf_release(&c->fb);
}

/*
 * What compute() lists: the functions whose name `re` (compiled by search_compile() from
 * the RE2 text `regex`) matches; else (re NULL) those sel marks, when sel is set; else
 * those whose name is the string `name`.
 */
struct pick {
	const void *re;
	const char *regex;
	const uint8_t *sel;
	uint32_t name;
};

/*
 * Selects the functions `pick` says and computes.  A name the regex cannot decide
 * (search_regex_test: PCRE2 and its DFA both give up) fails the call; it is never taken
 * for a non-match.
 */
static int compute(const struct prof *p, uint32_t type, const struct pick *pk, struct list *out)
{
	struct lctx c = { .p = p };
	pcre2_match_data *md = NULL;
	uint32_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (type >= p->ntypes)
		return err_set(ERR_USAGE, "no sample type %u", type);
	c.fn_routine = malloc(((size_t)p->nfunctions + 1) * sizeof(*c.fn_routine));
	if (!c.fn_routine || (rc = hmap_init(&c.map, 256)) || (rc = hmap_init(&c.rmap, 256)) ||
	    (rc = hmap_init(&c.fmap, 64)) || (rc = hmap_init(&c.smap, 64))) {
		free(c.fn_routine);
		hmap_release(&c.map);
		hmap_release(&c.rmap);
		hmap_release(&c.fmap);
		return err_set(ERR_NOMEM, "out of memory");
	}
	if (pk->re && !(md = pcre2_match_data_create_from_pattern(pk->re, NULL))) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < p->nfunctions; i++) {
		uint32_t fname = p->functions[i].name;
		int hit = pk->re ? search_regex_test(pk->re, md, pk->regex, prof_str(p, fname),
						     prof_strlen(p, fname)) :
			  pk->sel ? pk->sel[i] != 0 :
				    fname == pk->name;

		c.fn_routine[i] = UINT32_MAX;
		if (hit < 0) {
			rc = hit;
			goto done;
		}
		if (hit && (rc = routine_of(&c, i, &c.fn_routine[i])))
			goto done;
	}
	rc = run(&c, type, out);
done:
	pcre2_match_data_free(md);
	ctx_release(&c);
	return rc;
}

int list_compute(const struct prof *p, uint32_t type, const char *regex, struct list *out)
{
	struct search s;
	int rc;

	/*
	 * search's compilation, so a name holding invalid UTF-8 is matched as Go's regexp
	 * (pprof, peek, --focus) matches it: each invalid byte read as U+FFFD
	 */
	memset(out, 0, sizeof(*out));
	if ((rc = search_compile(&s, regex)))
		return rc;
	rc = compute(p, type, &(struct pick){ .re = s.code, .regex = s.pattern }, out);
	search_release(&s);
	return rc;
}

int list_function(const struct prof *p, uint32_t type, uint32_t name, struct list *out)
{
	return compute(p, type, &(struct pick){ .name = name }, out);
}

int list_select(const struct prof *p, uint32_t type, const uint8_t *sel, struct list *out)
{
	return compute(p, type, &(struct pick){ .sel = sel }, out);
}

uint32_t list_first_numbered(const struct list_routine *r)
{
	uint32_t k = 0;

	while (k < r->nlines && r->lines[k].line <= 0)
		k++;
	return k;
}

void list_release(struct list *l)
{
	uint32_t i;

	for (i = 0; i < l->n; i++)
		free(l->r[i].lines);
	free(l->r);
	memset(l, 0, sizeof(*l));
}
