/*
 * decode.h — turning untrusted bytes into a struct prof.
 *
 * The format is detected from content, never from a file name: gzip (1f 8b) and zstd
 * (28 b5 2f fd) are inflated first (bounded by DECODE_MAX_INFLATED), then the bytes are
 * decoded as folded stacks when they are text, else as a pprof protobuf.  Errors are
 * one line, start with `name`, and carry byte offsets where they help.
 *
 * Ownership: *out belongs to the caller (prof_free).  The input is only borrowed.
 */
#ifndef SMOLDER_DECODE_H
#define SMOLDER_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "profile/prof.h"
#include "base/buf.h"

#define DECODE_MAX_INPUT    ((size_t)1 << 30)  /* bytes read from a file or URL */
#define DECODE_MAX_INFLATED ((size_t)2 << 30)  /* bytes after decompression */

enum decode_format { DECODE_AUTO, DECODE_PPROF, DECODE_FOLDED };

/* Timing of the phases, for benchmarks; any pointer may be NULL. */
struct decode_stats {
	double inflate_ms, unpack_ms, build_ms;
	size_t inflated_bytes;
};

int decode_profile(const uint8_t *data, size_t len, const char *name, struct prof **out);
int decode_profile_stats(const uint8_t *data, size_t len, const char *name,
			 struct decode_stats *st, struct prof **out);

/* Decompresses gzip or zstd into out when data starts with their magic; else copies. */
int decode_inflate(const uint8_t *data, size_t len, size_t limit, struct buf *out);

/* The decoders behind decode_profile; data is already inflated. */
int pprof_decode(const uint8_t *data, size_t len, struct decode_stats *st, struct prof **out);
int folded_decode(const char *data, size_t len, struct prof **out);

#endif
