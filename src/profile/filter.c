/*
 * filter.c — pprof's focus / ignore / hide / show / show_from / tagfocus / tagignore
 * (filter.h).
 *
 * Regexes are tried once per distinct string (function names and files are interned),
 * then every location gets its verdicts and its kept lines; samples are rebuilt through
 * the builder with the kept locations.  Strings, mappings and functions keep their
 * indices (they are copied in order), so names in the result compare by id.
 *
 * A name a regex cannot decide (search_test: PCRE2 and its DFA both give up, ERR_TOOBIG
 * "regex '...' is too complex") fails the filter, prefixed with the option's name: it is
 * never read as "no match", which would keep or drop frames pprof does not.
 *
 * The cancel flag (filter_opts.cancel) is read once per PROF_CANCEL_EVERY units of work
 * (profile_int.h): a location or a sample is one unit, a regex run a whole
 * PROF_CANCEL_EVERY (one may backtrack for long; next to one, reading an atomic costs
 * nothing).
 */
#include "filter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "builder.h"
#include "profile_int.h"
#include "search.h"

/* One name regex with a per-string cache: 0 unknown, 1 no, 2 yes. */
struct rx {
	struct search s;
	uint8_t *hit;
	size_t *work;  /* the filter's work since its last look at the cancel flag */
	const char *what;  /* the option's name, for messages (static) */
	bool set;
};

static int rx_init(struct rx *r, const char *pat, const char *what, uint32_t nstrs,
		   size_t *work)
{
	memset(r, 0, sizeof(*r));
	r->work = work;
	r->what = what;
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

/*
 * The rx_* tests answer 1 (matches), 0, or the error of a string the regex cannot decide
 * (search_test), prefixed with the option's name.
 */
static int rx_str(struct rx *r, const struct prof *p, uint32_t id)
{
	int rc;

	if (!r->hit[id]) {
		rc = search_test(&r->s, prof_str(p, id), prof_strlen(p, id));
		*r->work += PROF_CANCEL_EVERY;
		if (rc < 0)
			return err_prefix(rc, "%s", r->what);
		r->hit[id] = rc ? 2 : 1;
	}
	return r->hit[id] == 2;
}

/* pprof matches a line's function name or file name. */
static int rx_line(struct rx *r, const struct prof *p, const struct prof_line *l)
{
	const struct prof_function *f = &p->functions[l->func];
	int rc = rx_str(r, p, f->name);

	if (rc == 0 && f->file)
		rc = rx_str(r, p, f->file);
	return rc;
}

static int rx_mapping(struct rx *r, const struct prof *p, const struct prof_location *l)
{
	if (l->mapping == PROF_NONE || !p->mappings[l->mapping].file)
		return 0;
	return rx_str(r, p, p->mappings[l->mapping].file);
}

/* Any line (or the mapping) of a location matches. */
static int rx_location(struct rx *r, const struct prof *p, const struct prof_location *l)
{
	uint32_t k;
	int rc;

	if (!l->unsymbolized)
		for (k = 0; k < l->nlines; k++)
			if ((rc = rx_line(r, p, &p->lines[l->line_off + k])))
				return rc;
	return rx_mapping(r, p, l);
}

/* ---- tag filters ---- */

/*
 * pprof's units (measurement.go): an alias names a unit of a family; Scale() converts
 * within a family and names the result by its canonical name.
 */
struct unit {
	const char *canon;
	const char *alias[3];
	double factor;
};

struct unit_family {
	const struct unit *u;
	size_t n;
	const struct unit *dflt;  /* what a unit of the family converts to when `to` is not */
};

static const struct unit mem_units[] = {
	{ "B", { "b", "byte" }, 1 },
	{ "kB", { "kb", "kbyte", "kilobyte" }, 1024.0 },
	{ "MB", { "mb", "mbyte", "megabyte" }, 1048576.0 },
	{ "GB", { "gb", "gbyte", "gigabyte" }, 1073741824.0 },
	{ "TB", { "tb", "tbyte", "terabyte" }, 1099511627776.0 },
	{ "PB", { "pb", "pbyte", "petabyte" }, 1125899906842624.0 },
};
static const struct unit time_units[] = {
	{ "ns", { "ns", "nanosecond" }, 1 },
	{ "us", { "\xce\xbcs", "us", "microsecond" }, 1e3 },
	{ "ms", { "ms", "millisecond" }, 1e6 },
	{ "s", { "s", "sec", "second" }, 1e9 },
	{ "hrs", { "hour", "hr" }, 3600e9 },
};
static const struct unit gcu_units[] = {
	{ "n*GCU", { "nanogcu" }, 1e-9 },  { "u*GCU", { "microgcu" }, 1e-6 },
	{ "m*GCU", { "milligcu" }, 1e-3 }, { "GCU", { "gcu" }, 1 },
	{ "k*GCU", { "kilogcu" }, 1e3 },   { "M*GCU", { "megagcu" }, 1e6 },
	{ "G*GCU", { "gigagcu" }, 1e9 },   { "T*GCU", { "teragcu" }, 1e12 },
	{ "P*GCU", { "petagcu" }, 1e15 },
};
static const struct unit time_default = { "s", { NULL }, 1e9 };
static const struct unit gcu_default = { "GCU", { NULL }, 1 };
static const struct unit_family families[] = {
	{ mem_units, sizeof(mem_units) / sizeof(mem_units[0]), &mem_units[0] },
	{ time_units, sizeof(time_units) / sizeof(time_units[0]), &time_default },
	{ gcu_units, sizeof(gcu_units) / sizeof(gcu_units[0]), &gcu_default },
};

/* pprof's sniffUnit: lower case, one plural 's' off (beyond two bytes), an alias. */
static const struct unit *sniff(const struct unit_family *f, const char *s, size_t n)
{
	char low[24];
	size_t i, k;

	if (n >= sizeof(low))
		return NULL;  /* longer than any alias and its 's' */
	for (i = 0; i < n; i++)
		low[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
	if (n > 2 && low[n - 1] == 's')
		n--;
	for (i = 0; i < f->n; i++)
		for (k = 0; k < 3 && f->u[i].alias[k]; k++)
			if (strlen(f->u[i].alias[k]) == n && memcmp(f->u[i].alias[k], low, n) == 0)
				return &f->u[i];
	return NULL;
}

/*
 * pprof's measurement.Scale(v, from, to): v in the unit `from` converted to `to` when
 * one family has both (to the family's default unit when it has only `from`); else v as
 * it is, in `to` (or in "" for the units pprof finds uninteresting).  *unit is what the
 * result is in: a canonical name, or `to` itself.
 */
static double scale(int64_t v, const char *from, size_t nfrom, const char *to,
		    const char **unit)
{
	size_t i;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		const struct unit *fu = sniff(&families[i], from, nfrom), *tu;

		if (!fu)
			continue;
		tu = sniff(&families[i], to, strlen(to));
		if (!tu)
			tu = families[i].dflt;
		*unit = tu->canon;
		return (double)v * fu->factor / tu->factor;
	}
	*unit = strcmp(to, "count") == 0 || strcmp(to, "sample") == 0 || strcmp(to, "unit") == 0 ||
			strcmp(to, "minimum") == 0 || strcmp(to, "auto") == 0 ? "" : to;
	return (double)v;
}

/*
 * The length of a quantity at s as pprof's tagFilterRangeRx reads one,
 * [+-]?[[:digit:]]+([[:alpha:]]+)? (ASCII classes), or 0; *digits is where the
 * number ends and the unit begins.
 */
static size_t quantity_len(const char *s, size_t *digits)
{
	size_t i = s[0] == '+' || s[0] == '-', d = i;

	while (s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == d)
		return 0;
	*digits = i;
	while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'))
		i++;
	return i;
}

/* strconv.ParseInt(s[0..n), 10, 64) of [+-]?digits; pprof panics on what does not fit. */
static int parse_int(const char *s, size_t n, const char *what, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE || end != s + n)
		return err_set(ERR_PARSE, "%s: '%.*s' is out of range", what, (int)(n < 64 ? n : 64), s);
	*out = v;
	return 0;
}

struct tagf {
	bool set, numeric, has_key, key_found;
	uint32_t key;
	double lo, hi;     /* in unit */
	bool has_lo, has_hi;
	char *unit;        /* the range's, as scale() names it: "kB", "ms", "", or as typed */
	uint32_t *key_unit; /* numeric: per key (string id), its labels' unit (key_units_init) */
	struct search *rx;
	size_t nrx;
	char *kv;  /* room for the longest "key:value" of the profile (without a key) */
	const char *what;  /* the option's name, for messages (static) */
};

static void tagf_release(struct tagf *t)
{
	size_t i;

	for (i = 0; i < t->nrx; i++)
		search_release(&t->rx[i]);
	free(t->rx);
	free(t->kv);
	free(t->unit);
	free(t->key_unit);
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

#define KEY_UNIT_BYTES UINT32_MAX  /* key_unit: "bytes", which the profile may not hold */

/*
 * The unit of every numeric label key, as pprof decides it for the whole profile
 * (Profile.NumLabelUnits): the first unit a label of the key has, in sample order; else
 * bytes for "alignment" and "request" (tcmalloc's); else the key itself ("ms" is in ms,
 * "latency" in a unit pprof does not know).  A label with another unit is read in its
 * key's, as pprof reads it.
 */
static int key_units_init(struct tagf *t, const struct prof *p)
{
	uint32_t i, k;

	if (!(t->key_unit = calloc(p->nstrs ? p->nstrs : 1, sizeof(*t->key_unit))))
		return err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];

		for (k = 0; k < s->nlabels; k++) {
			const struct prof_label *l = &p->labels[s->label_off + k];

			if (!l->str && l->num_unit && prof_strlen(p, l->num_unit) &&
			    !t->key_unit[l->key])
				t->key_unit[l->key] = l->num_unit;
		}
	}
	for (i = 0; i < p->nlabels; i++) {
		const struct prof_label *l = &p->labels[i];
		const char *key = prof_str(p, l->key);

		if (l->str || t->key_unit[l->key])
			continue;
		t->key_unit[l->key] = strcmp(key, "alignment") == 0 || strcmp(key, "request") == 0 ?
					      KEY_UNIT_BYTES : l->key;
	}
	return 0;
}

/* The unit of a numeric label: its key's. */
static const char *label_unit(const struct tagf *t, const struct prof *p,
			      const struct prof_label *l, size_t *n)
{
	uint32_t u = t->key_unit[l->key];

	if (u == KEY_UNIT_BYTES) {
		*n = 5;
		return "bytes";
	}
	*n = prof_strlen(p, u);
	return prof_str(p, u);
}

/*
 * A numeric range as pprof's parseTagFilterRange reads one: Q, Q:, :Q or Q:Q, Q a
 * quantity (quantity_len) and nothing else; with Q:Q the second's unit must scale into
 * the first's ("1kb:2mb", "1kb:2", not "1:2kb" nor "1kb:2ms").  0 when val is one (set in
 * t), 1 when it is to be read as regexes, or an error.
 */
static int range_parse(struct tagf *t, const char *val, const char *what)
{
	const char *q1 = val[0] == ':' ? val + 1 : val, *q2 = NULL, *unit;
	size_t n1, d1, n2 = 0, d2 = 0;
	int64_t v = 0;
	char *u1;
	int rc;

	if (!(n1 = quantity_len(q1, &d1)))
		return 1;
	if (q1 != val) {                       /* :Q */
		if (q1[n1])
			return 1;
		t->has_hi = true;
	} else if (!q1[n1]) {                  /* Q */
		t->has_lo = t->has_hi = true;
	} else if (q1[n1] == ':' && !q1[n1 + 1]) { /* Q: */
		t->has_lo = true;
	} else if (q1[n1] == ':' && (n2 = quantity_len(q1 + n1 + 1, &d2)) && !q1[n1 + 1 + n2]) {
		q2 = q1 + n1 + 1;              /* Q:Q */
		t->has_lo = t->has_hi = true;
	} else {
		return 1;
	}
	if ((rc = parse_int(q1, d1, what, &v)))
		return rc;
	if (!(u1 = strndup(q1 + d1, n1 - d1)))
		return err_set(ERR_NOMEM, "out of memory");
	t->lo = t->hi = scale(v, u1, n1 - d1, u1, &unit);
	t->unit = strdup(unit);
	free(u1);
	if (!t->unit)
		return err_set(ERR_NOMEM, "out of memory");
	if (q2) {
		if ((rc = parse_int(q2, d2, what, &v)))
			return rc;
		t->hi = scale(v, q2 + d2, n2 - d2, t->unit, &unit);
		if (strcmp(unit, t->unit) != 0) {
			t->has_lo = t->has_hi = false;
			free(t->unit);
			t->unit = NULL;
			return 1;
		}
	}
	t->numeric = true;
	return 0;
}

static int tagf_init(struct tagf *t, const char *spec, const char *what, const struct prof *p)
{
	const char *eq, *val;
	size_t n;
	int rc;

	memset(t, 0, sizeof(*t));
	t->what = what;
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
		t->has_key = n > 0;  /* pprof: "=V" is V, on every label */
		t->key = prof_find_str(p, key);
		t->key_found = t->key != PROF_NONE;
		val = eq + 1;
	}
	if ((rc = range_parse(t, val, what)) <= 0)
		return rc ? rc : key_units_init(t, p);
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

/* A numeric label's value num, in unit, within the range (pprof's compare after Scale). */
static bool num_in_range(const struct tagf *t, const char *unit, size_t n, int64_t num)
{
	const char *su;
	double v = scale(num, unit, n, t->unit, &su);

	return strcmp(su, t->unit) == 0 && (!t->has_lo || v >= t->lo) && (!t->has_hi || v <= t->hi);
}

/* search_test() of a label's value, its error prefixed with the option's name. */
static int tagf_test(const struct tagf *t, size_t r, const char *str, size_t len)
{
	int rc = search_test(&t->rx[r], str, len);

	return rc < 0 ? err_prefix(rc, "%s", t->what) : rc;
}

/* Whether sample s passes the tag filter: 1, 0, or a regex's error (tagf_test). */
static int tagf_match(const struct tagf *t, const struct prof *p, const struct prof_sample *s)
{
	/* a profile without labels has no array: no arithmetic on NULL */
	const struct prof_label *labels = s->nlabels ? p->labels + s->label_off : NULL;
	uint32_t i;
	size_t r;
	int rc;

	if (t->has_key && !t->key_found)
		return 0;
	if (t->numeric) {
		for (i = 0; i < s->nlabels; i++) {
			size_t n;
			const char *u;

			if (labels[i].str || (t->has_key && labels[i].key != t->key))
				continue;
			u = label_unit(t, p, &labels[i], &n);
			if (num_in_range(t, u, n, labels[i].num))
				return 1;
		}
		return 0;
	}
	if (t->has_key) {
		for (r = 0; r < t->nrx; r++)
			for (i = 0; i < s->nlabels; i++)
				if (labels[i].key == t->key && labels[i].str &&
				    (rc = tagf_test(t, r, prof_str(p, labels[i].str),
						    prof_strlen(p, labels[i].str))))
					return rc;
		return 0;
	}
	/* no key: every regex must match some "key:value" (whole, NUL bytes and all) */
	for (r = 0; r < t->nrx; r++) {
		rc = 0;
		for (i = 0; i < s->nlabels && !rc; i++) {
			size_t kn = prof_strlen(p, labels[i].key);
			size_t vn = prof_strlen(p, labels[i].str);

			if (!labels[i].str)
				continue;
			memcpy(t->kv, prof_str(p, labels[i].key), kn);
			t->kv[kn] = ':';
			memcpy(t->kv + kn + 1, prof_str(p, labels[i].str), vn);
			rc = tagf_test(t, r, t->kv, kn + 1 + vn);
		}
		if (rc <= 0)
			return rc;
	}
	return 1;
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
	size_t work;       /* units since cancel was last read (see the file comment) */
};

/* One more unit of work; ERR_CANCELLED when it is time to read the flag and it is set. */
static int poll_cancel(struct fctx *c)
{
	c->work++;
	return prof_cancel_poll(c->cancel, &c->work, "filter");
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
		int hit;

		if ((rc = poll_cancel(c)))
			return rc;
		li->focus = 0;
		if ((hit = c->ignore.set ? rx_location(&c->ignore, p, l) : 0) < 0)
			return hit;
		if (hit) {
			li->focus = -1;
			c->m.ignore = true;
		} else {
			if ((hit = c->focus.set ? rx_location(&c->focus, p, l) : 1) < 0)
				return hit;
			if (hit) {
				li->focus = 1;
				c->m.focus |= c->focus.set;
			}
		}
		n = 0;
		hit = 0;  /* then: the whole mapping is hidden */
		if (c->hide.set) {
			if ((hit = rx_location(&c->hide, p, l)) < 0)
				return hit;
			if (hit)
				c->m.hide = true;
			if ((hit = rx_mapping(&c->hide, p, l)) < 0)
				return hit;
		}
		for (k = 0; !hit && k < l->nlines; k++) {
			int h = c->hide.set && !l->unsymbolized ? rx_line(&c->hide, p, &src[k]) : 0;

			if (h < 0)
				return h;
			if (!h)
				c->lines[n++] = src[k];
		}
		if (c->show.set && n) {
			/*
			 * pprof's matchedLines: a matching mapping keeps every line; an
			 * unsymbolized location has no lines to keep, so it goes.
			 */
			if (l->unsymbolized) {
				n = 0;
			} else if ((hit = rx_mapping(&c->show, p, l)) < 0) {
				return hit;
			} else if (!hit) {
				uint32_t kept = 0;

				for (k = 0; k < n; k++) {
					if ((hit = rx_line(&c->show, p, &c->lines[k])) < 0)
						return hit;
					if (hit)
						c->lines[kept++] = c->lines[k];
				}
				n = kept;
			}
			c->m.show |= n > 0;
		}
		li->show_from = false;
		if (c->show_from.set && n) {
			if ((hit = rx_mapping(&c->show_from, p, l)) < 0)
				return hit;
			if (hit) {
				li->show_from = true;
			} else if (!l->unsymbolized) {
				/* keep lines from the innermost up to the outermost match */
				for (k = n; k-- > 0;) {
					if ((hit = rx_line(&c->show_from, p, &c->lines[k])) < 0)
						return hit;
					if (hit)
						break;
				}
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
		bool focused = false, ignored = false;
		int tag_in = 1, tag_out = 0;

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
		if ((tag_in = c->tagfocus.set ? tagf_match(&c->tagfocus, p, s) : 1) < 0 ||
		    (tag_out = c->tagignore.set ? tagf_match(&c->tagignore, p, s) : 0) < 0) {
			rc = tag_in < 0 ? tag_in : tag_out;
			break;
		}
		c->m.tagfocus |= c->tagfocus.set && tag_in;
		c->m.tagignore |= tag_out > 0;
		if (!tag_in || tag_out)
			continue;
		if ((rc = pb_sample(b, locs, n, p->values + (size_t)i * p->ntypes,
				    s->nlabels ? p->labels + s->label_off : NULL, s->nlabels)))
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
	c.m.tagfocus_range = c.tagfocus.numeric;
	c.m.tagignore_range = c.tagignore.numeric;
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
