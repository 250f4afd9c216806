/* node/service/join.h: joining a federation with an invitation (join.c; PROTOCOL.md §4.1,
 * §4.5), the workflow without the network and without printing: the caller brings the sync
 * with the inviter (the daemon's dialer, which this room does not use) and prints the result.
 *
 * The order is what makes a refused invitation change nothing: the token is checked against
 * this node (expiry, inviter, federation), the inviter is trusted (so that no quota applies to
 * its entries), each of its addresses is tried until one answers; then only, when the inviter
 * redeemed the secret, what stays is written: the federation file, the inviter as a
 * configured peer, and a vouch for it (a territory's node; a member's node vouches for
 * nobody). A refusal takes the trust back. */
#ifndef MAILLE_NODE_JOIN_H
#define MAILLE_NODE_JOIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/service/federation.h"
#include "node/service/nodedir.h"
#include "proto/channel.h"
#include "proto/invite.h"

#define JOIN_ERROR_CAP 256u

/* What one try at one of the inviter's addresses gave (the caller's sync fills it). */
typedef struct join_attempt {
	int redeem_result; /* the inviter's enum proto_redeem_result, -1 if no answer came */
	bool not_inviter;  /* the node there is not the inviter: nothing was sent */
	char error[JOIN_ERROR_CAP];               /* why it failed ("" when it did not) */
	char peer_name[PROTO_HELLO_NAME_MAX + 1]; /* the inviter's name in its HELLO */
	uint64_t received;                        /* entries received */
	double total_ms;
} join_attempt;

/* Connects to addr, redeems inv's secret with the inviter and syncs nd's store with it: 0, or
 * an error, with *ret filled either way. */
typedef int (*join_sync_fn)(void *ctx, const node_dir *nd, const proto_invite *inv,
                            const char *addr, join_attempt *ret);

enum join_status {
	JOIN_OK = 0,      /* joined (sync_failed: the catalogue's sync is still to finish) */
	JOIN_EXPIRED,     /* the invitation has expired (inv->expires_us) */
	JOIN_OWN,         /* the invitation was made by this very node */
	JOIN_FED_READ,    /* this node's federation file does not read (fed_path, why) */
	JOIN_FED_OTHER,   /* this node belongs to another federation (federation: its name) */
	JOIN_STORE,       /* the store refused the inviter's trust (err) */
	JOIN_REFUSED,     /* the inviter refused the invitation (sync.redeem_result) */
	JOIN_NOT_INVITER, /* the node at the address is not the inviter (sync.error) */
	JOIN_UNREACHABLE, /* no address answered (errors[i]: inv->addrs[i]'s error) */
	JOIN_NOMEM,
	JOIN_FED_WRITE, /* joined, but the federation file could not be written (fed_path, err) */
};

typedef struct join_result {
	int err;             /* the error behind JOIN_STORE, JOIN_FED_READ, JOIN_FED_WRITE */
	char fed_path[4200]; /* DIR/federation */
	char why[160];       /* JOIN_FED_READ: what is wrong with the file */
	char federation[FEDERATION_NAME_MAX + 1]; /* JOIN_FED_OTHER: this node's federation */
	join_attempt sync; /* the last try: the inviter's answer, name and counts */
	char errors[PROTO_INVITE_ADDRS_MAX][JOIN_ERROR_CAP]; /* JOIN_UNREACHABLE */
	size_t n_errors;
	/* JOIN_OK: */
	const char *address; /* the inviter's address, kept as a peer (one of inv->addrs) */
	bool sync_failed;    /* redeemed, but the sync failed: `maille sync address` finishes it */
	int peer_err;        /* the inviter could not be added as a peer (0: it was) */
	int vouch_err;       /* the vouch for the inviter could not be published (0: it was) */
	bool vouched;
} join_result;

/* Joins the federation of inv from the node nd (opened for writing) at env->now_us, with sync
 * to reach the inviter; env also hears a warning about the federation file (federation_read).
 * Returns an enum join_status; *ret says more (always filled). */
int join_run(node_dir *nd, const proto_invite *inv, const node_env *env, join_sync_fn sync,
             void *ctx, join_result *ret);

#endif
