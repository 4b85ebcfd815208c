/*
 * test_browser.c — the store browser (src/tui/browser_view.c, browser_draw.c) and what
 * the explorer does with a profile opened from it, driven without a key loop on real
 * SQLite stores made here, drawn on an off-screen curses terminal whose cells are read
 * back (what a person would see):
 *
 *  - a range from 1970 to now: the timeline is drawn (no overflow), the header names
 *    the length in a readable unit;
 */
#include <curses.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "base/err.h"
#include "base/timeparse.h"
#include "profile/labels.h"
#include "store/store.h"
#include "testutil.h"
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
/* an off-screen terminal                                                                */

struct offscreen {
	SCREEN *scr;
	FILE *out, *in;
	int h, w;
};

static struct offscreen screen_open(int h, int w)
{
	struct offscreen o = { NULL, fopen("/dev/null", "w"), fopen("/dev/null", "r"), h, w };

	assert_non_null(o.out);
	assert_non_null(o.in);
	o.scr = newterm("xterm-256color", o.out, o.in);
	if (!o.scr)
		fail_msg("no terminfo for xterm-256color");
	set_term(o.scr);
	resizeterm(h, w);
	return o;
}

static void screen_close(struct offscreen *o)
{
	endwin();
	delscreen(o->scr);
	fclose(o->out);
	fclose(o->in);
}

/* Draws the app and returns the screen as UTF-8 lines (a static buffer). */
static const char *screen_text(struct tui_app *a, struct offscreen *o)
{
	static char text[64 * 1024];
	size_t n = 0;
	int y;

	tui_app_draw(a);
	text[0] = '\0';
	for (y = 0; y < o->h; y++) {
		wchar_t wl[512];
		char ml[2048];
		size_t k;

		memset(wl, 0, sizeof(wl));
		if (mvwinnwstr(stdscr, y, 0, wl, o->w) == ERR)
			wl[0] = 0;
		k = wcstombs(ml, wl, sizeof(ml) - 1);
		if (k == (size_t)-1)
			k = 0;
		ml[k] = '\0';
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\n", ml);
	}
	return text;
}

/* Line y of a screen_text() result (a static buffer). */
static const char *screen_line(const char *text, int y)
{
	static char line[2048];
	const char *p = text;

	while (y-- > 0 && p)
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
	if (!p)
		return "";
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\n"), p);
	return line;
}

static void print_screen(const char *text)
{
	fprintf(stderr, "---- screen ----\n%s----------------\n", text);
}

#define assert_on_screen(text, s)                                                            \
	do {                                                                                  \
		if (!strstr((text), (s))) {                                                   \
			print_screen(text);                                                   \
			fail_msg("'%s' is not on the screen", (s));                           \
		}                                                                             \
	} while (0)

#define assert_not_on_screen(text, s)                                                        \
	do {                                                                                  \
		if (strstr((text), (s))) {                                                    \
			print_screen(text);                                                   \
			fail_msg("'%s' is on the screen", (s));                               \
		}                                                                             \
	} while (0)

/* ------------------------------------------------------------------------------------ */
/* stores and the app                                                                    */

static struct prof *fixture(const char *rel)
{
	return tu_decode(rel);
}

/* The explorer on store s, in the browser (jobs run at once: no key loop). */
static struct tui_app *app_on(struct store *s, const struct source_opts *so)
{
	struct tui_opts o;
	struct tui_app *a;

	memset(&o, 0, sizeof(o));
	o.sample_type = -1;
	o.no_color = true;
	o.source = "store";
	o.backend = ts_backend_of(s);
	o.backend_name = "store test";
	o.start_in_browser = true;
	o.source_opts = so;
	if (tui_app_new(NULL, &o, &a))
		fail_msg("tui_app_new: %s", err_last());
	assert_int_equal(a->view, VIEW_BROWSER);
	return a;
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
	a = app_on(s, NULL);
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
	 * there (near the end of the range) */
	for (int i = 0; i < 10; i++)
		tui_app_key(a, '-');
	browser_view_mouse(a, a->br.tl_y, a->br.tl_x + a->br.tl_w - 1, false);
	assert_true(a->br.win_to > a->br.win_from);
	assert_true(a->br.win_to <= a->br.to_ns);
	assert_true(a->br.win_from > a->br.to_ns - (a->br.to_ns - a->br.from_ns) / 50);
	screen_close(&o);
	tui_app_free(a);
	store_close(s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_range),
	};

	setlocale(LC_ALL, "C.UTF-8");
	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}
