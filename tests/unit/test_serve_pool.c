/*
 * test_serve_pool.c — the thread pools of `smolder serve` (serve_pool.c: the decoders
 * and the readers): jobs run in order, a busy pool queues at most max_queued more and
 * refuses the next (and counts what waits and what runs), stopping runs what is queued
 * before the threads end, cancelling ends them early, and the timeout counts from the
 * push: the watchdog times out a job that runs too long, and a job whose time ran out
 * while it waited starts timed out.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "ingest/serve_int.h"
#include "testutil.h"

struct tjob {
	struct serve_pool_job j;
	int id;
	atomic_int *order;  /* next position */
	atomic_int *ran_at; /* position each job ran at, -1 before */
	atomic_bool *started, *release;
};

static void nap(void)
{
	struct timespec ts = { 0, 1000000 };

	nanosleep(&ts, NULL);
}

static void tjob_run(struct serve_pool_job *j, atomic_int *cancel)
{
	struct tjob *t = (struct tjob *)j;

	(void)cancel;
	if (t->started)
		atomic_store(t->started, true);
	while (t->release && !atomic_load(t->release))
		nap();
	atomic_store(&t->ran_at[t->id], atomic_fetch_add(t->order, 1));
}

static void test_queue_cap_and_drain(void **state)
{
	struct serve_pool rd;
	struct tjob jobs[4];
	atomic_int order = 0;
	atomic_bool started = false, release = false;
	atomic_int ran_at[4] = { -1, -1, -1, -1 };
	uint64_t waiting, running;
	int i;

	(void)state;
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < 4; i++) {
		jobs[i].j.run = tjob_run;
		jobs[i].id = i;
		jobs[i].order = &order;
		jobs[i].ran_at = ran_at;
	}
	jobs[0].started = &started;
	jobs[0].release = &release;
	assert_int_equal(serve_pool_start(&rd, "readers", 1, 2, 0), 0);
	/* the one reader is held by job 0; two more wait; the fourth is refused */
	assert_true(serve_pool_push(&rd, &jobs[0].j));
	while (!atomic_load(&started))
		nap();
	assert_true(serve_pool_push(&rd, &jobs[1].j));
	assert_true(serve_pool_push(&rd, &jobs[2].j));
	assert_false(serve_pool_push(&rd, &jobs[3].j));
	assert_int_equal(ran_at[1], -1);
	serve_pool_counts(&rd, &waiting, &running);
	assert_int_equal(waiting, 2);
	assert_int_equal(running, 1);
	/* stopping waits for job 0, then runs the queued ones, in order */
	atomic_store(&release, true);
	serve_pool_stop(&rd);
	serve_pool_counts(&rd, &waiting, &running);
	assert_int_equal(waiting, 0);
	assert_int_equal(running, 0);
	assert_int_equal(ran_at[0], 0);
	assert_int_equal(ran_at[1], 1);
	assert_int_equal(ran_at[2], 2);
	assert_int_equal(ran_at[3], -1);
	assert_int_equal(atomic_load(&order), 3);
	/* stopped: nothing is taken; a second stop is harmless */
	assert_false(serve_pool_push(&rd, &jobs[3].j));
	serve_pool_stop(&rd);
	serve_pool_release(&rd);
	serve_pool_release(&rd);
}

/* With two readers a held job does not hold up the next one. */
static void test_parallel(void **state)
{
	struct serve_pool rd;
	struct tjob held, quick;
	atomic_int order = 0;
	atomic_bool started = false, release = false;
	atomic_int ran_at[2] = { -1, -1 };

	(void)state;
	memset(&held, 0, sizeof(held));
	memset(&quick, 0, sizeof(quick));
	held = (struct tjob){ { .run = tjob_run }, 0, &order, ran_at, &started, &release };
	quick = (struct tjob){ { .run = tjob_run }, 1, &order, ran_at, NULL, NULL };
	assert_int_equal(serve_pool_start(&rd, "readers", 2, 8, 0), 0);
	assert_true(serve_pool_push(&rd, &held.j));
	while (!atomic_load(&started))
		nap();
	assert_true(serve_pool_push(&rd, &quick.j));
	while (atomic_load(&ran_at[1]) == -1)
		nap();
	assert_int_equal(atomic_load(&ran_at[1]), 0);  /* done while the other was held */
	atomic_store(&release, true);
	serve_pool_release(&rd);
	assert_int_equal(ran_at[0], 1);
}

/* A job that runs until cancelled (or for `ms`), as a store query polls the flag. */
struct cjob {
	struct serve_pool_job j;
	int ms;              /* 0: until cancelled */
	atomic_bool started;
	atomic_int at_start; /* the flag's value when it started */
	atomic_int saw;      /* the flag's value when it ended */
};

static void cjob_run(struct serve_pool_job *j, atomic_int *cancel)
{
	struct cjob *c = (struct cjob *)j;
	int waited = 0;

	atomic_store(&c->at_start, (int)*cancel);
	atomic_store(&c->started, true);
	while (!*cancel && (c->ms == 0 || waited < c->ms)) {
		nap();
		waited++;
	}
	atomic_store(&c->saw, (int)*cancel);
}

/* serve_pool_cancel() ends the running job and every queued one at once. */
static void test_cancel(void **state)
{
	struct serve_pool rd;
	struct cjob a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.j.run = b.j.run = cjob_run;
	assert_int_equal(serve_pool_start(&rd, "readers", 1, 4, 0), 0);
	assert_true(serve_pool_push(&rd, &a.j));
	assert_true(serve_pool_push(&rd, &b.j));
	while (!atomic_load(&a.started))
		nap();
	assert_false(atomic_load(&b.started));
	serve_pool_cancel(&rd);
	serve_pool_release(&rd);  /* returns: both jobs saw the flag */
	assert_int_equal(atomic_load(&a.saw), SERVE_POOL_CANCELLED);
	assert_int_equal(atomic_load(&b.saw), SERVE_POOL_CANCELLED);
}

static double since_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * With a timeout the watchdog ends a job that runs past it, and only that one: the
 * next job starts with a clear flag, and a job within its time is left alone.
 */
static void test_timeout(void **state)
{
	struct serve_pool rd;
	struct cjob slow, quick;
	struct timespec t0;
	double ms;

	(void)state;
	memset(&slow, 0, sizeof(slow));
	memset(&quick, 0, sizeof(quick));
	slow.j.run = quick.j.run = cjob_run;
	slow.saw = -1;
	quick.ms = 2;
	quick.saw = -1;
	assert_int_equal(serve_pool_start(&rd, "readers", 1, 4, 250), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_true(serve_pool_push(&rd, &slow.j));
	while (atomic_load(&slow.saw) == -1)
		nap();
	ms = since_ms(&t0);
	assert_true(serve_pool_push(&rd, &quick.j));
	while (atomic_load(&quick.saw) == -1)
		nap();
	assert_int_equal(atomic_load(&slow.saw), SERVE_POOL_TIMED_OUT);
	assert_int_equal(atomic_load(&quick.at_start), 0);
	assert_int_equal(atomic_load(&quick.saw), 0);
	assert_true(ms >= 250 && ms < 10000);
	serve_pool_release(&rd);
}

/*
 * The timeout counts from the push, not from when a thread takes the job: a query
 * queued behind a slow one that does not poll its flag (held here for 400 ms, past
 * the 300 ms timeout) starts timed out, and one queued behind it is timed out 300 ms
 * after its push, not 300 ms after it starts.  Before, both started with a clear flag
 * and a fresh 300 ms, so a client waited a multiple of --request-timeout.
 */
static void test_timeout_counts_queue(void **state)
{
	struct serve_pool rd;
	struct tjob held;
	struct cjob late, behind;
	struct timespec t0;
	atomic_int order = 0;
	atomic_bool started = false, release = false;
	atomic_int ran_at[1] = { -1 };
	double ms;

	(void)state;
	memset(&held, 0, sizeof(held));
	memset(&late, 0, sizeof(late));
	memset(&behind, 0, sizeof(behind));
	held = (struct tjob){ { .run = tjob_run }, 0, &order, ran_at, &started, &release };
	late.j.run = behind.j.run = cjob_run;
	late.ms = 2;
	late.at_start = late.saw = -1;
	behind.at_start = behind.saw = -1;
	assert_int_equal(serve_pool_start(&rd, "readers", 1, 4, 300), 0);
	assert_true(serve_pool_push(&rd, &held.j));
	while (!atomic_load(&started))
		nap();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_true(serve_pool_push(&rd, &late.j));
	while (since_ms(&t0) < 400)
		nap();
	assert_false(atomic_load(&late.started));
	/* pushed 200 ms before the reader frees up: 100 ms of its 300 left */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_true(serve_pool_push(&rd, &behind.j));
	while (since_ms(&t0) < 200)
		nap();
	atomic_store(&release, true);
	while (atomic_load(&behind.saw) == -1)
		nap();
	ms = since_ms(&t0);
	assert_int_equal(atomic_load(&late.at_start), SERVE_POOL_TIMED_OUT);
	assert_int_equal(atomic_load(&late.saw), SERVE_POOL_TIMED_OUT);
	assert_int_equal(atomic_load(&behind.at_start), 0);
	assert_int_equal(atomic_load(&behind.saw), SERVE_POOL_TIMED_OUT);
	assert_true(ms >= 300 && ms < 450);  /* before: 200 + 300 at least */
	serve_pool_release(&rd);
}

static void test_bad_counts(void **state)
{
	struct serve_pool rd;

	(void)state;
	assert_int_equal(serve_pool_start(&rd, "readers", 0, 4, 0), ERR_USAGE);
	tu_assert_message(err_last());
	assert_int_equal(serve_pool_start(&rd, "readers", SERVE_POOL_MAX + 1, 4, 0), ERR_USAGE);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_cap_and_drain),
		cmocka_unit_test(test_parallel),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_timeout_counts_queue),
		cmocka_unit_test(test_bad_counts),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
