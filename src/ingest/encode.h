/*
 * encode.h — writing a struct prof out: pprof protobuf (gzip-compressed, as
 * `go tool pprof` and Pyroscope read it) and folded stacks.
 *
 * Ownership: the output buffer is the caller's; the profile is only read.
 */
#ifndef SMOLDER_ENCODE_H
#define SMOLDER_ENCODE_H

#include "base/buf.h"
#include "profile/prof.h"

/* The whole profile, every sample type, gzip-compressed. */
int encode_pprof(const struct prof *p, struct buf *out);
/*
 * One line per sample, "root;...;leaf value" for sample type `type`; samples
 * with a zero value are left out.  Folded text cannot hold ';' or line breaks in a
 * name: those characters become '?'.
 */
int encode_folded(const struct prof *p, uint32_t type, struct buf *out);

#endif
