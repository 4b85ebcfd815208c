/* prof.c — lifetime and small queries of the immutable model (see prof.h). */
#include "prof.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct prof *prof_ref(struct prof *p)
{
	if (p)
		atomic_fetch_add(&p->refs, 1);
	return p;
}

void prof_free(struct prof *p)
{
	unsigned more;

	if (!p)
		return;
	/* another reference remains: this one ends and the profile stays (which holder
	 * drops last does not matter; every one of them only reads it) */
	for (more = atomic_load(&p->refs); more > 0;)
		if (atomic_compare_exchange_weak(&p->refs, &more, more - 1))
			return;
	free(p->strs);
	free(p->str_lens);
	free(p->sample_types);
	free(p->mappings);
	free(p->functions);
	free(p->locations);
	free(p->lines);
	free(p->samples);
	free(p->sample_locs);
	free(p->values);
	free(p->labels);
	free(p->comments);
	arena_release(&p->arena);
	free(p);
}

int64_t prof_total(const struct prof *p, uint32_t type)
{
	int64_t sum = 0;
	uint32_t i;

	for (i = 0; i < p->nsamples; i++)
		sum += prof_value(p, i, type);
	return sum;
}

bool prof_is_signed(const struct prof *p)
{
	size_t i, n = (size_t)p->nsamples * p->ntypes;

	for (i = 0; i < n; i++)
		if (p->values[i] < 0)
			return true;
	return false;
}

int64_t prof_total_abs(const struct prof *p, uint32_t type)
{
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < p->nsamples; i++) {
		int64_t v = prof_value(p, i, type);

		sum += v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
		if (sum > INT64_MAX)
			return INT64_MAX;
	}
	return (int64_t)sum;
}

int prof_find_type(const struct prof *p, const char *name)
{
	const char *no_inuse = strncmp(name, "inuse_", 6) == 0 ? name + 6 : name;
	const char *digits = name + (*name == '+' || *name == '-');
	char *end;
	long v;
	uint32_t i;

	/*
	 * pprof's SampleIndexByName: a number first, then the name or it without "inuse_".
	 * The number is Go's strconv.Atoi's: an optional sign and decimal digits, nothing
	 * else ("+1" and "01" are 1; " 1", "1 " and "0x1" are names).  strtol alone took a
	 * leading blank.  A number past Atoi's range is a name to pprof, and matches none.
	 */
	if (*digits && strspn(digits, "0123456789") == strlen(digits)) {
		errno = 0;
		v = strtol(name, &end, 10);
		return !errno && v >= 0 && v < (long)p->ntypes ? (int)v : -1;
	}
	for (i = 0; i < p->ntypes; i++)
		if (strcmp(prof_str(p, p->sample_types[i].type), name) == 0 ||
		    strcmp(prof_str(p, p->sample_types[i].type), no_inuse) == 0)
			return (int)i;
	return -1;
}

uint32_t prof_find_str(const struct prof *p, const char *s)
{
	uint32_t i;

	for (i = 0; i < p->nstrs; i++)
		if (strcmp(p->strs[i], s) == 0)
			return i;
	return PROF_NONE;
}
