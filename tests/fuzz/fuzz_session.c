/* Fuzz target: session messages (PROTOCOL.md §2.5).
 * Properties: no crash; a decoded PING, PONG or BYE re-encodes and decodes to the same
 * message; only documented codes. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/channel.h"
#include "proto/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	proto_sess_msg m;
	int r = proto_sess_decode(data, size, &m);
	if (r == 0 && (m.type == PROTO_SESS_PING || m.type == PROTO_SESS_PONG ||
	               m.type == PROTO_SESS_BYE)) {
		uint8_t buf[512];
		size_t len;
		proto_sess_msg back;
		if (proto_sess_encode(&m, buf, sizeof buf, &len) || proto_sess_decode(buf, len, &back))
			abort();
		if (back.type != m.type || back.nonce != m.nonce || back.reason != m.reason ||
		    strcmp(back.text, m.text) != 0)
			abort();
	} else if (r != 0 && r != MAILLE_EPROTO && r != MAILLE_ENONCANON && r != MAILLE_EUTF8 &&
	           r != MAILLE_ETOOBIG && r != MAILLE_ENOMEM) {
		abort();
	}
	return 0;
}
