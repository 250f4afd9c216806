/* node/service/state.h: DIR/node.state, the daemon's account of itself, and the only thing
 * the others read of it while it runs.
 *
 * The daemon (node/daemon/peers.c) rewrites it atomically every second or so: JSON with its
 * pid, listen address, and its peers (configured, discovered, connected) with their state,
 * last sync and counters. `maille peers` and `maille status` read it, and so do the web
 * catalogue's network page and /api/status (node/web/): none of them talks to the daemon
 * directly. */
#ifndef MAILLE_NODE_STATE_H
#define MAILLE_NODE_STATE_H

#define NODE_STATE_FILE "node.state"

#endif
