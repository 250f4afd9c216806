/* node/service/nodestate.h: DIR/node.state (state.h) as the others read it while the daemon
 * runs (nodestate.c): `maille peers` and `maille status`. */
#ifndef MAILLE_NODE_NODESTATE_H
#define MAILLE_NODE_NODESTATE_H

#include <jansson.h>

#include "node/service/state.h"

/* DIR/node.state of a daemon that runs in dir, or NULL (no file, a stale one, unreadable). */
json_t *node_state_read(const char *dir);

#endif
