/*
 * test_browser.c — the store browser (src/tui/browser_view.c, browser_draw.c) on real
 * SQLite stores made here: its list, timeline, selector prompt and keys, what it finds
 * and says, and export from it, driven without a key loop and drawn on an off-screen
 * curses terminal whose cells are read back (what a person would see):
 *
 *  - a range from 1970 to now: the timeline is drawn (no overflow), the header names
 *    the length in a readable unit;
 *  - g G PgUp PgDn in the list; the breakdown scrolls and its hints are true; p pauses
 *    in every view and the mode shows; f in the source pane is of its function;
 *  - columns in cells, not bytes (CJK and invalid UTF-8 names); "last push" at 80 columns;
 *  - an empty range moves to the newest data of any service and type; a selector that
 *    matches nothing says so; a custom range of 30 s says "last 30 s"; pushes on and
 *    before the epoch are found like any others, and their age is drawn;
 *  - the source pane on code shorter than the profile's lines: the costly lines show (no
 *    code there) with a warning;
 *  - ? at 80x24: every description is whole (wrapped, not cut);
 *  - export: a FIFO is refused at once; the default name of a store's profile is made of
 *    its service, type and time, never of the selector's characters;
 *  - "last push" over 7 days (steps of 84 min): a push 10 min ago reads "< N min ago" with
 *    N at least 10, not "now" (the end of its step, in the future);
 *  - the 24 h preset: both ends of the timeline, the window and an opened profile's name
 *    carry the date (they read the same clock time);
 *  - Tab in a label value inserts it escaped for its quotes and compares what was typed
 *    unescaped; its values are of the matchers typed; Enter closes '...' and `...`;
 *  - a 300-byte service name opens.
 *
 * What a window opens, breaks down, asks again and compares (the explorer on it):
 * test_browser_open.c.
 * The browser against a backend that hangs, limits its requests or fails (its jobs,
 * cancellation and errors): test_browser_backend.c.
 * The window on a range that moves or changes, on the browser's model alone:
 * test_browser_window.c.
 */
#include <ctype.h>
#include <curses.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

#include "base/err.h"
#include "base/timeparse.h"
#include "store/store.h"
#include "offscreen.h"
#include "testutil.h"
#include "testutil_browser.h"
#include "testutil_store.h"
#include "tui/tui_int.h"

static int setup(void **state)
{
	(void)state;
	return tu_tmp_create("browser");
}

static int teardown(void **state)
{
	(void)state;
	tu_tmp_remove();
	return 0;
}

/* ------------------------------------------------------------------------------------ */
/* stores and the app                                                                    */

static struct prof *fixture(const char *rel)
{
	return tu_decode(rel);
}

static bool has_bar(const char *line)
{
	static const char *const bars[] = { "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
					    "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
					    "\xe2\x96\x87", "\xe2\x96\x88" };
	size_t i;

	for (i = 0; i < 8; i++)
		if (strstr(line, bars[i]))
			return true;
	return false;
}

/* ------------------------------------------------------------------------------------ */
/* 1: a range from 1970                                                                  */

static void test_long_range(void **state)
{
	struct store *s = ts_open_new("long.db");
	struct prof *p = fixture("go/cpuwork-cpu.pb.gz");
	struct offscreen o;
	struct tui_app *a;
	const char *t;

	(void)state;
	ts_write_or_fail(s, "app", p, time_now_ns() - 600 * SEC, NULL, NULL);
	prof_free(p);
	a = tb_app_on(s, NULL);
	o = screen_open(24, 80);
	t = screen_text(a, &o);
	assert_true(has_bar(screen_line(t, 20)));
	/* t 0 Enter: from the epoch to now */
	assert_int_equal(browser_view_set_range(a, "0"), 0);
	t = screen_text(a, &o);
	if (!has_bar(screen_line(t, 20))) {
		print_screen(t);
		fail_msg("the timeline of 1970..now is empty");
	}
	assert_not_on_screen(t, " min ");
	assert_on_screen(t, "last 5");  /* about 56 years */
	assert_on_screen(t, " y ");
	/* a narrow window, then a click on the timeline's last column: the window moves
	 * there (the step that holds the column's time, near the end of the range) */
	for (int i = 0; i < 10; i++)
		tui_app_key(a, '-');
	browser_view_mouse(a, a->br.tl_y, a->br.tl_x + a->br.tl_w - 1, false);
	{
		int64_t at = browser_time_at(a->br.from_ns, a->br.to_ns - a->br.from_ns,
					     a->br.tl_w - 1, a->br.tl_w);

		assert_true(a->br.win_to > a->br.win_from);
		assert_true(a->br.win_to <= a->br.to_ns);
		assert_true(a->br.win_from <= at && at < a->br.win_to);
		assert_true(a->br.win_from > a->br.to_ns - (a->br.to_ns - a->br.from_ns) / 30);
	}
	screen_close(&o);
	tui_app_free(a);
	store_close(s);
}

/* ------------------------------------------------------------------------------------ */
/* 10, 11, 12, 13, 15: keys and columns                                                  */

static void test_list_keys(void **state)
{
	struct store *s = tb_many("list.db", 30, false);
	struct tui_app *a = tb_app_on(s, NULL);
	struct offscreen o = screen_open(24, 80);
	const char *t;

	(void)state;
	t = screen_text(a, &o);
	assert_int_equal(a->br.nrows, 30);
	tui_app_key(a, 'G');
	assert_int_equal(a->br.row, 29);
	t = screen_text(a, &o);
	assert_on_screen(t, "svc-29");
	assert_on_screen(t, "timeline: svc-29");
	tui_app_key(a, 'g');
	assert_int_equal(a->br.row, 0);
	tui_app_key(a, KEY_NPAGE);
	assert_true(a->br.row >= 10);
	tui_app_key(a, KEY_PPAGE);
	assert_int_equal(a->br.row, 0);
	/* at 80 columns the last push shows */
	t = screen_text(a, &o);
	assert_on_screen(t, "last push");
	assert_on_screen(t, "min ago");
	screen_close(&o);
	tui_app_free(a);
	store_close(s);
}

static void test_breakdown_scrolls(void **state)
{
	struct store *s = tb_many("pods.db", 30, true);
	struct tui_app *a = tb_app_on(s, NULL);
	struct offscreen o = screen_open(24, 80);
	const char *t;

	(void)state;
	t = screen_text(a, &o);
	browser_view_breakdown(a, "pod");
	assert_true(a->br.breakdown);
	assert_int_equal(a->br.nbd_names, 30);
	t = screen_text(a, &o);
	assert_not_on_screen(t, "Enter open");
	assert_not_on_screen(t, "P compare");
	assert_on_screen(t, "j k g G");
	tui_app_key(a, 'G');
	t = screen_text(a, &o);
	assert_on_screen(t, "pod-29");
	tui_app_key(a, 'g');
	tui_app_key(a, 'j');
	tui_app_key(a, 'j');
	assert_int_equal(a->br.bd_sel, 2);
	tui_app_key(a, KEY_NPAGE);
	assert_true(a->br.bd_sel > 2);
	/* Enter does nothing here (it opened the row's profile behind the breakdown) */
	tui_app_key(a, '\n');
	assert_false(a->br.opened);
	assert_true(a->br.breakdown);
	tui_app_key(a, 27);
	assert_false(a->br.breakdown);
	screen_close(&o);
	tui_app_free(a);
	store_close(s);
}

/*
 * A click in the tag breakdown acted on the service list behind it: a double click
 * opened the row's profile, a click on the line where the timeline had been moved the
 * window.  A click selects the breakdown's row under it.
 */
static void test_breakdown_mouse(void **state)
{
	struct store *s = tb_many("podclick.db", 30, true);
	struct tui_app *a = tb_app_on(s, NULL);
	struct offscreen o = screen_open(24, 80);
	const char *t;
	int y;

	(void)state;
	screen_text(a, &o);  /* the list, its timeline at a->br.tl_y */
	browser_view_breakdown(a, "pod");
	assert_true(a->br.breakdown);
	t = screen_text(a, &o);
	for (y = 0; y < 24 && !strstr(screen_line(t, y), a->br.bd_names[3]); y++)
		;
	assert_true(y < 24);
	browser_view_mouse(a, y, 5, false);
	assert_int_equal(a->br.bd_sel, 3);
	browser_view_mouse(a, y - 3, 5, true);
	assert_int_equal(a->br.bd_sel, 0);
	assert_false(a->br.opened);
	assert_true(a->br.breakdown);
	assert_int_equal(a->view, VIEW_BROWSER);
	browser_view_mouse(a, a->br.tl_y, a->br.tl_x + 2, false);
	assert_int_equal(a->br.win_to, a->br.win_from);
	screen_close(&o);
	tui_app_free(a);
	store_close(s);
}

/*
 * f x F R y e in the browser acted on the profile hidden behind it (x ignored the flame
 * graph's selection, e exported it, y copied it): they say where they work instead.
 */
static void test_profile_keys_in_browser(void **state)
{
	struct store *s = tb_many("keys.db", 2, false);
	struct tui_app *a = tb_app_on(s, NULL);
	const char *k;

	(void)state;
	tui_app_key(a, '\n');
	assert_int_equal(a->view, VIEW_FLAME);
	tui_app_key(a, 'j');
	assert_int_not_equal(a->main.fl.sel, 0);
	tui_app_key(a, 'T');
	for (k = "fxFRye"; *k; k++) {
		a->message[0] = '\0';
		tui_app_key(a, *k);
		assert_int_equal(a->view, VIEW_BROWSER);
		assert_int_equal(a->nfilters, 0);
		assert_false(a->exporting);
		if (!strstr(a->message, "profile's views"))
			fail_msg("%c in the browser: '%s'", *k, a->message);
	}
	tui_app_free(a);
	store_close(s);
}

static void test_pause_everywhere(void **state)
{
	struct store *s = tb_many("pause.db", 1, false);
	struct tui_app *a = tb_app_on(s, NULL);
	struct offscreen o = screen_open(24, 100);
	const char *t;

	(void)state;
	tui_app_key(a, '\n');
	assert_int_equal(a->view, VIEW_FLAME);
	t = screen_text(a, &o);
	assert_on_screen(screen_line(t, 22), "live");
	tui_app_key(a, 'p');
	assert_true(a->br.paused);
	t = screen_text(a, &o);
	assert_on_screen(screen_line(t, 22), "paused (p)");
	a->br.last_refresh_ms = 0;
	browser_view_tick(a);
	assert_int_equal(a->br.queued, 0);
	tui_app_key(a, 'p');
	assert_false(a->br.paused);
	screen_close(&o);
	tui_app_free(a);
	store_close(s);
}

static void test_source_selection(void **state)
{
	struct store *s = tb_two_versions("selection.db");
	struct source_opts so = { .source_path = "/nonexistent", .offline = true };
	struct tui_app *a = tb_app_on(s, &so);
	uint32_t node;

	(void)state;
	tui_app_key(a, '\n');
	assert_int_equal(source_view_set(a, prof_find_str(a->prof, "main.work")), 0);
	a->view = VIEW_SOURCE;
	/* the hidden flame graph's selection is on main.main */
	node = tree_first_kid(a->tree, 0);
	assert_string_equal(tree_name(a->tree, node), "main.main");
	a->main.fl.sel = node;
	tui_app_key(a, 'f');
	assert_int_equal(a->nfilters, 1);
	if (!strstr(a->filters[0].pat, "main\\.work"))
		fail_msg("f in the source pane focused on '%s'", a->filters[0].pat);
	tui_app_free(a);
	store_close(s);
}

/* The display column where `needle` starts on `line` (-1 when absent). */
static int column_of(const char *line, const char *needle)
{
	const char *p = strstr(line, needle);
	wchar_t w[1024];
	char pre[2048];
	size_t n;

	if (!p)
		return -1;
	snprintf(pre, sizeof(pre), "%.*s", (int)(p - line), line);
	n = mbstowcs(w, pre, 1023);
	if (n == (size_t)-1)
		return -2;
	return wcswidth(w, n);
}

static void test_columns_in_cells(void **state)
{
	struct store *s = ts_open_new("cells.db");
	struct prof *p = tu_decode_str("main;work 5\n");
	int64_t now = time_now_ns() - 600 * SEC;
	struct tui_app *a;
	struct offscreen o;
	const char *t;
	int y, col = -1, rows = 0;

	(void)state;
	ts_write_or_fail(s, "plain", p, now, NULL, NULL);
	ts_write_or_fail(s, "\xe6\x9c\x8d\xe5\x8a\xa1\xe5\x99\xa8-checkout", p, now, NULL, NULL);
	ts_write_or_fail(s, "bad\xff\xfe-utf8", p, now, NULL, NULL);
	prof_free(p);
	a = tb_app_on(s, NULL);
	o = screen_open(24, 120);
	t = screen_text(a, &o);
	for (y = 3; y < 6; y++) {
		int c = column_of(screen_line(t, y), "process_cpu");

		if (c < 0)
			continue;
		rows++;
		if (col >= 0 && c != col) {
			print_screen(t);
			fail_msg("line %d: the type column starts at %d, not %d", y, c, col);
		}
		col = c;
	}
	assert_int_equal(rows, 3);
	screen_close(&o);
	tui_app_free(a);
	store_close(s);
}

/* ------------------------------------------------------------------------------------ */
/* 8, 16: finding data, messages                                                         */

static void test_find_newest(void **state)
{
	struct store *s = ts_open_new("find.db");
	struct prof *cpu = fixture("go/cpuwork-cpu.pb.gz"), *heap = fixture("go/heapwork-heap.pb.gz");
	int64_t now = time_now_ns();
	struct tui_app *a;

	(void)state;
	/* aaa (cpu) three days ago, bbb (heap) one day ago */
	ts_write_or_fail(s, "aaa", cpu, now - 3 * 86400 * SEC, NULL, NULL);
	ts_write_or_fail(s, "bbb", heap, now - 86400 * SEC, NULL, NULL);
	prof_free(cpu);
	prof_free(heap);
	a = tb_app_on(s, NULL);
	assert_non_null(strstr(a->message, "showing the most recent data"));
	assert_true(a->br.to_ns > now - 86400 * SEC);
	assert_true(a->br.nrows > 0);
	assert_string_equal(a->br.rows[0].service, "bbb");
	/* a selector that matches nothing says so, not that the store is empty */
	assert_int_equal(browser_view_set_selector(a, "{service_name=\"nope\"}"), 0);
	if (!strstr(a->message, "nothing matches the selector") ||
	    !strstr(a->message, "in the last 10 y (/"))  /* no limit: ten years back */
		fail_msg("message: '%s'", a->message);
	/* now-30s: the header says 30 s */
	{
		struct buf b = BUF_INIT;

		assert_int_equal(browser_view_set_range(a, "now-30s"), 0);
		browser_view_header(a, &b);
		if (!strstr(b.data, "last 30 s"))
			fail_msg("header '%s'", b.data);
		buf_release(&b);
	}
	tui_app_free(a);
	store_close(s);
}

/* Every row of the browser's list is of `service` (and there is one). */
static void only_service(const struct tui_app *a, const char *service)
{
	uint32_t i;

	assert_true(a->br.nrows > 0);
	for (i = 0; i < a->br.nrows; i++)
		assert_string_equal(a->br.rows[i].service, service);
}

/*
 * Pushes before 1970 are pushes (Pyroscope and smolder take any Unix time): the search
 * for the newest data took a last push at or before the epoch for "none" (it started
 * from 0 and kept only later times), so from a range just after it found nothing, and
 * the list's last push read "-".  A push on the epoch itself and one 11 days before it
 * are found from an hour after each, and their age is drawn.
 */
static void test_find_before_1970(void **state)
{
	struct store *s = ts_open_new("find-1969.db");
	struct prof *cpu = fixture("go/cpuwork-cpu.pb.gz");
	struct offscreen o;
	struct tui_app *a;
	const char *t;
	int y, aged = 0;

	(void)state;
	ts_write_or_fail(s, "epoch", cpu, 0, NULL, NULL);
	ts_write_or_fail(s, "old", cpu, -1000000 * SEC, NULL, NULL);  /* 1969-12-20 10:13:20 */
	prof_free(cpu);
	a = tb_app_on(s, NULL);
	/* an hour half a day after the epoch: the last day holds its push */
	assert_int_equal(browser_view_set_range(a, "1970-01-01T12:00:00Z 1970-01-01T13:00:00Z"), 0);
	assert_int_equal(browser_view_set_selector(a, "{}"), 0);
	if (!strstr(a->message, "showing the most recent data"))
		fail_msg("message: '%s'", a->message);
	assert_true(a->br.from_ns < 0 && a->br.to_ns > 0 && a->br.to_ns <= 3600 * SEC);
	only_service(a, "epoch");
	/* an hour on Christmas 1969: the week before holds the push of the 20th */
	assert_int_equal(browser_view_set_range(a, "1969-12-25T00:00:00Z 1969-12-25T01:00:00Z"), 0);
	assert_int_equal(browser_view_set_selector(a, "{}"), 0);
	if (!strstr(a->message, "showing the most recent data"))
		fail_msg("message: '%s'", a->message);
	assert_true(a->br.to_ns > -1000000 * SEC && a->br.to_ns < 0);
	tu_assert_i64(a->br.to_ns - a->br.from_ns, 3600 * SEC);
	only_service(a, "old");
	/* both in the list (two types each), each row with its age (some 20,000 days), not "-" */
	assert_int_equal(browser_view_set_range(a, "1969-12-01T00:00:00Z 1970-01-02T00:00:00Z"), 0);
	assert_int_equal(a->br.nrows, 4);
	o = screen_open(24, 100);
	t = screen_text(a, &o);
	for (y = 0; y < 24; y++) {
		const char *l = screen_line(t, y);

		if ((strstr(l, " epoch ") || strstr(l, " old ")) && strstr(l, " d ago"))
			aged++;
	}
	if (aged != 4) {
		print_screen(t);
		fail_msg("%d of 4 rows show their last push's age", aged);
	}
	screen_close(&o);
	tui_app_free(a);
	store_close(s);
}

/* ------------------------------------------------------------------------------------ */
/* 9, 17: export                                                                         */

static void on_alarm(int sig)
{
	(void)sig;
	fprintf(stderr, "export blocked on a FIFO\n");
	_exit(1);
}

static void test_export_refuses_fifo(void **state)
{
	struct store *s = tb_many("fifo.db", 1, false);
	struct tui_app *a = tb_app_on(s, NULL);
	char fifo[600];

	(void)state;
	tui_app_key(a, '\n');
	snprintf(fifo, sizeof(fifo), "%s", tu_tmp_path("fifo"));
	unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	tui_app_key(a, 'e');
	tui_app_key(a, 'f');
	assert_int_equal(a->prompt_kind, 'e');
	signal(SIGALRM, on_alarm);
	alarm(5);
	export_view_write(a, fifo);
	alarm(0);
	assert_true(a->message_error);
	assert_non_null(strstr(a->message, "not a regular file"));
	a->prompt_kind = 0;
	/* a regular file is written */
	export_view_write(a, tu_tmp_path("out.folded"));
	assert_false(a->message_error);
	unlink(fifo);
	tui_app_free(a);
	store_close(s);
}

static void test_export_name(void **state)
{
	struct store *s = tb_many("name.db", 1, false);
	struct tui_app *a = tb_app_on(s, NULL);
	const char *c;

	(void)state;
	assert_int_equal(browser_view_set_selector(a, "{service_name=~\"svc.*\", x!=\"a/b\"}"), 0);
	assert_int_equal(a->br.nrows, 1);
	tui_app_key(a, '\n');
	assert_int_equal(a->view, VIEW_FLAME);
	tui_app_key(a, 'e');
	tui_app_key(a, 'p');
	a->prompt[a->prompt_len] = '\0';
	if (strncmp(a->prompt, "svc-00-samples-2", 16) != 0 || !strstr(a->prompt, ".pb.gz"))
		fail_msg("default name '%s'", a->prompt);
	for (c = a->prompt; *c; c++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_", *c))
			fail_msg("default name '%s' has '%c'", a->prompt, *c);
	a->prompt_kind = 0;
	tui_app_free(a);
	store_close(s);
}

/* ------------------------------------------------------------------------------------ */
/* 7: code shorter than the profile                                                      */

static void test_short_code(void **state)
{
	struct store *s = ts_open_new("short.db");
	struct source_opts so = { .offline = true };
	struct tui_app *a;
	struct offscreen o;
	char dir[600], file[700];
	FILE *f;
	const char *t;

	(void)state;
	tb_put_version(s, 1, time_now_ns() - 600 * SEC);
	snprintf(dir, sizeof(dir), "%s", tu_tmp_path("src"));
	mkdir(dir, 0700);
	snprintf(file, sizeof(file), "%s/work", dir);
	mkdir(file, 0700);
	snprintf(file, sizeof(file), "%s/work/main.go", dir);
	assert_non_null(f = fopen(file, "w"));
	fputs("package main\n\nfunc main() {}\n", f); /* 3 lines; the profile has 6 and 8 */
	fclose(f);
	so.source_path = dir;
	a = tb_app_on(s, &so);
	tui_app_key(a, '\n');
	assert_int_equal(source_view_set(a, prof_find_str(a->prof, "main.work")), 0);
	a->view = VIEW_SOURCE;
	if (!a->src.have_code)
		fail_msg("no code: %s", a->src.err);
	assert_int_equal(a->src.sel, 6);
	o = screen_open(24, 100);
	t = screen_text(a, &o);
	assert_on_screen(t, "      6  ");
	assert_on_screen(t, "not this code?");
	tui_app_key(a, ']');
	assert_int_equal(a->src.sel, 8);
	tui_app_key(a, 'g');
	assert_int_equal(a->src.sel, 1);
	tui_app_key(a, 'G');
	assert_int_equal(a->src.sel, 8);
	screen_close(&o);
	tui_app_free(a);
	store_close(s);
}

/* ------------------------------------------------------------------------------------ */
/* 16: the help at 80x24                                                                 */

static void test_help_wraps(void **state)
{
	struct store *s = tb_many("help.db", 1, false);
	struct tui_app *a = tb_app_on(s, NULL);
	struct offscreen o = screen_open(24, 80);
	static char all[256 * 1024];
	size_t n = 0;
	int i;

	(void)state;
	tui_app_key(a, '\n');
	tui_app_key(a, '?');
	for (i = 0; i < 120; i++) {
		n += (size_t)snprintf(all + n, sizeof(all) - n, "%s", screen_text(a, &o));
		tui_app_key(a, 'j');
	}
	/* the ends of descriptions longer than the box's 46 cells */
	assert_on_screen(all, "160 columns)");
	assert_on_screen(all, "the threshold");
	assert_on_screen(all, "selected path");
	assert_on_screen(all, "over SSH)");
	screen_close(&o);
	tui_app_free(a);
	store_close(s);
}

/* ------------------------------------------------------------------------------------ */
/* dates                                                                                 */

/* Whether `line`, trimmed, starts with `l` and ends with `r`. */
static bool framed_by(const char *line, const char *l, const char *r)
{
	size_t n = strlen(line);

	while (*line == ' ')
		line++, n--;
	while (n && line[n - 1] == ' ')
		n--;
	return strncmp(line, l, strlen(l)) == 0 && n >= strlen(r) &&
	       strncmp(line + n - strlen(r), r, strlen(r)) == 0;
}

static void test_day_has_dates(void **state)
{
	struct store *s = tb_many("day.db", 1, false);
	struct tui_app *a = tb_app_on(s, NULL);
	struct offscreen o = screen_open(24, 100);
	char l[32], r[32], wf[32], wt[32], want[80];
	const char *t, *line;
	int i;

	(void)state;
	for (i = 0; i < 8 && strcmp(browser_preset_name(a->br.preset), "24h"); i++)
		tui_app_key(a, ']');
	assert_string_equal(browser_preset_name(a->br.preset), "24h");
	tui_app_key(a, '-');  /* a window (named in the middle) at the end, on the data */
	for (i = 0; i < 4; i++)
		tui_app_key(a, 'l');
	t = screen_text(a, &o);
	browser_fmt_clock(a->br.from_ns, a->br.from_ns, a->br.to_ns, false, l, sizeof(l));
	browser_fmt_clock(a->br.to_ns, a->br.from_ns, a->br.to_ns, false, r, sizeof(r));
	/* the window as shown: whole steps of the timeline */
	browser_fmt_clock(browser_window(&a->br).from_ns, a->br.from_ns, a->br.to_ns, false, wf,
			  sizeof(wf));
	browser_fmt_clock(browser_window(&a->br).to_ns, a->br.from_ns, a->br.to_ns, false, wt,
			  sizeof(wt));
	line = screen_line(t, a->br.tl_y + 1);
	if (!framed_by(line, l, r) || strcmp(l, r) == 0 || !strchr(l, '-')) {
		print_screen(t);
		fail_msg("the timeline's ends read '%s' and '%s'", l, r);
	}
	snprintf(want, sizeof(want), "[ %s - %s ]", wf, wt);
	assert_non_null(strchr(wf, '-'));
	assert_non_null(strstr(line, want));
	/* the profile opened over the day: its name has the dates of both ends */
	tui_app_key(a, '\n');
	assert_int_equal(a->view, VIEW_FLAME);
	if (!strstr(a->source_buf, " - ") || !strchr(strstr(a->source_buf, " - ") + 3, '-'))
		fail_msg("the opened profile is '%s'", a->source_buf);
	/* to the second: two windows in one minute must not read the same */
	{
		const char *c = a->source_buf;
		int colons = 0;

		while ((c = strchr(c, ':')))
			colons++, c++;
		if (colons < 4)
			fail_msg("the opened profile's ends lack seconds: '%s'", a->source_buf);
	}
	screen_close(&o);
	tui_app_free(a);
	store_close(s);
}

static void test_last_push_honest(void **state)
{
	struct store *s = tb_many("push.db", 1, false);  /* pushed 10 min ago */
	struct tui_app *a = tb_app_on(s, NULL);
	struct offscreen o = screen_open(24, 80);
	const char *t, *p;
	char *end;
	long n = 0, lo, hi;
	bool ok = false;
	int i;

	(void)state;
	t = screen_text(a, &o);
	assert_on_screen(t, " 10 min ago");  /* a step of 30 s: one age */
	for (i = 0; i < 8 && strcmp(browser_preset_name(a->br.preset), "7d"); i++)
		tui_app_key(a, ']');
	assert_string_equal(browser_preset_name(a->br.preset), "7d");
	t = screen_text(a, &o);
	/*
	 * A step of 84 min: "< N min ago" while the push's step reaches now, else the step's
	 * two ends, "A-B min ago" (which, depends on where now falls in the 84-min grid);
	 * either way the push's 10 minutes lie within what is said.
	 */
	if ((p = strstr(t, "< "))) {
		n = strtol(p + 2, &end, 10);
		ok = !strncmp(end, " min ago", 8) && n >= 10 && n <= 10 + 84 + 1;
	} else if ((p = strstr(t, " min ago"))) {
		while (p > t && (isdigit((unsigned char)p[-1]) || p[-1] == '-'))
			p--;
		lo = strtol(p, &end, 10);
		hi = *end == '-' ? strtol(end + 1, &end, 10) : -1;
		ok = !strncmp(end, " min ago", 8) && lo <= 10 && hi >= 10 && hi - lo <= 84 + 1;
	}
	if (!ok) {
		print_screen(t);
		fail_msg("the last push of 10 min ago, known to 84 min, reads otherwise");
	}
	assert_not_on_screen(t, " now");
	screen_close(&o);
	tui_app_free(a);
	store_close(s);
}

static void type_text(struct tui_app *a, const char *s)
{
	for (; *s; s++)
		tui_app_key(a, (unsigned char)*s);
}

/* / with the prompt emptied, then s typed */
static void selector_prompt(struct tui_app *a, const char *s)
{
	tui_app_key(a, '/');
	assert_int_equal(a->prompt_kind, 's');
	while (a->prompt_len)
		tui_app_key(a, KEY_BACKSPACE);
	type_text(a, s);
}

/*
 * Tab in a label value inserts it as the selector reads it back (escaped as a Go string
 * literal: a quote, a backslash, a newline), whatever the quotes typed, and compares
 * what was typed with its escapes undone; Enter then applies that very value.
 */
static void test_complete_escapes(void **state)
{
	static const struct {
		const char *typed, *want, *value;
	} cases[] = {
		{ "{service_name=\"quo", "{service_name=\"quo\\\"te\\\\back\"", "quo\"te\\back" },
		{ "{service_name=\"quo\\\"t", "{service_name=\"quo\\\"te\\\\back\"", "quo\"te\\back" },
		{ "{service_name='quo", "{service_name='quo\"te\\\\back'", "quo\"te\\back" },
		{ "{service_name=`quo", "{service_name=`quo\"te\\back`", "quo\"te\\back" },
		{ "{service_name=\"multi", "{service_name=\"multi\\nline\"", "multi\nline" },
		{ "{service_name=`multi", "{service_name=\"multi\\nline\"", "multi\nline" },
		{ "{service_name=\"tab", "{service_name=\"tab\\there\\x01\"", "tab\there\x01" },
	};
	struct store *s = ts_open_new("escapes.db");
	struct prof *p = tu_decode_str("main;work 5\n");
	struct tui_app *a;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++)
		ts_write_or_fail(s, cases[i == 0 ? 0 : i == 1 ? 4 : 6].value, p,
				 time_now_ns() - 600 * SEC, NULL, NULL);
	prof_free(p);
	a = tb_app_on(s, NULL);
	assert_int_equal(a->br.nrows, 3);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct selector *sel = NULL;
		char text[PROMPT_MAX + 2];

		selector_prompt(a, cases[i].typed);
		tui_app_key(a, '\t');
		snprintf(text, sizeof(text), "%.*s}", (int)a->prompt_len, a->prompt);
		if (strlen(text) != strlen(cases[i].want) + 1 ||
		    strncmp(text, cases[i].want, strlen(cases[i].want)))
			fail_msg("%s Tab: '%s', want '%s}' (%s)", cases[i].typed, text, cases[i].want,
				 a->message);
		if (selector_parse(text, &sel))
			fail_msg("'%s': %s", text, err_last());
		assert_string_equal(selector_find(sel, "service_name")->value, cases[i].value);
		selector_free(sel);
		if (a->prompt[strlen("{service_name=")] != '"') {
			tui_app_key(a, 27);
			continue;  /* Enter on '...' and `...`: test_enter_quotes */
		}
		tui_app_key(a, '\n');
		assert_int_equal(a->br.nrows, 1);
		assert_string_equal(a->br.rows[0].service, cases[i].value);
	}
	tui_app_free(a);
	store_close(s);
}

/*
 * Enter closes a half-typed selector's value with its own kind of quote: a '...' or
 * `...` holding a " is whole already (backticks have no escapes); Enter applies it.
 */
static void test_enter_quotes(void **state)
{
	static const struct {
		const char *text, *value;
	} cases[] = {
		{ "{service_name='quo\"te\\\\back'}", "quo\"te\\back" },
		{ "{service_name='quo\"te\\\\back'", "quo\"te\\back" },
		{ "{service_name='quo\"te\\\\back", "quo\"te\\back" },
		{ "{service_name=`quo\"te\\back`}", "quo\"te\\back" },
		{ "{service_name=`quo\"te\\back", "quo\"te\\back" },
		{ "{service_name=\"quo\\\"te\\\\back", "quo\"te\\back" },
		{ "service_name=\"plain", "plain" },
		{ "{service_name=~`p.*`,service_name!=\"quo", "plain" },
		/* a } typed last inside the open value is the brace: it was the value plain} */
		{ "{service_name=\"plain}", "plain" },
		{ "{service_name='plain}", "plain" },
		{ "{service_name=`plain}", "plain" },
	};
	struct store *s = ts_open_new("quotes.db");
	struct prof *p = tu_decode_str("main;work 5\n");
	struct tui_app *a;
	size_t i;

	(void)state;
	ts_write_or_fail(s, "quo\"te\\back", p, time_now_ns() - 600 * SEC, NULL, NULL);
	ts_write_or_fail(s, "plain", p, time_now_ns() - 600 * SEC, NULL, NULL);
	prof_free(p);
	a = tb_app_on(s, NULL);
	assert_int_equal(a->br.nrows, 2);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (browser_view_set_selector(a, cases[i].text))
			fail_msg("Enter on %s: %s", cases[i].text, err_last());
		if (a->br.nrows != 1 || strcmp(a->br.rows[0].service, cases[i].value))
			fail_msg("Enter on %s: %zu rows (selector %s)", cases[i].text, a->br.nrows,
				 a->br.selector);
		assert_int_equal(browser_view_set_selector(a, "{}"), 0);
	}
	tui_app_free(a);
	store_close(s);
}

/*
 * Tab's values are of what the prompt says, not of the selector applied before: with
 * {service_name="checkout"} applied, {service_name="pay Tab lists payments and payroll,
 * and {env="prod", service_name="pay Tab completes payments (payroll is env=dev).
 */
static void test_complete_typed_selector(void **state)
{
	struct store *s = ts_open_new("typed.db");
	struct prof *p = tu_decode_str("main;work 5\n");
	int64_t t = time_now_ns() - 600 * SEC;
	struct tui_app *a;

	(void)state;
	ts_write_or_fail(s, "checkout", p, t, "env", "prod");
	ts_write_or_fail(s, "payments", p, t, "env", "prod");
	ts_write_or_fail(s, "payroll", p, t, "env", "dev");
	prof_free(p);
	a = tb_app_on(s, NULL);
	assert_int_equal(browser_view_set_selector(a, "{service_name=\"checkout\"}"), 0);
	assert_int_equal(a->br.nrows, 1);
	tui_app_key(a, '/');  /* {service_name="checkout" */
	for (size_t i = 0; i < strlen("checkout\""); i++)
		tui_app_key(a, KEY_BACKSPACE);
	type_text(a, "pay");
	a->prompt[a->prompt_len] = '\0';
	assert_string_equal(a->prompt, "{service_name=\"pay");
	tui_app_key(a, '\t');
	if (!strstr(a->message, "payments") || !strstr(a->message, "payroll"))
		fail_msg("{service_name=\"pay Tab: '%s'", a->message);
	tui_app_key(a, 27);
	selector_prompt(a, "{env=\"prod\", service_name=\"pay");
	tui_app_key(a, '\t');
	a->prompt[a->prompt_len] = '\0';
	assert_string_equal(a->prompt, "{env=\"prod\", service_name=\"payments\"");
	tui_app_key(a, '\n');
	assert_int_equal(a->br.nrows, 1);
	assert_string_equal(a->br.rows[0].service, "payments");
	tui_app_free(a);
	store_close(s);
}

/*
 * A service name of 300 bytes (ingest takes label values of up to 2,048) opens, and M
 * asks again for the same service: it was cut to 255 bytes and then matched exactly.
 */
static void test_long_service_name(void **state)
{
	struct store *s = ts_open_new("longsvc.db");
	struct prof *p = tu_decode_str("main;work 5\n");
	char name[301];
	struct tui_app *a;

	(void)state;
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ts_write_or_fail(s, name, p, time_now_ns() - 600 * SEC, NULL, NULL);
	prof_free(p);
	a = tb_app_on(s, NULL);
	assert_int_equal(a->br.nrows, 1);
	assert_string_equal(a->br.rows[0].service, name);
	tui_app_key(a, '\n');
	if (a->view != VIEW_FLAME || tree_total(a->tree, 0, 0) != 5)
		fail_msg("Enter on a 300-byte service: view %d, message '%s'", (int)a->view,
			 a->message);
	/* and the source pane's versions are asked of the whole name (it was cut to 255) */
	assert_string_equal(a->sctx.q.service, name);
	tui_app_key(a, 'M');
	assert_int_equal(tree_total(a->tree, 0, 0), 5);
	assert_string_equal(a->br.oq.service, name);
	tui_app_free(a);
	store_close(s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_range),
		cmocka_unit_test(test_list_keys),
		cmocka_unit_test(test_breakdown_scrolls),
		cmocka_unit_test(test_breakdown_mouse),
		cmocka_unit_test(test_profile_keys_in_browser),
		cmocka_unit_test(test_pause_everywhere),
		cmocka_unit_test(test_source_selection),
		cmocka_unit_test(test_columns_in_cells),
		cmocka_unit_test(test_find_newest),
		cmocka_unit_test(test_find_before_1970),
		cmocka_unit_test(test_export_refuses_fifo),
		cmocka_unit_test(test_export_name),
		cmocka_unit_test(test_short_code),
		cmocka_unit_test(test_day_has_dates),
		cmocka_unit_test(test_last_push_honest),
		cmocka_unit_test(test_complete_escapes),
		cmocka_unit_test(test_enter_quotes),
		cmocka_unit_test(test_complete_typed_selector),
		cmocka_unit_test(test_long_service_name),
		cmocka_unit_test(test_help_wraps),
	};

	setlocale(LC_ALL, "C.UTF-8");
	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}
