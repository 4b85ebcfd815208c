/*
 * test_ingest_refusals.c — malformed requests of every kind to the protocol layer of
 * `smolder serve` (src/ingest/ingest.h), without HTTP: multipart, /ingest, push.v1 and
 * routes.  Each gets its 4xx, a one-line reason naming what is wrong, and no items — a
 * refused request stores nothing.
 */
#include "testutil_ingest.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "ingest/decode.h"
#include "ingest/encode.h"
#include "profile/builder.h"

/* A Go-SDK style request with a profile part and maybe one more must get 422. */
static void mp_refused(const void *prof, size_t n, const char *other, const char *odata,
		       const char *needle)
{
	struct buf body = BUF_INIT;
	struct ti_req r = { 0 };

	ti_mp_part(&body, "profile", "profile.pprof", prof, n);
	if (other)
		ti_mp_part(&body, other, "f", odata, strlen(odata));
	ti_mp_end(&body);
	ti_legacy_multipart(&r, "multipart/form-data; boundary=" BOUNDARY, body.data, body.len);
	ti_refuse(&r, NULL, 422, needle);
	ti_req_release(&r);
	buf_release(&body);
}

static void test_malformed_multipart(void **state)
{
	static const char *const ct = "multipart/form-data; boundary=" BOUNDARY;
	struct buf file = BUF_INIT, body = BUF_INIT, big = BUF_INIT;
	struct ingest_limits lim;
	struct ti_req r = { 0 };
	size_t cut, i;

	(void)state;
	tu_read(OG "cpu.pb.gz", &file);
	ti_mp_part(&body, "profile", "profile.pprof", file.data, file.len);
	ti_mp_end(&body);
	/* the boundary: missing, not in the body, too long, a bad Content-Type */
	ti_legacy_multipart(&r, "multipart/form-data", body.data, body.len);
	ti_refuse(&r, NULL, 422, "boundary");
	ti_legacy_multipart(&r, "multipart/form-data; boundary=other", body.data, body.len);
	ti_refuse(&r, NULL, 422, "boundary");
	/* past 70 characters (RFC 2046) is fine, as in Go's reader; past 1 KiB it is not */
	{
		char lct[1200];
		struct buf lb = BUF_INIT;
		struct ingest_result res;
		static const size_t lens[] = { 71, 1024, 1025 };
		size_t k, blen;

		for (k = 0; k < 3; k++) {
			blen = lens[k];
			memcpy(lct, "multipart/form-data; boundary=", 30);
			memset(lct + 30, 'b', blen);
			lct[30 + blen] = '\0';
			buf_reset(&lb);
			buf_printf(&lb, "--%s\r\nContent-Disposition: form-data; name=\"profile\"; "
				   "filename=\"p\"\r\n\r\n", lct + 30);
			buf_add(&lb, file.data, file.len);
			buf_printf(&lb, "\r\n--%s--\r\n", lct + 30);
			ti_legacy_multipart(&r, "", lb.data, lb.len);
			r.h[0].value = lct;  /* longer than ti_req_header keeps */
			if (blen <= 1024) {
				ti_assert_ok(ti_run(&r, NULL, &res), &res, 1);
				ingest_result_release(&res);
			} else {
				ti_refuse(&r, NULL, 422, "longer than 1024");
			}
		}
		buf_release(&lb);
	}
	ti_legacy_multipart(&r, "multipart/form-data; boundary=\"unterminated", body.data,
			    body.len);
	ti_refuse(&r, NULL, 422, "multipart Content-Type");
	ti_legacy_multipart(&r, "multipart/form-data; boundary=a; boundary=b", body.data, body.len);
	ti_refuse(&r, NULL, 422, "duplicate");
	/*
	 * Any parameter given twice with two values is refused, as Go's ParseMediaType does
	 * (Go 1.20 and later take a repeat with the same value); the names compare
	 * case-insensitively, and `name*` is a name of its own.  Only boundary was checked.
	 */
	{
		static const char *const refused[] = {
			"multipart/form-data; boundary=" BOUNDARY "; foo=1; foo=2",
			"multipart/form-data; FOO=1; boundary=" BOUNDARY "; foo=2",
			"multipart/form-data; boundary=" BOUNDARY "; x=\"1\"; x=\"\"",
			"multipart/form-data; boundary=" BOUNDARY "; boundary*=utf-8''a; "
			"boundary*=utf-8''b",
		};
		static const char *const taken[] = {
			"multipart/form-data; boundary=" BOUNDARY "; boundary=" BOUNDARY,
			"multipart/form-data; boundary=" BOUNDARY "; Foo=1; fOO=\"1\"",
			"multipart/form-data; boundary=" BOUNDARY "; x=\"\"; X=\"\"",
			"multipart/form-data; boundary=" BOUNDARY "; boundary*=utf-8''" BOUNDARY,
		};
		struct ingest_result res;

		for (i = 0; i < 4; i++) {
			ti_legacy_multipart(&r, refused[i], body.data, body.len);
			ti_refuse(&r, NULL, 422, "duplicate parameter");
			ti_legacy_multipart(&r, taken[i], body.data, body.len);
			ti_assert_ok(ti_run(&r, NULL, &res), &res, 1);
			ingest_result_release(&res);
		}
		/* push.v1's Content-Type is read the same way: 415 as for any bad one */
		ti_req_init(&r, "POST", "/push.v1.PusherService/Push", NULL);
		ti_req_header(&r, "Content-Type", "application/proto; a=1; A=2");
		ti_req_body(&r, "", 0);
		ti_refuse(&r, NULL, 415, "Content-Type");
	}
	ti_req_release(&r);
	/* every truncation: never a crash; a cut inside the part is a missing boundary */
	for (cut = 0; cut < body.len - 8; cut += cut < 300 ? 1 : 97) {
		struct ingest_result res;
		int rc;

		ti_legacy_multipart(&r, ct, body.data, cut);
		rc = ti_run(&r, NULL, &res);
		ti_assert_refused(rc, &res, 422);
		ingest_result_release(&res);
		ti_req_release(&r);
	}
	/* headers that never end, a malformed header, a garbage boundary line */
	ti_legacy_multipart(&r, ct, "--" BOUNDARY "\r\nContent-Disposition: form-data", 92);
	ti_refuse(&r, NULL, 422, "headers cut off");
	ti_legacy_multipart(&r, ct, NOCOLON, strlen(NOCOLON));
	ti_refuse(&r, NULL, 422, "malformed header");
	buf_reset(&big);
	ti_mp_part(&big, "profile", "p", "x", 1);
	buf_puts(&big, "--" BOUNDARY " trailing junk\r\n");
	ti_legacy_multipart(&r, ct, big.data, big.len);
	ti_refuse(&r, NULL, 422, "boundary line");
	/* too many parts */
	ingest_limits_default(&lim);
	lim.max_multipart_parts = 10;
	buf_reset(&big);
	for (i = 0; i < 11; i++)
		ti_mp_part(&big, "other", "f", "x", 1);
	ti_mp_end(&big);
	ti_legacy_multipart(&r, ct, big.data, big.len);
	ti_refuse(&r, &lim, 422, "more than 10 parts");
	/* prev_profile (cumulative pairs): unsupported client */
	mp_refused(file.data, file.len, "prev_profile", "x", "prev_profile");
	/* sample_type_config: not JSON, wrong types */
	mp_refused(file.data, file.len, "sample_type_config", "{\"samples\":",
		   "sample_type_config");
	mp_refused(file.data, file.len, "sample_type_config", "{\"samples\":{\"display-name\":5}}",
		   "wrong type");
	/* bad gzip, a lying length, a profile that inflates past the limit */
	mp_refused("\x1f\x8b\x08\x00garbage-garbage-garbage", 27, NULL, NULL, "gzip");
	mp_refused("\x12\xff\xff\xff\x7f\x01", 6, NULL, NULL, "declares");
	{
		char *zeros = calloc(1, (size_t)5 << 20);
		struct buf gz = BUF_INIT;

		tu_gzip(zeros, (size_t)5 << 20, &gz);
		mp_refused(gz.data, gz.len, NULL, NULL, "exceeds limit");
		free(zeros);
		buf_release(&gz);
	}
	ti_req_release(&r);
	buf_release(&file);
	buf_release(&body);
	buf_release(&big);
}

static void test_malformed_legacy(void **state)
{
	struct ingest_limits lim;
	struct buf file = BUF_INIT, body = BUF_INIT;
	struct ti_req r = { 0 };

	(void)state;
	/* method, name */
	ti_req_init(&r, "GET", "/ingest", "name=app");
	ti_refuse(&r, NULL, 405, "POST");
	ti_req_init(&r, "POST", "/ingest", "from=1");
	ti_refuse(&r, NULL, 400, "service name is required");
	ti_req_init(&r, "POST", "/ingest", "name=my+app");
	ti_refuse(&r, NULL, 400, "not allowed");
	ti_req_init(&r, "POST", "/ingest", "name=app%7Bbad-name%3D1%7D");
	ti_refuse(&r, NULL, 400, "label name");
	ti_req_init(&r, "POST", "/ingest", "name=app%7B%3D1%7D");
	ti_refuse(&r, NULL, 400, "label name is required");
	ti_req_init(&r, "POST", "/ingest", "name=app%7Bk%3Da%00b%7D");
	ti_refuse(&r, NULL, 400, "NUL");
	ti_req_init(&r, "POST", "/ingest", "name=app%7B__name__%3D%7D");
	ti_refuse(&r, NULL, 400, "service name is required");
	/* formats that are not served */
	ti_req_init(&r, "POST", "/ingest", "name=app&format=jfr");
	ti_refuse(&r, NULL, 415, "supported: pprof");
	ti_req_init(&r, "POST", "/ingest", "name=app&format=trie");
	ti_refuse(&r, NULL, 415, "'trie'");
	ti_req_init(&r, "POST", "/ingest", "name=app");
	ti_req_header(&r, "Content-Type", "binary/octet-stream+tree");
	ti_refuse(&r, NULL, 415, "'tree'");
	/* folded: a count that is not one (what parsed and is refused: below) */
	ti_req_init(&r, "POST", "/ingest", "name=app.cpu");
	ti_req_body(&r, "a;b 12x\n", 8);
	ti_refuse(&r, NULL, 422, "not a sample count");
	/* speedscope: not speedscope, not JSON */
	ti_req_init(&r, "POST", "/ingest", "name=app&format=speedscope");
	ti_req_body(&r, "{\"profiles\":[]}", 15);
	ti_refuse(&r, NULL, 422, "schema");
	ti_req_body(&r, "{\"$schema\":", 11);
	ti_refuse(&r, NULL, 422, "JSON");
	/* format=pprof with bytes that are no pprof */
	ti_req_init(&r, "POST", "/ingest", "name=app&format=pprof");
	ti_req_body(&r, "\x0a\x05\x08", 3);
	ti_refuse(&r, NULL, 422, "profile");
	/* the body limit, and Content-Encoding gzip inflating past it */
	ingest_limits_default(&lim);
	lim.max_body_bytes = 1000;
	tu_read(DRV "kafka.app.cpu.folded", &file);
	ti_req_init(&r, "POST", "/ingest", "name=kafka.app.cpu");
	ti_req_body(&r, file.data, file.len);
	ti_refuse(&r, &lim, 413, "too large");
	tu_gzip(file.data, file.len, &body);
	assert_true(body.len < 100000);
	lim.max_body_bytes = 100000;
	ti_req_body(&r, body.data, body.len);
	ti_req_header(&r, "Content-Encoding", "gzip");
	ti_refuse(&r, &lim, 413, "inflated");
	ti_req_release(&r);
	/* samples and sample labels over their limits */
	lim.max_body_bytes = (size_t)256 << 20;
	lim.max_samples = 100;
	tu_read(PP "go.cpu.labels.pprof", &file);
	buf_reset(&body);
	ti_mp_part(&body, "profile", "profile.pprof", file.data, file.len);
	ti_mp_end(&body);
	ti_legacy_multipart(&r, "multipart/form-data; boundary=" BOUNDARY, body.data, body.len);
	ti_refuse(&r, &lim, 422, "samples");
	ingest_limits_default(&lim);
	lim.max_sample_labels = 1;
	ti_refuse(&r, &lim, 422, "labels");
	lim.max_samples = 2;  /* folded: the parse stops at the third distinct stack */
	ti_req_init(&r, "POST", "/ingest", "name=app");
	ti_req_body(&r, "a 1\nb 1\nc 1\n", 12);
	ti_refuse(&r, &lim, 400, "distinct stacks");
	ti_req_release(&r);
	buf_release(&file);
	buf_release(&body);
}

static void push_request(struct ti_req *r, const char *ctype, const void *body, size_t n)
{
	ti_req_init(r, "POST", "/push.v1.PusherService/Push", NULL);
	if (ctype)
		ti_req_header(r, "Content-Type", ctype);
	ti_req_body(r, body, n);
}

/* A push.v1 protobuf of these labels and profiles must be refused with 400. */
static void push_refused(const char *const *labels, const struct buf *profs, size_t n,
			 const char *needle)
{
	struct buf body = BUF_INIT;
	struct ti_req r = { 0 };

	ti_push_proto(&body, labels, profs, n);
	push_request(&r, "application/proto", body.data, body.len);
	ti_refuse(&r, NULL, 400, needle);
	ti_req_release(&r);
	buf_release(&body);
}

/*
 * pprof bytes of a one-frame profile whose samples carry one string label each,
 * name[i] = value[i].
 */
static void labelled_pprof(const char *const *names, const char *const *values, size_t n,
			   struct buf *out)
{
	struct prof_builder *b;
	struct prof *p;
	struct prof_function f = { 0 };
	struct prof_line line = { 0, 0 };
	uint32_t ty, un, loc, k, v;
	int64_t val = 1;
	size_t i;

	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "cpu", 3, &ty), 0);
	assert_int_equal(pb_string(b, "nanoseconds", 11, &un), 0);
	assert_int_equal(pb_sample_type(b, ty, un), 0);
	assert_int_equal(pb_string(b, "main.work", 9, &f.name), 0);
	assert_int_equal(pb_function(b, &f, &line.func), 0);
	assert_int_equal(pb_location(b, PROF_NONE, 0x10, &line, 1, &loc), 0);
	for (i = 0; i < n; i++) {
		struct prof_label l = { 0, 0, 0, 0 };

		assert_int_equal(pb_string(b, names[i], strlen(names[i]), &k), 0);
		assert_int_equal(pb_string(b, values[i], strlen(values[i]), &v), 0);
		l.key = k;
		l.str = v;
		assert_int_equal(pb_sample(b, &loc, 1, &val, &l, 1), 0);
	}
	assert_int_equal(pb_finish(b, &p), 0);
	buf_reset(out);
	assert_int_equal(encode_pprof(p, out), 0);
	prof_free(p);
}

/*
 * Sample labels obey the series-label rules; each name and value is checked once, so a
 * bad value or name after many good samples with the same label must still be refused.
 */
static void test_sample_label_checks(void **state)
{
	const char *good[] = { "__name__", "process_cpu", "service_name", "svc", NULL };
	static char longv[2100], longn[1100];
	const char *names[6], *values[6];
	struct buf prof = BUF_INIT, body = BUF_INIT;
	struct ingest_result res;
	struct ti_req r = { 0 };
	size_t i;

	(void)state;
	memset(longv, 'v', sizeof(longv) - 1);
	memset(longn, 'n', sizeof(longn) - 1);
	for (i = 0; i < 6; i++) {
		names[i] = "endpoint";
		values[i] = i % 2 ? "/home" : "/checkout";
	}
	/* good: accepted, one item */
	labelled_pprof(names, values, 6, &prof);
	ti_push_proto(&body, good, &prof, 1);
	push_request(&r, "application/proto", body.data, body.len);
	ti_assert_ok(ti_run(&r, NULL, &res), &res, 1);
	ingest_result_release(&res);
	/* a new value under a name already checked */
	values[5] = longv;
	labelled_pprof(names, values, 6, &prof);
	push_refused(good, &prof, 1, "the value of sample label 'endpoint' is longer than 2048");
	/* a new name with a value already checked */
	values[5] = "/home";
	names[5] = longn;
	labelled_pprof(names, values, 6, &prof);
	push_refused(good, &prof, 1, "sample label name 'nnnn");
	push_refused(good, &prof, 1, "is longer than 1024 bytes");
	/* an empty name */
	names[5] = "";
	labelled_pprof(names, values, 6, &prof);
	push_refused(good, &prof, 1, "a sample label name is empty");
	ti_req_release(&r);
	buf_release(&prof);
	buf_release(&body);
}

static void test_malformed_push(void **state)
{
	const char *good[] = { "__name__", "process_cpu", "service_name", "svc", NULL };
	struct buf file = BUF_INIT, body = BUF_INIT, gz = BUF_INIT, bad = BUF_INIT;
	struct ti_req r = { 0 };
	size_t cut;

	(void)state;
	tu_read(OG "cpu.pb.gz", &file);
	ti_push_proto(&body, good, &file, 1);
	/* transport: method, Content-Type, Connect-Protocol-Version, Content-Encoding */
	{
		static const struct {
			const char *method, *ctype, *header, *value, *needle;
			int status;
		} t[] = {
			{ "GET", "application/proto", NULL, NULL, "POST", 405 },
			{ "POST", NULL, NULL, NULL, "Content-Type", 415 },
			{ "POST", "text/plain", NULL, NULL, "text/plain", 415 },
			{ "POST", "application/grpc+proto", NULL, NULL, "HTTP/2", 415 },
			{ "POST", "application/json; charset=latin1", NULL, NULL, "Type", 415 },
			{ "POST", PROTO, "Connect-Protocol-Version", "2", "Version", 400 },
			{ "POST", PROTO, "Content-Encoding", "br", "compression", 415 },
			{ "POST", PROTO, "Content-Encoding", "gzip", "not gzip", 400 },
		};
		size_t i;

		for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			push_request(&r, t[i].ctype, body.data, body.len);
			r.rq.method = t[i].method;
			if (t[i].header)
				ti_req_header(&r, t[i].header, t[i].value);
			ti_refuse(&r, NULL, t[i].status, t[i].needle);
		}
	}
	tu_gzip(body.data, body.len, &gz);
	gz.data[gz.len - 5] ^= 0x55;  /* the CRC */
	push_request(&r, "application/proto", gz.data, gz.len);
	ti_req_header(&r, "Content-Encoding", "gzip");
	ti_refuse(&r, NULL, 400, "gzip");
	/* every truncation of the protobuf: refused (or, cut between fields, still valid) */
	for (cut = 0; cut < body.len; cut += cut < 64 ? 1 : 61) {
		struct ingest_result res;
		int rc;

		push_request(&r, "application/proto", body.data, cut);
		rc = ti_run(&r, NULL, &res);
		if (rc)
			ti_assert_refused(rc, &res, 400);
		ingest_result_release(&res);
	}
	/* a gzip raw_profile whose size field claims 4 GiB: refused, nothing that big made */
	{
		struct buf p = BUF_INIT, raw = BUF_INIT;

		tu_read_inflated(OG "cpu.pb.gz", &raw);
		tu_gzip(raw.data, raw.len, &p);
		memcpy(p.data + p.len - 4, "\xf0\xff\xff\xff", 4);
		push_refused(good, &p, 1, "gzip");
		buf_release(&p);
		buf_release(&raw);
	}
	/* a field declaring far more bytes than there are */
	push_request(&r, "application/proto", "\x0a\xff\xff\xff\xff\x0f\x0a", 7);
	ti_refuse(&r, NULL, 400, "push.v1.PushRequest");
	/* no profiles; bad raw profiles */
	push_request(&r, "application/proto", "", 0);
	ti_refuse(&r, NULL, 400, "no profiles received");
	{
		struct buf p = BUF_INIT;

		buf_add(&p, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage-garbage", 25);
		push_refused(good, &p, 1, "series 0, profile 0");
		buf_reset(&p);
		push_refused(good, &p, 1, "empty profile");
		buf_release(&p);
	}
	/* labels: no __name__, a duplicate, an empty name, invalid UTF-8, too long, too many */
	{
		const char *noname[] = { "service_name", "svc", NULL };
		const char *dup[] = { "__name__", "process_cpu", "a", "1", "a", "2", NULL };
		const char *empty[] = { "__name__", "process_cpu", "", "1", NULL };
		const char *utf8[] = { "__name__", "process_cpu", "k\xff", "1", NULL };
		const char *nul[] = { "__name__", "process_cpu", "k", "1", NULL };
		char longv[3000];
		const char *toolong[] = { "__name__", "process_cpu", "k", longv, NULL };
		const char *many[64];
		char names[31][8];
		size_t i;

		push_refused(noname, &file, 1, "__name__");
		push_refused(dup, &file, 1, "duplicate label name 'a'");
		push_refused(empty, &file, 1, "empty");
		push_refused(utf8, &file, 1, "UTF-8");
		ti_push_proto(&bad, nul, &file, 1);
		/* patch the value "1" into a NUL byte */
		{
			char *v = memmem(bad.data, bad.len, "\x12\x01" "1", 3);

			assert_non_null(v);
			v[2] = '\0';
		}
		push_request(&r, "application/proto", bad.data, bad.len);
		ti_refuse(&r, NULL, 400, "NUL");
		memset(longv, 'x', sizeof(longv) - 1);
		longv[sizeof(longv) - 1] = '\0';
		push_refused(toolong, &file, 1, "longer than 2048");
		many[0] = "__name__";
		many[1] = "process_cpu";
		for (i = 0; i < 30; i++) {
			snprintf(names[i], sizeof(names[i]), "l%zu", i);
			many[2 + 2 * i] = names[i];
			many[3 + 2 * i] = "v";
		}
		many[62] = NULL;
		push_refused(many, &file, 1, "more than the limit of 30");
	}
	/* all or nothing: a good profile and a bad one store nothing */
	{
		struct buf two[2] = { BUF_INIT, BUF_INIT };

		buf_add(&two[0], file.data, file.len);
		buf_add(&two[1], "\x0a\x02\x08", 3);
		push_refused(good, two, 2, "profile 1");
		buf_release(&two[0]);
		buf_release(&two[1]);
	}
	/* JSON: not JSON, wrong shapes, duplicate keys, bad base64, too many values */
	{
		static const char *const bodies[][2] = {
			{ "", "empty body" },
			{ "{\"series\":[", "invalid JSON" },
			{ "[]", "JSON object" },
			{ "{\"series\":{}}", "array" },
			{ "{\"series\":[{\"labels\":[{\"name\":5}]}]}", "string" },
			{ "{\"series\":[{\"samples\":[{\"rawProfile\":\"!!!!\"}]}]}", "base64" },
			{ "{\"series\":[{\"samples\":[{\"rawProfile\":\"QUJD=\"}]}]}", "base64" },
			{ "{\"series\":[],\"series\":[]}", "JSON" },
			{ "{\"series\":[{\"samples\":[{\"rawProfile\":\"\","
			  "\"raw_profile\":\"\"}]}]}", "twice" },
			{ "{\"series\":[{\"labels\":[{\"name\":\"__name__\","
			  "\"value\":\"x\\u0000\"}]}]}", "JSON" },
			{ "{}", "no profiles received" },
		};
		size_t i;

		for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
			push_request(&r, "application/json", bodies[i][0], strlen(bodies[i][0]));
			ti_refuse(&r, NULL, 400, bodies[i][1]);
		}
		buf_reset(&bad);
		buf_puts(&bad, "{\"x\":[");
		for (i = 0; i < ((size_t)1 << 18) + 10; i++)
			buf_puts(&bad, "0,");
		buf_puts(&bad, "0]}");
		push_request(&r, "application/json", bad.data, bad.len);
		ti_refuse(&r, NULL, 413, "values");
	}
	/* a body over the limit; a push of tiny messages over the decode budget */
	{
		struct ingest_limits lim;
		size_t i;

		ingest_limits_default(&lim);
		lim.max_body_bytes = 100;
		push_request(&r, "application/proto", body.data, body.len);
		ti_refuse(&r, &lim, 413, "too large");
		buf_reset(&bad);
		buf_puts(&bad, "\x0a\xff\xff\x7f");  /* one series of 2 MiB - 1 ... */
		for (i = 0; i < ((size_t)2 << 20) / 2 - 1; i++)
			buf_add(&bad, "\x12\x00", 2);  /* ... holding empty samples */
		buf_add(&bad, "\x12", 1);
		push_request(&r, "application/proto", bad.data, bad.len);
		ti_refuse(&r, NULL, 413, "MiB to decode");
	}
	ti_req_release(&r);
	buf_release(&file);
	buf_release(&body);
	buf_release(&gz);
	buf_release(&bad);
}

/*
 * What a text body that parsed is refused with.  Pyroscope's folded and lines converter
 * wraps the adapter's error in ingestion.Error and the handler writes the Connect error
 * inside it (invalid_argument → 400), while its speedscope converter returns that error
 * bare, which the handler answers with 422 "unknown".
 */
static void refused_after_parse(const char *query, const void *body, size_t n,
				const struct ingest_limits *lim, int status, const char *code,
				const char *needle)
{
	struct ingest_result res;
	struct ti_req r = { 0 };
	int rc;

	ti_req_init(&r, "POST", "/ingest", query);
	ti_req_body(&r, body, n);
	rc = ti_run(&r, lim, &res);
	ti_assert_refused(rc, &res, status);
	assert_string_equal(res.code, code);
	if (!strstr(res.reason, needle))
		fail_msg("%s: reason '%s' does not mention '%s'", query, res.reason, needle);
	ingest_result_release(&res);
	ti_req_release(&r);
}

static void test_legacy_refused_after_parse(void **state)
{
	struct ingest_limits lim;
	struct buf ss = BUF_INIT;
	char labels[1024];
	size_t i, n = 0;

	(void)state;
	ingest_limits_default(&lim);
	tu_read(SS "simple.speedscope.json", &ss);
	/* a time past the ingestion window (10 min ahead) */
	refused_after_parse("name=fold.cpu&from=now%2B11m", "a;b 1\n", 6, NULL, 400,
			    "invalid_argument", "ingestion window");
	refused_after_parse("name=fold.cpu&format=lines&from=now%2B11m", "a;b\n", 4, NULL, 400,
			    "invalid_argument", "ingestion window");
	refused_after_parse("name=ss.cpu&format=speedscope&from=now%2B11m", ss.data, ss.len,
			    NULL, 422, "unknown", "ingestion window");
	/* an unknown type suffix */
	refused_after_parse("name=my.app", "a;b 1\n", 6, NULL, 400, "invalid_argument",
			    "unknown profile type 'app'");
	refused_after_parse("name=my.app&format=speedscope", ss.data, ss.len, NULL, 422,
			    "unknown", "unknown profile type 'app'");
	/* labels: 27 in the name + __name__, __delta__, pyroscope_spy, service_name */
	for (i = 0; i < 27; i++)
		n += (size_t)snprintf(labels + n, sizeof(labels) - n, "%sl%zu%%3Dv",
				      i ? "%2C" : "", i);
	{
		char q[2048];

		snprintf(q, sizeof(q), "name=app%%7B%s%%7D", labels);
		refused_after_parse(q, "a 1\n", 4, NULL, 400, "invalid_argument",
				    "more than the limit of 30");
		snprintf(q, sizeof(q), "name=app%%7B%s%%7D&format=speedscope", labels);
		refused_after_parse(q, ss.data, ss.len, NULL, 422, "unknown",
				    "more than the limit of 30");
	}
	/* the profile's limits: the file has more than one stack */
	lim.max_samples = 1;
	refused_after_parse("name=app.cpu&format=speedscope", ss.data, ss.len, &lim, 422,
			    "unknown", "samples");
	buf_release(&ss);
}

static void test_routes_and_errors(void **state)
{
	struct ingest_result res;
	struct buf out = BUF_INIT;
	struct ti_req r = { 0 };
	json_t *j;

	(void)state;
	assert_int_equal(ingest_route("/ingest"), INGEST_ROUTE_LEGACY);
	assert_int_equal(ingest_route("/pyroscope/ingest?name=x"), INGEST_ROUTE_LEGACY);
	assert_int_equal(ingest_route("/push.v1.PusherService/Push"), INGEST_ROUTE_PUSH);
	assert_int_equal(ingest_route("/ingestx"), INGEST_ROUTE_NONE);
	ti_req_init(&r, "POST", "/nope\x1b[31m", NULL);
	ti_assert_refused(ti_run(&r, NULL, &res), &res, 404);
	assert_string_equal(res.code, "unimplemented");
	/* the error body is JSON with the code and the reason */
	assert_int_equal(ingest_error_body(&res, &out), 0);
	assert_non_null(j = json_loadb(out.data, out.len, 0, NULL));
	assert_string_equal(json_string_value(json_object_get(j, "code")), "unimplemented");
	assert_string_equal(json_string_value(json_object_get(j, "message")), res.reason);
	json_decref(j);
	ingest_result_release(&res);
	/* 422 from /ingest is "unknown", as Pyroscope's HTTPToCode says */
	assert_string_equal(ingest_status_code(422), "unknown");
	assert_string_equal(ingest_status_code(413), "invalid_argument");
	/* a body trickled past --request-timeout: not "unknown" */
	assert_string_equal(ingest_status_code(408), "deadline_exceeded");
	buf_release(&out);
}

/*
 * protobuf-c allocates every sub-message and string it unpacks: a pprof padded with 2 M
 * empty strings (4 MiB, a few KiB once gzipped) took ~200 MB to unpack.  The unpack is
 * bounded (INGEST_UNPACK_LIMIT), and the refusal says why; the profile before the
 * padding still goes through.
 */
static void test_unpack_budget(void **state)
{
	const char *labels[] = { "__name__", "process_cpu", "service_name", "svc", NULL };
	const char *names[] = { "endpoint" }, *values[] = { "/home" };
	struct buf prof = BUF_INIT, raw = BUF_INIT, body = BUF_INIT;
	struct ingest_result res;
	struct ti_req r = { 0 };
	size_t i, pad = ((size_t)4 << 20) / 2 - 4096;

	(void)state;
	labelled_pprof(names, values, 1, &prof);
	ti_push_proto(&body, labels, &prof, 1);
	push_request(&r, "application/proto", body.data, body.len);
	ti_assert_ok(ti_run(&r, NULL, &res), &res, 1);
	ingest_result_release(&res);
	ti_req_release(&r);
	assert_int_equal(decode_inflate((const uint8_t *)prof.data, prof.len, 1 << 20, &raw), 0);
	for (i = 0; i < pad; i++)
		assert_int_equal(buf_add(&raw, "\x32\x00", 2), 0);  /* string_table: "" */
	assert_true(raw.len <= ((size_t)4 << 20));
	push_refused(labels, &raw, 1, "the profile needs more than 80 MiB of memory to unpack");
	buf_release(&prof);
	buf_release(&raw);
	buf_release(&body);
}

/*
 * A speedscope body of `depth` frames opened one inside the other, then closed: every
 * event after the first ends an interval of weight 1, a sample of the whole open stack,
 * so 2 × depth - 1 samples and about depth² stack entries.
 */
static void evented_nest(struct buf *b, size_t depth)
{
	size_t i;

	buf_printf(b, "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
		   "\"shared\":{\"frames\":[{\"name\":\"f\"}]},\"profiles\":[{\"type\":"
		   "\"evented\",\"name\":\"p\",\"unit\":\"none\",\"startValue\":0,"
		   "\"endValue\":%zu,\"events\":[", 2 * depth);
	for (i = 0; i < 2 * depth; i++)
		buf_printf(b, "%s{\"type\":\"%c\",\"frame\":0,\"at\":%zu}", i ? "," : "",
			   i < depth ? 'O' : 'C', i);
	buf_puts(b, "]}]}");
}

/*
 * /ingest decoded a whole evented speedscope profile before its sample limit refused it:
 * 9000 nested frames (17,999 samples, 81 M stack entries, 0.5 MB of JSON) took seconds
 * and gigabytes, and a 98 KB gzip body ran `smolder serve` out of memory.  The decode
 * now stops at the sample past the limit, its stacks no deeper than the depth limit
 * keeps, which drops their leaf-most frames as ingest_prof_check does.
 */
static void test_speedscope_evented_bounded(void **state)
{
	struct ingest_limits lim;
	struct ingest_result res;
	struct buf body = BUF_INIT;
	struct ti_req r = { 0 };
	const struct prof *p;
	uint32_t i, deepest = 0;

	(void)state;
	evented_nest(&body, 9000);
	ti_req_init(&r, "POST", "/ingest", "name=app.cpu&format=speedscope");
	ti_req_body(&r, body.data, body.len);
	ti_refuse(&r, NULL, 422, "speedscope: profiles[0].events[16001]: more than 16000 "
		  "samples, the limit of samples per profile");
	ti_req_release(&r);
	/* within the sample limit: every stack cut to its 100 root-most frames */
	ingest_limits_default(&lim);
	lim.max_stack_depth = 100;
	buf_reset(&body);
	evented_nest(&body, 1500);
	ti_req_init(&r, "POST", "/ingest", "name=app.cpu&format=speedscope");
	ti_req_body(&r, body.data, body.len);
	ti_assert_ok(ti_run(&r, &lim, &res), &res, 1);
	p = res.items[0].prof;
	assert_int_equal(p->nsamples, 2999);
	for (i = 0; i < p->nsamples; i++)
		if (p->samples[i].nlocs > deepest)
			deepest = p->samples[i].nlocs;
	assert_int_equal(deepest, 100);
	assert_int_equal(p->samples[0].nlocs, 1);
	ingest_result_release(&res);
	ti_req_release(&r);
	buf_release(&body);
}

/*
 * The refusals above, measured: the speedscope decoder checks and counts every sample
 * before it makes any, so a profile past a limit is refused with little memory.  A
 * refused evented profile of 9,000 nested frames had made 16,000 samples of 1,000
 * frames each before /ingest refused the 16,001st (the peak grew by 60 MB), and 12,728
 * samples (64 M stack entries; 257 MB) before the decode `smolder top` runs refused it
 * past SPEEDSCOPE_MAX_STACK_ENTRIES.  Measured in a child process, whose peak starts at
 * the parent's size.  Not under AddressSanitizer, whose quarantine and shadow memory
 * keep what is freed.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TIR_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define TIR_ASAN 1
#endif

#ifndef TIR_ASAN
/*
 * In a child: the body pushed to /ingest?format=speedscope (default limits), then decoded
 * as `smolder top` does.  grown[0..2) is how much the child's peak resident memory grew
 * in KB for each, or -1 when it was not refused as expected (said on stderr).
 */
static void speedscope_refusal_grown_kb(const struct buf *body, long grown[2])
{
	int fd[2], status;
	pid_t pid;

	grown[0] = grown[1] = -1;
	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct ingest_result res;
		struct rusage before, after;
		struct ti_req r = { 0 };
		struct prof *p = NULL;
		long g[2] = { -1, -1 };
		int rc;

		close(fd[0]);
		ti_req_init(&r, "POST", "/ingest", "name=app.cpu&format=speedscope");
		ti_req_body(&r, body->data, body->len);
		getrusage(RUSAGE_SELF, &before);
		rc = ti_run(&r, NULL, &res);
		getrusage(RUSAGE_SELF, &after);
		if (rc < 0 && res.status == 422 && strstr(res.reason, "more than 16000 samples"))
			g[0] = after.ru_maxrss - before.ru_maxrss;
		else
			fprintf(stderr, "child: /ingest: %d %d '%s'\n", rc, res.status, res.reason);
		ingest_result_release(&res);
		ti_req_release(&r);
		rc = speedscope_decode(body->data, body->len, &p);
		getrusage(RUSAGE_SELF, &after);
		if (rc == ERR_TOOBIG && !p && strstr(err_last(), "stack entries"))
			g[1] = after.ru_maxrss - before.ru_maxrss;
		else
			fprintf(stderr, "child: decode: %d '%s'\n", rc, rc ? err_last() : "");
		prof_free(p);
		if (write(fd[1], g, sizeof(g)) != (ssize_t)sizeof(g))
			_exit(2);
		_exit(0);
	}
	close(fd[1]);
	assert_int_equal(read(fd[0], grown, 2 * sizeof(*grown)), (ssize_t)(2 * sizeof(*grown)));
	close(fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
#endif

/* Both refusals of 9,000 nested frames within 16 MB (about 1 MB now). */
static void test_speedscope_refusal_memory(void **state)
{
#ifdef TIR_ASAN
	(void)state;
	skip();
#else
	struct buf body = BUF_INIT;
	long grown[2];

	(void)state;
	evented_nest(&body, 9000);
	speedscope_refusal_grown_kb(&body, grown);
	buf_release(&body);
	if (grown[0] < 0 || grown[0] >= 16 * 1024)
		fail_msg("/ingest's refusal grew the peak by %ld KB", grown[0]);
	if (grown[1] < 0 || grown[1] >= 16 * 1024)
		fail_msg("the decoder's refusal grew the peak by %ld KB", grown[1]);
#endif
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed_multipart),
		cmocka_unit_test(test_malformed_legacy),
		cmocka_unit_test(test_legacy_refused_after_parse),
		cmocka_unit_test(test_malformed_push),
		cmocka_unit_test(test_sample_label_checks),
		cmocka_unit_test(test_routes_and_errors),
		cmocka_unit_test(test_unpack_budget),
		cmocka_unit_test(test_speedscope_evented_bounded),
		cmocka_unit_test(test_speedscope_refusal_memory),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("ingest_refusals", tests, NULL, NULL) ? 1 : 0;
}
