/* proto/noise.h: a generic Noise Protocol Framework implementation (revision 34).
 *
 * What it does: CipherState, SymmetricState and HandshakeState as the Noise specification
 * defines them (§5.1, §5.2, §5.3), for the DH "25519", the cipher "ChaChaPoly" and the hashes
 * "SHA256", "SHA512" and "BLAKE2b". A HandshakeState interprets any handshake pattern of its
 * table from the pattern's token lists: the one-way patterns N K X (§7.4), the fundamental
 * interactive patterns NN NK NX XN XK XX KN KK KX IN IK IX (§7.5), the deferred patterns
 * NK1 ... I1X1 (§7.6), each with any set of psk modifiers psk0, psk1, ... (§9.4), as in
 * "Noise_XXpsk0_25519_ChaChaPoly_BLAKE2b" or "Noise_XXpsk0+psk3_25519_ChaChaPoly_SHA512".
 * Maille itself uses Noise_XXpsk0_25519_ChaChaPoly_BLAKE2b (DESIGN §4, PROTOCOL.md).
 *
 * Depends on libsodium alone: X25519 (crypto_scalarmult), ChaCha20-Poly1305 IETF, BLAKE2b-512
 * (crypto_generichash), SHA-512 and SHA-256; HMAC (RFC 2104) and HKDF (§4.3) are built here over
 * those hashes. The caller must have called sodium_init() before any function of this header.
 *
 * What it never does: I/O, allocation, logging, or reading a clock. Every state is a fixed-size
 * struct that the caller embeds (on the stack, in a connection struct, or in sodium_malloc()
 * memory) and releases with the matching *_done(), which wipes it with sodium_memzero().
 *
 * Contract common to every function:
 * - Functions that can fail return 0 or a negative MAILLE_* code from proto/error.h. Bytes from
 *   a peer never cause an assert or an abort: a short, long or forged message, or a message
 *   that arrives when it is not the reader's turn, gives a clean error.
 * - Every buffer argument is borrowed for the duration of the call only; nothing keeps a
 *   pointer to it. Keys are copied into the state. Output buffers are owned by the caller and
 *   sized by an explicit capacity (`cap`); the length written goes to `*ret_len`.
 * - Out-parameters (`ret_*`) are written only on success, unless a function says otherwise.
 * - Input and output buffers must not overlap, except where a function says exact in-place use
 *   (out == in) is allowed.
 * - Lengths: a Noise message is at most NOISE_MSG_MAX (65535) bytes (§3); every function refuses
 *   anything larger with MAILLE_ETOOBIG.
 * - A state is used by one thread at a time.
 *
 * Error codes used: MAILLE_EINVAL (bad argument or unsupported protocol name), MAILLE_ESTATE
 * (call not valid in the current state: not this side's turn, handshake not complete, cipher
 * without a key, state failed or wiped), MAILLE_ETOOBIG (over 65535 bytes, buffer too small, or
 * nonce exhausted), MAILLE_EPROTO (message too short to hold what the pattern requires),
 * MAILLE_EAUTH (a tag did not verify, or an X25519 result was all zeros). */
#ifndef MAILLE_PROTO_NOISE_H
#define MAILLE_PROTO_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NOISE_DH_LEN 32u         /* X25519 public and private keys, DH outputs (§12.1) */
#define NOISE_KEY_LEN 32u        /* cipher keys (§4.2) */
#define NOISE_PSK_LEN 32u        /* pre-shared keys (§9.1) */
#define NOISE_TAG_LEN 16u        /* Poly1305 tag (§12.3) */
#define NOISE_HASH_MAX_LEN 64u   /* HASHLEN of SHA512 and BLAKE2b */
#define NOISE_BLOCK_MAX_LEN 128u /* BLOCKLEN of SHA512 and BLAKE2b */
#define NOISE_MSG_MAX 65535u     /* any Noise message, handshake or transport (§3) */
/* Largest plaintext of one transport message. */
#define NOISE_TRANSPORT_PAYLOAD_MAX (NOISE_MSG_MAX - NOISE_TAG_LEN)
#define NOISE_PROTOCOL_NAME_MAX 255u /* §8 */
#define NOISE_MESSAGES_MAX 8u        /* handshake messages of one pattern */
#define NOISE_TOKENS_MAX 8u          /* tokens of one handshake message, psk tokens included */
#define NOISE_PSKS_MAX (NOISE_MESSAGES_MAX + 1u)

/* ---------------------------------------------------------------------------------------------
 * Hash functions, HMAC and HKDF (§4.3, §12.5, §12.6, §12.8). */

enum noise_hash {
	NOISE_HASH_SHA256 = 1, /* HASHLEN 32, BLOCKLEN 64 */
	NOISE_HASH_SHA512,     /* HASHLEN 64, BLOCKLEN 128 */
	NOISE_HASH_BLAKE2B,    /* HASHLEN 64, BLOCKLEN 128 */
};

/* HASHLEN of hash, or 0 if hash is not one of enum noise_hash. */
size_t noise_hash_len(enum noise_hash hash);
/* HASH(data) into ret_digest[0..HASHLEN). MAILLE_EINVAL for an unknown hash. */
int noise_hash(enum noise_hash hash, const uint8_t *data, size_t len, uint8_t *ret_digest);
/* HMAC-HASH(key, data) per RFC 2104 (a key longer than BLOCKLEN is hashed first) into
 * ret_mac[0..HASHLEN). ret_mac may alias key or data. MAILLE_EINVAL for an unknown hash. */
int noise_hmac(enum noise_hash hash, const uint8_t *key, size_t key_len, const uint8_t *data,
               size_t data_len, uint8_t *ret_mac);
/* HKDF(chaining_key, input_key_material, num_outputs) of §4.3: ck is HASHLEN bytes; writes
 * HASHLEN bytes to ret1 and ret2, and to ret3 when it is not NULL (3 outputs). The outputs must
 * be distinct buffers; they may alias ck or ikm. MAILLE_EINVAL for an unknown hash. */
int noise_hkdf(enum noise_hash hash, const uint8_t *ck, const uint8_t *ikm, size_t ikm_len,
               uint8_t *ret1, uint8_t *ret2, uint8_t *ret3);

/* ---------------------------------------------------------------------------------------------
 * X25519 (§4.1, §12.1). */

/* The public key of the private key priv. MAILLE_EAUTH if libsodium refuses the key. */
int noise_dh_public(const uint8_t priv[NOISE_DH_LEN], uint8_t ret_pub[NOISE_DH_LEN]);
/* DH(priv, pub). MAILLE_EAUTH when the result is all zeros (pub is a low-order point): Noise
 * lets an implementation refuse it (§4.1, §12.1) and we always do, so a peer cannot force a
 * predictable key. ret_shared is written only on success. */
int noise_dh(const uint8_t priv[NOISE_DH_LEN], const uint8_t pub[NOISE_DH_LEN],
             uint8_t ret_shared[NOISE_DH_LEN]);

/* ---------------------------------------------------------------------------------------------
 * CipherState (§5.1) over ChaChaPoly (§12.3): the nonce is 32 zero bits then the 64-bit
 * counter n in little-endian; n = 2^64-1 is reserved (§5.1), so a cipher that reaches it
 * refuses every further encrypt and decrypt with MAILLE_ETOOBIG.
 *
 * Deliberate narrowing of §5.1: a CipherState without a key passes plaintext through in the
 * spec, which only the handshake needs (EncryptAndHash before the first DH does that
 * internally). Here noise_cipher_encrypt()/decrypt() on a keyless (or wiped) cipher fail with
 * MAILLE_ESTATE, so a zeroed struct or the unused direction of a one-way pattern can never
 * send cleartext. */

struct noise_cipher {
	uint8_t k[NOISE_KEY_LEN];
	uint64_t n;
	bool has_key;
};

/* InitializeKey(key) (§5.1): n = 0; key NULL leaves the cipher without a key. */
void noise_cipher_init(struct noise_cipher *cs, const uint8_t key[NOISE_KEY_LEN]);
bool noise_cipher_has_key(const struct noise_cipher *cs);
/* SetNonce(n) (§5.1). Only for the out-of-order schemes of §11.4; the transport of Maille
 * never calls it (its nonces are implicit and in order). */
void noise_cipher_set_nonce(struct noise_cipher *cs, uint64_t n);
/* EncryptWithAd(ad, plaintext) (§5.1): writes in_len + NOISE_TAG_LEN bytes to out and sets
 * *ret_len, then increments n. out == in is allowed (in place, out_cap >= in_len + 16).
 * Errors (state and out unchanged): MAILLE_ESTATE no key; MAILLE_ETOOBIG in_len >
 * NOISE_TRANSPORT_PAYLOAD_MAX, out_cap too small, or nonce exhausted; MAILLE_EINVAL NULL
 * pointer with a non-zero length. */
int noise_cipher_encrypt(struct noise_cipher *cs, const uint8_t *ad, size_t ad_len,
                         const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                         size_t *ret_len);
/* DecryptWithAd(ad, ciphertext) (§5.1): checks the tag, writes in_len - NOISE_TAG_LEN bytes
 * to out and sets *ret_len, then increments n. out == in is allowed.
 * Errors: MAILLE_ESTATE no key; MAILLE_ETOOBIG in_len > NOISE_MSG_MAX, out_cap too small, or
 * nonce exhausted; MAILLE_EPROTO in_len < NOISE_TAG_LEN; MAILLE_EAUTH the tag does not
 * verify. On every error n and the key are unchanged (§5.1: a failed decryption does not
 * increment n, so the caller may keep the session if its framing allows), and out holds no
 * unauthenticated plaintext (on MAILLE_EAUTH its first in_len - 16 bytes may be zeroed). */
int noise_cipher_decrypt(struct noise_cipher *cs, const uint8_t *ad, size_t ad_len,
                         const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                         size_t *ret_len);
/* Rekey() (§5.1, §11.3): k = the first 32 bytes of ENCRYPT(k, 2^64-1, "", 32 zero bytes); n
 * is unchanged. MAILLE_ESTATE without a key. */
int noise_cipher_rekey(struct noise_cipher *cs);
/* Wipes the cipher (sodium_memzero); it is then keyless. Safe on a zeroed or wiped struct. */
void noise_cipher_done(struct noise_cipher *cs);

/* ---------------------------------------------------------------------------------------------
 * SymmetricState (§5.2). The HandshakeState below drives it; it is public for tests and for
 * protocols built on Noise's symmetric layer. Fields are private. */

struct noise_symmetric {
	struct noise_cipher cs;
	uint8_t ck[NOISE_HASH_MAX_LEN];
	uint8_t h[NOISE_HASH_MAX_LEN];
	enum noise_hash hash;
	size_t hash_len;
};

/* InitializeSymmetric(protocol_name) (§5.2): h = the name padded with zeros when it fits in
 * HASHLEN, else HASH(name); ck = h; no key. MAILLE_EINVAL for an unknown hash or name_len >
 * NOISE_PROTOCOL_NAME_MAX (ss untouched). */
int noise_symmetric_init(struct noise_symmetric *ss, enum noise_hash hash, const char *name,
                         size_t name_len);
void noise_symmetric_mix_key(struct noise_symmetric *ss, const uint8_t *ikm, size_t len);
void noise_symmetric_mix_hash(struct noise_symmetric *ss, const uint8_t *data, size_t len);
void noise_symmetric_mix_key_and_hash(struct noise_symmetric *ss, const uint8_t *ikm, size_t len);
/* GetHandshakeHash(): copies h (HASHLEN bytes) to ret_h; returns HASHLEN. */
size_t noise_symmetric_handshake_hash(const struct noise_symmetric *ss,
                                      uint8_t ret_h[NOISE_HASH_MAX_LEN]);
/* EncryptAndHash / DecryptAndHash (§5.2): with a key, like noise_cipher_encrypt/decrypt with
 * ad = h; without a key, copies the bytes. Then MixHash(ciphertext). out == in is allowed.
 * Errors as the cipher functions; on error h is unchanged. */
int noise_symmetric_encrypt_and_hash(struct noise_symmetric *ss, const uint8_t *in, size_t in_len,
                                     uint8_t *out, size_t out_cap, size_t *ret_len);
int noise_symmetric_decrypt_and_hash(struct noise_symmetric *ss, const uint8_t *in, size_t in_len,
                                     uint8_t *out, size_t out_cap, size_t *ret_len);
/* Split() (§5.2): c1, c2 from HKDF(ck, "", 2), truncated to 32 bytes. */
void noise_symmetric_split(const struct noise_symmetric *ss, struct noise_cipher *ret_c1,
                           struct noise_cipher *ret_c2);
void noise_symmetric_done(struct noise_symmetric *ss);

/* ---------------------------------------------------------------------------------------------
 * HandshakeState (§5.3). */

/* Fills buf[0..len) with random bytes (used for the ephemeral key). */
typedef void (*noise_rng_fn)(void *ctx, uint8_t *buf, size_t len);

struct noise_handshake_params {
	const char *protocol_name; /* "Noise_<pattern>_25519_ChaChaPoly_<hash>", NUL-terminated */
	bool initiator;
	const uint8_t *prologue; /* may be NULL when prologue_len is 0 */
	size_t prologue_len;
	/* Local static private key (NOISE_DH_LEN bytes), or NULL. Required when the pattern sends
	 * it or lists it in this side's pre-message; ignored otherwise. */
	const uint8_t *s;
	/* Fixed local ephemeral private key, or NULL to draw one. Only for test vectors and for a
	 * pre-message "e"; a real session lets it be drawn. Ignored if the pattern has none. */
	const uint8_t *e;
	/* Remote static public key known before the handshake, or NULL. Required when the peer's
	 * pre-message lists s (NK, KK, IK, N, K, X, ...); MAILLE_EINVAL when given for a pattern
	 * that does not list it, because the handshake would learn and overwrite it: pinning a
	 * key learnt during XX is the caller's check after the handshake. */
	const uint8_t *rs;
	/* Remote ephemeral public key of a pre-message "e", or NULL; same rule as rs. */
	const uint8_t *re;
	/* The pre-shared keys, n_psks * NOISE_PSK_LEN bytes, in the order the psk tokens of the
	 * pattern consume them. n_psks must equal the number of psk modifiers of the name. */
	const uint8_t *psks;
	size_t n_psks;
	/* Source of the ephemeral key when e is NULL: rng(rng_ctx, ...), or libsodium's
	 * randombytes_buf() when rng is NULL. Called only from noise_handshake_init(). */
	noise_rng_fn rng;
	void *rng_ctx;
};

/* What the handshake expects next. */
enum noise_action {
	NOISE_ACTION_FAILED = 0, /* never initialised, failed or wiped: only _done() is useful */
	NOISE_ACTION_WRITE,      /* call noise_handshake_write_message() */
	NOISE_ACTION_READ,       /* call noise_handshake_read_message() */
	NOISE_ACTION_SPLIT,      /* all messages done: call noise_handshake_split() */
	NOISE_ACTION_DONE,       /* split done; hash and remote static key still readable */
};

enum noise_token_ {
	NOISE_TOK_E_ = 1,
	NOISE_TOK_S_,
	NOISE_TOK_EE_,
	NOISE_TOK_ES_,
	NOISE_TOK_SE_,
	NOISE_TOK_SS_,
	NOISE_TOK_PSK_,
};

/* All fields are private; the struct is public only so that the caller can embed it. It holds
 * secrets (static, ephemeral and pre-shared keys, chaining key): wipe it with
 * noise_handshake_done(). */
struct noise_handshake {
	struct noise_symmetric ss;
	uint8_t s_priv[NOISE_DH_LEN], s_pub[NOISE_DH_LEN];
	uint8_t e_priv[NOISE_DH_LEN], e_pub[NOISE_DH_LEN];
	uint8_t rs[NOISE_DH_LEN], re[NOISE_DH_LEN];
	uint8_t psks[NOISE_PSKS_MAX][NOISE_PSK_LEN];
	uint8_t tokens[NOISE_MESSAGES_MAX][NOISE_TOKENS_MAX]; /* enum noise_token_ */
	uint8_t n_tokens[NOISE_MESSAGES_MAX];
	uint8_t n_messages, msg_index;
	uint8_t n_psks, psk_next;
	bool initiator, psk_mode, has_s, has_e, has_rs, has_re;
	uint8_t action; /* enum noise_action */
};

/* Initialize() (§5.3): parses params->protocol_name, checks that the keys the pattern needs
 * are given, draws the ephemeral key if needed, runs InitializeSymmetric, MixHash(prologue)
 * and hashes the pre-message keys (initiator's first; with psks, a pre-message e is also
 * MixKey'd, §9.2).
 * Errors: MAILLE_EINVAL (unsupported name, a needed key missing, an unexpected rs/re, wrong
 * number of psks, NULL pointer), MAILLE_EAUTH (libsodium refuses a private key). On error *hs
 * is wiped and reads as NOISE_ACTION_FAILED. */
int noise_handshake_init(struct noise_handshake *hs, const struct noise_handshake_params *params);

enum noise_action noise_handshake_action(const struct noise_handshake *hs);
/* True once every handshake message has been written or read (action SPLIT or DONE). */
bool noise_handshake_complete(const struct noise_handshake *hs);
/* True for the one-way patterns (N, K, X and their psk forms): a single message, and after
 * the split only the initiator sends. */
bool noise_handshake_one_way(const struct noise_handshake *hs);
/* Bytes the next handshake message adds to its payload (ephemeral and static keys, tags), or
 * 0 when the action is neither WRITE nor READ. */
size_t noise_handshake_overhead(const struct noise_handshake *hs);
/* Largest payload of the next handshake message: NOISE_MSG_MAX - overhead, or 0 when the
 * action is neither WRITE nor READ. */
size_t noise_handshake_payload_max(const struct noise_handshake *hs);

/* WriteMessage(payload, message_buffer) (§5.3): writes the next message (overhead +
 * payload_len bytes) to out and sets *ret_len.
 * Errors leaving hs unchanged and out unwritten: MAILLE_ESTATE (not this side's turn),
 * MAILLE_ETOOBIG (payload over noise_handshake_payload_max() or out_cap too small),
 * MAILLE_EINVAL (NULL pointer). Errors that end the handshake (hs wiped, action FAILED, out
 * zeroed): MAILLE_EAUTH (a DH gave all zeros). */
int noise_handshake_write_message(struct noise_handshake *hs, const uint8_t *payload,
                                  size_t payload_len, uint8_t *out, size_t out_cap,
                                  size_t *ret_len);
/* ReadMessage(message, payload_buffer) (§5.3): processes msg[0..msg_len) and writes its
 * decrypted payload (msg_len - overhead bytes) to payload, setting *ret_len.
 * Errors leaving hs unchanged: MAILLE_ESTATE (not this side's turn), MAILLE_ETOOBIG (msg_len >
 * NOISE_MSG_MAX or payload_cap too small), MAILLE_EPROTO (msg_len < overhead), MAILLE_EINVAL.
 * Errors that end the handshake (hs wiped, action FAILED, payload zeroed), as §5.3 says a
 * failed handshake must be abandoned: MAILLE_EAUTH (a tag did not verify, or a DH gave all
 * zeros). A message that is too long cannot be detected by Noise itself: the extra bytes
 * are read as payload, whose tag then fails. */
int noise_handshake_read_message(struct noise_handshake *hs, const uint8_t *msg, size_t msg_len,
                                 uint8_t *payload, size_t payload_cap, size_t *ret_len);

/* Split() (§5.2) oriented for this side: the initiator sends with c1 and receives with c2,
 * the responder the reverse. For a one-way pattern the direction that does not exist (the
 * initiator's receive, the responder's send) is returned keyless, so any use of it fails
 * with MAILLE_ESTATE. Then the handshake's secrets (chaining key, private keys, psks) are
 * wiped and the action becomes DONE; the handshake hash and remote static key stay readable.
 * MAILLE_ESTATE unless the action is SPLIT (the outputs are then untouched). */
int noise_handshake_split(struct noise_handshake *hs, struct noise_cipher *ret_send,
                          struct noise_cipher *ret_recv);

/* GetHandshakeHash() (§5.2): h, once the handshake is complete (action SPLIT or DONE),
 * HASHLEN bytes; it identifies the session for channel binding (§11.2).
 * MAILLE_ESTATE before. */
int noise_handshake_hash(const struct noise_handshake *hs, uint8_t ret_hash[NOISE_HASH_MAX_LEN],
                         size_t *ret_len);
/* The remote static public key: known from the start when it was given, else from the
 * message that carried it. How far it is authenticated at that point depends on the pattern
 * (§7.7); whether to trust it is the caller's decision. MAILLE_ENOTFOUND when not (yet)
 * known, MAILLE_ESTATE after a failure. */
int noise_handshake_remote_static(const struct noise_handshake *hs, uint8_t ret_rs[NOISE_DH_LEN]);

/* Wipes every secret and the whole state (sodium_memzero). Safe on a zeroed, failed or
 * already wiped struct. */
void noise_handshake_done(struct noise_handshake *hs);

#endif
