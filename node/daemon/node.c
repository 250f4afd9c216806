/* node/daemon/node.c: the daemon (listener, admission of inbound connections, signals, node.addr,
 * clean shutdown) and the driver of the dialer for node_ping(). The per-connection state
 * machine is conn.c. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "maille_config.h"
#include "node/service/log.h"
#include "proto/error.h"

#define PATH_CAP 4200

/* ---- small shared helpers ------------------------------------------------------------------ */

int node_uv_error(int uv_err)
{
	switch (uv_err) {
	case 0:
		return 0;
	case UV_ENOMEM:
	case UV_ENOBUFS:
		return MAILLE_ENOMEM;
	case UV_EADDRINUSE:
	case UV_EBUSY:
	case UV_EMFILE:
	case UV_ENFILE:
	case UV_EAGAIN:
		return MAILLE_EBUSY;
	case UV_EINVAL:
	case UV_EAFNOSUPPORT:
	case UV_EADDRNOTAVAIL:
	case UV_ENOTSUP:
		return MAILLE_EINVAL;
	case UV_ECANCELED:
		return MAILLE_ESTATE;
	default:
		/* ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT, ENETUNREACH, EOF, EACCES... the
		 * caller keeps uv_strerror() for the human message */
		return MAILLE_EIO;
	}
}

void node_key_fingerprint(const uint8_t key[PROTO_KEY_LEN], char ret[9])
{
	proto_hex(key, 4, ret);
}

uint64_t node_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- the node ------------------------------------------------------------------------------ */

/* Cuts s to at most max bytes without splitting a UTF-8 sequence. */
static void copy_utf8(char *dst, size_t max, const char *s)
{
	size_t n = strlen(s);
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static int node_init(node *n, const node_config *cfg, bool client)
{
	n->cfg = *cfg;
	if (!n->cfg.hs_timeout_ms)
		n->cfg.hs_timeout_ms = NODE_HS_TIMEOUT_MS;
	if (!n->cfg.idle_timeout_ms)
		n->cfg.idle_timeout_ms = NODE_IDLE_TIMEOUT_MS;
	if (!n->cfg.ping_interval_ms)
		n->cfg.ping_interval_ms = NODE_PING_INTERVAL_MS;
	n->client = client;
	n->hello.version = PROTO_VERSION;
	snprintf(n->hello.software, sizeof n->hello.software, "maille %s", MAILLE_VERSION);
	copy_utf8(n->hello.name, PROTO_HELLO_NAME_MAX, cfg->name ? cfg->name : "");
	if (!client) {
		n->replay = malloc(sizeof *n->replay);
		if (!n->replay)
			return MAILLE_ENOMEM;
		proto_replay_init(n->replay);
	}
	int r = uv_loop_init(&n->loop);
	if (r)
		return node_uv_error(r);
	n->loop_open = true;
	return 0;
}

/* Closes what is still open, runs the loop until every close callback ran, frees. */
static void node_free(node *n)
{
	if (n->loop_open) {
		for (node_conn *c = n->head; c; c = c->next)
			conn_close_now(c);
		if (n->listener_open)
			uv_close((uv_handle_t *)&n->listener, NULL);
		if (n->signals_open) {
			uv_close((uv_handle_t *)&n->sig_int, NULL);
			uv_close((uv_handle_t *)&n->sig_term, NULL);
		}
		if (n->client_timer_open)
			uv_close((uv_handle_t *)&n->client_timer, NULL);
		if (n->tick_open)
			uv_close((uv_handle_t *)&n->tick, NULL);
		n->listener_open = n->signals_open = n->client_timer_open = n->tick_open = false;
		/* also waits for the verification and commit jobs still on the thread pool */
		uv_run(&n->loop, UV_RUN_DEFAULT);
		int r = uv_loop_close(&n->loop);
		if (r)
			LOG_ERROR("NODE-STOP", "the event loop still has handles: %s", uv_strerror(r));
	}
	peers_free(n);
	sync_free(n);
	store_close(n->wst);
	store_close(n->st);
	free(n->replay);
	free(n);
}

void node_on_conn_freed(node *n)
{
	if (n->head)
		return;
	if (n->client && n->client_timer_open) {
		uv_close((uv_handle_t *)&n->client_timer, NULL);
		n->client_timer_open = false;
	}
	if ((n->client || n->stopping) && n->tick_open) {
		uv_close((uv_handle_t *)&n->tick, NULL);
		n->tick_open = false;
	}
	/* the signal handlers stay until the last connection is gone, so that a second signal
	 * can cut the shutdown short */
	if (n->stopping && n->signals_open) {
		uv_close((uv_handle_t *)&n->sig_int, NULL);
		uv_close((uv_handle_t *)&n->sig_term, NULL);
		n->signals_open = false;
	}
}

/* ---- admission of inbound connections (limits in node.h) ------------------------------------ */

static node_conn *oldest_pending(node *n, const char *ip, const node_conn *except)
{
	for (node_conn *o = n->head; o; o = o->next)
		if (o != except && !o->busy_slot && conn_is_pending(o) &&
		    (!ip || strcmp(o->peer_ip, ip) == 0))
			return o;
	return NULL;
}

static unsigned inbound_max(const node *n)
{
	return n->cfg.inbound_max ? n->cfg.inbound_max : NODE_INBOUND_MAX;
}

/* At the connection cap, every other inbound connection an authenticated session: c takes a
 * busy slot (node.h), where its handshake ends with BYE busy, so that a member learns the
 * node is busy rather than nothing (which reads as "not a member"). */
static void node_admit_busy(node *n, node_conn *c, unsigned inbound)
{
	unsigned busy = 0;
	node_conn *oldest = NULL;
	for (node_conn *o = n->head; o; o = o->next) {
		if (o == c || !o->busy_slot || o->state == CONN_CLOSED)
			continue;
		busy++;
		if (!oldest)
			oldest = o;
	}
	if (busy >= NODE_BUSY_SLOTS_MAX && oldest) {
		LOG_INFO("CONN-LIMIT", "busy slots at the cap (%u): dropping the oldest, #%llu %s, for "
		                       "#%llu",
		         NODE_BUSY_SLOTS_MAX, (unsigned long long)oldest->id, oldest->peer_addr,
		         (unsigned long long)c->id);
		conn_close_now(oldest);
	}
	c->busy_slot = true;
	LOG_WARN("CONN-LIMIT", "#%llu %s: %u inbound connections, all authenticated sessions: its "
	                       "handshake ends with BYE busy",
	         (unsigned long long)c->id, c->peer_addr, inbound);
}

/* Makes room for the new inbound connection c, or closes it. */
static void node_admit(node *n, node_conn *c)
{
	unsigned inbound = 0, pending = 0, pending_ip = 0;
	for (node_conn *o = n->head; o; o = o->next) {
		if (o == c || !o->inbound || o->busy_slot || o->state == CONN_CLOSED)
			continue;
		inbound++;
		if (conn_is_pending(o)) {
			pending++;
			pending_ip += strcmp(o->peer_ip, c->peer_ip) == 0;
		}
	}
	node_conn *victim = NULL;
	const char *why = NULL;
	unsigned cap = 0;
	if (pending_ip >= NODE_PENDING_PER_ADDR_MAX) {
		victim = oldest_pending(n, c->peer_ip, c);
		why = "pending handshakes from this address";
		cap = NODE_PENDING_PER_ADDR_MAX;
	} else if (pending >= NODE_PENDING_MAX) {
		victim = oldest_pending(n, NULL, c);
		why = "pending handshakes";
		cap = NODE_PENDING_MAX;
	} else if (inbound >= inbound_max(n)) {
		victim = oldest_pending(n, NULL, c);
		why = "inbound connections";
		cap = inbound_max(n);
		if (!victim) {
			/* every other connection is an authenticated session: never evicted */
			node_admit_busy(n, c, inbound);
			return;
		}
	}
	if (victim) {
		LOG_INFO("CONN-LIMIT", "%s at the cap (%u): dropping the oldest pending handshake, "
		                       "#%llu %s, for #%llu",
		         why, cap, (unsigned long long)victim->id, victim->peer_addr,
		         (unsigned long long)c->id);
		conn_close_now(victim);
	}
}

bool node_session_admit(node *n, const node_conn *c)
{
	unsigned max = n->cfg.sessions_max ? n->cfg.sessions_max : NODE_SESSIONS_MAX;
	unsigned max_ip = max < NODE_SESSIONS_PER_ADDR_MAX ? max : NODE_SESSIONS_PER_ADDR_MAX;
	unsigned sessions = 0, sessions_ip = 0;
	if (c->busy_slot) {
		LOG_INFO("CONN-LIMIT", "#%llu %s %s: beyond the connection cap: BYE busy",
		         (unsigned long long)c->id, c->peer_addr, c->peer_fp);
		return false;
	}
	for (const node_conn *o = n->head; o; o = o->next) {
		if (o == c || !o->inbound || o->busy_slot || o->state != CONN_OPEN)
			continue;
		sessions++;
		sessions_ip += strcmp(o->peer_ip, c->peer_ip) == 0;
	}
	if (sessions < max && sessions_ip < max_ip)
		return true;
	LOG_WARN("CONN-LIMIT", "#%llu %s %s: %u sessions (%u from this address; caps %u and %u): "
	                       "BYE busy",
	         (unsigned long long)c->id, c->peer_addr, c->peer_fp, sessions, sessions_ip, max,
	         max_ip);
	return false;
}

static void node_on_connection(uv_stream_t *server, int status)
{
	node *n = server->data;
	if (status < 0) {
		LOG_WARN("CONN-ACCEPT", "accept failed: %s", uv_strerror(status));
		return;
	}
	node_conn *c = conn_new(n, true);
	if (!c)
		return;
	int r = conn_accept(c, server);
	if (r) {
		LOG_WARN("CONN-ACCEPT", "accept failed: %s", maille_strerror(r));
		conn_close_now(c);
		return;
	}
	if (n->stopping) {
		conn_close_now(c);
		return;
	}
	node_admit(n, c);
	if (c->state != CONN_CLOSED)
		conn_start_inbound(c);
}

/* ---- sync: stores, tick ------------------------------------------------------------------- */

static void node_on_tick(uv_timer_t *t)
{
	peers_tick(t->data);
}

/* Opens the store twice (the loop's handle and the commit jobs'), the sync state, the peers
 * and the tick. Nothing for node_ping(), which has no store_path. */
static int node_sync_setup(node *n)
{
	const char *path = n->cfg.store_path;
	if (!path)
		return 0;
	int r = store_open(path, STORE_OPEN_EXISTING, &n->st);
	if (!r)
		r = store_open(path, STORE_OPEN_EXISTING, &n->wst);
	if (r) {
		LOG_ERROR("NODE-START", "cannot open the store %s: %s", path, maille_strerror(r));
		return r;
	}
	if (store_upgraded_from(n->st) > 0)
		LOG_INFO("STORE-UPGRADE", "store %s upgraded from schema version %d: search index "
		         "rebuilt for the French analysis", path, store_upgraded_from(n->st));
	if ((r = sync_init(n)) || (r = peers_init(n))) {
		LOG_ERROR("NODE-START", "cannot start syncing: %s", maille_strerror(r));
		return r;
	}
	r = uv_timer_init(&n->loop, &n->tick);
	if (r) {
		LOG_ERROR("NODE-START", "cannot create a timer: %s", uv_strerror(r));
		return node_uv_error(r);
	}
	n->tick.data = n;
	n->tick_open = true;
	uv_timer_start(&n->tick, node_on_tick, SYNC_TICK_MS, SYNC_TICK_MS);
	return 0;
}

void node_hello_refresh(node *n)
{
	if (!n->st)
		return;
	uint64_t count;
	if (store_fingerprint(n->st, n->hello.fp, &count) == 0) {
		n->hello.count = count;
		n->hello.has_fp = true;
	} else {
		n->hello.has_fp = false;
	}
}

/* ---- node.addr, node.lock ------------------------------------------------------------------ */

static int node_path(const node *n, const char *file, char *ret, size_t cap)
{
	int len = snprintf(ret, cap, "%s/%s", n->cfg.dir, file);
	return len < 0 || (size_t)len >= cap ? MAILLE_EINVAL : 0;
}

/* DIR/node.addr, written to a temporary file then renamed, so a reader never sees half. */
static int node_addr_file_write(node *n)
{
	char path[PATH_CAP], tmp[PATH_CAP];
	if (node_path(n, NODE_ADDR_FILE, path, sizeof path) ||
	    node_path(n, "." NODE_ADDR_FILE ".tmp", tmp, sizeof tmp))
		return MAILLE_EINVAL;
	FILE *f = fopen(tmp, "w");
	if (!f)
		return MAILLE_EIO;
	int ok = fprintf(f, "%s\n", n->listen_addr) > 0;
	ok &= fclose(f) == 0;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return MAILLE_EIO;
	}
	n->addr_written = true;
	return 0;
}

static void node_addr_file_remove(node *n)
{
	char path[PATH_CAP];
	if (n->addr_written && node_path(n, NODE_ADDR_FILE, path, sizeof path) == 0)
		unlink(path);
	n->addr_written = false;
}

/* One daemon per node directory: an advisory lock on DIR/node.lock for the daemon's life. */
static int node_lock(node *n)
{
	char path[PATH_CAP];
	if (node_path(n, NODE_LOCK_FILE, path, sizeof path))
		return MAILLE_EINVAL;
	n->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (n->lock_fd < 0) {
		LOG_ERROR("NODE-START", "%s: %s", path, strerror(errno));
		return MAILLE_EIO;
	}
	if (flock(n->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		LOG_ERROR("NODE-START", "another daemon already runs on %s (%s is locked)",
		          n->cfg.dir, path);
		return MAILLE_EBUSY;
	}
	return 0;
}

/* ---- listening, signals, shutdown ------------------------------------------------------------ */

static void node_stop(node *n, int signum)
{
	n->stopping = true;
	unsigned sessions = 0, others = 0;
	for (node_conn *c = n->head; c; c = c->next) {
		if (c->state == CONN_OPEN)
			sessions++;
		else if (c->state != CONN_CLOSED)
			others++;
	}
	LOG_INFO("NODE-STOP", "%s: stopping; BYE to %u session%s, closing %u other connection%s",
	         signum == SIGINT ? "SIGINT" : "SIGTERM", sessions, sessions == 1 ? "" : "s",
	         others, others == 1 ? "" : "s");
	if (n->listener_open) {
		uv_close((uv_handle_t *)&n->listener, NULL);
		n->listener_open = false;
	}
	node_addr_file_remove(n);
	if (n->tick_open) {
		uv_close((uv_handle_t *)&n->tick, NULL);
		n->tick_open = false;
	}
	for (node_conn *c = n->head; c; c = c->next) {
		if (c->state == CONN_OPEN)
			conn_close_bye(c, PROTO_BYE_SHUTDOWN, "node shutting down");
		else if (c->state != CONN_FLUSHING)
			conn_close_now(c);
	}
	node_on_conn_freed(n); /* closes the signal handlers if no connection is left */
}

static void node_on_signal(uv_signal_t *s, int signum)
{
	node *n = s->data;
	if (!n->stopping) {
		node_stop(n, signum);
		return;
	}
	LOG_WARN("NODE-STOP", "second signal: closing every connection now");
	for (node_conn *c = n->head; c; c = c->next)
		conn_close_now(c);
}

static int node_listen(node *n)
{
	const char *listen = n->cfg.listen ? n->cfg.listen : NODE_LISTEN_DEFAULT;
	struct sockaddr_storage ss;
	if (node_addr_parse(listen, &ss)) {
		LOG_ERROR("NODE-LISTEN", "'%s' is not ADDR:PORT (an IPv4 address, [IPv6], or "
		                         "localhost, and a port)",
		          listen);
		return MAILLE_EINVAL;
	}
	int r = uv_tcp_init(&n->loop, &n->listener);
	if (r) {
		LOG_ERROR("NODE-LISTEN", "cannot create the listener: %s", uv_strerror(r));
		return node_uv_error(r);
	}
	n->listener_open = true;
	n->listener.data = n;
	r = uv_tcp_bind(&n->listener, (const struct sockaddr *)&ss, 0);
	if (!r)
		r = uv_listen((uv_stream_t *)&n->listener, NODE_LISTEN_BACKLOG, node_on_connection);
	if (r) {
		LOG_ERROR("NODE-LISTEN", "cannot listen on %s: %s", listen, uv_strerror(r));
		return node_uv_error(r);
	}
	struct sockaddr_storage bound;
	int len = (int)sizeof bound;
	memset(&bound, 0, sizeof bound);
	r = uv_tcp_getsockname(&n->listener, (struct sockaddr *)&bound, &len);
	if (r) {
		LOG_ERROR("NODE-LISTEN", "cannot read the bound address: %s", uv_strerror(r));
		return node_uv_error(r);
	}
	node_addr_format((struct sockaddr *)&bound, n->listen_addr);
	/* HELLO announces where peers can reach us; never the wildcard address (a later issue
	 * refines this with the machine's addresses) */
	char *hello_addr = n->hello.addrs[0];
	if (bound.ss_family == AF_INET &&
	    ((struct sockaddr_in *)&bound)->sin_addr.s_addr == htonl(INADDR_ANY))
		snprintf(hello_addr, PROTO_HELLO_ADDR_MAX + 1, "127.0.0.1:%u",
		         (unsigned)ntohs(((struct sockaddr_in *)&bound)->sin_port));
	else if (bound.ss_family == AF_INET6 &&
	         memcmp(&((struct sockaddr_in6 *)&bound)->sin6_addr, &in6addr_any,
	                sizeof in6addr_any) == 0)
		snprintf(hello_addr, PROTO_HELLO_ADDR_MAX + 1, "[::1]:%u",
		         (unsigned)ntohs(((struct sockaddr_in6 *)&bound)->sin6_port));
	else
		snprintf(hello_addr, PROTO_HELLO_ADDR_MAX + 1, "%s", n->listen_addr);
	n->hello.n_addrs = 1;
	return 0;
}

int node_run(const node_config *cfg)
{
	int ret = MAILLE_ENOMEM;
	bool beside = false;
	node *n = calloc(1, sizeof *n);
	if (!n) {
		LOG_ERROR("NODE-START", "out of memory");
		return MAILLE_ENOMEM;
	}
	n->lock_fd = -1;
	/* a peer that disappears must give EPIPE on write, not kill the daemon */
	signal(SIGPIPE, SIG_IGN);
	char fp[9];
	node_key_fingerprint(cfg->sk + 32, fp);
	char nfp[9];
	node_netkey_fingerprint(cfg->netkey, nfp);
	if ((ret = node_init(n, cfg, false))) {
		LOG_ERROR("NODE-START", "cannot start: %s", maille_strerror(ret));
		goto out;
	}
	LOG_INFO("NODE-START", "maille %s, protocol %u: territory %s \"%s\", federation %s, pid %ld",
	         MAILLE_VERSION, PROTO_VERSION, fp, n->hello.name, nfp, (long)getpid());
	if ((ret = node_lock(n)) || (ret = node_listen(n)) || (ret = node_sync_setup(n)))
		goto out;
	if (cfg->beside_start && (ret = cfg->beside_start(cfg->beside_ctx)))
		goto out;
	beside = cfg->beside_start != NULL;
	int r = uv_signal_init(&n->loop, &n->sig_int);
	if (!r) {
		r = uv_signal_init(&n->loop, &n->sig_term);
		if (r)
			uv_close((uv_handle_t *)&n->sig_int, NULL);
	}
	if (r) {
		LOG_ERROR("NODE-START", "cannot watch signals: %s", uv_strerror(r));
		ret = node_uv_error(r);
		goto out;
	}
	n->signals_open = true;
	n->sig_int.data = n->sig_term.data = n;
	uv_signal_start(&n->sig_int, node_on_signal, SIGINT);
	uv_signal_start(&n->sig_term, node_on_signal, SIGTERM);
	/* node.addr last: whoever waits for it (a supervisor, a test) may signal the daemon at
	 * once, so the handlers are in place and the node is ready */
	if ((ret = node_addr_file_write(n))) {
		LOG_ERROR("NODE-LISTEN", "cannot write %s/%s: %s", cfg->dir, NODE_ADDR_FILE,
		          maille_strerror(ret));
		goto out;
	}
	LOG_INFO("NODE-LISTEN", "listening on %s (written to %s/%s); announcing %s",
	         n->listen_addr, cfg->dir, NODE_ADDR_FILE, n->hello.addrs[0]);

	uv_run(&n->loop, UV_RUN_DEFAULT);
	ret = 0;
out:
	/* what runs beside may write the store: stopped before the handles close */
	if (beside && cfg->beside_stop)
		cfg->beside_stop(cfg->beside_ctx);
	node_addr_file_remove(n);
	if (n->lock_fd >= 0)
		close(n->lock_fd); /* releases the lock; the file stays, harmless */
	node_free(n);
	if (ret == 0)
		LOG_INFO("NODE-STOP", "stopped");
	return ret;
}

void node_netkey_fingerprint(const uint8_t netkey[PROTO_NETKEY_LEN], char ret[9])
{
	uint8_t h[32];
	crypto_generichash(h, sizeof h, netkey, PROTO_NETKEY_LEN, NULL, 0);
	proto_hex(h, 4, ret);
}

/* ---- node_ping: the dialer's driver -------------------------------------------------------- */

static void client_vfail(node *n, int err, bool not_member, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static void client_vfail(node *n, int err, bool not_member, const char *fmt, va_list ap)
{
	if ((!n->ping && !n->sync_res) || n->ping_done)
		return;
	n->ping_done = true;
	n->ping_err = err ? err : MAILLE_EIO;
	if (n->ping) {
		n->ping->not_member = not_member;
		vsnprintf(n->ping->error, sizeof n->ping->error, n->cfg.tr ? n->cfg.tr(fmt) : fmt, ap);
	} else {
		n->sync_res->not_member = not_member;
		vsnprintf(n->sync_res->error, sizeof n->sync_res->error,
		          n->cfg.tr ? n->cfg.tr(fmt) : fmt, ap);
	}
}

void node_ping_fail(node *n, int err, bool not_member, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	client_vfail(n, err, not_member, fmt, ap);
	va_end(ap);
}

void node_sync_finish(node *n, int err, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		client_vfail(n, err, false, fmt, ap);
		va_end(ap);
		return;
	}
	if (n->ping_done)
		return;
	n->ping_done = true;
	n->ping_err = 0;
}

void node_client_timed_out(node *n)
{
	if (n->ping)
		n->ping->timed_out = true;
	if (n->sync_res)
		n->sync_res->timed_out = true;
}

void node_ping_on_open(node_conn *c, double handshake_ms)
{
	node *n = c->owner;
	if (n->ping) {
		memcpy(n->ping->peer_key, c->peer_key, PROTO_KEY_LEN);
		n->ping->peer_hello = c->peer_hello;
		n->ping->handshake_ms = handshake_ms;
	} else if (n->sync_res) {
		memcpy(n->sync_res->peer_key, c->peer_key, PROTO_KEY_LEN);
		n->sync_res->peer_hello = c->peer_hello;
		n->sync_res->handshake_ms = handshake_ms;
	}
}

void node_ping_on_pong(node_conn *c, double rtt_ms)
{
	node *n = c->owner;
	if (n->ping_done)
		return;
	n->ping_done = true;
	n->ping_err = 0;
	n->ping->rtt_ms = rtt_ms;
}

static void node_on_ping_timeout(uv_timer_t *t)
{
	node *n = t->data;
	const char *stage = "connecting";
	for (node_conn *c = n->head; c; c = c->next) {
		if (c->state == CONN_HANDSHAKE)
			stage = "during the handshake";
		else if (c->state == CONN_OPEN)
			stage = "waiting for PONG";
	}
	if (!n->ping_done) {
		node_ping_fail(n, MAILLE_EIO, false,
		               "délai dépassé : pas de réponse en %.1f s (no answer within %.1f s, %s)",
		               n->cfg.hs_timeout_ms / 1000.0, n->cfg.hs_timeout_ms / 1000.0, stage);
		node_client_timed_out(n);
	}
	for (node_conn *c = n->head; c; c = c->next)
		conn_close_now(c);
	uv_close((uv_handle_t *)&n->client_timer, NULL);
	n->client_timer_open = false;
}

/* The start of a one-shot client (node_ping, node_sync): target parsed into *ss, a node in
 * client mode on cfg. 0, or a Maille code with a sentence in error (cap bytes). */
static int client_start(const node_config *cfg, const char *target, struct sockaddr_storage *ss,
                        node **ret, char *error, size_t cap)
{
	if (node_addr_parse(target, ss)) {
		snprintf(error, cap,
		         "'%s' is not HOST:PORT (an IPv4 address, [IPv6], or localhost, and a port)",
		         target);
		return MAILLE_EINVAL;
	}
	node *n = calloc(1, sizeof *n);
	if (!n) {
		snprintf(error, cap, "out of memory");
		return MAILLE_ENOMEM;
	}
	n->lock_fd = -1;
	signal(SIGPIPE, SIG_IGN); /* a peer gone must give EPIPE, not kill the command */
	int err = node_init(n, cfg, true);
	if (err) {
		snprintf(error, cap, "cannot start: %s", maille_strerror(err));
		node_free(n);
		return err;
	}
	*ret = n;
	return 0;
}

int node_ping(const node_config *cfg, const char *target, uint32_t timeout_ms,
              node_ping_result *ret)
{
	memset(ret, 0, sizeof *ret);
	struct sockaddr_storage ss;
	node_config c = *cfg;
	c.hs_timeout_ms = timeout_ms; /* the handshake may take the whole budget */
	node *n;
	int err = client_start(&c, target, &ss, &n, ret->error, sizeof ret->error);
	if (err)
		return err;
	n->ping = ret;
	int r = uv_timer_init(&n->loop, &n->client_timer);
	if (r) {
		err = node_uv_error(r);
		snprintf(ret->error, sizeof ret->error, "cannot create a timer: %s", uv_strerror(r));
		goto out;
	}
	n->client_timer_open = true;
	n->client_timer.data = n;
	uv_timer_start(&n->client_timer, node_on_ping_timeout, timeout_ms, 0);
	node_conn *conn = conn_new(n, false);
	if (!conn) {
		err = MAILLE_ENOMEM;
		snprintf(ret->error, sizeof ret->error, "cannot create a connection");
		goto out;
	}
	conn->oneshot_ping = true;
	conn_dial(conn, (const struct sockaddr *)&ss); /* a failure is recorded in n->ping */
	uv_run(&n->loop, UV_RUN_DEFAULT);
	if (!n->ping_done)
		node_ping_fail(n, MAILLE_EIO, false,
		               "la connexion s'est terminée avant la réponse (the connection ended "
		               "before PONG)");
	err = n->ping_err;
out:
	node_free(n);
	return err;
}

/* ---- node_sync: one-shot reconciliation and transfer ---------------------------------------- */

int node_sync(const node_config *cfg, const char *target, uint32_t timeout_ms,
              node_sync_result *ret)
{
	memset(ret, 0, sizeof *ret);
	ret->redeem_result = -1;
	if (!cfg->store_path) {
		snprintf(ret->error, sizeof ret->error, "no store");
		return MAILLE_EINVAL;
	}
	node_config c = *cfg;
	/* the handshake, and any silence of the peer once the session runs, get the budget; a
	 * long transfer that keeps moving is never cut */
	c.hs_timeout_ms = timeout_ms;
	c.idle_timeout_ms = timeout_ms;
	if (c.ping_interval_ms == 0 || c.ping_interval_ms > timeout_ms / 3)
		c.ping_interval_ms = timeout_ms / 3 ? timeout_ms / 3 : 1;
	uint64_t t0 = uv_hrtime();
	struct sockaddr_storage ss;
	node *n;
	int err = client_start(&c, target, &ss, &n, ret->error, sizeof ret->error);
	if (err)
		return err;
	n->sync_res = ret;
	if ((err = node_sync_setup(n))) {
		snprintf(ret->error, sizeof ret->error, "cannot open the store: %s",
		         maille_strerror(err));
		goto out;
	}
	node_conn *conn = conn_new(n, false);
	if (!conn) {
		err = MAILLE_ENOMEM;
		snprintf(ret->error, sizeof ret->error, "cannot create a connection");
		goto out;
	}
	conn->oneshot_sync = true;
	conn_dial(conn, (const struct sockaddr *)&ss); /* a failure is recorded in ret */
	uv_run(&n->loop, UV_RUN_DEFAULT);
	if (!n->ping_done)
		node_ping_fail(n, MAILLE_EIO, false,
		               "la connexion s'est terminée avant la fin de la synchronisation (the "
		               "connection ended before the sync finished)");
	err = n->ping_err;
	ret->total_ms = (double)(uv_hrtime() - t0) / 1e6;
	/* what was stored for later indexing is indexed before the command ends, also after a
	 * failure (what was stored stays stored) */
	uint64_t t1 = uv_hrtime();
	int ir = n->sy ? sync_index_all(n, &ret->indexed) : 0;
	ret->index_ms = (double)(uv_hrtime() - t1) / 1e6;
	if (ir)
		LOG_WARN("SYNC-INDEX", "cannot index the entries received: %s (the daemon or the next "
		                       "sync does it)",
		         maille_strerror(ir));
out:
	node_free(n);
	if (ret->total_ms == 0)
		ret->total_ms = (double)(uv_hrtime() - t0) / 1e6;
	return err;
}
