/* Unit tests of node/service/trust.c: the trust view over a real store (PROTOCOL.md §4.2) —
 * the own key, explicit trusts and their withdrawal, chains of vouches up to and past the hop
 * limit, withdrawn vouches and vouches from untrusted keys that count for nothing, cycles,
 * the shortest chain and the smallest voucher named for it — and a member's capability in
 * force (PROTOCOL.md §4.3). Entries are signed and stored with node/service/publish.c, as the
 * node writes its own. Each test works in its own temporary directory. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "node/service/publish.h"
#include "node/service/trust.h"
#include "proto/error.h"
#include "proto/limits.h"
#include "proto/member.h"
#include "store/store.h"
#include "tests/fixture/tmpdir.h"

#define NOW 1760000000000000ull /* µs: late 2025, the "current time" of every test */
#define HOUR 3600000000ull

typedef struct key {
	uint8_t pk[PROTO_KEY_LEN], sk[PROTO_SECRET_KEY_LEN];
} key;

static char dir_[FIXTURE_TMPDIR_CAP];

/* A new store in a new temporary directory. */
static store *tmp_store_begin(void)
{
	if (proto_init() != 0)
		exit(1);
	fixture_tmpdir_make(dir_, "trust");
	char path[128];
	snprintf(path, sizeof path, "%s/store.sqlite", dir_);
	store *st = NULL;
	if (store_open(path, STORE_OPEN_CREATE, &st) != 0) {
		fprintf(stderr, "cannot create %s\n", path);
		exit(1);
	}
	return st;
}

static void tmp_store_end(store *st)
{
	store_close(st);
	fixture_tmpdir_remove(dir_);
}

/* A new key in each of the keys given, up to NULL. */
static void keys_new(key *k, ...)
{
	va_list ap;
	va_start(ap, k);
	for (; k; k = va_arg(ap, key *))
		proto_key_generate(k->pk, k->sk);
	va_end(ap);
}

/* n keys, sorted by public key, so that a test knows which is the smallest. */
static void keys_sorted(key *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		proto_key_generate(k[i].pk, k[i].sk);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && memcmp(k[j - 1].pk, k[j].pk, PROTO_KEY_LEN) > 0; j--) {
			key t = k[j];
			k[j] = k[j - 1];
			k[j - 1] = t;
		}
}

/* from's territory vouches for to (active), or withdraws its vouch (a tombstone). */
static int vouch(store *st, const key *from, const key *to, bool active)
{
	static const uint8_t body[] = { 0x81, 0xa4, 't', 'y', 'p', 'e',
		                        0xa5, 'v',  'o', 'u', 'c', 'h' };
	static const uint8_t empty_map = 0x80;
	char path[PUBLISH_VOUCH_PATH_CAP];
	publish_vouch_path(to->pk, path);
	publish_signer s = { .territory = from->pk, .sk = from->sk, .capref = NULL };
	return active ? publish_put(st, &s, path, PROTO_KIND_DOCUMENT, body, sizeof body, NOW, NULL)
	              : publish_put(st, &s, path, PROTO_KIND_TOMBSTONE, &empty_map, 1, NOW, NULL);
}

static trust_view view_of(store *st, const key *own, unsigned hops)
{
	trust_view tv = { 0 };
	CHECK_EQ_INT(trust_compute(st, own->pk, hops, &tv), 0);
	return tv;
}

/* Whether tv trusts k with this reason, at this many hops, through via (NULL: no voucher). */
static bool trusted(const trust_view *tv, const key *k, int reason, unsigned hops, const key *via)
{
	const trust_node *n = trust_find(tv, k->pk);
	static const uint8_t zero[PROTO_KEY_LEN];
	return n && n->reason == reason && n->hops == hops &&
	       memcmp(n->via, via ? via->pk : zero, PROTO_KEY_LEN) == 0;
}

/* The view is in key order, one node per key (trust_find's bsearch relies on it). */
static bool well_formed(const trust_view *tv)
{
	for (size_t i = 1; i < tv->n; i++)
		if (memcmp(tv->v[i - 1].key, tv->v[i].key, PROTO_KEY_LEN) >= 0)
			return false;
	return true;
}

static void test_own_key_only(void)
{
	store *st = tmp_store_begin();
	key k[2];
	keys_sorted(k, 2);
	trust_view tv = view_of(st, &k[0], TRUST_HOPS_DEFAULT);
	CHECK_EQ_INT(tv.n, 1);
	CHECK(trusted(&tv, &k[0], TRUST_OWN, 0, NULL));
	CHECK(trust_find(&tv, k[1].pk) == NULL);
	trust_view_done(&tv);
	CHECK(tv.v == NULL && tv.n == 0);
	trust_view_done(&tv); /* twice, and NULL: fine */
	trust_view_done(NULL);
	tmp_store_end(st);
}

static void test_explicit_trust_and_withdrawal(void)
{
	store *st = tmp_store_begin();
	key own, b, c;
	keys_new(&own, &b, &c, NULL);
	CHECK_EQ_INT(store_trust_add(st, b.pk, NOW), 0);
	CHECK_EQ_INT(vouch(st, &b, &c, true), 0);
	trust_view tv = view_of(st, &own, TRUST_HOPS_DEFAULT);
	CHECK_EQ_INT(tv.n, 3);
	/* an explicit trust is a link of the chain: one hop, and what it vouches for one more */
	CHECK(trusted(&tv, &b, TRUST_EXPLICIT, 1, NULL));
	CHECK(trusted(&tv, &c, TRUST_VOUCHED, 2, &b));
	trust_view_done(&tv);
	/* a hop limit of 1 keeps the explicit trust, not what it vouches for */
	tv = view_of(st, &own, 1);
	CHECK(trusted(&tv, &b, TRUST_EXPLICIT, 1, NULL));
	CHECK(trust_find(&tv, c.pk) == NULL);
	trust_view_done(&tv);
	/* withdrawn: neither B nor what B vouches for */
	CHECK_EQ_INT(store_trust_remove(st, b.pk), 0);
	tv = view_of(st, &own, TRUST_HOPS_DEFAULT);
	CHECK_EQ_INT(tv.n, 1);
	CHECK(trust_find(&tv, b.pk) == NULL && trust_find(&tv, c.pk) == NULL);
	trust_view_done(&tv);
	tmp_store_end(st);
}

/* A trusted by hand and vouched for by this node: "explicit", which `maille untrust` would
 * change, and still trusted through the vouch once the explicit trust is withdrawn. */
static void test_explicit_wins_over_own_vouch(void)
{
	store *st = tmp_store_begin();
	key own, a;
	keys_new(&own, &a, NULL);
	CHECK_EQ_INT(vouch(st, &own, &a, true), 0);
	CHECK_EQ_INT(store_trust_add(st, a.pk, NOW), 0);
	trust_view tv = view_of(st, &own, TRUST_HOPS_DEFAULT);
	CHECK_EQ_INT(tv.n, 2);
	CHECK(trusted(&tv, &a, TRUST_EXPLICIT, 1, NULL));
	trust_view_done(&tv);
	CHECK_EQ_INT(store_trust_remove(st, a.pk), 0);
	tv = view_of(st, &own, TRUST_HOPS_DEFAULT);
	CHECK(trusted(&tv, &a, TRUST_VOUCHED, 1, &own));
	trust_view_done(&tv);
	/* the own key trusted by hand (an older version allowed it) stays the own key */
	CHECK_EQ_INT(store_trust_add(st, own.pk, NOW), 0);
	tv = view_of(st, &own, TRUST_HOPS_DEFAULT);
	CHECK_EQ_INT(tv.n, 2);
	CHECK(trusted(&tv, &own, TRUST_OWN, 0, NULL));
	CHECK(well_formed(&tv));
	trust_view_done(&tv);
	tmp_store_end(st);
}

/* own -> k1 -> k2 -> ... -> k6: each hop limit keeps exactly the keys within it. */
static void test_chain_and_hop_limit(void)
{
	store *st = tmp_store_begin();
	key k[7];
	for (size_t i = 0; i < 7; i++)
		keys_sorted(&k[i], 1);
	for (size_t i = 0; i + 1 < 7; i++)
		CHECK_EQ_INT(vouch(st, &k[i], &k[i + 1], true), 0);
	for (unsigned hops = 1; hops <= 6; hops++) {
		trust_view tv = view_of(st, &k[0], hops);
		CHECK_EQ_INT(tv.n, hops + 1);
		for (unsigned i = 1; i <= hops; i++)
			CHECK(trusted(&tv, &k[i], TRUST_VOUCHED, i, &k[i - 1]));
		if (hops < 6)
			CHECK(trust_find(&tv, k[hops + 1].pk) == NULL);
		CHECK(well_formed(&tv));
		trust_view_done(&tv);
	}
	/* from the middle of the chain: only what lies downstream */
	trust_view tv = view_of(st, &k[3], TRUST_HOPS_MAX);
	CHECK_EQ_INT(tv.n, 4);
	CHECK(trust_find(&tv, k[2].pk) == NULL);
	CHECK(trusted(&tv, &k[6], TRUST_VOUCHED, 3, &k[5]));
	trust_view_done(&tv);
	tmp_store_end(st);
}

/* A withdrawn vouch (its tombstone) counts for nothing, and neither does a vouch by a key
 * this node does not trust; vouching again after a withdrawal counts again. */
static void test_withdrawn_and_untrusted_vouches(void)
{
	store *st = tmp_store_begin();
	key own, b, c, z;
	keys_new(&own, &b, &c, &z, NULL);
	CHECK_EQ_INT(vouch(st, &own, &b, true), 0);
	CHECK_EQ_INT(vouch(st, &b, &c, true), 0);
	CHECK_EQ_INT(vouch(st, &z, &c, true), 0); /* z: nobody trusts it */
	CHECK_EQ_INT(vouch(st, &b, &c, false), 0);
	trust_view tv = view_of(st, &own, TRUST_HOPS_DEFAULT);
	CHECK_EQ_INT(tv.n, 2);
	CHECK(trusted(&tv, &b, TRUST_VOUCHED, 1, &own));
	CHECK(trust_find(&tv, c.pk) == NULL);
	CHECK(trust_find(&tv, z.pk) == NULL);
	trust_view_done(&tv);
	CHECK_EQ_INT(vouch(st, &b, &c, true), 0);
	tv = view_of(st, &own, TRUST_HOPS_DEFAULT);
	CHECK(trusted(&tv, &c, TRUST_VOUCHED, 2, &b));
	trust_view_done(&tv);
	/* this node withdraws its own vouch for b: the whole branch goes */
	CHECK_EQ_INT(vouch(st, &own, &b, false), 0);
	tv = view_of(st, &own, TRUST_HOPS_DEFAULT);
	CHECK_EQ_INT(tv.n, 1);
	trust_view_done(&tv);
	tmp_store_end(st);
}

/* own -> a -> b -> c -> own, c -> a, b -> a: every key once, at its shortest distance, and
 * the own key stays the own key. */
static void test_cycles(void)
{
	store *st = tmp_store_begin();
	key own, a, b, c;
	keys_new(&own, &a, &b, &c, NULL);
	CHECK_EQ_INT(vouch(st, &own, &a, true), 0);
	CHECK_EQ_INT(vouch(st, &a, &b, true), 0);
	CHECK_EQ_INT(vouch(st, &b, &c, true), 0);
	CHECK_EQ_INT(vouch(st, &c, &own, true), 0);
	CHECK_EQ_INT(vouch(st, &c, &a, true), 0);
	CHECK_EQ_INT(vouch(st, &b, &a, true), 0);
	trust_view tv = view_of(st, &own, TRUST_HOPS_MAX);
	CHECK_EQ_INT(tv.n, 4);
	CHECK(trusted(&tv, &own, TRUST_OWN, 0, NULL));
	CHECK(trusted(&tv, &a, TRUST_VOUCHED, 1, &own));
	CHECK(trusted(&tv, &b, TRUST_VOUCHED, 2, &a));
	CHECK(trusted(&tv, &c, TRUST_VOUCHED, 3, &b));
	CHECK(well_formed(&tv));
	trust_view_done(&tv);
	tmp_store_end(st);
}

/* Two chains to d: the shorter one wins; two of the same length: the smallest voucher is
 * named, whatever order the vouches were stored in. */
static void test_shortest_chain_smallest_voucher(void)
{
	store *st = tmp_store_begin();
	key own, v[2], d, e, f;
	keys_new(&own, &d, &e, &f, NULL);
	keys_sorted(v, 2); /* v[0] < v[1] */
	CHECK_EQ_INT(vouch(st, &own, &v[1], true), 0);
	CHECK_EQ_INT(vouch(st, &own, &v[0], true), 0);
	CHECK_EQ_INT(vouch(st, &v[1], &d, true), 0); /* the larger voucher's vouch first */
	CHECK_EQ_INT(vouch(st, &v[0], &d, true), 0);
	/* e: through d at 3 hops, and directly from v[1] at 2 */
	CHECK_EQ_INT(vouch(st, &d, &e, true), 0);
	CHECK_EQ_INT(vouch(st, &v[1], &e, true), 0);
	CHECK_EQ_INT(vouch(st, &e, &f, true), 0);
	trust_view tv = view_of(st, &own, TRUST_HOPS_DEFAULT);
	CHECK_EQ_INT(tv.n, 6);
	CHECK(trusted(&tv, &d, TRUST_VOUCHED, 2, &v[0]));
	CHECK(trusted(&tv, &e, TRUST_VOUCHED, 2, &v[1]));
	CHECK(trusted(&tv, &f, TRUST_VOUCHED, 3, &e));
	CHECK(well_formed(&tv));
	trust_view_done(&tv);
	tmp_store_end(st);
}

/* territory signs members/<member> with the window [from, until) and the member's name. */
static int add_member(store *st, const key *territory, const key *member, const char *name,
                      uint64_t from, uint64_t until, uint64_t now)
{
	proto_member_cap c;
	memset(&c, 0, sizeof c);
	memcpy(c.territory, territory->pk, PROTO_KEY_LEN);
	memcpy(c.member, member->pk, PROTO_KEY_LEN);
	snprintf(c.name, sizeof c.name, "%s", name);
	c.role = PROTO_ROLE_EDITOR;
	c.from_us = from;
	c.until_us = until;
	uint8_t *body = NULL;
	size_t len = 0;
	int r = proto_member_cap_body(&c, &body, &len);
	if (r)
		return r;
	char path[PUBLISH_CAPREF_CAP];
	publish_capref(member->pk, path);
	publish_signer s = { .territory = territory->pk, .sk = territory->sk, .capref = NULL };
	r = publish_put(st, &s, path, PROTO_KIND_DOCUMENT, body, len, now, NULL);
	free(body);
	return r;
}

/* The capability in force at a time: none before its window or after it, none once it is
 * withdrawn; of two territories that made the key a member, the newest capability. */
static void test_member_capability(void)
{
	store *st = tmp_store_begin();
	key t1, t2, m, other;
	keys_new(&t1, &t2, &m, &other, NULL);
	proto_member_cap cap;
	CHECK_EQ_INT(trust_member_cap(st, m.pk, NOW, &cap), MAILLE_ENOTFOUND);
	CHECK_EQ_INT(add_member(st, &t1, &m, "Camille Martin", NOW - HOUR, NOW + HOUR, NOW), 0);
	memset(&cap, 0, sizeof cap);
	CHECK_EQ_INT(trust_member_cap(st, m.pk, NOW, &cap), 0);
	CHECK(memcmp(cap.territory, t1.pk, PROTO_KEY_LEN) == 0);
	CHECK(memcmp(cap.member, m.pk, PROTO_KEY_LEN) == 0);
	CHECK_EQ_STR(cap.name, "Camille Martin");
	CHECK_EQ_INT(trust_member_cap(st, m.pk, NOW - HOUR, &cap), 0); /* from: included */
	CHECK_EQ_INT(trust_member_cap(st, m.pk, NOW - HOUR - 1, &cap), MAILLE_ENOTFOUND);
	CHECK_EQ_INT(trust_member_cap(st, m.pk, NOW + HOUR, &cap), MAILLE_ENOTFOUND); /* until */
	CHECK_EQ_INT(trust_member_cap(st, other.pk, NOW, &cap), MAILLE_ENOTFOUND);
	/* a second territory makes the same key a member later: its capability is the one */
	CHECK_EQ_INT(
	    add_member(st, &t2, &m, "Camille Martin (Isère)", NOW - HOUR, UINT64_MAX, NOW + 1000),
	    0);
	CHECK_EQ_INT(trust_member_cap(st, m.pk, NOW, &cap), 0);
	CHECK(memcmp(cap.territory, t2.pk, PROTO_KEY_LEN) == 0);
	CHECK_EQ_STR(cap.name, "Camille Martin (Isère)");
	/* the first one's window has ended: the second still holds, with no end */
	CHECK_EQ_INT(trust_member_cap(st, m.pk, NOW + 10 * HOUR, &cap), 0);
	CHECK(memcmp(cap.territory, t2.pk, PROTO_KEY_LEN) == 0);
	/* the second territory withdraws it (a tombstone): the first one is back */
	static const uint8_t empty_map = 0x80;
	char path[PUBLISH_CAPREF_CAP];
	publish_capref(m.pk, path);
	publish_signer s = { .territory = t2.pk, .sk = t2.sk, .capref = NULL };
	CHECK_EQ_INT(
	    publish_put(st, &s, path, PROTO_KIND_TOMBSTONE, &empty_map, 1, NOW + 2000, NULL), 0);
	CHECK_EQ_INT(trust_member_cap(st, m.pk, NOW, &cap), 0);
	CHECK(memcmp(cap.territory, t1.pk, PROTO_KEY_LEN) == 0);
	CHECK_EQ_INT(trust_member_cap(st, m.pk, NOW + 10 * HOUR, &cap), MAILLE_ENOTFOUND);
	tmp_store_end(st);
}

/* The rule of publish_put that the trust view relies on for a withdrawal: a new version at a
 * path always wins, even when the clock is behind the live one; a clock so far behind that
 * the new version would be from its own future (PROTO_FUTURE_SKEW_US) stores nothing, as the
 * store refuses such an entry from any peer. */
static void test_edit_wins_behind_the_clock(void)
{
	store *st = tmp_store_begin();
	key own, b;
	keys_new(&own, &b, NULL);
	char path[PUBLISH_VOUCH_PATH_CAP];
	publish_vouch_path(b.pk, path);
	CHECK_EQ_INT(vouch(st, &own, &b, true), 0);
	CHECK_EQ_INT(publish_timestamp(st, own.pk, path, NOW - HOUR), NOW + 1);
	CHECK_EQ_INT(publish_timestamp(st, own.pk, path, NOW + HOUR), NOW + HOUR);
	CHECK_EQ_INT(publish_timestamp(st, b.pk, path, NOW - HOUR), NOW - HOUR); /* no live one */
	static const uint8_t empty_map = 0x80;
	publish_signer s = { .territory = own.pk, .sk = own.sk, .capref = NULL };
	uint8_t id[PROTO_ID_LEN];
	CHECK_EQ_INT(publish_put(st, &s, path, PROTO_KIND_TOMBSTONE, &empty_map, 1,
	                         NOW - PROTO_FUTURE_SKEW_US - 2, id),
	             MAILLE_EFUTURE);
	store_row row;
	CHECK_EQ_INT(store_entry_get(st, own.pk, path, &row), 0);
	CHECK_EQ_INT(row.entry.kind, PROTO_KIND_DOCUMENT);
	store_row_done(&row);
	/* a minute behind: the withdrawal supersedes the vouch, stamped just after it */
	CHECK_EQ_INT(
	    publish_put(st, &s, path, PROTO_KIND_TOMBSTONE, &empty_map, 1, NOW - 60000000ull, id),
	    0);
	CHECK_EQ_INT(store_entry_get(st, own.pk, path, &row), 0);
	CHECK_EQ_INT(row.entry.kind, PROTO_KIND_TOMBSTONE);
	CHECK_EQ_INT(row.entry.timestamp, NOW + 1);
	CHECK(memcmp(row.id, id, PROTO_ID_LEN) == 0);
	store_row_done(&row);
	trust_view tv = view_of(st, &own, TRUST_HOPS_DEFAULT);
	CHECK_EQ_INT(tv.n, 1);
	trust_view_done(&tv);
	tmp_store_end(st);
}

CHECK_MAIN(test_own_key_only, test_explicit_trust_and_withdrawal, test_explicit_wins_over_own_vouch,
           test_chain_and_hop_limit, test_withdrawn_and_untrusted_vouches, test_cycles,
           test_shortest_chain_smallest_voucher, test_member_capability,
           test_edit_wins_behind_the_clock)
