/*
 * test_filter.c — profile/filter.c beyond what tests/pprof_compare.sh checks against
 * `go tool pprof`: totals of kept samples, invariants of filtered profiles, and errors.
 */
#include "testutil.h"

#include <string.h>

#include "base/err.h"
#include "ingest/decode.h"
#include "ingest/encode.h"
#include "profile/builder.h"
#include "profile/filter.h"
#include "profile/prune.h"
#include "profile/recursion.h"

static struct prof *filtered(struct prof *p, const struct filter_opts *o)
{
	struct prof *out = NULL;

	if (prof_filter(p, o, &out))
		fail_msg("prof_filter: %s", err_last());
	if (out->nsamples) /* the invariants are those of a decoded profile: samples exist */
		tu_check_invariants(out);
	return out;
}

static void test_focus_total(void **state)
{
	struct prof *p = tu_decode("go/cpuwork-cpu.pb.gz"), *f;
	struct filter_opts o = { .focus = "sha256" };
	uint32_t cpu = (uint32_t)prof_find_type(p, "cpu");

	(void)state;
	f = filtered(p, &o);
	/* go tool pprof -focus=sha256: "Showing nodes accounting for 1.15s" */
	tu_assert_i64(prof_total(f, cpu), 1150000000);
	tu_assert_i64(prof_total(p, cpu), 9240000000);
	/* names keep their ids: strings are copied in order */
	assert_int_equal(f->nstrs, p->nstrs);
	assert_string_equal(prof_str(f, f->functions[3].name), prof_str(p, p->functions[3].name));
	prof_free(f);
	prof_free(p);
}

static void test_everything_filtered(void **state)
{
	struct prof *p = tu_decode("go/cpuwork-cpu.pb.gz"), *f;
	struct filter_opts o = { .focus = "no-function-is-called-this" };

	(void)state;
	f = filtered(p, &o);
	assert_int_equal(f->nsamples, 0);
	prof_free(f);
	o = (struct filter_opts){ .hide = "." };
	f = filtered(p, &o);
	assert_int_equal(f->nsamples, 0);
	prof_free(f);
	prof_free(p);
}

static void test_hide_keeps_totals(void **state)
{
	struct prof *p = tu_decode("go/cpuwork-cpu.pb.gz"), *f;
	struct filter_opts o = { .hide = "^main\\." };
	uint32_t i, j;

	(void)state;
	f = filtered(p, &o);
	/*
	 * go tool pprof -hide='^main\.' -nodefraction=0: 7.69 s of 9.24 s; samples left
	 * with no frame at all are dropped
	 */
	tu_assert_i64(prof_total(f, 1), 7690000000);
	/* no main. frame is left */
	for (i = 0; i < f->nlocations; i++)
		for (j = 0; j < f->locations[i].nlines; j++)
			assert_true(strncmp(prof_str(f, f->functions[f->lines[f->locations[i].line_off + j].func].name),
					    "main.", 5) != 0);
	prof_free(f);
	prof_free(p);
}

static void test_errors(void **state)
{
	struct prof *p = tu_decode("go/cpuwork-cpu.pb.gz"), *f = NULL;
	struct filter_opts o = { .focus = "(" };

	(void)state;
	assert_int_equal(prof_filter(p, &o, &f), ERR_PARSE);
	assert_null(f);
	assert_non_null(strstr(err_last(), "focus: bad regex at offset 1"));
	o = (struct filter_opts){ .tagfocus = "endpoint=[" };
	assert_int_equal(prof_filter(p, &o, &f), ERR_PARSE);
	assert_non_null(strstr(err_last(), "tagfocus: bad regex"));
	/* a range's number is a 64-bit integer (pprof panics on one that is not), however
	   many leading zeros it has */
	o = (struct filter_opts){ .tagignore = "bytes=1kb:99999999999999999999kb" };
	assert_int_equal(prof_filter(p, &o, &f), ERR_PARSE);
	assert_null(f);
	assert_string_equal(err_last(), "tagignore: '99999999999999999999' is out of range");
	o = (struct filter_opts){ .tagignore = "bytes=000000000000000000000000000000000001kb:" };
	f = filtered(p, &o);
	prof_free(f);
	/* a label the profile does not have matches nothing */
	o = (struct filter_opts){ .tagfocus = "nosuchlabel=x" };
	f = filtered(p, &o);
	assert_int_equal(f->nsamples, 0);
	prof_free(f);
	assert_true(filter_is_empty(&(struct filter_opts){ .focus = "" }));
	assert_false(filter_is_empty(&(struct filter_opts){ .tagignore = "a" }));
	prof_free(p);
}

static void test_labels(void **state)
{
	struct prof *p = tu_decode("go/gencode3k-cpu-labels.pb.gz"), *a, *b;
	struct filter_opts o = { .tagfocus = "region=eu-west-1" };
	uint32_t cpu = (uint32_t)prof_find_type(p, "cpu");

	(void)state;
	a = filtered(p, &o);
	/* go tool pprof -tags: region eu-west-1 holds 25.03 % of the labelled 115.0 s */
	assert_true(prof_total(a, cpu) > 28700000000 && prof_total(a, cpu) < 28900000000);
	o = (struct filter_opts){ .tagignore = "region=eu-west-1" };
	b = filtered(p, &o);
	tu_assert_i64(prof_total(a, cpu) + prof_total(b, cpu), prof_total(p, cpu));
	prof_free(a);
	prof_free(b);
	prof_free(p);
}

/*
 * A tagfocus / tagignore without a key matches every regex against whole "key:value"
 * strings, as pprof does, however long (a fixed buffer once cut them at 1,023 bytes)
 * and with the NUL bytes a value may hold.
 */
static void test_tag_long_value(void **state)
{
	struct prof_builder *b = NULL;
	struct prof *p = NULL, *f;
	struct filter_opts o = { .tagfocus = "END$" };
	struct prof_label lab = { 0 };
	struct buf v = BUF_INIT;
	int64_t one = 1;
	uint32_t t, u, loc, i;

	(void)state;
	for (i = 0; i < 3000; i++)
		buf_add(&v, "a", 1);
	buf_add(&v, "\0END", 4);
	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "samples", 7, &t), 0);
	assert_int_equal(pb_string(b, "count", 5, &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	assert_int_equal(pb_named_frame(b, "main", 4, &loc), 0);
	assert_int_equal(pb_string(b, "k", 1, &lab.key), 0);
	assert_int_equal(pb_string(b, v.data, v.len, &lab.str), 0);
	assert_int_equal(pb_sample(b, &loc, 1, &one, &lab, 1), 0);
	assert_int_equal(pb_string(b, "short", 5, &lab.str), 0);
	assert_int_equal(pb_sample(b, &loc, 1, &one, &lab, 1), 0);
	assert_int_equal(pb_finish(b, &p), 0);
	f = filtered(p, &o);
	assert_int_equal(f->nsamples, 1);
	prof_free(f);
	/* Go's regexp caps a count at 1000: a{3000} is refused as pprof refuses it */
	o = (struct filter_opts){ .tagfocus = "^k:a{1000}a{1000}a{1000}\\x00END$" };
	f = filtered(p, &o);
	assert_int_equal(f->nsamples, 1);
	prof_free(f);
	o = (struct filter_opts){ .tagignore = "END" };
	f = filtered(p, &o);
	assert_int_equal(f->nsamples, 1);
	assert_string_equal(prof_str(f, f->labels[f->samples[0].label_off].str), "short");
	prof_free(f);
	prof_free(p);
	buf_release(&v);
}

/* Direct recursion collapses; indirect recursion and totals stay. */
static void test_collapse_recursion(void **state)
{
	struct prof *p = tu_decode_str("main;f;f;f;g 5\nmain;f;g;f 3\nmain;h;h 2\n"), *c;
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(prof_collapse_recursion(p, &c), 0);
	tu_check_invariants(c);
	tu_assert_i64(prof_total(c, 0), 10);
	assert_int_equal(encode_folded(c, 0, &out), 0);
	buf_add(&out, "", 1);
	assert_string_equal(out.data, "main;f;g 5\nmain;f;g;f 3\nmain;h 2\n");
	buf_release(&out);
	prof_free(c);
	prof_free(p);
	/* a real profile: same totals, never a deeper tree */
	p = tu_decode("go/gencode3k-cpu.pb.gz");
	assert_int_equal(prof_collapse_recursion(p, &c), 0);
	tu_check_invariants(c);
	for (uint32_t t = 0; t < p->ntypes; t++)
		tu_assert_i64(prof_total(c, t), prof_total(p, t));
	prof_free(c);
	prof_free(p);
}

/*
 * f / x / - on a name that is not UTF-8: the exact pattern quotes its bytes, and PCRE2's
 * UTF mode refused it ("UTF-8 error: illegal byte"); it is matched byte for byte.
 */
static void test_invalid_utf8_names(void **state)
{
	struct prof *p = tu_decode_str("main;bad\xff\xfe\xc3utf 4\nmain;ok 3\n"), *f;
	struct filter_opts o = { .focus = "^bad\xff\xfe\xc3utf$" };

	(void)state;
	assert_true(tu_has_function(p, "bad\xff\xfe\xc3utf"));
	f = filtered(p, &o);
	tu_assert_i64(prof_total(f, 0), 4);
	prof_free(f);
	o = (struct filter_opts){ .ignore = "^bad\xff\xfe\xc3utf$" };
	f = filtered(p, &o);
	tu_assert_i64(prof_total(f, 0), 3);
	prof_free(f);
	/* a UTF-8 pattern still matches such a name around its bad bytes */
	o = (struct filter_opts){ .focus = "^bad" };
	f = filtered(p, &o);
	tu_assert_i64(prof_total(f, 0), 4);
	prof_free(f);
	prof_free(p);
}

/* pprof's -show: only the matching frames stay, and what matched is reported. */
static void test_show(void **state)
{
	struct prof *p = tu_decode_str("main;a;b 5\nmain;c 3\nx;y 2\n"), *f = NULL;
	struct filter_opts o = { .show = "^(main|b)$" };
	struct filter_matched m;
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(prof_filter_matched(p, &o, &f, &m), 0);
	tu_check_invariants(f);
	assert_int_equal(encode_folded(f, 0, &out), 0);
	buf_add(&out, "", 1);
	/* x;y keeps no frame and goes, as in pprof */
	assert_string_equal(out.data, "main;b 5\nmain 3\n");
	assert_true(m.show);
	assert_false(m.focus || m.hide || m.show_from || m.tagfocus);
	buf_release(&out);
	prof_free(f);
	/* hide comes first, then show: what hide removed show cannot bring back */
	o = (struct filter_opts){ .show = "^(main|b)$", .hide = "^b$", .focus = "^c$" };
	assert_int_equal(prof_filter_matched(p, &o, &f, &m), 0);
	assert_int_equal(encode_folded(f, 0, &out), 0);
	buf_add(&out, "", 1);
	assert_string_equal(out.data, "main 3\n");
	assert_true(m.show && m.hide && m.focus);
	buf_release(&out);
	prof_free(f);
	/* nothing matches: each option says so */
	o = (struct filter_opts){ .show = "zzz", .tagfocus = "k=v" };
	assert_int_equal(prof_filter_matched(p, &o, &f, &m), 0);
	assert_int_equal(f->nsamples, 0);
	assert_false(m.show || m.tagfocus);
	prof_free(f);
	prof_free(p);
	/* an unsymbolized frame has no line to keep: pprof drops it whatever the regex */
	p = tu_decode("pyroscope/google-pprof/internal/driver/testdata/cppbench.cpu_no_samples_type");
	o = (struct filter_opts){ .show = "." };
	assert_int_equal(prof_filter_matched(p, &o, &f, &m), 0);
	assert_int_equal(f->nsamples, 0);
	assert_false(m.show);
	prof_free(f);
	prof_free(p);
}

/* tagfocus and tagignore are judged on the samples the name filters kept (pprof's order). */
static void test_tag_matched_after_names(void **state)
{
	struct prof *p = tu_decode("go/gencode3k-cpu-labels.pb.gz"), *f = NULL;
	struct filter_opts o = { .focus = "no-function-is-called-this",
				 .tagfocus = "region=eu-west-1" };
	struct filter_matched m;

	(void)state;
	assert_int_equal(prof_filter_matched(p, &o, &f, &m), 0);
	assert_int_equal(f->nsamples, 0);
	assert_false(m.focus);
	assert_false(m.tagfocus);
	prof_free(f);
	o = (struct filter_opts){ .tagfocus = "region=eu-west-1", .tagignore = "region=nowhere" };
	assert_int_equal(prof_filter_matched(p, &o, &f, &m), 0);
	assert_true(m.tagfocus);
	assert_false(m.tagignore);
	prof_free(f);
	prof_free(p);
}

/* p again, with drop_frames and keep_frames (NULL: none). */
static struct prof *with_frames(const struct prof *p, const char *drop, const char *keep)
{
	struct prof_builder *b = NULL;
	struct prof *out = NULL;
	uint32_t d = 0, k = 0, id, i;

	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_copy_header(b, p, true), 0);
	if (drop)
		assert_int_equal(pb_string(b, drop, strlen(drop), &d), 0);
	if (keep)
		assert_int_equal(pb_string(b, keep, strlen(keep), &k), 0);
	pb_set_frames(b, d, k);
	for (i = 0; i < p->nlocations; i++) {
		const struct prof_location *l = &p->locations[i];

		assert_int_equal(pb_location(b, l->mapping, l->address,
					     l->unsymbolized ? NULL : p->lines + l->line_off,
					     l->unsymbolized ? 0 : l->nlines, &id), 0);
		assert_int_equal(id, i);
	}
	for (i = 0; i < p->nsamples; i++)
		assert_int_equal(pb_copy_sample(b, p, i), 0);
	assert_int_equal(pb_finish(b, &out), 0);
	return out;
}

static void assert_folded(const struct prof *p, const char *want)
{
	struct buf out = BUF_INIT;

	assert_int_equal(encode_folded(p, 0, &out), 0);
	buf_add(&out, "", 1);
	assert_string_equal(out.data, want);
	buf_release(&out);
}

/*
 * A profile's own drop_frames (pprof's RemoveUninteresting; pprof_compare.sh checks real
 * profiles against go tool pprof): a matching frame goes with what it calls, but only
 * below a frame that stays; keep_frames makes exceptions; names match without their
 * argument list; the regexes travel with an export.
 */
static void test_drop_frames(void **state)
{
	struct prof *p = tu_decode_str("main;a;b 5\nmain;c 3\na;x 2\nmain;c(int);y 1\n");
	struct prof *f, *out = NULL, *back = NULL;
	struct buf pb = BUF_INIT;

	(void)state;
	assert_int_equal(prof_remove_uninteresting(p, &out), 0);
	assert_null(out); /* nothing to drop: no copy */
	f = with_frames(p, "a|c", NULL);
	assert_int_equal(prof_remove_uninteresting(f, &out), 0);
	tu_check_invariants(out);
	/* a;x: nothing stays above a, so nothing goes; c(int) is c */
	assert_folded(out, "main 5\nmain 3\na;x 2\nmain 1\n");
	tu_assert_i64(prof_total(out, 0), 11);
	assert_string_equal(prof_str(out, out->drop_frames), "a|c");
	prof_free(out);
	prof_free(f);
	f = with_frames(p, "a|c", "c");
	assert_int_equal(prof_remove_uninteresting(f, &out), 0);
	assert_folded(out, "main 5\nmain;c 3\na;x 2\nmain;c(int);y 1\n");
	prof_free(out);
	/* exported and read back, the profile still names them */
	assert_int_equal(encode_pprof(f, &pb), 0);
	assert_int_equal(decode_profile((const uint8_t *)pb.data, pb.len, "x", &back), 0);
	assert_string_equal(prof_str(back, back->drop_frames), "a|c");
	assert_string_equal(prof_str(back, back->keep_frames), "c");
	prof_free(back);
	buf_release(&pb);
	prof_free(f);
	/* a bad regex: ERR_PARSE naming the field, the profile untouched */
	f = with_frames(p, "(", NULL);
	assert_int_equal(prof_remove_uninteresting(f, &out), ERR_PARSE);
	assert_null(out);
	assert_non_null(strstr(err_last(), "drop_frames"));
	prof_free(f);
	prof_free(p);
}

#define TOO_COMPLEX "(?:a?){1000}x"  /* on 1000 a's and "bx": see test_re2.c */

/*
 * main calling a function named 1000 a's + "bx" (label k the same), then main alone
 * (k=short): a name TOO_COMPLEX cannot decide, after one it can.
 */
static struct prof *too_complex_profile(void)
{
	struct prof_builder *b = NULL;
	struct prof *p = NULL;
	struct prof_label lab = { 0 };
	char name[1003];
	int64_t one = 1;
	uint32_t t, u, locs[2];

	memset(name, 'a', 1000);
	memcpy(name + 1000, "bx", 3);
	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "samples", 7, &t), 0);
	assert_int_equal(pb_string(b, "count", 5, &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	assert_int_equal(pb_named_frame(b, "main", 4, &locs[1]), 0);
	assert_int_equal(pb_named_frame(b, name, strlen(name), &locs[0]), 0);
	assert_int_equal(pb_string(b, "k", 1, &lab.key), 0);
	assert_int_equal(pb_string(b, "short", 5, &lab.str), 0);
	assert_int_equal(pb_sample(b, locs + 1, 1, &one, &lab, 1), 0);
	assert_int_equal(pb_string(b, name, strlen(name), &lab.str), 0);
	assert_int_equal(pb_sample(b, locs, 2, &one, &lab, 1), 0);
	assert_int_equal(pb_finish(b, &p), 0);
	return p;
}

/*
 * A name or label value a filter's regex cannot decide (PCRE2 and its DFA give up, where
 * RE2 would not) fails the filter with one line naming the option and the regex: it used
 * to count as "no match", so -focus dropped the frame and -ignore kept it.
 */
static void test_filter_too_complex(void **state)
{
	struct prof *p = too_complex_profile(), *f = NULL;
	const struct {
		struct filter_opts o;
		const char *what;
	} cases[] = {
		{ { .focus = TOO_COMPLEX }, "focus: " },
		{ { .ignore = TOO_COMPLEX }, "ignore: " },
		{ { .hide = TOO_COMPLEX }, "hide: " },
		{ { .show = TOO_COMPLEX }, "show: " },
		{ { .show_from = TOO_COMPLEX }, "show_from: " },
		{ { .tagfocus = "k=" TOO_COMPLEX }, "tagfocus: " },
		{ { .tagignore = "k=" TOO_COMPLEX }, "tagignore: " },
		{ { .tagfocus = TOO_COMPLEX }, "tagfocus: " },  /* on "k:value" */
		{ { .tagignore = "k=short," TOO_COMPLEX }, "tagignore: " },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = prof_filter(p, &cases[i].o, &f);

		if (rc != ERR_TOOBIG)
			fail_msg("case %zu: %d, not ERR_TOOBIG (%s)", i, rc, err_last());
		assert_null(f);
		tu_assert_message(err_last());
		if (strncmp(err_last(), cases[i].what, strlen(cases[i].what)) ||
		    !strstr(err_last(), "regex '" TOO_COMPLEX "' is too complex"))
			fail_msg("case %zu: '%s'", i, err_last());
	}
	/* regexes that decide still filter */
	f = filtered(p, &(struct filter_opts){ .focus = "a+bx" });
	assert_int_equal(f->nsamples, 1);
	prof_free(f);
	f = filtered(p, &(struct filter_opts){ .tagignore = "k=a+bx" });
	assert_int_equal(f->nsamples, 1);
	prof_free(f);
	prof_free(p);
}

/*
 * drop_frames / keep_frames that cannot decide a function name: ERR_PARSE naming the
 * field and the regex, and the profile left as it is (as pprof leaves it on a bad regex),
 * where the frame used to be kept (or dropped) by a guess.
 */
static void test_drop_frames_too_complex(void **state)
{
	struct prof *p = too_complex_profile(), *f, *out = NULL;

	(void)state;
	f = with_frames(p, TOO_COMPLEX, NULL);
	assert_int_equal(prof_remove_uninteresting(f, &out), ERR_PARSE);
	assert_null(out);
	assert_non_null(strstr(err_last(), "the profile's drop_frames: regex '^(" TOO_COMPLEX));
	assert_non_null(strstr(err_last(), "is too complex"));
	prof_free(f);
	f = with_frames(p, "main|a+bx", TOO_COMPLEX);
	assert_int_equal(prof_remove_uninteresting(f, &out), ERR_PARSE);
	assert_null(out);
	assert_non_null(strstr(err_last(), "the profile's keep_frames: regex '^(" TOO_COMPLEX));
	prof_free(f);
	/* decided: the long frame goes below main */
	f = with_frames(p, "a+bx", NULL);
	assert_int_equal(prof_remove_uninteresting(f, &out), 0);
	assert_folded(out, "main 1\nmain 1\n");
	prof_free(out);
	prof_free(f);
	prof_free(p);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_focus_total),
		cmocka_unit_test(test_everything_filtered),
		cmocka_unit_test(test_hide_keeps_totals),
		cmocka_unit_test(test_show),
		cmocka_unit_test(test_drop_frames),
		cmocka_unit_test(test_drop_frames_too_complex),
		cmocka_unit_test(test_filter_too_complex),
		cmocka_unit_test(test_tag_matched_after_names),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_tag_long_value),
		cmocka_unit_test(test_collapse_recursion),
		cmocka_unit_test(test_invalid_utf8_names),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("filter", tests, NULL, NULL) ? 1 : 0;
}
