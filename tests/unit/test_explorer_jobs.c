/*
 * test_explorer_jobs.c — the explorer's background jobs (filters, export, the sandwich,
 * new data from a refresh), driven without a key loop and drawn on an off-screen terminal
 * (offscreen.h) whose cells are read back (its views alone are test_explorer.c):
 *
 *  - freeing the app (q) while a filter job runs: at once, the job left to its thread,
 *    which frees it and the profile it reads (LeakSanitizer checks, at exit);
 *  - Esc while a filter job runs: the job is dropped at once (the next change is taken),
 *    and its thread stops soon, not after the whole stack; the profile it reads outlives
 *    the app while it does (AddressSanitizer checks); inside one slow filter, it stops
 *    after the name it is trying, not at the filter's end;
 *  - export (e) on a worker: the screen says it is writing, the outcome lands later, the
 *    file is the one the UI thread wrote before; a profile let go of meanwhile (a filter
 *    popped, a sandwich pivot) is the job's to free (AddressSanitizer checks);
 *  - the sandwich of a large profile on a worker: 3 returns without building its trees
 *    (it took 100-230 ms on the UI thread), the screen says it is computing, and what
 *    lands is what sandwich_build() and tree_build() give; a pivot while one runs drops
 *    it (its result is never shown), Esc drops it, and q frees the app at once, the job
 *    left to its thread (LeakSanitizer checks); a small profile's is still made at once;
 *  - new data under a large sandwich: the old one stays on screen (it blanked to
 *    "computing") until the new one lands, named and searched by the old data's string
 *    ids, which may run past the new data's table (AddressSanitizer checks); Enter on it
 *    pivots in the new data; new data without the function leaves no sandwich;
 *  - a live refresh with filters on: the old filtered view and its stack stay until the
 *    new data lands filtered, through a second refresh too, and filter keys meanwhile
 *    change the stack that lands;
 *  - Esc while a job is inside one long step that is not a filter (sandwich_build() in
 *    the sandwich job; collapsing recursion or a granularity change in the filter job):
 *    its thread ends soon after, not at the step's end.
 */
#include <dirent.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "offscreen.h"
#include "profile/builder.h"
#include "profile/granularity.h"
#include "profile/recursion.h"
#include "profile/sandwich.h"
#include "testutil.h"
#include "testutil_browser.h"
#include "tui/tui_int.h"

/* ------------------------------------------------------------------------------------ */
/* q while a filter job runs                                                              */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The threads of this process (/proc/self/task). */
static int threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_quit_while_filtering(void **state)
{
	struct buf b = BUF_INIT;
	struct tui_app *a;
	double t0, took;
	int i, n0 = threads();

	(void)state;
	/* a regex that backtracks: ~35 ms on each name, 2 s in all */
	for (i = 0; i < 60; i++)
		buf_printf(&b, "main;aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa%d 1\n", i);
	a = tb_app_of(tu_decode_str(b.data), "slow");
	buf_release(&b);
	a->async = true; /* as tui_run: on a worker */
	assert_int_equal(app_filter_push(a, FK_FOCUS, "(a+)+$"), 0);
	assert_true(app_job_running(a));
	assert_int_equal(threads(), n0 + 1);
	t0 = now_ms();
	tui_app_free(a); /* waited for the job */
	took = now_ms() - t0;
	if (took > 500)
		fail_msg("freeing the app took %.0f ms: it waited for the filter", took);
	/* the job's thread ends on its own and frees what it holds (LeakSanitizer: at exit) */
	for (i = 0; i < 600 && threads() > n0; i++)
		usleep(100 * 1000);
	assert_int_equal(threads(), n0);
}

/* An unfiltered profile of n names on which the regex "(a+)+$" backtracks (about 35 ms a name). */
static struct prof *backtracking_profile(int n)
{
	struct buf b = BUF_INIT;
	struct prof *p;
	int i;

	for (i = 0; i < n; i++)
		buf_printf(&b, "main;aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa%d 1\n", i);
	p = tu_decode_str(b.data);
	buf_release(&b);
	return p;
}

#define SLOW_RE "(a+)+$"
#define SLOW_STACK 8  /* filters in the stack the cancelled job applies */

/*
 * Waits until the filter job's thread has computed for 30 ms (its CPU time, not the
 * clock's): it is then inside its first filter, past the checks before it, reading the
 * loaded profile.
 */
static void wait_filtering(struct tui_app *a)
{
	struct timespec ts = { 0, 0 };
	clockid_t cid;
	int i;

	assert_non_null(a->job);
	assert_int_equal(pthread_getcpuclockid(a->job->job.th, &cid), 0);
	for (i = 0; i < 10000; i++) {
		assert_int_equal(clock_gettime(cid, &ts), 0);
		if (ts.tv_sec > 0 || ts.tv_nsec >= 30 * 1000000L)
			return;
		usleep(1000);
	}
	fail_msg("the filter job's thread did not start computing");
}

/*
 * What one slow filter costs here, applied on this thread to a profile of n names (it
 * matches none of them: the profile stays whole).
 */
static double slow_filter_ms(int n)
{
	struct tui_app *a = tb_app_of(backtracking_profile(n), "slow");
	double t0 = now_ms(), ms;

	assert_int_equal(app_filter_push(a, FK_IGNORE, SLOW_RE), 0);
	ms = now_ms() - t0;
	assert_int_equal(a->prof->nsamples, n);
	tui_app_free(a);
	return ms;
}

static void test_esc_while_filtering(void **state)
{
	struct offscreen scr = screen_open(24, 100);
	struct tui_app *a;
	double t0, one, stopped;
	int i, n0 = threads();

	(void)state;
	one = slow_filter_ms(8);

	/* a stack of seven of them shown (set as it is: pushing them would apply the stack
	 * seven times), and an eighth pushed on a worker: eight filters to apply */
	a = tb_app_of(backtracking_profile(8), "slow");
	for (i = 0; i < SLOW_STACK - 1; i++) {
		a->filters[i].kind = FK_IGNORE;
		snprintf(a->filters[i].pat, sizeof(a->filters[i].pat), "%s", SLOW_RE);
	}
	a->nfilters = SLOW_STACK - 1;
	a->async = true;
	assert_int_equal(app_filter_push(a, FK_IGNORE, SLOW_RE), 0);
	assert_true(app_job_running(a));
	assert_int_equal(threads(), n0 + 1);
	wait_filtering(a);
	assert_on_screen(screen_text(a, &scr), "Esc cancels");

	/* Esc: the UI has let go of the job at once, whatever the thread is doing */
	t0 = now_ms();
	assert_true(tui_app_key(a, 27));
	assert_false(app_job_running(a));
	assert_string_equal(a->message, "cancelled");
	assert_not_on_screen(screen_text(a, &scr), "working");
	assert_int_equal(a->nfilters, SLOW_STACK - 1); /* the shown profile is unchanged */

	/* its thread stops after the filter it is in (one), not the eight of the stack */
	for (i = 0; i < 3000 && threads() > n0; i++)
		usleep(10 * 1000);
	stopped = now_ms() - t0;
	assert_int_equal(threads(), n0);
	if (stopped > one * SLOW_STACK / 2)
		fail_msg("the cancelled job ran %.0f ms after Esc (one filter: %.0f ms, the stack: "
			 "%d of them): it did not stop", stopped, one, SLOW_STACK);

	/* the next change is taken at once; dropped again, then the app goes while the job
	 * still reads the loaded profile, which outlives the app until the job lets go */
	assert_int_equal(app_filter_push(a, FK_IGNORE, SLOW_RE), 0);
	assert_true(app_job_running(a));
	wait_filtering(a);
	tui_app_key(a, 27);
	assert_false(app_job_running(a));
	screen_close(&scr);
	tui_app_free(a);
	for (i = 0; i < 3000 && threads() > n0; i++)
		usleep(10 * 1000);
	assert_int_equal(threads(), n0);
}

/*
 * Esc while one slow filter is applied (a single prof_filter call, no steps between): the
 * job's thread stops inside it, after the name it is trying, not at its end.
 */
static void test_esc_inside_a_filter(void **state)
{
	struct tui_app *a;
	double t0, whole, stopped;
	int i, n0 = threads();

	(void)state;
	whole = slow_filter_ms(16);

	a = tb_app_of(backtracking_profile(16), "slow");
	a->async = true;
	assert_int_equal(app_filter_push(a, FK_IGNORE, SLOW_RE), 0);
	wait_filtering(a);
	t0 = now_ms();
	tui_app_key(a, 27);
	assert_false(app_job_running(a));
	for (i = 0; i < 3000 && threads() > n0; i++)
		usleep(1000);
	stopped = now_ms() - t0;
	assert_int_equal(threads(), n0);
	if (stopped > whole / 4)
		fail_msg("the cancelled filter ran %.0f ms after Esc (the whole filter: %.0f ms): it "
			 "ran to its end", stopped, whole);
	tui_app_free(a);
}

/* ------------------------------------------------------------------------------------ */
/* export on a worker                                                                     */

/* A profile of 20,000 stacks 40 deep over 2,000 functions (fixed: the same every run). */
static struct prof *wide_profile(void)
{
	struct buf b = BUF_INIT;
	struct prof *p;
	uint32_t x = 7;
	int i, d;

	for (i = 0; i < 20000; i++) {
		buf_puts(&b, "main");
		for (d = 0; d < 40; d++) {
			x = x * 1103515245u + 12345u;
			buf_printf(&b, ";pkg%u.fn%u", (x >> 8) % 20, (x >> 16) % 100);
		}
		buf_printf(&b, " %d\n", i % 97 + 1);
	}
	p = tu_decode_str(b.data);
	buf_release(&b);
	return p;
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long len;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	rewind(f);
	data = malloc((size_t)len + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)len, f), (size_t)len);
	data[len] = '\0';  /* a C string too */
	fclose(f);
	*n = (size_t)len;
	return data;
}

static void assert_same_file(const char *p1, const char *p2)
{
	size_t n1, n2;
	char *d1 = slurp(p1, &n1), *d2 = slurp(p2, &n2);

	assert_true(n1 > 0);
	assert_int_equal(n1, n2);
	assert_memory_equal(d1, d2, n1);
	free(d1);
	free(d2);
}

/* Lands the export in flight (bounded). */
static void export_wait(struct tui_app *a)
{
	int i;

	for (i = 0; i < 6000 && !export_view_poll(a); i++)
		usleep(10 * 1000);
	assert_false(export_view_busy(a, NULL));
}

/*
 * A difference opened as one file (pprof -diff_base's form, negative values): svg and
 * speedscope get its new side, as `smolder export` writes them (it drew the net values,
 * negatives as nothing), and the message says so.
 */
static void test_export_signed_new_side(void **state)
{
	struct tui_app *a = tb_app_of(tu_decode_str("main;a 5\nmain;bee -3\n"), "signed");
	char path[600], *svg;
	size_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s", tu_tmp_path("signed.svg"));
	a->export_fmt = 3;
	export_view_write(a, path);
	export_wait(a);
	assert_false(a->message_error);
	assert_non_null(strstr(a->message, ", the new side)"));
	svg = slurp(path, &n);
	assert_non_null(strstr(svg, "<title>all (5, 100%)</title>"));
	assert_null(strstr(svg, "bee"));
	free(svg);
	tui_app_free(a);
}

static void test_export_on_worker(void **state)
{
	struct tui_app *a = tb_app_of(wide_profile(), "wide");
	struct offscreen scr = screen_open(24, 80);
	char p1[600], p2[600];
	const char *text;

	(void)state;
	snprintf(p1, sizeof(p1), "%s", tu_tmp_path("ui.pb.gz"));
	snprintf(p2, sizeof(p2), "%s", tu_tmp_path("worker.pb.gz"));
	/* without a key loop: at once, as before */
	a->export_fmt = 0;
	export_view_write(a, p1);
	assert_false(a->message_error);
	assert_non_null(strstr(a->message, "wrote "));
	/* in the key loop: the write is the worker's; the screen says so and keeps drawing */
	a->async = true;
	export_view_write(a, p2);
	assert_false(a->message_error);
	if (!strstr(a->message, "writing ") || strstr(a->message, "wrote "))
		fail_msg("the export was written on the UI thread: '%s'", a->message);
	text = screen_text(a, &scr);
	assert_on_screen(text, "writing ");
	assert_true(export_view_busy(a, NULL));
	/* one at a time */
	export_view_write(a, tu_tmp_path("third.pb.gz"));
	assert_true(a->message_error);
	assert_non_null(strstr(a->message, "still writing"));
	/* a filter would be a second job on the loaded profile, which the export reads */
	assert_int_not_equal(app_filter_push(a, FK_FOCUS, "pkg1\\."), 0);
	assert_non_null(strstr(err_last(), "still writing"));
	export_wait(a);
	assert_false(a->message_error);
	assert_non_null(strstr(a->message, "wrote "));
	assert_same_file(p1, p2);
	screen_close(&scr);
	tui_app_free(a);
}

/* The profile an export reads is let go of by the app while the export runs. */
static void test_export_handoff(void **state)
{
	struct tui_app *a = tb_app_of(wide_profile(), "wide");
	char p1[600], p2[600];
	uint32_t name;

	(void)state;
	snprintf(p1, sizeof(p1), "%s", tu_tmp_path("f-ui.folded"));
	snprintf(p2, sizeof(p2), "%s", tu_tmp_path("f-worker.folded"));
	/* a filtered view: a->prof is not the loaded profile */
	assert_int_equal(app_filter_push(a, FK_HIDE, "pkg3\\."), 0);
	a->export_fmt = 1;
	export_view_write(a, p1);
	assert_non_null(strstr(a->message, "wrote "));
	a->async = true;
	export_view_write(a, p2);
	assert_true(export_view_busy(a, NULL));
	/* F, landed at once: the filtered profile the export reads is replaced */
	a->async = false;
	app_filter_pop(a);
	assert_int_equal(a->nfilters, 0);
	export_wait(a);
	assert_non_null(strstr(a->message, "wrote "));
	assert_same_file(p1, p2);

	/* the sandwich's half, freed by a pivot while it is written */
	name = prof_find_str(a->prof, "pkg1.fn1");
	assert_int_not_equal(name, PROF_NONE);
	assert_int_equal(sandwich_view_set(a, name), 0);
	a->view = VIEW_SANDWICH;
	snprintf(p1, sizeof(p1), "%s", tu_tmp_path("s-ui.folded"));
	snprintf(p2, sizeof(p2), "%s", tu_tmp_path("s-worker.folded"));
	export_view_write(a, p1);
	assert_non_null(strstr(a->message, "wrote "));
	a->async = true;
	export_view_write(a, p2);
	assert_true(export_view_busy(a, NULL));
	assert_int_equal(sandwich_view_set(a, prof_find_str(a->prof, "pkg2.fn2")), 0);
	export_wait(a);
	assert_non_null(strstr(a->message, "wrote "));
	assert_same_file(p1, p2);

	/* and quitting while one is written waits for the whole file */
	snprintf(p2, sizeof(p2), "%s", tu_tmp_path("q-worker.folded"));
	a->view = VIEW_FLAME;
	export_view_write(a, tu_tmp_path("q-ui.folded"));
	export_wait(a);
	snprintf(p1, sizeof(p1), "%s", tu_tmp_path("q-ui.folded"));
	export_view_write(a, p2);
	tui_app_free(a);
	assert_same_file(p1, p2);
}

/* ------------------------------------------------------------------------------------ */
/* the sandwich on a worker                                                               */

#define BIG_PROFILE "go/gencode3k-cpu-labels.pb.gz"  /* 513k tree nodes */

/* Lands the sandwich in flight (bounded). */
static void sandwich_wait(struct tui_app *a)
{
	int i;

	for (i = 0; i < 6000 && !sandwich_view_poll(a); i++)
		usleep(10 * 1000);
	assert_false(sandwich_view_busy(a, NULL));
}

static void assert_same_tree(const struct tree *got, const struct tree *want)
{
	uint32_t i, ty;

	assert_non_null(got);
	assert_int_equal(got->n, want->n);
	assert_int_equal(got->ntypes, want->ntypes);
	for (i = 0; i < got->n; i++) {
		assert_int_equal(got->parent[i], want->parent[i]);
		assert_int_equal(got->name[i], want->name[i]);
		for (ty = 0; ty < got->ntypes; ty++) {
			assert_int_equal(tree_total(got, i, ty), tree_total(want, i, ty));
			assert_int_equal(tree_self(got, i, ty), tree_self(want, i, ty));
		}
	}
}

/* The shown sandwich is the one the synchronous path makes of `name` in a->prof. */
static void assert_sandwich_of(struct tui_app *a, uint32_t name)
{
	struct prof *callers, *callees;
	struct tree *tc, *te;

	assert_int_equal(a->sw.name, name);
	assert_int_equal(sandwich_build(a->prof, name, &callers, &callees), 0);
	assert_int_equal(tree_build(callers, &tc), 0);
	assert_int_equal(tree_build(callees, &te), 0);
	assert_same_tree(a->sw.callers_tree, tc);
	assert_same_tree(a->sw.callees_tree, te);
	tree_free(tc);
	tree_free(te);
	prof_free(callers);
	prof_free(callees);
}

/*
 * New data (a live refresh) re-derives what was on screen in the background: the
 * sandwich restored and the filters re-applied are not cancelled by Esc, which stays the
 * view's, and land as they were.
 */
static void test_refresh_in_background(void **state)
{
	struct tui_app *a = tb_app_of(tu_decode(BIG_PROFILE), "big");
	uint32_t fn = prof_find_str(a->prof, "gencode/internal/rt.Call"), ty;
	struct prof *p2;
	struct tree *t2;
	struct top *all2;
	int i;

	(void)state;
	a->async = true;
	a->main.fl.sel = top_widest(a->tree, a->type, fn);
	assert_true(tui_app_key(a, '3'));
	sandwich_wait(a);
	assert_sandwich_of(a, fn);
	/* the data is refreshed: the sandwich is computed again, in the background */
	p2 = tu_decode(BIG_PROFILE);
	assert_int_equal(tree_build(p2, &t2), 0);
	assert_non_null(all2 = calloc(p2->ntypes, sizeof(*all2)));
	assert_int_equal(top_from_tree(t2, all2), 0);
	app_install_profile(a, p2, t2, all2, false, "big", NULL);
	assert_true(sandwich_view_busy(a, NULL));
	assert_false(sandwich_view_waiting(a, NULL));
	tui_app_key(a, 27);
	assert_string_not_equal(a->message, "cancelled");
	sandwich_wait(a);
	assert_sandwich_of(a, fn);
	/* a filter, then a live refresh of the same query: re-applied in the background */
	tui_app_key(a, '1');
	assert_int_equal(app_filter_push(a, FK_FOCUS, "rt\\.Call"), 0);
	for (i = 0; i < 6000 && app_job_running(a); i++) {
		app_poll_jobs(a);
		usleep(10 * 1000);
	}
	assert_int_equal(a->nfilters, 1);
	a->br.live_reopen = true;
	p2 = tu_decode(BIG_PROFILE);
	assert_int_equal(tree_build(p2, &t2), 0);
	assert_non_null(all2 = calloc(p2->ntypes, sizeof(*all2)));
	assert_int_equal(top_from_tree(t2, all2), 0);
	app_install_profile(a, p2, t2, all2, false, "big", NULL);
	assert_true(app_job_running(a));
	assert_false(app_job_waiting(a));
	tui_app_key(a, 27);
	for (i = 0; i < 6000 && app_job_running(a); i++) {
		app_poll_jobs(a);
		usleep(10 * 1000);
	}
	assert_int_equal(a->nfilters, 1);  /* not lost to Esc */
	for (ty = 0; ty < 1; ty++)
		assert_true(a->prof->nsamples < p2->nsamples);
	tui_app_free(a);
}

/* ------------------------------------------------------------------------------------ */
/* new data from a refresh, under filters and under the sandwich                          */

/* A new profile for the app, as the browser's refresh installs one. */
static void install_new(struct tui_app *a, struct prof *p)
{
	struct tree *t;
	struct top *all;

	assert_int_equal(tree_build(p, &t), 0);
	assert_non_null(all = calloc(p->ntypes, sizeof(*all)));
	assert_int_equal(top_from_tree(t, all), 0);
	app_install_profile(a, p, t, all, false, "new", NULL);
}

/* Lands the filter job in flight, as the key loop does, or fails after a minute. */
static void jobs_wait(struct tui_app *a)
{
	int i;

	for (i = 0; i < 6000 && app_job_running(a); i++) {
		app_poll_jobs(a);
		usleep(10 * 1000);
	}
	assert_false(app_job_running(a));
}

/*
 * The app shows a filtered view of a profile of 16 samples (the header says `15 of 16`,
 * the status line the stack), never the unfiltered data (`16 total`) or an empty stack.
 */
static void assert_filtered(struct tui_app *a, struct offscreen *scr, int nfilters, int64_t total)
{
	const char *text;

	assert_int_equal(a->nfilters, nfilters);
	assert_int_equal(tree_total(a->tree, 0, a->type), total);
	assert_int_equal(a->base_total[a->type], 16);
	text = screen_text(a, scr);
	assert_on_screen(text, "ignore:a0$");
	assert_not_on_screen(text, "16 total");
}

/*
 * A live refresh while filters are on: the old filtered view and its stack stay on screen
 * until the stack is applied to the new data on the worker (it showed the unfiltered data
 * and no filter meanwhile), a second refresh before that keeps them too (they were lost),
 * and filter keys meanwhile act on the stack that lands (F said "no filter to pop", and a
 * `:focus=` was refused).
 */
static void test_refresh_keeps_filters(void **state)
{
	struct offscreen scr = screen_open(24, 100);
	struct tui_app *a = tb_app_of(backtracking_profile(16), "slow");
	struct prof *p3;

	(void)state;
	/* a stack that drops one sample of 16, then takes ~0.5 s (and drops none) */
	assert_int_equal(app_filter_push(a, FK_IGNORE, "a0$"), 0);
	assert_int_equal(app_filter_push(a, FK_IGNORE, SLOW_RE), 0);
	assert_filtered(a, &scr, 2, 15);

	a->async = true; /* as tui_run: on a worker */
	a->br.live_reopen = true; /* what the browser sets for a live refresh */
	install_new(a, backtracking_profile(16));
	assert_true(app_job_running(a));
	assert_false(app_job_waiting(a)); /* a refresh: no spinner, Esc is the view's */
	assert_filtered(a, &scr, 2, 15);
	/* the next refresh comes before the filters were applied to this one */
	install_new(a, backtracking_profile(16));
	assert_true(app_job_running(a));
	assert_filtered(a, &scr, 2, 15);

	/* a filter typed meanwhile goes on the stack that lands, on the newest data */
	app_command(a, "focus=a1$");
	assert_false(a->message_error);
	assert_true(app_job_running(a));
	assert_filtered(a, &scr, 2, 15);
	jobs_wait(a);
	assert_int_equal(a->nfilters, 3);
	assert_int_equal(a->filters[2].kind, FK_FOCUS);
	assert_int_equal(tree_total(a->tree, 0, a->type), 1);
	assert_string_equal(a->message, "focus=a1$: 1 of 16 (6.2%)");

	/* F during the next refresh pops the pending stack's last filter */
	install_new(a, p3 = backtracking_profile(16));
	assert_true(app_job_running(a));
	assert_true(tui_app_key(a, 'F'));
	assert_string_not_equal(a->message, "no filter to pop");
	assert_int_equal(a->nfilters, 3); /* shown until the new data lands */
	jobs_wait(a);
	assert_ptr_equal(a->base, p3);
	assert_string_equal(a->message, "filter popped, 2 left");
	assert_filtered(a, &scr, 2, 15);

	/* Esc meanwhile drops the change and the refresh: the shown view and stack stay */
	install_new(a, backtracking_profile(16));
	assert_true(tui_app_key(a, 'F'));
	assert_true(app_job_waiting(a));
	assert_true(tui_app_key(a, 27));
	assert_false(app_job_running(a));
	assert_ptr_equal(a->base, p3);
	assert_filtered(a, &scr, 2, 15);
	screen_close(&scr);
	tui_app_free(a);
}

/*
 * The same when the stack leaves no samples (a live view focused on a function absent
 * for a while): the refresh installed the data unfiltered and emptied the stack, for good.
 */
static void test_refresh_keeps_empty_filter(void **state)
{
	struct tui_app *a = tb_app_of(backtracking_profile(16), "slow");

	(void)state;
	assert_int_equal(app_filter_push(a, FK_FOCUS, "nosuchfunction$"), 0);
	assert_int_equal(a->nfilters, 1);
	assert_int_equal(a->prof->nsamples, 0);
	a->br.live_reopen = true;
	install_new(a, backtracking_profile(16));
	jobs_wait(a);
	assert_int_equal(a->nfilters, 1);
	assert_int_equal(a->prof->nsamples, 0);
	assert_int_equal(a->base->nsamples, 16);
	/* and a live refresh says nothing: it overwrote the message line every 5 s */
	scr_message(a, false, "kept");
	install_new(a, backtracking_profile(16));
	jobs_wait(a);
	assert_string_equal(a->message, "kept");
	tui_app_free(a);
}

/*
 * Every stack of `depth` frames over the names a, b and c under main (3^depth samples),
 * after `pad` other names, which take the low string ids.
 */
static struct prof *abc_profile(int depth, int pad)
{
	struct buf b = BUF_INIT;
	struct prof *p;
	int i, k, n = 1;

	for (i = 0; i < depth; i++)
		n *= 3;
	for (i = 0; i < pad; i++)
		buf_printf(&b, "pad%d 1\n", i);
	for (k = 0; k < n; k++) {
		int v = k;

		buf_puts(&b, "main");
		for (i = 0; i < depth; i++, v /= 3)
			buf_printf(&b, ";%c", 'a' + v % 3);
		buf_puts(&b, " 1\n");
	}
	p = tu_decode_str(b.data);
	buf_release(&b);
	return p;
}

/*
 * New data in which the function's name has another string id (another profile of the
 * same program): the sandwich shown stays on screen, drawn and named from the data it
 * was computed from, until the new one lands (it used to blank to "computing"), and
 * what it hands on (Enter's pivot) is in the new data's ids.  Drawn with a search
 * active, as the old ids run past the new string table (AddressSanitizer).  New data
 * without the function leaves no sandwich.
 */
static void test_refresh_keeps_sandwich(void **state)
{
	struct offscreen scr = screen_open(24, 120);
	struct tui_app *a = tb_app_of(tu_decode(BIG_PROFILE), "big");
	uint32_t fn = prof_find_str(a->prof, "gencode/internal/rt.Call"), fn2, callee, want;
	struct prof *p2 = tu_decode("go/gencode3k-cpu.pb.gz");
	const char *text, *cname;

	(void)state;
	a->async = true;
	fn2 = prof_find_str(p2, "gencode/internal/rt.Call");
	assert_int_not_equal(fn2, PROF_NONE);
	assert_int_not_equal(fn2, fn);            /* other ids: the check below means something */
	assert_true(p2->nstrs < a->prof->nstrs);  /* and old ids past the new table */
	a->main.fl.sel = top_widest(a->tree, a->type, fn);
	assert_true(tui_app_key(a, '3'));
	sandwich_wait(a);
	assert_sandwich_of(a, fn);
	a->sw.focus_callers = false;

	install_new(a, p2);
	assert_true(sandwich_view_busy(a, NULL));
	assert_int_equal(a->sw.name, fn);  /* the old sandwich, by its own ids */
	app_set_search(a, "worker|rt\\.Call");
	text = screen_text(a, &scr);
	assert_not_on_screen(text, "computing");
	assert_on_screen(text, " sandwich of gencode/internal/rt.Call");
	assert_on_screen(text, "callers above, callees below");
	app_set_search(a, NULL);
	/* Enter on a callee of the old halves pivots to it in the new data */
	assert_true(sandwich_view_key(a, 'j'));
	callee = a->sw.callees.fl.sel;
	assert_int_not_equal(callee, a->sw.callees.fl.zoom);
	cname = tree_name(a->sw.callees_tree, callee);
	want = prof_find_str(a->prof, cname);
	assert_int_not_equal(want, PROF_NONE);
	assert_true(tui_app_key(a, '\r'));
	assert_int_equal(sandwich_view_pending(a), want);
	sandwich_wait(a);
	assert_sandwich_of(a, want);
	assert_true(a->sw.from == a->prof);

	/* new data without the function: no sandwich (nothing of the old data stays) */
	install_new(a, tu_decode("go/cpuwork-cpu.pb.gz"));
	assert_int_equal(a->sw.name, 0);
	assert_false(sandwich_view_busy(a, NULL));
	text = screen_text(a, &scr);
	assert_not_on_screen(text, "callers above, callees below");
	tui_app_free(a);

	/*
	 * The old sandwich's names are string ids past the end of the new data's table (4,000
	 * names before them), drawn with a search whose per-name table is the new data's.
	 */
	a = tb_app_of(abc_profile(8, 4000), "padded");
	a->async = true;
	fn = prof_find_str(a->prof, "a");
	assert_true(fn > 4000);
	a->main.fl.sel = top_widest(a->tree, a->type, fn);
	assert_true(tui_app_key(a, '3'));
	sandwich_wait(a);
	assert_sandwich_of(a, fn);
	install_new(a, abc_profile(8, 0));
	assert_true(sandwich_view_busy(a, NULL));
	assert_int_equal(a->sw.name, fn);
	assert_true(a->prof->nstrs < 10);
	app_set_search(a, "^b$");
	text = screen_text(a, &scr);
	assert_on_screen(text, " sandwich of a");
	app_set_search(a, NULL);
	sandwich_wait(a);
	assert_sandwich_of(a, prof_find_str(a->prof, "a"));
	screen_close(&scr);
	tui_app_free(a);
}

static void test_sandwich_on_worker(void **state)
{
	struct offscreen scr = screen_open(24, 120);
	struct tui_app *a = tb_app_of(tu_decode(BIG_PROFILE), "big");
	uint32_t fn = prof_find_str(a->prof, "gencode/internal/rt.Call");
	uint32_t other = prof_find_str(a->prof, "main.worker"), callee, name3;
	const char *text;
	int i, n0 = threads();

	(void)state;
	assert_int_not_equal(fn, PROF_NONE);
	assert_int_not_equal(other, PROF_NONE);
	a->async = true; /* as tui_run */

	/* 3 on the flame graph's selection: back at once, the trees not built yet */
	a->main.fl.sel = top_widest(a->tree, a->type, fn);
	assert_true(tui_app_key(a, '3'));
	assert_int_equal(a->view, VIEW_SANDWICH);
	assert_true(sandwich_view_busy(a, NULL));
	assert_int_equal(sandwich_view_pending(a), fn);
	assert_null(a->sw.callers_tree);
	assert_null(a->sw.callees_tree);
	assert_int_equal(threads(), n0 + 1);
	text = screen_text(a, &scr);
	assert_on_screen(text, "computing");
	assert_on_screen(text, "rt.Call");
	assert_on_screen(text, "Esc cancels");
	/* the header and the status line name the pivot being computed (not the flame
	 * graph's path, nor "no function chosen") */
	assert_on_screen(text, " sandwich of gencode/internal/rt.Call");
	assert_on_screen(text, "computing the callers and callees of gencode/internal/rt.Call");
	assert_not_on_screen(text, "no function chosen");
	/* it lands as the synchronous path has it */
	sandwich_wait(a);
	assert_sandwich_of(a, fn);
	text = screen_text(a, &scr);
	assert_not_on_screen(text, "computing");
	assert_not_on_screen(text, "Esc cancels");
	assert_on_screen(text, "callers above, callees below");

	/* a pivot while one runs: the sandwich shown stays and takes keys ... */
	assert_int_equal(sandwich_view_set(a, other), 0);
	assert_true(sandwich_view_busy(a, NULL));
	assert_int_equal(a->sw.name, fn);
	a->sw.focus_callers = false;
	assert_true(sandwich_view_key(a, 'j')); /* down to a callee */
	callee = a->sw.callees.fl.sel;
	assert_int_equal(a->sw.callees_tree->parent[callee], a->sw.callees.fl.zoom);
	text = screen_text(a, &scr);
	assert_on_screen(text, "callers above, callees below");
	/* ... Enter on a callee pivots to it: the one for `other` is dropped, never shown */
	name3 = a->sw.callees_tree->name[callee];
	assert_true(tui_app_key(a, '\r'));
	assert_int_equal(sandwich_view_pending(a), name3);
	sandwich_wait(a);
	assert_sandwich_of(a, name3);
	for (i = 0; i < 3000 && threads() > n0; i++)
		usleep(10 * 1000);
	assert_int_equal(threads(), n0);
	assert_false(sandwich_view_poll(a));
	assert_int_equal(a->sw.name, name3);

	/* Esc while one runs: dropped at once, the sandwich shown stays */
	assert_int_equal(sandwich_view_set(a, fn), 0);
	assert_true(sandwich_view_busy(a, NULL));
	assert_true(tui_app_key(a, 27));
	assert_false(sandwich_view_busy(a, NULL));
	assert_string_equal(a->message, "cancelled");
	assert_int_equal(a->sw.name, name3);

	/* q while one runs: the app goes at once, the job's thread frees it and lets go of
	 * the profile it reads (LeakSanitizer: at exit) */
	assert_int_equal(sandwich_view_set(a, fn), 0);
	assert_true(sandwich_view_busy(a, NULL));
	screen_close(&scr);
	tui_app_free(a);
	for (i = 0; i < 6000 && threads() > n0; i++)
		usleep(10 * 1000);
	assert_int_equal(threads(), n0);

	/* a small profile's sandwich is made at once, even with a key loop */
	a = tb_app_of(tu_decode("go/cpuwork-cpu.pb.gz"), "small");
	a->async = true;
	fn = prof_find_str(a->prof, "main.processBatch");
	assert_int_not_equal(fn, PROF_NONE);
	assert_int_equal(sandwich_view_set(a, fn), 0);
	assert_false(sandwich_view_busy(a, NULL));
	assert_sandwich_of(a, fn);
	tui_app_free(a);
}

/* ------------------------------------------------------------------------------------ */
/* Esc inside one long step that is not a filter                                          */

static double thread_cpu_ms(pthread_t th)
{
	struct timespec ts;
	clockid_t cid;

	assert_int_equal(pthread_getcpuclockid(th, &cid), 0);
	assert_int_equal(clock_gettime(cid, &ts), 0);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Waits until the job's thread th has computed for `ms` of CPU time. */
static void wait_computed(pthread_t th, double ms)
{
	int i;

	for (i = 0; i < 20000 && thread_cpu_ms(th) < ms; i++)
		usleep(200);
	if (thread_cpu_ms(th) < ms)
		fail_msg("the job's thread did not compute for %.0f ms", ms);
}

/*
 * start(a) starts a job whose first step is `step` (whole / whole_cpu: its wall and CPU
 * time alone, run on this thread) and returns its thread; Esc once that thread has
 * computed a quarter of whole_cpu, then the time until it is gone (threads() back to n0)
 * must be a small part of whole, or the step ran to its end.  Up to three tries: on this
 * shared machine a thread may wait tens of ms for a core, while a step that runs to its
 * end goes on for three quarters of it every time.
 */
static void check_esc_inside(struct tui_app *a, pthread_t (*start)(struct tui_app *), int n0,
			     const char *step, double whole, double whole_cpu)
{
	double t0, stopped, best = 1e9;
	int i, try;

	for (try = 0; try < 3 && best > whole / 4; try++) {
		wait_computed(start(a), whole_cpu / 4);
		t0 = now_ms();
		assert_true(tui_app_key(a, 27));
		for (i = 0; i < 30000 && threads() > n0; i++)
			usleep(100);
		stopped = now_ms() - t0;
		assert_int_equal(threads(), n0);
		if (stopped < best)
			best = stopped;
	}
	print_message("  %s: %.0f ms alone; the job's thread ended %.1f ms after Esc (try %d)\n",
		      step, whole, best, try);
	if (best > whole / 4)
		fail_msg("the cancelled job ran %.0f ms after Esc (%s alone: %.0f ms): the step ran "
			 "to its end", best, step, whole);
}

static pthread_t start_sandwich(struct tui_app *a)
{
	uint32_t fn = prof_find_str(a->prof, "gencode/internal/rt.Call");

	assert_int_equal(sandwich_view_set(a, fn), 0);
	assert_true(sandwich_view_busy(a, NULL));
	return a->sw.job->job.th;
}

static pthread_t start_collapsing(struct tui_app *a)
{
	assert_int_equal(app_filter_push(a, FK_COLLAPSE, ""), 0);
	assert_true(app_job_running(a));
	return a->job->job.th;
}

static pthread_t start_packages(struct tui_app *a)
{
	app_command(a, "granularity=packages");  /* as :granularity=packages is typed */
	assert_true(app_job_waiting(a));
	return a->job->job.th;
}

static void test_esc_inside_the_sandwich(void **state)
{
	struct tui_app *a = tb_app_of(tu_decode(BIG_PROFILE), "big");
	uint32_t fn = prof_find_str(a->prof, "gencode/internal/rt.Call");
	struct prof *callers, *callees;
	double t0, c0, whole, whole_cpu;
	int n0 = threads();

	(void)state;
	assert_int_not_equal(fn, PROF_NONE);
	c0 = thread_cpu_ms(pthread_self());
	t0 = now_ms();
	assert_int_equal(sandwich_build(a->prof, fn, &callers, &callees), 0);
	whole = now_ms() - t0;
	whole_cpu = thread_cpu_ms(pthread_self()) - c0;
	prof_free(callers);
	prof_free(callees);

	a->async = true;
	a->main.fl.sel = top_widest(a->tree, a->type, fn);
	assert_true(tui_app_key(a, '3'));
	assert_int_equal(a->view, VIEW_SANDWICH);
	/* Esc a quarter into sandwich_build(), the job's first step */
	check_esc_inside(a, start_sandwich, n0, "sandwich_build", whole, whole_cpu);
	assert_false(sandwich_view_busy(a, NULL));
	tui_app_free(a);
}

/*
 * 200,000 samples 64 frames deep over 64 distinct stacks (fixed): a small call tree, but
 * long to walk frame by frame; frames come in pairs of one function (direct recursion,
 * which collapsing removes), named over 40 packages.
 */
static struct prof *deep_profile(void)
{
	struct prof_builder *b = NULL;
	struct prof *p = NULL;
	uint32_t loc[200], locs[64], t, u, i, d;
	char name[32];

	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "samples", 7, &t), 0);
	assert_int_equal(pb_string(b, "count", 5, &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	for (i = 0; i < 200; i++) {
		int n = snprintf(name, sizeof(name), "pkg%u.fn%u", i % 40, i);

		assert_int_equal(pb_named_frame(b, name, (size_t)n, &loc[i]), 0);
	}
	for (i = 0; i < 200000; i++) {
		int64_t v = 1 + i % 7;

		for (d = 0; d < 64; d++) /* leaf first */
			locs[d] = loc[(i % 64 + (63 - d) / 2 * 3) % 200];
		assert_int_equal(pb_sample(b, locs, 64, &v, NULL, 0), 0);
	}
	assert_int_equal(pb_finish(b, &p), 0);
	return p;
}

static void test_esc_inside_collapsing(void **state)
{
	struct tui_app *a = tb_app_of(deep_profile(), "deep");
	struct prof *out;
	double t0, c0, whole, whole_cpu;
	int n0 = threads();

	(void)state;
	c0 = thread_cpu_ms(pthread_self());
	t0 = now_ms();
	assert_int_equal(prof_collapse_recursion(a->prof, &out), 0);
	whole = now_ms() - t0;
	whole_cpu = thread_cpu_ms(pthread_self()) - c0;
	assert_int_equal(out->nsample_locs, a->prof->nsample_locs / 2); /* it did collapse */
	prof_free(out);

	a->async = true;
	check_esc_inside(a, start_collapsing, n0, "collapsing recursion", whole, whole_cpu);
	assert_false(app_job_running(a));
	assert_int_equal(a->nfilters, 0);
	tui_app_free(a);
}

static void test_esc_inside_granularity(void **state)
{
	struct tui_app *a = tb_app_of(deep_profile(), "deep");
	struct prof *out;
	double t0, c0, whole, whole_cpu;
	int n0 = threads();

	(void)state;
	c0 = thread_cpu_ms(pthread_self());
	t0 = now_ms();
	assert_int_equal(prof_granularity(a->prof, GRAN_PACKAGES, &out), 0);
	whole = now_ms() - t0;
	whole_cpu = thread_cpu_ms(pthread_self()) - c0;
	assert_int_equal(out->nfunctions, 40);
	prof_free(out);

	a->async = true;
	check_esc_inside(a, start_packages, n0, "granularity=packages", whole, whole_cpu);
	assert_false(app_job_running(a));
	assert_int_equal(a->gran, GRAN_FUNCTIONS);
	tui_app_free(a);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quit_while_filtering),
		cmocka_unit_test(test_esc_while_filtering),
		cmocka_unit_test(test_esc_inside_a_filter),
		cmocka_unit_test(test_export_on_worker),
		cmocka_unit_test(test_export_signed_new_side),
		cmocka_unit_test(test_export_handoff),
		cmocka_unit_test(test_refresh_keeps_sandwich),
		cmocka_unit_test(test_sandwich_on_worker),
		cmocka_unit_test(test_refresh_in_background),
		cmocka_unit_test(test_refresh_keeps_filters),
		cmocka_unit_test(test_refresh_keeps_empty_filter),
		cmocka_unit_test(test_esc_inside_the_sandwich),
		cmocka_unit_test(test_esc_inside_collapsing),
		cmocka_unit_test(test_esc_inside_granularity),
	};

	int rc;

	setlocale(LC_ALL, "C.UTF-8");
	tu_init(argc, argv);
	if (tu_tmp_create("explorer_jobs"))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tu_tmp_remove();
	return rc;
}
