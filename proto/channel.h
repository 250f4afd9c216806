/* proto/channel.h: Maille's secure channel (PROTOCOL.md §2), as pure state machines.
 *
 *   proto_hs    the handshake: Noise_XXpsk0_25519_ChaChaPoly_BLAKE2b with psk = the federation's
 *               network key and prologue = PROTO_HS_PROLOGUE. Message 1 carries a timestamp;
 *               messages 2 and 3 carry each side's Ed25519 key and HELLO.
 *   proto_chan  the transport after the handshake: Noise transport messages framed by a 2-byte
 *               big-endian length, carrying a byte stream of session messages, each a 4-byte
 *               big-endian length and a canonical msgpack array of at most PROTO_SESSION_MSG_MAX
 *               bytes. Rekey of each direction every chan->rekey_interval transport messages.
 *   proto_sess  the session messages: PING, PONG, BYE (later issues add sync messages).
 *
 * No I/O, no clock, no randomness of its own: bytes, time and keys come in as arguments.
 * Every byte from the peer is untrusted: errors are return codes, never asserts; nothing is
 * allocated from a length the peer announces before that length is checked against a limit.
 * Depends on libsodium (through proto/noise.h). */
#ifndef MAILLE_PROTO_CHANNEL_H
#define MAILLE_PROTO_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "noise.h"
#include "rbsr.h"

#define PROTO_HS_NOISE_NAME "Noise_XXpsk0_25519_ChaChaPoly_BLAKE2b"
#define PROTO_HS_PROLOGUE "maille/1" /* protocol label and version; both sides must agree */
#define PROTO_VERSION 1u
#define PROTO_NETKEY_LEN 32u

/* Limits (see also limits.h). */
#define PROTO_HS_MSG_MAX 4096u            /* a handshake message, its 2-byte length excluded */
#define PROTO_HS_MAX_AGE_US (120ull * 1000000ull) /* message 1 older than this is dropped */
#define PROTO_HELLO_NAME_MAX 128u
#define PROTO_HELLO_SOFTWARE_MAX 64u
#define PROTO_HELLO_ADDRS_MAX 8u
#define PROTO_HELLO_ADDR_MAX 64u          /* "host:port", bytes */
#define PROTO_SESSION_MSG_MAX (1024u * 1024u) /* a session message, its 4-byte length excluded */
#define PROTO_FRAME_MAX (2u + NOISE_MSG_MAX)  /* a transport message with its 2-byte length */
#define PROTO_REKEY_INTERVAL 65536u           /* transport messages between rekeys */

/* ---- HELLO -------------------------------------------------------------------------------- */

typedef struct proto_hello {
	uint32_t version;                      /* PROTO_VERSION of the sender */
	char software[PROTO_HELLO_SOFTWARE_MAX + 1]; /* e.g. "maille 0.1.0" */
	char name[PROTO_HELLO_NAME_MAX + 1];         /* the node's (territory's) name */
	char addrs[PROTO_HELLO_ADDRS_MAX][PROTO_HELLO_ADDR_MAX + 1]; /* listen addresses */
	size_t n_addrs;
	uint64_t features; /* bit flags, none defined yet */
	/* The live set's count and whole-set fingerprint (§3.1), sent as "count" and "fp" when
	 * has_fp; equal on both sides, no reconciliation is needed. count is at most INT64_MAX
	 * (a msgpack int, §1.2): proto_hs_write refuses more with MAILLE_EINVAL. */
	bool has_fp;
	uint8_t fp[RBSR_FP_LEN];
	uint64_t count;
} proto_hello;

/* ---- handshake ---------------------------------------------------------------------------- */

enum proto_hs_state {
	PROTO_HS_WRITE1 = 1, /* initiator: write message 1 */
	PROTO_HS_READ1,      /* responder: read message 1 */
	PROTO_HS_WRITE2,     /* responder */
	PROTO_HS_READ2,      /* initiator */
	PROTO_HS_WRITE3,     /* initiator */
	PROTO_HS_READ3,      /* responder */
	PROTO_HS_DONE,       /* proto_hs_split() may be called */
	PROTO_HS_FAILED,
};

typedef struct proto_hs {
	struct noise_handshake noise;
	int state; /* enum proto_hs_state */
	uint8_t ed_pk[PROTO_KEY_LEN];
	proto_hello hello; /* ours */
	uint64_t now_us;   /* our clock at init: message 1's timestamp (initiator) */
	/* Learnt from the peer: */
	uint64_t peer_time_us;            /* message 1's timestamp (responder) */
	uint8_t peer_ephemeral[NOISE_DH_LEN]; /* message 1's e (responder: the replay cache key) */
	uint8_t peer_key[PROTO_KEY_LEN];  /* the peer's Ed25519 key, checked against its Noise s */
	proto_hello peer_hello;
} proto_hs;

/* Starts a handshake. ed_sk is our Ed25519 secret key (libsodium 64-byte form); its X25519
 * form is our Noise static key. netkey is the federation's 32-byte network key (the psk).
 * fixed_e (32 bytes) fixes the ephemeral private key, for test transcripts only; NULL draws
 * one. The struct holds secrets: end with proto_hs_done(). */
int proto_hs_init(proto_hs *hs, bool initiator, const uint8_t ed_sk[PROTO_SECRET_KEY_LEN],
                  const uint8_t netkey[PROTO_NETKEY_LEN], const proto_hello *hello,
                  uint64_t now_us, const uint8_t *fixed_e);

/* Writes the next handshake message (without its 2-byte length) to out.
 * MAILLE_ESTATE if it is not our turn. */
int proto_hs_write(proto_hs *hs, uint8_t *out, size_t cap, size_t *ret_len);

/* Reads the next handshake message (without its 2-byte length).
 * MAILLE_EAUTH: the message does not authenticate — for message 1 this is what an outsider
 * (wrong network key) or random bytes give, and the responder must then close WITHOUT
 * sending anything; MAILLE_EPROTO: malformed payload; MAILLE_EAUTH also when the peer's
 * Ed25519 key does not convert to the Noise static key it authenticated with. Any error is
 * final (state FAILED). After message 1 the responder must call proto_hs_check_fresh(). */
int proto_hs_read(proto_hs *hs, const uint8_t *msg, size_t len);

/* Responder, after message 1: MAILLE_EFUTURE / MAILLE_EAUTH if message 1's timestamp is more
 * than PROTO_HS_MAX_AGE_US away from now_us (older, or in the future). The replay check of
 * the ephemeral key (hs->peer_ephemeral) against keys seen in that window is the caller's,
 * which owns the cache (proto_replay below). */
int proto_hs_check_fresh(const proto_hs *hs, uint64_t now_us);

/* A bounded cache of message-1 ephemeral keys seen in the last PROTO_HS_MAX_AGE_US. */
#define PROTO_REPLAY_SLOTS 4096u
typedef struct proto_replay {
	uint8_t key[PROTO_REPLAY_SLOTS][16]; /* first 16 bytes of e: collisions are harmless */
	uint64_t seen_us[PROTO_REPLAY_SLOTS];
	size_t next;
} proto_replay;
void proto_replay_init(proto_replay *r);
/* 0 and remembers e if it was not seen within the window; MAILLE_EEXIST if it was. When the
 * cache is full of live keys, the oldest is forgotten (a replay of it is still refused by
 * proto_hs_check_fresh once it is older than the window, and slots are sized so that this
 * takes a handshake rate of over 30 per second for two minutes). */
int proto_replay_check(proto_replay *r, const uint8_t e[NOISE_DH_LEN], uint64_t now_us);

typedef struct proto_chan proto_chan;
/* Once state is DONE: fills *ch (embedded by the caller) with the two transport ciphers and
 * wipes the handshake's secrets. */
int proto_hs_split(proto_hs *hs, proto_chan *ch);
void proto_hs_done(proto_hs *hs);

/* ---- transport ------------------------------------------------------------------------------ */

struct proto_chan {
	struct noise_cipher tx, rx;
	uint64_t n_tx, n_rx;       /* transport messages sent / received */
	uint32_t rekey_interval;   /* PROTO_REKEY_INTERVAL unless a test lowers it */
	/* receive side: one transport message being assembled */
	uint8_t frame[PROTO_FRAME_MAX];
	size_t frame_len;
	/* decrypted stream: at most one partial session message (malloc'd, grows to its
	 * announced length once checked) */
	uint8_t *stream;
	size_t stream_len, stream_cap;
	bool failed;
};

/* Appends the transport messages that carry one session message (msg[0..len), a canonical
 * msgpack array) to *out (malloc'd buffer grown as needed; *out_len updated). The caller
 * writes them to the socket in order. MAILLE_ETOOBIG if len > PROTO_SESSION_MSG_MAX. */
int proto_chan_seal(proto_chan *ch, const uint8_t *msg, size_t len, uint8_t **out,
                    size_t *out_len, size_t *out_cap);

/* Called for each complete session message; msg is valid during the call only. A non-zero
 * return stops proto_chan_feed, which returns it. */
typedef int (*proto_chan_msg_cb)(void *ctx, const uint8_t *msg, size_t len);

/* Consumes bytes received from the peer: assembles and decrypts transport messages and calls
 * cb for every complete session message. Errors are final (the connection must be closed):
 * MAILLE_EAUTH (a transport message does not authenticate, e.g. a flipped bit), MAILLE_EPROTO
 * (an empty transport message), MAILLE_ETOOBIG (a session message announcing more than
 * PROTO_SESSION_MSG_MAX), MAILLE_ENOMEM. */
int proto_chan_feed(proto_chan *ch, const uint8_t *data, size_t len, proto_chan_msg_cb cb,
                    void *ctx);
/* Wipes the keys and frees the stream buffer. */
void proto_chan_done(proto_chan *ch);

/* ---- session messages ------------------------------------------------------------------------ */

enum proto_sess_type {
	PROTO_SESS_PING = 1, /* [1, nonce]         keepalive and round-trip time */
	PROTO_SESS_PONG = 2, /* [2, nonce]         answer to PING, same nonce */
	PROTO_SESS_BYE = 3,  /* [3, reason, text]  the sender closes after this */
};

enum proto_bye_reason {
	PROTO_BYE_SHUTDOWN = 0,   /* the node is stopping */
	PROTO_BYE_IDLE = 1,       /* idle timeout */
	PROTO_BYE_PROTOCOL = 2,   /* the peer broke the protocol */
	PROTO_BYE_OVERLOADED = 3, /* cannot serve the session now (memory, its store) */
	PROTO_BYE_DONE = 4,       /* one-shot client finished */
	PROTO_BYE_BUSY = 5,       /* at its session limits: try again later */
};

typedef struct proto_sess_msg {
	uint32_t type; /* enum proto_sess_type; unknown types decode with only type set */
	uint64_t nonce;        /* PING, PONG */
	uint32_t reason;       /* BYE */
	char text[128];        /* BYE, truncated */
} proto_sess_msg;

/* Decodes one session message. MAILLE_EPROTO/ENONCANON/... for malformed bytes. An unknown
 * type (a newer peer) decodes successfully with ret->type set, so the caller can ignore it. */
int proto_sess_decode(const uint8_t *msg, size_t len, proto_sess_msg *ret);
/* Encodes m into buf (cap >= 256 is always enough for these messages). */
int proto_sess_encode(const proto_sess_msg *m, uint8_t *buf, size_t cap, size_t *ret_len);

#endif
