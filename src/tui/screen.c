/*
 * screen.c — the only file that maps themes to curses colours, plus the small drawing
 * helpers every view uses (all text is clipped in display cells, never bytes).
 */
#include <curses.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <xxhash.h>

#include "base/base64.h"
#include "base/text.h"
#include "tui_int.h"

/* Nearest xterm-256 colour of an RGB value (6x6x6 cube or the grey ramp). */
static int rgb_to_256(int rgb)
{
	int r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
	static const int lv[6] = { 0, 95, 135, 175, 215, 255 };
	int ri, gi, bi, i, best = 0, grey, gidx, gv;
	long d, bestd = -1;

	for (i = 0, ri = 0; i < 6; i++)
		if (abs(lv[i] - r) < abs(lv[ri] - r))
			ri = i;
	for (i = 0, gi = 0; i < 6; i++)
		if (abs(lv[i] - g) < abs(lv[gi] - g))
			gi = i;
	for (i = 0, bi = 0; i < 6; i++)
		if (abs(lv[i] - b) < abs(lv[bi] - b))
			bi = i;
	d = (long)(lv[ri] - r) * (lv[ri] - r) + (long)(lv[gi] - g) * (lv[gi] - g) +
	    (long)(lv[bi] - b) * (lv[bi] - b);
	best = 16 + 36 * ri + 6 * gi + bi;
	bestd = d;
	grey = (r + g + b) / 3;
	gidx = grey < 8 ? 0 : grey > 238 ? 23 : (grey - 8) / 10;
	gv = 8 + 10 * gidx;
	d = (long)(gv - r) * (gv - r) + (long)(gv - g) * (gv - g) + (long)(gv - b) * (gv - b);
	if (d < bestd)
		best = 232 + gidx;
	return best;
}

/* Nearest of the 8 basic colours. */
static int rgb_to_8(int rgb)
{
	int r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;

	return (r > 110 ? COLOR_RED : 0) | (g > 110 ? COLOR_GREEN : 0) | (b > 110 ? COLOR_BLUE : 0);
}

static int map_colour(const struct screen *s, int32_t c)
{
	if (c == THEME_DEFAULT || c == THEME_NONE)
		return -1;
	if (c & 0x1000000) {
		if (s->depth >= 0x1000000)
			return c & 0xffffff;
		if (s->depth >= 256)
			return rgb_to_256(c & 0xffffff);
		return rgb_to_8(c & 0xffffff);
	}
	if (s->depth < 256 && c >= 8)
		return c % 8;
	return c;
}

static int style_attrs(unsigned a)
{
	int r = 0;

	if (a & THEME_BOLD)
		r |= A_BOLD;
	if (a & THEME_REVERSE)
		r |= A_REVERSE;
	if (a & THEME_DIM)
		r |= A_DIM;
	if (a & THEME_UNDERLINE)
		r |= A_UNDERLINE;
	return r;
}

static int make_pair(struct screen *s, int *next, int32_t fg, int32_t bg)
{
	int pair = (*next)++;

	if (pair >= COLOR_PAIRS || pair > 255)
		return 0;
	init_extended_pair(pair, map_colour(s, fg), map_colour(s, bg));
	return (int)COLOR_PAIR(pair);
}

/*
 * The diff scale.  With 256 or direct colours, the theme's 4 + 1 + 4 backgrounds; with
 * 8 colours, red / green (blue when colour-blind) / white, strong steps bold; without
 * colour, more is bold and less dim (the +/− glyphs and the legend carry the rest).
 */
static void setup_diff(struct screen *s, const struct theme *t, int *next)
{
	const int32_t *less = t->color_blind ? t->diff_less_cb : t->diff_less;
	int32_t fg = t->roles[ROLE_FLAME_TEXT].fg;
	int k;

	if (!s->colour) {
		for (k = 1; k <= DIFF_STEPS; k++) {
			s->diff_attr[DIFF_STEPS + k] = A_BOLD;
			s->diff_attr[DIFF_STEPS - k] = A_DIM;
		}
		s->diff_attr[DIFF_STEPS] = A_NORMAL;
		return;
	}
	if (s->depth < 256) {
		int more8 = make_pair(s, next, COLOR_BLACK, COLOR_RED);
		int less8 = make_pair(s, next, COLOR_BLACK, t->color_blind ? COLOR_BLUE : COLOR_GREEN);

		for (k = 1; k <= DIFF_STEPS; k++) {
			s->diff_attr[DIFF_STEPS + k] = more8 | (k > 2 ? A_BOLD : 0);
			s->diff_attr[DIFF_STEPS - k] = less8 | (k > 2 ? A_BOLD : 0);
		}
		s->diff_attr[DIFF_STEPS] = make_pair(s, next, COLOR_BLACK, COLOR_WHITE);
		return;
	}
	for (k = 1; k <= DIFF_STEPS; k++) {
		s->diff_attr[DIFF_STEPS + k] = make_pair(s, next, k > 2 ? THEME_RGB(0xff, 0xff, 0xff) : fg,
							 t->diff_more[k - 1]);
		s->diff_attr[DIFF_STEPS - k] = make_pair(s, next, k > 2 ? THEME_RGB(0xff, 0xff, 0xff) : fg,
							 less[k - 1]);
	}
	s->diff_attr[DIFF_STEPS] = make_pair(s, next, fg, t->diff_neutral);
}

void scr_setup(struct screen *s, const struct theme *t, bool no_color)
{
	int i, next = 1;

	s->colour = !no_color && !t->mono && has_colors();
	s->depth = 0;
	if (s->colour) {
		start_color();
		use_default_colors();
		s->depth = COLORS >= 0x1000000 ? 0x1000000 : COLORS >= 256 ? 256 : 8;
	}
	for (i = 0; i < ROLE_COUNT; i++) {
		const struct theme_style *st = &t->roles[i];

		s->role_attr[i] = style_attrs(st->attrs);
		if (s->colour && (st->fg >= 0 || st->bg >= 0))
			s->role_attr[i] |= make_pair(s, &next, st->fg, st->bg);
	}
	if (!s->colour) {
		/* attributes carry the meaning when there is no colour */
		s->role_attr[ROLE_HEADER] |= A_BOLD;
		s->role_attr[ROLE_TAB_ACTIVE] |= A_REVERSE | A_BOLD;
		s->role_attr[ROLE_STATUS] |= A_BOLD;
		s->role_attr[ROLE_SELECTED] = A_REVERSE | A_BOLD;
		s->role_attr[ROLE_MATCH] = A_BOLD | A_UNDERLINE;
		s->role_attr[ROLE_ERROR] |= A_BOLD;
		s->role_attr[ROLE_DIM] = A_DIM;
		s->role_attr[ROLE_PLUS] = A_DIM;
	}
	s->npal = 0;
	if (s->colour) {
		for (i = 0; i < t->npalette && i < THEME_PALETTE_MAX; i++)
			s->pal_attr[s->npal++] =
				make_pair(s, &next, t->roles[ROLE_FLAME_TEXT].fg, t->palette[i]) |
				style_attrs(t->roles[ROLE_FLAME_TEXT].attrs);
	}
	if (s->npal == 0) {
		s->pal_attr[0] = A_NORMAL;
		s->npal = 1;
	}
	setup_diff(s, t, &next);
}

int scr_frame_attr(const struct tui_app *a, const struct prof *p, uint32_t name_id)
{
	const char *name = prof_str(p, name_id), *pkg;
	size_t n;

	if (a->scr.npal <= 1)
		return a->scr.pal_attr[0];
	n = text_package(name, &pkg);
	return a->scr.pal_attr[XXH32(pkg, n, 0) % (uint32_t)a->scr.npal];
}

int scr_put(int y, int x, int w, const char *s, size_t n, int attr)
{
	struct buf b = BUF_INIT;
	int used;

	if (w <= 0)
		return 0;
	if (text_width(s, n) <= w) {
		attrset(attr);
		mvaddnstr(y, x, s, (int)n);
		used = text_width(s, n);
	} else {
		used = text_tail_truncate(&b, s, n, w, false);
		attrset(attr);
		if (b.data)
			mvaddnstr(y, x, b.data, (int)b.len);
		buf_release(&b);
	}
	attrset(A_NORMAL);
	return used;
}

int scr_put_safe(const struct tui_app *a, int y, int x, int w, const char *s, size_t n, int attr)
{
	struct buf b = BUF_INIT;
	int used = 0;

	if (w <= 0)
		return 0;
	if (text_safe(&b, s, n, !a->scr.utf8) == 0 && b.data)
		used = scr_put(y, x, w, b.data, b.len, attr);
	buf_release(&b);
	return used;
}

void scr_fill(int y, int x, int w, int attr)
{
	if (w <= 0)
		return;
	attrset(attr);
	mvhline(y, x, ' ', w);
	attrset(A_NORMAL);
}

/*
 * The cells draw_status() (app.c) leaves the view's text on a line of w cells: the line
 * less its margins and the modes on the right (app_status_modes), which take at most
 * half of it.
 */
int scr_status_room(const struct tui_app *a, int w)
{
	struct buf m = BUF_INIT;
	int mw;

	app_status_modes(a, &m);
	mw = m.data ? text_width(m.data, m.len) : 0;
	if (mw > w / 2)
		mw = w / 2;
	buf_release(&m);
	return w - mw - 3;
}

void scr_status_line(const struct tui_app *a, struct buf *out, const char *name, size_t n,
		     const struct buf *numbers)
{
	int room = scr_status_room(a, COLS), nw = numbers->data ? text_width(numbers->data, numbers->len) : 0;

	if (out->data)
		room -= text_width(out->data, out->len); /* a prefix already there ("caller: ") */
	room -= nw;
	/* the name gives way (qualifiers first, then its middle); a few cells stay its own */
	text_fit_name(out, name, n, room > 12 ? room : 12, !a->scr.utf8);
	if (numbers->data)
		buf_add(out, numbers->data, numbers->len);
}

/*
 * OSC 52: the terminal (or tmux, or the SSH client's terminal) sets its clipboard.  What
 * goes there is the name as the status line shows it (text_safe()), never its raw bytes:
 * pasted into a shell, a profile's ESC, CR/LF or ESC[201~ (the end of a bracketed paste)
 * would run commands.  The text travels base64-encoded, so none of it reaches the
 * terminal itself.
 */
void scr_clipboard(const char *s, size_t n)
{
	struct buf safe = BUF_INIT, out = BUF_INIT;

	if (text_safe(&safe, s, n, !text_locale_utf8()) || !safe.data)
		goto done;
	if (buf_puts(&out, "\033]52;c;") == 0 &&
	    base64_encode(&out, (const uint8_t *)safe.data, safe.len) == 0 &&
	    buf_puts(&out, "\a") == 0) {
		fwrite(out.data, 1, out.len, stdout);
		fflush(stdout);
	}
done:
	buf_release(&safe);
	buf_release(&out);
}

void scr_message(struct tui_app *a, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->message, sizeof(a->message), fmt, ap);
	va_end(ap);
	a->message_error = error;
	a->message_seq++;
}
