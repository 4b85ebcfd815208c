/*
 * serve_writer.c — the one thread that writes the store for `smolder serve`.
 *
 * Group commit: requests queue jobs (their decoded profiles) and wait, suspended; the
 * writer takes every job queued (up to batch_max profiles), opens one transaction,
 * writes each profile (store_write is all-or-nothing per profile) and commits it.  The
 * commit is not synced by SQLite (store_set_commit_sync(false): synchronous=NORMAL,
 * whose checkpoints still sync): the batch goes to the syncer thread, which fsyncs the
 * WAL file once for every batch committed before the call, and only then reports each
 * job's outcome — which resumes its connection with the answer.  So a 2xx always
 * follows the fsync of the transaction holding the profile, and while one batch is
 * being synced the writer already writes the next (the fsync, the slowest step, no
 * longer stalls the writer; one fsync covers however many batches are waiting).
 *
 * Failures: a profile the store refuses (bad data) rolls back alone and fails only its
 * request; the others stay in the transaction.  An environmental failure (disk full,
 * I/O error, out of memory) can abort SQLite's whole transaction, so the batch is rolled
 * back and written again without that request (at most a few rounds).  A write that
 * --max-store-size refuses is made again with the cap lifted, in a transaction rolled
 * back, to measure what the batch needs; the oldest profiles are evicted until it fits
 * (and at least down to 81 % of the cap), and the batch is written again: a few rounds
 * at most, each of which evicts something.  Only a push that does not fit even in an
 * empty store, or not with the pushes before it in its batch, fails with ERR_NOSPACE
 * (HTTP 507) and a reason saying so; nothing is evicted for it.  A full disk evicts
 * down to 81 % once.  A commit that fails fails every request of its batch: nothing of
 * it was kept.
 *
 * Maintenance (every maintenance_ns, and once at start; scheduled on CLOCK_MONOTONIC, so a
 * wall clock stepped back does not put it off, while its cutoffs are wall-clock times, as
 * the profiles' are): retention, downsampling
 * stages (refused at start unless they nest), eviction down to 90 % of --max-store-size,
 * which spares the profiles of the newest time (a push that fits only above 90 % of the
 * cap is not evicted as soon as it is stored).
 * Damage in the store (a profile that does not decode) is gone around by the store,
 * which leaves it as it is; each damaged profile or service is logged once
 * (store_maint_damage).  The store's size — its file and its WAL, which
 * store_set_size_limit() keeps to a share of the cap — is also checked (stat, at most
 * every 5 s) after commits, so eviction keeps up between passes; a WAL that a large
 * batch or readers took past its share is truncated right after the commit, waiting a
 * little for the readers (store_size_trim), and again before a push gets 507.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/timeparse.h"
#include "base/units.h"
#include "serve_int.h"

#define SIZE_CHECK_MS 5000.0
#define MAX_ROUNDS 4
#define FIT_ROUNDS 4  /* rounds that make room under --max-store-size (make_room) */

static bool env_error(int rc)
{
	return rc == ERR_NOSPACE || rc == ERR_IO || rc == ERR_NOMEM || rc == ERR_USAGE ||
	       rc == ERR_CANCELLED;
}

static void job_fail(struct serve_job *j, int rc)
{
	j->rc = rc;
	snprintf(j->reason, sizeof(j->reason), "%s", err_last());
}

/* The size eviction aims for: 90 % of the cap. */
static uint64_t soft_cap(const struct serve_opts *o)
{
	return o->max_store_bytes - o->max_store_bytes / 10;
}

/*
 * One warning for the damage maintenance met that no earlier one named; *skipped (may be
 * NULL) gets the steps skipped for damage since the store was opened.
 */
static void log_damage(struct serve_writer *w, uint64_t *skipped)
{
	char msg[512];
	uint64_t n = store_maint_damage(w->store, skipped, msg, sizeof(msg));

	if (n > 1)
		serve_log(w->srv, SERVE_LOG_WARN, "maintenance left damaged data as it is: %s "
			  "(and %llu more damaged profiles or services)", msg,
			  (unsigned long long)(n - 1));
	else if (n)
		serve_log(w->srv, SERVE_LOG_WARN, "maintenance left damaged data as it is: %s", msg);
}

/* keep_newest: maintenance's aim below the cap, which spares the newest (store_evict_older) */
static bool evict(struct serve_writer *w, uint64_t target, bool keep_newest, const char *why)
{
	uint64_t deleted = 0;
	double t0 = serve_now_ms();
	int rc = keep_newest ? store_evict_older(w->store, target, &deleted) :
			       store_evict(w->store, target, &deleted);

	if (rc) {
		serve_log(w->srv, SERVE_LOG_WARN, "eviction failed: %s", err_last());
		return false;
	}
	log_damage(w, NULL);
	if (deleted) {
		serve_log(w->srv, SERVE_LOG_INFO, "evicted the %llu oldest profile%s (%s; %.1f ms)",
			  (unsigned long long)deleted, deleted == 1 ? "" : "s", why,
			  serve_now_ms() - t0);
		serve_metrics_maint(w->metrics, 0, 0, deleted);
	}
	return deleted > 0;
}

/*
 * Writes the jobs of the batch that have no outcome yet into the open transaction, in
 * order.  A profile the store refuses fails its job alone; an environmental failure
 * stops the writes and returns its job through *bad (the transaction must then be rolled
 * back).  *stored counts the profiles written before it.  When `watch` is one of the
 * jobs, watch_used[0..1] get store_size_used() before and after its writes.
 */
static int write_jobs(struct serve_writer *w, struct serve_job *batch, struct serve_job **bad,
		      uint64_t *stored, const struct serve_job *watch, uint64_t watch_used[2])
{
	struct serve_job *j;
	int rc = 0;

	*bad = NULL;
	*stored = 0;
	for (j = batch; j; j = j->next) {
		bool unit = j->n > 1;  /* a push's profiles are kept all or none */
		size_t i;

		if (j->rc)
			continue;
		if (j == watch && (rc = store_size_used(w->store, &watch_used[0])))
			break;
		if (unit && (rc = store_unit_begin(w->store))) {
			job_fail(j, rc);
			*bad = j;
			return rc;
		}
		for (i = 0; i < j->n; i++) {
			const struct ingest_item *it = &j->items[i];

			rc = store_write_prepared(w->store, j->tenant, &it->series, it->prof,
						  j->preps ? j->preps[i] : NULL, it->time_ns,
						  it->duration_ns);
			if (rc)
				break;
		}
		if (unit && !(rc && env_error(rc)))
			rc = store_unit_end(w->store, rc);
		if (rc == 0) {
			*stored += j->n;
			if (j == watch && (rc = store_size_used(w->store, &watch_used[1])))
				break;
			continue;
		}
		job_fail(j, rc);
		if (env_error(rc)) {
			*bad = j;
			return rc;
		}
		rc = 0;
	}
	if (rc) {  /* a measure failed: the transaction is good, the measure is not */
		job_fail(j, rc);
		*bad = j;
	}
	return rc;
}

/*
 * Fails a job the cap cannot take.  need: what it takes alone, or 0 when it took more
 * than the whole cap (the measure stopped there).
 */
static void too_big(struct serve_writer *w, struct serve_job *j, uint64_t need, bool alone)
{
	char cap[UNITS_MAX], n[UNITS_MAX], size[UNITS_MAX + 16];

	units_format(cap, sizeof(cap), (int64_t)w->opts->max_store_bytes, "bytes");
	units_format(n, sizeof(n), (int64_t)need, "bytes");
	snprintf(size, sizeof(size), need ? "(%s) " : "(more than %s) ", need ? n : cap);
	if (alone)
		err_set(ERR_NOSPACE, "store '%s' reached --max-store-size (%s): the push %sdoes not "
			"fit even in an empty store", store_path(w->store), cap, size);
	else
		err_set(ERR_NOSPACE, "store '%s' reached --max-store-size (%s): the push does not "
			"fit with the pushes written before it in its batch", store_path(w->store), cap);
	job_fail(j, ERR_NOSPACE);
}

/*
 * The cap refused `bad` (its transaction rolled back): room for the batch.  The batch is
 * written again with the cap lifted, in a transaction rolled back, to learn what it
 * needs — all of it, up to `bad` included, and `bad` itself; then the oldest profiles
 * are evicted until it fits (or until the jobs up to `bad` do: a later job that still
 * does not fit gets its own round), with a margin that grows with `attempt`, as eviction
 * may collect symbols the batch shares and then writes itself.  A job that cannot fit
 * even in an empty store, or not with the jobs before it, fails alone with a reason
 * saying so, and nothing is evicted for it.  Either way the batch is then written again,
 * without the jobs that failed.  Returns an error only when the cap could not be put
 * back after the measure: then nothing may be written.
 */
static int make_room(struct serve_writer *w, struct serve_job *batch, struct serve_job *bad,
		     int attempt)
{
	struct store *s = w->store;
	struct serve_job *bad2 = NULL;
	uint64_t base = 0, used = 0, mine[2] = { 0, 0 }, room = 0, stored = 0, need, upto;
	uint64_t deleted = 0;
	double t0 = serve_now_ms();
	char cap[UNITS_MAX];
	int rc, lrc;

	bad->rc = 0;
	if ((rc = store_size_used(s, &base)) || (rc = store_size_room(s, &room)) ||
	    (rc = store_begin(s))) {
		job_fail(bad, rc);
		return 0;
	}
	if (!(rc = store_size_lift(s, true))) {
		rc = write_jobs(w, batch, &bad2, &stored, bad, mine);
		if (!rc)
			rc = store_size_used(s, &used);
	}
	store_rollback(s);
	if ((lrc = store_size_lift(s, false))) {
		serve_log(w->srv, SERVE_LOG_ERROR, "--max-store-size: %s", err_last());
		return lrc;
	}
	upto = mine[1] > base ? mine[1] - base : 0;
	need = used > base ? used - base : 0;
	if (bad2 && rc == ERR_NOSPACE && store_cap_reached(s)) {
		/*
		 * Past the lift.  The jobs before `bad` fit under the cap, so `bad` had a whole
		 * cap to itself: it needs more.  A later job gets a round of its own.
		 */
		if (bad2 == bad) {
			too_big(w, bad, 0, true);
			return 0;
		}
		bad2->rc = 0;
		need = upto;
	} else if (bad2) {
		return 0;  /* another failure, which bad2 has as its outcome */
	} else if (rc) {
		job_fail(bad, rc);
		return 0;
	}
	if (mine[1] > mine[0] && mine[1] - mine[0] > room) {
		uint64_t alone = mine[1] - mine[0];
		bool any = false;

		/*
		 * Measured beside what the store holds, a push takes some 5 % more pages than in
		 * an empty store (the tables and indexes split otherwise).  Past the room by more
		 * than a tenth, or measured in an empty store, it is too big alone, and nothing
		 * is evicted for it; within that tenth everything may go for it, and the next
		 * round measures it in the empty store.
		 */
		if ((rc = store_has_profiles(s, &any))) {
			job_fail(bad, rc);
			return 0;
		}
		if (!any || alone - alone / 10 > room) {
			too_big(w, bad, alone, true);
			return 0;
		}
		need = upto = room;
	}
	if (upto > room) {
		too_big(w, bad, 0, false);
		return 0;
	}
	if (need > room)
		need = upto;
	/*
	 * A margin of need/16, /8, /4, /2 as the attempts go (attempt < FIT_ROUNDS), and at
	 * least down to what eviction aims for when the store is full, so that the next
	 * pushes do not each have to make room.
	 */
	if ((rc = store_evict_room(s, need + (need >> (FIT_ROUNDS - attempt)),
				   soft_cap(w->opts) - soft_cap(w->opts) / 10, &deleted))) {
		serve_log(w->srv, SERVE_LOG_WARN, "eviction failed: %s", err_last());
		job_fail(bad, rc);
		return 0;
	}
	log_damage(w, NULL);
	if (!deleted) {
		units_format(cap, sizeof(cap), (int64_t)w->opts->max_store_bytes, "bytes");
		err_set(ERR_NOSPACE, "store '%s' reached --max-store-size (%s): no profile could be "
			"evicted to make room for the push", store_path(s), cap);
		job_fail(bad, ERR_NOSPACE);
		return 0;
	}
	serve_log(w->srv, SERVE_LOG_INFO, "evicted the %llu oldest profile%s (room for %llu "
		  "bytes; %.1f ms)", (unsigned long long)deleted, deleted == 1 ? "" : "s",
		  (unsigned long long)need, serve_now_ms() - t0);
	serve_metrics_maint(w->metrics, 0, 0, deleted);
	return 0;
}

static uint64_t file_size(const char *path, const char *suffix)
{
	char p[4096];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return stat(p, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/*
 * Before a 507: a WAL that readers kept from starting over and that took the room (a
 * disk just above the cap fills with it) is truncated, waiting a little for its readers
 * (store_size_trim).  True when it shrank: the batch may fit now.
 */
static bool wal_back(struct serve_writer *w)
{
	const char *path = store_path(w->store);
	uint64_t before = file_size(path, "-wal");

	if (!w->opts->max_store_bytes)
		return false;
	store_size_trim(w->store);
	return file_size(path, "-wal") < before;
}

/*
 * Writes and commits a batch (see the file comment): true when committed (the jobs then
 * wait for the fsync), false when it failed (every job has its rc).
 */
static bool write_batch(struct serve_writer *w, struct serve_job *batch)
{
	struct serve_job *j;
	bool evicted = false, trimmed = false;
	int round, rounds = 0, fits = 0, rc = 0;

	for (round = 0; round < MAX_ROUNDS + FIT_ROUNDS && rounds < MAX_ROUNDS; round++) {
		double t0 = serve_now_ms(), t1;
		struct serve_job *bad = NULL;
		uint64_t stored = 0;

		if ((rc = store_begin(w->store)))
			break;
		if ((rc = write_jobs(w, batch, &bad, &stored, NULL, NULL))) {
			store_rollback(w->store);
			if (rc == ERR_NOSPACE && !trimmed) {
				trimmed = true;
				if (wal_back(w)) {
					bad->rc = 0;  /* it may fit now */
					continue;
				}
			}
			if (rc == ERR_NOSPACE && w->opts->max_store_bytes &&
			    store_cap_reached(w->store) && fits < FIT_ROUNDS) {
				if ((rc = make_room(w, batch, bad, fits++)))
					break;
				continue;
			}
			rounds++;
			if (rc == ERR_NOSPACE && w->opts->max_store_bytes && !evicted) {
				evicted = true;
				if (evict(w, soft_cap(w->opts) - soft_cap(w->opts) / 10, false, "store full"))
					bad->rc = 0;  /* it may fit now */
			}
			continue;
		}
		t1 = serve_now_ms();
		rc = store_commit(w->store);
		if (rc == ERR_NOSPACE && !trimmed) {
			trimmed = true;
			if (wal_back(w))
				continue;
		}
		if (rc == ERR_NOSPACE && w->opts->max_store_bytes && !evicted) {
			evicted = true;
			rounds++;
			if (evict(w, soft_cap(w->opts) - soft_cap(w->opts) / 10, false, "store full"))
				continue;
		}
		if (rc) {
			stored = 0;
			break;
		}
		serve_metrics_commit(w->metrics, stored, t1 - t0, serve_now_ms() - t1);
		store_size_trim(w->store);
		w->full = false;
		serve_log(w->srv, SERVE_LOG_DEBUG, "committed %llu profile%s (write %.2f ms, commit %.2f ms)",
			  (unsigned long long)stored, stored == 1 ? "" : "s", t1 - t0,
			  serve_now_ms() - t1);
		return true;
	}
	/* the batch could not be committed: nothing of it was kept */
	if (rc == 0)
		rc = err_set(ERR_IO, "store: gave up after %d attempts", round);
	if (rc == ERR_NOSPACE && !w->full) {
		w->full = true;
		serve_log(w->srv, SERVE_LOG_WARN, "%s: pushes get 507 until there is room", err_last());
	}
	for (j = batch; j; j = j->next)
		if (j->rc == 0)
			job_fail(j, rc);
	return false;
}

/* done() resumes the request, which may then be freed: read next first. */
static void report(struct serve_job *list)
{
	struct serve_job *j, *next;

	for (j = list; j; j = next) {
		next = j->next;
		j->done(j);
	}
}

/*
 * fdatasync of the WAL file (opened on first use; SQLite keeps the same file): its
 * frames and, when it grew, its size — without a second write for the inode's times.
 */
static int wal_sync(struct serve_writer *w)
{
	char p[4096];

	if (w->wal_fd < 0) {
		snprintf(p, sizeof(p), "%s-wal", store_path(w->store));
		if ((w->wal_fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
			return err_set(ERR_IO, "cannot open '%s' to sync it: %s", p, strerror(errno));
	}
	if (fdatasync(w->wal_fd) != 0)
		return err_set(ERR_IO, "fsync of the store's WAL failed: %s", strerror(errno));
	return 0;
}

static void *syncer_main(void *arg)
{
	struct serve_writer *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct serve_job *list, *j;
		double t0;
		int rc;

		if (!w->sync_head) {
			if (w->sync_stopping)
				break;
			pthread_cond_wait(&w->sync_cv, &w->mu);
			continue;
		}
		list = w->sync_head;
		w->sync_head = w->sync_tail = NULL;
		pthread_mutex_unlock(&w->mu);
		t0 = serve_now_ms();
		rc = wal_sync(w);
		serve_metrics_fsync(w->metrics, serve_now_ms() - t0);
		if (rc) {
			serve_log(w->srv, SERVE_LOG_ERROR, "%s", err_last());
			for (j = list; j; j = j->next)
				if (j->rc == 0)
					job_fail(j, rc);
		}
		report(list);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Hands a committed batch to the syncer. */
static void to_syncer(struct serve_writer *w, struct serve_job *batch)
{
	struct serve_job *last = batch;

	while (last->next)
		last = last->next;
	pthread_mutex_lock(&w->mu);
	if (w->sync_tail)
		w->sync_tail->next = batch;
	else
		w->sync_head = batch;
	w->sync_tail = last;
	pthread_mutex_unlock(&w->mu);
	pthread_cond_signal(&w->sync_cv);  /* after the unlock, see serve_writer_push() */
}

static void check_size(struct serve_writer *w)
{
	double now = serve_now_ms();

	if (!w->opts->max_store_bytes || now - w->last_size_check_ms < SIZE_CHECK_MS)
		return;
	w->last_size_check_ms = now;
	if (file_size(store_path(w->store), "") + file_size(store_path(w->store), "-wal") >
	    soft_cap(w->opts))
		evict(w, soft_cap(w->opts), true, "--max-store-size");
}

static void maintain(struct serve_writer *w)
{
	const struct serve_opts *o = w->opts;
	int64_t now = time_now_ns();
	uint64_t expired = 0, merged = 0, evicted = 0, n, skipped0, skipped;
	double t0 = serve_now_ms();
	char damage[64] = "";
	size_t i;

	log_damage(w, &skipped0);

	if (o->retention_ns > 0 && store_retention(w->store, now - o->retention_ns, &expired))
		serve_log(w->srv, SERVE_LOG_WARN, "retention failed: %s", err_last());
	for (i = 0; i < o->ndownsample; i++) {
		n = 0;
		if (store_downsample(w->store, now - o->downsample[i].after_ns,
				     o->downsample[i].bucket_ns, &n))
			serve_log(w->srv, SERVE_LOG_WARN, "downsampling failed: %s", err_last());
		merged += n;
	}
	if (o->max_store_bytes && store_evict_older(w->store, soft_cap(o), &evicted))
		serve_log(w->srv, SERVE_LOG_WARN, "eviction failed: %s", err_last());
	w->last_size_check_ms = serve_now_ms();
	log_damage(w, &skipped);
	if (skipped > skipped0)
		snprintf(damage, sizeof(damage), ", %llu skipped for damage",
			 (unsigned long long)(skipped - skipped0));
	serve_metrics_maint(w->metrics, expired, merged, evicted);
	serve_log(w->srv, expired || merged || evicted ? SERVE_LOG_INFO : SERVE_LOG_DEBUG,
		  "maintenance: %llu expired, %llu merged into rollups, %llu evicted%s (%.1f ms)",
		  (unsigned long long)expired, (unsigned long long)merged,
		  (unsigned long long)evicted, damage, serve_now_ms() - t0);
}

/*
 * The writer's schedule (next_maint_ns) and its waits are on CLOCK_MONOTONIC, as is w->cv
 * (serve_writer_start): on the wall clock (pthread_cond_timedwait's default), a clock
 * stepped back an hour — NTP, a VM resumed — put off retention, downsampling and the
 * eviction to 90 % of the cap for that hour.
 */
static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *writer_main(void *arg)
{
	struct serve_writer *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct serve_job *batch, *last;
		size_t n;

		if (!w->stopping && w->opts->maintenance_ns > 0 && mono_ns() >= w->next_maint_ns) {
			pthread_mutex_unlock(&w->mu);
			maintain(w);
			pthread_mutex_lock(&w->mu);
			w->next_maint_ns = mono_ns() + w->opts->maintenance_ns;
			continue;
		}
		if (!w->head) {
			int64_t until = w->next_maint_ns;
			struct timespec ts;

			if (w->stopping)
				break;
			if (w->opts->maintenance_ns <= 0)
				until = mono_ns() + 3600 * 1000000000LL;
			ts.tv_sec = (time_t)(until / 1000000000);
			ts.tv_nsec = (long)(until % 1000000000);
			pthread_cond_timedwait(&w->cv, &w->mu, &ts);
			continue;
		}
		batch = last = w->head;
		n = batch->n;
		while (last->next && n + last->next->n <= w->opts->batch_max) {
			last = last->next;
			n += last->n;
		}
		w->head = last->next;
		if (!w->head)
			w->tail = NULL;
		last->next = NULL;
		w->queued -= n;
		pthread_mutex_unlock(&w->mu);

		if (write_batch(w, batch))
			to_syncer(w, batch);
		else
			report(batch);
		check_size(w);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* --downsample's stages must nest (store_downsample_check): refused at start-up. */
static int check_stages(const struct serve_opts *o)
{
	int64_t after[SERVE_MAX_DOWNSAMPLE], bucket[SERVE_MAX_DOWNSAMPLE];
	size_t i;

	for (i = 0; i < o->ndownsample && i < SERVE_MAX_DOWNSAMPLE; i++) {
		after[i] = o->downsample[i].after_ns;
		bucket[i] = o->downsample[i].bucket_ns;
	}
	if (store_downsample_check(after, bucket, i))
		return err_prefix(err_last_code(), "--downsample");
	return 0;
}

int serve_writer_start(struct serve_writer *w, struct serve *srv, struct store *st,
		       const struct serve_opts *o, struct serve_metrics *m)
{
	pthread_condattr_t ca;
	int rc;

	memset(w, 0, sizeof(*w));
	if ((rc = check_stages(o)))
		return rc;
	w->srv = srv;
	w->store = st;
	w->opts = o;
	w->metrics = m;
	w->next_maint_ns = mono_ns();
	w->wal_fd = -1;
	if (store_set_commit_sync(st, false))
		return err_last_code();
	if (pthread_condattr_init(&ca))
		return err_set(ERR_NOMEM, "cannot create a condition variable");
	rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (rc) {
		pthread_condattr_destroy(&ca);
		return err_set(ERR_UNSUPPORTED, "cannot wait on the monotonic clock: %s",
			       strerror(rc));
	}
	if (pthread_mutex_init(&w->mu, NULL)) {
		pthread_condattr_destroy(&ca);
		return err_set(ERR_NOMEM, "cannot create a mutex");
	}
	if (pthread_cond_init(&w->cv, &ca)) {
		pthread_condattr_destroy(&ca);
		pthread_mutex_destroy(&w->mu);
		return err_set(ERR_NOMEM, "cannot create a condition variable");
	}
	pthread_condattr_destroy(&ca);
	if (pthread_cond_init(&w->sync_cv, NULL)) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		return err_set(ERR_NOMEM, "cannot create a condition variable");
	}
	if (pthread_create(&w->sync_thread, NULL, syncer_main, w)) {
		pthread_cond_destroy(&w->cv);
		pthread_cond_destroy(&w->sync_cv);
		pthread_mutex_destroy(&w->mu);
		return err_set(ERR_NOMEM, "cannot start the syncer thread");
	}
	w->sync_started = true;
	if (pthread_create(&w->thread, NULL, writer_main, w)) {
		serve_writer_stop(w);
		serve_writer_release(w);
		return err_set(ERR_NOMEM, "cannot start the writer thread");
	}
	w->started = true;
	return 0;
}

bool serve_writer_push(struct serve_writer *w, struct serve_job *job)
{
	bool ok;

	job->next = NULL;
	job->rc = 0;
	job->reason[0] = '\0';
	pthread_mutex_lock(&w->mu);
	ok = !w->stopping && (!w->head || w->queued + job->n <= w->opts->max_queue);
	if (ok) {
		if (w->tail)
			w->tail->next = job;
		else
			w->head = job;
		w->tail = job;
		w->queued += job->n;
	}
	pthread_mutex_unlock(&w->mu);
	/*
	 * Signalled after the unlock: the writer, woken first, would otherwise find the mutex
	 * still held and sleep again at once.  The condition variable outlives every caller
	 * (serve_writer_stop() runs after the decoders have stopped).
	 */
	if (ok)
		pthread_cond_signal(&w->cv);
	return ok;
}

size_t serve_writer_queued(struct serve_writer *w)
{
	size_t n;

	pthread_mutex_lock(&w->mu);
	n = w->queued;
	pthread_mutex_unlock(&w->mu);
	return n;
}

void serve_writer_stop(struct serve_writer *w)
{
	if (!w->sync_started)
		return;
	if (w->started) {
		pthread_mutex_lock(&w->mu);
		w->stopping = true;
		pthread_cond_signal(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
		w->started = false;
	}
	/* the writer has drained the queue: the syncer reports the last batches */
	pthread_mutex_lock(&w->mu);
	w->sync_stopping = true;
	pthread_cond_signal(&w->sync_cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->sync_thread, NULL);
	w->sync_started = false;
	if (w->wal_fd >= 0)
		close(w->wal_fd);
	w->wal_fd = -1;
	w->stopped = true;
}

void serve_writer_release(struct serve_writer *w)
{
	if (!w->stopped)
		return;
	pthread_cond_destroy(&w->cv);
	pthread_cond_destroy(&w->sync_cv);
	pthread_mutex_destroy(&w->mu);
	w->stopped = false;
}
