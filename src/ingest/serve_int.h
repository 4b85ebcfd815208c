/*
 * serve_int.h — what the files of `smolder serve` share (only serve*.c include it):
 *
 *   serve.c          libmicrohttpd glue: the route table, a request's life (admission,
 *                    body, decode, queue, suspend, answer), start and stop
 *   serve_conn.c     a request's bounds as libmicrohttpd reports them: made (its URI),
 *                    completed (the log line and the metrics)
 *   serve_pool.c     the decoders and the readers: threads that run a suspended request
 *   serve_writer.c   the writer thread: the queue, group commit, maintenance
 *   serve_auth.c     the --auth-file credentials, tenant resolution, the listen policy
 *   serve_metrics.c  counters and the Prometheus text of GET /metrics
 *
 * Locking: each of struct serve_pool, serve_writer, serve_metrics and serve_auth has its
 * own mutex; none is held while taking another, and none while calling into
 * libmicrohttpd or the store (but the writer's store calls, which only the writer thread
 * makes).
 */
#ifndef SMOLDER_SERVE_INT_H
#define SMOLDER_SERVE_INT_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/buf.h"
#include "base/err.h"
#include "serve.h"
#include "store/store.h"

struct serve;

/* ---- log (serve.c) ---- */

void serve_log(struct serve *s, enum serve_log_level lvl, const char *fmt, ...) ERR_PRINTF(3, 4);
double serve_now_ms(void);

/* ---- metrics (serve_metrics.c) ---- */

#define SERVE_LAT_BUCKETS 13
#define SERVE_MAX_STATUS_ROWS 96
#define SERVE_MAX_ERROR_ROWS 32

struct serve_metrics {
	pthread_mutex_t mu;
	struct {
		const char *route;  /* static */
		int status;
		uint64_t n;
	} req[SERVE_MAX_STATUS_ROWS];
	size_t nreq;
	struct {
		const char *route;
		uint64_t bucket[SERVE_LAT_BUCKETS + 1];  /* the last is +Inf */
		double sum;
		uint64_t count;
	} lat[16];
	size_t nlat;
	struct {
		const char *reason;  /* static */
		uint64_t n;
	} err[SERVE_MAX_ERROR_ROWS];
	size_t nerr;
	uint64_t bytes_in, profiles_stored, commits, commit_items, decodes, fsyncs;
	double decode_s, write_s, commit_s, fsync_s;
	uint64_t evicted, expired, downsampled, maintenance_runs;
	uint64_t auth_checks;  /* credentials a checker resolved (crypt(3) may have run) */
};

int serve_metrics_init(struct serve_metrics *m);
void serve_metrics_release(struct serve_metrics *m);
/* One finished request: route label, status, body bytes, latency, error reason or NULL. */
void serve_metrics_request(struct serve_metrics *m, const char *route, int status,
			   uint64_t bytes, double ms, const char *err_reason);
void serve_metrics_decode(struct serve_metrics *m, double ms);
void serve_metrics_commit(struct serve_metrics *m, uint64_t stored, double write_ms,
			  double commit_ms);
void serve_metrics_fsync(struct serve_metrics *m, double ms);
void serve_metrics_maint(struct serve_metrics *m, uint64_t expired, uint64_t merged,
			 uint64_t evicted);
void serve_metrics_auth_check(struct serve_metrics *m);
/* Gauges sampled when the page is made. */
struct serve_gauges {
	uint64_t store_bytes, inflight, queued;
	uint64_t decode_waiting, decode_busy, read_waiting, read_busy;  /* the pools */
	uint64_t check_waiting, check_busy;  /* the checkers (with --auth-file) */
};
int serve_metrics_render(struct serve_metrics *m, const struct serve_gauges *g, struct buf *out);

/* ---- auth (serve_auth.c) ---- */

enum serve_cred_kind { SERVE_CRED_BASIC, SERVE_CRED_BEARER };

struct serve_cred {
	enum serve_cred_kind kind;
	char *name;       /* basic: the user; bearer: a label for the log */
	char *secret;     /* a crypt(3) hash, or the plain secret when plain */
	bool plain;
	char **tenants;   /* the first is the default */
	size_t ntenants;
	bool any_tenant;  /* "*" */
};

#define SERVE_AUTH_CACHE 64

struct serve_auth {
	struct serve_cred *v;
	size_t n;
	bool has_plain;
	pthread_mutex_t mu;  /* the cache */
	struct {
		uint64_t lo, hi;  /* keyed hash of (kind, name, secret offered) */
		size_t cred;
		int64_t until_ns;
	} cache[SERVE_AUTH_CACHE];
	size_t cache_next;
	uint64_t seed;
	unsigned char key[32];
};

/* Reads an auth file (format in serve_auth.c); ERR_PARSE names the file and line. */
int serve_auth_load(const char *path, struct serve_auth *out);
void serve_auth_release(struct serve_auth *a);

#define SERVE_TENANT_MAX STORE_TENANT_MAX

/* Who asks and for which tenant: filled by serve_auth_resolve(). */
struct serve_who {
	char tenant[SERVE_TENANT_MAX + 1];
	const char *user;  /* the credential's name (borrowed from the auth), or NULL */
	int status;        /* 0, or 400/401/403 */
	char reason[160];
};

/* serve_auth_resolve()'s flags: crypt(3) may run (milliseconds each: not on an HTTP thread) */
#define SERVE_AUTH_MAY_HASH 1u
/* serve_auth_resolve(): only a hash check could tell; call again with SERVE_AUTH_MAY_HASH */
#define SERVE_AUTH_SLOW 1

/*
 * Resolves a request's tenant.  a NULL (no auth): X-Scope-OrgID, else "anonymous".
 * With auth: the Authorization header must match a credential (else 401), and
 * X-Scope-OrgID, when given, must be one of its tenants (else 403); without it, the
 * credential's first tenant.  A malformed tenant ID is 400.  Returns 0, -1 (who->status),
 * or, without SERVE_AUTH_MAY_HASH, SERVE_AUTH_SLOW when neither the cache of verified
 * credentials nor a plain secret decides (who is then to be filled by the next call).
 * Safe from any thread.
 */
int serve_auth_resolve(struct serve_auth *a, const char *authorization, const char *orgid,
		       unsigned flags, struct serve_who *who);
/* True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104. */
bool serve_addr_is_loopback(const struct sockaddr *sa);
/* --listen's "HOST:PORT" or "[IPv6]:PORT" → a socket address (ERR_USAGE when malformed). */
int serve_listen_parse(const char *listen, struct sockaddr_storage *out, socklen_t *len);
/*
 * The start-up policy (ERR_USAGE saying why not): off loopback, --auth-file or --no-auth,
 * and credentials only over TLS; --tls-cert and --tls-key together.
 */
int serve_listen_policy(const struct serve_opts *o, bool loopback);

/* ---- the decoders and the readers (serve_pool.c) ---- */

/* Threads in one pool, at most. */
#define SERVE_POOL_MAX 64

/* A request waiting for a pool thread: a push to decode, or a query to answer. */
struct serve_pool_job {
	struct serve_pool_job *next;
	/*
	 * On a pool thread: answers the request and resumes its connection, or hands it on
	 * (to the writer).  *cancel becomes SERVE_POOL_CANCELLED or SERVE_POOL_TIMED_OUT to
	 * end it early (a query's store calls poll it).
	 */
	void (*run)(struct serve_pool_job *job, atomic_int *cancel);
	/*
	 * serve_now_ms() when pushed (set by serve_pool_push): a pool's timeout counts from
	 * here, so the wait for a thread is part of it.
	 */
	double queued_ms;
};

enum { SERVE_POOL_CANCELLED = 1, SERVE_POOL_TIMED_OUT = 2 };

struct serve_pool {
	const char *name;            /* static: "decoders", "readers" */
	pthread_mutex_t mu;
	pthread_cond_t cv;           /* jobs for the threads */
	pthread_cond_t wd_cv;        /* the watchdog: a job started, or stop */
	pthread_t th[SERVE_POOL_MAX], watchdog;
	unsigned n;                  /* threads running */
	bool ready, stopping, cancel_all, wd_on, wd_stop;
	struct serve_pool_job *head, *tail;
	size_t queued, max_queued;
	unsigned running;            /* jobs being run */
	double timeout_ms;           /* a job times out this long after its push; 0: never */
	struct serve_pool_slot {
		struct serve_pool *pl;
		atomic_int cancel;   /* this thread's job's flag */
		double deadline_ms;  /* its job's queued_ms + timeout_ms; 0: idle or none */
	} slot[SERVE_POOL_MAX];
};

/*
 * Starts n threads (name, static, for messages); at most max_queued jobs wait for them;
 * a job not done timeout_ms (0: no limit) after its push is timed out: by a watchdog
 * thread while it runs, or at once, its flag already SERVE_POOL_TIMED_OUT, when its
 * time ran out in the queue.
 */
int serve_pool_start(struct serve_pool *pl, const char *name, unsigned n, size_t max_queued,
		     double timeout_ms);
/*
 * Queues job (the caller's: it lives until its run() is done); false when stopping or
 * max_queued jobs wait already.
 */
bool serve_pool_push(struct serve_pool *pl, struct serve_pool_job *job);
/* Running and queued jobs end early (a shutdown that ran out of grace). */
void serve_pool_cancel(struct serve_pool *pl);
/* Jobs waiting and jobs running, for /metrics. */
void serve_pool_counts(struct serve_pool *pl, uint64_t *waiting, uint64_t *running);
/* Runs what is queued, then stops the threads; pushes are refused from then on. */
void serve_pool_stop(struct serve_pool *pl);
/* Stops the threads if need be and frees the rest (no push may follow). */
void serve_pool_release(struct serve_pool *pl);

/* ---- the writer (serve_writer.c) ---- */

/* One request's profiles on their way to the store. */
struct serve_job {
	const char *tenant;
	struct ingest_item *items;  /* borrowed from the request */
	size_t n;
	/* owned by the request: items' store_prepare(), made by a decoder (NULL: none) */
	struct store_prep **preps;
	int rc;                     /* the outcome: 0 or an ERR_* code */
	char reason[256];
	struct serve_job *next;
	/* called on the writer thread once the outcome is known */
	void (*done)(struct serve_job *job);
};

struct serve_writer {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool started, stopping;
	struct serve_job *head, *tail;
	size_t queued;  /* profiles in the queue */
	struct store *store;
	struct serve *srv;
	const struct serve_opts *opts;
	struct serve_metrics *metrics;
	int64_t next_maint_ns;
	double last_size_check_ms;
	bool full;  /* the last batch ran out of space */
	/* the syncer: committed batches waiting for their fsync of the WAL */
	pthread_t sync_thread;
	bool sync_started, sync_stopping;
	bool stopped;  /* by serve_writer_stop(): its mutex and condition variables remain */
	pthread_cond_t sync_cv;
	struct serve_job *sync_head, *sync_tail;
	int wal_fd;
};

int serve_writer_start(struct serve_writer *w, struct serve *srv, struct store *st,
		       const struct serve_opts *o, struct serve_metrics *m);
/*
 * Queues job (its profiles); false when the queue holds max_queue profiles already (an
 * empty queue takes any job).  job->done runs later on the writer thread.
 */
bool serve_writer_push(struct serve_writer *w, struct serve_job *job);
size_t serve_writer_queued(struct serve_writer *w);
/*
 * Writes what is queued, then stops the thread (the store stays open).  The queue's
 * mutex stays for the HTTP threads still answering (/metrics reads the queue's length)
 * until serve_writer_release(), once they have stopped.
 */
void serve_writer_stop(struct serve_writer *w);
void serve_writer_release(struct serve_writer *w);

/* ---- the server and its requests (serve.c, serve_conn.c) ---- */

enum route_kind { ROUTE_PUSH, ROUTE_READ, ROUTE_READY, ROUTE_METRICS };

struct serve_route {
	const char *path;      /* exact, or a prefix when it ends in '/' */
	const char *method;
	enum route_kind kind;
	const char *metric;    /* the route label in /metrics */
	serve_read_fn *read;   /* ROUTE_READ: answers from a backend for the tenant */
	bool connect;          /* a Connect API: a body over the limit is resource_exhausted */
};

struct serve {
	struct serve_opts o;
	FILE *log;
	struct store *store;
	struct serve_writer writer;
	struct serve_pool decoders, readers;
	struct serve_pool checkers;  /* with auth: crypt(3) off the HTTP threads */
	struct serve_metrics metrics;
	struct serve_auth auth;
	bool auth_on, metrics_on, writer_on;
	bool listening;  /* started: a stop is logged (a failed start is only its error) */
	struct MHD_Daemon *d;
	int listen_fd;
	struct buf cert, key;
	unsigned port;
	pthread_mutex_t mu;  /* inflight, query_bytes, reading, answering, shutting, starting */
	pthread_cond_t idle;
	unsigned inflight;   /* admitted pushes */
	size_t query_bytes;  /* reserved by queries with a body (QUERY_BYTES_MAX) */
	unsigned reading;    /* reads queued or running on the readers */
	unsigned answering;  /* resumed with their answer, not yet completed */
	bool shutting;
	bool starting;       /* libmicrohttpd is starting: on_mhd_log keeps its words */
	char mhd_said[400];  /* what it said while starting, "; "-separated (why it failed) */
	/* the open connections, and the watchdog of their headers' deadline (serve_conn.c) */
	pthread_mutex_t conns_mu;  /* the list, each one's deadline, conns_stop */
	pthread_cond_t conns_cv;
	struct serve_conn *conns;
	pthread_t conns_wd;
	bool conns_on, conns_wd_on, conns_stop;
};

/*
 * PH_CHECKING: suspended at its headers while a checker verifies its credential;
 * PH_CHECKED: resumed with the outcome (who, check_rc), its headers to be gone on with.
 */
enum phase { PH_HEADERS, PH_CHECKING, PH_CHECKED, PH_BODY, PH_WAITING, PH_ANSWER, PH_SENT };

/*
 * The request's headers, all of them (as Go's net/http keeps them: a header past some
 * count is not silently lost); their number is bounded by libmicrohttpd's connection
 * memory limit, which holds them.
 */
struct hdrs {
	struct ingest_header *v;
	size_t n, cap;
	bool nomem;
};

struct req {
	struct serve *srv;
	struct serve_conn *sc;   /* its connection's context (serve_conn.c) */
	struct MHD_Connection *conn;
	const struct serve_route *route;
	char *uri;               /* as received, query included */
	/*
	 * Where libmicrohttpd's request line held the URI (before its query was cut off and
	 * its path decoded in place) and where a C string read from it ends: compared with
	 * the method and version pointers at the access handler's first call, never read.
	 */
	const char *line_uri, *line_uri_end;
	double t0;
	enum phase phase;
	bool admitted;           /* holds an in-flight slot (a push) */
	size_t query_held;       /* bytes reserved in srv->query_bytes (a POST query) */
	bool discard;            /* refused early: the rest of the body is dropped */
	double drop_until;       /* refused mid-body: the rest is dropped until then (0: no limit) */
	bool cut;                /* closed by us before its body ended: the answer never went out */
	char method[12];         /* as received (for the log; other bytes as '?') */
	size_t body_limit;       /* --max-body, or READ_MAX_BODY for a query */
	uint64_t body_bytes;
	struct buf body;
	struct serve_who who;
	const char *authz, *orgid;    /* for a checker: the headers (libmicrohttpd's strings) */
	int check_rc;                 /* a checker's serve_auth_resolve() */
	struct ingest_result res;
	struct serve_job job;
	struct serve_pool_job pjob;   /* on the checkers, then the decoders (a push) or readers */
	bool reading;            /* counted in srv->reading */
	bool resumed;            /* counted in srv->answering */
	char *path;              /* for the pool: the path, as libmicrohttpd decoded it */
	struct hdrs hdrs;        /* for the pool: the headers (libmicrohttpd's strings) */
	/* the answer */
	int status;
	const char *code;        /* Connect code for error bodies */
	const char *err_reason;  /* static metrics label, NULL on success */
	char reason[256];
	const char *ctype;
	struct buf reply;
	bool retry_after, www_auth, close;
};

/* ---- a request's bounds (serve_conn.c): libmicrohttpd's callbacks, cls the server ---- */

/*
 * MHD_OPTION_NOTIFY_CONNECTION: a connection's context made at the accept, and at the
 * close a request begun and not completed ended (logged, counted, freed).
 */
void serve_on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			 enum MHD_ConnectionNotificationCode toe);
/*
 * The list of connections and the watchdog of their headers (with --request-timeout):
 * started before libmicrohttpd, stopped once it has stopped (ERR_NOMEM: no thread).
 */
int serve_conns_start(struct serve *s);
void serve_conns_stop(struct serve *s);
/* The access handler's first call: r's headers are in, no longer due. */
void serve_conn_headers_in(struct req *r);
/* MHD_OPTION_URI_LOG_CALLBACK: a request begins; its struct req (NULL: out of memory). */
void *serve_on_uri(void *cls, const char *uri, struct MHD_Connection *conn);
/* MHD_OPTION_NOTIFY_COMPLETED: the log line, the metrics, the slots given back; r freed. */
void serve_on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			enum MHD_RequestTerminationCode toe);

#endif
