/*
 * serve_readers.c — the threads that answer read routes for `smolder serve`.
 *
 * A query can take a while (a long range merged, a big flame graph rendered); on an HTTP
 * thread it would hold up every connection that thread serves, pushes included.  So the
 * HTTP thread suspends the connection and queues the request here; a reader runs it
 * (each with its own read-only store connection, opened per request) and resumes the
 * connection with the answer.  At most `n` queries run at once, which also bounds the
 * memory they take; the queue is bounded too (the caller answers 429 beyond it).
 *
 * Each reader has a cancel flag its job's store calls poll.  A watchdog thread (only with
 * a timeout) sleeps until the earliest deadline of the jobs running and raises the flag
 * of a job past it; a shutdown that runs out of grace raises every flag, and jobs still
 * queued start cancelled.
 */
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "serve_int.h"

static void *reader_main(void *arg)
{
	struct serve_reader *me = arg;
	struct serve_readers *rd = me->rd;

	pthread_mutex_lock(&rd->mu);
	for (;;) {
		struct serve_read_job *j = rd->head;

		if (!j) {
			if (rd->stopping)
				break;
			pthread_cond_wait(&rd->cv, &rd->mu);
			continue;
		}
		rd->head = j->next;
		if (!rd->head)
			rd->tail = NULL;
		rd->queued--;
		me->cancel = rd->cancel_all ? SERVE_READ_CANCELLED : 0;
		if (rd->timeout_ms > 0) {
			me->deadline_ms = serve_now_ms() + rd->timeout_ms;
			pthread_cond_signal(&rd->wd_cv);
		}
		pthread_mutex_unlock(&rd->mu);
		j->run(j, &me->cancel);  /* may free j's request once it resumes the connection */
		pthread_mutex_lock(&rd->mu);
		me->deadline_ms = 0;
	}
	pthread_mutex_unlock(&rd->mu);
	return NULL;
}

static void *watchdog_main(void *arg)
{
	struct serve_readers *rd = arg;

	pthread_mutex_lock(&rd->mu);
	while (!rd->wd_stop) {
		double now = serve_now_ms(), next = 0;
		unsigned i;

		for (i = 0; i < rd->n; i++) {
			struct serve_reader *r = &rd->slot[i];

			if (r->deadline_ms <= 0 || r->cancel)
				continue;
			if (r->deadline_ms <= now)
				r->cancel = SERVE_READ_TIMED_OUT;
			else if (next == 0 || r->deadline_ms < next)
				next = r->deadline_ms;
		}
		if (next == 0) {
			pthread_cond_wait(&rd->wd_cv, &rd->mu);
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
			pthread_cond_timedwait(&rd->wd_cv, &rd->mu, &ts);
		}
	}
	pthread_mutex_unlock(&rd->mu);
	return NULL;
}

int serve_readers_start(struct serve_readers *rd, unsigned n, size_t max_queued,
			double timeout_ms)
{
	memset(rd, 0, sizeof(*rd));
	if (n < 1 || n > SERVE_MAX_READERS)
		return err_set(ERR_USAGE, "--read-threads must be 1 to %d", SERVE_MAX_READERS);
	rd->max_queued = max_queued;
	rd->timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
	if (pthread_mutex_init(&rd->mu, NULL))
		return err_set(ERR_NOMEM, "cannot create a mutex");
	if (pthread_cond_init(&rd->cv, NULL)) {
		pthread_mutex_destroy(&rd->mu);
		return err_set(ERR_NOMEM, "cannot create a condition variable");
	}
	if (pthread_cond_init(&rd->wd_cv, NULL)) {
		pthread_cond_destroy(&rd->cv);
		pthread_mutex_destroy(&rd->mu);
		return err_set(ERR_NOMEM, "cannot create a condition variable");
	}
	rd->ready = true;
	for (rd->n = 0; rd->n < n; rd->n++) {
		rd->slot[rd->n].rd = rd;
		if (pthread_create(&rd->th[rd->n], NULL, reader_main, &rd->slot[rd->n])) {
			serve_readers_release(rd);
			return err_set(ERR_NOMEM, "cannot start a reader thread");
		}
	}
	if (rd->timeout_ms > 0) {
		if (pthread_create(&rd->watchdog, NULL, watchdog_main, rd)) {
			serve_readers_release(rd);
			return err_set(ERR_NOMEM, "cannot start the readers' watchdog");
		}
		rd->wd_on = true;
	}
	return 0;
}

bool serve_readers_push(struct serve_readers *rd, struct serve_read_job *j)
{
	bool ok;

	j->next = NULL;
	pthread_mutex_lock(&rd->mu);
	ok = !rd->stopping && rd->queued < rd->max_queued;
	if (ok) {
		if (rd->tail)
			rd->tail->next = j;
		else
			rd->head = j;
		rd->tail = j;
		rd->queued++;
		pthread_cond_signal(&rd->cv);
	}
	pthread_mutex_unlock(&rd->mu);
	return ok;
}

void serve_readers_cancel(struct serve_readers *rd)
{
	unsigned i;

	if (!rd->ready)
		return;
	pthread_mutex_lock(&rd->mu);
	rd->cancel_all = true;  /* for the jobs still queued */
	for (i = 0; i < rd->n; i++)
		rd->slot[i].cancel = SERVE_READ_CANCELLED;
	pthread_mutex_unlock(&rd->mu);
}

void serve_readers_stop(struct serve_readers *rd)
{
	unsigned i, n;

	if (!rd->ready)
		return;
	pthread_mutex_lock(&rd->mu);
	rd->stopping = true;
	n = rd->n;
	pthread_cond_broadcast(&rd->cv);
	pthread_mutex_unlock(&rd->mu);
	for (i = 0; i < n; i++)
		pthread_join(rd->th[i], NULL);
	pthread_mutex_lock(&rd->mu);
	rd->n = 0;
	rd->wd_stop = true;
	pthread_cond_signal(&rd->wd_cv);
	pthread_mutex_unlock(&rd->mu);
	if (rd->wd_on)
		pthread_join(rd->watchdog, NULL);
	rd->wd_on = false;
}

void serve_readers_release(struct serve_readers *rd)
{
	if (!rd->ready)
		return;
	serve_readers_stop(rd);
	pthread_cond_destroy(&rd->wd_cv);
	pthread_cond_destroy(&rd->cv);
	pthread_mutex_destroy(&rd->mu);
	rd->ready = false;
}
