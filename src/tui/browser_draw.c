/*
 * browser_draw.c — drawing the store browser (view T): the list of services and profile
 * types (or the tag breakdown), the selector, the timeline with its window, the header
 * and the status line.  It only reads the browser's state (struct browser_state, filled
 * by browser_view.c and browser_window.c on the UI thread) and never calls the backend.
 */
#include <curses.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/text.h"
#include "base/timeparse.h"
#include "base/units.h"
#include "tui_int.h"

#define NS 1000000000LL
#define AGO_W 15  /* the widest last push: "119-120 min ago" (from 2 h on, in hours) */

const struct browse_row *browser_row(const struct browser_state *b)
{
	return b->nrows ? &b->rows[b->row] : NULL;
}

#define cur_row browser_row

/* How long ago, in one unit: seconds under 2 min, minutes under 2 h, hours under 2 d. */
static int64_t ago_unit(int64_t s, const char **name)
{
	if (s < 120)
		return *name = "s", 1;
	if (s < 7200)
		return *name = "min", 60;
	if (s < 2 * 86400)
		return *name = "h", 3600;
	return *name = "d", 86400;
}

/*
 * The last push of row r, known to the step it is in: [start, start + step).  The range of
 * ages it may have, said no finer than that ("< 84 min ago" while the step reaches now;
 * "1-3 h ago"), or one age when the step is under a tenth of it.  Its distance from now
 * is taken in uint64: a push of 1700 is further back than int64 nanoseconds reach.
 */
static void fmt_ago(const struct browse_row *r, char *out, size_t n)
{
	int64_t now = time_now_ns(), start = r->last_ns, hi, lo, u;
	uint64_t step = (uint64_t)r->last_step_ns, since;
	const char *name;

	if (!r->has_last) {
		snprintf(out, n, "-");
		return;
	}
	since = now > start ? (uint64_t)now - (uint64_t)start : 0;
	hi = (int64_t)(since / NS + (since % NS != 0));
	if (hi < 1)
		hi = 1;  /* a clock behind the server's: not in the future */
	u = ago_unit(hi, &name);
	if (step >= since) {  /* the step reaches now */
		snprintf(out, n, "< %lld %s ago", (long long)((hi + u - 1) / u), name);
		return;
	}
	if (step * 10 <= since) {  /* the start: never later than the push */
		snprintf(out, n, "%lld %s ago", (long long)(hi / u), name);
		return;
	}
	lo = (int64_t)((since - step) / NS) / u;
	hi = (hi + u - 1) / u;
	if (lo >= hi)
		snprintf(out, n, "%lld %s ago", (long long)hi, name);
	else
		snprintf(out, n, "%lld-%lld %s ago", (long long)lo, (long long)hi, name);
}

void browser_fmt_clock(int64_t ns, int64_t from, int64_t to, bool date, char *out, size_t n)
{
	time_t t = (time_t)(ns / NS), tf = (time_t)(from / NS), tt = (time_t)(to / NS);
	struct tm tm, mf, mt;
	size_t k;

	localtime_r(&tf, &mf);
	localtime_r(&tt, &mt);
	localtime_r(&t, &tm);
	if (to - from > 300 * 86400 * NS)
		k = strftime(out, n, "%Y-%m-%d", &tm);
	else if (mf.tm_year != mt.tm_year)
		k = strftime(out, n, "%Y-%m-%d %H:%M", &tm);
	else if (date || to - from >= 86400 * NS || mf.tm_yday != mt.tm_yday)
		/* the day too whenever the two ends are on different days: a 24 h range's
		 * ends read the same clock time */
		k = strftime(out, n, "%m-%d %H:%M", &tm);
	else
		k = strftime(out, n, "%H:%M:%S", &tm);
	if (!k && n)
		out[0] = '\0';
}

/* A length in one unit, rounded down; a year is 365 days, as t's `y` (timeparse.c): now-4y
 * reads "last 4 y". */
void browser_fmt_span(int64_t ns, char *out, size_t n)
{
	int64_t s = ns / NS;

	if (s < 120)
		snprintf(out, n, "%lld s", (long long)s);
	else if (s < 2 * 3600)
		snprintf(out, n, "%lld min", (long long)(s / 60));
	else if (s < 2 * 86400)
		snprintf(out, n, "%lld h", (long long)(s / 3600));
	else if (s < 2 * 365 * 86400LL)
		snprintf(out, n, "%lld d", (long long)(s / 86400));
	else
		snprintf(out, n, "%lld y", (long long)(s / (365 * 86400LL)));
}

/* ------------------------------------------------------------------------------------ */
/* drawing                                                                               */

/* Appends untrusted s made terminal-safe, cut or padded to exactly w cells. */
static void put_cell(struct buf *out, const char *s, size_t n, int w, bool ascii)
{
	struct buf safe = BUF_INIT;
	int used;

	text_safe(&safe, s, n, ascii);
	used = text_tail_truncate(out, safe.data ? safe.data : "", safe.len, w, ascii);
	while (used++ < w)
		buf_add(out, " ", 1);
	buf_release(&safe);
}

/*
 * The index of the timeline's step that holds t (0 before the first).  In uint64: from the
 * first step's start to the end of a range of 292 years is more than INT64_MAX.
 */
static size_t step_index(const struct browser_state *b, int64_t t)
{
	if (b->tl_step <= 0 || t <= b->tl_from)
		return 0;
	return (size_t)(((uint64_t)t - (uint64_t)b->tl_from) / (uint64_t)b->tl_step);
}

static void draw_timeline(struct tui_app *a, int y, int w)
{
	static const char *const bars[] = { "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
					    "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
					    "\xe2\x96\x87", "\xe2\x96\x88" };
	static const char ascii[] = "_.-=+*#@";
	struct browser_state *b = &a->br;
	double max = 0;
	size_t k;
	int x0 = 1, tw = w - 2, i;
	char l[32], r[32];
	int64_t span = b->to_ns - b->from_ns;
	bool win = b->win_to > b->win_from;
	struct time_range wr = browser_window(b);  /* what Enter opens, in whole steps */

	b->tl_x = x0;
	b->tl_w = tw;
	b->tl_y = y;
	for (k = 0; k < b->ntl; k++)
		if (b->tl[k] > max)
			max = b->tl[k];
	for (i = 0; i < tw; i++) {
		int64_t t = browser_time_at(b->from_ns, span, i, tw);
		int64_t t2 = browser_time_at(b->from_ns, span, i + 1, tw);
		size_t idx, last;
		double v = 0;

		/* the largest step the column covers: a step is never skipped, whatever the
		 * ratio of steps to columns */
		idx = step_index(b, t);
		last = step_index(b, t2 - 1);
		/* a column before the first step (near 1678: a step's part before int64) has none */
		for (; t2 - 1 >= b->tl_from && idx <= last && idx < b->ntl; idx++)
			if (b->tl[idx] > v)
				v = b->tl[idx];
		int lvl = max > 0 && v > 0 ? (int)ceil(v / max * 8) - 1 : -1;
		bool in = win && t >= wr.from_ns && t < wr.to_ns;
		int attr = in ? a->scr.role_attr[ROLE_SELECTED] : a->scr.role_attr[ROLE_MESSAGE];

		if (lvl < 0)
			scr_put(y, x0 + i, 1, in ? "_" : " ", 1, attr);
		else if (a->scr.utf8)
			scr_put(y, x0 + i, 1, bars[lvl], strlen(bars[lvl]), attr);
		else
			scr_put(y, x0 + i, 1, &ascii[lvl], 1, attr);
	}
	browser_fmt_clock(b->from_ns, b->from_ns, b->to_ns, false, l, sizeof(l));
	browser_fmt_clock(b->to_ns, b->from_ns, b->to_ns, false, r, sizeof(r));
	scr_put(y + 1, x0, tw, l, strlen(l), a->scr.role_attr[ROLE_HINT]);
	scr_put(y + 1, x0 + tw - (int)strlen(r), (int)strlen(r), r, strlen(r),
		a->scr.role_attr[ROLE_HINT]);
	if (win) {
		char f[32], t[32], m[80];

		browser_fmt_clock(wr.from_ns, b->from_ns, b->to_ns, false, f, sizeof(f));
		browser_fmt_clock(wr.to_ns, b->from_ns, b->to_ns, false, t, sizeof(t));
		snprintf(m, sizeof(m), "[ %s - %s ]", f, t);
		scr_put(y + 1, x0 + (tw - (int)strlen(m)) / 2, (int)strlen(m), m, strlen(m),
			a->scr.role_attr[ROLE_SELECTED]);
	}
}

void browser_view_draw(struct tui_app *a, int y, int h, int w)
{
	struct browser_state *b = &a->br;
	char unit[64] = "";
	int i, list_h, sw, tw;

	for (i = 0; i < h; i++)
		scr_fill(y + i, 0, w, A_NORMAL);
	b->area_y = y;
	b->area_h = h;
	if (h < 6)
		return;
	if (b->breakdown) {
		const struct browse_row *r = cur_row(b);
		int rows = h - 2, nw = w - 1 - 1 - 12 - 1 - 8 - 2 - 21;
		struct buf line = BUF_INIT;

		if (nw > 40)
			nw = 40;
		if (nw < 8)
			nw = 8;
		buf_puts(&line, " ");
		put_cell(&line, b->bd_label, strlen(b->bd_label), nw, !a->scr.utf8);
		buf_printf(&line, " %12s %8s", "total", "share");
		scr_fill(y, 0, w, a->scr.role_attr[ROLE_TABLE_HEADER]);
		scr_put(y, 0, w, line.data, line.len, a->scr.role_attr[ROLE_TABLE_HEADER]);
		buf_release(&line);
		if (r) {
			struct profile_type pt = { 0 };

			if (!profile_type_parse(r->ptype, &pt))
				snprintf(unit, sizeof(unit), "%s", pt.sample_unit);
			profile_type_release(&pt);
		}
		if (b->bd_sel >= b->nbd_names)
			b->bd_sel = b->nbd_names ? (uint32_t)b->nbd_names - 1 : 0;
		if (b->bd_sel < b->bd_scroll)
			b->bd_scroll = b->bd_sel;
		if (rows > 0 && b->bd_sel >= b->bd_scroll + (uint32_t)rows)
			b->bd_scroll = b->bd_sel - (uint32_t)rows + 1;
		for (i = 0; i < rows && b->bd_scroll + (size_t)i < b->nbd_names; i++) {
			size_t k = b->bd_scroll + (size_t)i;
			char v[UNITS_MAX], p[UNITS_MAX];
			int bar = b->bd_total > 0 ? (int)(b->bd[k] / b->bd_total * 20 + 0.5) : 0;
			bool sel = k == b->bd_sel;
			int attr = sel ? a->scr.role_attr[ROLE_SELECTED] : (int)A_NORMAL;

			units_format(v, sizeof(v), (int64_t)b->bd[k], unit);
			units_percent(p, sizeof(p), (int64_t)b->bd[k], (int64_t)b->bd_total);
			buf_reset(&line);
			buf_puts(&line, " ");
			put_cell(&line, b->bd_names[k], strlen(b->bd_names[k]), nw, !a->scr.utf8);
			buf_printf(&line, " %12s %8s  ", v, p);
			while (bar-- > 0)
				buf_puts(&line, a->scr.utf8 ? "\xe2\x96\x88" : "#");
			if (sel)
				scr_fill(y + 1 + i, 0, w, attr);
			scr_put(y + 1 + i, 0, w, line.data, line.len, attr);
		}
		buf_release(&line);
		return;
	}
	/*
	 * services and types: the type column gives way (down to 20 cells) so that the
	 * series and the last push fit at 80 columns
	 */
	sw = 24;
	tw = w - 3 - sw - 1 - 1 - 6 - 2 - AGO_W;
	if (tw > 44)
		tw = 44;
	if (tw < 20) {
		tw = 20;
		sw = w - 3 - tw - 1 - 1 - 6 - 2 - AGO_W;
		if (sw < 8)
			sw = 8;
	}
	{
		struct buf line = BUF_INIT;

		buf_puts(&line, "   ");
		put_cell(&line, "service", 7, sw, false);
		buf_puts(&line, " ");
		put_cell(&line, "profile type", 12, tw, false);
		buf_printf(&line, " %6s  %s", "series", "last push");
		scr_fill(y, 0, w, a->scr.role_attr[ROLE_TABLE_HEADER]);
		scr_put(y, 0, w, line.data, line.len, a->scr.role_attr[ROLE_TABLE_HEADER]);
		buf_release(&line);
	}
	list_h = h - 5;
	if (b->row < b->scroll)
		b->scroll = b->row;
	if (list_h > 0 && b->row >= b->scroll + (uint32_t)list_h)
		b->scroll = b->row - (uint32_t)list_h + 1;
	if (!b->nrows) {
		struct buf m = BUF_INIT;

		if (!b->loaded) {
			buf_puts(&m, "reading the store...");
		} else if (b->list_err[0]) {
			buf_puts(&m, "the list could not be read: ");
			text_safe(&m, b->list_err, strlen(b->list_err), !a->scr.utf8);
			buf_puts(&m, " (r reads again, / changes the selector)");
		} else {
			buf_puts(&m, "no profiles in this range (] for a longer one, / to change "
				     "the selector)");
		}
		scr_put(y + 1, 3, w - 3, m.data, m.len, a->scr.role_attr[ROLE_HINT]);
		buf_release(&m);
	}
	for (i = 0; i < list_h && b->scroll + (uint32_t)i < b->nrows; i++) {
		const struct browse_row *r = &b->rows[b->scroll + (uint32_t)i];
		bool sel = b->scroll + (uint32_t)i == b->row;
		int attr = sel ? a->scr.role_attr[ROLE_SELECTED] : (int)A_NORMAL;
		struct buf line = BUF_INIT;
		char ago[32];

		if (r->last_unknown)
			snprintf(ago, sizeof(ago), "?");
		else
			fmt_ago(r, ago, sizeof(ago));
		buf_printf(&line, " %s ", sel ? (a->scr.utf8 ? "\xe2\x96\xb8" : ">") : " ");
		put_cell(&line, r->service, strlen(r->service), sw, !a->scr.utf8);
		buf_puts(&line, " ");
		put_cell(&line, r->ptype, strlen(r->ptype), tw, !a->scr.utf8);
		buf_printf(&line, " %6u  %s", r->nseries, ago);
		if (sel)
			scr_fill(y + 1 + i, 0, w, attr);
		scr_put(y + 1 + i, 0, w, line.data, line.len, attr);
		buf_release(&line);
	}
	/* the selector and the timeline */
	{
		struct buf s = BUF_INIT;

		buf_puts(&s, " ");
		text_safe(&s, b->selector, strlen(b->selector), !a->scr.utf8);
		buf_puts(&s, "   (label selector: / edits, Tab completes)");
		scr_put(y + h - 4, 0, w, s.data, s.len, a->scr.role_attr[ROLE_BREADCRUMB]);
		buf_release(&s);
	}
	if (cur_row(b)) {
		struct buf s = BUF_INIT;

		buf_puts(&s, " timeline: ");
		text_safe(&s, cur_row(b)->service, strlen(cur_row(b)->service), !a->scr.utf8);
		buf_puts(&s, a->dot);
		text_safe(&s, cur_row(b)->ptype, strlen(cur_row(b)->ptype), !a->scr.utf8);
		if (profile_type_is_gauge(cur_row(b)->ptype))
			buf_puts(&s, " (a gauge: averaged per step)");
		scr_put(y + h - 3, 0, w, s.data, s.len, a->scr.role_attr[ROLE_HINT]);
		buf_release(&s);
	}
	draw_timeline(a, y + h - 2, w);
}

/* The browser's header text: " smolder · NAME · N services · range: last 1h · live". */
void browser_view_header(struct tui_app *a, struct buf *out)
{
	struct browser_state *b = &a->br;
	size_t i, nsvc = 0;

	for (i = 0; i < b->nrows; i++)
		if (i == 0 || strcmp(b->rows[i].service, b->rows[i - 1].service))
			nsvc++;
	/* the name last: it is what gives way on a narrow terminal */
	buf_printf(out, " smolder%s%zu service%s%s", a->dot, nsvc, nsvc == 1 ? "" : "s", a->dot);
	if (b->live_range && b->preset < 0) {
		char len[32];

		browser_fmt_span(b->to_ns - b->from_ns, len, sizeof(len));
		buf_printf(out, "last %s%s%s", len, a->dot,
			   b->paused ? "paused (p)" : (a->scr.utf8 ? "\xe2\x96\xb8 live" : "> live"));
	} else if (b->live_range) {
		buf_printf(out, "last %s%s%s", browser_preset_name(b->preset), a->dot,
			   b->paused ? "paused (p)" : (a->scr.utf8 ? "\xe2\x96\xb8 live" : "> live"));
	} else {
		char f[32], t[32];

		browser_fmt_clock(b->from_ns, b->from_ns, b->to_ns, true, f, sizeof(f));
		browser_fmt_clock(b->to_ns, b->from_ns, b->to_ns, true, t, sizeof(t));
		buf_printf(out, "%s - %s", f, t);
	}
	buf_puts(out, a->dot);
	text_safe(out, b->name, strlen(b->name), !a->scr.utf8);
}

void browser_view_status(struct tui_app *a, struct buf *out)
{
	struct browser_state *b = &a->br;
	const struct browse_row *r = cur_row(b);
	struct time_range wr = browser_window(b);

	if (b->breakdown) {
		buf_printf(out, "%zu values of ", b->nbd_names);
		text_safe(out, b->bd_label, strlen(b->bd_label), !a->scr.utf8);
		buf_puts(out, "  (Esc closes)");
		return;
	}
	if (!r) {
		buf_puts(out, "no service selected");
		return;
	}
	text_safe(out, r->service, strlen(r->service), !a->scr.utf8);
	if (b->win_to > b->win_from)
		buf_printf(out, "%swindow %lld s", a->dot,
			   (long long)((wr.to_ns - wr.from_ns) / NS));
	if (b->ntl) {
		/*
		 * The timeline's sum over the steps of the window (whole steps: browser_window),
		 * what Enter opens (the whole range: what `smolder query timeline` prints for
		 * the same steps).  A gauge's steps are averages: their average over the steps
		 * with data.
		 */
		struct profile_type pt = { 0 };
		char v[UNITS_MAX];
		double sum = 0;
		size_t k, n = 0, nz = 0;
		bool gauge = profile_type_is_gauge(r->ptype);

		for (k = 0; k < b->ntl; k++) {
			/* the step is in the window: its index in the window's steps */
			if (wr.to_ns <= b->tl_from || k < step_index(b, wr.from_ns) ||
			    k > step_index(b, wr.to_ns - 1))
				continue;
			sum += b->tl[k];
			n++;
			nz += b->tl[k] != 0;
		}
		if (gauge && nz)
			sum /= (double)nz;
		if (profile_type_parse(r->ptype, &pt) == 0) {
			units_format(v, sizeof(v), (int64_t)llround(sum), pt.sample_unit);
			if (gauge)
				buf_printf(out, "%stimeline average %s (%.17g) over %zu of %zu steps of %lld s",
					   a->dot, v, sum, nz, n, (long long)(b->tl_step / NS));
			else
				buf_printf(out, "%stimeline sum %s (%.17g) over %zu steps of %lld s", a->dot,
					   v, sum, n, (long long)(b->tl_step / NS));
		}
		profile_type_release(&pt);
	}
}

