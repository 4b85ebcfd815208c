/*
 * test_selector.c — profile/selector.c: Prometheus selectors as Pyroscope takes them:
 * the four operators, anchored PCRE2 regexes, absent labels as "", quoting and Go
 * escapes, metric names, the canonical text form, values written back as string literals
 * for each quote (selector_escape: the browser's Tab), and one-line errors with offsets.
 */
#include <string.h>

#include "base/err.h"
#include "base/text.h"
#include "profile/selector.h"
#include "testutil.h"

static struct selector *parse(const char *s)
{
	struct selector *sel;

	if (selector_parse(s, &sel))
		fail_msg("selector_parse('%s'): %s", s, err_last());
	return sel;
}

static void parse_fails(const char *s, const char *want)
{
	struct selector *sel = (struct selector *)1;
	int rc = selector_parse(s, &sel);

	if (rc == 0)
		fail_msg("selector_parse('%s') succeeded", s);
	assert_null(sel);
	tu_assert_message(err_last());
	if (!strstr(err_last(), want))
		fail_msg("selector_parse('%s'): '%s' does not say '%s'", s, err_last(), want);
}

static bool matches(const char *sel, const struct labelset *ls)
{
	struct selector *s = parse(sel);
	int r = selector_test(s, ls);

	selector_free(s);
	if (r < 0)
		fail_msg("selector_test('%s'): %s", sel, err_last());
	return r == 1;
}

/* selector_test()'s answer, error and all */
static int test_of(const char *sel, const struct labelset *ls)
{
	struct selector *s = parse(sel);
	int r = selector_test(s, ls);

	selector_free(s);
	return r;
}

static void test_parse(void **state)
{
	struct selector *s;

	(void)state;
	s = parse("{service_name=\"app\", region=~\"eu-.*\", env!=\"dev\", x!~'a|b'}");
	assert_int_equal(s->n, 4);
	assert_string_equal(s->m[0].name, "service_name");
	assert_int_equal(s->m[0].op, MATCH_EQ);
	assert_string_equal(s->m[0].value, "app");
	assert_int_equal(s->m[1].op, MATCH_RE);
	assert_int_equal(s->m[2].op, MATCH_NE);
	assert_int_equal(s->m[3].op, MATCH_NRE);
	assert_string_equal(s->m[3].value, "a|b");
	assert_ptr_equal(selector_find(s, "env"), &s->m[2]);
	assert_null(selector_find(s, "nope"));
	selector_free(s);
	/* empty forms, blanks anywhere, a trailing comma */
	s = parse("");
	assert_int_equal(s->n, 0);
	selector_free(s);
	s = parse("  { }  ");
	assert_int_equal(s->n, 0);
	selector_free(s);
	s = parse("{ a = \"1\" , b=~`x\\d+` , }");
	assert_int_equal(s->n, 2);
	assert_string_equal(s->m[1].value, "x\\d+");  /* backquotes are raw */
	selector_free(s);
	/* a metric name; a profile type ID in its place (Pyroscope's render API) */
	s = parse("process_cpu{service_name=\"x\"}");
	assert_string_equal(s->m[0].name, "__name__");
	assert_string_equal(s->m[0].value, "process_cpu");
	selector_free(s);
	s = parse("process_cpu:cpu:nanoseconds:cpu:nanoseconds{}");
	assert_string_equal(s->m[0].name, "__profile_type__");
	assert_string_equal(s->m[0].value, "process_cpu:cpu:nanoseconds:cpu:nanoseconds");
	selector_free(s);
	s = parse("memory");
	assert_int_equal(s->n, 1);
	selector_free(s);
	/* quoted and dotted names (OpenTelemetry) */
	s = parse("{\"service.name\"=\"a\", process.runtime.name=\"go\"}");
	assert_string_equal(s->m[0].name, "service.name");
	assert_string_equal(s->m[1].name, "process.runtime.name");
	selector_free(s);
	/* Go escapes */
	s = parse("{a=\"q\\\"\\\\\\n\\t\\x41\\101\\u00e9\\U0001F600\"}");
	assert_string_equal(s->m[0].value, "q\"\\\n\tAA\xc3\xa9\xf0\x9f\x98\x80");
	selector_free(s);
}

static void test_errors(void **state)
{
	(void)state;
	parse_fails("{a=\"x\"", "offset 6: missing '}'");
	parse_fails("{a \"x\"}", "offset 3: expected '=', '!=', '=~' or '!~' after 'a'");
	parse_fails("{a=x}", "offset 3: expected a quoted value");
	parse_fails("{=\"x\"}", "offset 1: expected a label name");
	parse_fails("{a=\"x\" b=\"y\"}", "offset 7: expected ',' or '}'");
	parse_fails("{a=\"x}", "offset 3: unterminated quoted string");
	parse_fails("{a=\"\\q\"}", "offset 4: unknown escape sequence");
	parse_fails("{a=\"\\xZZ\"}", "bad hexadecimal escape");
	parse_fails("{a=\"\\uD800\"}", "not a valid Unicode code point");
	parse_fails("{a=\"x\\000y\"}", "a NUL byte");
	parse_fails("{a=~\"(unclosed\"}", "offset 4: bad regex '(unclosed'");
	parse_fails("{a=\"x\"} trailing", "offset 8: unexpected text after '}'");
	parse_fails("9abc{}", "offset 0: expected '{' or a metric name");
	parse_fails("{a=\"line\nbreak\"}", "line break");
	{
		/* limits */
		struct buf b = BUF_INIT;
		int i;

		buf_puts(&b, "{");
		for (i = 0; i <= SELECTOR_MAX_MATCHERS; i++)
			buf_printf(&b, "l%d=\"v\",", i);
		buf_puts(&b, "}");
		parse_fails(b.data, "more than 128 matchers");
		buf_reset(&b);
		for (i = 0; i < SELECTOR_MAX_LEN + 1; i++)
			buf_add(&b, " ", 1);
		parse_fails(b.data, "longer than");
		buf_release(&b);
	}
}

static void test_match(void **state)
{
	struct labelset ls = LABELSET_INIT;

	(void)state;
	labelset_set(&ls, "service_name", "app");
	labelset_set(&ls, "region", "eu-west-1");
	labelset_set(&ls, "multi", "a\nb");
	assert_true(matches("{}", &ls));
	assert_true(matches("{service_name=\"app\"}", &ls));
	assert_false(matches("{service_name=\"ap\"}", &ls));
	assert_true(matches("{service_name!=\"ap\"}", &ls));
	/* regexes match the whole value */
	assert_true(matches("{region=~\"eu-.*\"}", &ls));
	assert_false(matches("{region=~\"eu\"}", &ls));
	assert_false(matches("{region=~\"west\"}", &ls));
	assert_true(matches("{region=~\".*west.*\"}", &ls));
	assert_true(matches("{region=~\"eu|eu-west-1\"}", &ls));
	assert_false(matches("{region!~\"eu-.*\"}", &ls));
	assert_true(matches("{region!~\"us-.*\"}", &ls));
	assert_true(matches("{region=~\"(?i)EU-WEST-\\\\d\"}", &ls));
	assert_true(matches("{multi=~\"a.b\"}", &ls));  /* . matches a newline */
	/* absent labels are "" */
	assert_true(matches("{env=\"\"}", &ls));
	assert_true(matches("{env!=\"dev\"}", &ls));
	assert_false(matches("{env=\"dev\"}", &ls));
	assert_true(matches("{env=~\".*\"}", &ls));
	assert_false(matches("{env=~\".+\"}", &ls));
	assert_true(matches("{env!~\".+\"}", &ls));
	assert_false(matches("{service_name=\"\"}", &ls));
	/* all must hold */
	assert_false(matches("{service_name=\"app\", region=\"us\"}", &ls));
	/* invalid UTF-8 values do not break regex matching */
	labelset_set(&ls, "bin", "\xff\xfe");
	assert_true(matches("{bin=~\".*\"}", &ls));
	assert_false(matches("{bin=~\"x\"}", &ls));
	assert_true(matches("{bin!~\"x\"}", &ls));
	labelset_free(&ls);
}

/*
 * A value whose regex neither PCRE2 nor its DFA can decide (test_re2.c's test_too_complex)
 * is an error naming the regex, for =~ and !~ alike: it used to be a "no" for both, so
 * neither {v=~re} nor {v!~re} selected the series.
 */
static void test_match_too_complex(void **state)
{
	struct labelset ls = LABELSET_INIT;
	char value[1003];

	(void)state;
	memset(value, 'a', 1000);
	memcpy(value + 1000, "bx", 3);
	labelset_set(&ls, "service_name", "app");
	labelset_set(&ls, "v", value);
	assert_int_equal(test_of("{v=~\"(?:a?){1000}x\"}", &ls), ERR_TOOBIG);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "regex '(?:a?){1000}x' is too complex"));
	assert_int_equal(test_of("{v!~\"(?:a?){1000}x\"}", &ls), ERR_TOOBIG);
	assert_non_null(strstr(err_last(), "is too complex"));
	/* a matcher decided before it stands; other values are decided */
	assert_int_equal(test_of("{service_name=\"db\", v=~\"(?:a?){1000}x\"}", &ls), 0);
	assert_int_equal(test_of("{service_name=~\"(?:a?){1000}x\"}", &ls), 0);
	assert_int_equal(test_of("{service_name!~\"(?:a?){1000}x\"}", &ls), 1);
	labelset_free(&ls);
}

/* Regexes are RE2's (Go's, as Prometheus reads them), not PCRE2's. */
static void test_re2(void **state)
{
	struct labelset ls = LABELSET_INIT;

	(void)state;
	labelset_set(&ls, "nl", "a\nb");
	labelset_set(&ls, "vt", "a\vb");
	labelset_set(&ls, "tab", "a\tb");
	/* \v is VT alone (PCRE2: any vertical space) */
	assert_false(matches("{nl=~\"^(?s:a\\\\vb)$\"}", &ls));
	assert_true(matches("{vt=~\"a\\\\vb\"}", &ls));
	assert_true(matches("{vt=~\"a[\\\\v]b\"}", &ls));
	/* \s is [\t\n\f\r ] (PCRE2's has VT too), \S the rest, in classes too */
	assert_false(matches("{vt=~\"a\\\\sb\"}", &ls));
	assert_true(matches("{vt=~\"a\\\\Sb\"}", &ls));
	assert_true(matches("{nl=~\"a\\\\sb\"}", &ls));
	assert_true(matches("{tab=~\"a[\\\\s]b\"}", &ls));
	assert_false(matches("{vt=~\"a[x\\\\s]b\"}", &ls));
	assert_false(matches("{nl=~\"a\\\\Sb\"}", &ls));
	/* \Q...\E stays literal */
	assert_false(matches("{tab=~\"\\\\Qa\\\\sb\\\\E\"}", &ls));
	/* what RE2 refuses */
	parse_fails("{a=~\"a++\"}", "possessive quantifier");
	parse_fails("{a=~\"(a)\\\\1\"}", "backreference");
	parse_fails("{a=~\"a(?=b)b\"}", "lookaround");
	parse_fails("{a=~\"\\\\h\"}", "\\h, which RE2 syntax");
	parse_fails("{a=~\"[\\\\e]\"}", "\\e, which RE2 syntax");
	/* [\S] is RE2's \S (VT too), not refused: Go's regexp takes it */
	assert_true(matches("{vt=~\"a[\\\\S]b\"}", &ls));
	assert_false(matches("{nl=~\"a[\\\\S]b\"}", &ls));
	labelset_free(&ls);
}

static void test_format(void **state)
{
	static const char *const inputs[] = {
		"{}",
		"{service_name=\"app\",region=~\"eu-.*\",env!=\"dev\",x!~\"a|b\"}",
		"{a=\"q\\\"\\\\\\n\"}",
		"{\"service.name\"=\"x\"}",
		"{a=\"tab\\x09\"}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct selector *a = parse(inputs[i]), *b;
		struct buf t1 = BUF_INIT, t2 = BUF_INIT;
		size_t k;

		assert_int_equal(selector_format(a, &t1), 0);
		b = parse(t1.data);
		assert_int_equal(selector_format(b, &t2), 0);
		assert_string_equal(t1.data, t2.data);
		assert_int_equal(a->n, b->n);
		for (k = 0; k < a->n; k++) {
			assert_string_equal(a->m[k].name, b->m[k].name);
			assert_string_equal(a->m[k].value, b->m[k].value);
			assert_int_equal(a->m[k].op, b->m[k].op);
		}
		selector_free(a);
		selector_free(b);
		buf_release(&t1);
		buf_release(&t2);
	}
	{
		/* dotted names print plain (they parse back), others get quotes */
		struct selector *s;
		struct buf t = BUF_INIT;

		assert_int_equal(selector_new(&s), 0);
		assert_int_equal(selector_add(s, "service.name", MATCH_EQ, "x"), 0);
		assert_int_equal(selector_add(s, "with space", MATCH_RE, "a.*"), 0);
		assert_int_equal(selector_add(s, "y", MATCH_RE, "(bad"), ERR_PARSE);
		tu_assert_message(err_last());
		selector_format(s, &t);
		assert_string_equal(t.data, "{service.name=\"x\",\"with space\"=~\"a.*\"}");
		assert_string_equal(match_op_str(MATCH_NRE), "!~");
		buf_release(&t);
		selector_free(s);
	}
	{
		/* one line of valid UTF-8: a tab as \t, a byte that is not UTF-8 as \xNN */
		struct selector *s = parse("{a=\"tab\\x09\\xff\\x7f\xc3\xa9\"}");
		struct buf t = BUF_INIT;

		assert_int_equal(selector_format(s, &t), 0);
		assert_string_equal(t.data, "{a=\"tab\\t\\xff\\x7f\xc3\xa9\"}");
		buf_release(&t);
		selector_free(s);
	}
}

/* Whether s[0..n) is valid UTF-8 without control characters (one line a terminal shows). */
static bool one_line_utf8(const char *s, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i += k)
		if (!(k = text_utf8_len(s + i, n - i)) ||
		    (k == 1 && ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)))
			return false;
	return true;
}

/*
 * selector_escape() writes a value inside each of the three quotes so that the parser
 * reads back the very bytes: tabs, each quote, backslashes, line breaks, controls,
 * invalid UTF-8.  Inside " and ' what it writes is one line of valid UTF-8; backticks
 * (no escapes) take only what selector_raw_ok() accepts, and refuse the rest.
 */
static void test_escape_round_trip(void **state)
{
	static const char *const values[] = {
		"", "plain", "tab\there", "dq\"sq'bt`", "back\\slash\\", "\\\"", "nl\ncr\r",
		"\x01\x1b[31m\x7f", "bad\xff\xfe", "cut\xc3(\xe2\x82", "\xc3\xa9\xf0\x9f\x98\x80",
		"c1\xc2\x85", "\\x41\\u00e9 not escapes", "}{,=~",
	};
	static const struct {
		const char *v, *want;
		char q;
	} exact[] = {
		{ "a\tb", "a\\tb", '"' },
		{ "a\"b'c", "a\\\"b'c", '"' },
		{ "a\"b'c", "a\"b\\'c", '\'' },
		{ "a\\b\n\r\x01\x7f\xff", "a\\\\b\\n\\r\\x01\\x7f\\xff", '"' },
		{ "a\"b\\c'", "a\"b\\c'", '`' },
		{ "\xc3\xa9", "\xc3\xa9", '"' },
	};
	static const char quotes[] = { '"', '\'', '`' };
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		const char *v = values[i];
		size_t n = strlen(v);
		bool raw = !strpbrk(v, "`") && one_line_utf8(v, n);

		assert_int_equal(selector_raw_ok(v, n), raw);
		for (k = 0; k < sizeof(quotes); k++) {
			char q = quotes[k];
			struct buf t = BUF_INIT;
			struct selector *sel;
			int rc;

			assert_int_equal(buf_printf(&t, "{x=%c", q), 0);
			rc = selector_escape(&t, v, n, q);
			if (q == '`' && !raw) {
				assert_int_equal(rc, ERR_UNSUPPORTED);
				tu_assert_message(err_last());
				buf_release(&t);
				continue;
			}
			assert_int_equal(rc, 0);
			assert_true(one_line_utf8(t.data, t.len));
			assert_int_equal(buf_printf(&t, "%c}", q), 0);
			sel = parse(t.data);
			assert_int_equal(sel->n, 1);
			if (strcmp(sel->m[0].value, v) != 0)
				fail_msg("value %zu in %c: '%s' read back wrong", i, q, t.data);
			selector_free(sel);
			buf_release(&t);
		}
	}
	for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
		struct buf t = BUF_INIT;

		assert_int_equal(selector_escape(&t, exact[i].v, strlen(exact[i].v), exact[i].q), 0);
		assert_string_equal(t.data, exact[i].want);
		buf_release(&t);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_match_too_complex),
		cmocka_unit_test(test_re2),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_escape_round_trip),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
