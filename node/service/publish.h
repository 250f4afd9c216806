/* node/service/publish.h: how a node writes its own entries (publish.c), the one copy of the
 * rule "an edit always wins": the CLI's writes (publish, delete, init, member, vouch, join),
 * the web catalogue's forms and the daemon's node/<key> entry all sign and store through
 * publish_put. Prints nothing. */
#ifndef MAILLE_NODE_PUBLISH_H
#define MAILLE_NODE_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/service/nodedir.h"
#include "proto/entry.h"
#include "proto/member.h"
#include "proto/value.h"
#include "store/store.h"

/* Who signs, for which territory. */
typedef struct publish_signer {
	const uint8_t *territory; /* PROTO_KEY_LEN bytes: the territory the entry belongs to */
	const uint8_t *sk;        /* PROTO_SECRET_KEY_LEN bytes, the public key in its last 32 */
	const char *capref;       /* a member's capability, members/<hex of its key> (PROTOCOL.md
	                           * §4.3); NULL when the territory's own key signs */
} publish_signer;

/* "members/<hex of key>" and its NUL. */
#define PUBLISH_CAPREF_CAP (sizeof PROTO_MEMBERS_PREFIX + 2 * PROTO_KEY_LEN)
/* A member's capability reference (PROTOCOL.md §4.3) into ret. */
void publish_capref(const uint8_t member[PROTO_KEY_LEN], char ret[PUBLISH_CAPREF_CAP]);

/* The timestamp of a new version at (territory, path): now_us, or just after the live version
 * if the clock is behind it, so that an edit always wins the live-set order (PROTOCOL.md
 * §1.5). */
uint64_t publish_timestamp(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                           uint64_t now_us);
/* Signs body (canonical bytes; for a tombstone the empty map) at path with s, stamped by
 * publish_timestamp, and stores it in st as received at now_us. ret_id (may be NULL): the new
 * entry's id. Errors: proto_entry_encode's and store_entry_put's (MAILLE_EDENIED: a member's
 * capability does not cover the path, MAILLE_ECORRUPT: a damaged store...). */
int publish_put(store *st, const publish_signer *s, const char *path, int kind, const uint8_t *body,
                size_t body_len, uint64_t now_us, uint8_t ret_id[PROTO_ID_LEN]);
/* publish_put for the node of nd: its key signs for its territory, a member node's with its
 * capability; MAILLE_ESTATE for a member node without a capability in force. */
int publish_node_dir(node_dir *nd, const char *path, int kind, const uint8_t *body, size_t body_len,
                     uint64_t now_us, uint8_t ret_id[PROTO_ID_LEN]);

/* "vouches/<hex of key>" and its NUL: where a territory vouches for key (PROTOCOL.md §4.2). */
#define PUBLISH_VOUCH_PATH_CAP (sizeof PROTO_VOUCHES_PREFIX + 2 * PROTO_KEY_LEN)
void publish_vouch_path(const uint8_t key[PROTO_KEY_LEN], char ret[PUBLISH_VOUCH_PATH_CAP]);
/* publish_node_dir of nd's vouch for key, {"type": "vouch"} (active), or of its tombstone (the
 * vouch withdrawn). */
int publish_vouch(node_dir *nd, const uint8_t key[PROTO_KEY_LEN], bool active, uint64_t now_us,
                  uint8_t ret_id[PROTO_ID_LEN]);

/* A record's body into canonical bytes that leave room for the entry's envelope:
 * proto_value_encode's errors. */
int publish_encode_body(proto_value *body, uint8_t **ret, size_t *ret_len);

#endif
