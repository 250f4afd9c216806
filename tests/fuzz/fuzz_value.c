/* Fuzz target: proto_value_decode (PROTOCOL.md §1.2).
 *
 * Properties: the decoder never crashes, leaks or over-reads; proto_value_check() accepts
 * exactly what proto_value_decode() accepts, with the same code; and every accepted input is
 * canonical, so encoding the decoded tree gives back the input bytes exactly. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/error.h"
#include "proto/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *v = NULL;
	int r = proto_value_decode(data, size, &a, &v);
	if (proto_value_check(data, size) != r)
		abort();
	if (r == 0) {
		uint8_t *enc = NULL;
		size_t len = 0;
		if (proto_value_encode(v, size, &enc, &len) != 0)
			abort();
		if (len != size || memcmp(enc, data, size) != 0)
			abort();
		free(enc);
	} else if (r != MAILLE_EPROTO && r != MAILLE_ENONCANON && r != MAILLE_EUTF8 &&
	           r != MAILLE_ETOOBIG && r != MAILLE_ENOMEM) {
		abort(); /* a code the header does not document */
	}
	proto_arena_done(&a);
	return 0;
}
