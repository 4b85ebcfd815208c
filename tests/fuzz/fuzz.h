/*
 * fuzz.h — the libFuzzer entry point every tests/fuzz/fuzz_*.c defines.
 *
 * Built with clang's -fsanitize=fuzzer it is driven by libFuzzer; otherwise driver.c
 * calls it once per corpus file (the ctest replay).  A target aborts on a broken
 * contract so that both drivers report it; it must not leak or keep state.
 */
#ifndef SMOLDER_FUZZ_H
#define SMOLDER_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct prof;

/* fuzz_check.c: the shared contract.  Each aborts with a line on stderr when broken. */
void fuzz_broken(const char *what);
/* A non-empty, one-line, terminal-safe error message. */
void fuzz_check_message(const char *msg);
/* A failure: a negative code, no profile, and a good message in err_last(). */
void fuzz_check_error(int rc, const struct prof *p);
/* A success: p's call tree and top table build and add up to its totals. */
void fuzz_check_profile(const struct prof *p);

#endif
