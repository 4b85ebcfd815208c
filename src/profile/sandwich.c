/*
 * sandwich.c — callers / callees profiles of one function (see sandwich.h).
 *
 * The cancel flag is read before the first sample and then once CANCEL_EVERY frames have
 * been walked since the last read: the work is per frame, and stacks differ in depth.
 */
#include "sandwich.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/vec.h"
#include "builder.h"

/* Frames walked between two reads of the cancel flag: unmeasurable next to them. */
#define CANCEL_EVERY 4096

static int start(const struct prof *p, struct prof_builder **out)
{
	int rc;

	if ((rc = pb_new(out)))
		return rc;
	if ((rc = pb_copy_header(*out, p, false))) {
		pb_free(*out);
		*out = NULL;
	}
	return rc;
}

int sandwich_build(const struct prof *p, uint32_t name, struct prof **callers,
		   struct prof **callees)
{
	return sandwich_build_cancellable(p, name, NULL, callers, callees);
}

int sandwich_build_cancellable(const struct prof *p, uint32_t name, atomic_int *cancel,
			       struct prof **callers, struct prof **callees)
{
	struct prof_builder *bc = NULL, *be = NULL;
	uint32_t *frames = NULL, *locs = NULL, i, j, k, n, first, last;
	size_t cap = 0, lcap = 0, work = CANCEL_EVERY; /* the first sample reads the flag */
	int rc;

	*callers = *callees = NULL;
	if ((rc = start(p, &bc)) || (rc = start(p, &be)))
		goto done;
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];

		if ((work += s->nlocs) >= CANCEL_EVERY) {
			work = 0;
			if (cancel && atomic_load_explicit(cancel, memory_order_relaxed)) {
				rc = err_set(ERR_CANCELLED, "sandwich cancelled");
				goto done;
			}
		}
		/* the frames' names, root first */
		n = 0;
		for (j = s->nlocs; j-- > 0;) {
			const struct prof_location *l = &p->locations[p->sample_locs[s->loc_off + j]];

			if ((rc = vec_reserve(&frames, &cap, (size_t)n + l->nlines)))
				goto done;
			for (k = l->nlines; k-- > 0;)
				frames[n++] = p->functions[p->lines[l->line_off + k].func].name;
		}
		for (first = 0; first < n && frames[first] != name; first++)
			;
		if (first == n)
			continue;
		for (last = n - 1; frames[last] != name; last--)
			;
		if ((rc = vec_reserve(&locs, &lcap, n)))
			goto done;
		/* callees: root first frames[first..n) → the model's leaf-first order */
		for (j = 0; j < n - first; j++)
			if ((rc = pb_named_frame(be, prof_str(p, frames[n - 1 - j]),
						 prof_strlen(p, frames[n - 1 - j]), &locs[j])))
				goto done;
		if ((rc = pb_sample(be, locs, n - first, p->values + (size_t)i * p->ntypes, NULL, 0)))
			goto done;
		/* callers: the function is the root, the sample's root the leaf */
		for (j = 0; j <= last; j++)
			if ((rc = pb_named_frame(bc, prof_str(p, frames[j]), prof_strlen(p, frames[j]),
						 &locs[j])))
				goto done;
		if ((rc = pb_sample(bc, locs, last + 1, p->values + (size_t)i * p->ntypes, NULL, 0)))
			goto done;
	}
	rc = pb_finish(bc, callers); /* consumes the builder either way */
	bc = NULL;
	if (rc)
		goto done;
	rc = pb_finish(be, callees);
	be = NULL;
done:
	pb_free(bc);
	pb_free(be);
	free(frames);
	free(locs);
	if (rc) {
		prof_free(*callers);
		*callers = NULL;
	}
	return rc;
}

int64_t sandwich_self(const struct tree *callees, uint32_t name, uint32_t type)
{
	int64_t sum = 0;
	uint32_t i;

	for (i = 1; i < callees->n; i++)
		if (callees->name[i] == name)
			sum += tree_self(callees, i, type);
	return sum;
}
