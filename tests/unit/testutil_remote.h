/*
 * testutil_remote.h — what the remote backend's tests (test_remote.c,
 * test_remote_timeline.c) share: a stand-in Grafana Pyroscope server, our own query
 * server over a real store, and helpers that open the remote backend on them.
 *
 * Grafana Pyroscope itself cannot be built here (its Go modules cannot be downloaded),
 * so this is the one place a stand-in is right: a libmicrohttpd server on 127.0.0.1 that
 * serves the RECORDED real responses of
 * shared/testdata/pyroscope/grafana-pyroscope/ui/e2e/fixtures (SelectMergeStacktraces,
 * SelectSeries, Series, LabelNames), in Connect JSON as recorded or converted to
 * protobuf for the proto codec.  ProfileTypes and LabelValues have no recording: the
 * stand-in derives them from the recorded Series answer.  Its modes answer with errors,
 * garbage and redirects, or compute SelectSeries, SelectMergeStacktraces and
 * SelectMergeProfile over profiles a test sets as Pyroscope v1 and v2 do.
 *
 * Our own server (smolder to smolder) is querier_serve over a store in a temporary
 * directory holding examples/cpuwork-cpu.pb.gz at OWN_T0 and its 3x variant at
 * OWN_T0 + 10 s, service cpuwork.
 *
 * Ownership: tr_setup allocates the fixture as cmocka's group state, which every test
 * of the group gets as *state; tr_teardown frees it.  The stand-in's threads write what they
 * note of a request (path, headers, body, spans) under `mu`; a test reads it after the
 * call that made the request has returned.  Helpers fail the running cmocka test on
 * error; what they return (a backend, a query's selector) is the caller's to close/free.
 */
#ifndef SMOLDER_TESTUTIL_REMOTE_H
#define SMOLDER_TESTUTIL_REMOTE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "profile/prof.h"
#include "profile/selector.h"
#include "store/backend.h"
#include "store/remote.h"
#include "store/store.h"
#include "testutil.h"

#define CPU "process_cpu:cpu:nanoseconds:cpu:nanoseconds"
#define SEC 1000000000LL
#define HOUR (3600 * SEC)
/* the recorded timeline's first point, 1779729327372 ms */
#define TL0 (1779729327372LL * 1000000)
/* the first profile in our own server's store */
#define OWN_T0 (1700000000LL * SEC)

/* How the stand-in answers (M_FIX: the recordings). */
enum standin_mode {
	M_FIX, M_AUTH, M_FORBID, M_503_ONCE, M_LIMIT, M_LIMIT_NOLEN, M_GARBAGE, M_TRUNC,
	M_BADLEVELS, M_404, M_500, M_SLOW, M_HTML, M_PYROEMPTY, M_PYROEMPTY_ALL, M_PYROZERO,
	M_REDIR_ABS, M_REDIR_REL, M_PYRO_V1, M_PYRO_V2, M_HTML200
};

struct standin {
	struct MHD_Daemon *d;
	char url[128];
	enum standin_mode mode;
	bool json;             /* the last request's codec */
	pthread_mutex_t mu;
	int requests;
	char path[256], accept[256], auth[256], tenant[128], ctype[128];
	struct buf body;       /* the last request's body */
	int64_t spans_ms[64];  /* end - start of each request (M_LIMIT) */
	int nspans;
	struct buf fix[4];     /* flamegraph, selectseries, series, labelnames JSON */
	struct buf pprof;      /* a SelectMergeProfile answer: examples/cpuwork-cpu.pb.gz
				* with only cpu/nanoseconds */
	int64_t piece_end_ms;  /* the last request's end (M_PYROEMPTY) */
	bool v2_empty;         /* nothing merged is answered as v2 does: an empty Profile */
	int64_t prof_ms[16];   /* M_PYRO_V1/V2: the profiles SelectSeries answers from */
	double prof_val[16];
	int nprof;
};

struct own_server {
	struct MHD_Daemon *d;
	char url[64], dir[64];
	struct store *store;
};

/* What a test program's tests share: the cmocka group state (tr_setup). */
struct remote_fixture {
	struct standin s;       /* the stand-in Grafana Pyroscope */
	struct own_server own;  /* smolder's query API over a store */
};

/*
 * cmocka group setup: *state is a new struct remote_fixture, the stand-in started on a
 * free port of 127.0.0.1 (s.url), then our own server (own.url).  0, or -1 when either
 * cannot start.
 */
int tr_setup(void **state);
/* cmocka group teardown: both servers stopped, the store removed, the fixture freed. */
int tr_teardown(void **state);

/* Mode m, and what the last requests noted cleared. */
void standin_reset(struct standin *s, enum standin_mode m);
/*
 * M_PYRO_V1/V2: the profiles the stand-in answers from, n <= 16 of them, at ms[i]
 * (Unix milliseconds) with value v[i].
 */
void standin_profiles(struct standin *s, const int64_t *ms, const double *v, int n);

/* Writes examples/<file> at t (ns) as service_name=service into own's store. */
void own_server_put(struct own_server *own, const char *file, const char *service, int64_t t);

/* Both codecs, proto first: the tests run each case in both. */
extern const enum remote_codec tr_codecs[2];

/* The remote backend on the stand-in (or on extra->url), codec c, extra's options. */
struct backend *tr_open(const struct standin *s, enum remote_codec c,
			const struct remote_opts *extra);
/* A CPU query of {service_name="pyroscope"} over [from, to); *sel is the caller's. */
struct query tr_cpu_query(struct selector **sel, int64_t from, int64_t to);
/* The same flat and cum per function name, and the same total, for type t. */
void tr_same_top(const struct prof *a, const struct prof *b, uint32_t t);

#endif
