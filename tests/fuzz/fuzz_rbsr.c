/* Fuzz target: the reconciliation message decoder and state machine (PROTOCOL.md §3).
 *
 * First byte: bit 0 chooses the role that receives the rest of the input, bit 1 a frame
 * limit of RBSR_FRAME_MIN instead of none.
 *   responder  the input is a query against a small fixed set;
 *   initiator  the session first initiates over the same set, then the input is the answer.
 * Properties: no crash, no leak, every output within the session's limit, and every message
 * we produce is accepted by a peer: the responder's answer by an initiator that has
 * initiated, the initiator's next query by a responder over another set. */
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/error.h"
#include "proto/rbsr.h"

#define N_ITEMS 80u

static rbsr_set set_a, set_b;
static uint8_t *out, *out2;

/* Timestamps repeat (bounds with id prefixes) and the ids of A and B half overlap. */
static void setup(void)
{
	static rbsr_item a[N_ITEMS], b[N_ITEMS];
	for (unsigned i = 0; i < N_ITEMS; i++) {
		a[i].ts = 100 + i / 4;
		for (unsigned k = 0; k < RBSR_ID_LEN; k++)
			a[i].id[k] = (uint8_t)(i * 31u + k * 7u);
		a[i].id[0] = (uint8_t)(i % 4 * 64 + i / 4);
		b[i] = a[i];
		if (i % 2)
			b[i].id[RBSR_ID_LEN - 1] ^= 0xff;
	}
	if (rbsr_set_init(&set_a, a, N_ITEMS) || rbsr_set_build(&set_b, b, N_ITEMS))
		abort();
	out = malloc(RBSR_MSG_MAX);
	out2 = malloc(RBSR_MSG_MAX);
	if (!out || !out2)
		abort();
}

static int count_id(void *ctx, const uint8_t id[RBSR_ID_LEN])
{
	(void)id;
	(*(size_t *)ctx)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	if (!ready) {
		if (sodium_init() < 0)
			abort();
		setup();
		ready = true;
	}
	if (size < 1)
		return 0;
	bool initiator = data[0] & 1;
	size_t limit = (data[0] & 2) ? RBSR_FRAME_MIN : 0;
	data++;
	size--;

	rbsr_session s, peer;
	size_t len = 0, len2 = 0, n_ids = 0;
	if (rbsr_session_init(&s, &set_a, initiator ? RBSR_INITIATOR : RBSR_RESPONDER, limit))
		abort();
	if (initiator && rbsr_initiate(&s, out, RBSR_MSG_MAX, &len))
		abort();
	int r = rbsr_reconcile(&s, data, size, count_id, count_id, &n_ids, out, RBSR_MSG_MAX, &len);
	if (r == 0 && len > rbsr_session_out_max(&s))
		abort();
	if (r == 0 && initiator && len > 0) {
		/* Our next query must be well formed. */
		if (rbsr_session_init(&peer, &set_b, RBSR_RESPONDER, 0))
			abort();
		if (rbsr_reconcile(&peer, out, len, NULL, NULL, NULL, out2, RBSR_MSG_MAX, &len2))
			abort();
		rbsr_session_done(&peer);
	} else if (r == 0 && !initiator) {
		/* Our answer must be well formed for an initiator over another set. */
		if (rbsr_session_init(&peer, &set_b, RBSR_INITIATOR, 0) ||
		    rbsr_initiate(&peer, out2, RBSR_MSG_MAX, &len2))
			abort();
		if (rbsr_reconcile(&peer, out, len, count_id, count_id, &n_ids, out2, RBSR_MSG_MAX,
		                   &len2))
			abort();
		rbsr_session_done(&peer);
	}
	rbsr_session_done(&s);
	return 0;
}
