/*
 * maint.c — keeping a store bounded: retention by age, downsampling into rollups,
 * eviction by size, and the garbage collection of symbols they leave unused (store.h).
 *
 * Garbage collection of a scope is mark and sweep: every remaining profile blob of the
 * scope is decoded, its stacks and their ancestors marked, then the locations those
 * stacks use, the functions and mappings of those locations, and their strings; what
 * is not marked is deleted and scope.gc_gen goes up, so every cache of the scope (in
 * this and other connections) is rebuilt.  A scope left without series is deleted.
 *
 * Damage (ERR_CORRUPT: a blob that does not decode, a stack or labelsets row that is not
 * there, symbols that do not load) is gone around rather than stopping the pass: one
 * such profile would otherwise block retention, eviction and downsampling for every
 * scope, on every pass, and with --max-store-size refuse every write.  A scope whose
 * marking fails is not swept (what it keeps is only too much), a rollup with such a row
 * is not made, and each is noted once for store_maint_damage().
 */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/err.h"
#include "base/hmap.h"
#include "base/units.h"
#include "base/vec.h"

struct idlist {
	int64_t *v;
	size_t n, cap;
};

static int ids_query(struct store *s, const char *sql, int64_t arg, struct idlist *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "maintenance");
	sqlite3_bind_int64(st, 1, arg);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = vec_reserve(&out->v, &out->cap, out->n + 1))) {
			sqlite3_finalize(st);
			return rc;
		}
		out->v[out->n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, "maintenance");
}

/*
 * A step skipped for damage: counted, and err_last() kept for store_maint_damage() the
 * first time `key` (a profile id, or minus a scope id) is met.
 */
static void note_damage(struct store *s, int64_t key)
{
	size_t i, max = sizeof(s->damage_seen) / sizeof(s->damage_seen[0]);

	s->damage_skipped++;
	for (i = 0; i < s->ndamage_seen; i++)
		if (s->damage_seen[i] == key)
			return;
	if (s->ndamage_seen == max)
		return;  /* bounded: past these, only counted */
	s->damage_seen[s->ndamage_seen++] = key;
	if (!s->damage_new++)
		snprintf(s->damage_msg, sizeof(s->damage_msg), "%s", err_last());
}

uint64_t store_maint_damage(struct store *s, uint64_t *skipped, char *msg, size_t msgsz)
{
	uint64_t n = s->damage_new;

	if (skipped)
		*skipped = s->damage_skipped;
	if (msgsz)
		snprintf(msg, msgsz, "%s", n ? s->damage_msg : "");
	s->damage_new = 0;
	s->damage_msg[0] = '\0';
	return n;
}

static int exec_bind(struct store *s, const char *sql, int64_t a, int64_t b, int64_t *changes)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "maintenance");
	if (sqlite3_bind_parameter_count(st) >= 1)
		sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sql_err(s, rc, "maintenance");
	if (changes)
		*changes = sqlite3_changes(s->db);
	return 0;
}

/* Deletes the rows of one symbol table whose slots (1..n-1) are not marked. */
static int sweep(struct store *s, int64_t scope, const char *table, const uint8_t *mark,
		 size_t n, const struct scope_ids *ids)
{
	char sql[96];
	sqlite3_stmt *st;
	size_t i;
	int rc;

	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE scope=?1 AND id=?2", table);
	if ((rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) != SQLITE_OK)
		return store_sql_err(s, rc, "collecting symbols");
	for (i = 1; i < n; i++) {
		if (mark[i])
			continue;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, scope);
		sqlite3_bind_int64(st, 2, ids->id[i]);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return store_sql_err(s, rc, "collecting symbols");
		}
	}
	sqlite3_finalize(st);
	return 0;
}

/* Marks (by slot) the stacks every remaining profile of the scope uses, and their ancestors. */
static int mark_stacks(struct store *s, struct scope *sc, uint8_t *mark)
{
	sqlite3_stmt *st;
	struct blob b;
	size_t i;
	int rc;

	blob_init(&b);
	rc = sqlite3_prepare_v2(s->db, "SELECT p.data, l.data, p.id FROM profiles p JOIN series s "
				"ON s.id=p.series LEFT JOIN labelsets l ON l.id=p.sets WHERE s.scope=?1",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		blob_release(&b);
		return store_sql_err(s, rc, "collecting symbols");
	}
	sqlite3_bind_int64(st, 1, sc->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = blob_decode_max(s->dctx, sqlite3_column_blob(st, 0),
					  (size_t)sqlite3_column_bytes(st, 0), sqlite3_column_blob(st, 1),
					  (size_t)sqlite3_column_bytes(st, 1), sc->nstacks, &b))) {
			err_prefix(rc, "store '%s': service '%s': profile %lld", s->path, sc->service,
				   (long long)sqlite3_column_int64(st, 2));
			break;
		}
		for (i = 0; i < b.n; i++) {
			uint32_t k = scope_slot(&sc->stack_ids, b.e[i].stack);

			/* the id comes from the file: mark[] has a byte per slot */
			if (k == STORE_NO_ID) {
				rc = err_set(ERR_CORRUPT, "store '%s' is corrupt: service '%s': profile "
							"%lld refers to stack %u, which does not exist",
					     s->path, sc->service, (long long)sqlite3_column_int64(st, 2),
					     b.e[i].stack);
				goto done;
			}
			for (; k && !mark[k]; k = sc->stk_parent[k])
				mark[k] = 1;
		}
	}
done:
	sqlite3_finalize(st);
	blob_release(&b);
	if (rc == SQLITE_DONE)
		return 0;
	return rc < 0 ? rc : store_sql_err(s, rc, "collecting symbols");
}

/* One more deleted scope: new scopes' generations start past the deleted ones' (store.c). */
static int count_deleted_scope(struct store *s)
{
	char sql[64];
	int64_t n;
	int rc;

	if ((rc = store_query_int(s, "PRAGMA user_version", &n)))
		return rc;
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%lld",
		 (long long)(n >= INT32_MAX ? 1 : n + 1));
	return store_exec(s, sql);
}

int store_gc_scope(struct store *s, int64_t scope_id, bool *damaged)
{
	static const char *const tables[] = { "strings", "mappings", "functions", "locations",
					      "stacks" };
	uint8_t *ms = NULL, *ml = NULL, *mf = NULL, *mm = NULL, *mstr = NULL;
	struct idlist series = { 0 };
	struct scope *sc;
	size_t i, j;
	int rc;

	if ((rc = ids_query(s, "SELECT id FROM series WHERE scope=?1 LIMIT 1", scope_id, &series)))
		return rc;
	if (series.n == 0) {
		char sql[64];

		free(series.v);
		for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
			snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE scope=?1", tables[i]);
			if ((rc = exec_bind(s, sql, scope_id, 0, NULL)))
				return rc;
		}
		if (!(rc = exec_bind(s, "DELETE FROM scope WHERE id=?1", scope_id, 0, NULL)))
			rc = count_deleted_scope(s);
		store_drop_caches(s);
		return rc;
	}
	free(series.v);
	if (damaged)
		*damaged = false;
	if ((rc = scope_get_by_id(s, scope_id, &sc)) || (rc = scope_load(s, sc))) {
		if (damaged)
			*damaged = rc == ERR_CORRUPT;
		return rc;
	}
	ms = calloc(sc->nstacks + 1, 1);
	ml = calloc(sc->nlocs + 1, 1);
	mf = calloc(sc->nfuncs + 1, 1);
	mm = calloc(sc->nmaps + 1, 1);
	mstr = calloc(sc->nstrs + 1, 1);
	if (!ms || !ml || !mf || !mm || !mstr) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	if ((rc = mark_stacks(s, sc, ms))) {
		if (damaged)
			*damaged = rc == ERR_CORRUPT;  /* nothing deleted yet */
		goto done;
	}
	for (i = 1; i < sc->nstacks; i++)
		if (ms[i])
			ml[sc->stk_loc[i]] = 1;
	for (i = 1; i < sc->nlocs; i++) {
		if (!ml[i])
			continue;
		mm[sc->locs[i].mapping] = 1;
		for (j = 0; j < sc->locs[i].nlines; j++)
			mf[sc->lines[sc->locs[i].line_off + j].func] = 1;
	}
	for (i = 1; i < sc->nfuncs; i++)
		if (mf[i]) {
			mstr[sc->funcs[i].name] = mstr[sc->funcs[i].system_name] = 1;
			mstr[sc->funcs[i].file] = 1;
		}
	for (i = 1; i < sc->nmaps; i++)
		if (mm[i])
			mstr[sc->maps[i].file] = mstr[sc->maps[i].build_id] = 1;
	if ((rc = sweep(s, scope_id, "stacks", ms, sc->nstacks, &sc->stack_ids)) ||
	    (rc = sweep(s, scope_id, "locations", ml, sc->nlocs, &sc->loc_ids)) ||
	    (rc = sweep(s, scope_id, "functions", mf, sc->nfuncs, &sc->func_ids)) ||
	    (rc = sweep(s, scope_id, "mappings", mm, sc->nmaps, &sc->map_ids)) ||
	    (rc = sweep(s, scope_id, "strings", mstr, sc->nstrs, &sc->str_ids)) ||
	    (rc = exec_bind(s, "UPDATE scope SET gc_gen=gc_gen+1 WHERE id=?1", scope_id, 0, NULL)))
		goto done;
done:
	free(ms);
	free(ml);
	free(mf);
	free(mm);
	free(mstr);
	store_drop_caches(s);  /* ids were freed: every content → id map is stale */
	return rc;
}

/* Deletes the series left without profiles (and their index rows). */
static int drop_empty_series(struct store *s)
{
	static const char *const sql[] = {
		"DELETE FROM series_labels WHERE series IN (SELECT id FROM series s WHERE NOT "
		"EXISTS(SELECT 1 FROM profiles p WHERE p.series=s.id))",
		"DELETE FROM sample_labels WHERE series IN (SELECT id FROM series s WHERE NOT "
		"EXISTS(SELECT 1 FROM profiles p WHERE p.series=s.id))",
		"DELETE FROM series WHERE NOT EXISTS(SELECT 1 FROM profiles p WHERE p.series=series.id)",
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++)
		if ((rc = store_exec(s, sql[i])))
			return rc;
	return 0;
}

/* Deletes those of the labelsets rows ids[0..n) that no profile names any more. */
static int drop_unused_labelsets(struct store *s, const int64_t *ids, size_t n)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if (!n)
		return 0;
	rc = sqlite3_prepare_v2(s->db, "DELETE FROM labelsets WHERE id=?1 AND NOT EXISTS(SELECT 1 "
				"FROM profiles WHERE sets=?1)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "maintenance");
	for (i = 0, rc = SQLITE_DONE; i < n && rc == SQLITE_DONE; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, ids[i]);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, "maintenance");
}

/*
 * After profiles were deleted: SQLite gives a new row max(id) + 1, so once the newest
 * rows are gone their ids come back, and a downsampling mark past max(id) would take a
 * late profile that gets one for a row it had already seen.  Such marks are dropped
 * (their stage's next pass reads every bucket); all of them when max(id) cannot be read.
 */
static void marks_after_delete(struct store *s)
{
	int64_t max_id = 0;
	size_t i, k = 0;

	if (!s->nds_marks)
		return;
	if (store_query_int(s, "SELECT max(id) FROM profiles", &max_id)) {
		s->nds_marks = 0;
		return;
	}
	for (i = 0; i < s->nds_marks; i++)
		if (s->ds_marks[i].max_id <= max_id)
			s->ds_marks[k++] = s->ds_marks[i];
	s->nds_marks = k;
}

/*
 * Deletes the profiles `where` selects (an SQL condition on profiles with one integer
 * parameter ?1), the label sets, series and symbols no longer used.
 */
static int delete_profiles(struct store *s, const char *where, int64_t arg, uint64_t *deleted)
{
	struct idlist scopes = { 0 }, sets = { 0 };
	struct buf sql = BUF_INIT;
	int64_t n = 0;
	size_t i;
	int rc;

	if ((rc = store_wbegin(s)))
		return rc;
	if ((rc = buf_printf(&sql, "SELECT DISTINCT s.scope FROM series s WHERE s.id IN (SELECT "
				   "series FROM profiles WHERE %s)", where)) ||
	    (rc = ids_query(s, sql.data, arg, &scopes)))
		goto done;
	buf_reset(&sql);
	if ((rc = buf_printf(&sql, "SELECT DISTINCT sets FROM profiles WHERE sets IS NOT NULL AND "
				   "(%s)", where)) ||
	    (rc = ids_query(s, sql.data, arg, &sets)))
		goto done;
	buf_reset(&sql);
	if ((rc = buf_printf(&sql, "DELETE FROM profiles WHERE %s", where)) ||
	    (rc = exec_bind(s, sql.data, arg, 0, &n)) ||
	    (rc = drop_unused_labelsets(s, sets.v, sets.n)) || (rc = drop_empty_series(s)))
		goto done;
	store_drop_caches(s);
	for (i = 0; i < scopes.n && !rc; i++) {
		bool damaged = false;

		if ((rc = store_gc_scope(s, scopes.v[i], &damaged)) && damaged) {
			/* nothing of the scope was swept yet: its symbols just stay */
			err_prefix(rc, "symbols kept");
			note_damage(s, -scopes.v[i]);
			rc = 0;
		}
	}
done:
	rc = store_wend(s, rc);
	if (!rc && deleted)
		*deleted += (uint64_t)n;
	if (!rc && n)
		marks_after_delete(s);
	free(scopes.v);
	free(sets.v);
	buf_release(&sql);
	return rc;
}

/*
 * Checkpoints and truncates the WAL (outside transactions), never waiting for readers.
 * A TRUNCATE checkpoint calls the busy handler until every reader is done, up to the
 * busy timeout, and this runs on serve's one writer thread: every push waited behind any
 * open query.  With the handler off it checkpoints what the readers allow, as PASSIVE
 * does, and a later call (or SQLite's own checkpoints) does the rest; wal_bring_back()
 * waits, a little, when the WAL is past its share.
 */
static void wal_truncate(struct store *s)
{
	sqlite3_busy_timeout(s->db, 0);
	sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
}

static uint64_t wal_size(const struct store *s)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s-wal", s->path);
	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/*
 * A WAL past its share under a cap is truncated, waiting a little for its readers.  A
 * reader's snapshot keeps the WAL from starting over, and a steady stream of short
 * queries always has one open: never waiting (wal_truncate), the WAL grew with every
 * commit, the store went 40-50 % past its cap, and on a disk just above the cap SQLite
 * could no longer checkpoint at all (the checkpoint grows the file).  Waiting lets the
 * readers of the moment finish; those that start once the WAL is copied read the file,
 * not the WAL, and do not hold it.  The wait is SQLite's busy handler, tried again after
 * a refusal that came at once (another connection checkpointing), WAL_WAIT_MS in all.  A
 * reader that holds its snapshot longer (a slow query) leaves the WAL as it is, and this
 * runs on serve's one writer thread: until the WAL is back, calls wait again only once
 * it grew by another share (s->wal_held), so a slow query costs pushes one wait per
 * share written, not one per commit.  True when the WAL is within its share after.
 */
#define WAL_WAIT_MS 100

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool wal_bring_back(struct store *s)
{
	struct timespec pause = { 0, 5000000 };
	int64_t start = mono_ms(), left;
	uint64_t wal = wal_size(s);
	int rc;

	if (!s->max_bytes || wal <= s->wal_bytes) {
		s->wal_held = 0;
		return true;
	}
	if (s->txn)
		return false;
	if (s->wal_held && wal <= s->wal_held + s->wal_bytes) {
		wal_truncate(s);
	} else {
		while ((left = WAL_WAIT_MS - (mono_ms() - start)) > 0) {
			sqlite3_busy_timeout(s->db, (int)left);
			rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL,
						       NULL);
			sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
			if (rc == SQLITE_OK ||
			    ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED))
				break;  /* done, or a failure waiting does not mend (a full disk) */
			nanosleep(&pause, NULL);
		}
	}
	if ((wal = wal_size(s)) <= s->wal_bytes) {
		s->wal_held = 0;
		return true;
	}
	if (!s->wal_held || wal > s->wal_held + s->wal_bytes)
		s->wal_held = wal;
	return false;
}

/*
 * After a pass that deleted or merged something: free pages go back to the file system
 * and the WAL is truncated; a WAL past its share under a cap (the pass wrote it) waits a
 * little for its readers, as after a commit.
 */
static void shrink(struct store *s)
{
	if (s->txn)
		return;
	sqlite3_exec(s->db, "PRAGMA incremental_vacuum", NULL, NULL, NULL);
	if (!s->max_bytes || wal_size(s) <= s->wal_bytes)
		wal_truncate(s);
	else
		wal_bring_back(s);
}

int store_retention(struct store *s, int64_t older_than_ns, uint64_t *deleted)
{
	uint64_t n = 0;
	int rc;

	if (deleted)
		*deleted = 0;
	/*
	 * A pushed profile (nprof 1) goes once its time is past the cutoff; a rollup is
	 * stamped at the start of its bucket and holds profiles up to its end, so it goes
	 * only once the whole bucket is past it (time_ns still leads, for the index).
	 */
	rc = delete_profiles(s, "time_ns < ?1 AND (nprof <= 1 OR time_ns <= ?1 - duration_ns)",
			     older_than_ns, &n);
	if (!rc && n)
		shrink(s);
	if (deleted)
		*deleted = n;
	return rc;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

struct old_row {
	int64_t series, time_ns, id;
	int64_t sets;  /* the labelsets row it names, or 0 */
};

/* One rollup to make: rows [lo, hi) of one series and bucket. */
struct group {
	size_t lo, hi;
	size_t leader;    /* the first group merging the same shared sets, or itself */
	bool shared;      /* its sets go to the leader's labelsets row */
	int64_t sets_id;  /* a leader's labelsets row, once written */
};

static bool same_sets(const struct old_row *rows, const struct group *a, const struct group *b)
{
	size_t i;

	if (a->hi - a->lo != b->hi - b->lo)
		return false;
	for (i = 0; i < a->hi - a->lo; i++)
		if (rows[a->lo + i].sets != rows[b->lo + i].sets)
			return false;
	return true;
}

/*
 * A push's sample types (one series each) name one labelsets row.  Rollups that merge
 * the rows of the same pushes, all naming their labelsets rows, come out with the same
 * sets byte for byte — the same sets merged in the same order — so they share one
 * labelsets row again, written by the first of them (the leader).
 */
static int find_partners(const struct old_row *rows, struct group *g, size_t ng)
{
	struct hmap first;
	size_t i, j;
	uint32_t k;
	int rc = 0;

	if ((rc = hmap_init(&first, ng)))
		return rc;
	for (i = 0; i < ng && i < UINT32_MAX; i++) {
		uint64_t h = 0x6a09e667f3bcc908ULL;

		for (j = g[i].lo; j < g[i].hi && rows[j].sets; j++)
			h = hmap_mix(h ^ (uint64_t)rows[j].sets);
		if (j < g[i].hi)
			continue;  /* a row with its sets inline */
		if (h == HMAP_EMPTY)
			h = 0;
		if ((rc = hmap_intern(&first, h, (uint32_t)i, &k)) < 0)
			break;
		rc = 0;
		if (k != i && same_sets(rows, &g[k], &g[i])) {
			g[i].leader = k;
			g[i].shared = g[k].shared = true;
		}
	}
	hmap_release(&first);
	return rc;
}

/*
 * The stacks of a series' scope as scope_load() counts them (the rows, and slot 0):
 * what bounds its profiles' entries (blob_decode_max).  Counted, not loaded, since
 * downsampling needs none of the symbols.
 */
static int series_nstacks(struct store *s, int64_t series, size_t *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM stacks WHERE scope=(SELECT scope "
				    "FROM series WHERE id=?1)", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "downsampling");
	sqlite3_bind_int64(st, 1, series);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return store_sql_err(s, rc, "downsampling");
	}
	*out = 1 + (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/*
 * Merges rows[0..n) (one series, one bucket) into one rollup row.  shared: its sets go
 * to the labelsets row *sets_id, written first if it is 0.  A row that does not decode
 * fails it with ERR_CORRUPT and its id in *bad before anything is written (one with more
 * entries than its scope's stacks allow among them: refused before they are allocated).
 * Returns 1, having written nothing, when the rows' distinct label sets together pass
 * the caps of store.h (STORE_MAX_PROFILE_LABELS), which every row must keep to be read.
 *
 * The rollup is stamped at the bucket's start and spans the bucket, or more when a row
 * it takes is a rollup of a larger bucket (a late profile merged into an hour's rollup
 * by a minute stage): retention goes by that span, so it must cover every row.
 */
static int rollup(struct store *s, const struct old_row *rows, size_t n, int64_t bucket_start,
		  int64_t bucket_ns, bool shared, int64_t *sets_id, struct blob *in,
		  struct blob *out, struct buf *data, int64_t *bad)
{
	sqlite3_stmt *get = NULL, *del = NULL, *st;
	int64_t nprof = 0, total, span = bucket_ns;
	size_t i, k;
	uint32_t *setmap = NULL;
	size_t cap_setmap = 0, nstacks = 0;
	struct idlist sets = { 0 };  /* the labelsets rows the merged rows named */
	int rc;

	blob_reset(out);
	out->n = 0;
	if ((rc = series_nstacks(s, rows[0].series, &nstacks)))
		goto done;
	if ((rc = sqlite3_prepare_v2(s->db, "SELECT p.nprof, p.data, l.data, p.duration_ns FROM "
				     "profiles p LEFT JOIN labelsets l ON l.id=p.sets WHERE p.id=?1",
				     -1, &get, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_prepare_v2(s->db, "DELETE FROM profiles WHERE id=?1", -1, &del, NULL)) !=
		    SQLITE_OK) {
		rc = store_sql_err(s, rc, "downsampling");
		goto done;
	}
	for (i = 0; i < n; i++) {
		sqlite3_reset(get);
		sqlite3_bind_int64(get, 1, rows[i].id);
		if ((rc = sqlite3_step(get)) != SQLITE_ROW) {
			rc = store_sql_err(s, rc, "downsampling");
			goto done;
		}
		if (__builtin_add_overflow(nprof, sqlite3_column_int64(get, 0) > 0 ?
							  sqlite3_column_int64(get, 0) : 1, &nprof)) {
			rc = err_set(ERR_TOOBIG, "store '%s': downsampling: profile counts add up past "
						 "2^63", s->path);
			goto done;
		}
		if ((rc = blob_decode_max(s->dctx, sqlite3_column_blob(get, 1),
					  (size_t)sqlite3_column_bytes(get, 1),
					  sqlite3_column_blob(get, 2),
					  (size_t)sqlite3_column_bytes(get, 2), nstacks, in))) {
			err_prefix(rc, "store '%s': profile %lld", s->path, (long long)rows[i].id);
			*bad = rows[i].id;
			goto done;
		}
		if (sqlite3_column_int64(get, 0) > 1) {  /* a rollup: up to time + duration */
			int64_t end, len;

			if (__builtin_add_overflow(rows[i].time_ns, sqlite3_column_int64(get, 3), &end) ||
			    __builtin_sub_overflow(end, bucket_start, &len))
				len = INT64_MAX;  /* a damaged duration: kept, never made shorter */
			if (len > span)
				span = len;
		}
		if (rows[i].sets) {
			if ((rc = vec_reserve(&sets.v, &sets.cap, sets.n + 1)))
				goto done;
			sets.v[sets.n++] = rows[i].sets;
		}
		if (in->period)
			out->period = in->period;
		if ((rc = vec_reserve(&setmap, &cap_setmap, in->nsets)) ||
		    (rc = vec_reserve(&out->e, &out->cap_e, out->n + in->n)))
			goto done;
		for (k = 0; k < in->nsets; k++)
			if ((rc = blob_add_set_encoded(out, in->sets[k].bytes, in->sets[k].nbytes,
						       &setmap[k])))
				goto done;
		if (out->setlabels > STORE_MAX_PROFILE_LABELS ||
		    out->nsets > STORE_MAX_PROFILE_LABELS) {
			rc = 1;
			goto done;
		}
		for (k = 0; k < in->n; k++) {
			out->e[out->n].stack = in->e[k].stack;
			out->e[out->n].set = setmap[in->e[k].set];
			out->e[out->n++].value = in->e[k].value;
		}
		if ((rc = blob_normalize(out)))
			goto done;
	}
	if (shared && !*sets_id) {
		if ((rc = blob_encode_sets(s->cctx, out, data)))
			goto done;
		if (!(st = store_stmt(s, ST_LABELSETS_ADD))) {
			rc = err_last_code();
			goto done;
		}
		sqlite3_bind_blob(st, 1, data->data, (int)data->len, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
			rc = store_sql_err(s, rc, "downsampling");
			goto done;
		}
		*sets_id = sqlite3_last_insert_rowid(s->db);
	}
	if ((rc = blob_sum(out, &total)) || (rc = blob_encode_with(s->cctx, out, out, shared, data)))
		goto done;
	for (i = 0; i < n; i++) {
		sqlite3_reset(del);
		sqlite3_bind_int64(del, 1, rows[i].id);
		if ((rc = sqlite3_step(del)) != SQLITE_DONE) {
			rc = store_sql_err(s, rc, "downsampling");
			goto done;
		}
	}
	if (!(st = store_stmt(s, ST_PROFILE_ADD))) {
		rc = err_last_code();
		goto done;
	}
	sqlite3_bind_int64(st, 1, rows[0].series);
	sqlite3_bind_int64(st, 2, bucket_start);
	sqlite3_bind_int64(st, 3, span);
	sqlite3_bind_int64(st, 4, nprof);
	sqlite3_bind_int64(st, 5, total);
	sqlite3_bind_blob(st, 6, data->data, (int)data->len, SQLITE_STATIC);
	if (shared)
		sqlite3_bind_int64(st, 7, *sets_id);
	else
		sqlite3_bind_null(st, 7);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		rc = store_sql_err(s, rc, "downsampling");
	else
		rc = drop_unused_labelsets(s, sets.v, sets.n);
done:
	sqlite3_finalize(get);
	sqlite3_finalize(del);
	free(setmap);
	free(sets.v);
	return rc;
}

/*
 * Rows met in (series, time, id) order, kept only when their (series, bucket) holds two
 * or more: rows[lo..n) are the current bucket's, groups[] the buckets kept.
 */
struct grouper {
	int64_t bucket_ns;
	struct old_row *rows;
	size_t n, cap, lo;
	struct group *groups;
	size_t ng, cap_groups;
};

/* Ends the current bucket: a group when it has 2 rows or more, else dropped. */
static int grouper_close(struct grouper *g)
{
	int rc;

	if (g->n - g->lo < 2) {
		g->n = g->lo;
		return 0;
	}
	if ((rc = vec_reserve(&g->groups, &g->cap_groups, g->ng + 1)))
		return rc;
	g->groups[g->ng] = (struct group){ g->lo, g->n, g->ng, false, 0 };
	g->ng++;
	g->lo = g->n;
	return 0;
}

/* Adds the rows st gives (series, time_ns, id, in that order). */
static int grouper_add(struct store *s, struct grouper *g, sqlite3_stmt *st)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t series = sqlite3_column_int64(st, 0), t = sqlite3_column_int64(st, 1);

		if (g->n > g->lo && (series != g->rows[g->lo].series ||
				     floor_div(t, g->bucket_ns) !=
					     floor_div(g->rows[g->lo].time_ns, g->bucket_ns)) &&
		    (rc = grouper_close(g)))
			return rc;
		if ((rc = vec_reserve(&g->rows, &g->cap, g->n + 1)))
			return rc;
		g->rows[g->n++] = (struct old_row){ series, t, sqlite3_column_int64(st, 2), 0 };
	}
	return rc == SQLITE_DONE ? grouper_close(g) : store_sql_err(s, rc, "downsampling");
}

struct bucket_key {
	int64_t series, bucket;
};

static int bucket_key_cmp(const void *a, const void *b)
{
	const struct bucket_key *x = a, *y = b;

	if (x->series != y->series)
		return x->series < y->series ? -1 : 1;
	return x->bucket < y->bucket ? -1 : x->bucket > y->bucket;
}

/*
 * The buckets before `end` that can have changed since a pass that went up to `since`
 * and saw ids up to since_id: those of rows that have aged past since, and of rows
 * added since (late profiles, the rollups of other stages).  Each is read whole from
 * the (series, time) index.
 */
static int add_changed(struct store *s, struct grouper *g, int64_t end, int64_t since,
		       int64_t since_id)
{
	struct bucket_key *keys = NULL;
	size_t nkeys = 0, cap = 0, i;
	sqlite3_stmt *st = NULL, *get = NULL;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "SELECT series, time_ns FROM profiles WHERE time_ns>=?2 AND "
				"time_ns<?1 UNION ALL SELECT series, time_ns FROM profiles WHERE "
				"id>?3 AND time_ns<?1", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, "SELECT series, time_ns, id FROM profiles INDEXED BY "
					"profiles_series_time WHERE series=?1 AND time_ns>=?2 AND "
					"time_ns<?3 ORDER BY time_ns, id", -1, &get, NULL);
	if (rc != SQLITE_OK) {
		rc = store_sql_err(s, rc, "downsampling");
		goto done;
	}
	sqlite3_bind_int64(st, 1, end);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, since_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = vec_reserve(&keys, &cap, nkeys + 1)))
			goto done;
		keys[nkeys].series = sqlite3_column_int64(st, 0);
		keys[nkeys++].bucket = floor_div(sqlite3_column_int64(st, 1), g->bucket_ns);
	}
	if (rc != SQLITE_DONE) {
		rc = store_sql_err(s, rc, "downsampling");
		goto done;
	}
	rc = 0;
	if (nkeys)
		qsort(keys, nkeys, sizeof(keys[0]), bucket_key_cmp);
	for (i = 0; i < nkeys && !rc; i++) {
		if (i && !bucket_key_cmp(&keys[i], &keys[i - 1]))
			continue;
		sqlite3_reset(get);
		sqlite3_bind_int64(get, 1, keys[i].series);
		sqlite3_bind_int64(get, 2, keys[i].bucket * g->bucket_ns);
		sqlite3_bind_int64(get, 3, keys[i].bucket * g->bucket_ns + g->bucket_ns);
		rc = grouper_add(s, g, get);
	}
done:
	sqlite3_finalize(st);
	sqlite3_finalize(get);
	free(keys);
	return rc;
}

/*
 * The rollups to make: every (series, bucket) before `end` holding two rows or more,
 * their rows in g (by series, time, id: every sample type's rows of a bucket in the same
 * order) with their labelsets rows.  With a mark from an earlier pass of this stage
 * (since, since_id), only the buckets that can have changed (add_changed); without,
 * a walk of the (series, time) index, which holds the id too.  It read every old row
 * whole before, into memory, sorted — sets comes after the blob in the record — on
 * every stage of every pass.
 */
static int find_groups(struct store *s, int64_t end, const struct ds_mark *mark,
		       struct grouper *g)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if (mark) {
		if ((rc = add_changed(s, g, end, mark->end, mark->max_id)))
			return rc;
	} else {
		rc = sqlite3_prepare_v2(s->db, "SELECT series, time_ns, id FROM profiles INDEXED BY "
					"profiles_series_time WHERE time_ns<?1 ORDER BY series, "
					"time_ns, id", -1, &st, NULL);
		if (rc != SQLITE_OK)
			return store_sql_err(s, rc, "downsampling");
		sqlite3_bind_int64(st, 1, end);
		rc = grouper_add(s, g, st);
		sqlite3_finalize(st);
		if (rc)
			return rc;
	}
	/* the labelsets rows, for the rows that will be merged only */
	rc = sqlite3_prepare_v2(s->db, "SELECT sets FROM profiles WHERE id=?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "downsampling");
	for (i = 0; i < g->n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, g->rows[i].id);
		if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
			rc = store_sql_err(s, rc, "downsampling");
			break;
		}
		g->rows[i].sets = sqlite3_column_int64(st, 0);  /* NULL reads as 0 */
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * This connection's mark for stages of bucket_ns: NULL when a pass must read every
 * bucket — the first, every DS_FULL_EVERY-th (a safety net), after the ids went down (a
 * deletion of the newest; marks_after_delete() drops the marks it makes stale at once)
 * or the cutoff went back.
 */
#define DS_FULL_EVERY 64

static struct ds_mark *mark_of(struct store *s, int64_t bucket_ns, int64_t end, int64_t max_id)
{
	size_t i;

	for (i = 0; i < s->nds_marks; i++) {
		struct ds_mark *m = &s->ds_marks[i];

		if (m->bucket_ns != bucket_ns)
			continue;
		if (++m->passes % DS_FULL_EVERY == 0 || max_id < m->max_id || end < m->end)
			return NULL;
		return m;
	}
	return NULL;
}

/* After a pass that read what it had to: later passes start from here. */
static void mark_set(struct store *s, int64_t bucket_ns, int64_t end, int64_t max_id)
{
	size_t i, max = sizeof(s->ds_marks) / sizeof(s->ds_marks[0]);

	for (i = 0; i < s->nds_marks && s->ds_marks[i].bucket_ns != bucket_ns; i++)
		;
	if (i == max)
		return;  /* more stages than marks: those read every bucket */
	if (i == s->nds_marks)
		s->ds_marks[s->nds_marks++] = (struct ds_mark){ bucket_ns, 0, 0, 0 };
	s->ds_marks[i].end = end;
	s->ds_marks[i].max_id = max_id;
}

int store_downsample(struct store *s, int64_t older_than_ns, int64_t bucket_ns, uint64_t *merged)
{
	struct grouper g = { .bucket_ns = bucket_ns };
	struct blob in, out;
	struct buf data = BUF_INIT;
	uint64_t nmerged = 0;
	int64_t end, max_id = 0;
	size_t i;
	int rc;

	if (merged)
		*merged = 0;
	if (bucket_ns <= 0)
		return err_set(ERR_USAGE, "downsampling needs a positive bucket");
	/* whole buckets only: those that end at or before older_than_ns */
	end = floor_div(older_than_ns, bucket_ns) * bucket_ns;
	blob_init(&in);
	blob_init(&out);
	if ((rc = store_wbegin(s)))
		return rc;
	if ((rc = store_query_int(s, "SELECT max(id) FROM profiles", &max_id)) ||
	    (rc = find_groups(s, end, mark_of(s, bucket_ns, end, max_id), &g)) ||
	    (rc = find_partners(g.rows, g.groups, g.ng)))
		goto done;
	for (i = 0; i < g.ng && !rc; i++) {
		const struct group *gr = &g.groups[i];
		int64_t bad = 0;

		rc = rollup(s, g.rows + gr->lo, gr->hi - gr->lo,
			    floor_div(g.rows[gr->lo].time_ns, bucket_ns) * bucket_ns, bucket_ns,
			    gr->shared, &g.groups[gr->leader].sets_id, &in, &out, &data, &bad);
		if (rc == ERR_CORRUPT && bad) {
			/* its rows stay as they are; a partner writes the shared sets instead */
			err_prefix(rc, "not rolled up");
			note_damage(s, bad);
			rc = 0;
			continue;
		}
		if (rc == 1) {  /* too many labels for one row: the rows stay as they are */
			rc = 0;
			continue;
		}
		if (!rc)
			nmerged += gr->hi - gr->lo;
	}
	/* the rollups just made are alone in their buckets: the next pass need not see them */
	if (!rc)
		rc = store_query_int(s, "SELECT max(id) FROM profiles", &max_id);
done:
	rc = store_wend(s, rc);
	free(g.rows);
	free(g.groups);
	blob_release(&in);
	blob_release(&out);
	buf_release(&data);
	if (!rc && nmerged)
		marks_after_delete(s);  /* the rollups deleted rows: other stages' marks */
	if (!rc)
		mark_set(s, bucket_ns, end, max_id);
	if (!rc && nmerged)
		shrink(s);
	if (!rc && merged)
		*merged = nmerged;  /* nothing is kept on failure */
	return rc;
}

#define DAY_NS (86400LL * 1000000000LL)

int store_downsample_check(const int64_t *after_ns, const int64_t *bucket_ns, size_t n)
{
	char a[UNITS_MAX], b[UNITS_MAX], prev[UNITS_MAX];
	size_t i;

	for (i = 0; i < n; i++) {
		units_format(a, sizeof(a), after_ns[i], "nanoseconds");
		units_format(b, sizeof(b), bucket_ns[i], "nanoseconds");
		if (bucket_ns[i] <= 0 || after_ns[i] < bucket_ns[i])
			return err_set(ERR_USAGE, "stage %zu (age %s, bucket %s): the bucket must be "
						  "positive and the age at least the bucket", i + 1, a, b);
		if (DAY_NS % bucket_ns[i] != 0 && bucket_ns[i] % DAY_NS != 0)
			return err_set(ERR_USAGE, "stage %zu (age %s, bucket %s): the bucket must "
						  "divide a day or be whole days, or rollups straddle "
						  "hours and days", i + 1, a, b);
		if (!i)
			continue;
		units_format(prev, sizeof(prev), bucket_ns[i - 1], "nanoseconds");
		if (after_ns[i] <= after_ns[i - 1] || bucket_ns[i] <= bucket_ns[i - 1])
			return err_set(ERR_USAGE, "stage %zu (age %s, bucket %s): stages go from the "
						  "youngest to the oldest, each with a larger bucket", i + 1,
				       a, b);
		if (bucket_ns[i] % bucket_ns[i - 1] != 0)
			return err_set(ERR_USAGE, "stage %zu (age %s, bucket %s): the bucket must be a "
						  "whole number of the previous stage's (%s), or its "
						  "rollups straddle the larger buckets", i + 1, a, b, prev);
	}
	return 0;
}

/*
 * What the store takes on disk, for eviction: its file (as large as it is once the WAL is
 * empty; its pages in use while the WAL holds pages: then the file's size is what it was
 * before, and counting it, deleting profiles would never lower the figure while a reader
 * keeps the WAL from being copied back, and eviction would empty the store) and, under a
 * cap, its WAL up to the WAL's share.  What the WAL holds past its share belongs to a transaction
 * or to a reader still reading it: deleting profiles cannot win it (it writes more), so
 * evict_to() truncates it first (wal_bring_back); only what a reader keeps even then is
 * left out, or eviction would empty the store for a WAL it cannot shrink.
 */
static int used_bytes(struct store *s, uint64_t *out, int64_t *nprofiles)
{
	struct store_stats st;
	struct stat file;
	uint64_t wal;
	int rc = store_stats(s, &st);

	*out = st.file_bytes;
	*nprofiles = (int64_t)st.profiles;
	if (rc)
		return rc;
	wal = wal_size(s);
	if (wal == 0 && stat(s->path, &file) == 0 && (uint64_t)file.st_size > *out)
		*out = (uint64_t)file.st_size;
	if (s->wal_bytes)
		*out += wal < s->wal_bytes ? wal : s->wal_bytes;
	return 0;
}

/*
 * Deletes the oldest profiles, every row of a time together (a push's sample types),
 * until used_bytes() is at most max_bytes or none is left that may go; with
 * keep_newest, those of the newest time may not.  The WAL is truncated
 * and free pages given back first, once, when the store takes more than max_bytes on
 * disk: what the cap measures is then what the file holds (before, only a pass that
 * deleted something did so, and a store past its cap by its WAL alone, deleting nothing,
 * never did).  Each round deletes what its estimate says is needed (per profile, the
 * average of what is left) and stops once a round deletes nothing.
 */
static int evict_to(struct store *s, uint64_t max_bytes, bool keep_newest, uint64_t *deleted)
{
	/*
	 * Whole times: the rows up to the time of the ?1-th oldest and every other row of
	 * that time.  A push is one row per sample type, all at its time; cut by rows, it
	 * kept inuse_* and lost alloc_* of one heap profile.  Other pushes of that same
	 * time go with it: they are as old.
	 */
	const char *where = keep_newest ?
		"time_ns <= (SELECT max(time_ns) FROM (SELECT time_ns FROM profiles WHERE "
		"time_ns < (SELECT max(time_ns) FROM profiles) ORDER BY time_ns, id LIMIT ?1))" :
		"time_ns <= (SELECT max(time_ns) FROM (SELECT time_ns FROM profiles "
		"ORDER BY time_ns, id LIMIT ?1))";
	uint64_t used;
	int64_t count;
	int rc, round;
	bool shrunk = false;

	if (deleted)
		*deleted = 0;
	for (round = 0; round < 64; round++) {
		uint64_t n = 0;
		int64_t want;
		double per;

		if ((rc = used_bytes(s, &used, &count)))
			return rc;
		if (!shrunk && !s->txn &&
		    (used > max_bytes || (s->wal_bytes && wal_size(s) > s->wal_bytes))) {
			shrunk = true;
			shrink(s);
			if ((rc = used_bytes(s, &used, &count)))
				return rc;
		}
		if (used <= max_bytes || count == 0)
			break;
		per = (double)used / (double)count;
		want = (int64_t)((double)(used - max_bytes) / per * 1.1) + 1;
		if (want > count)
			want = count;
		if ((rc = delete_profiles(s, where, want, &n)))
			return rc;
		if (deleted)
			*deleted += n;
		shrink(s);
		if (n == 0)
			break;  /* only the newest are left */
	}
	return 0;
}

int store_evict(struct store *s, uint64_t max_bytes, uint64_t *deleted)
{
	return evict_to(s, max_bytes, false, deleted);
}

int store_evict_older(struct store *s, uint64_t max_bytes, uint64_t *deleted)
{
	return evict_to(s, max_bytes, true, deleted);
}

int store_evict_room(struct store *s, uint64_t need, uint64_t max_bytes, uint64_t *deleted)
{
	uint64_t part = s->file_pages * (uint64_t)s->page_size;

	if (!s->max_bytes)
		return err_set(ERR_USAGE, "store_evict_room without a size limit");
	if (part < need)
		part = need;
	return evict_to(s, part - need < max_bytes ? part - need : max_bytes, false, deleted);
}

int store_has_profiles(struct store *s, bool *out)
{
	int64_t any = 0;
	int rc = store_query_int(s, "SELECT EXISTS(SELECT 1 FROM profiles)", &any);

	*out = any != 0;
	return rc;
}

bool store_cap_reached(const struct store *s)
{
	return s->max_bytes && s->at_cap;
}

int store_size_used(struct store *s, uint64_t *out)
{
	int64_t pages, freel;
	int rc;

	*out = 0;
	if ((rc = store_query_int(s, "PRAGMA page_count", &pages)) ||
	    (rc = store_query_int(s, "PRAGMA freelist_count", &freel)))
		return rc;
	*out = pages > freel ? (uint64_t)(pages - freel) * (uint64_t)s->page_size : 0;
	return 0;
}

/*
 * Lifted, writes may take the file two caps past its size: what fitted under the cap
 * before the refused write, and a whole cap for it.  Put back, the WAL the measure (rolled
 * back) grew is checkpointed and truncated, as far as readers allow.
 */
int store_size_lift(struct store *s, bool lift)
{
	uint64_t limit = s->file_pages;
	int64_t pages = 0;
	char sql[64];
	int rc;

	if (!s->max_bytes)
		return 0;
	if (lift && (rc = store_query_int(s, "PRAGMA page_count", &pages)))
		return rc;
	if (lift)
		limit = (uint64_t)pages + 2 * s->file_pages;
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count=%llu", (unsigned long long)limit);
	if ((rc = store_exec(s, sql)))
		return rc;
	if (!lift)
		shrink(s);
	return 0;
}

/*
 * SQLite truncates a WAL back to journal_size_limit only when a later write starts it
 * over: until then the frames of a large transaction stay on disk, past the cap.  And
 * while readers hold it, no write starts it over: wal_bring_back() waits a little for
 * them.
 */
void store_size_trim(struct store *s)
{
	wal_bring_back(s);
}

/*
 * An empty store still has its schema: page 1, a root page per table and index, and
 * the pointer-map page incremental vacuum keeps.
 */
int store_size_room(struct store *s, uint64_t *out)
{
	int64_t roots;
	uint64_t schema;
	int rc;

	*out = 0;
	if ((rc = store_query_int(s, "SELECT count(*) FROM sqlite_schema WHERE rootpage > 0",
				  &roots)))
		return rc;
	schema = ((uint64_t)roots + 2) * (uint64_t)s->page_size;
	if (s->file_pages * (uint64_t)s->page_size > schema)
		*out = s->file_pages * (uint64_t)s->page_size - schema;
	return 0;
}

/*
 * The WAL is part of what the store occupies.  By default SQLite checkpoints it every
 * 1000 pages (~4 MB) and never makes the file smaller again: alone past a small cap.
 * So the cap is shared: the WAL gets 1/WAL_SHARE of it (at most those 1000 pages) — a
 * checkpoint once it holds that many pages, and journal_size_limit, which truncates it
 * back to that size when a checkpoint has let it start over — and the file the rest.
 * Only the transaction being written can take the WAL past its share (a WAL holds a whole
 * transaction), and readers still reading older pages delay the checkpoint.
 */
#define WAL_SHARE 16        /* 1/16 of the cap */
#define WAL_MAX_PAGES 1000  /* SQLite's default wal_autocheckpoint */
#define WAL_FRAME_HEADER 24
#define WAL_HEADER 32

int store_set_size_limit(struct store *s, uint64_t max_bytes)
{
	sqlite3_stmt *st;
	int64_t psize = 4096;
	uint64_t frame, wal_pages, wal_bytes, pages;
	char sql[160];
	int rc;

	if (max_bytes == 0)
		return 0;
	if (sqlite3_prepare_v2(s->db, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			psize = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	if (psize <= 0)
		psize = 4096;
	frame = (uint64_t)psize + WAL_FRAME_HEADER;
	wal_pages = max_bytes / WAL_SHARE / frame;
	if (wal_pages < 1)
		wal_pages = 1;
	if (wal_pages > WAL_MAX_PAGES)
		wal_pages = WAL_MAX_PAGES;
	wal_bytes = WAL_HEADER + wal_pages * frame;
	pages = max_bytes > wal_bytes ? (max_bytes - wal_bytes) / (uint64_t)psize : 0;
	/* SQLite keeps the limit at or above the current page count by itself */
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count=%llu; PRAGMA wal_autocheckpoint=%llu; "
		 "PRAGMA journal_size_limit=%llu", (unsigned long long)(pages ? pages : 1),
		 (unsigned long long)wal_pages, (unsigned long long)wal_bytes);
	if ((rc = store_exec(s, sql)))
		return rc;
	s->max_bytes = max_bytes;
	s->wal_bytes = wal_bytes;
	s->file_pages = pages ? pages : 1;
	s->page_size = psize;
	/*
	 * A WAL left past its share (readers kept the last writer from truncating it when it
	 * closed) would stay so until a write starts it over, and on a disk just above the
	 * cap no write may: truncated now, or by the first store_size_trim() or eviction
	 * after its readers are gone.
	 */
	wal_bring_back(s);
	return 0;
}

int store_set_commit_sync(struct store *s, bool sync)
{
	return store_exec(s, sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
}
