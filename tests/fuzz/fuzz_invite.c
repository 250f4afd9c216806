/* Fuzz target: invitation tokens (PROTOCOL.md §4.1, proto/invite.h).
 *
 * The input is a pasted token given to proto_invite_decode. Properties: no crash, no leak, no
 * read outside the input; only the documented codes; and an accepted token is the one token
 * of its content: it re-encodes to exactly the input. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/error.h"
#include "proto/invite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	proto_invite inv;
	int r = proto_invite_decode((const char *)data, size, &inv);
	if (r != 0 && r != MAILLE_EPROTO && r != MAILLE_ENONCANON && r != MAILLE_ETOOBIG &&
	    r != MAILLE_EUTF8 && r != MAILLE_EVERSION)
		abort();
	if (r == 0) {
		char tok[PROTO_INVITE_TOKEN_MAX];
		if (proto_invite_encode(&inv, tok, sizeof tok) != 0 || strlen(tok) != size ||
		    memcmp(tok, data, size) != 0)
			abort();
	}
	return 0;
}
