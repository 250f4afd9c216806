/* tests/unit/proto/test_member.c: member capabilities and vouches (proto/member.h,
 * PROTOCOL.md §4.2, §4.3), over entries really signed and decoded. */
#include "check.h"
#include "proto/error.h"
#include "proto/member.h"
#include "tests/fixture/entry_fixture.h"

#define T0 1790000000000000ull /* a timestamp, microseconds */

static fixture_key territory, member, other;

/* An entry signed by signer in territory's subspace, encoded then decoded (the decoded struct
 * borrows *buf: free it after). */
static int entry(const fixture_key *terr, const fixture_key *signer, const char *path,
                 uint64_t ts, int kind, const uint8_t *body, size_t body_len, const char *capref,
                 uint8_t **buf, proto_entry *ret)
{
	/* a tombstone's body is {} (the fixture's default) */
	fixture_entry f = {.territory = terr->pk, .path = path, .timestamp = ts, .kind = kind,
	                   .body = kind == PROTO_KIND_TOMBSTONE ? NULL : body, .body_len = body_len,
	                   .capref = capref};
	size_t len;
	int r = fixture_entry_sign_key(&f, signer, buf, &len);
	if (!r)
		r = proto_entry_decode(*buf, len, ret);
	return r;
}

static void path_of(const char *prefix, const uint8_t key[PROTO_KEY_LEN], char *ret)
{
	strcpy(ret, prefix);
	proto_hex(key, PROTO_KEY_LEN, ret + strlen(prefix));
}

static proto_member_cap cap_sample(void)
{
	proto_member_cap c;
	memset(&c, 0, sizeof c);
	memcpy(c.territory, territory.pk, PROTO_KEY_LEN);
	memcpy(c.member, member.pk, PROTO_KEY_LEN);
	snprintf(c.name, sizeof c.name, "Camille Martin, service données");
	c.role = PROTO_ROLE_EDITOR;
	snprintf(c.prefix, sizeof c.prefix, "rex/");
	c.from_us = T0;
	c.until_us = T0 + 1000000;
	return c;
}

/* A capability entry with a body given as msgpack hex, or built from c when hex is NULL. */
static int cap_entry(const proto_member_cap *c, const char *path, const fixture_key *signer,
                     uint8_t **buf, proto_entry *ret)
{
	uint8_t *body = NULL;
	size_t len = 0;
	int r = proto_member_cap_body(c, &body, &len);
	if (!r)
		r = entry(&territory, signer, path, T0, PROTO_KIND_DOCUMENT, body, len, NULL, buf, ret);
	free(body);
	return r;
}

static void test_capability_round_trip(void)
{
	proto_member_cap c = cap_sample(), back;
	char path[128];
	path_of(PROTO_MEMBERS_PREFIX, member.pk, path);
	uint8_t *buf = NULL;
	proto_entry e;
	CHECK_EQ_INT(cap_entry(&c, path, &territory, &buf, &e), 0);
	CHECK_EQ_INT(proto_member_cap_decode(&e, &back), 0);
	CHECK(memcmp(&c, &back, sizeof c) == 0);
	free(buf);
	/* no end, admin, any path */
	c.until_us = UINT64_MAX;
	c.role = PROTO_ROLE_ADMIN;
	memset(c.prefix, 0, sizeof c.prefix);
	CHECK_EQ_INT(cap_entry(&c, path, &territory, &buf, &e), 0);
	CHECK_EQ_INT(proto_member_cap_decode(&e, &back), 0);
	CHECK(memcmp(&c, &back, sizeof c) == 0);
	free(buf);
}

static void test_capability_refused(void)
{
	proto_member_cap c = cap_sample(), back;
	char path[128], upper[128];
	path_of(PROTO_MEMBERS_PREFIX, member.pk, path);
	uint8_t *buf = NULL;
	proto_entry e;
	/* signed by the member itself, by another key, or for the territory's own key */
	CHECK_EQ_INT(cap_entry(&c, path, &member, &buf, &e), 0);
	CHECK_EQ_INT(proto_member_cap_decode(&e, &back), MAILLE_EPROTO);
	free(buf);
	char self[128];
	path_of(PROTO_MEMBERS_PREFIX, territory.pk, self);
	CHECK_EQ_INT(cap_entry(&c, self, &territory, &buf, &e), 0);
	CHECK_EQ_INT(proto_member_cap_decode(&e, &back), MAILLE_EPROTO);
	free(buf);
	/* a path with upper-case hex, or not a capability path */
	strcpy(upper, path);
	for (char *p = upper + strlen(PROTO_MEMBERS_PREFIX); *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	CHECK(proto_path_valid(upper, strlen(upper)) == false ||
	      (cap_entry(&c, upper, &territory, &buf, &e) == 0 &&
	       proto_member_cap_decode(&e, &back) == MAILLE_EPROTO && (free(buf), 1)));
	CHECK_EQ_INT(cap_entry(&c, "members/abc", &territory, &buf, &e), 0);
	CHECK_EQ_INT(proto_member_cap_decode(&e, &back), MAILLE_EPROTO);
	free(buf);
	/* a tombstone is not a capability */
	CHECK_EQ_INT(entry(&territory, &territory, path, T0, PROTO_KIND_TOMBSTONE, NULL, 0, NULL,
	                   &buf, &e),
	             0);
	CHECK_EQ_INT(proto_member_cap_decode(&e, &back), MAILLE_EPROTO);
	free(buf);
	/* bodies built by hand (canonical msgpack, keys sorted by their encoded bytes) */
	static const struct {
		const char *hex, *why;
		int want;
	} bodies[] = {
		/* canonical maps: keys sorted by their encoded bytes, so the 4-letter keys (from,
		 * name, role, type) come before until, then prefix */
		{"81a474797065a5766f756368", "type vouch", MAILLE_EPROTO},
		{"81a474797065a66d656d626572", "type only", MAILLE_EPROTO},
		{"85a466726f6d01a46e616d65a141a4726f6c65a56f776e6572a474797065a66d656d626572a6707265"
		 "666978a0",
		 "unknown role", MAILLE_ESCHEMA},
		{"85a466726f6d01a46e616d65a141a4726f6c65a6656469746f72a474797065a66d656d626572a67072"
		 "65666978a3726578",
		 "prefix without slash", MAILLE_ESCHEMA},
		{"85a466726f6d01a46e616d65a141a4726f6c65a6656469746f72a474797065a66d656d626572a67072"
		 "65666978a86d656d626572732f",
		 "reserved prefix", MAILLE_ESCHEMA},
		{"85a466726f6d01a46e616d65a0a4726f6c65a6656469746f72a474797065a66d656d626572a6707265"
		 "666978a0",
		 "empty name", MAILLE_ESCHEMA},
		{"86a466726f6d01a46e616d65a141a4726f6c65a6656469746f72a474797065a66d656d626572a5756e"
		 "74696c01a6707265666978a0",
		 "empty window", MAILLE_ESCHEMA},
		{"85a466726f6da131a46e616d65a141a4726f6c65a6656469746f72a474797065a66d656d626572a670"
		 "7265666978a0",
		 "from not an int", MAILLE_EPROTO},
		/* the control: {from: 1, name: "A", role: "editor", type: "member", prefix: ""} */
		{"85a466726f6d01a46e616d65a141a4726f6c65a6656469746f72a474797065a66d656d626572a67072"
		 "65666978a0",
		 "valid", 0},
	};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		uint8_t body[256];
		size_t n = strlen(bodies[i].hex) / 2;
		CHECK_EQ_INT(proto_unhex(bodies[i].hex, body, n), 0);
		int r = entry(&territory, &territory, path, T0, PROTO_KIND_DOCUMENT, body, n, NULL, &buf,
		              &e);
		if (r) {
			fprintf(stderr, "  body %s: cannot build the entry (%d)\n", bodies[i].why, r);
			CHECK_EQ_INT(r, 0);
			continue;
		}
		r = proto_member_cap_decode(&e, &back);
		if (r != bodies[i].want)
			fprintf(stderr, "  body %s: %d, expected %d\n", bodies[i].why, r, bodies[i].want);
		CHECK_EQ_INT(r, bodies[i].want);
		free(buf);
	}
	/* what the builder refuses */
	uint8_t *b = NULL;
	size_t bl = 0;
	c = cap_sample();
	c.until_us = c.from_us;
	CHECK_EQ_INT(proto_member_cap_body(&c, &b, &bl), MAILLE_EINVAL);
	c = cap_sample();
	snprintf(c.prefix, sizeof c.prefix, "node/");
	CHECK_EQ_INT(proto_member_cap_body(&c, &b, &bl), MAILLE_EINVAL);
	c = cap_sample();
	c.name[2] = '\t';
	CHECK_EQ_INT(proto_member_cap_body(&c, &b, &bl), MAILLE_EINVAL);
}

static void test_covers(void)
{
	proto_member_cap c = cap_sample();
	char capref[128], wrong[128];
	path_of(PROTO_MEMBERS_PREFIX, member.pk, capref);
	path_of(PROTO_MEMBERS_PREFIX, other.pk, wrong);
	static const uint8_t body[] = {0x81, 0xa4, 't', 'y', 'p', 'e', 0xa3, 'r', 'e', 'x'};
	static const struct {
		const char *path;
		uint64_t ts;
		int who; /* 0 member, 1 other, 2 territory */
		int capref; /* 0 right, 1 wrong, 2 none */
		int want;
	} cases[] = {
		{"rex/retour-chatbot", T0, 0, 0, 0},
		{"rex/retour-chatbot", T0 + 999999, 0, 0, 0},
		{"rex/retour-chatbot", T0 + 1000000, 0, 0, MAILLE_ESTATE}, /* until is excluded */
		{"rex/retour-chatbot", T0 - 1, 0, 0, MAILLE_ESTATE},
		{"use_case/moteur", T0, 0, 0, MAILLE_EINVAL},               /* outside the prefix */
		{"rex", T0, 0, 0, MAILLE_EINVAL},
		{"rex/retour-chatbot", T0, 1, 0, MAILLE_EAUTH},             /* another signer */
		{"rex/retour-chatbot", T0, 0, 1, MAILLE_EAUTH},             /* another capability */
		{"rex/retour-chatbot", T0, 0, 2, MAILLE_EAUTH},             /* none */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const fixture_key *signer = cases[i].who == 0 ? &member : cases[i].who == 1 ? &other
		                                                                        : &territory;
		const char *cr = cases[i].capref == 0 ? capref : cases[i].capref == 1 ? wrong : NULL;
		uint8_t *buf = NULL;
		proto_entry e;
		CHECK_EQ_INT(entry(&territory, signer, cases[i].path, cases[i].ts, PROTO_KIND_DOCUMENT,
		                   body, sizeof body, cr, &buf, &e),
		             0);
		int r = proto_member_covers(&c, &e);
		if (r != cases[i].want)
			fprintf(stderr, "  case %zu (%s): %d, expected %d\n", i, cases[i].path, r,
			        cases[i].want);
		CHECK_EQ_INT(r, cases[i].want);
		free(buf);
	}
	/* an "any path" capability still leaves the reserved paths to the territory */
	c.prefix[0] = '\0';
	static const char *const reserved[] = {"territory", "members/x", "vouches/y", "node/z"};
	for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
		uint8_t *buf = NULL;
		proto_entry e;
		CHECK_EQ_INT(entry(&territory, &member, reserved[i], T0, PROTO_KIND_DOCUMENT, body,
		                   sizeof body, capref, &buf, &e),
		             0);
		CHECK_EQ_INT(proto_member_covers(&c, &e), MAILLE_EINVAL);
		free(buf);
	}
}

static void test_vouch(void)
{
	char path[128], self[128];
	path_of(PROTO_VOUCHES_PREFIX, other.pk, path);
	path_of(PROTO_VOUCHES_PREFIX, territory.pk, self);
	static const uint8_t vouch[] = {0x81, 0xa4, 't', 'y', 'p', 'e', 0xa5, 'v', 'o', 'u', 'c', 'h'};
	static const uint8_t rex[] = {0x81, 0xa4, 't', 'y', 'p', 'e', 0xa3, 'r', 'e', 'x'};
	uint8_t *buf = NULL, key[PROTO_KEY_LEN];
	bool active = false;
	proto_entry e;
	CHECK_EQ_INT(entry(&territory, &territory, path, T0, PROTO_KIND_DOCUMENT, vouch,
	                   sizeof vouch, NULL, &buf, &e),
	             0);
	CHECK_EQ_INT(proto_vouch_decode(&e, key, &active), 0);
	CHECK(active);
	CHECK(memcmp(key, other.pk, PROTO_KEY_LEN) == 0);
	free(buf);
	CHECK_EQ_INT(entry(&territory, &territory, path, T0, PROTO_KIND_TOMBSTONE, NULL, 0, NULL,
	                   &buf, &e),
	             0);
	CHECK_EQ_INT(proto_vouch_decode(&e, key, &active), 0);
	CHECK(!active);
	free(buf);
	/* for itself, another type, signed by a member */
	CHECK_EQ_INT(entry(&territory, &territory, self, T0, PROTO_KIND_DOCUMENT, vouch,
	                   sizeof vouch, NULL, &buf, &e),
	             0);
	CHECK_EQ_INT(proto_vouch_decode(&e, key, &active), MAILLE_EPROTO);
	free(buf);
	CHECK_EQ_INT(entry(&territory, &territory, path, T0, PROTO_KIND_DOCUMENT, rex, sizeof rex,
	                   NULL, &buf, &e),
	             0);
	CHECK_EQ_INT(proto_vouch_decode(&e, key, &active), MAILLE_EPROTO);
	free(buf);
	char capref[128];
	path_of(PROTO_MEMBERS_PREFIX, member.pk, capref);
	CHECK_EQ_INT(entry(&territory, &member, path, T0, PROTO_KIND_DOCUMENT, vouch, sizeof vouch,
	                   capref, &buf, &e),
	             0);
	CHECK_EQ_INT(proto_vouch_decode(&e, key, &active), MAILLE_EPROTO);
	free(buf);
}

static void setup(void)
{
	CHECK_EQ_INT(proto_init(), 0);
	proto_key_generate(territory.pk, territory.sk);
	proto_key_generate(member.pk, member.sk);
	proto_key_generate(other.pk, other.sk);
}

CHECK_MAIN(setup, test_capability_round_trip, test_capability_refused, test_covers, test_vouch)
