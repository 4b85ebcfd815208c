/*
 * filter.c — pprof's focus / ignore / hide / show / show_from / tagfocus / tagignore
 * (filter.h).
 *
 * Regexes are tried once per distinct string (function names and files are interned),
 * then every location gets its verdicts and its kept lines; samples are rebuilt through
 * the builder with the kept locations.  Strings, mappings and functions keep their
 * indices (they are copied in order), so names in the result compare by id.
 *
 * The cancel flag (filter_opts.cancel) is read once per CANCEL_EVERY units of work: a
 * location or a sample is one unit, a regex run a whole CANCEL_EVERY (one may backtrack
 * for long; next to one, reading an atomic costs nothing).
 */
#include "filter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "builder.h"
#include "search.h"

#define CANCEL_EVERY 4096

/* One name regex with a per-string cache: 0 unknown, 1 no, 2 yes. */
struct rx {
	struct search s;
	uint8_t *hit;
	uint32_t *work;  /* the filter's work since its last look at the cancel flag */
	bool set;
};

static int rx_init(struct rx *r, const char *pat, const char *what, uint32_t nstrs,
		   uint32_t *work)
{
	memset(r, 0, sizeof(*r));
	r->work = work;
	if (!pat || !*pat)
		return 0;
	if (search_compile(&r->s, pat))
		return err_prefix(ERR_PARSE, "%s", what);
	r->hit = calloc(nstrs ? nstrs : 1, 1);
	if (!r->hit)
		return err_set(ERR_NOMEM, "out of memory");
	r->set = true;
	return 0;
}

static void rx_release(struct rx *r)
{
	if (r->set)
		search_release(&r->s);
	free(r->hit);
}

static bool rx_str(struct rx *r, const struct prof *p, uint32_t id)
{
	if (!r->hit[id]) {
		r->hit[id] = search_match(&r->s, prof_str(p, id), prof_strlen(p, id)) ? 2 : 1;
		*r->work += CANCEL_EVERY;
	}
	return r->hit[id] == 2;
}

/* pprof matches a line's function name or file name. */
static bool rx_line(struct rx *r, const struct prof *p, const struct prof_line *l)
{
	const struct prof_function *f = &p->functions[l->func];

	return rx_str(r, p, f->name) || (f->file && rx_str(r, p, f->file));
}

static bool rx_mapping(struct rx *r, const struct prof *p, const struct prof_location *l)
{
	return l->mapping != PROF_NONE && p->mappings[l->mapping].file &&
	       rx_str(r, p, p->mappings[l->mapping].file);
}

/* Any line (or the mapping) of a location matches. */
static bool rx_location(struct rx *r, const struct prof *p, const struct prof_location *l)
{
	uint32_t k;

	if (!l->unsymbolized)
		for (k = 0; k < l->nlines; k++)
			if (rx_line(r, p, &p->lines[l->line_off + k]))
				return true;
	return rx_mapping(r, p, l);
}

/* ---- tag filters ---- */

enum ukind { U_NONE, U_BYTES, U_TIME };

static bool unit_of(const char *u, enum ukind *kind, double *scale)
{
	static const struct {
		const char *name;
		enum ukind kind;
		double scale;
	} tab[] = {
		{ "b", U_BYTES, 1 },		 { "byte", U_BYTES, 1 },
		{ "bytes", U_BYTES, 1 },	 { "kb", U_BYTES, 1024.0 },
		{ "kib", U_BYTES, 1024.0 },	 { "kilobytes", U_BYTES, 1024.0 },
		{ "mb", U_BYTES, 1048576.0 },	 { "mib", U_BYTES, 1048576.0 },
		{ "megabytes", U_BYTES, 1048576.0 }, { "gb", U_BYTES, 1073741824.0 },
		{ "gib", U_BYTES, 1073741824.0 }, { "tb", U_BYTES, 1099511627776.0 },
		{ "ns", U_TIME, 1 },		 { "nanoseconds", U_TIME, 1 },
		{ "us", U_TIME, 1e3 },		 { "microseconds", U_TIME, 1e3 },
		{ "ms", U_TIME, 1e6 },		 { "milliseconds", U_TIME, 1e6 },
		{ "s", U_TIME, 1e9 },		 { "sec", U_TIME, 1e9 },
		{ "seconds", U_TIME, 1e9 },	 { "m", U_TIME, 60e9 },
		{ "min", U_TIME, 60e9 },	 { "minutes", U_TIME, 60e9 },
		{ "h", U_TIME, 3600e9 },	 { "hour", U_TIME, 3600e9 },
		{ "hours", U_TIME, 3600e9 },
	};
	size_t i;

	*kind = U_NONE;
	*scale = 1;
	if (!*u)
		return true;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (strcasecmp(u, tab[i].name) == 0) {
			*kind = tab[i].kind;
			*scale = tab[i].scale;
			return true;
		}
	}
	return false;
}

/* "12kb" → 12288 bytes; *kind says which unit family. */
static bool parse_quantity(const char *s, size_t n, double *v, enum ukind *kind)
{
	char buf[64], *end;
	double scale;

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*v = strtod(buf, &end);
	if (end == buf || !isfinite(*v) || !unit_of(end, kind, &scale))
		return false;
	*v *= scale;
	return true;
}

struct tagf {
	bool set, numeric, has_key, key_found;
	uint32_t key;
	double lo, hi;
	bool has_lo, has_hi;
	enum ukind kind;
	struct search *rx;
	size_t nrx;
	char *kv;  /* room for the longest "key:value" of the profile (without a key) */
};

static void tagf_release(struct tagf *t)
{
	size_t i;

	for (i = 0; i < t->nrx; i++)
		search_release(&t->rx[i]);
	free(t->rx);
	free(t->kv);
}

/* Room for the profile's longest "key:value", which a regex without a key matches. */
static int tagf_kv_init(struct tagf *t, const struct prof *p)
{
	size_t i, n, max = 0;

	for (i = 0; i < p->nlabels; i++) {
		if (!p->labels[i].str)
			continue;
		n = prof_strlen(p, p->labels[i].key) + 1 + prof_strlen(p, p->labels[i].str);
		if (n > max)
			max = n;
	}
	if (!(t->kv = malloc(max + 1)))
		return err_set(ERR_NOMEM, "out of memory");
	return 0;
}

static int tagf_init(struct tagf *t, const char *spec, const char *what, const struct prof *p)
{
	const char *eq, *val, *colon;
	size_t n;

	memset(t, 0, sizeof(*t));
	if (!spec || !*spec)
		return 0;
	t->set = true;
	eq = strchr(spec, '=');
	val = spec;
	if (eq) {
		char key[256];

		n = (size_t)(eq - spec);
		if (n >= sizeof(key))
			return err_set(ERR_PARSE, "%s: label name too long", what);
		memcpy(key, spec, n);
		key[n] = '\0';
		t->has_key = true;
		t->key = prof_find_str(p, key);
		t->key_found = t->key != PROF_NONE;
		val = eq + 1;
	}
	/* a numeric range: VALUE, LOW:, :HIGH or LOW:HIGH */
	colon = strchr(val, ':');
	{
		enum ukind k1 = U_NONE, k2 = U_NONE;
		bool ok;

		if (colon) {
			size_t l1 = (size_t)(colon - val), l2 = strlen(colon + 1);

			ok = (l1 || l2) && (!l1 || parse_quantity(val, l1, &t->lo, &k1)) &&
			     (!l2 || parse_quantity(colon + 1, l2, &t->hi, &k2));
			t->has_lo = l1 > 0;
			t->has_hi = l2 > 0;
		} else {
			ok = parse_quantity(val, strlen(val), &t->lo, &k1);
			t->hi = t->lo;
			t->has_lo = t->has_hi = ok;
		}
		if (ok && (k1 == U_NONE || k2 == U_NONE || k1 == k2)) {
			t->numeric = true;
			t->kind = k1 != U_NONE ? k1 : k2;
			return 0;
		}
		t->has_lo = t->has_hi = false;
	}
	/* else regexes separated by commas */
	{
		const char *s = val;

		for (;;) {
			const char *c = strchr(s, ',');
			char pat[1024];
			struct search *r;

			n = c ? (size_t)(c - s) : strlen(s);
			if (n >= sizeof(pat))
				return err_set(ERR_PARSE, "%s: regex too long", what);
			memcpy(pat, s, n);
			pat[n] = '\0';
			r = realloc(t->rx, (t->nrx + 1) * sizeof(*r));
			if (!r)
				return err_set(ERR_NOMEM, "out of memory");
			t->rx = r;
			if (search_compile(&t->rx[t->nrx], pat))
				return err_prefix(ERR_PARSE, "%s", what);
			t->nrx++;
			if (!c)
				break;
			s = c + 1;
		}
	}
	return t->has_key ? 0 : tagf_kv_init(t, p);
}

static bool num_in_range(const struct tagf *t, const struct prof *p, const struct prof_label *l)
{
	double v = (double)l->num, scale;
	enum ukind kind;
	const char *unit = l->num_unit ? prof_str(p, l->num_unit) : "";

	/* a label without a unit named "bytes" is in bytes, as pprof assumes */
	if (!*unit && strcmp(prof_str(p, l->key), "bytes") == 0)
		unit = "bytes";
	if (!unit_of(unit, &kind, &scale))
		kind = U_NONE, scale = 1;
	/* like pprof: a number without a unit only matches labels without one */
	if (kind != t->kind)
		return false;
	v *= scale;
	return (!t->has_lo || v >= t->lo) && (!t->has_hi || v <= t->hi);
}

static bool tagf_match(const struct tagf *t, const struct prof *p, const struct prof_sample *s)
{
	const struct prof_label *labels = p->labels + s->label_off;
	uint32_t i;
	size_t r;

	if (t->has_key && !t->key_found)
		return false;
	if (t->numeric) {
		for (i = 0; i < s->nlabels; i++)
			if (!labels[i].str && (!t->has_key || labels[i].key == t->key) &&
			    num_in_range(t, p, &labels[i]))
				return true;
		return false;
	}
	if (t->has_key) {
		for (r = 0; r < t->nrx; r++)
			for (i = 0; i < s->nlabels; i++)
				if (labels[i].key == t->key && labels[i].str &&
				    search_match(&t->rx[r], prof_str(p, labels[i].str),
						 prof_strlen(p, labels[i].str)))
					return true;
		return false;
	}
	/* no key: every regex must match some "key:value" (whole, NUL bytes and all) */
	for (r = 0; r < t->nrx; r++) {
		bool found = false;

		for (i = 0; i < s->nlabels && !found; i++) {
			size_t kn = prof_strlen(p, labels[i].key);
			size_t vn = prof_strlen(p, labels[i].str);

			if (!labels[i].str)
				continue;
			memcpy(t->kv, prof_str(p, labels[i].key), kn);
			t->kv[kn] = ':';
			memcpy(t->kv + kn + 1, prof_str(p, labels[i].str), vn);
			found = search_match(&t->rx[r], t->kv, kn + 1 + vn);
		}
		if (!found)
			return false;
	}
	return true;
}

/* ---- the filter ---- */

bool filter_is_empty(const struct filter_opts *o)
{
	return !(o->focus && *o->focus) && !(o->ignore && *o->ignore) && !(o->hide && *o->hide) &&
	       !(o->show && *o->show) && !(o->show_from && *o->show_from) &&
	       !(o->tagfocus && *o->tagfocus) && !(o->tagignore && *o->tagignore);
}

struct locinfo {
	uint32_t newloc;   /* PROF_NONE: hidden */
	int8_t focus;      /* 1 focused, -1 ignored, 0 neither (pprof's focusOrIgnore) */
	bool show_from;    /* matched by show_from */
};

struct fctx {
	const struct prof *p;
	struct rx focus, ignore, hide, show, show_from;
	struct tagf tagfocus, tagignore;
	struct locinfo *loc;
	struct prof_line *lines;
	struct filter_matched m;
	atomic_int *cancel;
	uint32_t work;     /* units since cancel was last read (see the file comment) */
};

/* One more unit of work; ERR_CANCELLED when it is time to read the flag and it is set. */
static int poll_cancel(struct fctx *c)
{
	if (++c->work < CANCEL_EVERY)
		return 0;
	c->work = 0;
	if (c->cancel && atomic_load_explicit(c->cancel, memory_order_relaxed))
		return err_set(ERR_CANCELLED, "filter cancelled");
	return 0;
}

/*
 * Verdicts and kept lines for every location, in pprof's order (FilterSamplesByName, then
 * ShowFrom): hide, show, then show_from.
 */
static int do_locations(struct fctx *c, struct prof_builder *b)
{
	const struct prof *p = c->p;
	uint32_t i, k, n;
	int rc;

	for (i = 0; i < p->nlocations; i++) {
		const struct prof_location *l = &p->locations[i];
		const struct prof_line *src = p->lines + l->line_off;
		struct locinfo *li = &c->loc[i];

		if ((rc = poll_cancel(c)))
			return rc;
		li->focus = 0;
		if (c->ignore.set && rx_location(&c->ignore, p, l)) {
			li->focus = -1;
			c->m.ignore = true;
		} else if (!c->focus.set || rx_location(&c->focus, p, l)) {
			li->focus = 1;
			c->m.focus |= c->focus.set;
		}
		n = 0;
		if (c->hide.set && rx_location(&c->hide, p, l))
			c->m.hide = true;
		if (c->hide.set && rx_mapping(&c->hide, p, l)) {
			n = 0; /* the whole mapping is hidden */
		} else {
			for (k = 0; k < l->nlines; k++)
				if (!c->hide.set || l->unsymbolized || !rx_line(&c->hide, p, &src[k]))
					c->lines[n++] = src[k];
		}
		if (c->show.set && n) {
			/*
			 * pprof's matchedLines: a matching mapping keeps every line; an
			 * unsymbolized location has no lines to keep, so it goes.
			 */
			if (l->unsymbolized) {
				n = 0;
			} else if (!rx_mapping(&c->show, p, l)) {
				uint32_t kept = 0;

				for (k = 0; k < n; k++)
					if (rx_line(&c->show, p, &c->lines[k]))
						c->lines[kept++] = c->lines[k];
				n = kept;
			}
			c->m.show |= n > 0;
		}
		li->show_from = false;
		if (c->show_from.set && n) {
			if (rx_mapping(&c->show_from, p, l)) {
				li->show_from = true;
			} else if (!l->unsymbolized) {
				/* keep lines from the innermost up to the outermost match */
				for (k = n; k-- > 0;)
					if (rx_line(&c->show_from, p, &c->lines[k]))
						break;
				if (k != UINT32_MAX) {
					li->show_from = true;
					n = k + 1;
				}
			}
			c->m.show_from |= li->show_from;
		}
		li->newloc = PROF_NONE;
		if (n == 0)
			continue;
		/* an unsymbolized location keeps its synthetic frame: the builder remakes it */
		if ((rc = pb_location(b, l->mapping, l->address, l->unsymbolized ? NULL : c->lines,
				      l->unsymbolized ? 0 : n, &li->newloc)))
			return rc;
	}
	return 0;
}

static int do_samples(struct fctx *c, struct prof_builder *b)
{
	const struct prof *p = c->p;
	uint32_t *locs = NULL, i, j;
	int rc = 0;

	locs = malloc((p->nsample_locs ? p->nsample_locs : 1) * sizeof(*locs));
	if (!locs)
		return err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];
		const uint32_t *src = p->sample_locs + s->loc_off;
		uint32_t n = 0, end = s->nlocs;
		bool focused = false, ignored = false, tag_in, tag_out;

		if ((rc = poll_cancel(c)))
			break;
		for (j = 0; j < s->nlocs && !ignored; j++) {
			focused |= c->loc[src[j]].focus == 1;
			ignored |= c->loc[src[j]].focus == -1;
		}
		if (!focused || ignored)
			continue;
		if (c->show_from.set) {
			/* the root-most matching location: drop its callers */
			for (end = s->nlocs; end > 0; end--)
				if (c->loc[src[end - 1]].newloc != PROF_NONE &&
				    c->loc[src[end - 1]].show_from)
					break;
			if (end == 0)
				continue;
		}
		for (j = 0; j < end; j++)
			if (c->loc[src[j]].newloc != PROF_NONE)
				locs[n++] = c->loc[src[j]].newloc;
		if (n == 0)
			continue;
		/* pprof's FilterSamplesByTag runs last, on the samples the name filters kept */
		tag_in = !c->tagfocus.set || tagf_match(&c->tagfocus, p, s);
		tag_out = c->tagignore.set && tagf_match(&c->tagignore, p, s);
		c->m.tagfocus |= c->tagfocus.set && tag_in;
		c->m.tagignore |= tag_out;
		if (!tag_in || tag_out)
			continue;
		if ((rc = pb_sample(b, locs, n, p->values + (size_t)i * p->ntypes,
				    p->labels + s->label_off, s->nlabels)))
			break;
	}
	free(locs);
	return rc;
}

int prof_filter(const struct prof *in, const struct filter_opts *o, struct prof **out)
{
	return prof_filter_matched(in, o, out, NULL);
}

int prof_filter_matched(const struct prof *in, const struct filter_opts *o, struct prof **out,
			struct filter_matched *matched)
{
	struct fctx c;
	struct prof_builder *b = NULL;
	uint32_t maxlines = 1, i;
	int rc;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	c.p = in;
	c.cancel = o->cancel;
	if ((rc = rx_init(&c.focus, o->focus, "focus", in->nstrs, &c.work)) ||
	    (rc = rx_init(&c.ignore, o->ignore, "ignore", in->nstrs, &c.work)) ||
	    (rc = rx_init(&c.hide, o->hide, "hide", in->nstrs, &c.work)) ||
	    (rc = rx_init(&c.show, o->show, "show", in->nstrs, &c.work)) ||
	    (rc = rx_init(&c.show_from, o->show_from, "show_from", in->nstrs, &c.work)) ||
	    (rc = tagf_init(&c.tagfocus, o->tagfocus, "tagfocus", in)) ||
	    (rc = tagf_init(&c.tagignore, o->tagignore, "tagignore", in)))
		goto done;
	for (i = 0; i < in->nlocations; i++)
		if (in->locations[i].nlines > maxlines)
			maxlines = in->locations[i].nlines;
	c.loc = malloc((in->nlocations ? in->nlocations : 1) * sizeof(*c.loc));
	c.lines = malloc(maxlines * sizeof(*c.lines));
	if (!c.loc || !c.lines) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	if ((rc = pb_new(&b)) || (rc = pb_copy_header(b, in, true)) || (rc = do_locations(&c, b)) ||
	    (rc = do_samples(&c, b)))
		goto done;
	rc = pb_finish(b, out);
	b = NULL;
	if (!rc && matched)
		*matched = c.m;
done:
	pb_free(b);
	rx_release(&c.focus);
	rx_release(&c.ignore);
	rx_release(&c.hide);
	rx_release(&c.show);
	rx_release(&c.show_from);
	tagf_release(&c.tagfocus);
	tagf_release(&c.tagignore);
	free(c.loc);
	free(c.lines);
	return rc;
}
