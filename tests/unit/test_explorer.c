/*
 * test_explorer.c — the explorer's views on profiles from files and stores, driven
 * without a key loop and drawn on an off-screen terminal (offscreen.h) whose cells are
 * read back (what its background jobs do is test_explorer_jobs.c):
 *
 *  - a signed profile (pprof's -diff_base form, new minus base) whose total is negative:
 *    the flame graph is laid out by magnitude (it showed the root alone), children that
 *    outweigh their parent fill it, and frames are coloured by change (less / more);
 *  - the sandwich of a function with a long name: its divider keeps the numbers (the
 *    name gives way), and the status line has no "100% zoomed" on the function itself;
 *  - a store's profile given its backend: T shows the browser, p pauses; a file's: T and
 *    p say no store is open; the browser given a first range starts on it, and given
 *    --aggregate sum adds a gauge's profiles up;
 *  - R with a filter on top of the collapse: the collapse comes out and the filters above
 *    it stay (R pushed a second collapse and said recursion was shown as sampled);
 *  - a `/` regex that cannot decide a name or a line (too complex for PCRE2): the top
 *    table's row filter and the source pane's search say so, naming the regex.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/timeparse.h"
#include "offscreen.h"
#include "profile/builder.h"
#include "profile/flame.h"
#include "profile/merge.h"
#include "testutil.h"
#include "testutil_browser.h"
#include "testutil_store.h"
#include "tui/tui_int.h"

/* The node of tree t reached from the root by the names in path ("a;b"), or fails. */
static uint32_t node_at(const struct tree *t, const char *path)
{
	char buf[256], *save = NULL, *name;
	uint32_t node = 0, k;

	snprintf(buf, sizeof(buf), "%s", path);
	for (name = strtok_r(buf, ";", &save); name; name = strtok_r(NULL, ";", &save)) {
		for (k = tree_first_kid(t, node); k != PROF_NONE; k = tree_next_kid(t, node, k))
			if (strcmp(tree_name(t, k), name) == 0)
				break;
		if (k == PROF_NONE)
			fail_msg("no frame %s in %s", name, path);
		node = k;
	}
	return node;
}

/* The cell of node in layout f, or fails. */
static const struct flame_cell *cell_of(const struct flame *f, const struct tree *t, uint32_t node)
{
	uint32_t r, c;

	if (!flame_find(f, t, node, false, &r, &c))
		fail_msg("frame %s is not laid out", tree_name(t, node));
	return &f->cells[c];
}

/* ------------------------------------------------------------------------------------ */
/* a signed profile whose total is negative                                               */

static void test_signed_flame_layout(void **state)
{
	/* a: +5 in keep, -9 in drop: a nets -4, its children outweigh it */
	struct prof *p = tu_decode_str("main;a;keep 5\nmain;a;drop -9\nmain;b -2\n");
	struct flame_opts o = { .root = 0, .type = 0, .type2 = PROF_NONE, .width = 16,
				.max_rows = 8 };
	struct tree *t;
	struct flame f;
	const struct flame_cell *c;

	(void)state;
	assert_int_equal(tree_build(p, &t), 0);
	assert_true(tree_total(t, 0, 0) < 0);
	assert_int_equal(flame_layout(t, &o, &f), 0);
	/* it was the root alone: negative widths were clamped to 0 */
	assert_true(f.nrows >= 4);
	c = cell_of(&f, t, node_at(t, "main"));
	assert_int_equal(c->w, 16);
	/* magnitudes: a 14 (5 + 9 below it, though it nets -4), b 2, main 16 */
	assert_int_equal(flame_magnitude(t, node_at(t, "main;a"), 0, PROF_NONE), 14);
	assert_int_equal(flame_magnitude(t, node_at(t, "main"), 0, PROF_NONE), 16);
	assert_int_equal(cell_of(&f, t, node_at(t, "main;a"))->w, 14);
	assert_int_equal(cell_of(&f, t, node_at(t, "main;b"))->w, 2);
	/* keep and drop (5 + 9) fill a's 14 cells, no self part */
	c = cell_of(&f, t, node_at(t, "main;a;drop"));
	assert_int_equal(c->w, 9);
	assert_int_equal(cell_of(&f, t, node_at(t, "main;a;keep"))->w, 5);
	assert_int_equal(flame_magnitude(t, node_at(t, "main;a;drop"), 0, PROF_NONE), 9);
	flame_release(&f);
	tree_free(t);
	prof_free(p);
}

/* gains and losses that cancel in a node's total still show under it (a review's case) */
static void test_signed_flame_cancelling(void **state)
{
	struct prof *p = tu_decode_str("main;A;B 100\nmain;A;C -100\nmain;D 10\n");
	struct flame_opts o = { .root = 0, .type = 0, .type2 = PROF_NONE, .width = 105,
				.max_rows = 8 };
	struct tree *t;
	struct flame f;

	(void)state;
	assert_int_equal(tree_build(p, &t), 0);
	assert_int_equal(tree_total(t, node_at(t, "main;A"), 0), 0);
	assert_int_equal(flame_layout(t, &o, &f), 0);
	/* A nets 0 but 200 of main's 210 changed under it: 100 of 105 cells, B and C 50 each */
	assert_int_equal(cell_of(&f, t, node_at(t, "main;A"))->w, 100);
	assert_int_equal(cell_of(&f, t, node_at(t, "main;A;B"))->w, 50);
	assert_int_equal(cell_of(&f, t, node_at(t, "main;A;C"))->w, 50);
	assert_int_equal(cell_of(&f, t, node_at(t, "main;D"))->w, 5);
	flame_release(&f);
	tree_free(t);
	prof_free(p);
	/* a profile without a negative value has no magnitudes of its own: |total| */
	p = tu_decode_str("main;A;B 100\nmain;D 10\n");
	assert_int_equal(tree_build(p, &t), 0);
	assert_null(t->mag);
	assert_int_equal(flame_magnitude(t, node_at(t, "main;A"), 0, PROF_NONE), 100);
	tree_free(t);
	prof_free(p);
}

/* -diff_base of the fixtures' "after" (3x scoreRecords) against "before": it shrank */
static void test_signed_flame_fixture(void **state)
{
	struct prof *after = tu_decode("go/cpuwork-cpu-after-scoreRecords-3x.pb.gz");
	struct prof *before = tu_decode("go/cpuwork-cpu.pb.gz"), *d;
	struct flame_opts o = { .root = 0, .type = 1, .type2 = PROF_NONE, .width = 200,
				.max_rows = 64 };
	struct tree *t;
	struct flame f;
	uint32_t sc;

	(void)state;
	assert_int_equal(prof_diff(after, before, &d), 0);
	assert_int_equal(tree_build(d, &t), 0);
	assert_true(tree_total(t, 0, 1) < 0);
	assert_int_equal(flame_layout(t, &o, &f), 0);
	assert_true(f.nrows > 3);
	sc = node_at(t, "main.worker;main.processBatch;main.scoreRecords");
	assert_true(tree_total(t, sc, 1) < 0);
	/* the loss that makes the profile shrink is the widest frame at its depth (widths are
	 * of how much changed: sampling noise under decodeRecords counts too, grey) */
	{
		uint32_t par = t->parent[sc], k;

		for (k = tree_first_kid(t, par); k != PROF_NONE; k = tree_next_kid(t, par, k))
			if (k != sc)
				assert_true(cell_of(&f, t, sc)->w > cell_of(&f, t, k)->w);
		assert_true(cell_of(&f, t, sc)->w * 3 >= cell_of(&f, t, par)->w);
	}
	flame_release(&f);
	tree_free(t);
	prof_free(d);
	prof_free(after);
	prof_free(before);
}

static void test_signed_flame_screen(void **state)
{
	struct tui_app *a = tb_app_of(tu_decode_str("main;grow 5\nmain;shrink -9\n"), "signed");
	struct offscreen scr = screen_open(24, 80);
	const char *text;

	(void)state;
	text = screen_text(a, &scr);
	assert_on_screen(text, "shrink");
	assert_on_screen(text, "grow");
	assert_on_screen(text, "new minus base");  /* the legend of the colours */
	assert_true(app_signed_step(a, &a->main, node_at(a->tree, "main;shrink")) < 0);
	assert_true(app_signed_step(a, &a->main, node_at(a->tree, "main;grow")) > 0);
	screen_close(&scr);
	tui_app_free(a);

	/* an unsigned profile keeps its package colours and no legend */
	a = tb_app_of(tu_decode_str("main;grow 5\nmain;shrink 9\n"), "plain");
	scr = screen_open(24, 80);
	text = screen_text(a, &scr);
	assert_not_on_screen(text, "new minus base");
	assert_int_equal(app_signed_step(a, &a->main, node_at(a->tree, "main;shrink")), 0);
	screen_close(&scr);
	tui_app_free(a);
}

/* ------------------------------------------------------------------------------------ */
/* the sandwich                                                                           */

#define LONG_FN "github.com/example/very/long/module/path/internal/pkg.(*SomeReceiverType).AVeryLongMethodName"

static void test_sandwich_long_name(void **state)
{
	struct tui_app *a = tb_app_of(tu_decode_str("main;" LONG_FN ";leaf 30\n"
						 "main;other;" LONG_FN " 10\n"
						 "main;idle 60\n"),
				   "sandwich");
	struct offscreen scr = screen_open(24, 80);
	const char *text, *div;
	uint32_t name;

	(void)state;
	name = prof_find_str(a->prof, LONG_FN);
	assert_int_not_equal(name, PROF_NONE);
	assert_int_equal(sandwich_view_set(a, name), 0);
	a->view = VIEW_SANDWICH;
	text = screen_text(a, &scr);
	/* the divider: the name gives way, its numbers stay (they were cut off) */
	div = screen_line(text, a->sw.divider_y);
	assert_non_null(strstr(div, "AVeryLong"));
	if (!strstr(div, "self 10") || !strstr(div, "total 40") || !strstr(div, "(40.0%)")) {
		print_screen(text);
		fail_msg("the divider lost its numbers: '%s'", div);
	}
	/* the status line on the function itself: no "100% zoomed" (always so) */
	assert_true(a->sw.callees.fl.sel == a->sw.callees.fl.zoom);
	assert_not_on_screen(text, "zoomed");
	assert_on_screen(text, "(40.0% all)");
	/* a callee: its share of the function, named as such */
	assert_true(sandwich_view_key(a, 'j'));
	text = screen_text(a, &scr);
	assert_on_screen(text, "callee: leaf");
	assert_on_screen(text, "75.0% of AVery");
	assert_not_on_screen(text, "zoomed");
	screen_close(&scr);
	tui_app_free(a);
}

/* ------------------------------------------------------------------------------------ */
/* the store browser: of a profile from a store, its first range and aggregation        */

/*
 * A profile opened from a store (smolder view --db PATH --profile-type ...) with the
 * store's backend: T shows the browser on it and p pauses its live updates; a profile
 * without one (a file): T and p say there is no store open here and how to open one (T
 * told someone who had passed --db to pass --db).
 */
static void test_browse_from_a_profile(void **state)
{
	struct prof *g = tu_decode("go/goroutines-goroutine.pb.gz");
	struct store *s;
	struct tui_opts o;
	struct tui_app *a;

	(void)state;
	s = ts_open_new("profile.db");
	ts_write_or_fail(s, "app", g, time_now_ns() - 60 * SEC, NULL, NULL);
	memset(&o, 0, sizeof(o));
	o.sample_type = -1;
	o.no_color = true;
	o.backend = ts_backend_of(s);
	o.backend_name = "store test";
	assert_int_equal(tui_app_new(g, &o, &a), 0);
	assert_int_equal(a->view, VIEW_FLAME);
	tui_app_key(a, 'T');
	assert_int_equal(a->view, VIEW_BROWSER);
	assert_int_equal(a->br.nrows, 1);
	assert_string_equal(a->br.rows[0].service, "app");
	tui_app_key(a, '1');
	tui_app_key(a, 'p');
	assert_true(a->br.paused);
	tui_app_free(a);
	store_close(s);

	a = tb_app_of(tu_decode("go/goroutines-goroutine.pb.gz"), "file");
	tui_app_key(a, 'T');
	assert_int_equal(a->view, VIEW_FLAME);
	assert_non_null(strstr(a->message, "no store or server open here"));
	tui_app_key(a, 'p');
	assert_non_null(strstr(a->message, "no store or server open here"));
	tui_app_free(a);
}

/* The explorer on be (taken) in the browser, from `from` to `to`, adding up with agg. */
static int app_browsing(struct backend *be, const char *from, const char *to,
			enum aggregate agg, struct tui_app **out)
{
	struct tui_opts o;

	memset(&o, 0, sizeof(o));
	o.sample_type = -1;
	o.no_color = true;
	o.backend = be;
	o.backend_name = "store test";
	o.start_in_browser = true;
	o.browser_from = from;
	o.browser_to = to;
	o.aggregate = (int)agg;
	return tui_app_new(NULL, &o, out);
}

/*
 * The browser given a range (smolder --db PATH --from T --to T) starts on it: its rows
 * are of that range, not of the last hour, and it is not live; given --aggregate sum, a
 * gauge's window adds its profiles up (it averaged them whatever the flag said).
 */
static void test_browser_first_range(void **state)
{
	struct prof *g = tu_decode("go/goroutines-goroutine.pb.gz");
	struct store *s;
	struct tui_app *a;
	char from[32], to[32];
	int64_t one;

	(void)state;
	s = ts_open_new("range.db");
	/* a gauge pushed twice, 10 s apart, long ago; another service a minute ago */
	ts_write_or_fail(s, "old", g, T0, NULL, NULL);
	ts_write_or_fail(s, "old", g, T0 + 10 * SEC, NULL, NULL);
	ts_write_or_fail(s, "new", g, time_now_ns() - 60 * SEC, NULL, NULL);
	one = prof_total(g, g->default_type);
	snprintf(from, sizeof(from), "%lld", (long long)(T0 / SEC - 60));
	snprintf(to, sizeof(to), "%lld", (long long)(T0 / SEC + 60));

	assert_int_equal(app_browsing(ts_backend_of(s), from, to, AGG_AUTO, &a), 0);
	assert_int_equal(a->br.from_ns, T0 - 60 * SEC);
	assert_int_equal(a->br.to_ns, T0 + 60 * SEC);
	assert_false(a->br.live_range);
	assert_int_equal(a->br.nrows, 1);
	assert_string_equal(a->br.rows[0].service, "old");
	tui_app_key(a, '\n');
	assert_int_equal(a->view, VIEW_FLAME);
	assert_non_null(strstr(a->message, "average of 2 profiles"));
	assert_int_equal(tree_total(a->tree, 0, a->type), one);
	tui_app_free(a);

	/* --aggregate sum: the same window adds the two up, and the message says no average */
	assert_int_equal(app_browsing(ts_backend_of(s), from, to, AGG_SUM, &a), 0);
	tui_app_key(a, '\n');
	assert_int_equal(a->view, VIEW_FLAME);
	assert_null(strstr(a->message, "average"));
	assert_int_equal(tree_total(a->tree, 0, a->type), 2 * one);
	/* the browser's timeline of the window asks the same way */
	tui_app_free(a);

	/* only --from: up to now, and live */
	assert_int_equal(app_browsing(ts_backend_of(s), "now-5m", NULL, AGG_AUTO, &a), 0);
	assert_true(a->br.live_range);
	assert_int_equal(a->br.nrows, 1);
	assert_string_equal(a->br.rows[0].service, "new");
	tui_app_free(a);

	/* a range that is not one: no app, and the error says which */
	assert_int_not_equal(app_browsing(ts_backend_of(s), to, from, AGG_AUTO, &a), 0);
	assert_non_null(strstr(err_last(), "the browser's range"));
	assert_null(a);

	store_close(s);
	prof_free(g);
}

/* The filter stack as the status line names it. */
static void assert_stack(const struct tui_app *a, const char *want)
{
	struct buf b = BUF_INIT;

	app_filters_describe(a, &b);
	assert_string_equal(b.data ? b.data : "", want);
	buf_release(&b);
}

static void test_recursion_restored_under_a_filter(void **state)
{
	struct tui_app *a = tb_app_of(tu_decode_str("main;f;f;f;leaf 5\nmain;runtime.x;g 3\n"), "rec");

	(void)state;
	app_toggle_recursion(a);                      /* R */
	assert_stack(a, "collapsed recursion");
	node_at(a->tree, "main;f;leaf");
	assert_int_equal(app_filter_push(a, FK_HIDE, "runtime"), 0);  /* :hide=runtime */
	assert_stack(a, "collapsed recursion hide:runtime");
	node_at(a->tree, "main;g");

	app_toggle_recursion(a);                      /* R again restores */
	assert_stack(a, "hide:runtime");
	node_at(a->tree, "main;f;f;f;leaf");          /* as sampled */
	node_at(a->tree, "main;g");                   /* the hide stays */
	assert_string_equal(a->message,
			    "recursion shown as it was sampled; the 1 filter above it re-applied");
	assert_int_equal(a->prof->nsamples, 2);

	app_toggle_recursion(a);                      /* and again collapses, on top */
	assert_stack(a, "hide:runtime collapsed recursion");
	node_at(a->tree, "main;f;leaf");
	app_toggle_recursion(a);
	assert_stack(a, "hide:runtime");
	assert_string_equal(a->message, "recursion shown as it was sampled");
	tui_app_free(a);
}

/* ------------------------------------------------------------------------------------ */
/* a `/` regex that cannot decide a name or a line                                        */

#define TOO_COMPLEX "(?:a?){1000}x"  /* on 1000 a's and "bx": see test_re2.c */

/*
 * The top table's row filter on a name it cannot decide (PCRE2 and its DFA give up,
 * where RE2 would not): the status line says so, naming the regex; the row used to be
 * hidden, the table saying "no function matches the filter".
 */
static void test_top_filter_too_complex(void **state)
{
	struct offscreen scr = screen_open(24, 100);
	struct buf folded = BUF_INIT;
	struct tui_app *a;
	const char *text;
	char name[1003];

	(void)state;
	memset(name, 'a', 1000);
	memcpy(name + 1000, "bx", 3);
	assert_int_equal(buf_printf(&folded, "main;%s 3\nmain;other 1\n", name), 0);
	a = tb_app_of(tu_decode_str(folded.data), "top");
	a->view = VIEW_TOP;
	assert_int_equal(top_view_set_filter(a, TOO_COMPLEX), 0);
	text = screen_text(a, &scr);
	assert_on_screen(text, "top: regex '" TOO_COMPLEX "' is too complex");
	assert_not_on_screen(text, "no function matches the filter");
	assert_true(a->message_error);
	/* the filter is dropped: the next frame shows every row and runs no regex again */
	assert_null(a->tp.filter.code);
	assert_string_equal(a->tp.filter_pat, TOO_COMPLEX);  /* for `/` to edit */
	text = screen_text(a, &scr);
	assert_int_equal(a->tp.nrows, 3);  /* main, the long name, other */
	assert_on_screen(text, "other");
	/* a regex that decides: the row */
	assert_int_equal(top_view_set_filter(a, "a+bx"), 0);
	text = screen_text(a, &scr);
	assert_on_screen(text, "aaaaaaaa");
	assert_int_equal(a->tp.nrows, 1);
	screen_close(&scr);
	tui_app_free(a);
	buf_release(&folded);
}

/*
 * The source pane's search (/, n) on a code line it cannot decide: n stops there and
 * says so (it went past the line as a non-match, on to the next match), and drawing
 * says so too.
 */
static void test_source_search_too_complex(void **state)
{
	const char *path = tu_tmp_path("long.c");
	struct offscreen scr;
	struct prof_builder *b = NULL;
	struct prof_function f = { 0 };
	struct prof_line line = { 0, 1 };
	struct tui_app *a;
	struct prof *p;
	const char *text;
	uint32_t t, u, loc;
	int64_t one = 1;
	FILE *fp;
	int i;

	(void)state;
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("void work(void)\n{\n\t/* ", fp);
	for (i = 0; i < 1000; i++)
		fputc('a', fp);
	fputs("bx */\n\tx();\n}\n", fp);  /* line 4 matches TOO_COMPLEX */
	fclose(fp);
	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "samples", 7, &t), 0);
	assert_int_equal(pb_string(b, "count", 5, &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	assert_int_equal(pb_string(b, "work", 4, &f.name), 0);
	assert_int_equal(pb_string(b, path, strlen(path), &f.file), 0);
	f.start_line = 1;
	assert_int_equal(pb_function(b, &f, &line.func), 0);
	assert_int_equal(pb_location(b, PROF_NONE, 0x10, &line, 1, &loc), 0);
	assert_int_equal(pb_sample(b, &loc, 1, &one, NULL, 0), 0);
	assert_int_equal(pb_finish(b, &p), 0);
	a = tb_app_of(p, "source");
	assert_int_equal(source_view_set(a, prof_find_str(a->prof, "work")), 0);
	a->view = VIEW_SOURCE;
	scr = screen_open(24, 100);
	text = screen_text(a, &scr);
	if (!a->src.have_code) {
		print_screen(text);
		fail_msg("no code for %s", path);
	}
	assert_on_screen(text, "aaaaaaaa");
	assert_int_equal(source_view_set_search(a, TOO_COMPLEX), 0);
	a->src.sel = 1;
	a->message[0] = '\0';
	source_view_search_jump(a, 1);
	assert_int_equal(a->src.sel, 1);  /* stopped at line 3: not on to line 4 */
	assert_non_null(strstr(a->message, "search: regex '" TOO_COMPLEX "' is too complex"));
	assert_true(a->message_error);
	a->message[0] = '\0';
	text = screen_text(a, &scr);
	assert_on_screen(text, "search: regex '" TOO_COMPLEX "' is too complex");
	/* a regex that decides: n goes to line 3 */
	assert_int_equal(source_view_set_search(a, "a+bx"), 0);
	source_view_search_jump(a, 1);
	assert_int_equal(a->src.sel, 3);
	screen_close(&scr);
	tui_app_free(a);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_flame_layout),
		cmocka_unit_test(test_signed_flame_cancelling),
		cmocka_unit_test(test_signed_flame_fixture),
		cmocka_unit_test(test_signed_flame_screen),
		cmocka_unit_test(test_sandwich_long_name),
		cmocka_unit_test(test_browse_from_a_profile),
		cmocka_unit_test(test_browser_first_range),
		cmocka_unit_test(test_recursion_restored_under_a_filter),
		cmocka_unit_test(test_top_filter_too_complex),
		cmocka_unit_test(test_source_search_too_complex),
	};

	int rc;

	setlocale(LC_ALL, "C.UTF-8");
	tu_init(argc, argv);
	if (tu_tmp_create("explorer"))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tu_tmp_remove();
	return rc;
}
