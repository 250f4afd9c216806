/* tests/fuzz/fuzz.h: the entry point every fuzz target defines.
 *
 * libFuzzer calls it with each generated input when built with -fsanitize=fuzzer; replay.c
 * calls it with every file of a corpus directory in the ordinary test suite. A target returns
 * 0 and calls abort() when a property it checks does not hold. */
#ifndef MAILLE_TESTS_FUZZ_H
#define MAILLE_TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A text a report hands to people (printed on terminals and pages): NUL-terminated within
 * cap, non-empty when asked, valid UTF-8 without a control character; aborts otherwise. */
static inline void fuzz_check_text(const char *s, size_t cap, bool nonempty)
{
	size_t n = strnlen(s, cap);
	if (n == cap || (nonempty && n == 0))
		abort();
	if (!proto_utf8_valid((const uint8_t *)s, n))
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

#endif
