/*
 * test_browser_open.c — what the store browser (src/tui/browser_view.c) opens from a
 * window of its timeline, and the explorer on it, on real SQLite stores made here:
 * the window's numbers against what Enter merges, the tag breakdown, Z's call path,
 * a live refresh asking again, and P's comparison with the period before; driven
 * without a key loop (or with jobs made async and landed by hand):
 *
 *  - a live refresh (and M, Z) asks again for the profile that was opened, whatever the
 *    browser's cursor is on by then, and one landing while the browser shows stays there;
 *  - Z (one call path): the source pane's versions are of that path too;
 *  - the tag breakdown of a gauge over a window equals the merged profile of that label,
 *    and the status line's timeline numbers are the window's (a gauge's: an average),
 *    the window's edges included;
 *  - Z refuses a call path the store does not have (granularity=lines, hide=);
 *  - a timeline read for a range since replaced is dropped when it lands;
 *  - c while the window's plain profile is read leaves the comparison; a live refresh of
 *    a comparison keeps each pane's place; Enter beats a refresh's queued comparison;
 *  - P names the side without data (the window, the period before, or both); Z in the
 *    comparison is of the focused pane's path.
 *
 * The browser's list, timeline, prompt and keys: test_browser.c.
 */
#include <curses.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/timeparse.h"
#include "base/units.h"
#include "profile/granularity.h"
#include "store/store.h"
#include "offscreen.h"
#include "testutil.h"
#include "testutil_browser.h"
#include "testutil_store.h"
#include "tui/tui_int.h"

static int setup(void **state)
{
	(void)state;
	return tu_tmp_create("browser-open");
}

static int teardown(void **state)
{
	(void)state;
	tu_tmp_remove();
	return 0;
}

/* ------------------------------------------------------------------------------------ */
/* stores and the app                                                                    */

/* Moves the browser's cursor to the row whose type contains `type` (of `service`). */
static void pick_row(struct tui_app *a, const char *service, const char *type)
{
	uint32_t i;

	for (i = 0; i < a->br.nrows; i++)
		if (strcmp(a->br.rows[i].service, service) == 0 && strstr(a->br.rows[i].ptype, type)) {
			/* with keys, as a person would: the row's timeline is read */
			assert_int_equal(a->view, VIEW_BROWSER);
			while (a->br.row > i)
				tui_app_key(a, 'k');
			while (a->br.row < i)
				tui_app_key(a, 'j');
			return;
		}
	fail_msg("no row %s %s", service, type);
}

/* ------------------------------------------------------------------------------------ */
/* 3, 14, 6: what is opened again                                                        */

static const char *shown_type(const struct tui_app *a)
{
	return prof_str(a->prof, a->prof->sample_types[a->type].type);
}

/* cpu and heap profiles of app over the last hour */
static struct store *cpu_and_heap(const char *name)
{
	struct store *s = ts_open_new(name);
	struct prof *cpu = tu_decode("go/cpuwork-cpu.pb.gz");
	struct prof *heap = tu_decode("go/heapwork-heap.pb.gz");
	int64_t now = time_now_ns();
	int i;

	for (i = 0; i < 3; i++) {
		ts_write_or_fail(s, "app", cpu, now - (40 - 10 * i) * 60 * SEC, NULL, NULL);
		ts_write_or_fail(s, "app", heap, now - (40 - 10 * i) * 60 * SEC, NULL, NULL);
	}
	prof_free(cpu);
	prof_free(heap);
	return s;
}

static void test_live_reopens_what_was_opened(void **state)
{
	struct store *s = cpu_and_heap("reopen.db");
	struct tui_app *a = tb_app_on(s, NULL);
	int i;

	(void)state;
	pick_row(a, "app", ":cpu:");
	tui_app_key(a, '\n');
	assert_int_equal(a->view, VIEW_FLAME);
	assert_string_equal(shown_type(a), "cpu");
	/* T, the cursor on the heap's inuse_space, back to the flame graph: a live refresh
	 * (and M) still asks for app's cpu */
	tui_app_key(a, 'T');
	pick_row(a, "app", "inuse_space");
	tui_app_key(a, '1');
	a->br.last_refresh_ms = 0;
	browser_view_tick(a);
	assert_null(a->br.job);
	assert_string_equal(shown_type(a), "cpu");
	assert_int_equal(a->view, VIEW_FLAME);
	tui_app_key(a, 'M');
	assert_string_equal(shown_type(a), "cpu");
	/* a refresh that lands while the browser is on screen (T pressed while it ran)
	 * leaves the browser there */
	a->async = true;
	a->br.last_refresh_ms = 0;
	browser_view_tick(a);
	tui_app_key(a, 'T');
	for (i = 0; i < 500 && (browser_view_busy(a, NULL) || a->br.queued); i++) {
		usleep(10000);
		browser_view_poll(a);
	}
	assert_false(browser_view_busy(a, NULL));
	assert_int_equal(a->view, VIEW_BROWSER);
	assert_string_equal(shown_type(a), "cpu");
	/* Enter opens what the cursor is on */
	a->async = false;
	tui_app_key(a, '\n');
	assert_string_equal(shown_type(a), "inuse_space");
	tui_app_free(a);
	store_close(s);
}

static void test_path_only_versions(void **state)
{
	struct store *s = tb_two_versions("pathver.db");
	struct source_opts so = { .source_path = "/nonexistent", .offline = true };
	struct tui_app *a = tb_app_on(s, &so);
	const struct list_routine *r;
	uint32_t node, k;

	(void)state;
	tui_app_key(a, '\n');
	/* select main.main > main.work > main.square (only v2 calls it), Z */
	node = 0;
	for (k = 0; k < 3; k++) {
		const char *want[] = { "main.main", "main.work", "main.square" };
		uint32_t c;

		for (c = tree_first_kid(a->tree, node); c != PROF_NONE; c = tree_next_kid(a->tree, node, c))
			if (strcmp(tree_name(a->tree, c), want[k]) == 0)
				break;
		assert_int_not_equal(c, PROF_NONE);
		node = c;
	}
	a->main.fl.sel = node;
	tui_app_key(a, 'Z');
	assert_int_equal(a->br.nfocus, 3);
	assert_int_equal(tree_total(a->tree, 0, 0), 200 * 1000000LL);
	/* the source pane on main.work: v2's lines on that path, not all of v2 (550 ms) */
	assert_int_equal(source_view_set(a, prof_find_str(a->prof, "main.work")), 0);
	a->view = VIEW_SOURCE;
	assert_int_equal(a->sctx.nv, 2);
	assert_string_equal(a->sctx.v[a->src.ver].ref, "v2");
	r = &a->src.list.r[a->src.routine];
	assert_int_equal(r->cum, 200 * 1000000LL);
	assert_true(a->src.vcum[0] < 0); /* v1 never took that path */
	tui_app_free(a);
	store_close(s);
}

/* ------------------------------------------------------------------------------------ */
/* 4, 5: a gauge's breakdown, the timeline's numbers                                     */

/* A 1 h range whose 1 h + 1 s grid has a step boundary in its middle. */
static int64_t hour_from(void)
{
	int64_t k = 1700000000LL / 3601;

	return (k * 3601 + 1800) * SEC;
}

/* app's cpu and heap (env=prod) every 5 min over [from, from + 1 h) */
static struct store *gauge_store(const char *name, int64_t from)
{
	struct store *s = ts_open_new(name);
	struct prof *cpu = tu_decode("go/cpuwork-cpu.pb.gz");
	struct prof *heap = tu_decode("go/heapwork-heap.pb.gz");
	int i;

	for (i = 0; i < 12; i++) {
		ts_write_or_fail(s, "app", cpu, from + (300 * i + 60) * SEC, "env", "prod");
		ts_write_or_fail(s, "app", heap, from + (300 * i + 60) * SEC, "env", "prod");
	}
	prof_free(cpu);
	prof_free(heap);
	return s;
}

static void set_hour(struct tui_app *a, int64_t from)
{
	char r[64];

	snprintf(r, sizeof(r), "%lld %lld", (long long)(from / SEC), (long long)(from / SEC + 3600));
	assert_int_equal(browser_view_set_range(a, r), 0);
}

static const char *status_of(struct tui_app *a)
{
	static char out[1024];
	struct buf b = BUF_INIT;

	browser_view_status(a, &b);
	snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
	buf_release(&b);
	return out;
}

static void test_one_step(void **state)
{
	struct time_range r = { hour_from(), hour_from() + 3600 * SEC }, odd = { 7 * SEC, 3607 * SEC };
	double s;

	(void)state;
	s = backend_timeline_one_step(r);
	assert_true(s >= 3600);
	assert_true(r.to_ns <= r.from_ns / (int64_t)(s * 1e9) * (int64_t)(s * 1e9) + (int64_t)(s * 1e9));
	s = backend_timeline_one_step(odd);
	assert_true(s >= 3600 && s <= 3607 * 2);
	/* from 1970 to now crosses 2001-09-09 (a multiple of the largest step) */
	r.from_ns = 0;
	r.to_ns = time_now_ns();
	assert_true(backend_timeline_one_step(r) == 0);
}

static void test_gauge_breakdown(void **state)
{
	int64_t from = hour_from();
	struct store *s = gauge_store("gauge.db", from);
	struct tui_app *a = tb_app_on(s, NULL);
	double prod;
	int64_t merged;
	char want[UNITS_MAX];

	(void)state;
	set_hour(a, from);
	pick_row(a, "app", "inuse_space");
	browser_view_breakdown(a, "env");
	assert_true(a->br.breakdown);
	assert_int_equal(a->br.nbd_names, 1);
	assert_string_equal(a->br.bd_names[0], "prod");
	prod = a->br.bd[0];
	/* the timeline's status: an average, of the same value */
	a->br.breakdown = false;
	tui_app_key(a, '\n');
	merged = tree_total(a->tree, 0, a->type);
	assert_true(merged > 0);
	if (llround(prod) != merged)
		fail_msg("breakdown prod = %.0f, merged = %lld", prod, (long long)merged);
	tui_app_key(a, 'T');
	units_format(want, sizeof(want), merged, "bytes");
	if (!strstr(status_of(a), "timeline average") || !strstr(status_of(a), want))
		fail_msg("status '%s' does not say the average %s", status_of(a), want);
	tui_app_free(a);
	store_close(s);
}

static void test_window_sum(void **state)
{
	int64_t from = hour_from();
	struct store *s = gauge_store("window.db", from);
	struct tui_app *a = tb_app_on(s, NULL);
	const char *st, *p;
	int64_t merged;

	(void)state;
	set_hour(a, from);
	pick_row(a, "app", ":cpu:");
	tui_app_key(a, '-'); /* the middle half hour */
	st = status_of(a);
	assert_non_null(strstr(st, "window 1800 s"));
	p = strstr(st, "timeline sum ");
	assert_non_null(p);
	p = strchr(p, '(');
	assert_non_null(p);
	tui_app_key(a, '\n');
	merged = tree_total(a->tree, 0, a->type);
	if (llround(strtod(p + 1, NULL)) != merged)
		fail_msg("status '%s', merged window %lld", st, (long long)merged);
	tui_app_free(a);
	store_close(s);
}

/* The value in parentheses after `what` in the browser's status line. */
static double status_number(struct tui_app *a, const char *what)
{
	const char *st = status_of(a), *p = strstr(st, what);

	if (!p || !(p = strchr(p, '(')))
		fail_msg("no '%s (N)' in the status '%s'", what, st);
	return strtod(p + 1, NULL);
}

/*
 * The status line summed the timeline's steps that start in the window while Enter
 * merged the window's exact range: a push in the step across the window's start was
 * merged and not summed.  The window is whole steps: the two agree, and the length
 * shown is the range opened.
 */
static void test_window_sum_edges(void **state)
{
	int64_t from = hour_from();
	struct store *s = gauge_store("edges.db", from);
	struct tui_app *a = tb_app_on(s, NULL);
	struct prof *cpu = tu_decode("go/cpuwork-cpu.pb.gz");
	double sum;
	int64_t merged, len;

	(void)state;
	set_hour(a, from);
	pick_row(a, "app", ":cpu:");
	/* a push 2 s after the middle half hour's start: in a step that starts before it
	 * (steps of 60 s from the epoch; the hour starts 11 s after a multiple of 60) */
	assert_int_equal(a->br.tl_step, 60 * SEC);
	assert_int_not_equal((from + 900 * SEC) % (60 * SEC), 0);
	ts_write_or_fail(s, "app", cpu, from + 902 * SEC, "env", "prod");
	prof_free(cpu);
	tui_app_key(a, 'r');
	tui_app_key(a, '-');
	sum = status_number(a, "timeline sum ");
	len = strtoll(strstr(status_of(a), "window ") + 7, NULL, 10);
	tui_app_key(a, '\n');
	merged = tree_total(a->tree, 0, a->type);
	if (llround(sum) != merged)
		fail_msg("timeline sum %.0f, the window opened %lld", sum, (long long)merged);
	assert_true(a->br.oq.range.from_ns <= from + 902 * SEC);
	assert_int_equal(len * SEC, a->br.oq.range.to_ns - a->br.oq.range.from_ns);
	tui_app_free(a);
	store_close(s);
}

/* The first node at depth 2 (the first child's first child), selected in the flame graph. */
static uint32_t select_depth2(struct tui_app *a)
{
	uint32_t n = tree_first_kid(a->tree, 0);

	assert_int_not_equal(n, PROF_NONE);
	n = tree_first_kid(a->tree, n);
	assert_int_not_equal(n, PROF_NONE);
	a->main.fl.sel = n;
	return n;
}

/*
 * Z asks the store for the selected call path by its function names: under
 * granularity=lines, or with frames left out by hide= (or show=, show_from=, R), the path
 * on screen is not the store's, and Z says so instead of opening an empty profile as if
 * fine; with functions and no such filter it narrows to the path.
 */
static void test_z_path_as_stored(void **state)
{
	struct store *s = tb_two_versions("zpath.db");
	struct tui_app *a = tb_app_on(s, NULL);
	int64_t total;

	(void)state;
	tui_app_key(a, '\n');
	assert_int_equal(a->view, VIEW_FLAME);
	total = tree_total(a->tree, 0, 0);
	assert_true(total > 0);
	app_command(a, "granularity=lines");
	assert_int_equal(a->gran, GRAN_LINES);
	select_depth2(a);
	assert_non_null(strstr(tree_name(a->tree, a->main.fl.sel), ".go:"));
	tui_app_key(a, 'Z');
	if (a->br.nfocus || !strstr(a->message, "granularity=functions"))
		fail_msg("Z under granularity=lines: %zu frames asked, message '%s'", a->br.nfocus,
			 a->message);
	assert_int_equal(a->gran, GRAN_LINES);  /* the view stays as it was */
	assert_int_equal(tree_total(a->tree, 0, 0), total);
	app_command(a, "granularity=functions");
	app_command(a, "hide=main\\.work");
	assert_int_equal(a->nfilters, 1);
	select_depth2(a);
	tui_app_key(a, 'Z');
	if (a->br.nfocus || !strstr(a->message, "hide="))
		fail_msg("Z with hide=: %zu frames asked, message '%s'", a->br.nfocus, a->message);
	assert_int_equal(a->nfilters, 1);
	/* F pops the filter: Z narrows to main.main > main.work, which has data */
	tui_app_key(a, 'F');
	assert_int_equal(a->nfilters, 0);
	select_depth2(a);
	assert_string_equal(tree_name(a->tree, a->main.fl.sel), "main.work");
	tui_app_key(a, 'Z');
	assert_int_equal(a->br.nfocus, 2);
	assert_true(tree_total(a->tree, 0, 0) > 0);
	tui_app_free(a);
	store_close(s);
}

/* ------------------------------------------------------------------------------------ */
/* P and c: the comparison of a window with the period before it                        */

/* app's cpu 50, 40, 30 and 20 min ago: the middle half hour of the last hour (`-`) has
 * three profiles, the half hour before it one */
static struct store *before_and_now(const char *name)
{
	struct store *s = ts_open_new(name);
	struct prof *cpu = tu_decode("go/cpuwork-cpu.pb.gz");
	int64_t now = time_now_ns();
	int i;

	for (i = 0; i < 4; i++)
		ts_write_or_fail(s, "app", cpu, now - (50 - 10 * i) * 60 * SEC, NULL, NULL);
	prof_free(cpu);
	return s;
}

/* Lands every job of an app made async, and what each queued, as the key loop does. */
static void wait_jobs(struct tui_app *a)
{
	int i;

	for (i = 0; i < 1000 && (browser_view_busy(a, NULL) || a->br.queued); i++) {
		usleep(10000);
		browser_view_poll(a);
	}
	assert_false(browser_view_busy(a, NULL));
}

/*
 * A new range (t, ]) while the row's timeline was being read: that timeline, of the old range,
 * landed after the range changed and brought back the old bars and steps (a minute's
 * on 1 h, over 6 h) until the new range's arrived; the window keys moved by them.
 */
static void test_stale_timeline_dropped(void **state)
{
	int64_t from = hour_from();
	struct store *s = gauge_store("stale.db", from);
	struct tui_app *a = tb_app_on(s, NULL);
	char r[64];
	int64_t want;
	int i;

	(void)state;
	set_hour(a, from);
	assert_true(a->br.nrows >= 2);
	a->async = true;
	tui_app_key(a, a->br.row ? 'k' : 'j');  /* the row's timeline, on a worker */
	assert_non_null(a->br.job);
	/* t: 6 h around the hour (] would end now, past the data) */
	snprintf(r, sizeof(r), "%lld %lld", (long long)(from / SEC - 7200),
		 (long long)(from / SEC + 4 * 3600));
	assert_int_equal(browser_view_set_range(a, r), 0);
	want = a->br.tl_step;
	assert_true(want > 60 * SEC);
	for (i = 0; i < 1000 && !browser_view_poll(a); i++)  /* until the old job lands */
		usleep(10000);
	assert_true(i < 1000);
	tu_assert_i64(a->br.tl_step, want);
	assert_int_equal(a->br.ntl, 0);
	wait_jobs(a);
	tu_assert_i64(a->br.tl_step, want);
	assert_true(a->br.ntl > 0);
	tui_app_free(a);
	store_close(s);
}

/* The app on before_and_now's store, the middle half hour compared with the one before. */
static struct tui_app *compared(struct store *s)
{
	struct tui_app *a = tb_app_on(s, NULL);

	pick_row(a, "app", ":cpu:");
	tui_app_key(a, '-');
	tui_app_key(a, 'P');
	if (!a->diff || a->view != VIEW_FLAME)
		fail_msg("P: view %d, diff %d, message '%s'", (int)a->view, a->diff, a->message);
	return a;
}

/*
 * c pressed while the window's own (plain) profile was being read: the comparison stayed
 * on screen with a profile that has one side, and its status line read the base's total
 * past the end of the totals (ASan: heap-buffer-overflow in diff_numbers).
 */
static void test_compare_leaves_for_plain(void **state)
{
	struct store *s = before_and_now("plain.db");
	struct tui_app *a = compared(s);
	struct offscreen o = screen_open(24, 80);
	const char *t;

	(void)state;
	tui_app_key(a, 'c');
	assert_int_equal(a->view, VIEW_COMPARE);
	t = screen_text(a, &o);
	assert_on_screen(t, " base: ");
	tui_app_key(a, 'T');
	a->async = true;
	tui_app_key(a, '\n');
	tui_app_key(a, 'c'); /* still a diff on screen: the comparison */
	assert_int_equal(a->view, VIEW_COMPARE);
	wait_jobs(a);
	assert_false(a->diff);
	assert_int_equal(a->view, VIEW_FLAME);
	t = screen_text(a, &o);
	assert_not_on_screen(t, " base: ");
	assert_not_on_screen(t, "base 0");
	/* and c says why there is no comparison */
	tui_app_key(a, 'c');
	assert_int_equal(a->view, VIEW_FLAME);
	assert_non_null(strstr(a->message, "comparison needs two profiles"));
	screen_close(&o);
	tui_app_free(a);
	store_close(s);
}

/* The name of node n of the app's tree ("" for the root). */
static const char *node_name(const struct tui_app *a, uint32_t n)
{
	return n ? tree_name(a->tree, n) : "";
}

/*
 * A live refresh of a comparison (every 5 s) put both panes back on the hidden flame
 * graph's zoom and selection and emptied their zoom stack: the place is the pane's own.
 */
static void test_compare_keeps_place(void **state)
{
	struct store *s = before_and_now("keep.db");
	struct tui_app *a = compared(s);
	char zoom[256], sel[256];
	uint32_t nsel;

	(void)state;
	tui_app_key(a, 'c');
	assert_int_equal(a->view, VIEW_COMPARE);
	/* down two frames, zoom there, one more down: the flame graph stays at the root */
	tui_app_key(a, 'j');
	tui_app_key(a, 'j');
	tui_app_key(a, '\n');
	tui_app_key(a, 'j');
	assert_int_equal(a->cmp[1].fl.nzoom, 1);
	assert_int_not_equal(a->cmp[1].fl.zoom, 0);
	assert_int_not_equal(a->cmp[1].fl.sel, a->cmp[1].fl.zoom);
	assert_int_equal(a->main.fl.zoom, 0);
	snprintf(zoom, sizeof(zoom), "%s", node_name(a, a->cmp[1].fl.zoom));
	snprintf(sel, sizeof(sel), "%s", node_name(a, a->cmp[1].fl.sel));
	nsel = a->tree->depth[a->cmp[1].fl.sel];
	a->br.last_refresh_ms = 0;
	browser_view_tick(a);
	assert_null(a->br.job);
	assert_true(a->diff);
	assert_int_equal(a->view, VIEW_COMPARE);
	for (int i = 0; i < 2; i++) {
		assert_string_equal(node_name(a, a->cmp[i].fl.zoom), zoom);
		assert_string_equal(node_name(a, a->cmp[i].fl.sel), sel);
		assert_int_equal(a->tree->depth[a->cmp[i].fl.sel], nsel);
		assert_int_equal(a->cmp[i].fl.nzoom, 1);
	}
	/* Esc still unzooms, to the root the stack kept */
	tui_app_key(a, 27);
	assert_int_equal(a->cmp[1].fl.zoom, 0);
	assert_int_equal(a->cmp[1].fl.nzoom, 0);
	tui_app_free(a);
	store_close(s);
}

/*
 * Enter pressed while a live refresh ran, with the refresh's comparison queued behind
 * it: the window's profile opened, then the queued comparison ran on the cursor's row
 * and replaced it.  What the user opens drops a refresh's open still waiting.
 */
static void test_enter_beats_queued_refresh(void **state)
{
	struct store *s = before_and_now("queued.db");
	struct tui_app *a = compared(s);

	(void)state;
	a->async = true;
	a->br.last_refresh_ms = 0;
	browser_view_tick(a); /* the list is read again, the comparison queued after it */
	assert_true(browser_view_busy(a, NULL));
	assert_true(a->br.queued & (1u << BJ_COMPARE));
	tui_app_key(a, 'T');
	tui_app_key(a, '\n');
	wait_jobs(a);
	if (a->diff || a->view != VIEW_FLAME || a->br.open_kind != BJ_OPEN)
		fail_msg("Enter during a refresh: diff %d, view %d, message '%s'", a->diff,
			 (int)a->view, a->message);
	assert_non_null(strstr(a->opts.source, "app"));
	tui_app_free(a);
	store_close(s);
}

/*
 * P on a window without data whose period before has some: the store's not-found (it
 * merges the period before, then the window) was said as "the previous period has no
 * data", its bars on screen.  Each empty side is named; two with data compare.
 */
static void test_compare_names_empty_side(void **state)
{
	static const struct { int from_min, to_min; const char *said; } cases[] = {
		{ 15, 0, "the window has no data to compare with the period before" },
		{ 55, 45, "the period before the window has no data to compare with" },
		{ 10, 5, "neither the window nor the period before it has data" },
		{ 35, 15, "compared with the period before" },
	};
	struct store *s = before_and_now("cmpempty.db");
	struct tui_app *a = tb_app_on(s, NULL);
	size_t i;

	(void)state;
	pick_row(a, "app", ":cpu:");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* the last hour's window [now - from_min, now - to_min] */
		a->br.win_from = a->br.to_ns - cases[i].from_min * 60 * SEC;
		a->br.win_to = a->br.to_ns - cases[i].to_min * 60 * SEC;
		tui_app_key(a, 'P');
		assert_string_equal(a->message, cases[i].said);
		assert_int_equal(a->diff, i == 3);
	}
	tui_app_free(a);
	store_close(s);
}

/* Z in the comparison asked the store for the hidden flame graph's call path. */
static void test_compare_z_focused_pane(void **state)
{
	struct store *s = before_and_now("cmpz.db");
	struct tui_app *a = compared(s);
	char name[256];

	(void)state;
	tui_app_key(a, 'c');
	tui_app_key(a, 'j');
	tui_app_key(a, 'j');
	assert_int_equal(a->main.fl.sel, 0);
	assert_int_equal(a->tree->depth[a->cmp[1].fl.sel], 2);
	snprintf(name, sizeof(name), "%s", node_name(a, a->cmp[1].fl.sel));
	tui_app_key(a, 'Z');
	if (a->br.nfocus != 2)
		fail_msg("Z asked for %zu frames: '%s'", a->br.nfocus, a->message);
	assert_string_equal(a->br.focus[1], name);
	assert_true(a->diff);
	assert_int_equal(a->view, VIEW_COMPARE);
	tui_app_free(a);
	store_close(s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_reopens_what_was_opened),
		cmocka_unit_test(test_path_only_versions),
		cmocka_unit_test(test_one_step),
		cmocka_unit_test(test_gauge_breakdown),
		cmocka_unit_test(test_window_sum),
		cmocka_unit_test(test_window_sum_edges),
		cmocka_unit_test(test_stale_timeline_dropped),
		cmocka_unit_test(test_z_path_as_stored),
		cmocka_unit_test(test_compare_leaves_for_plain),
		cmocka_unit_test(test_compare_keeps_place),
		cmocka_unit_test(test_enter_beats_queued_refresh),
		cmocka_unit_test(test_compare_z_focused_pane),
		cmocka_unit_test(test_compare_names_empty_side),
	};

	setlocale(LC_ALL, "C.UTF-8");
	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}
