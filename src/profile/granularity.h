/*
 * granularity.h — what a frame is: a function (pprof's default), a source line
 * ("main.f path/main.go:12", pprof's -lines), a file (-files), or a package (ours: the
 * Go-style package path of the function name, "compress/flate").  A pure function
 * from a profile to a profile whose functions are those keys; unsymbolized frames stay
 * "[mapping]" whatever the granularity, as in pprof.
 *
 * Ownership: *out is a new profile the caller frees; `in` is only read.
 */
#ifndef SMOLDER_GRANULARITY_H
#define SMOLDER_GRANULARITY_H

#include "prof.h"

struct buf;

enum granularity { GRAN_FUNCTIONS, GRAN_LINES, GRAN_FILES, GRAN_PACKAGES };

/* "functions", "lines", "files", "packages" (and the singulars); -1 when unknown. */
int granularity_parse(const char *s);
const char *granularity_name(enum granularity g);
int prof_granularity(const struct prof *in, enum granularity g, struct prof **out);
/*
 * A file's name as pprof's reports show it, appended to out (n bytes of file): Bazel's
 * /proc/self/cwd/ prefix trimmed, then cleaned as Go's filepath.Clean.  For what is shown
 * and keyed (lines and files frames, list's routines), never for opening the file.  0,
 * or ERR_NOMEM.
 */
int granularity_file_name(struct buf *out, const char *file, size_t n);
/*
 * The name lines granularity gives a frame of function `name` (nlen bytes) in `file` (flen
 * bytes, "" when unknown) on `line` (0: unknown), appended to out: the source pane finds a
 * function's line frames by it.  0, or ERR_NOMEM.
 */
int granularity_line_key(struct buf *out, const char *name, size_t nlen, const char *file,
			 size_t flen, int64_t line);
/*
 * s[0..n) with the regex metacharacters of filters and searches escaped (a NUL as \x00),
 * no anchors, appended to out: a pattern matching s itself.  0, or ERR_NOMEM.
 */
int granularity_regex_quote(struct buf *out, const char *s, size_t n);
/*
 * A regex selecting, by the names filters match (function and file names, filter.h),
 * what the frame `key` (klen bytes) of granularity g stands for in p, the profile before
 * granularity: under lines its function ("^main\.f$", not the line, which no name holds);
 * under files the file, as the raw names p stores that granularity_file_name shows as
 * key ("^(?:/proc/self/cwd/a\.go|a\.go)$"); under packages the package's functions:
 * "^pkg\." when that matches, of the names p's frames are matched by, exactly those, else
 * the functions' names in one alternation after the prefix ("^pkg\.(?:f|g)$"); under
 * functions the name.  Code without symbols ("[prog]" under any granularity) is matched
 * by its mapping's file, which is refused (ERR_UNSUPPORTED) when that file has frames of
 * other keys too, or when there is none ("<unknown>").  A package's pattern longer than
 * max bytes (0: no limit; a filter's room) when its prefix alone could not be used is
 * refused with ERR_TOOBIG, saying why it is that long; any other pattern is given whole,
 * for the caller to refuse as a typed one.  Never cut.  Appended to out: 0, ERR_NOTFOUND
 * when no frame of p has that key,
 * ERR_UNSUPPORTED, ERR_TOOBIG, or ERR_NOMEM.
 */
int granularity_frame_regex(struct buf *out, const struct prof *p, enum granularity g,
			    const char *key, size_t klen, size_t max);
/*
 * prof_granularity(), which another thread may stop by setting *cancel (NULL: never):
 * read every few thousand locations and frames of samples copied; once it is set the
 * call frees what it made and fails with ERR_CANCELLED (*out NULL).  Never set, the
 * profile is prof_granularity()'s.
 */
int prof_granularity_cancellable(const struct prof *in, enum granularity g, atomic_int *cancel,
				 struct prof **out);
/*
 * What a pprof file of `shown`, a profile at granularity g, holds: pprof's names, so that
 * `go tool pprof -lines` (-files) reads it as it reads `before`, where the line keys "F
 * file:line" would be functions of their own, not F (-list F found nothing).  `shown` is
 * prof_granularity(before, g), or made from that by transforms that keep its frames'
 * names (filters, a subtree, stacks turned round, a difference's -diff_base form).
 *
 * lines: each frame is its function of `before` again (name, system name, file and start
 * line), its line kept; lines and files: symbolized locations lose their address and
 * those of one mapping and the same frames are one, as pprof's Aggregate makes them (code
 * without symbols keeps its address, which pprof could symbolize it by).  files keep the
 * file's shown name as each frame's function: pprof's Aggregate clears the name, which
 * no profile here holds (the builder names a nameless function), and -files reads the
 * file.  functions and packages (ours: no pprof form): *out NULL, `shown` is the file.
 *
 * Ownership: *out is a new profile the caller frees; both inputs are only read.  0, or
 * ERR_NOMEM.
 */
int granularity_pprof(const struct prof *shown, const struct prof *before, enum granularity g,
		      struct prof **out);

#endif
