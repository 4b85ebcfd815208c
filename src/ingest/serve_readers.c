/*
 * serve_readers.c — the threads that answer read routes for `smolder serve`.
 *
 * A query can take a while (a long range merged, a big flame graph rendered); on an HTTP
 * thread it would hold up every connection that thread serves, pushes included.  So the
 * HTTP thread suspends the connection and queues the request here; a reader runs it
 * (each with its own read-only store connection, opened per request) and resumes the
 * connection with the answer.  At most `n` queries run at once, which also bounds the
 * memory they take; the queue is bounded too (the caller answers 429 beyond it).  A
 * shutdown that runs out of grace cancels what still runs (the store polls the flag).
 */
#include <string.h>

#include "base/err.h"
#include "serve_int.h"

static void *reader_main(void *arg)
{
	struct serve_readers *rd = arg;

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
		pthread_mutex_unlock(&rd->mu);
		j->run(j, &rd->cancel);  /* may free j's request once it resumes the connection */
		pthread_mutex_lock(&rd->mu);
	}
	pthread_mutex_unlock(&rd->mu);
	return NULL;
}

int serve_readers_start(struct serve_readers *rd, unsigned n, size_t max_queued)
{
	memset(rd, 0, sizeof(*rd));
	if (n < 1 || n > SERVE_MAX_READERS)
		return err_set(ERR_USAGE, "--read-threads must be 1 to %d", SERVE_MAX_READERS);
	rd->max_queued = max_queued;
	if (pthread_mutex_init(&rd->mu, NULL))
		return err_set(ERR_NOMEM, "cannot create a mutex");
	if (pthread_cond_init(&rd->cv, NULL)) {
		pthread_mutex_destroy(&rd->mu);
		return err_set(ERR_NOMEM, "cannot create a condition variable");
	}
	rd->ready = true;
	for (rd->n = 0; rd->n < n; rd->n++) {
		if (pthread_create(&rd->th[rd->n], NULL, reader_main, rd)) {
			serve_readers_release(rd);
			return err_set(ERR_NOMEM, "cannot start a reader thread");
		}
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
	if (rd->ready)
		rd->cancel = 1;
}

void serve_readers_stop(struct serve_readers *rd)
{
	unsigned i;

	if (!rd->ready)
		return;
	pthread_mutex_lock(&rd->mu);
	rd->stopping = true;
	pthread_cond_broadcast(&rd->cv);
	pthread_mutex_unlock(&rd->mu);
	for (i = 0; i < rd->n; i++)
		pthread_join(rd->th[i], NULL);
	rd->n = 0;
}

void serve_readers_release(struct serve_readers *rd)
{
	if (!rd->ready)
		return;
	serve_readers_stop(rd);
	pthread_cond_destroy(&rd->cv);
	pthread_mutex_destroy(&rd->mu);
	rd->ready = false;
}
