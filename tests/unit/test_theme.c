/*
 * test_theme.c — tui/theme.c: the shipped YAML themes load, a theme name is found where
 * the error says it is looked for, and bad theme files give a one-line error with a line
 * number instead of half a theme.
 */
#include "testutil.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Fails the test unless msg quotes dir (as '<dir>'). */
static void names_dir(const char *msg, const char *dir)
{
	char q[PATH_MAX + 66];

	snprintf(q, sizeof(q), "'%s'", dir);
	if (!strstr(msg, q))
		fail_msg("'%s' does not name %s", msg, q);
}

/*
 * By name: the user's directory first, then the source tree's (this test runs from the
 * build directory, out of the tree or in it, with nothing installed: it found only the
 * compiled-in dark), and a name found nowhere names every directory looked in (it named
 * two, not the executable's).
 */
static void test_search_dirs(void **state)
{
	char tmpl[] = "/tmp/smolder-theme-XXXXXX", dir[PATH_MAX], exe[PATH_MAX];
	char file[PATH_MAX + 64];
	const char *old = getenv("XDG_CONFIG_HOME");
	char *saved = old ? strdup(old) : NULL, *slash;
	struct theme t;
	ssize_t k;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	assert_int_equal(setenv("XDG_CONFIG_HOME", tmpl, 1), 0);
	/* nothing of the user's: light and mono from the source tree */
	assert_int_equal(theme_load(&t, "light"), 0);
	assert_string_equal(t.name, "light");
	assert_int_equal(theme_load(&t, "mono"), 0);
	assert_true(t.mono);
	/* the user's own light comes first */
	snprintf(dir, sizeof(dir), "%s/smolder/themes", tmpl);
	snprintf(file, sizeof(file), "%s/smolder", tmpl);
	assert_int_equal(mkdir(file, 0700), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(file, sizeof(file), "%s/light.yaml", dir);
	assert_non_null(f = fopen(file, "w"));
	fputs("name: mine\n", f);
	fclose(f);
	assert_int_equal(theme_load(&t, "light"), 0);
	assert_string_equal(t.name, "mine");
	/* found nowhere: every directory, as searched */
	assert_int_equal(theme_load(&t, "no-such-theme"), ERR_NOTFOUND);
	tu_assert_message(err_last());
	names_dir(err_last(), dir);
	k = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(k > 0);
	exe[k] = '\0';
	*strrchr(exe, '/') = '\0';  /* <bin> */
	if ((slash = strrchr(exe, '/')) && slash != exe) {
		*slash = '\0';  /* <bin>/.. */
		snprintf(file, sizeof(file), "%s/themes", exe);
		names_dir(err_last(), file);
		snprintf(file, sizeof(file), "%s/share/smolder/themes", exe);
		names_dir(err_last(), file);
	}
	snprintf(file, sizeof(file), "%s/themes", SMOLDER_SOURCE_DIR);
	names_dir(err_last(), file);
	names_dir(err_last(), SMOLDER_THEME_DIR);
	snprintf(file, sizeof(file), "%s/light.yaml", dir);
	unlink(file);
	rmdir(dir);
	snprintf(file, sizeof(file), "%s/smolder", tmpl);
	rmdir(file);
	rmdir(tmpl);
	if (saved)
		setenv("XDG_CONFIG_HOME", saved, 1);
	else
		unsetenv("XDG_CONFIG_HOME");
	free(saved);
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
		cmocka_unit_test(test_search_dirs),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_colours),
		cmocka_unit_test(test_diff_scale),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("theme", tests, NULL, NULL) ? 1 : 0;
}
