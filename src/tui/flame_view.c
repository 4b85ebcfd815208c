/*
 * flame_view.c — drawing and navigating the flame graph (view 1).
 *
 * The layout comes from flame_layout() (src/profile/flame.c) for exactly the rows on
 * screen; this file maps rows to screen lines (icicle: root on top; flame: root at the
 * bottom), draws cells, and moves the selection.  `k` is always "parent", `j` the
 * widest child, `h`/`l` the neighbours in the same row; arrows follow the picture.
 */
#include <curses.h>
#include <limits.h>
#include <string.h>

#include "base/err.h"
#include "base/text.h"
#include "base/units.h"
#include "tui_int.h"

static uint32_t sel_row(const struct flame_pane *fp)
{
	const struct tree *t = fp->tree;

	return t->depth[fp->fl.sel] - t->depth[fp->fl.zoom] + (fp->fl.sel_plus ? 1 : 0);
}

static int relayout(struct tui_app *a, struct flame_pane *fp, uint32_t rows, uint32_t w)
{
	struct flame_opts o = { .root = fp->fl.zoom, .type = app_pane_type(a, fp),
				.type2 = app_pane_type2(a, fp), .width = w, .max_rows = rows,
				.by_size = fp->fl.by_size };

	flame_release(&fp->fl.layout);
	return flame_layout(fp->tree, &o, &fp->fl.layout);
}

/*
 * The selection must lie under the zoom root (sel_row() counts depth below it): after
 * unzooming from a jump outside the old zoom (n, Enter in the top table) it does not,
 * and the zoom root is selected instead.
 */
static void keep_selection_in_zoom(struct flame_pane *fp)
{
	if (!tree_is_ancestor(fp->tree, fp->fl.zoom, fp->fl.sel)) {
		fp->fl.sel = fp->fl.zoom;
		fp->fl.sel_plus = false;
	}
}

/* Keeps the selection on something visible: its nearest visible ancestor. */
static void fix_selection(struct flame_pane *fp)
{
	uint32_t r, c;

	keep_selection_in_zoom(fp);
	while (!flame_find(&fp->fl.layout, fp->tree, fp->fl.sel, fp->fl.sel_plus, &r, &c)) {
		if (fp->fl.sel_plus)
			fp->fl.sel_plus = false;
		else if (fp->fl.sel == fp->fl.zoom)
			break;
		else {
			/* maybe it is inside its parent's "+N" cell */
			uint32_t par = fp->tree->parent[fp->fl.sel];

			fp->fl.sel = par;
			fp->fl.sel_plus = flame_find(&fp->fl.layout, fp->tree, par, true, &r, &c);
		}
	}
}

/*
 * The frame separator in a cell's last column: "│", or "|" when the terminal is not
 * UTF-8.  The same glyph for every frame, with colour or without (narrow frames drew
 * "|" without colour, wide ones "│").
 */
static void put_separator(struct tui_app *a, int y, int x, int attr)
{
	attrset(attr);
	if (a->scr.utf8)
		mvaddstr(y, x, "\xe2\x94\x82");
	else
		mvaddch(y, x, '|' | (chtype)attr);
	attrset(A_NORMAL);
}

void flame_view_draw(struct tui_app *a, struct flame_pane *fp, int y, int x0, int h, int w)
{
	struct flame_state *fl = &fp->fl;
	const struct tree *t = fp->tree;
	struct buf b = BUF_INIT;
	uint32_t r, k, srow;
	bool ascii = !a->scr.utf8;
	bool diff = a->diff && fp->side == PANE_ONE;
	/* a signed profile (pprof's -diff_base form): coloured by change, as a diff */
	bool sgn = !a->diff && a->negative && a->negative[app_pane_type(a, fp)];
	/* a sandwich of replaced data (until its refresh lands) names nodes by the old ids */
	bool old_ids = (fp == &a->sw.callers || fp == &a->sw.callees) && a->sw.from != a->prof;

	fl->area_y = y;
	fl->area_x = x0;
	fl->area_h = h;
	fl->area_w = w;
	if (h <= 0 || w <= 0)
		return; /* before any (uint32_t)h: a negative height is no room, not 4e9 rows */
	for (k = 0; k < (uint32_t)h; k++)
		scr_fill(y + (int)k, x0, w, A_NORMAL);
	keep_selection_in_zoom(fp);
	srow = sel_row(fp);
	if (srow < fl->scroll)
		fl->scroll = srow;
	if (srow >= fl->scroll + (uint32_t)h)
		fl->scroll = srow - (uint32_t)h + 1;
	if (relayout(a, fp, fl->scroll + (uint32_t)h, (uint32_t)w)) {
		scr_message(a, true, "layout: %s", err_last());
		return;
	}
	fix_selection(fp);
	for (r = fl->scroll; r < fl->layout.nrows && r < fl->scroll + (uint32_t)h; r++) {
		const struct flame_row *row = &fl->layout.rows[r];
		int sy = fl->flame_up ? y + h - 1 - (int)(r - fl->scroll) : y + (int)(r - fl->scroll);

		for (k = 0; k < row->n; k++) {
			const struct flame_cell *c = &fl->layout.cells[row->first + k];
			bool selected = c->node == fl->sel && (c->hidden != 0) == fl->sel_plus;
			int attr, tw = (int)c->w - 1;
			uint32_t name = t->name[c->node];

			if (c->hidden)
				attr = a->scr.role_attr[ROLE_PLUS];
			else if (diff)
				attr = a->scr.diff_attr[DIFF_STEPS + app_diff_step(a, t, c->node)];
			else if (c->node == 0)
				attr = a->scr.role_attr[ROLE_HEADER];
			else if (sgn)
				attr = a->scr.diff_attr[DIFF_STEPS + app_signed_step(a, fp, c->node)];
			else
				attr = scr_frame_attr(a, t->prof, name);
			if (a->searching && !c->hidden) {
				uint32_t sn = old_ids ? sandwich_view_to_prof(a, name) : name;

				if (a->search.name_hit && sn < a->search.nnames &&
				    a->search.name_hit[sn] == 2)
					attr = a->scr.colour ? attr : a->scr.role_attr[ROLE_MATCH];
				else
					attr = a->scr.role_attr[ROLE_DIM];
			}
			if (selected)
				attr |= a->scr.role_attr[ROLE_SELECTED];
			scr_fill(sy, x0 + (int)c->x, (int)c->w, attr);
			buf_reset(&b);
			if (c->hidden) {
				char txt[48];
				int gw = ascii ? 1 : 2, room = c->w > 1 ? (int)c->w - 1 : 1;

				/*
				 * "·N" (ASCII "#N"), or just the glyph when N does not fit, then
				 * the separator: a "+" here read as the diff's "new" marker
				 * without colour, and ran into the next frame's name.  Not "…"
				 * (or ASCII "~"), which before a name reads as the name cut
				 * short, nor ".", which reads as part of a name (".Decode").
				 */
				snprintf(txt, sizeof(txt), "%s%u", ascii ? "#" : "\xc2\xb7", c->hidden);
				if ((int)strlen(txt) - gw + 1 > room)
					txt[gw] = '\0';
				scr_put(sy, x0 + (int)c->x, room, txt, strlen(txt), attr);
				if (c->w > 1)
					put_separator(a, sy, x0 + (int)(c->x + c->w - 1), attr);
				continue;
			}
			if (c->w < 4) {
				/* too narrow for a name: colour and separator only */
				if (!a->scr.colour || c->w > 1)
					put_separator(a, sy, x0 + (int)(c->x + c->w - 1), attr);
				continue;
			}
			if (diff && c->node != 0) {
				/* frames only in new / only in base read without colour */
				bool in_new = tree_total(t, c->node, a->type) != 0;
				bool in_base = tree_total(t, c->node, a->type + a->ntypes) != 0;

				if (in_new != in_base) {
					buf_puts(&b, in_new ? "+" : ascii ? "-" : "\xe2\x88\x92");
					tw--;
				}
			}
			if (c->node == 0 || c->node == fl->zoom) {
				char v[UNITS_MAX];
				int vw, nw;

				app_format_value(a, v, sizeof(v),
						 tree_total(t, c->node, app_pane_type(a, fp)));
				/* the value stays: the name fits into what it leaves (or the
				 * whole cell when there is not room for both) */
				vw = text_width(v, strlen(v)) + 2;
				nw = tw - vw >= 4 ? tw - vw : tw;
				if (c->node == 0)
					buf_puts(&b, "all");
				else
					text_fit_name(&b, prof_str(t->prof, name), prof_strlen(t->prof, name),
						      nw, ascii);
				if (nw != tw || c->node == 0)
					buf_printf(&b, "  %s", v);
				scr_put(sy, x0 + (int)c->x, (int)c->w - 1, b.data, b.len, attr);
			} else {
				text_fit_name(&b, prof_str(t->prof, name), prof_strlen(t->prof, name), tw,
					      ascii);
				if (b.data)
					scr_put(sy, x0 + (int)c->x, (int)c->w - 1, b.data, b.len, attr);
			}
			put_separator(a, sy, x0 + (int)(c->x + c->w - 1), attr);
		}
	}
	buf_release(&b);
}

/*
 * h/l on the zoom root: the zoom moves to its neighbour under the same parent (name
 * order, frames with a value), in place of it (Esc still goes back to where the zoom came
 * from).  The zoom root is alone in its row, so h/l had nothing to do there, and frames
 * opened from a +N cell (Enter opens its widest) reach their narrow siblings this way.
 */
static void move_zoom_sideways(struct tui_app *a, struct flame_pane *fp, int dir)
{
	const struct tree *t = fp->tree;
	uint32_t z = fp->fl.zoom, par = t->parent[z], kid, prev = PROF_NONE, to = PROF_NONE;

	for (kid = tree_first_kid(t, par); kid != PROF_NONE; kid = tree_next_kid(t, par, kid)) {
		if (kid != z && app_pane_value(a, fp, kid) == 0)
			continue;
		if (kid == z && dir < 0) {
			to = prev;
			break;
		}
		if (prev == z && dir > 0) {
			to = kid;
			break;
		}
		prev = kid;
	}
	if (to == PROF_NONE)
		return;
	fp->fl.zoom = fp->fl.sel = to;
	fp->fl.sel_plus = false;
	fp->fl.scroll = 0;
}

/* Selects the cell next to the selection in its row. */
static void move_sideways(struct tui_app *a, struct flame_pane *fp, int dir)
{
	const struct flame *f = &fp->fl.layout;
	uint32_t r, c;

	if (fp->fl.sel == fp->fl.zoom && fp->fl.zoom != 0 && !fp->fl.sel_plus &&
	    (fp != &a->sw.callers && fp != &a->sw.callees)) {
		move_zoom_sideways(a, fp, dir);
		return;
	}
	if (!flame_find(f, fp->tree, fp->fl.sel, fp->fl.sel_plus, &r, &c))
		return;
	if (dir < 0 && c > f->rows[r].first)
		c--;
	else if (dir > 0 && c + 1 < f->rows[r].first + f->rows[r].n)
		c++;
	else
		return;
	fp->fl.sel = f->cells[c].node;
	fp->fl.sel_plus = f->cells[c].hidden != 0;
}

static void select_parent(struct tui_app *a, struct flame_pane *fp)
{
	if (fp->fl.sel_plus)
		fp->fl.sel_plus = false;
	else if (fp->fl.sel != fp->fl.zoom)
		fp->fl.sel = fp->tree->parent[fp->fl.sel];
	else if (fp->fl.zoom != 0)
		scr_message(a, false, "at the zoom root: Esc unzooms, r resets");
}

static void select_widest_child(struct tui_app *a, struct flame_pane *fp)
{
	const struct tree *t = fp->tree;
	uint32_t n = fp->fl.sel, kid, best = PROF_NONE, r, c;
	int64_t bv = 0;

	if (fp->fl.sel_plus)
		return;
	for (kid = tree_first_kid(t, n); kid != PROF_NONE; kid = tree_next_kid(t, n, kid)) {
		int64_t v = app_pane_value(a, fp, kid);

		if (best == PROF_NONE || v > bv)
			best = kid, bv = v;
	}
	if (best == PROF_NONE || bv <= 0)
		return;
	if (flame_find(&fp->fl.layout, t, best, false, &r, &c) ||
	    fp->fl.layout.nrows <= sel_row(fp) + 1) {
		fp->fl.sel = best; /* visible, or below the laid-out rows: draw() scrolls */
	} else if (flame_find(&fp->fl.layout, t, n, true, &r, &c)) {
		fp->fl.sel_plus = true;
	}
}

static void zoom_to(struct flame_pane *fp, uint32_t node)
{
	if (node == fp->fl.zoom)
		return;
	if (fp->fl.nzoom == ZOOM_STACK_MAX) {
		memmove(fp->fl.zoom_stack, fp->fl.zoom_stack + 1,
			(ZOOM_STACK_MAX - 1) * sizeof(fp->fl.zoom_stack[0]));
		fp->fl.nzoom--;
	}
	fp->fl.zoom_stack[fp->fl.nzoom++] = fp->fl.zoom;
	fp->fl.zoom = node;
	fp->fl.scroll = 0;
}

/*
 * Shows node in fp: zoomed out to the highest ancestor at or below `floor` at which it
 * still gets a cell, when it has none at the zoom root; then selected.
 */
static void reveal_within(struct tui_app *a, struct flame_pane *fp, uint32_t node, uint32_t floor)
{
	const struct tree *t = fp->tree;
	uint64_t w = fp->fl.area_w > 0 ? (uint64_t)fp->fl.area_w : 80;
	int64_t v = app_pane_value(a, fp, node);
	uint32_t top = node;

	/* the highest ancestor at which node still gets at least one cell */
	while (top != floor && top != 0 && v > 0 &&
	       (uint64_t)v * w >= (uint64_t)app_pane_value(a, fp, t->parent[top]))
		top = t->parent[top];
	if (!tree_is_ancestor(t, fp->fl.zoom, node) ||
	    (v > 0 && (uint64_t)v * w < (uint64_t)app_pane_value(a, fp, fp->fl.zoom)))
		zoom_to(fp, top);
	fp->fl.sel = node;
	fp->fl.sel_plus = false;
}

void flame_view_reveal(struct tui_app *a, struct flame_pane *fp, uint32_t node)
{
	reveal_within(a, fp, node, 0);
}

/* Does the search match node's name?  A sandwich half kept over replaced data names its
 * nodes by the old profile's string ids, which the search does not know. */
static bool pane_hit(const struct tui_app *a, const struct flame_pane *fp, uint32_t node)
{
	uint32_t name = fp->tree->name[node];

	if (node == 0)
		return false;
	if ((fp == &a->sw.callers || fp == &a->sw.callees) && a->sw.from != a->prof)
		name = sandwich_view_to_prof(a, name);
	return a->search.name_hit && name < a->search.nnames && a->search.name_hit[name] == 2;
}

/* A match n/N stops at: drawn in this pane (a value on its side) and without a matching
 * ancestor below `floor`, as the flame graph's n counts them. */
static bool pane_stop(const struct tui_app *a, const struct flame_pane *fp, uint32_t node,
		      uint32_t floor)
{
	uint32_t up;

	if (!pane_hit(a, fp, node) || app_pane_value(a, fp, node) == 0)
		return false;
	for (up = fp->tree->parent[node]; node != floor && up != floor && up != 0;
	     up = fp->tree->parent[up])
		if (pane_hit(a, fp, up))
			return false;
	return true;
}

void flame_view_search_jump(struct tui_app *a, struct flame_pane *fp, uint32_t floor, int dir)
{
	const struct tree *t = fp->tree;
	uint32_t node, count = 0, before = 0, first = 0, last = 0, prev = 0, next = 0, at;

	if (!a->searching) {
		scr_message(a, false, "no search: / starts one");
		return;
	}
	/* node ids are in preorder: "after the selection" is a greater id */
	for (node = floor; t && node < t->n; node++) {
		if (node != floor && !tree_is_ancestor(t, floor, node))
			break; /* past floor's subtree (it is contiguous in preorder) */
		if (!pane_stop(a, fp, node, floor))
			continue;
		if (!count++)
			first = node;
		last = node;
		if (node < fp->fl.sel || (node == fp->fl.sel && fp->fl.sel_plus))
			prev = node, before++;
		else if (node > fp->fl.sel && !next)
			next = node;
	}
	if (!count) {
		scr_message(a, false, "no match in this pane");
		return;
	}
	if (dir > 0) {
		node = next ? next : first;
		at = next ? before + 1 + (!fp->fl.sel_plus && pane_stop(a, fp, fp->fl.sel, floor)) : 1;
	} else {
		node = prev ? prev : last;
		at = prev ? before : count;
	}
	reveal_within(a, fp, node, floor);
	scr_message(a, false, "match %u of %u", at, count);
}

/* The widest of the frames in the selected "+N" cell (the selection's children that got
 * no cell of their own), or -1. */
static int widest_hidden_kid(struct tui_app *a, const struct flame_pane *fp)
{
	const struct tree *t = fp->tree;
	uint32_t n = fp->fl.sel, kid, best = PROF_NONE, r, c;
	int64_t bv = 0;

	for (kid = tree_first_kid(t, n); kid != PROF_NONE; kid = tree_next_kid(t, n, kid)) {
		int64_t v = app_pane_value(a, fp, kid);

		if (v == 0 || flame_find(&fp->fl.layout, t, kid, false, &r, &c))
			continue;
		if (best == PROF_NONE || v > bv)
			best = kid, bv = v;
	}
	return best == PROF_NONE || best > INT_MAX ? -1 : (int)best;
}

bool flame_view_key(struct tui_app *a, struct flame_pane *fp, int key)
{
	struct flame_state *fl = &fp->fl;
	int i;

	switch (key) {
	case 'k':
		select_parent(a, fp);
		break;
	case 'j':
		select_widest_child(a, fp);
		break;
	case KEY_UP:
		fl->flame_up ? select_widest_child(a, fp) : select_parent(a, fp);
		break;
	case KEY_DOWN:
		fl->flame_up ? select_parent(a, fp) : select_widest_child(a, fp);
		break;
	case 'h':
	case KEY_LEFT:
		move_sideways(a, fp, -1);
		break;
	case 'l':
	case KEY_RIGHT:
		move_sideways(a, fp, 1);
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		/* a +N cell opens on its widest frame: zooming into its parent, which may be
		 * the zoom root already, would leave its frames out of reach */
		if (fl->sel_plus && (i = widest_hidden_kid(a, fp)) >= 0) {
			flame_view_reveal(a, fp, (uint32_t)i);
			break;
		}
		zoom_to(fp, fl->sel);
		fl->sel_plus = false;
		break;
	case 27: /* Esc */
		if (fl->nzoom > 0) {
			fl->zoom = fl->zoom_stack[--fl->nzoom];
			fl->scroll = 0;
			keep_selection_in_zoom(fp);
		} else if (a->searching) {
			app_set_search(a, NULL);
		}
		break;
	case 'r':
		fl->zoom = 0;
		fl->nzoom = 0;
		fl->sel = 0;
		fl->sel_plus = false;
		fl->scroll = 0;
		break;
	case 'g':
	case KEY_HOME:
		fl->sel = fl->zoom;
		fl->sel_plus = false;
		break;
	case 'G':
	case KEY_END:
		for (i = 0; i < 100000; i++) {
			uint32_t before = fl->sel;

			select_widest_child(a, fp);
			if (fl->sel == before)
				break;
		}
		break;
	case KEY_NPAGE:
	case KEY_PPAGE:
		for (i = 0; i < (fl->area_h > 1 ? fl->area_h - 1 : 1); i++)
			(key == KEY_NPAGE) != fl->flame_up ? select_widest_child(a, fp) : select_parent(a, fp);
		break;
	case 'i':
		fl->flame_up = !fl->flame_up;
		scr_message(a, false, "%s", fl->flame_up ? "flame: root at the bottom" :
							  "icicle: root on top");
		break;
	case 'o':
		fl->by_size = !fl->by_size;
		scr_message(a, false, "children ordered by %s", fl->by_size ? "size" : "name");
		break;
	default:
		return false;
	}
	return true;
}

void flame_view_mouse(struct tui_app *a, struct flame_pane *fp, int y, int x, bool dbl)
{
	struct flame_state *fl = &fp->fl;
	uint32_t r, k;
	int off = fl->flame_up ? fl->area_y + fl->area_h - 1 - y : y - fl->area_y;

	if (off < 0 || off >= fl->area_h)
		return;
	r = fl->scroll + (uint32_t)off;
	if (r >= fl->layout.nrows)
		return;
	for (k = 0; k < fl->layout.rows[r].n; k++) {
		const struct flame_cell *c = &fl->layout.cells[fl->layout.rows[r].first + k];

		if ((uint32_t)x >= c->x && (uint32_t)x < c->x + c->w) {
			fl->sel = c->node;
			fl->sel_plus = c->hidden != 0;
			if (dbl)
				flame_view_key(a, fp, '\n');
			return;
		}
	}
}

/* `base 1.2 s (12.0%) → new 3.4 s (30.1%)  +18.1 pp`: a diff's numbers for one thing. */
static void diff_numbers(struct tui_app *a, int64_t bv, int64_t nv, struct buf *out)
{
	uint32_t ty = a->type, tb = a->type + a->ntypes;
	int64_t bt = a->base_total[tb], nt = a->base_total[ty];
	char v1[UNITS_MAX], v2[UNITS_MAX], p1[UNITS_MAX], p2[UNITS_MAX];
	double ch = diff_change(&a->dscale, bv, nv, bt, nt) * 100;

	app_format_value(a, v1, sizeof(v1), bv);
	app_format_value(a, v2, sizeof(v2), nv);
	units_percent(p1, sizeof(p1), bv, bt);
	units_percent(p2, sizeof(p2), nv, nt);
	buf_printf(out, "base %s (%s) %s new %s (%s)  ", v1, p1, a->scr.utf8 ? "\xe2\x86\x92" : "->",
		   v2, p2);
	if (bv == 0 && nv != 0)
		buf_puts(out, "new ");
	else if (nv == 0 && bv != 0)
		buf_puts(out, "removed ");
	if (a->dscale.absolute)
		buf_printf(out, "%+.1f%% of base", ch);
	else
		buf_printf(out, "%+.1f pp", ch);
}

/* `name  base 1.2 s (12.0%) → new 3.4 s (30.1%)  +18.1 pp` (the node's totals). */
void flame_view_diff_status(struct tui_app *a, const struct tree *t, uint32_t n, struct buf *out)
{
	uint32_t ty = a->type, tb = a->type + a->ntypes;
	struct buf nums = BUF_INIT;

	buf_puts(&nums, "  ");
	diff_numbers(a, tree_total(t, n, tb), tree_total(t, n, ty), &nums);
	scr_status_line(a, out, tree_name(t, n), n ? prof_strlen(t->prof, t->name[n]) : 3, &nums);
	buf_release(&nums);
}

/*
 * The base and new totals of the frames in n's "+N" cell (cell c of the layout): the
 * children of n with a width that got no cell of their own in that row.  The cell's
 * value is the width, base + new, which is neither side.
 */
static void hidden_sides(struct tui_app *a, struct flame_pane *fp, uint32_t n, uint32_t c,
			 int64_t *base, int64_t *newv)
{
	const struct tree *t = fp->tree;
	const struct flame *f = &fp->fl.layout;
	uint32_t ty = a->type, tb = a->type + a->ntypes, r, kid, k, first = 0, end = 0;

	for (r = 0; r < f->nrows; r++)
		if (c >= f->rows[r].first && c < f->rows[r].first + f->rows[r].n) {
			first = f->rows[r].first;
			end = first + f->rows[r].n;
		}
	*base = *newv = 0;
	for (kid = tree_first_kid(t, n); kid != PROF_NONE; kid = tree_next_kid(t, n, kid)) {
		bool shown = false;

		if (app_pane_value(a, fp, kid) <= 0)
			continue; /* no width: in no cell */
		for (k = first; k < end && !shown; k++)
			shown = f->cells[k].node == kid && !f->cells[k].hidden;
		if (!shown) {
			*base += tree_total(t, kid, tb);
			*newv += tree_total(t, kid, ty);
		}
	}
}

static bool sandwich_pane(const struct tui_app *a, const struct flame_pane *fp)
{
	return fp == &a->sw.callers || fp == &a->sw.callees;
}

void flame_view_status(struct tui_app *a, struct flame_pane *fp, struct buf *out)
{
	const struct tree *t = fp->tree;
	uint32_t n = fp->fl.sel;
	char v1[UNITS_MAX], v2[UNITS_MAX], p1[UNITS_MAX], p2[UNITS_MAX], p3[UNITS_MAX];
	uint32_t ty = app_pane_type(a, fp);
	int64_t all = a->base_total[ty], zoomed = tree_total(t, fp->fl.zoom, ty);
	struct buf nums = BUF_INIT;

	if (fp->fl.sel_plus) {
		uint32_t r, c;

		if (flame_find(&fp->fl.layout, t, n, true, &r, &c)) {
			const struct flame_cell *cell = &fp->fl.layout.cells[c];

			buf_printf(out, "%u narrow frames under ", cell->hidden);
			if (a->diff && fp->side == PANE_ONE) {
				int64_t bv, nv;

				/* each side on its own, as for any frame of a diff */
				hidden_sides(a, fp, n, c, &bv, &nv);
				buf_puts(&nums, ": ");
				diff_numbers(a, bv, nv, &nums);
			} else {
				app_format_value(a, v1, sizeof(v1), cell->value);
				units_percent(p1, sizeof(p1), cell->value, all);
				buf_printf(&nums, ": %s (%s)", v1, p1);
			}
			buf_printf(&nums, "%sEnter opens the widest", a->dot);
			scr_status_line(a, out, tree_name(t, n),
					n ? prof_strlen(t->prof, t->name[n]) : 3, &nums);
			buf_release(&nums);
		}
		return;
	}
	if (a->diff && fp->side == PANE_ONE) {
		flame_view_diff_status(a, t, n, out);
		return;
	}
	app_format_value(a, v1, sizeof(v1), tree_self(t, n, ty));
	app_format_value(a, v2, sizeof(v2), tree_total(t, n, ty));
	units_percent(p1, sizeof(p1), tree_self(t, n, ty), all);
	units_percent(p2, sizeof(p2), tree_total(t, n, ty), all);
	units_percent(p3, sizeof(p3), tree_total(t, n, ty), zoomed);
	/* the sandwich's callers are inverted: a node's self there is the value of the
	 * stacks that start at it (a goroutine's entry), not the function's self */
	if (!fp->callers && tree_self(t, n, ty) == 0)
		buf_puts(&nums, "  self 0"); /* the common case, kept short for 80 columns */
	else if (!fp->callers)
		buf_printf(&nums, "  self %s (%s)", v1, p1);
	buf_printf(&nums, "  total %s (%s all", v2, p2);
	/* the sandwich's panes start at its function, which nobody zoomed to: a frame's
	 * share is of the function (named; on the function itself, always 100%, none) */
	if (sandwich_pane(a, fp) && fp->fl.zoom != 0 && n != fp->fl.zoom) {
		buf_printf(&nums, ", %s of ", p3);
		text_fit_name(&nums, tree_name(t, fp->fl.zoom),
			      prof_strlen(t->prof, t->name[fp->fl.zoom]), 16, !a->scr.utf8);
	} else if (!sandwich_pane(a, fp) && fp->fl.zoom != 0) {
		buf_printf(&nums, ", %s zoomed", p3);
	}
	buf_puts(&nums, ")");
	scr_status_line(a, out, tree_name(t, n), n ? prof_strlen(t->prof, t->name[n]) : 3, &nums);
	buf_release(&nums);
}
