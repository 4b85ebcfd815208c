/*
 * granularity.c — re-keying frames by line, file or package (see granularity.h).
 *
 * Every (function, line) pair of the input becomes a function of the output named by
 * its key; equal keys share one function, so the call tree and the top table merge
 * them.  Locations, samples and labels are copied with their lines re-pointed.
 *
 * The cancel flag is read before the first location and then every PROF_CANCEL_EVERY
 * units of work (profile_int.h): a location (one key built and interned per line) or a
 * frame of a copied sample.
 */
#include "granularity.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/hmap.h"
#include "base/text.h"
#include "builder.h"
#include "profile_int.h"

static const char *const names[] = { "functions", "lines", "files", "packages" };

int granularity_parse(const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0 || (n + 1 == strlen(names[i]) && strncmp(s, names[i], n) == 0))
			return (int)i;
	return -1;
}

const char *granularity_name(enum granularity g)
{
	return names[g];
}

/*
 * Go's filepath.Clean, which pprof applies to file names: no "//", ".", or "x/..".  The
 * result is never longer than p, or "." for an empty p: room for it is made first, so
 * no append below can fail.  0, or ERR_NOMEM.
 */
static int clean_path(struct buf *out, const char *p, size_t n)
{
	size_t start = out->len, i = 0;
	bool rooted = n > 0 && p[0] == '/';

	if (n == SIZE_MAX || buf_grow(out, n + 1))
		return err_set(ERR_NOMEM, "out of memory");
	if (rooted)
		buf_add(out, "/", 1);
	while (i < n) {
		size_t j = i, len;

		while (j < n && p[j] != '/')
			j++;
		len = j - i;
		if (len == 0 || (len == 1 && p[i] == '.')) {
			/* skip */
		} else if (len == 2 && p[i] == '.' && p[i + 1] == '.') {
			size_t base = start + (rooted ? 1 : 0);
			char *slash;

			if (out->len > base && !(out->len - base >= 2 && memcmp(out->data + out->len - 2, "..", 2) == 0 &&
						 (out->len - base == 2 || out->data[out->len - 3] == '/'))) {
				out->data[out->len] = '\0';
				slash = strrchr(out->data + base, '/');
				out->len = slash ? (size_t)(slash - out->data) : base;
				out->data[out->len] = '\0';
			} else if (!rooted) {
				if (out->len > base)
					buf_add(out, "/", 1);
				buf_add(out, "..", 2);
			}
		} else {
			if (out->len > start + (rooted ? 1 : 0))
				buf_add(out, "/", 1);
			buf_add(out, p + i, len);
		}
		i = j + 1;
	}
	if (out->len == start)
		buf_add(out, ".", 1);
	return 0;
}

/*
 * pprof's report.trimPath with no -trim_path and no -source_path (its defaults): Bazel's
 * "/proc/self/cwd/./" or else "/proc/self/cwd/" off the start of the raw name, before
 * filepath.Clean ("/proc/self/cwd/pkg/a.go" and "pkg/a.go" are one file).
 */
static void trim_path(const char **p, size_t *n)
{
	static const char *const prefixes[] = { "/proc/self/cwd/./", "/proc/self/cwd/" };
	size_t i, k;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		k = strlen(prefixes[i]);
		if (*n >= k && memcmp(*p, prefixes[i], k) == 0) {
			*p += k;
			*n -= k;
			return;
		}
	}
}

int granularity_file_name(struct buf *out, const char *file, size_t n)
{
	if (!n)  /* no file is no name (Go's Clean would make it "."; nothing shows it) */
		return 0;
	trim_path(&file, &n);
	return clean_path(out, file, n);
}

int granularity_line_key(struct buf *out, const char *name, size_t nlen, const char *file,
			 size_t flen, int64_t line)
{
	int rc;

	/* pprof's "name file:line", "name file" without a line, "name" without a file */
	if ((rc = buf_add(out, name, nlen)))
		return rc;
	if (nlen && (line != 0 || flen) && (rc = buf_add(out, " ", 1)))
		return rc;
	if (flen && (rc = granularity_file_name(out, file, flen)))
		return rc;
	if (line != 0 && (rc = buf_printf(out, ":%lld", (long long)line)))
		return rc;
	return 0;
}

/* The key of one frame under granularity g, appended to out. */
static void frame_key(const struct prof *p, const struct prof_location *l,
		      const struct prof_line *line, enum granularity g, struct buf *out)
{
	const struct prof_function *f = &p->functions[line->func];
	const char *name = prof_str(p, f->name), *pkg;
	size_t nlen = prof_strlen(p, f->name);

	if (l->unsymbolized) {
		buf_add(out, name, nlen);
		return;
	}
	switch (g) {
	case GRAN_FUNCTIONS:
		buf_add(out, name, nlen);
		break;
	case GRAN_LINES:
		granularity_line_key(out, name, nlen, prof_str(p, f->file), prof_strlen(p, f->file),
				     line->line);
		break;
	case GRAN_FILES:
		/* the file; else the mapping's object, else "<unknown>", as pprof names them */
		if (prof_strlen(p, f->file)) {
			granularity_file_name(out, prof_str(p, f->file), prof_strlen(p, f->file));
		} else if (l->mapping != PROF_NONE && prof_strlen(p, p->mappings[l->mapping].file)) {
			const char *m = prof_str(p, p->mappings[l->mapping].file), *slash = strrchr(m, '/');

			buf_printf(out, "[%s]", slash ? slash + 1 : m);
		} else {
			buf_puts(out, "<unknown>");
		}
		break;
	case GRAN_PACKAGES:
		buf_add(out, name, text_package(name, &pkg));
		break;
	}
}

int granularity_regex_quote(struct buf *out, const char *s, size_t n)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0) {
			rc = buf_puts(out, "\\x00");
			continue;
		}
		if (strchr("\\^$.|?*+()[]{}", c))
			rc = buf_add(out, "\\", 1);
		if (rc == 0)
			rc = buf_add(out, s + i, 1);
	}
	return rc;
}

/* Whether the string `id` of p starts with pre[0..n) (bytes, NULs included). */
static bool has_prefix(const struct prof *p, uint32_t id, const char *pre, size_t n)
{
	return prof_strlen(p, id) >= n && memcmp(prof_str(p, id), pre, n) == 0;
}

/* What granularity_frame_regex learns of p in one pass (arrays by string, function or
 * location index). */
struct frame_marks {
	uint8_t *hit;     /* strings: a name or file the regex must match */
	uint8_t *tested;  /* strings: what a filter tries (filter.c's rx_location) */
	uint8_t *mfile;   /* strings: a mapping file in hit, for the frame's unsymbolized code */
	uint8_t *fn;      /* functions: key decided (0 unknown, 1 no, 2 yes) */
	uint8_t *whole;   /* locations: every frame of it is keyed key */
	bool nameless;    /* unsymbolized code of the frame has no mapping file to match */
};

/*
 * Marks the names behind the frames keyed `key` (see granularity_frame_regex), and every
 * name a filter tries on p's locations: a symbolized line's function and file, a
 * location's mapping file.  Unsymbolized code has only its mapping file to be matched by.
 * Keys that follow from the function alone (a package, a file that is known) are decided
 * once per function.  0, or ERR_NOMEM.
 */
static int mark_frames(const struct prof *p, enum granularity g, const char *key, size_t klen,
		       struct frame_marks *m, struct buf *tmp)
{
	uint32_t i, j;

	for (i = 0; i < p->nlocations; i++) {
		const struct prof_location *l = &p->locations[i];
		uint32_t mfile = l->mapping != PROF_NONE ? p->mappings[l->mapping].file : 0;
		bool all = true;

		if (mfile)
			m->tested[mfile] = 1;
		for (j = 0; j < l->nlines; j++) {
			const struct prof_line *line = &p->lines[l->line_off + j];
			const struct prof_function *f = &p->functions[line->func];
			bool filed = g == GRAN_FILES && prof_strlen(p, f->file);
			bool by_func = !l->unsymbolized &&
				       (g == GRAN_PACKAGES || g == GRAN_FUNCTIONS || filed);
			uint32_t what = filed ? f->file : f->name;
			size_t nlen = prof_strlen(p, f->name);
			bool same;

			if (!l->unsymbolized) {
				m->tested[f->name] = 1;
				if (f->file)
					m->tested[f->file] = 1;
			}
			if (by_func && m->fn[line->func]) {
				same = m->fn[line->func] == 2;
			} else if (g == GRAN_LINES && !l->unsymbolized &&
				   (klen < nlen || memcmp(key, prof_str(p, f->name), nlen) != 0)) {
				same = false; /* a line's key starts with its function's name */
			} else {
				buf_reset(tmp);
				frame_key(p, l, line, g, tmp);
				if (!tmp->data && klen)
					return err_set(ERR_NOMEM, "out of memory");
				same = tmp->len == klen &&
				       (klen == 0 || memcmp(tmp->data, key, klen) == 0);
				if (by_func)
					m->fn[line->func] = same ? 2 : 1;
			}
			all = all && same;
			if (!same)
				continue;
			if (!l->unsymbolized)
				m->hit[what] = 1;
			else if (mfile)
				m->hit[mfile] = m->mfile[mfile] = 1;
			else
				m->nameless = true;
		}
		m->whole[i] = all;
	}
	return 0;
}

/*
 * Whether the mapping files in the regex select the frame's code only: a filter tries
 * them on every location of their mappings, symbolized ones too, whose frames must all be
 * the frame's.  0, or ERR_UNSUPPORTED naming the frame and the file.
 */
static int mappings_exact(const struct prof *p, const char *key, size_t klen,
			  const struct frame_marks *m)
{
	uint32_t i;
	int n = (int)(klen > 200 ? 200 : klen);

	if (m->nameless)
		return err_set(ERR_UNSUPPORTED, "no filter can select '%.*s': code without "
				"symbols or a mapping file has no name a filter matches", n, key);
	for (i = 0; i < p->nlocations; i++) {
		const struct prof_location *l = &p->locations[i];
		uint32_t mfile = l->mapping != PROF_NONE ? p->mappings[l->mapping].file : 0;

		if (mfile && m->mfile[mfile] && !m->whole[i])
			return err_set(ERR_UNSUPPORTED, "no filter can select '%.*s' alone: "
					"filters match its code by the mapping's file, '%s', "
					"which holds other frames too", n, key, prof_str(p, mfile));
	}
	return 0;
}

/*
 * What keeps "^K\." (K the package key) from selecting exactly the names in hit among
 * those a filter tries: a hit not starting with "K." (*all_in false), another name tried
 * that does (returned: the first, 0 when none).  With neither, the prefix is the pattern.
 */
static uint32_t package_prefix_extra(const struct prof *p, const char *key, size_t klen,
				     const struct frame_marks *m, bool *all_in)
{
	uint32_t id, extra = 0;

	*all_in = true;
	for (id = 1; id < p->nstrs; id++) {
		bool pre = has_prefix(p, id, key, klen) && prof_strlen(p, id) > klen &&
			   prof_str(p, id)[klen] == '.';

		if (m->hit[id] && !pre)
			*all_in = false;
		else if (!m->hit[id] && m->tested[id] && pre && !extra)
			extra = id;
	}
	return extra;
}

/*
 * The names in hit in one alternation, "^(?:a|b)$" ("^a$" for one), each with its first
 * `skip` bytes left out: the package's prefix "K." the caller put before it, said once
 * ("^K\.(?:f|g)$") rather than in every name.  In string order: the same profile gives
 * the same pattern.  0, or ERR_NOMEM.
 */
static int hit_alternation(struct buf *out, const struct prof *p, const struct frame_marks *m,
			   uint32_t nhit, size_t skip)
{
	uint32_t id;
	bool first = true;
	int rc;

	if ((rc = buf_puts(out, nhit > 1 ? "(?:" : "")))
		return rc;
	for (id = 0; id < p->nstrs; id++) {
		if (!m->hit[id])
			continue;
		if ((!first && (rc = buf_puts(out, "|"))) ||
		    (rc = granularity_regex_quote(out, prof_str(p, id) + skip,
						  prof_strlen(p, id) - skip)))
			return rc;
		first = false;
	}
	return buf_puts(out, nhit > 1 ? ")$" : "$");
}

int granularity_frame_regex(struct buf *out, const struct prof *p, enum granularity g,
			    const char *key, size_t klen, size_t max)
{
	size_t ns = p->nstrs ? p->nstrs : 1, start = out->len;
	struct frame_marks m = { calloc(ns, 1), calloc(ns, 1), calloc(ns, 1),
				 calloc(p->nfunctions ? p->nfunctions : 1, 1),
				 calloc(p->nlocations ? p->nlocations : 1, 1), false };
	struct buf tmp = BUF_INIT;
	uint32_t id, nhit = 0, extra = 0;
	bool all_in = false;
	int n = (int)(klen > 200 ? 200 : klen), rc;

	if (!m.hit || !m.tested || !m.mfile || !m.fn || !m.whole) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	if ((rc = mark_frames(p, g, key, klen, &m, &tmp)))
		goto done;
	for (id = 0; id < p->nstrs; id++)
		nhit += m.hit[id];
	if (nhit == 0 && !m.nameless) {
		rc = err_set(ERR_NOTFOUND, "no frame '%.*s' in the profile", n, key);
		goto done;
	}
	if ((rc = mappings_exact(p, key, klen, &m)))
		goto done;
	if (g == GRAN_PACKAGES)
		extra = package_prefix_extra(p, key, klen, &m, &all_in);
	if ((rc = buf_puts(out, "^")))
		goto done;
	if (all_in) {
		/* the prefix once; alone when it selects exactly the package's functions */
		if ((rc = granularity_regex_quote(out, key, klen)) == 0 &&
		    (rc = buf_puts(out, "\\.")) == 0 && extra)
			rc = hit_alternation(out, p, &m, nhit, klen + 1);
	} else {
		rc = hit_alternation(out, p, &m, nhit, 0);
	}
	/*
	 * Never cut: a cut pattern selects something else.  A package whose prefix could
	 * not be used says why its pattern is long; any other pattern is the caller's to
	 * refuse, as a typed one is ("focus: the pattern is N bytes, longer than ...").
	 */
	if (rc || !max || out->len - start <= max || !extra)
		goto done;
	rc = err_set(ERR_TOOBIG, "package '%.*s': its %u functions are %zu bytes as a "
			"pattern, longer than the %zu a filter holds, and '^%.*s\\.' "
			"alone would also match '%.200s', which is not of it",
		     n, key, nhit, out->len - start, max, n, key, prof_str(p, extra));
done:
	if (rc)
		out->len = start;
	if (out->data && rc)
		out->data[start] = '\0';
	buf_release(&tmp);
	free(m.hit);
	free(m.tested);
	free(m.mfile);
	free(m.fn);
	free(m.whole);
	return rc;
}

int prof_granularity(const struct prof *in, enum granularity g, struct prof **out)
{
	return prof_granularity_cancellable(in, g, NULL, out);
}

int prof_granularity_cancellable(const struct prof *in, enum granularity g, atomic_int *cancel,
				 struct prof **out)
{
	struct prof_builder *b = NULL;
	struct prof_line *lines = NULL;
	struct hmap keys;  /* key string id → output function */
	struct buf key = BUF_INIT;
	uint32_t i, j, id, maxlines = 1;
	size_t work = PROF_CANCEL_EVERY; /* the first location reads the flag */
	int rc;

	*out = NULL;
	if ((rc = hmap_init(&keys, in->nfunctions + 16)))
		return rc;
	for (i = 0; i < in->nlocations; i++)
		if (in->locations[i].nlines > maxlines)
			maxlines = in->locations[i].nlines;
	lines = malloc(maxlines * sizeof(*lines));
	if (!lines) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	if ((rc = pb_new(&b)))
		goto done;
	/*
	 * Room for what is copied one for one, at once: grown by doubling instead, the sample
	 * arrays of a large profile are copied over in single steps of tens of ms, which no
	 * read of the cancel flag can cut short (and the result would hold up to twice that).
	 */
	if ((rc = pb_reserve(b, 0, 0, in->nlocations, in->nlines, in->nsamples, in->nsample_locs,
			     in->nlabels)))
		goto done;
	/* strings keep their ids (copied in order); keys are interned after them */
	if ((rc = pb_copy_header(b, in, false)))
		goto done;
	for (i = 0; i < in->nmappings; i++)
		if ((rc = pb_mapping(b, &in->mappings[i], &id)))
			goto done;
	for (i = 0; i < in->nlocations; i++) {
		const struct prof_location *l = &in->locations[i];

		if ((rc = prof_cancel_poll(cancel, &work, "granularity")))
			goto done;
		work++;
		for (j = 0; j < l->nlines; j++) {
			const struct prof_line *src = &in->lines[l->line_off + j];
			const struct prof_function *f = &in->functions[src->func];
			uint32_t sid, fid;

			buf_reset(&key);
			frame_key(in, l, src, g, &key);
			if ((rc = pb_string(b, key.data ? key.data : "", key.len, &sid)))
				goto done;
			if (!hmap_get(&keys, sid, &fid)) {
				struct prof_function nf = { sid, 0, g == GRAN_PACKAGES ? 0 : f->file,
							    g == GRAN_FUNCTIONS ? f->start_line : 0 };

				if ((rc = pb_function(b, &nf, &fid)) || (rc = hmap_put(&keys, sid, fid)))
					goto done;
			}
			lines[j].func = fid;
			lines[j].line = g == GRAN_FILES || g == GRAN_PACKAGES ? 0 : src->line;
		}
		if ((rc = pb_location(b, l->mapping, l->address, l->unsymbolized ? NULL : lines,
				      l->unsymbolized ? 0 : l->nlines, &id)))
			goto done;
	}
	for (i = 0; i < in->nsamples; i++) {
		if ((rc = prof_cancel_poll(cancel, &work, "granularity")))
			goto done;
		work += in->samples[i].nlocs;
		if ((rc = pb_copy_sample(b, in, i)))  /* locations were copied one for one */
			goto done;
	}
	rc = pb_finish(b, out);
	b = NULL;
done:
	pb_free(b);
	hmap_release(&keys);
	buf_release(&key);
	free(lines);
	return rc;
}

/* The k-th slot key of a multimap entry whose hash is h (collisions: the next k). */
static uint64_t probe_key(uint64_t h, uint32_t k)
{
	uint64_t x = hmap_mix(h + k);

	return x == HMAP_EMPTY ? 0 : x;
}

/* What granularity_pprof() keeps while it builds (arrays by shown's indices). */
struct pprof_form {
	const struct prof *shown, *before;
	struct prof_builder *b;
	uint32_t *orig;    /* shown's strings: the function of `before` a line key stands for */
	uint32_t *fmap;    /* shown's functions: the output's, PROF_NONE until made */
	uint32_t *first;   /* output locations: the shown location that made it */
	struct hmap bfuncs;  /* a function of before → the output's */
	struct hmap locs;    /* probe_key(chain hash, k) → output location */
};

/*
 * Lines granularity: orig[name] for every shown function named by a line key, the
 * function of `before` whose frames have that key (the first one, should two functions
 * differ only in system name or start line).  A key is looked up by its bytes, as shown's
 * strings are interned apart from before's.  0, or ERR_NOMEM.
 */
static int map_line_keys(struct pprof_form *pf)
{
	const struct prof *s = pf->shown, *bf = pf->before;
	struct hmap keyed;  /* probe_key(hash of a shown function's name, k) → its string id */
	struct buf key = BUF_INIT;
	uint32_t i, j, k, sid;
	int rc;

	if ((rc = hmap_init(&keyed, s->nfunctions + 16)))
		return rc;
	for (i = 0; i < s->nfunctions && !rc; i++) {
		uint32_t name = s->functions[i].name;
		uint64_t h = pb_string_hash(prof_str(s, name), prof_strlen(s, name));

		for (k = 0; !rc && hmap_get(&keyed, probe_key(h, k), &sid) && sid != name; k++)
			;
		if (!rc && !hmap_get(&keyed, probe_key(h, k), &sid))
			rc = hmap_put(&keyed, probe_key(h, k), name);
	}
	for (i = 0; i < bf->nlocations && !rc; i++) {
		const struct prof_location *l = &bf->locations[i];

		for (j = 0; j < l->nlines && !l->unsymbolized && !rc; j++) {
			const struct prof_line *line = &bf->lines[l->line_off + j];
			uint64_t h;

			buf_reset(&key);
			frame_key(bf, l, line, GRAN_LINES, &key);
			if (!key.data) {
				rc = err_set(ERR_NOMEM, "out of memory");
				break;
			}
			h = pb_string_hash(key.data, key.len);
			for (k = 0; hmap_get(&keyed, probe_key(h, k), &sid); k++) {
				if (prof_strlen(s, sid) == key.len &&
				    memcmp(prof_str(s, sid), key.data, key.len) == 0) {
					if (pf->orig[sid] == PROF_NONE)
						pf->orig[sid] = line->func;
					break;
				}
			}
		}
	}
	hmap_release(&keyed);
	buf_release(&key);
	return rc;
}

/* The string `id` of from, interned in b: *out its id there.  0, or an error. */
static int copy_str(struct prof_builder *b, const struct prof *from, uint32_t id, uint32_t *out)
{
	return pb_string(b, prof_str(from, id), prof_strlen(from, id), out);
}

/* The output's function for shown's function fid, made on first use.  0, or an error. */
static int pprof_function(struct pprof_form *pf, uint32_t fid, uint32_t *out)
{
	const struct prof *bf = pf->before;
	uint32_t bfid = pf->orig ? pf->orig[pf->shown->functions[fid].name] : PROF_NONE;
	struct prof_function nf;
	int rc;

	if (pf->fmap[fid] != PROF_NONE) {
		*out = pf->fmap[fid];
		return 0;
	}
	if (bfid == PROF_NONE) {  /* not a line key: the frame as shown */
		rc = pb_function(pf->b, &pf->shown->functions[fid], out);
	} else if (hmap_get(&pf->bfuncs, bfid, out)) {
		rc = 0;
	} else {
		const struct prof_function *f = &bf->functions[bfid];

		nf.start_line = f->start_line;
		if ((rc = copy_str(pf->b, bf, f->name, &nf.name)) ||
		    (rc = copy_str(pf->b, bf, f->system_name, &nf.system_name)) ||
		    (rc = copy_str(pf->b, bf, f->file, &nf.file)) || (rc = pb_function(pf->b, &nf, out)))
			return rc;
		rc = hmap_put(&pf->bfuncs, bfid, *out);
	}
	if (rc == 0)
		pf->fmap[fid] = *out;
	return rc;
}

/*
 * The output's location for shown's location i, whose frames are lines[0..n) in the
 * output: one per mapping and frames, the address dropped (pprof's Aggregate), made on
 * first use.  0, or an error.
 */
static int pprof_location(struct pprof_form *pf, uint32_t i, const struct prof_line *lines,
			  uint32_t n, uint32_t *out)
{
	const struct prof *s = pf->shown;
	const struct prof_location *l = &s->locations[i];
	uint64_t h = hmap_mix((uint64_t)l->mapping + 1);
	uint32_t j, k, id;
	int rc;

	for (j = 0; j < n; j++)
		h = hmap_mix(h ^ ((uint64_t)lines[j].func << 32 | (uint32_t)j)) ^
		    (uint64_t)lines[j].line;
	for (k = 0; hmap_get(&pf->locs, probe_key(h, k), &id); k++) {
		const struct prof_location *o = &s->locations[pf->first[id]];
		bool same = o->mapping == l->mapping && o->nlines == n;

		for (j = 0; j < n && same; j++)
			same = pf->fmap[s->lines[o->line_off + j].func] == lines[j].func &&
			       s->lines[o->line_off + j].line == lines[j].line;
		if (same) {
			*out = id;
			return 0;
		}
	}
	if ((rc = pb_location(pf->b, l->mapping, 0, lines, n, out)) ||
	    (rc = hmap_put(&pf->locs, probe_key(h, k), *out)))
		return rc;
	pf->first[*out] = i;
	return 0;
}

/* Builds the output of granularity_pprof() in pf->b: everything but pb_finish(). */
static int pprof_form_build(struct pprof_form *pf, uint32_t *lmap, struct prof_line *lines,
			    uint32_t *slocs)
{
	const struct prof *s = pf->shown;
	uint32_t i, j, id;
	int rc;

	if ((rc = pb_reserve(pf->b, 0, s->nfunctions, s->nlocations, s->nlines, s->nsamples,
			     s->nsample_locs, s->nlabels)) ||
	    (rc = pb_copy_header(pf->b, s, false)))  /* strings keep their ids */
		return rc;
	for (i = 0; i < s->nmappings; i++)
		if ((rc = pb_mapping(pf->b, &s->mappings[i], &id)))
			return rc;
	for (i = 0; i < s->nlocations; i++) {
		const struct prof_location *l = &s->locations[i];

		if (l->unsymbolized) {
			/* kept with its address, which is all pprof can symbolize it by */
			if ((rc = pb_location(pf->b, l->mapping, l->address, NULL, 0, &lmap[i])))
				return rc;
			pf->first[lmap[i]] = i;
			continue;
		}
		for (j = 0; j < l->nlines; j++) {
			const struct prof_line *ln = &s->lines[l->line_off + j];

			if ((rc = pprof_function(pf, ln->func, &lines[j].func)))
				return rc;
			lines[j].line = ln->line;
		}
		if ((rc = pprof_location(pf, i, lines, l->nlines, &lmap[i])))
			return rc;
	}
	for (i = 0; i < s->nsamples; i++) {
		const struct prof_sample *sm = &s->samples[i];

		for (j = 0; j < sm->nlocs; j++)
			slocs[j] = lmap[s->sample_locs[sm->loc_off + j]];
		if ((rc = pb_sample(pf->b, slocs, sm->nlocs, s->values + (size_t)i * s->ntypes,
				    sm->nlabels ? s->labels + sm->label_off : NULL, sm->nlabels)))
			return rc;
	}
	return 0;
}

int granularity_pprof(const struct prof *shown, const struct prof *before, enum granularity g,
		      struct prof **out)
{
	struct pprof_form pf = { shown, before, NULL, NULL, NULL, NULL, { 0 }, { 0 } };
	uint32_t i, *lmap = NULL, *slocs = NULL, maxlines = 1, maxlocs = 1;
	struct prof_line *lines = NULL;
	int rc;

	*out = NULL;
	if (g != GRAN_LINES && g != GRAN_FILES)
		return 0;
	for (i = 0; i < shown->nlocations; i++)
		if (shown->locations[i].nlines > maxlines)
			maxlines = shown->locations[i].nlines;
	for (i = 0; i < shown->nsamples; i++)
		if (shown->samples[i].nlocs > maxlocs)
			maxlocs = shown->samples[i].nlocs;
	pf.fmap = malloc((shown->nfunctions + 1) * sizeof(*pf.fmap));
	pf.first = malloc((shown->nlocations + 1) * sizeof(*pf.first));
	lmap = malloc((shown->nlocations + 1) * sizeof(*lmap));
	slocs = malloc(maxlocs * sizeof(*slocs));
	lines = malloc(maxlines * sizeof(*lines));
	if (g == GRAN_LINES)
		pf.orig = malloc((shown->nstrs + 1) * sizeof(*pf.orig));
	if (!pf.fmap || !pf.first || !lmap || !slocs || !lines || (g == GRAN_LINES && !pf.orig)) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	memset(pf.fmap, 0xff, (shown->nfunctions + 1) * sizeof(*pf.fmap));  /* PROF_NONE */
	if (pf.orig)
		memset(pf.orig, 0xff, (shown->nstrs + 1) * sizeof(*pf.orig));
	if ((rc = hmap_init(&pf.bfuncs, 16)) || (rc = hmap_init(&pf.locs, shown->nlocations + 16)))
		goto done;
	if (pf.orig && (rc = map_line_keys(&pf)))
		goto done;
	if ((rc = pb_new(&pf.b)))
		goto done;
	if ((rc = pprof_form_build(&pf, lmap, lines, slocs)) == 0) {
		rc = pb_finish(pf.b, out);
		pf.b = NULL;
	}
done:
	pb_free(pf.b);
	hmap_release(&pf.bfuncs);
	hmap_release(&pf.locs);
	free(pf.orig);
	free(pf.fmap);
	free(pf.first);
	free(lmap);
	free(slocs);
	free(lines);
	return rc;
}
