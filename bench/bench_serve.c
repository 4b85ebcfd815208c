/*
 * bench_serve.c — `smolder-bench --serve [FILE [CLIENTS [SECONDS]]] [-- OPTIONS...]`:
 * ingest throughput of a real `smolder serve` (the binary next to bench/, as a child
 * process on 127.0.0.1 with OPTIONS, a fresh store in a temporary directory).
 *
 * CLIENTS clients (default 16) each push FILE (default examples/cpuwork-cpu.pb.gz) the
 * way the Go SDK does — POST /ingest?name=...&spyName=gospy&sampleRate=100 with a
 * multipart body holding the part `profile` — over one keep-alive connection each, one
 * push in flight per connection, for SECONDS (default 10), timing every request.  One
 * thread drives them all through a curl multi handle.  Prints pushes/s, latency
 * percentiles, the CPU time per push of the clients and of the server (from /proc), and
 * where the server's time went — decoding (ingest_handle on the decoders), writing into
 * transactions, committing, fsync of the WAL — from its own /metrics before and after.
 * Before and after the run it decodes FILE on its own thread for a quarter of a second:
 * this VM's speed drifts by up to 2x from minute to minute, and that time shows where it
 * stood (the server's CPU per push follows it).
 */
#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "bench.h"
#include "ingest/decode.h"
#include "profile/prof.h"

#define BOUNDARY "bench-boundary-7d1f0c2a"

/* What the clients did: every answered push's latency, and the failures. */
struct load {
	double *lat;
	size_t n, cap;
	unsigned long errors;
	long last_status;  /* of the last failure: HTTP status, or -CURLcode */
};

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t sink(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

static int load_add(struct load *l, double ms)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4096;
		double *v = realloc(l->lat, cap * sizeof(*v));

		if (!v)
			return -1;
		l->lat = v;
		l->cap = cap;
	}
	l->lat[l->n++] = ms;
	return 0;
}

/*
 * NCLIENTS clients, each one keep-alive connection with one push in flight, sending
 * again as soon as its answer arrives, until UNTIL_MS.  They are driven by one thread
 * through a curl multi handle (as a load generator such as wrk does), so the clients'
 * own CPU, which shares the 2 cores with the server, stays small; each is still a
 * separate connection, and nothing is pipelined.
 */
static void run_clients(const char *url, const struct buf *body, int nclients, double until_ms,
			struct load *l)
{
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: multipart/form-data; boundary=" BOUNDARY);
	CURLM *m = curl_multi_init();
	CURL **e = calloc((size_t)nclients, sizeof(*e));
	double *t0 = calloc((size_t)nclients, sizeof(*t0));
	int i, running = 0, left;

	h = curl_slist_append(h, "Expect:");
	if (!m || !e || !t0 || !h) {
		l->errors++;
		goto done;
	}
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)nclients);
	for (i = 0; i < nclients; i++) {
		if (!(e[i] = curl_easy_init())) {
			l->errors++;
			goto done;
		}
		curl_easy_setopt(e[i], CURLOPT_URL, url);
		curl_easy_setopt(e[i], CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(e[i], CURLOPT_POSTFIELDS, body->data);
		curl_easy_setopt(e[i], CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
		curl_easy_setopt(e[i], CURLOPT_WRITEFUNCTION, sink);
		curl_easy_setopt(e[i], CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(e[i], CURLOPT_TIMEOUT, 30L);
		curl_easy_setopt(e[i], CURLOPT_PRIVATE, (void *)&t0[i]);
		t0[i] = mono_ms();
		curl_multi_add_handle(m, e[i]);
	}
	for (;;) {
		CURLMsg *msg;

		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left))) {
			CURL *c = msg->easy_handle;
			double *start = NULL, now = mono_ms();
			long status = 0;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(c, CURLINFO_PRIVATE, (char **)&start);
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
			if (msg->data.result != CURLE_OK || status != 200) {
				l->errors++;
				l->last_status = msg->data.result != CURLE_OK ? -(long)msg->data.result
									      : status;
			} else if (load_add(l, now - *start)) {
				l->errors++;
			}
			curl_multi_remove_handle(m, c);
			if (now < until_ms) {  /* again, on a kept-alive connection */
				*start = mono_ms();
				curl_multi_add_handle(m, c);
			}
		}
		if (!running && mono_ms() >= until_ms)
			break;
		curl_multi_poll(m, NULL, 0, 100, NULL);
	}
done:
	for (i = 0; e && i < nclients; i++) {
		if (e[i]) {
			curl_multi_remove_handle(m, e[i]);
			curl_easy_cleanup(e[i]);
		}
	}
	free(e);
	free(t0);
	curl_multi_cleanup(m);
	curl_slist_free_all(h);
}

/* What the last failed push got: "HTTP 503", or curl's error. */
static void load_failure(const struct load *l, char *out, size_t n)
{
	if (l->last_status < 0)
		snprintf(out, n, "curl: %s", curl_easy_strerror((CURLcode)-l->last_status));
	else if (l->last_status > 0)
		snprintf(out, n, "HTTP %ld", l->last_status);
	else
		snprintf(out, n, "no answer");  /* the clients could not be set up */
}

static double self_cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The server's counters the figures are made of, read from /metrics before and after. */
enum { M_DECODE_S, M_WRITE_S, M_COMMIT_S, M_COMMITS, M_STORED, M_FSYNC_S, M_FSYNCS, M_N };
static const char *const metric_names[M_N] = {
	"smolder_decode_seconds_total", "smolder_store_write_seconds_total",
	"smolder_store_commit_seconds_total", "smolder_store_commits_total",
	"smolder_profiles_stored_total", "smolder_store_fsync_seconds_total",
	"smolder_store_fsyncs_total",
};

/* A metric's value (the first line starting with `name `) from the /metrics page. */
static int metric(const char *page, const char *name, double *out)
{
	size_t n = strlen(name);
	const char *p = page;

	while ((p = strstr(p, name))) {
		if ((p == page || p[-1] == '\n') && p[n] == ' ') {
			char *end;

			*out = strtod(p + n + 1, &end);
			return end == p + n + 1 ? -1 : 0;
		}
		p += n;
	}
	return -1;
}

/*
 * out[i]: how much metric_names[i] grew between the pages m0 and m1.  A counter missing
 * from either is an error: read as 0 it would print a plausible 0.000 figure.
 */
static int metric_deltas(const struct buf *m0, const struct buf *m1, double out[M_N])
{
	int i;

	for (i = 0; i < M_N; i++) {
		double a, b;

		if (metric(m0->data, metric_names[i], &a) || metric(m1->data, metric_names[i], &b)) {
			fprintf(stderr, "smolder-bench: /metrics has no counter '%s'\n",
				metric_names[i]);
			return -1;
		}
		out[i] = b - a;
	}
	return 0;
}

static size_t to_buf(char *p, size_t size, size_t n, void *ud)
{
	return buf_add(ud, p, size * n) ? 0 : size * n;
}

/* GET base/metrics into out; anything but a 200 with a body is an error, said here. */
static int fetch_metrics(const char *base, struct buf *out)
{
	char url[256];
	CURL *c = curl_easy_init();
	CURLcode cc;
	long status = 0;

	buf_reset(out);
	snprintf(url, sizeof(url), "%s/metrics", base);
	if (!c) {
		fprintf(stderr, "smolder-bench: GET %s: curl_easy_init failed\n", url);
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_buf);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK) {
		fprintf(stderr, "smolder-bench: GET %s: %s\n", url, curl_easy_strerror(cc));
		return -1;
	}
	if (status != 200) {
		fprintf(stderr, "smolder-bench: GET %s: HTTP %ld\n", url, status);
		return -1;
	}
	if (!out->data) {  /* else NUL-terminated (buf.h), as metric() needs */
		fprintf(stderr, "smolder-bench: GET %s: empty answer\n", url);
		return -1;
	}
	return 0;
}

static double proc_cpu_ms(pid_t pid)
{
	char path[64], line[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r"))) {
		fprintf(stderr, "smolder-bench: cannot open '%s': %s\n", path, strerror(errno));
		return -1;
	}
	p = fgets(line, sizeof(line), f);
	fclose(f);
	if (p)
		p = strrchr(line, ')');
	for (i = 0; p && i < 12; i++)  /* fields 14 and 15: utime, stime */
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%lu %lu", &ut, &st) != 2) {
		fprintf(stderr, "smolder-bench: '%s': no utime and stime\n", path);
		return -1;
	}
	return (double)(ut + st) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}

/* Milliseconds to decode the profile once on this thread, over about 250 ms (-1: fails). */
static double decode_ms(const struct buf *prof, const char *file)
{
	double t0 = mono_ms(), t;
	int n = 0;

	do {
		struct prof *p = NULL;

		if (decode_profile((const uint8_t *)prof->data, prof->len, file, &p))
			return -1;
		prof_free(p);
		n++;
	} while ((t = mono_ms() - t0) < 250.0 || n < 5);
	return t / n;
}

/*
 * SIGTERM to the server, and its end awaited (SIGKILL 30 s later).  Only for a pid fork()
 * gave: kill(-1) would signal every process this user may signal (all of them as root),
 * and waitpid(-1) reaps any child.  Returns 0 when the server exited with status 0; else
 * -1, having said how it ended: a crash or a sanitizer's report at shutdown fails the run.
 */
static int server_stop(pid_t pid, const char *smolder, const char *logp)
{
	double t0 = mono_ms();
	int status = 0;
	pid_t w;

	if (pid <= 0)
		return -1;
	if (kill(pid, SIGTERM) != 0)
		fprintf(stderr, "smolder-bench: kill %d: %s\n", (int)pid, strerror(errno));
	while ((w = waitpid(pid, &status, WNOHANG)) != pid) {
		if (w < 0 && errno != EINTR) {
			fprintf(stderr, "smolder-bench: waitpid %d: %s\n", (int)pid, strerror(errno));
			return -1;
		}
		if (mono_ms() - t0 > 30000.0) {
			fprintf(stderr, "smolder-bench: '%s serve' still ran 30 s after SIGTERM: "
				"killed (see %s)\n", smolder, logp);
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		usleep(10000);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		fprintf(stderr, "smolder-bench: '%s serve' exited with status %d after SIGTERM "
			"(see %s)\n", smolder, WEXITSTATUS(status), logp);
	else
		fprintf(stderr, "smolder-bench: '%s serve' was killed by signal %d after SIGTERM "
			"(see %s)\n", smolder, WTERMSIG(status), logp);
	return -1;
}

/*
 * Starts `SMOLDER serve --db DB --listen 127.0.0.1:0 OPTIONS...` with its stderr to LOGP
 * (created here first, so that a message naming it names a file that exists) and waits up
 * to 5 s for it to say which port it listens on.  Returns its pid, or -1 when it did not
 * start, having said why on stderr (the server, if it ran, has been stopped).
 */
static pid_t server_start(const char *smolder, const char *db, const char *logp,
			  char *const *serve_args, unsigned *port)
{
	static const char marker[] = "listening on http://127.0.0.1:";
	char line[512];
	FILE *lf;
	pid_t pid;
	int i, status;

	*port = 0;
	if (!(lf = fopen(logp, "w"))) {
		fprintf(stderr, "smolder-bench: cannot create '%s': %s\n", logp, strerror(errno));
		return -1;
	}
	fclose(lf);
	fflush(NULL);  /* else the child's exit path could write our buffered output again */
	if ((pid = fork()) < 0) {
		fprintf(stderr, "smolder-bench: cannot start '%s serve': fork: %s\n", smolder,
			strerror(errno));
		unlink(logp);  /* nothing ran: no log to look at */
		return -1;
	}
	if (pid == 0) {
		const char *argv[64] = { smolder, "serve", "--db", db, "--listen", "127.0.0.1:0" };
		size_t na = 6;

		if (!freopen(logp, "w", stderr))
			_exit(126);
		while (serve_args && *serve_args && na < 63)
			argv[na++] = *serve_args++;
		argv[na] = NULL;
		execv(smolder, (char *const *)argv);
		fprintf(stderr, "smolder-bench: cannot run '%s': %s\n", smolder, strerror(errno));
		_exit(127);
	}
	for (i = 0; i < 100 && !*port; i++) {
		pid_t w;

		usleep(50000);
		if ((lf = fopen(logp, "r"))) {
			while (fgets(line, sizeof(line), lf)) {
				char *p = strstr(line, marker);

				if (p)
					*port = (unsigned)atoi(p + strlen(marker));
			}
			fclose(lf);
		}
		if (!*port && (w = waitpid(pid, &status, WNOHANG)) == pid) {
			fprintf(stderr, "smolder-bench: '%s serve' exited (%s %d) before listening "
				"(see %s)\n", smolder, WIFEXITED(status) ? "status" : "signal",
				WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), logp);
			return -1;
		}
	}
	if (!*port) {
		fprintf(stderr, "smolder-bench: '%s serve' did not say where it listens within 5 s "
			"(see %s)\n", smolder, logp);
		server_stop(pid, smolder, logp);
		return -1;
	}
	return pid;
}

int bench_serve(const char *self, const char *file, int nclients, double seconds,
		char *const *serve_args)
{
	char smolder[4096], dir[] = "/tmp/smolder-bench-serve-XXXXXX", db[4200], logp[4200],
	     base[64], url[256];
	const char *slash = strrchr(self, '/');
	struct buf prof = BUF_INIT, body = BUF_INIT, m0 = BUF_INIT, m1 = BUF_INIT;
	struct load ld = { 0 };
	double *all, t0, wall, cpu0, cpu1, ccpu0, ccpu1, cal0, cal1, d[M_N];
	size_t total = 0;
	unsigned port = 0;
	pid_t pid;
	bool measured = false;  /* every push answered 200, every figure read */
	int rc = 1;

	snprintf(smolder, sizeof(smolder), "%.*s/../smolder", slash ? (int)(slash - self) : 1,
		 slash ? self : ".");
	if (buf_read_file(&prof, file, (size_t)64 << 20)) {
		fprintf(stderr, "smolder-bench: %s\n", err_last());
		return 1;
	}
	if ((cal0 = decode_ms(&prof, file)) < 0) {
		fprintf(stderr, "smolder-bench: %s: %s\n", file, err_last());
		goto done;
	}
	if (buf_printf(&body, "--" BOUNDARY "\r\nContent-Disposition: form-data; "
		       "name=\"profile\"; filename=\"profile.pprof\"\r\n"
		       "Content-Type: application/octet-stream\r\n\r\n") ||
	    buf_add(&body, prof.data, prof.len) || buf_printf(&body, "\r\n--" BOUNDARY "--\r\n")) {
		fprintf(stderr, "smolder-bench: out of memory\n");
		goto done;
	}
	if (!mkdtemp(dir)) {
		perror("smolder-bench: mkdtemp");
		goto done;
	}
	snprintf(db, sizeof(db), "%s/bench.db", dir);
	snprintf(logp, sizeof(logp), "%s/serve.log", dir);
	if ((pid = server_start(smolder, db, logp, serve_args, &port)) < 0) {
		rmdir(dir);  /* removed only when empty: a log that says why stays */
		goto done;
	}
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", port);
	snprintf(url, sizeof(url), "%s/ingest?name=bench-app%%7Benv%%3Dbench%%7D&spyName=gospy"
				   "&sampleRate=100&units=samples&aggregationType=sum", base);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* warm-up: the first push of a service stores every symbol */
	{
		struct load w = { 0 };
		char why[128];

		run_clients(url, &body, 1, mono_ms() + 1000, &w);
		free(w.lat);
		if (w.errors || !w.n) {
			load_failure(&w, why, sizeof(why));
			fprintf(stderr, "smolder-bench: warm-up: %lu of %lu pushes failed (last: %s)\n",
				w.errors, w.errors + (unsigned long)w.n, why);
			goto stop;
		}
	}
	if (fetch_metrics(base, &m0) || (cpu0 = proc_cpu_ms(pid)) < 0)
		goto stop;
	ccpu0 = self_cpu_ms();
	t0 = mono_ms();
	run_clients(url, &body, nclients, t0 + seconds * 1000.0, &ld);
	wall = mono_ms() - t0;
	ccpu1 = self_cpu_ms();
	if ((cpu1 = proc_cpu_ms(pid)) < 0 || fetch_metrics(base, &m1) || metric_deltas(&m0, &m1, d))
		goto stop;
	cal1 = decode_ms(&prof, file);
	total = ld.n;
	all = ld.lat;
	qsort(all, total, sizeof(*all), bench_cmp_double);
	printf("%s: %zu bytes, Go SDK multipart, %d clients, %.1f s, smolder serve on 127.0.0.1\n",
	       file, prof.len, nclients, wall / 1000.0);
	if (serve_args && *serve_args) {
		char *const *a;

		printf("  serve options    ");
		for (a = serve_args; *a; a++)
			printf(" %s", *a);
		printf("\n");
	}
	printf("  pushes/s          %10.0f   (%zu answered 200, %lu failed)\n",
	       (double)total * 1000.0 / wall, total, ld.errors);
	if (ld.errors) {
		char why[128];

		load_failure(&ld, why, sizeof(why));
		printf("  last failure      %s\n", why);
	}
	if (total) {
		printf("  latency p50       %10.2f ms\n", all[total / 2]);
		printf("  latency p90       %10.2f ms\n", all[total * 9 / 10]);
		printf("  latency p99       %10.2f ms\n", all[total * 99 / 100]);
		printf("  latency max       %10.2f ms\n", all[total - 1]);
	}
	printf("  decode alone      %10.3f ms before the run, %.3f ms after (one thread, server "
	       "idle: this machine's speed at the time)\n", cal0, cal1);
	if (total) {
		printf("  server CPU        %10.3f ms per push (%.0f%% of one core; the clients share "
		       "the same 2 cores)\n", (cpu1 - cpu0) / (double)total, (cpu1 - cpu0) / wall * 100.0);
		printf("  clients' CPU      %10.3f ms per push (%.0f%% of one core)\n",
		       (ccpu1 - ccpu0) / (double)total, (ccpu1 - ccpu0) / wall * 100.0);
		printf("  decode            %10.3f ms per push (decoder threads, wall time)\n",
		       d[M_DECODE_S] * 1000.0 / (double)total);
		printf("  store write       %10.3f ms per push (writer thread)\n",
		       d[M_STORED] ? d[M_WRITE_S] * 1000.0 / d[M_STORED] : 0.0);
		printf("  commit            %10.3f ms per commit, %.0f commits, %.1f pushes per commit\n",
		       d[M_COMMITS] ? d[M_COMMIT_S] * 1000.0 / d[M_COMMITS] : 0.0, d[M_COMMITS],
		       d[M_COMMITS] ? d[M_STORED] / d[M_COMMITS] : 0.0);
		printf("  fsync of the WAL  %10.3f ms per fsync, %.0f fsyncs (syncer thread)\n",
		       d[M_FSYNCS] ? d[M_FSYNC_S] * 1000.0 / d[M_FSYNCS] : 0.0, d[M_FSYNCS]);
		printf("  writer busy       %10.0f%% of the run (syncer %.0f%%)\n",
		       (d[M_WRITE_S] + d[M_COMMIT_S]) * 1000.0 / wall * 100.0,
		       d[M_FSYNC_S] * 1000.0 / wall * 100.0);
	}
	if (!total)
		fprintf(stderr, "smolder-bench: no push was answered 200 in %.1f s\n", wall / 1000.0);
	measured = total && !ld.errors;
stop:
	fflush(stdout);  /* the figures, then what went wrong at the end */
	if (server_stop(pid, smolder, logp) == 0 && measured) {
		char cmd[8400];

		rc = 0;
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "smolder-bench: could not remove %s\n", dir);
	} else {  /* after a failure the store and the server's log stay for a look */
		fprintf(stderr, "smolder-bench: run failed; the store and the server's log stay "
			"in %s\n", dir);
	}
done:
	free(ld.lat);
	buf_release(&prof);
	buf_release(&body);
	buf_release(&m0);
	buf_release(&m1);
	return rc;
}
