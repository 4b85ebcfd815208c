/*
 * test_re2.c — regexes in RE2 syntax on PCRE2 (profile/re2.c) as the modules that
 * compile them use them: frame-name search (search.c, which the filters and prune use)
 * and label matchers (selector.c).  What matches is Go's regexp's answer, checked with
 * `go run` on Go 1.19 where the two libraries differ.
 */
#include "testutil.h"

#include <string.h>

#include "base/err.h"
#include "profile/re2.h"
#include "profile/search.h"
#include "profile/selector.h"

static bool name_matches(const char *re, const char *name)
{
	struct search s;
	bool r;

	if (search_compile(&s, re))
		fail_msg("search_compile '%s': %s", re, err_last());
	r = search_match(&s, name, strlen(name));
	search_release(&s);
	return r;
}

/* RE2's `$` is the end of the text; PCRE2's also matches before a last newline. */
static void test_dollar_end_only(void **state)
{
	(void)state;
	assert_true(name_matches("end$", "main.end"));
	assert_false(name_matches("end$", "main.end\n"));
	assert_false(name_matches("^main\\.end$", "main.end\n"));
	/* (?m): before every newline, in both */
	assert_true(name_matches("(?m)end$", "main.end\n"));
	assert_true(name_matches("(?m)end$\\nx", "main.end\nx"));
	/* \z is the end of the text in both */
	assert_false(name_matches("end\\z", "main.end\n"));
	assert_true(name_matches("end\\n\\z", "main.end\n"));
}

/* Prometheus's =~ anchors the regex at both ends (Go's ^(?:re)$) */
static void test_selector_dollar(void **state)
{
	struct selector *sel = NULL;

	(void)state;
	if (selector_new(&sel) || selector_add(sel, "a", MATCH_RE, "x$\n"))
		fail_msg("selector: %s", err_last());
	/* Go: regexp.MustCompile("^(?:x$\n)$").MatchString("x\n") is false */
	assert_false(matcher_match(&sel->m[0], "x\n", 2));
	selector_free(sel);
	if (selector_new(&sel) || selector_add(sel, "a", MATCH_RE, "(?m)x$\n"))
		fail_msg("selector: %s", err_last());
	assert_true(matcher_match(&sel->m[0], "x\n", 2));
	selector_free(sel);
}

/* (? forms: Go 1.19's regexp.Compile's verdicts (and (?<name>, which Go has since 1.22) */
static void test_groups(void **state)
{
	static const char *const good[] = {
		"(?:a)", "(?)a", "(?i)a", "(?-i)a", "(?i-s:a)", "(?smiU)a", "(?P<n>a)", "(?<n>a)",
		"(?U)a+",
	};
	static const char *const bad[] = {
		"(?x)a", "(?#c)a", "(?i-)a", "(?-)a", "(?s-)a", "(?--i)a", "(?i-m-s)a", "(?'n'a)",
		"(?^)a", "(?n)a", "(?J)a", "(?C1)a", "(?*a)", "x(?xi:a)",
	};
	struct buf out = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (re2_to_pcre(good[i], &out))
			fail_msg("'%s' refused: %s", good[i], err_last());
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (re2_to_pcre(bad[i], &out) != ERR_PARSE)
			fail_msg("'%s' accepted", bad[i]);
		tu_assert_message(err_last());
	}
	/* in a class, escaped, or quoted, "(?x" is three characters */
	assert_true(name_matches("[(?x]+y", "?xy"));
	assert_true(name_matches("\\(?x", "(x"));
	assert_true(name_matches("\\Q(?x)\\E", "(?x)"));
	buf_release(&out);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dollar_end_only),
		cmocka_unit_test(test_selector_dollar),
		cmocka_unit_test(test_groups),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("re2", tests, NULL, NULL) ? 1 : 0;
}
