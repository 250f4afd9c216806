/* tests/unit/proto/test_invite.c: invitation tokens (proto/invite.h, PROTOCOL.md §4.1). */
#include <sodium.h>

#include "check.h"
#include "proto/error.h"
#include "proto/invite.h"
#include "proto/value.h"

static proto_invite sample(void)
{
	proto_invite inv;
	memset(&inv, 0, sizeof inv);
	for (size_t i = 0; i < sizeof inv.netkey; i++)
		inv.netkey[i] = (uint8_t)i;
	snprintf(inv.federation, sizeof inv.federation, "Coalition IA responsable");
	memset(inv.inviter, 0xa5, sizeof inv.inviter);
	snprintf(inv.addrs[0], sizeof inv.addrs[0], "192.0.2.10:7470");
	snprintf(inv.addrs[1], sizeof inv.addrs[1], "[2001:db8::1]:7470");
	inv.n_addrs = 2;
	memset(inv.secret, 0x5a, sizeof inv.secret);
	inv.expires_us = 1795900000000000ull;
	return inv;
}

static bool same(const proto_invite *a, const proto_invite *b)
{
	if (memcmp(a->netkey, b->netkey, sizeof a->netkey) || strcmp(a->federation, b->federation) ||
	    memcmp(a->inviter, b->inviter, sizeof a->inviter) || a->n_addrs != b->n_addrs ||
	    memcmp(a->secret, b->secret, sizeof a->secret) || a->expires_us != b->expires_us)
		return false;
	for (size_t i = 0; i < a->n_addrs; i++)
		if (strcmp(a->addrs[i], b->addrs[i]))
			return false;
	return true;
}

static void test_round_trip(void)
{
	proto_invite inv = sample(), back;
	char tok[PROTO_INVITE_TOKEN_MAX];
	CHECK_EQ_INT(proto_invite_encode(&inv, tok, sizeof tok), 0);
	CHECK(strncmp(tok, PROTO_INVITE_PREFIX, strlen(PROTO_INVITE_PREFIX)) == 0);
	CHECK(strchr(tok, '=') == NULL);
	CHECK_EQ_INT(proto_invite_decode(tok, strlen(tok), &back), 0);
	CHECK(same(&inv, &back));
	/* the largest token fits PROTO_INVITE_TOKEN_MAX */
	memset(inv.federation, 'F', PROTO_INVITE_NAME_MAX);
	inv.federation[PROTO_INVITE_NAME_MAX] = '\0';
	for (size_t i = 0; i < PROTO_INVITE_ADDRS_MAX; i++) {
		memset(inv.addrs[i], '9', PROTO_INVITE_ADDR_MAX);
		inv.addrs[i][PROTO_INVITE_ADDR_MAX] = '\0';
	}
	inv.n_addrs = PROTO_INVITE_ADDRS_MAX;
	inv.expires_us = INT64_MAX;
	CHECK_EQ_INT(proto_invite_encode(&inv, tok, sizeof tok), 0);
	fprintf(stderr, "  largest token: %zu characters\n", strlen(tok));
	CHECK_EQ_INT(proto_invite_decode(tok, strlen(tok), &back), 0);
	CHECK(same(&inv, &back));
	CHECK_EQ_INT(proto_invite_encode(&inv, tok, 100), MAILLE_ETOOBIG);
}

static void test_encode_refuses(void)
{
	char tok[PROTO_INVITE_TOKEN_MAX];
	proto_invite inv = sample();
	inv.n_addrs = 0;
	CHECK_EQ_INT(proto_invite_encode(&inv, tok, sizeof tok), MAILLE_EINVAL);
	inv = sample();
	inv.federation[0] = '\0';
	CHECK_EQ_INT(proto_invite_encode(&inv, tok, sizeof tok), MAILLE_EINVAL);
	inv = sample();
	snprintf(inv.addrs[0], sizeof inv.addrs[0], "192.0.2.10 7470");
	CHECK_EQ_INT(proto_invite_encode(&inv, tok, sizeof tok), MAILLE_EINVAL);
	inv = sample();
	inv.expires_us = 0;
	CHECK_EQ_INT(proto_invite_encode(&inv, tok, sizeof tok), MAILLE_EINVAL);
	inv = sample();
	inv.federation[3] = '\n';
	CHECK_EQ_INT(proto_invite_encode(&inv, tok, sizeof tok), MAILLE_EINVAL);
}

/* Every token that is not exactly a token is refused, and *ret left alone. */
static void test_decode_refuses(void)
{
	proto_invite inv = sample(), back;
	char tok[PROTO_INVITE_TOKEN_MAX + 8];
	CHECK_EQ_INT(proto_invite_encode(&inv, tok, sizeof tok), 0);
	size_t len = strlen(tok), plen = strlen(PROTO_INVITE_PREFIX);
	memset(&back, 0x77, sizeof back);
	proto_invite untouched = back;
	/* every truncation */
	for (size_t k = 0; k < len; k++) {
		int r = proto_invite_decode(tok, k, &back);
		CHECK(r == MAILLE_EPROTO || r == MAILLE_ENONCANON);
	}
	CHECK(memcmp(&back, &untouched, sizeof back) == 0);
	/* every character replaced by one outside the alphabet, and padding */
	static const char bad[] = "=+/ .\n\x01\xc3";
	for (size_t k = plen; k < len; k++)
		for (size_t j = 0; bad[j]; j++) {
			char c = tok[k];
			tok[k] = bad[j];
			CHECK_EQ_INT(proto_invite_decode(tok, len, &back), MAILLE_EPROTO);
			tok[k] = c;
		}
	/* a changed prefix, a trailing character, an oversized token */
	tok[0] = 'M';
	CHECK_EQ_INT(proto_invite_decode(tok, len, &back), MAILLE_EPROTO);
	tok[0] = 'm';
	tok[len] = 'A';
	CHECK(proto_invite_decode(tok, len + 1, &back) != 0);
	tok[len] = '\0';
	CHECK_EQ_INT(proto_invite_decode(tok, PROTO_INVITE_TOKEN_MAX + 1, &back), MAILLE_ETOOBIG);
	CHECK(memcmp(&back, &untouched, sizeof back) == 0);
	/* every change of one base64 character decodes to another token or is refused: never a
	 * crash, and whatever decodes re-encodes to the same token (one token per content) */
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t decoded = 0;
	for (size_t k = plen; k < len; k++)
		for (size_t j = 0; alpha[j]; j++) {
			char c = tok[k];
			if (alpha[j] == c)
				continue;
			tok[k] = alpha[j];
			if (proto_invite_decode(tok, len, &back) == 0) {
				char again[PROTO_INVITE_TOKEN_MAX];
				decoded++;
				CHECK_EQ_INT(proto_invite_encode(&back, again, sizeof again), 0);
				CHECK(strcmp(again, tok) == 0);
			}
			tok[k] = c;
		}
	fprintf(stderr, "  one-character changes still valid: %zu (secret, keys, expiry bytes)\n",
	        decoded);
}

/* Payloads built by hand: wrong version, counts, types. */
static void test_payloads(void)
{
	static const struct {
		const char *hex;
		int want;
	} cases[] = {
		{"92", MAILLE_EPROTO},   /* truncated array */
		{"90", MAILLE_EPROTO},   /* empty array */
		{"9102", MAILLE_EVERSION}, /* version 2 */
		{"9101", MAILLE_EPROTO}, /* version 1 alone */
		{"c0", MAILLE_EPROTO},   /* nil */
		{"d00001", MAILLE_ENONCANON},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t bin[64];
		size_t n = strlen(cases[i].hex) / 2;
		CHECK_EQ_INT(proto_unhex(cases[i].hex, bin, n), 0);
		char tok[256];
		memcpy(tok, PROTO_INVITE_PREFIX, strlen(PROTO_INVITE_PREFIX));
		sodium_bin2base64(tok + strlen(PROTO_INVITE_PREFIX), sizeof tok - 20, bin, n,
		                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		proto_invite back;
		int r = proto_invite_decode(tok, strlen(tok), &back);
		if (r != cases[i].want)
			fprintf(stderr, "  payload %s: %d, expected %d\n", cases[i].hex, r, cases[i].want);
		CHECK_EQ_INT(r, cases[i].want);
	}
}

/* The federation's name goes into the joiner's federation file, one "name = ..." line: a token
 * whose name holds a line break, another C0 control or DEL is refused whole (the join then
 * writes nothing). The payload is the sample's with one byte of the name changed, so that
 * everything else stays canonical. */
static void test_name_controls(void)
{
	proto_invite inv = sample(), back;
	char tok[PROTO_INVITE_TOKEN_MAX];
	CHECK_EQ_INT(proto_invite_encode(&inv, tok, sizeof tok), 0);
	size_t plen = strlen(PROTO_INVITE_PREFIX), n = 0;
	uint8_t bin[PROTO_INVITE_TOKEN_MAX];
	CHECK_EQ_INT(sodium_base642bin(bin, sizeof bin, tok + plen, strlen(tok) - plen, NULL, &n,
	                               NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
	             0);
	uint8_t *name = NULL;
	for (size_t i = 0; i + 9 <= n && !name; i++)
		if (memcmp(bin + i, "Coalition", 9) == 0)
			name = bin + i;
	CHECK(name != NULL);
	if (!name)
		return;
	static const uint8_t swaps[] = {'x', '\n', '\r', 0x1b, '\t', 0x7f, 0x00, 0x01, 0x1f};
	for (size_t j = 0; j < sizeof swaps; j++) {
		char t[PROTO_INVITE_TOKEN_MAX];
		name[4] = swaps[j];
		memcpy(t, PROTO_INVITE_PREFIX, plen);
		sodium_bin2base64(t + plen, sizeof t - plen, bin, n,
		                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		int r = proto_invite_decode(t, strlen(t), &back);
		if (j == 0) {
			CHECK_EQ_INT(r, 0); /* the change itself keeps a valid token */
			CHECK_EQ_STR(back.federation, "Coalxtion IA responsable");
		} else {
			CHECK(r == MAILLE_EPROTO || r == MAILLE_EUTF8);
		}
	}
}

static void test_secret_hash(void)
{
	uint8_t s1[PROTO_INVITE_SECRET_LEN], s2[PROTO_INVITE_SECRET_LEN];
	uint8_t h1[PROTO_ID_LEN], h2[PROTO_ID_LEN], h3[PROTO_ID_LEN], plain[PROTO_ID_LEN];
	memset(s1, 1, sizeof s1);
	memcpy(s2, s1, sizeof s2);
	s2[31] ^= 1;
	proto_invite_secret_hash(s1, h1);
	proto_invite_secret_hash(s1, h3);
	proto_invite_secret_hash(s2, h2);
	CHECK(memcmp(h1, h3, sizeof h1) == 0);
	CHECK(memcmp(h1, h2, sizeof h1) != 0);
	/* labelled: not the bare BLAKE2b of the secret */
	crypto_generichash(plain, sizeof plain, s1, sizeof s1, NULL, 0);
	CHECK(memcmp(h1, plain, sizeof h1) != 0);
}

CHECK_MAIN(test_round_trip, test_encode_refuses, test_decode_refuses, test_payloads,
           test_name_controls, test_secret_hash)
