/*
 * bench_serve.c — `smolder-bench --serve [FILE] [CLIENTS] [SECONDS]`: ingest throughput
 * of a real `smolder serve` (the binary next to bench/, as a child process on
 * 127.0.0.1, a fresh store in a temporary directory).
 *
 * CLIENTS threads (default 16) each push FILE (default examples/cpuwork-cpu.pb.gz) the
 * way the Go SDK does — POST /ingest?name=...&spyName=gospy&sampleRate=100 with a
 * multipart body holding the part `profile` — over one keep-alive connection each, for
 * SECONDS (default 10), timing every request.  Prints pushes/s, latency percentiles,
 * and where the server's time went: its CPU time per push (from /proc), decoding
 * (ingest_handle on the HTTP threads), writing into transactions and committing with
 * fsync (the writer), from the server's own /metrics before and after.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "bench.h"

#define BOUNDARY "bench-boundary-7d1f0c2a"

struct client {
	pthread_t th;
	const char *url;
	const struct buf *body;
	double until_ms;
	double *lat;
	size_t n, cap;
	unsigned long errors;
	long last_status;
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

static void *client_main(void *arg)
{
	struct client *c = arg;
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: multipart/form-data; boundary=" BOUNDARY);
	CURL *curl = curl_easy_init();

	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(curl, CURLOPT_URL, c->url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, c->body->data);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->body->len);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	while (mono_ms() < c->until_ms) {
		double t0 = mono_ms();
		long status = 0;
		CURLcode cc = curl_easy_perform(curl);

		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		if (cc != CURLE_OK || status != 200) {
			c->errors++;
			c->last_status = cc != CURLE_OK ? -(long)cc : status;
			continue;
		}
		if (c->n == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 4096;
			double *v = realloc(c->lat, cap * sizeof(*v));

			if (!v)
				break;
			c->lat = v;
			c->cap = cap;
		}
		c->lat[c->n++] = mono_ms() - t0;
	}
	curl_easy_cleanup(curl);
	curl_slist_free_all(h);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* A metric's value (the first line starting with `name `) from the /metrics page. */
static double metric(const char *page, const char *name)
{
	size_t n = strlen(name);
	const char *p = page;

	while ((p = strstr(p, name))) {
		if ((p == page || p[-1] == '\n') && p[n] == ' ')
			return atof(p + n + 1);
		p += n;
	}
	return 0;
}

static size_t to_buf(char *p, size_t size, size_t n, void *ud)
{
	return buf_add(ud, p, size * n) ? 0 : size * n;
}

static int fetch_metrics(const char *base, struct buf *out)
{
	char url[256];
	CURL *c = curl_easy_init();
	CURLcode cc;

	buf_reset(out);
	snprintf(url, sizeof(url), "%s/metrics", base);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_buf);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	cc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	return cc == CURLE_OK ? 0 : -1;
}

static double proc_cpu_ms(pid_t pid)
{
	char path[64], line[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return 0;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return 0;
	}
	fclose(f);
	p = strrchr(line, ')');
	for (i = 0; p && i < 12; i++)
		p = strchr(p + 1, ' ');
	if (p)
		sscanf(p + 1, "%lu %lu", &ut, &st);
	return (double)(ut + st) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}

int bench_serve(const char *self, const char *file, int nclients, double seconds)
{
	char smolder[4096], dir[] = "/tmp/smolder-bench-serve-XXXXXX", db[4200], logp[4200],
	     base[64], url[256], line[512];
	const char *slash = strrchr(self, '/');
	struct buf prof = BUF_INIT, body = BUF_INIT, m0 = BUF_INIT, m1 = BUF_INIT;
	struct client *cl = NULL;
	double *all = NULL, t0, wall, cpu0, cpu1;
	size_t total = 0, k;
	unsigned long errors = 0;
	unsigned port = 0;
	pid_t pid;
	int i, rc = 1, status;
	FILE *lf;

	snprintf(smolder, sizeof(smolder), "%.*s/../smolder", slash ? (int)(slash - self) : 1,
		 slash ? self : ".");
	if (buf_read_file(&prof, file, (size_t)64 << 20)) {
		fprintf(stderr, "smolder-bench: %s\n", err_last());
		return 1;
	}
	buf_printf(&body, "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"profile\"; "
			  "filename=\"profile.pprof\"\r\nContent-Type: application/octet-stream\r\n\r\n");
	buf_add(&body, prof.data, prof.len);
	buf_printf(&body, "\r\n--" BOUNDARY "--\r\n");
	if (!mkdtemp(dir)) {
		perror("smolder-bench: mkdtemp");
		goto done;
	}
	snprintf(db, sizeof(db), "%s/bench.db", dir);
	snprintf(logp, sizeof(logp), "%s/serve.log", dir);
	if ((pid = fork()) == 0) {
		FILE *o = freopen(logp, "w", stderr);

		(void)o;
		execl(smolder, smolder, "serve", "--db", db, "--listen", "127.0.0.1:0", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100 && !port; i++) {
		usleep(50000);
		if ((lf = fopen(logp, "r"))) {
			while (fgets(line, sizeof(line), lf)) {
				char *p = strstr(line, "listening on http://127.0.0.1:");

				if (p)
					port = (unsigned)atoi(p + strlen("listening on http://127.0.0.1:"));
			}
			fclose(lf);
		}
	}
	if (!port) {
		fprintf(stderr, "smolder-bench: '%s serve' did not start (see %s)\n", smolder, logp);
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
		goto done;
	}
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", port);
	snprintf(url, sizeof(url), "%s/ingest?name=bench-app%%7Benv%%3Dbench%%7D&spyName=gospy"
				   "&sampleRate=100&units=samples&aggregationType=sum", base);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	cl = calloc((size_t)nclients, sizeof(*cl));
	/* warm-up: the first push of a service stores every symbol */
	{
		struct client w = { 0 };

		w.url = url;
		w.body = &body;
		w.until_ms = mono_ms() + 1000;
		client_main(&w);
		free(w.lat);
	}
	fetch_metrics(base, &m0);
	cpu0 = proc_cpu_ms(pid);
	t0 = mono_ms();
	for (i = 0; i < nclients; i++) {
		cl[i].url = url;
		cl[i].body = &body;
		cl[i].until_ms = t0 + seconds * 1000.0;
		pthread_create(&cl[i].th, NULL, client_main, &cl[i]);
	}
	for (i = 0; i < nclients; i++) {
		pthread_join(cl[i].th, NULL);
		total += cl[i].n;
		errors += cl[i].errors;
	}
	wall = mono_ms() - t0;
	cpu1 = proc_cpu_ms(pid);
	fetch_metrics(base, &m1);
	all = malloc((total ? total : 1) * sizeof(*all));
	for (i = 0, k = 0; i < nclients; i++) {
		memcpy(all + k, cl[i].lat, cl[i].n * sizeof(*all));
		k += cl[i].n;
	}
	qsort(all, total, sizeof(*all), cmp_double);
	printf("%s: %zu bytes, Go SDK multipart, %d clients, %.1f s, smolder serve on 127.0.0.1\n",
	       file, prof.len, nclients, wall / 1000.0);
	printf("  pushes/s          %10.0f   (%zu answered 200, %lu failed%s)\n",
	       (double)total * 1000.0 / wall, total, errors, errors ? ": see the log" : "");
	if (total) {
		printf("  latency p50       %10.2f ms\n", all[total / 2]);
		printf("  latency p90       %10.2f ms\n", all[total * 9 / 10]);
		printf("  latency p99       %10.2f ms\n", all[total * 99 / 100]);
		printf("  latency max       %10.2f ms\n", all[total - 1]);
	}
	if (m0.data && m1.data && total) {
		double dec = metric(m1.data, "smolder_decode_seconds_total") -
			     metric(m0.data, "smolder_decode_seconds_total");
		double wr = metric(m1.data, "smolder_store_write_seconds_total") -
			    metric(m0.data, "smolder_store_write_seconds_total");
		double cm = metric(m1.data, "smolder_store_commit_seconds_total") -
			    metric(m0.data, "smolder_store_commit_seconds_total");
		double commits = metric(m1.data, "smolder_store_commits_total") -
				 metric(m0.data, "smolder_store_commits_total");
		double stored = metric(m1.data, "smolder_profiles_stored_total") -
				metric(m0.data, "smolder_profiles_stored_total");

		printf("  server CPU        %10.3f ms per push (%.0f%% of one core; the clients share "
		       "the same 2 cores)\n", (cpu1 - cpu0) / (double)total, (cpu1 - cpu0) / wall * 100.0);
		printf("  decode            %10.3f ms per push (HTTP threads)\n",
		       dec * 1000.0 / (double)total);
		printf("  store write       %10.3f ms per push (writer thread)\n",
		       stored ? wr * 1000.0 / stored : 0.0);
		double fs = metric(m1.data, "smolder_store_fsync_seconds_total") -
			    metric(m0.data, "smolder_store_fsync_seconds_total");
		double nfs = metric(m1.data, "smolder_store_fsyncs_total") -
			     metric(m0.data, "smolder_store_fsyncs_total");

		printf("  commit            %10.3f ms per commit, %.0f commits, %.1f pushes per commit\n",
		       commits ? cm * 1000.0 / commits : 0.0, commits, commits ? stored / commits : 0.0);
		printf("  fsync of the WAL  %10.3f ms per fsync, %.0f fsyncs (syncer thread)\n",
		       nfs ? fs * 1000.0 / nfs : 0.0, nfs);
		printf("  writer busy       %10.0f%% of the run (syncer %.0f%%)\n",
		       (wr + cm) * 1000.0 / wall * 100.0, fs * 1000.0 / wall * 100.0);
	}
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	rc = errors ? 1 : 0;
	{
		char cmd[8400];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "smolder-bench: could not remove %s\n", dir);
	}
done:
	for (i = 0; cl && i < nclients; i++)
		free(cl[i].lat);
	free(cl);
	free(all);
	buf_release(&prof);
	buf_release(&body);
	buf_release(&m0);
	buf_release(&m1);
	return rc;
}
