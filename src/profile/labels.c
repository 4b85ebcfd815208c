/* labels.c — sorted label sets (labels.h). */
#include "labels.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/err.h"
#include "base/vec.h"

static size_t lower_bound(const struct labelset *ls, const char *name)
{
	size_t lo = 0, hi = ls->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ls->v[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int labelset_set(struct labelset *ls, const char *name, const char *value)
{
	size_t i = lower_bound(ls, name);
	char *v = strdup(value), *n;
	int rc;

	if (!v)
		return err_set(ERR_NOMEM, "out of memory");
	if (i < ls->n && strcmp(ls->v[i].name, name) == 0) {
		free(ls->v[i].value);
		ls->v[i].value = v;
		return 0;
	}
	n = strdup(name);
	if (!n || (rc = vec_reserve(&ls->v, &ls->cap, ls->n + 1))) {
		free(n);
		free(v);
		return err_set(ERR_NOMEM, "out of memory");
	}
	memmove(ls->v + i + 1, ls->v + i, (ls->n - i) * sizeof(*ls->v));
	ls->v[i].name = n;
	ls->v[i].value = v;
	ls->n++;
	return 0;
}

const char *labelset_get(const struct labelset *ls, const char *name)
{
	size_t i = lower_bound(ls, name);

	return i < ls->n && strcmp(ls->v[i].name, name) == 0 ? ls->v[i].value : NULL;
}

bool labelset_given(const struct labelset *ls, const char *name)
{
	const char *v = labelset_get(ls, name);

	return v && *v;
}

int labelset_del(struct labelset *ls, const char *name)
{
	size_t i = lower_bound(ls, name);

	if (i >= ls->n || strcmp(ls->v[i].name, name) != 0)
		return 0;
	free(ls->v[i].name);
	free(ls->v[i].value);
	memmove(ls->v + i, ls->v + i + 1, (ls->n - i - 1) * sizeof(*ls->v));
	ls->n--;
	return 1;
}

int labelset_copy(struct labelset *dst, const struct labelset *src)
{
	size_t i;
	int rc;

	for (i = 0; i < src->n; i++)
		if ((rc = labelset_set(dst, src->v[i].name, src->v[i].value)))
			return rc;
	return 0;
}

bool labelset_equal(const struct labelset *a, const struct labelset *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].name, b->v[i].name) || strcmp(a->v[i].value, b->v[i].value))
			return false;
	return true;
}

uint64_t labelset_hash(const struct labelset *ls)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ ls->n;
	size_t i;

	/* each string's hash seeds the next, with its NUL: ("ab","c") and ("a","bc") differ */
	for (i = 0; i < ls->n; i++) {
		h = XXH3_64bits_withSeed(ls->v[i].name, strlen(ls->v[i].name) + 1, h);
		h = XXH3_64bits_withSeed(ls->v[i].value, strlen(ls->v[i].value) + 1, h);
	}
	return h;
}

void labelset_free(struct labelset *ls)
{
	size_t i;

	for (i = 0; i < ls->n; i++) {
		free(ls->v[i].name);
		free(ls->v[i].value);
	}
	free(ls->v);
	ls->v = NULL;
	ls->n = ls->cap = 0;
}

/* What Pyroscope's default sample_type_config calls a sample type. */
static const char *default_display(const char *type)
{
	static const char *const map[][2] = {
		{ "samples", "cpu" },
		{ "goroutine", "goroutines" },
		{ "contentions", "mutex_count" },
		{ "delay", "mutex_duration" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(type, map[i][0]) == 0)
			return map[i][1];
	return type;
}

const char *labels_metric_name(const struct prof *p, const char *const *display)
{
	const char *d = "";
	uint32_t t;

	for (t = 0; t < p->ntypes; t++)
		if (strcmp(prof_str(p, p->sample_types[t].type), "wall") == 0)
			return "wall";
	for (t = 0; t < p->ntypes; t++) {
		const char *ty = prof_str(p, p->sample_types[t].type);

		d = display ? (display[t] ? display[t] : ty) : default_display(ty);
		if (strstr(d, "cpu"))
			return "process_cpu";
		if (strstr(d, "alloc_") || strstr(d, "inuse_") || strcmp(d, "space") == 0 ||
		    strcmp(d, "objects") == 0)
			return "memory";
		if (strstr(d, "mutex_"))
			return "mutex";
		if (strstr(d, "block_"))
			return "block";
		if (strstr(d, "goroutines"))
			return "goroutines";
	}
	/* as upstream's metricName: the last type, by its display name when it has one */
	return d;
}

int labels_profile_type(const struct prof *p, uint32_t type, const char *name, struct buf *out)
{
	if (type >= p->ntypes)
		return err_set(ERR_USAGE, "no sample type %u", type);
	return buf_printf(out, "%s:%s:%s:%s:%s", name, prof_str(p, p->sample_types[type].type),
			  prof_str(p, p->sample_types[type].unit), prof_str(p, p->period_type.type),
			  prof_str(p, p->period_type.unit));
}
