/*
 * sandwich_view.c — view 3: the callers of one function above a divider line naming
 * it, its callees below.  Both halves are flame panes (flame_view.c) over the trees of
 * sandwich_build()'s two profiles: the callers graph is drawn root at the bottom, so
 * the function sits just above the divider with its callers stacked over it.
 * Arrow keys cross the divider; Enter on a caller or callee pivots the sandwich to it,
 * and Esc goes back to the function pivoted from (a stack of names, struct sandwich_state).
 * On a large profile the halves are computed on a worker (struct sandwich_job): the
 * sandwich shown so far stays, and keeps taking keys, until the new one lands.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/text.h"
#include "base/units.h"
#include "profile/sandwich.h"
#include "tui_int.h"

/*
 * Profiles with at most this many frames over all their samples get their sandwich at
 * once, on the UI thread.  sandwich_build() walks every frame of every sample and the
 * trees grow with what it keeps: measured (-O2) from about 80 ns a frame (heapwork-heap,
 * 180k frames in 7.6k samples: 13 ms) to 400 ns (gencode3k-cpu, 565k frames: 227 ms for
 * rt.Call, both halves over 500k nodes), so 10,000 frames cost 4 ms at worst, well under
 * a frame.  The tree's node count is no measure of it: heapwork's tree has 172 nodes.
 */
#define SANDWICH_SYNC_FRAMES 10000

/* The halves of j->name in j->prof (on the worker, or at once for a small profile). */
static void sandwich_job_run(struct job *job)
{
	struct sandwich_job *j = (struct sandwich_job *)job;
	atomic_int *cancel = &j->job.cancel;

	if ((j->rc = sandwich_build_cancellable(j->prof, j->name, cancel, &j->callers_prof,
						&j->callees_prof)) ||
	    (j->rc = tree_build_cancellable(j->callers_prof, cancel, &j->callers_tree)) ||
	    (j->rc = tree_build_cancellable(j->callees_prof, cancel, &j->callees_tree)))
		snprintf(j->err, sizeof(j->err), "%s", err_last());
}

static void sandwich_job_free(struct job *job)
{
	struct sandwich_job *j = (struct sandwich_job *)job;
	int side;

	tree_free(j->callers_tree);
	tree_free(j->callees_tree);
	prof_free(j->callers_prof);
	prof_free(j->callees_prof);
	for (side = 0; side < 2; side++)
		app_path_free(j->path[side], j->npath[side]);
	prof_free(j->prof); /* the job's reference */
	free(j);
}

static void sandwich_job_drop(struct tui_app *a)
{
	struct sandwich_job *j = a->sw.job;

	a->sw.job = NULL;
	job_drop(j ? &j->job : NULL); /* its thread frees it when it ends */
}

/* Lets go of the sandwich shown and the one in flight; the back stack stays. */
static void release_halves(struct tui_app *a)
{
	struct sandwich_state *sw = &a->sw;
	char *back[SANDWICH_BACK_MAX];
	uint32_t nback = sw->nback;

	sandwich_job_drop(a);
	flame_release(&sw->callers.fl.layout);
	flame_release(&sw->callees.fl.layout);
	tree_free(sw->callers_tree);
	tree_free(sw->callees_tree);
	export_view_prof_free(a, sw->callers_prof); /* or to the export writing it */
	export_view_prof_free(a, sw->callees_prof);
	prof_free(sw->from);
	memcpy(back, sw->back, sizeof(back));
	memset(sw, 0, sizeof(*sw));
	memcpy(sw->back, back, sizeof(back));
	sw->nback = nback;
}

static void back_clear(struct sandwich_state *sw)
{
	while (sw->nback > 0)
		free(sw->back[--sw->nback]);
}

void sandwich_view_release(struct tui_app *a)
{
	release_halves(a);
	back_clear(&a->sw);
}

/* Selects the node reached from the pane's zoom root by the names of path (or the
 * deepest one that exists). */
static void pane_select(struct flame_pane *fp, char **path, uint32_t n)
{
	fp->fl.sel = app_tree_find(fp->tree, fp->fl.zoom, path, n);
	fp->fl.sel_plus = false;
}

/*
 * A half as it opens: zoomed to the function, which is selected.  The trees' roots are
 * "all"; the function is their only child.
 */
static void pane_home(struct flame_pane *fp)
{
	fp->fl.zoom = fp->fl.sel = fp->tree->n > 1 ? 1 : 0;
	fp->fl.sel_plus = false;
	fp->fl.nzoom = 0;
	fp->fl.scroll = 0;
}

/* Shows the halves a finished job computed (taking them), in place of the sandwich. */
static void sandwich_install(struct tui_app *a, struct sandwich_job *j)
{
	struct sandwich_state sw = { 0 };

	release_halves(a);
	sw.name = j->name;
	sw.from = prof_ref(j->prof);
	sw.callers_prof = j->callers_prof;
	sw.callees_prof = j->callees_prof;
	sw.callers_tree = j->callers_tree;
	sw.callees_tree = j->callees_tree;
	j->callers_prof = j->callees_prof = NULL;
	j->callers_tree = j->callees_tree = NULL;
	sw.callers.tree = sw.callers_tree;
	sw.callees.tree = sw.callees_tree;
	sw.callers.fl.flame_up = true; /* the function at the bottom, callers above */
	sw.callers.callers = true;
	pane_home(&sw.callers);
	pane_home(&sw.callees);
	if (j->restore) {
		sw.focus_callers = j->focus_callers;
		pane_select(&sw.callers, j->path[0], j->npath[0]);
		pane_select(&sw.callees, j->path[1], j->npath[1]);
	}
	memcpy(sw.back, a->sw.back, sizeof(sw.back)); /* where Esc goes back to stays */
	sw.nback = a->sw.nback;
	a->sw = sw;
}

/*
 * Computes the sandwich of `name` in a->prof: on a worker when the app runs its own loop
 * and the profile is large, else at once.  k (may be NULL): the selection to restore,
 * whose paths the job takes.
 */
static int sandwich_start(struct tui_app *a, uint32_t name, struct sandwich_keep *k)
{
	struct sandwich_job *j;
	int rc;

	sandwich_job_drop(a); /* a newer pivot: the one in flight is never shown */
	if (!(j = calloc(1, sizeof(*j))))
		return err_set(ERR_NOMEM, "out of memory");
	job_init(&j->job, sandwich_job_run, sandwich_job_free);
	j->prof = prof_ref(a->prof);
	j->name = name;
	if (k) {
		j->restore = true;
		j->focus_callers = k->focus_callers;
		memcpy(j->path, k->path, sizeof(j->path));
		memcpy(j->npath, k->npath, sizeof(j->npath));
		memset(k->path, 0, sizeof(k->path));
		memset(k->npath, 0, sizeof(k->npath));
	}
	if (a->async && a->prof->nsample_locs > SANDWICH_SYNC_FRAMES &&
	    job_start(&j->job, true) == 0) {
		a->sw.job = j;
		return 0;
	}
	job_start(&j->job, false); /* small (or drivers and tests, or no thread): at once */
	if ((rc = j->rc))
		err_set(rc, "%s", j->err);
	else
		sandwich_install(a, j);
	sandwich_job_free(&j->job);
	return rc;
}

int sandwich_view_set(struct tui_app *a, uint32_t name)
{
	back_clear(&a->sw); /* chosen from another view: no pivot to go back from */
	return sandwich_start(a, name, NULL);
}

/*
 * Enter on a caller or a callee: the sandwich pivots to `name` (of a->prof), and the
 * function shown is pushed for Esc to come back to (not twice when the last pivot is
 * still on its way and this one replaces it).
 */
static int pivot(struct tui_app *a, uint32_t name)
{
	struct sandwich_state *sw = &a->sw;
	const char *cur = prof_str(sw->from, sw->name);
	char *copy = NULL;
	int rc;

	if (!sw->nback || strcmp(sw->back[sw->nback - 1], cur) != 0) {
		if (!(copy = strdup(cur)))
			return err_set(ERR_NOMEM, "out of memory");
		if (sw->nback == SANDWICH_BACK_MAX) { /* the oldest gives way */
			free(sw->back[0]);
			memmove(sw->back, sw->back + 1, (SANDWICH_BACK_MAX - 1) * sizeof(sw->back[0]));
			sw->nback--;
		}
		sw->back[sw->nback++] = copy;
	}
	if ((rc = sandwich_start(a, name, NULL)) && copy)
		free(sw->back[--sw->nback]); /* no pivot: nothing to go back from */
	return rc;
}

/*
 * Esc with nothing to unzoom: back to the function the last pivot left, looked up by
 * name in a->prof (a filter may have dropped it since: said, and the next one is tried
 * on the next Esc).  False when there is nowhere to go back to.
 */
static bool go_back(struct tui_app *a)
{
	struct sandwich_state *sw = &a->sw;
	char *name;
	uint32_t id;

	if (!sw->nback)
		return false;
	name = sw->back[--sw->nback];
	id = prof_find_str(a->prof, name);
	if (id == PROF_NONE || id == 0)
		scr_message(a, true, "%s is not in the profile shown", name);
	else if (sandwich_start(a, id, NULL))
		scr_message(a, true, "%s", err_last());
	free(name);
	return true;
}

bool sandwich_view_poll(struct tui_app *a)
{
	struct sandwich_job *j = a->sw.job;

	if (!j || !job_poll(&j->job))
		return false;
	a->sw.job = NULL;
	/* only onto the profile it read (new data drops the job first: this is a guard) */
	if (j->prof == a->prof && j->rc) {
		scr_message(a, true, "%s", j->err);
		if (a->sw.from != a->prof)
			release_halves(a);  /* no old numbers passed off as the new data's */
	} else if (j->prof == a->prof)
		sandwich_install(a, j);
	sandwich_job_free(&j->job);
	return true;
}

bool sandwich_view_busy(const struct tui_app *a, double *started_ms)
{
	if (!a->sw.job)
		return false;
	if (started_ms)
		*started_ms = a->sw.job->job.started_ms;
	return true;
}

bool sandwich_view_waiting(const struct tui_app *a, double *started_ms)
{
	return a->sw.job && !a->sw.job->restore && sandwich_view_busy(a, started_ms);
}

uint32_t sandwich_view_pending(const struct tui_app *a)
{
	return a->sw.job ? a->sw.job->name : 0;
}

const char *sandwich_view_pending_name(const struct tui_app *a, size_t *len)
{
	const struct sandwich_job *j = a->sw.job;

	if (!j || !j->name)
		return NULL;
	*len = prof_strlen(j->prof, j->name);
	return prof_str(j->prof, j->name);
}

void sandwich_view_cancel(struct tui_app *a)
{
	sandwich_job_drop(a);
	if (a->sw.from != a->prof)
		release_halves(a);
}

const char *sandwich_view_name(const struct tui_app *a, size_t *len)
{
	if (!a->sw.name)
		return NULL;
	*len = prof_strlen(a->sw.from, a->sw.name);
	return prof_str(a->sw.from, a->sw.name);
}

uint32_t sandwich_view_to_prof(const struct tui_app *a, uint32_t id)
{
	const struct sandwich_state *sw = &a->sw;
	uint32_t found;

	if (!sw->from || sw->from == a->prof || id == 0)
		return id;
	found = prof_find_str(a->prof, prof_str(sw->from, id));
	return found == PROF_NONE ? 0 : found;
}

/* The names from below the pane's zoom root (the function) down to its selection. */
static char **pane_path(const struct flame_pane *fp, uint32_t *n)
{
	*n = 0;
	if (!fp->tree || fp->fl.sel_plus)
		return NULL;
	return app_tree_path(fp->tree, fp->fl.zoom, fp->fl.sel, n);
}

void sandwich_view_save(const struct tui_app *a, struct sandwich_keep *k)
{
	const struct sandwich_state *sw = &a->sw;

	memset(k, 0, sizeof(*k));
	/* a pivot in flight is what the user asked for last: it is the one kept */
	if (sw->job) {
		k->name = strdup(prof_str(sw->job->prof, sw->job->name));
		return;
	}
	if (!sw->name || !(k->name = strdup(prof_str(sw->from, sw->name))))
		return;
	k->focus_callers = sw->focus_callers;
	k->path[0] = pane_path(&sw->callers, &k->npath[0]);
	k->path[1] = pane_path(&sw->callees, &k->npath[1]);
}

void sandwich_view_restore(struct tui_app *a, struct sandwich_keep *k, bool keep)
{
	uint32_t id = k->name ? prof_find_str(a->prof, k->name) : PROF_NONE;
	int side;

	/*
	 * The old halves are drawn with a->type: only kept for new data of the same types.
	 * The function may be gone (filtered out, not in the new data): no sandwich then.
	 */
	if (!keep || !a->sw.from || a->sw.from->ntypes != a->prof->ntypes ||
	    id == PROF_NONE || id == 0)
		release_halves(a);
	if (id != PROF_NONE && id != 0 && sandwich_start(a, id, k) && a->sw.from != a->prof)
		release_halves(a);
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
	if (!sw->name && sw->job) {
		/* the first sandwich is on its way (the bottom line spins; Esc cancels) */
		const struct prof *p = sw->job->prof;
		const char *msg = a->scr.utf8 ? "computing\xe2\x80\xa6 callers and callees of " :
						"computing... callers and callees of ";
		int hint = a->scr.role_attr[ROLE_HINT];
		int used = scr_put(y + 1, 2, w - 2, msg, strlen(msg), hint);

		scr_put_safe(a, y + 1, 2 + used, w - 2 - used, prof_str(p, sw->job->name),
			     prof_strlen(p, sw->job->name), hint);
		return;
	}
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
	text_fit_name(&b, prof_str(sw->from, sw->name), prof_strlen(sw->from, sw->name),
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
	if (key == 'n' || key == 'N') { /* in this half: the sandwich stays */
		flame_view_search_jump(a, fp, fp->tree->n > 1 ? 1 : 0, key == 'n' ? 1 : -1);
		return true;
	}
	if ((key == '\n' || key == '\r' || key == KEY_ENTER) && fp->fl.sel > 1 && !fp->fl.sel_plus) {
		uint32_t name = sandwich_view_to_prof(a, fp->tree->name[fp->fl.sel]);

		if (!name)  /* a sandwich of replaced data, whose function the new data lacks */
			scr_message(a, true, "no such function in the new data");
		else if (pivot(a, name))
			scr_message(a, true, "%s", err_last());
		return true;
	}
	/* Esc: a zoom in this half is undone first, then the last pivot */
	if (key == 27 && fp->fl.nzoom == 0 && go_back(a))
		return true;
	/*
	 * The halves meet at the function: r resets both to it (the flame graph's r zoomed a
	 * half out to its root, "all", between the function and the divider), and i, which
	 * flipped one half away from the divider, leaves them as they are.
	 */
	if (key == 'r') {
		pane_home(&sw->callers);
		pane_home(&sw->callees);
		return true;
	}
	if (key == 'i') {
		scr_message(a, false, "i: the sandwich stays callers above, callees below");
		return true;
	}
	return flame_view_key(a, fp, key);
}

static bool in_pane(const struct flame_pane *fp, int y, int x)
{
	const struct flame_state *fl = &fp->fl;

	return y >= fl->area_y && y < fl->area_y + fl->area_h && x >= fl->area_x &&
	       x < fl->area_x + fl->area_w;
}

/*
 * A click acts only inside a half, where it was drawn: the breadcrumb, the divider and
 * the status lines are no half's (a double-click on the breadcrumb pivoted to the
 * selected caller, a click on the status line moved the focus to the callees).  A click
 * in a half focuses it; a double-click pivots only on a frame it hit.
 */
void sandwich_view_mouse(struct tui_app *a, int y, int x, bool dbl)
{
	struct sandwich_state *sw = &a->sw;
	struct flame_pane *fp;
	uint32_t was;
	bool was_plus;

	if (!sw->name)
		return;
	if (in_pane(&sw->callers, y, x))
		fp = &sw->callers;
	else if (in_pane(&sw->callees, y, x))
		fp = &sw->callees;
	else
		return;
	/* a frame was hit when flame_view_mouse() selected one: the pane's space beside
	 * and below its frames is no frame to pivot to */
	was = fp->fl.sel;
	was_plus = fp->fl.sel_plus;
	fp->fl.sel = PROF_NONE;
	flame_view_mouse(a, fp, y, x, false);
	sw->focus_callers = fp == &sw->callers;
	if (fp->fl.sel == PROF_NONE) {
		fp->fl.sel = was;
		fp->fl.sel_plus = was_plus;
	} else if (dbl) {
		sandwich_view_key(a, '\n');
	}
}

void sandwich_view_status(struct tui_app *a, struct buf *out)
{
	const char *pend;
	size_t len;

	if (!a->sw.name && (pend = sandwich_view_pending_name(a, &len))) {
		buf_puts(out, "computing the callers and callees of ");
		text_safe(out, pend, len, !a->scr.utf8);
		return;
	}
	if (!a->sw.name) {
		buf_puts(out, "no function chosen");
		return;
	}
	buf_puts(out, a->sw.focus_callers ? "caller: " : "callee: ");
	flame_view_status(a, focused(a), out);
}
