/*
 * test_explorer_keys.c — the explorer driven by its keys (tui_app_key) on the fixtures'
 * cpuwork CPU profile, drawn on an off-screen terminal (offscreen.h) whose cells are
 * read back, for what a user journey through the top table, the sandwich and export
 * showed (a review, reproduced):
 *
 *  - the top table's row filter (`/json`) is named on the status line in the top table
 *    only: the sandwich reached from it is not filtered, and said "filter: json".
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "offscreen.h"
#include "testutil.h"
#include "tui/tui_int.h"

#define CPUWORK "go/cpuwork-cpu.pb.gz"

/* The explorer on the fixture `rel`, its jobs run at once (no key loop). */
static struct tui_app *app_on(const char *rel)
{
	struct tui_opts o;
	struct tui_app *a;

	memset(&o, 0, sizeof(o));
	o.sample_type = -1;
	o.source = rel;
	if (tui_app_new(tu_decode(rel), &o, &a))
		fail_msg("tui_app_new: %s", err_last());
	return a;
}

/* Presses each key of s in turn, as a person types them. */
static void keys(struct tui_app *a, const char *s)
{
	for (; *s; s++)
		tui_app_key(a, (unsigned char)*s);
}

/* ------------------------------------------------------------------------------------ */
/* the top table's row filter                                                            */

static void test_row_filter_named_in_top_only(void **state)
{
	struct tui_app *a = app_on(CPUWORK);
	struct offscreen scr = screen_open(30, 160);
	const char *text;

	(void)state;
	keys(a, "2/json\n");
	assert_int_equal(a->view, VIEW_TOP);
	text = screen_text(a, &scr);
	assert_on_screen(text, "filter: json");
	assert_on_screen(text, "encoding/json.");
	/* the selected row's sandwich: not filtered by the table's rows, and not said so */
	keys(a, "3");
	assert_int_equal(a->view, VIEW_SANDWICH);
	assert_true(a->sw.name != 0);
	text = screen_text(a, &scr);
	assert_on_screen(text, "sandwich of");
	assert_not_on_screen(text, "filter: json");
	/* back in the table, the filter is still there, and named */
	keys(a, "2");
	text = screen_text(a, &scr);
	assert_on_screen(text, "filter: json");
	screen_close(&scr);
	tui_app_free(a);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_row_filter_named_in_top_only),
	};
	int rc;

	setlocale(LC_ALL, "C.UTF-8");
	tu_init(argc, argv);
	if (tu_tmp_create("explorer_keys"))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tu_tmp_remove();
	return rc;
}
