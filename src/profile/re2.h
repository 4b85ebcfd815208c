/*
 * re2.h — RE2 syntax (Go's regexp: pprof's filters, Prometheus's =~ matchers) on PCRE2.
 *
 * re2_to_pcre() writes the PCRE2 pattern that means what re means in RE2: \v is VT alone,
 * \s and \S are [\t\n\f\r ] and its complement (PCRE2's take more); and refuses, with
 * ERR_PARSE and one line, what RE2 does not have: lookaround, backreferences, \C, atomic
 * groups, possessive quantifiers, recursion, conditionals, (*VERBS), \h \H \V \R \N
 * \K \X \G \Z \c, and \S inside a class.
 *
 * Ownership: out is the caller's (buf_release); re is only read.
 */
#ifndef SMOLDER_RE2_H
#define SMOLDER_RE2_H

#include "base/buf.h"

int re2_to_pcre(const char *re, struct buf *out);

#endif
