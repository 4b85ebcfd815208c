/*
 * re2.h — RE2 syntax (Go's regexp: pprof's filters, Prometheus's =~ matchers) on PCRE2.
 *
 * re2_to_pcre() writes the PCRE2 pattern that means what re means in RE2 (Go's
 * regexp/syntax, case by case): \v is VT alone, \s and \S are [\t\n\f\r ] and its
 * complement (PCRE2's take more), in classes too; octal \101 and \12 are characters (PCRE2
 * reads \12 as a backreference after 12 groups), \x{...} too; in a class, '[' is itself
 * unless it opens [:name:] ([[=a=]] and [[.a.]] are PCRE2's collating elements) and '-'
 * after \d or \pL is itself (PCRE2 refuses it); a '{' that is not a repetition is itself
 * (a{,5}, a{01}: PCRE2 10.43 reads {,5} as one).  It refuses, with ERR_PARSE and one line,
 * what Go's regexp refuses: lookaround, backreferences (\1 to \9 alone, \g, \k), \C,
 * atomic groups, possessive quantifiers, a quantifier on a quantifier (a**, a{2}{3}),
 * counts over 1000 (nested counts multiplied), recursion, conditionals, (*VERBS), every
 * escaped letter Go does not name (\e \o \h \N \Z \c ...), \x without two hex digits or
 * {hex}, \p names not among Go's Unicode categories and scripts (\p{Xan}, \p{L&},
 * \p{greek}), [:name:] classes Go lacks, \b \A \z \Q inside a class, and PCRE2's other (?
 * forms: flags but i, m, s and U ((?x), (?n), (?J), (?^)...), (?#comments), (?'name'),
 * callouts.
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
