/* strvec.c — owned string arrays (strvec.h). */
#include "strvec.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "vec.h"

int strvec_pushn(struct strvec *sv, const char *s, size_t len)
{
	char *copy;
	int rc;

	if ((rc = vec_reserve(&sv->v, &sv->cap, sv->n + 1)))
		return rc;
	if (!(copy = malloc(len + 1)))
		return err_set(ERR_NOMEM, "out of memory");
	memcpy(copy, s, len);
	copy[len] = '\0';
	sv->v[sv->n++] = copy;
	return 0;
}

int strvec_push(struct strvec *sv, const char *s)
{
	return strvec_pushn(sv, s, strlen(s));
}

bool strvec_contains(const struct strvec *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strvec_sort_unique(struct strvec *sv)
{
	size_t i, j = 0;

	if (sv->n == 0)
		return;
	qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
	for (i = 1; i < sv->n; i++) {
		if (strcmp(sv->v[i], sv->v[j]) == 0)
			free(sv->v[i]);
		else
			sv->v[++j] = sv->v[i];
	}
	sv->n = j + 1;
}

void strvec_release(struct strvec *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}
