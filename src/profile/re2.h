/*
 * re2.h — RE2 syntax (Go's regexp: pprof's filters, Prometheus's =~ matchers) on PCRE2.
 *
 * re2_to_pcre() writes the PCRE2 pattern that means what re means in RE2: \v is VT alone,
 * \s and \S are [\t\n\f\r ] and its complement (PCRE2's take more); and refuses, with
 * ERR_PARSE and one line, what RE2 does not have: lookaround, backreferences, \C, atomic
 * groups, possessive quantifiers, recursion, conditionals, (*VERBS), \h \H \V \R \N
 * \K \X \G \Z \c, \S inside a class, and PCRE2's other (? forms: flags but i, m, s
 * and U ((?x), (?n), (?J), (?^)...), (?#comments), (?'name'), callouts.
 *
 * RE2's `$` without (?m) is the end of the text, where PCRE2's also matches before a
 * last newline: it is written \z (with (?m), in its scope as RE2 has it — to the end of
 * the group, or inside (?m:...) — `$` stays `$`, before every newline in both).  Not
 * PCRE2_DOLLAR_ENDONLY, which pcre2_dfa_match() also applies under (?m).  Groups nest at
 * most 256 deep.  RE2_PCRE2_OPTIONS is what pcre2_compile() needs besides (nothing now).
 *
 * Ownership: out is the caller's (buf_release); re is only read.
 */
#ifndef SMOLDER_RE2_H
#define SMOLDER_RE2_H

#include "base/buf.h"

/* For pcre2_compile() (the includer has pcre2.h). */
#define RE2_PCRE2_OPTIONS 0

int re2_to_pcre(const char *re, struct buf *out);

#endif
