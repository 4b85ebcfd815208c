/*
 * test_transform.c — profile/transform.c on real profiles: stacks reversed, one sample
 * type kept, sample types renamed.  What must change does, what must not (strings,
 * locations, values, labels, the header) is compared with the input sample by sample, and
 * a cancel flag already set stops each with ERR_CANCELLED and nothing made.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "profile/transform.h"

/* Sample i of a and b carry the same labels. */
static void same_labels(const struct prof *a, const struct prof *b, uint32_t i)
{
	const struct prof_sample *sa = &a->samples[i], *sb = &b->samples[i];

	assert_int_equal(sa->nlabels, sb->nlabels);
	if (sa->nlabels)
		assert_memory_equal(a->labels + sa->label_off, b->labels + sb->label_off,
				    sa->nlabels * sizeof(*a->labels));
}

/* The header and tables ids refer to: kept as they were. */
static void same_tables(const struct prof *a, const struct prof *b)
{
	uint32_t i;

	assert_int_equal(a->nstrs <= b->nstrs, true);
	for (i = 0; i < a->nstrs; i++)
		assert_string_equal(prof_str(a, i), prof_str(b, i));
	assert_int_equal(a->nfunctions, b->nfunctions);
	assert_int_equal(a->nlocations, b->nlocations);
	for (i = 0; i < a->nlocations; i++) {
		assert_int_equal(a->locations[i].address, b->locations[i].address);
		assert_int_equal(a->locations[i].nlines, b->locations[i].nlines);
	}
	assert_int_equal(a->nsamples, b->nsamples);
	assert_int_equal(a->period, b->period);
	assert_int_equal(a->time_nanos, b->time_nanos);
	assert_int_equal(a->duration_nanos, b->duration_nanos);
}

/* Each stack the other way round; values, labels and ids as they were; twice: the input. */
static void test_reverse_stacks(void **state)
{
	struct prof *in = tu_decode("go/gencode3k-cpu-labels.pb.gz"), *rev, *back;
	uint32_t i, k;
	size_t labelled = 0;

	(void)state;
	assert_int_equal(prof_reverse_stacks(in, NULL, &rev), 0);
	tu_check_invariants(rev);
	same_tables(in, rev);
	assert_string_equal(tu_types(rev), tu_types(in));
	assert_int_equal(rev->default_type, in->default_type);
	for (i = 0; i < in->nsamples; i++) {
		const struct prof_sample *s = &in->samples[i], *r = &rev->samples[i];

		assert_int_equal(r->nlocs, s->nlocs);
		for (k = 0; k < s->nlocs; k++)
			assert_int_equal(rev->sample_locs[r->loc_off + k],
					 in->sample_locs[s->loc_off + s->nlocs - 1 - k]);
		for (k = 0; k < in->ntypes; k++)
			tu_assert_i64(prof_value(rev, i, k), prof_value(in, i, k));
		same_labels(in, rev, i);
		labelled += s->nlabels > 0;
	}
	assert_true(labelled > 0);  /* the fixture's labels were there to be kept */
	assert_int_equal(prof_reverse_stacks(rev, NULL, &back), 0);
	for (i = 0; i < in->nsamples; i++)
		assert_memory_equal(back->sample_locs + back->samples[i].loc_off,
				    in->sample_locs + in->samples[i].loc_off,
				    in->samples[i].nlocs * sizeof(uint32_t));
	prof_free(back);
	prof_free(rev);
	prof_free(in);
}

/* A profile of stacks in folded text: "main;f 1" reversed is "f;main 1". */
static void test_reverse_folded(void **state)
{
	struct prof *in = tu_decode_str("main;f;g 3\nmain;h 2\nmain 1\n"), *rev;
	uint32_t s;

	(void)state;
	assert_int_equal(prof_reverse_stacks(in, NULL, &rev), 0);
	assert_int_equal(rev->nsamples, 3);
	for (s = 0; s < 3; s++) {
		const struct prof_sample *x = &rev->samples[s];
		/* the root after reversal is the input's leaf, the leaf "main" */
		uint32_t leaf = rev->sample_locs[x->loc_off];
		uint32_t line = rev->locations[leaf].line_off;

		assert_string_equal(prof_str(rev, rev->functions[rev->lines[line].func].name),
				    "main");
	}
	tu_assert_i64(prof_total(rev, 0), 6);
	prof_free(rev);
	prof_free(in);
}

/* A flag set before the call: ERR_CANCELLED, *out NULL, nothing leaked (ASan). */
static void test_cancelled(void **state)
{
	struct prof *in = tu_decode("go/cpuwork-cpu.pb.gz"), *out = in;
	atomic_int cancel = 1;

	(void)state;
	assert_int_equal(prof_reverse_stacks(in, &cancel, &out), ERR_CANCELLED);
	assert_null(out);
	tu_assert_message(err_last());
	prof_free(in);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reverse_stacks),
		cmocka_unit_test(test_reverse_folded),
		cmocka_unit_test(test_cancelled),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("transform", tests, NULL, NULL) ? 1 : 0;
}
