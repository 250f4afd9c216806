/* tools/cli/nodestate.h: DIR/node.state, what a running daemon says of itself (nodestate.c). */
#ifndef MAILLE_TOOLS_NODESTATE_H
#define MAILLE_TOOLS_NODESTATE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "node/service/nodedir.h"

/* DIR/node.state of a daemon that runs, or NULL (no file, a stale one, unreadable). */
json_t *daemon_state(const node_dir *nd);
/* The string member name of a peer's object in node.state, made safe for a terminal; dflt
 * when absent. Keys are shown by their first 8 hex digits. */
const char *daemon_state_str(const json_t *peer, const char *name, const char *dflt, char *buf,
                             size_t cap);
/* How long ago us (microseconds since the epoch) was, for a human: "never", "12 s ago",
 * "5 min ago", "3.0 h ago". */
void daemon_state_age(uint64_t us, char *buf, size_t cap);


#endif
