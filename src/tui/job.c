/*
 * job.c — the explorer's slow steps on threads of their own (re-deriving the profile
 * after a filter, finding a routine's code, reading the versions, writing an export).
 *
 * A job is heap-allocated, with a struct job first.  The UI thread starts it, polls it
 * and joins it when it is done, then reads its outputs and frees it.  Or it drops it
 * without waiting: a thread that has not finished is told to stop (cancel, for work that
 * polls it) and left to free the job itself when it ends (state JOB_RUNNING → JOB_ORPHAN),
 * so the job must then hold everything it reads (copies, or objects it was handed).
 */
#include <stdlib.h>

#include "tui_int.h"

static void *job_thread(void *arg)
{
	struct job *j = arg;

	j->run(j);
	atomic_store(&j->done, true);
	if (!atomic_compare_exchange_strong(&j->state, &(int){ JOB_RUNNING }, JOB_DONE))
		j->free(j); /* dropped by the UI: nobody else will */
	return NULL;
}

void job_init(struct job *j, void (*run)(struct job *), void (*free_fn)(struct job *))
{
	j->run = run;
	j->free = free_fn;
	j->running = false;
	atomic_init(&j->done, false);
	atomic_init(&j->state, JOB_RUNNING);
	atomic_init(&j->cancel, 0);
	j->started_ms = app_now_ms();
}

int job_start(struct job *j, bool async)
{
	if (async && pthread_create(&j->th, NULL, job_thread, j) == 0) {
		j->running = true;
		return 0;
	}
	if (async)
		return -1;
	j->run(j); /* drivers and tests: at once, on this thread */
	atomic_store(&j->state, JOB_DONE);
	atomic_store(&j->done, true);
	return 0;
}

bool job_poll(struct job *j)
{
	if (!j || !atomic_load(&j->done))
		return false;
	if (j->running) {
		pthread_join(j->th, NULL);
		j->running = false;
	}
	return true;
}

void job_wait(struct job *j)
{
	if (j && j->running) {
		pthread_join(j->th, NULL);
		j->running = false;
	}
}

bool job_busy(const struct job *j)
{
	return j && j->running;
}

void job_drop(struct job *j)
{
	if (!j)
		return;
	if (j->running) {
		/* read before the exchange: once it succeeds the thread may free j at any time */
		pthread_t th = j->th;

		atomic_store(&j->cancel, 1);
		if (atomic_compare_exchange_strong(&j->state, &(int){ JOB_RUNNING }, JOB_ORPHAN)) {
			pthread_detach(th);
			return;
		}
		pthread_join(j->th, NULL); /* it has finished: at once */
		j->running = false;
	}
	j->free(j);
}
