/*
 * browser_prompt.c — the store browser's selector prompt as text: where a quoted value
 * is left open, which label Tab completes and under which matchers, and a value written
 * back escaped for the quotes typed (the selector's Go string literals: " and ' with
 * backslash escapes, ` without; selector_escape() writes them).  Pure text work on the
 * prompt; browser_view.c asks the store for the values (a background job) and calls
 * browser_complete_value() with them.
 *
 * Ownership: nothing here keeps memory; out buffers are the caller's.
 */
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "profile/selector.h"
#include "tui_int.h"

/*
 * Where the quoted string left open at the end of s[0..n) starts (its quote), or n when
 * none is.  Quotes are the selector's: " and ' with backslash escapes, ` without.
 */
size_t browser_open_quote(const char *s, size_t n)
{
	size_t i, start = n;
	char q = 0;

	for (i = 0; i < n; i++) {
		if (!q && s[i] && strchr("\"'`", s[i])) {
			q = s[i];
			start = i;
		} else if (q && q != '`' && s[i] == '\\') {
			i++;
		} else if (q && s[i] == q) {
			q = 0;
			start = n;
		}
	}
	return start;
}

/*
 * In the selector prompt s[0..len): whether its end is inside a value's quotes, and then
 * where the value's label name is (s[*ns..*ne)): what Tab completes.
 */
bool browser_value_at_end(const char *s, size_t len, size_t *ns, size_t *ne)
{
	size_t e = browser_open_quote(s, len);

	if (e == len)
		return false;
	while (e > 0 && s[e - 1] == ' ')
		e--;
	while (e > 0 && strchr("=~!", s[e - 1]))
		e--;
	while (e > 0 && s[e - 1] == ' ')
		e--;
	*ne = e;
	while (e > 0 && !strchr("{, ", s[e - 1]))
		e--;
	*ns = e;
	return true;
}

/*
 * What Tab's values are of: the matchers typed before the one completed (which starts at
 * ns in s), whatever selector is applied ({} when they do not parse: do_values).
 */
void browser_values_selector(const char *s, size_t ns, char *out, size_t n)
{
	while (ns > 0 && strchr(", ", s[ns - 1]))
		ns--;
	snprintf(out, n, "%s%.*s}", ns && *s == '{' ? "" : "{", (int)ns, s);
}

/*
 * The text of the quoted string s[0..n) (its opening quote first, the closing one left
 * out) as the selector reads it (escapes undone), into out.
 */
static int typed_value(const char *s, size_t n, struct buf *out)
{
	struct buf t = BUF_INIT;
	struct selector *sel = NULL;
	int rc;

	if (!(rc = buf_printf(&t, "{x=%.*s%c}", (int)n, s, *s)) &&
	    !(rc = selector_parse(t.data, &sel)))
		rc = buf_puts(out, selector_find(sel, "x")->value);
	selector_free(sel);
	buf_release(&t);
	return rc;
}

/*
 * Tab in a value: the values of `label` that start with what is typed (escapes undone)
 * are listed, and their common start replaces the value, escaped for its quotes (a value
 * that backticks cannot hold gets "..."); one value is closed with its quote.
 */
void browser_complete_value(struct tui_app *a, const struct strvec *values, const char *label)
{
	struct buf typed = BUF_INIT, m = BUF_INIT, ins = BUF_INIT;
	size_t qs = browser_open_quote(a->prompt, a->prompt_len), i, n = 0, common = 0;
	const char *first = NULL;
	char q;

	if (qs == a->prompt_len)
		goto done;  /* closed while the values were asked for */
	if (typed_value(a->prompt + qs, a->prompt_len - qs, &typed)) {
		scr_message(a, true, "%s: %s", label, err_last());
		goto done;
	}
	for (i = 0; i < values->n; i++) {
		const char *v = values->v[i];

		if (strncmp(v, typed.data ? typed.data : "", typed.len) != 0)
			continue;
		if (!first) {
			first = v;
			common = strlen(v);
		} else {
			size_t c = 0;

			while (c < common && v[c] == first[c])
				c++;
			common = c;
		}
		if (m.len < 200)
			buf_printf(&m, "%s%s", n ? "  " : "", v);
		n++;
	}
	scr_message(a, false, "%s: %s", label, n ? m.data : "(no value starts so)");
	if (!first)
		goto done;
	/* not half a UTF-8 character */
	while (common > typed.len && n > 1 && ((unsigned char)first[common] & 0xc0) == 0x80)
		common--;
	q = a->prompt[qs];
	if (q == '`' && !selector_raw_ok(first, common))
		q = '"';
	if (buf_add(&ins, &q, 1) || selector_escape(&ins, first, common, q) ||
	    (n == 1 && buf_add(&ins, &q, 1)))
		scr_message(a, true, "%s: %s", label, err_last());
	else if (qs + ins.len >= PROMPT_MAX - 2)  /* room for Enter's closing brace */
		scr_message(a, true, "%s: the value is too long for the prompt", label);
	else if (ins.data) {
		memcpy(a->prompt + qs, ins.data, ins.len);
		a->prompt_len = qs + ins.len;
	}
done:
	buf_release(&typed);
	buf_release(&m);
	buf_release(&ins);
}
