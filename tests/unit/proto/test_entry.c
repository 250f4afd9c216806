/* Signed entries: the worked example of PROTOCOL.md §1.6, signatures, ids, rejections. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "proto/entry.h"
#include "proto/error.h"
#include "proto/value.h"
#include "tests/fixture/entry_fixture.h"

/* PROTOCOL.md §1.6: key from the seed 00 01 02 ... 1f, path rex/creche, 2026-01-01T00:00:00Z,
 * body {"type": "rex", "title": {"fr": "Crèche"}, "themes": ["ia-democratie"]}. */
static const char *golden_hex =
	"9901c42003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8aa7265782f6372"
	"65636865cf00064748462040000083a474797065a3726578a57469746c6581a26672a74372c3a8636865a6"
	"7468656d657391ad69612d64656d6f637261746965c42003a107bff3ce10be1d70dd18e74bc09967e4d630"
	"9ba50d5f1ddc8664125531b8c0c440960abc37ea3062373f84d8ae48f4cd0bb2a4d7e2aa58e3c51d82a488"
	"c4f6a77d4a2ce8adf77e14791308fbfbc277463e523834965b453745509215041d9a9a02";
static const char *golden_id = "37b1d867eeaeef51d9cb4bba28ed4b985afa56fa13466474b813c59cdb51eb7f";

static uint8_t pk[32], sk[64];

static void golden_key(void)
{
	uint8_t seed[32];
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)i;
	crypto_sign_seed_keypair(pk, sk, seed);
}

static int make(const char *path, uint64_t ts, int kind, const char *body_hex, const char *capref,
                uint8_t **ret, size_t *ret_len)
{
	uint8_t body[256];
	size_t body_len = check_unhex(body_hex, body);
	fixture_entry f = {.path = path, .timestamp = ts, .kind = kind, .body = body,
	                   .body_len = body_len, .capref = capref};
	return fixture_entry_sign(&f, pk, sk, ret, ret_len);
}

static void test_golden(void)
{
	golden_key();
	const char *body_hex = "83a474797065a3726578a57469746c6581a26672a74372c3a8636865a6"
	                       "7468656d657391ad69612d64656d6f637261746965";
	uint8_t *buf;
	size_t len;
	CHECK_EQ_INT(make("rex/creche", 1767225600000000ull, PROTO_KIND_DOCUMENT, body_hex, NULL,
	                  &buf, &len),
	             0);
	char hex[1024];
	proto_hex(buf, len, hex);
	CHECK_EQ_STR(hex, golden_hex);
	CHECK_EQ_INT(len, 208);
	uint8_t id[32];
	proto_entry_id(buf, len, id);
	proto_hex(id, 32, hex);
	CHECK_EQ_STR(hex, golden_id);

	proto_entry e;
	CHECK_EQ_INT(proto_entry_decode(buf, len, &e), 0);
	CHECK_EQ_INT(proto_entry_verify(&e, buf, len), 0);
	CHECK_EQ_INT(e.timestamp, 1767225600000000ull);
	CHECK(e.path_len == 10 && memcmp(e.path, "rex/creche", 10) == 0);
	CHECK(e.capref == NULL);
	CHECK(memcmp(e.territory, pk, 32) == 0);
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *body;
	CHECK_EQ_INT(proto_value_decode(e.body, e.body_len, &a, &body), 0);
	CHECK_EQ_STR(proto_langmap_pick(proto_map_get(body, "title"), "fr"), "Crèche");
	proto_arena_done(&a);
	free(buf);
}

/* Every single-bit change of a valid entry is caught: by the decoder or by the signature. */
static void test_every_bitflip_caught(void)
{
	uint8_t buf[512];
	size_t len = check_unhex(golden_hex, buf);
	size_t caught_decode = 0, caught_sig = 0;
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			buf[i] ^= (uint8_t)(1u << bit);
			proto_entry e;
			int r = proto_entry_decode(buf, len, &e);
			if (r)
				caught_decode++;
			else if (proto_entry_verify(&e, buf, len) == MAILLE_EAUTH)
				caught_sig++;
			else
				CHECK(!"bit flip accepted");
			buf[i] ^= (uint8_t)(1u << bit);
		}
	}
	CHECK_EQ_INT(caught_decode + caught_sig, len * 8);
	CHECK(caught_sig > 0 && caught_decode > 0);
}

static void test_rejections(void)
{
	uint8_t buf[600];
	size_t len = check_unhex(golden_hex, buf);
	proto_entry e;
	/* trailing byte */
	buf[len] = 0xc0;
	CHECK_EQ_INT(proto_entry_decode(buf, len + 1, &e), MAILLE_EPROTO);
	/* every truncation */
	for (size_t n = 0; n < len; n++)
		CHECK(proto_entry_decode(buf, n, &e) != 0);
	/* array of 8 or 10 */
	buf[0] = 0x98;
	CHECK_EQ_INT(proto_entry_decode(buf, len, &e), MAILLE_EPROTO);
	buf[0] = 0x99;
	/* version 2 */
	buf[1] = 0x02;
	CHECK_EQ_INT(proto_entry_decode(buf, len, &e), MAILLE_EVERSION);
	buf[1] = 0x01;
	/* over the size limit */
	CHECK_EQ_INT(proto_entry_decode(buf, PROTO_ENTRY_MAX + 1, &e), MAILLE_ETOOBIG);

	uint8_t *out;
	size_t olen;
	/* invalid paths cannot be encoded */
	const char *bad_paths[] = {"", "/rex", "rex/", "rex//a", "rex/../a", "rex/.", "Rex/a",
	                           "rex/é", "rex a", "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q"};
	for (size_t i = 0; i < sizeof bad_paths / sizeof bad_paths[0]; i++) {
		CHECK(!proto_path_valid(bad_paths[i], strlen(bad_paths[i])));
		CHECK_EQ_INT(make(bad_paths[i], 1, 0, "80", NULL, &out, &olen), MAILLE_EINVAL);
	}
	CHECK(proto_path_valid("members/0a1b", 12));
	CHECK(proto_path_valid("use_case/tri-des-demandes-de-creche.v2", 38));
	CHECK(proto_path_valid("a/...", 5));
	/* a tombstone carries an empty map only */
	CHECK_EQ_INT(make("rex/a", 1, PROTO_KIND_TOMBSTONE, "81a16101", NULL, &out, &olen),
	             MAILLE_EINVAL);
	/* a body that is not a canonical map */
	CHECK_EQ_INT(make("rex/a", 1, PROTO_KIND_DOCUMENT, "9101", NULL, &out, &olen), MAILLE_EINVAL);
	CHECK(make("rex/a", 1, PROTO_KIND_DOCUMENT, "82a16201a16101", NULL, &out, &olen) != 0);
	/* kind 2 */
	CHECK_EQ_INT(make("rex/a", 1, 2, "80", NULL, &out, &olen), MAILLE_EINVAL);

	/* a member-signed entry with a capability reference round-trips */
	CHECK_EQ_INT(make("rex/b", 1767225600000000ull, 0, "81a474797065a3726578",
	                  "members/03a107bff3ce10be", &out, &olen),
	             0);
	CHECK_EQ_INT(proto_entry_decode(out, olen, &e), 0);
	CHECK(e.capref_len == 24 && memcmp(e.capref, "members/03a107bff3ce10be", 24) == 0);
	CHECK_EQ_INT(proto_entry_verify(&e, out, olen), 0);
	/* a signature by another key does not verify */
	uint8_t pk2[32], sk2[64];
	proto_key_generate(pk2, sk2);
	memcpy(e.signer, pk2, 32);
	CHECK_EQ_INT(proto_entry_verify(&e, out, olen), MAILLE_EAUTH);
	free(out);
	/* encoding refuses a secret key that is not the signer's */
	memcpy(sk, sk2, 64);
	CHECK_EQ_INT(make("rex/a", 1, 0, "80", NULL, &out, &olen), MAILLE_EINVAL);
	golden_key();
}

static void test_tombstone_and_time(void)
{
	uint8_t *out;
	size_t olen;
	uint64_t now = 1767225600000000ull;
	CHECK_EQ_INT(make("rex/creche", now, PROTO_KIND_TOMBSTONE, "80", NULL, &out, &olen), 0);
	proto_entry e;
	CHECK_EQ_INT(proto_entry_decode(out, olen, &e), 0);
	CHECK_EQ_INT(e.kind, PROTO_KIND_TOMBSTONE);
	CHECK_EQ_INT(proto_entry_check_time(&e, now), 0);
	CHECK_EQ_INT(proto_entry_check_time(&e, now - PROTO_FUTURE_SKEW_US), 0);
	CHECK_EQ_INT(proto_entry_check_time(&e, now - PROTO_FUTURE_SKEW_US - 1), MAILLE_EFUTURE);
	free(out);
	uint8_t id1[32] = {1}, id2[32] = {2};
	CHECK(proto_entry_newer(2, id1, 1, id2));
	CHECK(proto_entry_newer(1, id2, 1, id1));
	CHECK(!proto_entry_newer(1, id1, 1, id2));
	CHECK(!proto_entry_newer(1, id1, 1, id1));
}

static void test_hex(void)
{
	uint8_t b[4];
	CHECK_EQ_INT(proto_unhex("0aFf10", b, 3), 0);
	CHECK(b[0] == 0x0a && b[1] == 0xff && b[2] == 0x10);
	CHECK_EQ_INT(proto_unhex("0aF", b, 2), MAILLE_EINVAL);
	CHECK_EQ_INT(proto_unhex("zz00", b, 2), MAILLE_EINVAL);
	char h[9];
	proto_hex(b, 3, h);
	CHECK_EQ_STR(h, "0aff10");
	CHECK_EQ_STR(maille_errname(MAILLE_ENONCANON), "ENONCANON");
	CHECK_EQ_STR(maille_strerror(MAILLE_EAUTH), "signature or authentication check failed");
	CHECK_EQ_STR(maille_errname(-999), "EUNKNOWN");
}

static void setup(void)
{
	CHECK_EQ_INT(proto_init(), 0);
}

CHECK_MAIN(setup, test_golden, test_every_bitflip_caught, test_rejections, test_tombstone_and_time,
           test_hex)
