/*
 * cmd_serve.c — `smolder serve`: options, signals, and the foreground life of the
 * listener (src/ingest/serve.h does the work).
 *
 * SIGINT and SIGTERM are blocked before any thread starts and taken with sigtimedwait()
 * on this thread, so no handler runs inside libmicrohttpd or SQLite; either one starts
 * the graceful stop (no new connections, in-flight requests finish, the writer commits,
 * the store is checkpointed and closed).
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/timeparse.h"
#include "cmd.h"
#include "ingest/serve.h"
#include "store/store.h"

#define GRACE_S 30

static void serve_help(FILE *f)
{
	fputs("usage: smolder serve [--db PATH] [--listen 127.0.0.1:4040] [options]\n"
	      "\n"
	      "Receive profiles as Grafana Pyroscope does and keep them in the store: POST\n"
	      "/ingest and /pyroscope/ingest (Go and Node SDKs; the Java agent's JFR is refused\n"
	      "with 415: convert it to pprof), POST /push.v1.PusherService/Push (pyroscope-rs,\n"
	      "Python, Ruby, Alloy, smolder upload).  GET /ready, GET /metrics (Prometheus).\n"
	      "Runs in the foreground, one log line per request; Ctrl-C or SIGTERM stops it\n"
	      "gracefully.  A 2xx answer means the profile is committed and synced to disk.\n"
	      "\n"
	      "      --db PATH                the store (default $SMOLDER_DB, else\n"
	      "                               $XDG_DATA_HOME/smolder/smolder.db)\n"
	      "      --listen HOST:PORT       default 127.0.0.1:4040 (port 0: any free port)\n"
	      "      --log-level L            debug, info (default: a line per request),\n"
	      "                               warn, error\n"
	      "Security:\n"
	      "      --auth-file FILE         credentials, each bound to tenants (lines:\n"
	      "                               basic|bearer NAME CRYPT-HASH TENANT,...);\n"
	      "                               required off loopback unless --no-auth\n"
	      "      --no-auth                accept anyone, even off loopback\n"
	      "      --tls-cert FILE, --tls-key FILE   serve HTTPS (PEM); required for\n"
	      "                               credentials off loopback\n"
	      "Limits (over them: 413, or 429 with Retry-After):\n"
	      "      --max-body SIZE          request body limit (default 8m)\n"
	      "      --threads N              pushes decoded at once, on decoder threads\n"
	      "                               (default: one per CPU, at most 4)\n"
	      "      --read-threads N         queries answered at once, on reader threads\n"
	      "                               (default 2; 32 more each may wait)\n"
	      "      --http-threads N         threads receiving and sending (default 2)\n"
	      "      --max-inflight N         pushes admitted at once (default 64)\n"
	      "      --max-queue N            profiles waiting for the writer (default 1024)\n"
	      "      --max-connections N      default 1024\n"
	      "      --idle-timeout D         close silent connections (default 30s)\n"
	      "      --request-timeout D      a request's headers (from the accept; after an\n"
	      "                               answer, --idle-timeout if longer) and its body\n"
	      "                               must arrive, and a query end (counting its wait\n"
	      "                               for a reader), within D (default 60s; else 408\n"
	      "                               or 504)\n"
	      "      --reject-older-than D    refuse profiles older than D (default: any age;\n"
	      "                               Pyroscope: 1h)\n"
	      "Storage (run by the writer every --maintenance-interval, default 1m):\n"
	      "      --max-store-size SIZE    keep the store (its file and WAL) under SIZE:\n"
	      "                               the oldest profiles are evicted, down to 90 %\n"
	      "                               (81 % or further when a push needs room); 507\n"
	      "                               only for a push too big for an empty store, or\n"
	      "                               beside the pushes before it in its batch, or on\n"
	      "                               a full disk\n"
	      "      --retention D            delete profiles older than D (e.g. 30d)\n"
	      "      --downsample LIST        AGE:BUCKET,... (default 1d:1m,7d:1h: 10 s\n"
	      "                               profiles become 1 min rollups after a day, 1 h\n"
	      "                               after a week); off to keep every profile\n"
	      "  -h, --help                   this help\n"
	      "\n"
	      "Tenants: X-Scope-OrgID selects one (default: anonymous, or the credential's\n"
	      "first); read them with `smolder top --db PATH --tenant ID ...`.\n",
	      f);
}

static int parse_uint(const char *opt, const char *arg, unsigned long min, unsigned long max,
		      unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || *out < min || *out > max || arg[0] == '-') {
		struct buf sa = BUF_INIT;

		cmd_safe(&sa, arg);
		fprintf(stderr, "smolder serve: %s wants a number from %lu to %lu, not '%s'\n", opt,
			min, max, sa.data ? sa.data : "");
		buf_release(&sa);
		return -1;
	}
	return 0;
}

/*
 * The longest timeout or interval: libmicrohttpd's timeouts are unsigned ints and
 * --request-timeout's milliseconds fit 32 bits; and the writer adds the maintenance
 * interval to the time now, which a duration near 292 years made overflow.
 */
#define SERVE_MAX_WAIT_S (49LL * 86400)

static int parse_dur(const char *opt, const char *arg, int64_t *out)
{
	if (timeparse_duration(arg, out)) {
		cmd_verb_errorf("serve", "%s: %s", opt, err_last());
		return -1;
	}
	return 0;
}

static int parse_downsample(const char *arg, struct serve_opts *o)
{
	char *copy, *tok, *save = NULL;
	int rc = 0;

	o->ndownsample = 0;
	if (strcmp(arg, "off") == 0 || strcmp(arg, "none") == 0)
		return 0;
	if (!(copy = strdup(arg)))
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		struct serve_downsample *d = &o->downsample[o->ndownsample];

		if (!colon || o->ndownsample == SERVE_MAX_DOWNSAMPLE) {
			cmd_verb_errorf("serve", "--downsample wants AGE:BUCKET,... (at most %d), "
						 "not '%s'", SERVE_MAX_DOWNSAMPLE, arg);
			rc = -1;
			break;
		}
		*colon = '\0';
		if (parse_dur("--downsample", tok, &d->after_ns) ||
		    parse_dur("--downsample", colon + 1, &d->bucket_ns)) {
			rc = -1;
			break;
		}
		if (d->bucket_ns <= 0) {
			fprintf(stderr, "smolder serve: --downsample: the bucket must be a positive "
					"duration ('%s:%s'); off keeps every profile\n", tok, colon + 1);
			rc = -1;
			break;
		}
		if (d->after_ns < d->bucket_ns) {
			fprintf(stderr, "smolder serve: --downsample: the age must be at least the "
					"bucket ('%s:%s')\n", tok, colon + 1);
			rc = -1;
			break;
		}
		o->ndownsample++;
	}
	free(copy);
	if (!rc && o->ndownsample) {
		/* stages that do not nest are refused before the store is opened (or made) */
		int64_t after[SERVE_MAX_DOWNSAMPLE], bucket[SERVE_MAX_DOWNSAMPLE];
		size_t i;

		for (i = 0; i < o->ndownsample; i++) {
			after[i] = o->downsample[i].after_ns;
			bucket[i] = o->downsample[i].bucket_ns;
		}
		if (store_downsample_check(after, bucket, o->ndownsample)) {
			cmd_verb_errorf("serve", "--downsample: %s", err_last());
			rc = -1;
		}
	}
	return rc;
}

/* serve_stop() on its own thread, so that the signals are still waited for meanwhile */
struct serve_stopper {
	struct serve *s;
	atomic_bool done;
};

static void *serve_stopper_main(void *arg)
{
	struct serve_stopper *st = arg;

	serve_stop(st->s, GRACE_S);
	atomic_store(&st->done, true);
	return NULL;
}

/*
 * Serves until SIGINT or SIGTERM (both blocked in every thread: taken here), then stops
 * gracefully.  That stop has no bound the user can count on: GRACE_S for the requests in
 * flight, then the writer commits whatever is queued, then the answers go out (serve.h).
 * So a second signal during it ends the process at once: what the writer committed is
 * in the store already (a 2xx is sent only after the commit's fdatasync, and SQLite
 * rolls back a transaction left open), and a client whose push was not answered pushes
 * it again.  serve.h has no call that hurries a stop in progress, so this is _exit().
 */
static int serve_wait(struct serve *s, const sigset_t *set, FILE *log, const struct cmd_env *env)
{
	struct serve_stopper st = { .s = s };
	pthread_t tid;
	int first = 0;

	for (;;) {
		struct timespec ts = { 0, first ? 100000000 : 999999999 };
		int sig = sigtimedwait(set, NULL, &ts);
		const char *name = sig == SIGINT ? "SIGINT" : "SIGTERM";

		if ((sig == SIGINT || sig == SIGTERM) && first) {
			fprintf(log, "smolder serve: %s during the stop: stopping now (what was "
				"committed is kept; pushes not answered are lost to their "
				"clients, which retry)\n", name);
			fflush(log);
			_exit(128 + sig);
		}
		if (!first && (sig == SIGINT || sig == SIGTERM ||
			       (env->cancel && atomic_load(env->cancel)))) {
			first = sig > 0 ? sig : SIGINT;
			fprintf(log, "smolder serve: %s: stopping (requests in flight get up to "
				"%d s, then what is queued is written and answered; a second "
				"SIGINT or SIGTERM stops at once)\n",
				first == SIGINT ? "SIGINT" : "SIGTERM", GRACE_S);
			fflush(log);
			if (pthread_create(&tid, NULL, serve_stopper_main, &st)) {
				serve_stop(s, GRACE_S);  /* no thread: the slow way */
				return 0;
			}
		}
		if (first && atomic_load(&st.done)) {
			pthread_join(tid, NULL);
			return 0;
		}
	}
}

int cmd_serve(int argc, char **argv, const struct cmd_env *env)
{
	enum {
		O_DB = 1, O_LISTEN, O_LOG, O_AUTH, O_NOAUTH, O_CERT, O_KEY, O_BODY, O_THREADS,
		O_READERS, O_INFLIGHT, O_QUEUE, O_CONNS, O_IDLE, O_REQTIME, O_OLDER, O_SIZE,
		O_RETENTION, O_DOWNSAMPLE, O_MAINT, O_HTTP_THREADS,
	};
	static const struct option opts[] = {
		{ "db", required_argument, NULL, O_DB },
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "log-level", required_argument, NULL, O_LOG },
		{ "auth-file", required_argument, NULL, O_AUTH },
		{ "no-auth", no_argument, NULL, O_NOAUTH },
		{ "tls-cert", required_argument, NULL, O_CERT },
		{ "tls-key", required_argument, NULL, O_KEY },
		{ "max-body", required_argument, NULL, O_BODY },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "read-threads", required_argument, NULL, O_READERS },
		{ "http-threads", required_argument, NULL, O_HTTP_THREADS },
		{ "max-inflight", required_argument, NULL, O_INFLIGHT },
		{ "max-queue", required_argument, NULL, O_QUEUE },
		{ "max-connections", required_argument, NULL, O_CONNS },
		{ "idle-timeout", required_argument, NULL, O_IDLE },
		{ "request-timeout", required_argument, NULL, O_REQTIME },
		{ "reject-older-than", required_argument, NULL, O_OLDER },
		{ "max-store-size", required_argument, NULL, O_SIZE },
		{ "retention", required_argument, NULL, O_RETENTION },
		{ "downsample", required_argument, NULL, O_DOWNSAMPLE },
		{ "maintenance-interval", required_argument, NULL, O_MAINT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct serve_opts o;
	struct buf db = BUF_INIT;
	struct serve *s = NULL;
	sigset_t set, old;
	unsigned long u;
	int64_t d;
	uint64_t size;
	int c, rc = 2;

	serve_opts_default(&o);
	optind = 1;
	while ((c = cmd_getopt("serve", argc, argv, "h", opts)) != -1) {
		switch (c) {
		case O_DB: o.db = optarg; break;
		case O_LISTEN: o.listen = optarg; break;
		case O_LOG:
			if (strcmp(optarg, "debug") == 0)
				o.log_level = SERVE_LOG_DEBUG;
			else if (strcmp(optarg, "info") == 0)
				o.log_level = SERVE_LOG_INFO;
			else if (strcmp(optarg, "warn") == 0 || strcmp(optarg, "warning") == 0)
				o.log_level = SERVE_LOG_WARN;
			else if (strcmp(optarg, "error") == 0)
				o.log_level = SERVE_LOG_ERROR;
			else {
				fprintf(stderr, "smolder serve: --log-level is debug, info, warn or error\n");
				goto done;
			}
			break;
		case O_AUTH: o.auth_file = optarg; break;
		case O_NOAUTH: o.no_auth = true; break;
		case O_CERT: o.tls_cert = optarg; break;
		case O_KEY: o.tls_key = optarg; break;
		case O_BODY:
		case O_SIZE:
			if (serve_parse_size(optarg, &size)) {
				cmd_verb_errorf("serve", "%s", err_last());
				goto done;
			}
			if (c == O_SIZE && size == 0) {  /* the writer reads 0 as "no cap" */
				fprintf(stderr, "smolder serve: --max-store-size wants a positive size "
						"(20g); leave it out for no cap\n");
				goto done;
			} else if (c == O_SIZE)
				o.max_store_bytes = size;
			else if (size == 0 || size > ((uint64_t)1 << 32)) {
				fprintf(stderr, "smolder serve: --max-body is between 1 byte and 4 GiB\n");
				goto done;
			} else
				o.limits.max_body_bytes = (size_t)size;
			break;
		case O_THREADS:
			if (parse_uint("--threads", optarg, 1, 64, &u))
				goto done;
			o.threads = (unsigned)u;
			break;
		case O_HTTP_THREADS:
			if (parse_uint("--http-threads", optarg, 1, 64, &u))
				goto done;
			o.http_threads = (unsigned)u;
			break;
		case O_READERS:
			if (parse_uint("--read-threads", optarg, 1, SERVE_MAX_READERS, &u))
				goto done;
			o.read_threads = (unsigned)u;
			break;
		case O_INFLIGHT:
			if (parse_uint("--max-inflight", optarg, 1, 100000, &u))
				goto done;
			o.max_inflight = (unsigned)u;
			break;
		case O_QUEUE:
			if (parse_uint("--max-queue", optarg, 1, 10000000, &u))
				goto done;
			o.max_queue = u;
			break;
		case O_CONNS:
			if (parse_uint("--max-connections", optarg, 1, 100000, &u))
				goto done;
			o.max_connections = (unsigned)u;
			break;
		case O_IDLE:
		case O_REQTIME:
			if (parse_dur(c == O_IDLE ? "--idle-timeout" : "--request-timeout", optarg, &d))
				goto done;
			/* seconds for libmicrohttpd, unsigned: 2^32 s became 0, never */
			if (c == O_IDLE && (d < 1000000000 || d / 1000000000 > SERVE_MAX_WAIT_S)) {
				fprintf(stderr, "smolder serve: --idle-timeout is between 1s and "
						"49 days\n");
				goto done;
			}
			if (c == O_REQTIME && (d < 1000000 || d / 1000000000 > SERVE_MAX_WAIT_S)) {
				fprintf(stderr, "smolder serve: --request-timeout is between 1ms and "
						"49 days\n");
				goto done;
			}
			/* kept in libmicrohttpd's units: 1.5s is not cut to 1s without a word */
			if (c == O_IDLE ? d % 1000000000 : d % 1000000) {
				fprintf(stderr, "smolder serve: %s is whole %s\n",
					c == O_IDLE ? "--idle-timeout" : "--request-timeout",
					c == O_IDLE ? "seconds (1.5s is not)" :
						      "milliseconds (1.5ms is not)");
				goto done;
			}
			if (c == O_IDLE)
				o.idle_timeout_s = (unsigned)(d / 1000000000);
			else
				o.request_timeout_ms = (unsigned)(d / 1000000);
			break;
		case O_OLDER:
			if (parse_dur("--reject-older-than", optarg, &o.limits.reject_older_than_ns))
				goto done;
			break;
		case O_RETENTION:
			if (parse_dur("--retention", optarg, &o.retention_ns))
				goto done;
			if (o.retention_ns <= 0) {  /* the writer reads 0 as "keep everything" */
				fprintf(stderr, "smolder serve: --retention wants a positive duration (30d); "
						"leave it out to keep every profile\n");
				goto done;
			}
			break;
		case O_DOWNSAMPLE:
			if (parse_downsample(optarg, &o))
				goto done;
			break;
		case O_MAINT:
			if (parse_dur("--maintenance-interval", optarg, &o.maintenance_ns))
				goto done;
			if (o.maintenance_ns < 1000000000 ||
			    o.maintenance_ns / 1000000000 > SERVE_MAX_WAIT_S) {
				fprintf(stderr, "smolder serve: --maintenance-interval is "
						"between 1s and 49 days\n");
				goto done;
			}
			break;
		case 'h':
			serve_help(stdout);
			rc = 0;
			goto done;
		default:  /* '?': cmd_getopt said what is wrong, in one line */
			goto done;
		}
	}
	if (optind < argc) {
		fputs("smolder serve: unexpected argument '", stderr);
		cmd_put_safe(stderr, argv[optind], strlen(argv[optind]), true);
		fputs("' (see smolder serve --help)\n", stderr);
		goto done;
	}
	if (!o.db) {
		if (store_default_path(&db)) {
			cmd_verb_errorf("serve", "%s", err_last());
			goto done;
		}
		o.db = db.data;
	}
	/*
	 * Every push allocates and frees the same few hundred KiB (the inflated body, the
	 * unpacked message's arena, the model).  With glibc's defaults that memory goes
	 * back to the kernel after each request (heap trimming, mmap for the larger
	 * blocks) and is faulted in again, zeroed, by the next one: a third of the
	 * decoding time.  A server keeps it instead, up to a bound.
	 */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 128 << 20);
	/* block the signals before any thread exists: they are taken below */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	if (serve_start(&o, &s)) {
		cmd_verb_errorf("serve", "%s", err_last());
		rc = err_last_code() == ERR_USAGE ? 2 : 1;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		goto done;
	}
	rc = serve_wait(s, &set, o.log ? o.log : stderr, env);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
done:
	buf_release(&db);
	return rc;
}
