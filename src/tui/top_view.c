/*
 * top_view.c — the top table (view 2): one row per function with self, self%, total,
 * total%, name.  `s` cycles the sort column, `I` inverts, `/` filters rows (regex), n/N
 * move to the next/previous of them, Enter jumps to the function's widest occurrence in
 * the flame graph.
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
	uint32_t name = top_view_selected_name(a);

	/* the rows are computed again (sorted, of another type or profile): the selection
	 * stays on its function, by name (a->prof may be replaced before then) */
	if (a->tp.valid) {
		free(a->tp.keep);
		a->tp.keep = name ? strdup(prof_str(a->prof, name)) : NULL;
	}
	diff_top_release(&a->tp.dtop);
	top_release(&a->tp.top);
	free(a->tp.rows);
	a->tp.rows = NULL;
	a->tp.nrows = 0;
	a->tp.valid = false;
}

/* The name of row i of the current table (a diff's or a plain one). */
static uint32_t row_name(const struct tui_app *a, uint32_t i)
{
	return a->diff ? a->tp.dtop.rows[i].name : a->tp.top.rows[i].name;
}

uint32_t top_view_selected_name(const struct tui_app *a)
{
	const struct top_state *tp = &a->tp;

	if (!tp->valid || tp->sel >= tp->nrows)
		return 0;
	return row_name(a, tp->rows[tp->sel]);
}

static const char *const sort_names[] = { "self", "total", "name" };
static const char *const diff_sort_names[] = { "change", "new", "base", "name" };

/*
 * The table's rows, sorted and through the `/` row filter.  A name that filter cannot
 * decide (search_test: "regex '...' is too complex") fails the refresh with nothing
 * kept, so the caller reports it (top_view_draw: the status line) instead of showing a
 * table that hides the row; the filter is dropped, as the flame graph's search drops a
 * pattern that fails, so the next draw shows every row instead of running the regex over
 * the table again on every frame and key.
 */
static int refresh_rows(struct tui_app *a)
{
	struct top_state *tp = &a->tp;
	const struct prof *p = a->prof;
	uint32_t i;
	int rc;

	uint32_t n;

	if (tp->valid)
		return 0;
	if (a->diff) {
		/*
		 * Percentages and changes of pprof's totals (a->base_total: magnitudes, before
		 * any filter), as the flame graph's status and `smolder diff` have them: a
		 * side's own top is of its net sum, which a negative value makes smaller.
		 */
		struct top bs = tp->all[a->type + a->ntypes], ns = tp->all[a->type];

		bs.total = a->base_total[a->type + a->ntypes];
		ns.total = a->base_total[a->type];
		if ((rc = diff_top(&bs, &ns, &a->dscale, p, &tp->dtop)))
			return rc;
		diff_top_sort(&tp->dtop, p, (enum diff_sort)tp->sort, tp->invert);
		n = tp->dtop.n;
	} else {
		if ((rc = top_copy(&tp->all[a->type], &tp->top)))
			return rc;
		top_sort(&tp->top, p, (enum top_sort)tp->sort, tp->invert);
		n = tp->top.n;
	}
	tp->rows = malloc((n ? n : 1) * sizeof(*tp->rows));
	if (!tp->rows)
		return err_set(ERR_NOMEM, "out of memory");
	tp->nrows = 0;
	for (i = 0; i < n; i++) {
		uint32_t name = row_name(a, i);
		int hit = tp->filter.code ? search_test(&tp->filter, prof_str(p, name),
							prof_strlen(p, name)) : 1;

		if (hit < 0) {
			diff_top_release(&tp->dtop);
			top_release(&tp->top);
			free(tp->rows);
			tp->rows = NULL;
			tp->nrows = 0;
			search_release(&tp->filter);  /* filter_pat stays, for `/` to edit */
			return hit;
		}
		if (hit)
			tp->rows[tp->nrows++] = i;
	}
	for (i = 0; tp->keep && i < tp->nrows; i++)
		if (strcmp(prof_str(p, row_name(a, tp->rows[i])), tp->keep) == 0) {
			tp->sel = i;
			break;
		}
	free(tp->keep);
	tp->keep = NULL;
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
	free(a->tp.keep); /* a new row filter starts at its first row */
	a->tp.keep = NULL;
	a->tp.sel = a->tp.scroll = 0;
	if (pat && *pat)
		a->tp.chosen = true;  /* the row it leaves selected is picked */
	return 0;
}

/*
 * One header column: the label right-aligned over its column, as the rows' numbers are
 * (text_pad_left, in display cells), then the sort marker in the gap after it; *carry
 * is the marker's cell, which the next column's padding gives back.
 */
static void header_col(struct buf *b, const char *label, int width, bool sorted, const char *arrow,
		       int *carry)
{
	text_pad_left(b, label, width - *carry);
	*carry = 0;
	if (sorted) {
		buf_puts(b, arrow);
		*carry = text_width(arrow, strlen(arrow));
	}
}

/* A diff's table: base %, new %, change (of total), name; +/− for new/removed. */
static void draw_diff(struct tui_app *a, int y, int h, int w, const char *arrow)
{
	struct top_state *tp = &a->tp;
	const struct prof *p = a->prof;
	const struct diff_top *d = &tp->dtop;
	struct buf hdr = BUF_INIT;
	uint32_t i;
	int row, carry = 0;

	/* the rows' widths: 11, 10, 11, then two spaces and the name */
	header_col(&hdr, "base%", 11, tp->sort == DIFF_SORT_BASE, arrow, &carry);
	header_col(&hdr, "new%", 10, tp->sort == DIFF_SORT_NEW, arrow, &carry);
	header_col(&hdr, a->dscale.absolute ? "diff%" : "diff pp", 11, tp->sort == DIFF_SORT_CHANGE,
		   arrow, &carry);
	header_col(&hdr, "name", 6, tp->sort == DIFF_SORT_NAME, arrow, &carry);
	scr_fill(y, 0, w, a->scr.role_attr[ROLE_TABLE_HEADER]);
	scr_put(y, 0, w, hdr.data, hdr.len, a->scr.role_attr[ROLE_TABLE_HEADER]);
	buf_release(&hdr);
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
		const struct diff_row *r = &d->rows[tp->rows[i]];
		int attr = i == tp->sel ? a->scr.role_attr[ROLE_SELECTED] : (int)A_NORMAL;
		int step = diff_step(&a->dscale, r->change);
		char p1[UNITS_MAX], p2[UNITS_MAX], ch[32];
		struct buf line = BUF_INIT, nb = BUF_INIT;
		int used, x;

		units_percent(p1, sizeof(p1), r->base_cum, d->base_total);
		units_percent(p2, sizeof(p2), r->new_cum, d->new_total);
		/* at most 10 cells, so that a space always parts it from new%: a change too
		 * large for two decimals there (+10000000000500.00%) reads +1.0e+13% */
		snprintf(ch, sizeof(ch), "%+.2f%s", r->change * 100, a->dscale.absolute ? "%" : "");
		if (strlen(ch) > 10)
			snprintf(ch, sizeof(ch), "%+.1e%s", r->change * 100,
				 a->dscale.absolute ? "%" : "");
		text_pad_left(&line, p1, 11);
		text_pad_left(&line, p2, 10);
		if (attr != (int)A_NORMAL)
			scr_fill(y + 1 + row, 0, w, attr);
		used = scr_put(y + 1 + row, 0, w, line.data, line.len, attr);
		buf_reset(&line);
		text_pad_left(&line, ch, 11);
		x = used;
		used += scr_put(y + 1 + row, x, w - x, line.data, line.len,
				attr != (int)A_NORMAL ? attr : step ? a->scr.diff_attr[DIFF_STEPS + step] :
								  (int)A_NORMAL);
		used += scr_put(y + 1 + row, used, w - used, "  ", 2, attr);
		if (r->base_cum == 0 && r->new_cum != 0)
			buf_puts(&nb, "+");
		else if (r->new_cum == 0 && r->base_cum != 0)
			buf_puts(&nb, a->scr.utf8 ? "\xe2\x88\x92" : "-");
		text_fit_name(&nb, prof_str(p, r->name), prof_strlen(p, r->name),
			      w - used - (nb.len ? 1 : 0), !a->scr.utf8);
		if (nb.data)
			scr_put(y + 1 + row, used, w - used, nb.data, nb.len, attr);
		buf_release(&line);
		buf_release(&nb);
	}
}

void top_view_draw(struct tui_app *a, int y, int h, int w)
{
	struct top_state *tp = &a->tp;
	const struct prof *p = a->prof;
	const char *arrow = a->scr.utf8 ? (tp->invert ? "\xe2\x96\xb2" : "\xe2\x96\xbc") :
					  (tp->invert ? "^" : "v");
	char v1[UNITS_MAX], v2[UNITS_MAX], p1[UNITS_MAX], p2[UNITS_MAX];
	struct buf hdr = BUF_INIT;
	uint32_t i;
	int row, k, carry = 0;

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
	if (a->diff) {
		draw_diff(a, y, h, w, arrow);
		return;
	}
	/* the rows' widths: 10, 10, 11, 10, then two spaces and the name */
	header_col(&hdr, "self", 10, tp->sort == TOP_SORT_FLAT, arrow, &carry);
	header_col(&hdr, "self%", 10, false, arrow, &carry);
	header_col(&hdr, "total", 11, tp->sort == TOP_SORT_CUM, arrow, &carry);
	header_col(&hdr, "total%", 10, false, arrow, &carry);
	header_col(&hdr, "name", 6, tp->sort == TOP_SORT_NAME, arrow, &carry);
	scr_fill(y, 0, w, a->scr.role_attr[ROLE_TABLE_HEADER]);
	scr_put(y, 0, w, hdr.data, hdr.len, a->scr.role_attr[ROLE_TABLE_HEADER]);
	buf_release(&hdr);
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
		/* of the unfiltered total pprof uses (the base's, for a -diff_base profile) */
		units_percent(p1, sizeof(p1), r->flat, a->base_total[a->type]);
		units_percent(p2, sizeof(p2), r->cum, a->base_total[a->type]);
		/* a space before each column, so that a value wider than its own stands apart */
		text_pad_left(&line, v1, 10);
		buf_puts(&line, " ");
		text_pad_left(&line, p1, 9);
		buf_puts(&line, " ");
		text_pad_left(&line, v2, 10);
		buf_puts(&line, " ");
		text_pad_left(&line, p2, 9);
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
	if ((key > 0 && key < 0x80 && strchr("jkgG nNsI", key)) || key == KEY_DOWN ||
	    key == KEY_UP || key == KEY_HOME || key == KEY_END || key == KEY_NPAGE ||
	    key == KEY_PPAGE)
		tp->chosen = true;
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
		tp->sort = (tp->sort + 1) % (a->diff ? 4 : 3);
		top_view_invalidate(a);
		scr_message(a, false, "sorted by %s",
			    a->diff ? diff_sort_names[tp->sort] : sort_names[tp->sort]);
		break;
	case 'I':
		tp->invert = !tp->invert;
		top_view_invalidate(a);
		break;
	case 27:
		if (tp->filter.code)
			top_view_set_filter(a, NULL);
		break;
	case 'n':
	case 'N':
		/* `/` filters the rows here: every row shown matches, so the next match is the
		 * next row, round the end as the flame graph's n goes round its matches */
		if (!tp->filter.code) {
			scr_message(a, false, "no row filter: / filters the table's rows");
		} else if (tp->nrows) {
			tp->sel = (tp->sel + (key == 'n' ? 1 : tp->nrows - 1)) % tp->nrows;
			scr_message(a, false, "match %u of %u", tp->sel + 1, tp->nrows);
		}
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (tp->nrows) {
			uint32_t name = row_name(a, tp->rows[tp->sel]);

			/* in a diff, widest by base + new (removed functions have no new side) */
			flame_view_reveal(a, &a->main,
					  top_widest(a->tree, a->type, name) ?
						  top_widest(a->tree, a->type, name) :
						  top_widest(a->tree, a->type + (a->diff ? a->ntypes : 0), name));
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

	/* a row on screen: not the header, nor the status and hint lines below the table */
	if (off < 0 || off >= tp->area_h - 1 || tp->scroll + (uint32_t)off >= tp->nrows)
		return;
	tp->sel = tp->scroll + (uint32_t)off;
	tp->chosen = true;
	if (dbl)
		top_view_key(a, '\n');
}

void top_view_status(struct tui_app *a, struct buf *out)
{
	struct top_state *tp = &a->tp;
	const struct prof *p = a->prof;
	char v1[UNITS_MAX], v2[UNITS_MAX];
	struct buf nums = BUF_INIT;
	uint32_t name;

	if (refresh_rows(a) || tp->nrows == 0) {
		buf_puts(out, "no rows");
		return;
	}
	if (a->diff) {
		const struct diff_row *r = &tp->dtop.rows[tp->rows[tp->sel]];

		app_format_value(a, v1, sizeof(v1), r->base_cum);
		app_format_value(a, v2, sizeof(v2), r->new_cum);
		buf_printf(&nums, "  total %s %s %s%srow %u of %u", v1,
			   a->scr.utf8 ? "\xe2\x86\x92" : "->", v2, a->dot, tp->sel + 1, tp->nrows);
		name = r->name;
	} else {
		const struct top_row *r = &tp->top.rows[tp->rows[tp->sel]];

		app_format_value(a, v1, sizeof(v1), r->flat);
		app_format_value(a, v2, sizeof(v2), r->cum);
		buf_printf(&nums, "  self %s  total %s%srow %u of %u", v1, v2, a->dot, tp->sel + 1,
			   tp->nrows);
		name = r->name;
	}
	/* a long name gives way; the numbers stay on screen */
	scr_status_line(a, out, prof_str(p, name), prof_strlen(p, name), &nums);
	buf_release(&nums);
}
