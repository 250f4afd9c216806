/* Unit tests of node/service/coop.c against a real store (PROTOCOL.md §5.2–§5.4): a call's
 * interests (an act counts only at the path its body gives), the awards a record holds (only
 * from the label's own territory or a member whose capability covers award/, on a live label,
 * with the label's criteria; on an older version; expired), awards received and given, the
 * comment thread (depth first, oldest first at each level, depth capped, untrusted authors
 * flagged and counted, hidden comments with their reason), "Utilisé par" and its bare-path
 * rule, the calls. Records are written as front matter and signed and stored with
 * node/service/publish.c, as the node writes its own. Each test works in its own temporary
 * directory. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "node/service/coop.h"
#include "node/service/frontmatter.h"
#include "node/service/publish.h"
#include "node/service/trust.h"
#include "proto/error.h"
#include "proto/member.h"
#include "tests/fixture/tmpdir.h"

#define NOW                                                                                        \
	1796634000000000ull /* µs: 7 December 2026, 9:00 UTC, the "current time" of every test */
#define SEC 1000000ull
#define TODAY "2026-12-07"

typedef struct key {
	uint8_t pk[PROTO_KEY_LEN], sk[PROTO_SECRET_KEY_LEN];
	char hex[2 * PROTO_KEY_LEN + 1];
	publish_signer s;
} key;

static char dir_[FIXTURE_TMPDIR_CAP];
static uint64_t clock_ = NOW; /* each publication one second after the one before */

static store *begin(void)
{
	char path[128];
	store *st = NULL;
	fixture_tmpdir_make(dir_, "coop");
	snprintf(path, sizeof path, "%s/store.sqlite", dir_);
	if (proto_init() != 0 || store_open(path, STORE_OPEN_CREATE, &st) != 0)
		exit(1);
	return st;
}

static void end(store *st, trust_view *tv)
{
	trust_view_done(tv);
	store_close(st);
	fixture_tmpdir_remove(dir_);
}

static void key_new(key *k)
{
	proto_key_generate(k->pk, k->sk);
	proto_hex(k->pk, PROTO_KEY_LEN, k->hex);
	k->s = (publish_signer){ .territory = k->pk, .sk = k->sk, .capref = NULL };
}

/* Publishes the front matter (a printf format) at path with signer s; path NULL: the act's
 * own path (proto_coop_path, a comment's name from rnd), written into ret_path. Returns
 * publish_put's code. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 7, 8)))
#endif
static int
pub(store *st, const publish_signer *s, const char *path, char *ret_path,
    uint8_t ret_id[PROTO_ID_LEN], uint8_t rnd, const char *fmt, ...);

static int pub(store *st, const publish_signer *s, const char *path, char *ret_path,
               uint8_t ret_id[PROTO_ID_LEN], uint8_t rnd, const char *fmt, ...)
{
	char yaml[8192], own[PROTO_PATH_MAX + 1];
	va_list ap;
	proto_arena a;
	proto_value *body = NULL;
	uint8_t *bytes = NULL, r8[8] = { rnd, rnd, rnd, rnd, rnd, rnd, rnd, rnd };
	size_t len = 0;
	fm_error err;
	int n, rc;

	memcpy(yaml, "---\n", 4);
	va_start(ap, fmt);
	n = vsnprintf(yaml + 4, sizeof yaml - 8, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof yaml - 8)
		exit(1);
	memcpy(yaml + 4 + n, "---\n", 5);
	proto_arena_init(&a, 0);
	if (fm_parse((const uint8_t *)yaml, strlen(yaml), &a, &body, NULL, &err) != 0) {
		fprintf(stderr, "pub: %s\n%s", err.message, yaml);
		exit(1);
	}
	if (!path) {
		CHECK_EQ_INT(proto_coop_path(body, r8, own, sizeof own), 0);
		path = own;
	}
	if (ret_path)
		snprintf(ret_path, PROTO_PATH_MAX + 1, "%s", path);
	CHECK_EQ_INT(publish_encode_body(body, &bytes, &len), 0);
	clock_ += SEC;
	rc = publish_put(st, s, path, PROTO_KIND_DOCUMENT, bytes, len, clock_, ret_id);
	free(bytes);
	proto_arena_done(&a);
	return rc;
}

static int tombstone(store *st, const publish_signer *s, const char *path)
{
	static const uint8_t empty = 0x80;
	clock_ += SEC;
	return publish_put(st, s, path, PROTO_KIND_TOMBSTONE, &empty, 1, clock_, NULL);
}

/* The territory k makes m its member, writing under prefix; m's signer for k's territory. */
static void member_of(store *st, const key *k, key *m, const char *prefix, char capref[80])
{
	proto_member_cap c;
	uint8_t *body = NULL;
	size_t len = 0;
	memset(&c, 0, sizeof c);
	memcpy(c.territory, k->pk, PROTO_KEY_LEN);
	memcpy(c.member, m->pk, PROTO_KEY_LEN);
	snprintf(c.name, sizeof c.name, "Camille Martin");
	c.role = PROTO_ROLE_EDITOR;
	snprintf(c.prefix, sizeof c.prefix, "%s", prefix);
	c.from_us = 0;
	c.until_us = UINT64_MAX;
	CHECK_EQ_INT(proto_member_cap_body(&c, &body, &len), 0);
	publish_capref(m->pk, capref);
	clock_ += SEC;
	CHECK_EQ_INT(publish_put(st, &k->s, capref, PROTO_KIND_DOCUMENT, body, len, clock_, NULL),
	             0);
	free(body);
	m->s = (publish_signer){ .territory = k->pk, .sk = m->sk, .capref = capref };
}

/* The node of own trusts each key given, up to NULL (explicitly). */
static trust_view trusting(store *st, const key *own, ...)
{
	va_list ap;
	trust_view tv = { 0 };
	va_start(ap, own);
	for (const key *k = va_arg(ap, const key *); k; k = va_arg(ap, const key *))
		CHECK_EQ_INT(store_trust_add(st, k->pk, NOW), 0);
	va_end(ap);
	CHECK_EQ_INT(trust_compute(st, own->pk, TRUST_HOPS_DEFAULT, &tv), 0);
	return tv;
}

/* What a walk gave: each item's territory (its key's first hex digits), path and flags. */
typedef struct seen {
	size_t n;
	struct {
		uint8_t territory[PROTO_KEY_LEN];
		char path[PROTO_PATH_MAX + 1];
		bool trusted, older, expired;
		unsigned depth;
		char hidden[64];
		char label[PROTO_PATH_MAX + 1];
	} v[32];
} seen;

static int seen_cb(const coop_item *it, void *ctx)
{
	seen *s = ctx;
	if (s->n < 32) {
		memcpy(s->v[s->n].territory, it->row->entry.territory, PROTO_KEY_LEN);
		snprintf(s->v[s->n].path, sizeof s->v[0].path, "%.*s", (int)it->row->entry.path_len,
		         it->row->entry.path);
		s->v[s->n].trusted = it->trusted;
		s->v[s->n].older = it->older_version;
		s->v[s->n].expired = it->expired;
		s->v[s->n].depth = it->depth;
		snprintf(s->v[s->n].hidden, sizeof s->v[0].hidden, "%s",
		         it->hidden ? it->hidden : "");
		if (it->label)
			snprintf(s->v[s->n].label, sizeof s->v[0].label, "%.*s",
			         (int)it->label->entry.path_len, it->label->entry.path);
	}
	s->n++;
	return 0;
}

static bool from(const seen *s, size_t i, const key *k)
{
	return i < s->n && memcmp(s->v[i].territory, k->pk, PROTO_KEY_LEN) == 0;
}

#define CALL_FM "type: call\ntitle: Mutualiser un assistant de transcription\nstatus: open\n"
#define INTEREST_FM(role) "type: interest\ncall:\n  territory: \"%s\"\n  path: %s\nrole: " role "\n"
#define LABEL_FM                                                                                   \
	"type: label\ntitle: IA de confiance\ncriteria:\n  - id: transparence\n    text: Au "      \
	"registre.\n  - id: sobriete\n    text: Empreinte mesurée.\n"
#define COMPONENT_FM "type: component\ntitle: Outil de transcription\n"
/* label territory, label path, target territory, target path, entry hex, criteria, until */
#define AWARD_FM                                                                                   \
	"type: award\nlabel:\n  territory: \"%s\"\n  path: %s\ntarget:\n  territory: \"%s\"\n"     \
	"  path: %s\n  entry: \"%s\"\ncriteria: [%s]\nawarded: \"2026-12-01\"\nuntil: \"%s\"\n"
#define COMMENT_FM "type: comment\ntarget:\n  territory: \"%s\"\n  path: %s\ntext: %s\n"

static void test_interests(void)
{
	store *st = begin();
	key a, b, c, d;
	char p[PROTO_PATH_MAX + 1];
	key_new(&a), key_new(&b), key_new(&c), key_new(&d);
	trust_view tv = trusting(st, &a, &b, &c, NULL);
	CHECK_EQ_INT(pub(st, &a.s, "call/transcription", NULL, NULL, 0, CALL_FM), 0);
	CHECK_EQ_INT(pub(st, &a.s, "call/autre", NULL, NULL, 0, CALL_FM), 0);
	CHECK_EQ_INT(pub(st, &b.s, NULL, p, NULL, 0, INTEREST_FM("co_developer"), a.hex,
	                 "call/transcription"),
	             0);
	/* at a path its body does not give: stored, and ignored */
	CHECK_EQ_INT(pub(st, &c.s, "interest/nous-en-sommes", NULL, NULL, 0, INTEREST_FM("tester"),
	                 a.hex, "call/transcription"),
	             0);
	/* the path of another call */
	CHECK_EQ_INT(pub(st, &c.s, "interest/ffffffffffffffffffffffffffffffff", NULL, NULL, 0,
	                 INTEREST_FM("tester"), a.hex, "call/transcription"),
	             0);
	CHECK_EQ_INT(
	    pub(st, &c.s, NULL, NULL, NULL, 0, INTEREST_FM("observer"), a.hex, "call/autre"), 0);
	/* an untrusted territory's: given, flagged */
	CHECK_EQ_INT(pub(st, &d.s, NULL, NULL, NULL, 0, INTEREST_FM("co_funder"), a.hex,
	                 "call/transcription"),
	             0);
	seen s = { 0 };
	CHECK_EQ_INT(coop_interests(st, a.pk, "call/transcription", &tv, seen_cb, &s), 0);
	CHECK_EQ_INT(s.n, 2);
	CHECK(from(&s, 0, &b) && s.v[0].trusted);
	CHECK_EQ_STR(s.v[0].path, p);
	CHECK(from(&s, 1, &d) && !s.v[1].trusted);
	/* withdrawn: gone */
	CHECK_EQ_INT(tombstone(st, &b.s, p), 0);
	memset(&s, 0, sizeof s);
	CHECK_EQ_INT(coop_interests(st, a.pk, "call/transcription", &tv, seen_cb, &s), 0);
	CHECK_EQ_INT(s.n, 1);
	/* a territory's interests, newest first; without a view every territory is trusted */
	memset(&s, 0, sizeof s);
	CHECK_EQ_INT(coop_territory_acts(st, c.pk, PROTO_T_INTEREST, NULL, TODAY, seen_cb, &s), 0);
	CHECK_EQ_INT(s.n, 1);
	CHECK(s.v[0].trusted);
	/* the calls: of everyone, of one territory */
	memset(&s, 0, sizeof s);
	CHECK_EQ_INT(coop_calls(st, NULL, &tv, seen_cb, &s), 0);
	CHECK_EQ_INT(s.n, 2);
	memset(&s, 0, sizeof s);
	CHECK_EQ_INT(coop_calls(st, b.pk, &tv, seen_cb, &s), 0);
	CHECK_EQ_INT(s.n, 0);
	CHECK_EQ_INT(coop_interests(st, a.pk, NULL, &tv, seen_cb, &s), MAILLE_EINVAL);
	end(st, &tv);
}

/* The awards (the label's territory, its path) a record holds. */
static seen awards_of(store *st, const key *k, const char *path, const trust_view *tv)
{
	seen s = { 0 };
	CHECK_EQ_INT(coop_awards(st, k->pk, path, tv, TODAY, seen_cb, &s), 0);
	return s;
}

static void test_awards(void)
{
	store *st = begin();
	key a, b, m, w;
	char capref[80], capref_w[80], x1[2 * PROTO_ID_LEN + 1], y1[2 * PROTO_ID_LEN + 1], p[300];
	uint8_t id[PROTO_ID_LEN];
	key_new(&a), key_new(&b), key_new(&m), key_new(&w);
	trust_view tv = trusting(st, &a, &b, NULL);
	CHECK_EQ_INT(pub(st, &a.s, "label/ia-de-confiance", NULL, NULL, 0, LABEL_FM), 0);
	CHECK_EQ_INT(pub(st, &a.s, "label/retire", NULL, NULL, 0, LABEL_FM), 0);
	CHECK_EQ_INT(tombstone(st, &a.s, "label/retire"), 0);
	CHECK_EQ_INT(pub(st, &a.s, "call/transcription", NULL, NULL, 0, CALL_FM), 0);
	CHECK_EQ_INT(pub(st, &b.s, "component/x", NULL, id, 0, COMPONENT_FM), 0);
	proto_hex(id, PROTO_ID_LEN, x1);
	CHECK_EQ_INT(pub(st, &b.s, "component/y", NULL, id, 0, COMPONENT_FM), 0);
	proto_hex(id, PROTO_ID_LEN, y1);

	/* the issuer awards version 1 of x, valid until 2028 */
	CHECK_EQ_INT(pub(st, &a.s, NULL, NULL, NULL, 0, AWARD_FM, a.hex, "label/ia-de-confiance",
	                 b.hex, "component/x", x1, "transparence, sobriete", "2028-12-07"),
	             0);
	seen s = awards_of(st, &b, "component/x", &tv);
	CHECK_EQ_INT(s.n, 1);
	CHECK(from(&s, 0, &a) && s.v[0].trusted && !s.v[0].older && !s.v[0].expired);
	CHECK_EQ_STR(s.v[0].label, "label/ia-de-confiance");
	/* x changes: the award stays on the version it names */
	CHECK_EQ_INT(
	    pub(st, &b.s, "component/x", NULL, NULL, 0, COMPONENT_FM "summary: Modifié.\n"), 0);
	s = awards_of(st, &b, "component/x", &tv);
	CHECK_EQ_INT(s.n, 1);
	CHECK(s.v[0].older && !s.v[0].expired);

	/* B cannot award A's label: its award, at the path its body gives in B, is ignored */
	CHECK_EQ_INT(pub(st, &b.s, NULL, NULL, NULL, 0, AWARD_FM, a.hex, "label/ia-de-confiance",
	                 b.hex, "component/y", y1, "transparence", "2028-12-07"),
	             0);
	/* nor is an award of a call, of a withdrawn label, or of criteria the label lacks */
	CHECK_EQ_INT(pub(st, &a.s, NULL, NULL, NULL, 0, AWARD_FM, a.hex, "call/transcription",
	                 b.hex, "component/y", y1, "transparence", "2028-12-07"),
	             0);
	CHECK_EQ_INT(pub(st, &a.s, NULL, NULL, NULL, 0, AWARD_FM, a.hex, "label/retire", b.hex,
	                 "component/y", y1, "transparence", "2028-12-07"),
	             0);
	s = awards_of(st, &b, "component/y", &tv);
	CHECK_EQ_INT(s.n, 0);
	/* a member whose capability covers award/ awards for A; past its until: expired */
	member_of(st, &a, &m, "award/", capref);
	CHECK_EQ_INT(pub(st, &m.s, NULL, p, NULL, 0, AWARD_FM, a.hex, "label/ia-de-confiance",
	                 b.hex, "component/y", y1, "transparence, accessibilite", "2026-01-31"),
	             0);
	s = awards_of(st, &b, "component/y", &tv);
	CHECK_EQ_INT(s.n, 0); /* accessibilite is no criterion of the label */
	CHECK_EQ_INT(pub(st, &m.s, NULL, p, NULL, 0, AWARD_FM, a.hex, "label/ia-de-confiance",
	                 b.hex, "component/y", y1, "transparence", "2026-01-31"),
	             0);
	s = awards_of(st, &b, "component/y", &tv);
	CHECK_EQ_INT(s.n, 1);
	CHECK(from(&s, 0, &a) && s.v[0].expired && !s.v[0].older);
	/* a member writing elsewhere cannot: the store refuses it (§4.4) */
	member_of(st, &a, &w, "rex/", capref_w);
	CHECK_EQ_INT(pub(st, &w.s, NULL, NULL, NULL, 0, AWARD_FM, a.hex, "label/ia-de-confiance",
	                 b.hex, "component/x", x1, "transparence", "2028-12-07"),
	             MAILLE_EDENIED);

	/* received: B's records hold two; A gave them and received none; A's own record */
	s = (seen){ 0 };
	CHECK_EQ_INT(coop_awards_received(st, b.pk, &tv, TODAY, seen_cb, &s), 0);
	CHECK_EQ_INT(s.n, 2);
	s = (seen){ 0 };
	CHECK_EQ_INT(coop_awards_received(st, a.pk, &tv, TODAY, seen_cb, &s), 0);
	CHECK_EQ_INT(s.n, 0);
	CHECK_EQ_INT(pub(st, &a.s, "component/z", NULL, id, 0, COMPONENT_FM), 0);
	proto_hex(id, PROTO_ID_LEN, y1);
	CHECK_EQ_INT(pub(st, &a.s, NULL, NULL, NULL, 0, AWARD_FM, a.hex, "label/ia-de-confiance",
	                 a.hex, "component/z", y1, "sobriete", "2028-12-07"),
	             0);
	s = (seen){ 0 };
	CHECK_EQ_INT(coop_awards_received(st, a.pk, &tv, TODAY, seen_cb, &s), 0);
	CHECK_EQ_INT(s.n, 1);
	CHECK(from(&s, 0, &a));
	/* given: A's awards (its member's included), those that count */
	s = (seen){ 0 };
	CHECK_EQ_INT(coop_territory_acts(st, a.pk, PROTO_T_AWARD, &tv, TODAY, seen_cb, &s), 0);
	CHECK_EQ_INT(s.n, 3);
	/* revoked: a tombstone at the award's path */
	s = awards_of(st, &b, "component/y", &tv);
	CHECK_EQ_INT(tombstone(st, &m.s, p), 0);
	s = awards_of(st, &b, "component/y", &tv);
	CHECK_EQ_INT(s.n, 0);
	/* the label withdrawn: its awards count no more */
	CHECK_EQ_INT(tombstone(st, &a.s, "label/ia-de-confiance"), 0);
	s = awards_of(st, &b, "component/x", &tv);
	CHECK_EQ_INT(s.n, 0);
	end(st, &tv);
}

static void test_comments(void)
{
	store *st = begin();
	key a, b, c, d;
	char c1[PROTO_PATH_MAX + 1], c2[PROTO_PATH_MAX + 1], r1[PROTO_PATH_MAX + 1];
	char rr1[PROTO_PATH_MAX + 1], dd[PROTO_PATH_MAX + 1];
	key_new(&a), key_new(&b), key_new(&c), key_new(&d);
	trust_view tv = trusting(st, &a, &b, &c, NULL);
	CHECK_EQ_INT(pub(st, &b.s, "component/x", NULL, NULL, 0, COMPONENT_FM), 0);
	CHECK_EQ_INT(pub(st, &a.s, NULL, c1, NULL, 1, COMMENT_FM, b.hex, "component/x",
	                 "Avez-vous mesuré le taux d'erreur ?"),
	             0);
	CHECK_EQ_INT(pub(st, &c.s, NULL, c2, NULL, 2, COMMENT_FM, b.hex, "component/x",
	                 "Nous l'utilisons aussi."),
	             0);
	CHECK_EQ_INT(pub(st, &b.s, NULL, r1, NULL, 3, COMMENT_FM, a.hex, c1, "Oui, 3 % sur un an."),
	             0);
	CHECK_EQ_INT(pub(st, &a.s, NULL, rr1, NULL, 4, COMMENT_FM, b.hex, r1, "Merci."), 0);
	CHECK_EQ_INT(pub(st, &d.s, NULL, dd, NULL, 5, COMMENT_FM, b.hex, "component/x",
	                 "Achetez notre produit."),
	             0);
	/* a comment whose own name is not 16 lower-case hex digits is ignored */
	{
		char bad[PROTO_PATH_MAX + 1];
		snprintf(bad, sizeof bad, "%.*sreponse-du-maire", (int)(strlen(c1) - 16), c1);
		CHECK_EQ_INT(
		    pub(st, &c.s, bad, NULL, NULL, 0, COMMENT_FM, b.hex, "component/x", "Hors"), 0);
	}
	CHECK_EQ_INT(store_hide(st, c.pk, c2, "Hors sujet", NOW), 0);

	seen s = { 0 };
	CHECK_EQ_INT(coop_comments(st, b.pk, "component/x", &tv, seen_cb, &s), 0);
	CHECK_EQ_INT(s.n, 5);
	/* depth first: c1, its reply, the reply's reply, then c2 (hidden), then d's (untrusted) */
	CHECK(from(&s, 0, &a) && s.v[0].depth == 0 && strcmp(s.v[0].path, c1) == 0);
	CHECK(from(&s, 1, &b) && s.v[1].depth == 1 && strcmp(s.v[1].path, r1) == 0);
	CHECK(from(&s, 2, &a) && s.v[2].depth == 2 && strcmp(s.v[2].path, rr1) == 0);
	CHECK(from(&s, 3, &c) && s.v[3].depth == 0 && s.v[3].trusted);
	CHECK_EQ_STR(s.v[3].hidden, "Hors sujet");
	CHECK(from(&s, 4, &d) && s.v[4].depth == 0 && !s.v[4].trusted);
	CHECK_EQ_STR(s.v[4].hidden, "");
	size_t all = 0, untrusted = 0;
	CHECK_EQ_INT(coop_comments_count(st, b.pk, "component/x", &tv, &all, &untrusted), 0);
	CHECK_EQ_INT(all, 5);
	CHECK_EQ_INT(untrusted, 1);
	/* the thread of a comment: its replies */
	s = (seen){ 0 };
	CHECK_EQ_INT(coop_comments(st, a.pk, c1, &tv, seen_cb, &s), 0);
	CHECK_EQ_INT(s.n, 2);
	/* edited at the same path: still one comment, with its replies, now after the comments
	 * of its level written before the edit (PROTOCOL.md §5.4) */
	CHECK_EQ_INT(pub(st, &a.s, c1, NULL, NULL, 0, COMMENT_FM, b.hex, "component/x",
	                 "Avez-vous mesuré le taux d'erreur sur les noms propres ?"),
	             0);
	s = (seen){ 0 };
	CHECK_EQ_INT(coop_comments(st, b.pk, "component/x", &tv, seen_cb, &s), 0);
	CHECK_EQ_INT(s.n, 5);
	CHECK(from(&s, 0, &c) && from(&s, 1, &d) && strcmp(s.v[2].path, c1) == 0);
	CHECK(s.v[3].depth == 1 && strcmp(s.v[3].path, r1) == 0);
	/* withdrawn: the comment goes; its replies no longer hang from the record */
	CHECK_EQ_INT(tombstone(st, &a.s, c1), 0);
	CHECK_EQ_INT(coop_comments_count(st, b.pk, "component/x", &tv, &all, &untrusted), 0);
	CHECK_EQ_INT(all, 2);
	CHECK_EQ_INT(untrusted, 1);
	end(st, &tv);
}

/* A's record component/x and a chain of n comments under it, each answering the one before,
 * in one batch. */
static store *chain_of(key *a, trust_view *tv, unsigned n)
{
	store *st = begin();
	char parent[PROTO_PATH_MAX + 1] = "component/x", next[PROTO_PATH_MAX + 1];
	key_new(a);
	*tv = trusting(st, a, NULL);
	CHECK_EQ_INT(pub(st, &a->s, "component/x", NULL, NULL, 0, COMPONENT_FM), 0);
	CHECK_EQ_INT(store_begin(st), 0);
	for (unsigned i = 0; i < n; i++) {
		/* each comment's own name from its rank (pub draws it from one byte) */
		CHECK_EQ_INT(pub(st, &a->s, NULL, next, NULL, (uint8_t)i, COMMENT_FM, a->hex,
		                 parent, "Et ensuite ?"),
		             0);
		memcpy(parent, next, sizeof parent);
	}
	CHECK_EQ_INT(store_commit(st), 0);
	return st;
}

/* Replies deeper than COOP_THREAD_DEPTH_MAX show at the last level. */
static void test_thread_depth(void)
{
	key a;
	trust_view tv;
	store *st = chain_of(&a, &tv, COOP_THREAD_DEPTH_MAX + 3);
	seen s = { 0 };
	CHECK_EQ_INT(coop_comments(st, a.pk, "component/x", &tv, seen_cb, &s), 0);
	CHECK_EQ_INT(s.n, COOP_THREAD_DEPTH_MAX + 3);
	for (unsigned i = 0; i < s.n && i < 32; i++)
		CHECK_EQ_INT(s.v[i].depth,
		             i < COOP_THREAD_DEPTH_MAX ? i : COOP_THREAD_DEPTH_MAX - 1);
	end(st, &tv);
}

/* A chain of replies deeper than COOP_THREAD_LEVELS_MAX (which anyone may write, within the
 * quarantine if untrusted): the walk, which recurses once a level, stops there, without
 * error, and counts what it walked. */
static void test_thread_max(void)
{
	key a;
	trust_view tv;
	size_t all = 0;
	store *st = chain_of(&a, &tv, COOP_THREAD_LEVELS_MAX + 5);
	CHECK_EQ_INT(coop_comments_count(st, a.pk, "component/x", &tv, &all, NULL), 0);
	CHECK_EQ_INT(all, COOP_THREAD_LEVELS_MAX);
	seen s = { 0 };
	CHECK_EQ_INT(coop_comments(st, a.pk, "component/x", &tv, seen_cb, &s), 0);
	CHECK_EQ_INT(s.n, COOP_THREAD_LEVELS_MAX);
	end(st, &tv);
}

#define REX_USES_FM                                                                                \
	"type: rex\ntitle: Transcription des conseils\nrelations:\n  - rel: uses\n    target: "    \
	"%s\n"

static void test_users(void)
{
	char full[PROTO_COOP_REF_MAX + 1];
	key a, b, c, d;
	store *st = begin();
	key_new(&a), key_new(&b), key_new(&c), key_new(&d);
	coop_ref(a.pk, "component/outil", full);
	trust_view tv = trusting(st, &a, &b, &c, NULL);
	CHECK_EQ_INT(pub(st, &a.s, "component/outil", NULL, NULL, 0, COMPONENT_FM), 0);
	/* B has no record at that path: its bare path names A's */
	CHECK_EQ_INT(pub(st, &b.s, "rex/b", NULL, NULL, 0, REX_USES_FM, "component/outil"), 0);
	/* C has its own component/outil: its bare path names its own, not A's */
	CHECK_EQ_INT(pub(st, &c.s, "component/outil", NULL, NULL, 0, COMPONENT_FM), 0);
	CHECK_EQ_INT(pub(st, &c.s, "rex/c", NULL, NULL, 0, REX_USES_FM, "component/outil"), 0);
	/* D names it in full, although D too has a record there */
	CHECK_EQ_INT(pub(st, &d.s, "component/outil", NULL, NULL, 0, COMPONENT_FM), 0);
	CHECK_EQ_INT(pub(st, &d.s, "rex/d", NULL, NULL, 0, REX_USES_FM, full), 0);
	/* A's own use case, bare */
	CHECK_EQ_INT(pub(st, &a.s, "use_case/a", NULL, NULL, 0,
	                 "type: use_case\ntitle: Transcrire les conseils\nrelations:\n"
	                 "  - rel: uses\n    target: component/outil\n"),
	             0);
	/* a call is no user */
	CHECK_EQ_INT(pub(st, &b.s, "call/b", NULL, NULL, 0, CALL_FM "related: [component/outil]\n"),
	             0);
	seen s = { 0 };
	CHECK_EQ_INT(coop_users(st, a.pk, "component/outil", &tv, seen_cb, &s), 0);
	CHECK_EQ_INT(s.n, 3);
	bool got_b = false, got_c = false, got_d = false, got_a = false;
	for (size_t i = 0; i < s.n; i++) {
		got_a |= from(&s, i, &a) && strcmp(s.v[i].path, "use_case/a") == 0;
		got_b |= from(&s, i, &b) && strcmp(s.v[i].path, "rex/b") == 0;
		got_c |= from(&s, i, &c);
		got_d |= from(&s, i, &d) && !s.v[i].trusted;
	}
	CHECK(got_a && got_b && got_d && !got_c);
	/* C's component: C's REX; B's bare path names no record of B, so it counts for every
	 * territory that has one there (§5.3); D's names A's */
	s = (seen){ 0 };
	CHECK_EQ_INT(coop_users(st, c.pk, "component/outil", &tv, seen_cb, &s), 0);
	CHECK_EQ_INT(s.n, 2);
	got_b = got_c = got_d = false;
	for (size_t i = 0; i < s.n; i++) {
		got_b |= from(&s, i, &b);
		got_c |= from(&s, i, &c);
		got_d |= from(&s, i, &d);
	}
	CHECK(got_b && got_c && !got_d);
	/* a REX that names it both ways comes once */
	CHECK_EQ_INT(pub(st, &b.s, "rex/b2", NULL, NULL, 0,
	                 REX_USES_FM "  - rel: based_on\n    target: %s\n", "component/outil",
	                 full),
	             0);
	s = (seen){ 0 };
	CHECK_EQ_INT(coop_users(st, a.pk, "component/outil", &tv, seen_cb, &s), 0);
	CHECK_EQ_INT(s.n, 4);
	end(st, &tv);
}

static void test_today(void)
{
	char d[11];
	coop_today(NOW, NULL, d);
	CHECK_EQ_STR(d, TODAY);
	coop_today(0, NULL, d);
	CHECK_EQ_STR(d, "1970-01-01");
}

CHECK_MAIN(test_interests, test_awards, test_comments, test_thread_depth, test_thread_max,
           test_users, test_today)
