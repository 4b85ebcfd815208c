/*
 * vec.h — growing a malloc'd array in place.
 *
 * vec_reserve(&ptr, &cap, need, sizeof *ptr) makes room for `need` elements, doubling.
 * The caller owns the array and frees it with free().
 */
#ifndef SMOLDER_VEC_H
#define SMOLDER_VEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "err.h"

static inline int vec_reserve_(void **p, size_t *cap, size_t need, size_t elsz)
{
	size_t ncap;
	void *q;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 16;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elsz)
			return err_set(ERR_NOMEM, "array too large");
		ncap *= 2;
	}
	q = realloc(*p, ncap * elsz);
	if (!q)
		return err_set(ERR_NOMEM, "out of memory (%zu bytes)", ncap * elsz);
	*p = q;
	*cap = ncap;
	return 0;
}

#define vec_reserve(pp, capp, need) \
	vec_reserve_((void **)(pp), (capp), (need), sizeof(**(pp)))

#endif
