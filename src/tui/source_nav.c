/*
 * source_nav.c — moving in the source pane (view 4): the rows it shows and the keys.
 *
 * The rows: with the code here, one row per code line (and on to the last line with a
 * cost when the code is shorter than the profile says); without it, one row per line
 * with a cost.  source_view.c draws them with the same functions, so a key and the
 * drawing never disagree on which line a row is.
 *
 * The keys: j/k g/G PgUp/PgDn, H the hottest line, ] and [ the next / previous line with
 * a cost, / n N the search in the code, o the next routine, v / V the versions, r reads
 * again, O opens $EDITOR on a local file, y copies path:line, and the mouse selects.
 *
 * Nothing here owns memory beyond a call: everything lives in a->src (struct
 * source_state, freed by source_view_release), and the pointers the row functions return
 * are borrowed from it, good until the pane's code or numbers change.
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "tui_int.h"

/* ------------------------------------------------------------------------------------ */
/* rows                                                                                  */

/* The index of r's first line numbered no or after (r->nlines: none); lines are sorted. */
static uint32_t line_index(const struct list_routine *r, int64_t no)
{
	uint32_t lo = 0, hi = r->nlines;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (r->lines[mid].line < no)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct list_line *source_nav_line_cost(const struct list_routine *r, int64_t no)
{
	uint32_t k = line_index(r, no);

	return k < r->nlines && r->lines[k].line == no ? &r->lines[k] : NULL;
}

/* The last line with a cost (lines are sorted), or 0. */
int64_t source_nav_last_cost_line(const struct list_routine *r)
{
	return r->nlines ? r->lines[r->nlines - 1].line : 0;
}

/*
 * The rows shown: every code line when the code is here (and on to the last line with a
 * cost when the code found is shorter than the profile says: blank code there), else the
 * lines with a cost.
 */
int64_t source_nav_rows(const struct source_state *st)
{
	const struct list_routine *r = &st->list.r[st->routine];

	if (!st->have_code)
		return (int64_t)(r->nlines - list_first_numbered(r));
	return source_nav_last_cost_line(r) > (int64_t)st->nlines ? source_nav_last_cost_line(r) :
								      (int64_t)st->nlines;
}

int64_t source_nav_row_line(const struct source_state *st, int64_t row)
{
	const struct list_routine *r = &st->list.r[st->routine];

	return st->have_code ? row + 1 : r->lines[list_first_numbered(r) + row].line;
}

int64_t source_nav_line_row(const struct source_state *st, int64_t line)
{
	const struct list_routine *r = &st->list.r[st->routine];
	uint32_t k, k0 = list_first_numbered(r);

	if (st->have_code)
		return line - 1;
	k = line_index(r, line);
	if (k < r->nlines)
		return k > k0 ? k - k0 : 0;
	return r->nlines > k0 ? r->nlines - k0 - 1 : 0;
}

const char *source_nav_code_text(const struct source_state *st, int64_t line, size_t *len)
{
	uint32_t i;
	const char *p, *e;

	/* compared as 64 bits: line 2^32 + 3 is not line 3 */
	if (!st->have_code || line < 1 || line - 1 >= (int64_t)st->nlines)
		return NULL;
	i = (uint32_t)(line - 1);
	p = st->file.data + st->line_off[i];
	e = i + 1 < st->nlines ? st->file.data + st->line_off[i + 1] : st->file.data + st->file.len;
	while (e > p && (e[-1] == '\n' || e[-1] == '\r'))
		e--;
	*len = (size_t)(e - p);
	return p;
}

/* ------------------------------------------------------------------------------------ */
/* keys                                                                                  */

/*
 * Moves to the next (dir > 0) or previous line with a cost.  Found in the sorted costs,
 * not by walking the rows: with the code here there is a row per line up to the last
 * line with a cost, and a profile may say line 1,000,000,000.
 */
static void jump_cost(struct tui_app *a, int dir)
{
	struct source_state *st = &a->src;
	const struct list_routine *r = &st->list.r[st->routine];
	uint32_t k0 = list_first_numbered(r), k = line_index(r, st->sel);

	if (dir > 0 && k < r->nlines && r->lines[k].line == st->sel)
		k++;  /* past the selected line */
	if (k < k0)
		k = k0;
	if (dir > 0 && k < r->nlines)
		st->sel = r->lines[k].line;
	else if (dir < 0 && k > k0)
		st->sel = r->lines[k - 1].line;
	else
		scr_message(a, false, "no more lines with a cost");
}

/*
 * Moves to the next (dir > 0) or previous line of code the search matches.  Only lines
 * of the code are read: the rows past its end (costs to a line the code does not have)
 * have nothing to match, and there may be a billion of them.
 */
static void jump_match(struct tui_app *a, int dir)
{
	struct source_state *st = &a->src;
	int64_t last = st->have_code ? (int64_t)st->nlines : 0, line;

	if (dir > 0)
		line = st->sel < 1 ? 1 : st->sel < last ? st->sel + 1 : last + 1;
	else
		line = st->sel > last ? last : st->sel - 1;
	for (; line >= 1 && line <= last; line += dir) {
		size_t len = 0;
		const char *code = source_nav_code_text(st, line, &len);
		int hit = code ? search_test(&st->search, code, len) : 0;

		if (hit < 0) {  /* it stops there, never skips a line it cannot tell */
			scr_message(a, true, "search: %s", err_last());
			return;
		}
		if (hit) {
			st->sel = line;
			return;
		}
	}
	scr_message(a, false, "no more matches");
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
	if (a->src.name)
		jump_match(a, dir);
}

/*
 * O: $VISUAL or $EDITOR +LINE FILE, for code read from a local file.  The variable is a
 * command line ("code --wait", "emacs -nw"), run by the shell as git runs it, with the
 * terminal as its input even when the profile came on standard input; an editor that
 * cannot be started, or fails, says so on the message line.
 */
static void open_editor(struct tui_app *a)
{
	struct source_state *st = &a->src;
	const char *ed = getenv("VISUAL") && *getenv("VISUAL") ? getenv("VISUAL") : getenv("EDITOR");
	char linearg[32];
	struct buf script = BUF_INIT;
	int status = 0, fork_errno;
	pid_t pid;

	if (!st->have_code || !st->file.local_path) {
		scr_message(a, false, "O opens local files only (this code came from %s)",
			    st->have_code ? source_origin_name(st->file.origin) : "nowhere yet");
		return;
	}
	if (!ed || !*ed)
		ed = "vi";
	snprintf(linearg, sizeof(linearg), "+%lld", (long long)st->sel);
	if (buf_printf(&script, "%s \"$@\"", ed)) {
		scr_message(a, true, "out of memory");
		return;
	}
	def_prog_mode();
	endwin();
	pid = fork();
	fork_errno = errno;
	if (pid == 0) {
		if (!isatty(STDIN_FILENO)) { /* the profile came on stdin: keys from the terminal */
			int fd = open("/dev/tty", O_RDONLY | O_CLOEXEC);

			if (fd >= 0)
				dup2(fd, STDIN_FILENO);
		}
		signal(SIGXFSZ, SIG_DFL);  /* main ignores it; the editor gets the default */
		execl("/bin/sh", "sh", "-c", script.data, ed, linearg, st->file.local_path, (char *)NULL);
		_exit(127);
	}
	if (pid > 0 && waitpid(pid, &status, 0) < 0)
		status = 0;
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
	if (pid < 0)
		scr_message(a, true, "cannot start the editor: %s", strerror(fork_errno));
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		scr_message(a, true, "cannot run the editor '%s' (VISUAL or EDITOR)", ed);
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		scr_message(a, true, "the editor '%s' exited with status %d", ed, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		scr_message(a, true, "the editor '%s' was killed by signal %d", ed, WTERMSIG(status));
	buf_release(&script);
}

/* v / V: the next / previous version that has the function. */
static void next_version(struct tui_app *a, int dir)
{
	struct source_state *st = &a->src;
	const struct source_ctx *c = &a->sctx;
	int n = (int)c->nv, i;

	if (n < 2 || st->ver < 0 || !st->vcum) {
		scr_message(a, false, "%s", c->q.set ?
			    "one version of the service in this data (by service_git_ref)" :
			    "versions come from a store or a server: series labels service_git_ref");
		return;
	}
	for (i = (st->ver + dir + n) % n; i != st->ver; i = (i + dir + n) % n)
		if (st->vcum[i] >= 0)
			break;
	if (i == st->ver) {
		scr_message(a, false, "%s is only in this version", st->fname);
		return;
	}
	free(st->ver_ref);
	st->ver_ref = strdup(c->v[i].ref);
	st->sel = -1; /* line numbers of another version: start at its hottest */
	st->scroll = -1;
	source_view_update(a);
	if (st->ver >= 0)
		scr_message(a, false, "version %d of %zu: %s", st->ver + 1, c->nv,
			    *c->v[st->ver].ref ? c->v[st->ver].ref : "(no ref)");
}

bool source_view_key(struct tui_app *a, int key)
{
	struct source_state *st = &a->src;
	int64_t nr, row, page;

	if (!st->fname)
		return false;
	switch (key) {
	case 'v':
	case 'V':
		next_version(a, key == 'v' ? 1 : -1);
		return true;
	case 'r':
		source_versions_retry(a);
		(void)source_settings_memo_new(a); /* really again: failures were remembered */
		free(st->code_key);
		st->code_key = NULL;
		source_view_update(a);
		scr_message(a, false, "reading again");
		return true;
	}
	if (!st->name)
		return false;
	nr = source_nav_rows(st);
	row = source_nav_line_row(st, st->sel);
	page = st->area_h > SOURCE_HEAD_ROWS + 1 ? st->area_h - SOURCE_HEAD_ROWS - 1 : 1;
	switch (key) {
	case 'j':
	case KEY_DOWN:
		if (row + 1 < nr)
			st->sel = source_nav_row_line(st, row + 1);
		break;
	case 'k':
	case KEY_UP:
		if (row > 0)
			st->sel = source_nav_row_line(st, row - 1);
		break;
	case 'g':
	case KEY_HOME:
		st->sel = source_nav_row_line(st, 0);
		break;
	case 'G':
	case KEY_END:
		if (nr)
			st->sel = source_nav_row_line(st, nr - 1);
		break;
	case KEY_NPAGE:
	case ' ':
		st->sel = source_nav_row_line(st, page < nr - row ? row + page : (nr ? nr - 1 : 0));
		break;
	case KEY_PPAGE:
		st->sel = source_nav_row_line(st, row > page ? row - page : 0);
		break;
	case 'H':
		st->sel = source_view_hottest(&st->list.r[st->routine]);
		st->scroll = -1;
		scr_message(a, false, "hottest line: %lld", (long long)st->sel);
		break;
	case ']':
		jump_cost(a, 1);
		break;
	case '[':
		jump_cost(a, -1);
		break;
	case 'o':
		if (st->list.n > 1) {
			st->routine = (st->routine + 1) % st->list.n;
			free(st->routine_file);
			st->routine_file = strdup(prof_str(st->prof, st->list.r[st->routine].file));
			st->sel = -1;
			source_view_update(a);
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
		buf_add(&b, prof_str(st->prof, r->file), prof_strlen(st->prof, r->file));
	buf_printf(&b, ":%lld", (long long)st->sel);
	scr_clipboard(b.data, b.len);
	scr_message(a, false, "copied %s", b.data);
	buf_release(&b);
}

void source_view_mouse(struct tui_app *a, int y, bool dbl)
{
	struct source_state *st = &a->src;
	int64_t row = st->scroll + (y - st->area_y - SOURCE_HEAD_ROWS);

	(void)dbl;
	/* a code line on screen: not the pane's header, nor the status lines below it */
	if (!st->name || y < st->area_y + SOURCE_HEAD_ROWS || y >= st->area_y + st->area_h ||
	    row >= source_nav_rows(st))
		return;
	st->sel = source_nav_row_line(st, row);
}
