/* proto/channel.c: Maille's secure channel (PROTOCOL.md §2). See channel.h. */
#include "channel.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "error.h"
#include "value.h"

/* ---- payload helpers ------------------------------------------------------------------------ */

/* Bodies of handshake payloads and session messages are small: decoding them is bounded by
 * this arena budget whatever the peer announces. */
#define PAYLOAD_ARENA_BUDGET (64u * 1024u)

static proto_value *new_int(proto_arena *a, int64_t i)
{
	proto_value *v = proto_value_new(a, PROTO_V_INT);
	if (v)
		v->u.i = i;
	return v;
}

static int encode_into(const proto_value *v, uint8_t *out, size_t cap, size_t *ret_len)
{
	uint8_t *buf;
	size_t len;
	int r = proto_value_encode(v, cap, &buf, &len);
	if (r)
		return r;
	memcpy(out, buf, len);
	free(buf);
	*ret_len = len;
	return 0;
}

static bool get_uint(const proto_value *v, uint64_t max, uint64_t *ret)
{
	if (!v || v->type != PROTO_V_INT || v->u.i < 0 || (uint64_t)v->u.i > max)
		return false;
	*ret = (uint64_t)v->u.i;
	return true;
}

/* Copies a string value of at most max bytes into ret (cap = max + 1). */
static bool get_str(const proto_value *v, size_t max, char *ret)
{
	if (!v || v->type != PROTO_V_STR || v->u.str.len > max)
		return false;
	memcpy(ret, v->u.str.ptr, v->u.str.len);
	ret[v->u.str.len] = '\0';
	return true;
}

/* ---- HELLO (§2.3) --------------------------------------------------------------------------- */

static int hello_build(proto_arena *a, const proto_hello *h, proto_value **ret)
{
	/* a count that does not fit the int64 of a msgpack int must not go out truncated: a
	 * wrong count could make a peer skip a reconciliation it needs */
	if (h->has_fp && h->count > (uint64_t)INT64_MAX)
		return MAILLE_EINVAL;
	proto_value *m = proto_value_new(a, PROTO_V_MAP);
	if (!m)
		return MAILLE_ENOMEM;
	proto_value *ver = new_int(a, h->version);
	size_t sl = strnlen(h->software, sizeof h->software);
	size_t nl = strnlen(h->name, sizeof h->name);
	proto_value *sw = proto_value_new_str(a, h->software, sl);
	proto_value *nm = proto_value_new_str(a, h->name, nl);
	proto_value *feat = new_int(a, (int64_t)(h->features & INT64_MAX));
	proto_value *addrs = proto_value_new(a, PROTO_V_ARRAY);
	if (!ver || !sw || !nm || !feat || !addrs)
		return MAILLE_ENOMEM;
	for (size_t i = 0; i < h->n_addrs && i < PROTO_HELLO_ADDRS_MAX; i++) {
		proto_value *s =
			proto_value_new_str(a, h->addrs[i], strnlen(h->addrs[i], sizeof h->addrs[i]));
		proto_value *slot = proto_value_array_push(a, addrs);
		if (!s || !slot)
			return MAILLE_ENOMEM;
		*slot = *s;
	}
	struct {
		const char *k;
		proto_value *v;
	} kv[] = {
		{"v", ver},      {"sw", sw},   {"name", nm}, {"addrs", addrs}, {"feat", feat},
		{"count", NULL}, {"fp", NULL}, /* only when has_fp, filled below */
	};
	size_t n_kv = sizeof kv / sizeof kv[0] - 2;
	if (h->has_fp) {
		/* §2.3: both keys or neither; without them the map is byte for byte the one of
		 * nodes that predate them (the §2.6 transcript) */
		proto_value *count = new_int(a, (int64_t)h->count);
		proto_value *fp = proto_value_new(a, PROTO_V_BIN);
		if (!count || !fp)
			return MAILLE_ENOMEM;
		fp->u.bin.ptr = h->fp;
		fp->u.bin.len = RBSR_FP_LEN;
		kv[n_kv++].v = count;
		kv[n_kv++].v = fp;
	}
	for (size_t i = 0; i < n_kv; i++) {
		proto_value *slot = proto_value_map_put(a, m, kv[i].k, strlen(kv[i].k));
		if (!slot)
			return MAILLE_ENOMEM;
		*slot = *kv[i].v;
	}
	*ret = m;
	return 0;
}

/* Unknown keys are ignored so that a newer peer can add fields (§2.3). */
static int hello_parse(const proto_value *m, proto_hello *ret)
{
	proto_hello h;
	memset(&h, 0, sizeof h);
	uint64_t u;
	if (!m || m->type != PROTO_V_MAP)
		return MAILLE_EPROTO;
	if (!get_uint(proto_map_get(m, "v"), UINT32_MAX, &u))
		return MAILLE_EPROTO;
	h.version = (uint32_t)u;
	if (!get_str(proto_map_get(m, "sw"), PROTO_HELLO_SOFTWARE_MAX, h.software) ||
	    !get_str(proto_map_get(m, "name"), PROTO_HELLO_NAME_MAX, h.name))
		return MAILLE_EPROTO;
	const proto_value *addrs = proto_map_get(m, "addrs");
	if (!addrs || addrs->type != PROTO_V_ARRAY || addrs->u.arr.n > PROTO_HELLO_ADDRS_MAX)
		return MAILLE_EPROTO;
	for (size_t i = 0; i < addrs->u.arr.n; i++)
		if (!get_str(&addrs->u.arr.items[i], PROTO_HELLO_ADDR_MAX, h.addrs[i]))
			return MAILLE_EPROTO;
	h.n_addrs = addrs->u.arr.n;
	const proto_value *feat = proto_map_get(m, "feat");
	if (feat && !get_uint(feat, INT64_MAX, &h.features))
		return MAILLE_EPROTO;
	/* "count" and "fp" (§3.1) come together: one without the other could only be read as a
	 * set whose fingerprint we cannot compare, so it is refused rather than guessed at */
	const proto_value *count = proto_map_get(m, "count"), *fp = proto_map_get(m, "fp");
	if (!count != !fp)
		return MAILLE_EPROTO;
	if (fp) {
		if (!get_uint(count, INT64_MAX, &h.count) || fp->type != PROTO_V_BIN ||
		    fp->u.bin.len != RBSR_FP_LEN)
			return MAILLE_EPROTO;
		memcpy(h.fp, fp->u.bin.ptr, RBSR_FP_LEN);
		h.has_fp = true;
	}
	*ret = h;
	return 0;
}

/* ---- handshake (§2.2) ------------------------------------------------------------------------ */

int proto_hs_init(proto_hs *hs, bool initiator, const uint8_t ed_sk[PROTO_SECRET_KEY_LEN],
                  const uint8_t netkey[PROTO_NETKEY_LEN], const proto_hello *hello,
                  uint64_t now_us, const uint8_t *fixed_e)
{
	memset(hs, 0, sizeof *hs);
	hs->state = PROTO_HS_FAILED;
	uint8_t x_sk[NOISE_DH_LEN];
	/* the Noise static key is the X25519 form of the node's Ed25519 key (DESIGN §4) */
	if (crypto_sign_ed25519_sk_to_curve25519(x_sk, ed_sk) != 0)
		return MAILLE_EINVAL;
	struct noise_handshake_params p;
	memset(&p, 0, sizeof p);
	p.protocol_name = PROTO_HS_NOISE_NAME;
	p.initiator = initiator;
	p.prologue = (const uint8_t *)PROTO_HS_PROLOGUE;
	p.prologue_len = strlen(PROTO_HS_PROLOGUE);
	p.s = x_sk;
	p.e = fixed_e;
	p.psks = netkey;
	p.n_psks = 1;
	int r = noise_handshake_init(&hs->noise, &p);
	sodium_memzero(x_sk, sizeof x_sk);
	if (r)
		return r;
	memcpy(hs->ed_pk, ed_sk + 32, PROTO_KEY_LEN);
	hs->hello = *hello;
	hs->now_us = now_us;
	hs->state = initiator ? PROTO_HS_WRITE1 : PROTO_HS_READ1;
	return 0;
}

static int fail(proto_hs *hs, int r)
{
	hs->state = PROTO_HS_FAILED;
	noise_handshake_done(&hs->noise);
	return r;
}

/* Message 2 and 3 payload: [ed25519 key, hello]. */
static int identity_payload(proto_hs *hs, uint8_t *out, size_t cap, size_t *ret_len)
{
	proto_arena a;
	proto_arena_init(&a, PAYLOAD_ARENA_BUDGET);
	proto_value *arr = proto_value_new(&a, PROTO_V_ARRAY), *hello = NULL;
	proto_value *key = proto_value_new(&a, PROTO_V_BIN);
	int r = arr && key ? hello_build(&a, &hs->hello, &hello) : MAILLE_ENOMEM;
	if (!r) {
		r = MAILLE_ENOMEM;
		key->u.bin.ptr = hs->ed_pk;
		key->u.bin.len = PROTO_KEY_LEN;
		proto_value *s1 = proto_value_array_push(&a, arr);
		proto_value *s2 = s1 ? proto_value_array_push(&a, arr) : NULL;
		if (s2) {
			/* push may move items: fill after both pushes */
			arr->u.arr.items[0] = *key;
			arr->u.arr.items[1] = *hello;
			r = encode_into(arr, out, cap, ret_len);
		}
	}
	proto_arena_done(&a);
	return r;
}

int proto_hs_write(proto_hs *hs, uint8_t *out, size_t cap, size_t *ret_len)
{
	uint8_t payload[1024];
	size_t plen = 0;
	int r;
	int next;
	switch (hs->state) {
	case PROTO_HS_WRITE1: {
		/* [version, timestamp]: lets the responder drop stale and replayed messages 1 */
		proto_arena a;
		proto_arena_init(&a, PAYLOAD_ARENA_BUDGET);
		proto_value *arr = proto_value_new(&a, PROTO_V_ARRAY);
		proto_value *s1 = arr ? proto_value_array_push(&a, arr) : NULL;
		proto_value *s2 = s1 ? proto_value_array_push(&a, arr) : NULL;
		r = MAILLE_ENOMEM;
		if (s2) {
			arr->u.arr.items[0].type = PROTO_V_INT;
			arr->u.arr.items[0].u.i = PROTO_VERSION;
			arr->u.arr.items[1].type = PROTO_V_INT;
			arr->u.arr.items[1].u.i = (int64_t)(hs->now_us & INT64_MAX);
			r = encode_into(arr, payload, sizeof payload, &plen);
		}
		proto_arena_done(&a);
		next = PROTO_HS_READ2;
		break;
	}
	case PROTO_HS_WRITE2:
		r = identity_payload(hs, payload, sizeof payload, &plen);
		next = PROTO_HS_READ3;
		break;
	case PROTO_HS_WRITE3:
		r = identity_payload(hs, payload, sizeof payload, &plen);
		next = PROTO_HS_DONE;
		break;
	default:
		return MAILLE_ESTATE;
	}
	if (r)
		return fail(hs, r);
	r = noise_handshake_write_message(&hs->noise, payload, plen, out, cap, ret_len);
	if (r)
		return r == MAILLE_ETOOBIG ? r : fail(hs, r);
	hs->state = next;
	return 0;
}

/* Checks [key, hello] and that key is the Ed25519 form of the authenticated Noise static. */
static int read_identity(proto_hs *hs, const uint8_t *payload, size_t len)
{
	proto_arena a;
	proto_arena_init(&a, PAYLOAD_ARENA_BUDGET);
	proto_value *v;
	int r = proto_value_decode(payload, len, &a, &v);
	if (!r && (v->type != PROTO_V_ARRAY || v->u.arr.n < 2 ||
	           v->u.arr.items[0].type != PROTO_V_BIN ||
	           v->u.arr.items[0].u.bin.len != PROTO_KEY_LEN))
		r = MAILLE_EPROTO;
	if (!r)
		r = hello_parse(&v->u.arr.items[1], &hs->peer_hello);
	if (!r) {
		memcpy(hs->peer_key, v->u.arr.items[0].u.bin.ptr, PROTO_KEY_LEN);
		uint8_t x_pk[NOISE_DH_LEN], rs[NOISE_DH_LEN];
		if (crypto_sign_ed25519_pk_to_curve25519(x_pk, hs->peer_key) != 0 ||
		    noise_handshake_remote_static(&hs->noise, rs) != 0 ||
		    sodium_memcmp(x_pk, rs, NOISE_DH_LEN) != 0)
			r = MAILLE_EAUTH; /* a key that is not the one the peer proved it holds */
	}
	proto_arena_done(&a);
	return r;
}

int proto_hs_read(proto_hs *hs, const uint8_t *msg, size_t len)
{
	int next;
	switch (hs->state) {
	case PROTO_HS_READ1:
		next = PROTO_HS_WRITE2;
		break;
	case PROTO_HS_READ2:
		next = PROTO_HS_WRITE3;
		break;
	case PROTO_HS_READ3:
		next = PROTO_HS_DONE;
		break;
	default:
		return MAILLE_ESTATE;
	}
	if (len > PROTO_HS_MSG_MAX)
		return fail(hs, MAILLE_ETOOBIG);
	uint8_t payload[PROTO_HS_MSG_MAX];
	size_t plen;
	int r = noise_handshake_read_message(&hs->noise, msg, len, payload, sizeof payload, &plen);
	if (r)
		return fail(hs, r);
	if (hs->state == PROTO_HS_READ1) {
		/* the ephemeral key is the first 32 bytes of message 1 (token e, §2.2) */
		memcpy(hs->peer_ephemeral, msg, NOISE_DH_LEN);
		proto_arena a;
		proto_arena_init(&a, PAYLOAD_ARENA_BUDGET);
		proto_value *v;
		uint64_t version = 0, ts = 0;
		r = proto_value_decode(payload, plen, &a, &v);
		if (!r && (v->type != PROTO_V_ARRAY || v->u.arr.n < 2 ||
		           !get_uint(&v->u.arr.items[0], UINT32_MAX, &version) ||
		           !get_uint(&v->u.arr.items[1], INT64_MAX, &ts)))
			r = MAILLE_EPROTO;
		if (!r && version != PROTO_VERSION)
			r = MAILLE_EVERSION;
		proto_arena_done(&a);
		if (r)
			return fail(hs, r);
		hs->peer_time_us = ts;
	} else {
		r = read_identity(hs, payload, plen);
		if (r)
			return fail(hs, r);
	}
	hs->state = next;
	return 0;
}

int proto_hs_check_fresh(const proto_hs *hs, uint64_t now_us)
{
	uint64_t t = hs->peer_time_us;
	if (t + PROTO_HS_MAX_AGE_US < now_us)
		return MAILLE_EAUTH; /* stale: possibly a recording */
	if (t > now_us + PROTO_HS_MAX_AGE_US)
		return MAILLE_EFUTURE;
	return 0;
}

int proto_hs_split(proto_hs *hs, proto_chan *ch)
{
	if (hs->state != PROTO_HS_DONE)
		return MAILLE_ESTATE;
	memset(ch, 0, sizeof *ch);
	int r = noise_handshake_split(&hs->noise, &ch->tx, &ch->rx);
	if (r)
		return r;
	ch->rekey_interval = PROTO_REKEY_INTERVAL;
	return 0;
}

void proto_hs_done(proto_hs *hs)
{
	noise_handshake_done(&hs->noise);
	sodium_memzero(hs, sizeof *hs);
	hs->state = PROTO_HS_FAILED;
}

/* ---- replay cache ---------------------------------------------------------------------------- */

void proto_replay_init(proto_replay *r)
{
	memset(r, 0, sizeof *r);
}

int proto_replay_check(proto_replay *r, const uint8_t e[NOISE_DH_LEN], uint64_t now_us)
{
	for (size_t i = 0; i < PROTO_REPLAY_SLOTS; i++) {
		if (r->seen_us[i] == 0 || r->seen_us[i] + PROTO_HS_MAX_AGE_US < now_us)
			continue;
		if (memcmp(r->key[i], e, sizeof r->key[i]) == 0)
			return MAILLE_EEXIST;
	}
	memcpy(r->key[r->next], e, sizeof r->key[r->next]);
	r->seen_us[r->next] = now_us ? now_us : 1;
	r->next = (r->next + 1) % PROTO_REPLAY_SLOTS;
	return 0;
}

/* ---- transport (§2.4) ------------------------------------------------------------------------ */

static int out_reserve(uint8_t **out, size_t *len, size_t *cap, size_t more)
{
	if (*cap - *len >= more)
		return 0;
	uint8_t *n = proto_array_grow_to(*out, cap, *len + more, 4096);
	if (!n)
		return MAILLE_ENOMEM;
	*out = n;
	return 0;
}

/* One transport message carrying plain[0..len) (len <= NOISE_TRANSPORT_PAYLOAD_MAX). */
static int seal_frame(proto_chan *ch, const uint8_t *plain, size_t len, uint8_t **out,
                      size_t *out_len, size_t *out_cap)
{
	size_t clen = len + NOISE_TAG_LEN;
	int r = out_reserve(out, out_len, out_cap, 2 + clen);
	if (r)
		return r;
	uint8_t *p = *out + *out_len;
	p[0] = (uint8_t)(clen >> 8);
	p[1] = (uint8_t)clen;
	size_t wrote;
	r = noise_cipher_encrypt(&ch->tx, NULL, 0, plain, len, p + 2, clen, &wrote);
	if (r)
		return r;
	*out_len += 2 + wrote;
	if (++ch->n_tx % ch->rekey_interval == 0)
		r = noise_cipher_rekey(&ch->tx); /* §2.4: both sides rekey at the same count */
	return r;
}

int proto_chan_seal(proto_chan *ch, const uint8_t *msg, size_t len, uint8_t **out,
                    size_t *out_len, size_t *out_cap)
{
	if (ch->failed)
		return MAILLE_ESTATE;
	if (len == 0 || len > PROTO_SESSION_MSG_MAX)
		return len ? MAILLE_ETOOBIG : MAILLE_EINVAL;
	/* the stream is length (4 bytes, big-endian) || message, cut into transport messages */
	uint8_t chunk[NOISE_TRANSPORT_PAYLOAD_MAX];
	size_t total = 4 + len, done = 0;
	while (done < total) {
		size_t n = total - done < sizeof chunk ? total - done : sizeof chunk;
		const uint8_t *plain;
		if (done > 0) {
			plain = msg + (done - 4);
		} else {
			/* only the first chunk is copied: it starts with the length prefix */
			chunk[0] = (uint8_t)(len >> 24);
			chunk[1] = (uint8_t)(len >> 16);
			chunk[2] = (uint8_t)(len >> 8);
			chunk[3] = (uint8_t)len;
			memcpy(chunk + 4, msg, n - 4);
			plain = chunk;
		}
		int r = seal_frame(ch, plain, n, out, out_len, out_cap);
		if (r) {
			ch->failed = true;
			return r;
		}
		done += n;
	}
	return 0;
}

/* Appends decrypted stream bytes; calls cb for each complete session message. */
static int stream_push(proto_chan *ch, const uint8_t *p, size_t n, proto_chan_msg_cb cb, void *ctx)
{
	while (n > 0) {
		if (ch->stream_len < 4) {
			if (ch->stream_cap < 4096) {
				uint8_t *b = realloc(ch->stream, 4096);
				if (!b)
					return MAILLE_ENOMEM;
				ch->stream = b;
				ch->stream_cap = 4096;
			}
			ch->stream[ch->stream_len++] = *p++;
			n--;
			if (ch->stream_len < 4)
				continue;
			/* the length is complete: check it before waiting for any more bytes */
			uint32_t announced = (uint32_t)ch->stream[0] << 24 |
			                     (uint32_t)ch->stream[1] << 16 |
			                     (uint32_t)ch->stream[2] << 8 | ch->stream[3];
			if (announced == 0)
				return MAILLE_EPROTO;
			if (announced > PROTO_SESSION_MSG_MAX)
				return MAILLE_ETOOBIG;
			continue;
		}
		uint32_t want = (uint32_t)ch->stream[0] << 24 | (uint32_t)ch->stream[1] << 16 |
		                (uint32_t)ch->stream[2] << 8 | ch->stream[3];
		if (want == 0)
			return MAILLE_EPROTO;
		if (want > PROTO_SESSION_MSG_MAX)
			return MAILLE_ETOOBIG;
		size_t need = 4 + (size_t)want - ch->stream_len;
		size_t take = n < need ? n : need;
		/* grow with what has arrived, never straight to the announced length */
		if (ch->stream_cap - ch->stream_len < take) {
			size_t ncap = ch->stream_cap;
			while (ncap - ch->stream_len < take)
				ncap *= 2;
			if (ncap > 4 + (size_t)want)
				ncap = 4 + (size_t)want;
			uint8_t *b = realloc(ch->stream, ncap);
			if (!b)
				return MAILLE_ENOMEM;
			ch->stream = b;
			ch->stream_cap = ncap;
		}
		memcpy(ch->stream + ch->stream_len, p, take);
		ch->stream_len += take;
		p += take;
		n -= take;
		if (ch->stream_len == 4 + (size_t)want) {
			ch->stream_len = 0;
			int r = cb(ctx, ch->stream + 4, want);
			if (ch->stream_cap > 256u * 1024u) {
				/* do not keep a megabyte per idle connection */
				free(ch->stream);
				ch->stream = NULL;
				ch->stream_cap = 0;
			}
			if (r)
				return r;
		}
	}
	return 0;
}

/* Decrypts the transport message c[0..clen) into ch->frame + 2 (room for out_cap bytes; c
 * may be there already), rekeys every rekey_interval messages, and hands the plaintext to
 * the message stream. Any failure fails the channel. */
static int chan_message_open(proto_chan *ch, const uint8_t *c, size_t clen, size_t out_cap,
                             proto_chan_msg_cb cb, void *ctx)
{
	size_t plen;
	int r = noise_cipher_decrypt(&ch->rx, NULL, 0, c, clen, ch->frame + 2, out_cap, &plen);
	if (!r && ++ch->n_rx % ch->rekey_interval == 0)
		r = noise_cipher_rekey(&ch->rx);
	if (!r)
		r = stream_push(ch, ch->frame + 2, plen, cb, ctx);
	if (r)
		ch->failed = true;
	return r;
}

int proto_chan_feed(proto_chan *ch, const uint8_t *data, size_t len, proto_chan_msg_cb cb,
                    void *ctx)
{
	if (ch->failed)
		return MAILLE_ESTATE;
	while (len > 0) {
		size_t need;
		if (ch->frame_len == 0 && len >= 2) {
			/* fast path: a whole transport message in the input is decrypted from there,
			 * without first copying it into the frame buffer */
			size_t clen = (size_t)data[0] << 8 | data[1];
			if (clen > NOISE_TAG_LEN && len >= 2 + clen) {
				int r = chan_message_open(ch, data + 2, clen, sizeof ch->frame - 2, cb, ctx);
				if (r)
					return r;
				data += 2 + clen;
				len -= 2 + clen;
				continue;
			}
		}
		if (ch->frame_len < 2) {
			need = 2 - ch->frame_len;
		} else {
			size_t clen = (size_t)ch->frame[0] << 8 | ch->frame[1];
			if (clen <= NOISE_TAG_LEN) {
				ch->failed = true; /* an empty or tag-less message: never sent by Maille */
				return MAILLE_EPROTO;
			}
			need = 2 + clen - ch->frame_len;
		}
		size_t take = len < need ? len : need;
		memcpy(ch->frame + ch->frame_len, data, take);
		ch->frame_len += take;
		data += take;
		len -= take;
		if (ch->frame_len < 2 || take < need)
			continue;
		if (ch->frame_len == 2)
			continue; /* length known; the body comes next */
		size_t clen = ch->frame_len - 2;
		ch->frame_len = 0;
		int r = chan_message_open(ch, ch->frame + 2, clen, clen, cb, ctx);
		if (r)
			return r;
	}
	return 0;
}

void proto_chan_done(proto_chan *ch)
{
	noise_cipher_done(&ch->tx);
	noise_cipher_done(&ch->rx);
	free(ch->stream);
	sodium_memzero(ch->frame, sizeof ch->frame);
	ch->stream = NULL;
	ch->stream_len = ch->stream_cap = ch->frame_len = 0;
	ch->failed = true;
}

/* ---- session messages (§2.5) ------------------------------------------------------------------ */

int proto_sess_decode(const uint8_t *msg, size_t len, proto_sess_msg *ret)
{
	proto_arena a;
	proto_arena_init(&a, PAYLOAD_ARENA_BUDGET + 4 * len);
	proto_value *v;
	proto_sess_msg m;
	memset(&m, 0, sizeof m);
	uint64_t u;
	int r = proto_value_decode(msg, len, &a, &v);
	if (r)
		goto out;
	r = MAILLE_EPROTO;
	if (v->type != PROTO_V_ARRAY || v->u.arr.n < 1 ||
	    !get_uint(&v->u.arr.items[0], UINT32_MAX, &u))
		goto out;
	m.type = (uint32_t)u;
	const proto_value *it = v->u.arr.items;
	switch (m.type) {
	case PROTO_SESS_PING:
	case PROTO_SESS_PONG:
		if (v->u.arr.n != 2 || !get_uint(&it[1], INT64_MAX, &m.nonce))
			goto out;
		break;
	case PROTO_SESS_BYE:
		if (v->u.arr.n != 3 || !get_uint(&it[1], UINT32_MAX, &u) || it[2].type != PROTO_V_STR)
			goto out;
		m.reason = (uint32_t)u;
		{
			/* truncate on a character boundary */
			size_t n = it[2].u.str.len < sizeof m.text - 1 ? it[2].u.str.len : sizeof m.text - 1;
			while (n > 0 && n < it[2].u.str.len && ((uint8_t)it[2].u.str.ptr[n] & 0xc0) == 0x80)
				n--;
			memcpy(m.text, it[2].u.str.ptr, n);
			m.text[n] = '\0';
		}
		break;
	default:
		break; /* a newer peer's message: the caller ignores it */
	}
	*ret = m;
	r = 0;
out:
	proto_arena_done(&a);
	return r;
}

int proto_sess_encode(const proto_sess_msg *m, uint8_t *buf, size_t cap, size_t *ret_len)
{
	proto_arena a;
	proto_arena_init(&a, PAYLOAD_ARENA_BUDGET);
	proto_value *arr = proto_value_new(&a, PROTO_V_ARRAY);
	int r = MAILLE_ENOMEM;
	size_t n = m->type == PROTO_SESS_BYE ? 3 : 2;
	if (m->type != PROTO_SESS_PING && m->type != PROTO_SESS_PONG && m->type != PROTO_SESS_BYE) {
		r = MAILLE_EINVAL;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (!proto_value_array_push(&a, arr))
			goto out;
	arr->u.arr.items[0].type = PROTO_V_INT;
	arr->u.arr.items[0].u.i = m->type;
	arr->u.arr.items[1].type = PROTO_V_INT;
	if (m->type == PROTO_SESS_BYE) {
		arr->u.arr.items[1].u.i = m->reason;
		arr->u.arr.items[2].type = PROTO_V_STR;
		arr->u.arr.items[2].u.str.ptr = m->text;
		arr->u.arr.items[2].u.str.len = strnlen(m->text, sizeof m->text);
	} else {
		arr->u.arr.items[1].u.i = (int64_t)(m->nonce & INT64_MAX);
	}
	r = encode_into(arr, buf, cap, ret_len);
out:
	proto_arena_done(&a);
	return r;
}
