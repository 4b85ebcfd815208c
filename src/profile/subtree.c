/* subtree.c — keeping the samples under a call path (subtree.h). */
#include "subtree.h"

#include <stdlib.h>

#include "base/err.h"
#include "builder.h"

/* True when sample i's frames, root first, begin with path[0 .. n). */
static bool under(const struct prof *p, uint32_t i, const uint32_t *path, uint32_t n)
{
	const struct prof_sample *s = &p->samples[i];
	uint32_t d = 0, j, k;

	for (j = s->nlocs; j-- > 0 && d < n;) {
		const struct prof_location *l = &p->locations[p->sample_locs[s->loc_off + j]];

		for (k = l->nlines; k-- > 0 && d < n;)
			if (p->functions[p->lines[l->line_off + k].func].name != path[d++])
				return false;
	}
	return d == n;
}

int prof_subtree(const struct prof *in, const uint32_t *path, uint32_t n, struct prof **out)
{
	struct prof_builder *b = NULL;
	uint32_t i, j, maxl = 1, *locs = NULL;
	int64_t *vals = malloc(((size_t)in->ntypes + 1) * sizeof(*vals));
	int rc;

	*out = NULL;
	for (i = 0; i < in->nsamples; i++)
		if (in->samples[i].nlocs > maxl)
			maxl = in->samples[i].nlocs;
	locs = malloc((size_t)maxl * sizeof(*locs));
	if (!vals || !locs) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	if ((rc = pb_new(&b)) || (rc = pb_copy_header(b, in, true)))
		goto done;
	/* locations keep their indices: copy them all, in order */
	if ((rc = pb_copy_locations(b, in)))
		goto done;
	for (i = 0; i < in->nsamples; i++) {
		const struct prof_sample *s = &in->samples[i];

		if (!under(in, i, path, n))
			continue;
		for (j = 0; j < s->nlocs; j++)
			locs[j] = in->sample_locs[s->loc_off + j];
		for (j = 0; j < in->ntypes; j++)
			vals[j] = prof_value(in, i, j);
		if ((rc = pb_sample(b, locs, s->nlocs, vals,
				    s->nlabels ? in->labels + s->label_off : NULL, s->nlabels)))
			goto done;
	}
	rc = pb_finish(b, out);
	b = NULL;
done:
	pb_free(b);
	free(vals);
	free(locs);
	return rc;
}
