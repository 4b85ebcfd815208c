/* labels.c — sorted label sets (labels.h). */
#include "labels.h"

#include <stdlib.h>
#include <string.h>

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

int labelset_copy(struct labelset *dst, const struct labelset *src)
{
	size_t i;
	int rc;

	for (i = 0; i < src->n; i++)
		if ((rc = labelset_set(dst, src->v[i].name, src->v[i].value)))
			return rc;
	return 0;
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
