/*
 * bench.c — smolder's benchmark runner (see README, Performance).
 *
 *   smolder-bench [--] FILE...     phases of opening each profile, and redraw times
 *                                  (several FILEs: each in a child process of its own)
 *   smolder-bench --analysis       diff, sandwich, list and peek on synthetic profiles
 *                                  (bench_analysis.c)
 *   smolder-bench --store [FILE]   the embedded store: writes, bytes per profile, merging
 *                                  an hour of 10 s profiles (bench_store.c)
 *   smolder-bench --serve [FILE [CLIENTS [SECONDS]]]  ingest into a real `smolder serve`
 *                                  (bench_serve.c)
 *   smolder-bench --compare FILE   `smolder top` vs `go tool pprof -top`: wall time and
 *                                  peak RSS of each, measured as child processes
 *   smolder-bench --remote         a 16k-node flame graph answer of a Pyroscope server
 *                                  decoded and drawn, proto vs JSON (bench_remote.c)
 *
 * Phases: read, inflate, protobuf-c unpack, model build (decoder → builder), call tree,
 * top table, peak RSS; then the explorer drawn to an off-screen terminal (ncurses on
 * /dev/null, 200x60): first frame, a zoom, a search, and the slowest of a series of
 * navigation keys.
 */
#include <curses.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "bench.h"
#include "base/err.h"
#include "ingest/decode.h"
#include "profile/prof.h"
#include "profile/top.h"
#include "profile/tree.h"
#include "tui/tui.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static double key_ms(struct tui_app *a, int key)
{
	double t0 = now_ms();

	tui_app_key(a, key);
	tui_app_draw(a);
	refresh();
	return now_ms() - t0;
}

/* The phases of decoding: pprof's in detail, any other (text) format's in all. */
static void print_decode(const struct decode_stats *st, bool pprof, bool compressed,
			 double read_ms, double decode_ms, double tree_ms)
{
	double pb = st->inflate_ms + st->unpack_ms;

	printf("  read             %10.1f ms\n", read_ms);
	if (!pprof) {  /* no protobuf phases: ratios to them would be noise over ~0 */
		printf("  decode           %10.1f ms   (not pprof: %sparse and model build)\n",
		       decode_ms, compressed ? "inflate, " : "");
		printf("  call tree        %10.1f ms   (the explorer's)\n", tree_ms);
		return;
	}
	if (pb <= 0)
		pb = 1e-3;
	printf("  inflate          %10.1f ms\n", st->inflate_ms);
	printf("  protobuf unpack  %10.1f ms\n", st->unpack_ms);
	printf("  model build      %10.1f ms   (inflate+unpack+build = %.2fx inflate+unpack)\n",
	       st->build_ms, decode_ms / pb);
	printf("  call tree        %10.1f ms   (the explorer's; with it: %.2fx inflate+unpack)\n",
	       tree_ms, (decode_ms + tree_ms) / pb);
}

/* One file's figures, in this process: its peak RSS is this process's (see main). */
static int bench_file(const char *path)
{
	struct buf b = BUF_INIT;
	/* unpack_ms < 0 until set: only the pprof decoder sets it (decode.h's phases) */
	struct decode_stats st = { .unpack_ms = -1 };
	struct prof *p = NULL;
	struct tree *t = NULL;
	struct top top;
	struct tui_app *a = NULL;
	struct tui_opts o = { .source = path, .sample_type = -1, .no_mouse = true };
	double t0, read_ms, total_ms, tree_ms, top_ms, open_ms, first, zoom, search, worst = 0,
	       sum = 0;
	static const int nav[] = { 'j', 'j', 'l', 'l', 'h', 'k', 'j', 'j', 'j', 'G', 'g', 'o',
				   'o', 'i', 'i', 't', 't', '2', 'j', 'j', 's', '1', 'r' };
	FILE *null_out = NULL, *null_in = NULL;
	SCREEN *scr = NULL;
	size_t i, in_len;
	bool compressed;
	int rc = 1, opened;

	t0 = now_ms();
	if (buf_read_file(&b, path, DECODE_MAX_INPUT)) {
		fprintf(stderr, "smolder-bench: %s\n", err_last());
		return 1;
	}
	read_ms = now_ms() - t0;
	/* decode_profile's test: gzip or zstd magic */
	compressed = (b.len >= 2 && (uint8_t)b.data[0] == 0x1f && (uint8_t)b.data[1] == 0x8b) ||
		     (b.len >= 4 && memcmp(b.data, "\x28\xb5\x2f\xfd", 4) == 0);
	t0 = now_ms();
	if (decode_profile_stats((const uint8_t *)b.data, b.len, path, &st, &p)) {
		fprintf(stderr, "smolder-bench: %s\n", err_last());
		buf_release(&b);
		return 1;
	}
	total_ms = now_ms() - t0;
	in_len = b.len;
	buf_release(&b);
	t0 = now_ms();
	if (tree_build(p, &t)) {
		fprintf(stderr, "smolder-bench: %s\n", err_last());
		goto done;
	}
	tree_ms = now_ms() - t0;
	t0 = now_ms();
	if (top_compute(p, p->default_type, &top)) {
		fprintf(stderr, "smolder-bench: %s\n", err_last());
		goto done;
	}
	top_sort(&top, p, TOP_SORT_FLAT, false);
	top_ms = now_ms() - t0;

	printf("%s\n", path);
	if (compressed)
		printf("  input            %10.2f MiB compressed, %.2f MiB inflated\n",
		       in_len / 1048576.0, st.inflated_bytes / 1048576.0);
	else
		printf("  input            %10.2f MiB, not compressed\n", in_len / 1048576.0);
	printf("  samples          %10u   locations %u   functions %u   tree nodes %u\n",
	       p->nsamples, p->nlocations, p->nfunctions, t->n);
	print_decode(&st, st.unpack_ms >= 0, compressed, read_ms, total_ms, tree_ms);
	printf("  top from samples %10.1f ms   (smolder top: %u rows)\n", top_ms, top.n);
	top_release(&top);
	tree_free(t);
	t = NULL;

	/* the explorer on an off-screen terminal */
	null_out = fopen("/dev/null", "w");
	null_in = fopen("/dev/null", "r");
	if (!null_out || !null_in) {
		fprintf(stderr, "smolder-bench: cannot open '/dev/null': %s\n", strerror(errno));
		goto done;
	}
	if (!(scr = newterm("xterm-256color", null_out, null_in))) {
		fprintf(stderr, "smolder-bench: no xterm-256color terminfo\n");
		goto done;
	}
	set_term(scr);
	resizeterm(60, 200);
	t0 = now_ms();
	opened = tui_app_new(p, &o, &a);
	p = NULL;  /* the app's now, on failure too */
	if (opened != 0) {
		fprintf(stderr, "smolder-bench: %s\n", err_last());
		goto done;
	}
	open_ms = now_ms() - t0;
	t0 = now_ms();
	tui_app_draw(a);
	refresh();
	first = now_ms() - t0;
	key_ms(a, 'j');
	key_ms(a, 'j');
	zoom = key_ms(a, '\n');
	key_ms(a, 27);
	key_ms(a, '/');
	key_ms(a, 'e');
	key_ms(a, 'n');
	search = key_ms(a, 'c');
	key_ms(a, '\n');
	for (i = 0; i < sizeof(nav) / sizeof(nav[0]); i++) {
		double ms = key_ms(a, nav[i]);

		sum += ms;
		if (ms > worst)
			worst = ms;
	}
	printf("  explorer opens   %10.1f ms   (call tree + top tables of every sample type)\n",
	       open_ms);
	printf("  first frame      %10.2f ms (200x60, layout + draw)\n", first);
	printf("  zoom (Enter)     %10.2f ms\n", zoom);
	printf("  search keystroke %10.2f ms (incremental regex over all frames)\n", search);
	printf("  navigation keys  %10.2f ms mean, %.2f ms slowest of %zu\n",
	       sum / (double)(sizeof(nav) / sizeof(nav[0])), worst, sizeof(nav) / sizeof(nav[0]));
	tui_app_free(a);
	a = NULL;
	endwin();
	printf("  peak RSS         %10.1f MiB\n", peak_rss_kib() / 1024.0);
	rc = 0;
done:
	tui_app_free(a);
	if (scr)
		delscreen(scr);
	if (null_out)
		fclose(null_out);
	if (null_in)
		fclose(null_in);
	tree_free(t);
	prof_free(p);
	return rc;
}

/*
 * `smolder-bench -- PATH` as a child process, for each of several FILEs: getrusage's
 * ru_maxrss is the high-water mark of the whole process, so in one process every file
 * after the largest reported the largest's peak.  A fresh exec (not a bare fork, whose
 * child starts without the shared libraries' pages the loader touched) gives each file the
 * figure a run on it alone gives.
 */
static int bench_file_child(const char *self, const char *path)
{
	int status;
	pid_t pid, w;

	fflush(NULL);  /* else the child could write our buffered output again */
	if ((pid = fork()) < 0) {
		fprintf(stderr, "smolder-bench: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		char *const argv[] = { (char *)self, (char *)"--", (char *)path, NULL };

		execv("/proc/self/exe", argv);
		fprintf(stderr, "smolder-bench: cannot run '/proc/self/exe': %s\n", strerror(errno));
		_exit(127);
	}
	while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	if (w < 0) {
		fprintf(stderr, "smolder-bench: waitpid %d: %s\n", (int)pid, strerror(errno));
		return 1;
	}
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "smolder-bench: '%s': killed by signal %d\n", path,
			WTERMSIG(status));
		return 1;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

/* Runs argv as a child with stdout to /dev/null; reports wall ms and peak RSS. */
static int run_child(char *const argv[], double *ms, long *rss_kib)
{
	struct rusage ru;
	double t0 = now_ms();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		return -1;
	*ms = now_ms() - t0;
	*rss_kib = ru.ru_maxrss;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int compare(const char *self, const char *file)
{
	char smolder[4096];
	char *s_argv[] = { smolder, (char *)"top", (char *)file, NULL };
	char *g_argv[] = { (char *)"go", (char *)"tool", (char *)"pprof", (char *)"-top",
			   (char *)"-symbolize=none", (char *)file, NULL };
	double sms, gms;
	long srss, grss;
	const char *slash = strrchr(self, '/');

	/* smolder sits next to bench/ in the build tree */
	snprintf(smolder, sizeof(smolder), "%.*s/../smolder", slash ? (int)(slash - self) : 1,
		 slash ? self : ".");
	setenv("PPROF_BINARY_PATH", "/nonexistent", 1);
	if (run_child(s_argv, &sms, &srss) != 0) {
		fprintf(stderr, "smolder-bench: '%s top %s' failed\n", smolder, file);
		return 1;
	}
	if (run_child(g_argv, &gms, &grss) != 0) {
		fprintf(stderr, "smolder-bench: 'go tool pprof -top %s' failed (golang-go installed?)\n",
			file);
		return 1;
	}
	printf("%s\n", file);
	printf("  smolder top          %9.0f ms  %8.1f MiB peak RSS\n", sms, srss / 1024.0);
	printf("  go tool pprof -top   %9.0f ms  %8.1f MiB peak RSS\n", gms, grss / 1024.0);
	printf("  smolder is %.1fx faster with %.1f%% of pprof's peak RSS\n", gms / sms,
	       100.0 * (double)srss / (double)grss);
	return 0;
}

/*
 * --serve's CLIENTS and SECONDS, whole strings only (atoi read "abc" as 0 clients, and a
 * run of nobody pushing passed).  Bounded: each client is a connection and a curl handle.
 */
static int serve_counts(const char *clients_s, const char *seconds_s, int *clients,
			double *seconds)
{
	char *end;
	long n = 16;
	double s = 10.0;

	if (clients_s) {
		errno = 0;
		n = strtol(clients_s, &end, 10);
		if (errno || end == clients_s || *end || n < 1 || n > 4096) {
			fprintf(stderr, "smolder-bench: CLIENTS '%s': want a whole number from 1 to "
				"4096\n", clients_s);
			return -1;
		}
	}
	if (seconds_s) {
		errno = 0;
		s = strtod(seconds_s, &end);
		if (errno || end == seconds_s || *end || !(s > 0 && s <= 86400)) {
			fprintf(stderr, "smolder-bench: SECONDS '%s': want a number over 0, at most "
				"86400\n", seconds_s);
			return -1;
		}
	}
	*clients = (int)n;
	*seconds = s;
	return 0;
}

int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	int i, rc = 0;

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fprintf(argc < 2 ? stderr : stdout,
			"usage: smolder-bench [--] FILE...    (each FILE in a process of its own)\n"
			"       smolder-bench --analysis       (diff, sandwich, list, peek; synthetic profiles)\n"
			"       smolder-bench --browser [DB]   (the store browser on 24 h x 10 services)\n"
			"       smolder-bench --store [FILE]   (the store: 1 h of FILE's profiles)\n"
			"       smolder-bench --compare FILE   (smolder top vs go tool pprof -top)\n"
			"       smolder-bench --serve [FILE [CLIENTS [SECONDS]]] [-- SERVE-OPTIONS...]\n"
			"                                      (smolder serve ingest, 16 Go-SDK clients\n"
			"                                      for 10 s by default; e.g. -- --threads 4)\n"
			"       smolder-bench --remote         (a server's 16k-node flame graph, proto vs JSON)\n");
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--analysis") == 0)
		return bench_analysis();
	if (strcmp(argv[1], "--browser") == 0)
		return bench_browser(argc > 2 ? argv[2] : NULL, SMOLDER_BENCH_EXAMPLE);
	if (strcmp(argv[1], "--store") == 0)
		return bench_store(argc > 2 ? argv[2] : SMOLDER_SOURCE_DIR "/examples/cpuwork-cpu.pb.gz");
	if (strcmp(argv[1], "--serve") == 0) {
		int n = 2;  /* the positional arguments before "--", the serve options after */
		int clients;
		double seconds;

		while (n < argc && n < 5 && strcmp(argv[n], "--") != 0)
			n++;
		if (n < argc && strcmp(argv[n], "--") != 0) {
			fprintf(stderr, "smolder-bench: --serve takes FILE CLIENTS SECONDS, then -- and "
				"options for smolder serve\n");
			return 2;
		}
		if (serve_counts(n > 3 ? argv[3] : NULL, n > 4 ? argv[4] : NULL, &clients,
				 &seconds))
			return 2;
		return bench_serve(argv[0],
				   n > 2 ? argv[2] : SMOLDER_SOURCE_DIR "/examples/cpuwork-cpu.pb.gz",
				   clients, seconds, n < argc ? argv + n + 1 : NULL);
	}
	if (strcmp(argv[1], "--remote") == 0)
		return bench_remote();
	if (strcmp(argv[1], "--compare") == 0) {
		for (i = 2; i < argc; i++)
			rc |= compare(argv[0], argv[i]);
		return rc;
	}
	i = strcmp(argv[1], "--") == 0 ? 2 : 1;  /* "--": only FILEs follow */
	if (i == argc) {
		fprintf(stderr, "smolder-bench: no FILE after --\n");
		return 2;
	}
	if (i == argc - 1)
		return bench_file(argv[i]);
	for (; i < argc; i++)
		rc |= bench_file_child(argv[0], argv[i]);
	return rc;
}
