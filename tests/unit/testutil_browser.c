/*
 * testutil_browser.c — the explorer on a profile or in the browser, and the small stores
 * the browser's tests open it on (testutil_browser.h).
 */
#include "testutil_browser.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/timeparse.h"
#include "profile/labels.h"
#include "testutil_store.h"
#include "tui/tui_int.h"

struct tui_app *tb_app_of(struct prof *p, const char *source)
{
	struct tui_opts o;
	struct tui_app *a;

	memset(&o, 0, sizeof(o));
	o.sample_type = -1;
	o.source = source;
	if (tui_app_new(p, &o, &a))
		fail_msg("tui_app_new: %s", err_last());
	return a;
}

struct tui_app *tb_app_on_backend(struct backend *be, const struct source_opts *so)
{
	struct tui_opts o;
	struct tui_app *a;

	memset(&o, 0, sizeof(o));
	o.sample_type = -1;
	o.no_color = true;
	o.source = "store";
	o.backend = be;
	o.backend_name = "store test";
	o.start_in_browser = true;
	o.source_opts = so;
	if (tui_app_new(NULL, &o, &a))
		fail_msg("tui_app_new: %s", err_last());
	assert_int_equal(a->view, VIEW_BROWSER);
	return a;
}

struct tui_app *tb_app_on(struct store *s, const struct source_opts *so)
{
	return tb_app_on_backend(ts_backend_of(s), so);
}

static const char v1_json[] =
	"{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\"shared\":{\"frames\":["
	"{\"name\":\"main.main\",\"file\":\"work/main.go\",\"line\":11},"
	"{\"name\":\"main.work\",\"file\":\"work/main.go\",\"line\":6},"
	"{\"name\":\"main.work\",\"file\":\"work/main.go\",\"line\":8}]},"
	"\"profiles\":[{\"type\":\"sampled\",\"name\":\"cpu\",\"unit\":\"milliseconds\","
	"\"startValue\":0,\"endValue\":1000,\"samples\":[[0,1],[0,2]],\"weights\":[700,100]}]}";
static const char v2_json[] =
	"{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\"shared\":{\"frames\":["
	"{\"name\":\"main.main\",\"file\":\"work/main.go\",\"line\":14},"
	"{\"name\":\"main.work\",\"file\":\"work/main.go\",\"line\":9},"
	"{\"name\":\"main.work\",\"file\":\"work/main.go\",\"line\":11},"
	"{\"name\":\"main.square\",\"file\":\"work/main.go\",\"line\":4}]},"
	"\"profiles\":[{\"type\":\"sampled\",\"name\":\"cpu\",\"unit\":\"milliseconds\","
	"\"startValue\":0,\"endValue\":1000,\"samples\":[[0,1],[0,2],[0,1,3]],"
	"\"weights\":[300,50,200]}]}";

const char *tb_version_json(int v)
{
	assert_true(v == 1 || v == 2);
	return v == 1 ? v1_json : v2_json;
}

void tb_put_version(struct store *s, int v, int64_t t)
{
	const char *json = tb_version_json(v);
	struct prof *p = tu_decode_bytes(json, strlen(json), "v.speedscope.json");
	struct labelset ls = LABELSET_INIT;

	labelset_set(&ls, "service_name", "app");
	labelset_set(&ls, "service_repository", "https://example.com/acme/app");
	labelset_set(&ls, "service_git_ref", v == 1 ? "v1" : "v2");
	if (store_write(s, NULL, &ls, p, t, 10 * SEC))
		fail_msg("store_write: %s", err_last());
	labelset_free(&ls);
	prof_free(p);
}

struct store *tb_two_versions(const char *name)
{
	struct store *s = ts_open_new(name);
	int64_t now = time_now_ns();

	tb_put_version(s, 1, now - 20 * 60 * SEC);
	tb_put_version(s, 2, now - 10 * 60 * SEC);
	return s;
}

struct store *tb_many(const char *name, int n, bool pods)
{
	struct store *s = ts_open_new(name);
	struct prof *p = tu_decode_str("main;work 5\n");
	int64_t t = time_now_ns() - 600 * SEC;
	int i;

	for (i = 0; i < n; i++) {
		char v[32];

		snprintf(v, sizeof(v), "%s%02d", pods ? "pod-" : "svc-", i);
		ts_write_or_fail(s, pods ? "app" : v, p, t, pods ? "pod" : NULL, pods ? v : NULL);
	}
	prof_free(p);
	return s;
}
