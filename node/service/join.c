/* node/service/join.c: joining a federation with an invitation (join.h; PROTOCOL.md §4.1,
 * §4.5): the token checked against this node, the inviter reached through the caller's sync,
 * and only once it has redeemed the secret, what stays written. Prints nothing. */
#include "join.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "node/service/publish.h"
#include "proto/error.h"

/* store_trust_list: whether the node already trusts key (ctx) explicitly. */
static int trust_has_cb(const uint8_t key[PROTO_KEY_LEN], uint64_t added_us, void *ctx)
{
	(void)added_us;
	return memcmp(key, ctx, PROTO_KEY_LEN) == 0 ? 1 : 0;
}

/* The token against this node, before anything is written: JOIN_OK or why not. *had_fed: the
 * node already holds the invitation's federation. */
static int join_check(node_dir *nd, const proto_invite *inv, const node_env *env, bool *had_fed,
                      join_result *ret)
{
	if (inv->expires_us <= env->now_us)
		return JOIN_EXPIRED;
	if (memcmp(inv->inviter, nd->pk, PROTO_KEY_LEN) == 0)
		return JOIN_OWN;
	if (federation_path(nd->path, ret->fed_path, sizeof ret->fed_path)) {
		snprintf(ret->why, sizeof ret->why, "node directory path too long");
		ret->err = MAILLE_EINVAL;
		return JOIN_FED_READ;
	}
	struct stat sb;
	*had_fed = stat(ret->fed_path, &sb) == 0;
	if (!*had_fed)
		return JOIN_OK;
	federation f = { 0 };
	ret->err = federation_read(ret->fed_path, &f, ret->why, sizeof ret->why, env);
	if (ret->err)
		return JOIN_FED_READ;
	bool same = sodium_memcmp(f.key, inv->netkey, PROTO_NETKEY_LEN) == 0;
	snprintf(ret->federation, sizeof ret->federation, "%s", f.name);
	federation_done(&f);
	return same ? JOIN_OK : JOIN_FED_OTHER;
}

/* Tries the inviter's addresses in order until one answers: JOIN_OK (ret->address; with
 * sync_failed when the inviter redeemed the secret but the sync did not finish), or why not. */
static int join_reach(const node_dir *nd, const proto_invite *inv, join_sync_fn sync, void *ctx,
                      join_result *ret)
{
	for (size_t i = 0; i < inv->n_addrs; i++) {
		memset(&ret->sync, 0, sizeof ret->sync);
		ret->sync.redeem_result = -1;
		if (sync(ctx, nd, inv, inv->addrs[i], &ret->sync) == 0) {
			ret->address = inv->addrs[i];
			return JOIN_OK;
		}
		/* the inviter answered: its answer is final; another address is the same node */
		if (ret->sync.redeem_result >= 0 || ret->sync.not_inviter)
			break;
		snprintf(ret->errors[ret->n_errors++], JOIN_ERROR_CAP, "%s", ret->sync.error);
	}
	if (ret->sync.redeem_result > 0)
		return JOIN_REFUSED;
	if (ret->sync.redeem_result == 0) {
		/* redeemed: joined, the sync finishes later */
		ret->sync_failed = true;
		ret->address = inv->addrs[0];
		return JOIN_OK;
	}
	return ret->sync.not_inviter ? JOIN_NOT_INVITER : JOIN_UNREACHABLE;
}

/* Joined: the federation file (unless the node had it), the inviter as a peer, the vouch. */
static int join_keep(node_dir *nd, const proto_invite *inv, bool had_fed, uint64_t now_us,
                     join_result *ret)
{
	if (!had_fed) {
		federation f = { 0 };
		memcpy(f.name, inv->federation, sizeof f.name);
		f.key = sodium_malloc(PROTO_NETKEY_LEN);
		if (!f.key)
			return JOIN_NOMEM;
		memcpy(f.key, inv->netkey, PROTO_NETKEY_LEN);
		ret->err = federation_write(ret->fed_path, &f);
		federation_done(&f);
		if (ret->err)
			return JOIN_FED_WRITE;
	}
	ret->peer_err = store_peer_add(nd->st, ret->address, now_us);
	if (ret->peer_err == MAILLE_EEXIST)
		ret->peer_err = 0;
	if (!nd->member) {
		ret->vouch_err = publish_vouch(nd, inv->inviter, true, now_us, NULL);
		ret->vouched = ret->vouch_err == 0;
	}
	return JOIN_OK;
}

int join_run(node_dir *nd, const proto_invite *inv, const node_env *env, join_sync_fn sync,
             void *ctx, join_result *ret)
{
	memset(ret, 0, sizeof *ret);
	ret->sync.redeem_result = -1;
	bool had_fed = false;
	int st = join_check(nd, inv, env, &had_fed, ret);
	if (st)
		return st;
	/* the inviter's entries are trusted from the start: no quota applies to them */
	bool trust_added = false;
	if (store_trust_list(nd->st, trust_has_cb, (void *)inv->inviter) == 0) {
		ret->err = store_trust_add(nd->st, inv->inviter, env->now_us);
		if (ret->err)
			return JOIN_STORE;
		trust_added = true;
	}
	st = join_reach(nd, inv, sync, ctx, ret);
	if (st) {
		if (trust_added)
			store_trust_remove(nd->st, inv->inviter);
		return st;
	}
	return join_keep(nd, inv, had_fed, env->now_us, ret);
}
