/* Fuzz target: the handshake as a peer sees it (PROTOCOL.md §2.2).
 *
 * The first byte picks which message the fuzzer controls; the rest is:
 *   0: message 1 as raw bytes, read by a responder (what any outsider can send);
 *   1: the plaintext payload of message 1 (timestamp), validly encrypted;
 *   2: the payload of message 2 (key and HELLO), validly encrypted, read by the initiator;
 *   3: the payload of message 3, validly encrypted, read by the responder.
 * Modes 1-3 drive the real Noise states with fixed keys so that the payload parsers behind the
 * AEAD are reached. Properties: no crash, no leak, only documented codes, and a handshake that
 * is accepted ends with the keys it authenticated. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/channel.h"
#include "proto/error.h"

static uint8_t ska[64], skb[64], pka[32], pkb[32], netkey[32] = {7};

static void keys(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	proto_init();
	uint8_t seed[32] = {1};
	crypto_sign_seed_keypair(pka, ska, seed);
	seed[0] = 2;
	crypto_sign_seed_keypair(pkb, skb, seed);
}

/* Writes the next message of w with payload p (bypassing proto_hs's own payloads). */
static int raw_write(proto_hs *w, const uint8_t *p, size_t n, uint8_t *out, size_t *len, int next)
{
	if (noise_handshake_write_message(&w->noise, p, n, out, PROTO_HS_MSG_MAX, len) != 0)
		return -1;
	w->state = next;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	keys();
	if (size < 1)
		return 0;
	int mode = data[0] % 4;
	data++;
	size--;
	if (size > PROTO_HS_MSG_MAX)
		return 0;
	proto_hello h;
	memset(&h, 0, sizeof h);
	h.version = PROTO_VERSION;
	proto_hs a, b;
	uint64_t now = 1767225600000000ull;
	if (proto_hs_init(&a, true, ska, netkey, &h, now, NULL) ||
	    proto_hs_init(&b, false, skb, netkey, &h, now, NULL))
		abort();
	uint8_t m[PROTO_HS_MSG_MAX];
	size_t len;
	int r = 0;
	switch (mode) {
	case 0:
		r = proto_hs_read(&b, data, size);
		break;
	case 1:
		if (raw_write(&a, data, size, m, &len, PROTO_HS_READ2) == 0)
			r = proto_hs_read(&b, m, len);
		break;
	case 2:
		if (proto_hs_write(&a, m, sizeof m, &len) || proto_hs_read(&b, m, len))
			abort();
		if (raw_write(&b, data, size, m, &len, PROTO_HS_READ3) == 0)
			r = proto_hs_read(&a, m, len);
		break;
	case 3:
		if (proto_hs_write(&a, m, sizeof m, &len) || proto_hs_read(&b, m, len) ||
		    proto_hs_write(&b, m, sizeof m, &len) || proto_hs_read(&a, m, len))
			abort();
		if (raw_write(&a, data, size, m, &len, PROTO_HS_DONE) == 0) {
			r = proto_hs_read(&b, m, len);
			if (r == 0 && memcmp(b.peer_key, pka, 32) != 0)
				abort(); /* accepted a key other than the authenticated one */
		}
		break;
	}
	if (r != 0 && r != MAILLE_EAUTH && r != MAILLE_EPROTO && r != MAILLE_ENONCANON &&
	    r != MAILLE_EUTF8 && r != MAILLE_ETOOBIG && r != MAILLE_EVERSION && r != MAILLE_ENOMEM)
		abort();
	proto_hs_done(&a);
	proto_hs_done(&b);
	return 0;
}
