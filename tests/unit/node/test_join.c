/* Unit tests of node/service/join.c: the invitation workflow (PROTOCOL.md §4.1, §4.5) on a real
 * node directory, with a scripted sync in place of the daemon's dialer: what is tried, in
 * which order, and what stays written — nothing after a refusal, an unreachable inviter or a
 * token this node cannot take; the federation, the peer, the trust and the vouch once the
 * inviter has redeemed the secret. Each test works in its own temporary directory. */
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
#include "tests/fixture/tmpdir.h"

#define NOW 1760000000000000ull /* µs: late 2025, the "current time" of every test */
#define HOUR 3600000000ull

static char dir_[FIXTURE_TMPDIR_CAP];

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

/* What every test starts with: a new node in a new temporary directory, an invitation of
 * another territory's node with two addresses, valid for an hour, a script where every address
 * is silent (the test says which answers), and the clock at NOW. */
typedef struct fixture {
	node_dir nd;
	proto_invite inv;
	uint8_t isk[PROTO_SECRET_KEY_LEN];
	script s;
	join_result jr;
	node_env env;
} fixture;

static void begin(fixture *t)
{
	if (proto_init() != 0)
		exit(1);
	fixture_tmpdir_make(dir_, "join");
	char path[128];
	snprintf(path, sizeof path, "%s/node", dir_);
	t->env = env_at(NOW);
	if (node_dir_create(&t->nd, path, "Ville de Grenoble", NULL, &t->env) != 0)
		exit(1);
	proto_invite *inv = &t->inv;
	memset(inv, 0, sizeof *inv);
	randombytes_buf(inv->netkey, sizeof inv->netkey);
	snprintf(inv->federation, sizeof inv->federation, "Coalition IA responsable");
	proto_key_generate(inv->inviter, t->isk);
	snprintf(inv->addrs[0], sizeof inv->addrs[0], "127.0.0.1:7470");
	snprintf(inv->addrs[1], sizeof inv->addrs[1], "[::1]:7470");
	inv->n_addrs = 2;
	randombytes_buf(inv->secret, sizeof inv->secret);
	inv->expires_us = NOW + HOUR;
	t->s = silent();
}

/* join_run with the fixture's invitation, clock and script. */
static int run(fixture *t)
{
	return join_run(&t->nd, &t->inv, &t->env, scripted_sync, &t->s, &t->jr);
}

static void end(fixture *t)
{
	node_dir_close(&t->nd);
	fixture_tmpdir_remove(dir_);
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

/* store_entry_get of the vouch this node would publish for the inviter. */
static int vouch_get(fixture *t, store_row *ret)
{
	char path[PUBLISH_VOUCH_PATH_CAP];
	publish_vouch_path(t->inv.inviter, path);
	return store_entry_get(t->nd.st, t->nd.pk, path, ret);
}

static void test_joins_through_the_second_address(void)
{
	fixture t;
	begin(&t);
	t.s.rc[1] = 0;
	t.s.redeem[1] = PROTO_REDEEM_OK;
	CHECK_EQ_INT(run(&t), JOIN_OK);
	CHECK_EQ_INT(t.s.calls, 2);
	CHECK_EQ_STR(t.s.tried[0], "127.0.0.1:7470");
	CHECK_EQ_STR(t.s.tried[1], "[::1]:7470");
	CHECK_EQ_STR(t.jr.address, "[::1]:7470");
	CHECK(!t.jr.sync_failed);
	CHECK_EQ_INT(t.jr.sync.received, 42);
	CHECK_EQ_STR(t.jr.sync.peer_name, "Métropole de Lyon");
	CHECK_EQ_INT(t.jr.peer_err, 0);
	CHECK(t.jr.vouched);
	/* what stays: the federation with the token's key, the peer, the trust, the vouch */
	federation f = { 0 };
	char why[160];
	CHECK_EQ_INT(federation_read(t.jr.fed_path, &f, why, sizeof why, NULL), 0);
	CHECK_EQ_STR(f.name, "Coalition IA responsable");
	CHECK(f.key && memcmp(f.key, t.inv.netkey, PROTO_NETKEY_LEN) == 0);
	federation_done(&f);
	char peer[64] = "";
	CHECK_EQ_INT(store_peer_list(t.nd.st, peer_cb, peer), 0);
	CHECK_EQ_STR(peer, "[::1]:7470");
	CHECK_EQ_INT(trusts(&t.nd), 1);
	store_row row;
	CHECK_EQ_INT(vouch_get(&t, &row), 0);
	CHECK_EQ_INT(row.entry.kind, PROTO_KIND_DOCUMENT);
	store_row_done(&row);
	end(&t);
}

static void test_refusal_is_final_and_undone(void)
{
	fixture t;
	begin(&t);
	t.s.redeem[0] = PROTO_REDEEM_USED;
	CHECK_EQ_INT(run(&t), JOIN_REFUSED);
	CHECK_EQ_INT(t.s.calls, 1); /* the inviter answered: the other address is the same node */
	CHECK_EQ_INT(t.jr.sync.redeem_result, PROTO_REDEEM_USED);
	check_untouched(&t.nd);
	/* a node that already trusted the inviter keeps its trust */
	CHECK_EQ_INT(store_trust_add(t.nd.st, t.inv.inviter, NOW), 0);
	t.s = silent();
	t.s.redeem[0] = PROTO_REDEEM_EXPIRED;
	CHECK_EQ_INT(run(&t), JOIN_REFUSED);
	CHECK_EQ_INT(trusts(&t.nd), 1);
	end(&t);
}

static void test_unreachable_and_not_the_inviter(void)
{
	fixture t;
	begin(&t);
	CHECK_EQ_INT(run(&t), JOIN_UNREACHABLE);
	CHECK_EQ_INT(t.s.calls, 2);
	CHECK_EQ_INT(t.jr.n_errors, 2);
	CHECK_EQ_STR(t.jr.errors[0], "no answer from 127.0.0.1:7470");
	CHECK_EQ_STR(t.jr.errors[1], "no answer from [::1]:7470");
	check_untouched(&t.nd);
	t.s = silent();
	t.s.not_inviter[0] = true;
	CHECK_EQ_INT(run(&t), JOIN_NOT_INVITER);
	CHECK_EQ_INT(t.s.calls, 1);
	check_untouched(&t.nd);
	end(&t);
}

/* Redeemed, then the sync broke: joined all the same (the secret is spent), through the
 * first address, and `maille sync` finishes the catalogue later. */
static void test_redeemed_but_sync_failed(void)
{
	fixture t;
	begin(&t);
	t.s.redeem[0] = PROTO_REDEEM_OK; /* rc stays an error */
	CHECK_EQ_INT(run(&t), JOIN_OK);
	CHECK_EQ_INT(t.s.calls, 1);
	CHECK(t.jr.sync_failed);
	CHECK_EQ_STR(t.jr.address, "127.0.0.1:7470");
	CHECK(has_federation(&t.nd));
	CHECK_EQ_INT(trusts(&t.nd), 1);
	end(&t);
}

/* Refused before anything is tried: an expired token, this node's own, another federation. */
static void test_refused_before_trying(void)
{
	fixture t;
	begin(&t);
	node_env late = env_at(NOW + HOUR);
	CHECK_EQ_INT(join_run(&t.nd, &t.inv, &late, scripted_sync, &t.s, &t.jr), JOIN_EXPIRED);
	proto_invite own = t.inv;
	memcpy(own.inviter, t.nd.pk, PROTO_KEY_LEN);
	CHECK_EQ_INT(join_run(&t.nd, &own, &t.env, scripted_sync, &t.s, &t.jr), JOIN_OWN);
	federation other;
	CHECK_EQ_INT(federation_generate("Réseau des territoires", &other), 0);
	char path[4200];
	CHECK_EQ_INT(federation_path(t.nd.path, path, sizeof path), 0);
	CHECK_EQ_INT(federation_write(path, &other), 0);
	federation_done(&other);
	CHECK_EQ_INT(run(&t), JOIN_FED_OTHER);
	CHECK_EQ_STR(t.jr.federation, "Réseau des territoires");
	CHECK_EQ_INT(t.s.calls, 0);
	CHECK_EQ_INT(trusts(&t.nd), 0);
	/* the same federation already there: joining goes on and keeps the file as it is */
	unlink(path);
	federation same = { 0 };
	snprintf(same.name, sizeof same.name, "Nom local");
	same.key = sodium_malloc(PROTO_NETKEY_LEN);
	memcpy(same.key, t.inv.netkey, PROTO_NETKEY_LEN);
	CHECK_EQ_INT(federation_write(path, &same), 0);
	federation_done(&same);
	t.s.rc[0] = 0;
	t.s.redeem[0] = PROTO_REDEEM_OK;
	CHECK_EQ_INT(run(&t), JOIN_OK);
	federation f = { 0 };
	char why[160];
	CHECK_EQ_INT(federation_read(path, &f, why, sizeof why, NULL), 0);
	CHECK_EQ_STR(f.name, "Nom local");
	federation_done(&f);
	end(&t);
}

/* A member's node trusts its territory's node but vouches for nobody. */
static void test_member_node_does_not_vouch(void)
{
	fixture t;
	begin(&t);
	t.nd.member = true;
	t.nd.has_territory = false;
	t.s.rc[0] = 0;
	t.s.redeem[0] = PROTO_REDEEM_OK;
	CHECK_EQ_INT(run(&t), JOIN_OK);
	CHECK(!t.jr.vouched);
	CHECK_EQ_INT(t.jr.vouch_err, 0);
	CHECK_EQ_INT(trusts(&t.nd), 1);
	store_row row;
	CHECK_EQ_INT(vouch_get(&t, &row), MAILLE_ENOTFOUND);
	end(&t);
}

CHECK_MAIN(test_joins_through_the_second_address, test_refusal_is_final_and_undone,
           test_unreachable_and_not_the_inviter, test_redeemed_but_sync_failed,
           test_refused_before_trying, test_member_node_does_not_vouch)
