/* tests/fuzz/gen_entry_corpus.c: writes the seed corpus of fuzz_entry.
 *
 *   gen_entry_corpus DIR
 *
 * Valid entries (a document, a tombstone, a member-signed document naming its capability, the
 * capability itself, a node record), signed with keys derived from fixed seeds so that the
 * output is the same on every run, and invalid variants made by editing the bytes of valid
 * ones (truncated, non-minimal integer, unsorted body keys, trailing byte, ...). Built with the
 * suite but not run by it: its output is committed under corpus/entry/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/entry.h"
#include "proto/error.h"
#include "proto/value.h"
#include "tests/fixture/entry_fixture.h"

static const char *out_dir;

static void write_file(const char *name, const uint8_t *buf, size_t len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", out_dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "gen_entry_corpus: cannot write %s\n", path);
		exit(1);
	}
}

static void put_str(proto_arena *a, proto_value *map, const char *k, const char *s)
{
	proto_value *v = proto_value_map_put(a, map, k, strlen(k));
	proto_value *s_ = proto_value_new_str(a, s, strlen(s));
	if (!v || !s_)
		exit(1);
	*v = *s_;
}

static proto_value *put(proto_arena *a, proto_value *map, const char *k, proto_vtype t)
{
	proto_value *v = proto_value_map_put(a, map, k, strlen(k));
	if (!v)
		exit(1);
	v->type = t;
	return v;
}

static void push_str(proto_arena *a, proto_value *arr, const char *s)
{
	proto_value *v = proto_value_array_push(a, arr);
	proto_value *s_ = proto_value_new_str(a, s, strlen(s));
	if (!v || !s_)
		exit(1);
	*v = *s_;
}

static void encode_body(const proto_value *v, uint8_t **ret, size_t *ret_len)
{
	if (proto_value_encode(v, PROTO_ENTRY_MAX, ret, ret_len) != 0) {
		fprintf(stderr, "gen_entry_corpus: body does not encode\n");
		exit(1);
	}
}

/* Encodes and writes an entry; returns the encoding (caller frees). */
static uint8_t *entry(const char *name, const fixture_key *territory, const fixture_key *signer,
                      const char *path, uint64_t ts, uint8_t kind, const uint8_t *body,
                      size_t body_len, const char *capref, size_t *ret_len)
{
	fixture_entry f = {.territory = territory->pk, .path = path, .timestamp = ts, .kind = kind,
	                   .body = body, .body_len = body_len, .capref = capref};
	uint8_t *buf;
	size_t len;
	int r = fixture_entry_sign_key(&f, signer, &buf, &len);
	if (r) {
		fprintf(stderr, "gen_entry_corpus: %s: %s\n", name, maille_strerror(r));
		exit(1);
	}
	write_file(name, buf, len);
	*ret_len = len;
	return buf;
}

/* Writes buf with bytes [at, at+n_old) replaced by repl[0..n_new). */
static void write_edited(const char *name, const uint8_t *buf, size_t len, size_t at, size_t n_old,
                         const void *repl, size_t n_new)
{
	uint8_t *out = malloc(len - n_old + n_new + 1);
	if (!out)
		exit(1);
	memcpy(out, buf, at);
	memcpy(out + at, repl, n_new);
	memcpy(out + at + n_new, buf + at + n_old, len - at - n_old);
	write_file(name, out, len - n_old + n_new);
	free(out);
}

static size_t find(const uint8_t *buf, size_t len, const void *needle, size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(buf + i, needle, n) == 0)
			return i;
	fprintf(stderr, "gen_entry_corpus: pattern not found\n");
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_entry_corpus DIR\n");
		return 2;
	}
	out_dir = argv[1];
	if (proto_init() != 0)
		return 1;
	fixture_key territory, member;
	fixture_key_seed(&territory, 0x01);
	fixture_key_seed(&member, 0x02);
	char member_hex[2 * PROTO_KEY_LEN + 1];
	proto_hex(member.pk, PROTO_KEY_LEN, member_hex);
	char capref[16 + 2 * PROTO_KEY_LEN];
	snprintf(capref, sizeof capref, "members/%s", member_hex);

	proto_arena a;
	proto_arena_init(&a, 0);
	const uint64_t ts = 1767225600000000ull; /* 2026-01-01T00:00:00Z */
	size_t len;
	uint8_t *body, *buf;
	size_t body_len;

	/* A REX document signed by the territory. */
	proto_value *rex = proto_value_new(&a, PROTO_V_MAP);
	put_str(&a, rex, "type", "rex");
	put_str(&a, put(&a, rex, "title", PROTO_V_MAP), "fr", "Chatbot RH : un an après");
	put_str(&a, put(&a, rex, "summary", PROTO_V_MAP), "fr",
	        "Bilan d'une année d'assistant conversationnel pour les questions RH.");
	push_str(&a, put(&a, rex, "themes", PROTO_V_ARRAY), "ia-democratie");
	put_str(&a, rex, "lang", "fr");
	put_str(&a, rex, "status", "production");
	put_str(&a, rex, "declaration", "user");
	put_str(&a, put(&a, rex, "period", PROTO_V_MAP), "start", "2025-01-06");
	put(&a, rex, "rating", PROTO_V_INT)->u.i = 3;
	proto_value *cost = put(&a, rex, "cost", PROTO_V_MAP);
	put(&a, cost, "amount", PROTO_V_FLOAT)->u.f = 18500.5;
	put_str(&a, cost, "currency", "EUR");
	put(&a, rex, "available_for_contact", PROTO_V_BOOL)->u.b = true;
	push_str(&a, put(&a, rex, "about", PROTO_V_ARRAY), "use_case/chatbot-rh");
	put_str(&a, put(&a, rex, "description", PROTO_V_MAP), "fr",
	        "## Contexte\n\nLes agents posaient les mêmes questions (congés, télétravail).");
	encode_body(rex, &body, &body_len);
	uint8_t *doc = entry("valid-document", &territory, &territory, "rex/2026-chatbot-rh", ts,
	                     PROTO_KIND_DOCUMENT, body, body_len, NULL, &len);
	size_t doc_len = len;
	free(body);

	/* Its deletion. */
	static const uint8_t empty_map[] = { 0x80 };
	free(entry("valid-tombstone", &territory, &territory, "rex/2026-chatbot-rh", ts + 1000000,
	           PROTO_KIND_TOMBSTONE, empty_map, 1, NULL, &len));

	/* The capability of a member, and a document that member signs. */
	proto_value *cap = proto_value_new(&a, PROTO_V_MAP);
	put_str(&a, cap, "type", "member");
	put_str(&a, cap, "name", "Élodie Marchand");
	put_str(&a, cap, "role", "editor");
	put_str(&a, cap, "prefix", "use_case/");
	proto_value *k = put(&a, cap, "key", PROTO_V_BIN);
	k->u.bin.ptr = member.pk;
	k->u.bin.len = PROTO_KEY_LEN;
	put(&a, cap, "not_before", PROTO_V_INT)->u.i = (int64_t)ts;
	put(&a, cap, "not_after", PROTO_V_INT)->u.i =
	    (int64_t)(ts + 365ull * 86400ull * 1000000ull);
	encode_body(cap, &body, &body_len);
	free(entry("valid-capability", &territory, &territory, capref, ts, PROTO_KIND_DOCUMENT,
	           body, body_len, NULL, &len));
	free(body);

	proto_value *uc = proto_value_new(&a, PROTO_V_MAP);
	put_str(&a, uc, "type", "use_case");
	put_str(&a, put(&a, uc, "title", PROTO_V_MAP), "fr", "Tri automatique du courrier");
	put(&a, uc, "individual_decisions", PROTO_V_BOOL)->u.b = false;
	put(&a, uc, "decisions_per_year", PROTO_V_INT)->u.i = 120000;
	put(&a, uc, "offset", PROTO_V_INT)->u.i = -40000;
	proto_value *env = put(&a, uc, "environment", PROTO_V_MAP);
	put(&a, env, "energy_kwh_per_year", PROTO_V_FLOAT)->u.f = 42.25;
	put(&a, env, "compute", PROTO_V_NIL);
	proto_value *risks = put(&a, uc, "risks", PROTO_V_ARRAY);
	proto_value *risk = proto_value_array_push(&a, risks);
	risk->type = PROTO_V_MAP;
	put_str(&a, risk, "name", "erreur d'aiguillage");
	put_str(&a, risk, "mitigation", "relecture par un agent");
	encode_body(uc, &body, &body_len);
	free(entry("valid-member-capref", &territory, &member, "use_case/tri-courrier", ts + 5,
	           PROTO_KIND_DOCUMENT, body, body_len, capref, &len));
	free(body);

	/* A node record with a long string (str16) in its body. */
	proto_value *node = proto_value_new(&a, PROTO_V_MAP);
	put_str(&a, node, "type", "node");
	proto_value *addrs = put(&a, node, "addresses", PROTO_V_ARRAY);
	push_str(&a, addrs, "tcp://192.0.2.10:7447");
	push_str(&a, addrs, "tcp://[2001:db8::10]:7447");
	char note[400];
	memset(note, 'x', sizeof note - 1);
	note[sizeof note - 1] = '\0';
	put_str(&a, node, "note", note);
	encode_body(node, &body, &body_len);
	char node_path[8 + 2 * PROTO_KEY_LEN];
	char territory_hex[2 * PROTO_KEY_LEN + 1];
	proto_hex(territory.pk, PROTO_KEY_LEN, territory_hex);
	snprintf(node_path, sizeof node_path, "node/%s", territory_hex);
	free(entry("valid-node", &territory, &territory, node_path, ts, PROTO_KIND_DOCUMENT, body,
	           body_len, NULL, &len));
	free(body);

	/* A small document whose body is {"a": 1, "b": 2}, to edit below. */
	static const uint8_t ab[] = { 0x82, 0xa1, 'a', 0x01, 0xa1, 'b', 0x02 };
	buf = entry("valid-small", &territory, &territory, "rex/x", 1, PROTO_KIND_DOCUMENT, ab,
	            sizeof ab, NULL, &len);

	/* Invalid variants. */
	write_file("bad-truncated", doc, doc_len - 10);
	write_file("bad-header-only", doc, 1);
	static const uint8_t version_u8[] = { 0xcc, 0x01 }; /* version 1 as uint8: non-minimal */
	write_edited("bad-nonminimal-int", buf, len, 1, 1, version_u8, sizeof version_u8);
	static const uint8_t version_2[] = { 0x02 };
	write_edited("bad-version", buf, len, 1, 1, version_2, 1);
	static const uint8_t ba[] = { 0x82, 0xa1, 'b', 0x02, 0xa1, 'a', 0x01 };
	size_t body_at = find(buf, len, ab, sizeof ab);
	write_edited("bad-unsorted-keys", buf, len, body_at, sizeof ab, ba, sizeof ba);
	static const uint8_t aa[] = { 0x82, 0xa1, 'a', 0x01, 0xa1, 'a', 0x02 };
	write_edited("bad-duplicate-keys", buf, len, body_at, sizeof ab, aa, sizeof aa);
	static const uint8_t kind_1[] = { 0x01 };
	write_edited("bad-tombstone-with-body", buf, len, body_at - 1, 1, kind_1, 1);
	static const uint8_t zero = 0x00;
	write_edited("bad-trailing-byte", buf, len, len, 0, &zero, 1);
	static const uint8_t upper[] = { 'R' };
	write_edited("bad-path-uppercase", buf, len, find(buf, len, "rex/x", 5), 1, upper, 1);
	static const uint8_t arr16[] = { 0xdc, 0x00, 0x09 }; /* 9 items as array16: non-minimal */
	write_edited("bad-array16", buf, len, 0, 1, arr16, sizeof arr16);
	/* valid structure, wrong signature: decodes, does not verify */
	uint8_t flipped = buf[len - 1] ^ 0x01;
	write_edited("bad-signature", buf, len, len - 1, 1, &flipped, 1);
	static const uint8_t f32[] = { 0x82, 0xa1, 'a',  0xca, 0x3f, 0xc0,
		                       0x00, 0x00, 0xa1, 'b',  0x02 };
	write_edited("bad-float32", buf, len, body_at, sizeof ab, f32, sizeof f32);

	free(buf);
	free(doc);
	proto_arena_done(&a);
	return 0;
}
