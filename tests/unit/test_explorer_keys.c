/*
 * test_explorer_keys.c — the explorer driven by its keys (tui_app_key) on the fixtures'
 * cpuwork CPU profile, drawn on an off-screen terminal (offscreen.h) whose cells are
 * read back, for what a user journey through the top table, the sandwich and export
 * showed (a review, reproduced):
 *
 *  - the top table's row filter (`/json`) is named on the status line in the top table
 *    only: the sandwich reached from it is not filtered, and said "filter: json";
 *  - e from the row-filtered top table writes what it shows: the samples through the
 *    matching functions, as `go tool pprof -focus=json` keeps them (it wrote the whole
 *    profile), and says so before a format is picked; without a row filter, the whole
 *    profile, as the table shows, though the flame graph is zoomed;
 *  - n/N in the row-filtered top table: the next/previous row (every row shown matches),
 *    round the end; without a row filter they say what / does there (they went to the
 *    flame graph's search: "no search: / starts one");
 *  - Esc in the sandwich after pivots (Enter on a caller): back to the function pivoted
 *    from, one pivot at a time, a zoom in the half first; a sandwich chosen from another
 *    view starts a new history;
 *  - clicks in the sandwich act only inside its halves (the breadcrumb and the status
 *    line pivoted or moved the focus); r returns both halves to the function, i
 *    leaves them where they meet;
 *  - :sample_index in a diff counts one side's types;
 *  - Tab into the source pane opens the selection, as 4 does;
 *  - 3 and # in the source pane take its selection as a frame of the granularity shown
 *    (the selected line's under lines, the file or package under files and packages);
 *  - the help's narrow cells are "#N" when the terminal is not UTF-8;
 *  - f, x and - on a frame of lines, files or packages granularity (the top table's row,
 *    the flame graph's frame) filter on what it stands for: the line's function, the
 *    file under every name it is stored by, the package's functions (they filtered on
 *    the frame's own name, which no function or file has: "left no samples"); code
 *    without symbols by its mapping's file, when that file holds nothing else; a
 *    package "^pkg\." alone cannot select names its functions after the prefix said
 *    once, and says why when even that is longer than a filter holds (it was refused
 *    as "the pattern is 925 bytes").
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "offscreen.h"
#include "profile/builder.h"
#include "profile/merge.h"
#include "testutil.h"
#include "tui/tui_int.h"

#define CPUWORK "go/cpuwork-cpu.pb.gz"

/* The explorer on the fixture `rel`, its jobs run at once (no key loop). */
static struct tui_app *app_on(const char *rel)
{
	struct tui_opts o;
	struct tui_app *a;

	memset(&o, 0, sizeof(o));
	o.sample_type = -1;
	o.source = rel;
	if (tui_app_new(tu_decode(rel), &o, &a))
		fail_msg("tui_app_new: %s", err_last());
	return a;
}

/* Presses each key of s in turn, as a person types them. */
static void keys(struct tui_app *a, const char *s)
{
	for (; *s; s++)
		tui_app_key(a, (unsigned char)*s);
}

/* ------------------------------------------------------------------------------------ */
/* the top table's row filter                                                            */

static void test_row_filter_named_in_top_only(void **state)
{
	struct tui_app *a = app_on(CPUWORK);
	struct offscreen scr = screen_open(30, 160);
	const char *text;

	(void)state;
	keys(a, "2/json\n");
	assert_int_equal(a->view, VIEW_TOP);
	text = screen_text(a, &scr);
	assert_on_screen(text, "filter: json");
	assert_on_screen(text, "encoding/json.");
	/* the selected row's sandwich: not filtered by the table's rows, and not said so */
	keys(a, "3");
	assert_int_equal(a->view, VIEW_SANDWICH);
	assert_true(a->sw.name != 0);
	text = screen_text(a, &scr);
	assert_on_screen(text, "sandwich of");
	assert_not_on_screen(text, "filter: json");
	/* back in the table, the filter is still there, and named */
	keys(a, "2");
	text = screen_text(a, &scr);
	assert_on_screen(text, "filter: json");
	screen_close(&scr);
	tui_app_free(a);
}

static void test_top_next_row(void **state)
{
	struct tui_app *a = app_on(CPUWORK);
	struct offscreen scr = screen_open(30, 160);
	uint32_t n;

	(void)state;
	keys(a, "2");
	/* no row filter: n does not move, and says what / does here */
	screen_text(a, &scr);
	assert_true(top_view_key(a, 'n'));
	assert_int_equal(a->tp.sel, 0);
	assert_string_equal(a->message, "no row filter: / filters the table's rows");
	keys(a, "/json\n");
	screen_text(a, &scr); /* the rows are made when drawn */
	n = a->tp.nrows;
	assert_int_equal(n, 32); /* the review's count */
	assert_int_equal(a->tp.sel, 0);
	assert_true(top_view_key(a, 'n'));
	assert_int_equal(a->tp.sel, 1);
	assert_string_equal(a->message, "match 2 of 32");
	assert_true(top_view_key(a, 'N'));
	assert_true(top_view_key(a, 'N'));
	assert_int_equal(a->tp.sel, n - 1); /* round the top to the last row */
	assert_string_equal(a->message, "match 32 of 32");
	assert_true(top_view_key(a, 'n'));
	assert_int_equal(a->tp.sel, 0);
	screen_close(&scr);
	tui_app_free(a);
}

/* The same through the key path: app.c hands n/N in view 2 to the table. */
static void test_top_next_row_keys(void **state)
{
	struct tui_app *a = app_on(CPUWORK);
	struct offscreen scr = screen_open(30, 160);
	const char *text;

	(void)state;
	keys(a, "2/json\n");
	screen_text(a, &scr);
	keys(a, "n");
	text = screen_text(a, &scr);
	assert_not_on_screen(text, "no search");
	assert_on_screen(text, "match 2 of 32");
	assert_on_screen(text, "row 2 of 32");
	assert_int_equal(a->view, VIEW_TOP);
	keys(a, "NN");
	text = screen_text(a, &scr);
	assert_on_screen(text, "row 32 of 32");
	screen_close(&scr);
	tui_app_free(a);
}

/* ------------------------------------------------------------------------------------ */
/* the sandwich's back stack                                                             */

#define JSON_VALUE "encoding/json.(*decodeState).value"
#define JSON_OBJECT "encoding/json.(*decodeState).object"

/* Selects the caller `name` right above the function in the sandwich's callers half. */
static void select_caller(struct tui_app *a, const char *name)
{
	const struct tree *t = a->sw.callers_tree;
	uint32_t k;

	for (k = tree_first_kid(t, 1); k != PROF_NONE; k = tree_next_kid(t, 1, k))
		if (strcmp(tree_name(t, k), name) == 0)
			break;
	if (k == PROF_NONE)
		fail_msg("%s is no caller", name);
	a->sw.focus_callers = true;
	a->sw.callers.fl.sel = k;
	a->sw.callers.fl.sel_plus = false;
}

static const char *sandwich_name(const struct tui_app *a)
{
	size_t len;
	const char *s = sandwich_view_name(a, &len);

	assert_non_null(s);
	return s;
}

static void test_sandwich_back(void **state)
{
	struct tui_app *a = app_on(CPUWORK);
	struct offscreen scr = screen_open(30, 160);
	const char *text;

	(void)state;
	assert_int_equal(sandwich_view_set(a, prof_find_str(a->prof, JSON_VALUE)), 0);
	keys(a, "3");
	assert_int_equal(a->view, VIEW_SANDWICH);
	assert_string_equal(sandwich_name(a), JSON_VALUE);
	/* Esc with nowhere to go back to: the sandwich stays */
	tui_app_key(a, 27);
	assert_string_equal(sandwich_name(a), JSON_VALUE);
	/* value -> object -> value (object's caller, recursion) -> unmarshal */
	select_caller(a, JSON_OBJECT);
	keys(a, "\n");
	assert_string_equal(sandwich_name(a), JSON_OBJECT);
	select_caller(a, JSON_VALUE);
	keys(a, "\n");
	select_caller(a, "encoding/json.(*decodeState).unmarshal");
	keys(a, "\n");
	assert_string_equal(sandwich_name(a), "encoding/json.(*decodeState).unmarshal");
	text = screen_text(a, &scr);
	assert_on_screen(text, "sandwich of encoding/json.(*decodeState).unmarshal");
	/* Esc: one pivot back at a time, on screen */
	tui_app_key(a, 27);
	assert_string_equal(sandwich_name(a), JSON_VALUE);
	tui_app_key(a, 27);
	assert_string_equal(sandwich_name(a), JSON_OBJECT);
	text = screen_text(a, &scr);
	assert_on_screen(text, "sandwich of " JSON_OBJECT);
	tui_app_key(a, 27);
	assert_string_equal(sandwich_name(a), JSON_VALUE);
	tui_app_key(a, 27); /* the first: stays */
	assert_string_equal(sandwich_name(a), JSON_VALUE);
	assert_int_equal(a->view, VIEW_SANDWICH);
	/* a sandwich chosen from elsewhere starts a new history */
	select_caller(a, JSON_OBJECT);
	keys(a, "\n");
	assert_int_equal(a->sw.nback, 1);
	assert_int_equal(sandwich_view_set(a, prof_find_str(a->prof, JSON_VALUE)), 0);
	assert_int_equal(a->sw.nback, 0);
	tui_app_key(a, 27);
	assert_string_equal(sandwich_name(a), JSON_VALUE);
	screen_close(&scr);
	tui_app_free(a);
}

/* The screen cell (*y, *x) of node n of a sandwich half, as last drawn. */
static void pane_cell(const struct flame_pane *fp, uint32_t n, int *y, int *x)
{
	const struct flame_state *fl = &fp->fl;
	uint32_t r, c;

	if (!flame_find(&fl->layout, fp->tree, n, false, &r, &c))
		fail_msg("node %u is not drawn", n);
	*y = fl->flame_up ? fl->area_y + fl->area_h - 1 - (int)(r - fl->scroll) :
			    fl->area_y + (int)(r - fl->scroll);
	*x = fl->area_x + (int)fl->layout.cells[c].x;
}

/*
 * Clicks in the sandwich act only inside its halves: a double-click on the breadcrumb
 * (line 1) pivoted to the selected caller, a click on the status line moved the focus to
 * the callees.  A double-click on a caller still pivots to it.
 */
static void test_sandwich_mouse(void **state)
{
	struct tui_app *a = app_on(CPUWORK);
	struct offscreen scr = screen_open(30, 160);
	uint32_t k;
	int y, x;

	(void)state;
	assert_int_equal(sandwich_view_set(a, prof_find_str(a->prof, JSON_VALUE)), 0);
	keys(a, "3");
	select_caller(a, JSON_OBJECT);
	k = a->sw.callers.fl.sel;
	screen_text(a, &scr);
	sandwich_view_mouse(a, 1, 20, true);  /* the breadcrumb */
	assert_string_equal(sandwich_name(a), JSON_VALUE);
	assert_true(a->sw.focus_callers);
	assert_int_equal(a->sw.callers.fl.sel, k);
	sandwich_view_mouse(a, scr.h - 2, 20, true);  /* the status line */
	sandwich_view_mouse(a, scr.h - 1, 20, false);  /* the hint line */
	assert_string_equal(sandwich_name(a), JSON_VALUE);
	assert_true(a->sw.focus_callers);
	sandwich_view_mouse(a, a->sw.divider_y, 20, true);
	assert_string_equal(sandwich_name(a), JSON_VALUE);
	assert_true(a->sw.focus_callers);
	/* a click on the function in the callees half focuses it; a double-click on a caller
	 * pivots to it */
	pane_cell(&a->sw.callees, a->sw.callees.fl.zoom, &y, &x);
	sandwich_view_mouse(a, y, x, false);
	assert_false(a->sw.focus_callers);
	assert_string_equal(sandwich_name(a), JSON_VALUE);
	pane_cell(&a->sw.callers, k, &y, &x);
	sandwich_view_mouse(a, y, x, true);
	assert_string_equal(sandwich_name(a), JSON_OBJECT);
	screen_close(&scr);
	tui_app_free(a);
}

/*
 * r in the sandwich returns both halves to the function (it zoomed the focused half out
 * to its root: an "all" frame between the function and the divider, "caller: all");
 * i leaves the halves where they meet (it flipped one of them).
 */
static void test_sandwich_r_i(void **state)
{
	struct tui_app *a = app_on(CPUWORK);
	struct offscreen scr = screen_open(30, 160);
	const char *text;

	(void)state;
	assert_int_equal(sandwich_view_set(a, prof_find_str(a->prof, JSON_VALUE)), 0);
	keys(a, "3");
	select_caller(a, JSON_OBJECT);
	a->sw.callees.fl.sel = tree_first_kid(a->sw.callees_tree, 1);
	screen_text(a, &scr);
	keys(a, "r");
	assert_int_equal(a->sw.callers.fl.zoom, 1);
	assert_int_equal(a->sw.callers.fl.sel, 1);
	assert_int_equal(a->sw.callees.fl.zoom, 1);
	assert_int_equal(a->sw.callees.fl.sel, 1);
	assert_int_equal(a->sw.callers.fl.nzoom, 0);
	assert_string_equal(sandwich_name(a), JSON_VALUE);
	text = screen_text(a, &scr);
	assert_on_screen(text, "caller: " JSON_VALUE);
	assert_not_on_screen(text, "caller: all");
	keys(a, "i");
	assert_true(a->sw.callers.fl.flame_up);
	assert_false(a->sw.callees.fl.flame_up);
	assert_string_equal(a->message, "i: the sandwich stays callers above, callees below");
	screen_close(&scr);
	tui_app_free(a);
}

/*
 * Tab (and shift-Tab) into the source pane opens the function selected where it was
 * pressed, as 4 does, also when the pane shows another (it kept that one: only an empty
 * pane took the flame graph's selection); with nothing selected the pane stays.
 */
static void test_tab_into_source(void **state)
{
	struct tui_app *a = app_on(CPUWORK);

	(void)state;
	keys(a, "j4");
	assert_int_equal(a->view, VIEW_SOURCE);
	assert_string_equal(a->src.fname, "main.worker");
	keys(a, "1j");
	tui_app_key(a, KEY_BTAB);
	assert_int_equal(a->view, VIEW_SOURCE);
	assert_string_equal(a->src.fname, "main.processBatch");
	/* from the sandwich: its focused half's selection, the function */
	keys(a, "1k3");
	assert_string_equal(sandwich_name(a), "main.worker");
	keys(a, "\t");
	assert_int_equal(a->view, VIEW_SOURCE);
	assert_string_equal(a->src.fname, "main.worker");
	/* the root selected: nothing to open, the pane keeps its function */
	keys(a, "1r");
	tui_app_key(a, KEY_BTAB);
	assert_int_equal(a->view, VIEW_SOURCE);
	assert_string_equal(a->src.fname, "main.worker");
	tui_app_free(a);
}

/*
 * Tab from the top table into an empty sandwich pivots on the table's selection, not the
 * flame graph's (the root there, so the sandwich stayed empty); a sandwich that shows a
 * function keeps it.  A table entered by Tab and left alone is passed through: the flame
 * graph's selection goes on (a click on a tab: e2e_explorer_keys).
 */
static void test_tab_into_sandwich(void **state)
{
	struct tui_app *a = app_on(CPUWORK);
	struct offscreen scr;
	uint32_t want;

	(void)state;
	keys(a, "2jj");
	want = top_view_selected_name(a);
	assert_true(want != 0);
	keys(a, "\t");
	assert_int_equal(a->view, VIEW_SANDWICH);
	assert_non_null(sandwich_name(a));
	assert_string_equal(sandwich_name(a), prof_str(a->prof, want));
	/* it keeps that function when the table's selection moves */
	keys(a, "2j");
	assert_true(top_view_selected_name(a) != want);
	keys(a, "\t");
	assert_int_equal(a->view, VIEW_SANDWICH);
	assert_string_equal(sandwich_name(a), prof_str(a->prof, want));
	tui_app_free(a);
	/* a table only passed through (Tab Tab from the flame graph) is no choice: the
	 * sandwich takes the flame graph's selection, not the table's first row */
	a = app_on(CPUWORK);
	keys(a, "j\t\t");
	assert_int_equal(a->view, VIEW_SANDWICH);
	assert_string_equal(sandwich_name(a), "main.worker");
	tui_app_free(a);
	/* entered by 2, the table's selected row is as good as picked, as for 3 */
	a = app_on(CPUWORK);
	keys(a, "2jj");
	want = top_view_selected_name(a);
	keys(a, "1j2\t");
	assert_string_equal(sandwich_name(a), prof_str(a->prof, want));
	tui_app_free(a);
	/* entered by Tab and left alone, it is passed through whatever it shows */
	a = app_on(CPUWORK);
	keys(a, "2jj1j\t\t");
	assert_string_equal(sandwich_name(a), "main.worker");
	tui_app_free(a);
	/* a row filter picks the row it leaves selected (drawn, as between two keys) */
	a = app_on(CPUWORK);
	scr = screen_open(30, 160);
	keys(a, "2/scoreRecords\n");
	screen_text(a, &scr);
	keys(a, "\t");
	screen_close(&scr);
	assert_int_equal(a->view, VIEW_SANDWICH);
	assert_string_equal(sandwich_name(a), "main.scoreRecords");
	tui_app_free(a);
}

/*
 * 3, # (and f, x, -, Tab) in the source pane act on its selection as a frame of the
 * granularity shown: under lines the selected line's frame (or, on a line without one,
 * the function's widest), under files and packages the function's file or package.
 * They took the function's name, which no frame has there: "sandwich of
 * main.scoreRecords" with both halves empty, # matching nothing.
 */
static void test_source_selection_granularity(void **state)
{
	static const struct {
		const char *gran;
		int64_t sel;        /* the pane's line set before 3; 0: as it is */
		const char *frame;  /* the sandwich's function after 3 */
	} steps[] = {
		{ "lines", 0, "main.scoreRecords cpuwork/main.go:146" },
		{ NULL, 145, "main.scoreRecords cpuwork/main.go:145" },
		{ NULL, 1, "main.scoreRecords cpuwork/main.go:146" },  /* no frame: the widest */
		{ "files", 0, "cpuwork/main.go" },
		{ "packages", 0, "main" },
		{ "functions", 0, "main.scoreRecords" },
	};
	struct tui_app *a = app_on(CPUWORK);
	char cmd[64];
	size_t i;

	(void)state;
	keys(a, "2:granularity=lines\ng4");
	assert_int_equal(a->view, VIEW_SOURCE);
	assert_string_equal(a->src.fname, "main.scoreRecords");
	assert_int_equal(a->src.sel, 146);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		uint32_t k, n = 0;

		if (steps[i].gran) {
			snprintf(cmd, sizeof(cmd), ":granularity=%s\n", steps[i].gran);
			keys(a, cmd);
		}
		if (steps[i].sel)
			a->src.sel = steps[i].sel;
		keys(a, "3");
		assert_int_equal(a->view, VIEW_SANDWICH);
		if (!a->sw.name || strcmp(sandwich_name(a), steps[i].frame) != 0)
			fail_msg("step %zu: sandwich of '%s', not '%s'", i,
				 a->sw.name ? sandwich_name(a) : "", steps[i].frame);
		/* its callers: main.processBatch's frame at least */
		for (k = tree_first_kid(a->sw.callers_tree, 1); k != PROF_NONE;
		     k = tree_next_kid(a->sw.callers_tree, 1, k))
			n++;
		if (n == 0)
			fail_msg("step %zu: the sandwich of '%s' has no callers", i, steps[i].frame);
		/* # from the pane: the flame graph's search finds the frame */
		keys(a, "4");
		assert_int_equal(a->view, VIEW_SOURCE);
		if (steps[i].sel)
			a->src.sel = steps[i].sel;
		keys(a, "#");
		assert_int_equal(a->view, VIEW_FLAME);
		assert_true(a->searching);
		if (a->search.nmatch == 0 || a->matched <= 0)
			fail_msg("step %zu: # matched nothing ('%s')", i, a->search_pat);
		keys(a, "4");
	}
	tui_app_free(a);
	/*
	 * f (x, -) from the pane filters on its function, whatever the granularity: filters
	 * match function and file names, as pprof's -focus, so a line's frame
	 * "main.scoreRecords cpuwork/main.go:146" (or the package "main") left no samples
	 */
	for (i = 0; i < 2; i++) {
		a = app_on(CPUWORK);
		int n;

		/* the pane opened under lines (4 on a package frame has no code to show) */
		snprintf(cmd, sizeof(cmd), "2:granularity=lines\ng4:granularity=%s\nf",
			 i ? "packages" : "lines");
		keys(a, cmd);
		for (n = 0; n < 6000 && app_job_running(a); n++) {  /* filtered on a worker */
			app_poll_jobs(a);
			usleep(10 * 1000);
		}
		if (a->nfilters != 1)
			fail_msg("%zu: %d filters, view %d, '%s'", i, a->nfilters, a->view, a->message);
		assert_string_equal(a->filters[0].pat, "^main\\.scoreRecords$");
		assert_true(prof_total(a->prof, a->type) > 0);
		tui_app_free(a);
	}
}

/* ------------------------------------------------------------------------------------ */
/* f, x and - on frames of lines, files and packages                                     */

/* Lands the job a key started (they run at once here; a worker, should that change). */
static void settle(struct tui_app *a)
{
	int n;

	for (n = 0; n < 6000 && app_job_running(a); n++) {
		app_poll_jobs(a);
		usleep(10 * 1000);
	}
	assert_false(app_job_running(a));
}

/* Selects the top table's row `name` (drawn on scr first: rows are made when drawn). */
static int64_t select_row(struct tui_app *a, struct offscreen *scr, const char *name)
{
	uint32_t i;

	keys(a, "2");
	screen_text(a, scr);
	for (i = 0; i < a->tp.nrows; i++) {
		const struct top_row *r = &a->tp.top.rows[a->tp.rows[i]];

		if (strcmp(prof_str(a->prof, r->name), name) == 0) {
			a->tp.sel = i;
			a->tp.chosen = true;
			return r->cum;
		}
	}
	fail_msg("no row '%s'", name);
	return 0;
}

/* The widest flame graph frame named `name`, selected in view 1. */
static void select_frame(struct tui_app *a, const char *name)
{
	uint32_t id = prof_find_str(a->prof, name), k;

	keys(a, "1");
	assert_int_not_equal(id, PROF_NONE);
	k = top_widest(a->tree, a->type, id);
	assert_int_not_equal(k, 0);
	a->main.fl.sel = k;
	a->main.fl.sel_plus = false;
}

/* The value shown after the filters: every sample left. */
static int64_t shown(const struct tui_app *a)
{
	if (a->prof->nsamples == 0 || strstr(a->message, "left no samples"))
		fail_msg("no samples left: '%s' (filter '%s')", a->message,
			 a->nfilters ? a->filters[a->nfilters - 1].pat : "");
	return prof_total(a->prof, a->type);
}

/* Whether a frame of the shown tree is named `name`. */
static bool has_frame(const struct tui_app *a, const char *name)
{
	uint32_t k;

	for (k = 1; k < a->tree->n; k++)
		if (strcmp(tree_name(a->tree, k), name) == 0)
			return true;
	return false;
}

/*
 * The sum of the samples of p with a frame `in` selects (function index, location):
 * counted over the loaded profile, apart from any filter or granularity.
 */
static int64_t samples_with(const struct prof *p, uint32_t type,
			    bool (*in)(const struct prof *, uint32_t, const void *),
			    const void *arg)
{
	int64_t sum = 0;
	uint32_t i, j, k;

	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];
		bool hit = false;

		for (j = 0; j < s->nlocs && !hit; j++) {
			uint32_t li = p->sample_locs[s->loc_off + j];
			const struct prof_location *l = &p->locations[li];

			for (k = 0; k < l->nlines && !hit && !l->unsymbolized; k++)
				hit = in(p, p->lines[l->line_off + k].func, arg);
		}
		if (hit)
			sum += prof_value(p, i, type);
	}
	return sum;
}

static bool in_function(const struct prof *p, uint32_t f, const void *name)
{
	return strcmp(prof_str(p, p->functions[f].name), name) == 0;
}

/* A function of the Go package `pkg`, the name up to the first dot after the path. */
static bool in_package(const struct prof *p, uint32_t f, const void *pkg)
{
	const char *name = prof_str(p, p->functions[f].name), *slash = strrchr(name, '/');
	const char *dot = strchr(slash ? slash : name, '.');

	return dot && (size_t)(dot - name) == strlen(pkg) && strncmp(name, pkg, strlen(pkg)) == 0;
}

/*
 * f, x, - after :granularity=lines on main.scoreRecords's line 146 (a row, then the
 * flame graph's frame): the function's samples, all of them (its other lines' too, as
 * pprof's web UI focuses a line's node on its function), counted from the loaded
 * profile; x the others; - takes its frames out.  They filtered on
 * "^main\.scoreRecords cpuwork/main\.go:146$" and left no samples.
 */
static void test_filter_line_frame(void **state)
{
	static const char *const line = "main.scoreRecords cpuwork/main.go:146";
	struct tui_app *a = app_on(CPUWORK);
	struct offscreen scr = screen_open(30, 160);
	int64_t all, fn;
	int view;

	(void)state;
	all = prof_total(a->prof, a->type);
	fn = samples_with(a->base, a->type, in_function, "main.scoreRecords");
	assert_true(fn > 0 && fn < all);
	keys(a, ":granularity=lines\n");
	settle(a);
	for (view = 0; view < 2; view++) {
		if (view == 0)
			assert_true(select_row(a, &scr, line) < fn);  /* one line of several */
		else
			select_frame(a, line);
		keys(a, "f");
		settle(a);
		assert_int_equal(a->nfilters, 1);
		tu_assert_i64(shown(a), fn);
		assert_string_equal(a->filters[0].pat, "^main\\.scoreRecords$");
		/* said to be the function's, not the line's */
		assert_non_null(strstr(a->message, "focus=^main\\.scoreRecords$ (of functions: "
						      "filters match function and file names"));
		assert_true(has_frame(a, line));
		keys(a, "F");
		settle(a);
		assert_int_equal(a->nfilters, 0);
	}
	select_row(a, &scr, line);
	keys(a, "x");
	settle(a);
	tu_assert_i64(shown(a), all - fn);
	assert_false(has_frame(a, line));
	keys(a, "F");
	settle(a);
	select_row(a, &scr, line);
	keys(a, "-");
	settle(a);
	assert_true(shown(a) > 0);
	assert_false(has_frame(a, line));
	/* # on a line's frame searches the frames shown: that line */
	keys(a, "F");
	settle(a);
	select_row(a, &scr, line);
	keys(a, "#");
	assert_int_equal(a->view, VIEW_FLAME);
	assert_true(a->searching && a->search.nmatch > 0 && a->matched > 0);
	screen_close(&scr);
	tui_app_free(a);
}

/*
 * Under packages: f on "main" and on "compress/flate" (the row, the flame graph's
 * frame) keeps the samples through a function of the package, its row's total, which the
 * loaded profile's samples give; x the others.  They filtered on "^main$" and left none.
 */
static void test_filter_package_frame(void **state)
{
	static const char *const pkgs[] = { "main", "compress/flate", "encoding/json" };
	struct tui_app *a = app_on(CPUWORK);
	struct offscreen scr = screen_open(30, 160);
	int64_t all, want, row;
	size_t i;

	(void)state;
	all = prof_total(a->prof, a->type);
	keys(a, ":granularity=packages\n");
	settle(a);
	for (i = 0; i < sizeof(pkgs) / sizeof(pkgs[0]); i++) {
		want = samples_with(a->base, a->type, in_package, pkgs[i]);
		assert_true(want > 0);
		row = select_row(a, &scr, pkgs[i]);
		tu_assert_i64(row, want);
		keys(a, "f");
		settle(a);
		assert_int_equal(a->nfilters, 1);
		tu_assert_i64(shown(a), want);
		/* the package's prefix: on this profile it selects exactly its functions */
		assert_true(strncmp(a->filters[0].pat + 1, pkgs[i], strlen(pkgs[i])) == 0);
		assert_string_equal(a->filters[0].pat + 1 + strlen(pkgs[i]), "\\.");
		keys(a, "F");
		settle(a);
		select_frame(a, pkgs[i]);
		keys(a, "x");
		settle(a);
		assert_int_equal(a->nfilters, 1);
		tu_assert_i64(shown(a), all - want);
		assert_false(has_frame(a, pkgs[i]));
		keys(a, "F");
		settle(a);
		select_row(a, &scr, pkgs[i]);
		keys(a, "-");
		settle(a);
		assert_true(shown(a) > 0);
		assert_false(has_frame(a, pkgs[i]));
		keys(a, "F");
		settle(a);
		/* # searches the frames shown: the package's */
		select_row(a, &scr, pkgs[i]);
		keys(a, "#");
		assert_int_equal(a->view, VIEW_FLAME);
		assert_true(a->searching && a->search.nmatch > 0);
		tu_assert_i64(a->matched, want);
	}
	screen_close(&scr);
	tui_app_free(a);
}

/* One function of the profile files_prof() makes. */
struct fn_spec {
	const char *name, *file;
};

/*
 * A profile whose file app/main.go is stored under three names (Bazel's
 * /proc/self/cwd/, a ./x/../ detour, clean) and whose package "app" has names a prefix
 * "^app\." would get wrong ("app.x/y.Z" is of package "app.x/y"): samples of cpu
 * nanoseconds, leaf first, as the comments below list them.
 */
static struct prof *files_prof(void)
{
	static const struct fn_spec fns[] = {
		{ "app.main", "/proc/self/cwd/app/main.go" },       /* 0 */
		{ "app.helper", "./app/../app/main.go" },           /* 1 */
		{ "app.work", "app/main.go" },                      /* 2 */
		{ "lib.Do", "lib/lib.go" },                         /* 3 */
		{ "runtime.goexit", "runtime/asm_amd64.s" },        /* 4 */
		{ "app.x/y.Z", "y/z.go" },                          /* 5 */
		{ "app.G[example.com/t.T]", "app/g.go" },           /* 6 */
		{ "app.(*T).M", "app/t.go" },                       /* 7 */
	};
	static const struct {
		uint32_t locs[3], n;
		int64_t v;
	} samples[] = {
		{ { 3, 4 }, 2, 7 },         /* lib */
		{ { 3, 1, 4 }, 3, 11 },     /* lib, app/main.go, app */
		{ { 2, 4 }, 2, 13 },        /* app/main.go, app */
		{ { 3, 0, 4 }, 3, 17 },     /* lib, app/main.go, app */
		{ { 4 }, 1, 19 },           /* runtime */
		{ { 5, 4 }, 2, 23 },        /* app.x/y */
		{ { 6, 4 }, 2, 29 },        /* app */
		{ { 7, 3, 4 }, 3, 31 },     /* app, lib */
	};
	struct prof_builder *b;
	struct prof *p;
	uint32_t t, u, i, locs[3];

	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "cpu", 3, &t), 0);
	assert_int_equal(pb_string(b, "nanoseconds", 11, &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		struct prof_function f = { 0 };
		struct prof_line line = { 0, 10 + i };
		uint32_t id;

		assert_int_equal(pb_string(b, fns[i].name, strlen(fns[i].name), &f.name), 0);
		assert_int_equal(pb_string(b, fns[i].file, strlen(fns[i].file), &f.file), 0);
		assert_int_equal(pb_function(b, &f, &line.func), 0);
		assert_int_equal(pb_location(b, PROF_NONE, 0x1000 + i, &line, 1, &id), 0);
		assert_int_equal(id, i);
	}
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		memcpy(locs, samples[i].locs, sizeof(locs));
		assert_int_equal(pb_sample(b, locs, samples[i].n, &samples[i].v, NULL, 0), 0);
	}
	assert_int_equal(pb_finish(b, &p), 0);
	return p;
}

/*
 * Under files, f on app/main.go (its row, its frame) keeps the samples through it under
 * any of its stored names, 11 + 13 + 17 of 150: the row's total (it filtered on
 * "^app/main\.go$", the clean name only: 13).  x leaves the others, - takes the frames
 * out and keeps every sample.  Under packages, f on "app" keeps 11 + 13 + 17 + 29 + 31,
 * not app.x/y.Z's 23.
 */
static void test_filter_file_frame(void **state)
{
	struct prof *p = files_prof();
	struct tui_app *a;
	struct offscreen scr = screen_open(30, 160);
	struct tui_opts o;
	int view;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.sample_type = -1;
	o.source = "files.pb.gz";
	if (tui_app_new(p, &o, &a))
		fail_msg("tui_app_new: %s", err_last());
	tu_assert_i64(prof_total(a->prof, a->type), 150);
	keys(a, ":granularity=files\n");
	settle(a);
	for (view = 0; view < 2; view++) {
		if (view == 0)
			tu_assert_i64(select_row(a, &scr, "app/main.go"), 41);
		else
			select_frame(a, "app/main.go");
		keys(a, "f");
		settle(a);
		assert_int_equal(a->nfilters, 1);
		tu_assert_i64(shown(a), 41);
		assert_string_equal(a->filters[0].pat,
				    "^(?:/proc/self/cwd/app/main\\.go|"
				    "\\./app/\\.\\./app/main\\.go|app/main\\.go)$");
		keys(a, "F");
		settle(a);
	}
	select_row(a, &scr, "app/main.go");
	keys(a, "x");
	settle(a);
	tu_assert_i64(shown(a), 150 - 41);
	keys(a, "F");
	settle(a);
	select_row(a, &scr, "app/main.go");
	keys(a, "-");
	settle(a);
	tu_assert_i64(shown(a), 150);
	assert_false(has_frame(a, "app/main.go"));
	keys(a, "F");
	settle(a);
	select_row(a, &scr, "app/main.go");
	keys(a, "#");
	assert_true(a->searching && a->search.nmatch > 0);
	tu_assert_i64(a->matched, 41);
	keys(a, ":granularity=packages\n");
	settle(a);
	tu_assert_i64(select_row(a, &scr, "app"), 11 + 13 + 17 + 29 + 31);
	tu_assert_i64(select_row(a, &scr, "app.x/y"), 23);
	select_row(a, &scr, "app");
	keys(a, "f");
	settle(a);
	tu_assert_i64(shown(a), 11 + 13 + 17 + 29 + 31);
	/* "^app\." would take app.x/y.Z: the functions are named one by one */
	assert_string_equal(a->filters[0].pat,
			    "^app\\.(?:main|helper|work|"
			    "G\\[example\\.com/t\\.T\\]|\\(\\*T\\)\\.M)$");
	keys(a, "F");
	settle(a);
	select_row(a, &scr, "app.x/y");
	keys(a, "f");
	settle(a);
	tu_assert_i64(shown(a), 23);
	screen_close(&scr);
	tui_app_free(a);
}

#define LONGPKG "github.com/example/project/internal/pkg"

/*
 * Packages whose functions no "^pkg\." selects alone, as the files "LONGPKG.go" and
 * "p.go" (of r.h) start with their prefixes: LONGPKG's 20 functions F00..F19 (samples
 * of 1..20 under main.main), p's 40 functions of long names (1000 each), r.h (100).
 */
static struct prof *long_packages_prof(void)
{
	struct prof_builder *b;
	struct prof *p;
	struct prof_function f = { 0 };
	struct prof_line line = { 0, 1 };
	uint32_t t, u, root, locs[2];
	char name[64];
	int64_t v;
	int i;

	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "cpu", 3, &t), 0);
	assert_int_equal(pb_string(b, "nanoseconds", 11, &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	assert_int_equal(pb_string(b, "main.main", 9, &f.name), 0);
	assert_int_equal(pb_string(b, "main.go", 7, &f.file), 0);
	assert_int_equal(pb_function(b, &f, &line.func), 0);
	assert_int_equal(pb_location(b, PROF_NONE, 0x1000, &line, 1, &root), 0);
	for (i = 0; i < 61; i++) {
		if (i < 20)
			snprintf(name, sizeof(name), LONGPKG ".F%02d", i);
		else if (i < 60)
			snprintf(name, sizeof(name), "p.someRatherLongFunctionName%02d", i - 20);
		else
			snprintf(name, sizeof(name), "r.h");
		assert_int_equal(pb_string(b, name, strlen(name), &f.name), 0);
		snprintf(name, sizeof(name), "%s", i < 20 ? LONGPKG "/a.go" : i < 60 ? "p/a.go" :
								       "p.go");
		assert_int_equal(pb_string(b, name, strlen(name), &f.file), 0);
		assert_int_equal(pb_function(b, &f, &line.func), 0);
		assert_int_equal(pb_location(b, PROF_NONE, 0x2000 + 16 * (uint64_t)i, &line, 1,
					     &locs[0]), 0);
		locs[1] = root;
		v = i < 20 ? i + 1 : i < 60 ? 1000 : 100;
		assert_int_equal(pb_sample(b, locs, 2, &v, NULL, 0), 0);
	}
	/* q.g, in a file named as the package's prefix */
	assert_int_equal(pb_string(b, LONGPKG ".go", strlen(LONGPKG ".go"), &f.file), 0);
	assert_int_equal(pb_string(b, "q.g", 3, &f.name), 0);
	assert_int_equal(pb_function(b, &f, &line.func), 0);
	assert_int_equal(pb_location(b, PROF_NONE, 0x3000, &line, 1, &locs[0]), 0);
	locs[1] = root;
	v = 100;
	assert_int_equal(pb_sample(b, locs, 2, &v, NULL, 0), 0);
	assert_int_equal(pb_finish(b, &p), 0);
	return p;
}

/*
 * f on a package "^pkg\." cannot select alone names its functions once after the prefix:
 * LONGPKG's 20 were 20 times its 40-byte quoted path, over the 511 bytes a filter holds
 * ("the pattern is 925 bytes"); factored they fit and keep 1 + ... + 20.  p's 40 long
 * names do not fit even so: the message says why the prefix could not be used.
 */
static void test_filter_long_package(void **state)
{
	struct tui_app *a;
	struct offscreen scr = screen_open(30, 160);
	struct tui_opts o;
	const char *pre;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.sample_type = -1;
	o.source = "long.pb.gz";
	if (tui_app_new(long_packages_prof(), &o, &a))
		fail_msg("tui_app_new: %s", err_last());
	keys(a, ":granularity=packages\n");
	settle(a);
	tu_assert_i64(select_row(a, &scr, LONGPKG), 210);
	keys(a, "f");
	settle(a);
	assert_int_equal(a->nfilters, 1);
	tu_assert_i64(shown(a), 210);
	pre = "^github\\.com/example/project/internal/pkg\\.(?:F00|F01|";
	assert_true(strncmp(a->filters[0].pat, pre, strlen(pre)) == 0);
	assert_non_null(strstr(a->filters[0].pat, "|F19)$"));
	keys(a, "F");
	settle(a);
	tu_assert_i64(select_row(a, &scr, "p"), 40000);
	keys(a, "f");
	settle(a);
	assert_int_equal(a->nfilters, 0);
	assert_true(a->message_error);
	assert_non_null(strstr(a->message, "package 'p': its 40 functions are "));
	assert_non_null(strstr(a->message, "longer than the 511 a filter holds, and '^p\\.' "
					   "alone would also match 'p.go', which is not of it"));
	screen_close(&scr);
	tui_app_free(a);
}

/*
 * A profile with code without symbols: a library stripped throughout (/usr/lib/libz.so,
 * two addresses), an address of the binary (/usr/bin/prog) whose main.f has symbols, an
 * address of no mapping.  Samples of cpu nanoseconds, leaf first: [libz 1, main.f] 5,
 * [libz 2, main.f] 7, [main.f] 11, [prog, main.f] 13, [no mapping, main.f] 17.
 */
static struct prof *unsymbolized_prof(void)
{
	struct prof_builder *b;
	struct prof *p;
	struct prof_mapping lib = { 0x7000, 0x9000, 0, 0, 0 }, bin = { 0x1000, 0x5000, 0, 0, 0 };
	struct prof_function f = { 0 };
	struct prof_line line = { 0, 3 };
	uint32_t t, u, mlib, mbin, fl, z1, z2, pu, nu, locs[2];
	static const int64_t v[] = { 5, 7, 11, 13, 17 };

	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "cpu", 3, &t), 0);
	assert_int_equal(pb_string(b, "nanoseconds", 11, &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	assert_int_equal(pb_string(b, "/usr/lib/libz.so", 16, &lib.file), 0);
	assert_int_equal(pb_string(b, "/usr/bin/prog", 13, &bin.file), 0);
	assert_int_equal(pb_mapping(b, &lib, &mlib), 0);
	assert_int_equal(pb_mapping(b, &bin, &mbin), 0);
	assert_int_equal(pb_string(b, "main.f", 6, &f.name), 0);
	assert_int_equal(pb_string(b, "main.go", 7, &f.file), 0);
	assert_int_equal(pb_function(b, &f, &line.func), 0);
	assert_int_equal(pb_location(b, mbin, 0x1100, &line, 1, &fl), 0);
	assert_int_equal(pb_location(b, mlib, 0x7100, NULL, 0, &z1), 0);
	assert_int_equal(pb_location(b, mlib, 0x7200, NULL, 0, &z2), 0);
	assert_int_equal(pb_location(b, mbin, 0x1200, NULL, 0, &pu), 0);
	assert_int_equal(pb_location(b, PROF_NONE, 0x3300, NULL, 0, &nu), 0);
	locs[1] = fl;
	locs[0] = z1;
	assert_int_equal(pb_sample(b, locs, 2, &v[0], NULL, 0), 0);
	locs[0] = z2;
	assert_int_equal(pb_sample(b, locs, 2, &v[1], NULL, 0), 0);
	assert_int_equal(pb_sample(b, &fl, 1, &v[2], NULL, 0), 0);
	locs[0] = pu;
	assert_int_equal(pb_sample(b, locs, 2, &v[3], NULL, 0), 0);
	locs[0] = nu;
	assert_int_equal(pb_sample(b, locs, 2, &v[4], NULL, 0), 0);
	assert_int_equal(pb_finish(b, &p), 0);
	return p;
}

/*
 * f and x on "[libz.so]", code without symbols, under every granularity: its samples
 * (5 + 7 of 53), by the library's file, which holds nothing else (they filtered on
 * "^\[libz\.so\]$", which no filter tries on such code: no samples left).  "[prog]"
 * shares its file with main.f and "<unknown>" has none: f says so and pushes nothing.
 */
static void test_filter_unsymbolized_frame(void **state)
{
	static const char *const grans[] = { "functions", "lines", "files", "packages" };
	struct tui_app *a;
	struct offscreen scr = screen_open(30, 160);
	struct tui_opts o;
	char cmd[64];
	size_t i;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.sample_type = -1;
	o.source = "stripped.pb.gz";
	if (tui_app_new(unsymbolized_prof(), &o, &a))
		fail_msg("tui_app_new: %s", err_last());
	tu_assert_i64(prof_total(a->prof, a->type), 53);
	for (i = 0; i < sizeof(grans) / sizeof(grans[0]); i++) {
		snprintf(cmd, sizeof(cmd), ":granularity=%s\n", grans[i]);
		keys(a, cmd);
		settle(a);
		tu_assert_i64(select_row(a, &scr, "[libz.so]"), 12);
		keys(a, "f");
		settle(a);
		assert_int_equal(a->nfilters, 1);
		tu_assert_i64(shown(a), 12);
		assert_string_equal(a->filters[0].pat, "^/usr/lib/libz\\.so$");
		keys(a, "F");
		settle(a);
		select_frame(a, "[libz.so]");
		keys(a, "x");
		settle(a);
		tu_assert_i64(shown(a), 53 - 12);
		assert_false(has_frame(a, "[libz.so]"));
		keys(a, "F");
		settle(a);
		select_row(a, &scr, "[prog]");
		keys(a, "f");
		settle(a);
		assert_int_equal(a->nfilters, 0);
		assert_true(a->message_error);
		assert_string_equal(a->message, "no filter can select '[prog]' alone: filters "
						"match its code by the mapping's file, "
						"'/usr/bin/prog', which holds other frames too");
		select_row(a, &scr, "<unknown>");
		keys(a, "f");
		settle(a);
		assert_int_equal(a->nfilters, 0);
		assert_non_null(strstr(a->message, "no filter can select '<unknown>'"));
	}
	screen_close(&scr);
	tui_app_free(a);
}

/*
 * The help names the narrow frames' cells as the flame graph draws them: "#N" on a
 * terminal that is not UTF-8 (it wrote the UTF-8 "·N" there too).
 */
static void test_help_ascii_cells(void **state)
{
	struct tui_app *a;
	struct offscreen scr;
	const char *text;

	(void)state;
	setlocale(LC_ALL, "C");
	a = app_on(CPUWORK);
	scr = screen_open(120, 100);
	keys(a, "?");
	text = screen_text(a, &scr);
	setlocale(LC_ALL, "C.UTF-8");
	assert_true(a->help);
	assert_on_screen(text, "#N cells");
	screen_close(&scr);
	tui_app_free(a);
	/* and "·N" where it is */
	a = app_on(CPUWORK);
	scr = screen_open(120, 100);
	keys(a, "?");
	text = screen_text(a, &scr);
	assert_on_screen(text, "\xc2\xb7N cells");
	/* the sandwich's r and i, the mouse on the help and on a prompt */
	assert_on_screen(text, "both halves back to the function (i: no flip)");
	assert_on_screen(text, "a click closes this help; none acts while");
	screen_close(&scr);
	tui_app_free(a);
}

/* ------------------------------------------------------------------------------------ */
/* export from the top table                                                             */

/*
 * The folded file at path: its total, and the total of the lines through `frame` (a
 * whole frame); fails when a line has no frame containing `every`.
 */
static void folded_totals(const char *path, const char *frame, const char *every,
			  long long *total, long long *through)
{
	FILE *f = fopen(path, "r");
	char line[16384];

	if (!f)
		fail_msg("no file %s", path);
	*total = *through = 0;
	while (fgets(line, sizeof(line), f)) {
		char *sp = strrchr(line, ' ');
		long long v;
		char probe[1024];

		assert_non_null(sp);
		v = atoll(sp + 1);
		*sp = '\0';
		*total += v;
		if (!strstr(line, every))
			fail_msg("a stack without %s: %s", every, line);
		snprintf(probe, sizeof(probe), ";%s;", frame);
		{
			char wrapped[16384 + 2];

			snprintf(wrapped, sizeof(wrapped), ";%s;", line);
			if (strstr(wrapped, probe))
				*through += v;
		}
	}
	fclose(f);
}

static void test_export_row_filter(void **state)
{
	struct tui_app *a = app_on(CPUWORK);
	struct offscreen scr = screen_open(30, 160);
	const char *path = tu_tmp_path("rows.folded");
	long long total, through;
	const char *text;

	(void)state;
	keys(a, "2/json\n");
	keys(a, "e");
	text = screen_text(a, &scr);
	assert_on_screen(text, "export the rows' samples (focus=json) as: p pprof");
	keys(a, "f");
	assert_int_equal(a->prompt_kind, 'e');
	assert_non_null(strstr(a->prompt, "-view.folded")); /* not the whole profile's name */
	snprintf(a->prompt, sizeof(a->prompt), "%s", path);
	a->prompt_len = strlen(path);
	keys(a, "\n");
	if (!strstr(a->message, "wrote "))
		fail_msg("the export did not land: '%s'", a->message);
	/* go tool pprof -top -focus=json -nodefraction=0: "accounting for 2.78s", of 9.24s;
	 * every stack through encoding/json, and a row keeps its total (pprof's cum 1.56s) */
	folded_totals(path, "encoding/json.(*decodeState).value", "encoding/json.", &total,
		      &through);
	assert_int_equal(total, 2780000000LL);
	assert_int_equal(through, 1560000000LL);
	/* without a row filter, the table's export is the whole profile (9.24 s), as the
	 * table is, though the flame graph is zoomed (the zoom was written) */
	tui_app_key(a, 27);  /* Esc clears the row filter (an empty `/` repeats it) */
	assert_null(a->tp.filter.code);
	assert_true(a->tree->n > 1 && a->tree->parent[1] == 0);
	a->main.fl.zoom = a->main.fl.sel = 1;
	keys(a, "e");
	text = screen_text(a, &scr);
	assert_on_screen(text, "export as: p pprof");
	keys(a, "f");
	path = tu_tmp_path("all.folded");
	snprintf(a->prompt, sizeof(a->prompt), "%s", path);
	a->prompt_len = strlen(path);
	keys(a, "\n");
	folded_totals(path, "encoding/json.(*decodeState).value", "", &total, &through);
	assert_int_equal(total, 9240000000LL);
	assert_int_equal(through, 1560000000LL);
	screen_close(&scr);
	tui_app_free(a);
}

/* ------------------------------------------------------------------------------------ */
/* `/` and Enter on a pattern that does not compile                                       */

/*
 * `/json(` Enter in the flame graph: typing had applied the valid prefix `json`, and
 * Enter then jumped to its first match over the error ("match 1 of 2"); in the top
 * table the rows stayed filtered by `foo` beside the error of `foo[`.  Now the error
 * stays and what was there before `/` is back; `/` starts empty, and Up recalls the
 * pattern in use (it pre-filled it, so typing the same word again gave `jsonjson`).
 */
static void test_bad_pattern_on_enter(void **state)
{
	struct tui_app *a = app_on(CPUWORK);

	(void)state;
	keys(a, "/json(\n");
	assert_non_null(strstr(a->message, "missing closing parenthesis"));
	assert_false(a->searching);
	/* with a search in use, a bad one puts it back */
	keys(a, "/sha256\n");
	assert_true(a->searching);
	keys(a, "/json(\n");
	assert_non_null(strstr(a->message, "missing closing parenthesis"));
	assert_true(a->searching);
	assert_string_equal(a->search_pat, "sha256");
	/* the top table: no filter before, none after */
	keys(a, "2/foo[\n");
	assert_non_null(strstr(a->message, "missing terminating ]"));
	assert_null(a->tp.filter.code);
	/* a filter before: it is back */
	keys(a, "/json\n/foo[\n");
	assert_non_null(a->tp.filter.code);
	assert_string_equal(a->tp.filter_pat, "json");
	/* `/` starts empty; Up recalls json, typing goes on from it */
	keys(a, "/");
	assert_int_equal(a->prompt_len, 0);
	tui_app_key(a, KEY_UP);
	keys(a, "\\.\n");
	assert_string_equal(a->tp.filter_pat, "json\\.");
	/* an empty Enter repeats it (it cleared the filter), Esc while typing puts it back */
	keys(a, "/\n");
	assert_non_null(a->tp.filter.code);
	assert_string_equal(a->tp.filter_pat, "json\\.");
	keys(a, "/sco");
	assert_string_equal(a->tp.filter_pat, "sco");  /* incremental */
	tui_app_key(a, 27);
	assert_string_equal(a->tp.filter_pat, "json\\.");
	assert_non_null(a->tp.filter.code);
	/* the sandwich's `/` is the search: a bad pattern keeps none of its prefix */
	keys(a, "\x1b" "3/json(\n");  /* Esc clears the table's filter first */
	assert_non_null(strstr(a->message, "missing closing parenthesis"));
	assert_true(a->searching);
	assert_string_equal(a->search_pat, "sha256");
	tui_app_free(a);
}

/* ^F ^D and ^B ^U page as PgDn and PgUp do (less's and vim's keys; they did nothing) */
static void test_page_keys(void **state)
{
	static const int fwd[] = { 'f' & 0x1f, 'd' & 0x1f }, back[] = { 'b' & 0x1f, 'u' & 0x1f };
	struct tui_app *a = app_on(CPUWORK);
	struct offscreen scr = screen_open(24, 80);
	uint32_t paged;
	size_t i;

	(void)state;
	keys(a, "2");
	screen_text(a, &scr);  /* the table's height is known once drawn */
	tui_app_key(a, KEY_NPAGE);
	paged = a->tp.sel;
	assert_true(paged > 1);
	for (i = 0; i < 2; i++) {
		tui_app_key(a, 'g');
		tui_app_key(a, fwd[i]);
		assert_int_equal(a->tp.sel, paged);
		tui_app_key(a, back[i]);
		assert_int_equal(a->tp.sel, 0);
	}
	screen_close(&scr);
	tui_app_free(a);
}

/* ------------------------------------------------------------------------------------ */
/* c from a zoomed flame graph                                                           */

/* The name of node n of the app's tree ("" for the root). */
static const char *node_name(const struct tui_app *a, uint32_t n)
{
	return n ? tree_name(a->tree, n) : "";
}

/* The explorer on the diff of cur against base (both taken). */
static struct tui_app *diff_on(struct prof *base, struct prof *cur)
{
	struct prof *pair;
	struct tui_opts o;
	struct tui_app *a;

	assert_int_equal(prof_pair(base, cur, &pair), 0);
	prof_free(base);
	prof_free(cur);
	memset(&o, 0, sizeof(o));
	o.sample_type = -1;
	o.source = "new";
	o.base_source = "base";
	o.diff = true;
	if (tui_app_new(pair, &o, &a))
		fail_msg("tui_app_new: %s", err_last());
	return a;
}

/*
 * c from a flame graph zoomed twice arrived at its zoom with an empty zoom stack and in
 * icicle order: Esc in the comparison cleared the search instead of unzooming.  The
 * comparison takes the graph's zoom stack and its modes (flame, by size).
 */
static void test_compare_takes_zoom_stack(void **state)
{
	struct tui_app *a = diff_on(tu_decode_str("main;a;b;c 10\nmain;x 5\n"),
				    tu_decode_str("main;a;b;c 20\nmain;x 5\n"));
	int i;

	(void)state;
	keys(a, "/x\nr");  /* a search, which Esc would clear; r: at the root */
	keys(a, "j\nj\nj" "io");  /* zoom main, then a; select b; flame, by size */
	assert_string_equal(node_name(a, a->main.fl.zoom), "a");
	assert_int_equal(a->main.fl.nzoom, 2);
	keys(a, "c");
	assert_int_equal(a->view, VIEW_COMPARE);
	for (i = 0; i < 2; i++) {
		assert_string_equal(node_name(a, a->cmp[i].fl.zoom), "a");
		assert_string_equal(node_name(a, a->cmp[i].fl.sel), "b");
		assert_int_equal(a->cmp[i].fl.nzoom, 2);
		assert_true(a->cmp[i].fl.flame_up);
		assert_true(a->cmp[i].fl.by_size);
	}
	tui_app_key(a, 27);
	assert_string_equal(node_name(a, a->cmp[1].fl.zoom), "main");
	assert_string_equal(node_name(a, a->cmp[0].fl.zoom), "main");
	tui_app_key(a, 27);
	assert_int_equal(a->cmp[1].fl.zoom, 0);
	assert_true(a->searching);  /* only the third Esc clears it */
	tui_app_free(a);
}

/*
 * :sample_index=N in a diff counts the types of one side: the pair's base half (N in
 * [ntypes, 2 ntypes)) was taken, then shown as type 0 (heapwork's 4 types: 6 showed
 * alloc_objects).  It is refused as a number past the types is without a diff.
 */
static void test_diff_sample_index(void **state)
{
	struct tui_app *a = diff_on(tu_decode("go/heapwork-heap.pb.gz"),
				    tu_decode("go/heapwork-heap.pb.gz"));
	uint32_t before = a->type;

	(void)state;
	assert_int_equal(a->ntypes, 4);
	assert_int_not_equal(before, 0);
	keys(a, ":sample_index=6\n");
	assert_int_equal(a->type, before);
	assert_string_equal(a->message, "no sample type '6' (t cycles through them)");
	keys(a, ":sample_index=4\n");
	assert_int_equal(a->type, before);
	keys(a, ":sample_index=1\n");  /* one side's own index is taken */
	assert_int_equal(a->type, 1);
	keys(a, ":sample_index=inuse_objects\n");
	assert_int_equal(a->type, 2);
	tui_app_free(a);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_row_filter_named_in_top_only),
		cmocka_unit_test(test_export_row_filter),
		cmocka_unit_test(test_top_next_row),
		cmocka_unit_test(test_top_next_row_keys),
		cmocka_unit_test(test_sandwich_back),
		cmocka_unit_test(test_sandwich_mouse),
		cmocka_unit_test(test_sandwich_r_i),
		cmocka_unit_test(test_tab_into_source),
		cmocka_unit_test(test_tab_into_sandwich),
		cmocka_unit_test(test_source_selection_granularity),
		cmocka_unit_test(test_filter_line_frame),
		cmocka_unit_test(test_filter_package_frame),
		cmocka_unit_test(test_filter_file_frame),
		cmocka_unit_test(test_filter_long_package),
		cmocka_unit_test(test_filter_unsymbolized_frame),
		cmocka_unit_test(test_help_ascii_cells),
		cmocka_unit_test(test_bad_pattern_on_enter),
		cmocka_unit_test(test_page_keys),
		cmocka_unit_test(test_compare_takes_zoom_stack),
		cmocka_unit_test(test_diff_sample_index),
	};
	int rc;

	setlocale(LC_ALL, "C.UTF-8");
	tu_init(argc, argv);
	if (tu_tmp_create("explorer_keys"))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tu_tmp_remove();
	return rc;
}
