/* proto/member.h: member capabilities and vouches (PROTOCOL.md §4.2, §4.3), as pure decoders
 * and checks over decoded entries (proto/entry.h).
 *
 *   capability  the entry members/<member key in hex> in a territory's subspace, signed by the
 *               territory key: the member key may publish in that subspace, under a path
 *               prefix, for entries stamped within [from, until).
 *   vouch       the entry vouches/<territory key in hex> in the voucher's own subspace, signed
 *               by the voucher: it trusts that territory. Its tombstone withdraws it.
 *
 * Pure: no I/O, no clock, no store. Entries come from peers: every field is checked, errors
 * are codes of proto/error.h, nothing is allocated beyond the arena budget of one body. */
#ifndef MAILLE_PROTO_MEMBER_H
#define MAILLE_PROTO_MEMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "limits.h"
#include "value.h"

#define PROTO_MEMBERS_PREFIX "members/"
#define PROTO_VOUCHES_PREFIX "vouches/"
#define PROTO_MEMBER_NAME_MAX 200u /* bytes of a member's name */

enum proto_member_role {
	PROTO_ROLE_EDITOR = 1, /* publishes under its prefix */
	PROTO_ROLE_ADMIN = 2,  /* the same; the territory's own tools may let it manage members */
};

typedef struct proto_member_cap {
	uint8_t territory[PROTO_KEY_LEN];
	uint8_t member[PROTO_KEY_LEN];
	char name[PROTO_MEMBER_NAME_MAX + 1];
	int role; /* enum proto_member_role */
	char prefix[PROTO_PATH_MAX + 1]; /* "" = any path the member may write */
	uint64_t from_us;  /* first timestamp covered */
	uint64_t until_us; /* first timestamp no longer covered; UINT64_MAX = no end */
} proto_member_cap;

/* Decodes a capability entry: path "members/<64 lowercase hex>" (a key that is not the
 * territory's own), a document signed by the territory itself (no capref), body
 *   {"type": "member", "name": str, "role": "editor"|"admin", "prefix": str,
 *    "from": uint, "until": uint (optional)}
 * with from < until, prefix "" or a valid path prefix ending with '/' that is not reserved
 * (proto_path_reserved). Other keys are ignored (a newer version may add some). MAILLE_EPROTO
 * (not a capability, or a field missing or wrong), MAILLE_ESCHEMA (a bad value), or the
 * body's decoding error. */
int proto_member_cap_decode(const proto_entry *e, proto_member_cap *ret);

/* The body of a capability, for `maille member add` (canonical, ready to sign). */
int proto_member_cap_body(const proto_member_cap *c, uint8_t **ret_buf, size_t *ret_len);

/* Whether the capability c lets e stand: e is in c's territory, signed by c's member with
 * capref "members/<member hex>", stamped within [from, until), its path under c's prefix and
 * not reserved. 0, or MAILLE_EAUTH (another signer, territory or capref), MAILLE_ESTATE
 * (timestamp outside the window), MAILLE_EINVAL (path outside the prefix, or reserved). */
int proto_member_covers(const proto_member_cap *c, const proto_entry *e);

/* Paths only the territory key itself may write: its members' capabilities, its vouches,
 * its node entry, and its territory record. */
bool proto_path_reserved(const char *path, size_t len);

/* Decodes a vouch: path "vouches/<64 lowercase hex>", signed by the territory of its subspace
 * (no capref), not for itself; a document's body must be {"type": "vouch", ...} (other keys
 * ignored); a tombstone is a withdrawn vouch (*ret_active false). MAILLE_EPROTO otherwise. */
int proto_vouch_decode(const proto_entry *e, uint8_t ret_key[PROTO_KEY_LEN], bool *ret_active);

#endif
