/*
 * store.c — opening a store (schema, migrations, the checks that refuse foreign files),
 * transactions and cache refresh, prepared statements, statistics (store.h).
 *
 * Schema, version 1 (ids of symbol tables are per scope; 0 means "none"):
 *
 *   schema_version(version)                 one row; migrations[] below moves it on
 *   scope(id, tenant, service, gc_gen)      one per tenant and service
 *   strings(scope, id, s)                   id 0 is "" and is not stored
 *   mappings(scope, id, mem_start, mem_limit, file_offset, file, build_id)
 *   functions(scope, id, name, system_name, file, start_line)
 *   locations(scope, id, mapping, address, lines)   lines: varint (function, line)*,
 *                                                   empty when unsymbolized
 *   stacks(scope, id, parent, loc)          a trie: stack 0 is the root
 *   series(id, tenant, scope, profile_type, key, hc_names)
 *                                           key: tenant\0(name\0value\0)* — the full
 *                                           label set; hc_names: sample-label names
 *                                           not indexed (name\0)*
 *   series_labels(name, value, series)      for matcher evaluation by index
 *   sample_labels(series, name, value)      low-cardinality sample labels per series
 *   profiles(id, series, time_ns, duration_ns, nprof, total, data)
 *                                           nprof: pushed profiles it holds (rollups
 *                                           hold several); data: blob.c
 *
 * The symbol tables are WITHOUT ROWID with (scope, id) keys, so a scope's rows are one
 * range; PRAGMA application_id marks the file as ours.
 */
#include "store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/text.h"
#include "base/units.h"
#include "base/vec.h"

bool store_tenant_valid(const char *t)
{
	size_t n = strlen(t), i;

	if (n == 0 || n > STORE_TENANT_MAX || strcmp(t, ".") == 0 || strcmp(t, "..") == 0)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];

		if (!text_ascii_alnum(c) && !strchr("!-_.*'()", c))
			return false;
	}
	return true;
}

static const char schema_v1[] =
	"CREATE TABLE schema_version(version INTEGER NOT NULL);"
	"CREATE TABLE scope(id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, service TEXT NOT NULL,"
	" gc_gen INTEGER NOT NULL DEFAULT 0, UNIQUE(tenant, service));"
	"CREATE TABLE strings(scope INTEGER NOT NULL, id INTEGER NOT NULL, s BLOB NOT NULL,"
	" PRIMARY KEY(scope, id)) WITHOUT ROWID;"
	"CREATE TABLE mappings(scope INTEGER NOT NULL, id INTEGER NOT NULL,"
	" mem_start INTEGER NOT NULL, mem_limit INTEGER NOT NULL, file_offset INTEGER NOT NULL,"
	" file INTEGER NOT NULL, build_id INTEGER NOT NULL, PRIMARY KEY(scope, id)) WITHOUT ROWID;"
	"CREATE TABLE functions(scope INTEGER NOT NULL, id INTEGER NOT NULL, name INTEGER NOT NULL,"
	" system_name INTEGER NOT NULL, file INTEGER NOT NULL, start_line INTEGER NOT NULL,"
	" PRIMARY KEY(scope, id)) WITHOUT ROWID;"
	"CREATE TABLE locations(scope INTEGER NOT NULL, id INTEGER NOT NULL,"
	" mapping INTEGER NOT NULL, address INTEGER NOT NULL, lines BLOB NOT NULL,"
	" PRIMARY KEY(scope, id)) WITHOUT ROWID;"
	"CREATE TABLE stacks(scope INTEGER NOT NULL, id INTEGER NOT NULL, parent INTEGER NOT NULL,"
	" loc INTEGER NOT NULL, PRIMARY KEY(scope, id)) WITHOUT ROWID;"
	"CREATE TABLE series(id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, scope INTEGER NOT NULL,"
	" profile_type TEXT NOT NULL, key BLOB NOT NULL UNIQUE, hc_names BLOB NOT NULL DEFAULT x'');"
	"CREATE INDEX series_type ON series(tenant, profile_type);"
	"CREATE TABLE series_labels(name TEXT NOT NULL, value TEXT NOT NULL, series INTEGER NOT NULL,"
	" PRIMARY KEY(name, value, series)) WITHOUT ROWID;"
	"CREATE TABLE sample_labels(series INTEGER NOT NULL, name TEXT NOT NULL,"
	" value TEXT NOT NULL, PRIMARY KEY(series, name, value)) WITHOUT ROWID;"
	"CREATE TABLE profiles(id INTEGER PRIMARY KEY, series INTEGER NOT NULL,"
	" time_ns INTEGER NOT NULL, duration_ns INTEGER NOT NULL, nprof INTEGER NOT NULL,"
	" total INTEGER NOT NULL, data BLOB NOT NULL);"
	"CREATE INDEX profiles_series_time ON profiles(series, time_ns);"
	"CREATE INDEX profiles_time ON profiles(time_ns);"
	"INSERT INTO schema_version(version) VALUES(1);";

/*
 * Version 2: label sets shared by the rows of one push (see blob.c).  profiles.sets names
 * the labelsets row of a version-2 blob; older blobs keep their sets inline.
 */
static const char schema_v2[] =
	"CREATE TABLE labelsets(id INTEGER PRIMARY KEY, data BLOB NOT NULL);"
	"ALTER TABLE profiles ADD COLUMN sets INTEGER;"
	"CREATE INDEX profiles_sets ON profiles(sets) WHERE sets IS NOT NULL;";

/*
 * Migrations: entry i takes a store from version i to i + 1 (SQL and/or a function),
 * inside the transaction that also updates schema_version.  Version 0 is an empty file.
 */
static const struct migration {
	const char *sql;
	int (*fn)(struct store *s);
} migrations[STORE_SCHEMA_VERSION] = {
	{ schema_v1, NULL },
	{ schema_v2, NULL },
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_SCOPE_GET] = "SELECT id, gc_gen FROM scope WHERE tenant=?1 AND service=?2",
	/*
	 * A new scope may get the id of one retention deleted (SQLite reuses the largest
	 * rowid): its generation starts past every generation the deleted ones had — the
	 * count of deleted scopes (user_version) times 2^32 — so a reader that still caches
	 * the old scope's symbols under that id sees the change.
	 */
	[ST_SCOPE_ADD] = "INSERT INTO scope(tenant, service, gc_gen) "
			 "SELECT ?1, ?2, user_version << 32 FROM pragma_user_version",
	[ST_STR_LOAD] = "SELECT id, s FROM strings WHERE scope=?1 AND id>=?2 ORDER BY id",
	[ST_MAP_LOAD] = "SELECT id, mem_start, mem_limit, file_offset, file, build_id FROM mappings"
			" WHERE scope=?1 AND id>=?2 ORDER BY id",
	[ST_FUNC_LOAD] = "SELECT id, name, system_name, file, start_line FROM functions"
			 " WHERE scope=?1 AND id>=?2 ORDER BY id",
	[ST_LOC_LOAD] = "SELECT id, mapping, address, lines FROM locations"
			" WHERE scope=?1 AND id>=?2 ORDER BY id",
	[ST_STACK_LOAD] = "SELECT id, parent, loc FROM stacks WHERE scope=?1 AND id>=?2 ORDER BY id",
	[ST_STR_ADD] = "INSERT INTO strings(scope, id, s) VALUES(?1, ?2, ?3)",
	[ST_MAP_ADD] = "INSERT INTO mappings(scope, id, mem_start, mem_limit, file_offset, file,"
		       " build_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_FUNC_ADD] = "INSERT INTO functions(scope, id, name, system_name, file, start_line)"
			" VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_LOC_ADD] = "INSERT INTO locations(scope, id, mapping, address, lines)"
		       " VALUES(?1, ?2, ?3, ?4, ?5)",
	[ST_STACK_ADD] = "INSERT INTO stacks(scope, id, parent, loc) VALUES(?1, ?2, ?3, ?4)",
	[ST_SERIES_GET] = "SELECT id, hc_names FROM series WHERE key=?1",
	[ST_SERIES_ADD] = "INSERT INTO series(tenant, scope, profile_type, key) VALUES(?1, ?2, ?3, ?4)",
	[ST_SERIES_LABEL_ADD] = "INSERT OR IGNORE INTO series_labels(name, value, series)"
				" VALUES(?1, ?2, ?3)",
	[ST_SERIES_HC_SET] = "UPDATE series SET hc_names=?2 WHERE id=?1",
	[ST_SL_LOAD] = "SELECT name, value FROM sample_labels WHERE series=?1",
	[ST_SL_ADD] = "INSERT OR IGNORE INTO sample_labels(series, name, value) VALUES(?1, ?2, ?3)",
	[ST_PROFILE_ADD] = "INSERT INTO profiles(series, time_ns, duration_ns, nprof, total, data,"
			   " sets) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_LABELSETS_ADD] = "INSERT INTO labelsets(data) VALUES(?1)",
};

const char *store_path(const struct store *s)
{
	return s->path;
}

/*
 * SQLITE_FULL is a full disk or a write past max_page_count (store_set_size_limit's
 * cap): SQLite tells them apart in neither its code nor its message.  The file system
 * does: a disk that refused a write has next to nothing left, so with less than
 * DISK_FULL_SLACK free it is the disk, with more it was the cap.
 */
#define DISK_FULL_SLACK ((uint64_t)1 << 20)

static bool disk_full(const struct store *s)
{
	struct statvfs fs;
	uint64_t avail;

	if (!s->max_bytes || statvfs(s->path, &fs) != 0)
		return true;
	/* root may write into the blocks reserved for it */
	avail = (uint64_t)(geteuid() == 0 ? fs.f_bfree : fs.f_bavail) * (uint64_t)fs.f_frsize;
	return avail < DISK_FULL_SLACK;
}

int store_sql_err(struct store *s, int rc, const char *what)
{
	const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	char cap[UNITS_MAX];

	switch (rc & 0xff) {
	case SQLITE_FULL:
		s->at_cap = !disk_full(s);
		if (!s->at_cap)
			return err_set(ERR_NOSPACE, "store '%s': %s: disk full", s->path, what);
		units_format(cap, sizeof(cap), (int64_t)s->max_bytes, "bytes");
		return err_set(ERR_NOSPACE, "store '%s' reached --max-store-size (%s): %s", s->path,
			       cap, what);
	case SQLITE_NOTADB:
		return err_set(ERR_PARSE, "'%s' is not a smolder store: %s", s->path, msg);
	case SQLITE_CORRUPT:
		return err_set(ERR_CORRUPT, "store '%s' is corrupt (%s): %s", s->path, what, msg);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return err_set(ERR_IO, "store '%s' is busy: another process kept it locked (%s)",
			       s->path, what);
	case SQLITE_NOMEM:
		return err_set(ERR_NOMEM, "out of memory (store '%s', %s)", s->path, what);
	case SQLITE_INTERRUPT:
		return err_set(ERR_CANCELLED, "cancelled");
	case SQLITE_CANTOPEN:
		return err_set(ERR_IO, "cannot open store '%s': %s", s->path, msg);
	default:
		return err_set(ERR_IO, "store '%s': %s: %s", s->path, what, msg);
	}
}

int store_col_text(struct store *s, sqlite3_stmt *st, int col, const char *table, int64_t id,
		   const char *column, const char **out)
{
	const unsigned char *t;

	/* the type first: asking for the text converts the value */
	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		*out = NULL;
		if (id < 0)
			return err_set(ERR_CORRUPT, "store '%s' is corrupt: a %s row has no %s (null)",
				       s->path, table, column);
		return err_set(ERR_CORRUPT, "store '%s' is corrupt: %s %lld has no %s (null)", s->path,
			       table, (long long)id, column);
	}
	if (!(t = sqlite3_column_text(st, col))) {
		*out = NULL;
		return err_set(ERR_NOMEM, "out of memory (store '%s', reading %s)", s->path, table);
	}
	*out = (const char *)t;
	return 0;
}

int store_exec(struct store *s, const char *sql)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_sql_err(s, rc, sql);
}

sqlite3_stmt *store_stmt(struct store *s, enum store_stmt which)
{
	sqlite3_stmt *st = s->stmts[which];
	int rc;

	if (!st) {
		rc = sqlite3_prepare_v3(s->db, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
					&s->stmts[which], NULL);
		if (rc != SQLITE_OK) {
			store_sql_err(s, rc, "preparing a statement");
			return NULL;
		}
		return s->stmts[which];
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

/* One integer from a query (a pragma); -1 with the error set on failure. */
int store_query_int(struct store *s, const char *sql, int64_t *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, sql);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		*out = 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, sql);
}

/*
 * A statement left on a row keeps its read transaction open after COMMIT: an old
 * snapshot that later makes BEGIN IMMEDIATE fail (SQLITE_BUSY_SNAPSHOT) once another
 * connection has written.  Every transaction ends with this.
 */
static void reset_stmts(struct store *s)
{
	size_t i;

	for (i = 0; i < ST_COUNT; i++)
		if (s->stmts[i])
			sqlite3_reset(s->stmts[i]);
}

void store_drop_caches(struct store *s)
{
	size_t i;

	for (i = 0; i < s->nscopes; i++)
		scope_free(s->scopes[i]);
	s->nscopes = 0;
	for (i = 0; i < s->nseries; i++)
		series_ent_free(s->series[i]);
	s->nseries = 0;
	hmap_release(&s->series_map);
	hmap_init(&s->series_map, 64);
}

static int too_new(const struct store *s, int64_t version)
{
	return err_set(ERR_UNSUPPORTED, "store '%s' has schema version %lld; this smolder reads up "
					"to %d (upgrade smolder)", s->path, (long long)version,
		       STORE_SCHEMA_VERSION);
}

/*
 * The file's schema version into *out.  A store (any table at all) has one row with a
 * version from 1 to STORE_SCHEMA_VERSION; anything else — no table, no row, several,
 * text, 0 or negative — is a damaged store: refused here, before a writer would index
 * migrations[] by it or "create" the schema over the tables that are there.
 */
static int read_version(struct store *s, int64_t *out)
{
	sqlite3_stmt *st;
	int64_t n = 0, bad = 0, v = 0;
	int rc;

	*out = 0;
	if ((rc = store_query_int(s, "SELECT count(*) FROM sqlite_master WHERE type='table' AND "
				     "name='schema_version'", &n)))
		return rc;
	if (n == 0)
		return err_set(ERR_CORRUPT, "store '%s' is corrupt: it has no schema_version table",
			       s->path);
	rc = sqlite3_prepare_v2(s->db, "SELECT count(*), sum(typeof(version)<>'integer'), "
				"max(version) FROM schema_version", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "reading the schema version");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 0);
		bad = sqlite3_column_int64(st, 1);
		v = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_sql_err(s, rc, "reading the schema version");
	if (n != 1 || bad)
		return err_set(ERR_CORRUPT, "store '%s' is corrupt: its schema version is %s", s->path,
			       n == 0 ? "missing" : n > 1 ? "in several rows" : "not a number");
	if (v > STORE_SCHEMA_VERSION)
		return too_new(s, v);
	if (v < 1)
		return err_set(ERR_CORRUPT, "store '%s' is corrupt: its schema version is %lld",
			       s->path, (long long)v);
	*out = v;
	return 0;
}

/* After another connection committed: keep what is still valid, mark the rest. */
static int refresh(struct store *s)
{
	int64_t dv, gen;
	size_t i, j = 0;
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_query_int(s, "PRAGMA data_version", &dv)))
		return rc;
	if (dv == s->data_version)
		return 0;
	s->data_version = dv;
	if (s->version < STORE_SCHEMA_VERSION) {  /* read-only on an older file: upgraded since? */
		int64_t v;

		if ((rc = read_version(s, &v)))
			return rc;
		s->version = (int)v;
	}
	for (i = 0; i < s->nseries; i++)
		series_ent_free(s->series[i]);
	s->nseries = 0;
	hmap_release(&s->series_map);
	if ((rc = hmap_init(&s->series_map, 64)))
		return rc;
	if ((rc = sqlite3_prepare_v2(s->db, "SELECT gc_gen FROM scope WHERE id=?1", -1, &st, NULL)))
		return store_sql_err(s, rc, "checking scopes");
	for (i = 0; i < s->nscopes; i++) {
		struct scope *sc = s->scopes[i];

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, sc->id);
		rc = sqlite3_step(st);
		gen = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			sqlite3_finalize(st);
			return store_sql_err(s, rc, "checking scopes");
		}
		if (gen != sc->gc_gen) {
			scope_free(sc);
			continue;
		}
		sc->stale = true;  /* rows added by others are loaded on next use */
		s->scopes[j++] = sc;
	}
	s->nscopes = j;
	sqlite3_finalize(st);
	return 0;
}

int store_read_begin(struct store *s)
{
	int rc;

	if (s->txn)
		return refresh(s);
	if ((rc = store_exec(s, "BEGIN")))
		return rc;
	/* the first read starts the snapshot; data_version is read inside it */
	if ((rc = refresh(s))) {
		store_exec(s, "ROLLBACK");
		return rc;
	}
	return 0;
}

void store_read_end(struct store *s)
{
	if (!s->txn) {
		reset_stmts(s);
		sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	}
}

static int begin_immediate(struct store *s)
{
	int rc;

	if (s->flags & STORE_READONLY)
		return err_set(ERR_USAGE, "store '%s' was opened read-only", s->path);
	if ((rc = store_exec(s, "BEGIN IMMEDIATE")))
		return rc;
	if ((rc = refresh(s))) {
		store_exec(s, "ROLLBACK");
		return rc;
	}
	return 0;
}

int store_begin(struct store *s)
{
	int rc;

	if (s->txn)
		return err_set(ERR_USAGE, "store_begin inside a transaction");
	if ((rc = begin_immediate(s)))
		return rc;
	s->txn = 1;
	return 0;
}

int store_commit(struct store *s)
{
	int rc;

	if (s->txn != 1)
		return err_set(ERR_USAGE, "store_commit without store_begin");
	reset_stmts(s);
	rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		int code = store_sql_err(s, rc, "commit");

		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		store_drop_caches(s);
		s->txn = 0;
		return code;
	}
	s->txn = 0;
	return 0;
}

void store_rollback(struct store *s)
{
	if (s->txn != 1)
		return;
	reset_stmts(s);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	store_drop_caches(s);
	s->txn = 0;
}

int store_unit_begin(struct store *s)
{
	if (s->txn != 1)
		return err_set(ERR_USAGE, "store_unit_begin without store_begin");
	return store_exec(s, "SAVEPOINT unit");
}

int store_unit_end(struct store *s, int rc)
{
	if (s->txn != 1)
		return rc ? rc : err_set(ERR_USAGE, "store_unit_end without store_begin");
	reset_stmts(s);
	if (rc == 0 && (rc = store_exec(s, "RELEASE unit")) == 0)
		return 0;
	sqlite3_exec(s->db, "ROLLBACK TO unit; RELEASE unit", NULL, NULL, NULL);
	store_drop_caches(s);  /* ids made inside the unit are gone */
	return rc;
}

int store_wbegin(struct store *s)
{
	int rc;

	if (s->txn == 1)
		return store_exec(s, "SAVEPOINT w");
	if (s->txn)
		return err_set(ERR_USAGE, "nested store write");
	if ((rc = begin_immediate(s)))
		return rc;
	s->txn = 2;
	return 0;
}

int store_wend(struct store *s, int rc)
{
	int src;

	reset_stmts(s);
	if (s->txn == 1) {
		if (rc == 0 && (rc = store_exec(s, "RELEASE w")) == 0)
			return 0;
		sqlite3_exec(s->db, "ROLLBACK TO w; RELEASE w", NULL, NULL, NULL);
		store_drop_caches(s);
		return rc;
	}
	s->txn = 0;
	if (rc == 0) {
		src = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
		if (src == SQLITE_OK)
			return 0;
		rc = store_sql_err(s, src, "commit");
	}
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	store_drop_caches(s);
	return rc;
}

int store_series_key(const char *tenant, const struct labelset *ls, struct buf *out)
{
	size_t i;
	int rc;

	buf_reset(out);
	if ((rc = buf_add(out, tenant, strlen(tenant) + 1)))
		return rc;
	for (i = 0; i < ls->n; i++)
		if ((rc = buf_add(out, ls->v[i].name, strlen(ls->v[i].name) + 1)) ||
		    (rc = buf_add(out, ls->v[i].value, strlen(ls->v[i].value) + 1)))
			return rc;
	return 0;
}

int store_series_labels(const char *data, size_t len, struct labelset *ls)
{
	const char *p = data, *end = data + len;
	int rc;

	while (p < end) {
		const char *name = p, *value, *z = memchr(p, '\0', (size_t)(end - p));

		if (!z || !(value = z + 1, z = memchr(value, '\0', (size_t)(end - value))))
			return err_set(ERR_CORRUPT, "store: corrupt series labels");
		if ((rc = labelset_set(ls, name, value)))
			return rc;
		p = z + 1;
	}
	return 0;
}

/*
 * WAL mode.  Switching a new file to it takes an exclusive lock without SQLite's busy
 * handler, so writers opening a new file at once retry here (for the busy timeout);
 * once the file is in WAL mode this is immediate.
 */
static int set_wal(struct store *s)
{
	struct timespec pause = { 0, 2000000 };
	int rc, tries;

	for (tries = 0; tries < 5000; tries++) {
		rc = sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
		if ((rc & 0xff) != SQLITE_BUSY)
			break;
		nanosleep(&pause, NULL);
	}
	return rc == SQLITE_OK ? 0 : store_sql_err(s, rc, "PRAGMA journal_mode=WAL");
}

static int set_pragmas(struct store *s)
{
	int rc;

	if ((rc = store_exec(s, "PRAGMA foreign_keys=OFF; PRAGMA cache_size=-32768;"
				"PRAGMA temp_store=MEMORY; PRAGMA mmap_size=268435456")))
		return rc;
	if (s->flags & STORE_READONLY)
		return 0;
	if ((rc = set_wal(s)))
		return rc;
	/*
	 * The -wal and -shm files stay when the last writer closes: a reader that may read
	 * the store but not write in its directory (the group of the installed service,
	 * contrib/smolder.service) cannot create them, and SQLite then refuses every read.
	 */
	sqlite3_file_control(s->db, "main", SQLITE_FCNTL_PERSIST_WAL, &(int){ 1 });
	/*
	 * So that the -wal a large transaction grew does not stay that large for good: it
	 * is truncated to 4 MiB after a checkpoint, and to nothing when the last writer
	 * closes (store_set_size_limit sets its own).
	 */
	return store_exec(s, "PRAGMA synchronous=FULL; PRAGMA journal_size_limit=4194304");
}

/*
 * Checks the file is ours; creates or migrates the schema when allowed.  Writers that
 * open a new or older file at once: one migrates, the others find it done.
 */
static int check_schema(struct store *s)
{
	int64_t app_id, ntables, version = 0;
	int rc, i;

	/*
	 * The first read (a file that is not SQLite fails here), in one snapshot: a writer
	 * creating the file commits its tables and application id together.
	 */
	if ((rc = store_exec(s, "BEGIN")))
		return rc;
	if ((rc = store_query_int(s, "PRAGMA application_id", &app_id)) ||
	    (rc = store_query_int(s, "SELECT count(*) FROM sqlite_master", &ntables))) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	if (ntables && app_id != STORE_APP_ID) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return err_set(ERR_PARSE, "'%s' is not a smolder store (an SQLite database with "
					  "application id 0x%llx and %lld tables)", s->path,
			       (unsigned long long)app_id, (long long)ntables);
	}
	if (ntables && (rc = read_version(s, &version))) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	if ((rc = store_exec(s, "COMMIT")))
		return rc;
	s->version = (int)version;
	if (version == STORE_SCHEMA_VERSION)
		return 0;
	/* an older store is read as it is: a writer upgrades it (refresh() notices) */
	if (s->flags & STORE_READONLY)
		return version == 0 ? err_set(ERR_UNSUPPORTED, "'%s' is empty, not a smolder store",
					      s->path) : 0;
	if (version == 0 && (rc = store_exec(s, "PRAGMA auto_vacuum=INCREMENTAL")))
		return rc;
	if ((rc = set_wal(s)) || (rc = store_exec(s, "BEGIN IMMEDIATE")))
		return rc;
	/* another writer may have created or upgraded it meanwhile: look again, locked */
	if ((rc = store_query_int(s, "SELECT count(*) FROM sqlite_master", &ntables)) ||
	    (ntables && (rc = read_version(s, &version))))
		goto fail;
	for (i = (int)version; i < STORE_SCHEMA_VERSION && !rc; i++) {
		char sql[96];

		if (migrations[i].sql &&
		    (rc = sqlite3_exec(s->db, migrations[i].sql, NULL, NULL, NULL)) != SQLITE_OK) {
			snprintf(sql, sizeof(sql), "upgrading its schema to version %d", i + 1);
			rc = store_sql_err(s, rc, sql);
		}
		if (!rc && migrations[i].fn)
			rc = migrations[i].fn(s);
		snprintf(sql, sizeof(sql), "UPDATE schema_version SET version=%d", i + 1);
		if (!rc)
			rc = store_exec(s, sql);
	}
	if (!rc && version == 0) {
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA application_id=%d", STORE_APP_ID);
		rc = store_exec(s, sql);
	}
fail:
	if (rc) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	s->version = STORE_SCHEMA_VERSION;
	return store_exec(s, "COMMIT");
}

/*
 * Refuses the names SQLite would not read as a file: "" is a private temporary database
 * and ":memory:" a database in memory, both gone at close, so a writer would report
 * profiles stored that no one can read.  A name beginning with "file:" is a URI to the
 * SQLite we link with (built with SQLITE_USE_URI, as Debian's is, whatever flags the
 * open passes): "file:x.db?mode=memory" or "file::memory:" would keep nothing either,
 * and the query string could change how a real file is opened (mode=ro, immutable=1,
 * vfs=).  It is refused rather than opened as the file of that name, because whoever
 * writes "file:" most likely means a URI: the file itself is still reachable as
 * "./file:...", which SQLite reads as a plain path.
 */
static int check_path(const char *path)
{
	if (!*path)
		return err_set(ERR_USAGE, "no store path");
	if (!strcmp(path, ":memory:"))
		return err_set(ERR_USAGE, "cannot use ':memory:' as a store: SQLite keeps it in "
			       "memory, not in a file (name the file ./:memory:)");
	if (!strncmp(path, "file:", 5))
		return err_set(ERR_USAGE, "cannot use '%s' as a store: SQLite reads a name "
			       "beginning with file: as a URI (name the file ./%s)", path, path);
	return 0;
}

/* What a path that is not a regular file is, for the message that refuses it. */
static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "a special file";
}

int store_open(const char *path, unsigned flags, struct store **out)
{
	struct store *s;
	struct stat stt;
	int oflags = SQLITE_OPEN_NOMUTEX, rc;

	*out = NULL;
	if ((rc = check_path(path)))
		return rc;
	if (stat(path, &stt) != 0) {
		if (errno != ENOENT || (flags & STORE_READONLY) || !(flags & STORE_CREATE))
			return err_set(errno == ENOENT ? ERR_NOTFOUND : ERR_IO,
				       "cannot open store '%s': %s", path, strerror(errno));
	} else if (!S_ISREG(stt.st_mode)) {
		/* a FIFO would block SQLite's open (Ctrl-C cannot stop it), a device is no file */
		return err_set(ERR_IO, "cannot open store '%s': it is %s, not a file", path,
			       file_kind(stt.st_mode));
	}
	if (!(s = calloc(1, sizeof(*s))) || !(s->path = strdup(path))) {
		free(s);
		return err_set(ERR_NOMEM, "out of memory");
	}
	s->flags = flags;
	s->data_version = -1;
	if ((rc = hmap_init(&s->series_map, 64)))
		goto fail;
	oflags |= (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if ((flags & STORE_CREATE) && !(flags & STORE_READONLY))
		oflags |= SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(path, &s->db, oflags, NULL);
	if (rc != SQLITE_OK) {
		rc = store_sql_err(s, rc, "open");
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	if ((rc = check_schema(s)) || (rc = set_pragmas(s)))
		goto fail;
	if (!(s->cctx = ZSTD_createCCtx()) || !(s->dctx = ZSTD_createDCtx())) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto fail;
	}
	*out = s;
	return 0;
fail:
	store_close(s);
	return rc;
}

void store_close(struct store *s)
{
	size_t i;

	if (!s)
		return;
	if (s->txn)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	store_drop_caches(s);
	free(s->scopes);
	free(s->series);
	hmap_release(&s->series_map);
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->stmts[i]);
	sqlite3_close_v2(s->db);
	ZSTD_freeCCtx(s->cctx);
	ZSTD_freeDCtx(s->dctx);
	buf_release(&s->scratch);
	free(s->path);
	free(s);
}

int store_stats(struct store *s, struct store_stats *out)
{
	static const struct {
		const char *sql;
		size_t off;
	} q[] = {
		{ "SELECT count(*) FROM profiles", offsetof(struct store_stats, profiles) },
		{ "SELECT coalesce(sum(nprof), 0) FROM profiles", offsetof(struct store_stats, pushed) },
		{ "SELECT count(*) FROM series", offsetof(struct store_stats, series) },
		{ "SELECT count(*) FROM scope", offsetof(struct store_stats, scopes) },
		{ "SELECT count(*) FROM strings", offsetof(struct store_stats, strings) },
		{ "SELECT count(*) FROM functions", offsetof(struct store_stats, functions) },
		{ "SELECT count(*) FROM locations", offsetof(struct store_stats, locations) },
		{ "SELECT count(*) FROM mappings", offsetof(struct store_stats, mappings) },
		{ "SELECT count(*) FROM stacks", offsetof(struct store_stats, stacks) },
		{ "SELECT coalesce(sum(length(data)), 0) FROM profiles",
		  offsetof(struct store_stats, blob_bytes) },
	};
	int64_t v = 0, pages = 0, freel = 0, psize = 0;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_read_begin(s)))
		return rc;
	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		if ((rc = store_query_int(s, q[i].sql, &v)))
			goto done;
		*(uint64_t *)((char *)out + q[i].off) = (uint64_t)v;
	}
	if (s->version >= 2) {  /* the label sets the rows of a push share */
		if ((rc = store_query_int(s, "SELECT coalesce(sum(length(data)), 0) FROM labelsets", &v)))
			goto done;
		out->blob_bytes += (uint64_t)v;
	}
	if ((rc = store_query_int(s, "SELECT coalesce(min(time_ns), 0) FROM profiles", &out->oldest_ns)) ||
	    (rc = store_query_int(s, "SELECT coalesce(max(time_ns), 0) FROM profiles", &out->newest_ns)) ||
	    (rc = store_query_int(s, "PRAGMA page_count", &pages)) ||
	    (rc = store_query_int(s, "PRAGMA freelist_count", &freel)) ||
	    (rc = store_query_int(s, "PRAGMA page_size", &psize)))
		goto done;
	out->file_bytes = (uint64_t)(pages - freel) * (uint64_t)psize;
done:
	store_read_end(s);
	return rc;
}

int store_default_path(struct buf *out)
{
	const char *db = getenv("SMOLDER_DB"), *xdg = getenv("XDG_DATA_HOME"),
		   *home = getenv("HOME");

	if (db && *db)
		return buf_puts(out, db);
	if (xdg && *xdg == '/')
		return buf_printf(out, "%s/smolder/smolder.db", xdg);
	if (!home || !*home)
		return err_set(ERR_NOTFOUND, "no default store: HOME is not set (use --db PATH)");
	return buf_printf(out, "%s/.local/share/smolder/smolder.db", home);
}

int store_make_parent_dir(const char *path)
{
	char *dir, *p;
	int rc;

	/* refused here too: the callers make the directory first and must not make "file:" */
	if ((rc = check_path(path)))
		return rc;
	if (!(dir = strdup(path)))
		return err_set(ERR_NOMEM, "out of memory");
	p = strrchr(dir, '/');
	if (!p || p == dir) {
		free(dir);
		return 0;
	}
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		goto fail;
	free(dir);
	return 0;
fail:
	err_set(ERR_IO, "cannot create directory '%s': %s", dir, strerror(errno));
	free(dir);
	return ERR_IO;
}
