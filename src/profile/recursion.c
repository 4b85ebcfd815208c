/*
 * recursion.c — collapsing direct recursion (recursion.h).
 *
 * Each frame of a stack is one line of a location.  Of a run f → f → f the innermost
 * frame is kept: its line is where the run calls the next function or, at the leaf,
 * where the time was spent; the outer frames' lines are only f's calls to itself, which
 * collapsing removes.  (Keeping the outermost put the leaf's self cost on the line of
 * the first recursive call, in list and at line granularity.)  A collapsed stack is
 * rebuilt from locations created on first use and cached: a location all of whose lines
 * it keeps is re-created whole, so its inline frames stay one location (pprof marks them
 * "(inline)"); a location some of whose lines collapsed gives single-line locations, one
 * per line kept, cached by the line's global index; unsymbolized locations are
 * re-created as they are.
 * The cancel flag is read before the first sample and then once CANCEL_EVERY frames have
 * been walked since the last read (the work is per frame; stacks differ in depth).
 */
#include "recursion.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/vec.h"
#include "builder.h"

/* Frames walked between two reads of the cancel flag: unmeasurable next to them. */
#define CANCEL_EVERY 4096

struct rctx {
	const struct prof *in;
	struct prof_builder *b;
	uint32_t *line_loc;   /* per global line: its single-line location, or PROF_NONE */
	uint32_t *whole_loc;  /* per location: re-created whole (unsymbolized ones too) */
};

/*
 * The location for `nk` kept lines of location `loc`, the innermost k: the location whole
 * when they are all its lines, else line k on its own (nk is then 1).
 */
static int frame_loc(struct rctx *c, uint32_t loc, uint32_t k, uint32_t nk, uint32_t *out)
{
	const struct prof_location *l = &c->in->locations[loc];
	bool whole = l->unsymbolized || nk == l->nlines;
	uint32_t *slot = whole ? &c->whole_loc[loc] : &c->line_loc[l->line_off + k];
	int rc;

	if (*slot == PROF_NONE) {
		if (l->unsymbolized)
			rc = pb_location(c->b, l->mapping, l->address, NULL, 0, slot);
		else if (whole)
			rc = pb_location(c->b, l->mapping, l->address, &c->in->lines[l->line_off],
					 l->nlines, slot);
		else
			rc = pb_location(c->b, l->mapping, l->address, &c->in->lines[l->line_off + k],
					 1, slot);
		if (rc)
			return rc;
	}
	*out = *slot;
	return 0;
}

int prof_collapse_recursion(const struct prof *in, struct prof **out)
{
	return prof_collapse_recursion_cancellable(in, NULL, out);
}

int prof_collapse_recursion_cancellable(const struct prof *in, atomic_int *cancel,
					struct prof **out)
{
	struct rctx c = { in, NULL, NULL, NULL };
	uint32_t *stack = NULL, *lines = NULL, *names = NULL, *locs = NULL, i, j, k, nk;
	size_t cap = 0, kcap = 0, ncap = 0, lcap = 0;
	size_t work = CANCEL_EVERY; /* the first sample reads it */
	int64_t *vals = NULL;
	int rc;

	*out = NULL;
	c.line_loc = malloc(((size_t)in->nlines + 1) * sizeof(*c.line_loc));
	c.whole_loc = malloc(((size_t)in->nlocations + 1) * sizeof(*c.whole_loc));
	vals = malloc(((size_t)in->ntypes + 1) * sizeof(*vals));
	if (!c.line_loc || !c.whole_loc || !vals) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	memset(c.line_loc, 0xff, ((size_t)in->nlines + 1) * sizeof(*c.line_loc));
	memset(c.whole_loc, 0xff, ((size_t)in->nlocations + 1) * sizeof(*c.whole_loc));
	if ((rc = pb_new(&c.b)) || (rc = pb_copy_header(c.b, in, true)))
		goto done;
	for (i = 0; i < in->nsamples; i++) {
		const struct prof_sample *s = &in->samples[i];
		uint32_t n = 0, t;

		if ((work += s->nlocs) >= CANCEL_EVERY) {
			work = 0;
			if (cancel && atomic_load_explicit(cancel, memory_order_relaxed)) {
				rc = err_set(ERR_CANCELLED, "collapsing recursion cancelled");
				goto done;
			}
		}
		/*
		 * root first: (location, line) per kept frame; a frame of the same name as
		 * the last kept one replaces it (the innermost of a run stays)
		 */
		for (j = s->nlocs; j-- > 0;) {
			uint32_t loc = in->sample_locs[s->loc_off + j];
			const struct prof_location *l = &in->locations[loc];

			for (k = l->nlines; k-- > 0;) {
				uint32_t name = in->functions[in->lines[l->line_off + k].func].name;

				if (n == 0 || names[n - 1] != name) {
					if ((rc = vec_reserve(&stack, &cap, (size_t)n + 1)) ||
					    (rc = vec_reserve(&lines, &kcap, (size_t)n + 1)) ||
					    (rc = vec_reserve(&names, &ncap, (size_t)n + 1)))
						goto done;
					names[n++] = name;
				}
				stack[n - 1] = loc;
				lines[n - 1] = l->unsymbolized ? 0 : k;
			}
		}
		if ((rc = vec_reserve(&locs, &lcap, (size_t)n + 1)))
			goto done;
		/*
		 * leaf first, a location's kept lines together: when they are all its lines
		 * (none collapsed), it is one location again
		 */
		for (j = n, t = 0; j > 0; j -= nk, t++) {
			const struct prof_location *l = &in->locations[stack[j - 1]];

			for (nk = 1; nk < j && stack[j - 1 - nk] == stack[j - 1] &&
				     lines[j - 1 - nk] == lines[j - 1] + nk; nk++)
				;
			if (nk != l->nlines || l->unsymbolized)
				nk = 1;
			if ((rc = frame_loc(&c, stack[j - 1], lines[j - 1], nk, &locs[t])))
				goto done;
		}
		n = t;
		for (t = 0; t < in->ntypes; t++)
			vals[t] = prof_value(in, i, t);
		if ((rc = pb_sample(c.b, locs, n, vals, s->nlabels ? in->labels + s->label_off : NULL,
				    s->nlabels)))
			goto done;
	}
	rc = pb_finish(c.b, out);
	c.b = NULL;
done:
	pb_free(c.b);
	free(c.line_loc);
	free(c.whole_loc);
	free(stack);
	free(lines);
	free(names);
	free(locs);
	free(vals);
	return rc;
}
