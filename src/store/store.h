/*
 * store.h — smolder's embedded profile store: one SQLite file in WAL mode.
 *
 * What it keeps (schema in store.c):
 *   - per tenant and service (a "scope"): strings, mappings, functions, locations and
 *     stacks, each stored once; a stack is (parent stack, location), so the stacks of
 *     every profile of a service form one shared trie;
 *   - series: a label set (service_name, __name__, push labels, and __profile_type__),
 *     one per sample type of what was pushed, indexed for matcher evaluation;
 *   - profiles: (series, time, duration, count, total, blob); the blob is a
 *     zstd-compressed column array of (stack, sample-label set, value), plus the distinct
 *     pprof sample-label sets of that profile, so a selector on a sample label
 *     ({endpoint="/checkout"}) picks exactly those samples.  Low-cardinality sample
 *     labels are also indexed per series (for label names/values); high-cardinality
 *     ones (span_id, profile_id, trace_id, or any name with more than
 *     STORE_MAX_SAMPLE_LABEL_VALUES values in a series) stay in the blobs only and are
 *     left out of merged profiles.
 *
 * Durability: every commit is synced (synchronous=FULL): when store_write() or
 * store_commit() returns 0 the profile survives a crash or power loss (unless the
 * caller took the sync over: store_set_commit_sync).  Group commit:
 * store_begin(), many store_write(), store_commit() — one transaction and one fsync.
 *
 * Concurrency: a struct store is one SQLite connection, for one thread at a time.  Any
 * number of readers (their own store_open, often STORE_READONLY) run while one writer
 * writes (WAL); writers in several processes take turns (busy timeout 10 s).
 *
 * Errors: one line, naming the file.  A file that is not a smolder store (another
 * SQLite database, or not a database) is refused at open with ERR_PARSE; a full disk, or
 * a store at its store_set_size_limit() cap, is ERR_NOSPACE (nothing of the failed write
 * is kept).
 *
 * Ownership: store_open() allocates, store_close() releases (and checkpoints).  Results
 * through **out belong to the caller.  The profile and labels given to store_write()
 * are only read.
 */
#ifndef SMOLDER_STORE_H
#define SMOLDER_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "profile/labels.h"
#include "profile/prof.h"

#define STORE_CREATE   1u  /* create the file (and its schema) when missing */
#define STORE_READONLY 2u  /* never write; fails when the file is missing */

#define STORE_DEFAULT_TENANT "anonymous"
#define STORE_MAX_SAMPLE_LABEL_VALUES 256
#define STORE_MAX_SERIES_LABELS 64
#define STORE_MAX_LABEL_BYTES 4096  /* per name or value */
#define STORE_TENANT_MAX 150         /* bytes of a tenant ID */
/*
 * A stored profile's sample labels: at most STORE_MAX_SET_LABELS in one set (one
 * sample's labels, duplicates included; Pyroscope's default limit, which serve keeps,
 * is 100), and at most STORE_MAX_PROFILE_LABELS in all its distinct sets together (and
 * at most as many sets).  Serve's limits, which no flag lifts (16,000 samples of 100
 * labels), stay under both; `smolder ingest` has no others.  store_write() refuses a
 * profile past either with ERR_TOOBIG, a downsampling leaves a bucket whose rollup
 * would pass them as it is, and a reader calls a row past them corrupt before
 * allocating for its labels.  A decoded label takes 48 bytes, a set 40
 * and its share of a hash map: decoding one profile's sets takes at most about 230 MB
 * besides their bytes (2,097,152 sets of one label each: 262 MB at its peak, 16 MB of
 * bytes held twice included).
 */
#define STORE_MAX_SET_LABELS 4096
#define STORE_MAX_PROFILE_LABELS (1 << 21)  /* 2,097,152 */

struct store;

/*
 * Whether t is a tenant ID Pyroscope takes in X-Scope-OrgID: 1 to STORE_TENANT_MAX of
 * A-Z a-z 0-9 ! - _ . * ' ( ), not "." nor "..".  serve refuses others, so the store
 * (store_write, and the CLI's --tenant with --db) refuses them too: what is stored is
 * what a server could serve.  STORE_TENANT_RULE says it in a message.
 */
bool store_tenant_valid(const char *t);
#define STORE_TENANT_RULE "up to 150 of A-Z a-z 0-9 ! - _ . * ' ( )"

/*
 * Opens (with STORE_CREATE, creates) the store in the file `path`.  A name that is not a
 * file to SQLite is refused with ERR_USAGE: "", ":memory:" and any name beginning with
 * "file:" (a URI to SQLite; "./file:x" names that file).
 */
int store_open(const char *path, unsigned flags, struct store **out);
void store_close(struct store *s);
const char *store_path(const struct store *s);

/*
 * Stores one pushed profile: each sample type of p becomes its own series, the labels
 * `series` plus __profile_type__ = <__name__>:<type>:<unit>:<period type>:<period
 * unit>.  `series` should hold service_name and __name__: a missing service_name is
 * "unknown_service" and a missing __name__ is derived from the sample types
 * (labels_metric_name), as Pyroscope does.  tenant NULL is STORE_DEFAULT_TENANT, one
 * store_tenant_valid() refuses is ERR_USAGE.  Samples whose value is 0 are not stored; a sample type repeating an earlier one's
 * type and unit is skipped (it would be the same series).  A duration that would take
 * time_ns + duration_ns past 2^63 ns is cut there, a negative one is 0 (a push cannot
 * make the rows that reads add it to look corrupt).  All or nothing: on failure
 * nothing of this profile is kept (inside a batch, the batch's other writes stay).
 */
int store_write(struct store *s, const char *tenant, const struct labelset *series,
		const struct prof *p, int64_t time_ns, int64_t duration_ns);

/*
 * store_write() in two steps, so that a server's decoder threads share the work its
 * one writer would do: store_prepare() derives from the profile alone, without the
 * store and on any thread, what every write needs (the content keys of its stacks, its
 * sample-label sets, the label pairs to index).  The prep belongs to the caller, reads
 * p (which must outlive it, unchanged) and is freed with store_prep_free().
 * store_write_prepared() is store_write() with that work done (prep NULL: it prepares).
 */
struct store_prep;

int store_prepare(const struct prof *p, struct store_prep **out);
void store_prep_free(struct store_prep *prep);
int store_write_prepared(struct store *s, const char *tenant, const struct labelset *series,
			 const struct prof *p, const struct store_prep *prep, int64_t time_ns,
			 int64_t duration_ns);

/*
 * Group commit: store_begin() opens one write transaction; the store_write() calls
 * that follow join it (each still all-or-nothing on its own); store_commit() makes all
 * of them durable with one sync, store_rollback() drops them.
 */
int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);
/*
 * Several writes as one unit inside store_begin()'s transaction (a push of several
 * profiles): store_unit_begin(), the writes, then store_unit_end(s, rc), which keeps them
 * when rc is 0 and otherwise drops every one of them, leaving the rest of the
 * transaction as it was.  Returns rc, or the error of keeping them.
 */
int store_unit_begin(struct store *s);
int store_unit_end(struct store *s, int rc);

struct store_stats {
	uint64_t profiles, series, scopes;
	uint64_t pushed;         /* profiles pushed (a rollup row holds several) */
	uint64_t strings, functions, locations, mappings, stacks;
	uint64_t file_bytes;     /* pages in use × page size (the WAL excluded) */
	uint64_t blob_bytes;     /* compressed profile blobs, and the label sets they share */
	int64_t oldest_ns, newest_ns;
};

int store_stats(struct store *s, struct store_stats *out);

/*
 * Retention: deletes every profile older than older_than_ns (time < it; a rollup once
 * its whole bucket is: time + duration <= it), then the series left without profiles
 * and the strings, functions, locations, mappings and stacks no remaining profile
 * uses.  *deleted (may be NULL) gets the profile count.
 */
int store_retention(struct store *s, int64_t older_than_ns, uint64_t *deleted);

/*
 * Downsampling: per series, the profiles older than older_than_ns are merged into one
 * rollup per bucket of bucket_ns (aligned to the epoch; only buckets that end before
 * older_than_ns).  A rollup keeps the sum of its profiles' values and how many profiles
 * it holds, so totals (and gauge averages) over any range of whole buckets equal the
 * originals.  It is stamped at its bucket's start and spans the bucket, or the larger
 * bucket of a rollup it took in (a late profile merged into an hour's rollup).  Run it
 * with growing buckets for 10 s → 1 min → 1 h.  A bucket whose profiles' distinct
 * sample-label sets together pass STORE_MAX_PROFILE_LABELS is left as it is.  *merged
 * (may be NULL) gets how many profiles went into rollups.
 */
int store_downsample(struct store *s, int64_t older_than_ns, int64_t bucket_ns,
		     uint64_t *merged);

/*
 * Whether downsampling stages — after_ns[i]: the age past which stage i runs, bucket_ns[i]:
 * its bucket — nest, as a rollup never straddles a later stage's bucket only when they
 * do: from the youngest stage to the oldest, each bucket a whole number of the previous
 * one's, and every bucket a divisor of a day or a whole number of days (buckets are
 * aligned to the epoch, so hourly and daily ranges hold whole buckets).  0, or ERR_USAGE
 * with a one-line reason naming the stage ("stage 2 (age 48 h, bucket 1 h): ...").
 */
int store_downsample_check(const int64_t *after_ns, const int64_t *bucket_ns, size_t n);
/*
 * --max-store-size: deletes the oldest profiles (of every tenant; all the rows of a time
 * together, so a push's sample types go as one) until the file uses
 * at most max_bytes — under store_set_size_limit(), the file as large as it is on disk
 * and the WAL up to its share of the cap, after truncating a WAL past it — then collects unused symbols and gives freed pages back to the file
 * system.  *deleted (may be NULL) gets the profile count.
 */
int store_evict(struct store *s, uint64_t max_bytes, uint64_t *deleted);
/*
 * store_evict() that never deletes the profiles of the newest time: maintenance's, which
 * aims below the cap, so that a push that fits only above that aim is not evicted as soon
 * as it is stored.
 */
int store_evict_older(struct store *s, uint64_t max_bytes, uint64_t *deleted);
/*
 * Room under the store_set_size_limit() cap for a write that needs `need` bytes of pages:
 * store_evict() (every profile may go) until the file's part of the cap has them free,
 * and the store uses at most max_bytes.
 */
int store_evict_room(struct store *s, uint64_t need, uint64_t max_bytes, uint64_t *deleted);
/* Whether the store holds any profile (of any tenant). */
int store_has_profiles(struct store *s, bool *out);
/*
 * Damage maintenance goes around.  Retention, downsampling and eviction do not stop at
 * a damaged part of the store (a profile blob that does not decode, a profile naming
 * stacks or label sets that do not exist, a service's symbols that do not load), which
 * would stop them for every tenant and service on every pass: the symbols of that
 * service are not collected (collection may keep too much, never too little), a rollup
 * that would take that profile is not made, and the rest is done and committed.
 * store_maint_damage() returns how many damaged profiles or services were met that no
 * earlier call reported (each is reported once; past the first 64 they are only
 * counted), the first of them in msg (at most msgsz bytes, terminal-safe; "" when none),
 * and in *skipped (may be NULL) how many steps were skipped since the store was opened.
 */
uint64_t store_maint_damage(struct store *s, uint64_t *skipped, char *msg, size_t msgsz);
/*
 * A hard cap for this connection's writes on the store's file and WAL together: the
 * WAL gets 1/16 of max_bytes (at most ~4 MB, SQLite's usual checkpoint interval; it is
 * checkpointed at that size and truncated back to it once the checkpoint lets it start
 * over), the file the rest (SQLite's max_page_count; never below the current size).
 * Only the transaction being written (a WAL holds it whole) or readers delaying the
 * checkpoint take the WAL past its share.  A write that would grow the file past its
 * part fails with ERR_NOSPACE and a message naming the cap ("reached --max-store-size
 * (200 KiB)"); a full disk still says "disk full".  0: no cap.  `serve
 * --max-store-size` sets it and evicts.
 */
int store_set_size_limit(struct store *s, uint64_t max_bytes);
/*
 * Measuring a write the cap refused, to make room for it (serve's writer):
 * store_cap_reached() is whether the last ERR_NOSPACE was the cap's rather than a full
 * disk's.  store_size_used() gives the bytes of the file's pages in use, the open
 * transaction's writes included.  store_size_lift(s, true) lets this connection's writes
 * take the file two caps past its current size, so that the refused write, made again in
 * a transaction then rolled back, shows how much it needs (the writes before it fitted
 * under the cap: refused even then, it needs more than a cap); store_size_lift(s, false)
 * puts the cap back and truncates the WAL the measure grew, and must come after that
 * rollback (SQLite never sets the limit below the pages the open transaction holds).
 * store_size_room() is what an empty store has room for under the cap (its schema takes
 * some).  Only under a cap.
 */
bool store_cap_reached(const struct store *s);
int store_size_used(struct store *s, uint64_t *out);
int store_size_lift(struct store *s, bool lift);
int store_size_room(struct store *s, uint64_t *out);
/*
 * After a commit under a cap: a WAL past its share (a large transaction, or readers that
 * kept it from starting over) is checkpointed and truncated, waiting up to 100 ms for the
 * readers of the moment, then only once more per share of WAL written while a reader
 * holds it, rather than left past the cap.  The checkpoint syncs what it copies.
 */
void store_size_trim(struct store *s);
/*
 * Whether store_commit() syncs (true, the default: synchronous=FULL).  false leaves the
 * sync of each commit to the caller: synchronous=NORMAL, under which checkpoints still
 * sync (the file is never corrupted) and a commit is durable once the caller has
 * fsync()ed the WAL file, store_path() + "-wal", after store_commit() returned.
 * `serve` does that on another thread while the next transaction is written.
 */
int store_set_commit_sync(struct store *s, bool sync);

/* A backend (backend.h) answering queries for `tenant` (NULL: the default) from s. */
int store_backend_new(struct store *s, const char *tenant, struct backend **out);
/* Opens `path` read-only and returns a backend that owns (and closes) it. */
int store_backend_open(const char *path, const char *tenant, struct backend **out);

/*
 * The time of the oldest and newest profile (any time) of the series a store backend
 * selects (ptype may be NULL); ERR_NOTFOUND when none.  For messages such as "no data
 * in the last hour; the newest is from ...".  ERR_UNSUPPORTED on other backends.
 */
int store_time_bounds(struct backend *b, const struct selector *sel, const char *ptype,
		      int64_t *first_ns, int64_t *last_ns);

/*
 * The default store path: $SMOLDER_DB, else $XDG_DATA_HOME/smolder/smolder.db, else
 * ~/.local/share/smolder/smolder.db.  Appends to out.
 */
int store_default_path(struct buf *out);
/* mkdir -p of the directory that will hold `path`; refuses what store_open() refuses. */
int store_make_parent_dir(const char *path);

#endif
