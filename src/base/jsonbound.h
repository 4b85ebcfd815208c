/*
 * jsonbound.h — bounding what parsing an untrusted JSON text would allocate, before
 * parsing it: jansson allocates per value, so decoders count first and refuse texts
 * with too many values.
 *
 * Ownership: nothing is allocated; the text is only read.
 */
#ifndef SMOLDER_JSONBOUND_H
#define SMOLDER_JSONBOUND_H

#include <stddef.h>

/* An upper bound of the values (and keys) in s[0..n): structural characters outside
 * strings, plus one. */
size_t json_count_values(const char *s, size_t n);

#endif
