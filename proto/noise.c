/* proto/noise.c: the Noise Protocol Framework, revision 34, on libsodium (see noise.h).
 *
 * Section numbers (§) are those of the Noise specification. The HandshakeState is generic: it
 * runs the token lists of the pattern table below, so no pattern has code of its own. */
#include "noise.h"

#include <sodium.h>
#include <string.h>

#include "error.h"

/* libsodium's AEAD wants a valid pointer even for zero-length input or output. */
static const uint8_t empty_in_[1];

/* ---------------------------------------------------------------------------------------------
 * Hashes (§4.3, §12.5, §12.6, §12.8) */

typedef union {
	crypto_generichash_state b2b;
	crypto_hash_sha256_state s256;
	crypto_hash_sha512_state s512;
} hash_state;

size_t noise_hash_len(enum noise_hash hash)
{
	switch (hash) {
	case NOISE_HASH_SHA256:
		return 32;
	case NOISE_HASH_SHA512:
	case NOISE_HASH_BLAKE2B:
		return 64;
	}
	return 0;
}

/* BLOCKLEN, the HMAC block size of RFC 2104 (§4.3, §12). */
static size_t hash_block_len(enum noise_hash hash)
{
	return hash == NOISE_HASH_SHA256 ? 64 : 128;
}

static void hash_init(enum noise_hash hash, hash_state *st)
{
	switch (hash) {
	case NOISE_HASH_SHA256:
		crypto_hash_sha256_init(&st->s256);
		break;
	case NOISE_HASH_SHA512:
		crypto_hash_sha512_init(&st->s512);
		break;
	case NOISE_HASH_BLAKE2B:
		/* unkeyed BLAKE2b-512 (§12.8): generichash with a 64-byte output */
		crypto_generichash_init(&st->b2b, NULL, 0, 64);
		break;
	}
}

static void hash_update(enum noise_hash hash, hash_state *st, const uint8_t *data, size_t len)
{
	if (len == 0)
		return;
	switch (hash) {
	case NOISE_HASH_SHA256:
		crypto_hash_sha256_update(&st->s256, data, len);
		break;
	case NOISE_HASH_SHA512:
		crypto_hash_sha512_update(&st->s512, data, len);
		break;
	case NOISE_HASH_BLAKE2B:
		crypto_generichash_update(&st->b2b, data, len);
		break;
	}
}

/* Writes HASHLEN bytes and wipes the state (an HMAC state holds key-derived bytes). */
static void hash_final(enum noise_hash hash, hash_state *st, uint8_t *out)
{
	switch (hash) {
	case NOISE_HASH_SHA256:
		crypto_hash_sha256_final(&st->s256, out);
		break;
	case NOISE_HASH_SHA512:
		crypto_hash_sha512_final(&st->s512, out);
		break;
	case NOISE_HASH_BLAKE2B:
		crypto_generichash_final(&st->b2b, out, 64);
		break;
	}
	sodium_memzero(st, sizeof *st);
}

/* HASH(a || b) into out (out may alias a or b: both are consumed before out is written). */
static void hash2(enum noise_hash hash, const uint8_t *a, size_t a_len, const uint8_t *b,
                  size_t b_len, uint8_t *out)
{
	hash_state st;
	hash_init(hash, &st);
	hash_update(hash, &st, a, a_len);
	hash_update(hash, &st, b, b_len);
	hash_final(hash, &st, out);
}

int noise_hash(enum noise_hash hash, const uint8_t *data, size_t len, uint8_t *ret_digest)
{
	if (noise_hash_len(hash) == 0 || !ret_digest || (len && !data))
		return MAILLE_EINVAL;
	hash2(hash, data, len, NULL, 0, ret_digest);
	return 0;
}

/* HMAC-HASH(key, d1 || d2), RFC 2104, written once for every hash of the table: libsodium has
 * HMAC-SHA256/512 but no HMAC-BLAKE2b, and Noise requires HMAC (not BLAKE2's keyed mode) for
 * every hash (§4.3). out may alias any input: all are consumed before out is written. */
static void hmac2(enum noise_hash hash, const uint8_t *key, size_t key_len, const uint8_t *d1,
                  size_t l1, const uint8_t *d2, size_t l2, uint8_t *out)
{
	size_t hl = noise_hash_len(hash), bl = hash_block_len(hash);
	uint8_t kb[NOISE_BLOCK_MAX_LEN] = { 0 };
	uint8_t pad[NOISE_BLOCK_MAX_LEN];
	uint8_t inner[NOISE_HASH_MAX_LEN];
	hash_state st;

	if (key_len > bl)
		hash2(hash, key, key_len, NULL, 0, kb); /* RFC 2104 §2: hashed first */
	else if (key_len > 0)
		memcpy(kb, key, key_len);

	for (size_t i = 0; i < bl; i++)
		pad[i] = kb[i] ^ 0x36;
	hash_init(hash, &st);
	hash_update(hash, &st, pad, bl);
	hash_update(hash, &st, d1, l1);
	hash_update(hash, &st, d2, l2);
	hash_final(hash, &st, inner);

	for (size_t i = 0; i < bl; i++)
		pad[i] = kb[i] ^ 0x5c;
	hash_init(hash, &st);
	hash_update(hash, &st, pad, bl);
	hash_update(hash, &st, inner, hl);
	hash_final(hash, &st, out);

	sodium_memzero(kb, sizeof kb);
	sodium_memzero(pad, sizeof pad);
	sodium_memzero(inner, sizeof inner);
}

int noise_hmac(enum noise_hash hash, const uint8_t *key, size_t key_len, const uint8_t *data,
               size_t data_len, uint8_t *ret_mac)
{
	if (noise_hash_len(hash) == 0 || !ret_mac || (key_len && !key) || (data_len && !data))
		return MAILLE_EINVAL;
	hmac2(hash, key, key_len, data, data_len, NULL, 0, ret_mac);
	return 0;
}

/* HKDF of §4.3 (RFC 5869 with an empty salt slot filled by the chaining key, and info empty):
 * temp_key = HMAC(ck, ikm); out1 = HMAC(temp_key, 0x01); out2 = HMAC(temp_key, out1 || 0x02);
 * out3 = HMAC(temp_key, out2 || 0x03). out1 may alias ck or ikm, which are consumed first. */
static void hkdf(enum noise_hash hash, const uint8_t *ck, const uint8_t *ikm, size_t ikm_len,
                 uint8_t *out1, uint8_t *out2, uint8_t *out3)
{
	size_t hl = noise_hash_len(hash);
	uint8_t temp[NOISE_HASH_MAX_LEN];
	uint8_t b;

	hmac2(hash, ck, hl, ikm, ikm_len, NULL, 0, temp);
	b = 0x01;
	hmac2(hash, temp, hl, &b, 1, NULL, 0, out1);
	b = 0x02;
	hmac2(hash, temp, hl, out1, hl, &b, 1, out2);
	if (out3) {
		b = 0x03;
		hmac2(hash, temp, hl, out2, hl, &b, 1, out3);
	}
	sodium_memzero(temp, sizeof temp);
}

int noise_hkdf(enum noise_hash hash, const uint8_t *ck, const uint8_t *ikm, size_t ikm_len,
               uint8_t *ret1, uint8_t *ret2, uint8_t *ret3)
{
	if (noise_hash_len(hash) == 0 || !ck || !ret1 || !ret2 || (ikm_len && !ikm))
		return MAILLE_EINVAL;
	hkdf(hash, ck, ikm, ikm_len, ret1, ret2, ret3);
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * X25519 (§4.1, §12.1) */

int noise_dh_public(const uint8_t priv[NOISE_DH_LEN], uint8_t ret_pub[NOISE_DH_LEN])
{
	uint8_t pub[NOISE_DH_LEN];
	if (!priv || !ret_pub)
		return MAILLE_EINVAL;
	if (crypto_scalarmult_base(pub, priv) != 0)
		return MAILLE_EAUTH;
	memcpy(ret_pub, pub, sizeof pub);
	return 0;
}

int noise_dh(const uint8_t priv[NOISE_DH_LEN], const uint8_t pub[NOISE_DH_LEN],
             uint8_t ret_shared[NOISE_DH_LEN])
{
	uint8_t out[NOISE_DH_LEN];
	if (!priv || !pub || !ret_shared)
		return MAILLE_EINVAL;
	/* libsodium already fails on an all-zero result; the explicit test keeps that property
	 * if the library ever changes (§12.1 allows signalling an error for it). */
	if (crypto_scalarmult(out, priv, pub) != 0 || sodium_is_zero(out, sizeof out)) {
		sodium_memzero(out, sizeof out);
		return MAILLE_EAUTH;
	}
	memcpy(ret_shared, out, sizeof out);
	sodium_memzero(out, sizeof out);
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * CipherState (§5.1) with ChaChaPoly (§12.3) */

#define NONCE_LEN 12 /* crypto_aead_chacha20poly1305_IETF_NPUBBYTES */

/* §12.3: 32 bits of zeros followed by the little-endian encoding of n. */
static void nonce_encode(uint64_t n, uint8_t out[NONCE_LEN])
{
	memset(out, 0, 4);
	for (int i = 0; i < 8; i++)
		out[4 + i] = (uint8_t)(n >> (8 * i));
}

/* Needs a key; in_len + 16 bytes to out (out == in allowed). */
static int cipher_seal(struct noise_cipher *cs, const uint8_t *ad, size_t ad_len, const uint8_t *in,
                       size_t in_len, uint8_t *out)
{
	uint8_t nonce[NONCE_LEN];
	if (cs->n == UINT64_MAX)
		return MAILLE_ETOOBIG; /* 2^64-1 is reserved (§5.1) */
	nonce_encode(cs->n, nonce);
	crypto_aead_chacha20poly1305_ietf_encrypt_detached(
	    out, out + in_len, NULL, in ? in : empty_in_, in_len, ad, ad_len, NULL, nonce, cs->k);
	cs->n++;
	return 0;
}

/* Needs a key and in_len >= 16; in_len - 16 bytes to out (out == in allowed). n moves only on
 * success (§5.1). */
static int cipher_open(struct noise_cipher *cs, const uint8_t *ad, size_t ad_len, const uint8_t *in,
                       size_t in_len, uint8_t *out)
{
	uint8_t nonce[NONCE_LEN];
	uint8_t scratch[1];
	size_t pt_len = in_len - NOISE_TAG_LEN;
	if (cs->n == UINT64_MAX)
		return MAILLE_ETOOBIG;
	nonce_encode(cs->n, nonce);
	if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(
	        out ? out : scratch, NULL, in, pt_len, in + pt_len, ad, ad_len, nonce, cs->k) != 0)
		return MAILLE_EAUTH;
	cs->n++;
	return 0;
}

void noise_cipher_init(struct noise_cipher *cs, const uint8_t key[NOISE_KEY_LEN])
{
	sodium_memzero(cs, sizeof *cs);
	if (key) {
		memcpy(cs->k, key, NOISE_KEY_LEN);
		cs->has_key = true;
	}
}

bool noise_cipher_has_key(const struct noise_cipher *cs)
{
	return cs && cs->has_key;
}

void noise_cipher_set_nonce(struct noise_cipher *cs, uint64_t n)
{
	if (cs)
		cs->n = n;
}

int noise_cipher_encrypt(struct noise_cipher *cs, const uint8_t *ad, size_t ad_len,
                         const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                         size_t *ret_len)
{
	if (!cs || !out || !ret_len || (ad_len && !ad) || (in_len && !in))
		return MAILLE_EINVAL;
	if (!cs->has_key)
		return MAILLE_ESTATE;
	if (in_len > NOISE_TRANSPORT_PAYLOAD_MAX || out_cap < in_len + NOISE_TAG_LEN)
		return MAILLE_ETOOBIG;
	int r = cipher_seal(cs, ad, ad_len, in, in_len, out);
	if (r == 0)
		*ret_len = in_len + NOISE_TAG_LEN;
	return r;
}

int noise_cipher_decrypt(struct noise_cipher *cs, const uint8_t *ad, size_t ad_len,
                         const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                         size_t *ret_len)
{
	if (!cs || !in || !ret_len || (ad_len && !ad))
		return MAILLE_EINVAL;
	if (!cs->has_key)
		return MAILLE_ESTATE;
	if (in_len > NOISE_MSG_MAX)
		return MAILLE_ETOOBIG;
	if (in_len < NOISE_TAG_LEN)
		return MAILLE_EPROTO;
	if (out_cap < in_len - NOISE_TAG_LEN)
		return MAILLE_ETOOBIG;
	if (!out && in_len > NOISE_TAG_LEN)
		return MAILLE_EINVAL;
	int r = cipher_open(cs, ad, ad_len, in, in_len, out);
	if (r == 0)
		*ret_len = in_len - NOISE_TAG_LEN;
	return r;
}

int noise_cipher_rekey(struct noise_cipher *cs)
{
	uint8_t zeros[NOISE_KEY_LEN] = { 0 };
	uint8_t out[NOISE_KEY_LEN];
	uint8_t tag[NOISE_TAG_LEN];
	uint8_t nonce[NONCE_LEN];
	if (!cs)
		return MAILLE_EINVAL;
	if (!cs->has_key)
		return MAILLE_ESTATE;
	/* REKEY(k) = first 32 bytes of ENCRYPT(k, maxnonce, zerolen, zeros) (§4.2, §11.3): the
	 * one nonce the transport never uses, so the new key is independent of every message. */
	nonce_encode(UINT64_MAX, nonce);
	crypto_aead_chacha20poly1305_ietf_encrypt_detached(out, tag, NULL, zeros, sizeof zeros,
	                                                   NULL, 0, NULL, nonce, cs->k);
	memcpy(cs->k, out, sizeof out);
	sodium_memzero(out, sizeof out);
	sodium_memzero(tag, sizeof tag);
	return 0;
}

void noise_cipher_done(struct noise_cipher *cs)
{
	if (cs)
		sodium_memzero(cs, sizeof *cs);
}

/* ---------------------------------------------------------------------------------------------
 * SymmetricState (§5.2) */

int noise_symmetric_init(struct noise_symmetric *ss, enum noise_hash hash, const char *name,
                         size_t name_len)
{
	size_t hl = noise_hash_len(hash);
	if (!ss || hl == 0 || (name_len && !name) || name_len > NOISE_PROTOCOL_NAME_MAX)
		return MAILLE_EINVAL;
	sodium_memzero(ss, sizeof *ss);
	ss->hash = hash;
	ss->hash_len = hl;
	if (name_len <= hl) {
		if (name_len > 0)
			memcpy(ss->h, name, name_len); /* padded with the zeros of the memzero */
	} else {
		hash2(hash, (const uint8_t *)name, name_len, NULL, 0, ss->h);
	}
	memcpy(ss->ck, ss->h, hl);
	noise_cipher_init(&ss->cs, NULL);
	return 0;
}

void noise_symmetric_mix_key(struct noise_symmetric *ss, const uint8_t *ikm, size_t len)
{
	uint8_t temp_k[NOISE_HASH_MAX_LEN];
	hkdf(ss->hash, ss->ck, ikm, len, ss->ck, temp_k, NULL);
	noise_cipher_init(&ss->cs, temp_k); /* truncated to 32 bytes when HASHLEN is 64 */
	sodium_memzero(temp_k, sizeof temp_k);
}

void noise_symmetric_mix_hash(struct noise_symmetric *ss, const uint8_t *data, size_t len)
{
	hash2(ss->hash, ss->h, ss->hash_len, data, len, ss->h);
}

void noise_symmetric_mix_key_and_hash(struct noise_symmetric *ss, const uint8_t *ikm, size_t len)
{
	uint8_t temp_h[NOISE_HASH_MAX_LEN];
	uint8_t temp_k[NOISE_HASH_MAX_LEN];
	hkdf(ss->hash, ss->ck, ikm, len, ss->ck, temp_h, temp_k);
	noise_symmetric_mix_hash(ss, temp_h, ss->hash_len);
	noise_cipher_init(&ss->cs, temp_k);
	sodium_memzero(temp_h, sizeof temp_h);
	sodium_memzero(temp_k, sizeof temp_k);
}

size_t noise_symmetric_handshake_hash(const struct noise_symmetric *ss,
                                      uint8_t ret_h[NOISE_HASH_MAX_LEN])
{
	memcpy(ret_h, ss->h, ss->hash_len);
	return ss->hash_len;
}

int noise_symmetric_encrypt_and_hash(struct noise_symmetric *ss, const uint8_t *in, size_t in_len,
                                     uint8_t *out, size_t out_cap, size_t *ret_len)
{
	size_t n;
	if (!ss || !out || !ret_len || (in_len && !in))
		return MAILLE_EINVAL;
	if (ss->cs.has_key) {
		if (in_len > NOISE_MSG_MAX - NOISE_TAG_LEN || out_cap < in_len + NOISE_TAG_LEN)
			return MAILLE_ETOOBIG;
		int r = cipher_seal(&ss->cs, ss->h, ss->hash_len, in, in_len, out);
		if (r != 0)
			return r;
		n = in_len + NOISE_TAG_LEN;
	} else {
		if (in_len > NOISE_MSG_MAX || out_cap < in_len)
			return MAILLE_ETOOBIG;
		if (in_len > 0 && out != in)
			memmove(out, in, in_len);
		n = in_len;
	}
	noise_symmetric_mix_hash(ss, out, n);
	*ret_len = n;
	return 0;
}

int noise_symmetric_decrypt_and_hash(struct noise_symmetric *ss, const uint8_t *in, size_t in_len,
                                     uint8_t *out, size_t out_cap, size_t *ret_len)
{
	uint8_t new_h[NOISE_HASH_MAX_LEN];
	size_t n;
	if (!ss || !ret_len || (in_len && !in))
		return MAILLE_EINVAL;
	if (in_len > NOISE_MSG_MAX)
		return MAILLE_ETOOBIG;
	if (ss->cs.has_key && in_len < NOISE_TAG_LEN)
		return MAILLE_EPROTO;
	n = ss->cs.has_key ? in_len - NOISE_TAG_LEN : in_len;
	if (out_cap < n)
		return MAILLE_ETOOBIG;
	if (!out && n > 0)
		return MAILLE_EINVAL;
	/* MixHash(ciphertext) is computed before decrypting, because in-place decryption
	 * destroys the ciphertext, and applied only after the tag verified (h is the AD). */
	hash2(ss->hash, ss->h, ss->hash_len, in, in_len, new_h);
	if (ss->cs.has_key) {
		int r = cipher_open(&ss->cs, ss->h, ss->hash_len, in, in_len, out);
		if (r != 0)
			return r;
	} else if (n > 0 && out != in) {
		memmove(out, in, n);
	}
	memcpy(ss->h, new_h, ss->hash_len);
	*ret_len = n;
	return 0;
}

void noise_symmetric_split(const struct noise_symmetric *ss, struct noise_cipher *ret_c1,
                           struct noise_cipher *ret_c2)
{
	uint8_t k1[NOISE_HASH_MAX_LEN];
	uint8_t k2[NOISE_HASH_MAX_LEN];
	hkdf(ss->hash, ss->ck, NULL, 0, k1, k2, NULL);
	noise_cipher_init(ret_c1, k1); /* truncated to 32 bytes when HASHLEN is 64 */
	noise_cipher_init(ret_c2, k2);
	sodium_memzero(k1, sizeof k1);
	sodium_memzero(k2, sizeof k2);
}

void noise_symmetric_done(struct noise_symmetric *ss)
{
	if (ss)
		sodium_memzero(ss, sizeof *ss);
}

/* ---------------------------------------------------------------------------------------------
 * Handshake patterns (§7.4 one-way, §7.5 fundamental, §7.6 deferred), written as in the
 * specification: pre-messages of the initiator and of the responder ("", "e", "s" or "e,s"),
 * then the messages separated by '|' (the first is the initiator's, then they alternate), each
 * a ','-separated token list. The psk modifiers of §9.4 are applied when a name is parsed. */

struct pattern_def {
	const char *name;
	const char *pre_i, *pre_r;
	const char *msgs;
};

static const struct pattern_def patterns_[] = {
	/* one-way (§7.4) */
	{ "N", "", "s", "e,es" },
	{ "K", "s", "s", "e,es,ss" },
	{ "X", "", "s", "e,es,s,ss" },
	/* fundamental interactive (§7.5) */
	{ "NN", "", "", "e|e,ee" },
	{ "NK", "", "s", "e,es|e,ee" },
	{ "NX", "", "", "e|e,ee,s,es" },
	{ "XN", "", "", "e|e,ee|s,se" },
	{ "XK", "", "s", "e,es|e,ee|s,se" },
	{ "XX", "", "", "e|e,ee,s,es|s,se" },
	{ "KN", "s", "", "e|e,ee,se" },
	{ "KK", "s", "s", "e,es,ss|e,ee,se" },
	{ "KX", "s", "", "e|e,ee,se,s,es" },
	{ "IN", "", "", "e,s|e,ee,se" },
	{ "IK", "", "s", "e,es,s,ss|e,ee,se" },
	{ "IX", "", "", "e,s|e,ee,se,s,es" },
	/* deferred interactive (§7.6) */
	{ "NK1", "", "s", "e|e,ee,es" },
	{ "NX1", "", "", "e|e,ee,s|es" },
	{ "X1N", "", "", "e|e,ee|s|se" },
	{ "X1K", "", "s", "e,es|e,ee|s|se" },
	{ "XK1", "", "s", "e|e,ee,es|s,se" },
	{ "X1K1", "", "s", "e|e,ee,es|s|se" },
	{ "X1X", "", "", "e|e,ee,s,es|s|se" },
	{ "XX1", "", "", "e|e,ee,s|es,s,se" },
	{ "X1X1", "", "", "e|e,ee,s|es,s|se" },
	{ "K1N", "s", "", "e|e,ee|se" },
	{ "K1K", "s", "s", "e,es|e,ee|se" },
	{ "KK1", "s", "s", "e|e,ee,se,es" },
	{ "K1K1", "s", "s", "e|e,ee,es|se" },
	{ "K1X", "s", "", "e|e,ee,s,es|se" },
	{ "KX1", "s", "", "e|e,ee,se,s|es" },
	{ "K1X1", "s", "", "e|e,ee,s|se,es" },
	{ "I1N", "", "", "e,s|e,ee|se" },
	{ "I1K", "", "s", "e,es,s|e,ee|se" },
	{ "IK1", "", "s", "e,s|e,ee,se,es" },
	{ "I1K1", "", "s", "e,s|e,ee,es|se" },
	{ "I1X", "", "", "e,s|e,ee,s,es|se" },
	{ "IX1", "", "", "e,s|e,ee,se,s|es" },
	{ "I1X1", "", "", "e,s|e,ee,s|se,es" },
};

static bool span_eq(const char *p, size_t len, const char *lit)
{
	return strlen(lit) == len && memcmp(p, lit, len) == 0;
}

static int token_of(const char *p, size_t len)
{
	static const char *const names[] = { "e", "s", "ee", "es", "se", "ss", "psk" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (span_eq(p, len, names[i]))
			return (int)i + NOISE_TOK_E_;
	return 0;
}

/* Parses a ','-separated token list s[0..len) into toks (at most cap). */
static int parse_tokens(const char *s, size_t len, uint8_t *toks, size_t cap, size_t *ret_n)
{
	size_t n = 0, i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && s[j] != ',')
			j++;
		int t = token_of(s + i, j - i);
		if (t == 0 || n == cap)
			return MAILLE_EINVAL;
		toks[n++] = (uint8_t)t;
		i = j + 1;
	}
	*ret_n = n;
	return 0;
}

/* A pre-message as a bit set: which of e and s it lists (always hashed e first, §5.3/§7.1). */
#define PRE_E 1u
#define PRE_S 2u

static unsigned pre_bits(const char *s)
{
	uint8_t toks[2];
	size_t n = 0;
	unsigned bits = 0;
	if (parse_tokens(s, strlen(s), toks, 2, &n) != 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		bits |= toks[i] == NOISE_TOK_E_ ? PRE_E : toks[i] == NOISE_TOK_S_ ? PRE_S : 0u;
	return bits;
}

/* Parses "Noise_<pattern>_25519_ChaChaPoly_<hash>" (§8) and fills the message token lists of
 * hs, with the psk tokens of the modifiers (§9.4): psk0 at the start of the first message,
 * pskN (N >= 1) at the end of the N-th message. */
static int parse_name(struct noise_handshake *hs, const char *name, size_t len,
                      const struct pattern_def **ret_def, enum noise_hash *ret_hash)
{
	const char *sect[4];
	size_t sect_len[4];
	const char *p = name + 6, *end = name + len;
	enum noise_hash hash;

	if (len < 6 || memcmp(name, "Noise_", 6) != 0)
		return MAILLE_EINVAL;
	for (int i = 0; i < 4; i++) {
		const char *q = p;
		while (q < end && *q != '_')
			q++;
		if (q == p || (i < 3 && q == end) || (i == 3 && q != end))
			return MAILLE_EINVAL;
		sect[i] = p;
		sect_len[i] = (size_t)(q - p);
		p = q + 1;
	}
	if (!span_eq(sect[1], sect_len[1], "25519") || !span_eq(sect[2], sect_len[2], "ChaChaPoly"))
		return MAILLE_EINVAL;
	if (span_eq(sect[3], sect_len[3], "SHA256"))
		hash = NOISE_HASH_SHA256;
	else if (span_eq(sect[3], sect_len[3], "SHA512"))
		hash = NOISE_HASH_SHA512;
	else if (span_eq(sect[3], sect_len[3], "BLAKE2b"))
		hash = NOISE_HASH_BLAKE2B;
	else
		return MAILLE_EINVAL; /* BLAKE2s, AESGCM, 448...: not provided by libsodium */

	/* the base pattern is the leading run of capitals and digits; modifiers follow (§8.1) */
	const char *pat = sect[0];
	size_t pat_len = sect_len[0], base_len = 0;
	while (base_len < pat_len && ((pat[base_len] >= 'A' && pat[base_len] <= 'Z') ||
	                              (pat[base_len] >= '0' && pat[base_len] <= '9')))
		base_len++;
	const struct pattern_def *def = NULL;
	for (size_t i = 0; i < sizeof patterns_ / sizeof patterns_[0]; i++)
		if (span_eq(pat, base_len, patterns_[i].name))
			def = &patterns_[i];
	if (!def)
		return MAILLE_EINVAL;

	/* base messages */
	uint8_t base[NOISE_MESSAGES_MAX][NOISE_TOKENS_MAX];
	size_t base_n[NOISE_MESSAGES_MAX] = { 0 };
	size_t n_msgs = 0;
	for (const char *m = def->msgs;;) {
		const char *bar = strchr(m, '|');
		size_t mlen = bar ? (size_t)(bar - m) : strlen(m);
		if (n_msgs == NOISE_MESSAGES_MAX ||
		    parse_tokens(m, mlen, base[n_msgs], NOISE_TOKENS_MAX, &base_n[n_msgs]) != 0)
			return MAILLE_EINVAL;
		n_msgs++;
		if (!bar)
			break;
		m = bar + 1;
	}

	/* modifiers: "pskN" joined by '+'; anything else (fallback, hfs, ...) is unsupported */
	unsigned psk_mask = 0;
	size_t n_psk = 0;
	for (size_t i = base_len; i < pat_len;) {
		if (i > base_len) {
			if (pat[i] != '+')
				return MAILLE_EINVAL;
			i++;
		}
		if (pat_len - i < 4 || memcmp(pat + i, "psk", 3) != 0)
			return MAILLE_EINVAL;
		i += 3;
		size_t d0 = i;
		unsigned num = 0;
		while (i < pat_len && pat[i] >= '0' && pat[i] <= '9' && i - d0 < 2)
			num = num * 10 + (unsigned)(pat[i++] - '0');
		if (i == d0 || (i - d0 > 1 && pat[d0] == '0') || num > n_msgs)
			return MAILLE_EINVAL; /* no digit, leading zero, or past the end */
		if (psk_mask & (1u << num))
			return MAILLE_EINVAL; /* the same modifier twice */
		psk_mask |= 1u << num;
		n_psk++;
		if (i < pat_len && pat[i] != '+')
			return MAILLE_EINVAL;
	}

	for (size_t m = 0; m < n_msgs; m++) {
		size_t n = 0;
		bool first = m == 0 && (psk_mask & 1u);
		bool last = (psk_mask & (1u << (m + 1))) != 0;
		if (base_n[m] + first + last > NOISE_TOKENS_MAX)
			return MAILLE_EINVAL;
		if (first)
			hs->tokens[m][n++] = NOISE_TOK_PSK_;
		memcpy(&hs->tokens[m][n], base[m], base_n[m]);
		n += base_n[m];
		if (last)
			hs->tokens[m][n++] = NOISE_TOK_PSK_;
		hs->n_tokens[m] = (uint8_t)n;
	}
	hs->n_messages = (uint8_t)n_msgs;
	hs->n_psks = (uint8_t)n_psk;
	hs->psk_mode = n_psk > 0;
	*ret_def = def;
	*ret_hash = hash;
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * HandshakeState (§5.3) */

/* Message i is the initiator's when i is even: patterns start with the initiator and
 * alternate (§7.1). */
static bool my_message(const struct noise_handshake *hs, size_t i)
{
	return (i % 2 == 0) == hs->initiator;
}

static bool my_messages_have(const struct noise_handshake *hs, uint8_t tok)
{
	for (size_t m = 0; m < hs->n_messages; m++)
		if (my_message(hs, m))
			for (size_t t = 0; t < hs->n_tokens[m]; t++)
				if (hs->tokens[m][t] == tok)
					return true;
	return false;
}

static void set_turn(struct noise_handshake *hs)
{
	if (hs->msg_index == hs->n_messages)
		hs->action = NOISE_ACTION_SPLIT;
	else
		hs->action = my_message(hs, hs->msg_index) ? NOISE_ACTION_WRITE : NOISE_ACTION_READ;
}

/* A public key of a pre-message or of an "e" token: MixHash, and in a PSK handshake also
 * MixKey, so that encryption with a psk-derived key always uses a fresh ephemeral (§9.2). */
static void mix_pre_key(struct noise_handshake *hs, const uint8_t *pub, bool ephemeral)
{
	noise_symmetric_mix_hash(&hs->ss, pub, NOISE_DH_LEN);
	if (ephemeral && hs->psk_mode)
		noise_symmetric_mix_key(&hs->ss, pub, NOISE_DH_LEN);
}

static void hash_pre_message(struct noise_handshake *hs, unsigned bits, bool mine)
{
	if (bits & PRE_E)
		mix_pre_key(hs, mine ? hs->e_pub : hs->re, true);
	if (bits & PRE_S)
		mix_pre_key(hs, mine ? hs->s_pub : hs->rs, false);
}

static int init_(struct noise_handshake *hs, const struct noise_handshake_params *p)
{
	const struct pattern_def *def = NULL;
	enum noise_hash hash = NOISE_HASH_SHA256;
	size_t name_len = strnlen(p->protocol_name, NOISE_PROTOCOL_NAME_MAX + 1);
	int r;

	if (name_len > NOISE_PROTOCOL_NAME_MAX)
		return MAILLE_EINVAL;
	hs->initiator = p->initiator;
	r = parse_name(hs, p->protocol_name, name_len, &def, &hash);
	if (r != 0)
		return r;

	unsigned pre_mine = pre_bits(p->initiator ? def->pre_i : def->pre_r);
	unsigned pre_peer = pre_bits(p->initiator ? def->pre_r : def->pre_i);
	bool need_s = (pre_mine & PRE_S) || my_messages_have(hs, NOISE_TOK_S_);
	bool need_e = (pre_mine & PRE_E) || my_messages_have(hs, NOISE_TOK_E_);

	if ((need_s && !p->s) || ((pre_mine & PRE_E) && !p->e))
		return MAILLE_EINVAL;
	if (!(pre_peer & PRE_S) != !p->rs || !(pre_peer & PRE_E) != !p->re)
		return MAILLE_EINVAL; /* missing, or given where the handshake would overwrite it */
	if (p->n_psks != hs->n_psks || (p->n_psks && !p->psks))
		return MAILLE_EINVAL;
	if (p->prologue_len && !p->prologue)
		return MAILLE_EINVAL;

	if (need_s) {
		memcpy(hs->s_priv, p->s, NOISE_DH_LEN);
		if ((r = noise_dh_public(hs->s_priv, hs->s_pub)) != 0)
			return r;
		hs->has_s = true;
	}
	if (need_e) {
		/* Drawn now rather than at the "e" token (§5.3): nothing observable depends on the
		 * time of the draw, and the state then keeps no pointer to the caller's RNG. */
		if (p->e)
			memcpy(hs->e_priv, p->e, NOISE_DH_LEN);
		else if (p->rng)
			p->rng(p->rng_ctx, hs->e_priv, NOISE_DH_LEN);
		else
			randombytes_buf(hs->e_priv, NOISE_DH_LEN);
		if ((r = noise_dh_public(hs->e_priv, hs->e_pub)) != 0)
			return r;
		hs->has_e = true;
	}
	if (p->rs) {
		memcpy(hs->rs, p->rs, NOISE_DH_LEN);
		hs->has_rs = true;
	}
	if (p->re) {
		memcpy(hs->re, p->re, NOISE_DH_LEN);
		hs->has_re = true;
	}
	if (p->n_psks)
		memcpy(hs->psks, p->psks, p->n_psks * NOISE_PSK_LEN);

	r = noise_symmetric_init(&hs->ss, hash, p->protocol_name, name_len);
	if (r != 0)
		return r;
	noise_symmetric_mix_hash(&hs->ss, p->prologue, p->prologue_len);
	/* the initiator's pre-message keys are hashed first (§5.3) */
	hash_pre_message(hs, p->initiator ? pre_mine : pre_peer, p->initiator);
	hash_pre_message(hs, p->initiator ? pre_peer : pre_mine, !p->initiator);
	set_turn(hs);
	return 0;
}

int noise_handshake_init(struct noise_handshake *hs, const struct noise_handshake_params *params)
{
	if (!hs)
		return MAILLE_EINVAL;
	sodium_memzero(hs, sizeof *hs);
	if (!params || !params->protocol_name)
		return MAILLE_EINVAL;
	int r = init_(hs, params);
	if (r != 0)
		sodium_memzero(hs, sizeof *hs); /* reads as NOISE_ACTION_FAILED */
	return r;
}

enum noise_action noise_handshake_action(const struct noise_handshake *hs)
{
	return hs ? (enum noise_action)hs->action : NOISE_ACTION_FAILED;
}

bool noise_handshake_complete(const struct noise_handshake *hs)
{
	enum noise_action a = noise_handshake_action(hs);
	return a == NOISE_ACTION_SPLIT || a == NOISE_ACTION_DONE;
}

bool noise_handshake_one_way(const struct noise_handshake *hs)
{
	return hs && hs->action != NOISE_ACTION_FAILED && hs->n_messages == 1;
}

/* The bytes the current message adds to its payload, from its tokens and from whether a key
 * will exist when each encrypted field is reached: lengths are known before any state
 * changes, so size errors leave the handshake untouched. */
static size_t next_overhead(const struct noise_handshake *hs)
{
	bool key = hs->ss.cs.has_key;
	size_t len = 0;
	const uint8_t *toks = hs->tokens[hs->msg_index];
	for (size_t t = 0; t < hs->n_tokens[hs->msg_index]; t++) {
		switch (toks[t]) {
		case NOISE_TOK_E_:
			len += NOISE_DH_LEN;
			if (hs->psk_mode)
				key = true; /* MixKey(e.pub), §9.2 */
			break;
		case NOISE_TOK_S_:
			len += NOISE_DH_LEN + (key ? NOISE_TAG_LEN : 0);
			break;
		default: /* ee es se ss psk: MixKey or MixKeyAndHash */
			key = true;
			break;
		}
	}
	return len + (key ? NOISE_TAG_LEN : 0);
}

size_t noise_handshake_overhead(const struct noise_handshake *hs)
{
	enum noise_action a = noise_handshake_action(hs);
	if (a != NOISE_ACTION_WRITE && a != NOISE_ACTION_READ)
		return 0;
	return next_overhead(hs);
}

size_t noise_handshake_payload_max(const struct noise_handshake *hs)
{
	enum noise_action a = noise_handshake_action(hs);
	if (a != NOISE_ACTION_WRITE && a != NOISE_ACTION_READ)
		return 0;
	return NOISE_MSG_MAX - next_overhead(hs);
}

/* ee, es, se, ss (§5.3): the first letter names the initiator's key, the second the
 * responder's; each side uses its private key and the peer's public key. psk: §9.2. */
static int key_token(struct noise_handshake *hs, uint8_t tok)
{
	const uint8_t *priv = NULL, *pub = NULL;
	bool have = false;
	bool init = hs->initiator;
	uint8_t dh[NOISE_DH_LEN];

	switch (tok) {
	case NOISE_TOK_PSK_:
		if (hs->psk_next >= hs->n_psks)
			return MAILLE_ESTATE; /* unreachable: init checked the count */
		noise_symmetric_mix_key_and_hash(&hs->ss, hs->psks[hs->psk_next++], NOISE_PSK_LEN);
		return 0;
	case NOISE_TOK_EE_:
		priv = hs->e_priv, pub = hs->re, have = hs->has_e && hs->has_re;
		break;
	case NOISE_TOK_ES_:
		if (init)
			priv = hs->e_priv, pub = hs->rs, have = hs->has_e && hs->has_rs;
		else
			priv = hs->s_priv, pub = hs->re, have = hs->has_s && hs->has_re;
		break;
	case NOISE_TOK_SE_:
		if (init)
			priv = hs->s_priv, pub = hs->re, have = hs->has_s && hs->has_re;
		else
			priv = hs->e_priv, pub = hs->rs, have = hs->has_e && hs->has_rs;
		break;
	case NOISE_TOK_SS_:
		priv = hs->s_priv, pub = hs->rs, have = hs->has_s && hs->has_rs;
		break;
	default:
		break;
	}
	if (!have)
		return MAILLE_ESTATE; /* unreachable for the valid patterns of the table (§7.3) */
	int r = noise_dh(priv, pub, dh);
	if (r != 0)
		return r;
	noise_symmetric_mix_key(&hs->ss, dh, sizeof dh);
	sodium_memzero(dh, sizeof dh);
	return 0;
}

int noise_handshake_write_message(struct noise_handshake *hs, const uint8_t *payload,
                                  size_t payload_len, uint8_t *out, size_t out_cap, size_t *ret_len)
{
	if (!hs || !out || !ret_len || (payload_len && !payload))
		return MAILLE_EINVAL;
	if (hs->action != NOISE_ACTION_WRITE)
		return MAILLE_ESTATE;
	size_t over = next_overhead(hs);
	if (payload_len > NOISE_MSG_MAX - over || out_cap < over + payload_len)
		return MAILLE_ETOOBIG;
	size_t total = over + payload_len, pos = 0, n = 0;
	const uint8_t *toks = hs->tokens[hs->msg_index];
	int r = 0;

	for (size_t t = 0; t < hs->n_tokens[hs->msg_index] && r == 0; t++) {
		switch (toks[t]) {
		case NOISE_TOK_E_:
			memcpy(out + pos, hs->e_pub, NOISE_DH_LEN);
			pos += NOISE_DH_LEN;
			mix_pre_key(hs, hs->e_pub, true);
			break;
		case NOISE_TOK_S_:
			r = noise_symmetric_encrypt_and_hash(&hs->ss, hs->s_pub, NOISE_DH_LEN,
			                                     out + pos, total - pos, &n);
			pos += n;
			break;
		default:
			r = key_token(hs, toks[t]);
			break;
		}
	}
	if (r == 0)
		r = noise_symmetric_encrypt_and_hash(&hs->ss, payload, payload_len, out + pos,
		                                     total - pos, &n);
	if (r != 0) {
		/* §5.3: a failed handshake is abandoned; nothing half-written may be sent */
		sodium_memzero(out, total);
		noise_handshake_done(hs);
		return r;
	}
	hs->msg_index++;
	set_turn(hs);
	*ret_len = pos + n;
	return 0;
}

int noise_handshake_read_message(struct noise_handshake *hs, const uint8_t *msg, size_t msg_len,
                                 uint8_t *payload, size_t payload_cap, size_t *ret_len)
{
	if (!hs || !msg || !ret_len)
		return MAILLE_EINVAL;
	if (hs->action != NOISE_ACTION_READ)
		return MAILLE_ESTATE;
	if (msg_len > NOISE_MSG_MAX)
		return MAILLE_ETOOBIG;
	size_t over = next_overhead(hs);
	if (msg_len < over)
		return MAILLE_EPROTO;
	size_t plen = msg_len - over;
	if (payload_cap < plen)
		return MAILLE_ETOOBIG;
	if (!payload && plen > 0)
		return MAILLE_EINVAL;

	const uint8_t *toks = hs->tokens[hs->msg_index];
	uint8_t rs[NOISE_DH_LEN];
	size_t pos = 0, n = 0;
	int r = 0;

	for (size_t t = 0; t < hs->n_tokens[hs->msg_index] && r == 0; t++) {
		switch (toks[t]) {
		case NOISE_TOK_E_:
			memcpy(hs->re, msg + pos, NOISE_DH_LEN);
			hs->has_re = true;
			pos += NOISE_DH_LEN;
			mix_pre_key(hs, hs->re, true);
			break;
		case NOISE_TOK_S_: {
			size_t len = NOISE_DH_LEN + (hs->ss.cs.has_key ? NOISE_TAG_LEN : 0);
			r = noise_symmetric_decrypt_and_hash(&hs->ss, msg + pos, len, rs, sizeof rs,
			                                     &n);
			if (r == 0) {
				memcpy(hs->rs, rs, NOISE_DH_LEN);
				hs->has_rs = true;
			}
			pos += len;
			break;
		}
		default:
			r = key_token(hs, toks[t]);
			break;
		}
	}
	if (r == 0)
		r = noise_symmetric_decrypt_and_hash(&hs->ss, msg + pos, msg_len - pos, payload,
		                                     payload_cap, &n);
	if (r != 0) {
		/* §5.3: on any decryption or DH failure the handshake is abandoned */
		if (payload && plen > 0)
			sodium_memzero(payload, plen);
		noise_handshake_done(hs);
		return r;
	}
	hs->msg_index++;
	set_turn(hs);
	*ret_len = n;
	return 0;
}

int noise_handshake_split(struct noise_handshake *hs, struct noise_cipher *ret_send,
                          struct noise_cipher *ret_recv)
{
	struct noise_cipher c1, c2;
	if (!hs || !ret_send || !ret_recv || ret_send == ret_recv)
		return MAILLE_EINVAL;
	if (hs->action != NOISE_ACTION_SPLIT)
		return MAILLE_ESTATE;
	noise_symmetric_split(&hs->ss, &c1, &c2);
	if (hs->n_messages == 1) {
		/* one-way pattern: only initiator -> responder exists (§7.4); c2 is discarded */
		noise_cipher_done(&c2);
	}
	*ret_send = hs->initiator ? c1 : c2;
	*ret_recv = hs->initiator ? c2 : c1;
	noise_cipher_done(&c1);
	noise_cipher_done(&c2);
	/* Only h and the public keys stay: the chaining key, the handshake cipher, private
	 * keys and psks are no longer needed by anyone (§5.3 lets them be deleted). */
	sodium_memzero(hs->ss.ck, sizeof hs->ss.ck);
	noise_cipher_done(&hs->ss.cs);
	sodium_memzero(hs->s_priv, sizeof hs->s_priv);
	sodium_memzero(hs->e_priv, sizeof hs->e_priv);
	sodium_memzero(hs->psks, sizeof hs->psks);
	hs->action = NOISE_ACTION_DONE;
	return 0;
}

int noise_handshake_hash(const struct noise_handshake *hs, uint8_t ret_hash[NOISE_HASH_MAX_LEN],
                         size_t *ret_len)
{
	if (!hs || !ret_hash || !ret_len)
		return MAILLE_EINVAL;
	if (!noise_handshake_complete(hs))
		return MAILLE_ESTATE;
	*ret_len = noise_symmetric_handshake_hash(&hs->ss, ret_hash);
	return 0;
}

int noise_handshake_remote_static(const struct noise_handshake *hs, uint8_t ret_rs[NOISE_DH_LEN])
{
	if (!hs || !ret_rs)
		return MAILLE_EINVAL;
	if (hs->action == NOISE_ACTION_FAILED)
		return MAILLE_ESTATE;
	if (!hs->has_rs)
		return MAILLE_ENOTFOUND;
	memcpy(ret_rs, hs->rs, NOISE_DH_LEN);
	return 0;
}

void noise_handshake_done(struct noise_handshake *hs)
{
	if (hs)
		sodium_memzero(hs, sizeof *hs);
}
