/* Fuzz target: the session messages of synchronisation (PROTOCOL.md §3.5, proto/sync.h).
 *
 * The input is one session message given to proto_sync_decode. Properties: no crash, no leak,
 * no read outside the input; only the documented codes; and an accepted message is canonical
 * (the decoder takes one encoding per message): its entries walk to the announced count
 * within the input, it re-encodes byte for byte, the generic canonical decoder accepts it,
 * and proto_sess_decode sees the same type. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/channel.h"
#include "proto/error.h"
#include "proto/sync.h"
#include "proto/value.h"

static const uint8_t *raws[PROTO_ENTRIES_MAX];
static size_t lens[PROTO_ENTRIES_MAX];
static uint8_t *out;

static int reencode(const proto_sync_msg *m, const uint8_t *data, size_t size, size_t *ret_len)
{
	const size_t cap = PROTO_SESSION_MSG_MAX;
	switch (m->type) {
	case PROTO_SESS_RECON:
		if (m->data_len && (m->data < data || m->data + m->data_len > data + size))
			abort();
		return proto_sync_encode_recon(m->recon_kind, m->data, m->data_len, out, cap,
		                               ret_len);
	case PROTO_SESS_WANT:
		if (m->ids < data || m->ids + m->n_ids * RBSR_ID_LEN > data + size)
			abort();
		return proto_sync_encode_want(m->ids, m->n_ids, out, cap, ret_len);
	case PROTO_SESS_ENTRIES: {
		const uint8_t *it = NULL, *raw;
		size_t n = 0, len;
		while (proto_sync_entries_next(m, &it, &raw, &len)) {
			if (n == PROTO_ENTRIES_MAX || len == 0 || len > PROTO_ENTRY_MAX ||
			    raw < data || raw + len > data + size)
				abort();
			raws[n] = raw;
			lens[n++] = len;
		}
		if (n != m->n_entries)
			abort();
		return proto_sync_encode_entries(raws, lens, n, out, cap, ret_len);
	}
	case PROTO_SESS_MARK:
	case PROTO_SESS_MARK_ACK:
		return proto_sync_encode_mark(m->type, m->mark, out, cap, ret_len);
	case PROTO_SESS_REDEEM:
		if (m->secret < data || m->secret + PROTO_REDEEM_SECRET_LEN > data + size)
			abort();
		return proto_sync_encode_redeem(m->secret, m->flags, out, cap, ret_len);
	case PROTO_SESS_REDEEMED:
		return proto_sync_encode_redeemed(m->result, out, cap, ret_len);
	default:
		abort(); /* decoded a type that is not ours */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!out && !(out = malloc(PROTO_SESSION_MSG_MAX)))
		abort();
	proto_sync_msg m;
	int r = proto_sync_decode(data, size, &m);
	if (r != 0) {
		if (r != MAILLE_EPROTO && r != MAILLE_ENONCANON && r != MAILLE_ETOOBIG &&
		    r != MAILLE_EINVAL)
			abort();
		return 0;
	}
	size_t len = 0;
	if (reencode(&m, data, size, &len) != 0 || len != size || memcmp(out, data, size) != 0)
		abort();
	if (proto_value_check(data, size) != 0)
		abort();
	proto_sess_msg s;
	if (proto_sess_decode(data, size, &s) != 0 || s.type != m.type)
		abort();
	return 0;
}
