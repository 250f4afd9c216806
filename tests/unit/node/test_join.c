/* Unit tests of node/service/join.c: the invitation workflow (PROTOCOL.md §4.1, §4.5) on a real
 * node directory, with a scripted sync in place of the daemon's dialer: what is tried, in
 * which order, and what stays written — nothing after a refusal, an unreachable inviter or a
 * token this node cannot take; the federation, the peer, the trust and the vouch once the
 * inviter has redeemed the secret. Each test works in its own temporary directory. */
#include <dirent.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "node/service/federation.h"
#include "node/service/join.h"
#include "node/service/nodedir.h"
#include "node/service/publish.h"
#include "proto/error.h"
#include "proto/sync.h"

#define NOW 1760000000000000ull /* µs: late 2025, the "current time" of every test */
#define HOUR 3600000000ull

static char dir_[64];

/* The answers the inviter gives, one per address tried, and what was tried. */
typedef struct script {
	int rc[PROTO_INVITE_ADDRS_MAX];
	int redeem[PROTO_INVITE_ADDRS_MAX];
	bool not_inviter[PROTO_INVITE_ADDRS_MAX];
	size_t calls;
	char tried[PROTO_INVITE_ADDRS_MAX][PROTO_INVITE_ADDR_MAX + 1];
} script;

static int scripted_sync(void *ctx, const node_dir *nd, const proto_invite *inv, const char *addr,
                         join_attempt *ret)
{
	(void)nd;
	(void)inv;
	script *s = ctx;
	size_t i = s->calls++;
	snprintf(s->tried[i], sizeof s->tried[i], "%s", addr);
	ret->redeem_result = s->redeem[i];
	ret->not_inviter = s->not_inviter[i];
	snprintf(ret->error, sizeof ret->error, "no answer from %s", addr);
	snprintf(ret->peer_name, sizeof ret->peer_name, "Métropole de Lyon");
	ret->received = s->rc[i] == 0 ? 42 : 0;
	return s->rc[i];
}

/* A script where every address is silent: no redemption, an error. */
static script silent(void)
{
	script s;
	memset(&s, 0, sizeof s);
	for (size_t i = 0; i < PROTO_INVITE_ADDRS_MAX; i++) {
		s.rc[i] = MAILLE_EIO;
		s.redeem[i] = -1;
	}
	return s;
}

static node_env env_at(uint64_t now)
{
	node_env env = { .now_us = now };
	return env;
}

/* A new node in a new temporary directory, and an invitation of another territory's node
 * with two addresses, valid for an hour. */
static void begin(node_dir *nd, proto_invite *inv, uint8_t inviter_sk[PROTO_SECRET_KEY_LEN])
{
	if (proto_init() != 0)
		exit(1);
	strcpy(dir_, "/tmp/maille-join-XXXXXX");
	if (!mkdtemp(dir_)) {
		perror("mkdtemp");
		exit(1);
	}
	char path[128];
	snprintf(path, sizeof path, "%s/node", dir_);
	node_env env = env_at(NOW);
	if (node_dir_create(nd, path, "Ville de Grenoble", NULL, &env) != 0)
		exit(1);
	memset(inv, 0, sizeof *inv);
	randombytes_buf(inv->netkey, sizeof inv->netkey);
	snprintf(inv->federation, sizeof inv->federation, "Coalition IA responsable");
	proto_key_generate(inv->inviter, inviter_sk);
	snprintf(inv->addrs[0], sizeof inv->addrs[0], "127.0.0.1:7470");
	snprintf(inv->addrs[1], sizeof inv->addrs[1], "[::1]:7470");
	inv->n_addrs = 2;
	randombytes_buf(inv->secret, sizeof inv->secret);
	inv->expires_us = NOW + HOUR;
}

static void end(node_dir *nd)
{
	node_dir_close(nd);
	char p[384];
	const char *sub[] = { "node", "" };
	for (size_t k = 0; k < 2; k++) {
		char d[128];
		snprintf(d, sizeof d, "%s/%s", dir_, sub[k]);
		DIR *dh = opendir(d);
		struct dirent *de;
		while (dh && (de = readdir(dh)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof p, "%s/%s", d, de->d_name);
			unlink(p);
		}
		if (dh)
			closedir(dh);
		rmdir(d);
	}
}

static int count_cb(const uint8_t key[PROTO_KEY_LEN], uint64_t added_us, void *ctx)
{
	(void)key;
	(void)added_us;
	(*(size_t *)ctx)++;
	return 0;
}

static size_t trusts(node_dir *nd)
{
	size_t n = 0;
	CHECK_EQ_INT(store_trust_list(nd->st, count_cb, &n), 0);
	return n;
}

static int peer_cb(const char *addr, uint64_t added_us, void *ctx)
{
	(void)added_us;
	snprintf(ctx, 64, "%s", addr);
	return 0;
}

static bool has_federation(const node_dir *nd)
{
	char path[4200];
	struct stat sb;
	return federation_path(nd->path, path, sizeof path) == 0 && stat(path, &sb) == 0;
}

/* Nothing stays of a join that did not happen. */
static void check_untouched(node_dir *nd)
{
	CHECK_EQ_INT(trusts(nd), 0);
	CHECK(!has_federation(nd));
	char peer[64] = "";
	CHECK_EQ_INT(store_peer_list(nd->st, peer_cb, peer), 0);
	CHECK_EQ_STR(peer, "");
}

static void test_joins_through_the_second_address(void)
{
	node_dir nd;
	proto_invite inv;
	uint8_t isk[PROTO_SECRET_KEY_LEN];
	begin(&nd, &inv, isk);
	script s = silent();
	s.rc[1] = 0;
	s.redeem[1] = PROTO_REDEEM_OK;
	join_result jr;
	node_env env = env_at(NOW);
	CHECK_EQ_INT(join_run(&nd, &inv, &env, scripted_sync, &s, &jr), JOIN_OK);
	CHECK_EQ_INT(s.calls, 2);
	CHECK_EQ_STR(s.tried[0], "127.0.0.1:7470");
	CHECK_EQ_STR(s.tried[1], "[::1]:7470");
	CHECK_EQ_STR(jr.address, "[::1]:7470");
	CHECK(!jr.sync_failed);
	CHECK_EQ_INT(jr.sync.received, 42);
	CHECK_EQ_STR(jr.sync.peer_name, "Métropole de Lyon");
	CHECK_EQ_INT(jr.peer_err, 0);
	CHECK(jr.vouched);
	/* what stays: the federation with the token's key, the peer, the trust, the vouch */
	federation f = { 0 };
	char why[160];
	CHECK_EQ_INT(federation_read(jr.fed_path, &f, why, sizeof why, NULL), 0);
	CHECK_EQ_STR(f.name, "Coalition IA responsable");
	CHECK(f.key && memcmp(f.key, inv.netkey, PROTO_NETKEY_LEN) == 0);
	federation_done(&f);
	char peer[64] = "";
	CHECK_EQ_INT(store_peer_list(nd.st, peer_cb, peer), 0);
	CHECK_EQ_STR(peer, "[::1]:7470");
	CHECK_EQ_INT(trusts(&nd), 1);
	char path[PUBLISH_VOUCH_PATH_CAP];
	publish_vouch_path(inv.inviter, path);
	store_row row;
	CHECK_EQ_INT(store_entry_get(nd.st, nd.pk, path, &row), 0);
	CHECK_EQ_INT(row.entry.kind, PROTO_KIND_DOCUMENT);
	store_row_done(&row);
	end(&nd);
}

static void test_refusal_is_final_and_undone(void)
{
	node_dir nd;
	proto_invite inv;
	uint8_t isk[PROTO_SECRET_KEY_LEN];
	begin(&nd, &inv, isk);
	script s = silent();
	s.redeem[0] = PROTO_REDEEM_USED;
	join_result jr;
	node_env env = env_at(NOW);
	CHECK_EQ_INT(join_run(&nd, &inv, &env, scripted_sync, &s, &jr), JOIN_REFUSED);
	CHECK_EQ_INT(s.calls, 1); /* the inviter answered: the other address is the same node */
	CHECK_EQ_INT(jr.sync.redeem_result, PROTO_REDEEM_USED);
	check_untouched(&nd);
	/* a node that already trusted the inviter keeps its trust */
	CHECK_EQ_INT(store_trust_add(nd.st, inv.inviter, NOW), 0);
	s = silent();
	s.redeem[0] = PROTO_REDEEM_EXPIRED;
	CHECK_EQ_INT(join_run(&nd, &inv, &env, scripted_sync, &s, &jr), JOIN_REFUSED);
	CHECK_EQ_INT(trusts(&nd), 1);
	end(&nd);
}

static void test_unreachable_and_not_the_inviter(void)
{
	node_dir nd;
	proto_invite inv;
	uint8_t isk[PROTO_SECRET_KEY_LEN];
	begin(&nd, &inv, isk);
	script s = silent();
	join_result jr;
	node_env env = env_at(NOW);
	CHECK_EQ_INT(join_run(&nd, &inv, &env, scripted_sync, &s, &jr), JOIN_UNREACHABLE);
	CHECK_EQ_INT(s.calls, 2);
	CHECK_EQ_INT(jr.n_errors, 2);
	CHECK_EQ_STR(jr.errors[0], "no answer from 127.0.0.1:7470");
	CHECK_EQ_STR(jr.errors[1], "no answer from [::1]:7470");
	check_untouched(&nd);
	s = silent();
	s.not_inviter[0] = true;
	CHECK_EQ_INT(join_run(&nd, &inv, &env, scripted_sync, &s, &jr), JOIN_NOT_INVITER);
	CHECK_EQ_INT(s.calls, 1);
	check_untouched(&nd);
	end(&nd);
}

/* Redeemed, then the sync broke: joined all the same (the secret is spent), through the
 * first address, and `maille sync` finishes the catalogue later. */
static void test_redeemed_but_sync_failed(void)
{
	node_dir nd;
	proto_invite inv;
	uint8_t isk[PROTO_SECRET_KEY_LEN];
	begin(&nd, &inv, isk);
	script s = silent();
	s.redeem[0] = PROTO_REDEEM_OK; /* rc stays an error */
	join_result jr;
	node_env env = env_at(NOW);
	CHECK_EQ_INT(join_run(&nd, &inv, &env, scripted_sync, &s, &jr), JOIN_OK);
	CHECK_EQ_INT(s.calls, 1);
	CHECK(jr.sync_failed);
	CHECK_EQ_STR(jr.address, "127.0.0.1:7470");
	CHECK(has_federation(&nd));
	CHECK_EQ_INT(trusts(&nd), 1);
	end(&nd);
}

/* Refused before anything is tried: an expired token, this node's own, another federation. */
static void test_refused_before_trying(void)
{
	node_dir nd;
	proto_invite inv;
	uint8_t isk[PROTO_SECRET_KEY_LEN];
	begin(&nd, &inv, isk);
	script s = silent();
	join_result jr;
	node_env late = env_at(NOW + HOUR);
	CHECK_EQ_INT(join_run(&nd, &inv, &late, scripted_sync, &s, &jr), JOIN_EXPIRED);
	node_env env = env_at(NOW);
	proto_invite own = inv;
	memcpy(own.inviter, nd.pk, PROTO_KEY_LEN);
	CHECK_EQ_INT(join_run(&nd, &own, &env, scripted_sync, &s, &jr), JOIN_OWN);
	federation other;
	CHECK_EQ_INT(federation_generate("Réseau des territoires", &other), 0);
	char path[4200];
	CHECK_EQ_INT(federation_path(nd.path, path, sizeof path), 0);
	CHECK_EQ_INT(federation_write(path, &other), 0);
	federation_done(&other);
	CHECK_EQ_INT(join_run(&nd, &inv, &env, scripted_sync, &s, &jr), JOIN_FED_OTHER);
	CHECK_EQ_STR(jr.federation, "Réseau des territoires");
	CHECK_EQ_INT(s.calls, 0);
	CHECK_EQ_INT(trusts(&nd), 0);
	/* the same federation already there: joining goes on and keeps the file as it is */
	unlink(path);
	federation same = { 0 };
	snprintf(same.name, sizeof same.name, "Nom local");
	same.key = sodium_malloc(PROTO_NETKEY_LEN);
	memcpy(same.key, inv.netkey, PROTO_NETKEY_LEN);
	CHECK_EQ_INT(federation_write(path, &same), 0);
	federation_done(&same);
	s.rc[0] = 0;
	s.redeem[0] = PROTO_REDEEM_OK;
	CHECK_EQ_INT(join_run(&nd, &inv, &env, scripted_sync, &s, &jr), JOIN_OK);
	federation f = { 0 };
	char why[160];
	CHECK_EQ_INT(federation_read(path, &f, why, sizeof why, NULL), 0);
	CHECK_EQ_STR(f.name, "Nom local");
	federation_done(&f);
	end(&nd);
}

/* A member's node trusts its territory's node but vouches for nobody. */
static void test_member_node_does_not_vouch(void)
{
	node_dir nd;
	proto_invite inv;
	uint8_t isk[PROTO_SECRET_KEY_LEN];
	begin(&nd, &inv, isk);
	nd.member = true;
	nd.has_territory = false;
	script s = silent();
	s.rc[0] = 0;
	s.redeem[0] = PROTO_REDEEM_OK;
	join_result jr;
	node_env env = env_at(NOW);
	CHECK_EQ_INT(join_run(&nd, &inv, &env, scripted_sync, &s, &jr), JOIN_OK);
	CHECK(!jr.vouched);
	CHECK_EQ_INT(jr.vouch_err, 0);
	CHECK_EQ_INT(trusts(&nd), 1);
	char path[PUBLISH_VOUCH_PATH_CAP];
	publish_vouch_path(inv.inviter, path);
	store_row row;
	CHECK_EQ_INT(store_entry_get(nd.st, nd.pk, path, &row), MAILLE_ENOTFOUND);
	end(&nd);
}

CHECK_MAIN(test_joins_through_the_second_address, test_refusal_is_final_and_undone,
           test_unreachable_and_not_the_inviter, test_redeemed_but_sync_failed,
           test_refused_before_trying, test_member_node_does_not_vouch)
