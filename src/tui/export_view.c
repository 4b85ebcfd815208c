/*
 * export_view.c — `e`: writes what is on screen to a file.  A format is picked with one
 * key (p pprof, f folded, s speedscope, v svg), then the path is edited on the prompt
 * line (a default in the current directory is filled in).
 *
 * "What is on screen" is the shown profile (every filter, granularity and collapsed
 * recursion applied), narrowed to the zoomed call path (the comparison's when it is
 * shown); in the sandwich, the focused half.  In a diff, pprof and folded get pprof's
 * -diff_base form (base samples negated, labelled pprof::base), which `go tool pprof`
 * reads as the difference; speedscope and SVG, which cannot draw negative weights, get
 * the new side.
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

/* The zoom on screen: the comparison's (its panes share one), else the flame graph's. */
static uint32_t shown_zoom(const struct tui_app *a)
{
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

/*
 * The default file name, in the current directory: for a profile opened from a store or
 * a server, service-type-YYYYMMDD-HHMMSS (the window's end); else the source's base name
 * without extensions.  Only [A-Za-z0-9._-]: never a directory, a quote or a brace.
 */
static void default_path(const struct tui_app *a, int fmt, char *out, size_t n)
{
	char stem[160];
	size_t k = 0;

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
	snprintf(out, n, "%s%s%s.%s", k ? stem : "profile", a->diff ? "-diff" : "",
		 shown_zoom(a) || a->view == VIEW_SANDWICH ? "-view" : "", formats[fmt].ext);
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
	uint32_t zoom = shown_zoom(a);
	int rc;

	*owned = NULL;
	if (a->view == VIEW_SANDWICH && a->sw.name) {
		src = a->sw.focus_callers ? a->sw.callers_prof : a->sw.callees_prof;
	} else if (zoom != 0) {
		/* the comparison's panes draw a->tree too: the same node ids */
		uint32_t path[ZOOM_PATH_MAX], n = a->tree->depth[zoom], k = n, node;

		if (n > ZOOM_PATH_MAX)
			return err_set(ERR_TOOBIG, "the zoomed path is deeper than %d frames", ZOOM_PATH_MAX);
		for (node = zoom; node != 0; node = a->tree->parent[node])
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

/*
 * Writes b to path, a regular file only: opened without blocking (a FIFO without a
 * reader, a device) and checked before anything is written, so the UI never waits.
 */
static int write_file(const char *path, const struct buf *b)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0666), e;
	struct stat st;
	FILE *f;

	if (fd < 0) {
		e = errno;
		if (e == ENXIO) /* a FIFO nobody reads */
			return err_set(ERR_IO, "cannot write %s: not a regular file", path);
		return err_set(ERR_IO, "cannot write %s: %s", path, strerror(e));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(ERR_IO, "cannot write %s: not a regular file", path);
	}
	if (ftruncate(fd, 0) != 0 || fcntl(fd, F_SETFL, 0) != 0 || !(f = fdopen(fd, "wb"))) {
		e = errno;
		close(fd);
		return err_set(ERR_IO, "cannot write %s: %s", path, strerror(e));
	}
	if (b->len && fwrite(b->data, 1, b->len, f) != b->len) {
		e = errno;
		fclose(f);
		return err_set(ERR_IO, "writing %s: %s", path, strerror(e));
	}
	if (fclose(f) != 0) {
		e = errno;
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
