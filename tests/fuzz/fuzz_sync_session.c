/* Fuzz target: the sync session's handling of what a peer sends (proto/session.h, PROTOCOL.md
 * §3.5, §4.5), as sequences: each message alone is covered by fuzz_sync and fuzz_rbsr, the
 * order and the counts of messages (REPLY without a reconciliation, MARKs piling up, WANTs
 * past the window, a second REDEEM...) only here.
 *
 * Input: one byte of flags (bit 0: the session dials and opens a reconciliation; bit 1:
 * one-shot; bit 2: redeem first), then operations: a byte op, and for op % 4 == 0 a message
 * (2-byte big-endian length, then the bytes) fed to the session; 1: pump with room
 * (op / 4) * 4096 bytes; 2: the pipeline stores what it holds; 3: a keepalive tick 100 ms
 * later, or (op & 4) a reconciliation of ours.
 * Properties: no crash, no leak; every message the session sends decodes (proto_sync.h);
 * nothing is sent after the end, which is reported once; the peer's WANTs and MARKs stay
 * within their bounds; every live set lent is given back. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/entry.h"
#include "proto/error.h"
#include "proto/session.h"
#include "tests/fixture/session_host.h"

#define N_ITEMS 24u
#define PIPE_MAX 64u

typedef struct host {
	proto_session s;
	rbsr_item items[N_ITEMS];
	uint8_t raws[N_ITEMS][16];
	uint8_t pipe_ids[PIPE_MAX][PROTO_ID_LEN];
	size_t n_pipe;
	size_t sets_out;
	int closes;
	bool ended_sent; /* something was sent after the end */
	uint64_t now_ms;
} host;

static int h_send(void *ctx, const uint8_t *msg, size_t len)
{
	host *h = ctx;
	proto_sync_msg m;
	if (proto_sync_decode(msg, len, &m) != 0)
		abort();
	if (h->closes)
		h->ended_sent = true;
	return 0;
}

static rbsr_set the_set;

static const rbsr_set *h_set_acquire(void *ctx, void **ret_ref)
{
	host *h = ctx;
	h->sets_out++;
	*ret_ref = &the_set;
	return &the_set;
}

static void h_set_release(void *ctx, void *ref)
{
	host *h = ctx;
	if (ref != &the_set || h->sets_out == 0)
		abort();
	h->sets_out--;
}

static int find(const host *h, const uint8_t *id)
{
	for (unsigned i = 0; i < N_ITEMS; i++)
		if (memcmp(h->items[i].id, id, PROTO_ID_LEN) == 0)
			return (int)i;
	return -1;
}

static bool h_has(void *ctx, const uint8_t id[PROTO_ID_LEN])
{
	return find(ctx, id) >= 0;
}

static int h_fetch(void *ctx, const uint8_t id[PROTO_ID_LEN], uint8_t **ret_raw, size_t *ret_len)
{
	host *h = ctx;
	int i = find(h, id);
	if (i < 0)
		return MAILLE_ENOTFOUND;
	*ret_raw = malloc(sizeof h->raws[i]);
	if (!*ret_raw)
		return MAILLE_ENOMEM;
	memcpy(*ret_raw, h->raws[i], sizeof h->raws[i]);
	*ret_len = sizeof h->raws[i];
	return 0;
}

static int h_ingest(void *ctx, const uint8_t id[PROTO_ID_LEN], const uint8_t *raw, size_t len,
                    bool asked)
{
	host *h = ctx;
	(void)raw, (void)len, (void)asked;
	if (find(h, id) >= 0)
		return PROTO_SESSION_RX_DUP;
	if (h->n_pipe == PIPE_MAX)
		return MAILLE_ENOMEM;
	memcpy(h->pipe_ids[h->n_pipe++], id, PROTO_ID_LEN);
	return PROTO_SESSION_RX_TAKEN;
}

static void h_event(void *ctx, const proto_session_event *ev)
{
	host *h = ctx;
	if (ev->kind == PROTO_SESSION_EV_CLOSE && ++h->closes > 1)
		abort();
	if (ev->kind == PROTO_SESSION_EV_REDEEM)
		proto_session_redeem_answer(&h->s, PROTO_REDEEM_USED);
}

static void set_init(host *h)
{
	for (unsigned i = 0; i < N_ITEMS; i++) {
		memset(h->raws[i], (int)i, sizeof h->raws[i]);
		h->items[i].ts = 1000 + i / 2;
		proto_entry_id(h->raws[i], sizeof h->raws[i], h->items[i].id);
	}
	if (the_set.items == NULL && rbsr_set_build(&the_set, h->items, N_ITEMS) != 0)
		abort();
}

static void check_bounds(const proto_session *s)
{
	if (s->n_marks > PROTO_SESSION_MARKS_MAX || s->wants_out > PROTO_SESSION_WANTS_IN_FLIGHT)
		abort();
	if (!s->ended && s->n_wanted > PROTO_SESSION_PEER_WANTS_MAX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t secret[PROTO_REDEEM_SECRET_LEN] = {7};
	if (size < 1)
		return 0;
	host *h = calloc(1, sizeof *h);
	if (!h)
		return 0;
	set_init(h);
	proto_session_cfg cfg = {.dialer = data[0] & 1,
	                         .oneshot = (data[0] & 2) != 0,
	                         .redeem_secret = (data[0] & 4) ? secret : NULL,
	                         .idle_timeout_ms = 1000};
	const proto_session_host ops = FIXTURE_SESSION_HOST(h);
	proto_session_init(&h->s, &cfg, &ops);
	proto_session_start(&h->s);
	size_t i = 1;
	while (i < size) {
		uint8_t op = data[i++];
		switch (op % 4) {
		case 0: {
			if (size - i < 2)
				goto out;
			size_t len = (size_t)data[i] << 8 | data[i + 1];
			i += 2;
			if (len > size - i)
				len = size - i;
			proto_session_feed(&h->s, h->now_ms, data + i, len, NULL);
			i += len;
			break;
		}
		case 1:
			proto_session_pump(&h->s, (size_t)(op / 4) * 4096u);
			break;
		case 2:
			for (size_t k = 0; k < h->n_pipe; k++)
				proto_session_processed(&h->s, PROTO_SESSION_STORED);
			h->n_pipe = 0;
			break;
		default:
			if (op & 4) {
				proto_session_reconcile(&h->s);
			} else {
				h->now_ms += 100;
				proto_session_tick(&h->s, h->now_ms, false);
			}
			break;
		}
		check_bounds(&h->s);
	}
out:
	if (h->ended_sent)
		abort();
	proto_session_done(&h->s);
	if (h->sets_out)
		abort();
	free(h);
	return 0;
}
