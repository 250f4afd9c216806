/* node/daemon/internal.h: what node.c (the daemon, its listener, the dialer's driver) and
 * conn.c (the per-connection state machine) share. Not a public header.
 *
 * Handle ownership follows libuv: a connection embeds its uv_tcp_t and uv_timer_t, and its
 * memory is released only in the close callback of the last of them (conn_on_close). Every
 * write request owns its buffer and frees it in its callback, which libuv always runs (with
 * UV_ECANCELED when the handle closed first) before the handle's close callback. */
#ifndef MAILLE_NODE_INTERNAL_H
#define MAILLE_NODE_INTERNAL_H

#include <uv.h>

#include "node.h"
#include "proto/rbsr.h"
#include "proto/session.h"
#include "proto/sync.h"
#include "store/store.h"

/* Connection states. Only these transitions happen:
 *   DIALING -> HANDSHAKE (outbound, TCP connected)      accept -> HANDSHAKE (inbound)
 *   HANDSHAKE -> OPEN (handshake complete)              OPEN -> FLUSHING (BYE queued)
 *   any -> CLOSED (uv_close called; freed in the last close callback). */
enum conn_state {
	CONN_DIALING = 1,
	CONN_HANDSHAKE,
	CONN_OPEN,
	CONN_FLUSHING,
	CONN_CLOSED,
};

typedef struct node_conn node_conn;
typedef struct node node;

struct node_conn {
	uv_tcp_t tcp;
	uv_timer_t timer; /* handshake timeout; then keepalive and idle check; then linger */
	uv_connect_t connect_req;
	uv_shutdown_t shutdown_req;
	node *owner;
	node_conn *prev, *next; /* the owner's list, oldest first */
	uint64_t id;            /* for logs: #1, #2, ... */
	int state;              /* enum conn_state */
	int n_handles;          /* handles initialised and not yet closed */
	bool inbound;
	bool busy_slot;    /* inbound beyond NODE_INBOUND_MAX: handshake, then BYE busy */
	bool peer_busy;    /* the peer said BYE busy or overloaded: a failed dial for the backoff */
	bool oneshot_ping; /* dialed by node_ping(): PING, PONG, BYE done */
	bool reading;
	char peer_addr[NODE_ADDR_STR_MAX]; /* "ip:port", for logs */
	char peer_ip[NODE_ADDR_STR_MAX];   /* the per-address limits' key */
	uint64_t t_start_ns;  /* uv_hrtime() at accept, or at uv_tcp_connect */
	uint64_t t_tcp_ns;    /* uv_hrtime() when TCP was up (accept, or connected) */
	uint64_t n_rx_bytes;  /* bytes received on this connection */
	uint64_t n_tx_bytes;  /* bytes handed to libuv for this connection */

	/* Handshake (PROTOCOL.md §2): each message travels as a 2-byte big-endian length and the
	 * message. hs is sodium_malloc'd once the first complete message is there (so that a
	 * half-open connection costs no secret memory and no key generation). */
	proto_hs *hs;
	uint8_t hs_buf[2 + PROTO_HS_MSG_MAX];
	size_t hs_len;

	/* Session. chan (sodium_malloc'd) holds the transport keys. */
	proto_chan *chan;
	uint8_t peer_key[PROTO_KEY_LEN];
	char peer_fp[9];
	proto_hello peer_hello;
	uint64_t ping_nonce;
	uint64_t ping_sent_ns; /* 0 when no PING is outstanding */

	/* Sync (sync.c). NULL until the session opens. */
	struct conn_sync *sync;
	bool write_paused;  /* reading stopped: too many bytes wait to be written */
	bool ingest_paused; /* reading stopped: too many of its entries wait for verification */
	bool oneshot_sync;  /* dialed by node_sync(): reconcile, transfer, MARK, BYE done */
	struct node_peer *peer; /* outbound: the peer record it was dialed for, else NULL */

	/* Bytes to write, appended by the state machine and handed to one uv_write by
	 * conn_flush() (so that answering many messages of one read costs one write). */
	uint8_t *out;
	size_t out_len, out_cap;
};

struct node {
	uv_loop_t loop;
	node_config cfg;
	bool client;       /* node_ping(): no listener, no signals */
	proto_hello hello; /* ours, sent in handshakes */
	proto_replay *replay; /* message-1 ephemeral keys seen recently (responder) */
	uv_tcp_t listener;
	uv_signal_t sig_int, sig_term;
	uv_timer_t client_timer; /* node_ping(): the overall deadline */
	bool loop_open, listener_open, signals_open, client_timer_open;
	bool stopping;
	bool addr_written; /* DIR/node.addr is ours to remove */
	int lock_fd;       /* DIR/node.lock, locked while the daemon runs; -1 */
	node_conn *head, *tail;
	uint64_t n_conn_ids;
	char listen_addr[NODE_ADDR_STR_MAX]; /* the bound address */
	/* node_ping() */
	node_ping_result *ping;
	int ping_err;
	bool ping_done; /* ping_err and ping are final */
	/* node_sync() */
	node_sync_result *sync_res;
	int sync_err;
	bool sync_done;

	/* Sync (sync.c, peers.c). st: the event loop's store handle (reads, and the few writes
	 * the loop makes itself); wst: the commit jobs' handle, used by one job at a time on the
	 * thread pool. NULL for node_ping(). */
	store *st, *wst;
	struct node_sync_state *sy;
	struct node_peers *peers;
	uv_timer_t tick;
	bool tick_open;
	uint8_t read_buf[65536]; /* shared by every connection: reads are consumed at once */
};

/* conn.c */
/* A new connection at the end of owner's list (inbound: HANDSHAKE, to be conn_accept'ed;
 * outbound: DIALING, to be conn_dial'ed). NULL when out of memory or libuv refuses (logged). */
node_conn *conn_new(node *owner, bool inbound);
/* Inbound: uv_accept from server, and the peer's address. A Maille code on failure (the
 * caller then closes c). */
int conn_accept(node_conn *c, uv_stream_t *server);
/* Inbound, once admitted: starts reading and the handshake timeout. */
void conn_start_inbound(node_conn *c);
/* Outbound: uv_tcp_connect to addr. */
int conn_dial(node_conn *c, const struct sockaddr *addr);
/* Closes without sending anything more (a pending handshake, a failure, a peer gone). */
void conn_close_now(node_conn *c);
/* An authenticated session ends: BYE with reason, then close once our writes drained (or
 * after NODE_LINGER_MS). Other states: conn_close_now(). */
void conn_close_bye(node_conn *c, uint32_t reason, const char *text);
bool conn_is_pending(const node_conn *c);
/* The session was idle for idle_ms: logs, and fails a one-shot (the session says BYE). */
void conn_idle(node_conn *c, uint64_t idle_ms);

/* node.c */
/* Whether the inbound session c, whose handshake just completed, fits in the session limits
 * (node.h; never for a busy slot); the caller says BYE busy if not (logged here). */
bool node_session_admit(node *n, const node_conn *c);
/* The dialer's driver (node_ping) hears of its connection's progress. */
void node_ping_on_open(node_conn *c, double handshake_ms);
void node_ping_on_pong(node_conn *c, double rtt_ms);
/* Records err and a message unless the outcome is already final. */
void node_ping_fail(node *n, int err, bool not_member, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The one-shot client's outcome is a timeout. */
void node_client_timed_out(node *n);
/* The connection list changed (a connection was freed). */
void node_on_conn_freed(node *n);

/* Wall-clock microseconds (message 1's timestamp, PROTOCOL.md §2). */
uint64_t node_now_us(void);
/* The clock entries are checked against (node_now_us + cfg.clock_skew_us). */
uint64_t node_entry_now_us(const node *n);
/* node_sync(): the one-shot session finished (err 0) or failed. */
void node_sync_finish(node *n, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void node_hello_refresh(node *n);
/* Seals one encoded session message onto c's output (conn.c). */
int conn_send_raw(node_conn *c, const uint8_t *msg, size_t len);
/* Bytes queued for writing on c: libuv's write queue and what is not yet handed to it. */
size_t conn_write_backlog(const node_conn *c);
/* Starts or stops reading according to write_paused and ingest_paused. */
void conn_update_reading(node_conn *c);
/* Hands what the state machine appended to one uv_write. */
void conn_flush(node_conn *c);

/* ---- sync.c: the host of each session's sync (proto/session.h: its decisions and their
 * limits, PROTOCOL.md §3.5), entry transfer, the ingest pipeline ------------------------------
 * The frame limit of our Negentropy messages, under the name a benchmark reads it by. */
#define SYNC_FRAME_LIMIT PROTO_SESSION_FRAME_LIMIT
/* The send queue fills the write queue up to this much only, well below the backpressure
 * mark (NODE_WRITE_QUEUE_HIGH) even with a last ENTRIES message and a Negentropy reply on
 * top: two nodes sending each other bulk entries must never both stop reading because of
 * their own sends (each would wait for the other to read: a deadlock that only the idle
 * timeout broke, seen with five daemons exchanging 20 000 entries). */
#define SYNC_PUMP_BACKLOG_MAX (NODE_WRITE_QUEUE_HIGH / 2)
/* The ingest pipeline holds at most SYNC_PIPE_HIGH received entries, over all connections
 * (~2.3 KB each: 14 MB): a connection that adds one beyond stops being read, and every paused
 * connection reads again below SYNC_PIPE_LOW. Commits take at most SYNC_COMMIT_ENTRIES, a
 * fraction of the pipeline, so that verification goes on while a commit runs (a commit of the
 * whole pipeline left every core but one idle for a third of a bulk sync). */
#define SYNC_PIPE_HIGH 6144u
#define SYNC_PIPE_LOW 4096u
#define SYNC_BATCH_ENTRIES 128u        /* entries of one verification job */
/* Verification jobs on libuv's thread pool at a time: one fewer than its 4 threads, so that
 * a commit job always finds a thread at once (the pool's queue is first come, first served);
 * 3 keep this 2-core machine's cores busy. */
#define SYNC_VERIFY_JOBS 3u
#define SYNC_COMMIT_ENTRIES 1024u      /* entries of one commit transaction, at most */
#define SYNC_ANTI_ENTROPY_MS 60000u    /* default anti-entropy period */
#define SYNC_INDEX_BATCH 2000u         /* documents one indexing job indexes */
#define SYNC_INDEX_LAG_MAX 200000u     /* documents waiting for indexing (~8 s of indexing
                                        * here): beyond, commits index at once */

int sync_init(node *n);   /* after the stores are open */
void sync_free(node *n);  /* after the loop ended */
/* A session opened: allocates c->sync (a one-shot ping's too: no sync, but the idle rule)
 * and, per PROTOCOL.md §3.5, opens a reconciliation. */
int sync_conn_open(node_conn *c);
void sync_conn_free(node_conn *c);
/* A session message (any type: the session notes when the peer was last heard from):
 * MAILLE_EINVAL if it is not of a sync type (proto/sync.h), else 0, or -1 if the connection
 * closed. */
int sync_on_msg(node_conn *c, const uint8_t *msg, size_t len);
/* The peer took bytes of ours (a write completed). */
void sync_written(node_conn *c);
/* The keepalive timer: false if the session ended for being idle (PROTOCOL.md §2.5), else
 * the caller sends a PING. */
bool sync_tick(node_conn *c);
/* Sends what is queued on c while its write queue allows; MARK_ACKs, WANTs; one-shot end. */
void sync_pump(node_conn *c);
/* Opens a reconciliation with c if none of ours runs on it. */
void sync_start_recon(node_conn *c);
/* Submits the entries collected so far for verification (end of a read). */
void sync_ingest_kick(node *n);
/* Pushes the entry id to every session but those with except's node (NULL: none) and those
 * whose peer is known to hold it (PROTOCOL.md §3.5). */
void sync_push(node *n, const uint8_t id[PROTO_ID_LEN], const node_conn *except);
/* Whether id is in the ingest pipeline (received, not yet committed and pushed). */
bool sync_inflight(const node *n, const uint8_t id[PROTO_ID_LEN]);
/* The live set changed behind our back (another process wrote the store). */
void sync_set_dirty(node *n);
/* Starts an indexing job if documents wait for their full-text indexing and no entry waits
 * for a commit (the tick calls it). */
void sync_index_idle(node *n);
/* Indexes every waiting document now, on the calling thread, once the loop has ended
 * (node_sync before it returns). */
int sync_index_all(node *n, uint64_t *ret_indexed);
/* Anti-entropy: one random session. */
void sync_anti_entropy(node *n);
/* The trust view the quota spares: the store changed (stale), recompute it if stale and at
 * least SYNC_TRUST_MS after the last time (the tick calls it). */
#define SYNC_TRUST_MS 1000u
#define SYNC_OVER_QUOTA_MAX 65536u /* ids refused for the quota, remembered (~4 MB) */
void sync_trust_stale(node *n);
void sync_trust_tick(node *n);
/* Whether key is in the trust view computed last (false before the first one). */
bool sync_trusted(const node *n, const uint8_t key[PROTO_KEY_LEN]);
/* Statistics of a connection for node.state and node_sync(). */
void sync_conn_stats(const node_conn *c, uint64_t *sent, uint64_t *received, uint64_t *dups,
                     uint64_t *refused, uint64_t *last_sync_us);

/* ---- peers.c: configured and discovered peers, the dialer, the tick, node.state -------------- */
int peers_init(node *n);
/* Signs the document body at path as this node's territory (timestamp after the live
 * version's) and stores it through the loop's handle; the caller pushes ret_id. */
int node_publish(node *n, const char *path, const uint8_t *body, size_t body_len,
                 uint8_t ret_id[PROTO_ID_LEN]);
void peers_free(node *n);
/* An outbound connection of a peer closed (opened says whether its session had opened). */
void peers_on_conn_closed(node *n, node_conn *c, bool opened);
/* A session opened: false if it duplicates another session with the same key (closed here). */
bool peers_on_session_open(node *n, node_conn *c);
/* The commit job's transaction gave the rids (lo, hi]: the tick need not read them back. */
void peers_own_rids(node *n, uint64_t lo, uint64_t hi);
/* A live node/<key> entry was stored: learn its addresses if its territory is trusted
 * (PROTOCOL.md §3.6). */
void peers_learn(node *n, const proto_entry *e);
/* The trust view changed for key: learn the addresses of its node entry (trusted), or stop
 * dialing them (no longer trusted). */
void peers_on_trust(node *n, const uint8_t key[PROTO_KEY_LEN], bool trusted);
/* The tick (SYNC_TICK_MS): store changes, peers, dialing, anti-entropy, state file. */
void peers_tick(node *n);

#endif
