/* node/service/trust.c: the trust view — which territories this node trusts, and why.
 *
 * Trusted are: this node's own key (hops 0); the keys its operator trusts explicitly (the
 * store's local `trusted` table, hops 1: an explicit trust is a link of the chain, like a
 * vouch this node would keep to itself); and the keys vouched for (PROTOCOL.md §4.2) by a
 * trusted key, one hop further each time, up to max_hops from this node. A vouch counts when
 * it is the live document at vouches/<hex> in the voucher's subspace and proto_vouch_decode
 * accepts it; a tombstone there (a withdrawn vouch) is not a document, so it is never listed.
 *
 * Breadth-first, level by level, so that each key gets its shortest chain. Within a level the
 * frontier is walked in key order and the vouches in (voucher, vouchee) order, so that when
 * two vouchers at the same distance vouch for one key the named one is the smallest key:
 * the same store gives the same view on every run. Work and memory are bounded by the number
 * of vouch documents in the store (each is read once, and each voucher is expanded once). */
#include <stdlib.h>
#include <string.h>

#include "trust.h"
#include "proto/array.h"
#include "proto/error.h"
#include "proto/member.h"

typedef struct vouch_edge {
	uint8_t from[PROTO_KEY_LEN], to[PROTO_KEY_LEN];
} vouch_edge;

typedef struct edges {
	vouch_edge *v;
	size_t n, cap;
	int err;
} edges;

static int edge_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(vouch_edge)); /* from, then to: the fields are adjacent bytes */
}

static int node_cmp(const void *a, const void *b)
{
	return memcmp(((const trust_node *)a)->key, ((const trust_node *)b)->key, PROTO_KEY_LEN);
}

/* Collects every active vouch. store_list with type "vouch" gives the live documents whose
 * body says so; proto_vouch_decode then checks the rest (path, signer = territory, not for
 * itself). Anything it refuses is not a vouch and is skipped, not an error: it came from a
 * peer. */
static int collect_edge(const store_row *row, void *ctx)
{
	edges *E = ctx;
	uint8_t to[PROTO_KEY_LEN];
	bool active = false;
	if (proto_vouch_decode(&row->entry, to, &active) != 0 || !active)
		return 0;
	if (E->n == E->cap) {
		vouch_edge *v = proto_array_grow(E->v, &E->cap, 64, sizeof *v);
		if (!v) {
			E->err = MAILLE_ENOMEM;
			return MAILLE_ENOMEM;
		}
		E->v = v;
	}
	memcpy(E->v[E->n].from, row->entry.territory, PROTO_KEY_LEN);
	memcpy(E->v[E->n].to, to, PROTO_KEY_LEN);
	E->n++;
	return 0;
}

/* The view's nodes: tv->v[0..sorted) in key order, every key once; a level's candidates are
 * appended after them, then sorted and merged in by builder_seal. */
typedef struct builder {
	trust_view *tv;
	size_t cap;
	size_t sorted;
} builder;

const trust_node *trust_find(const trust_view *tv, const uint8_t key[PROTO_KEY_LEN])
{
	trust_node probe;
	memcpy(probe.key, key, PROTO_KEY_LEN);
	return tv->n ? bsearch(&probe, tv->v, tv->n, sizeof *tv->v, node_cmp) : NULL;
}

/* Whether key is in a sealed level (the candidates of the level being built are not
 * looked at: builder_seal removes their duplicates, in O(n log n) rather than n²). */
static bool builder_has(const builder *b, const uint8_t key[PROTO_KEY_LEN])
{
	trust_node probe;
	memcpy(probe.key, key, PROTO_KEY_LEN);
	return b->sorted && bsearch(&probe, b->tv->v, b->sorted, sizeof probe, node_cmp);
}

static int builder_add(builder *b, const uint8_t key[PROTO_KEY_LEN], int reason, unsigned hops,
                       const uint8_t *via)
{
	trust_view *tv = b->tv;
	if (tv->n == b->cap) {
		trust_node *v = proto_array_grow(tv->v, &b->cap, 16, sizeof *v);
		if (!v)
			return MAILLE_ENOMEM;
		tv->v = v;
	}
	trust_node *n = &tv->v[tv->n++];
	memset(n, 0, sizeof *n);
	memcpy(n->key, key, PROTO_KEY_LEN);
	n->reason = reason;
	n->hops = hops;
	if (via)
		memcpy(n->via, via, PROTO_KEY_LEN);
	return 0;
}

/* Key, then voucher: among one level's candidates for a key, the smallest voucher first. */
static int candidate_cmp(const void *a, const void *b)
{
	const trust_node *x = a, *y = b;
	int c = memcmp(x->key, y->key, PROTO_KEY_LEN);
	return c ? c : memcmp(x->via, y->via, PROTO_KEY_LEN);
}

/* Keeps one candidate per key (the smallest voucher: deterministic whatever qsort does with
 * equal elements) and merges the level into the sorted part. */
static void builder_seal(builder *b)
{
	trust_view *tv = b->tv;
	trust_node *tail = tv->v + b->sorted;
	size_t nt = tv->n - b->sorted, kept = 0;
	if (nt == 0)
		return;
	qsort(tail, nt, sizeof *tail, candidate_cmp);
	for (size_t i = 0; i < nt; i++)
		if (kept == 0 || memcmp(tail[kept - 1].key, tail[i].key, PROTO_KEY_LEN) != 0)
			tail[kept++] = tail[i];
	tv->n = b->sorted + kept;
	/* the sealed keys and the level's are distinct (builder_has): a plain sort merges them */
	qsort(tv->v, tv->n, sizeof *tv->v, node_cmp);
	b->sorted = tv->n;
}

typedef struct explicit_ctx {
	builder *b;
	int err;
} explicit_ctx;

static int add_explicit(const uint8_t key[PROTO_KEY_LEN], uint64_t added_us, void *ctx)
{
	explicit_ctx *c = ctx;
	(void)added_us;
	if (builder_has(c->b, key)) /* the own key, trusted by hand in an older version */
		return 0;
	c->err = builder_add(c->b, key, TRUST_EXPLICIT, 1, NULL);
	return c->err;
}

/* The first edge whose voucher is key, in the sorted edges (or E->n). */
static size_t edges_from(const edges *E, const uint8_t key[PROTO_KEY_LEN])
{
	size_t lo = 0, hi = E->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (memcmp(E->v[mid].from, key, PROTO_KEY_LEN) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int trust_compute(store *st, const uint8_t own[PROTO_KEY_LEN], unsigned max_hops,
                  trust_view *ret)
{
	edges E = {0};
	trust_view tv = {0};
	builder b = {.tv = &tv};
	uint8_t *frontier = NULL;
	int r;

	store_filter f = {.type = "vouch", .include_federation = true};
	r = store_list(st, &f, collect_edge, &E);
	if (r)
		goto fail;
	if (E.n)
		qsort(E.v, E.n, sizeof *E.v, edge_cmp);

	/* level 0: this node; level 1 starts with the explicit trusts so that a key both trusted
	 * by hand and vouched for by this node says "explicit", which untrust would change */
	if ((r = builder_add(&b, own, TRUST_OWN, 0, NULL)) != 0)
		goto fail;
	builder_seal(&b);
	explicit_ctx ec = {.b = &b};
	r = store_trust_list(st, add_explicit, &ec);
	if (r || ec.err) {
		r = r ? r : ec.err;
		goto fail;
	}

	/* Expand level by level: the frontier of level h is the keys at h hops, in key order,
	 * copied out (tv.v moves as it grows). Level 1 already holds the explicit keys, so the own
	 * key's vouchees join them there, and the explicit keys are expanded with them. */
	for (unsigned h = 0; h < max_hops; h++) {
		builder_seal(&b);
		size_t nf = 0;
		free(frontier);
		frontier = malloc(tv.n * PROTO_KEY_LEN);
		if (!frontier) {
			r = MAILLE_ENOMEM;
			goto fail;
		}
		for (size_t i = 0; i < tv.n; i++)
			if (tv.v[i].hops == h)
				memcpy(frontier + PROTO_KEY_LEN * nf++, tv.v[i].key, PROTO_KEY_LEN);
		if (nf == 0)
			break;
		for (size_t k = 0; k < nf; k++) {
			const uint8_t *from = frontier + PROTO_KEY_LEN * k;
			for (size_t e = edges_from(&E, from);
			     e < E.n && memcmp(E.v[e].from, from, PROTO_KEY_LEN) == 0; e++) {
				if (builder_has(&b, E.v[e].to))
					continue;
				if ((r = builder_add(&b, E.v[e].to, TRUST_VOUCHED, h + 1, from)) != 0)
					goto fail;
			}
		}
	}
	builder_seal(&b);
	free(frontier);
	free(E.v);
	*ret = tv;
	return 0;
fail:
	free(frontier);
	free(E.v);
	free(tv.v);
	return r;
}

void trust_view_done(trust_view *tv)
{
	if (!tv)
		return;
	free(tv->v);
	tv->v = NULL;
	tv->n = 0;
}

typedef struct cap_find {
	const uint8_t *key;
	uint64_t now, best_ts;
	proto_member_cap *ret;
	bool found;
} cap_find;

static int cap_find_row(const store_row *row, void *ctx)
{
	cap_find *cf = ctx;
	proto_member_cap c;
	if (proto_member_cap_decode(&row->entry, &c) != 0 ||
	    memcmp(c.member, cf->key, PROTO_KEY_LEN) != 0 || cf->now < c.from_us ||
	    cf->now >= c.until_us)
		return 0;
	if (!cf->found || row->entry.timestamp > cf->best_ts) {
		*cf->ret = c;
		cf->best_ts = row->entry.timestamp;
		cf->found = true;
	}
	return 0;
}

int trust_member_cap(store *st, const uint8_t key[PROTO_KEY_LEN], uint64_t now_us,
                     proto_member_cap *ret)
{
	char path[sizeof PROTO_MEMBERS_PREFIX + 2 * PROTO_KEY_LEN];
	memcpy(path, PROTO_MEMBERS_PREFIX, sizeof PROTO_MEMBERS_PREFIX - 1);
	proto_hex(key, PROTO_KEY_LEN, path + sizeof PROTO_MEMBERS_PREFIX - 1);
	proto_member_cap c;
	cap_find cf = {.key = key, .now = now_us, .ret = &c};
	int r = store_entry_find_path(st, path, NULL, cap_find_row, &cf);
	if (r)
		return r;
	if (!cf.found)
		return MAILLE_ENOTFOUND;
	*ret = c;
	return 0;
}

typedef struct members_walk {
	const uint8_t *territory;
	trust_cap_cb cb;
	void *ctx;
} members_walk;

static int members_row(const store_row *row, void *ctx)
{
	members_walk *w = ctx;
	proto_member_cap c;
	if (memcmp(row->entry.territory, w->territory, PROTO_KEY_LEN) != 0 ||
	    proto_member_cap_decode(&row->entry, &c) != 0)
		return 0;
	return w->cb(&c, w->ctx);
}

int trust_members_list(store *st, const uint8_t territory[PROTO_KEY_LEN], trust_cap_cb cb,
                       void *ctx)
{
	store_filter f;
	memset(&f, 0, sizeof f);
	f.territory = territory;
	f.type = "member";
	f.include_federation = true;
	members_walk w = { territory, cb, ctx };
	return store_list(st, &f, members_row, &w);
}
