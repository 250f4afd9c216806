/* proto/rbsr.h: range-based set reconciliation (PROTOCOL.md §3), byte-compatible with the
 * Negentropy protocol v1.
 *
 *   rbsr_set      a sorted array of items (timestamp, 32-byte id) and the prefix sums of the
 *                 ids, so that the fingerprint of any range costs one 256-bit subtraction and
 *                 one SHA-256, whatever the size of the range.
 *   rbsr_session  one side of a reconciliation: the initiator (client) opens with
 *                 rbsr_initiate() and learns, from each answer, the ids it has that the peer
 *                 lacks ("have") and the ids the peer has that it lacks ("need"); the responder
 *                 (server) only answers. Both sides call rbsr_reconcile() on each message.
 *
 * A pure state machine: no I/O, no clock, no randomness, no logging. Messages are buffers
 * passed in and out. Every byte from the peer is untrusted: malformed input gives a negative
 * code of proto/error.h, never an assert; nothing is allocated from a count the peer announces
 * before that count is checked against the limits below and against the bytes actually
 * present. Depends on libsodium (SHA-256) only. */
#ifndef MAILLE_PROTO_RBSR_H
#define MAILLE_PROTO_RBSR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RBSR_ID_LEN 32u
#define RBSR_FP_LEN 16u             /* bytes of a fingerprint */
#define RBSR_VERSION_V1 0x61u       /* first byte of every message of protocol v1 */
#define RBSR_TS_INFINITY UINT64_MAX /* reserved: the upper bound of the last range */
#define RBSR_VARINT_MAX 10u         /* bytes of the longest varint of a uint64 */
#define RBSR_BUCKETS 16u            /* a mismatched range splits into this many */
#define RBSR_IDLIST_BELOW (2u * RBSR_BUCKETS) /* fewer items than this: send them as an IdList */

/* Limits on what a peer's message can make us do (PROTOCOL.md §3.4).
 *   RBSR_MSG_MAX      bytes of one message, in or out (MAILLE_ETOOBIG beyond). A frame limit
 *                     of 0 ("none") means this one, so every output fits RBSR_MSG_MAX bytes.
 *   RBSR_RANGES_MAX   ranges in one incoming message (MAILLE_ETOOBIG beyond): bounds the CPU a
 *                     message costs (one binary search and at most one fingerprint a range).
 *   RBSR_IDLIST_MAX   ids in one incoming IdList (MAILLE_ETOOBIG beyond); a count larger than
 *                     the bytes left in the message is MAILLE_EPROTO.
 *   RBSR_FRAME_MIN    the smallest non-zero frame limit (the reference refuses less too). */
#define RBSR_MSG_MAX (512u * 1024u)
#define RBSR_RANGES_MAX 65536u
#define RBSR_IDLIST_MAX (RBSR_MSG_MAX / RBSR_ID_LEN)
#define RBSR_FRAME_MIN 4096u

/* ---- items and sets ------------------------------------------------------------------------ */

typedef struct rbsr_item {
	uint64_t ts;              /* any value but RBSR_TS_INFINITY */
	uint8_t id[RBSR_ID_LEN];
} rbsr_item;

/* Order of items: by timestamp, then by id bytes (memcmp). Returns <0, 0 or >0. */
int rbsr_item_cmp(const rbsr_item *a, const rbsr_item *b);

/* A 256-bit sum, four little-endian 64-bit limbs (w[0] least significant). */
typedef struct rbsr_sum {
	uint64_t w[4];
} rbsr_sum;

typedef struct rbsr_set {
	const rbsr_item *items; /* n items, strictly ascending (rbsr_item_cmp) */
	size_t n;
	rbsr_sum *prefix;       /* n + 1 sums: prefix[i] = ids[0] + ... + ids[i-1] mod 2^256 */
	rbsr_item *owned;       /* the copy made by rbsr_set_build, freed by rbsr_set_done */
} rbsr_set;

/* Builds a set over items that are already sorted (the store reads them in order). Borrows
 * `items`: they must outlive the set. MAILLE_EINVAL if they are not strictly ascending or an
 * item has the timestamp RBSR_TS_INFINITY, MAILLE_ENOMEM. `set` is written only on success. */
int rbsr_set_init(rbsr_set *set, const rbsr_item *items, size_t n);

/* Same from items in any order: copies them (the set owns the copy) and sorts them.
 * MAILLE_EEXIST if an item appears twice, MAILLE_EINVAL, MAILLE_ENOMEM. */
int rbsr_set_build(rbsr_set *set, const rbsr_item *items, size_t n);

/* Frees what the set allocated (not borrowed items). Safe on a zeroed set, idempotent. */
void rbsr_set_done(rbsr_set *set);

/* Fingerprint of the items of index lo..hi-1 (lo <= hi <= n): the first 16 bytes of
 * SHA-256(sum of their ids as 256-bit little-endian integers mod 2^256 || varint(hi - lo)). */
void rbsr_set_fingerprint(const rbsr_set *set, size_t lo, size_t hi, uint8_t out[RBSR_FP_LEN]);

/* Fingerprint of the whole set: what HELLO carries with the count (PROTOCOL.md §3.1). */
void rbsr_set_fingerprint_all(const rbsr_set *set, uint8_t out[RBSR_FP_LEN]);

/* ---- varints (most significant base-128 digit first) --------------------------------------- */

/* Writes v in at most RBSR_VARINT_MAX bytes; returns the length. */
size_t rbsr_varint_encode(uint64_t v, uint8_t out[RBSR_VARINT_MAX]);

/* Reads one varint from p[0..len). MAILLE_EPROTO if truncated or over 64 bits,
 * MAILLE_ENONCANON if it has a leading zero digit. Outputs written only on success. */
int rbsr_varint_decode(const uint8_t *p, size_t len, uint64_t *ret_v, size_t *ret_used);

/* ---- sessions ------------------------------------------------------------------------------ */

enum rbsr_role {
	RBSR_RESPONDER = 0,
	RBSR_INITIATOR = 1,
};

/* Called by rbsr_reconcile of an initiator for each id found on one side only. A non-zero
 * return stops the reconciliation, fails the session, and is returned by rbsr_reconcile. */
typedef int (*rbsr_id_fn)(void *ctx, const uint8_t id[RBSR_ID_LEN]);

/* Caller embeds; fields are private. */
typedef struct rbsr_session {
	const rbsr_set *set; /* borrowed: must outlive the session and not change during it */
	size_t limit;        /* bytes an output message may take: the frame limit or RBSR_MSG_MAX */
	int role;            /* enum rbsr_role */
	int state;
	uint64_t last_ts_in, last_ts_out; /* timestamp delta coding, reset at each message */
	/* Scratch for comparing an incoming IdList with our range: grown on demand, bounded by
	 * RBSR_IDLIST_MAX entries. */
	const uint8_t **ids;
	uint8_t *marks;
	size_t ids_cap;
	uint8_t *had; /* initiator: one bit per item of the set, set once reported as a have */
} rbsr_session;

/* Starts a session over `set` (borrowed). frame_limit: the largest message this side may
 * send, 0 for no limit beyond RBSR_MSG_MAX; MAILLE_EINVAL if under RBSR_FRAME_MIN or over
 * RBSR_MSG_MAX. A large difference then takes more rounds, each message within the limit. */
int rbsr_session_init(rbsr_session *s, const rbsr_set *set, enum rbsr_role role,
                      size_t frame_limit);

/* Frees the scratch. Safe on a zeroed session, idempotent. */
void rbsr_session_done(rbsr_session *s);

/* The output capacity rbsr_initiate and rbsr_reconcile need: the frame limit, or
 * RBSR_MSG_MAX without one. */
size_t rbsr_session_out_max(const rbsr_session *s);

/* Initiator only, once: writes the first message into out (out_cap >= rbsr_session_out_max).
 * MAILLE_ESTATE if the role or the state is wrong, MAILLE_EINVAL if out_cap is too small. */
int rbsr_initiate(rbsr_session *s, uint8_t *out, size_t out_cap, size_t *ret_len);

/* Processes one message from the peer and writes the answer into out
 * (out_cap >= rbsr_session_out_max). `in` is borrowed for the call only.
 *
 * Initiator: calls have(ctx, id) for each id of ours the peer lacks and need(ctx, id) for each
 * id of the peer's we lack, found in this message; either may be NULL. Range by range, in the
 * message's order: the haves of a range in item order, then its needs in the peer's order.
 * A have is reported once per session. A need is reported once per message, but may come
 * again in a later message when a message was cut by the frame limit: the cut message ends
 * with one range up to infinity, which covers ranges settled in earlier rounds, so they are
 * described again (as in the reference implementation). Callers drop repeated ids, which
 * they must do anyway since the peer's ids are untrusted. *ret_len = 0 means
 * "done": nothing is left to reconcile and nothing must be sent (rbsr_session_finished() is
 * then true). Responder: have and need are ignored; the answer is always sent (a message of
 * one byte, RBSR_VERSION_V1, answers a message of another version 0x60..0x6f).
 *
 * Errors: MAILLE_ETOOBIG (a message or a list over the limits above), MAILLE_EPROTO (truncated,
 * unknown mode, bound lower than the previous one, id prefix over 32 bytes, first byte not a
 * version 0x60..0x6f, a varint over 64 bits), MAILLE_ENONCANON (varint with a leading zero
 * digit), MAILLE_EVERSION (initiator: the peer speaks another version), MAILLE_ESTATE (called
 * before rbsr_initiate, after done, or after an error), MAILLE_EINVAL, MAILLE_ENOMEM, or what
 * a callback returned. After any error the session is failed: every later call gives
 * MAILLE_ESTATE. */
int rbsr_reconcile(rbsr_session *s, const uint8_t *in, size_t in_len, rbsr_id_fn have,
                   rbsr_id_fn need, void *ctx, uint8_t *out, size_t out_cap, size_t *ret_len);

/* True once an initiator has nothing more to send. */
bool rbsr_session_finished(const rbsr_session *s);

#endif
