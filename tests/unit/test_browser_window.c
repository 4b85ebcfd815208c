/*
 * test_browser_window.c — the store browser's window on its range (src/tui/browser_window.c),
 * on a struct browser_state alone (no store, no screen):
 *
 *  - a live range carries the window with it: each refresh shifts it, and the whole
 *    steps shown are those it then covers;
 *  - a new range drops the old range's timeline, and a window placed before the new one
 *    arrives is already in the new steps;
 *  - a range whose length int64 cannot hold is refused (1700-2200); one near 1678 or
 *    2262, or of 292 years, is worked on with every window key;
 *  - the header's length of a range is in t's units (now-4y: "4 y", a year of 365 days).
 *
 * The window with a store behind it (the timeline's sum and average, what Enter opens):
 * test_browser_open.c.  Each test owns the browser_state on its stack (browser_set_preset frees
 * the timeline it drops).
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/timeparse.h"
#include "testutil.h"
#include "testutil_store.h"
#include "tui/tui_int.h"

/*
 * A live range carries the window with it: the refresh every 5 s shifts it by 5 s, and
 * the whole steps shown (and opened) are those it then covers.  Placed again in whole
 * steps at each refresh, a window on a 1 h range (47 s steps) never moved.
 */
static void test_window_follows_live_range(void **state)
{
	struct browser_state b;
	struct time_range w0, w;
	int64_t st = 47 * SEC, from0;
	int i;

	(void)state;
	memset(&b, 0, sizeof(b));
	b.live_range = true;
	b.to_ns = time_now_ns();
	b.from_ns = b.to_ns - 3600 * SEC;
	b.tl_step = st;
	b.tl_from = b.from_ns - b.from_ns % st;
	b.win_from = b.tl_from + 40 * st;
	b.win_to = b.win_from + 3 * st;
	from0 = b.win_from;
	w0 = browser_window(&b);
	tu_assert_i64(w0.to_ns - w0.from_ns, 3 * st);
	for (i = 1; i <= 10; i++) {
		b.to_ns -= 5 * SEC;  /* as if 5 s had passed since the last refresh */
		browser_range_follow(&b);
	}
	/* 50 s on: the window moved as much, and what is shown starts a step later */
	assert_true(b.win_from >= from0 + 50 * SEC);
	w = browser_window(&b);
	tu_assert_i64(w.from_ns, w0.from_ns + st);
	assert_true(w.from_ns <= b.win_from && w.to_ns >= b.win_to);
}

/*
 * A new range drops the old range's timeline: until the new one arrives, the window keys
 * moved by the old range's steps (a minute's on 1 h after ] to 7 d) and the window then
 * snapped to other steps when it came; the old bars were drawn over the new range.
 */
static void test_new_range_new_steps(void **state)
{
	struct browser_state b;
	struct time_range w;
	int64_t st;

	(void)state;
	memset(&b, 0, sizeof(b));
	browser_set_preset(&b, 2);  /* 1 h, then its timeline of 60 s steps */
	b.tl_step = 60 * SEC;
	b.tl_from = b.from_ns - b.from_ns % b.tl_step;
	b.ntl = 60;
	b.tl = calloc(b.ntl, sizeof(*b.tl));
	assert_non_null(b.tl);
	browser_set_preset(&b, 5);  /* ] to 7 d */
	assert_null(b.tl);
	assert_int_equal(b.ntl, 0);
	st = (int64_t)(browser_timeline_step_s(&b) * 1e9);
	tu_assert_i64(b.tl_step, st);
	assert_true(st > 3600 * SEC);
	/* a window placed now is in the steps the timeline will have */
	b.win_from = b.from_ns + 3 * 24 * 3600 * SEC + 17 * SEC;
	b.win_to = b.win_from + 24 * 3600 * SEC;
	w = browser_window(&b);
	tu_assert_i64(w.from_ns % st, 0);
	tu_assert_i64(w.to_ns % st, 0);
	assert_true(w.from_ns <= b.win_from && w.to_ns >= b.win_to);
}

/* t FROM TO on an app of nothing but the browser's state: 0 or the error's code. */
static int set_range(struct tui_app *a, const char *from, const char *to)
{
	return browser_view_set_first(a, from, to, AGG_AUTO);
}

/* The window on screen, what Enter opens: inside the range, not empty. */
static void assert_window_in_range(const struct tui_app *a, const char *from, const char *to,
				   char key)
{
	struct time_range w = browser_window(&a->br);

	if (!(a->br.from_ns <= w.from_ns && w.from_ns < w.to_ns && w.to_ns <= a->br.to_ns))
		fail_msg("t %s %s, key %c: window [%lld, %lld) of [%lld, %lld)", from, to, key,
			 (long long)w.from_ns, (long long)w.to_ns, (long long)a->br.from_ns,
			 (long long)a->br.to_ns);
}

/*
 * A range is refused only when its own length does not fit int64 (1700-2200: UBSan's
 * signed overflow, a plain build's "timeline: 15778454400 steps").  One that fits is
 * taken up to the edges of 1678 and 2262, and a long one that ends now (--from 1900,
 * now-120y, now-292y), which 8b79472 refused because P's period before and +'s doubled
 * window could reach past int64: those are held at its edges now.  Every key that moves
 * or sizes the window keeps it inside the range (UBSan: no overflow), at the default
 * width's steps and at 200 columns', and + grows it to the whole range.
 */
static void test_range_fits(void **state)
{
	static const char *const keys = "+++=h-l-hhll0+--------hhhhhhhhhhllllllllll------"
					"llllllllll+";
	static const char *const ok[][2] = {
		{ "0", "now" },
		{ "1678-01-01T00:00:00Z", "1678-01-01T01:00:00Z" },
		{ "2262-04-10T00:00:00Z", "2262-04-10T12:00:00Z" },
		{ "1900-01-01T00:00:00Z", "2000-01-01T00:00:00Z" },
		{ "1900-01-01T00:00:00Z", "now" },
		{ "now-120y", "now" },
		{ "now-292y", "now" },
		{ "1678-01-01T00:00:00Z", "1970-01-01T00:00:00Z" },
		{ "1678-01-01T00:00:00Z", "1900-01-01T00:00:00Z" },
		{ "1678-01-01T00:00:00Z", "1678-01-02T00:00:00Z" },
		{ "1970-01-02T00:00:00Z", "2262-04-11T00:00:00Z" },
		{ "1824-01-01T00:00:00Z", "2115-12-01T00:00:00Z" },
		{ NULL, "1677-09-21T00:30:00Z" },
	};
	struct tui_app *a = calloc(1, sizeof(*a));
	struct time_range w;
	size_t i, k;
	int width;

	(void)state;
	assert_non_null(a);
	assert_int_equal(set_range(a, "2026-11-21T05:00:00Z", "2026-11-21T06:00:00Z"), 0);
	assert_int_not_equal(set_range(a, "1700-01-01T00:00:00Z", "2200-01-01T00:00:00Z"), 0);
	assert_non_null(strstr(err_last(), "too long"));
	assert_int_not_equal(set_range(a, "now-293y", "now"), 0);
	/* refused: the range stays */
	tu_assert_i64(a->br.to_ns - a->br.from_ns, 3600 * SEC);
	for (width = 0; width <= 200; width += 200) {
		a->br.tl_w = width;  /* the timeline's columns: its steps (0: 60 of them) */
		for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
			if (set_range(a, ok[i][0], ok[i][1]))
				fail_msg("t %s %s: %s", ok[i][0] ? ok[i][0] : "-", ok[i][1],
					 err_last());
			/* the step holding the range's start: before it, in int64 */
			assert_true(browser_step_start(&a->br, a->br.from_ns) <= a->br.from_ns);
			for (k = 0; keys[k]; k++) {
				browser_window_key(a, keys[k]);
				assert_window_in_range(a, ok[i][0] ? ok[i][0] : "-", ok[i][1],
						       keys[k]);
			}
			for (k = 0; k < 16; k++)
				browser_window_key(a, '+');
			w = browser_window(&a->br);
			tu_assert_i64(w.from_ns, a->br.from_ns);
			tu_assert_i64(w.to_ns, a->br.to_ns);
		}
	}
	browser_set_preset(&a->br, 2);  /* frees the timeline state it replaces */
	free(a);
}

/*
 * The header names a range in the units t reads: `now-4y` said "last 3 y" (a year of
 * 365.25 days there, of 365 in timeparse).
 */
static void test_span_in_ts_units(void **state)
{
	static const char *const said[][2] = { { "now-30s", "30 s" }, { "now-90m", "90 min" },
					       { "now-36h", "36 h" }, { "now-400d", "400 d" },
					       { "now-1y", "365 d" } };
	int64_t now = time_now_ns(), t;
	char in[32], want[32], got[32];
	size_t i;
	int y;

	(void)state;
	for (i = 0; i < sizeof(said) / sizeof(said[0]); i++) {
		assert_int_equal(timeparse(said[i][0], now, &t), 0);
		browser_fmt_span(now - t, got, sizeof(got));
		assert_string_equal(got, said[i][1]);
	}
	for (y = 2; y <= 200; y++) {
		snprintf(in, sizeof(in), "now-%dy", y);
		assert_int_equal(timeparse(in, now, &t), 0);
		browser_fmt_span(now - t, got, sizeof(got));
		snprintf(want, sizeof(want), "%d y", y);
		if (strcmp(got, want))
			fail_msg("t %s: the header says \"last %s\", not \"last %s\"", in, got, want);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_follows_live_range),
		cmocka_unit_test(test_new_range_new_steps),
		cmocka_unit_test(test_range_fits),
		cmocka_unit_test(test_span_in_ts_units),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
