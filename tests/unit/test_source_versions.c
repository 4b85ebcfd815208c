/*
 * test_source_versions.c — the versions of a service (src/source/versions.c, shared by
 * `smolder list` and the source pane), the pane's versions and settings (src/tui/
 * source_versions.c, source_settings.c) and the shared backend handles they read through
 * (src/store/shared.c):
 *
 *  - series label sets grouped by service_git_ref: natural version order, the "no ref"
 *    group, the repository and root most series name, the cap; a version's labels for
 *    source_find();
 *  - repo/ref/root/source_path: typed > flag > label, a label repository that is not an
 *    http(s) URL ignored (as source_find does), ~/ expansion, the header text, URLs in
 *    it without their credentials;
 *  - backend_share on a real SQLite store: two threads merging through two handles get
 *    what one backend gives, a cancelled handle does not cancel the other;
 *  - the explorer driven without a terminal on a real store holding two versions of a
 *    function whose lines moved: Enter in the browser, the source pane shows one version
 *    at a time with its own line numbers (never the sum of both), v switches, the code
 *    is asked for at the version's ref, `:ref=` overrides and `:ref=` (empty) goes back,
 *    a focus filter splits again; one version and a plain file change nothing; the
 *    profile `view --db --profile-type` starts on is split as the browser's is;
 *  - the session's memo: a repository a local stand-in server cannot give is cloned once
 *    for two functions, again after r and after a typed setting;
 *  - lines granularity: a line frame opens its function also when the path has a space.
 */
#include <arpa/inet.h>
#include <curses.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/timeparse.h"
#include "profile/granularity.h"
#include "profile/labels.h"
#include "store/store.h"
#include "testutil.h"
#include "testutil_browser.h"
#include "tui/tui_int.h"

#define SEC 1000000000LL

#define tpath tu_tmp_path

static int setup(void **state)
{
	(void)state;
	return tu_tmp_create("srcver");
}

static int teardown(void **state)
{
	(void)state;
	tu_tmp_remove();
	return 0;
}

/* ------------------------------------------------------------------------------------ */
/* grouping                                                                              */

/* Appends a series "k=v,k=v" to l. */
static void add_series(struct labelset_list *l, const char *spec)
{
	struct labelset ls = LABELSET_INIT;
	char buf[512], *save = NULL, *kv;

	snprintf(buf, sizeof(buf), "%s", spec);
	for (kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');

		assert_non_null(eq);
		*eq = '\0';
		assert_int_equal(labelset_set(&ls, kv, eq + 1), 0);
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		assert_non_null(l->v);
	}
	l->v[l->n++] = ls;
}

static void test_group(void **state)
{
	struct labelset_list l = { 0 };
	struct source_version *v;
	size_t n, all, i;

	(void)state;
	add_series(&l, "service_name=a,service_git_ref=v10,service_repository=https://h/x,pod=1");
	add_series(&l, "service_name=a,service_git_ref=v2,service_repository=https://h/x,pod=1");
	add_series(&l, "service_name=a,service_git_ref=v2,service_repository=https://h/x,pod=2");
	add_series(&l, "service_name=a,service_git_ref=v2,service_repository=https://h/fork,pod=3");
	add_series(&l, "service_name=a,service_git_ref=v10,service_root_path=svc,pod=2");
	add_series(&l, "service_name=a,pod=9");
	assert_int_equal(source_versions_group(l.v, l.n, &v, &n, &all), 0);
	assert_int_equal(n, 3);
	assert_int_equal(all, 3);
	/* natural order: the series without a ref, v2, v10 (not "v10" < "v2") */
	assert_string_equal(v[0].ref, "");
	assert_string_equal(v[1].ref, "v2");
	assert_string_equal(v[2].ref, "v10");
	assert_int_equal(v[0].nseries, 1);
	assert_null(v[0].repo);
	assert_false(v[0].mixed);
	/* the repository most of v2's series name; the disagreement is flagged */
	assert_int_equal(v[1].nseries, 3);
	assert_string_equal(v[1].repo, "https://h/x");
	assert_null(v[1].root);
	assert_true(v[1].mixed);
	/* labels some series lack are taken from those that have them */
	assert_string_equal(v[2].repo, "https://h/x");
	assert_string_equal(v[2].root, "svc");
	assert_false(v[2].mixed);
	/* what source_find() gets: the labels a version has; none for the "no ref" group */
	{
		struct labelset ls = LABELSET_INIT;

		assert_int_equal(source_version_labels(&v[0], &ls), 0);
		assert_int_equal(ls.n, 0);
		assert_int_equal(source_version_labels(NULL, &ls), 0);
		assert_int_equal(ls.n, 0);
		assert_int_equal(source_version_labels(&v[2], &ls), 0);
		assert_int_equal(ls.n, 3);
		assert_string_equal(labelset_get(&ls, "service_git_ref"), "v10");
		assert_string_equal(labelset_get(&ls, "service_repository"), "https://h/x");
		assert_string_equal(labelset_get(&ls, "service_root_path"), "svc");
		labelset_free(&ls);
	}
	source_versions_free(v, n);
	labelset_list_release(&l);

	/* more refs than SOURCE_VERSIONS_MAX: the ones most series run, still in order */
	memset(&l, 0, sizeof(l));
	for (i = 0; i < SOURCE_VERSIONS_MAX + 4; i++) {
		char s[128];

		snprintf(s, sizeof(s), "service_git_ref=r%zu,pod=0", i);
		add_series(&l, s);
		if (i >= 4) { /* r0..r3 have one series, the others two */
			snprintf(s, sizeof(s), "service_git_ref=r%zu,pod=1", i);
			add_series(&l, s);
		}
	}
	assert_int_equal(source_versions_group(l.v, l.n, &v, &n, &all), 0);
	assert_int_equal(n, SOURCE_VERSIONS_MAX);
	assert_int_equal(all, SOURCE_VERSIONS_MAX + 4);
	assert_string_equal(v[0].ref, "r4");
	assert_string_equal(v[n - 1].ref, "r19");
	for (i = 0; i < n; i++)
		assert_int_equal(v[i].nseries, 2);
	source_versions_free(v, n);
	labelset_list_release(&l);

	/* no series: no versions */
	memset(&l, 0, sizeof(l));
	assert_int_equal(source_versions_group(l.v, l.n, &v, &n, &all), 0);
	assert_int_equal(n, 0);
	assert_null(v);
}

/*
 * 40,000 distinct refs (a label a pusher sets per build) are grouped through a hash of
 * the refs: scanning the groups for each series took 36.8 s at -O2.  The 16 refs that
 * run most series are still the ones split, in natural order, with their repository.
 */
static void test_group_many(void **state)
{
	struct labelset_list l = { 0 };
	struct source_version *v;
	struct timespec t0, t1;
	size_t n, all, i;
	char s[128];

	(void)state;
	for (i = 0; i < 40000; i++) {
		snprintf(s, sizeof(s), "service_git_ref=r%05zu,pod=0", i);
		add_series(&l, s);
		if (i % 2500 == 7) { /* r00007, r02507, ... r37507: three series each */
			snprintf(s, sizeof(s),
				 "service_git_ref=r%05zu,pod=1,service_repository=https://h/x", i);
			add_series(&l, s);
			add_series(&l, s);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(source_versions_group(l.v, l.n, &v, &n, &all), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9 <
		    2.0);
	assert_int_equal(all, 40000);
	assert_int_equal(n, SOURCE_VERSIONS_MAX);
	for (i = 0; i < n; i++) {
		snprintf(s, sizeof(s), "r%05zu", 2500 * i + 7);
		assert_string_equal(v[i].ref, s);
		assert_int_equal(v[i].nseries, 3);
		assert_string_equal(v[i].repo, "https://h/x");
		assert_false(v[i].mixed);
	}
	source_versions_free(v, n);
	labelset_list_release(&l);
}

/* ------------------------------------------------------------------------------------ */
/* settings                                                                              */

static void test_settings(void **state)
{
	struct source_typed t;
	struct source_opts o = { 0 };
	struct source_version v = { 0 };
	struct source_setting s[SS_COUNT];
	struct buf b = BUF_INIT;
	char big[PROMPT_MAX + 8];

	(void)state;
	memset(&t, 0, sizeof(t));
	v.ref = (char *)"v2";
	v.repo = (char *)"/srv/app";  /* a local path in a label: never used */
	v.root = (char *)"svc";

	source_settings_resolve(&t, &o, &v, s);
	assert_int_equal(s[SS_REPO].from, SF_LABEL_IGNORED);
	assert_null(s[SS_REPO].value);
	assert_string_equal(s[SS_REPO].ignored, "/srv/app");
	assert_int_equal(s[SS_REF].from, SF_LABEL);
	assert_string_equal(s[SS_REF].value, "v2");
	assert_int_equal(s[SS_ROOT].from, SF_LABEL);
	assert_int_equal(s[SS_SOURCE_PATH].from, SF_NONE);
	source_settings_describe(s, " | ", &b);
	assert_string_equal(b.data, "repo - (label '/srv/app' ignored: labels name http(s) URLs "
				    "only; :repo= sets one) | ref v2 (label) | root svc (label) | "
				    "source_path -");
	buf_reset(&b);

	/* an http(s) label is taken; flags beat labels; typed values beat both */
	v.repo = (char *)"https://github.com/acme/app";
	o.repo = "/home/me/app";
	o.source_path = ".";
	source_settings_resolve(&t, &o, &v, s);
	assert_int_equal(s[SS_REPO].from, SF_FLAG);
	assert_string_equal(s[SS_REPO].value, "/home/me/app");
	o.repo = NULL;
	assert_int_equal(source_settings_set(&t, SS_REF, "  v1 ", "/home/me"), 0);
	assert_int_equal(source_settings_set(&t, SS_REPO, "~/src/app", "/home/me"), 0);
	assert_int_equal(source_settings_set(&t, SS_SOURCE_PATH, "~", "/home/me"), 0);
	assert_int_equal(source_settings_set(&t, SS_ROOT, "~/x", "/home/me"), 0); /* not a path here */
	assert_string_equal(t.ref, "v1");
	assert_string_equal(t.repo, "/home/me/src/app");
	assert_string_equal(t.source_path, "/home/me");
	assert_string_equal(t.root, "~/x");
	source_settings_resolve(&t, &o, &v, s);
	assert_int_equal(s[SS_REF].from, SF_TYPED);
	assert_string_equal(s[SS_REF].value, "v1");
	assert_int_equal(s[SS_REPO].from, SF_TYPED);
	source_settings_describe(s, " | ", &b);
	assert_string_equal(b.data, "repo /home/me/src/app (typed) | ref v1 (typed) | root ~/x "
				    "(typed) | source_path /home/me (typed)");
	buf_reset(&b);
	/* an empty value goes back to the label (or the flag) */
	assert_int_equal(source_settings_set(&t, SS_REF, "", NULL), 0);
	assert_int_equal(source_settings_set(&t, SS_REPO, "", NULL), 0);
	assert_int_equal(source_settings_set(&t, SS_SOURCE_PATH, "", NULL), 0);
	source_settings_resolve(&t, &o, &v, s);
	assert_int_equal(s[SS_REF].from, SF_LABEL);
	assert_int_equal(s[SS_REPO].from, SF_LABEL);
	assert_string_equal(s[SS_REPO].value, "https://github.com/acme/app");
	assert_int_equal(s[SS_SOURCE_PATH].from, SF_FLAG);
	/* a version without a ref has no ref label; no version, no labels */
	v.ref = (char *)"";
	source_settings_resolve(&t, &o, &v, s);
	assert_int_equal(s[SS_REF].from, SF_NONE);
	source_settings_resolve(NULL, NULL, NULL, s);
	assert_int_equal(s[SS_REPO].from, SF_NONE);
	/* too long */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(source_settings_set(&t, SS_REF, big, NULL), ERR_TOOBIG);
	tu_assert_message(err_last());
	/* names */
	assert_int_equal(source_settings_kind("repo", 4), SS_REPO);
	assert_int_equal(source_settings_kind("source-path", 11), SS_SOURCE_PATH);
	assert_int_equal(source_settings_kind("refs", 4), -1);
	assert_int_equal(source_settings_kind("re", 2), -1);
	buf_release(&b);
}

/* Credentials in a URL never reach the settings line: labels, typed values, ignored labels. */
static void test_settings_credentials(void **state)
{
	struct source_typed t;
	struct source_version v = { 0 };
	struct source_setting s[SS_COUNT];
	struct buf b = BUF_INIT;

	(void)state;
	memset(&t, 0, sizeof(t));
	v.repo = (char *)"https://user:s3cr3t@example.invalid/x/y";
	v.ref = (char *)"vA";
	source_settings_resolve(&t, NULL, &v, s);
	assert_string_equal(s[SS_REPO].value, v.repo); /* source_find still gets them */
	source_settings_describe(s, " | ", &b);
	assert_string_equal(b.data, "repo https://example.invalid/x/y (label) | ref vA (label) | "
				    "root - | source_path -");
	buf_reset(&b);
	/* a token in the query goes too; a typed value is shown the same way */
	assert_int_equal(source_settings_set(&t, SS_REPO,
					     "https://tok@example.invalid/z?access_token=s3cr3t", NULL),
			 0);
	source_settings_resolve(&t, NULL, &v, s);
	source_settings_describe(s, " | ", &b);
	assert_string_equal(b.data, "repo https://example.invalid/z (typed) | ref vA (label) | "
				    "root - | source_path -");
	buf_reset(&b);
	/* a label that is not an http(s) URL is named as ignored, without its password */
	memset(&t, 0, sizeof(t));
	v.repo = (char *)"ssh://git:s3cr3t@example.invalid/x/y";
	source_settings_resolve(&t, NULL, &v, s);
	source_settings_describe(s, " | ", &b);
	assert_null(strstr(b.data, "s3cr3t"));
	assert_non_null(strstr(b.data, "label 'ssh://example.invalid/x/y' ignored"));
	buf_release(&b);
}

/* ------------------------------------------------------------------------------------ */
/* a store with two versions of main.work                                                */

/* v1 20 min ago and, with two, v2 10 min ago (their lines: tb_put_version). */
static struct store *make_store(const char *name, bool two)
{
	struct store *s = NULL;
	int64_t now = time_now_ns();

	unlink(tpath(name));
	if (store_open(tpath(name), STORE_CREATE, &s))
		fail_msg("store_open: %s", err_last());
	tb_put_version(s, 1, now - 20 * 60 * SEC);
	if (two)
		tb_put_version(s, 2, now - 10 * 60 * SEC);
	return s;
}

/* The total of app's merged profile (-1 when the merge fails, with its code in *rc). */
static int64_t merged_total_rc(struct backend *b, int *rc)
{
	struct selector *sel = NULL;
	struct query q = { "process_cpu:cpu:nanoseconds::", NULL, { 0, 0 }, AGG_AUTO, NULL, 0 };
	struct prof *p = NULL;
	int64_t t = -1;

	assert_int_equal(selector_parse("{service_name=\"app\"}", &sel), 0);
	q.selector = sel;
	q.range.to_ns = time_now_ns() + 60 * SEC;
	if ((*rc = b->ops->merge(b, &q, &p, NULL)) == 0)
		t = prof_total(p, 0);
	prof_free(p);
	selector_free(sel);
	return t;
}

static int64_t merged_total(struct backend *b)
{
	int rc;
	int64_t t = merged_total_rc(b, &rc);

	if (rc)
		fail_msg("merge: %s", err_last());
	return t;
}

struct hammer {
	struct backend *b;
	int64_t want;
	int bad;
};

static void *hammer_thread(void *arg)
{
	struct hammer *h = arg;
	int i;

	for (i = 0; i < 40; i++) {
		struct labelset_list ls = { 0 };
		struct time_range all = { 0, 0 };

		if (merged_total(h->b) != h->want)
			h->bad++;
		if (h->b->ops->series(h->b, NULL, NULL, 0, all, &ls) || ls.n != 2)
			h->bad++;
		labelset_list_release(&ls);
	}
	return NULL;
}

static void test_share(void **state)
{
	struct store *s = make_store("share.db", true);
	struct backend *inner, *h1, *h2;
	struct hammer x, y;
	pthread_t tx, ty;
	atomic_int stop = 1;
	struct labelset_list ls = { 0 };
	struct time_range all = { 0, 0 };
	int64_t want;
	int rc;

	(void)state;
	assert_int_equal(store_backend_new(s, NULL, &inner), 0);
	want = merged_total(inner);
	assert_int_equal(want, 1350 * 1000000LL);
	assert_int_equal(backend_share(inner, &h1, &h2), 0);
	x = (struct hammer){ h1, want, 0 };
	y = (struct hammer){ h2, want, 0 };
	assert_int_equal(pthread_create(&tx, NULL, hammer_thread, &x), 0);
	assert_int_equal(pthread_create(&ty, NULL, hammer_thread, &y), 0);
	pthread_join(tx, NULL);
	pthread_join(ty, NULL);
	assert_int_equal(x.bad, 0);
	assert_int_equal(y.bad, 0);
	/* one handle cancelled: its calls fail, the other's do not */
	h1->cancel = &stop;
	assert_int_equal(merged_total_rc(h1, &rc), -1);
	assert_int_equal(rc, ERR_CANCELLED);
	assert_int_equal(h2->ops->series(h2, NULL, NULL, 0, all, &ls), 0);
	assert_int_equal(ls.n, 2);
	labelset_list_release(&ls);
	assert_int_equal(merged_total(h2), want);
	/* the inner backend closes with the second handle, whichever it is */
	backend_close(h2);
	h1->cancel = NULL;
	assert_int_equal(merged_total(h1), want);
	backend_close(h1);
	store_close(s);
}

/* ------------------------------------------------------------------------------------ */
/* the pane, driven                                                                      */

static struct tui_app *open_store(struct store *s, const struct source_opts *so)
{
	struct tui_app *a = tb_app_on(s, so);

	assert_int_equal(a->br.nrows, 1);
	tui_app_key(a, '\n'); /* open the window's merged profile (at once: no key loop) */
	assert_int_equal(a->view, VIEW_FLAME);
	return a;
}

static void show_work(struct tui_app *a)
{
	uint32_t id = prof_find_str(a->prof, "main.work");

	assert_int_not_equal(id, PROF_NONE);
	assert_int_equal(source_view_set(a, id), 0);
	a->view = VIEW_SOURCE;
}

/* The shown routine's lines as "line:flat/cum ..." in ms. */
static const char *lines_of(const struct tui_app *a)
{
	static char out[256];
	const struct list_routine *r;
	size_t n = 0;
	uint32_t k;

	out[0] = '\0';
	if (!a->src.name)
		return "(none)";
	r = &a->src.list.r[a->src.routine];
	for (k = 0; k < r->nlines; k++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%lld:%lld/%lld", k ? " " : "",
				      (long long)r->lines[k].line, (long long)(r->lines[k].flat / 1000000),
				      (long long)(r->lines[k].cum / 1000000));
	return out;
}

/* The ref the code was asked for (the 4th field of the pane's code key). */
static const char *asked_ref(const struct tui_app *a)
{
	static char out[128];
	const char *p = a->src.code_key;
	int f;

	assert_non_null(p);
	for (f = 0; f < 3; f++) {
		p = strchr(p, '\x1f');
		assert_non_null(p);
		p++;
	}
	snprintf(out, sizeof(out), "%.*s", (int)strcspn(p, "\x1f"), p);
	return out;
}

static void draw_offscreen(struct tui_app *a)
{
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *scr = newterm("xterm-256color", out, in);

	if (!scr) { /* no terminfo: the drawing is left to the e2e tests */
		fclose(out);
		fclose(in);
		return;
	}
	set_term(scr);
	resizeterm(30, 120);
	tui_app_draw(a);
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
}

static void test_pane_two_versions(void **state)
{
	struct store *s = make_store("two.db", true);
	struct source_opts so = { .source_path = "/nonexistent", .offline = true };
	struct tui_app *a = open_store(s, &so);

	(void)state;
	/* the merged profile mixes both versions; the pane never does */
	assert_int_equal(tree_total(a->tree, 0, 0), 1350 * 1000000LL);
	show_work(a);
	assert_int_equal(a->sctx.nv, 2);
	assert_string_equal(a->sctx.v[0].ref, "v1");
	assert_string_equal(a->sctx.v[1].ref, "v2");
	assert_string_equal(a->sctx.v[0].repo, "https://example.com/acme/app");
	/* the version where the function costs most first: v1 (800 ms against 550 ms) */
	assert_int_equal(a->src.ver, 0);
	assert_string_equal(lines_of(a), "6:700/700 8:100/100");
	assert_int_equal(a->src.sel, 6);
	assert_string_equal(asked_ref(a), "v1");
	draw_offscreen(a);
	tui_app_key(a, 'v');
	assert_int_equal(a->src.ver, 1);
	assert_string_equal(lines_of(a), "9:300/500 11:50/50");
	assert_int_equal(a->src.sel, 9);
	assert_string_equal(asked_ref(a), "v2");
	assert_non_null(strstr(a->message, "version 2 of 2: v2"));
	tui_app_key(a, 'v');
	assert_int_equal(a->src.ver, 0);
	tui_app_key(a, 'V');
	assert_int_equal(a->src.ver, 1);
	/* typed: the code at another ref, the numbers still v2's; empty: back to the label */
	app_command(a, "ref=v1");
	assert_string_equal(asked_ref(a), "v1");
	assert_string_equal(lines_of(a), "9:300/500 11:50/50");
	draw_offscreen(a);
	app_command(a, "ref=");
	assert_string_equal(asked_ref(a), "v2");
	/* a filter splits again: only v2 calls main.square */
	app_command(a, "focus=main\\.square");
	assert_int_equal(a->nfilters, 1);
	assert_int_equal(a->src.ver, 1);
	assert_string_equal(lines_of(a), "9:0/200");
	assert_true(a->src.vcum[0] < 0);
	tui_app_key(a, 'v');
	assert_non_null(strstr(a->message, "only in this version"));
	draw_offscreen(a);
	tui_app_free(a);
	store_close(s);
}

static void test_pane_one_version(void **state)
{
	struct store *s = make_store("one.db", false);
	struct source_opts so = { .source_path = "/nonexistent", .offline = true };
	struct tui_app *a = open_store(s, &so);

	(void)state;
	show_work(a);
	/* one version: the shown profile's numbers, the version's ref for the code */
	assert_int_equal(a->sctx.nv, 1);
	assert_int_equal(a->src.ver, -1);
	assert_ptr_equal(a->src.prof, a->prof);
	assert_string_equal(lines_of(a), "6:700/700 8:100/100");
	assert_string_equal(asked_ref(a), "v1");
	tui_app_key(a, 'v');
	assert_non_null(strstr(a->message, "one version"));
	/* a typed repository URL is said without its password */
	app_command(a, "repo=https://me:s3cr3t@example.invalid/acme/app");
	assert_non_null(strstr(a->message, "repo: https://example.invalid/acme/app (typed)"));
	assert_null(strstr(a->message, "s3cr3t"));
	/* the flag beats the label */
	so.ref = "release";
	app_command(a, "repo=");
	assert_string_equal(asked_ref(a), "release");
	tui_app_free(a);
	store_close(s);
}

/*
 * smolder view --db --profile-type: the app starts on the merged profile (no browser
 * window opened) and is told its query; the pane splits it as it does from the browser.
 */
static void test_pane_direct(void **state)
{
	struct store *s = make_store("direct.db", true);
	struct source_opts so = { .source_path = "/nonexistent", .offline = true };
	struct backend *b;
	struct selector *sel = NULL;
	struct query q = { "process_cpu:cpu:nanoseconds::", NULL, { 0, 0 }, AGG_AUTO, NULL, 0 };
	struct prof *p = NULL;
	struct tui_opts o;
	struct tui_app *a;

	(void)state;
	assert_int_equal(store_backend_new(s, NULL, &b), 0);
	assert_int_equal(selector_parse("{service_name=\"app\"}", &sel), 0);
	q.selector = sel;
	q.range.to_ns = time_now_ns() + 60 * SEC;
	assert_int_equal(b->ops->merge(b, &q, &p, NULL), 0);
	selector_free(sel);
	memset(&o, 0, sizeof(o));
	o.sample_type = -1;
	o.source = "direct";
	o.source_opts = &so;
	o.backend = b;
	o.backend_name = "store test";
	o.opened_ptype = q.profile_type;
	o.opened_selector = "{service_name=\"app\"}";
	o.opened_from_ns = q.range.from_ns;
	o.opened_to_ns = q.range.to_ns;
	o.aggregate = AGG_SUM;  /* --aggregate: each version is merged the same way */
	assert_int_equal(tui_app_new(p, &o, &a), 0);
	assert_int_equal(tree_total(a->tree, 0, 0), 1350 * 1000000LL); /* both versions */
	assert_int_equal(a->sctx.q.agg, AGG_SUM);
	/* the query is handed over by tui_app_new itself, not picked up later */
	assert_true(a->sctx.q.set);
	assert_string_equal(a->sctx.q.ptype, "process_cpu:cpu:nanoseconds::");
	assert_string_equal(a->sctx.q.sel_text, "{service_name=\"app\"}");
	assert_false(a->sctx.opened); /* for the profile installed next, not this one */
	assert_null(a->opts.opened_ptype);
	show_work(a);
	assert_true(a->sctx.q.set);
	assert_int_equal(a->sctx.nv, 2);
	assert_int_equal(a->src.ver, 0);
	assert_string_equal(lines_of(a), "6:700/700 8:100/100"); /* v1's, not v1's + v2's */
	assert_string_equal(asked_ref(a), "v1");
	tui_app_key(a, 'v');
	assert_string_equal(lines_of(a), "9:300/500 11:50/50");
	assert_string_equal(asked_ref(a), "v2");
	/* the browser's window replaces the first profile: its own query from then on */
	tui_app_key(a, 'T');
	assert_int_equal(a->view, VIEW_BROWSER);
	tui_app_key(a, '\n');
	assert_string_equal(a->sctx.q.service, "app");
	tui_app_free(a);
	store_close(s);
}

static void test_pane_file(void **state)
{
	struct prof *p = tu_decode_bytes(tb_version_json(1), strlen(tb_version_json(1)),
					 "v1.speedscope.json");
	struct source_opts so = { .source_path = "/nonexistent", .offline = true };
	struct tui_opts o;
	struct tui_app *a;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.sample_type = -1;
	o.source = "v1.json";
	o.source_opts = &so;
	assert_int_equal(tui_app_new(p, &o, &a), 0);
	show_work(a);
	assert_false(a->sctx.q.set);
	assert_int_equal(a->src.ver, -1);
	assert_string_equal(lines_of(a), "6:700/700 8:100/100");
	assert_string_equal(asked_ref(a), "");
	app_command(a, "ref=v9");
	assert_string_equal(asked_ref(a), "v9");
	/* the pane keeps its function when the profile is filtered */
	app_command(a, "ignore=nothing-matches-this");
	assert_string_equal(lines_of(a), "6:700/700 8:100/100");
	assert_string_equal(asked_ref(a), "v9");
	tui_app_free(a);
}

/*
 * A git server that has no repository: counts the connections made to it (each clone
 * attempt is one or more) and answers each request 404, as a host without the
 * repository does.
 */
struct no_repo_server {
	int fd;
	unsigned short port;
	atomic_int conns;
	atomic_bool stop;
	pthread_t th;
};

static void *no_repo_serve(void *arg)
{
	static const char reply[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
				    "Connection: close\r\n\r\n";
	struct no_repo_server *sv = arg;
	char req[4096];

	while (!atomic_load(&sv->stop)) {
		int c = accept(sv->fd, NULL, NULL);
		size_t got = 0;
		ssize_t n;

		if (c < 0)
			continue;
		atomic_fetch_add(&sv->conns, 1);
		while (got < sizeof(req) - 1 &&
		       (n = read(c, req + got, sizeof(req) - 1 - got)) > 0) {
			got += (size_t)n;
			req[got] = '\0';
			if (strstr(req, "\r\n\r\n"))
				break;
		}
		if (write(c, reply, sizeof(reply) - 1) < 0)
			(void)0; /* the client went: nothing to tell it */
		close(c);
	}
	return NULL;
}

static void no_repo_start(struct no_repo_server *sv)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	socklen_t len = sizeof(in);

	memset(sv, 0, sizeof(*sv));
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sv->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(sv->fd >= 0);
	assert_int_equal(bind(sv->fd, (struct sockaddr *)&in, sizeof(in)), 0);
	assert_int_equal(listen(sv->fd, 16), 0);
	assert_int_equal(getsockname(sv->fd, (struct sockaddr *)&in, &len), 0);
	sv->port = ntohs(in.sin_port);
	assert_int_equal(pthread_create(&sv->th, NULL, no_repo_serve, sv), 0);
}

static void no_repo_stop(struct no_repo_server *sv)
{
	atomic_store(&sv->stop, true);
	shutdown(sv->fd, SHUT_RDWR); /* wakes accept() */
	pthread_join(sv->th, NULL);
	close(sv->fd);
}

/*
 * The explorer's session memo: a repository that cannot be cloned is tried once for the
 * first function, not again for the next one (each try is a connection, and ~250 KB
 * leaked inside libgit2 1.5); r and a typed setting try again.
 */
static void test_pane_memo(void **state)
{
	struct prof *p = tu_decode_bytes(tb_version_json(1), strlen(tb_version_json(1)),
					 "v1.speedscope.json");
	struct source_opts so = { .ref = "main", .cache_dir = tpath("memo-cache") };
	struct no_repo_server sv;
	struct tui_opts o;
	struct tui_app *a;
	char url[128];
	int first;

	(void)state;
	no_repo_start(&sv);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/acme/app.git", sv.port);
	so.repo = url;
	memset(&o, 0, sizeof(o));
	o.sample_type = -1;
	o.source = "v1.json";
	o.source_opts = &so;
	assert_int_equal(tui_app_new(p, &o, &a), 0);
	assert_int_equal(source_view_set(a, prof_find_str(a->prof, "main.work")), 0);
	a->view = VIEW_SOURCE;
	assert_false(a->src.have_code);
	assert_non_null(strstr(a->src.err, "cannot clone"));
	first = atomic_load(&sv.conns);
	assert_true(first >= 1);
	/* another function of the same repository: the failure is remembered */
	assert_int_equal(source_view_set(a, prof_find_str(a->prof, "main.main")), 0);
	assert_false(a->src.have_code);
	assert_non_null(strstr(a->src.err, "cannot clone"));
	assert_int_equal(atomic_load(&sv.conns), first);
	/* r: tried again, once more */
	tui_app_key(a, 'r');
	assert_non_null(strstr(a->src.err, "cannot clone"));
	assert_int_equal(atomic_load(&sv.conns), 2 * first);
	assert_int_equal(source_view_set(a, prof_find_str(a->prof, "main.work")), 0);
	assert_int_equal(atomic_load(&sv.conns), 2 * first);
	/* a typed setting (even the same ref): the user says where to look, so it looks */
	app_command(a, "ref=main");
	assert_non_null(strstr(a->src.err, "cannot clone"));
	assert_int_equal(atomic_load(&sv.conns), 3 * first);
	tui_app_free(a);
	no_repo_stop(&sv);
}

/*
 * Lines granularity: a line frame opens its function, read from the profile's functions,
 * also when the file's path has a space ("main.hot /home/u/My Projects/app/main.go:5"
 * was cut at the last space into the function "main.hot /home/u/My").
 */
static void test_pane_line_frame_space(void **state)
{
	static const char json[] =
		"{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\"shared\":"
		"{\"frames\":["
		"{\"name\":\"main.main\",\"file\":\"/home/u/My Projects/app/main.go\",\"line\":9},"
		"{\"name\":\"main.hot\",\"file\":\"/home/u/My Projects/app/main.go\",\"line\":5},"
		"{\"name\":\"main.hot\",\"file\":\"/home/u/My Projects/app/main.go\",\"line\":6}]},"
		"\"profiles\":[{\"type\":\"sampled\",\"name\":\"cpu\",\"unit\":\"milliseconds\","
		"\"startValue\":0,\"endValue\":1000,\"samples\":[[0,1],[0,2]],\"weights\":[300,100]}]}";
	struct prof *p = tu_decode_bytes(json, strlen(json), "space.speedscope.json");
	struct source_opts so = { .source_path = "/nonexistent", .offline = true };
	struct tui_opts o;
	struct tui_app *a;
	uint32_t id;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.sample_type = -1;
	o.source = "space.json";
	o.source_opts = &so;
	o.granularity = GRAN_LINES;
	assert_int_equal(tui_app_new(p, &o, &a), 0);
	assert_int_equal(a->gran, GRAN_LINES);
	id = prof_find_str(a->prof, "main.hot /home/u/My Projects/app/main.go:5");
	assert_int_not_equal(id, PROF_NONE);
	assert_int_equal(source_view_set(a, id), 0);
	assert_string_equal(a->src.fname, "main.hot");
	assert_string_equal(lines_of(a), "5:300/300 6:100/100");
	assert_int_equal(a->src.sel, 5);
	/* the code is asked for main.hot in its file */
	assert_true(strncmp(a->src.code_key, "main.hot\x1f/home/u/My Projects/app/main.go\x1f",
			    strlen("main.hot\x1f/home/u/My Projects/app/main.go\x1f")) == 0);
	/* the other line opens the same function on its own line */
	id = prof_find_str(a->prof, "main.hot /home/u/My Projects/app/main.go:6");
	assert_int_equal(source_view_set(a, id), 0);
	assert_string_equal(a->src.fname, "main.hot");
	assert_int_equal(a->src.sel, 6);
	tui_app_free(a);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_group_many),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_settings_credentials),
		cmocka_unit_test(test_share),
		cmocka_unit_test(test_pane_two_versions),
		cmocka_unit_test(test_pane_one_version),
		cmocka_unit_test(test_pane_direct),
		cmocka_unit_test(test_pane_file),
		cmocka_unit_test(test_pane_memo),
		cmocka_unit_test(test_pane_line_frame_space),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}
