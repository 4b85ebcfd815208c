/*
 * test_theme.c — tui/theme.c: the shipped YAML themes load, and bad theme files give a
 * one-line error with a line number instead of half a theme.
 */
#include "testutil.h"

#include <string.h>

#include "base/err.h"
#include "tui/theme.h"

static void load_shipped(const char *name, struct theme *t)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/themes/%s.yaml", SMOLDER_SOURCE_DIR, name);
	if (theme_load(t, path))
		fail_msg("theme %s: %s", name, err_last());
}

static void test_shipped(void **state)
{
	struct theme t;

	(void)state;
	load_shipped("dark", &t);
	assert_string_equal(t.name, "dark");
	assert_int_equal(t.npalette, 8);
	assert_false(t.mono);
	assert_int_equal(t.roles[ROLE_TAB_ACTIVE].bg, THEME_RGB(0xff, 0xaf, 0x00));
	assert_true(t.roles[ROLE_SELECTED].attrs & THEME_REVERSE);
	assert_int_equal(t.roles[ROLE_BREADCRUMB].bg, THEME_DEFAULT);

	load_shipped("light", &t);
	assert_string_equal(t.name, "light");
	assert_int_equal(t.npalette, 8);

	load_shipped("mono", &t);
	assert_true(t.mono);
}

static void test_default_needs_no_file(void **state)
{
	struct theme t;

	(void)state;
	assert_int_equal(theme_load(&t, "default"), 0);
	assert_true(t.npalette > 0);
	/* "dark" is compiled in: it works even where no theme file is installed */
	assert_int_equal(theme_load(&t, "dark"), 0);
	assert_int_equal(theme_load(&t, "no-such-theme"), ERR_NOTFOUND);
	assert_non_null(strstr(err_last(), "no theme 'no-such-theme'"));
	/* a name is a name: no path tricks; a path is the user's own file */
	assert_int_equal(theme_load(&t, "dark\\x"), ERR_NOTFOUND);
	assert_int_equal(theme_load(&t, "/nonexistent/theme.yaml"), ERR_NOTFOUND);
}

static void bad(const char *yaml, const char *want)
{
	struct theme t;
	int rc;

	theme_default(&t);
	rc = theme_parse(&t, yaml, strlen(yaml), "bad.yaml");
	assert_int_equal(rc, ERR_PARSE);
	if (!strstr(err_last(), want))
		fail_msg("for %s: got '%s', want '%s'", yaml, err_last(), want);
	assert_null(strchr(err_last(), '\n'));
}

static void test_bad_files(void **state)
{
	(void)state;
	bad("roles:\n  header: { fg: \"#zz0000\" }\n", "bad.yaml: line 2: bad colour");
	bad("roles:\n  nosuchrole: { fg: red }\n", "line 2: unknown role");
	bad("palette: [red, 300]\n", "line 1: palette wants at most 16 colours");
	bad("roles: { header: { attrs: [blink] } }\n", "unknown attribute");
	bad("colours: {}\n", "unknown key (name, mono, roles, palette, diff_more");
	bad("- just\n- a list\n", "a theme is a mapping");
	bad("roles: {header: {fg: red}\n", "bad.yaml: line");
	bad("roles: { header: [red] }\n", "a role wants a mapping");
	bad("diff_more: [red, green]\n", "a diff scale wants 4 colours");
	bad("diff_less: [red, red, red, red, red]\n", "a diff scale wants 4 colours");
	bad("diff_neutral: \"#12\"\n", "bad colour");
}

static void test_diff_scale(void **state)
{
	struct theme t;
	const char *y = "diff_less: [\"#000001\", \"#000002\", \"#000003\", \"#000004\"]\n"
			"diff_neutral: white\ncolor_blind: true\n";

	(void)state;
	theme_default(&t);
	/* the default: red for more, green for less, blue for colour-blind less */
	assert_true(((t.diff_more[3] >> 16) & 0xff) > ((t.diff_more[3] >> 8) & 0xff));
	assert_true(((t.diff_less[3] >> 8) & 0xff) > ((t.diff_less[3] >> 16) & 0xff));
	assert_true((t.diff_less_cb[3] & 0xff) > ((t.diff_less_cb[3] >> 16) & 0xff));
	assert_false(t.color_blind);
	assert_int_equal(theme_parse(&t, y, strlen(y), "t.yaml"), 0);
	assert_int_equal(t.diff_less[0], THEME_RGB(0, 0, 1));
	assert_int_equal(t.diff_less[3], THEME_RGB(0, 0, 4));
	assert_true(t.color_blind);
}

static void test_colours(void **state)
{
	struct theme t;
	const char *y = "roles:\n  header: { fg: 196, bg: blue, attrs: bold }\n"
			"palette: [\"#010203\", default]\n";

	(void)state;
	theme_default(&t);
	assert_int_equal(theme_parse(&t, y, strlen(y), "t.yaml"), 0);
	assert_int_equal(t.roles[ROLE_HEADER].fg, 196);
	assert_int_equal(t.roles[ROLE_HEADER].bg, 4);
	assert_int_equal(t.roles[ROLE_HEADER].attrs, THEME_BOLD);
	assert_int_equal(t.npalette, 2);
	assert_int_equal(t.palette[0], THEME_RGB(1, 2, 3));
	assert_int_equal(t.palette[1], THEME_DEFAULT);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_default_needs_no_file),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_colours),
		cmocka_unit_test(test_diff_scale),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("theme", tests, NULL, NULL) ? 1 : 0;
}
