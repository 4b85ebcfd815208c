/*
 * strvec.h — a growable array of owned NUL-terminated strings (label names, values,
 * profile type IDs returned by queries).
 *
 * Ownership: the vector owns every string and the array; strvec_release() frees them
 * all.  Pointers into it are borrowed until the next push or the release.
 */
#ifndef SMOLDER_STRVEC_H
#define SMOLDER_STRVEC_H

#include <stdbool.h>
#include <stddef.h>

struct strvec {
	char **v;
	size_t n, cap;
};

#define STRVEC_INIT { NULL, 0, 0 }

/* Appends a copy of s[0..len). */
int strvec_pushn(struct strvec *sv, const char *s, size_t len);
int strvec_push(struct strvec *sv, const char *s);
bool strvec_contains(const struct strvec *sv, const char *s);
/* Sorts (strcmp order) and removes duplicates. */
void strvec_sort_unique(struct strvec *sv);
void strvec_release(struct strvec *sv);

#endif
