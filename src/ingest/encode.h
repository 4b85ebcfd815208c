/*
 * encode.h — writing a struct prof out: pprof protobuf (gzip-compressed, as
 * `go tool pprof` and Pyroscope read it), folded stacks, speedscope JSON and a
 * self-contained SVG flame graph.
 *
 * Every encoder appends to `out` and leaves it valid whatever the names hold: profile
 * strings are untrusted bytes, so the text formats repair them (invalid UTF-8 becomes
 * U+FFFD) and escape them for their syntax.  On failure `out` may hold a partial result.
 *
 * Ownership: the output buffer is the caller's; the profile and strings are only read.
 */
#ifndef SMOLDER_ENCODE_H
#define SMOLDER_ENCODE_H

#include "base/buf.h"
#include "profile/prof.h"

/*
 * The whole profile, every sample type, gzip-compressed.  The default sample type is
 * kept as pprof reads it back, except one pprof cannot be told: a type that is not the
 * last and shares its name with an earlier type ("alloc/count alloc/bytes space/bytes"
 * with alloc/bytes the default) — pprof names the default by type name only and takes
 * the first match, so it reads the earlier one.
 */
int encode_pprof(const struct prof *p, struct buf *out);
/*
 * One line per sample, "root;...;leaf value" for sample type `type`; samples
 * with a zero value are left out.  Folded text cannot hold ';' or line breaks in a
 * name: those characters become '?', as does a '#' or a blank that starts a line (the
 * reader takes the first for a comment and skips the others); an empty name is written
 * "<unknown>".  Invalid UTF-8 and NUL become U+FFFD, one for each byte.  When the first
 * root frame begins like JSON or markup ('{', "<!", "<html"...), a "# folded stacks"
 * comment line comes first, so no reader takes the text for JSON or a web page.
 * ERR_UNSUPPORTED when no sample has frames and a value other than 0 (an empty file
 * would not read back); ERR_TOOBIG, before anything is written, when the text would pass
 * 1 GiB (each line repeats its frames' names).
 */
int encode_folded(const struct prof *p, uint32_t type, struct buf *out);
/*
 * A speedscope file (https://www.speedscope.app/file-format-schema.json) with one
 * "sampled" profile of sample type `type`: one sample per profile sample with a positive
 * value (speedscope refuses others), stacks root first with inlined frames expanded,
 * frames shared per (function name, file, start line).  Time and byte units map to
 * speedscope's (kilobytes and megabytes are scaled to bytes); counts are "none".
 * `name` (may be NULL) names the file and the profile, e.g. the input file name.
 * ERR_UNSUPPORTED when no sample has a value above 0 (nothing a reader would take back).
 */
int encode_speedscope(const struct prof *p, uint32_t type, const char *name, struct buf *out);
/*
 * For the encoders: ERR_UNSUPPORTED, "nothing to write: sample type 'T' WHY (a pprof
 * export keeps such a profile)", the type's name made terminal-safe.
 */
int encode_nothing(const struct prof *p, uint32_t type, const char *why);
/*
 * A flame graph of sample type `type` as one standalone SVG document (root at the
 * bottom, children in name order, 1200 px wide), readable as a static picture; an inline
 * script adds click-to-zoom.  Frames narrower than 0.1 px are merged with their narrow
 * neighbours into one "+N frames" box, or left out, without moving anything else.  Names
 * are shown terminal-safe (text.h) and XML-escaped, at most 4 KiB of each (cut at a
 * character, ending in "…").  `title` (may be NULL) heads it.
 */
int encode_svg(const struct prof *p, uint32_t type, const char *title, struct buf *out);

#endif
