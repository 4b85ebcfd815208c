/*
 * fuzz_ingest.c — fuzz target for the serve protocol layer (src/ingest/ingest.h): both
 * endpoints, /ingest (query, multipart, pprof, folded, lines, speedscope) and push.v1
 * (protobuf, JSON, gzip).
 *
 * The input is split deterministically into a request:
 *   byte 0        mode: bit 0 push.v1 (else /ingest), bit 1 Content-Encoding: gzip,
 *                 bit 2 method GET, bit 3 the query as decoded parameters instead of a
 *                 raw string, bit 4 Connect-Protocol-Version: 1
 *   then          the query string up to the first '\n', the Content-Type up to the
 *                 next '\n' (missing: none), and the rest is the body.
 *
 * With bit 3 the query line is cut at each '&' into up to FUZZ_MAX_PARAMS parameters,
 * each at its first '=' into name and value (no '=': an empty value), and nothing is
 * unescaped: they stand for what libmicrohttpd hands over already decoded, so a value
 * may hold any byte, NUL included (its value_len counts them).  Every parameter /ingest
 * reads (name, format, from, until, spyName, sampleRate; units and aggregationType are
 * sent and unused, as upstream) can come this way as well as in the raw string.
 *
 * Contract checked: 0 with status 200, or a negative ERR_* code with a 4xx (or 500)
 * status, a code, a non-empty one-line reason and no items; every item has __name__ and
 * service_name, none of the names the store derives, and a profile whose call tree and
 * top table add up.  Everything is freed again.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "ingest/ingest.h"

static void check_item(const struct ingest_item *it)
{
	static const char *const derived[] = { "__profile_type__", "__service_name__", "__type__",
					       "__unit__", "__period_type__", "__period_unit__",
					       "__delta__" };
	size_t i;

	if (!it->prof)
		fuzz_broken("an item without a profile");
	if (!labelset_get(&it->series, "__name__") || !labelset_get(&it->series, "service_name"))
		fuzz_broken("an item without __name__ or service_name");
	for (i = 0; i < sizeof(derived) / sizeof(derived[0]); i++)
		if (labelset_get(&it->series, derived[i]))
			fuzz_broken("an item with a label the store derives");
	for (i = 0; i < it->series.n; i++)
		if (!*it->series.v[i].name || !*it->series.v[i].value)
			fuzz_broken("an empty label name or value");
	fuzz_check_profile(it->prof);
}

#define FUZZ_MAX_PARAMS 16

/*
 * The next line of [*p, end): returns a NUL-terminated copy (malloc'd) of *len bytes
 * (len may be NULL).
 */
static char *take_line(const uint8_t **p, const uint8_t *end, int *found, size_t *len)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, *p, n);
	s[n] = '\0';
	if (len)
		*len = n;
	*found = nl != NULL;
	*p = nl ? nl + 1 : end;
	return s;
}

/*
 * line[0..len) cut in place into params (see the header): each '&' and each parameter's
 * first '=' become NULs.  Returns how many.
 */
static size_t split_params(char *line, size_t len, struct ingest_param *params)
{
	size_t n = 0, i = 0, j, k;

	while (i <= len && n < FUZZ_MAX_PARAMS) {
		char *amp = memchr(line + i, '&', len - i);

		j = amp ? (size_t)(amp - line) : len;
		line[j] = '\0';
		params[n].name = line + i;
		params[n].value = line + j;
		params[n].value_len = 0;
		for (k = i; k < j; k++)
			if (line[k] == '=') {
				line[k] = '\0';
				params[n].value = line + k + 1;
				params[n].value_len = j - k - 1;
				break;
			}
		n++;
		i = j + 1;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ingest_header headers[4];
	struct ingest_param params[FUZZ_MAX_PARAMS];
	struct ingest_limits lim;
	struct ingest_request rq;
	struct ingest_result res;
	uint8_t *body;
	const uint8_t *p = data + (size ? 1 : 0), *end = data + size;
	uint8_t mode = size ? data[0] : 0;
	char *query, *ctype;
	int found_q, found_ct, rc;
	size_t i, nh = 0, qlen;

	err_clear();
	ingest_limits_default(&lim);
	lim.max_profile_bytes = (size_t)1 << 20;  /* keeps each run quick */
	query = take_line(&p, end, &found_q, &qlen);
	ctype = take_line(&p, end, &found_ct, NULL);
	memset(&rq, 0, sizeof(rq));
	rq.method = mode & 4 ? "GET" : "POST";
	rq.path = mode & 1 ? "/push.v1.PusherService/Push" : "/ingest";
	if (mode & 8) {
		rq.params = params;
		rq.nparams = split_params(query, qlen, params);
	} else {
		rq.query = query;
	}
	if (found_q && found_ct) {
		headers[nh].name = "Content-Type";
		headers[nh++].value = ctype;
	}
	if (mode & 2) {
		headers[nh].name = "Content-Encoding";
		headers[nh++].value = "gzip";
	}
	if (mode & 16) {
		headers[nh].name = "Connect-Protocol-Version";
		headers[nh++].value = "1";
	}
	rq.headers = headers;
	rq.nheaders = nh;
	/* an exact-size copy of the body, so that ASan sees reads past its end */
	if (!(body = malloc(end > p ? (size_t)(end - p) : 1)))
		abort();
	memcpy(body, p, (size_t)(end - p));
	rq.body = body;
	rq.body_len = (size_t)(end - p);
	rq.now_ns = (int64_t)1700000000 * 1000000000;

	ingest_result_init(&res);
	rc = ingest_handle(&rq, &lim, &res);
	if (rc == 0) {
		if (res.status != 200 || *res.code || res.reason[0])
			fuzz_broken("success without status 200");
		for (i = 0; i < res.n; i++)
			check_item(&res.items[i]);
	} else {
		struct buf eb = BUF_INIT;

		if (rc > 0)
			fuzz_broken("positive error code");
		if (res.n || res.items)
			fuzz_broken("items despite a refusal");
		if (!((res.status >= 400 && res.status < 500) || res.status == 500))
			fuzz_broken("a refusal without a 4xx status");
		if (!res.code || !*res.code)
			fuzz_broken("a refusal without a code");
		fuzz_check_message(res.reason);
		if (ingest_error_body(&res, &eb) || !eb.data)
			fuzz_broken("no error body");
		buf_release(&eb);
	}
	ingest_result_release(&res);
	free(body);
	free(query);
	free(ctype);
	return 0;
}
