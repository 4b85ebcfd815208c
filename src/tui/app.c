/*
 * app.c — the explorer's frame: state, key dispatch, the header / breadcrumb / status /
 * prompt lines, the help overlay, search, sample types, and the curses main loop.
 * Views draw into the area between the chrome lines (TUI.md's screen grammar).
 */
#include <curses.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/text.h"
#include "base/units.h"
#include "profile/builder.h"
#include "tui_int.h"

#define CTRL(c) ((c) & 0x1f)

static const struct {
	const char *keys, *what;
} help_lines[] = {
	{ NULL, "Views" },
	{ "1 2 3 4 / Tab", "flame graph, top table, sandwich, source / next view" },
	{ "c", "diff: base and new side by side (stacked below 160 columns)" },
	{ "t", "next sample type (cpu, alloc_space, ...)" },
	{ "?  F1", "this help" },
	{ "q", "quit" },
	{ NULL, "Flame graph" },
	{ "h j k l  arrows", "move: k parent, j widest child, h/l neighbours" },
	{ "Enter / Esc", "zoom into the selection / unzoom (a stack)" },
	{ "r", "reset zoom and selection" },
	{ "g G  PgUp PgDn", "zoom root, deepest widest frame, page up/down" },
	{ "i", "icicle (root on top) <-> flame (root at the bottom)" },
	{ "o", "order children by name <-> by size" },
	{ "+N cells", "frames too narrow to draw; select one to see them, Enter zooms" },
	{ NULL, "Diff (smolder diff BASE NEW, or --base FILE)" },
	{ "widths", "base + new, so removed frames stay visible" },
	{ "colours", "red more, green less (blue: --color-blind), grey within the threshold" },
	{ "+ / -", "glyphs on frames only in new / only in base" },
	{ "a", "proportional (share of each side's total) <-> absolute change" },
	{ "c", "base and new side by side: one selection and zoom (call path) for both" },
	{ "w", "in the comparison: move the focus to the other side" },
	{ NULL, "Search" },
	{ "/", "regex search (PCRE2, RE2 syntax); in tables: filter rows" },
	{ "n N", "next / previous match" },
	{ "#", "search the selected name" },
	{ "y", "copy the selected name to the clipboard (OSC 52, works over SSH)" },
	{ "e", "export what is shown (filters, zoom): p pprof, f folded, s speedscope, v svg" },
	{ "Esc", "clear the search (when not zoomed)" },
	{ NULL, "Filters (pprof's; stacked, listed in the status line)" },
	{ "f x -", "focus on / ignore / hide the selected function" },
	{ "F", "pop the last filter" },
	{ "R", "collapse recursion (f -> f -> f becomes one f) / restore" },
	{ ":", "option=value: focus= ignore= hide= show= show_from= tagfocus= tagignore=" },
	{ "", "  sample_index=NAME, granularity=functions|lines|files|packages," },
	{ "", "  collapse_recursion" },
	{ "", "  Tab completes option names and values" },
	{ NULL, "Sandwich (3): callers above, callees below the selected function" },
	{ "arrows, h j k l", "move; up/down crosses the divider at the function" },
	{ "Enter", "pivot the sandwich to the selected caller or callee" },
	{ NULL, "Source (4): the selected function's lines with self and total" },
	{ "H  ] [", "hottest line; next / previous line with a cost" },
	{ "/ n N", "search the code" },
	{ "o", "the next file, when the function has several" },
	{ "y  O", "copy path:line; open $EDITOR at the line (local files)" },
	{ "v V", "next / previous version (store data with several service_git_ref)" },
	{ "r", "read the versions and the code again" },
	{ ":", "repo=PATH|URL ref=REF root=PATH source_path=DIR: override the flags and" },
	{ "", "  the series labels for the session (empty value: back to them)" },
	{ "", "code from --source-path, --repo/--ref (git, no checkout), or GitHub" },
	{ NULL, "Store browser (T; smolder --db PATH, smolder --url URL)" },
	{ "j k  Enter", "pick a service and profile type / open the window's merged profile" },
	{ "/", "edit the label selector {service_name=\"x\", region=~\"eu-.*\"}; Tab completes" },
	{ "[ ]", "range presets: 5m 15m 1h 6h 24h 7d (ending now)" },
	{ "t", "a custom range: FROM [TO] (now-3h now-1h, RFC 3339, Unix seconds)" },
	{ "h l  - =  0", "move / shrink / grow the window on the timeline; 0 the whole range" },
	{ "P", "compare the window with the period before it (a diff)" },
	{ "b", "tag breakdown: each value of a label and its share" },
	{ "p  r", "pause / resume live updates (in every view); refresh now" },
	{ "M  Z", "on an opened profile: more nodes from the server / only the selected path" },
	{ NULL, "Top table" },
	{ "j k  g G  PgUp PgDn", "move" },
	{ "s / I", "sort column: self, total, name (diff: change, new, base, name) / invert" },
	{ "Enter", "show the function in the flame graph" },
	{ NULL, "Mouse (optional)" },
	{ "click / double-click", "select / zoom; a tab switches view" },
	{ "wheel", "move to the parent / widest child" },
};

static const char *const view_names[VIEW_COUNT] = { "Flame", "Top", "Sw", "Src", "Cmp", "Store" };
static const char view_keys[VIEW_COUNT] = { '1', '2', '3', '4', 'c', 'T' };

/* Views that exist here: comparison only in a diff, the browser with a store. */
static bool view_shown(const struct tui_app *a, int v)
{
	if (v == VIEW_COMPARE)
		return a->diff;
	if (v == VIEW_BROWSER)
		return a->br.be != NULL;
	return true;
}

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

/* The node under `from` reached by the frame names of path[0 .. n), or the deepest one. */
static uint32_t find_path(const struct tree *t, char **path, uint32_t n)
{
	uint32_t node = 0, d, k;

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

/* The frame names from the root to node (strdup'ed; *n of them). */
static char **path_of(const struct tree *t, uint32_t node, uint32_t *n)
{
	uint32_t d = t->depth[node], i;
	char **v = calloc(d ? d : 1, sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (i = d; node != 0 && i > 0; node = t->parent[node])
		v[--i] = strdup(tree_name(t, node));
	*n = d;
	return v;
}

static void path_free(char **v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void app_install_profile(struct tui_app *a, struct prof *p, struct tree *t, struct top *all,
			 bool diff, const char *source, const char *base_source)
{
	uint32_t ty, nz = 0, ns = 0;
	char **zoom = a->tree ? path_of(a->tree, a->main.fl.zoom, &nz) : NULL;
	char **sel = a->tree ? path_of(a->tree, a->main.fl.sel, &ns) : NULL;
	bool same = a->diff == diff && a->prof && a->prof->nsamples;
	/* a live refresh of the same query keeps the filters: re-applied to the new profile */
	int nf = a->nfilters, gr = a->gran;
	bool keep = same && a->br.live_reopen && (nf || gr);
	struct sandwich_keep sk;
	int i;

	app_jobs_finish(a);
	/* the sandwich keeps its function (by name, as the source pane does) */
	sandwich_view_save(a, &sk);
	sandwich_view_release(a);
	top_view_invalidate(a);
	if (a->tp.all) {
		for (ty = 0; ty < a->prof->ntypes; ty++)
			top_release(&a->tp.all[ty]);
		free(a->tp.all);
	}
	tree_free(a->tree);
	if (a->prof != a->base)
		prof_free(a->prof);
	prof_free(a->base);
	free(a->base_total);
	a->base = a->prof = p;
	a->tree = t;
	a->tp.all = all;
	a->base_total = calloc(p->ntypes ? p->ntypes : 1, sizeof(*a->base_total));
	for (ty = 0; a->base_total && ty < p->ntypes; ty++)
		a->base_total[ty] = top_pprof_total(p, ty); /* pprof's: magnitudes, a -diff_base's base */
	a->nfilters = 0;
	a->gran = 0;
	if (a->diff != diff) {
		/* the table's columns change (enum top_sort / enum diff_sort): by name stays by
		 * name, any other column is the new table's first */
		bool by_name = a->tp.sort == (a->diff ? (int)DIFF_SORT_NAME : (int)TOP_SORT_NAME);

		a->tp.sort = by_name ? (diff ? (int)DIFF_SORT_NAME : (int)TOP_SORT_NAME) : 0;
	}
	a->diff = diff;
	a->ntypes = diff ? p->ntypes / 2 : p->ntypes;
	if (a->type >= a->ntypes)
		a->type = p->default_type % (a->ntypes ? a->ntypes : 1);
	snprintf(a->source_buf, sizeof(a->source_buf), "%s", source ? source : "");
	snprintf(a->base_source_buf, sizeof(a->base_source_buf), "%s", base_source ? base_source : "");
	a->opts.source = a->source_buf;
	a->opts.base_source = base_source ? a->base_source_buf : NULL;
	a->opts.diff = diff;
	for (i = 0; i < 3; i++) {
		struct flame_pane *fp = i == 0 ? &a->main : &a->cmp[i - 1];

		flame_release(&fp->fl.layout);
		fp->tree = t;
		fp->fl.nzoom = 0;
		fp->fl.scroll = 0;
		fp->fl.sel_plus = false;
		/* a refresh of the same kind of profile keeps the place (by call path) */
		fp->fl.zoom = same && zoom ? find_path(t, zoom, nz) : 0;
		fp->fl.sel = same && sel ? find_path(t, sel, ns) : 0;
		if (!tree_is_ancestor(t, fp->fl.zoom, fp->fl.sel))
			fp->fl.sel = fp->fl.zoom;
	}
	path_free(zoom, nz);
	path_free(sel, ns);
	sandwich_view_restore(a, &sk);
	app_search_refresh(a);
	/* the source pane keeps its function; versions only for a profile from a backend */
	if (!a->sctx.opened)
		source_versions_clear(a);
	a->sctx.opened = false;
	source_view_data_changed(a, false);
	/* else the command line's filters, if any, apply to every profile opened */
	if (keep ? app_refilter(a, nf, gr) :
		   app_filters_initial(a, a->opts.filters, a->opts.granularity,
				       a->opts.collapse_recursion))
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
	int64_t v = tree_total(fp->tree, node, app_pane_type(a, fp));
	uint32_t t2 = app_pane_type2(a, fp);

	if (v < 0)
		v = 0;
	if (t2 != PROF_NONE) {
		int64_t v2 = tree_total(fp->tree, node, t2);

		if (v2 > 0)
			v = v > INT64_MAX - v2 ? INT64_MAX : v + v2;
	}
	return v;
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
	snprintf(tail, sizeof(tail), " more%s%s%s%s%s %% neutral%s+ new %s removed", a->dot,
		 a->dscale.absolute ? "absolute" : "proportional", a->dot,
		 a->scr.utf8 ? "\xc2\xb1" : "+-", thr, a->dot, a->scr.utf8 ? "\xe2\x88\x92" : "-");
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
	size_t i;

	buf_puts(out, "^");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c != 0 && strchr("\\^$.|?*+()[]{}", c))
			buf_add(out, "\\", 1);
		if (c == 0)
			buf_puts(out, "\\x00");
		else
			buf_add(out, s + i, 1);
	}
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

int tui_app_new(struct prof *p, const struct tui_opts *o, struct tui_app **out)
{
	struct tui_app *a = calloc(1, sizeof(*a));
	const char *cs;
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
	if (!a->tp.all || !a->base_total) {
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
	for (uint32_t ty = 0; ty < p->ntypes; ty++)
		a->base_total[ty] = top_pprof_total(p, ty);
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
	cs = nl_langinfo(CODESET);
	a->scr.utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	a->dot = a->scr.utf8 ? " \xc2\xb7 " : " - ";
	a->src.ver = -1;
	if ((rc = app_filters_initial(a, o->filters, o->granularity, o->collapse_recursion))) {
		tui_app_free(a);
		return rc;
	}
	if (o->backend) {
		struct backend *bh = o->backend;

		/* one handle for the browser's jobs, one for the source pane's version merges */
		if (backend_share(o->backend, &bh, &a->sctx.be))
			bh = o->backend;
		browser_view_init(a, bh, o->backend_name, o->browser_selector);
		a->opts.backend = NULL; /* owned by the browser now */
		if (o->start_in_browser)
			a->view = VIEW_BROWSER;
	}
	*out = a;
	return 0;
}

void tui_app_free(struct tui_app *a)
{
	if (!a)
		return;
	app_jobs_finish(a);
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
	source_versions_release(a);
	browser_view_release(a);
	tree_free(a->tree);
	if (a->prof != a->base)
		prof_free(a->prof);
	prof_free(a->base);
	free(a->base_total);
	free(a);
}

/* A tab: "[1]Flame " when active, " 2 Top " (or " 2 " when compact) otherwise. */
static int tab_label(const struct tui_app *a, int i, int compact, char *out, size_t n)
{
	if (i == (int)a->view)
		return snprintf(out, n, "[%c]%s ", view_keys[i], view_names[i]);
	if (compact)
		return snprintf(out, n, " %c ", view_keys[i]);
	return snprintf(out, n, " %c %s ", view_keys[i], view_names[i]);
}

static void draw_header(struct tui_app *a, int w)
{
	const struct prof *p = a->prof;
	const struct prof_value_type *st = &p->sample_types[a->type];
	const char *dot = a->dot;
	struct buf b = BUF_INIT;
	char total[UNITS_MAX], tabs[96];
	int tw, x, i, compact;
	bool browser_header = false;

	scr_fill(0, 0, w, a->scr.role_attr[ROLE_HEADER]);
	if (a->view == VIEW_BROWSER)
		browser_header = true;
	/* tabs on the right */
	/* the tabs; when they would take more than a third of the line, the inactive
	 * ones show only their key */
	for (compact = 0; compact < 2; compact++) {
		tabs[0] = '\0';
		for (i = 0; i < VIEW_COUNT; i++)
			if (view_shown(a, i))
				tab_label(a, i, compact, tabs + strlen(tabs), sizeof(tabs) - strlen(tabs));
		if ((int)strlen(tabs) * 3 <= w)
			break;
	}
	if (compact > 1)
		compact = 1;
	tw = (int)strlen(tabs);
	app_format_value(a, total, sizeof(total), tree_total(a->tree, 0, a->type));
	{
		struct buf rest = BUF_INIT, src = BUF_INIT;
		int room;

		buf_puts(&rest, dot);
		text_safe(&rest, prof_str(p, st->type), prof_strlen(p, st->type), !a->scr.utf8);
		buf_puts(&rest, " (");
		text_safe(&rest, prof_str(p, st->unit), prof_strlen(p, st->unit), !a->scr.utf8);
		if (a->diff) {
			char base[UNITS_MAX];

			app_format_value(a, base, sizeof(base),
					 tree_total(a->tree, 0, a->type + a->ntypes));
			buf_printf(&rest, ")%s%s %s %s", dot, base, a->scr.utf8 ? "\xe2\x86\x92" : "->",
				   total);
		} else if (a->nfilters) {
			char all[UNITS_MAX];

			app_format_value(a, all, sizeof(all), a->base_total[a->type]);
			buf_printf(&rest, ")%s%s of %s", dot, total, all);
		} else if (a->base_total[a->type] != tree_total(a->tree, 0, a->type)) {
			/* signed values (pprof's -diff_base output): pprof's total is another */
			char all[UNITS_MAX];

			app_format_value(a, all, sizeof(all), a->base_total[a->type]);
			buf_printf(&rest, ")%s%s net%s%s total", dot, total, dot, all);
		} else {
			buf_printf(&rest, ")%s%s total", dot, total);
		}
		buf_puts(&b, " smolder");
		/* the source name gives way first (and goes, with its dot, when there is no room) */
		room = w - tw - 1 - text_width(b.data, b.len) - text_width(dot, strlen(dot)) -
		       text_width(rest.data, rest.len);
		if (room > 8)
			buf_puts(&b, dot);
		if (a->diff && a->opts.base_source) {
			/* both names, each shortened in the middle to half the room */
			struct buf bs = BUF_INIT;
			int half = (room - 4) / 2;

			text_safe(&bs, a->opts.base_source, strlen(a->opts.base_source), !a->scr.utf8);
			text_safe(&src, a->opts.source, strlen(a->opts.source), !a->scr.utf8);
			if (room > 8 && half <= 6) {
				text_middle_truncate(&b, src.data, src.len, room, !a->scr.utf8);
			} else if (half > 6) {
				text_middle_truncate(&b, bs.data, bs.len, half, !a->scr.utf8);
				buf_puts(&b, a->scr.utf8 ? " \xe2\x86\x92 " : " -> ");
				text_middle_truncate(&b, src.data, src.len, half, !a->scr.utf8);
			}
			buf_release(&bs);
		} else {
			text_safe(&src, a->opts.source, strlen(a->opts.source), !a->scr.utf8);
			if (room > 8)
				text_middle_truncate(&b, src.data, src.len, room, !a->scr.utf8);
		}
		buf_add(&b, rest.data, rest.len);
		buf_release(&rest);
		buf_release(&src);
	}
	if (browser_header) {
		buf_reset(&b);
		browser_view_header(a, &b);
	}
	scr_put(0, 0, w - tw - 1, b.data, b.len, a->scr.role_attr[ROLE_HEADER]);
	x = w - tw;
	if (x < 0)
		x = 0;
	for (i = 0; i < VIEW_COUNT; i++) {
		char t[32];
		int len;

		a->tab_w[i] = 0;
		if (!view_shown(a, i))
			continue;
		len = tab_label(a, i, compact, t, sizeof(t));
		scr_put(0, x, w - x, t, (size_t)len,
			a->scr.role_attr[i == (int)a->view ? ROLE_TAB_ACTIVE : ROLE_TAB]);
		a->tab_x[i] = x;
		a->tab_w[i] = len;
		x += len;
	}
	buf_release(&b);
}

static void draw_breadcrumb(struct tui_app *a, int w)
{
	if (a->view == VIEW_BROWSER && a->br.breakdown) {
		const char *m = " tag breakdown of the window: each value's share (b or Esc closes)";

		scr_fill(1, 0, w, a->scr.role_attr[ROLE_BREADCRUMB]);
		scr_put(1, 0, w, m, strlen(m), a->scr.role_attr[ROLE_BREADCRUMB]);
		return;
	}
	if (a->view == VIEW_BROWSER) {
		const char *m = " j/k pick · Enter open the window · P compare with the period before · "
				"b tag breakdown · [ ] range · h l - = window · p pause";
		const char *am = " j/k pick - Enter open - P compare with before - b tags - [ ] range - "
				 "h l - = window - p pause";

		scr_fill(1, 0, w, a->scr.role_attr[ROLE_BREADCRUMB]);
		scr_put(1, 0, w, a->scr.utf8 ? m : am, strlen(a->scr.utf8 ? m : am),
			a->scr.role_attr[ROLE_BREADCRUMB]);
		return;
	}
	/* the zoom path of the pane shown; the sandwich's pivot; the source pane's file */
	const struct flame_pane *fp = a->view == VIEW_COMPARE ? &a->cmp[a->cmp_focus] : &a->main;
	const struct tree *t = fp->tree ? fp->tree : a->tree;
	const char *sep = a->scr.utf8 ? " \xe2\x80\xba " : " > ";
	uint32_t path[64], n = 0, node = fp->tree ? fp->fl.zoom : 0;
	struct buf b = BUF_INIT;
	bool cut = false;

	if (a->view == VIEW_SANDWICH && a->sw.name) {
		buf_puts(&b, " sandwich of ");
		text_fit_name(&b, prof_str(a->prof, a->sw.name), prof_strlen(a->prof, a->sw.name),
			      w > 16 ? w - 14 : 2, !a->scr.utf8);
	} else if (a->view == VIEW_SOURCE && a->src.fname) {
		const char *f = a->src.routine_file ? a->src.routine_file : a->src.fname;

		buf_puts(&b, " ");
		text_safe(&b, f, strlen(f), !a->scr.utf8);
	} else {
		while (t && node != 0 && n < 64) {
			path[n++] = node;
			node = t->parent[node];
		}
		cut = node != 0;
		buf_puts(&b, " all");
		if (cut)
			buf_printf(&b, "%s%s", sep, a->scr.utf8 ? "\xe2\x80\xa6" : "...");
		while (n-- > 0) {
			buf_puts(&b, sep);
			text_fit_name(&b, prof_str(t->prof, t->name[path[n]]),
				      prof_strlen(t->prof, t->name[path[n]]), 28, !a->scr.utf8);
		}
	}
	scr_fill(1, 0, w, a->scr.role_attr[ROLE_BREADCRUMB]);
	/* keep the deepest end visible */
	if (text_width(b.data, b.len) > w) {
		size_t off = b.len;
		int cw = 0;

		while (off > 0 && cw < w - 2) {
			off--;
			while (off > 0 && ((unsigned char)b.data[off] & 0xc0) == 0x80)
				off--;
			cw = text_width(b.data + off, b.len - off);
		}
		scr_put(1, 0, 2, a->scr.utf8 ? " \xe2\x80\xa6" : " ~", a->scr.utf8 ? 4 : 2,
			a->scr.role_attr[ROLE_BREADCRUMB]);
		scr_put(1, 2, w - 2, b.data + off, b.len - off, a->scr.role_attr[ROLE_BREADCRUMB]);
	} else {
		scr_put(1, 0, w, b.data, b.len, a->scr.role_attr[ROLE_BREADCRUMB]);
	}
	buf_release(&b);
}

/*
 * The status line's modes, terminal-safe, separated by dots: filters, what a server left
 * out or was asked for, live or paused, flame / by size in view 1, the table filter
 * elsewhere.  draw_status() puts them on the right; scr_status_room() measures them.
 */
void app_status_modes(const struct tui_app *a, struct buf *out)
{
	struct buf m = BUF_INIT;

	if (a->nfilters || a->gran)
		app_filters_describe(a, &m);
	if (a->br.opened && a->view != VIEW_BROWSER) {
		/* what the server left out, and the call path asked for */
		if (a->br.truncated)
			buf_printf(&m, "%sfolded at %u nodes (M)", m.len ? a->dot : "", a->br.max_nodes);
		if (a->br.nfocus)
			buf_printf(&m, "%spath only (Z)", m.len ? a->dot : "");
		if (a->br.oq.live) /* the profile follows the clock, or would (p) */
			buf_printf(&m, "%s%s", m.len ? a->dot : "", a->br.paused ? "paused (p)" : "live");
	}
	if (a->view == VIEW_FLAME) {
		/* only what differs from the defaults (icicle, children by name) */
		if (a->main.fl.flame_up)
			buf_printf(&m, "%sflame", m.len ? a->dot : "");
		if (a->main.fl.by_size)
			buf_printf(&m, "%sby size", m.len ? a->dot : "");
	} else if (a->tp.filter.code) {
		buf_printf(&m, "%sfilter: ", m.len ? a->dot : "");
		text_safe(&m, a->tp.filter_pat, strlen(a->tp.filter_pat), !a->scr.utf8);
	}
	/* filters come from the user and from profile names: made safe */
	buf_reset(out);
	if (m.data)
		text_safe(out, m.data, m.len, !a->scr.utf8);
	buf_release(&m);
}

static void draw_status(struct tui_app *a, int y, int w)
{
	struct buf b = BUF_INIT, m = BUF_INIT;
	int mw;

	if (a->prompt_kind && a->message[0]) {
		/* while a prompt has the bottom line, its completions show here */
		scr_fill(y, 0, w, a->scr.role_attr[ROLE_STATUS]);
		scr_put_safe(a, y, 1, w - 2, a->message, strlen(a->message), a->scr.role_attr[ROLE_STATUS]);
		return;
	}
	if (a->view == VIEW_FLAME)
		flame_view_status(a, &a->main, &b);
	else if (a->view == VIEW_SANDWICH)
		sandwich_view_status(a, &b);
	else if (a->view == VIEW_COMPARE)
		compare_view_status(a, &b);
	else if (a->view == VIEW_SOURCE)
		source_view_status(a, &b);
	else if (a->view == VIEW_BROWSER)
		browser_view_status(a, &b);
	else
		top_view_status(a, &b);
	/* modes on the right, separated by dots */
	app_status_modes(a, &m);
	scr_fill(y, 0, w, a->scr.role_attr[ROLE_STATUS]);
	mw = m.data ? text_width(m.data, m.len) : 0;
	if (mw > w / 2)
		mw = w / 2;
	scr_put(y, 1, w - mw - 3, b.data ? b.data : "", b.len, a->scr.role_attr[ROLE_STATUS]);
	if (mw)
		scr_put(y, w - mw - 1, mw, m.data, m.len, a->scr.role_attr[ROLE_STATUS]);
	buf_release(&b);
	buf_release(&m);
}

static void draw_bottom(struct tui_app *a, int y, int w)
{
	char right[64] = "";
	int rw;

	scr_fill(y, 0, w, A_NORMAL);
	if (app_job_running(a) || source_view_busy(a, NULL) || browser_view_busy(a, NULL)) {
		static const char *const spin[] = { "|", "/", "-", "\\" };
		static const char *const braille[] = { "\xe2\xa0\x8b", "\xe2\xa0\x99", "\xe2\xa0\xb9",
							"\xe2\xa0\xb8", "\xe2\xa0\xbc", "\xe2\xa0\xb4",
							"\xe2\xa0\xa6", "\xe2\xa0\xa7" };
		double started = a->job.started_ms, el;

		if (!app_job_running(a) && !source_view_busy(a, &started))
			browser_view_busy(a, &started);
		el = app_now_ms() - started;
		int f = (int)(el / 100);

		snprintf(right, sizeof(right), "%s working %.1f s%sEsc cancels",
			 a->scr.utf8 ? braille[f % 8] : spin[f % 4], el / 1000, a->dot);
	} else if (a->searching) {
		char pct[UNITS_MAX];

		units_percent(pct, sizeof(pct), a->matched, a->base_total[a->type]);
		snprintf(right, sizeof(right), "matched: %s", pct);
	}
	rw = text_width(right, strlen(right));
	if (a->prompt_kind) {
		struct buf b = BUF_INIT;

		if (a->prompt_kind == 'e')
			buf_puts(&b, "export to: ");
		else if (a->prompt_kind == 's')
			buf_puts(&b, "selector: ");
		else if (a->prompt_kind == 'b')
			buf_puts(&b, "breakdown by label: ");
		else if (a->prompt_kind == 't')
			buf_puts(&b, "range: ");
		else
			buf_printf(&b, "%c", a->prompt_kind == '#' ? '/' : a->prompt_kind);
		{
			/* input longer than the line shows its end, where the typing is */
			size_t label = b.len, off;
			int room = w - rw - 1 - text_width(b.data, label) - 1;

			text_safe(&b, a->prompt, a->prompt_len, !a->scr.utf8);
			if (room > 0 && text_width(b.data + label, b.len - label) > room) {
				struct buf cut = BUF_INIT;

				for (off = label; off < b.len &&
						  text_width(b.data + off, b.len - off) > room - 1;) {
					off++;
					while (off < b.len && ((unsigned char)b.data[off] & 0xc0) == 0x80)
						off++;
				}
				buf_add(&cut, b.data, label);
				buf_puts(&cut, a->scr.utf8 ? "\xe2\x80\xa6" : "~");
				buf_add(&cut, b.data + off, b.len - off);
				buf_release(&b);
				b = cut;
			}
		}
		scr_put(y, 0, w - rw - 1, b.data, b.len, A_BOLD);
		curs_set(1);
		move(y, text_width(b.data, b.len) < w ? text_width(b.data, b.len) : w - 1);
		buf_release(&b);
	} else if (a->message[0]) {
		scr_put_safe(a, y, 0, w - rw - 1, a->message, strlen(a->message),
			     a->scr.role_attr[a->message_error ? ROLE_ERROR : ROLE_MESSAGE]);
	} else {
		static const char *const hints[VIEW_COUNT] = {
			"/ search|Enter zoom|Esc back|t type|Tab view|? help",
			"/ filter|s sort|Enter flame|t type|Tab view|? help",
			"Enter pivot|\x01 cross the divider|/ search|Tab view|? help",
			"H hottest|] [ next/prev cost|/ search code|y path:line|? help",
			"w switch side|Enter zoom|Esc back|a mode|Tab view|? help",
			"Enter open|/ selector|P compare|b tags|p pause|? help",
		};
		struct buf b = BUF_INIT;
		const char *h;

		h = a->view == VIEW_BROWSER && a->br.breakdown ?
			    "j k g G PgUp PgDn move|b Esc close|? help" : hints[a->view];
		/* '|' separates items with the locale's dot; \x01 is the up/down arrows */
		for (; *h; h++) {
			if (*h == '|')
				buf_puts(&b, a->dot);
			else if (*h == '\x01')
				buf_puts(&b, a->scr.utf8 ? "\xe2\x86\x91\xe2\x86\x93" : "up/down");
			else
				buf_add(&b, h, 1);
		}
		scr_put(y, 0, w - rw - 1, b.data, b.len, a->scr.role_attr[ROLE_HINT]);
		buf_release(&b);
	}
	if (rw && w > rw)
		scr_put(y, w - rw, rw, right, strlen(right), a->scr.role_attr[ROLE_MESSAGE]);
}

/*
 * The length of the first row of s (ASCII) wrapped at width: up to the last space that
 * fits, else cut; *next is where the following row starts.
 */
static size_t help_row(const char *s, int width, const char **next)
{
	size_t n = strlen(s), cut;

	if (width < 1)
		width = 1;
	if (n <= (size_t)width) {
		*next = s + n;
		return n;
	}
	for (cut = (size_t)width; cut > 0 && s[cut] != ' '; cut--)
		;
	if (cut == 0)
		cut = (size_t)width;
	*next = s + cut;
	while (**next == ' ')
		(*next)++;
	return cut;
}

/* The help box needs HELP_MIN_W x HELP_MIN_H cells (its border, title and one row). */
#define HELP_MIN_W 22
#define HELP_MIN_H 7

static bool help_fits(int h, int w)
{
	return w >= HELP_MIN_W && h >= HELP_MIN_H;
}

static void draw_help(struct tui_app *a, int h, int w)
{
	int n = (int)(sizeof(help_lines) / sizeof(help_lines[0]));
	int bw = w < 76 ? w - 2 : 74, bh, by, bx, i, row, rows = 0;
	/* narrow: each entry's keys on a line of their own, the description below them (a
	 * column beside the keys would leave it a few cells, or none) */
	bool stacked = bw - 28 < 24;
	int dx = stacked ? 5 : 26, dw = stacked ? bw - 7 : bw - 28;
	int attr = a->scr.role_attr[ROLE_OVERLAY];
	const char *title = " smolder keys (Esc closes, j/k scroll) ", *p;

	/* descriptions wrap onto more rows rather than being cut */
	for (i = 0; i < n; i++) {
		const char *k = help_lines[i].keys;

		rows++;
		if (!k)
			continue;
		if (stacked && *k)
			rows++;
		for (help_row(help_lines[i].what, dw, &p); *p; help_row(p, dw, &p))
			rows++;
	}
	bh = h - 2 < rows + 4 ? h - 2 : rows + 4;
	by = (h - bh) / 2;
	bx = (w - bw) / 2;
	if (bw < 20 || bh < 5)
		return;
	if (a->help_scroll > rows - (bh - 4))
		a->help_scroll = rows - (bh - 4) > 0 ? rows - (bh - 4) : 0;
	for (i = 0; i < bh; i++)
		scr_fill(by + i, bx, bw, attr);
	attrset(attr);
	mvhline(by, bx, a->scr.utf8 ? 0 : '-', bw);
	mvhline(by + bh - 1, bx, a->scr.utf8 ? 0 : '-', bw);
	attrset(A_NORMAL);
	scr_put(by, bx + 2, bw - 4, title, strlen(title), attr | A_BOLD);
	for (row = 0, i = 0; i < n; i++) {
		const char *s = help_lines[i].what, *k = help_lines[i].keys;
		bool first = !stacked;
		int y;

		if (!k) {
			y = by + 2 + row++ - a->help_scroll;
			if (y >= by + 2 && y < by + bh - 1)
				scr_put(y, bx + 2, bw - 4, s, strlen(s), attr | A_BOLD | A_UNDERLINE);
			continue;
		}
		if (stacked && *k) {
			y = by + 2 + row++ - a->help_scroll;
			if (y >= by + 2 && y < by + bh - 1)
				scr_put(y, bx + 3, bw - 5, k, strlen(k), attr | A_BOLD);
		}
		do {
			size_t len = help_row(s, dw, &p);

			y = by + 2 + row++ - a->help_scroll;
			if (y >= by + 2 && y < by + bh - 1) {
				if (first)
					scr_put(y, bx + 3, 22, k, strlen(k), attr | A_BOLD);
				scr_put(y, bx + dx, dw, s, len, attr);
			}
			first = false;
			s = p;
		} while (*s);
	}
}

void tui_app_draw(struct tui_app *a)
{
	int h, w;

	getmaxyx(stdscr, h, w);
	curs_set(0);
	erase();
	if (h < 6 || w < 30) {
		const char *msg = "terminal too small";

		scr_put(0, 0, w, msg, strlen(msg), A_BOLD);
		return;
	}
	draw_header(a, w);
	draw_breadcrumb(a, w);
	{
		/* a diff's graphs get the legend above the status line */
		/* the colour scale of the diff's flame graphs (the comparison's panes are
		 * coloured by package, as plain flame graphs) */
		bool legend = a->diff && a->view != VIEW_TOP && a->view != VIEW_SOURCE &&
			      a->view != VIEW_BROWSER && a->view != VIEW_COMPARE;
		int vh = h - 4 - (legend ? 1 : 0);

		if (a->view == VIEW_FLAME)
			flame_view_draw(a, &a->main, 2, 0, vh, w);
		else if (a->view == VIEW_SANDWICH)
			sandwich_view_draw(a, 2, vh, w);
		else if (a->view == VIEW_COMPARE)
			compare_view_draw(a, 2, vh, w);
		else if (a->view == VIEW_SOURCE)
			source_view_draw(a, 2, vh, w);
		else if (a->view == VIEW_BROWSER)
			browser_view_draw(a, 2, vh, w);
		else
			top_view_draw(a, 2, vh, w);
		if (legend)
			app_draw_legend(a, h - 3, w);
	}
	draw_status(a, h - 2, w);
	if (a->help)
		draw_help(a, h, w);
	draw_bottom(a, h - 1, w);
}

/* Applies the prompt's text as a `kind` prompt ('/', '#' or ':'); final on Enter. */
static void prompt_apply(struct tui_app *a, char kind, bool final)
{
	char pat[PROMPT_MAX];
	struct search probe;

	snprintf(pat, sizeof(pat), "%.*s", (int)a->prompt_len, a->prompt);
	if (kind == 's' || kind == 'b' || kind == 't') {
		if (!final)
			return;
		if (kind == 't' && browser_view_set_range(a, pat))
			scr_message(a, true, "range: %s", err_last());
		else if (kind == 's' && browser_view_set_selector(a, pat))
			scr_message(a, true, "selector: %s", err_last());
		else if (kind == 'b')
			browser_view_breakdown(a, pat);
		return;
	}
	if (kind == 'e') {
		if (final)
			export_view_write(a, pat);
		return;
	}
	if (kind == ':') {
		if (final)
			app_command(a, pat);
		return;
	}
	if (a->view == VIEW_TOP && kind == '/') {
		if (top_view_set_filter(a, pat) && final)
			scr_message(a, true, "%s", err_last());
		return;
	}
	if (a->view == VIEW_SOURCE && kind == '/') {
		if (source_view_set_search(a, pat) && final)
			scr_message(a, true, "%s", err_last());
		else if (final && *pat)
			source_view_search_jump(a, 1);
		return;
	}
	if (!*pat) {
		app_set_search(a, NULL);
		return;
	}
	if (search_compile(&probe, pat)) {
		if (final)
			scr_message(a, true, "%s", err_last());
		return;
	}
	search_release(&probe);
	app_set_search(a, pat);
}

static void prompt_key(struct tui_app *a, int key)
{
	if (key != '\t')
		a->message[0] = '\0'; /* completions are shown until the next key */
	if (key == 27) {
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

		a->prompt_kind = 0;
		prompt_apply(a, kind, true);
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
	if (a->view == VIEW_SOURCE) { /* the pane's function, not the hidden flame selection */
		uint32_t id = a->src.fname ? prof_find_str(a->prof, a->src.fname) : PROF_NONE;

		return id == PROF_NONE ? 0 : id;
	}
	if (a->view == VIEW_SANDWICH) {
		if (!a->sw.name)
			return 0;
		fp = a->sw.focus_callers ? &a->sw.callers : &a->sw.callees;
	} else if (a->view == VIEW_COMPARE) {
		fp = &a->cmp[a->cmp_focus];
	}
	return fp->fl.sel_plus || fp->fl.sel == 0 ? 0 : fp->tree->name[fp->fl.sel];
}

/*
 * Entering an empty sandwich (3 inside it, Tab, a tab click, or after filters dropped its
 * function) pivots on the flame graph's selection, so that "select a function, then press
 * 3" is never a dead end.
 */
static void sandwich_default_pivot(struct tui_app *a)
{
	const struct flame_pane *fp = &a->main;
	uint32_t name;

	if (a->view != VIEW_SANDWICH || a->sw.name || !fp->tree || fp->fl.sel_plus ||
	    fp->fl.sel == 0)
		return;
	name = fp->tree->name[fp->fl.sel];
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

/* The selected name as an exact regex in out; false, with a message, when none. */
static bool selected_regex(struct tui_app *a, struct buf *out)
{
	uint32_t name = selected_name(a);

	if (!name) {
		scr_message(a, false, "select a function first");
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
	if (export_view_key(a, key))
		return true;
	if (key == 27 && (app_job_running(a) || source_view_busy(a, NULL) ||
			  browser_view_busy(a, NULL))) {
		app_cancel_job(a);
		source_view_cancel(a);
		browser_view_cancel(a);
		scr_message(a, false, "cancelling...");
		return true;
	}
	a->message[0] = '\0';
	if (a->help) {
		int h, w;

		getmaxyx(stdscr, h, w);
		if (!help_fits(h, w))
			a->help = false;  /* shrunk since: the key is the view's again */
	}
	if (a->help) {
		if (key == 'j' || key == KEY_DOWN)
			a->help_scroll++;
		else if ((key == 'k' || key == KEY_UP) && a->help_scroll > 0)
			a->help_scroll--;
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
			scr_message(a, false, "T browses a store or a server: smolder --db PATH, --url URL");
		else
			a->view = VIEW_BROWSER;
		return true;
	case '?':
	case KEY_F(1): {
		int h, w;

		getmaxyx(stdscr, h, w);
		if (!help_fits(h, w)) {
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
		a->view = VIEW_TOP;
		return true;
	case '3': {
		uint32_t name = a->view == VIEW_SANDWICH ? 0 : selected_name(a);

		if (name && sandwich_view_set(a, name))
			scr_message(a, true, "%s", err_last());
		a->view = VIEW_SANDWICH;
		sandwich_default_pivot(a);
		return true;
	}
	case '\t':
	case KEY_BTAB:
		do
			a->view = (enum view)((a->view + (key == '\t' ? 1 : VIEW_COUNT - 1)) % VIEW_COUNT);
		while (!view_shown(a, a->view));
		sandwich_default_pivot(a);
		source_default(a);
		return true;
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
			scr_message(a, false, "comparison needs two profiles: smolder diff BASE NEW");
			return true;
		}
		if (a->view == VIEW_FLAME) { /* arrive where the diff graph was */
			int i;

			for (i = 0; i < 2; i++) {
				a->cmp[i].fl.zoom = a->main.fl.zoom;
				a->cmp[i].fl.sel = a->main.fl.sel;
				a->cmp[i].fl.sel_plus = false;
				a->cmp[i].fl.nzoom = 0;
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
		a->prompt_kind = '/';
		a->prompt_len = 0;
		if (a->view == VIEW_TOP && a->tp.filter_pat[0]) {
			a->prompt_len = strlen(a->tp.filter_pat);
			memcpy(a->prompt, a->tp.filter_pat, a->prompt_len);
		}
		return true;
	case '#': {
		struct buf b = BUF_INIT;

		if (selected_regex(a, &b)) {
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

		if (selected_regex(a, &b) &&
		    app_filter_push(a, key == 'f' ? FK_FOCUS : key == 'x' ? FK_IGNORE : FK_HIDE, b.data))
			scr_message(a, true, "%s", err_last());
		buf_release(&b);
		return true;
	}
	case 'F':
		app_filter_pop(a);
		return true;
	case 'p':
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
	if (ev.bstate & BUTTON4_PRESSED) {
		tui_app_key(a, a->view == VIEW_FLAME ? (a->main.fl.flame_up ? 'j' : 'k') : 'k');
		return;
	}
	if (ev.bstate & BUTTON5_PRESSED) {
		tui_app_key(a, a->view == VIEW_FLAME ? (a->main.fl.flame_up ? 'k' : 'j') : 'j');
		return;
	}
	if (!(ev.bstate & (BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON1_PRESSED)))
		return;
	dbl = (ev.bstate & BUTTON1_DOUBLE_CLICKED) != 0;
	if (ev.y == 0) {
		int i;

		for (i = 0; i < VIEW_COUNT; i++)
			if (a->tab_w[i] && ev.x >= a->tab_x[i] && ev.x < a->tab_x[i] + a->tab_w[i])
				a->view = (enum view)i;
		sandwich_default_pivot(a);
		source_default(a);
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
	rc = tui_app_new(p, o, &a);
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
	for (;;) {
		app_poll_jobs(a);
		source_view_poll(a);
		browser_view_poll(a);
		browser_view_tick(a);
		tui_app_draw(a);
		refresh();
		/* while a worker runs, wake up to animate and to land its result; live
		 * updates need a clock too */
		timeout(app_job_running(a) || source_view_busy(a, NULL) || browser_view_busy(a, NULL) ?
				100 : browser_view_live(a) ? 1000 : -1);
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
