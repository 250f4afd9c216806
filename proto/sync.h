/* proto/sync.h: the session messages of synchronisation (PROTOCOL.md §3.5), as pure encoders
 * and a bounded decoder.
 *
 * They travel like every session message (proto/channel.h): a canonical msgpack array whose
 * first element is the type, inside the secure channel.
 *
 *   [4, kind, bin]      RECON: one Negentropy v1 message (proto/rbsr.h) of a reconciliation.
 *                       kind PROTO_RECON_OPEN: the initiator's first message (the responder
 *                       starts a new responder session, dropping any previous one);
 *                       PROTO_RECON_NEXT: the initiator's later messages; PROTO_RECON_REPLY:
 *                       the responder's answers; PROTO_RECON_CLOSE (empty bin): the initiator
 *                       is done, the responder may free its session. Each side runs at most one
 *                       reconciliation as initiator at a time, so "the responder session" of
 *                       a connection is well defined.
 *   [5, bin]            WANT: ids (32 bytes each, concatenated, 1..PROTO_WANT_IDS_MAX of them)
 *                       the sender lacks; the receiver sends those it has in ENTRIES. The ids
 *                       are distinct (PROTOCOL.md §3.5); the decoder does not check that.
 *   [6, [bin, ...]]     ENTRIES: 1..PROTO_ENTRIES_MAX signed entries (PROTOCOL.md §1), each at
 *                       most PROTO_ENTRY_MAX bytes; the whole message at most
 *                       PROTO_SESSION_MSG_MAX bytes.
 *   [7, n]              MARK: a barrier. The receiver answers MARK_ACK n once it has processed
 *                       every message received before the MARK: each entry stored or refused,
 *                       each WANT served (its ENTRIES written before the MARK_ACK).
 *   [8, n]              MARK_ACK.
 * n is a non-negative msgpack int (at most INT64_MAX).
 *
 * Decoding borrows: every pointer a decoded message holds points into the bytes given to
 * proto_sync_decode. Nothing is allocated. Every byte is untrusted: a malformed or
 * non-canonical message is an error code (proto/error.h), never an assert. */
#ifndef MAILLE_PROTO_SYNC_H
#define MAILLE_PROTO_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channel.h"
#include "limits.h"
#include "rbsr.h"

enum proto_sync_type {
	PROTO_SESS_RECON = 4,
	PROTO_SESS_WANT = 5,
	PROTO_SESS_ENTRIES = 6,
	PROTO_SESS_MARK = 7,
	PROTO_SESS_MARK_ACK = 8,
	PROTO_SESS_REDEEM = 9,   /* [9, secret bin 32, flags]: an invitation redeemed (§4.5) */
	PROTO_SESS_REDEEMED = 10, /* [10, result]: the inviter's answer */
};

#define PROTO_REDEEM_SECRET_LEN 32u
#define PROTO_REDEEM_MEMBER 1u /* flags: the redeemer is a member's node, not a territory */
/* REDEEMED results (a newer one, unknown to the reader, is a refusal) */
enum proto_redeem_result {
	PROTO_REDEEM_OK = 0,
	PROTO_REDEEM_UNKNOWN = 1, /* no invitation of the inviter has this secret */
	PROTO_REDEEM_USED = 2,
	PROTO_REDEEM_EXPIRED = 3,
	PROTO_REDEEM_FAILED = 4, /* the inviter could not process it (its store): try again */
};

enum proto_recon_kind {
	PROTO_RECON_OPEN = 0,
	PROTO_RECON_NEXT = 1,
	PROTO_RECON_REPLY = 2,
	PROTO_RECON_CLOSE = 3,
};

#define PROTO_WANT_IDS_MAX 1024u  /* ids in one WANT */
#define PROTO_ENTRIES_MAX 4096u   /* entries in one ENTRIES */
/* At least the bytes an ENTRIES message adds around its entries (its two array headers and
 * the type take 3 to 5): a bound for packing entries into one message, not an exact size. */
#define PROTO_ENTRIES_OVERHEAD 16u
/* Bytes one entry of raw_len bytes takes in ENTRIES: its bin header (2, 3 or 5 bytes) and
 * the bytes. */
size_t proto_sync_entry_size(size_t raw_len);

typedef struct proto_sync_msg {
	uint32_t type; /* enum proto_sync_type */
	/* RECON */
	uint32_t recon_kind; /* enum proto_recon_kind */
	const uint8_t *data; /* the Negentropy message (data_len <= RBSR_MSG_MAX; 0 for CLOSE) */
	size_t data_len;
	/* WANT: n_ids ids of RBSR_ID_LEN bytes at ids */
	const uint8_t *ids;
	size_t n_ids;
	/* ENTRIES: n_entries entries, walked with proto_sync_entries_next */
	size_t n_entries;
	const uint8_t *entries_at; /* the first element of the array (private to the iterator) */
	const uint8_t *entries_end;
	/* MARK, MARK_ACK */
	uint64_t mark;
	/* REDEEM: the secret (PROTO_REDEEM_SECRET_LEN bytes) and flags (unknown bits ignored);
	 * REDEEMED: result */
	const uint8_t *secret;
	uint64_t flags;
	uint64_t result;
} proto_sync_msg;

/* Decodes one session message of a type above. A caller may call it first on every session
 * message and fall back to proto_sess_decode on MAILLE_EINVAL (another type): that one also
 * accepts these types, as unknown ones, but copies every bin into an arena on the way, up to
 * a megabyte per ENTRIES. Checks: canonical msgpack (minimal headers, no trailing bytes), the
 * number of elements of the type, RECON kind known and data within RBSR_MSG_MAX (empty for
 * CLOSE, non-empty otherwise), WANT a non-empty multiple of RBSR_ID_LEN and at most
 * PROTO_WANT_IDS_MAX ids, ENTRIES 1..PROTO_ENTRIES_MAX bins each 1..PROTO_ENTRY_MAX bytes.
 * The entries themselves are NOT decoded here (proto_entry_decode does that, off the event
 * loop). MAILLE_EPROTO (malformed), MAILLE_ENONCANON, MAILLE_ETOOBIG (over a limit),
 * MAILLE_EINVAL (a type not of this header). *ret is written only on success. */
int proto_sync_decode(const uint8_t *msg, size_t len, proto_sync_msg *ret);

/* Iterates over a decoded ENTRIES message: set *it = NULL first; each call gives the next
 * entry and returns true, false after the last. */
bool proto_sync_entries_next(const proto_sync_msg *m, const uint8_t **it, const uint8_t **ret_raw,
                             size_t *ret_len);

/* Encoders: write one message into out[0..cap) and its length to *ret_len; MAILLE_EINVAL for
 * arguments out of the limits above, MAILLE_ETOOBIG if cap is too small. */
int proto_sync_encode_recon(uint32_t kind, const uint8_t *data, size_t len, uint8_t *out,
                            size_t cap, size_t *ret_len);
int proto_sync_encode_want(const uint8_t *ids, size_t n_ids, uint8_t *out, size_t cap,
                           size_t *ret_len);
/* An upper bound of the size of the ENTRIES message for these entry lengths
 * (PROTO_ENTRIES_OVERHEAD + the sum of proto_sync_entry_size; SIZE_MAX if that overflows).
 * Entries packed while it stays within PROTO_SESSION_MSG_MAX always encode. */
size_t proto_sync_entries_size(const size_t *lens, size_t n);
int proto_sync_encode_entries(const uint8_t *const *raws, const size_t *lens, size_t n,
                              uint8_t *out, size_t cap, size_t *ret_len);
int proto_sync_encode_mark(uint32_t type, uint64_t n, uint8_t *out, size_t cap, size_t *ret_len);
/* REDEEM and REDEEMED; at most 64 bytes. */
int proto_sync_encode_redeem(const uint8_t secret[PROTO_REDEEM_SECRET_LEN], uint64_t flags,
                             uint8_t *out, size_t cap, size_t *ret_len);
int proto_sync_encode_redeemed(uint64_t result, uint8_t *out, size_t cap, size_t *ret_len);

#endif
