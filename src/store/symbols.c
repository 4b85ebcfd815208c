/*
 * symbols.c — a scope's strings, mappings, functions, locations and stacks, cached in
 * memory as arrays of slots (store_int.h: struct scope_ids maps the file's ids to slots
 * and back), and interned on write: content → slot through hash maps (a hash chain,
 * each candidate compared in full), new rows inserted at once.  Stacks need no
 * comparison: the key (parent slot << 32 | location slot) is the content.
 *
 * Rows read from the file are checked (ids in range, references to existing rows): a
 * damaged store gives ERR_CORRUPT, never an out-of-bounds read, and no id read from the
 * file sizes an allocation — a table of n rows costs O(n) whatever its ids.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/err.h"
#include "base/vec.h"

#define SCOPE_MAX_ID (UINT32_MAX - 1)

static void ids_release(struct scope_ids *t)
{
	free(t->id);
	free(t->dir);
	hmap_release(&t->map);
}

/* Slot 0 is id 0. */
static int ids_init(struct scope_ids *t)
{
	int rc;

	if ((rc = vec_reserve(&t->id, &t->cap, 16)) || (rc = vec_reserve(&t->dir, &t->cap_dir, 16)))
		return rc;
	t->id[0] = 0;
	t->dir[0] = 0;
	t->next = 1;
	return 0;
}

/* Whether a table of n slots whose ids end before next is dense enough for dir. */
static bool ids_dense(uint64_t next, size_t n)
{
	return next <= 2 * (uint64_t)n + SCOPE_IDS_SLACK;
}

/* id → slot through the map from now on (the slots before n are in t->id). */
static int ids_hash(struct scope_ids *t, size_t n)
{
	size_t i;
	int rc;

	if ((rc = hmap_init(&t->map, n + 1)))
		return rc;
	for (i = 0; i < n; i++)
		if ((rc = hmap_put(&t->map, t->id[i], (uint32_t)i))) {
			hmap_release(&t->map);
			return rc;
		}
	free(t->dir);
	t->dir = NULL;
	t->cap_dir = 0;
	return 0;
}

/* Back to dir when the table of n slots became dense (after a load); 0 when it stays. */
static int ids_settle(struct scope_ids *t, size_t n)
{
	uint32_t *dir = NULL;
	size_t cap = 0, i;
	int rc;

	if (t->dir || !ids_dense(t->next, n))
		return 0;
	if ((rc = vec_reserve(&dir, &cap, (size_t)t->next)))
		return rc;
	for (i = 0; i < t->next; i++)
		dir[i] = STORE_NO_ID;
	for (i = 0; i < n; i++)
		dir[t->id[i]] = (uint32_t)i;
	hmap_release(&t->map);
	t->dir = dir;
	t->cap_dir = cap;
	return 0;
}

/*
 * Records that slot (the table's slot count before this row) holds id, which is at
 * least t->next.  On failure nothing changed.
 */
static int ids_add(struct scope_ids *t, size_t slot, uint64_t id)
{
	int rc;

	if ((rc = vec_reserve(&t->id, &t->cap, slot + 1)))
		return rc;
	if (t->dir && !ids_dense(id + 1, slot + 1) && (rc = ids_hash(t, slot)))
		return rc;
	if (t->dir) {
		if ((rc = vec_reserve(&t->dir, &t->cap_dir, (size_t)id + 1)))
			return rc;
		while (t->next < id)
			t->dir[t->next++] = STORE_NO_ID;
		t->dir[id] = (uint32_t)slot;
	} else if ((rc = hmap_put(&t->map, id, (uint32_t)slot))) {
		return rc;
	}
	t->id[slot] = (uint32_t)id;
	t->next = id + 1;
	return 0;
}

/* The slot of a reference read from the file (a column may hold any integer). */
static uint32_t ref_slot(const struct scope_ids *t, int64_t id)
{
	return id < 0 || id > SCOPE_MAX_ID ? STORE_NO_ID : scope_slot(t, (uint64_t)id);
}

void scope_free(struct scope *sc)
{
	if (!sc)
		return;
	free(sc->tenant);
	free(sc->service);
	ids_release(&sc->str_ids);
	ids_release(&sc->map_ids);
	ids_release(&sc->func_ids);
	ids_release(&sc->loc_ids);
	ids_release(&sc->stack_ids);
	arena_release(&sc->arena);
	free(sc->strs);
	free(sc->str_lens);
	free(sc->maps);
	free(sc->funcs);
	free(sc->locs);
	free(sc->lines);
	free(sc->stk_parent);
	free(sc->stk_loc);
	free(sc->paths);
	if (sc->maps_built) {
		hmap_release(&sc->strmap);
		hmap_release(&sc->mapmap);
		hmap_release(&sc->funcmap);
		hmap_release(&sc->locmap);
		hmap_release(&sc->stackmap);
		hmap_release(&sc->pathmap);
	}
	free(sc);
}

static int scope_new(int64_t id, const char *tenant, const char *service, int64_t gen,
		     struct scope **out)
{
	struct scope *sc = calloc(1, sizeof(*sc));

	*out = NULL;
	if (!sc)
		return err_set(ERR_NOMEM, "out of memory");
	sc->id = id;
	sc->gc_gen = gen;
	arena_init(&sc->arena);
	sc->tenant = strdup(tenant);
	sc->service = strdup(service);
	/* id 0 of every table: "", no mapping/function/location, the root stack */
	if (!sc->tenant || !sc->service || ids_init(&sc->str_ids) || ids_init(&sc->map_ids) ||
	    ids_init(&sc->func_ids) || ids_init(&sc->loc_ids) || ids_init(&sc->stack_ids) ||
	    vec_reserve(&sc->strs, &sc->cap_strs, 16) ||
	    vec_reserve(&sc->str_lens, &sc->cap_lens, 16) || vec_reserve(&sc->maps, &sc->cap_maps, 16) ||
	    vec_reserve(&sc->funcs, &sc->cap_funcs, 16) || vec_reserve(&sc->locs, &sc->cap_locs, 16) ||
	    vec_reserve(&sc->stk_parent, &sc->cap_parent, 16) ||
	    vec_reserve(&sc->stk_loc, &sc->cap_loc, 16)) {
		scope_free(sc);
		return err_set(ERR_NOMEM, "out of memory");
	}
	sc->strs[0] = "";
	sc->str_lens[0] = 0;
	sc->nstrs = 1;
	memset(&sc->maps[0], 0, sizeof(sc->maps[0]));
	memset(&sc->funcs[0], 0, sizeof(sc->funcs[0]));
	memset(&sc->locs[0], 0, sizeof(sc->locs[0]));
	sc->nmaps = sc->nfuncs = sc->nlocs = 1;
	sc->stk_parent[0] = 0;
	sc->stk_loc[0] = 0;
	sc->nstacks = 1;
	*out = sc;
	return 0;
}

static int scope_add(struct store *s, struct scope *sc)
{
	int rc = vec_reserve(&s->scopes, &s->cap_scopes, s->nscopes + 1);

	if (rc) {
		scope_free(sc);
		return rc;
	}
	s->scopes[s->nscopes++] = sc;
	return 0;
}

int scope_get(struct store *s, const char *tenant, const char *service, bool create,
	      struct scope **out)
{
	sqlite3_stmt *st;
	struct scope *sc;
	int64_t id, gen = 0;
	size_t i;
	int rc;

	*out = NULL;
	for (i = 0; i < s->nscopes; i++)
		if (strcmp(s->scopes[i]->tenant, tenant) == 0 &&
		    strcmp(s->scopes[i]->service, service) == 0) {
			*out = s->scopes[i];
			return 0;
		}
	if (!(st = store_stmt(s, ST_SCOPE_GET)))
		return err_last_code();
	sqlite3_bind_text(st, 1, tenant, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, service, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		gen = sqlite3_column_int64(st, 1);
	} else if (rc != SQLITE_DONE) {
		return store_sql_err(s, rc, "reading scopes");
	} else if (!create) {
		return ERR_NOTFOUND;
	} else {
		if (!(st = store_stmt(s, ST_SCOPE_ADD)))
			return err_last_code();
		sqlite3_bind_text(st, 1, tenant, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, service, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE)
			return store_sql_err(s, rc, "adding a service");
		id = sqlite3_last_insert_rowid(s->db);
	}
	if ((rc = scope_new(id, tenant, service, gen, &sc)) || (rc = scope_add(s, sc)))
		return rc;
	*out = sc;
	return 0;
}

int scope_get_by_id(struct store *s, int64_t id, struct scope **out)
{
	const char *tenant, *service;
	sqlite3_stmt *st;
	struct scope *sc;
	size_t i;
	int rc;

	*out = NULL;
	for (i = 0; i < s->nscopes; i++)
		if (s->scopes[i]->id == id) {
			*out = s->scopes[i];
			return 0;
		}
	rc = sqlite3_prepare_v2(s->db, "SELECT tenant, service, gc_gen FROM scope WHERE id=?1", -1,
				&st, NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "reading scopes");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			return err_set(ERR_CORRUPT, "store '%s' is corrupt: a series refers to service %lld, "
						  "which does not exist", s->path, (long long)id);
		return store_sql_err(s, rc, "reading scopes");
	}
	if (!(rc = store_col_text(s, st, 0, "service", id, "tenant", &tenant)) &&
	    !(rc = store_col_text(s, st, 1, "service", id, "name", &service)))
		rc = scope_new(id, tenant, service, sqlite3_column_int64(st, 2), &sc);
	sqlite3_finalize(st);
	if (rc || (rc = scope_add(s, sc)))
		return rc;
	*out = sc;
	return 0;
}

static int corrupt(struct store *s, const struct scope *sc, const char *what, int64_t id)
{
	return err_set(ERR_CORRUPT, "store '%s' is corrupt: service '%s': bad %s %lld", s->path,
		       sc->service, what, (long long)id);
}

static int chain_put(struct hmap *m, uint64_t h, uint32_t slot)
{
	uint32_t cur;

	for (;;) {
		if (h == HMAP_EMPTY)
			h = 0;
		if (!hmap_get(m, h, &cur))
			return hmap_put(m, h, slot);
		h = hmap_mix(h + 1);
	}
}

static uint64_t hash_map(const struct scope_map *m)
{
	uint64_t k[4] = { m->start, m->limit, m->offset, ((uint64_t)m->file << 32) | m->build_id };

	return XXH3_64bits(k, sizeof(k));
}

static uint64_t hash_func(const struct scope_func *f)
{
	uint64_t k[3] = { ((uint64_t)f->name << 32) | f->system_name, f->file,
			  (uint64_t)f->start_line };

	return XXH3_64bits(k, sizeof(k));
}

static uint64_t hash_loc(uint32_t mapping, uint64_t address, const struct prof_line *lines,
			 uint32_t n)
{
	uint64_t head[2] = { ((uint64_t)mapping << 32) | n, address };
	uint64_t h = XXH3_64bits(head, sizeof(head));
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint64_t l[2] = { lines[i].func, (uint64_t)lines[i].line };

		h = XXH3_64bits_withSeed(l, sizeof(l), h);
	}
	return h;
}

static int map_str(struct scope *sc, uint32_t slot)
{
	return chain_put(&sc->strmap, XXH3_64bits(sc->strs[slot], sc->str_lens[slot]), slot);
}

static int map_loc(struct scope *sc, uint32_t slot)
{
	const struct scope_loc *l = &sc->locs[slot];

	return chain_put(&sc->locmap, hash_loc(l->mapping, l->address, sc->lines + l->line_off,
					       l->nlines), slot);
}

/* A row's id: past what is cached (rows come in id order) and at most SCOPE_MAX_ID. */
static bool new_id_ok(const struct scope_ids *t, int64_t id)
{
	return id >= 0 && (uint64_t)id >= t->next && id <= SCOPE_MAX_ID;
}

static int load_strings(struct store *s, struct scope *sc)
{
	sqlite3_stmt *st = store_stmt(s, ST_STR_LOAD);
	int rc;

	if (!st)
		return err_last_code();
	sqlite3_bind_int64(st, 1, sc->id);
	sqlite3_bind_int64(st, 2, (int64_t)sc->str_ids.next);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const void *b = sqlite3_column_blob(st, 1);
		size_t n = (size_t)sqlite3_column_bytes(st, 1), slot = sc->nstrs;
		char *copy;

		if (!new_id_ok(&sc->str_ids, id) || n > UINT32_MAX)
			return corrupt(s, sc, "string", id);
		if ((rc = vec_reserve(&sc->str_lens, &sc->cap_lens, slot + 1)) ||
		    (rc = vec_reserve(&sc->strs, &sc->cap_strs, slot + 1)))
			return rc;
		if (!(copy = arena_strndup(&sc->arena, b ? b : "", n)))
			return err_set(ERR_NOMEM, "out of memory");
		if ((rc = ids_add(&sc->str_ids, slot, (uint64_t)id)))
			return rc;
		sc->strs[slot] = copy;
		sc->str_lens[slot] = (uint32_t)n;
		sc->nstrs++;
		if (sc->maps_built && (rc = map_str(sc, (uint32_t)slot)))
			return rc;
	}
	if (rc != SQLITE_DONE)
		return store_sql_err(s, rc, "reading strings");
	return ids_settle(&sc->str_ids, sc->nstrs);
}

static int load_mappings(struct store *s, struct scope *sc)
{
	sqlite3_stmt *st = store_stmt(s, ST_MAP_LOAD);
	int rc;

	if (!st)
		return err_last_code();
	sqlite3_bind_int64(st, 1, sc->id);
	sqlite3_bind_int64(st, 2, (int64_t)sc->map_ids.next);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		uint32_t file = ref_slot(&sc->str_ids, sqlite3_column_int64(st, 4)),
			 bid = ref_slot(&sc->str_ids, sqlite3_column_int64(st, 5));
		size_t slot = sc->nmaps;
		struct scope_map *m;

		if (!new_id_ok(&sc->map_ids, id) || file == STORE_NO_ID || bid == STORE_NO_ID)
			return corrupt(s, sc, "mapping", id);
		if ((rc = vec_reserve(&sc->maps, &sc->cap_maps, slot + 1)) ||
		    (rc = ids_add(&sc->map_ids, slot, (uint64_t)id)))
			return rc;
		m = &sc->maps[slot];
		m->start = (uint64_t)sqlite3_column_int64(st, 1);
		m->limit = (uint64_t)sqlite3_column_int64(st, 2);
		m->offset = (uint64_t)sqlite3_column_int64(st, 3);
		m->file = file;
		m->build_id = bid;
		sc->nmaps++;
		if (sc->maps_built && (rc = chain_put(&sc->mapmap, hash_map(m), (uint32_t)slot)))
			return rc;
	}
	if (rc != SQLITE_DONE)
		return store_sql_err(s, rc, "reading mappings");
	return ids_settle(&sc->map_ids, sc->nmaps);
}

static int load_functions(struct store *s, struct scope *sc)
{
	sqlite3_stmt *st = store_stmt(s, ST_FUNC_LOAD);
	int rc;

	if (!st)
		return err_last_code();
	sqlite3_bind_int64(st, 1, sc->id);
	sqlite3_bind_int64(st, 2, (int64_t)sc->func_ids.next);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		uint32_t name = ref_slot(&sc->str_ids, sqlite3_column_int64(st, 1)),
			 sys = ref_slot(&sc->str_ids, sqlite3_column_int64(st, 2)),
			 file = ref_slot(&sc->str_ids, sqlite3_column_int64(st, 3));
		size_t slot = sc->nfuncs;
		struct scope_func *f;

		if (!new_id_ok(&sc->func_ids, id) || name == STORE_NO_ID || sys == STORE_NO_ID ||
		    file == STORE_NO_ID)
			return corrupt(s, sc, "function", id);
		if ((rc = vec_reserve(&sc->funcs, &sc->cap_funcs, slot + 1)) ||
		    (rc = ids_add(&sc->func_ids, slot, (uint64_t)id)))
			return rc;
		f = &sc->funcs[slot];
		f->name = name;
		f->system_name = sys;
		f->file = file;
		f->start_line = sqlite3_column_int64(st, 4);
		sc->nfuncs++;
		if (sc->maps_built && (rc = chain_put(&sc->funcmap, hash_func(f), (uint32_t)slot)))
			return rc;
	}
	if (rc != SQLITE_DONE)
		return store_sql_err(s, rc, "reading functions");
	return ids_settle(&sc->func_ids, sc->nfuncs);
}

/*
 * Appends the decoded lines blob to sc->lines (function ids made slots); *n gets the
 * count.  1 when malformed, and then sc->lines is as it was.
 */
static int decode_lines(struct scope *sc, const unsigned char *p, size_t len, uint32_t *n)
{
	const unsigned char *end = len ? p + len : p;  /* an empty blob's p may be NULL */
	size_t start = sc->nlines;
	int rc;

	*n = 0;
	while (p < end) {
		uint64_t f, l;
		uint32_t slot;

		if (get_uvarint(&p, end, &f) || get_uvarint(&p, end, &l) || f == 0 ||
		    f > SCOPE_MAX_ID || (slot = scope_slot(&sc->func_ids, f)) == STORE_NO_ID ||
		    sc->nlines >= UINT32_MAX - 1) {
			sc->nlines = start;
			*n = 0;
			return 1;
		}
		if ((rc = vec_reserve(&sc->lines, &sc->cap_lines, sc->nlines + 1))) {
			sc->nlines = start;
			*n = 0;
			return rc;
		}
		sc->lines[sc->nlines].func = slot;
		sc->lines[sc->nlines].line = unzigzag(l);
		sc->nlines++;
		(*n)++;
	}
	return 0;
}

static int load_locations(struct store *s, struct scope *sc)
{
	sqlite3_stmt *st = store_stmt(s, ST_LOC_LOAD);
	int rc;

	if (!st)
		return err_last_code();
	sqlite3_bind_int64(st, 1, sc->id);
	sqlite3_bind_int64(st, 2, (int64_t)sc->loc_ids.next);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		uint32_t map = ref_slot(&sc->map_ids, sqlite3_column_int64(st, 1));
		const unsigned char *b = sqlite3_column_blob(st, 3);
		size_t len = (size_t)sqlite3_column_bytes(st, 3), slot = sc->nlocs, off = sc->nlines;
		struct scope_loc *l;
		uint32_t n;

		if (!new_id_ok(&sc->loc_ids, id) || map == STORE_NO_ID)
			return corrupt(s, sc, "location", id);
		if ((rc = vec_reserve(&sc->locs, &sc->cap_locs, slot + 1)))
			return rc;
		if ((rc = decode_lines(sc, b, len, &n)))
			return rc < 0 ? rc : corrupt(s, sc, "location", id);
		if ((rc = ids_add(&sc->loc_ids, slot, (uint64_t)id))) {
			sc->nlines = off;
			return rc;
		}
		l = &sc->locs[slot];
		l->mapping = map;
		l->address = (uint64_t)sqlite3_column_int64(st, 2);
		l->line_off = (uint32_t)off;
		l->nlines = n;
		sc->nlocs++;
		if (sc->maps_built && (rc = map_loc(sc, (uint32_t)slot)))
			return rc;
	}
	if (rc != SQLITE_DONE)
		return store_sql_err(s, rc, "reading locations");
	return ids_settle(&sc->loc_ids, sc->nlocs);
}

static int load_stacks(struct store *s, struct scope *sc)
{
	sqlite3_stmt *st = store_stmt(s, ST_STACK_LOAD);
	int rc;

	if (!st)
		return err_last_code();
	sqlite3_bind_int64(st, 1, sc->id);
	sqlite3_bind_int64(st, 2, (int64_t)sc->stack_ids.next);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0), loc = sqlite3_column_int64(st, 2);
		/* a parent always has a smaller id, so it is loaded: stacks are added root first */
		uint32_t parent = ref_slot(&sc->stack_ids, sqlite3_column_int64(st, 1)),
			 lslot = loc > 0 ? ref_slot(&sc->loc_ids, loc) : STORE_NO_ID;
		size_t slot = sc->nstacks;

		if (!new_id_ok(&sc->stack_ids, id) || parent == STORE_NO_ID || lslot == STORE_NO_ID)
			return corrupt(s, sc, "stack", id);
		if ((rc = vec_reserve(&sc->stk_parent, &sc->cap_parent, slot + 1)) ||
		    (rc = vec_reserve(&sc->stk_loc, &sc->cap_loc, slot + 1)) ||
		    (rc = ids_add(&sc->stack_ids, slot, (uint64_t)id)))
			return rc;
		sc->stk_parent[slot] = parent;
		sc->stk_loc[slot] = lslot;
		sc->nstacks++;
		if (sc->maps_built &&
		    (rc = hmap_put(&sc->stackmap, ((uint64_t)parent << 32) | lslot, (uint32_t)slot)))
			return rc;
	}
	if (rc != SQLITE_DONE)
		return store_sql_err(s, rc, "reading stacks");
	return ids_settle(&sc->stack_ids, sc->nstacks);
}

int scope_load(struct store *s, struct scope *sc)
{
	int rc;

	if (sc->loaded && !sc->stale)
		return 0;
	if ((rc = load_strings(s, sc)) || (rc = load_mappings(s, sc)) ||
	    (rc = load_functions(s, sc)) || (rc = load_locations(s, sc)) ||
	    (rc = load_stacks(s, sc)))
		return rc;
	sc->loaded = true;
	sc->stale = false;
	return 0;
}

int scope_build_maps(struct scope *sc)
{
	size_t i;
	int rc;

	if (sc->maps_built)
		return 0;
	if ((rc = hmap_init(&sc->strmap, sc->nstrs)))
		return rc;
	if ((rc = hmap_init(&sc->mapmap, sc->nmaps)) || (rc = hmap_init(&sc->funcmap, sc->nfuncs)) ||
	    (rc = hmap_init(&sc->locmap, sc->nlocs)) || (rc = hmap_init(&sc->stackmap, sc->nstacks)) ||
	    (rc = hmap_init(&sc->pathmap, 1024))) {
		hmap_release(&sc->strmap);
		hmap_release(&sc->mapmap);
		hmap_release(&sc->funcmap);
		hmap_release(&sc->locmap);
		hmap_release(&sc->stackmap);
		return rc;
	}
	sc->maps_built = true;
	for (i = 1; i < sc->nstrs; i++)
		if ((rc = map_str(sc, (uint32_t)i)))
			return rc;
	for (i = 1; i < sc->nmaps; i++)
		if ((rc = chain_put(&sc->mapmap, hash_map(&sc->maps[i]), (uint32_t)i)))
			return rc;
	for (i = 1; i < sc->nfuncs; i++)
		if ((rc = chain_put(&sc->funcmap, hash_func(&sc->funcs[i]), (uint32_t)i)))
			return rc;
	for (i = 1; i < sc->nlocs; i++)
		if ((rc = map_loc(sc, (uint32_t)i)))
			return rc;
	for (i = 1; i < sc->nstacks; i++)
		if ((rc = hmap_put(&sc->stackmap, ((uint64_t)sc->stk_parent[i] << 32) | sc->stk_loc[i],
				   (uint32_t)i)))
			return rc;
	return 0;
}

static int step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	return rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, what);
}

/* A new row's id (one past the largest), or ERR_TOOBIG past SCOPE_MAX_ID. */
static int new_id(const struct scope *sc, const struct scope_ids *t, const char *what,
		  uint32_t *out)
{
	*out = 0;
	if (t->next > SCOPE_MAX_ID)
		return err_set(ERR_TOOBIG, "service '%s' has no %s ids left (the largest is %llu)",
			       sc->service, what, (unsigned long long)t->next - 1);
	*out = (uint32_t)t->next;
	return 0;
}

int scope_intern_str(struct store *s, struct scope *sc, const char *str, size_t len,
		     uint32_t *out)
{
	uint64_t h = XXH3_64bits(str, len);
	uint32_t slot, id;
	sqlite3_stmt *st;
	char *copy;
	int rc;

	if (len == 0) {
		*out = 0;
		return 0;
	}
	for (;;) {
		if (h == HMAP_EMPTY)
			h = 0;
		if (!hmap_get(&sc->strmap, h, &slot))
			break;
		if (sc->str_lens[slot] == len && memcmp(sc->strs[slot], str, len) == 0) {
			*out = slot;
			return 0;
		}
		h = hmap_mix(h + 1);
	}
	if (len > UINT32_MAX)
		return err_set(ERR_TOOBIG, "a string of %zu bytes in service '%s'", len, sc->service);
	if ((rc = new_id(sc, &sc->str_ids, "string", &id)))
		return rc;
	slot = (uint32_t)sc->nstrs;
	if (!(st = store_stmt(s, ST_STR_ADD)))
		return err_last_code();
	sqlite3_bind_int64(st, 1, sc->id);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_blob(st, 3, str, (int)len, SQLITE_STATIC);
	if ((rc = step_done(s, st, "adding a string")) ||
	    (rc = vec_reserve(&sc->strs, &sc->cap_strs, (size_t)slot + 1)) ||
	    (rc = vec_reserve(&sc->str_lens, &sc->cap_lens, (size_t)slot + 1)))
		return rc;
	if (!(copy = arena_strndup(&sc->arena, str, len)))
		return err_set(ERR_NOMEM, "out of memory");
	if ((rc = ids_add(&sc->str_ids, slot, id)))
		return rc;
	sc->strs[slot] = copy;
	sc->str_lens[slot] = (uint32_t)len;
	sc->nstrs++;
	*out = slot;
	return hmap_put(&sc->strmap, h, slot);
}

int scope_intern_map(struct store *s, struct scope *sc, const struct scope_map *m, uint32_t *out)
{
	uint64_t k;
	uint32_t slot, id;
	sqlite3_stmt *st;
	int rc;

	for (k = hash_map(m);; k = hmap_mix(k + 1)) {
		struct scope_map *c;

		if (k == HMAP_EMPTY)
			k = 0;
		if (!hmap_get(&sc->mapmap, k, &slot))
			break;
		c = &sc->maps[slot];
		if (c->start == m->start && c->limit == m->limit && c->offset == m->offset &&
		    c->file == m->file && c->build_id == m->build_id) {
			*out = slot;
			return 0;
		}
	}
	if ((rc = new_id(sc, &sc->map_ids, "mapping", &id)))
		return rc;
	slot = (uint32_t)sc->nmaps;
	if (!(st = store_stmt(s, ST_MAP_ADD)))
		return err_last_code();
	sqlite3_bind_int64(st, 1, sc->id);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, (int64_t)m->start);
	sqlite3_bind_int64(st, 4, (int64_t)m->limit);
	sqlite3_bind_int64(st, 5, (int64_t)m->offset);
	sqlite3_bind_int64(st, 6, sc->str_ids.id[m->file]);
	sqlite3_bind_int64(st, 7, sc->str_ids.id[m->build_id]);
	if ((rc = step_done(s, st, "adding a mapping")) ||
	    (rc = vec_reserve(&sc->maps, &sc->cap_maps, (size_t)slot + 1)) ||
	    (rc = ids_add(&sc->map_ids, slot, id)))
		return rc;
	sc->maps[slot] = *m;
	sc->nmaps++;
	*out = slot;
	return hmap_put(&sc->mapmap, k, slot);
}

int scope_intern_func(struct store *s, struct scope *sc, const struct scope_func *f,
		      uint32_t *out)
{
	uint64_t k;
	uint32_t slot, id;
	sqlite3_stmt *st;
	int rc;

	for (k = hash_func(f);; k = hmap_mix(k + 1)) {
		struct scope_func *c;

		if (k == HMAP_EMPTY)
			k = 0;
		if (!hmap_get(&sc->funcmap, k, &slot))
			break;
		c = &sc->funcs[slot];
		if (c->name == f->name && c->system_name == f->system_name && c->file == f->file &&
		    c->start_line == f->start_line) {
			*out = slot;
			return 0;
		}
	}
	if ((rc = new_id(sc, &sc->func_ids, "function", &id)))
		return rc;
	slot = (uint32_t)sc->nfuncs;
	if (!(st = store_stmt(s, ST_FUNC_ADD)))
		return err_last_code();
	sqlite3_bind_int64(st, 1, sc->id);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, sc->str_ids.id[f->name]);
	sqlite3_bind_int64(st, 4, sc->str_ids.id[f->system_name]);
	sqlite3_bind_int64(st, 5, sc->str_ids.id[f->file]);
	sqlite3_bind_int64(st, 6, f->start_line);
	if ((rc = step_done(s, st, "adding a function")) ||
	    (rc = vec_reserve(&sc->funcs, &sc->cap_funcs, (size_t)slot + 1)) ||
	    (rc = ids_add(&sc->func_ids, slot, id)))
		return rc;
	sc->funcs[slot] = *f;
	sc->nfuncs++;
	*out = slot;
	return hmap_put(&sc->funcmap, k, slot);
}

int scope_intern_loc(struct store *s, struct scope *sc, uint32_t mapping, uint64_t address,
		     const struct prof_line *lines, uint32_t nlines, uint32_t *out)
{
	uint64_t k;
	uint32_t slot, id, i;
	sqlite3_stmt *st;
	int rc;

	for (k = hash_loc(mapping, address, lines, nlines);; k = hmap_mix(k + 1)) {
		struct scope_loc *c;

		if (k == HMAP_EMPTY)
			k = 0;
		if (!hmap_get(&sc->locmap, k, &slot))
			break;
		c = &sc->locs[slot];
		if (c->mapping == mapping && c->address == address && c->nlines == nlines) {
			for (i = 0; i < nlines; i++)
				if (sc->lines[c->line_off + i].func != lines[i].func ||
				    sc->lines[c->line_off + i].line != lines[i].line)
					break;
			if (i == nlines) {
				*out = slot;
				return 0;
			}
		}
	}
	if (sc->nlines + nlines >= UINT32_MAX)
		return err_set(ERR_TOOBIG, "service '%s' has too many locations", sc->service);
	if ((rc = new_id(sc, &sc->loc_ids, "location", &id)))
		return rc;
	buf_reset(&s->scratch);
	for (i = 0; i < nlines; i++)
		if ((rc = put_uvarint(&s->scratch, sc->func_ids.id[lines[i].func])) ||
		    (rc = put_uvarint(&s->scratch, zigzag(lines[i].line))))
			return rc;
	slot = (uint32_t)sc->nlocs;
	if (!(st = store_stmt(s, ST_LOC_ADD)))
		return err_last_code();
	sqlite3_bind_int64(st, 1, sc->id);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, sc->map_ids.id[mapping]);
	sqlite3_bind_int64(st, 4, (int64_t)address);
	sqlite3_bind_blob(st, 5, s->scratch.data ? s->scratch.data : "", (int)s->scratch.len,
			  SQLITE_STATIC);
	if ((rc = step_done(s, st, "adding a location")) ||
	    (rc = vec_reserve(&sc->locs, &sc->cap_locs, (size_t)slot + 1)) ||
	    (rc = vec_reserve(&sc->lines, &sc->cap_lines, sc->nlines + nlines)) ||
	    (rc = ids_add(&sc->loc_ids, slot, id)))
		return rc;
	if (nlines)
		memcpy(sc->lines + sc->nlines, lines, nlines * sizeof(*lines));
	sc->locs[slot].mapping = mapping;
	sc->locs[slot].address = address;
	sc->locs[slot].line_off = (uint32_t)sc->nlines;
	sc->locs[slot].nlines = nlines;
	sc->nlines += nlines;
	sc->nlocs++;
	*out = slot;
	return hmap_put(&sc->locmap, k, slot);
}

int scope_intern_stack(struct store *s, struct scope *sc, uint32_t parent, uint32_t loc,
		       uint32_t *out)
{
	uint64_t key = ((uint64_t)parent << 32) | loc;
	sqlite3_stmt *st;
	uint32_t slot, id;
	int rc;

	if (hmap_get(&sc->stackmap, key, out))
		return 0;
	if ((rc = new_id(sc, &sc->stack_ids, "stack", &id)))
		return rc;
	slot = (uint32_t)sc->nstacks;
	if (!(st = store_stmt(s, ST_STACK_ADD)))
		return err_last_code();
	sqlite3_bind_int64(st, 1, sc->id);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, sc->stack_ids.id[parent]);
	sqlite3_bind_int64(st, 4, sc->loc_ids.id[loc]);
	if ((rc = step_done(s, st, "adding a stack")) ||
	    (rc = vec_reserve(&sc->stk_parent, &sc->cap_parent, (size_t)slot + 1)) ||
	    (rc = vec_reserve(&sc->stk_loc, &sc->cap_loc, (size_t)slot + 1)) ||
	    (rc = ids_add(&sc->stack_ids, slot, id)))
		return rc;
	sc->stk_parent[slot] = parent;
	sc->stk_loc[slot] = loc;
	sc->nstacks++;
	*out = slot;
	return hmap_put(&sc->stackmap, key, slot);
}
