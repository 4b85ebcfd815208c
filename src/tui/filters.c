/*
 * filters.c — the explorer's filter stack and ':' commands.
 *
 * Filters are pprof's (profile/filter.h), pushed one at a time: `f` focus, `x` ignore,
 * `-` hide on the selected function, or typed at the ':' prompt; `F` pops the last.
 * Each change re-derives the shown profile from the loaded one by applying the whole
 * stack in order, then rebuilds the call tree and tables — on a worker thread, so the
 * screen keeps drawing (a spinner, Esc cancels) while a large profile is refiltered; the
 * worker reads only the immutable loaded profile and hands back new objects.  Esc drops
 * the job at once: the UI is free for the next change while the worker, which holds a
 * reference of its own to the loaded profile, stops soon and frees what it made: every
 * step (a filter, collapsing recursion, the granularity, the call tree and the tables)
 * reads the job's cancel flag as it goes, every few thousand samples, frames or nodes.
 * Percentages stay relative to the unfiltered profile, as in pprof.
 *
 * A live refresh's new data goes through the same job with the same stack (a refresh
 * job): the old filtered view and its stack stay on screen until the new data lands
 * filtered, and filter keys meanwhile change the stack that lands, not the shown one.
 */
#include <curses.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/units.h"
#include "profile/filter.h"
#include "profile/granularity.h"
#include "profile/recursion.h"
#include "tui_int.h"

static const char *const kind_names[] = { "focus",    "ignore",    "hide",
					  "show",     "show_from", "tagfocus",
					  "tagignore", "collapse_recursion" };

static const char *const commands[] = { "focus=", "ignore=", "hide=", "show=", "show_from=",
					"tagfocus=", "tagignore=", "sample_index=", "granularity=",
					"collapse_recursion", "repo=", "ref=", "root=", "source_path=" };
static const char *const granularities[] = { "functions", "lines", "files", "packages" };

/* ERR_CANCELLED once *cancel is set (cancel may be NULL: never). */
static int stopped(atomic_int *cancel)
{
	if (cancel && atomic_load(cancel))
		return err_set(ERR_CANCELLED, "cancelled");
	return 0;
}

/*
 * Applies filters[0 .. n), then granularity `gran`, to base; *out is base itself when
 * there is nothing to apply.  Pure: runs on the worker thread, which may stop it through
 * cancel (NULL: never), inside each step as between them.
 */
static int apply_stack(const struct prof *base, const struct tui_filter *filters, int n, int gran,
		       atomic_int *cancel, struct prof **out)
{
	struct prof *cur = (struct prof *)base, *next;
	int i, rc;

	for (i = 0; i < n; i++) {
		struct filter_opts o = { .cancel = cancel };
		const char *pat = filters[i].pat;

		if ((rc = stopped(cancel))) {
			if (cur != base)
				prof_free(cur);
			return rc;
		}

		switch (filters[i].kind) {
		case FK_FOCUS: o.focus = pat; break;
		case FK_IGNORE: o.ignore = pat; break;
		case FK_HIDE: o.hide = pat; break;
		case FK_SHOW: o.show = pat; break;
		case FK_SHOW_FROM: o.show_from = pat; break;
		case FK_TAGFOCUS: o.tagfocus = pat; break;
		case FK_TAGIGNORE: o.tagignore = pat; break;
		case FK_COLLAPSE: break;
		}
		if (filters[i].kind == FK_COLLAPSE)
			rc = prof_collapse_recursion_cancellable(cur, cancel, &next);
		else
			rc = prof_filter(cur, &o, &next);
		if (cur != base)
			prof_free(cur);
		if (rc)
			return rc;
		cur = next;
	}
	if (gran != GRAN_FUNCTIONS) {
		if ((rc = stopped(cancel)) == 0)
			rc = prof_granularity_cancellable(cur, (enum granularity)gran, cancel,
							  &next);
		if (cur != base)
			prof_free(cur);
		if (rc)
			return rc;
		cur = next;
	}
	*out = cur;
	return 0;
}

int app_filters_apply(const struct prof *base, const struct tui_filter *filters, int n,
		      struct prof **out)
{
	return apply_stack(base, filters, n, GRAN_FUNCTIONS, NULL, out);
}

/* The whole derivation: filtered profile, its call tree and top tables (stopping soon
 * once the job is cancelled: the outputs are then released by free()). */
static void reload_compute(struct reload_job *j)
{
	struct reload_out *o = &j->out;
	atomic_int *cancel = &j->job.cancel;

	o->all = NULL;
	o->tree = NULL;
	o->prof = NULL;
	if ((o->rc = apply_stack(j->base, j->filters, j->n, j->gran, cancel, &o->prof)))
		goto fail;
	o->all = calloc(o->prof->ntypes ? o->prof->ntypes : 1, sizeof(*o->all));
	if (!o->all) {
		o->rc = err_set(ERR_NOMEM, "out of memory");
		goto fail;
	}
	if ((o->rc = tree_build_cancellable(o->prof, cancel, &o->tree)) ||
	    (o->rc = top_from_tree_cancellable(o->tree, cancel, o->all)))
		goto fail;
	return;
fail:
	snprintf(o->err, sizeof(o->err), "%s", err_last());
}

static void reload_out_release(struct reload_job *j)
{
	struct reload_out *o = &j->out;
	uint32_t ty;

	if (o->all && o->prof) {
		for (ty = 0; ty < o->prof->ntypes; ty++)
			top_release(&o->all[ty]);
	}
	free(o->all);
	tree_free(o->tree);
	if (o->prof && o->prof != j->base)
		prof_free(o->prof);
	memset(o, 0, sizeof(*o));
}

static void reload_run(struct job *job)
{
	reload_compute((struct reload_job *)job);
}

static void reload_free(struct job *job)
{
	struct reload_job *j = (struct reload_job *)job;

	reload_out_release(j);
	prof_free(j->base); /* the job's reference */
	free(j);
}

/*
 * What the filters kept, as pprof's "Showing nodes accounting for": the value of the
 * shown sample type against the unfiltered total (both sides' totals in a diff).
 */
static void say_kept(struct tui_app *a, const char *what)
{
	char kept[UNITS_MAX], all[UNITS_MAX];
	int64_t k = tree_total(a->tree, 0, a->type);

	app_format_value(a, kept, sizeof(kept), k);
	if (a->diff) {
		app_format_value(a, all, sizeof(all), tree_total(a->tree, 0, a->type + a->ntypes));
		scr_message(a, false, "%s: %s %s %s", what, all, a->scr.utf8 ? "\xe2\x86\x92" : "->",
			    kept);
		return;
	}
	app_format_value(a, all, sizeof(all), a->base_total[a->type]);
	if (a->base_total[a->type] > 0 && k >= 0)
		scr_message(a, false, "%s: %s of %s (%.1f%%)", what, kept, all,
			    100.0 * (double)k / (double)a->base_total[a->type]);
	else
		scr_message(a, false, "%s: %s of %s", what, kept, all);
}

/* Says what a landed job did, unless an error said while it ran must stay readable. */
static void reload_say(struct tui_app *a, const struct reload_job *j)
{
	if (j->background)
		return;  /* a live refresh every 5 s: the message line keeps what it says */
	if (a->message_seq != j->message_seq && a->message_error)
		return; /* an error said while the job ran (a bad `:` option) stays readable */
	if (j->say_samples && a->prof->nsamples == 0)
		scr_message(a, false, "%s left no samples; F pops it", j->what);
	else if (j->say_samples)
		say_kept(a, j->what);
	else
		scr_message(a, false, "%s", j->what);
}

/* A live refresh's derivation: the new data and its filtered view land together. */
static void refresh_install(struct tui_app *a, struct reload_job *j)
{
	struct reload_out *o = &j->out;
	struct prof *base = prof_ref(j->base);

	a->sctx.opened = j->opened;
	app_install_data(a, base, o->prof == j->base ? base : o->prof, o->tree, o->all, j->diff,
			 j->source, j->has_base_source ? j->base_source : NULL, !j->background);
	memset(o, 0, sizeof(*o));
	memcpy(a->filters, j->filters, (size_t)j->n * sizeof(a->filters[0]));
	a->nfilters = j->n;
	a->gran = j->gran;
	reload_say(a, j);
}

/* Puts a finished derivation on screen, keeping the selected function selected. */
static void reload_install(struct tui_app *a, struct reload_job *j)
{
	struct reload_out *o = &j->out;
	uint32_t name = a->tree && a->main.fl.sel ? a->tree->name[a->main.fl.sel] : 0, ty;
	struct sandwich_keep sk;

	if (j->refresh) {
		refresh_install(a, j);
		return;
	}
	sandwich_view_save(a, &sk);
	top_view_invalidate(a);
	if (a->tp.all) {
		for (ty = 0; ty < a->prof->ntypes; ty++)
			top_release(&a->tp.all[ty]);
		free(a->tp.all);
	}
	for (ty = 0; ty < o->prof->ntypes; ty++)
		o->all[ty].total = a->base_total[ty];
	if (a->prof != a->base)
		export_view_prof_free(a, a->prof);
	tree_free(a->tree);
	a->prof = o->prof;
	a->tree = o->tree;
	a->tp.all = o->all;
	memset(o, 0, sizeof(*o));
	a->main.tree = a->cmp[0].tree = a->cmp[1].tree = a->tree;
	for (int i = 0; i < 3; i++) {
		struct flame_pane *fp = i == 0 ? &a->main : &a->cmp[i - 1];

		/* zoom resets; the selected function stays selected where it still exists */
		fp->fl.zoom = 0;
		fp->fl.nzoom = 0;
		fp->fl.scroll = 0;
		fp->fl.sel_plus = false;
		fp->fl.sel = name ? top_widest(a->tree, a->type, name) : 0;
		flame_release(&fp->fl.layout);
	}
	memcpy(a->filters, j->filters, (size_t)j->n * sizeof(a->filters[0]));
	a->nfilters = j->n;
	a->gran = j->gran;
	sandwich_view_restore(a, &sk, true); /* the old halves stay until the new ones land */
	app_search_refresh(a);
	source_view_data_changed(a, true); /* its function stays; numbers from the new data */
	reload_say(a, j);
}

/* Called by the UI loop: lands a finished job. */
void app_poll_jobs(struct tui_app *a)
{
	struct reload_job *j = a->job;

	if (!j || !job_poll(&j->job))
		return;
	a->job = NULL;
	if (j->out.rc)
		scr_message(a, true, "%s", j->out.err);
	else
		reload_install(a, j);
	reload_free(&j->job);
}

bool app_job_running(const struct tui_app *a)
{
	return a->job != NULL;
}

bool app_job_waiting(const struct tui_app *a)
{
	return a->job && !a->job->background;
}

void app_cancel_job(struct tui_app *a)
{
	struct reload_job *j = a->job;

	/* not waited for: the shown profile stays, the next change may start now */
	a->job = NULL;
	job_drop(j ? &j->job : NULL);
}

void app_base_free(struct tui_app *a)
{
	struct reload_job *j = a->job;

	a->job = NULL;
	job_drop(j ? &j->job : NULL); /* a job still running keeps its own reference */
	export_view_prof_free(a, a->base); /* or to the export writing it */
	a->base = NULL;
}

/* Starts j (made by the callers below), or runs it at once; 0 or the job's error. */
static int reload_start(struct tui_app *a, struct reload_job *j)
{
	int rc;

	if (a->async && job_start(&j->job, true) == 0) {
		a->job = j;
		return 0;
	}
	job_start(&j->job, false); /* no thread (or drivers and tests): at once */
	if ((rc = j->out.rc))
		err_set(rc, "%s", j->out.err[0] ? j->out.err : err_last());
	else
		reload_install(a, j);
	reload_free(&j->job);
	return rc;
}

/*
 * The stack the next change starts from: while a live refresh's job is in flight, the
 * one it applies to the new data (pending: what lands next), else the shown one.
 */
static const struct tui_filter *next_stack(const struct tui_app *a, int *n, int *gran)
{
	if (a->job && a->job->refresh) {
		*n = a->job->n;
		*gran = a->job->gran;
		return a->job->filters;
	}
	*n = a->nfilters;
	*gran = a->gran;
	return a->filters;
}

/*
 * Re-derives the shown profile from filters[0 .. n) and granularity gran: on a worker
 * thread when the app runs its own loop (the screen keeps drawing, Esc cancels), else
 * at once.  filters (copied; a->filters or the pending stack) become the app's stack when
 * the job lands, not before: a job cancelled or failed leaves the stack that describes
 * what is shown.  While a live refresh's job is in flight the change applies to its new
 * data: that job is replaced by one with the changed stack.  `what` is said when it
 * lands (with the sample count when say_samples).
 */
static int refilter(struct tui_app *a, const struct tui_filter *filters, int n, int gran,
		    const char *what, bool say_samples)
{
	struct reload_job *j, *old = a->job;

	if (old && !old->refresh)
		return err_set(ERR_USAGE, "still working on the last change (Esc cancels it)");
	/* one job at most reads (and may come to own) the loaded profile */
	if (!old && export_view_reads(a, a->base))
		return err_set(ERR_USAGE, "still writing %s", a->export->file);
	if (!(j = calloc(1, sizeof(*j))))
		return err_set(ERR_NOMEM, "out of memory");
	job_init(&j->job, reload_run, reload_free);
	memcpy(j->filters, filters, (size_t)n * sizeof(j->filters[0])); /* before old goes */
	j->n = n;
	j->gran = gran;
	j->say_samples = say_samples;
	j->message_seq = a->message_seq;
	snprintf(j->what, sizeof(j->what), "%s", what);
	if (old) {
		j->base = prof_ref(old->base);
		j->refresh = true;
		j->diff = old->diff;
		j->opened = old->opened;
		j->has_base_source = old->has_base_source;
		memcpy(j->source, old->source, sizeof(j->source));
		memcpy(j->base_source, old->base_source, sizeof(j->base_source));
		a->job = NULL;
		job_drop(&old->job);
	} else {
		j->base = prof_ref(a->base);
	}
	return reload_start(a, j);
}

bool app_refresh_filtered(struct tui_app *a, struct prof *p, bool diff, const char *source,
			  const char *base_source)
{
	struct reload_job *j, *old = a->job;
	const struct tui_filter *f = old ? old->filters : a->filters;
	int n = old ? old->n : a->nfilters, gran = old ? old->gran : a->gran;

	if (n == 0 && gran == GRAN_FUNCTIONS)
		return false;
	if (!(j = calloc(1, sizeof(*j)))) {
		prof_free(p);
		scr_message(a, true, "new data not shown: out of memory");
		return true;
	}
	job_init(&j->job, reload_run, reload_free);
	j->base = p; /* the caller's reference, the job's now */
	memcpy(j->filters, f, (size_t)n * sizeof(j->filters[0]));
	j->n = n;
	j->gran = gran;
	j->refresh = true;
	j->diff = diff;
	j->opened = a->sctx.opened; /* of this data: it goes with it */
	a->sctx.opened = false;
	snprintf(j->source, sizeof(j->source), "%s", source ? source : "");
	snprintf(j->base_source, sizeof(j->base_source), "%s", base_source ? base_source : "");
	j->has_base_source = base_source != NULL;
	if (old && !old->background) {
		/* a change the user made is still in flight: it lands with the new data */
		j->say_samples = old->say_samples;
		j->message_seq = old->message_seq;
		snprintf(j->what, sizeof(j->what), "%s", old->what);
	} else {
		/* no spinner, and Esc stays the view's: nobody waits for a refresh */
		j->background = true;
		j->message_seq = a->message_seq;
		snprintf(j->what, sizeof(j->what), "filters applied to the new data");
	}
	if (old) {
		a->job = NULL;
		job_drop(&old->job);
	}
	if (reload_start(a, j))
		scr_message(a, true, "new data not shown: %s", err_last());
	return true;
}

int app_filters_initial(struct tui_app *a, const struct filter_opts *o, int gran, bool collapse)
{
	/* pprof's order (filter.h); applied one after another they select the same samples */
	const char *pats[] = { o ? o->focus : NULL,     o ? o->ignore : NULL,
			       o ? o->hide : NULL,      o ? o->show : NULL,
			       o ? o->show_from : NULL, o ? o->tagfocus : NULL,
			       o ? o->tagignore : NULL };
	const enum filter_kind kinds[] = { FK_FOCUS, FK_IGNORE,	  FK_HIDE,     FK_SHOW,
					   FK_SHOW_FROM, FK_TAGFOCUS, FK_TAGIGNORE };
	char what[64];
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!pats[i] || !*pats[i])
			continue;
		if (strlen(pats[i]) >= sizeof(a->filters[0].pat))
			return err_set(ERR_TOOBIG, "--%s: the pattern is %zu bytes, longer than the %zu "
						   "a filter holds", kind_names[kinds[i]], strlen(pats[i]),
				       sizeof(a->filters[0].pat) - 1);
		a->filters[n].kind = kinds[i];
		snprintf(a->filters[n].pat, sizeof(a->filters[0].pat), "%s", pats[i]);
		n++;
	}
	if (collapse) {
		a->filters[n].kind = FK_COLLAPSE;
		a->filters[n].pat[0] = '\0';
		n++;
	}
	if (n == 0 && gran == GRAN_FUNCTIONS)
		return 0;
	snprintf(what, sizeof(what), "%d filter%s from the command line; F pops the last", n,
		 n == 1 ? "" : "s");
	return refilter(a, a->filters, n, gran, n ? what : "granularity from the command line", false);
}

int app_filter_push(struct tui_app *a, enum filter_kind kind, const char *pat)
{
	struct tui_filter next[FILTERS_MAX];
	char what[PROMPT_MAX + 32];
	int n, gran;
	const struct tui_filter *f = next_stack(a, &n, &gran);

	if (n == FILTERS_MAX)
		return err_set(ERR_TOOBIG, "at most %d filters; F pops the last", FILTERS_MAX);
	if (a->job && !a->job->refresh)
		return err_set(ERR_USAGE, "still working on the last change (Esc cancels it)");
	/* never a silently different filter: a cut pattern loses its `$` or ends in a `\` */
	if (strlen(pat) >= sizeof(a->filters[0].pat))
		return err_set(ERR_TOOBIG, "%s: the pattern is %zu bytes, longer than the %zu a filter holds",
			       kind_names[kind], strlen(pat), sizeof(a->filters[0].pat) - 1);
	memcpy(next, f, (size_t)n * sizeof(next[0]));
	next[n].kind = kind;
	snprintf(next[n].pat, sizeof(next[0].pat), "%s", pat);
	if (kind == FK_COLLAPSE)
		return refilter(a, next, n + 1, gran,
				"recursion collapsed (f -> f -> f is one f); R again restores", false);
	/* under lines the frames are not what a name filter matches (f x - on one take its
	 * function): said, lest "focus=^main\.f$" read as the selected line */
	snprintf(what, sizeof(what), "%s=%s%s", kind_names[kind], pat,
		 gran == GRAN_LINES && kind <= FK_SHOW_FROM ?
			 " (of functions: filters match function and file names, as pprof's)" : "");
	return refilter(a, next, n + 1, gran, what, true);
}

void app_filter_pop(struct tui_app *a)
{
	char what[64];
	int n, gran;
	const struct tui_filter *f = next_stack(a, &n, &gran);

	if (n == 0) {
		scr_message(a, false, "no filter to pop");
		return;
	}
	snprintf(what, sizeof(what), "filter popped, %d left", n - 1);
	if (refilter(a, f, n - 1, gran, what, false))
		scr_message(a, true, "%s", err_last());
}

/*
 * R: collapses recursion (a filter pushed on top), or, when a collapse is anywhere on the
 * stack, takes it out and re-applies the filters that were above it, which stay.
 */
void app_toggle_recursion(struct tui_app *a)
{
	struct tui_filter kept[FILTERS_MAX];
	char what[96];
	int i, n = 0, above = 0, nf, gran;
	const struct tui_filter *f = next_stack(a, &nf, &gran);
	bool found = false;

	for (i = 0; i < nf; i++) {
		if (f[i].kind == FK_COLLAPSE) {
			found = true;
			above = 0; /* counted from the last collapse: there is one at most */
			continue;
		}
		kept[n++] = f[i];
		above++;
	}
	if (!found) {
		if (app_filter_push(a, FK_COLLAPSE, ""))
			scr_message(a, true, "%s", err_last());
		return;
	}
	if (above == 0)
		snprintf(what, sizeof(what), "recursion shown as it was sampled");
	else
		snprintf(what, sizeof(what), "recursion shown as it was sampled; the %d filter%s "
			 "above it re-applied", above, above == 1 ? "" : "s");
	if (refilter(a, kept, n, gran, what, false))
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
	/* where the source pane reads code; an empty value goes back to the flag or label */
	if (eq && source_settings_kind(cmd, n) >= 0) {
		source_view_setting(a, (enum source_setting_kind)source_settings_kind(cmd, n), eq + 1);
		return;
	}
	if (!eq || !eq[1]) {
		scr_message(a, true, "':%s': want option=value (Tab completes; ? lists them)", cmd);
		return;
	}
	if (n == 11 && strncmp(cmd, "granularity", 11) == 0) {
		int g = granularity_parse(eq + 1), nf, gran;
		const struct tui_filter *f = next_stack(a, &nf, &gran);
		char what[64];

		snprintf(what, sizeof(what), "granularity: %s",
			 g < 0 ? "" : granularity_name((enum granularity)g));
		if (g < 0)
			scr_message(a, true, "granularity is functions, lines, files or packages");
		else if (refilter(a, f, nf, g, what, false))
			scr_message(a, true, "%s", err_last());
		return;
	}
	if (n == 12 && strncmp(cmd, "sample_index", 12) == 0) {
		int t = prof_find_type(a->prof, eq + 1);

		/* a diff's profile holds both sides' types (prof_pair): an index counts one
		 * side's, a->ntypes, as `t` cycles through them */
		if (t < 0 || (uint32_t)t >= a->ntypes)
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
	scr_message(a, true, "unknown option '%.*s' (focus, ignore, hide, show, show_from, "
			     "tagfocus, tagignore, sample_index, granularity, collapse_recursion, repo, ref, "
			     "root, source_path)",
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
	} else if ((size_t)(eq - a->prompt) == 3 && strncmp(a->prompt, "ref", 3) == 0) {
		start = 4; /* the refs of the versions in the data */
		for (i = 0; i < a->sctx.nv && ncand < 64; i++) {
			const char *r = a->sctx.v[i].ref;

			if (*r && strncmp(r, a->prompt + start, len - start) == 0)
				cands[ncand++] = r;
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
