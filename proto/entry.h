/* proto/entry.h: signed entries (PROTOCOL.md §1).
 *
 * An entry is the canonical msgpack array
 *   [version, territory, path, timestamp, kind, body, signer, capref, signature]
 * signed with Ed25519 by `signer` over every byte before the signature element; its id is the
 * BLAKE2b-256 of the whole encoding. proto_entry_decode() checks the structure and canonical
 * form (body included) and proto_entry_verify() the signature; nothing decoded from outside is
 * trusted before both succeed.
 *
 * Depends on libsodium. Performs no I/O; the time comes in as an argument. */
#ifndef MAILLE_PROTO_ENTRY_H
#define MAILLE_PROTO_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"

#define PROTO_ENTRY_VERSION 1
#define PROTO_KEY_LEN 32
#define PROTO_SECRET_KEY_LEN 64 /* libsodium Ed25519 secret key (seed || public key) */
#define PROTO_SIG_LEN 64
#define PROTO_ID_LEN 32

enum proto_entry_kind {
	PROTO_KIND_DOCUMENT = 0,
	PROTO_KIND_TOMBSTONE = 1,
};

/* A decoded entry. Pointers (path, capref, body) borrow the buffer that was decoded, or the
 * caller's strings for proto_entry_encode(); the struct owns nothing. */
typedef struct proto_entry {
	uint8_t territory[PROTO_KEY_LEN];
	const char *path; /* not NUL-terminated when decoded: use path_len */
	size_t path_len;
	uint64_t timestamp; /* microseconds since the Unix epoch */
	uint8_t kind;       /* enum proto_entry_kind */
	const uint8_t *body; /* canonical msgpack map; an empty map (0x80) for a tombstone */
	size_t body_len;
	uint8_t signer[PROTO_KEY_LEN];
	const char *capref; /* NULL when the signer is the territory itself */
	size_t capref_len;
	uint8_t sig[PROTO_SIG_LEN];
} proto_entry;

/* Checks that buf[0..len) is exactly one canonical entry and fills *ret (borrowing buf).
 * Does not check the signature. Errors: MAILLE_ETOOBIG (len > PROTO_ENTRY_MAX), MAILLE_EPROTO,
 * MAILLE_ENONCANON, MAILLE_EUTF8, MAILLE_EVERSION; *ret is untouched on failure. */
int proto_entry_decode(const uint8_t *buf, size_t len, proto_entry *ret);

/* Verifies the Ed25519 signature of a decoded entry against its encoding buf[0..len)
 * (the one it was decoded from). MAILLE_EAUTH if it does not verify. */
int proto_entry_verify(const proto_entry *e, const uint8_t *buf, size_t len);

/* Encodes and signs e (its sig field is ignored) with the signer's secret key.
 * e->signer must be the public half of sk. Checks path, body (canonical map) and limits.
 * On success *ret_buf is a malloc'd encoding the caller frees. */
int proto_entry_encode(const proto_entry *e, const uint8_t sk[PROTO_SECRET_KEY_LEN],
                       uint8_t **ret_buf, size_t *ret_len);

/* id = BLAKE2b-256(buf[0..len)). */
void proto_entry_id(const uint8_t *buf, size_t len, uint8_t ret_id[PROTO_ID_LEN]);

/* MAILLE_EFUTURE if the entry's timestamp is more than PROTO_FUTURE_SKEW_US after now_us. */
int proto_entry_check_time(const proto_entry *e, uint64_t now_us);

/* Path syntax (PROTOCOL.md §1.3): 1..PROTO_PATH_MAX bytes of [a-z0-9._~-] in non-empty
 * '/'-separated segments (at most PROTO_PATH_SEGMENTS_MAX), none "." or "..". */
bool proto_path_valid(const char *path, size_t len);

/* The live-set order: true if (ts_a, id_a) > (ts_b, id_b), ids compared as bytes. */
bool proto_entry_newer(uint64_t ts_a, const uint8_t id_a[PROTO_ID_LEN], uint64_t ts_b,
                       const uint8_t id_b[PROTO_ID_LEN]);

/* Initialises libsodium; call once before anything else in proto/ (safe to call again).
 * MAILLE_ENOMEM if libsodium cannot initialise. */
int proto_init(void);

/* Keys. */
void proto_key_generate(uint8_t ret_pk[PROTO_KEY_LEN], uint8_t ret_sk[PROTO_SECRET_KEY_LEN]);
void proto_hex(const uint8_t *bin, size_t len, char *ret_hex /* 2*len+1 */);
/* The value of one hex digit (either case), or -1. */
int proto_hexval(char c);
/* MAILLE_EINVAL unless hex is exactly 2*len hex digits. */
int proto_unhex(const char *hex, uint8_t *ret_bin, size_t len);

#endif
