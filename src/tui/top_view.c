/*
 * top_view.c — the top table (view 2): one row per function with self, self%, total,
 * total%, name.  `s` cycles the sort column, `I` inverts, `/` filters rows (regex),
 * Enter jumps to the function's widest occurrence in the flame graph.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/text.h"
#include "base/units.h"
#include "tui_int.h"

void top_view_invalidate(struct tui_app *a)
{
	top_release(&a->tp.top);
	free(a->tp.rows);
	a->tp.rows = NULL;
	a->tp.nrows = 0;
	a->tp.valid = false;
}

static int refresh_rows(struct tui_app *a)
{
	struct top_state *tp = &a->tp;
	const struct prof *p = a->prof;
	uint32_t i;
	int rc;

	if (tp->valid)
		return 0;
	if ((rc = top_copy(&tp->all[a->type], &tp->top)))
		return rc;
	top_sort(&tp->top, p, tp->sort, tp->invert);
	tp->rows = malloc((tp->top.n ? tp->top.n : 1) * sizeof(*tp->rows));
	if (!tp->rows)
		return err_set(ERR_NOMEM, "out of memory");
	tp->nrows = 0;
	for (i = 0; i < tp->top.n; i++) {
		uint32_t name = tp->top.rows[i].name;

		if (tp->filter.code &&
		    !search_match(&tp->filter, prof_str(p, name), prof_strlen(p, name)))
			continue;
		tp->rows[tp->nrows++] = i;
	}
	if (tp->sel >= tp->nrows)
		tp->sel = tp->nrows ? tp->nrows - 1 : 0;
	tp->valid = true;
	return 0;
}

int top_view_set_filter(struct tui_app *a, const char *pat)
{
	struct search s;
	int rc;

	if (!pat || !*pat) {
		search_release(&a->tp.filter);
		a->tp.filter_pat[0] = '\0';
	} else {
		if ((rc = search_compile(&s, pat)))
			return rc;
		search_release(&a->tp.filter);
		a->tp.filter = s;
		snprintf(a->tp.filter_pat, sizeof(a->tp.filter_pat), "%s", pat);
	}
	top_view_invalidate(a);
	a->tp.sel = a->tp.scroll = 0;
	return 0;
}

void top_view_draw(struct tui_app *a, int y, int h, int w)
{
	struct top_state *tp = &a->tp;
	const struct prof *p = a->prof;
	const char *arrow = a->scr.utf8 ? (tp->invert ? "\xe2\x96\xb2" : "\xe2\x96\xbc") :
					  (tp->invert ? "^" : "v");
	char hdr[160], v1[UNITS_MAX], v2[UNITS_MAX], p1[UNITS_MAX], p2[UNITS_MAX];
	uint32_t i;
	int row, k;

	tp->area_y = y;
	tp->area_h = h;
	for (k = 0; k < h; k++)
		scr_fill(y + k, 0, w, A_NORMAL);
	if (h <= 1)
		return;
	if (refresh_rows(a)) {
		scr_message(a, true, "top: %s", err_last());
		return;
	}
	snprintf(hdr, sizeof(hdr), "%10s%-2s%8s %9s%-2s%8s  name%s",
		 "self", tp->sort == TOP_SORT_FLAT ? arrow : "", "self%", "total",
		 tp->sort == TOP_SORT_CUM ? arrow : "", "total%",
		 tp->sort == TOP_SORT_NAME ? arrow : "");
	scr_fill(y, 0, w, a->scr.role_attr[ROLE_TABLE_HEADER]);
	scr_put(y, 0, w, hdr, strlen(hdr), a->scr.role_attr[ROLE_TABLE_HEADER]);
	h--;
	if (tp->sel < tp->scroll)
		tp->scroll = tp->sel;
	if (tp->sel >= tp->scroll + (uint32_t)h)
		tp->scroll = tp->sel - (uint32_t)h + 1;
	if (tp->nrows == 0) {
		const char *msg = tp->filter.code ? "no function matches the filter" : "no samples";

		scr_put(y + 1, 2, w - 2, msg, strlen(msg), a->scr.role_attr[ROLE_HINT]);
		return;
	}
	for (row = 0, i = tp->scroll; i < tp->nrows && row < h; i++, row++) {
		const struct top_row *r = &tp->top.rows[tp->rows[i]];
		int attr = i == tp->sel ? a->scr.role_attr[ROLE_SELECTED] : (int)A_NORMAL;
		struct buf line = BUF_INIT;
		int used;

		app_format_value(a, v1, sizeof(v1), r->flat);
		app_format_value(a, v2, sizeof(v2), r->cum);
		units_percent(p1, sizeof(p1), r->flat, tp->top.total);
		units_percent(p2, sizeof(p2), r->cum, tp->top.total);
		text_pad_left(&line, v1, 10);
		text_pad_left(&line, p1, 10);
		text_pad_left(&line, v2, 11);
		text_pad_left(&line, p2, 10);
		buf_puts(&line, "  ");
		if (attr != (int)A_NORMAL)
			scr_fill(y + 1 + row, 0, w, attr);
		used = scr_put(y + 1 + row, 0, w, line.data, line.len, attr);
		buf_release(&line);
		{
			struct buf nb = BUF_INIT;

			/* like the flame graph: qualifiers go first, then the middle */
			text_fit_name(&nb, prof_str(p, r->name), prof_strlen(p, r->name), w - used,
				      !a->scr.utf8);
			if (nb.data)
				scr_put(y + 1 + row, used, w - used, nb.data, nb.len, attr);
			buf_release(&nb);
		}
	}
}

bool top_view_key(struct tui_app *a, int key)
{
	struct top_state *tp = &a->tp;
	uint32_t page = tp->area_h > 2 ? (uint32_t)tp->area_h - 2 : 1;

	if (refresh_rows(a))
		return false;
	switch (key) {
	case 'j':
	case KEY_DOWN:
		if (tp->sel + 1 < tp->nrows)
			tp->sel++;
		break;
	case 'k':
	case KEY_UP:
		if (tp->sel > 0)
			tp->sel--;
		break;
	case 'g':
	case KEY_HOME:
		tp->sel = 0;
		break;
	case 'G':
	case KEY_END:
		tp->sel = tp->nrows ? tp->nrows - 1 : 0;
		break;
	case KEY_NPAGE:
	case ' ':
		tp->sel = tp->sel + page < tp->nrows ? tp->sel + page : (tp->nrows ? tp->nrows - 1 : 0);
		break;
	case KEY_PPAGE:
		tp->sel = tp->sel > page ? tp->sel - page : 0;
		break;
	case 's':
		tp->sort = tp->sort == TOP_SORT_FLAT ? TOP_SORT_CUM :
			   tp->sort == TOP_SORT_CUM ? TOP_SORT_NAME : TOP_SORT_FLAT;
		top_view_invalidate(a);
		scr_message(a, false, "sorted by %s", tp->sort == TOP_SORT_FLAT ? "self" :
						      tp->sort == TOP_SORT_CUM ? "total" : "name");
		break;
	case 'I':
		tp->invert = !tp->invert;
		top_view_invalidate(a);
		break;
	case 27:
		if (tp->filter.code)
			top_view_set_filter(a, NULL);
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (tp->nrows) {
			flame_view_reveal(a, &a->main, top_widest(a->tree, a->type,
						    tp->top.rows[tp->rows[tp->sel]].name));
			a->view = VIEW_FLAME;
		}
		break;
	default:
		return false;
	}
	return true;
}

void top_view_mouse(struct tui_app *a, int y, bool dbl)
{
	struct top_state *tp = &a->tp;
	int off = y - tp->area_y - 1;

	if (off < 0 || tp->scroll + (uint32_t)off >= tp->nrows)
		return;
	tp->sel = tp->scroll + (uint32_t)off;
	if (dbl)
		top_view_key(a, '\n');
}

void top_view_status(struct tui_app *a, struct buf *out)
{
	struct top_state *tp = &a->tp;
	const struct prof *p = a->prof;
	char v1[UNITS_MAX], v2[UNITS_MAX];

	if (refresh_rows(a) || tp->nrows == 0) {
		buf_puts(out, "no rows");
		return;
	}
	{
		const struct top_row *r = &tp->top.rows[tp->rows[tp->sel]];

		app_format_value(a, v1, sizeof(v1), r->flat);
		app_format_value(a, v2, sizeof(v2), r->cum);
		text_safe(out, prof_str(p, r->name), prof_strlen(p, r->name), !a->scr.utf8);
		buf_printf(out, "  self %s  total %s%srow %u of %u", v1, v2, a->dot, tp->sel + 1,
			   tp->nrows);
	}
}
