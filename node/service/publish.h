/* tools/cli/sign.h: signing this node's entries (sign.c). */
#ifndef MAILLE_TOOLS_SIGN_H
#define MAILLE_TOOLS_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "node/service/nodedir.h"
#include "proto/entry.h"
#include "proto/value.h"
#include "store/store.h"

/* The timestamp of a new version at (territory, path): now, or just after the live version if
 * the clock is behind it, so that an edit always wins the live-set order (PROTOCOL.md §1.5). */
uint64_t next_timestamp(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path);
/* Signs body (canonical bytes) at path as this node's territory and stores it. */
int sign_and_put(node_dir *nd, const char *path, int kind, const uint8_t *body, size_t body_len,
                 uint8_t ret_id[PROTO_ID_LEN]);
/* publish, delete: a member node without a capability in force cannot write (printed;
 * EXIT_FAIL), nor can a member node write the paths only a territory writes. */
int member_can_write(const node_dir *nd, const char *cmd);

/* A record's body (init, publish) into canonical bytes that leave room for the entry's
 * envelope: proto_value_encode's errors. */
int encode_body(proto_value *body, uint8_t **ret, size_t *ret_len);

#endif
