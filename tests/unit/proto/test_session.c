/* tests/unit/proto/test_session.c: the sync session's decisions (proto/session.h, PROTOCOL.md
 * §3.5, §4.5) without a socket, a thread or a timer: two sessions wired back to back in memory,
 * each with an in-memory store and ingest pipeline, or one session fed by hand with the
 * messages a hostile peer would send. The clock is the test's: the idle rule is checked to the
 * millisecond without waiting.
 *
 * Entries are opaque to the session (the daemon's pipeline decodes and verifies them): here an
 * entry is 8 bytes of timestamp and 192 random bytes, its id their BLAKE2b like any entry's. */
#include <sodium.h>
#include <stdint.h>

#include "check.h"
#include "proto/entry.h"
#include "proto/error.h"
#include "proto/session.h"
#include "tests/fixture/session_host.h"

/* splitmix64: reproducible stores. */
static uint64_t rng_state = 12;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#define ENTRY_LEN 200u
#define SIDE_MAX 6000u
#define OUT_MAX 4096u
#define SLOTS 16384u /* a power of two, over twice SIDE_MAX */

typedef struct entry {
	uint8_t raw[ENTRY_LEN];
	uint8_t id[PROTO_ID_LEN];
} entry;

typedef struct msg {
	uint8_t *b;
	size_t len;
} msg;

typedef struct side side;
struct side {
	proto_session s;
	side *peer;
	uint8_t key[PROTO_KEY_LEN];
	entry *store; /* SIDE_MAX */
	size_t n;
	uint32_t *slot; /* SLOTS: index + 1 of a stored entry, by its id */
	entry *pipe; /* received, not processed yet */
	size_t n_pipe;
	proto_idset in_pipe;
	bool hold; /* the pipeline waits */
	msg out[OUT_MAX]; /* sent, not delivered */
	size_t n_out;
	uint64_t sent_types[11], rx_types[11];
	size_t wants_unacked, wants_unacked_max; /* our WANTs whose MARK_ACK has not come */
	size_t sets_out;                          /* live sets lent, not given back */
	uint64_t now_ms;                          /* the fake clock */
	bool no_set, no_send;
	int events[PROTO_SESSION_EV_REDEEMED + 1];
	proto_session_event close; /* the last CLOSE */
	char close_what[80];
	uint64_t redeemed;      /* REDEEMED result heard */
	uint64_t redeem_answer; /* what we answer a REDEEM */
	uint8_t redeem_secret[PROTO_REDEEM_SECRET_LEN]; /* the last REDEEM's */
};

static void entry_make(entry *e, uint64_t ts)
{
	for (int i = 0; i < 8; i++)
		e->raw[i] = (uint8_t)(ts >> (56 - 8 * i));
	for (size_t i = 8; i < ENTRY_LEN; i++)
		e->raw[i] = (uint8_t)rng();
	proto_entry_id(e->raw, ENTRY_LEN, e->id);
}

static uint64_t entry_ts(const uint8_t *raw)
{
	uint64_t ts = 0;
	for (int i = 0; i < 8; i++)
		ts = ts << 8 | raw[i];
	return ts;
}

static size_t slot_of(const uint8_t *id)
{
	uint32_t h;
	memcpy(&h, id, sizeof h);
	return h & (SLOTS - 1);
}

static const entry *find(const side *d, const uint8_t *id)
{
	for (size_t i = slot_of(id); d->slot[i]; i = (i + 1) & (SLOTS - 1))
		if (memcmp(d->store[d->slot[i] - 1].id, id, PROTO_ID_LEN) == 0)
			return &d->store[d->slot[i] - 1];
	return NULL;
}

static void store_add(side *d, const entry *e)
{
	size_t i = slot_of(e->id);
	while (d->slot[i])
		i = (i + 1) & (SLOTS - 1);
	d->store[d->n] = *e;
	d->slot[i] = (uint32_t)++d->n;
}

/* ---- the host ------------------------------------------------------------------------------ */

static int h_send(void *ctx, const uint8_t *m, size_t len)
{
	side *d = ctx;
	if (d->no_send || d->n_out == OUT_MAX)
		return MAILLE_EIO;
	proto_sync_msg dm;
	CHECK(proto_sync_decode(m, len, &dm) == 0); /* every message it sends decodes */
	d->sent_types[dm.type]++;
	if (dm.type == PROTO_SESS_WANT)
		d->wants_unacked++;
	if (d->wants_unacked > d->wants_unacked_max)
		d->wants_unacked_max = d->wants_unacked;
	d->out[d->n_out].b = malloc(len);
	memcpy(d->out[d->n_out].b, m, len);
	d->out[d->n_out++].len = len;
	return 0;
}

static const rbsr_set *h_set_acquire(void *ctx, void **ret_ref)
{
	side *d = ctx;
	if (d->no_set)
		return NULL;
	rbsr_item *items = malloc((d->n + 1) * sizeof *items);
	for (size_t i = 0; i < d->n; i++) {
		items[i].ts = entry_ts(d->store[i].raw);
		memcpy(items[i].id, d->store[i].id, PROTO_ID_LEN);
	}
	rbsr_set *set = calloc(1, sizeof *set);
	CHECK(rbsr_set_build(set, items, d->n) == 0);
	free(items);
	d->sets_out++;
	*ret_ref = set;
	return set;
}

static void h_set_release(void *ctx, void *ref)
{
	side *d = ctx;
	rbsr_set_done(ref);
	free(ref);
	d->sets_out--;
}

static bool h_has(void *ctx, const uint8_t id[PROTO_ID_LEN])
{
	side *d = ctx;
	return find(d, id) || proto_idset_has(&d->in_pipe, id);
}

static int h_fetch(void *ctx, const uint8_t id[PROTO_ID_LEN], uint8_t **ret_raw, size_t *ret_len)
{
	side *d = ctx;
	const entry *e = find(d, id);
	if (!e)
		return MAILLE_ENOTFOUND;
	*ret_raw = malloc(ENTRY_LEN);
	memcpy(*ret_raw, e->raw, ENTRY_LEN);
	*ret_len = ENTRY_LEN;
	return 0;
}

static int h_ingest(void *ctx, const uint8_t id[PROTO_ID_LEN], const uint8_t *raw, size_t len,
                    bool asked)
{
	side *d = ctx;
	(void)asked;
	CHECK(len == ENTRY_LEN);
	if (h_has(d, id))
		return PROTO_SESSION_RX_DUP;
	memcpy(d->pipe[d->n_pipe].raw, raw, ENTRY_LEN);
	memcpy(d->pipe[d->n_pipe++].id, id, PROTO_ID_LEN);
	CHECK(proto_idset_add(&d->in_pipe, id) == 1);
	return PROTO_SESSION_RX_TAKEN;
}

static void h_event(void *ctx, const proto_session_event *ev)
{
	side *d = ctx;
	d->events[ev->kind]++;
	if (ev->kind == PROTO_SESSION_EV_CLOSE) {
		d->close = *ev;
		snprintf(d->close_what, sizeof d->close_what, "%s", ev->what ? ev->what : "");
		d->close.what = d->close_what;
	} else if (ev->kind == PROTO_SESSION_EV_REDEEMED) {
		d->redeemed = ev->result;
	} else if (ev->kind == PROTO_SESSION_EV_REDEEM) {
		memcpy(d->redeem_secret, ev->secret, PROTO_REDEEM_SECRET_LEN);
		proto_session_redeem_answer(&d->s, d->redeem_answer);
	}
}

static side *side_new(size_t n_entries, uint64_t ts0)
{
	side *d = calloc(1, sizeof *d);
	d->store = calloc(SIDE_MAX, sizeof *d->store);
	d->pipe = calloc(SIDE_MAX, sizeof *d->pipe);
	d->slot = calloc(SLOTS, sizeof *d->slot);
	for (size_t i = 0; i < PROTO_KEY_LEN; i++)
		d->key[i] = (uint8_t)rng();
	for (size_t i = 0; i < n_entries; i++) {
		entry e;
		entry_make(&e, ts0 + i);
		store_add(d, &e);
	}
	return d;
}

static void side_share(side *a, side *b, size_t n, uint64_t ts0)
{
	for (size_t i = 0; i < n; i++) {
		entry e;
		entry_make(&e, ts0 + i);
		store_add(a, &e);
		store_add(b, &e);
	}
}

static void side_drop_out(side *d)
{
	for (size_t i = 0; i < d->n_out; i++)
		free(d->out[i].b);
	d->n_out = 0;
}

static void side_free(side *d)
{
	proto_session_done(&d->s);
	CHECK(d->sets_out == 0); /* every live set lent was given back */
	side_drop_out(d);
	free(d->store);
	free(d->slot);
	free(d->pipe);
	proto_idset_done(&d->in_pipe);
	free(d);
}

/* A session of d with peer (its key and HELLO), as cfg says. */
static void side_open(side *d, side *peer, proto_session_cfg cfg)
{
	d->peer = peer;
	cfg.peer_key = peer ? peer->key : d->key;
	cfg.seed = rng();
	const proto_session_host h = FIXTURE_SESSION_HOST(d);
	proto_session_init(&d->s, &cfg, &h);
}

/* Sessions of a (as ca says) and b (cb) with each other, started. */
static void pair_start(side *a, proto_session_cfg ca, side *b, proto_session_cfg cb)
{
	side_open(a, b, ca);
	side_open(b, a, cb);
	proto_session_start(&a->s);
	proto_session_start(&b->s);
}

/* The pipeline stores what it holds, in order. */
static bool side_process(side *d)
{
	if (d->hold || !d->n_pipe)
		return false;
	for (size_t i = 0; i < d->n_pipe; i++) {
		bool here = find(d, d->pipe[i].id) != NULL;
		if (!here)
			store_add(d, &d->pipe[i]);
		proto_session_processed(&d->s, here ? PROTO_SESSION_OLD : PROTO_SESSION_STORED);
	}
	d->n_pipe = 0;
	proto_idset_clear(&d->in_pipe);
	return true;
}

/* Feeds one raw message to d as if it came from its peer. */
static int feed(side *d, const uint8_t *m, size_t len)
{
	proto_sync_msg dm;
	if (proto_sync_decode(m, len, &dm) == 0) {
		d->rx_types[dm.type]++;
		if (dm.type == PROTO_SESS_MARK_ACK && d->wants_unacked)
			d->wants_unacked--; /* every MARK of ours follows a WANT but the final one */
	}
	return proto_session_feed(&d->s, d->now_ms, m, len, NULL);
}

/* Delivers d's oldest message to its peer, which then sends what it may. */
static bool deliver(side *d)
{
	if (!d->n_out)
		return false;
	msg m = d->out[0];
	memmove(d->out, d->out + 1, (d->n_out - 1) * sizeof *d->out);
	d->n_out--;
	feed(d->peer, m.b, m.len);
	free(m.b);
	proto_session_pump(&d->peer->s, SIZE_MAX);
	return true;
}

/* Until nothing moves. */
static void run(side *a, side *b)
{
	for (int guard = 0; guard < 1000000; guard++) {
		bool moved = deliver(a);
		moved = deliver(b) || moved; /* both, every time */
		moved = side_process(a) || moved;
		moved = side_process(b) || moved;
		if (!moved) {
			proto_session_pump(&a->s, SIZE_MAX);
			proto_session_pump(&b->s, SIZE_MAX);
			if (!a->n_out && !b->n_out)
				return;
		}
	}
	CHECK(!"the sessions never settled");
}

static bool same_store(const side *a, const side *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!find(b, a->store[i].id))
			return false;
	return true;
}

/* ---- encoders of a hostile peer's messages ------------------------------------------------- */

static size_t enc_want(const uint8_t *ids, size_t n, uint8_t *out, size_t cap)
{
	size_t len = 0;
	CHECK(proto_sync_encode_want(ids, n, out, cap, &len) == 0);
	return len;
}

static int feed_mark(side *d, uint32_t type, uint64_t n)
{
	uint8_t buf[32];
	size_t len = 0;
	CHECK(proto_sync_encode_mark(type, n, buf, sizeof buf, &len) == 0);
	return feed(d, buf, len);
}

static int feed_recon(side *d, uint32_t kind, const uint8_t *data, size_t n)
{
	uint8_t buf[64];
	size_t len = 0;
	CHECK(proto_sync_encode_recon(kind, data, n, buf, sizeof buf, &len) == 0);
	return feed(d, buf, len);
}

static void feed_entries(side *d, const entry *v, size_t n)
{
	const uint8_t *raws[8];
	size_t lens[8];
	for (size_t i = 0; i < n; i++) {
		raws[i] = v[i].raw;
		lens[i] = ENTRY_LEN;
	}
	uint8_t buf[1024];
	size_t len = 0;
	CHECK(proto_sync_encode_entries(raws, lens, n, buf, sizeof buf, &len) == 0);
	feed(d, buf, len);
}

/* Whether d's outbox holds a MARK_ACK n (and where). */
static long out_find_ack(const side *d, uint64_t n)
{
	for (size_t i = 0; i < d->n_out; i++) {
		proto_sync_msg m;
		if (proto_sync_decode(d->out[i].b, d->out[i].len, &m) == 0 &&
		    m.type == PROTO_SESS_MARK_ACK && m.mark == n)
			return (long)i;
	}
	return -1;
}

static void check_closed(const side *d, int end, uint32_t bye, const char *what)
{
	CHECK(proto_session_ended(&d->s));
	CHECK_EQ_INT(d->events[PROTO_SESSION_EV_CLOSE], 1);
	CHECK_EQ_INT(d->close.end, end);
	CHECK_EQ_INT(d->close.bye, bye != UINT32_MAX);
	if (bye != UINT32_MAX)
		CHECK_EQ_INT(d->close.bye_reason, bye);
	if (what)
		CHECK_EQ_STR(d->close.what, what);
}

/* ---- reconciliation ------------------------------------------------------------------------ */

/* Two daemons' sessions: the dialer reconciles, each sends what the other lacks, both end with
 * the union; a further round moves no entry and asks for none. */
static void test_converge(void)
{
	side *a = side_new(300, 1000), *b = side_new(200, 5000);
	side_share(a, b, 100, 9000);
	pair_start(a, (proto_session_cfg){.dialer = true},
	           b, (proto_session_cfg){.dialer = false});
	CHECK_EQ_INT(a->events[PROTO_SESSION_EV_BEGIN], 1);
	CHECK_EQ_INT(a->sent_types[PROTO_SESS_RECON], 1); /* the dialer opens (§3.5) */
	CHECK_EQ_INT(b->sent_types[PROTO_SESS_RECON], 0);
	run(a, b);
	CHECK_EQ_INT(a->n, 600);
	CHECK(same_store(a, b));
	CHECK_EQ_INT(a->events[PROTO_SESSION_EV_RECONCILED], 1);
	CHECK_EQ_INT(b->events[PROTO_SESSION_EV_PEER_RECONCILED], 1);
	proto_session_stats sa, sb;
	proto_session_stats_get(&a->s, &sa);
	proto_session_stats_get(&b->s, &sb);
	CHECK_EQ_INT(sa.sent, 300);     /* each entry the peer lacked, once */
	CHECK_EQ_INT(sb.sent, 200);
	CHECK_EQ_INT(sa.received, 200); /* counted when the pipeline stored them */
	CHECK_EQ_INT(sb.received, 300);
	CHECK(!proto_session_ended(&a->s) && !proto_session_ended(&b->s)); /* daemons stay */
	CHECK(!proto_session_reconciling(&a->s));
	CHECK_EQ_INT(a->wants_unacked, 0);

	/* anti-entropy from the other side: nothing left to move */
	uint64_t ents = a->sent_types[PROTO_SESS_ENTRIES] + b->sent_types[PROTO_SESS_ENTRIES];
	uint64_t wants = a->sent_types[PROTO_SESS_WANT] + b->sent_types[PROTO_SESS_WANT];
	uint64_t recons = b->sent_types[PROTO_SESS_RECON];
	proto_session_reconcile(&b->s);
	CHECK(proto_session_reconciling(&b->s));
	proto_session_reconcile(&b->s); /* one of ours at a time: no second OPEN */
	CHECK_EQ_INT(b->sent_types[PROTO_SESS_RECON], recons + 1);
	run(a, b);
	CHECK_EQ_INT(b->events[PROTO_SESSION_EV_RECONCILED], 1);
	CHECK_EQ_INT(a->sent_types[PROTO_SESS_ENTRIES] + b->sent_types[PROTO_SESS_ENTRIES], ents);
	CHECK_EQ_INT(a->sent_types[PROTO_SESS_WANT] + b->sent_types[PROTO_SESS_WANT], wants);
	CHECK_EQ_INT(a->n, 600);
	side_free(a);
	side_free(b);
}

/* `maille sync`: reconcile, transfer, a final MARK, and BYE done once its ACK came and what
 * was received is stored (§3.5). */
static void test_oneshot_done(void)
{
	side *a = side_new(50, 1000), *b = side_new(70, 5000);
	pair_start(a, (proto_session_cfg){.dialer = true, .oneshot = true},
	           b, (proto_session_cfg){.dialer = false});
	b->hold = true; /* the daemon's pipeline is slow */
	for (int i = 0; i < 200; i++) {
		bool moved = deliver(a);
		if (!deliver(b) && !moved)
			break;
	}
	CHECK(!proto_session_ended(&a->s)); /* its MARK waits for b's pipeline */
	CHECK(out_find_ack(b, a->s.final_mark) < 0);
	b->hold = false;
	run(a, b);
	check_closed(a, PROTO_SESSION_END_DONE, PROTO_BYE_DONE, NULL);
	CHECK(same_store(a, b));
	CHECK_EQ_INT(a->n, 120);
	/* a one-shot client takes no push */
	size_t q = a->s.sq_len;
	proto_session_push(&a->s, b->store[0].id, NULL);
	CHECK_EQ_INT(a->s.sq_len, q);
	side_free(a);
	side_free(b);
}

/* Equal HELLO fingerprints: neither side reconciles; a one-shot still ends with its MARK. */
static void test_equal_sets(void)
{
	side *a = side_new(0, 0), *b = side_new(0, 0);
	side_share(a, b, 40, 100);
	proto_hello ha = {.has_fp = true, .count = 40}, hb = ha;
	memset(ha.fp, 7, RBSR_FP_LEN);
	memset(hb.fp, 7, RBSR_FP_LEN);
	pair_start(a, (proto_session_cfg){.dialer = true, .oneshot = true, .ours = &ha, .peer = &hb},
	           b, (proto_session_cfg){.ours = &hb, .peer = &ha});
	CHECK_EQ_INT(a->sent_types[PROTO_SESS_RECON], 0);
	run(a, b);
	CHECK_EQ_INT(a->sent_types[PROTO_SESS_RECON] + b->sent_types[PROTO_SESS_RECON], 0);
	CHECK_EQ_INT(a->sent_types[PROTO_SESS_MARK], 1);
	check_closed(a, PROTO_SESSION_END_DONE, PROTO_BYE_DONE, NULL);
	side_free(a);
	side_free(b);
}

/* ---- the WANT window ----------------------------------------------------------------------- */

/* 5000 needs: WANTs of at most 1024 distinct ids, each followed by its MARK, at most 4
 * unanswered at a time; every id asked once over the session. */
static void test_want_window(void)
{
	side *a = side_new(0, 0), *b = side_new(5000, 1000);
	pair_start(a, (proto_session_cfg){.dialer = true, .oneshot = true},
	           b, (proto_session_cfg){.dialer = false});
	run(a, b);
	check_closed(a, PROTO_SESSION_END_DONE, PROTO_BYE_DONE, NULL);
	CHECK_EQ_INT(a->n, 5000);
	CHECK_EQ_INT(a->sent_types[PROTO_SESS_WANT], 5); /* 4 × 1024 + 904 */
	CHECK_EQ_INT(a->sent_types[PROTO_SESS_MARK], 6); /* one a WANT, and the final one */
	CHECK(a->wants_unacked_max <= PROTO_SESSION_WANTS_IN_FLIGHT);
	CHECK_EQ_INT(a->wants_unacked_max, PROTO_SESSION_WANTS_IN_FLIGHT);
	proto_session_stats sb;
	proto_session_stats_get(&b->s, &sb);
	CHECK_EQ_INT(sb.sent, 5000); /* nothing asked or sent twice */
	side_free(a);
	side_free(b);
}

/* The window seen from the receiver: 4 WANTs of 1024 distinct ids are what a peer may have
 * unanswered; one id more is a protocol error (BYE 2). */
static void test_want_bound(void)
{
	side *b = side_new(0, 0);
	side_open(b, NULL, (proto_session_cfg){.dialer = false});
	uint8_t *ids = malloc(PROTO_WANT_IDS_MAX * RBSR_ID_LEN);
	uint8_t *buf = malloc(16 + PROTO_WANT_IDS_MAX * RBSR_ID_LEN);
	size_t cap = 16 + PROTO_WANT_IDS_MAX * RBSR_ID_LEN;
	for (unsigned w = 0; w < PROTO_SESSION_WANTS_IN_FLIGHT; w++) {
		for (size_t i = 0; i < PROTO_WANT_IDS_MAX * RBSR_ID_LEN; i++)
			ids[i] = (uint8_t)rng();
		CHECK_EQ_INT(feed(b, buf, enc_want(ids, PROTO_WANT_IDS_MAX, buf, cap)), 0);
	}
	CHECK(!proto_session_ended(&b->s));
	CHECK(proto_session_sending(&b->s));
	/* asking again for queued ids costs nothing */
	CHECK_EQ_INT(feed(b, buf, enc_want(ids, PROTO_WANT_IDS_MAX, buf, cap)), 0);
	CHECK(!proto_session_ended(&b->s));
	ids[0] ^= 1;
	feed(b, buf, enc_want(ids, 1, buf, cap));
	check_closed(b, PROTO_SESSION_END_PROTOCOL, PROTO_BYE_PROTOCOL,
	             "too many entries asked for at once");
	/* once ended, nothing more is sent */
	proto_session_pump(&b->s, SIZE_MAX);
	CHECK_EQ_INT(b->n_out, 0);
	free(ids);
	free(buf);
	side_free(b);
}

/* Each entry goes out at most once a round: an id repeated within a WANT, asked while queued,
 * or asked again after it was sent in the round, is not sent again; a new round (an OPEN of
 * either side) sends it again. Entries are read as the write queue drains. */
static void test_want_once_a_round(void)
{
	side *b = side_new(3000, 1000);
	side_open(b, NULL, (proto_session_cfg){.dialer = false});
	uint8_t ids[8 * RBSR_ID_LEN], buf[512];
	for (int i = 0; i < 8; i++)
		memcpy(ids + i * RBSR_ID_LEN, b->store[0].id, RBSR_ID_LEN);
	feed(b, buf, enc_want(ids, 8, buf, sizeof buf)); /* one id, eight times */
	feed(b, buf, enc_want(ids, 1, buf, sizeof buf)); /* again while queued */
	proto_session_pump(&b->s, SIZE_MAX);
	proto_session_stats st;
	proto_session_stats_get(&b->s, &st);
	CHECK_EQ_INT(st.sent, 1);
	feed(b, buf, enc_want(ids, 1, buf, sizeof buf)); /* again after it was sent */
	proto_session_pump(&b->s, SIZE_MAX);
	proto_session_stats_get(&b->s, &st);
	CHECK_EQ_INT(st.sent, 1);
	CHECK_EQ_INT(b->sent_types[PROTO_SESS_ENTRIES], 1);
	/* a new round: the peer opens a reconciliation */
	const uint8_t v1 = RBSR_VERSION_V1;
	b->hold = true;
	CHECK_EQ_INT(feed_recon(b, PROTO_RECON_OPEN, &v1, 1), 0);
	CHECK(!proto_session_ended(&b->s));
	CHECK_EQ_INT(b->sent_types[PROTO_SESS_RECON], 1); /* its REPLY */
	feed(b, buf, enc_want(ids, 1, buf, sizeof buf));
	proto_session_pump(&b->s, SIZE_MAX);
	proto_session_stats_get(&b->s, &st);
	CHECK_EQ_INT(st.sent, 2);

	/* 3000 entries asked for, and a write queue with room for 1 byte: one ENTRIES message
	 * goes (the first may go over the room), the rest waits for the room */
	uint8_t *many = malloc(1000 * RBSR_ID_LEN), *mbuf = malloc(64 + 1000 * RBSR_ID_LEN);
	side_drop_out(b);
	for (int w = 0; w < 3; w++) {
		for (int i = 0; i < 1000; i++)
			memcpy(many + i * RBSR_ID_LEN, b->store[w * 1000 + i].id, RBSR_ID_LEN);
		feed(b, mbuf, enc_want(many, 1000, mbuf, 64 + 1000 * RBSR_ID_LEN));
	}
	proto_session_pump(&b->s, 1);
	CHECK_EQ_INT(b->n_out, 1);
	CHECK(proto_session_sending(&b->s));
	CHECK(b->out[0].len <= PROTO_SESSION_ENTRIES_MSG_BYTES + 2 * ENTRY_LEN);
	proto_session_pump(&b->s, 0);
	CHECK_EQ_INT(b->n_out, 1);
	proto_session_pump(&b->s, SIZE_MAX);
	CHECK(!proto_session_sending(&b->s));
	proto_session_stats_get(&b->s, &st);
	CHECK_EQ_INT(st.sent, 2 + 3000 - 1); /* store[0] was sent in this round already */
	free(many);
	free(mbuf);
	side_free(b);
}

/* ---- the MARK barrier ---------------------------------------------------------------------- */

/* MARK_ACK n once every entry received before MARK n is processed and every entry asked
 * before it is written (its ENTRIES before the ACK), in order. */
static void test_mark_barrier(void)
{
	side *b = side_new(10, 1000);
	side_open(b, NULL, (proto_session_cfg){.dialer = false});
	entry in[3];
	for (int i = 0; i < 3; i++)
		entry_make(&in[i], 50000 + (uint64_t)i);
	b->hold = true;
	feed_entries(b, in, 3);
	feed_mark(b, PROTO_SESS_MARK, 7);
	proto_session_pump(&b->s, SIZE_MAX);
	CHECK(out_find_ack(b, 7) < 0); /* three entries wait in the pipeline */
	b->hold = false;
	side_process(b);
	proto_session_pump(&b->s, SIZE_MAX);
	CHECK_EQ_INT(out_find_ack(b, 7), 0);
	CHECK_EQ_INT(b->n, 13);

	/* a WANT before the MARK: the ACK waits for its ENTRIES */
	side_drop_out(b);
	uint8_t buf[256];
	feed(b, buf, enc_want(b->store[1].id, 1, buf, sizeof buf));
	feed_mark(b, PROTO_SESS_MARK, 8);
	proto_session_pump(&b->s, 0);
	CHECK_EQ_INT(b->n_out, 0);
	proto_session_pump(&b->s, SIZE_MAX);
	CHECK_EQ_INT(b->n_out, 2);
	CHECK_EQ_INT(out_find_ack(b, 8), 1); /* after the ENTRIES */

	/* an unanswered MARK holds the later ones; more than PROTO_SESSION_MARKS_MAX is an
	 * error */
	b->hold = true;
	entry one;
	entry_make(&one, 60000);
	feed_entries(b, &one, 1);
	for (unsigned i = 0; i < PROTO_SESSION_MARKS_MAX; i++)
		feed_mark(b, PROTO_SESS_MARK, 100 + i);
	proto_session_pump(&b->s, SIZE_MAX);
	CHECK(!proto_session_ended(&b->s));
	CHECK(out_find_ack(b, 100) < 0);
	feed_mark(b, PROTO_SESS_MARK, 200);
	check_closed(b, PROTO_SESSION_END_PROTOCOL, PROTO_BYE_PROTOCOL, "too many MARKs unanswered");
	side_free(b);
}

/* ---- the live push ------------------------------------------------------------------------- */

/* Not to the node an entry came from, nor to a peer known to hold it (it sent it, announced
 * it as a need, or got it in this round); at most PROTO_SESSION_PUSH_QUEUE_MAX queued. */
static void test_push(void)
{
	side *a = side_new(0, 0), *b = side_new(20, 1000);
	pair_start(a, (proto_session_cfg){.dialer = true},
	           b, (proto_session_cfg){.dialer = false});
	run(a, b);
	CHECK_EQ_INT(a->n, 20);
	proto_session_stats st0, st;
	proto_session_stats_get(&a->s, &st0);
	/* a got these from b (needs, then received): no push of them back */
	for (size_t i = 0; i < 20; i++)
		proto_session_push(&a->s, a->store[i].id, NULL);
	CHECK(!proto_session_sending(&a->s));
	/* a new entry of a's own goes to b, once */
	entry e;
	entry_make(&e, 70000);
	store_add(a, &e);
	proto_session_push(&a->s, a->store[20].id, NULL);
	proto_session_push(&a->s, a->store[20].id, NULL);
	CHECK(proto_session_sending(&a->s));
	run(a, b);
	proto_session_stats_get(&a->s, &st);
	CHECK_EQ_INT(st.sent, st0.sent + 1);
	CHECK(same_store(a, b));
	/* sent in this round: not pushed again */
	proto_session_push(&a->s, a->store[20].id, NULL);
	CHECK(!proto_session_sending(&a->s));
	/* from the peer's node (another of its sessions): skipped */
	entry_make(&e, 70001);
	store_add(a, &e);
	proto_session_push(&a->s, a->store[21].id, b->key);
	CHECK(!proto_session_sending(&a->s));
	/* the queue's bound */
	uint8_t id[PROTO_ID_LEN] = {0};
	for (uint32_t i = 0; i < PROTO_SESSION_PUSH_QUEUE_MAX + 10; i++) {
		memcpy(id, &i, sizeof i);
		proto_session_push(&b->s, id, NULL);
	}
	CHECK_EQ_INT(b->s.sq_len, PROTO_SESSION_PUSH_QUEUE_MAX);
	side_free(a);
	side_free(b);
}

/* ---- redemption (§4.5) --------------------------------------------------------------------- */

static const uint8_t secret[PROTO_REDEEM_SECRET_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};

/* `maille join`: REDEEM first, nothing else until REDEEMED; on 0 the session syncs. */
static void test_redeem(void)
{
	side *j = side_new(0, 0), *b = side_new(30, 1000);
	b->redeem_answer = PROTO_REDEEM_OK;
	pair_start(j, (proto_session_cfg){.dialer = true,
	                                  .oneshot = true,
	                                  .redeem_secret = secret,
	                                  .redeem_inviter = b->key,
	                                  .redeem_flags = PROTO_REDEEM_MEMBER},
	           b, (proto_session_cfg){.dialer = false});
	CHECK_EQ_INT(j->n_out, 1);
	CHECK_EQ_INT(j->sent_types[PROTO_SESS_REDEEM], 1);
	CHECK_EQ_INT(j->sent_types[PROTO_SESS_RECON], 0); /* no reconciliation before REDEEMED */
	CHECK_EQ_INT(j->events[PROTO_SESSION_EV_BEGIN], 0);
	run(j, b);
	CHECK_EQ_INT(b->events[PROTO_SESSION_EV_REDEEM], 1);
	CHECK(memcmp(b->redeem_secret, secret, sizeof secret) == 0);
	CHECK_EQ_INT(j->redeemed, PROTO_REDEEM_OK);
	CHECK_EQ_INT(j->events[PROTO_SESSION_EV_BEGIN], 1);
	check_closed(j, PROTO_SESSION_END_DONE, PROTO_BYE_DONE, NULL);
	CHECK(same_store(j, b));
	side_free(j);
	side_free(b);
}

/* Refused: the joiner stops, syncs nothing, and says BYE done. */
static void test_redeem_refused(void)
{
	side *j = side_new(0, 0), *b = side_new(30, 1000);
	b->redeem_answer = PROTO_REDEEM_USED;
	pair_start(j, (proto_session_cfg){.dialer = true, .oneshot = true, .redeem_secret = secret,
	                                  .redeem_inviter = b->key},
	           b, (proto_session_cfg){.dialer = false});
	run(j, b);
	CHECK_EQ_INT(j->redeemed, PROTO_REDEEM_USED);
	check_closed(j, PROTO_SESSION_END_REFUSED, PROTO_BYE_DONE, NULL);
	CHECK_EQ_INT(j->close.result, PROTO_REDEEM_USED);
	CHECK_EQ_INT(j->sent_types[PROTO_SESS_RECON] + j->sent_types[PROTO_SESS_WANT], 0);
	CHECK_EQ_INT(j->n, 0);
	side_free(j);
	side_free(b);

	/* the node there is not the inviter: nothing is sent at all */
	side *k = side_new(0, 0), *other = side_new(0, 0);
	side_open(k, other, (proto_session_cfg){.dialer = true, .oneshot = true,
	                                         .redeem_secret = secret, .redeem_inviter = secret});
	proto_session_start(&k->s);
	check_closed(k, PROTO_SESSION_END_NOT_INVITER, PROTO_BYE_DONE, NULL);
	CHECK_EQ_INT(k->n_out, 0);
	side_free(k);
	side_free(other);
}

/* The inviter's side: one REDEEM per session, a second is a protocol error; a REDEEM sent to a
 * one-shot client is answered 1 without asking its host; REDEEMED unasked is ignored. */
static void test_redeem_once(void)
{
	side *b = side_new(0, 0);
	side_open(b, NULL, (proto_session_cfg){.dialer = false});
	b->redeem_answer = PROTO_REDEEM_EXPIRED;
	uint8_t buf[64];
	size_t len = 0;
	CHECK(proto_sync_encode_redeem(secret, 0, buf, sizeof buf, &len) == 0);
	feed(b, buf, len);
	CHECK_EQ_INT(b->events[PROTO_SESSION_EV_REDEEM], 1);
	CHECK_EQ_INT(b->sent_types[PROTO_SESS_REDEEMED], 1);
	proto_sync_msg m;
	CHECK(proto_sync_decode(b->out[0].b, b->out[0].len, &m) == 0);
	CHECK_EQ_INT(m.result, PROTO_REDEEM_EXPIRED);
	proto_session_redeem_answer(&b->s, PROTO_REDEEM_OK); /* nothing waits for it */
	CHECK_EQ_INT(b->sent_types[PROTO_SESS_REDEEMED], 1);
	feed(b, buf, len);
	CHECK_EQ_INT(b->events[PROTO_SESSION_EV_REDEEM], 1); /* no second store transaction */
	check_closed(b, PROTO_SESSION_END_PROTOCOL, PROTO_BYE_PROTOCOL,
	             "a second REDEEM on one session");
	side_free(b);

	side *c = side_new(0, 0);
	side_open(c, NULL, (proto_session_cfg){.oneshot = true, .dialer = true});
	feed(c, buf, len);
	CHECK_EQ_INT(c->events[PROTO_SESSION_EV_REDEEM], 0);
	CHECK(proto_sync_decode(c->out[0].b, c->out[0].len, &m) == 0);
	CHECK_EQ_INT(m.type, PROTO_SESS_REDEEMED);
	CHECK_EQ_INT(m.result, PROTO_REDEEM_UNKNOWN);
	CHECK(proto_sync_encode_redeemed(PROTO_REDEEM_OK, buf, sizeof buf, &len) == 0);
	feed(c, buf, len);
	CHECK_EQ_INT(c->events[PROTO_SESSION_EV_REDEEMED], 0);
	CHECK(!proto_session_ended(&c->s));
	side_free(c);
}

/* ---- refusals ------------------------------------------------------------------------------ */

static void test_protocol_errors(void)
{
	const uint8_t v1 = RBSR_VERSION_V1;
	/* a REPLY without a reconciliation of ours */
	side *b = side_new(5, 0);
	side_open(b, NULL, (proto_session_cfg){.dialer = false});
	feed_recon(b, PROTO_RECON_REPLY, &v1, 1);
	check_closed(b, PROTO_SESSION_END_PROTOCOL, PROTO_BYE_PROTOCOL,
	             "reconciliation reply without a reconciliation");
	CHECK_EQ_INT(b->close.err, MAILLE_ESTATE);
	side_free(b);
	/* a NEXT without OPEN */
	b = side_new(5, 0);
	side_open(b, NULL, (proto_session_cfg){.dialer = false});
	feed_recon(b, PROTO_RECON_NEXT, &v1, 1);
	check_closed(b, PROTO_SESSION_END_PROTOCOL, PROTO_BYE_PROTOCOL,
	             "reconciliation message without OPEN");
	side_free(b);
	/* a Negentropy message refused (§3.4) */
	b = side_new(5, 0);
	side_open(b, NULL, (proto_session_cfg){.dialer = false});
	const uint8_t bad[] = {0x61, 0x00, 0x05}; /* an unknown mode */
	feed_recon(b, PROTO_RECON_OPEN, bad, sizeof bad);
	check_closed(b, PROTO_SESSION_END_PROTOCOL, PROTO_BYE_PROTOCOL,
	             "malformed reconciliation message");
	CHECK_EQ_INT(b->sets_out, 1); /* its responder session holds the set until done */
	side_free(b);
	/* a sync message that does not decode; then every call is a no-op */
	b = side_new(5, 0);
	side_open(b, NULL, (proto_session_cfg){.dialer = false});
	const uint8_t mark_short[] = {0x91, 0x07};
	CHECK_EQ_INT(feed(b, mark_short, sizeof mark_short), 0);
	check_closed(b, PROTO_SESSION_END_PROTOCOL, PROTO_BYE_PROTOCOL, "malformed session message");
	CHECK_EQ_INT(b->close.err, MAILLE_EPROTO);
	feed_mark(b, PROTO_SESS_MARK, 1);
	proto_session_reconcile(&b->s);
	proto_session_pump(&b->s, SIZE_MAX);
	CHECK_EQ_INT(b->n_out, 0);
	CHECK_EQ_INT(b->events[PROTO_SESSION_EV_CLOSE], 1);
	side_free(b);
	/* another session message (a PING) is not the session's */
	b = side_new(5, 0);
	side_open(b, NULL, (proto_session_cfg){.dialer = false});
	const uint8_t ping[] = {0x92, 0x02, 0x05};
	CHECK_EQ_INT(proto_session_feed(&b->s, 0, ping, sizeof ping, NULL), MAILLE_EINVAL);
	CHECK(!proto_session_ended(&b->s));
	side_free(b);
}

/* Our own failures: no live set to answer an OPEN with (BYE overloaded: the peer tries again
 * later), a send refused (closed without BYE), no set to open with (the session goes on). */
static void test_local_failures(void)
{
	const uint8_t v1 = RBSR_VERSION_V1;
	side *b = side_new(5, 0);
	side_open(b, NULL, (proto_session_cfg){.dialer = false});
	b->no_set = true;
	feed_recon(b, PROTO_RECON_OPEN, &v1, 1);
	check_closed(b, PROTO_SESSION_END_LOCAL, PROTO_BYE_OVERLOADED, NULL);
	CHECK_EQ_STR(b->close.bye_text, "cannot reconcile now");
	side_free(b);

	b = side_new(5, 0);
	side_open(b, NULL, (proto_session_cfg){.dialer = false});
	b->no_send = true;
	feed_mark(b, PROTO_SESS_MARK, 3);
	proto_session_pump(&b->s, SIZE_MAX);
	check_closed(b, PROTO_SESSION_END_LOCAL, UINT32_MAX, "cannot send");
	side_free(b);

	side *a = side_new(5, 0);
	side_open(a, NULL, (proto_session_cfg){.dialer = true});
	a->no_set = true;
	proto_session_start(&a->s);
	CHECK_EQ_INT(a->events[PROTO_SESSION_EV_RECON_START], 1);
	CHECK(!proto_session_ended(&a->s));
	CHECK(!proto_session_reconciling(&a->s));
	a->no_set = false;
	proto_session_reconcile(&a->s);
	CHECK(proto_session_reconciling(&a->s));
	side_free(a);
}

/* ---- the idle rule (§2.5) ------------------------------------------------------------------ */

static void test_idle(void)
{
	side *b = side_new(3, 0);
	side_open(b, NULL, (proto_session_cfg){.now_ms = 10000, .idle_timeout_ms = 1000});
	CHECK(proto_session_tick(&b->s, 10500, false));
	b->now_ms = 10900;
	const uint8_t ping[] = {0x92, 0x02, 0x05}; /* any session message counts */
	CHECK_EQ_INT(feed(b, ping, sizeof ping), MAILLE_EINVAL);
	CHECK(proto_session_tick(&b->s, 11899, false));
	CHECK(!proto_session_tick(&b->s, 11900, false));
	check_closed(b, PROTO_SESSION_END_IDLE, PROTO_BYE_IDLE, NULL);
	CHECK_EQ_INT(b->close.idle_ms, 1000);
	CHECK(!proto_session_tick(&b->s, 11901, false)); /* once */
	CHECK_EQ_INT(b->events[PROTO_SESSION_EV_CLOSE], 1);
	side_free(b);

	/* a silent peer taking what we send is not idle while we send; once nothing waits, its
	 * silence counts again */
	b = side_new(3, 0);
	side_open(b, NULL, (proto_session_cfg){.now_ms = 0, .idle_timeout_ms = 1000});
	proto_session_written(&b->s, 1500);
	CHECK(proto_session_tick(&b->s, 2000, true));
	CHECK(!proto_session_tick(&b->s, 2000, false));
	check_closed(b, PROTO_SESSION_END_IDLE, PROTO_BYE_IDLE, NULL);
	side_free(b);
	b = side_new(3, 0);
	side_open(b, NULL, (proto_session_cfg){.now_ms = 0, .idle_timeout_ms = 1000});
	uint8_t buf[64];
	feed(b, buf, enc_want(b->store[0].id, 1, buf, sizeof buf)); /* at 0 */
	proto_session_pump(&b->s, 0);  /* the write queue is full: the entry waits */
	CHECK(proto_session_sending(&b->s));
	proto_session_written(&b->s, 900);
	CHECK(proto_session_tick(&b->s, 1800, false)); /* our send queue is not empty */
	CHECK(!proto_session_tick(&b->s, 1900, false));
	side_free(b);
}

/* A one-shot ping's session: no store, no sync; a malformed sync message is still an error. */
static void test_no_sync(void)
{
	side *p = side_new(0, 0);
	proto_session_host h = {.ctx = p, .send = h_send, .event = h_event};
	proto_session_cfg cfg = {.dialer = true, .no_sync = true, .idle_timeout_ms = 1000};
	proto_session_init(&p->s, &cfg, &h);
	proto_session_start(&p->s);
	proto_session_reconcile(&p->s);
	feed_mark(p, PROTO_SESS_MARK, 4);
	proto_session_pump(&p->s, SIZE_MAX);
	CHECK_EQ_INT(p->n_out, 0);
	CHECK(proto_session_tick(&p->s, 999, false));
	const uint8_t bad[] = {0x92, 0x07, 0xc0};
	feed(p, bad, sizeof bad);
	check_closed(p, PROTO_SESSION_END_PROTOCOL, PROTO_BYE_PROTOCOL, "malformed session message");
	side_free(p);
}

/* An entry the pipeline refused: the peer's fault or not (§3.5); the peer's ends the session. */
static void test_invalid_entry(void)
{
	CHECK(proto_session_peer_fault(MAILLE_EAUTH));
	CHECK(proto_session_peer_fault(MAILLE_EPROTO));
	CHECK(proto_session_peer_fault(MAILLE_ETOOBIG));
	CHECK(!proto_session_peer_fault(0));
	CHECK(!proto_session_peer_fault(MAILLE_EFUTURE)); /* our clock */
	CHECK(!proto_session_peer_fault(MAILLE_EDENIED)); /* the capabilities we know */
	CHECK(!proto_session_peer_fault(MAILLE_EQUOTA));  /* our quota */
	CHECK(!proto_session_peer_fault(MAILLE_ENOMEM));
	CHECK(!proto_session_peer_fault(MAILLE_EIO));
	side *b = side_new(3, 0);
	side_open(b, NULL, (proto_session_cfg){.dialer = false});
	proto_session_entry_invalid(&b->s, MAILLE_EAUTH, "bad signature");
	check_closed(b, PROTO_SESSION_END_INVALID, PROTO_BYE_PROTOCOL, "bad signature");
	CHECK_EQ_STR(b->close.bye_text, "invalid entry");
	side_free(b);
}

static void test_init(void)
{
	CHECK(sodium_init() >= 0);
}

CHECK_MAIN(test_init, test_converge, test_oneshot_done, test_equal_sets, test_want_window,
           test_want_bound, test_want_once_a_round, test_mark_barrier, test_push, test_redeem,
           test_redeem_refused, test_redeem_once, test_protocol_errors, test_local_failures,
           test_idle, test_no_sync, test_invalid_entry)
