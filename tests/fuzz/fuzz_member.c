/* Fuzz target: the member capability and vouch decoders (PROTOCOL.md §4.2, §4.3,
 * proto/member.h).
 *
 * The input's first byte chooses the entry (even: the capability members/<key> of a fixed
 * territory, signed by it; odd: its vouch vouches/<key>), the rest is the entry's body. The
 * signature is not checked by these decoders (the store did that before), so none is made.
 * Properties: no crash, no leak; only the documented codes; a capability that decodes
 * re-encodes (proto_member_cap_body) to a body that decodes to the same capability. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/error.h"
#include "proto/member.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const char member_hex[] =
		"4242424242424242424242424242424242424242424242424242424242424242";
	char path[80];
	bool vouch = data[0] & 1;
	snprintf(path, sizeof path, "%s%s", vouch ? PROTO_VOUCHES_PREFIX : PROTO_MEMBERS_PREFIX,
	         member_hex);
	proto_entry e;
	memset(&e, 0, sizeof e);
	memset(e.territory, 0x11, PROTO_KEY_LEN);
	memset(e.signer, 0x11, PROTO_KEY_LEN);
	e.path = path;
	e.path_len = strlen(path);
	e.timestamp = 1790000000000000ull;
	e.kind = PROTO_KIND_DOCUMENT;
	e.body = data + 1;
	e.body_len = size - 1;
	if (vouch) {
		uint8_t key[PROTO_KEY_LEN];
		bool active;
		int r = proto_vouch_decode(&e, key, &active);
		if (r != 0 && r != MAILLE_EPROTO && r != MAILLE_ENONCANON && r != MAILLE_EUTF8 &&
		    r != MAILLE_ETOOBIG && r != MAILLE_ENOMEM)
			abort();
		if (r == 0 && (!active || key[0] != 0x42))
			abort();
		return 0;
	}
	proto_member_cap c, again;
	int r = proto_member_cap_decode(&e, &c);
	if (r != 0 && r != MAILLE_EPROTO && r != MAILLE_ESCHEMA && r != MAILLE_ENONCANON &&
	    r != MAILLE_EUTF8 && r != MAILLE_ETOOBIG && r != MAILLE_ENOMEM)
		abort();
	if (r == 0) {
		uint8_t *body = NULL;
		size_t len = 0;
		if (proto_member_cap_body(&c, &body, &len) != 0)
			abort();
		e.body = body;
		e.body_len = len;
		if (proto_member_cap_decode(&e, &again) != 0 || memcmp(&c, &again, sizeof c) != 0)
			abort();
		free(body);
	}
	return 0;
}
