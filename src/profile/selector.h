/*
 * selector.h — Prometheus label selectors, as Pyroscope takes them:
 *
 *     {service_name="app", region=~"eu-.*", env!="dev", x!~"a|b"}
 *
 * Operators = != =~ !~.  Values are quoted with "..." or '...' (Go escapes: \n \t \\ \"
 * \xHH \ooo \uHHHH \UHHHHHHHH) or `...` (raw).  Regexes are PCRE2 (RE2-like syntax:
 * \d, (?i)) and fully anchored, as in Prometheus: `=~"eu-.*"` must match the whole value;
 * `.` also matches a newline (Prometheus 3).  A label a series does not have has the
 * value "", so {env=""} selects series without env and {env!="dev"} those too.
 *
 * Label names are [A-Za-z_][A-Za-z0-9_]* as in Prometheus, plus '.' (OpenTelemetry names
 * such as process.runtime.name, which Pyroscope 2 keeps) — a deliberate leniency — or a
 * quoted string (Prometheus 3: {"service.name"="x"}).  A name before the braces is a
 * matcher too: on __name__ (Prometheus), or on __profile_type__ when it contains ':'
 * (Pyroscope's render API writes process_cpu:cpu:nanoseconds:cpu:nanoseconds{...}).
 * An empty string and "{}" select everything.  Limits: SELECTOR_MAX_LEN bytes,
 * SELECTOR_MAX_MATCHERS matchers.  Errors are ERR_PARSE, one line, with the byte offset:
 * "selector: offset 12: expected '=', '!=', '=~' or '!~' after 'env'".
 *
 * Ownership: selector_parse()/selector_new() allocate, selector_free() releases the
 * selector and its compiled regexes.  A selector is read-only once built but keeps PCRE2
 * match data: use it from one thread at a time.
 */
#ifndef SMOLDER_SELECTOR_H
#define SMOLDER_SELECTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "labels.h"

#define SELECTOR_MAX_LEN      (64 * 1024)
#define SELECTOR_MAX_MATCHERS 128

enum match_op { MATCH_EQ, MATCH_NE, MATCH_RE, MATCH_NRE };

struct matcher {
	char *name, *value;
	enum match_op op;
	void *re;  /* pcre2_code for MATCH_RE / MATCH_NRE */
	void *md;  /* its pcre2_match_data */
};

struct selector {
	struct matcher *m;
	size_t n, cap;
};

int selector_parse(const char *s, struct selector **out);
/* An empty selector (matches everything) to fill with selector_add(). */
int selector_new(struct selector **out);
/* Adds one matcher (compiling a regex); errors as for parsing, without an offset. */
int selector_add(struct selector *sel, const char *name, enum match_op op, const char *value);
void selector_free(struct selector *sel);

/*
 * Whether value[0..len) (the label's value, "" when absent) satisfies m: 1, 0, or a
 * negative code when m's regex cannot tell (ERR_TOOBIG, "regex '...' is too complex":
 * PCRE2 and its DFA both give up, search.h), when neither =~ nor !~ holds.  Callers fail
 * with that error; they never read it as a "no".
 */
int matcher_test(const struct matcher *m, const char *value, size_t len);
/* Whether every matcher holds on ls (absent labels are ""): 1, 0, or matcher_test's error. */
int selector_test(const struct selector *sel, const struct labelset *ls);
/* The first matcher on `name`, or NULL. */
const struct matcher *selector_find(const struct selector *sel, const char *name);
/*
 * Appends the canonical text form, {a="x",b=~"y"}, which selector_parse() reads back:
 * values (and names that need quotes) written by selector_escape() inside "...".
 */
int selector_format(const struct selector *sel, struct buf *out);
/*
 * Appends v[0..n) as the inside of a string literal opened with quote q ('"', '\'' or
 * '`'; the quotes are not written) that selector_parse() reads back as those very bytes.
 * Inside " and ': q and the backslash are escaped, a line break, tab and carriage return
 * as \n \t \r, other controls (C0, DEL) and bytes that are not UTF-8 as \xNN; the rest
 * (valid UTF-8) as it is, so what is written is one line of valid UTF-8.  Backticks have
 * no escapes: v is written as it is when selector_raw_ok() takes it, else ERR_UNSUPPORTED.
 */
int selector_escape(struct buf *out, const char *v, size_t n, char q);
/* Whether v[0..n) can stand between backticks: valid UTF-8, no backtick, no control. */
bool selector_raw_ok(const char *v, size_t n);
/* "=", "!=", "=~", "!~" */
const char *match_op_str(enum match_op op);

#endif
