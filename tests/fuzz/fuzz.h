/* tests/fuzz/fuzz.h: the entry point every fuzz target defines.
 *
 * libFuzzer calls it with each generated input when built with -fsanitize=fuzzer; replay.c
 * calls it with every file of a corpus directory in the ordinary test suite. A target returns
 * 0 and calls abort() when a property it checks does not hold. */
#ifndef MAILLE_TESTS_FUZZ_H
#define MAILLE_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
