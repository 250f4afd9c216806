/* node/internal.h: what node.c (the daemon, its listener, the dialer's driver) and conn.c (the
 * per-connection state machine) share. Not a public header.
 *
 * Handle ownership follows libuv: a connection embeds its uv_tcp_t and uv_timer_t, and its
 * memory is released only in the close callback of the last of them (conn_on_close). Every
 * write request owns its buffer and frees it in its callback, which libuv always runs (with
 * UV_ECANCELED when the handle closed first) before the handle's close callback. */
#ifndef MAILLE_NODE_INTERNAL_H
#define MAILLE_NODE_INTERNAL_H

#include <uv.h>

#include "node.h"

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
	bool oneshot_ping; /* dialed by node_ping(): PING, PONG, BYE done */
	bool reading, paused;
	char peer_addr[NODE_ADDR_STR_MAX]; /* "ip:port", for logs */
	char peer_ip[NODE_ADDR_STR_MAX];   /* the per-address limits' key */
	uint64_t t_start_ns;  /* uv_hrtime() at accept, or at uv_tcp_connect */
	uint64_t t_tcp_ns;    /* uv_hrtime() when TCP was up (accept, or connected) */
	uint64_t last_rx_ms;  /* uv_now() when the last session message arrived */
	uint64_t n_rx_bytes;  /* bytes received on this connection */

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

/* node.c */
/* Whether the inbound session c, whose handshake just completed, fits in the session limits
 * (node.h); the caller says BYE overloaded if not (logged here). */
bool node_session_admit(node *n, const node_conn *c);
/* The IP address alone (no port, no brackets): the per-address limits' key. */
void node_addr_host(const struct sockaddr *sa, char ret[NODE_ADDR_STR_MAX]);
/* The dialer's driver (node_ping) hears of its connection's progress. */
void node_ping_on_open(node_conn *c, double handshake_ms);
void node_ping_on_pong(node_conn *c, double rtt_ms);
/* Records err and a message unless the outcome is already final. */
void node_ping_fail(node *n, int err, bool not_member, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The connection list changed (a connection was freed). */
void node_on_conn_freed(node *n);

/* Wall-clock microseconds (message 1's timestamp, PROTOCOL.md §2). */
uint64_t node_now_us(void);

#endif
