/*
 * serve_pool.c — the thread pools of `smolder serve` that do a request's heavy work off
 * the HTTP threads: the decoders (pushes) and the readers (queries).
 *
 * libmicrohttpd binds each connection to one HTTP thread for its life, and a burst of
 * new connections lands mostly on one of them (a thread accepts up to ten at a time).
 * Work done on the HTTP thread — a decode, a query — would hold up every connection that
 * thread serves, and leave the other threads idle.  So the HTTP thread suspends the
 * connection and queues the request here; whichever pool thread is free runs it, and
 * resumes the connection once the request is answered or handed on (a push goes on to
 * the writer, which resumes it).  At most `n` jobs run at once, which also bounds the
 * memory they take; the queue is bounded too (the caller answers 429 beyond it).
 *
 * Each thread has a cancel flag its job polls (a query: the store's calls).  A job's
 * deadline is its push time plus the timeout, so time spent queued counts: a client
 * behind a long queue gets its 504 within the timeout rather than a multiple of it.  A
 * job whose deadline passed while it waited starts with its flag already raised (its
 * run() answers the timeout without doing the work); for the jobs running, a watchdog
 * thread (only with a timeout) sleeps until the earliest deadline and raises the flag of
 * a job past it.  A shutdown that runs out of grace raises every flag, and jobs still
 * queued start cancelled.
 */
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "serve_int.h"

static void *worker_main(void *arg)
{
	struct serve_pool_slot *me = arg;
	struct serve_pool *pl = me->pl;

	pthread_mutex_lock(&pl->mu);
	for (;;) {
		struct serve_pool_job *j = pl->head;

		if (!j) {
			if (pl->stopping)
				break;
			pthread_cond_wait(&pl->cv, &pl->mu);
			continue;
		}
		pl->head = j->next;
		if (!pl->head)
			pl->tail = NULL;
		pl->queued--;
		pl->running++;
		me->cancel = pl->cancel_all ? SERVE_POOL_CANCELLED : 0;
		if (pl->timeout_ms > 0) {
			me->deadline_ms = j->queued_ms + pl->timeout_ms;
			if (!me->cancel && me->deadline_ms <= serve_now_ms())
				me->cancel = SERVE_POOL_TIMED_OUT;  /* its time ran out queued */
			else
				pthread_cond_signal(&pl->wd_cv);
		}
		pthread_mutex_unlock(&pl->mu);
		j->run(j, &me->cancel);  /* may free j's request once it resumes the connection */
		pthread_mutex_lock(&pl->mu);
		pl->running--;
		me->deadline_ms = 0;
	}
	pthread_mutex_unlock(&pl->mu);
	return NULL;
}

static void *watchdog_main(void *arg)
{
	struct serve_pool *pl = arg;

	pthread_mutex_lock(&pl->mu);
	while (!pl->wd_stop) {
		double now = serve_now_ms(), next = 0;
		unsigned i;

		for (i = 0; i < pl->n; i++) {
			struct serve_pool_slot *r = &pl->slot[i];

			if (r->deadline_ms <= 0 || r->cancel)
				continue;
			if (r->deadline_ms <= now)
				r->cancel = SERVE_POOL_TIMED_OUT;
			else if (next == 0 || r->deadline_ms < next)
				next = r->deadline_ms;
		}
		if (next == 0) {
			pthread_cond_wait(&pl->wd_cv, &pl->mu);
		} else {
			struct timespec ts;
			double wait = next - now;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += (time_t)(wait / 1000);
			ts.tv_nsec += (long)((wait - (double)(time_t)(wait / 1000) * 1000) * 1e6);
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&pl->wd_cv, &pl->mu, &ts);
		}
	}
	pthread_mutex_unlock(&pl->mu);
	return NULL;
}

int serve_pool_start(struct serve_pool *pl, const char *name, unsigned n, size_t max_queued,
		     double timeout_ms)
{
	memset(pl, 0, sizeof(*pl));
	pl->name = name;
	if (n < 1 || n > SERVE_POOL_MAX)
		return err_set(ERR_USAGE, "the %s need 1 to %d threads", name, SERVE_POOL_MAX);
	pl->max_queued = max_queued;
	pl->timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
	if (pthread_mutex_init(&pl->mu, NULL))
		return err_set(ERR_NOMEM, "cannot create a mutex");
	if (pthread_cond_init(&pl->cv, NULL)) {
		pthread_mutex_destroy(&pl->mu);
		return err_set(ERR_NOMEM, "cannot create a condition variable");
	}
	if (pthread_cond_init(&pl->wd_cv, NULL)) {
		pthread_cond_destroy(&pl->cv);
		pthread_mutex_destroy(&pl->mu);
		return err_set(ERR_NOMEM, "cannot create a condition variable");
	}
	pl->ready = true;
	for (pl->n = 0; pl->n < n; pl->n++) {
		pl->slot[pl->n].pl = pl;
		if (pthread_create(&pl->th[pl->n], NULL, worker_main, &pl->slot[pl->n])) {
			serve_pool_release(pl);
			return err_set(ERR_NOMEM, "cannot start a %s thread", pl->name);
		}
	}
	if (pl->timeout_ms > 0) {
		if (pthread_create(&pl->watchdog, NULL, watchdog_main, pl)) {
			serve_pool_release(pl);
			return err_set(ERR_NOMEM, "cannot start the %s' watchdog", pl->name);
		}
		pl->wd_on = true;
	}
	return 0;
}

bool serve_pool_push(struct serve_pool *pl, struct serve_pool_job *j)
{
	bool ok;

	j->next = NULL;
	j->queued_ms = serve_now_ms();
	pthread_mutex_lock(&pl->mu);
	ok = !pl->stopping && pl->queued < pl->max_queued;
	if (ok) {
		if (pl->tail)
			pl->tail->next = j;
		else
			pl->head = j;
		pl->tail = j;
		pl->queued++;
	}
	pthread_mutex_unlock(&pl->mu);
	if (ok)  /* after the unlock: the woken worker does not block on the mutex at once */
		pthread_cond_signal(&pl->cv);
	return ok;
}

void serve_pool_cancel(struct serve_pool *pl)
{
	unsigned i;

	if (!pl->ready)
		return;
	pthread_mutex_lock(&pl->mu);
	pl->cancel_all = true;  /* for the jobs still queued */
	for (i = 0; i < pl->n; i++)
		pl->slot[i].cancel = SERVE_POOL_CANCELLED;
	pthread_mutex_unlock(&pl->mu);
}

void serve_pool_counts(struct serve_pool *pl, uint64_t *waiting, uint64_t *running)
{
	*waiting = *running = 0;
	if (!pl->ready)
		return;
	pthread_mutex_lock(&pl->mu);
	*waiting = pl->queued;
	*running = pl->running;
	pthread_mutex_unlock(&pl->mu);
}

void serve_pool_stop(struct serve_pool *pl)
{
	unsigned i, n;

	if (!pl->ready)
		return;
	pthread_mutex_lock(&pl->mu);
	pl->stopping = true;
	n = pl->n;
	pthread_cond_broadcast(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
	for (i = 0; i < n; i++)
		pthread_join(pl->th[i], NULL);
	pthread_mutex_lock(&pl->mu);
	pl->n = 0;
	pl->wd_stop = true;
	pthread_cond_signal(&pl->wd_cv);
	pthread_mutex_unlock(&pl->mu);
	if (pl->wd_on)
		pthread_join(pl->watchdog, NULL);
	pl->wd_on = false;
}

void serve_pool_release(struct serve_pool *pl)
{
	if (!pl->ready)
		return;
	serve_pool_stop(pl);
	pthread_cond_destroy(&pl->wd_cv);
	pthread_cond_destroy(&pl->cv);
	pthread_mutex_destroy(&pl->mu);
	pl->ready = false;
}
