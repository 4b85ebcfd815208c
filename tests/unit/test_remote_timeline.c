/*
 * test_remote_timeline.c — the remote backend's timelines and split ranges
 * (src/store/remote.h), against the stand-in Grafana Pyroscope server and our own query
 * server over a real store (testutil_remote.h).
 *
 * What is checked: the recorded timeline, each point in its own step, in both codecs,
 * its aggregation sent; points stamped with the end of their step as Pyroscope v1 and
 * v2 compute them (the stand-in's M_PYRO_V1/V2): profiles on a step's and on the
 * range's edges, one step over the whole range, ranges off the grid (head, whole steps
 * and tail), steps Pyroscope would cut short (4.1 s, 1.001 s), each equal to the
 * store's timeline, through smolder serve too; ranges split at the server's maximum
 * query length (the limit learnt from the refusal, pieces that share no millisecond,
 * pieces with no profiles answered as Pyroscope answers them, a range of more than
 * 1,000 pieces refused in one line; a split range's merge and flame graph the same
 * profile, to the pprof byte, as one merge of every answer, and over 200 pieces in
 * bounded memory, each piece decoded as it comes);
 * SelectSeries answers with more series or steps than the bounds refused (ERR_TOOBIG).
 *
 * Requests, decoding, failures and smolder to smolder otherwise: test_remote.c.
 */
#include "testutil_remote.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "ingest/encode.h"
#include "profile/merge.h"

static void test_timeline(void **state)
{
	struct remote_fixture *fx = *state;
	json_error_t e;
	json_t *root = json_loads(fx->s.fix[1].data, 0, &e);
	json_t *pts = json_object_get(json_array_get(json_object_get(root, "series"), 0), "points");
	size_t k, i, nz;

	for (k = 0; k < 2; k++) {
		struct backend *b = tr_open(&fx->s, tr_codecs[k], NULL);
		struct selector *sel;
		/*
		 * the range on the 30 s grid: one request (the stand-in answers the one
		 * recording to every request, and a range off the grid is more than one)
		 */
		int64_t start = TL0 / (30 * SEC) * (30 * SEC);
		struct query q = tr_cpu_query(&sel, start, start + 53 * 30 * SEC);
		struct series_points_list l = { 0 };
		double sum = 0, want = 0;

		standin_reset(&fx->s, M_FIX);
		q.agg = AGG_AVG;
		assert_int_equal(b->ops->timeline(b, &q, 30, NULL, &l), 0);
		assert_int_equal(fx->s.requests, 1);
		assert_int_equal(l.n, 1);
		assert_int_equal(l.v[0].labels.n, 0);
		tu_assert_i64(l.v[0].ts_ms[0], start / 1000000);
		/* each recorded point in its own step, in order */
		for (i = 0, nz = 0; i < l.v[0].n; i++) {
			sum += l.v[0].values[i];
			if (l.v[0].values[i] != 0) {
				json_t *p = json_array_get(pts, nz);

				assert_true(l.v[0].values[i] ==
					    json_number_value(json_object_get(p, "value")));
				nz++;
			}
		}
		for (i = 0; i < json_array_size(pts); i++)
			want += json_number_value(json_object_get(json_array_get(pts, i), "value"));
		assert_int_equal(nz, json_array_size(pts));
		assert_true(sum == want);
		/* the aggregation went out */
		if (k)
			assert_non_null(
				strstr(fx->s.body.data,
				       "\"aggregation\":\"TIME_SERIES_AGGREGATION_TYPE_AVERAGE\""));
		series_points_list_release(&l);
		selector_free(sel);
		backend_close(b);
	}
	json_decref(root);
}

/*
 * Grafana Pyroscope stamps a point with the END of its step (t holds (t - step, t]) and
 * lays its steps from the request's start; v2 also answers a point at the start, for
 * the step before it.  Against the stand-in computing points as v1 and v2 do, the
 * timeline equals the store's for the same profiles: each in the step [s, s + step)
 * that holds it, profiles on a step's edge and on the range's edges included.  It was
 * a step late (the points were filed by their start), and v2's split range counted the
 * point at each piece's edge twice.
 */
static void test_timeline_step_ends(void **state)
{
	struct remote_fixture *fx = *state;
	const int64_t t8 = 1795161600000LL, d20 = 1795132800000LL;  /* 2026-11-20 08:00, 00:00 */
	/* 08:00:01, on the edge 08:00:15, on the range's start and end, and 1 ms before it */
	const int64_t ms[] = { t8 + 1000, t8 + 15000, t8, t8 + 30000, t8 - 1 };
	const double v[] = { 100, 50, 7, 1000, 2000 };
	size_t k, m, i;

	for (k = 0; k < 2; k++)
		for (m = 0; m < 2; m++) {
			struct backend *b = tr_open(&fx->s, tr_codecs[k], NULL);
			struct selector *sel;
			struct query q = tr_cpu_query(&sel, t8 * 1000000, (t8 + 30000) * 1000000);
			struct series_points_list l = { 0 };
			/* 23:58:30 in the first day, on 00:00 and on the split's edge */
			int64_t edge = (d20 / (24 * 3600 * 1000 - 60000) + 1) *
				       (24 * 3600 * 1000 - 60000),
				ms2[] = { d20 + (23 * 3600 + 58 * 60 + 30) * 1000, d20 + 86400000,
					  edge };
			const double v2[] = { 100, 10, 1 };
			double sum = 0;

			standin_reset(&fx->s, m ? M_PYRO_V2 : M_PYRO_V1);
			standin_profiles(&fx->s, ms, v, 5);
			assert_int_equal(b->ops->timeline(b, &q, 15, NULL, &l), 0);
			assert_int_equal(l.n, 1);
			assert_int_equal(l.v[0].n, 2);
			tu_assert_i64(l.v[0].ts_ms[0], t8);
			assert_true(l.v[0].values[0] == 107);  /* 08:00:00 and 08:00:01 */
			assert_true(l.v[0].values[1] == 50);   /* 08:00:15 */
			series_points_list_release(&l);
			memset(&l, 0, sizeof(l));
			/* two days of minutes: v2 splits them at its 24 h limit */
			standin_reset(&fx->s, m ? M_PYRO_V2 : M_PYRO_V1);
			standin_profiles(&fx->s, ms2, v2, 3);
			q.range = (struct time_range){ d20 * 1000000, (d20 + 2 * 86400000) * 1000000 };
			assert_int_equal(b->ops->timeline(b, &q, 60, NULL, &l), 0);
			assert_int_equal(fx->s.nspans, m ? 4 : 1);
			assert_int_equal(l.n, 1);
			assert_int_equal(l.v[0].n, 2 * 1440);
			for (i = 0; i < l.v[0].n; i++)
				sum += l.v[0].values[i];
			assert_true(sum == 111);
			assert_true(l.v[0].values[1438] == 100);  /* 23:58 */
			assert_true(l.v[0].values[1440] == 10);   /* 00:00 */
			assert_true(l.v[0].values[(edge - d20) / 60000] == 1);
			series_points_list_release(&l);
			memset(&l, 0, sizeof(l));
			/*
			 * one step that holds the whole range (the browser's breakdown): asked
			 * with the grid's step, Pyroscope's only point was the one at the start
			 */
			standin_reset(&fx->s, m ? M_PYRO_V2 : M_PYRO_V1);
			assert_int_equal(b->ops->timeline(b, &q, backend_timeline_one_step(q.range),
							  NULL, &l), 0);
			assert_int_equal(fx->s.nspans, m ? 4 : 1);
			assert_int_equal(l.v[0].n, 1);
			assert_true(l.v[0].values[0] == 111);
			series_points_list_release(&l);
			memset(&l, 0, sizeof(l));
			/*
			 * steps of 2 days, longer than v2's pieces: a piece across a step's
			 * edge came back empty (its only point the one at its start)
			 */
			standin_reset(&fx->s, m ? M_PYRO_V2 : M_PYRO_V1);
			q.range = (struct time_range){ (d20 - 86400000) * 1000000,
						       (d20 + 3 * 86400000) * 1000000 };
			assert_int_equal(b->ops->timeline(b, &q, 2 * 86400, NULL, &l), 0);
			assert_int_equal(l.v[0].n, 2);
			assert_true(l.v[0].values[0] == 101);  /* 23:58:30 and the split's edge */
			assert_true(l.v[0].values[1] == 10);   /* 00:00 of the 21st */
			series_points_list_release(&l);
			memset(&l, 0, sizeof(l));
			standin_reset(&fx->s, m ? M_PYRO_V2 : M_PYRO_V1);
			standin_profiles(&fx->s, ms, v, 5);
			q.range = (struct time_range){ (t8 - 7000) * 1000000, (t8 + 20000) * 1000000 };
			assert_int_equal(b->ops->timeline(b, &q, backend_timeline_one_step(q.range),
							  NULL, &l), 0);
			assert_int_equal(l.v[0].n, 1);
			assert_true(l.v[0].values[0] == 2157);  /* all but 08:00:30's */
			series_points_list_release(&l);
			memset(&l, 0, sizeof(l));
			/*
			 * 40 s by 15 s: Pyroscope's steps stop at the last edge before the end,
			 * 08:00:30, and the last 10 s went in no point (the merge had them);
			 * the tail is a request of its own now, and what is at `to` stays out
			 */
			{
				const int64_t ms3[] = { t8 + 1000, t8 + 31000, t8 + 39999, t8 + 40000 };
				const double v3[] = { 100, 1000, 5, 2000 };

				standin_reset(&fx->s, m ? M_PYRO_V2 : M_PYRO_V1);
				standin_profiles(&fx->s, ms3, v3, 4);
				q.range = (struct time_range){ t8 * 1000000, (t8 + 40000) * 1000000 };
				assert_int_equal(b->ops->timeline(b, &q, 15, NULL, &l), 0);
				assert_int_equal(l.v[0].n, 3);
				assert_true(l.v[0].values[0] == 100);
				assert_true(l.v[0].values[1] == 0);
				assert_true(l.v[0].values[2] == 1005);
				assert_int_equal(fx->s.nspans, 2);
				series_points_list_release(&l);
			}
			selector_free(sel);
			backend_close(b);
		}
}

/* The sum of the recorded timeline's points */
static double recorded_sum(const struct standin *s)
{
	json_error_t e;
	json_t *root = json_loads(s->fix[1].data, 0, &e);
	json_t *pts = json_object_get(json_array_get(json_object_get(root, "series"), 0), "points");
	double sum = 0;
	size_t i;

	for (i = 0; i < json_array_size(pts); i++)
		sum += json_number_value(json_object_get(json_array_get(pts, i), "value"));
	json_decref(root);
	return sum;
}

static void test_range_split(void **state)
{
	struct remote_fixture *fx = *state;
	struct backend *b = tr_open(&fx->s, REMOTE_CODEC_JSON, NULL);
	struct selector *sel;
	/* on the grid of 30 s: one request a piece (a partial step is a request of its own) */
	struct query q = tr_cpu_query(&sel, (TL0 - 47 * HOUR) / (30 * SEC) * (30 * SEC),
				   (TL0 + 52 * 30 * SEC) / (30 * SEC) * (30 * SEC) + 30 * SEC);
	struct series_points_list l = { 0 };
	struct strvec names = STRVEC_INIT;
	struct prof *p = NULL;
	double sum = 0;
	int i;

	standin_reset(&fx->s, M_LIMIT);
	tu_assert_i64(b->max_range_ns, 0);  /* no limit known yet */
	assert_int_equal(b->ops->timeline(b, &q, 30, NULL, &l), 0);
	/* the limit the refusal named is the backend's, for callers that look far back */
	tu_assert_i64(b->max_range_ns, 24 * HOUR);
	/* refused once, then pieces of at most a day */
	assert_true(fx->s.nspans >= 3);
	assert_true(fx->s.spans_ms[0] > 24 * 3600 * 1000);
	for (i = 1; i < fx->s.nspans; i++)
		assert_true(fx->s.spans_ms[i] <= 24 * 3600 * 1000);
	for (i = 0; i < (int)l.v[0].n; i++)
		sum += l.v[0].values[i];
	/*
	 * every piece answered the whole recording, whose points are all in the last
	 * piece: the others' ends are 48 min and a day before them, so they file none
	 */
	assert_true(sum == recorded_sum(&fx->s));
	series_points_list_release(&l);
	standin_reset(&fx->s, M_LIMIT);
	assert_int_equal(b->ops->merge_tree(b, &q, 0, &p, NULL), 0);
	tu_assert_i64(prof_total(p, 0), (int64_t)(fx->s.nspans - 1) * 11100000000LL);
	prof_free(p);
	standin_reset(&fx->s, M_LIMIT);
	assert_int_equal(b->ops->label_names(b, NULL, q.range, &names), 0);
	assert_true(fx->s.nspans >= 3);
	strvec_release(&names);
	/* a refusal that names no limit: the server's reason (the limit known stays) */
	standin_reset(&fx->s, M_LIMIT_NOLEN);
	assert_int_equal(b->ops->timeline(b, &q, 30, NULL, &l), ERR_PARSE);
	assert_non_null(strstr(err_last(), "the query time range exceeds the limit"));
	assert_int_equal(fx->s.nspans, 1);
	tu_assert_i64(b->max_range_ns, 24 * HOUR);
	selector_free(sel);
	backend_close(b);
}

/*
 * Pyroscope's range holds both of its ends: a split range's pieces go out as [a, b - 1 ms],
 * [b, c - 1 ms], ..., so that a profile stamped right on a piece's edge is merged once
 * (it was in both pieces, which shared the millisecond b), and one stamped at the
 * range's end, outside [from, to), not at all.
 */
static void test_range_split_edges(void **state)
{
	struct remote_fixture *fx = *state;
	const int64_t d20 = 1795132800000LL, piece = 24 * 3600 * 1000 - 60000;
	const int64_t ms[] = { d20, d20 + piece, d20 + 2 * piece, d20 + 2 * 86400000 - 1,
			       d20 + 2 * 86400000 };
	const double v[] = { 1, 10, 100, 1000, 10000 };
	size_t k;

	for (k = 0; k < 2; k++) {
		struct backend *b = tr_open(&fx->s, tr_codecs[k], NULL);
		struct selector *sel;
		struct query q = tr_cpu_query(&sel, d20 * 1000000, (d20 + 2 * 86400000) * 1000000);
		struct prof *p = NULL;

		standin_reset(&fx->s, M_PYRO_V2);
		standin_profiles(&fx->s, ms, v, 5);
		if (b->ops->merge_tree(b, &q, 0, &p, NULL))
			fail_msg("%s", err_last());
		assert_int_equal(fx->s.nspans, 4);  /* refused, then three pieces */
		tu_assert_i64(prof_total(p, 0), 1111);
		prof_free(p);
		/* unsplit (v1 has no limit): the same */
		standin_reset(&fx->s, M_PYRO_V1);
		standin_profiles(&fx->s, ms, v, 5);
		if (b->ops->merge_tree(b, &q, 0, &p, NULL))
			fail_msg("%s", err_last());
		tu_assert_i64(prof_total(p, 0), 1111);
		prof_free(p);
		selector_free(sel);
		backend_close(b);
	}
}

/*
 * A split range whose --from is not on a whole millisecond: its pieces are cut on whole
 * milliseconds, so that no two share one.  Cut at from + piece in nanoseconds, the first
 * piece ended at the millisecond the second began at (Pyroscope holds both ends), and a
 * profile stamped there was merged twice: 1212 instead of 1111.
 */
static void test_range_split_sub_ms(void **state)
{
	struct remote_fixture *fx = *state;
	const int64_t d20 = 1795132800000LL, piece = 24 * 3600 * 1000 - 60000;
	const int64_t from = d20 * 1000000 + 500000;
	const int64_t ms[] = { d20 + piece, d20 + piece + 1, d20 + 2 * piece, d20 + 2 * piece + 1 };
	const double v[] = { 1, 10, 100, 1000 };
	int64_t n;
	size_t k;
	int i;

	for (k = 0; k < 2; k++) {
		struct backend *b = tr_open(&fx->s, tr_codecs[k], NULL);
		struct selector *sel;
		struct query q = tr_cpu_query(&sel, from, from + 48 * HOUR);
		struct prof *p = NULL;

		standin_reset(&fx->s, M_PYRO_V2);
		standin_profiles(&fx->s, ms, v, 4);
		if (b->ops->merge_tree(b, &q, 0, &p, NULL))
			fail_msg("%s", err_last());
		assert_int_equal(fx->s.nspans, 4);  /* refused, then three pieces */
		tu_assert_i64(prof_total(p, 0), 1111);
		prof_free(p);
		/*
		 * the pieces' milliseconds, both ends in, add up to the range's, [d20,
		 * d20 + 48 h]: none shared (the first holds from's, rounded down)
		 */
		for (i = 1, n = 0; i < 4; i++)
			n += fx->s.spans_ms[i] + 1;
		tu_assert_i64(fx->s.spans_ms[1], piece);
		tu_assert_i64(n, 48 * 3600 * 1000 + 1);
		selector_free(sel);
		backend_close(b);
	}
}

/*
 * Grafana Pyroscope answers a piece of a split range that has no profiles with the
 * merge of nothing ({"sampleType":[{}],...}; v2, and v1 past its lookback: an empty
 * Profile, no bytes in proto and {} in JSON): that piece adds nothing, and the result
 * is the pprof the other piece sent (it was "sample type 0 differs" before, and
 * "malformed answer" for the empty Profile).
 */
static void test_range_split_empty_piece(void **state)
{
	struct remote_fixture *fx = *state;
	struct prof *want = tu_decode_bytes(fx->s.pprof.data, fx->s.pprof.len, "cpu.pb");
	size_t k;

	for (k = 0; k < 4; k++) {
		struct backend *b = tr_open(&fx->s, tr_codecs[k % 2], NULL);
		struct selector *sel;
		struct query q = tr_cpu_query(&sel, TL0 - 47 * HOUR, TL0 + 52 * 30 * SEC);
		struct prof *p = NULL;

		standin_reset(&fx->s, M_PYROEMPTY);
		fx->s.v2_empty = k >= 2;
		if (b->ops->merge(b, &q, &p, NULL))
			fail_msg("%s", err_last());
		/* refused, then an empty piece and a full one */
		assert_int_equal(fx->s.nspans, 3);
		tr_same_top(want, p, 0);
		prof_free(p);
		/* every piece empty: no data, said as the store says it */
		standin_reset(&fx->s, M_PYROEMPTY_ALL);
		fx->s.v2_empty = k >= 2;
		assert_int_equal(b->ops->merge(b, &q, &p, NULL), ERR_NOTFOUND);
		tu_assert_message(err_last());
		assert_non_null(strstr(err_last(), "no " CPU " profiles match"));
		assert_null(p);
		/*
		 * every piece empty, but the series are there: profiles whose values are all
		 * zero merge to nothing.  The empty profile of the type, as the store gives it
		 * (an empty table; it was "no profiles match")
		 */
		standin_reset(&fx->s, M_PYROZERO);
		if (b->ops->merge(b, &q, &p, NULL))
			fail_msg("%s", err_last());
		assert_int_equal(p->nsamples, 0);
		assert_int_equal(p->ntypes, 1);
		assert_string_equal(prof_str(p, p->sample_types[0].type), "cpu");
		prof_free(p);
		selector_free(sel);
		backend_close(b);
	}
	prof_free(want);
}

/*
 * A range that would take more than 1,000 requests at the server's maximum query length
 * is refused after the first refusal, in one line naming the limit and what to do: 1,100
 * days of a server that takes a day (24 h - 60 s a piece) was 1,103 requests, each
 * piece's answer held until the last (it was under the old bound of 4,999).
 */
static void test_range_split_bound(void **state)
{
	struct remote_fixture *fx = *state;
	struct backend *b = tr_open(&fx->s, REMOTE_CODEC_PROTO, NULL);
	struct selector *sel;
	struct query q = tr_cpu_query(&sel, TL0 - 1100 * 24 * HOUR, TL0 + HOUR);
	struct strvec names = STRVEC_INIT;
	struct prof *p = NULL;

	standin_reset(&fx->s, M_LIMIT);
	assert_int_equal(b->ops->merge(b, &q, &p, NULL), ERR_TOOBIG);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "a range of 26401h is more than 1000 requests at the "
					   "server's maximum query length (24h): ask for a shorter "
					   "range (--from, --to)"));
	assert_null(p);
	assert_int_equal(fx->s.nspans, 1);
	standin_reset(&fx->s, M_LIMIT);
	assert_int_equal(b->ops->label_names(b, NULL, q.range, &names), ERR_TOOBIG);
	assert_non_null(strstr(err_last(), "more than 1000 requests"));
	assert_int_equal(fx->s.nspans, 1);
	strvec_release(&names);
	/*
	 * Exactly 1,000 pieces (of 24 h less a minute) are asked for, 1,001 are not: the
	 * count was an upper bound (+2), which refused ranges of 999 pieces.
	 */
	q.range.to_ns = q.range.from_ns + 1000 * (24 * HOUR - 60 * 1000000000LL);
	standin_reset(&fx->s, M_LIMIT);
	assert_int_equal(b->ops->label_names(b, NULL, q.range, &names), 0);
	assert_int_equal(fx->s.requests, 1001);  /* the refused whole, then the pieces */
	strvec_release(&names);
	q.range.to_ns++;
	standin_reset(&fx->s, M_LIMIT);
	assert_int_equal(b->ops->label_names(b, NULL, q.range, &names), ERR_TOOBIG);
	assert_int_equal(fx->s.requests, 1);
	strvec_release(&names);
	selector_free(sel);
	backend_close(b);
}

/* got and want encode to the same pprof bytes: they are the same profile. */
static void assert_same_pprof(const struct prof *want, const struct prof *got)
{
	struct buf a = BUF_INIT, b = BUF_INIT;

	if (encode_pprof(want, &a) || encode_pprof(got, &b))
		fail_msg("%s", err_last());
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	buf_release(&a);
	buf_release(&b);
}

/*
 * The pieces of a split range are merged as they come (remote_merge_acc): 200 pieces, each
 * different (the fixture times 1..200), held as at most 8 parts at once (one per bit of 200),
 * and the result the same bytes as one prof_merge() of them all in order.  Before, every
 * piece's answer was kept, and decoded, until the last had come: 200 parts at once.
 */
static void test_merge_acc(void **state)
{
	struct remote_fixture *fx = *state;
	struct prof *base = tu_decode_bytes(fx->s.pprof.data, fx->s.pprof.len, "cpu.pb");
	struct prof *all[200], *got = NULL, *want = NULL, *one;
	struct remote_merge_acc acc;
	size_t i;

	remote_merge_acc_init(&acc);
	assert_int_equal(remote_merge_acc_finish(&acc, &got), 0);
	assert_null(got);
	for (i = 0; i < 200; i++) {
		assert_int_equal(prof_scale(base, (double)(i + 1), &all[i]), 0);
		assert_int_equal(prof_scale(base, (double)(i + 1), &one), 0);
		assert_int_equal(remote_merge_acc_add(&acc, one), 0);
		assert_true(acc.n <= 8);
	}
	assert_int_equal(acc.peak, 8);
	assert_int_equal(remote_merge_acc_finish(&acc, &got), 0);
	assert_int_equal(acc.n, 0);
	assert_int_equal(prof_merge((const struct prof *const *)all, 200, &want), 0);
	tu_assert_i64(prof_total(got, 0), prof_total(base, 0) * 200 * 201 / 2);
	assert_same_pprof(want, got);
	prof_free(got);
	prof_free(want);
	/* one part is handed back as it is; release frees what is held */
	assert_int_equal(prof_scale(base, 1, &one), 0);
	assert_int_equal(remote_merge_acc_add(&acc, one), 0);
	assert_int_equal(remote_merge_acc_finish(&acc, &got), 0);
	assert_ptr_equal(got, one);
	prof_free(got);
	for (i = 0; i < 3; i++) {
		assert_int_equal(prof_scale(base, 1, &one), 0);
		assert_int_equal(remote_merge_acc_add(&acc, one), 0);
	}
	remote_merge_acc_release(&acc);
	assert_int_equal(acc.n, 0);
	for (i = 0; i < 200; i++)
		prof_free(all[i]);
	prof_free(base);
}

/*
 * A merge over 200 pieces of a split range (a server that takes a day, 199 days asked):
 * 201 requests (the refused one, then the pieces), and the same profile as one
 * prof_merge() of the 200 answers.  In protobuf only (JSON takes seconds more here, and
 * the pieces are merged alike whatever their codec: test_range_split_empty_piece).
 */
static void test_range_split_200(void **state)
{
	struct remote_fixture *fx = *state;
	struct prof *base = tu_decode_bytes(fx->s.pprof.data, fx->s.pprof.len, "cpu.pb");
	const struct prof *all[200];
	struct prof *want = NULL;
	size_t i;

	for (i = 0; i < 200; i++)
		all[i] = base;
	assert_int_equal(prof_merge(all, 200, &want), 0);
	{
		struct backend *be = tr_open(&fx->s, REMOTE_CODEC_PROTO, NULL);
		struct selector *sel;
		struct query q = tr_cpu_query(&sel, TL0, TL0 + 199 * 24 * HOUR);
		struct prof *p = NULL;

		/* its 24 h limit; every piece here holds the fixture's profiles */
		standin_reset(&fx->s, M_PYROEMPTY);
		if (be->ops->merge(be, &q, &p, NULL))
			fail_msg("%s", err_last());
		assert_int_equal(fx->s.requests, 201);
		assert_same_pprof(want, p);
		prof_free(p);
		selector_free(sel);
		backend_close(be);
	}
	prof_free(want);
	prof_free(base);
}

/*
 * A split range's flame graphs decoded one by one as they come and added to one profile
 * (remote_tree_acc) are the profile one decode of all the answers gives
 * (remote_decode_flamegraphs, what the merge did before: every answer held until the
 * last): the same pprof bytes (frames shared by name across pieces), the range's time
 * and duration, truncated when a piece had an "other" node.  The pieces: the recorded
 * flame graph, an answer without a flame graph (a piece without profiles), one sharing
 * a name with the recording and adding two (one "other"), one of zeros, the recording
 * again; then pieces that are all empty.
 */
static void test_tree_acc(void **state)
{
	struct remote_fixture *fx = *state;
	static const char small[] =
		"{\"flamegraph\":{\"names\":[\"total\",\"runtime.systemstack\",\"other\","
		"\"zzz.new\"],\"levels\":[{\"values\":[\"0\",\"60\",\"0\",\"0\"]},"
		"{\"values\":[\"0\",\"40\",\"10\",\"1\",\"0\",\"20\",\"20\",\"2\"]},"
		"{\"values\":[\"10\",\"30\",\"30\",\"3\"]}],\"total\":\"60\","
		"\"maxSelf\":\"30\"}}";
	static const char zeros[] =
		"{\"flamegraph\":{\"names\":[\"total\",\"work\"],\"levels\":[{\"values\":"
		"[\"0\",\"0\",\"0\",\"0\"]},{\"values\":[\"0\",\"0\",\"0\",\"1\"]}],"
		"\"total\":\"0\",\"maxSelf\":\"0\"}}";
	const struct buf *rec = &fx->s.fix[0];
	struct buf bodies[5] = {
		{ rec->data, rec->len, rec->len },
		{ (char *)"{}", 2, 2 },
		{ (char *)small, sizeof(small) - 1, sizeof(small) - 1 },
		{ (char *)zeros, sizeof(zeros) - 1, sizeof(zeros) - 1 },
		{ rec->data, rec->len, rec->len },
	};
	const struct fb_prof_info whole = { "cpu", "nanoseconds", "cpu", "nanoseconds", TL0,
					    5 * 24 * HOUR, 0 };
	size_t r, n, i;

	for (r = 0; r < 2; r++) {
		const struct buf *in = r ? bodies + 1 : bodies;  /* then {} and small */
		struct remote_tree_acc t;
		struct prof *want = NULL, *got = NULL;
		bool want_trunc = false, got_trunc = false;

		n = r ? 2 : 5;
		if (r)
			bodies[2] = bodies[1];  /* every piece empty */
		if (remote_decode_flamegraphs(REMOTE_CODEC_JSON, in, n, &whole, &want, &want_trunc))
			fail_msg("%s", err_last());
		remote_tree_acc_init(&t);
		for (i = 0; i < n; i++)
			if (remote_tree_acc_add(&t, REMOTE_CODEC_JSON, (const uint8_t *)in[i].data,
						in[i].len, &whole))
				fail_msg("%s", err_last());
		assert_int_equal(remote_tree_acc_finish(&t, &got, &got_trunc), 0);
		assert_null(t.b);
		assert_int_equal(got_trunc, want_trunc);
		assert_int_equal(want_trunc, n == 5);
		tu_assert_i64(got->time_nanos, TL0);
		tu_assert_i64(got->duration_nanos, whole.duration_ns);
		tu_assert_i64(prof_total(got, 0), n == 5 ? 2 * 11100000000LL + 60 : 0);
		assert_same_pprof(want, got);
		prof_free(want);
		prof_free(got);
		remote_tree_acc_release(&t);
	}
}

/*
 * A flame graph over a split range through the backend, both codecs: the refused range,
 * then three pieces each answered the recording, merged as they came into the profile
 * one decode of the three answers gives (the same pprof bytes).
 */
static void test_range_split_tree(void **state)
{
	struct remote_fixture *fx = *state;
	const struct buf *rec = &fx->s.fix[0];
	const struct buf three[3] = { { rec->data, rec->len, rec->len },
				      { rec->data, rec->len, rec->len },
				      { rec->data, rec->len, rec->len } };
	size_t k;

	for (k = 0; k < 2; k++) {
		struct backend *be = tr_open(&fx->s, tr_codecs[k], NULL);
		struct selector *sel;
		struct query q = tr_cpu_query(&sel, TL0 - 47 * HOUR, TL0 + HOUR);
		struct fb_prof_info fi = { "cpu", "nanoseconds", "cpu", "nanoseconds",
					   TL0 - 47 * HOUR, 48 * HOUR, 2048 };
		struct merge_info info;
		struct prof *p = NULL, *want = NULL;
		bool truncated = true;

		standin_reset(&fx->s, M_LIMIT);
		if (be->ops->merge_tree(be, &q, 2048, &p, &info))
			fail_msg("%s", err_last());
		assert_int_equal(fx->s.nspans, 4);
		assert_false(info.truncated);
		if (remote_decode_flamegraphs(REMOTE_CODEC_JSON, three, 3, &fi, &want, &truncated))
			fail_msg("%s", err_last());
		assert_false(truncated);
		tu_assert_i64(p->duration_nanos, 48 * HOUR);
		assert_same_pprof(want, p);
		prof_free(want);
		prof_free(p);
		selector_free(sel);
		backend_close(be);
	}
}

/*
 * The memory a merge over 200 pieces takes, measured: each piece answers 500 functions
 * with 2 KB names (1 MB), as a server merging many services might.  Merged as they come,
 * the names are held once: the merge's peak resident memory grows by less than 64 MB.
 * Measured in a child process, whose peak starts at the parent's size, not at the
 * earlier tests' peaks.  Not under AddressSanitizer, whose quarantine keeps what is
 * freed (256 MB).
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TR_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define TR_ASAN 1
#endif

#ifndef TR_ASAN
/* 500 names fNNN_<2,000 letters drawn at random>, so that no answer compresses away. */
static void big_names(char names[500][2006])
{
	uint64_t seed = 1;
	size_t i, k;

	for (i = 0; i < 500; i++) {
		snprintf(names[i], 6, "f%03zu_", i);
		for (k = 0; k < 2000; k++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			names[i][5 + k] = (char)('a' + (seed >> 40) % 26);
		}
		names[i][2005] = '\0';
	}
}

/*
 * In a child process, the merge (tree: merge_tree) of 199 days from the stand-in in
 * mode m, a server that takes a day: 200 pieces.  How much the child's peak resident
 * memory grew, in KB; -1 when the merge failed (said on stderr) or did not make 500
 * samples a piece.
 */
static long merge_grown_kb(struct standin *s, enum standin_mode m, bool tree)
{
	int fd[2], status;
	long grown_kb = -1;
	pid_t pid;

	standin_reset(s, m);
	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct backend *be = tr_open(s, REMOTE_CODEC_PROTO, NULL);
		struct selector *sel;
		struct query q = tr_cpu_query(&sel, TL0, TL0 + 199 * 24 * HOUR);
		struct rusage before, after;
		struct prof *p = NULL;
		long grown = -1;
		int rc;

		getrusage(RUSAGE_SELF, &before);
		rc = tree ? be->ops->merge_tree(be, &q, 0, &p, NULL)
			  : be->ops->merge(be, &q, &p, NULL);
		if (rc == 0 && p->nsamples == 200 * 500) {
			getrusage(RUSAGE_SELF, &after);
			grown = after.ru_maxrss - before.ru_maxrss;
		} else {
			fprintf(stderr, "child: %s\n", rc ? err_last() : "not 200 x 500 samples");
		}
		if (write(fd[1], &grown, sizeof(grown)) != (ssize_t)sizeof(grown))
			_exit(2);
		_exit(0);
	}
	close(fd[1]);
	assert_int_equal(read(fd[0], &grown_kb, sizeof(grown_kb)), (ssize_t)sizeof(grown_kb));
	close(fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return grown_kb;
}
#endif

/*
 * SelectMergeProfile: 5 to 11 MB here; holding the 200 answers and their 200 profiles
 * until the last, as before fff9968, took 316 MB.
 */
static void test_range_split_memory(void **state)
{
#ifdef TR_ASAN
	(void)state;
	skip();
#else
	struct remote_fixture *fx = *state;
	struct buf folded = BUF_INIT, big = BUF_INIT, keep = fx->s.pprof;
	char(*names)[2006] = malloc(500 * sizeof(*names));
	struct prof *p;
	long grown_kb;
	size_t i;

	assert_non_null(names);
	big_names(names);
	for (i = 0; i < 500; i++)
		assert_int_equal(buf_printf(&folded, "main;%s %zu\n", names[i], i + 1), 0);
	p = tu_decode_str(folded.data);
	assert_int_equal(encode_pprof(p, &big), 0);
	prof_free(p);
	assert_true(big.len > 500000);
	fx->s.pprof = big;
	grown_kb = merge_grown_kb(&fx->s, M_PYROEMPTY, false);
	fx->s.pprof = keep;
	buf_release(&big);
	buf_release(&folded);
	free(names);
	if (grown_kb < 0 || grown_kb >= 64 * 1024)
		fail_msg("the merge of 200 pieces of 1 MB grew by %ld KB", grown_kb);
#endif
}

/*
 * SelectMergeStacktraces (the explorer's flame graph over a server, and a diff's fallback
 * when the Diff request is refused as too long): the same answer's names as a flame
 * graph, total;main;fNNN_... with self 1..500.  Each piece is decoded as it arrives and
 * its samples added to the one profile being built (remote_tree_acc): under 1 MB here;
 * every piece's answer was held until the last, then all 200 decoded at once: 379 MB.
 */
static void test_range_split_tree_memory(void **state)
{
#ifdef TR_ASAN
	(void)state;
	skip();
#else
	struct remote_fixture *fx = *state;
	struct buf fg = BUF_INIT, keep = fx->s.fix[0];
	char(*names)[2006] = malloc(500 * sizeof(*names));
	long grown_kb;
	size_t i;

	assert_non_null(names);
	big_names(names);
	/* children in name order, no gaps: each leaf's x delta is 0 */
	assert_int_equal(buf_puts(&fg, "{\"flamegraph\":{\"names\":[\"total\",\"main\""), 0);
	for (i = 0; i < 500; i++)
		assert_int_equal(buf_printf(&fg, ",\"%s\"", names[i]), 0);
	assert_int_equal(buf_puts(&fg, "],\"levels\":[{\"values\":[\"0\",\"125250\",\"0\","
				       "\"0\"]},{\"values\":[\"0\",\"125250\",\"0\",\"1\"]},"
				       "{\"values\":["),
			 0);
	for (i = 0; i < 500; i++)
		assert_int_equal(buf_printf(&fg, "%s\"0\",\"%zu\",\"%zu\",\"%zu\"", i ? "," : "",
					    i + 1, i + 1, i + 2),
				 0);
	assert_int_equal(buf_puts(&fg, "]}],\"total\":\"125250\",\"maxSelf\":\"500\"}}"), 0);
	fx->s.fix[0] = fg;
	grown_kb = merge_grown_kb(&fx->s, M_LIMIT, true);
	fx->s.fix[0] = keep;
	buf_release(&fg);
	free(names);
	if (grown_kb < 0 || grown_kb >= 64 * 1024)
		fail_msg("the flame graph merge of 200 pieces of 1 MB grew by %ld KB", grown_kb);
#endif
}

/*
 * SelectSeries with many series (a --group-by of a label with many values): every new
 * series takes a grid of steps, so their number and the grids are bounded; past that a
 * one-line ERR_TOOBIG that says how to narrow the query, never gigabytes.
 */
static void test_timeline_bounds(void **state)
{
	struct buf body = BUF_INIT;
	struct series_points_list l = { 0 };
	size_t i;

	(void)state;
	buf_puts(&body, "{\"series\":[");
	for (i = 0; i < REMOTE_MAX_SERIES + 1; i++)
		buf_printf(&body, "%s{\"labels\":[{\"name\":\"p\",\"value\":\"%zx\"}]}", i ? "," : "",
			   i);
	buf_puts(&body, "]}");
	/* one step each: only the number of series is too much */
	assert_int_equal(remote_decode_timeline(REMOTE_CODEC_JSON, (const uint8_t *)body.data,
						body.len, 0, INT64_MAX / 1000000, 0, SEC, 1, &l),
			 ERR_TOOBIG);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "series"));
	assert_true(l.n <= REMOTE_MAX_SERIES);
	series_points_list_release(&l);
	memset(&l, 0, sizeof(l));
	/* 20 series of a million steps: 320 MB of grids */
	assert_int_equal(remote_decode_timeline(REMOTE_CODEC_JSON, (const uint8_t *)body.data,
						body.len, 0, INT64_MAX / 1000000, 0, SEC, 1000000, &l),
			 ERR_TOOBIG);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "step"));
	assert_true(l.n < 20);
	series_points_list_release(&l);
	memset(&l, 0, sizeof(l));
	/* within both: every series */
	buf_reset(&body);
	buf_puts(&body, "{\"series\":[");
	for (i = 0; i < 1000; i++)
		buf_printf(&body, "%s{\"labels\":[{\"name\":\"p\",\"value\":\"%zx\"}]}", i ? "," : "",
			   i);
	buf_puts(&body, "]}");
	assert_int_equal(remote_decode_timeline(REMOTE_CODEC_JSON, (const uint8_t *)body.data,
						body.len, 0, INT64_MAX / 1000000, 0, SEC, 3600, &l),
			 0);
	assert_int_equal(l.n, 1000);
	series_points_list_release(&l);
	buf_release(&body);
}

/*
 * A SelectSeries point stamped after the range's end: smolder serve's point for the step
 * the range's end cuts is stamped with that step's end, at most one step later, and is
 * filed in the grid's last step; a point later than that holds nothing of the range and
 * is dropped, as a point before the grid is (a point a year after the end was filed in
 * the last step: 15, not 3).
 */
static void test_timeline_after_end(void **state)
{
	const int64_t t0 = 1700000000000LL, until = t0 + 60000 - 1;
	struct series_points_list l = { 0 };
	struct buf body = BUF_INIT;
	size_t i;

	(void)state;
	/* the grid [t0, t0 + 60 s) by 10 s: its last step (t0 + 50 s, t0 + 60 s] */
	buf_printf(&body,
		   "{\"series\":[{\"points\":[{\"value\":1,\"timestamp\":\"%lld\"},"
		   "{\"value\":2,\"timestamp\":\"%lld\"},{\"value\":4,\"timestamp\":\"%lld\"},"
		   "{\"value\":8,\"timestamp\":\"%lld\"},{\"value\":16,\"timestamp\":\"%lld\"}"
		   "]}]}",
		   (long long)(t0 + 60000), (long long)(until + 10000), (long long)(until + 10001),
		   (long long)(t0 + 365LL * 86400 * 1000), (long long)INT64_MAX);
	assert_int_equal(remote_decode_timeline(REMOTE_CODEC_JSON, (const uint8_t *)body.data,
						body.len, t0 - 1, until, t0 * 1000000, 10 * SEC, 6,
						&l),
			 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].n, 6);
	for (i = 0; i < 5; i++)
		assert_true(l.v[0].values[i] == 0);
	assert_true(l.v[0].values[5] == 3);
	series_points_list_release(&l);
	buf_release(&body);
}

/*
 * A range whose `from` is off the grid (the default --from now-1h never is on it):
 * Pyroscope lays its steps from the request's start, and the tail after the last step
 * was measured from there too, so its one point (stamped `to`) took profiles of the
 * step before; and the first steps straddled the grid's edges.  Against both
 * stand-ins (upstream's loop, v1 and v2) and smolder serve over a store, every profile
 * is in the step the store puts it in: on the range's edges, on the grid's, 1 ms
 * either side; none counted twice or lost.  Head, whole steps and tail: three
 * requests; a range whose `from` is on the grid: two, as before.
 */
#define EDGE_T0 (1700001000LL * 1000)  /* ms, on the 15 s grid */

static const int64_t edge_ms[] = { 6999, 7000, 14999, 15000, 29999, 30000, 44999,
				   45000, 46999, 47000 };

static void test_timeline_off_grid(void **state)
{
	struct remote_fixture *fx = *state;
	const double want[4] = { 2 + 4, 8 + 16, 32 + 64, 128 + 256 };
	int64_t ms[10];
	double v[10];
	struct backend *local;
	size_t k, m, i;

	for (i = 0; i < 10; i++) {
		ms[i] = EDGE_T0 + edge_ms[i];
		v[i] = (double)(1 << i);
	}
	for (k = 0; k < 2; k++)
		for (m = 0; m < 2; m++) {
			struct backend *b = tr_open(&fx->s, tr_codecs[k], NULL);
			struct selector *sel;
			struct query q = tr_cpu_query(&sel, (EDGE_T0 + 7000) * 1000000,
						   (EDGE_T0 + 47000) * 1000000);
			struct series_points_list l = { 0 };

			standin_reset(&fx->s, m ? M_PYRO_V2 : M_PYRO_V1);
			standin_profiles(&fx->s, ms, v, 10);
			assert_int_equal(b->ops->timeline(b, &q, 15, NULL, &l), 0);
			assert_int_equal(fx->s.nspans, 3);
			assert_int_equal(l.n, 1);
			assert_int_equal(l.v[0].n, 4);
			tu_assert_i64(l.v[0].ts_ms[0], EDGE_T0);
			for (i = 0; i < 4; i++)
				assert_true(l.v[0].values[i] == want[i]);
			series_points_list_release(&l);
			memset(&l, 0, sizeof(l));
			/* from on the grid, to off it: the whole steps and the tail */
			standin_reset(&fx->s, m ? M_PYRO_V2 : M_PYRO_V1);
			standin_profiles(&fx->s, ms, v, 10);
			q.range.from_ns = (EDGE_T0 + 15000) * 1000000;
			assert_int_equal(b->ops->timeline(b, &q, 15, NULL, &l), 0);
			assert_int_equal(fx->s.nspans, 2);
			assert_int_equal(l.v[0].n, 3);
			for (i = 0; i < 3; i++)
				assert_true(l.v[0].values[i] == want[i + 1]);
			series_points_list_release(&l);
			memset(&l, 0, sizeof(l));
			/* from and to in steps side by side: the head and the tail */
			standin_reset(&fx->s, m ? M_PYRO_V2 : M_PYRO_V1);
			standin_profiles(&fx->s, ms, v, 10);
			q.range = (struct time_range){ (EDGE_T0 + 7000) * 1000000,
						       (EDGE_T0 + 30000) * 1000000 };
			assert_int_equal(b->ops->timeline(b, &q, 15, NULL, &l), 0);
			assert_int_equal(fx->s.nspans, 2);
			assert_int_equal(l.v[0].n, 2);
			assert_true(l.v[0].values[0] == want[0]);
			assert_true(l.v[0].values[1] == want[1]);
			series_points_list_release(&l);
			selector_free(sel);
			backend_close(b);
		}
	/* smolder serve over a store: the same profiles, the store's own timeline */
	for (i = 0; i < 10; i++)
		own_server_put(&fx->own,
			       i % 2 ? "cpuwork-cpu.pb.gz" : "cpuwork-cpu-after-scoreRecords-3x.pb.gz",
			       "edges", ms[i] * 1000000);
	assert_int_equal(store_backend_new(fx->own.store, NULL, &local), 0);
	for (k = 0; k < 2; k++) {
		struct backend *b = tr_open(&fx->s, tr_codecs[k],
					    &(struct remote_opts){ .url = fx->own.url });
		struct selector *sel;
		struct query q = { .profile_type = CPU,
				   .range = { (EDGE_T0 + 7000) * 1000000,
					      (EDGE_T0 + 47000) * 1000000 } };
		struct series_points_list tl = { 0 }, tr = { 0 };
		double sum = 0;

		assert_int_equal(selector_parse("{service_name=\"edges\"}", &sel), 0);
		q.selector = sel;
		assert_int_equal(local->ops->timeline(local, &q, 15, NULL, &tl), 0);
		assert_int_equal(b->ops->timeline(b, &q, 15, NULL, &tr), 0);
		assert_int_equal(tl.n, 1);
		assert_int_equal(tr.n, 1);
		assert_int_equal(tl.v[0].n, 4);
		assert_int_equal(tr.v[0].n, 4);
		for (i = 0; i < 4; i++) {
			tu_assert_i64(tl.v[0].ts_ms[i], tr.v[0].ts_ms[i]);
			assert_true(tl.v[0].values[i] > 0);
			assert_true(tl.v[0].values[i] == tr.v[0].values[i]);
			sum += tr.v[0].values[i];
		}
		assert_true(sum > 0);
		series_points_list_release(&tl);
		series_points_list_release(&tr);
		selector_free(sel);
		backend_close(b);
	}
	backend_close(local);
}

/*
 * Grafana Pyroscope reads the step in whole ms, cut (time.Duration(step * 1e9)
 * .Milliseconds()): 4.1 s as 4099 ms and 1.001 s as 1000 ms, the double nearest each
 * being a little less.  Its steps drifted 1 ms a step from the grid and a one-step
 * piece (head, tail) left out its last millisecond.  Against both stand-ins, which
 * read the step so, and smolder serve, which rounds it: every profile in the step the
 * store (--db) puts it in, on a step's edges and 1 ms before them, on `from` and 1 ms
 * before `to`, none at `to`; the store over the same times agrees.
 */
static void test_timeline_cut_step(void **state)
{
	struct remote_fixture *fx = *state;
	/*
	 * the steps, and `from` and `to` past the grid's edges by lengths that Pyroscope
	 * cuts when 4.1 s's head and tail (2,002 and 1,001 ms) go out as ms / 1000
	 */
	const int64_t steps_ms[] = { 4100, 1001 }, from_ms[] = { 2098, 700 },
		      tail_ms[] = { 1001, 900 };
	struct backend *local;
	size_t g, k, m, i;

	assert_int_equal(store_backend_new(fx->own.store, NULL, &local), 0);
	for (g = 0; g < 2; g++) {
		const int64_t st = steps_ms[g], base = EDGE_T0 / st * st;
		const int64_t tail = 3 * st + tail_ms[g];
		/* from, the edges and 1 ms before them, 1 ms before `to`, and `to` */
		const int64_t off[9] = { from_ms[g], st - 1, st, 2 * st - 1, 2 * st, 3 * st - 1,
					 3 * st, tail - 1, tail };
		double want[4] = { 0 }, v[9];
		int64_t ms[9];
		char service[32], match[64];
		struct selector *sel;
		struct query q = tr_cpu_query(&sel, (base + off[0]) * 1000000,
					   (base + tail) * 1000000);
		struct series_points_list tl = { 0 };
		double per;

		for (i = 0; i < 9; i++) {
			ms[i] = base + off[i];
			v[i] = (double)(1 << i);
			if (i < 8)  /* the store's step: [base + k st, base + (k + 1) st) */
				want[off[i] / st] += v[i];
		}
		for (k = 0; k < 2; k++)
			for (m = 0; m < 2; m++) {
				struct backend *b = tr_open(&fx->s, tr_codecs[k], NULL);
				struct series_points_list l = { 0 };

				standin_reset(&fx->s, m ? M_PYRO_V2 : M_PYRO_V1);
				standin_profiles(&fx->s, ms, v, 9);
				assert_int_equal(b->ops->timeline(b, &q, (double)st / 1000, NULL, &l),
						 0);
				assert_int_equal(fx->s.nspans, 3);  /* head, whole steps, tail */
				assert_int_equal(l.n, 1);
				assert_int_equal(l.v[0].n, 4);
				tu_assert_i64(l.v[0].ts_ms[0], base);
				for (i = 0; i < 4; i++)
					if (l.v[0].values[i] != want[i])
						fail_msg("step %.3f s, %s, v%zu: step %zu is %g, not %g",
							 (double)st / 1000, k ? "json" : "proto", m + 1,
							 i, l.v[0].values[i], want[i]);
				series_points_list_release(&l);
				backend_close(b);
			}
		/* the store over the same times, one profile each: two in every step */
		snprintf(service, sizeof(service), "cut%lld", (long long)st);
		for (i = 0; i < 9; i++)
			own_server_put(&fx->own, "cpuwork-cpu.pb.gz", service, ms[i] * 1000000);
		snprintf(match, sizeof(match), "{service_name=\"%s\"}", service);
		selector_free(sel);
		assert_int_equal(selector_parse(match, &sel), 0);
		q.selector = sel;
		assert_int_equal(local->ops->timeline(local, &q, (double)st / 1000, NULL, &tl), 0);
		assert_int_equal(tl.n, 1);
		assert_int_equal(tl.v[0].n, 4);
		tu_assert_i64(tl.v[0].ts_ms[0], base);
		per = tl.v[0].values[0] / 2;
		assert_true(per > 0);
		for (i = 0; i < 4; i++)
			assert_true(tl.v[0].values[i] == 2 * per);
		/* smolder serve, which rounds the step to the ns: the store's timeline */
		for (k = 0; k < 2; k++) {
			struct backend *b = tr_open(&fx->s, tr_codecs[k],
						    &(struct remote_opts){ .url = fx->own.url });
			struct series_points_list tr = { 0 };

			assert_int_equal(b->ops->timeline(b, &q, (double)st / 1000, NULL, &tr), 0);
			assert_int_equal(tr.n, 1);
			assert_int_equal(tr.v[0].n, 4);
			for (i = 0; i < 4; i++) {
				tu_assert_i64(tr.v[0].ts_ms[i], tl.v[0].ts_ms[i]);
				assert_true(tr.v[0].values[i] == tl.v[0].values[i]);
			}
			series_points_list_release(&tr);
			backend_close(b);
		}
		series_points_list_release(&tl);
		selector_free(sel);
	}
	backend_close(local);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timeline),
		cmocka_unit_test(test_timeline_step_ends),
		cmocka_unit_test(test_range_split),
		cmocka_unit_test(test_range_split_edges),
		cmocka_unit_test(test_range_split_sub_ms),
		cmocka_unit_test(test_range_split_empty_piece),
		cmocka_unit_test(test_range_split_bound),
		cmocka_unit_test(test_merge_acc),
		cmocka_unit_test(test_range_split_200),
		cmocka_unit_test(test_tree_acc),
		cmocka_unit_test(test_range_split_tree),
		cmocka_unit_test(test_range_split_memory),
		cmocka_unit_test(test_range_split_tree_memory),
		cmocka_unit_test(test_timeline_bounds),
		cmocka_unit_test(test_timeline_after_end),
		cmocka_unit_test(test_timeline_off_grid),
		cmocka_unit_test(test_timeline_cut_step),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, tr_setup, tr_teardown);
}
