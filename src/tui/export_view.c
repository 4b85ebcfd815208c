/*
 * export_view.c — `e`: writes what is on screen to a file.  A format is picked with one
 * key (p pprof, f folded, s speedscope, v svg), then the path is edited on the prompt
 * line (a default in the current directory is filled in, never a name that exists).  A
 * path that exists asks "overwrite PATH? y/N" first; the profile being viewed is never
 * overwritten.  The file is written next to its name and renamed into place (outfile.h),
 * so a failed write leaves what was there whole, and without that y a file that appeared
 * since the prompt is kept.
 *
 * "What is on screen" is the shown profile (every filter, granularity and collapsed
 * recursion applied), narrowed to the zoomed call path (the comparison's when it is
 * shown); in the sandwich, the focused half, the callers' with each stack turned back
 * root first (prof_reverse_stacks); in the top table, which is of the whole profile, no
 * zoom, and its `/` row filter as pprof's -focus on that regex: the samples through a
 * matching function (or file, as -focus reads it), so every row the table shows keeps its
 * self and total in the file (pprof's -show would keep only the matching frames, and a
 * row's self would take in the time of the callees it lost).  In a diff, pprof and folded
 * get pprof's -diff_base form (base samples negated, labelled pprof::base), which `go tool
 * pprof` reads as the difference; speedscope and SVG, which cannot draw negative weights,
 * get the new side.  A pprof file of lines or files granularity names its frames as
 * pprof's -lines and -files do (granularity_pprof: the function again, not "F file:line"),
 * made from what is on screen and the loaded profile its frames came from.
 *
 * The work (the row filter, the turning round, the zoom, encoding, writing) runs on a
 * worker (job.c) so a large export does not freeze the screen; its outcome is the message
 * when it lands.  The job reads the shown profile without a copy: a profile the app lets
 * go of meanwhile (new filters, a sandwich pivot, a live refresh) is handed to the job
 * (export_view_prof_free), and no filter job starts while it reads the loaded profile, so
 * one job at most ever owns it.
 * Quitting waits for the file to be complete.
 */
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/err.h"
#include "base/outfile.h"
#include "ingest/encode.h"
#include "profile/filter.h"
#include "profile/granularity.h"
#include "profile/merge.h"
#include "profile/subtree.h"
#include "profile/transform.h"
#include "tui_int.h"

static const struct {
	char key;
	const char *name, *ext;
} formats[] = {
	{ 'p', "pprof", "pb.gz" },
	{ 'f', "folded", "folded" },
	{ 's', "speedscope", "speedscope.json" },
	{ 'v', "svg", "svg" },
};

/*
 * The job and what a pprof file of a granularity needs besides: the granularity on
 * screen and a reference (prof_ref) to the loaded profile, whose functions the frames'
 * keys stand for; the job frees it.  The job's pointer is this one's (first member).
 */
struct export_gran_job {
	struct export_job j;
	int gran;             /* enum granularity */
	struct prof *before;  /* NULL: functions or packages, which pprof reads as they are */
};

/* The top table's `/` row filter is on screen: the export is its -focus (see above). */
static bool row_filtered(const struct tui_app *a)
{
	return a->view == VIEW_TOP && a->tp.filter.code && a->tp.filter_pat[0];
}

void export_view_begin(struct tui_app *a)
{
	char what[PROMPT_MAX + 40] = "";

	/* a server's flame graph holds frames only: the full profile first */
	if (a->br.flame_only && browser_view_want_full(a, NULL))
		return;
	a->export_fmt = -1;
	a->exporting = true;
	/* a row filter narrows what is written: said before a format is picked (the pattern
	 * is drawn made safe, as every message is) */
	if (row_filtered(a))
		snprintf(what, sizeof(what), "the rows' samples (focus=%s) ", a->tp.filter_pat);
	scr_message(a, false, "export %sas: p pprof%sf folded%ss speedscope%sv svg%sEsc cancels",
		    what, a->dot, a->dot, a->dot, a->dot);
}

/*
 * The zoom on screen: the comparison's (its panes share one), else the flame graph's; the
 * top table is of the whole profile, whatever the flame graph is zoomed to.
 */
static uint32_t shown_zoom(const struct tui_app *a)
{
	if (a->view == VIEW_TOP)
		return 0;
	return a->view == VIEW_COMPARE ? a->cmp[a->cmp_focus].fl.zoom : a->main.fl.zoom;
}

/* Appends s to out[k..n) with what is not [A-Za-z0-9._-] as '_' (no runs of them). */
static size_t safe_part(char *out, size_t k, size_t n, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && k + 1 < n; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '.' || c == '-' || c == '_';

		if (!ok && k > 0 && out[k - 1] == '_')
			continue;
		out[k++] = ok ? c : '_';
	}
	out[k] = '\0';
	return k;
}

/* True when something (a file, a directory, a dangling link) is at path. */
static bool path_taken(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 || errno != ENOENT;
}

/*
 * The default file name, in the current directory: for a profile opened from a store or
 * a server, service-type-YYYYMMDD-HHMMSS (the window's end); else the source's base name
 * without extensions.  Only [A-Za-z0-9._-]: never a directory, a quote or a brace.  Never
 * a path that exists (cpu.pb.gz viewed suggests cpu-export.pb.gz, then -export-2, ...): an
 * Enter on the suggestion must not replace the profile being viewed, nor any other file.
 */
static void default_path(const struct tui_app *a, int fmt, char *out, size_t n)
{
	char stem[160];
	size_t k = 0;
	unsigned i;
	/* a part of the profile: a zoom, a sandwich's half, the top table's rows */
	bool part = shown_zoom(a) || a->view == VIEW_SANDWICH || row_filtered(a);

	if (a->br.opened && a->br.oq.set) {
		const struct browse_opened *o = &a->br.oq;
		struct profile_type pt = { 0 };
		time_t t = (time_t)(o->range.to_ns / 1000000000);
		struct tm tm;
		char when[32] = "";

		k = safe_part(stem, k, 64, o->service, strlen(o->service));
		if (profile_type_parse(o->ptype, &pt) == 0) {
			k = safe_part(stem, k, sizeof(stem), "-", 1);
			k = safe_part(stem, k, 96, pt.sample_type, strlen(pt.sample_type));
		}
		profile_type_release(&pt);
		localtime_r(&t, &tm);
		if (strftime(when, sizeof(when), "-%Y%m%d-%H%M%S", &tm))
			k = safe_part(stem, k, sizeof(stem), when, strlen(when));
	} else {
		const char *src = a->opts.source ? a->opts.source : "profile", *slash = strrchr(src, '/');
		size_t len;

		src = slash ? slash + 1 : src;
		len = strcspn(src, ".?");
		k = safe_part(stem, k, 64, src, len);
	}
	while (k > 0 && (stem[0] == '.' || stem[0] == '_' || stem[0] == '-'))
		memmove(stem, stem + 1, k--); /* no hidden file, no option-like name */
	for (i = 1; i < 1000; i++) {
		char nth[24] = "";

		if (i > 1)
			snprintf(nth, sizeof(nth), i > 2 ? "-export-%u" : "-export", i - 1);
		snprintf(out, n, "%s%s%s%s.%s", k ? stem : "profile", a->diff ? "-diff" : "",
			 part ? "-view" : "", nth, formats[fmt].ext);
		if (!path_taken(out))
			return;
	}
	/* 1000 taken: the last one is proposed, and Enter on it asks before replacing it */
}

bool export_view_key(struct tui_app *a, int key)
{
	size_t i;

	if (!a->exporting)
		return false;
	a->exporting = false;
	a->message[0] = '\0';
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (key == formats[i].key) {
			a->export_fmt = (int)i;
			default_path(a, (int)i, a->prompt, sizeof(a->prompt));
			a->prompt_len = strlen(a->prompt);
			a->prompt_kind = 'e';
			return true;
		}
	}
	if (key != 27)
		scr_message(a, false, "export cancelled");
	return true;
}

/*
 * What is on screen, for the job: the profile it comes from, the zoom path in it, the row
 * filter and whether the stacks are turned round.  Nothing is computed here: the filter
 * and the turning round are passes over every sample, made by the job (derive).
 */
static int on_screen(struct tui_app *a, struct export_job *j)
{
	uint32_t zoom = shown_zoom(a), node, k;

	j->src = a->prof;
	j->npath = 0;
	if (row_filtered(a)) {
		snprintf(j->focus, sizeof(j->focus), "%s", a->tp.filter_pat);
	} else if (a->view == VIEW_SANDWICH && a->sw.name && a->sw.focus_callers) {
		/* stored upside down, the function every stack's root (sandwich.h): written so,
		 * the file would say it calls its callers */
		j->src = a->sw.callers_prof;
		j->reverse = true;
	} else if (a->view == VIEW_SANDWICH && a->sw.name) {
		j->src = a->sw.callees_prof;
	} else if (zoom != 0) {
		/* the comparison's panes draw a->tree too: the same node ids */
		if (a->tree->depth[zoom] > ZOOM_PATH_MAX)
			return err_set(ERR_TOOBIG, "the zoomed path is deeper than %d frames", ZOOM_PATH_MAX);
		j->npath = k = a->tree->depth[zoom];
		for (node = zoom; node != 0; node = a->tree->parent[node])
			j->path[--k] = a->tree->name[node];
	}
	return 0;
}

/*
 * The job's row filter, turning round and zoom, in that order (one applies at most, as
 * on_screen sets them): *made is the profile made, NULL when src is whole.  On the worker.
 */
static int narrow(struct export_job *j, struct prof **made)
{
	struct filter_opts fo = { .focus = j->focus };
	int rc;

	*made = NULL;
	if (j->focus[0]) {
		if ((rc = prof_filter(j->src, &fo, made)))
			return rc;
		if ((*made)->nsamples == 0) {
			prof_free(*made);
			*made = NULL;
			return err_set(ERR_NOTFOUND, "no function matches the filter");
		}
		return 0;
	}
	if (j->reverse)
		return prof_reverse_stacks(j->src, NULL, made);
	if (j->npath)
		return prof_subtree(j->src, j->path, j->npath, made);
	return 0;
}

/*
 * The profile to write, from the job's source: *shown points at it; *owned is set when
 * it had to be made (the caller frees it).  On the worker.
 */
static int derive(struct export_job *j, const struct prof **shown, struct prof **owned)
{
	const struct prof *src = j->src;
	struct prof *narrowed = NULL;
	int rc;

	*owned = NULL;
	if ((rc = narrow(j, &narrowed)))
		return rc;
	if (narrowed)
		src = narrowed;
	if (j->diff) {
		rc = prof_unpair(src, j->diff_form, owned);
		prof_free(narrowed);
		*shown = *owned;
		return rc;
	}
	if (j->fmt >= 2 && prof_is_signed(src)) {
		/* a difference opened as one file (pprof -diff_base's form): speedscope and
		 * svg cannot draw a negative weight, so they get its new side, as the CLI's */
		j->new_side = true;
		rc = prof_new_side(src, j->type, owned);
		prof_free(narrowed);
		*shown = *owned;
		return rc;
	}
	*owned = narrowed;
	*shown = src;
	return 0;
}

/* The export itself, on the worker: reads only the job. */
static void export_run(struct job *job)
{
	struct export_job *j = (struct export_job *)job;
	const struct export_gran_job *g = (const struct export_gran_job *)job;
	const char *title = j->source ? j->source : "";
	const struct prof *p = NULL;
	struct prof *owned = NULL, *form = NULL;
	struct buf b = BUF_INIT;

	if ((j->rc = derive(j, &p, &owned)) == 0 && j->fmt == 0 && g->before &&
	    (j->rc = granularity_pprof(p, g->before, (enum granularity)g->gran, &form)) == 0 &&
	    form)
		p = form;
	if (j->rc == 0) {
		switch (j->fmt) {
		case 0: j->rc = encode_pprof(p, &b); break;
		case 1: j->rc = encode_folded(p, j->type, &b); break;
		case 2: j->rc = encode_speedscope(p, j->type, title, &b); break;
		default: j->rc = encode_svg(p, j->type, title, &b); break;
		}
	}
	if (!j->rc)
		j->rc = outfile_write(j->file, b.data, b.len, j->replace ? OUTFILE_REPLACE : 0);
	if (j->rc)
		snprintf(j->err, sizeof(j->err), "%s", err_last());
	j->len = b.len;
	buf_release(&b);
	prof_free(form);
	prof_free(owned);
}

static void export_free(struct job *job)
{
	struct export_gran_job *g = (struct export_gran_job *)job;

	prof_free(g->j.own);
	prof_free(g->before);
	free(g->j.source);
	free(g);
}

/* Says how the export went. */
static void export_land(struct tui_app *a, struct export_job *j)
{
	if (j->rc)
		scr_message(a, true, "export: %s", j->err);
	else
		scr_message(a, false, "wrote %s (%s, %zu bytes%s)", j->file, formats[j->fmt].name,
			    j->len, (j->diff && !j->diff_form) || j->new_side ? ", the new side" : "");
}

/* Starts writing path; replace: the user said y to overwriting it. */
static void export_start(struct tui_app *a, const char *path, bool replace)
{
	int fmt = a->export_fmt;
	struct export_gran_job *g;
	struct export_job *j;

	if (fmt < 0 || !*path)
		return;
	if (a->export) {
		scr_message(a, true, "export: still writing %s", a->export->file);
		return;
	}
	if (app_job_running(a)) {
		scr_message(a, true, "%s", app_job_waiting(a) ?
			    "export: still working on the last change (Esc cancels it)" :
			    "export: the new data is being filtered; again in a moment");
		return;
	}
	if (!(g = calloc(1, sizeof(*g))) ||
	    (a->opts.source && !(g->j.source = strdup(a->opts.source)))) {
		free(g);
		scr_message(a, true, "export: out of memory");
		return;
	}
	j = &g->j;
	g->gran = a->gran;
	if (fmt == 0 && (a->gran == GRAN_LINES || a->gran == GRAN_FILES))
		g->before = prof_ref(a->base);
	job_init(&j->job, export_run, export_free);
	j->fmt = fmt;
	j->type = a->type;
	j->diff = a->diff;
	j->diff_form = fmt == 0 || fmt == 1; /* pprof and folded: pprof's -diff_base form */
	j->replace = replace;
	snprintf(j->file, sizeof(j->file), "%s", path);
	if (on_screen(a, j)) {
		scr_message(a, true, "export: %s", err_last());
		export_free(&j->job);
		return;
	}
	if (a->async && job_start(&j->job, true) == 0) {
		a->export = j;
		scr_message(a, false, "writing %s...", j->file);
		return;
	}
	job_start(&j->job, false); /* no thread (or drivers and tests): at once */
	export_land(a, j);
	export_free(&j->job);
}

/* True when path and src name the same file (src may be a URL or a store's words). */
static bool same_file(const char *path, const char *src)
{
	struct stat p, s;

	return src && stat(path, &p) == 0 && stat(src, &s) == 0 && p.st_dev == s.st_dev &&
	       p.st_ino == s.st_ino;
}

void export_view_write(struct tui_app *a, const char *path)
{
	struct stat st;

	if (a->export_fmt < 0 || !*path)
		return;
	/*
	 * The profile being viewed is never replaced, even on y: the explorer reads it again
	 * (a reload, the source pane) and an export of a filtered view would lose the rest of
	 * it.  The prompt comes back to pick another name.
	 */
	if (same_file(path, a->opts.source) || (a->diff && same_file(path, a->opts.base_source))) {
		snprintf(a->prompt, sizeof(a->prompt), "%s", path);
		a->prompt_len = strlen(a->prompt);
		a->prompt_kind = 'e';
		scr_message(a, true, "%s is the profile being viewed: not overwritten, choose another name",
			    path);
		return;
	}
	/* a FIFO, a device, a directory: refused at once, not after an overwrite question */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		scr_message(a, true, "cannot write %s: not a regular file", path);
		return;
	}
	if (path_taken(path)) {
		snprintf(a->prompt, sizeof(a->prompt), "%s", path);
		a->prompt_len = strlen(a->prompt);
		a->prompt_kind = 'o'; /* drawn as "overwrite PATH? y/N" */
		return;
	}
	export_start(a, path, false);
}

void export_view_confirm(struct tui_app *a, int key)
{
	char path[PROMPT_MAX];

	snprintf(path, sizeof(path), "%.*s", (int)a->prompt_len, a->prompt);
	a->prompt_kind = 0;
	if (key == 'y')
		export_start(a, path, true);
	else
		scr_message(a, false, "export cancelled: %s kept", path);
}

bool export_view_poll(struct tui_app *a)
{
	struct export_job *j = a->export;

	if (!j || !job_poll(&j->job))
		return false;
	a->export = NULL;
	export_land(a, j);
	export_free(&j->job);
	return true;
}

bool export_view_busy(const struct tui_app *a, double *started_ms)
{
	if (a->export && started_ms)
		*started_ms = a->export->job.started_ms;
	return a->export != NULL;
}

bool export_view_reads(const struct tui_app *a, const struct prof *p)
{
	return a->export && p && a->export->src == p && !a->export->own;
}

void export_view_prof_free(struct tui_app *a, struct prof *p)
{
	if (export_view_reads(a, p))
		a->export->own = p; /* the job frees it (the thread only reads it until then) */
	else
		prof_free(p);
}

void export_view_release(struct tui_app *a)
{
	struct export_job *j = a->export;

	if (!j)
		return;
	/* the file is the user's: written whole, not cut off by quitting */
	a->export = NULL;
	job_wait(&j->job);
	export_free(&j->job);
}
