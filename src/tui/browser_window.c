/*
 * browser_window.c — the store browser's time: the range (the presets [ and ], t's FROM
 * TO, --from and --to, a live range that follows the clock), the timeline's steps, and
 * the window narrowed on them (h l - = + 0, a click on the timeline).  The window is kept
 * in whole steps of the timeline, and browser_window() gives it as those steps: what Enter,
 * P and b ask for, what the status line adds up and what the timeline highlights, so that
 * the three agree.
 *
 * It owns no memory: it writes the range and window fields of struct browser_state (whose
 * timeline browser_view.c lands and browser_draw.c draws; a range it changes drops that
 * timeline, b->tl) and never calls the backend; a range it changes is read again through
 * browser_reload() (browser_view.c).
 */
#include <curses.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/timeparse.h"
#include "tui_int.h"

#define NS 1000000000LL

static const struct {
	const char *name;
	int64_t len_ns;
} presets[] = {
	{ "5m", 5 * 60 * NS }, { "15m", 15 * 60 * NS }, { "1h", 3600 * NS },
	{ "6h", 6 * 3600 * NS }, { "24h", 24 * 3600 * NS }, { "7d", 7 * 24 * 3600 * NS },
};
#define NPRESETS ((int)(sizeof(presets) / sizeof(presets[0])))

const char *browser_preset_name(int p)
{
	return p >= 0 && p < NPRESETS ? presets[p].name : "range";
}

/* ------------------------------------------------------------------------------------ */
/* the range                                                                             */

/* The range ends now (live) with the preset's length. */
void browser_set_preset(struct browser_state *b, int p)
{
	b->preset = p;
	b->live_range = true;
	b->to_ns = time_now_ns();
	b->from_ns = b->to_ns - presets[p].len_ns;
	b->win_from = b->win_to = 0;
	browser_range_changed(b);
}

/*
 * The browser reaches past its range: P's period before, the window + doubles, the step
 * that holds either end, windows placed around a point before they are clamped.  Near
 * 1678 or 2262 (int64 nanoseconds) those are held at the edge of int64 rather than the
 * range refused: no profile lies outside it, so a period before cut at 1677-09-21 holds
 * what the whole one would.  A range is refused only when its own length does not fit.
 */
static int64_t sat_add(int64_t a, int64_t d)
{
	int64_t r;

	if (__builtin_add_overflow(a, d, &r))
		return d < 0 ? INT64_MIN : INT64_MAX;
	return r;
}

/* t: "FROM TO" (now-3h now-1h, 1h, RFC 3339, Unix s/ms/us/ns); TO may be left out (now).
 * A range that ends now follows the clock like a preset. */
/*
 * The range from FROM to TO (t's and --from/--to's words; from NULL: an hour before the
 * end, as --from's default); the caller reloads.
 */
static int range_set(struct browser_state *b, const char *from, const char *to)
{
	int64_t now = time_now_ns(), f, t;
	int rc;

	if ((rc = timeparse(to, now, &t)) || (from && (rc = timeparse(from, now, &f))))
		return rc;
	if (!from)  /* near 1678: the hour is cut at 1677-09-21 */
		f = t >= INT64_MIN + 3600 * NS ? t - 3600 * NS : INT64_MIN;
	if (f >= t)
		return err_set(ERR_PARSE, "the range is empty: FROM must come before TO");
	if (f < 0 && t > INT64_MAX + f)  /* t - f would overflow */
		return err_set(ERR_PARSE, "the range is too long: at most 292 years");
	b->from_ns = f;
	b->to_ns = t;
	b->win_from = b->win_to = 0;
	b->live_range = strcmp(to, "now") == 0;
	b->preset = -1;
	b->find_data = false;
	browser_range_changed(b);
	return 0;
}

int browser_view_set_range(struct tui_app *a, const char *text)
{
	char from[128] = "", to[128] = "";
	int rc;

	if (sscanf(text, "%127s %127s", from, to) < 1)
		return err_set(ERR_PARSE, "want FROM [TO]: now-3h now-1h, 1h (ago), RFC 3339 or "
			       "Unix s/ms/us/ns");
	if ((rc = range_set(&a->br, from, *to ? to : "now")))
		return rc;
	browser_reload(a);
	return 0;
}

int browser_view_set_first(struct tui_app *a, const char *from, const char *to,
			   enum aggregate agg)
{
	a->br.agg = agg;
	if (!from && !to)
		return 0;
	return range_set(&a->br, from, to ? to : "now");
}

/* ------------------------------------------------------------------------------------ */
/* the timeline's steps and the window                                                   */

double browser_timeline_step_s(const struct browser_state *b)
{
	/* whole seconds, so `smolder query timeline --step` can name the same steps */
	double step_s = ceil((double)(b->to_ns - b->from_ns) / (b->tl_w > 8 ? b->tl_w : 60) / NS);

	if (step_s < 1)
		step_s = 1;
	return step_s;
}

/*
 * The start of the step holding t.  The differences are taken in uint64: a range of 292
 * years is more than INT64_MAX from the start of its first step to its end.  A step that
 * begins before int64 (near 1678, where the first whole step is the timeline's first,
 * browser_range_changed) starts at INT64_MIN.
 */
int64_t browser_step_start(const struct browser_state *b, int64_t t)
{
	uint64_t st = (uint64_t)b->tl_step, d, back;

	if (b->tl_step <= 0)
		return t;
	if (t >= b->tl_from) {
		d = (uint64_t)t - (uint64_t)b->tl_from;
		return (int64_t)((uint64_t)b->tl_from + d / st * st);  /* in [tl_from, t] */
	}
	d = (uint64_t)b->tl_from - (uint64_t)t;
	back = (d / st + (d % st != 0)) * st;
	if (back > (uint64_t)b->tl_from - (uint64_t)INT64_MIN)
		return INT64_MIN;
	return (int64_t)((uint64_t)b->tl_from - back);
}

struct time_range browser_window(const struct browser_state *b)
{
	struct time_range r = { b->from_ns, b->to_ns };

	if (b->win_to <= b->win_from)
		return r;
	r.from_ns = browser_step_start(b, b->win_from);
	r.to_ns = browser_step_start(b, b->win_to);
	if (r.to_ns < b->win_to)
		r.to_ns = sat_add(r.to_ns, b->tl_step);  /* the step's end: near 2262, held */
	if (r.from_ns < b->from_ns)
		r.from_ns = b->from_ns;
	if (r.to_ns > b->to_ns)
		r.to_ns = b->to_ns;
	return r;
}

int64_t browser_time_at(int64_t from, int64_t span, int i, int n)
{
	/* span * i overflows for ranges of a few decades: split it */
	if (n <= 0)
		return from;
	return from + (span / n) * i + (span % n) * i / n;
}

/* Without a window, the whole range is the window (which keys then move and size). */
static void ensure_window(struct browser_state *b)
{
	if (b->win_to <= b->win_from) {
		b->win_to = b->to_ns;
		b->win_from = b->from_ns;
	}
}

/* The window of len (the range's at most) moved inside the range, its length kept. */
static void clamp_len(struct browser_state *b, int64_t len)
{
	if (len > b->to_ns - b->from_ns)
		len = b->to_ns - b->from_ns;
	if (b->win_from < b->from_ns)
		b->win_from = b->from_ns;
	if (b->win_from > b->to_ns - len)  /* not win_from + len: past int64 near 2262 */
		b->win_from = b->to_ns - len;
	b->win_to = b->win_from + len;
}

static void clamp_window(struct browser_state *b)
{
	if (b->win_to > b->win_from)
		clamp_len(b, b->win_to - b->win_from);
}

/*
 * The window of about len around mid, in whole steps of the timeline (at least one; any
 * length before a timeline is read), within the range: keys move and size it by steps, so
 * that the bars it shows are those its numbers add up and Enter opens (browser_window()).
 * Placed before it is clamped, it may begin before int64 or end past it: held there.
 */
static void place_window(struct browser_state *b, int64_t mid, int64_t len)
{
	int64_t st = b->tl_step, range = b->to_ns - b->from_ns;

	if (len > range)
		len = range;
	if (st > 0) {
		int64_t n = len / st + (len % st >= st / 2 ? 1 : 0);

		if (n < 1)
			n = 1;
		len = n > range / st ? range : n * st;
		b->win_from = sat_add(browser_step_start(b, mid), -(n / 2 * st));
	} else {
		b->win_from = sat_add(mid, -(len / 2));
	}
	clamp_len(b, len);
}

void browser_range_changed(struct browser_state *b)
{
	int64_t st;

	/*
	 * Kept, the old range's bars would be drawn over the new one, and the window keys
	 * pressed before the new timeline arrives would move by the old steps (a minute's
	 * steps of 1 h on 7 d of 2.8 h steps): browser_window() snapped the result to other
	 * steps.  The steps the new timeline is asked for start at multiples of the step
	 * from the epoch, as `smolder serve` and Pyroscope align them.
	 */
	free(b->tl);
	b->tl = NULL;
	b->ntl = 0;
	b->range_gen++;  /* a timeline still being read for the old range is dropped */
	st = (int64_t)(browser_timeline_step_s(b) * NS);
	b->tl_step = st;
	/* near 1678 the step holding from began before int64: the first whole one int64
	 * holds is the timeline's first (browser_view.c asks from it) */
	if (b->from_ns < INT64_MIN / st * st)
		b->tl_from = INT64_MIN / st * st;
	else
		b->tl_from = b->from_ns - (b->from_ns % st + st) % st;
}

void browser_range_follow(struct browser_state *b)
{
	if (b->live_range) {
		int64_t len = b->to_ns - b->from_ns, shift = time_now_ns() - b->to_ns;

		b->to_ns += shift;
		b->from_ns = b->to_ns - len;
		/*
		 * moved with the range by exactly as much, not placed again: snapped to
		 * whole steps each time, a shift shorter than a step (5 s on a 1 h range
		 * of 47 s steps) would never move it; browser_window() snaps what is
		 * drawn and opened
		 */
		if (b->win_to > b->win_from) {
			b->win_from += shift;
			b->win_to += shift;
			clamp_window(b);
		}
	}
}

/* ------------------------------------------------------------------------------------ */
/* keys and the mouse                                                                    */

bool browser_window_key(struct tui_app *a, int key)
{
	struct browser_state *b = &a->br;

	switch (key) {
	case '[':
	case ']': {
		int p;

		if (b->preset < 0)
			b->preset = 2;
		p = key == '[' ? (b->preset > 0 ? b->preset - 1 : 0) :
				 (b->preset + 1 < NPRESETS ? b->preset + 1 : NPRESETS - 1);
		browser_set_preset(b, p);
		scr_message(a, false, "range: last %s", presets[b->preset].name);
		browser_reload(a);
		return true;
	}
	case 'h':
	case KEY_LEFT:
	case 'l':
	case KEY_RIGHT: {
		int64_t step;

		ensure_window(b);
		/* a quarter of it, in whole steps (one at least) */
		step = (b->win_to - b->win_from) / 4;
		if (b->tl_step > 0)
			step = (step / b->tl_step > 0 ? step / b->tl_step : 1) * b->tl_step;
		place_window(b, sat_add(b->win_from + (b->win_to - b->win_from) / 2,
					key == 'h' || key == KEY_LEFT ? -step : step),
			     b->win_to - b->win_from);
		return true;
	}
	case '-':
	case '=':
	case '+': {
		int64_t len, mid;

		ensure_window(b);
		len = b->win_to - b->win_from;
		mid = b->win_from + len / 2;
		/* doubled: the range at most (place_window) */
		len = key == '-' ? len / 2 : len > INT64_MAX / 2 ? INT64_MAX : len * 2;
		if (len < NS)
			len = NS;
		place_window(b, mid, len);
		return true;
	}
	case '0':
		b->win_from = b->win_to = 0;
		return true;
	case 't':
		a->message[0] = '\0';
		a->prompt_kind = 't';
		a->prompt_len = 0;
		scr_message(a, false, "range: FROM [TO] — now-3h now-1h, 1h (ago), RFC 3339, "
			    "Unix s/ms/us/ns");
		return true;
	}
	return false;
}

bool browser_window_mouse(struct browser_state *b, int y, int x)
{
	int64_t t, len;

	if (!(y == b->tl_y && b->tl_w > 0 && x >= b->tl_x && x < b->tl_x + b->tl_w))
		return false;
	/* a click on the timeline centres the window there */
	t = browser_time_at(b->from_ns, b->to_ns - b->from_ns, x - b->tl_x, b->tl_w);
	ensure_window(b);
	len = b->win_to - b->win_from;
	place_window(b, t, len);
	return true;
}
