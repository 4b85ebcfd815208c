/*
 * testutil_ingest.h — what the ingest protocol tests share (test_ingest_proto.c,
 * test_ingest_refusals.c): requests for ingest_handle() built the way real clients send
 * them, multipart and push.v1 bodies, and the checks on a result.
 *
 * Every helper fails the running cmocka test on error.  Ownership: a struct ti_req owns
 * its body (ti_req_release()); the body builders write into the caller's buf.
 */
#ifndef SMOLDER_TESTUTIL_INGEST_H
#define SMOLDER_TESTUTIL_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "ingest/ingest.h"
#include "testutil.h"

/* the shared fixtures' folders (under ../shared/testdata) */
#define PP   "pyroscope/grafana-pyroscope/pkg/pprof/testdata/"
#define OG   "pyroscope/grafana-pyroscope/pkg/og/convert/pprof/testdata/"
#define PH   "pyroscope/grafana-pyroscope/pkg/phlaredb/testdata/"
#define GP   "pyroscope/google-pprof/internal/"
#define SS   "pyroscope/grafana-pyroscope/pkg/og/convert/speedscope/testdata/"
#define DRV  "pyroscope/derived/"
#define NODE "pyroscope-nodejs/"

#define PROTO "application/proto"
#define BOUNDARY "9d2f9b1c0e5a4f3d8b7a6c5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e"
/* a part whose header line has no colon */
#define NOCOLON "--" BOUNDARY "\r\nno colon here\r\n\r\nx\r\n--" BOUNDARY "--\r\n"

/* One request; zero it ({ 0 }) before its first ti_req_init. */
struct ti_req {
	struct ingest_request rq;
	struct ingest_header h[16];
	char hv[16][512];
	struct buf body;
};

/* The wall clock in nanoseconds. */
int64_t ti_now_ns(void);
/* Starts r afresh (a reused one keeps no old body); now_ns is the wall clock. */
void ti_req_init(struct ti_req *r, const char *method, const char *path, const char *query);
/* Adds a header (at most 16; the value is copied). */
void ti_req_header(struct ti_req *r, const char *name, const char *value);
/* Sets the body (copied). */
void ti_req_body(struct ti_req *r, const void *data, size_t n);
void ti_req_release(struct ti_req *r);
/* ingest_handle() on r with a fresh result and a clear error. */
int ti_run(struct ti_req *r, const struct ingest_limits *lim, struct ingest_result *out);
/* A 200 with nitems items. */
void ti_assert_ok(int rc, const struct ingest_result *res, size_t nitems);
/* A refusal: the status, no items, a good one-line reason, err_last() the same. */
void ti_assert_refused(int rc, const struct ingest_result *res, int status);
/* Runs r and expects a refusal with that status whose reason mentions needle (if any). */
void ti_refuse(struct ti_req *r, const struct ingest_limits *lim, int status,
	       const char *needle);

/* One multipart part as Go's multipart.Writer.CreateFormFile writes it, appended to b. */
void ti_mp_part(struct buf *b, const char *name, const char *filename, const void *data,
		size_t n);
/* The closing boundary. */
void ti_mp_end(struct buf *b);
/* A push.v1 PushRequest (protobuf) of one series: labels are name, value, ..., NULL. */
void ti_push_proto(struct buf *out, const char *const *labels, const struct buf *profs,
		   size_t nprof);
/* The same request in proto3 JSON (camelCase, bytes base64). */
void ti_push_json(struct buf *out, const char *const *labels, const struct buf *profs,
		  size_t nprof);
/* A POST /ingest?name=app&spyName=gospy with this Content-Type and body. */
void ti_legacy_multipart(struct ti_req *r, const char *ctype, const void *body, size_t n);

#endif
