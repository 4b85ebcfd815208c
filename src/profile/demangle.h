/*
 * demangle.h — the function names pprof shows: `go tool pprof` simplifies names that look
 * like demangled C++ (Rust and C++ profiles send them so) before anything else reads the
 * profile, and its filters, rows and call trees all see the simplified names:
 *
 *   hyper::proto::h1::dispatch::Dispatcher<D,Bs,I,T>::poll_write   (as sent)
 *   hyper::proto::h1::dispatch::Dispatcher::poll_write             (pprof, smolder)
 *
 * The rule is pprof's (internal/symbolizer, Go 1.19 to now): a name "looks like demangled
 * C++" when it has one of <>[] or "::" and neither ".<" (Java's class.<init>) nor "]).
 * (Go's foo.(*Bar[...]).Method); then every outermost (...) is removed and, in the
 * default mode, every outermost <...> (a mismatched bracket leaves the name as it was).
 * Only functions whose name is empty or equal to their system name are touched (pprof:
 * "already demangled" otherwise); an empty name takes the system name.  Mangled symbols
 * (_Z..., _R...) are not demangled: pprof's demangler has no counterpart among our
 * libraries, and profiles from Pyroscope's SDKs carry demangled names.
 *
 * Modes, as pprof's -symbolize=demangle=MODE: DEMANGLE_DEFAULT (no parameters, no
 * templates), DEMANGLE_TEMPLATES (no parameters), DEMANGLE_FULL and DEMANGLE_NONE (the
 * names as sent; both also put the system name in place of a different name, as pprof's
 * "force" does).  The explorer and the store keep the names as sent; the pprof-style
 * verbs (top, peek, list, diff, traces) apply the default.
 *
 * Ownership: prof_demangle() returns a new profile the caller frees, or NULL in *out
 * when no name changes (use `in`); `in` is only read.
 */
#ifndef SMOLDER_DEMANGLE_H
#define SMOLDER_DEMANGLE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "prof.h"

enum demangle_mode { DEMANGLE_DEFAULT, DEMANGLE_TEMPLATES, DEMANGLE_FULL, DEMANGLE_NONE };

/* "default", "templates", "full", "none" → the mode; -1 when unknown. */
int demangle_parse(const char *s);

/*
 * The simplified form of name[0..n) under mode, appended to out (set, not added to).
 * Returns whether it differs from the name.
 */
bool demangle_simplify(const char *name, size_t n, enum demangle_mode mode, struct buf *out);

int prof_demangle(const struct prof *in, enum demangle_mode mode, struct prof **out);

#endif
