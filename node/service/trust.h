/* node/service/trust.h: the trust view — which territories a node trusts, and why
 * (PROTOCOL.md §4.2). The CLI computes it for list, search, show and territories; the daemon
 * for its quarantine (PROTOCOL.md §4.4); the web catalogue for its pages. Reads the store
 * only. */
#ifndef MAILLE_NODE_TRUST_H
#define MAILLE_NODE_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include "proto/entry.h"
#include "proto/member.h"
#include "store/store.h"

/* ---- the trust view (node/service/trust.c) ----------------------------------------------
 * Which territories this node trusts, and why (PROTOCOL.md §4.2): its own key (hops 0), the
 * keys trusted explicitly (store_trust_add; hops 1, a link of the chain like a vouch), and the
 * keys vouched for by a trusted key, one hop more each time, up to max_hops. nodedir.c reads
 * `trust.hops` in maille.conf sets max_hops (1..TRUST_HOPS_MAX). */
#define TRUST_HOPS_DEFAULT 3u
#define TRUST_HOPS_MAX 10u

enum trust_reason { TRUST_OWN = 1, TRUST_EXPLICIT = 2, TRUST_VOUCHED = 3 };

typedef struct trust_node {
	uint8_t key[PROTO_KEY_LEN];
	int reason;   /* enum trust_reason */
	unsigned hops; /* length of the shortest chain from this node */
	uint8_t via[PROTO_KEY_LEN]; /* TRUST_VOUCHED: the voucher on that chain (the smallest key
	                             * among equally short ones); zero otherwise */
} trust_node;

typedef struct trust_view {
	trust_node *v; /* in key order, one per trusted key */
	size_t n;
} trust_view;

/* Computes the view of the node whose key is own from st (live vouch documents and the
 * explicit trusts). Breadth-first: work and memory bounded by the number of vouch entries
 * plus the explicit trusts. *ret is set only on success; end it with trust_view_done. */
int trust_compute(store *st, const uint8_t own[PROTO_KEY_LEN], unsigned max_hops,
                  trust_view *ret);
/* The node of key in tv, NULL if key is not trusted. */
const trust_node *trust_find(const trust_view *tv, const uint8_t key[PROTO_KEY_LEN]);
/* Frees the view; NULL and a done view are fine. */
void trust_view_done(trust_view *tv);

/* A member node's side (PROTOCOL.md §4.3): the capability in force at now_us that lets key
 * write in a territory, from the store's live members/<key> documents (the newest when
 * several territories made it a member). 0, or MAILLE_ENOTFOUND. */
int trust_member_cap(store *st, const uint8_t key[PROTO_KEY_LEN], uint64_t now_us,
                     proto_member_cap *ret);

/* What trust_members_list hands on: one member capability, decoded. 0 to go on; anything else
 * stops the walk. */
typedef int (*trust_cap_cb)(const proto_member_cap *cap, void *ctx);
/* The member capabilities territory has published (PROTOCOL.md §4.3), to cb in store_list's
 * order, whether in force or not; a row that does not decode is passed over. store_list's
 * return code. For the members list of the CLI and of the web catalogue. */
int trust_members_list(store *st, const uint8_t territory[PROTO_KEY_LEN], trust_cap_cb cb,
                       void *ctx);

#endif
