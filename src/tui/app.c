/*
 * app.c — the explorer's frame: state, installing a profile, key dispatch, the prompt's
 * editing, search, sample types, the mouse, and the curses main loop.  The chrome lines
 * and the help overlay are drawn by app_draw.c; views draw into the area between them.
 */
#include <curses.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/text.h"
#include "base/units.h"
#include "profile/builder.h"
#include "profile/granularity.h"
#include "tui_int.h"

#define CTRL(c) ((c) & 0x1f)

/* A profile with one sample type and no samples: what the views show before one is
 * opened from a store. */
static int empty_profile(struct prof **out)
{
	struct prof_builder *b;
	uint32_t t, u;
	int rc;

	if ((rc = pb_new(&b)))
		return rc;
	if ((rc = pb_string(b, "samples", 7, &t)) || (rc = pb_string(b, "count", 5, &u)) ||
	    (rc = pb_sample_type(b, t, u))) {
		pb_free(b);
		return rc;
	}
	return pb_finish(b, out);
}

uint32_t app_tree_find(const struct tree *t, uint32_t from, char *const *path, uint32_t n)
{
	uint32_t node = from, d, k;

	for (d = 0; d < n; d++) {
		for (k = tree_first_kid(t, node); k != PROF_NONE; k = tree_next_kid(t, node, k))
			if (strcmp(tree_name(t, k), path[d]) == 0)
				break;
		if (k == PROF_NONE)
			break;
		node = k;
	}
	return node;
}

char **app_tree_path(const struct tree *t, uint32_t from, uint32_t node, uint32_t *n)
{
	uint32_t d, i;
	char **v;

	*n = 0;
	if (node == from || !tree_is_ancestor(t, from, node))
		return NULL;
	d = t->depth[node] - t->depth[from];
	if (!(v = calloc(d, sizeof(*v))))
		return NULL;
	for (i = d; i > 0; node = t->parent[node])
		v[--i] = strdup(tree_name(t, node));
	for (i = 0; i < d; i++)
		if (!v[i]) {
			app_path_free(v, d);
			return NULL;
		}
	*n = d;
	return v;
}

void app_path_free(char **v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/*
 * A pane's place by call path (zoom, selection, zoom stack), which outlives its tree: what
 * new data of the same kind keeps.  A path that is gone leaves its nearest ancestor.
 */
struct pane_place {
	char **zoom, **sel, **stack[ZOOM_STACK_MAX];
	uint32_t nzoom, nsel, nstack[ZOOM_STACK_MAX];
	int depth;
};

static void place_save(const struct tree *t, const struct flame_state *f, struct pane_place *p)
{
	int i;

	memset(p, 0, sizeof(*p));
	if (!t)
		return;
	p->zoom = app_tree_path(t, 0, f->zoom, &p->nzoom);
	p->sel = app_tree_path(t, 0, f->sel, &p->nsel);
	for (i = 0; i < f->nzoom; i++)
		p->stack[i] = app_tree_path(t, 0, f->zoom_stack[i], &p->nstack[i]);
	p->depth = f->nzoom;
}

/* f at p's place in t (keep), else at its root; p is freed either way. */
static void place_restore(const struct tree *t, struct pane_place *p, bool keep,
			  struct flame_state *f)
{
	int i;

	f->nzoom = 0;
	f->zoom = keep ? app_tree_find(t, 0, p->zoom, p->nzoom) : 0;
	f->sel = keep ? app_tree_find(t, 0, p->sel, p->nsel) : 0;
	for (i = 0; keep && i < p->depth; i++)
		f->zoom_stack[f->nzoom++] = app_tree_find(t, 0, p->stack[i], p->nstack[i]);
	if (!tree_is_ancestor(t, f->zoom, f->sel))
		f->sel = f->zoom;
	app_path_free(p->zoom, p->nzoom);
	app_path_free(p->sel, p->nsel);
	for (i = 0; i < p->depth; i++)
		app_path_free(p->stack[i], p->nstack[i]);
}

void app_install_data(struct tui_app *a, struct prof *base, struct prof *shown, struct tree *t,
		      struct top *all, bool diff, const char *source, const char *base_source,
		      bool filters)
{
	uint32_t ty;
	bool same = a->diff == diff && a->prof && a->prof->nsamples;
	struct sandwich_keep sk;
	/* the flame graph's place, and the comparison's own (its panes are in step) */
	struct pane_place pm, pc;
	int i;

	place_save(a->tree, &a->main.fl, &pm);
	place_save(a->tree, &a->cmp[a->cmp_focus].fl, &pc);

	/* the sandwich keeps its function (by name, as the source pane does) */
	sandwich_view_save(a, &sk);
	top_view_invalidate(a);
	if (a->tp.all) {
		for (ty = 0; ty < a->prof->ntypes; ty++)
			top_release(&a->tp.all[ty]);
		free(a->tp.all);
	}
	tree_free(a->tree);
	if (a->prof != a->base)
		export_view_prof_free(a, a->prof);
	app_base_free(a); /* and the job in flight on it, left to its thread */
	free(a->base_total);
	free(a->negative);
	a->base = base;
	a->prof = shown;
	a->tree = t;
	a->tp.all = all;
	a->base_total = calloc(base->ntypes ? base->ntypes : 1, sizeof(*a->base_total));
	a->negative = calloc(base->ntypes ? base->ntypes : 1, sizeof(*a->negative));
	for (ty = 0; a->base_total && a->negative && ty < base->ntypes; ty++) {
		a->base_total[ty] = top_pprof_total(base, ty); /* pprof's: magnitudes, a -diff_base's base */
		a->negative[ty] = prof_total_abs(base, ty) != prof_total(base, ty);
	}
	/* a filtered view's percentages stay of the unfiltered total, as in pprof */
	for (ty = 0; shown != base && a->base_total && ty < shown->ntypes; ty++)
		all[ty].total = a->base_total[ty];
	if (a->diff != diff) {
		/* the table's columns change (enum top_sort / enum diff_sort): by name stays by
		 * name, any other column is the new table's first */
		bool by_name = a->tp.sort == (a->diff ? (int)DIFF_SORT_NAME : (int)TOP_SORT_NAME);

		a->tp.sort = by_name ? (diff ? (int)DIFF_SORT_NAME : (int)TOP_SORT_NAME) : 0;
	}
	a->diff = diff;
	/* the comparison draws a diff's two sides: a profile with one side leaves it (c may
	 * have been pressed while it was being read, with a diff still on screen) */
	if (!diff && a->view == VIEW_COMPARE)
		a->view = VIEW_FLAME;
	a->ntypes = diff ? base->ntypes / 2 : base->ntypes;
	if (a->type >= a->ntypes)
		a->type = base->default_type % (a->ntypes ? a->ntypes : 1);
	snprintf(a->source_buf, sizeof(a->source_buf), "%s", source ? source : "");
	snprintf(a->base_source_buf, sizeof(a->base_source_buf), "%s", base_source ? base_source : "");
	a->opts.source = a->source_buf;
	a->opts.base_source = base_source ? a->base_source_buf : NULL;
	a->opts.diff = diff;
	for (i = 0; i < 3; i++) {
		struct flame_pane *fp = i == 0 ? &a->main : &a->cmp[i - 1];

		flame_release(&fp->fl.layout);
		fp->tree = t;
		fp->fl.scroll = 0;
		fp->fl.sel_plus = false;
	}
	/* a refresh of the same kind of profile keeps each place (by call path) */
	place_restore(t, &pm, same, &a->main.fl);
	place_restore(t, &pc, same, &a->cmp[0].fl);
	a->cmp[1].fl.zoom = a->cmp[0].fl.zoom;
	a->cmp[1].fl.sel = a->cmp[0].fl.sel;
	a->cmp[1].fl.nzoom = a->cmp[0].fl.nzoom;
	memcpy(a->cmp[1].fl.zoom_stack, a->cmp[0].fl.zoom_stack, sizeof(a->cmp[1].fl.zoom_stack));
	sandwich_view_restore(a, &sk, same);
	app_search_refresh(a);
	/* the source pane keeps its function; versions only for a profile from a backend */
	if (!a->sctx.opened)
		source_versions_clear(a);
	a->sctx.opened = false;
	source_view_data_changed(a, filters);
}

void app_install_profile(struct tui_app *a, struct prof *p, struct tree *t, struct top *all,
			 bool diff, const char *source, const char *base_source)
{
	/*
	 * A live refresh of the same query keeps the filter stack (the one a job in flight
	 * applies, else the shown one): the new data lands once the stack is applied to it,
	 * and the old filtered view stays on screen until then.  Else the command line's
	 * filters, if any, apply to every profile opened.
	 */
	uint32_t nty = p->ntypes; /* p may be gone once the refresh has taken it */

	if (a->diff == diff && a->base && a->base->nsamples && a->br.live_reopen &&
	    app_refresh_filtered(a, p, diff, source, base_source)) {
		if (all) {
			for (uint32_t ty = 0; ty < nty; ty++)
				top_release(&all[ty]);
			free(all);
		}
		tree_free(t); /* of the unfiltered data: the job makes the filtered one's */
		return;
	}
	app_install_data(a, p, p, t, all, diff, source, base_source, false);
	a->nfilters = 0;
	a->gran = 0;
	if (app_filters_initial(a, a->opts.filters, a->opts.granularity, a->opts.collapse_recursion))
		scr_message(a, true, "%s", err_last());
}

uint32_t app_pane_type(const struct tui_app *a, const struct flame_pane *fp)
{
	return a->diff && fp->side == PANE_BASE ? a->type + a->ntypes : a->type;
}

uint32_t app_pane_type2(const struct tui_app *a, const struct flame_pane *fp)
{
	return a->diff && fp->side == PANE_ONE ? a->type + a->ntypes : PROF_NONE;
}

int64_t app_pane_value(const struct tui_app *a, const struct flame_pane *fp, uint32_t node)
{
	return flame_magnitude(fp->tree, node, app_pane_type(a, fp), app_pane_type2(a, fp));
}

int app_signed_step(const struct tui_app *a, const struct flame_pane *fp, uint32_t node)
{
	uint32_t ty = app_pane_type(a, fp);

	if (a->diff || !a->negative || !a->negative[ty] || !a->base_total[ty])
		return 0;
	return diff_step(&a->dscale,
			 (double)tree_total(fp->tree, node, ty) / (double)a->base_total[ty]);
}

int app_diff_step(const struct tui_app *a, const struct tree *t, uint32_t node)
{
	uint32_t ty = a->type, tb = a->type + a->ntypes;

	if (!a->diff)
		return 0;
	return diff_step(&a->dscale, diff_change(&a->dscale, tree_total(t, node, tb),
						 tree_total(t, node, ty), a->base_total[tb],
						 a->base_total[ty]));
}

/* `less ▇▇▇▇ ▇ ▇▇▇▇ more · proportional · ±0.1 % neutral · + new − removed` */
void app_draw_legend(struct tui_app *a, int y, int w)
{
	const char *blk = a->scr.utf8 ? "\xe2\x96\x87" : "#";
	size_t bl = strlen(blk);
	char tail[160], thr[32];
	int x = 1, k;

	scr_fill(y, 0, w, A_NORMAL);
	x += scr_put(y, x, w - x, "less ", 5, a->scr.role_attr[ROLE_HINT]);
	for (k = -DIFF_STEPS; k <= DIFF_STEPS && x < w; k++) {
		int attr = a->scr.diff_attr[DIFF_STEPS + k];

		if (!a->scr.colour) /* no colours: the steps as signs */
			x += scr_put(y, x, w - x, k < 0 ? "-" : k > 0 ? "+" : "=", 1, attr);
		else
			x += scr_put(y, x, w - x, blk, bl, attr);
		if (k == -1 || k == 0)
			x += scr_put(y, x, w - x, " ", 1, A_NORMAL);
	}
	snprintf(thr, sizeof(thr), "%.3g", a->dscale.threshold * 100);
	if (!a->diff) /* a signed profile: its values are new minus base */
		snprintf(tail, sizeof(tail), " more%snew minus base, of the base total%s%s%s %% neutral",
			 a->dot, a->dot, a->scr.utf8 ? "\xc2\xb1" : "+-", thr);
	else
		snprintf(tail, sizeof(tail), " more%s%s%s%s%s %% neutral%s+ new %s removed", a->dot,
			 a->dscale.absolute ? "absolute" : "proportional", a->dot,
			 a->scr.utf8 ? "\xc2\xb1" : "+-", thr, a->dot,
			 a->scr.utf8 ? "\xe2\x88\x92" : "-");
	scr_put(y, x, w - x, tail, strlen(tail), a->scr.role_attr[ROLE_HINT]);
}

double app_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void app_format_value(const struct tui_app *a, char *out, size_t n, int64_t v)
{
	units_format(out, n, v, prof_str(a->prof, a->prof->sample_types[a->type].unit));
}

/* Regex-quotes s so it matches itself exactly. */
void app_quote_regex(struct buf *out, const char *s, size_t n)
{
	buf_puts(out, "^");
	granularity_regex_quote(out, s, n);
	buf_puts(out, "$");
}

void app_search_refresh(struct tui_app *a)
{
	if (!a->searching)
		return;
	if (search_run(&a->search, a->tree, a->type, &a->matched)) {
		scr_message(a, true, "search: %s", err_last());
		a->searching = false;
	}
}

void app_set_search(struct tui_app *a, const char *pat)
{
	struct search s;

	if (!pat || !*pat) {
		search_release(&a->search);
		a->searching = false;
		a->search_pat[0] = '\0';
		return;
	}
	if (search_compile(&s, pat)) {
		scr_message(a, true, "%s", err_last());
		return;
	}
	search_release(&a->search);
	a->search = s;
	a->searching = true;
	a->match_pos = UINT32_MAX;
	snprintf(a->search_pat, sizeof(a->search_pat), "%s", pat);
	app_search_refresh(a);
}

void app_search_jump(struct tui_app *a, int dir)
{
	uint32_t n;

	if (!a->searching || a->search.ntops == 0) {
		scr_message(a, false, "%s", a->searching ? "no match" : "no search: / starts one");
		return;
	}
	n = a->search.ntops;
	if (a->match_pos == UINT32_MAX)
		a->match_pos = dir > 0 ? 0 : n - 1;
	else
		a->match_pos = (a->match_pos + n + (uint32_t)(dir > 0 ? 1 : n - 1)) % n;
	flame_view_reveal(a, &a->main, a->search.tops[a->match_pos]);
	a->view = VIEW_FLAME;
	scr_message(a, false, "match %u of %u", a->match_pos + 1, n);
}

void app_set_type(struct tui_app *a, uint32_t type)
{
	const struct prof *p = a->prof;

	if (type >= a->ntypes)
		type = 0;
	a->type = type;
	top_view_invalidate(a);
	app_search_refresh(a);
	source_view_data_changed(a, false); /* the pane's numbers are per type too */
	scr_message(a, false, "sample type: %s (%s)", prof_str(p, p->sample_types[type].type),
		    prof_str(p, p->sample_types[type].unit));
}

/* tui_app_new; deferred: the browser's first query waits for browser_view_start(). */
static int app_new(struct prof *p, const struct tui_opts *o, bool deferred, struct tui_app **out)
{
	struct tui_app *a = calloc(1, sizeof(*a));
	int rc;

	*out = NULL;
	if (!a || (!p && (rc = empty_profile(&p)))) {
		prof_free(p);
		free(a);
		backend_close(o->backend);
		return err_set(ERR_NOMEM, "out of memory");
	}
	a->base = a->prof = p;
	a->opts = *o;
	a->tp.all = calloc(p->ntypes, sizeof(*a->tp.all));
	a->base_total = calloc(p->ntypes, sizeof(*a->base_total));
	a->negative = calloc(p->ntypes, sizeof(*a->negative));
	if (!a->tp.all || !a->base_total || !a->negative) {
		tui_app_free(a);
		return err_set(ERR_NOMEM, "out of memory");
	}
	if ((rc = tree_build(p, &a->tree)) || (rc = top_from_tree(a->tree, a->tp.all))) {
		tui_app_free(a);
		return rc;
	}
	a->main.tree = a->tree;
	a->cmp[0].tree = a->cmp[1].tree = a->tree;
	a->cmp[0].side = PANE_BASE;
	a->cmp[1].side = PANE_NEW;
	a->cmp_focus = 1;
	a->diff = o->diff;
	a->ntypes = a->diff ? p->ntypes / 2 : p->ntypes;
	a->dscale.threshold = o->diff_threshold > 0 ? o->diff_threshold : DIFF_DEFAULT_THRESHOLD;
	a->dscale.absolute = o->diff_absolute;
	for (uint32_t ty = 0; ty < p->ntypes; ty++) {
		a->base_total[ty] = top_pprof_total(p, ty);
		a->negative[ty] = prof_total_abs(p, ty) != prof_total(p, ty);
	}
	a->type = o->sample_type >= 0 && (uint32_t)o->sample_type < a->ntypes ?
			  (uint32_t)o->sample_type : p->default_type % (a->ntypes ? a->ntypes : 1);
	if (o->theme) {
		if ((rc = theme_load(&a->theme, o->theme))) {
			tui_app_free(a);
			return rc;
		}
	} else {
		theme_default(&a->theme);
	}
	if (o->color_blind)
		a->theme.color_blind = true;
	a->scr.utf8 = text_locale_utf8();
	a->dot = a->scr.utf8 ? " \xc2\xb7 " : " - ";
	a->src.ver = -1;
	if ((rc = source_settings_memo_new(a))) {
		tui_app_free(a);
		return rc;
	}
	if ((rc = app_filters_initial(a, o->filters, o->granularity, o->collapse_recursion))) {
		tui_app_free(a);
		return rc;
	}
	if (o->backend) {
		struct backend *bh = o->backend;

		/* one handle for the browser, one for the source pane's version merges; each
		 * job has one more of its own (it may outlive the app: q does not wait) */
		if ((rc = backend_share(o->backend, &bh, &a->sctx.be))) {
			tui_app_free(a); /* closes a->opts.backend, still the app's */
			return rc;
		}
		if (o->opened_ptype) {
			/* p was merged from the backend (smolder view --db/--url): its query,
			 * as the browser gives one it opens; no service: the selector names it,
			 * or every service's series are split by ref, as `smolder list --db`
			 * does */
			struct time_range r = { o->opened_from_ns, o->opened_to_ns };
			const char *sel = o->opened_selector;

			source_versions_opened(a, "", o->opened_ptype, sel && *sel ? sel : "{}",
					       r, (enum aggregate)o->aggregate, NULL, 0);
			a->sctx.opened = false; /* p is installed already: not the next one */
		}
		a->opts.opened_ptype = a->opts.opened_selector = NULL; /* borrowed, copied */
		browser_view_init(a, bh, o->backend_name, o->browser_selector, false);
		a->opts.backend = NULL; /* owned by the browser now */
		if ((rc = browser_view_set_first(a, o->browser_from, o->browser_to,
						 (enum aggregate)o->aggregate))) {
			err_prefix(rc, "the browser's range");
			tui_app_free(a);
			return rc;
		}
		if (!deferred)
			browser_view_start(a); /* else tui_run's, once the screen is up */
		if (o->start_in_browser)
			a->view = VIEW_BROWSER;
	}
	*out = a;
	return 0;
}

int tui_app_new(struct prof *p, const struct tui_opts *o, struct tui_app **out)
{
	return app_new(p, o, false, out);
}

void tui_app_free(struct tui_app *a)
{
	if (!a)
		return;
	export_view_release(a); /* waits: the file is written whole */
	flame_release(&a->main.fl.layout);
	flame_release(&a->cmp[0].fl.layout);
	flame_release(&a->cmp[1].fl.layout);
	top_view_invalidate(a);
	free(a->tp.keep);
	if (a->tp.all) {
		uint32_t t;

		for (t = 0; t < a->base->ntypes; t++)
			top_release(&a->tp.all[t]);
		free(a->tp.all);
	}
	search_release(&a->tp.filter);
	search_release(&a->search);
	sandwich_view_release(a);
	source_view_release(a);
	source_settings_memo_free(a); /* a search still running keeps its reference */
	source_versions_release(a);
	browser_view_release(a);
	/* set only when tui_app_new failed before handing it to the browser: still ours */
	backend_close(a->opts.backend);
	tree_free(a->tree);
	if (a->prof != a->base)
		prof_free(a->prof);
	app_base_free(a); /* a job in flight is not waited for: q quits at once */
	free(a->base_total);
	free(a->negative);
	free(a);
}

/* Applies the prompt's text as a `kind` prompt ('/', '#' or ':'); final on Enter. */
/* false when a final (Enter) apply failed: the error is on the message line */
static bool prompt_apply(struct tui_app *a, char kind, bool final)
{
	char pat[PROMPT_MAX];
	struct search probe;

	snprintf(pat, sizeof(pat), "%.*s", (int)a->prompt_len, a->prompt);
	if (kind == 's' || kind == 'b' || kind == 't') {
		if (!final)
			return true;
		if (kind == 't' && browser_view_set_range(a, pat))
			scr_message(a, true, "range: %s", err_last());
		else if (kind == 's' && browser_view_set_selector(a, pat))
			scr_message(a, true, "selector: %s", err_last());
		else if (kind == 'b')
			browser_view_breakdown(a, pat);
		return true;
	}
	if (kind == 'e') {
		if (final)
			export_view_write(a, pat);
		return true;
	}
	if (kind == ':') {
		if (final)
			app_command(a, pat);
		return true;
	}
	if (a->view == VIEW_TOP && kind == '/') {
		if (top_view_set_filter(a, pat) && final) {
			scr_message(a, true, "%s", err_last());
			return false;
		}
		return true;
	}
	if (a->view == VIEW_SOURCE && kind == '/') {
		if (source_view_set_search(a, pat) && final) {
			scr_message(a, true, "%s", err_last());
			return false;
		} else if (final && *pat) {
			source_view_search_jump(a, 1);
		}
		return true;
	}
	if (!*pat) {
		app_set_search(a, NULL);
		return true;
	}
	if (search_compile(&probe, pat)) {
		if (final)
			scr_message(a, true, "%s", err_last());
		return !final;
	}
	search_release(&probe);
	app_set_search(a, pat);
	return true;
}

/*
 * After Esc, or an Enter whose pattern does not compile: what typing applied on the way (a
 * valid prefix: `json` of `json(`) is replaced by what was there before `/`, so the
 * screen does not show a search or a filter that is not the one typed, next to its error.
 */
static void prompt_restore(struct tui_app *a)
{
	const char *prev = a->prompt_prev_on ? a->prompt_prev : "";

	if (a->view == VIEW_TOP)
		top_view_set_filter(a, prev);
	else if (a->view == VIEW_SOURCE)  /* its `/` searches the code */
		source_view_set_search(a, prev);
	else  /* the views whose `/` is the search */
		app_set_search(a, *prev ? prev : NULL);
}

static void prompt_key(struct tui_app *a, int key)
{
	if (key != '\t')
		a->message[0] = '\0'; /* completions are shown until the next key */
	if (a->prompt_kind == 'o') { /* one key answers "overwrite PATH? y/N" */
		export_view_confirm(a, key);
		return;
	}
	if (key == 27) {
		/* Esc cancels `/`: what the typing applied on the way goes too */
		if (a->prompt_kind == '/')
			prompt_restore(a);
		a->prompt_kind = 0;
		return;
	}
	if (key == '\t' && a->prompt_kind == ':') {
		app_command_complete(a);
		return;
	}
	if (key == '\t' && (a->prompt_kind == 's' || a->prompt_kind == 'b')) {
		browser_view_complete(a);
		return;
	}
	if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		char kind = a->prompt_kind;

		/* an empty `/` Enter repeats the pattern in use, as vim's and less's do (Esc
		 * clears the top table's filter, and the search) */
		if (kind == '/' && a->prompt_len == 0 && a->prompt_prev_on) {
			a->prompt_len = strlen(a->prompt_prev);
			memcpy(a->prompt, a->prompt_prev, a->prompt_len);
		}
		a->prompt_kind = 0;
		if (!prompt_apply(a, kind, true)) {
			prompt_restore(a);
			return;
		}
		if (kind == ':' || kind == 'e' || kind == 's' || kind == 'b' || kind == 't')
			return;
		if (a->view == VIEW_FLAME && a->searching && a->search.ntops)
			app_search_jump(a, 1);
		else if (a->view == VIEW_FLAME && a->searching)
			scr_message(a, false, "no match");
		return;
	}
	if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		while (a->prompt_len > 0) {
			a->prompt_len--;
			if (((unsigned char)a->prompt[a->prompt_len] & 0xc0) != 0x80)
				break;
		}
	} else if (key == CTRL('u')) {
		a->prompt_len = 0;
	} else if (key == KEY_UP && a->prompt_kind == '/' && a->prompt_prev[0]) {
		a->prompt_len = strlen(a->prompt_prev);  /* the pattern before `/`, to edit */
		memcpy(a->prompt, a->prompt_prev, a->prompt_len);
	} else if (key >= 0x20 && key < 0x100 && key != 127 && a->prompt_len + 1 < PROMPT_MAX) {
		a->prompt[a->prompt_len++] = (char)key;
	} else {
		return;
	}
	prompt_apply(a, a->prompt_kind, false); /* incremental: results follow the typing */
}

/* The selected function's name (a string id) in whichever view is showing, or 0. */
static uint32_t selected_name(const struct tui_app *a)
{
	const struct flame_pane *fp = &a->main;

	if (a->view == VIEW_TOP)
		return top_view_selected_name(a); /* a diff's rows are of tp.dtop, not tp.top */
	if (a->view == VIEW_SOURCE) /* the pane's, not the hidden flame selection */
		return source_view_frame(a);
	if (a->view == VIEW_SANDWICH) {
		if (!a->sw.name)
			return 0;
		fp = a->sw.focus_callers ? &a->sw.callers : &a->sw.callees;
	} else if (a->view == VIEW_COMPARE) {
		fp = &a->cmp[a->cmp_focus];
	}
	if (fp->fl.sel_plus || fp->fl.sel == 0)
		return 0;
	/* a sandwich of replaced data names its nodes by the old profile's ids */
	return a->view == VIEW_SANDWICH ? sandwich_view_to_prof(a, fp->tree->name[fp->fl.sel]) :
					  fp->tree->name[fp->fl.sel];
}

/*
 * Entering an empty sandwich (3 inside it, Tab, a tab click, or after filters dropped its
 * function) pivots on `from`, the function selected where the user was, or when none on
 * the flame graph's selection, so that "select a function, then press 3" is never a dead
 * end.
 */
static void sandwich_default_pivot(struct tui_app *a, uint32_t from)
{
	const struct flame_pane *fp = &a->main;
	uint32_t name = from;

	if (a->view != VIEW_SANDWICH || a->sw.name || sandwich_view_pending(a))
		return;
	if (!name) {
		if (!fp->tree || fp->fl.sel_plus || fp->fl.sel == 0)
			return;
		name = fp->tree->name[fp->fl.sel];
	}
	if (name && sandwich_view_set(a, name))
		scr_message(a, true, "%s", err_last());
}

/*
 * Shows the function `name` in the source pane, as 4 does; a server's flame graph has no
 * lines, so the full profile is asked for first.
 */
static void source_open(struct tui_app *a, uint32_t name)
{
	if (name && !(a->br.flame_only && browser_view_want_full(a, prof_str(a->prof, name))) &&
	    source_view_set(a, name))
		scr_message(a, true, "%s", err_last());
}

/*
 * Entering an empty source pane (Tab, a tab click, 4 inside it) shows the flame graph's
 * selection: as for the sandwich, "select a function, then go to 4" is never a dead end.
 */
static void source_default(struct tui_app *a)
{
	const struct flame_pane *fp = &a->main;

	if (a->view != VIEW_SOURCE || a->src.fname || !fp->tree || fp->fl.sel_plus ||
	    fp->fl.sel == 0)
		return;
	source_open(a, fp->tree->name[fp->fl.sel]);
}

/*
 * Tab, shift-Tab and a click on a tab moved the view to v: the sandwich and the source
 * pane take what entering them by 3 and 4 takes.  `from` is the function selected where
 * the user was (selected_name() before the move), 0 when none: the source pane shows it,
 * as 4 does, even when it showed another function (Tab kept the old one), and, as 4
 * does, the flame graph's selection when nothing was selected there and the pane is
 * empty.  The sandwich pivots only when it is empty, on `from` first as well.  The top
 * table's selection is `from` unless the table was entered by Tab and nothing was picked
 * there since (moved, filtered, sorted, clicked: tp.chosen): Tab Tab from the flame graph
 * passes through the table, whose selected row the user did not pick this time.
 */
static void view_entered(struct tui_app *a, enum view was, uint32_t from, bool by_tab)
{
	if (was == VIEW_TOP && !a->tp.chosen)
		from = 0;  /* only passed through: its first row is no choice */
	if (a->view == VIEW_TOP && was != VIEW_TOP)
		a->tp.chosen = !by_tab;  /* a click on its tab goes there as 2 does */
	sandwich_default_pivot(a, was != VIEW_SANDWICH ? from : 0);
	if (a->view == VIEW_SOURCE && was != VIEW_SOURCE && from)
		source_open(a, from);
	else
		source_default(a);
}

/*
 * The selected name as an exact regex in out; false, with a message, when none.  A
 * filter (f x -) matches function, file and mapping names, as pprof's -focus does, on the
 * profile before granularity, where no function is named "F file:line" or "pkg", and
 * code without symbols ("[prog]") only by its mapping's file: it gets what the frame
 * stands for there (granularity_frame_regex: the function, the line's function, the
 * file's stored names, the package's functions, the mapping's file), and the source pane
 * its function.  The search (#) runs on the frames shown: the name itself.
 */
static bool selected_regex(struct tui_app *a, struct buf *out, bool filter)
{
	uint32_t name = selected_name(a);

	if (filter && a->view == VIEW_SOURCE) {
		name = a->src.fname ? prof_find_str(a->prof, a->src.fname) : PROF_NONE;
		if (name == PROF_NONE)
			name = 0;
	}

	if (!name) {
		scr_message(a, false, "select a function first");
		return false;
	}
	if (filter && a->view != VIEW_SOURCE) {
		const char *s = prof_str(a->prof, name);

		if (granularity_frame_regex(out, a->base, (enum granularity)a->gran, s,
					    prof_strlen(a->prof, name),
					    sizeof(a->filters[0].pat) - 1) == 0)
			return true;
		scr_message(a, true, "%s", err_last());
		return false;
	}
	app_quote_regex(out, prof_str(a->prof, name), prof_strlen(a->prof, name));
	return true;
}

bool tui_app_key(struct tui_app *a, int key)
{
	if (a->prompt_kind) {
		prompt_key(a, key);
		return true;
	}
	/* less's and vim's page keys: ^F ^D a page forward, ^B ^U a page back (PgDn, PgUp) */
	if (key == CTRL('f') || key == CTRL('d'))
		key = KEY_NPAGE;
	else if (key == CTRL('b') || key == CTRL('u'))
		key = KEY_PPAGE;
	if (export_view_key(a, key))
		return true;
	/* Esc cancels what the user waits for; a live refresh's query is not that (Esc is
	 * then the view's: unzoom, back) */
	if (key == 27 && (app_job_waiting(a) || source_view_busy(a, NULL) ||
			  browser_view_waiting(a, NULL) || sandwich_view_waiting(a, NULL))) {
		if (app_job_waiting(a))
			app_cancel_job(a); /* dropped at once */
		if (sandwich_view_waiting(a, NULL))
			sandwich_view_cancel(a); /* likewise: the shown sandwich stays */
		source_view_cancel(a);
		if (browser_view_waiting(a, NULL))
			browser_view_cancel(a);
		scr_message(a, false, "%s", source_view_busy(a, NULL) || browser_view_waiting(a, NULL) ?
						  "cancelling..." : "cancelled");
		return true;
	}
	a->message[0] = '\0';
	if (a->help) {
		int h, w;

		getmaxyx(stdscr, h, w);
		if (!app_help_fits(h, w))
			a->help = false;  /* shrunk since: the key is the view's again */
	}
	if (a->help) {
		/* a page is the box's inside (h - 2 lines less its borders and title); G goes
		 * past the end, which drawing the help clamps to its last page */
		int page = getmaxy(stdscr) - 6 > 1 ? getmaxy(stdscr) - 6 : 1;

		if (key == 'j' || key == KEY_DOWN)
			a->help_scroll++;
		else if ((key == 'k' || key == KEY_UP) && a->help_scroll > 0)
			a->help_scroll--;
		else if (key == KEY_NPAGE || key == ' ')
			a->help_scroll += page;
		else if (key == KEY_PPAGE)
			a->help_scroll = a->help_scroll > page ? a->help_scroll - page : 0;
		else if (key == 'g' || key == KEY_HOME)
			a->help_scroll = 0;
		else if (key == 'G' || key == KEY_END)
			a->help_scroll = INT_MAX / 2;
		else if (key == 'q' || key == 27 || key == '?' || key == KEY_F(1))
			a->help = false;
		return true;
	}
	if (a->view == VIEW_BROWSER && key != 'q' && browser_view_key(a, key))
		return true;
	if (a->view != VIEW_BROWSER && browser_view_profile_key(a, key))
		return true;
	switch (key) {
	case 'q':
		return false;
	case 'T':
		if (!a->br.be)
			scr_message(a, false, "T: no store or server open here (smolder --db PATH or "
					      "--url URL browses one)");
		else
			a->view = VIEW_BROWSER;
		return true;
	case '?':
	case KEY_F(1): {
		int h, w;

		getmaxyx(stdscr, h, w);
		if (!app_help_fits(h, w)) {
			scr_message(a, false, "help needs %dx%d at least", HELP_MIN_W, HELP_MIN_H);
			return true;
		}
		a->help = true;
		a->help_scroll = 0;
		return true;
	}
	case '1':
		a->view = VIEW_FLAME;
		return true;
	case '2':
		a->tp.chosen = true;  /* its selected row is as good as picked, as for 3 and 4 */
		a->view = VIEW_TOP;
		return true;
	case '3': {
		uint32_t name = a->view == VIEW_SANDWICH ? 0 : selected_name(a);

		if (name && sandwich_view_set(a, name))
			scr_message(a, true, "%s", err_last());
		a->view = VIEW_SANDWICH;
		sandwich_default_pivot(a, 0);
		return true;
	}
	case '\t':
	case KEY_BTAB: {
		enum view was = a->view;
		uint32_t from = selected_name(a);

		do
			a->view = (enum view)((a->view + (key == '\t' ? 1 : VIEW_COUNT - 1)) % VIEW_COUNT);
		while (!app_view_shown(a, a->view));
		view_entered(a, was, from, true);
		return true;
	}
	case '4': {
		uint32_t name = a->view == VIEW_SOURCE ? 0 : selected_name(a);

		source_open(a, name);
		a->view = VIEW_SOURCE;
		if (!name) /* 4 in the pane, or nothing selected where it was pressed */
			source_default(a);
		return true;
	}
	case 'c':
		if (!a->diff) {
			scr_message(a, false, "%s", COMPARE_NEEDS_DIFF);
			return true;
		}
		/* arrive where the diff graph was, with its zoom stack (Esc unzooms as it
		 * would have there) and its modes */
		if (a->view == VIEW_FLAME) {
			int i;

			for (i = 0; i < 2; i++) {
				struct flame_state *f = &a->cmp[i].fl;

				f->zoom = a->main.fl.zoom;
				f->sel = a->main.fl.sel;
				f->sel_plus = false;
				memcpy(f->zoom_stack, a->main.fl.zoom_stack, sizeof(f->zoom_stack));
				f->nzoom = a->main.fl.nzoom;
				f->flame_up = a->main.fl.flame_up;
				f->by_size = a->main.fl.by_size;
				f->scroll = 0;
			}
		}
		a->view = VIEW_COMPARE;
		return true;
	case 'a':
		if (!a->diff) {
			scr_message(a, false, "a: proportional/absolute is for diffs");
			return true;
		}
		a->dscale.absolute = !a->dscale.absolute;
		top_view_invalidate(a);
		scr_message(a, false, "%s", a->dscale.absolute ?
			    "absolute: change of value, relative to the base total" :
			    "proportional: change of each side's share of its own total");
		return true;
	case 't':
		app_set_type(a, (a->type + 1) % a->ntypes);
		return true;
	case '/':
		/* an empty prompt, as vim's and less's; Up recalls the pattern in use */
		a->prompt_kind = '/';
		a->prompt_len = 0;
		a->prompt_prev[0] = '\0';
		a->prompt_prev_on = false;
		if (a->view == VIEW_TOP) {
			snprintf(a->prompt_prev, sizeof(a->prompt_prev), "%s", a->tp.filter_pat);
			a->prompt_prev_on = a->tp.filter.code != NULL;
		} else if (a->view == VIEW_SOURCE) {
			if (a->src.search.code && a->src.search.pattern) {
				snprintf(a->prompt_prev, sizeof(a->prompt_prev), "%s",
					 a->src.search.pattern);
				a->prompt_prev_on = true;
			}
		} else if (a->searching) {
			snprintf(a->prompt_prev, sizeof(a->prompt_prev), "%s", a->search_pat);
			a->prompt_prev_on = true;
		}
		return true;
	case '#': {
		struct buf b = BUF_INIT;

		if (selected_regex(a, &b, false)) {
			if (a->view != VIEW_FLAME)
				a->view = VIEW_FLAME;
			app_set_search(a, b.data);
		}
		buf_release(&b);
		return true;
	}
	case ':':
		a->prompt_kind = ':';
		a->prompt_len = 0;
		a->message[0] = '\0';
		return true;
	case 'f':
	case 'x':
	case '-': {
		struct buf b = BUF_INIT;

		if (selected_regex(a, &b, true) &&
		    app_filter_push(a, key == 'f' ? FK_FOCUS : key == 'x' ? FK_IGNORE : FK_HIDE, b.data))
			scr_message(a, true, "%s", err_last());
		buf_release(&b);
		return true;
	}
	case 'F':
		app_filter_pop(a);
		return true;
	case 'p':
		if (!a->br.be)
			scr_message(a, false, "p pauses live updates: no store or server open here "
					      "(smolder --db PATH or --url URL)");
		else
			browser_view_pause(a);
		return true;
	case 'R':
		app_toggle_recursion(a);
		return true;
	case 'e':
		export_view_begin(a);
		return true;
	case 'y': {
		uint32_t name;

		if (a->view == VIEW_SOURCE) {
			source_view_copy(a);
			return true;
		}
		name = selected_name(a);

		if (!name) {
			scr_message(a, false, "select a function first");
			return true;
		}
		scr_clipboard(prof_str(a->prof, name), prof_strlen(a->prof, name));
		scr_message(a, false, "copied %s", prof_str(a->prof, name));
		return true;
	}
	case 'n':
	case 'N':
		if (a->view == VIEW_SOURCE)
			source_view_search_jump(a, key == 'n' ? 1 : -1);
		else if (a->view == VIEW_COMPARE)
			compare_view_key(a, key); /* within its focused side */
		else if (a->view == VIEW_SANDWICH && a->sw.name)
			sandwich_view_key(a, key); /* within its focused half */
		else if (a->view == VIEW_TOP)
			top_view_key(a, key); /* the rows of its own / filter */
		else
			app_search_jump(a, key == 'n' ? 1 : -1);
		return true;
	case CTRL('l'):
		clearok(curscr, TRUE);
		return true;
	}
	if (a->view == VIEW_FLAME)
		flame_view_key(a, &a->main, key);
	else if (a->view == VIEW_SANDWICH)
		sandwich_view_key(a, key);
	else if (a->view == VIEW_COMPARE)
		compare_view_key(a, key);
	else if (a->view == VIEW_SOURCE)
		source_view_key(a, key);
	else if (a->view == VIEW_TOP)
		top_view_key(a, key);
	return true;
}

static void on_mouse(struct tui_app *a)
{
	MEVENT ev;
	bool dbl;

	if (getmouse(&ev) != OK)
		return;
	/*
	 * The mouse acts on what is seen, and a prompt or a question takes only keys: while
	 * one is open (`/`, `:`, a path, overwrite y/N, the format after `e`) the mouse is
	 * ignored, as a line editor ignores it (a click on a tab switched the view under a
	 * `/` typed in the top table, whose Enter then searched the flame graph; the wheel
	 * typed j and k into it).  The help box covers the view: the wheel scrolls it and a
	 * click closes it, as Esc does, and does nothing else (a double-click in it zoomed
	 * the flame graph under it, a click on a tab changed the view behind it).
	 */
	if (a->prompt_kind || a->exporting)
		return;
	if (a->help && !(ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED))) {
		if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON1_PRESSED))
			a->help = false;
		return;
	}
	if (ev.bstate & BUTTON4_PRESSED) {
		tui_app_key(a, a->view == VIEW_FLAME && !a->help ? (a->main.fl.flame_up ? 'j' : 'k') :
								 'k');
		return;
	}
	if (ev.bstate & BUTTON5_PRESSED) {
		tui_app_key(a, a->view == VIEW_FLAME && !a->help ? (a->main.fl.flame_up ? 'k' : 'j') :
								 'j');
		return;
	}
	if (!(ev.bstate & (BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON1_PRESSED)))
		return;
	dbl = (ev.bstate & BUTTON1_DOUBLE_CLICKED) != 0;
	if (ev.y == 0) {
		enum view was = a->view;
		uint32_t from = selected_name(a);
		int i;

		for (i = 0; i < VIEW_COUNT; i++)
			if (a->tab_w[i] && ev.x >= a->tab_x[i] && ev.x < a->tab_x[i] + a->tab_w[i])
				a->view = (enum view)i;
		view_entered(a, was, from, false);
		return;
	}
	a->message[0] = '\0';
	if (a->view == VIEW_FLAME)
		flame_view_mouse(a, &a->main, ev.y, ev.x, dbl);
	else if (a->view == VIEW_SANDWICH)
		sandwich_view_mouse(a, ev.y, ev.x, dbl);
	else if (a->view == VIEW_COMPARE)
		compare_view_mouse(a, ev.y, ev.x, dbl);
	else if (a->view == VIEW_SOURCE)
		source_view_mouse(a, ev.y, dbl);
	else if (a->view == VIEW_BROWSER)
		browser_view_mouse(a, ev.y, ev.x, dbl);
	else
		top_view_mouse(a, ev.y, dbl);
}

int tui_run(struct prof *p, const struct tui_opts *o)
{
	struct tui_app *a;
	SCREEN *scr;
	FILE *tty_in = NULL;
	int rc, key;

	if (o->progress && p && isatty(STDERR_FILENO))
		fprintf(stderr, "\rbuilding the call tree of %u samples...", p->nsamples);
	rc = app_new(p, o, true, &a);
	if (o->progress && isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[K");
	if (rc)
		return rc;
	if (!isatty(STDIN_FILENO)) {
		/* the profile came on stdin: keys come from the terminal */
		tty_in = fopen("/dev/tty", "r");
		if (!tty_in) {
			tui_app_free(a);
			return err_set(ERR_IO, "the explorer needs a terminal (no /dev/tty)");
		}
	}
	if (!isatty(STDOUT_FILENO)) {
		if (tty_in)
			fclose(tty_in);
		tui_app_free(a);
		return err_set(ERR_IO, "the explorer needs a terminal on stdout (try `smolder top`)");
	}
	/*
	 * main catches SIGTERM to cancel a verb's work; the explorer's is ncurses's own,
	 * which restores the terminal and exits, and which newterm sets only over the default
	 */
	signal(SIGTERM, SIG_DFL);
	scr = newterm(NULL, stdout, tty_in ? tty_in : stdin);
	if (!scr) {
		if (tty_in)
			fclose(tty_in);
		tui_app_free(a);
		return err_set(ERR_IO, "cannot start the terminal UI (TERM='%s')",
			       getenv("TERM") ? getenv("TERM") : "");
	}
	set_term(scr);
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	scr_setup(&a->scr, &a->theme, o->no_color);
	if (!o->no_mouse) {
		mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED,
			  NULL);
		mouseinterval(200);
	}
	a->async = true;
	browser_view_start(a); /* on a worker: the first frame says it is loading */
	for (;;) {
		app_poll_jobs(a);
		sandwich_view_poll(a);
		export_view_poll(a);
		source_view_poll(a);
		browser_view_poll(a);
		browser_view_tick(a);
		tui_app_draw(a);
		refresh();
		/* while a worker runs, wake up to animate and to land its result; live
		 * updates need a clock too */
		timeout(app_job_running(a) || sandwich_view_busy(a, NULL) ||
				source_view_busy(a, NULL) || browser_view_busy(a, NULL) ||
				export_view_busy(a, NULL) ? 100 : browser_view_live(a) ? 1000 : -1);
		key = getch();
		if (key == ERR)
			continue;
		if (key == KEY_RESIZE)
			continue;
		if (key == KEY_MOUSE) {
			on_mouse(a);
			continue;
		}
		if (!tui_app_key(a, key))
			break;
	}
	endwin();
	delscreen(scr);
	if (tty_in)
		fclose(tty_in);
	tui_app_free(a);
	return 0;
}
