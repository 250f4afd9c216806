/* The secure channel: handshake, transport framing, session messages (PROTOCOL.md §2). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "proto/channel.h"
#include "proto/error.h"
#include "proto/value.h"

static uint8_t ska[64], skb[64], pka[32], pkb[32], netkey[32];
static const uint64_t T0 = 1767225600000000ull; /* 2026-01-01T00:00:00Z */

static void seed_key(uint8_t base, uint8_t pk[32], uint8_t sk[64])
{
	uint8_t seed[32];
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)(base + i);
	crypto_sign_seed_keypair(pk, sk, seed);
}

static proto_hello hello(const char *name, const char *addr)
{
	proto_hello h;
	memset(&h, 0, sizeof h);
	h.version = PROTO_VERSION;
	snprintf(h.software, sizeof h.software, "maille 0.1.0");
	snprintf(h.name, sizeof h.name, "%s", name);
	if (addr) {
		snprintf(h.addrs[0], sizeof h.addrs[0], "%s", addr);
		h.n_addrs = 1;
	}
	return h;
}

static void setup(void)
{
	CHECK_EQ_INT(proto_init(), 0);
	seed_key(0x00, pka, ska);
	seed_key(0x40, pkb, skb);
	for (int i = 0; i < 32; i++)
		netkey[i] = (uint8_t)(0xa0 + i);
}

static char *hex(const uint8_t *p, size_t n)
{
	static char buf[8192];
	proto_hex(p, n, buf);
	return buf;
}

/* Runs a whole handshake; fills the two channels. Returns the byte count of the 3 messages. */
static size_t handshake(const uint8_t *key_b, const uint8_t *ea, const uint8_t *eb, proto_chan *ca,
                        proto_chan *cb, char *transcript)
{
	proto_hs a, b;
	proto_hello ha = hello("Métropole de Lyon", "127.0.0.1:7470");
	proto_hello hb = hello("Ville de Grenoble", NULL);
	CHECK_EQ_INT(proto_hs_init(&a, true, ska, netkey, &ha, T0, ea), 0);
	CHECK_EQ_INT(proto_hs_init(&b, false, skb, key_b, &hb, T0 + 5, eb), 0);
	uint8_t msg[PROTO_HS_MSG_MAX];
	size_t len, total = 0;
	if (transcript)
		transcript[0] = '\0';
	for (int step = 0; step < 3; step++) {
		proto_hs *w = step == 1 ? &b : &a, *r = step == 1 ? &a : &b;
		CHECK_EQ_INT(proto_hs_write(w, msg, sizeof msg, &len), 0);
		total += len;
		if (transcript) {
			strcat(transcript, hex(msg, len));
			strcat(transcript, "\n");
		}
		int rr = proto_hs_read(r, msg, len);
		if (rr) {
			CHECK_EQ_INT(step, 0); /* only message 1 can fail in these tests */
			proto_hs_done(&a);
			proto_hs_done(&b);
			return 0;
		}
		if (step == 0)
			CHECK_EQ_INT(proto_hs_check_fresh(&b, T0 + 5), 0);
	}
	CHECK_EQ_INT(a.state, PROTO_HS_DONE);
	CHECK_EQ_INT(b.state, PROTO_HS_DONE);
	CHECK(memcmp(a.peer_key, pkb, 32) == 0);
	CHECK(memcmp(b.peer_key, pka, 32) == 0);
	CHECK_EQ_STR(b.peer_hello.name, "Métropole de Lyon");
	CHECK_EQ_STR(a.peer_hello.name, "Ville de Grenoble");
	CHECK_EQ_INT(b.peer_hello.n_addrs, 1);
	CHECK_EQ_STR(b.peer_hello.addrs[0], "127.0.0.1:7470");
	CHECK_EQ_INT(b.peer_time_us, T0);
	CHECK_EQ_INT(proto_hs_split(&a, ca), 0);
	CHECK_EQ_INT(proto_hs_split(&b, cb), 0);
	proto_hs_done(&a);
	proto_hs_done(&b);
	return total;
}

typedef struct sink {
	size_t n;
	uint8_t last[PROTO_SESSION_MSG_MAX];
	size_t last_len;
} sink;

static int on_msg(void *ctx, const uint8_t *msg, size_t len)
{
	sink *s = ctx;
	s->n++;
	memcpy(s->last, msg, len);
	s->last_len = len;
	return 0;
}

/* PROTOCOL.md §2.6: the transcript under fixed keys (messages 1-3, then a PING). */
static const char *const channel_golden[4] = {
#include "channel_golden.inc"
};

static void test_handshake_and_transcript(void)
{
	uint8_t ea[32], eb[32];
	for (int i = 0; i < 32; i++) {
		ea[i] = (uint8_t)(0x10 + i);
		eb[i] = (uint8_t)(0x50 + i);
	}
	proto_chan ca, cb;
	static char t1[16384], t2[16384];
	size_t bytes = handshake(netkey, ea, eb, &ca, &cb, t1);
	CHECK(bytes > 208);
	/* deterministic under fixed keys */
	proto_chan ca2, cb2;
	handshake(netkey, ea, eb, &ca2, &cb2, t2);
	CHECK_EQ_STR(t1, t2);
	if (getenv("MAILLE_PRINT_TRANSCRIPT"))
		printf("%s", t1);
	/* the first transport message: PING with nonce 1 */
	proto_sess_msg ping = {.type = PROTO_SESS_PING, .nonce = 1};
	uint8_t enc[64];
	size_t enc_len;
	CHECK_EQ_INT(proto_sess_encode(&ping, enc, sizeof enc, &enc_len), 0);
	uint8_t *out = NULL;
	size_t out_len = 0, out_cap = 0;
	CHECK_EQ_INT(proto_chan_seal(&ca, enc, enc_len, &out, &out_len, &out_cap), 0);
	if (getenv("MAILLE_PRINT_TRANSCRIPT"))
		printf("%s\n", hex(out, out_len));
	CHECK_EQ_STR(strtok(t1, "\n"), channel_golden[0]);
	CHECK_EQ_STR(strtok(NULL, "\n"), channel_golden[1]);
	CHECK_EQ_STR(strtok(NULL, "\n"), channel_golden[2]);
	CHECK_EQ_STR(hex(out, out_len), channel_golden[3]);
	sink s = {0};
	CHECK_EQ_INT(proto_chan_feed(&cb, out, out_len, on_msg, &s), 0);
	CHECK_EQ_INT(s.n, 1);
	proto_sess_msg got;
	CHECK_EQ_INT(proto_sess_decode(s.last, s.last_len, &got), 0);
	CHECK_EQ_INT(got.type, PROTO_SESS_PING);
	CHECK_EQ_INT(got.nonce, 1);
	free(out);
	proto_chan_done(&ca);
	proto_chan_done(&cb);
	proto_chan_done(&ca2);
	proto_chan_done(&cb2);
}

static void test_outsiders_refused(void)
{
	/* a responder with another network key cannot authenticate message 1 */
	uint8_t other[32];
	memcpy(other, netkey, 32);
	other[0] ^= 1;
	proto_chan ca, cb;
	CHECK_EQ_INT(handshake(other, NULL, NULL, &ca, &cb, NULL), 0);

	proto_hs b;
	proto_hello hb = hello("B", NULL);
	uint8_t junk[PROTO_HS_MSG_MAX + 8];
	randombytes_buf(junk, sizeof junk);
	size_t lens[] = {0, 1, 31, 32, 48, 49, 64, 100, PROTO_HS_MSG_MAX, PROTO_HS_MSG_MAX + 1};
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		CHECK_EQ_INT(proto_hs_init(&b, false, skb, netkey, &hb, T0, NULL), 0);
		CHECK(proto_hs_read(&b, junk, lens[i]) != 0);
		CHECK_EQ_INT(b.state, PROTO_HS_FAILED);
		uint8_t out[256];
		size_t ol;
		CHECK_EQ_INT(proto_hs_write(&b, out, sizeof out, &ol), MAILLE_ESTATE);
		proto_hs_done(&b);
	}
}

static void test_stale_and_replayed(void)
{
	proto_hs a, b;
	proto_hello h = hello("A", NULL);
	uint8_t m1[PROTO_HS_MSG_MAX];
	size_t len;
	CHECK_EQ_INT(proto_hs_init(&a, true, ska, netkey, &h, T0, NULL), 0);
	CHECK_EQ_INT(proto_hs_write(&a, m1, sizeof m1, &len), 0);
	proto_replay *rc = malloc(sizeof *rc);
	proto_replay_init(rc);
	/* fresh, then replayed within the window */
	CHECK_EQ_INT(proto_hs_init(&b, false, skb, netkey, &h, T0, NULL), 0);
	CHECK_EQ_INT(proto_hs_read(&b, m1, len), 0);
	CHECK_EQ_INT(proto_hs_check_fresh(&b, T0 + 1000), 0);
	CHECK_EQ_INT(proto_replay_check(rc, b.peer_ephemeral, T0 + 1000), 0);
	proto_hs_done(&b);
	CHECK_EQ_INT(proto_hs_init(&b, false, skb, netkey, &h, T0, NULL), 0);
	CHECK_EQ_INT(proto_hs_read(&b, m1, len), 0);
	CHECK_EQ_INT(proto_replay_check(rc, b.peer_ephemeral, T0 + 2000), MAILLE_EEXIST);
	/* too old, or from the future */
	CHECK(proto_hs_check_fresh(&b, T0 + PROTO_HS_MAX_AGE_US + 1) != 0);
	CHECK_EQ_INT(proto_hs_check_fresh(&b, T0 + PROTO_HS_MAX_AGE_US), 0);
	CHECK_EQ_INT(proto_hs_check_fresh(&b, T0 - PROTO_HS_MAX_AGE_US - 1), MAILLE_EFUTURE);
	proto_hs_done(&b);
	/* after the window, the cache forgets (freshness refuses it anyway) */
	CHECK_EQ_INT(proto_replay_check(rc, b.peer_ephemeral, T0 + PROTO_HS_MAX_AGE_US + 5000), 0);
	free(rc);
	proto_hs_done(&a);
}

static void test_identity_mismatch(void)
{
	/* a responder that claims an Ed25519 key other than the one behind its Noise static */
	proto_hs a, b;
	proto_hello h = hello("A", NULL);
	CHECK_EQ_INT(proto_hs_init(&a, true, ska, netkey, &h, T0, NULL), 0);
	CHECK_EQ_INT(proto_hs_init(&b, false, skb, netkey, &h, T0, NULL), 0);
	memcpy(b.ed_pk, pka, 32);
	uint8_t m[PROTO_HS_MSG_MAX];
	size_t len;
	CHECK_EQ_INT(proto_hs_write(&a, m, sizeof m, &len), 0);
	CHECK_EQ_INT(proto_hs_read(&b, m, len), 0);
	CHECK_EQ_INT(proto_hs_write(&b, m, sizeof m, &len), 0);
	CHECK_EQ_INT(proto_hs_read(&a, m, len), MAILLE_EAUTH);
	CHECK_EQ_INT(a.state, PROTO_HS_FAILED);
	proto_hs_done(&a);
	proto_hs_done(&b);
}

static void test_transport(void)
{
	proto_chan ca, cb;
	handshake(netkey, NULL, NULL, &ca, &cb, NULL);
	ca.rekey_interval = cb.rekey_interval = 3; /* exercise rekeying */
	size_t sizes[] = {1, 100, NOISE_TRANSPORT_PAYLOAD_MAX - 4, NOISE_TRANSPORT_PAYLOAD_MAX - 3,
	                  200000, PROTO_SESSION_MSG_MAX};
	uint8_t *msg = malloc(PROTO_SESSION_MSG_MAX);
	sink *s = calloc(1, sizeof *s);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		for (size_t k = 0; k < sizes[i]; k++)
			msg[k] = (uint8_t)(k * 7 + i);
		uint8_t *out = NULL;
		size_t out_len = 0, out_cap = 0;
		CHECK_EQ_INT(proto_chan_seal(&ca, msg, sizes[i], &out, &out_len, &out_cap), 0);
		size_t before = s->n;
		if (i == 1) {
			/* byte by byte */
			for (size_t k = 0; k < out_len; k++)
				CHECK_EQ_INT(proto_chan_feed(&cb, out + k, 1, on_msg, s), 0);
		} else {
			CHECK_EQ_INT(proto_chan_feed(&cb, out, out_len, on_msg, s), 0);
		}
		CHECK_EQ_INT(s->n, before + 1);
		CHECK_EQ_INT(s->last_len, sizes[i]);
		CHECK(memcmp(s->last, msg, sizes[i]) == 0);
		free(out);
	}
	CHECK(ca.n_tx > 6);
	/* over the limit */
	uint8_t *out = NULL;
	size_t out_len = 0, out_cap = 0;
	CHECK_EQ_INT(proto_chan_seal(&ca, msg, PROTO_SESSION_MSG_MAX + 1, &out, &out_len, &out_cap),
	             MAILLE_ETOOBIG);
	/* a flipped bit */
	CHECK_EQ_INT(proto_chan_seal(&ca, msg, 10, &out, &out_len, &out_cap), 0);
	out[out_len - 3] ^= 0x04;
	CHECK_EQ_INT(proto_chan_feed(&cb, out, out_len, on_msg, s), MAILLE_EAUTH);
	CHECK_EQ_INT(proto_chan_feed(&cb, out, 1, on_msg, s), MAILLE_ESTATE);
	free(out);
	free(msg);
	free(s);
	proto_chan_done(&ca);
	proto_chan_done(&cb);
}

static void test_transport_limits(void)
{
	proto_chan ca, cb;
	handshake(netkey, NULL, NULL, &ca, &cb, NULL);
	/* a session message announcing more than 1 MiB: refused before any allocation of it */
	uint8_t stream[4] = {0x00, 0x10, 0x00, 0x01};
	uint8_t frame[2 + 4 + NOISE_TAG_LEN];
	size_t clen;
	CHECK_EQ_INT(noise_cipher_encrypt(&ca.tx, NULL, 0, stream, 4, frame + 2, sizeof frame - 2, &clen), 0);
	frame[0] = 0;
	frame[1] = (uint8_t)clen;
	sink s = {0};
	CHECK_EQ_INT(proto_chan_feed(&cb, frame, 2 + clen, on_msg, &s), MAILLE_ETOOBIG);
	proto_chan_done(&cb);
	/* an empty transport message */
	proto_chan_done(&ca);
	handshake(netkey, NULL, NULL, &ca, &cb, NULL);
	uint8_t empty[2 + NOISE_TAG_LEN] = {0, NOISE_TAG_LEN};
	CHECK_EQ_INT(proto_chan_feed(&cb, empty, sizeof empty, on_msg, &s), MAILLE_EPROTO);
	proto_chan_done(&ca);
	proto_chan_done(&cb);
}

static void test_session_codec(void)
{
	proto_sess_msg m = {.type = PROTO_SESS_BYE, .reason = PROTO_BYE_SHUTDOWN};
	snprintf(m.text, sizeof m.text, "arrêt du nœud");
	uint8_t buf[256];
	size_t len;
	CHECK_EQ_INT(proto_sess_encode(&m, buf, sizeof buf, &len), 0);
	proto_sess_msg d;
	CHECK_EQ_INT(proto_sess_decode(buf, len, &d), 0);
	CHECK_EQ_INT(d.type, PROTO_SESS_BYE);
	CHECK_EQ_STR(d.text, "arrêt du nœud");
	/* unknown types decode (a newer peer), malformed ones do not */
	uint8_t unknown[] = {0x92, 0x63, 0xc0};
	CHECK_EQ_INT(proto_sess_decode(unknown, sizeof unknown, &d), 0);
	CHECK_EQ_INT(d.type, 0x63);
	uint8_t bad_ping[] = {0x91, 0x01};
	CHECK_EQ_INT(proto_sess_decode(bad_ping, sizeof bad_ping, &d), MAILLE_EPROTO);
	uint8_t not_array[] = {0x01};
	CHECK_EQ_INT(proto_sess_decode(not_array, sizeof not_array, &d), MAILLE_EPROTO);
	uint8_t noncanon[] = {0x92, 0x01, 0xcc, 0x05};
	CHECK_EQ_INT(proto_sess_decode(noncanon, sizeof noncanon, &d), MAILLE_ENONCANON);
	m.type = 99;
	CHECK_EQ_INT(proto_sess_encode(&m, buf, sizeof buf, &len), MAILLE_EINVAL);
}

/* ---- HELLO fingerprint (§2.3, §3.1) ---------------------------------------------------------- */

/* A handshake where A (initiator) sends ha and B sends hb; fills what each side learnt.
 * Returns 0, or the first error of a write or a read. */
static int hs_hellos(const proto_hello *ha, const proto_hello *hb, proto_hello *a_got,
                     proto_hello *b_got)
{
	proto_hs a, b;
	CHECK_EQ_INT(proto_hs_init(&a, true, ska, netkey, ha, T0, NULL), 0);
	CHECK_EQ_INT(proto_hs_init(&b, false, skb, netkey, hb, T0, NULL), 0);
	uint8_t msg[PROTO_HS_MSG_MAX];
	size_t len;
	int r = 0;
	for (int step = 0; step < 3 && !r; step++) {
		proto_hs *w = step == 1 ? &b : &a, *rd = step == 1 ? &a : &b;
		r = proto_hs_write(w, msg, sizeof msg, &len);
		if (!r)
			r = proto_hs_read(rd, msg, len);
	}
	if (!r) {
		*a_got = a.peer_hello;
		*b_got = b.peer_hello;
	}
	proto_hs_done(&a);
	proto_hs_done(&b);
	return r;
}

static void test_hello_fingerprint(void)
{
	proto_hello ha = hello("A", "127.0.0.1:7470"), hb = hello("B", NULL), a_got, b_got;
	ha.has_fp = true;
	ha.count = 123456789;
	hb.has_fp = true;
	hb.count = 0;
	for (size_t i = 0; i < RBSR_FP_LEN; i++) {
		ha.fp[i] = (uint8_t)(0xf0 - i);
		hb.fp[i] = (uint8_t)i;
	}
	CHECK_EQ_INT(hs_hellos(&ha, &hb, &a_got, &b_got), 0);
	CHECK(b_got.has_fp && b_got.count == ha.count && memcmp(b_got.fp, ha.fp, RBSR_FP_LEN) == 0);
	CHECK(a_got.has_fp && a_got.count == 0 && memcmp(a_got.fp, hb.fp, RBSR_FP_LEN) == 0);
	CHECK_EQ_STR(b_got.name, "A");
	CHECK_EQ_STR(b_got.addrs[0], "127.0.0.1:7470");
	/* one side without: an older node, or one that does not know its set yet */
	hb.has_fp = false;
	CHECK_EQ_INT(hs_hellos(&ha, &hb, &a_got, &b_got), 0);
	CHECK(!a_got.has_fp && a_got.count == 0);
	CHECK(b_got.has_fp && b_got.count == ha.count);
	/* the largest count a msgpack int holds, and one more (refused, never truncated) */
	hb.has_fp = true;
	hb.count = INT64_MAX;
	CHECK_EQ_INT(hs_hellos(&ha, &hb, &a_got, &b_got), 0);
	CHECK(a_got.has_fp && a_got.count == (uint64_t)INT64_MAX);
	hb.count = (uint64_t)INT64_MAX + 1;
	CHECK_EQ_INT(hs_hellos(&ha, &hb, &a_got, &b_got), MAILLE_EINVAL);
}

/* What message 3's HELLO holds beyond v, sw, name and addrs. */
typedef struct hello_extra {
	int count;     /* 0 absent, 1 uint 42, 2 the int -1, 3 a str */
	int fp;        /* 0 absent, 1 bin, 2 str */
	size_t fp_len; /* bytes of fp */
	bool unknown;  /* an unknown key "zz" as well */
	int code;      /* what the responder's proto_hs_read gives */
} hello_extra;

static proto_value *int_value(proto_arena *a, int64_t i)
{
	proto_value *v = proto_value_new(a, PROTO_V_INT);
	if (v)
		v->u.i = i;
	return v;
}

/* Runs a handshake whose message 3 carries [A's key, a HELLO built from x], sealed with the
 * real Noise state so that the HELLO parser behind the AEAD is reached. */
static void crafted_hello(const hello_extra *x)
{
	static const uint8_t fpb[32] = {0x66, 0x70};
	proto_arena ar;
	proto_arena_init(&ar, 0);
	proto_value *m = proto_value_new(&ar, PROTO_V_MAP);
	*proto_value_map_put(&ar, m, "v", 1) = *int_value(&ar, PROTO_VERSION);
	*proto_value_map_put(&ar, m, "sw", 2) = *proto_value_new_str(&ar, "maille 0.1.0", 12);
	*proto_value_map_put(&ar, m, "name", 4) = *proto_value_new_str(&ar, "A", 1);
	*proto_value_map_put(&ar, m, "addrs", 5) = *proto_value_new(&ar, PROTO_V_ARRAY);
	if (x->count == 1)
		*proto_value_map_put(&ar, m, "count", 5) = *int_value(&ar, 42);
	else if (x->count == 2)
		*proto_value_map_put(&ar, m, "count", 5) = *int_value(&ar, -1);
	else if (x->count == 3)
		*proto_value_map_put(&ar, m, "count", 5) = *proto_value_new_str(&ar, "42", 2);
	if (x->fp == 1) {
		proto_value *v = proto_value_map_put(&ar, m, "fp", 2);
		v->type = PROTO_V_BIN;
		v->u.bin.ptr = fpb;
		v->u.bin.len = x->fp_len;
	} else if (x->fp == 2) {
		*proto_value_map_put(&ar, m, "fp", 2) =
			*proto_value_new_str(&ar, "0123456789abcdef", x->fp_len);
	}
	if (x->unknown)
		*proto_value_map_put(&ar, m, "zz", 2) = *int_value(&ar, 7);
	proto_value *arr = proto_value_new(&ar, PROTO_V_ARRAY);
	proto_value *k = proto_value_array_push(&ar, arr);
	k->type = PROTO_V_BIN;
	k->u.bin.ptr = pka;
	k->u.bin.len = 32;
	*proto_value_array_push(&ar, arr) = *m;
	uint8_t *payload;
	size_t plen;
	CHECK_EQ_INT(proto_value_encode(arr, PROTO_HS_MSG_MAX, &payload, &plen), 0);
	proto_arena_done(&ar);

	proto_hs a, b;
	proto_hello h = hello("B", NULL);
	CHECK_EQ_INT(proto_hs_init(&a, true, ska, netkey, &h, T0, NULL), 0);
	CHECK_EQ_INT(proto_hs_init(&b, false, skb, netkey, &h, T0, NULL), 0);
	uint8_t msg[PROTO_HS_MSG_MAX];
	size_t len;
	CHECK_EQ_INT(proto_hs_write(&a, msg, sizeof msg, &len), 0);
	CHECK_EQ_INT(proto_hs_read(&b, msg, len), 0);
	CHECK_EQ_INT(proto_hs_write(&b, msg, sizeof msg, &len), 0);
	CHECK_EQ_INT(proto_hs_read(&a, msg, len), 0);
	CHECK_EQ_INT(noise_handshake_write_message(&a.noise, payload, plen, msg, sizeof msg, &len),
	             0);
	int r = proto_hs_read(&b, msg, len);
	if (r != x->code)
		fprintf(stderr, "  count %d fp %d/%zu: got %d, want %d\n", x->count, x->fp,
		        x->fp_len, r, x->code);
	CHECK_EQ_INT(r, x->code);
	if (r == 0) {
		CHECK_EQ_INT(b.peer_hello.has_fp, x->fp != 0);
		if (x->fp) {
			CHECK_EQ_INT(b.peer_hello.count, 42);
			CHECK(memcmp(b.peer_hello.fp, fpb, RBSR_FP_LEN) == 0);
		}
	} else {
		CHECK_EQ_INT(b.state, PROTO_HS_FAILED);
	}
	free(payload);
	proto_hs_done(&a);
	proto_hs_done(&b);
}

static void test_hello_fingerprint_malformed(void)
{
	static const hello_extra cases[] = {
		/* accepted: both keys, neither, and unknown keys alongside */
		{1, 1, RBSR_FP_LEN, false, 0},
		{1, 1, RBSR_FP_LEN, true, 0},
		{0, 0, 0, true, 0},
		/* one without the other */
		{0, 1, RBSR_FP_LEN, false, MAILLE_EPROTO},
		{1, 0, 0, false, MAILLE_EPROTO},
		/* fp of the wrong length or type */
		{1, 1, 0, false, MAILLE_EPROTO},
		{1, 1, RBSR_FP_LEN - 1, false, MAILLE_EPROTO},
		{1, 1, RBSR_FP_LEN + 1, false, MAILLE_EPROTO},
		{1, 1, 32, false, MAILLE_EPROTO},
		{1, 2, RBSR_FP_LEN, false, MAILLE_EPROTO},
		/* count negative or not an int */
		{2, 1, RBSR_FP_LEN, false, MAILLE_EPROTO},
		{3, 1, RBSR_FP_LEN, false, MAILLE_EPROTO},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		crafted_hello(&cases[i]);
}

CHECK_MAIN(setup, test_handshake_and_transcript, test_outsiders_refused, test_stale_and_replayed,
           test_identity_mismatch, test_transport, test_transport_limits, test_session_codec,
           test_hello_fingerprint, test_hello_fingerprint_malformed)
