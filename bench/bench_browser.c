/*
 * bench_browser.c — `smolder-bench --browser [DB]`: the store browser on a store holding
 * 24 h of 10 s profiles for 10 services (8,640 profiles each, 86,400 in all, made from
 * examples/cpuwork-cpu.pb.gz with varying values; made once at DB, default
 * /tmp/smolder-bench-browser.db, and reused), with profiles older than an hour rolled up
 * into 1 min buckets as `smolder serve` does.
 *
 *   first screen: the explorer opened on the store (services × types with freshness, the
 *                 selected row's timeline, label names) and drawn;
 *   range change: the 24 h preset, then Enter — the merged flame graph of 24 h drawn.
 * The app runs its backend calls inline here (no worker thread), so the times are the
 * whole work.  Median of 5.
 */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/timeparse.h"
#include "bench.h"
#include "ingest/load.h"
#include "profile/builder.h"
#include "profile/merge.h"
#include "store/store.h"
#include "tui/tui.h"

#define NSVC 10
#define STEP_S 10
#define SPAN_S (24 * 3600)
#define RUNS 5

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int make_store(const char *db, const char *example)
{
	struct load_opts lo = { NULL, false, 0 };
	struct prof *src = NULL;
	struct store *s = NULL;
	int64_t now = time_now_ns(), t0 = now - (int64_t)SPAN_S * 1000000000, t;
	uint64_t merged = 0;
	int rc, k, n = 0;

	if ((rc = load_profile(example, &lo, &src)) || (rc = store_open(db, STORE_CREATE, &s)))
		goto done;
	fprintf(stderr, "making %s (86,400 profiles; once)...\n", db);
	for (t = t0; t < now; t += (int64_t)STEP_S * 1000000000) {
		if ((rc = store_begin(s)))
			goto done;
		for (k = 0; k < NSVC; k++) {
			struct labelset ls = LABELSET_INIT;
			struct prof *p = NULL;
			char svc[32];

			snprintf(svc, sizeof(svc), "service-%02d", k);
			rc = prof_scale(src, 0.05 * (1.2 + sin((double)(t - t0) / 3e12 + k)), &p);
			if (!rc)
				rc = labelset_set(&ls, "service_name", svc) ||
				     labelset_set(&ls, "__name__", "process_cpu");
			if (!rc)
				rc = store_write(s, NULL, &ls, p, t, (int64_t)STEP_S * 1000000000);
			labelset_free(&ls);
			prof_free(p);
			if (rc)
				goto done;
			n++;
		}
		if ((rc = store_commit(s)))
			goto done;
	}
	/* as serve's maintenance does: older than an hour into 1 min rollups */
	rc = store_downsample(s, now - 3600LL * 1000000000, 60LL * 1000000000, &merged);
	fprintf(stderr, "%d profiles written, %llu rolled up\n", n, (unsigned long long)merged);
done:
	if (rc)
		fprintf(stderr, "smolder-bench: %s\n", err_last());
	store_close(s);
	prof_free(src);
	return rc;
}

int bench_browser(const char *db_arg, const char *example)
{
	const char *db = db_arg ? db_arg : "/tmp/smolder-bench-browser.db";
	double first[RUNS], change[RUNS];
	FILE *null_out, *null_in;
	SCREEN *scr;
	int r;

	if (access(db, F_OK) != 0 && make_store(db, example))
		return 1;
	null_out = fopen("/dev/null", "w");
	null_in = fopen("/dev/null", "r");
	scr = newterm("xterm-256color", null_out, null_in);
	if (!scr) {
		fprintf(stderr, "smolder-bench: no xterm-256color terminfo\n");
		return 1;
	}
	set_term(scr);
	resizeterm(60, 200);
	for (r = 0; r < RUNS; r++) {
		struct tui_opts o = { 0 };
		struct tui_app *a = NULL;
		struct backend *be = NULL;
		double t0;

		o.theme = "dark";
		o.sample_type = -1;
		o.source = "bench";
		o.backend_name = "bench store";
		o.start_in_browser = true;
		t0 = now_ms();
		if (store_backend_open(db, NULL, &be)) {
			fprintf(stderr, "smolder-bench: %s\n", err_last());
			return 1;
		}
		o.backend = be;
		if (tui_app_new(NULL, &o, &a)) {
			fprintf(stderr, "smolder-bench: %s\n", err_last());
			return 1;
		}
		tui_app_draw(a);
		refresh();
		first[r] = now_ms() - t0;
		t0 = now_ms();
		tui_app_key(a, ']');
		tui_app_key(a, ']');
		tui_app_key(a, '\n');
		tui_app_draw(a);
		refresh();
		change[r] = now_ms() - t0;
		tui_app_free(a);
	}
	endwin();
	delscreen(scr);
	fclose(null_out);
	fclose(null_in);
	qsort(first, RUNS, sizeof(double), cmp_d);
	qsort(change, RUNS, sizeof(double), cmp_d);
	printf("store browser on 24 h of 10 s profiles for %d services (%s)\n", NSVC, db);
	printf("  first screen           %8.1f ms   (rows, freshness, timeline, drawn; target < 200 ms)\n",
	       first[RUNS / 2]);
	printf("  24 h range + flame     %8.1f ms   (rows, timeline, 24 h merged, tree, drawn; "
	       "target < 300 ms)\n", change[RUNS / 2]);
	return 0;
}
