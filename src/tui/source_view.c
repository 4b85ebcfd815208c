/*
 * source_view.c — the source pane (view 4): the selected function's file with per-line
 * self and total (pprof -list numbers, profile/list.c), a heat gutter, and the code.
 *
 * The code is found by src/source (local files, git at a ref, GitHub) on a worker thread
 * — it may clone or download — while the pane already shows the numbers; a spinner says
 * so and Esc cancels.  Keys: j/k g/G PgUp/PgDn move, H the hottest line, ] and [ the
 * next / previous line with a cost, / searches the code (n/N), o the next routine when
 * the function has several files, y copies path:line, O opens $EDITOR there (local
 * files).
 */
#include <curses.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/text.h"
#include "base/units.h"
#include "base/vec.h"
#include "tui_int.h"

static void *fetch_thread(void *arg)
{
	struct source_job *j = arg;
	struct source_opts o = j->opts;

	o.cancel = &j->cancel;
	j->rc = source_find(&o, NULL, j->function, j->path, &j->file, NULL);
	if (j->rc)
		snprintf(j->err, sizeof(j->err), "%s", err_last());
	atomic_store(&j->done, true);
	return NULL;
}

static void code_index(struct source_state *st)
{
	const char *p = st->file.data, *end = p + st->file.len;
	size_t cap = 0;

	st->nlines = 0;
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (vec_reserve(&st->line_off, &cap, (size_t)st->nlines + 1))
			return;
		st->line_off[st->nlines++] = (uint32_t)(p - st->file.data);
		p = nl ? nl + 1 : end;
	}
}

static void job_drop(struct source_state *st)
{
	if (!st->job.running)
		return;
	st->job.cancel = 1;
	pthread_join(st->job.th, NULL);
	st->job.running = false;
	source_file_release(&st->job.file);
}

void source_view_release(struct tui_app *a)
{
	struct source_state *st = &a->src;

	job_drop(st);
	list_release(&st->list);
	source_file_release(&st->file);
	free(st->line_off);
	search_release(&st->search);
	memset(st, 0, sizeof(*st));
}

/* Starts finding the code of the shown routine. */
static void fetch(struct tui_app *a)
{
	struct source_state *st = &a->src;
	const struct list_routine *r = &st->list.r[st->routine];
	struct source_job *j = &st->job;

	job_drop(st);
	source_file_release(&st->file);
	free(st->line_off);
	st->line_off = NULL;
	st->nlines = 0;
	st->have_code = false;
	st->err[0] = '\0';
	memset(j, 0, sizeof(*j));
	if (a->opts.source_opts)
		j->opts = *a->opts.source_opts;
	snprintf(j->function, sizeof(j->function), "%s", prof_str(a->prof, r->name));
	snprintf(j->path, sizeof(j->path), "%s", prof_str(a->prof, r->file));
	j->started_ms = app_now_ms();
	if (pthread_create(&j->th, NULL, fetch_thread, j) == 0) {
		j->running = true;
		if (!a->async) { /* drivers and tests: wait */
			pthread_join(j->th, NULL);
			j->running = false;
			atomic_store(&j->done, false);
			if (j->rc == 0) {
				st->file = j->file;
				memset(&j->file, 0, sizeof(j->file));
				st->have_code = true;
				code_index(st);
			} else {
				snprintf(st->err, sizeof(st->err), "%s", j->err);
			}
		}
	} else {
		snprintf(st->err, sizeof(st->err), "cannot start a thread");
	}
}

bool source_view_poll(struct tui_app *a)
{
	struct source_state *st = &a->src;
	struct source_job *j = &st->job;

	if (!j->running || !atomic_load(&j->done))
		return false;
	pthread_join(j->th, NULL);
	j->running = false;
	if (j->rc == 0) {
		st->file = j->file;
		memset(&j->file, 0, sizeof(j->file));
		st->have_code = true;
		code_index(st);
		st->scroll = -1; /* rows changed from the costly lines to every line */
	} else {
		snprintf(st->err, sizeof(st->err), "%s", j->err);
	}
	return true;
}

bool source_view_busy(const struct tui_app *a, double *started_ms)
{
	if (a->src.job.running && started_ms)
		*started_ms = a->src.job.started_ms;
	return a->src.job.running;
}

void source_view_cancel(struct tui_app *a)
{
	if (a->src.job.running)
		a->src.job.cancel = 1;
}

/* The hottest line of the routine: largest total, then largest self. */
static int64_t hottest(const struct list_routine *r)
{
	uint32_t k, best = 0;

	for (k = 1; k < r->nlines; k++)
		if (r->lines[k].cum > r->lines[best].cum ||
		    (r->lines[k].cum == r->lines[best].cum && r->lines[k].flat > r->lines[best].flat))
			best = k;
	return r->nlines ? r->lines[best].line : 1;
}

int source_view_set(struct tui_app *a, uint32_t name)
{
	struct source_state *st = &a->src;
	struct list l;
	int rc;

	if (a->gran != 0)
		return err_set(ERR_USAGE, "the source pane needs function granularity "
				       "(:granularity=functions)");
	if ((rc = list_function(a->prof, a->type, name, &l)))
		return rc;
	if (l.n == 0) {
		list_release(&l);
		return err_set(ERR_NOTFOUND, "%s has no line information in this profile",
			       prof_str(a->prof, name));
	}
	source_view_release(a);
	st->name = name;
	st->list = l;
	st->sel = hottest(&l.r[0]);
	st->scroll = -1; /* centre the selection on the first draw */
	fetch(a);
	return 0;
}

static const struct list_line *line_cost(const struct list_routine *r, int64_t no)
{
	uint32_t lo = 0, hi = r->nlines;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (r->lines[mid].line < no)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->nlines && r->lines[lo].line == no ? &r->lines[lo] : NULL;
}

/* The rows shown: every code line when the code is here, else the lines with a cost. */
static int64_t nrows(const struct source_state *st)
{
	return st->have_code ? (int64_t)st->nlines : (int64_t)st->list.r[st->routine].nlines;
}

static int64_t row_line(const struct source_state *st, int64_t row)
{
	return st->have_code ? row + 1 : st->list.r[st->routine].lines[row].line;
}

static int64_t line_row(const struct source_state *st, int64_t line)
{
	const struct list_routine *r = &st->list.r[st->routine];
	uint32_t k;

	if (st->have_code)
		return line - 1;
	for (k = 0; k < r->nlines; k++)
		if (r->lines[k].line >= line)
			return k;
	return r->nlines ? r->nlines - 1 : 0;
}

static const char *code_text(const struct source_state *st, int64_t line, size_t *len)
{
	uint32_t i = (uint32_t)(line - 1);
	const char *p, *e;

	if (!st->have_code || line < 1 || i >= st->nlines)
		return NULL;
	p = st->file.data + st->line_off[i];
	e = i + 1 < st->nlines ? st->file.data + st->line_off[i + 1] : st->file.data + st->file.len;
	while (e > p && (e[-1] == '\n' || e[-1] == '\r'))
		e--;
	*len = (size_t)(e - p);
	return p;
}

static void header(struct tui_app *a, int y, int w)
{
	struct source_state *st = &a->src;
	const struct list_routine *r = &st->list.r[st->routine];
	struct buf b = BUF_INIT, raw = BUF_INIT;
	char hot[48];

	buf_add(&raw, " ", 1);
	buf_add(&raw, prof_str(a->prof, r->file), prof_strlen(a->prof, r->file));
	if (st->have_code) {
		const struct source_file *f = &st->file;

		buf_printf(&raw, " (%s", source_origin_name(f->origin));
		if (f->repo)
			buf_printf(&raw, ": %s", f->repo);
		if (f->commit)
			buf_printf(&raw, " @ %.12s", f->commit);
		else if (f->ref)
			buf_printf(&raw, " @ %s", f->ref);
		if (f->cached)
			buf_puts(&raw, ", cached");
		buf_puts(&raw, ")");
	} else if (st->job.running) {
		buf_puts(&raw, " (finding the code...)");
	} else {
		buf_printf(&raw, " (no code: %s)", st->err);
	}
	if (st->list.n > 1)
		buf_printf(&raw, "  [%u of %u files: o next]", st->routine + 1, st->list.n);
	snprintf(hot, sizeof(hot), "hottest: line %lld ", (long long)hottest(r));
	text_safe(&b, raw.data, raw.len, !a->scr.utf8);
	scr_fill(y, 0, w, a->scr.role_attr[ROLE_BREADCRUMB]);
	scr_put(y, 0, w - (int)strlen(hot) - 1, b.data, b.len, a->scr.role_attr[ROLE_BREADCRUMB]);
	scr_put(y, w - (int)strlen(hot), (int)strlen(hot), hot, strlen(hot),
		a->scr.role_attr[ROLE_BREADCRUMB]);
	buf_release(&b);
	buf_release(&raw);
}

void source_view_draw(struct tui_app *a, int y, int h, int w)
{
	struct source_state *st = &a->src;
	static const char *const heat[] = { " ", "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
					    "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
					    "\xe2\x96\x87", "\xe2\x96\x88" };
	const char *unit = prof_str(a->prof, a->prof->sample_types[a->type].unit);
	const struct list_routine *r;
	int64_t maxcum = 1, row, nr, selrow;
	int i, k;

	for (i = 0; i < h; i++)
		scr_fill(y + i, 0, w, A_NORMAL);
	st->area_y = y;
	st->area_h = h;
	if (!st->name) {
		const char *m = "select a function (flame graph, top table, sandwich) and press 4";

		scr_put(y + 1, 2, w - 2, m, strlen(m), a->scr.role_attr[ROLE_HINT]);
		return;
	}
	if (h < 3)
		return;
	r = &st->list.r[st->routine];
	for (k = 0; k < (int)r->nlines; k++)
		if (r->lines[k].cum > maxcum)
			maxcum = r->lines[k].cum;
	header(a, y, w);
	{
		char hdr[96];

		snprintf(hdr, sizeof(hdr), "%10s %10s   %6s  %s", "self", "total", "line", "code");
		scr_fill(y + 1, 0, w, a->scr.role_attr[ROLE_TABLE_HEADER]);
		scr_put(y + 1, 0, w, hdr, strlen(hdr), a->scr.role_attr[ROLE_TABLE_HEADER]);
	}
	y += 2;
	h -= 2;
	nr = nrows(st);
	selrow = line_row(st, st->sel);
	if (st->scroll < 0)
		st->scroll = selrow - h / 2;
	if (selrow < st->scroll)
		st->scroll = selrow;
	if (selrow >= st->scroll + h)
		st->scroll = selrow - h + 1;
	if (st->scroll < 0)
		st->scroll = 0;
	for (i = 0, row = st->scroll; i < h && row < nr; i++, row++) {
		int64_t line = row_line(st, row);
		const struct list_line *c = line_cost(r, line);
		bool sel = line == st->sel;
		int attr = sel ? a->scr.role_attr[ROLE_SELECTED] : (int)A_NORMAL, x;
		char v1[UNITS_MAX], v2[UNITS_MAX], num[32];
		struct buf b = BUF_INIT;
		size_t len = 0;
		const char *code = code_text(st, line, &len);

		if (sel)
			scr_fill(y + i, 0, w, attr);
		if (c && c->flat)
			units_format(v1, sizeof(v1), c->flat, unit);
		else
			snprintf(v1, sizeof(v1), ".");
		if (c && c->cum)
			units_format(v2, sizeof(v2), c->cum, unit);
		else
			snprintf(v2, sizeof(v2), ".");
		text_pad_left(&b, v1, 10);
		text_pad_left(&b, v2, 11);
		buf_add(&b, " ", 1);
		x = scr_put(y + i, 0, w, b.data, b.len, attr);
		{
			int lvl = c && c->cum > 0 ? (int)(1 + (c->cum * 7) / maxcum) : 0;
			const char *g = a->scr.utf8 ? heat[lvl > 8 ? 8 : lvl] : lvl ? "#" : " ";

			x += scr_put(y + i, x, w - x, g, strlen(g),
				     attr != (int)A_NORMAL ? attr : a->scr.role_attr[ROLE_ERROR]);
		}
		snprintf(num, sizeof(num), " %6lld  ", (long long)line);
		x += scr_put(y + i, x, w - x, num, strlen(num), attr | (c ? A_BOLD : 0));
		buf_reset(&b);
		if (code) {
			text_code(&b, code, len, 4, !a->scr.utf8);
			scr_put(y + i, x, w - x, b.data ? b.data : "", b.len,
				st->search.code && search_match(&st->search, code, len) && !sel ?
					a->scr.role_attr[ROLE_MATCH] : attr);
		} else if (!st->have_code && row > 0 && line > row_line(st, row - 1) + 1) {
			scr_put(y + i, x, w - x, "...", 3, a->scr.role_attr[ROLE_DIM]);
		}
		buf_release(&b);
	}
}

/* Moves to the next (dir > 0) or previous line with a cost, or a search match. */
static void jump(struct tui_app *a, int dir, bool match)
{
	struct source_state *st = &a->src;
	const struct list_routine *r = &st->list.r[st->routine];
	int64_t nr = nrows(st), row = line_row(st, st->sel) + dir;

	for (; row >= 0 && row < nr; row += dir) {
		int64_t line = row_line(st, row);
		size_t len = 0;
		const char *code;

		if (!match && line_cost(r, line)) {
			st->sel = line;
			return;
		}
		if (match && (code = code_text(st, line, &len)) && search_match(&st->search, code, len)) {
			st->sel = line;
			return;
		}
	}
	scr_message(a, false, "%s", match ? "no more matches" : "no more lines with a cost");
}

int source_view_set_search(struct tui_app *a, const char *pat)
{
	struct search s;
	int rc;

	search_release(&a->src.search);
	if (!pat || !*pat)
		return 0;
	if ((rc = search_compile(&s, pat)))
		return rc;
	a->src.search = s;
	return 0;
}

void source_view_search_jump(struct tui_app *a, int dir)
{
	if (!a->src.search.code) {
		scr_message(a, false, "no search: / starts one");
		return;
	}
	jump(a, dir, true);
}

/* O: $EDITOR +LINE FILE, for code read from a local file. */
static void open_editor(struct tui_app *a)
{
	struct source_state *st = &a->src;
	const char *ed = getenv("VISUAL") && *getenv("VISUAL") ? getenv("VISUAL") : getenv("EDITOR");
	char linearg[32];
	pid_t pid;

	if (!st->have_code || !st->file.local_path) {
		scr_message(a, false, "O opens local files only (this code came from %s)",
			    st->have_code ? source_origin_name(st->file.origin) : "nowhere yet");
		return;
	}
	if (!ed || !*ed)
		ed = "vi";
	snprintf(linearg, sizeof(linearg), "+%lld", (long long)st->sel);
	def_prog_mode();
	endwin();
	pid = fork();
	if (pid == 0) {
		execlp(ed, ed, linearg, st->file.local_path, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
}

bool source_view_key(struct tui_app *a, int key)
{
	struct source_state *st = &a->src;
	int64_t nr, row, page;

	if (!st->name)
		return false;
	nr = nrows(st);
	row = line_row(st, st->sel);
	page = st->area_h > 3 ? st->area_h - 3 : 1;
	switch (key) {
	case 'j':
	case KEY_DOWN:
		if (row + 1 < nr)
			st->sel = row_line(st, row + 1);
		break;
	case 'k':
	case KEY_UP:
		if (row > 0)
			st->sel = row_line(st, row - 1);
		break;
	case 'g':
	case KEY_HOME:
		st->sel = row_line(st, 0);
		break;
	case 'G':
	case KEY_END:
		if (nr)
			st->sel = row_line(st, nr - 1);
		break;
	case KEY_NPAGE:
	case ' ':
		st->sel = row_line(st, row + page < nr ? row + page : (nr ? nr - 1 : 0));
		break;
	case KEY_PPAGE:
		st->sel = row_line(st, row > page ? row - page : 0);
		break;
	case 'H':
		st->sel = hottest(&st->list.r[st->routine]);
		st->scroll = -1;
		scr_message(a, false, "hottest line: %lld", (long long)st->sel);
		break;
	case ']':
		jump(a, 1, false);
		break;
	case '[':
		jump(a, -1, false);
		break;
	case 'o':
		if (st->list.n > 1) {
			st->routine = (st->routine + 1) % st->list.n;
			st->sel = hottest(&st->list.r[st->routine]);
			st->scroll = -1;
			fetch(a);
		}
		break;
	case 'O':
		open_editor(a);
		break;
	case 27:
		if (st->search.code)
			search_release(&st->search);
		break;
	default:
		return false;
	}
	return true;
}

/* y here: "path:line" of the selected line. */
void source_view_copy(struct tui_app *a)
{
	struct source_state *st = &a->src;
	const struct list_routine *r;
	struct buf b = BUF_INIT;

	if (!st->name)
		return;
	r = &st->list.r[st->routine];
	if (st->have_code && st->file.local_path)
		buf_puts(&b, st->file.local_path);
	else
		buf_add(&b, prof_str(a->prof, r->file), prof_strlen(a->prof, r->file));
	buf_printf(&b, ":%lld", (long long)st->sel);
	scr_clipboard(b.data, b.len);
	scr_message(a, false, "copied %s", b.data);
	buf_release(&b);
}

void source_view_mouse(struct tui_app *a, int y, bool dbl)
{
	struct source_state *st = &a->src;
	int64_t row = st->scroll + (y - st->area_y - 2);

	(void)dbl;
	if (!st->name || y < st->area_y + 2 || row >= nrows(st))
		return;
	st->sel = row_line(st, row);
}

void source_view_status(struct tui_app *a, struct buf *out)
{
	struct source_state *st = &a->src;
	const struct list_routine *r;
	const struct list_line *c;
	const char *unit = prof_str(a->prof, a->prof->sample_types[a->type].unit);
	char v1[UNITS_MAX], v2[UNITS_MAX], p1[UNITS_MAX];

	if (!st->name) {
		buf_puts(out, "no function chosen");
		return;
	}
	r = &st->list.r[st->routine];
	text_safe(out, prof_str(a->prof, r->name), prof_strlen(a->prof, r->name), !a->scr.utf8);
	units_format(v1, sizeof(v1), r->flat, unit);
	units_format(v2, sizeof(v2), r->cum, unit);
	units_percent(p1, sizeof(p1), r->cum, a->base_total[a->type]);
	buf_printf(out, "  self %s  total %s (%s)%sline %lld", v1, v2, p1, a->dot, (long long)st->sel);
	if ((c = line_cost(r, st->sel))) {
		units_format(v1, sizeof(v1), c->flat, unit);
		units_format(v2, sizeof(v2), c->cum, unit);
		buf_printf(out, ": self %s total %s", v1, v2);
	}
}
