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

#endif
