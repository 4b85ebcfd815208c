/*
 * test_ingest_labels.c — how serve reads a series' labels and a speedscope body's
 * profiles where the client's request is unusual, compared with what Grafana Pyroscope
 * does with the same request (its distributor's labels builder and ValidateLabels, the
 * /ingest adapters, the speedscope converter):
 *
 *   - push.v1 labels: a name given twice with values is refused; a name given an empty
 *     value anywhere is dropped with all its values; an empty service_name is refused;
 *   - /ingest: pyroscope_spy in the name's labels duplicates the spyName label (422);
 *     an empty one drops it;
 *   - speedscope: profiles in different units become one item each, typed by
 *     <name>.<unit>; profiles without a name merge as if named ""; a file without
 *     profiles stores nothing (200); their names are the profile_name, not `name`'s.
 */
#include "testutil_ingest.h"
#include "testutil_store.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "profile/labels.h"

static const char *label(const struct ingest_item *it, const char *name)
{
	const char *v = labelset_get(&it->series, name);

	return v ? v : "(none)";
}

/* A push.v1 protobuf of these labels and cpu.pb.gz: its result. */
static int push(const char *const *labels, struct ingest_result *res)
{
	struct buf body = BUF_INIT, file = BUF_INIT;
	struct ti_req r = { 0 };
	int rc;

	tu_read(OG "cpu.pb.gz", &file);
	ti_push_proto(&body, labels, &file, 1);
	ti_req_init(&r, "POST", "/push.v1.PusherService/Push", NULL);
	ti_req_header(&r, "Content-Type", "application/proto");
	ti_req_body(&r, body.data, body.len);
	rc = ti_run(&r, NULL, res);
	ti_req_release(&r);
	buf_release(&body);
	buf_release(&file);
	return rc;
}

static void test_push_label_list(void **state)
{
	struct ingest_result res;
	int rc;

	(void)state;
	/* the same name twice with values, in either order, however far apart */
	{
		const char *dup[] = { "__name__", "process_cpu", "env", "prod", "service_name",
				      "svc", "env", "dev", NULL };

		rc = push(dup, &res);
		ti_assert_refused(rc, &res, 400);
		assert_non_null(strstr(res.reason, "duplicate label name 'env'"));
		ingest_result_release(&res);
	}
	/* an empty value, before or after a real one: the name is no label at all */
	{
		const char *before[] = { "__name__", "process_cpu", "env", "", "env", "prod",
					 "service_name", "svc", "k", "v", NULL };
		const char *after[] = { "__name__", "process_cpu", "env", "prod", "env", "",
					"service_name", "svc", "k", "v", NULL };
		const char *const *cases[] = { before, after };
		size_t i;

		for (i = 0; i < 2; i++) {
			rc = push(cases[i], &res);
			ti_assert_ok(rc, &res, 1);
			assert_null(labelset_get(&res.items[0].series, "env"));
			assert_string_equal(label(&res.items[0], "k"), "v");
			assert_string_equal(label(&res.items[0], "service_name"), "svc");
			ingest_result_release(&res);
		}
	}
	/* an empty service_name is refused (upstream drops it, then finds none) */
	{
		const char *empty_svc[] = { "__name__", "process_cpu", "service_name", "", NULL };
		const char *twice_svc[] = { "__name__", "process_cpu", "service_name", "svc",
					    "service_name", "", NULL };

		rc = push(empty_svc, &res);
		ti_assert_refused(rc, &res, 400);
		assert_non_null(strstr(res.reason, "service name is not provided"));
		ingest_result_release(&res);
		rc = push(twice_svc, &res);
		ti_assert_refused(rc, &res, 400);
		ingest_result_release(&res);
	}
	/* no service_name at all: unknown_service, as before */
	{
		const char *none[] = { "__name__", "process_cpu", "a", "1", NULL };

		rc = push(none, &res);
		ti_assert_ok(rc, &res, 1);
		assert_string_equal(label(&res.items[0], "service_name"), "unknown_service");
		ingest_result_release(&res);
	}
}

/* /ingest with this query: folded text, or (pprof) cpu.pb.gz with format=pprof. */
static int legacy(const char *query, bool pprof, struct ingest_result *res)
{
	struct buf file = BUF_INIT;
	struct ti_req r = { 0 };
	int rc;

	ti_req_init(&r, "POST", "/ingest", query);
	if (pprof) {
		tu_read(OG "cpu.pb.gz", &file);
		ti_req_body(&r, file.data, file.len);
	} else {
		ti_req_body(&r, "a;b 3\n", 6);
	}
	rc = ti_run(&r, NULL, res);
	ti_req_release(&r);
	buf_release(&file);
	return rc;
}

static void test_legacy_spy_label(void **state)
{
	static const char *const fmts[] = { "", "&format=pprof" };
	struct ingest_result res;
	char q[256];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < 2; i++) {
		/* Pyroscope lists pyroscope_spy twice: spyName's and the name's (refused as
		 * invalid_argument: 400 for folded, 422 for a pprof on /ingest) */
		snprintf(q, sizeof(q), "name=app%%7Bpyroscope_spy%%3Dx%%7D&spyName=gospy%s",
			 fmts[i]);
		rc = legacy(q, i == 1, &res);
		ti_assert_refused(rc, &res, i == 1 ? 422 : 400);
		assert_non_null(strstr(res.reason, "duplicate label name 'pyroscope_spy'"));
		ingest_result_release(&res);
		/* without spyName it is still there ("unknown") */
		snprintf(q, sizeof(q), "name=app%%7Bpyroscope_spy%%3Dx%%7D%s", fmts[i]);
		rc = legacy(q, i == 1, &res);
		ti_assert_refused(rc, &res, i == 1 ? 422 : 400);
		ingest_result_release(&res);
		/* an empty one: the builder drops the name, spyName's value with it */
		snprintf(q, sizeof(q), "name=app%%7Bpyroscope_spy%%3D%%2Ck%%3Dv%%7D&spyName=gospy%s",
			 fmts[i]);
		rc = legacy(q, i == 1, &res);
		ti_assert_ok(rc, &res, 1);
		assert_null(labelset_get(&res.items[0].series, "pyroscope_spy"));
		assert_string_equal(label(&res.items[0], "k"), "v");
		assert_string_equal(label(&res.items[0], "service_name"), "app");
		ingest_result_release(&res);
		/* an empty service_name in the name: refused, as upstream */
		snprintf(q, sizeof(q), "name=app%%7Bservice_name%%3D%%7D%s", fmts[i]);
		rc = legacy(q, i == 1, &res);
		ti_assert_refused(rc, &res, i == 1 ? 422 : 400);
		assert_non_null(strstr(res.reason, "service name is not provided"));
		ingest_result_release(&res);
		/* the usual case is untouched */
		snprintf(q, sizeof(q), "name=app%%7Benv%%3Dprod%%7D&spyName=gospy%s", fmts[i]);
		rc = legacy(q, i == 1, &res);
		ti_assert_ok(rc, &res, 1);
		assert_string_equal(label(&res.items[0], "pyroscope_spy"), "gospy");
		assert_string_equal(label(&res.items[0], "env"), "prod");
		ingest_result_release(&res);
	}
}

/* The profile type ID of an item's only sample type. */
static void assert_type(const struct ingest_item *it, const char *want)
{
	struct buf got = BUF_INIT;

	assert_int_equal(it->prof->ntypes, 1);
	assert_int_equal(labels_profile_type(it->prof, 0, labelset_get(&it->series, "__name__"),
					     &got), 0);
	assert_string_equal(got.data, want);
	buf_release(&got);
}

static bool has_sample_label(const struct prof *p, const char *key, const char *value)
{
	size_t i;

	for (i = 0; i < p->nlabels; i++)
		if (strcmp(prof_str(p, p->labels[i].key), key) == 0 &&
		    strcmp(prof_str(p, p->labels[i].str), value) == 0)
			return true;
	return false;
}

/* One file, two units: upstream stores app.nanoseconds and app.bytes. */
static void test_speedscope_units(void **state)
{
	static const char body[] =
		"{\"$schema\": \"https://www.speedscope.app/file-format-schema.json\","
		" \"shared\": {\"frames\": [{\"name\": \"main\"}, {\"name\": \"work\"}]},"
		" \"profiles\": ["
		"  {\"type\": \"evented\", \"name\": \"cpu\", \"unit\": \"nanoseconds\","
		"   \"startValue\": 0, \"endValue\": 40, \"events\": ["
		"    {\"type\": \"O\", \"frame\": 0, \"at\": 0},"
		"    {\"type\": \"O\", \"frame\": 1, \"at\": 10},"
		"    {\"type\": \"C\", \"frame\": 1, \"at\": 30},"
		"    {\"type\": \"C\", \"frame\": 0, \"at\": 40}]},"
		"  {\"type\": \"sampled\", \"name\": \"heap\", \"unit\": \"bytes\","
		"   \"startValue\": 0, \"endValue\": 150,"
		"   \"samples\": [[0], [0, 1]], \"weights\": [100, 50]}]}";
	struct ingest_result res;
	const struct ingest_item *ns = NULL, *bytes = NULL;
	struct ti_req r = { 0 };
	size_t i;
	int rc;

	(void)state;
	ti_req_init(&r, "POST", "/ingest", "name=app%7Benv%3Dprod%7D&format=speedscope");
	ti_req_body(&r, body, strlen(body));
	rc = ti_run(&r, NULL, &res);
	ti_assert_ok(rc, &res, 2);
	for (i = 0; i < 2; i++) {
		if (strcmp(label(&res.items[i], "__name__"), "wall") == 0)
			ns = &res.items[i];
		else if (strcmp(label(&res.items[i], "__name__"), "memory") == 0)
			bytes = &res.items[i];
	}
	assert_non_null(ns);
	assert_non_null(bytes);
	/* app.nanoseconds: wall time in exact nanoseconds */
	assert_type(ns, "wall:wall:nanoseconds:cpu:nanoseconds");
	tu_assert_i64(prof_total(ns->prof, 0), 40);
	assert_true(has_sample_label(ns->prof, "profile_name", "cpu"));
	assert_false(has_sample_label(ns->prof, "profile_name", "heap"));
	/* app.bytes: memory samples in bytes (no period: bytes have no sample rate) */
	assert_type(bytes, "memory:samples:bytes::");
	tu_assert_i64(prof_total(bytes->prof, 0), 150);
	assert_true(has_sample_label(bytes->prof, "profile_name", "heap"));
	for (i = 0; i < 2; i++) {
		assert_string_equal(label(&res.items[i], "service_name"), "app");
		assert_string_equal(label(&res.items[i], "env"), "prod");
		tu_check_invariants(res.items[i].prof);
	}
	ingest_result_release(&res);
	/* a unit that names no profile type (none) in a file of several: refused (422, as
	 * upstream's speedscope converter answers), nothing kept */
	{
		struct buf b = BUF_INIT;
		const char *at = strstr(body, "\"bytes\"");

		buf_add(&b, body, (size_t)(at - body));
		buf_puts(&b, "\"none\"");
		buf_puts(&b, at + 7);
		ti_req_body(&r, b.data, b.len);
		ti_refuse(&r, NULL, 422, "unknown profile type 'none'");
		buf_release(&b);
	}
	ti_req_release(&r);
}

/*
 * Unit "none": the weights are sample counts.  Upstream multiplies them by its precision
 * factor 100 and, only when the sampleRate is the default 100, makes the rate 10,000 to
 * undo it; smolder keeps the counts.  The same numbers where the factor is undone (cpu
 * or wall at the default rate: 3 samples at 100 Hz are 30 ms); elsewhere upstream's are
 * 100 times the file's (6 s for 3 samples at 50 Hz, 300 exceptions for 3): smolder's
 * are the file's, a deliberate difference (ingest_text.c).
 */
static void test_speedscope_unit_none(void **state)
{
	static const struct {
		const char *query;
		const char *type;
		int64_t total;  /* upstream: the same, 6000000000, 300, 300 */
	} cases[] = {
		{ "name=app.cpu", "process_cpu:cpu:nanoseconds:cpu:nanoseconds", 30000000 },
		{ "name=app.cpu&sampleRate=50", "process_cpu:cpu:nanoseconds:cpu:nanoseconds",
		  60000000 },
		{ "name=app.exceptions", "exceptions:samples:count::", 3 },
		{ "name=app.cpu&sampleRate=0", "process_cpu:samples:count::", 3 },
	};
	static const char body[] =
		"{\"$schema\": \"https://www.speedscope.app/file-format-schema.json\","
		" \"shared\": {\"frames\": [{\"name\": \"main\"}, {\"name\": \"work\"}]},"
		" \"profiles\": [{\"type\": \"sampled\", \"name\": \"p\", \"unit\": \"none\","
		"   \"startValue\": 0, \"endValue\": 3,"
		"   \"samples\": [[0, 1], [0]], \"weights\": [2, 1]}]}";
	struct ingest_result res;
	struct ti_req r = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char q[128];

		snprintf(q, sizeof(q), "%s&format=speedscope", cases[i].query);
		ti_req_init(&r, "POST", "/ingest", q);
		ti_req_body(&r, body, strlen(body));
		ti_assert_ok(ti_run(&r, NULL, &res), &res, 1);
		assert_type(&res.items[0], cases[i].type);
		tu_assert_i64(prof_total(res.items[0].prof, 0), cases[i].total);
		ingest_result_release(&res);
	}
	ti_req_release(&r);
}

/* Two sampled millisecond profiles (10 ms a;b, 5 ms a); member: the second one's name. */
static void ss_two(struct buf *b, const char *member)
{
	buf_reset(b);
	buf_printf(b, "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
		   "\"shared\":{\"frames\":[{\"name\":\"a\"},{\"name\":\"b\"}]},"
		   "\"profiles\":[{\"type\":\"sampled\",\"unit\":\"milliseconds\","
		   "\"startValue\":0,\"endValue\":10,\"samples\":[[0,1]],\"weights\":[10]},"
		   "{\"type\":\"sampled\",%s\"unit\":\"milliseconds\",\"startValue\":0,"
		   "\"endValue\":10,\"samples\":[[0]],\"weights\":[5]}]}", member);
}

/*
 * Profiles without a name: upstream's converter reads a missing (or null) name as "",
 * so two unnamed profiles of one type, unit and startValue merge into one and the file
 * is not typed by unit (process_cpu, service ssun; it was wall:...:ssun.milliseconds);
 * their samples carry no profile_name (labelset.Add of "" drops it).
 */
static void test_speedscope_unnamed(void **state)
{
	static const char *const unnamed[] = { "", "\"name\":null,", "\"name\":\"\"," };
	struct ingest_result res;
	struct ti_req r = { 0 };
	struct buf body = BUF_INIT;
	const struct prof *p;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		ss_two(&body, unnamed[i]);
		ti_req_init(&r, "POST", "/ingest", "name=ssun&format=speedscope");
		ti_req_body(&r, body.data, body.len);
		ti_assert_ok(ti_run(&r, NULL, &res), &res, 1);
		p = res.items[0].prof;
		assert_string_equal(label(&res.items[0], "service_name"), "ssun");
		assert_type(&res.items[0], "process_cpu:cpu:nanoseconds:cpu:nanoseconds");
		tu_assert_i64(prof_total(p, 0), 15000000);
		assert_int_equal(p->nlabels, 0);
		tu_check_invariants(p);
		ingest_result_release(&res);
	}
	/* a named profile and an unnamed one stay two: typed by unit, as before */
	ss_two(&body, "\"name\":\"x\",");
	ti_req_body(&r, body.data, body.len);
	ti_assert_ok(ti_run(&r, NULL, &res), &res, 1);
	p = res.items[0].prof;
	assert_string_equal(label(&res.items[0], "service_name"), "ssun");
	assert_type(&res.items[0], "wall:wall:nanoseconds:cpu:nanoseconds");
	tu_assert_i64(prof_total(p, 0), 15000000);
	assert_int_equal(p->nlabels, 1);
	assert_true(has_sample_label(p, "profile_name", "x"));
	ingest_result_release(&res);
	ti_req_release(&r);
	buf_release(&body);
}

/*
 * A profile_name in `name` gives way to the speedscope profiles' names, as upstream's
 * parseOne sets (or, for an unnamed profile, deletes) the series' profile_name: the
 * series has none, the samples carry one and two, and a store lists those (it listed
 * only x, which hid them).  A folded body keeps the name's: upstream adds none there.
 */
static void test_speedscope_profile_name(void **state)
{
	struct ingest_result res;
	struct ti_req r = { 0 };
	struct buf body = BUF_INIT;
	struct store *s;
	struct backend *b;
	const struct ingest_item *it;

	(void)state;
	tu_read(SS "two-sampled.speedscope.json", &body);
	ti_req_init(&r, "POST", "/ingest", "name=pn%7Bprofile_name%3Dx%7D&format=speedscope");
	ti_req_body(&r, body.data, body.len);
	ti_assert_ok(ti_run(&r, NULL, &res), &res, 1);
	it = &res.items[0];
	assert_string_equal(label(it, "profile_name"), "(none)");
	assert_true(has_sample_label(it->prof, "profile_name", "one"));
	assert_true(has_sample_label(it->prof, "profile_name", "two"));
	assert_int_equal(tu_tmp_create("labels"), 0);
	s = ts_open_new("pn.db");
	if (store_write(s, NULL, &it->series, it->prof, it->time_ns, it->duration_ns))
		fail_msg("store_write: %s", err_last());
	b = ts_backend_of(s);
	ts_assert_label_values(b, "profile_name", NULL, 2, "one", "two");
	backend_close(b);
	store_close(s);
	tu_tmp_remove();
	ingest_result_release(&res);
	ti_req_init(&r, "POST", "/ingest", "name=pn%7Bprofile_name%3Dx%7D");
	ti_req_body(&r, "a;b 1\n", 6);
	ti_assert_ok(ti_run(&r, NULL, &res), &res, 1);
	assert_string_equal(label(&res.items[0], "profile_name"), "x");
	ingest_result_release(&res);
	ti_req_release(&r);
	buf_release(&body);
}

/*
 * A speedscope file without profiles (no key, null or []): upstream's parseAll converts
 * nothing and the handler answers 200; it was 422 "no 'profiles'".  Profiles that are
 * no array stay refused, as Go's decoder refuses them.
 */
static void test_speedscope_no_profiles(void **state)
{
	static const char *const empty[] = {
		"", ",\"profiles\":[]", ",\"profiles\":null",
		",\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[]",
	};
	struct ingest_result res;
	struct ti_req r = { 0 };
	struct buf body = BUF_INIT;
	size_t i;

	(void)state;
	ti_req_init(&r, "POST", "/ingest", "name=app.cpu&format=speedscope");
	for (i = 0; i < 4; i++) {
		buf_reset(&body);
		buf_printf(&body, "{\"$schema\":\"https://www.speedscope.app/"
			   "file-format-schema.json\"%s}", empty[i]);
		ti_req_body(&r, body.data, body.len);
		ti_assert_ok(ti_run(&r, NULL, &res), &res, 0);
		ingest_result_release(&res);
	}
	buf_reset(&body);
	buf_puts(&body, "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
		 "\"profiles\":{}}");
	ti_req_body(&r, body.data, body.len);
	ti_refuse(&r, NULL, 422, "profiles");
	ti_req_release(&r);
	buf_release(&body);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_label_list),
		cmocka_unit_test(test_legacy_spy_label),
		cmocka_unit_test(test_speedscope_units),
		cmocka_unit_test(test_speedscope_unit_none),
		cmocka_unit_test(test_speedscope_unnamed),
		cmocka_unit_test(test_speedscope_profile_name),
		cmocka_unit_test(test_speedscope_no_profiles),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
