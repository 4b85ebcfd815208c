/*
 * export_view.c — `e`: writes what is on screen to a file.  A format is picked with one
 * key (p pprof, f folded, s speedscope, v svg), then the path is edited on the prompt
 * line (a default in the current directory is filled in).
 *
 * "What is on screen" is the shown profile (every filter, granularity and collapsed
 * recursion applied), narrowed to the zoomed call path; in the sandwich, the focused
 * half.  In a diff, pprof and folded get pprof's -diff_base form (base samples negated,
 * labelled pprof::base), which `go tool pprof` reads as the difference; speedscope and
 * SVG, which cannot draw negative weights, get the new side.
 */
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "ingest/encode.h"
#include "profile/merge.h"
#include "profile/subtree.h"
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

void export_view_begin(struct tui_app *a)
{
	/* a server's flame graph holds frames only: the full profile first */
	if (a->br.flame_only && browser_view_want_full(a, NULL))
		return;
	a->export_fmt = -1;
	a->exporting = true;
	scr_message(a, false, "export as: p pprof%sf folded%ss speedscope%sv svg%sEsc cancels",
		    a->dot, a->dot, a->dot, a->dot);
}

/* The default file name: the source's base name without extensions, plus the view. */
static void default_path(const struct tui_app *a, int fmt, char *out, size_t n)
{
	const char *src = a->opts.source ? a->opts.source : "profile", *slash = strrchr(src, '/');
	char stem[64];
	size_t i, k = 0;

	src = slash ? slash + 1 : src;
	for (i = 0; src[i] && src[i] != '.' && src[i] != '?' && k + 1 < sizeof(stem); i++)
		stem[k++] = (src[i] == '/' || src[i] == ' ' || (unsigned char)src[i] < 0x20) ? '_' : src[i];
	stem[k] = '\0';
	snprintf(out, n, "%s%s%s.%s", k ? stem : "profile", a->diff ? "-diff" : "",
		 a->main.fl.zoom || a->view == VIEW_SANDWICH ? "-view" : "", formats[fmt].ext);
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
 * The profile on screen: *shown points at it; *owned is set when it had to be made
 * (the caller frees it).
 */
static int on_screen(struct tui_app *a, bool diff_form, const struct prof **shown,
		     struct prof **owned)
{
	const struct prof *src = a->prof;
	struct prof *zoomed = NULL;
	int rc;

	*owned = NULL;
	if (a->view == VIEW_SANDWICH && a->sw.name) {
		src = a->sw.focus_callers ? a->sw.callers_prof : a->sw.callees_prof;
	} else if (a->main.fl.zoom != 0) {
		uint32_t path[ZOOM_PATH_MAX], n = a->tree->depth[a->main.fl.zoom], k = n, node;

		if (n > ZOOM_PATH_MAX)
			return err_set(ERR_TOOBIG, "the zoomed path is deeper than %d frames", ZOOM_PATH_MAX);
		for (node = a->main.fl.zoom; node != 0; node = a->tree->parent[node])
			path[--k] = a->tree->name[node];
		if ((rc = prof_subtree(src, path, n, &zoomed)))
			return rc;
		src = zoomed;
	}
	if (a->diff) {
		rc = prof_unpair(src, diff_form, owned);
		prof_free(zoomed);
		*shown = *owned;
		return rc;
	}
	*owned = zoomed;
	*shown = src;
	return 0;
}

static int write_file(const char *path, const struct buf *b)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return err_set(ERR_IO, "cannot write %s: %s", path, strerror(errno));
	if ((b->len && fwrite(b->data, 1, b->len, f) != b->len) || fclose(f) != 0) {
		int e = errno;

		return err_set(ERR_IO, "writing %s: %s", path, strerror(e));
	}
	return 0;
}

void export_view_write(struct tui_app *a, const char *path)
{
	int fmt = a->export_fmt;
	bool diff_form = fmt == 0 || fmt == 1;
	const struct prof *p = NULL;
	struct prof *owned = NULL;
	struct buf b = BUF_INIT;
	int rc;

	if (fmt < 0 || !*path)
		return;
	if ((rc = on_screen(a, diff_form, &p, &owned)) == 0) {
		switch (fmt) {
		case 0: rc = encode_pprof(p, &b); break;
		case 1: rc = encode_folded(p, a->type, &b); break;
		case 2: rc = encode_speedscope(p, a->type, a->opts.source ? a->opts.source : "", &b); break;
		default: rc = encode_svg(p, a->type, a->opts.source ? a->opts.source : "", &b); break;
		}
	}
	if (!rc)
		rc = write_file(path, &b);
	if (rc)
		scr_message(a, true, "export: %s", err_last());
	else
		scr_message(a, false, "wrote %s (%s, %zu bytes%s)", path, formats[fmt].name, b.len,
			    a->diff && !diff_form ? ", the new side" : "");
	buf_release(&b);
	prof_free(owned);
}
