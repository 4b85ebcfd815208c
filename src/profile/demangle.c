/*
 * demangle.c — pprof's simplification of demangled C++ names (see demangle.h).
 */
#include "demangle.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/hmap.h"
#include "builder.h"

int demangle_parse(const char *s)
{
	static const char *const names[] = { "default", "templates", "full", "none" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

static bool has(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(s + i, needle, k) == 0)
			return true;
	return false;
}

/* pprof's looksLikeDemangledCPlusPlus */
static bool looks_like_cplusplus(const char *s, size_t n)
{
	if (has(s, n, ".<") || has(s, n, "])."))
		return false;
	return memchr(s, '<', n) || memchr(s, '>', n) || memchr(s, '[', n) ||
	       memchr(s, ']', n) || has(s, n, "::");
}

/*
 * pprof's removeMatching: s[0..n) without its outermost open..close groups, into out.
 * A close without an open stops the removal there, keeping the rest as it is.
 */
static void remove_matching(const char *s, size_t n, char open, char close, struct buf *out)
{
	size_t i, first = 0;
	int nesting = 0;

	buf_reset(out);
	for (i = 0; i < n; i++) {
		buf_add(out, s + i, 1);
		if (s[i] == open) {
			if (++nesting == 1)
				first = out->len - 1;
		} else if (s[i] == close) {
			if (--nesting < 0) {
				buf_add(out, s + i + 1, n - i - 1);
				return;
			}
			if (nesting == 0) {
				out->len = first;
				out->data[first] = '\0';
			}
		}
	}
}

bool demangle_simplify(const char *name, size_t n, enum demangle_mode mode, struct buf *out)
{
	struct buf tmp = BUF_INIT;

	buf_reset(out);
	if ((mode != DEMANGLE_DEFAULT && mode != DEMANGLE_TEMPLATES) ||
	    !looks_like_cplusplus(name, n)) {
		buf_add(out, name, n);
		return false;
	}
	remove_matching(name, n, '(', ')', out);
	if (mode == DEMANGLE_DEFAULT) {
		buf_add(&tmp, out->data ? out->data : "", out->len);
		remove_matching(tmp.data ? tmp.data : "", tmp.len, '<', '>', out);
		buf_release(&tmp);
	}
	if (!out->data)
		buf_add(out, "", 0);
	return out->len != n || memcmp(out->data, name, n) != 0;
}

/*
 * The name function f gets under mode as a string id of b (strings keep their ids from
 * pb_copy_header); *changed when it is not f->name.
 */
static int new_name(struct prof_builder *b, const struct prof *in, const struct prof_function *f,
		    enum demangle_mode mode, struct buf *tmp, uint32_t *id, bool *changed)
{
	uint32_t src = f->name;
	int rc;

	*id = f->name;
	*changed = false;
	if (prof_strlen(in, f->name) == 0) {
		src = f->system_name;  /* pprof: an empty name takes the system name */
	} else if (f->system_name != f->name) {
		/* "already demangled"; the other modes force the system name in */
		if (mode == DEMANGLE_DEFAULT || prof_strlen(in, f->system_name) == 0)
			return 0;
		src = f->system_name;
	}
	if (!demangle_simplify(prof_str(in, src), prof_strlen(in, src), mode, tmp) &&
	    src == f->name)
		return 0;
	if ((rc = pb_string(b, tmp->data, tmp->len, id)))
		return rc;
	*changed = *id != f->name;
	return 0;
}

int prof_demangle(const struct prof *in, enum demangle_mode mode, struct prof **out)
{
	struct prof_builder *b = NULL;
	struct prof_line *lines = NULL;
	struct buf tmp = BUF_INIT;
	uint32_t i, id, maxlines = 1;
	bool any = false, changed;
	int rc;

	*out = NULL;
	if ((rc = pb_new(&b)) || (rc = pb_copy_header(b, in, false)))
		goto done;
	for (i = 0; i < in->nmappings; i++)
		if ((rc = pb_mapping(b, &in->mappings[i], &id)))
			goto done;
	for (i = 0; i < in->nfunctions; i++) {
		struct prof_function f = in->functions[i];

		if ((rc = new_name(b, in, &in->functions[i], mode, &tmp, &f.name, &changed)))
			goto done;
		any |= changed;
		if ((rc = pb_function(b, &f, &id)))
			goto done;
	}
	if (!any)
		goto done;  /* nothing to change: the caller keeps `in` */
	for (i = 0; i < in->nlocations; i++)
		if (in->locations[i].nlines > maxlines)
			maxlines = in->locations[i].nlines;
	if (!(lines = malloc(maxlines * sizeof(*lines)))) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < in->nlocations; i++) {
		const struct prof_location *l = &in->locations[i];

		if (!l->unsymbolized)
			memcpy(lines, in->lines + l->line_off, l->nlines * sizeof(*lines));
		if ((rc = pb_location(b, l->mapping, l->address, l->unsymbolized ? NULL : lines,
				      l->unsymbolized ? 0 : l->nlines, &id)))
			goto done;
	}
	for (i = 0; i < in->nsamples; i++)
		if ((rc = pb_copy_sample(b, in, i)))  /* locations were copied one for one */
			goto done;
	rc = pb_finish(b, out);
	b = NULL;
done:
	pb_free(b);
	buf_release(&tmp);
	free(lines);
	return rc;
}
