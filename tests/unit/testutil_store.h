/*
 * testutil_store.h — what the store tests share (see testutil.h for the rest).
 *
 * Every helper fails the running cmocka test on error.  Ownership: the caller frees what
 * it gets — store_close(), backend_close(), prof_free(), free() for ts_ptype_of's string.
 */
#ifndef SMOLDER_TESTUTIL_STORE_H
#define SMOLDER_TESTUTIL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/backend.h"
#include "store/store.h"
#include "testutil.h"

#define SEC 1000000000LL
#define T0 (1700000000LL * SEC)
/* a time on a whole hour, so 1 min and 1 h buckets fall where the tests say */
#define HOUR0 (1699999200LL * SEC)

/* A new, empty store file `name` in the temporary directory (tu_tmp_create first). */
struct store *ts_open_new(const char *name);
/* The store's query backend. */
struct backend *ts_backend_of(struct store *s);
/* Writes p at time t as service (plus one extra push label when extra_k). */
void ts_write_or_fail(struct store *s, const char *service, const struct prof *p, int64_t t,
		      const char *extra_k, const char *extra_v);
/* The merged profile of (type, selector, range). */
struct prof *ts_merge_q(struct backend *b, const char *ptype, const char *sel, int64_t from,
			int64_t to, enum aggregate agg, struct merge_info *mi);
/* The merge's return code (the profile is dropped). */
int ts_merge_rc(struct backend *b, const char *ptype, const char *sel, int64_t from, int64_t to);
/* The __profile_type__ of p's sample type t, with metric name `name` (NULL: p's own). */
char *ts_ptype_of(const struct prof *p, uint32_t t, const char *name);
/* The total of the merge of (type, selector) over [T0, T0 + 100 s). */
int64_t ts_total_of(struct backend *b, const char *pt, const char *sel);
/* Runs sql on the store file `name` (tu_tmp_path) with its own connection, or fails. */
void ts_sql_exec(const char *name, const char *sql);
/* The first column of sql's first row, on the store file `name`, or fails. */
int64_t ts_sql_int(const char *name, const char *sql);
/* The values of label `name` in series matching sel (NULL: all): n of them, sorted. */
void ts_assert_label_values(struct backend *b, const char *name, const char *sel, size_t n,
			    const char *first, const char *second);

#endif
