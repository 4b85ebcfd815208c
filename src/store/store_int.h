/*
 * store_int.h — what the store's files share (no other module includes this).
 *
 *   store.c     open, schema and migrations, transactions, statements, stats
 *   symbols.c   the per-scope symbol cache: loading, interning new symbols
 *   blob.c      a profile's (stack, label set, value) columns, zstd-compressed, and
 *               the label sets the rows of one push share (the labelsets table)
 *   write.c     store_prepare (any thread) and store_write: symbols, series,
 *               sample-label index, profile rows
 *   query.c     the backend over the store: series resolution, merge, timeline
 *   query_lists.c  the backend's lists: profile types, label names and values, series
 *   maint.c     retention, downsampling, eviction, garbage collection of symbols and
 *               of label sets no profile names
 *
 * Caches: a struct store keeps, per scope it touched, every symbol row in memory
 * (arrays of slots, struct scope_ids below) and, for writing, hash maps from content to
 * slot.  Ids only grow between garbage collections; a collection bumps scope.gc_gen,
 * and a scope created after deletions starts at (deleted scopes, PRAGMA user_version)
 * << 32, so a scope id SQLite hands out again never matches a generation cached for the
 * old one.  When another connection committed (PRAGMA data_version moved), the next
 * transaction drops the scopes whose gc_gen changed and loads the rows the others added
 * (ids past what is cached), and forgets cached series.  A rolled-back write drops every
 * cache.
 *
 * Ownership: the struct store owns its scopes, series entries, statements and zstd
 * contexts (store_close frees them).  Pointers into a scope's arrays are borrowed until
 * the next transaction (a refresh or a collection may free the scope).  A struct blob
 * owns its arrays; the label pointers of a decoded blob point into blob.raw (version 1)
 * or blob.setraw (version 2).
 */
#ifndef SMOLDER_STORE_INT_H
#define SMOLDER_STORE_INT_H

#include <sqlite3.h>
#include <zstd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/hmap.h"
#include "store.h"

#define STORE_SCHEMA_VERSION 2
#define STORE_APP_ID 0x536d6c64  /* "Smld" */
#define STORE_NO_ID UINT32_MAX
#define STORE_BUSY_MS 10000  /* the busy timeout store_open sets (store.c) */
#define BLOB_MAX_RAW ((size_t)256 << 20)
/*
 * Sample-label sets of at least this many encoded bytes go to a labelsets row of their
 * own when the profile has more than one sample type (each type is a profile row), and
 * stay there in the rollups those rows are merged into.
 */
#define SHARED_SETS_MIN 256

/*
 * A symbol table's ids.  The cache holds a table's rows in slots 0..n-1 in id order
 * (slot 0 is id 0: "", no mapping/function/location, the root stack), and every
 * reference between cached rows is a slot: ids read from the file are translated as
 * rows load, and back as rows are written.  Garbage collection leaves holes in the ids
 * and a hand-made row may hold any id up to 2^32 - 2: what the cache allocates follows
 * the number of rows, never the ids.  While a table's ids are dense (next at most
 * 2 n + SCOPE_IDS_SLACK for n slots) id → slot is an array, dir; past that, a hash map
 * (a load that leaves the table dense again goes back to dir).
 */
#define SCOPE_IDS_SLACK 4096

struct scope_ids {
	uint32_t *id;          /* slot → id, ascending (as many as the table has slots) */
	size_t cap;
	uint64_t next;         /* one past the largest id: where loading resumes, the next new id */
	uint32_t *dir;         /* id → slot for ids < next (STORE_NO_ID: none); NULL: map */
	size_t cap_dir;
	struct hmap map;       /* id → slot while dir is NULL */
};

/* The slot of id, or STORE_NO_ID when the table has no such row. */
static inline uint32_t scope_slot(const struct scope_ids *t, uint64_t id)
{
	uint32_t slot;

	if (t->dir)
		return id < t->next ? t->dir[id] : STORE_NO_ID;
	return id < t->next && hmap_get(&t->map, id, &slot) ? slot : STORE_NO_ID;
}

struct scope_map {
	uint64_t start, limit, offset;
	uint32_t file, build_id;  /* string slots */
};

struct scope_func {
	uint32_t name, system_name, file;  /* string slots */
	int64_t start_line;
};

struct scope_loc {
	uint64_t address;
	uint32_t mapping;      /* mapping slot, 0 = none */
	uint32_t line_off;     /* into scope.lines */
	uint32_t nlines;       /* 0: unsymbolized (a "[mapping]" frame) */
};

struct scope {
	int64_t id;
	char *tenant, *service;
	int64_t gc_gen;
	bool loaded, stale;          /* rows read once; others may have added more */

	/* the five tables: rows by slot (nstrs ... nstacks slots), and their ids */
	struct scope_ids str_ids, map_ids, func_ids, loc_ids, stack_ids;
	struct arena arena;          /* string bytes */
	const char **strs;
	uint32_t *str_lens;
	size_t nstrs, cap_strs, cap_lens;
	struct scope_map *maps;
	size_t nmaps, cap_maps;
	struct scope_func *funcs;
	size_t nfuncs, cap_funcs;
	struct scope_loc *locs;
	size_t nlocs, cap_locs;
	struct prof_line *lines;     /* .func is a function slot */
	size_t nlines, cap_lines;
	uint32_t *stk_parent;        /* the parent's slot; slot 0 is the root */
	uint32_t *stk_loc;           /* a location slot */
	size_t nstacks, cap_parent, cap_loc;

	bool maps_built;             /* the writer's content → slot maps below */
	struct hmap strmap, mapmap, funcmap, locmap, stackmap;
	/*
	 * Whole stacks by content (write.c): a 64-bit rolling hash of the stack's locations'
	 * content keys, root first → an index in paths, which holds the stack slot and, to
	 * check a hit, the leaf's content key and the depth.  Filled as profiles are
	 * written; a cache, trusted like Pyroscope's stack hashes.
	 */
	struct hmap pathmap;
	struct scope_path {
		uint64_t leaf;
		uint32_t stack, depth;
	} *paths;
	size_t npaths, cap_paths;
};

/* One cached series (for writing): its id and its sample-label index state. */
struct series_ent {
	int64_t id;
	char *key;        /* tenant '\0' canonical labels */
	size_t keylen;
	bool sl_loaded;
	struct hmap sl_map;          /* hash(name '\0' value) → index in sl_pairs */
	char **sl_pairs;             /* "name\0value" */
	size_t *sl_lens;
	size_t nsl, cap_sl, cap_sl_lens;
	struct sl_name {
		char *name;
		uint32_t count;
		bool hc;
	} *sl_names;
	size_t nsl_names, cap_sl_names;
};

enum store_stmt {
	ST_SCOPE_GET, ST_SCOPE_ADD,
	ST_STR_LOAD, ST_MAP_LOAD, ST_FUNC_LOAD, ST_LOC_LOAD, ST_STACK_LOAD,
	ST_STR_ADD, ST_MAP_ADD, ST_FUNC_ADD, ST_LOC_ADD, ST_STACK_ADD,
	ST_SERIES_GET, ST_SERIES_ADD, ST_SERIES_LABEL_ADD, ST_SERIES_HC_SET,
	ST_SL_LOAD, ST_SL_ADD,
	ST_PROFILE_ADD,
	ST_LABELSETS_ADD,
	ST_COUNT
};

struct store {
	sqlite3 *db;
	char *path;
	unsigned flags;
	int version;           /* the file's schema version (older only when read-only) */
	int64_t data_version;
	int txn;               /* 0 none, 1 batch (store_begin), 2 one write */
	uint64_t max_bytes;    /* store_set_size_limit's cap (0: none) ... */
	uint64_t wal_bytes;    /* ... and the WAL's share of it */
	uint64_t file_pages;   /* ... and the file's, in pages (its max_page_count) */
	int64_t page_size;
	bool at_cap;           /* the last SQLITE_FULL was file_pages, not the disk */
	uint64_t wal_held;     /* maint.c: the WAL's size when a reader last held it past a
				  truncation's wait (0: none since it came back) */
	struct scope **scopes;
	size_t nscopes, cap_scopes;
	struct series_ent **series;
	size_t nseries, cap_series;
	struct hmap series_map;  /* hash → index in series */
	sqlite3_stmt *stmts[ST_COUNT];
	ZSTD_CCtx *cctx;
	ZSTD_DCtx *dctx;
	struct buf scratch;
	/*
	 * Damage maintenance went around (maint.c, store_maint_damage): steps skipped
	 * since open, the profiles (id) and scopes (-id) reported once, and the first
	 * report not yet given out.
	 */
	uint64_t damage_skipped, damage_new;
	int64_t damage_seen[64];
	size_t ndamage_seen;
	char damage_msg[512];
	/*
	 * Downsampling's marks (maint.c), per stage bucket: the cutoff of its last pass and
	 * the largest profile id after it, so that a pass reads only what changed since.
	 */
	struct ds_mark {
		int64_t bucket_ns, end, max_id;
		uint64_t passes;
	} ds_marks[8];
	size_t nds_marks;
};

/* Varints (LEB128) and zigzag, for blobs and location lines. */
static inline int put_uvarint(struct buf *b, uint64_t v)
{
	unsigned char *p;
	int rc;

	/* written in place: encoding a profile is mostly this */
	if (b->cap - b->len < 11 && (rc = buf_grow(b, 10)))
		return rc;
	p = (unsigned char *)b->data + b->len;
	for (; v >= 0x80; v >>= 7)
		*p++ = (unsigned char)(v | 0x80);
	*p++ = (unsigned char)v;
	b->len = (size_t)(p - (unsigned char *)b->data);
	b->data[b->len] = '\0';
	return 0;
}

/* 0, or -1 when the bytes end first or the varint is longer than 10 bytes. */
static inline int get_uvarint(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (*p < end && shift < 64) {
		unsigned char c = *(*p)++;

		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*out = v;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

static inline uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* store.c */
int store_sql_err(struct store *s, int rc, const char *what);
int store_exec(struct store *s, const char *sql);
/*
 * Column col of st's current row as text into *out (borrowed until the next step), or
 * ERR_CORRUPT when it is NULL, naming the row (table id, or "a table row" when id < 0)
 * and the column: the schema says NOT NULL, but a hand-made store may say otherwise,
 * and every caller would hand the NULL on (strdup, strcmp).
 */
int store_col_text(struct store *s, sqlite3_stmt *st, int col, const char *table, int64_t id,
		   const char *column, const char **out);
/* The first column of the first row of sql (0 when there is none). */
int store_query_int(struct store *s, const char *sql, int64_t *out);
sqlite3_stmt *store_stmt(struct store *s, enum store_stmt which);
/* Drops every cache (after a rollback, or a garbage collection of many scopes). */
void store_drop_caches(struct store *s);
/* Starts a read transaction and refreshes caches when others wrote; store_read_end after. */
int store_read_begin(struct store *s);
void store_read_end(struct store *s);
/* Write transaction helpers for store_write and maintenance (BEGIN IMMEDIATE or SAVEPOINT). */
int store_wbegin(struct store *s);
int store_wend(struct store *s, int rc);
/* Canonical series key: tenant '\0' (name '\0' value '\0')*. */
int store_series_key(const char *tenant, const struct labelset *ls, struct buf *out);
/* Decodes the labels part of a canonical key (after the tenant) into ls. */
int store_series_labels(const char *data, size_t len, struct labelset *ls);

/* symbols.c */
int scope_get(struct store *s, const char *tenant, const char *service, bool create,
	      struct scope **out);
int scope_get_by_id(struct store *s, int64_t id, struct scope **out);
/* Loads the rows added since the cache was filled (all of them the first time). */
int scope_load(struct store *s, struct scope *sc);
int scope_build_maps(struct scope *sc);
void scope_free(struct scope *sc);
/*
 * Content → slot, the row added when new (its id: the table's next); references in and
 * out are slots too.
 */
int scope_intern_str(struct store *s, struct scope *sc, const char *str, size_t len,
		     uint32_t *out);
int scope_intern_map(struct store *s, struct scope *sc, const struct scope_map *m,
		     uint32_t *out);
int scope_intern_func(struct store *s, struct scope *sc, const struct scope_func *f,
		      uint32_t *out);
int scope_intern_loc(struct store *s, struct scope *sc, uint32_t mapping, uint64_t address,
		     const struct prof_line *lines, uint32_t nlines, uint32_t *out);
int scope_intern_stack(struct store *s, struct scope *sc, uint32_t parent, uint32_t loc,
		       uint32_t *out);

/* blob.c */
struct blob_label {
	const char *key, *str, *unit;
	uint32_t klen, slen, ulen;
	int64_t num;
};

struct blob_set {
	uint32_t off, n;            /* into blob.labels (decoded blobs) */
	const char *bytes;          /* its encoding (canonical: equal sets, equal bytes), */
	size_t nbytes;              /* decoded blobs: into raw */
	size_t boff;                /* blobs being built: the encoding's offset in setbytes */
};

struct blob_entry {
	uint32_t stack, set;
	int64_t value;
};

struct blob {
	int64_t period;
	struct blob_label *labels;
	size_t nlabels, cap_labels;
	struct blob_set *sets;
	size_t nsets, cap_sets;
	struct blob_entry *e;
	size_t n, cap_e;
	struct buf raw;             /* decoded bytes the label pointers point into */
	struct buf setraw;          /* or, for a version-2 blob, its labelsets row's */
	struct buf setbytes;        /* for encoding: the sets' encodings back to back */
	struct buf enc;             /* for encoding: scratch for one set's encoding */
	struct hmap setmap;         /* for encoding: hash of a set's bytes → set index */
	bool setmap_ready;
	size_t setlabels;           /* for encoding: the labels of the distinct sets, which
				       writers hold to STORE_MAX_PROFILE_LABELS */
};

void blob_init(struct blob *b);
void blob_reset(struct blob *b);
void blob_release(struct blob *b);
/* Adds a label set (labels sorted canonically inside); *out gets its index. */
int blob_add_set(struct blob *b, const struct blob_label *labels, uint32_t n, uint32_t *out);
/*
 * Adds a set by its encoding (blob_set.bytes of a decoded blob).  Neither refuses a set
 * past the caps of store.h: a writer checks nsets and setlabels.
 */
int blob_add_set_encoded(struct blob *b, const char *bytes, size_t nbytes, uint32_t *out);
/* Sorts entries by (stack, set), adds up duplicates and drops zeros. */
int blob_normalize(struct blob *b);
/* The sum of the values into *out; ERR_TOOBIG past 2^63.  blob_total: the same, wrapped. */
int blob_sum(const struct blob *b, int64_t *out);
int64_t blob_total(const struct blob *b);
int blob_encode(ZSTD_CCtx *cctx, const struct blob *b, struct buf *out);
/*
 * The same with the label sets of another blob (store_prep's, built off the writer);
 * ext: the sets are left out (version 2), stored once by blob_encode_sets() in a
 * labelsets row that the profile rows name.
 */
int blob_encode_with(ZSTD_CCtx *cctx, const struct blob *sets, const struct blob *b, bool ext,
		     struct buf *out);
int blob_encode_sets(ZSTD_CCtx *cctx, const struct blob *sets, struct buf *out);
/*
 * Decodes a stored blob; sdata/slen is the labelsets row its profile row names (NULL
 * when it names none), which a version-2 blob needs.  out's pointers point into out.
 */
int blob_decode(ZSTD_DCtx *dctx, const void *data, size_t len, const void *sdata, size_t slen,
		struct blob *out);
/*
 * The same, for a profile of a service with nstacks stacks (0: not known): more entries
 * than nstacks times the label sets cannot be distinct (stack, set) pairs, and are
 * refused before the entries are allocated (a few kilobytes of zstd could declare 128 M).
 */
int blob_decode_max(ZSTD_DCtx *dctx, const void *data, size_t len, const void *sdata,
		    size_t slen, size_t nstacks, struct blob *out);

/* write.c */
void series_ent_free(struct series_ent *se);
bool store_label_is_hc(const char *name, size_t len);

/* maint.c */
/*
 * Deletes symbols of scope id no remaining profile uses (or the whole scope).
 * *damaged (may be NULL) is set when it failed because the scope's symbols or one of
 * its profiles do not read (ERR_CORRUPT), before it deleted anything.
 */
int store_gc_scope(struct store *s, int64_t scope_id, bool *damaged);

/* ---- the backend over a store (query.c; its lists in query_lists.c) ---- */

/* A store backend (backend.h); tenant and, when owns, the store are its own. */
struct sbackend {
	struct backend base;
	struct store *s;
	bool owns;
	char *tenant;
};

/* A series the selector's series-level matchers accept. */
struct cand {
	int64_t id, scope;
	char *ptype;
	struct labelset labels;
	char *hc;          /* high-cardinality sample-label names, name\0... */
	size_t hclen;
};

struct cands {
	struct cand *v;
	size_t n, cap;
};

void query_cands_release(struct cands *c);
/* ERR_CANCELLED once the backend's cancel flag is set. */
int query_check_cancel(const struct sbackend *sb);
/* r as [*from, *to); the zero range is every time. */
void query_range_bounds(struct time_range r, int64_t *from, int64_t *to);
/*
 * The series of the tenant (of profile type ptype when not NULL) with a profile in the
 * range that the selector may select, into *out (query_cands_release).  Call inside
 * store_read_begin/end.
 */
int query_resolve(struct sbackend *sb, const struct selector *sel, const char *ptype,
		  struct time_range r, struct cands *out);
/* The lists of backend_ops (backend.h), over a store backend (query_lists.c). */
int query_profile_types(struct backend *b, struct time_range r, struct profile_type_list *out);
int query_label_names(struct backend *b, const struct selector *sel, struct time_range r,
		      struct strvec *out);
int query_label_values(struct backend *b, const char *name, const struct selector *sel,
		       struct time_range r, struct strvec *out);
int query_series(struct backend *b, const struct selector *sel, const char *const *names,
		 size_t nnames, struct time_range r, struct labelset_list *out);

#endif
