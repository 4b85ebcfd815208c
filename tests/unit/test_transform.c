/*
 * test_transform.c — profile/transform.c on real profiles: stacks reversed, one sample
 * type kept, sample types renamed.  What must change does, what must not (strings,
 * locations, values, labels, the header) is compared with the input sample by sample, and
 * a cancel flag already set stops each with ERR_CANCELLED and nothing made.  Also the
 * explorer's export of the top table's row filter, whose filtering runs on the export's
 * worker, not on the UI thread.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "profile/builder.h"
#include "profile/transform.h"
#include "testutil_browser.h"
#include "tui/tui_int.h"

/* Sample i of a and b carry the same labels. */
static void same_labels(const struct prof *a, const struct prof *b, uint32_t i)
{
	const struct prof_sample *sa = &a->samples[i], *sb = &b->samples[i];

	uint32_t k;

	assert_int_equal(sa->nlabels, sb->nlabels);
	for (k = 0; k < sa->nlabels; k++) {  /* field by field: struct padding is not data */
		const struct prof_label *la = &a->labels[sa->label_off + k];
		const struct prof_label *lb = &b->labels[sb->label_off + k];

		assert_int_equal(la->key, lb->key);
		assert_int_equal(la->str, lb->str);
		assert_int_equal(la->num_unit, lb->num_unit);
		tu_assert_i64(la->num, lb->num);
	}
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

/*
 * heapwork-heap's four types, each kept alone: one type of that name and unit, its
 * column of values, every stack and label as it was; the default is the one left.
 */
static void test_keep_type(void **state)
{
	struct prof *in = tu_decode("go/heapwork-heap.pb.gz"), *one;
	uint32_t t, i;
	int64_t sum;

	(void)state;
	assert_int_equal(in->ntypes, 4);
	for (t = 0; t < in->ntypes; t++) {
		assert_int_equal(prof_keep_type(in, t, NULL, &one), 0);
		tu_check_invariants(one);
		same_tables(in, one);
		assert_int_equal(one->ntypes, 1);
		assert_int_equal(one->default_type, 0);
		assert_int_equal(one->default_named, in->default_named);
		assert_string_equal(prof_str(one, one->sample_types[0].type),
				    prof_str(in, in->sample_types[t].type));
		assert_string_equal(prof_str(one, one->sample_types[0].unit),
				    prof_str(in, in->sample_types[t].unit));
		for (i = sum = 0; i < in->nsamples; i++) {
			const struct prof_sample *s = &in->samples[i], *o = &one->samples[i];

			tu_assert_i64(prof_value(one, i, 0), prof_value(in, i, t));
			sum += prof_value(in, i, t);
			assert_int_equal(o->nlocs, s->nlocs);
			assert_memory_equal(one->sample_locs + o->loc_off,
					    in->sample_locs + s->loc_off, s->nlocs * sizeof(uint32_t));
			same_labels(in, one, i);
		}
		assert_true(sum != 0);
		tu_assert_i64(prof_total(one, 0), sum);
		prof_free(one);
	}
	one = in;
	assert_int_equal(prof_keep_type(in, 4, NULL, &one), ERR_NOTFOUND);
	assert_null(one);
	tu_assert_message(err_last());
	prof_free(in);
}

/*
 * perf's types "cpu-clock/nanoseconds" and "cache-misses/count" (a folded file with a
 * pprof's header would do; built here): '-' as '_' in each name, units, samples and
 * strings as they were; a profile without '-' gives no profile at all.
 */
static void test_rename_types(void **state)
{
	static const char *const names[][2] = {
		{ "cpu-clock", "nanoseconds" }, { "cache-misses", "count" }, { "plain", "count" },
	};
	struct prof *in = tu_decode("go/cpuwork-cpu.pb.gz"), *out, *none = NULL;
	struct prof_builder *b;
	uint32_t t, u, i, loc;
	int64_t v[3] = { 7, 11, 13 };

	(void)state;
	assert_int_equal(prof_rename_types(in, '-', '_', NULL, &none), 0);
	assert_null(none);  /* samples/count cpu/nanoseconds: nothing to rename */
	prof_free(in);

	assert_int_equal(pb_new(&b), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(pb_string(b, names[i][0], strlen(names[i][0]), &t), 0);
		assert_int_equal(pb_string(b, names[i][1], strlen(names[i][1]), &u), 0);
		assert_int_equal(pb_sample_type(b, t, u), 0);
	}
	assert_int_equal(pb_named_frame(b, "main", 4, &loc), 0);
	assert_int_equal(pb_sample(b, &loc, 1, v, NULL, 0), 0);
	assert_int_equal(pb_finish(b, &in), 0);
	assert_int_equal(prof_rename_types(in, '-', '_', NULL, &out), 0);
	assert_non_null(out);
	tu_check_invariants(out);
	same_tables(in, out);
	assert_string_equal(tu_types(out), "cpu_clock/nanoseconds cache_misses/count plain/count");
	assert_int_equal(out->default_type, in->default_type);
	for (i = 0; i < 3; i++)
		tu_assert_i64(prof_value(out, 0, i), v[i]);
	assert_int_equal(out->samples[0].nlocs, 1);
	assert_int_equal(out->sample_locs[out->samples[0].loc_off], loc);
	prof_free(out);
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
	out = in;
	assert_int_equal(prof_keep_type(in, 1, &cancel, &out), ERR_CANCELLED);
	assert_null(out);
	prof_free(in);
	/* renaming reads the flag once it has something to rename: folded's "samples" */
	in = out = tu_decode_str("main;f 1\n");
	assert_int_equal(prof_rename_types(in, 'a', 'b', &cancel, &out), ERR_CANCELLED);
	assert_null(out);
	prof_free(in);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * The explorer's top table with row filter pat on 60 names "(a+)+$" backtracks on (about
 * 35 ms each) and main;keep (5), exporting as pprof to name on a worker; Enter returned
 * in *took_ms.
 */
static struct tui_app *export_rows(const char *pat, const char *name, double *took_ms)
{
	struct buf b = BUF_INIT;
	struct tui_app *a;
	double t0;
	int i;

	for (i = 0; i < 60; i++)
		buf_printf(&b, "main;aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa%d 1\n", i);
	buf_printf(&b, "main;keep 5\n");
	a = tb_app_of(tu_decode_str(b.data), "slow");
	buf_release(&b);
	a->view = VIEW_TOP;
	assert_int_equal(top_view_set_filter(a, pat), 0);
	a->async = true; /* as tui_run: on a worker */
	tui_app_key(a, 'e');
	tui_app_key(a, 'p');
	a->prompt_len = (size_t)snprintf(a->prompt, sizeof(a->prompt), "%s", tu_tmp_path(name));
	t0 = now_ms();
	tui_app_key(a, '\n');
	*took_ms = now_ms() - t0;
	return a;
}

/* Waits (at most 60 s) for the export to land: its message. */
static const char *export_landed(struct tui_app *a)
{
	int i;

	for (i = 0; i < 6000 && !export_view_poll(a); i++)
		usleep(10 * 1000);
	assert_null(a->export);
	return a->message;
}

/*
 * `e` on the top table filtered by a regex that backtracks on every name: the Enter that
 * starts the export returns at once (the 2 s of -focus are the worker's), the job reads
 * the loaded profile itself (so no filter job may free it meanwhile), and the file holds
 * the samples through the matching row.  A filter no sample passes lands as the error it
 * was when the UI thread made the filter.
 */
static void test_export_rows_on_worker(void **state)
{
	struct tui_app *a;
	struct prof *p;
	struct buf b = BUF_INIT;
	double took;

	(void)state;
	assert_int_equal(tu_tmp_create("transform"), 0);
	a = export_rows("(a+)+$|^keep$", "rows.pb.gz", &took);
	if (took > 500)
		fail_msg("Enter took %.0f ms: the row filter ran on the UI thread", took);
	assert_non_null(a->export);
	assert_true(export_view_reads(a, a->prof));
	assert_non_null(strstr(export_landed(a), "wrote "));
	assert_false(a->message_error);
	assert_int_equal(buf_read_file(&b, tu_tmp_path("rows.pb.gz"), 1 << 20), 0);
	p = tu_decode_bytes(b.data, b.len, "rows.pb.gz");
	assert_int_equal(p->nsamples, 1);
	tu_assert_i64(prof_total(p, 0), 5);
	assert_true(tu_has_function(p, "keep"));
	prof_free(p);
	tui_app_free(a);

	a = export_rows("^nosuch$", "none.pb.gz", &took);
	assert_string_equal(export_landed(a), "export: no function matches the filter");
	assert_true(a->message_error);
	assert_int_equal(access(tu_tmp_path("none.pb.gz"), F_OK), -1);
	tui_app_free(a);
	buf_release(&b);
	tu_tmp_remove();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reverse_stacks),
		cmocka_unit_test(test_reverse_folded),
		cmocka_unit_test(test_keep_type),
		cmocka_unit_test(test_rename_types),
		cmocka_unit_test(test_cancelled),
		cmocka_unit_test(test_export_rows_on_worker),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("transform", tests, NULL, NULL) ? 1 : 0;
}
