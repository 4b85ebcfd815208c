/*
 * fuzz_querier.c — fuzz target for the read side of `smolder serve` (store/querier_server.h):
 * Pyroscope's Connect query methods in both codecs and the legacy /pyroscope/render,
 * render-diff and label-values endpoints, answered from a real SQLite store.  What a
 * client off loopback sends here is untrusted.
 *
 * The store is made once per process in a temporary directory (removed at exit): the
 * example profiles cpuwork (two pushes, labels region=eu/us) and heapwork, ten seconds
 * apart from T0, so that queries find data.  Reads do not change it.
 *
 * The input is split deterministically into a request:
 *   byte 0        bit 0 JSON (else proto), bit 1 Content-Encoding: gzip, bits 2-3 the
 *                 route (0, 1 Connect, 2 /pyroscope/render, 3 render-diff), bit 4 GET
 *                 for Connect (refused), bit 5 /pyroscope/label-values instead of render
 *   then          up to the first '\n': the Connect method name, or the query string
 *   the rest      the body
 *
 * Contract checked: 0 with status 200 and a Content-Type, and a JSON answer that parses
 * as JSON; or a negative ERR_* code with a 4xx/5xx status, a Connect code or plain text,
 * and a non-empty one-line, terminal-safe reason.  Everything is freed again.
 * Seeds: tests/fuzz/corpus/querier (tests/fuzz/make_querier_corpus.py).
 */
#include "fuzz.h"

#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "ingest/decode.h"
#include "profile/labels.h"
#include "store/querier_server.h"
#include "store/store.h"

#define SEC 1000000000LL
#define T0  (1700000000LL * SEC)

static char dir[64];
static struct store *st;
static struct backend *be;

static int rm_one(const char *p, const struct stat *s, int flag, struct FTW *f)
{
	(void)s, (void)flag, (void)f;
	return remove(p);
}

static void cleanup(void)
{
	backend_close(be);
	store_close(st);
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void put(const char *service, const char *file, int64_t t, const char *k, const char *v)
{
	struct labelset ls = LABELSET_INIT;
	struct buf b = BUF_INIT;
	struct prof *p = NULL;
	char path[512];

	snprintf(path, sizeof(path), "%s/examples/%s", SMOLDER_SOURCE_DIR, file);
	if (buf_read_file(&b, path, DECODE_MAX_INPUT) ||
	    decode_profile((const uint8_t *)b.data, b.len, file, &p))
		fuzz_broken("cannot read an example profile for the store");
	labelset_set(&ls, "service_name", service);
	labelset_set(&ls, k, v);
	if (store_write(st, NULL, &ls, p, t, 10 * SEC))
		fuzz_broken("cannot fill the store");
	labelset_free(&ls);
	prof_free(p);
	buf_release(&b);
}

static void setup_once(void)
{
	char path[96];

	if (be)
		return;
	snprintf(dir, sizeof(dir), "/tmp/smolder-fuzz-querier-XXXXXX");
	if (!mkdtemp(dir))
		fuzz_broken("cannot make a temporary directory");
	snprintf(path, sizeof(path), "%s/q.db", dir);
	if (store_open(path, STORE_CREATE, &st) || store_backend_new(st, NULL, &be))
		fuzz_broken("cannot open the store");
	atexit(cleanup);
	put("cpuwork", "cpuwork-cpu.pb.gz", T0, "region", "eu");
	put("cpuwork", "cpuwork-cpu-after-scoreRecords-3x.pb.gz", T0 + 10 * SEC, "region", "us");
	put("heapwork", "heapwork-heap.pb.gz", T0 + 5 * SEC, "service.version", "1.2");
}

static void check(int rc, const struct querier_reply *out)
{
	if (rc == 0) {
		if (out->status != 200 || !out->content_type)
			fuzz_broken("a success without status 200 and a Content-Type");
		if (strcmp(out->content_type, "application/json") == 0) {
			json_t *j = json_loadb(out->body.data ? out->body.data : "", out->body.len,
					       0, NULL);

			if (!j)
				fuzz_broken("a JSON answer that is not JSON");
			json_decref(j);
		}
		return;
	}
	if (rc > 0)
		fuzz_broken("a positive return code");
	if (out->status < 400 || out->status > 599)
		fuzz_broken("a refusal without a 4xx or 5xx status");
	fuzz_check_message(out->reason);
	fuzz_check_message(err_last());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const routes[] = { "/pyroscope/render", "/pyroscope/render-diff" };
	struct ingest_header h[3];
	struct ingest_request rq;
	struct querier_reply out;
	const uint8_t *nl;
	char *line, path[160];
	size_t nh = 0, llen;
	unsigned mode;
	int rc;

	if (size < 1)
		return 0;
	setup_once();
	mode = data[0];
	data++, size--;
	nl = memchr(data, '\n', size);
	llen = nl ? (size_t)(nl - data) : size;
	line = malloc(llen + 1);
	if (!line)
		return 0;
	memcpy(line, data, llen);
	line[llen] = '\0';
	data += nl ? llen + 1 : llen;
	size -= nl ? llen + 1 : llen;

	memset(&rq, 0, sizeof(rq));
	h[nh++] = (struct ingest_header){ "Content-Type",
					  mode & 1 ? "application/json" : "application/proto" };
	if (mode & 2)
		h[nh++] = (struct ingest_header){ "Content-Encoding", "gzip" };
	h[nh++] = (struct ingest_header){ "Accept", "*/*;allow-utf8-labelnames=true" };
	if (((mode >> 2) & 3) < 2) {
		snprintf(path, sizeof(path), "/querier.v1.QuerierService/%.100s", line);
		rq.method = mode & 16 ? "GET" : "POST";
		rq.path = path;
	} else {
		rq.method = "GET";
		rq.path = mode & 32 ? "/pyroscope/label-values" : routes[((mode >> 2) & 3) - 2];
		rq.query = line;
	}
	rq.headers = h;
	rq.nheaders = nh;
	rq.body = data;
	rq.body_len = size;
	rq.now_ns = T0 + 60 * SEC;
	err_clear();
	querier_reply_init(&out);
	rc = querier_handle(be, NULL, &rq, &out);
	check(rc, &out);
	querier_reply_release(&out);
	free(line);
	return 0;
}
