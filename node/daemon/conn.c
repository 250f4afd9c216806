/* node/daemon/conn.c: one state machine per connection: Maille's secure channel (PROTOCOL.md §2)
 * driven by proto/channel.h over a libuv TCP stream. See internal.h for the states and for who
 * owns what. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "node/service/log.h"
#include "node/service/term.h"
#include "proto/array.h"
#include "proto/error.h"

/* Returned by the session-message callback to stop proto_chan_feed() once the connection is
 * closing: positive, so it can never be mistaken for a MAILLE_* error. */
#define CONN_STOP 1

/* A connection whose outcome a one-shot client (node_ping, node_sync) waits for. */
#define ONESHOT(c) ((c)->oneshot_ping || (c)->oneshot_sync)

typedef struct conn_write {
	uv_write_t req; /* first: the callback gets &req */
	uint8_t *data;  /* malloc'd; freed in conn_on_write */
} conn_write;

static void conn_on_timer(uv_timer_t *t);

static unsigned long long conn_num(const node_conn *c)
{
	return (unsigned long long)c->id;
}

static double ms_since(uint64_t t_ns)
{
	return (double)(uv_hrtime() - t_ns) / 1e6;
}

static const char *bye_reason_name(uint32_t reason)
{
	switch (reason) {
	case PROTO_BYE_SHUTDOWN:
		return "shutdown";
	case PROTO_BYE_IDLE:
		return "idle";
	case PROTO_BYE_PROTOCOL:
		return "protocol error";
	case PROTO_BYE_OVERLOADED:
		return "overloaded";
	case PROTO_BYE_DONE:
		return "done";
	case PROTO_BYE_BUSY:
		return "busy";
	default:
		return "unknown reason";
	}
}

/* ---- handles and their lifetime ------------------------------------------------------------- */

static void conn_on_close(uv_handle_t *h)
{
	node_conn *c = h->data;
	if (--c->n_handles > 0)
		return;
	node *n = c->owner;
	peers_on_conn_closed(n, c, c->sync != NULL && !c->peer_busy);
	sync_conn_free(c);
	if (c->prev)
		c->prev->next = c->next;
	else
		n->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		n->tail = c->prev;
	if (c->hs) {
		proto_hs_done(c->hs);
		sodium_free(c->hs);
	}
	if (c->chan) {
		proto_chan_done(c->chan);
		sodium_free(c->chan);
	}
	free(c->out);
	free(c);
	node_on_conn_freed(n);
}

node_conn *conn_new(node *n, bool inbound)
{
	node_conn *c = calloc(1, sizeof *c);
	if (!c) {
		LOG_ERROR("CONN-ERROR", "out of memory for a new connection");
		return NULL;
	}
	c->owner = n;
	c->inbound = inbound;
	c->id = ++n->n_conn_ids;
	c->state = inbound ? CONN_HANDSHAKE : CONN_DIALING;
	c->t_start_ns = c->t_tcp_ns = uv_hrtime();
	int r = uv_tcp_init(&n->loop, &c->tcp);
	if (r) {
		LOG_ERROR("CONN-ERROR", "cannot create a TCP handle: %s", uv_strerror(r));
		free(c);
		return NULL;
	}
	c->tcp.data = c;
	c->n_handles = 1;
	/* in the list from now on: conn_on_close unlinks it */
	c->prev = n->tail;
	if (n->tail)
		n->tail->next = c;
	else
		n->head = c;
	n->tail = c;
	r = uv_timer_init(&n->loop, &c->timer);
	if (r) {
		LOG_ERROR("CONN-ERROR", "cannot create a timer: %s", uv_strerror(r));
		c->state = CONN_CLOSED;
		uv_close((uv_handle_t *)&c->tcp, conn_on_close);
		return NULL;
	}
	c->timer.data = c;
	c->n_handles = 2;
	return c;
}

void conn_close_now(node_conn *c)
{
	if (c->state == CONN_CLOSED)
		return;
	c->state = CONN_CLOSED;
	c->reading = false;
	/* pending writes, the connect and the shutdown get UV_ECANCELED before conn_on_close */
	uv_close((uv_handle_t *)&c->tcp, conn_on_close);
	uv_close((uv_handle_t *)&c->timer, conn_on_close);
}

bool conn_is_pending(const node_conn *c)
{
	return c->inbound && c->state == CONN_HANDSHAKE;
}

/* ---- reading ------------------------------------------------------------------------------- */

static void conn_on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	node_conn *c = h->data;
	/* one buffer for every connection: conn_on_read consumes it before returning */
	buf->base = (char *)c->owner->read_buf;
	buf->len = sizeof c->owner->read_buf;
}

static void conn_on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

static void conn_read_start(node_conn *c)
{
	if (c->reading || c->state == CONN_CLOSED || c->write_paused || c->ingest_paused)
		return;
	int r = uv_read_start((uv_stream_t *)&c->tcp, conn_on_alloc, conn_on_read);
	if (r) {
		LOG_WARN("CONN-CLOSE", "#%llu %s: cannot read: %s", conn_num(c), c->peer_addr,
		         uv_strerror(r));
		conn_close_now(c);
		return;
	}
	c->reading = true;
}

static void conn_read_stop(node_conn *c)
{
	if (!c->reading)
		return;
	uv_read_stop((uv_stream_t *)&c->tcp);
	c->reading = false;
}

void conn_update_reading(node_conn *c)
{
	if (c->state != CONN_HANDSHAKE && c->state != CONN_OPEN)
		return;
	if (c->write_paused || c->ingest_paused)
		conn_read_stop(c);
	else
		conn_read_start(c);
}

size_t conn_write_backlog(const node_conn *c)
{
	return uv_stream_get_write_queue_size((const uv_stream_t *)&c->tcp) + c->out_len;
}

/* ---- writing ------------------------------------------------------------------------------- */

static int conn_out_append(node_conn *c, const uint8_t *data, size_t len)
{
	if (c->out_cap - c->out_len < len) {
		uint8_t *p = proto_array_grow_to(c->out, &c->out_cap, c->out_len + len, 4096);
		if (!p)
			return MAILLE_ENOMEM;
		c->out = p;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
	return 0;
}

static void conn_on_write(uv_write_t *req, int status)
{
	conn_write *w = (conn_write *)req;
	node_conn *c = req->handle->data;
	free(w->data);
	free(w);
	if (status == 0)
		sync_written(c);
	if (status < 0) {
		if (status != UV_ECANCELED && c->state != CONN_CLOSED) {
			LOG_INFO("CONN-CLOSE", "#%llu %s: write failed: %s", conn_num(c), c->peer_addr,
			         uv_strerror(status));
			if (ONESHOT(c))
				node_ping_fail(c->owner, node_uv_error(status), false,
				               "the connection failed: %s", uv_strerror(status));
			conn_close_now(c);
		}
		return;
	}
	/* backpressure: read again once the queue has drained to the low-water mark; what waits
	 * to be sent (sync.c) goes out as the queue drains */
	if ((c->state == CONN_HANDSHAKE || c->state == CONN_OPEN) &&
	    uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) <= NODE_WRITE_QUEUE_LOW) {
		if (c->write_paused) {
			LOG_DEBUG("CONN-BACKPRESSURE", "#%llu %s: write queue drained: reading again",
			          conn_num(c), c->peer_addr);
			c->write_paused = false;
			conn_update_reading(c);
		}
		sync_pump(c);
	}
}

/* Hands the bytes appended since the last flush to one uv_write. */
void conn_flush(node_conn *c)
{
	if (c->out_len == 0 || c->state == CONN_CLOSED || c->state == CONN_DIALING)
		return;
	conn_write *w = malloc(sizeof *w);
	if (!w) {
		LOG_ERROR("CONN-ERROR", "#%llu: out of memory", conn_num(c));
		conn_close_now(c);
		return;
	}
	w->data = c->out;
	uv_buf_t b = uv_buf_init((char *)c->out, (unsigned int)c->out_len);
	c->n_tx_bytes += c->out_len;
	c->out = NULL;
	c->out_len = c->out_cap = 0;
	int r = uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, conn_on_write);
	if (r) {
		free(w->data);
		free(w);
		LOG_INFO("CONN-CLOSE", "#%llu %s: write failed: %s", conn_num(c), c->peer_addr,
		         uv_strerror(r));
		conn_close_now(c);
		return;
	}
	/* backpressure: a peer that does not read stops being read (internal.h, node.h) */
	size_t queued = uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp);
	if (c->reading && c->state != CONN_FLUSHING && queued > NODE_WRITE_QUEUE_HIGH) {
		LOG_DEBUG("CONN-BACKPRESSURE", "#%llu %s: %zu bytes wait to be written: reading paused",
		          conn_num(c), c->peer_addr, queued);
		c->write_paused = true;
		conn_read_stop(c);
	}
}

int conn_send_raw(node_conn *c, const uint8_t *msg, size_t len)
{
	return proto_chan_seal(c->chan, msg, len, &c->out, &c->out_len, &c->out_cap);
}

/* Seals one session message onto the output (PROTOCOL.md §2.4: 4-byte length, msgpack array,
 * in Noise transport messages). */
static int conn_send(node_conn *c, const proto_sess_msg *m)
{
	uint8_t buf[256];
	size_t len;
	int r = proto_sess_encode(m, buf, sizeof buf, &len);
	if (!r)
		r = proto_chan_seal(c->chan, buf, len, &c->out, &c->out_len, &c->out_cap);
	if (r)
		LOG_ERROR("CONN-ERROR", "#%llu %s: cannot send a session message: %s", conn_num(c),
		          c->peer_addr, maille_strerror(r));
	return r;
}

static void conn_send_ping(node_conn *c)
{
	proto_sess_msg m;
	memset(&m, 0, sizeof m);
	m.type = PROTO_SESS_PING;
	randombytes_buf(&m.nonce, sizeof m.nonce);
	m.nonce &= INT64_MAX; /* PROTOCOL.md §2.5: the nonce is a non-negative int */
	if (conn_send(c, &m)) {
		conn_close_now(c);
		return;
	}
	c->ping_nonce = m.nonce;
	c->ping_sent_ns = uv_hrtime();
}

/* ---- closing ------------------------------------------------------------------------------- */

static void conn_on_shutdown(uv_shutdown_t *req, int status)
{
	node_conn *c = req->handle->data;
	/* our side is done; wait for the peer's end of stream (or the linger timer) so that
	 * closing does not reset a connection whose peer is still reading our BYE */
	if (status < 0 && c->state == CONN_FLUSHING)
		conn_close_now(c);
}

void conn_close_bye(node_conn *c, uint32_t reason, const char *text)
{
	if (c->state != CONN_OPEN) {
		conn_close_now(c);
		return;
	}
	proto_sess_msg m;
	memset(&m, 0, sizeof m);
	m.type = PROTO_SESS_BYE;
	m.reason = reason;
	snprintf(m.text, sizeof m.text, "%s", text);
	if (conn_send(c, &m)) {
		conn_close_now(c);
		return;
	}
	c->state = CONN_FLUSHING;
	conn_flush(c);
	if (c->state != CONN_FLUSHING)
		return;
	/* keep reading (and discarding) until the peer's end of stream: see conn_on_shutdown */
	c->write_paused = c->ingest_paused = false;
	conn_read_start(c);
	uv_timer_start(&c->timer, conn_on_timer, NODE_LINGER_MS, 0);
	int r = uv_shutdown(&c->shutdown_req, (uv_stream_t *)&c->tcp, conn_on_shutdown);
	if (r)
		conn_close_now(c);
}

/* ---- the session --------------------------------------------------------------------------- */

/* Called by proto_chan_feed for each complete session message. */
static int conn_on_msg(void *ctx, const uint8_t *msg, size_t len)
{
	node_conn *c = ctx;
	node *n = c->owner;
	if (c->state != CONN_OPEN)
		return CONN_STOP;
	/* every message counts against the idle rule (sync.c); sync messages first, with their
	 * own decoder: it borrows the bytes, where proto_sess_decode would copy every entry of an
	 * ENTRIES into an arena; MAILLE_EINVAL means another type */
	int r = sync_on_msg(c, msg, len);
	if (r != MAILLE_EINVAL)
		return r ? CONN_STOP : 0;
	proto_sess_msg m;
	r = proto_sess_decode(msg, len, &m);
	if (r) {
		LOG_WARN("CONN-PROTO", "#%llu %s %s: malformed session message (%s): closing",
		         conn_num(c), c->peer_addr, c->peer_fp, maille_strerror(r));
		if (ONESHOT(c))
			node_ping_fail(n, MAILLE_EPROTO, false, "the peer sent a malformed message (%s)",
			               maille_strerror(r));
		conn_close_bye(c, PROTO_BYE_PROTOCOL, "malformed session message");
		return CONN_STOP;
	}
	char text[NODE_TERM_CAP(sizeof m.text)];
	switch (m.type) {
	case PROTO_SESS_PING: {
		proto_sess_msg pong;
		memset(&pong, 0, sizeof pong);
		pong.type = PROTO_SESS_PONG;
		pong.nonce = m.nonce;
		if (conn_send(c, &pong)) {
			conn_close_now(c);
			return CONN_STOP;
		}
		return 0;
	}
	case PROTO_SESS_PONG: {
		if (c->ping_sent_ns == 0 || m.nonce != c->ping_nonce)
			return 0; /* late or unsolicited: harmless */
		double rtt = ms_since(c->ping_sent_ns);
		c->ping_sent_ns = 0;
		LOG_DEBUG("CONN-PONG", "#%llu %s %s: round trip %.3f ms", conn_num(c), c->peer_addr,
		          c->peer_fp, rtt);
		if (c->oneshot_ping) {
			node_ping_on_pong(c, rtt);
			conn_close_bye(c, PROTO_BYE_DONE, "ping done");
			return CONN_STOP;
		}
		return 0;
	}
	case PROTO_SESS_BYE:
		node_term_str(m.text, strlen(m.text), text, sizeof text);
		LOG_INFO("CONN-BYE", "#%llu %s %s said bye: %s (%s)", conn_num(c), c->peer_addr,
		         c->peer_fp, bye_reason_name(m.reason), text);
		c->peer_busy = m.reason == PROTO_BYE_BUSY || m.reason == PROTO_BYE_OVERLOADED;
		if (ONESHOT(c) && m.reason == PROTO_BYE_BUSY)
			node_ping_fail(n, MAILLE_EBUSY, false,
			               "nœud occupé : il a atteint sa limite de sessions, réessayez plus "
			               "tard (the node is busy: at its session limit; try again later)");
		else if (ONESHOT(c))
			node_ping_fail(n, m.reason == PROTO_BYE_OVERLOADED ? MAILLE_EBUSY : MAILLE_EIO,
			               false, "le nœud a mis fin à la session (the peer ended the session: "
			               "%s (%s))",
			               bye_reason_name(m.reason), text);
		conn_close_now(c);
		return CONN_STOP;
	default:
		/* a newer peer's message: ignored (PROTOCOL.md §2.5) */
		LOG_DEBUG("CONN-MSG", "#%llu %s: ignoring session message of type %u", conn_num(c),
		          c->peer_addr, (unsigned)m.type);
		return 0;
	}
}

/* The connection could not take its next step (r): logged as "<what>: <error>", told to a
 * one-shot caller as "<what_ping>: <error>", closed. Returns -1, for the caller to return. */
static int conn_step_fail(node_conn *c, int r, const char *what, const char *what_ping)
{
	LOG_ERROR("CONN-ERROR", "#%llu %s: %s: %s", conn_num(c), c->peer_addr, what,
	          maille_strerror(r));
	if (ONESHOT(c))
		node_ping_fail(c->owner, r, false, "%s: %s", what_ping, maille_strerror(r));
	conn_close_now(c);
	return -1;
}

/* The handshake is complete: split, log, admit, start the session's timer. */
static int conn_hs_done(node_conn *c)
{
	node *n = c->owner;
	memcpy(c->peer_key, c->hs->peer_key, PROTO_KEY_LEN);
	c->peer_hello = c->hs->peer_hello;
	node_key_fingerprint(c->peer_key, c->peer_fp);
	c->chan = sodium_malloc(sizeof *c->chan);
	int r = c->chan ? proto_hs_split(c->hs, c->chan) : MAILLE_ENOMEM;
	proto_hs_done(c->hs);
	sodium_free(c->hs);
	c->hs = NULL;
	if (r) {
		if (c->chan)
			sodium_free(c->chan);
		c->chan = NULL;
		return conn_step_fail(c, r, "cannot start the session", "cannot start the session");
	}
	c->state = CONN_OPEN;
	double ms = ms_since(c->t_tcp_ns);
	char name[NODE_TERM_CAP(PROTO_HELLO_NAME_MAX)], sw[NODE_TERM_CAP(PROTO_HELLO_SOFTWARE_MAX)];
	LOG_INFO("CONN-HS-OK", "#%llu %s %s: %s \"%s\" (%s, protocol %u), handshake %.2f ms",
	         conn_num(c), c->inbound ? "from" : "to", c->peer_addr, c->peer_fp,
	         node_term_str(c->peer_hello.name, strlen(c->peer_hello.name), name, sizeof name),
	         node_term_str(c->peer_hello.software, strlen(c->peer_hello.software), sw, sizeof sw), (unsigned)c->peer_hello.version,
	         ms);
	uv_timer_start(&c->timer, conn_on_timer, n->cfg.ping_interval_ms, n->cfg.ping_interval_ms);
	if (c->inbound && !node_session_admit(n, c)) {
		/* PROTOCOL.md §2.5: a member learns that the node is busy, not nothing */
		conn_close_bye(c, PROTO_BYE_BUSY, "at the session limit, try again later");
		return -1;
	}
	if (!peers_on_session_open(n, c))
		return -1;
	if (ONESHOT(c))
		node_ping_on_open(c, ms);
	if (c->oneshot_ping) {
		conn_send_ping(c);
		if (c->state != CONN_OPEN)
			return -1;
	}
	int err = sync_conn_open(c);
	if (err) {
		LOG_ERROR("CONN-ERROR", "#%llu %s: cannot start syncing: %s", conn_num(c), c->peer_addr,
		          maille_strerror(err));
		conn_close_bye(c, PROTO_BYE_OVERLOADED, "out of memory");
		return -1;
	}
	return c->state == CONN_OPEN ? 0 : -1;
}

/* Writes our next handshake message with its 2-byte length (PROTOCOL.md §2.2). */
static int conn_hs_write(node_conn *c)
{
	uint8_t msg[2 + PROTO_HS_MSG_MAX];
	size_t len = 0;
	int r = proto_hs_write(c->hs, msg + 2, PROTO_HS_MSG_MAX, &len);
	if (!r) {
		msg[0] = (uint8_t)(len >> 8);
		msg[1] = (uint8_t)len;
		r = conn_out_append(c, msg, 2 + len);
	}
	if (r)
		return conn_step_fail(c, r, "cannot write a handshake message",
		                      "cannot write the handshake");
	return 0;
}

static int conn_hs_start(node_conn *c, bool initiator)
{
	node *n = c->owner;
	node_hello_refresh(n); /* HELLO carries the live set's fingerprint as of now */
	c->hs = sodium_malloc(sizeof *c->hs);
	int r = c->hs ? proto_hs_init(c->hs, initiator, n->cfg.sk, n->cfg.netkey, &n->hello,
	                              node_now_us(), NULL)
	              : MAILLE_ENOMEM;
	if (r)
		return conn_step_fail(c, r, "cannot start a handshake", "cannot start the handshake");
	return 0;
}

/* One complete handshake message from the peer. 0 to go on, -1 if the connection closed. */
static int conn_hs_message(node_conn *c, const uint8_t *msg, size_t len)
{
	node *n = c->owner;
	if (!c->hs && conn_hs_start(c, false))
		return -1;
	int step = c->hs->state;
	int r = proto_hs_read(c->hs, msg, len);
	if (r) {
		/* PROTOCOL.md §2.2, rule 1: a responder that cannot authenticate message 1 (an outsider, a
		 * wrong network key, random bytes) closes without sending a single byte */
		if (step == PROTO_HS_READ1)
			LOG_INFO("CONN-HS-FAIL",
			         "#%llu %s: message 1 rejected (%s): not a member of this federation, or "
			         "not a Maille node; closed without a reply",
			         conn_num(c), c->peer_addr, maille_strerror(r));
		else
			LOG_INFO("CONN-HS-FAIL", "#%llu %s: handshake message %d rejected: %s",
			         conn_num(c), c->peer_addr, step == PROTO_HS_READ2 ? 2 : 3,
			         maille_strerror(r));
		if (ONESHOT(c))
			node_ping_fail(n, r == MAILLE_EAUTH ? MAILLE_EAUTH : MAILLE_EPROTO, false,
			               "the handshake failed: the peer's message %d was rejected (%s)",
			               step == PROTO_HS_READ2 ? 2 : 3, maille_strerror(r));
		conn_close_now(c);
		return -1;
	}
	if (step == PROTO_HS_READ1) {
		/* PROTOCOL.md §2.2, rule 2: a stale message 1, or one whose ephemeral key was seen in the
		 * window, is a recording: dropped without a reply, so it cannot probe the node */
		uint64_t now = node_now_us();
		r = proto_hs_check_fresh(c->hs, now);
		if (r) {
			double skew = ((double)c->hs->peer_time_us - (double)now) / 1e6;
			LOG_WARN("CONN-REPLAY",
			         "#%llu %s: message 1 dated %+.0f s from now (window %llu s): dropped "
			         "without a reply",
			         conn_num(c), c->peer_addr, skew,
			         (unsigned long long)(PROTO_HS_MAX_AGE_US / 1000000u));
			conn_close_now(c);
			return -1;
		}
		if (proto_replay_check(n->replay, c->hs->peer_ephemeral, now)) {
			LOG_WARN("CONN-REPLAY",
			         "#%llu %s: message 1 replayed (its ephemeral key was seen): dropped "
			         "without a reply",
			         conn_num(c), c->peer_addr);
			conn_close_now(c);
			return -1;
		}
	}
	if ((c->hs->state == PROTO_HS_WRITE2 || c->hs->state == PROTO_HS_WRITE3) &&
	    conn_hs_write(c))
		return -1;
	if (c->hs->state == PROTO_HS_DONE)
		return conn_hs_done(c);
	return 0;
}

/* Consumes received bytes: handshake messages, then (in the same buffer, if they follow) the
 * transport. */
static void conn_consume(node_conn *c, const uint8_t *p, size_t len)
{
	while (len > 0 && c->state == CONN_HANDSHAKE) {
		size_t need;
		if (c->hs_len < 2)
			need = 2 - c->hs_len;
		else
			need = 2 + ((size_t)c->hs_buf[0] << 8 | c->hs_buf[1]) - c->hs_len;
		size_t take = len < need ? len : need;
		memcpy(c->hs_buf + c->hs_len, p, take);
		c->hs_len += take;
		p += take;
		len -= take;
		if (c->hs_len < 2)
			continue;
		size_t mlen = (size_t)c->hs_buf[0] << 8 | c->hs_buf[1];
		if (c->hs_len == 2) {
			/* the length is checked before any more byte is buffered */
			if (mlen == 0 || mlen > PROTO_HS_MSG_MAX) {
				bool first = c->inbound && !c->hs;
				LOG_INFO("CONN-HS-FAIL", "#%llu %s: a handshake message of %zu bytes announced "
				                         "(limit %u): closed%s",
				         conn_num(c), c->peer_addr, mlen, PROTO_HS_MSG_MAX,
				         first ? " without a reply" : "");
				if (ONESHOT(c))
					node_ping_fail(c->owner, MAILLE_EPROTO, false,
					               "the peer does not speak the Maille handshake (a "
					               "%zu-byte message announced)",
					               mlen);
				conn_close_now(c);
				return;
			}
			continue;
		}
		if (c->hs_len < 2 + mlen)
			continue;
		c->hs_len = 0;
		if (conn_hs_message(c, c->hs_buf + 2, mlen))
			return;
	}
	if (len > 0 && c->state == CONN_OPEN) {
		int r = proto_chan_feed(c->chan, p, len, conn_on_msg, c);
		if (r < 0 && c->state == CONN_OPEN) {
			/* a transport message that does not authenticate (one flipped bit), or a
			 * session message over the limit: the stream cannot be trusted any more, and
			 * the channel refuses to seal after a failure, so no BYE */
			LOG_WARN("CONN-PROTO", "#%llu %s %s: %s: closing", conn_num(c), c->peer_addr,
			         c->peer_fp,
			         r == MAILLE_EAUTH    ? "a transport message does not authenticate"
			         : r == MAILLE_ETOOBIG ? "a session message over the size limit"
			                               : maille_strerror(r));
			if (ONESHOT(c))
				node_ping_fail(c->owner, MAILLE_EPROTO, false,
				               "the peer broke the protocol (%s)", maille_strerror(r));
			conn_close_now(c);
		}
	}
}

static void conn_on_eof(node_conn *c, int err)
{
	const char *why = err == UV_EOF ? "end of stream" : uv_strerror(err);
	switch (c->state) {
	case CONN_HANDSHAKE:
		if (!c->inbound && c->n_rx_bytes == 0) {
			/* PROTOCOL.md §2.2: the responder's silence after message 1 */
			LOG_INFO("CONN-HS-FAIL",
			         "#%llu %s closed without answering message 1: not a member of this "
			         "federation (or not a Maille node)",
			         conn_num(c), c->peer_addr);
			if (ONESHOT(c))
				node_ping_fail(c->owner, MAILLE_EAUTH, true,
				               "not a member of this federation (or not a Maille node)");
		} else {
			LOG_DEBUG("CONN-HS-FAIL", "#%llu %s: closed by the peer during the handshake (%s)",
			          conn_num(c), c->peer_addr, why);
			if (ONESHOT(c))
				node_ping_fail(c->owner, MAILLE_EIO, false,
				               "le nœud a fermé la connexion pendant la poignée de main (the "
				               "connection closed during the handshake: %s)",
				               why);
		}
		break;
	case CONN_OPEN:
		LOG_INFO("CONN-CLOSE", "#%llu %s %s: closed by the peer without BYE (%s)", conn_num(c),
		         c->peer_addr, c->peer_fp, why);
		/* the peer went away (it stopped, it died, its machine or the network failed):
		 * neither a refusal nor a timeout */
		if (c->oneshot_sync)
			node_ping_fail(c->owner, MAILLE_EIO, false,
			               "le nœud a fermé la connexion pendant la synchronisation, sans dire "
			               "au revoir (the peer closed the connection during the sync: %s)",
			               why);
		else if (c->oneshot_ping)
			node_ping_fail(c->owner, MAILLE_EIO, false,
			               "le nœud a fermé la connexion sans répondre au PING (the peer "
			               "closed the connection before PONG: %s)",
			               why);
		break;
	default:
		LOG_DEBUG("CONN-CLOSE", "#%llu %s: closed (%s)", conn_num(c), c->peer_addr, why);
		break;
	}
	conn_close_now(c);
}

static void conn_on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	node_conn *c = s->data;
	if (nread == 0 || c->state == CONN_CLOSED)
		return;
	if (nread < 0) {
		conn_on_eof(c, (int)nread);
		return;
	}
	c->n_rx_bytes += (uint64_t)nread;
	/* libuv reads up to 32 buffers in one turn of the loop, whose cached clock (uv_now) is the
	 * turn's start: refreshed here, so that a message's arrival time (the session's last_rx_ms,
	 * the idle timeout's measure) is not a turn behind when a flood of small messages makes a turn
	 * long (a peer sending continuously was once timed out as idle) */
	uv_update_time(&c->owner->loop);
	if (c->state == CONN_FLUSHING)
		return; /* we said BYE: what still comes is dropped */
	conn_consume(c, (const uint8_t *)buf->base, (size_t)nread);
	if (c->owner->sy)
		sync_ingest_kick(c->owner);
	conn_flush(c);
}

/* ---- timers -------------------------------------------------------------------------------- */

static void conn_on_timer(uv_timer_t *t)
{
	node_conn *c = t->data;
	node *n = c->owner;
	switch (c->state) {
	case CONN_DIALING:
	case CONN_HANDSHAKE:
		/* PROTOCOL.md §2.2: no handshake, no reply */
		LOG_INFO("CONN-TIMEOUT", "#%llu %s: no handshake after %u ms: closed", conn_num(c),
		         c->peer_addr, (unsigned)n->cfg.hs_timeout_ms);
		if (ONESHOT(c) && !n->ping_done) {
			node_ping_fail(n, MAILLE_EIO, false,
			               "délai dépassé : pas de poignée de main en %.1f s (no handshake "
			               "within %.1f s)",
			               n->cfg.hs_timeout_ms / 1000.0, n->cfg.hs_timeout_ms / 1000.0);
			node_client_timed_out(n);
		}
		conn_close_now(c);
		break;
	case CONN_OPEN:
		/* the session decides whether it is idle (proto/session.h); if not, a keepalive */
		if (sync_tick(c)) {
			conn_send_ping(c);
			conn_flush(c);
		}
		break;
	case CONN_FLUSHING:
		LOG_DEBUG("CONN-CLOSE", "#%llu %s: closed after BYE", conn_num(c), c->peer_addr);
		conn_close_now(c);
		break;
	default:
		break;
	}
}

/* The session was idle for idle_ms (sync_tick): the one-shot's outcome. */
void conn_idle(node_conn *c, uint64_t idle_ms)
{
	node *n = c->owner;
	LOG_INFO("CONN-TIMEOUT", "#%llu %s %s: no message for %llu ms: closing", conn_num(c),
	         c->peer_addr, c->peer_fp, (unsigned long long)idle_ms);
	if (ONESHOT(c)) {
		node_ping_fail(n, MAILLE_EIO, false,
		               "délai dépassé : le nœud n'a rien envoyé depuis %.1f s (timed "
		               "out: the peer sent nothing for %.1f s)",
		               (double)idle_ms / 1000.0, (double)idle_ms / 1000.0);
		node_client_timed_out(n);
	}
}

/* ---- starting ------------------------------------------------------------------------------ */

int conn_accept(node_conn *c, uv_stream_t *server)
{
	int r = uv_accept(server, (uv_stream_t *)&c->tcp);
	if (r)
		return node_uv_error(r);
	struct sockaddr_storage ss;
	int sl = (int)sizeof ss;
	memset(&ss, 0, sizeof ss);
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &sl) == 0) {
		node_addr_format((struct sockaddr *)&ss, c->peer_addr);
		node_addr_host((struct sockaddr *)&ss, c->peer_ip);
	} else {
		snprintf(c->peer_addr, sizeof c->peer_addr, "?");
		snprintf(c->peer_ip, sizeof c->peer_ip, "?");
	}
	uv_tcp_nodelay(&c->tcp, 1);
	c->t_start_ns = c->t_tcp_ns = uv_hrtime();
	return 0;
}

void conn_start_inbound(node_conn *c)
{
	node *n = c->owner;
	LOG_DEBUG("CONN-ACCEPT", "#%llu from %s", conn_num(c), c->peer_addr);
	uv_timer_start(&c->timer, conn_on_timer, n->cfg.hs_timeout_ms, 0);
	conn_read_start(c);
}

static void conn_on_connect(uv_connect_t *req, int status)
{
	node_conn *c = req->handle->data;
	node *n = c->owner;
	if (status == UV_ECANCELED || c->state != CONN_DIALING)
		return;
	if (status < 0) {
		LOG_INFO("CONN-DIAL", "#%llu %s: cannot connect: %s", conn_num(c), c->peer_addr,
		         uv_strerror(status));
		if (ONESHOT(c))
			node_ping_fail(n, node_uv_error(status), false, "cannot connect to %s: %s",
			               c->peer_addr, uv_strerror(status));
		conn_close_now(c);
		return;
	}
	c->t_tcp_ns = uv_hrtime();
	if (c->oneshot_ping)
		n->ping->connect_ms = (double)(c->t_tcp_ns - c->t_start_ns) / 1e6;
	c->state = CONN_HANDSHAKE;
	uv_tcp_nodelay(&c->tcp, 1);
	/* PROTOCOL.md §2.2: the initiator speaks first, with message 1 */
	if (conn_hs_start(c, true) || conn_hs_write(c))
		return;
	conn_flush(c);
	conn_read_start(c);
}

int conn_dial(node_conn *c, const struct sockaddr *addr)
{
	node *n = c->owner;
	node_addr_format(addr, c->peer_addr);
	node_addr_host(addr, c->peer_ip);
	c->t_start_ns = uv_hrtime();
	uv_timer_start(&c->timer, conn_on_timer, n->cfg.hs_timeout_ms, 0);
	int r = uv_tcp_connect(&c->connect_req, &c->tcp, addr, conn_on_connect);
	if (r) {
		LOG_INFO("CONN-DIAL", "#%llu %s: cannot connect: %s", conn_num(c), c->peer_addr,
		         uv_strerror(r));
		if (ONESHOT(c))
			node_ping_fail(n, node_uv_error(r), false, "cannot connect to %s: %s",
			               c->peer_addr, uv_strerror(r));
		conn_close_now(c);
		return node_uv_error(r);
	}
	LOG_DEBUG("CONN-DIAL", "#%llu dialing %s", conn_num(c), c->peer_addr);
	return 0;
}
