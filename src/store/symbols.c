/*
 * symbols.c — a scope's strings, mappings, functions, locations and stacks, cached in
 * memory as arrays indexed by id, and interned on write: content → id through hash
 * maps (a hash chain, each candidate compared in full), new rows inserted at once.
 * Stacks need no comparison: the key (parent << 32 | location) is the content.
 *
 * Rows read from the file are checked (ids in range, references to existing rows): a
 * damaged store gives ERR_PARSE, never an out-of-bounds read.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/err.h"
#include "base/vec.h"

#define SCOPE_MAX_ID (UINT32_MAX - 1)

void scope_free(struct scope *sc)
{
	if (!sc)
		return;
	free(sc->tenant);
	free(sc->service);
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
	if (!sc->tenant || !sc->service || vec_reserve(&sc->strs, &sc->cap_strs, 16) ||
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
			return err_set(ERR_PARSE, "store '%s' is corrupt: a series refers to service %lld, "
						  "which does not exist", s->path, (long long)id);
		return store_sql_err(s, rc, "reading scopes");
	}
	rc = scope_new(id, (const char *)sqlite3_column_text(st, 0),
		       (const char *)sqlite3_column_text(st, 1), sqlite3_column_int64(st, 2), &sc);
	sqlite3_finalize(st);
	if (rc || (rc = scope_add(s, sc)))
		return rc;
	*out = sc;
	return 0;
}

static int corrupt(struct store *s, const struct scope *sc, const char *what, int64_t id)
{
	return err_set(ERR_PARSE, "store '%s' is corrupt: service '%s': bad %s %lld", s->path,
		       sc->service, what, (long long)id);
}

/* Grows a table's arrays to hold id; the new slots in between become holes. */
#define GROW_TO(arr, cap, n, id, hole)                                  \
	do {                                                            \
		if ((rc = vec_reserve(&(arr), &(cap), (size_t)(id) + 1))) \
			return rc;                                      \
		while ((n) < (size_t)(id))                              \
			(arr)[(n)++] = (hole);                          \
		(n) = (size_t)(id) + 1;                                 \
	} while (0)

static int chain_put(struct hmap *m, uint64_t h, uint32_t id)
{
	uint32_t cur;

	for (;;) {
		if (h == HMAP_EMPTY)
			h = 0;
		if (!hmap_get(m, h, &cur))
			return hmap_put(m, h, id);
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

static int map_str(struct scope *sc, uint32_t id)
{
	return chain_put(&sc->strmap, XXH3_64bits(sc->strs[id], sc->str_lens[id]), id);
}

static int map_loc(struct scope *sc, uint32_t id)
{
	const struct scope_loc *l = &sc->locs[id];

	return chain_put(&sc->locmap, hash_loc(l->mapping, l->address, sc->lines + l->line_off,
					       l->nlines), id);
}

static int load_strings(struct store *s, struct scope *sc)
{
	sqlite3_stmt *st = store_stmt(s, ST_STR_LOAD);
	int rc;

	if (!st)
		return err_last_code();
	sqlite3_bind_int64(st, 1, sc->id);
	sqlite3_bind_int64(st, 2, (int64_t)sc->nstrs);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const void *b = sqlite3_column_blob(st, 1);
		size_t n = (size_t)sqlite3_column_bytes(st, 1);
		size_t old = sc->nstrs;
		char *copy;

		if (id < (int64_t)sc->nstrs || id > SCOPE_MAX_ID || n > UINT32_MAX)
			return corrupt(s, sc, "string", id);
		if ((rc = vec_reserve(&sc->str_lens, &sc->cap_lens, (size_t)id + 1)))
			return rc;
		GROW_TO(sc->strs, sc->cap_strs, sc->nstrs, id, NULL);
		for (; old < (size_t)id; old++)
			sc->str_lens[old] = 0;
		if (!(copy = arena_strndup(&sc->arena, b ? b : "", n)))
			return err_set(ERR_NOMEM, "out of memory");
		sc->strs[id] = copy;
		sc->str_lens[id] = (uint32_t)n;
		if (sc->maps_built && (rc = map_str(sc, (uint32_t)id)))
			return rc;
	}
	return rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, "reading strings");
}

static bool str_ok(const struct scope *sc, int64_t id)
{
	return id >= 0 && (size_t)id < sc->nstrs && sc->strs[id];
}

static int load_mappings(struct store *s, struct scope *sc)
{
	sqlite3_stmt *st = store_stmt(s, ST_MAP_LOAD);
	struct scope_map hole = { 0 };
	int rc;

	if (!st)
		return err_last_code();
	sqlite3_bind_int64(st, 1, sc->id);
	sqlite3_bind_int64(st, 2, (int64_t)sc->nmaps);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0), file = sqlite3_column_int64(st, 4),
			bid = sqlite3_column_int64(st, 5);
		struct scope_map *m;

		if (id < (int64_t)sc->nmaps || id > SCOPE_MAX_ID || !str_ok(sc, file) || !str_ok(sc, bid))
			return corrupt(s, sc, "mapping", id);
		GROW_TO(sc->maps, sc->cap_maps, sc->nmaps, id, hole);
		m = &sc->maps[id];
		m->start = (uint64_t)sqlite3_column_int64(st, 1);
		m->limit = (uint64_t)sqlite3_column_int64(st, 2);
		m->offset = (uint64_t)sqlite3_column_int64(st, 3);
		m->file = (uint32_t)file;
		m->build_id = (uint32_t)bid;
		m->live = true;
		if (sc->maps_built && (rc = chain_put(&sc->mapmap, hash_map(m), (uint32_t)id)))
			return rc;
	}
	return rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, "reading mappings");
}

static int load_functions(struct store *s, struct scope *sc)
{
	sqlite3_stmt *st = store_stmt(s, ST_FUNC_LOAD);
	struct scope_func hole = { 0 };
	int rc;

	if (!st)
		return err_last_code();
	sqlite3_bind_int64(st, 1, sc->id);
	sqlite3_bind_int64(st, 2, (int64_t)sc->nfuncs);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0), name = sqlite3_column_int64(st, 1),
			sys = sqlite3_column_int64(st, 2), file = sqlite3_column_int64(st, 3);
		struct scope_func *f;

		if (id < (int64_t)sc->nfuncs || id > SCOPE_MAX_ID || !str_ok(sc, name) ||
		    !str_ok(sc, sys) || !str_ok(sc, file))
			return corrupt(s, sc, "function", id);
		GROW_TO(sc->funcs, sc->cap_funcs, sc->nfuncs, id, hole);
		f = &sc->funcs[id];
		f->name = (uint32_t)name;
		f->system_name = (uint32_t)sys;
		f->file = (uint32_t)file;
		f->start_line = sqlite3_column_int64(st, 4);
		f->live = true;
		if (sc->maps_built && (rc = chain_put(&sc->funcmap, hash_func(f), (uint32_t)id)))
			return rc;
	}
	return rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, "reading functions");
}

/* Appends the decoded lines blob to sc->lines; *n gets the count.  1 when malformed. */
static int decode_lines(struct scope *sc, const unsigned char *p, size_t len, uint32_t *n)
{
	const unsigned char *end = p + len;
	int rc;

	*n = 0;
	while (p < end) {
		uint64_t f, l;

		if (get_uvarint(&p, end, &f) || get_uvarint(&p, end, &l) || f == 0 || f >= sc->nfuncs ||
		    !sc->funcs[f].live || sc->nlines >= UINT32_MAX - 1)
			return 1;
		if ((rc = vec_reserve(&sc->lines, &sc->cap_lines, sc->nlines + 1)))
			return rc;
		sc->lines[sc->nlines].func = (uint32_t)f;
		sc->lines[sc->nlines].line = unzigzag(l);
		sc->nlines++;
		(*n)++;
	}
	return 0;
}

static int load_locations(struct store *s, struct scope *sc)
{
	sqlite3_stmt *st = store_stmt(s, ST_LOC_LOAD);
	struct scope_loc hole = { 0 };
	int rc;

	if (!st)
		return err_last_code();
	sqlite3_bind_int64(st, 1, sc->id);
	sqlite3_bind_int64(st, 2, (int64_t)sc->nlocs);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0), map = sqlite3_column_int64(st, 1);
		const unsigned char *b = sqlite3_column_blob(st, 3);
		size_t len = (size_t)sqlite3_column_bytes(st, 3);
		struct scope_loc *l;
		uint32_t off = (uint32_t)sc->nlines, n;

		if (id < (int64_t)sc->nlocs || id > SCOPE_MAX_ID || map < 0 ||
		    (map && ((size_t)map >= sc->nmaps || !sc->maps[map].live)))
			return corrupt(s, sc, "location", id);
		if ((rc = decode_lines(sc, b, len, &n)))
			return rc < 0 ? rc : corrupt(s, sc, "location", id);
		GROW_TO(sc->locs, sc->cap_locs, sc->nlocs, id, hole);
		l = &sc->locs[id];
		l->mapping = (uint32_t)map;
		l->address = (uint64_t)sqlite3_column_int64(st, 2);
		l->line_off = off;
		l->nlines = n;
		l->live = true;
		if (sc->maps_built && (rc = map_loc(sc, (uint32_t)id)))
			return rc;
	}
	return rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, "reading locations");
}

static int load_stacks(struct store *s, struct scope *sc)
{
	sqlite3_stmt *st = store_stmt(s, ST_STACK_LOAD);
	int rc;

	if (!st)
		return err_last_code();
	sqlite3_bind_int64(st, 1, sc->id);
	sqlite3_bind_int64(st, 2, (int64_t)sc->nstacks);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0), parent = sqlite3_column_int64(st, 1),
			loc = sqlite3_column_int64(st, 2);
		size_t n2;

		/* a parent always has a smaller id: stacks are added root first */
		if (id < (int64_t)sc->nstacks || id > SCOPE_MAX_ID || parent < 0 || parent >= id ||
		    sc->stk_parent[parent] == STORE_NO_ID || loc <= 0 || (size_t)loc >= sc->nlocs ||
		    !sc->locs[loc].live)
			return corrupt(s, sc, "stack", id);
		n2 = sc->nstacks;
		GROW_TO(sc->stk_loc, sc->cap_loc, n2, id, 0);
		GROW_TO(sc->stk_parent, sc->cap_parent, sc->nstacks, id, STORE_NO_ID);
		sc->stk_parent[id] = (uint32_t)parent;
		sc->stk_loc[id] = (uint32_t)loc;
		if (sc->maps_built &&
		    (rc = hmap_put(&sc->stackmap, ((uint64_t)parent << 32) | (uint64_t)loc, (uint32_t)id)))
			return rc;
	}
	return rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, "reading stacks");
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
		if (sc->strs[i] && (rc = map_str(sc, (uint32_t)i)))
			return rc;
	for (i = 1; i < sc->nmaps; i++)
		if (sc->maps[i].live && (rc = chain_put(&sc->mapmap, hash_map(&sc->maps[i]), (uint32_t)i)))
			return rc;
	for (i = 1; i < sc->nfuncs; i++)
		if (sc->funcs[i].live &&
		    (rc = chain_put(&sc->funcmap, hash_func(&sc->funcs[i]), (uint32_t)i)))
			return rc;
	for (i = 1; i < sc->nlocs; i++)
		if (sc->locs[i].live && (rc = map_loc(sc, (uint32_t)i)))
			return rc;
	for (i = 1; i < sc->nstacks; i++)
		if (sc->stk_parent[i] != STORE_NO_ID &&
		    (rc = hmap_put(&sc->stackmap, ((uint64_t)sc->stk_parent[i] << 32) | sc->stk_loc[i],
				   (uint32_t)i)))
			return rc;
	return 0;
}

static int step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	return rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, what);
}

int scope_intern_str(struct store *s, struct scope *sc, const char *str, size_t len,
		     uint32_t *out)
{
	uint64_t h = XXH3_64bits(str, len);
	uint32_t id;
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
		if (!hmap_get(&sc->strmap, h, &id))
			break;
		if (sc->str_lens[id] == len && memcmp(sc->strs[id], str, len) == 0) {
			*out = id;
			return 0;
		}
		h = hmap_mix(h + 1);
	}
	if (sc->nstrs > SCOPE_MAX_ID || len > UINT32_MAX)
		return err_set(ERR_TOOBIG, "service '%s' has too many strings", sc->service);
	id = (uint32_t)sc->nstrs;
	if (!(st = store_stmt(s, ST_STR_ADD)))
		return err_last_code();
	sqlite3_bind_int64(st, 1, sc->id);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_blob(st, 3, str, (int)len, SQLITE_STATIC);
	if ((rc = step_done(s, st, "adding a string")) ||
	    (rc = vec_reserve(&sc->strs, &sc->cap_strs, (size_t)id + 1)) ||
	    (rc = vec_reserve(&sc->str_lens, &sc->cap_lens, (size_t)id + 1)))
		return rc;
	if (!(copy = arena_strndup(&sc->arena, str, len)))
		return err_set(ERR_NOMEM, "out of memory");
	sc->strs[id] = copy;
	sc->str_lens[id] = (uint32_t)len;
	sc->nstrs++;
	*out = id;
	return hmap_put(&sc->strmap, h, id);
}

int scope_intern_map(struct store *s, struct scope *sc, const struct scope_map *m, uint32_t *out)
{
	uint64_t h = hash_map(m), k;
	uint32_t id;
	sqlite3_stmt *st;
	int rc;

	for (k = h;; k = hmap_mix(k + 1)) {
		struct scope_map *c;

		if (k == HMAP_EMPTY)
			k = 0;
		if (!hmap_get(&sc->mapmap, k, &id))
			break;
		c = &sc->maps[id];
		if (c->start == m->start && c->limit == m->limit && c->offset == m->offset &&
		    c->file == m->file && c->build_id == m->build_id) {
			*out = id;
			return 0;
		}
	}
	if (sc->nmaps > SCOPE_MAX_ID)
		return err_set(ERR_TOOBIG, "service '%s' has too many mappings", sc->service);
	id = (uint32_t)sc->nmaps;
	if (!(st = store_stmt(s, ST_MAP_ADD)))
		return err_last_code();
	sqlite3_bind_int64(st, 1, sc->id);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, (int64_t)m->start);
	sqlite3_bind_int64(st, 4, (int64_t)m->limit);
	sqlite3_bind_int64(st, 5, (int64_t)m->offset);
	sqlite3_bind_int64(st, 6, m->file);
	sqlite3_bind_int64(st, 7, m->build_id);
	if ((rc = step_done(s, st, "adding a mapping")) ||
	    (rc = vec_reserve(&sc->maps, &sc->cap_maps, (size_t)id + 1)))
		return rc;
	sc->maps[id] = *m;
	sc->maps[id].live = true;
	sc->nmaps++;
	*out = id;
	return hmap_put(&sc->mapmap, k, id);
}

int scope_intern_func(struct store *s, struct scope *sc, const struct scope_func *f,
		      uint32_t *out)
{
	uint64_t k;
	uint32_t id;
	sqlite3_stmt *st;
	int rc;

	for (k = hash_func(f);; k = hmap_mix(k + 1)) {
		struct scope_func *c;

		if (k == HMAP_EMPTY)
			k = 0;
		if (!hmap_get(&sc->funcmap, k, &id))
			break;
		c = &sc->funcs[id];
		if (c->name == f->name && c->system_name == f->system_name && c->file == f->file &&
		    c->start_line == f->start_line) {
			*out = id;
			return 0;
		}
	}
	if (sc->nfuncs > SCOPE_MAX_ID)
		return err_set(ERR_TOOBIG, "service '%s' has too many functions", sc->service);
	id = (uint32_t)sc->nfuncs;
	if (!(st = store_stmt(s, ST_FUNC_ADD)))
		return err_last_code();
	sqlite3_bind_int64(st, 1, sc->id);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, f->name);
	sqlite3_bind_int64(st, 4, f->system_name);
	sqlite3_bind_int64(st, 5, f->file);
	sqlite3_bind_int64(st, 6, f->start_line);
	if ((rc = step_done(s, st, "adding a function")) ||
	    (rc = vec_reserve(&sc->funcs, &sc->cap_funcs, (size_t)id + 1)))
		return rc;
	sc->funcs[id] = *f;
	sc->funcs[id].live = true;
	sc->nfuncs++;
	*out = id;
	return hmap_put(&sc->funcmap, k, id);
}

int scope_intern_loc(struct store *s, struct scope *sc, uint32_t mapping, uint64_t address,
		     const struct prof_line *lines, uint32_t nlines, uint32_t *out)
{
	uint64_t k;
	uint32_t id, i;
	sqlite3_stmt *st;
	int rc;

	for (k = hash_loc(mapping, address, lines, nlines);; k = hmap_mix(k + 1)) {
		struct scope_loc *c;

		if (k == HMAP_EMPTY)
			k = 0;
		if (!hmap_get(&sc->locmap, k, &id))
			break;
		c = &sc->locs[id];
		if (c->mapping == mapping && c->address == address && c->nlines == nlines) {
			for (i = 0; i < nlines; i++)
				if (sc->lines[c->line_off + i].func != lines[i].func ||
				    sc->lines[c->line_off + i].line != lines[i].line)
					break;
			if (i == nlines) {
				*out = id;
				return 0;
			}
		}
	}
	if (sc->nlocs > SCOPE_MAX_ID || sc->nlines + nlines >= UINT32_MAX)
		return err_set(ERR_TOOBIG, "service '%s' has too many locations", sc->service);
	buf_reset(&s->scratch);
	for (i = 0; i < nlines; i++)
		if ((rc = put_uvarint(&s->scratch, lines[i].func)) ||
		    (rc = put_uvarint(&s->scratch, zigzag(lines[i].line))))
			return rc;
	id = (uint32_t)sc->nlocs;
	if (!(st = store_stmt(s, ST_LOC_ADD)))
		return err_last_code();
	sqlite3_bind_int64(st, 1, sc->id);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, mapping);
	sqlite3_bind_int64(st, 4, (int64_t)address);
	sqlite3_bind_blob(st, 5, s->scratch.data ? s->scratch.data : "", (int)s->scratch.len,
			  SQLITE_STATIC);
	if ((rc = step_done(s, st, "adding a location")) ||
	    (rc = vec_reserve(&sc->locs, &sc->cap_locs, (size_t)id + 1)) ||
	    (rc = vec_reserve(&sc->lines, &sc->cap_lines, sc->nlines + nlines)))
		return rc;
	if (nlines)
		memcpy(sc->lines + sc->nlines, lines, nlines * sizeof(*lines));
	sc->locs[id].mapping = mapping;
	sc->locs[id].address = address;
	sc->locs[id].line_off = (uint32_t)sc->nlines;
	sc->locs[id].nlines = nlines;
	sc->locs[id].live = true;
	sc->nlines += nlines;
	sc->nlocs++;
	*out = id;
	return hmap_put(&sc->locmap, k, id);
}

int scope_intern_stack(struct store *s, struct scope *sc, uint32_t parent, uint32_t loc,
		       uint32_t *out)
{
	uint64_t key = ((uint64_t)parent << 32) | loc;
	sqlite3_stmt *st;
	uint32_t id;
	int rc;

	if (hmap_get(&sc->stackmap, key, out))
		return 0;
	if (sc->nstacks > SCOPE_MAX_ID)
		return err_set(ERR_TOOBIG, "service '%s' has too many stacks", sc->service);
	id = (uint32_t)sc->nstacks;
	if (!(st = store_stmt(s, ST_STACK_ADD)))
		return err_last_code();
	sqlite3_bind_int64(st, 1, sc->id);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, parent);
	sqlite3_bind_int64(st, 4, loc);
	if ((rc = step_done(s, st, "adding a stack")) ||
	    (rc = vec_reserve(&sc->stk_parent, &sc->cap_parent, (size_t)id + 1)) ||
	    (rc = vec_reserve(&sc->stk_loc, &sc->cap_loc, (size_t)id + 1)))
		return rc;
	sc->stk_parent[id] = parent;
	sc->stk_loc[id] = loc;
	sc->nstacks++;
	*out = id;
	return hmap_put(&sc->stackmap, key, id);
}
