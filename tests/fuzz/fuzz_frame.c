/* Fuzz target: the transport reader (PROTOCOL.md §2.4) and the session messages behind it.
 *
 * First byte even: the rest is fed as raw bytes from the network to proto_chan_feed (what an
 * attacker on the path can send: nearly always an authentication failure). First byte odd: the
 * rest is the decrypted stream, cut into chunks at fuzzer-chosen sizes and sealed as valid
 * transport messages with the peer's key, so the stream reassembly and the session-message
 * decoder are reached. Properties: no crash, no leak, no allocation beyond the 1 MiB limit. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/channel.h"
#include "proto/error.h"

static int on_msg(void *ctx, const uint8_t *msg, size_t len)
{
	(void)ctx;
	proto_sess_msg m;
	proto_sess_decode(msg, len, &m);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	proto_init();
	uint8_t key[NOISE_KEY_LEN] = {42};
	proto_chan rx, tx;
	memset(&rx, 0, sizeof rx);
	memset(&tx, 0, sizeof tx);
	noise_cipher_init(&rx.rx, key);
	noise_cipher_init(&tx.tx, key);
	rx.rekey_interval = tx.rekey_interval = 4;
	int mode = data[0] & 1;
	data++;
	size--;
	if (mode == 0) {
		proto_chan_feed(&rx, data, size, on_msg, NULL);
	} else {
		size_t off = 0;
		while (off < size) {
			size_t n = 1 + (data[off] % 64) * 97;
			if (n > size - off)
				n = size - off;
			uint8_t frame[PROTO_FRAME_MAX];
			size_t clen;
			if (noise_cipher_encrypt(&tx.tx, NULL, 0, data + off, n, frame + 2,
			                         sizeof frame - 2, &clen))
				abort();
			frame[0] = (uint8_t)(clen >> 8);
			frame[1] = (uint8_t)clen;
			if (++tx.n_tx % tx.rekey_interval == 0)
				noise_cipher_rekey(&tx.tx);
			off += n;
			if (proto_chan_feed(&rx, frame, 2 + clen, on_msg, NULL) != 0)
				break;
		}
	}
	proto_chan_done(&rx);
	proto_chan_done(&tx);
	return 0;
}
