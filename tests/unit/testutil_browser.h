/*
 * testutil_browser.h — what the store browser's tests (test_browser.c,
 * test_browser_backend.c) and the explorer's (test_explorer.c, test_explorer_jobs.c)
 * share: the explorer started on a profile, or in the browser on a backend, and the
 * small stores they open it on, written in the test's temporary directory (tu_tmp_create
 * first).
 *
 * Ownership: tb_app_of takes the profile and tb_app_on_backend the backend (the app
 * frees or closes them); the caller frees the app (tui_app_free) and closes the stores it
 * gets (store_close).  Helpers fail the running cmocka test on error.
 */
#ifndef SMOLDER_TESTUTIL_BROWSER_H
#define SMOLDER_TESTUTIL_BROWSER_H

#include <stdbool.h>
#include <stdint.h>

#include "store/backend.h"
#include "store/store.h"
#include "testutil.h"
#include "tui/tui.h"

/* The explorer on p (taken), named `source` (jobs run at once: no key loop). */
struct tui_app *tb_app_of(struct prof *p, const char *source);
/* The explorer on backend be (taken), in the browser (jobs run at once: no key loop). */
struct tui_app *tb_app_on_backend(struct backend *be, const struct source_opts *so);
/* The explorer on store s. */
struct tui_app *tb_app_on(struct store *s, const struct source_opts *so);

/*
 * Version v (1 or 2) of service app from https://example.com/acme/app (service_git_ref
 * "v1" or "v2"), written at t.  v1: main.work's loop on line 6 (700 ms) and its return
 * on line 8 (100 ms).  v2: the same function three lines down: line 9 (300 ms self,
 * 500 ms with the new main.square it calls) and line 11 (50 ms).
 */
void tb_put_version(struct store *s, int v, int64_t t);
/* Version v (1 or 2) as the speedscope JSON tb_put_version writes (static). */
const char *tb_version_json(int v);
/* A new store `name` with v1 20 min ago and v2 10 min ago. */
struct store *tb_two_versions(const char *name);
/* A new store `name`: n services (pods: one service, n pods) of a tiny profile, 10 min ago */
struct store *tb_many(const char *name, int n, bool pods);

#endif
