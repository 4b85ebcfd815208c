/*
 * compare_view.c — the comparison view (key `c`, diffs only): the base and the new
 * profile as two flame graphs, side by side from 160 columns, stacked below that.
 *
 * Both panes draw the same call tree (prof_pair carries both sides), one side's values
 * each, so "the same call path" is the same node: keys go to the focused pane and its
 * selection and zoom are copied to the other one.  A path that exists on one side only
 * keeps its place in the other pane at the nearest ancestor that exists there.
 * `w` switches the focused pane (a click does too).
 */
#include <curses.h>
#include <string.h>

#include "base/text.h"
#include "base/units.h"
#include "tui_int.h"

#define COMPARE_WIDE 160

/* Copies the focused pane's path (selection, zoom, zoom stack, modes) to the other. */
static void sync_panes(struct tui_app *a)
{
	const struct flame_state *f = &a->cmp[a->cmp_focus].fl;
	struct flame_state *o = &a->cmp[!a->cmp_focus].fl;

	o->zoom = f->zoom;
	memcpy(o->zoom_stack, f->zoom_stack, sizeof(o->zoom_stack));
	o->nzoom = f->nzoom;
	o->sel = f->sel;
	o->sel_plus = false;
	o->flame_up = f->flame_up;
	o->by_size = f->by_size;
}

static void pane_header(struct tui_app *a, struct flame_pane *fp, int y, int x, int w, bool focus)
{
	const char *src = fp->side == PANE_BASE ? a->opts.base_source : a->opts.source;
	struct buf b = BUF_INIT, tail = BUF_INIT, name = BUF_INIT;
	char v[UNITS_MAX];
	int attr = a->scr.role_attr[focus ? ROLE_TAB_ACTIVE : ROLE_TAB], room;

	app_format_value(a, v, sizeof(v), tree_total(fp->tree, 0, app_pane_type(a, fp)));
	buf_puts(&b, fp->side == PANE_BASE ? " base: " : " new: ");
	buf_printf(&tail, "%s%s total", a->dot, v);
	if (app_pane_value(a, fp, fp->fl.zoom) == 0 && fp->fl.zoom != 0)
		buf_printf(&tail, "%snot in this profile", a->dot);
	/* the name gives way (in its middle), the total stays */
	room = w - text_width(b.data, b.len) - text_width(tail.data, tail.len) - 1;
	if (src && room > 4) {
		text_safe(&name, src, strlen(src), !a->scr.utf8);
		text_middle_truncate(&b, name.data, name.len, room, !a->scr.utf8);
	}
	buf_add(&b, tail.data, tail.len);
	scr_fill(y, x, w, attr);
	scr_put(y, x, w, b.data, b.len, attr);
	buf_release(&b);
	buf_release(&tail);
	buf_release(&name);
}

/*
 * One pane in h lines: its header, the graph below it.  A pane with no line for the graph
 * (a terminal a few lines high) shows its header only, or nothing; it is never handed a
 * height of zero or less.
 */
static void draw_pane(struct tui_app *a, struct flame_pane *fp, int y, int x, int h, int w)
{
	struct flame_state *fl = &fp->fl;

	fl->area_y = y;
	fl->area_x = x;
	fl->area_h = 0; /* no graph on screen: the mouse finds nothing here */
	fl->area_w = w;
	if (h < 1 || w < 1)
		return;
	pane_header(a, fp, y, x, w, fp == &a->cmp[a->cmp_focus]);
	if (h > 1)
		flame_view_draw(a, fp, y + 1, x, h - 1, w);
}

void compare_view_draw(struct tui_app *a, int y, int h, int w)
{
	int i;

	if (!a->diff) { /* app_install_data leaves the view: only its two sides are drawn */
		scr_put(y, 1, w - 1, COMPARE_NEEDS_DIFF, strlen(COMPARE_NEEDS_DIFF),
			a->scr.role_attr[ROLE_HINT]);
		return;
	}
	for (i = 0; i < 2; i++)
		a->cmp[i].tree = a->tree;
	if (w >= COMPARE_WIDE) {
		int lw = (w - 1) / 2, rw = w - lw - 1;

		draw_pane(a, &a->cmp[0], y, 0, h, lw);
		draw_pane(a, &a->cmp[1], y, lw + 1, h, rw);
		for (i = 0; i < h; i++)
			mvaddch(y + i, lw, ' ');
	} else {
		int th = h / 2, bh = h - th;

		draw_pane(a, &a->cmp[0], y, 0, th, w);
		draw_pane(a, &a->cmp[1], y + th, 0, bh, w);
	}
}

bool compare_view_key(struct tui_app *a, int key)
{
	if (key == 'w') {
		a->cmp_focus = !a->cmp_focus;
		return true;
	}
	if (key == 'n' || key == 'N') /* on the focused side: the comparison stays */
		flame_view_search_jump(a, &a->cmp[a->cmp_focus], 0, key == 'n' ? 1 : -1);
	else if (!flame_view_key(a, &a->cmp[a->cmp_focus], key))
		return false;
	sync_panes(a);
	return true;
}

void compare_view_mouse(struct tui_app *a, int y, int x, bool dbl)
{
	int i;

	for (i = 0; i < 2; i++) {
		struct flame_state *f = &a->cmp[i].fl;

		if (y >= f->area_y && y < f->area_y + f->area_h && x >= f->area_x &&
		    x < f->area_x + f->area_w) {
			a->cmp_focus = i;
			flame_view_mouse(a, &a->cmp[i], y, x - f->area_x, dbl);
			sync_panes(a);
			return;
		}
	}
}

/* The selection's numbers on both sides. */
void compare_view_status(struct tui_app *a, struct buf *out)
{
	struct flame_pane *fp = &a->cmp[a->cmp_focus];

	if (!a->diff) { /* a->base_total has no base side to read */
		buf_puts(out, COMPARE_NEEDS_DIFF);
		return;
	}
	if (fp->fl.sel_plus) {
		flame_view_status(a, fp, out);
		return;
	}
	flame_view_diff_status(a, fp->tree, fp->fl.sel, out);
}
