/*
 * test_tree_cancel.c — stopping the long profile computations from another thread
 * (tree_build_cancellable, top_from_tree_cancellable, prof_filter with filter_opts.cancel,
 * sandwich_build_cancellable, prof_granularity_cancellable,
 * prof_collapse_recursion_cancellable), as the explorer's jobs do on Esc or q, on a
 * profile large enough that each one takes a while (built here: 160,000 samples up to 48
 * frames deep over 4,000 functions):
 *
 *  - the flag raised once the call has computed for a quarter of its time (its thread's
 *    CPU clock): it returns ERR_CANCELLED, with no output, in a small part of its whole
 *    time (AddressSanitizer's leak check, at exit, finds nothing it made left over);
 *  - the flag raised before the call: ERR_CANCELLED at once;
 *  - a flag never raised: the results are byte for byte those of the calls without one.
 */
#include "testutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "profile/builder.h"
#include "profile/filter.h"
#include "profile/granularity.h"
#include "profile/recursion.h"
#include "profile/sandwich.h"

#define NFUNCS 4000
#define NSAMPLES 160000
#define FOCUS "fn[0-9]*7 "   /* about a tenth of the names; ends with the name's space */
#define SANDWICHED "pkg0.fn0 " /* one of the two roots: in about half the samples */

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * Stacks that share their first frames (a frame picks among few at the root, more and
 * more deeper down), so the tree is large but not one node per frame; fixed seed.
 */
static struct prof *big_profile(void)
{
	struct prof_builder *b = NULL;
	struct prof *p = NULL;
	uint32_t *loc = malloc(NFUNCS * sizeof(*loc)), locs[48], seed = 2463534242u, i, d, t, u;
	char name[32];

	assert_non_null(loc);
	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "samples", 7, &t), 0);
	assert_int_equal(pb_string(b, "count", 5, &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	for (i = 0; i < NFUNCS; i++) {
		int n = snprintf(name, sizeof(name), "pkg%u.fn%u ", i % 37, i);

		assert_int_equal(pb_named_frame(b, name, (size_t)n, &loc[i]), 0);
	}
	for (i = 0; i < NSAMPLES; i++) {
		uint32_t depth = 8 + xorshift(&seed) % 40;
		int64_t v = 1 + xorshift(&seed) % 9;

		/* locs is leaf first: the root is locs[depth - 1] */
		for (d = 0; d < depth; d++) {
			uint32_t fan = 2 + d * d * 3;

			locs[depth - 1 - d] = loc[(d * 131 + xorshift(&seed) % fan) % NFUNCS];
		}
		assert_int_equal(pb_sample(b, locs, depth, &v, NULL, 0), 0);
	}
	assert_int_equal(pb_finish(b, &p), 0);
	free(loc);
	return p;
}

static struct prof *the_profile(void)
{
	static struct prof *p;

	if (!p)
		p = big_profile();
	return p;
}

/* ------------------------------------------------------------------------------------ */
/* one computation, on this thread or another                                            */

enum what { W_TREE, W_TOP, W_FILTER, W_SANDWICH, W_GRANULARITY, W_COLLAPSE };

struct run {
	enum what what;
	const struct prof *p;
	const struct tree *t;  /* W_TOP's input */
	atomic_int *cancel;
	int rc;
	struct tree *tree;     /* outputs */
	struct top *tops;
	struct prof *filtered; /* also W_GRANULARITY's, W_COLLAPSE's, W_SANDWICH's callees */
	struct prof *callers;  /* W_SANDWICH's */
	double cpu_ms;         /* this thread's CPU time in the call */
};

static double cpu_ms(clockid_t id)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(id, &ts), 0);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
	return cpu_ms(CLOCK_MONOTONIC);
}

static void *run_call(void *arg)
{
	struct run *r = arg;
	double c0 = cpu_ms(CLOCK_THREAD_CPUTIME_ID);

	switch (r->what) {
	case W_TREE:
		r->rc = tree_build_cancellable(r->p, r->cancel, &r->tree);
		break;
	case W_TOP:
		r->tops = calloc(r->t->ntypes, sizeof(*r->tops));
		assert_non_null(r->tops);
		r->rc = top_from_tree_cancellable(r->t, r->cancel, r->tops);
		break;
	case W_FILTER: {
		struct filter_opts o = { .focus = FOCUS, .cancel = r->cancel };

		r->rc = prof_filter(r->p, &o, &r->filtered);
		break;
	}
	case W_SANDWICH:
		r->rc = sandwich_build_cancellable(r->p, prof_find_str(r->p, SANDWICHED), r->cancel,
						   &r->callers, &r->filtered);
		break;
	case W_GRANULARITY:
		r->rc = prof_granularity_cancellable(r->p, GRAN_PACKAGES, r->cancel, &r->filtered);
		break;
	case W_COLLAPSE:
		r->rc = prof_collapse_recursion_cancellable(r->p, r->cancel, &r->filtered);
		break;
	}
	r->cpu_ms = cpu_ms(CLOCK_THREAD_CPUTIME_ID) - c0;
	return NULL;
}

static void run_release(struct run *r)
{
	uint32_t ty;

	if (r->tops)
		for (ty = 0; ty < r->t->ntypes; ty++)
			top_release(&r->tops[ty]);
	free(r->tops);
	tree_free(r->tree);
	prof_free(r->filtered);
	prof_free(r->callers);
	r->tops = NULL;
	r->tree = NULL;
	r->filtered = NULL;
	r->callers = NULL;
}

/* Nothing came out of a cancelled call. */
static void assert_no_output(const struct run *r)
{
	uint32_t ty;

	assert_int_equal(r->rc, ERR_CANCELLED);
	assert_null(r->tree);
	assert_null(r->filtered);
	assert_null(r->callers);
	if (r->tops)
		for (ty = 0; ty < r->t->ntypes; ty++) {
			assert_null(r->tops[ty].rows);
			assert_int_equal(r->tops[ty].n, 0);
		}
}

/*
 * Runs r on a thread of its own, raises its flag once that thread has computed for
 * `after_ms` of CPU time, and returns how long the call went on after that (wall clock).
 */
static double cancel_after(struct run *r, double after_ms)
{
	atomic_int flag = 0;
	pthread_t th;
	clockid_t id;
	double t0;
	int i;

	r->cancel = &flag;
	assert_int_equal(pthread_create(&th, NULL, run_call, r), 0);
	assert_int_equal(pthread_getcpuclockid(th, &id), 0);
	for (i = 0; i < 200000 && cpu_ms(id) < after_ms; i++)
		usleep(100);
	atomic_store(&flag, 1);
	t0 = now_ms();
	pthread_join(th, NULL);
	r->cancel = NULL;
	return now_ms() - t0;
}

/*
 * The whole call (flag never raised) compared with the call without a flag, then the
 * call stopped a quarter of the way: ERR_CANCELLED, nothing out, soon.
 */
static void check_stops(enum what what, const struct tree *t,
			void (*same)(const struct run *, const struct run *))
{
	atomic_int never = 0, raised = 1;
	struct run whole = { .what = what, .p = the_profile(), .t = t, .cancel = &never };
	struct run plain = { .what = what, .p = the_profile(), .t = t, .cancel = NULL };
	struct run stop = { .what = what, .p = the_profile(), .t = t };
	double wall, after;
	int try;

	/* a flag never raised changes nothing */
	wall = now_ms();
	run_call(&whole);
	wall = now_ms() - wall;
	assert_int_equal(whole.rc, 0);
	run_call(&plain);
	assert_int_equal(plain.rc, 0);
	same(&whole, &plain);
	run_release(&plain);
	run_release(&whole);

	/* raised before the call: at once */
	stop.cancel = &raised;
	run_call(&stop);
	assert_no_output(&stop);
	run_release(&stop);

	/* raised a quarter of the way: the rest is not done.  Up to three tries: on a loaded
	 * machine the thread can be descheduled by chance; a call that ran on would be late
	 * every time */
	for (try = 0; try < 3; try++) {
		after = cancel_after(&stop, whole.cpu_ms / 4);
		assert_no_output(&stop);
		run_release(&stop);
		print_message("  whole call %.0f ms (CPU %.0f ms on its thread); stopped %.1f ms "
			      "after the flag\n", wall, whole.cpu_ms, after);
		if (after <= wall / 4)
			break;
	}
	if (after > wall / 4)
		fail_msg("the call went on %.0f ms after the flag was raised (the whole call: %.0f ms)",
			 after, wall);
}

static void same_tree(const struct run *a, const struct run *b)
{
	const struct tree *x = a->tree, *y = b->tree;
	size_t n = x->n, nt = x->ntypes;

	assert_int_equal(x->n, y->n);
	assert_int_equal(x->ntypes, y->ntypes);
	assert_int_equal(x->max_depth, y->max_depth);
	assert_memory_equal(x->parent, y->parent, n * sizeof(*x->parent));
	assert_memory_equal(x->name, y->name, n * sizeof(*x->name));
	assert_memory_equal(x->depth, y->depth, n * sizeof(*x->depth));
	assert_memory_equal(x->size, y->size, n * sizeof(*x->size));
	assert_memory_equal(x->recursive, y->recursive, n);
	assert_memory_equal(x->self, y->self, n * nt * sizeof(*x->self));
	assert_memory_equal(x->total, y->total, n * nt * sizeof(*x->total));
}

static void same_tops(const struct run *a, const struct run *b)
{
	uint32_t ty, i;

	for (ty = 0; ty < a->t->ntypes; ty++) {
		const struct top *x = &a->tops[ty], *y = &b->tops[ty];

		assert_int_equal(x->n, y->n);
		tu_assert_i64(x->total, y->total);
		for (i = 0; i < x->n; i++) { /* field by field: a row has padding */
			assert_int_equal(x->rows[i].name, y->rows[i].name);
			tu_assert_i64(x->rows[i].flat, y->rows[i].flat);
			tu_assert_i64(x->rows[i].cum, y->rows[i].cum);
		}
	}
}

/* Two profiles with the same samples over the same locations, lines and functions. */
static void same_prof(const struct prof *x, const struct prof *y)
{
	uint32_t i;

	assert_int_equal(x->nsamples, y->nsamples);
	assert_int_equal(x->nlocations, y->nlocations);
	assert_int_equal(x->nlines, y->nlines);
	assert_int_equal(x->nfunctions, y->nfunctions);
	assert_int_equal(x->nstrs, y->nstrs);
	assert_int_equal(x->nsample_locs, y->nsample_locs);
	assert_memory_equal(x->sample_locs, y->sample_locs,
			    x->nsample_locs * sizeof(*x->sample_locs));
	assert_memory_equal(x->values, y->values,
			    (size_t)x->nsamples * x->ntypes * sizeof(*x->values));
	for (i = 0; i < x->nlocations; i++) { /* field by field: the structs have padding */
		assert_int_equal(x->locations[i].line_off, y->locations[i].line_off);
		assert_int_equal(x->locations[i].nlines, y->locations[i].nlines);
	}
	for (i = 0; i < x->nlines; i++)
		assert_int_equal(x->lines[i].func, y->lines[i].func);
	for (i = 0; i < x->nfunctions; i++)
		assert_string_equal(prof_str(x, x->functions[i].name),
				    prof_str(y, y->functions[i].name));
}

static void same_profile(const struct run *a, const struct run *b)
{
	same_prof(a->filtered, b->filtered);
	/* the filter did something: a real part of the samples, not all of them */
	assert_true(a->filtered->nsamples > NSAMPLES / 10 && a->filtered->nsamples < NSAMPLES);
}

static void same_sandwich(const struct run *a, const struct run *b)
{
	same_prof(a->filtered, b->filtered);
	same_prof(a->callers, b->callers);
	/* a real part of the samples went into it, not all of them */
	assert_true(a->filtered->nsamples > NSAMPLES / 4 && a->filtered->nsamples < NSAMPLES);
	assert_int_equal(a->callers->nsamples, a->filtered->nsamples);
}

static void same_packages(const struct run *a, const struct run *b)
{
	same_prof(a->filtered, b->filtered);
	/* re-keyed: 4,000 functions in 37 packages */
	assert_int_equal(a->filtered->nsamples, NSAMPLES);
	assert_int_equal(a->filtered->nfunctions, 37);
}

static void same_collapsed(const struct run *a, const struct run *b)
{
	same_prof(a->filtered, b->filtered);
	assert_int_equal(a->filtered->nsamples, NSAMPLES);
}

static void test_tree_stops(void **state)
{
	(void)state;
	check_stops(W_TREE, NULL, same_tree);
}

static void test_top_stops(void **state)
{
	struct tree *t = NULL;

	(void)state;
	assert_int_equal(tree_build(the_profile(), &t), 0);
	assert_true(t->n > 1000000); /* enough nodes for the table to take a while */
	check_stops(W_TOP, t, same_tops);
	tree_free(t);
}

static void test_filter_stops(void **state)
{
	(void)state;
	check_stops(W_FILTER, NULL, same_profile);
}

static void test_sandwich_stops(void **state)
{
	(void)state;
	check_stops(W_SANDWICH, NULL, same_sandwich);
}

static void test_granularity_stops(void **state)
{
	(void)state;
	check_stops(W_GRANULARITY, NULL, same_packages);
}

static void test_collapse_stops(void **state)
{
	(void)state;
	check_stops(W_COLLAPSE, NULL, same_collapsed);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_stops),
		cmocka_unit_test(test_top_stops),
		cmocka_unit_test(test_filter_stops),
		cmocka_unit_test(test_sandwich_stops),
		cmocka_unit_test(test_granularity_stops),
		cmocka_unit_test(test_collapse_stops),
	};
	int rc;

	tu_init(argc, argv);
	rc = cmocka_run_group_tests_name("tree_cancel", tests, NULL, NULL);
	prof_free(the_profile());
	return rc ? 1 : 0;
}
