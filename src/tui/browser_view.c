/*
 * browser_view.c — the store browser (key T; the start screen when the source is a
 * store or a server): services and profile types with their series and freshness, the
 * label selector, the selected row's timeline, live refresh, the tag breakdown, and
 * opening or comparing the merged profile of the window.  The time range and the window
 * narrowed on the timeline (presets, t, h l - = and what Enter, P and b ask for) are
 * browser_window.c; drawing is browser_draw.c; the selector prompt's text (quotes, Tab's
 * completion, escaping) is browser_prompt.c.
 *
 * It speaks only the backend interface (store/backend.h), never SQL or HTTP.  Every
 * backend call runs on a worker thread (struct bjob, one at a time), through a handle
 * of its own on the browser's backend: the screen keeps drawing, a spinner shows the
 * elapsed time and Esc cancels; results land on the UI thread in browser_view_poll().
 * q never waits for a call: the job is dropped, and its thread frees it and closes its
 * handle when the call returns (a slow server's, or a big range's), so the backend stays
 * open for it until then.
 */
#include <curses.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/text.h"
#include "base/timeparse.h"
#include "base/units.h"
#include "base/vec.h"
#include "profile/granularity.h"
#include "profile/merge.h"
#include "tui_int.h"

#define NS 1000000000LL
#define LIVE_EVERY_MS 5000
#define FIND_SERIES_MAX 64  /* series whose profile types BJ_FIND looks at */
#define BROWSER_MAX_NODES 16384  /* what a server may fold to (Pyroscope's default) */

/* ------------------------------------------------------------------------------------ */
/* the worker                                                                            */

static void rows_release(struct browse_row *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(r[i].service);
		free(r[i].ptype);
	}
	free(r);
}

static void job_outputs_release(struct bjob *j)
{
	uint32_t t;

	rows_release(j->rows, j->nrows);
	j->rows = NULL;
	j->nrows = 0;
	series_points_list_release(&j->tl);
	series_points_list_release(&j->bd);
	strvec_release(&j->names);
	strvec_release(&j->values);
	if (j->all && j->prof)
		for (t = 0; t < j->prof->ntypes; t++)
			top_release(&j->all[t]);
	free(j->all);
	j->all = NULL;
	tree_free(j->tree);
	j->tree = NULL;
	prof_free(j->prof);
	j->prof = NULL;
}

static void bjob_free(struct job *job)
{
	struct bjob *j = (struct bjob *)job;
	size_t i;

	job_outputs_release(j);
	for (i = 0; i < j->ncall_site; i++)
		free(j->call_site[i]);
	free(j->call_site);
	free(j->service);
	backend_close(j->be); /* the last handle closes the backend */
	free(j);
}

/* The user's selector, narrowed to one service when svc is set. */
static int make_selector(const char *text, const char *svc, struct selector **out)
{
	int rc;

	if ((rc = selector_parse(*text ? text : "{}", out)))
		return rc;
	if (svc && (rc = selector_add(*out, "service_name", MATCH_EQ, svc))) {
		selector_free(*out);
		*out = NULL;
	}
	return rc;
}

/*
 * The start of p's last step with a value (a push lies in [start, start + step)) in *out;
 * false when none has one.  Any time may be a push's, the epoch and before it too (old
 * files, --from 1960): "none" is the return, never a time.
 */
static bool last_point_ns(int64_t *out, const struct series_points *p)
{
	bool any = false;
	size_t k;

	for (k = 0; k < p->n; k++)
		if (p->values[k] != 0 && (!any || p->ts_ms[k] * 1000000 > *out)) {
			*out = p->ts_ms[k] * 1000000;
			any = true;
		}
	return any;
}

/* last_point_ns() of the latest series of l. */
static bool last_value_ns(int64_t *out, const struct series_points_list *l)
{
	bool any = false;
	int64_t t = 0; /* written by last_point_ns() when it is read; gcc -O2 cannot tell */
	size_t i;

	for (i = 0; i < l->n; i++)
		if (last_point_ns(&t, &l->v[i]) && (!any || t > *out)) {
			*out = t;
			any = true;
		}
	return any;
}

/*
 * The range a timeline of step_s is asked for: r, or r from a later step where a
 * backend's grid (steps from r's start rounded down to a multiple of the step,
 * backend_timeline_grid) would not fit int64: near 1678 the step holding r's start began
 * before int64, and on a range of nearly 292 years the store's offset of a push from the
 * first step's start overflows (query.c's tl_row).  Its first whole step then, or the next
 * one, of the same grid as browser_range_changed's: the part before it, less than a step
 * long, has no point.  Empty when all of r is before it.
 */
static struct time_range timeline_range(struct time_range r, double step_s)
{
	int64_t st = (int64_t)llround(step_s * 1e9), first = INT64_MIN / st * st, start, d;

	if (r.from_ns < first)
		r.from_ns = first;
	start = r.from_ns - (r.from_ns % st + st) % st;
	if (__builtin_sub_overflow(r.to_ns, start, &d))
		r.from_ns = start + st;
	if (r.from_ns > r.to_ns)
		r.from_ns = r.to_ns;
	return r;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct browse_row *x = a, *y = b;
	int r = strcmp(x->service, y->service);

	return r ? r : strcmp(x->ptype, y->ptype);
}

/*
 * A look-up that adds to the list (a row's last push, the label names) failed: a damaged
 * part of a store, one type a server cannot chart.  The list stands without it (the row
 * says "?"); the first reason is kept to say once.  A cancel stops the whole job.
 */
static int part_failed(struct bjob *j, int rc, const char *what)
{
	if (atomic_load(&j->job.cancel))
		return rc;
	if (!j->nfailed++)
		snprintf(j->part_err, sizeof(j->part_err), "%s: %s", what, err_last());
	return 0;
}

/* The service of a timeline grouped by service_name ("" for the group without one). */
static const char *group_service(const struct series_points *p)
{
	const char *v = labelset_get(&p->labels, "service_name");

	return v ? v : "";
}

static int cmp_group(const void *a, const void *b)
{
	return strcmp(group_service(a), group_service(b));
}

/* bsearch's: a service name against a group */
static int cmp_service_group(const void *key, const void *g)
{
	return strcmp(key, group_service(g));
}

/*
 * The last push of every row of profile type pt: its timeline grouped by service, at
 * 1/120 of the range.  When it fails, those rows' last push is unknown.
 */
static int fresh_type(struct bjob *j, const struct selector *sel, const char *pt)
{
	double step = fmax((double)(j->range.to_ns - j->range.from_ns) / 120 / NS, 1);
	struct query q = { .profile_type = pt, .selector = sel,
			   .range = timeline_range(j->range, step) };
	struct series_points_list tl = { 0 };
	int rc = q.range.from_ns < q.range.to_ns ?
		 j->be->ops->timeline(j->be, &q, step, "service_name", &tl) : 0;
	size_t i;

	if (!rc && tl.n > 1)
		qsort(tl.v, tl.n, sizeof(*tl.v), cmp_group);
	for (i = 0; i < j->nrows; i++) {
		const struct series_points *g;
		struct browse_row *r = &j->rows[i];

		if (strcmp(r->ptype, pt))
			continue;
		if (rc) {
			r->last_unknown = true;
			continue;
		}
		/* no series (a server's SelectSeries without points): tl.v is NULL */
		g = tl.n ? bsearch(r->service, tl.v, tl.n, sizeof(*tl.v), cmp_service_group)
			 : NULL;
		if (g && (r->has_last = last_point_ns(&r->last_ns, g)))
			r->last_step_ns = (int64_t)(step * NS);
	}
	series_points_list_release(&tl);
	return rc ? part_failed(j, rc, "a last push (its rows read ?)") : 0;
}

/* Services × profile types with their series count; their last push. */
static int do_rows(struct bjob *j)
{
	struct backend *be = j->be;
	struct selector *sel = NULL;
	struct labelset_list ls = { 0 };
	size_t cap = 0, i, k;
	int rc;

	if ((rc = make_selector(j->sel_text, NULL, &sel)) ||
	    (rc = be->ops->series(be, sel, NULL, 0, j->range, &ls)))
		goto done;
	for (i = 0; i < ls.n; i++) {
		const char *svc = labelset_get(&ls.v[i], "service_name");
		const char *pt = labelset_get(&ls.v[i], "__profile_type__");

		if (!svc || !pt)
			continue;
		for (k = 0; k < j->nrows; k++)
			if (strcmp(j->rows[k].service, svc) == 0 && strcmp(j->rows[k].ptype, pt) == 0)
				break;
		if (k == j->nrows) {
			if ((rc = vec_reserve(&j->rows, &cap, j->nrows + 1)))
				goto done;
			memset(&j->rows[k], 0, sizeof(j->rows[k]));
			j->rows[k].service = strdup(svc);
			j->rows[k].ptype = strdup(pt);
			j->nrows++;
			if (!j->rows[k].service || !j->rows[k].ptype) {
				rc = err_set(ERR_NOMEM, "out of memory");
				goto done;
			}
		}
		j->rows[k].nseries++;
	}
	if (j->nrows > 1)
		qsort(j->rows, j->nrows, sizeof(*j->rows), cmp_rows);
	/* freshness: the last step with data, at 1/120 of the range, of every row: one
	 * timeline per profile type, by service */
	for (i = 0; i < j->nrows; i++) {
		for (k = 0; k < i && strcmp(j->rows[k].ptype, j->rows[i].ptype); k++)
			;
		if (k == i && (rc = fresh_type(j, sel, j->rows[i].ptype)))
			goto done;
	}
	/* the names only complete what is typed: the list stands without them */
	if ((rc = be->ops->label_names(be, sel, j->range, &j->names)))
		rc = part_failed(j, rc, "the label names (Tab has none)");
done:
	labelset_list_release(&ls);
	selector_free(sel);
	return rc;
}

/*
 * When the range is empty: the most recent range of the same length with data, over
 * every profile type (not only the first series'), looking back from where the range ends
 * in windows each further back than the last (a day, then the week before it, the month,
 * the year, ten years), until one has data.  Each window's series are asked for with the
 * window: Grafana Pyroscope v2 refuses a Series without a range ("missing time range in
 * the query") and v1 answers one from its ingesters only, without the older data looked
 * for here.  A backend that answers at most max_range_ns per request (a server's maximum
 * query length: 24 h by default) answers ten years in 3,660 requests: the search then
 * stops FIND_MAX_PIECES of those back.  nseries_all counts the series the windows hold,
 * looked_ns how far back they reach.
 */
#define FIND_MAX_PIECES 31  /* a month of a 24 h limit */
static int do_find_data(struct bjob *j)
{
	static const int64_t spans[] = { 24 * 3600 * NS, 7 * 24 * 3600 * NS, 30 * 24 * 3600 * NS,
					 366 * 24 * 3600 * NS, 10 * 366 * 24 * 3600 * NS };
	struct labelset_list ls = { 0 };
	struct selector *sel = NULL;
	int64_t back = 0, span, max;
	size_t s, i, k;
	int rc;

	j->found_data = false;
	j->nseries_all = 0;
	j->looked_ns = 0;
	if ((rc = make_selector(j->sel_text, NULL, &sel)))
		return rc;
	for (s = 0; s < sizeof(spans) / sizeof(spans[0]) && !j->found_data; s++, back = span) {
		struct time_range r;
		double step;

		/* read before each window: a server says its limit when it refuses a range */
		span = spans[s];
		if ((max = j->be->max_range_ns) > 0 && span > max * FIND_MAX_PIECES)
			span = max * FIND_MAX_PIECES;
		if (span <= back)
			break;
		/* not back past 1678: the window's start, and the range found in it (as long
		 * as this one, ending in the window), must be in int64 */
		if (j->range.from_ns < INT64_MIN + span)
			break;
		/* the window before the last one asked: newer data would have been found there */
		r = (struct time_range){ j->range.to_ns - span, j->range.to_ns - back };
		step = (double)(span - back) / 240 / NS;
		labelset_list_release(&ls);
		if ((rc = j->be->ops->series(j->be, sel, NULL, 0, r, &ls)))
			goto done;
		j->looked_ns = span;
		j->nseries_all += ls.n;
		for (i = 0; i < ls.n && i < FIND_SERIES_MAX; i++) {
			struct series_points_list tl = { 0 };
			const char *pt = labelset_get(&ls.v[i], "__profile_type__");
			struct query q = { .profile_type = pt, .selector = sel,
					   .range = timeline_range(r, step) };
			int64_t last = 0, st = (int64_t)(step * NS);
			bool has;

			for (k = 0; pt && k < i; k++) /* each type once */
				if (labelset_get(&ls.v[k], "__profile_type__") &&
				    strcmp(labelset_get(&ls.v[k], "__profile_type__"), pt) == 0)
					break;
			if (!pt || k < i || q.range.from_ns >= q.range.to_ns)
				continue;
			if ((rc = j->be->ops->timeline(j->be, &q, step, NULL, &tl)))
				goto done;
			has = last_value_ns(&last, &tl);
			series_points_list_release(&tl);
			if (!has)
				continue;
			/* the end of its step, of the window at most (not past the range, nor
			 * int64 near 2262): the range shown holds the push */
			last = last > r.to_ns - st ? r.to_ns : last + st;
			if (!j->found_data || last > j->found.to_ns) {
				j->found_data = true;
				j->found.to_ns = last;
				j->found.from_ns = last - (j->range.to_ns - j->range.from_ns);
			}
		}
	}
done:
	labelset_list_release(&ls);
	selector_free(sel);
	return rc;
}

static int do_timeline(struct bjob *j)
{
	struct selector *sel = NULL;
	struct query q = { .profile_type = j->ptype, .selector = NULL,
			   .range = timeline_range(j->range, j->step_s), .agg = j->agg };
	int rc;

	if (q.range.from_ns >= q.range.to_ns)  /* all before int64's first step: no bars */
		return 0;
	if ((rc = make_selector(j->sel_text, j->service, &sel)))
		return rc;
	q.selector = sel;
	rc = j->be->ops->timeline(j->be, &q, j->step_s, NULL, &j->tl);
	selector_free(sel);
	return rc;
}

/*
 * The window's merged profile: merge_tree with the browser's node limit (a server folds
 * the smallest frames into "other" beyond it; the local store keeps everything), narrowed
 * to the focused call path when there is one.
 */
static int merge_one(struct bjob *j, struct time_range r, struct prof **out)
{
	struct selector *sel = NULL;
	struct query q = { .profile_type = j->ptype, .selector = NULL, .range = r, .agg = j->agg,
			   .call_site = (const char *const *)j->call_site, .ncall_site = j->ncall_site };
	int rc;

	if ((rc = make_selector(j->sel_text, j->service, &sel)))
		return rc;
	q.selector = sel;
	rc = j->full ? j->be->ops->merge(j->be, &q, out, &j->info) :
		       j->be->ops->merge_tree(j->be, &q, j->max_nodes, out, &j->info);
	selector_free(sel);
	return rc;
}

/*
 * 1 when q's selector has series of its profile type with profiles in its range, 0 when
 * it has none, or a negative code.  A list of the profile types the selector's series
 * have there (backend_ops.series cut to __profile_type__: a few sets), which the store
 * answers from its index and a server in one request, not a merge of the side.
 */
static int side_has_data(struct bjob *j, const struct query *q)
{
	static const char *const names[] = { "__profile_type__" };
	struct labelset_list ls = { 0 };
	size_t len = profile_type_id_len(q->profile_type), i;
	int rc, found = 0;

	if (atomic_load(&j->job.cancel))  /* Esc between the two sides */
		return err_set(ERR_CANCELLED, "cancelled");
	rc = j->be->ops->series(j->be, q->selector, names, 1, q->range, &ls);
	for (i = 0; !rc && !found && i < ls.n; i++) {
		const char *pt = labelset_get(&ls.v[i], "__profile_type__");

		found = pt && profile_type_id_len(pt) == len && memcmp(pt, q->profile_type, len) == 0;
	}
	labelset_list_release(&ls);
	return rc ? rc : found;
}

/*
 * The comparison found no data on a side: which one, each side's series asked for (the
 * window first).  backend_diff stops at the first side without data (the store's merges the
 * period before first) and its not-found does not say which: an empty window read as an
 * empty period before, whose bars were on screen.  Merging each side again in full only to
 * choose the message read both sides' profiles once more.  Both sides with series (the
 * not-found of a call path Z chose, or of sample labels the selector names that the
 * side's profiles lack): its own message.
 */
static int compare_not_found(struct bjob *j, const struct query *base, const struct query *cur)
{
	char why[sizeof(j->err)];
	int now, before;

	snprintf(why, sizeof(why), "%s", err_last());
	if ((now = side_has_data(j, cur)) < 0)
		return now;
	if ((before = side_has_data(j, base)) < 0)
		return before;
	if (!now && !before)
		return err_set(ERR_NOTFOUND, "neither the window nor the period before it has data");
	if (!now)
		return err_set(ERR_NOTFOUND, "the window has no data to compare with the period "
					     "before");
	if (!before)
		return err_set(ERR_NOTFOUND, "the period before the window has no data to "
					     "compare with");
	return err_set(ERR_NOTFOUND, "%s", why);
}

/* The merged profile of the window (and, comparing, of the period before: one Diff
 * request to a server), with its call tree and tables — everything the views need,
 * built off the UI thread, and stopped half-way by Esc or q (the job's cancel). */
static int do_open(struct bjob *j)
{
	int rc;

	if (j->kind == BJ_COMPARE) {
		struct selector *sel = NULL;
		struct query cur = { .profile_type = j->ptype, .range = j->range, .agg = j->agg,
				     .call_site = (const char *const *)j->call_site,
				     .ncall_site = j->ncall_site };
		struct query base = cur;

		base.range = j->prev;
		if ((rc = make_selector(j->sel_text, j->service, &sel)))
			return rc;
		cur.selector = base.selector = sel;
		rc = backend_diff(j->be, &base, &cur, j->max_nodes, &j->prof);
		if (rc == ERR_NOTFOUND)
			rc = compare_not_found(j, &base, &cur);
		selector_free(sel);
		if (rc)
			return rc;
	} else if ((rc = merge_one(j, j->range, &j->prof))) {
		return rc;
	}
	j->all = calloc(j->prof->ntypes, sizeof(*j->all));
	if (!j->all)
		rc = err_set(ERR_NOMEM, "out of memory");
	else if (!(rc = tree_build_cancellable(j->prof, &j->job.cancel, &j->tree)))
		rc = top_from_tree_cancellable(j->tree, &j->job.cancel, j->all);
	return rc;
}

/*
 * Each value of a label: its value over the window, from a timeline with one step that
 * holds the whole window (two steps would add two averages of a gauge).
 */
static int do_breakdown(struct bjob *j)
{
	struct selector *sel = NULL;
	struct query q = { .profile_type = j->ptype, .selector = NULL, .range = j->range,
			   .agg = j->agg };
	double step = backend_timeline_one_step(j->range);
	int rc;

	if (step <= 0) /* a window across 2001-09-09 or 2033-05-18: sum what steps there are */
		step = fmin(ceil((double)(j->range.to_ns - j->range.from_ns) / NS) + 1,
			    TIMELINE_MAX_STEP_S);
	q.range = timeline_range(j->range, step);
	if (q.range.from_ns >= q.range.to_ns)  /* all before int64's first step: no values */
		return 0;
	if ((rc = make_selector(j->sel_text, j->service, &sel)))
		return rc;
	q.selector = sel;
	rc = j->be->ops->timeline(j->be, &q, step, j->label, &j->bd);
	selector_free(sel);
	return rc;
}

static int do_values(struct bjob *j)
{
	struct selector *sel = NULL;
	int rc;

	if ((rc = make_selector(j->sel_text, NULL, &sel)) == ERR_PARSE)
		rc = selector_parse("{}", &sel);
	if (rc)
		return rc;
	rc = j->be->ops->label_values(j->be, j->label, sel, j->range, &j->values);
	selector_free(sel);
	return rc;
}

static void bjob_run(struct job *job)
{
	struct bjob *j = (struct bjob *)job;

	switch (j->kind) {
	case BJ_ROWS: j->rc = do_rows(j); break;
	case BJ_FIND: j->rc = do_find_data(j); break;
	case BJ_TIMELINE: j->rc = do_timeline(j); break;
	case BJ_OPEN:
	case BJ_COMPARE: j->rc = do_open(j); break;
	case BJ_BREAKDOWN: j->rc = do_breakdown(j); break;
	case BJ_VALUES: j->rc = do_values(j); break;
	case BJ_COUNT: break;
	}
	if (j->rc)
		snprintf(j->err, sizeof(j->err), "%s", err_last());
}

/* ------------------------------------------------------------------------------------ */
/* state on the UI thread                                                                */

static const struct browse_row *cur_row(const struct browser_state *b)
{
	return browser_row(b);
}

/* The job's own copy of Z's call path (the browser's may change while it runs). */
static int copy_call_site(struct bjob *j, char *const *path, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	if (!(j->call_site = calloc(n, sizeof(*j->call_site))))
		return err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		if (!(j->call_site[i] = strdup(path[i])))
			return err_set(ERR_NOMEM, "out of memory");
		j->ncall_site++;
	}
	return 0;
}

/* Queues a job of `kind`, the live refresh's while b->bg (a user's request wins). */
static void enqueue(struct browser_state *b, enum bjob_kind kind)
{
	unsigned bit = 1u << kind;

	if (!b->bg)
		b->bg_queued &= ~bit;
	else if (!(b->queued & bit))  /* the user's, queued already, stays the user's */
		b->bg_queued |= bit;
	b->queued |= bit;
}

#define OPEN_BITS (1u << BJ_OPEN | 1u << BJ_COMPARE)

/*
 * The user opens something (Enter, P, a double click, M, Z, the full profile): an open
 * the live refresh queued would run after it and replace it, so it is dropped.
 */
static void drop_background_opens(struct browser_state *b)
{
	unsigned bits = b->bg_queued & OPEN_BITS;

	b->queued &= ~bits;
	b->bg_queued &= ~bits;
}

/* Starts a job of `kind` (false when one is already running: it is queued). */
static bool start(struct tui_app *a, enum bjob_kind kind)
{
	struct browser_state *b = &a->br;
	const struct browse_row *r = cur_row(b);
	struct bjob *j;
	bool bg = b->bg || (b->bg_queued & (1u << kind));

	if (b->job) {
		enqueue(b, kind);
		return false;
	}
	b->bg_queued &= ~(1u << kind);
	/* a refresh asks again for what was opened (b->reopen): one that would open the
	 * cursor's row instead (the user's open has cleared reopen since) is not the refresh's */
	if (bg && (OPEN_BITS & (1u << kind)) && !b->reopen)
		return false;
	j = calloc(1, sizeof(*j));
	if (!j || backend_share_more(b->be, &j->be)) {
		scr_message(a, true, "cannot start the query: %s", j ? err_last() : "out of memory");
		free(j);
		return false;
	}
	job_init(&j->job, bjob_run, bjob_free);
	j->be->cancel = &j->job.cancel; /* its own handle: nobody else's call stops with it */
	j->kind = kind;
	j->background = bg;
	snprintf(j->sel_text, sizeof(j->sel_text), "%s", b->selector);
	j->range.from_ns = b->from_ns;
	j->range.to_ns = b->to_ns;
	j->range_gen = b->range_gen;
	j->agg = b->agg;
	/* a service name may be as long as a label value (2,048 bytes): never cut */
	if (!(j->service = strdup(r ? r->service : ""))) {
		scr_message(a, true, "out of memory");
		bjob_free(&j->job);
		return false;
	}
	if (r)
		snprintf(j->ptype, sizeof(j->ptype), "%s", r->ptype);
	switch (kind) {
	case BJ_TIMELINE:
		j->step_s = browser_timeline_step_s(b);
		break;
	case BJ_OPEN:
	case BJ_COMPARE:
	case BJ_BREAKDOWN:
		j->max_nodes = b->max_nodes;
		j->full = b->want_full;
		if (copy_call_site(j, b->focus, b->nfocus)) {
			scr_message(a, true, "%s", err_last());
			bjob_free(&j->job);
			return false;
		}
		j->range = browser_window(b);
		j->live = b->live_range;
		j->ref_to = b->to_ns;
		if (kind != BJ_BREAKDOWN && b->reopen && b->oq.set) {
			/* M, Z, a live refresh: the opened profile's query, not the cursor's */
			const struct browse_opened *o = &b->oq;
			char *svc = strdup(o->service ? o->service : "");
			int64_t shift = 0;

			if (o->live)
				shift = (b->live_range ? b->to_ns : time_now_ns()) - o->ref_to;
			if (!svc) {
				scr_message(a, true, "out of memory");
				bjob_free(&j->job);
				return false;
			}
			free(j->service);
			j->service = svc;
			snprintf(j->ptype, sizeof(j->ptype), "%s", o->ptype);
			snprintf(j->sel_text, sizeof(j->sel_text), "%s", o->sel_text);
			j->range.from_ns = o->range.from_ns + shift;
			j->range.to_ns = o->range.to_ns + shift;
			j->live = o->live;
			j->ref_to = o->ref_to + shift;
			j->live_reopen = b->live_reopen;
		}
		/* P's period before, cut at 1677-09-21 (int64): no profile lies before that */
		if (__builtin_sub_overflow(j->range.from_ns, j->range.to_ns - j->range.from_ns,
					   &j->prev.from_ns))
			j->prev.from_ns = INT64_MIN;
		j->prev.to_ns = j->range.from_ns;
		snprintf(j->label, sizeof(j->label), "%s", b->bd_label);
		break;
	case BJ_VALUES: {
		size_t ns, ne;

		snprintf(j->label, sizeof(j->label), "%s", b->complete_name);
		if (browser_value_at_end(a->prompt, a->prompt_len, &ns, &ne))
			browser_values_selector(a->prompt, ns, j->sel_text, sizeof(j->sel_text));
		break;
	}
	default:
		break;
	}
	if (job_start(&j->job, a->async)) {
		scr_message(a, true, "cannot start a thread");
		bjob_free(&j->job);
		return false;
	}
	b->job = j;
	if (!a->async) /* drivers and tests: it ran at once, on this thread */
		browser_view_poll(a);
	return true;
}

void browser_reload(struct tui_app *a)
{
	struct browser_state *b = &a->br;

	browser_range_follow(b);
	b->last_refresh_ms = app_now_ms();
	start(a, BJ_ROWS);
}

int browser_view_init(struct tui_app *a, struct backend *be, const char *name, const char *sel,
		      bool load)
{
	struct browser_state *b = &a->br;

	memset(b, 0, sizeof(*b));
	b->be = be;
	b->find_data = true;
	snprintf(b->name, sizeof(b->name), "%s", name ? name : "store");
	snprintf(b->selector, sizeof(b->selector), "%s", sel && *sel ? sel : "{}");
	browser_set_preset(b, 2);
	b->max_nodes = BROWSER_MAX_NODES;
	if (load)
		browser_reload(a);
	else
		b->first_pending = true;
	return 0;
}

void browser_view_start(struct tui_app *a)
{
	if (a->br.first_pending) {
		a->br.first_pending = false;
		browser_reload(a);
	}
}

bool browser_view_want_full(struct tui_app *a, const char *fname)
{
	struct browser_state *b = &a->br;

	if (!b->be || !b->opened || !b->flame_only || b->open_kind != BJ_OPEN)
		return false;
	free(b->pending_src);
	b->pending_src = NULL;
	if (fname && !(b->pending_src = strdup(fname)))
		return false;
	b->want_full = true;
	b->live_reopen = false;
	b->reopen = true;
	drop_background_opens(b);
	scr_message(a, false, "%s", fname ? "a server's flame graph has no lines: asking for the "
					    "full profile..." :
					    "a server's flame graph has no lines or labels: asking for "
					    "the full profile; e again exports it");
	start(a, BJ_OPEN);
	return true;
}

/*
 * Why the call path on screen is not one the store has, or NULL.  Z asks the store for
 * the path by its frames' function names: frames named by line, file or package are not
 * those, and hide=, show=, show_from= and R leave out frames of the stored path (focus=,
 * ignore= and the tag filters drop whole samples: what is left is as stored).
 */
static const char *path_not_stored(const struct tui_app *a)
{
	int i;

	if (a->gran != GRAN_FUNCTIONS)
		return "its frames are not functions (granularity=functions, then Z)";
	for (i = 0; i < a->nfilters; i++)
		switch (a->filters[i].kind) {
		case FK_HIDE:
		case FK_SHOW:
			return "a hide= or show= filter leaves frames out (F pops filters back to it)";
		case FK_SHOW_FROM:
			return "show_from= cut its start (F pops filters back to it)";
		case FK_COLLAPSE:
			return "R collapsed its recursion (R restores it)";
		default:
			break;
		}
	return NULL;
}

/* M: a higher node limit; Z: only the selected call path (Z at the root: all again). */
bool browser_view_profile_key(struct tui_app *a, int key)
{
	struct browser_state *b = &a->br;
	/* Z: the selection on screen (the comparison's focused pane, not the hidden graph) */
	const struct flame_pane *fp = a->view == VIEW_COMPARE ? &a->cmp[a->cmp_focus] : &a->main;
	uint32_t node, d, i;

	if (!b->be || !b->opened || (key != 'M' && key != 'Z'))
		return false;
	if (key == 'M') {
		if (b->max_nodes >= (1u << 22)) {
			scr_message(a, false, "already at the largest node limit (%u)", b->max_nodes);
			return true;
		}
		b->max_nodes *= 2;
		scr_message(a, false, "asking again with up to %u nodes...", b->max_nodes);
	} else {
		const char *why = fp->fl.sel ? path_not_stored(a) : NULL;

		if (why) {
			scr_message(a, true, "Z: the store does not have this call path as "
					     "shown: %s", why);
			return true;
		}
		for (i = 0; i < b->nfocus; i++)
			free(b->focus[i]);
		free(b->focus);
		b->focus = NULL;
		b->nfocus = 0;
		node = fp->fl.sel;
		d = node ? a->tree->depth[node] : 0;
		if (d && (b->focus = calloc(d, sizeof(*b->focus)))) {
			for (i = d; node != 0; node = a->tree->parent[node])
				b->focus[--i] = strdup(tree_name(a->tree, node));
			b->nfocus = d;
			scr_message(a, false, "asking again for this call path only (%u frames)...", d);
		} else {
			scr_message(a, false, "asking again for every call path...");
		}
	}
	b->live_reopen = false;
	b->reopen = true;
	drop_background_opens(b);
	start(a, b->open_kind == BJ_COMPARE ? BJ_COMPARE : BJ_OPEN);
	return true;
}

void browser_view_release(struct tui_app *a)
{
	struct browser_state *b = &a->br;

	/* q: never waits for a call in flight (told to stop, left to its thread, which
	 * closes its own handle when the call returns) */
	job_drop(b->job ? &b->job->job : NULL);
	b->job = NULL;
	rows_release(b->rows, b->nrows);
	free(b->tl);
	free(b->bd);
	for (size_t i = 0; i < b->nbd_names; i++)
		free(b->bd_names[i]);
	free(b->bd_names);
	strvec_release(&b->names);
	for (size_t i = 0; i < b->nfocus; i++)
		free(b->focus[i]);
	free(b->focus);
	free(b->pending_src);
	free(b->oq.service);
	backend_close(b->be);
	memset(b, 0, sizeof(*b));
}

bool browser_view_busy(const struct tui_app *a, double *started_ms)
{
	if (a->br.job && started_ms)
		*started_ms = a->br.job->job.started_ms;
	return a->br.job != NULL;
}

bool browser_view_waiting(const struct tui_app *a, double *started_ms)
{
	return a->br.job && !a->br.job->background && browser_view_busy(a, started_ms);
}

void browser_view_cancel(struct tui_app *a)
{
	if (a->br.job)
		atomic_store(&a->br.job->job.cancel, 1);
}

/* tm as range_label writes it (form: 0 time, 1 month-day and time, 2 with the year). */
static void label_time(const struct tm *tm, int form, char *out, size_t n)
{
	size_t k = form == 2 ? strftime(out, n, "%Y-%m-%d %H:%M:%S", tm) :
		   form == 1 ? strftime(out, n, "%m-%d %H:%M:%S", tm) :
			       strftime(out, n, "%H:%M:%S", tm);

	if (!k && n)
		out[0] = '\0';
}

/*
 * What the profile of job j over r is called: "service {selector} from - to", to the
 * second, with the dates when r's ends fall on different days or when the browser's
 * range [from, to] spans days (the 24h preset: a window of this morning and one of
 * yesterday's must not read the same), and the years when a range spans two.
 */
static void range_label(const struct bjob *j, struct time_range r, int64_t from, int64_t to,
			struct buf *out)
{
	time_t tf = (time_t)(from / NS), tt = (time_t)(to / NS);
	time_t rf = (time_t)(r.from_ns / NS), rt = (time_t)(r.to_ns / NS);
	struct tm mf, mt, wf, wt;
	char f[32], t[32];
	int form;  /* 0 time, 1 month-day and time, 2 with the year */

	localtime_r(&tf, &mf);
	localtime_r(&tt, &mt);
	localtime_r(&rf, &wf);
	localtime_r(&rt, &wt);
	/* seconds always: windows may be a second long, and two must not read the same */
	if (mf.tm_year != mt.tm_year || wf.tm_year != wt.tm_year)
		form = 2;
	else if (to - from >= 86400 * NS || mf.tm_yday != mt.tm_yday || wf.tm_yday != wt.tm_yday)
		form = 1;
	else
		form = 0;
	label_time(&wf, form, f, sizeof(f));
	label_time(&wt, form, t, sizeof(t));
	buf_puts(out, j->service);
	if (strcmp(j->sel_text, "{}"))
		buf_printf(out, " %s", j->sel_text);
	buf_printf(out, " %s - %s", f, t); /* spaced: a date has dashes of its own */
}

/* Lands a finished job; true when something changed. */
bool browser_view_poll(struct tui_app *a)
{
	struct browser_state *b = &a->br;
	struct bjob *j = b->job;
	unsigned q;

	if (!j || !job_poll(&j->job))
		return false;
	b->job = NULL; /* a job started while this one lands is another */
	b->bg = j->background;  /* what its landing asks for next is the refresh's too */
	if (j->kind == BJ_ROWS && (atomic_load(&j->job.cancel) || j->rc)) {
		/* the list says why it is not there (not "reading" for good) */
		snprintf(b->list_err, sizeof(b->list_err), "%s",
			 atomic_load(&j->job.cancel) ? "cancelled" : j->err);
		b->loaded = true;
	}
	if (atomic_load(&j->job.cancel)) {
		scr_message(a, false, "cancelled");
	} else if (j->rc) {
		scr_message(a, true, "%s", j->err);
	} else {
		switch (j->kind) {
		case BJ_ROWS: {
			const struct browse_row *keep = cur_row(b);  /* the cursor stays on it */
			struct browse_row *old = b->rows;
			size_t i, nold = b->nrows;

			b->rows = j->rows;
			b->nrows = j->nrows;
			j->rows = NULL;
			j->nrows = 0;
			strvec_release(&b->names);
			b->names = j->names;
			memset(&j->names, 0, sizeof(j->names));
			b->row = 0;
			for (i = 0; keep && i < b->nrows; i++)
				if (!strcmp(b->rows[i].service, keep->service) &&
				    !strcmp(b->rows[i].ptype, keep->ptype))
					b->row = (uint32_t)i;
			rows_release(old, nold);
			b->loaded = true;
			b->list_err[0] = '\0';
			if (j->nfailed && !j->background)
				scr_message(a, true, "%zu look-up%s failed, the list stands: %s",
					    j->nfailed, j->nfailed == 1 ? "" : "s", j->part_err);
			if (b->nrows == 0 && b->find_data) {
				b->find_data = false;
				start(a, BJ_FIND);
				break;
			}
			if (b->nrows)
				enqueue(b, BJ_TIMELINE);
			break;
		}
		case BJ_FIND: {
			char span[32], more[96];

			if (j->found_data) {
				char f[32];

				b->live_range = false;
				b->from_ns = j->found.from_ns;
				b->to_ns = j->found.to_ns;
				b->win_from = b->win_to = 0;
				browser_range_changed(b);
				browser_fmt_clock(j->found.to_ns, j->found.from_ns, j->found.to_ns, true, f,
						  sizeof(f));
				scr_message(a, false, "nothing in the last %s: showing the most recent data "
						      "(until %s)", browser_preset_name(b->preset), f);
				enqueue(b, BJ_ROWS);
				break;
			}
			/* how far it looked: less than ten years from a server that limits a query's
			 * length, or from a range near 1678 (do_find_data) */
			browser_fmt_span(j->looked_ns, span, sizeof(span));
			snprintf(more, sizeof(more), "%s", j->looked_ns >= 10 * 365 * 24 * 3600 * NS ? "" :
				 j->be->max_range_ns <= 0 ? " (not back past 1678)" :
				 " (the server limits a query's length; t asks further back)");
			if (j->nseries_all)
				scr_message(a, false, "no data of %s in the last %s%s", j->sel_text, span, more);
			else if (strcmp(j->sel_text, "{}") != 0)
				scr_message(a, false, "nothing matches the selector %s in the last %s%s "
						      "(/ changes it)", j->sel_text, span, more);
			else
				scr_message(a, false, "no profiles in the last %s%s (smolder ingest, "
						      "smolder serve, or smolder demo)", span, more);
			break;
		}
		case BJ_TIMELINE: {
			size_t k, n = j->tl.n ? j->tl.v[0].n : 0;

			/*
			 * read for a range since replaced ([ ] or t while it ran): its bars and
			 * steps are not this range's; the new range's own is queued behind it
			 */
			if (j->range_gen != b->range_gen)
				break;

			free(b->tl);
			b->tl = calloc(n ? n : 1, sizeof(*b->tl));
			b->ntl = b->tl ? n : 0;
			for (k = 0; k < b->ntl; k++)
				b->tl[k] = j->tl.v[0].values[k];
			b->tl_from = n ? j->tl.v[0].ts_ms[0] * 1000000 : b->from_ns;
			b->tl_step = (int64_t)(j->step_s * NS);
			break;
		}
		case BJ_OPEN:
		case BJ_COMPARE: {
			struct buf name = BUF_INIT, bname = BUF_INIT;

			range_label(j, j->range, b->from_ns, b->to_ns, &name);
			if (j->kind == BJ_COMPARE)
				range_label(j, j->prev, b->from_ns, b->to_ns, &bname);
			/* what M, Z and live refreshes ask again */
			b->oq.set = true;
			b->oq.live = j->live;
			b->oq.ref_to = j->ref_to;
			b->oq.range = j->range;
			free(b->oq.service);
			b->oq.service = j->service;  /* taken */
			j->service = NULL;
			snprintf(b->oq.ptype, sizeof(b->oq.ptype), "%s", j->ptype);
			snprintf(b->oq.sel_text, sizeof(b->oq.sel_text), "%s", j->sel_text);
			b->live_reopen = j->live_reopen; /* app_install_profile keeps the filters */
			/* the source pane splits the data by version and takes the series' labels */
			source_versions_opened(a, b->oq.service, j->ptype, j->sel_text, j->range,
					       j->agg, j->call_site, j->ncall_site);
			app_install_profile(a, j->prof, j->tree, j->all, j->kind == BJ_COMPARE, name.data,
					    j->kind == BJ_COMPARE ? bname.data : NULL);
			j->prof = NULL;
			j->tree = NULL;
			j->all = NULL;
			b->opened = true;
			b->open_kind = j->kind;
			if (a->view == VIEW_BROWSER && !j->live_reopen)
				a->view = VIEW_FLAME; /* a refresh landing leaves the browser be */
			b->truncated = j->info.truncated;
			b->flame_only = j->info.remote && !j->full;
			b->last_full = j->full;
			/* a refresh that landed first does not answer the source pane's request */
			if (j->full)
				b->want_full = false;
			if (b->pending_src && j->full) {
				/* the source pane that asked for the full profile */
				uint32_t f;

				for (f = 0; f < a->prof->nfunctions; f++)
					if (strcmp(prof_str(a->prof, a->prof->functions[f].name), b->pending_src) == 0)
						break;
				a->view = VIEW_SOURCE;
				if (f == a->prof->nfunctions ||
				    source_view_set(a, a->prof->functions[f].name))
					scr_message(a, true, "%s has no line information on the server either",
						    b->pending_src);
				free(b->pending_src);
				b->pending_src = NULL;
				b->live_reopen = false;
				buf_release(&name);
				buf_release(&bname);
				break;
			}
			if (b->live_reopen)
				b->live_reopen = false; /* a refresh: nothing to say */
			else if (j->info.truncated)
				scr_message(a, false, "the server folded the smallest frames into \"other\" "
						      "at %u nodes: M shows more, Z this call path only",
					    b->max_nodes);
			else if (j->kind == BJ_COMPARE)
				scr_message(a, false, "compared with the period before");
			else if (j->info.remote)
				scr_message(a, false, "merged by the server");
			else if (j->info.averaged)
				scr_message(a, false, "average of %llu profiles over %u series (a gauge: "
						      "--aggregate sum adds them)",
					    (unsigned long long)j->info.nprofiles, j->info.nseries);
			else
				scr_message(a, false, "%s%llu profiles merged over %u series",
					    j->kind == BJ_COMPARE ? "compared with the period before: " : "",
					    (unsigned long long)j->info.nprofiles, j->info.nseries);
			buf_release(&name);
			buf_release(&bname);
			break;
		}
		case BJ_BREAKDOWN: {
			size_t i, k;

			for (i = 0; i < b->nbd_names; i++)
				free(b->bd_names[i]);
			free(b->bd_names);
			free(b->bd);
			b->nbd_names = 0;
			b->bd_names = calloc(j->bd.n ? j->bd.n : 1, sizeof(*b->bd_names));
			b->bd = calloc(j->bd.n ? j->bd.n : 1, sizeof(*b->bd));
			b->bd_total = 0;
			for (i = 0; b->bd_names && b->bd && i < j->bd.n; i++) {
				const struct labelset *l = &j->bd.v[i].labels;
				double sum = 0;

				for (k = 0; k < j->bd.v[i].n; k++)
					sum += j->bd.v[i].values[k];
				b->bd_names[i] = strdup(l->n ? l->v[0].value : "(none)");
				b->bd[i] = sum;
				b->bd_total += sum;
				b->nbd_names++;
			}
			/* largest first */
			for (i = 1; i < b->nbd_names; i++)
				for (k = i; k > 0 && b->bd[k] > b->bd[k - 1]; k--) {
					double t = b->bd[k];
					char *s = b->bd_names[k];

					b->bd[k] = b->bd[k - 1];
					b->bd_names[k] = b->bd_names[k - 1];
					b->bd[k - 1] = t;
					b->bd_names[k - 1] = s;
				}
			b->breakdown = true;
			b->bd_sel = b->bd_scroll = 0;
			a->view = VIEW_BROWSER;
			break;
		}
		case BJ_VALUES:
			browser_complete_value(a, &j->values, j->label);
			break;
		case BJ_COUNT:
			break;
		}
	}
	b->bg = false;
	bjob_free(&j->job);
	/* the next queued job, in a useful order (past one that did not start: dropped, or
	 * failed with its message said) */
	q = b->queued;
	b->queued = 0;
	for (int k = 0; k < BJ_COUNT; k++)
		if (q & (1u << k)) {
			q &= ~(1u << k);
			b->queued = q;
			if (start(a, (enum bjob_kind)k))
				break;
			q = b->queued;
		}
	return true;
}

/* Called every loop turn: live refresh every few seconds, unless paused. */
void browser_view_tick(struct tui_app *a)
{
	struct browser_state *b = &a->br;

	if (!b->be || b->paused || !b->live_range || b->job)
		return;
	if (app_now_ms() - b->last_refresh_ms < LIVE_EVERY_MS)
		return;
	/* an opened profile from a live range follows too (unless an open the user asked
	 * for is waiting: it wins) */
	b->bg = true;
	if (b->opened && b->oq.live && a->view != VIEW_BROWSER &&
	    !(b->queued & (1u << BJ_OPEN | 1u << BJ_COMPARE))) {
		enqueue(b, b->open_kind);
		b->live_reopen = true;
		b->reopen = true;
		b->want_full = b->last_full;
	}
	browser_reload(a);
	b->bg = false;
}

void browser_view_pause(struct tui_app *a)
{
	struct browser_state *b = &a->br;

	if (!b->be) {
		scr_message(a, false, "p pauses live updates of a store or a server (smolder --db, --url)");
		return;
	}
	b->paused = !b->paused;
	scr_message(a, false, "%s", b->paused ? "live updates paused (p resumes)" :
						"live updates resumed");
}

bool browser_view_live(const struct tui_app *a)
{
	return a->br.be && !a->br.paused && a->br.live_range;
}

/* ------------------------------------------------------------------------------------ */
/* keys                                                                                  */

int browser_view_set_selector(struct tui_app *a, const char *text)
{
	char fixed[PROMPT_MAX + 4];
	struct selector *s;
	size_t n = strlen(text), qs = browser_open_quote(text, n);
	int rc;

	/*
	 * what Enter on a half-typed selector means: close the value (with its own kind of
	 * quote) and the braces; a `}` typed last, inside the open value, is taken as the
	 * brace ({a="x} is {a="x"}, not the value x})
	 */
	if (qs < n && n - qs > 1 && text[n - 1] == '}' && text[n - 2] != '\\')
		snprintf(fixed, sizeof(fixed), "%s%.*s%c}", *text == '{' ? "" : "{",
			 (int)(n - 1), text, text[qs]);
	else
		snprintf(fixed, sizeof(fixed), "%s%s%.*s%s", *text == '{' || !*text ? "" : "{",
			 text, qs < n ? 1 : 0, qs < n ? text + qs : "",
			 qs < n || (n && text[n - 1] != '}') ? "}" : "");
	if ((rc = selector_parse(*fixed ? fixed : "{}", &s)))
		return rc;
	selector_free(s);
	if (strlen(fixed) >= sizeof(a->br.selector))
		return err_set(ERR_TOOBIG, "the selector is too long");
	memcpy(a->br.selector, *fixed ? fixed : "{}", (*fixed ? strlen(fixed) : 2) + 1);
	a->br.find_data = true;
	browser_reload(a);
	return 0;
}

void browser_view_breakdown(struct tui_app *a, const char *label)
{
	struct browser_state *b = &a->br;

	if (!*label || !cur_row(b))
		return;
	snprintf(b->bd_label, sizeof(b->bd_label), "%s", label);
	start(a, BJ_BREAKDOWN);
}

/* Tab in the selector / label prompts: names from the cache, values from the backend. */
void browser_view_complete(struct tui_app *a)
{
	struct browser_state *b = &a->br;
	const char *start_of = a->prompt;
	size_t len = a->prompt_len, i, wstart, n = 0, ns, ne;
	struct buf m = BUF_INIT;
	const char *only = NULL;
	bool value = false;

	/* the word being typed: after the last '{', ',' or ' '; a value inside quotes */
	wstart = len;
	while (wstart > 0 && !strchr("{, ", start_of[wstart - 1]) && start_of[wstart - 1] != '"')
		wstart--;
	if (a->prompt_kind == 's' && browser_value_at_end(start_of, len, &ns, &ne)) {
		snprintf(b->complete_name, sizeof(b->complete_name), "%.*s", (int)(ne - ns),
			 start_of + ns);
		value = true;
	}
	if (value) {
		start(a, BJ_VALUES);
		return;
	}
	for (i = 0; i < b->names.n; i++)
		if (strncmp(b->names.v[i], start_of + wstart, len - wstart) == 0) {
			buf_printf(&m, "%s%s", n ? "  " : "", b->names.v[i]);
			only = b->names.v[i];
			n++;
		}
	if (n == 1 && wstart + strlen(only) + 3 < PROMPT_MAX) {
		memcpy(a->prompt + wstart, only, strlen(only));
		a->prompt_len = wstart + strlen(only);
		if (a->prompt_kind == 's') {
			memcpy(a->prompt + a->prompt_len, "=\"", 2);
			a->prompt_len += 2;
		}
	} else if (n > 1) {
		scr_message(a, false, "%s", m.data);
	} else {
		scr_message(a, false, "no label name starts so");
	}
	buf_release(&m);
}

/* j k g G Home End PgUp PgDn on a list of n rows, `page` of them on screen (true: one
 * of them). */
static bool move_cursor(uint32_t *sel, size_t n, int page, int key)
{
	uint32_t pg = page > 1 ? (uint32_t)page - 1 : 1;

	if (!(key > 0 && key < 128 && strchr("jkgG", key)) && key != KEY_DOWN && key != KEY_UP && key != KEY_HOME &&
	    key != KEY_END && key != KEY_NPAGE && key != KEY_PPAGE)
		return false;
	if (n == 0)
		return true;
	switch (key) {
	case 'j':
	case KEY_DOWN:
		if (*sel + 1 < n)
			(*sel)++;
		break;
	case 'k':
	case KEY_UP:
		if (*sel > 0)
			(*sel)--;
		break;
	case 'g':
	case KEY_HOME:
		*sel = 0;
		break;
	case 'G':
	case KEY_END:
		*sel = (uint32_t)n - 1;
		break;
	case KEY_NPAGE:
		*sel = *sel + pg < n ? *sel + pg : (uint32_t)n - 1;
		break;
	case KEY_PPAGE:
		*sel = *sel > pg ? *sel - pg : 0;
		break;
	}
	return true;
}

bool browser_view_key(struct tui_app *a, int key)
{
	struct browser_state *b = &a->br;

	/* the keys of a profile's views (app.c): here they would act on the profile hidden
	 * behind the browser (ignore its selection, export it, copy it) */
	if (key > 0 && key < 128 && strchr("fxFRye", key)) {
		scr_message(a, false, "%c works in the profile's views (1 2 3 4), not in the "
				      "browser: Enter opens the window's profile", key);
		return true;
	}
	if (b->breakdown) {
		if (key == 27 || key == 'q' || key == 'b') {
			b->breakdown = false;
			return true;
		}
		/* the list's keys (Enter, /, P, ...) do nothing here */
		return move_cursor(&b->bd_sel, b->nbd_names, b->area_h - 2, key) ||
		       (key > 0 && key < 128 && strchr("\n\r/Pthl-=+0[]r", key)) || key == KEY_ENTER;
	}
	switch (key) {
	case 'g':
	case 'G':
	case KEY_HOME:
	case KEY_END:
	case KEY_PPAGE:
	case KEY_NPAGE: {
		uint32_t was = b->row;

		move_cursor(&b->row, b->nrows, b->area_h - 5, key);
		if (b->row != was)
			start(a, BJ_TIMELINE);
		return true;
	}
	case 'j':
	case KEY_DOWN:
		if (b->row + 1 < b->nrows) {
			b->row++;
			start(a, BJ_TIMELINE);
		}
		return true;
	case 'k':
	case KEY_UP:
		if (b->row > 0) {
			b->row--;
			start(a, BJ_TIMELINE);
		}
		return true;
	case '\n':
	case '\r':
	case KEY_ENTER:
		b->live_reopen = false;
		b->reopen = false;
		drop_background_opens(b);
		if (cur_row(b))
			start(a, BJ_OPEN);
		return true;
	case 'P':
		b->live_reopen = false;
		b->reopen = false;
		drop_background_opens(b);
		if (cur_row(b))
			start(a, BJ_COMPARE);
		return true;
	case '/':
		a->message[0] = '\0';
		a->prompt_kind = 's';
		a->prompt_len = strlen(b->selector);
		memcpy(a->prompt, b->selector, a->prompt_len);
		if (a->prompt_len >= 2 && a->prompt[a->prompt_len - 1] == '}')
			a->prompt_len--; /* type inside the braces */
		return true;
	case 'b':
		if (cur_row(b)) {
			a->prompt_kind = 'b';
			a->prompt_len = 0;
			scr_message(a, false, "tag breakdown by which label? (Tab completes)");
		}
		return true;
	case 'p':
		browser_view_pause(a);
		return true;
	case 'r':
		b->find_data = false;
		browser_reload(a);
		return true;
	}
	return browser_window_key(a, key);
}

void browser_view_mouse(struct tui_app *a, int y, int x, bool dbl)
{
	struct browser_state *b = &a->br;

	if (b->breakdown) {
		/* its rows (browser_draw.c: below its header, to the area's last line but one);
		 * the list and the timeline are not on screen */
		if (y > b->area_y && y < b->area_y + b->area_h - 1 &&
		    b->bd_scroll + (uint32_t)(y - b->area_y - 1) < b->nbd_names)
			b->bd_sel = b->bd_scroll + (uint32_t)(y - b->area_y - 1);
		return;
	}
	if (browser_window_mouse(b, y, x))
		return;
	if (y > b->area_y && y < b->area_y + b->area_h - 4) {
		uint32_t r = b->scroll + (uint32_t)(y - b->area_y - 1);

		if (r < b->nrows) {
			b->row = r;
			start(a, BJ_TIMELINE);
			if (dbl) {
				b->live_reopen = false;
				b->reopen = false;
				drop_background_opens(b);
				start(a, BJ_OPEN);
			}
		}
	}
}
