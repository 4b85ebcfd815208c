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

/* Whether re matches name; an answer search_test() cannot give fails the test. */
static bool name_matches(const char *re, const char *name)
{
	struct search s;
	int r;

	if (search_compile(&s, re))
		fail_msg("search_compile '%s': %s", re, err_last());
	r = search_test(&s, name, strlen(name));
	search_release(&s);
	if (r < 0)
		fail_msg("'%s' on '%.40s...': %s", re, name, err_last());
	return r == 1;
}

/*
 * (?m)'s `$` in the DFA fallback: with PCRE2_DOLLAR_ENDONLY, pcre2_dfa_match() read it as
 * the end of the text, so a pattern the backtracker gave up on answered "no" where RE2
 * says yes.  Go's verdicts, and the scope of (?m) as RE2 has it.
 */
static void test_dollar_multiline_scope(void **state)
{
	char name[64];

	(void)state;
	memset(name, 'a', 40);
	memcpy(name + 40, "\nx", 3);
	/* the backtracker gives up on this one: the DFA decides */
	assert_true(name_matches("(?m)(a|a)*c|^a+$", name));
	assert_false(name_matches("(a|a)*c|^a+$", name));
	assert_true(name_matches("(?m)^$", "a\n\nb"));
	assert_true(name_matches("(?m)^x$", "a\nx\nb"));
	/* (?m) to the end of its group; (?m:...) inside only; (?-m) turns it off */
	assert_true(name_matches("((?m)x$)\n", "x\ny"));
	assert_false(name_matches("((?m)x)$", "x\ny"));
	assert_true(name_matches("(?m:x$)\ny", "x\ny"));
	assert_false(name_matches("(?m:x)$", "x\n"));
	assert_false(name_matches("(?m)(?-m)x$", "x\ny"));
	assert_true(name_matches("(?P<n>(?m)x$)", "x\ny"));
}

/*
 * An invalid UTF-8 byte is U+FFFD, as Go's regexp reads it, whichever engine decides:
 * under PCRE2_MATCH_INVALID_UTF it matched nothing on the backtracker and U+FFFD on the
 * DFA, so the answer depended on which one ran.
 */
static void test_invalid_utf8_is_fffd(void **state)
{
	(void)state;
	assert_true(name_matches(".", "\xff"));
	assert_true(name_matches("^.$", "\xff"));
	assert_true(name_matches("^a.b$", "a\xff" "b"));
	assert_false(name_matches("^a..b$", "a\xff" "b"));
	assert_true(name_matches("^\\x{fffd}$", "\xff"));
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
	assert_int_equal(matcher_test(&sel->m[0], "x\n", 2), 0);
	selector_free(sel);
	if (selector_new(&sel) || selector_add(sel, "a", MATCH_RE, "(?m)x$\n"))
		fail_msg("selector: %s", err_last());
	assert_int_equal(matcher_test(&sel->m[0], "x\n", 2), 1);
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

/*
 * Escapes, classes and counts as Go's regexp reads them (regexp.Compile and MatchString
 * on Go 1.19, each case): what Go takes means what it means in Go, where PCRE2 read it
 * otherwise (\101 and \12 are octal, not backreferences; [\S] has VT; [\w-z] and [[=a=]]
 * are literal '-' and '[', which PCRE2 refused; a{,5} and a{01} are literal).
 */
static void test_go_escapes_taken(void **state)
{
	static const struct {
		const char *re, *name;
		bool match;
	} cases[] = {
		{ "\\101", "A", true },
		{ "^\\12$", "\n", true },
		{ "^\\0123$", "\n3", true },
		{ "^[\\12]$", "\n", true },
		{ "^\\x{41}\\x42$", "AB", true },
		{ "^\\x{0000000041}$", "A", true },
		{ "^[\\S]$", "\v", true },
		{ "^[\\S]$", " ", false },
		{ "^[^\\S]$", "\v", false },
		{ "^[^\\S]$", " ", true },
		{ "^[\\v]$", "\v", true },
		{ "^\\v$", "\n", false },
		{ "^[\\w-z]$", "-", true },
		{ "^[\\w-z]$", ".", false },
		{ "^[\\d-\\w]$", "-", true },
		{ "^[\\w--z]$", ".", true },
		{ "^[\\pN-]+$", "1-2", true },
		{ "^[[:alpha:]-z]$", "-", true },
		{ "^[[:alpha:]-z]$", ".", false },
		{ "^[[-a]$", "_", true },
		{ "^(?P<n>a{2})+(?:b)$", "aaaab", true },
		{ "^[[=a=]]$", "a]", true },
		{ "^[[=a=]]$", "=]", true },
		{ "^[[=a=]]$", "a", false },
		{ "^[[.a.]]$", ".]", true },
		{ "^[[:^alpha:]]$", "1", true },
		{ "^a{,5}$", "a{,5}", true },
		{ "^a{01}$", "a{01}", true },
		{ "^a{01}$", "a", false },
		{ "^\\p{Greek}+$", "\xce\xb1\xce\xb2", true },
		{ "^\\p{^Greek}$", "a", true },
		{ "^\\p{^Greek}$", "\xce\xb1", false },
		{ "^\\pL$", "\xc3\xa9", true },
		{ "^(a{0}){1000}b$", "b", true },
		{ "^((a{1000}){0}){2}b$", "b", true },  /* Go looks no further under {0} */
		{ "^(a{10}){100}$", "a", false },
		{ "^a{2}?$", "aa", true },
		{ "^\\-\\_$", "-_", true },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (name_matches(cases[i].re, cases[i].name) != cases[i].match)
			fail_msg("'%s' on '%s': Go says %s", cases[i].re, cases[i].name,
				 cases[i].match ? "match" : "no match");
}

/*
 * What Go's regexp refuses, PCRE2 took with a meaning of its own (\e escape, \x NUL,
 * \o{101} octal, \p{Xan}, [\b] backspace, a{1001}, a{2}{3} = a{6}) or refused in its own
 * words: refused here in one line, as pprof refuses them.
 */
static void test_go_escapes_refused(void **state)
{
	static const char *const bad[] = {
		"\\e", "\\x", "\\x4", "\\x4g", "\\x{}", "\\x{110000}", "\\o{101}", "\\p{Xan}",
		"\\p{L&}", "\\p{Lc}", "\\p{greek}", "\\pX", "\\p", "a{1001}", "a{2,1001}", "a{1,0}",
		"a{99999999999}", "(a{100}){100}", "((a{10}){10}){11}", "\\1", "\\8", "\\18",
		"[\\1]", "[a\\b]", "[\\A]", "[\\z]", "[\\Q]", "[\\e]", "[\\p{Xan}]", "[[:foo:]]",
		"[[:a]x:]]", "\\\xc3\xa9", "a{2}{3}", "a{2}*", "a*?*", "a*??", "a{2}??", "a*+",
		"\\cA", "\\N", "\\Z", "\\i", "\\u0041", "x\\",
		/* a count past long: read to its end, still too big (it overflowed) */
		"a{9999999999778639071115485380615}", "a{99999999999999999999999999,2}",
		"((a{1000}){0,}){2}",
	};
	struct buf out = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (re2_to_pcre(bad[i], &out) != ERR_PARSE)
			fail_msg("'%s' accepted as '%s'", bad[i], out.data);
		tu_assert_message(err_last());
		assert_non_null(strstr(err_last(), "which RE2 syntax (pprof's) does not have"));
	}
	assert_int_equal(re2_to_pcre("\\p{Xan}", &out), ERR_PARSE);
	assert_string_equal(err_last(), "'\\p{Xan}' uses \\p{Xan} (not one of Go's Unicode "
					"classes), which RE2 syntax (pprof's) does not have");
	assert_int_equal(re2_to_pcre("a\\ez", &out), ERR_PARSE);
	assert_string_equal(err_last(), "'a\\ez' uses \\e, which RE2 syntax (pprof's) does not have");
	assert_int_equal(re2_to_pcre("a{1001}", &out), ERR_PARSE);
	assert_non_null(strstr(err_last(), "uses {1001} (a count over 1000"));
	buf_release(&out);
}

/* matcher_test() of one matcher: 1, 0, or its error */
static int selector_holds(enum match_op op, const char *re, const char *value)
{
	struct selector *sel = NULL;
	int r;

	if (selector_new(&sel) || selector_add(sel, "service_name", op, re))
		fail_msg("selector: %s", err_last());
	r = matcher_test(&sel->m[0], value, strlen(value));
	selector_free(sel);
	return r;
}

/*
 * (a|a)*c backtracks 2^40 ways on 40 a's, past PCRE2's match limit, where RE2 (pprof,
 * Prometheus) is linear: the answer is still the right one (go tool pprof -focus matches
 * the 40 a's), from the DFA, never "no match" (!~ used to select the series).
 */
static void test_backtracking_limit(void **state)
{
	static const char folded[] = "main;aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 5\nmain;other 3\n";
	const char *a40 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	struct search s;
	struct prof *p;
	struct tree *t = NULL;
	int64_t matched = 0;

	(void)state;
	assert_true(name_matches("(a|a)*c|^a+$", a40));
	assert_false(name_matches("(a|a)*c|^a+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"));
	/* the DFA reads an invalid byte as U+FFFD, as Go does: `.` matches it */
	assert_true(name_matches("(a|a)*c|^a+.$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xff"));
	/* the DFA searches in one anchored pass: flags, \Q and ^ keep their meaning */
	assert_true(name_matches("(?i)(a|a)*c|^A+$", a40));
	assert_false(name_matches("(a|a)*c|x^a+$", a40));
	assert_true(name_matches("(a|a)*c|\\Qab", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"));
	assert_false(name_matches("(a|a)*c|\\Qa)", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"));
	/* a match late in a long name: one pass, where restarting at every byte was not */
	{
		char big[5003];

		memset(big, 'a', 5000);
		memcpy(big + 5000, "bx", 3);
		assert_true(name_matches("(?:a?){100}x", big));
		assert_false(name_matches("(?:a?){100}y", big));
	}
	assert_int_equal(selector_holds(MATCH_RE, "(a|a)*c|a+", a40), 1);
	assert_int_equal(selector_holds(MATCH_NRE, "(a|a)*c|a+", a40), 0);
	assert_int_equal(selector_holds(MATCH_RE, "(a|a)*c|a+", "other"), 0);
	assert_int_equal(selector_holds(MATCH_NRE, "(a|a)*c|a+", "other"), 1);
	assert_int_equal(selector_holds(MATCH_RE, "(a|a)*c|a+.",
					"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xff"), 1);

	/* search_run: the 40 a's are the 5 matched */
	p = tu_decode_str(folded);
	if (tree_build(p, &t) || search_compile(&s, "(a|a)*c|^a+$"))
		fail_msg("%s", err_last());
	assert_int_equal(search_run(&s, t, 0, &matched), 0);
	assert_int_equal(matched, 5);
	assert_int_equal(s.nmatch, 1);
	search_release(&s);
	tree_free(t);
	prof_free(p);
}

/*
 * A regex Go takes whose DFA form PCRE2 finds too large: said so, not "out of memory"
 * (35 MB were in use: the message sent the user looking for the wrong problem).
 */
static void test_dfa_too_large(void **state)
{
	static const char re[] = "(((x|y{1000}a+){0})?){1,1000}";
	struct search s;
	int r;

	(void)state;
	if (search_compile(&s, re))
		fail_msg("search_compile: %s", err_last());
	r = search_test(&s, "x", 1);
	assert_true(r < 0);  /* the backtracker gave up: the DFA was asked */
	tu_assert_message(err_last());
	assert_null(strstr(err_last(), "out of memory"));
	assert_non_null(strstr(err_last(), "too large"));
	search_release(&s);
}

/* Where the DFA cannot tell either, the answer is an error naming the regex, not "no". */
static void test_too_complex(void **state)
{
	static const char re[] = "(?:a?){1000}x";
	char name[1100];
	struct search s;
	struct prof *p;
	struct tree *t = NULL;
	struct buf folded = BUF_INIT;
	int64_t matched = 0;

	(void)state;
	memset(name, 'a', 1000);
	memcpy(name + 1000, "bx", 3);
	if (search_compile(&s, re))
		fail_msg("%s", err_last());
	assert_int_equal(search_test(&s, name, strlen(name)), ERR_TOOBIG);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "regex '(?:a?){1000}x' is too complex"));
	/* a value that cannot be told is the error for =~ and !~ alike, not a "no" */
	assert_int_equal(selector_holds(MATCH_RE, "(?:a?){1000}x", name), ERR_TOOBIG);
	assert_non_null(strstr(err_last(), "regex '(?:a?){1000}x' is too complex"));
	assert_int_equal(selector_holds(MATCH_NRE, "(?:a?){1000}x", name), ERR_TOOBIG);

	if (buf_printf(&folded, "main;%s 1\n", name))
		fail_msg("nomem");
	p = tu_decode_str(folded.data);
	if (tree_build(p, &t))
		fail_msg("%s", err_last());
	assert_int_equal(search_run(&s, t, 0, &matched), ERR_TOOBIG);
	search_release(&s);
	tree_free(t);
	prof_free(p);
	buf_release(&folded);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dollar_end_only),
		cmocka_unit_test(test_dollar_multiline_scope),
		cmocka_unit_test(test_invalid_utf8_is_fffd),
		cmocka_unit_test(test_selector_dollar),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_go_escapes_taken),
		cmocka_unit_test(test_go_escapes_refused),
		cmocka_unit_test(test_dfa_too_large),
		cmocka_unit_test(test_backtracking_limit),
		cmocka_unit_test(test_too_complex),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("re2", tests, NULL, NULL) ? 1 : 0;
}
