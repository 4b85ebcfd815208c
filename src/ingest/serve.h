/*
 * serve.h — `smolder serve`: the HTTP listener in front of ingest_handle() and the
 * store, on libmicrohttpd.
 *
 * Threads: libmicrohttpd's pool (opts.http_threads, 2 by default) receives requests;
 * once a push's body is in, its connection is suspended (MHD_suspend_connection: it
 * holds no thread while it waits) and one of opts.threads decoders (one per CPU, at most
 * 4, by default) runs ingest_handle() on it, so at most `threads` requests are decoded at
 * once, spread over the decoders whichever HTTP thread the connection is bound to
 * (serve_pool.c).  One writer thread owns the store's write connection; a decoded push
 * is queued for it.  The writer takes everything queued and writes it in one transaction
 * (store_begin, store_write per profile, store_commit); a syncer thread fdatasyncs the
 * WAL for every batch committed before the call and resumes each waiting connection with
 * its own answer — so a 2xx is sent only once the profile is committed and synced (group
 * commit; serve_writer.c).  Between batches the writer runs retention, downsampling and
 * --max-store-size eviction.  Read routes run on opts.read_threads reader threads
 * (serve_pool.c), their connections suspended meanwhile.
 *
 * Bounds: a body limit (opts.limits.max_body_bytes: 413 as soon as Content-Length or the
 * received bytes pass it), `max_inflight` pushes admitted at once (from their headers to
 * their answer) and `max_queue` profiles waiting for the writer; past either, 429 with
 * Retry-After.  Idle connections time out (idle_timeout_s).  A request's headers are due
 * request_timeout_ms after the accept (after an answer on a kept-alive connection, the
 * longer of it and idle_timeout_s): past it the connection is closed, logged as a 408
 * (serve_conn.c).  A body still incomplete request_timeout_ms after its request began
 * gets 408, a query still running after it 504.
 *
 * Routes are one table in serve.c (serve_routes[]): the push routes, GET /ready,
 * GET /metrics, and read routes — a serve_read_fn answering from a backend opened for
 * the request's tenant.  The querier.v1 API is added there as one more line.
 *
 * Ownership: serve_start() copies what it needs from opts (strings must outlive the
 * server: they are borrowed); serve_stop() stops and frees everything.
 */
#ifndef SMOLDER_SERVE_H
#define SMOLDER_SERVE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "ingest/ingest.h"
#include "store/backend.h"

enum serve_log_level { SERVE_LOG_DEBUG, SERVE_LOG_INFO, SERVE_LOG_WARN, SERVE_LOG_ERROR };

/* Profiles older than after_ns are merged into rollups of bucket_ns. */
struct serve_downsample {
	int64_t after_ns, bucket_ns;
};

#define SERVE_MAX_DOWNSAMPLE 4

#define SERVE_MAX_READERS 16

struct serve_opts {
	const char *db;                  /* the store (created when missing) */
	const char *listen;              /* host:port; port 0 picks a free one */
	enum serve_log_level log_level;
	FILE *log;                       /* NULL: stderr */
	const char *auth_file;           /* credentials (serve_auth.c) or NULL */
	bool no_auth;                    /* explicitly anyone, even off loopback */
	const char *tls_cert, *tls_key;  /* PEM files: HTTPS */
	struct ingest_limits limits;     /* max_body_bytes is the HTTP body limit */
	unsigned threads;                /* decoders = pushes decoded at once */
	unsigned http_threads;           /* libmicrohttpd's threads (they only move bytes) */
	unsigned read_threads;           /* queries answered at once (reader threads),
					    1 … SERVE_MAX_READERS */
	unsigned max_inflight;           /* pushes between their headers and their answer */
	size_t max_queue;                /* profiles waiting for the writer */
	unsigned max_connections;
	unsigned idle_timeout_s;         /* a connection silent this long is closed */
	unsigned request_timeout_ms;     /* headers (from the accept, or after an answer
					    the longer of this and idle_timeout_s), then
					    a body must arrive, a query end, within this;
					    0: none */
	uint64_t max_store_bytes;        /* 0: no cap; else oldest-first eviction */
	int64_t retention_ns;            /* 0: keep everything */
	struct serve_downsample downsample[SERVE_MAX_DOWNSAMPLE];
	size_t ndownsample;
	int64_t maintenance_ns;          /* how often retention/downsampling/eviction run */
	size_t batch_max;                /* profiles per transaction at most */
};

/*
 * Defaults: 127.0.0.1:4040, info, a decoder per CPU (at most 4), 2 HTTP threads, 2 read threads, 64
 * in flight, 1024 queued, 8 MiB bodies, 30 s idle, 60 s per request, rollups 1 min after
 * 1 day and 1 h after 7 days, maintenance every minute, 512 profiles per transaction.
 */
void serve_opts_default(struct serve_opts *o);

struct serve;

/*
 * Opens the store, starts the writer and the listener.  Refuses (ERR_USAGE, the message
 * says why and what to pass) a non-loopback address without --auth-file or --no-auth,
 * and credentials off loopback without TLS.  The caller blocks SIGINT/SIGTERM (or not)
 * before calling: the threads started here inherit its signal mask.
 */
int serve_start(const struct serve_opts *o, struct serve **out);
/* The port listened on (the chosen one when opts.listen asked for port 0). */
unsigned serve_port(const struct serve *s);
/*
 * Graceful stop: no new connections, new requests on open ones get 503, in-flight ones
 * finish (up to `grace_s` seconds), the writer commits what is queued, the answers of
 * what it committed are sent (up to 5 s more), the store is checkpointed and closed.
 * NULL is a no-op.
 */
void serve_stop(struct serve *s, unsigned grace_s);

/* ---- read routes (the query API) ---- */

struct serve_reply {
	int status;                /* 200, or the error status */
	const char *content_type;  /* static; NULL: application/octet-stream */
	struct buf body;           /* the body to send (owned; released by the server) */
	char reason[256];          /* for the log line on errors */
};

/*
 * A read route's handler: answers rq (the body is complete) from b, a backend for the
 * request's tenant.  Runs on a reader thread; must not keep b or rq.
 */
typedef int serve_read_fn(struct backend *b, const struct ingest_request *rq,
			  struct serve_reply *out);

/* "10m", "512k", "1GiB", "1024" (bytes) → bytes; units are binary. */
int serve_parse_size(const char *s, uint64_t *out);

#endif
