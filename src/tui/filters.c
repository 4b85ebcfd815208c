/*
 * filters.c — the explorer's filter stack and ':' commands.
 *
 * Filters are pprof's (profile/filter.h), pushed one at a time: `f` focus, `x` ignore,
 * `-` hide on the selected function, or typed at the ':' prompt; `F` pops the last.
 * Each change re-derives the shown profile from the loaded one by applying the whole
 * stack in order, then rebuilds the call tree and tables.  Percentages stay relative
 * to the unfiltered profile, as in pprof.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "profile/filter.h"
#include "profile/granularity.h"
#include "profile/recursion.h"
#include "tui_int.h"

static const char *const kind_names[] = { "focus", "ignore", "hide", "show_from", "tagfocus",
					  "tagignore", "collapse_recursion" };

static const char *const commands[] = { "focus=", "ignore=", "hide=", "show_from=",
					"tagfocus=", "tagignore=", "sample_index=", "granularity=",
					"collapse_recursion" };
static const char *const granularities[] = { "functions", "lines", "files", "packages" };

/*
 * Applies filters[0 .. n), then granularity `gran`, to the base profile; *out is base
 * itself when there is nothing to apply.
 */
static int apply_stack(const struct tui_app *a, int n, int gran, struct prof **out)
{
	struct prof *cur = a->base, *next;
	int i, rc;

	for (i = 0; i < n; i++) {
		struct filter_opts o = { 0 };
		const char *pat = a->filters[i].pat;

		switch (a->filters[i].kind) {
		case FK_FOCUS: o.focus = pat; break;
		case FK_IGNORE: o.ignore = pat; break;
		case FK_HIDE: o.hide = pat; break;
		case FK_SHOW_FROM: o.show_from = pat; break;
		case FK_TAGFOCUS: o.tagfocus = pat; break;
		case FK_TAGIGNORE: o.tagignore = pat; break;
		case FK_COLLAPSE: break;
		}
		if (a->filters[i].kind == FK_COLLAPSE)
			rc = prof_collapse_recursion(cur, &next);
		else
			rc = prof_filter(cur, &o, &next);
		if (cur != a->base)
			prof_free(cur);
		if (rc)
			return rc;
		cur = next;
	}
	if (gran != GRAN_FUNCTIONS) {
		rc = prof_granularity(cur, (enum granularity)gran, &next);
		if (cur != a->base)
			prof_free(cur);
		if (rc)
			return rc;
		cur = next;
	}
	*out = cur;
	return 0;
}

int app_reload(struct tui_app *a)
{
	struct tree *t;
	struct top *all;
	uint32_t name = a->tree && a->main.fl.sel ? a->tree->name[a->main.fl.sel] : 0, ty;
	int rc;

	all = calloc(a->prof->ntypes, sizeof(*all));
	if (!all)
		return err_set(ERR_NOMEM, "out of memory");
	if ((rc = tree_build(a->prof, &t)) || (rc = top_from_tree(t, all))) {
		free(all);
		return rc;
	}
	top_view_invalidate(a);
	if (a->tp.all) {
		for (ty = 0; ty < a->prof->ntypes; ty++)
			top_release(&a->tp.all[ty]);
		free(a->tp.all);
	}
	for (ty = 0; ty < a->prof->ntypes; ty++)
		all[ty].total = a->base_total[ty];
	a->tp.all = all;
	tree_free(a->tree);
	a->tree = t;
	a->main.tree = t;
	sandwich_view_release(a); /* its function may be gone: chosen again on '3' */
	/* zoom resets; the selected function stays selected where it still exists */
	a->main.fl.zoom = 0;
	a->main.fl.nzoom = 0;
	a->main.fl.scroll = 0;
	a->main.fl.sel_plus = false;
	a->main.fl.sel = name ? top_widest(t, a->type, name) : 0;
	flame_release(&a->main.fl.layout);
	app_search_refresh(a);
	return 0;
}

/* Re-derives a->prof from the stack; on failure the stack and view stay as they were. */
static int refilter(struct tui_app *a, int n, int gran)
{
	struct prof *p, *old = a->prof;
	int rc;

	if ((rc = apply_stack(a, n, gran, &p)))
		return rc;
	a->prof = p;
	if ((rc = app_reload(a))) {
		if (p != a->base)
			prof_free(p);
		a->prof = old;
		return rc;
	}
	if (old != a->base)
		prof_free(old);
	a->nfilters = n;
	a->gran = gran;
	return 0;
}

int app_filter_push(struct tui_app *a, enum filter_kind kind, const char *pat)
{
	int rc;

	if (a->nfilters == FILTERS_MAX)
		return err_set(ERR_TOOBIG, "at most %d filters; F pops the last", FILTERS_MAX);
	a->filters[a->nfilters].kind = kind;
	snprintf(a->filters[a->nfilters].pat, sizeof(a->filters[0].pat), "%s", pat);
	if ((rc = refilter(a, a->nfilters + 1, a->gran)))
		return rc;
	if (kind == FK_COLLAPSE)
		scr_message(a, false, "recursion collapsed (f -> f -> f is one f); R again restores");
	else if (a->prof->nsamples == 0)
		scr_message(a, false, "%s=%s left no samples; F pops it", kind_names[kind], pat);
	else
		scr_message(a, false, "%s=%s: %u samples", kind_names[kind], pat, a->prof->nsamples);
	return 0;
}

void app_filter_pop(struct tui_app *a)
{
	if (a->nfilters == 0) {
		scr_message(a, false, "no filter to pop");
		return;
	}
	if (refilter(a, a->nfilters - 1, a->gran))
		scr_message(a, true, "%s", err_last());
	else
		scr_message(a, false, "filter popped, %d left", a->nfilters);
}

void app_toggle_recursion(struct tui_app *a)
{
	if (a->nfilters > 0 && a->filters[a->nfilters - 1].kind == FK_COLLAPSE) {
		if (refilter(a, a->nfilters - 1, a->gran))
			scr_message(a, true, "%s", err_last());
		else
			scr_message(a, false, "recursion shown as it was sampled");
		return;
	}
	if (app_filter_push(a, FK_COLLAPSE, ""))
		scr_message(a, true, "%s", err_last());
}

void app_command(struct tui_app *a, const char *cmd)
{
	const char *eq = strchr(cmd, '=');
	size_t n = eq ? (size_t)(eq - cmd) : strlen(cmd), i;

	while (*cmd == ' ')
		cmd++, n--;
	if (!*cmd)
		return;
	if (strcmp(cmd, "collapse_recursion") == 0) {
		app_toggle_recursion(a);
		return;
	}
	if (!eq || !eq[1]) {
		scr_message(a, true, "':%s': want option=value (Tab completes; ? lists them)", cmd);
		return;
	}
	if (n == 11 && strncmp(cmd, "granularity", 11) == 0) {
		int g = granularity_parse(eq + 1);

		if (g < 0)
			scr_message(a, true, "granularity is functions, lines, files or packages");
		else if (refilter(a, a->nfilters, g))
			scr_message(a, true, "%s", err_last());
		else
			scr_message(a, false, "granularity: %s", granularity_name((enum granularity)g));
		return;
	}
	if (n == 12 && strncmp(cmd, "sample_index", 12) == 0) {
		int t = prof_find_type(a->prof, eq + 1);

		if (t < 0)
			scr_message(a, true, "no sample type '%s' (t cycles through them)", eq + 1);
		else
			app_set_type(a, (uint32_t)t);
		return;
	}
	for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
		if (strlen(kind_names[i]) == n && strncmp(cmd, kind_names[i], n) == 0) {
			if (app_filter_push(a, (enum filter_kind)i, eq + 1))
				scr_message(a, true, "%s", err_last());
			return;
		}
	}
	scr_message(a, true, "unknown option '%.*s' (focus, ignore, hide, show_from, tagfocus, "
			     "tagignore, sample_index, granularity, collapse_recursion)",
		    (int)(n > 40 ? 40 : n), cmd);
}

void app_command_complete(struct tui_app *a)
{
	const char *cands[64];
	size_t ncand = 0, i, len = a->prompt_len, common, start = 0;
	const char *eq = memchr(a->prompt, '=', len);

	if (!eq) {
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (strncmp(commands[i], a->prompt, len) == 0)
				cands[ncand++] = commands[i];
	} else if ((size_t)(eq - a->prompt) == 11 && strncmp(a->prompt, "granularity", 11) == 0) {
		start = 12;
		for (i = 0; i < sizeof(granularities) / sizeof(granularities[0]); i++)
			if (strncmp(granularities[i], a->prompt + start, len - start) == 0)
				cands[ncand++] = granularities[i];
	} else if ((size_t)(eq - a->prompt) == 12 && strncmp(a->prompt, "sample_index", 12) == 0) {
		start = 13;
		for (i = 0; i < a->ntypes && ncand < 64; i++) {
			const char *t = prof_str(a->prof, a->prof->sample_types[i].type);

			if (strncmp(t, a->prompt + start, len - start) == 0)
				cands[ncand++] = t;
		}
	}
	if (ncand == 0)
		return;
	/* extend to the longest common prefix; list the choices when ambiguous */
	common = strlen(cands[0]);
	for (i = 1; i < ncand; i++) {
		size_t k = 0;

		while (k < common && cands[i][k] == cands[0][k])
			k++;
		common = k;
	}
	if (start + common < PROMPT_MAX && start + common > len) {
		memcpy(a->prompt + start, cands[0], common);
		a->prompt_len = start + common;
	}
	if (ncand > 1) {
		struct buf b = BUF_INIT;

		for (i = 0; i < ncand; i++)
			buf_printf(&b, "%s%s", i ? "  " : "", cands[i]);
		scr_message(a, false, "%s", b.data);
		buf_release(&b);
	}
}

void app_filters_describe(const struct tui_app *a, struct buf *out)
{
	int i;

	for (i = 0; i < a->nfilters; i++) {
		if (a->filters[i].kind == FK_COLLAPSE) {
			buf_printf(out, "%scollapsed recursion", i ? " " : "");
			continue;
		}
		buf_printf(out, "%s%s:", i ? " " : "", kind_names[a->filters[i].kind]);
		buf_puts(out, a->filters[i].pat);
	}
	if (a->gran != GRAN_FUNCTIONS)
		buf_printf(out, "%s%s", a->nfilters ? " " : "", granularity_name((enum granularity)a->gran));
}
