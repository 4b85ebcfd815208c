/*
 * test_browser_backend.c — the store browser (src/tui/browser_view.c) against a backend
 * that hangs, limits its requests or fails: a pass-through in front of a real SQLite
 * store made here whose merges or series hang while a gate is set (a server that does
 * not answer, deaf to cancel), that refuses what Grafana Pyroscope v2 refuses (requests
 * without a range, ranges longer than its limit), or whose reads fail as a damaged
 * store's do.  Driven without a key loop, or with the key loop's workers (a->async);
 * drawn on an off-screen curses terminal whose cells are read back:
 *
 *  - the source pane's versions read behind the browser's hung call: dropping the read
 *    never waits for it;
 *  - q while the browser's query hangs: the app is gone at once, the query's own handle
 *    keeps the backend open until the query returns, then its thread closes it;
 *  - Esc during a live refresh is the view's (it unzooms), the refresh goes on; a request
 *    of the user's queued meanwhile stays the user's (its spinner, Esc cancels it);
 *  - finding data through a server that refuses requests without a range, and through
 *    one that answers at most 24 h a request (a longer range: refused, then asked in
 *    pieces): data two days back is found; a selector with nothing costs a few dozen
 *    requests (over 4,000 when it looked ten years back) and the message says how far
 *    it looked; from a range near 1678 it stops there;
 *  - long ranges (now-292y, 1678-1900): the timeline, P's period before cut at 1678,
 *    the search for data;
 *  - P on a side without data asks the series which side, merging nothing more; Esc
 *    while it asks stops it;
 *  - tui_app_new failing on a backend (a theme that is not there, a bad --focus): the
 *    backend is closed by the failed call (the app owns it from the call on);
 *  - Esc while the opened profile's call tree is built: the job stops inside it;
 *  - a damaged part of a store (one type's timelines fail) leaves the list whole, its
 *    rows' last push "?"; a list that fails or is cancelled says so, not "reading";
 *  - every row has its last push (70 services, one timeline per type), none when the
 *    grouped timeline has no series (a server's empty answer).
 *
 * The browser's model, drawing and keys on a plain store: test_browser.c; what its
 * window opens and compares: test_browser_open.c.
 */
#include <locale.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/timeparse.h"
#include "offscreen.h"
#include "testutil.h"
#include "testutil_browser.h"
#include "testutil_store.h"
#include "tui/tui_int.h"

static int setup(void **state)
{
	(void)state;
	return tu_tmp_create("browser-backend");
}

static int teardown(void **state)
{
	(void)state;
	tu_tmp_remove();
	return 0;
}

/* ------------------------------------------------------------------------------------ */
/* 2: a slow backend                                                                     */

/*
 * A backend in front of another whose merges hang (like a server that does not answer,
 * deaf to cancel) while `gate` is set, for at most 3 s (or limit_s).
 */
struct slow_be {
	struct backend base;
	struct backend *inner;
	atomic_int gate, in_merge, closed;
	int limit_s;
	atomic_size_t call_len;  /* the last merge's call path, read after the wait: its length */
	const char *replace;     /* set: merges give this fixture instead (a larger profile) */
	atomic_int merged;       /* a merge has returned */
	atomic_int gate_series, in_series;  /* the same for series (the browser's rows) */
	bool ranged_only;        /* refuses label and series requests without a range, as
				  * Grafana Pyroscope v2 does */
	atomic_int rangeless;    /* requests it refused so */
	int64_t limit_ns;        /* > 0: refuses a longer range, as a server with a maximum
				  * query length does, and answers it in pieces of this length,
				  * one request each, as remote.c then does (declaring the limit) */
	atomic_int requests;     /* requests of the lists and timelines, refused ones too */
	const char *fail_type;   /* set: timelines of types containing it fail, as those of a
				  * damaged part of a store do */
	bool fail_names;         /* label names fail */
	int fail_series;         /* 1: series fail; 2: they are cancelled (Esc) */
	bool no_groups;          /* timelines grouped by a label answer no series, as the
				  * remote backend does when SelectSeries has no points */
	atomic_int merges;       /* merges asked for (merge and merge_tree) */
};

typedef int (*piece_fn)(struct backend *in, struct time_range r, void *ctx);

/* fn over r through s's limit: one request, or a refused one and then the pieces. */
static int slow_limited(struct slow_be *s, struct time_range r, piece_fn fn, void *ctx)
{
	int64_t a, b;
	int rc;

	atomic_fetch_add(&s->requests, 1);
	if (s->limit_ns <= 0 || r.to_ns - r.from_ns <= s->limit_ns)
		return fn(s->inner, r, ctx);
	s->base.max_range_ns = s->limit_ns;  /* learnt from the refusal */
	for (a = r.from_ns; a < r.to_ns; a = b) {
		b = r.to_ns - a > s->limit_ns ? a + s->limit_ns : r.to_ns;
		atomic_fetch_add(&s->requests, 1);
		if ((rc = fn(s->inner, (struct time_range){ a, b }, ctx)))
			return rc;
	}
	return 0;
}

/* Grafana Pyroscope v2's answer (ValidateRangeRequest) to a request without start or end. */
static int slow_range(struct slow_be *s, struct time_range r)
{
	if (!s->ranged_only || r.from_ns || r.to_ns)
		return 0;
	atomic_fetch_add(&s->rangeless, 1);
	return err_set(ERR_PARSE, "missing time range in the query (HTTP 400)");
}

/* The merge's result, replaced by s->replace when set; notes that a merge returned. */
static int slow_merged(struct slow_be *s, int rc, struct prof **out)
{
	if (!rc && s->replace) {
		prof_free(*out);
		*out = tu_decode(s->replace);
	}
	atomic_store(&s->merged, 1);
	return rc;
}

static void slow_wait(struct slow_be *s, const struct query *q)
{
	size_t i, len = 0;

	atomic_fetch_add(&s->merges, 1);
	atomic_fetch_add(&s->in_merge, 1);
	for (i = 0; i < (size_t)(s->limit_s ? s->limit_s : 3) * 100 && atomic_load(&s->gate); i++)
		usleep(10000);
	/* the query is the caller's until the call returns, however late */
	for (i = 0; i < q->ncall_site; i++)
		len += strlen(q->call_site[i]);
	atomic_store(&s->call_len, len);
	atomic_fetch_sub(&s->in_merge, 1);
}

static struct backend *slow_in(struct backend *b)
{
	struct slow_be *s = (struct slow_be *)b;

	s->inner->cancel = b->cancel;
	return s->inner;
}

static int slow_types(struct backend *b, struct time_range r, struct profile_type_list *out)
{
	struct backend *in = slow_in(b);

	return in->ops->profile_types(in, r, out);
}

struct list_ctx {
	const struct selector *sel;
	const char *const *names;
	size_t nnames;
	void *out;
	const struct query *q;
	double step_s;
	const char *group_by;
};

static int piece_names(struct backend *in, struct time_range r, void *ctx)
{
	struct list_ctx *c = ctx;

	return in->ops->label_names(in, c->sel, r, c->out);
}

static int slow_names(struct backend *b, const struct selector *sel, struct time_range r,
		      struct strvec *out)
{
	struct list_ctx c = { .sel = sel, .out = out };
	int rc = slow_range((struct slow_be *)b, r);

	slow_in(b);
	if (!rc && ((struct slow_be *)b)->fail_names)
		rc = err_set(ERR_CORRUPT, "store 'x.db' is corrupt (reading labels): database "
					  "disk image is malformed");
	return rc ? rc : slow_limited((struct slow_be *)b, r, piece_names, &c);
}

static int slow_values(struct backend *b, const char *name, const struct selector *sel,
		       struct time_range r, struct strvec *out)
{
	struct backend *in = slow_in(b);
	int rc = slow_range((struct slow_be *)b, r);

	return rc ? rc : in->ops->label_values(in, name, sel, r, out);
}

static int piece_series(struct backend *in, struct time_range r, void *ctx)
{
	struct list_ctx *c = ctx;

	return in->ops->series(in, c->sel, c->names, c->nnames, r, c->out);
}

static int slow_series(struct backend *b, const struct selector *sel, const char *const *names,
		       size_t nnames, struct time_range r, struct labelset_list *out)
{
	struct slow_be *s = (struct slow_be *)b;
	struct backend *in = slow_in(b);
	int i;

	atomic_fetch_add(&s->in_series, 1);
	for (i = 0; i < 300 && atomic_load(&s->gate_series); i++)
		usleep(10000);
	atomic_fetch_sub(&s->in_series, 1);
	if (s->fail_series == 1)
		return err_set(ERR_CORRUPT, "store 'x.db' is corrupt (reading series): database "
					    "disk image is malformed");
	if (s->fail_series == 2) {  /* Esc while the list is asked for */
		atomic_store(b->cancel, 1);
		return err_set(ERR_CANCELLED, "cancelled");
	}
	if ((i = slow_range(s, r)))
		return i;
	(void)in;
	return slow_limited(s, r, piece_series,
			    &(struct list_ctx){ .sel = sel, .names = names, .nnames = nnames,
						.out = out });
}

/* A piece's points are appended as series of their own (the tests read the last value). */
static int piece_timeline(struct backend *in, struct time_range r, void *ctx)
{
	struct list_ctx *c = ctx;
	struct query q = *c->q;

	q.range = r;
	return in->ops->timeline(in, &q, c->step_s, c->group_by, c->out);
}

static int slow_timeline(struct backend *b, const struct query *q, double step_s,
			 const char *group_by, struct series_points_list *out)
{
	struct list_ctx c = { .q = q, .step_s = step_s, .group_by = group_by, .out = out };
	const char *fail = ((struct slow_be *)b)->fail_type;

	slow_in(b);
	if (fail && q->profile_type && strstr(q->profile_type, fail))
		return err_set(ERR_CORRUPT, "store 'x.db' is corrupt (reading profiles): database "
					    "disk image is malformed");
	if (group_by && ((struct slow_be *)b)->no_groups)
		return 0;
	return slow_limited((struct slow_be *)b, q->range, piece_timeline, &c);
}

static int slow_merge(struct backend *b, const struct query *q, struct prof **out,
		      struct merge_info *info)
{
	struct backend *in = slow_in(b);

	slow_wait((struct slow_be *)b, q);
	return slow_merged((struct slow_be *)b, in->ops->merge(in, q, out, info), out);
}

static int slow_merge_tree(struct backend *b, const struct query *q, uint32_t max_nodes,
			   struct prof **out, struct merge_info *info)
{
	struct backend *in = slow_in(b);

	slow_wait((struct slow_be *)b, q);
	return slow_merged((struct slow_be *)b, in->ops->merge_tree(in, q, max_nodes, out, info),
			   out);
}

static void slow_close(struct backend *b)
{
	struct slow_be *s = (struct slow_be *)b;

	backend_close(s->inner);
	atomic_store(&s->closed, 1);
}

static const struct backend_ops slow_ops = {
	slow_types, slow_names, slow_values, slow_series, slow_timeline, slow_merge,
	slow_merge_tree, slow_close, NULL,
};

/* slow, cleared, in front of store s's backend (gates open). */
static void slow_init(struct slow_be *slow, struct store *s)
{
	memset(slow, 0, sizeof(*slow));
	slow->base.ops = &slow_ops;
	slow->inner = ts_backend_of(s);
}

static void test_versions_never_block(void **state)
{
	struct store *s = tb_two_versions("slow.db");
	struct source_opts so = { .source_path = "/nonexistent", .offline = true };
	static struct slow_be slow;
	struct tui_app *a;
	double t0;
	int i;

	(void)state;
	slow_init(&slow, s);
	a = tb_app_on_backend(&slow.base, &so);
	tui_app_key(a, '\n');
	assert_int_equal(a->view, VIEW_FLAME);
	assert_int_equal(source_view_set(a, prof_find_str(a->prof, "main.work")), 0);
	a->view = VIEW_SOURCE;
	assert_int_equal(a->sctx.nv, 2);
	/* from now on as in the key loop: workers; the server stops answering merges */
	a->async = true;
	atomic_store(&slow.gate, 1);
	tui_app_key(a, 'M'); /* the browser asks again: its thread hangs in the merge */
	for (i = 0; i < 300 && !atomic_load(&slow.in_merge); i++)
		usleep(10000);
	assert_int_equal(atomic_load(&slow.in_merge), 1);
	/* r in the pane: a version read starts and waits behind the browser's call */
	tui_app_key(a, 'r');
	assert_true(source_view_busy(a, NULL));
	usleep(50000);
	/* :focus= drops that read: at once, not when the server answers */
	t0 = app_now_ms();
	app_command(a, "focus=main\\.work");
	for (i = 0; i < 100 && app_job_running(a); i++) {
		usleep(10000);
		app_poll_jobs(a);
		source_view_poll(a);
	}
	if (app_now_ms() - t0 > 1000)
		fail_msg("the UI waited %.0f ms for a version read behind a hung call", app_now_ms() - t0);
	/* Esc cancels what is left; the server answers again; everything ends */
	tui_app_key(a, 27);
	atomic_store(&slow.gate, 0);
	for (i = 0; i < 500 && (browser_view_busy(a, NULL) || source_view_busy(a, NULL)); i++) {
		usleep(10000);
		browser_view_poll(a);
		source_view_poll(a);
	}
	tui_app_free(a);
	for (i = 0; i < 500 && !atomic_load(&slow.closed); i++)
		usleep(10000);
	assert_true(atomic_load(&slow.closed)); /* the last handle (maybe an orphan's) closed it */
	store_close(s);
}

/* q while the browser's query hangs */
static void test_quit_while_querying(void **state)
{
	struct store *s = tb_two_versions("quit.db");
	char f1[] = "main.main", f2[] = "main.work", *path[] = { f1, f2 };
	static struct slow_be slow;
	struct tui_app *a;
	double t0, took;
	int i;

	(void)state;
	slow_init(&slow, s);
	slow.limit_s = 10; /* the server "answers" by then: only what failing costs */
	a = tb_app_on_backend(&slow.base, NULL);
	assert_true(a->br.nrows > 0);
	/* opened, then Z on main.main > main.work: the merges ask for that call path */
	tui_app_key(a, '\n');
	assert_int_equal(a->view, VIEW_FLAME);
	a->main.fl.sel = app_tree_find(a->tree, 0, path, 2);
	assert_string_equal(tree_name(a->tree, a->main.fl.sel), "main.work");
	tui_app_key(a, 'Z');
	assert_int_equal(a->br.nfocus, 2);
	/* as in the key loop: M asks again on a worker, which hangs in the merge */
	a->async = true;
	atomic_store(&slow.gate, 1);
	tui_app_key(a, 'M');
	for (i = 0; i < 500 && !atomic_load(&slow.in_merge); i++)
		usleep(10000);
	assert_int_equal(atomic_load(&slow.in_merge), 1);
	assert_true(browser_view_busy(a, NULL));
	/* q: the app is freed while the query still hangs */
	t0 = app_now_ms();
	tui_app_free(a);
	took = app_now_ms() - t0;
	if (!atomic_load(&slow.in_merge))
		fail_msg("q waited %.0f ms for the query to end", took);
	/* the query's thread still uses the backend through a handle of its own */
	assert_false(atomic_load(&slow.closed));
	/* the server answers: the query (its call path, which the app freed with Z's)
	 * is still whole; the thread frees the job and closes the last handle */
	atomic_store(&slow.gate, 0);
	for (i = 0; i < 1000 && !atomic_load(&slow.closed); i++)
		usleep(10000);
	assert_true(atomic_load(&slow.closed));
	assert_int_equal(atomic_load(&slow.in_merge), 0);
	assert_int_equal(atomic_load(&slow.call_len), strlen("main.main") + strlen("main.work"));
	store_close(s);
}

/*
 * The live refresh runs in the background: while its query hangs, Esc is the view's (it
 * unzooms) and the refresh goes on; the spinner's "Esc cancels" is not shown for it.
 */
static void test_esc_during_live_refresh(void **state)
{
	struct store *s = tb_two_versions("live-esc.db");
	char f1[] = "main.main", f2[] = "main.work", *path[] = { f1, f2 };
	static struct slow_be slow;
	struct tui_app *a;
	int i;

	(void)state;
	slow_init(&slow, s);
	a = tb_app_on_backend(&slow.base, NULL);
	tui_app_key(a, '\n');
	assert_int_equal(a->view, VIEW_FLAME);
	a->main.fl.sel = app_tree_find(a->tree, 0, path, 2);
	tui_app_key(a, '\n');  /* zoom into main.work */
	assert_int_equal(a->main.fl.zoom, a->main.fl.sel);
	assert_int_not_equal(a->main.fl.zoom, 0);
	/* the refresh is due: its rows land, then the opened profile's merge hangs */
	a->async = true;
	atomic_store(&slow.gate, 1);
	a->br.last_refresh_ms = 0;
	browser_view_tick(a);
	for (i = 0; i < 500 && !atomic_load(&slow.in_merge); i++) {
		browser_view_poll(a);
		usleep(10000);
	}
	assert_int_equal(atomic_load(&slow.in_merge), 1);
	assert_true(browser_view_busy(a, NULL));
	assert_false(browser_view_waiting(a, NULL));
	tui_app_key(a, 27);
	assert_int_equal(a->main.fl.zoom, 0);  /* unzoomed */
	assert_true(browser_view_busy(a, NULL));
	assert_int_equal(atomic_load(&a->br.job->job.cancel), 0);
	/* the server answers: the refresh lands */
	atomic_store(&slow.gate, 0);
	for (i = 0; i < 500 && browser_view_busy(a, NULL); i++) {
		browser_view_poll(a);
		usleep(10000);
	}
	assert_false(browser_view_busy(a, NULL));
	assert_int_equal(a->view, VIEW_FLAME);
	tui_app_free(a);
	store_close(s);
}

/*
 * A request of the user's queued while the refresh's query runs stays the user's when the
 * refresh, landing, asks for the same kind of job: its spinner shows and Esc cancels it.
 */
static void test_user_request_stays_users(void **state)
{
	struct store *s = tb_two_versions("live-user.db");
	static struct slow_be slow;
	struct tui_app *a;
	int i;

	(void)state;
	slow_init(&slow, s);
	a = tb_app_on_backend(&slow.base, NULL);
	a->async = true;
	/* the refresh's rows query hangs */
	atomic_store(&slow.gate_series, 1);
	a->br.last_refresh_ms = 0;
	browser_view_tick(a);
	for (i = 0; i < 500 && !atomic_load(&slow.in_series); i++)
		usleep(10000);
	assert_int_equal(atomic_load(&slow.in_series), 1);
	assert_false(browser_view_waiting(a, NULL));
	/* the user asks for the timeline (queued), then the rows land and ask for it too */
	a->br.queued |= 1u << BJ_TIMELINE;
	a->br.bg_queued &= ~(1u << BJ_TIMELINE);
	atomic_store(&slow.gate_series, 0);
	for (i = 0; i < 500 && (!a->br.job || a->br.job->kind != BJ_TIMELINE); i++) {
		browser_view_poll(a);
		usleep(10000);
	}
	assert_non_null(a->br.job);
	assert_int_equal(a->br.job->kind, BJ_TIMELINE);
	assert_false(a->br.job->background);
	for (i = 0; i < 500 && browser_view_busy(a, NULL); i++) {
		browser_view_poll(a);
		usleep(10000);
	}
	tui_app_free(a);
	store_close(s);
}

/* ------------------------------------------------------------------------------------ */
/* 8, 16: finding data through a server that limits its requests                         */

/*
 * The same search through a server that refuses a request without a range (Grafana
 * Pyroscope v2: "missing time range in the query"): it asks with ranges, finds the data of
 * two days ago, and a selector that matches nothing still says so.
 */
static void test_find_newest_ranged(void **state)
{
	struct store *s = ts_open_new("find-ranged.db");
	struct prof *cpu = tu_decode("go/cpuwork-cpu.pb.gz");
	int64_t now = time_now_ns();
	static struct slow_be slow;
	struct tui_app *a;

	(void)state;
	ts_write_or_fail(s, "old", cpu, now - 2 * 86400 * SEC, NULL, NULL);
	prof_free(cpu);
	slow_init(&slow, s);
	slow.ranged_only = true;
	a = tb_app_on_backend(&slow.base, NULL);
	if (!strstr(a->message, "showing the most recent data"))
		fail_msg("message: '%s'", a->message);
	assert_true(a->br.to_ns > now - 2 * 86400 * SEC - 60 * SEC);
	assert_true(a->br.to_ns < now - 86400 * SEC);
	assert_true(a->br.nrows > 0);
	assert_string_equal(a->br.rows[0].service, "old");
	assert_int_equal(browser_view_set_selector(a, "{service_name=\"nope\"}"), 0);
	if (!strstr(a->message, "nothing matches the selector"))
		fail_msg("message: '%s'", a->message);
	assert_int_equal(atomic_load(&slow.rangeless), 0);
	tui_app_free(a);
	store_close(s);
}

static void test_find_newest_limited(void **state)
{
	struct store *s = ts_open_new("find-limited.db");
	struct prof *cpu = tu_decode("go/cpuwork-cpu.pb.gz");
	int64_t now = time_now_ns();
	static struct slow_be slow;
	struct tui_app *a;
	int n;

	(void)state;
	ts_write_or_fail(s, "old", cpu, now - 2 * 86400 * SEC, NULL, NULL);
	prof_free(cpu);
	slow_init(&slow, s);
	slow.limit_ns = 86400 * SEC;
	a = tb_app_on_backend(&slow.base, NULL);
	if (!strstr(a->message, "showing the most recent data"))
		fail_msg("message: '%s'", a->message);
	assert_true(a->br.to_ns > now - 2 * 86400 * SEC - 60 * SEC);
	assert_true(a->br.to_ns < now - 86400 * SEC);
	assert_string_equal(a->br.rows[0].service, "old");
	assert_int_equal(slow.base.max_range_ns, 86400 * SEC);  /* learnt on the way */

	atomic_store(&slow.requests, 0);
	assert_int_equal(browser_view_set_selector(a, "{service_name=\"nope\"}"), 0);
	n = atomic_load(&slow.requests);
	print_message("  %d requests to find nothing\n", n);
	if (!strstr(a->message, "nothing matches the selector") || !strstr(a->message, "31 d") ||
	    !strstr(a->message, "limits a query's length"))
		fail_msg("message: '%s'", a->message);
	if (n > 60)
		fail_msg("%d requests to find nothing", n);
	tui_app_free(a);
	store_close(s);
}

/*
 * Finding data from a range near 1678 looked back a year, then ten, before what int64
 * nanoseconds hold (UBSan: signed overflow; a plain build asked for windows that wrapped
 * round to 2262).  It stops there and says so, not that a server limits its queries.
 */
static void test_find_stops_at_1678(void **state)
{
	struct store *s = ts_open_new("find-1678.db");
	struct prof *cpu = tu_decode("go/cpuwork-cpu.pb.gz");
	struct tui_app *a;

	(void)state;
	ts_write_or_fail(s, "app", cpu, time_now_ns() - 600 * SEC, NULL, NULL);
	prof_free(cpu);
	a = tb_app_on(s, NULL);
	assert_int_equal(browser_view_set_range(a, "1678-01-01T00:00:00Z 1678-01-01T01:00:00Z"), 0);
	assert_int_equal(browser_view_set_selector(a, "{}"), 0);
	if (!strstr(a->message, "no profiles in the last 30 d (not back past 1678)"))
		fail_msg("message: '%s'", a->message);
	assert_true(a->br.from_ns < 0);  /* the range stays */
	tu_assert_i64(a->br.to_ns - a->br.from_ns, 3600 * SEC);
	tui_app_free(a);
	store_close(s);
}

/*
 * Long ranges 8b79472 refused because what the browser reaches past them might not fit
 * int64 (t now-292y, --from 1900 and 1678-1900: "twice its length must fit either side in
 * 1678-2262").  Taken now, they draw their pushes: near 1678 the timeline starts at the
 * first whole step int64 holds (a backend's grid would start before it: UBSan's signed
 * overflow in backend_timeline_grid), on 292 years at the step after the one holding its
 * start (the store's offset of a push from that one overflowed in tl_row).  P's period
 * before is cut at 1677-09-21, before which no profile lies: now-292y's holds the push of
 * 1700, the others none.  The search for data from a range of 192 years looks ten years
 * back (twice its length overflowed there), and from one near 1678 stops there.
 */
/*
 * The list's last push on screen t is 1700-01-05's, aged in days from the start of its
 * step of step_ns (the list's: 1/120 of the range): 1700 is further from now than int64
 * nanoseconds reach, a distance fmt_ago must not take in int64 (before eae1d07 the list
 * said "-" for any push before 1970).
 */
static void assert_last_push_1700(const char *t, int64_t step_ns)
{
	double since = (double)time_now_ns() / SEC + 8520000000.0, days;
	const char *l = strstr(t, " d ago"), *p;

	if (!l) {
		print_screen(t);
		fail_msg("1700's push is not aged in days");
	}
	for (p = l; p > t && p[-1] >= '0' && p[-1] <= '9'; p--)
		;
	days = strtod(p, NULL);
	if (days * 86400 < since - 86400 || days * 86400 > since + (double)step_ns / SEC) {
		print_screen(t);
		fail_msg("1700's push aged %.0f d, %.0f d ago", days, since / 86400);
	}
}

static void test_long_ranges(void **state)
{
	static const char *const before_none = "the period before the window has no data to "
					       "compare with";
	static const struct { const char *range, *p_says; } ranges[] = {
		/* its period before, 1677-09-21 to 1734, holds the push of 1700 */
		{ "now-292y", "compared with the period before" },
		{ "1900-01-01T00:00:00Z", NULL },
		{ "1678-01-01T00:00:00Z 1900-01-01T00:00:00Z", NULL },
	};
	static const char *const empty[][2] = {
		{ "now-292y now-100y", "in the last 10 y" },
		{ "1678-01-01T00:00:00Z 1690-01-01T00:00:00Z", "(not back past 1678)" },
	};
	struct store *s = ts_open_new("long-ranges.db");
	struct prof *cpu = tu_decode("go/cpuwork-cpu.pb.gz");
	struct offscreen o;
	struct tui_app *a;
	const char *t;
	size_t i, k;

	(void)state;
	ts_write_or_fail(s, "app", cpu, time_now_ns() - 600 * SEC, NULL, NULL);
	ts_write_or_fail(s, "app", cpu, -8520000000LL * SEC, NULL, NULL);  /* 1700-01-05 */
	prof_free(cpu);
	a = tb_app_on(s, NULL);
	o = screen_open(24, 100);
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		if (browser_view_set_range(a, ranges[i].range))
			fail_msg("t %s: %s", ranges[i].range, err_last());
		t = screen_text(a, &o);  /* draws the timeline: its width sets the steps */
		assert_int_equal(a->br.nrows, 2);  /* samples and cpu */
		for (k = 0; k < a->br.ntl && a->br.tl[k] == 0; k++)
			;
		if (k == a->br.ntl) {
			print_screen(t);
			fail_msg("t %s: the timeline has no push", ranges[i].range);
		}
		if (strncmp(ranges[i].range, "1678", 4) == 0)  /* its last push: 1700's */
			assert_last_push_1700(t, (a->br.to_ns - a->br.from_ns) / 120);
		tui_app_key(a, 'P');
		if (strcmp(a->message, ranges[i].p_says ? ranges[i].p_says : before_none))
			fail_msg("t %s, P: '%s'", ranges[i].range, a->message);
		if (ranges[i].p_says) {
			assert_true(a->diff);
			tui_app_key(a, 'T');  /* back to the browser */
		}
	}
	for (i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		assert_int_equal(browser_view_set_range(a, empty[i][0]), 0);
		assert_int_equal(browser_view_set_selector(a, "{}"), 0);
		if (!strstr(a->message, empty[i][1]))
			fail_msg("t %s: '%s'", empty[i][0], a->message);
	}
	screen_close(&o);
	tui_app_free(a);
	store_close(s);
}

/*
 * P on a window, or a period before, without data: which side is empty is asked of the
 * series, not merged.  42f45ac merged each side again in full after backend_diff's
 * not-found, only to choose the message (four merges where the store's diff had stopped
 * after two, a 7 d range's profiles read twice more).  The three messages stay; an Esc
 * while the sides are asked about stops the job there, without merging.
 */
static void test_compare_empty_side_cheap(void **state)
{
	static const struct { int from_min, to_min; const char *said; } cases[] = {
		{ 15, 0, "the window has no data to compare with the period before" },
		{ 55, 45, "the period before the window has no data to compare with" },
		{ 10, 5, "neither the window nor the period before it has data" },
	};
	struct store *s = ts_open_new("cmp-cheap.db");
	struct prof *cpu = tu_decode("go/cpuwork-cpu.pb.gz");
	struct slow_be slow;
	struct tui_app *a;
	int64_t now = time_now_ns();
	size_t i;
	int merges;

	(void)state;
	for (i = 0; i < 4; i++)  /* 50, 40, 30 and 20 min ago */
		ts_write_or_fail(s, "app", cpu, now - (50 - 10 * (int64_t)i) * 60 * SEC, NULL, NULL);
	prof_free(cpu);
	slow_init(&slow, s);
	a = tb_app_on_backend(&slow.base, NULL);
	assert_non_null(strstr(a->br.rows[a->br.row].ptype, ":cpu:"));
	for (i = 0; i <= sizeof(cases) / sizeof(cases[0]); i++) {
		size_t c = i < sizeof(cases) / sizeof(cases[0]) ? i : 0;

		if (i == sizeof(cases) / sizeof(cases[0]))
			slow.fail_series = 2;  /* Esc while the window's series are asked for */
		a->br.win_from = a->br.to_ns - cases[c].from_min * 60 * SEC;
		a->br.win_to = a->br.to_ns - cases[c].to_min * 60 * SEC;
		merges = atomic_load(&slow.merges);
		tui_app_key(a, 'P');
		if (atomic_load(&slow.merges) - merges > 2)
			fail_msg("P on [now-%d min, now-%d min]: %d merges", cases[c].from_min,
				 cases[c].to_min, atomic_load(&slow.merges) - merges);
		assert_string_equal(a->message, i == c ? cases[c].said : "cancelled");
		assert_false(a->diff);
	}
	tui_app_free(a);
	store_close(s);
}

/* ------------------------------------------------------------------------------------ */
/* 17: the backend is the app's from the call on, errors included                        */

/* tui_app_new on a backend with opts that make it fail: the backend is closed, once. */
static void refused_with(struct store *s, const char *theme, const struct filter_opts *fo,
			 const char *why)
{
	static struct slow_be slow; /* no gate: a plain pass-through that notes its close */
	struct tui_opts o;
	struct tui_app *a = NULL;

	slow_init(&slow, s);
	memset(&o, 0, sizeof(o));
	o.sample_type = -1;
	o.no_color = true;
	o.source = "store";
	o.backend = &slow.base;
	o.backend_name = "store test";
	o.start_in_browser = true;
	o.theme = theme;
	o.filters = fo;
	assert_int_not_equal(tui_app_new(NULL, &o, &a), 0);
	assert_null(a);
	assert_non_null(strstr(err_last(), why));
	/* closed by the failed call, not left to the caller (who is told the app owns it) */
	if (!atomic_load(&slow.closed))
		fail_msg("tui_app_new failed (%s) and left the backend open", err_last());
}

static void test_error_closes_backend(void **state)
{
	struct store *s = tb_many("refused.db", 1, false);
	struct filter_opts bad = { .focus = "(" };

	(void)state;
	refused_with(s, "/nonexistent/no-such-theme.toml", NULL, "no-such-theme");
	refused_with(s, NULL, &bad, "focus");
	store_close(s);
}

/* ------------------------------------------------------------------------------------ */
/* 18: Esc while the opened profile's call tree is built                                 */

#define BIG_FIXTURE "go/gencode3k-cpu-labels.pb.gz"  /* a call tree of 513,357 nodes */

static double ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * Enter on a row: the merge returns a large profile, whose call tree and tables the job
 * then builds on its thread; Esc right then: the job lands ("cancelled") soon, not after
 * building them.
 */
static void test_esc_while_opening(void **state)
{
	struct store *s = tb_many("opening.db", 1, false);
	struct prof *p = tu_decode(BIG_FIXTURE);
	static struct slow_be slow;
	struct top *all = calloc(p->ntypes, sizeof(*all));
	struct tree *t = NULL;
	struct tui_app *a;
	double t0, whole, after;
	uint32_t ty;
	int i, try;

	(void)state;
	/* what the job would build: the tree and the tables of that profile, here */
	assert_non_null(all);
	t0 = ms_now();
	assert_int_equal(tree_build(p, &t), 0);
	assert_int_equal(top_from_tree(t, all), 0);
	whole = ms_now() - t0;
	for (ty = 0; ty < p->ntypes; ty++)
		top_release(&all[ty]);
	free(all);
	tree_free(t);
	prof_free(p);

	/*
	 * Up to three tries: on a loaded machine (ctest -j, the sanitizer build) landing can
	 * be late by chance; a job that builds the tree and tables is late every time.
	 */
	for (try = 0; try < 3; try++) {
		if (try)
			tui_app_free(a);
		slow_init(&slow, s);
		slow.replace = BIG_FIXTURE;
		a = tb_app_on_backend(&slow.base, NULL);
		a->async = true;
		tui_app_key(a, '\n');
		assert_true(browser_view_busy(a, NULL));
		for (i = 0; i < 100000 && !atomic_load(&slow.merged); i++)
			usleep(100);
		assert_true(atomic_load(&slow.merged));
		tui_app_key(a, 27);
		t0 = ms_now();
		for (i = 0; i < 100000 && browser_view_busy(a, NULL); i++) {
			usleep(100);
			browser_view_poll(a);
		}
		after = ms_now() - t0;
		print_message("  landed %.1f ms after Esc (its call tree and tables: %.1f ms)\n",
			      after, whole);
		assert_false(browser_view_busy(a, NULL));
		assert_string_equal(a->message, "cancelled");
		assert_int_equal(a->view, VIEW_BROWSER);
		if (after <= whole / 4)
			break;
	}
	if (try == 3)
		fail_msg("the open job landed %.1f ms after Esc (its call tree and tables: %.1f ms): "
			 "it built them", after, whole);
	tui_app_free(a);
	store_close(s);
}

/* ------------------------------------------------------------------------------------ */
/* a damaged store, a server's empty answers: every row's last push                      */

/*
 * One damaged part of a store (the timelines of one profile type fail, as dmg1.db's
 * memory:inuse_space did) leaves the list whole: those rows' last push reads "?", the
 * others' theirs.  A list that cannot be read at all, or whose query is cancelled, says
 * so instead of "reading the store..." for good.
 */
static void test_damaged_part(void **state)
{
	struct store *s = ts_open_new("damaged.db");
	struct prof *cpu = tu_decode("go/cpuwork-cpu.pb.gz"),
		    *heap = tu_decode("go/heapwork-heap.pb.gz");
	static struct slow_be slow;
	struct offscreen o = screen_open(24, 100);
	struct tui_app *a;
	const char *t;
	uint32_t i;

	(void)state;
	ts_write_or_fail(s, "aaa", cpu, time_now_ns() - 600 * SEC, NULL, NULL);
	ts_write_or_fail(s, "bbb", heap, time_now_ns() - 600 * SEC, NULL, NULL);
	prof_free(cpu);
	prof_free(heap);
	slow_init(&slow, s);
	slow.fail_type = "memory:";
	a = tb_app_on_backend(&slow.base, NULL);
	t = screen_text(a, &o);
	if (a->br.nrows < 2 || !strstr(t, "2 services")) {
		print_screen(t);
		fail_msg("one damaged type emptied the list");
	}
	for (i = 0; i < a->br.nrows; i++) {
		const char *line = NULL, *svc = a->br.rows[i].service;
		int y;

		for (y = 0; y < 24 && !line; y++)
			if (strstr(screen_line(t, y), a->br.rows[i].ptype))
				line = screen_line(t, y);
		assert_non_null(line);
		if (strcmp(svc, "bbb") == 0 ? !strstr(line, " ?") : !strstr(line, "10 min ago")) {
			print_screen(t);
			fail_msg("row %s %s: wrong last push", svc, a->br.rows[i].ptype);
		}
	}
	if (!strstr(a->message, "a last push (its rows read ?): store 'x.db' is corrupt"))
		fail_msg("message '%s'", a->message);
	tui_app_free(a);

	/* the label names fail: the list stands, and the message says what is missing */
	slow_init(&slow, s);
	slow.fail_names = true;
	a = tb_app_on_backend(&slow.base, NULL);
	assert_true(a->br.nrows >= 2);
	for (i = 0; i < a->br.nrows; i++)
		assert_false(a->br.rows[i].last_unknown);
	if (!strstr(a->message, "the label names (Tab has none)") || strstr(a->message, "?"))
		fail_msg("message '%s'", a->message);
	tui_app_free(a);

	/* the list itself fails, or is cancelled: not "reading the store..." */
	for (i = 1; i <= 2; i++) {
		slow_init(&slow, s);
		slow.fail_series = (int)i;
		a = tb_app_on_backend(&slow.base, NULL);
		t = screen_text(a, &o);
		assert_not_on_screen(t, "reading the store");
		assert_on_screen(t, "the list could not be read");
		assert_on_screen(t, i == 1 ? "database disk image is malformed" : "cancelled");
		tui_app_free(a);
	}
	screen_close(&o);
	store_close(s);
}

/*
 * Every row has its last push, not only the first 64 (the 65th and on read "-", which is
 * also "no data"), from one timeline per profile type rather than one per row.
 */
static void test_last_push_every_row(void **state)
{
	struct store *s = tb_many("fresh.db", 70, false);  /* 70 services, pushed 10 min ago */
	static struct slow_be slow;
	struct offscreen o = screen_open(24, 80);
	struct tui_app *a;
	const char *t;
	uint32_t i;

	(void)state;
	slow_init(&slow, s);
	a = tb_app_on_backend(&slow.base, NULL);
	assert_int_equal(a->br.nrows, 70);
	for (i = 0; i < a->br.nrows; i++)
		if (!a->br.rows[i].has_last || a->br.rows[i].last_unknown)
			fail_msg("row %u (%s): no last push", i, a->br.rows[i].service);
	/* the list, its names and one timeline per type, and the cursor's row's timeline */
	if (atomic_load(&slow.requests) > 6)
		fail_msg("%d requests for 70 rows of one type", atomic_load(&slow.requests));
	tui_app_key(a, 'G');
	t = screen_text(a, &o);
	for (i = 0; i < 24 && !strstr(screen_line(t, (int)i), "svc-69"); i++)
		;
	assert_true(i < 24);
	if (!strstr(screen_line(t, (int)i), " 10 min ago")) {
		print_screen(t);
		fail_msg("svc-69's last push");
	}
	screen_close(&o);
	tui_app_free(a);
	store_close(s);
}

/*
 * A timeline grouped by service that comes back without a series (what the remote
 * backend answers when SelectSeries has no points; Grafana Pyroscope can, when Series
 * lists a series with no point in the range) leaves every row without a last push: the
 * look-up searched the empty list's NULL array (UBSan aborted the first screen).
 */
static void test_last_push_no_groups(void **state)
{
	struct store *s = tb_many("nogroups.db", 3, false);
	static struct slow_be slow;
	struct offscreen o = screen_open(24, 80);
	struct tui_app *a;
	const char *t;
	uint32_t i;

	(void)state;
	slow_init(&slow, s);
	slow.no_groups = true;
	a = tb_app_on_backend(&slow.base, NULL);
	assert_int_equal(a->br.nrows, 3);
	for (i = 0; i < a->br.nrows; i++)
		if (a->br.rows[i].has_last || a->br.rows[i].last_unknown)
			fail_msg("row %u (%s): a last push from no series", i,
				 a->br.rows[i].service);
	t = screen_text(a, &o);
	assert_on_screen(t, "svc-02");
	assert_not_on_screen(t, "min ago");
	screen_close(&o);
	tui_app_free(a);
	store_close(s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions_never_block),
		cmocka_unit_test(test_quit_while_querying),
		cmocka_unit_test(test_esc_during_live_refresh),
		cmocka_unit_test(test_user_request_stays_users),
		cmocka_unit_test(test_find_newest_ranged),
		cmocka_unit_test(test_find_newest_limited),
		cmocka_unit_test(test_find_stops_at_1678),
		cmocka_unit_test(test_long_ranges),
		cmocka_unit_test(test_compare_empty_side_cheap),
		cmocka_unit_test(test_damaged_part),
		cmocka_unit_test(test_last_push_every_row),
		cmocka_unit_test(test_last_push_no_groups),
		cmocka_unit_test(test_error_closes_backend),
		cmocka_unit_test(test_esc_while_opening),
	};

	setlocale(LC_ALL, "C.UTF-8");
	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}
