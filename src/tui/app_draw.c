/*
 * app_draw.c — the explorer's chrome: the header with the view tabs, the breadcrumb, the
 * status and bottom (hint / prompt / message) lines, the help overlay, and
 * tui_app_draw(), which lays them out around the view shown (TUI.md's screen grammar).
 * It only reads the app's state (app.c holds it and the keys), except the tabs' places,
 * kept for the mouse.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "base/text.h"
#include "base/units.h"
#include "profile/granularity.h"
#include "tui_int.h"

static const struct {
	const char *keys, *what;
} help_lines[] = {
	{ NULL, "Views" },
	{ "1 2 3 4 / Tab", "flame graph, top table, sandwich, source / next view" },
	{ "c", "diff: base and new side by side (stacked below 160 columns)" },
	{ "t", "next sample type (cpu, alloc_space, ...)" },
	{ "?  F1", "this help" },
	{ "PgUp PgDn", "also ^B ^F and ^U ^D, as in less and vim (a page)" },
	{ "q", "quit" },
	{ NULL, "Flame graph" },
	{ "h j k l  arrows",
	  "move: k parent, j widest child, h/l neighbours (on the zoom root: zoom to them)" },
	{ "Enter / Esc", "zoom into the selection / unzoom (a stack)" },
	{ "r", "reset zoom and selection" },
	{ "g G  PgUp PgDn", "zoom root, deepest widest frame, page up/down" },
	{ "i", "icicle (root on top) <-> flame (root at the bottom)" },
	{ "o", "order children by name <-> by size" },
	{ "·N cells", "frames too narrow to draw; select one to see them, Enter opens the widest" },
	{ NULL, "Diff (smolder diff BASE NEW, or --base FILE)" },
	{ "widths", "base + new, so removed frames stay visible" },
	{ "colours", "red more, green less (blue: --color-blind), grey within the threshold" },
	{ "+ / -", "glyphs on frames only in new / only in base" },
	{ "a", "proportional (share of each side's total) <-> absolute change" },
	{ "c", "base and new side by side: one selection and zoom (call path) for both" },
	{ "w", "in the comparison: move the focus to the other side" },
	{ NULL, "Search" },
	{ "/", "regex search (PCRE2, RE2 syntax); in tables: filter rows" },
	{ "n N", "next / previous outermost match (top table: row of its / filter)" },
	{ "#", "search the selected name" },
	{ "y", "copy the selected name to the clipboard (OSC 52, works over SSH)" },
	{ "e", "export what is shown (filters, zoom; top table: its rows' samples)" },
	{ "", "  p pprof, f folded, s speedscope, v svg" },
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
	{ "Esc", "unzoom, then back to the function before the last pivot" },
	{ "r", "both halves back to the function (i: no flip)" },
	{ NULL, "Source (4): the selected function's lines with self and total" },
	{ "H  ] [", "hottest line; next / previous line with a cost" },
	{ "/ n N", "search the code" },
	{ "o", "the next file, when the function has several" },
	{ "y  O", "copy path:line; open $VISUAL or $EDITOR at the line (local files)" },
	{ "v V", "next / previous version (store data with several service_git_ref)" },
	{ "r", "read the versions and the code again" },
	{ ":", "repo=PATH|URL ref=REF root=PATH source_path=DIR: override the flags and" },
	{ "", "  the series labels for the session (empty value: back to them)" },
	{ "", "code from --source-path, --repo/--ref (git, no checkout), or GitHub" },
	{ NULL, "Store browser (T; smolder --db PATH, smolder --url URL)" },
	{ "j k  Enter", "pick a service and profile type / open the window's merged profile" },
	{ "/", "edit the label selector {service_name=\"x\", region=~\"eu-.*\"}; Tab completes" },
	{ "[ ]", "range presets: 5m 15m 1h 6h 24h 7d (ending now)" },
	{ "t", "a custom range: FROM [TO]: now-3h now-1h, 1h (ago), RFC 3339, Unix s/ms/us/ns" },
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
	{ "", "  a click closes this help; none acts while" },
	{ "", "  a prompt is open" },
	{ "wheel", "move to the parent / widest child" },
};

static const char *const view_names[VIEW_COUNT] = { "Flame", "Top", "Sw", "Src", "Cmp", "Store" };
static const char view_keys[VIEW_COUNT] = { '1', '2', '3', '4', 'c', 'T' };

/* Views that exist here: comparison only in a diff, the browser with a store. */
bool app_view_shown(const struct tui_app *a, int v)
{
	if (v == VIEW_COMPARE)
		return a->diff;
	if (v == VIEW_BROWSER)
		return a->br.be != NULL;
	return true;
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

/*
 * A source's name made terminal-safe into out, as it fits in room cells: a file's path
 * that does not gives way to the file's name (`/work/s…u.pb.gz` told nothing); a URL,
 * and a store's query (service, selector and range: spaced), stay whole, to be
 * shortened in the middle.
 */
static void shown_source(struct buf *out, const char *s, int room, bool ascii)
{
	const char *slash = strrchr(s, '/');

	text_safe(out, s, strlen(s), ascii);
	if (!slash || !slash[1] || strstr(s, "://") || strchr(s, ' ') ||
	    text_width(out->data, out->len) <= room)
		return;
	buf_reset(out);
	text_safe(out, slash + 1, strlen(slash + 1), ascii);
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
			if (app_view_shown(a, i))
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

			shown_source(&bs, a->opts.base_source, half, !a->scr.utf8);
			shown_source(&src, a->opts.source, half, !a->scr.utf8);
			if (room > 8 && half <= 6) {
				text_middle_truncate(&b, src.data, src.len, room, !a->scr.utf8);
			} else if (half > 6) {
				text_middle_truncate(&b, bs.data, bs.len, half, !a->scr.utf8);
				buf_puts(&b, a->scr.utf8 ? " \xe2\x86\x92 " : " -> ");
				text_middle_truncate(&b, src.data, src.len, half, !a->scr.utf8);
			}
			buf_release(&bs);
		} else {
			shown_source(&src, a->opts.source, room, !a->scr.utf8);
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
		if (!app_view_shown(a, i))
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

	const char *pend = NULL;
	size_t plen = 0, plen2 = 0;

	if (a->view == VIEW_SANDWICH && !a->sw.name)
		pend = sandwich_view_pending_name(a, &plen);
	if (a->view == VIEW_SANDWICH && (a->sw.name || pend)) {
		const char *shown = sandwich_view_name(a, &plen2);

		buf_puts(&b, " sandwich of ");
		if (shown)
			text_fit_name(&b, shown, plen2, w > 16 ? w - 14 : 2, !a->scr.utf8);
		else  /* the first pivot, still being computed */
			text_fit_name(&b, pend, plen, w > 16 ? w - 14 : 2, !a->scr.utf8);
	} else if (a->view == VIEW_SOURCE && a->src.fname) {
		const char *f = a->src.routine_file ? a->src.routine_file : a->src.fname;
		struct buf shown = BUF_INIT;

		/* a file as the pane's header and list's ROUTINE line name it (pprof's) */
		if (a->src.routine_file && !granularity_file_name(&shown, f, strlen(f)) &&
		    shown.data)
			f = shown.data;
		buf_puts(&b, " ");
		text_safe(&b, f, strlen(f), !a->scr.utf8);
		buf_release(&shown);
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
 * out or was asked for, live or paused, flame / by size in view 1, the row filter in the
 * top table (view 2).  draw_status() puts them on the right; scr_status_room() measures them.
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
	} else if (a->view == VIEW_TOP && a->tp.filter.code) {
		/* the top table's own row filter: the other views are not filtered by it */
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
	bool cancels = app_job_waiting(a) || sandwich_view_waiting(a, NULL) ||
		       source_view_busy(a, NULL) || browser_view_waiting(a, NULL);

	if (cancels || export_view_busy(a, NULL)) {
		static const char *const spin[] = { "|", "/", "-", "\\" };
		static const char *const braille[] = { "\xe2\xa0\x8b", "\xe2\xa0\x99", "\xe2\xa0\xb9",
							"\xe2\xa0\xb8", "\xe2\xa0\xbc", "\xe2\xa0\xb4",
							"\xe2\xa0\xa6", "\xe2\xa0\xa7" };
		double started = a->job ? a->job->job.started_ms : 0, el;

		if (!app_job_waiting(a) && !sandwich_view_waiting(a, &started) &&
		    !source_view_busy(a, &started) && !browser_view_waiting(a, &started))
			export_view_busy(a, &started);
		el = app_now_ms() - started;
		int f = (int)(el / 100);

		/* an export cannot be stopped half-way (the file would be cut) */
		snprintf(right, sizeof(right), "%s working %.1f s%s%s",
			 a->scr.utf8 ? braille[f % 8] : spin[f % 4], el / 1000, cancels ? a->dot : "",
			 cancels ? "Esc cancels" : "");
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
		else if (a->prompt_kind == 'o')
			buf_puts(&b, "overwrite ");
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
			int room = w - rw - 1 - text_width(b.data, label) - 1 -
				   (a->prompt_kind == 'o' ? 5 : 0);

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
			if (a->prompt_kind == 'o')
				buf_puts(&b, "? y/N");
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

bool app_help_fits(int h, int w)
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
	const char *title = " smolder keys (Esc closes, j/k PgDn/PgUp g/G scroll) ", *p;

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
		char ascii[32];
		int y;

		/* the narrow frames' "·N" cells are "#N" on a terminal that is not UTF-8, as
		 * the flame graph draws them */
		if (k && !a->scr.utf8 && strncmp(k, "\xc2\xb7", 2) == 0) {
			snprintf(ascii, sizeof(ascii), "#%s", k + 2);
			k = ascii;
		}

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
		bool legend = (a->diff || (a->negative && a->negative[a->type])) &&
			      a->view != VIEW_TOP && a->view != VIEW_SOURCE &&
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

