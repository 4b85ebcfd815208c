/*
 * offscreen.h — the explorer drawn on an off-screen curses terminal whose cells are read
 * back as text (what a person would see), for the unit tests that drive the app without
 * a key loop (test_browser.c, test_explorer.c).  Static helpers: include it once per test
 * program, after testutil.h (cmocka).  screen_text() and screen_line() return static
 * buffers, valid until the next call.
 */
#ifndef SMOLDER_TEST_OFFSCREEN_H
#define SMOLDER_TEST_OFFSCREEN_H

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "testutil.h"
#include "tui/tui.h"

struct offscreen {
	SCREEN *scr;
	FILE *out, *in;
	int h, w;
};

static inline struct offscreen screen_open(int h, int w)
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

static inline void screen_close(struct offscreen *o)
{
	endwin();
	delscreen(o->scr);
	fclose(o->out);
	fclose(o->in);
}

/* Draws the app and returns the screen as UTF-8 lines (a static buffer). */
static inline const char *screen_text(struct tui_app *a, struct offscreen *o)
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
static inline const char *screen_line(const char *text, int y)
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

static inline void print_screen(const char *text)
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

#endif
