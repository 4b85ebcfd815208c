/*
 * memo.c — a run's memory of source lookups (struct source_memo, see source.h): what
 * remote places answered for (place, ref, path), parsed `.pyroscope.yaml` files by
 * (place, ref, root), origins that did not answer, clones that failed and refs a fetch
 * did not find.  One run of
 * `list` asks for the same `.pyroscope.yaml` and go.mod once per routine; without this,
 * a silent server cost a timeout per routine and a reachable one got hundreds of
 * identical requests (unauthenticated GitHub allows 60 an hour).
 *
 * Every entry is one heap block that never moves or changes once added, so a pointer
 * into it (a config, a message) stays valid until source_memo_free(); the index (a
 * strmap keyed by the entry's own key bytes) and the entry array are guarded by the
 * mutex.  Bounded: past MEMO_MAX_ENTRIES entries or MEMO_MAX_BYTES of kept content,
 * nothing more is remembered (lookups still work, they are just not saved).
 *
 * Failures are not kept for good: an origin that could not be reached, a clone that
 * failed, a ref missing after a fetch, a read that failed with ERR_NET expire
 * SRC_MEMO_FAIL_TTL_MS after they were put (the caller passes the time, src_now_ms() or a
 * test's clock), so a Wi-Fi blip does not disable GitHub for a whole explorer session, nor
 * a ref pushed meanwhile stay missing.  An expired entry is replaced
 * by the next put; the replaced one is retired, not freed, as a reader may still hold
 * its message, and counts towards MEMO_MAX_ENTRIES until source_memo_free().
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/strmap.h"
#include "base/vec.h"
#include "source_int.h"

#define MEMO_MAX_ENTRIES 16384
#define MEMO_MAX_BYTES ((size_t)64 << 20) /* file contents and config text kept */
#define MEMO_MSG_MAX 512

enum memo_kind {
	MEMO_READ = 'r',
	MEMO_CONFIG = 'c',
	MEMO_ORIGIN = 'o',
	MEMO_CLONE = 'g',
	MEMO_NO_REF = 'n',
};

struct memo_entry {
	char *key;  /* kind, then the fields, each ended by a NUL */
	size_t keylen;
	struct src_memo_read read;  /* MEMO_READ; rc and msg also for the others */
	struct src_config *cfg;     /* MEMO_CONFIG: NULL when it did not parse (msg says why) */
	uint64_t until;             /* 0: kept until source_memo_free(); else expires then */
};

struct source_memo {
	pthread_mutex_t mu;
	struct strmap index;
	struct memo_entry **v;
	size_t n, cap;
	struct memo_entry **old;  /* expired entries that were replaced: freed with the memo */
	size_t nold, oldcap;
	size_t bytes;
};

uint64_t src_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool expired(const struct memo_entry *e, uint64_t now)
{
	return e->until && now >= e->until;
}

int source_memo_new(struct source_memo **out)
{
	struct source_memo *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m)
		return err_set(ERR_NOMEM, "out of memory");
	if (strmap_init(&m->index, 64)) {
		free(m);
		return err_set(ERR_NOMEM, "out of memory");
	}
	pthread_mutex_init(&m->mu, NULL);
	*out = m;
	return 0;
}

static void entry_free(struct memo_entry *e)
{
	if (!e)
		return;
	free(e->key);
	free(e->read.msg);
	source_file_release(&e->read.f);
	src_config_release(e->cfg);
	free(e->cfg);
	free(e);
}

void source_memo_free(struct source_memo *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++)
		entry_free(m->v[i]);
	for (i = 0; i < m->nold; i++)
		entry_free(m->old[i]);
	free(m->v);
	free(m->old);
	strmap_release(&m->index);
	pthread_mutex_destroy(&m->mu);
	free(m);
}

/* kind + up to three fields, NUL-separated, into a new key; NULL fields are "" */
static char *make_key(enum memo_kind kind, const char *a, const char *b, const char *c,
		      size_t *len)
{
	const char *f[3] = { a ? a : "", b ? b : "", c ? c : "" };
	size_t n = 1, i, k;
	char *key;

	for (i = 0; i < 3; i++)
		n += strlen(f[i]) + 1;
	if (!(key = malloc(n)))
		return NULL;
	key[0] = (char)kind;
	for (i = 0, k = 1; i < 3; i++) {
		size_t l = strlen(f[i]) + 1;

		memcpy(key + k, f[i], l);
		k += l;
	}
	*len = n;
	return key;
}

/* the entry for key, or NULL; called with the mutex held */
static struct memo_entry *find_locked(struct source_memo *m, const char *key, size_t len)
{
	uint32_t idx;

	return strmap_find(&m->index, key, len, &idx) == 1 ? m->v[idx] : NULL;
}

/*
 * adds e unless full or already there (an entry expired at now is replaced): true when
 * it did (the memo owns e then)
 */
static bool try_add(struct source_memo *m, struct memo_entry *e, size_t bytes, uint64_t now)
{
	struct memo_entry *was;
	uint32_t idx;
	bool added = false;

	pthread_mutex_lock(&m->mu);
	if (m->n + m->nold >= MEMO_MAX_ENTRIES || m->bytes + bytes > MEMO_MAX_BYTES)
		goto done;
	if ((was = find_locked(m, e->key, e->keylen)) != NULL) {
		/* the index keeps pointing at the retired entry's key bytes, which live on */
		if (!expired(was, now) || vec_reserve(&m->old, &m->oldcap, m->nold + 1) ||
		    strmap_find(&m->index, e->key, e->keylen, &idx) != 1)
			goto done;
		m->old[m->nold++] = was;
		m->v[idx] = e;
	} else {
		if (vec_reserve(&m->v, &m->cap, m->n + 1) ||
		    strmap_intern(&m->index, e->key, e->keylen, &idx))
			goto done;
		m->v[m->n++] = e;
	}
	m->bytes += bytes;
	added = true;
done:
	pthread_mutex_unlock(&m->mu);
	return added;
}

/* try_add(), freeing e when it was not added */
static void add(struct source_memo *m, struct memo_entry *e, size_t bytes, uint64_t now)
{
	if (!try_add(m, e, bytes, now))
		entry_free(e);
}

/* the entry for the key, NULL when there is none or it expired at now */
static struct memo_entry *lookup(struct source_memo *m, enum memo_kind kind, const char *a,
				 const char *b, const char *c, uint64_t now)
{
	struct memo_entry *e;
	size_t len;
	char *key;

	if (!m || !(key = make_key(kind, a, b, c, &len)))
		return NULL;
	pthread_mutex_lock(&m->mu);
	e = find_locked(m, key, len);
	pthread_mutex_unlock(&m->mu);
	free(key);
	return e && !expired(e, now) ? e : NULL;
}

static struct memo_entry *entry_new(enum memo_kind kind, const char *a, const char *b,
				    const char *c, int rc, const char *msg)
{
	struct memo_entry *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->key = make_key(kind, a, b, c, &e->keylen);
	e->read.rc = rc;
	e->read.msg = strndup(msg ? msg : "", MEMO_MSG_MAX);
	e->read.f = (struct source_file)SOURCE_FILE_INIT;
	if (!e->key || !e->read.msg) {
		entry_free(e);
		return NULL;
	}
	return e;
}

static char *dup_or_null(const char *s, bool *bad)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		*bad = true;
	return d;
}

int src_file_copy(const struct source_file *from, struct source_file *to)
{
	bool bad = false;

	*to = *from;
	to->path = dup_or_null(from->path, &bad);
	to->repo = dup_or_null(from->repo, &bad);
	to->ref = dup_or_null(from->ref, &bad);
	to->commit = dup_or_null(from->commit, &bad);
	to->url = dup_or_null(from->url, &bad);
	to->local_path = dup_or_null(from->local_path, &bad);
	to->data = NULL;
	if (from->data && (to->data = malloc(from->len + 1)) != NULL) {
		memcpy(to->data, from->data, from->len);
		to->data[from->len] = '\0';
	} else if (from->data) {
		bad = true;
	}
	if (bad) {
		source_file_release(to);
		return err_set(ERR_NOMEM, "out of memory");
	}
	return 0;
}

bool src_memo_read_get(struct source_memo *m, const char *place, const char *ref,
		       const char *path, uint64_t now, struct src_memo_read *out)
{
	struct memo_entry *e = lookup(m, MEMO_READ, place, ref, path, now);

	if (!e)
		return false;
	*out = e->read;
	out->f = (struct source_file)SOURCE_FILE_INIT;
	if (e->read.rc == 0 && src_file_copy(&e->read.f, &out->f))
		return false;
	return true;
}

void src_memo_read_put(struct source_memo *m, const char *place, const char *ref,
		       const char *path, uint64_t now, const struct src_memo_read *r)
{
	struct memo_entry *e;

	if (!m || !(e = entry_new(MEMO_READ, place, ref, path, r->rc, r->msg)))
		return;
	e->read.refused = r->refused;
	e->read.no_ref = r->no_ref;
	e->read.clone_refused = r->clone_refused;
	snprintf(e->read.note, sizeof(e->read.note), "%s", r->note);
	/* a server that failed once (5xx, a dropped connection, a rate limit) is asked
	   again later; a file's absence is kept for the run */
	if (r->rc == ERR_NET)
		e->until = now + SRC_MEMO_FAIL_TTL_MS;
	if (r->rc == 0 && src_file_copy(&r->f, &e->read.f)) {
		entry_free(e);
		return;
	}
	add(m, e, r->rc == 0 ? r->f.len : 0, now);
}

bool src_memo_config_get(struct source_memo *m, const char *place, const char *ref,
			 const char *root, const struct src_config **cfg, const char **msg)
{
	struct memo_entry *e = lookup(m, MEMO_CONFIG, place, ref, root, 0);

	if (!e)
		return false;
	*cfg = e->cfg;
	*msg = e->read.msg;
	return true;
}

bool src_memo_config_put(struct source_memo *m, const char *place, const char *ref,
			 const char *root, struct src_config *cfg, const char *msg, size_t bytes)
{
	struct memo_entry *e;

	if (!m || !(e = entry_new(MEMO_CONFIG, place, ref, root, cfg ? 0 : ERR_PARSE, msg)))
		return false;
	e->cfg = cfg;
	if (try_add(m, e, bytes, 0))
		return true;
	e->cfg = NULL; /* still the caller's */
	entry_free(e);
	return false;
}

int src_memo_failed_rc(struct source_memo *m, enum src_memo_what what, const char *name,
		       uint64_t now, char *msg, size_t n)
{
	struct memo_entry *e = lookup(m, what == SRC_MEMO_ORIGIN ? MEMO_ORIGIN : MEMO_CLONE,
				      name, NULL, NULL, now);

	if (!e)
		return 0;
	snprintf(msg, n, "%s", e->read.msg);
	return e->read.rc;
}

bool src_memo_failed(struct source_memo *m, enum src_memo_what what, const char *name,
		     uint64_t now, char *msg, size_t n)
{
	return src_memo_failed_rc(m, what, name, now, msg, n) != 0;
}

void src_memo_fail_rc(struct source_memo *m, enum src_memo_what what, const char *name,
		      uint64_t now, int rc, const char *msg)
{
	struct memo_entry *e;

	if (m && (e = entry_new(what == SRC_MEMO_ORIGIN ? MEMO_ORIGIN : MEMO_CLONE, name, NULL,
				NULL, rc, msg))) {
		e->until = now + SRC_MEMO_FAIL_TTL_MS;
		add(m, e, 0, now);
	}
}

void src_memo_fail(struct source_memo *m, enum src_memo_what what, const char *name,
		   uint64_t now, const char *msg)
{
	src_memo_fail_rc(m, what, name, now, ERR_NET, msg);
}

bool src_memo_no_ref(struct source_memo *m, const char *url, const char *ref, uint64_t now)
{
	return lookup(m, MEMO_NO_REF, url, ref, NULL, now) != NULL;
}

void src_memo_no_ref_put(struct source_memo *m, const char *url, const char *ref,
			 uint64_t now)
{
	struct memo_entry *e;

	if (m && (e = entry_new(MEMO_NO_REF, url, ref, NULL, ERR_NOTFOUND, NULL))) {
		e->until = now + SRC_MEMO_FAIL_TTL_MS;
		add(m, e, 0, now);
	}
}
