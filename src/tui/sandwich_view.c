/*
 * sandwich_view.c — view 3: the callers of one function above a divider line naming
 * it, its callees below.  Both halves are flame panes (flame_view.c) over the trees of
 * sandwich_build()'s two profiles: the callers graph is drawn root at the bottom, so
 * the function sits just above the divider with its callers stacked over it.
 * Arrow keys cross the divider; Enter on a caller or callee pivots the sandwich to it.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/text.h"
#include "base/units.h"
#include "profile/sandwich.h"
#include "tui_int.h"

void sandwich_view_release(struct tui_app *a)
{
	struct sandwich_state *sw = &a->sw;

	flame_release(&sw->callers.fl.layout);
	flame_release(&sw->callees.fl.layout);
	tree_free(sw->callers_tree);
	tree_free(sw->callees_tree);
	export_view_prof_free(a, sw->callers_prof); /* or to the export writing it */
	export_view_prof_free(a, sw->callees_prof);
	memset(sw, 0, sizeof(*sw));
}

int sandwich_view_set(struct tui_app *a, uint32_t name)
{
	struct sandwich_state sw = { 0 };
	int rc;

	if ((rc = sandwich_build(a->prof, name, &sw.callers_prof, &sw.callees_prof)) ||
	    (rc = tree_build(sw.callers_prof, &sw.callers_tree)) ||
	    (rc = tree_build(sw.callees_prof, &sw.callees_tree))) {
		tree_free(sw.callers_tree);
		tree_free(sw.callees_tree);
		prof_free(sw.callers_prof);
		prof_free(sw.callees_prof);
		return rc;
	}
	sandwich_view_release(a);
	sw.name = name;
	sw.callers.tree = sw.callers_tree;
	sw.callees.tree = sw.callees_tree;
	sw.callers.fl.flame_up = true; /* the function at the bottom, callers above */
	sw.callers.callers = true;
	/* the trees' roots are "all"; the function is their only child */
	sw.callers.fl.zoom = sw.callers.fl.sel = sw.callers_tree->n > 1 ? 1 : 0;
	sw.callees.fl.zoom = sw.callees.fl.sel = sw.callees_tree->n > 1 ? 1 : 0;
	a->sw = sw;
	return 0;
}

/* The names from below the pane's zoom root (the function) down to its selection. */
static char **pane_path(const struct flame_pane *fp, uint32_t *n)
{
	*n = 0;
	if (!fp->tree || fp->fl.sel_plus)
		return NULL;
	return app_tree_path(fp->tree, fp->fl.zoom, fp->fl.sel, n);
}

/* Selects the node reached from the pane's zoom root by the names of path (or the
 * deepest one that exists). */
static void pane_select(struct flame_pane *fp, char **path, uint32_t n)
{
	fp->fl.sel = app_tree_find(fp->tree, fp->fl.zoom, path, n);
	fp->fl.sel_plus = false;
}

void sandwich_view_save(const struct tui_app *a, struct sandwich_keep *k)
{
	const struct sandwich_state *sw = &a->sw;

	memset(k, 0, sizeof(*k));
	if (!sw->name || !(k->name = strdup(prof_str(a->prof, sw->name))))
		return;
	k->focus_callers = sw->focus_callers;
	k->path[0] = pane_path(&sw->callers, &k->npath[0]);
	k->path[1] = pane_path(&sw->callees, &k->npath[1]);
}

void sandwich_view_restore(struct tui_app *a, struct sandwich_keep *k)
{
	uint32_t id = k->name ? prof_find_str(a->prof, k->name) : PROF_NONE;
	int side;

	/* the function may be gone (filtered out, not in the new data): no sandwich then */
	if (id != PROF_NONE && id != 0 && sandwich_view_set(a, id) == 0) {
		a->sw.focus_callers = k->focus_callers;
		pane_select(&a->sw.callers, k->path[0], k->npath[0]);
		pane_select(&a->sw.callees, k->path[1], k->npath[1]);
	}
	for (side = 0; side < 2; side++)
		app_path_free(k->path[side], k->npath[side]);
	free(k->name);
	memset(k, 0, sizeof(*k));
}

static struct flame_pane *focused(struct tui_app *a)
{
	return a->sw.focus_callers ? &a->sw.callers : &a->sw.callees;
}

void sandwich_view_draw(struct tui_app *a, int y, int h, int w)
{
	struct sandwich_state *sw = &a->sw;
	struct buf b = BUF_INIT, nums = BUF_INIT;
	char v1[UNITS_MAX], v2[UNITS_MAX], p1[UNITS_MAX];
	int top_h, bot_h, k, room;

	for (k = 0; k < h; k++)
		scr_fill(y + k, 0, w, A_NORMAL);
	if (h < 1 || w < 1)
		return; /* not even a line for the divider */
	if (!sw->name) {
		const char *msg = "select a function in the flame graph or the top table, then press 3";

		scr_put(y + 1, 2, w - 2, msg, strlen(msg), a->scr.role_attr[ROLE_HINT]);
		return;
	}
	top_h = (h - 1) / 2;
	bot_h = h - 1 - top_h;
	/* callers: their pane's root row (the function) is right above the divider */
	flame_view_draw(a, &sw->callers, y, 0, top_h, w);
	sw->divider_y = y + top_h;
	app_format_value(a, v1, sizeof(v1), tree_total(sw->callees_tree, 0, a->type));
	units_percent(p1, sizeof(p1), tree_total(sw->callees_tree, 0, a->type),
		      a->base_total[a->type]);
	/* self over every frame of the function, as the top table and pprof count it */
	app_format_value(a, v2, sizeof(v2), sandwich_self(sw->callees_tree, sw->name, a->type));
	buf_printf(&nums, "  self %s  total %s (%s)", v2, v1, p1);
	buf_puts(&b, a->scr.utf8 ? "\xe2\x94\x80\xe2\x94\x80 " : "-- ");
	/* the name gives way (qualifiers first, then its middle): the numbers stay */
	room = w - 3 - text_width(nums.data, nums.len);
	text_fit_name(&b, prof_str(a->prof, sw->name), prof_strlen(a->prof, sw->name),
		      room > 12 ? room : 12, !a->scr.utf8);
	buf_add(&b, nums.data, nums.len);
	if (text_width(b.data, b.len) + 32 <= w)
		buf_printf(&b, "  %s callers above, callees below", a->scr.utf8 ? "\xe2\x96\xb2" : "^");
	scr_fill(sw->divider_y, 0, w, a->scr.role_attr[ROLE_STATUS]);
	scr_put(sw->divider_y, 0, w, b.data, b.len, a->scr.role_attr[ROLE_STATUS]);
	buf_release(&b);
	buf_release(&nums);
	flame_view_draw(a, &sw->callees, sw->divider_y + 1, 0, bot_h, w);
}

bool sandwich_view_key(struct tui_app *a, int key)
{
	struct sandwich_state *sw = &a->sw;
	struct flame_pane *fp;

	if (!sw->name)
		return false;
	fp = focused(a);
	/* crossing the divider: down from the function in the callers, up from it below */
	if (fp == &sw->callers && fp->fl.sel == fp->fl.zoom && !fp->fl.sel_plus &&
	    (key == KEY_DOWN || key == 'k')) {
		sw->focus_callers = false;
		return true;
	}
	if (fp == &sw->callees && fp->fl.sel == fp->fl.zoom && !fp->fl.sel_plus &&
	    (key == KEY_UP || key == 'k')) {
		sw->focus_callers = true;
		return true;
	}
	if ((key == '\n' || key == '\r' || key == KEY_ENTER) && fp->fl.sel > 1 && !fp->fl.sel_plus) {
		uint32_t name = fp->tree->name[fp->fl.sel];

		if (sandwich_view_set(a, name))
			scr_message(a, true, "%s", err_last());
		return true;
	}
	return flame_view_key(a, fp, key);
}

void sandwich_view_mouse(struct tui_app *a, int y, int x, bool dbl)
{
	struct sandwich_state *sw = &a->sw;

	if (!sw->name)
		return;
	if (y < sw->divider_y) {
		sw->focus_callers = true;
		flame_view_mouse(a, &sw->callers, y, x, false);
	} else if (y > sw->divider_y) {
		sw->focus_callers = false;
		flame_view_mouse(a, &sw->callees, y, x, false);
	}
	if (dbl)
		sandwich_view_key(a, '\n');
}

void sandwich_view_status(struct tui_app *a, struct buf *out)
{
	if (!a->sw.name) {
		buf_puts(out, "no function chosen");
		return;
	}
	buf_puts(out, a->sw.focus_callers ? "caller: " : "callee: ");
	flame_view_status(a, focused(a), out);
}
