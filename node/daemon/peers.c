/* node/daemon/peers.c: where a node's connections come from and what it tells about them.
 *
 *   - peers: addresses configured with `maille peer add` (the store's peers table) and
 *     addresses learnt from the node/<key> entries of the territories the node trusts
 *     (PROTOCOL.md §3.6: never an untrusted one's); the dialer keeps
 *     NODE_OUTBOUND_MIN..NODE_OUTBOUND_MAX outbound connections, configured peers first, with
 *     exponential backoff and jitter after failures, and gives a learnt address up after
 *     PEER_DISCOVERED_DIALS_MAX failures in a row;
 *   - the node's own node/<key> entry, published at start when its addresses changed;
 *   - the tick: another process's writes to the store (a `maille publish` while the daemon
 *     runs, `maille peer add`) are noticed through SQLite's data_version within SYNC_TICK_MS:
 *     new entries are pushed to the peers, the peer list is reloaded;
 *   - DIR/node.state, the JSON snapshot `maille peers` and `maille status` read.
 * The CLI never talks to the daemon directly: the store and node.state are the interface,
 * so a command works the same whether a daemon runs or not. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "maille_config.h"
#include "node/service/log.h"
#include "node/service/publish.h"
#include "proto/error.h"
#include "proto/record.h"
#include "proto/value.h"

#define NODE_OUTBOUND_MIN 4u
#define NODE_OUTBOUND_MAX 8u
#define NODE_PEERS_MAX 256u            /* peer records (configured and discovered) */
#define NODE_NODE_ADDRS_MAX 8u         /* addresses read from one node/<key> entry */
#define PEER_BACKOFF_BASE_MS 1000u
#define PEER_BACKOFF_MAX_MS 300000u
/* Dials of a discovered address in a row that did not open a session: then it is no longer
 * dialed, until a session with its key opens (PROTOCOL.md §3.6). With the backoff, about 2
 * minutes of attempts; a node entry cannot make the federation dial a host for longer. */
#define PEER_DISCOVERED_DIALS_MAX 8u
#define STATE_WRITE_MS 1000u
#define OWN_RANGES_MAX 64u
#define SINCE_BUDGET 5000u             /* rows one tick reads back from the store */

struct node_peer {
	char addr[NODE_ADDR_STR_MAX];
	struct sockaddr_storage sa;
	bool configured, discovered, self;
	bool gave_up; /* discovered: PEER_DISCOVERED_DIALS_MAX dials in a row failed */
	bool listed; /* seen in the peers table by the current reload */
	bool key_known;
	uint8_t key[PROTO_KEY_LEN];
	node_conn *conn;
	unsigned fails;
	uint64_t next_try_ms;
	/* accumulated over the connections that ended */
	uint64_t sent, received, dups, refused, last_sync_us;
	uint64_t connected_since_us;
};

struct node_peers {
	struct node_peer *v;
	size_t n;
	uint64_t data_version, hwm;
	struct {
		uint64_t lo, hi;
	} own[OWN_RANGES_MAX];
	size_t n_own;
	uint64_t last_state_ms;
	bool state_dirty; /* a session opened or closed, a peer changed: rewrite at the next tick */
	uint64_t started_us;
	char state_path[4200];
};

static struct node_peer *peer_find(node *n, const char *addr)
{
	struct node_peers *pv = n->peers;
	for (size_t i = 0; i < pv->n; i++)
		if (strcmp(pv->v[i].addr, addr) == 0)
			return &pv->v[i];
	return NULL;
}

/* Finds or adds the record of addr ("host:port", normalised); NULL if invalid or full. */
static struct node_peer *peer_get(node *n, const char *addr)
{
	struct node_peers *pv = n->peers;
	struct sockaddr_storage sa;
	if (node_addr_parse(addr, &sa))
		return NULL;
	char norm[NODE_ADDR_STR_MAX];
	node_addr_format((struct sockaddr *)&sa, norm);
	struct node_peer *p = peer_find(n, norm);
	if (p)
		return p;
	if (pv->n < NODE_PEERS_MAX) {
		p = &pv->v[pv->n++];
	} else {
		/* full: the record of an address neither configured nor discovered any more */
		for (size_t i = 0; i < pv->n && !p; i++)
			if (!pv->v[i].configured && !pv->v[i].discovered && !pv->v[i].conn)
				p = &pv->v[i];
		if (!p)
			return NULL;
	}
	memset(p, 0, sizeof *p);
	snprintf(p->addr, sizeof p->addr, "%s", norm);
	p->sa = sa;
	/* never dial ourselves through an address we announce */
	for (size_t i = 0; i < n->hello.n_addrs; i++)
		if (strcmp(n->hello.addrs[i], norm) == 0)
			p->self = true;
	return p;
}

/* ---- the own node/<key> entry (PROTOCOL.md §3.6) ------------------------------------------- */

static int node_entry_body(node *n, uint8_t **ret, size_t *ret_len)
{
	proto_arena a;
	proto_arena_init(&a, 64 * 1024);
	int r = MAILLE_ENOMEM;
	proto_value *m = proto_value_new(&a, PROTO_V_MAP), *v, *arr;
	if (!m)
		goto out;
	if (!(v = proto_value_map_put(&a, m, PROTO_F_TYPE, strlen(PROTO_F_TYPE))))
		goto out;
	*v = *proto_value_new_str(&a, "node", 4);
	if (!(v = proto_value_map_put(&a, m, "software", 8)))
		goto out;
	*v = *proto_value_new_str(&a, n->hello.software, strlen(n->hello.software));
	if (!(arr = proto_value_map_put(&a, m, "addresses", 9)))
		goto out;
	arr->type = PROTO_V_ARRAY;
	for (size_t i = 0; i < n->hello.n_addrs; i++) {
		proto_value *s = proto_value_array_push(&a, arr);
		proto_value *str = proto_value_new_str(&a, n->hello.addrs[i], strlen(n->hello.addrs[i]));
		if (!s || !str)
			goto out;
		*s = *str;
	}
	r = proto_value_encode(m, PROTO_ENTRY_MAX, ret, ret_len);
out:
	proto_arena_done(&a);
	return r;
}

int node_publish(node *n, const char *path, const uint8_t *body, size_t body_len,
                 uint8_t ret_id[PROTO_ID_LEN])
{
	/* this node's own key for its territory; after the live version whatever the clock says
	 * (an edit always wins, §1.5: node/service/publish.c) */
	publish_signer s = { .territory = n->cfg.sk + 32, .sk = n->cfg.sk, .capref = NULL };
	int r = publish_put(n->st, &s, path, PROTO_KIND_DOCUMENT, body, body_len,
	                    node_entry_now_us(n), ret_id);
	if (!r) {
		sync_set_dirty(n);
		node_hello_refresh(n);
	}
	return r;
}

static void publish_node_entry(node *n)
{
	const uint8_t *pk = n->cfg.sk + 32;
	char path[8 + 2 * PROTO_KEY_LEN];
	memcpy(path, "node/", 5);
	proto_hex(pk, PROTO_KEY_LEN, path + 5);
	uint8_t *body = NULL;
	size_t body_len = 0;
	int r = node_entry_body(n, &body, &body_len);
	if (r) {
		LOG_ERROR("NODE-ENTRY", "cannot build the node entry: %s", maille_strerror(r));
		return;
	}
	store_row row;
	if (store_entry_get(n->st, pk, path, &row) == 0) {
		bool same = row.entry.kind == PROTO_KIND_DOCUMENT && row.entry.body_len == body_len &&
		            memcmp(row.entry.body, body, body_len) == 0;
		store_row_done(&row);
		if (same) {
			free(body);
			return;
		}
	}
	uint8_t id[PROTO_ID_LEN];
	r = node_publish(n, path, body, body_len, id);
	if (r)
		LOG_ERROR("NODE-ENTRY", "cannot publish the node entry: %s", maille_strerror(r));
	else
		LOG_INFO("NODE-ENTRY", "published %s: addresses %s", path, n->hello.addrs[0]);
	free(body);
}

/* Stops dialing the addresses discovered for key (the configured ones stay), except the
 * `keep` first records of keep_v. */
static void forget_key(node *n, const uint8_t key[PROTO_KEY_LEN], struct node_peer *const *keep_v,
                       size_t keep)
{
	struct node_peers *pv = n->peers;
	for (size_t i = 0; i < pv->n; i++) {
		struct node_peer *p = &pv->v[i];
		if (!p->discovered || !p->key_known || memcmp(p->key, key, PROTO_KEY_LEN) != 0)
			continue;
		bool kept = false;
		for (size_t k = 0; k < keep && !kept; k++)
			kept = keep_v[k] == p;
		if (kept)
			continue;
		p->discovered = false;
		pv->state_dirty = true;
		LOG_DEBUG("PEER-DISCOVER", "%s no longer dialed (not in the node entry of a trusted "
		                           "territory)",
		          p->addr);
	}
}

void peers_learn(node *n, const proto_entry *e)
{
	if (!n->peers || e->kind != PROTO_KIND_DOCUMENT)
		return;
	char want[8 + 2 * PROTO_KEY_LEN];
	memcpy(want, "node/", 5);
	proto_hex(e->territory, PROTO_KEY_LEN, want + 5);
	/* only a node speaking for itself: path node/<its key>, signed by that key */
	if (e->path_len != strlen(want) || memcmp(e->path, want, e->path_len) != 0 ||
	    memcmp(e->signer, e->territory, PROTO_KEY_LEN) != 0 ||
	    memcmp(e->territory, n->cfg.sk + 32, PROTO_KEY_LEN) == 0)
		return;
	/* PROTOCOL.md §3.6: only a trusted territory's addresses are dialed. Anyone holding the
	 * network key can publish a node entry: otherwise it could make every node of the
	 * federation dial (probe, flood) the hosts and ports of its choice. */
	if (!sync_trusted(n, e->territory)) {
		LOG_DEBUG("PEER-DISCOVER", "node/%.8s...: its territory is not trusted: its addresses "
		                           "are not dialed",
		          want + 5);
		return;
	}
	struct node_peer *learnt[NODE_NODE_ADDRS_MAX];
	size_t n_learnt = 0;
	proto_arena a;
	proto_arena_init(&a, 4 * e->body_len + 4096);
	proto_value *v;
	if (proto_value_decode(e->body, e->body_len, &a, &v) == 0 && v->type == PROTO_V_MAP) {
		const proto_value *addrs = proto_map_get(v, "addresses");
		if (addrs && addrs->type == PROTO_V_ARRAY) {
			for (size_t i = 0; i < addrs->u.arr.n && i < NODE_NODE_ADDRS_MAX; i++) {
				const proto_value *s = &addrs->u.arr.items[i];
				if (s->type != PROTO_V_STR || s->u.str.len >= NODE_ADDR_STR_MAX)
					continue;
				char addr[NODE_ADDR_STR_MAX];
				memcpy(addr, s->u.str.ptr, s->u.str.len);
				addr[s->u.str.len] = '\0';
				struct node_peer *p = peer_get(n, addr);
				if (!p)
					continue;
				learnt[n_learnt++] = p;
				if (p->discovered)
					continue;
				p->discovered = true;
				p->key_known = true;
				memcpy(p->key, e->territory, PROTO_KEY_LEN);
				n->peers->state_dirty = true;
				LOG_INFO("PEER-DISCOVER", "learnt %s from node/%.8s...", p->addr, want + 5);
			}
		}
	}
	proto_arena_done(&a);
	/* the addresses of an earlier version that this one no longer lists */
	forget_key(n, e->territory, learnt, n_learnt);
}

void peers_on_trust(node *n, const uint8_t key[PROTO_KEY_LEN], bool trusted)
{
	if (!n->peers || n->client)
		return;
	if (!trusted) {
		forget_key(n, key, NULL, 0);
		return;
	}
	char path[8 + 2 * PROTO_KEY_LEN];
	memcpy(path, "node/", 5);
	proto_hex(key, PROTO_KEY_LEN, path + 5);
	store_row row;
	if (store_entry_get(n->st, key, path, &row) == 0) {
		peers_learn(n, &row.entry);
		store_row_done(&row);
	}
}

static int learn_row(const store_row *row, void *ctx)
{
	peers_learn(ctx, &row->entry);
	return 0;
}

/* ---- configured peers ---------------------------------------------------------------------- */

static int configured_cb(const char *addr, uint64_t added_us, void *ctx)
{
	(void)added_us;
	node *n = ctx;
	struct node_peer *p = peer_get(n, addr);
	if (!p) {
		LOG_WARN("PEER-CONFIG", "configured peer '%s' ignored (not HOST:PORT, or %u peers "
		                        "already)",
		         addr, NODE_PEERS_MAX);
		return 0;
	}
	p->listed = true;
	return 0;
}

/* Rereads the store's peers table: added peers are dialed at once, a removed one is hung up
 * on (unless the federation's node entries announce it too). */
static void peers_reload(node *n)
{
	struct node_peers *pv = n->peers;
	for (size_t i = 0; i < pv->n; i++)
		pv->v[i].listed = false;
	int r = store_peer_list(n->st, configured_cb, n);
	if (r) {
		/* keep what we had rather than drop every peer on a transient error */
		LOG_WARN("PEER-CONFIG", "cannot read the configured peers: %s", maille_strerror(r));
		return;
	}
	for (size_t i = 0; i < pv->n; i++) {
		struct node_peer *p = &pv->v[i];
		if (p->listed && !p->configured) {
			p->configured = true;
			p->fails = 0;
			p->next_try_ms = 0; /* dial at once */
			pv->state_dirty = true;
			LOG_INFO("PEER-CONFIG", "peer %s added", p->addr);
		} else if (!p->listed && p->configured) {
			p->configured = false;
			pv->state_dirty = true;
			LOG_INFO("PEER-CONFIG", "peer %s removed", p->addr);
			if (p->conn && !p->discovered)
				conn_close_bye(p->conn, PROTO_BYE_DONE, "peer removed");
		}
	}
}

/* ---- the store's changes ------------------------------------------------------------------- */

void peers_own_rids(node *n, uint64_t lo, uint64_t hi)
{
	struct node_peers *pv = n->peers;
	if (!pv || hi <= lo)
		return;
	if (lo <= pv->hwm) {
		if (hi > pv->hwm)
			pv->hwm = hi;
		return;
	}
	if (pv->n_own < OWN_RANGES_MAX) {
		pv->own[pv->n_own].lo = lo;
		pv->own[pv->n_own].hi = hi;
		pv->n_own++;
	}
	/* else: those rows are read back and pushed again; receivers drop them by id */
}

static bool rid_is_own(const struct node_peers *pv, uint64_t rid)
{
	for (size_t i = 0; i < pv->n_own; i++)
		if (rid > pv->own[i].lo && rid <= pv->own[i].hi)
			return true;
	return false;
}

typedef struct since_ctx {
	node *n;
	size_t rows;
} since_ctx;

static int since_cb(const store_row *row, void *ctx)
{
	since_ctx *sc = ctx;
	node *n = sc->n;
	struct node_peers *pv = n->peers;
	sc->rows++;
	if (row->rid > pv->hwm)
		pv->hwm = row->rid;
	if (rid_is_own(pv, row->rid))
		return 0;
	/* Committed by our own commit job, whose completion has not run yet (it registers its
	 * rids, then pushes the entries to every session but the sender's): the tick must not
	 * push it to every session, the sender's included. */
	if (sync_inflight(n, row->id))
		return 0;
	/* written by another process (a `maille publish`, a `maille sync`): push it */
	sync_push(n, row->id, NULL);
	if (row->entry.kind == PROTO_KIND_DOCUMENT)
		peers_learn(n, &row->entry);
	return 0;
}

static void store_changed(node *n)
{
	struct node_peers *pv = n->peers;
	sync_set_dirty(n);
	size_t total = 0;
	for (;;) {
		since_ctx sc = {n, 0};
		int r = store_since(n->st, pv->hwm, 1000, since_cb, &sc);
		if (r) {
			LOG_WARN("NODE-STORE", "cannot read the store's new entries: %s", maille_strerror(r));
			break;
		}
		total += sc.rows;
		if (sc.rows < 1000 || total >= SINCE_BUDGET)
			break;
	}
	size_t k = 0;
	for (size_t i = 0; i < pv->n_own; i++)
		if (pv->own[i].hi > pv->hwm)
			pv->own[k++] = pv->own[i];
	pv->n_own = k;
	for (node_conn *c = n->head; c; c = c->next)
		if (c->state == CONN_OPEN)
			sync_pump(c);
	peers_reload(n);
}

/* ---- dialing ------------------------------------------------------------------------------- */

static bool session_with(node *n, const uint8_t key[PROTO_KEY_LEN])
{
	for (node_conn *c = n->head; c; c = c->next)
		if ((c->state == CONN_OPEN || c->state == CONN_FLUSHING) &&
		    memcmp(c->peer_key, key, PROTO_KEY_LEN) == 0)
			return true;
	return false;
}

static void peers_dial(node *n)
{
	struct node_peers *pv = n->peers;
	if (n->stopping)
		return;
	unsigned outbound = 0;
	for (node_conn *c = n->head; c; c = c->next)
		outbound += !c->inbound && c->state != CONN_CLOSED;
	uint64_t now = uv_now(&n->loop);
	/* configured peers first (always, up to the maximum), then discovered ones up to the
	 * minimum */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < pv->n && outbound < NODE_OUTBOUND_MAX; i++) {
			struct node_peer *p = &pv->v[i];
			/* discovered: only while its territory is trusted, and a bounded number of
			 * failures in a row (PROTOCOL.md §3.6) */
			if (pass == 0 ? !p->configured
			              : (p->configured || !p->discovered || p->gave_up ||
			                 outbound >= NODE_OUTBOUND_MIN || !sync_trusted(n, p->key)))
				continue;
			if (p->self || p->conn || now < p->next_try_ms)
				continue;
			if (p->key_known && session_with(n, p->key))
				continue;
			node_conn *c = conn_new(n, false);
			if (!c)
				return;
			c->peer = p;
			p->conn = c;
			outbound++;
			conn_dial(c, (const struct sockaddr *)&p->sa);
		}
	}
}

void peers_on_conn_closed(node *n, node_conn *c, bool opened)
{
	struct node_peer *p = c->peer;
	c->peer = NULL;
	if (n->peers)
		n->peers->state_dirty = true;
	if (!p || !n->peers)
		return;
	p->conn = NULL;
	uint64_t sent, received, dups, refused, last;
	sync_conn_stats(c, &sent, &received, &dups, &refused, &last);
	p->sent += sent;
	p->received += received;
	p->dups += dups;
	p->refused += refused;
	if (last > p->last_sync_us)
		p->last_sync_us = last;
	p->connected_since_us = 0;
	uint64_t delay, base = n->cfg.peer_backoff_ms ? n->cfg.peer_backoff_ms : PEER_BACKOFF_BASE_MS;
	if (opened) {
		p->fails = 0;
		delay = base;
	} else {
		p->fails++;
		unsigned shift = p->fails - 1 < 9 ? p->fails - 1 : 9;
		delay = base << shift;
		if (delay > PEER_BACKOFF_MAX_MS)
			delay = PEER_BACKOFF_MAX_MS;
		if (!p->configured && p->discovered && p->fails >= PEER_DISCOVERED_DIALS_MAX &&
		    !p->gave_up) {
			p->gave_up = true;
			LOG_INFO("PEER-GIVEUP", "%s: %u dials in a row failed: no longer dialed (until a "
			                        "session with its node opens)",
			         p->addr, p->fails);
		}
	}
	/* jitter: 0.5 to 1.5 times, so that nodes restarted together do not redial in step */
	delay = delay / 2 + randombytes_uniform((uint32_t)delay + 1);
	p->next_try_ms = uv_now(&n->loop) + delay;
	if (!opened)
		LOG_DEBUG("PEER-BACKOFF", "%s: failure %u, next attempt in %.1f s", p->addr, p->fails,
		          (double)delay / 1000.0);
}

bool peers_on_session_open(node *n, node_conn *c)
{
	if (!n->peers)
		return true;
	n->peers->state_dirty = true;
	if (memcmp(c->peer_key, n->cfg.sk + 32, PROTO_KEY_LEN) == 0) {
		/* an address of ours (another interface, a NAT): never again */
		if (c->peer)
			c->peer->self = true;
		LOG_INFO("PEER-SELF", "#%llu %s is this node: closing", (unsigned long long)c->id,
		         c->peer_addr);
		conn_close_bye(c, PROTO_BYE_DONE, "connected to itself");
		return false;
	}
	if (c->peer) {
		memcpy(c->peer->key, c->peer_key, PROTO_KEY_LEN);
		c->peer->key_known = true;
		c->peer->connected_since_us = node_now_us();
	}
	/* its node is alive: the addresses given up on are dialed again when the session ends */
	struct node_peers *pv = n->peers;
	for (size_t i = 0; i < pv->n; i++) {
		struct node_peer *p = &pv->v[i];
		if (p->gave_up && p->key_known && memcmp(p->key, c->peer_key, PROTO_KEY_LEN) == 0) {
			p->gave_up = false;
			p->fails = 0;
		}
	}
	return true;
}

/* ---- node.state ---------------------------------------------------------------------------- */

static json_t *peer_json(const char *addr, const uint8_t *key, const char *direction,
                         const char *state, bool configured, bool discovered, uint64_t sent,
                         uint64_t received, uint64_t dups, uint64_t refused,
                         uint64_t last_sync_us, unsigned fails)
{
	json_t *o = json_object();
	char hex[2 * PROTO_KEY_LEN + 1];
	json_object_set_new(o, "address", json_string(addr));
	if (key) {
		proto_hex(key, PROTO_KEY_LEN, hex);
		json_object_set_new(o, "key", json_string(hex));
	} else {
		json_object_set_new(o, "key", json_null());
	}
	json_object_set_new(o, "direction", json_string(direction));
	json_object_set_new(o, "state", json_string(state));
	json_object_set_new(o, "configured", json_boolean(configured));
	json_object_set_new(o, "discovered", json_boolean(discovered));
	json_object_set_new(o, "sent", json_integer((json_int_t)sent));
	json_object_set_new(o, "received", json_integer((json_int_t)received));
	json_object_set_new(o, "duplicates", json_integer((json_int_t)dups));
	json_object_set_new(o, "refused", json_integer((json_int_t)refused));
	json_object_set_new(o, "last_sync_us",
	                    last_sync_us ? json_integer((json_int_t)last_sync_us) : json_null());
	json_object_set_new(o, "failures", json_integer(fails));
	return o;
}

static void state_write(node *n)
{
	struct node_peers *pv = n->peers;
	json_t *root = json_object(), *arr = json_array();
	uint64_t last_sync = 0;
	unsigned connected = 0;
	for (size_t i = 0; i < pv->n; i++) {
		struct node_peer *p = &pv->v[i];
		if (!p->configured && !p->discovered)
			continue;
		uint64_t sent = p->sent, received = p->received, refused = p->refused,
		         last = p->last_sync_us, dups = p->dups;
		const char *state = p->self      ? "self"
		                    : p->gave_up ? "given up"
		                    : p->fails   ? "backoff"
		                                 : "idle";
		const char *dir = "out";
		/* its session: ours, or the one it opened to us (we do not dial a peer we already
		 * have a session with: peers_dial) */
		node_conn *live = p->conn;
		if (!live && p->key_known) {
			for (node_conn *c = n->head; c && !live; c = c->next)
				if (c->inbound && c->state == CONN_OPEN && c->sync &&
				    memcmp(c->peer_key, p->key, PROTO_KEY_LEN) == 0)
					live = c;
			if (live)
				dir = "in";
		}
		if (live) {
			uint64_t s, r, d, f, l;
			sync_conn_stats(live, &s, &r, &d, &f, &l);
			dups += d;
			sent += s;
			received += r;
			refused += f;
			if (l > last)
				last = l;
			state = live->state == CONN_OPEN ? "connected" : "connecting";
			connected += live->state == CONN_OPEN && !live->inbound;
		}
		if (last > last_sync)
			last_sync = last;
		json_array_append_new(arr, peer_json(p->addr, p->key_known ? p->key : NULL, dir, state,
		                                     p->configured, p->discovered, sent, received, dups,
		                                     refused, last, p->fails));
	}
	for (node_conn *c = n->head; c; c = c->next) {
		if (!c->inbound || c->state != CONN_OPEN || !c->sync)
			continue;
		bool shown = false; /* as the record of a known peer, above */
		for (size_t i = 0; i < pv->n && !shown; i++)
			shown = (pv->v[i].configured || pv->v[i].discovered) && !pv->v[i].conn &&
			        pv->v[i].key_known &&
			        memcmp(pv->v[i].key, c->peer_key, PROTO_KEY_LEN) == 0;
		uint64_t s, r, d, f, l;
		sync_conn_stats(c, &s, &r, &d, &f, &l);
		if (l > last_sync)
			last_sync = l;
		connected++;
		if (shown)
			continue;
		json_array_append_new(arr, peer_json(c->peer_addr, c->peer_key, "in", "connected", false,
		                                     false, s, r, d, f, l, 0));
	}
	json_object_set_new(root, "pid", json_integer((json_int_t)getpid()));
	json_object_set_new(root, "software", json_string(n->hello.software));
	json_object_set_new(root, "listen", json_string(n->listen_addr));
	json_object_set_new(root, "started_us", json_integer((json_int_t)pv->started_us));
	json_object_set_new(root, "updated_us", json_integer((json_int_t)node_now_us()));
	json_object_set_new(root, "connected", json_integer(connected));
	json_object_set_new(root, "last_sync_us",
	                    last_sync ? json_integer((json_int_t)last_sync) : json_null());
	json_object_set_new(root, "peers", arr);
	char tmp[4300];
	snprintf(tmp, sizeof tmp, "%s.tmp", pv->state_path);
	if (json_dump_file(root, tmp, JSON_INDENT(1) | JSON_SORT_KEYS) != 0 ||
	    rename(tmp, pv->state_path) != 0) {
		unlink(tmp);
		LOG_WARN("NODE-STATE", "cannot write %s", pv->state_path);
	}
	json_decref(root);
}

/* ---- the tick ------------------------------------------------------------------------------ */

static void client_progress(node *n)
{
	if (!n->cfg.progress || !n->sync_res)
		return;
	node_sync_result r = *n->sync_res;
	for (node_conn *c = n->head; c; c = c->next) {
		if (!c->oneshot_sync)
			continue;
		uint64_t last;
		sync_conn_stats(c, &r.sent, &r.received, &r.duplicates, &r.refused, &last);
		r.bytes_sent = c->n_tx_bytes;
		r.bytes_received = c->n_rx_bytes;
	}
	n->cfg.progress(&r, n->cfg.progress_ctx);
}

void peers_tick(node *n)
{
	if (n->client) {
		client_progress(n);
		return;
	}
	sync_index_idle(n);
	struct node_peers *pv = n->peers;
	uint64_t dv;
	if (store_data_version(n->st, &dv) == 0 && dv != pv->data_version) {
		pv->data_version = dv;
		store_changed(n);
		/* a vouch or an explicit trust (maille trust) may have come: PROTOCOL.md §4.2 */
		sync_trust_stale(n);
	}
	sync_trust_tick(n);
	sync_anti_entropy(n);
	peers_dial(n);
	uint64_t now = uv_now(&n->loop);
	if (pv->state_dirty || now - pv->last_state_ms >= STATE_WRITE_MS) {
		pv->state_dirty = false;
		pv->last_state_ms = now;
		state_write(n);
	}
}

int peers_init(node *n)
{
	n->peers = calloc(1, sizeof *n->peers);
	if (!n->peers)
		return MAILLE_ENOMEM;
	struct node_peers *pv = n->peers;
	pv->v = calloc(NODE_PEERS_MAX, sizeof *pv->v);
	if (!pv->v)
		return MAILLE_ENOMEM;
	pv->started_us = node_now_us();
	if (n->client)
		return 0;
	snprintf(pv->state_path, sizeof pv->state_path, "%s/%s", n->cfg.dir, NODE_STATE_FILE);
	int r = store_last_rid(n->st, &pv->hwm);
	if (!r)
		r = store_data_version(n->st, &pv->data_version);
	if (r)
		return r;
	/* written after hwm was read: the tick pushes it to the first peers */
	publish_node_entry(n);
	peers_reload(n);
	store_filter f;
	memset(&f, 0, sizeof f);
	f.type = "node";
	f.include_federation = true;
	r = store_list(n->st, &f, learn_row, n);
	if (r)
		LOG_WARN("PEER-DISCOVER", "cannot read the node entries: %s", maille_strerror(r));
	state_write(n);
	return 0;
}

void peers_free(node *n)
{
	struct node_peers *pv = n->peers;
	if (!pv)
		return;
	if (!n->client && pv->state_path[0])
		unlink(pv->state_path);
	free(pv->v);
	free(pv);
	n->peers = NULL;
}
