/* node/daemon/node.h: the Maille daemon and its dialer, on libuv.
 *
 * What it does: listens on TCP, runs one connection state machine per peer connection (the
 * secure channel of PROTOCOL.md §2 through proto/channel.h: handshake, transport, PING/PONG
 * keepalive, BYE), enforces the handshake and idle timeouts and the limits below, applies
 * backpressure, and stops cleanly on SIGINT/SIGTERM. On each session it syncs the store
 * (PROTOCOL.md §3: reconciliation, WANT/ENTRIES, live push, anti-entropy; sync.c) and keeps
 * its peers connected (peers.c). The dialer opens outbound connections with the same state
 * machine; node_ping() and node_sync() use it for `maille ping` and `maille sync`.
 *
 * Depends on node/service/ (addresses, the trust view, logs), proto/, store/ (the catalogue it
 * syncs, opened from node_config.store_path), libuv, libsodium and jansson (DIR/node.state);
 * never on node/web/, which tools/ runs beside it (node_config.beside_start). Logs through
 * node/service/log.h (to stderr). Never reads configuration files or the environment: the
 * caller (tools/) loads keys and settings and passes them in node_config. Never logs a
 * secret: keys appear as 8-hex fingerprints.
 *
 * Ownership: every pointer of node_config is borrowed for the duration of node_run(),
 * node_ping() or node_sync(). Secrets held by the daemon (handshake states, session ciphers)
 * live in sodium_malloc() memory and are wiped when a connection ends. */
#ifndef MAILLE_NODE_NODE_H
#define MAILLE_NODE_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/service/addr.h"
#include "node/service/nodedir.h"
#include "node/service/state.h"
#include "proto/channel.h"

/* ---- limits: every bound the daemon puts on what peers control -------------------------------
 * Inbound connections. A connection is "pending" from accept until its handshake completes, then
 * an authenticated "session". Admission rules (node.c, node_on_connection):
 *  - at NODE_PENDING_PER_ADDR_MAX pending handshakes from one IP address, or NODE_PENDING_MAX in
 *    all, the OLDEST pending handshake (of that address, resp. of all) is dropped for the
 *    newcomer: a flood of half-open connections then only ever evicts itself, and a member on
 *    the same host still gets through, because its own handshake completes in one round trip;
 *  - an authenticated session is never evicted for a newcomer: a handshake that completes
 *    when NODE_SESSIONS_MAX sessions (or NODE_SESSIONS_PER_ADDR_MAX from its address) already
 *    run gets BYE busy (PROTOCOL.md §2.5), so that a member learns why;
 *  - when the inbound connections reach NODE_INBOUND_MAX and none is pending, the newcomer
 *    takes one of NODE_BUSY_SLOTS_MAX slots beyond the cap, where its handshake runs as usual
 *    (an outsider still gets no byte) and ends with BYE busy; with every slot taken, the
 *    oldest one is dropped for it. A flood costs the node what handshakes already cost, and
 *    NODE_BUSY_SLOTS_MAX connections more at most. */
#define NODE_INBOUND_MAX 256u           /* inbound connections, pending and authenticated */
#define NODE_PENDING_MAX 64u            /* inbound handshakes in progress */
#define NODE_PENDING_PER_ADDR_MAX 16u   /* inbound handshakes in progress from one IP address */
#define NODE_SESSIONS_MAX 192u          /* authenticated inbound sessions */
#define NODE_SESSIONS_PER_ADDR_MAX 64u  /* authenticated inbound sessions from one IP address */
#define NODE_BUSY_SLOTS_MAX 16u         /* connections beyond NODE_INBOUND_MAX, told BYE busy */
#define NODE_LISTEN_BACKLOG 511         /* connections the kernel queues before accept */

/* Timeouts (milliseconds). */
#define NODE_HS_TIMEOUT_MS 10000u    /* accept (or connect) to handshake complete */
#define NODE_IDLE_TIMEOUT_MS 90000u  /* a session that received no message for this long */
#define NODE_PING_INTERVAL_MS 30000u /* PING on every session this often, so healthy ones live */
#define NODE_LINGER_MS 2000u         /* after BYE: longest wait for our writes to drain */

/* Backpressure: a connection stops reading while more than NODE_WRITE_QUEUE_HIGH bytes wait to
 * be written to it (a peer that sends but does not read cannot make us buffer without bound),
 * and reads again once the queue is down to NODE_WRITE_QUEUE_LOW. HIGH leaves room for one
 * whole session message (PROTO_SESSION_MSG_MAX) in transport framing. */
#define NODE_WRITE_QUEUE_HIGH (2u * 1024u * 1024u)
#define NODE_WRITE_QUEUE_LOW (256u * 1024u)

#define NODE_LISTEN_DEFAULT "0.0.0.0:7470"
/* The quarantine's bounds, NODE_QUOTA_*_DEFAULT: node/service/nodedir.h, beside the settings
 * that change them. */
#define NODE_PORT_DEFAULT 7470u
/* The daemon's tick: it polls the store for other processes' writes, drives the dialer and
 * rewrites DIR/node.state this often (maille-bench sync prints it beside its figures). */
#define SYNC_TICK_MS 100u
#define NODE_ADDR_FILE "node.addr" /* DIR/node.addr: the bound address while the daemon runs */
#define NODE_LOCK_FILE "node.lock" /* DIR/node.lock: one daemon per node directory */

struct node_sync_result;

typedef struct node_config {
	const char *dir;       /* node directory: node.addr and node.lock are written there */
	const uint8_t *sk;     /* Ed25519 secret key (PROTO_SECRET_KEY_LEN bytes, sodium memory) */
	const uint8_t *netkey; /* the federation's network key (PROTO_NETKEY_LEN bytes) */
	const char *name;      /* the territory's name, sent in HELLO (cut to PROTO_HELLO_NAME_MAX) */
	const char *listen;    /* "ADDR:PORT" (NODE_LISTEN_DEFAULT when NULL); port 0 = ephemeral */
	/* 0 = the NODE_*_MS defaults above; tests lower them so they need not wait 10 s.
	 * peer_backoff_ms: the first delay before redialing a peer (0: 1 s, doubling up to
	 * 300 s; PROTOCOL.md §3.6). */
	uint32_t hs_timeout_ms, idle_timeout_ms, ping_interval_ms, peer_backoff_ms;
	/* 0 = NODE_SESSIONS_MAX and NODE_INBOUND_MAX; tests lower them to reach the caps. The
	 * per-address session cap is NODE_SESSIONS_PER_ADDR_MAX, or sessions_max if lower. */
	unsigned sessions_max, inbound_max;
	/* Sync (PROTOCOL.md §3). store_path: the node's store (node_run, node_sync; not
	 * node_ping). anti_entropy_ms: 0 = SYNC_ANTI_ENTROPY_MS. clock_skew_us: added to the
	 * clock entries are checked against (a test's injected clock; 0 in real use). */
	const char *store_path;
	uint32_t anti_entropy_ms;
	int64_t clock_skew_us;
	/* Trust and quarantine (PROTOCOL.md §4.2, §4.6): the trust view's hops (0 =
	 * TRUST_HOPS_DEFAULT), the quota of each untrusted territory and of all of them together
	 * (0 = NODE_QUOTA_*_DEFAULT, node/service/nodedir.h). The daemon recomputes its view when
	 * the store changes, at most once a second. */
	unsigned trust_hops;
	uint64_t quota_entries, quota_bytes;
	uint64_t quota_total_entries, quota_total_bytes;
	/* node_run(): while this file exists (DIR/store.corrupt, left by a `maille check`
	 * that found the store damaged), the daemon stores nothing it receives: the entries come
	 * again once the store is repaired (PROTOCOL.md §3.5). NULL: none. */
	const char *corrupt_mark;
	/* node_sync() for `maille join`: redeem this invitation secret (PROTOCOL.md §4.5) with
	 * the peer, whose key must be redeem_inviter, before syncing; member: the PROTO_REDEEM_MEMBER
	 * flag. The answer is in node_sync_result.redeem_result. NULL: no redemption. */
	const uint8_t *redeem_secret;
	const uint8_t *redeem_inviter;
	bool redeem_member;
	/* node_sync(): called every quarter second with the figures so far (a progress line). */
	void (*progress)(const struct node_sync_result *r, void *ctx);
	void *progress_ctx;
	/* node_ping(), node_sync(): the language of the error their result reports. The messages
	 * are written in English, and tr(fmt) is the translation of one of their formats, with
	 * the same conversions in the same order (the CLI's gettext, as node/service's
	 * node_env.tr); NULL: English. The daemon's log stays English. */
	const char *(*tr)(const char *fmt) __attribute__((format_arg(1)));
	/* node_run(): what runs beside the daemon in the same process (tools/: the web catalogue,
	 * node/web/web.h, which the daemon does not know). start(ctx) is called once the daemon
	 * holds DIR/node.lock, listens and has its store open, before it writes DIR/node.addr (so
	 * whoever waits for node.addr finds it running); its error stops the start and node_run
	 * returns it (start logs it). stop(ctx), if start succeeded, when the daemon stops, before
	 * it closes its store handles (what runs beside may write the store). NULL: nothing. */
	int (*beside_start)(void *ctx);
	void (*beside_stop)(void *ctx);
	void *beside_ctx;
} node_config;

/* Runs the daemon in the foreground until SIGINT or SIGTERM: listens, starts what runs
 * beside it (beside_start), writes the bound address to DIR/node.addr and serves connections;
 * on the signal stops accepting, sends BYE shutdown to every session, closes every handle,
 * stops what runs beside it (beside_stop), removes DIR/node.addr and returns 0.
 * Errors (logged here, once): MAILLE_EINVAL (bad listen address), MAILLE_EBUSY (address in
 * use, or another daemon holds DIR/node.lock), MAILLE_EIO, MAILLE_ENOMEM. */
int node_run(const node_config *cfg);

/* The outcome of node_ping(). */
typedef struct node_ping_result {
	uint8_t peer_key[PROTO_KEY_LEN]; /* the peer's territory (Ed25519) key, authenticated */
	proto_hello peer_hello;
	double connect_ms;   /* TCP connect */
	double handshake_ms; /* TCP connected to handshake complete (message 1 to message 3) */
	double rtt_ms;       /* PING sent to PONG received */
	/* Failure: not_member is set when the peer closed without sending a byte after our
	 * message 1 (a node of another federation, or not a Maille node: PROTOCOL.md §2 has the
	 * responder stay silent); timed_out when the timeout expired. error is a human sentence. */
	bool not_member, timed_out;
	char error[256];
} node_ping_result;

/* Connects to target ("HOST:PORT": an IPv4 or IPv6 literal, "[v6]:PORT", or "localhost"),
 * performs the handshake as the initiator with cfg's keys, sends PING, waits for PONG, then
 * BYE done. cfg->listen and the timeouts are ignored; timeout_ms bounds the whole exchange.
 * Fills *ret (always, error included) and returns 0, MAILLE_EINVAL (bad target),
 * MAILLE_EAUTH (not a member, or a handshake that does not authenticate), MAILLE_EIO
 * (connection failed or closed, timeout), MAILLE_EPROTO (the peer broke the protocol),
 * MAILLE_EBUSY (the peer is busy, at its session limits, or overloaded: BYE 5 or 3). */
int node_ping(const node_config *cfg, const char *target, uint32_t timeout_ms,
              node_ping_result *ret);

/* The outcome of node_sync(). */
typedef struct node_sync_result {
	uint8_t peer_key[PROTO_KEY_LEN];
	proto_hello peer_hello;
	bool equal;          /* the HELLO fingerprints matched: nothing to reconcile */
	uint64_t sent;       /* entries sent (the peer lacked them, or asked for them) */
	uint64_t received;   /* entries received and stored as new */
	uint64_t duplicates; /* entries received that were already here (or older versions) */
	uint64_t refused;    /* entries refused for a reason of our own (a timestamp from the
	                      * future): not the peer's fault, they come again later */
	uint64_t rounds;     /* reconciliation round trips */
	uint64_t bytes_sent, bytes_received; /* on the wire, handshake included */
	double handshake_ms;
	double total_ms; /* connect to BYE: entries stored and verified, the peer done too */
	/* Then, before node_sync returns, the documents received are indexed for full-text
	 * search (stored first, indexed after: store_set_index_later). */
	uint64_t indexed;
	double index_ms;
	bool not_member, timed_out;
	/* with cfg->redeem_secret: the inviter's enum proto_redeem_result, -1 if no answer came;
	 * not_inviter: the peer's key is not redeem_inviter (nothing was sent) */
	int redeem_result;
	bool not_inviter;
	char error[256];
} node_sync_result;

/* One-shot sync (`maille sync`): connects to target, reconciles, transfers both ways, waits
 * until both sides have processed everything (a final MARK), says BYE done. The store at
 * cfg->store_path is written here. timeout_ms bounds the handshake and any silence of the
 * peer. Errors as node_ping(); *ret is always filled. */
int node_sync(const node_config *cfg, const char *target, uint32_t timeout_ms,
              node_sync_result *ret);

/* The one translation of libuv error codes (negative errno values) into Maille codes. */
int node_uv_error(int uv_err);

/* The 8-hex fingerprint of a public key for logs: its first 4 bytes in hex (the start of the
 * key that `maille whoami` prints). */
void node_key_fingerprint(const uint8_t key[PROTO_KEY_LEN], char ret[9]);
/* The 8-hex fingerprint of a network key: the first 4 bytes of BLAKE2b-256(key) in hex, so
 * the key itself (a secret) never shows. */
void node_netkey_fingerprint(const uint8_t netkey[PROTO_NETKEY_LEN], char ret[9]);

#endif
