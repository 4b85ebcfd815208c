/*
 * transform.c — a profile's stacks reversed, one sample type kept, sample types renamed
 * (transform.h).  Each starts from pb_copy_header with the tables, so every string,
 * function and mapping keeps its id, and copies the locations one for one, so sample
 * stacks need no translation: only what changes is rebuilt.
 */
#include "transform.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/vec.h"
#include "builder.h"
#include "profile_int.h"

/* A sample's labels: a profile without labels has none (in->labels is NULL). */
static const struct prof_label *labels_of(const struct prof *in, const struct prof_sample *s)
{
	return s->nlabels ? in->labels + s->label_off : NULL;
}

int prof_reverse_stacks(const struct prof *in, atomic_int *cancel, struct prof **out)
{
	struct prof_builder *b = NULL;
	uint32_t *locs = NULL, i, k;
	size_t cap = 0, work = PROF_CANCEL_EVERY; /* the first sample reads the flag */
	int rc;

	*out = NULL;
	if ((rc = pb_new(&b)) || (rc = pb_copy_header(b, in, true)) ||
	    (rc = pb_copy_locations(b, in)))
		goto done;
	for (i = 0; i < in->nsamples; i++) {
		const struct prof_sample *s = &in->samples[i];

		if ((rc = prof_cancel_poll(cancel, &work, "reversing the stacks")) ||
		    (rc = vec_reserve(&locs, &cap, s->nlocs)))
			goto done;
		for (k = 0; k < s->nlocs; k++)
			locs[k] = in->sample_locs[s->loc_off + s->nlocs - 1 - k];
		if ((rc = pb_sample(b, locs, s->nlocs, in->values + (size_t)i * in->ntypes,
				    labels_of(in, s), s->nlabels)))
			goto done;
		work += 1 + s->nlocs;
	}
	rc = pb_finish(b, out); /* consumes the builder either way */
	b = NULL;
done:
	pb_free(b);
	free(locs);
	return rc;
}

int prof_keep_type(const struct prof *in, uint32_t type, atomic_int *cancel,
		   struct prof **out)
{
	struct prof_builder *b = NULL;
	size_t work = PROF_CANCEL_EVERY; /* the first sample reads the flag */
	int64_t v;
	uint32_t i;
	int rc;

	*out = NULL;
	if (type >= in->ntypes)
		return err_set(ERR_NOTFOUND, "no sample type %u: the profile has %u", type,
			       in->ntypes);
	/* the same strings, tables and locations (ids hold); one type, one value a sample */
	if ((rc = pb_new(&b)) || (rc = pb_copy_header(b, in, true)))
		goto done;
	pb_truncate_types(b, 0);
	if ((rc = pb_sample_type(b, in->sample_types[type].type, in->sample_types[type].unit)))
		goto done;
	if (in->default_named)
		pb_set_default_type(b, 0);
	if ((rc = pb_copy_locations(b, in)))
		goto done;
	for (i = 0; i < in->nsamples; i++) {
		const struct prof_sample *s = &in->samples[i];

		if ((rc = prof_cancel_poll(cancel, &work, "keeping a sample type")))
			goto done;
		v = prof_value(in, i, type);
		if ((rc = pb_sample(b, s->nlocs ? in->sample_locs + s->loc_off : NULL, s->nlocs,
				    &v, labels_of(in, s), s->nlabels)))
			goto done;
		work += 1 + s->nlocs;
	}
	rc = pb_finish(b, out);
	b = NULL;
done:
	pb_free(b);
	return rc;
}

int prof_rename_types(const struct prof *in, char from, char to, atomic_int *cancel,
		      struct prof **out)
{
	struct prof_builder *b = NULL;
	struct buf name = BUF_INIT;
	size_t work = PROF_CANCEL_EVERY, k; /* the first sample reads the flag */
	uint32_t i, id;
	bool any = false;
	int rc;

	*out = NULL;
	for (i = 0; i < in->ntypes; i++)
		any |= memchr(prof_str(in, in->sample_types[i].type), from,
			      prof_strlen(in, in->sample_types[i].type)) != NULL;
	if (!any)
		return 0;
	/* the same strings (ids), tables and header; then the types again, renamed */
	if ((rc = pb_new(&b)) || (rc = pb_copy_header(b, in, true)))
		goto done;
	pb_truncate_types(b, 0);
	for (i = 0; i < in->ntypes; i++) {
		buf_reset(&name);
		if ((rc = buf_add(&name, prof_str(in, in->sample_types[i].type),
				  prof_strlen(in, in->sample_types[i].type))))
			goto done;
		for (k = 0; k < name.len; k++)
			if (name.data[k] == from)
				name.data[k] = to;
		if ((rc = pb_string(b, name.data, name.len, &id)) ||
		    (rc = pb_sample_type(b, id, in->sample_types[i].unit)))
			goto done;
	}
	if ((rc = pb_copy_locations(b, in)))
		goto done;
	for (i = 0; i < in->nsamples; i++) {
		if ((rc = prof_cancel_poll(cancel, &work, "renaming the sample types")) ||
		    (rc = pb_copy_sample(b, in, i)))
			goto done;
		work += 1 + in->samples[i].nlocs;
	}
	rc = pb_finish(b, out);
	b = NULL;
done:
	pb_free(b);
	buf_release(&name);
	return rc;
}
