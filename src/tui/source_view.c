/*
 * source_view.c — the source pane (view 4): the selected function's file with per-line
 * self and total (pprof -list numbers, profile/list.c), a heat gutter, and the code.
 *
 * The code is found by src/source (local files, git at a ref, GitHub) on a worker thread
 * — it may clone or download — while the pane already shows the numbers; a spinner says
 * so and Esc cancels.  Where it looks (repository, ref, root, source directory) is typed
 * at the ':' prompt, else the flags, else the labels of the version shown
 * (source_settings.c); the second header line says which.  When the profile came from a
 * store or a server and its series span several versions of the service
 * (service_git_ref), the numbers are those of one version at a time, merged on their own
 * (source_versions.c), and the code is read at that version's ref: line numbers of two
 * versions are never added up.  What the searches learn (files a remote place gave, each
 * `.pyroscope.yaml`, clones that failed) is kept in the session's memo, so going from
 * function to function does not clone or ask again; r and a typed setting start a new one.
 *
 * The pane keeps the function by name, so it survives a new profile (a live refresh, new
 * filters): the numbers are computed again from the new data, the code is kept when
 * the same file at the same place is wanted.  In a diff each line shows its total in the
 * base and the new profile and the change; in lines granularity a line frame opens its
 * function on that line (files and packages have no code to show).
 *
 * Keys (source_nav.c, with the rows they move through): j/k g/G PgUp/PgDn move, H the
 * hottest line, ] and [ the next / previous line with a cost, / searches the code (n/N),
 * o the next routine when the function has several files, v / V the next / previous
 * version, r reads the versions and the code again, y copies path:line, O opens $EDITOR
 * there (local files).
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/text.h"
#include "base/units.h"
#include "base/vec.h"
#include "profile/granularity.h"
#include "tui_int.h"

/* ------------------------------------------------------------------------------------ */
/* finding the code (worker)                                                             */

static void fetch_run(struct job *job)
{
	struct source_job *j = (struct source_job *)job;
	struct source_opts o = j->opts;

	o.cancel = &j->job.cancel;
	j->rc = source_find(&o, j->labels.n ? &j->labels : NULL, j->function, j->path, &j->file,
			    NULL);
	if (j->rc)
		snprintf(j->err, sizeof(j->err), "%s", err_last());
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

static void fetch_free(struct job *job)
{
	struct source_job *j = (struct source_job *)job;

	source_settings_memo_put(j->memo);
	source_file_release(&j->file);
	labelset_free(&j->labels);
	free(j->key);
	free(j);
}

/*
 * Stops waiting for the search in flight, never blocking: a thread still inside
 * source_find (libgit2 has no timeout on a silent server) is told to stop and left to
 * free the job itself.
 */
static void fetch_drop(struct source_state *st)
{
	if (st->job)
		job_drop(&st->job->job);
	st->job = NULL;
}

/* Forgets the code (and what it answered). */
static void code_reset(struct source_state *st)
{
	source_file_release(&st->file);
	free(st->line_off);
	st->line_off = NULL;
	st->nlines = 0;
	st->have_code = false;
	st->err[0] = '\0';
	free(st->code_key);
	st->code_key = NULL;
}

/* Forgets the numbers (they borrow from a profile that may go away). */
static void numbers_drop(struct source_state *st)
{
	list_release(&st->list);
	memset(&st->list, 0, sizeof(st->list));
	st->name = 0;
	st->prof = NULL;
	st->ver = -1;
}

void source_view_release(struct tui_app *a)
{
	struct source_state *st = &a->src;

	fetch_drop(st);
	numbers_drop(st);
	code_reset(st);
	free(st->fname);
	free(st->ver_ref);
	free(st->routine_file);
	free(st->vcum);
	search_release(&st->search);
	memset(st, 0, sizeof(*st));
	st->ver = -1;
}

/* The version whose labels apply: the one shown, or the only one. */
static const struct source_version *shown_version(const struct tui_app *a)
{
	const struct source_ctx *c = &a->sctx;

	if (a->src.ver >= 0 && (size_t)a->src.ver < c->nv)
		return &c->v[a->src.ver];
	return c->known && c->nv == 1 ? &c->v[0] : NULL;
}

static void code_land(struct source_state *st)
{
	struct source_job *j = st->job;

	if (j->rc == 0) {
		st->file = j->file;
		memset(&j->file, 0, sizeof(j->file));
		st->have_code = true;
		code_index(st);
		st->scroll = -1; /* rows changed from the costly lines to every line */
	} else {
		snprintf(st->err, sizeof(st->err), "%s", j->err);
	}
	fetch_free(&j->job);
	st->job = NULL;
}

/* Starts finding the code of the shown routine, unless it is here or on its way. */
static void fetch(struct tui_app *a)
{
	struct source_state *st = &a->src;
	const struct list_routine *r = &st->list.r[st->routine];
	const struct source_version *v = shown_version(a);
	const struct source_typed *t = &a->sctx.typed;
	struct source_job *j;
	struct source_setting set[SS_COUNT];
	struct buf key = BUF_INIT;
	int k;

	source_settings_resolve(t, a->opts.source_opts, v, set);
	buf_printf(&key, "%s\x1f%s", st->fname, prof_str(st->prof, r->file));
	for (k = 0; k < SS_COUNT; k++)
		buf_printf(&key, "\x1f%s", set[k].value ? set[k].value : "");
	if (!key.data || (st->code_key && strcmp(st->code_key, key.data) == 0)) {
		buf_release(&key); /* answered already, or being answered */
		return;
	}
	fetch_drop(st);
	code_reset(st);
	if (!(j = st->job = calloc(1, sizeof(*j)))) {
		buf_release(&key);
		snprintf(st->err, sizeof(st->err), "out of memory");
		return;
	}
	job_init(&j->job, fetch_run, fetch_free);
	if (a->opts.source_opts)
		j->opts = *a->opts.source_opts;
	/* what the session learnt: a failed clone is not tried again for the next function */
	if ((j->memo = a->sctx.memo) != NULL) {
		atomic_fetch_add(&j->memo->refs, 1);
		j->opts.memo = j->memo->memo;
	}
	/* typed values win over the flags (and so over the labels) */
	if (*t->repo)
		j->opts.repo = memcpy(j->repo, t->repo, sizeof(j->repo));
	if (*t->ref)
		j->opts.ref = memcpy(j->ref, t->ref, sizeof(j->ref));
	if (*t->root)
		j->opts.root = memcpy(j->root, t->root, sizeof(j->root));
	if (*t->source_path)
		j->opts.source_path = memcpy(j->source_path, t->source_path, sizeof(j->source_path));
	if (source_version_labels(v, &j->labels)) {
		fetch_drop(st);
		buf_release(&key);
		snprintf(st->err, sizeof(st->err), "out of memory");
		return;
	}
	snprintf(j->function, sizeof(j->function), "%s", st->fname);
	snprintf(j->path, sizeof(j->path), "%s", prof_str(st->prof, r->file));
	st->code_key = strdup(key.data);
	buf_release(&key);
	j->job.started_ms = app_now_ms();
	if (job_start(&j->job, a->async)) {
		fetch_drop(st);
		snprintf(st->err, sizeof(st->err), "cannot start a thread");
	} else if (!a->async) { /* drivers and tests: at once */
		code_land(st);
	}
}

/* ------------------------------------------------------------------------------------ */
/* the numbers                                                                           */

/*
 * Drops the routines of l without a numbered line: a function the profile names with no
 * file or no line numbers (a folded file, a binary without debug information) has
 * nothing to show on code.  When that leaves none, why says so as `go tool pprof -list`
 * does ("No source information for F"), with the file when there is one.
 */
static void numbered_only(const struct prof *p, struct list *l, const char *fname, char *why,
			  size_t n)
{
	uint32_t i, k, file = 0;

	for (i = 0, k = 0; i < l->n; i++) {
		if (list_first_numbered(&l->r[i]) < l->r[i].nlines) {
			l->r[k++] = l->r[i];
			continue;
		}
		if (prof_strlen(p, l->r[i].file))
			file = l->r[i].file;
		free(l->r[i].lines);
	}
	if (k == 0 && l->n > 0) {
		if (file)
			snprintf(why, n, "no source information for %s: the profile has no line "
				 "numbers in %s", fname, prof_str(p, file));
		else
			snprintf(why, n, "no source information for %s: the profile has no file or "
				 "line numbers for it", fname);
	}
	l->n = k;
}

/* The hottest line of the routine: largest total, then largest self (numbered lines). */
int64_t source_view_hottest(const struct list_routine *r)
{
	uint32_t k, best = list_first_numbered(r);

	for (k = best + 1; k < r->nlines; k++)
		if (r->lines[k].cum > r->lines[best].cum ||
		    (r->lines[k].cum == r->lines[best].cum && r->lines[k].flat > r->lines[best].flat))
			best = k;
	return best < r->nlines ? r->lines[best].line : 1;
}

/* The function's total in p (type 0), or -1 when p has no lines of it. */
static int64_t function_cum(const struct prof *p, const char *fname)
{
	uint32_t id = p ? prof_find_str(p, fname) : PROF_NONE, k;
	struct list l;
	int64_t cum = -1;
	char why[8];

	if (id == PROF_NONE || list_function(p, 0, id, &l))
		return -1;
	numbered_only(p, &l, fname, why, sizeof(why));
	for (k = 0; k < l.n; k++)
		cum = (cum < 0 ? 0 : cum) + l.r[k].cum;
	list_release(&l);
	return cum;
}

/*
 * The data split by version: the version to show — the one picked (ver_ref) when it has
 * the function, else the one where the function costs most.  Fills st->vcum.
 */
static int pick_version(struct tui_app *a)
{
	struct source_state *st = &a->src;
	const struct source_ctx *c = &a->sctx;
	int best = -1, i;

	free(st->vcum);
	st->vcum = calloc(c->nv, sizeof(*st->vcum));
	if (!st->vcum)
		return -1;
	for (i = 0; i < (int)c->nv; i++)
		st->vcum[i] = function_cum(c->v[i].prof, st->fname);
	for (i = 0; st->ver_ref && i < (int)c->nv; i++)
		if (st->vcum[i] >= 0 && strcmp(c->v[i].ref, st->ver_ref) == 0)
			return i;
	for (i = 0; i < (int)c->nv; i++)
		if (st->vcum[i] >= 0 && (best < 0 || st->vcum[i] >= st->vcum[best]))
			best = i;
	return best;
}

/* Why the pane has nothing to show at this granularity (files, packages), or NULL. */
static const char *granularity_why(const struct tui_app *a)
{
	if (a->gran == GRAN_FILES)
		return "the source pane shows functions and lines, not files (:granularity=functions)";
	if (a->gran == GRAN_PACKAGES)
		return "the source pane shows functions and lines, not packages "
		       "(:granularity=functions)";
	return NULL;
}

/* Adds r's lines to into's (same function, same file), kept sorted, equal lines summed. */
static int add_lines(struct list_routine *into, const struct list_routine *r)
{
	struct list_line *u = realloc(into->lines, ((size_t)into->nlines + r->nlines) *
					  sizeof(*u));
	uint32_t i, k;

	if (!u)
		return err_set(ERR_NOMEM, "out of memory");
	into->lines = u;
	memcpy(u + into->nlines, r->lines, r->nlines * sizeof(*u));
	into->nlines += r->nlines;
	/* both runs are sorted: an insertion sort of the second is short */
	for (i = into->nlines - r->nlines; i < into->nlines; i++)
		for (k = i; k > 0 && u[k - 1].line > u[k].line; k--) {
			struct list_line t = u[k];

			u[k] = u[k - 1];
			u[k - 1] = t;
		}
	for (i = k = 0; i < into->nlines; i++) {
		if (k > 0 && u[k - 1].line == u[i].line) {
			u[k - 1].flat += u[i].flat;
			u[k - 1].cum += u[i].cum;
		} else {
			u[k++] = u[i];
		}
	}
	into->nlines = k;
	into->flat += r->flat;
	into->cum += r->cum;
	into->cum_lines += r->cum_lines;
	return 0;
}

/*
 * In lines granularity a frame is a line of a function ("main.f path/main.go:146",
 * granularity.c): the function's routines in p are those of its line frames, one per
 * file.  Its cum is the sum of its lines' (a sample through two lines of it, recursing,
 * counts twice, as pprof -list's header cum).  A frame is fname's when its name is the
 * one granularity_line_key() gives fname in the frame's file on its line: not a prefix
 * ("Foo::bar [clone .cold] x.cc:5" is not Foo::bar's), and not through a regex of the
 * name's bytes (which may not be UTF-8).
 */
static int lines_list(const struct prof *p, uint32_t type, const char *fname, struct list *out)
{
	struct buf key = BUF_INIT;
	struct list raw;
	uint8_t *sel;  /* per function: 0 not seen yet, 1 not fname's, 2 fname's */
	uint32_t i, k;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!(sel = calloc(p->nfunctions ? p->nfunctions : 1, 1)))
		return err_set(ERR_NOMEM, "out of memory");
	/* a line frame's lines all have its line: it is in its name */
	for (i = 0; i < p->nlines && rc == 0; i++) {
		const struct prof_line *ln = &p->lines[i];
		const struct prof_function *f = &p->functions[ln->func];

		if (sel[ln->func])
			continue;
		buf_reset(&key);
		if ((rc = granularity_line_key(&key, fname, strlen(fname), prof_str(p, f->file),
					       prof_strlen(p, f->file), ln->line)))
			break;
		sel[ln->func] = key.len == prof_strlen(p, f->name) &&
					(key.len == 0 || memcmp(key.data, prof_str(p, f->name), key.len) == 0) ?
				2 : 1;
	}
	for (i = 0; i < p->nfunctions; i++)
		sel[i] = sel[i] == 2;
	buf_release(&key);
	if (rc == 0)
		rc = list_select(p, type, sel, &raw);
	free(sel);
	if (rc)
		return rc;
	out->total = raw.total;
	if (raw.n && !(out->r = calloc(raw.n, sizeof(*out->r))))
		rc = err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i < raw.n && rc == 0; i++) {
		for (k = 0; k < out->n && out->r[k].file != raw.r[i].file; k++)
			;
		if (k == out->n) {
			out->r[out->n++] = raw.r[i];  /* its lines move over */
			raw.r[i].lines = NULL;
			out->r[k].start_line = 0;
		} else {
			rc = add_lines(&out->r[k], &raw.r[i]);
		}
	}
	list_release(&raw);
	if (rc)
		list_release(out);
	return rc;
}

/* The numbers of the shown function in p, one side (type) of it. */
static int side_list(const struct tui_app *a, const struct prof *p, uint32_t type, uint32_t id,
		     struct list *out)
{
	if (p == a->prof && a->gran == GRAN_LINES)
		return lines_list(p, type, a->src.fname, out);
	return list_function(p, type, id, out);
}

/*
 * A diff (the app's profile a prof_pair(): type t the new side, ntypes + t the base) has
 * both sides in the pane's list.  A routine's lines are those of either side, with the
 * new side's numbers (0 on a line only the base has); the same array goes on with the
 * base side's numbers of the same lines (lines[nlines + k]) and ends with the base
 * routine's totals (lines[2 * nlines]: line 0, flat, cum).  list_release() frees it all.
 * The data split by version (one side each) is never paired.
 */
static bool paired(const struct tui_app *a)
{
	return a->diff && a->src.name && a->src.prof == a->prof;
}

static const struct list_line *base_line(const struct list_routine *r, const struct list_line *c)
{
	return &r->lines[r->nlines + (size_t)(c - r->lines)];
}

static const struct list_line *base_totals(const struct list_routine *r)
{
	return &r->lines[2 * (size_t)r->nlines];
}

/*
 * Walks the lines of nr and br (sorted) together: the union's k-th line from nr (*i) or
 * br (*j) or both; false at the end.
 */
static bool next_pair(const struct list_routine *nr, const struct list_routine *br, uint32_t *i,
		      uint32_t *j, const struct list_line **nl, const struct list_line **bl)
{
	uint32_t nn = nr ? nr->nlines : 0, nb = br ? br->nlines : 0;

	*nl = *i < nn ? &nr->lines[*i] : NULL;
	*bl = *j < nb ? &br->lines[*j] : NULL;
	if (*nl && *bl && (*nl)->line != (*bl)->line) {
		if ((*nl)->line < (*bl)->line)
			*bl = NULL;
		else
			*nl = NULL;
	}
	*i += *nl != NULL;
	*j += *bl != NULL;
	return *nl || *bl;
}

/* The routine of nr and br in the paired form (either may be NULL: no samples there). */
static int pair_routine(const struct list_routine *nr, const struct list_routine *br,
			struct list_routine *out)
{
	const struct list_line *nl, *bl;
	struct list_line *u;
	uint32_t i = 0, j = 0, n = 0, k;

	while (next_pair(nr, br, &i, &j, &nl, &bl))
		n++;
	if (!(u = calloc(2 * (size_t)n + 1, sizeof(*u))))
		return err_set(ERR_NOMEM, "out of memory");
	for (i = j = k = 0; next_pair(nr, br, &i, &j, &nl, &bl); k++) {
		u[k].line = u[n + k].line = nl ? nl->line : bl->line;
		if (nl)
			u[k].flat = nl->flat, u[k].cum = nl->cum;
		if (bl)
			u[n + k].flat = bl->flat, u[n + k].cum = bl->cum;
	}
	u[2 * (size_t)n] = (struct list_line){ 0, br ? br->flat : 0, br ? br->cum : 0 };
	*out = nr ? *nr : *br;
	out->flat = nr ? nr->flat : 0;
	out->cum = nr ? nr->cum : 0;
	out->cum_lines = nr ? nr->cum_lines : 0;
	out->lines = u;
	out->nlines = n;
	return 0;
}

/*
 * The paired list of function id in p (a prof_pair()), new side type, base side type +
 * ntypes: routines of either side, one per file (the new side's first).  why: as
 * numbered_only(), when neither side has a numbered line.
 */
static int pair_list(const struct tui_app *a, const struct prof *p, uint32_t type, uint32_t id,
		     const char *fname, struct list *out, char *why, size_t n)
{
	struct list nl, bl;
	uint32_t i, k, m = 0;
	bool *used = NULL;
	char bwhy[256] = "";
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = side_list(a, p, type, id, &nl)))
		return rc;
	if ((rc = side_list(a, p, type + a->ntypes, id, &bl))) {
		list_release(&nl);
		return rc;
	}
	numbered_only(p, &nl, fname, why, n);
	numbered_only(p, &bl, fname, bwhy, sizeof(bwhy));
	out->total = nl.total;
	if (nl.n + bl.n == 0) {
		if (!*why)
			snprintf(why, n, "%s", bwhy);
		goto done;
	}
	*why = '\0';
	out->r = calloc((size_t)nl.n + bl.n, sizeof(*out->r));
	used = calloc(bl.n + 1, sizeof(*used));
	if (!out->r || !used) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	/* one profile: equal files have equal string ids */
	for (i = 0; i < nl.n + bl.n && rc == 0; i++) {
		const struct list_routine *nr = i < nl.n ? &nl.r[i] : NULL, *br = NULL;

		for (k = 0; k < bl.n && !br; k++)
			if (!used[k] && (nr ? bl.r[k].file == nr->file : i - nl.n == k))
				br = &bl.r[k], used[k] = true;
		if (nr || br)
			rc = pair_routine(nr, br, &out->r[m]), m += rc == 0;
	}
	out->n = m;
done:
	free(used);
	if (rc) {
		list_release(out);
		memset(out, 0, sizeof(*out));
	}
	list_release(&nl);
	list_release(&bl);
	return rc;
}

/*
 * Computes the numbers of st->fname from the data now shown (the picked version's
 * profile when the data is split, else the app's), keeping the routine and the selected
 * line where they still exist (st->sel < 0: the hottest line), and asks for the versions
 * or the code when they are missing.  Sets st->why when there is nothing to show.
 */
void source_view_update(struct tui_app *a)
{
	struct source_state *st = &a->src;
	const struct source_ctx *c = &a->sctx;
	const struct prof *p = a->prof;
	uint32_t type = a->type, id, k;
	struct list l;
	int rc;

	numbers_drop(st);
	st->stale = false;
	st->why[0] = '\0';
	if (!st->fname)
		return;
	if (granularity_why(a)) {
		snprintf(st->why, sizeof(st->why), "%s", granularity_why(a));
		return;
	}
	source_versions_refresh(a);
	if (c->q.set && !c->known) {
		snprintf(st->why, sizeof(st->why), "%s", c->job ?
			 "reading the versions of the service (service_git_ref)..." : c->why);
		return;
	}
	if (c->nv > 1 && !a->diff) {
		/* a version's merge is one side: a diff keeps its pair (base, new, change) */
		st->ver = pick_version(a);
		if (st->ver < 0) {
			snprintf(st->why, sizeof(st->why), "%s has no line information in any of the %zu "
				 "versions", st->fname, c->nv);
			return;
		}
		p = c->v[st->ver].prof;
		type = 0;
		if (!st->ver_ref || strcmp(st->ver_ref, c->v[st->ver].ref) != 0) {
			/* another version: its line numbers are not comparable */
			free(st->ver_ref);
			st->ver_ref = strdup(c->v[st->ver].ref);
			st->sel = -1;
		}
	}
	/* in lines granularity the function is the set of its line frames (lines_list) */
	id = p == a->prof && a->gran == GRAN_LINES ? 0 : prof_find_str(p, st->fname);
	if (id == PROF_NONE) {
		snprintf(st->why, sizeof(st->why), "%s is not in the data shown", st->fname);
		return;
	}
	if (p == a->prof && a->diff)
		rc = pair_list(a, p, type, id, st->fname, &l, st->why, sizeof(st->why));
	else if ((rc = side_list(a, p, type, id, &l)) == 0)
		numbered_only(p, &l, st->fname, st->why, sizeof(st->why));
	if (rc) {
		snprintf(st->why, sizeof(st->why), "%s", err_last());
		return;
	}
	if (st->why[0]) {
		list_release(&l);
		return;
	}
	if (l.n == 0) {
		list_release(&l);
		snprintf(st->why, sizeof(st->why), "%s has no line information in this profile",
			 st->fname);
		return;
	}
	st->list = l;
	st->prof = p;
	st->name = id ? id : l.r[0].name; /* lines granularity: one of its line frames */
	for (k = 0; st->routine_file && k < l.n; k++)
		if (strcmp(prof_str(p, l.r[k].file), st->routine_file) == 0)
			break;
	if (!st->routine_file || k == l.n) {
		k = 0;
		st->sel = -1;
	}
	st->routine = k;
	if (st->sel < 0) {
		st->sel = source_view_hottest(&l.r[k]);
		st->scroll = -1; /* centre the selection on the next draw */
	}
	free(st->routine_file);
	st->routine_file = strdup(prof_str(p, l.r[k].file));
	fetch(a);
}

/*
 * The function of line frame `key` ("main.f path/main.go:146", granularity.c) of `file`
 * on line `line`: the longest name of a function of the loaded profile (base, before the
 * granularity re-keyed it) in that file that the key starts with, then a space.  Taken
 * from the profile's functions, not cut at the key's last space: a path may hold spaces
 * ("main.f /home/u/My Projects/main.go:5" is main.f's).  NULL when no function is.
 */
static char *line_frame_function(const struct prof *base, const char *key, const char *file,
				 int64_t line)
{
	char suffix[32];
	size_t n = strlen(key), best = 0, fl,
	       sl = (size_t)snprintf(suffix, sizeof(suffix), ":%lld", (long long)line);
	const char *found = NULL;
	uint32_t i;

	if (n <= sl || strcmp(key + n - sl, suffix) != 0)
		return NULL;
	for (i = 0; i < base->nfunctions; i++) {
		const struct prof_function *f = &base->functions[i];

		fl = prof_strlen(base, f->name);
		if (fl == 0 || fl + 1 + sl > n || fl <= best || key[fl] != ' ' ||
		    memcmp(key, prof_str(base, f->name), fl) != 0 ||
		    strcmp(prof_str(base, f->file), file) != 0)
			continue;
		found = prof_str(base, f->name);
		best = fl;
	}
	return found ? strndup(found, best) : NULL;
}

int source_view_set(struct tui_app *a, uint32_t name)
{
	struct source_state *st = &a->src;
	char *keep_ver, *fname = NULL, *file = NULL;
	int64_t line = -1;
	struct list l;
	uint32_t n = 0, side, k;
	int rc;

	if (granularity_why(a))
		return err_set(ERR_USAGE, "%s", granularity_why(a));
	/* the shown profile holds every version: what it lacks, no version has; a diff shows
	 * a function the new profile lost (its base side) too */
	for (side = 0; side < (a->diff ? 2u : 1u) && n == 0; side++) {
		if ((rc = list_function(a->prof, a->type + side * a->ntypes, name, &l))) {
			free(file);
			return rc;
		}
		n = l.n;  /* without line numbers: the pane says so (update) */
		if (a->gran == GRAN_LINES && n && (k = list_first_numbered(&l.r[0])) < l.r[0].nlines) {
			line = l.r[0].lines[k].line;
			file = strdup(prof_str(a->prof, l.r[0].file));
		}
		list_release(&l);
	}
	if (n == 0)
		return err_set(ERR_NOTFOUND, "%s has no line information in this profile",
			       prof_str(a->prof, name));
	/* lines granularity: the frame's function, opened on its line */
	if (a->gran == GRAN_LINES &&
	    !(fname = line > 0 && file ? line_frame_function(a->base, prof_str(a->prof, name),
								file, line) : NULL)) {
		free(file);
		return err_set(ERR_NOTFOUND, "%s has no line number: nothing to show on code",
			       prof_str(a->prof, name));
	}
	if (!fname && !(fname = strdup(prof_str(a->prof, name)))) {
		free(file);
		return err_set(ERR_NOMEM, "out of memory");
	}
	keep_ver = a->src.ver_ref; /* the version picked stays picked */
	a->src.ver_ref = NULL;
	source_view_release(a);
	st->ver_ref = keep_ver;
	st->fname = fname;
	st->sel = -1;
	if (line > 0 && file) {
		/* source_view_update() keeps the line when the file is the same */
		st->routine_file = file;
		st->sel = line;
		st->scroll = -1;
	} else {
		free(file);
	}
	source_view_update(a);
	return 0;
}

/* The string id in a->prof of the frame named key (key->len bytes), or 0 when none is. */
static uint32_t frame_of_key(const struct tui_app *a, const struct buf *key)
{
	uint32_t id;

	if (!key->data || strlen(key->data) != key->len)
		return 0;
	id = prof_find_str(a->prof, key->data);
	return id == PROF_NONE ? 0 : id;
}

/* The string id of fname's line frame in `file` (of st->prof) on `line`, or 0. */
static uint32_t line_frame(const struct tui_app *a, uint32_t file, int64_t line)
{
	const struct source_state *st = &a->src;
	struct buf key = BUF_INIT;
	uint32_t id = 0;

	if (granularity_line_key(&key, st->fname, strlen(st->fname), prof_str(st->prof, file),
				 prof_strlen(st->prof, file), line) == 0)
		id = frame_of_key(a, &key);
	buf_release(&key);
	return id;
}

/*
 * The file of the pane's function, as loaded (not cleaned): its routine's, else that of
 * the first function of the loaded profile by its name with a file; NULL when none.
 */
static const char *function_file(const struct tui_app *a)
{
	const struct source_state *st = &a->src;
	uint32_t i;

	if (st->routine_file && *st->routine_file)
		return st->routine_file;
	for (i = 0; a->base && i < a->base->nfunctions; i++) {
		const struct prof_function *f = &a->base->functions[i];

		if (prof_strlen(a->base, f->file) &&
		    strcmp(prof_str(a->base, f->name), st->fname) == 0)
			return prof_str(a->base, f->file);
	}
	return NULL;
}

uint32_t source_view_frame(const struct tui_app *a)
{
	const struct source_state *st = &a->src;
	struct buf key = BUF_INIT;
	const char *file, *pkg;
	uint32_t id = 0, i, k;
	int64_t best = 0;

	if (!st->fname)
		return 0;
	switch (a->gran) {
	case GRAN_FUNCTIONS:
		if (buf_puts(&key, st->fname) == 0)
			id = frame_of_key(a, &key);
		break;
	case GRAN_LINES:
		if (!st->name)
			break;
		if ((id = line_frame(a, st->list.r[st->routine].file, st->sel)))
			break;
		/* a line without a frame (no cost on it): the function's widest frame */
		for (i = 0; i < st->list.n; i++) {
			const struct list_routine *r = &st->list.r[i];

			for (k = list_first_numbered(r); k < r->nlines; k++) {
				uint32_t f;

				if ((id && r->lines[k].cum <= best) ||
				    !(f = line_frame(a, r->file, r->lines[k].line)))
					continue;
				id = f;
				best = r->lines[k].cum;
			}
		}
		break;
	case GRAN_FILES:
		if ((file = function_file(a)) &&
		    granularity_file_name(&key, file, strlen(file)) == 0)
			id = frame_of_key(a, &key);
		break;
	case GRAN_PACKAGES:
		k = (uint32_t)text_package(st->fname, &pkg);
		if (buf_add(&key, pkg, k) == 0)
			id = frame_of_key(a, &key);
		break;
	}
	buf_release(&key);
	return id;
}

void source_view_data_changed(struct tui_app *a, bool filters)
{
	struct source_state *st = &a->src;

	source_versions_invalidate(a, filters);
	numbers_drop(st);
	if (!st->fname)
		return;
	if (a->view == VIEW_SOURCE || !a->async)
		source_view_update(a);
	else
		st->stale = true;
}

void source_view_setting(struct tui_app *a, enum source_setting_kind k, const char *value)
{
	struct source_state *st = &a->src;
	struct source_setting set[SS_COUNT];
	struct buf shown = BUF_INIT;

	if (source_settings_set(&a->sctx.typed, k, value, getenv("HOME"))) {
		scr_message(a, true, "%s", err_last());
		return;
	}
	(void)source_settings_memo_new(a); /* where to look changed: what failed may not now */
	source_settings_resolve(&a->sctx.typed, a->opts.source_opts, shown_version(a), set);
	if (set[k].value) /* a URL without its credentials, as line 2 has it */
		source_settings_shown(&shown, set[k].value);
	if (set[k].value)
		scr_message(a, false, "%s: %s (%s)%s", source_settings_name(k),
			    shown.data ? shown.data : "",
			    set[k].from == SF_TYPED ? "typed" :
			    set[k].from == SF_LABEL ? "label" :
			    k == SS_SOURCE_PATH && strcmp(set[k].value, ".") == 0 ? "default" : "flag",
			    st->fname ? "; reading the code again" : "");
	else
		scr_message(a, false, "%s: not set", source_settings_name(k));
	buf_release(&shown);
	if (!st->fname)
		return;
	free(st->code_key); /* read again, even where the key is the same */
	st->code_key = NULL;
	source_view_update(a);
}

bool source_view_poll(struct tui_app *a)
{
	struct source_state *st = &a->src;
	struct source_job *j = st->job;
	bool changed = false;

	if (source_versions_poll(a)) {
		changed = true;
		numbers_drop(st); /* they may borrow from the versions just replaced */
		if (st->fname && a->view == VIEW_SOURCE)
			source_view_update(a);
		else
			st->stale = st->fname != NULL;
	}
	if (j && job_poll(&j->job)) {
		code_land(st);
		changed = true;
	}
	if (st->fname && a->view == VIEW_SOURCE) {
		if (st->stale) {
			source_view_update(a);
			changed = true;
		} else if (source_versions_refresh(a)) { /* a moving range: now and then */
			changed = true;
		}
	}
	return changed;
}

bool source_view_busy(const struct tui_app *a, double *started_ms)
{
	const struct job *v = a->sctx.job ? &a->sctx.job->job : NULL;
	const struct job *c = a->src.job ? &a->src.job->job : NULL;

	if (started_ms && job_busy(v))
		*started_ms = v->started_ms;
	else if (started_ms && job_busy(c))
		*started_ms = c->started_ms;
	return job_busy(c) || job_busy(v);
}

void source_view_cancel(struct tui_app *a)
{
	if (job_busy(a->src.job ? &a->src.job->job : NULL))
		atomic_store(&a->src.job->job.cancel, 1);
	if (job_busy(a->sctx.job ? &a->sctx.job->job : NULL))
		atomic_store(&a->sctx.job->job.cancel, 1);
}

/* ------------------------------------------------------------------------------------ */
/* drawing                                                                               */

/* Line 1: the file and where its code came from (or why there are no numbers). */
static void header(struct tui_app *a, int y, int w)
{
	struct source_state *st = &a->src;
	struct buf b = BUF_INIT, raw = BUF_INIT;
	char hot[80] = "";

	buf_add(&raw, " ", 1);
	if (!st->name && granularity_why(a)) {
		buf_puts(&raw, st->why); /* about the data shown, not the function kept */
	} else if (!st->name) {
		buf_printf(&raw, "%s: %s", st->fname, st->why);
	} else {
		const struct list_routine *r = &st->list.r[st->routine];

		/* named as list's ROUTINE line and pprof name it; the code is read by the raw name */
		if (granularity_file_name(&raw, prof_str(st->prof, r->file),
					  prof_strlen(st->prof, r->file)))
			buf_add(&raw, prof_str(st->prof, r->file), prof_strlen(st->prof, r->file));
		if (st->have_code && source_nav_last_cost_line(r) > (int64_t)st->nlines)
			buf_printf(&raw, " [code of %u lines, costs to line %lld: not this code?]",
				   st->nlines, (long long)source_nav_last_cost_line(r));
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
		} else if (job_busy(st->job ? &st->job->job : NULL)) {
			buf_puts(&raw, " (finding the code...)");
		} else {
			buf_printf(&raw, " (no code: %s)", st->err);
		}
		if (list_first_numbered(r) > 0) {
			/* samples without a line: not on any row */
			const char *unit = prof_str(a->prof, a->prof->sample_types[a->type].unit);
			char v[UNITS_MAX];
			int64_t cum = 0;
			uint32_t k;

			for (k = 0; k < list_first_numbered(r); k++)
				cum += r->lines[k].cum;
			units_format(v, sizeof(v), cum, unit);
			buf_printf(&raw, " [%s without a line number]", v);
		}
		if (st->list.n > 1)
			buf_printf(&raw, "  [%u of %u files: o next]", st->routine + 1, st->list.n);
		if (r->start_line > 0)
			snprintf(hot, sizeof(hot), "starts at %lld, hottest: line %lld ",
				 (long long)r->start_line, (long long)source_view_hottest(r));
		else
			snprintf(hot, sizeof(hot), "hottest: line %lld ",
				 (long long)source_view_hottest(r));
	}
	text_safe(&b, raw.data, raw.len, !a->scr.utf8);
	scr_fill(y, 0, w, a->scr.role_attr[ROLE_BREADCRUMB]);
	scr_put(y, 0, w - (int)strlen(hot) - 1, b.data, b.len, a->scr.role_attr[ROLE_BREADCRUMB]);
	scr_put(y, w - (int)strlen(hot), (int)strlen(hot), hot, strlen(hot),
		a->scr.role_attr[ROLE_BREADCRUMB]);
	buf_release(&b);
	buf_release(&raw);
}

/* Line 2: the version shown (the data split) and where the code is looked for. */
static void settings_line(struct tui_app *a, int y, int w)
{
	struct source_state *st = &a->src;
	const struct source_ctx *c = &a->sctx;
	const struct source_version *v = shown_version(a);
	struct source_setting set[SS_COUNT];
	struct buf b = BUF_INIT, raw = BUF_INIT;
	size_t i, absent = 0;

	buf_add(&raw, " ", 1);
	/* no code found (line 1 says why): how to say where to look, before where it looked */
	if (st->name && !st->have_code && st->err[0] && !job_busy(st->job ? &st->job->job : NULL))
		buf_printf(&raw, ":source_path=DIR or :repo=PATH|URL say where to look%s", a->dot);
	if (st->ver >= 0 && v) {
		buf_printf(&raw, "version %d of %zu: %s", st->ver + 1, c->nv, *v->ref ? v->ref : "(no ref)");
		for (i = 0; st->vcum && i < c->nv; i++)
			if (st->vcum[i] < 0)
				buf_printf(&raw, "%s%s", absent++ ? ", " : " (not in ",
					   *c->v[i].ref ? c->v[i].ref : "(no ref)");
		buf_puts(&raw, absent ? "; v next)" : " (v next)");
		if (c->nall > c->nv)
			buf_printf(&raw, ", %zu of %zu refs split", c->nv, c->nall);
		buf_puts(&raw, a->dot);
	}
	if (c->q.set && c->known && c->why[0]) /* numbers of older data, or maybe mixed */
		buf_printf(&raw, "%s (%s)%s", st->ver >= 0 ? "versions not read again" :
			   "versions unknown", c->why, a->dot);
	source_settings_resolve(&c->typed, a->opts.source_opts, v, set);
	source_settings_describe(set, a->dot, &raw);
	if (st->ver >= 0 && v && set[SS_REF].from != SF_LABEL)
		buf_printf(&raw, "%sthe numbers are of %s", a->dot, *v->ref ? v->ref : "(no ref)");
	if (v && v->mixed)
		buf_printf(&raw, "%sits series disagree on the repository or root", a->dot);
	text_safe(&b, raw.data, raw.len, !a->scr.utf8);
	scr_put(y, 0, w, b.data, b.len, a->scr.role_attr[ROLE_HINT]);
	buf_release(&b);
	buf_release(&raw);
}

/* `v` as a change: "+1.2 s", "-30 ms", "." when none. */
static void format_change(char *out, size_t n, int64_t v, const char *unit)
{
	if (v == 0) {
		snprintf(out, n, ".");
		return;
	}
	out[0] = '+';
	units_format(out + (v > 0), n - (v > 0), v, unit);
}

/* A diff's number columns of line c (NULL: no cost on either side): base, new, change. */
static void diff_cells(struct tui_app *a, const struct list_routine *r, const struct list_line *c,
		       struct buf *b)
{
	const char *unit = prof_str(a->prof, a->prof->sample_types[a->type].unit);
	int64_t bv = c ? base_line(r, c)->cum : 0, nv = c ? c->cum : 0;
	char v[UNITS_MAX + 1];

	if (bv)
		units_format(v, sizeof(v), bv, unit);
	else
		snprintf(v, sizeof(v), ".");
	text_pad_left(b, v, 9);
	if (nv)
		units_format(v, sizeof(v), nv, unit);
	else
		snprintf(v, sizeof(v), ".");
	buf_add(b, " ", 1);  /* a value wider than its column still stands apart */
	text_pad_left(b, v, 9);
	format_change(v, sizeof(v), nv - bv, unit);
	buf_add(b, " ", 1);
	text_pad_left(b, v, 9);
}

/*
 * The heat gutter's level of a line's total cum against the largest, maxcum: 0 for no
 * cost, else 1 + 7 * cum / maxcum, 1-8.  A total may be near INT64_MAX (a pprof's or a
 * push's values are any int64): past INT64_MAX / 7 the product would overflow, so it is
 * taken in double there, where one part in 2^53 cannot move a level that matters.
 */
static int heat_level(int64_t cum, int64_t maxcum)
{
	int64_t lvl;

	if (cum <= 0 || maxcum <= 0)
		return 0;
	if (cum <= INT64_MAX / 7)
		lvl = cum * 7 / maxcum;
	else
		lvl = (int64_t)((double)cum / (double)maxcum * 7.0);
	return 1 + (int)(lvl < 0 ? 0 : lvl > 7 ? 7 : lvl);
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
	bool told = false;  /* a search error is on the status line */
	int i, k;

	for (i = 0; i < h; i++)
		scr_fill(y + i, 0, w, A_NORMAL);
	st->area_y = y;
	st->area_h = h;
	if (!st->fname) {
		const char *m = granularity_why(a) ? granularity_why(a) :
				"select a function (flame graph, top table, sandwich) and press 4";

		scr_put(y + 1, 2, w - 2, m, strlen(m), a->scr.role_attr[ROLE_HINT]);
		return;
	}
	if (h < SOURCE_HEAD_ROWS + 1)
		return;
	header(a, y, w);
	settings_line(a, y + 1, w);
	if (!st->name)
		return;
	r = &st->list.r[st->routine];
	for (k = (int)list_first_numbered(r); k < (int)r->nlines; k++)
		if (r->lines[k].cum > maxcum)
			maxcum = r->lines[k].cum;
	{
		char hdr[96];

		/* a diff: each line's total in both profiles and the change, as pprof -list
		 * -diff_base shows new minus base (self: the status line) */
		if (paired(a))
			snprintf(hdr, sizeof(hdr), "%9s %9s %9s   %6s  %s", "base", "new", "change",
				 "line", "code (total per line)");
		else
			snprintf(hdr, sizeof(hdr), "%10s %10s   %6s  %s", "self", "total", "line",
				 "code");
		scr_fill(y + 2, 0, w, a->scr.role_attr[ROLE_TABLE_HEADER]);
		scr_put(y + 2, 0, w, hdr, strlen(hdr), a->scr.role_attr[ROLE_TABLE_HEADER]);
	}
	y += SOURCE_HEAD_ROWS;
	h -= SOURCE_HEAD_ROWS;
	nr = source_nav_rows(st);
	selrow = source_nav_line_row(st, st->sel);
	if (st->scroll < 0)
		st->scroll = selrow - h / 2;
	if (selrow < st->scroll)
		st->scroll = selrow;
	if (selrow - st->scroll >= h)
		st->scroll = selrow - h + 1;
	if (st->scroll < 0)
		st->scroll = 0;
	for (i = 0, row = st->scroll; i < h && row < nr; i++, row++) {
		int64_t line = source_nav_row_line(st, row);
		const struct list_line *c = source_nav_line_cost(r, line);
		bool sel = line == st->sel;
		int attr = sel ? a->scr.role_attr[ROLE_SELECTED] : (int)A_NORMAL, x;
		char v1[UNITS_MAX], v2[UNITS_MAX], num[32];
		struct buf b = BUF_INIT;
		size_t len = 0;
		const char *code = source_nav_code_text(st, line, &len);

		if (sel)
			scr_fill(y + i, 0, w, attr);
		if (paired(a)) {
			diff_cells(a, r, c, &b);
		} else {
			if (c && c->flat)
				units_format(v1, sizeof(v1), c->flat, unit);
			else
				snprintf(v1, sizeof(v1), ".");
			if (c && c->cum)
				units_format(v2, sizeof(v2), c->cum, unit);
			else
				snprintf(v2, sizeof(v2), ".");
			text_pad_left(&b, v1, 10);
			buf_add(&b, " ", 1);  /* a value wider than its column still stands apart */
			text_pad_left(&b, v2, 10);
		}
		buf_add(&b, " ", 1);
		x = scr_put(y + i, 0, w, b.data, b.len, attr);
		{
			int lvl = c ? heat_level(c->cum, maxcum) : 0;
			const char *g = a->scr.utf8 ? heat[lvl] : lvl ? "#" : " ";

			x += scr_put(y + i, x, w - x, g, strlen(g),
				     attr != (int)A_NORMAL ? attr : a->scr.role_attr[ROLE_ERROR]);
		}
		/* the function's first line is marked */
		snprintf(num, sizeof(num), "%s%6lld  ",
			 r->start_line > 0 && line == r->start_line ? (a->scr.utf8 ? "\xe2\x96\xb6" : ">") : " ",
			 (long long)line);
		x += scr_put(y + i, x, w - x, num, strlen(num), attr | (c ? A_BOLD : 0));
		buf_reset(&b);
		if (code) {
			int hit = st->search.code && !sel ? search_test(&st->search, code, len) : 0;

			/* a line the search cannot decide is not marked either way: said once */
			if (hit < 0 && !told) {
				scr_message(a, true, "search: %s", err_last());
				told = true;
			}
			text_code(&b, code, len, 4, !a->scr.utf8);
			scr_put(y + i, x, w - x, b.data ? b.data : "", b.len,
				hit > 0 ? a->scr.role_attr[ROLE_MATCH] : attr);
		} else if (!st->have_code && row > 0 &&
			   line > source_nav_row_line(st, row - 1) + 1) {
			scr_put(y + i, x, w - x, "...", 3, a->scr.role_attr[ROLE_DIM]);
		}
		buf_release(&b);
	}
}

/* "base 1.2 s → new 3.4 s (+2.2 s)" of self or total (what). */
static void diff_pair(struct tui_app *a, const char *what, int64_t bv, int64_t nv, struct buf *out)
{
	const char *unit = prof_str(a->prof, a->prof->sample_types[a->type].unit);
	char v1[UNITS_MAX], v2[UNITS_MAX], ch[UNITS_MAX + 1];

	units_format(v1, sizeof(v1), bv, unit);
	units_format(v2, sizeof(v2), nv, unit);
	format_change(ch, sizeof(ch), nv - bv, unit);
	buf_printf(out, "%s %s %s %s (%s)", what, v1, a->scr.utf8 ? "\xe2\x86\x92" : "->", v2,
		   strcmp(ch, ".") ? ch : "=");
}

/* A diff's status: the function's total and the selected line's self and total, each
 * side and the change (pprof -list -diff_base's numbers are the changes). */
static void diff_status(struct tui_app *a, const struct list_routine *r, struct buf *out)
{
	struct source_state *st = &a->src;
	const struct list_line *c = source_nav_line_cost(r, st->sel);

	buf_puts(out, "  ");
	diff_pair(a, "total", base_totals(r)->cum, r->cum, out);
	buf_printf(out, "%sline %lld", a->dot, (long long)st->sel);
	if (c) {
		buf_puts(out, ": ");
		diff_pair(a, "self", base_line(r, c)->flat, c->flat, out);
		buf_puts(out, ", ");
		diff_pair(a, "total", base_line(r, c)->cum, c->cum, out);
	}
}

void source_view_status(struct tui_app *a, struct buf *out)
{
	struct source_state *st = &a->src;
	const struct list_routine *r;
	const struct list_line *c;
	const char *unit = prof_str(a->prof, a->prof->sample_types[a->type].unit);
	char v1[UNITS_MAX], v2[UNITS_MAX], p1[UNITS_MAX];

	if (granularity_why(a) && (!st->fname || !st->name)) {
		buf_puts(out, granularity_why(a));
		return;
	}
	if (!st->fname) {
		buf_puts(out, "no function chosen");
		return;
	}
	if (!st->name) {
		text_safe(out, st->fname, strlen(st->fname), !a->scr.utf8);
		return;
	}
	r = &st->list.r[st->routine];
	text_safe(out, st->fname, strlen(st->fname), !a->scr.utf8);
	if (paired(a)) {
		diff_status(a, r, out);
		return;
	}
	units_format(v1, sizeof(v1), r->flat, unit);
	units_format(v2, sizeof(v2), r->cum, unit);
	units_percent(p1, sizeof(p1), r->cum, a->base_total[a->type]);
	buf_printf(out, "  self %s  total %s (%s)%sline %lld", v1, v2, p1, a->dot, (long long)st->sel);
	if ((c = source_nav_line_cost(r, st->sel))) {
		units_format(v1, sizeof(v1), c->flat, unit);
		units_format(v2, sizeof(v2), c->cum, unit);
		buf_printf(out, ": self %s total %s", v1, v2);
	}
}
