/*
 * testutil.h — what the unit tests share: where the fixtures are, reading and decoding
 * them, the error-message contract, and the invariants every decoded profile must keep.
 *
 * Include cmocka through this header (it pulls in the headers cmocka needs first).
 * Helpers that "assert" fail the running cmocka test; they never return on failure.
 * Ownership: profiles returned by tu_decode*() belong to the caller (prof_free);
 * tu_path() returns a pointer into a small rotating static buffer, valid for a few calls.
 */
#ifndef SMOLDER_TESTUTIL_H
#define SMOLDER_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/buf.h"
#include "profile/prof.h"

/* 1 under AddressSanitizer: GCC says so with __SANITIZE_ADDRESS__, clang with __has_feature */
#if defined(__SANITIZE_ADDRESS__)
#define TU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TU_ASAN 1
#endif
#endif
#ifndef TU_ASAN
#define TU_ASAN 0
#endif
#include "profile/top.h"
#include "profile/tree.h"

/* Fixture root: argv[1] when given, else the compile-time SMOLDER_TESTDATA. */
void tu_init(int argc, char **argv);
const char *tu_path(const char *rel);

/* Reads a fixture (path relative to the fixture root) into out. */
void tu_read(const char *rel, struct buf *out);
/* Reads a fixture and inflates it when it is gzip or zstd. */
void tu_read_inflated(const char *rel, struct buf *out);

/* Decodes bytes / a fixture / a string (folded text); the decode must succeed. */
struct prof *tu_decode_bytes(const void *data, size_t len, const char *name);
struct prof *tu_decode(const char *rel);
struct prof *tu_decode_str(const char *text);

/*
 * An error message as the project promises it: non-empty and one line (no '\n').  With
 * tu_strict_messages (the default) also terminal-safe: no control bytes at all.
 */
extern bool tu_strict_messages;
void tu_assert_message(const char *msg);
/* decode_profile must fail with a negative code and a good message; returns the code. */
int tu_decode_fails(const void *data, size_t len, const char *name);
/*
 * For mutated input that may or may not be valid: decode; on failure check the code and
 * the message, on success check tu_check_invariants().  Returns the decode's code.
 */
int tu_decode_any(const void *data, size_t len, const char *name);
/*
 * What any decoded profile must satisfy: every index in range, a call tree whose root
 * total is prof_total() for every sample type, top rows whose flats add up to it.
 */
void tu_check_invariants(const struct prof *p);

/* "samples/count cpu/nanoseconds": the sample types as one string (static buffer). */
const char *tu_types(const struct prof *p);
int tu_type(const struct prof *p, const char *name);  /* fails the test when absent */
bool tu_has_function(const struct prof *p, const char *name);

/*
 * The call tree and the top table (sorted by flat) of one sample type; tu_top_row finds a
 * row by name (NULL if none).
 */
void tu_top(const struct prof *p, const char *type, struct tree **tree, struct top *top);
const struct top_row *tu_top_row(const struct top *top, const struct prof *p,
				 const char *name);
/*
 * The top tables (sorted by flat) of a's sample type ta and b's tb have the same rows
 * (name, flat, cum) in the same order and the same total; `what` names the pair in the
 * failure message.
 */
void tu_assert_same_top(const struct prof *a, uint32_t ta, const struct prof *b, uint32_t tb,
			const char *what);

/*
 * A scratch directory for one test program: tu_tmp_create("store") makes
 * /tmp/smolder-test-store-XXXXXX (0, or -1 when it cannot: a cmocka group setup's
 * answer); tu_tmp_path(name) is a file in it (a rotating static buffer, valid for a few
 * calls); tu_tmp_remove() deletes the directory and everything in it.
 */
int tu_tmp_create(const char *what);
const char *tu_tmp_path(const char *name);
void tu_tmp_remove(void);

/* gzip (libdeflate, level 6) of data[0..n) into out, replacing it. */
void tu_gzip(const void *data, size_t n, struct buf *out);
/* Appends the standard, padded base64 of data[0..n) to out. */
void tu_base64(struct buf *out, const void *data, size_t n);

/* Equality with the values in the failure message. */
#define tu_assert_i64(got, want)                                                         \
	do {                                                                             \
		int64_t got_ = (int64_t)(got), want_ = (int64_t)(want);                  \
		if (got_ != want_)                                                       \
			fail_msg("%s is %lld, expected %lld", #got, (long long)got_,      \
				 (long long)want_);                                      \
	} while (0)

/* A test table entry named by a string (cmocka_unit_test names it after the function). */
#define TU_CASE(name, fn, state) { (name), (fn), NULL, NULL, (void *)(state) }

#endif
