/*
 * test_remote.c — the remote backend (src/store/remote.h): what it asks, what it decodes
 * and how it fails, against the stand-in Grafana Pyroscope server that serves recorded
 * real responses and against our own query server over a real store (both in
 * testutil_remote.h, which says why a stand-in is right here).
 *
 * What is checked: the decoded flame graph against the fixture read with jansson here
 * (total, nodes, self per function), series and label lists, in both codecs; the
 * requests as sent (path, Content-Type, Accept with allow-utf8-labelnames,
 * X-Scope-OrgID, Basic and Bearer auth, fields and millisecond rounding, lists asked
 * from the epoch); 401/403/404 and server messages; retries after 503; a login page
 * answered with 200; malformed, truncated, oversized and gzip-bomb answers and a Diff
 * whose values overflow (an error, never a crash); no memory for an answer (out of
 * memory, not a network error); protojson's 64-bit strings read to
 * UINT64_MAX and INT64_MIN and refused one past; --aggregate refused where a server
 * cannot honour it; redirects; a server that never answers (cancel within about a
 * second, timeouts); credentials never in a message; a tenant or credential holding a
 * line break or another control character refused before anything is sent.  And smolder
 * to smolder in process: the client against our own query server (querier_serve over a
 * real store), every operation — Diff included — equal to the store backend's own answer.
 *
 * Timelines and ranges split at a server's maximum query length: test_remote_timeline.c.
 */
#include "testutil_remote.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <libdeflate.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/url.h"
#include "profile/merge.h"
#include "profile/top.h"
#include "profile.pb-c.h"
#include "querier.pb-c.h"
#include "store/pbjson.h"
#include "types.pb-c.h"

/* ---- the fixtures decoded ---- */

static void test_flamegraph(void **state)
{
	struct remote_fixture *fx = *state;
	json_error_t e;
	json_t *root = json_loads(fx->s.fix[0].data, 0, &e),
	       *fg = json_object_get(root, "flamegraph");
	json_t *names = json_object_get(fg, "names"), *levels = json_object_get(fg, "levels");
	size_t k, d, i;

	for (k = 0; k < 2; k++) {
		struct backend *b = tr_open(&fx->s, tr_codecs[k],
					    &(struct remote_opts){ .tenant = "acme" });
		struct selector *sel;
		struct query q = tr_cpu_query(&sel, 1700000000123456789LL, 1700000100000000001LL);
		struct merge_info mi;
		struct prof *p = NULL;
		struct tree *t;
		struct top top;
		struct pb_budget bu;
		ProtobufCMessage *m;
		Querier__V1__SelectMergeStacktracesRequest *r;

		standin_reset(&fx->s, M_FIX);
		if (b->ops->merge_tree(b, &q, 16384, &p, &mi))
			fail_msg("merge_tree: %s", err_last());
		/* what was sent */
		assert_string_equal(fx->s.path,
				    "/querier.v1.QuerierService/SelectMergeStacktraces");
		assert_string_equal(fx->s.ctype, k ? "application/json" : "application/proto");
		assert_string_equal(fx->s.accept, "*/*;allow-utf8-labelnames=true");
		assert_string_equal(fx->s.tenant, "acme");
		pb_budget_init(&bu, 1 << 24);
		assert_int_equal(
			pb_decode(&querier__v1__select_merge_stacktraces_request__descriptor,
				  k ? PB_JSON : PB_PROTO, (uint8_t *)fx->s.body.data,
				  fx->s.body.len, &bu, &m),
			0);
		r = (Querier__V1__SelectMergeStacktracesRequest *)m;
		assert_string_equal(r->profile_typeid, CPU);
		assert_string_equal(r->label_selector, "{service_name=\"pyroscope\"}");
		tu_assert_i64(r->start, 1700000000123LL);  /* rounded down */
		/* both ends in, as Pyroscope reads them: to's last millisecond before it */
		tu_assert_i64(r->end, 1700000100000LL);
		assert_true(r->has_max_nodes);
		tu_assert_i64(r->max_nodes, 16384);
		pb_budget_release(&bu);
		if (k)
			assert_non_null(strstr(fx->s.body.data, "\"profileTypeID\":\"" CPU "\""));
		/* what was decoded, against the fixture read here */
		assert_true(mi.remote);
		assert_false(mi.truncated);
		tu_assert_i64(prof_total(p, 0), 11100000000LL);
		assert_string_equal(prof_str(p, p->sample_types[0].type), "cpu");
		assert_int_equal(tree_build(p, &t), 0);
		assert_int_equal(t->n, 2110); /* every node of the fixture, its root as ours */
		assert_int_equal(top_compute(p, 0, &top), 0);
		for (i = 0; i < json_array_size(names); i++) {
			const char *name = json_string_value(json_array_get(names, i));
			const struct top_row *row = tu_top_row(&top, p, name);
			int64_t self = 0;

			for (d = 1; d < json_array_size(levels); d++) {
				json_t *v = json_object_get(json_array_get(levels, d), "values");
				size_t j;

				for (j = 0; j < json_array_size(v); j += 4)
					if ((size_t)strtoll(
						    json_string_value(json_array_get(v, j + 3)),
						    NULL, 10) == i)
						self += strtoll(
							json_string_value(json_array_get(v, j + 2)),
							NULL, 10);
			}
			if (i == 0)
				continue;
			if (!row)
				fail_msg("%s missing", name);
			tu_assert_i64(row->flat, self);
		}
		top_release(&top);
		tree_free(t);
		prof_free(p);
		selector_free(sel);
		backend_close(b);
	}
	json_decref(root);
}

static void test_lists(void **state)
{
	struct remote_fixture *fx = *state;
	size_t k, i;

	for (k = 0; k < 2; k++) {
		struct backend *b = tr_open(&fx->s, tr_codecs[k], NULL);
		struct time_range r = { 1779729327372LL * 1000000, 1779730857372LL * 1000000 };
		struct labelset_list ls = { 0 };
		struct strvec names = STRVEC_INIT, vals = STRVEC_INIT;
		struct profile_type_list pt = { 0 };

		standin_reset(&fx->s, M_FIX);
		assert_int_equal(b->ops->series(b, NULL, NULL, 0, r, &ls), 0);
		assert_int_equal(ls.n, 11);
		for (i = 0; i < ls.n; i++) {
			assert_string_equal(labelset_get(&ls.v[i], "service_name"), "pyroscope");
			assert_non_null(labelset_get(&ls.v[i], "__profile_type__"));
		}
		assert_string_equal(labelset_get(&ls.v[0], "__profile_type__"),
				    "block:contentions:count:contentions:count");
		assert_int_equal(b->ops->label_names(b, NULL, r, &names), 0);
		assert_int_equal(names.n, 0); /* the recorded {"names":[]} */
		assert_int_equal(b->ops->label_values(b, "__profile_type__", NULL, r, &vals), 0);
		assert_int_equal(vals.n, 11);
		assert_string_equal(vals.v[10], "process_cpu:samples:count:cpu:nanoseconds");
		assert_int_equal(b->ops->profile_types(b, r, &pt), 0);
		assert_int_equal(pt.n, 11);
		assert_string_equal(pt.v[3].id, "memory:alloc_objects:count:space:bytes");
		assert_string_equal(pt.v[3].period_type, "space");
		labelset_list_release(&ls);
		strvec_release(&names);
		strvec_release(&vals);
		profile_type_list_release(&pt);
		/* a dotted name goes out quoted, as Prometheus 3 wants it */
		{
			struct selector *sel;
			struct pb_budget bu;
			ProtobufCMessage *m;
			Querier__V1__SeriesRequest *req;

			assert_int_equal(selector_parse("{service.name=\"a\\\"b\", env=~\"p.*\"}", &sel), 0);
			assert_int_equal(b->ops->series(b, sel, NULL, 0, r, &ls), 0);
			pb_budget_init(&bu, 1 << 20);
			assert_int_equal(pb_decode(&querier__v1__series_request__descriptor,
						   k ? PB_JSON : PB_PROTO,
						   (uint8_t *)fx->s.body.data, fx->s.body.len, &bu,
						   &m),
					 0);
			req = (Querier__V1__SeriesRequest *)m;
			assert_int_equal(req->n_matchers, 1);
			assert_string_equal(req->matchers[0], "{\"service.name\"=\"a\\\"b\",env=~\"p.*\"}");
			tu_assert_i64(req->start, 1779729327372LL);
			assert_int_equal(req->n_label_names, 0);  /* every label */
			pb_budget_release(&bu);
			labelset_list_release(&ls);
			selector_free(sel);
		}
		/*
		 * label names go out as label_names (labelNames in JSON): the server cuts the
		 * sets.  The recorded answer is the whole sets (eleven series of one service):
		 * what comes back is still cut, each distinct set once.
		 */
		{
			static const char *const want[] = { "service_name", "__name__" };
			struct pb_budget bu;
			ProtobufCMessage *m;
			Querier__V1__SeriesRequest *req;

			assert_int_equal(b->ops->series(b, NULL, want, 1, r, &ls), 0);
			assert_int_equal(ls.n, 1);
			assert_int_equal(ls.v[0].n, 1);
			assert_string_equal(labelset_get(&ls.v[0], "service_name"), "pyroscope");
			labelset_list_release(&ls);
			if (k)
				assert_non_null(strstr(fx->s.body.data,
						       "\"labelNames\":[\"service_name\"]"));
			assert_int_equal(b->ops->series(b, NULL, want, 2, r, &ls), 0);
			pb_budget_init(&bu, 1 << 20);
			assert_int_equal(pb_decode(&querier__v1__series_request__descriptor,
						   k ? PB_JSON : PB_PROTO,
						   (uint8_t *)fx->s.body.data, fx->s.body.len, &bu,
						   &m),
					 0);
			req = (Querier__V1__SeriesRequest *)m;
			assert_int_equal(req->n_matchers, 0);
			assert_int_equal(req->n_label_names, 2);
			assert_string_equal(req->label_names[0], "service_name");
			assert_string_equal(req->label_names[1], "__name__");
			pb_budget_release(&bu);
			labelset_list_release(&ls);
		}
		backend_close(b);
	}
}

/* The int64 field `name` of the last request to s, a message of type d. */
static int64_t sent_field(const struct standin *s, const ProtobufCMessageDescriptor *d,
			  const char *name)
{
	const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(d, name);
	struct pb_budget bu;
	ProtobufCMessage *m;
	int64_t v;

	assert_non_null(f);
	pb_budget_init(&bu, 1 << 20);
	if (pb_decode(d, s->json ? PB_JSON : PB_PROTO, (const uint8_t *)s->body.data, s->body.len,
		      &bu, &m))
		fail_msg("%s: %s", d->name, err_last());
	v = *(const int64_t *)(const void *)((const char *)m + f->offset);
	pb_budget_release(&bu);
	return v;
}

/*
 * --from 0 (the epoch) asks every list from the epoch: a start of 0 went out only for
 * Select* as 1, the lists had none, and Pyroscope reads a request whose start is 0 as
 * one without a range (pkg/model GetTimeRange): the last hour only.
 */
static void test_lists_from_epoch(void **state)
{
	struct remote_fixture *fx = *state;
	const int64_t end_ms = TL0 / 1000000 + 3600000;
	struct time_range r = { 0, (end_ms + 1) * 1000000 };
	size_t k;

	for (k = 0; k < 2; k++) {
		struct backend *b = tr_open(&fx->s, tr_codecs[k], NULL);
		struct labelset_list ls = { 0 };
		struct strvec names = STRVEC_INIT, vals = STRVEC_INIT;
		struct profile_type_list pt = { 0 };

		standin_reset(&fx->s, M_FIX);
		assert_int_equal(b->ops->series(b, NULL, NULL, 0, r, &ls), 0);
		tu_assert_i64(sent_field(&fx->s, &querier__v1__series_request__descriptor, "start"),
			      1);
		tu_assert_i64(sent_field(&fx->s, &querier__v1__series_request__descriptor, "end"),
			      end_ms);
		assert_int_equal(b->ops->label_names(b, NULL, r, &names), 0);
		tu_assert_i64(sent_field(&fx->s, &types__v1__label_names_request__descriptor,
					 "start"),
			      1);
		assert_int_equal(b->ops->label_values(b, "service_name", NULL, r, &vals), 0);
		tu_assert_i64(sent_field(&fx->s, &types__v1__label_values_request__descriptor,
					 "start"),
			      1);
		assert_int_equal(b->ops->profile_types(b, r, &pt), 0);
		tu_assert_i64(sent_field(&fx->s, &querier__v1__profile_types_request__descriptor,
					 "start"),
			      1);
		tu_assert_i64(sent_field(&fx->s, &querier__v1__profile_types_request__descriptor,
					 "end"),
			      end_ms);
		labelset_list_release(&ls);
		strvec_release(&names);
		strvec_release(&vals);
		profile_type_list_release(&pt);
		backend_close(b);
	}
}

/* ---- failures ---- */

static int expect_fail(struct backend *b, int code, const char *part)
{
	struct selector *sel;
	struct query q = tr_cpu_query(&sel, 1700000000LL * SEC, 1700003600LL * SEC);
	struct prof *p = NULL;
	int rc = b->ops->merge_tree(b, &q, 0, &p, NULL);

	selector_free(sel);
	if (getenv("SHOW_ERRORS"))
		fprintf(stderr, "  message: %s\n", err_last());
	if (rc != code)
		fail_msg("code %d (%s), expected %d", rc, rc ? err_last() : "", code);
	assert_null(p);
	tu_assert_message(err_last());
	if (part && !strstr(err_last(), part))
		fail_msg("'%s' lacks '%s'", err_last(), part);
	return rc;
}

static void test_auth(void **state)
{
	struct remote_fixture *fx = *state;
	struct backend *b;
	struct buf url = BUF_INIT;

	standin_reset(&fx->s, M_AUTH);
	b = tr_open(&fx->s, REMOTE_CODEC_PROTO, NULL);
	expect_fail(b, ERR_AUTH, "authentication failed: no valid credentials");
	assert_non_null(strstr(err_last(), "--username"));
	backend_close(b);
	/* credentials in the URL are never shown */
	buf_printf(&url, "http://user:wr0ng-pass@%s", fx->s.url + 7);
	b = tr_open(&fx->s, REMOTE_CODEC_PROTO, &(struct remote_opts){ .url = url.data });
	expect_fail(b, ERR_AUTH, "authentication failed");
	assert_null(strstr(err_last(), "wr0ng"));
	assert_non_null(strstr(err_last(), fx->s.url + 7));
	/* they went out as Basic: the message says so, and asks for no other (it did) */
	assert_string_equal(fx->s.auth, "Basic dXNlcjp3cjBuZy1wYXNz"); /* user:wr0ng-pass */
	assert_non_null(strstr(err_last(), "(the credentials in the URL were refused)"));
	assert_null(strstr(err_last(), "--username"));
	backend_close(b);
	b = tr_open(&fx->s, REMOTE_CODEC_JSON,
			&(struct remote_opts){.username = "user", .password = "s3cret"});
	{
		struct selector *sel;
		struct query q = tr_cpu_query(&sel, 1700000000LL * SEC, 1700003600LL * SEC);
		struct prof *p = NULL;

		assert_int_equal(b->ops->merge_tree(b, &q, 0, &p, NULL), 0);
		assert_string_equal(fx->s.auth, "Basic dXNlcjpzM2NyZXQ=");
		prof_free(p);
		selector_free(sel);
	}
	backend_close(b);
	standin_reset(&fx->s, M_FIX);
	b = tr_open(&fx->s, REMOTE_CODEC_JSON, &(struct remote_opts){ .token = "t0ken" });
	standin_reset(&fx->s, M_AUTH);
	{
		struct time_range r = { 0, 0 };
		struct labelset_list l = { 0 };

		assert_int_equal(b->ops->series(b, NULL, NULL, 0, r, &l), 0);
		assert_string_equal(fx->s.auth, "Bearer t0ken");
		labelset_list_release(&l);
	}
	backend_close(b);
	/* a password without a user name is Basic with an empty name, as profilecli sends it;
	   a refusal then does not ask for credentials that were given */
	standin_reset(&fx->s, M_AUTH);
	b = tr_open(&fx->s, REMOTE_CODEC_PROTO, &(struct remote_opts){ .password = "pw-only" });
	expect_fail(b, ERR_AUTH, "authentication failed: no valid credentials");
	assert_string_equal(fx->s.auth, "Basic OnB3LW9ubHk="); /* ":pw-only" */
	assert_null(strstr(err_last(), "--username"));
	assert_null(strstr(err_last(), "pw-only"));
	backend_close(b);
	standin_reset(&fx->s, M_FORBID);
	b = tr_open(&fx->s, REMOTE_CODEC_PROTO, &(struct remote_opts){ .password = "pw-only" });
	expect_fail(b, ERR_AUTH, "permission denied: tenant acme is not yours");
	assert_null(strstr(err_last(), "pw-only"));
	backend_close(b);
	buf_release(&url);
}

/*
 * An empty user name, password or token is none, as profilecli tests each for "": a
 * script's `--username "$U" --token "$T"` with U empty is Bearer.  Before, an empty name
 * counted as given and Basic ":" went out instead of the token.
 */
static void test_empty_credentials(void **state)
{
	struct remote_fixture *fx = *state;
	static const struct {
		struct remote_opts o;
		const char *auth;  /* the Authorization header sent ("": none) */
	} cases[] = {
		{ { .username = "", .token = "t0ken" }, "Bearer t0ken" },
		{ { .username = "", .password = "", .token = "t0ken" }, "Bearer t0ken" },
		{ { .password = "", .token = "t0ken" }, "Bearer t0ken" },
		{ { .username = "", .password = "", .token = "" }, "" },
		{ { .username = "user", .password = "", .token = "t0ken" }, "Basic dXNlcjo=" },
		{ { .username = "", .password = "s3cret", .token = "t0ken" }, "Basic OnMzY3JldA==" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct time_range r = { 0, 0 };
		struct labelset_list l = { 0 };
		struct backend *b = tr_open(&fx->s, REMOTE_CODEC_JSON, &cases[i].o);

		standin_reset(&fx->s, M_FIX);
		assert_int_equal(b->ops->series(b, NULL, NULL, 0, r, &l), 0);
		if (strcmp(fx->s.auth, cases[i].auth) != 0)
			fail_msg("case %zu: sent '%s', expected '%s'", i, fx->s.auth, cases[i].auth);
		labelset_list_release(&l);
		backend_close(b);
	}
}

static void test_server_errors(void **state)
{
	struct remote_fixture *fx = *state;
	struct backend *b = tr_open(&fx->s, REMOTE_CODEC_PROTO, NULL);

	standin_reset(&fx->s, M_404);
	expect_fail(b, ERR_NOTFOUND,
		    "not found: /querier.v1.QuerierService/SelectMergeStacktraces");
	standin_reset(&fx->s, M_500);
	expect_fail(b, ERR_NET, "the store is on fire (HTTP 500)");
	standin_reset(&fx->s, M_HTML);
	expect_fail(b, ERR_NET, "(HTTP 502)");
	assert_null(strstr(err_last(), "<html>"));
	assert_int_equal(fx->s.requests, 3); /* 502 is retried */
	/*
	 * a 200 that is a login page: said so, not "malformed answer: invalid wire type 4
	 * at byte 0" (the decoder's reading of '<'), in either codec
	 */
	standin_reset(&fx->s, M_HTML200);
	expect_fail(b, ERR_PARSE, "SelectMergeStacktraces: the server answered text/html, not "
				  "the query API");
	{
		struct backend *bj = tr_open(&fx->s, REMOTE_CODEC_JSON, NULL);

		expect_fail(bj, ERR_PARSE, "the server answered text/html, not the query API");
		backend_close(bj);
	}
	standin_reset(&fx->s, M_503_ONCE);
	{
		struct selector *sel;
		struct query q = tr_cpu_query(&sel, 1700000000LL * SEC, 1700003600LL * SEC);
		struct prof *p = NULL;

		assert_int_equal(b->ops->merge_tree(b, &q, 0, &p, NULL), 0);
		assert_int_equal(fx->s.requests, 2);
		prof_free(p);
		selector_free(sel);
	}
	backend_close(b);
	/* nobody listening */
	b = tr_open(&fx->s, REMOTE_CODEC_PROTO, &(struct remote_opts){ .url = "http://127.0.0.1:1",
								   .attempts = 1 });
	expect_fail(b, ERR_NET, "cannot connect");
	backend_close(b);
}

static void test_malformed(void **state)
{
	struct remote_fixture *fx = *state;
	enum standin_mode modes[] = { M_GARBAGE, M_TRUNC, M_BADLEVELS };
	size_t k, m;

	for (k = 0; k < 2; k++)
		for (m = 0; m < 3; m++) {
			struct backend *b = tr_open(&fx->s, tr_codecs[k], NULL);

			standin_reset(&fx->s, modes[m]);
			expect_fail(b, ERR_PARSE, modes[m] == M_BADLEVELS ? "outside every node" :
						  "SelectMergeStacktraces: malformed answer");
			backend_close(b);
		}
	/* too big for the limit */
	{
		struct backend *b = tr_open(&fx->s, REMOTE_CODEC_JSON,
						&(struct remote_opts){ .max_response = 4096 });

		standin_reset(&fx->s, M_FIX);
		expect_fail(b, ERR_TOOBIG, "larger than");
		backend_close(b);
	}
}

/*
 * protojson writes 64-bit integers as decimal strings: every value up to UINT64_MAX (a
 * kernel mapping's memory_limit) and down to INT64_MIN reads back, one past either end
 * is refused as out of range.  The overflow test ran before the last digit was known, so
 * 18446744073709551610 .. 18446744073709551615 were "expected an integer".
 */
static void pbjson_edge(const char *json, int want, uint64_t limit, int64_t nanos)
{
	struct pb_budget bu;
	ProtobufCMessage *m = NULL;
	const Perftools__Profiles__Profile *p;
	int rc;

	pb_budget_init(&bu, 1 << 20);
	rc = pbjson_decode(&perftools__profiles__profile__descriptor, json, strlen(json), &bu,
			   &m);
	if (rc != want)
		fail_msg("%s: %d (%s), want %d", json, rc, rc ? err_last() : "", want);
	if (want) {
		assert_non_null(strstr(err_last(), "integer out of range"));
	} else {
		p = (const Perftools__Profiles__Profile *)m;
		assert_int_equal(p->n_mapping, 1);
		assert_true(p->mapping[0]->memory_limit == limit);
		assert_true(p->time_nanos == nanos);
	}
	pb_budget_release(&bu);
}

static void test_pbjson_int_edges(void **state)
{
	static const char *const unsigned_ok[] = {
		"18446744073709551615", "18446744073709551610", "18446744073709551609",
		"1844674407370955161", "0",
	};
	Perftools__Profiles__Mapping map = PERFTOOLS__PROFILES__MAPPING__INIT, *maps[] = { &map };
	Perftools__Profiles__Profile prof = PERFTOOLS__PROFILES__PROFILE__INIT;
	struct buf json = BUF_INIT;
	size_t k;

	(void)state;
	for (k = 0; k < sizeof unsigned_ok / sizeof *unsigned_ok; k++) {
		buf_reset(&json);
		assert_int_equal(buf_printf(&json, "{\"mapping\": [{\"memoryLimit\": \"%s\"}]}",
					    unsigned_ok[k]), 0);
		pbjson_edge(json.data, 0, strtoull(unsigned_ok[k], NULL, 10), 0);
	}
	pbjson_edge("{\"mapping\": [{\"memoryLimit\": \"18446744073709551616\"}]}", ERR_PARSE,
		    0, 0);
	pbjson_edge("{\"mapping\": [{\"memoryLimit\": \"18446744073709551620\"}]}", ERR_PARSE,
		    0, 0);
	pbjson_edge("{\"mapping\": [{\"memoryLimit\": \"184467440737095516150\"}]}", ERR_PARSE,
		    0, 0);
	pbjson_edge("{\"mapping\": [{}], \"timeNanos\": \"-9223372036854775808\"}", 0, 0,
		    INT64_MIN);
	pbjson_edge("{\"mapping\": [{}], \"timeNanos\": \"9223372036854775807\"}", 0, 0,
		    INT64_MAX);
	pbjson_edge("{\"mapping\": [{}], \"timeNanos\": \"-9223372036854775809\"}", ERR_PARSE,
		    0, 0);
	pbjson_edge("{\"mapping\": [{}], \"timeNanos\": \"9223372036854775808\"}", ERR_PARSE,
		    0, 0);

	/* what our own encoder writes for such a mapping reads back */
	map.memory_limit = UINT64_MAX;
	prof.n_mapping = 1;
	prof.mapping = maps;
	prof.time_nanos = INT64_MIN;
	buf_reset(&json);
	assert_int_equal(pbjson_encode(&prof.base, &json), 0);
	assert_non_null(strstr(json.data, "\"18446744073709551615\""));
	pbjson_edge(json.data, 0, UINT64_MAX, INT64_MIN);
	buf_release(&json);
}

/*
 * A gzipped SelectMergeProfile answer inflates within the answer's budget (16 x its size
 * + 16 MiB): 64 MiB of zeros in a 64 KiB body is refused at once as malformed (it was
 * inflated whole, up to 2 GiB, before the decoder said so).
 */
static void test_merge_gzip_bomb(void **state)
{
	struct remote_fixture *fx = *state;
	struct libdeflate_compressor *z = libdeflate_alloc_compressor(9);
	size_t n = (size_t)64 << 20, cap;
	char *zeros = calloc(1, n);
	struct buf keep = fx->s.pprof, bomb = BUF_INIT;
	struct backend *b = tr_open(&fx->s, REMOTE_CODEC_PROTO, NULL);
	struct selector *sel;
	struct query q = tr_cpu_query(&sel, TL0 - HOUR, TL0 + 52 * 30 * SEC);
	struct prof *p = NULL;

	assert_non_null(z);
	assert_non_null(zeros);
	cap = libdeflate_gzip_compress_bound(z, n);
	assert_int_equal(buf_grow(&bomb, cap), 0);
	bomb.len = libdeflate_gzip_compress(z, zeros, n, bomb.data, cap);
	assert_true(bomb.len > 0 && bomb.len < ((size_t)1 << 20));
	fx->s.pprof = bomb;
	standin_reset(&fx->s, M_PYROEMPTY);
	assert_int_equal(b->ops->merge(b, &q, &p, NULL), ERR_TOOBIG);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "malformed answer: inflates to more than"));
	assert_null(p);
	fx->s.pprof = keep;
	buf_release(&bomb);
	free(zeros);
	libdeflate_free_compressor(z);
	selector_free(sel);
	backend_close(b);
}

/*
 * A server's merge takes no aggregation (Pyroscope sums, smolder serve averages gauges):
 * --aggregate is refused for merges and diffs unless it is what every server does (sum of
 * a counter); the timeline sends it.
 */
static void test_aggregate_refused(void **state)
{
	struct remote_fixture *fx = *state;
	struct backend *b = tr_open(&fx->s, REMOTE_CODEC_JSON, NULL);
	struct selector *sel;
	struct query q = tr_cpu_query(&sel, 1700000000LL * SEC, 1700003600LL * SEC);
	struct prof *p = NULL;

	standin_reset(&fx->s, M_FIX);
	q.agg = AGG_SUM;
	assert_int_equal(b->ops->merge_tree(b, &q, 0, &p, NULL), 0);
	prof_free(p);
	p = NULL;
	q.agg = AGG_AVG;
	assert_int_equal(b->ops->merge_tree(b, &q, 0, &p, NULL), ERR_USAGE);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "--aggregate avg"));
	assert_non_null(strstr(err_last(), "--url"));
	assert_int_equal(b->ops->diff(b, &q, &q, 0, &p), ERR_USAGE);
	assert_null(p);
	q.profile_type = "memory:inuse_space:bytes:space:bytes";
	q.agg = AGG_SUM;
	standin_reset(&fx->s, M_FIX);
	assert_int_equal(b->ops->merge(b, &q, &p, NULL), ERR_USAGE);
	assert_non_null(strstr(err_last(), "--aggregate sum"));
	assert_int_equal(fx->s.requests, 0);
	assert_null(p);
	selector_free(sel);
	backend_close(b);
}

/*
 * A Diff whose sides each fit in 64 bits but whose combined node does not end there
 * (x 3*2^60 and total 2^61 on each side): refused as an overflow, not undefined
 * behaviour (UBSan aborted in rd_levels()).
 */
static void test_diff_overflow(void **state)
{
	static const char body[] =
		"{\"flamegraph\":{\"names\":[\"total\",\"leaf\"],\"levels\":["
		"{\"values\":[\"3458764513820540928\",\"2305843009213693952\",\"0\","
		"\"3458764513820540928\",\"2305843009213693952\",\"0\",\"0\"]},"
		"{\"values\":[\"3458764513820540928\",\"1\",\"1\","
		"\"3458764513820540928\",\"1\",\"1\",\"1\"]}],"
		"\"total\":\"4611686018427387904\",\"maxSelf\":\"1\","
		"\"leftTicks\":\"2305843009213693952\",\"rightTicks\":\"2305843009213693952\"}}";
	struct fb_prof_info fi = { "cpu", "nanoseconds", "cpu", "nanoseconds", 0, SEC, 0 };
	struct prof *p = NULL;

	(void)state;
	assert_int_equal(remote_decode_diff(REMOTE_CODEC_JSON, (const uint8_t *)body,
					    sizeof(body) - 1, &fi, &p, NULL),
			 ERR_PARSE);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "values overflow"));
	assert_null(p);
}

/* A redirect names the server the API moved to, not a method's URL, and no credentials */
static void test_redirects(void **state)
{
	struct remote_fixture *fx = *state;
	struct backend *b = tr_open(&fx->s, REMOTE_CODEC_PROTO,
				    &(struct remote_opts){ .attempts = 1 });
	char want[192];

	standin_reset(&fx->s, M_REDIR_ABS);
	expect_fail(b, ERR_NET, "redirects (HTTP 308) to http://127.0.0.1:4901");
	assert_null(strstr(err_last(), "QuerierService"));
	assert_null(strstr(err_last(), "pw-in-loc"));
	assert_null(strstr(err_last(), "tk"));
	standin_reset(&fx->s, M_REDIR_REL);
	snprintf(want, sizeof(want), "redirects (HTTP 307) to %s/other", fx->s.url);
	expect_fail(b, ERR_NET, want);
	assert_null(strstr(err_last(), "QuerierService"));
	backend_close(b);
}

/* a server that accepts connections and never answers */
static int hang_listen(unsigned *port)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)&a, &len))
		fail_msg("cannot listen");
	*port = ntohs(a.sin_port);
	return fd;
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TR_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define TR_ASAN 1
#endif

/*
 * A server on fd that answers its next n requests, one a connection, with body as ctype,
 * and a Content-Encoding header when encoding is set.
 */
struct raw_server {
	int fd, n;
	const char *ctype, *encoding;
	const struct buf *body;
};

static void *raw_serve(void *arg)
{
	struct raw_server *g = arg;
	char req[8192], head[256];
	size_t n, want, off;
	const char *end, *cl;
	ssize_t r;
	int c, k;

	for (k = 0; k < g->n && (c = accept(g->fd, NULL, NULL)) >= 0; k++) {
		/* the request's headers, then its body (closing before reading it resets) */
		n = want = 0;
		end = NULL;
		while (n < sizeof(req) - 1 && (r = read(c, req + n, sizeof(req) - 1 - n)) > 0) {
			n += (size_t)r;
			req[n] = '\0';
			if (!end && (end = strstr(req, "\r\n\r\n"))) {
				cl = strcasestr(req, "\r\nContent-Length:");
				want = (size_t)(end + 4 - req) + (cl ? strtoul(cl + 17, NULL, 10) : 0);
			}
			if (end && n >= want)
				break;
		}
		snprintf(head, sizeof(head),
			 "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n%s%s%sContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n",
			 g->ctype, g->encoding ? "Content-Encoding: " : "",
			 g->encoding ? g->encoding : "", g->encoding ? "\r\n" : "", g->body->len);
		if (send(c, head, strlen(head), MSG_NOSIGNAL) == (ssize_t)strlen(head))
			for (off = 0; off < g->body->len; off += (size_t)r)
				if ((r = send(c, g->body->data + off, g->body->len - off,
					      MSG_NOSIGNAL)) <= 0)
					break;
		close(c);
	}
	return NULL;
}

/* What merge_in_child's merge returned. */
struct child_answer {
	int rc;
	long grown_kb;   /* its peak resident memory's growth */
	char msg[400];   /* err_last() when rc is not 0 */
};

/*
 * A merge asked of a server answering body once (with a Content-Encoding header when
 * encoding is set), in a child process: its memory apart from the tests', and, when
 * as_room is not 0, its address space allowed as_room bytes more than it has once the
 * backend is open (RLIMIT_AS), for what an allocation that fails does.
 */
static void merge_in_child(struct remote_fixture *fx, const struct buf *body,
			   const char *encoding, size_t as_room, struct child_answer *res)
{
	struct raw_server g = { 0, 1, "application/proto", encoding, body };
	char url[64];
	unsigned port;
	pthread_t th;
	int fd[2], status;
	pid_t pid;

	g.fd = hang_listen(&port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", port);
	assert_int_equal(pthread_create(&th, NULL, raw_serve, &g), 0);
	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct backend *b = tr_open(&fx->s, REMOTE_CODEC_PROTO,
					    &(struct remote_opts){ .url = url, .attempts = 1 });
		struct selector *sel;
		struct query q = tr_cpu_query(&sel, 1700000000LL * SEC, 1700003600LL * SEC);
		struct rusage before, after;
		struct prof *p = NULL;
		unsigned long pages = 0;
		FILE *statm = fopen("/proc/self/statm", "r");

		memset(res, 0, sizeof(*res));
		if (!statm || fscanf(statm, "%lu", &pages) != 1)
			_exit(3);
		fclose(statm);
		if (as_room) {
			struct rlimit rl;

			rl.rlim_cur = rl.rlim_max = pages * (rlim_t)sysconf(_SC_PAGESIZE) + as_room;
			if (setrlimit(RLIMIT_AS, &rl))
				_exit(4);
		}
		getrusage(RUSAGE_SELF, &before);
		res->rc = b->ops->merge_tree(b, &q, 0, &p, NULL);
		getrusage(RUSAGE_SELF, &after);
		res->grown_kb = after.ru_maxrss - before.ru_maxrss;
		snprintf(res->msg, sizeof(res->msg), "%s", res->rc ? err_last() : "");
		if (write(fd[1], res, sizeof(*res)) != (ssize_t)sizeof(*res))
			_exit(2);
		_exit(0);
	}
	close(fd[1]);
	assert_int_equal(read(fd[0], res, sizeof(*res)), (ssize_t)sizeof(*res));
	close(fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	shutdown(g.fd, SHUT_RDWR);
	pthread_join(th, NULL);
	close(g.fd);
}

/*
 * An answer compressed with Content-Encoding (libcurl inflates it) is refused once it
 * inflates to more than 64 times what was received + 64 MiB: 160 MiB of zeros in 160 KB
 * of gzip is refused at about 74 MiB, in one line (it was inflated whole, up to 512 MiB,
 * the buffer doubling to 1 GiB; then read as a malformed answer).  Asked in a child
 * process, whose peak resident memory grows by less than 128 MB.
 */
static void test_content_encoding_bomb(void **state)
{
	struct remote_fixture *fx = *state;
	struct libdeflate_compressor *z = libdeflate_alloc_compressor(6);
	size_t n = (size_t)160 << 20, cap;
	char *zeros = calloc(1, n);
	struct buf bomb = BUF_INIT;
	struct child_answer res;

	assert_non_null(z);
	assert_non_null(zeros);
	cap = libdeflate_gzip_compress_bound(z, n);
	assert_int_equal(buf_grow(&bomb, cap), 0);
	bomb.len = libdeflate_gzip_compress(z, zeros, n, bomb.data, cap);
	free(zeros);
	libdeflate_free_compressor(z);
	assert_true(bomb.len > 0 && bomb.len < ((size_t)1 << 20));
	merge_in_child(fx, &bomb, "gzip", 0, &res);
	buf_release(&bomb);
	if (res.rc != ERR_TOOBIG || !strstr(res.msg, "SelectMergeStacktraces: the compressed answer "
						     "inflates to more than") ||
	    strchr(res.msg, '\n'))
		fail_msg("code %d (%ld KB): %s", res.rc, res.grown_kb, res.msg);
#ifndef TR_ASAN
	if (res.grown_kb >= 128 * 1024)
		fail_msg("the refused answer took %ld KB", res.grown_kb);
#endif
	if (getenv("SHOW_ERRORS"))
		fprintf(stderr, "  message: %s (%ld KB)\n", res.msg, res.grown_kb);
}

/*
 * No memory for the answer's next bytes is "out of memory" (ERR_NOMEM), naming the
 * server and the method: it was libcurl's "Failure writing output to destination"
 * (ERR_NET), as if the network had failed.  An 80 MiB answer to a child whose address
 * space may grow by 48 MiB: the buffer's doubling to 64 MiB fails.  Not under
 * AddressSanitizer, whose shadow memory a limit on the address space refuses.
 */
static void test_answer_nomem(void **state)
{
	struct remote_fixture *fx = *state;
	struct buf body = BUF_INIT;
	struct child_answer res;

#ifdef TR_ASAN
	(void)fx;
	(void)body;
	(void)res;
	skip();
#else
	assert_int_equal(buf_grow(&body, (size_t)80 << 20), 0);
	memset(body.data, 'x', (size_t)80 << 20);
	body.len = (size_t)80 << 20;
	merge_in_child(fx, &body, NULL, (size_t)48 << 20, &res);
	buf_release(&body);
	if (res.rc != ERR_NOMEM ||
	    !strstr(res.msg, "SelectMergeStacktraces: out of memory for the answer ("))
		fail_msg("code %d: %s", res.rc, res.msg);
#endif
}

/*
 * LabelValues of __profile_type__ is what query types, a verb's choice of the one type
 * and a merge's no-data check read from a server: IDs that do not parse as a profile
 * type, and "", are left out, as the ProfileTypes answer's are (they were listed).  Other
 * labels' values are kept as they are.
 */
static void test_label_values_types(void **state)
{
	static const char answer_json[] =
		"{\"names\":[\"\",\"bogus\",\"a:b\",\"memory:alloc_space:bytes:space:bytes\","
		"\"process_cpu:cpu:nanoseconds:cpu:nanoseconds\",\"a:b:c:d:e:f\","
		"\":cpu:nanoseconds:cpu:nanoseconds\"]}";
	struct buf body = BUF_INIT;
	struct raw_server g = { 0, 2, "application/json", NULL, &body };
	struct time_range r = { 1700000000LL * SEC, 1700003600LL * SEC };
	struct strvec v = STRVEC_INIT;
	struct backend *b;
	char url[64];
	unsigned port;
	pthread_t th;

	(void)state;
	buf_puts(&body, answer_json);
	g.fd = hang_listen(&port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", port);
	assert_int_equal(pthread_create(&th, NULL, raw_serve, &g), 0);
	b = tr_open(NULL, REMOTE_CODEC_JSON, &(struct remote_opts){ .url = url, .attempts = 1 });
	if (b->ops->label_values(b, "__profile_type__", NULL, r, &v))
		fail_msg("%s", err_last());
	assert_int_equal(v.n, 2);
	assert_string_equal(v.v[0], "memory:alloc_space:bytes:space:bytes");
	assert_string_equal(v.v[1], CPU);
	strvec_release(&v);
	if (b->ops->label_values(b, "service_name", NULL, r, &v))
		fail_msg("%s", err_last());
	assert_int_equal(v.n, 7);
	assert_string_equal(v.v[0], "");
	strvec_release(&v);
	pthread_join(th, NULL);
	close(g.fd);
	/* a failure's message is kept (the filter's parse errors once cleared it) */
	assert_int_equal(b->ops->label_values(b, "__profile_type__", NULL, r, &v), ERR_NET);
	assert_non_null(strstr(err_last(), "cannot connect"));
	strvec_release(&v);
	backend_close(b);
	buf_release(&body);
}

static atomic_int cancel_flag;

static void *canceller(void *arg)
{
	struct timespec ts = { 0, 300 * 1000000L };

	(void)arg;
	nanosleep(&ts, NULL);
	cancel_flag = 1;
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_hang_cancel_timeout(void **state)
{
	struct remote_fixture *fx = *state;
	char url[64];
	unsigned port;
	int fd = hang_listen(&port);
	struct backend *b;
	pthread_t th;
	double t0;

	snprintf(url, sizeof(url), "http://127.0.0.1:%u", port);
	/* cancelled mid-request: back within about a second */
	b = tr_open(&fx->s, REMOTE_CODEC_PROTO, &(struct remote_opts){ .url = url });
	cancel_flag = 0;
	b->cancel = &cancel_flag;
	pthread_create(&th, NULL, canceller, NULL);
	t0 = now_s();
	expect_fail(b, ERR_CANCELLED, "cancelled");
	pthread_join(th, NULL);
	assert_true(now_s() - t0 < 1.5);
	backend_close(b);
	/* a timeout: one attempt, a clear message */
	b = tr_open(&fx->s, REMOTE_CODEC_PROTO,
		    &(struct remote_opts){ .url = url, .timeout_ms = 400, .attempts = 1 });
	t0 = now_s();
	expect_fail(b, ERR_NET, "timed out");
	assert_true(now_s() - t0 < 2.0);
	backend_close(b);
	close(fd);
	/* slow is not broken */
	{
		struct selector *sel;
		struct query q = tr_cpu_query(&sel, 1700000000LL * SEC, 1700003600LL * SEC);
		struct prof *p = NULL;

		standin_reset(&fx->s, M_SLOW);
		b = tr_open(&fx->s, REMOTE_CODEC_PROTO, NULL);
		assert_int_equal(b->ops->merge_tree(b, &q, 0, &p, NULL), 0);
		prof_free(p);
		selector_free(sel);
		backend_close(b);
	}
}

/* smolder to smolder, in process: every operation equals the store's own answer */
static void test_own_server(void **state)
{
	struct remote_fixture *fx = *state;
	struct backend *local;
	size_t k;

	assert_int_equal(store_backend_new(fx->own.store, NULL, &local), 0);
	for (k = 0; k < 2; k++) {
		struct backend *b = tr_open(&fx->s, tr_codecs[k],
					    &(struct remote_opts){ .url = fx->own.url });
		struct selector *sel;
		struct query q = { .profile_type = CPU, .range = { OWN_T0, OWN_T0 + 60 * SEC } };
		struct query base = q, cur = q;
		struct prof *pl = NULL, *pr = NULL;
		struct series_points_list tl = { 0 }, tr = { 0 };
		struct strvec vl = STRVEC_INIT, vr = STRVEC_INIT;
		struct merge_info mi;
		size_t i, j;

		assert_int_equal(selector_parse("{service_name=\"cpuwork\"}", &sel), 0);
		q.selector = base.selector = cur.selector = sel;
		/* full pprof */
		assert_int_equal(local->ops->merge(local, &q, &pl, NULL), 0);
		assert_int_equal(b->ops->merge(b, &q, &pr, &mi), 0);
		assert_true(mi.remote && !mi.truncated);
		tr_same_top(pl, pr, 0);
		prof_free(pr);
		/* the flame graph: whole, then folded with the totals kept */
		assert_int_equal(b->ops->merge_tree(b, &q, 0, &pr, &mi), 0);
		assert_false(mi.truncated);
		tr_same_top(pl, pr, 0);
		prof_free(pr);
		assert_int_equal(b->ops->merge_tree(b, &q, 8, &pr, &mi), 0);
		assert_true(mi.truncated);
		tu_assert_i64(prof_total(pr, 0), prof_total(pl, 0));
		prof_free(pr);
		prof_free(pl);
		/* Diff in one request equals the generic pairing of two merges */
		base.range.to_ns = cur.range.from_ns = OWN_T0 + 5 * SEC;
		assert_int_equal(backend_diff(local, &base, &cur, 0, &pl), 0);
		assert_int_equal(backend_diff(b, &base, &cur, 0, &pr), 0);
		assert_int_equal(pr->ntypes, 2);
		tr_same_top(pl, pr, 0);
		tr_same_top(pl, pr, 1);
		prof_free(pl);
		prof_free(pr);
		/*
		 * timelines (the profiles at T0 and T0 + 10 s, on the steps' edges): the
		 * range on the steps, off them, and inside one step; then labels
		 */
		for (j = 0; j < 3; j++) {
			struct query t = q;
			double step = 10;

			if (j == 1)
				t.range = (struct time_range){ OWN_T0 - 3 * SEC, OWN_T0 + 17 * SEC };
			if (j == 2) {
				t.range = (struct time_range){ OWN_T0 - 3 * SEC, OWN_T0 + 14 * SEC };
				step = backend_timeline_one_step(t.range);
			}
			assert_int_equal(local->ops->timeline(local, &t, step, NULL, &tl), 0);
			assert_int_equal(b->ops->timeline(b, &t, step, NULL, &tr), 0);
			assert_int_equal(tl.n, tr.n);
			assert_int_equal(tl.v[0].n, tr.v[0].n);
			for (i = 0; i < tl.v[0].n; i++) {
				tu_assert_i64(tl.v[0].ts_ms[i], tr.v[0].ts_ms[i]);
				assert_true(tl.v[0].values[i] == tr.v[0].values[i]);
			}
			assert_true(tl.v[0].values[j == 2 ? 0 : 1] > 0);
			series_points_list_release(&tl);
			series_points_list_release(&tr);
			memset(&tl, 0, sizeof(tl));
			memset(&tr, 0, sizeof(tr));
		}
		assert_int_equal(local->ops->label_values(local, "__profile_type__", sel, q.range, &vl), 0);
		assert_int_equal(b->ops->label_values(b, "__profile_type__", sel, q.range, &vr), 0);
		assert_int_equal(vl.n, vr.n);
		for (i = 0; i < vl.n; i++)
			assert_string_equal(vl.v[i], vr.v[i]);
		series_points_list_release(&tl);
		series_points_list_release(&tr);
		strvec_release(&vl);
		strvec_release(&vr);
		selector_free(sel);
		backend_close(b);
	}
	backend_close(local);
}

/*
 * A tenant or credential with a line break or another control character is refused
 * before anything is sent, naming where it came from and never quoting it.  Before, only
 * a tenant's CR/LF was refused ("--tenant must be one line", even when it came from
 * PROFILECLI_TENANT_ID), and a token's trailing newline (a secret file's) ended libcurl's
 * header block early: the server read no body.
 */
static void test_header_values(void **state)
{
	struct remote_fixture *fx = *state;
	static const struct {
		struct remote_opts o;
		const char *msg;
	} cases[] = {
		{ { .tenant = "t1\r\nX-Evil: 1" },
		  "--tenant holds a line break (at byte 2): an HTTP header value is one line" },
		{ { .tenant = "t1\n", .tenant_from = "PROFILECLI_TENANT_ID" },
		  "PROFILECLI_TENANT_ID holds a line break (at byte 2)" },
		{ { .token = "s3cret-tok\n", .token_from = "PROFILECLI_TOKEN" },
		  "PROFILECLI_TOKEN holds a line break (at byte 10)" },
		{ { .token = "s3cret\ttok" },
		  "--token holds a control character (byte 0x09 at 6): an HTTP header cannot "
		  "carry it" },
		{ { .username = "al\x01s3cret", .password = "pw" },
		  "--username holds a control character (byte 0x01 at 2)" },
		{ { .username = "alice", .password = "s3cret\x7f",
		    .password_from = "PROFILECLI_PASSWORD" },
		  "PROFILECLI_PASSWORD holds a control character (byte 0x7f at 6)" },
		{ { .username = "alice", .password = "s3cret\r\n" },
		  "--password holds a line break (at byte 6)" },
	};
	size_t i;

	assert_int_equal(remote_header_value_check("--token", NULL), 0);
	assert_int_equal(remote_header_value_check("--token", ""), 0);
	/* UTF-8 and blanks are no controls (Go's net/http sends them too) */
	assert_int_equal(remote_header_value_check("--tenant", "t\xc3\xa9 am"), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct remote_opts o = cases[i].o;
		struct backend *b = NULL;

		o.url = fx->s.url;
		err_clear();
		assert_int_equal(remote_backend_open(&o, &b), ERR_USAGE);
		assert_null(b);
		tu_assert_message(err_last());
		if (strncmp(err_last(), cases[i].msg, strlen(cases[i].msg)) != 0)
			fail_msg("'%s' does not begin with '%s'", err_last(), cases[i].msg);
		assert_null(strstr(err_last(), "s3cret"));
		assert_null(strstr(err_last(), "Evil"));
	}
}

static void test_url_redact(void **state)
{
	struct remote_fixture *fx = *state;
	static const char *const cases[][2] = {
		{"https://user:pw@host:4040/prefix/?token=x#f", "https://host:4040/prefix/"},
		{"http://a@b@host/p", "http://host/p"},
		{"http://host:4040", "http://host:4040"},
		{"http://host/api/datasources/proxy/uid/abc",
		 "http://host/api/datasources/proxy/uid/abc"},
		/* no scheme: the user information goes all the same */
		{"admin:s3cretpw@pyroscope.example:4040", "pyroscope.example:4040"},
		{"user:pw@host/p@x?t=1", "host/p@x"},
		{"host:4040/p", "host:4040/p"},
		{"htp://user:pw@host", "htp://host"},
		/*
		 * a '/', '?' or '#' in a password, not percent-encoded: the URL does not
		 * parse, and all up to the last '@' goes (the password was shown)
		 */
		{"http://bob:se/cret@127.0.0.1:4711", "http://127.0.0.1:4711"},
		{"http://bob:se?cret@127.0.0.1:4711/p?t=1", "http://127.0.0.1:4711/p"},
		{"https://bob:se#cret@host/p", "https://host/p"},
		{"bob:se/cr?et@host:4040", "host:4040"},
		{"a@b:pw@host/p@x?t=1", "x"},
		{"http://bob:p%2Fw@host/p", "http://host/p"},
	};
	static const char *const bad[] = { "admin:s3cretpw@pyroscope.example:4040",
					   "htp://user:s3cretpw@host:4040", "user:s3cretpw@host",
					   "user:s3cr/etpw@host", "ftp://user:s3cr#etpw@host" };
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b = BUF_INIT;

		assert_int_equal(url_redact_buf(cases[i][0], &b), 0);
		assert_string_equal(b.data, cases[i][1]);
		buf_release(&b);
	}
	/* a URL that is refused is quoted without its password */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct backend *b = NULL;

		assert_int_equal(remote_backend_open(&(struct remote_opts){ .url = bad[i] }, &b),
				 ERR_USAGE);
		tu_assert_message(err_last());
		assert_non_null(strstr(err_last(), "http://"));
		assert_null(strstr(err_last(), "s3cr"));
		assert_null(strstr(err_last(), "etpw"));
		assert_null(b);
	}
	/* an http URL that does not parse: what libcurl says of it lacks the password */
	{
		struct buf url = BUF_INIT;
		struct backend *b;

		assert_int_equal(buf_printf(&url, "http://bob:s3/cretpw@%s", fx->s.url + 7), 0);
		b = tr_open(&fx->s, REMOTE_CODEC_JSON, &(struct remote_opts){ .url = url.data });
		standin_reset(&fx->s, M_FIX);
		expect_fail(b, ERR_USAGE, "not an http(s) URL");
		assert_null(strstr(err_last(), "cretpw"));
		assert_non_null(strstr(err_last(), fx->s.url));
		backend_close(b);
		buf_release(&url);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flamegraph),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_lists_from_epoch),
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_empty_credentials),
		cmocka_unit_test(test_server_errors),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_pbjson_int_edges),
		cmocka_unit_test(test_merge_gzip_bomb),
		cmocka_unit_test(test_content_encoding_bomb),
		cmocka_unit_test(test_answer_nomem),
		cmocka_unit_test(test_label_values_types),
		cmocka_unit_test(test_aggregate_refused),
		cmocka_unit_test(test_diff_overflow),
		cmocka_unit_test(test_redirects),
		cmocka_unit_test(test_hang_cancel_timeout),
		cmocka_unit_test(test_own_server),
		cmocka_unit_test(test_url_redact),
		cmocka_unit_test(test_header_values),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, tr_setup, tr_teardown);
}
