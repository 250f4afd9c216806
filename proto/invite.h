/* proto/invite.h: invitation tokens (PROTOCOL.md §4.1).
 *
 * A token is what an inviter hands a newcomer to join the federation: one line,
 *   maille-invite:<base64url without padding of a canonical msgpack array>
 * holding the federation's network key and name, the inviter's territory key and the addresses
 * its daemon listens on, a one-time secret and the expiry. Whoever holds a token can join (it
 * holds the network key): it travels over a channel the inviter trusts, like the federation
 * file it replaces. The inviter keeps only proto_invite_secret_hash(secret).
 *
 * Pure: no I/O, no clock, no randomness (the caller draws the secret). The decoder treats the
 * token as hostile (it comes from a paste): strict alphabet, bounded length, canonical msgpack,
 * every field checked; a token either decodes whole or not at all. The struct holds secrets
 * (network key, one-time secret): wipe it with sodium_memzero after use. */
#ifndef MAILLE_PROTO_INVITE_H
#define MAILLE_PROTO_INVITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channel.h"
#include "entry.h"

#define PROTO_INVITE_PREFIX "maille-invite:"
#define PROTO_INVITE_VERSION 1u
#define PROTO_INVITE_SECRET_LEN 32u
#define PROTO_INVITE_NAME_MAX 128u  /* bytes of the federation's name */
#define PROTO_INVITE_ADDRS_MAX 8u
#define PROTO_INVITE_ADDR_MAX 64u   /* bytes of one "host:port" */
/* Characters of a whole token: the largest one (8 addresses of 64 bytes, a 128-byte name) is
 * under 1 100; more is refused before any decoding. */
#define PROTO_INVITE_TOKEN_MAX 2048u

typedef struct proto_invite {
	uint8_t netkey[PROTO_NETKEY_LEN];
	char federation[PROTO_INVITE_NAME_MAX + 1];
	uint8_t inviter[PROTO_KEY_LEN];
	char addrs[PROTO_INVITE_ADDRS_MAX][PROTO_INVITE_ADDR_MAX + 1];
	size_t n_addrs; /* 1..PROTO_INVITE_ADDRS_MAX */
	uint8_t secret[PROTO_INVITE_SECRET_LEN];
	uint64_t expires_us; /* microseconds since the epoch, > 0, <= INT64_MAX */
} proto_invite;

/* Writes the token of inv, NUL-terminated, into out (cap bytes; PROTO_INVITE_TOKEN_MAX is
 * always enough). MAILLE_EINVAL if a field is out of its limits (the same checks as the
 * decoder), MAILLE_ETOOBIG if cap is too small. */
int proto_invite_encode(const proto_invite *inv, char *out, size_t cap);

/* Decodes token[0..len) (no surrounding blanks: the caller trims a pasted line). Errors, *ret
 * untouched: MAILLE_ETOOBIG (longer than PROTO_INVITE_TOKEN_MAX), MAILLE_EPROTO (no prefix, a
 * character outside base64url, padding, a field missing or of the wrong type or size, an empty
 * or bad name or address), MAILLE_ENONCANON (non-canonical msgpack), MAILLE_EUTF8,
 * MAILLE_EVERSION (another token version). */
int proto_invite_decode(const char *token, size_t len, proto_invite *ret);

/* What the inviter stores instead of the secret: BLAKE2b-256 of it, keyed with nothing but
 * a fixed label, so that a copy of the inviter's store does not let anyone redeem. */
void proto_invite_secret_hash(const uint8_t secret[PROTO_INVITE_SECRET_LEN],
                              uint8_t ret[PROTO_ID_LEN]);

/* A federation name or an address as the token accepts them: name 1..PROTO_INVITE_NAME_MAX
 * bytes of UTF-8 without control characters; address 1..PROTO_INVITE_ADDR_MAX printable ASCII
 * characters without blanks. */
bool proto_invite_name_valid(const char *s, size_t len);
bool proto_invite_addr_valid(const char *s, size_t len);

#endif
