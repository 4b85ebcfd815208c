/*
 * bench_browser.c — `smolder-bench --browser [DB]`: the store browser on a store holding
 * 24 h of 10 s profiles for 10 services (8,640 profiles each, 86,400 in all, made from
 * examples/cpuwork-cpu.pb.gz with varying values), with profiles older than an hour rolled
 * up into 1 min buckets as `smolder serve` does.  The store is made at DB (default
 * /tmp/smolder-bench-browser.db) under a temporary name, renamed when complete, and reused
 * while it is complete and under 15 minutes old; else made again (said on stderr).  A DB
 * holding other services is never touched.
 *
 *   first screen: the explorer opened on the store (services × types with freshness, the
 *                 selected row's timeline, label names) and drawn;
 *   range change: the 24 h preset, then Enter — the merged flame graph of 24 h drawn.
 * The app runs its backend calls inline here (no worker thread), so the times are the
 * whole work.  Median of 5.  Each run checks what a person would see: every service on
 * the first screen, then "N profiles merged" with N nearly all of a service's 8,640; the
 * run fails when either is missing.
 */
#include <curses.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/strvec.h"
#include "base/text.h"
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
#define NPUSHED ((uint64_t)NSVC * (SPAN_S / STEP_S))  /* 86,400 */
/* A store older than this is made again (see store_check). */
#define MAX_AGE_S (15 * 60)
/*
 * The fewest profiles the 24 h flame graph of one service may merge: all of its 8,640
 * but those the store's age (and a 1 min rollup bucket at the range's start) leaves out.
 */
#define MIN_MERGED ((SPAN_S - MAX_AGE_S - 60) / STEP_S)

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A store's -wal and -shm (kept at close: store.c) go with it: a stale WAL beside a
 * new main file would be replayed into it. */
static void unlink_store(const char *db)
{
	char side[4200];

	if ((size_t)snprintf(side, sizeof(side), "%s-wal", db) < sizeof(side))
		unlink(side);
	if ((size_t)snprintf(side, sizeof(side), "%s-shm", db) < sizeof(side))
		unlink(side);
	unlink(db);
}

/*
 * Writes the store under DB.part and renames it to DB only once complete, so that an
 * interrupted build (it takes about a minute) never leaves a store that looks usable.
 */
static int make_store(const char *db, const char *example)
{
	struct load_opts lo = { NULL, false, 0 };
	struct prof *src = NULL;
	struct store *s = NULL;
	int64_t now = time_now_ns(), t0 = now - (int64_t)SPAN_S * 1000000000, t;
	uint64_t merged = 0;
	char part[4200];
	int rc, k, n = 0;

	if ((size_t)snprintf(part, sizeof(part), "%s.part", db) >= sizeof(part) - 4) {
		fprintf(stderr, "smolder-bench: '%s': path too long\n", db);
		return -1;
	}
	unlink_store(part);  /* what an interrupted build left */
	if ((rc = load_profile(example, &lo, &src)) ||
	    (rc = store_open(part, STORE_CREATE, &s)))
		goto done;
	fprintf(stderr, "making %s (86,400 profiles, about a minute)...\n", part);
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
	if ((rc = store_downsample(s, now - 3600LL * 1000000000, 60LL * 1000000000, &merged)))
		goto done;
	fprintf(stderr, "%d profiles written, %llu rolled up\n", n, (unsigned long long)merged);
	store_close(s);  /* checkpoints the WAL into the file */
	s = NULL;
	unlink_store(db);
	rc = rename(part, db);
	if (rc)
		fprintf(stderr, "smolder-bench: cannot rename '%s' to '%s': %s\n", part, db,
			strerror(errno));
	unlink_store(part);  /* its emptied -wal and -shm; all of it after a failure */
	goto out;
done:
	fprintf(stderr, "smolder-bench: %s\n", err_last());
out:
	store_close(s);
	prof_free(src);
	return rc;
}

/* What store_check found at DB. */
enum store_state {
	STORE_FITS,     /* as make_store makes it, recently */
	STORE_REMAKE,   /* none, empty, or this bench's but incomplete or old: made again */
	STORE_FOREIGN,  /* something else (a real store?): never overwritten */
};

/* Whether s is "service-NN" for an NN under NSVC. */
static bool bench_service(const char *s)
{
	return strncmp(s, "service-", 8) == 0 && s[8] >= '0' && s[8] <= '9' && s[9] >= '0' &&
	       s[9] <= '9' && !s[10] && (s[8] - '0') * 10 + (s[9] - '0') < NSVC;
}

/*
 * Whether db holds what make_store makes, made recently enough: every service, all
 * 86,400 pushes (a profile per sample type each), the newest under MAX_AGE_S old.  An
 * older store's 24 h range misses the oldest of its data and holds 10 s profiles serve
 * would have rolled up, so its figures are no longer those of the store described
 * above.  Only a store of this bench's services is ever made again: DB may name a real
 * store.  The reason, unless it fits, is in why.
 */
static enum store_state store_check(const char *db, char *why, size_t whylen)
{
	struct store *s = NULL;
	struct backend *be = NULL;
	struct store_stats st;
	struct strvec svc = STRVEC_INIT;
	struct time_range all = { 0, INT64_MAX };
	struct stat sb;
	int64_t now = time_now_ns();
	enum store_state rc = STORE_FOREIGN;
	uint64_t ntypes;
	size_t k;

	if (stat(db, &sb) != 0) {
		snprintf(why, whylen, "there is none");
		return errno == ENOENT ? STORE_REMAKE : STORE_FOREIGN;
	}
	if (S_ISREG(sb.st_mode) && sb.st_size == 0) {
		snprintf(why, whylen, "it is empty");
		return STORE_REMAKE;
	}
	if (store_open(db, STORE_READONLY, &s) || store_stats(s, &st) ||
	    store_backend_open(db, NULL, &be) ||
	    be->ops->label_values(be, "service_name", NULL, all, &svc)) {
		snprintf(why, whylen, "%s", err_last());
		goto done;
	}
	for (k = 0; k < svc.n; k++) {
		if (!bench_service(svc.v[k])) {
			struct buf safe = BUF_INIT;  /* a name from the store, for the terminal */

			text_safe(&safe, svc.v[k], strlen(svc.v[k]), false);
			snprintf(why, whylen, "it has the service '%s', so it is not this bench's "
				 "store", safe.data ? safe.data : "");
			buf_release(&safe);
			goto done;
		}
	}
	if (!svc.n && st.profiles) {
		snprintf(why, whylen, "its profiles are not this bench's (other tenants?)");
		goto done;
	}
	rc = STORE_REMAKE;
	ntypes = st.series / NSVC;  /* a push is a profile per sample type, each a series */
	if (svc.n != NSVC)
		snprintf(why, whylen, "it has %zu of the %d services (an interrupted build?)",
			 svc.n, NSVC);
	else if (!ntypes || st.series % NSVC || st.pushed != NPUSHED * ntypes)
		snprintf(why, whylen, "it holds %llu of the %llu pushes (an interrupted build?)",
			 ntypes ? (unsigned long long)(st.pushed / ntypes) : 0ULL,
			 (unsigned long long)NPUSHED);
	else if (st.newest_ns < now - (int64_t)MAX_AGE_S * 1000000000)
		snprintf(why, whylen, "its newest profile is %.0f min old (more than %d)",
			 (double)(now - st.newest_ns) / 60e9, MAX_AGE_S / 60);
	else
		rc = STORE_FITS;
done:
	strvec_release(&svc);
	backend_close(be);
	store_close(s);
	return rc;
}

/* Whether a line of the (off-screen) terminal shows text; the line's number, or -1. */
static int screen_find(const char *text, char *line, size_t linelen)
{
	int y, rows = getmaxy(curscr), cols = getmaxx(curscr);

	if (cols < 1 || (size_t)cols >= linelen)
		cols = (int)linelen - 1;
	for (y = 0; y < rows; y++) {
		if (mvwinnstr(curscr, y, 0, line, cols) == ERR)
			continue;
		if (strstr(line, text))
			return y;
	}
	return -1;
}

/*
 * What the range change should have shown: the flame view and the message "N profiles
 * merged over 1 series" (browser_view.c), for one service's 24 h.  The count, or 0 when
 * it is not on the screen (said on stderr).
 */
static unsigned long long flame_opened(void)
{
	char line[512], *p;
	unsigned long long n = 0;

	if (screen_find("profiles merged over", line, sizeof(line)) < 0) {
		fprintf(stderr, "smolder-bench: after the 24 h range and Enter the screen shows no "
			"'profiles merged' (no flame graph was opened)\n");
		return 0;
	}
	for (p = line; *p && !(*p >= '0' && *p <= '9'); p++)
		;
	n = strtoull(p, NULL, 10);
	if (!n)
		fprintf(stderr, "smolder-bench: the flame graph merged 0 profiles\n");
	return n;
}

int bench_browser(const char *db_arg, const char *example)
{
	const char *db = db_arg ? db_arg : "/tmp/smolder-bench-browser.db";
	double first[RUNS], change[RUNS];
	unsigned long long merged[RUNS];
	FILE *null_out = NULL, *null_in = NULL;
	SCREEN *scr = NULL;
	char why[512], line[512];
	int r, rc = 1;

	switch (store_check(db, why, sizeof(why))) {
	case STORE_FITS:
		break;
	case STORE_REMAKE:
		fprintf(stderr, "smolder-bench: making %s again: %s\n", db, why);
		if (make_store(db, example))
			return 1;
		if (store_check(db, why, sizeof(why)) != STORE_FITS) {
			fprintf(stderr, "smolder-bench: the store just made is not as expected: %s\n",
				why);
			return 1;
		}
		break;
	case STORE_FOREIGN:
		fprintf(stderr, "smolder-bench: will not use or overwrite '%s': %s\n", db, why);
		return 1;
	}
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
	for (r = 0; r < RUNS; r++) {
		struct tui_opts o = { 0 };
		struct tui_app *a = NULL;
		struct backend *be = NULL;
		double t0;
		int k;

		o.theme = "dark";
		o.sample_type = -1;
		o.source = "bench";
		o.backend_name = "bench store";
		o.start_in_browser = true;
		t0 = now_ms();
		if (store_backend_open(db, NULL, &be)) {
			fprintf(stderr, "smolder-bench: %s\n", err_last());
			goto done;
		}
		o.backend = be;
		if (tui_app_new(NULL, &o, &a)) {  /* frees be on failure too */
			fprintf(stderr, "smolder-bench: %s\n", err_last());
			goto done;
		}
		tui_app_draw(a);
		refresh();
		first[r] = now_ms() - t0;
		for (k = 0; k < NSVC; k++) {  /* the rows a person should see */
			char name[32];

			snprintf(name, sizeof(name), "service-%02d", k);
			if (screen_find(name, line, sizeof(line)) < 0) {
				fprintf(stderr, "smolder-bench: the first screen shows no %s\n", name);
				tui_app_free(a);
				goto done;
			}
		}
		t0 = now_ms();
		tui_app_key(a, ']');
		tui_app_key(a, ']');
		tui_app_key(a, '\n');
		tui_app_draw(a);
		refresh();
		change[r] = now_ms() - t0;
		merged[r] = flame_opened();
		tui_app_free(a);
		if (merged[r] < MIN_MERGED || merged[r] > SPAN_S / STEP_S) {
			if (merged[r])
				fprintf(stderr, "smolder-bench: the 24 h flame graph merged %llu "
					"profiles, not %d to %d\n", merged[r], MIN_MERGED,
					SPAN_S / STEP_S);
			goto done;
		}
	}
	endwin();
	qsort(first, RUNS, sizeof(double), bench_cmp_double);
	qsort(change, RUNS, sizeof(double), bench_cmp_double);
	printf("store browser on 24 h of 10 s profiles for %d services (%s)\n", NSVC, db);
	printf("  first screen           %8.1f ms   (rows, freshness, timeline, drawn; target < 200 ms)\n",
	       first[RUNS / 2]);
	printf("  24 h range + flame     %8.1f ms   (rows, timeline, 24 h merged, tree, drawn; "
	       "target < 300 ms)\n", change[RUNS / 2]);
	printf("  profiles merged        %8llu      (one service's 24 h)\n", merged[RUNS - 1]);
	rc = 0;
done:
	if (scr) {
		if (rc)
			endwin();
		delscreen(scr);
	}
	if (null_out)
		fclose(null_out);
	if (null_in)
		fclose(null_in);
	return rc;
}
